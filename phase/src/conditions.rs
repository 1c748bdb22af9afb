//! Kubernetes' `Initialized`, `ContainersReady` and `Ready` pod conditions
//! (`pkg/kubelet/status/generate.go`), computed from the spec, the statuses and the phase.
//!
//! ```text
//!  ContainersReady (sidecars and regular containers are checked):
//!    no status at all (both lists empty)             False  UnknownContainerStatuses
//!    phase Succeeded and every checked one has one   False  PodCompleted
//!    phase Failed                                    False  PodFailed
//!    some checked container has no status/not ready  False  ContainersNotReady
//!    otherwise                                       True
//!  Ready: ContainersReady (readiness gates are not modelled).
//!  Initialized (every init container is checked):
//!    no status at all and some init container        False  UnknownContainerStatuses
//!    phase Succeeded and every init one has a status True   PodCompleted
//!    some regular container running or terminated    True
//!    some init container has no status / incomplete  False  ContainersNotInitialized
//!    otherwise                                       True
//! ```
//!
//! Decisions taken where the status document leaves room:
//! - a container counts as *ready* only if its status says `ready` **and** it is running (the
//!   kubelet forces `ready` to false for a container that is not running);
//! - a regular init container is *complete* iff it terminated with exit 0 (that is what the
//!   kubelet's prober manager sets its `ready` to); a sidecar is complete iff it runs with
//!   `started`;
//! - "no status at all" (Go's nil list) is both lists empty;
//! - no messages are built (they list container names and would allocate); reasons are data.
//!
//! # Examples
//!
//! ```
//! # use phase::{conditions, ConditionStatus, ContainerSpec, ContainerState, ContainerStatus,
//! #     Millis, PodPhase, PodSpec, RestartPolicy, Statuses};
//! let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("a"));
//! let s = [ContainerStatus::new("a", ContainerState::running(Millis(0))).with_ready(true)];
//! let c = conditions(&spec, Statuses::new(&s, &[]), PodPhase::Running);
//! assert_eq!(c.ready.status, ConditionStatus::True);
//! assert_eq!(c.initialized.status, ConditionStatus::True);
//! ```

use core::fmt;

use crate::aggregate::Statuses;
use crate::state::{
    ContainerKind, ContainerList, ContainerState, ContainerStatus, PodPhase, PodSpec,
};

/// `True` or `False` (the kubelet never sets `Unknown` on these three).
///
/// # Examples
///
/// ```
/// # use phase::ConditionStatus;
/// assert_eq!(ConditionStatus::True.as_str(), "True");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConditionStatus {
    /// The condition holds.
    True,
    /// It does not.
    False,
}

impl ConditionStatus {
    /// The wire spelling.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ConditionStatus;
    /// assert_eq!(ConditionStatus::False.as_str(), "False");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::True => "True",
            Self::False => "False",
        }
    }
}

/// The kubelet's reason strings for these conditions.
///
/// # Examples
///
/// ```
/// # use phase::ConditionReason;
/// assert_eq!(ConditionReason::PodCompleted.as_str(), "PodCompleted");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConditionReason {
    /// No container status is known.
    UnknownContainerStatuses,
    /// Every container succeeded.
    PodCompleted,
    /// The pod failed.
    PodFailed,
    /// Some container has no status or is not ready.
    ContainersNotReady,
    /// Some init container has no status or has not completed.
    ContainersNotInitialized,
}

impl ConditionReason {
    /// The wire spelling.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ConditionReason;
    /// assert_eq!(ConditionReason::ContainersNotReady.to_string(), "ContainersNotReady");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UnknownContainerStatuses => "UnknownContainerStatuses",
            Self::PodCompleted => "PodCompleted",
            Self::PodFailed => "PodFailed",
            Self::ContainersNotReady => "ContainersNotReady",
            Self::ContainersNotInitialized => "ContainersNotInitialized",
        }
    }
}

impl fmt::Display for ConditionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One condition: its status and, when the kubelet sets one, its reason.
///
/// # Examples
///
/// ```
/// # use phase::{Condition, ConditionReason, ConditionStatus};
/// let c = Condition::falsy(ConditionReason::PodFailed);
/// assert_eq!(c.status, ConditionStatus::False);
/// assert!(!c.is_true());
/// assert!(Condition::TRUE.is_true());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Condition {
    /// True or False.
    pub status: ConditionStatus,
    /// The reason, if any.
    pub reason: Option<ConditionReason>,
}

impl Condition {
    /// `True` with no reason.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::Condition;
    /// assert!(Condition::TRUE.reason.is_none());
    /// ```
    pub const TRUE: Self = Self {
        status: ConditionStatus::True,
        reason: None,
    };

    /// `False` with a reason.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Condition, ConditionReason};
    /// assert_eq!(Condition::falsy(ConditionReason::PodFailed).reason, Some(ConditionReason::PodFailed));
    /// ```
    #[must_use]
    pub const fn falsy(reason: ConditionReason) -> Self {
        Self {
            status: ConditionStatus::False,
            reason: Some(reason),
        }
    }

    /// Whether the status is `True`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::Condition;
    /// assert!(Condition::TRUE.is_true());
    /// ```
    #[must_use]
    pub const fn is_true(&self) -> bool {
        matches!(self.status, ConditionStatus::True)
    }
}

/// The three kubelet-owned readiness conditions of a pod.
///
/// # Examples
///
/// ```
/// # use phase::{conditions, PodPhase, PodSpec, RestartPolicy, Statuses};
/// let c = conditions(&PodSpec::new(RestartPolicy::Always), Statuses::default(), PodPhase::Pending);
/// assert!(c.initialized.is_true());
/// assert!(!c.ready.is_true());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PodConditions {
    /// `Initialized`.
    pub initialized: Condition,
    /// `ContainersReady`.
    pub containers_ready: Condition,
    /// `Ready` (equal to `ContainersReady`: readiness gates are not modelled).
    pub ready: Condition,
}

/// Computes `Initialized`, `ContainersReady` and `Ready` (see the module table). Allocates nothing.
///
/// # Examples
///
/// ```
/// # use phase::{conditions, ConditionReason, ContainerSpec, ContainerState, ContainerStatus,
/// #     Millis, PodPhase, PodSpec, RestartPolicy, Statuses};
/// let spec = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("a"));
/// let s = [ContainerStatus::new("a", ContainerState::terminated(0, Millis(1)))];
/// let c = conditions(&spec, Statuses::new(&s, &[]), PodPhase::Succeeded);
/// assert_eq!(c.containers_ready.reason, Some(ConditionReason::PodCompleted));
/// assert_eq!(c.initialized.reason, Some(ConditionReason::PodCompleted));
/// ```
#[must_use]
pub fn conditions(spec: &PodSpec, statuses: Statuses<'_>, phase: PodPhase) -> PodConditions {
    let containers_ready = containers_ready(spec, statuses, phase);
    PodConditions {
        initialized: initialized(spec, statuses, phase),
        containers_ready,
        ready: containers_ready,
    }
}

fn is_ready(status: &ContainerStatus) -> bool {
    status.ready && status.state.is_running()
}

fn containers_ready(spec: &PodSpec, statuses: Statuses<'_>, phase: PodPhase) -> Condition {
    if statuses.is_empty() {
        return Condition::falsy(ConditionReason::UnknownContainerStatuses);
    }
    let mut unknown = false;
    let mut unready = false;
    let checked = spec
        .iter()
        .filter(|(_, kind, _)| matches!(kind, ContainerKind::Sidecar | ContainerKind::Regular));
    for (_, _, container) in checked {
        match statuses.find(&container.name) {
            None => unknown = true,
            Some(s) if !is_ready(s) => unready = true,
            Some(_) => {}
        }
    }
    match phase {
        PodPhase::Succeeded if !unknown => Condition::falsy(ConditionReason::PodCompleted),
        PodPhase::Failed => Condition::falsy(ConditionReason::PodFailed),
        _ if unknown || unready => Condition::falsy(ConditionReason::ContainersNotReady),
        _ => Condition::TRUE,
    }
}

fn initialized(spec: &PodSpec, statuses: Statuses<'_>, phase: PodPhase) -> Condition {
    if statuses.is_empty() && !spec.init_containers.is_empty() {
        return Condition::falsy(ConditionReason::UnknownContainerStatuses);
    }
    let mut unknown = false;
    let mut incomplete = false;
    for container in &spec.init_containers {
        let Some(status) = statuses.find(&container.name) else {
            unknown = true;
            continue;
        };
        let complete = match container.kind(ContainerList::Init) {
            ContainerKind::Sidecar => {
                matches!(status.state, ContainerState::Running { started: true, .. })
            }
            _ => matches!(&status.state, ContainerState::Terminated(t) if t.exit_code == 0),
        };
        incomplete |= !complete;
    }
    if phase == PodPhase::Succeeded && !unknown {
        return Condition {
            status: ConditionStatus::True,
            reason: Some(ConditionReason::PodCompleted),
        };
    }
    if any_regular_container_started(spec, statuses) {
        return Condition::TRUE;
    }
    if unknown || incomplete {
        return Condition::falsy(ConditionReason::ContainersNotInitialized);
    }
    Condition::TRUE
}

/// Kubernetes' `HasAnyRegularContainerStarted`: does any status named like a regular container
/// show it running or terminated? This is what a status document can tell about
/// [`Initialized`](crate::Initialized); the kubelet's own fact looks only at the current sandbox.
///
/// # Examples
///
/// ```
/// # use phase::{any_regular_container_started, ContainerSpec, ContainerState, ContainerStatus,
/// #     Millis, PodSpec, RestartPolicy, Statuses};
/// let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("a"));
/// let s = [ContainerStatus::new("a", ContainerState::terminated(0, Millis(0)))];
/// assert!(any_regular_container_started(&spec, Statuses::new(&s, &[])));
/// assert!(!any_regular_container_started(&spec, Statuses::default()));
/// ```
#[must_use]
pub fn any_regular_container_started(spec: &PodSpec, statuses: Statuses<'_>) -> bool {
    statuses.iter().any(|s| {
        (s.state.is_running() || s.state.is_terminated())
            && spec.containers.iter().any(|c| c.name == s.name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{ContainerSpec, RestartPolicy};
    use crate::time::Millis;

    fn sidecar_pod() -> PodSpec {
        PodSpec::new(RestartPolicy::Always)
            .with_init_container(
                ContainerSpec::new("side").with_restart_policy(RestartPolicy::Always),
            )
            .with_container(ContainerSpec::new("app"))
    }

    #[test]
    fn ready_needs_running_as_well_as_ready_flag() {
        let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("a"));
        let s = [
            ContainerStatus::new("a", ContainerState::terminated(0, Millis(0))).with_ready(true),
        ];
        let c = conditions(&spec, Statuses::new(&s, &[]), PodPhase::Running);
        assert_eq!(
            c.containers_ready,
            Condition::falsy(ConditionReason::ContainersNotReady)
        );
    }

    #[test]
    fn unready_sidecar_makes_containers_not_ready() {
        let spec = sidecar_pod();
        let app =
            [ContainerStatus::new("app", ContainerState::running(Millis(0))).with_ready(true)];
        let init = [ContainerStatus::new(
            "side",
            ContainerState::running(Millis(0)),
        )];
        let c = conditions(&spec, Statuses::new(&app, &init), PodPhase::Running);
        assert_eq!(c.ready.reason, Some(ConditionReason::ContainersNotReady));
    }

    #[test]
    fn regular_init_containers_are_not_checked_for_readiness() {
        let spec = PodSpec::new(RestartPolicy::Always)
            .with_init_container(ContainerSpec::new("i"))
            .with_container(ContainerSpec::new("a"));
        let app = [ContainerStatus::new("a", ContainerState::running(Millis(0))).with_ready(true)];
        let init = [ContainerStatus::new(
            "i",
            ContainerState::terminated(0, Millis(0)),
        )];
        let c = conditions(&spec, Statuses::new(&app, &init), PodPhase::Running);
        assert!(c.containers_ready.is_true());
        assert!(c.initialized.is_true());
    }

    #[test]
    fn failed_phase_wins_over_ready_containers() {
        let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("a"));
        let s = [ContainerStatus::new("a", ContainerState::running(Millis(0))).with_ready(true)];
        let c = conditions(&spec, Statuses::new(&s, &[]), PodPhase::Failed);
        assert_eq!(c.ready.reason, Some(ConditionReason::PodFailed));
    }

    #[test]
    fn initialized_false_until_init_container_completes() {
        let spec = PodSpec::new(RestartPolicy::Always)
            .with_init_container(ContainerSpec::new("i"))
            .with_container(ContainerSpec::new("a"));
        let init = [ContainerStatus::new(
            "i",
            ContainerState::running(Millis(0)),
        )];
        let c = conditions(&spec, Statuses::new(&[], &init), PodPhase::Pending);
        assert_eq!(
            c.initialized.reason,
            Some(ConditionReason::ContainersNotInitialized)
        );
        let c = conditions(&spec, Statuses::default(), PodPhase::Pending);
        assert_eq!(
            c.initialized.reason,
            Some(ConditionReason::UnknownContainerStatuses)
        );
    }

    #[test]
    fn restarting_sidecar_does_not_uninitialize_once_a_regular_container_started() {
        let spec = sidecar_pod();
        let app = [ContainerStatus::new(
            "app",
            ContainerState::running(Millis(0)),
        )];
        let init = [ContainerStatus::new(
            "side",
            ContainerState::Waiting { reason: None },
        )];
        let c = conditions(&spec, Statuses::new(&app, &init), PodPhase::Running);
        assert!(c.initialized.is_true());
    }
}
