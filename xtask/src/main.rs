//! Developer commands for the workspace, run as `cargo xtask <command>`.
//!
//! - `cargo xtask test`: every test layer (format, lints, unit, doc, property and CLI tests).
//! - `cargo xtask rig [-- SHELL COMMAND]`: boot the emulated-SVM rig and run a command in L1.
//! - `cargo xtask vmm -- ARGS`: run `vmm-ref ARGS` in the rig (a real guest boot).
//! - `cargo xtask busybox`: build the `busybox` image (Debian's busybox-static) and import it.
//! - `cargo xtask run FILE` (or `-- --image IMAGE [-- COMMAND]`): provision the busybox image,
//!   then `vmm-ref run` the pod file (or the one-container pod).
//! - `cargo xtask bench-boot`: vmm-ref against qemu microvm, boot time and memory, in the rig.
//! - `cargo xtask fuzz [TARGET] [--time S]`: the cargo-fuzz targets (nightly), 20 s each.
//! - `cargo xtask verify`: exhaustive checks and the model check, as one table of counts.
//! - `cargo xtask bench [--quick] [FILTER]`: criterion benchmarks, with ratios to k8s-openapi.
//!
//! Each command installs what it needs on a fresh machine of our kind (rustup components,
//! Debian packages with `apt-get`) before using it.

mod bench;
mod bench_boot;
mod busybox;
mod cmd;
mod fuzz;
// The same in-memory cpio builder vmm-ref uses, compiled into xtask for the rig's L1 initramfs.
#[path = "../../vmm-ref/src/initramfs.rs"]
#[allow(dead_code, unreachable_pub)]
mod initramfs;
mod rig;
mod run;
mod stall;
mod test;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Developer commands for the vmm-ref workspace.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every test layer: `cargo fmt --check`, clippy with `-D warnings`, and
    /// `cargo test --workspace` (unit, doc, property and CLI tests).
    Test(test::Args),
    /// Boot the emulated-SVM rig (L1 Linux under qemu TCG with a /dev/kvm) and run a shell
    /// command in it; installs qemu and busybox and downloads Debian's kernels as needed.
    Rig(rig::Args),
    /// Run `vmm-ref ARGS` inside the rig, booting a real Linux guest (Debian's cloud kernel).
    Vmm(rig::VmmArgs),
    /// Build the `busybox` image from Debian's busybox-static package and import it into the
    /// image store.
    Busybox(busybox::Args),
    /// Run a pod file (or `-- --image busybox -- echo hi`) with `vmm-ref run`, provisioning the
    /// busybox image first.
    Run(run::Args),
    /// Boot time and memory of vmm-ref against qemu's microvm, both inside the rig.
    BenchBoot(bench_boot::Args),
    /// Criterion benchmarks of the pure crates, with k8s-openapi measured in the same run.
    Bench(bench::Args),
    /// Run the cargo-fuzz targets of `fuzz/` (nightly; installs cargo-fuzz if missing).
    Fuzz(fuzz::Args),
    /// The exhaustive checks of phase and restart and the model check, as one table.
    Verify(verify::Args),
    /// Boot the L2 guest many times under load in the rig and count stalled boots.
    Stall(stall::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Test(args) => test::run(&args),
        Command::Rig(args) => rig::run(&args),
        Command::Vmm(args) => rig::vmm(&args),
        Command::Busybox(args) => busybox::run(&args),
        Command::Run(args) => run::run(&args),
        Command::BenchBoot(args) => bench_boot::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Fuzz(args) => fuzz::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Stall(args) => stall::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}
