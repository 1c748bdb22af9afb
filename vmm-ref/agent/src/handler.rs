//! The agent's request handling, without I/O: requests and process events in, messages to the
//! host and actions out. The event loop in `event_loop.rs` performs the actions; tests drive
//! this with a fake [`Spawner`].
//!
//! Per process the core keeps:
//! - for [`Request::Run`]: the request id and the output collected so far (each stream cut at
//!   [`RUN_OUTPUT_LIMIT`]); the reply goes out when the process has exited;
//! - for [`Request::Start`]: the requests waiting for it ([`Request::Wait`]); its output goes
//!   out as [`GuestMessage::Output`] chunks and its end as one [`GuestMessage::Exited`], then
//!   every waiter is answered. The exit status stays known, so a later `Wait` is answered at
//!   once.

use std::collections::BTreeMap;

use vmm_ref_proto::{
    ErrorKind, ErrorReply, ExitStatus, GuestMessage, HostMessage, Mounts, PROTOCOL_VERSION,
    ProcessId, ProcessSpec, Request, RequestId, Response, Stream,
};

/// The most output of one stream that a [`Request::Run`] reply carries (64 KiB). Even with
/// every byte escaped as `\u00XX` both streams fit in one frame.
pub(crate) const RUN_OUTPUT_LIMIT: usize = 64 * 1024;

/// Starts and signals processes. The real one forks and execs; tests use a fake.
pub(crate) trait Spawner {
    /// What the event loop needs to watch the process's output (file descriptors).
    type Io;
    /// Starts `spec`; returns its guest PID and its output handles. `join` is the guest PID
    /// whose mount namespace and root to enter, already resolved from
    /// [`Mounts::Join`](vmm_ref_proto::Mounts::Join) (and `None` for the other kinds).
    fn spawn(
        &mut self,
        spec: &ProcessSpec,
        join: Option<i32>,
    ) -> Result<(i32, Self::Io), ErrorReply>;
    /// Sends `signal` to the process `pid`.
    fn signal(&mut self, pid: i32, signal: i32) -> Result<(), ErrorReply>;
}

/// What the event loop must do after a step.
#[derive(Debug)]
pub(crate) enum Action<Io> {
    /// Send this message to the host.
    Send(GuestMessage),
    /// Watch this new process's output.
    Watch {
        /// The process.
        process: ProcessId,
        /// Its output handles.
        io: Io,
    },
    /// Stop everything and power the guest off (after sending what came before).
    PowerOff,
}

#[derive(Debug)]
enum Kind {
    Run {
        request: RequestId,
        stdout: Vec<u8>,
        stderr: Vec<u8>,
    },
    Started {
        waiters: Vec<RequestId>,
    },
}

#[derive(Debug)]
struct Proc {
    pid: i32,
    kind: Kind,
    exited: Option<ExitStatus>,
}

/// The request state machine. See the module documentation.
#[derive(Debug)]
pub(crate) struct Core<S: Spawner> {
    spawner: S,
    next: u64,
    procs: BTreeMap<ProcessId, Proc>,
    by_pid: BTreeMap<i32, ProcessId>,
}

impl<S: Spawner> Core<S> {
    pub(crate) fn new(spawner: S) -> Self {
        Self {
            spawner,
            next: 1,
            procs: BTreeMap::new(),
            by_pid: BTreeMap::new(),
        }
    }

    /// The message the agent sends first.
    pub(crate) fn hello() -> GuestMessage {
        GuestMessage::Hello {
            version: PROTOCOL_VERSION,
            agent: concat!("vmm-ref-agent ", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    /// The process a guest PID belongs to, if it is one of ours and still running.
    pub(crate) fn process_of(&self, pid: i32) -> Option<ProcessId> {
        self.by_pid.get(&pid).copied()
    }

    /// Handles one request from the host.
    pub(crate) fn handle_request(&mut self, message: HostMessage) -> Vec<Action<S::Io>> {
        let HostMessage { id, request } = message;
        let reply = |result| Action::Send(GuestMessage::Reply { id, result });
        match request {
            Request::Hello { version } => {
                if version == PROTOCOL_VERSION {
                    vec![reply(Ok(Response::Hello {
                        version: PROTOCOL_VERSION,
                    }))]
                } else {
                    vec![reply(Err(ErrorReply::new(
                        ErrorKind::UnsupportedVersion,
                        format!("host speaks {version}, agent speaks {PROTOCOL_VERSION}"),
                    )))]
                }
            }
            Request::Run { spec } => self.spawn(
                id,
                &spec,
                Kind::Run {
                    request: id,
                    stdout: Vec::new(),
                    stderr: Vec::new(),
                },
            ),
            Request::Start { spec } => self.spawn(
                id,
                &spec,
                Kind::Started {
                    waiters: Vec::new(),
                },
            ),
            Request::Signal { process, signal } => {
                let result = match self.procs.get(&process) {
                    None => Err(no_such(process)),
                    Some(Proc {
                        exited: Some(_), ..
                    }) => Err(ErrorReply::new(
                        ErrorKind::NoSuchProcess,
                        format!("process {process} has exited"),
                    )),
                    Some(_) if !(1..=64).contains(&signal) => Err(ErrorReply::new(
                        ErrorKind::BadRequest,
                        format!("signal {signal} is not between 1 and 64"),
                    )),
                    Some(p) => self.spawner.signal(p.pid, signal).map(|()| Response::Done),
                };
                vec![reply(result)]
            }
            Request::Wait { process } => match self.procs.get_mut(&process) {
                None => vec![reply(Err(no_such(process)))],
                Some(Proc {
                    exited: Some(status),
                    ..
                }) => vec![reply(Ok(Response::Exited { status: *status }))],
                Some(Proc {
                    kind: Kind::Started { waiters },
                    ..
                }) => {
                    waiters.push(id);
                    Vec::new()
                }
                Some(Proc {
                    kind: Kind::Run { .. },
                    ..
                }) => vec![reply(Err(ErrorReply::new(
                    ErrorKind::BadRequest,
                    format!(
                        "process {process} belongs to a run request; its reply carries the status"
                    ),
                )))],
            },
            Request::Shutdown => vec![reply(Ok(Response::Done)), Action::PowerOff],
            // The request enum may grow; an older agent says so instead of going silent.
            #[allow(unreachable_patterns)]
            _ => vec![reply(Err(ErrorReply::new(
                ErrorKind::BadRequest,
                "request not supported by this agent",
            )))],
        }
    }

    fn spawn(&mut self, id: RequestId, spec: &ProcessSpec, kind: Kind) -> Vec<Action<S::Io>> {
        if spec.argv.is_empty() {
            return vec![Action::Send(GuestMessage::Reply {
                id,
                result: Err(ErrorReply::new(ErrorKind::BadRequest, "argv is empty")),
            })];
        }
        let join = match self.check_mounts(spec) {
            Ok(j) => j,
            Err(e) => return vec![Action::Send(GuestMessage::Reply { id, result: Err(e) })],
        };
        match self.spawner.spawn(spec, join) {
            Err(e) => vec![Action::Send(GuestMessage::Reply { id, result: Err(e) })],
            Ok((pid, io)) => {
                let process = ProcessId(self.next);
                self.next += 1;
                let started = matches!(kind, Kind::Started { .. });
                self.procs.insert(
                    process,
                    Proc {
                        pid,
                        kind,
                        exited: None,
                    },
                );
                self.by_pid.insert(pid, process);
                let mut out = vec![Action::Watch { process, io }];
                if started {
                    out.push(Action::Send(GuestMessage::Reply {
                        id,
                        result: Ok(Response::Started { process, pid }),
                    }));
                }
                out
            }
        }
    }

    /// Checks a spec's [`Mounts`] against its `root`, and resolves a join to the guest PID of
    /// a running process of ours.
    fn check_mounts(&self, spec: &ProcessSpec) -> Result<Option<i32>, ErrorReply> {
        let bad = |m: &str| Err(ErrorReply::new(ErrorKind::BadRequest, m));
        match spec.mounts {
            Mounts::Guest => Ok(None),
            Mounts::Container => match spec.root.as_deref() {
                Some(r) if r.starts_with('/') && r != "/" => Ok(None),
                _ => bad("a container needs an absolute root directory other than /"),
            },
            Mounts::Join { process } => {
                if spec.root.is_some() {
                    return bad(
                        "a process that joins another's mounts takes its root; give no root",
                    );
                }
                match self.procs.get(&process) {
                    Some(Proc {
                        pid, exited: None, ..
                    }) => Ok(Some(*pid)),
                    Some(_) => Err(ErrorReply::new(
                        ErrorKind::NoSuchProcess,
                        format!("process {process} has exited; its mounts are gone"),
                    )),
                    None => Err(no_such(process)),
                }
            }
            // The enum may grow; an older agent refuses what it does not know.
            #[allow(unreachable_patterns)]
            _ => bad("mounts kind not supported by this agent"),
        }
    }

    /// Output read from a process.
    pub(crate) fn on_output(
        &mut self,
        process: ProcessId,
        stream: Stream,
        data: &[u8],
    ) -> Vec<Action<S::Io>> {
        match self.procs.get_mut(&process) {
            Some(Proc {
                kind: Kind::Run { stdout, stderr, .. },
                ..
            }) => {
                let buf = match stream {
                    Stream::Stdout => stdout,
                    Stream::Stderr => stderr,
                };
                let room = RUN_OUTPUT_LIMIT.saturating_sub(buf.len());
                buf.extend_from_slice(&data[..room.min(data.len())]);
                Vec::new()
            }
            Some(Proc {
                kind: Kind::Started { .. },
                ..
            }) if !data.is_empty() => vec![Action::Send(GuestMessage::Output {
                process,
                stream,
                data: data.to_vec().into(),
            })],
            _ => Vec::new(),
        }
    }

    /// A process has exited and its output has been drained.
    pub(crate) fn on_exit(&mut self, process: ProcessId, status: ExitStatus) -> Vec<Action<S::Io>> {
        let Some(p) = self.procs.get_mut(&process) else {
            return Vec::new();
        };
        if p.exited.is_some() {
            return Vec::new();
        }
        p.exited = Some(status);
        self.by_pid.remove(&p.pid);
        match &mut p.kind {
            Kind::Run {
                request,
                stdout,
                stderr,
            } => {
                let id = *request;
                let stdout = std::mem::take(stdout);
                let stderr = std::mem::take(stderr);
                // A run's record is not needed once answered.
                self.procs.remove(&process);
                vec![Action::Send(GuestMessage::Reply {
                    id,
                    result: Ok(Response::Output {
                        status,
                        stdout: stdout.into(),
                        stderr: stderr.into(),
                    }),
                })]
            }
            Kind::Started { waiters } => {
                let mut out = vec![Action::Send(GuestMessage::Exited { process, status })];
                out.extend(waiters.drain(..).map(|id| {
                    Action::Send(GuestMessage::Reply {
                        id,
                        result: Ok(Response::Exited { status }),
                    })
                }));
                out
            }
        }
    }
}

fn no_such(process: ProcessId) -> ErrorReply {
    ErrorReply::new(ErrorKind::NoSuchProcess, format!("no process {process}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records what it was asked; fails to spawn programs named `missing`.
    #[derive(Debug, Default)]
    struct Fake {
        next_pid: i32,
        spawned: Vec<(ProcessSpec, Option<i32>)>,
        signals: Vec<(i32, i32)>,
    }

    impl Spawner for Fake {
        type Io = i32;
        fn spawn(
            &mut self,
            spec: &ProcessSpec,
            join: Option<i32>,
        ) -> Result<(i32, i32), ErrorReply> {
            if spec.argv[0] == "missing" {
                return Err(ErrorReply::new(ErrorKind::Spawn, "missing: not found").with_errno(2));
            }
            self.next_pid += 1;
            self.spawned.push((spec.clone(), join));
            Ok((100 + self.next_pid, self.next_pid))
        }
        fn signal(&mut self, pid: i32, signal: i32) -> Result<(), ErrorReply> {
            self.signals.push((pid, signal));
            Ok(())
        }
    }

    fn core() -> Core<Fake> {
        Core::new(Fake::default())
    }

    fn req(id: u64, request: Request) -> HostMessage {
        HostMessage {
            id: RequestId(id),
            request,
        }
    }

    fn sent(actions: Vec<Action<i32>>) -> Vec<GuestMessage> {
        actions
            .into_iter()
            .filter_map(|a| match a {
                Action::Send(m) => Some(m),
                _ => None,
            })
            .collect()
    }

    fn start(c: &mut Core<Fake>, id: u64, argv: &[&str]) -> ProcessId {
        let out = c.handle_request(req(
            id,
            Request::Start {
                spec: ProcessSpec::new(argv.iter().copied()),
            },
        ));
        match &out[..] {
            [
                Action::Watch { process, .. },
                Action::Send(GuestMessage::Reply {
                    result: Ok(Response::Started { process: p2, .. }),
                    ..
                }),
            ] => {
                assert_eq!(process, p2);
                *process
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn hello_carries_the_protocol_version() {
        assert!(
            matches!(Core::<Fake>::hello(), GuestMessage::Hello { version, .. } if version == PROTOCOL_VERSION)
        );
    }

    #[test]
    fn a_hello_request_with_another_version_is_refused() {
        let out = sent(core().handle_request(req(1, Request::Hello { version: 99 })));
        assert!(
            matches!(&out[..], [GuestMessage::Reply { result: Err(e), .. }] if e.kind == ErrorKind::UnsupportedVersion)
        );
    }

    #[test]
    fn run_replies_only_after_exit_with_the_collected_output() {
        let mut c = core();
        let out = c.handle_request(req(
            7,
            Request::Run {
                spec: ProcessSpec::new(["uname", "-r"]),
            },
        ));
        let process = match &out[..] {
            [Action::Watch { process, .. }] => *process,
            other => panic!("a run must not reply before exit: {other:?}"),
        };
        assert!(c.on_output(process, Stream::Stdout, b"6.1").is_empty());
        assert!(c.on_output(process, Stream::Stdout, b".0\n").is_empty());
        assert!(c.on_output(process, Stream::Stderr, b"warn").is_empty());
        let out = sent(c.on_exit(process, ExitStatus::Exited { code: 3 }));
        match &out[..] {
            [
                GuestMessage::Reply {
                    id: RequestId(7),
                    result:
                        Ok(Response::Output {
                            status,
                            stdout,
                            stderr,
                        }),
                },
            ] => {
                assert_eq!(status.code(), 3);
                assert_eq!(stdout.as_slice(), b"6.1.0\n");
                assert_eq!(stderr.as_slice(), b"warn");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn run_output_is_cut_at_the_limit() {
        let mut c = core();
        let out = c.handle_request(req(
            1,
            Request::Run {
                spec: ProcessSpec::new(["yes"]),
            },
        ));
        let Action::Watch { process, .. } = out[0] else {
            panic!()
        };
        for _ in 0..3 {
            let _ = c.on_output(
                process,
                Stream::Stdout,
                &vec![b'y'; RUN_OUTPUT_LIMIT / 2 + 1],
            );
        }
        let out = sent(c.on_exit(process, ExitStatus::Signaled { signal: 13 }));
        let GuestMessage::Reply {
            result: Ok(Response::Output { stdout, .. }),
            ..
        } = &out[0]
        else {
            panic!()
        };
        assert_eq!(stdout.as_slice().len(), RUN_OUTPUT_LIMIT);
    }

    #[test]
    fn a_spawn_failure_is_an_error_reply() {
        let out = sent(core().handle_request(req(
            2,
            Request::Run {
                spec: ProcessSpec::new(["missing"]),
            },
        )));
        assert!(
            matches!(&out[..], [GuestMessage::Reply { result: Err(e), .. }] if e.kind == ErrorKind::Spawn)
        );
    }

    #[test]
    fn an_empty_argv_is_a_bad_request() {
        let out = sent(core().handle_request(req(
            2,
            Request::Start {
                spec: ProcessSpec::default(),
            },
        )));
        assert!(
            matches!(&out[..], [GuestMessage::Reply { result: Err(e), .. }] if e.kind == ErrorKind::BadRequest)
        );
    }

    #[test]
    fn started_output_streams_and_exit_answers_every_waiter_after_the_event() {
        let mut c = core();
        let p = start(&mut c, 1, &["sh"]);
        let out = sent(c.on_output(p, Stream::Stderr, b"e"));
        assert!(matches!(
            &out[..],
            [GuestMessage::Output {
                stream: Stream::Stderr,
                ..
            }]
        ));
        assert!(
            c.handle_request(req(2, Request::Wait { process: p }))
                .is_empty()
        );
        assert!(
            c.handle_request(req(3, Request::Wait { process: p }))
                .is_empty()
        );
        let out = sent(c.on_exit(p, ExitStatus::Signaled { signal: 9 }));
        assert_eq!(out.len(), 3);
        assert!(matches!(out[0], GuestMessage::Exited { .. }));
        assert!(
            matches!(out[1], GuestMessage::Reply { id: RequestId(2), result: Ok(Response::Exited { status }) } if status.code() == 137)
        );
        assert!(matches!(
            out[2],
            GuestMessage::Reply {
                id: RequestId(3),
                ..
            }
        ));
    }

    #[test]
    fn wait_after_exit_answers_at_once() {
        let mut c = core();
        let p = start(&mut c, 1, &["true"]);
        let _ = c.on_exit(p, ExitStatus::Exited { code: 0 });
        let out = sent(c.handle_request(req(2, Request::Wait { process: p })));
        assert!(
            matches!(&out[..], [GuestMessage::Reply { result: Ok(Response::Exited { status }), .. }] if status.is_success())
        );
    }

    #[test]
    fn signal_goes_to_the_guest_pid() {
        let mut c = core();
        let p = start(&mut c, 1, &["sleep", "100"]);
        let out = sent(c.handle_request(req(
            2,
            Request::Signal {
                process: p,
                signal: 15,
            },
        )));
        assert!(matches!(
            &out[..],
            [GuestMessage::Reply {
                result: Ok(Response::Done),
                ..
            }]
        ));
        assert_eq!(c.spawner.signals, [(101, 15)]);
    }

    #[test]
    fn signal_to_an_unknown_or_exited_process_or_with_a_bad_number_is_refused() {
        let mut c = core();
        let out = sent(c.handle_request(req(
            1,
            Request::Signal {
                process: ProcessId(9),
                signal: 9,
            },
        )));
        assert!(
            matches!(&out[..], [GuestMessage::Reply { result: Err(e), .. }] if e.kind == ErrorKind::NoSuchProcess)
        );
        let p = start(&mut c, 2, &["x"]);
        let out = sent(c.handle_request(req(
            3,
            Request::Signal {
                process: p,
                signal: 0,
            },
        )));
        assert!(
            matches!(&out[..], [GuestMessage::Reply { result: Err(e), .. }] if e.kind == ErrorKind::BadRequest)
        );
        let _ = c.on_exit(p, ExitStatus::Exited { code: 0 });
        let out = sent(c.handle_request(req(
            4,
            Request::Signal {
                process: p,
                signal: 9,
            },
        )));
        assert!(
            matches!(&out[..], [GuestMessage::Reply { result: Err(e), .. }] if e.kind == ErrorKind::NoSuchProcess)
        );
        assert!(c.spawner.signals.is_empty());
    }

    #[test]
    fn process_ids_are_never_reused_and_pids_map_back() {
        let mut c = core();
        let a = start(&mut c, 1, &["a"]);
        let _ = c.on_exit(a, ExitStatus::Exited { code: 0 });
        let b = start(&mut c, 2, &["b"]);
        assert_ne!(a, b);
        assert_eq!(c.process_of(102), Some(b));
        assert_eq!(
            c.process_of(101),
            None,
            "an exited process's pid is forgotten"
        );
    }

    #[test]
    fn shutdown_replies_then_powers_off() {
        let out = core().handle_request(req(5, Request::Shutdown));
        assert!(matches!(
            &out[..],
            [
                Action::Send(GuestMessage::Reply {
                    result: Ok(Response::Done),
                    ..
                }),
                Action::PowerOff
            ]
        ));
    }

    fn start_spec(c: &mut Core<Fake>, id: u64, spec: ProcessSpec) -> Vec<GuestMessage> {
        sent(c.handle_request(req(id, Request::Start { spec })))
    }

    fn error_kind(out: &[GuestMessage]) -> Option<ErrorKind> {
        match out {
            [GuestMessage::Reply { result: Err(e), .. }] => Some(e.kind),
            _ => None,
        }
    }

    #[test]
    fn a_container_start_reaches_the_spawner_with_its_root_and_no_join() {
        let mut c = core();
        let spec = ProcessSpec::new(["sh"])
            .root("/containers/app/rootfs")
            .env("HOSTNAME", "pod")
            .cwd("/work")
            .mounts(Mounts::Container);
        let out = start_spec(&mut c, 1, spec.clone());
        assert!(matches!(
            &out[..],
            [GuestMessage::Reply {
                result: Ok(Response::Started { .. }),
                ..
            }]
        ));
        assert_eq!(c.spawner.spawned, [(spec, None)]);
    }

    #[test]
    fn a_container_without_an_absolute_root_is_a_bad_request() {
        let mut c = core();
        for spec in [
            ProcessSpec::new(["sh"]).mounts(Mounts::Container),
            ProcessSpec::new(["sh"])
                .root("rel")
                .mounts(Mounts::Container),
            ProcessSpec::new(["sh"]).root("/").mounts(Mounts::Container),
        ] {
            let out = start_spec(&mut c, 1, spec);
            assert_eq!(error_kind(&out), Some(ErrorKind::BadRequest), "{out:?}");
        }
        assert!(c.spawner.spawned.is_empty());
    }

    #[test]
    fn exec_in_a_container_joins_the_running_process_by_its_guest_pid() {
        let mut c = core();
        let app = start(&mut c, 1, &["app"]);
        let probe = ProcessSpec::new(["cat", "/tmp/health"]).mounts(Mounts::Join { process: app });
        let out = sent(c.handle_request(req(
            2,
            Request::Run {
                spec: probe.clone(),
            },
        )));
        assert!(out.is_empty(), "a run replies at exit: {out:?}");
        assert_eq!(c.spawner.spawned.last(), Some(&(probe, Some(101))));
    }

    #[test]
    fn joining_an_unknown_or_exited_process_or_with_a_root_is_refused() {
        let mut c = core();
        let out = start_spec(
            &mut c,
            1,
            ProcessSpec::new(["true"]).mounts(Mounts::Join {
                process: ProcessId(42),
            }),
        );
        assert_eq!(error_kind(&out), Some(ErrorKind::NoSuchProcess));
        let app = start(&mut c, 2, &["app"]);
        let out = start_spec(
            &mut c,
            3,
            ProcessSpec::new(["true"])
                .root("/x")
                .mounts(Mounts::Join { process: app }),
        );
        assert_eq!(error_kind(&out), Some(ErrorKind::BadRequest));
        let _ = c.on_exit(app, ExitStatus::Exited { code: 0 });
        let out = start_spec(
            &mut c,
            4,
            ProcessSpec::new(["true"]).mounts(Mounts::Join { process: app }),
        );
        assert_eq!(error_kind(&out), Some(ErrorKind::NoSuchProcess));
        assert_eq!(c.spawner.spawned.len(), 1, "only the app was spawned");
    }

    #[test]
    fn a_spawn_error_keeps_its_errno() {
        let out = start_spec(
            &mut core(),
            1,
            ProcessSpec::new(["missing"])
                .root("/r")
                .mounts(Mounts::Container),
        );
        assert!(
            matches!(&out[..], [GuestMessage::Reply { result: Err(e), .. }] if e.kind == ErrorKind::Spawn && e.errno == Some(2))
        );
    }

    #[test]
    fn a_second_exit_report_is_ignored() {
        let mut c = core();
        let p = start(&mut c, 1, &["a"]);
        assert_eq!(sent(c.on_exit(p, ExitStatus::Exited { code: 0 })).len(), 1);
        assert!(c.on_exit(p, ExitStatus::Exited { code: 1 }).is_empty());
    }
}
