//! `cargo xtask verify`: the exhaustive bounded checks of `phase` and `restart` and the two model
//! checks of `verify/` (the composed lifecycle over `restart::PodTracker`, and
//! `vmm_ref::supervisor::Supervisor` itself), in release mode, reported as one table.
//!
//! Each check prints its own count (`phase exhaustive: N cases`, `restart exhaustive: N cases`,
//! `model check: N states (U unique), ...`, `supervisor model check: N states (U unique), ...`);
//! this command runs them with `--nocapture` and collects the numbers. The supervisor model runs
//! its standard set of pods here (`VERIFY_SUPERVISOR_SET=standard`); `cargo test` runs a
//! smaller set so that the debug test takes seconds.

use std::process::Command;
use std::time::Instant;

use crate::cmd::{Failed, Result, cargo};

/// Options of `cargo xtask verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The tracker model's bound: how many times one container may be started.
    #[arg(long, default_value_t = 3)]
    max_starts: u8,
    /// The supervisor model's bound on starts per container.
    #[arg(long, default_value_t = 2)]
    supervisor_max_starts: u8,
    /// The supervisor model's bound on time, in seconds.
    #[arg(long, default_value_t = 20)]
    horizon: u64,
}

struct Check {
    name: &'static str,
    package: &'static str,
    test: &'static str,
    marker: &'static str,
    /// The one test function whose count is reported, when the binary has several (they run
    /// in parallel, so the first marker line printed could be any of them).
    only: Option<&'static str>,
}

const CHECKS: [Check; 4] = [
    Check {
        name: "phase exhaustive (phase/tests/exhaustive.rs)",
        package: "phase",
        test: "exhaustive",
        marker: "phase exhaustive:",
        only: None,
    },
    Check {
        name: "restart exhaustive (restart/tests/exhaustive.rs)",
        package: "restart",
        test: "exhaustive",
        marker: "restart exhaustive:",
        only: None,
    },
    Check {
        name: "model check (verify/tests/model_check.rs)",
        package: "verify",
        test: "model_check",
        marker: "model check:",
        only: Some("composed_pod_lifecycle_keeps_every_property"),
    },
    Check {
        name: "supervisor model check (verify/tests/supervisor_model_check.rs)",
        package: "verify",
        test: "supervisor_model_check",
        marker: "supervisor model check:",
        only: Some("the_supervisor_keeps_every_property"),
    },
];

/// `cargo xtask verify`.
pub(crate) fn run(args: &Args) -> Result {
    let mut rows = Vec::new();
    for check in &CHECKS {
        let (ok, stdout, took) = run_test(check, args)?;
        if !ok {
            println!("{stdout}");
            return Err(Failed(format!("{}: failed after {took:.1} s", check.name)));
        }
        let line = stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(check.marker))
            .ok_or_else(|| {
                Failed(format!(
                    "{}: printed no `{}` line",
                    check.name, check.marker
                ))
            })?;
        rows.push((check.name, line.trim().to_owned(), took));
        if check.package == "verify" {
            for property in stdout.lines().filter(|l| l.trim_start().starts_with("ok ")) {
                eprintln!("    {}", property.trim());
            }
            // The model's own time (the table's seconds include building the test).
            for timing in stdout.lines().filter(|l| {
                l.starts_with("model check: bound") || l.starts_with("supervisor model:")
            }) {
                eprintln!("    {timing}");
            }
        }
    }
    println!();
    println!("| check | covered | seconds (with the build) |");
    println!("|---|---|---:|");
    for (name, line, took) in &rows {
        println!("| {name} | {line} | {took:.1} |");
    }
    println!(
        "model bounds: tracker model {} starts per container; supervisor model {} starts per container, {} s of time (its gated, handlers, second-daemon-restart, deadline, sleeper and network pods keep their own time, wait and restart bounds)",
        args.max_starts, args.supervisor_max_starts, args.horizon
    );
    Ok(())
}

/// Runs one test binary in release mode; returns (success, stdout, seconds).
fn run_test(check: &Check, args: &Args) -> Result<(bool, String, f64)> {
    eprintln!(
        "==> cargo test --release -p {} --test {}",
        check.package, check.test
    );
    let started = Instant::now();
    let mut c: Command = cargo();
    c.args([
        "test",
        "--release",
        "-p",
        check.package,
        "--test",
        check.test,
        "--",
    ])
    .arg("--nocapture");
    if let Some(only) = check.only {
        c.args(["--exact", only]);
    }
    if check.test == "supervisor_model_check" {
        c.env("VERIFY_MAX_STARTS", args.supervisor_max_starts.to_string())
            .env("VERIFY_HORIZON_SECONDS", args.horizon.to_string())
            .env("VERIFY_SUPERVISOR_SET", "standard");
    } else {
        c.env("VERIFY_MAX_STARTS", args.max_starts.to_string());
    }
    let out = c
        .output()
        .map_err(|e| Failed(format!("could not start cargo test: {e}")))?;
    let took = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok((out.status.success(), stdout, took))
}
