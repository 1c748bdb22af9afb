//! The vmm-ref guest agent: PID 1 inside a vmm-ref guest.
//!
//! As init it marks its start on I/O port 0x80 (value 0x41, for the VMM's boot clock), mounts
//! `/proc`, `/sys`, `/dev` (devtmpfs), `/dev/pts`, `/dev/shm`, `/tmp` and `/run`, loads the
//! kernel modules the host put in `/lib/modules/vmm-ref/` (`overlay.ko`, for containers'
//! overlay roots; each file removed once loaded, to give its RAM back), sets the hostname from `vmmref.hostname=` on the kernel command line, opens
//! `/dev/ttyS1` (or `vmmref.channel=`) in raw mode, brings the loopback interface up, says
//! hello, and then answers the host's requests (see the `vmm-ref-proto` crate): run commands,
//! start, signal and wait for processes, reaping every
//! child as PID 1 must. When asked to shut down, when the channel closes, or on any error it
//! cannot recover from (reported to the host as `Fatal` first), it resets the guest with
//! `reboot(RB_AUTOBOOT)`, which with `reboot=k` ends the VMM. It never exits as PID 1 (that
//! would panic the kernel), not even on a Rust panic.
//!
//! # Layout
//!
//! - `cmdline`: kernel command line and argument parsing.
//! - `handler`: request handling without I/O (tested with a fake process layer).
//! - `spawn`: the real process layer.
//! - `container`: entering a container (its own mount namespace and root) or a running
//!   container's mounts, between fork and exec.
//! - `probe`: `vmm-ref-agent probe tcp|http|https|https-or-http ...`, the network half of
//!   probes and hooks (`https-or-http`: a hook's HTTPS request that falls back to plain HTTP),
//!   run in the guest as a child of the agent.
//! - `event_loop`: the poll loop that connects the channel, the processes and `handler`.
//! - `sys`: the system calls, each `unsafe` block with its reason.
//!
//! Outside a guest, `vmm-ref-agent --stdio` speaks the protocol on standard input and output
//! (the integration tests drive it that way).

mod cmdline;
mod container;
mod event_loop;
mod handler;
mod probe;
mod spawn;
mod sys;

use std::fs::File;
use std::io::Write as _;
use std::os::fd::{AsRawFd, FromRawFd};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use cmdline::{Channel as ChannelArg, KernelSettings};
use event_loop::{Channel, Ending};
use vmm_ref_proto::{GuestMessage, encode};

/// The channel's write descriptor, for the panic hook's last message (-1: none yet).
static CHANNEL_FD: AtomicI32 = AtomicI32::new(-1);
/// Whether the agent acts as init (and so must reset the guest instead of exiting).
static INIT: AtomicBool = AtomicBool::new(false);

/// Writes a line to standard error (the guest console as init), ignoring failures.
pub(crate) fn log(message: &str) {
    let _ = writeln!(std::io::stderr(), "vmm-ref-agent: {message}");
}

/// Tells the host (best effort, straight to the descriptor), then resets or exits.
fn die(message: &str) -> ! {
    log(message);
    let fd = CHANNEL_FD.load(Ordering::SeqCst);
    if fd >= 0
        && let Ok(bytes) = encode(&GuestMessage::Fatal {
            message: message.to_owned(),
        })
    {
        let mut off = 0;
        while off < bytes.len() {
            // Safe because the pointer and length describe the rest of `bytes`, and a bad
            // descriptor only makes write fail.
            let n = unsafe { libc::write(fd, bytes[off..].as_ptr().cast(), bytes.len() - off) };
            if n <= 0 {
                break;
            }
            off += n as usize;
        }
    }
    finish(1)
}

/// Resets the guest as init; exits with `code` otherwise.
fn finish(code: i32) -> ! {
    if INIT.load(Ordering::SeqCst) {
        sys::reset_guest()
    }
    std::process::exit(code)
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().is_some_and(|a| a == "probe") {
        probe::main(&argv[1..]);
    }
    let args = match cmdline::parse_args(argv) {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("vmm-ref-agent: {e}");
            }
            eprintln!("{}", cmdline::USAGE);
            std::process::exit(if e.is_empty() { 0 } else { 2 });
        }
    };
    let init = args.init.unwrap_or(std::process::id() == 1);
    INIT.store(init, Ordering::SeqCst);
    if init {
        sys::debug_port_mark(0x41);
    }
    // A panic anywhere ends here: report it and reset (never exit as PID 1).
    std::panic::set_hook(Box::new(|info| die(&format!("agent panicked: {info}"))));

    let settings = if init {
        init_system()
    } else {
        sys::set_subreaper();
        KernelSettings::default()
    };

    let mut channel = match open(&args.channel, &settings) {
        Ok(c) => c,
        Err(e) => die(&e),
    };
    CHANNEL_FD.store(channel.write.as_raw_fd(), Ordering::SeqCst);
    match event_loop::run(&mut channel, settings.debug) {
        Ok(Ending::Shutdown) => finish(0),
        Ok(Ending::ChannelClosed) => {
            if init {
                log("the host closed the channel; resetting");
            }
            finish(0)
        }
        Err(e) => die(&format!("agent channel failed: {e}")),
    }
}

fn open(arg: &ChannelArg, settings: &KernelSettings) -> Result<Channel, String> {
    match arg {
        ChannelArg::Stdio => {
            // Safe because descriptors 0 and 1 are ours for the life of the process and
            // nothing else in the agent uses them.
            let (read, write) = unsafe { (File::from_raw_fd(0), File::from_raw_fd(1)) };
            sys::set_nonblocking(0).map_err(|e| format!("stdin: {e}"))?;
            Ok(Channel { read, write })
        }
        ChannelArg::FromKernel => open_path(&settings.channel),
        ChannelArg::Path(p) => open_path(p),
    }
}

fn open_path(path: &str) -> Result<Channel, String> {
    let f = sys::open_channel(path).map_err(|e| format!("cannot open the channel {path}: {e}"))?;
    let w = f.try_clone().map_err(|e| format!("dup {path}: {e}"))?;
    Ok(Channel { read: f, write: w })
}

/// Where the host puts kernel modules for the agent to load at init (every file there).
const MODULES_DIR: &str = "/lib/modules/vmm-ref";

/// What a system needs before anything runs. Failures are logged and skipped: a missing
/// `/sys` should not stop a command from running; a missing channel is caught when opening it.
fn init_system() -> KernelSettings {
    const NOSUID_NODEV_NOEXEC: libc::c_ulong = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
    let mounts: [(&str, &str, &str, libc::c_ulong, Option<&str>); 7] = [
        ("proc", "/proc", "proc", NOSUID_NODEV_NOEXEC, None),
        ("sysfs", "/sys", "sysfs", NOSUID_NODEV_NOEXEC, None),
        (
            "devtmpfs",
            "/dev",
            "devtmpfs",
            libc::MS_NOSUID,
            Some("mode=0755"),
        ),
        (
            "devpts",
            "/dev/pts",
            "devpts",
            libc::MS_NOSUID | libc::MS_NOEXEC,
            Some("gid=5,mode=0620,ptmxmode=0666"),
        ),
        (
            "shm",
            "/dev/shm",
            "tmpfs",
            libc::MS_NOSUID | libc::MS_NODEV,
            Some("mode=1777"),
        ),
        (
            "tmpfs",
            "/tmp",
            "tmpfs",
            libc::MS_NOSUID | libc::MS_NODEV,
            Some("mode=1777"),
        ),
        (
            "tmpfs",
            "/run",
            "tmpfs",
            libc::MS_NOSUID | libc::MS_NODEV,
            Some("mode=0755"),
        ),
    ];
    for (source, target, fstype, flags, data) in mounts {
        let _ = std::fs::create_dir_all(target);
        if let Err(e) = sys::mount(source, target, fstype, flags, data)
            && e.raw_os_error() != Some(libc::EBUSY)
        {
            log(&format!("mount {fstype} on {target}: {e}"));
        }
    }
    if !sys::fd_is_open(2) {
        let _ = sys::console_as_stdio();
    }
    // Kernel modules the host put in the initramfs (`overlay` for containers' roots). A
    // loaded module's file is removed: the initramfs is guest RAM, and the kernel has its copy.
    if let Ok(dir) = std::fs::read_dir(MODULES_DIR) {
        let mut modules: Vec<_> = dir.flatten().map(|e| e.path()).collect();
        modules.sort();
        for m in modules {
            let path = m.to_string_lossy();
            match sys::load_module(&path) {
                Ok(()) => {
                    let _ = std::fs::remove_file(&m);
                }
                Err(e) => log(&format!("loading module {path}: {e}")),
            }
        }
    }
    let cmdline = std::fs::read_to_string("/proc/cmdline").unwrap_or_default();
    let settings = cmdline::parse_kernel(&cmdline);
    if let Err(e) = sys::set_hostname(&settings.hostname) {
        log(&format!("sethostname {}: {e}", settings.hostname));
    }
    // The guest's network namespace is the pod's: its containers talk over `localhost`.
    if let Err(e) = sys::loopback_up() {
        log(&format!("bringing lo up: {e}"));
    }
    // Without devtmpfs, make the default channel's node by hand (COM2 is 4:65).
    if settings.channel == "/dev/ttyS1" && !std::path::Path::new("/dev/ttyS1").exists() {
        let _ = sys::mknod_char("/dev/ttyS1", 0o600, 4, 65);
    }
    if settings.debug {
        log(&format!("init done: {settings:?}"));
    }
    settings
}
