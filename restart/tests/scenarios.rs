//! Scenario tests on the simulation harness: one behaviour per test, virtual clock, no sleeps.

mod support;

use std::time::Duration;

use phase::{ContainerId, ContainerSpec, PodSpec, RestartPolicy};
use restart::{
    Action, DEFAULT_HOOK_TIMEOUT, DaemonExit, Error, Event, FinalStatus, Hook, HookOutcome, Hooks,
    KillCause, Millis, PersistedPod, PersistedStatus, PodConfig, PodOrigin, PodTracker, ProbeKind,
    Recovery, RestartScope, RunState, Signal, Stage, StopReason, recover,
};
use support::{HookScript, RunScript, Script, Sim, dur, secs};

const A: ContainerId = ContainerId::regular(0);
const B: ContainerId = ContainerId::regular(1);
const I0: ContainerId = ContainerId::init(0);
const I1: ContainerId = ContainerId::init(1);

fn pod(policy: RestartPolicy, n: usize) -> PodSpec {
    (0..n).fold(PodSpec::new(policy), |p, i| {
        p.with_container(ContainerSpec::new(format!("c{i}")))
    })
}

/// Compact view of one container's actions: hooks, starts and kills in order.
fn steps(sim: &Sim, c: ContainerId) -> Vec<String> {
    sim.actions_for(c)
        .into_iter()
        .filter_map(|(_, a)| match a {
            Action::RunHook { hook, reason, .. } => Some(match reason {
                Some(r) => format!("{hook}({r})"),
                None => hook.to_string(),
            }),
            Action::StartContainer { .. } => Some("start".into()),
            Action::KillContainer { signal, .. } => Some(format!("{signal:?}")),
            _ => None,
        })
        .collect()
}

#[test]
fn first_start_runs_pre_start_then_post_start_and_restarts_add_post_restart() {
    let cfg = PodConfig::new(pod(RestartPolicy::Always, 1))
        .with_hooks(A, Hooks::all(DEFAULT_HOOK_TIMEOUT));
    let script = Script::new().runs(A, [RunScript::exits(dur(5), 1), RunScript::FOREVER]);
    let mut sim = Sim::new(cfg, script);
    sim.run_until(secs(60));
    assert_eq!(
        steps(&sim, A),
        [
            "preStart",
            "start",
            "postStart",
            "preStart",
            "start",
            "postRestart",
            "postStart"
        ]
    );
}

#[test]
fn post_start_runs_after_the_container_is_reported_started() {
    let cfg = PodConfig::new(pod(RestartPolicy::Always, 1))
        .with_hooks(A, Hooks::none().with(Hook::PostStart, dur(5)));
    let script = Script::new().runs(
        A,
        [RunScript {
            start_delay: Some(dur(3)),
            ..RunScript::FOREVER
        }],
    );
    let mut sim = Sim::new(cfg, script);
    sim.run_until(secs(10));
    let hook_at = sim
        .log
        .iter()
        .find(|(_, a)| {
            matches!(
                a,
                Action::RunHook {
                    hook: Hook::PostStart,
                    ..
                }
            )
        })
        .map(|(t, _)| *t);
    assert_eq!(hook_at, Some(secs(3)));
}

#[test]
fn failed_post_start_kills_the_container_with_pre_stop_health_then_it_restarts() {
    let cfg = PodConfig::new(pod(RestartPolicy::OnFailure, 1)).with_hooks(
        A,
        Hooks::none()
            .with(Hook::PostStart, dur(5))
            .with(Hook::PreStop, dur(5)),
    );
    let script = Script::new()
        .hook(A, Hook::PostStart, [HookScript::FAIL, HookScript::OK])
        .runs(A, [RunScript::FOREVER]);
    let mut sim = Sim::new(cfg, script);
    sim.run_until(secs(60));
    assert_eq!(
        steps(&sim, A),
        [
            "start",
            "postStart",
            "preStop(Health)",
            "Stop",
            "start",
            "postStart"
        ]
    );
    let kill = sim
        .actions()
        .into_iter()
        .find(|a| matches!(a, Action::KillContainer { .. }));
    assert!(matches!(
        kill,
        Some(Action::KillContainer {
            cause: KillCause::PostStartHook,
            ..
        })
    ));
    assert_eq!(sim.tracker.restart_count(A), Some(1));
}

#[test]
fn failed_post_start_under_never_is_not_restarted() {
    let cfg = PodConfig::new(pod(RestartPolicy::Never, 1))
        .with_hooks(A, Hooks::none().with(Hook::PostStart, dur(5)));
    let script = Script::new().hook(A, Hook::PostStart, [HookScript::FAIL]);
    let mut sim = Sim::new(cfg, script);
    sim.run_until(secs(60));
    assert_eq!(sim.starts(A).len(), 1);
    assert_eq!(
        sim.actions().last(),
        Some(&Action::KeepPod {
            status: FinalStatus::Failed
        })
    );
}

#[test]
fn hanging_post_start_times_out_and_kills() {
    let cfg = PodConfig::new(pod(RestartPolicy::Never, 1))
        .with_hooks(A, Hooks::none().with(Hook::PostStart, dur(4)));
    let script = Script::new().hook(A, Hook::PostStart, [HookScript::HANG]);
    let mut sim = Sim::new(cfg, script);
    sim.run_until(secs(60));
    let kill = sim
        .log
        .iter()
        .find(|(_, a)| matches!(a, Action::KillContainer { .. }))
        .copied();
    assert!(
        matches!(kill, Some((t, Action::KillContainer { cause: KillCause::PostStartHook, .. })) if t == secs(4))
    );
}

#[test]
fn failed_pre_start_skips_the_start_and_counts_as_a_failed_run() {
    let cfg = PodConfig::new(pod(RestartPolicy::OnFailure, 1))
        .with_hooks(A, Hooks::none().with(Hook::PreStart, dur(5)));
    let script = Script::new().hook(A, Hook::PreStart, [HookScript::FAIL, HookScript::OK]);
    let mut sim = Sim::new(cfg, script);
    sim.run_until(secs(60));
    assert_eq!(steps(&sim, A), ["preStart", "preStart", "start"]);
    assert!(sim.actions().contains(&Action::RestartAfter {
        container: A,
        after: Duration::ZERO
    }));
}

#[test]
fn pre_stop_time_is_taken_off_the_grace_and_sigkill_follows_the_grace() {
    let cfg = PodConfig::new(pod(RestartPolicy::Always, 1))
        .with_grace_period(dur(30))
        .with_hooks(A, Hooks::none().with(Hook::PreStop, dur(60)));
    let script = Script::new()
        .runs(A, [RunScript::FOREVER.ignoring_stop()])
        .hook(A, Hook::PreStop, [HookScript::ok_after(dur(10))]);
    let mut sim = Sim::new(cfg, script);
    sim.run_until(secs(1));
    sim.inject(Event::Delete { grace: None }).unwrap();
    sim.run_until(secs(100));
    let kills: Vec<_> = sim
        .log
        .iter()
        .filter_map(|(t, a)| match a {
            Action::KillContainer { signal, grace, .. } => Some((*t, *signal, *grace)),
            _ => None,
        })
        .collect();
    assert_eq!(
        kills,
        [
            (secs(11), Signal::Stop, dur(20)),
            (secs(31), Signal::Kill, Duration::ZERO)
        ]
    );
    assert_eq!(sim.actions().last(), Some(&Action::DeletePod));
}

#[test]
fn pre_stop_is_bounded_by_the_grace_period() {
    let cfg = PodConfig::new(pod(RestartPolicy::Always, 1))
        .with_grace_period(dur(5))
        .with_hooks(A, Hooks::none().with(Hook::PreStop, dur(60)));
    let script = Script::new().hook(A, Hook::PreStop, [HookScript::HANG]);
    let mut sim = Sim::new(cfg, script);
    sim.inject(Event::Delete { grace: None }).unwrap_or(());
    sim.run_until(secs(100));
    let run_hook = sim.actions().into_iter().find(|a| {
        matches!(
            a,
            Action::RunHook {
                hook: Hook::PreStop,
                ..
            }
        )
    });
    assert!(matches!(run_hook, Some(Action::RunHook { timeout, .. }) if timeout == dur(5)));
    // After the 5 s timeout, the stop signal still gets the 2 s minimum.
    let stop = sim
        .log
        .iter()
        .find(|(_, a)| {
            matches!(
                a,
                Action::KillContainer {
                    signal: Signal::Stop,
                    ..
                }
            )
        })
        .copied();
    assert!(
        matches!(stop, Some((t, Action::KillContainer { grace, .. })) if t == secs(5) && grace == dur(2))
    );
}

#[test]
fn zero_grace_skips_pre_stop_and_kills_at_once() {
    let cfg = PodConfig::new(pod(RestartPolicy::Always, 1))
        .with_hooks(A, Hooks::none().with(Hook::PreStop, dur(5)));
    let mut sim = Sim::new(cfg, Script::new());
    sim.run_until(secs(1));
    sim.inject(Event::Delete {
        grace: Some(Duration::ZERO),
    })
    .unwrap();
    sim.run_until(secs(2));
    assert_eq!(steps(&sim, A), ["start", "Kill"]);
}

#[test]
fn hooks_of_one_pod_run_one_at_a_time_and_starts_wait_for_post_start() {
    let h = Hooks::none().with(Hook::PostStart, dur(30));
    let cfg = PodConfig::new(pod(RestartPolicy::Always, 2))
        .with_hooks(A, h)
        .with_hooks(B, h);
    let script = Script::new().hook(A, Hook::PostStart, [HookScript::ok_after(dur(7))]);
    let mut sim = Sim::new(cfg, script);
    sim.run_until(secs(20));
    let b_start = sim.starts(B);
    assert_eq!(b_start, [secs(7)]);
    let order: Vec<_> = sim
        .actions()
        .into_iter()
        .filter(|a| !matches!(a, Action::RestartAfter { .. }))
        .collect();
    assert_eq!(order[0], Action::StartContainer { container: A });
    assert!(matches!(
        order[1],
        Action::RunHook {
            container: A,
            hook: Hook::PostStart,
            ..
        }
    ));
    assert_eq!(order[2], Action::StartContainer { container: B });
}

#[test]
fn probes_are_paused_while_a_hook_runs() {
    let h = Hooks::none().with(Hook::PostStart, dur(30));
    let cfg = PodConfig::new(pod(RestartPolicy::Always, 2)).with_hooks(B, h);
    let script = Script::new().hook(B, Hook::PostStart, [HookScript::ok_after(dur(10))]);
    let mut sim = Sim::new(cfg, script);
    sim.run_until(secs(2));
    assert!(sim.tracker.are_probes_paused());
    sim.inject(Event::ProbeFailed {
        container: A,
        probe: ProbeKind::Liveness,
    })
    .unwrap();
    sim.run_until(secs(20));
    assert!(!sim.tracker.are_probes_paused());
    assert!(
        !sim.actions()
            .iter()
            .any(|a| matches!(a, Action::KillContainer { .. }))
    );
    // Once the hook is done, a probe failure is acted on.
    sim.inject(Event::ProbeFailed {
        container: A,
        probe: ProbeKind::Liveness,
    })
    .unwrap();
    assert!(sim.actions().iter().any(|a| matches!(
        a,
        Action::KillContainer {
            cause: KillCause::LivenessProbe,
            ..
        }
    )));
}

#[test]
fn liveness_failure_uses_the_probe_grace_and_restarts_unless_never() {
    for (policy, restarted) in [
        (RestartPolicy::Always, true),
        (RestartPolicy::OnFailure, true),
        (RestartPolicy::Never, false),
    ] {
        let cfg = PodConfig::new(pod(policy, 1)).with_probe_grace_period(A, dur(3));
        // It exits 0 on SIGTERM: still a failure for the restart decision.
        let script = Script::new().runs(
            A,
            [RunScript {
                on_stop: Some((Duration::ZERO, 0)),
                ..RunScript::FOREVER
            }],
        );
        let mut sim = Sim::new(cfg, script);
        sim.run_until(secs(1));
        sim.inject(Event::ProbeFailed {
            container: A,
            probe: ProbeKind::Liveness,
        })
        .unwrap();
        sim.run_until(secs(100));
        assert!(sim.actions().contains(&Action::KillContainer {
            container: A,
            signal: Signal::Stop,
            grace: dur(3),
            cause: KillCause::LivenessProbe
        }));
        assert_eq!(sim.starts(A).len() > 1, restarted, "{policy}");
    }
}

#[test]
fn init_containers_run_one_at_a_time_in_order_before_the_app() {
    let spec = PodSpec::new(RestartPolicy::Always)
        .with_init_container(ContainerSpec::new("i0"))
        .with_init_container(ContainerSpec::new("i1"))
        .with_container(ContainerSpec::new("app"));
    let script = Script::new()
        .runs(I0, [RunScript::exits(dur(2), 0)])
        .runs(I1, [RunScript::exits(dur(3), 0)]);
    let mut sim = Sim::new(PodConfig::new(spec), script);
    sim.run_until(secs(30));
    assert_eq!(sim.starts(I0), [secs(0)]);
    assert_eq!(sim.starts(I1), [secs(2)]);
    assert_eq!(sim.starts(A), [secs(5)]);
    assert_eq!(sim.tracker.stage(), Stage::Running);
}

#[test]
fn a_failed_init_container_is_retried_with_backoff_unless_never() {
    let spec = |p| {
        PodSpec::new(p)
            .with_init_container(ContainerSpec::new("i0"))
            .with_container(ContainerSpec::new("app"))
    };
    let script = || {
        Script::new().runs(
            I0,
            [
                RunScript::exits(dur(1), 1),
                RunScript::exits(dur(1), 1),
                RunScript::exits(dur(1), 0),
            ],
        )
    };
    let mut sim = Sim::new(PodConfig::new(spec(RestartPolicy::Always)), script());
    sim.run_until(secs(60));
    assert_eq!(sim.starts(I0), [secs(0), secs(1), secs(12)]);
    assert_eq!(sim.starts(A), [secs(13)]);

    let mut sim = Sim::new(PodConfig::new(spec(RestartPolicy::Never)), script());
    sim.run_until(secs(60));
    assert_eq!(sim.starts(I0), [secs(0)]);
    assert!(sim.starts(A).is_empty());
    assert_eq!(
        sim.actions().last(),
        Some(&Action::KeepPod {
            status: FinalStatus::Failed
        })
    );
}

#[test]
fn a_sidecar_starts_before_the_next_init_restarts_always_and_stops_last_with_dependency() {
    let sidecar = ContainerSpec::new("proxy").with_restart_policy(RestartPolicy::Always);
    let spec = PodSpec::new(RestartPolicy::Never)
        .with_init_container(sidecar)
        .with_init_container(ContainerSpec::new("setup"))
        .with_container(ContainerSpec::new("app"));
    let cfg = PodConfig::new(spec).with_hooks(I0, Hooks::none().with(Hook::PreStop, dur(5)));
    let script = Script::new()
        .runs(I0, [RunScript::exits(dur(2), 1), RunScript::FOREVER])
        .runs(I1, [RunScript::exits(dur(1), 0)])
        .runs(A, [RunScript::exits(dur(20), 0)]);
    let mut sim = Sim::new(cfg, script);
    sim.run_until(secs(100));
    assert_eq!(sim.starts(I0), [secs(0), secs(2)]); // restarted at once, even under Never
    assert_eq!(sim.starts(I1), [secs(0)]);
    assert_eq!(sim.starts(A), [secs(1)]);
    // The app finished at 21 s: the sidecar is stopped, reason Dependency.
    let pre_stop = sim
        .actions_for(I0)
        .into_iter()
        .find(|(_, a)| matches!(a, Action::RunHook { .. }));
    assert!(
        matches!(pre_stop, Some((t, Action::RunHook { reason: Some(StopReason::Dependency), .. })) if t == secs(21))
    );
    assert_eq!(
        sim.actions().last(),
        Some(&Action::KeepPod {
            status: FinalStatus::Succeeded
        })
    );
}

#[test]
fn sidecars_stop_after_the_others_last_one_first() {
    let sc = |n: &str| ContainerSpec::new(n).with_restart_policy(RestartPolicy::Always);
    let spec = PodSpec::new(RestartPolicy::Always)
        .with_init_container(sc("s0"))
        .with_init_container(sc("s1"))
        .with_container(ContainerSpec::new("app"));
    let script = Script::new().runs(
        A,
        [RunScript {
            on_stop: Some((dur(4), 143)),
            ..RunScript::FOREVER
        }],
    );
    let mut sim = Sim::new(PodConfig::new(spec), script);
    sim.run_until(secs(1));
    sim.inject(Event::Delete { grace: None }).unwrap();
    sim.run_until(secs(100));
    let stops: Vec<_> = sim
        .log
        .iter()
        .filter_map(|(t, a)| match a {
            Action::KillContainer {
                container,
                signal: Signal::Stop,
                ..
            } => Some((*container, *t)),
            _ => None,
        })
        .collect();
    assert_eq!(stops, [(A, secs(1)), (I1, secs(5)), (I0, secs(5))]);
    assert_eq!(sim.actions().last(), Some(&Action::DeletePod));
}

#[test]
fn nothing_restarts_once_the_pod_is_being_deleted() {
    let script = Script::new().runs(A, [RunScript::exits(dur(1), 1)]);
    let mut sim = Sim::new(PodConfig::new(pod(RestartPolicy::Always, 2)), script);
    sim.run_until(secs(0));
    sim.inject(Event::Delete { grace: None }).unwrap();
    sim.run_until(secs(1_000));
    assert_eq!(sim.starts(A).len(), 1);
    assert!(sim.starts(B).len() <= 1);
    assert!(
        !sim.actions()
            .iter()
            .any(|a| matches!(a, Action::RestartAfter { .. }))
    );
    assert_eq!(sim.actions().last(), Some(&Action::DeletePod));
}

#[test]
fn crash_loop_waits_double_up_to_the_cap_and_reset_after_ten_minutes_of_running() {
    let quick = RunScript::exits(dur(1), 1);
    let long = RunScript::exits(dur(601), 1);
    let runs = [quick; 8].into_iter().chain([long, quick]);
    let mut sim = Sim::new(
        PodConfig::new(pod(RestartPolicy::Always, 1)),
        Script::new().runs(A, runs),
    );
    sim.run_until(secs(10_000));
    let waits: Vec<u64> = sim
        .actions()
        .iter()
        .filter_map(|a| match a {
            Action::RestartAfter { after, .. } => Some(after.as_secs()),
            _ => None,
        })
        .take(11)
        .collect();
    assert_eq!(waits, [0, 10, 20, 40, 80, 160, 300, 300, 0, 10, 20]);
}

#[test]
fn pod_scope_recreates_the_whole_pod_once_every_container_finished() {
    let cfg = PodConfig::new(pod(RestartPolicy::OnFailure, 2)).with_scope(RestartScope::Pod);
    let script = Script::new()
        .runs(
            A,
            [RunScript::exits(dur(1), 1), RunScript::exits(dur(1), 0)],
        )
        .runs(
            B,
            [RunScript::exits(dur(5), 0), RunScript::exits(dur(1), 0)],
        );
    let mut sim = Sim::new(cfg, script);
    sim.run_until(secs(100));
    // A failed at 1 s but is not restarted alone; B finished at 5 s; the pod is re-created at once.
    assert_eq!(sim.starts(A), [secs(0), secs(5)]);
    assert!(sim.log.contains(&(
        secs(5),
        Action::RecreatePod {
            after: Duration::ZERO
        }
    )));
    assert!(
        !sim.actions()
            .iter()
            .any(|a| matches!(a, Action::RestartAfter { .. }))
    );
    // The second incarnation succeeds: OnFailure keeps it.
    assert_eq!(
        sim.actions().last(),
        Some(&Action::KeepPod {
            status: FinalStatus::Succeeded
        })
    );
}

#[test]
fn pod_scope_recreation_is_throttled_by_its_own_backoff() {
    let cfg = PodConfig::new(pod(RestartPolicy::Always, 1)).with_scope(RestartScope::Pod);
    let script = Script::new().runs(A, [RunScript::exits(dur(1), 0)]);
    let mut sim = Sim::new(cfg, script);
    sim.run_until(secs(40));
    let recreations: Vec<_> = sim
        .actions()
        .iter()
        .filter_map(|a| match a {
            Action::RecreatePod { after } => Some(after.as_secs()),
            _ => None,
        })
        .collect();
    assert_eq!(&recreations[..3], [0, 10, 20]);
}

#[test]
fn hyper_seed_case_1_and_2_kubernetes_pods_are_deleted_once_finished() {
    for code in [0, 1] {
        let cfg = PodConfig::new(pod(RestartPolicy::Never, 1))
            .with_scope(RestartScope::Pod)
            .with_origin(PodOrigin::Kubernetes);
        let mut sim = Sim::new(
            cfg,
            Script::new().runs(A, [RunScript::exits(dur(100), code)]),
        );
        sim.run_until(secs(50));
        assert_eq!(
            sim.tracker.run_state(A),
            Some(RunState::Running {
                started_at: secs(0)
            })
        );
        sim.run_until(secs(200));
        assert_eq!(sim.actions().last(), Some(&Action::DeletePod));
        assert_eq!(sim.starts(A).len(), 1);
    }
}

#[test]
fn a_hyper_pod_is_kept_with_its_final_status() {
    let cfg = PodConfig::new(pod(RestartPolicy::Never, 2)).with_scope(RestartScope::Pod);
    let script = Script::new()
        .runs(A, [RunScript::exits(dur(1), 0)])
        .runs(B, [RunScript::exits(dur(2), 3)]);
    let mut sim = Sim::new(cfg, script);
    sim.run_until(secs(10));
    assert_eq!(
        sim.actions().last(),
        Some(&Action::KeepPod {
            status: FinalStatus::Failed
        })
    );
    // A kept pod can still be deleted.
    sim.inject(Event::Delete { grace: None }).unwrap();
    assert_eq!(sim.actions().last(), Some(&Action::DeletePod));
}

fn kubernetes_sleep_pod() -> PodConfig {
    PodConfig::new(pod(RestartPolicy::Never, 1))
        .with_scope(RestartScope::Pod)
        .with_origin(PodOrigin::Kubernetes)
}

/// Hyper's seed, case 3: SIGHUP while the Kubernetes pod runs; the next daemon adopts it and it
/// runs to completion (then it is deleted).
#[test]
fn hyper_seed_case_3_sighup_pod_runs_again_after_the_daemon_restart() {
    let mut sim = Sim::new(
        kubernetes_sleep_pod(),
        Script::new().runs(A, [RunScript::exits(dur(100), 0)]),
    );
    sim.run_until(secs(30));
    let persisted = sim.tracker.state();
    // The daemon gets SIGHUP: it leaves the pod alone and exits.
    let record = PersistedPod {
        status: PersistedStatus::Running,
        sandbox_alive: true,
        origin: PodOrigin::Kubernetes,
        scope: RestartScope::Pod,
        policy: RestartPolicy::Never,
    };
    assert_eq!(recover(&record, DaemonExit::Hangup), Recovery::Adopt);
    let mut adopted = PodTracker::from_state(&persisted).unwrap();
    assert_eq!(
        adopted.run_state(A),
        Some(RunState::Running {
            started_at: secs(0)
        })
    );
    adopted.handle_exited(A, 0, secs(100)).unwrap();
    assert_eq!(adopted.poll_action(), Some(Action::DeletePod));
}

/// Hyper's seed, case 4: SIGTERM stops every pod first; after the restart the pod does not run.
#[test]
fn hyper_seed_case_4_sigterm_pod_does_not_run_again() {
    let mut sim = Sim::new(
        kubernetes_sleep_pod(),
        Script::new().runs(A, [RunScript::exits(dur(100), 0)]),
    );
    sim.run_until(secs(30));
    sim.inject(Event::Stop {
        grace: Some(dur(5)),
    })
    .unwrap();
    sim.run_until(secs(40));
    assert!(sim.tracker.is_finished());
    assert_eq!(sim.starts(A).len(), 1);
    let record = PersistedPod {
        status: PersistedStatus::Running,
        sandbox_alive: false,
        origin: PodOrigin::Kubernetes,
        scope: RestartScope::Pod,
        policy: RestartPolicy::Never,
    };
    assert!(!recover(&record, DaemonExit::Terminate).runs());
}

#[test]
fn stop_is_final_even_in_pod_scope_with_always() {
    let cfg = PodConfig::new(pod(RestartPolicy::Always, 1)).with_scope(RestartScope::Pod);
    let mut sim = Sim::new(cfg, Script::new());
    sim.run_until(secs(1));
    sim.inject(Event::Stop { grace: None }).unwrap();
    sim.run_until(secs(100));
    assert!(
        !sim.actions()
            .iter()
            .any(|a| matches!(a, Action::RecreatePod { .. }))
    );
    assert_eq!(
        sim.actions().last(),
        Some(&Action::KeepPod {
            status: FinalStatus::Failed
        })
    );
}

#[test]
fn dependency_loss_kills_with_reason_dependency_and_restarts() {
    let cfg = PodConfig::new(pod(RestartPolicy::OnFailure, 1))
        .with_hooks(A, Hooks::none().with(Hook::PreStop, dur(5)));
    let mut sim = Sim::new(cfg, Script::new());
    sim.run_until(secs(1));
    sim.inject(Event::DependencyLost { container: A }).unwrap();
    sim.run_until(secs(60));
    assert_eq!(
        steps(&sim, A),
        ["start", "preStop(Dependency)", "Stop", "start"]
    );
}

#[test]
fn snapshot_mid_flight_resumes_identically() {
    let cfg = PodConfig::new(pod(RestartPolicy::Always, 2))
        .with_hooks(A, Hooks::all(DEFAULT_HOOK_TIMEOUT));
    let mut t = PodTracker::new(cfg, Millis::ZERO);
    let mut drained = Vec::new();
    while let Some(a) = t.poll_action() {
        drained.push(a);
    }
    t.handle_hook_result(A, Hook::PreStart, HookOutcome::Succeeded, secs(1))
        .unwrap();
    let mut copy = PodTracker::from_state(&t.state()).unwrap();
    for tracker in [&mut t, &mut copy] {
        tracker.handle_started(A, secs(2)).unwrap();
        tracker.handle_exited(A, 1, secs(3)).unwrap();
        tracker.handle_timeout(secs(4));
    }
    assert_eq!(t.state(), copy.state());
    let a: Vec<_> = std::iter::from_fn(|| t.poll_action()).collect();
    let b: Vec<_> = std::iter::from_fn(|| copy.poll_action()).collect();
    assert_eq!(a, b);
    assert!(!a.is_empty());
}

#[test]
fn misuse_is_a_typed_error_and_changes_nothing() {
    let mut t = PodTracker::new(PodConfig::new(pod(RestartPolicy::Never, 2)), Millis::ZERO);
    let before = t.state();
    let c = ContainerId::regular(2);
    assert_eq!(
        t.handle_started(c, secs(1)),
        Err(Error::UnknownContainer { container: c })
    );
    assert!(matches!(
        t.handle_started(B, secs(1)),
        Err(Error::UnexpectedEvent {
            event: "started",
            ..
        })
    ));
    assert_eq!(
        t.handle_hook_result(A, Hook::PostStart, HookOutcome::Succeeded, secs(1)),
        Err(Error::UnexpectedHookResult {
            container: A,
            hook: Hook::PostStart
        })
    );
    assert!(matches!(t.handle_exited(A, 0, secs(1)), Ok(())));
    let after_exit = t.state();
    assert_ne!(before, after_exit);
    assert!(matches!(
        t.handle_started(A, secs(2)),
        Err(Error::UnexpectedEvent {
            event: "started",
            ..
        })
    ));
    assert_eq!(t.state(), after_exit);
}

#[test]
fn spurious_timeouts_do_nothing() {
    let mut t = PodTracker::new(PodConfig::new(pod(RestartPolicy::Always, 1)), Millis::ZERO);
    let _ = t.poll_action();
    t.handle_started(A, secs(1)).unwrap();
    let before = t.state();
    for s in [1, 2, 3, 1_000] {
        t.handle_timeout(secs(s));
        assert_eq!(t.poll_action(), None);
    }
    assert_eq!(t.state().containers, before.containers);
}
