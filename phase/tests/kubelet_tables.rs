//! Kubernetes' own phase and restart tables, transcribed case by case (same names, same
//! expectations). Sources, kubernetes/kubernetes at 001a80e975bb (master after v1.35):
//! `pkg/kubelet/kubelet_pods_test.go` (`TestPodPhase*`) and `pkg/api/v1/pod/util_test.go`
//! (`TestContainerHasRestartablePolicy`, which calls `ContainerShouldRestart`, and
//! `TestIsContainerRestartable`). The Go helpers map to [`K`]: `runningState` (`Run`) is running without
//! `started`, `startedState` with it, `failedState` exits -1, `stoppedState`/`succeededState` 0.

mod support;

use phase::{
    ContainerSpec, ExitCodeOperator, ExitCodes, Gate, PhaseFacts, PodPhase, PodSpec, RestartPolicy,
    RestartRule, RestartRuleAction, Statuses, aggregate,
};
use support::{K, statuses};

use PodPhase::{Failed, Pending, Running, Succeeded};

/// One transcribed `getPhase` case.
struct Case {
    name: &'static str,
    init: &'static [(&'static str, K)],
    regular: &'static [(&'static str, K)],
    terminal: bool,
    initialized: bool,
    want: PodPhase,
}

const fn case(
    name: &'static str,
    init: &'static [(&'static str, K)],
    regular: &'static [(&'static str, K)],
    terminal: bool,
    initialized: bool,
    want: PodPhase,
) -> Case {
    Case {
        name,
        init,
        regular,
        terminal,
        initialized,
        want,
    }
}

fn run_table(source: &str, spec: &PodSpec, cases: &[Case], gate: Gate) -> usize {
    let mut failures = Vec::new();
    for c in cases {
        let init = statuses(c.init);
        let regular = statuses(c.regular);
        let mut facts = PhaseFacts::default().with_gate(gate);
        if c.terminal {
            facts = facts.terminal();
        }
        if c.initialized {
            facts = facts.initialized();
        }
        let got = aggregate(spec, Statuses::new(&regular, &init), facts);
        if got != c.want {
            failures.push(format!(
                "{source} [{}]: want {:?}, got {got:?}",
                c.name, c.want
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    cases.len()
}

/// Runs a pod-level-policy table under both gate settings: the spec says each gives the same
/// answer when no container has a policy of its own.
fn run_both_gates(source: &str, spec: &PodSpec, cases: &[Case]) {
    run_table(source, spec, cases, Gate::Enabled);
    run_table(source, spec, cases, Gate::Disabled);
}

fn two_regular(policy: RestartPolicy) -> PodSpec {
    PodSpec::new(policy)
        .with_container(ContainerSpec::new("containerA"))
        .with_container(ContainerSpec::new("containerB"))
}

fn sidecar(name: &str) -> ContainerSpec {
    ContainerSpec::new(name).with_restart_policy(RestartPolicy::Always)
}

#[test]
fn test_pod_phase_with_restart_always() {
    use K::*;
    let cases = [
        case("waiting", &[], &[], false, false, Pending),
        case(
            "all running",
            &[],
            &[("containerA", Run), ("containerB", Run)],
            false,
            false,
            Running,
        ),
        case(
            "all stopped with restart always",
            &[],
            &[("containerA", Terminated(0)), ("containerB", Terminated(0))],
            false,
            false,
            Running,
        ),
        case(
            "all succeeded with restart always, but the pod is terminal",
            &[],
            &[("containerA", Terminated(0)), ("containerB", Terminated(0))],
            true,
            false,
            Succeeded,
        ),
        case(
            "all stopped with restart always, but the pod is terminal",
            &[],
            &[
                ("containerA", Terminated(0)),
                ("containerB", Terminated(-1)),
            ],
            true,
            false,
            Failed,
        ),
        case(
            "mixed state #1 with restart always",
            &[],
            &[("containerA", Run), ("containerB", Terminated(0))],
            false,
            false,
            Running,
        ),
        case(
            "mixed state #2 with restart always",
            &[],
            &[("containerA", Run)],
            false,
            false,
            Pending,
        ),
        case(
            "mixed state #3 with restart always",
            &[],
            &[("containerA", Run), ("containerB", Waiting)],
            false,
            false,
            Pending,
        ),
        case(
            "backoff crashloop container with restart always",
            &[],
            &[("containerA", Run), ("containerB", WaitingLast(0))],
            false,
            false,
            Running,
        ),
    ];
    run_both_gates(
        "TestPodPhaseWithRestartAlways",
        &two_regular(RestartPolicy::Always),
        &cases,
    );
}

#[test]
fn test_pod_phase_with_restart_always_init_containers() {
    use K::*;
    let spec =
        two_regular(RestartPolicy::Always).with_init_container(ContainerSpec::new("containerX"));
    let cases = [
        case("empty, waiting", &[], &[], false, false, Pending),
        case(
            "init container running",
            &[("containerX", Run)],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "init container terminated non-zero",
            &[("containerX", Terminated(-1))],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "init container waiting, terminated zero",
            &[("containerX", WaitingLast(0))],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "init container waiting, terminated non-zero",
            &[("containerX", WaitingLast(-1))],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "init container waiting, not terminated",
            &[("containerX", Waiting)],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "init container succeeded",
            &[("containerX", Terminated(0))],
            &[("containerA", Run), ("containerB", Run)],
            false,
            false,
            Running,
        ),
    ];
    run_both_gates("TestPodPhaseWithRestartAlwaysInitContainers", &spec, &cases);
}

#[test]
fn test_pod_phase_with_restart_always_restartable_init_containers() {
    use K::*;
    let spec = two_regular(RestartPolicy::Always).with_init_container(sidecar("containerX"));
    let ab_running: &[(&str, K)] = &[("containerA", Run), ("containerB", Run)];
    let ab_succeeded: &[(&str, K)] =
        &[("containerA", Terminated(0)), ("containerB", Terminated(0))];
    let cases = [
        case("empty, waiting", &[], &[], false, false, Pending),
        case(
            "restartable init container running",
            &[("containerX", Run)],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "restartable init container stopped",
            &[("containerX", Terminated(0))],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "restartable init container waiting, terminated zero",
            &[("containerX", WaitingLast(0))],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "restartable init container waiting, terminated non-zero",
            &[("containerX", WaitingLast(-1))],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "restartable init container waiting, not terminated",
            &[("containerX", Waiting)],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "restartable init container started, 1/2 regular container running",
            &[("containerX", Started)],
            &[("containerA", Run)],
            false,
            true,
            Pending,
        ),
        case(
            "restartable init container started, all regular containers running",
            &[("containerX", Started)],
            ab_running,
            false,
            true,
            Running,
        ),
        case(
            "restartable init container running, all regular containers running",
            &[("containerX", Run)],
            ab_running,
            false,
            true,
            Running,
        ),
        case(
            "restartable init container stopped, all regular containers running",
            &[("containerX", Terminated(0))],
            ab_running,
            false,
            true,
            Running,
        ),
        case(
            "backoff crashloop restartable init container, all regular containers running",
            &[("containerX", WaitingLast(0))],
            ab_running,
            false,
            true,
            Running,
        ),
        case(
            "all regular containers succeeded and restartable init container failed with restart always, but the pod is terminal",
            &[("containerX", Terminated(-1))],
            ab_succeeded,
            true,
            true,
            Succeeded,
        ),
        case(
            "all regular containers succeeded and restartable init container succeeded with restart always, but the pod is terminal",
            &[("containerX", Terminated(0))],
            ab_succeeded,
            true,
            true,
            Succeeded,
        ),
        case(
            "re-initializing the pod after the sandbox is recreated",
            &[("containerX", Run)],
            ab_running,
            false,
            false,
            Pending,
        ),
    ];
    run_both_gates(
        "TestPodPhaseWithRestartAlwaysRestartableInitContainers",
        &spec,
        &cases,
    );
}

#[test]
fn test_pod_phase_with_restart_always_and_pod_has_run() {
    use K::*;
    let spec = PodSpec::new(RestartPolicy::Always)
        .with_init_container(ContainerSpec::new("containerX"))
        .with_init_container(sidecar("containerY"))
        .with_container(ContainerSpec::new("containerA"));
    let cases = [
        case(
            "regular init containers, restartable init container and regular container are all running",
            &[("containerX", Run), ("containerY", Run)],
            &[("containerA", Run)],
            false,
            false,
            Pending,
        ),
        case(
            "regular containers is stopped, restartable init container and regular int container are both running",
            &[("containerX", Run), ("containerY", Run)],
            &[("containerA", Terminated(0))],
            false,
            false,
            Pending,
        ),
        case(
            "re-created sandbox: regular init container is succeeded, restartable init container is running, old regular containers is stopped",
            &[("containerX", Terminated(0)), ("containerY", Run)],
            &[("containerA", Terminated(0))],
            false,
            false,
            Pending,
        ),
        case(
            "regular init container is succeeded, restartable init container is running, regular containers is stopped",
            &[("containerX", Terminated(0)), ("containerY", Run)],
            &[("containerA", Terminated(0))],
            false,
            true,
            Running,
        ),
        case(
            "regular init container is succeeded, restartable init container and regular containers are both running",
            &[("containerX", Terminated(0)), ("containerY", Run)],
            &[("containerA", Run)],
            false,
            true,
            Running,
        ),
    ];
    run_both_gates("TestPodPhaseWithRestartAlwaysAndPodHasRun", &spec, &cases);
}

#[test]
fn test_pod_phase_with_restart_never() {
    use K::*;
    let cases = [
        case("waiting", &[], &[], false, false, Pending),
        case(
            "all running with restart never",
            &[],
            &[("containerA", Run), ("containerB", Run)],
            false,
            false,
            Running,
        ),
        case(
            "all succeeded with restart never",
            &[],
            &[("containerA", Terminated(0)), ("containerB", Terminated(0))],
            false,
            false,
            Succeeded,
        ),
        case(
            "all failed with restart never",
            &[],
            &[
                ("containerA", Terminated(-1)),
                ("containerB", Terminated(-1)),
            ],
            false,
            false,
            Failed,
        ),
        case(
            "mixed state #1 with restart never",
            &[],
            &[("containerA", Run), ("containerB", Terminated(0))],
            false,
            false,
            Running,
        ),
        case(
            "mixed state #2 with restart never",
            &[],
            &[("containerA", Run)],
            false,
            false,
            Pending,
        ),
        case(
            "mixed state #3 with restart never",
            &[],
            &[("containerA", Run), ("containerB", Waiting)],
            false,
            false,
            Pending,
        ),
    ];
    run_both_gates(
        "TestPodPhaseWithRestartNever",
        &two_regular(RestartPolicy::Never),
        &cases,
    );
}

#[test]
fn test_pod_phase_with_restart_never_init_containers() {
    use K::*;
    let spec =
        two_regular(RestartPolicy::Never).with_init_container(ContainerSpec::new("containerX"));
    let cases = [
        case("empty, waiting", &[], &[], false, false, Pending),
        case(
            "init container running",
            &[("containerX", Run)],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "init container terminated non-zero",
            &[("containerX", Terminated(-1))],
            &[],
            false,
            false,
            Failed,
        ),
        case(
            "init container waiting, terminated zero",
            &[("containerX", WaitingLast(0))],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "init container waiting, terminated non-zero",
            &[("containerX", WaitingLast(-1))],
            &[],
            false,
            false,
            Failed,
        ),
        case(
            "init container waiting, not terminated",
            &[("containerX", Waiting)],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "init container succeeded",
            &[("containerX", Terminated(0))],
            &[("containerA", Run), ("containerB", Run)],
            false,
            false,
            Running,
        ),
    ];
    run_both_gates("TestPodPhaseWithRestartNeverInitContainers", &spec, &cases);
}

#[test]
fn test_pod_phase_with_restart_never_restartable_init_containers() {
    use K::*;
    let spec = two_regular(RestartPolicy::Never).with_init_container(sidecar("containerX"));
    let ab_succeeded: &[(&str, K)] =
        &[("containerA", Terminated(0)), ("containerB", Terminated(0))];
    let cases = [
        case("empty, waiting", &[], &[], false, false, Pending),
        case(
            "restartable init container running",
            &[("containerX", Run)],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "restartable init container stopped",
            &[("containerX", Terminated(0))],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "restartable init container waiting, terminated zero",
            &[("containerX", WaitingLast(0))],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "restartable init container waiting, terminated non-zero",
            &[("containerX", WaitingLast(-1))],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "restartable init container waiting, not terminated",
            &[("containerX", Waiting)],
            &[],
            false,
            false,
            Pending,
        ),
        case(
            "restartable init container started, one main container running",
            &[("containerX", Started)],
            &[("containerA", Run)],
            false,
            true,
            Pending,
        ),
        case(
            "restartable init container started, main containers succeeded",
            &[("containerX", Started)],
            ab_succeeded,
            false,
            true,
            Running,
        ),
        case(
            "restartable init container re-running, main containers succeeded",
            &[("containerX", Run)],
            ab_succeeded,
            false,
            true,
            Running,
        ),
        case(
            "all containers succeeded",
            &[("containerX", Terminated(0))],
            ab_succeeded,
            false,
            true,
            Succeeded,
        ),
        case(
            "restartable init container terminated non-zero, main containers succeeded",
            &[("containerX", Terminated(-1))],
            ab_succeeded,
            false,
            true,
            Succeeded,
        ),
        case(
            "backoff crashloop restartable init container, main containers succeeded",
            &[("containerX", WaitingLast(0))],
            ab_succeeded,
            false,
            true,
            Succeeded,
        ),
        case(
            "backoff crashloop with non-zero restartable init container, main containers succeeded",
            &[("containerX", WaitingLast(-1))],
            ab_succeeded,
            false,
            true,
            Succeeded,
        ),
    ];
    run_both_gates(
        "TestPodPhaseWithRestartNeverRestartableInitContainers",
        &spec,
        &cases,
    );
}

#[test]
fn test_pod_phase_with_restart_on_failure() {
    use K::*;
    let cases = [
        case("waiting", &[], &[], false, false, Pending),
        case(
            "all running with restart onfailure",
            &[],
            &[("containerA", Run), ("containerB", Run)],
            false,
            false,
            Running,
        ),
        case(
            "all succeeded with restart onfailure",
            &[],
            &[("containerA", Terminated(0)), ("containerB", Terminated(0))],
            false,
            false,
            Succeeded,
        ),
        // The Go test's name says "never"; the pod is OnFailure.
        case(
            "all failed with restart never",
            &[],
            &[
                ("containerA", Terminated(-1)),
                ("containerB", Terminated(-1)),
            ],
            false,
            false,
            Running,
        ),
        case(
            "mixed state #1 with restart onfailure",
            &[],
            &[("containerA", Run), ("containerB", Terminated(0))],
            false,
            false,
            Running,
        ),
        case(
            "mixed state #2 with restart onfailure",
            &[],
            &[("containerA", Run)],
            false,
            false,
            Pending,
        ),
        case(
            "mixed state #3 with restart onfailure",
            &[],
            &[("containerA", Run), ("containerB", Waiting)],
            false,
            false,
            Pending,
        ),
        case(
            "backoff crashloop container with restart onfailure",
            &[],
            &[("containerA", Run), ("containerB", WaitingLast(0))],
            false,
            false,
            Running,
        ),
    ];
    run_both_gates(
        "TestPodPhaseWithRestartOnFailure",
        &two_regular(RestartPolicy::OnFailure),
        &cases,
    );
}

#[test]
fn test_pod_phase_with_container_restart_policy() {
    use K::*;
    let single = |own: RestartPolicy| {
        PodSpec::new(RestartPolicy::Always)
            .with_container(ContainerSpec::new("failed-container").with_restart_policy(own))
    };
    let failed: &[(&str, K)] = &[("failed-container", Terminated(-1))];
    let source = "TestPodPhaseWithContainerRestartPolicy";
    // The Go test calls getPhase(pod, statuses, false, true) with the gate on.
    let one = |name, want| [case(name, &[], failed, false, true, want)];
    run_table(
        source,
        &single(RestartPolicy::Never),
        &one("container with restart policy Never failed", Failed),
        Gate::Enabled,
    );
    run_table(
        source,
        &single(RestartPolicy::OnFailure),
        &one("container with restart policy OnFailure failed", Running),
        Gate::Enabled,
    );
    run_table(
        source,
        &single(RestartPolicy::Always),
        &one("container with restart policy Always failed", Running),
        Gate::Enabled,
    );

    let spec = PodSpec::new(RestartPolicy::Never)
        .with_container(ContainerSpec::new("containerA").with_restart_policy(RestartPolicy::Always))
        .with_container(ContainerSpec::new("containerB"));
    let cases = [case(
        "At least one container with restartable container-level restart policy failed",
        &[],
        &[
            ("containerA", Terminated(0)),
            ("containerB", Terminated(-1)),
        ],
        false,
        true,
        Running,
    )];
    run_table(source, &spec, &cases, Gate::Enabled);

    let spec = PodSpec::new(RestartPolicy::Always)
        .with_container(ContainerSpec::new("containerA").with_restart_policy(RestartPolicy::Never))
        .with_container(
            ContainerSpec::new("containerB").with_restart_policy(RestartPolicy::OnFailure),
        );
    let cases = [
        case(
            "All containers without restartable container-level restart policy failed",
            &[],
            &[
                ("containerA", Terminated(-1)),
                ("containerB", Terminated(0)),
            ],
            false,
            true,
            Failed,
        ),
        case(
            "All containers succeeded",
            &[],
            &[("containerA", Terminated(0)), ("containerB", Terminated(0))],
            false,
            true,
            Succeeded,
        ),
    ];
    run_table(source, &spec, &cases, Gate::Enabled);
}

#[test]
fn test_pod_phase_with_container_restart_policy_init_containers() {
    use K::*;
    let source = "TestPodPhaseWithContainerRestartPolicyInitContainers";
    let spec = |pod: RestartPolicy, own: RestartPolicy| {
        PodSpec::new(pod)
            .with_init_container(ContainerSpec::new("failed-container").with_restart_policy(own))
            .with_container(ContainerSpec::new("container"))
    };
    // The Go test puts every status in ContainerStatuses.
    let failed: &[(&str, K)] = &[("failed-container", Terminated(-1))];
    let one = |name, want| [case(name, &[], failed, false, true, want)];
    run_table(
        source,
        &spec(RestartPolicy::Always, RestartPolicy::Never),
        &one("init container with restart policy Never failed", Failed),
        Gate::Enabled,
    );
    run_table(
        source,
        &spec(RestartPolicy::Never, RestartPolicy::OnFailure),
        &one(
            "init container with restart policy OnFailure failed",
            Pending,
        ),
        Gate::Enabled,
    );
    run_table(
        source,
        &spec(RestartPolicy::Never, RestartPolicy::Always),
        &one("container with restart policy Always failed", Pending),
        Gate::Enabled,
    );
}

/// spec/kubernetes.md section 1 "Version notes", the case the JSON marks GATE-DEPENDENT: an
/// OnFailure pod whose containers all wait after exit 0.
#[test]
fn derived_gate_dependent_on_failure_all_waiting_after_exit_zero() {
    use K::*;
    let spec = two_regular(RestartPolicy::OnFailure);
    let all_waiting: &[(&str, K)] = &[
        ("containerA", WaitingLast(0)),
        ("containerB", WaitingLast(0)),
    ];
    run_table(
        "GATE-DEPENDENT",
        &spec,
        &[case("gate on", &[], all_waiting, false, false, Failed)],
        Gate::Enabled,
    );
    run_table(
        "GATE-DEPENDENT",
        &spec,
        &[case("gate off", &[], all_waiting, false, false, Running)],
        Gate::Disabled,
    );
}

fn rule(op: ExitCodeOperator, values: &[i32]) -> RestartRule {
    RestartRule::restart_on(ExitCodes::new(op, values.iter().copied()))
}

/// `util_test.go: TestContainerHasRestartablePolicy` (it exercises `ContainerShouldRestart`). An
/// empty pod policy maps to `RestartPolicy::default()` (Always), as Kubernetes treats it.
#[test]
fn test_container_has_restartable_policy() {
    use ExitCodeOperator::{In, NotIn};
    let never = |r: RestartRule| {
        ContainerSpec::new("c")
            .with_restart_policy(RestartPolicy::Never)
            .with_restart_rule(r)
    };
    let own = |p| ContainerSpec::new("c").with_restart_policy(p);
    let empty = RestartPolicy::default();
    let cases: Vec<(&str, ContainerSpec, RestartPolicy, i32, bool)> = vec![
        (
            "Rule: 'In' operator matches with 'Restart' action",
            never(rule(In, &[42, 50, 60])),
            empty,
            42,
            true,
        ),
        (
            "Rule: 'NotIn' operator matches with 'Restart' action",
            never(rule(NotIn, &[0, 1, 2])),
            empty,
            99,
            true,
        ),
        (
            "Rule: 'In' operator does not match, should fall back to container policy",
            never(rule(In, &[10, 20])),
            empty,
            30,
            false,
        ),
        (
            "Rule: 'NotIn' operator does not match, should fall back to container policy",
            never(rule(NotIn, &[10, 20])),
            empty,
            10,
            false,
        ),
        (
            "Container Policy: 'Always'",
            own(RestartPolicy::Always),
            RestartPolicy::Never,
            0,
            true,
        ),
        (
            "Container Policy: 'OnFailure' with exit code 0",
            own(RestartPolicy::OnFailure),
            RestartPolicy::Never,
            0,
            false,
        ),
        (
            "Container Policy: 'OnFailure' with non-zero exit code",
            own(RestartPolicy::OnFailure),
            RestartPolicy::Never,
            1,
            true,
        ),
        (
            "Container Policy: 'Never' should return false",
            own(RestartPolicy::Never),
            RestartPolicy::Always,
            1,
            false,
        ),
        (
            "Pod Policy: Fallback to pod 'Always'",
            ContainerSpec::new("c"),
            RestartPolicy::Always,
            0,
            true,
        ),
        (
            "Pod Policy: Fallback to pod 'OnFailure' with non-zero exit code",
            ContainerSpec::new("c"),
            RestartPolicy::OnFailure,
            1,
            true,
        ),
        (
            "Pod Policy: Fallback to pod 'Never'",
            ContainerSpec::new("c"),
            RestartPolicy::Never,
            1,
            false,
        ),
        (
            "Pod Policy: Fallback with no policies specified should return true",
            ContainerSpec::new("c"),
            empty,
            0,
            true,
        ),
    ];
    for (name, container, pod, code, want) in cases {
        assert_eq!(
            container.should_restart(pod, code),
            want,
            "TestContainerHasRestartablePolicy [{name}]"
        );
    }
}

/// `util_test.go: TestFindMatchingContainerRestartRule`, "matches the first rule if two rules
/// both matched", seen through `ContainerShouldRestart`: the first matching rule decides even
/// when a later one would too.
#[test]
fn test_find_matching_container_restart_rule_first_wins() {
    let c = ContainerSpec::new("c")
        .with_restart_policy(RestartPolicy::Never)
        .with_restart_rule(rule(ExitCodeOperator::In, &[42, 50, 60]))
        .with_restart_rule(rule(ExitCodeOperator::In, &[42]));
    assert!(c.should_restart(RestartPolicy::Never, 42));
    assert!(
        !c.should_restart(RestartPolicy::Never, 100),
        "no rule matched: own policy Never"
    );
}

/// `util_test.go: TestIsContainerRestartable`.
#[test]
fn test_is_container_restartable() {
    let own = |p| ContainerSpec::new("c").with_restart_policy(p);
    let cases: Vec<(&str, ContainerSpec, RestartPolicy, bool)> = vec![
        (
            "Container: Rule action 'Restart' should always be true",
            own(RestartPolicy::Never)
                .with_restart_rule(RestartRule::new(RestartRuleAction::Restart, None)),
            RestartPolicy::Never,
            true,
        ),
        (
            "Container: Policy 'Always' is restartable",
            own(RestartPolicy::Always),
            RestartPolicy::Never,
            true,
        ),
        (
            "Container: Policy 'OnFailure' is restartable",
            own(RestartPolicy::OnFailure),
            RestartPolicy::Never,
            true,
        ),
        (
            "Container: Policy 'Never' is not restartable",
            own(RestartPolicy::Never),
            RestartPolicy::Always,
            false,
        ),
        (
            "Pod Fallback: Policy 'Always' is restartable",
            ContainerSpec::new("c"),
            RestartPolicy::Always,
            true,
        ),
        (
            "Pod Fallback: Policy 'OnFailure' is restartable",
            ContainerSpec::new("c"),
            RestartPolicy::OnFailure,
            true,
        ),
        (
            "Pod Fallback: Policy 'Never' is not restartable",
            ContainerSpec::new("c"),
            RestartPolicy::Never,
            false,
        ),
        (
            "Pod Fallback: Default empty policy is restartable (since it's not 'Never')",
            ContainerSpec::new("c"),
            RestartPolicy::default(),
            true,
        ),
    ];
    for (name, container, pod, want) in cases {
        assert_eq!(
            container.is_restartable(pod),
            want,
            "TestIsContainerRestartable [{name}]"
        );
    }
}
