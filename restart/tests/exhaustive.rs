//! Exhaustive bounded checks.
//!
//! 1. The container decision over its whole input domain (pod policy, pod condition, container
//!    list, own policy, restart rules, last run with exit codes {none, 0, 1, 137}), against a
//!    naive reference written from the spec's prose, and against Kubernetes'
//!    `ShouldContainerBeRestarted` where the two speak about the same thing.
//! 2. The tracker over a small lifecycle domain (1 or 2 containers, every pod policy, both
//!    scopes, both origins, hooks or none, first exit code in {0, 1, 137}, with and without a
//!    delete request), simulated to the end and checked against the invariants of
//!    `support::checks`.
//!
//! Prints `restart exhaustive: N cases` (collected by `cargo xtask verify`).

mod support;

use std::time::Duration;

use phase::{
    ContainerId, ContainerList, ContainerSpec, ContainerState, ExitCodeOperator, ExitCodes, Millis,
    PodSpec, RestartPolicy, RestartRule,
};
use restart::{
    Action, Backoff, BackoffConfig, DEFAULT_HOOK_TIMEOUT, Decision, DecisionInput, Event, ExitHow,
    FinalStatus, Hooks, LastRun, PodCondition, PodConfig, PodOrigin, RestartScope, decide,
    should_container_be_restarted,
};
use support::{RunScript, Script, Sim, checks, dur, secs};

#[derive(Debug, PartialEq, Eq)]
enum Expect {
    Start,
    Keep,
    Restart,
    NoRestart,
}

/// The decision, read straight from the prose of spec/kubernetes.md sections 2.1 to 2.3 and the
/// crate's stated decisions, as a chain of ifs.
fn reference(
    pod_policy: RestartPolicy,
    condition: PodCondition,
    list: ContainerList,
    own: Option<RestartPolicy>,
    rules: &[RestartRule],
    last: LastRun,
) -> Expect {
    // A pod being deleted never restarts anything.
    if condition == PodCondition::Terminating {
        return Expect::NoRestart;
    }
    let (how, code) = match last {
        // No status, or created/unknown: start it, whatever the policy.
        LastRun::NoStatus | LastRun::Unknown => return Expect::Start,
        LastRun::Running => return Expect::Keep,
        LastRun::Exited { how, code, .. } => (how, code),
    };
    // Stopped because the pod stops: never restarted.
    if how == ExitHow::Stopped {
        return Expect::NoRestart;
    }
    // Sidecars restart always.
    if list == ContainerList::Init && own == Some(RestartPolicy::Always) {
        return Expect::Restart;
    }
    // An init container that exited 0 is done.
    if list == ContainerList::Init && how == ExitHow::Exited && code == Some(0) {
        return Expect::NoRestart;
    }
    let policy = own.unwrap_or(pod_policy);
    // Killed for a failure: restarted unless Never.
    if how == ExitHow::Failed {
        return if policy == RestartPolicy::Never {
            Expect::NoRestart
        } else {
            Expect::Restart
        };
    }
    // Exited by itself: the first matching rule (only with an own policy), then the policy.
    if let (Some(_), Some(code)) = (own, code) {
        for rule in rules {
            if rule.exit_codes.as_ref().is_some_and(|c| match c.operator {
                ExitCodeOperator::In => c.values.contains(&code),
                ExitCodeOperator::NotIn => !c.values.contains(&code),
            }) {
                return Expect::Restart;
            }
        }
    }
    match policy {
        RestartPolicy::Always => Expect::Restart,
        RestartPolicy::OnFailure if code != Some(0) => Expect::Restart,
        RestartPolicy::OnFailure | RestartPolicy::Never => Expect::NoRestart,
    }
}

fn rule_sets() -> Vec<Vec<RestartRule>> {
    let r = |op, v: &[i32]| RestartRule::restart_on(ExitCodes::new(op, v.iter().copied()));
    vec![
        vec![],
        vec![r(ExitCodeOperator::In, &[1])],
        vec![r(ExitCodeOperator::NotIn, &[0])],
        vec![
            r(ExitCodeOperator::In, &[137]),
            r(ExitCodeOperator::NotIn, &[1]),
        ],
    ]
}

fn last_runs() -> Vec<LastRun> {
    let mut v = vec![LastRun::NoStatus, LastRun::Unknown, LastRun::Running];
    for how in ExitHow::ALL {
        for code in [None, Some(0), Some(1), Some(137)] {
            v.push(LastRun::Exited {
                how,
                code,
                at: Millis::from_secs(5),
            });
        }
    }
    v
}

fn decision_domain() -> usize {
    let backoff = Backoff::new(BackoffConfig::default());
    let now = Millis::from_secs(5);
    let mut n = 0;
    for pod_policy in RestartPolicy::ALL {
        for condition in PodCondition::ALL {
            for list in [ContainerList::Init, ContainerList::Regular] {
                for own in [
                    None,
                    Some(RestartPolicy::Always),
                    Some(RestartPolicy::OnFailure),
                    Some(RestartPolicy::Never),
                ] {
                    for rules in rule_sets() {
                        let mut spec = ContainerSpec::new("c");
                        spec.restart_policy = own;
                        spec.restart_policy_rules.clone_from(&rules);
                        for last in last_runs() {
                            let input = DecisionInput {
                                pod_policy,
                                condition,
                                kind: spec.kind(list),
                                container: &spec,
                                last,
                            };
                            let got = decide(&input, &backoff, now);
                            let want = reference(pod_policy, condition, list, own, &rules, last);
                            let got_simple = match got {
                                Decision::Start => Expect::Start,
                                Decision::Keep => Expect::Keep,
                                Decision::Restart { after } => {
                                    // No backoff entry yet: the first restart is immediate.
                                    assert_eq!(after, Duration::ZERO);
                                    Expect::Restart
                                }
                                Decision::DoNotRestart { .. } => Expect::NoRestart,
                            };
                            assert_eq!(
                                got_simple, want,
                                "{pod_policy} {condition:?} {list:?} {own:?} {rules:?} {last:?}"
                            );
                            // Where Kubernetes' ShouldContainerBeRestarted speaks (a regular
                            // container's own exit with a code), it agrees.
                            if let (
                                ContainerList::Regular,
                                LastRun::Exited {
                                    how: ExitHow::Exited,
                                    code: Some(code),
                                    ..
                                },
                            ) = (list, last)
                            {
                                let state = ContainerState::terminated(code, now);
                                let k8s = should_container_be_restarted(
                                    pod_policy,
                                    condition,
                                    &spec,
                                    Some(&state),
                                );
                                assert_eq!(
                                    k8s,
                                    want == Expect::Restart,
                                    "ShouldContainerBeRestarted {pod_policy} {own:?} {rules:?} {code}"
                                );
                            }
                            n += 1;
                        }
                    }
                }
            }
        }
    }
    n
}

fn lifecycle_domain() -> usize {
    let mut n = 0;
    for policy in RestartPolicy::ALL {
        for scope in RestartScope::ALL {
            for origin in PodOrigin::ALL {
                for containers in 1..=2usize {
                    for hooks in [false, true] {
                        let codes: Vec<Vec<i32>> = match containers {
                            1 => [0, 1, 137].iter().map(|&c| vec![c]).collect(),
                            _ => [0, 1, 137]
                                .iter()
                                .flat_map(|&a| [0, 1, 137].map(|b| vec![a, b]))
                                .collect(),
                        };
                        for first_codes in codes {
                            for delete_at in [None, Some(Millis(500)), Some(secs(15))] {
                                run_one(policy, scope, origin, hooks, &first_codes, delete_at);
                                n += 1;
                            }
                        }
                    }
                }
            }
        }
    }
    n
}

fn run_one(
    policy: RestartPolicy,
    scope: RestartScope,
    origin: PodOrigin,
    hooks: bool,
    first_codes: &[i32],
    delete_at: Option<Millis>,
) {
    let spec = (0..first_codes.len()).fold(PodSpec::new(policy), |p, i| {
        p.with_container(ContainerSpec::new(format!("c{i}")))
    });
    let mut cfg = PodConfig::new(spec)
        .with_scope(scope)
        .with_origin(origin)
        .with_grace_period(dur(5));
    let mut script = Script::new();
    for (i, &code) in first_codes.iter().enumerate() {
        let id = ContainerId::regular(i);
        if hooks {
            cfg = cfg.with_hooks(id, Hooks::all(DEFAULT_HOOK_TIMEOUT));
        }
        // The first run exits with `code` after 2 s (+1 s per index), then every later run
        // exits 0 after 1 s.
        script = script.runs(
            id,
            [
                RunScript::exits(dur(2 + i as u64), code),
                RunScript::exits(dur(1), 0),
            ],
        );
    }
    let mut sim = Sim::new(cfg.clone(), script);
    if let Some(t) = delete_at {
        sim.inject_at(t, Event::Delete { grace: None });
    }
    sim.run_until(secs(3_000));
    let case = format!(
        "{policy} {scope:?} {origin:?} hooks={hooks} codes={first_codes:?} delete={delete_at:?}"
    );
    if let Err(e) = checks::all(&sim, &cfg, None) {
        panic!("{case}: {e}\n{:#?}", sim.log);
    }
    let last = sim.actions().last().copied();
    let all_ok = first_codes.iter().all(|&c| c == 0);
    let expected_end = match (delete_at, scope, policy) {
        (Some(_), ..) => Some(Action::DeletePod),
        // Container scope, Always: it restarts forever (every run exits, every exit restarts).
        (None, RestartScope::Container, RestartPolicy::Always) => None,
        (None, RestartScope::Pod, RestartPolicy::Always) => None,
        // OnFailure: failures are retried until a run exits 0; then the pod succeeds.
        (None, RestartScope::Container | RestartScope::Pod, RestartPolicy::OnFailure) => {
            Some(finish(origin, FinalStatus::Succeeded))
        }
        (None, _, RestartPolicy::Never) => Some(finish(origin, FinalStatus::from_success(all_ok))),
    };
    match expected_end {
        Some(end) => assert_eq!(last, Some(end), "{case}\n{:#?}", sim.log),
        None => assert!(!sim.tracker.is_finished(), "{case}: finished under Always"),
    }
}

fn finish(origin: PodOrigin, status: FinalStatus) -> Action {
    match origin {
        PodOrigin::Kubernetes => Action::DeletePod,
        PodOrigin::Native => Action::KeepPod { status },
    }
}

#[test]
fn exhaustive() {
    let decisions = decision_domain();
    let lifecycles = lifecycle_domain();
    assert_eq!(decisions, 3 * 2 * 2 * 4 * 4 * 15);
    println!("restart exhaustive: {} cases", decisions + lifecycles);
    println!("  decision: {decisions}, lifecycle: {lifecycles}");
}
