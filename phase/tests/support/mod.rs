//! Shared test support: compact status builders and `Sim`, a deterministic driver for the
//! probe machines (STYLE.md H16): it owns a virtual `now`, advances to the earliest
//! `poll_timeout`, answers probe runs from a script, and records what came out.
#![allow(dead_code, unreachable_pub)]

use std::collections::VecDeque;

use phase::{
    ContainerProbes, ContainerState, ContainerStatus, Millis, PcContainer, ProbeEvent, ProbeId,
    ProbeKind, ProbeOutcome, Termination,
};

/// A compact container state, in the vocabulary of the kubelet's test helpers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum K {
    /// `waitingState`: waiting, no last termination.
    Waiting,
    /// `waitingStateWithLastTermination` (0) / `...NonZeroTermination` (-1): waiting after a run.
    WaitingLast(i32),
    /// `runningState`: running, `started` not set.
    Run,
    /// `startedState`: running with `started: true`.
    Started,
    /// `succeededState` / `stoppedState` (0), `failedState` (-1), `failedStateWithExitCode`.
    Terminated(i32),
    /// A status with no state set.
    Unset,
}

/// A status named `name` in state `k`.
pub fn status(name: &str, k: K) -> ContainerStatus {
    match k {
        K::Waiting => ContainerStatus::new(name, ContainerState::Waiting { reason: None }),
        K::WaitingLast(code) => {
            ContainerStatus::new(name, ContainerState::Waiting { reason: None })
                .with_last_termination(Termination::new(code, Millis::ZERO))
        }
        K::Run => ContainerStatus::new(
            name,
            ContainerState::Running {
                started_at: Millis::ZERO,
                started: false,
            },
        ),
        K::Started => ContainerStatus::new(name, ContainerState::running(Millis::ZERO)),
        K::Terminated(code) => {
            ContainerStatus::new(name, ContainerState::terminated(code, Millis::ZERO))
        }
        K::Unset => ContainerStatus::new(name, ContainerState::Unset),
    }
}

/// Statuses from `(name, state)` pairs.
pub fn statuses(list: &[(&str, K)]) -> Vec<ContainerStatus> {
    list.iter().map(|&(n, k)| status(n, k)).collect()
}

/// What a scripted probe handler answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Answer with this outcome after this many milliseconds.
    After(u64, ProbeOutcome),
    /// Never answer (the run times out).
    Silent,
}

/// Something that happened during a simulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    /// A probe run was requested.
    Run(ProbeKind),
    /// A conclusion came out.
    Event(ProbeEvent),
}

/// A deterministic driver for [`ContainerProbes`].
pub struct Sim {
    pub now: Millis,
    pub probes: ContainerProbes,
    /// Per-kind scripts, consumed front to back; an empty script answers `Success` at once.
    pub scripts: [VecDeque<Answer>; 3],
    /// Answers not delivered yet: (when, id, outcome).
    pending: Vec<(Millis, ProbeId, ProbeOutcome)>,
    pub log: Vec<(Millis, Record)>,
    /// Extra `handle_timeout` calls at these times (spurious wake-ups).
    pub wakeups: Vec<Millis>,
}

fn slot(kind: ProbeKind) -> usize {
    match kind {
        ProbeKind::Liveness => 0,
        ProbeKind::Readiness => 1,
        ProbeKind::Startup => 2,
    }
}

impl Sim {
    pub fn new(probes: ContainerProbes) -> Self {
        Self {
            now: Millis::ZERO,
            probes,
            scripts: Default::default(),
            pending: Vec::new(),
            log: Vec::new(),
            wakeups: Vec::new(),
        }
    }

    /// Scripts the answers of one probe kind.
    pub fn script(&mut self, kind: ProbeKind, answers: &[Answer]) {
        self.scripts[slot(kind)].extend(answers.iter().copied());
    }

    /// Drains actions and events, scheduling scripted answers.
    fn drain(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(run) = self.probes.poll_action() {
                progressed = true;
                self.log.push((self.now, Record::Run(run.kind)));
                let answer = self.scripts[slot(run.kind)]
                    .pop_front()
                    .unwrap_or(Answer::After(0, ProbeOutcome::Success));
                if let Answer::After(ms, outcome) = answer {
                    self.pending
                        .push((Millis(self.now.0 + ms), run.id, outcome));
                }
            }
            while let Some(event) = self.probes.poll_event() {
                progressed = true;
                self.log.push((self.now, Record::Event(event)));
            }
            // Answers due right now are delivered at once.
            if let Some(i) = self.pending.iter().position(|p| p.0 <= self.now) {
                let (_, id, outcome) = self.pending.remove(i);
                let _ = self.probes.handle_result(id, outcome, self.now);
                progressed = true;
            }
            if !progressed {
                return;
            }
        }
    }

    /// Starts the container now.
    pub fn start_container(&mut self) {
        self.probes.handle_container_started(self.now);
        self.drain();
    }

    /// Stops the container now.
    pub fn exit_container(&mut self) {
        self.probes.handle_container_exited(self.now);
        self.pending.clear();
        self.drain();
    }

    /// Advances virtual time to `until`, stopping at every deadline and answer on the way.
    pub fn run_until(&mut self, until: Millis) {
        self.drain();
        loop {
            let next_answer = self.pending.iter().map(|p| p.0).min();
            let next = [self.probes.poll_timeout(), next_answer]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(t) if t <= until => {
                    assert!(t >= self.now, "time went backwards: {t:?} < {:?}", self.now);
                    self.now = t;
                    self.probes.handle_timeout(self.now);
                    self.drain();
                }
                _ => {
                    self.now = until;
                    return;
                }
            }
        }
    }

    /// The events logged so far, with their times.
    pub fn events(&self) -> Vec<(Millis, ProbeEvent)> {
        self.log
            .iter()
            .filter_map(|&(t, r)| match r {
                Record::Event(e) => Some((t, e)),
                Record::Run(_) => None,
            })
            .collect()
    }

    /// The times runs of `kind` were requested.
    pub fn runs(&self, kind: ProbeKind) -> Vec<Millis> {
        self.log
            .iter()
            .filter_map(|&(t, r)| (r == Record::Run(kind)).then_some(t))
            .collect()
    }
}

/// A deterministic driver for one pod-controller container; answers every check with the next
/// scripted answer (empty script: success at once).
pub struct PcSim {
    pub now: Millis,
    pub container: PcContainer,
    pub liveness: VecDeque<Answer>,
    pending: Vec<(Millis, ProbeId, ProbeOutcome)>,
}

impl PcSim {
    pub fn new(container: PcContainer) -> Self {
        Self {
            now: Millis::ZERO,
            container,
            liveness: VecDeque::new(),
            pending: Vec::new(),
        }
    }

    fn drain(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(run) = self.container.poll_action() {
                progressed = true;
                let answer = match run.kind {
                    ProbeKind::Liveness => self.liveness.pop_front(),
                    _ => None,
                }
                .unwrap_or(Answer::After(0, ProbeOutcome::Success));
                if let Answer::After(ms, outcome) = answer {
                    self.pending
                        .push((Millis(self.now.0 + ms), run.id, outcome));
                }
            }
            if let Some(i) = self.pending.iter().position(|p| p.0 <= self.now) {
                let (_, id, outcome) = self.pending.remove(i);
                let _ = self.container.handle_result(id, outcome, self.now);
                progressed = true;
            }
            if !progressed {
                return;
            }
        }
    }

    pub fn start_container(&mut self) {
        self.container.handle_container_started(self.now);
        self.drain();
    }

    pub fn run_until(&mut self, until: Millis) {
        self.drain();
        loop {
            let next_answer = self.pending.iter().map(|p| p.0).min();
            let next = [self.container.poll_timeout(), next_answer]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(t) if t <= until => {
                    assert!(t >= self.now);
                    self.now = t;
                    self.container.handle_timeout(self.now);
                    self.drain();
                }
                _ => {
                    self.now = until;
                    return;
                }
            }
        }
    }
}
