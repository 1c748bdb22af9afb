//! The crate's one error type.

use crate::hyper::{LifecycleEvent, LifecycleState};
use crate::probe::{ProbeId, ProbeKind};

/// Everything that can go wrong in this crate: misuse of a state machine, or a probe setting
/// that Kubernetes validation rejects. No variant is ever a panic.
///
/// # Examples
///
/// ```
/// # use phase::{Error, LifecycleEvent, LifecycleState};
/// let e = Error::Lifecycle { state: LifecycleState::Removed, event: LifecycleEvent::Start };
/// assert_eq!(e.to_string(), "cannot start a pod that is removed");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A Hyper lifecycle event that is not allowed in the pod's current state.
    #[error("cannot {event} a pod that is {state}")]
    Lifecycle {
        /// The state the pod was in (and still is).
        state: LifecycleState,
        /// The refused event.
        event: LifecycleEvent,
    },
    /// `replace` needs a running old pod and a created new one ([`crate::replace`]); both are
    /// unchanged.
    #[error(
        "cannot replace a pod that is {old} with a pod that is {new}: the old pod must be running and the new one created"
    )]
    Replace {
        /// The old pod's state.
        old: LifecycleState,
        /// The new pod's state.
        new: LifecycleState,
    },
    /// A probe result for a run that is not in flight: an unknown id, a run already timed out or
    /// already reported, or a container that has since stopped. The machine is unchanged.
    #[error("probe run {id} is not in flight")]
    ProbeNotInFlight {
        /// The id the result carried.
        id: ProbeId,
    },
    /// A probe setting that Kubernetes validation rejects (spec/kubernetes.md section 3).
    #[error("{kind} probe: {field} {problem}")]
    InvalidProbe {
        /// Which probe.
        kind: ProbeKind,
        /// The Kubernetes field name, e.g. `successThreshold`.
        field: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
}
