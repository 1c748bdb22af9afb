//! Kubernetes' liveness, readiness and startup probes as sans-I/O state machines
//! (`pkg/kubelet/prober/worker.go`, `prober_manager.go`; spec/kubernetes.md section 3).
//!
//! [`ContainerProbes`] holds the probes of one container. It never runs a probe: it asks for one
//! with a [`ProbeRun`] (from [`poll_action`](ContainerProbes::poll_action)), the caller runs the
//! handler (exec, httpGet, ...) and reports the outcome with
//! [`handle_result`](ContainerProbes::handle_result). What it concludes comes out as
//! [`ProbeEvent`]s: the container has started, is ready or not, or must be killed.
//!
//! # Driving loop
//!
//! 1. Feed inputs: `handle_container_started`, `handle_container_exited`, `handle_result`,
//!    `handle_deletion`, and `handle_timeout(now)` whenever the deadline from `poll_timeout`
//!    passes. A `handle_timeout` before any deadline changes nothing.
//! 2. Drain `poll_action` (run these probes) and `poll_event` (act on these conclusions) until
//!    both return `None`.
//! 3. Sleep until `poll_timeout` (or the next input), then repeat.
//!
//! # One probe's states
//!
//! ```text
//!                 container started(now)                  liveness Failure published,
//!   NoContainer ─────────────────────────▶ Active ───────────────────────────────▶ OnHold
//!        ▲            (result := initial,   │  ▲  or any startup result published      │
//!        │             first tick at        │  │                                       │
//!        │             now+initialDelay)    │  └─ tick: run if the gate is open         │
//!        │                                  │     result: count the run, publish at     │
//!        └──── container exited ◀───────────┴──── the threshold ◀───────────────────────┘
//!              (result := Failure)          pod deleting: liveness/startup ─▶ Done (Success)
//! ```
//!
//! - Initial result for a new container: readiness `Failure`, liveness `Success`, startup
//!   `Unknown`.
//! - Gate: until the container is *started* only the startup probe runs; after that only
//!   liveness and readiness run. *Started* = running and (no startup probe, or its result is
//!   `Success`). *Ready* = started and (no readiness probe, or its result is `Success`).
//! - A result is published after `failureThreshold` consecutive failures or `successThreshold`
//!   consecutive successes; until then the previous result stands. [`ProbeOutcome::Error`] (the
//!   prober itself failed) is discarded.
//! - Publishing a liveness or startup `Failure` emits [`ProbeEvent::Kill`]. Readiness never
//!   kills.
//! - A run that gets no answer by its deadline (`timeoutSeconds`) counts as a `Failure`. The
//!   deadline counts from when the run is handed out: [`poll_action_at(now)`](ContainerProbes::poll_action_at)
//!   times it from `now`, [`poll_action`](ContainerProbes::poll_action) from when it was asked
//!   for (the same for a caller that drains the actions at once). A run asked for but not handed
//!   out yet has no deadline: `handle_timeout` does not count it, `poll_timeout` does not wait
//!   for it, and no second run of that probe is asked for meanwhile. So a caller that holds runs
//!   back for a while (the supervisor while a hook runs) still gives each its whole timeout.
//!
//! Decisions where the kubelet's timing is not reproducible: its ticker starts when the worker
//! starts, at a random phase; here the first tick is exactly `initialDelaySeconds` after the
//! container started and later ticks follow every `periodSeconds`. Ticks that fall while a run is
//! in flight collapse into one tick when it ends (a Go ticker drops ticks the same way).
//!
//! # Examples
//!
//! ```
//! # use core::time::Duration;
//! # use phase::{ContainerProbes, Millis, ProbeConfig, ProbeEvent, ProbeKind, ProbeOutcome, ProbeSpecs};
//! let specs = ProbeSpecs { readiness: Some(ProbeConfig::KUBERNETES), ..ProbeSpecs::default() };
//! let mut probes = ContainerProbes::new(specs);
//! probes.handle_container_started(Millis(0));
//! assert_eq!(probes.poll_event(), Some(ProbeEvent::Started));
//! // The first readiness run is due at once (no initial delay).
//! let run = probes.poll_action().expect("a readiness run");
//! assert_eq!(run.kind, ProbeKind::Readiness);
//! probes.handle_result(run.id, ProbeOutcome::Success, Millis(300))?;
//! assert_eq!(probes.poll_event(), Some(ProbeEvent::Ready));
//! assert_eq!(probes.poll_timeout(), Some(Millis::from_secs(10)));
//! # Ok::<(), phase::Error>(())
//! ```

use alloc::collections::VecDeque;
use core::fmt;
use core::time::Duration;

use crate::error::Error;
use crate::time::Millis;

/// Which probe.
///
/// # Examples
///
/// ```
/// # use phase::ProbeKind;
/// assert_eq!(ProbeKind::Startup.as_str(), "startup");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProbeKind {
    /// Is the container alive? A published failure kills it.
    Liveness,
    /// Should the container get traffic? Never kills.
    Readiness,
    /// Has the container finished starting? Gates the other two; a published failure kills.
    Startup,
}

impl ProbeKind {
    /// Every kind.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ProbeKind;
    /// assert_eq!(ProbeKind::ALL.len(), 3);
    /// ```
    pub const ALL: [Self; 3] = [Self::Liveness, Self::Readiness, Self::Startup];

    /// A lower-case name.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ProbeKind;
    /// assert_eq!(ProbeKind::Liveness.to_string(), "liveness");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Liveness => "liveness",
            Self::Readiness => "readiness",
            Self::Startup => "startup",
        }
    }

    const fn index(self) -> usize {
        match self {
            Self::Startup => 0,
            Self::Liveness => 1,
            Self::Readiness => 2,
        }
    }
}

impl fmt::Display for ProbeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A probe's timing and thresholds (user intent, plain data).
///
/// # Examples
///
/// ```
/// # use core::time::Duration;
/// # use phase::ProbeConfig;
/// let c = ProbeConfig::from_seconds(5, 2, 1, 1, 3);
/// assert_eq!(c.initial_delay, Duration::from_secs(5));
/// assert_eq!(ProbeConfig::default(), ProbeConfig::KUBERNETES);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProbeConfig {
    /// `initialDelaySeconds`: no run before the container has run this long.
    pub initial_delay: Duration,
    /// `periodSeconds`: time between runs.
    pub period: Duration,
    /// `timeoutSeconds`: a run without an answer by then is a failure.
    pub timeout: Duration,
    /// `successThreshold`: consecutive successes needed to publish success.
    pub success_threshold: u32,
    /// `failureThreshold`: consecutive failures needed to publish failure.
    pub failure_threshold: u32,
}

impl ProbeConfig {
    /// Kubernetes' defaults (`SetDefaults_Probe`): delay 0, period 10 s, timeout 1 s, success 1,
    /// failure 3.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ProbeConfig;
    /// assert_eq!(ProbeConfig::KUBERNETES.failure_threshold, 3);
    /// ```
    pub const KUBERNETES: Self = Self::from_seconds(0, 10, 1, 1, 3);

    /// pod-controller's `NewProbeSpec` defaults: delay 0, period 5 s, timeout 1 s, success 1,
    /// failure 1 (spec/hyper.md section 6.1).
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use phase::ProbeConfig;
    /// assert_eq!(ProbeConfig::POD_CONTROLLER.period, Duration::from_secs(5));
    /// ```
    pub const POD_CONTROLLER: Self = Self::from_seconds(0, 5, 1, 1, 1);

    /// A config from the five Kubernetes fields, in whole seconds.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::ProbeConfig;
    /// assert_eq!(ProbeConfig::from_seconds(0, 10, 1, 1, 3), ProbeConfig::KUBERNETES);
    /// ```
    #[must_use]
    pub const fn from_seconds(
        initial_delay: u64,
        period: u64,
        timeout: u64,
        success_threshold: u32,
        failure_threshold: u32,
    ) -> Self {
        Self {
            initial_delay: Duration::from_secs(initial_delay),
            period: Duration::from_secs(period),
            timeout: Duration::from_secs(timeout),
            success_threshold,
            failure_threshold,
        }
    }

    /// Kubernetes validation of a probe of this kind: liveness and startup probes need
    /// `successThreshold` 1. (Negative values cannot be represented.)
    ///
    /// # Errors
    ///
    /// [`Error::InvalidProbe`] naming the field.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ProbeConfig, ProbeKind};
    /// let c = ProbeConfig { success_threshold: 2, ..ProbeConfig::KUBERNETES };
    /// assert!(c.validate(ProbeKind::Readiness).is_ok());
    /// assert!(c.validate(ProbeKind::Liveness).is_err());
    /// ```
    pub fn validate(&self, kind: ProbeKind) -> Result<(), Error> {
        if kind != ProbeKind::Readiness && self.success_threshold != 1 {
            return Err(Error::InvalidProbe {
                kind,
                field: "successThreshold",
                problem: "must be 1",
            });
        }
        Ok(())
    }
}

impl Default for ProbeConfig {
    fn default() -> Self {
        Self::KUBERNETES
    }
}

/// Which probes a container has.
///
/// # Examples
///
/// ```
/// # use phase::{ProbeConfig, ProbeSpecs};
/// let s = ProbeSpecs { liveness: Some(ProbeConfig::KUBERNETES), ..ProbeSpecs::default() };
/// assert!(s.startup.is_none());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ProbeSpecs {
    /// `livenessProbe`.
    pub liveness: Option<ProbeConfig>,
    /// `readinessProbe`.
    pub readiness: Option<ProbeConfig>,
    /// `startupProbe`.
    pub startup: Option<ProbeConfig>,
}

/// Identifies one probe run, so that a late answer cannot be taken for a newer run's.
///
/// # Examples
///
/// ```
/// # use phase::ProbeId;
/// assert_eq!(ProbeId(7).to_string(), "#7");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProbeId(pub u64);

impl fmt::Display for ProbeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A request to run one probe now.
///
/// # Examples
///
/// ```
/// # use phase::{ContainerProbes, Millis, ProbeConfig, ProbeKind, ProbeSpecs};
/// let mut p = ContainerProbes::new(ProbeSpecs { liveness: Some(ProbeConfig::KUBERNETES), ..Default::default() });
/// p.handle_container_started(Millis(0));
/// let run = p.poll_action().unwrap();
/// assert_eq!((run.kind, run.deadline), (ProbeKind::Liveness, Millis(1_000)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ProbeRun {
    /// Pass it back to `handle_result`.
    pub id: ProbeId,
    /// Which probe to run.
    pub kind: ProbeKind,
    /// How long the handler may take.
    pub timeout: Duration,
    /// When the run counts as failed if no answer came.
    pub deadline: Millis,
}

/// What running a probe handler gave.
///
/// # Examples
///
/// ```
/// # use phase::ProbeOutcome;
/// assert_ne!(ProbeOutcome::Failure, ProbeOutcome::Error);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProbeOutcome {
    /// The check passed (exec exit 0, HTTP 200..399, TCP connect).
    Success,
    /// The check failed (or timed out).
    Failure,
    /// The prober itself could not run the check; the run is discarded.
    Error,
}

/// A probe's published result.
///
/// # Examples
///
/// ```
/// # use phase::ProbeResult;
/// assert_ne!(ProbeResult::Unknown, ProbeResult::Success);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProbeResult {
    /// Nothing published yet (startup's initial value).
    Unknown,
    /// Passing.
    Success,
    /// Failing.
    Failure,
}

/// What the probes concluded.
///
/// # Examples
///
/// ```
/// # use phase::{ProbeEvent, ProbeKind};
/// let e = ProbeEvent::Kill { probe: ProbeKind::Liveness };
/// assert_ne!(e, ProbeEvent::Ready);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProbeEvent {
    /// The container counts as started (its startup probe passed, or it has none).
    Started,
    /// The container became ready.
    Ready,
    /// The container stopped being ready.
    NotReady,
    /// A liveness or startup failure was published: kill the container (the restart policy then
    /// decides what happens next).
    Kill {
        /// The probe that failed.
        probe: ProbeKind,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    NoContainer,
    Active,
    OnHold,
    Done,
}

#[derive(Clone, Copy, Debug)]
struct Worker {
    kind: ProbeKind,
    config: ProbeConfig,
    result: ProbeResult,
    last: Option<bool>,
    run: u32,
    mode: Mode,
    next_tick: Millis,
    /// The run asked for: its id, and its deadline once handed out.
    in_flight: Option<InFlight>,
}

/// A run asked for and not answered yet.
#[derive(Clone, Copy, Debug)]
struct InFlight {
    id: ProbeId,
    /// `None` until the run is handed out (`poll_action*`).
    deadline: Option<Millis>,
}

impl Worker {
    const fn new(kind: ProbeKind, config: ProbeConfig) -> Self {
        Self {
            kind,
            config,
            result: initial_result(kind),
            last: None,
            run: 0,
            mode: Mode::NoContainer,
            next_tick: Millis::ZERO,
            in_flight: None,
        }
    }

    fn deadline(&self) -> Option<Millis> {
        match (self.mode, self.in_flight) {
            (Mode::Active, Some(run)) => run.deadline,
            (Mode::Active, None) => Some(self.next_tick),
            _ => None,
        }
    }

    /// Counts one answered run; returns a published failure of a killing probe.
    fn record(&mut self, outcome: ProbeOutcome) -> Option<ProbeEvent> {
        let success = match outcome {
            ProbeOutcome::Success => true,
            ProbeOutcome::Failure => false,
            ProbeOutcome::Error => return None,
        };
        if self.last == Some(success) {
            self.run = self.run.saturating_add(1);
        } else {
            self.last = Some(success);
            self.run = 1;
        }
        let threshold = if success {
            self.config.success_threshold
        } else {
            self.config.failure_threshold
        };
        if self.run < threshold {
            return None;
        }
        self.result = if success {
            ProbeResult::Success
        } else {
            ProbeResult::Failure
        };
        let kills = !success && self.kind != ProbeKind::Readiness;
        if (self.kind == ProbeKind::Liveness && !success) || self.kind == ProbeKind::Startup {
            self.mode = Mode::OnHold;
            self.run = 0;
        }
        kills.then_some(ProbeEvent::Kill { probe: self.kind })
    }
}

const fn initial_result(kind: ProbeKind) -> ProbeResult {
    match kind {
        ProbeKind::Readiness => ProbeResult::Failure,
        ProbeKind::Liveness => ProbeResult::Success,
        ProbeKind::Startup => ProbeResult::Unknown,
    }
}

/// The first tick strictly after `now` on the grid `tick + k * period`.
fn next_tick_after(tick: Millis, period: Duration, now: Millis) -> Millis {
    let period_ms = u64::try_from(period.as_millis()).unwrap_or(u64::MAX).max(1);
    if tick > now {
        return tick;
    }
    let behind = now.as_millis() - tick.as_millis();
    let steps = behind / period_ms + 1;
    Millis(
        tick.as_millis()
            .saturating_add(steps.saturating_mul(period_ms)),
    )
}

/// The Kubernetes probes of one container (module docs).
///
/// # Examples
///
/// ```
/// # use phase::{ContainerProbes, Millis, ProbeConfig, ProbeEvent, ProbeKind, ProbeOutcome, ProbeSpecs};
/// let live = ProbeConfig { failure_threshold: 1, ..ProbeConfig::KUBERNETES };
/// let mut p = ContainerProbes::new(ProbeSpecs { liveness: Some(live), ..Default::default() });
/// p.handle_container_started(Millis(0));
/// let run = p.poll_action().unwrap();
/// p.handle_result(run.id, ProbeOutcome::Failure, Millis(10))?;
/// assert_eq!(p.poll_event(), Some(ProbeEvent::Started));
/// assert_eq!(p.poll_event(), Some(ProbeEvent::Ready));
/// assert_eq!(p.poll_event(), Some(ProbeEvent::Kill { probe: ProbeKind::Liveness }));
/// assert_eq!(p.poll_timeout(), None); // on hold until the container is replaced
/// # Ok::<(), phase::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ContainerProbes {
    workers: [Option<Worker>; 3],
    running: bool,
    started: bool,
    ready: bool,
    next_id: u64,
    actions: VecDeque<ProbeRun>,
    events: VecDeque<ProbeEvent>,
}

impl ContainerProbes {
    /// Probes for a container that has not started yet.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerProbes, ProbeSpecs};
    /// let p = ContainerProbes::new(ProbeSpecs::default());
    /// assert!(!p.is_started());
    /// assert_eq!(p.poll_timeout(), None);
    /// ```
    #[must_use]
    pub fn new(specs: ProbeSpecs) -> Self {
        let mut workers = [None; 3];
        for (kind, config) in [
            (ProbeKind::Startup, specs.startup),
            (ProbeKind::Liveness, specs.liveness),
            (ProbeKind::Readiness, specs.readiness),
        ] {
            workers[kind.index()] = config.map(|c| Worker::new(kind, c));
        }
        Self {
            workers,
            running: false,
            started: false,
            ready: false,
            next_id: 0,
            actions: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// A (new instance of the) container is running since `now`: every probe starts over from
    /// its initial result, the first run is due after `initialDelaySeconds`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerProbes, Millis, ProbeConfig, ProbeSpecs};
    /// let cfg = ProbeConfig::from_seconds(5, 10, 1, 1, 3);
    /// let mut p = ContainerProbes::new(ProbeSpecs { liveness: Some(cfg), ..Default::default() });
    /// p.handle_container_started(Millis(0));
    /// assert_eq!(p.poll_timeout(), Some(Millis::from_secs(5)));
    /// ```
    pub fn handle_container_started(&mut self, now: Millis) {
        self.running = true;
        self.actions.clear();
        for w in self.workers.iter_mut().flatten() {
            *w = Worker::new(w.kind, w.config);
            w.mode = Mode::Active;
            w.next_tick = now.saturating_add(w.config.initial_delay);
        }
        self.update_derived();
        self.drive(now);
    }

    /// The container stopped running: every probe result becomes `Failure`, runs in flight are
    /// forgotten, nothing is probed until the next start.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerProbes, Millis, ProbeEvent, ProbeSpecs};
    /// let mut p = ContainerProbes::new(ProbeSpecs::default());
    /// p.handle_container_started(Millis(0));
    /// p.handle_container_exited(Millis(5));
    /// let events: Vec<_> = std::iter::from_fn(|| p.poll_event()).collect();
    /// assert_eq!(events, [ProbeEvent::Started, ProbeEvent::Ready, ProbeEvent::NotReady]);
    /// ```
    pub fn handle_container_exited(&mut self, now: Millis) {
        let _ = now;
        self.running = false;
        self.actions.clear();
        for w in self.workers.iter_mut().flatten() {
            w.mode = Mode::NoContainer;
            w.in_flight = None;
            w.result = ProbeResult::Failure;
        }
        self.update_derived();
    }

    /// The pod is being deleted: liveness and startup record `Success` and stop for good (so the
    /// shutdown is quiet); readiness keeps probing.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerProbes, Millis, ProbeConfig, ProbeResult, ProbeKind, ProbeSpecs};
    /// let mut p = ContainerProbes::new(ProbeSpecs { liveness: Some(ProbeConfig::KUBERNETES), ..Default::default() });
    /// p.handle_container_started(Millis(0));
    /// p.handle_deletion(Millis(1));
    /// assert_eq!(p.result(ProbeKind::Liveness), Some(ProbeResult::Success));
    /// assert_eq!(p.poll_timeout(), None);
    /// ```
    pub fn handle_deletion(&mut self, now: Millis) {
        for kind in [ProbeKind::Liveness, ProbeKind::Startup] {
            if let Some(w) = self.workers[kind.index()].as_mut() {
                w.result = ProbeResult::Success;
                w.mode = Mode::Done;
                w.in_flight = None;
            }
        }
        self.actions.retain(|r| r.kind == ProbeKind::Readiness);
        self.update_derived();
        self.drive(now);
    }

    /// The answer to a run requested by [`poll_action`](Self::poll_action). An answer before the
    /// run's deadline counts as given; one at or after it counts as a timeout (`Failure`), the
    /// same as `handle_timeout` at the deadline.
    ///
    /// # Errors
    ///
    /// [`Error::ProbeNotInFlight`] if no run with this id is in flight (not handed out yet,
    /// already answered, already timed out through `handle_timeout`, or the container stopped);
    /// nothing changes.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerProbes, Error, Millis, ProbeConfig, ProbeOutcome, ProbeSpecs};
    /// let mut p = ContainerProbes::new(ProbeSpecs { readiness: Some(ProbeConfig::KUBERNETES), ..Default::default() });
    /// p.handle_container_started(Millis(0));
    /// let run = p.poll_action().unwrap();
    /// p.handle_result(run.id, ProbeOutcome::Success, Millis(1))?;
    /// assert_eq!(
    ///     p.handle_result(run.id, ProbeOutcome::Success, Millis(2)),
    ///     Err(Error::ProbeNotInFlight { id: run.id }),
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    pub fn handle_result(
        &mut self,
        id: ProbeId,
        outcome: ProbeOutcome,
        now: Millis,
    ) -> Result<(), Error> {
        let worker = self
            .workers
            .iter_mut()
            .flatten()
            .find(|w| {
                w.mode == Mode::Active
                    && matches!(w.in_flight, Some(r) if r.id == id && r.deadline.is_some())
            })
            .ok_or(Error::ProbeNotInFlight { id })?;
        let deadline = worker.in_flight.and_then(|r| r.deadline).unwrap_or(now);
        worker.in_flight = None;
        let outcome = if now >= deadline {
            ProbeOutcome::Failure
        } else {
            outcome
        };
        self.actions.retain(|r| r.id != id);
        let event = worker.record(outcome);
        self.after_record(event);
        self.drive(now);
        Ok(())
    }

    /// Time passed: runs whose deadline passed count as failures, due probes are requested.
    /// Calling it early, or twice, changes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerProbes, Millis, ProbeConfig, ProbeSpecs};
    /// let mut p = ContainerProbes::new(ProbeSpecs { liveness: Some(ProbeConfig::KUBERNETES), ..Default::default() });
    /// p.handle_container_started(Millis(0));
    /// let _run = p.poll_action().unwrap();
    /// p.handle_timeout(Millis(500)); // before the deadline: nothing
    /// assert!(p.poll_action().is_none());
    /// assert_eq!(p.poll_timeout(), Some(Millis(1_000)));
    /// ```
    pub fn handle_timeout(&mut self, now: Millis) {
        for i in 0..self.workers.len() {
            let Some(w) = self.workers[i].as_mut() else {
                continue;
            };
            if w.mode != Mode::Active {
                continue;
            }
            if let Some(InFlight {
                id,
                deadline: Some(deadline),
                ..
            }) = w.in_flight
                && now >= deadline
            {
                w.in_flight = None;
                self.actions.retain(|r| r.id != id);
                let event = w.record(ProbeOutcome::Failure);
                self.after_record(event);
            }
        }
        self.drive(now);
    }

    /// The next probe to run, if any, timed from when it was asked for (the input that asked
    /// for it): right for a caller that runs it at once. A caller that may hand a run out later
    /// uses [`poll_action_at`](Self::poll_action_at).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerProbes, ProbeSpecs};
    /// assert!(ContainerProbes::new(ProbeSpecs::default()).poll_action().is_none());
    /// ```
    #[must_use]
    pub fn poll_action(&mut self) -> Option<ProbeRun> {
        let asked = self.actions.front().map(|r| r.deadline)?;
        // A queued run's `deadline` field holds the time it was asked for (see `drive`).
        self.hand_out(asked)
    }

    /// The next probe to run, if any, handed out at `now`: its timeout counts from `now` (or
    /// from when it was asked for, if that is later), so a run held back (while a hook runs,
    /// say) still gets its whole `timeoutSeconds`. Until it is handed out a run has no deadline
    /// (module docs).
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerProbes, Millis, ProbeConfig, ProbeSpecs};
    /// let mut p = ContainerProbes::new(ProbeSpecs { liveness: Some(ProbeConfig::KUBERNETES), ..Default::default() });
    /// p.handle_container_started(Millis(0)); // the first run is asked for at 0 ...
    /// assert_eq!(p.poll_timeout(), None); // ... and has no deadline while it waits
    /// p.handle_timeout(Millis(5_000));
    /// let run = p.poll_action_at(Millis(5_000)).unwrap(); // ... handed out at 5 s
    /// assert_eq!(run.deadline, Millis(6_000));
    /// assert_eq!(p.poll_timeout(), Some(Millis(6_000)));
    /// ```
    #[must_use]
    pub fn poll_action_at(&mut self, now: Millis) -> Option<ProbeRun> {
        let asked = self.actions.front().map(|r| r.deadline)?;
        self.hand_out(now.max(asked))
    }

    /// Hands out the front run with its timeout counted from `from`.
    fn hand_out(&mut self, from: Millis) -> Option<ProbeRun> {
        let mut run = self.actions.pop_front()?;
        run.deadline = from.saturating_add(run.timeout);
        if let Some(w) = self
            .workers
            .iter_mut()
            .flatten()
            .find(|w| w.kind == run.kind)
            && let Some(f) = w.in_flight.as_mut()
            && f.id == run.id
        {
            f.deadline = Some(run.deadline);
        }
        Some(run)
    }

    /// The next conclusion, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerProbes, ProbeSpecs};
    /// assert!(ContainerProbes::new(ProbeSpecs::default()).poll_event().is_none());
    /// ```
    #[must_use]
    pub fn poll_event(&mut self) -> Option<ProbeEvent> {
        self.events.pop_front()
    }

    /// When `handle_timeout` must be called next: the earliest run deadline or due tick.
    /// `None` when nothing is scheduled.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerProbes, ProbeSpecs};
    /// assert_eq!(ContainerProbes::new(ProbeSpecs::default()).poll_timeout(), None);
    /// ```
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Millis> {
        self.workers
            .iter()
            .flatten()
            .filter_map(Worker::deadline)
            .min()
    }

    /// Whether the container counts as started.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerProbes, Millis, ProbeSpecs};
    /// let mut p = ContainerProbes::new(ProbeSpecs::default());
    /// p.handle_container_started(Millis(0));
    /// assert!(p.is_started());
    /// ```
    #[must_use]
    pub const fn is_started(&self) -> bool {
        self.started
    }

    /// Whether the container is ready.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerProbes, Millis, ProbeConfig, ProbeSpecs};
    /// let mut p = ContainerProbes::new(ProbeSpecs { readiness: Some(ProbeConfig::KUBERNETES), ..Default::default() });
    /// p.handle_container_started(Millis(0));
    /// assert!(!p.is_ready()); // readiness starts as Failure
    /// ```
    #[must_use]
    pub const fn is_ready(&self) -> bool {
        self.ready
    }

    /// The published result of a probe, `None` if the container has no such probe.
    ///
    /// # Examples
    ///
    /// ```
    /// # use phase::{ContainerProbes, Millis, ProbeConfig, ProbeKind, ProbeResult, ProbeSpecs};
    /// let mut p = ContainerProbes::new(ProbeSpecs { startup: Some(ProbeConfig::KUBERNETES), ..Default::default() });
    /// p.handle_container_started(Millis(0));
    /// assert_eq!(p.result(ProbeKind::Startup), Some(ProbeResult::Unknown));
    /// assert_eq!(p.result(ProbeKind::Liveness), None);
    /// ```
    #[must_use]
    pub fn result(&self, kind: ProbeKind) -> Option<ProbeResult> {
        self.workers[kind.index()].map(|w| w.result)
    }

    fn after_record(&mut self, event: Option<ProbeEvent>) {
        self.update_derived();
        if let Some(e) = event {
            self.events.push_back(e);
        }
    }

    /// Recomputes `started` and `ready` and emits their changes.
    fn update_derived(&mut self) {
        let result_is_success =
            |w: &Option<Worker>| w.is_none_or(|w| w.result == ProbeResult::Success);
        let started = self.running && result_is_success(&self.workers[ProbeKind::Startup.index()]);
        let ready = started && result_is_success(&self.workers[ProbeKind::Readiness.index()]);
        if started && !self.started {
            self.events.push_back(ProbeEvent::Started);
        }
        if ready != self.ready {
            self.events.push_back(if ready {
                ProbeEvent::Ready
            } else {
                ProbeEvent::NotReady
            });
        }
        self.started = started;
        self.ready = ready;
    }

    /// Requests the runs that are due at `now` (startup first, so that its result gates the
    /// others in the same instant).
    fn drive(&mut self, now: Millis) {
        for i in 0..self.workers.len() {
            let started = self.started;
            let Some(w) = self.workers[i].as_mut() else {
                continue;
            };
            if w.mode != Mode::Active || w.in_flight.is_some() || now < w.next_tick {
                continue;
            }
            w.next_tick = next_tick_after(w.next_tick, w.config.period, now);
            let gate_open = match w.kind {
                ProbeKind::Startup => !started,
                ProbeKind::Liveness | ProbeKind::Readiness => started,
            };
            if !gate_open {
                continue;
            }
            let id = ProbeId(self.next_id);
            self.next_id += 1;
            w.in_flight = Some(InFlight { id, deadline: None });
            // Until handed out, `deadline` holds the time it was asked for (`hand_out` sets the
            // real one).
            self.actions.push_back(ProbeRun {
                id,
                kind: w.kind,
                timeout: w.config.timeout,
                deadline: now,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_tick_skips_missed_ticks() {
        let p = Duration::from_secs(10);
        assert_eq!(next_tick_after(Millis(0), p, Millis(0)), Millis(10_000));
        assert_eq!(
            next_tick_after(Millis(0), p, Millis(25_000)),
            Millis(30_000)
        );
        assert_eq!(next_tick_after(Millis(5), p, Millis(1)), Millis(5));
        // A zero period does not stall time.
        assert_eq!(
            next_tick_after(Millis(7), Duration::ZERO, Millis(7)),
            Millis(8)
        );
    }

    #[test]
    fn error_outcome_is_discarded() {
        let mut w = Worker::new(
            ProbeKind::Liveness,
            ProbeConfig::from_seconds(0, 1, 1, 1, 2),
        );
        assert_eq!(w.record(ProbeOutcome::Failure), None);
        assert_eq!(w.record(ProbeOutcome::Error), None);
        assert_eq!(w.run, 1);
        assert_eq!(
            w.record(ProbeOutcome::Failure),
            Some(ProbeEvent::Kill {
                probe: ProbeKind::Liveness
            })
        );
    }

    #[test]
    fn readiness_failure_never_kills_nor_holds() {
        let mut w = Worker::new(
            ProbeKind::Readiness,
            ProbeConfig::from_seconds(0, 1, 1, 1, 1),
        );
        w.mode = Mode::Active;
        assert_eq!(w.record(ProbeOutcome::Failure), None);
        assert_eq!(w.result, ProbeResult::Failure);
        assert_eq!(w.mode, Mode::Active);
    }

    #[test]
    fn a_run_held_back_is_timed_from_when_it_is_handed_out() {
        let live = ProbeConfig::from_seconds(0, 10, 1, 1, 1);
        let mut p = ContainerProbes::new(ProbeSpecs {
            liveness: Some(live),
            ..ProbeSpecs::default()
        });
        p.handle_container_started(Millis(0));
        // Held back for 30 s (a hook): not counted as failed, no second run asked for.
        assert_eq!(p.poll_timeout(), None);
        p.handle_timeout(Millis(30_000));
        let run = p.poll_action_at(Millis(30_000)).expect("the held-back run");
        assert!(p.poll_action().is_none());
        assert_eq!(run.deadline, Millis(31_000));
        assert_eq!(p.poll_timeout(), Some(Millis(31_000)));
        p.handle_timeout(Millis(30_999));
        p.handle_result(run.id, ProbeOutcome::Success, Millis(30_999))
            .expect("answered within its timeout");
        let events: alloc::vec::Vec<_> = core::iter::from_fn(|| p.poll_event()).collect();
        assert!(!events.contains(&ProbeEvent::Kill {
            probe: ProbeKind::Liveness
        }));
        assert_eq!(p.result(ProbeKind::Liveness), Some(ProbeResult::Success));
    }

    #[test]
    fn a_run_not_handed_out_cannot_be_answered() {
        let mut p = ContainerProbes::new(ProbeSpecs {
            liveness: Some(ProbeConfig::KUBERNETES),
            ..ProbeSpecs::default()
        });
        p.handle_container_started(Millis(0));
        assert_eq!(
            p.handle_result(ProbeId(0), ProbeOutcome::Success, Millis(1)),
            Err(Error::ProbeNotInFlight { id: ProbeId(0) })
        );
        // poll_action times it from when it was asked for.
        assert_eq!(p.poll_action().map(|r| r.deadline), Some(Millis(1_000)));
    }

    #[test]
    fn startup_success_puts_startup_on_hold() {
        let mut w = Worker::new(ProbeKind::Startup, ProbeConfig::KUBERNETES);
        w.mode = Mode::Active;
        assert_eq!(w.record(ProbeOutcome::Success), None);
        assert_eq!(w.mode, Mode::OnHold);
    }
}
