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
