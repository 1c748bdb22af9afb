//! proptest properties of the decisions and the tracker.
//!
//! - Under `Never` nothing is ever restarted, whatever happens to the pod.
//! - CrashLoopBackOff never exceeds its cap and never shrinks before a reset.
//! - Every kill is preceded by its preStop when one is defined (and the grace is above zero).
//! - Random pods keep every invariant of `support::checks`.

mod support;

use std::time::Duration;

use phase::{ContainerId, ContainerSpec, Millis, PodSpec, RestartPolicy};
use proptest::prelude::*;
use restart::{
    Backoff, BackoffConfig, Event, Hook, HookOutcome, Hooks, PodConfig, PodOrigin, ProbeKind,
    RestartScope,
};
use support::{HookScript, RunScript, Script, Sim, checks, dur, secs};

#[derive(Clone, Debug)]
struct ContainerCase {
    own: Option<RestartPolicy>,
    hooks: [bool; 4],
    runs: Vec<RunScript>,
    hook_scripts: Vec<HookScript>,
}

#[derive(Clone, Debug)]
struct PodCase {
    policy: RestartPolicy,
    scope: RestartScope,
    origin: PodOrigin,
    grace: Duration,
    init: Vec<ContainerCase>,
    regular: Vec<ContainerCase>,
    events: Vec<(u64, u8, usize)>,
}

fn policy() -> impl Strategy<Value = RestartPolicy> {
    prop::sample::select(RestartPolicy::ALL.to_vec())
}

fn run_script() -> impl Strategy<Value = RunScript> {
    (
        prop::option::weighted(0.9, 0u64..3),
        prop::option::weighted(0.8, (0u64..700, prop::sample::select(vec![0, 1, 137]))),
        prop::option::weighted(0.8, (0u64..40, prop::sample::select(vec![0, 143]))),
    )
        .prop_map(|(start, exits, on_stop)| RunScript {
            start_delay: start.map(dur),
            start_failure_code: 128,
            exits_after: exits.map(|(d, c)| (dur(d), c)),
            on_stop: on_stop.map(|(d, c)| (dur(d), c)),
        })
}

fn hook_script() -> impl Strategy<Value = HookScript> {
    (
        prop::option::weighted(0.9, 0u64..40),
        prop::sample::select(vec![HookOutcome::Succeeded, HookOutcome::Failed]),
    )
        .prop_map(|(takes, outcome)| HookScript {
            takes: takes.map(dur),
            outcome,
        })
}

fn container(
    own: impl Strategy<Value = Option<RestartPolicy>>,
) -> impl Strategy<Value = ContainerCase> {
    (
        own,
        prop::array::uniform4(prop::bool::weighted(0.4)),
        prop::collection::vec(run_script(), 1..4),
        prop::collection::vec(hook_script(), 1..4),
    )
        .prop_map(|(own, hooks, runs, hook_scripts)| ContainerCase {
            own,
            hooks,
            runs,
            hook_scripts,
        })
}

fn pod_case(
    policy: impl Strategy<Value = RestartPolicy>,
    own: fn() -> BoxedStrategy<Option<RestartPolicy>>,
) -> impl Strategy<Value = PodCase> {
    (
        policy,
        prop::sample::select(RestartScope::ALL.to_vec()),
        prop::sample::select(PodOrigin::ALL.to_vec()),
        prop::sample::select(vec![0u64, 5, 30]),
        prop::collection::vec(container(own()), 0..3),
        prop::collection::vec(container(own()), 1..4),
        prop::collection::vec((0u64..2_000, 0u8..5, 0usize..8), 0..6),
    )
        .prop_map(
            |(policy, scope, origin, grace, init, regular, events)| PodCase {
                policy,
                scope,
                origin,
                grace: dur(grace),
                init,
                regular,
                events,
            },
        )
}

fn any_own() -> BoxedStrategy<Option<RestartPolicy>> {
    prop::option::weighted(0.3, policy()).boxed()
}

fn never_own() -> BoxedStrategy<Option<RestartPolicy>> {
    prop::option::weighted(0.3, Just(RestartPolicy::Never)).boxed()
}

/// Builds the pod and runs it for 2 000 s of virtual time with the case's events.
fn simulate(case: &PodCase) -> (Sim, PodConfig) {
    let mk = |name: String, c: &ContainerCase| {
        let mut s = ContainerSpec::new(name);
        s.restart_policy = c.own;
        s
    };
    let mut spec = PodSpec::new(case.policy);
    for (i, c) in case.init.iter().enumerate() {
        spec = spec.with_init_container(mk(format!("i{i}"), c));
    }
    for (i, c) in case.regular.iter().enumerate() {
        spec = spec.with_container(mk(format!("c{i}"), c));
    }
    let mut cfg = PodConfig::new(spec)
        .with_scope(case.scope)
        .with_origin(case.origin)
        .with_grace_period(case.grace);
    let mut script = Script::new();
    let ids: Vec<(ContainerId, &ContainerCase)> = case
        .init
        .iter()
        .enumerate()
        .map(|(i, c)| (ContainerId::init(i), c))
        .chain(
            case.regular
                .iter()
                .enumerate()
                .map(|(i, c)| (ContainerId::regular(i), c)),
        )
        .collect();
    for (id, c) in &ids {
        let mut hooks = Hooks::none();
        for (on, hook) in c.hooks.iter().zip(Hook::ALL) {
            if *on {
                hooks = hooks.with(hook, dur(20));
            }
            script = script.hook(*id, hook, c.hook_scripts.iter().copied());
        }
        cfg = cfg.with_hooks(*id, hooks);
        script = script.runs(*id, c.runs.iter().copied());
    }
    let mut sim = Sim::new(cfg.clone(), script);
    let mut events = case.events.clone();
    events.sort_by_key(|e| e.0);
    for (t, kind, who) in events {
        let (id, _) = ids[who % ids.len()];
        let event = match kind {
            0 => Event::ProbeFailed {
                container: id,
                probe: ProbeKind::Liveness,
            },
            1 => Event::ProbeFailed {
                container: id,
                probe: ProbeKind::Startup,
            },
            2 => Event::DependencyLost { container: id },
            3 => Event::Stop { grace: None },
            _ => Event::Delete { grace: None },
        };
        sim.inject_at(secs(t), event);
    }
    sim.run_until(secs(2_000));
    (sim, cfg)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn under_never_nothing_is_ever_restarted(case in pod_case(Just(RestartPolicy::Never), never_own)) {
        // Sidecars (init containers with their own Always) are excluded by `never_own`.
        let (sim, cfg) = simulate(&case);
        prop_assert!(checks::never_restarts(&sim, &cfg).is_ok(), "{:?}", checks::never_restarts(&sim, &cfg));
        let restarted = sim
            .actions()
            .iter()
            .any(|a| matches!(a, restart::Action::RestartAfter { .. } | restart::Action::RecreatePod { .. }));
        prop_assert!(!restarted, "a restart under Never");
    }

    #[test]
    fn every_kill_is_preceded_by_its_pre_stop(mut case in pod_case(policy(), any_own)) {
        for c in case.init.iter_mut().chain(case.regular.iter_mut()) {
            c.hooks[3] = true; // every container has a preStop
        }
        let (sim, cfg) = simulate(&case);
        let r = checks::kills_follow_pre_stop(&sim, &cfg, None);
        prop_assert!(r.is_ok(), "{:?}", r);
    }

    #[test]
    fn random_pods_keep_every_invariant(case in pod_case(policy(), any_own)) {
        let (sim, cfg) = simulate(&case);
        let r = checks::all(&sim, &cfg, None);
        prop_assert!(r.is_ok(), "{:?}\n{:#?}", r, sim.log);
    }

    #[test]
    fn snapshots_round_trip_at_every_step(case in pod_case(policy(), any_own)) {
        let (sim, _) = simulate(&case);
        let snap = sim.tracker.state();
        let back = restart::PodTracker::from_state(&snap).expect("own snapshot");
        prop_assert_eq!(back.state(), snap);
    }

    #[test]
    fn backoff_never_exceeds_its_cap_and_never_shrinks_before_a_reset(
        initial in 1u64..30,
        max in 1u64..400,
        reset in 1u64..1_000,
        runs in prop::collection::vec(0u64..1_200, 1..40),
    ) {
        let cfg = BackoffConfig::new(dur(initial), dur(max)).with_reset_after(dur(reset));
        let mut b = Backoff::new(cfg);
        let mut now = Millis::ZERO;
        let mut previous = Duration::ZERO;
        for run in runs {
            let exited = now.saturating_add(dur(run));
            let wait = b.delay(exited, exited);
            prop_assert!(wait <= cfg.max, "wait {wait:?} over the cap");
            let restart_at = exited.saturating_add(wait);
            let expired = b.entry().is_none_or(|e| restart_at.saturating_duration_since(e.last_update) > cfg.reset_after);
            b.next(restart_at);
            prop_assert!(b.get() <= cfg.max);
            if !expired {
                prop_assert!(b.get() >= previous, "shrank from {previous:?} to {:?} without a reset", b.get());
            } else {
                prop_assert_eq!(b.get(), cfg.initial.min(cfg.max));
            }
            previous = b.get();
            now = restart_at;
        }
    }
}
