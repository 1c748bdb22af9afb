//! proptest properties of the phase, each checked against the spec first:
//!
//! 1. *The phase does not depend on the order of statuses.* True when status names are unique
//!    (the kubelet takes the first status with a container's name, so with duplicates the order
//!    matters: see `duplicate_names_make_order_matter`). Also true for the order of the spec's
//!    containers within each list, and for which of the two status lists holds a status.
//! 2. *A terminal phase is sticky.* False for `getPhase` alone (`aggregate_alone_is_not_sticky`);
//!    true for the phase the kubelet reports, which `generateAPIPodStatus` keeps terminal:
//!    `PhaseTracker` / `sticky`.
//! 3. *Adding a running container to a running pod keeps it running.* False for a sidecar that
//!    is running but not `started` while the pod is not initialized (rule 2b;
//!    `adding_an_unstarted_sidecar_can_make_a_running_pod_pending`) and for a regular init
//!    container (rule 2a). True for a regular container, for a started sidecar, and for any
//!    sidecar once the pod is initialized.

use phase::{
    ContainerSpec, ContainerState, ContainerStatus, Gate, Millis, PhaseFacts, PhaseTracker,
    PodPhase, PodSpec, RestartPolicy, Statuses, Termination, aggregate, sticky,
};
use proptest::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Init,
    Sidecar,
    Regular,
}

#[derive(Clone, Debug)]
struct Ctr {
    role: Role,
    own: Option<RestartPolicy>,
    state: Option<ContainerState>,
    last: Option<i32>,
}

#[derive(Clone, Debug)]
struct Pod {
    policy: RestartPolicy,
    containers: Vec<Ctr>,
}

impl Pod {
    fn spec(&self) -> PodSpec {
        let mut spec = PodSpec::new(self.policy);
        for (i, c) in self.containers.iter().enumerate() {
            let mut cs = ContainerSpec::new(format!("c{i}"));
            let own = if c.role == Role::Sidecar {
                Some(RestartPolicy::Always)
            } else {
                c.own
            };
            if let Some(p) = own {
                cs = cs.with_restart_policy(p);
            }
            spec = match c.role {
                Role::Regular => spec.with_container(cs),
                _ => spec.with_init_container(cs),
            };
        }
        spec
    }

    /// (regular statuses, init statuses)
    fn statuses(&self) -> (Vec<ContainerStatus>, Vec<ContainerStatus>) {
        let mut regular = Vec::new();
        let mut init = Vec::new();
        for (i, c) in self.containers.iter().enumerate() {
            let Some(state) = c.state.clone() else {
                continue;
            };
            let mut s = ContainerStatus::new(format!("c{i}"), state);
            if let Some(code) = c.last {
                s = s.with_last_termination(Termination::new(code, Millis(1)));
            }
            match c.role {
                Role::Regular => regular.push(s),
                _ => init.push(s),
            }
        }
        (regular, init)
    }

    fn phase(&self, facts: PhaseFacts) -> PodPhase {
        let (regular, init) = self.statuses();
        aggregate(&self.spec(), Statuses::new(&regular, &init), facts)
    }
}

fn policy() -> impl Strategy<Value = RestartPolicy> {
    prop_oneof![
        Just(RestartPolicy::Always),
        Just(RestartPolicy::OnFailure),
        Just(RestartPolicy::Never)
    ]
}

fn code() -> impl Strategy<Value = i32> {
    prop_oneof![Just(0), Just(1), Just(137), any::<i32>()]
}

fn state() -> impl Strategy<Value = Option<ContainerState>> {
    prop_oneof![
        Just(None),
        Just(Some(ContainerState::Unset)),
        Just(Some(ContainerState::Waiting { reason: None })),
        any::<bool>().prop_map(|started| Some(ContainerState::Running {
            started_at: Millis(1),
            started
        })),
        code().prop_map(|c| Some(ContainerState::terminated(c, Millis(2)))),
    ]
}

fn container() -> impl Strategy<Value = Ctr> {
    (
        prop_oneof![Just(Role::Init), Just(Role::Sidecar), Just(Role::Regular)],
        proptest::option::of(policy()),
        state(),
        proptest::option::of(code()),
    )
        .prop_map(|(role, own, state, last)| Ctr {
            role,
            own,
            state,
            last,
        })
}

fn pod() -> impl Strategy<Value = Pod> {
    (policy(), proptest::collection::vec(container(), 0..6))
        .prop_map(|(policy, containers)| Pod { policy, containers })
}

fn facts() -> impl Strategy<Value = PhaseFacts> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(t, i, s, g)| {
        let mut f = PhaseFacts::new().with_gate(if g { Gate::Enabled } else { Gate::Disabled });
        if t {
            f = f.terminal();
        }
        if i {
            f = f.initialized();
        }
        if s {
            f = f.static_pod();
        }
        f
    })
}

/// Applies a permutation (given as sort keys) to a vector.
fn permute<T: Clone>(items: &[T], keys: &[u32]) -> Vec<T> {
    let mut idx: Vec<usize> = (0..items.len()).collect();
    idx.sort_by_key(|&i| keys.get(i).copied().unwrap_or(0));
    idx.into_iter().map(|i| items[i].clone()).collect()
}

/// proptest settings: `cases` cases, failures persisted beside this file.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        max_global_rejects: 100_000,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(2_000))]

    #[test]
    fn phase_is_independent_of_status_order(
        pod in pod(),
        facts in facts(),
        keys_a in proptest::collection::vec(any::<u32>(), 6),
        keys_b in proptest::collection::vec(any::<u32>(), 6),
        swap_lists in any::<bool>(),
    ) {
        let spec = pod.spec();
        let (regular, init) = pod.statuses();
        let want = aggregate(&spec, Statuses::new(&regular, &init), facts);
        let regular2 = permute(&regular, &keys_a);
        let init2 = permute(&init, &keys_b);
        let got = aggregate(&spec, Statuses::new(&regular2, &init2), facts);
        prop_assert_eq!(got, want);
        if swap_lists {
            // Names are unique, so which list holds a status does not matter either.
            let got = aggregate(&spec, Statuses::new(&init2, &regular2), facts);
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn phase_is_independent_of_container_order_within_each_list(
        pod in pod(),
        facts in facts(),
        keys in proptest::collection::vec(any::<u32>(), 6),
    ) {
        let spec = pod.spec();
        let (regular, init) = pod.statuses();
        let want = aggregate(&spec, Statuses::new(&regular, &init), facts);
        let mut shuffled = spec.clone();
        shuffled.containers = permute(&spec.containers, &keys);
        shuffled.init_containers = permute(&spec.init_containers, &keys);
        prop_assert_eq!(aggregate(&shuffled, Statuses::new(&regular, &init), facts), want);
    }

    #[test]
    fn reported_terminal_phase_is_sticky(
        pods in proptest::collection::vec((pod(), facts()), 1..8),
    ) {
        let mut tracker = PhaseTracker::new();
        let mut first_terminal = None;
        for (pod, facts) in &pods {
            let (regular, init) = pod.statuses();
            let reported = tracker.handle_statuses(&pod.spec(), Statuses::new(&regular, &init), *facts);
            match first_terminal {
                Some(t) => prop_assert_eq!(reported, t),
                None if reported.is_terminal() => first_terminal = Some(reported),
                None => prop_assert_eq!(reported, aggregate(&pod.spec(), Statuses::new(&regular, &init), *facts)),
            }
        }
    }

    #[test]
    fn sticky_keeps_any_terminal_previous(prev in prop::sample::select(PodPhase::ALL.to_vec()), now in prop::sample::select(PodPhase::ALL.to_vec())) {
        let got = sticky(Some(prev), now);
        prop_assert_eq!(got, if prev.is_terminal() { prev } else { now });
    }
}

proptest! {
    // Most random pods are not Running; the law needs many tries to get 500 that are.
    #![proptest_config(config(500))]

    #[test]
    fn adding_a_running_container_keeps_a_running_pod_running(
        pod in pod(),
        facts in facts(),
        role in prop_oneof![Just(Role::Regular), Just(Role::Sidecar)],
        started in any::<bool>(),
        own in proptest::option::of(policy()),
    ) {
        prop_assume!(pod.phase(facts) == PodPhase::Running);
        // The true law's side condition: a sidecar must be started, or the pod initialized.
        let initialized = facts.initialized == phase::Initialized::Yes;
        prop_assume!(role == Role::Regular || started || initialized);
        let mut bigger = pod.clone();
        bigger.containers.push(Ctr {
            role,
            own,
            state: Some(ContainerState::Running { started_at: Millis(5), started }),
            last: None,
        });
        prop_assert_eq!(bigger.phase(facts), PodPhase::Running);
    }
}

#[test]
fn duplicate_names_make_order_matter() {
    let spec = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("a"));
    let a_done = ContainerStatus::new("a", ContainerState::terminated(0, Millis(1)));
    let a_running = ContainerStatus::new("a", ContainerState::running(Millis(1)));
    let one = [a_done.clone(), a_running.clone()];
    let other = [a_running, a_done];
    let f = PhaseFacts::new();
    assert_eq!(
        aggregate(&spec, Statuses::new(&one, &[]), f),
        PodPhase::Succeeded
    );
    assert_eq!(
        aggregate(&spec, Statuses::new(&other, &[]), f),
        PodPhase::Running
    );
}

#[test]
fn aggregate_alone_is_not_sticky() {
    let spec = PodSpec::new(RestartPolicy::Never).with_container(ContainerSpec::new("a"));
    let failed = [ContainerStatus::new(
        "a",
        ContainerState::terminated(1, Millis(1)),
    )];
    let running = [ContainerStatus::new(
        "a",
        ContainerState::running(Millis(2)),
    )];
    let f = PhaseFacts::new();
    assert_eq!(
        aggregate(&spec, Statuses::new(&failed, &[]), f),
        PodPhase::Failed
    );
    assert_eq!(
        aggregate(&spec, Statuses::new(&running, &[]), f),
        PodPhase::Running
    );
    let mut tracker = PhaseTracker::new();
    tracker.handle_statuses(&spec, Statuses::new(&failed, &[]), f);
    assert_eq!(
        tracker.handle_statuses(&spec, Statuses::new(&running, &[]), f),
        PodPhase::Failed
    );
}

#[test]
fn adding_an_unstarted_sidecar_can_make_a_running_pod_pending() {
    let spec = PodSpec::new(RestartPolicy::Always).with_container(ContainerSpec::new("a"));
    let regular = [ContainerStatus::new(
        "a",
        ContainerState::running(Millis(1)),
    )];
    let f = PhaseFacts::new();
    assert_eq!(
        aggregate(&spec, Statuses::new(&regular, &[]), f),
        PodPhase::Running
    );
    let bigger = spec
        .with_init_container(ContainerSpec::new("s").with_restart_policy(RestartPolicy::Always));
    let init = [ContainerStatus::new(
        "s",
        ContainerState::Running {
            started_at: Millis(2),
            started: false,
        },
    )];
    assert_eq!(
        aggregate(&bigger, Statuses::new(&regular, &init), f),
        PodPhase::Pending
    );
    assert_eq!(
        aggregate(&bigger, Statuses::new(&regular, &init), f.initialized()),
        PodPhase::Running
    );
}
