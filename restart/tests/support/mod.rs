//! A deterministic simulation harness for `PodTracker` (STYLE.md H16): a virtual clock, a
//! scripted fake runtime, and a log of every action with the time it was asked for. Nothing
//! sleeps: the clock jumps to the next event or deadline.
#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use phase::ContainerId;
use restart::{Action, Event, Hook, HookOutcome, Millis, PodConfig, PodTracker, Signal};

/// How one run of a container behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunScript {
    /// Time from `StartContainer` to `Started`. `None`: it fails to start and exits at once
    /// with `start_failure_code`.
    pub start_delay: Option<Duration>,
    /// Exit code when it cannot start.
    pub start_failure_code: i32,
    /// It exits by itself this long after starting, with this code. `None`: it runs forever.
    pub exits_after: Option<(Duration, i32)>,
    /// On the stop signal it exits this long after, with this code. `None`: it ignores it.
    pub on_stop: Option<(Duration, i32)>,
}

impl RunScript {
    /// Starts at once, runs forever, exits 143 at once on the stop signal.
    pub const FOREVER: Self = Self {
        start_delay: Some(Duration::ZERO),
        start_failure_code: 128,
        exits_after: None,
        on_stop: Some((Duration::ZERO, 143)),
    };

    /// Starts at once and exits with `code` after `after`.
    pub const fn exits(after: Duration, code: i32) -> Self {
        Self {
            exits_after: Some((after, code)),
            ..Self::FOREVER
        }
    }

    /// Ignores the stop signal (only SIGKILL ends it).
    pub const fn ignoring_stop(mut self) -> Self {
        self.on_stop = None;
        self
    }
}

/// How one hook run behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HookScript {
    /// How long it takes. `None`: it never answers (the tracker times it out).
    pub takes: Option<Duration>,
    /// What it reports.
    pub outcome: HookOutcome,
}

impl HookScript {
    /// Succeeds at once.
    pub const OK: Self = Self {
        takes: Some(Duration::ZERO),
        outcome: HookOutcome::Succeeded,
    };
    /// Fails at once.
    pub const FAIL: Self = Self {
        takes: Some(Duration::ZERO),
        outcome: HookOutcome::Failed,
    };
    /// Never answers.
    pub const HANG: Self = Self {
        takes: None,
        outcome: HookOutcome::Succeeded,
    };

    /// Succeeds after `d`.
    pub const fn ok_after(d: Duration) -> Self {
        Self {
            takes: Some(d),
            outcome: HookOutcome::Succeeded,
        }
    }
}

/// The fake runtime's script: per container a queue of runs (the last one repeats), per hook a
/// queue of hook behaviours (the last one repeats; default: succeed at once).
#[derive(Clone, Debug, Default)]
pub struct Script {
    pub runs: BTreeMap<ContainerId, VecDeque<RunScript>>,
    pub hooks: BTreeMap<(ContainerId, Hook), VecDeque<HookScript>>,
}

impl Script {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn runs(mut self, c: ContainerId, runs: impl IntoIterator<Item = RunScript>) -> Self {
        self.runs.insert(c, runs.into_iter().collect());
        self
    }

    pub fn hook(
        mut self,
        c: ContainerId,
        h: Hook,
        scripts: impl IntoIterator<Item = HookScript>,
    ) -> Self {
        self.hooks.insert((c, h), scripts.into_iter().collect());
        self
    }

    fn next_run(&mut self, c: ContainerId) -> RunScript {
        next_of(self.runs.get_mut(&c), RunScript::FOREVER)
    }

    fn next_hook(&mut self, c: ContainerId, h: Hook) -> HookScript {
        next_of(self.hooks.get_mut(&(c, h)), HookScript::OK)
    }
}

fn next_of<T: Copy>(q: Option<&mut VecDeque<T>>, default: T) -> T {
    match q {
        Some(q) if q.len() > 1 => q.pop_front().unwrap_or(default),
        Some(q) => q.front().copied().unwrap_or(default),
        None => default,
    }
}

/// One entry of the interleaved trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trace {
    /// The tracker asked for this.
    Action(Millis, Action),
    /// This was handed to the tracker.
    Event(Millis, Event),
}

/// A runtime event waiting to be delivered. `generation` ties container events to one run.
#[derive(Clone, Copy, Debug)]
struct Pending {
    at: Millis,
    seq: u64,
    generation: Option<(ContainerId, u64)>,
    event: Event,
}

/// The simulation.
pub struct Sim {
    pub tracker: PodTracker,
    pub now: Millis,
    /// Every action, with the time it came out.
    pub log: Vec<(Millis, Action)>,
    /// Every event delivered, with its time.
    pub events: Vec<(Millis, Event)>,
    /// Actions and delivered events interleaved, in the order they happened.
    pub trace: Vec<Trace>,
    script: Script,
    pending: Vec<Pending>,
    seq: u64,
    generation: BTreeMap<ContainerId, u64>,
    current_run: BTreeMap<ContainerId, RunScript>,
}

impl Sim {
    /// A pod started at time zero.
    pub fn new(config: PodConfig, script: Script) -> Self {
        let tracker = PodTracker::new(config, Millis::ZERO);
        let mut sim = Self {
            tracker,
            now: Millis::ZERO,
            log: Vec::new(),
            events: Vec::new(),
            trace: Vec::new(),
            script,
            pending: Vec::new(),
            seq: 0,
            generation: BTreeMap::new(),
            current_run: BTreeMap::new(),
        };
        sim.drain();
        sim
    }

    fn schedule(&mut self, after: Duration, generation: Option<(ContainerId, u64)>, event: Event) {
        self.seq += 1;
        self.pending.push(Pending {
            at: self.now.saturating_add(after),
            seq: self.seq,
            generation,
            event,
        });
    }

    fn gen_of(&self, c: ContainerId) -> u64 {
        self.generation.get(&c).copied().unwrap_or(0)
    }

    /// Carries out every action the tracker has.
    fn drain(&mut self) {
        while let Some(action) = self.tracker.poll_action() {
            self.log.push((self.now, action));
            self.trace.push(Trace::Action(self.now, action));
            self.perform(action);
        }
    }

    fn perform(&mut self, action: Action) {
        match action {
            Action::StartContainer { container } => {
                let g = self.gen_of(container) + 1;
                self.generation.insert(container, g);
                let run = self.script.next_run(container);
                self.current_run.insert(container, run);
                let tag = Some((container, g));
                match run.start_delay {
                    Some(d) => {
                        self.schedule(d, tag, Event::Started { container });
                        if let Some((after, code)) = run.exits_after {
                            self.schedule(d + after, tag, Event::Exited { container, code });
                        }
                    }
                    None => self.schedule(
                        Duration::ZERO,
                        tag,
                        Event::Exited {
                            container,
                            code: run.start_failure_code,
                        },
                    ),
                }
            }
            Action::KillContainer {
                container, signal, ..
            } => {
                let tag = Some((container, self.gen_of(container)));
                match signal {
                    Signal::Kill => self.schedule(
                        Duration::ZERO,
                        tag,
                        Event::Exited {
                            container,
                            code: 137,
                        },
                    ),
                    Signal::Stop => {
                        if let Some((d, code)) =
                            self.current_run.get(&container).and_then(|r| r.on_stop)
                        {
                            self.schedule(d, tag, Event::Exited { container, code });
                        }
                    }
                }
            }
            Action::RunHook {
                container, hook, ..
            } => {
                let s = self.script.next_hook(container, hook);
                if let Some(d) = s.takes {
                    self.schedule(
                        d,
                        None,
                        Event::HookFinished {
                            container,
                            hook,
                            outcome: s.outcome,
                        },
                    );
                }
            }
            Action::RestartAfter { .. }
            | Action::RecreatePod { .. }
            | Action::KeepPod { .. }
            | Action::DeletePod => {}
        }
    }

    /// Delivers one event now (from the test), then carries out the actions.
    pub fn inject(&mut self, event: Event) -> Result<(), restart::Error> {
        self.events.push((self.now, event));
        self.trace.push(Trace::Event(self.now, event));
        let r = self.tracker.handle(event, self.now);
        self.drain();
        r
    }

    /// Delivers `event` at time `at` (after running up to it).
    pub fn inject_at(&mut self, at: Millis, event: Event) {
        self.run_until(at);
        let _ = self.inject(event);
    }

    /// Advances to `until` (or until nothing is left to happen), delivering runtime events and
    /// waking the tracker at its deadlines, in time order.
    pub fn run_until(&mut self, until: Millis) {
        for _ in 0..100_000 {
            let next_event = self.pending.iter().map(|p| (p.at, p.seq)).min();
            let next_timer = self.tracker.poll_timeout();
            let next = match (next_event.map(|e| e.0), next_timer) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => break,
            };
            if next > until {
                break;
            }
            self.now = self.now.max(next);
            if let Some((at, seq)) = next_event
                && at <= self.now
            {
                let idx = self
                    .pending
                    .iter()
                    .position(|p| p.seq == seq)
                    .expect("present");
                let p = self.pending.remove(idx);
                let stale = p.generation.is_some_and(|(c, g)| self.gen_of(c) != g);
                let stale = stale || self.is_stale(&p.event);
                if !stale {
                    self.events.push((self.now, p.event));
                    self.trace.push(Trace::Event(self.now, p.event));
                    // Races (an exit after a kill already reaped it) are the runtime's business;
                    // the harness only delivers what still makes sense.
                    let _ = self.tracker.handle(p.event, self.now);
                }
            } else {
                self.tracker.handle_timeout(self.now);
            }
            self.drain();
        }
        self.now = self.now.max(until);
        self.tracker.handle_timeout(self.now);
        self.drain();
    }

    fn is_stale(&self, event: &Event) -> bool {
        match *event {
            Event::HookFinished {
                container, hook, ..
            } => self
                .tracker
                .active_hook()
                .is_none_or(|h| h.container != container || h.hook != hook),
            Event::Exited { container, .. } => !self
                .tracker
                .run_state(container)
                .is_some_and(|s| s.is_live()),
            _ => false,
        }
    }

    /// Runs until the pod is finished or `limit` is reached.
    pub fn run_to_end(&mut self, limit: Millis) {
        self.run_until(limit);
    }

    /// The actions, without times.
    pub fn actions(&self) -> Vec<Action> {
        self.log.iter().map(|(_, a)| *a).collect()
    }

    /// The actions about one container.
    pub fn actions_for(&self, c: ContainerId) -> Vec<(Millis, Action)> {
        self.log
            .iter()
            .copied()
            .filter(|(_, a)| a.container() == Some(c))
            .collect()
    }

    /// Times at which `c` was asked to start.
    pub fn starts(&self, c: ContainerId) -> Vec<Millis> {
        self.log
            .iter()
            .filter(|(_, a)| *a == Action::StartContainer { container: c })
            .map(|(t, _)| *t)
            .collect()
    }
}

/// Seconds as `Millis`.
pub fn secs(s: u64) -> Millis {
    Millis::from_secs(s)
}

/// Seconds as a `Duration`.
pub fn dur(s: u64) -> Duration {
    Duration::from_secs(s)
}

pub mod checks {
    //! Invariants over a simulation trace, shared by the exhaustive and property tests.

    use std::collections::BTreeMap;
    use std::time::Duration;

    use phase::{ContainerId, RestartPolicy};
    use restart::{Action, Event, Hook, Millis, PodConfig, Signal};

    use super::{Sim, Trace};

    /// Every stop signal is preceded by the container's preStop hook, when it has one and the
    /// grace period is above zero; every SIGKILL with a grace period above zero follows a stop
    /// signal.
    pub fn kills_follow_pre_stop(
        sim: &Sim,
        cfg: &PodConfig,
        grace_override: Option<Duration>,
    ) -> Result<(), String> {
        let mut last: BTreeMap<ContainerId, Action> = BTreeMap::new();
        for (t, a) in &sim.log {
            let Some(c) = a.container() else { continue };
            if let Action::KillContainer {
                signal,
                grace,
                cause,
                ..
            } = a
            {
                let has_pre_stop = cfg.container_config(c).hooks.has(Hook::PreStop);
                let prev = last.get(&c);
                match signal {
                    Signal::Stop => {
                        let ok = !has_pre_stop
                            || matches!(
                                prev,
                                Some(Action::RunHook {
                                    hook: Hook::PreStop,
                                    ..
                                })
                            );
                        if !ok {
                            return Err(format!(
                                "{t}: stop signal for {c} ({cause:?}) without preStop; before: {prev:?}"
                            ));
                        }
                        if grace.is_zero() {
                            return Err(format!("{t}: stop signal for {c} with zero grace"));
                        }
                    }
                    Signal::Kill => {
                        let escalated = matches!(
                            prev,
                            Some(Action::KillContainer {
                                signal: Signal::Stop,
                                ..
                            })
                        );
                        let pod_grace = cfg.grace_period;
                        let zero_grace = pod_grace.is_zero()
                            || grace_override.is_some_and(|g| g.is_zero())
                            || cfg
                                .container_config(c)
                                .probe_grace_period
                                .is_some_and(|g| g.is_zero());
                        if !escalated && !zero_grace {
                            return Err(format!(
                                "{t}: SIGKILL for {c} without a stop signal first; before: {prev:?}"
                            ));
                        }
                    }
                }
            }
            last.insert(c, *a);
        }
        Ok(())
    }

    /// No hook is asked for while another one is outstanding (hooks of a pod are serialized).
    pub fn hooks_are_serialized(sim: &Sim) -> Result<(), String> {
        let mut outstanding: Option<(ContainerId, Hook, Millis)> = None;
        for entry in &sim.trace {
            match *entry {
                Trace::Action(
                    t,
                    Action::RunHook {
                        container,
                        hook,
                        timeout,
                        ..
                    },
                ) => {
                    if let Some((c, h, deadline)) = outstanding
                        && t < deadline
                    {
                        return Err(format!(
                            "{t}: {hook} for {container} while {h} for {c} runs"
                        ));
                    }
                    outstanding = Some((container, hook, t.saturating_add(timeout)));
                }
                Trace::Event(
                    _,
                    Event::HookFinished {
                        container, hook, ..
                    },
                ) if outstanding.is_some_and(|(c, h, _)| c == container && h == hook) => {
                    outstanding = None;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// No restart is ever announced beyond the backoff cap.
    pub fn backoff_within_cap(sim: &Sim, cfg: &PodConfig) -> Result<(), String> {
        for (t, a) in &sim.log {
            if let Action::RestartAfter { after, .. } | Action::RecreatePod { after } = a
                && *after > cfg.backoff.max
            {
                return Err(format!("{t}: {a:?} exceeds the cap"));
            }
        }
        Ok(())
    }

    /// Under a pod policy of `Never` with no container-level policies, nothing restarts: no
    /// restart announced, no pod re-created, no container started twice.
    pub fn never_restarts(sim: &Sim, cfg: &PodConfig) -> Result<(), String> {
        let own = cfg.spec.iter().any(|(_, _, c)| c.restart_policy.is_some());
        if cfg.spec.restart_policy != RestartPolicy::Never || own {
            return Ok(());
        }
        for (t, a) in &sim.log {
            if matches!(a, Action::RestartAfter { .. } | Action::RecreatePod { .. }) {
                return Err(format!("{t}: {a:?} under Never"));
            }
        }
        for (id, _, _) in cfg.spec.iter() {
            let n = sim.starts(id).len();
            if n > 1 {
                return Err(format!("{id} started {n} times under Never"));
            }
        }
        Ok(())
    }

    /// Nothing starts after a stop or delete request, and a delete ends with `DeletePod`.
    pub fn nothing_starts_after_delete(sim: &Sim) -> Result<(), String> {
        let mut deleting = false;
        for entry in &sim.trace {
            match entry {
                Trace::Event(_, Event::Delete { .. } | Event::Stop { .. }) => deleting = true,
                Trace::Action(
                    t,
                    a @ (Action::StartContainer { .. }
                    | Action::RestartAfter { .. }
                    | Action::RecreatePod { .. }),
                ) if deleting => {
                    return Err(format!("{t}: {a:?} after a stop or delete request"));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// At most one pod outcome, and it is the last action.
    pub fn one_final_outcome(sim: &Sim) -> Result<(), String> {
        let finals: Vec<usize> = sim
            .log
            .iter()
            .enumerate()
            .filter(|(_, (_, a))| matches!(a, Action::KeepPod { .. } | Action::DeletePod))
            .map(|(i, _)| i)
            .collect();
        let deleted_after_keep = finals.len() == 2
            && matches!(sim.log[finals[0]].1, Action::KeepPod { .. })
            && sim.log[finals[1]].1 == Action::DeletePod;
        if finals.len() > 1 && !deleted_after_keep {
            return Err(format!("several outcomes: {finals:?}"));
        }
        if let Some(&i) = finals.last()
            && i + 1 != sim.log.len()
        {
            return Err(format!("actions after the outcome: {:?}", &sim.log[i..]));
        }
        Ok(())
    }

    /// Every invariant at once.
    pub fn all(sim: &Sim, cfg: &PodConfig, grace_override: Option<Duration>) -> Result<(), String> {
        kills_follow_pre_stop(sim, cfg, grace_override)?;
        hooks_are_serialized(sim)?;
        backoff_within_cap(sim, cfg)?;
        never_restarts(sim, cfg)?;
        nothing_starts_after_delete(sim)?;
        one_final_outcome(sim)
    }
}
