//! A scripted fake runtime and a virtual clock for the supervisor (STYLE.md H16): nothing
//! sleeps; time jumps to the next scheduled runtime report or the supervisor's next deadline.
//! [`Watch`] drains a supervisor a test drives by hand. Both fail the test when a terminal
//! phase changes.

#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Duration;

use podspec::Format;
use podspec::model::{
    Container, ContainerName, HookHandler, Image, ImageRef, Pod, PodName, Probe, ProbeHandler,
    RestartPolicy, Source,
};
use vmm_ref::supervisor::{
    Action, ContainerId, Event, Hook, HookOutcome, Input, Millis, Options, PodPhase, ProbeId,
    ProbeKind, ProbeOutcome, Supervisor,
};

/// One run of a container: how long it runs (`None`: until signalled) and its exit code.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    pub ms: Option<u64>,
    pub code: i32,
}

pub const fn exits(ms: u64, code: i32) -> Run {
    Run { ms: Some(ms), code }
}

pub const FOREVER: Run = Run { ms: None, code: 0 };

type ProbeFn = Box<dyn FnMut(&str, ProbeKind, Millis) -> ProbeOutcome>;
type HookFn = Box<dyn FnMut(&str, Hook) -> (HookOutcome, u64)>;

/// The fake runtime's script.
pub struct Script {
    /// Runs per container name, in order; the last one repeats.
    pub runs: HashMap<String, VecDeque<Run>>,
    /// Containers that ignore their stop signal (only SIGKILL ends them).
    pub ignores_term: Vec<String>,
    /// How long a container takes to exit after its stop signal.
    pub stop_ms: u64,
    /// Probe answers (answered after 10 ms).
    pub probe: ProbeFn,
    /// Hook results and how long they take.
    pub hook: HookFn,
}

impl Default for Script {
    fn default() -> Self {
        Self {
            runs: HashMap::new(),
            ignores_term: Vec::new(),
            stop_ms: 100,
            probe: Box::new(|_, _, _| ProbeOutcome::Success),
            hook: Box::new(|_, _| (HookOutcome::Succeeded, 50)),
        }
    }
}

impl Script {
    pub fn with_runs(mut self, name: &str, runs: &[Run]) -> Self {
        self.runs
            .insert(name.to_owned(), runs.iter().copied().collect());
        self
    }

    fn next_run(&mut self, name: &str) -> Run {
        let q = self.runs.get_mut(name).expect("a scripted container");
        if q.len() > 1 {
            q.pop_front().unwrap_or(FOREVER)
        } else {
            q.front().copied().unwrap_or(FOREVER)
        }
    }
}

/// The simulation: supervisor, script, virtual clock and logs.
pub struct Sim {
    pub sup: Supervisor,
    pub script: Script,
    pub now: Millis,
    seq: u64,
    queue: BTreeMap<(Millis, u64), Input>,
    /// The queued exit of each running container.
    exit_key: HashMap<ContainerId, (Millis, u64)>,
    /// Every action with the time it was asked for.
    pub actions: Vec<(Millis, Action)>,
    /// Every event with the time it was reported.
    pub events: Vec<(Millis, Event)>,
    /// Scheduled user inputs (interrupt, delete) by time.
    pub user: Vec<(Millis, Input)>,
    /// The first terminal phase of the current run of the pod ([`see_phase`]).
    terminal: Option<PodPhase>,
}

impl Sim {
    pub fn new(pod: &Pod, options: Options, script: Script) -> Self {
        Self {
            sup: Supervisor::new(pod, options, Millis(0)),
            script,
            now: Millis(0),
            seq: 0,
            queue: BTreeMap::new(),
            exit_key: HashMap::new(),
            actions: Vec::new(),
            events: Vec::new(),
            user: Vec::new(),
            terminal: None,
        }
    }

    fn schedule(&mut self, at: Millis, input: Input) -> (Millis, u64) {
        self.seq += 1;
        let key = (at, self.seq);
        self.queue.insert(key, input);
        key
    }

    /// Schedules a user input.
    pub fn at(mut self, ms: u64, input: Input) -> Self {
        self.user.push((Millis(ms), input));
        self
    }

    fn carry_out(&mut self) {
        while let Some(action) = self.sup.poll_action() {
            self.actions.push((self.now, action.clone()));
            match action {
                Action::Start { container } => {
                    let name = self.sup.name(container).unwrap().to_owned();
                    let run = self.script.next_run(&name);
                    self.schedule(self.now, Input::Started { container });
                    if let Some(ms) = run.ms {
                        let key = self.schedule(
                            Millis(self.now.0 + ms),
                            Input::Exited {
                                container,
                                code: run.code,
                            },
                        );
                        self.exit_key.insert(container, key);
                    } else {
                        self.exit_key.remove(&container);
                    }
                }
                Action::Signal { container, signal } => {
                    let name = self.sup.name(container).unwrap().to_owned();
                    if signal != 9 && self.script.ignores_term.contains(&name) {
                        continue;
                    }
                    if let Some(key) = self.exit_key.remove(&container) {
                        self.queue.remove(&key);
                    }
                    let delay = if signal == 9 { 1 } else { self.script.stop_ms };
                    let key = self.schedule(
                        Millis(self.now.0 + delay),
                        Input::Exited {
                            container,
                            code: 128 + signal,
                        },
                    );
                    self.exit_key.insert(container, key);
                }
                Action::RunHook {
                    container, hook, ..
                } => {
                    let name = self.sup.name(container).unwrap().to_owned();
                    let (outcome, ms) = (self.script.hook)(&name, hook);
                    self.schedule(
                        Millis(self.now.0 + ms),
                        Input::HookFinished {
                            container,
                            hook,
                            outcome,
                        },
                    );
                }
                Action::RunProbe {
                    container,
                    probe,
                    kind,
                    ..
                } => {
                    let name = self.sup.name(container).unwrap().to_owned();
                    let outcome = (self.script.probe)(&name, kind, self.now);
                    self.schedule(
                        Millis(self.now.0 + 10),
                        Input::ProbeFinished {
                            container,
                            probe,
                            outcome,
                        },
                    );
                }
                Action::RecreateSandbox { .. } => {
                    assert!(
                        self.exit_key.is_empty(),
                        "no container may run when the sandbox is torn down"
                    );
                }
                Action::Finish(_) => {}
            }
        }
        while let Some(e) = self.sup.poll_event() {
            if let Err(t) = see_phase(&mut self.terminal, &e) {
                panic!(
                    "a terminal phase changed: {t:?}, then at {} {e}; {:#?}",
                    self.now.0,
                    self.lines()
                );
            }
            self.events.push((self.now, e));
        }
    }

    /// Runs until the pod finishes or `limit_ms` of virtual time pass.
    pub fn run(&mut self, limit_ms: u64) {
        for (at, input) in std::mem::take(&mut self.user) {
            self.schedule(at, input);
        }
        for _ in 0..100_000 {
            self.carry_out();
            if self.sup.outcome().is_some() {
                return;
            }
            let queued = self.queue.keys().next().copied();
            let deadline = self.sup.poll_timeout();
            let next = match (queued, deadline) {
                (Some((q, _)), Some(d)) => q.min(d),
                (Some((q, _)), None) => q,
                (None, Some(d)) => d,
                (None, None) => panic!("stuck at {:?}: nothing scheduled", self.now),
            };
            if next.0 > limit_ms {
                return;
            }
            self.now = self.now.max(next);
            match queued {
                Some(key) if key.0 <= next => {
                    let input = self.queue.remove(&key).unwrap();
                    if let Input::Exited { container, .. } = input {
                        self.exit_key.remove(&container);
                    }
                    // Late results (after a timeout) are errors the driver ignores.
                    let _ = self.sup.handle(input, self.now);
                }
                _ => self.sup.handle_timeout(self.now),
            }
        }
        panic!("no end after 100000 steps");
    }

    /// The event lines, with their times in ms.
    pub fn lines(&self) -> Vec<String> {
        self.events
            .iter()
            .map(|(t, e)| format!("{:>6} {e}", t.0))
            .collect()
    }

    /// Every phase reported, in order.
    pub fn phases(&self) -> Vec<PodPhase> {
        phases(self.events.iter().map(|(_, e)| e))
    }

    /// Times at which `name` was started.
    pub fn starts(&self, name: &str) -> Vec<u64> {
        self.events
            .iter()
            .filter_map(|(t, e)| match e {
                Event::Started { container, .. } if container == name => Some(t.0),
                _ => None,
            })
            .collect()
    }

    /// The positions of events whose text contains `needle`.
    pub fn position(&self, needle: &str) -> Option<usize> {
        self.lines().iter().position(|l| l.contains(needle))
    }
}

/// The phases among `events`, in order.
pub fn phases<'a>(events: impl IntoIterator<Item = &'a Event>) -> Vec<PodPhase> {
    events
        .into_iter()
        .filter_map(|e| match e {
            Event::PhaseChanged { phase } => Some(*phase),
            _ => None,
        })
        .collect()
}

/// The rule "a terminal phase never changes within one run of the pod", event by event:
/// `terminal` is the first terminal phase of the current run, and an `Event::Recreating` starts
/// a new run (as `verify`'s supervisor model and the `supervisor` fuzz target count). `Err` with
/// that terminal phase when `e` reports another phase.
fn see_phase(terminal: &mut Option<PodPhase>, e: &Event) -> Result<(), PodPhase> {
    match e {
        Event::Recreating { .. } => *terminal = None,
        Event::PhaseChanged { phase } => match *terminal {
            Some(t) if t != *phase => return Err(t),
            None if phase.is_terminal() => *terminal = Some(*phase),
            _ => {}
        },
        _ => {}
    }
    Ok(())
}

/// For a test that drives a bare [`Supervisor`] step by step (no [`Sim`]): drains it after
/// each step, keeps what came out, and checks that a terminal phase never changes
/// ([`see_phase`], as [`Sim`] does).
#[derive(Debug, Default)]
pub struct Watch {
    /// Every action, in order.
    pub actions: Vec<Action>,
    /// Every event, in order.
    pub events: Vec<Event>,
    /// The first terminal phase of the current run of the pod.
    terminal: Option<PodPhase>,
}

impl Watch {
    /// Takes every action and event `sup` has ready; the probe run it asked for last among
    /// them, if any. Panics when a terminal phase changes.
    pub fn drain(&mut self, sup: &mut Supervisor) -> Option<ProbeId> {
        let mut probe = None;
        while let Some(a) = sup.poll_action() {
            if let Action::RunProbe { probe: p, .. } = a {
                probe = Some(p);
            }
            self.actions.push(a);
        }
        while let Some(e) = sup.poll_event() {
            if let Err(t) = see_phase(&mut self.terminal, &e) {
                panic!(
                    "a terminal phase changed: {t:?}, then {e:?}; {:?}",
                    self.events
                );
            }
            self.events.push(e);
        }
        probe
    }

    /// `container` exited with `code` at `*now`: hands that to `sup`, drains it, then, if
    /// `sup` asks to be woken, moves `*now` to that time, wakes it and drains it again (a
    /// restart back-off, a re-creation).
    pub fn exit_then_wake(
        &mut self,
        sup: &mut Supervisor,
        container: ContainerId,
        code: i32,
        now: &mut Millis,
    ) {
        sup.handle(Input::Exited { container, code }, *now).unwrap();
        self.drain(sup);
        if let Some(due) = sup.poll_timeout() {
            *now = due;
            sup.handle_timeout(due);
            self.drain(sup);
        }
    }

    /// The first terminal phase reported in the current run of the pod.
    pub const fn terminal(&self) -> Option<PodPhase> {
        self.terminal
    }

    /// Every phase reported, in order.
    pub fn phases(&self) -> Vec<PodPhase> {
        phases(&self.events)
    }
}

/// A container with the busybox image, running `cmd`.
pub fn container(name: &str, cmd: &[&str]) -> Container {
    let mut c = Container::new(
        ContainerName::try_from(name).unwrap(),
        Image::Reference(ImageRef::try_from("busybox").unwrap()),
    );
    c.command = cmd.iter().map(|s| (*s).to_owned()).collect();
    c
}

/// A pod of `format` with a policy and containers.
pub fn pod(
    format: Format,
    policy: RestartPolicy,
    init: Vec<Container>,
    regular: Vec<Container>,
) -> Pod {
    let mut p = Pod::new(PodName::try_from("test-pod").unwrap(), Source::new(format));
    p.restart_policy = policy;
    p.init_containers = init;
    p.containers = regular;
    p
}

/// An exec liveness probe: period `period_s`, failure threshold `failures`.
pub fn liveness(period_s: u64, failures: u32) -> Probe {
    let mut p = Probe::new(ProbeHandler::Exec {
        command: vec!["cat".into(), "/tmp/health".into()],
    });
    p.period = Duration::from_secs(period_s);
    p.failure_threshold = failures;
    p
}

pub fn exec_hook(cmd: &str) -> HookHandler {
    HookHandler::Exec {
        command: vec!["sh".into(), "-c".into(), cmd.into()],
    }
}
