//! The emulated-SVM rig: full Linux guests for vmm-ref on machines whose own KVM cannot boot
//! them (DESIGN.md, "KVM on these machines, and the emulated-SVM rig").
//!
//! L1 is Debian's generic kernel under `qemu-system-x86_64 -accel tcg -cpu max` (SVM with nested
//! paging, emulated). Its initramfs holds a static busybox, the `irqbypass`, `kvm`, `ccp` and
//! `kvm-amd` modules of the same kernel package (so L1 has a `/dev/kvm`), static `vmm-ref` and
//! `vmm-ref-agent` binaries, Debian's cloud kernel as the L2 guest (`/rig/guest/vmlinuz`), and
//! one shell script per command. L1's `/init` runs the scripts in order and prints each one's
//! output and exit code between markers carrying a per-run nonce on the L1 console; this module
//! parses them back.
//!
//! Everything is installed and downloaded here (apt-get, apt-get download, dpkg -x) into
//! `.work/rig/` (git-ignored), and reused by later runs.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::cmd::{Failed, Result, cargo, step, workspace_root};
use crate::initramfs::Initramfs;

/// The modules that give L1 a `/dev/kvm`, in load order.
const KVM_MODULES: [&str; 4] = ["irqbypass", "kvm", "ccp", "kvm-amd"];

/// The L1 kernel command line.
const L1_CMDLINE: &str = "console=ttyS0 quiet loglevel=1 panic=1 reboot=k rdinit=/init";

/// Where the L2 guest kernel (Debian's cloud kernel) is inside L1.
pub(crate) const GUEST_KERNEL: &str = "/rig/guest/vmlinuz";

/// A Debian kernel package, extracted.
#[derive(Debug, Clone)]
pub(crate) struct Kernel {
    /// The versioned package, e.g. `linux-image-6.1.0-56-cloud-amd64`.
    pub(crate) package: String,
    /// The release `uname -r` prints, e.g. `6.1.0-56-cloud-amd64`.
    pub(crate) release: String,
    /// The extracted package root.
    pub(crate) root: PathBuf,
}

impl Kernel {
    /// The bzImage.
    pub(crate) fn vmlinuz(&self) -> PathBuf {
        self.root.join(format!("boot/vmlinuz-{}", self.release))
    }

    /// The module `name` (`.ko`, or `.ko.xz` decompressed with `xz`).
    fn module(&self, name: &str) -> Result<Vec<u8>> {
        let dir = self
            .root
            .join(format!("lib/modules/{}/kernel", self.release));
        let want = [format!("{name}.ko"), format!("{name}.ko.xz")];
        let found = find_file(&dir, &want)
            .ok_or_else(|| Failed(format!("module {name} not found under {}", dir.display())))?;
        if found.extension().is_some_and(|e| e == "xz") {
            let out = Command::new("xz")
                .arg("-dc")
                .arg(&found)
                .output()
                .map_err(|e| Failed(format!("xz -dc {}: {e}", found.display())))?;
            if !out.status.success() {
                return Err(Failed(format!("xz -dc {} failed", found.display())));
            }
            Ok(out.stdout)
        } else {
            std::fs::read(&found).map_err(|e| Failed(format!("read {}: {e}", found.display())))
        }
    }
}

fn find_file(dir: &Path, names: &[String]) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut subdirs = Vec::new();
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            subdirs.push(p);
        } else if names.iter().any(|n| e.file_name().to_string_lossy() == *n) {
            return Some(p);
        }
    }
    subdirs.sort();
    subdirs.iter().find_map(|d| find_file(d, names))
}

/// Everything a rig run needs, provisioned.
#[derive(Debug, Clone)]
pub(crate) struct Rig {
    /// `.work/rig`.
    pub(crate) dir: PathBuf,
    /// L1's kernel (Debian's generic kernel).
    pub(crate) host_kernel: Kernel,
    /// The L2 guest kernel (Debian's cloud kernel).
    pub(crate) guest_kernel: Kernel,
    /// Static `vmm-ref`.
    pub(crate) vmm_ref: PathBuf,
    /// Static `vmm-ref-agent`.
    pub(crate) agent: PathBuf,
}

/// One command for L1: a shell script run by busybox `sh` with `/rig` as working directory.
#[derive(Debug, Clone)]
pub(crate) struct Script {
    /// A short name (letters, digits, `-`), shown in reports.
    pub(crate) name: String,
    /// The script.
    pub(crate) body: String,
}

impl Script {
    pub(crate) fn new(name: &str, body: &str) -> Self {
        Self {
            name: name.to_owned(),
            body: body.to_owned(),
        }
    }
}

/// What one script did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// The script's name.
    pub(crate) name: String,
    /// Its output (stdout and stderr, as the L1 console showed them, without `\r`).
    pub(crate) output: String,
    /// Its exit code.
    pub(crate) code: i32,
    /// Wall time of the whole rig run up to the script's end marker.
    pub(crate) at: Duration,
}

/// How a rig run went.
#[derive(Debug)]
pub(crate) struct Report {
    /// Whether L1 had a `/dev/kvm` after loading the modules.
    pub(crate) kvm: bool,
    /// The scripts that finished, in order.
    pub(crate) outcomes: Vec<Outcome>,
    /// Wall time from starting qemu to its exit.
    pub(crate) wall: Duration,
    /// The L1 console, whole.
    pub(crate) console: String,
}

/// Options of one rig run.
#[derive(Debug, Clone)]
pub(crate) struct RunOptions {
    /// Kill qemu after this long.
    pub(crate) timeout: Duration,
    /// Copy the L1 console to stderr as it comes.
    pub(crate) echo: bool,
    /// Extra host files or directories to put into L1 (source, destination).
    pub(crate) files: Vec<(PathBuf, String)>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(900),
            echo: false,
            files: Vec::new(),
        }
    }
}

/// Debian packages that provide the programs the rig runs.
const TOOLS: [(&str, &str); 4] = [
    ("qemu-system-x86_64", "qemu-system-x86"),
    ("xz", "xz-utils"),
    ("dpkg-deb", "dpkg"),
    ("apt-get", "apt"),
];

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}

/// Installs missing Debian packages (one `apt-get update`, one `apt-get install`).
pub(crate) fn ensure_packages(extra: &[&str]) -> Result {
    let mut missing: Vec<&str> = TOOLS
        .iter()
        .filter(|(program, _)| !on_path(program))
        .map(|(_, package)| *package)
        .collect();
    // The static busybox specifically (a dynamic one would not run in L1).
    for p in std::iter::once("busybox-static").chain(extra.iter().copied()) {
        if !installed(p) {
            missing.push(p);
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    apt_update()?;
    step(
        &format!("apt-get install {}", missing.join(" ")),
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

fn apt_update() -> Result {
    step(
        "apt-get update",
        Command::new("apt-get").args(["update", "-q"]),
    )
}

/// The versioned package a meta package (e.g. `linux-image-cloud-amd64`) depends on.
fn resolve_kernel_package(meta: &str) -> Result<String> {
    let query = || {
        Command::new("apt-cache")
            .args(["depends", meta])
            .output()
            .ok()
            .and_then(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .filter_map(|l| l.trim().strip_prefix("Depends: "))
                    .find(|d| d.starts_with("linux-image-"))
                    .map(str::to_owned)
            })
    };
    if let Some(p) = query() {
        return Ok(p);
    }
    apt_update()?;
    query().ok_or_else(|| {
        Failed(format!(
            "apt-cache depends {meta}: no linux-image dependency"
        ))
    })
}

/// Downloads and extracts the kernel package `meta` resolves to (once; later runs reuse it).
fn kernel(dir: &Path, meta: &str) -> Result<Kernel> {
    let package = resolve_kernel_package(meta)?;
    let release = package
        .strip_prefix("linux-image-")
        .unwrap_or(&package)
        .to_owned();
    let root = dir.join("kernels").join(&package);
    let done = root.join(".extracted");
    if !done.exists() {
        let debs = dir.join("debs");
        std::fs::create_dir_all(&debs)
            .map_err(|e| Failed(format!("mkdir {}: {e}", debs.display())))?;
        step(
            &format!("apt-get download {package}"),
            Command::new("apt-get")
                .args(["download", "-q", &package])
                .current_dir(&debs),
        )?;
        let deb = std::fs::read_dir(&debs)
            .map_err(|e| Failed(format!("read {}: {e}", debs.display())))?
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{package}_")))
            })
            .ok_or_else(|| Failed(format!("{package}: downloaded .deb not found")))?;
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root)
            .map_err(|e| Failed(format!("mkdir {}: {e}", root.display())))?;
        step(
            &format!("dpkg -x {}", deb.display()),
            Command::new("dpkg").arg("-x").arg(&deb).arg(&root),
        )?;
        // The .deb is not needed once extracted.
        let _ = std::fs::remove_file(&deb);
        std::fs::write(&done, b"").map_err(|e| Failed(format!("write {}: {e}", done.display())))?;
    }
    Ok(Kernel {
        package,
        release,
        root,
    })
}

/// Where the static builds go: a target directory of their own, so that the crt-static
/// RUSTFLAGS do not invalidate the normal build.
fn static_target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), PathBuf::from)
        .join("rig")
}

/// Builds static `vmm-ref` and `vmm-ref-agent` (release, `+crt-static`).
fn build_static() -> Result<(PathBuf, PathBuf)> {
    let target_dir = static_target_dir();
    let triple = "x86_64-unknown-linux-gnu";
    step(
        "cargo build --release -p vmm-ref -p vmm-ref-agent (static)",
        cargo()
            .args([
                "build",
                "--release",
                "--quiet",
                "-p",
                "vmm-ref",
                "-p",
                "vmm-ref-agent",
                "--target",
                triple,
            ])
            .env("CARGO_TARGET_DIR", &target_dir)
            .env("RUSTFLAGS", "-C target-feature=+crt-static"),
    )?;
    let out = target_dir.join(triple).join("release");
    Ok((out.join("vmm-ref"), out.join("vmm-ref-agent")))
}

impl Rig {
    /// Installs, downloads and builds everything the rig needs.
    pub(crate) fn provision() -> Result<Self> {
        ensure_packages(&[])?;
        let dir = workspace_root().join(".work").join("rig");
        let host_kernel = kernel(&dir, "linux-image-amd64")?;
        let guest_kernel = kernel(&dir, "linux-image-cloud-amd64")?;
        let (vmm_ref, agent) = build_static()?;
        Ok(Self {
            dir,
            host_kernel,
            guest_kernel,
            vmm_ref,
            agent,
        })
    }

    /// Builds L1's initramfs for `scripts`.
    fn initramfs(
        &self,
        nonce: &str,
        scripts: &[Script],
        files: &[(PathBuf, String)],
    ) -> Result<Vec<u8>> {
        let ir_err = |e: crate::initramfs::Error| Failed(format!("L1 initramfs: {e}"));
        let mut ir = Initramfs::new();
        ir.console().map_err(ir_err)?;
        ir.host_file(Path::new("/bin/busybox"), "bin/busybox")
            .map_err(ir_err)?;
        ir.host_file(&self.vmm_ref, "bin/vmm-ref").map_err(ir_err)?;
        ir.host_file(&self.agent, "bin/vmm-ref-agent")
            .map_err(ir_err)?;
        ir.host_file(&self.guest_kernel.vmlinuz(), GUEST_KERNEL)
            .map_err(ir_err)?;
        // The guest kernel has overlayfs as a module: next to it, vmm-ref hands it to the
        // agent, and containers' roots become overlays over their images'.
        ir.file(
            "rig/guest/modules/overlay.ko",
            0o644,
            self.guest_kernel.module("overlay")?,
        )
        .map_err(ir_err)?;
        for m in KVM_MODULES {
            ir.file(
                &format!("lib/modules/rig/{m}.ko"),
                0o644,
                self.host_kernel.module(m)?,
            )
            .map_err(ir_err)?;
        }
        for (i, s) in scripts.iter().enumerate() {
            ir.file(
                &format!("rig/scripts/{i:03}-{}", s.name),
                0o755,
                s.body.clone().into_bytes(),
            )
            .map_err(ir_err)?;
        }
        for (src, dst) in files {
            ir.host_path(src, dst).map_err(ir_err)?;
        }
        ir.file("init", 0o755, l1_init(nonce).into_bytes())
            .map_err(ir_err)?;
        Ok(ir.build())
    }

    /// Boots L1 once, runs `scripts` in order, and brings back what each printed and returned.
    /// Fails only if the rig itself could not run; scripts that fail are in the report.
    pub(crate) fn run(&self, scripts: &[Script], options: &RunOptions) -> Result<Report> {
        let nonce = format!(
            "{:x}{:x}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let cpio = self.initramfs(&nonce, scripts, &options.files)?;
        let initrd = self.dir.join("l1-initramfs.cpio");
        std::fs::write(&initrd, &cpio)
            .map_err(|e| Failed(format!("write {}: {e}", initrd.display())))?;
        eprintln!(
            "==> rig: L1 {} (TCG, -cpu max), L2 guest kernel {} ({} MiB initramfs, {} scripts)",
            self.host_kernel.release,
            self.guest_kernel.release,
            cpio.len() >> 20,
            scripts.len()
        );
        let started = Instant::now();
        let mut child = Command::new("qemu-system-x86_64")
            .args([
                "-accel",
                "tcg",
                "-cpu",
                "max",
                "-m",
                "2048",
                "-nographic",
                "-no-reboot",
            ])
            .arg("-kernel")
            .arg(self.host_kernel.vmlinuz())
            .arg("-initrd")
            .arg(&initrd)
            .args(["-append", L1_CMDLINE])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Failed(format!("cannot start qemu-system-x86_64: {e}")))?;
        let mut stdout = child
            .stdout
            .take()
            .ok_or_else(|| Failed("qemu stdout".into()))?;
        let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 || tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                    break;
                }
            }
        });
        let mut console = Vec::new();
        let mut stamps: Vec<(usize, Duration)> = Vec::new();
        let mut clean_len = 0usize;
        let deadline = started + options.timeout;
        let mut timed_out = false;
        loop {
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok((at, bytes)) => {
                    if options.echo {
                        let _ = std::io::stderr().write_all(&bytes);
                    }
                    console.extend_from_slice(&bytes);
                    // Offsets in the console as parsed (without `\r`).
                    clean_len += bytes.iter().filter(|b| **b != b'\r').count();
                    stamps.push((clean_len, at - started));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if Instant::now() > deadline {
                timed_out = true;
                let _ = child.kill();
                break;
            }
        }
        let status = child
            .wait()
            .map_err(|e| Failed(format!("wait for qemu: {e}")))?;
        let _ = reader.join();
        let wall = started.elapsed();
        let mut qemu_err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut qemu_err);
        }
        let console = String::from_utf8_lossy(&console).replace('\r', "");
        let _ = std::fs::write(self.dir.join("l1-console.log"), &console);
        let parsed = parse_console(&console, &nonce, &stamps);
        eprintln!(
            "<== rig: qemu ended ({status}) after {:.1} s; console in {}",
            wall.as_secs_f64(),
            self.dir.join("l1-console.log").display()
        );
        if timed_out {
            return Err(Failed(format!(
                "rig: timed out after {} s (finished {} of {} scripts); see {}",
                options.timeout.as_secs(),
                parsed.outcomes.len(),
                scripts.len(),
                self.dir.join("l1-console.log").display()
            )));
        }
        let Some(kvm) = parsed.kvm else {
            return Err(Failed(format!(
                "rig: L1 never reached its init (qemu {status}); qemu stderr: {}; console tail:\n{}",
                qemu_err.trim(),
                tail(&console, 30)
            )));
        };
        if parsed.outcomes.len() < scripts.len() || !parsed.done {
            let at = scripts
                .get(parsed.outcomes.len())
                .map_or("the end", |s| s.name.as_str());
            return Err(Failed(format!(
                "rig: L1 died during {at}; console tail:\n{}",
                tail(&console, 30)
            )));
        }
        Ok(Report {
            kvm,
            outcomes: parsed.outcomes,
            wall,
            console,
        })
    }
}

fn tail(s: &str, lines: usize) -> String {
    let v: Vec<&str> = s.lines().collect();
    v[v.len().saturating_sub(lines)..].join("\n")
}

/// Where the busybox root filesystem is inside L1 (imported as the `busybox` image into
/// `$VMM_REF_HOME=/tmp/vmm-ref` by L1's init).
pub(crate) const L1_BUSYBOX: &str = "/rig/busybox";

/// Where the workspace's `examples/` are inside L1.
pub(crate) const L1_EXAMPLES: &str = "/rig/examples";

/// What every rig run carries besides the binaries: the busybox root filesystem (built by
/// `cargo xtask busybox` if missing) and the example pods, so that `vmm-ref run --runtime kvm
/// /rig/examples/...` works in L1.
pub(crate) fn standard_files() -> Result<Vec<(PathBuf, String)>> {
    let busybox = crate::busybox::provision()?;
    Ok(vec![
        (busybox, L1_BUSYBOX.to_owned()),
        (workspace_root().join("examples"), L1_EXAMPLES.to_owned()),
    ])
}

/// L1's `/init`.
fn l1_init(nonce: &str) -> String {
    let modules = KVM_MODULES.join(" ");
    format!(
        r#"#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /sbin /usr/bin /usr/sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs tmpfs /tmp
/bin/busybox mount -t tmpfs tmpfs /run
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/
for m in {modules}; do
    insmod /lib/modules/rig/$m.ko || echo "rig: insmod $m failed"
done
export VMM_REF_KERNEL={GUEST_KERNEL} VMM_REF_HOME=/tmp/vmm-ref
if [ -d {L1_BUSYBOX} ]; then
    vmm-ref image import busybox {L1_BUSYBOX} >/dev/null || echo "rig: busybox image import failed"
fi
if [ -c /dev/kvm ]; then kvm=yes; else kvm=no; fi
echo "@@RIG-{nonce} READY kvm=$kvm"
cd /rig
for f in /rig/scripts/*; do
    n=${{f##*/}}
    echo "@@RIG-{nonce} BEGIN $n"
    sh "$f" </dev/null 2>&1
    rc=$?
    echo
    echo "@@RIG-{nonce} END $n $rc"
done
echo "@@RIG-{nonce} DONE"
sync
poweroff -f
reboot -f
"#
    )
}

/// What the console said.
#[derive(Debug, Default, PartialEq, Eq)]
struct Parsed {
    kvm: Option<bool>,
    outcomes: Vec<Outcome>,
    done: bool,
}

/// Reads the markers back. Script names carry a `NNN-` prefix on the console; it is dropped.
/// `stamps` maps console byte offsets to arrival times.
fn parse_console(console: &str, nonce: &str, stamps: &[(usize, Duration)]) -> Parsed {
    let marker = format!("@@RIG-{nonce} ");
    let mut p = Parsed::default();
    let mut current: Option<(String, String)> = None;
    let mut offset = 0;
    for line in console.split_inclusive('\n') {
        offset += line.len();
        let text = line.strip_suffix('\n').unwrap_or(line);
        // Markers normally start their line (the init script prints a newline before END), but
        // the firmware's terminal escapes may precede the first one.
        if let Some(rest) = text.find(&marker).map(|i| &text[i + marker.len()..]) {
            let words: Vec<&str> = rest.split_whitespace().collect();
            match words.as_slice() {
                ["READY", kvm] => p.kvm = Some(*kvm == "kvm=yes"),
                ["BEGIN", name] => current = Some((strip_index(name), String::new())),
                ["END", name, code] => {
                    if let Some((n, mut out)) = current.take() {
                        // Drop the newline the init script adds before END.
                        if out.ends_with('\n') {
                            out.pop();
                        }
                        let at = stamps
                            .iter()
                            .find(|(end, _)| *end >= offset)
                            .map_or(Duration::ZERO, |(_, d)| *d);
                        debug_assert_eq!(n, strip_index(name));
                        p.outcomes.push(Outcome {
                            name: n,
                            output: out,
                            code: code.parse().unwrap_or(-1),
                            at,
                        });
                    }
                }
                ["DONE"] => p.done = true,
                _ => {}
            }
        } else if let Some((_, out)) = current.as_mut() {
            out.push_str(text);
            out.push('\n');
        }
    }
    p
}

fn strip_index(name: &str) -> String {
    match name.split_once('-') {
        Some((i, rest)) if i.len() == 3 && i.bytes().all(|b| b.is_ascii_digit()) => rest.to_owned(),
        _ => name.to_owned(),
    }
}

/// Prints each outcome with a header.
pub(crate) fn print_outcomes(outcomes: &[Outcome]) {
    for o in outcomes {
        eprintln!(
            "---- {} (exit {}, at {:.1} s) ----",
            o.name,
            o.code,
            o.at.as_secs_f64()
        );
        eprintln!("{}", o.output.trim_end());
    }
}

/// `cargo xtask rig`: options.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Kill the rig after this many seconds.
    #[arg(long, default_value_t = 900)]
    timeout: u64,
    /// Copy L1's console to stderr as it comes.
    #[arg(long)]
    verbose: bool,
    /// Run the boot smoke layer of `cargo xtask test` instead of a command.
    #[arg(long, conflicts_with = "command")]
    smoke: bool,
    /// Run only these checks of the boot smoke layer (by name, e.g. `kvm-sharing`; repeat
    /// for several).
    #[arg(long = "check", value_name = "NAME", conflicts_with = "command")]
    checks: Vec<String>,
    /// A shell command to run in L1 (default: a check that /dev/kvm works and `vmm-ref
    /// --version` runs).
    #[arg(last = true)]
    command: Vec<String>,
}

/// `cargo xtask rig [-- SHELL COMMAND...]`: boots L1 once and runs the command there.
pub(crate) fn run(args: &Args) -> Result {
    if args.smoke || !args.checks.is_empty() {
        return smoke_only(&args.checks);
    }
    let rig = Rig::provision()?;
    let body = if args.command.is_empty() {
        "ls -l /dev/kvm && vmm-ref --version && vmm-ref-agent --help 2>&1 | head -1".to_owned()
    } else {
        args.command.join(" ")
    };
    let report = rig.run(
        &[Script::new("command", &body)],
        &RunOptions {
            timeout: Duration::from_secs(args.timeout),
            echo: args.verbose,
            files: standard_files()?,
        },
    )?;
    eprintln!(
        "rig: L1 /dev/kvm: {}",
        if report.kvm { "yes" } else { "NO" }
    );
    print_outcomes(&report.outcomes);
    eprintln!("rig: wall time {:.1} s", report.wall.as_secs_f64());
    match report.outcomes.first() {
        Some(o) if o.code == 0 => Ok(()),
        Some(o) => Err(Failed(format!("the command exited {}", o.code))),
        None => Err(Failed("no outcome".into())),
    }
}

/// `cargo xtask vmm -- ARGS`: options.
#[derive(Debug, clap::Args)]
pub(crate) struct VmmArgs {
    /// Kill the rig after this many seconds.
    #[arg(long, default_value_t = 900)]
    timeout: u64,
    /// Copy L1's console to stderr as it comes.
    #[arg(long)]
    verbose: bool,
    /// Arguments of `vmm-ref` (default: `boot --kernel /rig/guest/vmlinuz -- uname -a`).
    /// `/rig/guest/vmlinuz` is Debian's cloud kernel.
    #[arg(last = true)]
    args: Vec<String>,
}

/// `cargo xtask vmm -- ARGS`: runs `vmm-ref ARGS` inside the rig and exits with its code.
pub(crate) fn vmm(args: &VmmArgs) -> Result {
    let rig = Rig::provision()?;
    let vmm_args = if args.args.is_empty() {
        vec![
            "boot".to_owned(),
            "--kernel".to_owned(),
            GUEST_KERNEL.to_owned(),
            "--".to_owned(),
            "uname".to_owned(),
            "-a".to_owned(),
        ]
    } else {
        args.args.clone()
    };
    eprintln!(
        "rig: {GUEST_KERNEL} is {} ({})",
        rig.guest_kernel.release, rig.guest_kernel.package
    );
    let body = format!("vmm-ref {}", shell_words(&vmm_args));
    eprintln!("rig: running in L1: {body}");
    let report = rig.run(
        &[Script::new("vmm-ref", &body)],
        &RunOptions {
            timeout: Duration::from_secs(args.timeout),
            echo: args.verbose,
            files: standard_files()?,
        },
    )?;
    let o = &report.outcomes[0];
    println!("{}", o.output.trim_end());
    eprintln!(
        "rig: vmm-ref exited {} ({:.1} s wall for the whole rig)",
        o.code,
        report.wall.as_secs_f64()
    );
    if o.code == 0 {
        Ok(())
    } else {
        Err(Failed(format!("vmm-ref exited {}", o.code)))
    }
}

/// Runs `vmm-ref ARGS` in L1 (with [`standard_files`] and `files`), prints its output, and
/// returns its exit code and the rig's wall time.
pub(crate) fn vmm_ref_in_l1(
    args: &[String],
    files: Vec<(PathBuf, String)>,
    timeout: Duration,
) -> Result<(i32, Duration)> {
    let rig = Rig::provision()?;
    let mut all = standard_files()?;
    all.extend(files);
    let body = format!("vmm-ref {}", shell_words(args));
    eprintln!("rig: running in L1: {body}");
    let report = rig.run(
        &[Script::new("vmm-ref", &body)],
        &RunOptions {
            timeout,
            echo: false,
            files: all,
        },
    )?;
    let o = &report.outcomes[0];
    println!("{}", o.output.trim_end());
    Ok((o.code, report.wall))
}

/// Quotes words for `sh`.
pub(crate) fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b))
            {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One check of the boot smoke layer: a script and what its outcome must satisfy.
struct Check {
    script: Script,
    expect: &'static str,
    pass: fn(&Outcome, &Kernel) -> bool,
}

/// `vmm-ref boot` of the L2 guest kernel with busybox in its initramfs, running `command`.
fn boot(command: &str) -> String {
    format!(
        "vmm-ref boot --kernel {GUEST_KERNEL} --initramfs-add /bin/busybox:/bin/busybox -- {command}"
    )
}

fn smoke_checks() -> Vec<Check> {
    vec![
        Check {
            script: Script::new("dev-kvm", "test -c /dev/kvm && echo /dev/kvm ok"),
            expect: "L1 has /dev/kvm",
            pass: |o, _| o.code == 0,
        },
        Check {
            script: Script::new("uname", &boot("busybox uname -r")),
            expect: "exit 0 and the guest kernel's release",
            pass: |o, k| o.code == 0 && o.output.lines().any(|l| l.trim() == k.release),
        },
        Check {
            script: Script::new("cpuinfo", &boot("busybox cat /proc/cpuinfo")),
            expect: "exit 0 and a /proc/cpuinfo with a processor and flags",
            pass: |o, _| {
                o.code == 0
                    && o.output.lines().any(|l| l.starts_with("processor"))
                    && o.output.lines().any(|l| l.starts_with("flags"))
            },
        },
        Check {
            script: Script::new("exit-3", &boot("busybox sh -c 'exit 3'")),
            expect: "vmm-ref exits 3 when the guest command does",
            pass: |o, _| o.code == 3,
        },
        Check {
            script: Script::new(
                "panic",
                &boot("busybox sh -c 'echo c > /proc/sysrq-trigger'"),
            ),
            expect: "a guest kernel panic is reported as a panic (exit 125)",
            pass: |o, _| o.code == 125 && o.output.to_ascii_lowercase().contains("panic"),
        },
    ]
}

/// A script that writes `files` (name, content) under `/tmp` in L1, then runs `command`.
fn with_files(files: &[(&str, &str)], command: &str) -> String {
    let mut body = String::new();
    for (name, content) in files {
        body.push_str(&format!(
            "cat > /tmp/{name} <<'RIG_EOF'\n{content}\nRIG_EOF\n"
        ));
    }
    body.push_str(command);
    body
}

/// How long one `vmm-ref run` in the rig may take: two boot attempts of 60 s (the kvm
/// runtime's hung-boot retry) and the run.
const GUARD_SECS: u32 = 200;

/// `command` in the background, killed after `secs` seconds with every thread's kernel
/// stack, wait channel and system call printed first (so that a stuck run says where it is
/// stuck instead of holding the whole rig until its timeout). Exits with the command's code.
fn guarded(command: &str, secs: u32) -> String {
    format!(
        "{command} &\npid=$!\n(sleep {secs}; if kill -0 $pid 2>/dev/null; then echo \"rig: still running after {secs} s; its threads:\"; for t in /proc/$pid/task/*; do echo \"$t $(cat $t/comm) wchan=$(cat $t/wchan) syscall=$(cat $t/syscall)\"; cat $t/stack; done; tail -n 5 /tmp/vmm-ref-console-*.log; kill -9 $pid; fi) &\nwait $pid"
    )
}

/// Whether every needle occurs in `text`, in this order.
fn in_order(text: &str, needles: &[&str]) -> bool {
    let mut from = 0;
    for n in needles {
        match text[from..].find(n) {
            Some(i) => from += i + n.len(),
            None => return false,
        }
    }
    true
}

/// A pod with an init container, two containers talking over `localhost`, the hostname and
/// the service variables (`--services`).
const POD_SHARING: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: kvm-sharing}
spec:
  restartPolicy: Never
  initContainers:
  - {name: first, image: busybox, command: [sh, -c, "echo init-ran; touch /tmp/init-only"]}
  containers:
  - name: server
    image: busybox
    command: [sh, -c, "echo hello-from-server | nc -l -p 9000"]
  - name: client
    image: busybox
    workingDir: /etc
    command: [sh, -c, "sleep 1; nc 127.0.0.1 9000; echo host=$(hostname); echo cwd=$(pwd); echo redis=$REDIS_MASTER_SERVICE_HOST:$REDIS_MASTER_SERVICE_PORT; test -e /tmp/init-only && echo shared-root || echo own-root; test -c /dev/null && test -r /proc/1/cmdline && echo proc-dev-ok"]
"#;

const SERVICES: &str = r#"[{"metadata": {"name": "redis-master", "namespace": "default"},
  "spec": {"clusterIP": "10.0.0.11", "ports": [{"port": 6379, "protocol": "TCP"}]}}]"#;

/// pod-controller's liveness example: the container removes its health file after a while.
/// Its check's `--timeout` (20 s, counted from process start) covers a boot of about 10 s on a
/// loaded host plus the ~6 s the scenario needs (12 s failed once with a 9.4 s boot).
const POD_LIVENESS: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: kvm-live}
spec:
  restartPolicy: Always
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "touch /tmp/health; sleep 2; rm /tmp/health; sleep 100"]
    livenessProbe:
      exec: {command: [cat, /tmp/health]}
      periodSeconds: 1
      failureThreshold: 2
"#;

/// Hooks (exec postStart and preStop with its reason), an httpGet readiness probe and a
/// tcpSocket liveness probe made from the guest, and an exec probe that overruns its timeout.
const POD_HOOKS_PROBES: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: kvm-hooks}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: web
    image: busybox
    command: [sh, -c, "mkdir -p /www; echo ok > /www/index.html; httpd -p 8080 -h /www; trap 'cat /tmp/prestop; exit 0' TERM; until test -f /tmp/poststart; do sleep 0.1; done; cat /tmp/poststart; while true; do sleep 0.2; done"]
    lifecycle:
      postStart: {exec: {command: [sh, -c, "echo poststart-ran > /tmp/poststart"]}}
      preStop: {exec: {command: [sh, -c, "echo prestop reason=$PRESTOP_REASON > /tmp/prestop"]}}
    readinessProbe:
      httpGet: {path: /index.html, port: 8080}
      periodSeconds: 1
    livenessProbe:
      tcpSocket: {port: 8080}
      initialDelaySeconds: 1
      periodSeconds: 1
  - name: slow
    image: busybox
    command: [sleep, "100"]
    readinessProbe:
      exec: {command: [sleep, "5"]}
      timeoutSeconds: 1
      periodSeconds: 1
"#;

/// Hyper's pod-scope restart: when every container has finished, a fresh VM.
const POD_SCOPE: &str = r#"{"id": "kvm-scope", "restartPolicy": "always",
  "containers": [{"name": "a", "image": "busybox", "command": ["sh", "-c", "echo once; cat /proc/sys/kernel/random/boot_id"]}]}"#;

/// A container that panics the guest kernel mid-run.
const POD_PANIC: &str = r#"{"id": "kvm-panic", "containers": [{"name": "boom", "image": "busybox",
  "command": ["sh", "-c", "echo about-to-panic; sleep 1; echo c > /proc/sysrq-trigger; sleep 100"]}]}"#;

/// Ctrl-C under the kvm runtime: a container with a preStop hook that shows its reason when
/// SIGTERM comes, and a `tty: true` container that says whether its stdout is a terminal.
const POD_CTRL_C: &str = r#"apiVersion: v1
kind: Pod
metadata: {name: kvm-ctrl-c}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "trap 'cat /tmp/prestop; exit 0' TERM; echo app-up; while true; do sleep 0.2; done"]
    lifecycle:
      preStop: {exec: {command: [sh, -c, "echo prestop reason=$PRESTOP_REASON > /tmp/prestop"]}}
  - name: term
    image: busybox
    tty: true
    command: [sh, -c, "echo root=$(awk '$5 == \"/\" {print $9}' /proc/self/mountinfo | tail -n 1); if test -t 1; then echo tty-yes $(tty); else echo tty-no; fi; sleep 100"]
"#;

/// `command` (a `vmm-ref run`) in the background with its output in `out`; once every line of
/// `ready` is in that output, a SIGINT to it (what Ctrl-C sends); then its output, and whether
/// any `vmm-ref` or `qemu-system-x86_64` process is left. Guarded as [`guarded`] is (killed
/// with its threads' kernel stacks printed after `secs`). Exits with the command's code.
fn interrupted_when_ready(command: &str, out: &str, ready: &[&str], secs: u32) -> String {
    let wait_ready: Vec<String> = ready
        .iter()
        .map(|r| format!("grep -qF '{r}' {out}"))
        .collect();
    format!(
        "{command} >{out} 2>&1 &\npid=$!\n\
         (sleep {secs}; if kill -0 $pid 2>/dev/null; then echo \"rig: still running after {secs} s; its threads:\"; for t in /proc/$pid/task/*; do echo \"$t $(cat $t/comm) wchan=$(cat $t/wchan) syscall=$(cat $t/syscall)\"; cat $t/stack; done; tail -n 5 /tmp/vmm-ref-console-*.log; kill -9 $pid; fi) &\n\
         until {{ {}; }} || ! kill -0 $pid 2>/dev/null; do sleep 0.1; done\n\
         echo \"rig: sending SIGINT to vmm-ref ($pid)\"\nkill -INT $pid\nwait $pid\nrc=$?\ncat {out}\n\
         left=$(pidof vmm-ref qemu-system-x86_64)\n\
         if [ -n \"$left\" ]; then echo \"rig: left behind: $left\"; else echo \"rig: no vmm-ref or qemu process left\"; fi\n\
         exit $rc",
        wait_ready.join(" && ")
    )
}

/// `vmm-ref run --runtime kvm` in the rig: the founding scenarios, init order, hostname,
/// `localhost`, service variables, a failing liveness probe restarting under `Always`, hooks
/// and network probes, and a guest that dies mid-run.
fn kvm_run_checks() -> Vec<Check> {
    vec![
        Check {
            script: Script::new(
                "kvm-succeeds",
                &guarded(
                    &format!(
                        "vmm-ref run --runtime kvm {L1_EXAMPLES}/k8s-v1beta1-restart-succeeds.json"
                    ),
                    GUARD_SECS,
                ),
            ),
            expect: "the founding v1beta1 pod ends Succeeded, exit 0",
            pass: |o, _| {
                o.code == 0
                    && in_order(
                        &o.output,
                        &[
                            "container Ubuntu-1 started",
                            "container Ubuntu-1 exited with code 0",
                            "pod phase Succeeded",
                            "Succeeded; exit code 0",
                        ],
                    )
            },
        },
        Check {
            script: Script::new(
                "kvm-fails",
                &guarded(
                    &format!(
                        "vmm-ref run --runtime kvm {L1_EXAMPLES}/k8s-v1beta1-restart-fails.json"
                    ),
                    GUARD_SECS,
                ),
            ),
            expect: "the founding pod with the command 'sleep 3' ends Failed, exit 127",
            pass: |o, _| {
                o.code == 127
                    && o.output
                        .contains("Ubuntu-1 | vmm-ref: cannot run container Ubuntu-1")
                    && o.output.contains("pod phase Failed")
            },
        },
        Check {
            script: Script::new(
                "kvm-sharing",
                &with_files(
                    &[("sharing.yaml", POD_SHARING), ("services.json", SERVICES)],
                    &guarded(
                        "vmm-ref run --runtime kvm --services /tmp/services.json --timeout 60s /tmp/sharing.yaml",
                        GUARD_SECS,
                    ),
                ),
            ),
            expect: "init first; localhost, hostname (the pod name), service variables shared; roots separate; exit 0",
            pass: |o, _| {
                o.code == 0
                    && in_order(
                        &o.output,
                        &[
                            "first | init-ran",
                            "container first exited with code 0",
                            "container client started",
                        ],
                    )
                    && o.output.contains("client | hello-from-server")
                    && o.output.contains("client | host=kvm-sharing")
                    && o.output.contains("client | cwd=/etc")
                    && o.output.contains("client | redis=10.0.0.11:6379")
                    && o.output.contains("client | own-root")
                    && o.output.contains("client | proc-dev-ok")
            },
        },
        Check {
            script: Script::new(
                "kvm-liveness",
                &with_files(
                    &[("live.yaml", POD_LIVENESS)],
                    &guarded(
                        "vmm-ref run --runtime kvm --timeout 20s /tmp/live.yaml",
                        GUARD_SECS,
                    ),
                ),
            ),
            expect: "the exec liveness probe fails twice, the container is killed and restarted (Always)",
            pass: |o, _| {
                o.code == 124
                    && o.output
                        .matches("container app: liveness probe failed")
                        .count()
                        >= 2
                    && in_order(
                        &o.output,
                        &[
                            "sending signal 15 (liveness probe failed)",
                            "container app started (restart 1)",
                        ],
                    )
            },
        },
        Check {
            script: Script::new(
                "kvm-hooks-probes",
                &with_files(
                    &[("hooks.yaml", POD_HOOKS_PROBES)],
                    &guarded(
                        "vmm-ref run --runtime kvm --timeout 15s /tmp/hooks.yaml",
                        GUARD_SECS,
                    ),
                ),
            ),
            expect: "exec hooks in the container, preStop (reason Delete) before SIGTERM, httpGet readiness and tcpSocket liveness from the guest pass, an overrunning exec probe fails",
            pass: |o, _| {
                o.code == 124
                    && o.output.contains("container web: postStart hook succeeded")
                    && o.output.contains("web | poststart-ran")
                    && o.output.contains("container web is ready")
                    && !o.output.contains("container web: liveness probe failed")
                    && o.output.contains("container slow: readiness probe failed")
                    && in_order(
                        &o.output,
                        &[
                            "container web: preStop hook (reason Delete) succeeded",
                            "container web: sending signal 15 (pod stopped)",
                            "web | prestop reason=Delete",
                        ],
                    )
            },
        },
        Check {
            script: Script::new(
                "kvm-pod-scope",
                &with_files(
                    &[("scope.json", POD_SCOPE)],
                    &guarded(
                        "vmm-ref run --runtime kvm --restart-scope pod --timeout 25s /tmp/scope.json",
                        GUARD_SECS,
                    ),
                ),
            ),
            expect: "--restart-scope pod re-creates the pod on a fresh VM (another boot id)",
            pass: |o, _| {
                let boot_ids: Vec<&str> = o
                    .output
                    .lines()
                    .filter_map(|l| l.strip_prefix("a | "))
                    .filter(|l| l.len() == 36)
                    .collect();
                o.code == 124
                    && o.output.contains("pod re-created after")
                    && boot_ids.len() >= 2
                    && boot_ids[0] != boot_ids[1]
            },
        },
        Check {
            script: Script::new(
                "kvm-guest-dies",
                &with_files(
                    &[("panic.json", POD_PANIC)],
                    &guarded(
                        "vmm-ref run --runtime kvm --timeout 60s /tmp/panic.json",
                        GUARD_SECS,
                    ),
                ),
            ),
            expect: "a guest kernel panic mid-run ends the run with exit 1 and says so",
            pass: |o, _| {
                o.code == 1
                    && o.output.contains("boom | about-to-panic")
                    && o.output.contains("the pod sandbox died")
                    && o.output.to_ascii_lowercase().contains("panic")
            },
        },
        Check {
            script: Script::new(
                "kvm-ctrl-c",
                &with_files(
                    &[("ctrl-c.yaml", POD_CTRL_C)],
                    &interrupted_when_ready(
                        "vmm-ref run --runtime kvm /tmp/ctrl-c.yaml",
                        "/tmp/ctrl-c.out",
                        &["app | app-up", "term | tty-"],
                        GUARD_SECS,
                    ),
                ),
            ),
            expect: "SIGINT: preStop (reason Delete) before SIGTERM, both containers stopped, exit 130, no vmm-ref left; the tty container has a terminal and an overlay root",
            pass: |o, _| {
                o.code == 130
                    && o.output.contains("rig: sending SIGINT to vmm-ref")
                    && in_order(
                        &o.output,
                        &[
                            "rig: sending SIGINT",
                            "container app: preStop hook (reason Delete) succeeded",
                            "container app: sending signal 15 (pod stopped)",
                            "app | prestop reason=Delete",
                        ],
                    )
                    && o.output.contains("container app exited with code 0")
                    && o.output.contains("container term exited with code 143")
                    && o.output.contains("(stopped by Ctrl-C); exit code 130")
                    && o.output.contains("rig: no vmm-ref or qemu process left")
                    && o.output.contains("term | tty-yes /dev/pts/")
                    && o.output.contains("term | root=overlay")
            },
        },
    ]
}

/// The rig layer of `cargo xtask test`, one rig boot: through `vmm-ref boot` and the agent,
/// `uname -r` and `/proc/cpuinfo` of a real guest, a guest exit code of 3 making vmm-ref exit
/// 3, and a guest kernel panic reported as one; then `vmm-ref run --runtime kvm` of the
/// founding scenarios and the container behaviours ([`kvm_run_checks`]).
pub(crate) fn smoke() -> Result {
    smoke_only(&[])
}

/// [`smoke`], or with `only` not empty, just the checks of those names (`cargo xtask rig
/// --check NAME`; an unknown name is an error).
fn smoke_only(only: &[String]) -> Result {
    let mut checks = smoke_checks();
    checks.extend(kvm_run_checks());
    if let Some(unknown) = only
        .iter()
        .find(|n| !checks.iter().any(|c| c.script.name == **n))
    {
        return Err(Failed(format!("rig: no check named {unknown}")));
    }
    if !only.is_empty() {
        checks.retain(|c| only.contains(&c.script.name));
    }
    let rig = Rig::provision()?;
    let scripts: Vec<Script> = checks.iter().map(|c| c.script.clone()).collect();
    let options = RunOptions {
        files: standard_files()?,
        ..RunOptions::default()
    };
    let report = rig.run(&scripts, &options)?;
    let mut failed = Vec::new();
    for (c, o) in checks.iter().zip(&report.outcomes) {
        let ok = (c.pass)(o, &rig.guest_kernel);
        eprintln!(
            "---- {} (exit {}, at {:.1} s): {} ({}) ----",
            o.name,
            o.code,
            o.at.as_secs_f64(),
            if ok { "ok" } else { "FAILED" },
            c.expect
        );
        eprintln!("{}", o.output.trim_end());
        if !ok {
            failed.push(o.name.clone());
        }
    }
    eprintln!(
        "rig smoke: {} passed, {} failed ({:.1} s wall for the rig boot; L1 console: {} bytes)",
        checks.len() - failed.len(),
        failed.len(),
        report.wall.as_secs_f64(),
        report.console.len()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failed(format!("rig smoke failed: {}", failed.join(", "))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_parsed_with_output_and_codes() {
        let n = "abc";
        let console = format!(
            "noise\n\x1bc\x1b[2J@@RIG-{n} READY kvm=yes\n@@RIG-{n} BEGIN 000-one\nhello\nworld\n\n@@RIG-{n} END 000-one 0\n@@RIG-{n} BEGIN 001-two\npartial\n@@RIG-{n} END 001-two 3\n@@RIG-{n} DONE\n"
        );
        let p = parse_console(&console, n, &[]);
        assert_eq!(p.kvm, Some(true));
        assert!(p.done);
        assert_eq!(p.outcomes.len(), 2);
        assert_eq!(p.outcomes[0].name, "one");
        assert_eq!(p.outcomes[0].output, "hello\nworld\n");
        assert_eq!(p.outcomes[0].code, 0);
        assert_eq!(p.outcomes[1].output, "partial");
        assert_eq!(p.outcomes[1].code, 3);
    }

    #[test]
    fn markers_of_another_run_are_output() {
        let console = "@@RIG-x READY kvm=no\n@@RIG-x BEGIN 000-a\n@@RIG-y END 000-a 0\n\n@@RIG-x END 000-a 1\n";
        let p = parse_console(console, "x", &[]);
        assert_eq!(p.kvm, Some(false));
        assert!(!p.done);
        assert_eq!(p.outcomes[0].output, "@@RIG-y END 000-a 0\n");
        assert_eq!(p.outcomes[0].code, 1);
    }

    #[test]
    fn a_script_cut_short_has_no_outcome() {
        let p = parse_console("@@RIG-n READY kvm=yes\n@@RIG-n BEGIN 000-a\nhalf", "n", &[]);
        assert!(p.outcomes.is_empty());
    }

    #[test]
    fn guarded_commands_run_in_the_background_and_return_their_code() {
        let s = guarded("vmm-ref run x", 5);
        assert!(s.starts_with("vmm-ref run x &\npid=$!\n(sleep 5;"), "{s}");
        assert!(s.ends_with("\nwait $pid"), "{s}");
    }

    #[test]
    fn in_order_needs_every_needle_after_the_previous_one() {
        assert!(in_order("a b c", &["a", "c"]));
        assert!(!in_order("a b c", &["c", "a"]));
        assert!(!in_order("a b", &["a", "x"]));
    }

    #[test]
    fn scripts_write_their_files_with_a_quoted_heredoc() {
        let s = with_files(&[("p.json", "{\"a\": \"$X\"}")], "run /tmp/p.json");
        assert_eq!(
            s,
            "cat > /tmp/p.json <<'RIG_EOF'\n{\"a\": \"$X\"}\nRIG_EOF\nrun /tmp/p.json"
        );
    }

    #[test]
    fn an_interrupted_run_waits_for_every_marker_then_sends_sigint_and_looks_for_leftovers() {
        let s = interrupted_when_ready("vmm-ref run p.yaml", "/tmp/o", &["a | up", "b | x"], 7);
        let ready = s
            .find("grep -qF 'a | up' /tmp/o && grep -qF 'b | x' /tmp/o")
            .unwrap();
        let int = s.find("kill -INT $pid").unwrap();
        let wait = s.find("wait $pid").unwrap();
        assert!(
            s.starts_with("vmm-ref run p.yaml >/tmp/o 2>&1 &\npid=$!\n"),
            "{s}"
        );
        assert!(s.contains("(sleep 7; if kill -0 $pid"), "{s}");
        assert!(ready < int && int < wait, "{s}");
        assert!(s.contains("pidof vmm-ref qemu-system-x86_64"), "{s}");
        assert!(s.ends_with("exit $rc"), "{s}");
    }

    #[test]
    fn an_unknown_check_name_is_refused_before_the_rig_is_provisioned() {
        let Err(Failed(e)) = smoke_only(&["kvm-sharing".into(), "no-such-check".into()]) else {
            panic!("an unknown check ran");
        };
        assert_eq!(e, "rig: no check named no-such-check");
    }

    #[test]
    fn kvm_run_checks_have_unique_names() {
        let mut names: Vec<String> = smoke_checks()
            .into_iter()
            .chain(kvm_run_checks())
            .map(|c| c.script.name)
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn shell_words_quote_what_needs_it() {
        let w = [
            "boot".to_owned(),
            "a b".to_owned(),
            "it's".to_owned(),
            String::new(),
        ];
        assert_eq!(shell_words(&w), r#"boot 'a b' 'it'\''s' ''"#);
    }
}
