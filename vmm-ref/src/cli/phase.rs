//! `vmm-ref phase`: the phase of a Kubernetes v1 Pod from its status, as the kubelet computes it.
//!
//! The document is read with `podspec::parse` (Kubernetes v1 wire types) and mapped to the
//! `phase` crate's own input types here; the `phase` crate does the rest.
//!
//! Exit codes: 0 printed; 1 the document is invalid (the message names the field); 2 the file
//! could not be read or the command line is wrong.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use phase::{
    ContainerSpec, ContainerState, ContainerStatus, ExitCodeOperator, ExitCodes, LifecycleState,
    Millis, PhaseFacts, PodConditions, PodPhase, PodSpec, RestartPolicy, RestartRule,
    RestartRuleAction, Statuses, TerminatedReason, Termination, WaitingReason,
};
use podspec::wire::{Document, k8s};
use serde_json::{Value, json};

use super::input;

/// Exit code for an invalid document.
const EXIT_INVALID: u8 = 1;
/// Exit code for an unreadable input.
const EXIT_UNREADABLE: u8 = 2;

/// The annotation naming a pod's config source; anything but `api` is a static pod.
const CONFIG_SOURCE: &str = "kubernetes.io/config.source";

/// Print the phase of a Kubernetes v1 Pod from its status, by the kubelet's rules.
#[derive(Debug, Parser)]
#[command(after_help = "\
Example:
  kubectl get pod web -o yaml | vmm-ref phase - --initialized -o json
  {\"phase\": \"Running\", \"hyperStatus\": \"running\", \"conditions\": {...}}

FILE is a Kubernetes v1 Pod with its status (status.containerStatuses and
status.initContainerStatuses), JSON or YAML. The phase follows the kubelet's getPhase as of
Kubernetes 1.35 (container-level restartPolicy and restartPolicyRules count). A terminal
status.phase in the document (Succeeded or Failed) is kept, as the kubelet keeps it.

Two facts the kubelet uses are not in a status document: --terminal (the kubelet has finished
the pod, so nothing will restart) and --initialized (a regular container of the current sandbox
has started, so a restarting sidecar does not make the pod Pending again).

Only the containers, their restart policies and rules, the status and the
kubernetes.io/config.source annotation (static pods) are read; other fields are ignored.

hyperStatus is Hyper's word for the pod: `created` when no container has a status yet (no VM),
else pending, running, succeeded or failed. The conditions are Initialized, ContainersReady and
Ready.

Exit codes: 0 printed; 1 the document is invalid (the message names the field); 2 the file
could not be read.")]
pub(crate) struct Args {
    /// The pod file; `-` reads standard input.
    #[arg(value_name = "FILE|-")]
    file: PathBuf,
    /// The kubelet has finished the pod (podIsTerminal): its containers will not restart.
    #[arg(long)]
    terminal: bool,
    /// A regular container of the current sandbox has started (podHasInitialized).
    #[arg(long)]
    initialized: bool,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Output::Text)]
    output: Output,
}

/// How to print the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Output {
    /// The phase alone, on one line.
    Text,
    /// `{"phase", "hyperStatus", "conditions"}`.
    Json,
}

/// A document that parsed but cannot be mapped: the field (wire path) and what is wrong.
#[derive(Debug, PartialEq, Eq)]
struct Invalid {
    field: String,
    message: String,
}

impl Invalid {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// What the `phase` crate needs, mapped from the document.
#[derive(Debug)]
struct Mapped {
    spec: PodSpec,
    regular: Vec<ContainerStatus>,
    init: Vec<ContainerStatus>,
    static_pod: bool,
    api_phase: Option<PodPhase>,
}

/// Runs `vmm-ref phase`.
pub(crate) fn run(args: Args) -> ExitCode {
    let input = match input::read(&args.file) {
        Ok(i) => i,
        Err(message) => {
            eprintln!("vmm-ref phase: {message}");
            return ExitCode::from(EXIT_UNREADABLE);
        }
    };
    let parsed = match podspec::parse(&input.text, Some(podspec::Format::K8s)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("vmm-ref phase: {}: {e}", input.name);
            return ExitCode::from(EXIT_INVALID);
        }
    };
    // Warnings (fields podspec does not model, such as `metadata.uid` or `spec.nodeName` in
    // any document dumped from a cluster) are not printed: this command reads only the
    // containers, their restart policies and the status, and would otherwise drown the answer.
    let Document::K8s(pod) = parsed.document else {
        eprintln!("vmm-ref phase: {}: not a Kubernetes v1 Pod", input.name);
        return ExitCode::from(EXIT_INVALID);
    };
    let mapped = match map(&pod) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("vmm-ref phase: {}: {}: {}", input.name, e.field, e.message);
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let mut facts = PhaseFacts::new();
    if args.terminal {
        facts = facts.terminal();
    }
    if args.initialized {
        facts = facts.initialized();
    }
    if mapped.static_pod {
        facts = facts.static_pod();
    }
    let statuses = Statuses::new(&mapped.regular, &mapped.init);
    let phase = phase::sticky(
        mapped.api_phase,
        phase::aggregate(&mapped.spec, statuses, facts),
    );
    let lifecycle = if statuses.is_empty() {
        LifecycleState::Created
    } else {
        LifecycleState::Running
    };
    let hyper = phase::hyper_status(lifecycle, phase);
    match args.output {
        Output::Text => println!("{phase}"),
        Output::Json => {
            let conditions = phase::conditions(&mapped.spec, statuses, phase);
            let doc = json!({
                "phase": phase.as_str(),
                "hyperStatus": hyper.map(|h| h.as_str()),
                "conditions": conditions_json(&conditions),
            });
            println!("{doc}");
        }
    }
    ExitCode::SUCCESS
}

fn conditions_json(c: &PodConditions) -> Value {
    let one = |c: &phase::Condition| {
        let mut v = json!({ "status": c.status.as_str() });
        if let Some(r) = c.reason {
            v["reason"] = json!(r.as_str());
        }
        v
    };
    json!({
        "Initialized": one(&c.initialized),
        "ContainersReady": one(&c.containers_ready),
        "Ready": one(&c.ready),
    })
}

/// Maps the wire pod to the `phase` crate's inputs.
fn map(pod: &k8s::Pod) -> Result<Mapped, Invalid> {
    if let Some(kind) = pod.kind.as_deref()
        && kind != "Pod"
    {
        return Err(Invalid::new(
            "kind",
            format!("unsupported value {kind:?}: expected \"Pod\""),
        ));
    }
    let Some(spec) = &pod.spec else {
        return Err(Invalid::new(
            "spec",
            "required: the containers are needed to compute a phase",
        ));
    };
    let policy = match spec.restart_policy.as_deref() {
        None => RestartPolicy::Always,
        Some(s) => policy("spec.restartPolicy", s)?,
    };
    let mut out = PodSpec::new(policy);
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        out = out.with_init_container(container(&format!("spec.initContainers[{i}]"), c)?);
    }
    for (i, c) in spec.containers.iter().flatten().enumerate() {
        out = out.with_container(container(&format!("spec.containers[{i}]"), c)?);
    }
    let status = pod.status.clone().unwrap_or_default();
    let statuses = |list: &Option<Vec<k8s::ContainerStatus>>, at: &str| {
        list.iter()
            .flatten()
            .enumerate()
            .map(|(i, s)| container_status(&format!("status.{at}[{i}]"), s))
            .collect::<Result<Vec<_>, _>>()
    };
    let regular = statuses(&status.container_statuses, "containerStatuses")?;
    let init = statuses(&status.init_container_statuses, "initContainerStatuses")?;
    let static_pod = pod
        .metadata
        .as_ref()
        .and_then(|m| m.annotations.as_ref())
        .and_then(|a| a.get(CONFIG_SOURCE))
        .is_some_and(|source| source != "api");
    Ok(Mapped {
        spec: out,
        regular,
        init,
        static_pod,
        api_phase: status.phase.as_deref().and_then(PodPhase::from_wire),
    })
}

fn policy(field: &str, s: &str) -> Result<RestartPolicy, Invalid> {
    RestartPolicy::from_wire(s).ok_or_else(|| {
        Invalid::new(
            field,
            format!(
                "unsupported value {s:?}: supported values: \"Always\", \"OnFailure\", \"Never\""
            ),
        )
    })
}

fn container(at: &str, c: &k8s::Container) -> Result<ContainerSpec, Invalid> {
    let name = c
        .name
        .as_deref()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Invalid::new(format!("{at}.name"), "required"))?;
    let mut out = ContainerSpec::new(name);
    if let Some(p) = c.restart_policy.as_deref() {
        out = out.with_restart_policy(policy(&format!("{at}.restartPolicy"), p)?);
    }
    for (j, rule) in c.restart_policy_rules.iter().flatten().enumerate() {
        let at = format!("{at}.restartPolicyRules[{j}]");
        let action = match rule.action.as_deref() {
            None => return Err(Invalid::new(format!("{at}.action"), "required")),
            Some(a) => RestartRuleAction::from_wire(a).ok_or_else(|| {
                Invalid::new(
                    format!("{at}.action"),
                    format!("unsupported value {a:?}: supported values: \"Restart\""),
                )
            })?,
        };
        let exit_codes = match &rule.exit_codes {
            None => None,
            Some(codes) => {
                let op = match codes.operator.as_deref() {
                    None => {
                        return Err(Invalid::new(format!("{at}.exitCodes.operator"), "required"));
                    }
                    Some(op) => ExitCodeOperator::from_wire(op).ok_or_else(|| {
                        Invalid::new(
                            format!("{at}.exitCodes.operator"),
                            format!(
                                "unsupported value {op:?}: supported values: \"In\", \"NotIn\""
                            ),
                        )
                    })?,
                };
                Some(ExitCodes::new(op, codes.values.iter().flatten().copied()))
            }
        };
        out = out.with_restart_rule(RestartRule::new(action, exit_codes));
    }
    Ok(out)
}

fn container_status(at: &str, s: &k8s::ContainerStatus) -> Result<ContainerStatus, Invalid> {
    let name = s
        .name
        .as_deref()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Invalid::new(format!("{at}.name"), "required"))?;
    let state = match &s.state {
        None => ContainerState::Unset,
        Some(state) => container_state(&format!("{at}.state"), state, s.started == Some(true))?,
    };
    let mut out = ContainerStatus::new(name, state).with_ready(s.ready == Some(true));
    if let Some(last) = s.last_state.as_ref().and_then(|l| l.terminated.as_ref()) {
        out = out.with_last_termination(termination(&format!("{at}.lastState.terminated"), last)?);
    }
    if let Some(n) = s.restart_count {
        let n = u32::try_from(n).map_err(|_| {
            Invalid::new(
                format!("{at}.restartCount"),
                format!("invalid value {n}: must be >= 0"),
            )
        })?;
        out = out.with_restart_count(n);
    }
    Ok(out)
}

fn container_state(
    at: &str,
    s: &k8s::ContainerState,
    started: bool,
) -> Result<ContainerState, Invalid> {
    match (&s.waiting, &s.running, &s.terminated) {
        (None, None, None) => Ok(ContainerState::Unset),
        (Some(w), None, None) => Ok(ContainerState::Waiting {
            reason: w
                .reason
                .as_deref()
                .filter(|r| !r.is_empty())
                .map(WaitingReason::from),
        }),
        (None, Some(r), None) => Ok(ContainerState::Running {
            started_at: time(&format!("{at}.running.startedAt"), r.started_at.as_deref())?,
            started,
        }),
        (None, None, Some(t)) => Ok(ContainerState::Terminated(termination(
            &format!("{at}.terminated"),
            t,
        )?)),
        _ => Err(Invalid::new(
            at,
            "more than one of waiting, running and terminated is set",
        )),
    }
}

fn termination(at: &str, t: &k8s::ContainerStateTerminated) -> Result<Termination, Invalid> {
    // Go decodes a missing exitCode as 0.
    let mut out = Termination::new(
        t.exit_code.unwrap_or(0),
        time(&format!("{at}.finishedAt"), t.finished_at.as_deref())?,
    );
    if let Some(sig) = t.signal.filter(|&s| s != 0) {
        out = out.with_signal(sig);
    }
    if let Some(reason) = t.reason.as_deref().filter(|r| !r.is_empty()) {
        out = out.with_reason(TerminatedReason::from(reason));
    }
    if let Some(started) = t.started_at.as_deref() {
        out = out.with_started_at(time(&format!("{at}.startedAt"), Some(started))?);
    }
    Ok(out)
}

/// An RFC 3339 timestamp as milliseconds since the Unix epoch; a missing one is the epoch
/// itself (times do not change the phase).
fn time(field: &str, s: Option<&str>) -> Result<Millis, Invalid> {
    let Some(s) = s else { return Ok(Millis::ZERO) };
    rfc3339_millis(s)
        .map(Millis)
        .ok_or_else(|| Invalid::new(field, format!("invalid value {s:?}: not an RFC 3339 time")))
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` (times before 1970 are refused).
fn rfc3339_millis(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &s[19..];
    let mut millis = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let ms: String = frac[..digits]
            .chars()
            .chain("000".chars())
            .take(3)
            .collect();
        millis = ms.parse().ok()?;
        rest = &frac[digits..];
    }
    let offset_minutes = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digit = |c: &u8| c.is_ascii_digit().then(|| i64::from(c - b'0'));
            let minutes = (digit(h1)? * 10 + digit(h2)?) * 60 + digit(m1)? * 10 + digit(m2)?;
            if *sign == b'-' { -minutes } else { minutes }
        }
        _ => return None,
    };
    // Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    u64::try_from(secs * 1_000 + millis).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times() {
        assert_eq!(rfc3339_millis("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            rfc3339_millis("2024-01-01T00:00:10Z"),
            Some(1_704_067_210_000)
        );
        assert_eq!(
            rfc3339_millis("2024-01-01T01:00:10.5+01:00"),
            Some(1_704_067_210_500)
        );
        assert_eq!(
            rfc3339_millis("2024-02-29T12:00:00.123456Z"),
            Some(1_709_208_000_123)
        );
        for bad in [
            "",
            "2024-01-01",
            "2024-13-01T00:00:00Z",
            "2024-01-01T00:00:00",
            "1969-12-31T23:59:59Z",
            "2024-01-01T00:00:00.Z",
        ] {
            assert_eq!(rfc3339_millis(bad), None, "{bad}");
        }
    }

    #[test]
    fn two_states_at_once_is_invalid() {
        let state = k8s::ContainerState {
            waiting: Some(k8s::ContainerStateWaiting::default()),
            running: Some(k8s::ContainerStateRunning::default()),
            terminated: None,
        };
        let e = container_state("status.containerStatuses[0].state", &state, false).unwrap_err();
        assert_eq!(e.field, "status.containerStatuses[0].state");
    }
}
