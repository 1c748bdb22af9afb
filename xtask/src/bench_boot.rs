//! `cargo xtask bench-boot`: boot time and memory of vmm-ref against qemu's `microvm` machine,
//! both booting the same kernel (Debian's cloud kernel as an ELF vmlinux, entered through PVH)
//! and the same agent as `/init`, inside one run of the rig, several times each.
//!
//! - vmm-ref runs `vmm-ref boot --timings` with no command: the agent says hello on COM2, the
//!   VMM asks it to shut down, the guest resets through the i8042 and vmm-ref exits.
//! - qemu runs `-M microvm -accel kvm` with the console on stdio and the agent's channel on the
//!   console (`vmmref.channel=/dev/ttyS0`); `vmm-ref-bench` sends the shutdown request when the
//!   hello appears, and the guest resets the same way (`-no-reboot` makes qemu exit).
//!
//! Both are run under `vmm-ref-bench`, which measures from just before the spawn: the time to
//! the agent's hello (for vmm-ref from its own `--timings`, which start at its `main`), the time
//! to exit, and the peak resident set (`ru_maxrss`, which includes the guest pages the guest
//! touched). vmm-ref also reports when the agent's port-0x80 mark arrived.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::cmd::{Failed, Result};
use crate::initramfs::Initramfs;
use crate::rig::{Rig, RunOptions, Script, ensure_packages};

/// Guest memory for both VMMs, MiB.
const MEMORY_MIB: u32 = 256;
/// qemu's guest command line: vmm-ref's default (`console=ttyS0 reboot=k panic=1 pci=off
/// quiet`) with two changes. The agent's channel is the console. And `reboot=t` (triple fault)
/// instead of `reboot=k`: `microvm` has no i8042, so the kernel's keyboard reset does nothing,
/// it falls back to a real-mode BIOS restart, and qboot boots the kernel again; a triple fault
/// is a reset, which `-no-reboot` turns into qemu's exit.
const QEMU_CMDLINE: &str = "console=ttyS0 reboot=t panic=1 pci=off quiet vmmref.channel=/dev/ttyS0";
/// The vmlinux inside L1.
const VMLINUX: &str = "/rig/guest/vmlinux";
/// The agent-only initramfs for qemu inside L1.
const AGENT_CPIO: &str = "/rig/guest/agent.cpio";
/// qemu's firmware and option ROMs that `microvm` with `-kernel` may load.
const QEMU_DATA: [&str; 4] = [
    "bios-microvm.bin",
    "qboot.rom",
    "pvh.bin",
    "linuxboot_dma.bin",
];

/// Options of `cargo xtask bench-boot`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Boots per VMM.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Copy L1's console to stderr as it comes.
    #[arg(long)]
    verbose: bool,
}

/// The ELF vmlinux inside a bzImage whose payload is LZ4 (Debian's cloud kernel): the
/// payload starts at the LZ4 legacy-frame magic and `lz4 -dc` unpacks it.
fn extract_vmlinux(bzimage: &Path, out: &Path) -> Result {
    if out.exists() {
        return Ok(());
    }
    let data =
        std::fs::read(bzimage).map_err(|e| Failed(format!("read {}: {e}", bzimage.display())))?;
    let magic = [0x02, 0x21, 0x4c, 0x18];
    let at = data
        .windows(4)
        .position(|w| w == magic)
        .ok_or_else(|| Failed(format!("{}: no LZ4 payload found", bzimage.display())))?;
    let payload = out.with_extension("lz4");
    std::fs::write(&payload, &data[at..])
        .map_err(|e| Failed(format!("write {}: {e}", payload.display())))?;
    // lz4 complains about the bytes after the frame but writes the whole kernel.
    let res = Command::new("lz4")
        .args(["-dcq"])
        .arg(&payload)
        .output()
        .map_err(|e| Failed(format!("lz4: {e}")))?;
    let _ = std::fs::remove_file(&payload);
    if !res.stdout.starts_with(b"\x7fELF") {
        return Err(Failed(format!(
            "lz4 -dc of {} did not give an ELF image: {}",
            bzimage.display(),
            String::from_utf8_lossy(&res.stderr)
        )));
    }
    std::fs::write(out, &res.stdout).map_err(|e| Failed(format!("write {}: {e}", out.display())))
}

/// qemu-system-x86_64 with every library `ldd` names and its firmware, as (host, L1) pairs.
fn qemu_files() -> Result<Vec<(PathBuf, String)>> {
    let qemu = PathBuf::from("/usr/bin/qemu-system-x86_64");
    let out = Command::new("ldd")
        .arg(&qemu)
        .output()
        .map_err(|e| Failed(format!("ldd: {e}")))?;
    let mut files = vec![(qemu.clone(), qemu.display().to_string())];
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        // "libx.so.1 => /lib/x86_64-linux-gnu/libx.so.1 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
        let path = line
            .split("=>")
            .last()
            .and_then(|r| r.split_whitespace().next())
            .filter(|p| p.starts_with('/'));
        if let Some(p) = path {
            files.push((PathBuf::from(p), p.to_owned()));
        }
    }
    for f in QEMU_DATA {
        let p = Path::new("/usr/share/qemu").join(f);
        if p.exists() {
            files.push((p.clone(), p.display().to_string()));
        }
    }
    Ok(files)
}

/// One measured boot.
#[derive(Debug, Default, Clone)]
struct Sample {
    hello_ms: Option<f64>,
    mark_ms: Option<f64>,
    exit_ms: f64,
    maxrss_kib: u64,
    code: i32,
}

fn parse_sample(output: &str) -> Option<Sample> {
    let mut s = Sample::default();
    let mut seen = false;
    for line in output.lines() {
        if let Some(rest) = line.strip_prefix("vmm-ref-bench: ") {
            for kv in rest.split_whitespace() {
                match kv.split_once('=') {
                    Some(("hello_ms", v)) => s.hello_ms = s.hello_ms.or(v.parse().ok()),
                    Some(("exit_ms", v)) => s.exit_ms = v.parse().unwrap_or(0.0),
                    Some(("maxrss_kib", v)) => s.maxrss_kib = v.parse().unwrap_or(0),
                    Some(("code", v)) => s.code = v.parse().unwrap_or(-1),
                    _ => {}
                }
            }
            seen = true;
        } else if let Some(rest) = line.strip_prefix("vmm-ref boot: timing: ") {
            let ms = rest
                .strip_suffix(" ms")
                .and_then(|r| r.rsplit(' ').next())
                .and_then(|v| v.parse::<f64>().ok());
            if rest.starts_with("agent hello") {
                s.hello_ms = ms;
            } else if rest.starts_with("agent start") {
                s.mark_ms = ms;
            }
        }
    }
    seen.then_some(s)
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn fmt_ms(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.0} ms"))
}

/// Runs the benchmark.
pub(crate) fn run(args: &Args) -> Result {
    let rig = Rig::provision()?;
    ensure_packages(&["lz4"])?;
    let vmlinux = rig
        .dir
        .join(format!("vmlinux-{}", rig.guest_kernel.release));
    extract_vmlinux(&rig.guest_kernel.vmlinuz(), &vmlinux)?;
    let agent_cpio = rig.dir.join("l2-agent.cpio");
    let mut ir = Initramfs::new();
    ir.console()
        .and_then(|ir| ir.host_file(&rig.agent, "init"))
        .map_err(|e| Failed(format!("agent initramfs: {e}")))?;
    std::fs::write(&agent_cpio, ir.build())
        .map_err(|e| Failed(format!("write {}: {e}", agent_cpio.display())))?;
    let bench = rig.agent.with_file_name("vmm-ref-bench");

    let mut files = qemu_files()?;
    files.push((vmlinux, VMLINUX.to_owned()));
    files.push((agent_cpio, AGENT_CPIO.to_owned()));
    files.push((bench, "/bin/vmm-ref-bench".to_owned()));

    let vmm =
        format!("vmm-ref-bench -- vmm-ref boot --timings --memory {MEMORY_MIB} --kernel {VMLINUX}");
    let qemu = format!(
        "vmm-ref-bench --hello-on-stdout -- qemu-system-x86_64 -M microvm -accel kvm -cpu host \
         -m {MEMORY_MIB} -smp 1 -nodefaults -no-user-config -display none -serial stdio -no-reboot \
         -kernel {VMLINUX} -initrd {AGENT_CPIO} -append '{QEMU_CMDLINE}'"
    );
    let mut scripts = Vec::new();
    for i in 0..args.runs {
        scripts.push(Script::new(&format!("vmm-ref-{i}"), &vmm));
        scripts.push(Script::new(&format!("qemu-microvm-{i}"), &qemu));
    }
    let report = rig.run(
        &scripts,
        &RunOptions {
            timeout: Duration::from_secs(300 + 120 * args.runs as u64),
            echo: args.verbose,
            files,
        },
    )?;
    let mut vmm_samples = Vec::new();
    let mut qemu_samples = Vec::new();
    for o in &report.outcomes {
        let Some(s) = parse_sample(&o.output) else {
            crate::rig::print_outcomes(std::slice::from_ref(o));
            return Err(Failed(format!("{}: no measurement in its output", o.name)));
        };
        if s.code != 0 || o.code != 0 || s.hello_ms.is_none() {
            crate::rig::print_outcomes(std::slice::from_ref(o));
            return Err(Failed(format!(
                "{}: the boot failed (exit {})",
                o.name, s.code
            )));
        }
        if o.name.starts_with("vmm-ref") {
            vmm_samples.push(s);
        } else {
            qemu_samples.push(s);
        }
    }
    let stat =
        |v: &[Sample], f: fn(&Sample) -> Option<f64>| median(v.iter().filter_map(f).collect());
    let v_hello = stat(&vmm_samples, |s| s.hello_ms);
    let q_hello = stat(&qemu_samples, |s| s.hello_ms);
    let v_exit = stat(&vmm_samples, |s| Some(s.exit_ms));
    let q_exit = stat(&qemu_samples, |s| Some(s.exit_ms));
    let v_mark = stat(&vmm_samples, |s| s.mark_ms);
    let v_rss = stat(&vmm_samples, |s| Some(s.maxrss_kib as f64));
    let q_rss = stat(&qemu_samples, |s| Some(s.maxrss_kib as f64));
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "-".to_owned(),
    };
    println!(
        "boot benchmark inside the rig ({} runs each; guest {}, {MEMORY_MIB} MiB, 1 vCPU; medians):",
        args.runs, rig.guest_kernel.release
    );
    println!("                      vmm-ref      qemu microvm   ratio vmm-ref/qemu");
    println!(
        "  agent hello      {:>12} {:>16} {:>10}",
        fmt_ms(v_hello),
        fmt_ms(q_hello),
        ratio(v_hello, q_hello)
    );
    println!(
        "  process exit     {:>12} {:>16} {:>10}",
        fmt_ms(v_exit),
        fmt_ms(q_exit),
        ratio(v_exit, q_exit)
    );
    println!(
        "  port 0x80 mark   {:>12} {:>16}",
        fmt_ms(v_mark),
        "(not observed)"
    );
    let kib =
        |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{:.1} MiB", v / 1024.0));
    println!(
        "  peak RSS         {:>12} {:>16} {:>10}   (includes guest pages the guest touched)",
        kib(v_rss),
        kib(q_rss),
        ratio(v_rss, q_rss)
    );
    println!("  rig wall time: {:.1} s", report.wall.as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_read_from_both_kinds_of_output() {
        let out = "vmm-ref boot: timing: agent start (port 0x80 = 0x41) 1500 ms\n\
                   vmm-ref boot: timing: agent hello 1520 ms\n\
                   vmm-ref-bench: hello_ms=- exit_ms=1700.5 maxrss_kib=40000 code=0\n";
        let s = parse_sample(out).unwrap();
        assert_eq!(s.mark_ms, Some(1500.0));
        assert_eq!(s.hello_ms, Some(1520.0));
        assert_eq!(s.exit_ms, 1700.5);
        assert_eq!(s.maxrss_kib, 40000);
        let q = parse_sample("vmm-ref-bench: hello_ms=5000.0 exit_ms=8000.0 maxrss_kib=1 code=0")
            .unwrap();
        assert_eq!(q.hello_ms, Some(5000.0));
        assert!(parse_sample("nothing").is_none());
    }

    #[test]
    fn median_of_even_and_odd_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(Vec::new()), None);
    }
}
