//! `cargo xtask busybox`: the `busybox` image the examples and tests use, built from Debian's
//! `busybox-static` package (`apt-get download` + `dpkg -x`), with a symbolic link per applet
//! and the directories and files a container expects (`/tmp`, `/proc`, `/dev`, `/etc/passwd`).
//!
//! The root filesystem is built once under `.work/busybox/rootfs` (git-ignored) and imported
//! into the image store with `vmm-ref image import busybox` (the store is `$VMM_REF_HOME` or
//! `~/.local/share/vmm-ref`; `--home` picks another).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{Failed, Result, cargo, step, workspace_root};

/// Options of `cargo xtask busybox`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The image store to import into (default: `$VMM_REF_HOME`, else ~/.local/share/vmm-ref).
    #[arg(long, value_name = "DIR")]
    home: Option<PathBuf>,
    /// Only build the root filesystem; do not import it.
    #[arg(long)]
    no_import: bool,
}

/// Where the root filesystem is built.
pub(crate) fn rootfs_dir() -> PathBuf {
    workspace_root().join(".work/busybox/rootfs")
}

fn io(what: &str, path: &Path) -> impl FnOnce(std::io::Error) -> Failed + use<> {
    let msg = format!("{what} {}", path.display());
    move |e| Failed(format!("{msg}: {e}"))
}

/// Builds `.work/busybox/rootfs` unless it is there already; returns its path.
pub(crate) fn provision() -> Result<PathBuf> {
    let root = rootfs_dir();
    let done = root.join(".complete");
    if done.exists() {
        return Ok(root);
    }
    let work = workspace_root().join(".work/busybox");
    let debs = work.join("debs");
    let pkg = work.join("pkg");
    let _ = std::fs::remove_dir_all(&debs);
    let _ = std::fs::remove_dir_all(&pkg);
    std::fs::create_dir_all(&debs).map_err(io("mkdir", &debs))?;
    let download = |title: &str| {
        step(
            title,
            Command::new("apt-get")
                .args(["download", "-q", "busybox-static"])
                .current_dir(&debs),
        )
    };
    if download("apt-get download busybox-static").is_err() {
        // A fresh machine may have no package lists yet.
        step(
            "apt-get update",
            Command::new("apt-get").args(["update", "-q"]),
        )?;
        download("apt-get download busybox-static (after apt-get update)")?;
    }
    let deb = std::fs::read_dir(&debs)
        .map_err(io("read", &debs))?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .ok_or_else(|| Failed("busybox-static: downloaded .deb not found".into()))?;
    step(
        &format!("dpkg -x {}", deb.display()),
        Command::new("dpkg").arg("-x").arg(&deb).arg(&pkg),
    )?;
    let binary = ["bin/busybox", "usr/bin/busybox"]
        .iter()
        .map(|p| pkg.join(p))
        .find(|p| p.is_file())
        .ok_or_else(|| Failed(format!("no busybox binary in {}", deb.display())))?;

    let _ = std::fs::remove_dir_all(&root);
    for d in [
        "bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "root", "var/run",
        "home", "tmp",
    ] {
        let p = root.join(d);
        std::fs::create_dir_all(&p).map_err(io("mkdir", &p))?;
    }
    set_mode(&root.join("tmp"), 0o1777)?;
    let bb = root.join("bin/busybox");
    std::fs::copy(&binary, &bb).map_err(io("copy to", &bb))?;
    set_mode(&bb, 0o755)?;
    // One symbolic link per applet, where busybox itself says it belongs.
    let list = Command::new(&bb)
        .arg("--list-full")
        .output()
        .map_err(io("run", &bb))?;
    if !list.status.success() {
        return Err(Failed(format!("{} --list-full failed", bb.display())));
    }
    let mut applets = 0;
    for line in String::from_utf8_lossy(&list.stdout).lines() {
        let rel = line.trim().trim_start_matches('/');
        if rel.is_empty() || rel == "bin/busybox" || rel.contains("..") {
            continue;
        }
        let link = root.join(rel);
        if let Some(parent) = link.parent() {
            std::fs::create_dir_all(parent).map_err(io("mkdir", parent))?;
        }
        if link.symlink_metadata().is_err() {
            std::os::unix::fs::symlink("/bin/busybox", &link).map_err(io("symlink", &link))?;
            applets += 1;
        }
    }
    for (file, text) in [
        (
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
        ),
        ("etc/group", "root:x:0:\nnogroup:x:65534:\n"),
        ("etc/hosts", "127.0.0.1 localhost\n::1 localhost\n"),
    ] {
        let p = root.join(file);
        std::fs::write(&p, text).map_err(io("write", &p))?;
    }
    std::fs::write(&done, format!("{applets} applets\n")).map_err(io("write", &done))?;
    let _ = std::fs::remove_dir_all(&debs);
    let _ = std::fs::remove_dir_all(&pkg);
    eprintln!(
        "busybox root filesystem: {} ({applets} applets)",
        root.display()
    );
    Ok(root)
}

fn set_mode(path: &Path, mode: u32) -> Result {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(io("chmod", path))
}

/// Imports the root filesystem as `busybox` into the store at `home` (or the default store).
pub(crate) fn import(rootfs: &Path, home: Option<&Path>) -> Result {
    let mut c = cargo();
    c.args([
        "run", "-q", "-p", "vmm-ref", "--", "image", "import", "busybox",
    ])
    .arg(rootfs);
    if let Some(h) = home {
        c.env("VMM_REF_HOME", h);
    }
    step("vmm-ref image import busybox", &mut c)
}

/// Runs `cargo xtask busybox`.
pub(crate) fn run(args: &Args) -> Result {
    let root = provision()?;
    if args.no_import {
        return Ok(());
    }
    import(&root, args.home.as_deref())
}
