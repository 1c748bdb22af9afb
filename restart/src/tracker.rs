//! [`PodTracker`]: the pure decisions of this crate, driven by events, for one pod.
//!
//! The tracker is sans-I/O (STYLE.md H2, H3): the caller feeds it events with the time they
//! happened, drains the [`Action`]s it asks for, and wakes it at [`PodTracker::poll_timeout`].
//! It never sleeps and never reads a clock.
//!
//! # Driving loop
//!
//! ```
//! # use core::time::Duration;
//! # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
//! # use restart::{Action, Event, Millis, PodConfig, PodTracker};
//! let spec = PodSpec::new(RestartPolicy::OnFailure).with_container(ContainerSpec::new("app"));
//! let app = ContainerId::regular(0);
//! let mut now = Millis::ZERO;
//! let mut tracker = PodTracker::new(PodConfig::new(spec), now);
//! let mut log = Vec::new();
//! // A scripted runtime: the container starts, crashes twice, then exits 0.
//! let mut exits = vec![0, 1, 1];
//! for _ in 0..20 {
//!     // 1. Drain every action and carry it out (here: answer at once).
//!     while let Some(action) = tracker.poll_action() {
//!         log.push((now, action));
//!         if let Action::StartContainer { container } = action {
//!             tracker.handle(Event::Started { container }, now).unwrap();
//!             let code = exits.pop().unwrap();
//!             tracker.handle(Event::Exited { container, code }, now).unwrap();
//!         }
//!     }
//!     // 2. Sleep until the next deadline (here: jump the virtual clock), then tell the tracker.
//!     let Some(deadline) = tracker.poll_timeout() else { break };
//!     now = deadline;
//!     tracker.handle_timeout(now);
//! }
//! let restarts: Vec<_> = log.iter().filter_map(|(_, a)| match a {
//!     Action::RestartAfter { after, .. } => Some(after.as_secs()),
//!     _ => None,
//! }).collect();
//! assert_eq!(restarts, [0, 10]); // first restart at once, then CrashLoopBackOff
//! assert!(tracker.is_finished());
//! assert_eq!(log.last().unwrap().1, Action::KeepPod { status: restart::FinalStatus::Succeeded });
//! ```
//!
//! # What the tracker does
//!
//! - **Init containers** run one at a time, in order. A regular init container must exit 0
//!   before the next one starts; a failed one is retried unless its policy is `Never`, and a
//!   failure that will not be retried fails the pod. A sidecar (an init container with
//!   `restartPolicy: Always`) must have started (its post-start hooks done) before the next init
//!   container starts, and restarts whenever it exits. Regular containers start once every init
//!   container is done, one at a time, in order.
//! - **Container scope** ([`RestartScope::Container`]): each exit goes through [`decide`]:
//!   restart after its CrashLoopBackOff ([`Action::RestartAfter`], then the start sequence when
//!   due), or leave it done.
//! - **Pod scope** ([`RestartScope::Pod`]): no container restarts on its own.
//! - **The pod ends** when every regular container is done: sidecars still running are stopped
//!   (reason Dependency), last to first, then the pod's outcome comes out: [`Action::KeepPod`],
//!   [`Action::DeletePod`], or in pod scope [`Action::RecreatePod`] (see [`pod_outcome`]).
//! - **Hooks** follow [`crate::hooks`]: preStart before the start, postRestart and postStart after
//!   it, preStop (with its [`StopReason`]) before every stop signal when the grace period is above
//!   zero, then SIGKILL when the grace runs out. Hooks of the pod run one at a time; while one
//!   runs nothing else is started, restarted or stopped and probe failures are ignored (the
//!   caller should not probe: [`PodTracker::are_probes_paused`]). SIGKILL deadlines are never
//!   delayed, nor is the pod's end (see "The pod's end while a hook runs").
//! - **Starts are serialized**: after [`Action::StartContainer`] nothing else is started until
//!   the container is reported started (or exited), so postStart runs before the next container
//!   starts, as in the kubelet.
//! - **Stop and delete**: every live container gets preStop (reason Delete) then its stop signal,
//!   then SIGKILL after the grace period; regular and init containers first, sidecars after them,
//!   last to first. Nothing is (re)started any more.
//!
//! # Bounded work per call
//!
//! Every call ([`PodTracker::new`], a `handle_*` method, [`PodTracker::handle_timeout`]) does a
//! bounded amount of work and queues a bounded number of actions (a few per container). The
//! tracker waits for the runtime after every start and every hook, so the only cycle it could
//! run by itself is a pod-scope re-creation: a pod that ends as soon as it is created (it has no
//! containers) and whose re-creation is due at once (the first one always is; with a zero
//! back-off, every one is). The rule: **a pod is re-created at most once per call**. A
//! re-creation that falls due again within the same call waits for the next call:
//! [`Action::RecreatePod`] has been queued, [`PodTracker::poll_timeout`] returns the current
//! time, and the next [`PodTracker::handle_timeout`] performs it. So a zero back-off gives one
//! re-creation per wake-up, never an endless stream of them within one call; throttling the
//! wake-ups is the caller's timer (or a non-zero back-off).
//!
//! # Exits during a stop
//!
//! A container that exits while its preStop hook runs has received no signal yet: the exit is
//! its own ([`ExitHow::Exited`]), and its code decides restart and status as for any exit by
//! itself. Under `OnFailure`, a container killed for a failed probe that exits 0 during its
//! preStop is therefore done, not restarted, and counts as succeeded. Once the stop signal or
//! SIGKILL was sent, the exit is the kill's: a pod-ending stop never restarts, a failure kill
//! restarts unless the policy is `Never`, whatever the code. In every case the run's status is
//! its exit code alone ([`ExitRecord::is_success`]), as in Kubernetes' `getPhase`, so the phase
//! `phase` computes from the container statuses and the tracker's [`FinalStatus`] agree.
//!
//! # The pod's end while a hook runs
//!
//! A hook pauses the pod's work (starts, restarts, stops), not its end: when an init container
//! fails for good, or the last regular container is done, while a hook runs (a sidecar's
//! preStop after its liveness probe failed, say), the pod ends then and there ([`Stage::Ending`]);
//! the stops it asks for begin once the hook is over, and the pod finishes after that. So an
//! exit during the hook is decided as the exit of a terminating pod's container, which is never
//! restarted: a sidecar killed for its health that exits during its preStop, after an init
//! container failed the pod, stays done. (Deciding the end only after the hook let that sidecar
//! restart while `phase` already gave the pod's terminal phase, and the phase went back to
//! Running; found by the supervisor fuzz target's terminal-phase check.)
//!
//! # Call order and misuse
//!
//! Call a `handle_*` method (or [`PodTracker::handle`]) for each event, then drain
//! [`PodTracker::poll_action`] until it returns `None`, then arm a timer for
//! [`PodTracker::poll_timeout`] and call [`PodTracker::handle_timeout`] when it fires. A
//! spurious or early `handle_timeout` does nothing. An event that does not fit the tracker's
//! state (a `started` for a container that was not asked to start, a result for a hook that is
//! not running) returns an [`Error`] and changes nothing. Time that goes backwards is treated as
//! the latest time seen.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;
use core::time::Duration;

use phase::{ContainerId, ContainerKind, ContainerList, ContainerSpec, PodSpec};

use crate::backoff::{Backoff, BackoffConfig, BackoffEntry};
use crate::decision::{Decision, DecisionInput, ExitHow, LastRun, PodCondition, decide};
use crate::error::Error;
use crate::hooks::{
    DEFAULT_GRACE_PERIOD, Hook, HookConsequence, HookOutcome, Hooks, StopPlan, StopReason,
    hook_consequence, next_post_start_hook,
};
use crate::pod::{EndCause, FinalStatus, PodOrigin, PodOutcome, RestartScope, pod_outcome};
use crate::time::Millis;

/// Per-container settings the pod spec of `phase` does not carry.
///
/// # Examples
///
/// ```
/// # use core::time::Duration;
/// # use restart::{ContainerConfig, Hook, Hooks};
/// let c = ContainerConfig::default()
///     .with_hooks(Hooks::none().with(Hook::PreStop, Duration::from_secs(5)))
///     .with_probe_grace_period(Duration::from_secs(3));
/// assert!(c.hooks.has(Hook::PreStop));
/// assert_eq!(c.probe_grace_period, Some(Duration::from_secs(3)));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ContainerConfig {
    /// Its lifecycle hooks.
    pub hooks: Hooks,
    /// The liveness/startup probe's own `terminationGracePeriodSeconds`, which replaces the pod's
    /// grace period for a kill after a probe failure.
    pub probe_grace_period: Option<Duration>,
}

impl ContainerConfig {
    /// Sets the hooks.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{ContainerConfig, Hooks, DEFAULT_HOOK_TIMEOUT};
    /// assert_eq!(ContainerConfig::default().with_hooks(Hooks::all(DEFAULT_HOOK_TIMEOUT)).hooks, Hooks::all(DEFAULT_HOOK_TIMEOUT));
    /// ```
    #[must_use]
    pub const fn with_hooks(mut self, hooks: Hooks) -> Self {
        self.hooks = hooks;
        self
    }

    /// Sets the probe's grace period.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use restart::ContainerConfig;
    /// assert!(ContainerConfig::default().with_probe_grace_period(Duration::ZERO).probe_grace_period.is_some());
    /// ```
    #[must_use]
    pub const fn with_probe_grace_period(mut self, grace: Duration) -> Self {
        self.probe_grace_period = Some(grace);
        self
    }
}

/// Everything the tracker needs to know about the pod: user intent, plain data (STYLE.md H5).
///
/// # Examples
///
/// ```
/// # use core::time::Duration;
/// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
/// # use restart::{Hook, Hooks, PodConfig, PodOrigin, RestartScope};
/// let spec = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("app"));
/// let cfg = PodConfig::new(spec)
///     .with_scope(RestartScope::Pod)
///     .with_origin(PodOrigin::Kubernetes)
///     .with_grace_period(Duration::from_secs(5))
///     .with_hooks(ContainerId::regular(0), Hooks::none().with(Hook::PreStop, Duration::from_secs(2)));
/// assert!(cfg.container_config(ContainerId::regular(0)).hooks.has(Hook::PreStop));
/// assert_eq!(cfg.grace_period, Duration::from_secs(5));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodConfig {
    /// The pod's containers and restart policies.
    pub spec: PodSpec,
    /// Container scope (the kubelet's) or pod scope (Hyper's).
    pub scope: RestartScope,
    /// Where the pod came from (decides whether a finished pod is kept or deleted).
    pub origin: PodOrigin,
    /// `terminationGracePeriodSeconds` (default 30 s).
    pub grace_period: Duration,
    /// CrashLoopBackOff parameters (also used for pod-scope re-creation).
    pub backoff: BackoffConfig,
    /// Hooks and probe grace periods, per container; a container not listed has neither.
    pub containers: BTreeMap<ContainerId, ContainerConfig>,
}

impl PodConfig {
    /// Container scope, native origin, 30 s grace, the kubelet's backoff, no hooks.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{PodSpec, RestartPolicy};
    /// # use restart::{PodConfig, RestartScope};
    /// assert_eq!(PodConfig::new(PodSpec::new(RestartPolicy::Always)).scope, RestartScope::Container);
    /// ```
    #[must_use]
    pub fn new(spec: PodSpec) -> Self {
        Self {
            spec,
            scope: RestartScope::Container,
            origin: PodOrigin::Native,
            grace_period: DEFAULT_GRACE_PERIOD,
            backoff: BackoffConfig::default(),
            containers: BTreeMap::new(),
        }
    }

    /// Sets the restart scope.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{PodSpec, RestartPolicy};
    /// # use restart::{PodConfig, RestartScope};
    /// let cfg = PodConfig::new(PodSpec::new(RestartPolicy::Always)).with_scope(RestartScope::Pod);
    /// assert_eq!(cfg.scope, RestartScope::Pod);
    /// ```
    #[must_use]
    pub fn with_scope(mut self, scope: RestartScope) -> Self {
        self.scope = scope;
        self
    }

    /// Sets the origin.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{PodSpec, RestartPolicy};
    /// # use restart::{PodConfig, PodOrigin};
    /// let cfg = PodConfig::new(PodSpec::new(RestartPolicy::Always)).with_origin(PodOrigin::Kubernetes);
    /// assert_eq!(cfg.origin, PodOrigin::Kubernetes);
    /// ```
    #[must_use]
    pub fn with_origin(mut self, origin: PodOrigin) -> Self {
        self.origin = origin;
        self
    }

    /// Sets the termination grace period.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use phase::{PodSpec, RestartPolicy};
    /// # use restart::PodConfig;
    /// let cfg = PodConfig::new(PodSpec::new(RestartPolicy::Always)).with_grace_period(Duration::ZERO);
    /// assert!(cfg.grace_period.is_zero());
    /// ```
    #[must_use]
    pub fn with_grace_period(mut self, grace: Duration) -> Self {
        self.grace_period = grace;
        self
    }

    /// Sets the backoff parameters.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use phase::{PodSpec, RestartPolicy};
    /// # use restart::{BackoffConfig, PodConfig};
    /// let b = BackoffConfig::new(Duration::from_secs(1), Duration::from_secs(60));
    /// assert_eq!(PodConfig::new(PodSpec::new(RestartPolicy::Always)).with_backoff(b).backoff, b);
    /// ```
    #[must_use]
    pub fn with_backoff(mut self, backoff: BackoffConfig) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets one container's hooks.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, PodSpec, RestartPolicy};
    /// # use restart::{Hook, Hooks, PodConfig, DEFAULT_HOOK_TIMEOUT};
    /// let id = ContainerId::regular(0);
    /// let cfg = PodConfig::new(PodSpec::new(RestartPolicy::Always)).with_hooks(id, Hooks::all(DEFAULT_HOOK_TIMEOUT));
    /// assert!(cfg.container_config(id).hooks.has(Hook::PostRestart));
    /// ```
    #[must_use]
    pub fn with_hooks(mut self, container: ContainerId, hooks: Hooks) -> Self {
        self.containers.entry(container).or_default().hooks = hooks;
        self
    }

    /// Sets one container's probe grace period.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use phase::{ContainerId, PodSpec, RestartPolicy};
    /// # use restart::PodConfig;
    /// let id = ContainerId::regular(0);
    /// let cfg = PodConfig::new(PodSpec::new(RestartPolicy::Always)).with_probe_grace_period(id, Duration::from_secs(1));
    /// assert_eq!(cfg.container_config(id).probe_grace_period, Some(Duration::from_secs(1)));
    /// ```
    #[must_use]
    pub fn with_probe_grace_period(mut self, container: ContainerId, grace: Duration) -> Self {
        self.containers
            .entry(container)
            .or_default()
            .probe_grace_period = Some(grace);
        self
    }

    /// One container's settings (the defaults if it has none).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, PodSpec, RestartPolicy};
    /// # use restart::{ContainerConfig, PodConfig};
    /// let cfg = PodConfig::new(PodSpec::new(RestartPolicy::Always));
    /// assert_eq!(cfg.container_config(ContainerId::regular(3)), ContainerConfig::default());
    /// ```
    #[must_use]
    pub fn container_config(&self, container: ContainerId) -> ContainerConfig {
        self.containers.get(&container).copied().unwrap_or_default()
    }

    /// The containers in the tracker's order: init containers, then regular ones.
    fn ids(&self) -> impl Iterator<Item = ContainerId> + '_ {
        self.spec.iter().map(|(id, _, _)| id)
    }
}

/// A probe whose failure kills the container. (Readiness never kills.)
///
/// # Examples
///
/// ```
/// # use restart::{KillCause, ProbeKind};
/// assert_eq!(ProbeKind::Liveness.kill_cause(), KillCause::LivenessProbe);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProbeKind {
    /// The liveness probe.
    Liveness,
    /// The startup probe.
    Startup,
}

impl ProbeKind {
    /// The kill cause a published failure of this probe gives.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{KillCause, ProbeKind};
    /// assert_eq!(ProbeKind::Startup.kill_cause(), KillCause::StartupProbe);
    /// ```
    #[must_use]
    pub const fn kill_cause(self) -> KillCause {
        match self {
            Self::Liveness => KillCause::LivenessProbe,
            Self::Startup => KillCause::StartupProbe,
        }
    }
}

/// Why the tracker kills a container.
///
/// # Examples
///
/// ```
/// # use restart::{ExitHow, KillCause, StopReason};
/// assert_eq!(KillCause::LivenessProbe.reason(), StopReason::Health);
/// assert_eq!(KillCause::PodDeleted.exit_how(), ExitHow::Stopped);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KillCause {
    /// Its liveness probe failed.
    LivenessProbe,
    /// Its startup probe failed.
    StartupProbe,
    /// Its postStart or postRestart hook failed.
    PostStartHook,
    /// Something it depends on is gone (reported by the caller).
    DependencyLost,
    /// Every main container finished; this sidecar is no longer needed.
    PodFinished,
    /// The pod is being stopped.
    PodStopped,
    /// The pod is being deleted.
    PodDeleted,
}

impl KillCause {
    /// The preStop reason.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{KillCause, StopReason};
    /// assert_eq!(KillCause::PodFinished.reason(), StopReason::Dependency);
    /// assert_eq!(KillCause::PodStopped.reason(), StopReason::Delete);
    /// ```
    #[must_use]
    pub const fn reason(self) -> StopReason {
        match self {
            Self::LivenessProbe | Self::StartupProbe | Self::PostStartHook => StopReason::Health,
            Self::DependencyLost | Self::PodFinished => StopReason::Dependency,
            Self::PodStopped | Self::PodDeleted => StopReason::Delete,
        }
    }

    /// How the killed run counts for the decision table.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{ExitHow, KillCause};
    /// assert_eq!(KillCause::DependencyLost.exit_how(), ExitHow::Failed);
    /// ```
    #[must_use]
    pub const fn exit_how(self) -> ExitHow {
        match self {
            Self::LivenessProbe
            | Self::StartupProbe
            | Self::PostStartHook
            | Self::DependencyLost => ExitHow::Failed,
            Self::PodFinished | Self::PodStopped | Self::PodDeleted => ExitHow::Stopped,
        }
    }

    /// Whether the kill is part of the pod ending (these wait for the containers that must stop
    /// first: sidecars after the rest, last sidecar first).
    const fn is_pod_ending(self) -> bool {
        matches!(
            self,
            Self::PodFinished | Self::PodStopped | Self::PodDeleted
        )
    }
}

/// Which signal to send.
///
/// # Examples
///
/// ```
/// # use restart::Signal;
/// assert_ne!(Signal::Stop, Signal::Kill);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Signal {
    /// The container's stop signal (the image's `StopSignal`, SIGTERM by default).
    Stop,
    /// SIGKILL.
    Kill,
}

/// What the tracker asks the runtime to do. Plain data; the caller carries it out.
///
/// # Examples
///
/// ```
/// # use core::time::Duration;
/// # use phase::ContainerId;
/// # use restart::{Action, KillCause, Signal};
/// let a = Action::KillContainer {
///     container: ContainerId::regular(0),
///     signal: Signal::Stop,
///     grace: Duration::from_secs(30),
///     cause: KillCause::PodDeleted,
/// };
/// assert_eq!(a.container(), Some(ContainerId::regular(0)));
/// assert_eq!(Action::DeletePod.container(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub enum Action {
    /// Run a hook in (or for) the container; report it with [`Event::HookFinished`]. The tracker
    /// treats it as timed out after `timeout` (a later result is then an error to ignore).
    RunHook {
        /// The container.
        container: ContainerId,
        /// The hook.
        hook: Hook,
        /// For preStop: why the container is stopped.
        reason: Option<StopReason>,
        /// How long the hook may take.
        timeout: Duration,
    },
    /// Create and start the container; report [`Event::Started`] (or [`Event::Exited`] if it
    /// could not start).
    StartContainer {
        /// The container.
        container: ContainerId,
    },
    /// Send a signal. For [`Signal::Stop`], `grace` is how long until the tracker asks for
    /// SIGKILL; for [`Signal::Kill`] it is zero.
    KillContainer {
        /// The container.
        container: ContainerId,
        /// Which signal.
        signal: Signal,
        /// Time left before SIGKILL.
        grace: Duration,
        /// Why.
        cause: KillCause,
    },
    /// The container exited and will be restarted after `after` (CrashLoopBackOff; zero: now).
    /// Informational: the tracker emits the start sequence when it is due.
    RestartAfter {
        /// The container.
        container: ContainerId,
        /// The wait.
        after: Duration,
    },
    /// Pod scope: every container finished and the whole pod will be re-created after `after`.
    /// Tear the sandbox down; the new pod's first actions come when it is due.
    RecreatePod {
        /// The wait (the pod's own CrashLoopBackOff).
        after: Duration,
    },
    /// The pod is finished: keep it, stopped, with this status.
    KeepPod {
        /// Its final status.
        status: FinalStatus,
    },
    /// The pod is finished: remove it.
    DeletePod,
}

impl Action {
    /// The container the action is about, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ContainerId;
    /// # use restart::Action;
    /// let id = ContainerId::init(1);
    /// assert_eq!(Action::StartContainer { container: id }.container(), Some(id));
    /// ```
    #[must_use]
    pub const fn container(&self) -> Option<ContainerId> {
        match self {
            Self::RunHook { container, .. }
            | Self::StartContainer { container }
            | Self::KillContainer { container, .. }
            | Self::RestartAfter { container, .. } => Some(*container),
            Self::RecreatePod { .. } | Self::KeepPod { .. } | Self::DeletePod => None,
        }
    }
}

/// Something that happened, as reported by the runtime or the user.
///
/// # Examples
///
/// ```
/// # use phase::ContainerId;
/// # use restart::Event;
/// let e = Event::Exited { container: ContainerId::regular(0), code: 137 };
/// assert_ne!(e, Event::Tick);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// The container is running (after [`Action::StartContainer`]).
    Started {
        /// The container.
        container: ContainerId,
    },
    /// The container's process ended (exit code, or 128 + signal).
    Exited {
        /// The container.
        container: ContainerId,
        /// Its exit code.
        code: i32,
    },
    /// A liveness or startup probe published a failure (`phase` applies the thresholds).
    ProbeFailed {
        /// The container.
        container: ContainerId,
        /// Which probe.
        probe: ProbeKind,
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
    /// Something the container depends on is gone: kill it (reason Dependency); it restarts per
    /// policy.
    DependencyLost {
        /// The container.
        container: ContainerId,
    },
    /// Stop the pod and keep it (Hyper's `stop`); `grace` overrides the pod's grace period.
    Stop {
        /// The grace period override.
        grace: Option<Duration>,
    },
    /// Delete the pod; `grace` overrides the pod's grace period.
    Delete {
        /// The grace period override.
        grace: Option<Duration>,
    },
    /// Time passed (same as [`PodTracker::handle_timeout`]).
    Tick,
}

/// Where one container is, in the tracker's eyes. Part of the snapshot ([`TrackerState`]).
///
/// # Examples
///
/// ```
/// # use restart::{Millis, RunState};
/// assert!(RunState::Running { started_at: Millis(1) }.is_live());
/// assert!(!RunState::Done.is_live());
/// assert_eq!(RunState::Pending.name(), "pending");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RunState {
    /// Not started yet in this pod incarnation; waiting for its turn.
    Pending,
    /// Waiting out its CrashLoopBackOff; restarts at `due`.
    BackOff {
        /// When the restart is due.
        due: Millis,
    },
    /// Its preStart hook is running.
    PreStart,
    /// [`Action::StartContainer`] was sent; waiting for [`Event::Started`].
    Starting,
    /// Started; `hook` (postRestart or postStart) is to run or running.
    PostStart {
        /// The post-start hook in progress.
        hook: Hook,
        /// When it started.
        started_at: Millis,
    },
    /// Running.
    Running {
        /// When it started.
        started_at: Millis,
    },
    /// Being stopped: its preStop hook is running.
    PreStop {
        /// Why.
        cause: KillCause,
        /// The whole grace period.
        grace: Duration,
        /// When the preStop began.
        since: Millis,
    },
    /// The stop signal was sent; SIGKILL at `kill_at`.
    Stopping {
        /// Why.
        cause: KillCause,
        /// When SIGKILL is due.
        kill_at: Millis,
    },
    /// SIGKILL was sent; waiting for the exit.
    Killed {
        /// Why.
        cause: KillCause,
    },
    /// Finished for this pod incarnation.
    Done,
}

impl RunState {
    /// Whether a process exists or is being created (from the start request to the exit).
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::RunState;
    /// assert!(RunState::Starting.is_live());
    /// assert!(!RunState::Pending.is_live());
    /// ```
    #[must_use]
    pub const fn is_live(&self) -> bool {
        matches!(
            self,
            Self::Starting
                | Self::PostStart { .. }
                | Self::Running { .. }
                | Self::PreStop { .. }
                | Self::Stopping { .. }
                | Self::Killed { .. }
        )
    }

    /// A short name, for errors and logs.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::RunState;
    /// assert_eq!(RunState::Done.name(), "done");
    /// ```
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::BackOff { .. } => "in CrashLoopBackOff",
            Self::PreStart => "running its preStart hook",
            Self::Starting => "starting",
            Self::PostStart { .. } => "running its post-start hooks",
            Self::Running { .. } => "running",
            Self::PreStop { .. } => "running its preStop hook",
            Self::Stopping { .. } => "stopping",
            Self::Killed { .. } => "killed",
            Self::Done => "done",
        }
    }
}

/// How a container's last run ended.
///
/// # Examples
///
/// ```
/// # use restart::{ExitHow, ExitRecord, Millis};
/// let e = ExitRecord { how: ExitHow::Exited, code: Some(0), at: Millis(9) };
/// assert!(e.is_success());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExitRecord {
    /// By itself, killed for a failure, or stopped.
    pub how: ExitHow,
    /// The exit code (`None`: no process ran).
    pub code: Option<i32>,
    /// When.
    pub at: Millis,
}

impl ExitRecord {
    /// The run counts as succeeded: its process ended with exit code 0, however it came to end.
    ///
    /// This is Kubernetes' rule (`getPhase`, spec/kubernetes.md section 1): a terminated
    /// container counts as succeeded by its exit code alone, so a container that exits 0 while
    /// its preStop hook runs, or that answers its stop signal with exit 0, has succeeded, and the
    /// pod phase `phase` computes from the container statuses says so too. How the run ended
    /// ([`ExitHow`]) decides only whether it is restarted ([`crate::decide`]), never the status.
    /// A run with no process (`code: None`: a failed preStart, never started) did not succeed.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{ExitHow, ExitRecord, Millis};
    /// assert!(ExitRecord { how: ExitHow::Stopped, code: Some(0), at: Millis(0) }.is_success());
    /// assert!(!ExitRecord { how: ExitHow::Stopped, code: Some(143), at: Millis(0) }.is_success());
    /// assert!(!ExitRecord { how: ExitHow::Failed, code: None, at: Millis(0) }.is_success());
    /// ```
    #[must_use]
    pub const fn is_success(&self) -> bool {
        matches!(self.code, Some(0))
    }
}

/// Where the pod is. Part of the snapshot.
///
/// # Examples
///
/// ```
/// # use restart::{EndCause, Stage};
/// assert!(Stage::Ending { cause: EndCause::DeleteRequested }.is_terminating());
/// assert!(!Stage::Initializing.is_terminating());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Running the init containers.
    Initializing,
    /// Init done: the regular containers run and restart.
    Running,
    /// Ending: live containers are being stopped; nothing starts.
    Ending {
        /// Why the pod ends.
        cause: EndCause,
    },
    /// Pod scope: waiting to re-create the pod at `due`.
    Recreating {
        /// When.
        due: Millis,
    },
    /// Done for good.
    Finished {
        /// What became of it.
        outcome: PodOutcome,
    },
}

impl Stage {
    /// Whether nothing may (re)start any more in this incarnation.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{FinalStatus, PodOutcome, Stage};
    /// assert!(Stage::Finished { outcome: PodOutcome::Keep { status: FinalStatus::Failed } }.is_terminating());
    /// ```
    #[must_use]
    pub const fn is_terminating(&self) -> bool {
        !matches!(self, Self::Initializing | Self::Running)
    }
}

/// The hook that is running. Part of the snapshot.
///
/// # Examples
///
/// ```
/// # use phase::ContainerId;
/// # use restart::{ActiveHook, Hook, Millis};
/// let h = ActiveHook { container: ContainerId::regular(0), hook: Hook::PostStart, deadline: Millis(30_000) };
/// assert_eq!(h.hook, Hook::PostStart);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ActiveHook {
    /// The container.
    pub container: ContainerId,
    /// The hook.
    pub hook: Hook,
    /// When it times out.
    pub deadline: Millis,
}

/// One container in the snapshot.
///
/// # Examples
///
/// ```
/// # use phase::ContainerId;
/// # use restart::{ContainerRecord, RunState};
/// let r = ContainerRecord::new(ContainerId::init(0));
/// assert_eq!(r.run, RunState::Pending);
/// assert_eq!(r.restarts, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContainerRecord {
    /// Which container.
    pub id: ContainerId,
    /// Where it is.
    pub run: RunState,
    /// A stop asked for but not begun yet.
    pub stop_requested: Option<KillCause>,
    /// Its CrashLoopBackOff entry.
    pub backoff: Option<BackoffEntry>,
    /// Restarts so far (all incarnations).
    pub restarts: u32,
    /// Start attempts in this pod incarnation (0 means the next start is the first).
    pub starts: u32,
    /// Whether it has reached running in this incarnation (sidecar ordering).
    pub ran: bool,
    /// How its last run ended.
    pub last_exit: Option<ExitRecord>,
}

impl ContainerRecord {
    /// A container that has not started yet.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ContainerId;
    /// # use restart::ContainerRecord;
    /// assert!(ContainerRecord::new(ContainerId::regular(0)).last_exit.is_none());
    /// ```
    #[must_use]
    pub const fn new(id: ContainerId) -> Self {
        Self {
            id,
            run: RunState::Pending,
            stop_requested: None,
            backoff: None,
            restarts: 0,
            starts: 0,
            ran: false,
            last_exit: None,
        }
    }
}

/// A snapshot of a [`PodTracker`]: plain data with public fields (STYLE.md H20).
///
/// # Examples
///
/// ```
/// # use phase::{ContainerSpec, PodSpec, RestartPolicy};
/// # use restart::{Millis, PodConfig, PodTracker};
/// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
/// let t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
/// let snap = t.state();
/// let back = PodTracker::from_state(&snap).unwrap();
/// assert_eq!(back.state(), snap);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackerState {
    /// The configuration.
    pub config: PodConfig,
    /// The latest time seen.
    pub now: Millis,
    /// Where the pod is.
    pub stage: Stage,
    /// The hook that is running.
    pub hook: Option<ActiveHook>,
    /// The container whose start is awaiting confirmation.
    pub starting: Option<ContainerId>,
    /// A grace period given with a stop or delete request.
    pub grace_override: Option<Duration>,
    /// Every container, init containers first, in spec order.
    pub containers: Vec<ContainerRecord>,
    /// The pod's own backoff entry (pod-scope re-creation).
    pub pod_backoff: Option<BackoffEntry>,
    /// Pod incarnations so far (1 + re-creations).
    pub incarnation: u32,
    /// Actions not drained yet.
    pub pending: Vec<Action>,
}

/// Where the init sequence is ([`PodTracker::init_progress`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InitProgress {
    /// An init container or sidecar is yet to run (or to finish).
    Waiting,
    /// An init container failed and will not be retried: the pod fails.
    Failed,
    /// Every init container is done and every sidecar has run.
    Done,
}

#[derive(Clone, Debug)]
struct Slot {
    id: ContainerId,
    kind: ContainerKind,
    cfg: ContainerConfig,
    run: RunState,
    stop_requested: Option<KillCause>,
    backoff: Backoff,
    restarts: u32,
    starts: u32,
    ran: bool,
    last_exit: Option<ExitRecord>,
}

/// One pod's restart and lifecycle tracker. See the [module documentation](self) for the call
/// order, a driving loop, and what it does.
///
/// # Examples
///
/// ```
/// # use core::time::Duration;
/// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
/// # use restart::{Action, Event, Hook, Hooks, KillCause, Millis, PodConfig, PodTracker, Signal, StopReason};
/// let app = ContainerId::regular(0);
/// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
/// let cfg = PodConfig::new(spec).with_hooks(app, Hooks::none().with(Hook::PreStop, Duration::from_secs(5)));
/// let mut t = PodTracker::new(cfg, Millis::ZERO);
/// assert_eq!(t.poll_action(), Some(Action::StartContainer { container: app }));
/// t.handle_started(app, Millis(10)).unwrap();
/// t.handle_delete(None, Millis(20)).unwrap();
/// assert_eq!(
///     t.poll_action(),
///     Some(Action::RunHook { container: app, hook: Hook::PreStop, reason: Some(StopReason::Delete), timeout: Duration::from_secs(5) }),
/// );
/// t.handle_hook_result(app, Hook::PreStop, restart::HookOutcome::Succeeded, Millis(1_020)).unwrap();
/// assert_eq!(
///     t.poll_action(),
///     Some(Action::KillContainer { container: app, signal: Signal::Stop, grace: Duration::from_secs(29), cause: KillCause::PodDeleted }),
/// );
/// t.handle_exited(app, 143, Millis(2_000)).unwrap();
/// assert_eq!(t.poll_action(), Some(Action::DeletePod));
/// assert!(t.is_finished());
/// ```
#[derive(Clone, Debug)]
pub struct PodTracker {
    config: PodConfig,
    slots: Vec<Slot>,
    stage: Stage,
    hook: Option<ActiveHook>,
    starting: Option<ContainerId>,
    grace_override: Option<Duration>,
    pod_backoff: Backoff,
    incarnation: u32,
    actions: VecDeque<Action>,
    now: Millis,
}

impl PodTracker {
    /// A tracker for a pod that starts at `now`; its first actions are ready at once.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Action, Millis, PodConfig, PodTracker};
    /// let spec = PodSpec::new(RestartPolicy::Always)
    ///     .with_init_container(ContainerSpec::new("setup"))
    ///     .with_container(ContainerSpec::new("app"));
    /// let mut t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// assert_eq!(t.poll_action(), Some(Action::StartContainer { container: ContainerId::init(0) }));
    /// assert_eq!(t.poll_action(), None); // the app waits for the init container
    /// ```
    #[must_use]
    pub fn new(config: PodConfig, now: Millis) -> Self {
        let slots = config
            .spec
            .iter()
            .map(|(id, kind, _)| Slot {
                id,
                kind,
                cfg: config.container_config(id),
                run: RunState::Pending,
                stop_requested: None,
                backoff: Backoff::new(config.backoff),
                restarts: 0,
                starts: 0,
                ran: false,
                last_exit: None,
            })
            .collect();
        let mut tracker = Self {
            pod_backoff: Backoff::new(config.backoff),
            config,
            slots,
            stage: Stage::Initializing,
            hook: None,
            starting: None,
            grace_override: None,
            incarnation: 1,
            actions: VecDeque::new(),
            now,
        };
        tracker.drive();
        tracker
    }

    /// A tracker restored from a snapshot.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidState`] if the containers do not match the configuration's, in order, or
    /// the running hook or pending start names a container in the wrong state.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Error, Millis, PodConfig, PodTracker};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let mut snap = PodTracker::new(PodConfig::new(spec), Millis::ZERO).state();
    /// snap.containers.clear();
    /// assert!(matches!(PodTracker::from_state(&snap), Err(Error::InvalidState { .. })));
    /// ```
    pub fn from_state(state: &TrackerState) -> Result<Self, Error> {
        let config = state.config.clone();
        if !config.ids().eq(state.containers.iter().map(|c| c.id)) {
            return Err(Error::InvalidState {
                what: "containers do not match the pod spec",
            });
        }
        let slots: Vec<Slot> = config
            .spec
            .iter()
            .zip(&state.containers)
            .map(|((id, kind, _), rec)| Slot {
                id,
                kind,
                cfg: config.container_config(id),
                run: rec.run,
                stop_requested: rec.stop_requested,
                backoff: Backoff::with_entry(config.backoff, rec.backoff),
                restarts: rec.restarts,
                starts: rec.starts,
                ran: rec.ran,
                last_exit: rec.last_exit,
            })
            .collect();
        let find = |id: ContainerId| slots.iter().find(|s| s.id == id);
        if let Some(h) = state.hook {
            let ok = find(h.container).is_some_and(|s| match (h.hook, s.run) {
                (Hook::PreStart, RunState::PreStart) => true,
                (Hook::PreStop, RunState::PreStop { .. }) => true,
                (Hook::PostStart | Hook::PostRestart, RunState::PostStart { hook, .. }) => {
                    hook == h.hook
                }
                // The container may have exited while its hook ran.
                (_, RunState::Done | RunState::BackOff { .. }) => true,
                _ => false,
            });
            if !ok {
                return Err(Error::InvalidState {
                    what: "the running hook does not fit its container",
                });
            }
        }
        if let Some(id) = state.starting
            && !find(id).is_some_and(|s| s.run == RunState::Starting)
        {
            return Err(Error::InvalidState {
                what: "the pending start does not fit its container",
            });
        }
        Ok(Self {
            pod_backoff: Backoff::with_entry(config.backoff, state.pod_backoff),
            config,
            slots,
            stage: state.stage,
            hook: state.hook,
            starting: state.starting,
            grace_override: state.grace_override,
            incarnation: state.incarnation,
            actions: state.pending.iter().copied().collect(),
            now: state.now,
        })
    }

    /// A snapshot of the tracker.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Millis, PodConfig, PodTracker, Stage};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let t = PodTracker::new(PodConfig::new(spec), Millis(7));
    /// let snap = t.state();
    /// assert_eq!(snap.now, Millis(7));
    /// assert_eq!(snap.stage, Stage::Running);
    /// assert_eq!(snap.pending.len(), 1);
    /// ```
    #[must_use]
    pub fn state(&self) -> TrackerState {
        TrackerState {
            config: self.config.clone(),
            now: self.now,
            stage: self.stage,
            hook: self.hook,
            starting: self.starting,
            grace_override: self.grace_override,
            containers: self
                .slots
                .iter()
                .map(|s| ContainerRecord {
                    id: s.id,
                    run: s.run,
                    stop_requested: s.stop_requested,
                    backoff: s.backoff.entry().copied(),
                    restarts: s.restarts,
                    starts: s.starts,
                    ran: s.ran,
                    last_exit: s.last_exit,
                })
                .collect(),
            pod_backoff: self.pod_backoff.entry().copied(),
            incarnation: self.incarnation,
            pending: self.actions.iter().copied().collect(),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Queries
    // -----------------------------------------------------------------------------------------

    /// The configuration.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{PodSpec, RestartPolicy};
    /// # use restart::{Millis, PodConfig, PodTracker};
    /// let t = PodTracker::new(PodConfig::new(PodSpec::new(RestartPolicy::Never)), Millis::ZERO);
    /// assert_eq!(t.config().spec.restart_policy, RestartPolicy::Never);
    /// ```
    #[must_use]
    pub const fn config(&self) -> &PodConfig {
        &self.config
    }

    /// Where the pod is.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Millis, PodConfig, PodTracker, Stage};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_init_container(ContainerSpec::new("i"));
    /// assert_eq!(PodTracker::new(PodConfig::new(spec), Millis::ZERO).stage(), Stage::Initializing);
    /// ```
    #[must_use]
    pub const fn stage(&self) -> Stage {
        self.stage
    }

    /// Whether the pod is finished (kept or deleted).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{PodSpec, RestartPolicy};
    /// # use restart::{Action, FinalStatus, Millis, PodConfig, PodTracker};
    /// // A pod with no containers has nothing to run: it finishes at once.
    /// let mut t = PodTracker::new(PodConfig::new(PodSpec::new(RestartPolicy::Always)), Millis::ZERO);
    /// assert!(t.is_finished());
    /// assert_eq!(t.poll_action(), Some(Action::KeepPod { status: FinalStatus::Succeeded }));
    /// ```
    #[must_use]
    pub const fn is_finished(&self) -> bool {
        matches!(self.stage, Stage::Finished { .. })
    }

    /// A container's state, if the pod has that container.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Millis, PodConfig, PodTracker, RunState};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// assert_eq!(t.run_state(ContainerId::regular(0)), Some(RunState::Starting));
    /// assert_eq!(t.run_state(ContainerId::regular(1)), None);
    /// ```
    #[must_use]
    pub fn run_state(&self, container: ContainerId) -> Option<RunState> {
        self.slot(container).map(|s| s.run)
    }

    /// How many times a container has been restarted.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Millis, PodConfig, PodTracker};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// assert_eq!(t.restart_count(ContainerId::regular(0)), Some(0));
    /// ```
    #[must_use]
    pub fn restart_count(&self, container: ContainerId) -> Option<u32> {
        self.slot(container).map(|s| s.restarts)
    }

    /// How a container's last run ended.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Millis, PodConfig, PodTracker};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let mut t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// let app = ContainerId::regular(0);
    /// t.handle_started(app, Millis(1)).unwrap();
    /// t.handle_exited(app, 3, Millis(2)).unwrap();
    /// assert_eq!(t.last_exit(app).and_then(|e| e.code), Some(3));
    /// ```
    #[must_use]
    pub fn last_exit(&self, container: ContainerId) -> Option<ExitRecord> {
        self.slot(container).and_then(|s| s.last_exit)
    }

    /// The pod's status by the rule of [`crate::pod`] ("Status"), from the containers' last
    /// runs as they are now: Succeeded iff every regular container's last run ended with exit
    /// code 0 ([`ExitRecord::is_success`]) and no init container that ran failed; sidecars do
    /// not count. [`Action::KeepPod`] carries this status; [`Action::DeletePod`] carries none,
    /// so a caller that reports a deleted pod's status asks here (one rule, kept in one place).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{FinalStatus, Millis, PodConfig, PodTracker};
    /// let spec = PodSpec::new(RestartPolicy::Never)
    ///     .with_init_container(ContainerSpec::new("setup"))
    ///     .with_container(ContainerSpec::new("app"));
    /// let mut t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// assert_eq!(t.final_status(), FinalStatus::Failed); // the app has not run
    /// t.handle_started(ContainerId::init(0), Millis(1)).unwrap();
    /// t.handle_exited(ContainerId::init(0), 0, Millis(2)).unwrap();
    /// t.handle_started(ContainerId::regular(0), Millis(3)).unwrap();
    /// t.handle_exited(ContainerId::regular(0), 0, Millis(4)).unwrap();
    /// assert_eq!(t.final_status(), FinalStatus::Succeeded);
    /// ```
    #[must_use]
    pub fn final_status(&self) -> FinalStatus {
        let ok = self.slots.iter().all(|s| match s.kind {
            ContainerKind::Sidecar => true,
            // An init container that never ran only matters through the regular containers.
            ContainerKind::Init => s.last_exit.is_none_or(|e| e.is_success()),
            ContainerKind::Regular => s.last_exit.is_some_and(|e| e.is_success()),
        });
        FinalStatus::from_success(ok)
    }

    /// The hook that is running, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Hook, Hooks, Millis, PodConfig, PodTracker, DEFAULT_HOOK_TIMEOUT};
    /// let app = ContainerId::regular(0);
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let cfg = PodConfig::new(spec).with_hooks(app, Hooks::all(DEFAULT_HOOK_TIMEOUT));
    /// let t = PodTracker::new(cfg, Millis::ZERO);
    /// assert_eq!(t.active_hook().map(|h| h.hook), Some(Hook::PreStart));
    /// ```
    #[must_use]
    pub const fn active_hook(&self) -> Option<ActiveHook> {
        self.hook
    }

    /// Whether the pod's probes are paused because one of its hooks is running. Probe failures
    /// handed in meanwhile are ignored.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Millis, PodConfig, PodTracker};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// assert!(!PodTracker::new(PodConfig::new(spec), Millis::ZERO).are_probes_paused());
    /// ```
    #[must_use]
    pub const fn are_probes_paused(&self) -> bool {
        self.hook.is_some()
    }

    /// The latest time the tracker has seen.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{PodSpec, RestartPolicy};
    /// # use restart::{Millis, PodConfig, PodTracker};
    /// let mut t = PodTracker::new(PodConfig::new(PodSpec::new(RestartPolicy::Always)), Millis(5));
    /// t.handle_timeout(Millis(3)); // time going backwards is ignored
    /// assert_eq!(t.now(), Millis(5));
    /// ```
    #[must_use]
    pub const fn now(&self) -> Millis {
        self.now
    }

    // -----------------------------------------------------------------------------------------
    // Outputs
    // -----------------------------------------------------------------------------------------

    /// The next action to carry out, in order. Drain it after every event.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Action, Millis, PodConfig, PodTracker};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let mut t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// assert!(matches!(t.poll_action(), Some(Action::StartContainer { .. })));
    /// assert_eq!(t.poll_action(), None);
    /// ```
    #[must_use]
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// The next time the tracker needs to be woken with [`PodTracker::handle_timeout`]: a hook
    /// timeout, a SIGKILL deadline, a CrashLoopBackOff restart, or a pod re-creation.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Millis, PodConfig, PodTracker};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let mut t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// let app = ContainerId::regular(0);
    /// t.handle_started(app, Millis(0)).unwrap();
    /// t.handle_exited(app, 1, Millis(1_000)).unwrap(); // restarted at once
    /// t.handle_started(app, Millis(1_000)).unwrap();
    /// t.handle_exited(app, 1, Millis(2_000)).unwrap(); // now in CrashLoopBackOff: 10 s
    /// assert_eq!(t.poll_timeout(), Some(Millis(12_000)));
    /// ```
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Millis> {
        let mut next: Option<Millis> = None;
        let mut consider = |t: Millis| next = Some(next.map_or(t, |n| n.min(t)));
        if let Some(h) = self.hook {
            consider(h.deadline);
        }
        for s in &self.slots {
            match s.run {
                RunState::Stopping { kill_at, .. } => consider(kill_at),
                RunState::BackOff { due } if self.hook.is_none() && self.starting.is_none() => {
                    consider(due);
                }
                _ => {}
            }
        }
        if let Stage::Recreating { due } = self.stage {
            consider(due);
        }
        next
    }

    // -----------------------------------------------------------------------------------------
    // Inputs
    // -----------------------------------------------------------------------------------------

    /// Feeds one event. The same as the matching `handle_*` method.
    ///
    /// # Errors
    ///
    /// As the matching `handle_*` method.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Event, Millis, PodConfig, PodTracker, RunState};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let mut t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// let app = ContainerId::regular(0);
    /// t.handle(Event::Started { container: app }, Millis(3)).unwrap();
    /// assert_eq!(t.run_state(app), Some(RunState::Running { started_at: Millis(3) }));
    /// ```
    pub fn handle(&mut self, event: Event, now: Millis) -> Result<(), Error> {
        match event {
            Event::Started { container } => self.handle_started(container, now),
            Event::Exited { container, code } => self.handle_exited(container, code, now),
            Event::ProbeFailed { container, probe } => {
                self.handle_probe_failed(container, probe, now)
            }
            Event::HookFinished {
                container,
                hook,
                outcome,
            } => self.handle_hook_result(container, hook, outcome, now),
            Event::DependencyLost { container } => self.handle_dependency_lost(container, now),
            Event::Stop { grace } => self.handle_stop(grace, now),
            Event::Delete { grace } => self.handle_delete(grace, now),
            Event::Tick => {
                self.handle_timeout(now);
                Ok(())
            }
        }
    }

    /// Time passed: fires whatever is due. Harmless when nothing is.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Millis, PodConfig, PodTracker};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let mut t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// let _ = t.poll_action();
    /// t.handle_timeout(Millis(1_000_000));
    /// assert_eq!(t.poll_action(), None);
    /// ```
    pub fn handle_timeout(&mut self, now: Millis) {
        self.advance(now);
        self.drive();
    }

    /// The container is running.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownContainer`]; [`Error::UnexpectedEvent`] unless the container was asked to
    /// start and has not been reported yet; [`Error::PodFinished`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Error, Millis, PodConfig, PodTracker};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let mut t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// let app = ContainerId::regular(0);
    /// t.handle_started(app, Millis(1)).unwrap();
    /// assert!(matches!(t.handle_started(app, Millis(2)), Err(Error::UnexpectedEvent { .. })));
    /// ```
    pub fn handle_started(&mut self, container: ContainerId, now: Millis) -> Result<(), Error> {
        let i = self.index_for_event(container)?;
        if self.slots[i].run != RunState::Starting {
            return Err(self.unexpected(i, "started"));
        }
        self.advance(now);
        let now = self.now;
        if self.starting == Some(container) {
            self.starting = None;
        }
        let slot = &mut self.slots[i];
        slot.ran = true;
        let first = slot.starts <= 1;
        slot.run = match next_post_start_hook(&slot.cfg.hooks, first, None) {
            Some(hook) => RunState::PostStart {
                hook,
                started_at: now,
            },
            None => RunState::Running { started_at: now },
        };
        self.drive();
        Ok(())
    }

    /// The container's process ended with `code`.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownContainer`]; [`Error::UnexpectedEvent`] if the container has no process
    /// (never asked to start, or already exited); [`Error::PodFinished`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Action, FinalStatus, Millis, PodConfig, PodTracker};
    /// let spec = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("app"));
    /// let mut t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// let app = ContainerId::regular(0);
    /// let _ = t.poll_action();
    /// t.handle_started(app, Millis(1)).unwrap();
    /// t.handle_exited(app, 2, Millis(5)).unwrap();
    /// assert_eq!(t.poll_action(), Some(Action::KeepPod { status: FinalStatus::Failed }));
    /// ```
    pub fn handle_exited(
        &mut self,
        container: ContainerId,
        code: i32,
        now: Millis,
    ) -> Result<(), Error> {
        let i = self.index_for_event(container)?;
        let how = match self.slots[i].run {
            // While its preStop hook runs, no signal has reached the container yet: it ended by
            // itself, and its exit code decides as for any other exit (module docs, "Exits
            // during a stop").
            RunState::Starting
            | RunState::PostStart { .. }
            | RunState::Running { .. }
            | RunState::PreStop { .. } => ExitHow::Exited,
            RunState::Stopping { cause, .. } | RunState::Killed { cause } => cause.exit_how(),
            RunState::Pending | RunState::BackOff { .. } | RunState::PreStart | RunState::Done => {
                return Err(self.unexpected(i, "exited"));
            }
        };
        self.advance(now);
        if self.starting == Some(container) {
            self.starting = None;
        }
        let exit = ExitRecord {
            how,
            code: Some(code),
            at: self.now,
        };
        self.record_exit(i, exit);
        self.drive();
        Ok(())
    }

    /// A liveness or startup probe published a failure: kill the container (reason Health).
    /// Ignored while a hook runs (probes are paused), while the pod is ending, and for a
    /// container that is not running.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownContainer`]; [`Error::PodFinished`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Action, KillCause, Millis, PodConfig, PodTracker, ProbeKind, Signal};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let mut t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// let app = ContainerId::regular(0);
    /// let _ = t.poll_action();
    /// t.handle_started(app, Millis(1)).unwrap();
    /// t.handle_probe_failed(app, ProbeKind::Liveness, Millis(2)).unwrap();
    /// assert_eq!(
    ///     t.poll_action(),
    ///     Some(Action::KillContainer { container: app, signal: Signal::Stop, grace: Duration::from_secs(30), cause: KillCause::LivenessProbe }),
    /// );
    /// ```
    pub fn handle_probe_failed(
        &mut self,
        container: ContainerId,
        probe: ProbeKind,
        now: Millis,
    ) -> Result<(), Error> {
        let i = self.index_for_event(container)?;
        self.advance(now);
        if self.hook.is_none() && !self.stage.is_terminating() {
            self.request_stop(i, probe.kill_cause());
        }
        self.drive();
        Ok(())
    }

    /// Something the container depends on is gone: kill it (reason Dependency); it then restarts
    /// per policy. Ignored for a container that is not running and while the pod is ending.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownContainer`]; [`Error::PodFinished`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Action, KillCause, Millis, PodConfig, PodTracker};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let mut t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// let app = ContainerId::regular(0);
    /// let _ = t.poll_action();
    /// t.handle_started(app, Millis(1)).unwrap();
    /// t.handle_dependency_lost(app, Millis(2)).unwrap();
    /// assert!(matches!(t.poll_action(), Some(Action::KillContainer { cause: KillCause::DependencyLost, .. })));
    /// ```
    pub fn handle_dependency_lost(
        &mut self,
        container: ContainerId,
        now: Millis,
    ) -> Result<(), Error> {
        let i = self.index_for_event(container)?;
        self.advance(now);
        if !self.stage.is_terminating() {
            self.request_stop(i, KillCause::DependencyLost);
        }
        self.drive();
        Ok(())
    }

    /// A hook finished.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownContainer`]; [`Error::UnexpectedHookResult`] if that hook is not the one
    /// running (for instance it already timed out); [`Error::PodFinished`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Action, Hook, HookOutcome, Hooks, Millis, PodConfig, PodTracker, DEFAULT_HOOK_TIMEOUT};
    /// let app = ContainerId::regular(0);
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let cfg = PodConfig::new(spec).with_hooks(app, Hooks::none().with(Hook::PreStart, DEFAULT_HOOK_TIMEOUT));
    /// let mut t = PodTracker::new(cfg, Millis::ZERO);
    /// assert!(matches!(t.poll_action(), Some(Action::RunHook { hook: Hook::PreStart, .. })));
    /// t.handle_hook_result(app, Hook::PreStart, HookOutcome::Succeeded, Millis(1)).unwrap();
    /// assert_eq!(t.poll_action(), Some(Action::StartContainer { container: app }));
    /// ```
    pub fn handle_hook_result(
        &mut self,
        container: ContainerId,
        hook: Hook,
        outcome: HookOutcome,
        now: Millis,
    ) -> Result<(), Error> {
        self.index_for_event(container)?;
        if self
            .hook
            .is_none_or(|h| h.container != container || h.hook != hook)
        {
            return Err(Error::UnexpectedHookResult { container, hook });
        }
        self.advance(now);
        self.finish_hook(outcome);
        self.drive();
        Ok(())
    }

    /// Stop the pod and keep it: every live container gets preStop (reason Delete), its stop
    /// signal, then SIGKILL after the grace period (`grace`, else the pod's). Nothing restarts,
    /// and the pod is not re-created. A finished pod is left as it is.
    ///
    /// # Errors
    ///
    /// None today; the `Result` keeps the `handle_*` shape.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Action, FinalStatus, KillCause, Millis, PodConfig, PodTracker, Signal};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let mut t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// let app = ContainerId::regular(0);
    /// let _ = t.poll_action();
    /// t.handle_started(app, Millis(1)).unwrap();
    /// t.handle_stop(Some(Duration::ZERO), Millis(2)).unwrap();
    /// assert_eq!(
    ///     t.poll_action(),
    ///     Some(Action::KillContainer { container: app, signal: Signal::Kill, grace: Duration::ZERO, cause: KillCause::PodStopped }),
    /// );
    /// t.handle_exited(app, 137, Millis(3)).unwrap();
    /// assert_eq!(t.poll_action(), Some(Action::KeepPod { status: FinalStatus::Failed }));
    /// ```
    pub fn handle_stop(&mut self, grace: Option<Duration>, now: Millis) -> Result<(), Error> {
        self.advance(now);
        self.end(EndCause::StopRequested, grace);
        self.drive();
        Ok(())
    }

    /// Delete the pod: as [`PodTracker::handle_stop`], then [`Action::DeletePod`]. A finished pod
    /// that was kept is deleted at once.
    ///
    /// # Errors
    ///
    /// [`Error::PodFinished`] if the pod was already deleted.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerSpec, PodSpec, RestartPolicy};
    /// # use restart::{Action, Error, Millis, PodConfig, PodTracker};
    /// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("app"));
    /// let mut t = PodTracker::new(PodConfig::new(spec), Millis::ZERO);
    /// let _ = t.poll_action(); // StartContainer, not confirmed yet
    /// t.handle_delete(None, Millis(1)).unwrap();
    /// t.handle_exited(phase::ContainerId::regular(0), 1, Millis(2)).unwrap();
    /// assert_eq!(t.poll_action(), Some(Action::DeletePod));
    /// assert_eq!(t.handle_delete(None, Millis(3)), Err(Error::PodFinished));
    /// ```
    pub fn handle_delete(&mut self, grace: Option<Duration>, now: Millis) -> Result<(), Error> {
        if let Stage::Finished {
            outcome: PodOutcome::Delete,
        } = self.stage
        {
            return Err(Error::PodFinished);
        }
        self.advance(now);
        self.end(EndCause::DeleteRequested, grace);
        self.drive();
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Internals
    // -----------------------------------------------------------------------------------------

    fn advance(&mut self, now: Millis) {
        self.now = self.now.max(now);
    }

    fn slot(&self, container: ContainerId) -> Option<&Slot> {
        self.index(container).map(|i| &self.slots[i])
    }

    fn index(&self, container: ContainerId) -> Option<usize> {
        let n_init = self.config.spec.init_containers.len();
        let i = match container.list {
            ContainerList::Init if container.index < n_init => container.index,
            ContainerList::Regular if container.index < self.config.spec.containers.len() => {
                n_init + container.index
            }
            _ => return None,
        };
        Some(i)
    }

    fn index_for_event(&self, container: ContainerId) -> Result<usize, Error> {
        let i = self
            .index(container)
            .ok_or(Error::UnknownContainer { container })?;
        if self.is_finished() {
            return Err(Error::PodFinished);
        }
        Ok(i)
    }

    fn unexpected(&self, i: usize, event: &'static str) -> Error {
        Error::UnexpectedEvent {
            container: self.slots[i].id,
            event,
            state: self.slots[i].run.name(),
        }
    }

    fn spec(&self, i: usize) -> &ContainerSpec {
        let id = self.slots[i].id;
        match id.list {
            ContainerList::Init => &self.config.spec.init_containers[id.index],
            ContainerList::Regular => &self.config.spec.containers[id.index],
        }
    }

    fn push(&mut self, action: Action) {
        self.actions.push_back(action);
    }

    /// Asks for a stop of a running container (begun by `drive` when the pod is free).
    fn request_stop(&mut self, i: usize, cause: KillCause) {
        let slot = &mut self.slots[i];
        if !matches!(
            slot.run,
            RunState::Starting | RunState::PostStart { .. } | RunState::Running { .. }
        ) {
            return;
        }
        // A stop for the pod's end replaces a health or dependency stop not begun yet.
        match slot.stop_requested {
            None => slot.stop_requested = Some(cause),
            Some(old) if cause.is_pod_ending() && !old.is_pod_ending() => {
                slot.stop_requested = Some(cause);
            }
            Some(_) => {}
        }
    }

    /// Records an exit and decides what follows for that container.
    fn record_exit(&mut self, i: usize, exit: ExitRecord) {
        let now = self.now;
        self.slots[i].stop_requested = None;
        self.slots[i].last_exit = Some(exit);
        let condition = if self.stage.is_terminating() {
            PodCondition::Terminating
        } else {
            PodCondition::Active
        };
        let input = DecisionInput {
            pod_policy: self.config.spec.restart_policy,
            condition,
            kind: self.slots[i].kind,
            container: self.spec(i),
            last: LastRun::Exited {
                how: exit.how,
                code: exit.code,
                at: exit.at,
            },
        };
        let decision = decide(&input, &self.slots[i].backoff, now);
        let id = self.slots[i].id;
        match (self.config.scope, decision) {
            (RestartScope::Container, Decision::Restart { after }) => {
                self.slots[i].run = RunState::BackOff {
                    due: now.saturating_add(after),
                };
                self.push(Action::RestartAfter {
                    container: id,
                    after,
                });
            }
            _ => self.slots[i].run = RunState::Done,
        }
    }

    fn grace_for(&self, i: usize, cause: KillCause) -> Duration {
        match cause {
            KillCause::LivenessProbe | KillCause::StartupProbe => self.slots[i]
                .cfg
                .probe_grace_period
                .unwrap_or(self.config.grace_period),
            KillCause::PodStopped | KillCause::PodDeleted => {
                self.grace_override.unwrap_or(self.config.grace_period)
            }
            KillCause::PostStartHook | KillCause::DependencyLost | KillCause::PodFinished => {
                self.config.grace_period
            }
        }
    }

    /// Ends the pod (stop or delete request).
    fn end(&mut self, cause: EndCause, grace: Option<Duration>) {
        if grace.is_some() {
            self.grace_override = grace;
        }
        match self.stage {
            Stage::Finished {
                outcome: PodOutcome::Keep { .. },
            } if cause == EndCause::DeleteRequested => {
                self.push(Action::DeletePod);
                self.stage = Stage::Finished {
                    outcome: PodOutcome::Delete,
                };
            }
            Stage::Finished { .. } => {}
            Stage::Ending { cause: old } => {
                // Upgrade: finished < stop < delete.
                self.stage = Stage::Ending {
                    cause: old.max(cause),
                };
                self.request_pod_stops(cause);
            }
            Stage::Initializing | Stage::Running | Stage::Recreating { .. } => {
                self.enter_ending(cause)
            }
        }
    }

    fn enter_ending(&mut self, cause: EndCause) {
        self.stage = Stage::Ending { cause };
        for s in &mut self.slots {
            if matches!(s.run, RunState::Pending | RunState::BackOff { .. }) {
                s.run = RunState::Done;
            }
        }
        self.request_pod_stops(cause);
    }

    fn request_pod_stops(&mut self, cause: EndCause) {
        let kill = match cause {
            EndCause::Finished => KillCause::PodFinished,
            EndCause::StopRequested => KillCause::PodStopped,
            EndCause::DeleteRequested => KillCause::PodDeleted,
        };
        for i in 0..self.slots.len() {
            self.request_stop(i, kill);
        }
    }

    /// Fires deadlines and makes every step the pod may make now.
    fn drive(&mut self) {
        let now = self.now;
        for i in 0..self.slots.len() {
            if let RunState::Stopping { cause, kill_at } = self.slots[i].run
                && kill_at <= now
            {
                let container = self.slots[i].id;
                self.push(Action::KillContainer {
                    container,
                    signal: Signal::Kill,
                    grace: Duration::ZERO,
                    cause,
                });
                self.slots[i].run = RunState::Killed { cause };
            }
        }
        if self.hook.is_some_and(|h| h.deadline <= now) {
            self.finish_hook(HookOutcome::TimedOut);
        }
        // At most one re-creation per call (module docs, "Bounded work per call"): without this
        // bound, a pod-scope pod that ends as soon as it is created (no containers) with a zero
        // back-off would be re-created forever inside this loop.
        let mut may_recreate = true;
        while self.step(&mut may_recreate) {}
    }

    /// One step of pod-level work; `false` when nothing more can happen now. `may_recreate` is
    /// the re-creation this call may still make (taken when made).
    fn step(&mut self, may_recreate: &mut bool) -> bool {
        if self.hook.is_some() {
            // The pod's end is decided at once; only the stops it asks for wait for the hook
            // (module docs, "The pod's end while a hook runs").
            return self.end_if_over();
        }
        if self.update_stage() || self.begin_one_stop() {
            return true;
        }
        if let Stage::Recreating { due } = self.stage {
            if due <= self.now && core::mem::take(may_recreate) {
                self.recreate();
                return true;
            }
            return false;
        }
        if self.stage.is_terminating() || self.starting.is_some() {
            return false;
        }
        self.run_post_start_hook() || self.begin_one_start()
    }

    fn update_stage(&mut self) -> bool {
        if self.end_if_over() {
            return true;
        }
        match self.stage {
            Stage::Initializing => {
                let done = self.init_progress() == InitProgress::Done;
                if done {
                    self.stage = Stage::Running;
                }
                done
            }
            Stage::Ending { cause } => {
                let quiet = self.starting.is_none()
                    && self
                        .slots
                        .iter()
                        .all(|s| !s.run.is_live() && s.run != RunState::PreStart);
                if quiet {
                    self.finish(cause);
                }
                quiet
            }
            Stage::Running | Stage::Recreating { .. } | Stage::Finished { .. } => false,
        }
    }

    /// Ends the pod (cause Finished) if this incarnation is over: an init container failed for
    /// good while initializing, or every regular container is done while running. Whether it
    /// did.
    fn end_if_over(&mut self) -> bool {
        let over = match self.stage {
            Stage::Initializing => self.init_progress() == InitProgress::Failed,
            Stage::Running => self
                .slots
                .iter()
                .filter(|s| s.kind == ContainerKind::Regular)
                .all(|s| s.run == RunState::Done),
            Stage::Ending { .. } | Stage::Recreating { .. } | Stage::Finished { .. } => false,
        };
        if over {
            self.enter_ending(EndCause::Finished);
        }
        over
    }

    /// How far the init sequence is, in order: a sidecar counts once it has run, a regular
    /// init container once it is done.
    fn init_progress(&self) -> InitProgress {
        for s in &self.slots {
            match s.kind {
                ContainerKind::Sidecar if s.ran => {}
                ContainerKind::Init if s.run == RunState::Done => {
                    if !s.last_exit.is_some_and(|e| e.is_success()) {
                        return InitProgress::Failed;
                    }
                }
                ContainerKind::Sidecar | ContainerKind::Init => return InitProgress::Waiting,
                ContainerKind::Regular => break,
            }
        }
        InitProgress::Done
    }

    fn finish(&mut self, cause: EndCause) {
        let status = self.final_status();
        let outcome = pod_outcome(
            self.config.scope,
            self.config.origin,
            self.config.spec.restart_policy,
            status,
            cause,
        );
        match outcome {
            PodOutcome::Recreate => {
                let after = self.pod_backoff.delay(self.now, self.now);
                self.push(Action::RecreatePod { after });
                self.stage = Stage::Recreating {
                    due: self.now.saturating_add(after),
                };
            }
            PodOutcome::Keep { status } => {
                self.push(Action::KeepPod { status });
                self.stage = Stage::Finished { outcome };
            }
            PodOutcome::Delete => {
                self.push(Action::DeletePod);
                self.stage = Stage::Finished { outcome };
            }
        }
    }

    fn recreate(&mut self) {
        self.pod_backoff.next(self.now);
        self.incarnation = self.incarnation.saturating_add(1);
        self.grace_override = None;
        for s in &mut self.slots {
            s.run = RunState::Pending;
            s.stop_requested = None;
            s.starts = 0;
            s.ran = false;
            s.last_exit = None;
        }
        self.stage = Stage::Initializing;
    }

    /// Whether slot `i` must wait before its pod-ending stop: sidecars stop after every other
    /// container, and after the sidecars that follow them.
    fn stop_must_wait(&self, i: usize) -> bool {
        if self.slots[i].kind != ContainerKind::Sidecar {
            return false;
        }
        self.slots
            .iter()
            .enumerate()
            .any(|(j, s)| j != i && s.run.is_live() && (s.kind != ContainerKind::Sidecar || j > i))
    }

    fn begin_one_stop(&mut self) -> bool {
        let candidate = (0..self.slots.len()).find(|&i| {
            let s = &self.slots[i];
            match s.stop_requested {
                Some(cause) => {
                    matches!(s.run, RunState::Running { .. } | RunState::PostStart { .. })
                        && !(cause.is_pod_ending() && self.stop_must_wait(i))
                }
                None => false,
            }
        });
        let Some(i) = candidate else {
            return false;
        };
        let Some(cause) = self.slots[i].stop_requested.take() else {
            return false;
        };
        let now = self.now;
        let container = self.slots[i].id;
        let grace = self.grace_for(i, cause);
        let plan = StopPlan::new(&self.slots[i].cfg.hooks, grace);
        if let Some(timeout) = plan.pre_stop_timeout {
            self.slots[i].run = RunState::PreStop {
                cause,
                grace,
                since: now,
            };
            self.start_hook(container, Hook::PreStop, Some(cause.reason()), timeout);
        } else {
            self.send_stop_signal(i, cause, grace);
        }
        true
    }

    fn send_stop_signal(&mut self, i: usize, cause: KillCause, grace: Duration) {
        let container = self.slots[i].id;
        if grace.is_zero() {
            self.push(Action::KillContainer {
                container,
                signal: Signal::Kill,
                grace: Duration::ZERO,
                cause,
            });
            self.slots[i].run = RunState::Killed { cause };
        } else {
            self.push(Action::KillContainer {
                container,
                signal: Signal::Stop,
                grace,
                cause,
            });
            self.slots[i].run = RunState::Stopping {
                cause,
                kill_at: self.now.saturating_add(grace),
            };
        }
    }

    fn start_hook(
        &mut self,
        container: ContainerId,
        hook: Hook,
        reason: Option<StopReason>,
        timeout: Duration,
    ) {
        self.hook = Some(ActiveHook {
            container,
            hook,
            deadline: self.now.saturating_add(timeout),
        });
        self.push(Action::RunHook {
            container,
            hook,
            reason,
            timeout,
        });
    }

    fn finish_hook(&mut self, outcome: HookOutcome) {
        let Some(h) = self.hook.take() else {
            return;
        };
        let Some(i) = self.index(h.container) else {
            return;
        };
        let now = self.now;
        let consequence = hook_consequence(h.hook, outcome);
        match (h.hook, self.slots[i].run) {
            (Hook::PreStart, RunState::PreStart) => {
                if self.stage.is_terminating() {
                    self.slots[i].run = RunState::Done;
                } else if consequence == HookConsequence::AbortStart {
                    let exit = ExitRecord {
                        how: ExitHow::Failed,
                        code: None,
                        at: now,
                    };
                    self.record_exit(i, exit);
                } else {
                    self.push(Action::StartContainer {
                        container: h.container,
                    });
                    self.slots[i].run = RunState::Starting;
                    self.starting = Some(h.container);
                }
            }
            (Hook::PostStart | Hook::PostRestart, RunState::PostStart { hook, started_at })
                if hook == h.hook =>
            {
                if consequence == HookConsequence::KillContainer {
                    self.slots[i].run = RunState::Running { started_at };
                    self.request_stop(i, KillCause::PostStartHook);
                } else {
                    let slot = &mut self.slots[i];
                    let first = slot.starts <= 1;
                    slot.run = match next_post_start_hook(&slot.cfg.hooks, first, Some(hook)) {
                        Some(next) => RunState::PostStart {
                            hook: next,
                            started_at,
                        },
                        None => RunState::Running { started_at },
                    };
                }
            }
            (
                Hook::PreStop,
                RunState::PreStop {
                    cause,
                    grace,
                    since,
                },
            ) => {
                let plan = StopPlan::new(&self.slots[i].cfg.hooks, grace);
                let remaining = plan.signal_grace(now.saturating_duration_since(since));
                self.send_stop_signal(i, cause, remaining);
            }
            // The container moved on while its hook ran (it exited): nothing follows.
            _ => {}
        }
    }

    fn run_post_start_hook(&mut self) -> bool {
        let found = self.slots.iter().find_map(|s| match s.run {
            RunState::PostStart { hook, .. } => Some((s.id, hook, s.cfg.hooks.timeout(hook))),
            _ => None,
        });
        match found {
            Some((container, hook, Some(timeout))) => {
                self.start_hook(container, hook, None, timeout);
                true
            }
            _ => false,
        }
    }

    /// The index of the container the init sequence waits for, if it is ready to start now.
    fn next_start(&self) -> Option<usize> {
        let now = self.now;
        let due = |s: &Slot| match s.run {
            RunState::Pending => true,
            RunState::BackOff { due } => due <= now,
            _ => false,
        };
        // Restarts that are due come first (sidecars, the current init container, main ones).
        if let Some(i) = self
            .slots
            .iter()
            .position(|s| matches!(s.run, RunState::BackOff { due } if due <= now))
        {
            return Some(i);
        }
        match self.stage {
            Stage::Initializing => {
                for (i, s) in self.slots.iter().enumerate() {
                    match s.kind {
                        ContainerKind::Sidecar if s.ran => {}
                        ContainerKind::Init
                            if s.last_exit.is_some_and(|e| e.is_success())
                                && s.run == RunState::Done => {}
                        ContainerKind::Sidecar | ContainerKind::Init => {
                            return due(s).then_some(i);
                        }
                        ContainerKind::Regular => return None,
                    }
                }
                None
            }
            Stage::Running => self
                .slots
                .iter()
                .position(|s| s.kind == ContainerKind::Regular && s.run == RunState::Pending),
            _ => None,
        }
    }

    fn begin_one_start(&mut self) -> bool {
        let Some(i) = self.next_start() else {
            return false;
        };
        let now = self.now;
        let container = self.slots[i].id;
        let slot = &mut self.slots[i];
        if matches!(slot.run, RunState::BackOff { .. }) {
            slot.backoff.next(now);
            slot.restarts = slot.restarts.saturating_add(1);
        }
        slot.starts = slot.starts.saturating_add(1);
        match slot.cfg.hooks.pre_start {
            Some(timeout) => {
                slot.run = RunState::PreStart;
                self.start_hook(container, Hook::PreStart, None, timeout);
            }
            None => {
                slot.run = RunState::Starting;
                self.starting = Some(container);
                self.push(Action::StartContainer { container });
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use phase::RestartPolicy;

    use super::*;

    const APP: ContainerId = ContainerId::regular(0);

    /// One container `app` with a 5 s preStop hook, started at 1 ms; actions drained.
    fn running_with_pre_stop(policy: RestartPolicy) -> PodTracker {
        let spec = PodSpec::new(policy).with_container(ContainerSpec::new("app"));
        let hooks = Hooks::none().with(Hook::PreStop, Duration::from_secs(5));
        let mut t = PodTracker::new(PodConfig::new(spec).with_hooks(APP, hooks), Millis::ZERO);
        t.handle_started(APP, Millis(1)).unwrap();
        drain(&mut t);
        t
    }

    fn drain(t: &mut PodTracker) -> Vec<Action> {
        core::iter::from_fn(|| t.poll_action()).collect()
    }

    fn pre_stop(reason: StopReason) -> Action {
        Action::RunHook {
            container: APP,
            hook: Hook::PreStop,
            reason: Some(reason),
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn exit_zero_during_pre_stop_of_a_stopped_pod_is_succeeded() {
        for policy in [RestartPolicy::Never, RestartPolicy::OnFailure] {
            let mut t = running_with_pre_stop(policy);
            t.handle_stop(None, Millis(10)).unwrap();
            assert_eq!(drain(&mut t), [pre_stop(StopReason::Delete)]);
            // The container ends by itself, code 0, before any signal was sent.
            t.handle_exited(APP, 0, Millis(20)).unwrap();
            assert_eq!(drain(&mut t), [], "the preStop hook still runs");
            t.handle_hook_result(APP, Hook::PreStop, HookOutcome::Succeeded, Millis(30))
                .unwrap();
            assert_eq!(
                drain(&mut t),
                [Action::KeepPod {
                    status: FinalStatus::Succeeded
                }],
                "{policy:?}: the exit code decides, as phase's getPhase does"
            );
        }
    }

    #[test]
    fn the_exit_code_after_the_stop_signal_decides_the_status() {
        for (code, status) in [(0, FinalStatus::Succeeded), (143, FinalStatus::Failed)] {
            let mut t = running_with_pre_stop(RestartPolicy::Never);
            t.handle_stop(None, Millis(10)).unwrap();
            let _ = drain(&mut t);
            t.handle_hook_result(APP, Hook::PreStop, HookOutcome::Succeeded, Millis(20))
                .unwrap();
            assert!(matches!(
                drain(&mut t)[..],
                [Action::KillContainer {
                    signal: Signal::Stop,
                    ..
                }]
            ));
            t.handle_exited(APP, code, Millis(30)).unwrap();
            assert_eq!(drain(&mut t), [Action::KeepPod { status }], "code {code}");
        }
    }

    #[test]
    fn an_exit_during_pre_stop_is_the_containers_own_and_its_code_decides() {
        // Killed for its probe under OnFailure, it exits during the preStop hook: by itself.
        for (code, restarts) in [(0, false), (1, true)] {
            let mut t = running_with_pre_stop(RestartPolicy::OnFailure);
            t.handle_probe_failed(APP, ProbeKind::Liveness, Millis(10))
                .unwrap();
            assert_eq!(drain(&mut t), [pre_stop(StopReason::Health)]);
            t.handle_exited(APP, code, Millis(20)).unwrap();
            assert_eq!(t.last_exit(APP).map(|e| e.how), Some(ExitHow::Exited));
            t.handle_hook_result(APP, Hook::PreStop, HookOutcome::Succeeded, Millis(30))
                .unwrap();
            let actions = drain(&mut t);
            if restarts {
                assert_eq!(
                    actions.first(),
                    Some(&Action::RestartAfter {
                        container: APP,
                        after: Duration::ZERO
                    }),
                    "{actions:?}"
                );
            } else {
                assert_eq!(
                    actions,
                    [Action::KeepPod {
                        status: FinalStatus::Succeeded
                    }]
                );
            }
        }
    }

    #[test]
    fn a_failure_kill_restarts_whatever_the_code_after_the_stop_signal() {
        let mut t = running_with_pre_stop(RestartPolicy::OnFailure);
        t.handle_probe_failed(APP, ProbeKind::Liveness, Millis(10))
            .unwrap();
        let _ = drain(&mut t);
        t.handle_hook_result(APP, Hook::PreStop, HookOutcome::Succeeded, Millis(20))
            .unwrap();
        let _ = drain(&mut t);
        t.handle_exited(APP, 0, Millis(30)).unwrap();
        assert_eq!(t.last_exit(APP).map(|e| e.how), Some(ExitHow::Failed));
        assert_eq!(
            drain(&mut t),
            [
                Action::RestartAfter {
                    container: APP,
                    after: Duration::ZERO
                },
                Action::StartContainer { container: APP }
            ]
        );
    }

    #[test]
    fn a_never_container_killed_for_its_probe_that_exits_zero_is_succeeded() {
        let mut t = running_with_pre_stop(RestartPolicy::Never);
        t.handle_probe_failed(APP, ProbeKind::Liveness, Millis(10))
            .unwrap();
        let _ = drain(&mut t);
        t.handle_exited(APP, 0, Millis(20)).unwrap();
        t.handle_hook_result(APP, Hook::PreStop, HookOutcome::Succeeded, Millis(30))
            .unwrap();
        assert_eq!(
            drain(&mut t),
            [Action::KeepPod {
                status: FinalStatus::Succeeded
            }]
        );
    }

    const SIDE: ContainerId = ContainerId::init(0);

    /// Pod policy Never: a sidecar `side` with a 7 s preStop, then one more container (an init
    /// container when `init`, else a regular one), whose id comes back with the tracker; both
    /// started, the sidecar's liveness failed, its preStop (reason Health) running.
    fn sidecar_in_pre_stop(init: bool) -> (PodTracker, ContainerId) {
        let side = ContainerSpec::new("side").with_restart_policy(RestartPolicy::Always);
        let spec = PodSpec::new(RestartPolicy::Never).with_init_container(side);
        let (spec, other) = if init {
            let spec = spec.with_init_container(ContainerSpec::new("setup"));
            (spec, ContainerId::init(1))
        } else {
            let spec = spec.with_container(ContainerSpec::new("app"));
            (spec, ContainerId::regular(0))
        };
        let hooks = Hooks::none().with(Hook::PreStop, Duration::from_secs(7));
        let mut t = PodTracker::new(PodConfig::new(spec).with_hooks(SIDE, hooks), Millis::ZERO);
        assert_eq!(drain(&mut t), [Action::StartContainer { container: SIDE }]);
        t.handle_started(SIDE, Millis(100)).unwrap();
        assert_eq!(drain(&mut t), [Action::StartContainer { container: other }]);
        t.handle_started(other, Millis(100)).unwrap();
        t.handle_probe_failed(SIDE, ProbeKind::Liveness, Millis(200))
            .unwrap();
        assert!(matches!(
            drain(&mut t)[..],
            [Action::RunHook {
                container: SIDE,
                hook: Hook::PreStop,
                reason: Some(StopReason::Health),
                ..
            }]
        ));
        (t, other)
    }

    #[test]
    fn the_pod_ends_at_once_when_it_is_over_while_a_hook_runs() {
        // An init container that fails for good, or the last regular container done.
        let cases = [
            (true, 1, FinalStatus::Failed),
            (false, 0, FinalStatus::Succeeded),
        ];
        for (init, code, status) in cases {
            let (mut t, other) = sidecar_in_pre_stop(init);
            t.handle_exited(other, code, Millis(300)).unwrap();
            assert_eq!(drain(&mut t), [], "the preStop hook still runs");
            let ending = Stage::Ending {
                cause: EndCause::Finished,
            };
            assert_eq!(t.stage(), ending, "init {init}");
            // The sidecar, killed for its health, exits 0 during its preStop: the pod is
            // terminating, so it is not restarted (it was, before: found by the supervisor fuzz
            // target, the pod's phase went from Failed back to Running).
            t.handle_exited(SIDE, 0, Millis(400)).unwrap();
            assert_eq!(drain(&mut t), [], "init {init}: no restart of the sidecar");
            assert_eq!(t.run_state(SIDE), Some(RunState::Done));
            assert_eq!(t.restart_count(SIDE), Some(0));
            t.handle_hook_result(SIDE, Hook::PreStop, HookOutcome::Succeeded, Millis(500))
                .unwrap();
            assert_eq!(drain(&mut t), [Action::KeepPod { status }], "init {init}");
        }
    }

    #[test]
    fn a_sidecar_still_in_its_pre_stop_when_the_pod_ends_gets_its_stop_signal_after_the_hook() {
        let (mut t, setup) = sidecar_in_pre_stop(true);
        t.handle_exited(setup, 1, Millis(300)).unwrap();
        assert_eq!(drain(&mut t), []);
        t.handle_hook_result(SIDE, Hook::PreStop, HookOutcome::Succeeded, Millis(1_000))
            .unwrap();
        let actions = drain(&mut t);
        assert!(
            matches!(
                actions[..],
                [Action::KillContainer {
                    container: SIDE,
                    signal: Signal::Stop,
                    ..
                }]
            ),
            "{actions:?}"
        );
        t.handle_exited(SIDE, 0, Millis(1_100)).unwrap();
        assert_eq!(
            drain(&mut t),
            [Action::KeepPod {
                status: FinalStatus::Failed
            }],
            "the sidecar is not restarted"
        );
    }
}
