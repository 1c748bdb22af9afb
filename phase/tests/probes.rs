//! The probe machines driven by a virtual clock (`support::Sim`, no sleeps): Kubernetes'
//! liveness/readiness/startup rules (spec/kubernetes.md section 3) and pod-controller's tests
//! (spec/hyper.md section 6.4, `probe_test.go`, `controller_test.go`, `tests/python`).

mod support;

use phase::{
    ContainerProbes, Error, LongLivedProbe, Millis, PcContainer, PcState, ProbeConfig, ProbeEvent,
    ProbeKind, ProbeOutcome, ProbeResult, ProbeSpecs, pod_healthy,
};
use proptest::prelude::*;
use support::{Answer, PcSim, Sim};

use Answer::{After, Silent};
use ProbeOutcome::{Error as Err_, Failure, Success};

fn secs(s: u64) -> Millis {
    Millis::from_secs(s)
}

fn sim(specs: ProbeSpecs) -> Sim {
    Sim::new(ContainerProbes::new(specs))
}

fn only(kind: ProbeKind, config: ProbeConfig) -> ProbeSpecs {
    let mut s = ProbeSpecs::default();
    match kind {
        ProbeKind::Liveness => s.liveness = Some(config),
        ProbeKind::Readiness => s.readiness = Some(config),
        ProbeKind::Startup => s.startup = Some(config),
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Kubernetes
// ---------------------------------------------------------------------------------------------

#[test]
fn defaults_are_kubernetes_defaults() {
    let c = ProbeConfig::default();
    assert_eq!(c, ProbeConfig::from_seconds(0, 10, 1, 1, 3));
}

#[test]
fn probes_run_every_period_from_the_initial_delay() {
    let mut s = sim(only(
        ProbeKind::Liveness,
        ProbeConfig::from_seconds(5, 10, 1, 1, 3),
    ));
    s.start_container();
    s.run_until(secs(40));
    assert_eq!(
        s.runs(ProbeKind::Liveness),
        [secs(5), secs(15), secs(25), secs(35)]
    );
}

#[test]
fn liveness_kills_after_failure_threshold_consecutive_failures_then_holds() {
    let mut s = sim(only(ProbeKind::Liveness, ProbeConfig::KUBERNETES));
    s.script(ProbeKind::Liveness, &[After(10, Failure); 5]);
    s.start_container();
    s.run_until(secs(100));
    // Runs at 0, 10, 20; the third failure (answered at 20.01 s) publishes Failure.
    assert_eq!(s.runs(ProbeKind::Liveness), [secs(0), secs(10), secs(20)]);
    let kills: Vec<_> = s
        .events()
        .into_iter()
        .filter(|e| matches!(e.1, ProbeEvent::Kill { .. }))
        .collect();
    assert_eq!(
        kills,
        [(
            Millis(20_010),
            ProbeEvent::Kill {
                probe: ProbeKind::Liveness
            }
        )]
    );
    assert_eq!(
        s.probes.result(ProbeKind::Liveness),
        Some(ProbeResult::Failure)
    );
    assert_eq!(
        s.probes.poll_timeout(),
        None,
        "on hold until a new container"
    );
}

#[test]
fn a_success_in_between_resets_the_failure_count() {
    let mut s = sim(only(ProbeKind::Liveness, ProbeConfig::KUBERNETES));
    s.script(
        ProbeKind::Liveness,
        &[
            After(0, Failure),
            After(0, Failure),
            After(0, Success),
            After(0, Failure),
            After(0, Failure),
        ],
    );
    s.start_container();
    s.run_until(secs(45));
    assert!(
        s.events()
            .iter()
            .all(|e| !matches!(e.1, ProbeEvent::Kill { .. }))
    );
}

#[test]
fn error_outcomes_are_discarded() {
    let mut s = sim(only(
        ProbeKind::Liveness,
        ProbeConfig::from_seconds(0, 10, 1, 1, 2),
    ));
    s.script(
        ProbeKind::Liveness,
        &[After(0, Failure), After(0, Err_), After(0, Failure)],
    );
    s.start_container();
    s.run_until(secs(25));
    // Failure, (error: ignored), Failure: two consecutive failures at 0 s and 20 s.
    let kills: Vec<_> = s
        .events()
        .into_iter()
        .filter(|e| matches!(e.1, ProbeEvent::Kill { .. }))
        .collect();
    assert_eq!(
        kills,
        [(
            secs(20),
            ProbeEvent::Kill {
                probe: ProbeKind::Liveness
            }
        )]
    );
}

#[test]
fn a_run_without_answer_fails_at_its_deadline() {
    let mut s = sim(only(
        ProbeKind::Liveness,
        ProbeConfig::from_seconds(0, 10, 2, 1, 1),
    ));
    s.script(ProbeKind::Liveness, &[Silent]);
    s.start_container();
    s.run_until(secs(30));
    let kills: Vec<_> = s
        .events()
        .into_iter()
        .filter(|e| matches!(e.1, ProbeEvent::Kill { .. }))
        .collect();
    assert_eq!(
        kills,
        [(
            secs(2),
            ProbeEvent::Kill {
                probe: ProbeKind::Liveness
            }
        )]
    );
}

#[test]
fn a_late_answer_counts_as_a_timeout() {
    let mut p = ContainerProbes::new(only(
        ProbeKind::Readiness,
        ProbeConfig::from_seconds(0, 10, 1, 1, 1),
    ));
    p.handle_container_started(Millis(0));
    let run = p.poll_action().unwrap();
    assert_eq!(run.deadline, Millis(1_000));
    p.handle_result(run.id, Success, Millis(1_001)).unwrap();
    assert_eq!(p.result(ProbeKind::Readiness), Some(ProbeResult::Failure));
    assert!(!p.is_ready());
}

#[test]
fn an_answer_for_an_unknown_or_finished_run_is_an_error_and_changes_nothing() {
    let mut p = ContainerProbes::new(only(ProbeKind::Liveness, ProbeConfig::KUBERNETES));
    p.handle_container_started(Millis(0));
    let run = p.poll_action().unwrap();
    p.handle_timeout(Millis(1_000)); // timed out
    let before = p.poll_timeout();
    assert_eq!(
        p.handle_result(run.id, Success, Millis(1_001)),
        Err(Error::ProbeNotInFlight { id: run.id })
    );
    assert_eq!(p.poll_timeout(), before);
    assert_eq!(
        p.result(ProbeKind::Liveness),
        Some(ProbeResult::Success),
        "one failure of three"
    );
}

#[test]
fn readiness_needs_success_threshold_successes_and_never_kills() {
    let mut s = sim(only(
        ProbeKind::Readiness,
        ProbeConfig::from_seconds(0, 10, 1, 2, 1),
    ));
    s.script(
        ProbeKind::Readiness,
        &[
            After(0, Success),
            After(0, Success),
            After(0, Failure),
            After(0, Failure),
            After(0, Success),
            After(0, Success),
        ],
    );
    s.start_container();
    s.run_until(secs(55));
    let events: Vec<_> = s.events();
    assert_eq!(
        events,
        [
            (secs(0), ProbeEvent::Started),
            (secs(10), ProbeEvent::Ready),
            (secs(20), ProbeEvent::NotReady),
            (secs(50), ProbeEvent::Ready),
        ]
    );
    // Readiness keeps probing through its failures.
    assert_eq!(s.runs(ProbeKind::Readiness).len(), 6);
}

#[test]
fn startup_gates_liveness_and_readiness_until_it_succeeds() {
    let specs = ProbeSpecs {
        startup: Some(ProbeConfig::from_seconds(0, 5, 1, 1, 10)),
        liveness: Some(ProbeConfig::from_seconds(0, 10, 1, 1, 3)),
        readiness: Some(ProbeConfig::from_seconds(0, 10, 1, 1, 3)),
    };
    let mut s = sim(specs);
    s.script(
        ProbeKind::Startup,
        &[After(0, Failure), After(0, Failure), After(0, Success)],
    );
    s.start_container();
    s.run_until(secs(31));
    assert_eq!(
        s.runs(ProbeKind::Startup),
        [secs(0), secs(5), secs(10)],
        "startup stops once it passed"
    );
    assert!(s.events().contains(&(secs(10), ProbeEvent::Started)));
    // Liveness and readiness tick at 0, 10, 20, 30 but run only once started. The tick at 10 s
    // comes before the startup answer of 10 s, so their first run is at 20 s.
    assert_eq!(s.runs(ProbeKind::Liveness), [secs(20), secs(30)]);
    assert_eq!(s.runs(ProbeKind::Readiness), [secs(20), secs(30)]);
    assert!(s.probes.is_ready());
}

#[test]
fn startup_failure_kills_and_the_others_never_run() {
    let specs = ProbeSpecs {
        startup: Some(ProbeConfig::from_seconds(0, 5, 1, 1, 2)),
        liveness: Some(ProbeConfig::KUBERNETES),
        ..ProbeSpecs::default()
    };
    let mut s = sim(specs);
    s.script(ProbeKind::Startup, &[After(0, Failure); 4]);
    s.start_container();
    s.run_until(secs(60));
    assert!(s.events().contains(&(
        secs(5),
        ProbeEvent::Kill {
            probe: ProbeKind::Startup
        }
    )));
    assert!(s.runs(ProbeKind::Liveness).is_empty());
    assert!(!s.probes.is_started());
}

#[test]
fn a_new_container_starts_the_probes_over() {
    let mut s = sim(only(
        ProbeKind::Liveness,
        ProbeConfig::from_seconds(0, 10, 1, 1, 1),
    ));
    s.script(ProbeKind::Liveness, &[After(0, Failure)]);
    s.start_container();
    s.run_until(secs(5));
    assert_eq!(
        s.probes.result(ProbeKind::Liveness),
        Some(ProbeResult::Failure)
    );
    s.exit_container();
    s.run_until(secs(8));
    s.start_container();
    assert_eq!(
        s.probes.result(ProbeKind::Liveness),
        Some(ProbeResult::Success),
        "initial value again"
    );
    s.run_until(secs(20));
    assert_eq!(s.runs(ProbeKind::Liveness), [secs(0), secs(8), secs(18)]);
}

#[test]
fn exit_makes_every_result_failure_and_the_container_unready() {
    let mut s = sim(ProbeSpecs::default());
    s.start_container();
    s.exit_container();
    assert_eq!(
        s.events(),
        [
            (secs(0), ProbeEvent::Started),
            (secs(0), ProbeEvent::Ready),
            (secs(0), ProbeEvent::NotReady)
        ]
    );
    assert!(!s.probes.is_started());
}

#[test]
fn deletion_silences_liveness_but_readiness_keeps_probing() {
    let specs = ProbeSpecs {
        liveness: Some(ProbeConfig::KUBERNETES),
        readiness: Some(ProbeConfig::KUBERNETES),
        ..ProbeSpecs::default()
    };
    let mut s = sim(specs);
    s.start_container();
    s.run_until(secs(5));
    s.probes.handle_deletion(s.now);
    s.run_until(secs(35));
    assert_eq!(s.runs(ProbeKind::Liveness), [secs(0)]);
    assert_eq!(
        s.runs(ProbeKind::Readiness),
        [secs(0), secs(10), secs(20), secs(30)]
    );
}

#[test]
fn liveness_and_startup_need_success_threshold_one() {
    let two = ProbeConfig {
        success_threshold: 2,
        ..ProbeConfig::KUBERNETES
    };
    assert!(two.validate(ProbeKind::Readiness).is_ok());
    for kind in [ProbeKind::Liveness, ProbeKind::Startup] {
        assert_eq!(
            two.validate(kind),
            Err(Error::InvalidProbe {
                kind,
                field: "successThreshold",
                problem: "must be 1"
            })
        );
    }
}

#[test]
fn a_slow_answer_collapses_missed_ticks() {
    // Timeout longer than the period: the ticks at 2 s and 4 s fall during the first run and
    // collapse into one run right after it (4.5 s); then the grid goes on (6 s).
    let mut s = sim(only(
        ProbeKind::Readiness,
        ProbeConfig::from_seconds(0, 2, 5, 1, 3),
    ));
    s.script(ProbeKind::Readiness, &[After(4_500, Success)]);
    s.start_container();
    s.run_until(Millis(7_000));
    assert_eq!(
        s.runs(ProbeKind::Readiness),
        [Millis(0), Millis(4_500), Millis(6_000)]
    );
}

/// Scripts of answers for one probe kind.
fn answers() -> impl Strategy<Value = Vec<Answer>> {
    proptest::collection::vec(
        prop_oneof![
            prop_oneof![0u64..3_000, Just(1_000)].prop_map(|ms| After(ms, Success)),
            (0u64..3_000).prop_map(|ms| After(ms, Failure)),
            (0u64..3_000).prop_map(|ms| After(ms, Err_)),
            Just(Silent),
        ],
        0..12,
    )
}

fn config() -> impl Strategy<Value = ProbeConfig> {
    (0u64..5, 1u64..12, 1u64..4, 1u32..3, 1u32..4)
        .prop_map(|(d, p, t, s, f)| ProbeConfig::from_seconds(d, p, t, s, f))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// STYLE.md H2: a spurious `handle_timeout` is harmless. The same script with extra wake-ups
    /// at random times produces the same runs and events at the same times.
    #[test]
    fn spurious_wakeups_change_nothing(
        live in config(), ready in config(), start in proptest::option::of(config()),
        live_script in answers(), ready_script in answers(), start_script in answers(),
        wakeups in proptest::collection::vec(0u64..60_000, 0..40),
    ) {
        let specs = ProbeSpecs {
            liveness: Some(ProbeConfig { success_threshold: 1, ..live }),
            readiness: Some(ready),
            startup: start.map(|c| ProbeConfig { success_threshold: 1, ..c }),
        };
        let run = |wake: &[u64]| {
            let mut s = sim(specs);
            s.script(ProbeKind::Liveness, &live_script);
            s.script(ProbeKind::Readiness, &ready_script);
            s.script(ProbeKind::Startup, &start_script);
            s.wakeups = wake.iter().map(|&ms| Millis(ms)).collect();
            s.start_container();
            s.run_until(secs(60));
            s.log
        };
        prop_assert_eq!(run(&wakeups), run(&[]));
    }

    /// A deliberately naive model of one liveness probe: count consecutive failures (a timeout
    /// is a failure, an error is nothing), reset on success; the container is killed exactly
    /// when the count first reaches the threshold, and never probed again.
    #[test]
    fn liveness_kill_matches_a_counting_model(threshold in 1u32..4, script in answers()) {
        let cfg = ProbeConfig::from_seconds(0, 10, 1, 1, threshold);
        let mut s = sim(only(ProbeKind::Liveness, cfg));
        s.script(ProbeKind::Liveness, &script);
        s.start_container();
        s.run_until(secs(200));

        let mut failures = 0;
        let mut kill_after = None;
        for (i, a) in script.iter().chain(std::iter::repeat_n(&After(0, Success), 20)).enumerate() {
            let failed = match a {
                Silent => Some(true),
                After(ms, _) if *ms >= 1_000 => Some(true), // answered at or after the 1 s timeout
                After(_, Failure) => Some(true),
                After(_, Success) => Some(false),
                After(_, _) => None,
            };
            match failed {
                Some(true) => failures += 1,
                Some(false) => failures = 0,
                None => {}
            }
            if failures >= threshold {
                kill_after = Some(i + 1);
                break;
            }
        }
        let kills = s.events().iter().filter(|e| matches!(e.1, ProbeEvent::Kill { .. })).count();
        let runs = s.runs(ProbeKind::Liveness).len();
        match kill_after {
            Some(n) => {
                prop_assert_eq!(kills, 1);
                prop_assert_eq!(runs, n, "no run after the kill");
            }
            None => prop_assert_eq!(kills, 0),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// pod-controller (probe_test.go: TestLongLivedProbe, period 2 s, initial delay 0)
// ---------------------------------------------------------------------------------------------

/// Drives a `LongLivedProbe` for `seconds`, answering checks from `answers` (duration, ok).
fn drive_long_lived(probe: &mut LongLivedProbe, answers: &[(u64, bool)], seconds: u64) -> usize {
    let mut now = Millis(0);
    let mut next = answers.iter();
    let mut pending: Option<(Millis, phase::ProbeId, bool)> = None;
    let mut checks = 0;
    probe.handle_start(now);
    let end = secs(seconds);
    loop {
        if let Some(run) = probe.poll_action() {
            checks += 1;
            let (dur, ok) = *next
                .next()
                .expect("probe ran out of checks (pod-controller would panic)");
            pending = Some((Millis(now.0 + dur), run.id, ok));
        }
        let t = [probe.poll_timeout(), pending.map(|p| p.0)]
            .into_iter()
            .flatten()
            .min();
        match t {
            Some(t) if t <= end => {
                now = t;
                if let Some((at, id, ok)) = pending
                    && at <= now
                {
                    pending = None;
                    let outcome = if ok { Success } else { Failure };
                    let _ = probe.handle_result(id, outcome, now);
                }
                probe.handle_timeout(now);
            }
            _ => return checks,
        }
    }
}

fn long_lived(success: u32, failure: u32, delay: u64, period: u64, timeout: u64) -> LongLivedProbe {
    LongLivedProbe::new(
        ProbeKind::Liveness,
        ProbeConfig::from_seconds(delay, period, timeout, success, failure),
    )
}

#[test]
fn pc_unhealthy_check() {
    let mut p = long_lived(1, 1, 0, 2, 1);
    drive_long_lived(&mut p, &[(0, false)], 2);
    assert!(!p.is_healthy());
}

#[test]
fn pc_timeout_check() {
    let mut p = long_lived(2, 2, 0, 2, 1);
    drive_long_lived(&mut p, &[(10_000, true), (10_000, true)], 2);
    assert!(!p.is_healthy());
    assert!(p.is_running(), "one failure of two");
}

#[test]
fn pc_healthy_check() {
    let mut p = long_lived(2, 2, 0, 2, 1);
    drive_long_lived(&mut p, &[(0, true), (0, true)], 2);
    assert!(p.is_healthy(), "never failed and succeeded once");
}

#[test]
fn pc_failed_then_healthy() {
    let mut p = long_lived(2, 2, 0, 2, 1);
    drive_long_lived(&mut p, &[(0, false), (0, true), (0, true)], 5);
    assert!(p.is_healthy());
}

#[test]
fn pc_failed_then_one_success_is_not_enough() {
    let mut p = long_lived(2, 2, 0, 2, 1);
    drive_long_lived(&mut p, &[(0, false), (0, true)], 3);
    assert!(
        !p.is_healthy(),
        "has failed before, one success < threshold 2"
    );
}

#[test]
fn pc_healthy_then_failed() {
    let mut p = long_lived(2, 2, 0, 2, 1);
    drive_long_lived(&mut p, &[(0, true), (0, false), (0, false)], 5);
    assert!(!p.is_healthy());
    assert!(p.has_given_up());
}

#[test]
fn pc_stop_probe() {
    let mut p = long_lived(1, 1, 2, 1, 1);
    let checks = drive_long_lived(&mut p, &[(0, true); 3], 4);
    assert_eq!(checks, 3);
    p.handle_stop();
    for s in 5..10 {
        p.handle_timeout(secs(s));
        assert!(p.poll_action().is_none(), "a stopped probe runs no check");
    }
    assert!(!p.is_running());
}

#[test]
fn pc_new_liveness_is_healthy_and_new_readiness_is_not() {
    assert!(LongLivedProbe::new(ProbeKind::Liveness, ProbeConfig::POD_CONTROLLER).is_healthy());
    assert!(!LongLivedProbe::new(ProbeKind::Readiness, ProbeConfig::POD_CONTROLLER).is_healthy());
}

#[test]
fn pc_exit_probe_start_error_is_failed_and_clean_exit_finished() {
    let mut failed = PcContainer::new(None, None, Millis(0));
    failed.handle_container_exited(false, Millis(0));
    failed.handle_timeout(Millis(0));
    assert_eq!(failed.state(), PcState::Failed);

    let mut clean = PcContainer::new(None, None, Millis(0));
    clean.handle_container_started(Millis(0));
    clean.handle_timeout(Millis(0));
    assert!(clean.state().is_healthy(), "healthy while running");
    clean.handle_container_exited(true, Millis(500));
    clean.handle_timeout(Millis(1_000));
    assert_eq!(clean.state(), PcState::Finished);
    assert!(
        !pod_healthy([clean.state()]),
        "a finished main container makes the pod unhealthy"
    );
}

#[test]
fn pc_controller_liveness_true_is_healthy_after_ten_seconds() {
    let mut sim = PcSim::new(PcContainer::new(
        Some(ProbeConfig::POD_CONTROLLER),
        None,
        Millis(0),
    ));
    sim.start_container();
    sim.run_until(secs(10));
    assert_eq!(sim.container.state(), PcState::Healthy);
    assert!(pod_healthy([sim.container.state()]));
}

#[test]
fn pc_controller_liveness_false_is_terminal() {
    let mut sim = PcSim::new(PcContainer::new(
        Some(ProbeConfig::POD_CONTROLLER),
        None,
        Millis(0),
    ));
    sim.liveness.push_back(After(10, Failure));
    sim.start_container();
    sim.run_until(secs(10));
    assert_eq!(sim.container.state(), PcState::Terminal);
    assert!(!pod_healthy([sim.container.state()]));
}

#[test]
fn pc_e2e_unhealthy_forever_goes_started_healthy_terminal() {
    // tests/specs/unhealthy_forever.json: delay 1, period 2, timeout 2, success 1, failure 1; the
    // check sleeps 1 s then fails.
    let cfg = ProbeConfig::from_seconds(1, 2, 2, 1, 1);
    let mut sim = PcSim::new(PcContainer::new(Some(cfg), None, Millis(0)));
    sim.liveness.push_back(After(1_000, Failure));
    sim.start_container();
    sim.run_until(secs(6));
    assert_eq!(
        sim.container.states(),
        [PcState::Started, PcState::Healthy, PcState::Terminal]
    );
}

#[test]
fn pc_zero_filled_liveness_gives_up_at_once() {
    // pod-controller's JSON leaves omitted fields at 0: failure threshold 0 gives up on the
    // first check, even a passing one (spec/hyper.md section 6.1, inferred).
    let zero = ProbeConfig::from_seconds(0, 0, 0, 0, 0);
    let mut sim = PcSim::new(PcContainer::new(Some(zero), None, Millis(0)));
    sim.start_container();
    sim.run_until(secs(2));
    assert_eq!(sim.container.state(), PcState::Terminal);
}

#[test]
fn pc_readiness_never_affects_health() {
    let mut sim = PcSim::new(PcContainer::new(
        None,
        Some(ProbeConfig::from_seconds(0, 1, 1, 1, 1)),
        Millis(0),
    ));
    sim.start_container();
    sim.run_until(secs(5));
    assert_eq!(sim.container.state(), PcState::Healthy);
}
