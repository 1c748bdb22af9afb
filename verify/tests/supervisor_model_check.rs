//! The model check of `vmm_ref::supervisor::Supervisor` itself (see `verify::supervisor_model`),
//! bounded so it finishes in seconds. Prints `supervisor model check: N states (U unique), ...`
//! (collected by `cargo xtask verify`).
//!
//! `VERIFY_SUPERVISOR_SET=standard` explores all 53 pods of the standard set instead of the
//! 9 of the small one (`cargo xtask verify` does, in release mode); `VERIFY_MAX_STARTS` sets
//! the start bound (default 2: each container may be restarted once), `VERIFY_HORIZON_SECONDS`
//! the time bound (default 5 s for the small set, 20 s for the standard one; pods with their
//! own bounds keep them).
//!
//! The last three tests keep supervisor bugs the model found, fixed since (their doc comments
//! quote the counterexamples; vmm-ref's scenario tests
//! `a_liveness_failure_published_during_another_containers_hook_kills_after_the_hook`,
//! `a_probe_run_held_back_by_a_hook_gets_its_whole_timeout_after_it`,
//! `a_pod_past_its_deadline_is_failed_even_when_its_containers_exit_0_during_a_pre_stop` and
//! `a_deadline_after_the_pod_reported_a_terminal_phase_changes_nothing` replay them).

use std::time::Duration;

use podspec::Format;
use podspec::model::RestartPolicy;
use restart::RestartScope;
use verify::supervisor_model::{Bounds, Case, Shape, SupervisorModel};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn the_supervisor_keeps_every_property() {
    let standard = std::env::var("VERIFY_SUPERVISOR_SET").is_ok_and(|s| s == "standard");
    let max_starts = env_or("VERIFY_MAX_STARTS", 2);
    let horizon = env_or("VERIFY_HORIZON_SECONDS", if standard { 20 } else { 5 });
    let started = std::time::Instant::now();
    let bound = Duration::from_secs(horizon);
    let model = if standard {
        SupervisorModel::standard(max_starts, bound)
    } else {
        SupervisorModel::small(max_starts, bound)
    };
    let report = model.check();
    print!("supervisor {report}");
    println!(
        "supervisor model: {} set, bound {max_starts} starts per container and {horizon} s, {:.1} s",
        if standard { "standard" } else { "small" },
        started.elapsed().as_secs_f64()
    );
    assert!(report.ok(), "{report}");
    // The model is not vacuous: it explored a real space, and every sometimes property found
    // an example (checked by `ok`).
    assert!(report.unique_states > 1_000, "{report}");
    assert!(report.discoveries.iter().any(|d| d.kind == "eventually"));
}

/// The pod where containers that handle their stop signal and exit 0 once broke "a terminal
/// phase never changes": under OnFailure a container killed for a failed liveness probe that
/// exits 0 is restarted by `restart` (a failure kill restarts whatever the code), while `phase`
/// (getPhase with ContainerRestartRules on) saw a waiting container that OnFailure would not
/// restart, and the supervisor reported Failed, then Running after the restart. Fixed in the
/// supervisor (vmm-ref scenario test
/// `a_liveness_kill_that_exits_0_under_on_failure_does_not_report_a_passing_terminal_phase`).
#[test]
fn containers_that_exit_0_on_their_stop_signal_keep_every_property() {
    let case = Case::standard(
        RestartPolicy::OnFailure,
        RestartScope::Container,
        Format::Hyper,
        Shape::Probed,
    );
    let mut model = SupervisorModel::new(vec![case], 2, Duration::from_secs(5));
    model.graceful_stops = true;
    let report = model.check();
    print!("supervisor {report}");
    assert_safe(&report);
    assert!(report.unique_states > 1_000, "{report}");
}

fn bounded(case: Case, horizon: u64, max_waits: u8, daemon_restarts: u8) -> SupervisorModel {
    let bounds = Bounds {
        horizon: Duration::from_secs(horizon),
        max_waits,
        daemon_restarts,
    };
    SupervisorModel::new(
        vec![case.with_bounds(bounds)],
        2,
        Duration::from_secs(horizon),
    )
}

/// Every property but the "sometimes" ones (one pod has no example of most of them).
fn assert_safe(report: &verify::model::Report) {
    assert!(
        report
            .discoveries
            .iter()
            .filter(|d| d.kind != "sometimes")
            .all(|d| !d.failed),
        "{report}"
    );
}

/// Fixed bug: a liveness failure published while a hook of another container ran was dropped:
/// the tracker ignores the kill while a hook runs (`restart::PodTracker::handle_probe_failed`),
/// `phase` has put the liveness probe on hold after publishing the failure, and nothing asks
/// again, so the container ran on with no liveness probe at all. The kubelet acts on the
/// failed result at its next sync, after the hook; the supervisor now keeps the failure and
/// kills the container once no hook runs.
///
/// Counterexample (pod `mixed`, Never: `web` with a liveness probe that kills on one
/// failure, `side` with a postStart hook and a readiness probe): `Started(0) -> Probe(0,
/// Success) -> Advance -> Started(1) -> Probe(0, Failure) -> Hook(true) -> Probe(0, Error) ->
/// Advance`: `side` starts at 5 s; while its postStart hook runs, the `web` liveness run
/// asked for at 5 s fails, the kill is ignored, and after the hook `web` still runs with its
/// failure published. The same pod also shows the next test's bug on `side`'s readiness
/// probe ("a probe run gets its whole timeout": `Started(0) -> Probe(0, Failure) ->
/// Started(1) -> Advance -> Exit(0, 137) -> Hook(true) -> CtrlC -> Delete -> Advance`).
#[test]
fn a_liveness_failure_published_during_a_hook_kills_the_container() {
    let case = Case::standard(
        RestartPolicy::Never,
        RestartScope::Container,
        Format::Hyper,
        Shape::Mixed,
    );
    let report = bounded(case, 5, 0, 0).check();
    print!("supervisor {report}");
    assert_safe(&report);
}

/// Fixed bug: a probe run that `phase` asked for while a hook ran (a container's first run,
/// asked for when it starts, while its postStart hook runs) is handed to the runtime when the
/// hook ends, with the probe's whole timeout, but `phase` timed it from when it asked: if the
/// hook took longer than the probe's timeout, the run is counted as failed at the next
/// timeout, whatever the runtime answers (and, below the failure threshold, a second run is
/// asked for while the runtime still runs the first). A liveness probe with
/// failureThreshold 1 kills every container whose postStart hook takes longer than the
/// probe's timeout. Now `phase` times a run from when it is handed out
/// (`phase::ContainerProbes::poll_action_at`).
///
/// Counterexample (one container `app`, Never, an exec postStart hook and an exec liveness
/// probe, no initial delay, timeout 1 s, one failure kills): `Started(0) -> Wait ->
/// Hook(true) -> Advance`: the hook ends at 29.999 s, the liveness run is handed out then,
/// and the next timeout (its deadline in `phase` was 1 s) kills the container for a
/// liveness failure no run has reported ("a container is killed for a probe only after
/// failureThreshold consecutive failures of it").
#[test]
fn a_probe_run_handed_out_after_a_hook_gets_its_whole_timeout() {
    use podspec::model::{
        Container, ContainerName, HookHandler, Image, Pod, PodName, Probe, ProbeHandler, Source,
    };
    let exec = || vec!["true".to_owned()];
    let mut app = Container::new(ContainerName::try_from("app").unwrap(), Image::Host);
    app.lifecycle.post_start = Some(HookHandler::Exec { command: exec() });
    let mut live = Probe::new(ProbeHandler::Exec { command: exec() });
    live.initial_delay = Duration::ZERO;
    live.period = Duration::from_secs(10);
    live.timeout = Duration::from_secs(1);
    live.failure_threshold = 1;
    app.liveness_probe = Some(live);
    let mut pod = Pod::new(
        PodName::try_from("slowhook").unwrap(),
        Source::new(Format::Hyper),
    );
    pod.restart_policy = RestartPolicy::Never;
    pod.termination_grace_period = Duration::from_secs(5);
    pod.containers.push(app);
    let case = Case::new(pod, vmm_ref::supervisor::Options::default());
    let report = bounded(case, 31, 1, 0).check();
    print!("supervisor {report}");
    assert_safe(&report);
}

/// Fixed bugs (two): a pod's `activeDeadlineSeconds` changed a terminal phase. First, once
/// the deadline ran out, containers that exited 0 while a preStop hook still held the
/// deadline's stop made `getPhase` report Succeeded, and the end reported Failed
/// (DeadlineExceeded); the supervisor now reports Failed from the deadline on, as the
/// kubelet's `generateAPIPodStatus` does. Second, a deleted pod whose containers had all
/// exited 0 during a preStop hook had reported Succeeded; the deadline then fell before the
/// hook's end and turned it Failed; a pod that reported a terminal phase now has no deadline.
///
/// Counterexamples ("a terminal phase never changes"; pod `pair`, OnFailure, deadline 3 s):
/// `Started(0) -> Started(1) -> Exit(1, 1) -> Exit(0, 1) -> Started(1) -> Advance -> Sigterm
/// -> Started(0) -> Exit(0, 0) -> Exit(1, 0) -> CtrlC -> Delete -> Hook(true)`; and (pod
/// `sleeper`, Never, deadline 2 s) `Started(0) -> Started(1) -> Delete -> Sighup { sandbox_survives: true }
/// -> Exit(0, 0) -> Hook(false) -> Exit(1, 0) -> Advance`.
#[test]
fn a_deadline_never_changes_a_terminal_phase() {
    let case = Case::standard(
        RestartPolicy::Never,
        RestartScope::Container,
        Format::Hyper,
        Shape::Sleeper,
    )
    .with_active_deadline(Duration::from_secs(2));
    let report = bounded(case, 5, 0, 1).check();
    print!("supervisor {report}");
    assert_safe(&report);
    assert!(report.unique_states > 1_000, "{report}");
}
