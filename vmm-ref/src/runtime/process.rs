//! The process runtime: a pod's containers as host processes.
//!
//! - **The sandbox** is a holder process that `unshare`s new PID, UTS, IPC and network
//!   namespaces, sets the hostname, and forks the pod's init (PID 1 of the new PID namespace),
//!   which brings `lo` up and reaps orphans. Both die with SIGKILL when their parent dies
//!   (`PR_SET_PDEATHSIG`), and killing the init kills every process of the pod: nothing is left
//!   behind, even if `vmm-ref` itself is killed.
//! - **Containers** are forked from one spawner thread that has joined the pod's namespaces
//!   (`setns`), so they share the pod's processes, hostname and `localhost`. Each one then
//!   `unshare`s its own mount namespace, makes it private, bind-mounts its own copy of its
//!   image's root filesystem onto itself, mounts the pod's `/proc`, binds `/dev/null`,
//!   `/dev/zero`, `/dev/random`, `/dev/urandom`, `chroot`s into it and `exec`s its command.
//! - **Exec** (probes and hooks) joins the container's mount namespace and root (`setns` +
//!   `fchdir` + `chroot`, as `nsenter` does); httpGet and tcpSocket handlers connect from a
//!   thread that joined the pod's network namespace; sleep handlers sleep. An httpGet hook
//!   with scheme HTTPS whose server answers the TLS handshake in plain HTTP is made again over
//!   HTTP, as the kubelet does for hooks (not probes), and a warning line
//!   (`vmm-ref: warning: LifecycleHTTPFallback: ...`) goes to the container's stderr output.
//!
//! Decisions: each container sees its own root filesystem, so that containers of one image do
//! not see each other's writes. Where the host can, that root is an **overlay** mounted in the
//! container's own mount namespace (so it goes away with the container's last process, even
//! if `vmm-ref` is killed): the image's root in the store is the read-only lower layer, shared
//! by every container (and pod) of that image and never written; the upper layer and the
//! overlay's work directory are the container's, under the store's `run/` directory (removed
//! on teardown), and persist across the container's restarts as a writable layer does. The
//! mount points the runtime needs (`proc`, `dev`, `tmp`, the device files) are made in the
//! upper layer when the image lacks them. [`Runtime::create`] tries the overlay once per
//! container in a throw-away mount namespace; where it cannot be mounted (no overlayfs, an
//! upper directory on a filesystem overlayfs refuses, a path with `,`, `:` or `\\`), the
//! container gets a copy of its image's root instead, as before. A command that cannot be executed exits 127 (not found) or 126 (any other
//! `exec` error), as shells do. A `tty: true` container gets a pseudo-terminal of the host
//! (`posix_openpt`, close-on-exec on both sides) as its stdin, stdout and stderr and as its
//! controlling terminal (`setsid` + `TIOCSCTTY`); everything it writes is reported as stdout,
//! and a CR before a line's LF is cut (a terminal's line end). Other containers get
//! `/dev/null` and two pipes.
//!
//! Needs root (namespaces and mounts).

use std::collections::HashMap;
use std::ffi::CString;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use phase::ContainerId;

use super::{
    ContainerPlan, Error, ExecResult, ExecTag, Handler, HttpRule, PodPlan, Runtime, RuntimeEvent,
    Stream,
};

/// The devices bound into every container.
const DEVICES: [&str; 4] = ["null", "zero", "random", "urandom"];

/// A container's root as an overlay: the image's root below, the container's own layer above.
#[derive(Clone, Debug)]
struct Layers {
    /// The image's root (read-only here).
    lower: PathBuf,
    /// The container's writable layer.
    upper: PathBuf,
    /// overlayfs's work directory (same filesystem as `upper`).
    work: PathBuf,
}

impl Layers {
    /// The overlay's mount options, or `None` when a path cannot be written in them.
    fn options(&self) -> Option<CString> {
        let paths = [&self.lower, &self.upper, &self.work];
        if paths.iter().any(|p| {
            p.as_os_str()
                .as_bytes()
                .iter()
                .any(|b| matches!(b, b',' | b':' | b'\\'))
        }) {
            return None;
        }
        let text = format!(
            "lowerdir={},upperdir={},workdir={}",
            self.lower.display(),
            self.upper.display(),
            self.work.display()
        );
        CString::new(text).ok()
    }
}

/// Whether the overlay `options` mounts on `target`: tried in a child in a mount namespace of
/// its own, which dies with it (nothing is left mounted).
fn overlay_mounts(options: &CString, target: &Path) -> bool {
    let Ok(target) = CString::new(target.as_os_str().as_bytes()) else {
        return false;
    };
    // Safe because the child makes only raw system calls on data prepared before the fork and
    // then `_exit`s; it never returns into Rust code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return false;
    }
    if pid == 0 {
        // Safe because these are raw system calls on prepared, NUL-terminated strings.
        unsafe {
            let ok = libc::unshare(libc::CLONE_NEWNS) == 0
                && libc::mount(
                    std::ptr::null(),
                    c"/".as_ptr(),
                    std::ptr::null(),
                    libc::MS_REC | libc::MS_PRIVATE,
                    std::ptr::null(),
                ) == 0
                && libc::mount(
                    c"overlay".as_ptr(),
                    target.as_ptr(),
                    c"overlay".as_ptr(),
                    0,
                    options.as_ptr().cast(),
                ) == 0;
            libc::_exit(i32::from(!ok));
        }
    }
    let mut status = 0;
    // Safe because `pid` is our child.
    unsafe { libc::waitpid(pid, &raw mut status, 0) };
    libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
}

/// Makes the mount points and device files a container needs under `dest` (its root, or its
/// upper layer) when `image` (its image's root) lacks them.
fn mount_points(image: &Path, dest: &Path) -> Result<(), Error> {
    for d in ["proc", "dev", "tmp"] {
        let p = dest.join(d);
        if image.join(d).symlink_metadata().is_err() && p.symlink_metadata().is_err() {
            std::fs::create_dir_all(&p).map_err(io_err(format!("create {}", p.display())))?;
        }
    }
    for d in DEVICES {
        let rel = Path::new("dev").join(d);
        let p = dest.join(&rel);
        if image.join(&rel).symlink_metadata().is_err() && p.symlink_metadata().is_err() {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(io_err(format!("create {}", parent.display())))?;
            }
            File::create(&p).map_err(io_err(format!("create {}", p.display())))?;
        }
    }
    Ok(())
}

fn io_err(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let what = what.into();
    move |source| Error::Io { what, source }
}

fn last_os_error(what: &str) -> Error {
    Error::Io {
        what: what.to_owned(),
        source: std::io::Error::last_os_error(),
    }
}

/// The holder and init of a pod.
#[derive(Debug)]
struct Sandbox {
    holder: libc::pid_t,
}

type SpawnJob = Box<dyn FnOnce() + Send>;

/// A running container.
#[derive(Debug)]
struct Proc {
    pid: libc::pid_t,
    exited: Arc<Mutex<bool>>,
}

/// The process runtime (module docs).
#[derive(Debug)]
pub struct ProcessRuntime {
    run_dir: PathBuf,
    plan: Option<PodPlan>,
    sandbox: Option<Sandbox>,
    spawner: Option<(Sender<SpawnJob>, thread::JoinHandle<()>)>,
    tx: Sender<RuntimeEvent>,
    rx: Receiver<RuntimeEvent>,
    procs: HashMap<ContainerId, Proc>,
    waiters: Vec<thread::JoinHandle<()>>,
    /// The containers whose root is an overlay (module docs); the others have a copy.
    layers: HashMap<ContainerId, Layers>,
}

impl ProcessRuntime {
    /// A runtime that keeps its per-pod files (root filesystem copies) under `run_dir`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::runtime::process::ProcessRuntime;
    /// let rt = ProcessRuntime::new("/tmp/vmm-ref-run");
    /// # drop(rt);
    /// ```
    #[must_use]
    pub fn new(run_dir: impl Into<PathBuf>) -> Self {
        let (tx, rx) = mpsc::channel();
        Self {
            run_dir: run_dir.into(),
            plan: None,
            sandbox: None,
            spawner: None,
            tx,
            rx,
            procs: HashMap::new(),
            waiters: Vec::new(),
            layers: HashMap::new(),
        }
    }

    /// Whether `container`'s root is an overlay over its image's root (after
    /// [`Runtime::create`]), rather than a copy.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::runtime::process::ProcessRuntime;
    /// # use phase::ContainerId;
    /// let rt = ProcessRuntime::new("/tmp/vmm-ref-run");
    /// assert!(!rt.has_overlay_root(ContainerId::regular(0)));
    /// ```
    #[must_use]
    pub fn has_overlay_root(&self, container: ContainerId) -> bool {
        self.layers.contains_key(&container)
    }

    fn container_root(&self, id: ContainerId) -> PathBuf {
        self.run_dir
            .join(format!("{:?}-{}", id.list, id.index).to_lowercase())
    }

    /// Runs `job` on the spawner thread (in the pod's namespaces) and waits for it.
    fn on_spawner<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        let (tx, rx) = mpsc::channel();
        let (jobs, _) = self
            .spawner
            .as_ref()
            .ok_or_else(|| Error::Sandbox("no sandbox".into()))?;
        jobs.send(Box::new(move || {
            let _ = tx.send(job());
        }))
        .map_err(|_| Error::SandboxLost("the spawner thread is gone".into()))?;
        rx.recv()
            .map_err(|_| Error::SandboxLost("the spawner thread is gone".into()))
    }

    fn holder(&self) -> Result<libc::pid_t, Error> {
        self.sandbox
            .as_ref()
            .map(|s| s.holder)
            .ok_or_else(|| Error::Sandbox("no sandbox".into()))
    }

    fn sandbox_alive(&self) -> bool {
        let Some(s) = &self.sandbox else {
            return false;
        };
        let mut status = 0;
        // Safe because waitpid with WNOHANG only reads our own child's state.
        let r = unsafe { libc::waitpid(s.holder, &raw mut status, libc::WNOHANG) };
        r == 0
    }
}

/// Forks the holder and the pod's init; returns the holder's pid once `lo` is up.
fn spawn_sandbox(hostname: &str) -> Result<libc::pid_t, Error> {
    let host = CString::new(hostname).map_err(|_| Error::Sandbox("hostname has a NUL".into()))?;
    let lo = *b"lo\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
    let mut fds = [0; 2];
    // Safe because `fds` is a valid array of two ints.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(last_os_error("pipe"));
    }
    let (read_fd, write_fd) = (fds[0], fds[1]);
    // Safe because the child only makes async-signal-safe system calls on data prepared
    // before the fork, then `_exit`s; it never returns into Rust code.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(last_os_error("fork"));
    }
    if pid == 0 {
        // Holder.
        // Safe because these are raw system calls on prepared data (see above).
        unsafe {
            libc::close(read_fd);
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            let flags =
                libc::CLONE_NEWPID | libc::CLONE_NEWUTS | libc::CLONE_NEWIPC | libc::CLONE_NEWNET;
            if libc::unshare(flags) != 0 {
                libc::_exit(101);
            }
            if libc::sethostname(host.as_ptr(), host.as_bytes().len()) != 0 {
                libc::_exit(102);
            }
            let init = libc::fork();
            if init < 0 {
                libc::_exit(103);
            }
            if init == 0 {
                // The pod's init: PID 1 of the new PID namespace.
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                let s = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
                if s >= 0 {
                    let mut ifr = [0u8; 40];
                    ifr[..16].copy_from_slice(&lo);
                    if libc::ioctl(s, libc::SIOCGIFFLAGS, ifr.as_mut_ptr()) == 0 {
                        let flags = i16::from_ne_bytes([ifr[16], ifr[17]]) | libc::IFF_UP as i16;
                        ifr[16..18].copy_from_slice(&flags.to_ne_bytes());
                        libc::ioctl(s, libc::SIOCSIFFLAGS, ifr.as_mut_ptr());
                    }
                    libc::close(s);
                }
                let ok = [1u8];
                libc::write(write_fd, ok.as_ptr().cast(), 1);
                libc::close(write_fd);
                loop {
                    let mut status = 0;
                    if libc::wait(&raw mut status) < 0 {
                        libc::pause();
                    }
                }
            }
            libc::close(write_fd);
            let mut status = 0;
            libc::waitpid(init, &raw mut status, 0);
            libc::_exit(0);
        }
    }
    // Safe because `write_fd` is ours and no longer needed in the parent.
    unsafe { libc::close(write_fd) };
    let mut byte = [0u8; 1];
    // Safe because `read_fd` is a pipe we own and `byte` is a valid one-byte buffer.
    let n = unsafe { libc::read(read_fd, byte.as_mut_ptr().cast(), 1) };
    // Safe because `read_fd` is ours.
    unsafe { libc::close(read_fd) };
    if n != 1 {
        let mut status = 0;
        // Safe because `pid` is our child.
        unsafe { libc::waitpid(pid, &raw mut status, 0) };
        let code = if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        };
        let why = match code {
            101 => {
                "unshare of the PID, UTS, IPC and network namespaces failed (the process runtime needs root)"
            }
            102 => "sethostname failed",
            _ => "the pod's init did not start",
        };
        return Err(Error::Sandbox(why.to_owned()));
    }
    Ok(pid)
}

/// The spawner thread: joins the holder's namespaces, then runs jobs.
fn spawner_thread(
    holder: libc::pid_t,
) -> Result<(Sender<SpawnJob>, thread::JoinHandle<()>), Error> {
    let mut files = Vec::new();
    for (ns, flag) in [
        ("uts", libc::CLONE_NEWUTS),
        ("ipc", libc::CLONE_NEWIPC),
        ("net", libc::CLONE_NEWNET),
        ("pid_for_children", libc::CLONE_NEWPID),
    ] {
        let path = format!("/proc/{holder}/ns/{ns}");
        let f = File::open(&path).map_err(io_err(format!("open {path}")))?;
        files.push((f, flag, path));
    }
    let (jobs_tx, jobs_rx) = mpsc::channel::<SpawnJob>();
    let (ready_tx, ready_rx) = mpsc::channel::<Result<(), Error>>();
    let handle = thread::Builder::new()
        .name("pod-spawner".into())
        .spawn(move || {
            for (f, flag, path) in &files {
                // Safe because `f` is an open namespace file; setns changes only this thread.
                if unsafe { libc::setns(f.as_raw_fd(), *flag) } != 0 {
                    let _ = ready_tx.send(Err(last_os_error(&format!("setns {path}"))));
                    return;
                }
            }
            drop(files);
            let _ = ready_tx.send(Ok(()));
            for job in jobs_rx {
                job();
            }
        })
        .map_err(io_err("spawn the spawner thread"))?;
    ready_rx
        .recv()
        .map_err(|_| Error::Sandbox("the spawner thread died".into()))??;
    Ok((jobs_tx, handle))
}

/// What the container's child does between fork and exec (all data prepared beforehand).
struct Enter {
    /// overlayfs options to mount on `rootfs` first (its root is an overlay).
    overlay: Option<CString>,
    rootfs: Option<CString>,
    proc_dir: Option<CString>,
    devices: Vec<(CString, CString)>,
    workdir: CString,
}

impl Enter {
    fn new(
        rootfs: Option<&Path>,
        workdir: Option<&str>,
        layers: Option<&Layers>,
    ) -> Result<Self, Error> {
        let c = |p: &Path| {
            CString::new(p.as_os_str().as_bytes())
                .map_err(|_| Error::Sandbox("path has a NUL".into()))
        };
        let mut devices = Vec::new();
        if let Some(r) = rootfs {
            for d in DEVICES {
                devices.push((c(&Path::new("/dev").join(d))?, c(&r.join("dev").join(d))?));
            }
        }
        let overlay = match layers {
            Some(l) => Some(
                l.options()
                    .ok_or_else(|| Error::Sandbox("overlay paths unusable".into()))?,
            ),
            None => None,
        };
        Ok(Self {
            overlay,
            rootfs: rootfs.map(c).transpose()?,
            proc_dir: rootfs.map(|r| c(&r.join("proc"))).transpose()?,
            devices,
            workdir: CString::new(workdir.unwrap_or("/"))
                .map_err(|_| Error::Sandbox("working dir has a NUL".into()))?,
        })
    }

    /// Runs in the child after fork (async-signal-safe system calls only).
    fn enter(&self) -> std::io::Result<()> {
        let check = |r: libc::c_int| {
            if r == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        };
        // Safe because every pointer is a prepared, NUL-terminated C string or null.
        unsafe {
            check(libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL))?;
            check(libc::unshare(libc::CLONE_NEWNS))?;
            check(libc::mount(
                std::ptr::null(),
                c"/".as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ))?;
            if let (Some(root), Some(proc_dir)) = (&self.rootfs, &self.proc_dir) {
                if let Some(options) = &self.overlay {
                    // The container's root: its layer over the image's, in this namespace only.
                    check(libc::mount(
                        c"overlay".as_ptr(),
                        root.as_ptr(),
                        c"overlay".as_ptr(),
                        0,
                        options.as_ptr().cast(),
                    ))?;
                }
                check(libc::mount(
                    root.as_ptr(),
                    root.as_ptr(),
                    std::ptr::null(),
                    libc::MS_BIND | libc::MS_REC,
                    std::ptr::null(),
                ))?;
                check(libc::mount(
                    c"proc".as_ptr(),
                    proc_dir.as_ptr(),
                    c"proc".as_ptr(),
                    libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                    std::ptr::null(),
                ))?;
                for (host, inside) in &self.devices {
                    // A missing device is not fatal.
                    libc::mount(
                        host.as_ptr(),
                        inside.as_ptr(),
                        std::ptr::null(),
                        libc::MS_BIND,
                        std::ptr::null(),
                    );
                }
                check(libc::chroot(root.as_ptr()))?;
            }
            check(libc::chdir(self.workdir.as_ptr()))?;
        }
        Ok(())
    }
}

fn exit_code(status: ExitStatus) -> i32 {
    status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1)
}

/// Forwards a container's output stream line by line (a CR before the LF is cut too); `done`
/// hears when the stream has ended (end of file, or `EIO` from a terminal whose last user
/// closed it), so the exit can be reported after the last line.
fn pump_output<R: Read + Send + 'static>(
    r: R,
    container: ContainerId,
    stream: Stream,
    tx: Sender<RuntimeEvent>,
    done: Sender<()>,
) {
    thread::spawn(move || {
        let _done = DropSignal(done);
        let mut reader = BufReader::new(r);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if line.last() == Some(&b'\n') {
                        line.pop();
                        if line.last() == Some(&b'\r') {
                            line.pop();
                        }
                    }
                    let ev = RuntimeEvent::Output {
                        container,
                        stream,
                        line: line.clone(),
                    };
                    if tx.send(ev).is_err() {
                        break;
                    }
                }
            }
        }
    });
}

/// Sends `()` when dropped: tells the waiter that an output pump has finished, whichever way.
struct DropSignal(Sender<()>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

/// How long the exit report waits for the container's output streams to end after the process
/// itself has exited. The streams end at once unless a process the container left behind still
/// holds them open; the exit is not held back for those.
const OUTPUT_DRAIN: Duration = Duration::from_millis(500);

/// Waits for a child with a timeout, killing it when the time is up.
fn wait_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Joins the pod's network namespace on this thread.
fn join_net(holder: libc::pid_t) -> std::io::Result<()> {
    let f = File::open(format!("/proc/{holder}/ns/net"))?;
    // Safe because `f` is an open namespace file; setns changes only this thread.
    if unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

fn connect(host: &str, port: u16, timeout: Duration) -> std::io::Result<TcpStream> {
    let addr = (host, port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other("no address"))?;
    let s = TcpStream::connect_timeout(&addr, timeout)?;
    s.set_read_timeout(Some(timeout))?;
    s.set_write_timeout(Some(timeout))?;
    Ok(s)
}

/// How an `httpGet` handler is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HttpScheme {
    /// Plain HTTP.
    Http,
    /// Over TLS, the certificate not verified (as the kubelet); a server answering in plain
    /// HTTP is no answer.
    Https,
    /// Over TLS, and again over plain HTTP (without the `Authorization` header) when the server
    /// answered the handshake in plain HTTP.
    HttpsOrHttp,
}

impl HttpScheme {
    /// Scheme `HTTPS` falls back to HTTP for hooks, never for probes (the kubelet's rule).
    const fn of(tls: bool, rule: HttpRule) -> Self {
        match (tls, rule) {
            (false, _) => Self::Http,
            (true, HttpRule::Probe) => Self::Https,
            (true, HttpRule::Hook) => Self::HttpsOrHttp,
        }
    }
}

/// What an `httpGet` got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HttpAnswer {
    /// An answer with this status code, over the scheme asked for.
    Status(u16),
    /// An HTTPS request met a plain HTTP server and was made again over HTTP: its status.
    StatusOverHttp(u16),
}

/// `GET path` to `host:port` as `scheme` says, all within `timeout`.
fn http_get(
    scheme: HttpScheme,
    host: &str,
    port: u16,
    path: &str,
    headers: &[(String, String)],
    timeout: Duration,
) -> std::io::Result<HttpAnswer> {
    use vmm_ref_proto::tls;
    let deadline = Instant::now() + timeout;
    let s = connect(host, port, timeout)?;
    if scheme == HttpScheme::Http {
        return get_status(s, host, port, path, headers).map(HttpAnswer::Status);
    }
    let conn = tls::insecure_client(host).map_err(std::io::Error::other)?;
    let mut stream = tls::rustls::StreamOwned::new(conn, tls::FirstBytes::new(s));
    match get_status(&mut stream, host, port, path, headers) {
        Ok(code) => Ok(HttpAnswer::Status(code)),
        Err(_) if scheme == HttpScheme::HttpsOrHttp && stream.sock.answered_plain_http() => {
            let left = deadline.saturating_duration_since(Instant::now());
            let s = connect(host, port, left.max(Duration::from_millis(1)))?;
            let headers = tls::fallback_headers(headers);
            get_status(s, host, port, path, &headers).map(HttpAnswer::StatusOverHttp)
        }
        Err(e) => Err(e),
    }
}

fn get_status<S: Read + Write>(
    mut s: S,
    host: &str,
    port: u16,
    path: &str,
    headers: &[(String, String)],
) -> std::io::Result<u16> {
    let mut req = format!("GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\nUser-Agent: vmm-ref\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line)?;
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other("not an HTTP answer"))
}

impl Runtime for ProcessRuntime {
    fn create(&mut self, plan: &PodPlan) -> Result<(), Error> {
        let _ = std::fs::remove_dir_all(&self.run_dir);
        std::fs::create_dir_all(&self.run_dir)
            .map_err(io_err(format!("create {}", self.run_dir.display())))?;
        self.layers.clear();
        for c in &plan.containers {
            if let Some(src) = &c.rootfs {
                let dir = self.container_root(c.id);
                let root = dir.join("rootfs");
                let layers = Layers {
                    lower: src.clone(),
                    upper: dir.join("upper"),
                    work: dir.join("work"),
                };
                for d in [&root, &layers.upper, &layers.work] {
                    std::fs::create_dir_all(d)
                        .map_err(io_err(format!("create {}", d.display())))?;
                }
                let overlay =
                    src.is_dir() && layers.options().is_some_and(|o| overlay_mounts(&o, &root));
                if overlay {
                    mount_points(src, &layers.upper)?;
                    self.layers.insert(c.id, layers);
                } else {
                    crate::image::copy_tree(src, &root)
                        .map_err(|e| Error::Sandbox(e.to_string()))?;
                    mount_points(&root, &root)?;
                }
            }
        }
        let holder = spawn_sandbox(&plan.hostname)?;
        self.sandbox = Some(Sandbox { holder });
        self.spawner = Some(spawner_thread(holder)?);
        self.plan = Some(plan.clone());
        Ok(())
    }

    fn start(&mut self, container: ContainerId) -> Result<(), Error> {
        let plan = self
            .plan
            .as_ref()
            .and_then(|p| p.container(container))
            .cloned()
            .ok_or(Error::UnknownContainer(container))?;
        let rootfs = plan
            .rootfs
            .as_ref()
            .map(|_| self.container_root(container).join("rootfs"));
        let enter = Enter::new(
            rootfs.as_deref(),
            plan.working_dir.as_deref(),
            self.layers.get(&container),
        )?;
        let tx = self.tx.clone();
        let spawned = self.on_spawner(move || spawn_container(&plan, enter))?;
        match spawned {
            Ok((mut child, terminal)) => {
                let pid = i32::try_from(child.id()).unwrap_or(-1);
                let exited = Arc::new(Mutex::new(false));
                let _ = tx.send(RuntimeEvent::Started { container });
                let (done_tx, done_rx) = mpsc::channel();
                let mut pumps = 0;
                if let Some(master) = terminal {
                    pump_output(
                        master,
                        container,
                        Stream::Stdout,
                        tx.clone(),
                        done_tx.clone(),
                    );
                    pumps += 1;
                }
                if let Some(out) = child.stdout.take() {
                    pump_output(out, container, Stream::Stdout, tx.clone(), done_tx.clone());
                    pumps += 1;
                }
                if let Some(err) = child.stderr.take() {
                    pump_output(err, container, Stream::Stderr, tx.clone(), done_tx);
                    pumps += 1;
                }
                let flag = Arc::clone(&exited);
                self.waiters.push(thread::spawn(move || {
                    let code = child.wait().map_or(1, exit_code);
                    // Report the exit after the container's last line of output.
                    let deadline = Instant::now() + OUTPUT_DRAIN;
                    for _ in 0..pumps {
                        let left = deadline.saturating_duration_since(Instant::now());
                        if done_rx.recv_timeout(left).is_err() {
                            break;
                        }
                    }
                    if let Ok(mut e) = flag.lock() {
                        *e = true;
                    }
                    let _ = tx.send(RuntimeEvent::Exited { container, code });
                }));
                self.procs.insert(container, Proc { pid, exited });
            }
            Err(e) => {
                // The command could not be executed: report it as the exit a shell would give.
                let code = if e.kind() == std::io::ErrorKind::NotFound {
                    127
                } else {
                    126
                };
                let name = self
                    .plan
                    .as_ref()
                    .and_then(|p| p.container(container))
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                let _ = self.tx.send(RuntimeEvent::Output {
                    container,
                    stream: Stream::Stderr,
                    line: format!("vmm-ref: cannot run container {name}: {e}").into_bytes(),
                });
                let _ = self.tx.send(RuntimeEvent::Started { container });
                let _ = self.tx.send(RuntimeEvent::Exited { container, code });
            }
        }
        Ok(())
    }

    fn kill(&mut self, container: ContainerId, signal: i32) -> Result<(), Error> {
        if let Some(p) = self.procs.get(&container) {
            let done = p.exited.lock().map_or(true, |e| *e);
            if !done && p.pid > 0 {
                // Safe because the pid is our child that has not been reaped (checked above).
                unsafe { libc::kill(p.pid, signal) };
            }
        }
        Ok(())
    }

    fn exec(
        &mut self,
        container: ContainerId,
        tag: ExecTag,
        handler: Handler,
        timeout: Duration,
    ) -> Result<(), Error> {
        let tx = self.tx.clone();
        let holder = self.holder()?;
        let done = move |result| {
            let _ = tx.send(RuntimeEvent::ExecDone {
                container,
                tag,
                result,
            });
        };
        match handler {
            Handler::Nothing => done(ExecResult::Succeeded),
            Handler::Sleep(d) => {
                thread::spawn(move || {
                    thread::sleep(d.min(timeout));
                    done(if d > timeout {
                        ExecResult::TimedOut
                    } else {
                        ExecResult::Succeeded
                    });
                });
            }
            Handler::HttpGet {
                tls,
                host,
                port,
                path,
                headers,
                rule,
            } => {
                let scheme = HttpScheme::of(tls, rule);
                let warn = self.tx.clone();
                thread::spawn(move || {
                    let r = join_net(holder)
                        .and_then(|()| http_get(scheme, &host, port, &path, &headers, timeout));
                    if let Ok(HttpAnswer::StatusOverHttp(code)) = r {
                        let warning = vmm_ref_proto::tls::fallback_warning(&host, port, code);
                        let _ = warn.send(RuntimeEvent::Output {
                            container,
                            stream: Stream::Stderr,
                            line: format!("vmm-ref: warning: {warning}").into_bytes(),
                        });
                    }
                    done(match r {
                        Ok(HttpAnswer::Status(code) | HttpAnswer::StatusOverHttp(code))
                            if rule.is_success(code) =>
                        {
                            ExecResult::Succeeded
                        }
                        Ok(_) => ExecResult::Failed,
                        Err(e)
                            if e.kind() == std::io::ErrorKind::TimedOut
                                || e.kind() == std::io::ErrorKind::WouldBlock =>
                        {
                            ExecResult::TimedOut
                        }
                        Err(_) => ExecResult::Failed,
                    });
                });
            }
            Handler::TcpConnect { host, port } => {
                thread::spawn(move || {
                    let r = join_net(holder).and_then(|()| connect(&host, port, timeout));
                    done(if r.is_ok() {
                        ExecResult::Succeeded
                    } else {
                        ExecResult::Failed
                    });
                });
            }
            Handler::Exec { argv, env } => {
                let Some(p) = self.procs.get(&container) else {
                    done(ExecResult::Error);
                    return Ok(());
                };
                let base_env = self
                    .plan
                    .as_ref()
                    .and_then(|pl| pl.container(container))
                    .map(|c| c.env.clone())
                    .unwrap_or_default();
                let pid = p.pid;
                let files = File::open(format!("/proc/{pid}/ns/mnt"))
                    .and_then(|m| File::open(format!("/proc/{pid}/root")).map(|r| (m, r)));
                let Ok((mnt, root)) = files else {
                    done(ExecResult::Error);
                    return Ok(());
                };
                let spawned = self.on_spawner(move || {
                    if argv.is_empty() {
                        return Err(std::io::Error::other("empty command"));
                    }
                    let mut cmd = Command::new(&argv[0]);
                    cmd.args(&argv[1..])
                        .env_clear()
                        .envs(base_env.iter().map(|(k, v)| (k, v)))
                        .envs(env.iter().map(|(k, v)| (k, v)))
                        .stdin(Stdio::null())
                        .stdout(Stdio::null())
                        .stderr(Stdio::null());
                    let (mfd, rfd) = (mnt.as_raw_fd(), root.as_raw_fd());
                    // Safe because the closure makes only async-signal-safe system calls on
                    // descriptors that stay open until `spawn` returns.
                    unsafe {
                        cmd.pre_exec(move || {
                            let check = |r: libc::c_int| {
                                if r == 0 {
                                    Ok(())
                                } else {
                                    Err(std::io::Error::last_os_error())
                                }
                            };
                            check(libc::setns(mfd, libc::CLONE_NEWNS))?;
                            check(libc::fchdir(rfd))?;
                            check(libc::chroot(c".".as_ptr()))?;
                            check(libc::chdir(c"/".as_ptr()))?;
                            Ok(())
                        });
                    }
                    let child = cmd.spawn();
                    drop((mnt, root));
                    child
                })?;
                thread::spawn(move || match spawned {
                    Err(_) => done(ExecResult::Failed),
                    Ok(mut child) => done(match wait_timeout(&mut child, timeout) {
                        None => ExecResult::TimedOut,
                        Some(s) if s.success() => ExecResult::Succeeded,
                        Some(_) => ExecResult::Failed,
                    }),
                });
            }
        }
        Ok(())
    }

    fn wait(&mut self, timeout: Duration) -> Result<Option<RuntimeEvent>, Error> {
        match self.rx.recv_timeout(timeout) {
            Ok(ev) => Ok(Some(ev)),
            Err(RecvTimeoutError::Timeout) => {
                if self.sandbox.is_some() && !self.sandbox_alive() {
                    return Err(Error::SandboxLost("the pod's init process exited".into()));
                }
                Ok(None)
            }
            Err(RecvTimeoutError::Disconnected) => Ok(None),
        }
    }

    fn destroy(&mut self) -> Result<(), Error> {
        if let Some(s) = self.sandbox.take() {
            // Safe because `holder` is our child; killing it kills the pod's init
            // (PR_SET_PDEATHSIG) and with it every process of the pod's PID namespace.
            unsafe {
                libc::kill(s.holder, libc::SIGKILL);
                let mut status = 0;
                libc::waitpid(s.holder, &raw mut status, 0);
            }
        }
        if let Some((jobs, handle)) = self.spawner.take() {
            drop(jobs);
            let _ = handle.join();
        }
        for w in self.waiters.drain(..) {
            let _ = w.join();
        }
        self.procs.clear();
        // Late events of this sandbox are dropped.
        while self.rx.try_recv().is_ok() {}
        std::fs::remove_dir_all(&self.run_dir)
            .or_else(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(e)
                }
            })
            .map_err(io_err(format!("remove {}", self.run_dir.display())))?;
        Ok(())
    }
}

impl Drop for ProcessRuntime {
    fn drop(&mut self) {
        let _ = self.destroy();
    }
}

/// A new pseudo-terminal: its master side and its slave side, both close-on-exec (so that no
/// other child holds the slave and its end of output is seen).
fn open_terminal() -> std::io::Result<(File, File)> {
    use std::os::fd::FromRawFd;
    let check = |r: libc::c_int| {
        if r < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(r)
        }
    };
    // Safe because posix_openpt takes no pointers and returns a new descriptor or -1.
    let fd = check(unsafe { libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC) })?;
    // Safe because `fd` is a fresh descriptor that nothing else owns.
    let master = unsafe { File::from_raw_fd(fd) };
    let mut name = [0 as libc::c_char; 64];
    // Safe because `master` is an open pty master and `name` is a writable buffer of the
    // length given.
    unsafe {
        check(libc::grantpt(master.as_raw_fd()))?;
        check(libc::unlockpt(master.as_raw_fd()))?;
        let r = libc::ptsname_r(master.as_raw_fd(), name.as_mut_ptr(), name.len());
        if r != 0 {
            return Err(std::io::Error::from_raw_os_error(r));
        }
    }
    // Safe because ptsname_r wrote a NUL-terminated path into `name`.
    let path = unsafe { std::ffi::CStr::from_ptr(name.as_ptr()) };
    // Safe because `path` is a valid C string; open returns a new descriptor or -1.
    let fd = check(unsafe {
        libc::open(
            path.as_ptr(),
            libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC,
        )
    })?;
    // Safe because `fd` is a fresh descriptor that nothing else owns.
    let slave = unsafe { File::from_raw_fd(fd) };
    Ok((master, slave))
}

/// Spawns a container's process (on the spawner thread); with `tty`, the master side of its
/// terminal too.
fn spawn_container(plan: &ContainerPlan, enter: Enter) -> std::io::Result<(Child, Option<File>)> {
    let Some((prog, args)) = plan.argv.split_first() else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the container has no command (neither the pod file nor the image gives one)",
        ));
    };
    let mut cmd = Command::new(prog);
    cmd.args(args)
        .env_clear()
        .envs(plan.env.iter().map(|(k, v)| (k, v)));
    let master = if plan.tty {
        let (master, slave) = open_terminal()?;
        cmd.stdin(slave.try_clone()?)
            .stdout(slave.try_clone()?)
            .stderr(slave);
        if !plan.env.iter().any(|(k, _)| k == "TERM") {
            cmd.env("TERM", "xterm");
        }
        Some(master)
    } else {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        None
    };
    let make_ctty = master.is_some();
    if !plan.env.iter().any(|(k, _)| k == "PATH") {
        cmd.env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        );
    }
    // Safe because the closure makes only async-signal-safe system calls (setsid, ioctl, and
    // `Enter::enter`'s) on data prepared before the fork.
    unsafe {
        cmd.pre_exec(move || {
            // The terminal (already stdin) becomes the controlling terminal of a new session.
            if make_ctty && (libc::setsid() == -1 || libc::ioctl(0, libc::TIOCSCTTY, 0) == -1) {
                return Err(std::io::Error::last_os_error());
            }
            enter.enter()
        });
    }
    // The slave's copies in `cmd` are closed when it is dropped, after the spawn.
    let child = cmd.spawn()?;
    Ok((child, master))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layers(lower: &str) -> Layers {
        Layers {
            lower: PathBuf::from(lower),
            upper: PathBuf::from("/run/c/upper"),
            work: PathBuf::from("/run/c/work"),
        }
    }

    use vmm_ref_proto::tls::TestServer;

    const T: Duration = Duration::from_secs(5);

    #[test]
    fn https_gets_are_made_over_tls_without_verifying_the_certificate() {
        for scheme in [HttpScheme::Https, HttpScheme::HttpsOrHttp] {
            let server = TestServer::start(true, b"HTTP/1.1 302 Found\r\n\r\n");
            assert_eq!(
                http_get(scheme, "127.0.0.1", server.port(), "/ready", &[], T).unwrap(),
                HttpAnswer::Status(302)
            );
            let requests = server.finish();
            assert_eq!(requests.len(), 1, "{scheme:?}");
            assert!(requests[0].starts_with(b"GET /ready HTTP/1.0\r\n"));
        }
        // Plain HTTP to a TLS server gets no HTTP answer.
        let server = TestServer::start(true, b"HTTP/1.1 200 OK\r\n\r\n");
        let short = Duration::from_secs(1);
        assert!(
            http_get(
                HttpScheme::Http,
                "127.0.0.1",
                server.port(),
                "/",
                &[],
                short
            )
            .is_err()
        );
    }

    #[test]
    fn scheme_https_falls_back_to_http_for_hooks_only() {
        assert_eq!(
            HttpScheme::of(true, HttpRule::Hook),
            HttpScheme::HttpsOrHttp
        );
        assert_eq!(HttpScheme::of(true, HttpRule::Probe), HttpScheme::Https);
        assert_eq!(HttpScheme::of(false, HttpRule::Hook), HttpScheme::Http);
    }

    #[test]
    fn an_https_hook_to_a_plain_http_server_is_made_again_over_http_without_authorization() {
        let server = TestServer::start(false, b"HTTP/1.1 200 OK\r\n\r\n");
        let headers = [
            ("Authorization".to_owned(), "Bearer secret".to_owned()),
            ("X-Hook".to_owned(), "yes".to_owned()),
        ];
        let scheme = HttpScheme::of(true, HttpRule::Hook);
        let got = http_get(scheme, "127.0.0.1", server.port(), "/hook", &headers, T);
        assert_eq!(got.unwrap(), HttpAnswer::StatusOverHttp(200));
        let retry = server.finish_fallback();
        assert!(retry.starts_with("GET /hook HTTP/1.0\r\n"), "{retry}");
        assert!(retry.contains("X-Hook: yes\r\n"), "{retry}");
    }

    /// Runs `handler` in a fresh sandbox against a plain HTTP server inside the pod's network
    /// namespace: the events until its `ExecDone`. None when this host cannot make the
    /// sandbox (namespaces need root).
    fn exec_against_plain_http(tls: bool, rule: HttpRule) -> Option<Vec<RuntimeEvent>> {
        let dir =
            std::env::temp_dir().join(format!("vmm-ref-fallback-{}-{rule:?}", std::process::id()));
        let mut rt = ProcessRuntime::new(&dir);
        let plan = PodPlan {
            name: "fallback".into(),
            hostname: "fallback".into(),
            containers: vec![],
        };
        if let Err(e) = rt.create(&plan) {
            eprintln!("skipped: no sandbox here: {e}");
            return None;
        }
        let holder = rt.holder().unwrap();
        let server = thread::spawn(move || {
            join_net(holder).unwrap();
            TestServer::start(false, b"HTTP/1.1 200 OK\r\n\r\n")
        })
        .join()
        .unwrap();
        let handler = Handler::HttpGet {
            tls,
            host: "127.0.0.1".into(),
            port: server.port(),
            path: "/".into(),
            headers: vec![],
            rule,
        };
        let c = ContainerId::regular(0);
        let tag = match rule {
            HttpRule::Hook => ExecTag::Hook(crate::supervisor::Hook::PostStart),
            HttpRule::Probe => ExecTag::Probe(phase::ProbeId(1)),
        };
        rt.exec(c, tag, handler, T).unwrap();
        let mut events = Vec::new();
        while let Some(ev) = rt.wait(T).unwrap() {
            let done = matches!(ev, RuntimeEvent::ExecDone { .. });
            events.push(ev);
            if done {
                break;
            }
        }
        rt.destroy().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        Some(events)
    }

    #[test]
    fn an_https_hook_answered_in_plain_http_succeeds_with_a_warning_line() {
        let Some(events) = exec_against_plain_http(true, HttpRule::Hook) else {
            return;
        };
        let c = ContainerId::regular(0);
        let [
            RuntimeEvent::Output { stream, line, .. },
            RuntimeEvent::ExecDone { result, .. },
        ] = &events[..]
        else {
            panic!("expected a warning, then the result: {events:?}");
        };
        assert_eq!(*stream, Stream::Stderr);
        let line = String::from_utf8_lossy(line);
        assert!(
            line.starts_with("vmm-ref: warning: LifecycleHTTPFallback: ")
                && line.contains("status 200"),
            "{line}"
        );
        assert_eq!(*result, ExecResult::Succeeded);
        assert!(matches!(events[1], RuntimeEvent::ExecDone { container, .. } if container == c));
    }

    #[test]
    fn an_https_probe_answered_in_plain_http_fails_without_a_warning() {
        let Some(events) = exec_against_plain_http(true, HttpRule::Probe) else {
            return;
        };
        assert!(
            matches!(
                &events[..],
                [RuntimeEvent::ExecDone {
                    result: ExecResult::Failed,
                    ..
                }]
            ),
            "{events:?}"
        );
    }

    #[test]
    fn an_https_probe_to_a_plain_http_server_fails_without_a_retry() {
        let server = TestServer::start(false, b"HTTP/1.1 200 OK\r\n\r\n");
        let scheme = HttpScheme::of(true, HttpRule::Probe);
        assert!(http_get(scheme, "127.0.0.1", server.port(), "/", &[], T).is_err());
        assert_eq!(server.finish().len(), 1, "no retry over HTTP");
    }

    #[test]
    fn overlay_options_name_the_three_directories() {
        let o = layers("/store/busybox/rootfs").options().unwrap();
        assert_eq!(
            o.to_str().unwrap(),
            "lowerdir=/store/busybox/rootfs,upperdir=/run/c/upper,workdir=/run/c/work"
        );
    }

    #[test]
    fn a_path_overlayfs_options_cannot_carry_means_no_overlay_and_so_a_copy() {
        for bad in ["/store/a,b", "/store/a:b", "/store/a\\b"] {
            assert!(layers(bad).options().is_none(), "{bad}");
        }
    }

    #[test]
    fn an_overlay_that_cannot_mount_is_refused_by_the_trial() {
        let o = layers("/nonexistent/lower").options().unwrap();
        assert!(!overlay_mounts(&o, Path::new("/nonexistent/target")));
    }

    #[test]
    fn mount_points_are_made_only_where_the_image_lacks_them() {
        let base = std::env::temp_dir().join(format!("vmm-ref-mp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let (image, upper) = (base.join("image"), base.join("upper"));
        std::fs::create_dir_all(image.join("dev")).unwrap();
        std::fs::create_dir_all(image.join("tmp")).unwrap();
        File::create(image.join("dev/null")).unwrap();
        std::fs::create_dir_all(&upper).unwrap();
        mount_points(&image, &upper).unwrap();
        assert!(upper.join("proc").is_dir());
        assert!(!upper.join("tmp").exists(), "the image has /tmp");
        assert!(!upper.join("dev/null").exists(), "the image has /dev/null");
        assert!(upper.join("dev/zero").is_file());
        let _ = std::fs::remove_dir_all(&base);
    }
}
