//! `cargo xtask run FILE [-- ARGS]`: run a pod file with `vmm-ref run`, provisioning what is
//! missing first (the busybox image in the default store), and saying where it runs.
//!
//! Where: `vmm-ref run --runtime process` on this host. The kvm runtime (containers in a KVM
//! guest through the agent) is not available yet; once it is, a host whose KVM can boot Linux
//! runs it directly and other hosts (kvm_pvm) inside the emulated-SVM rig.

use std::path::PathBuf;

use crate::busybox;
use crate::cmd::{Result, cargo, step};

/// Options of `cargo xtask run`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The pod file (e.g. examples/k8s-v1beta1-restart-succeeds.json).
    file: PathBuf,
    /// More `vmm-ref run` options (after `--`).
    #[arg(last = true)]
    extra: Vec<String>,
}

/// Whether this host's `/dev/kvm` is hardware virtualization (not the paravirtual kvm_pvm).
fn kvm_boots_linux() -> bool {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let virt = cpuinfo
        .lines()
        .filter(|l| l.starts_with("flags"))
        .any(|l| l.split_whitespace().any(|f| f == "vmx" || f == "svm"));
    std::path::Path::new("/dev/kvm").exists()
        && virt
        && !std::path::Path::new("/sys/module/kvm_pvm").exists()
}

/// Runs `cargo xtask run`.
pub(crate) fn run(args: &Args) -> Result {
    let rootfs = busybox::provision()?;
    busybox::import(&rootfs, None)?;
    let why = if kvm_boots_linux() {
        "this host's KVM can boot Linux, but the kvm runtime is not available yet"
    } else {
        "this host's KVM cannot boot Linux (kvm_pvm or none) and the kvm runtime is not available yet, so not in the rig either"
    };
    eprintln!("xtask run: running on this host with the process runtime ({why})");
    let file = std::fs::canonicalize(&args.file).unwrap_or_else(|_| args.file.clone());
    step(
        &format!("vmm-ref run --runtime process {}", args.file.display()),
        cargo()
            .args([
                "run",
                "-q",
                "-p",
                "vmm-ref",
                "--",
                "run",
                "--runtime",
                "process",
            ])
            .args(&args.extra)
            .arg(file),
    )
}
