//! Runtimes: what carries out the supervisor's actions. The [`Runtime`] trait is the
//! pod-controller plugin interface in Rust (start, wait, kill, exec), and [`drive`] is the I/O
//! loop that connects a [`Supervisor`] to a runtime and a clock.
//!
//! - [`process`]: host processes, each container in its own mount namespace and root, all of a
//!   pod's containers sharing one PID, IPC, UTS and network namespace (for hosts without usable
//!   KVM, and for fast tests).
//! - [`kvm`]: one KVM guest per pod, its containers run by the guest agent, each in its own
//!   mount namespace and root inside the VM, which is the pod's PID, IPC, UTS and network
//!   namespace.
//!
//! A runtime is event-driven: [`Runtime::start`], [`Runtime::kill`] and [`Runtime::exec`]
//! return at once, and what happens later (a container started or exited, its output, an exec
//! finished) comes out of [`Runtime::wait`] as [`RuntimeEvent`]s.

pub mod kvm;
pub mod process;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use phase::ContainerId;
use podspec::model::{HookHandler, Pod, PortRef, ProbeHandler, Scheme};

use crate::supervisor::{
    Action, Event, Hook, HookOutcome, Input, Millis, Outcome, ProbeId, ProbeOutcome, Supervisor,
};

/// Errors of a runtime.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The pod sandbox could not be created.
    #[error("cannot create the pod sandbox: {0}")]
    Sandbox(String),
    /// A system call or file operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The sandbox (the VM, or the pod's init process) died while the pod ran.
    #[error("the pod sandbox died: {0}")]
    SandboxLost(String),
    /// No such container in the plan.
    #[error("no container {0} in this pod")]
    UnknownContainer(ContainerId),
}

/// One container, resolved: what to run, from which root filesystem, with which environment.
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::ContainerPlan;
/// # use phase::ContainerId;
/// let c = ContainerPlan::new(ContainerId::regular(0), "app", vec!["sleep".into(), "1".into()]);
/// assert!(c.rootfs.is_none() && c.env.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerPlan {
    /// Its id.
    pub id: ContainerId,
    /// Its name.
    pub name: String,
    /// Its image's root filesystem (`None`: the host's).
    pub rootfs: Option<PathBuf>,
    /// The process.
    pub argv: Vec<String>,
    /// Its environment, in order.
    pub env: Vec<(String, String)>,
    /// Its working directory (`None`: `/`).
    pub working_dir: Option<String>,
    /// Whether it asked for a terminal.
    pub tty: bool,
    /// Named ports, for probes and hooks that name a port.
    pub ports: Vec<(String, u16)>,
}

impl ContainerPlan {
    /// A plan with nothing but a name and a command.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::runtime::ContainerPlan;
    /// # use phase::ContainerId;
    /// assert_eq!(ContainerPlan::new(ContainerId::init(0), "i", vec![]).name, "i");
    /// ```
    #[must_use]
    pub fn new(id: ContainerId, name: impl Into<String>, argv: Vec<String>) -> Self {
        Self {
            id,
            name: name.into(),
            rootfs: None,
            argv,
            env: Vec::new(),
            working_dir: None,
            tty: false,
            ports: Vec::new(),
        }
    }
}

/// A pod, resolved for a runtime.
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::PodPlan;
/// let p = PodPlan { name: "web".into(), hostname: "web".into(), containers: vec![] };
/// assert_eq!(p.hostname, "web");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodPlan {
    /// The pod's name.
    pub name: String,
    /// The hostname its containers see.
    pub hostname: String,
    /// Its containers, init containers first.
    pub containers: Vec<ContainerPlan>,
}

impl PodPlan {
    /// One container's plan.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::runtime::{ContainerPlan, PodPlan};
    /// # use phase::ContainerId;
    /// let p = PodPlan { name: "p".into(), hostname: "p".into(), containers: vec![ContainerPlan::new(ContainerId::regular(0), "a", vec![])] };
    /// assert!(p.container(ContainerId::regular(0)).is_some());
    /// ```
    #[must_use]
    pub fn container(&self, id: ContainerId) -> Option<&ContainerPlan> {
        self.containers.iter().find(|c| c.id == id)
    }
}

/// What an exec does: a hook or probe handler, resolved.
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::Handler;
/// let h = Handler::Exec { argv: vec!["true".into()], env: vec![] };
/// assert!(matches!(h, Handler::Exec { .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handler {
    /// A command in the container (its mount namespace and root); success is exit 0.
    Exec {
        /// The command.
        argv: Vec<String>,
        /// Extra environment (over the container's).
        env: Vec<(String, String)>,
    },
    /// An HTTP GET from inside the pod's network namespace; with `tls` (scheme `HTTPS`) over
    /// TLS without verifying the server's certificate, as the kubelet
    /// ([`vmm_ref_proto::tls`]). An HTTPS server that answers in plain HTTP fails a probe; a
    /// hook ([`HttpRule::Hook`]) asks it again over HTTP, as the kubelet does, and the runtime
    /// reports a `vmm-ref: warning: LifecycleHTTPFallback: ...` line on the container's stderr.
    HttpGet {
        /// Over TLS.
        tls: bool,
        /// Host (default `127.0.0.1`, the pod's own address here).
        host: String,
        /// Port.
        port: u16,
        /// Path and query.
        path: String,
        /// Extra headers.
        headers: Vec<(String, String)>,
        /// Success rule.
        rule: HttpRule,
    },
    /// A TCP connect from inside the pod's network namespace.
    TcpConnect {
        /// Host.
        host: String,
        /// Port.
        port: u16,
    },
    /// Wait.
    Sleep(Duration),
    /// Succeeds at once.
    Nothing,
}

/// When an HTTP answer counts as success.
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::HttpRule;
/// assert!(HttpRule::Probe.is_success(302) && !HttpRule::Probe.is_success(404));
/// assert!(HttpRule::Hook.is_success(404) && !HttpRule::Hook.is_success(503));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpRule {
    /// Kubernetes probes: 200 to 399.
    Probe,
    /// Hooks (DESIGN.md): anything but no answer or a 5xx.
    Hook,
}

impl HttpRule {
    /// Whether `status` passes.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::runtime::HttpRule;
    /// assert!(HttpRule::Probe.is_success(200));
    /// ```
    #[must_use]
    pub const fn is_success(self, status: u16) -> bool {
        match self {
            Self::Probe => status >= 200 && status < 400,
            Self::Hook => status < 500,
        }
    }
}

/// Which request an exec answers.
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::ExecTag;
/// # use restart::Hook;
/// assert_ne!(ExecTag::Hook(Hook::PreStop), ExecTag::Hook(Hook::PostStart));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecTag {
    /// A hook.
    Hook(Hook),
    /// A probe run.
    Probe(ProbeId),
}

/// How an exec ended.
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::ExecResult;
/// assert_ne!(ExecResult::Succeeded, ExecResult::TimedOut);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecResult {
    /// It passed.
    Succeeded,
    /// It failed.
    Failed,
    /// It ran out of time (and was killed).
    TimedOut,
    /// It could not be run at all (the prober's own error).
    Error,
}

/// Which output stream.
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::Stream;
/// assert_eq!(Stream::Stderr.as_str(), "stderr");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl Stream {
    /// Its name.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::runtime::Stream;
    /// assert_eq!(Stream::Stdout.as_str(), "stdout");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Stdout => "stdout",
            Self::Stderr => "stderr",
        }
    }
}

/// What a runtime observed.
///
/// # Examples
///
/// ```
/// # use vmm_ref::runtime::RuntimeEvent;
/// # use phase::ContainerId;
/// let e = RuntimeEvent::Exited { container: ContainerId::regular(0), code: 0 };
/// assert!(matches!(e, RuntimeEvent::Exited { code: 0, .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuntimeEvent {
    /// The container's process runs.
    Started {
        /// The container.
        container: ContainerId,
    },
    /// The container's process ended: exit code, or 128 + signal.
    Exited {
        /// The container.
        container: ContainerId,
        /// The code.
        code: i32,
    },
    /// A line (or a chunk) of a container's output.
    Output {
        /// The container.
        container: ContainerId,
        /// Which stream.
        stream: Stream,
        /// The bytes, without the newline.
        line: Vec<u8>,
    },
    /// An exec finished.
    ExecDone {
        /// The container.
        container: ContainerId,
        /// Which request.
        tag: ExecTag,
        /// How it went.
        result: ExecResult,
    },
}

/// A pod runtime: the plugin interface the supervisor's driver uses.
pub trait Runtime {
    /// Creates the pod's sandbox (namespaces, or a VM) for `plan`.
    ///
    /// # Errors
    ///
    /// [`Error::Sandbox`] and [`Error::Io`].
    fn create(&mut self, plan: &PodPlan) -> Result<(), Error>;
    /// Starts a container; [`RuntimeEvent::Started`] (or `Exited` if it cannot start) follows.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownContainer`], or a failure of the sandbox itself.
    fn start(&mut self, container: ContainerId) -> Result<(), Error>;
    /// Sends a signal to a container's process (nothing if it has exited).
    ///
    /// # Errors
    ///
    /// A failure of the sandbox itself.
    fn kill(&mut self, container: ContainerId, signal: i32) -> Result<(), Error>;
    /// Runs a handler for a container; [`RuntimeEvent::ExecDone`] follows, within `timeout`
    /// (the runtime kills what is still running then).
    ///
    /// # Errors
    ///
    /// A failure of the sandbox itself.
    fn exec(
        &mut self,
        container: ContainerId,
        tag: ExecTag,
        handler: Handler,
        timeout: Duration,
    ) -> Result<(), Error>;
    /// The next event, waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`Error::SandboxLost`] when the sandbox died.
    fn wait(&mut self, timeout: Duration) -> Result<Option<RuntimeEvent>, Error>;
    /// Tears the sandbox down: every process is killed, every mount and file removed.
    ///
    /// # Errors
    ///
    /// [`Error::Io`].
    fn destroy(&mut self) -> Result<(), Error>;
}

/// Resolves a hook handler of `pod`'s container for a runtime: `PRESTOP_REASON` in an exec
/// hook's environment, `reason=` in an httpGet hook's query.
///
/// # Examples
///
/// ```
/// # use std::time::Duration;
/// # use podspec::model::HookHandler;
/// # use restart::StopReason;
/// # use vmm_ref::runtime::{hook_handler, Handler};
/// let h = hook_handler(&HookHandler::Exec { command: vec!["x".into()] }, Some(StopReason::Health), &[]);
/// assert_eq!(h, Handler::Exec { argv: vec!["x".into()], env: vec![("PRESTOP_REASON".into(), "Health".into())] });
/// assert_eq!(hook_handler(&HookHandler::Sleep(Duration::from_secs(1)), None, &[]), Handler::Sleep(Duration::from_secs(1)));
/// ```
#[must_use]
pub fn hook_handler(
    h: &HookHandler,
    reason: Option<restart::StopReason>,
    ports: &[(String, u16)],
) -> Handler {
    match h {
        HookHandler::Exec { command } => Handler::Exec {
            argv: command.clone(),
            env: reason
                .map(|r| vec![("PRESTOP_REASON".to_owned(), r.as_str().to_owned())])
                .unwrap_or_default(),
        },
        HookHandler::HttpGet(g) => {
            let mut path = if g.path.is_empty() {
                "/".to_owned()
            } else {
                g.path.clone()
            };
            if let Some(r) = reason {
                path.push(if path.contains('?') { '&' } else { '?' });
                path.push_str("reason=");
                path.push_str(r.as_str());
            }
            http(g, path, HttpRule::Hook, ports)
        }
        HookHandler::Sleep(d) => Handler::Sleep(*d),
        _ => Handler::Nothing,
    }
}

fn port_of(p: &PortRef, ports: &[(String, u16)]) -> u16 {
    match p {
        PortRef::Number(n) => n.get(),
        PortRef::Name(name) => ports
            .iter()
            .find(|(n, _)| n == name.as_str())
            .map_or(0, |(_, p)| *p),
        _ => 0,
    }
}

fn http(
    g: &podspec::model::HttpGet,
    path: String,
    rule: HttpRule,
    ports: &[(String, u16)],
) -> Handler {
    Handler::HttpGet {
        tls: g.scheme == Scheme::Https,
        host: g.host.clone().unwrap_or_else(|| "127.0.0.1".to_owned()),
        port: port_of(&g.port, ports),
        path,
        headers: g
            .headers
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect(),
        rule,
    }
}

/// Resolves a probe handler for a runtime.
///
/// # Examples
///
/// ```
/// # use podspec::model::{HttpGet, PortName, PortRef, ProbeHandler, Scheme};
/// # use vmm_ref::runtime::{probe_handler, Handler};
/// assert_eq!(probe_handler(&ProbeHandler::AlwaysSucceeds, &[]), Handler::Nothing);
/// let mut g = HttpGet::new(PortRef::Name(PortName::try_from("https").unwrap()), "/healthz");
/// g.scheme = Scheme::Https;
/// let h = probe_handler(&ProbeHandler::HttpGet(g), &[("https".into(), 8443)]);
/// assert!(matches!(h, Handler::HttpGet { tls: true, port: 8443, .. }));
/// ```
#[must_use]
pub fn probe_handler(h: &ProbeHandler, ports: &[(String, u16)]) -> Handler {
    match h {
        ProbeHandler::Exec { command } => Handler::Exec {
            argv: command.clone(),
            env: Vec::new(),
        },
        ProbeHandler::HttpGet(g) => {
            let path = if g.path.is_empty() {
                "/".to_owned()
            } else {
                g.path.clone()
            };
            http(g, path, HttpRule::Probe, ports)
        }
        ProbeHandler::TcpSocket { host, port } => Handler::TcpConnect {
            host: host.clone().unwrap_or_else(|| "127.0.0.1".to_owned()),
            port: port_of(port, ports),
        },
        ProbeHandler::Grpc { port, .. } => Handler::TcpConnect {
            host: "127.0.0.1".to_owned(),
            port: port.get(),
        },
        _ => Handler::Nothing,
    }
}

/// Where [`drive`] sends what happens.
pub trait Reporter {
    /// A supervisor event.
    fn event(&mut self, at: Millis, event: &Event);
    /// A line of a container's output.
    fn output(&mut self, container: &str, stream: Stream, line: &[u8]);
}

/// Runs `pod` to its end: creates the sandbox, feeds runtime events and the clock to the
/// supervisor, carries out its actions, reports, and tears down. `interrupt` set (by a Ctrl-C
/// handler) stops the pod the proper way; a second interrupt after 5 s is not needed: SIGKILL
/// comes when the grace period ends.
///
/// # Errors
///
/// The runtime's errors (the sandbox is torn down first).
pub fn drive(
    pod: &Pod,
    plan: &PodPlan,
    mut sup: Supervisor,
    runtime: &mut dyn Runtime,
    reporter: &mut dyn Reporter,
    interrupt: &AtomicBool,
) -> Result<Outcome, Error> {
    runtime.create(plan)?;
    let result = drive_inner(pod, plan, &mut sup, runtime, reporter, interrupt);
    let teardown = runtime.destroy();
    let outcome = result?;
    teardown?;
    Ok(outcome)
}

fn drive_inner(
    pod: &Pod,
    plan: &PodPlan,
    sup: &mut Supervisor,
    runtime: &mut dyn Runtime,
    reporter: &mut dyn Reporter,
    interrupt: &AtomicBool,
) -> Result<Outcome, Error> {
    let epoch = Instant::now();
    let now = || Millis(u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX));
    let mut interrupted = false;
    loop {
        while let Some(e) = sup.poll_event() {
            reporter.event(now(), &e);
        }
        while let Some(action) = sup.poll_action() {
            match action {
                Action::Start { container } => runtime.start(container)?,
                Action::Signal { container, signal } => runtime.kill(container, signal)?,
                Action::RunHook {
                    container,
                    hook,
                    handler,
                    reason,
                    timeout,
                } => {
                    let ports = plan
                        .container(container)
                        .map(|c| c.ports.as_slice())
                        .unwrap_or(&[]);
                    let h = hook_handler(&handler, reason, ports);
                    runtime.exec(container, ExecTag::Hook(hook), h, timeout)?;
                }
                Action::RunProbe {
                    container,
                    probe,
                    handler,
                    timeout,
                    ..
                } => {
                    let ports = plan
                        .container(container)
                        .map(|c| c.ports.as_slice())
                        .unwrap_or(&[]);
                    let h = probe_handler(&handler, ports);
                    runtime.exec(container, ExecTag::Probe(probe), h, timeout)?;
                }
                Action::RecreateSandbox { .. } => {
                    runtime.destroy()?;
                    runtime.create(plan)?;
                }
                Action::Finish(outcome) => {
                    while let Some(e) = sup.poll_event() {
                        reporter.event(now(), &e);
                    }
                    return Ok(outcome);
                }
            }
        }
        while let Some(e) = sup.poll_event() {
            reporter.event(now(), &e);
        }
        if !interrupted && interrupt.load(Ordering::SeqCst) {
            interrupted = true;
            let _ = sup.handle(Input::Interrupt, now());
            continue;
        }
        // Sleep until the supervisor's deadline or the runtime's next event (at most 100 ms,
        // to notice an interrupt).
        let t = now();
        let wait = sup.poll_timeout().map_or(Duration::from_millis(100), |d| {
            Duration::from_millis(d.0.saturating_sub(t.0)).min(Duration::from_millis(100))
        });
        match runtime.wait(wait)? {
            Some(RuntimeEvent::Output {
                container,
                stream,
                line,
            }) => {
                let name = sup.name(container).unwrap_or("?").to_owned();
                reporter.output(&name, stream, &line);
            }
            Some(ev) => {
                let input = match ev {
                    RuntimeEvent::Started { container } => Input::Started { container },
                    RuntimeEvent::Exited { container, code } => Input::Exited { container, code },
                    RuntimeEvent::ExecDone {
                        container,
                        tag: ExecTag::Hook(hook),
                        result,
                    } => Input::HookFinished {
                        container,
                        hook,
                        outcome: match result {
                            ExecResult::Succeeded => HookOutcome::Succeeded,
                            ExecResult::TimedOut => HookOutcome::TimedOut,
                            ExecResult::Failed | ExecResult::Error => HookOutcome::Failed,
                        },
                    },
                    RuntimeEvent::ExecDone {
                        container,
                        tag: ExecTag::Probe(probe),
                        result,
                    } => Input::ProbeFinished {
                        container,
                        probe,
                        outcome: match result {
                            ExecResult::Succeeded => ProbeOutcome::Success,
                            ExecResult::Failed | ExecResult::TimedOut => ProbeOutcome::Failure,
                            ExecResult::Error => ProbeOutcome::Error,
                        },
                    },
                    RuntimeEvent::Output { .. } => continue,
                };
                // Late answers (after a timeout) do not fit any more; they are dropped.
                let _ = sup.handle(input, now());
            }
            None => sup.handle_timeout(now()),
        }
        let _ = pod;
    }
}
