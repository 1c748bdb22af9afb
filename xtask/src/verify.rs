//! `cargo xtask verify`: the exhaustive bounded checks of `phase` and `restart` and the model
//! check of the composed lifecycle (`verify/`), in release mode, reported as one table.
//!
//! Each check prints its own count (`phase exhaustive: N cases`, `restart exhaustive: N cases`,
//! `model check: N states (U unique), ...`); this command runs them with `--nocapture` and
//! collects the numbers. It also runs the model's ignored known-disagreement test and reports
//! whether it still fails, without failing on it.

use std::process::Command;
use std::time::Instant;

use crate::cmd::{Failed, Result, cargo};

/// Options of `cargo xtask verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The model's bound: how many times one container may be started.
    #[arg(long, default_value_t = 3)]
    max_starts: u8,
}

struct Check {
    name: &'static str,
    package: &'static str,
    test: &'static str,
    marker: &'static str,
}

const CHECKS: [Check; 3] = [
    Check {
        name: "phase exhaustive (phase/tests/exhaustive.rs)",
        package: "phase",
        test: "exhaustive",
        marker: "phase exhaustive:",
    },
    Check {
        name: "restart exhaustive (restart/tests/exhaustive.rs)",
        package: "restart",
        test: "exhaustive",
        marker: "restart exhaustive:",
    },
    Check {
        name: "model check (verify/tests/model_check.rs)",
        package: "verify",
        test: "model_check",
        marker: "model check:",
    },
];

/// `cargo xtask verify`.
pub(crate) fn run(args: &Args) -> Result {
    let mut rows = Vec::new();
    for check in &CHECKS {
        let (ok, stdout, took) = run_test(check, args.max_starts, false)?;
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
        }
    }
    let model = &CHECKS[2];
    let (known_ok, known_out, _) = run_test(model, args.max_starts, true)?;
    println!();
    println!("| check | covered | seconds |");
    println!("|---|---|---:|");
    for (name, line, took) in &rows {
        println!("| {name} | {line} | {took:.1} |");
    }
    println!("model bound: {} starts per container", args.max_starts);
    if known_ok {
        println!(
            "known disagreement (ignored test exits_during_pre_stop_keep_the_terminal_phase): now passes; un-ignore it"
        );
    } else {
        let fail = known_out
            .lines()
            .filter(|l| l.contains("FAIL") || l.contains("path:"))
            .take(2)
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("\n  ");
        println!("known disagreement (ignored test, still fails):\n  {fail}");
    }
    Ok(())
}

/// Runs one test binary in release mode; returns (success, stdout, seconds).
fn run_test(check: &Check, max_starts: u8, ignored: bool) -> Result<(bool, String, f64)> {
    eprintln!(
        "==> cargo test --release -p {} --test {}{}",
        check.package,
        check.test,
        if ignored { " (ignored tests)" } else { "" }
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
    .arg("--nocapture")
    .env("VERIFY_MAX_STARTS", max_starts.to_string());
    if ignored {
        c.arg("--ignored");
    }
    let out = c
        .output()
        .map_err(|e| Failed(format!("could not start cargo test: {e}")))?;
    let took = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() && !ignored {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
    Ok((out.status.success(), stdout, took))
}
