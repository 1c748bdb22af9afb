//! apourchet/pod-controller's probes, per-container states and pod health bit
//! (spec/hyper.md section 6), as sans-I/O state machines.
//!
//! pod-controller's spec format is one of ours, so its own semantics are available beside
//! Kubernetes' ([`crate::probe`]). They differ: no startup probe; a liveness probe that reaches
//! its failure threshold **gives up for good** (the container goes `TERMINAL`); one success
//! makes a probe that never failed healthy; defaults are [`ProbeConfig::POD_CONTROLLER`]; the
//! pod is healthy iff every main container is `STARTED`, `HEALTHY` or `FAILING`, so a main
//! container that exits, even with 0, makes the pod unhealthy. Readiness never affects health.
//!
//! # One long-lived probe ([`LongLivedProbe`])
//!
//! ```text
//!   Idle ──start(now)──▶ Waiting ──tick (initialDelay, then period after each answer)──▶ Checking
//!                          ▲                                                              │
//!                          └──────── answer or timeout, below the failure threshold ◀────┘
//!                                    failures >= failureThreshold ──▶ GaveUp (unhealthy, stops)
//! ```
//!
//! After each answer (a timeout is a failure): failures >= failureThreshold → unhealthy and the
//! probe stops; else successes >= successThreshold, or (never failed and this one succeeded) →
//! healthy; else this one failed → unhealthy; else unchanged. Initial health: liveness healthy,
//! readiness unhealthy. A failure threshold of 0 gives up on the first answer.
//!
//! # One main container ([`PcContainer`])
//!
//! The watcher looks every second (first look at creation):
//!
//! ```text
//!  current                 | exited           | liveness not started | gave up  | healthy | else
//!  STARTED/HEALTHY/FAILING | FINISHED (ok)    | STARTED              | TERMINAL | HEALTHY | FAILING
//!                          | FAILED (not ok)  |                      |          |         |
//!  TERMINAL/FINISHED/FAILED: absorbing
//! ```
//!
//! Decisions where pod-controller's goroutines leave room: the liveness and readiness probes
//! start when the caller reports the container running (pod-controller polls for that once a
//! second); a timed-out check's late answer is discarded (pod-controller could mistake it for the
//! next check's); probes stop when the container exits.
//!
//! # Examples
//!
//! ```
//! # use phase::{pod_healthy, Millis, PcContainer, PcState, ProbeConfig, ProbeOutcome};
//! let live = ProbeConfig::from_seconds(0, 2, 1, 1, 1);
//! let mut c = PcContainer::new(Some(live), None, Millis(0));
//! c.handle_container_started(Millis(0));
//! let run = c.poll_action().expect("first liveness check");
//! c.handle_result(run.id, ProbeOutcome::Failure, Millis(100))?;
//! c.handle_timeout(Millis(1_000)); // the watcher's next look
//! assert_eq!(c.state(), PcState::Terminal);
//! assert!(!pod_healthy([c.state()]));
//! # Ok::<(), phase::Error>(())
//! ```

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use crate::error::Error;
use crate::probe::{ProbeConfig, ProbeId, ProbeKind, ProbeOutcome};
use crate::time::Millis;

/// How often pod-controller's watcher recomputes container states.
pub const WATCH_PERIOD: Duration = Duration::from_secs(1);

/// A pod-controller probe run request.
///
/// # Examples
///
/// ```
/// # use phase::{LongLivedProbe, Millis, ProbeConfig, ProbeKind};
/// let mut p = LongLivedProbe::new(ProbeKind::Liveness, ProbeConfig::POD_CONTROLLER);
/// p.handle_start(Millis(0));
/// let run = p.poll_action().unwrap();
/// assert_eq!(run.deadline, Millis(1_000));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PcProbeRun {
    /// Pass it back with the answer.
    pub id: ProbeId,
    /// Liveness or readiness.
    pub kind: ProbeKind,
    /// When the run counts as failed.
    pub deadline: Millis,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProbeStage {
    Idle,
    Waiting { next: Millis },
    Checking { id: ProbeId, deadline: Millis },
    GaveUp,
    Stopped,
}

/// pod-controller's `LongLivedProbe` (module docs).
///
/// # Examples
///
/// ```
/// # use phase::{LongLivedProbe, Millis, ProbeConfig, ProbeKind, ProbeOutcome};
/// let mut p = LongLivedProbe::new(ProbeKind::Readiness, ProbeConfig::from_seconds(0, 2, 1, 2, 2));
/// assert!(!p.is_healthy()); // readiness starts unhealthy
/// p.handle_start(Millis(0));
/// let run = p.poll_action().unwrap();
/// p.handle_result(run.id, ProbeOutcome::Success, Millis(1))?;
/// assert!(p.is_healthy()); // never failed, succeeded once
/// # Ok::<(), phase::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct LongLivedProbe {
    kind: ProbeKind,
    config: ProbeConfig,
    stage: ProbeStage,
    healthy: bool,
    successes: u32,
    failures: u32,
    has_failed: bool,
    always_healthy: bool,
    next_id: u64,
    pending: Option<PcProbeRun>,
}

impl LongLivedProbe {
    /// A probe that has not started. `kind` should be liveness or readiness (a startup kind
    /// behaves like readiness).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{LongLivedProbe, ProbeConfig, ProbeKind};
    /// let p = LongLivedProbe::new(ProbeKind::Liveness, ProbeConfig::POD_CONTROLLER);
    /// assert!(p.is_healthy() && !p.is_started() && !p.is_running());
    /// ```
    #[must_use]
    pub const fn new(kind: ProbeKind, config: ProbeConfig) -> Self {
        Self {
            kind,
            config,
            stage: ProbeStage::Idle,
            healthy: matches!(kind, ProbeKind::Liveness),
            successes: 0,
            failures: 0,
            has_failed: false,
            always_healthy: false,
            next_id: 0,
            pending: None,
        }
    }

    /// pod-controller's check for a probe with neither `exec` nor `httpGet`: it always passes.
    /// The machine answers it itself, so it never asks the caller to run anything.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{LongLivedProbe, Millis, ProbeConfig, ProbeKind};
    /// let mut p = LongLivedProbe::always_healthy(ProbeKind::Readiness, ProbeConfig::POD_CONTROLLER);
    /// p.handle_start(Millis(0));
    /// assert!(p.poll_action().is_none());
    /// assert!(p.is_healthy());
    /// ```
    #[must_use]
    pub const fn always_healthy(kind: ProbeKind, config: ProbeConfig) -> Self {
        let mut probe = Self::new(kind, config);
        probe.always_healthy = true;
        probe
    }

    /// `Start()`: the first check is due after the initial delay. Ignored unless idle.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{LongLivedProbe, Millis, ProbeConfig, ProbeKind};
    /// let mut p = LongLivedProbe::new(ProbeKind::Liveness, ProbeConfig::from_seconds(3, 5, 1, 1, 1));
    /// p.handle_start(Millis(0));
    /// assert!(p.is_started() && p.is_running());
    /// assert_eq!(p.poll_timeout(), Some(Millis(3_000)));
    /// ```
    pub fn handle_start(&mut self, now: Millis) {
        if self.stage == ProbeStage::Idle {
            self.stage = ProbeStage::Waiting {
                next: now.saturating_add(self.config.initial_delay),
            };
            self.drive(now);
        }
    }

    /// `Stop()`: no further checks.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{LongLivedProbe, Millis, ProbeConfig, ProbeKind};
    /// let mut p = LongLivedProbe::new(ProbeKind::Liveness, ProbeConfig::POD_CONTROLLER);
    /// p.handle_start(Millis(0));
    /// p.handle_stop();
    /// assert!(!p.is_running());
    /// assert_eq!(p.poll_timeout(), None);
    /// ```
    pub fn handle_stop(&mut self) {
        if self.stage != ProbeStage::GaveUp {
            self.stage = ProbeStage::Stopped;
        }
        self.pending = None;
    }

    /// The answer of a check. An answer at or after its deadline counts as a timeout.
    ///
    /// # Errors
    ///
    /// [`Error::ProbeNotInFlight`] if this check is not the one in flight; nothing changes.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{LongLivedProbe, Millis, ProbeConfig, ProbeKind, ProbeOutcome};
    /// let mut p = LongLivedProbe::new(ProbeKind::Liveness, ProbeConfig::POD_CONTROLLER);
    /// p.handle_start(Millis(0));
    /// let run = p.poll_action().unwrap();
    /// assert!(p.handle_result(run.id, ProbeOutcome::Success, Millis(5)).is_ok());
    /// assert!(p.handle_result(run.id, ProbeOutcome::Success, Millis(6)).is_err());
    /// ```
    pub fn handle_result(
        &mut self,
        id: ProbeId,
        outcome: ProbeOutcome,
        now: Millis,
    ) -> Result<(), Error> {
        match self.stage {
            ProbeStage::Checking {
                id: current,
                deadline,
            } if current == id => {
                let success = now < deadline && outcome == ProbeOutcome::Success;
                self.pending = None;
                self.conclude(success, now);
                Ok(())
            }
            _ => Err(Error::ProbeNotInFlight { id }),
        }
    }

    /// Time passed: a check past its deadline fails; a due check is requested. Early or repeated
    /// calls change nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{LongLivedProbe, Millis, ProbeConfig, ProbeKind};
    /// let mut p = LongLivedProbe::new(ProbeKind::Liveness, ProbeConfig::from_seconds(0, 2, 1, 2, 2));
    /// p.handle_start(Millis(0));
    /// let _ = p.poll_action();
    /// p.handle_timeout(Millis(1_000)); // the check timed out: one failure, unhealthy
    /// assert!(!p.is_healthy() && p.is_running());
    /// ```
    pub fn handle_timeout(&mut self, now: Millis) {
        if let ProbeStage::Checking { deadline, .. } = self.stage
            && now >= deadline
        {
            self.pending = None;
            self.conclude(false, now);
        }
        self.drive(now);
    }

    /// The check to run now, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{LongLivedProbe, ProbeConfig, ProbeKind};
    /// assert!(LongLivedProbe::new(ProbeKind::Liveness, ProbeConfig::POD_CONTROLLER).poll_action().is_none());
    /// ```
    #[must_use]
    pub fn poll_action(&mut self) -> Option<PcProbeRun> {
        self.pending.take()
    }

    /// When `handle_timeout` is due next.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{LongLivedProbe, ProbeConfig, ProbeKind};
    /// assert_eq!(LongLivedProbe::new(ProbeKind::Liveness, ProbeConfig::POD_CONTROLLER).poll_timeout(), None);
    /// ```
    #[must_use]
    pub const fn poll_timeout(&self) -> Option<Millis> {
        match self.stage {
            ProbeStage::Waiting { next } => Some(next),
            ProbeStage::Checking { deadline, .. } => Some(deadline),
            _ => None,
        }
    }

    /// `Healthy()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{LongLivedProbe, ProbeConfig, ProbeKind};
    /// assert!(LongLivedProbe::new(ProbeKind::Liveness, ProbeConfig::POD_CONTROLLER).is_healthy());
    /// ```
    #[must_use]
    pub const fn is_healthy(&self) -> bool {
        self.healthy
    }

    /// `Running()`: started and neither stopped nor given up.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{LongLivedProbe, ProbeConfig, ProbeKind};
    /// assert!(!LongLivedProbe::new(ProbeKind::Liveness, ProbeConfig::POD_CONTROLLER).is_running());
    /// ```
    #[must_use]
    pub const fn is_running(&self) -> bool {
        matches!(
            self.stage,
            ProbeStage::Waiting { .. } | ProbeStage::Checking { .. }
        )
    }

    /// `Started()`: `Start()` was called.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{LongLivedProbe, ProbeConfig, ProbeKind};
    /// assert!(!LongLivedProbe::new(ProbeKind::Readiness, ProbeConfig::POD_CONTROLLER).is_started());
    /// ```
    #[must_use]
    pub const fn is_started(&self) -> bool {
        !matches!(self.stage, ProbeStage::Idle)
    }

    /// Whether it reached its failure threshold and stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{LongLivedProbe, ProbeConfig, ProbeKind};
    /// assert!(!LongLivedProbe::new(ProbeKind::Liveness, ProbeConfig::POD_CONTROLLER).has_given_up());
    /// ```
    #[must_use]
    pub const fn has_given_up(&self) -> bool {
        matches!(self.stage, ProbeStage::GaveUp)
    }

    fn conclude(&mut self, success: bool, now: Millis) {
        self.has_failed |= !success;
        if success {
            self.failures = 0;
            self.successes = self.successes.saturating_add(1);
        } else {
            self.successes = 0;
            self.failures = self.failures.saturating_add(1);
        }
        if self.failures >= self.config.failure_threshold {
            self.healthy = false;
            self.stage = ProbeStage::GaveUp;
            return;
        }
        if self.successes >= self.config.success_threshold || (!self.has_failed && success) {
            self.healthy = true;
        } else if !success {
            self.healthy = false;
        }
        // A zero period is taken as 1 ms so that virtual time advances.
        let period = self.config.period.max(Duration::from_millis(1));
        self.stage = ProbeStage::Waiting {
            next: now.saturating_add(period),
        };
    }

    fn drive(&mut self, now: Millis) {
        if let ProbeStage::Waiting { next } = self.stage
            && now >= next
        {
            if self.always_healthy {
                self.conclude(true, now);
                return;
            }
            let id = ProbeId(self.next_id);
            self.next_id += 1;
            let deadline = now.saturating_add(self.config.timeout);
            self.stage = ProbeStage::Checking { id, deadline };
            self.pending = Some(PcProbeRun {
                id,
                kind: self.kind,
                deadline,
            });
        }
    }
}

/// pod-controller's per-container states, with the integers its JSON status uses.
///
/// # Examples
///
/// ```
/// # use phase::PcState;
/// assert_eq!(PcState::Terminal.as_int(), 3);
/// assert_eq!(PcState::Failing.as_str(), "FAILING");
/// assert!(PcState::Started.is_healthy() && !PcState::Finished.is_healthy());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PcState {
    /// Created; liveness has not started.
    Started,
    /// Liveness is healthy.
    Healthy,
    /// Liveness failed but has not given up.
    Failing,
    /// Liveness gave up (absorbing).
    Terminal,
    /// Exited cleanly (absorbing).
    Finished,
    /// Exited with an error, or could not start (absorbing).
    Failed,
}

impl PcState {
    /// Every state, in integer order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::PcState;
    /// assert_eq!(PcState::ALL[5], PcState::Failed);
    /// ```
    pub const ALL: [Self; 6] = [
        Self::Started,
        Self::Healthy,
        Self::Failing,
        Self::Terminal,
        Self::Finished,
        Self::Failed,
    ];

    /// The integer in pod-controller's JSON status.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::PcState;
    /// assert_eq!(PcState::Started.as_int(), 0);
    /// ```
    #[must_use]
    pub const fn as_int(self) -> u8 {
        match self {
            Self::Started => 0,
            Self::Healthy => 1,
            Self::Failing => 2,
            Self::Terminal => 3,
            Self::Finished => 4,
            Self::Failed => 5,
        }
    }

    /// The upper-case name.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::PcState;
    /// assert_eq!(PcState::Healthy.as_str(), "HEALTHY");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Started => "STARTED",
            Self::Healthy => "HEALTHY",
            Self::Failing => "FAILING",
            Self::Terminal => "TERMINAL",
            Self::Finished => "FINISHED",
            Self::Failed => "FAILED",
        }
    }

    /// Whether the state counts as healthy: `STARTED`, `HEALTHY` or `FAILING`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::PcState;
    /// assert!(PcState::Failing.is_healthy());
    /// ```
    #[must_use]
    pub const fn is_healthy(self) -> bool {
        matches!(self, Self::Started | Self::Healthy | Self::Failing)
    }

    /// Whether the state never changes again.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::PcState;
    /// assert!(PcState::Finished.is_absorbing());
    /// ```
    #[must_use]
    pub const fn is_absorbing(self) -> bool {
        matches!(self, Self::Terminal | Self::Finished | Self::Failed)
    }
}

impl fmt::Display for PcState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the container's process is doing (pod-controller's exit probe).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExitProbe {
    NotStarted,
    Running,
    Exited { ok: bool },
}

/// The next watcher state (module table); a total function.
///
/// # Examples
///
/// ```
/// # use phase::{next_pc_state, PcObservation, PcState};
/// let obs = PcObservation { exited: Some(true), liveness_started: true, liveness_gave_up: false, liveness_healthy: true };
/// assert_eq!(next_pc_state(PcState::Healthy, obs), PcState::Finished);
/// assert_eq!(next_pc_state(PcState::Terminal, obs), PcState::Terminal);
/// ```
#[must_use]
pub const fn next_pc_state(current: PcState, obs: PcObservation) -> PcState {
    if current.is_absorbing() {
        return current;
    }
    match obs.exited {
        Some(true) => PcState::Finished,
        Some(false) => PcState::Failed,
        None if !obs.liveness_started => PcState::Started,
        None if obs.liveness_gave_up => PcState::Terminal,
        None if obs.liveness_healthy => PcState::Healthy,
        None => PcState::Failing,
    }
}

/// What the watcher sees of one container.
///
/// # Examples
///
/// ```
/// # use phase::PcObservation;
/// let o = PcObservation { exited: None, liveness_started: false, liveness_gave_up: false, liveness_healthy: true };
/// assert!(o.exited.is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PcObservation {
    /// `Some(ok)` once the process ended (`ok`: start and wait returned no error).
    pub exited: Option<bool>,
    /// The liveness probe was started.
    pub liveness_started: bool,
    /// The liveness probe reached its failure threshold.
    pub liveness_gave_up: bool,
    /// The liveness probe's health bit.
    pub liveness_healthy: bool,
}

/// One pod-controller main container: its probes and its state history (module docs).
///
/// # Examples
///
/// ```
/// # use phase::{Millis, PcContainer, PcState};
/// let mut c = PcContainer::new(None, None, Millis(0));
/// c.handle_container_started(Millis(0));
/// c.handle_timeout(Millis(1_000));
/// assert_eq!(c.states(), [PcState::Started, PcState::Healthy]);
/// c.handle_container_exited(true, Millis(1_500));
/// c.handle_timeout(Millis(2_000));
/// assert_eq!(c.state(), PcState::Finished);
/// ```
#[derive(Clone, Debug)]
pub struct PcContainer {
    liveness: LongLivedProbe,
    readiness: LongLivedProbe,
    exit: ExitProbe,
    states: Vec<PcState>,
    next_watch: Millis,
}

impl PcContainer {
    /// A container created at `now` (state `STARTED`). A missing probe (`None`) is
    /// pod-controller's always-healthy check on [`ProbeConfig::POD_CONTROLLER`]'s schedule; the
    /// machine answers it itself. (pod-controller's JSON leaves omitted probe fields at 0, so a
    /// file without a liveness probe really gets `Some(ProbeConfig::from_seconds(0, 0, 0, 0, 0))`,
    /// which gives up on its first check: mapping a file is the caller's job.)
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, PcContainer, PcState};
    /// let c = PcContainer::new(None, None, Millis(0));
    /// assert_eq!(c.state(), PcState::Started);
    /// assert_eq!(c.poll_timeout(), Some(Millis(0))); // the watcher's first look
    /// ```
    #[must_use]
    pub fn new(liveness: Option<ProbeConfig>, readiness: Option<ProbeConfig>, now: Millis) -> Self {
        let probe = |kind, c: Option<ProbeConfig>| match c {
            Some(config) => LongLivedProbe::new(kind, config),
            None => LongLivedProbe::always_healthy(kind, ProbeConfig::POD_CONTROLLER),
        };
        Self {
            liveness: probe(ProbeKind::Liveness, liveness),
            readiness: probe(ProbeKind::Readiness, readiness),
            exit: ExitProbe::NotStarted,
            states: vec![PcState::Started],
            next_watch: now,
        }
    }

    /// The process runs (pod-controller: the exit probe entered `Wait`); the liveness and
    /// readiness probes start.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, PcContainer};
    /// let mut c = PcContainer::new(None, None, Millis(0));
    /// c.handle_container_started(Millis(0));
    /// assert!(c.liveness().is_started());
    /// ```
    pub fn handle_container_started(&mut self, now: Millis) {
        if self.exit == ExitProbe::NotStarted {
            self.exit = ExitProbe::Running;
            self.liveness.handle_start(now);
            self.readiness.handle_start(now);
        }
    }

    /// The process ended; `ok` is pod-controller's "Start and Wait returned no error" (exit 0).
    /// Also use it with `ok = false` when the container could not start.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, PcContainer, PcState};
    /// let mut c = PcContainer::new(None, None, Millis(0));
    /// c.handle_container_exited(false, Millis(0));
    /// c.handle_timeout(Millis(0));
    /// assert_eq!(c.state(), PcState::Failed);
    /// ```
    pub fn handle_container_exited(&mut self, ok: bool, now: Millis) {
        let _ = now;
        if !matches!(self.exit, ExitProbe::Exited { .. }) {
            self.exit = ExitProbe::Exited { ok };
            self.liveness.handle_stop();
            self.readiness.handle_stop();
        }
    }

    /// The answer to a liveness or readiness check.
    ///
    /// # Errors
    ///
    /// [`Error::ProbeNotInFlight`] if `kind`'s probe has no such check in flight.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, PcContainer, ProbeConfig, ProbeOutcome};
    /// let mut c = PcContainer::new(Some(ProbeConfig::POD_CONTROLLER), None, Millis(0));
    /// c.handle_container_started(Millis(0));
    /// let run = c.poll_action().unwrap();
    /// assert!(c.handle_result(run.id, ProbeOutcome::Success, Millis(1)).is_ok());
    /// ```
    pub fn handle_result(
        &mut self,
        id: ProbeId,
        outcome: ProbeOutcome,
        now: Millis,
    ) -> Result<(), Error> {
        let (kind, raw) = split_id(id);
        let probe = match kind {
            ProbeKind::Liveness => &mut self.liveness,
            _ => &mut self.readiness,
        };
        probe
            .handle_result(raw, outcome, now)
            .map_err(|_| Error::ProbeNotInFlight { id })
    }

    /// Time passed: probe deadlines and the watcher's once-a-second look.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, PcContainer};
    /// let mut c = PcContainer::new(None, None, Millis(0));
    /// c.handle_timeout(Millis(0));
    /// assert_eq!(c.poll_timeout(), Some(Millis(1_000)));
    /// ```
    pub fn handle_timeout(&mut self, now: Millis) {
        self.liveness.handle_timeout(now);
        self.readiness.handle_timeout(now);
        if now >= self.next_watch && !self.state().is_absorbing() {
            let next = next_pc_state(self.state(), self.observe());
            if next != self.state() {
                self.states.push(next);
            }
            let period = WATCH_PERIOD.as_millis() as u64;
            let missed = (now.as_millis() - self.next_watch.as_millis()) / period;
            self.next_watch = Millis(
                self.next_watch
                    .as_millis()
                    .saturating_add((missed + 1) * period),
            );
        }
    }

    /// The next check to run (liveness before readiness). Its id routes the answer.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, PcContainer, ProbeConfig, ProbeKind};
    /// let cfg = Some(ProbeConfig::POD_CONTROLLER);
    /// let mut c = PcContainer::new(cfg, cfg, Millis(0));
    /// c.handle_container_started(Millis(0));
    /// assert_eq!(c.poll_action().map(|r| r.kind), Some(ProbeKind::Liveness));
    /// assert_eq!(c.poll_action().map(|r| r.kind), Some(ProbeKind::Readiness));
    /// ```
    #[must_use]
    pub fn poll_action(&mut self) -> Option<PcProbeRun> {
        if let Some(run) = self.liveness.poll_action() {
            return Some(PcProbeRun {
                id: join_id(ProbeKind::Liveness, run.id),
                ..run
            });
        }
        self.readiness.poll_action().map(|run| PcProbeRun {
            id: join_id(ProbeKind::Readiness, run.id),
            ..run
        })
    }

    /// When `handle_timeout` is due next; `None` once the state is absorbing and no probe runs.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, PcContainer};
    /// assert!(PcContainer::new(None, None, Millis(0)).poll_timeout().is_some());
    /// ```
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Millis> {
        let watch = (!self.state().is_absorbing()).then_some(self.next_watch);
        [
            watch,
            self.liveness.poll_timeout(),
            self.readiness.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The latest state.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, PcContainer, PcState};
    /// assert_eq!(PcContainer::new(None, None, Millis(0)).state(), PcState::Started);
    /// ```
    #[must_use]
    pub fn state(&self) -> PcState {
        self.states.last().copied().unwrap_or(PcState::Started)
    }

    /// Every state it went through (a state is appended only when it differs from the last).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, PcContainer, PcState};
    /// assert_eq!(PcContainer::new(None, None, Millis(0)).states(), [PcState::Started]);
    /// ```
    #[must_use]
    pub fn states(&self) -> &[PcState] {
        &self.states
    }

    /// The liveness probe.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, PcContainer};
    /// assert!(PcContainer::new(None, None, Millis(0)).liveness().is_healthy());
    /// ```
    #[must_use]
    pub const fn liveness(&self) -> &LongLivedProbe {
        &self.liveness
    }

    /// The readiness probe (it never affects health).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{Millis, PcContainer};
    /// assert!(!PcContainer::new(None, None, Millis(0)).readiness().is_healthy());
    /// ```
    #[must_use]
    pub const fn readiness(&self) -> &LongLivedProbe {
        &self.readiness
    }

    const fn observe(&self) -> PcObservation {
        PcObservation {
            exited: match self.exit {
                ExitProbe::Exited { ok } => Some(ok),
                ExitProbe::NotStarted | ExitProbe::Running => None,
            },
            liveness_started: self.liveness.is_started(),
            liveness_gave_up: !self.liveness.is_running() && self.liveness.is_started(),
            liveness_healthy: self.liveness.is_healthy(),
        }
    }
}

/// The low bit of a container-level id says which probe it belongs to.
const fn join_id(kind: ProbeKind, id: ProbeId) -> ProbeId {
    let bit = match kind {
        ProbeKind::Liveness => 0,
        _ => 1,
    };
    ProbeId(id.0.wrapping_mul(2).wrapping_add(bit))
}

const fn split_id(id: ProbeId) -> (ProbeKind, ProbeId) {
    let kind = if id.0.is_multiple_of(2) {
        ProbeKind::Liveness
    } else {
        ProbeKind::Readiness
    };
    (kind, ProbeId(id.0 / 2))
}

/// pod-controller's pod health bit: every **main** container is `STARTED`, `HEALTHY` or
/// `FAILING`. Init containers are not considered; an empty pod is healthy.
///
/// # Examples
///
/// ```
/// # use phase::{pod_healthy, PcState};
/// assert!(pod_healthy([PcState::Healthy, PcState::Failing]));
/// assert!(!pod_healthy([PcState::Healthy, PcState::Finished]));
/// assert!(pod_healthy([]));
/// ```
#[must_use]
pub fn pod_healthy(states: impl IntoIterator<Item = PcState>) -> bool {
    states.into_iter().all(PcState::is_healthy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_the_container() {
        for kind in [ProbeKind::Liveness, ProbeKind::Readiness] {
            for raw in [0, 1, 7, u64::MAX / 2] {
                assert_eq!(split_id(join_id(kind, ProbeId(raw))), (kind, ProbeId(raw)));
            }
        }
    }

    #[test]
    fn zero_failure_threshold_gives_up_on_first_answer_even_a_success() {
        let mut p = LongLivedProbe::new(
            ProbeKind::Liveness,
            ProbeConfig::from_seconds(0, 1, 1, 1, 0),
        );
        p.handle_start(Millis(0));
        let run = p.poll_action().unwrap();
        p.handle_result(run.id, ProbeOutcome::Success, Millis(1))
            .unwrap();
        assert!(p.has_given_up());
        assert!(!p.is_healthy());
    }

    #[test]
    fn watcher_rules_are_total() {
        for current in PcState::ALL {
            for exited in [None, Some(true), Some(false)] {
                for bits in 0..8u8 {
                    let obs = PcObservation {
                        exited,
                        liveness_started: bits & 1 != 0,
                        liveness_gave_up: bits & 2 != 0,
                        liveness_healthy: bits & 4 != 0,
                    };
                    let next = next_pc_state(current, obs);
                    if current.is_absorbing() {
                        assert_eq!(next, current);
                    }
                    if exited.is_some() && !current.is_absorbing() {
                        assert!(matches!(next, PcState::Finished | PcState::Failed));
                    }
                }
            }
        }
    }
}
