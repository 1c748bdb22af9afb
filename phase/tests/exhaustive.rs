//! Exhaustive bounded check of `phase::aggregate` against a naive model written from the prose
//! of spec/kubernetes.md sections 1 and 2.2 (not from the implementation): every pod of up to 3
//! containers, each an init container, a sidecar or a regular container, with every own restart
//! policy (plus a regular container with an exit-code rule), in every state kind with exit codes
//! {0, 1, 137}, under every pod policy and every combination of the terminal / initialized /
//! static facts. The gate-off behaviour is checked the same way for up to 2 containers.
//!
//! Prints `phase exhaustive: N cases` (the lead greps it for `cargo xtask verify`).

use phase::{
    ContainerSpec, ContainerState, ContainerStatus, ExitCodeOperator, ExitCodes, Gate, Millis,
    PhaseFacts, PodPhase, PodSpec, RestartPolicy, RestartRule, Statuses, Termination, aggregate,
};

const CODES: [i32; 3] = [0, 1, 137];

/// What the kubelet sees of one container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    NoStatus,
    Unset,
    Waiting { last: Option<i32> },
    Running { started: bool },
    Terminated(i32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Init,
    Sidecar,
    Regular,
}

/// The container's own restart settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Own {
    Unset,
    Policy(RestartPolicy),
    /// Own policy `Never` plus one rule: restart when the exit code is 137.
    NeverButRestartOn137,
}

#[derive(Clone, Copy, Debug)]
struct Ctr {
    role: Role,
    own: Own,
    seen: Seen,
}

fn every_seen() -> Vec<Seen> {
    let mut v = vec![Seen::NoStatus, Seen::Unset, Seen::Waiting { last: None }];
    v.extend(CODES.map(|c| Seen::Waiting { last: Some(c) }));
    v.extend([
        Seen::Running { started: false },
        Seen::Running { started: true },
    ]);
    v.extend(CODES.map(Seen::Terminated));
    v
}

fn every_container() -> Vec<Ctr> {
    use RestartPolicy::{Always, Never, OnFailure};
    let roles_and_owns: Vec<(Role, Own)> = vec![
        (Role::Init, Own::Unset),
        (Role::Init, Own::Policy(OnFailure)),
        (Role::Init, Own::Policy(Never)),
        (Role::Sidecar, Own::Policy(Always)),
        (Role::Regular, Own::Unset),
        (Role::Regular, Own::Policy(Always)),
        (Role::Regular, Own::Policy(OnFailure)),
        (Role::Regular, Own::Policy(Never)),
        (Role::Regular, Own::NeverButRestartOn137),
    ];
    let mut all = Vec::new();
    for (role, own) in roles_and_owns {
        for seen in every_seen() {
            all.push(Ctr { role, own, seen });
        }
    }
    all
}

// ------------------------------------------------------------------------------------------
// The naive model, from the spec's prose.
// ------------------------------------------------------------------------------------------

/// Section 2.2: will a container that exited with `code` be restarted?
fn model_restarts(own: Own, pod: RestartPolicy, code: i32) -> bool {
    let by_policy = |p: RestartPolicy| match p {
        RestartPolicy::Always => true,
        RestartPolicy::OnFailure => code != 0,
        RestartPolicy::Never => false,
    };
    match own {
        Own::Unset => by_policy(pod),
        Own::Policy(p) => by_policy(p),
        Own::NeverButRestartOn137 => code == 137,
    }
}

#[derive(Clone, Copy)]
struct Facts {
    terminal: bool,
    initialized: bool,
    static_pod: bool,
    gate_on: bool,
}

/// Section 1 as predicates over the containers (no counters).
fn model_phase(pod: RestartPolicy, cs: &[Ctr], f: Facts) -> PodPhase {
    let inits = || cs.iter().filter(|c| c.role == Role::Init);
    let sidecars = || cs.iter().filter(|c| c.role == Role::Sidecar);
    let regulars = || cs.iter().filter(|c| c.role == Role::Regular);
    let main = || cs.iter().filter(|c| c.role != Role::Init);

    // The exit code an init container failed with, if it did.
    let init_failure = |c: &Ctr| match c.seen {
        Seen::Terminated(code) | Seen::Waiting { last: Some(code) } if code != 0 => Some(code),
        _ => None,
    };
    // Decision 1.
    let init_fails_pod = if f.gate_on {
        inits().any(|c| init_failure(c).is_some_and(|code| !model_restarts(c.own, pod, code)))
    } else {
        pod == RestartPolicy::Never && inits().any(|c| init_failure(c).is_some())
    };
    if init_fails_pod {
        return PodPhase::Failed;
    }
    // Decision 2.
    let init_unfinished = inits().any(|c| {
        matches!(
            c.seen,
            Seen::NoStatus | Seen::Unset | Seen::Running { .. } | Seen::Waiting { last: None }
        )
    });
    let sidecar_unstarted = sidecars().any(|c| {
        matches!(
            c.seen,
            Seen::Running { started: false } | Seen::Waiting { last: None } | Seen::Unset
        )
    });
    let never_ran_and_waits = main().any(|c| c.seen == Seen::Waiting { last: None });
    if init_unfinished || (sidecar_unstarted && !f.initialized) || never_ran_and_waits {
        return PodPhase::Pending;
    }
    // Decision 3.
    let anything_unknown = main().any(|c| matches!(c.seen, Seen::NoStatus | Seen::Unset));
    let anything_runs = main().any(|c| matches!(c.seen, Seen::Running { .. }));
    if anything_runs && !anything_unknown {
        return PodPhase::Running;
    }
    // Decision 4. "Stopped" regular containers, with the code they stopped with.
    let stopped: Vec<(Ctr, i32, bool)> = regulars()
        .filter_map(|c| match c.seen {
            Seen::Terminated(code) => Some((*c, code, code == 0)),
            // A waiting container that ran before is stopped but never "succeeded".
            Seen::Waiting { last: Some(code) } => Some((*c, code, false)),
            _ => None,
        })
        .collect();
    if !anything_runs && !stopped.is_empty() && !anything_unknown {
        let verdict = if stopped.iter().all(|s| s.2) {
            PodPhase::Succeeded
        } else {
            PodPhase::Failed
        };
        if f.terminal && !f.static_pod {
            return verdict;
        }
        if f.gate_on {
            let some_restart = stopped
                .iter()
                .any(|(c, code, _)| model_restarts(c.own, pod, *code));
            return if some_restart {
                PodPhase::Running
            } else {
                verdict
            };
        }
        return match pod {
            RestartPolicy::Always => PodPhase::Running,
            _ if verdict == PodPhase::Succeeded => PodPhase::Succeeded,
            RestartPolicy::Never => PodPhase::Failed,
            RestartPolicy::OnFailure => PodPhase::Running,
        };
    }
    // Decision 5.
    PodPhase::Pending
}

// ------------------------------------------------------------------------------------------
// Building the crate's inputs.
// ------------------------------------------------------------------------------------------

const NAMES: [&str; 3] = ["c0", "c1", "c2"];

fn build(pod: RestartPolicy, cs: &[Ctr]) -> (PodSpec, Vec<ContainerStatus>, Vec<ContainerStatus>) {
    let mut spec = PodSpec::new(pod);
    let mut regular = Vec::new();
    let mut init = Vec::new();
    for (i, c) in cs.iter().enumerate() {
        let name = NAMES[i];
        let mut container = ContainerSpec::new(name);
        match c.own {
            Own::Unset => {}
            Own::Policy(p) => container = container.with_restart_policy(p),
            Own::NeverButRestartOn137 => {
                container = container
                    .with_restart_policy(RestartPolicy::Never)
                    .with_restart_rule(RestartRule::restart_on(ExitCodes::new(
                        ExitCodeOperator::In,
                        [137],
                    )))
            }
        }
        let status = match c.seen {
            Seen::NoStatus => None,
            Seen::Unset => Some(ContainerStatus::new(name, ContainerState::Unset)),
            Seen::Waiting { last } => {
                let s = ContainerStatus::new(name, ContainerState::Waiting { reason: None });
                Some(match last {
                    Some(code) => s.with_last_termination(Termination::new(code, Millis(1))),
                    None => s,
                })
            }
            Seen::Running { started } => Some(ContainerStatus::new(
                name,
                ContainerState::Running {
                    started_at: Millis(1),
                    started,
                },
            )),
            Seen::Terminated(code) => Some(ContainerStatus::new(
                name,
                ContainerState::terminated(code, Millis(2)),
            )),
        };
        let list = if c.role == Role::Regular {
            spec = spec.with_container(container);
            &mut regular
        } else {
            spec = spec.with_init_container(container);
            &mut init
        };
        list.extend(status);
    }
    (spec, regular, init)
}

fn facts_of(f: Facts) -> PhaseFacts {
    let mut p = PhaseFacts::new().with_gate(if f.gate_on {
        Gate::Enabled
    } else {
        Gate::Disabled
    });
    if f.terminal {
        p = p.terminal();
    }
    if f.initialized {
        p = p.initialized();
    }
    if f.static_pod {
        p = p.static_pod();
    }
    p
}

/// Every fact combination; `static` only matters together with `terminal`.
fn every_facts(gate_on: bool) -> Vec<Facts> {
    let mut v = Vec::new();
    for terminal in [false, true] {
        for initialized in [false, true] {
            for static_pod in [false, true] {
                if static_pod && !terminal {
                    continue;
                }
                v.push(Facts {
                    terminal,
                    initialized,
                    static_pod,
                    gate_on,
                });
            }
        }
    }
    v
}

/// Checks every pod of up to `max` containers; returns the number of cases.
fn check_all(max: usize, gate_on: bool) -> u64 {
    let all = every_container();
    let facts = every_facts(gate_on);
    let mut cases = 0u64;
    let mut mismatches = Vec::new();
    let mut pod: Vec<Ctr> = Vec::with_capacity(max);
    // Odometer over container choices, for each length 0..=max.
    for len in 0..=max {
        let mut idx = vec![0usize; len];
        loop {
            pod.clear();
            pod.extend(idx.iter().map(|&i| all[i]));
            for policy in RestartPolicy::ALL {
                let (spec, regular, init) = build(policy, &pod);
                for &f in &facts {
                    let got = aggregate(&spec, Statuses::new(&regular, &init), facts_of(f));
                    let want = model_phase(policy, &pod, f);
                    cases += 1;
                    if got != want && mismatches.len() < 10 {
                        mismatches.push(format!("{policy:?} {pod:?} terminal={} initialized={} static={} gate_on={}: model {want:?}, crate {got:?}",
                            f.terminal, f.initialized, f.static_pod, f.gate_on));
                    }
                    // Invariant: a terminal, non-static pod whose containers all stopped is terminal.
                    if f.terminal && !f.static_pod && got == PodPhase::Running {
                        assert!(
                            pod.iter()
                                .any(|c| c.role != Role::Init
                                    && matches!(c.seen, Seen::Running { .. })),
                            "terminal pod Running without a running container: {pod:?}"
                        );
                    }
                }
            }
            // Next combination.
            let mut k = 0;
            while k < len {
                idx[k] += 1;
                if idx[k] < all.len() {
                    break;
                }
                idx[k] = 0;
                k += 1;
            }
            if k == len {
                break;
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "crate and model disagree:\n{}",
        mismatches.join("\n")
    );
    cases
}

#[test]
fn exhaustive_up_to_three_containers_gate_on_and_two_gate_off() {
    let on = check_all(3, true);
    let off = check_all(2, false);
    let per_container = every_container().len() as u64;
    // 1 + n + n^2 + n^3 pods, 3 pod policies, 6 fact combinations.
    let pods_on = 1 + per_container + per_container.pow(2) + per_container.pow(3);
    assert_eq!(on, pods_on * 3 * 6);
    assert_eq!(off, (1 + per_container + per_container.pow(2)) * 3 * 6);
    println!("phase exhaustive: {} cases", on + off);
}
