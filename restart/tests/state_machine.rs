//! `proptest-state-machine` test of `PodTracker` against a deliberately naive reference model.
//!
//! The model is written from the prose (spec/kubernetes.md sections 2 and 4, DESIGN.md, the
//! tracker's documented rules), not from the tracker's code, for a smaller domain: 1 to 3
//! regular containers, any pod and container policies (no rules), container or pod scope, either
//! origin, postStart and preStop hooks or not. It keeps plain counters where the crate keeps
//! entries: CrashLoopBackOff is "the k-th restart in a streak waits min(10 s * 2^(k-1), 300 s),
//! and a streak ends when a run lasts more than 600 s". Time advances are transitions.
//!
//! After every transition the actions drained from the tracker must equal, in order, the
//! actions the model predicts, and every container's state must match the model's.

use std::time::Duration;

use phase::{ContainerId, ContainerSpec, Millis, PodSpec, RestartPolicy};
use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use restart::{
    Action, Event, FinalStatus, Hook, HookOutcome, Hooks, KillCause, PodConfig, PodOrigin,
    PodTracker, ProbeKind, RestartScope, RunState, Signal,
};

const GRACE_MS: u64 = 5_000;
const HOOK_MS: u64 = 3_000;
const MIN_GRACE_MS: u64 = 2_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum How {
    Own,
    Failed,
    Stopped,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ending {
    Finished,
    Stop,
    Delete,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    Pending,
    BackOff(u64),
    Starting,
    PostStart(u64),
    Running(u64),
    PreStop(KillCause, u64),
    Stopping(KillCause, u64),
    Killed(KillCause),
    Done,
}

impl St {
    fn live(self) -> bool {
        matches!(
            self,
            Self::Starting
                | Self::PostStart(_)
                | Self::Running(_)
                | Self::PreStop(..)
                | Self::Stopping(..)
                | Self::Killed(_)
        )
    }
}

#[derive(Clone, Debug)]
struct C {
    own: Option<RestartPolicy>,
    post_start: bool,
    pre_stop: bool,
    st: St,
    want_stop: Option<KillCause>,
    streak: u32,
    last_restart: Option<u64>,
    restarts: u32,
    exit: Option<(How, i32)>,
}

#[derive(Clone, Debug)]
struct Model {
    policy: RestartPolicy,
    scope: RestartScope,
    origin: PodOrigin,
    now: u64,
    c: Vec<C>,
    hook: Option<(usize, Hook, u64)>,
    starting: Option<usize>,
    ending: Option<Ending>,
    recreate_due: Option<u64>,
    finished: Option<Action>,
    pod_streak: u32,
    pod_last: Option<u64>,
    expected: Vec<Action>,
}

#[derive(Clone, Copy, Debug)]
enum T {
    Started(usize),
    Exited(usize, i32),
    Probe(usize),
    Dependency(usize),
    HookDone(bool),
    Stop,
    Delete,
    Advance(u64),
}

/// The naive backoff: how long the restart after an exit at `exit` waits.
fn naive_delay(streak: u32, last_restart: Option<u64>, exit: u64) -> u64 {
    match last_restart {
        Some(last) if exit.saturating_sub(last) <= 600_000 => {
            let k = streak.clamp(1, 10);
            (10_000u64 << (k - 1)).min(300_000)
        }
        _ => 0,
    }
}

fn naive_restart(streak: &mut u32, last_restart: &mut Option<u64>, now: u64) {
    match *last_restart {
        Some(last) if now.saturating_sub(last) <= 600_000 => *streak += 1,
        _ => *streak = 1,
    }
    *last_restart = Some(now);
}

fn id(i: usize) -> ContainerId {
    ContainerId::regular(i)
}

fn how_of(cause: KillCause) -> How {
    match cause {
        KillCause::PodFinished | KillCause::PodStopped | KillCause::PodDeleted => How::Stopped,
        _ => How::Failed,
    }
}

fn pod_ending(cause: KillCause) -> bool {
    matches!(
        cause,
        KillCause::PodFinished | KillCause::PodStopped | KillCause::PodDeleted
    )
}

impl Model {
    fn out(&mut self, a: Action) {
        self.expected.push(a);
    }

    fn ask_stop(&mut self, i: usize, cause: KillCause) {
        let c = &mut self.c[i];
        if !matches!(c.st, St::Starting | St::PostStart(_) | St::Running(_)) {
            return;
        }
        match c.want_stop {
            None => c.want_stop = Some(cause),
            Some(old) if pod_ending(cause) && !pod_ending(old) => c.want_stop = Some(cause),
            Some(_) => {}
        }
    }

    fn begin_ending(&mut self, e: Ending) {
        self.ending = Some(self.ending.map_or(e, |old| old.max(e)));
        self.recreate_due = None;
        let cause = match e {
            Ending::Finished => KillCause::PodFinished,
            Ending::Stop => KillCause::PodStopped,
            Ending::Delete => KillCause::PodDeleted,
        };
        for i in 0..self.c.len() {
            if matches!(self.c[i].st, St::Pending | St::BackOff(_)) {
                self.c[i].st = St::Done;
            }
            self.ask_stop(i, cause);
        }
    }

    fn exited(&mut self, i: usize, how: How, code: i32) {
        if self.starting == Some(i) {
            self.starting = None;
        }
        let now = self.now;
        let c = &mut self.c[i];
        c.want_stop = None;
        c.exit = Some((how, code));
        let policy = c.own.unwrap_or(self.policy);
        let restart = self.ending.is_none()
            && self.finished.is_none()
            && self.recreate_due.is_none()
            && match how {
                How::Stopped => false,
                How::Failed => policy != RestartPolicy::Never,
                How::Own => match policy {
                    RestartPolicy::Always => true,
                    RestartPolicy::OnFailure => code != 0,
                    RestartPolicy::Never => false,
                },
            };
        if restart && self.scope == RestartScope::Container {
            let after = naive_delay(c.streak, c.last_restart, now);
            c.st = St::BackOff(now + after);
            self.out(Action::RestartAfter {
                container: id(i),
                after: Duration::from_millis(after),
            });
        } else {
            c.st = St::Done;
        }
    }

    fn finish_hook(&mut self, ok: bool) {
        let Some((i, hook, _)) = self.hook.take() else {
            return;
        };
        let now = self.now;
        match (hook, self.c[i].st) {
            (Hook::PostStart, St::PostStart(started)) => {
                self.c[i].st = St::Running(started);
                if !ok {
                    self.ask_stop(i, KillCause::PostStartHook);
                }
            }
            (Hook::PreStop, St::PreStop(cause, since)) => {
                let spent = now - since;
                let grace = if spent == 0 {
                    GRACE_MS
                } else {
                    GRACE_MS.saturating_sub(spent).max(MIN_GRACE_MS)
                };
                self.out(Action::KillContainer {
                    container: id(i),
                    signal: Signal::Stop,
                    grace: Duration::from_millis(grace),
                    cause,
                });
                self.c[i].st = St::Stopping(cause, now + grace);
            }
            _ => {}
        }
    }

    fn finish_pod(&mut self, e: Ending) {
        // Kubernetes' getPhase: the exit code alone decides, however the run ended.
        let ok = self.c.iter().all(|c| matches!(c.exit, Some((_, 0))));
        let status = FinalStatus::from_success(ok);
        let recreate = e == Ending::Finished
            && self.scope == RestartScope::Pod
            && match self.policy {
                RestartPolicy::Always => true,
                RestartPolicy::OnFailure => !ok,
                RestartPolicy::Never => false,
            };
        if recreate {
            let after = naive_delay(self.pod_streak, self.pod_last, self.now);
            self.out(Action::RecreatePod {
                after: Duration::from_millis(after),
            });
            self.recreate_due = Some(self.now + after);
            self.ending = None;
            return;
        }
        let action = if e == Ending::Delete || self.origin == PodOrigin::Kubernetes {
            Action::DeletePod
        } else {
            Action::KeepPod { status }
        };
        self.out(action);
        self.finished = Some(action);
        self.ending = None;
    }

    /// Everything that happens without outside help, in the documented order.
    fn settle(&mut self) {
        let now = self.now;
        for i in 0..self.c.len() {
            if let St::Stopping(cause, kill_at) = self.c[i].st
                && kill_at <= now
            {
                self.out(Action::KillContainer {
                    container: id(i),
                    signal: Signal::Kill,
                    grace: Duration::ZERO,
                    cause,
                });
                self.c[i].st = St::Killed(cause);
            }
        }
        if self.hook.is_some_and(|(_, _, deadline)| deadline <= now) {
            self.finish_hook(false);
        }
        // A hook puts off the pod's stops, not its end (the tracker's "The pod's end while a
        // hook runs").
        if self.hook.is_some()
            && self.finished.is_none()
            && self.ending.is_none()
            && self.recreate_due.is_none()
            && self.c.iter().all(|c| c.st == St::Done)
        {
            self.begin_ending(Ending::Finished);
        }
        while self.finished.is_none() && self.hook.is_none() && self.step() {}
    }

    fn step(&mut self) -> bool {
        let now = self.now;
        // The pod ends when every container is done; an ending pod finishes when nothing lives.
        if self.recreate_due.is_none() {
            match self.ending {
                None if self.c.iter().all(|c| c.st == St::Done) => {
                    self.begin_ending(Ending::Finished);
                    return true;
                }
                Some(e) if self.starting.is_none() && !self.c.iter().any(|c| c.st.live()) => {
                    self.finish_pod(e);
                    return true;
                }
                _ => {}
            }
        }
        // Stops first, lowest container first.
        if let Some(i) = (0..self.c.len()).find(|&i| {
            self.c[i].want_stop.is_some()
                && matches!(self.c[i].st, St::Running(_) | St::PostStart(_))
        }) {
            let cause = self.c[i].want_stop.take().expect("found");
            if self.c[i].pre_stop {
                self.c[i].st = St::PreStop(cause, now);
                self.hook = Some((i, Hook::PreStop, now + HOOK_MS));
                self.out(Action::RunHook {
                    container: id(i),
                    hook: Hook::PreStop,
                    reason: Some(cause.reason()),
                    timeout: Duration::from_millis(HOOK_MS),
                });
            } else {
                self.out(Action::KillContainer {
                    container: id(i),
                    signal: Signal::Stop,
                    grace: Duration::from_millis(GRACE_MS),
                    cause,
                });
                self.c[i].st = St::Stopping(cause, now + GRACE_MS);
            }
            return true;
        }
        if let Some(due) = self.recreate_due {
            if due > now {
                return false;
            }
            naive_restart(&mut self.pod_streak, &mut self.pod_last, now);
            self.recreate_due = None;
            for c in &mut self.c {
                c.st = St::Pending;
                c.want_stop = None;
                c.exit = None;
            }
            return true;
        }
        if self.ending.is_some() || self.starting.is_some() {
            return false;
        }
        // A started container's postStart.
        if let Some(i) = (0..self.c.len()).find(|&i| matches!(self.c[i].st, St::PostStart(_))) {
            self.hook = Some((i, Hook::PostStart, now + HOOK_MS));
            self.out(Action::RunHook {
                container: id(i),
                hook: Hook::PostStart,
                reason: None,
                timeout: Duration::from_millis(HOOK_MS),
            });
            return true;
        }
        // Due restarts first, then first starts, lowest container first; one at a time.
        let due = (0..self.c.len()).find(|&i| matches!(self.c[i].st, St::BackOff(d) if d <= now));
        let pending = (0..self.c.len()).find(|&i| self.c[i].st == St::Pending);
        let Some(i) = due.or(pending) else {
            return false;
        };
        if due.is_some() {
            let c = &mut self.c[i];
            naive_restart(&mut c.streak, &mut c.last_restart, now);
            c.restarts += 1;
        }
        self.c[i].st = St::Starting;
        self.starting = Some(i);
        self.out(Action::StartContainer { container: id(i) });
        true
    }

    fn apply(&mut self, t: T) {
        self.expected.clear();
        match t {
            T::Started(i) => {
                self.starting = None;
                let now = self.now;
                self.c[i].st = if self.c[i].post_start {
                    St::PostStart(now)
                } else {
                    St::Running(now)
                };
            }
            T::Exited(i, code) => {
                // An exit while the preStop hook runs came before any signal: by itself.
                let how = match self.c[i].st {
                    St::Stopping(cause, _) | St::Killed(cause) => how_of(cause),
                    _ => How::Own,
                };
                self.exited(i, how, code);
            }
            T::Probe(i) => {
                if self.hook.is_none()
                    && self.ending.is_none()
                    && self.recreate_due.is_none()
                    && self.finished.is_none()
                {
                    self.ask_stop(i, KillCause::LivenessProbe);
                }
            }
            T::Dependency(i) => {
                if self.ending.is_none() && self.recreate_due.is_none() && self.finished.is_none() {
                    self.ask_stop(i, KillCause::DependencyLost);
                }
            }
            T::HookDone(ok) => self.finish_hook(ok),
            T::Stop => {
                if self.finished.is_none() {
                    self.begin_ending(Ending::Stop);
                }
            }
            T::Delete => match self.finished {
                Some(Action::KeepPod { .. }) => {
                    self.out(Action::DeletePod);
                    self.finished = Some(Action::DeletePod);
                }
                Some(_) => {}
                None => self.begin_ending(Ending::Delete),
            },
            T::Advance(ms) => self.now += ms,
        }
        self.settle();
    }
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = T;

    fn init_state() -> BoxedStrategy<Model> {
        let container = (
            prop::option::weighted(0.3, prop::sample::select(RestartPolicy::ALL.to_vec())),
            any::<bool>(),
            any::<bool>(),
        );
        (
            prop::sample::select(RestartPolicy::ALL.to_vec()),
            prop::sample::select(RestartScope::ALL.to_vec()),
            prop::sample::select(PodOrigin::ALL.to_vec()),
            prop::collection::vec(container, 1..=3),
        )
            .prop_map(|(policy, scope, origin, cs)| {
                let mut m = Model {
                    policy,
                    scope,
                    origin,
                    now: 0,
                    c: cs
                        .into_iter()
                        .map(|(own, post_start, pre_stop)| C {
                            own,
                            post_start,
                            pre_stop,
                            st: St::Pending,
                            want_stop: None,
                            streak: 0,
                            last_restart: None,
                            restarts: 0,
                            exit: None,
                        })
                        .collect(),
                    hook: None,
                    starting: None,
                    ending: None,
                    recreate_due: None,
                    finished: None,
                    pod_streak: 0,
                    pod_last: None,
                    expected: Vec::new(),
                };
                m.settle();
                m
            })
            .boxed()
    }

    fn transitions(m: &Model) -> BoxedStrategy<T> {
        let n = m.c.len();
        let advance = prop::sample::select(vec![
            1u64, 1_000, 2_000, 3_000, 5_000, 10_000, 60_000, 300_000, 700_000,
        ])
        .prop_map(T::Advance);
        if m.finished.is_some() {
            return prop_oneof![4 => advance, 1 => Just(T::Delete)].boxed();
        }
        let live: Vec<usize> = (0..n).filter(|&i| m.c[i].st.live()).collect();
        let starting: Vec<usize> = (0..n).filter(|&i| m.c[i].st == St::Starting).collect();
        let mut options: Vec<(u32, BoxedStrategy<T>)> = vec![
            (4, advance.boxed()),
            (1, (0..n).prop_map(T::Probe).boxed()),
            (1, (0..n).prop_map(T::Dependency).boxed()),
            (1, Just(T::Stop).boxed()),
            (1, Just(T::Delete).boxed()),
        ];
        if !live.is_empty() {
            let exit = (
                prop::sample::select(live),
                prop::sample::select(vec![0, 1, 137]),
            )
                .prop_map(|(i, code)| T::Exited(i, code));
            options.push((4, exit.boxed()));
        }
        if !starting.is_empty() {
            options.push((
                6,
                prop::sample::select(starting).prop_map(T::Started).boxed(),
            ));
        }
        if m.hook.is_some() {
            options.push((6, any::<bool>().prop_map(T::HookDone).boxed()));
        }
        prop::strategy::Union::new_weighted(options).boxed()
    }

    fn preconditions(m: &Model, t: &T) -> bool {
        match *t {
            T::Started(i) => {
                m.finished.is_none() && m.c.get(i).is_some_and(|c| c.st == St::Starting)
            }
            T::Exited(i, _) => m.finished.is_none() && m.c.get(i).is_some_and(|c| c.st.live()),
            T::Probe(i) | T::Dependency(i) => m.finished.is_none() && i < m.c.len(),
            T::HookDone(_) => m.finished.is_none() && m.hook.is_some(),
            T::Stop => m.finished.is_none(),
            T::Delete => m.finished != Some(Action::DeletePod),
            T::Advance(_) => true,
        }
    }

    fn apply(mut m: Model, t: &T) -> Model {
        m.apply(*t);
        m
    }
}

struct TrackerTest;

fn config_of(m: &Model) -> PodConfig {
    let spec =
        m.c.iter()
            .enumerate()
            .fold(PodSpec::new(m.policy), |p, (i, c)| {
                let mut s = ContainerSpec::new(format!("c{i}"));
                s.restart_policy = c.own;
                p.with_container(s)
            });
    let mut cfg = PodConfig::new(spec)
        .with_scope(m.scope)
        .with_origin(m.origin)
        .with_grace_period(Duration::from_millis(GRACE_MS));
    for (i, c) in m.c.iter().enumerate() {
        let mut h = Hooks::none();
        if c.post_start {
            h = h.with(Hook::PostStart, Duration::from_millis(HOOK_MS));
        }
        if c.pre_stop {
            h = h.with(Hook::PreStop, Duration::from_millis(HOOK_MS));
        }
        cfg = cfg.with_hooks(id(i), h);
    }
    cfg
}

fn drain(t: &mut PodTracker) -> Vec<Action> {
    std::iter::from_fn(|| t.poll_action()).collect()
}

impl StateMachineTest for TrackerTest {
    type SystemUnderTest = PodTracker;
    type Reference = Reference;

    fn init_test(m: &Model) -> PodTracker {
        let mut t = PodTracker::new(config_of(m), Millis::ZERO);
        assert_eq!(drain(&mut t), m.expected, "initial actions");
        t
    }

    fn apply(mut t: PodTracker, m: &Model, transition: T) -> PodTracker {
        let now = Millis(m.now);
        let hook = t.active_hook();
        let r = match transition {
            T::Started(i) => t.handle(Event::Started { container: id(i) }, now),
            T::Exited(i, code) => t.handle(
                Event::Exited {
                    container: id(i),
                    code,
                },
                now,
            ),
            T::Probe(i) => t.handle(
                Event::ProbeFailed {
                    container: id(i),
                    probe: ProbeKind::Liveness,
                },
                now,
            ),
            T::Dependency(i) => t.handle(Event::DependencyLost { container: id(i) }, now),
            T::HookDone(ok) => {
                let h = hook.expect("precondition: a hook runs");
                let outcome = if ok {
                    HookOutcome::Succeeded
                } else {
                    HookOutcome::Failed
                };
                t.handle(
                    Event::HookFinished {
                        container: h.container,
                        hook: h.hook,
                        outcome,
                    },
                    now,
                )
            }
            T::Stop => t.handle(Event::Stop { grace: None }, now),
            T::Delete => t.handle(Event::Delete { grace: None }, now),
            T::Advance(_) => t.handle(Event::Tick, now),
        };
        assert_eq!(r, Ok(()), "{transition:?}");
        assert_eq!(
            drain(&mut t),
            m.expected,
            "actions after {transition:?} at {now}"
        );
        t
    }

    fn check_invariants(t: &PodTracker, m: &Model) {
        assert_eq!(t.now(), Millis(m.now));
        assert_eq!(t.is_finished(), m.finished.is_some());
        assert_eq!(
            t.active_hook().map(|h| (h.container, h.hook)),
            m.hook.map(|(i, h, _)| (id(i), h))
        );
        for (i, c) in m.c.iter().enumerate() {
            let want = match c.st {
                St::Pending => RunState::Pending,
                St::BackOff(due) => RunState::BackOff { due: Millis(due) },
                St::Starting => RunState::Starting,
                St::PostStart(s) => RunState::PostStart {
                    hook: Hook::PostStart,
                    started_at: Millis(s),
                },
                St::Running(s) => RunState::Running {
                    started_at: Millis(s),
                },
                St::PreStop(cause, since) => RunState::PreStop {
                    cause,
                    grace: Duration::from_millis(GRACE_MS),
                    since: Millis(since),
                },
                St::Stopping(cause, kill_at) => RunState::Stopping {
                    cause,
                    kill_at: Millis(kill_at),
                },
                St::Killed(cause) => RunState::Killed { cause },
                St::Done => RunState::Done,
            };
            assert_eq!(t.run_state(id(i)), Some(want), "container {i}");
            assert_eq!(t.restart_count(id(i)), Some(c.restarts), "restarts of {i}");
        }
        // Never (with no container-level override) restarts nothing.
        if m.policy == RestartPolicy::Never && m.c.iter().all(|c| c.own.is_none()) {
            assert!(m.c.iter().all(|c| c.restarts == 0));
        }
        // A snapshot round-trips at every step.
        let snap = t.state();
        assert_eq!(PodTracker::from_state(&snap).map(|b| b.state()), Ok(snap));
    }
}

prop_state_machine! {
    #![proptest_config(ProptestConfig { cases: 512, max_shrink_iters: 20_000, ..ProptestConfig::default() })]

    #[test]
    fn tracker_matches_the_reference_model(sequential 1..60 => TrackerTest);
}
