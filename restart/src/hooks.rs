//! Lifecycle hooks: which hook runs when, what its failure does, and the stop sequence with its
//! grace period.
//!
//! Sources: spec/kubernetes.md section 4 (postStart and preStop in the kubelet), the container
//! environment design translated in seeds/001 (preStart, postStart, postRestart, preStop with a
//! reason of Delete, Health or Dependency), and DESIGN.md's semantics section.
//!
//! # Order for one container
//!
//! ```text
//! start:   [preStart] -> create+start -> [postRestart, not on the first start] -> [postStart] -> running
//! stop:    [preStop(reason), bounded by the grace period] -> stop signal (SIGTERM) -> grace -> SIGKILL
//! ```
//!
//! Brackets mark hooks that run only if the container defines them.
//!
//! # What a hook's outcome does ([`HOOK_OUTCOME_TABLE`])
//!
//! | hook | succeeded | failed or timed out |
//! |---|---|---|
//! | PreStart | Continue | AbortStart |
//! | PostRestart | Continue | KillContainer |
//! | PostStart | Continue | KillContainer |
//! | PreStop | Continue | Continue |
//!
//! # Decisions we made where the sources are open
//!
//! - **Every hook has a timeout** (the kubelet's exec hooks have none). The default is
//!   [`DEFAULT_HOOK_TIMEOUT`], 30 s, the default grace period. A timeout counts as a failure.
//! - **A failed preStart aborts the start**: the container is not created, and the attempt counts
//!   as a failed run (restarted unless `Never`, with CrashLoopBackOff).
//! - **A failed postRestart kills the container**, as a failed postStart does (the kubelet's
//!   rule for postStart), and the postStart hook is not run.
//! - **preStop runs only if the grace period is above zero** and is bounded by it (the kubelet's
//!   rule). The time it took is taken off the grace period given to the stop signal, which never
//!   drops below [`MIN_GRACE_AFTER_PRE_STOP`] (the kubelet's `minimumGracePeriodInSeconds`).
//!   A failed preStop only logs: termination goes on.
//! - **Hooks of one pod run one at a time** and pause the pod's other management work: no
//!   container is started, restarted or stopped and no probe result is acted on while a hook
//!   runs. The one exception is the SIGKILL at the end of a grace period, which is a deadline
//!   already promised to the container and is never delayed.

use core::fmt;
use core::time::Duration;

/// The default timeout of a hook: 30 s, the Kubernetes default grace period.
///
/// # Examples
///
/// ```
/// # use core::time::Duration;
/// # use restart::DEFAULT_HOOK_TIMEOUT;
/// assert_eq!(DEFAULT_HOOK_TIMEOUT, Duration::from_secs(30));
/// ```
pub const DEFAULT_HOOK_TIMEOUT: Duration = Duration::from_secs(30);

/// The default termination grace period: 30 s (`terminationGracePeriodSeconds`).
///
/// # Examples
///
/// ```
/// # use core::time::Duration;
/// # use restart::DEFAULT_GRACE_PERIOD;
/// assert_eq!(DEFAULT_GRACE_PERIOD.as_secs(), 30);
/// ```
pub const DEFAULT_GRACE_PERIOD: Duration = Duration::from_secs(30);

/// The least grace the stop signal gets after a preStop hook: 2 s (the kubelet's
/// `minimumGracePeriodInSeconds`).
///
/// # Examples
///
/// ```
/// # use restart::MIN_GRACE_AFTER_PRE_STOP;
/// assert_eq!(MIN_GRACE_AFTER_PRE_STOP.as_secs(), 2);
/// ```
pub const MIN_GRACE_AFTER_PRE_STOP: Duration = Duration::from_secs(2);

/// A lifecycle hook.
///
/// # Examples
///
/// ```
/// # use restart::Hook;
/// assert_eq!(Hook::PostRestart.as_str(), "postRestart");
/// assert_eq!(Hook::ALL.len(), 4);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hook {
    /// Before the container is created.
    PreStart,
    /// After the container started.
    PostStart,
    /// After the container started, before postStart, on every start but the first.
    PostRestart,
    /// Before the container is stopped, with a [`StopReason`].
    PreStop,
}

impl Hook {
    /// Every hook, in declaration order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::Hook;
    /// assert_eq!(Hook::ALL[0], Hook::PreStart);
    /// ```
    pub const ALL: [Self; 4] = [
        Self::PreStart,
        Self::PostStart,
        Self::PostRestart,
        Self::PreStop,
    ];

    /// The spelling in pod files (`lifecycle.<hook>`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::Hook;
    /// assert_eq!(Hook::PreStop.as_str(), "preStop");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PreStart => "preStart",
            Self::PostStart => "postStart",
            Self::PostRestart => "postRestart",
            Self::PreStop => "preStop",
        }
    }
}

impl fmt::Display for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a container is being stopped; handed to its preStop hook (`PRESTOP_REASON` in an exec
/// hook's environment, `reason=` in an httpGet hook's query).
///
/// # Examples
///
/// ```
/// # use restart::StopReason;
/// assert_eq!(StopReason::Health.as_str(), "Health");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StopReason {
    /// The pod is being deleted or stopped.
    Delete,
    /// The container failed a health check (liveness or startup probe, or a post-start hook).
    Health,
    /// Something the container depends on is gone (a lost volume or sandbox, or, for a sidecar,
    /// the main containers it served have all finished).
    Dependency,
}

impl StopReason {
    /// Every reason.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::StopReason;
    /// assert_eq!(StopReason::ALL.len(), 3);
    /// ```
    pub const ALL: [Self; 3] = [Self::Delete, Self::Health, Self::Dependency];

    /// The value passed to the hook.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::StopReason;
    /// assert_eq!(StopReason::Dependency.as_str(), "Dependency");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Delete => "Delete",
            Self::Health => "Health",
            Self::Dependency => "Dependency",
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a hook run reported.
///
/// # Examples
///
/// ```
/// # use restart::HookOutcome;
/// assert!(HookOutcome::Succeeded.is_success());
/// assert!(!HookOutcome::TimedOut.is_success());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HookOutcome {
    /// Exec exited 0, or httpGet got an answer that is not a 5xx, or sleep finished.
    Succeeded,
    /// The handler failed.
    Failed,
    /// The handler did not finish within its timeout.
    TimedOut,
}

impl HookOutcome {
    /// Every outcome.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::HookOutcome;
    /// assert_eq!(HookOutcome::ALL.len(), 3);
    /// ```
    pub const ALL: [Self; 3] = [Self::Succeeded, Self::Failed, Self::TimedOut];

    /// Whether the hook succeeded.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::HookOutcome;
    /// assert!(!HookOutcome::Failed.is_success());
    /// ```
    #[must_use]
    pub const fn is_success(self) -> bool {
        matches!(self, Self::Succeeded)
    }
}

/// What the runtime does after a hook finished.
///
/// # Examples
///
/// ```
/// # use restart::{hook_consequence, Hook, HookConsequence, HookOutcome};
/// assert_eq!(hook_consequence(Hook::PostStart, HookOutcome::Failed), HookConsequence::KillContainer);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HookConsequence {
    /// Go on with the sequence.
    Continue,
    /// Do not create the container; the attempt is a failed run.
    AbortStart,
    /// Kill the container (reason Health); it then restarts per policy.
    KillContainer,
}

/// The hook-outcome table of the module documentation: `(hook, on success, on failure or
/// timeout)`.
///
/// # Examples
///
/// ```
/// # use restart::{Hook, HookConsequence, HOOK_OUTCOME_TABLE};
/// assert_eq!(HOOK_OUTCOME_TABLE[0], (Hook::PreStart, HookConsequence::Continue, HookConsequence::AbortStart));
/// ```
pub const HOOK_OUTCOME_TABLE: [(Hook, HookConsequence, HookConsequence); 4] = [
    (
        Hook::PreStart,
        HookConsequence::Continue,
        HookConsequence::AbortStart,
    ),
    (
        Hook::PostRestart,
        HookConsequence::Continue,
        HookConsequence::KillContainer,
    ),
    (
        Hook::PostStart,
        HookConsequence::Continue,
        HookConsequence::KillContainer,
    ),
    (
        Hook::PreStop,
        HookConsequence::Continue,
        HookConsequence::Continue,
    ),
];

/// What follows a hook's outcome (see [`HOOK_OUTCOME_TABLE`]).
///
/// # Examples
///
/// ```
/// # use restart::{hook_consequence, Hook, HookConsequence, HookOutcome};
/// assert_eq!(hook_consequence(Hook::PreStop, HookOutcome::TimedOut), HookConsequence::Continue);
/// assert_eq!(hook_consequence(Hook::PreStart, HookOutcome::Failed), HookConsequence::AbortStart);
/// ```
#[must_use]
pub const fn hook_consequence(hook: Hook, outcome: HookOutcome) -> HookConsequence {
    match (hook, outcome) {
        (_, HookOutcome::Succeeded) | (Hook::PreStop, _) => HookConsequence::Continue,
        (Hook::PreStart, _) => HookConsequence::AbortStart,
        (Hook::PostStart | Hook::PostRestart, _) => HookConsequence::KillContainer,
    }
}

/// The hooks one container defines, each with its timeout. The handler itself (exec, httpGet,
/// sleep) is the runtime's business.
///
/// # Examples
///
/// ```
/// # use core::time::Duration;
/// # use restart::{Hook, Hooks};
/// let hooks = Hooks::none()
///     .with(Hook::PostStart, Duration::from_secs(5))
///     .with(Hook::PreStop, Duration::from_secs(10));
/// assert_eq!(hooks.timeout(Hook::PostStart), Some(Duration::from_secs(5)));
/// assert_eq!(hooks.timeout(Hook::PreStart), None);
/// assert!(hooks.has(Hook::PreStop));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Hooks {
    /// preStart's timeout, if defined.
    pub pre_start: Option<Duration>,
    /// postStart's timeout, if defined.
    pub post_start: Option<Duration>,
    /// postRestart's timeout, if defined.
    pub post_restart: Option<Duration>,
    /// preStop's timeout, if defined (also bounded by the grace period).
    pub pre_stop: Option<Duration>,
}

impl Hooks {
    /// No hooks.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{Hook, Hooks};
    /// assert!(Hook::ALL.iter().all(|h| !Hooks::none().has(*h)));
    /// ```
    #[must_use]
    pub const fn none() -> Self {
        Self {
            pre_start: None,
            post_start: None,
            post_restart: None,
            pre_stop: None,
        }
    }

    /// Every hook, each with `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{Hook, Hooks, DEFAULT_HOOK_TIMEOUT};
    /// assert!(Hook::ALL.iter().all(|h| Hooks::all(DEFAULT_HOOK_TIMEOUT).has(*h)));
    /// ```
    #[must_use]
    pub const fn all(timeout: Duration) -> Self {
        Self {
            pre_start: Some(timeout),
            post_start: Some(timeout),
            post_restart: Some(timeout),
            pre_stop: Some(timeout),
        }
    }

    /// Defines `hook` with `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use restart::{Hook, Hooks};
    /// assert!(Hooks::none().with(Hook::PreStart, Duration::from_secs(1)).has(Hook::PreStart));
    /// ```
    #[must_use]
    pub const fn with(mut self, hook: Hook, timeout: Duration) -> Self {
        let slot = match hook {
            Hook::PreStart => &mut self.pre_start,
            Hook::PostStart => &mut self.post_start,
            Hook::PostRestart => &mut self.post_restart,
            Hook::PreStop => &mut self.pre_stop,
        };
        *slot = Some(timeout);
        self
    }

    /// The timeout of `hook`, if it is defined.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{Hook, Hooks};
    /// assert_eq!(Hooks::none().timeout(Hook::PreStop), None);
    /// ```
    #[must_use]
    pub const fn timeout(&self, hook: Hook) -> Option<Duration> {
        match hook {
            Hook::PreStart => self.pre_start,
            Hook::PostStart => self.post_start,
            Hook::PostRestart => self.post_restart,
            Hook::PreStop => self.pre_stop,
        }
    }

    /// Whether `hook` is defined.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{Hook, Hooks, DEFAULT_HOOK_TIMEOUT};
    /// assert!(Hooks::all(DEFAULT_HOOK_TIMEOUT).has(Hook::PostRestart));
    /// ```
    #[must_use]
    pub const fn has(&self, hook: Hook) -> bool {
        self.timeout(hook).is_some()
    }
}

/// One step of a container's start sequence.
///
/// # Examples
///
/// ```
/// # use restart::{Hook, StartStep};
/// assert_ne!(StartStep::Hook(Hook::PreStart), StartStep::Start);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StartStep {
    /// Run this hook and wait for it.
    Hook(Hook),
    /// Create and start the container, and wait until it runs.
    Start,
}

/// The start sequence of one container, without allocating: `[preStart] Start [postRestart]
/// [postStart]`, postRestart only when `first_start` is false.
///
/// # Examples
///
/// ```
/// # use restart::{start_sequence, Hook, Hooks, StartStep, DEFAULT_HOOK_TIMEOUT};
/// let all = Hooks::all(DEFAULT_HOOK_TIMEOUT);
/// let first: Vec<_> = start_sequence(&all, true).collect();
/// assert_eq!(first, [StartStep::Hook(Hook::PreStart), StartStep::Start, StartStep::Hook(Hook::PostStart)]);
/// let again: Vec<_> = start_sequence(&all, false).collect();
/// assert_eq!(again[2], StartStep::Hook(Hook::PostRestart));
/// assert_eq!(start_sequence(&Hooks::none(), false).collect::<Vec<_>>(), [StartStep::Start]);
/// ```
pub fn start_sequence(hooks: &Hooks, first_start: bool) -> impl Iterator<Item = StartStep> + use<> {
    let steps = [
        hooks
            .has(Hook::PreStart)
            .then_some(StartStep::Hook(Hook::PreStart)),
        Some(StartStep::Start),
        (!first_start && hooks.has(Hook::PostRestart))
            .then_some(StartStep::Hook(Hook::PostRestart)),
        hooks
            .has(Hook::PostStart)
            .then_some(StartStep::Hook(Hook::PostStart)),
    ];
    steps.into_iter().flatten()
}

/// The hook that follows `after` in a start sequence, once the container runs: postRestart
/// (not on the first start) then postStart. `None` when the container is simply running.
///
/// # Examples
///
/// ```
/// # use restart::{next_post_start_hook, Hook, Hooks, DEFAULT_HOOK_TIMEOUT};
/// let all = Hooks::all(DEFAULT_HOOK_TIMEOUT);
/// assert_eq!(next_post_start_hook(&all, false, None), Some(Hook::PostRestart));
/// assert_eq!(next_post_start_hook(&all, true, None), Some(Hook::PostStart));
/// assert_eq!(next_post_start_hook(&all, false, Some(Hook::PostRestart)), Some(Hook::PostStart));
/// assert_eq!(next_post_start_hook(&all, false, Some(Hook::PostStart)), None);
/// ```
#[must_use]
pub fn next_post_start_hook(hooks: &Hooks, first_start: bool, after: Option<Hook>) -> Option<Hook> {
    let mut seen = after.is_none();
    for step in start_sequence(hooks, first_start) {
        match step {
            StartStep::Hook(h @ (Hook::PostStart | Hook::PostRestart)) if seen => return Some(h),
            StartStep::Hook(h) if Some(h) == after => seen = true,
            _ => {}
        }
    }
    None
}

/// How one container is stopped: an optional preStop, the stop signal with its grace, SIGKILL.
///
/// # Examples
///
/// ```
/// # use core::time::Duration;
/// # use restart::{StopPlan, Hooks, Hook};
/// let hooks = Hooks::none().with(Hook::PreStop, Duration::from_secs(60));
/// let plan = StopPlan::new(&hooks, Duration::from_secs(30));
/// // preStop is bounded by the grace period.
/// assert_eq!(plan.pre_stop_timeout, Some(Duration::from_secs(30)));
/// assert_eq!(plan.grace, Duration::from_secs(30));
/// // Without a grace period: no preStop, SIGKILL at once.
/// assert_eq!(StopPlan::new(&hooks, Duration::ZERO).pre_stop_timeout, None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StopPlan {
    /// The preStop hook's timeout, if it runs (defined and a grace period above zero).
    pub pre_stop_timeout: Option<Duration>,
    /// The whole grace period.
    pub grace: Duration,
}

impl StopPlan {
    /// The plan for a container with `hooks` and a grace period of `grace`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use restart::{StopPlan, Hooks};
    /// assert_eq!(StopPlan::new(&Hooks::none(), Duration::from_secs(5)).pre_stop_timeout, None);
    /// ```
    #[must_use]
    pub fn new(hooks: &Hooks, grace: Duration) -> Self {
        let pre_stop_timeout = match hooks.pre_stop {
            Some(t) if !grace.is_zero() => Some(t.min(grace)),
            _ => None,
        };
        Self {
            pre_stop_timeout,
            grace,
        }
    }

    /// The grace the stop signal gets after a preStop that took `spent`:
    /// `max(grace - spent, 2 s)`; or the whole grace if no preStop ran (`spent` zero).
    /// With a zero grace period it is zero: SIGKILL at once.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use restart::{StopPlan, Hooks, Hook};
    /// let hooks = Hooks::none().with(Hook::PreStop, Duration::from_secs(30));
    /// let plan = StopPlan::new(&hooks, Duration::from_secs(30));
    /// assert_eq!(plan.signal_grace(Duration::from_secs(10)), Duration::from_secs(20));
    /// assert_eq!(plan.signal_grace(Duration::from_secs(29)), Duration::from_secs(2));
    /// assert_eq!(plan.signal_grace(Duration::ZERO), Duration::from_secs(30));
    /// ```
    #[must_use]
    pub fn signal_grace(&self, spent: Duration) -> Duration {
        if self.grace.is_zero() {
            return Duration::ZERO;
        }
        if self.pre_stop_timeout.is_none() || spent.is_zero() {
            return self.grace;
        }
        self.grace
            .saturating_sub(spent)
            .max(MIN_GRACE_AFTER_PRE_STOP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_consequence_matches_its_table() {
        for (hook, ok, bad) in HOOK_OUTCOME_TABLE {
            assert_eq!(hook_consequence(hook, HookOutcome::Succeeded), ok);
            assert_eq!(hook_consequence(hook, HookOutcome::Failed), bad);
            assert_eq!(hook_consequence(hook, HookOutcome::TimedOut), bad);
        }
        assert_eq!(HOOK_OUTCOME_TABLE.len(), Hook::ALL.len());
    }

    #[test]
    fn drawn_hook_table_is_the_constant() {
        let source = include_str!("hooks.rs");
        let drawn: alloc::vec::Vec<&str> = source
            .lines()
            .filter_map(|l| l.strip_prefix("//! | "))
            .filter(|l| l.starts_with(|c: char| c.is_ascii_uppercase()))
            .collect();
        assert_eq!(drawn.len(), HOOK_OUTCOME_TABLE.len());
        for (line, (hook, ok, bad)) in drawn.iter().zip(HOOK_OUTCOME_TABLE) {
            assert_eq!(*line, alloc::format!("{hook:?} | {ok:?} | {bad:?} |"));
        }
    }

    #[test]
    fn post_restart_never_runs_on_the_first_start() {
        let all = Hooks::all(DEFAULT_HOOK_TIMEOUT);
        assert!(!start_sequence(&all, true).any(|s| s == StartStep::Hook(Hook::PostRestart)));
    }

    #[test]
    fn post_restart_runs_before_post_start() {
        let all = Hooks::all(DEFAULT_HOOK_TIMEOUT);
        let steps: alloc::vec::Vec<_> = start_sequence(&all, false).collect();
        assert_eq!(
            steps,
            [
                StartStep::Hook(Hook::PreStart),
                StartStep::Start,
                StartStep::Hook(Hook::PostRestart),
                StartStep::Hook(Hook::PostStart),
            ]
        );
    }

    #[test]
    fn pre_stop_is_never_part_of_the_start_sequence() {
        for first in [true, false] {
            let all = Hooks::all(DEFAULT_HOOK_TIMEOUT);
            assert!(!start_sequence(&all, first).any(|s| s == StartStep::Hook(Hook::PreStop)));
        }
    }

    #[test]
    fn signal_grace_is_zero_without_grace() {
        let plan = StopPlan::new(&Hooks::all(DEFAULT_HOOK_TIMEOUT), Duration::ZERO);
        assert_eq!(plan.signal_grace(Duration::from_secs(1)), Duration::ZERO);
    }

    #[test]
    fn signal_grace_never_exceeds_grace_when_grace_is_small() {
        // A 1 s grace period with a preStop: the 2 s floor applies, as in the kubelet.
        let plan = StopPlan::new(&Hooks::all(DEFAULT_HOOK_TIMEOUT), Duration::from_secs(1));
        assert_eq!(plan.pre_stop_timeout, Some(Duration::from_secs(1)));
        assert_eq!(
            plan.signal_grace(Duration::from_secs(1)),
            MIN_GRACE_AFTER_PRE_STOP
        );
    }
}
