//! The supervisor: one pod's lifecycle as a pure state machine that composes `phase` and
//! `restart`. Inputs (what the runtime saw, with `now`) go in; [`Action`]s (what the runtime
//! must do) and [`Event`]s (what to report) come out. It performs no I/O and reads no clock.
//!
//! - [`restart::PodTracker`] decides starts (init containers one at a time, then the others),
//!   hooks and their order, kills with grace, restarts with CrashLoopBackOff, pod scope and the
//!   pod's end.
//! - [`phase::ContainerProbes`] (one per container) decides when probes are due and when a
//!   liveness or startup probe has failed enough to kill.
//! - [`phase::decide`] gives the pod phase, and [`phase::pod_healthy`] over
//!   [`phase::next_pc_state`] gives pod-controller's health bit.
//!
//! # Driving loop
//!
//! Feed every runtime observation to [`Supervisor::handle`], then drain
//! [`Supervisor::poll_action`] (carry each out) and [`Supervisor::poll_event`] (report each),
//! then sleep until [`Supervisor::poll_timeout`] or the next observation, whichever comes first,
//! and call [`Supervisor::handle_timeout`]. A spurious or early `handle_timeout` does nothing.
//! Stop when [`Supervisor::outcome`] is `Some` (an [`Action::Finish`] carries it too).
//!
//! ```
//! use podspec::{Format, model::*};
//! use vmm_ref::supervisor::{Action, Input, Millis, Options, Supervisor};
//!
//! let mut pod = Pod::new(PodName::try_from("demo").unwrap(), Source::new(Format::K8s));
//! pod.restart_policy = RestartPolicy::Never;
//! pod.containers.push(Container::new(ContainerName::try_from("app").unwrap(), Image::Host));
//! let mut sup = Supervisor::new(&pod, Options::default(), Millis(0));
//! let mut now = Millis(0);
//! // A runtime whose containers run for one second and exit 0.
//! let mut running = Vec::new();
//! loop {
//!     while let Some(action) = sup.poll_action() {
//!         if let Action::Start { container } = action {
//!             sup.handle(Input::Started { container }, now).unwrap();
//!             running.push(container);
//!         }
//!     }
//!     if sup.outcome().is_some() { break; }
//!     now = Millis(now.0 + 1_000);
//!     for container in running.drain(..) {
//!         sup.handle(Input::Exited { container, code: 0 }, now).unwrap();
//!     }
//! }
//! assert_eq!(sup.outcome().unwrap().exit_code(), 0);
//! assert_eq!(sup.phase(), phase::PodPhase::Succeeded);
//! ```
//!
//! # Decisions
//!
//! - The pod's final status is the tracker's: Succeeded iff every regular container's last run
//!   ended with exit code 0 (however it came to end, as in Kubernetes' `getPhase`; see
//!   [`restart::ExitRecord::is_success`]) and no init container failed for good. The exit code
//!   of a failed pod is the first failing container's (regular containers, then init containers, in order),
//!   or 1 if none has a non-zero code (killed before it ran); an interrupted pod exits with
//!   130 (128 + SIGINT).
//! - The health bit is pod-controller's over the regular containers: a container is `STARTED`
//!   from its start until its liveness probe published a result, `HEALTHY` or `FAILING` after,
//!   `TERMINAL` once its liveness probe published a failure, `FINISHED` or `FAILED` once it
//!   exited; a restart makes it `STARTED` again. The pod is healthy iff each is `STARTED`,
//!   `HEALTHY` or `FAILING`, so it turns false after failureThreshold failures.
//! - Probes are paused while one of the pod's hooks runs ([`restart::PodTracker::are_probes_paused`]):
//!   no probe run is asked for and probe deadlines do not wake the supervisor; ticks missed
//!   meanwhile collapse into one run when the hook ends. A run `phase` asked for during the hook
//!   is handed out when the hook ends and timed from then
//!   ([`phase::ContainerProbes::poll_action_at`]), so it gets its whole `timeoutSeconds` however
//!   long the hook took (found by the supervisor model check in `verify/`: a postStart hook
//!   longer than the liveness probe's timeout killed a container whose probe had
//!   failureThreshold 1).
//! - A liveness or startup failure that `phase` publishes while a hook runs (a run handed out
//!   before the hook, answered during it) is not dropped: the tracker ignores kills during a
//!   hook, so the supervisor keeps it and hands it to the tracker once no hook runs, and the
//!   container is killed then (unless it exited or restarted meanwhile). This is the kubelet's
//!   behaviour: its probe worker publishes the failure and goes on hold, and the pod's next
//!   sync, which waits for the hook (hooks run inside the sync), kills the container for the
//!   cached failed result. (Dropping it left the container running with its probe on hold and
//!   no liveness checks at all; found by the supervisor model check in `verify/`.)
//! - Once the pod is being deleted (Ctrl-C, [`Input::Interrupt`], or [`Input::Delete`]),
//!   liveness and startup probes are no longer run and count as passed
//!   ([`phase::ContainerProbes::handle_deletion`]), also in a container that starts later;
//!   readiness probes go on. This is the kubelet's probe worker, which sets success and stops
//!   for those two kinds when the pod has a deletion timestamp, so that the shutdown is quiet:
//!   a server stopping on its stop signal is not reported as a failing liveness probe
//!   (seen in the rig: a container's tcpSocket liveness failed twice while its shell's TERM
//!   trap ran, before it exited).
//! - No probe runs once the pod has reported a terminal phase (the kubelet's probe worker exits
//!   when the pod is Failed or Succeeded): in practice a pod past its activeDeadlineSeconds,
//!   which is Failed while its containers are being stopped.
//! - Every failed probe run is reported ([`Event::ProbeFailed`]); the kill comes only when
//!   `phase` publishes the failure (the threshold), as [`Event::Killing`].
//! - A terminal phase is reported only when no container is about to run again: a container
//!   killed for a failed probe is restarted under OnFailure even when it exits 0 on its stop
//!   signal (restart's rule, the kubelet's: kill and start in one sync), while `getPhase` over
//!   its waiting status would say the pod ended; the phase stays Running then (found by the
//!   supervisor model check in `verify/`). Nor while a pod-scope pod waits to be re-created:
//!   the phase is Pending then (the next incarnation's), since the pod goes on. A hook does not
//!   put off the pod's end: when an init container fails for good or the last regular
//!   container is done while a hook runs (a sidecar's preStop after its liveness failed), the
//!   tracker ends the pod at once and only the stops wait for the hook, so a sidecar that exits
//!   meanwhile is not restarted and the terminal phase `phase` reports stays
//!   ([`restart::tracker`], "The pod's end while a hook runs").
//! - `activeDeadlineSeconds` ([`podspec::model::Pod::active_deadline`]), as the kubelet's
//!   active-deadline handler: counted from the supervisor's start, across restarts and pod
//!   re-creations (the kubelet counts from the pod's `startTime`, when it first took the pod,
//!   before any container or init container ran). [`crate::runtime::drive`] starts its clock
//!   once the first sandbox is up, so the first VM's boot is not counted, where the kubelet's
//!   clock would include its sandbox's creation. Once `now` reaches it and the pod has not finished, the pod
//!   fails with reason `DeadlineExceeded` ([`Event::DeadlineExceeded`],
//!   [`Outcome::deadline_exceeded`]): its containers are stopped the way a pod stop stops
//!   them (preStop, stop signal, grace period, SIGKILL), none is restarted, and the final
//!   status is Failed however the containers then exit. The phase is Failed from the moment
//!   the deadline runs out, while the containers are still being stopped (the kubelet's
//!   `generateAPIPodStatus`: an evicting pod sync handler sets phase Failed and reason
//!   `DeadlineExceeded` over `getPhase`); before, containers that exited 0 during the stop
//!   (one still in its preStop hook) made `getPhase` report Succeeded, then the end Failed
//!   (found by the supervisor model check in `verify/`). Nor does a deadline run out once the
//!   pod has reported a terminal phase (all its containers done, its end waiting only for a
//!   hook, such as a delete's preStop): the kubelet never moves a pod out of a terminal
//!   phase, and the pod's outcome is what its containers did (it was Succeeded, then Failed;
//!   found by the same model check). The process exit code is 124 (as
//!   timeout(1)), not a container's code: the pod ran out of time. A deadline is checked on
//!   every input and timeout ([`Supervisor::poll_timeout`] includes it). Whichever comes first
//!   of a deadline and an interrupt names the end: an interrupt during a deadline's stop does
//!   not make the pod interrupted, and a deadline during an interrupt's stop is not reported.

pub mod plan;

use std::collections::VecDeque;
use std::time::Duration;

pub use phase::{ContainerId, Millis, PodPhase, ProbeId, ProbeKind, ProbeOutcome};
use phase::{
    ContainerKind, ContainerProbes, ContainerState, ContainerStatus, PcObservation, PcState,
    PhaseFacts, ProbeEvent, ProbeResult, Statuses, Termination, WaitingReason,
};
use podspec::model::{HookHandler, Pod, ProbeHandler};
pub use restart::{FinalStatus, Hook, HookOutcome, KillCause, StopReason};
use restart::{PodTracker, RunState, Stage};

pub use plan::Options;

/// 128 + SIGINT: the exit code of a pod stopped by Ctrl-C.
pub const INTERRUPTED_EXIT_CODE: i32 = 130;

/// The exit code of a pod failed by its `activeDeadlineSeconds` (timeout(1)'s).
pub const DEADLINE_EXCEEDED_EXIT_CODE: i32 = 124;

/// The pod status reason Kubernetes gives a pod failed by its `activeDeadlineSeconds`.
pub const DEADLINE_EXCEEDED_REASON: &str = "DeadlineExceeded";

/// What the runtime observed or the user asked for.
///
/// # Examples
///
/// ```
/// # use vmm_ref::supervisor::{ContainerId, Input};
/// let i = Input::Exited { container: ContainerId::regular(0), code: 143 };
/// assert_ne!(i, Input::Interrupt);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// The container's process is running (after [`Action::Start`]).
    Started {
        /// The container.
        container: ContainerId,
    },
    /// The container's process ended, or could not be started: its exit code (128 + signal if
    /// a signal ended it; 127 when the command was not found, 126 when it could not be run).
    Exited {
        /// The container.
        container: ContainerId,
        /// The exit code.
        code: i32,
    },
    /// A probe run asked for by [`Action::RunProbe`] finished.
    ProbeFinished {
        /// The container.
        container: ContainerId,
        /// The run.
        probe: ProbeId,
        /// What it gave.
        outcome: ProbeOutcome,
    },
    /// A hook asked for by [`Action::RunHook`] finished.
    HookFinished {
        /// The container.
        container: ContainerId,
        /// The hook.
        hook: Hook,
        /// Its outcome.
        outcome: HookOutcome,
    },
    /// Stop the pod (Ctrl-C): preStop, stop signal, grace period, SIGKILL.
    Interrupt,
    /// Delete the pod: the same sequence, preStop reason `Delete`.
    Delete,
}

/// What the runtime must do. Plain data: the caller carries it out and reports back.
///
/// # Examples
///
/// ```
/// # use vmm_ref::supervisor::{Action, ContainerId};
/// let a = Action::Signal { container: ContainerId::regular(0), signal: 15 };
/// assert_eq!(a.container(), Some(ContainerId::regular(0)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Create and start the container; report [`Input::Started`], then [`Input::Exited`].
    Start {
        /// The container.
        container: ContainerId,
    },
    /// Send a signal to the container's process.
    Signal {
        /// The container.
        container: ContainerId,
        /// The signal number (its stop signal, or 9).
        signal: i32,
    },
    /// Run a hook handler; report [`Input::HookFinished`]. The supervisor counts it as timed
    /// out after `timeout` by itself.
    RunHook {
        /// The container.
        container: ContainerId,
        /// Which hook.
        hook: Hook,
        /// What to run.
        handler: HookHandler,
        /// For preStop: why (`PRESTOP_REASON` in its environment, `reason=` in its query).
        reason: Option<StopReason>,
        /// How long it may take.
        timeout: Duration,
    },
    /// Run a probe handler; report [`Input::ProbeFinished`].
    RunProbe {
        /// The container.
        container: ContainerId,
        /// The run's id.
        probe: ProbeId,
        /// Which probe.
        kind: ProbeKind,
        /// What to run.
        handler: ProbeHandler,
        /// How long it may take.
        timeout: Duration,
    },
    /// Pod scope: every container finished and the pod is re-created after `after`; tear the
    /// sandbox down and build a new one before the next [`Action::Start`].
    RecreateSandbox {
        /// The wait before the new pod's first start.
        after: Duration,
    },
    /// The pod is finished; tear everything down.
    Finish(Outcome),
}

impl Action {
    /// The container the action is about, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::supervisor::{Action, ContainerId};
    /// assert_eq!(Action::Start { container: ContainerId::init(0) }.container(), Some(ContainerId::init(0)));
    /// ```
    #[must_use]
    pub const fn container(&self) -> Option<ContainerId> {
        match self {
            Self::Start { container }
            | Self::Signal { container, .. }
            | Self::RunHook { container, .. }
            | Self::RunProbe { container, .. } => Some(*container),
            Self::RecreateSandbox { .. } | Self::Finish(_) => None,
        }
    }
}

/// How the pod ended.
///
/// # Examples
///
/// ```
/// # use vmm_ref::supervisor::{FinalStatus, Outcome};
/// let o = Outcome { status: FinalStatus::Failed, failed: Some(("app".into(), 3)), interrupted: false, deleted: false, deadline_exceeded: false };
/// assert_eq!(o.exit_code(), 3);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Succeeded or Failed.
    pub status: FinalStatus,
    /// The first failing container and its last exit code (module docs).
    pub failed: Option<(String, i32)>,
    /// Stopped by [`Input::Interrupt`].
    pub interrupted: bool,
    /// Removed once finished (a Kubernetes pod, or [`Input::Delete`]).
    pub deleted: bool,
    /// Failed by its `activeDeadlineSeconds` (reason `DeadlineExceeded`; module docs).
    pub deadline_exceeded: bool,
}

impl Outcome {
    /// The process exit code: 0 if succeeded, 130 if interrupted, 124 if its
    /// `activeDeadlineSeconds` ran out, else the failing container's code, or 1.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::supervisor::{FinalStatus, Outcome};
    /// let o = Outcome { status: FinalStatus::Failed, failed: None, interrupted: false, deleted: true, deadline_exceeded: false };
    /// assert_eq!(o.exit_code(), 1);
    /// assert_eq!(Outcome { interrupted: true, ..o.clone() }.exit_code(), 130);
    /// let late = Outcome { failed: Some(("app".into(), 143)), deadline_exceeded: true, ..o };
    /// assert_eq!(late.exit_code(), 124);
    /// ```
    #[must_use]
    pub fn exit_code(&self) -> i32 {
        if self.interrupted {
            return INTERRUPTED_EXIT_CODE;
        }
        if self.deadline_exceeded {
            return DEADLINE_EXCEEDED_EXIT_CODE;
        }
        match (self.status, &self.failed) {
            (FinalStatus::Succeeded, _) => 0,
            (_, Some((_, code))) if *code != 0 => *code,
            _ => 1,
        }
    }

    /// The pod phase it ends in.
    ///
    /// # Examples
    ///
    /// ```
    /// # use vmm_ref::supervisor::{FinalStatus, Outcome, PodPhase};
    /// let o = Outcome { status: FinalStatus::Succeeded, failed: None, interrupted: false, deleted: false, deadline_exceeded: false };
    /// assert_eq!(o.phase(), PodPhase::Succeeded);
    /// ```
    #[must_use]
    pub const fn phase(&self) -> PodPhase {
        self.status.phase()
    }
}

/// Something to report, in the order it happened.
///
/// # Examples
///
/// ```
/// # use vmm_ref::supervisor::Event;
/// let e = Event::Exited { container: "app".into(), code: 0 };
/// assert_eq!(e.to_string(), "container app exited with code 0");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A container started.
    Started {
        /// Its name.
        container: String,
        /// Its restart count.
        restarts: u32,
    },
    /// A container exited.
    Exited {
        /// Its name.
        container: String,
        /// The exit code.
        code: i32,
    },
    /// One probe run failed.
    ProbeFailed {
        /// The container.
        container: String,
        /// Which probe.
        kind: ProbeKind,
    },
    /// A readiness change.
    Ready {
        /// The container.
        container: String,
        /// Ready or not.
        ready: bool,
    },
    /// A hook ran.
    HookRan {
        /// The container.
        container: String,
        /// The hook.
        hook: Hook,
        /// For preStop: why.
        reason: Option<StopReason>,
        /// How it went.
        outcome: HookOutcome,
    },
    /// A container is being sent a signal.
    Killing {
        /// The container.
        container: String,
        /// The signal number.
        signal: i32,
        /// Why.
        cause: KillCause,
    },
    /// A container will be restarted after its backoff.
    Restarting {
        /// The container.
        container: String,
        /// The wait.
        after: Duration,
    },
    /// Pod scope: the pod will be re-created after `after`.
    Recreating {
        /// The wait.
        after: Duration,
    },
    /// The pod has been active for its `activeDeadlineSeconds`: it fails with reason
    /// `DeadlineExceeded` and is stopped.
    DeadlineExceeded {
        /// The deadline (`activeDeadlineSeconds`).
        after: Duration,
    },
    /// The pod phase changed.
    PhaseChanged {
        /// The new phase.
        phase: PodPhase,
    },
    /// The health bit changed.
    HealthChanged {
        /// The new value.
        healthy: bool,
    },
    /// The pod finished.
    Finished(Outcome),
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Started {
                container,
                restarts: 0,
            } => write!(f, "container {container} started"),
            Self::Started {
                container,
                restarts,
            } => write!(f, "container {container} started (restart {restarts})"),
            Self::Exited { container, code } => {
                write!(f, "container {container} exited with code {code}")
            }
            Self::ProbeFailed { container, kind } => {
                write!(f, "container {container}: {kind} probe failed")
            }
            Self::Ready { container, ready } => write!(
                f,
                "container {container} is {}",
                if *ready { "ready" } else { "not ready" }
            ),
            Self::HookRan {
                container,
                hook,
                reason,
                outcome,
            } => {
                write!(f, "container {container}: {} hook ", hook.as_str())?;
                if let Some(r) = reason {
                    write!(f, "(reason {r}) ")?;
                }
                f.write_str(match outcome {
                    HookOutcome::Succeeded => "succeeded",
                    HookOutcome::Failed => "failed",
                    HookOutcome::TimedOut => "timed out",
                })
            }
            Self::Killing {
                container,
                signal,
                cause,
            } => write!(
                f,
                "container {container}: sending signal {signal} ({})",
                cause_str(*cause)
            ),
            Self::Restarting { container, after } => write!(
                f,
                "container {container} restarting after {}",
                human(*after)
            ),
            Self::Recreating { after } => write!(f, "pod re-created after {}", human(*after)),
            Self::DeadlineExceeded { after } => write!(
                f,
                "pod {DEADLINE_EXCEEDED_REASON}: active longer than its activeDeadlineSeconds ({}); stopping it",
                human(*after)
            ),
            Self::PhaseChanged { phase } => write!(f, "pod phase {}", phase.as_str()),
            Self::HealthChanged { healthy } => {
                write!(f, "pod {}", if *healthy { "healthy" } else { "unhealthy" })
            }
            Self::Finished(o) => {
                write!(f, "pod finished: {}", o.phase().as_str())?;
                if let Some((name, code)) = &o.failed {
                    write!(f, " (container {name} exited with code {code})")?;
                }
                if o.interrupted {
                    f.write_str(" (interrupted)")?;
                }
                if o.deadline_exceeded {
                    write!(f, " ({DEADLINE_EXCEEDED_REASON})")?;
                }
                Ok(())
            }
        }
    }
}

/// A short phrase for a kill cause.
///
/// # Examples
///
/// ```
/// # use vmm_ref::supervisor::{cause_str, KillCause};
/// assert_eq!(cause_str(KillCause::LivenessProbe), "liveness probe failed");
/// ```
#[must_use]
pub const fn cause_str(c: KillCause) -> &'static str {
    match c {
        KillCause::LivenessProbe => "liveness probe failed",
        KillCause::StartupProbe => "startup probe failed",
        KillCause::PostStartHook => "post-start hook failed",
        KillCause::DependencyLost => "dependency lost",
        KillCause::PodFinished => "pod finished",
        KillCause::PodStopped => "pod stopped",
        KillCause::PodDeleted => "pod deleted",
    }
}

/// `1.5s`, `10s`, `0s`.
fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.3}s", d.as_secs_f64())
    }
}

/// What the supervisor keeps per container beside the tracker.
#[derive(Clone, Debug)]
struct Slot {
    id: ContainerId,
    kind: ContainerKind,
    name: String,
    stop_signal: i32,
    hooks: [Option<HookHandler>; 4],
    probe_handlers: [Option<ProbeHandler>; 3],
    probes: ContainerProbes,
    /// The last run handed out of each probe kind (indexed as `probe_handlers`), to name the
    /// probe a result belongs to (`phase` runs at most one of each kind at a time).
    runs: [Option<ProbeId>; 3],
    /// A liveness or startup failure published while a hook ran, to be acted on once no hook
    /// runs (module docs); cleared when the container starts again or exits.
    pending_kill: Option<restart::ProbeKind>,
    has_probes: bool,
    ready: bool,
    pc: PcState,
}

fn hook_index(h: Hook) -> usize {
    match h {
        Hook::PreStart => 0,
        Hook::PostStart => 1,
        Hook::PostRestart => 2,
        Hook::PreStop => 3,
    }
}

fn probe_index(k: ProbeKind) -> usize {
    match k {
        ProbeKind::Liveness => 0,
        ProbeKind::Readiness => 1,
        ProbeKind::Startup => 2,
    }
}

/// One pod's supervisor. See the [module documentation](self) for the driving loop.
///
/// # Examples
///
/// ```
/// # use podspec::{Format, model::*};
/// # use vmm_ref::supervisor::{Action, ContainerId, Millis, Options, Supervisor};
/// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
/// pod.init_containers.push(Container::new(ContainerName::try_from("setup").unwrap(), Image::Host));
/// pod.containers.push(Container::new(ContainerName::try_from("app").unwrap(), Image::Host));
/// let mut sup = Supervisor::new(&pod, Options::default(), Millis(0));
/// assert_eq!(sup.poll_action(), Some(Action::Start { container: ContainerId::init(0) }));
/// assert_eq!(sup.poll_action(), None); // the app waits for its init container
/// assert_eq!(sup.name(ContainerId::regular(0)), Some("app"));
/// ```
#[derive(Clone, Debug)]
pub struct Supervisor {
    tracker: PodTracker,
    spec: phase::PodSpec,
    slots: Vec<Slot>,
    actions: VecDeque<Action>,
    events: VecDeque<Event>,
    phase: PodPhase,
    healthy: bool,
    interrupted: bool,
    /// The pod is being deleted (Ctrl-C or delete): liveness and startup probes are quiet.
    deleting: bool,
    /// `activeDeadlineSeconds` and the time it runs out.
    active_deadline: Option<(Duration, Millis)>,
    deadline_exceeded: bool,
    outcome: Option<Outcome>,
}

impl Supervisor {
    /// A supervisor for `pod`, starting at `now`; its first actions are ready at once.
    ///
    /// # Examples
    ///
    /// ```
    /// # use podspec::{Format, model::*};
    /// # use vmm_ref::supervisor::{Millis, Options, PodPhase, Supervisor};
    /// let pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::Hyper));
    /// let sup = Supervisor::new(&pod, Options::default(), Millis(0));
    /// assert_eq!(sup.phase(), PodPhase::Succeeded); // nothing to run
    /// ```
    #[must_use]
    pub fn new(pod: &Pod, options: Options, now: Millis) -> Self {
        let config = plan::pod_config(pod, options);
        let spec = config.spec.clone();
        let slots = plan::containers(pod)
            .map(|(id, c)| {
                let specs = plan::probe_specs(c);
                Slot {
                    id,
                    kind: spec.kind(id).unwrap_or(ContainerKind::Regular),
                    name: c.name.to_string(),
                    stop_signal: plan::stop_signal(c),
                    hooks: Hook::ALL.map(|h| plan::hook_handler(c, h).cloned()),
                    probe_handlers: [
                        c.liveness_probe.as_ref().map(|p| p.handler.clone()),
                        c.readiness_probe.as_ref().map(|p| p.handler.clone()),
                        c.startup_probe.as_ref().map(|p| p.handler.clone()),
                    ],
                    has_probes: specs.liveness.is_some()
                        || specs.readiness.is_some()
                        || specs.startup.is_some(),
                    probes: ContainerProbes::new(specs),
                    runs: [None; 3],
                    pending_kill: None,
                    ready: false,
                    pc: PcState::Started,
                }
            })
            .collect();
        let mut sup = Self {
            tracker: PodTracker::new(config, now),
            spec,
            slots,
            actions: VecDeque::new(),
            events: VecDeque::new(),
            phase: PodPhase::Pending,
            healthy: true,
            interrupted: false,
            deleting: false,
            active_deadline: pod.active_deadline.map(|d| {
                let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
                (d, Millis(now.0.saturating_add(ms)))
            }),
            deadline_exceeded: false,
            outcome: None,
        };
        sup.pump(now);
        sup
    }

    /// The next action to carry out. Drain it after every input.
    ///
    /// # Examples
    ///
    /// ```
    /// # use podspec::{Format, model::*};
    /// # use vmm_ref::supervisor::{Action, Millis, Options, Supervisor};
    /// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
    /// pod.containers.push(Container::new(ContainerName::try_from("a").unwrap(), Image::Host));
    /// let mut sup = Supervisor::new(&pod, Options::default(), Millis(0));
    /// assert!(matches!(sup.poll_action(), Some(Action::Start { .. })));
    /// ```
    #[must_use]
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// The next event to report.
    ///
    /// # Examples
    ///
    /// ```
    /// # use podspec::{Format, model::*};
    /// # use vmm_ref::supervisor::{Event, Millis, Options, PodPhase, Supervisor};
    /// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
    /// pod.containers.push(Container::new(ContainerName::try_from("a").unwrap(), Image::Host));
    /// let mut sup = Supervisor::new(&pod, Options::default(), Millis(0));
    /// assert_eq!(sup.poll_event(), None); // Pending is where a pod begins: no change yet
    /// ```
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When to call [`Supervisor::handle_timeout`] next: a backoff, a hook timeout, a SIGKILL
    /// deadline, a probe tick, a probe timeout or the pod's `activeDeadlineSeconds`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use podspec::{Format, model::*};
    /// # use vmm_ref::supervisor::{Millis, Options, Supervisor};
    /// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
    /// pod.containers.push(Container::new(ContainerName::try_from("a").unwrap(), Image::Host));
    /// let sup = Supervisor::new(&pod, Options::default(), Millis(0));
    /// assert_eq!(sup.poll_timeout(), None); // waiting for the start to be confirmed
    /// ```
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Millis> {
        let mut next = self.tracker.poll_timeout();
        if self.is_probing() {
            for s in &self.slots {
                if let Some(t) = s.probes.poll_timeout() {
                    next = Some(next.map_or(t, |n| n.min(t)));
                }
            }
        }
        if let Some(t) = self.pending_deadline() {
            next = Some(next.map_or(t, |n| n.min(t)));
        }
        next
    }

    /// Whether probe runs are handed out and probe deadlines wake the supervisor: not while a
    /// hook runs, nor once the pod reported a terminal phase (the kubelet's probe workers exit
    /// when the pod is Failed or Succeeded; a pod past its activeDeadlineSeconds is Failed
    /// while its containers are still being stopped) or finished.
    fn is_probing(&self) -> bool {
        !self.tracker.are_probes_paused()
            && self.outcome.is_none()
            && !self.deadline_exceeded
            && !self.phase.is_terminal()
    }

    /// The pod is being deleted: liveness and startup probes record success and stop, for good
    /// (also in a container that starts afterwards); readiness goes on (module docs).
    fn quiet_probes_for_deletion(&mut self, now: Millis) {
        self.deleting = true;
        for s in &mut self.slots {
            s.probes.handle_deletion(now);
            // A failure held for after a hook is overwritten as well (the kubelet's worker
            // sets success over the cached failure): the container is stopped, not killed.
            s.pending_kill = None;
        }
    }

    /// When the pod's `activeDeadlineSeconds` runs out, while it still can: not once the pod
    /// has reported a terminal phase (module docs).
    fn pending_deadline(&self) -> Option<Millis> {
        match self.active_deadline {
            Some((_, at))
                if !self.deadline_exceeded
                    && !self.interrupted
                    && self.outcome.is_none()
                    && !self.phase.is_terminal() =>
            {
                Some(at)
            }
            _ => None,
        }
    }

    /// Fails and stops the pod if its `activeDeadlineSeconds` has run out by `now` (module
    /// docs); whether it did.
    fn check_deadline(&mut self, now: Millis) -> bool {
        let Some(at) = self.pending_deadline() else {
            return false;
        };
        if now < at {
            return false;
        }
        self.deadline_exceeded = true;
        let after = self.active_deadline.map_or(Duration::ZERO, |(d, _)| d);
        self.events.push_back(Event::DeadlineExceeded { after });
        // Only a pod that has finished refuses a stop, and then there is no pending deadline.
        let _ = self.tracker.handle_stop(None, now);
        self.pump(now);
        true
    }

    /// Feeds one input.
    ///
    /// # Errors
    ///
    /// A `restart::Error` when the input does not fit (a start nobody asked for, a late hook
    /// result after its timeout, anything after the end); nothing changes then, and the caller
    /// may ignore it. Late or unknown probe results are ignored silently.
    ///
    /// # Examples
    ///
    /// ```
    /// # use podspec::{Format, model::*};
    /// # use vmm_ref::supervisor::{ContainerId, Input, Millis, Options, Supervisor};
    /// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
    /// pod.containers.push(Container::new(ContainerName::try_from("a").unwrap(), Image::Host));
    /// let mut sup = Supervisor::new(&pod, Options::default(), Millis(0));
    /// let a = ContainerId::regular(0);
    /// sup.handle(Input::Started { container: a }, Millis(5)).unwrap();
    /// assert!(sup.handle(Input::Started { container: a }, Millis(6)).is_err());
    /// ```
    pub fn handle(&mut self, input: Input, now: Millis) -> Result<(), restart::Error> {
        // A deadline due by now came before this input.
        self.check_deadline(now);
        match input {
            Input::Started { container } => {
                self.tracker.handle_started(container, now)?;
                let restarts = self.tracker.restart_count(container).unwrap_or(0);
                let deleting = self.deleting;
                if let Some(s) = self.slot_mut(container) {
                    s.probes.handle_container_started(now);
                    if deleting {
                        s.probes.handle_deletion(now);
                    }
                    s.pending_kill = None;
                    s.pc = PcState::Started;
                    s.ready = false;
                    let e = Event::Started {
                        container: s.name.clone(),
                        restarts,
                    };
                    self.events.push_back(e);
                }
            }
            Input::Exited { container, code } => {
                self.tracker.handle_exited(container, code, now)?;
                if let Some(s) = self.slot_mut(container) {
                    s.probes.handle_container_exited(now);
                    s.pending_kill = None;
                    let e = Event::Exited {
                        container: s.name.clone(),
                        code,
                    };
                    self.events.push_back(e);
                }
            }
            Input::ProbeFinished {
                container,
                probe,
                outcome,
            } => {
                if let Some(s) = self.slot_mut(container)
                    && s.probes.handle_result(probe, outcome, now).is_ok()
                {
                    // A result at or after its deadline counts as a failure in `phase`.
                    let failed = outcome != ProbeOutcome::Success;
                    if failed && outcome != ProbeOutcome::Error {
                        let kind = [
                            ProbeKind::Liveness,
                            ProbeKind::Readiness,
                            ProbeKind::Startup,
                        ]
                        .into_iter()
                        .find(|k| s.runs[probe_index(*k)] == Some(probe));
                        if let Some(kind) = kind {
                            let e = Event::ProbeFailed {
                                container: s.name.clone(),
                                kind,
                            };
                            self.events.push_back(e);
                        }
                    }
                }
            }
            Input::HookFinished {
                container,
                hook,
                outcome,
            } => {
                let reason = self.pending_reason(container, hook);
                self.tracker
                    .handle_hook_result(container, hook, outcome, now)?;
                if let Some(s) = self.slot(container) {
                    self.events.push_back(Event::HookRan {
                        container: s.name.clone(),
                        hook,
                        reason,
                        outcome,
                    });
                }
            }
            Input::Interrupt => {
                self.tracker.handle_stop(None, now)?;
                // An interrupt after the pod has finished stops nothing: its outcome stays
                // what the pod did (found by the supervisor fuzz target: a later delete
                // re-reported a succeeded pod as interrupted). Nor does one during the stop
                // of a pod whose deadline ran out (the first cause names the end).
                if self.outcome.is_none() && !self.deadline_exceeded {
                    self.interrupted = true;
                }
                self.quiet_probes_for_deletion(now);
            }
            Input::Delete => {
                self.tracker.handle_delete(None, now)?;
                self.quiet_probes_for_deletion(now);
            }
        }
        self.pump(now);
        Ok(())
    }

    /// Time passed: fires due backoffs, hook timeouts, SIGKILL deadlines and probe ticks.
    /// Harmless when nothing is due.
    ///
    /// # Examples
    ///
    /// ```
    /// # use podspec::{Format, model::*};
    /// # use vmm_ref::supervisor::{Millis, Options, Supervisor};
    /// let pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
    /// let mut sup = Supervisor::new(&pod, Options::default(), Millis(0));
    /// sup.handle_timeout(Millis(10));
    /// assert!(sup.poll_action().is_some()); // the (empty) pod's Finish, still there
    /// ```
    pub fn handle_timeout(&mut self, now: Millis) {
        self.check_deadline(now);
        // A hook that times out is reported as such.
        let hook = self.tracker.active_hook();
        self.tracker.handle_timeout(now);
        if let Some(h) = hook
            && h.deadline <= now
            && self.tracker.active_hook() != Some(h)
        {
            let reason = self.pending_reason(h.container, h.hook);
            if let Some(s) = self.slot(h.container) {
                self.events.push_back(Event::HookRan {
                    container: s.name.clone(),
                    hook: h.hook,
                    reason,
                    outcome: HookOutcome::TimedOut,
                });
            }
        }
        if !self.tracker.are_probes_paused() {
            for s in &mut self.slots {
                s.probes.handle_timeout(now);
            }
        }
        self.pump(now);
    }

    /// The pod phase now (Kubernetes' `getPhase` over the containers' states).
    ///
    /// # Examples
    ///
    /// ```
    /// # use podspec::{Format, model::*};
    /// # use vmm_ref::supervisor::{ContainerId, Input, Millis, Options, PodPhase, Supervisor};
    /// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
    /// pod.containers.push(Container::new(ContainerName::try_from("a").unwrap(), Image::Host));
    /// let mut sup = Supervisor::new(&pod, Options::default(), Millis(0));
    /// sup.handle(Input::Started { container: ContainerId::regular(0) }, Millis(1)).unwrap();
    /// assert_eq!(sup.phase(), PodPhase::Running);
    /// ```
    #[must_use]
    pub const fn phase(&self) -> PodPhase {
        self.phase
    }

    /// pod-controller's health bit (module docs).
    ///
    /// # Examples
    ///
    /// ```
    /// # use podspec::{Format, model::*};
    /// # use vmm_ref::supervisor::{Millis, Options, Supervisor};
    /// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::PodController));
    /// pod.containers.push(Container::new(ContainerName::try_from("a").unwrap(), Image::Host));
    /// assert!(Supervisor::new(&pod, Options::default(), Millis(0)).is_healthy());
    /// ```
    #[must_use]
    pub const fn is_healthy(&self) -> bool {
        self.healthy
    }

    /// How the pod ended, once it has.
    ///
    /// # Examples
    ///
    /// ```
    /// # use podspec::{Format, model::*};
    /// # use vmm_ref::supervisor::{Millis, Options, Supervisor};
    /// let pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::Hyper));
    /// assert_eq!(Supervisor::new(&pod, Options::default(), Millis(0)).outcome().unwrap().exit_code(), 0);
    /// ```
    #[must_use]
    pub const fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    /// A container's name.
    ///
    /// # Examples
    ///
    /// ```
    /// # use podspec::{Format, model::*};
    /// # use vmm_ref::supervisor::{ContainerId, Millis, Options, Supervisor};
    /// let pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::Hyper));
    /// assert_eq!(Supervisor::new(&pod, Options::default(), Millis(0)).name(ContainerId::regular(0)), None);
    /// ```
    #[must_use]
    pub fn name(&self, container: ContainerId) -> Option<&str> {
        self.slot(container).map(|s| s.name.as_str())
    }

    /// The restart tracker, for queries (restart counts, run states, the stage).
    ///
    /// # Examples
    ///
    /// ```
    /// # use podspec::{Format, model::*};
    /// # use vmm_ref::supervisor::{ContainerId, Millis, Options, Supervisor};
    /// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
    /// pod.containers.push(Container::new(ContainerName::try_from("a").unwrap(), Image::Host));
    /// let sup = Supervisor::new(&pod, Options::default(), Millis(0));
    /// assert_eq!(sup.tracker().restart_count(ContainerId::regular(0)), Some(0));
    /// ```
    #[must_use]
    pub const fn tracker(&self) -> &PodTracker {
        &self.tracker
    }

    fn slot(&self, id: ContainerId) -> Option<&Slot> {
        self.slots.iter().find(|s| s.id == id)
    }

    fn slot_mut(&mut self, id: ContainerId) -> Option<&mut Slot> {
        self.slots.iter_mut().find(|s| s.id == id)
    }

    /// The preStop reason of the stop in progress, for a hook report.
    fn pending_reason(&self, container: ContainerId, hook: Hook) -> Option<StopReason> {
        if hook != Hook::PreStop {
            return None;
        }
        match self.tracker.run_state(container) {
            Some(RunState::PreStop { cause, .. }) => Some(cause.reason()),
            _ => None,
        }
    }

    /// Moves decisions between the machines until nothing changes, then updates the phase and
    /// the health bit.
    fn pump(&mut self, now: Millis) {
        loop {
            let mut progressed = false;
            // Probe conclusions into the tracker.
            for i in 0..self.slots.len() {
                while let Some(ev) = self.slots[i].probes.poll_event() {
                    progressed = true;
                    let id = self.slots[i].id;
                    match ev {
                        ProbeEvent::Kill { probe } => {
                            let kind = match probe {
                                ProbeKind::Startup => restart::ProbeKind::Startup,
                                _ => restart::ProbeKind::Liveness,
                            };
                            if self.tracker.are_probes_paused() {
                                // The tracker would ignore it: kept for after the hook.
                                self.slots[i].pending_kill = Some(kind);
                            } else {
                                // Ignored when the container is already being stopped.
                                let _ = self.tracker.handle_probe_failed(id, kind, now);
                            }
                        }
                        ProbeEvent::Ready | ProbeEvent::NotReady => {
                            let ready = ev == ProbeEvent::Ready;
                            let s = &mut self.slots[i];
                            if s.ready != ready {
                                s.ready = ready;
                                if s.probe_handlers[probe_index(ProbeKind::Readiness)].is_some() {
                                    self.events.push_back(Event::Ready {
                                        container: s.name.clone(),
                                        ready,
                                    });
                                }
                            }
                        }
                        ProbeEvent::Started => {}
                    }
                }
            }
            // Failures published during a hook, once no hook runs.
            if !self.tracker.are_probes_paused() {
                for i in 0..self.slots.len() {
                    if let Some(kind) = self.slots[i].pending_kill.take() {
                        progressed = true;
                        let id = self.slots[i].id;
                        let _ = self.tracker.handle_probe_failed(id, kind, now);
                    }
                }
            }
            // Tracker decisions into actions and events.
            while let Some(a) = self.tracker.poll_action() {
                progressed = true;
                self.translate(a, now);
            }
            // Due probe runs.
            if self.is_probing() {
                for s in &mut self.slots {
                    // Timed from now: a run asked for during a hook gets its whole timeout.
                    while let Some(run) = s.probes.poll_action_at(now) {
                        progressed = true;
                        match s.probe_handlers[probe_index(run.kind)].clone() {
                            Some(handler) => {
                                s.runs[probe_index(run.kind)] = Some(run.id);
                                self.actions.push_back(Action::RunProbe {
                                    container: s.id,
                                    probe: run.id,
                                    kind: run.kind,
                                    handler,
                                    timeout: run.timeout,
                                });
                            }
                            None => {
                                let _ = s.probes.handle_result(run.id, ProbeOutcome::Success, now);
                            }
                        }
                    }
                }
            }
            if !progressed {
                break;
            }
        }
        self.update_views();
    }

    fn translate(&mut self, a: restart::Action, now: Millis) {
        let _ = now;
        match a {
            restart::Action::StartContainer { container } => {
                self.actions.push_back(Action::Start { container });
            }
            restart::Action::KillContainer {
                container,
                signal,
                cause,
                ..
            } => {
                if let Some(s) = self.slot(container) {
                    let signal = match signal {
                        restart::Signal::Stop => s.stop_signal,
                        restart::Signal::Kill => plan::SIGKILL,
                    };
                    self.events.push_back(Event::Killing {
                        container: s.name.clone(),
                        signal,
                        cause,
                    });
                    self.actions.push_back(Action::Signal { container, signal });
                }
            }
            restart::Action::RunHook {
                container,
                hook,
                reason,
                timeout,
            } => {
                if let Some(handler) = self
                    .slot(container)
                    .and_then(|s| s.hooks[hook_index(hook)].clone())
                {
                    self.actions.push_back(Action::RunHook {
                        container,
                        hook,
                        handler,
                        reason,
                        timeout,
                    });
                }
            }
            restart::Action::RestartAfter { container, after } => {
                if let Some(s) = self.slot(container) {
                    self.events.push_back(Event::Restarting {
                        container: s.name.clone(),
                        after,
                    });
                }
            }
            restart::Action::RecreatePod { after } => {
                self.events.push_back(Event::Recreating { after });
                self.actions.push_back(Action::RecreateSandbox { after });
                for s in &mut self.slots {
                    s.pc = PcState::Started;
                    s.ready = false;
                }
            }
            restart::Action::KeepPod { status } => self.finish(Some(status), false),
            restart::Action::DeletePod => self.finish(None, true),
        }
    }

    fn finish(&mut self, status: Option<FinalStatus>, deleted: bool) {
        let status = if self.deadline_exceeded {
            FinalStatus::Failed
        } else {
            status.unwrap_or_else(|| self.final_status())
        };
        let failed = if status == FinalStatus::Succeeded {
            None
        } else {
            self.first_failure()
        };
        let outcome = Outcome {
            status,
            failed,
            interrupted: self.interrupted,
            deleted,
            deadline_exceeded: self.deadline_exceeded,
        };
        if self.phase != outcome.phase() {
            self.events.push_back(Event::PhaseChanged {
                phase: outcome.phase(),
            });
        }
        self.phase = outcome.phase();
        self.events.push_back(Event::Finished(outcome.clone()));
        self.actions.push_back(Action::Finish(outcome.clone()));
        self.outcome = Some(outcome);
    }

    /// restart's rule for the final status, for a deleted pod whose `DeletePod` carries none:
    /// asked of the tracker, so that it is the status a kept pod would have had (a copy of the
    /// rule here once disagreed about an init container that never ran, found by the fuzz
    /// target `supervisor`).
    fn final_status(&self) -> FinalStatus {
        self.tracker.final_status()
    }

    fn first_failure(&self) -> Option<(String, i32)> {
        let order = self
            .slots
            .iter()
            .filter(|s| s.kind == ContainerKind::Regular)
            .chain(
                self.slots
                    .iter()
                    .filter(|s| s.kind != ContainerKind::Regular),
            );
        let mut fallback = None;
        for s in order {
            match self.tracker.last_exit(s.id) {
                Some(e) if e.code.is_some_and(|c| c != 0) => {
                    return Some((s.name.clone(), e.code.unwrap_or(1)));
                }
                Some(e) if !e.is_success() && fallback.is_none() => {
                    fallback = Some((s.name.clone(), e.code.unwrap_or(1)));
                }
                _ => {}
            }
        }
        fallback
    }

    /// Recomputes the phase and the health bit and reports changes.
    fn update_views(&mut self) {
        if self.outcome.is_some() {
            return;
        }
        let (init, regular): (Vec<ContainerStatus>, Vec<ContainerStatus>) = {
            let mut init = Vec::new();
            let mut regular = Vec::new();
            for s in &self.slots {
                let st = self.status_of(s);
                if s.id.list == phase::ContainerList::Init {
                    init.push(st);
                } else {
                    regular.push(st);
                }
            }
            (init, regular)
        };
        let mut facts = PhaseFacts::new();
        if !matches!(self.tracker.stage(), Stage::Initializing) {
            facts = facts.initialized();
        }
        let mut phase = phase::aggregate(&self.spec, Statuses::new(&regular, &init), facts);
        if phase.is_terminal() && self.restarting() {
            // The tracker restarts a container that `phase` counts as finished (a failure
            // kill that exited 0 under OnFailure): the kubelet kills and starts it in one
            // sync, so its pod never shows a terminal phase there. Only the end is terminal.
            phase = PodPhase::Running;
        }
        if phase.is_terminal() && matches!(self.tracker.stage(), Stage::Recreating { .. }) {
            // Pod scope: this incarnation ended and the pod will be re-created; the next one
            // is pending, and only the pod's end is terminal (found by the supervisor fuzz
            // target: Failed was reported during the wait, then Pending).
            phase = PodPhase::Pending;
        }
        if self.deadline_exceeded {
            // Failed from the moment the deadline ran out, however the containers then end
            // (module docs).
            phase = PodPhase::Failed;
        }
        if phase != self.phase {
            self.phase = phase;
            self.events.push_back(Event::PhaseChanged { phase });
        }
        // Health bit.
        for i in 0..self.slots.len() {
            let obs = self.observation(&self.slots[i]);
            let s = &mut self.slots[i];
            s.pc = phase::next_pc_state(s.pc, obs);
        }
        let healthy = phase::pod_healthy(
            self.slots
                .iter()
                .filter(|s| s.kind == ContainerKind::Regular)
                .map(|s| s.pc),
        );
        if healthy != self.healthy {
            self.healthy = healthy;
            self.events.push_back(Event::HealthChanged { healthy });
        }
    }

    /// Whether a container that has run is about to run again (backing off or being started
    /// once more) while the pod goes on.
    fn restarting(&self) -> bool {
        self.outcome.is_none()
            && self.slots.iter().any(|s| {
                self.tracker.restart_count(s.id).unwrap_or(0) > 0
                    || self.tracker.last_exit(s.id).is_some()
            } && matches!(
                self.tracker.run_state(s.id),
                Some(RunState::BackOff { .. } | RunState::PreStart | RunState::Starting)
            ))
    }

    fn observation(&self, s: &Slot) -> PcObservation {
        let run = self.tracker.run_state(s.id).unwrap_or(RunState::Pending);
        let exited = match run {
            RunState::Done | RunState::BackOff { .. } => {
                Some(self.tracker.last_exit(s.id).is_some_and(|e| e.is_success()))
            }
            _ => None,
        };
        let live = s.probes.result(ProbeKind::Liveness);
        PcObservation {
            exited,
            liveness_started: run.is_live() && live.is_some() && s.has_probes,
            liveness_gave_up: live == Some(ProbeResult::Failure),
            liveness_healthy: live != Some(ProbeResult::Failure),
        }
    }

    fn status_of(&self, s: &Slot) -> ContainerStatus {
        let run = self.tracker.run_state(s.id).unwrap_or(RunState::Pending);
        let last = self.tracker.last_exit(s.id);
        let restarts = self.tracker.restart_count(s.id).unwrap_or(0);
        let term = |e: restart::ExitRecord| Termination::new(e.code.unwrap_or(137), e.at);
        let state = match run {
            RunState::Pending | RunState::PreStart | RunState::Starting => {
                let reason = if s.id.list == phase::ContainerList::Init {
                    WaitingReason::PodInitializing
                } else {
                    WaitingReason::ContainerCreating
                };
                ContainerState::waiting(reason)
            }
            RunState::BackOff { .. } => ContainerState::waiting(WaitingReason::CrashLoopBackOff),
            RunState::PostStart { started_at, .. } | RunState::Running { started_at } => {
                ContainerState::running(started_at)
            }
            RunState::PreStop { since, .. } => ContainerState::running(since),
            RunState::Stopping { .. } | RunState::Killed { .. } => {
                ContainerState::running(Millis::ZERO)
            }
            RunState::Done => match last {
                Some(e) if e.code.is_some() => ContainerState::Terminated(term(e)),
                _ => ContainerState::waiting(WaitingReason::ContainerCreating),
            },
        };
        let mut st = ContainerStatus::new(s.name.clone(), state)
            .with_restart_count(restarts)
            .with_ready(s.ready);
        if let (Some(e), false) = (last, matches!(run, RunState::Done)) {
            st = st.with_last_termination(term(e));
        }
        st
    }
}
