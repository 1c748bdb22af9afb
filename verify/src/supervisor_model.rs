//! A [`stateright`] model of the composed supervisor itself: [`vmm_ref::supervisor::Supervisor`]
//! (restart's tracker, phase's probes, phase and health bit in one pure state machine) driven by
//! a fake runtime, the user and the daemon.
//!
//! Each state holds a whole `Supervisor` (it is `Clone`) and what the runtime knows: which
//! containers run, the hook and the probe runs it was asked for and has not answered, the time.
//! The model plays:
//!
//! - **Runtime**: a container asked to start reports started; a running one exits 0 or 1 (also
//!   while its preStop hook runs); one sent its stop signal exits 143, or 0 having handled it
//!   ([`SupervisorModel::graceful_stops`]); one sent SIGKILL exits 137; a probe run
//!   asked for succeeds or fails; the hook asked for succeeds or fails; time jumps to the
//!   deadline the supervisor asks for ([`Supervisor::poll_timeout`]: a probe tick,
//!   a probe or hook timeout, SIGKILL, a back-off, a re-creation). Inputs come at the current
//!   time; only a deadline moves time.
//! - **User**: Ctrl-C ([`Input::Interrupt`], also after the pod finished) and delete
//!   ([`Input::Delete`], also after a Ctrl-C), once each.
//! - **Daemon**: once per path, SIGHUP (the sandbox survives or is lost) or SIGTERM (the
//!   daemon interrupts the pod and exits once it is finished). The supervisor has no recovery
//!   entry point (no snapshot to rebuild it from), so the next daemon is modelled as
//!   `verify::model` models it: [`restart::recover`] decides from what the previous daemon
//!   persisted; *adopt* continues with the same `Supervisor` value (a perfect snapshot, in-flight
//!   hook and probe runs still answered), *re-run* starts a new `Supervisor` for the pod, *stop*
//!   continues it and interrupts it, *keep*, *delete* and *leave stopped* end supervision with
//!   that record.
//!
//! | kind | property |
//! |---|---|
//! | always | a Never container is never restarted (started once over every run; no `Restarting`) |
//! | always | a terminal phase never changes (within one run of the pod; a pod-scope re-creation or a re-run is a new run), nor does the next daemon's record of it |
//! | always | a preStop always precedes the stop signal when defined, and SIGKILL follows the stop signal |
//! | always | a deleted Kubernetes pod is never re-run (nor any deleted pod) |
//! | always | the outcome and exit code never change once decided (only `deleted` may turn on; nothing but that is asked afterwards; the next daemon keeps the same status) |
//! | always | hooks run one at a time and pause probes |
//! | always | the runtime and the supervisor agree (every input the runtime may send is accepted, a refused one changes nothing, no live container started again, no signal to a container without a process, no live container when the sandbox goes or the pod finishes, a due deadline is consumed) |
//! | always | a pod that nothing disturbed and whose policy is not Always finishes Succeeded, exit code 0 |
//! | eventually | a pod whose containers all exit 0 under Never or OnFailure reaches a terminal phase |
//! | sometimes | a container is restarted; a pod is re-created; adopted after SIGHUP; a lost pod is re-run; a Kubernetes pod is deleted; a pod finishes Failed; a liveness probe kills a container; the pod turns unhealthy; a hook times out; an interrupt comes after the outcome |
//!
//! "Disturbed" means anything but exits with code 0 and passing probes: a non-zero exit, a
//! failed or timed-out probe, a failed or timed-out hook, Ctrl-C, delete, a daemon restart.
//!
//! Bounds: starts per container ([`SupervisorModel::max_starts`]) and time
//! ([`SupervisorModel::horizon`]). A path that would pass either stops in a *truncated* state,
//! which has no successors and counts as satisfying the eventually property (a cut path is
//! not a counterexample). States are hashed through their `Debug` text (the supervisor holds
//! `restart` and `phase` values that implement neither `Hash` nor `Eq`); derived `Debug` prints
//! every field, so equal text means equal states.
//!
//! Not covered: time passing with no deadline due (a container that runs for minutes, so the
//! back-off reset after 10 minutes of running), readiness and startup probes, failure
//! thresholds above one, httpGet and sleep handlers, a second daemon restart on one path;
//! the fuzz target `supervisor` drives those.

use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};
use std::time::Duration;

use phase::{ContainerId, ContainerKind, Millis, PodPhase};
use podspec::Format;
use podspec::model::{
    Container, ContainerName, HookHandler, Image, Pod, PodName, Probe, ProbeHandler, RestartPolicy,
    Source,
};
use restart::{
    DaemonExit, FinalStatus, Hook, HookOutcome, PersistedPod, PersistedStatus, PodOrigin, Recovery,
    RestartScope, recover,
};
use stateright::{Model, Property};
use vmm_ref::supervisor::{
    Action, Event, Input, KillCause, Options, Outcome, ProbeId, ProbeOutcome, Supervisor, plan,
};

use crate::model::{Report, run_check};

/// One pod to explore, with the facts the checks need about its containers.
///
/// # Examples
///
/// ```
/// use podspec::{Format, model::*};
/// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::Hyper));
/// pod.containers.push(Container::new(ContainerName::try_from("app").unwrap(), Image::Host));
/// let case = verify::supervisor_model::Case::new(pod, vmm_ref::supervisor::Options::default());
/// assert_eq!(case.ids(), [phase::ContainerId::regular(0)]);
/// ```
#[derive(Clone, Debug)]
pub struct Case {
    pod: Pod,
    options: Options,
    ids: Vec<ContainerId>,
    /// Containers that can never restart (not a sidecar, not restartable under the policy).
    never: Vec<bool>,
    pre_stop: Vec<bool>,
}

impl Case {
    /// A case for `pod` supervised with `options`.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::{Format, model::*};
    /// let pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
    /// let case = verify::supervisor_model::Case::new(pod, vmm_ref::supervisor::Options::default());
    /// assert!(case.ids().is_empty());
    /// ```
    #[must_use]
    pub fn new(pod: Pod, options: Options) -> Self {
        let spec = plan::pod_spec(&pod);
        let policy = plan::restart_policy(pod.restart_policy);
        let mut ids = Vec::new();
        let mut never = Vec::new();
        let mut pre_stop = Vec::new();
        for (id, c) in plan::containers(&pod) {
            ids.push(id);
            never.push(
                spec.kind(id) != Some(ContainerKind::Sidecar)
                    && !restart::is_container_restartable(&plan::container_spec(c), policy),
            );
            pre_stop.push(c.lifecycle.pre_stop.is_some());
        }
        Self {
            pod,
            options,
            ids,
            never,
            pre_stop,
        }
    }

    /// A pod of the standard set: `policy`, grace period 5 s, the supervisor run with `scope`
    /// and the kubelet's back-off, from a file of `format` (a Kubernetes pod is deleted when it
    /// finishes, a Hyper one kept), containers as `shape` says.
    ///
    /// # Examples
    ///
    /// ```
    /// use verify::supervisor_model::{Case, Shape};
    /// let case = Case::standard(podspec::model::RestartPolicy::Never, restart::RestartScope::Pod, podspec::Format::K8s, Shape::Pair);
    /// assert_eq!(case.ids().len(), 2);
    /// ```
    #[must_use]
    pub fn standard(
        policy: RestartPolicy,
        scope: RestartScope,
        format: Format,
        shape: Shape,
    ) -> Self {
        let exec = || HookHandler::Exec {
            command: vec!["true".into()],
        };
        let named = |n: &str| {
            Container::new(
                ContainerName::try_from(n).unwrap_or_else(|_| unreachable!("a valid name")),
                Image::Host,
            )
        };
        let (name, containers) = match shape {
            Shape::Probed => {
                let mut app = named("app");
                app.lifecycle.post_start = Some(exec());
                app.lifecycle.pre_stop = Some(exec());
                let mut live = Probe::new(ProbeHandler::Exec {
                    command: vec!["true".into()],
                });
                live.initial_delay = Duration::ZERO;
                live.period = Duration::from_secs(10);
                live.timeout = Duration::from_secs(1);
                live.failure_threshold = 1;
                app.liveness_probe = Some(live);
                ("probed", vec![app])
            }
            Shape::Pair => {
                let mut app = named("app");
                app.lifecycle.pre_stop = Some(exec());
                ("pair", vec![app, named("log")])
            }
            Shape::Init => {
                let mut app = named("app");
                app.lifecycle.pre_stop = Some(exec());
                ("init", vec![app])
            }
        };
        let name = PodName::try_from(name).unwrap_or_else(|_| unreachable!("a pod name"));
        let mut pod = Pod::new(name, Source::new(format));
        pod.restart_policy = policy;
        pod.termination_grace_period = Duration::from_secs(5);
        pod.containers = containers;
        if shape == Shape::Init {
            pod.init_containers.push(named("setup"));
        }
        Self::new(pod, Options::default().with_scope(scope))
    }

    /// The pod's containers, init containers first, as the supervisor numbers them.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::{Format, model::*};
    /// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
    /// pod.init_containers.push(Container::new(ContainerName::try_from("i").unwrap(), Image::Host));
    /// let case = verify::supervisor_model::Case::new(pod, vmm_ref::supervisor::Options::default());
    /// assert_eq!(case.ids(), [phase::ContainerId::init(0)]);
    /// ```
    #[must_use]
    pub fn ids(&self) -> &[ContainerId] {
        &self.ids
    }

    fn index(&self, id: ContainerId) -> Option<usize> {
        self.ids.iter().position(|&i| i == id)
    }

    fn origin(&self) -> PodOrigin {
        plan::pod_config(&self.pod, self.options).origin
    }

    fn describe(&self) -> String {
        format!(
            "pod {:?} ({:?}, {:?} scope, {:?} origin, {} containers)",
            self.pod.name.to_string(),
            self.pod.restart_policy,
            self.options.scope,
            self.origin(),
            self.ids.len()
        )
    }
}

/// The two pod shapes of the standard set.
///
/// # Examples
///
/// ```
/// assert_ne!(verify::supervisor_model::Shape::Probed, verify::supervisor_model::Shape::Pair);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One container `app` with exec postStart and preStop hooks and an exec liveness probe
    /// (no initial delay, period 10 s, timeout 1 s, one failure kills).
    Probed,
    /// Two containers: `app` with an exec preStop hook, and `log`.
    Pair,
    /// An init container `setup`, then `app` with an exec preStop hook.
    Init,
}

/// The model: pods, each explored from its start, and the bounds.
///
/// # Examples
///
/// ```
/// use podspec::{Format, model::*};
/// use verify::supervisor_model::{Case, SupervisorModel};
/// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::Hyper));
/// pod.restart_policy = RestartPolicy::Never;
/// pod.containers.push(Container::new(ContainerName::try_from("app").unwrap(), Image::Host));
/// let case = Case::new(pod, vmm_ref::supervisor::Options::default());
/// let model = SupervisorModel::new(vec![case], 1, std::time::Duration::from_secs(30));
/// let report = model.check();
/// // Every safety and liveness property holds (a pod this plain has no example of most of
/// // the "sometimes" properties).
/// assert!(report.discoveries.iter().filter(|d| d.kind != "sometimes").all(|d| !d.failed), "{report}");
/// assert!(report.unique_states > 10);
/// ```
#[derive(Clone, Debug)]
pub struct SupervisorModel {
    /// The pods.
    pub cases: Vec<Case>,
    /// How many times one container may be started before a path stops (1: no restarts).
    pub max_starts: u8,
    /// How far time may go before a path stops.
    pub horizon: Duration,
    /// Whether a container sent its stop signal may also handle it and exit 0 (on in
    /// [`SupervisorModel::new`]). This once broke "a terminal phase never changes": under
    /// OnFailure, a container killed for a failed liveness probe that exits 0 is restarted by
    /// `restart` while the supervisor reported Failed from `phase` (fixed in the supervisor;
    /// vmm-ref scenario test
    /// `a_liveness_kill_that_exits_0_under_on_failure_does_not_report_a_passing_terminal_phase`).
    pub graceful_stops: bool,
}

impl SupervisorModel {
    /// A model of these pods with these bounds.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = verify::supervisor_model::SupervisorModel::new(Vec::new(), 2, std::time::Duration::from_secs(60));
    /// assert_eq!(m.max_starts, 2);
    /// ```
    #[must_use]
    pub const fn new(cases: Vec<Case>, max_starts: u8, horizon: Duration) -> Self {
        Self {
            cases,
            max_starts,
            horizon,
            graceful_stops: true,
        }
    }

    /// The standard set: every pod policy, both restart scopes, a Hyper pod (kept when
    /// finished) and a Kubernetes pod (deleted when finished), in both [`Shape`]s. Grace period
    /// 5 s, hook timeouts the supervisor's, the kubelet's back-off.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = verify::supervisor_model::SupervisorModel::standard(2, std::time::Duration::from_secs(60));
    /// assert_eq!(m.cases.len(), 36);
    /// ```
    #[must_use]
    pub fn standard(max_starts: u8, horizon: Duration) -> Self {
        let mut cases = Vec::new();
        for policy in [
            RestartPolicy::Never,
            RestartPolicy::OnFailure,
            RestartPolicy::Always,
        ] {
            for scope in [RestartScope::Container, RestartScope::Pod] {
                for format in [Format::Hyper, Format::K8s] {
                    for shape in [Shape::Probed, Shape::Pair, Shape::Init] {
                        cases.push(Case::standard(policy, scope, format, shape));
                    }
                }
            }
        }
        Self::new(cases, max_starts, horizon)
    }

    /// Five pods of the standard set, chosen so that every "sometimes" property has an example
    /// while the debug test stays within seconds: a Kubernetes probed pod under Never, a pair
    /// under OnFailure in each scope, a probed pod under Always, a Kubernetes pod with an init
    /// container under OnFailure.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = verify::supervisor_model::SupervisorModel::small(2, std::time::Duration::from_secs(5));
    /// assert_eq!(m.cases.len(), 5);
    /// ```
    #[must_use]
    pub fn small(max_starts: u8, horizon: Duration) -> Self {
        use RestartScope::{Container as C, Pod as P};
        let cases = vec![
            Case::standard(RestartPolicy::Never, C, Format::K8s, Shape::Probed),
            Case::standard(RestartPolicy::OnFailure, C, Format::Hyper, Shape::Pair),
            Case::standard(RestartPolicy::OnFailure, P, Format::Hyper, Shape::Pair),
            Case::standard(RestartPolicy::Always, C, Format::Hyper, Shape::Probed),
            Case::standard(RestartPolicy::OnFailure, C, Format::K8s, Shape::Init),
        ];
        Self::new(cases, max_starts, horizon)
    }

    /// Explores every reachable state (breadth first, on every core) and reports.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = verify::supervisor_model::SupervisorModel::new(Vec::new(), 1, std::time::Duration::ZERO);
    /// assert_eq!(m.check().unique_states, 0);
    /// ```
    #[must_use]
    pub fn check(&self) -> Report {
        run_check(self.clone(), self.cases.len(), |m: &Self, s: &SupState| {
            m.case(s).describe()
        })
    }

    /// The first state of case `i`: a new supervisor, its first actions carried out.
    fn initial(&self, i: usize) -> SupState {
        let case = &self.cases[i];
        let mut s = SupState {
            case: u8::try_from(i).unwrap_or(u8::MAX),
            now: Millis::ZERO,
            sup: Some(Supervisor::new(&case.pod, case.options, Millis::ZERO)),
            ctrs: vec![
                Ctr {
                    proc: Proc::Absent,
                    starts: 0,
                    pre_stopped: false,
                };
                case.ids.len()
            ],
            hook: None,
            probes: Vec::new(),
            user: User::Idle,
            daemon: Daemon::Up,
            record: None,
            decided: None,
            terminal: None,
            disturbed: false,
            deleted: false,
            truncated: false,
            seen: Seen::default(),
            broken: None,
        };
        let mut run = Run {
            m: self,
            case,
            s: &mut s,
        };
        run.drain();
        s
    }

    fn case(&self, s: &SupState) -> &Case {
        &self.cases[usize::from(s.case)]
    }

    fn horizon(&self) -> Millis {
        Millis::ZERO.saturating_add(self.horizon)
    }
}

/// A container's process as the runtime sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Proc {
    /// Not there (never started, exited, or its sandbox is gone).
    Absent,
    /// Asked to start, not reported yet.
    Starting,
    Running,
    /// Sent its stop signal.
    Stopping,
    /// Sent SIGKILL.
    Killed,
}

impl Proc {
    const fn live(self) -> bool {
        !matches!(self, Self::Absent)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ctr {
    proc: Proc,
    /// Starts over every run of the pod.
    starts: u8,
    /// Whether its preStop hook was asked for since its last start.
    pre_stopped: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum User {
    Idle,
    Interrupted,
    Deleted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Daemon {
    Up,
    /// Got SIGTERM: interrupting the pod, exits once it is finished.
    Terminating,
    /// Restarted once (no more daemon restarts on this path).
    Restarted,
}

/// What the next daemon recorded when it stopped supervising the pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Record {
    Kept(FinalStatus),
    Deleted,
    Stopped,
}

/// Which property broke first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Broken {
    NeverRestarted,
    TerminalPhaseChanged,
    StopWithoutPreStop,
    KillWithoutStop,
    DeletedPodRerun,
    OutcomeChanged,
    ActionAfterOutcome,
    HooksOverlap,
    ProbeDuringHook,
    Disagree,
    StuckDeadline,
}

/// The "sometimes" facts seen on the path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)]
struct Seen {
    restarted: bool,
    recreated: bool,
    adopted: bool,
    rerun: bool,
    k8s_deleted: bool,
    failed: bool,
    probe_kill: bool,
    unhealthy: bool,
    hook_timed_out: bool,
    interrupt_after_outcome: bool,
}

/// A probe run the runtime was asked for and has not answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PendingProbe {
    container: ContainerId,
    probe: ProbeId,
    deadline: Millis,
}

/// One state of the composed system. Hashed and compared through its `Debug` text (module
/// docs).
#[derive(Clone, Debug)]
#[doc(hidden)]
pub struct SupState {
    case: u8,
    now: Millis,
    /// The daemon's supervisor for the pod; `None` once no daemon supervises it any more.
    sup: Option<Supervisor>,
    ctrs: Vec<Ctr>,
    /// The hook the runtime is running.
    hook: Option<(ContainerId, Hook)>,
    probes: Vec<PendingProbe>,
    user: User,
    daemon: Daemon,
    record: Option<Record>,
    /// The supervisor's outcome, once decided.
    decided: Option<Outcome>,
    /// The first terminal phase reported in this run.
    terminal: Option<PodPhase>,
    disturbed: bool,
    /// The pod was deleted (by the user, or as a finished Kubernetes pod).
    deleted: bool,
    /// A bound cut the path here.
    truncated: bool,
    seen: Seen,
    broken: Option<Broken>,
}

/// Feeds `Debug` text into a hasher, without building the string.
struct HashWriter<'a, H>(&'a mut H);

impl<H: Hasher> fmt::Write for HashWriter<'_, H> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

impl Hash for SupState {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let _ = write!(HashWriter(state), "{self:?}");
    }
}

impl PartialEq for SupState {
    fn eq(&self, other: &Self) -> bool {
        format!("{self:?}") == format!("{other:?}")
    }
}

impl Eq for SupState {}

/// One thing that can happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[doc(hidden)]
pub enum Step {
    /// Container (by position) reports started.
    Started(u8),
    /// Container (by position) exits with a code.
    Exit(u8, i32),
    /// The pending probe run (by position) succeeds (true) or fails.
    Probe(u8, bool),
    /// The pending hook succeeds (true) or fails.
    Hook(bool),
    /// Time jumps to the supervisor's next deadline.
    Advance,
    CtrlC,
    Delete,
    Sighup {
        sandbox_survives: bool,
    },
    Sigterm,
}

struct Run<'a> {
    m: &'a SupervisorModel,
    case: &'a Case,
    s: &'a mut SupState,
}

impl Run<'_> {
    fn break_with(&mut self, b: Broken) {
        if self.s.broken.is_none() {
            self.s.broken = Some(b);
        }
    }

    /// Feeds an input; `must_accept` for what the runtime may send. A refused input must
    /// change nothing.
    fn input(&mut self, input: Input, must_accept: bool) -> bool {
        let now = self.s.now;
        let Some(sup) = self.s.sup.as_mut() else {
            return false;
        };
        let before = (!must_accept).then(|| sup.clone());
        match sup.handle(input, now) {
            Ok(()) => true,
            Err(_) => {
                let unchanged = before.is_some_and(|b| format!("{b:?}") == format!("{sup:?}"));
                if !unchanged {
                    self.break_with(Broken::Disagree);
                }
                false
            }
        }
    }

    fn index(&mut self, id: ContainerId) -> Option<usize> {
        let i = self.case.index(id);
        if i.is_none() {
            self.break_with(Broken::Disagree);
        }
        i
    }

    fn apply(&mut self, step: Step) {
        match step {
            Step::Started(i) => {
                let i = usize::from(i);
                self.s.ctrs[i].proc = Proc::Running;
                let container = self.case.ids[i];
                self.s.probes.retain(|p| p.container != container);
                self.input(Input::Started { container }, true);
            }
            Step::Exit(i, code) => {
                let i = usize::from(i);
                if code != 0 && self.s.ctrs[i].proc == Proc::Running {
                    self.s.disturbed = true;
                }
                self.s.ctrs[i].proc = Proc::Absent;
                let container = self.case.ids[i];
                self.s.probes.retain(|p| p.container != container);
                self.input(Input::Exited { container, code }, true);
            }
            Step::Probe(i, ok) => {
                let p = self.s.probes.remove(usize::from(i));
                if !ok {
                    self.s.disturbed = true;
                }
                let outcome = if ok {
                    ProbeOutcome::Success
                } else {
                    ProbeOutcome::Failure
                };
                self.input(
                    Input::ProbeFinished {
                        container: p.container,
                        probe: p.probe,
                        outcome,
                    },
                    false,
                );
            }
            Step::Hook(ok) => {
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
                self.input(
                    Input::HookFinished {
                        container,
                        hook,
                        outcome,
                    },
                    true,
                );
            }
            Step::Advance => self.advance(),
            Step::CtrlC => {
                self.s.user = User::Interrupted;
                self.s.disturbed = true;
                if self.s.decided.is_some() {
                    self.s.seen.interrupt_after_outcome = true;
                }
                self.input(Input::Interrupt, false);
            }
            Step::Delete => {
                self.s.user = User::Deleted;
                self.s.disturbed = true;
                self.input(Input::Delete, false);
            }
            Step::Sighup { sandbox_survives } => {
                self.s.daemon = Daemon::Restarted;
                self.s.disturbed = true;
                self.restart_daemon(DaemonExit::Hangup, sandbox_survives);
            }
            Step::Sigterm => {
                self.s.daemon = Daemon::Terminating;
                self.s.disturbed = true;
                if self.s.sup.as_ref().is_some_and(|s| s.outcome().is_none()) {
                    self.input(Input::Interrupt, false);
                }
            }
        }
    }

    fn advance(&mut self) {
        let Some(sup) = self.s.sup.as_mut() else {
            return;
        };
        let Some(due) = sup.poll_timeout() else {
            return self.break_with(Broken::Disagree);
        };
        let now = self.s.now.max(due);
        if now > self.m.horizon() {
            self.s.truncated = true;
            return;
        }
        self.s.now = now;
        sup.handle_timeout(now);
        // Probe runs past their deadline count as failures; the runtime drops them.
        let before = self.s.probes.len();
        self.s.probes.retain(|p| p.deadline > now);
        if self.s.probes.len() != before {
            self.s.disturbed = true;
        }
    }

    /// Carries out every action and takes every event, checking each.
    fn drain(&mut self) {
        while let Some(action) = self.s.sup.as_mut().and_then(Supervisor::poll_action) {
            self.perform(action);
        }
        while let Some(event) = self.s.sup.as_mut().and_then(Supervisor::poll_event) {
            self.observe(&event);
        }
        let Some(sup) = self.s.sup.as_ref() else {
            return;
        };
        // A hook the supervisor no longer waits for (timed out) is abandoned by the runtime.
        let active = sup.tracker().active_hook().map(|h| (h.container, h.hook));
        if self.s.hook.is_some() && self.s.hook != active {
            self.s.hook = None;
        }
        let phase = sup.phase();
        let outcome = sup.outcome().cloned();
        match (self.s.decided.clone(), outcome) {
            (Some(d), Some(o)) => {
                if !same_outcome(&d, &o) {
                    self.break_with(Broken::OutcomeChanged);
                }
                if phase != d.phase() {
                    self.break_with(Broken::TerminalPhaseChanged);
                }
            }
            (Some(_), None) => self.break_with(Broken::OutcomeChanged),
            (None, Some(_)) => self.break_with(Broken::Disagree),
            (None, None) => {}
        }
        self.see_phase(phase);
    }

    fn see_phase(&mut self, phase: PodPhase) {
        match self.s.terminal {
            Some(t) if t != phase => self.break_with(Broken::TerminalPhaseChanged),
            None if phase.is_terminal() => self.s.terminal = Some(phase),
            _ => {}
        }
    }

    fn perform(&mut self, action: Action) {
        if let Some(d) = &self.s.decided {
            let again = Outcome {
                deleted: true,
                ..d.clone()
            };
            if action != Action::Finish(again) {
                return self.break_with(Broken::ActionAfterOutcome);
            }
        }
        let now = self.s.now;
        match action {
            Action::Start { container } => {
                if self.s.deleted {
                    self.break_with(Broken::DeletedPodRerun);
                }
                let Some(i) = self.index(container) else {
                    return;
                };
                let c = &mut self.s.ctrs[i];
                if c.proc.live() {
                    self.break_with(Broken::Disagree);
                }
                let c = &mut self.s.ctrs[i];
                c.proc = Proc::Starting;
                c.pre_stopped = false;
                c.starts = c.starts.saturating_add(1);
                let starts = c.starts;
                if starts > 1 {
                    self.s.seen.restarted = true;
                    if self.case.never[i] {
                        self.break_with(Broken::NeverRestarted);
                    }
                }
                if starts > self.m.max_starts {
                    self.s.truncated = true;
                }
            }
            Action::Signal { container, signal } => {
                let Some(i) = self.index(container) else {
                    return;
                };
                let c = self.s.ctrs[i];
                if !c.proc.live() {
                    return self.break_with(Broken::Disagree);
                }
                if signal == plan::SIGKILL {
                    // The grace periods here are above zero: SIGKILL only after the stop signal.
                    if c.proc != Proc::Stopping && c.proc != Proc::Killed {
                        self.break_with(Broken::KillWithoutStop);
                    }
                    self.s.ctrs[i].proc = Proc::Killed;
                } else {
                    if self.case.pre_stop[i] && !c.pre_stopped {
                        self.break_with(Broken::StopWithoutPreStop);
                    }
                    self.s.ctrs[i].proc = Proc::Stopping;
                }
            }
            Action::RunHook {
                container, hook, ..
            } => {
                if self.s.hook.is_some() {
                    self.break_with(Broken::HooksOverlap);
                }
                let Some(i) = self.index(container) else {
                    return;
                };
                if hook == Hook::PreStop {
                    self.s.ctrs[i].pre_stopped = true;
                }
                self.s.hook = Some((container, hook));
            }
            Action::RunProbe {
                container,
                probe,
                timeout,
                ..
            } => {
                if self.s.hook.is_some() {
                    self.break_with(Broken::ProbeDuringHook);
                }
                self.s.probes.push(PendingProbe {
                    container,
                    probe,
                    deadline: now.saturating_add(timeout),
                });
            }
            Action::RecreateSandbox { .. } => {
                self.s.seen.recreated = true;
                if self.s.ctrs.iter().any(|c| c.proc.live()) {
                    self.break_with(Broken::Disagree);
                }
                self.new_sandbox();
            }
            Action::Finish(outcome) => {
                if self.s.ctrs.iter().any(|c| c.proc.live()) {
                    self.break_with(Broken::Disagree);
                }
                if outcome.deleted {
                    self.s.deleted = true;
                    if self.case.origin() == PodOrigin::Kubernetes {
                        self.s.seen.k8s_deleted = true;
                    }
                }
                if outcome.status == FinalStatus::Failed {
                    self.s.seen.failed = true;
                }
                self.s.decided = Some(outcome);
            }
        }
    }

    fn observe(&mut self, event: &Event) {
        match event {
            Event::PhaseChanged { phase } => self.see_phase(*phase),
            // A new run of the pod: its own phase history.
            Event::Recreating { .. } => self.s.terminal = None,
            Event::Restarting { container, .. } => {
                let never = self.case.ids.iter().zip(&self.case.never).any(|(&id, &n)| {
                    n && self.s.sup.as_ref().and_then(|s| s.name(id)) == Some(container.as_str())
                });
                if never {
                    self.break_with(Broken::NeverRestarted);
                }
            }
            Event::Killing {
                cause: KillCause::LivenessProbe,
                ..
            } => self.s.seen.probe_kill = true,
            Event::HealthChanged { healthy: false } => self.s.seen.unhealthy = true,
            Event::HookRan {
                outcome: HookOutcome::TimedOut,
                ..
            } => {
                self.s.seen.hook_timed_out = true;
                self.s.disturbed = true;
            }
            _ => {}
        }
    }

    /// A fresh sandbox (pod-scope re-creation, or after the old one was lost).
    fn new_sandbox(&mut self) {
        self.s.hook = None;
        self.s.probes.clear();
        for c in &mut self.s.ctrs {
            c.proc = Proc::Absent;
        }
    }

    /// The daemon restarts: the next one decides with `restart::recover`.
    fn restart_daemon(&mut self, exit: DaemonExit, sandbox_survives: bool) {
        let Some(sup) = self.s.sup.take() else {
            return;
        };
        let finished = sup.outcome().is_some();
        let status = match sup.outcome() {
            // A deleted pod is not persisted: nothing to recover.
            Some(o) if o.deleted => {
                self.s.record = Some(Record::Deleted);
                return;
            }
            Some(o) if self.s.user == User::Idle && !o.interrupted => {
                PersistedStatus::Finished(o.status)
            }
            Some(_) => PersistedStatus::Stopped,
            // The daemon records the intent to stop before it acts on it.
            None if self.s.daemon == Daemon::Terminating || self.s.user != User::Idle => {
                PersistedStatus::Stopped
            }
            // It records a terminal phase as soon as it reports one (a lost sandbox must not
            // turn a Succeeded pod into a Failed one).
            None => match self.s.terminal {
                Some(PodPhase::Succeeded) => PersistedStatus::Finished(FinalStatus::Succeeded),
                Some(PodPhase::Failed) => PersistedStatus::Finished(FinalStatus::Failed),
                _ => PersistedStatus::Running,
            },
        };
        let config = sup.tracker().config();
        let pod = PersistedPod {
            status,
            sandbox_alive: !finished && sandbox_survives,
            origin: config.origin,
            scope: config.scope,
            policy: config.spec.restart_policy,
        };
        if !pod.sandbox_alive {
            self.new_sandbox();
        }
        match recover(&pod, exit) {
            Recovery::Adopt => {
                self.s.seen.adopted = true;
                self.s.sup = Some(sup);
            }
            Recovery::Rerun => {
                self.s.seen.rerun = true;
                if self.s.deleted {
                    self.break_with(Broken::DeletedPodRerun);
                }
                self.s.terminal = None;
                self.s.sup = Some(Supervisor::new(
                    &self.case.pod,
                    self.case.options,
                    self.s.now,
                ));
            }
            Recovery::Stop => {
                self.s.sup = Some(sup);
                if self.s.user == User::Idle {
                    self.input(Input::Interrupt, false);
                }
            }
            Recovery::LeaveStopped if self.s.user == User::Deleted => self.record_deleted(),
            Recovery::LeaveStopped => self.s.record = Some(Record::Stopped),
            Recovery::Keep { status } => {
                if self.s.decided.as_ref().is_some_and(|d| d.status != status) {
                    self.break_with(Broken::OutcomeChanged);
                }
                if self.s.terminal.is_some_and(|t| t != status.phase()) {
                    self.break_with(Broken::TerminalPhaseChanged);
                }
                self.s.record = Some(Record::Kept(status));
            }
            Recovery::Delete => self.record_deleted(),
        }
    }

    fn record_deleted(&mut self) {
        self.s.record = Some(Record::Deleted);
        self.s.deleted = true;
        if self.case.origin() == PodOrigin::Kubernetes {
            self.s.seen.k8s_deleted = true;
        }
    }

    /// After SIGTERM the daemon exits once the pod is finished; the next daemon recovers it.
    fn daemon_exit(&mut self) {
        if self.s.daemon == Daemon::Terminating
            && self.s.sup.as_ref().is_none_or(|s| s.outcome().is_some())
        {
            self.s.daemon = Daemon::Restarted;
            self.restart_daemon(DaemonExit::Terminate, false);
        }
    }
}

/// The same outcome, except that a kept pod may since have been deleted.
fn same_outcome(decided: &Outcome, now: &Outcome) -> bool {
    let deleted = decided.deleted || now.deleted;
    *now == Outcome {
        deleted,
        ..decided.clone()
    }
}

impl Model for SupervisorModel {
    type State = SupState;
    type Action = Step;

    fn init_states(&self) -> Vec<SupState> {
        (0..self.cases.len()).map(|i| self.initial(i)).collect()
    }

    fn actions(&self, state: &SupState, actions: &mut Vec<Step>) {
        if state.broken.is_some() || state.truncated {
            return;
        }
        let Some(sup) = state.sup.as_ref() else {
            return;
        };
        if state.decided.as_ref().is_some_and(|d| d.deleted) {
            // The pod is gone.
            return;
        }
        for (i, c) in state.ctrs.iter().enumerate() {
            let i = u8::try_from(i).unwrap_or(u8::MAX);
            match c.proc {
                Proc::Starting => actions.push(Step::Started(i)),
                Proc::Running => {
                    actions.push(Step::Exit(i, 0));
                    actions.push(Step::Exit(i, 1));
                }
                // Sent its stop signal: dies of it (or handles it and exits 0).
                Proc::Stopping => {
                    actions.push(Step::Exit(i, 143));
                    if self.graceful_stops {
                        actions.push(Step::Exit(i, 0));
                    }
                }
                Proc::Killed => actions.push(Step::Exit(i, 137)),
                Proc::Absent => {}
            }
        }
        for i in 0..state.probes.len() {
            let i = u8::try_from(i).unwrap_or(u8::MAX);
            actions.push(Step::Probe(i, true));
            actions.push(Step::Probe(i, false));
        }
        if state.hook.is_some() {
            actions.push(Step::Hook(true));
            actions.push(Step::Hook(false));
        }
        if sup.poll_timeout().is_some() {
            actions.push(Step::Advance);
        }
        if state.user == User::Idle {
            actions.push(Step::CtrlC);
        }
        if state.user != User::Deleted {
            actions.push(Step::Delete);
        }
        if state.daemon == Daemon::Up {
            actions.push(Step::Sighup {
                sandbox_survives: true,
            });
            if sup.outcome().is_none() {
                actions.push(Step::Sighup {
                    sandbox_survives: false,
                });
            }
            actions.push(Step::Sigterm);
        }
    }

    fn next_state(&self, last: &SupState, action: Step) -> Option<SupState> {
        let mut s = last.clone();
        let case = self.case(last);
        let mut run = Run {
            m: self,
            case,
            s: &mut s,
        };
        run.apply(action);
        run.drain();
        if action == Step::Advance
            && let Some(sup) = run.s.sup.as_ref()
            && !run.s.truncated
            && sup.poll_timeout().is_some_and(|t| t <= run.s.now)
        {
            run.break_with(Broken::StuckDeadline);
        }
        run.daemon_exit();
        run.drain();
        Some(s)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        fn broken(s: &SupState, which: &[Broken]) -> bool {
            s.broken.is_some_and(|b| which.contains(&b))
        }
        vec![
            Property::always("a Never container is never restarted", |_, s: &SupState| {
                !broken(s, &[Broken::NeverRestarted])
            }),
            Property::always("a terminal phase never changes", |_, s: &SupState| {
                !broken(s, &[Broken::TerminalPhaseChanged])
            }),
            Property::always(
                "a preStop always precedes the stop signal when defined",
                |_, s: &SupState| {
                    !broken(s, &[Broken::StopWithoutPreStop, Broken::KillWithoutStop])
                },
            ),
            Property::always(
                "a deleted Kubernetes pod is never re-run",
                |_, s: &SupState| !broken(s, &[Broken::DeletedPodRerun]),
            ),
            Property::always(
                "the outcome and exit code never change once decided",
                |_, s: &SupState| !broken(s, &[Broken::OutcomeChanged, Broken::ActionAfterOutcome]),
            ),
            Property::always(
                "hooks run one at a time and pause probes",
                |_, s: &SupState| !broken(s, &[Broken::HooksOverlap, Broken::ProbeDuringHook]),
            ),
            Property::always("the runtime and the supervisor agree", |_, s: &SupState| {
                !broken(s, &[Broken::Disagree, Broken::StuckDeadline])
            }),
            Property::always(
                "an undisturbed pod under Never or OnFailure finishes Succeeded",
                |m: &Self, s: &SupState| {
                    s.disturbed
                        || m.case(s).pod.restart_policy == RestartPolicy::Always
                        || s.decided.as_ref().is_none_or(|d| {
                            d.status == FinalStatus::Succeeded && d.exit_code() == 0
                        })
                },
            ),
            Property::eventually(
                "a pod whose containers all exit 0 under Never or OnFailure reaches a terminal phase",
                |m: &Self, s: &SupState| {
                    s.disturbed
                        || s.truncated
                        || m.case(s).pod.restart_policy == RestartPolicy::Always
                        || (s.decided.is_some() && s.terminal.is_some_and(PodPhase::is_terminal))
                        || s.record.is_some()
                },
            ),
            Property::sometimes("a container is restarted", |_, s: &SupState| {
                s.seen.restarted
            }),
            Property::sometimes("a pod is re-created", |_, s: &SupState| s.seen.recreated),
            Property::sometimes("a pod is adopted after SIGHUP", |_, s: &SupState| {
                s.seen.adopted
            }),
            Property::sometimes("a lost pod is re-run", |_, s: &SupState| s.seen.rerun),
            Property::sometimes("a Kubernetes pod is deleted", |_, s: &SupState| {
                s.seen.k8s_deleted
            }),
            Property::sometimes("a pod finishes Failed", |_, s: &SupState| s.seen.failed),
            Property::sometimes(
                "a liveness probe failure kills a container",
                |_, s: &SupState| s.seen.probe_kill,
            ),
            Property::sometimes("the pod turns unhealthy", |_, s: &SupState| {
                s.seen.unhealthy
            }),
            Property::sometimes("a hook times out", |_, s: &SupState| s.seen.hook_timed_out),
            Property::sometimes("an interrupt comes after the outcome", |_, s: &SupState| {
                s.seen.interrupt_after_outcome
            }),
        ]
    }
}

#[cfg(test)]
mod tests {
    //! The checks can fail: each one, fed a wrong action or event by hand, marks the state.

    use super::*;

    const APP: ContainerId = ContainerId::regular(0);

    /// The small set's first pod (Kubernetes, Never, probed) with `app` running.
    fn running() -> (SupervisorModel, SupState) {
        let m = SupervisorModel::small(2, Duration::from_secs(5));
        let s = m.initial(0);
        assert_eq!(s.ctrs[0].proc, Proc::Starting);
        let s = m.next_state(&s, Step::Started(0)).unwrap();
        assert_eq!(s.ctrs[0].proc, Proc::Running);
        assert_eq!(s.broken, None);
        (m, s)
    }

    /// The outcome of a Hyper pod whose only container exited 0.
    fn finished() -> Outcome {
        let m = SupervisorModel::small(2, Duration::from_secs(5));
        let s = m.initial(1);
        let s = m.next_state(&s, Step::Started(0)).unwrap();
        let s = m.next_state(&s, Step::Started(1)).unwrap();
        let s = m.next_state(&s, Step::Exit(0, 0)).unwrap();
        let s = m.next_state(&s, Step::Exit(1, 0)).unwrap();
        let o = s.decided.unwrap();
        assert_eq!(o.exit_code(), 0);
        o
    }

    fn perform(m: &SupervisorModel, s: &mut SupState, action: Action) -> Option<Broken> {
        let case = &m.cases[usize::from(s.case)];
        Run { m, case, s }.perform(action);
        s.broken
    }

    #[test]
    fn a_stop_signal_without_its_pre_stop_is_caught() {
        let (m, mut s) = running();
        let stop = Action::Signal {
            container: APP,
            signal: 15,
        };
        assert_eq!(perform(&m, &mut s, stop), Some(Broken::StopWithoutPreStop));
    }

    #[test]
    fn sigkill_before_the_stop_signal_is_caught() {
        let (m, mut s) = running();
        let kill = Action::Signal {
            container: APP,
            signal: plan::SIGKILL,
        };
        assert_eq!(perform(&m, &mut s, kill), Some(Broken::KillWithoutStop));
    }

    #[test]
    fn a_second_start_of_a_never_container_is_caught() {
        let (m, mut s) = running();
        s.ctrs[0].proc = Proc::Absent;
        let start = Action::Start { container: APP };
        assert_eq!(perform(&m, &mut s, start), Some(Broken::NeverRestarted));
    }

    #[test]
    fn a_start_of_a_live_container_is_caught() {
        let (m, mut s) = running();
        let start = Action::Start { container: APP };
        assert_eq!(perform(&m, &mut s, start), Some(Broken::Disagree));
    }

    #[test]
    fn an_action_after_the_outcome_and_a_start_after_deletion_are_caught() {
        let (m, mut s) = running();
        s.ctrs[0].proc = Proc::Absent;
        let outcome = Outcome {
            deleted: true,
            ..finished()
        };
        assert_eq!(perform(&m, &mut s, Action::Finish(outcome)), None);
        assert!(s.deleted);
        let start = Action::Start { container: APP };
        assert_eq!(
            perform(&m, &mut s, start.clone()),
            Some(Broken::ActionAfterOutcome)
        );
        s.decided = None;
        s.broken = None;
        assert_eq!(perform(&m, &mut s, start), Some(Broken::DeletedPodRerun));
    }

    #[test]
    fn a_changed_terminal_phase_is_caught() {
        let (m, mut s) = running();
        let case = &m.cases[0];
        let mut run = Run {
            m: &m,
            case,
            s: &mut s,
        };
        run.observe(&Event::PhaseChanged {
            phase: PodPhase::Succeeded,
        });
        assert_eq!(run.s.broken, None);
        run.observe(&Event::PhaseChanged {
            phase: PodPhase::Running,
        });
        assert_eq!(run.s.broken, Some(Broken::TerminalPhaseChanged));
    }

    #[test]
    fn overlapping_hooks_and_probes_during_a_hook_are_caught() {
        let (m, mut s) = running();
        let hook = |hook| Action::RunHook {
            container: APP,
            hook,
            handler: HookHandler::Sleep(Duration::ZERO),
            reason: None,
            timeout: Duration::from_secs(1),
        };
        s.hook = None;
        assert_eq!(perform(&m, &mut s, hook(Hook::PostStart)), None);
        let probe = Action::RunProbe {
            container: APP,
            probe: ProbeId(9),
            kind: vmm_ref::supervisor::ProbeKind::Liveness,
            handler: ProbeHandler::Exec {
                command: vec!["true".into()],
            },
            timeout: Duration::from_secs(1),
        };
        assert_eq!(perform(&m, &mut s, probe), Some(Broken::ProbeDuringHook));
        s.broken = None;
        assert_eq!(
            perform(&m, &mut s, hook(Hook::PreStop)),
            Some(Broken::HooksOverlap)
        );
    }

    #[test]
    fn a_changed_outcome_is_caught() {
        let decided = finished();
        assert!(!decided.deleted);
        let deleted = Outcome {
            deleted: true,
            ..decided.clone()
        };
        assert!(same_outcome(&decided, &deleted));
        let interrupted = Outcome {
            interrupted: true,
            ..decided.clone()
        };
        assert!(!same_outcome(&decided, &interrupted));
    }

    #[test]
    fn equal_states_hash_equal_and_different_ones_differ() {
        use std::hash::BuildHasher;
        let (m, s) = running();
        let build = std::collections::hash_map::RandomState::new();
        assert_eq!(build.hash_one(&s), build.hash_one(s.clone()));
        assert_eq!(s, s.clone());
        let later = m.next_state(&s, Step::Exit(0, 0)).unwrap();
        assert_ne!(s, later);
        assert_ne!(build.hash_one(&s), build.hash_one(&later));
    }
}
