//! The model check of the composed pod lifecycle (see `verify::model`), bounded so it finishes in
//! seconds. Prints `model check: N states (U unique), ...` (collected by `cargo xtask verify`).
//!
//! `VERIFY_MAX_STARTS` raises the bound (default 2: each container may be restarted once).

use verify::model::PodModel;

#[test]
fn composed_pod_lifecycle_keeps_every_property() {
    let max_starts = std::env::var("VERIFY_MAX_STARTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let started = std::time::Instant::now();
    let report = PodModel::standard(max_starts).check();
    print!("{report}");
    println!(
        "model check: bound {max_starts} starts per container, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(report.ok(), "{report}");
    // The model is not vacuous: it explored a real space, and every sometimes property found
    // an example (checked by `ok`).
    assert!(report.unique_states > 1_000, "{report}");
    assert!(report.discoveries.iter().any(|d| d.kind == "eventually"));
}

/// With containers allowed to exit on their own while their preStop hook runs, the composition
/// disagrees with itself: `restart` ends such a pod Failed (the exit happened during a stop) while
/// `phase` already reported Succeeded from the exit code 0. Left for the restart and supervisor
/// owners to settle; `cargo xtask verify` runs it and shows the counterexample.
#[test]
#[ignore = "known disagreement: an exit 0 during preStop is Failed for restart, Succeeded for phase"]
fn exits_during_pre_stop_keep_the_terminal_phase() {
    let mut model = PodModel::standard(2);
    model.exits_during_pre_stop = true;
    let report = model.check();
    print!("{report}");
    assert!(report.ok(), "{report}");
}
