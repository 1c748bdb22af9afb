//! The pod phase, exactly as the kubelet's `getPhase` computes it (spec/kubernetes.md section 1),
//! and the stickiness of terminal phases that `generateAPIPodStatus` adds on top.
//!
//! [`aggregate`] is a plain function of the pod spec, the container statuses and two facts the
//! status cannot carry ([`PhaseFacts`]). It allocates nothing: statuses are matched to spec
//! containers by name, in place. [`decide`] returns the same answer with the rule that produced
//! it and the counters it was computed from, for explanations and tests.
//!
//! # Counting
//!
//! Each container of the spec is matched to the **first** status with its name, looking through
//! the regular-container statuses first and then the init-container statuses (the kubelet
//! concatenates them in that order). A status whose name matches no spec container is ignored.
//!
//! ```text
//!  regular init container      | sidecar (init, own policy Always)  | regular container
//!  ----------------------------+-----------------------------------+------------------------------
//!  no status      pending-init | unknown                            | unknown
//!  unset state    pending-init | unknown, pending-sidecar           | unknown
//!  running        pending-init | running (+pending-sidecar if not   | running
//!                              |          started)                  |
//!  terminated 0   -            | -                                  | stopped, succeeded
//!  terminated !=0 failed-init  | -                                  | stopped
//!  waiting, no    pending-init | waiting, pending-sidecar           | waiting
//!   last state                 |                                    |
//!  waiting, last  failed-init  | -                                  | stopped (never succeeded)
//!   exit != 0                  |                                    |
//!  waiting, last  -            | -                                  | stopped (never succeeded)
//!   exit 0                     |                                    |
//! ```
//!
//! A stopped regular container is also **stopped-not-restartable**, and a failed regular init
//! container **failed-init-not-restartable**, when [`ContainerSpec::should_restart`] says no for
//! that exit code. Those two counters are always computed but only used while the
//! `ContainerRestartRules` gate is on.
//!
//! # Decision list (first match wins)
//!
//! ```text
//!  #  condition                                                         phase      PhaseRule
//!  1  gate on: failed-init-not-restartable > 0                          Failed     InitContainerFailed
//!     gate off: failed-init > 0 and pod policy Never                    Failed     InitContainerFailed
//!  2a pending-init > 0                                                  Pending    InitContainersPending
//!  2b pending-sidecar > 0 and not initialized                           Pending    SidecarsNotStarted
//!  2c waiting > 0                                                       Pending    ContainersWaiting
//!  3  running > 0 and unknown == 0                                      Running    ContainersRunning
//!  4  running == 0, stopped > 0, unknown == 0:
//!  4a   terminal and not a static pod: stopped == succeeded ? Succeeded : Failed   TerminalPod
//!  4b   gate on: stopped != stopped-not-restartable                     Running    ContainersRestarting
//!       gate on: otherwise stopped == succeeded ? Succeeded : Failed               ContainersStopped
//!  4c   gate off: pod Always                                            Running    ContainersRestarting
//!       gate off: stopped == succeeded                                  Succeeded  ContainersStopped
//!       gate off: pod Never                                             Failed     ContainersStopped
//!       gate off: pod OnFailure                                         Running    ContainersRestarting
//!  5  otherwise                                                         Pending    NoContainerStarted
//! ```
//!
//! There is no `Unknown`: the kubelet never returns it.
//!
//! # Examples
//!
//! ```
//! # use phase::{aggregate, ContainerSpec, ContainerState, ContainerStatus, Millis, PhaseFacts,
//! #     PodPhase, PodSpec, RestartPolicy, Statuses};
//! let spec = PodSpec::new(RestartPolicy::Never)
//!     .with_container(ContainerSpec::new("a"))
//!     .with_container(ContainerSpec::new("b"));
//! let statuses = [
//!     ContainerStatus::new("a", ContainerState::terminated(0, Millis(5))),
//!     ContainerStatus::new("b", ContainerState::terminated(1, Millis(6))),
//! ];
//! let phase = aggregate(&spec, Statuses::new(&statuses, &[]), PhaseFacts::default());
//! assert_eq!(phase, PodPhase::Failed);
//! ```

use crate::state::{
    ContainerKind, ContainerList, ContainerSpec, ContainerState, ContainerStatus, PodPhase,
    PodSpec, RestartPolicy,
};

/// The container statuses of one pod, as the two lists of a v1 `PodStatus`.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerState, ContainerStatus, Statuses};
/// let regular = [ContainerStatus::new("app", ContainerState::Unset)];
/// let s = Statuses::new(&regular, &[]);
/// assert_eq!(s.find("app").map(|c| c.name.as_str()), Some("app"));
/// assert!(s.find("other").is_none());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Statuses<'a> {
    /// `status.containerStatuses`.
    pub containers: &'a [ContainerStatus],
    /// `status.initContainerStatuses`.
    pub init_containers: &'a [ContainerStatus],
}

impl<'a> Statuses<'a> {
    /// Both lists.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::Statuses;
    /// assert!(Statuses::new(&[], &[]).is_empty());
    /// ```
    #[must_use]
    pub const fn new(
        containers: &'a [ContainerStatus],
        init_containers: &'a [ContainerStatus],
    ) -> Self {
        Self {
            containers,
            init_containers,
        }
    }

    /// The first status named `name`: regular-container statuses first, then init-container
    /// statuses (the kubelet's lookup order).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerState, ContainerStatus, Statuses};
    /// let init = [ContainerStatus::new("x", ContainerState::Unset)];
    /// assert!(Statuses::new(&[], &init).find("x").is_some());
    /// ```
    #[must_use]
    pub fn find(&self, name: &str) -> Option<&'a ContainerStatus> {
        self.iter().find(|s| s.name == name)
    }

    /// Every status, regular-container statuses first.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerState, ContainerStatus, Statuses};
    /// let a = [ContainerStatus::new("a", ContainerState::Unset)];
    /// assert_eq!(Statuses::new(&a, &a).iter().count(), 2);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &'a ContainerStatus> + 'a {
        self.containers.iter().chain(self.init_containers.iter())
    }

    /// Whether both lists are empty.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerState, ContainerStatus, Statuses};
    /// let a = [ContainerStatus::new("a", ContainerState::Unset)];
    /// assert!(!Statuses::new(&[], &a).is_empty());
    /// ```
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.containers.is_empty() && self.init_containers.is_empty()
    }
}

/// Kubelet `podIsTerminal`: has the pod worker decided the pod is finished (deleted, evicted, or
/// done under `Never`/`OnFailure`)?
///
/// # Examples
///
/// ```
/// # use phase::Terminal;
/// assert_eq!(Terminal::default(), Terminal::No);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Terminal {
    /// The pod worker still manages the pod.
    #[default]
    No,
    /// The pod worker has finished the pod: its containers will not be restarted.
    Yes,
}

/// Kubelet `podHasInitialized`: has any regular container of the **current** sandbox started?
/// (`HasAnyActiveRegularContainerStarted`; a VM restart makes it false again.)
///
/// # Examples
///
/// ```
/// # use phase::Initialized;
/// assert_eq!(Initialized::default(), Initialized::No);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Initialized {
    /// No regular container of the current sandbox has started.
    #[default]
    No,
    /// A regular container of the current sandbox has started.
    Yes,
}

/// Where the pod came from. The terminal shortcut (rule 4a) does not apply to static pods
/// (annotation `kubernetes.io/config.source` other than `api`).
///
/// # Examples
///
/// ```
/// # use phase::PodSource;
/// assert_eq!(PodSource::default(), PodSource::Api);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PodSource {
    /// From the API server (or any source this runtime treats as such).
    #[default]
    Api,
    /// A static pod (file or URL source of a kubelet).
    Static,
}

/// The `ContainerRestartRules` feature gate. On (the default) is the behaviour of Kubernetes
/// 1.35; off reproduces earlier releases, where only the pod policy decides.
///
/// # Examples
///
/// ```
/// # use phase::Gate;
/// assert_eq!(Gate::default(), Gate::Enabled);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Gate {
    /// Container-level policies and rules count (Kubernetes 1.35 default).
    #[default]
    Enabled,
    /// Pre-1.34 behaviour.
    Disabled,
}

/// The facts `getPhase` needs that a status document does not carry (spec/kubernetes.md
/// section 1, Inputs), plus the feature gate.
///
/// # Examples
///
/// ```
/// # use phase::{Initialized, PhaseFacts, Terminal};
/// let facts = PhaseFacts::default().terminal().initialized();
/// assert_eq!(facts.terminal, Terminal::Yes);
/// assert_eq!(facts.initialized, Initialized::Yes);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PhaseFacts {
    /// `podIsTerminal`.
    pub terminal: Terminal,
    /// `podHasInitialized`.
    pub initialized: Initialized,
    /// API or static pod.
    pub source: PodSource,
    /// The `ContainerRestartRules` gate.
    pub container_restart_rules: Gate,
}

impl PhaseFacts {
    /// The defaults: not terminal, not initialized, an API pod, gate on. Same as `default()`,
    /// usable in `const` tables.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::PhaseFacts;
    /// const FACTS: PhaseFacts = PhaseFacts::new().terminal();
    /// assert_eq!(PhaseFacts::new(), PhaseFacts::default());
    /// # let _ = FACTS;
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            terminal: Terminal::No,
            initialized: Initialized::No,
            source: PodSource::Api,
            container_restart_rules: Gate::Enabled,
        }
    }

    /// Sets `podIsTerminal`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{PhaseFacts, Terminal};
    /// assert_eq!(PhaseFacts::default().terminal().terminal, Terminal::Yes);
    /// ```
    #[must_use]
    pub const fn terminal(mut self) -> Self {
        self.terminal = Terminal::Yes;
        self
    }

    /// Sets `podHasInitialized`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Initialized, PhaseFacts};
    /// assert_eq!(PhaseFacts::default().initialized().initialized, Initialized::Yes);
    /// ```
    #[must_use]
    pub const fn initialized(mut self) -> Self {
        self.initialized = Initialized::Yes;
        self
    }

    /// Marks the pod as a static pod.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{PhaseFacts, PodSource};
    /// assert_eq!(PhaseFacts::default().static_pod().source, PodSource::Static);
    /// ```
    #[must_use]
    pub const fn static_pod(mut self) -> Self {
        self.source = PodSource::Static;
        self
    }

    /// Sets the `ContainerRestartRules` gate.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Gate, PhaseFacts};
    /// let f = PhaseFacts::default().with_gate(Gate::Disabled);
    /// assert_eq!(f.container_restart_rules, Gate::Disabled);
    /// ```
    #[must_use]
    pub const fn with_gate(mut self, gate: Gate) -> Self {
        self.container_restart_rules = gate;
        self
    }
}

/// The counters `getPhase` computes (see the module table).
///
/// # Examples
///
/// ```
/// # use phase::{decide, ContainerSpec, PhaseFacts, PodSpec, RestartPolicy, Statuses};
/// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("a"));
/// let d = decide(&spec, Statuses::default(), PhaseFacts::default());
/// assert_eq!(d.counters.unknown, 1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Counters {
    /// Regular init containers not finished yet.
    pub pending_init: u32,
    /// Regular init containers whose (last) run exited non-zero.
    pub failed_init: u32,
    /// ... of which will not be restarted.
    pub failed_init_not_restartable: u32,
    /// Sidecars not started yet (waiting, unset, or running but not `started`).
    pub pending_sidecar: u32,
    /// Sidecars and regular containers without a status or with an unset state.
    pub unknown: u32,
    /// Sidecars and regular containers running.
    pub running: u32,
    /// Sidecars and regular containers waiting with no last termination.
    pub waiting: u32,
    /// Regular containers terminated, or waiting after a termination.
    pub stopped: u32,
    /// ... of which will not be restarted.
    pub stopped_not_restartable: u32,
    /// Regular containers terminated with exit 0 (a waiting container never counts).
    pub succeeded: u32,
}

/// Which rule of the decision list (module docs) produced the phase.
///
/// # Examples
///
/// ```
/// # use phase::{decide, PhaseFacts, PhaseRule, PodPhase, PodSpec, RestartPolicy, Statuses};
/// let d = decide(&PodSpec::new(RestartPolicy::Always), Statuses::default(), PhaseFacts::default());
/// assert_eq!((d.phase, d.rule), (PodPhase::Pending, PhaseRule::NoContainerStarted));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhaseRule {
    /// 1: a regular init container failed and will not be restarted.
    InitContainerFailed,
    /// 2a: a regular init container has not finished.
    InitContainersPending,
    /// 2b: a sidecar has not started and no regular container of this sandbox has.
    SidecarsNotStarted,
    /// 2c: a container waits without having run.
    ContainersWaiting,
    /// 3: something runs and every container has a known state.
    ContainersRunning,
    /// 4a: everything stopped and the pod worker says the pod is finished.
    TerminalPod,
    /// 4b/4c: everything stopped, but something will be restarted.
    ContainersRestarting,
    /// 4b/4c: everything stopped for good.
    ContainersStopped,
    /// 5: nothing runs or has stopped, or some container has no known state.
    NoContainerStarted,
}

impl PhaseRule {
    /// Every rule, in decision-list order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::PhaseRule;
    /// assert_eq!(PhaseRule::ALL.len(), 9);
    /// ```
    pub const ALL: [Self; 9] = [
        Self::InitContainerFailed,
        Self::InitContainersPending,
        Self::SidecarsNotStarted,
        Self::ContainersWaiting,
        Self::ContainersRunning,
        Self::TerminalPod,
        Self::ContainersRestarting,
        Self::ContainersStopped,
        Self::NoContainerStarted,
    ];
}

/// The phase, the rule that produced it, and the counters.
///
/// # Examples
///
/// ```
/// # use phase::{decide, PhaseFacts, PodSpec, RestartPolicy, Statuses};
/// let d = decide(&PodSpec::new(RestartPolicy::Never), Statuses::default(), PhaseFacts::default());
/// assert_eq!(d.counters.running, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PhaseDecision {
    /// The phase.
    pub phase: PodPhase,
    /// The rule that decided it.
    pub rule: PhaseRule,
    /// The counters it was decided from.
    pub counters: Counters,
}

/// The pod phase by the kubelet's `getPhase` rules. Allocates nothing.
///
/// # Examples
///
/// ```
/// # use phase::{aggregate, ContainerSpec, ContainerState, ContainerStatus, Millis, PhaseFacts,
/// #     PodPhase, PodSpec, RestartPolicy, Statuses};
/// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("a"));
/// let s = [ContainerStatus::new("a", ContainerState::running(Millis(0)))];
/// assert_eq!(aggregate(&spec, Statuses::new(&s, &[]), PhaseFacts::default()), PodPhase::Running);
/// ```
#[must_use]
pub fn aggregate(spec: &PodSpec, statuses: Statuses<'_>, facts: PhaseFacts) -> PodPhase {
    decide(spec, statuses, facts).phase
}

/// Like [`aggregate`], with the rule and counters. Allocates nothing.
///
/// # Examples
///
/// ```
/// # use phase::{decide, ContainerSpec, ContainerState, ContainerStatus, Millis, PhaseFacts,
/// #     PhaseRule, PodPhase, PodSpec, RestartPolicy, Statuses};
/// let spec = PodSpec::new(RestartPolicy::Never).with_init_container(ContainerSpec::new("i"));
/// let s = [ContainerStatus::new("i", ContainerState::terminated(1, Millis(0)))];
/// let d = decide(&spec, Statuses::new(&[], &s), PhaseFacts::default());
/// assert_eq!((d.phase, d.rule), (PodPhase::Failed, PhaseRule::InitContainerFailed));
/// ```
#[must_use]
pub fn decide(spec: &PodSpec, statuses: Statuses<'_>, facts: PhaseFacts) -> PhaseDecision {
    let counters = count(spec, statuses);
    let (phase, rule) = apply(spec.restart_policy, &counters, facts);
    PhaseDecision {
        phase,
        rule,
        counters,
    }
}

/// Counts every spec container (module table).
fn count(spec: &PodSpec, statuses: Statuses<'_>) -> Counters {
    let mut c = Counters::default();
    let pod = spec.restart_policy;
    for container in &spec.init_containers {
        let status = statuses.find(&container.name);
        match container.kind(ContainerList::Init) {
            ContainerKind::Sidecar => count_sidecar(&mut c, status),
            _ => count_init(&mut c, container, pod, status),
        }
    }
    for container in &spec.containers {
        count_regular(&mut c, container, pod, statuses.find(&container.name));
    }
    c
}

fn count_init(
    c: &mut Counters,
    spec: &ContainerSpec,
    pod: RestartPolicy,
    status: Option<&ContainerStatus>,
) {
    let Some(status) = status else {
        c.pending_init += 1;
        return;
    };
    let failed_code = match &status.state {
        ContainerState::Running { .. } | ContainerState::Unset => {
            c.pending_init += 1;
            return;
        }
        ContainerState::Terminated(t) => t.exit_code,
        ContainerState::Waiting { .. } => match &status.last_termination {
            Some(last) => last.exit_code,
            None => {
                c.pending_init += 1;
                return;
            }
        },
    };
    if failed_code != 0 {
        c.failed_init += 1;
        if !spec.should_restart(pod, failed_code) {
            c.failed_init_not_restartable += 1;
        }
    }
}

fn count_sidecar(c: &mut Counters, status: Option<&ContainerStatus>) {
    let Some(status) = status else {
        c.unknown += 1;
        return;
    };
    match &status.state {
        ContainerState::Running { started, .. } => {
            c.running += 1;
            if !started {
                c.pending_sidecar += 1;
            }
        }
        ContainerState::Terminated(_) => {}
        ContainerState::Waiting { .. } => {
            if status.last_termination.is_none() {
                c.pending_sidecar += 1;
                c.waiting += 1;
            }
        }
        ContainerState::Unset => {
            c.pending_sidecar += 1;
            c.unknown += 1;
        }
    }
}

fn count_regular(
    c: &mut Counters,
    spec: &ContainerSpec,
    pod: RestartPolicy,
    status: Option<&ContainerStatus>,
) {
    let Some(status) = status else {
        c.unknown += 1;
        return;
    };
    let stopped_code = match &status.state {
        ContainerState::Running { .. } => {
            c.running += 1;
            return;
        }
        ContainerState::Unset => {
            c.unknown += 1;
            return;
        }
        ContainerState::Terminated(t) => {
            if t.exit_code == 0 {
                c.succeeded += 1;
            }
            t.exit_code
        }
        ContainerState::Waiting { .. } => match &status.last_termination {
            Some(last) => last.exit_code,
            None => {
                c.waiting += 1;
                return;
            }
        },
    };
    c.stopped += 1;
    if !spec.should_restart(pod, stopped_code) {
        c.stopped_not_restartable += 1;
    }
}

/// The decision list (module docs).
fn apply(pod: RestartPolicy, c: &Counters, facts: PhaseFacts) -> (PodPhase, PhaseRule) {
    let gate_on = facts.container_restart_rules == Gate::Enabled;
    let init_failed = if gate_on {
        c.failed_init_not_restartable > 0
    } else {
        c.failed_init > 0 && pod == RestartPolicy::Never
    };
    if init_failed {
        return (PodPhase::Failed, PhaseRule::InitContainerFailed);
    }
    if c.pending_init > 0 {
        return (PodPhase::Pending, PhaseRule::InitContainersPending);
    }
    if c.pending_sidecar > 0 && facts.initialized == Initialized::No {
        return (PodPhase::Pending, PhaseRule::SidecarsNotStarted);
    }
    if c.waiting > 0 {
        return (PodPhase::Pending, PhaseRule::ContainersWaiting);
    }
    if c.running > 0 && c.unknown == 0 {
        return (PodPhase::Running, PhaseRule::ContainersRunning);
    }
    if c.running == 0 && c.stopped > 0 && c.unknown == 0 {
        let all_succeeded = if c.stopped == c.succeeded {
            PodPhase::Succeeded
        } else {
            PodPhase::Failed
        };
        if facts.terminal == Terminal::Yes && facts.source == PodSource::Api {
            return (all_succeeded, PhaseRule::TerminalPod);
        }
        if gate_on {
            if c.stopped != c.stopped_not_restartable {
                return (PodPhase::Running, PhaseRule::ContainersRestarting);
            }
            return (all_succeeded, PhaseRule::ContainersStopped);
        }
        return match (pod, all_succeeded) {
            (RestartPolicy::Always, _) | (RestartPolicy::OnFailure, PodPhase::Failed) => {
                (PodPhase::Running, PhaseRule::ContainersRestarting)
            }
            (_, phase) => (phase, PhaseRule::ContainersStopped),
        };
    }
    (PodPhase::Pending, PhaseRule::NoContainerStarted)
}

/// Terminal phases are sticky (`generateAPIPodStatus`): once the previous phase is `Succeeded`
/// or `Failed`, it is kept whatever is computed now, including a different terminal phase.
///
/// # Examples
///
/// ```
/// # use phase::{sticky, PodPhase};
/// assert_eq!(sticky(Some(PodPhase::Failed), PodPhase::Running), PodPhase::Failed);
/// assert_eq!(sticky(Some(PodPhase::Succeeded), PodPhase::Failed), PodPhase::Succeeded);
/// assert_eq!(sticky(Some(PodPhase::Running), PodPhase::Pending), PodPhase::Pending);
/// assert_eq!(sticky(None, PodPhase::Running), PodPhase::Running);
/// ```
#[must_use]
pub const fn sticky(previous: Option<PodPhase>, computed: PodPhase) -> PodPhase {
    match previous {
        Some(p) if p.is_terminal() => p,
        _ => computed,
    }
}

/// Remembers the last phase so that terminal phases stick ([`sticky`]).
///
/// # Examples
///
/// ```
/// # use phase::{ContainerSpec, ContainerState, ContainerStatus, Millis, PhaseFacts, PhaseTracker,
/// #     PodPhase, PodSpec, RestartPolicy, Statuses};
/// let spec = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("a"));
/// let mut tracker = PhaseTracker::new();
/// let done = [ContainerStatus::new("a", ContainerState::terminated(0, Millis(1)))];
/// assert_eq!(tracker.handle_statuses(&spec, Statuses::new(&done, &[]), PhaseFacts::default()), PodPhase::Succeeded);
/// // A later status that looks pending does not revive the pod.
/// assert_eq!(tracker.handle_statuses(&spec, Statuses::default(), PhaseFacts::default()), PodPhase::Succeeded);
/// assert_eq!(tracker.phase(), Some(PodPhase::Succeeded));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PhaseTracker {
    phase: Option<PodPhase>,
}

impl PhaseTracker {
    /// A tracker that has seen no status yet.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::PhaseTracker;
    /// assert_eq!(PhaseTracker::new().phase(), None);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self { phase: None }
    }

    /// A tracker resuming from a known phase (for example the API phase after a restart).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{PhaseTracker, PodPhase};
    /// assert_eq!(PhaseTracker::from_phase(PodPhase::Failed).phase(), Some(PodPhase::Failed));
    /// ```
    #[must_use]
    pub const fn from_phase(phase: PodPhase) -> Self {
        Self { phase: Some(phase) }
    }

    /// The last phase, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::PhaseTracker;
    /// assert!(PhaseTracker::default().phase().is_none());
    /// ```
    #[must_use]
    pub const fn phase(&self) -> Option<PodPhase> {
        self.phase
    }

    /// Computes the phase of new statuses, keeps a terminal phase, and remembers the result.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{PhaseFacts, PhaseTracker, PodPhase, PodSpec, RestartPolicy, Statuses};
    /// let mut t = PhaseTracker::new();
    /// let p = t.handle_statuses(&PodSpec::new(RestartPolicy::Always), Statuses::default(), PhaseFacts::default());
    /// assert_eq!(p, PodPhase::Pending);
    /// ```
    pub fn handle_statuses(
        &mut self,
        spec: &PodSpec,
        statuses: Statuses<'_>,
        facts: PhaseFacts,
    ) -> PodPhase {
        let phase = sticky(self.phase, aggregate(spec, statuses, facts));
        self.phase = Some(phase);
        phase
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Termination;
    use crate::time::Millis;

    fn st(name: &str, state: ContainerState) -> ContainerStatus {
        ContainerStatus::new(name, state)
    }

    #[test]
    fn first_status_with_the_name_wins_regular_list_before_init_list() {
        let spec = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("a"));
        let regular = [st("a", ContainerState::running(Millis(0)))];
        let init = [st("a", ContainerState::terminated(1, Millis(0)))];
        let d = decide(&spec, Statuses::new(&regular, &init), PhaseFacts::default());
        assert_eq!(d.phase, PodPhase::Running);
        let dup = [
            st("a", ContainerState::terminated(0, Millis(0))),
            st("a", ContainerState::running(Millis(0))),
        ];
        let d = decide(&spec, Statuses::new(&dup, &[]), PhaseFacts::default());
        assert_eq!(d.phase, PodPhase::Succeeded);
    }

    #[test]
    fn statuses_without_a_spec_container_are_ignored() {
        let spec = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("a"));
        let s = [
            st("ghost", ContainerState::Waiting { reason: None }),
            st("a", ContainerState::terminated(0, Millis(0))),
        ];
        assert_eq!(
            aggregate(&spec, Statuses::new(&s, &[]), PhaseFacts::default()),
            PodPhase::Succeeded
        );
    }

    #[test]
    fn waiting_after_exit_zero_is_stopped_but_not_succeeded() {
        let spec = PodSpec::new(RestartPolicy::OnFailure).with_container(ContainerSpec::new("a"));
        let s = [st("a", ContainerState::Waiting { reason: None })
            .with_last_termination(Termination::new(0, Millis(0)))];
        let d = decide(&spec, Statuses::new(&s, &[]), PhaseFacts::default());
        assert_eq!(d.counters.stopped, 1);
        assert_eq!(d.counters.succeeded, 0);
        // Gate on: not restartable (OnFailure, exit 0) and not succeeded: Failed.
        assert_eq!(d.phase, PodPhase::Failed);
        // Gate off: OnFailure and not all succeeded: Running.
        let off = PhaseFacts::default().with_gate(Gate::Disabled);
        assert_eq!(
            aggregate(&spec, Statuses::new(&s, &[]), off),
            PodPhase::Running
        );
    }
}
