//! One test per rule of spec/kubernetes.md section 1's decision list, each asserting both the
//! phase and the [`PhaseRule`] that produced it. `DECISION_LIST` mirrors the table drawn in
//! `phase::aggregate`'s rustdoc row by row; change them together.

mod support;

use phase::{
    ContainerSpec, Gate, PhaseFacts, PhaseRule, PodPhase, PodSpec, RestartPolicy, Statuses, decide,
};
use support::{K, statuses};

use RestartPolicy::{Always, Never, OnFailure};

/// A container of the spec: its name and its own restart policy (`Some(Always)` in the init
/// list makes a sidecar).
type C = (&'static str, Option<RestartPolicy>);

struct Row {
    /// The row in the rustdoc table.
    id: &'static str,
    policy: RestartPolicy,
    init: &'static [C],
    regular: &'static [C],
    init_statuses: &'static [(&'static str, K)],
    regular_statuses: &'static [(&'static str, K)],
    facts: PhaseFacts,
    phase: PodPhase,
    rule: PhaseRule,
}

const BASE: PhaseFacts = PhaseFacts::new();
const GATE_OFF: PhaseFacts = PhaseFacts::new().with_gate(Gate::Disabled);

#[rustfmt::skip]
const DECISION_LIST: &[Row] = &[
    Row { id: "1 gate on: failed-init-not-restartable > 0", policy: Always,
          init: &[("i", Some(Never))], regular: &[("a", None)],
          init_statuses: &[("i", K::Terminated(1))], regular_statuses: &[],
          facts: BASE, phase: PodPhase::Failed, rule: PhaseRule::InitContainerFailed },
    Row { id: "1 gate off: failed-init > 0 and pod Never", policy: Never,
          init: &[("i", None)], regular: &[("a", None)],
          init_statuses: &[("i", K::WaitingLast(2))], regular_statuses: &[],
          facts: GATE_OFF, phase: PodPhase::Failed, rule: PhaseRule::InitContainerFailed },
    Row { id: "2a pending-init > 0", policy: Never,
          init: &[("i", None)], regular: &[("a", None)],
          init_statuses: &[("i", K::Run)], regular_statuses: &[],
          facts: BASE, phase: PodPhase::Pending, rule: PhaseRule::InitContainersPending },
    Row { id: "2b pending-sidecar > 0 and not initialized", policy: Always,
          init: &[("s", Some(Always))], regular: &[("a", None)],
          init_statuses: &[("s", K::Run)], regular_statuses: &[("a", K::Run)],
          facts: BASE, phase: PodPhase::Pending, rule: PhaseRule::SidecarsNotStarted },
    Row { id: "2c waiting > 0", policy: Always,
          init: &[], regular: &[("a", None), ("b", None)],
          init_statuses: &[], regular_statuses: &[("a", K::Run), ("b", K::Waiting)],
          facts: BASE, phase: PodPhase::Pending, rule: PhaseRule::ContainersWaiting },
    Row { id: "3 running > 0 and unknown == 0", policy: Never,
          init: &[], regular: &[("a", None), ("b", None)],
          init_statuses: &[], regular_statuses: &[("a", K::Run), ("b", K::Terminated(1))],
          facts: BASE, phase: PodPhase::Running, rule: PhaseRule::ContainersRunning },
    Row { id: "4a terminal, not static: some failed", policy: Always,
          init: &[], regular: &[("a", None), ("b", None)],
          init_statuses: &[], regular_statuses: &[("a", K::Terminated(0)), ("b", K::Terminated(137))],
          facts: PhaseFacts::new().terminal(), phase: PodPhase::Failed, rule: PhaseRule::TerminalPod },
    Row { id: "4a terminal, not static: all succeeded", policy: Always,
          init: &[], regular: &[("a", None)],
          init_statuses: &[], regular_statuses: &[("a", K::Terminated(0))],
          facts: PhaseFacts::new().terminal(), phase: PodPhase::Succeeded, rule: PhaseRule::TerminalPod },
    Row { id: "4b gate on: stopped != stopped-not-restartable", policy: Never,
          init: &[], regular: &[("a", Some(OnFailure)), ("b", None)],
          init_statuses: &[], regular_statuses: &[("a", K::Terminated(1)), ("b", K::Terminated(0))],
          facts: BASE, phase: PodPhase::Running, rule: PhaseRule::ContainersRestarting },
    Row { id: "4b gate on: nothing restarts, all succeeded", policy: OnFailure,
          init: &[], regular: &[("a", None)],
          init_statuses: &[], regular_statuses: &[("a", K::Terminated(0))],
          facts: BASE, phase: PodPhase::Succeeded, rule: PhaseRule::ContainersStopped },
    Row { id: "4b gate on: nothing restarts, one failed", policy: Always,
          init: &[], regular: &[("a", Some(Never))],
          init_statuses: &[], regular_statuses: &[("a", K::Terminated(137))],
          facts: BASE, phase: PodPhase::Failed, rule: PhaseRule::ContainersStopped },
    Row { id: "4c gate off: pod Always", policy: Always,
          init: &[], regular: &[("a", None)],
          init_statuses: &[], regular_statuses: &[("a", K::Terminated(0))],
          facts: GATE_OFF, phase: PodPhase::Running, rule: PhaseRule::ContainersRestarting },
    Row { id: "4c gate off: stopped == succeeded", policy: OnFailure,
          init: &[], regular: &[("a", None)],
          init_statuses: &[], regular_statuses: &[("a", K::Terminated(0))],
          facts: GATE_OFF, phase: PodPhase::Succeeded, rule: PhaseRule::ContainersStopped },
    Row { id: "4c gate off: pod Never", policy: Never,
          init: &[], regular: &[("a", None)],
          init_statuses: &[], regular_statuses: &[("a", K::Terminated(1))],
          facts: GATE_OFF, phase: PodPhase::Failed, rule: PhaseRule::ContainersStopped },
    Row { id: "4c gate off: pod OnFailure", policy: OnFailure,
          init: &[], regular: &[("a", None)],
          init_statuses: &[], regular_statuses: &[("a", K::Terminated(1))],
          facts: GATE_OFF, phase: PodPhase::Running, rule: PhaseRule::ContainersRestarting },
    Row { id: "5 otherwise", policy: Always,
          init: &[], regular: &[("a", None), ("b", None)],
          init_statuses: &[], regular_statuses: &[("a", K::Run)],
          facts: BASE, phase: PodPhase::Pending, rule: PhaseRule::NoContainerStarted },
];

fn spec_of(row: &Row) -> PodSpec {
    let container = |&(name, own): &C| {
        let c = ContainerSpec::new(name);
        match own {
            Some(p) => c.with_restart_policy(p),
            None => c,
        }
    };
    let mut spec = PodSpec::new(row.policy);
    for c in row.init {
        spec = spec.with_init_container(container(c));
    }
    for c in row.regular {
        spec = spec.with_container(container(c));
    }
    spec
}

fn check(id: &str) {
    let row = DECISION_LIST
        .iter()
        .find(|r| r.id.starts_with(id))
        .unwrap_or_else(|| panic!("no row {id}"));
    let init = statuses(row.init_statuses);
    let regular = statuses(row.regular_statuses);
    let d = decide(&spec_of(row), Statuses::new(&regular, &init), row.facts);
    assert_eq!((d.phase, d.rule), (row.phase, row.rule), "row {}", row.id);
}

#[test]
fn rule_1_gate_on_init_container_that_will_not_restart_fails_the_pod() {
    check("1 gate on");
}

#[test]
fn rule_1_gate_off_failed_init_container_fails_a_never_pod() {
    check("1 gate off");
}

#[test]
fn rule_1_negative_failed_init_container_that_restarts_does_not_fail_the_pod() {
    // Same as "1 gate on" but the init container may restart (pod OnFailure, no own policy).
    let spec = PodSpec::new(OnFailure)
        .with_init_container(ContainerSpec::new("i"))
        .with_container(ContainerSpec::new("a"));
    let init = statuses(&[("i", K::Terminated(1))]);
    let d = decide(&spec, Statuses::new(&[], &init), BASE);
    assert_eq!(d.counters.failed_init, 1);
    assert_eq!(d.counters.failed_init_not_restartable, 0);
    // A failed init container is not "pending", so the unknown regular container decides.
    assert_eq!(
        (d.phase, d.rule),
        (PodPhase::Pending, PhaseRule::NoContainerStarted)
    );
}

#[test]
fn rule_2a_unfinished_init_container_keeps_the_pod_pending() {
    check("2a");
}

#[test]
fn rule_2b_unstarted_sidecar_keeps_an_uninitialized_pod_pending() {
    check("2b");
}

#[test]
fn rule_2b_negative_unstarted_sidecar_does_not_matter_once_initialized() {
    let row = DECISION_LIST
        .iter()
        .find(|r| r.id.starts_with("2b"))
        .unwrap();
    let init = statuses(row.init_statuses);
    let regular = statuses(row.regular_statuses);
    let d = decide(
        &spec_of(row),
        Statuses::new(&regular, &init),
        PhaseFacts::new().initialized(),
    );
    assert_eq!(
        (d.phase, d.rule),
        (PodPhase::Running, PhaseRule::ContainersRunning)
    );
}

#[test]
fn rule_2c_waiting_container_keeps_the_pod_pending() {
    check("2c");
}

#[test]
fn rule_3_running_with_every_state_known_is_running() {
    check("3");
}

#[test]
fn rule_4a_terminal_pod_reports_failure_if_any_container_failed() {
    check("4a terminal, not static: some failed");
}

#[test]
fn rule_4a_terminal_pod_reports_success_if_all_succeeded() {
    check("4a terminal, not static: all succeeded");
}

#[test]
fn rule_4a_negative_static_pods_do_not_take_the_terminal_shortcut() {
    let spec = PodSpec::new(Always).with_container(ContainerSpec::new("a"));
    let regular = statuses(&[("a", K::Terminated(0))]);
    let d = decide(
        &spec,
        Statuses::new(&regular, &[]),
        PhaseFacts::new().terminal().static_pod(),
    );
    assert_eq!(
        (d.phase, d.rule),
        (PodPhase::Running, PhaseRule::ContainersRestarting)
    );
}

#[test]
fn rule_4b_something_that_will_restart_keeps_the_pod_running() {
    check("4b gate on: stopped != stopped-not-restartable");
}

#[test]
fn rule_4b_nothing_restarts_and_all_succeeded_is_succeeded() {
    check("4b gate on: nothing restarts, all succeeded");
}

#[test]
fn rule_4b_nothing_restarts_and_one_failed_is_failed() {
    check("4b gate on: nothing restarts, one failed");
}

#[test]
fn rule_4c_gate_off_always_pod_is_running() {
    check("4c gate off: pod Always");
}

#[test]
fn rule_4c_gate_off_all_succeeded_is_succeeded() {
    check("4c gate off: stopped == succeeded");
}

#[test]
fn rule_4c_gate_off_never_pod_with_a_failure_is_failed() {
    check("4c gate off: pod Never");
}

#[test]
fn rule_4c_gate_off_on_failure_pod_with_a_failure_is_running() {
    check("4c gate off: pod OnFailure");
}

#[test]
fn rule_5_a_container_without_status_keeps_the_pod_pending() {
    check("5");
}

#[test]
fn never_unknown_and_empty_pod_is_pending() {
    let d = decide(&PodSpec::new(Never), Statuses::default(), BASE);
    assert_eq!(
        (d.phase, d.rule),
        (PodPhase::Pending, PhaseRule::NoContainerStarted)
    );
}

#[test]
fn a_failed_sidecar_never_fails_the_pod() {
    // spec/kubernetes.md section 9, surprise 3.
    let spec = PodSpec::new(Never)
        .with_init_container(ContainerSpec::new("s").with_restart_policy(Always))
        .with_container(ContainerSpec::new("a"));
    let init = statuses(&[("s", K::Terminated(137))]);
    let regular = statuses(&[("a", K::Terminated(0))]);
    for facts in [BASE, PhaseFacts::new().terminal(), GATE_OFF] {
        let d = decide(&spec, Statuses::new(&regular, &init), facts);
        assert_eq!(d.phase, PodPhase::Succeeded, "{facts:?}");
    }
}

#[test]
fn every_rule_appears_in_the_table() {
    for rule in PhaseRule::ALL {
        assert!(
            DECISION_LIST.iter().any(|r| r.rule == rule),
            "{rule:?} has no row"
        );
    }
    for row in DECISION_LIST {
        check(row.id);
    }
}
