//! `vmm-ref-bench`: runs a VMM process and measures it from the outside, for `cargo xtask
//! bench-boot` inside the rig.
//!
//! ```text
//! vmm-ref-bench [--hello-on-stdout] -- COMMAND [ARGS...]
//! ```
//!
//! It starts COMMAND with its standard output piped, and prints one line on standard error:
//!
//! ```text
//! vmm-ref-bench: hello_ms=H exit_ms=E maxrss_kib=R code=C
//! ```
//!
//! - `exit_ms`: from just before the spawn to the process's end;
//! - `maxrss_kib`: its peak resident set (`wait4`'s `ru_maxrss`);
//! - `hello_ms` (with `--hello-on-stdout`, else `-`): when the agent's hello frame appeared on
//!   COMMAND's standard output. This is for a VMM whose guest agent talks over the console
//!   (`vmmref.channel=/dev/ttyS0` on the guest command line, the console on stdio): on the
//!   hello it writes a shutdown request to COMMAND's standard input, so the guest resets as it
//!   does under `vmm-ref boot` with no command.
//!
//! COMMAND's standard output is otherwise discarded; its standard error passes through.

use std::io::{Read as _, Write as _};
use std::process::{Command, Stdio};
use std::time::Instant;

use vmm_ref_proto::{Decoder, GuestMessage, HostMessage, Request, RequestId, encode};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let hello_mode = args.first().is_some_and(|a| a == "--hello-on-stdout");
    if hello_mode {
        args.remove(0);
    }
    if args.first().is_some_and(|a| a == "--") {
        args.remove(0);
    }
    if args.is_empty() {
        eprintln!("usage: vmm-ref-bench [--hello-on-stdout] -- COMMAND [ARGS...]");
        std::process::exit(2);
    }
    let started = Instant::now();
    let mut child = match Command::new(&args[0])
        .args(&args[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("vmm-ref-bench: cannot start {}: {e}", args[0]);
            std::process::exit(127);
        }
    };
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut decoder = Decoder::<GuestMessage>::new();
    let mut hello_ms = None;
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = stdout.read(&mut buf) {
        if n == 0 {
            break;
        }
        if !hello_mode || hello_ms.is_some() {
            continue;
        }
        let hello = decoder
            .decode(&buf[..n])
            .into_iter()
            .any(|m| matches!(m, Ok(GuestMessage::Hello { .. })));
        if hello {
            hello_ms = Some(started.elapsed().as_secs_f64() * 1e3);
            let shutdown = HostMessage {
                id: RequestId(1),
                request: Request::Shutdown,
            };
            if let (Some(w), Ok(bytes)) = (stdin.as_mut(), encode(&shutdown)) {
                let _ = w.write_all(&bytes).and_then(|()| w.flush());
            }
        }
    }
    drop(stdin);
    // The PID fits: Linux PIDs are at most 2^22.
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // Safe because `status` and `usage` are valid out-pointers, and `pid` is our child that no
    // one else waits for.
    let r = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
    let exit_ms = started.elapsed().as_secs_f64() * 1e3;
    if r != pid {
        eprintln!("vmm-ref-bench: wait4: {}", std::io::Error::last_os_error());
        std::process::exit(1);
    }
    // Safe because wait4 succeeded and filled `usage` (it was zeroed before anyway).
    let usage = unsafe { usage.assume_init() };
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    let hello = hello_ms.map_or_else(|| "-".to_owned(), |h| format!("{h:.1}"));
    eprintln!(
        "vmm-ref-bench: hello_ms={hello} exit_ms={exit_ms:.1} maxrss_kib={} code={code}",
        usage.ru_maxrss
    );
    std::process::exit(code);
}
