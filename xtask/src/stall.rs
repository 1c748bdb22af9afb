//! `cargo xtask stall`: reproduces the nested-guest stall (an L2 guest whose agent never says
//! hello, its vCPU halted until something writes to its serial port) and counts it.
//!
//! One rig run: L1 starts `--hogs` busy loops (the load under which the stall was seen), then
//! boots the L2 guest `--boots` times in a row with `vmm-ref boot` (no heartbeat, no retry:
//! a stalled boot simply times out after `--timeout` seconds). Each boot runs a command in the
//! guest that prints the guest's interrupt counts for the timer, COM2 and COM1, so a boot
//! that recovered late still shows what the guest saw. The result is one line per boot and a
//! count of stalled boots (exit code 125 with a timeout, or a hello later than
//! `--slow` seconds). With `--env VMM_REF_STALL_PROBE=SECS`, vmm-ref's stall probe reports each
//! stall it sees (no port I/O for SECS seconds with the vCPUs idle: what the host saw, then
//! which nudge woke the guest) and its interrupt watchdog, when on, says each time it re-armed delivery;
//! the summary counts both (`probed`, `rearms`; the watchdog is on by default, off with
//! `--env VMM_REF_IRQ_WATCHDOG=0`).
//!
//! The rig files of this command live in `.work/stall/` (its own L1 initramfs and console log,
//! so that it does not overwrite those of another rig run on the same checkout).

use std::fmt::Write as _;
use std::time::Duration;

use crate::cmd::{Failed, Result, workspace_root};
use crate::rig::{GUEST_KERNEL, Rig, RunOptions, Script};

/// `cargo xtask stall`: options.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How many boots in a row.
    #[arg(long, default_value_t = 20)]
    boots: u32,
    /// How many boot loops run at once (each does its share of `--boots`).
    #[arg(long, default_value_t = 1)]
    parallel: u32,
    /// How many busy loops run in L1 meanwhile.
    #[arg(long, default_value_t = 1)]
    hogs: u32,
    /// Seconds before `vmm-ref boot` gives up on a boot (a stall).
    #[arg(long, default_value_t = 60)]
    timeout: u32,
    /// A boot whose agent hello comes later than this many seconds counts as slow.
    #[arg(long, default_value_t = 30)]
    slow: u32,
    /// `KEY=VALUE` exported in L1 before the boots (repeatable), e.g. a vmm-ref debug knob.
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// A shell command to run in L1 after the boots (for example to look at one guest's
    /// console with another command line).
    #[arg(long, value_name = "SHELL")]
    then: Option<String>,
    /// Copy L1's console to stderr as it comes.
    #[arg(long)]
    verbose: bool,
}

/// The guest command: the interrupt lines of the timer, COM2 and COM1, and the error counts.
const GUEST_COMMAND: &str = "/bin/busybox sh -c 'while read -r l; do case \"$l\" in 0:*|3:*|4:*|ERR:*|MIS:*) echo \"irq $l\";; esac; done </proc/interrupts'";

/// The L1 script.
fn script(args: &Args) -> String {
    let mut s = String::new();
    for kv in &args.env {
        let _ = writeln!(
            s,
            "export {}",
            crate::rig::shell_words(std::slice::from_ref(kv))
        );
    }
    let _ = writeln!(
        s,
        r#"hogs=""
i=0
while [ $i -lt {hogs} ]; do (while :; do :; done) & hogs="$hogs $!"; i=$((i+1)); done
: >/tmp/stall-results
boots() {{
    w=$1
    k=0
    while [ $k -lt {per_worker} ]; do
        k=$((k+1))
        n=$w.$k
        t0=$(date +%s)
        vmm-ref boot --kernel {GUEST_KERNEL} --initramfs-add /bin/busybox:/bin/busybox --timeout {timeout} --timings --console-log /tmp/stall-console-$n.log -- {GUEST_COMMAND} >/tmp/stall-out-$n 2>&1
        rc=$?
        t1=$(date +%s)
        start=$(sed -n 's/.*agent start (port 0x80 = 0x41) \([0-9]*\)[.0-9]* ms.*/\1/p' /tmp/stall-out-$n)
        hello=$(sed -n 's/.*agent hello \([0-9]*\)[.0-9]* ms.*/\1/p' /tmp/stall-out-$n)
        verdict=ok
        if [ $rc -ne 0 ]; then verdict=stalled;
        elif [ "${{hello:-0}}" -gt $(({slow}*1000)) ]; then verdict=slow; fi
        {{
        rearms=$(grep -c 'interrupt watchdog' /tmp/stall-out-$n)
        echo "STALL-BOOT $n rc=$rc wall=$((t1-t0))s agent_start=${{start:-none}}ms hello=${{hello:-none}}ms rearms=$rearms $verdict"
        grep '^irq ' /tmp/stall-out-$n | tr -s ' ' | sed 's/^/    /'
        if grep -q stall-probe /tmp/stall-out-$n; then
            echo "STALL-PROBED $n"
            grep -v '^irq ' /tmp/stall-out-$n | grep -v '^vmm-ref boot: timing' | head -n 300 | sed 's/^/    out: /'
        elif [ $verdict != ok ]; then
            grep -v '^irq ' /tmp/stall-out-$n | tail -n 40 | sed 's/^/    out: /'
            tail -n 5 /tmp/stall-console-$n.log | sed 's/^/    console: /'
        fi
        }} >/tmp/stall-report-$n
        cat /tmp/stall-report-$n
        echo "$verdict" >>/tmp/stall-results
        rm -f /tmp/stall-console-$n.log
    done
}}
w=0
workers=""
while [ $w -lt {parallel} ]; do w=$((w+1)); boots $w & workers="$workers $!"; done
wait $workers
kill $hogs 2>/dev/null
probed=$(cat /tmp/stall-out-* | grep -c 'stall [0-9]*: no port I/O')
rearms=$(cat /tmp/stall-out-* | grep -c 'interrupt watchdog')
echo "STALL-SUMMARY boots=$(grep -c . /tmp/stall-results) stalled=$(grep -c stalled /tmp/stall-results) slow=$(grep -c slow /tmp/stall-results) probed=$probed rearms=$rearms hogs={hogs} parallel={parallel}""#,
        hogs = args.hogs,
        per_worker = args.boots.div_ceil(args.parallel.max(1)),
        parallel = args.parallel.max(1),
        timeout = args.timeout,
        slow = args.slow,
    );
    if let Some(then) = &args.then {
        let _ = writeln!(s, "{then}");
    }
    s
}

/// `cargo xtask stall`: boots the L2 guest many times under load in one rig run and counts
/// the stalled boots.
pub(crate) fn run(args: &Args) -> Result {
    let mut rig = Rig::provision()?;
    rig.dir = workspace_root().join(".work").join("stall");
    std::fs::create_dir_all(&rig.dir)
        .map_err(|e| Failed(format!("mkdir {}: {e}", rig.dir.display())))?;
    let per_boot = u64::from(args.timeout) + 30;
    let report = rig.run(
        &[Script::new("stall", &script(args))],
        &RunOptions {
            timeout: Duration::from_secs(180 + per_boot * u64::from(args.boots)),
            echo: args.verbose,
            files: Vec::new(),
        },
    )?;
    let o = report
        .outcomes
        .first()
        .ok_or_else(|| Failed("no outcome".into()))?;
    println!("{}", o.output.trim_end());
    eprintln!("stall: rig wall time {:.1} s", report.wall.as_secs_f64());
    let summary = o
        .output
        .lines()
        .find(|l| l.starts_with("STALL-SUMMARY"))
        .ok_or_else(|| Failed("the stall script did not finish (no STALL-SUMMARY)".into()))?;
    eprintln!("stall: {summary}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> Args {
        Args {
            boots: 3,
            parallel: 2,
            hogs: 2,
            timeout: 40,
            slow: 20,
            env: vec!["VMM_REF_X=a b".into()],
            then: Some("echo then".into()),
            verbose: false,
        }
    }

    #[test]
    fn the_script_boots_the_asked_number_of_times_under_the_asked_load() {
        let s = script(&args());
        assert!(s.starts_with("export 'VMM_REF_X=a b'\n"), "{s}");
        assert!(s.contains("while [ $i -lt 2 ]"), "{s}");
        assert!(s.contains("while [ $k -lt 2 ]"), "{s}");
        assert!(s.contains("while [ $w -lt 2 ]"), "{s}");
        assert!(s.contains("--timeout 40"), "{s}");
        assert!(s.contains("-gt $((20*1000))"), "{s}");
        assert!(s.contains("STALL-SUMMARY boots="), "{s}");
        assert!(s.ends_with("echo then\n"), "{s}");
    }
}
