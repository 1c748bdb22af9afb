//! `vmm-ref boot` as a user runs it: the binary, its messages and exit codes. Linux itself
//! cannot boot on this project's machines (paravirtual KVM), so the guests here are tiny
//! hand-assembled kernels, and the agent is a placeholder file (it is only packed into the
//! initramfs; the tiny kernels never run it). Real boots are proven in the emulated-SVM rig.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod kvm_support;

use kvm_support::{TempFile, halt_forever, print, reset, tiny_elf};

fn vmm_ref() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vmm-ref"));
    c.env_remove("VMM_REF_SKIP_HOST_CHECK")
        .env_remove("VMM_REF_AGENT");
    c
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn help_shows_an_example_and_the_exit_codes() {
    let o = vmm_ref().args(["boot", "--help"]).output().unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("vmm-ref boot --kernel vmlinux"), "{text}");
    assert!(text.contains("--initramfs-add"));
    assert!(text.contains("Exit codes"));
}

#[test]
fn paravirtual_kvm_is_refused_with_the_remedy() {
    let pvm = std::path::Path::new("/sys/module/kvm_pvm").exists();
    let virt = std::fs::read_to_string("/proc/cpuinfo")
        .map(|s| vmm_ref::host_check::cpuinfo_has_virt(&s))
        .unwrap_or(false);
    if !pvm || virt || !std::path::Path::new("/dev/kvm").exists() {
        eprintln!("SKIPPED: this host's /dev/kvm is not the paravirtual kvm_pvm");
        return;
    }
    let o = vmm_ref()
        .args(["boot", "--kernel", "/nonexistent", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("kvm_pvm") && e.contains("cargo xtask vmm --"),
        "{e}"
    );
}

#[test]
fn a_missing_agent_is_named_with_how_to_give_one() {
    let o = vmm_ref()
        .env("VMM_REF_SKIP_HOST_CHECK", "1")
        .args([
            "boot",
            "--kernel",
            "/nonexistent",
            "--agent",
            "/nonexistent/agent",
        ])
        .output()
        .unwrap();
    if stderr(&o).contains("/dev/kvm") {
        eprintln!("SKIPPED: {}", stderr(&o));
        return;
    }
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("/nonexistent/agent") && e.contains("--agent"),
        "{e}"
    );
}

#[test]
fn a_panicking_guest_exits_125_naming_the_panic_and_showing_the_console() {
    require_kvm!();
    let mut code = print(b"Kernel panic - not syncing: tiny\n");
    code.extend(reset());
    let k = TempFile::with("cli-panic", &tiny_elf(&code, false));
    let agent = TempFile::with("cli-agent", b"placeholder");
    let log = TempFile::with("cli-panic.log", b"");
    let o = vmm_ref()
        .env("VMM_REF_SKIP_HOST_CHECK", "1")
        .arg("boot")
        .arg("--kernel")
        .arg(&k.0)
        .arg("--agent")
        .arg(&agent.0)
        .arg("--console-log")
        .arg(&log.0)
        .args(["--memory", "64", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(125));
    let e = stderr(&o);
    assert!(e.contains("kernel panicked: not syncing: tiny"), "{e}");
    assert!(e.contains("before the agent said hello"), "{e}");
    assert!(e.contains(&log.0.display().to_string()), "{e}");
    assert_eq!(
        std::fs::read_to_string(&log.0).unwrap(),
        "Kernel panic - not syncing: tiny\n"
    );
}

#[test]
fn console_flag_copies_the_guest_console_to_stdout() {
    require_kvm!();
    let mut code = print(b"hello from the guest\n");
    code.extend(reset());
    let k = TempFile::with("cli-console", &tiny_elf(&code, false));
    let agent = TempFile::with("cli-agent2", b"placeholder");
    let o = vmm_ref()
        .env("VMM_REF_SKIP_HOST_CHECK", "1")
        .arg("boot")
        .arg("--kernel")
        .arg(&k.0)
        .arg("--agent")
        .arg(&agent.0)
        .args(["--memory", "64", "--console"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), "hello from the guest\n");
    assert_eq!(o.status.code(), Some(125));
    assert!(stderr(&o).contains("rebooted"), "{}", stderr(&o));
}

#[test]
fn timeout_stops_a_stuck_guest_promptly() {
    require_kvm!();
    let k = TempFile::with("cli-halt", &tiny_elf(&halt_forever(), false));
    let agent = TempFile::with("cli-agent3", b"placeholder");
    let t0 = Instant::now();
    let o = vmm_ref()
        .env("VMM_REF_SKIP_HOST_CHECK", "1")
        .arg("boot")
        .arg("--kernel")
        .arg(&k.0)
        .arg("--agent")
        .arg(&agent.0)
        .args(["--memory", "64", "--timeout", "1"])
        .output()
        .unwrap();
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    assert_eq!(o.status.code(), Some(125));
    assert!(
        stderr(&o).contains("did not finish within 1 s"),
        "{}",
        stderr(&o)
    );
}
