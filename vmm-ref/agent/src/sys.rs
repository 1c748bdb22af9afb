//! The agent's system calls, each wrapped once. Every `unsafe` block says why it is sound.

use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use vmm_ref_proto::ExitStatus;

fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

fn cstring(s: &str) -> io::Result<CString> {
    CString::new(s).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL byte in a path"))
}

/// Writes `code` to I/O port 0x80 (cloud-hypervisor's debug-port convention; the VMM
/// timestamps it). Does nothing where port access is not permitted (not root, not x86).
pub(crate) fn debug_port_mark(code: u8) {
    #[cfg(target_arch = "x86_64")]
    {
        // Safe because ioperm only changes this process's I/O permission bitmap.
        let ok = unsafe { libc::ioperm(0x80, 1, 1) } == 0;
        if ok {
            // Safe because ioperm above granted access to port 0x80, which is the POST/debug
            // port: writing it has no effect on the machine's state besides a VM exit.
            unsafe {
                core::arch::asm!("out dx, al", in("dx") 0x80u16, in("al") code, options(nomem, nostack, preserves_flags));
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = code;
}

/// `mount(2)`.
pub(crate) fn mount(
    source: &str,
    target: &str,
    fstype: &str,
    flags: libc::c_ulong,
    data: Option<&str>,
) -> io::Result<()> {
    let (s, t, f) = (cstring(source)?, cstring(target)?, cstring(fstype)?);
    let d = data.map(cstring).transpose()?;
    let dp = d.as_ref().map_or(std::ptr::null(), |d| d.as_ptr().cast());
    // Safe because every pointer is a valid NUL-terminated string (or null for data) that
    // outlives the call.
    cvt(unsafe { libc::mount(s.as_ptr(), t.as_ptr(), f.as_ptr(), flags, dp) }).map(drop)
}

/// `sethostname(2)`.
pub(crate) fn set_hostname(name: &str) -> io::Result<()> {
    // Safe because the pointer and length describe `name`'s bytes.
    cvt(unsafe { libc::sethostname(name.as_ptr().cast(), name.len()) }).map(drop)
}

/// `mknod(2)` for a character device.
pub(crate) fn mknod_char(path: &str, mode: u32, major: u32, minor: u32) -> io::Result<()> {
    let p = cstring(path)?;
    // Safe because `p` is a valid C string; makedev is a pure computation.
    cvt(unsafe {
        libc::mknod(
            p.as_ptr(),
            libc::S_IFCHR | mode,
            libc::makedev(major, minor),
        )
    })
    .map(drop)
}

/// Loads a kernel module from a file (`finit_module(2)`, no parameters). A module already
/// loaded or built in (`EEXIST`) is fine.
pub(crate) fn load_module(path: &str) -> io::Result<()> {
    let f = File::open(path)?;
    let params = cstring("")?;
    // Safe because the descriptor is open and `params` is a valid C string.
    let r = unsafe {
        libc::syscall(
            libc::SYS_finit_module,
            f.as_raw_fd(),
            params.as_ptr(),
            0 as libc::c_int,
        )
    };
    if r == -1 {
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EEXIST) {
            return Err(e);
        }
    }
    Ok(())
}

/// Brings the loopback interface `lo` up (`SIOCGIFFLAGS` / `SIOCSIFFLAGS`).
pub(crate) fn loopback_up() -> io::Result<()> {
    // Safe because socket takes no pointers.
    let s = cvt(unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) })?;
    // Safe because socket returned a fresh descriptor we now own (closed on drop).
    let s = unsafe { OwnedFd::from_raw_fd(s) };
    // Safe because an all-zero ifreq is a valid value.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in ifr.ifr_name.iter_mut().zip(b"lo\0") {
        *dst = *src as libc::c_char;
    }
    // Safe because `ifr` is a valid ifreq for the duration of the call.
    cvt(unsafe { libc::ioctl(s.as_raw_fd(), libc::SIOCGIFFLAGS, &mut ifr) })?;
    // Safe because SIOCGIFFLAGS filled the flags member of the union.
    unsafe {
        ifr.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
    }
    // Safe because `ifr` is a valid ifreq for the duration of the call.
    cvt(unsafe { libc::ioctl(s.as_raw_fd(), libc::SIOCSIFFLAGS, &ifr) }).map(drop)
}

/// Whether `fd` is open.
pub(crate) fn fd_is_open(fd: RawFd) -> bool {
    // Safe because F_GETFD only queries the descriptor table.
    unsafe { libc::fcntl(fd, libc::F_GETFD) != -1 }
}

/// Makes `/dev/console` the standard input, output and error (when the kernel could not).
pub(crate) fn console_as_stdio() -> io::Result<()> {
    let f = File::options()
        .read(true)
        .write(true)
        .open("/dev/console")?;
    for target in 0..3 {
        // Safe because both descriptors are valid; dup2 replaces `target` atomically.
        cvt(unsafe { libc::dup2(f.as_raw_fd(), target) })?;
    }
    Ok(())
}

/// Opens the agent channel: read-write, not our controlling terminal, non-blocking, and in raw
/// mode when it is a terminal (no echo, no line discipline, 8 bits, `CLOCAL | CREAD`).
pub(crate) fn open_channel(path: &str) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = File::options()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK)
        .open(path)?;
    make_raw_if_tty(f.as_raw_fd())?;
    Ok(f)
}

fn make_raw_if_tty(fd: RawFd) -> io::Result<()> {
    // Safe because isatty only queries `fd`.
    if unsafe { libc::isatty(fd) } != 1 {
        return Ok(());
    }
    let mut t = std::mem::MaybeUninit::<libc::termios>::uninit();
    // Safe because `t` is a valid out-pointer for one termios.
    cvt(unsafe { libc::tcgetattr(fd, t.as_mut_ptr()) })?;
    // Safe because tcgetattr succeeded and filled `t`.
    let mut t = unsafe { t.assume_init() };
    // Safe because `t` is a valid termios.
    unsafe { libc::cfmakeraw(&mut t) };
    t.c_cflag |= libc::CLOCAL | libc::CREAD;
    t.c_cflag &= !libc::CRTSCTS;
    t.c_cc[libc::VMIN] = 1;
    t.c_cc[libc::VTIME] = 0;
    // The line speed is left alone: the UART is virtual, and cfset*speed are bound to a
    // versioned glibc symbol that a static link cannot resolve.
    // Safe because `t` is a valid termios and `fd` an open terminal.
    cvt(unsafe { libc::tcsetattr(fd, libc::TCSANOW, &t) }).map(drop)
}

/// Sets `O_NONBLOCK` on `fd`.
pub(crate) fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // Safe because F_GETFL/F_SETFL only change the file status flags of a valid descriptor.
    let flags = cvt(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
    cvt(unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) }).map(drop)
}

/// Blocks `SIGCHLD` and returns a non-blocking signalfd that becomes readable when a child
/// changes state. (Children get an empty signal mask from `std::process::Command`.)
pub(crate) fn sigchld_fd() -> io::Result<OwnedFd> {
    let mut set = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
    // Safe because `set` is a valid sigset_t out-pointer, initialised by sigemptyset before use.
    unsafe {
        libc::sigemptyset(set.as_mut_ptr());
        libc::sigaddset(set.as_mut_ptr(), libc::SIGCHLD);
    }
    // Safe because sigemptyset initialised `set`.
    let set = unsafe { set.assume_init() };
    // Safe because `set` is initialised; the old mask is not needed.
    let r = unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) };
    if r != 0 {
        return Err(io::Error::from_raw_os_error(r));
    }
    // Safe because `set` is valid; -1 asks for a new descriptor.
    let fd = cvt(unsafe { libc::signalfd(-1, &set, libc::SFD_NONBLOCK | libc::SFD_CLOEXEC) })?;
    // Safe because signalfd returned a fresh descriptor we now own.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Drains pending signalfd records (their content is not needed: we reap with waitpid).
pub(crate) fn drain_signalfd(fd: RawFd) {
    let mut buf = [0u8; 128 * 8];
    loop {
        // Safe because `buf` is valid for writes of its length.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 {
            return;
        }
    }
}

/// Reaps every exited child without blocking (`waitpid(-1, WNOHANG | __WALL)`).
pub(crate) fn reap() -> Vec<(i32, ExitStatus)> {
    let mut out = Vec::new();
    loop {
        let mut status = 0;
        // Safe because `status` is a valid out-pointer.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG | libc::__WALL) };
        if pid <= 0 {
            return out;
        }
        if libc::WIFEXITED(status) {
            out.push((
                pid,
                ExitStatus::Exited {
                    code: libc::WEXITSTATUS(status),
                },
            ));
        } else if libc::WIFSIGNALED(status) {
            out.push((
                pid,
                ExitStatus::Signaled {
                    signal: libc::WTERMSIG(status),
                },
            ));
        }
    }
}

/// `kill(2)`.
pub(crate) fn kill(pid: i32, signal: i32) -> io::Result<()> {
    // Safe because kill has no memory effects.
    cvt(unsafe { libc::kill(pid, signal) }).map(drop)
}

/// `poll(2)` over `fds`, waiting at most `timeout_ms` (-1: forever). EINTR counts as "nothing
/// ready".
pub(crate) fn poll(fds: &mut [libc::pollfd], timeout_ms: i32) -> io::Result<usize> {
    // Safe because the pointer and length describe `fds`.
    let r = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
    if r < 0 {
        let e = io::Error::last_os_error();
        if e.kind() == io::ErrorKind::Interrupted {
            return Ok(0);
        }
        return Err(e);
    }
    Ok(r as usize)
}

/// A new pseudo-terminal pair (master, slave), both close-on-exec.
pub(crate) fn openpty() -> io::Result<(OwnedFd, OwnedFd)> {
    let (mut m, mut s) = (-1, -1);
    // Safe because the out-pointers are valid; name, termios and winsize may be null.
    cvt(unsafe {
        libc::openpty(
            &mut m,
            &mut s,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    })?;
    // Safe because openpty returned two fresh descriptors we now own.
    let (m, s) = unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) };
    for fd in [m.as_raw_fd(), s.as_raw_fd()] {
        // Safe because F_SETFD only changes the descriptor flags.
        cvt(unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) })?;
    }
    Ok((m, s))
}

/// Makes this process a child subreaper, so orphans of its children are reaped here.
pub(crate) fn set_subreaper() {
    // Safe because PR_SET_CHILD_SUBREAPER takes an integer argument and no pointers.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

/// Resets the guest: kills every other process, syncs, and calls `reboot(RB_AUTOBOOT)`. With
/// `reboot=k` on the kernel command line the kernel resets through the i8042 controller, which
/// the VMM takes as the guest's exit. (A power-off without ACPI would only halt the CPU.)
/// Never returns: if reboot fails the agent sleeps forever rather than exit as PID 1.
pub(crate) fn reset_guest() -> ! {
    // Safe because these calls have no memory effects on this process.
    unsafe {
        libc::kill(-1, libc::SIGKILL);
        libc::sync();
        libc::reboot(libc::RB_AUTOBOOT);
    }
    loop {
        // Safe because pause only waits for a signal.
        unsafe {
            libc::pause();
        }
    }
}
