//! `vmm-ref boot`: boot a kernel with the agent as `/init`, run one command in the guest, power
//! the guest off, and exit with the command's exit code.
//!
//! Exit codes: the command's own (0-255; 128 + signal if a signal killed it) when it ran;
//! 2 when the command line, a file, or the host is unusable (nothing was booted); 125 when the
//! guest did not get the command done (it panicked, faulted, hit an internal error, timed
//! out, or the agent broke the protocol); 126 when the agent could not start the command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use vmm_ref::host_check;
use vmm_ref::initramfs::Initramfs;
use vmm_ref::vmm::{
    ConsoleConfig, DEFAULT_CMDLINE, GuestExit, HostStop, Initramfs as InitrdSource, MemMib,
    RunningVm, VcpuCount, Vm, VmConfig, VmEvent, process_start,
};
use vmm_ref_proto::{Client, ClientEvent, ErrorKind, ProcessSpec, Request, RequestId, Response};

/// Exit code when nothing could be booted.
const EXIT_SETUP: u8 = 2;
/// Exit code when the guest did not get the command done.
const EXIT_GUEST: u8 = 125;
/// Exit code when the agent could not start the command.
const EXIT_SPAWN: u8 = 126;
/// The environment variable naming the agent binary.
const AGENT_ENV: &str = "VMM_REF_AGENT";
/// The agent's file name next to the `vmm-ref` executable.
const AGENT_NAME: &str = "vmm-ref-agent";

/// Boot a Linux kernel in a KVM guest with the agent as /init, run COMMAND in it, and exit
/// with its exit code.
#[derive(Debug, Parser)]
#[command(after_help = "\
Example:
  vmm-ref boot --kernel vmlinux --initramfs-add /usr/lib/busybox-static/busybox:/bin/busybox \\
      --memory 256 -- /bin/busybox uname -a

Without COMMAND the guest boots, the agent says hello, and the guest is powered off: a boot
test. The kernel is an ELF vmlinux (booted through PVH when it has the Xen PVH note) or a
bzImage. On a host whose /dev/kvm is the paravirtual kvm_pvm, use the emulated-SVM rig:
`cargo xtask vmm -- boot ...`.

Exit codes: the command's own; 2 nothing was booted (bad arguments, files, or host);
125 the guest did not get the command done (panic, fault, timeout); 126 the agent could not
start the command.")]
pub(crate) struct Args {
    /// The kernel: an ELF vmlinux or a bzImage.
    #[arg(long, value_name = "PATH")]
    kernel: PathBuf,
    /// Add a host file or directory to the initramfs at DST (repeatable).
    #[arg(long = "initramfs-add", value_name = "SRC:DST")]
    initramfs_add: Vec<String>,
    /// The kernel command line.
    #[arg(long, default_value = DEFAULT_CMDLINE)]
    cmdline: String,
    /// Guest memory in MiB.
    #[arg(long, value_name = "MiB", default_value_t = MemMib::DEFAULT.get())]
    memory: u32,
    /// Number of vCPUs (more than one needs a kernel with CONFIG_X86_MPPARSE).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=i64::from(VcpuCount::MAX)))]
    vcpus: u8,
    /// Also show the guest console on standard output.
    #[arg(long)]
    console: bool,
    /// Write the guest console to this file (default: a file in the temporary directory,
    /// named in error reports).
    #[arg(long, value_name = "PATH")]
    console_log: Option<PathBuf>,
    /// Give up and stop the guest after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    timeout: u64,
    /// The guest agent binary (static). Default: $VMM_REF_AGENT, else `vmm-ref-agent` next
    /// to this executable.
    #[arg(long, value_name = "PATH")]
    agent: Option<PathBuf>,
    /// Print boot timings on standard error (agent start from port 0x80, hello, command,
    /// total), in milliseconds since this process started, and the memory used (peak RSS,
    /// guest memory resident, and the two differences).
    #[arg(long)]
    timings: bool,
    /// The command to run in the guest, with its arguments.
    #[arg(last = true, value_name = "COMMAND")]
    command: Vec<String>,
}

/// Runs the subcommand.
pub(crate) fn run(args: Args) -> ExitCode {
    let _ = process_start();
    match boot(&args) {
        Ok(code) => ExitCode::from(code),
        Err(Failure { code, message }) => {
            eprintln!("vmm-ref boot: {message}");
            ExitCode::from(code)
        }
    }
}

/// A failed run: its exit code and the complete message.
struct Failure {
    code: u8,
    message: String,
}

fn setup(message: impl Into<String>) -> Failure {
    Failure {
        code: EXIT_SETUP,
        message: message.into(),
    }
}

/// Where the agent binary is: `--agent`, `$VMM_REF_AGENT`, or next to `exe`.
fn agent_path(flag: Option<&Path>, env: Option<PathBuf>, exe: Option<PathBuf>) -> Option<PathBuf> {
    flag.map(Path::to_path_buf)
        .or(env)
        .or_else(|| exe.and_then(|e| e.parent().map(|d| d.join(AGENT_NAME))))
}

/// Splits `SRC:DST` at the last colon (host paths may contain colons; guest paths are ours).
fn parse_add(spec: &str) -> Result<(PathBuf, String), String> {
    match spec.rsplit_once(':') {
        Some((src, dst)) if !src.is_empty() && dst.starts_with('/') => {
            Ok((PathBuf::from(src), dst.to_owned()))
        }
        _ => Err(format!(
            "--initramfs-add {spec:?}: expected SRC:DST with an absolute guest path, e.g. /usr/bin/busybox:/bin/busybox"
        )),
    }
}

/// Builds the initramfs: `/dev/console`, the agent as `/init`, and the user's additions.
fn build_initramfs(agent: &Path, adds: &[String]) -> Result<Vec<u8>, Failure> {
    let agent_bytes = std::fs::read(agent).map_err(|e| {
        setup(format!(
            "cannot read the guest agent {}: {e}; pass --agent PATH or set {AGENT_ENV}",
            agent.display()
        ))
    })?;
    let mut ir = Initramfs::new();
    ir.console()
        .and_then(|ir| ir.file("/init", 0o755, agent_bytes))
        .map_err(|e| setup(format!("initramfs: {e}")))?;
    for spec in adds {
        let (src, dst) = parse_add(spec).map_err(setup)?;
        ir.host_path(&src, &dst)
            .map_err(|e| setup(format!("initramfs: adding {}: {e}", src.display())))?;
    }
    Ok(ir.build())
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn boot(args: &Args) -> Result<u8, Failure> {
    if let Err(problem) = host_check::check_host() {
        return Err(setup(problem.to_string()));
    }
    let vcpus = VcpuCount::new(args.vcpus).ok_or_else(|| setup("--vcpus must be 1 to 254"))?;
    let agent = agent_path(
        args.agent.as_deref(),
        std::env::var_os(AGENT_ENV).map(PathBuf::from),
        std::env::current_exe().ok(),
    )
    .ok_or_else(|| {
        setup(format!(
            "cannot locate the guest agent; pass --agent PATH or set {AGENT_ENV}"
        ))
    })?;
    let initramfs = build_initramfs(&agent, &args.initramfs_add)?;
    let console_log = args.console_log.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("vmm-ref-console-{}.log", std::process::id()))
    });
    let config = VmConfig {
        kernel: args.kernel.clone(),
        initramfs: Some(InitrdSource::Bytes(initramfs)),
        cmdline: args.cmdline.clone(),
        memory: MemMib::new(args.memory),
        vcpus,
        console: ConsoleConfig {
            log: Some(console_log.clone()),
            terminal: args.console,
        },
    };
    let vm = Vm::try_from(config).map_err(|e| setup(e.to_string()))?;
    let mut vm = vm
        .start()
        .map_err(|e| setup(format!("cannot start the VM: {e}")))?;
    let timeout = Duration::from_secs(args.timeout);
    let outcome = drive(&mut vm, &args.command, Instant::now() + timeout, timeout);
    if args.timings {
        let t = &outcome.timings;
        let show = |name: &str, at: Option<Duration>| {
            if let Some(at) = at {
                eprintln!("vmm-ref boot: timing: {name} {} ms", ms(at));
            }
        };
        show(
            "vCPUs started",
            Some(vm.started_at().saturating_duration_since(process_start())),
        );
        show("agent start (port 0x80 = 0x41)", t.agent_start);
        show("agent hello", t.hello);
        show("command done", t.command_done);
        show("guest ended", t.ended);
        if let Some(m) = vm.memory_usage() {
            eprintln!(
                "vmm-ref boot: memory: peak RSS {} KiB, guest memory resident {} KiB, peak minus guest {} KiB, RSS at exit minus guest {} KiB",
                m.peak_rss_kib,
                m.guest_kib,
                m.peak_overhead_kib(),
                m.overhead_kib()
            );
        }
    }
    let result = report(outcome, &vm, &console_log, args.console);
    // A console log we chose ourselves is only worth keeping when something went wrong.
    if args.console_log.is_none() && result.is_ok() {
        let _ = std::fs::remove_file(&console_log);
    }
    result
}

/// When things happened, since the process started.
#[derive(Debug, Default)]
struct Timings {
    agent_start: Option<Duration>,
    hello: Option<Duration>,
    command_done: Option<Duration>,
    ended: Option<Duration>,
}

/// What came of a run.
#[derive(Debug)]
struct Outcome {
    exit: GuestExit,
    /// The command's exit code, once it ran.
    command: Option<i32>,
    /// Why the agent could not run it.
    spawn_error: Option<(ErrorKind, String)>,
    /// A protocol or agent failure, ending the run.
    agent_failure: Option<String>,
    /// The agent said hello.
    hello: bool,
    timings: Timings,
}

/// Where the conversation with the agent is.
enum Phase {
    AwaitingHello,
    Running(RequestId),
    PoweringOff(RequestId),
}

fn since_start() -> Duration {
    process_start().elapsed()
}

/// Sends a request through the client to the agent channel.
fn send(vm: &mut RunningVm, client: &mut Client, req: Request) -> Result<RequestId, String> {
    let (id, bytes) = client
        .send(req)
        .map_err(|e| format!("cannot encode a request: {e}"))?;
    vm.send_to_agent(&bytes);
    Ok(id)
}

/// Drives the VM and the agent conversation until the guest ends.
fn drive(vm: &mut RunningVm, command: &[String], deadline: Instant, timeout: Duration) -> Outcome {
    let mut client = Client::new();
    let mut phase = Phase::AwaitingHello;
    let mut out = Outcome {
        exit: GuestExit::HostStopped,
        command: None,
        spawn_error: None,
        agent_failure: None,
        hello: false,
        timings: Timings::default(),
    };
    let power_off = |vm: &mut RunningVm, client: &mut Client| -> Result<Phase, String> {
        let id = send(vm, client, Request::Shutdown)?;
        vm.expect_shutdown();
        Ok(Phase::PoweringOff(id))
    };
    loop {
        match vm.next_event(Some(deadline)) {
            VmEvent::Ended(exit) => {
                out.exit = exit;
                out.timings.ended = Some(since_start());
                return out;
            }
            VmEvent::Deadline => {
                out.exit = vm.stop(HostStop::Timeout { after: timeout });
                out.timings.ended = Some(since_start());
                return out;
            }
            VmEvent::DebugPort {
                code: 0x41,
                since_process_start,
                ..
            } if out.timings.agent_start.is_none() => {
                out.timings.agent_start = Some(since_process_start);
            }
            VmEvent::DebugPort { .. } => {}
            VmEvent::AgentData(bytes) => {
                client.handle_bytes(&bytes);
                while let Some(ev) = client.poll_event() {
                    let step = match (&phase, ev) {
                        (Phase::AwaitingHello, ClientEvent::Ready { .. }) => {
                            out.hello = true;
                            out.timings.hello = Some(since_start());
                            if command.is_empty() {
                                power_off(vm, &mut client)
                            } else {
                                send(
                                    vm,
                                    &mut client,
                                    Request::Run {
                                        spec: ProcessSpec::new(command.iter().cloned()),
                                    },
                                )
                                .map(Phase::Running)
                            }
                        }
                        (Phase::Running(want), ClientEvent::Reply { id, result })
                            if *want == id =>
                        {
                            out.timings.command_done = Some(since_start());
                            match result {
                                Ok(Response::Output {
                                    status,
                                    stdout,
                                    stderr,
                                }) => {
                                    use std::io::Write;
                                    let _ = std::io::stdout().write_all(stdout.as_slice());
                                    let _ = std::io::stdout().flush();
                                    let _ = std::io::stderr().write_all(stderr.as_slice());
                                    out.command = Some(status.code());
                                }
                                Ok(other) => {
                                    out.agent_failure =
                                        Some(format!("unexpected reply to the command: {other:?}"));
                                }
                                Err(e) => out.spawn_error = Some((e.kind, e.message)),
                            }
                            power_off(vm, &mut client)
                        }
                        (Phase::PoweringOff(want), ClientEvent::Reply { id, .. })
                            if *want == id =>
                        {
                            Ok(Phase::PoweringOff(id))
                        }
                        (_, ClientEvent::Fatal { message }) => {
                            Err(format!("the agent failed: {message}"))
                        }
                        (_, ClientEvent::ProtocolError(e)) => {
                            Err(format!("the agent broke the protocol: {e}"))
                        }
                        (_, other) => Err(format!("unexpected message from the agent: {other:?}")),
                    };
                    match step {
                        Ok(next) => phase = next,
                        Err(message) => {
                            out.agent_failure.get_or_insert(message);
                            out.exit = vm.stop(HostStop::Abandoned);
                            out.timings.ended = Some(since_start());
                            return out;
                        }
                    }
                }
            }
        }
    }
}

/// Turns the outcome into the exit code and messages.
fn report(
    out: Outcome,
    vm: &RunningVm,
    console_log: &Path,
    console_shown: bool,
) -> Result<u8, Failure> {
    let tail = || {
        if console_shown {
            return String::new();
        }
        let text = vm.console_tail();
        let lines: Vec<&str> = text.lines().collect();
        let start = lines.len().saturating_sub(20);
        if lines.is_empty() {
            "\n(the console was empty)".to_owned()
        } else {
            format!("\nlast console lines:\n  {}", lines[start..].join("\n  "))
        }
    };
    let log = format!("console log: {}", console_log.display());
    if let Some(message) = out.agent_failure {
        return Err(Failure {
            code: EXIT_GUEST,
            message: format!("{message}; {}; {log}{}", out.exit, tail()),
        });
    }
    if let Some((kind, message)) = out.spawn_error {
        return Err(Failure {
            code: EXIT_SPAWN,
            message: format!("the agent could not run the command ({kind:?}): {message}"),
        });
    }
    match (out.command, &out.exit) {
        (Some(code), exit) => {
            if !exit.is_orderly() {
                eprintln!("vmm-ref boot: warning: after the command, {exit}");
            }
            Ok(u8::try_from(code.clamp(0, 255)).unwrap_or(u8::MAX))
        }
        (None, GuestExit::Shutdown) if out.hello => Ok(0),
        (None, exit) => {
            let stage = if out.hello {
                "before the command finished"
            } else {
                "before the agent said hello"
            };
            Err(Failure {
                code: EXIT_GUEST,
                message: format!("{exit} {stage}; {log}{}", tail()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_flag_wins_over_env_and_exe() {
        let got = agent_path(
            Some(Path::new("/a")),
            Some("/b".into()),
            Some("/usr/bin/vmm-ref".into()),
        );
        assert_eq!(got, Some(PathBuf::from("/a")));
        assert_eq!(
            agent_path(None, Some("/b".into()), Some("/x/vmm-ref".into())),
            Some(PathBuf::from("/b"))
        );
        assert_eq!(
            agent_path(None, None, Some("/x/vmm-ref".into())),
            Some(PathBuf::from("/x/vmm-ref-agent"))
        );
    }

    #[test]
    fn initramfs_add_splits_at_the_last_colon() {
        assert_eq!(
            parse_add("/host/a:b:/bin/x"),
            Ok((PathBuf::from("/host/a:b"), "/bin/x".to_owned()))
        );
        assert!(parse_add("/host/a").is_err());
        assert!(parse_add("/host/a:relative").is_err());
        assert!(parse_add(":/x").is_err());
    }

    #[test]
    fn args_parse_with_defaults_and_a_command() {
        let a = Args::try_parse_from(["boot", "--kernel", "k", "--", "uname", "-a"]).unwrap();
        assert_eq!(a.memory, 128);
        assert_eq!(a.vcpus, 1);
        assert_eq!(a.cmdline, DEFAULT_CMDLINE);
        assert_eq!(a.command, ["uname", "-a"]);
        assert!(Args::try_parse_from(["boot", "--kernel", "k", "--vcpus", "0"]).is_err());
    }
}
