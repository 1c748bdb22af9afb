//! `cargo xtask bench-boot`: boot time and memory of vmm-ref against qemu's `microvm` machine,
//! both booting the same kernel (Debian's cloud kernel as an ELF vmlinux, entered through PVH)
//! and the same agent as `/init`, inside one run of the rig, several times each.
//!
//! Boot (issue 6):
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
//!
//! Memory without the guest ("VMM overhead"): peak RSS minus the guest memory's resident
//! pages. vmm-ref measures itself when the guest has ended (`vmm-ref boot --timings`: `VmHWM`
//! minus the `Rss` of every mapping inside its guest memory, from `/proc/self/smaps`; see
//! `vmm_ref::vmm::memstat`). qemu is measured from outside in one extra boot: a shell loop
//! copies its `/proc/PID/status` and `/proc/PID/smaps` every 0.2 s, and the last copy before
//! it exits gives `VmHWM` minus the `Rss` of its guest RAM (the anonymous mapping whose size is
//! the guest memory size). Guest memory only grows, so both figures are at most the true peak
//! without the guest.
//!
//! Pod start (issue 7): `vmm-ref run -o json --runtime kvm` of a one-container busybox pod, from
//! the process start to the first container's `started` event (its `processMs` field), against
//! qemu `microvm` booting the same kernel with the same initramfs (the agent, and the busybox
//! root filesystem where `vmm-ref run` puts it) and memory, to the agent's hello.
//!
//! `--dmesg` adds one `vmm-ref boot` whose guest prints its kernel log (`dmesg` through the
//! agent, busybox added; the log of the quiet boot, with its timestamps).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::cmd::{Failed, Result};
use crate::initramfs::Initramfs;
use crate::rig::{Rig, RunOptions, Script, ensure_packages};

/// Guest memory for both VMMs in the boot benchmark, MiB.
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
/// The pod benchmark's initramfs for qemu inside L1.
const POD_CPIO: &str = "/rig/guest/pod.cpio";
/// The pod file inside L1.
const POD_FILE: &str = "/rig/bench/pod.yaml";
/// The pod's name (its hostname in the guest) and its one container's name.
const POD_NAME: &str = "bench";
/// The pod: one busybox container that exits at once.
const POD_YAML: &str = "apiVersion: v1
kind: Pod
metadata:
  name: bench
spec:
  restartPolicy: Never
  containers:
    - name: bench
      image: busybox
      command: ['true']
";
/// The pod's memory (Hyper's default, which `vmm-ref run` gives a pod without resources).
const POD_MEMORY_MIB: u32 = 128;
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
    /// Boots per VMM (and pod runs per VMM).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Copy L1's console to stderr as it comes.
    #[arg(long)]
    verbose: bool,
    /// Also boot vmm-ref once and print the guest's kernel log and vmm-ref's timings, to see
    /// where the boot time goes.
    #[arg(long)]
    dmesg: bool,
    /// Leave out the pod benchmark (`vmm-ref run` to the first container's start).
    #[arg(long)]
    no_pod: bool,
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
    /// vmm-ref's own figures: peak RSS and guest memory resident at the end, KiB.
    memory: Option<(u64, u64)>,
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
        } else if let Some(rest) = line.strip_prefix("vmm-ref boot: memory: ") {
            // "peak RSS P KiB, guest memory resident G KiB, ..."
            let kib = |key: &str| {
                rest.split(", ")
                    .find_map(|f| f.strip_prefix(key))
                    .and_then(|v| v.strip_suffix(" KiB"))
                    .and_then(|v| v.parse::<u64>().ok())
            };
            s.memory = kib("peak RSS ").zip(kib("guest memory resident "));
        }
    }
    seen.then_some(s)
}

/// qemu's memory as the sampling loop saw it last: `VmHWM` and the guest RAM's `Rss`, KiB.
fn parse_sampled(output: &str) -> Option<(u64, u64)> {
    let rest = output
        .lines()
        .find_map(|l| l.strip_prefix("sampled-memory: "))?;
    let get = |key: &str| {
        rest.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((get("hwm_kib")?, get("guest_kib")?))
}

/// The `processMs` of the first `started` event in `vmm-ref run -o json` output.
fn first_container_start(output: &str) -> Option<f64> {
    output.lines().find_map(|l| {
        let v: serde_json::Value = serde_json::from_str(l.trim()).ok()?;
        (v.get("event")?.as_str()? == "started").then_some(())?;
        v.get("processMs")?.as_f64()
    })
}

/// A shell script that runs `command` in the background and copies `/proc/PID/status` and
/// `/proc/PID/smaps` of the process called `name` every 0.2 s until it ends, then prints its
/// output and `sampled-memory: hwm_kib=H guest_kib=G` from the last complete copy, `G` being
/// the `Rss` of the anonymous mappings of exactly `guest_kib` KiB (the guest RAM).
fn sampled_script(command: &str, name: &str, guest_kib: u64) -> String {
    format!(
        r#"{command} >/tmp/sampled.out 2>&1 &
b=$!
p=
while kill -0 $b 2>/dev/null; do
    [ -n "$p" ] || p=$(pidof {name})
    if [ -n "$p" ] && cat /proc/$p/smaps >/tmp/smaps.new 2>/dev/null && grep VmHWM /proc/$p/status >/tmp/hwm.new 2>/dev/null; then
        mv /tmp/smaps.new /tmp/smaps.last; mv /tmp/hwm.new /tmp/hwm.last
    fi
    usleep 200000
done
wait $b
rc=$?
cat /tmp/sampled.out
awk -v g={guest_kib} '{SAMPLED_AWK}' /tmp/hwm.last /tmp/smaps.last
exit $rc
"#
    )
}

/// The awk program of [`sampled_script`]: reads a `VmHWM:` line and an `smaps` text, prints
/// `sampled-memory: hwm_kib=H guest_kib=G` with `G` the `Rss` of the anonymous mappings (a
/// header line of five fields: no path) whose `Size` is `g` KiB.
const SAMPLED_AWK: &str = r#"/^VmHWM:/ { hwm = $2 } /^[0-9a-f]+-[0-9a-f]+ / { anon = (NF == 5) } /^Size:/ { size = $2 } /^Rss:/ { if (anon && size == g) guest += $2 } END { print "sampled-memory: hwm_kib=" hwm " guest_kib=" guest + 0 }"#;

/// The qemu `microvm` command line for a boot to the agent's hello, under `vmm-ref-bench`.
fn qemu_command(memory_mib: u32, initrd: &str, cmdline: &str) -> String {
    format!(
        "vmm-ref-bench --hello-on-stdout -- qemu-system-x86_64 -M microvm -accel kvm -cpu host \
         -m {memory_mib} -smp 1 -nodefaults -no-user-config -display none -serial stdio -no-reboot \
         -kernel {VMLINUX} -initrd {initrd} -append '{cmdline}'"
    )
}

/// The initramfs `vmm-ref run` builds for the benchmark pod (`pod_initramfs` in vmm-ref's kvm
/// runtime): `/dev/console`, the agent as `/init`, the busybox root filesystem under
/// `/containers/bench/rootfs` with `proc`, `dev` and `tmp`.
fn pod_initramfs(agent: &Path, busybox: &Path) -> Result<Vec<u8>> {
    let err = |e: crate::initramfs::Error| Failed(format!("pod initramfs: {e}"));
    let root = format!("containers/{POD_NAME}/rootfs");
    let mut ir = Initramfs::new();
    ir.console().map_err(err)?;
    ir.host_file(agent, "init").map_err(err)?;
    ir.host_path(busybox, &root).map_err(err)?;
    for (d, mode) in [("proc", 0o555), ("dev", 0o755), ("tmp", 0o1777)] {
        let p = format!("{root}/{d}");
        if !ir.contains(&p) {
            ir.dir(&p, mode).map_err(err)?;
        }
    }
    Ok(ir.build())
}

/// The guest memory `vmm-ref run` gives a pod (`guest_memory_mib` in vmm-ref's kvm runtime):
/// the pod's memory plus twice the initramfs, in whole MiB.
fn pod_guest_mib(pod_mib: u32, initramfs_bytes: usize) -> u32 {
    let mib = u32::try_from(initramfs_bytes.div_ceil(1 << 20)).unwrap_or(u32::MAX);
    pod_mib.saturating_add(mib.saturating_mul(2))
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

fn write(path: &Path, bytes: &[u8]) -> Result {
    std::fs::write(path, bytes).map_err(|e| Failed(format!("write {}: {e}", path.display())))
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
    write(&agent_cpio, &ir.build())?;
    let bench = rig.agent.with_file_name("vmm-ref-bench");

    let mut files = qemu_files()?;
    files.push((vmlinux, VMLINUX.to_owned()));
    files.push((agent_cpio, AGENT_CPIO.to_owned()));
    files.push((bench, "/bin/vmm-ref-bench".to_owned()));

    let vmm =
        format!("vmm-ref-bench -- vmm-ref boot --timings --memory {MEMORY_MIB} --kernel {VMLINUX}");
    let qemu = qemu_command(MEMORY_MIB, AGENT_CPIO, QEMU_CMDLINE);
    let mut scripts = Vec::new();
    if args.dmesg {
        scripts.push(Script::new(
            "vmm-ref-dmesg",
            &format!(
                "vmm-ref boot --timings --memory {MEMORY_MIB} --kernel {VMLINUX} \
                 --initramfs-add /bin/busybox:/bin/busybox -- /bin/busybox dmesg"
            ),
        ));
    }
    for i in 0..args.runs {
        scripts.push(Script::new(&format!("vmm-ref-{i}"), &vmm));
        scripts.push(Script::new(&format!("qemu-microvm-{i}"), &qemu));
    }
    scripts.push(Script::new(
        "qemu-memory",
        &sampled_script(&qemu, "qemu-system-x86_64", u64::from(MEMORY_MIB) << 10),
    ));
    let mut pod_mib = 0;
    if !args.no_pod {
        files.extend(crate::rig::standard_files()?);
        let pod_file = rig.dir.join("bench-pod.yaml");
        write(&pod_file, POD_YAML.as_bytes())?;
        files.push((pod_file, POD_FILE.to_owned()));
        let pod_cpio = pod_initramfs(&rig.agent, &crate::busybox::rootfs_dir())?;
        pod_mib = pod_guest_mib(POD_MEMORY_MIB, pod_cpio.len());
        let pod_cpio_path = rig.dir.join("l2-pod.cpio");
        write(&pod_cpio_path, &pod_cpio)?;
        files.push((pod_cpio_path, POD_CPIO.to_owned()));
        let run = format!("vmm-ref run -o json --runtime kvm --kernel {VMLINUX} {POD_FILE}");
        let qemu_pod = qemu_command(
            pod_mib,
            POD_CPIO,
            &format!("{QEMU_CMDLINE} vmmref.hostname={POD_NAME}"),
        );
        for i in 0..args.runs {
            scripts.push(Script::new(&format!("pod-vmm-ref-{i}"), &run));
            scripts.push(Script::new(&format!("pod-qemu-microvm-{i}"), &qemu_pod));
        }
    }
    let report = rig.run(
        &scripts,
        &RunOptions {
            timeout: Duration::from_secs(300 + 240 * args.runs as u64),
            echo: args.verbose,
            files,
        },
    )?;
    let failed = |o: &crate::rig::Outcome, why: &str| {
        crate::rig::print_outcomes(std::slice::from_ref(o));
        Failed(format!("{}: {why}", o.name))
    };
    let mut vmm_samples = Vec::new();
    let mut qemu_samples = Vec::new();
    let mut qemu_memory = None;
    let mut pod_vmm = Vec::new();
    let mut pod_qemu = Vec::new();
    for o in &report.outcomes {
        if o.name == "vmm-ref-dmesg" {
            crate::rig::print_outcomes(std::slice::from_ref(o));
            continue;
        }
        if o.code != 0 {
            return Err(failed(o, &format!("exited {}", o.code)));
        }
        if o.name == "qemu-memory" {
            qemu_memory =
                Some(parse_sampled(&o.output).ok_or_else(|| failed(o, "no memory figures"))?);
            continue;
        }
        if o.name.starts_with("pod-vmm-ref") {
            pod_vmm.push(
                first_container_start(&o.output)
                    .ok_or_else(|| failed(o, "no container started"))?,
            );
            continue;
        }
        let Some(s) = parse_sample(&o.output) else {
            return Err(failed(o, "no measurement in its output"));
        };
        if s.code != 0 || s.hello_ms.is_none() {
            return Err(failed(o, &format!("the boot failed (exit {})", s.code)));
        }
        if o.name.starts_with("pod-qemu") {
            pod_qemu.push(s);
        } else if o.name.starts_with("vmm-ref") {
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
    let v_own = stat(&vmm_samples, |s| {
        s.memory
            .map(|(peak, guest)| peak.saturating_sub(guest) as f64)
    });
    let q_own = qemu_memory.map(|(hwm, guest)| hwm.saturating_sub(guest) as f64);
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "-".to_owned(),
    };
    println!(
        "boot benchmark inside the rig ({} runs each; guest {}, {MEMORY_MIB} MiB, 1 vCPU; medians):",
        args.runs, rig.guest_kernel.release
    );
    println!("                               vmm-ref     qemu microvm   ratio vmm-ref/qemu");
    let row = |name: &str, a: String, b: String, r: String| {
        println!("  {name:<26}{a:>12} {b:>16} {r:>10}");
    };
    row(
        "process start -> hello",
        fmt_ms(v_hello),
        fmt_ms(q_hello),
        ratio(v_hello, q_hello),
    );
    row(
        "process start -> exit",
        fmt_ms(v_exit),
        fmt_ms(q_exit),
        ratio(v_exit, q_exit),
    );
    row(
        "port 0x80 mark",
        fmt_ms(v_mark),
        "(not observed)".to_owned(),
        String::new(),
    );
    let kib =
        |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{:.1} MiB", v / 1024.0));
    row(
        "peak RSS, guest included",
        kib(v_rss),
        kib(q_rss),
        ratio(v_rss, q_rss),
    );
    row(
        "peak RSS minus guest",
        kib(v_own),
        kib(q_own),
        ratio(v_own, q_own),
    );
    println!(
        "  (peak RSS minus guest: vmm-ref's VmHWM minus its guest mappings' Rss, measured by itself \
         when the guest has ended; qemu's from outside, the last 0.2 s sample before it exits, one boot)"
    );
    if !args.no_pod {
        let p_vmm = median(pod_vmm);
        let p_qemu = stat(&pod_qemu, |s| s.hello_ms);
        println!(
            "pod start inside the rig (same kernel; pod initramfs {POD_MEMORY_MIB}+ MiB pod, guest {pod_mib} MiB; medians):"
        );
        row(
            "run -> container started",
            fmt_ms(p_vmm),
            String::new(),
            String::new(),
        );
        row(
            "qemu start -> agent hello",
            String::new(),
            fmt_ms(p_qemu),
            ratio(p_vmm, p_qemu),
        );
    }
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
    fn vmm_ref_memory_line_is_read() {
        let out = "vmm-ref boot: memory: peak RSS 90000 KiB, guest memory resident 70000 KiB, \
                   peak minus guest 20000 KiB, RSS at exit minus guest 15000 KiB\n\
                   vmm-ref-bench: hello_ms=- exit_ms=1.0 maxrss_kib=1 code=0\n";
        assert_eq!(parse_sample(out).unwrap().memory, Some((90000, 70000)));
    }

    #[test]
    fn sampled_memory_and_container_start_are_read() {
        let out = "x\nsampled-memory: hwm_kib=160000 guest_kib=120000\n";
        assert_eq!(parse_sampled(out), Some((160000, 120000)));
        assert_eq!(parse_sampled("sampled-memory: hwm_kib= guest_kib=0"), None);
        let run = r#"{"event":"phase","phase":"Pending","timeMs":0,"processMs":20}
{"event":"started","container":"bench","restarts":0,"timeMs":3000,"processMs":3100}
{"event":"started","container":"other","restarts":0,"timeMs":3500,"processMs":3600}"#;
        assert_eq!(first_container_start(run), Some(3100.0));
        assert_eq!(
            first_container_start(r#"{"event":"started","timeMs":1}"#),
            None
        );
    }

    #[test]
    fn the_sampling_awk_counts_only_anonymous_mappings_of_the_guest_size() {
        let dir = std::env::temp_dir().join(format!("bench-boot-awk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("hwm"), "VmHWM:\t  160000 kB\n").unwrap();
        std::fs::write(
            dir.join("smaps"),
            "7f00-7f10 rw-p 00000000 00:00 0 \nSize:             262144 kB\nRss:  100000 kB\n\
             7f10-7f20 rw-p 00000000 08:01 7 /some/file\nSize:             262144 kB\nRss:  5000 kB\n\
             7f20-7f30 rw-p 00000000 00:00 0 \nSize:               1024 kB\nRss:  900 kB\n",
        )
        .unwrap();
        let Ok(out) = Command::new("awk")
            .args(["-v", "g=262144", SAMPLED_AWK])
            .arg(dir.join("hwm"))
            .arg(dir.join("smaps"))
            .output()
        else {
            eprintln!("no awk here; skipped");
            return;
        };
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(
            parse_sampled(&String::from_utf8_lossy(&out.stdout)),
            Some((160000, 100000))
        );
    }

    #[test]
    fn pod_memory_mirrors_vmm_ref_run() {
        assert_eq!(pod_guest_mib(128, 0), 128);
        assert_eq!(pod_guest_mib(128, (4 << 20) + 1), 138);
    }

    #[test]
    fn median_of_even_and_odd_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(Vec::new()), None);
    }
}
