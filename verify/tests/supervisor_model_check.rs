//! The model check of `vmm_ref::supervisor::Supervisor` itself (see `verify::supervisor_model`),
//! bounded so it finishes in seconds. Prints `supervisor model check: N states (U unique), ...`
//! (collected by `cargo xtask verify`).
//!
//! `VERIFY_SUPERVISOR_SET=standard` explores all 24 pods of the standard set instead of the
//! 4 of the small one (`cargo xtask verify` does, in release mode); `VERIFY_MAX_STARTS` sets
//! the start bound (default 2: each container may be restarted once), `VERIFY_HORIZON_SECONDS`
//! the time bound (default 5 s for the small set, 20 s for the standard one).

use std::time::Duration;

use verify::supervisor_model::SupervisorModel;

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
