//! Hyper's view of a pod: its create/start/stop lifecycle and its status words
//! (spec/hyper.md sections 3 and 4).
//!
//! The lifecycle is the VM's: a created pod has no VM, a running pod has one.
//!
//! ```text
//!                 start
//!   Created ─────────────────▶ Running
//!      ▲ │ ◀───────────────────   │
//!      │ │   stop / vm-exited     │
//!      │ │                        │
//!      │ └── remove ──▶ Removed   │
//!      └──── vm-exited (no-op)    │
//! ```
//!
//! | state   | start            | stop        | vm-exited | remove           |
//! |---------|------------------|-------------|-----------|------------------|
//! | Created | Running          | error       | Created   | Removed          |
//! | Running | error            | Created     | Created   | error            |
//! | Removed | error            | error       | error     | error            |
//!
//! Every pair not marked with a target state returns [`Error::Lifecycle`].
//! Decisions where Hyper's versions differ: stopping a created pod is an error (1.x silently
//! succeeded, v0.7 refused); removing a running pod is an error, the caller stops it first
//! (`hyperctl rm` does both); a `vm-exited` report for a pod that is already stopped is a
//! harmless no-op, so a stop racing with the VM's own exit needs no special care.
//!
//! The status word is computed from the lifecycle state and the pod phase:
//!
//! | state   | phase Pending | Running | Succeeded | Failed    |
//! |---------|---------------|---------|-----------|-----------|
//! | Created | created       | created | succeeded | failed    |
//! | Running | pending       | running | succeeded | failed    |
//! | Removed | (none)        | (none)  | (none)    | (none)    |
//!
//! A finished pod keeps its final status until it is removed (DESIGN.md).
//!
//! `replace -o OLD -n NEW` (Hyper v0.1-v0.5, spec/hyper.md section 4.2) hands the running VM of
//! one pod to another: OLD is stopped keeping its VM (back to Created) and NEW, a created pod,
//! starts on that VM (Running). [`replace`] applies both or neither: OLD must be Running and
//! NEW Created. A pod cannot replace itself: it cannot be both (and the two `&mut` borrows
//! could not name one pod anyway).
//!
//! # Examples
//!
//! ```
//! # use phase::{HyperPod, HyperStatus, LifecycleEvent, LifecycleState, PodPhase};
//! let mut pod = HyperPod::new();
//! assert_eq!(pod.status(PodPhase::Pending), Some(HyperStatus::Created));
//! pod.handle(LifecycleEvent::Start)?;
//! assert_eq!(pod.status(PodPhase::Running), Some(HyperStatus::Running));
//! pod.handle(LifecycleEvent::VmExited)?;
//! assert_eq!(pod.status(PodPhase::Succeeded), Some(HyperStatus::Succeeded));
//! assert!(pod.handle(LifecycleEvent::Stop).is_err());
//! pod.handle(LifecycleEvent::Remove)?;
//! assert_eq!(pod.state(), LifecycleState::Removed);
//! # Ok::<(), phase::Error>(())
//! ```

use core::fmt;

use crate::error::Error;
use crate::state::PodPhase;

/// Where a pod is in Hyper's lifecycle.
///
/// # Examples
///
/// ```
/// # use phase::LifecycleState;
/// assert_eq!(LifecycleState::Created.as_str(), "created");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LifecycleState {
    /// The pod exists and has no VM.
    #[default]
    Created,
    /// The pod's VM is up.
    Running,
    /// The pod is gone.
    Removed,
}

impl LifecycleState {
    /// Every state.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::LifecycleState;
    /// assert_eq!(LifecycleState::ALL.len(), 3);
    /// ```
    pub const ALL: [Self; 3] = [Self::Created, Self::Running, Self::Removed];

    /// A lower-case name.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::LifecycleState;
    /// assert_eq!(LifecycleState::Removed.as_str(), "removed");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Running => "running",
            Self::Removed => "removed",
        }
    }
}

impl fmt::Display for LifecycleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happens to a pod: a user command, or the VM going away by itself.
///
/// # Examples
///
/// ```
/// # use phase::LifecycleEvent;
/// assert_eq!(LifecycleEvent::VmExited.as_str(), "vm-exited");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LifecycleEvent {
    /// `start`: boot a VM and run the containers.
    Start,
    /// `stop`: stop the containers and shut the VM down.
    Stop,
    /// The VM shut down on its own (every container finished, or a crash).
    VmExited,
    /// `rm`: forget the pod.
    Remove,
}

impl LifecycleEvent {
    /// Every event.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::LifecycleEvent;
    /// assert_eq!(LifecycleEvent::ALL.len(), 4);
    /// ```
    pub const ALL: [Self; 4] = [Self::Start, Self::Stop, Self::VmExited, Self::Remove];

    /// A lower-case name.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::LifecycleEvent;
    /// assert_eq!(LifecycleEvent::Start.as_str(), "start");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Stop => "stop",
            Self::VmExited => "vm-exited",
            Self::Remove => "remove",
        }
    }
}

impl fmt::Display for LifecycleEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every allowed transition `(from, event, to)`; everything else is an error (module table).
///
/// # Examples
///
/// ```
/// # use phase::{LifecycleEvent, LifecycleState, LIFECYCLE_TRANSITIONS};
/// assert!(LIFECYCLE_TRANSITIONS.contains(&(LifecycleState::Running, LifecycleEvent::Stop, LifecycleState::Created)));
/// ```
pub const LIFECYCLE_TRANSITIONS: [(LifecycleState, LifecycleEvent, LifecycleState); 5] = [
    (
        LifecycleState::Created,
        LifecycleEvent::Start,
        LifecycleState::Running,
    ),
    (
        LifecycleState::Created,
        LifecycleEvent::VmExited,
        LifecycleState::Created,
    ),
    (
        LifecycleState::Created,
        LifecycleEvent::Remove,
        LifecycleState::Removed,
    ),
    (
        LifecycleState::Running,
        LifecycleEvent::Stop,
        LifecycleState::Created,
    ),
    (
        LifecycleState::Running,
        LifecycleEvent::VmExited,
        LifecycleState::Created,
    ),
];

/// The next lifecycle state.
///
/// # Errors
///
/// [`Error::Lifecycle`] for every pair not in [`LIFECYCLE_TRANSITIONS`].
///
/// # Examples
///
/// ```
/// # use phase::{transition, LifecycleEvent, LifecycleState};
/// assert_eq!(transition(LifecycleState::Created, LifecycleEvent::Start), Ok(LifecycleState::Running));
/// assert!(transition(LifecycleState::Running, LifecycleEvent::Start).is_err());
/// ```
pub fn transition(from: LifecycleState, event: LifecycleEvent) -> Result<LifecycleState, Error> {
    use LifecycleEvent as E;
    use LifecycleState as S;
    match (from, event) {
        (S::Created, E::Start) => Ok(S::Running),
        (S::Created, E::VmExited) | (S::Running, E::Stop | E::VmExited) => Ok(S::Created),
        (S::Created, E::Remove) => Ok(S::Removed),
        (S::Created, E::Stop) | (S::Running, E::Start | E::Remove) | (S::Removed, _) => {
            Err(Error::Lifecycle { state: from, event })
        }
    }
}

/// Hyper's status words.
///
/// # Examples
///
/// ```
/// # use phase::HyperStatus;
/// assert_eq!(HyperStatus::Succeeded.as_str(), "succeeded");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HyperStatus {
    /// The pod exists, has no VM, and has not finished.
    Created,
    /// The VM is up and some container has not started.
    Pending,
    /// The VM is up and the pod runs.
    Running,
    /// Every container succeeded.
    Succeeded,
    /// The pod failed.
    Failed,
}

impl HyperStatus {
    /// The word `hyperctl list` prints.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::HyperStatus;
    /// assert_eq!(HyperStatus::Created.as_str(), "created");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

impl fmt::Display for HyperStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status word for a lifecycle state and a pod phase (module table); `None` once removed.
///
/// # Examples
///
/// ```
/// # use phase::{hyper_status, HyperStatus, LifecycleState, PodPhase};
/// assert_eq!(hyper_status(LifecycleState::Created, PodPhase::Running), Some(HyperStatus::Created));
/// assert_eq!(hyper_status(LifecycleState::Created, PodPhase::Failed), Some(HyperStatus::Failed));
/// assert_eq!(hyper_status(LifecycleState::Running, PodPhase::Pending), Some(HyperStatus::Pending));
/// assert_eq!(hyper_status(LifecycleState::Removed, PodPhase::Running), None);
/// ```
#[must_use]
pub const fn hyper_status(state: LifecycleState, phase: PodPhase) -> Option<HyperStatus> {
    match (state, phase) {
        (LifecycleState::Removed, _) => None,
        (_, PodPhase::Succeeded) => Some(HyperStatus::Succeeded),
        (_, PodPhase::Failed) => Some(HyperStatus::Failed),
        (LifecycleState::Created, _) => Some(HyperStatus::Created),
        (LifecycleState::Running, PodPhase::Pending) => Some(HyperStatus::Pending),
        (LifecycleState::Running, PodPhase::Running) => Some(HyperStatus::Running),
    }
}

/// A pod's place in Hyper's lifecycle.
///
/// # Examples
///
/// ```
/// # use phase::{HyperPod, LifecycleEvent, LifecycleState};
/// let mut pod = HyperPod::new();
/// assert_eq!(pod.handle(LifecycleEvent::Start), Ok(LifecycleState::Running));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct HyperPod {
    state: LifecycleState,
}

impl HyperPod {
    /// A freshly created pod.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{HyperPod, LifecycleState};
    /// assert_eq!(HyperPod::new().state(), LifecycleState::Created);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Self {
            state: LifecycleState::Created,
        }
    }

    /// A pod restored in a known state (after a daemon restart).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{HyperPod, LifecycleState};
    /// assert_eq!(HyperPod::from_state(LifecycleState::Running).state(), LifecycleState::Running);
    /// ```
    #[must_use]
    pub const fn from_state(state: LifecycleState) -> Self {
        Self { state }
    }

    /// The current state.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{HyperPod, LifecycleState};
    /// assert_eq!(HyperPod::default().state(), LifecycleState::Created);
    /// ```
    #[must_use]
    pub const fn state(&self) -> LifecycleState {
        self.state
    }

    /// Applies an event.
    ///
    /// # Errors
    ///
    /// [`Error::Lifecycle`] if the event is not allowed now; the state is unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Error, HyperPod, LifecycleEvent, LifecycleState};
    /// let mut pod = HyperPod::new();
    /// assert_eq!(
    ///     pod.handle(LifecycleEvent::Stop),
    ///     Err(Error::Lifecycle { state: LifecycleState::Created, event: LifecycleEvent::Stop }),
    /// );
    /// assert_eq!(pod.state(), LifecycleState::Created);
    /// ```
    pub fn handle(&mut self, event: LifecycleEvent) -> Result<LifecycleState, Error> {
        self.state = transition(self.state, event)?;
        Ok(self.state)
    }

    /// The status word for the pod's phase ([`hyper_status`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{HyperPod, HyperStatus, PodPhase};
    /// assert_eq!(HyperPod::new().status(PodPhase::Pending), Some(HyperStatus::Created));
    /// ```
    #[must_use]
    pub const fn status(&self, phase: PodPhase) -> Option<HyperStatus> {
        hyper_status(self.state, phase)
    }
}

/// `replace -o OLD -n NEW`: OLD, a running pod, gives its VM to NEW, a created pod (module
/// docs). On success OLD is Created and NEW Running; on error both are unchanged.
///
/// # Errors
///
/// [`Error::Replace`] naming both states when OLD is not Running or NEW is not Created.
///
/// # Examples
///
/// ```
/// # use phase::{replace, Error, HyperPod, LifecycleEvent, LifecycleState};
/// let mut old = HyperPod::new();
/// old.handle(LifecycleEvent::Start)?;
/// let mut new = HyperPod::new();
/// replace(&mut old, &mut new)?;
/// assert_eq!((old.state(), new.state()), (LifecycleState::Created, LifecycleState::Running));
/// // The VM now belongs to `new`: `old` has none to hand over again.
/// let mut third = HyperPod::new();
/// assert_eq!(
///     replace(&mut old, &mut third),
///     Err(Error::Replace { old: LifecycleState::Created, new: LifecycleState::Created }),
/// );
/// # Ok::<(), phase::Error>(())
/// ```
pub fn replace(old: &mut HyperPod, new: &mut HyperPod) -> Result<(), Error> {
    match (old.state, new.state) {
        (LifecycleState::Running, LifecycleState::Created) => {
            old.state = LifecycleState::Created;
            new.state = LifecycleState::Running;
            Ok(())
        }
        (old, new) => Err(Error::Replace { old, new }),
    }
}
