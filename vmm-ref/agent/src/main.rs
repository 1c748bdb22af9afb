//! The vmm-ref guest agent. (Work in progress: see issue 6.)

fn main() {
    eprintln!("vmm-ref-agent: not implemented yet");
    std::process::exit(1);
}
