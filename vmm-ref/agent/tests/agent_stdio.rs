//! The real agent binary, driven over `--stdio` with the host-side protocol client: commands,
//! exit codes, signals, streaming, errors and shutdown, exactly as a VMM would drive it.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use vmm_ref_proto::{
    Client, ClientEvent, ErrorKind, ExitStatus, ProcessId, ProcessSpec, Request, RequestId,
    Response, Stream,
};

struct Agent {
    child: Child,
    stdin: ChildStdin,
    bytes: Receiver<Vec<u8>>,
    client: Client,
    events: Vec<ClientEvent>,
}

impl Agent {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vmm-ref-agent"))
            .args(["--stdio", "--no-init"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout: ChildStdout = child.stdout.take().unwrap();
        let (tx, bytes) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let mut a = Self {
            child,
            stdin,
            bytes,
            client: Client::new(),
            events: Vec::new(),
        };
        match a.next_event() {
            ClientEvent::Ready { version, agent } => {
                assert_eq!(version, vmm_ref_proto::PROTOCOL_VERSION);
                assert!(agent.starts_with("vmm-ref-agent"));
            }
            other => panic!("expected hello, got {other:?}"),
        }
        a
    }

    fn next_event(&mut self) -> ClientEvent {
        loop {
            if !self.events.is_empty() {
                return self.events.remove(0);
            }
            if let Some(e) = self.client.poll_event() {
                return e;
            }
            let chunk = self
                .bytes
                .recv_timeout(Duration::from_secs(20))
                .expect("agent went silent");
            self.client.handle_bytes(&chunk);
        }
    }

    fn send(&mut self, request: Request) -> RequestId {
        let (id, bytes) = self.client.send(request).unwrap();
        self.stdin.write_all(&bytes).unwrap();
        self.stdin.flush().unwrap();
        id
    }

    /// Waits for the reply to `id`, keeping other events for later.
    fn reply(&mut self, id: RequestId) -> Result<Response, vmm_ref_proto::ErrorReply> {
        let mut kept = Vec::new();
        loop {
            match self.next_event() {
                ClientEvent::Reply { id: got, result } if got == id => {
                    kept.append(&mut self.events);
                    self.events = kept;
                    return result;
                }
                ClientEvent::ProtocolError(e) => panic!("protocol error: {e}"),
                other => kept.push(other),
            }
        }
    }

    fn run(&mut self, spec: ProcessSpec) -> (ExitStatus, String, String) {
        let id = self.send(Request::Run { spec });
        match self.reply(id).unwrap() {
            Response::Output {
                status,
                stdout,
                stderr,
            } => (status, stdout.to_string_lossy(), stderr.to_string_lossy()),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn start_process(&mut self, spec: ProcessSpec) -> ProcessId {
        let id = self.send(Request::Start { spec });
        match self.reply(id).unwrap() {
            Response::Started { process, pid } => {
                assert!(pid > 0);
                process
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    fn shutdown(mut self) {
        let id = self.send(Request::Shutdown);
        assert!(matches!(self.reply(id), Ok(Response::Done)));
        let status = self.child.wait().unwrap();
        assert!(status.success(), "agent exited with {status}");
    }
}

#[test]
fn run_returns_output_and_exit_code() {
    let mut a = Agent::start();
    let (status, out, err) = a.run(ProcessSpec::new([
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    ]));
    assert_eq!(status, ExitStatus::Exited { code: 3 });
    assert_eq!(out, "out\n");
    assert_eq!(err, "err\n");
    a.shutdown();
}

#[test]
fn run_reports_death_by_signal_as_128_plus_signal() {
    let mut a = Agent::start();
    let (status, _, _) = a.run(ProcessSpec::new(["sh", "-c", "kill -9 $$"]));
    assert_eq!(status, ExitStatus::Signaled { signal: 9 });
    assert_eq!(status.code(), 137);
    a.shutdown();
}

#[test]
fn env_cwd_and_the_default_path_apply() {
    let mut a = Agent::start();
    let (_, out, _) = a.run(
        ProcessSpec::new(["sh", "-c", "echo $X:$(pwd)"])
            .env("X", "1")
            .env("PATH", "/usr/bin:/bin")
            .cwd("/tmp"),
    );
    assert_eq!(out, "1:/tmp\n");
    let (_, out, _) = a.run(ProcessSpec::new(["sh", "-c", "echo $PATH"]));
    assert!(out.contains("/usr/bin"), "{out}");
    a.shutdown();
}

#[test]
fn a_missing_program_is_a_spawn_error() {
    let mut a = Agent::start();
    let id = a.send(Request::Run {
        spec: ProcessSpec::new(["/nonexistent/program"]),
    });
    let e = a.reply(id).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Spawn);
    assert!(e.message.contains("/nonexistent/program"), "{e}");
    a.shutdown();
}

#[test]
fn started_processes_stream_output_then_exit_and_answer_wait() {
    let mut a = Agent::start();
    let p = a.start_process(ProcessSpec::new([
        "sh",
        "-c",
        "echo one; echo two >&2; exit 4",
    ]));
    let wait = a.send(Request::Wait { process: p });
    let mut stdout = String::new();
    let mut stderr = String::new();
    let mut exited = None;
    let mut waited = None;
    while exited.is_none() || waited.is_none() {
        match a.next_event() {
            ClientEvent::Output {
                process,
                stream,
                data,
            } => {
                assert_eq!(process, p);
                assert!(exited.is_none(), "output after the exit event");
                match stream {
                    Stream::Stdout => stdout += &data.to_string_lossy(),
                    Stream::Stderr => stderr += &data.to_string_lossy(),
                }
            }
            ClientEvent::Exited { process, status } => {
                assert_eq!(process, p);
                exited = Some(status);
            }
            ClientEvent::Reply { id, result } => {
                assert_eq!(id, wait);
                waited = Some(result.unwrap());
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(stdout, "one\n");
    assert_eq!(stderr, "two\n");
    assert_eq!(exited, Some(ExitStatus::Exited { code: 4 }));
    assert_eq!(
        waited,
        Some(Response::Exited {
            status: ExitStatus::Exited { code: 4 }
        })
    );
    a.shutdown();
}

#[test]
fn signal_ends_a_started_process() {
    let mut a = Agent::start();
    let p = a.start_process(ProcessSpec::new(["sleep", "100"]));
    let id = a.send(Request::Signal {
        process: p,
        signal: 15,
    });
    assert_eq!(a.reply(id), Ok(Response::Done));
    let id = a.send(Request::Wait { process: p });
    assert_eq!(
        a.reply(id),
        Ok(Response::Exited {
            status: ExitStatus::Signaled { signal: 15 }
        })
    );
    a.shutdown();
}

#[test]
fn a_tty_process_sees_a_terminal() {
    let mut a = Agent::start();
    let (status, out, err) =
        a.run(ProcessSpec::new(["sh", "-c", "test -t 0 && test -t 1 && echo tty"]).tty());
    assert!(status.is_success(), "{status} {out} {err}");
    assert_eq!(out.trim_end(), "tty");
    a.shutdown();
}

#[test]
fn closing_the_channel_ends_the_agent() {
    let a = Agent::start();
    let Agent {
        mut child, stdin, ..
    } = a;
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn root_is_entered_before_cwd_and_a_missing_root_is_a_spawn_error() {
    let mut a = Agent::start();
    let (status, out, _) = a.run(ProcessSpec::new(["pwd"]).root("/").cwd("/tmp"));
    assert!(status.is_success());
    assert_eq!(out, "/tmp\n");
    let id = a.send(Request::Run {
        spec: ProcessSpec::new(["true"]).root("/nonexistent-root-dir"),
    });
    let e = a.reply(id).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Spawn);
    a.shutdown();
}

/// A copy of the busybox root filesystem (`cargo xtask busybox --no-import` builds it), or
/// `None` (printed) when the container tests cannot run here (not root, or no rootfs).
fn container_root(name: &str) -> Option<std::path::PathBuf> {
    // Safe because geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: containers need root (mount namespaces)");
        return None;
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.work/busybox/rootfs");
    if !src.join("bin/busybox").is_file() {
        eprintln!("skipped: no busybox root filesystem at {}", src.display());
        return None;
    }
    let dst = std::env::temp_dir().join(format!("agent-container-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    let ok = Command::new("cp")
        .arg("-a")
        .arg(&src)
        .arg(&dst)
        .status()
        .unwrap()
        .success();
    assert!(ok, "cp -a {}", src.display());
    Some(dst)
}

#[test]
fn a_container_gets_its_own_root_proc_dev_env_and_cwd_and_exec_joins_it() {
    use vmm_ref_proto::Mounts;
    let Some(root) = container_root("own") else {
        return;
    };
    let mut a = Agent::start();
    let spec = ProcessSpec::new([
        "sh",
        "-c",
        "echo $GREETING; pwd; test -f /linuxrc && echo busybox-root; \
         test -c /dev/null && test -c /dev/urandom && test -L /dev/fd && echo devices; \
         test -d /proc/self && echo proc; echo private > /tmp/mine; echo ready; sleep 100",
    ])
    .env("GREETING", "hello")
    .env("PATH", "/bin:/sbin:/usr/bin")
    .cwd("/etc")
    .root(root.to_str().unwrap())
    .mounts(Mounts::Container);
    let app = a.start_process(spec);
    let mut out = String::new();
    while !out.contains("ready\n") {
        match a.next_event() {
            ClientEvent::Output { data, .. } => out += &data.to_string_lossy(),
            other => panic!("unexpected {other:?} after {out:?}"),
        }
    }
    assert_eq!(out, "hello\n/etc\nbusybox-root\ndevices\nproc\nready\n");

    // Exec in the container: its root, its /tmp.
    let (status, seen, err) = a.run(
        ProcessSpec::new(["cat", "/tmp/mine"])
            .env("PATH", "/bin")
            .mounts(Mounts::Join { process: app }),
    );
    assert!(status.is_success(), "{status} {err}");
    assert_eq!(seen, "private\n");

    // The agent's (the host's) mount table did not change.
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(
        !mounts.contains(root.to_str().unwrap()),
        "the container's mounts leaked: {mounts}"
    );

    let id = a.send(Request::Signal {
        process: app,
        signal: 9,
    });
    assert_eq!(a.reply(id), Ok(Response::Done));
    let id = a.send(Request::Wait { process: app });
    assert_eq!(
        a.reply(id),
        Ok(Response::Exited {
            status: ExitStatus::Signaled { signal: 9 }
        })
    );
    // Its mounts went with it: exec into it is refused.
    let id = a.send(Request::Run {
        spec: ProcessSpec::new(["true"]).mounts(Mounts::Join { process: app }),
    });
    assert_eq!(a.reply(id).unwrap_err().kind, ErrorKind::NoSuchProcess);
    a.shutdown();
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_container_command_that_is_not_found_is_a_spawn_error_with_enoent() {
    use vmm_ref_proto::Mounts;
    let Some(root) = container_root("enoent") else {
        return;
    };
    let mut a = Agent::start();
    let id = a.send(Request::Start {
        spec: ProcessSpec::new(["sleep 3"])
            .env("PATH", "/bin")
            .root(root.to_str().unwrap())
            .mounts(Mounts::Container),
    });
    let e = a.reply(id).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Spawn);
    assert_eq!(e.errno, Some(libc::ENOENT), "{e}");
    a.shutdown();
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn probe_mode_connects_and_reports_http_status() {
    use std::net::TcpListener;
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port().to_string();
    let server = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut buf = [0u8; 512];
        let _ = s.read(&mut buf).unwrap();
        s.write_all(b"HTTP/1.0 204 No Content\r\n\r\n").unwrap();
    });
    let out = Command::new(env!("CARGO_BIN_EXE_vmm-ref-agent"))
        .args(["probe", "http", "127.0.0.1", &port, "/healthz", "2000"])
        .output()
        .unwrap();
    server.join().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "status 204\n");
    let refused = Command::new(env!("CARGO_BIN_EXE_vmm-ref-agent"))
        .args(["probe", "tcp", "127.0.0.1", &port, "500"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1), "{refused:?}");
}

#[test]
fn containers_with_overlay_roots_share_the_image_and_keep_their_writes_to_themselves() {
    use vmm_ref_proto::Mounts;
    // Safe because geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: containers need root (mount namespaces)");
        return;
    }
    let image = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.work/busybox/rootfs");
    if !image.join("bin/busybox").is_file() {
        eprintln!("skipped: no busybox root filesystem at {}", image.display());
        return;
    }
    let image = image.canonicalize().unwrap();
    let base = std::env::temp_dir().join(format!("agent-overlay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let root = |c: &str| format!("{}/containers/{c}/rootfs", base.display());
    let spec = |c: &str, script: &str| {
        ProcessSpec::new(["sh", "-c", script])
            .env("PATH", "/bin:/sbin:/usr/bin")
            .root(&root(c))
            .mounts(Mounts::Container)
            .lower(image.to_str().unwrap())
    };
    let mut a = Agent::start();
    let (status, out, err) = a.run(spec(
        "a",
        "echo mine > /etc/by-a; rm /bin/cat; echo root=$(awk '$5 == \"/\" {print $9}' /proc/self/mountinfo | tail -n 1); test -e /bin/cat || echo cat-gone",
    ));
    assert!(status.is_success(), "{status} {out} {err}");
    assert_eq!(out, "root=overlay\ncat-gone\n");
    let (_, out, err) = a.run(spec(
        "b",
        "test -e /etc/by-a && echo sees-a || echo own-etc; test -e /bin/cat && echo has-cat",
    ));
    assert_eq!(out, "own-etc\nhas-cat\n", "{err}");
    // A's layer outlives A's process (a restart finds its writes).
    let (_, out, _) = a.run(spec("a", "cat /etc/by-a"));
    assert_eq!(out, "mine\n");
    a.shutdown();
    assert!(!image.join("etc/by-a").exists(), "the image was written");
    assert!(
        image.join("bin/cat").symlink_metadata().is_ok(),
        "the image lost bin/cat"
    );
    assert!(
        base.join("containers/a/upper/etc/by-a").is_file(),
        "A's write is in A's layer"
    );
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(
        !mounts.contains(base.to_str().unwrap()),
        "an overlay leaked: {mounts}"
    );
    let _ = std::fs::remove_dir_all(&base);
}
