//! A [`stateright`] model of one pod's whole life: the tracker's decisions, every runtime event,
//! the user's Ctrl-C and delete, and a daemon restart.
//!
//! The supervisor of `vmm-ref` is not written yet, so the model composes what it will compose:
//! [`restart::PodTracker`] decides, `phase` computes the pod phase from the container statuses a
//! runtime would report, and [`restart::recover`] decides what the next daemon does with the pod
//! after a SIGHUP or SIGTERM. The model plays the runtime, the user and the daemon:
//!
//! - **Runtime**: a container asked to start reports started; a running one exits 0, exits 1, or
//!   fails its liveness probe (if it has one); one sent its stop signal exits 143; one sent
//!   SIGKILL exits 137; a hook succeeds or fails; time jumps to the tracker's next deadline
//!   (a hook times out, SIGKILL is due, a back-off ends, a pod is re-created).
//! - **User**: Ctrl-C (stop) or delete, once.
//! - **Daemon**: once, SIGHUP (the next daemon adopts the pod from its snapshot if the sandbox
//!   survived, or finds it lost) or SIGTERM (the daemon stops the pod, exits when it is stopped,
//!   and the next daemon finds it stopped).
//!
//! Every event and action also goes through the [`Monitor`]. The properties ([`PodModel`]
//! implements [`Model`]):
//!
//! | kind | property |
//! |---|---|
//! | always | a Never container is never restarted |
//! | always | a terminal phase never changes (within one run of the pod: a pod-scope re-creation or a re-run of a lost pod is a new run) |
//! | always | a preStop always precedes the stop signal when defined |
//! | always | a deleted Kubernetes pod is never re-run |
//! | always | the tracker keeps its other rules (the [`Monitor`]'s table) |
//! | always | the runtime and the tracker agree (no event the runtime may send is rejected, no live container is started again, snapshots restore) |
//! | always | a pod that nothing disturbed and whose policy is not Always finishes Succeeded |
//! | eventually | a pod whose containers all exit 0 under Never or OnFailure reaches a terminal phase |
//! | sometimes | a container is restarted; a pod is re-created; a pod is adopted after SIGHUP; a lost pod is re-run; a pod finishes |
//!
//! "Disturbed" means anything but exits with code 0: a non-zero exit, a probe or hook failure, a
//! hook timeout, a stop or delete request, a daemon restart. The model is bounded by the number
//! of starts per container ([`PodModel::max_starts`]); paths that reach the bound stop there.

use std::fmt;
use std::time::Duration;

use phase::{
    ContainerId, ContainerSpec, ContainerState, ContainerStatus, Millis, PhaseFacts, PodPhase,
    PodSpec, RestartPolicy, Statuses, Termination, WaitingReason, aggregate,
};
use restart::{
    Action, ContainerRecord, DaemonExit, Event, FinalStatus, Hook, HookOutcome, Hooks,
    PersistedPod, PersistedStatus, PodConfig, PodOrigin, PodTracker, ProbeKind, Recovery,
    RestartScope, RunState, Signal, TrackerState, recover,
};
use stateright::{Checker, Model, Property};

use crate::monitor::{Monitor, Rule};

/// One pod to explore: its configuration, and which containers have a liveness probe.
///
/// # Examples
///
/// ```
/// use phase::{ContainerSpec, PodSpec, RestartPolicy};
/// let spec = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("app"));
/// let s = verify::model::Scenario::new(restart::PodConfig::new(spec));
/// assert_eq!(s.liveness, [false]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// The pod (regular containers only).
    pub config: PodConfig,
    /// For each regular container, whether it has a liveness probe.
    pub liveness: Vec<bool>,
}

impl Scenario {
    /// A pod with no probes.
    ///
    /// # Examples
    ///
    /// ```
    /// use phase::{PodSpec, RestartPolicy};
    /// let s = verify::model::Scenario::new(restart::PodConfig::new(PodSpec::new(RestartPolicy::Always)));
    /// assert!(s.liveness.is_empty());
    /// ```
    #[must_use]
    pub fn new(config: PodConfig) -> Self {
        let n = config.spec.containers.len();
        Self {
            config,
            liveness: vec![false; n],
        }
    }

    /// Gives regular container `index` a liveness probe.
    ///
    /// # Examples
    ///
    /// ```
    /// use phase::{ContainerSpec, PodSpec, RestartPolicy};
    /// let spec = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("app"));
    /// let s = verify::model::Scenario::new(restart::PodConfig::new(spec)).with_liveness(0);
    /// assert_eq!(s.liveness, [true]);
    /// ```
    #[must_use]
    pub fn with_liveness(mut self, index: usize) -> Self {
        if let Some(l) = self.liveness.get_mut(index) {
            *l = true;
        }
        self
    }
}

/// The model: a set of pods, each explored from its start, and the bound.
///
/// # Examples
///
/// ```
/// use phase::{ContainerSpec, PodSpec, RestartPolicy};
/// use verify::model::{PodModel, Scenario};
/// let spec = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("app"));
/// let model = PodModel::new(vec![Scenario::new(restart::PodConfig::new(spec))], 1);
/// let report = model.check();
/// // Every safety and liveness property holds; with one start per container nothing restarts,
/// // so the "sometimes" properties about restarts find no example.
/// assert!(report.discoveries.iter().filter(|d| d.kind != "sometimes").all(|d| !d.failed), "{report}");
/// assert!(report.unique_states > 10);
/// ```
#[derive(Clone, Debug)]
pub struct PodModel {
    /// The pods.
    pub scenarios: Vec<Scenario>,
    /// How many times one container may be started before a path stops (1: no restarts).
    pub max_starts: u8,
    /// Whether a container may exit on its own while its preStop hook runs (before any stop
    /// signal). Off in [`PodModel::standard`] to keep its state count stable; the test
    /// `exits_during_pre_stop_keep_the_terminal_phase` turns it on. It once broke "a terminal
    /// phase never changes": `restart` counted such an exit 0 as stopped (Failed) while `phase`
    /// saw exit code 0 (Succeeded); `restart` now counts a run by its exit code, as `getPhase`
    /// does (`restart::ExitRecord::is_success`).
    pub exits_during_pre_stop: bool,
}

impl PodModel {
    /// A model of these pods with this bound.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = verify::model::PodModel::new(Vec::new(), 2);
    /// assert_eq!(m.max_starts, 2);
    /// ```
    #[must_use]
    pub const fn new(scenarios: Vec<Scenario>, max_starts: u8) -> Self {
        Self {
            scenarios,
            max_starts,
            exits_during_pre_stop: false,
        }
    }

    /// The standard set: every pod policy, both scopes, both origins, and two shapes (one
    /// container with postStart, preStop and a liveness probe; two containers, the first with a
    /// preStop hook). Grace period 5 s, hook timeouts 2 s, the kubelet's back-off.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(verify::model::PodModel::standard(2).scenarios.len(), 24);
    /// ```
    #[must_use]
    pub fn standard(max_starts: u8) -> Self {
        let hook = Duration::from_secs(2);
        let app = ContainerId::regular(0);
        let mut scenarios = Vec::new();
        for policy in RestartPolicy::ALL {
            for scope in [RestartScope::Container, RestartScope::Pod] {
                for origin in [PodOrigin::Native, PodOrigin::Kubernetes] {
                    let base = |spec: PodSpec| {
                        PodConfig::new(spec)
                            .with_scope(scope)
                            .with_origin(origin)
                            .with_grace_period(Duration::from_secs(5))
                    };
                    let one = PodSpec::new(policy).with_container(ContainerSpec::new("app"));
                    let hooks = Hooks::none()
                        .with(Hook::PostStart, hook)
                        .with(Hook::PreStop, hook);
                    scenarios
                        .push(Scenario::new(base(one).with_hooks(app, hooks)).with_liveness(0));
                    let two = PodSpec::new(policy)
                        .with_container(ContainerSpec::new("app"))
                        .with_container(ContainerSpec::new("log"));
                    let hooks = Hooks::none().with(Hook::PreStop, hook);
                    scenarios.push(Scenario::new(base(two).with_hooks(app, hooks)));
                }
            }
        }
        Self::new(scenarios, max_starts)
    }

    /// Explores every reachable state (breadth first, on every core) and reports.
    ///
    /// # Examples
    ///
    /// ```
    /// let report = verify::model::PodModel::new(Vec::new(), 1).check();
    /// assert_eq!(report.unique_states, 0);
    /// ```
    #[must_use]
    pub fn check(&self) -> Report {
        run_check(self.clone(), self.scenarios.len(), Self::describe)
    }

    fn describe(&self, state: &PodState) -> String {
        let c = &self.scenario(state).config;
        format!(
            "pod {} ({:?}, {:?} scope, {:?}, {} containers)",
            state.scenario,
            c.spec.restart_policy,
            c.scope,
            c.origin,
            c.spec.containers.len()
        )
    }

    fn scenario(&self, state: &PodState) -> &Scenario {
        &self.scenarios[usize::from(state.scenario)]
    }

    fn tracker(&self, state: &PodState) -> Option<Result<PodTracker, restart::Error>> {
        let snap = state.tracker.as_ref()?;
        Some(PodTracker::from_state(
            &snap.restore(&self.scenario(state).config),
        ))
    }

    /// Carries out one model action; `None` when it does not apply.
    fn step(&self, last: &PodState, action: Step) -> PodState {
        let mut s = last.clone();
        let scenario = self.scenario(last);
        let config = &scenario.config;
        let tracker = match self.tracker(last) {
            Some(Ok(t)) => Some(t),
            Some(Err(_)) => {
                s.broken = Some(Broken::Disagree);
                return s;
            }
            None => None,
        };
        let mut run = Run {
            config,
            s: &mut s,
            tracker,
        };
        run.apply(action);
        run.drain();
        run.daemon_exit();
        run.save();
        run.observe_phase();
        s
    }
}

/// What a model run found for one property.
///
/// # Examples
///
/// ```
/// let d = verify::model::Discovery { property: "p", kind: "always", failed: false, path: None };
/// assert_eq!(d.to_string(), "ok    always      p");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discovery {
    /// The property's name.
    pub property: &'static str,
    /// `always`, `eventually` or `sometimes`.
    pub kind: &'static str,
    /// Whether it failed: a counterexample to an always or eventually property, or no example
    /// of a sometimes property.
    pub failed: bool,
    /// The path to the counterexample (or example), as the actions taken.
    pub path: Option<String>,
}

impl fmt::Display for Discovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.failed { "FAIL" } else { "ok" };
        write!(f, "{verdict:<5} {:<11} {}", self.kind, self.property)?;
        if self.failed
            && let Some(path) = &self.path
        {
            write!(f, "\n      path: {path}")?;
        }
        Ok(())
    }
}

/// The outcome of [`PodModel::check`].
///
/// # Examples
///
/// ```
/// let r = verify::model::PodModel::new(Vec::new(), 1).check();
/// assert!(r.to_string().starts_with("model check: 0 states"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// How many pods were explored.
    pub scenarios: usize,
    /// States generated, repeats included.
    pub states: usize,
    /// Distinct states.
    pub unique_states: usize,
    /// The longest path explored.
    pub max_depth: usize,
    /// Every property and what came of it.
    pub discoveries: Vec<Discovery>,
}

impl Report {
    /// Whether every property holds (and every sometimes property has an example).
    ///
    /// # Examples
    ///
    /// ```
    /// // A model with no pods finds no example of its "sometimes" properties.
    /// let r = verify::model::PodModel::new(Vec::new(), 1).check();
    /// assert!(!r.ok());
    /// ```
    #[must_use]
    pub fn ok(&self) -> bool {
        self.discoveries.iter().all(|d| !d.failed)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "model check: {} states ({} unique), {} pods, depth {}, {} properties",
            self.states,
            self.unique_states,
            self.scenarios,
            self.max_depth,
            self.discoveries.len()
        )?;
        for d in &self.discoveries {
            writeln!(f, "  {d}")?;
        }
        Ok(())
    }
}

/// Explores every reachable state of `model` (breadth first, on every core) and reports each
/// property; `describe` names the pod a path starts from.
pub(crate) fn run_check<M>(
    model: M,
    scenarios: usize,
    describe: fn(&M, &M::State) -> String,
) -> Report
where
    M: Model + Clone + Send + Sync + 'static,
    M::State: Clone + fmt::Debug + std::hash::Hash + Eq + Send + Sync + 'static,
    M::Action: Clone + fmt::Debug + PartialEq + Send + Sync + 'static,
{
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let properties = model.properties();
    let checker = model.clone().checker().threads(threads).spawn_bfs().join();
    let found = checker.discoveries();
    let discoveries = properties
        .iter()
        .map(|p| {
            let path = found.get(p.name);
            let failed = match p.expectation {
                stateright::Expectation::Sometimes => path.is_none(),
                _ => path.is_some(),
            };
            Discovery {
                property: p.name,
                kind: match p.expectation {
                    stateright::Expectation::Always => "always",
                    stateright::Expectation::Eventually => "eventually",
                    stateright::Expectation::Sometimes => "sometimes",
                },
                failed,
                path: path.map(|path| {
                    let states = path.clone().into_states();
                    let first = states
                        .first()
                        .map(|s| describe(&model, s))
                        .unwrap_or_default();
                    let last = states.last().map(|s| format!("{s:?}")).unwrap_or_default();
                    let steps = path
                        .clone()
                        .into_actions()
                        .iter()
                        .map(|a| format!("{a:?}"))
                        .collect::<Vec<_>>()
                        .join(" -> ");
                    format!("{first}: {steps}\n      last state: {last}")
                }),
            }
        })
        .collect();
    Report {
        scenarios,
        states: checker.state_count(),
        unique_states: checker.unique_state_count(),
        max_depth: checker.max_depth(),
        discoveries,
    }
}

/// The tracker's snapshot without its configuration (which the scenario holds), so it can be
/// hashed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Snap {
    now: Millis,
    stage: restart::Stage,
    hook: Option<restart::ActiveHook>,
    starting: Option<ContainerId>,
    grace_override: Option<Duration>,
    containers: Vec<ContainerRecord>,
    pod_backoff: Option<restart::BackoffEntry>,
    incarnation: u32,
    pending: Vec<Action>,
}

impl Snap {
    fn of(state: TrackerState) -> Self {
        Self {
            now: state.now,
            stage: state.stage,
            hook: state.hook,
            starting: state.starting,
            grace_override: state.grace_override,
            containers: state.containers,
            pod_backoff: state.pod_backoff,
            incarnation: state.incarnation,
            pending: state.pending,
        }
    }

    fn restore(&self, config: &PodConfig) -> TrackerState {
        TrackerState {
            config: config.clone(),
            now: self.now,
            stage: self.stage,
            hook: self.hook,
            starting: self.starting,
            grace_override: self.grace_override,
            containers: self.containers.clone(),
            pod_backoff: self.pod_backoff,
            incarnation: self.incarnation,
            pending: self.pending.clone(),
        }
    }
}

/// A container's process as the runtime sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Proc {
    /// Not there (never started, or its sandbox is gone).
    Absent,
    /// Asked to start, not reported yet.
    Starting,
    Running,
    /// Sent its stop signal.
    Stopping,
    /// Sent SIGKILL.
    Killed,
    Exited(i32),
}

impl Proc {
    const fn live(self) -> bool {
        matches!(
            self,
            Self::Starting | Self::Running | Self::Stopping | Self::Killed
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Ctr {
    proc: Proc,
    last_exit: Option<i32>,
    starts: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum User {
    Idle,
    Stopped,
    Deleted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Daemon {
    Up,
    /// Got SIGTERM: stopping the pod, exits once it is stopped.
    Terminating,
    /// Restarted once (no more daemon restarts on this path).
    Restarted,
}

/// What became of the pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Outcome {
    Kept(FinalStatus),
    Deleted,
    /// Left stopped by the next daemon.
    Stopped,
}

/// Which property broke first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Broken {
    Monitor(Rule),
    TerminalPhaseChanged,
    DeletedPodRerun,
    Disagree,
}

/// One state of the composed system.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[doc(hidden)]
pub struct PodState {
    scenario: u8,
    /// The daemon's tracker for the pod; `None` once no daemon tracks it any more.
    tracker: Option<Snap>,
    ctrs: Vec<Ctr>,
    /// The hook the runtime is running.
    hook: Option<(ContainerId, Hook)>,
    user: User,
    daemon: Daemon,
    outcome: Option<Outcome>,
    monitor: Monitor,
    /// The first terminal phase reported.
    terminal: Option<PodPhase>,
    /// The phase when the tracker finished.
    finished_phase: Option<PodPhase>,
    disturbed: bool,
    k8s_deleted: bool,
    restarted: bool,
    recreated: bool,
    adopted: bool,
    rerun: bool,
    broken: Option<Broken>,
}

/// One thing that can happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[doc(hidden)]
pub enum Step {
    Started(usize),
    Exit(usize, i32),
    ProbeFailed(usize),
    HookDone(bool),
    Advance,
    CtrlC,
    Delete,
    Sighup { sandbox_survives: bool },
    Sigterm,
}

struct Run<'a> {
    config: &'a PodConfig,
    s: &'a mut PodState,
    tracker: Option<PodTracker>,
}

impl Run<'_> {
    fn now(&self) -> Millis {
        self.tracker.as_ref().map_or(Millis::ZERO, PodTracker::now)
    }

    fn break_with(&mut self, b: Broken) {
        if self.s.broken.is_none() {
            self.s.broken = Some(b);
        }
    }

    /// Feeds a runtime event; the tracker must accept it.
    fn runtime_event(&mut self, event: Event) {
        let now = self.now();
        let Some(t) = self.tracker.as_mut() else {
            return self.break_with(Broken::Disagree);
        };
        if t.handle(event, now).is_err() {
            return self.break_with(Broken::Disagree);
        }
        self.s.monitor.event(&event, now);
    }

    /// Feeds a request that may legitimately be refused (then nothing may change).
    fn request(&mut self, event: Event) {
        let now = self.now();
        let Some(t) = self.tracker.as_mut() else {
            return;
        };
        let before = t.state();
        if t.handle(event, now).is_ok() {
            self.s.monitor.event(&event, now);
        } else if t.state() != before {
            self.break_with(Broken::Disagree);
        }
    }

    fn apply(&mut self, step: Step) {
        match step {
            Step::Started(i) => {
                self.s.ctrs[i].proc = Proc::Running;
                self.runtime_event(Event::Started {
                    container: ContainerId::regular(i),
                });
            }
            Step::Exit(i, code) => {
                let c = &mut self.s.ctrs[i];
                if code != 0 && c.proc == Proc::Running {
                    self.s.disturbed = true;
                }
                c.proc = Proc::Exited(code);
                c.last_exit = Some(code);
                if self
                    .s
                    .hook
                    .is_some_and(|(h, _)| h == ContainerId::regular(i))
                {
                    // A hook in a container ends with it; the tracker times it out.
                }
                self.runtime_event(Event::Exited {
                    container: ContainerId::regular(i),
                    code,
                });
            }
            Step::ProbeFailed(i) => {
                self.s.disturbed = true;
                self.runtime_event(Event::ProbeFailed {
                    container: ContainerId::regular(i),
                    probe: ProbeKind::Liveness,
                });
            }
            Step::HookDone(ok) => {
                let Some((container, hook)) = self.s.hook.take() else {
                    return self.break_with(Broken::Disagree);
                };
                if !ok {
                    self.s.disturbed = true;
                }
                let outcome = if ok {
                    HookOutcome::Succeeded
                } else {
                    HookOutcome::Failed
                };
                self.runtime_event(Event::HookFinished {
                    container,
                    hook,
                    outcome,
                });
            }
            Step::Advance => {
                let Some(t) = self.tracker.as_mut() else {
                    return;
                };
                let Some(due) = t.poll_timeout() else {
                    return self.break_with(Broken::Disagree);
                };
                t.handle_timeout(due);
                // A hook the tracker gave up on is abandoned by the runtime.
                let active = t.active_hook().map(|h| (h.container, h.hook));
                if self.s.hook.is_some() && self.s.hook != active {
                    self.s.hook = None;
                    self.s.disturbed = true;
                }
            }
            Step::CtrlC => {
                self.s.user = User::Stopped;
                self.s.disturbed = true;
                self.request(Event::Stop { grace: None });
            }
            Step::Delete => {
                self.s.user = User::Deleted;
                self.s.disturbed = true;
                self.request(Event::Delete { grace: None });
            }
            Step::Sighup { sandbox_survives } => {
                self.s.daemon = Daemon::Restarted;
                self.s.disturbed = true;
                self.restart_daemon(DaemonExit::Hangup, sandbox_survives);
            }
            Step::Sigterm => {
                self.s.daemon = Daemon::Terminating;
                self.s.disturbed = true;
                if self.tracker.as_ref().is_some_and(|t| !t.is_finished()) {
                    self.request(Event::Stop { grace: None });
                }
            }
        }
    }

    /// Carries out every action the tracker asks for.
    fn drain(&mut self) {
        loop {
            let Some(action) = self.tracker.as_mut().and_then(PodTracker::poll_action) else {
                return;
            };
            let now = self.now();
            if let Err(v) = self.s.monitor.action(&action, now) {
                self.break_with(Broken::Monitor(v.rule));
            }
            self.perform(action);
        }
    }

    fn perform(&mut self, action: Action) {
        let index = |c: ContainerId| c.index;
        match action {
            Action::StartContainer { container } => {
                if self.s.k8s_deleted {
                    self.break_with(Broken::DeletedPodRerun);
                }
                let c = &mut self.s.ctrs[index(container)];
                if c.proc.live() {
                    self.break_with(Broken::Disagree);
                }
                let c = &mut self.s.ctrs[index(container)];
                c.proc = Proc::Starting;
                c.starts = c.starts.saturating_add(1);
                if c.starts > 1 {
                    self.s.restarted = true;
                }
            }
            Action::RunHook {
                container, hook, ..
            } => self.s.hook = Some((container, hook)),
            Action::KillContainer {
                container, signal, ..
            } => {
                let c = &mut self.s.ctrs[index(container)];
                if c.proc.live() {
                    c.proc = match signal {
                        Signal::Stop => Proc::Stopping,
                        Signal::Kill => Proc::Killed,
                    };
                }
            }
            Action::RestartAfter { .. } => {}
            Action::RecreatePod { .. } => {
                self.s.recreated = true;
                if self.s.ctrs.iter().any(|c| c.proc.live()) {
                    self.break_with(Broken::Disagree);
                }
                self.new_run();
            }
            Action::KeepPod { status } => {
                self.s.finished_phase = Some(self.phase());
                self.s.outcome = Some(Outcome::Kept(status));
            }
            Action::DeletePod => {
                if self.s.outcome.is_none() {
                    self.s.finished_phase = Some(self.phase());
                }
                self.s.outcome = Some(Outcome::Deleted);
                if self.config.origin == PodOrigin::Kubernetes {
                    self.s.k8s_deleted = true;
                }
            }
        }
    }

    /// The daemon restarts: the next one decides with `restart::recover`.
    fn restart_daemon(&mut self, exit: DaemonExit, sandbox_survives: bool) {
        let Some(t) = self.tracker.take() else {
            return;
        };
        let running = !t.is_finished();
        let status = match self.s.outcome {
            Some(Outcome::Kept(status)) if self.s.user == User::Idle => {
                PersistedStatus::Finished(status)
            }
            Some(Outcome::Kept(_) | Outcome::Stopped) => PersistedStatus::Stopped,
            Some(Outcome::Deleted) => {
                // A deleted pod is not persisted: nothing to recover.
                return;
            }
            // A pod the user or the daemon was stopping is recorded as stopped: the daemon
            // records the intent before it acts on it.
            None if self.s.daemon == Daemon::Terminating || self.s.user != User::Idle => {
                PersistedStatus::Stopped
            }
            // The daemon records a terminal phase as soon as it reports one, before the tracker
            // ends the pod (it may still wait for a hook): otherwise a lost sandbox turns a
            // Succeeded pod into a Failed one (`recover` treats a lost running pod as failed).
            None => match self.s.terminal {
                Some(PodPhase::Succeeded) => PersistedStatus::Finished(FinalStatus::Succeeded),
                Some(PodPhase::Failed) => PersistedStatus::Finished(FinalStatus::Failed),
                _ => PersistedStatus::Running,
            },
        };
        let pod = PersistedPod {
            status,
            sandbox_alive: running && sandbox_survives,
            origin: self.config.origin,
            scope: self.config.scope,
            policy: self.config.spec.restart_policy,
        };
        let recovery = recover(&pod, exit);
        if !pod.sandbox_alive {
            self.lose_sandbox();
        }
        match recovery {
            Recovery::Adopt => match PodTracker::from_state(&t.state()) {
                Ok(again) => {
                    self.s.adopted = true;
                    self.tracker = Some(again);
                }
                Err(_) => self.break_with(Broken::Disagree),
            },
            Recovery::Rerun => {
                self.s.rerun = true;
                self.new_run();
                self.tracker = Some(PodTracker::new(self.config.clone(), t.now()));
            }
            Recovery::Stop => {
                // A live sandbox of a pod being stopped: the next daemon takes the tracker over
                // from its snapshot and finishes the stop (or delete) it has in progress.
                match PodTracker::from_state(&t.state()) {
                    Ok(again) => self.tracker = Some(again),
                    Err(_) => self.break_with(Broken::Disagree),
                }
                if self.s.user == User::Idle {
                    self.request(Event::Stop { grace: None });
                }
            }
            Recovery::LeaveStopped if self.s.user == User::Deleted => {
                // The user asked for a delete: the next daemon completes it.
                if self.s.outcome.is_none() {
                    self.s.finished_phase = Some(self.phase());
                }
                self.s.outcome = Some(Outcome::Deleted);
                if self.config.origin == PodOrigin::Kubernetes {
                    self.s.k8s_deleted = true;
                }
            }
            Recovery::LeaveStopped => {
                self.s.outcome.get_or_insert(Outcome::Stopped);
            }
            Recovery::Keep { status } => {
                if self.s.outcome.is_none() {
                    self.s.finished_phase = Some(self.phase());
                }
                self.s.outcome = Some(Outcome::Kept(status));
            }
            Recovery::Delete => {
                if self.s.outcome.is_none() {
                    self.s.finished_phase = Some(self.phase());
                }
                self.s.outcome = Some(Outcome::Deleted);
                if self.config.origin == PodOrigin::Kubernetes {
                    self.s.k8s_deleted = true;
                }
            }
        }
        self.drain();
    }

    /// A new run of the pod on a fresh sandbox (pod-scope re-creation, or a re-run after the
    /// sandbox was lost): fresh statuses, and its own phase history.
    fn new_run(&mut self) {
        self.s.hook = None;
        self.s.terminal = None;
        for c in &mut self.s.ctrs {
            c.proc = Proc::Absent;
            c.last_exit = None;
        }
    }

    fn lose_sandbox(&mut self) {
        self.s.hook = None;
        self.s.monitor.sandbox_lost();
        for c in &mut self.s.ctrs {
            if c.proc.live() {
                c.proc = Proc::Exited(137);
                c.last_exit = Some(137);
            }
        }
    }

    /// After SIGTERM the daemon exits once the pod is stopped; the next daemon recovers it.
    fn daemon_exit(&mut self) {
        if self.s.daemon == Daemon::Terminating
            && self.tracker.as_ref().is_none_or(PodTracker::is_finished)
        {
            self.s.daemon = Daemon::Restarted;
            self.restart_daemon(DaemonExit::Terminate, false);
        }
    }

    fn save(&mut self) {
        self.s.tracker = self.tracker.as_ref().map(|t| Snap::of(t.state()));
    }

    /// The statuses a runtime would report, and the phase `phase` computes from them.
    fn phase(&self) -> PodPhase {
        let statuses: Vec<ContainerStatus> = self
            .config
            .spec
            .containers
            .iter()
            .zip(&self.s.ctrs)
            .enumerate()
            .map(|(i, (spec, c))| {
                let id = ContainerId::regular(i);
                let backoff = self
                    .tracker
                    .as_ref()
                    .and_then(|t| t.run_state(id))
                    .is_some_and(|r| matches!(r, RunState::BackOff { .. }));
                let last = c.last_exit.map(|code| Termination::new(code, Millis::ZERO));
                let waiting = |reason| (ContainerState::waiting(reason), last.clone());
                let (state, last) = match c.proc {
                    Proc::Exited(code) if !backoff => {
                        (ContainerState::terminated(code, Millis::ZERO), None)
                    }
                    Proc::Exited(_) | Proc::Absent if backoff => {
                        waiting(WaitingReason::CrashLoopBackOff)
                    }
                    Proc::Absent | Proc::Starting | Proc::Exited(_) => {
                        waiting(WaitingReason::ContainerCreating)
                    }
                    Proc::Running | Proc::Stopping | Proc::Killed => {
                        (ContainerState::running(Millis::ZERO), last.clone())
                    }
                };
                let mut st = ContainerStatus::new(spec.name.clone(), state);
                if let Some(l) = last {
                    st = st.with_last_termination(l);
                }
                st.with_restart_count(u32::from(c.starts.saturating_sub(1)))
            })
            .collect();
        aggregate(
            &self.config.spec,
            Statuses::new(&statuses, &[]),
            PhaseFacts::new().initialized(),
        )
    }

    /// The phase the system reports now, and the "terminal never changes" check.
    fn observe_phase(&mut self) {
        let reported = match self.s.outcome {
            Some(Outcome::Deleted) => None,
            Some(Outcome::Kept(FinalStatus::Succeeded)) => Some(PodPhase::Succeeded),
            Some(Outcome::Kept(FinalStatus::Failed)) => Some(PodPhase::Failed),
            Some(Outcome::Stopped) => self.s.terminal.or(Some(PodPhase::Failed)),
            None => Some(self.phase()),
        };
        match (self.s.terminal, reported) {
            (Some(t), Some(p)) if p != t => self.break_with(Broken::TerminalPhaseChanged),
            (None, Some(p)) if p.is_terminal() => self.s.terminal = Some(p),
            _ => {}
        }
    }
}

impl Model for PodModel {
    type State = PodState;
    type Action = Step;

    fn init_states(&self) -> Vec<PodState> {
        self.scenarios
            .iter()
            .enumerate()
            .map(|(i, sc)| {
                let tracker = PodTracker::new(sc.config.clone(), Millis::ZERO);
                let mut s = PodState {
                    scenario: u8::try_from(i).unwrap_or(u8::MAX),
                    tracker: None,
                    ctrs: vec![
                        Ctr {
                            proc: Proc::Absent,
                            last_exit: None,
                            starts: 0,
                        };
                        sc.config.spec.containers.len()
                    ],
                    hook: None,
                    user: User::Idle,
                    daemon: Daemon::Up,
                    outcome: None,
                    monitor: Monitor::new(&sc.config),
                    terminal: None,
                    finished_phase: None,
                    disturbed: false,
                    k8s_deleted: false,
                    restarted: false,
                    recreated: false,
                    adopted: false,
                    rerun: false,
                    broken: None,
                };
                let mut run = Run {
                    config: &sc.config,
                    s: &mut s,
                    tracker: Some(tracker),
                };
                run.drain();
                run.save();
                run.observe_phase();
                s
            })
            .collect()
    }

    fn actions(&self, state: &PodState, actions: &mut Vec<Step>) {
        if state.broken.is_some() {
            return;
        }
        let Some(Ok(tracker)) = self.tracker(state) else {
            return;
        };
        let scenario = self.scenario(state);
        for (i, c) in state.ctrs.iter().enumerate() {
            match c.proc {
                Proc::Starting => actions.push(Step::Started(i)),
                Proc::Running
                    if !self.exits_during_pre_stop
                        && matches!(
                            tracker.run_state(ContainerId::regular(i)),
                            Some(RunState::PreStop { .. })
                        ) =>
                {
                    if scenario.liveness.get(i).copied().unwrap_or(false) {
                        actions.push(Step::ProbeFailed(i));
                    }
                }
                Proc::Running => {
                    actions.push(Step::Exit(i, 0));
                    actions.push(Step::Exit(i, 1));
                    if scenario.liveness.get(i).copied().unwrap_or(false) {
                        actions.push(Step::ProbeFailed(i));
                    }
                }
                Proc::Stopping => actions.push(Step::Exit(i, 143)),
                Proc::Killed => actions.push(Step::Exit(i, 137)),
                Proc::Absent | Proc::Exited(_) => {}
            }
        }
        if state.hook.is_some() {
            actions.push(Step::HookDone(true));
            actions.push(Step::HookDone(false));
        }
        if tracker.poll_timeout().is_some() {
            actions.push(Step::Advance);
        }
        if state.user == User::Idle && state.outcome != Some(Outcome::Deleted) {
            if !tracker.is_finished() {
                actions.push(Step::CtrlC);
            }
            actions.push(Step::Delete);
        }
        if state.daemon == Daemon::Up && state.outcome != Some(Outcome::Deleted) {
            actions.push(Step::Sighup {
                sandbox_survives: true,
            });
            if !tracker.is_finished() {
                actions.push(Step::Sighup {
                    sandbox_survives: false,
                });
            }
            actions.push(Step::Sigterm);
        }
    }

    fn next_state(&self, last: &PodState, action: Step) -> Option<PodState> {
        Some(self.step(last, action))
    }

    fn within_boundary(&self, state: &PodState) -> bool {
        state.ctrs.iter().all(|c| c.starts <= self.max_starts)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        fn broken(s: &PodState, which: fn(Broken) -> bool) -> bool {
            s.broken.is_some_and(which)
        }
        vec![
            Property::always("a Never container is never restarted", |_, s: &PodState| {
                !broken(s, |b| b == Broken::Monitor(Rule::NeverRestarted))
            }),
            Property::always("a terminal phase never changes", |_, s: &PodState| {
                !broken(s, |b| b == Broken::TerminalPhaseChanged)
            }),
            Property::always(
                "a preStop always precedes the stop signal when defined",
                |_, s: &PodState| {
                    !broken(s, |b| {
                        matches!(
                            b,
                            Broken::Monitor(
                                Rule::StopWithoutPreStop
                                    | Rule::StopWithZeroGrace
                                    | Rule::KillWithoutStop
                            )
                        )
                    })
                },
            ),
            Property::always(
                "a deleted Kubernetes pod is never re-run",
                |_, s: &PodState| !broken(s, |b| b == Broken::DeletedPodRerun),
            ),
            Property::always("the tracker keeps its other rules", |_, s: &PodState| {
                !broken(s, |b| {
                    matches!(
                        b,
                        Broken::Monitor(
                            Rule::StartAfterStop
                                | Rule::ActionAfterOutcome
                                | Rule::HooksOverlap
                                | Rule::BackoffOverCap
                        )
                    )
                })
            }),
            Property::always("the runtime and the tracker agree", |_, s: &PodState| {
                !broken(s, |b| b == Broken::Disagree)
            }),
            Property::always(
                "an undisturbed pod under Never or OnFailure finishes Succeeded",
                |m: &Self, s: &PodState| {
                    s.disturbed
                        || m.scenario(s).config.spec.restart_policy == RestartPolicy::Always
                        || s.outcome.is_none()
                        || s.finished_phase == Some(PodPhase::Succeeded)
                },
            ),
            Property::eventually(
                "a pod whose containers all exit 0 under Never or OnFailure reaches a terminal phase",
                |m: &Self, s: &PodState| {
                    s.disturbed
                        || m.scenario(s).config.spec.restart_policy == RestartPolicy::Always
                        || (s.outcome.is_some()
                            && s.finished_phase.is_some_and(PodPhase::is_terminal))
                },
            ),
            Property::sometimes("a container is restarted", |_, s: &PodState| s.restarted),
            Property::sometimes("a pod is re-created", |_, s: &PodState| s.recreated),
            Property::sometimes("a pod is adopted after SIGHUP", |_, s: &PodState| s.adopted),
            Property::sometimes("a lost pod is re-run", |_, s: &PodState| s.rerun),
            Property::sometimes("a Kubernetes pod is deleted", |_, s: &PodState| {
                s.k8s_deleted
            }),
            Property::sometimes("a pod finishes Failed", |_, s: &PodState| {
                s.terminal == Some(PodPhase::Failed)
            }),
        ]
    }
}
