//! The real process layer: fork and exec with `std::process::Command`, never waited on by std
//! (the event loop reaps every child itself with `waitpid(-1)`, as PID 1 must).

use std::ffi::CString;
use std::fs::File;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio as StdStdio};

use vmm_ref_proto::{ErrorKind, ErrorReply, Mounts, ProcessSpec, Stdio};

use crate::container::{Join, Setup};
use crate::handler::Spawner;
use crate::sys;

/// The environment a process gets when its spec gives none.
const DEFAULT_ENV: [(&str, &str); 3] = [
    (
        "PATH",
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ),
    ("HOME", "/"),
    ("TERM", "linux"),
];

/// A started process's output: stdout (or the terminal) and stderr (pipes only).
#[derive(Debug)]
pub(crate) struct Io {
    pub(crate) stdout: File,
    pub(crate) stderr: Option<File>,
}

/// Spawns real processes.
#[derive(Debug, Default)]
pub(crate) struct RealSpawner;

fn spawn_error(spec: &ProcessSpec, what: &str, e: &std::io::Error) -> ErrorReply {
    let reply = ErrorReply::new(
        ErrorKind::Spawn,
        format!(
            "{}: {what}: {e}",
            spec.argv.first().map_or("", String::as_str)
        ),
    );
    match e.raw_os_error() {
        Some(errno) => reply.with_errno(errno),
        None => reply,
    }
}

/// Where the child goes before `exec` (prepared in the parent).
enum Enter {
    /// The guest's mounts, with an optional plain `chroot`.
    Guest(Option<CString>),
    /// A container of its own.
    Container(Box<Setup>),
    /// A running process's mounts and root.
    Join(Join),
}

impl Enter {
    fn prepare(spec: &ProcessSpec, join: Option<i32>) -> Result<Self, ErrorReply> {
        let bad = |what: &str, e: &std::io::Error| spawn_error(spec, what, e);
        match (spec.mounts, join) {
            (Mounts::Container, _) => {
                let root = spec.root.as_deref().unwrap_or("/");
                Setup::new(root, spec.lower.as_deref())
                    .map(|s| Self::Container(Box::new(s)))
                    .map_err(|e| bad("container root", &e))
            }
            (Mounts::Join { .. }, Some(pid)) => Join::open(pid)
                .map(Self::Join)
                .map_err(|e| bad("open the container's mount namespace", &e)),
            _ => spec
                .root
                .as_deref()
                .map(CString::new)
                .transpose()
                .map(Self::Guest)
                .map_err(|_| ErrorReply::new(ErrorKind::BadRequest, "root has a NUL byte")),
        }
    }

    /// In the child (async-signal-safe calls only).
    fn enter(&self) -> std::io::Result<()> {
        match self {
            Self::Guest(None) => Ok(()),
            Self::Guest(Some(root)) => {
                // Safe because `root` is a valid C string.
                if unsafe { libc::chroot(root.as_ptr()) } == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            }
            Self::Container(setup) => setup.enter(),
            Self::Join(join) => join.enter(),
        }
    }
}

impl Spawner for RealSpawner {
    type Io = Io;

    fn spawn(&mut self, spec: &ProcessSpec, join: Option<i32>) -> Result<(i32, Io), ErrorReply> {
        let bad =
            |what: &str| ErrorReply::new(ErrorKind::BadRequest, format!("{what} has a NUL byte"));
        let enter = Enter::prepare(spec, join)?;
        let cwd = CString::new(spec.cwd.as_deref().unwrap_or("/")).map_err(|_| bad("cwd"))?;
        let mut cmd = Command::new(&spec.argv[0]);
        cmd.args(&spec.argv[1..]).env_clear();
        if spec.env.is_empty() {
            cmd.envs(DEFAULT_ENV);
        } else {
            for kv in &spec.env {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                cmd.env(k, v);
            }
        }
        let tty = match spec.stdio {
            Stdio::Pipes => {
                cmd.stdin(StdStdio::null())
                    .stdout(StdStdio::piped())
                    .stderr(StdStdio::piped());
                None
            }
            Stdio::Tty => {
                let (master, slave) =
                    sys::openpty().map_err(|e| spawn_error(spec, "openpty", &e))?;
                let dup = |fd: &OwnedFd| fd.try_clone().map_err(|e| spawn_error(spec, "dup", &e));
                cmd.stdin(dup(&slave)?).stdout(dup(&slave)?).stderr(slave);
                Some(master)
            }
        };
        let make_ctty = tty.is_some();
        // Safe because the closure only makes async-signal-safe system calls (setsid, ioctl,
        // unshare, mount, mknod, setns, chroot, chdir) on data prepared before the fork.
        unsafe {
            cmd.pre_exec(move || {
                if make_ctty && (libc::setsid() == -1 || libc::ioctl(0, libc::TIOCSCTTY, 0) == -1) {
                    return Err(std::io::Error::last_os_error());
                }
                enter.enter()?;
                if libc::chdir(cwd.as_ptr()) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| spawn_error(spec, "cannot start", &e))?;
        // The PID fits: Linux PIDs are at most 2^22.
        let pid = child.id() as i32;
        let io = match tty {
            Some(master) => Io {
                stdout: File::from(master),
                stderr: None,
            },
            None => {
                let out = child.stdout.take().map(OwnedFd::from);
                let err = child.stderr.take().map(OwnedFd::from);
                match (out, err) {
                    (Some(o), Some(e)) => Io {
                        stdout: File::from(o),
                        stderr: Some(File::from(e)),
                    },
                    _ => {
                        return Err(ErrorReply::new(
                            ErrorKind::Internal,
                            "pipes missing after spawn",
                        ));
                    }
                }
            }
        };
        for f in std::iter::once(&io.stdout).chain(io.stderr.as_ref()) {
            sys::set_nonblocking(f.as_raw_fd()).map_err(|e| spawn_error(spec, "fcntl", &e))?;
        }
        // Dropping `child` neither waits for nor kills the process.
        drop(child);
        Ok((pid, io))
    }

    fn signal(&mut self, pid: i32, signal: i32) -> Result<(), ErrorReply> {
        sys::kill(pid, signal).map_err(|e| {
            ErrorReply::new(ErrorKind::Internal, format!("kill({pid}, {signal}): {e}"))
        })
    }
}
