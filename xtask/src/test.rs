//! `cargo xtask test`: every test layer of the workspace, in the order that fails fastest.

use std::process::Command;

use crate::cmd::{self, Result, cargo, step};

/// Options of `cargo xtask test`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs every layer; the first failure stops the run.
pub(crate) fn run(_args: &Args) -> Result {
    ensure_components()?;
    step(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--", "--check"]),
    )?;
    step(
        "cargo clippy (workspace, all targets, -D warnings)",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    // The busybox root filesystem the `vmm-ref run` tests import into their own stores.
    if let Err(e) = crate::busybox::provision() {
        eprintln!("warning: busybox image not built ({e}); the tests that need it will skip");
    }
    step(
        "cargo test --workspace (unit, doc, property, CLI)",
        cargo().args(["test", "--workspace"]),
    )?;
    // Every fuzz target for a short bounded time (fuzz/; XTASK_FUZZ_SECONDS, default
    // crate::fuzz::DEFAULT_SECONDS = 20 s each, 160 s for the 8 targets, within
    // crate::fuzz::BUDGET_SECONDS, checked at compile time).
    let seconds = std::env::var("XTASK_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(crate::fuzz::DEFAULT_SECONDS);
    crate::fuzz::fuzz(&crate::fuzz::TARGETS, seconds)?;
    // Full Linux guests: one boot of the emulated-SVM rig (see xtask/src/rig.rs).
    eprintln!(
        "==> rig boot smoke (L1 under qemu TCG with emulated SVM; vmm-ref boots real guests)"
    );
    crate::rig::smoke()?;
    Ok(())
}

/// Installs rustfmt and clippy when this toolchain lacks them (a fresh machine may).
fn ensure_components() -> Result {
    let have_fmt = cmd::succeeds(cargo().args(["fmt", "--version"]));
    let have_clippy = cmd::succeeds(cargo().args(["clippy", "--version"]));
    if have_fmt && have_clippy {
        return Ok(());
    }
    step(
        "rustup component add rustfmt clippy",
        Command::new("rustup").args(["component", "add", "rustfmt", "clippy"]),
    )
}
