//! `vmm-ref`: check, convert and run pod files.
//!
//! The command-line front end of the workspace. Each subcommand lives in its own module under
//! `cli/`; this file only parses the command line and reports how the command ended.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
