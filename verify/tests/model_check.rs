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

/// Containers may also exit on their own while their preStop hook runs. This once failed "a
/// terminal phase never changes": `restart` ended such a pod Failed (the exit 0 happened during a
/// stop) after `phase` had reported Succeeded from the exit code. Settled in `restart`: a run
/// counts by its exit code, as Kubernetes' `getPhase` does (restart/DESIGN.md, "Pod status").
#[test]
fn exits_during_pre_stop_keep_the_terminal_phase() {
    let mut model = PodModel::standard(2);
    model.exits_during_pre_stop = true;
    let report = model.check();
    print!("{report}");
    assert!(report.ok(), "{report}");
    assert!(report.unique_states > 1_000, "{report}");
}
