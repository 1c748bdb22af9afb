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
//!   asked for (liveness, readiness or startup) succeeds or fails, an httpGet, tcpSocket or
//!   gRPC one may also err ([`ProbeOutcome::Error`]), or gets no answer by its timeout; an
//!   exec or httpGet hook asked for succeeds or fails at any time; a sleep hook succeeds
//!   exactly when its time is up ([`Step::SleepEnds`]: time does not pass beyond that while it
//!   runs), or fails once its container is gone (spec/kubernetes.md section 4, sleep: "errors
//!   if the container is torn down first"); time jumps to the deadline the
//!   supervisor asks for ([`Supervisor::poll_timeout`]: a probe tick, a probe or hook
//!   timeout, SIGKILL, a back-off, a re-creation, the pod's `activeDeadlineSeconds`); and, up
//!   to a bound of waits per path, time
//!   passes with no deadline due: to 1 ms before the next deadline (an answer just in time),
//!   or by 610 s when nothing is due that soon (a run longer than the back-off reset window).
//!   Inputs come at the current time.
//!
//! Probe handlers. vmm-ref's runtimes run a tcpSocket probe as a TCP connect (success, or
//! failure for a refused or timed-out connect) and a gRPC probe as a TCP connect to its port
//! too (`vmm_ref::runtime::probe_handler`: the health service's status is not asked, so a
//! NOT_SERVING or UNKNOWN status cannot be told from SERVING); the kvm runtime's agent may
//! also fail to run either, which is [`ProbeOutcome::Error`] (a discarded run, spec section 3:
//! "a prober error discards the result"). For the supervisor they differ from exec only in
//! their handler, which it passes through (checked: each run carries its own probe's
//! handler). Exec probes never err here (the runtimes' errors for them, a container already
//! gone, are not modelled).
//!
//! `activeDeadlineSeconds` (pods built with [`Case::with_active_deadline`]; the semantics are
//! the supervisor's module docs, the kubelet's active-deadline handler; spec/kubernetes.md
//! has no section on it): the model knows when the deadline falls (the pod starts at 0) and
//! expects it to end the pod when time reaches it before the pod's outcome, before a
//! terminal phase was reported and before an interrupt (Ctrl-C, a daemon's SIGTERM, a next
//! daemon's stop); a delete does not come first (a deadline during a delete's stop still
//! ends the pod DeadlineExceeded, the supervisor's rule). Decisions here where the sources are
//! silent: a next daemon that re-runs a lost pod gives the new supervisor what remains of the
//! deadline (the kubelet counts from the pod's `startTime`, which outlives a kubelet restart;
//! the supervisor has no start-time input); a daemon records a pod whose deadline ran out as
//! finished Failed as soon as the deadline is acted on, so a next daemon stops or keeps it and
//! never re-runs it.
//!
//! Sleep hooks are bounded: validation keeps a sleep at most the grace period
//! (spec section 4), and a preStop hook is cut at the grace period (spec section 4, preStop:
//! "the hook is bounded by the grace period"), counted from when the hook is asked for
//! (hooks of one pod run one at a time here, [`restart`]'s decision, where the kubelet runs the
//! preStops of a pod's containers in parallel). A sleep that ends at the hook's own timeout is
//! late: the supervisor's timeout comes first.
//! - **User**: Ctrl-C ([`Input::Interrupt`], also after the pod finished) and delete
//!   ([`Input::Delete`], also after a Ctrl-C), once each.
//! - **Daemon**: up to a bound per path (one for most pods, two for some), SIGHUP (the
//!   sandbox survives or is lost) or SIGTERM (the daemon interrupts the pod and exits once it
//!   is finished). A later daemon also recovers a pod the previous one no longer supervised
//!   (kept, left stopped) from its record. The supervisor has no recovery
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
//! | always | a container is killed for a probe only after failureThreshold consecutive failures of that probe, as the runtime answered (readiness never kills) |
//! | always | a probe run gets its whole timeout (no second run of a probe while one is within it) |
//! | always | a published liveness or startup failure kills the container before time moves on (unless it is already being stopped, a hook runs, or the pod is ending) |
//! | always | a container is reported ready only while it runs, after its startup probe (or the pod's deletion: an interrupt or a delete) and its readiness probe (successThreshold) passed |
//! | always | a ready container turns unready while it runs only after failureThreshold consecutive failures of its readiness probe |
//! | always | a probe run uses its own probe's handler (exec, httpGet, tcpSocket, gRPC) |
//! | always | nothing starts or is re-created once the pod's end began (Ctrl-C, delete, a daemon's stop, the deadline) |
//! | always | a pod whose deadline ran out first (before its outcome, a terminal phase or an interrupt) ends Failed, DeadlineExceeded, exit code 124, not interrupted; no other pod ends DeadlineExceeded or reports the deadline |
//! | always | a preStop hook holds the stop signal at most the grace period from when it was asked for, and a sleep preStop until it ends (or the grace period) |
//! | always | a container that ran more than 10 minutes restarts at once (the back-off starts over) |
//! | always | a later daemon re-runs no pod it found kept or stopped (after a second daemon restart too) |
//! | eventually | a pod whose containers all exit 0 under Never or OnFailure reaches a terminal phase |
//! | sometimes | a container is restarted; a pod is re-created; adopted after SIGHUP; a lost pod is re-run; a Kubernetes pod is deleted; a pod finishes Failed; a liveness probe kills a container; the pod turns unhealthy; a hook times out; an interrupt comes after the outcome; a container becomes ready; a ready container turns unready while it runs; a startup probe kills; a probe kills after more than one failure; a probe passes with its answer 1 ms before its deadline; a long run resets the back-off; the daemon restarts twice on one path; a deleted pod meets a second daemon restart; a pod's deadline runs out; an interrupt comes during a deadline's stop; a container becomes ready after more than one success; a ready container stays ready through a failure below the threshold; a tcpSocket or gRPC prober errs; a sleep preStop holds the stop until it ends; a sleep preStop is cut at the grace period |
//!
//! "Disturbed" means anything but exits with code 0 and passing probes: a non-zero exit, a
//! failed or timed-out probe, a failed or timed-out hook, Ctrl-C, delete, a daemon restart,
//! the deadline.
//!
//! Success thresholds: only readiness probes have one above 1 here (the [`Shape::Network`]
//! pod: two successes make it ready, two failures unready; a failure starts the count over,
//! and an erring run counts as nothing). Kubernetes requires `successThreshold` 1 for
//! liveness and startup probes (spec section 3, validation; `phase::ProbeConfig::validate`),
//! so no Kubernetes pod reaches the supervisor with another; a pod-controller liveness probe
//! may have one, but a liveness probe publishes only failures that matter (it goes on hold
//! once it published one), and a success still starts the failure count over, which the
//! failureThreshold property checks against the runtime's own count.
//!
//! Bounds: starts per container ([`SupervisorModel::max_starts`]), time
//! ([`SupervisorModel::horizon`]; the 610 s waits do not count), waits
//! ([`SupervisorModel::max_waits`]) and daemon restarts ([`SupervisorModel::daemon_restarts`])
//! per path, the last three also per pod ([`Case::with_bounds`]). A path that would pass the
//! first two stops in a *truncated* state,
//! which has no successors and counts as satisfying the eventually property (a cut path is
//! not a counterexample). States are hashed through their `Debug` text (the supervisor holds
//! `restart` and `phase` values that implement neither `Hash` nor `Eq`); derived `Debug` prints
//! every field, so equal text means equal states.
//!
//! The probe thresholds are checked against the runtime's own count of answers (the
//! reference streaks), not against `phase`'s.
//!
//! Not covered: postRestart and preStart hooks, a probe's own
//! `terminationGracePeriodSeconds`, an exec probe's prober error, several pods at once (the
//! supervisor runs one pod per process: pods share nothing it decides, so several would only
//! interleave independent runs), and these only on some pods, with short
//! bounds: `activeDeadlineSeconds` (eight pods: 2 to 4 s), readiness thresholds above one and
//! tcpSocket and gRPC probes (the [`Shape::Network`] pods under Never: 3 or 4 s; under
//! OnFailure or Always the restarts multiply them past the time budget), sleep preStop hooks
//! (the [`Shape::Sleeper`] pods: grace period 2 s),
//! probes other than one liveness probe (the [`Shape::Gated`] pods: 5 s of time),
//! waits (the gated and [`Shape::Handlers`] pods: one per path), a second daemon restart
//! (five pods). No pod of the standard set has a probe on one container and a hook on
//! another, or a hook that lasts while a first probe run waits: those are checked by their own
//! tests in `verify/tests/supervisor_model_check.rs` (the [`Shape::Mixed`] pod, and a pod whose
//! postStart hook outlasts its liveness probe's timeout), which keep two supervisor bugs found
//! here, both fixed (a liveness failure published during another container's hook was dropped;
//! a probe run asked for during a hook was timed from before the hook ended). The fuzz target
//! `supervisor` drives longer runs.

use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};
use std::time::Duration;

use phase::{ContainerId, ContainerKind, Millis, PodPhase};
use podspec::Format;
use podspec::model::{
    Container, ContainerName, HookHandler, HttpGet, Image, Pod, PodName, Port, PortRef, Probe,
    ProbeHandler, RestartPolicy, Source,
};
use restart::{
    DaemonExit, FinalStatus, Hook, HookOutcome, PersistedPod, PersistedStatus, PodOrigin, Recovery,
    RestartScope, RunState, recover,
};
use stateright::{Model, Property};
use vmm_ref::supervisor::{
    Action, Event, Input, KillCause, Options, Outcome, ProbeId, ProbeKind, ProbeOutcome,
    Supervisor, plan,
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
    /// Per container, per probe ([`probe_slot`]): its (success, failure) thresholds.
    thresholds: Vec<[Option<(u32, u32)>; 3]>,
    /// Per container, per probe ([`probe_slot`]): its handler.
    handlers: Vec<[Option<ProbeHandler>; 3]>,
    /// Per container: how long its preStop hook sleeps, if it is a sleep handler.
    pre_stop_sleep: Vec<Option<Duration>>,
    /// This pod's own bounds, instead of the model's.
    bounds: Option<Bounds>,
}

/// Bounds for one pod ([`Case::with_bounds`]), instead of the model's.
///
/// # Examples
///
/// ```
/// let b = verify::supervisor_model::Bounds { horizon: std::time::Duration::from_secs(5), max_waits: 1, daemon_restarts: 2 };
/// assert_eq!(b.daemon_restarts, 2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// How far time may go ([`SupervisorModel::horizon`]).
    pub horizon: Duration,
    /// How many waits one path may have ([`SupervisorModel::max_waits`]).
    pub max_waits: u8,
    /// How many daemon restarts one path may have ([`SupervisorModel::daemon_restarts`]).
    pub daemon_restarts: u8,
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
        let mut thresholds = Vec::new();
        let mut handlers = Vec::new();
        let mut pre_stop_sleep = Vec::new();
        for (id, c) in plan::containers(&pod) {
            let t = |p: &Option<Probe>| {
                p.as_ref()
                    .map(|p| (p.success_threshold, p.failure_threshold))
            };
            thresholds.push([
                t(&c.liveness_probe),
                t(&c.readiness_probe),
                t(&c.startup_probe),
            ]);
            let h = |p: &Option<Probe>| p.as_ref().map(|p| p.handler.clone());
            handlers.push([
                h(&c.liveness_probe),
                h(&c.readiness_probe),
                h(&c.startup_probe),
            ]);
            pre_stop_sleep.push(match c.lifecycle.pre_stop {
                Some(HookHandler::Sleep(d)) => Some(d),
                _ => None,
            });
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
            thresholds,
            handlers,
            pre_stop_sleep,
            bounds: None,
        }
    }

    /// The same pod with `activeDeadlineSeconds` (counted from the pod's start, Millis 0).
    ///
    /// # Examples
    ///
    /// ```
    /// use verify::supervisor_model::{Case, Shape};
    /// let d = std::time::Duration::from_secs(3);
    /// let case = Case::standard(podspec::model::RestartPolicy::Never, restart::RestartScope::Container, podspec::Format::Hyper, Shape::Pair).with_active_deadline(d);
    /// assert_eq!(case.active_deadline(), Some(d));
    /// ```
    #[must_use]
    pub fn with_active_deadline(mut self, deadline: Duration) -> Self {
        self.pod.active_deadline = Some(deadline);
        self
    }

    /// The pod's `activeDeadlineSeconds`, if it has one.
    ///
    /// # Examples
    ///
    /// ```
    /// use verify::supervisor_model::{Case, Shape};
    /// let case = Case::standard(podspec::model::RestartPolicy::Never, restart::RestartScope::Container, podspec::Format::Hyper, Shape::Pair);
    /// assert_eq!(case.active_deadline(), None);
    /// ```
    #[must_use]
    pub const fn active_deadline(&self) -> Option<Duration> {
        self.pod.active_deadline
    }

    /// When the pod's deadline runs out, if it has one (the pod starts at 0).
    fn deadline_at(&self) -> Option<Millis> {
        self.pod
            .active_deadline
            .map(|d| Millis::ZERO.saturating_add(d))
    }

    /// The same pod explored with its own bounds.
    ///
    /// # Examples
    ///
    /// ```
    /// use verify::supervisor_model::{Bounds, Case, Shape};
    /// let b = Bounds { horizon: std::time::Duration::from_secs(5), max_waits: 1, daemon_restarts: 2 };
    /// let case = Case::standard(podspec::model::RestartPolicy::Never, restart::RestartScope::Container, podspec::Format::Hyper, Shape::Pair).with_bounds(b);
    /// assert_eq!(case.bounds(), Some(b));
    /// ```
    #[must_use]
    pub const fn with_bounds(mut self, bounds: Bounds) -> Self {
        self.bounds = Some(bounds);
        self
    }

    /// The pod's own bounds, if it has them.
    ///
    /// # Examples
    ///
    /// ```
    /// use verify::supervisor_model::{Case, Shape};
    /// let case = Case::standard(podspec::model::RestartPolicy::Never, restart::RestartScope::Container, podspec::Format::Hyper, Shape::Pair);
    /// assert_eq!(case.bounds(), None);
    /// ```
    #[must_use]
    pub const fn bounds(&self) -> Option<Bounds> {
        self.bounds
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
        let http = || {
            let port = Port::try_from(8080).unwrap_or_else(|_| unreachable!("a valid port"));
            HttpGet::new(PortRef::Number(port), "/healthz")
        };
        // No initial delay, timeout 1 s.
        let probe = |handler, period: u64, success_threshold, failure_threshold| {
            let mut p = Probe::new(handler);
            p.initial_delay = Duration::ZERO;
            p.period = Duration::from_secs(period);
            p.timeout = Duration::from_secs(1);
            p.success_threshold = success_threshold;
            p.failure_threshold = failure_threshold;
            p
        };
        let exec_probe = || ProbeHandler::Exec {
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
            Shape::Gated => {
                let mut app = named("app");
                app.lifecycle.post_start = Some(HookHandler::HttpGet(http()));
                app.startup_probe = Some(probe(exec_probe(), 2, 1, 2));
                app.liveness_probe = Some(probe(ProbeHandler::HttpGet(http()), 2, 1, 2));
                app.readiness_probe = Some(probe(exec_probe(), 2, 1, 1));
                ("gated", vec![app])
            }
            Shape::Handlers => {
                let mut app = named("app");
                app.lifecycle.post_start = Some(HookHandler::Sleep(Duration::from_secs(1)));
                app.lifecycle.pre_stop = Some(HookHandler::HttpGet(http()));
                ("handlers", vec![app])
            }
            Shape::Mixed => {
                let mut web = named("web");
                web.liveness_probe = Some(probe(exec_probe(), 5, 1, 1));
                let mut side = named("side");
                side.lifecycle.post_start = Some(HookHandler::Sleep(Duration::from_secs(1)));
                side.readiness_probe = Some(probe(ProbeHandler::HttpGet(http()), 5, 1, 1));
                ("mixed", vec![web, side])
            }
            Shape::Network => {
                let mut app = named("app");
                let port = Port::try_from(8080).unwrap_or_else(|_| unreachable!("a valid port"));
                let tcp = ProbeHandler::TcpSocket {
                    host: None,
                    port: PortRef::Number(port),
                };
                let grpc = ProbeHandler::Grpc {
                    port,
                    service: None,
                };
                app.liveness_probe = Some(probe(tcp, 10, 1, 1));
                app.readiness_probe = Some(probe(grpc, 1, 2, 2));
                ("network", vec![app])
            }
            Shape::Sleeper => {
                let mut app = named("app");
                app.lifecycle.pre_stop = Some(HookHandler::Sleep(Duration::from_secs(1)));
                let mut log = named("log");
                log.lifecycle.pre_stop = Some(HookHandler::Sleep(Duration::from_secs(2)));
                ("sleeper", vec![app, log])
            }
        };
        let name = PodName::try_from(name).unwrap_or_else(|_| unreachable!("a pod name"));
        let mut pod = Pod::new(name, Source::new(format));
        pod.restart_policy = policy;
        pod.termination_grace_period = Duration::from_secs(5);
        if shape == Shape::Sleeper {
            // Short sleeps keep the stop within a few seconds of model time.
            pod.termination_grace_period = Duration::from_secs(2);
        }
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
        let deadline = self
            .pod
            .active_deadline
            .map_or_else(String::new, |d| format!(", deadline {d:?}"));
        format!(
            "pod {:?} ({:?}, {:?} scope, {:?} origin, {} containers{deadline})",
            self.pod.name.to_string(),
            self.pod.restart_policy,
            self.options.scope,
            self.origin(),
            self.ids.len()
        )
    }

    /// How long the hook `hook` of `container` sleeps, if it is a sleep handler.
    fn sleep_of(&self, container: ContainerId, hook: Hook) -> Option<Duration> {
        match plan::container(&self.pod, container).and_then(|c| plan::hook_handler(c, hook)) {
            Some(HookHandler::Sleep(d)) => Some(*d),
            _ => None,
        }
    }
}

/// The pod shapes of the standard set ([`Shape::Probed`], [`Shape::Pair`], [`Shape::Init`])
/// and of the probe set ([`Shape::Gated`], [`Shape::Mixed`]).
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
    /// One container `app` with an httpGet postStart hook and all three probes (no initial delay, timeout 1 s): an exec startup probe (period 2 s,
    /// two failures kill), an httpGet liveness probe (period 2 s, two failures kill) and an
    /// exec readiness probe (period 2 s, one failure or success decides). Liveness and
    /// readiness first run one period after the container started (their first tick falls
    /// before the startup probe passed).
    Gated,
    /// One container `app` with a sleep (1 s) postStart hook and an httpGet preStop hook.
    Handlers,
    /// Two containers: `web` with an exec liveness probe (period 5 s, one failure kills), and
    /// `side` with a sleep (1 s) postStart hook and an httpGet readiness probe (period 5 s,
    /// one failure or success decides) and no liveness probe.
    Mixed,
    /// One container `app` with a tcpSocket liveness probe (period 10 s, one failure kills)
    /// and a gRPC readiness probe (period 2 s, two successes make it ready, two failures
    /// unready); no initial delay, timeout 1 s.
    Network,
    /// Two containers: `app` with a sleep (1 s) preStop hook, and `log` with a sleep (2 s,
    /// the whole grace period) preStop hook; grace period 2 s.
    Sleeper,
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
    /// How many times time may pass with no deadline due on one path ([`Step::Wait`] to just
    /// before the next deadline, [`Step::LongWait`] by more than the back-off reset window
    /// when nothing is due that soon); 0 in [`SupervisorModel::new`].
    pub max_waits: u8,
    /// How many daemon restarts one path may have (1 in [`SupervisorModel::new`]). From the
    /// second on, a pod the daemon no longer supervises (kept, left stopped) is recovered
    /// again from its record.
    pub daemon_restarts: u8,
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
            max_waits: 0,
            daemon_restarts: 1,
        }
    }

    /// The standard set: every pod policy, both restart scopes, a Hyper pod (kept when
    /// finished) and a Kubernetes pod (deleted when finished), in the shapes
    /// [`Shape::Probed`], [`Shape::Pair`] and [`Shape::Init`] (36 pods, the model's bounds,
    /// no wait, one daemon restart); then 17 pods with their own bounds: the probe shape
    /// [`Shape::Gated`] under every policy (at most 5 s of time and one wait),
    /// [`Shape::Handlers`] under
    /// OnFailure and Always (one wait: a long run resets the back-off), five pods with a
    /// second daemon restart, and seven pods for `activeDeadlineSeconds`, readiness
    /// thresholds, network probes and sleep preStop hooks (`timing_cases`: a pair under
    /// OnFailure in each scope, deadline 3 s, 5 s of time; a probed pod under Always,
    /// deadline 4 s; a Kubernetes init pod under Never, deadline 2 s; [`Shape::Sleeper`] under
    /// Never (5 s) and under OnFailure with a deadline of 2 s (6 s); [`Shape::Network`] under
    /// Never, 4 s). Grace period 5 s (2 s for the sleeper pods), hook timeouts the
    /// supervisor's, the kubelet's back-off.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = verify::supervisor_model::SupervisorModel::standard(2, std::time::Duration::from_secs(60));
    /// assert_eq!(m.cases.len(), 53);
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
        cases.extend(Self::extra_cases(horizon));
        cases.extend(Self::timing_cases());
        Self::new(cases, max_starts, horizon)
    }

    /// The pods beyond the 36 with their own bounds: [`Shape::Gated`] under every policy
    /// (5 s and one wait under Never, 5 s under OnFailure, 4 s under Always);
    /// [`Shape::Handlers`] under OnFailure and Always (`horizon`, one
    /// wait); five pods with a second daemon restart (`horizon`, no wait).
    fn extra_cases(horizon: Duration) -> Vec<Case> {
        use Format::{Hyper, K8s};
        use RestartPolicy::{Always, Never, OnFailure};
        let container = RestartScope::Container;
        let bounds = |horizon, max_waits, daemon_restarts| Bounds {
            horizon,
            max_waits,
            daemon_restarts,
        };
        let mut cases = Vec::new();
        // Waits and time multiply the gated pod's states most: one wait under Never, none
        // under OnFailure, and 4 s under Always.
        for (policy, seconds, max_waits) in [(Never, 5, 1), (OnFailure, 5, 0), (Always, 4, 0)] {
            let case = Case::standard(policy, container, Hyper, Shape::Gated);
            cases.push(case.with_bounds(bounds(Duration::from_secs(seconds), max_waits, 1)));
        }
        for policy in [OnFailure, Always] {
            let case = Case::standard(policy, container, Hyper, Shape::Handlers);
            cases.push(case.with_bounds(bounds(horizon, 1, 1)));
        }
        for (policy, format, shape) in [
            (Never, Hyper, Shape::Pair),
            (Never, Hyper, Shape::Probed),
            (OnFailure, K8s, Shape::Init),
            (OnFailure, Hyper, Shape::Init),
            (Always, Hyper, Shape::Pair),
        ] {
            let case = Case::standard(policy, container, format, shape);
            cases.push(case.with_bounds(bounds(horizon, 0, 2)));
        }
        cases
    }

    /// Nine pods of the standard set, chosen so that every "sometimes" property has an
    /// example while the debug test stays within seconds: a Kubernetes probed pod under Never
    /// (with one wait), a pair under OnFailure in each scope, a
    /// Kubernetes pod with an init container under OnFailure; then with their own bounds a
    /// gated pod under Never (5 s, no wait), a pod with sleep and httpGet hooks under OnFailure (one wait), the
    /// Kubernetes init pod again with a second daemon restart, a [`Shape::Sleeper`] pod under
    /// Never with a deadline of 1 s (4 s of time) and a [`Shape::Network`] pod under Never
    /// (2 s of time).
    ///
    /// # Examples
    ///
    /// ```
    /// let m = verify::supervisor_model::SupervisorModel::small(2, std::time::Duration::from_secs(5));
    /// assert_eq!(m.cases.len(), 9);
    /// ```
    #[must_use]
    pub fn small(max_starts: u8, horizon: Duration) -> Self {
        use RestartScope::{Container as C, Pod as P};
        let cases = vec![
            Case::standard(RestartPolicy::Never, C, Format::K8s, Shape::Probed).with_bounds(
                Bounds {
                    horizon,
                    max_waits: 1,
                    daemon_restarts: 1,
                },
            ),
            Case::standard(RestartPolicy::OnFailure, C, Format::Hyper, Shape::Pair),
            Case::standard(RestartPolicy::OnFailure, P, Format::Hyper, Shape::Pair),
            Case::standard(RestartPolicy::OnFailure, C, Format::K8s, Shape::Init),
            Case::standard(RestartPolicy::Never, C, Format::Hyper, Shape::Gated).with_bounds(
                Bounds {
                    horizon: Duration::from_secs(5),
                    max_waits: 0,
                    daemon_restarts: 1,
                },
            ),
            Case::standard(RestartPolicy::OnFailure, C, Format::Hyper, Shape::Handlers)
                .with_bounds(Bounds {
                    horizon,
                    max_waits: 1,
                    daemon_restarts: 1,
                }),
            Case::standard(RestartPolicy::OnFailure, C, Format::K8s, Shape::Init).with_bounds(
                Bounds {
                    horizon,
                    max_waits: 0,
                    daemon_restarts: 2,
                },
            ),
        ];
        let mut cases = cases;
        cases.extend(Self::small_timing_cases());
        Self::new(cases, max_starts, horizon)
    }

    /// The small set's pods for `activeDeadlineSeconds`, readiness thresholds, network probes
    /// and sleep hooks.
    fn small_timing_cases() -> Vec<Case> {
        use RestartPolicy::Never;
        let container = RestartScope::Container;
        let bounds = |secs, max_waits, daemon_restarts| Bounds {
            horizon: Duration::from_secs(secs),
            max_waits,
            daemon_restarts,
        };
        vec![
            Case::standard(Never, container, Format::Hyper, Shape::Sleeper)
                .with_active_deadline(Duration::from_secs(1))
                .with_bounds(bounds(4, 0, 1)),
            Case::standard(Never, container, Format::Hyper, Shape::Network)
                .with_bounds(bounds(2, 0, 1)),
        ]
    }

    /// The standard set's pods for `activeDeadlineSeconds`, readiness thresholds, network
    /// probes and sleep hooks (after [`SupervisorModel::extra_cases`]).
    fn timing_cases() -> Vec<Case> {
        use Format::{Hyper, K8s};
        use RestartPolicy::{Always, Never, OnFailure};
        let container = RestartScope::Container;
        let bounds = |secs, max_waits, daemon_restarts| Bounds {
            horizon: Duration::from_secs(secs),
            max_waits,
            daemon_restarts,
        };
        let secs = Duration::from_secs;
        vec![
            Case::standard(OnFailure, container, Hyper, Shape::Pair)
                .with_active_deadline(secs(3))
                .with_bounds(bounds(5, 0, 1)),
            Case::standard(Always, container, Hyper, Shape::Probed)
                .with_active_deadline(secs(4))
                .with_bounds(bounds(20, 0, 1)),
            Case::standard(Never, container, K8s, Shape::Init)
                .with_active_deadline(secs(2))
                .with_bounds(bounds(20, 0, 1)),
            Case::standard(OnFailure, RestartScope::Pod, Hyper, Shape::Pair)
                .with_active_deadline(secs(3))
                .with_bounds(bounds(5, 0, 1)),
            Case::standard(Never, container, Hyper, Shape::Sleeper).with_bounds(bounds(5, 0, 1)),
            Case::standard(OnFailure, container, Hyper, Shape::Sleeper)
                .with_active_deadline(secs(2))
                .with_bounds(bounds(6, 0, 1)),
            Case::standard(Never, container, K8s, Shape::Network).with_bounds(bounds(4, 0, 1)),
        ]
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
            ctrs: vec![Ctr::NEW; case.ids.len()],
            hook: None,
            probes: Vec::new(),
            user: User::Idle,
            daemon: Daemon::Up,
            daemon_restarts: 0,
            waits: 0,
            slept: Duration::ZERO,
            record: None,
            decided: None,
            terminal: None,
            stop_cause: None,
            deleting: false,
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

    /// The daemon's restarts, while the path may have one more and the daemon persisted
    /// something to recover.
    fn daemon_steps(&self, state: &SupState, actions: &mut Vec<Step>) {
        if state.daemon != Daemon::Up || state.daemon_restarts >= self.bounds(state).daemon_restarts
        {
            return;
        }
        match (&state.sup, state.record) {
            // A deleted pod is not persisted.
            (Some(sup), _) if sup.outcome().is_some_and(|o| o.deleted) => {}
            (Some(sup), _) => {
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
            (None, Some(Record::Kept(_) | Record::Stopped)) => {
                actions.push(Step::Sighup {
                    sandbox_survives: true,
                });
                actions.push(Step::Sigterm);
            }
            (None, _) => {}
        }
    }

    fn case(&self, s: &SupState) -> &Case {
        &self.cases[usize::from(s.case)]
    }

    /// Whether `now` is past the time bound (long waits do not count).
    fn past_horizon(&self, s: &SupState, now: Millis) -> bool {
        now.saturating_duration_since(Millis::ZERO.saturating_add(s.slept)) > self.bounds(s).horizon
    }

    /// The bounds for the pod of state `s`.
    fn bounds(&self, s: &SupState) -> Bounds {
        self.case(s).bounds.unwrap_or(Bounds {
            horizon: self.horizon,
            max_waits: self.max_waits,
            daemon_restarts: self.daemon_restarts,
        })
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
    /// When its preStop hook was asked for since its last start.
    pre_stop_at: Option<Millis>,
    /// Each probe's answers since the container's last start, as the runtime gave them
    /// (index: [`probe_slot`]).
    streaks: [Streak; 3],
    /// Ready, as the supervisor last reported it.
    ready: bool,
    /// When it last reported started.
    started_at: Millis,
    /// How long its last run lasted (from started to its exit).
    last_run: Duration,
}

impl Ctr {
    const NEW: Self = Self {
        proc: Proc::Absent,
        starts: 0,
        pre_stop_at: None,
        streaks: [Streak::NONE; 3],
        ready: false,
        started_at: Millis::ZERO,
        last_run: Duration::ZERO,
    };
}

/// Consecutive successes and failures of one probe (one is always zero), the reference the
/// thresholds are checked against: an answer at or after the run's deadline, or none by then,
/// is a failure; [`ProbeOutcome::Error`] counts as nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Streak {
    successes: u8,
    failures: u8,
}

impl Streak {
    const NONE: Self = Self {
        successes: 0,
        failures: 0,
    };

    fn record(&mut self, outcome: ProbeOutcome) {
        match outcome {
            ProbeOutcome::Success => {
                self.successes = self.successes.saturating_add(1);
                self.failures = 0;
            }
            ProbeOutcome::Failure => {
                self.failures = self.failures.saturating_add(1);
                self.successes = 0;
            }
            ProbeOutcome::Error => {}
        }
    }
}

/// A probe kind's place in [`Case`]'s thresholds and [`Ctr`]'s streaks.
const fn probe_slot(kind: ProbeKind) -> usize {
    match kind {
        ProbeKind::Liveness => 0,
        ProbeKind::Readiness => 1,
        ProbeKind::Startup => 2,
    }
}

/// How long a run must last for CrashLoopBackOff to start over (the kubelet's 10 minutes).
const BACKOFF_RESET: Duration = Duration::from_secs(600);

/// How long [`Step::LongWait`] lets time pass: a run of more than [`BACKOFF_RESET`].
const LONG_WAIT: Duration = Duration::from_secs(610);

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
    /// Restarted [`SupervisorModel::daemon_restarts`] times (no more on this path).
    Done,
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
    EarlyProbeKill,
    ProbeFailureIgnored,
    ReadyTooSoon,
    ReadyAfterExit,
    BackoffNotReset,
    RecordRerun,
    ProbeRunCutShort,
    StartAfterStop,
    DeadlineOutcome,
    WrongProbeHandler,
    UnreadyTooSoon,
    StopDuringPreStopSleep,
    PreStopPastGrace,
}

/// What began the pod's end first in this run, of the two the supervisor tells apart
/// (module docs of `vmm_ref::supervisor`: whichever comes first names the end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StopCause {
    /// Ctrl-C, a daemon's SIGTERM, or a next daemon's stop.
    Interrupt,
    /// Time reached the pod's `activeDeadlineSeconds`.
    Deadline,
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
    ready: bool,
    unready_while_running: bool,
    startup_kill: bool,
    kill_after_failures: bool,
    answer_before_deadline: bool,
    backoff_reset: bool,
    second_daemon_restart: bool,
    second_daemon_restart_after_delete: bool,
    deadline_exceeded: bool,
    interrupt_during_deadline_stop: bool,
    ready_after_successes: bool,
    ready_through_failure: bool,
    network_probe_error: bool,
    sleep_held_stop: bool,
    sleep_cut_at_grace: bool,
}

/// A probe run the runtime was asked for and has not answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PendingProbe {
    container: ContainerId,
    probe: ProbeId,
    kind: ProbeKind,
    /// An httpGet, tcpSocket or gRPC probe: the prober itself may also fail
    /// ([`ProbeOutcome::Error`]; module docs).
    errs: bool,
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
    /// The hook the runtime is running, and since when.
    hook: Option<(ContainerId, Hook, Millis)>,
    probes: Vec<PendingProbe>,
    user: User,
    daemon: Daemon,
    /// Daemon restarts so far on this path.
    daemon_restarts: u8,
    /// Waits so far on this path ([`Step::Wait`], [`Step::LongWait`]).
    waits: u8,
    /// Time passed in [`Step::LongWait`]s (not counted against the horizon).
    slept: Duration,
    record: Option<Record>,
    /// The supervisor's outcome, once decided.
    decided: Option<Outcome>,
    /// The first terminal phase reported in this run.
    terminal: Option<PodPhase>,
    /// What began the pod's end first in this run (before its outcome).
    stop_cause: Option<StopCause>,
    /// The supervisor took an interrupt or a delete in this run: liveness and startup probes
    /// count as passed from then on (its module docs, the kubelet's probe worker on a
    /// deletion timestamp).
    deleting: bool,
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
    /// The pending probe run (by position) answers.
    Probe(u8, ProbeOutcome),
    /// The pending hook succeeds (true) or fails.
    Hook(bool),
    /// Time passes to the end of the pending sleep hook, which succeeds.
    SleepEnds,
    /// Time jumps to the supervisor's next deadline.
    Advance,
    /// Time passes to just before the supervisor's next deadline (1 ms before).
    Wait,
    /// Time passes by [`LONG_WAIT`] with no deadline due meanwhile.
    LongWait,
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
        let deletes = matches!(input, Input::Interrupt | Input::Delete);
        match sup.handle(input, now) {
            Ok(()) => {
                if deletes {
                    self.s.deleting = true;
                }
                true
            }
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
                let c = &mut self.s.ctrs[i];
                c.proc = Proc::Running;
                c.streaks = [Streak::NONE; 3];
                c.started_at = self.s.now;
                let container = self.case.ids[i];
                self.s.probes.retain(|p| p.container != container);
                self.input(Input::Started { container }, true);
            }
            Step::Exit(i, code) => {
                let i = usize::from(i);
                if code != 0 && self.s.ctrs[i].proc == Proc::Running {
                    self.s.disturbed = true;
                }
                let c = &mut self.s.ctrs[i];
                c.proc = Proc::Absent;
                c.last_run = self.s.now.saturating_duration_since(c.started_at);
                let container = self.case.ids[i];
                self.s.probes.retain(|p| p.container != container);
                self.input(Input::Exited { container, code }, true);
            }
            Step::Probe(i, outcome) => {
                let p = self.s.probes.remove(usize::from(i));
                if outcome == ProbeOutcome::Failure {
                    self.s.disturbed = true;
                }
                // An answer at or after the deadline counts as a failure.
                let counted = if self.s.now >= p.deadline {
                    ProbeOutcome::Failure
                } else {
                    outcome
                };
                if counted != outcome {
                    // A late answer (time passed its deadline while a hook paused probes).
                    self.s.disturbed = true;
                }
                if counted == ProbeOutcome::Success
                    && self.s.now.saturating_add(Duration::from_millis(1)) == p.deadline
                {
                    self.s.seen.answer_before_deadline = true;
                }
                self.record_probe(&p, counted);
                if outcome == ProbeOutcome::Error
                    && !matches!(
                        self.case
                            .index(p.container)
                            .and_then(|i| self.case.handlers[i][probe_slot(p.kind)].as_ref()),
                        Some(ProbeHandler::HttpGet(_))
                    )
                {
                    self.s.seen.network_probe_error = true;
                }
                if p.kind == ProbeKind::Readiness
                    && let Some(i) = self.case.index(p.container)
                    && self.s.ctrs[i].ready
                    && self.s.ctrs[i].streaks[probe_slot(ProbeKind::Readiness)].failures > 0
                    && self.case.thresholds[i][probe_slot(ProbeKind::Readiness)].is_some_and(
                        |(_, f)| {
                            u32::from(
                                self.s.ctrs[i].streaks[probe_slot(ProbeKind::Readiness)].failures,
                            ) < f
                        },
                    )
                {
                    self.s.seen.ready_through_failure = true;
                }
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
                let Some((container, hook, _)) = self.s.hook.take() else {
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
            Step::SleepEnds => {
                let Some((container, hook, at)) = self.s.hook else {
                    return self.break_with(Broken::Disagree);
                };
                let Some(d) = self.case.sleep_of(container, hook) else {
                    return self.break_with(Broken::Disagree);
                };
                let end = at.saturating_add(d).max(self.s.now);
                if self.m.past_horizon(self.s, end) {
                    self.s.truncated = true;
                    return;
                }
                self.s.now = end;
                self.note_deadline();
                self.s.hook = None;
                self.input(
                    Input::HookFinished {
                        container,
                        hook,
                        outcome: HookOutcome::Succeeded,
                    },
                    true,
                );
            }
            Step::Advance => {
                self.check_probe_failures_acted_on();
                self.advance();
            }
            Step::Wait => {
                self.check_probe_failures_acted_on();
                self.s.waits = self.s.waits.saturating_add(1);
                let due = self.s.sup.as_ref().and_then(Supervisor::poll_timeout);
                let Some(due) = due else {
                    return self.break_with(Broken::Disagree);
                };
                let now = Millis(due.0.saturating_sub(1)).max(self.s.now);
                if self.m.past_horizon(self.s, now) {
                    self.s.truncated = true;
                    return;
                }
                self.s.now = now;
            }
            Step::LongWait => {
                self.check_probe_failures_acted_on();
                self.s.waits = self.s.waits.saturating_add(1);
                self.s.now = self.s.now.saturating_add(LONG_WAIT);
                self.s.slept = self.s.slept.saturating_add(LONG_WAIT);
            }
            Step::CtrlC => {
                self.s.user = User::Interrupted;
                self.s.disturbed = true;
                if self.s.decided.is_some() {
                    self.s.seen.interrupt_after_outcome = true;
                }
                if self.s.stop_cause == Some(StopCause::Deadline) && self.s.decided.is_none() {
                    self.s.seen.interrupt_during_deadline_stop = true;
                }
                self.note_interrupt();
                self.input(Input::Interrupt, false);
            }
            Step::Delete => {
                self.s.user = User::Deleted;
                self.s.disturbed = true;
                self.input(Input::Delete, false);
            }
            Step::Sighup { sandbox_survives } => {
                self.s.disturbed = true;
                self.restart_daemon(DaemonExit::Hangup, sandbox_survives);
            }
            Step::Sigterm => {
                self.s.daemon = Daemon::Terminating;
                self.s.disturbed = true;
                if self.s.sup.as_ref().is_some_and(|s| s.outcome().is_none()) {
                    self.note_interrupt();
                    self.input(Input::Interrupt, false);
                }
            }
        }
    }

    fn advance(&mut self) {
        let Some(sup) = self.s.sup.as_ref() else {
            return;
        };
        let Some(due) = sup.poll_timeout() else {
            return self.break_with(Broken::Disagree);
        };
        let now = self.s.now.max(due);
        if self.m.past_horizon(self.s, now) {
            self.s.truncated = true;
            return;
        }
        self.s.now = now;
        // Probe runs past their deadline count as failures once the supervisor looks at its
        // probes' deadlines: not while a hook runs (probes paused), which the tracker settles
        // first (a hook that times out now unpauses them). The runtime then drops them; until
        // then it may still answer, late (a failure too).
        let counted = self.s.probes.iter().any(|p| p.deadline <= now) && {
            let mut tracker = sup.tracker().clone();
            tracker.handle_timeout(now);
            !tracker.are_probes_paused()
        };
        self.note_deadline();
        if let Some(sup) = self.s.sup.as_mut() {
            sup.handle_timeout(now);
        }
        if counted {
            let (late, pending) = self.s.probes.iter().partition(|p| p.deadline <= now);
            self.s.probes = pending;
            for p in late {
                self.record_probe(&p, ProbeOutcome::Failure);
            }
            self.s.disturbed = true;
        }
    }

    /// Time reached the pod's deadline while it runs, before anything else ended it and
    /// before it reported a terminal phase: the pod must end Failed, DeadlineExceeded.
    fn note_deadline(&mut self) {
        if let Some(at) = self.case.deadline_at()
            && self.s.now >= at
            && self.s.stop_cause.is_none()
            && self.s.decided.is_none()
            && self.s.terminal.is_none()
            && self.s.sup.is_some()
        {
            self.s.stop_cause = Some(StopCause::Deadline);
            self.s.disturbed = true;
        }
    }

    /// An interrupt goes to the supervisor now.
    fn note_interrupt(&mut self) {
        if self.s.stop_cause.is_none() && self.s.decided.is_none() && self.s.sup.is_some() {
            self.s.stop_cause = Some(StopCause::Interrupt);
        }
    }

    /// A stop signal to container `i` at `now`, the first since its preStop hook was asked
    /// for: the hook held the stop no longer than the grace period, and a sleep handler held
    /// it until it ended (or the grace period ran out).
    fn check_pre_stop_length(&mut self, i: usize, now: Millis) {
        let c = self.s.ctrs[i];
        let Some(at) = c.pre_stop_at else {
            return;
        };
        if c.proc != Proc::Running && c.proc != Proc::Starting {
            return;
        }
        let grace = self.case.pod.termination_grace_period;
        let cut = at.saturating_add(grace);
        if now > cut {
            self.break_with(Broken::PreStopPastGrace);
        }
        if let Some(d) = self.case.pre_stop_sleep[i] {
            let end = at.saturating_add(d).min(cut);
            if now < end {
                self.break_with(Broken::StopDuringPreStopSleep);
            } else if now == end && d < grace {
                self.s.seen.sleep_held_stop = true;
            }
        }
    }

    fn index_by_name(&self, name: &str) -> Option<usize> {
        let sup = self.s.sup.as_ref()?;
        self.case
            .ids
            .iter()
            .position(|&id| sup.name(id) == Some(name))
    }

    /// Counts one answered (or timed-out) probe run in the reference streaks.
    fn record_probe(&mut self, p: &PendingProbe, outcome: ProbeOutcome) {
        if let Some(i) = self.case.index(p.container) {
            self.s.ctrs[i].streaks[probe_slot(p.kind)].record(outcome);
        }
    }

    /// Before time moves on: a liveness or startup failure that reached its threshold
    /// (published) has killed its container, unless the container is already being stopped,
    /// a hook runs (it pauses the pod's management work) or the pod is ending.
    fn check_probe_failures_acted_on(&mut self) {
        let Some(sup) = self.s.sup.as_ref() else {
            return;
        };
        let tracker = sup.tracker();
        if sup.outcome().is_some()
            || tracker.active_hook().is_some()
            || tracker.stage().is_terminating()
        {
            return;
        }
        let ignored = self.s.ctrs.iter().enumerate().any(|(i, c)| {
            let published = [ProbeKind::Liveness, ProbeKind::Startup]
                .into_iter()
                .any(|k| {
                    let slot = probe_slot(k);
                    self.case.thresholds[i][slot]
                        .is_some_and(|(_, f)| u32::from(c.streaks[slot].failures) >= f)
                });
            published
                && c.proc == Proc::Running
                && c.pre_stop_at.is_none()
                && matches!(
                    tracker.run_state(self.case.ids[i]),
                    Some(RunState::Running { .. })
                )
        });
        if ignored {
            self.break_with(Broken::ProbeFailureIgnored);
        }
    }

    /// Carries out every action and takes every event, checking each.
    fn drain(&mut self) {
        // A hook the supervisor stopped waiting for (timed out, or cut at the grace period)
        // is abandoned by the runtime before it carries out what came after.
        self.drop_abandoned_hook();
        while let Some(action) = self.s.sup.as_mut().and_then(Supervisor::poll_action) {
            self.perform(action);
        }
        while let Some(event) = self.s.sup.as_mut().and_then(Supervisor::poll_event) {
            self.observe(&event);
        }
        if self.s.ctrs.iter().any(|c| c.ready && !c.proc.live()) {
            self.break_with(Broken::ReadyAfterExit);
        }
        self.drop_abandoned_hook();
        let Some(sup) = self.s.sup.as_ref() else {
            return;
        };
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

    /// Forgets the hook the runtime runs once the supervisor no longer waits for it.
    fn drop_abandoned_hook(&mut self) {
        let Some(sup) = self.s.sup.as_ref() else {
            return;
        };
        let active = sup.tracker().active_hook().map(|h| (h.container, h.hook));
        if self.s.hook.is_some() && self.s.hook.map(|(c, h, _)| (c, h)) != active {
            self.s.hook = None;
        }
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
                if self.s.stop_cause.is_some() || self.s.user == User::Deleted {
                    self.break_with(Broken::StartAfterStop);
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
                c.pre_stop_at = None;
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
                    if self.case.pre_stop[i] && c.pre_stop_at.is_none() {
                        self.break_with(Broken::StopWithoutPreStop);
                    }
                    self.check_pre_stop_length(i, now);
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
                    self.s.ctrs[i].pre_stop_at = Some(now);
                }
                self.s.hook = Some((container, hook, now));
            }
            Action::RunProbe {
                container,
                probe,
                kind,
                handler,
                timeout,
            } => {
                if self.s.hook.is_some() {
                    self.break_with(Broken::ProbeDuringHook);
                }
                let configured = self
                    .case
                    .index(container)
                    .and_then(|i| self.case.handlers[i][probe_slot(kind)].as_ref());
                if configured != Some(&handler) {
                    self.break_with(Broken::WrongProbeHandler);
                }
                // One run of a probe at a time, each given its whole timeout.
                if self
                    .s
                    .probes
                    .iter()
                    .any(|p| p.container == container && p.kind == kind && p.deadline > now)
                {
                    self.break_with(Broken::ProbeRunCutShort);
                }
                self.s.probes.push(PendingProbe {
                    container,
                    probe,
                    kind,
                    errs: matches!(
                        handler,
                        ProbeHandler::HttpGet(_)
                            | ProbeHandler::TcpSocket { .. }
                            | ProbeHandler::Grpc { .. }
                    ),
                    deadline: now.saturating_add(timeout),
                });
            }
            Action::RecreateSandbox { .. } => {
                self.s.seen.recreated = true;
                if self.s.stop_cause.is_some() || self.s.user == User::Deleted {
                    self.break_with(Broken::StartAfterStop);
                }
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
                if self.s.decided.is_none() {
                    self.check_deadline_outcome(&outcome);
                }
                self.s.decided = Some(outcome);
            }
        }
    }

    /// The first outcome: Failed with reason DeadlineExceeded (exit code 124, not
    /// interrupted) iff time reached the deadline before the pod finished and before an
    /// interrupt.
    fn check_deadline_outcome(&mut self, outcome: &Outcome) {
        let expected = self.s.stop_cause == Some(StopCause::Deadline);
        let right = if expected {
            outcome.deadline_exceeded
                && outcome.status == FinalStatus::Failed
                && outcome.exit_code() == vmm_ref::supervisor::DEADLINE_EXCEEDED_EXIT_CODE
                && !outcome.interrupted
        } else {
            !outcome.deadline_exceeded
        };
        if !right {
            self.break_with(Broken::DeadlineOutcome);
        }
        if expected {
            self.s.seen.deadline_exceeded = true;
        }
    }

    fn observe(&mut self, event: &Event) {
        match event {
            Event::PhaseChanged { phase } => self.see_phase(*phase),
            // A new run of the pod: its own phase history.
            Event::Recreating { .. } => self.s.terminal = None,
            Event::Restarting { container, after } => {
                let never = self.case.ids.iter().zip(&self.case.never).any(|(&id, &n)| {
                    n && self.s.sup.as_ref().and_then(|s| s.name(id)) == Some(container.as_str())
                });
                if never {
                    self.break_with(Broken::NeverRestarted);
                }
                if let Some(i) = self.index_by_name(container)
                    && self.s.ctrs[i].last_run > BACKOFF_RESET
                {
                    if !after.is_zero() {
                        self.break_with(Broken::BackoffNotReset);
                    } else if self.s.ctrs[i].starts > 1 {
                        self.s.seen.backoff_reset = true;
                    }
                }
            }
            Event::Killing {
                container,
                cause: cause @ (KillCause::LivenessProbe | KillCause::StartupProbe),
                ..
            } => {
                let kind = if *cause == KillCause::StartupProbe {
                    self.s.seen.startup_kill = true;
                    ProbeKind::Startup
                } else {
                    self.s.seen.probe_kill = true;
                    ProbeKind::Liveness
                };
                let Some(i) = self.index_by_name(container) else {
                    return self.break_with(Broken::Disagree);
                };
                let slot = probe_slot(kind);
                let failures = self.s.ctrs[i].streaks[slot].failures;
                match self.case.thresholds[i][slot] {
                    Some((_, threshold)) if u32::from(failures) >= threshold => {
                        if failures > 1 {
                            self.s.seen.kill_after_failures = true;
                        }
                    }
                    _ => self.break_with(Broken::EarlyProbeKill),
                }
            }
            Event::Ready { container, ready } => {
                let Some(i) = self.index_by_name(container) else {
                    return self.break_with(Broken::Disagree);
                };
                let c = self.s.ctrs[i];
                let thresholds = self.case.thresholds[i];
                let deleting = self.s.deleting;
                let passed = |k: ProbeKind| {
                    let slot = probe_slot(k);
                    (k == ProbeKind::Startup && deleting)
                        || thresholds[slot]
                            .is_none_or(|(t, _)| u32::from(c.streaks[slot].successes) >= t)
                };
                if *ready {
                    let running = matches!(c.proc, Proc::Running | Proc::Stopping | Proc::Killed);
                    if !running || !passed(ProbeKind::Startup) || !passed(ProbeKind::Readiness) {
                        self.break_with(Broken::ReadyTooSoon);
                    }
                    self.s.seen.ready = true;
                    if thresholds[probe_slot(ProbeKind::Readiness)].is_some_and(|(t, _)| t > 1) {
                        self.s.seen.ready_after_successes = true;
                    }
                } else {
                    // Unready while it runs only after failureThreshold consecutive failures.
                    let slot = probe_slot(ProbeKind::Readiness);
                    let running = matches!(c.proc, Proc::Running | Proc::Stopping | Proc::Killed);
                    if c.ready
                        && running
                        && thresholds[slot]
                            .is_some_and(|(_, f)| u32::from(c.streaks[slot].failures) < f)
                    {
                        self.break_with(Broken::UnreadyTooSoon);
                    }
                    if c.proc == Proc::Running {
                        self.s.seen.unready_while_running = true;
                    }
                }
                self.s.ctrs[i].ready = *ready;
            }
            Event::HealthChanged { healthy: false } => self.s.seen.unhealthy = true,
            Event::HookRan {
                container,
                hook,
                outcome: HookOutcome::TimedOut,
                ..
            } => {
                self.s.seen.hook_timed_out = true;
                self.s.disturbed = true;
                if *hook == Hook::PreStop
                    && self
                        .index_by_name(container)
                        .is_some_and(|i| self.case.pre_stop_sleep[i].is_some())
                {
                    self.s.seen.sleep_cut_at_grace = true;
                }
            }
            Event::DeadlineExceeded { .. } if self.s.stop_cause != Some(StopCause::Deadline) => {
                self.break_with(Broken::DeadlineOutcome);
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
            c.ready = false;
        }
    }

    /// The daemon restarts: the next one decides with `restart::recover`.
    fn restart_daemon(&mut self, exit: DaemonExit, sandbox_survives: bool) {
        let terminating = self.s.daemon == Daemon::Terminating;
        self.s.daemon_restarts = self.s.daemon_restarts.saturating_add(1);
        self.s.daemon = if self.s.daemon_restarts < self.m.bounds(self.s).daemon_restarts {
            Daemon::Up
        } else {
            Daemon::Done
        };
        if self.s.daemon_restarts > 1 {
            self.s.seen.second_daemon_restart = true;
            if self.s.deleted || self.s.user == User::Deleted {
                self.s.seen.second_daemon_restart_after_delete = true;
            }
        }
        let Some(sup) = self.s.sup.take() else {
            return self.recover_record(exit);
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
            None if terminating || self.s.user != User::Idle => PersistedStatus::Stopped,
            // Its deadline ran out: the pod is Failed however its containers end (module
            // docs), recorded as the deadline is acted on.
            None if self.s.stop_cause == Some(StopCause::Deadline) => {
                PersistedStatus::Finished(FinalStatus::Failed)
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
                self.s.stop_cause = None;
                self.s.deleting = false;
                // The pod's deadline counts from its first start (module docs): the new
                // supervisor gets what remains of it.
                let mut pod = self.case.pod.clone();
                let elapsed = self.s.now.saturating_duration_since(Millis::ZERO);
                pod.active_deadline = pod.active_deadline.map(|d| d.saturating_sub(elapsed));
                self.s.sup = Some(Supervisor::new(&pod, self.case.options, self.s.now));
            }
            Recovery::Stop => {
                self.s.sup = Some(sup);
                if self.s.user == User::Idle {
                    self.note_interrupt();
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

    /// A later daemon recovers a pod no daemon supervises any more from its record: a kept
    /// pod stays kept with its status, a stopped one stopped; none runs again.
    fn recover_record(&mut self, exit: DaemonExit) {
        let status = match self.s.record {
            Some(Record::Kept(status)) => PersistedStatus::Finished(status),
            Some(Record::Stopped) => PersistedStatus::Stopped,
            // A deleted pod is not persisted: nothing to recover.
            Some(Record::Deleted) | None => return,
        };
        let config = plan::pod_config(&self.case.pod, self.case.options);
        let pod = PersistedPod {
            status,
            sandbox_alive: false,
            origin: config.origin,
            scope: config.scope,
            policy: config.spec.restart_policy,
        };
        match (recover(&pod, exit), self.s.record) {
            (Recovery::Keep { status }, Some(Record::Kept(kept))) if status == kept => {}
            (Recovery::LeaveStopped, Some(Record::Stopped)) => {}
            (Recovery::Rerun, _) if self.s.deleted => self.break_with(Broken::DeletedPodRerun),
            (Recovery::Rerun, _) => self.break_with(Broken::RecordRerun),
            (Recovery::Adopt | Recovery::Stop, _) => self.break_with(Broken::Disagree),
            _ => self.break_with(Broken::OutcomeChanged),
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
        self.daemon_steps(state, actions);
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
        for (i, p) in state.probes.iter().enumerate() {
            let i = u8::try_from(i).unwrap_or(u8::MAX);
            actions.push(Step::Probe(i, ProbeOutcome::Success));
            actions.push(Step::Probe(i, ProbeOutcome::Failure));
            if p.errs {
                actions.push(Step::Probe(i, ProbeOutcome::Error));
            }
        }
        let due = sup.poll_timeout();
        // A sleep hook ends when its time is up; time does not pass beyond that meanwhile.
        let mut sleep_end = None;
        if let Some((container, hook, at)) = state.hook {
            match self.case(state).sleep_of(container, hook) {
                Some(d) => {
                    let end = at.saturating_add(d).max(state.now);
                    sleep_end = Some(end);
                    // An end at the hook's own timeout (a sleep as long as the grace period
                    // that bounds a preStop) is late: the supervisor's timeout comes first.
                    let timeout = sup.tracker().active_hook().map(|h| h.deadline);
                    if due.is_none_or(|t| end <= t) && timeout.is_none_or(|t| end < t) {
                        actions.push(Step::SleepEnds);
                    }
                    // It errs if its container is torn down first.
                    let gone = self
                        .case(state)
                        .index(container)
                        .is_some_and(|i| !state.ctrs[i].proc.live());
                    if gone {
                        actions.push(Step::Hook(false));
                    }
                }
                None => {
                    actions.push(Step::Hook(true));
                    actions.push(Step::Hook(false));
                }
            }
        }
        if due.is_some_and(|t| sleep_end.is_none_or(|e| t <= e)) {
            actions.push(Step::Advance);
        }
        if state.waits < self.bounds(state).max_waits && sup.outcome().is_none() {
            let now = state.now;
            if due.is_some_and(|t| {
                t > now.saturating_add(Duration::from_millis(1))
                    && sleep_end.is_none_or(|e| Millis(t.0.saturating_sub(1)) <= e)
            }) {
                actions.push(Step::Wait);
            }
            if sleep_end.is_none() && due.is_none_or(|t| t > now.saturating_add(LONG_WAIT)) {
                actions.push(Step::LongWait);
            }
        }
        if state.user == User::Idle {
            actions.push(Step::CtrlC);
        }
        if state.user != User::Deleted {
            actions.push(Step::Delete);
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
            Property::always(
                "a container is killed for a probe only after failureThreshold consecutive failures of it (readiness never kills)",
                |_, s: &SupState| !broken(s, &[Broken::EarlyProbeKill]),
            ),
            Property::always(
                "a probe run gets its whole timeout (no second run of a probe while one is within it)",
                |_, s: &SupState| !broken(s, &[Broken::ProbeRunCutShort]),
            ),
            Property::always(
                "a published liveness or startup failure kills the container before time moves on",
                |_, s: &SupState| !broken(s, &[Broken::ProbeFailureIgnored]),
            ),
            Property::always(
                "a container is ready only while it runs, after its startup and readiness probes passed",
                |_, s: &SupState| !broken(s, &[Broken::ReadyTooSoon, Broken::ReadyAfterExit]),
            ),
            Property::always(
                "a ready container turns unready while it runs only after failureThreshold consecutive readiness failures",
                |_, s: &SupState| !broken(s, &[Broken::UnreadyTooSoon]),
            ),
            Property::always(
                "a probe run uses its own probe's handler",
                |_, s: &SupState| !broken(s, &[Broken::WrongProbeHandler]),
            ),
            Property::always(
                "nothing starts once the pod's end began (Ctrl-C, delete, its deadline)",
                |_, s: &SupState| !broken(s, &[Broken::StartAfterStop]),
            ),
            Property::always(
                "a pod whose deadline ran out first ends Failed, DeadlineExceeded, exit code 124; no other pod does",
                |_, s: &SupState| !broken(s, &[Broken::DeadlineOutcome]),
            ),
            Property::always(
                "a preStop holds the stop signal at most the grace period, a sleep preStop until it ends",
                |_, s: &SupState| {
                    !broken(
                        s,
                        &[Broken::PreStopPastGrace, Broken::StopDuringPreStopSleep],
                    )
                },
            ),
            Property::always(
                "a container that ran more than 10 minutes restarts at once",
                |_, s: &SupState| !broken(s, &[Broken::BackoffNotReset]),
            ),
            Property::always(
                "a later daemon re-runs no pod it found kept or stopped",
                |_, s: &SupState| !broken(s, &[Broken::RecordRerun]),
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
            Property::sometimes("a container becomes ready", |_, s: &SupState| s.seen.ready),
            Property::sometimes(
                "a ready container turns unready while it runs",
                |_, s: &SupState| s.seen.unready_while_running,
            ),
            Property::sometimes(
                "a startup probe failure kills a container",
                |_, s: &SupState| s.seen.startup_kill,
            ),
            Property::sometimes(
                "a probe kills after more than one failure",
                |_, s: &SupState| s.seen.kill_after_failures,
            ),
            Property::sometimes(
                "a probe passes with its answer just before its deadline",
                |_, s: &SupState| s.seen.answer_before_deadline,
            ),
            Property::sometimes("a long run resets the back-off", |_, s: &SupState| {
                s.seen.backoff_reset
            }),
            Property::sometimes(
                "the daemon restarts twice on one path",
                |_, s: &SupState| s.seen.second_daemon_restart,
            ),
            Property::sometimes(
                "a deleted pod meets a second daemon restart",
                |_, s: &SupState| s.seen.second_daemon_restart_after_delete,
            ),
            Property::sometimes("a pod's deadline runs out", |_, s: &SupState| {
                s.seen.deadline_exceeded
            }),
            Property::sometimes(
                "an interrupt comes during a deadline's stop",
                |_, s: &SupState| s.seen.interrupt_during_deadline_stop,
            ),
            Property::sometimes(
                "a container becomes ready after more than one success",
                |_, s: &SupState| s.seen.ready_after_successes,
            ),
            Property::sometimes(
                "a ready container stays ready through a failure below the threshold",
                |_, s: &SupState| s.seen.ready_through_failure,
            ),
            Property::sometimes("a tcpSocket or gRPC prober errs", |_, s: &SupState| {
                s.seen.network_probe_error
            }),
            Property::sometimes(
                "a sleep preStop holds the stop until it ends",
                |_, s: &SupState| s.seen.sleep_held_stop,
            ),
            Property::sometimes(
                "a sleep preStop is cut at the grace period",
                |_, s: &SupState| s.seen.sleep_cut_at_grace,
            ),
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
            kind: ProbeKind::Liveness,
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

    fn observe(m: &SupervisorModel, s: &mut SupState, event: &Event) -> Option<Broken> {
        let case = &m.cases[usize::from(s.case)];
        Run { m, case, s }.observe(event);
        s.broken
    }

    #[test]
    fn a_probe_kill_below_the_failure_threshold_is_caught() {
        let (m, mut s) = running();
        let kill = |cause| Event::Killing {
            container: "app".into(),
            signal: 15,
            cause,
        };
        // The probed pod's liveness probe kills on one failure.
        s.ctrs[0].streaks[probe_slot(ProbeKind::Liveness)].failures = 1;
        assert_eq!(observe(&m, &mut s, &kill(KillCause::LivenessProbe)), None);
        s.ctrs[0].streaks[probe_slot(ProbeKind::Liveness)].failures = 0;
        assert_eq!(
            observe(&m, &mut s, &kill(KillCause::LivenessProbe)),
            Some(Broken::EarlyProbeKill)
        );
        // It has no startup probe: a startup kill is never right.
        let (m, mut s) = running();
        s.ctrs[0].streaks[probe_slot(ProbeKind::Startup)].failures = 9;
        assert_eq!(
            observe(&m, &mut s, &kill(KillCause::StartupProbe)),
            Some(Broken::EarlyProbeKill)
        );
    }

    #[test]
    fn a_second_run_of_a_probe_within_the_first_ones_timeout_is_caught() {
        let (m, mut s) = running();
        s.hook = None;
        let run = |probe| Action::RunProbe {
            container: APP,
            probe: ProbeId(probe),
            kind: ProbeKind::Liveness,
            handler: ProbeHandler::Exec {
                command: vec!["true".into()],
            },
            timeout: Duration::from_secs(1),
        };
        s.probes.clear();
        assert_eq!(perform(&m, &mut s, run(7)), None);
        assert_eq!(perform(&m, &mut s, run(8)), Some(Broken::ProbeRunCutShort));
    }

    #[test]
    fn a_published_liveness_failure_left_running_is_caught() {
        let (m, mut s) = running();
        // `app` runs its postStart hook: the supervisor may not act yet.
        let case = &m.cases[0];
        s.ctrs[0].streaks[probe_slot(ProbeKind::Liveness)].failures = 1;
        Run {
            m: &m,
            case,
            s: &mut s,
        }
        .check_probe_failures_acted_on();
        assert_eq!(s.broken, None);
        let s = m.next_state(&s, Step::Hook(true)).unwrap();
        assert_eq!(s.broken, None);
        let mut s = s;
        s.ctrs[0].streaks[probe_slot(ProbeKind::Liveness)].failures = 1;
        Run {
            m: &m,
            case,
            s: &mut s,
        }
        .check_probe_failures_acted_on();
        assert_eq!(s.broken, Some(Broken::ProbeFailureIgnored));
    }

    #[test]
    fn readiness_before_the_startup_probe_passed_or_after_the_exit_is_caught() {
        // The small set's gated pod: startup, liveness and readiness probes.
        let m = SupervisorModel::small(2, Duration::from_secs(5));
        let s = m.initial(4);
        let mut s = m.next_state(&s, Step::Started(0)).unwrap();
        assert_eq!(s.broken, None);
        let ready = Event::Ready {
            container: "app".into(),
            ready: true,
        };
        s.ctrs[0].streaks[probe_slot(ProbeKind::Readiness)].successes = 1;
        let mut early = s.clone();
        assert_eq!(observe(&m, &mut early, &ready), Some(Broken::ReadyTooSoon));
        // Once the pod is being deleted the startup probe counts as passed.
        let mut deleting = s.clone();
        deleting.deleting = true;
        assert_eq!(observe(&m, &mut deleting, &ready), None);
        s.ctrs[0].streaks[probe_slot(ProbeKind::Startup)].successes = 1;
        assert_eq!(observe(&m, &mut s, &ready), None);
        assert!(s.ctrs[0].ready);
        // Still ready once it exited: the supervisor never said otherwise.
        s.ctrs[0].proc = Proc::Absent;
        let case = &m.cases[4];
        Run {
            m: &m,
            case,
            s: &mut s,
        }
        .drain();
        assert_eq!(s.broken, Some(Broken::ReadyAfterExit));
    }

    #[test]
    fn a_back_off_after_a_long_run_is_caught() {
        // The small set's pod with sleep and httpGet hooks under OnFailure.
        let m = SupervisorModel::small(2, Duration::from_secs(5));
        let mut s = m.next_state(&m.initial(5), Step::Started(0)).unwrap();
        let restarting = |secs| Event::Restarting {
            container: "app".into(),
            after: Duration::from_secs(secs),
        };
        s.ctrs[0].last_run = Duration::from_secs(599);
        assert_eq!(observe(&m, &mut s, &restarting(10)), None);
        s.ctrs[0].last_run = LONG_WAIT;
        s.ctrs[0].starts = 2;
        assert_eq!(observe(&m, &mut s, &restarting(0)), None);
        assert!(s.seen.backoff_reset);
        assert_eq!(
            observe(&m, &mut s, &restarting(10)),
            Some(Broken::BackoffNotReset)
        );
    }

    #[test]
    fn a_record_a_later_daemon_does_not_keep_is_caught() {
        let m = SupervisorModel::small(2, Duration::from_secs(5));
        // The small set's Hyper pair under OnFailure, kept as Succeeded.
        let mut s = m.initial(1);
        s.sup = None;
        s.record = Some(Record::Kept(FinalStatus::Succeeded));
        let case = &m.cases[1];
        Run {
            m: &m,
            case,
            s: &mut s,
        }
        .recover_record(DaemonExit::Hangup);
        assert_eq!(s.broken, None);
        assert_eq!(s.record, Some(Record::Kept(FinalStatus::Succeeded)));
        s.record = Some(Record::Stopped);
        Run {
            m: &m,
            case,
            s: &mut s,
        }
        .recover_record(DaemonExit::Terminate);
        assert_eq!(s.broken, None);
    }

    /// The small set's sleeper pod (two sleep preStop hooks, 1 s and 2 s, grace 2 s,
    /// deadline 1 s) with both containers running.
    fn sleeper() -> (SupervisorModel, SupState) {
        let m = SupervisorModel::small(2, Duration::from_secs(5));
        let s = m.initial(7);
        assert_eq!(m.cases[7].active_deadline(), Some(Duration::from_secs(1)));
        let s = m.next_state(&s, Step::Started(0)).unwrap();
        let s = m.next_state(&s, Step::Started(1)).unwrap();
        assert_eq!(s.broken, None);
        (m, s)
    }

    #[test]
    fn the_deadline_stops_the_pod_and_a_sleep_pre_stop_holds_the_stop() {
        let (m, s) = sleeper();
        let s = m.next_state(&s, Step::Advance).unwrap();
        assert_eq!(s.now, Millis(1_000));
        assert_eq!(s.stop_cause, Some(StopCause::Deadline));
        assert_eq!(s.broken, None);
        assert_eq!(s.sup.as_ref().unwrap().phase(), PodPhase::Failed);
        // app's preStop sleeps 1 s: no stop signal before it ends.
        assert_eq!(s.hook.map(|(c, h, _)| (c, h)), Some((APP, Hook::PreStop)));
        assert_eq!(s.ctrs[0].proc, Proc::Running);
        let s = m.next_state(&s, Step::SleepEnds).unwrap();
        assert_eq!(s.now, Millis(2_000));
        assert_eq!(s.ctrs[0].proc, Proc::Stopping);
        assert!(s.seen.sleep_held_stop);
        assert_eq!(s.broken, None);
    }

    #[test]
    fn a_start_after_the_pods_end_began_is_caught() {
        let start = Action::Start { container: APP };
        // The small set's pod with sleep and httpGet hooks under OnFailure: `app` may start
        // again.
        let m = SupervisorModel::small(2, Duration::from_secs(5));
        let restartable = m.next_state(&m.initial(5), Step::Started(0)).unwrap();
        for cause in [StopCause::Deadline, StopCause::Interrupt] {
            let mut s = restartable.clone();
            s.ctrs[0].proc = Proc::Absent;
            assert_eq!(perform(&m, &mut s.clone(), start.clone()), None);
            s.stop_cause = Some(cause);
            assert_eq!(
                perform(&m, &mut s, start.clone()),
                Some(Broken::StartAfterStop)
            );
        }
        let mut s = restartable;
        s.user = User::Deleted;
        let recreate = Action::RecreateSandbox {
            after: Duration::ZERO,
        };
        s.ctrs[0].proc = Proc::Absent;
        assert_eq!(perform(&m, &mut s, recreate), Some(Broken::StartAfterStop));
    }

    #[test]
    fn a_wrong_outcome_for_the_deadline_is_caught() {
        let succeeded = finished();
        let deadline = Outcome {
            status: FinalStatus::Failed,
            failed: None,
            deadline_exceeded: true,
            ..succeeded.clone()
        };
        let (m, mut s) = sleeper();
        s.ctrs = vec![Ctr::NEW; 2];
        // The deadline ran out first: only a DeadlineExceeded outcome is right.
        s.stop_cause = Some(StopCause::Deadline);
        let mut ok = s.clone();
        assert_eq!(perform(&m, &mut ok, Action::Finish(deadline.clone())), None);
        assert!(ok.seen.deadline_exceeded);
        let mut wrong = s.clone();
        let failed = Outcome {
            deadline_exceeded: false,
            ..deadline.clone()
        };
        assert_eq!(
            perform(&m, &mut wrong, Action::Finish(failed)),
            Some(Broken::DeadlineOutcome)
        );
        let mut wrong = s.clone();
        let interrupted = Outcome {
            interrupted: true,
            ..deadline.clone()
        };
        assert_eq!(
            perform(&m, &mut wrong, Action::Finish(interrupted)),
            Some(Broken::DeadlineOutcome)
        );
        // An interrupt came first: the deadline does not name the end.
        s.stop_cause = Some(StopCause::Interrupt);
        let mut wrong = s.clone();
        assert_eq!(
            perform(&m, &mut wrong, Action::Finish(deadline)),
            Some(Broken::DeadlineOutcome)
        );
        let event = Event::DeadlineExceeded {
            after: Duration::from_secs(1),
        };
        assert_eq!(observe(&m, &mut s, &event), Some(Broken::DeadlineOutcome));
    }

    #[test]
    fn a_probe_run_with_another_handler_is_caught() {
        let (m, mut s) = running();
        s.hook = None;
        s.probes.clear();
        let run = |handler| Action::RunProbe {
            container: APP,
            probe: ProbeId(7),
            kind: ProbeKind::Liveness,
            handler,
            timeout: Duration::from_secs(1),
        };
        let exec = ProbeHandler::Exec {
            command: vec!["true".into()],
        };
        assert_eq!(perform(&m, &mut s.clone(), run(exec)), None);
        let other = ProbeHandler::Exec {
            command: vec!["false".into()],
        };
        assert_eq!(
            perform(&m, &mut s, run(other)),
            Some(Broken::WrongProbeHandler)
        );
    }

    #[test]
    fn unready_before_the_readiness_failure_threshold_is_caught() {
        // The small set's network pod: a gRPC readiness probe, two failures make it unready.
        let m = SupervisorModel::small(2, Duration::from_secs(5));
        let s = m.initial(8);
        let mut s = m.next_state(&s, Step::Started(0)).unwrap();
        assert_eq!(s.broken, None);
        s.ctrs[0].ready = true;
        let unready = Event::Ready {
            container: "app".into(),
            ready: false,
        };
        let slot = probe_slot(ProbeKind::Readiness);
        s.ctrs[0].streaks[slot].failures = 2;
        assert_eq!(observe(&m, &mut s.clone(), &unready), None);
        s.ctrs[0].streaks[slot].failures = 1;
        assert_eq!(
            observe(&m, &mut s.clone(), &unready),
            Some(Broken::UnreadyTooSoon)
        );
        // Once it no longer runs, it is unready whatever its probe said.
        s.ctrs[0].proc = Proc::Absent;
        assert_eq!(observe(&m, &mut s, &unready), None);
    }

    #[test]
    fn a_stop_signal_during_a_sleep_pre_stop_or_past_the_grace_period_is_caught() {
        let (m, s) = sleeper();
        let stop = Action::Signal {
            container: APP,
            signal: 15,
        };
        // app's preStop (sleep 1 s, grace 2 s) asked for at 0 s.
        let at = |ms| {
            let mut s = s.clone();
            s.ctrs[0].pre_stop_at = Some(Millis::ZERO);
            s.now = Millis(ms);
            s
        };
        assert_eq!(
            perform(&m, &mut at(999), stop.clone()),
            Some(Broken::StopDuringPreStopSleep)
        );
        let mut held = at(1_000);
        assert_eq!(perform(&m, &mut held, stop.clone()), None);
        assert!(held.seen.sleep_held_stop);
        assert_eq!(perform(&m, &mut at(2_000), stop.clone()), None);
        assert_eq!(
            perform(&m, &mut at(2_001), stop),
            Some(Broken::PreStopPastGrace)
        );
    }
}
