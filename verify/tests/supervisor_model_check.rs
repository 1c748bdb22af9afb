//! The model check of `vmm_ref::supervisor::Supervisor` itself (see `verify::supervisor_model`),
//! bounded so it finishes in seconds. Prints `supervisor model check: N states (U unique), ...`
//! (collected by `cargo xtask verify`).
//!
//! `VERIFY_SUPERVISOR_SET=standard` explores all 36 pods of the standard set instead of the
//! 5 of the small one (`cargo xtask verify` does, in release mode); `VERIFY_MAX_STARTS` sets
//! the start bound (default 2: each container may be restarted once), `VERIFY_HORIZON_SECONDS`
//! the time bound (default 5 s for the small set, 20 s for the standard one).

use std::time::Duration;

use podspec::Format;
use podspec::model::RestartPolicy;
use restart::RestartScope;
use verify::supervisor_model::{Case, Shape, SupervisorModel};

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
    // One pod has no example of some "sometimes" properties; every other property must hold.
    assert!(
        report
            .discoveries
            .iter()
            .filter(|d| d.kind != "sometimes")
            .all(|d| !d.failed),
        "{report}"
    );
    assert!(report.unique_states > 1_000, "{report}");
}
