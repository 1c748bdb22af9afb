//! `vmm-ref run`: run a pod to its end and exit with its outcome.
//!
//! The file goes through `podspec::parse` (format detection), `podspec::validate`,
//! `convert::to_domain` and the domain model's own validation; every image is looked up in the
//! store before anything starts; then the supervisor drives a runtime (`process`, or `kvm`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use podspec::model::{Image, Pod};
use restart::RestartScope;
use serde_json::json;
use vmm_ref::image::{Reference, Store};
use vmm_ref::runtime::kvm::{self, KvmConfig, KvmRuntime};
use vmm_ref::runtime::process::ProcessRuntime;
use vmm_ref::runtime::{self, ContainerPlan, PodPlan, Reporter, Stream};
use vmm_ref::supervisor::{self, Event, Millis, Options, Supervisor};

use super::{input, shorthand};

/// Exit code for an invalid pod, a missing image or kernel, or a runtime failure.
const EXIT_INVALID: u8 = 1;
/// Exit code for an unreadable input.
const EXIT_UNREADABLE: u8 = 2;
/// Exit code when `--timeout` stopped the pod (as timeout(1)).
const EXIT_TIMEOUT: u8 = 124;

/// Run a pod: its init containers, then its containers, with probes, hooks and restarts.
#[derive(Debug, Parser)]
#[command(after_help = "\
Examples:
  vmm-ref run --runtime process examples/k8s-v1beta1-restart-succeeds.json
  vmm-ref run -o json --restart-scope pod pod.yaml
  cat pod.json | vmm-ref run --runtime process -
  vmm-ref run --image busybox -- sh -c 'echo hello; exit 17'    (exits 17)
  vmm-ref run --image busybox -t --name shell -e GREETING=hi -- sh -c 'echo $GREETING'

Every format `vmm-ref validate` reads is accepted (Hyper JSON/YAML, Kubernetes v1 and v1beta1,
pod-controller); the format is detected. Images come from the local store (`vmm-ref image`).
Without a file, --image IMAGE [-- COMMAND [ARG...]] runs a one-container pod as Hyper's
`hyper run IMAGE [COMMAND]` did: named after the image, restart policy never, 1 vCPU and 128 MiB
unless --cpu/--memory say otherwise; it is checked like a pod file.

Prints one line per change (container started, exited with code, probe failed, hook ran,
restarting after backoff, phase changed), each container's output prefixed by its name, and a
summary; `-o json` prints one JSON object per line instead (events carry `timeMs`, since the
pod's supervision began, and `processMs`, since this process started).

Runtimes: `kvm` boots one KVM guest per pod (the pod's vCPUs and memory, plus room for the
initramfs that carries the agent and each container's root filesystem) and runs the containers
through the guest agent; `process` runs them as host processes in their own namespaces (root
needed). Without --runtime: kvm when this host's KVM can boot Linux, else process (stderr says
which and why). On a host whose /dev/kvm is kvm_pvm, `cargo xtask run FILE` runs the kvm
runtime inside the emulated-SVM rig. The kvm runtime's agent is $VMM_REF_AGENT, else
`vmm-ref-agent` next to this executable.

Exit codes: 0 the pod succeeded; otherwise the failing container's exit code (1 if none);
130 when stopped by Ctrl-C; 124 when --timeout stopped it or the pod's activeDeadlineSeconds
ran out (it fails with reason DeadlineExceeded); 1 for an invalid pod, a missing image
or kernel, an unusable host, or a pod VM that died; 2 when the file cannot be read.")]
pub(crate) struct Args {
    /// The pod file; `-` reads standard input.
    #[arg(value_name = "FILE|-")]
    file: Option<PathBuf>,
    /// Hyper's `-y` (YAML): accepted; the format is detected either way.
    #[arg(short = 'y', hide = true)]
    yaml: bool,
    /// Hyper's `-k` (Kubernetes): accepted; the format is detected either way.
    #[arg(short = 'k', hide = true)]
    kubernetes: bool,
    /// The guest kernel (kvm runtime); else $VMM_REF_KERNEL, else the one `cargo xtask`
    /// provisions.
    #[arg(long, value_name = "PATH")]
    kernel: Option<PathBuf>,
    /// Where the containers run (default: kvm when this host's KVM can boot Linux, else
    /// process).
    #[arg(long, value_enum)]
    runtime: Option<RuntimeKind>,
    /// Restart containers one by one (the kubelet's rule) or re-create the whole pod (Hyper's).
    #[arg(long, value_enum, default_value_t = Scope::Container)]
    restart_scope: Scope,
    /// Services the pod sees (a Kubernetes ServiceList or an array of services, JSON or YAML).
    #[arg(long, value_name = "FILE")]
    services: Option<PathBuf>,
    /// Stop the pod after this long (`30s`, `5m`, `1h`, or plain seconds).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Output::Text)]
    output: Output,
    /// Also show the guest console on standard output (kvm runtime).
    #[arg(long)]
    console: bool,
    /// A one-container pod from an image and a command instead of a file.
    #[command(flatten)]
    shorthand: shorthand::Shorthand,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum RuntimeKind {
    /// A KVM guest per pod, containers run by the guest agent.
    Kvm,
    /// Host processes in their own namespaces (needs root).
    Process,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Scope {
    /// Per container, with CrashLoopBackOff.
    Container,
    /// The whole pod, when every container has finished.
    Pod,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Output {
    /// Lines for people.
    Text,
    /// One JSON object per line.
    Json,
}

/// `30s`, `5m`, `1h`, `250ms`, `2` (seconds).
fn parse_duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((s, "s"), |i| (&s[..i], &s[i..]));
    let n: f64 = num.parse().map_err(|_| format!("bad duration {s:?}"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("bad duration {s:?}: use ms, s, m or h")),
    };
    Duration::try_from_secs_f64(secs).map_err(|e| format!("bad duration {s:?}: {e}"))
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

fn install_signal_handlers() {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // Safe because the handler only stores to an atomic (async-signal-safe).
        unsafe {
            libc::signal(sig, on_signal as *const () as libc::sighandler_t);
        }
    }
}

fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("vmm-ref run: {message}");
    ExitCode::from(code)
}

/// The message for a pod that fails validation, one error per line; for a pod built from
/// `--image`, a line also names the flag that set the field.
fn invalid(name: &str, errors: &[podspec::FieldError], from_flags: bool) -> (u8, String) {
    let list: Vec<String> = errors
        .iter()
        .map(|e| match shorthand::flag_for(&e.field.to_string()) {
            Some(flag) if from_flags => format!("  {e} (set by {flag})"),
            _ => format!("  {e}"),
        })
        .collect();
    (
        EXIT_INVALID,
        format!("{name} is not a valid pod:\n{}", list.join("\n")),
    )
}

/// Reads, converts and validates the pod file; the error is a complete message.
fn load(args: &Args) -> Result<Pod, (u8, String)> {
    let _ = (args.yaml, args.kubernetes);
    let (name, document) = match (&args.file, &args.shorthand.image) {
        (Some(file), _) => {
            let given = args.shorthand.given();
            if !given.is_empty() {
                return Err((
                    EXIT_UNREADABLE,
                    format!(
                        "{}: these describe a pod without a file; use them with --image IMAGE instead of {}, or write them in the pod file",
                        given.join(", "),
                        file.display()
                    ),
                ));
            }
            let input = input::read(file).map_err(|e| (EXIT_UNREADABLE, e))?;
            let parsed = podspec::parse(&input.text, None).map_err(|e| {
                let drawn = super::validate::draw(&input.name, &input.text, &e);
                (
                    EXIT_INVALID,
                    drawn.unwrap_or_else(|| format!("{}: {e}", input.name)),
                )
            })?;
            for w in &parsed.warnings {
                eprintln!("vmm-ref run: {}: warning: {w}", input.name);
            }
            (input.name, parsed.document)
        }
        (None, Some(image)) => args
            .shorthand
            .document(image)
            .map_err(|e| (EXIT_INVALID, e))?,
        (None, None) => {
            return Err((
                EXIT_UNREADABLE,
                "no pod to run: give a pod file (or - for standard input), or --image IMAGE [-- COMMAND] (see --help)".to_owned(),
            ));
        }
    };
    let errors = podspec::validate(&document);
    if !errors.is_empty() {
        return Err(invalid(&name, &errors, args.file.is_none()));
    }
    let converted = convert::to_domain(&document, &convert::Options::default())
        .map_err(|e| (EXIT_INVALID, format!("{name}: {e}")))?;
    let pod = converted.value;
    let errors = pod.validate();
    if !errors.is_empty() {
        return Err(invalid(&name, &errors, args.file.is_none()));
    }
    Ok(pod)
}

/// Resolves images, command lines and environments.
fn plan(pod: &Pod, store: &Store, services: &[convert::Service]) -> Result<PodPlan, String> {
    let mut containers = Vec::new();
    for (id, c) in supervisor::plan::containers(pod) {
        let (rootfs, config) = match &c.image {
            Image::Reference(r) => {
                let reference = Reference::parse(r.as_str())
                    .map_err(|e| format!("container {}: {e}", c.name))?;
                let image = store
                    .get(&reference)
                    .map_err(|e| format!("container {}: {e}", c.name))?;
                let rootfs = image.rootfs();
                (Some(rootfs), image.info.config)
            }
            Image::RootFs { path } => (Some(PathBuf::from(path)), Default::default()),
            _ => (None, Default::default()),
        };
        let image_cmd = convert::ImageConfig {
            entrypoint: config.entrypoint.clone(),
            cmd: config.cmd.clone(),
        };
        let argv = convert::command_line(c, &image_cmd);
        let env =
            convert::environment(pod, c.name.as_str(), services).map_err(|e| e.to_string())?;
        let mut vars: Vec<(String, String)> = config
            .env
            .iter()
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        for e in env.vars {
            match vars.iter_mut().find(|(k, _)| *k == e.name) {
                Some(slot) => slot.1 = e.value,
                None => vars.push((e.name, e.value)),
            }
        }
        let mut plan = ContainerPlan::new(id, c.name.as_str(), argv);
        plan.rootfs = rootfs;
        plan.env = vars;
        plan.working_dir = c.working_dir.clone().or(config.working_dir);
        plan.tty = c.tty;
        plan.ports = c
            .ports
            .iter()
            .filter_map(|p| {
                p.name
                    .as_ref()
                    .map(|n| (n.to_string(), p.container_port.get()))
            })
            .collect();
        containers.push(plan);
    }
    Ok(PodPlan {
        name: pod.name.as_str().to_owned(),
        hostname: convert::hostname(pod),
        containers,
    })
}

/// The guest kernel: `--kernel`, else `$VMM_REF_KERNEL`, else the cloud kernel `cargo xtask`
/// provisions under `.work/rig/kernels/` of the workspace this binary was built from.
fn find_kernel(given: Option<&std::path::Path>) -> Result<PathBuf, String> {
    if let Some(k) = given {
        return if k.is_file() {
            Ok(k.to_path_buf())
        } else {
            Err(format!("--kernel {}: no such file", k.display()))
        };
    }
    if let Some(k) = std::env::var_os("VMM_REF_KERNEL").filter(|k| !k.is_empty()) {
        let k = PathBuf::from(k);
        return if k.is_file() {
            Ok(k)
        } else {
            Err(format!("VMM_REF_KERNEL={}: no such file", k.display()))
        };
    }
    let kernels = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.work/rig/kernels");
    let found = std::fs::read_dir(&kernels).ok().and_then(|d| {
        d.flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("cloud-amd64"))
            .find_map(|e| {
                std::fs::read_dir(e.path().join("boot"))
                    .ok()?
                    .flatten()
                    .find_map(|f| {
                        f.file_name()
                            .to_string_lossy()
                            .starts_with("vmlinuz-")
                            .then(|| f.path())
                    })
            })
    });
    found.ok_or_else(|| {
        "no guest kernel: give --kernel PATH or set VMM_REF_KERNEL to a Linux bzImage (Debian's linux-image-cloud-amd64 works: `apt-get download` it and `dpkg -x`), or run `cargo xtask rig -- true` once, which provisions one".to_owned()
    })
}

/// The guest kernel's modules for the agent to load: every `*.ko` in a `modules` directory next
/// to the kernel (the rig puts the cloud kernel's `overlay.ko` there). With `overlay.ko`,
/// containers' roots are overlays over their images' roots (`KvmConfig::modules`).
fn guest_modules(kernel: &std::path::Path) -> Vec<PathBuf> {
    let dir = kernel
        .parent()
        .unwrap_or_else(|| std::path::Path::new("."))
        .join("modules");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ko"))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Prints events and output.
struct Printer {
    json: bool,
    started: Instant,
}

impl Printer {
    fn line(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }
}

fn event_json(at: Millis, e: &Event) -> serde_json::Value {
    let mut v = match e {
        Event::Started {
            container,
            restarts,
        } => {
            json!({"event": "started", "container": container, "restarts": restarts})
        }
        Event::Exited { container, code } => {
            json!({"event": "exited", "container": container, "code": code})
        }
        Event::ProbeFailed { container, kind } => {
            json!({"event": "probeFailed", "container": container, "probe": kind.as_str()})
        }
        Event::Ready { container, ready } => {
            json!({"event": "ready", "container": container, "ready": ready})
        }
        Event::HookRan {
            container,
            hook,
            reason,
            outcome,
        } => json!({
            "event": "hook", "container": container, "hook": hook.as_str(),
            "reason": reason.map(|r| r.as_str()),
            "outcome": format!("{outcome:?}"),
        }),
        Event::Killing {
            container,
            signal,
            cause,
        } => json!({
            "event": "killing", "container": container, "signal": signal,
            "cause": supervisor::cause_str(*cause),
        }),
        Event::Restarting { container, after } => json!({
            "event": "restarting", "container": container, "afterMs": after.as_millis(),
        }),
        Event::Recreating { after } => json!({"event": "recreating", "afterMs": after.as_millis()}),
        Event::DeadlineExceeded { after } => json!({
            "event": "deadlineExceeded", "reason": supervisor::DEADLINE_EXCEEDED_REASON,
            "afterMs": after.as_millis(),
        }),
        Event::PhaseChanged { phase } => json!({"event": "phase", "phase": phase.as_str()}),
        Event::HealthChanged { healthy } => json!({"event": "health", "healthy": healthy}),
        Event::Finished(o) => json!({
            "event": "finished", "phase": o.phase().as_str(), "exitCode": o.exit_code(),
            "failedContainer": o.failed.as_ref().map(|f| f.0.clone()),
            "interrupted": o.interrupted,
            "reason": o.deadline_exceeded.then_some(supervisor::DEADLINE_EXCEEDED_REASON),
        }),
    };
    v["timeMs"] = json!(at.0);
    v
}

impl Reporter for Printer {
    fn event(&mut self, at: Millis, event: &Event) {
        if self.json {
            let mut v = event_json(at, event);
            // When it was reported, in ms since this process started (for boot-to-container
            // measurements such as `cargo xtask bench-boot`).
            v["processMs"] = json!(vmm_ref::vmm::process_start().elapsed().as_millis());
            self.line(&v.to_string());
        } else {
            #[allow(clippy::cast_precision_loss)]
            let secs = at.0 as f64 / 1000.0;
            self.line(&format!("[{secs:>7.3}s] {event}"));
        }
    }

    fn output(&mut self, container: &str, stream: Stream, line: &[u8]) {
        let text = String::from_utf8_lossy(line);
        if self.json {
            self.line(
                &json!({
                    "event": "output", "container": container, "stream": stream.as_str(),
                    "line": text, "timeMs": self.started.elapsed().as_millis(),
                    "processMs": vmm_ref::vmm::process_start().elapsed().as_millis(),
                })
                .to_string(),
            );
        } else {
            self.line(&format!("{container} | {text}"));
        }
    }
}

/// Runs `vmm-ref run`.
pub(crate) fn run(args: Args) -> ExitCode {
    let _ = vmm_ref::vmm::process_start();
    let pod = match load(&args) {
        Ok(p) => p,
        Err((code, msg)) => return fail(code, msg),
    };
    let services = match &args.services {
        None => Vec::new(),
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    return fail(
                        EXIT_UNREADABLE,
                        format!("cannot read {}: {e}", path.display()),
                    );
                }
            };
            match convert::parse_services(&text) {
                Ok(s) => s,
                Err(e) => return fail(EXIT_INVALID, format!("{}: {e}", path.display())),
            }
        }
    };
    let store = Store::default_location();
    let plan = match plan(&pod, &store, &services) {
        Ok(p) => p,
        Err(msg) => return fail(EXIT_INVALID, msg),
    };
    let kind = match args.runtime {
        Some(k) => k,
        None => match vmm_ref::host_check::check_host() {
            Ok(()) => {
                eprintln!("vmm-ref run: runtime kvm (this host's KVM can boot Linux)");
                RuntimeKind::Kvm
            }
            Err(problem) => {
                eprintln!(
                    "vmm-ref run: runtime process (host processes), because {problem}; `cargo xtask run FILE` runs the kvm runtime in the emulated-SVM rig"
                );
                RuntimeKind::Process
            }
        },
    };
    let kvm = if kind == RuntimeKind::Kvm {
        let kernel = match find_kernel(args.kernel.as_deref()) {
            Ok(k) => k,
            Err(msg) => return fail(EXIT_INVALID, msg),
        };
        if let Err(problem) = vmm_ref::host_check::check_host() {
            return fail(
                EXIT_INVALID,
                format!(
                    "the kvm runtime cannot run here: {problem}; use `--runtime process`, or `cargo xtask run FILE` (the emulated-SVM rig)"
                ),
            );
        }
        let agent = kvm::agent_path(
            std::env::var_os(kvm::AGENT_ENV)
                .filter(|a| !a.is_empty())
                .map(PathBuf::from),
            std::env::current_exe().ok(),
        );
        let Some(agent) = agent.filter(|a| a.is_file()) else {
            return fail(
                EXIT_INVALID,
                format!(
                    "cannot find the guest agent: set {} to a static vmm-ref-agent, or put it next to vmm-ref",
                    kvm::AGENT_ENV
                ),
            );
        };
        let modules = guest_modules(&kernel);
        let mut config = KvmConfig::new(kernel, agent);
        config.modules = modules;
        config.vcpus = u8::try_from(pod.resources.vcpus.get()).unwrap_or(u8::MAX);
        config.pod_memory_mib = pod.resources.memory.get();
        config.console.terminal = args.console;
        Some(config)
    } else {
        None
    };
    let scope = match args.restart_scope {
        Scope::Container => RestartScope::Container,
        Scope::Pod => RestartScope::Pod,
    };
    let sup = Supervisor::new(&pod, Options::default().with_scope(scope), Millis(0));
    let run_dir =
        store
            .root()
            .join("run")
            .join(format!("{}-{}", pod.name.as_str(), std::process::id()));
    let mut printer = Printer {
        json: args.output == Output::Json,
        started: Instant::now(),
    };
    install_signal_handlers();
    let timed_out = std::sync::Arc::new(AtomicBool::new(false));
    if let Some(t) = args.timeout {
        let flag = std::sync::Arc::clone(&timed_out);
        std::thread::spawn(move || {
            std::thread::sleep(t);
            flag.store(true, Ordering::SeqCst);
            INTERRUPTED.store(true, Ordering::SeqCst);
        });
    }
    let result = match kvm {
        Some(config) => {
            let mut rt = KvmRuntime::new(config);
            let r = runtime::drive(&pod, &plan, sup, &mut rt, &mut printer, &INTERRUPTED);
            for note in rt.boot_retries() {
                eprintln!("vmm-ref run: {note}; booted the pod VM again");
            }
            for t in rt.boot_times() {
                eprintln!(
                    "vmm-ref run: pod VM up (agent hello) {:.0} ms after its creation began",
                    t.as_secs_f64() * 1000.0
                );
            }
            r
        }
        None => {
            let mut rt = ProcessRuntime::new(run_dir);
            runtime::drive(&pod, &plan, sup, &mut rt, &mut printer, &INTERRUPTED)
        }
    };
    let outcome = match result {
        Ok(o) => o,
        Err(e) => return fail(EXIT_INVALID, format!("pod {}: {e}", pod.name.as_str())),
    };
    let code = if timed_out.load(Ordering::SeqCst) {
        i32::from(EXIT_TIMEOUT)
    } else {
        outcome.exit_code()
    };
    if args.output == Output::Text {
        let mut summary = format!("pod {}: {}", pod.name.as_str(), outcome.phase().as_str());
        if let Some((name, c)) = &outcome.failed {
            summary.push_str(&format!(" (container {name} exited with code {c})"));
        }
        if timed_out.load(Ordering::SeqCst) {
            summary.push_str(" (stopped by --timeout)");
        } else if outcome.interrupted {
            summary.push_str(" (stopped by Ctrl-C)");
        } else if outcome.deadline_exceeded {
            summary.push_str(&format!(
                " ({}: activeDeadlineSeconds ran out)",
                supervisor::DEADLINE_EXCEEDED_REASON
            ));
        }
        summary.push_str(&format!("; exit code {code}"));
        printer.line(&summary);
    }
    ExitCode::from(u8::try_from(code.clamp(0, 255)).unwrap_or(1))
}
