//! `cargo xtask fuzz [TARGET] [--time SECONDS]`: the cargo-fuzz targets of `fuzz/`.
//!
//! Needs a nightly toolchain (cargo-fuzz passes `-Z` flags): `cargo +nightly` when rustup has
//! one, else the stable toolchain with `RUSTC_BOOTSTRAP=1` (no toolchain can be downloaded on
//! our machines). Installs cargo-fuzz with `cargo install` when it is missing (about 45 s).
//! Runs without a sanitizer: the fuzzed crates forbid `unsafe`, and the build is much faster.
//! New inputs go to `fuzz/target/corpus/<target>`; the committed seeds in `fuzz/corpus/` are
//! read, never written.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::cmd::{Failed, Result, step, workspace_root};

/// Every target, in the order they run.
pub(crate) const TARGETS: [&str; 8] = [
    "parse",
    "roundtrip",
    "selector",
    "phase",
    "restart_tracker",
    "proto_decoder",
    "supervisor",
    "convert",
];

/// Seconds per target when none are given (and in `cargo xtask test`): about 20 s each, as
/// issue 8 asks. The fuzz layer's CI cost is `TARGETS.len() * DEFAULT_SECONDS` of fuzzing
/// (8 x 20 s = 160 s) plus the build; keep that product within [`BUDGET_SECONDS`] when adding
/// a target (lower the time per target rather than raising the budget).
pub(crate) const DEFAULT_SECONDS: u64 = 20;

/// The fuzz layer's budget: every target together at most this much fuzzing (3 minutes).
pub(crate) const BUDGET_SECONDS: u64 = 180;

const _: () = assert!(TARGETS.len() as u64 * DEFAULT_SECONDS <= BUDGET_SECONDS);

/// Options of `cargo xtask fuzz`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// One target (default: every target in turn).
    target: Option<String>,
    /// Seconds per target.
    #[arg(long, default_value_t = DEFAULT_SECONDS)]
    time: u64,
    /// List the targets and exit.
    #[arg(long)]
    list: bool,
}

/// `cargo xtask fuzz`.
pub(crate) fn run(args: &Args) -> Result {
    if args.list {
        for t in TARGETS {
            println!("{t}");
        }
        return Ok(());
    }
    let targets: Vec<&str> = match &args.target {
        Some(t) if TARGETS.contains(&t.as_str()) => vec![t.as_str()],
        Some(t) => {
            return Err(Failed(format!(
                "no fuzz target `{t}`; the targets are: {}",
                TARGETS.join(", ")
            )));
        }
        None => TARGETS.to_vec(),
    };
    fuzz(&targets, args.time)
}

/// Installs what is missing, builds every target, and runs `targets` for `seconds` each; prints
/// a table of what it cost. Fails on the first crash.
pub(crate) fn fuzz(targets: &[&str], seconds: u64) -> Result {
    let total = Instant::now();
    let toolchain = Toolchain::detect();
    eprintln!("==> fuzz toolchain: {}", toolchain.describe());
    let install = ensure_cargo_fuzz()?;
    let started = Instant::now();
    step(
        "cargo fuzz build (every target, no sanitizer)",
        toolchain
            .cargo_fuzz()
            .args(["build", "--sanitizer", "none", "--debug-assertions"]),
    )?;
    let build = started.elapsed().as_secs_f64();
    let mut rows = Vec::new();
    for target in targets {
        let out = workspace_root().join("fuzz/target/corpus").join(target);
        std::fs::create_dir_all(&out)
            .map_err(|e| Failed(format!("cannot create {}: {e}", out.display())))?;
        let seeds = workspace_root().join("fuzz/corpus").join(target);
        let started = Instant::now();
        let title = format!("fuzz {target} for {seconds} s");
        eprintln!("==> {title}");
        let output = toolchain
            .cargo_fuzz()
            .args(["run", "--sanitizer", "none", "--debug-assertions", target])
            .arg(&out)
            .arg(&seeds)
            .args([
                "--",
                &format!("-max_total_time={seconds}"),
                "-timeout=10",
                "-rss_limit_mb=2048",
                "-print_final_stats=1",
            ])
            .stdout(Stdio::inherit())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| Failed(format!("{title}: could not start cargo fuzz: {e}")))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        let took = started.elapsed().as_secs_f64();
        if !output.status.success() {
            eprintln!("{stderr}");
            return Err(Failed(format!(
                "{title}: crashed after {took:.1} s (the input is under fuzz/artifacts/{target}/; \
                 add it as a regression test in the crate's own tests)"
            )));
        }
        let runs = stat(&stderr, "stat::number_of_executed_units:").unwrap_or(0);
        let corpus = count_files(&out) + count_files(&seeds);
        eprintln!("<== {title}: ok, {runs} runs ({took:.1} s)");
        rows.push((target.to_string(), took, runs, count_files(&seeds), corpus));
    }
    println!();
    println!("| fuzz target | seconds | runs | seeds | corpus after |");
    println!("|---|---:|---:|---:|---:|");
    for (t, took, runs, seeds, corpus) in &rows {
        println!("| {t} | {took:.1} | {runs} | {seeds} | {corpus} |");
    }
    println!(
        "fuzz total: {:.0} s (cargo-fuzz install {}, build {build:.0} s, {} targets x {seconds} s)",
        total.elapsed().as_secs_f64(),
        install.map_or("not needed".to_owned(), |s| format!("{s:.0} s")),
        rows.len()
    );
    Ok(())
}

/// Which toolchain runs cargo-fuzz.
enum Toolchain {
    /// rustup's nightly.
    Nightly,
    /// The default toolchain with `RUSTC_BOOTSTRAP=1`.
    Bootstrap,
}

impl Toolchain {
    fn detect() -> Self {
        let out = Command::new("rustup")
            .args(["toolchain", "list"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        if out.lines().any(|l| l.starts_with("nightly")) {
            Self::Nightly
        } else {
            Self::Bootstrap
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Self::Nightly => "nightly (rustup)",
            Self::Bootstrap => "no nightly toolchain: the default one with RUSTC_BOOTSTRAP=1",
        }
    }

    /// `cargo [+nightly] fuzz`, in `fuzz/`.
    fn cargo_fuzz(&self) -> Command {
        // rustup's proxy, not the cargo running xtask: only the proxy understands `+nightly`.
        let mut c = Command::new("cargo");
        c.current_dir(fuzz_dir());
        for var in ["RUSTUP_TOOLCHAIN", "CARGO", "RUSTC", "RUSTDOC"] {
            c.env_remove(var);
        }
        match self {
            Self::Nightly => {
                c.arg("+nightly");
            }
            Self::Bootstrap => {
                c.env("RUSTC_BOOTSTRAP", "1");
            }
        }
        c.arg("fuzz");
        c
    }
}

fn fuzz_dir() -> PathBuf {
    workspace_root().join("fuzz")
}

/// Installs cargo-fuzz if `cargo fuzz` is missing; returns how long that took.
fn ensure_cargo_fuzz() -> Result<Option<f64>> {
    let have = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if have {
        return Ok(None);
    }
    let started = Instant::now();
    step(
        "cargo install cargo-fuzz --locked",
        Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]),
    )?;
    Ok(Some(started.elapsed().as_secs_f64()))
}

/// The number after `key` in libFuzzer's final stats.
fn stat(stderr: &str, key: &str) -> Option<u64> {
    stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().parse().ok())
}

fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.filter(|e| e.is_ok()).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzer_final_stats() {
        let err = "#1 INITED\nstat::number_of_executed_units: 262448\nstat::peak_rss_mb: 80\n";
        assert_eq!(stat(err, "stat::number_of_executed_units:"), Some(262_448));
        assert_eq!(stat(err, "stat::nothing:"), None);
    }

    #[test]
    fn every_target_has_a_source_and_seeds() {
        for t in TARGETS {
            let src = fuzz_dir().join("fuzz_targets").join(format!("{t}.rs"));
            assert!(src.is_file(), "{}", src.display());
            assert!(
                count_files(&fuzz_dir().join("corpus").join(t)) > 0,
                "{t} has no seeds"
            );
        }
    }
}
