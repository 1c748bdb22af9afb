//! `vmm-ref run --runtime kvm` on the host: what can be checked without booting a guest
//! (which this project's machines cannot do with their own KVM; the rig layer of
//! `cargo xtask test` boots real guests, see `xtask/src/rig.rs`): the runtime chosen by
//! default and why, a host that cannot boot Linux refused up front, and the errors before a
//! guest runs (no agent, a kernel that is not one) ending the run with exit 1 and a clear
//! message, leaving nothing behind.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output};

struct Env {
    dir: PathBuf,
}

fn busybox_rootfs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.work/busybox/rootfs")
}

const POD: &str =
    r#"{"id": "k", "containers": [{"name": "c", "image": "busybox", "command": ["true"]}]}"#;

fn setup(name: &str) -> Option<Env> {
    let rootfs = busybox_rootfs();
    if !rootfs.join("bin/busybox").is_file() {
        eprintln!(
            "skipped: no busybox root filesystem at {}; `cargo xtask busybox --no-import` builds it",
            rootfs.display()
        );
        return None;
    }
    let dir = std::env::temp_dir().join(format!("vmm-ref-cli-kvm-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let env = Env { dir };
    let out = env.vmm(
        &["image", "import", "busybox", rootfs.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    fs::write(env.dir.join("pod.json"), POD).unwrap();
    fs::write(env.dir.join("not-a-kernel"), b"hello, I am not a kernel").unwrap();
    Some(env)
}

impl Env {
    fn vmm(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_vmm-ref"));
        c.args(args)
            .env("VMM_REF_HOME", self.dir.join("store"))
            .env_remove("VMM_REF_SKIP_HOST_CHECK")
            .env_remove("VMM_REF_AGENT")
            .env_remove("VMM_REF_KERNEL");
        for (k, v) in vars {
            c.env(k, v);
        }
        c.output().unwrap()
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_str().unwrap().to_owned()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn host_boots_linux() -> bool {
    vmm_ref::host_check::check_host().is_ok()
}

#[test]
fn without_runtime_the_choice_and_its_reason_are_on_stderr() {
    let Some(env) = setup("default") else { return };
    let out = env.vmm(&["run", "--timeout", "20s", &env.path("pod.json")], &[]);
    let err = text(&out.stderr);
    if host_boots_linux() {
        assert!(
            err.contains("runtime kvm (this host's KVM can boot Linux)"),
            "{err}"
        );
    } else {
        assert!(
            err.contains("runtime process (host processes), because"),
            "{err}"
        );
        assert!(err.contains("cargo xtask run FILE"), "{err}");
    }
}

#[test]
fn the_kvm_runtime_on_a_host_that_cannot_boot_linux_is_refused_up_front() {
    if host_boots_linux() {
        eprintln!("skipped: this host's KVM boots Linux");
        return;
    }
    let Some(env) = setup("refused") else { return };
    let out = env.vmm(
        &[
            "run",
            "--runtime",
            "kvm",
            "--kernel",
            &env.path("not-a-kernel"),
            &env.path("pod.json"),
        ],
        &[],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("the kvm runtime cannot run here"), "{err}");
    assert!(err.contains("cargo xtask run FILE"), "{err}");
    assert!(
        out.stdout.is_empty(),
        "nothing started: {}",
        text(&out.stdout)
    );
}

#[test]
fn a_missing_agent_is_named() {
    let Some(env) = setup("agent") else { return };
    let out = env.vmm(
        &[
            "run",
            "--runtime",
            "kvm",
            "--kernel",
            &env.path("not-a-kernel"),
            &env.path("pod.json"),
        ],
        &[
            ("VMM_REF_SKIP_HOST_CHECK", "1"),
            ("VMM_REF_AGENT", "/nonexistent/vmm-ref-agent"),
        ],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot find the guest agent"), "{err}");
    assert!(err.contains("VMM_REF_AGENT"), "{err}");
}

#[test]
fn a_kernel_that_is_not_one_fails_the_sandbox_before_any_container() {
    if !std::path::Path::new("/dev/kvm").exists() {
        eprintln!("skipped: no /dev/kvm");
        return;
    }
    let Some(env) = setup("badkernel") else {
        return;
    };
    let agent = env.path("not-a-kernel"); // any readable file gets as far as the kernel
    let out = env.vmm(
        &[
            "run",
            "--runtime",
            "kvm",
            "--kernel",
            &env.path("not-a-kernel"),
            &env.path("pod.json"),
        ],
        &[("VMM_REF_SKIP_HOST_CHECK", "1"), ("VMM_REF_AGENT", &agent)],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("pod k: cannot create the pod sandbox: cannot build the pod VM"),
        "{err}"
    );
    assert!(
        !text(&out.stdout).contains("container c started"),
        "{}",
        text(&out.stdout)
    );
}
