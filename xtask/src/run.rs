//! `cargo xtask run FILE [-- ARGS]`: run a pod file with `vmm-ref run`, provisioning what is
//! missing first (the busybox image), and saying where it runs and why.
//! `cargo xtask run -- --image IMAGE [ARGS] [-- COMMAND]` runs Hyper's one-container shorthand
//! the same way (`vmm-ref run --image`), for example
//! `cargo xtask run -- --image busybox -- echo hello`.
//!
//! Where:
//! - `--runtime process` among ARGS: on this host, host processes.
//! - otherwise, when this host's KVM can boot Linux (vmm-ref's own host check,
//!   `vmm-ref/src/host_check.rs`): `vmm-ref run --runtime kvm` on this host;
//! - otherwise (`kvm_pvm`, or no `/dev/kvm`): `vmm-ref run --runtime kvm` inside the
//!   emulated-SVM rig (L1 under qemu TCG; see `rig.rs`). The pod file goes into L1 as
//!   `/rig/pod/NAME`, and so does every ARG before a second `--` that names an existing host
//!   file (for example `--services services.json`), as `/rig/files/N-NAME`; the container's
//!   command after it is passed as it is. The busybox image is in L1's store.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::busybox;
use crate::cmd::{Failed, Result, cargo, step};

// vmm-ref's own host check, compiled into xtask (it is self-contained).
#[path = "../../vmm-ref/src/host_check.rs"]
#[allow(dead_code, unreachable_pub, missing_docs)]
mod host_check;

/// Options of `cargo xtask run`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The pod file (e.g. examples/k8s-v1beta1-restart-succeeds.json); none with
    /// `-- --image IMAGE`.
    file: Option<PathBuf>,
    /// More `vmm-ref run` options (after `--`), e.g. `--timeout 30s`, or
    /// `--image busybox -- echo hello` without a file.
    #[arg(last = true)]
    extra: Vec<String>,
}

/// The runtime named in `extra` (`--runtime X` or `--runtime=X`), if any.
fn runtime_named(extra: &[String]) -> Option<&str> {
    extra.iter().enumerate().find_map(|(i, a)| {
        if a == "--runtime" {
            extra.get(i + 1).map(String::as_str)
        } else {
            a.strip_prefix("--runtime=")
        }
    })
}

/// Whether `extra` asks for `vmm-ref run --image` (before any `--`).
fn image_named(extra: &[String]) -> bool {
    extra
        .iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "--image" || a.starts_with("--image="))
}

/// Rewrites the arguments that name host files to their place in L1; returns the files to
/// copy in. Nothing after a `--` is rewritten: that is the container's command, whose words
/// name files inside the container.
fn files_for_l1(extra: &[String]) -> (Vec<String>, Vec<(PathBuf, String)>) {
    let mut args = Vec::new();
    let mut files = Vec::new();
    let mut command = false;
    for a in extra {
        let p = Path::new(a);
        command |= a == "--";
        if !command && !a.starts_with('-') && p.is_file() {
            let name = p
                .file_name()
                .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
            let dst = format!("/rig/files/{}-{name}", files.len());
            files.push((p.to_path_buf(), dst.clone()));
            args.push(dst);
        } else {
            args.push(a.clone());
        }
    }
    (args, files)
}

/// Runs `cargo xtask run`.
pub(crate) fn run(args: &Args) -> Result {
    let file = match (&args.file, image_named(&args.extra)) {
        (Some(f), false) => Some(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())),
        (None, true) => None,
        (Some(f), true) => {
            return Err(Failed(format!(
                "both a pod file ({}) and --image given; give one of them",
                f.display()
            )));
        }
        (None, false) => {
            return Err(Failed(
                "no pod to run; give a pod file (cargo xtask run examples/hyper-busybox.json) \
                 or an image (cargo xtask run -- --image busybox -- echo hello)"
                    .to_owned(),
            ));
        }
    };
    let what = file
        .as_deref()
        .map_or_else(|| "--image".to_owned(), |f| f.display().to_string());
    let rootfs = busybox::provision()?;
    let on_host = |runtime: &str, why: &str| {
        eprintln!("xtask run: on this host with the {runtime} runtime ({why})");
        busybox::import(&rootfs, None)?;
        let mut extra = args.extra.clone();
        if runtime_named(&extra).is_none() {
            extra.splice(0..0, ["--runtime".to_owned(), runtime.to_owned()]);
        }
        step(
            &format!("vmm-ref run --runtime {runtime} {what}"),
            cargo()
                .args(["run", "-q", "-p", "vmm-ref", "--", "run"])
                .args(&extra)
                .args(&file),
        )
    };
    if runtime_named(&args.extra) == Some("process") {
        return on_host("process", "asked for with --runtime process");
    }
    match host_check::check_host() {
        Ok(()) => on_host("kvm", "this host's KVM can boot Linux"),
        Err(problem) => {
            eprintln!("xtask run: in the emulated-SVM rig with the kvm runtime, because {problem}");
            let (mut vmm_args, mut files) = files_for_l1(&args.extra);
            if runtime_named(&vmm_args).is_none() {
                vmm_args.splice(0..0, ["--runtime".to_owned(), "kvm".to_owned()]);
            }
            vmm_args.insert(0, "run".to_owned());
            if let Some(file) = &file {
                let name = file
                    .file_name()
                    .map_or_else(|| "pod".to_owned(), |n| n.to_string_lossy().into_owned());
                let pod_dst = format!("/rig/pod/{name}");
                files.push((file.clone(), pod_dst.clone()));
                vmm_args.push(pod_dst);
            }
            let (code, wall) =
                crate::rig::vmm_ref_in_l1(&vmm_args, files, Duration::from_secs(900))?;
            eprintln!(
                "xtask run: vmm-ref run exited {code} ({:.1} s wall for the whole rig)",
                wall.as_secs_f64()
            );
            if code == 0 {
                Ok(())
            } else {
                Err(Failed(format!("vmm-ref run exited {code}")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_runtime_is_read_in_both_spellings() {
        assert_eq!(
            runtime_named(&words("-o json --runtime process")),
            Some("process")
        );
        assert_eq!(runtime_named(&words("--runtime=kvm")), Some("kvm"));
        assert_eq!(runtime_named(&words("--timeout 3s")), None);
    }

    #[test]
    fn host_files_among_the_arguments_move_into_l1() {
        let f = std::env::temp_dir().join(format!("xtask-run-{}.json", std::process::id()));
        std::fs::write(&f, "[]").unwrap();
        let extra = vec![
            "--services".to_owned(),
            f.to_string_lossy().into_owned(),
            "--timeout".to_owned(),
            "30s".to_owned(),
        ];
        let (args, files) = files_for_l1(&extra);
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(args[1], format!("/rig/files/0-{name}"));
        assert_eq!(args[3], "30s");
        assert_eq!(files, [(f.clone(), format!("/rig/files/0-{name}"))]);
        let _ = std::fs::remove_file(&f);
    }

    #[test]
    fn the_containers_command_is_not_taken_for_host_files() {
        let f = std::env::temp_dir().join(format!("xtask-run-cmd-{}", std::process::id()));
        std::fs::write(&f, "x").unwrap();
        let path = f.to_string_lossy().into_owned();
        let extra = vec![
            "--image".to_owned(),
            "busybox".to_owned(),
            "--".to_owned(),
            "cat".to_owned(),
            path.clone(),
        ];
        let (args, files) = files_for_l1(&extra);
        assert_eq!(args, extra, "{args:?}");
        assert!(files.is_empty());
        let _ = std::fs::remove_file(&f);
    }

    #[test]
    fn an_image_is_named_only_before_the_command() {
        assert!(image_named(&words("--image busybox -- echo hi")));
        assert!(image_named(&words("--timeout 3s --image=busybox")));
        assert!(!image_named(&words("--timeout 3s")));
        assert!(!image_named(&words("--env A=1 -- echo --image")));
    }
}
