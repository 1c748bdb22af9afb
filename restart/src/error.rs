//! The crate's one error type.

use phase::ContainerId;

use crate::hooks::Hook;

/// Misuse of a [`crate::PodTracker`]: an event that does not fit the tracker's state, or a
/// snapshot that does not fit its configuration. Decisions themselves never fail.
///
/// # Examples
///
/// ```
/// # use phase::ContainerId;
/// # use restart::Error;
/// let e = Error::UnknownContainer { container: ContainerId::regular(7) };
/// assert_eq!(e.to_string(), "no container containers[7] in this pod");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The pod has no such container.
    #[error("no container {container} in this pod")]
    UnknownContainer {
        /// The container named by the event.
        container: ContainerId,
    },
    /// The event does not fit the container's state (for example `started` for a container that
    /// was never asked to start).
    #[error("{event} for {container}, which is {state}")]
    UnexpectedEvent {
        /// The container.
        container: ContainerId,
        /// The event, by name.
        event: &'static str,
        /// The container's state, by name.
        state: &'static str,
    },
    /// A hook result for a hook that is not running (never asked for, or already timed out).
    #[error("result of {hook} for {container}, which is not running")]
    UnexpectedHookResult {
        /// The container.
        container: ContainerId,
        /// The hook.
        hook: Hook,
    },
    /// The pod has finished (kept or deleted); only a delete request is still accepted.
    #[error("the pod has finished")]
    PodFinished,
    /// A snapshot that does not fit its configuration.
    #[error("inconsistent snapshot: {what}")]
    InvalidState {
        /// What is wrong.
        what: &'static str,
    },
}
