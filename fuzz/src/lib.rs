//! What the fuzz targets run: one function per target, so each target stays a few lines
//! (STYLE.md H18), plus the arbitrary inputs of the state-machine targets.
//!
//! Every check here is a documented rule of the crate under test; a failed check panics, which
//! libFuzzer reports as a crash. A crash found becomes a regression test in that crate's own test
//! suite.
#![forbid(unsafe_code)]

mod convert;
mod supervisor;

pub use convert::convert;
pub use supervisor::{SupContainer, SupOp, SupPod, SupProbe, SupervisorInput, supervisor};

use std::collections::BTreeMap;
use std::time::Duration;

use arbitrary::Arbitrary;
use phase::{
    ContainerId, ContainerSpec, ContainerState, ContainerStatus, ExitCodeOperator, ExitCodes, Gate,
    Millis, PhaseFacts, PhaseTracker, PodPhase, PodSpec, RestartPolicy, RestartRule, Statuses,
    Termination, WaitingReason, aggregate, conditions, decide, sticky,
};
use podspec::{Format, Selector};
use restart::{
    BackoffConfig, Event, Hook, HookOutcome, Hooks, PodConfig, PodOrigin, PodTracker, ProbeKind,
    RestartScope,
};
use vmm_ref_proto::{Client, Decoder, Error as ProtoError, GuestMessage, HEADER_LEN};

// ---------------------------------------------------------------------------------------------
// podspec
// ---------------------------------------------------------------------------------------------

/// The format a parse input asks for: its first byte (0: detect).
fn format_of(b: u8) -> Option<Format> {
    match b % 5 {
        1 => Some(Format::Hyper),
        2 => Some(Format::K8s),
        3 => Some(Format::K8sV1beta1),
        4 => Some(Format::PodController),
        _ => None,
    }
}

/// `parse`: the first byte picks the format (0: detect, 1 Hyper, 2 k8s v1, 3 v1beta1,
/// 4 pod-controller), the rest is the document. Parsing and validating never panic, and every
/// error and warning renders.
pub fn parse(data: &[u8]) {
    let Some((&f, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match podspec::parse(text, format_of(f)) {
        Ok(parsed) => {
            if let Some(want) = format_of(f) {
                assert_eq!(parsed.document.format(), want, "the format asked for");
            }
            for w in &parsed.warnings {
                let _ = w.to_string();
            }
            for e in podspec::validate(&parsed.document) {
                let _ = e.to_string();
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// `roundtrip`: a document that parses serializes to JSON and YAML, and each parses back, as
/// the same format, to an equal document with no warnings.
pub fn roundtrip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = podspec::parse(text, None) else {
        return;
    };
    let format = parsed.document.format();
    let json = podspec::to_json(&parsed.document).expect("a parsed document serializes as JSON");
    let again = podspec::parse(&json, Some(format)).expect("its JSON parses");
    assert_eq!(again.document, parsed.document, "JSON round trip of {json}");
    assert!(again.warnings.is_empty(), "{:?}", again.warnings);
    let yaml = podspec::to_yaml(&parsed.document).expect("a parsed document serializes as YAML");
    let again = podspec::parse(&yaml, Some(format)).expect("its YAML parses");
    assert_eq!(again.document, parsed.document, "YAML round trip of {yaml}");
}

/// `selector`: the first line is a selector, the other lines `key=value` labels. A selector that
/// parses prints as text that parses to an equal selector (printing the same), matching the same
/// labels; an error points inside the text.
pub fn selector(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let sel = lines.next().unwrap_or_default();
    let labels: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    match Selector::parse(sel) {
        Ok(s) => {
            let shown = s.to_string();
            let again = Selector::parse(&shown).expect("a selector's text parses");
            assert_eq!(again, s, "{sel:?} printed as {shown:?}");
            assert_eq!(again.to_string(), shown);
            assert_eq!(again.matches(&labels), s.matches(&labels));
        }
        Err(e) => assert!(e.position() <= sel.len(), "{e:?} in {sel:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// phase
// ---------------------------------------------------------------------------------------------

fn policy(b: u8) -> RestartPolicy {
    RestartPolicy::ALL[usize::from(b % 3)]
}

/// One container of an arbitrary pod: its spec and, maybe, its status.
#[derive(Arbitrary, Debug)]
pub struct PhaseContainer {
    own_policy: Option<u8>,
    rule: Option<(bool, Vec<i8>)>,
    status: Option<PhaseStatus>,
}

/// An arbitrary container status.
#[derive(Arbitrary, Debug)]
pub struct PhaseStatus {
    /// Which container it names: its own (0), another one, or none of them.
    name: u8,
    state: PhaseState,
    last: Option<i16>,
    restarts: u8,
    ready: bool,
}

/// An arbitrary container state.
#[derive(Arbitrary, Debug)]
pub enum PhaseState {
    /// No state set.
    Unset,
    /// Waiting, with one of a few reasons.
    Waiting(Option<u8>),
    /// Running.
    Running(bool),
    /// Terminated with this code.
    Terminated(i16),
}

/// An arbitrary pod and its statuses (`phase` target).
#[derive(Arbitrary, Debug)]
pub struct PhaseInput {
    policy: u8,
    init: Vec<PhaseContainer>,
    regular: Vec<PhaseContainer>,
    terminal: bool,
    initialized: bool,
    static_pod: bool,
    gate_off: bool,
    previous: Option<u8>,
}

fn spec_of(c: &PhaseContainer, name: String) -> ContainerSpec {
    let mut s = ContainerSpec::new(name);
    if let Some(p) = c.own_policy {
        s = s.with_restart_policy(policy(p));
    }
    if let Some((in_, codes)) = &c.rule {
        let op = if *in_ {
            ExitCodeOperator::In
        } else {
            ExitCodeOperator::NotIn
        };
        let codes = codes.iter().map(|&c| i32::from(c));
        s = s.with_restart_rule(RestartRule::restart_on(ExitCodes::new(op, codes)));
    }
    s
}

fn status_of(s: &PhaseStatus, names: &[String], own: usize) -> ContainerStatus {
    let name = match usize::from(s.name) {
        0 => names[own].clone(),
        n if n <= names.len() => names[n - 1].clone(),
        _ => "ghost".to_owned(),
    };
    let reasons = [
        WaitingReason::ContainerCreating,
        WaitingReason::PodInitializing,
        WaitingReason::CrashLoopBackOff,
        WaitingReason::ErrImagePull,
    ];
    let state = match s.state {
        PhaseState::Unset => ContainerState::Unset,
        PhaseState::Waiting(r) => ContainerState::Waiting {
            reason: r.map(|r| reasons[usize::from(r) % reasons.len()].clone()),
        },
        PhaseState::Running(started) => ContainerState::Running {
            started_at: Millis(1),
            started,
        },
        PhaseState::Terminated(code) => ContainerState::terminated(i32::from(code), Millis(2)),
    };
    let mut st = ContainerStatus::new(name, state)
        .with_restart_count(u32::from(s.restarts))
        .with_ready(s.ready);
    if let Some(code) = s.last {
        st = st.with_last_termination(Termination::new(i32::from(code), Millis(0)));
    }
    st
}

/// `phase`: the phase of an arbitrary pod. `aggregate` is `decide`'s phase; it does not depend
/// on the order of statuses with distinct names; a terminal phase stays (sticky); conditions
/// compute without panicking.
pub fn phase(input: &PhaseInput) {
    let names = |prefix: &str, n: usize| (0..n).map(|i| format!("{prefix}{i}")).collect();
    let init_names: Vec<String> = names("init", input.init.len());
    let regular_names: Vec<String> = names("app", input.regular.len());
    let all: Vec<String> = init_names.iter().chain(&regular_names).cloned().collect();
    let mut spec = PodSpec::new(policy(input.policy));
    for (c, n) in input.init.iter().zip(&init_names) {
        spec = spec.with_init_container(spec_of(c, n.clone()));
    }
    for (c, n) in input.regular.iter().zip(&regular_names) {
        spec = spec.with_container(spec_of(c, n.clone()));
    }
    let statuses = |list: &[PhaseContainer], offset: usize| -> Vec<ContainerStatus> {
        let mut seen = std::collections::BTreeSet::new();
        list.iter()
            .enumerate()
            .filter_map(|(i, c)| c.status.as_ref().map(|s| status_of(s, &all, offset + i)))
            .filter(|s| seen.insert(s.name.clone()))
            .collect()
    };
    let init = statuses(&input.init, 0);
    let regular = statuses(&input.regular, init_names.len());
    let mut facts = PhaseFacts::new();
    if input.terminal {
        facts = facts.terminal();
    }
    if input.initialized {
        facts = facts.initialized();
    }
    if input.static_pod {
        facts = facts.static_pod();
    }
    if input.gate_off {
        facts = facts.with_gate(Gate::Disabled);
    }
    let got = aggregate(&spec, Statuses::new(&regular, &init), facts);
    assert_eq!(
        decide(&spec, Statuses::new(&regular, &init), facts).phase,
        got
    );
    let rev = |v: &[ContainerStatus]| v.iter().rev().cloned().collect::<Vec<_>>();
    let reordered = aggregate(&spec, Statuses::new(&rev(&regular), &rev(&init)), facts);
    assert_eq!(reordered, got, "status order changed the phase");
    let _ = conditions(&spec, Statuses::new(&regular, &init), got);
    if let Some(p) = input.previous {
        let previous = PodPhase::ALL[usize::from(p) % 4];
        let mut t = PhaseTracker::from_phase(previous);
        let reported = t.handle_statuses(&spec, Statuses::new(&regular, &init), facts);
        assert_eq!(reported, sticky(Some(previous), got));
        if previous.is_terminal() {
            assert_eq!(reported, previous, "a terminal phase changed");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// restart
// ---------------------------------------------------------------------------------------------

/// One container of an arbitrary tracked pod.
#[derive(Arbitrary, Debug)]
pub struct TrackedContainer {
    own_policy: Option<u8>,
    restart_on: Option<i8>,
    /// Hook timeouts in seconds: preStart, postStart, postRestart, preStop.
    hooks: [Option<u8>; 4],
    probe_grace: Option<u8>,
}

/// The pod an arbitrary run tracks.
#[derive(Arbitrary, Debug)]
pub struct TrackerParams {
    policy: u8,
    pod_scope: bool,
    kubernetes: bool,
    grace_secs: u8,
    backoff_secs: Option<(u8, u16)>,
    init: Vec<TrackedContainer>,
    regular: Vec<TrackedContainer>,
}

/// One step of an arbitrary run: an event for the container at that index (modulo the number
/// of containers plus one, so that unknown containers come up too), or time passing.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum TrackerOp {
    /// The container started.
    Started(u8),
    /// The container exited with one of a few codes (0, 1, 2, 137, 143, 42).
    Exited(u8, u8),
    /// A liveness or startup probe failed.
    ProbeFailed(u8, bool),
    /// The active hook finished (succeeded, failed, timed out).
    ActiveHookDone(u8),
    /// Some hook of some container finished (usually an error).
    HookFinished(u8, u8, u8),
    /// A dependency is gone.
    DependencyLost(u8),
    /// Ctrl-C, with an optional grace period in seconds.
    Stop(Option<u8>),
    /// Delete, with an optional grace period in seconds.
    Delete(Option<u8>),
    /// A tick at the current time.
    Tick,
    /// Time passes (milliseconds).
    Advance(u32),
    /// Time jumps to the tracker's next deadline.
    ToDeadline,
    /// The tracker is replaced by one restored from its snapshot (a daemon restart by SIGHUP).
    Snapshot,
    /// Time goes backwards (the tracker must ignore it).
    Backwards(u16),
}

/// The `restart_tracker` input: a pod and the operations replayed against its tracker.
#[derive(Arbitrary, Debug)]
pub struct TrackerInput {
    params: TrackerParams,
    ops: Vec<TrackerOp>,
}

fn secs(s: u8) -> Duration {
    Duration::from_secs(u64::from(s % 40))
}

fn tracked_spec(c: &TrackedContainer, name: String) -> ContainerSpec {
    let mut s = ContainerSpec::new(name);
    if let Some(p) = c.own_policy {
        s = s.with_restart_policy(policy(p));
    }
    if let Some(code) = c.restart_on {
        let codes = ExitCodes::new(ExitCodeOperator::In, [i32::from(code)]);
        s = s.with_restart_rule(RestartRule::restart_on(codes));
    }
    s
}

fn tracked_config(p: &TrackerParams) -> PodConfig {
    let init = &p.init[..p.init.len().min(2)];
    let regular = &p.regular[..p.regular.len().min(3)];
    let mut spec = PodSpec::new(policy(p.policy));
    for (i, c) in init.iter().enumerate() {
        spec = spec.with_init_container(tracked_spec(c, format!("init{i}")));
    }
    for (i, c) in regular.iter().enumerate() {
        spec = spec.with_container(tracked_spec(c, format!("app{i}")));
    }
    // No container is added to an empty pod: an empty pod-scope pod with a zero back-off once
    // made `PodTracker::new` loop forever (restart/tests/fuzz_regressions.rs); the tracker now
    // re-creates at most once per call, and the fuzzer keeps checking that.
    let mut config = PodConfig::new(spec)
        .with_grace_period(secs(p.grace_secs))
        .with_scope(if p.pod_scope {
            RestartScope::Pod
        } else {
            RestartScope::Container
        })
        .with_origin(if p.kubernetes {
            PodOrigin::Kubernetes
        } else {
            PodOrigin::Native
        });
    if let Some((initial, max)) = p.backoff_secs {
        let initial = Duration::from_secs(u64::from(initial));
        let max = Duration::from_secs(u64::from(max));
        config = config.with_backoff(BackoffConfig::new(initial, max));
    }
    let ids = init
        .iter()
        .enumerate()
        .map(|(i, c)| (ContainerId::init(i), c))
        .chain(
            regular
                .iter()
                .enumerate()
                .map(|(i, c)| (ContainerId::regular(i), c)),
        );
    for (id, c) in ids {
        let mut hooks = Hooks::none();
        for (hook, t) in Hook::ALL.iter().zip(c.hooks) {
            if let Some(t) = t {
                hooks = hooks.with(*hook, secs(t));
            }
        }
        config = config.with_hooks(id, hooks);
        if let Some(g) = c.probe_grace {
            config = config.with_probe_grace_period(id, secs(g));
        }
    }
    config
}

/// `restart_tracker`: an arbitrary pod's tracker driven by arbitrary events and time. After
/// every step: every action keeps the [`verify::Monitor`]'s rules; a refused event changes
/// nothing; time never goes back; a finished pod stays finished; the snapshot restores.
pub fn tracker(input: &TrackerInput) {
    let config = tracked_config(&input.params);
    let ids: Vec<ContainerId> = config.spec.iter().map(|(id, _, _)| id).collect();
    let pick = |b: u8| {
        ids.get(usize::from(b) % (ids.len() + 1))
            .copied()
            .unwrap_or(ContainerId::regular(9))
    };
    let mut monitor = verify::Monitor::new(&config);
    let mut t = PodTracker::new(config, Millis::ZERO);
    let mut now = Millis::ZERO;
    let drain = |t: &mut PodTracker, monitor: &mut verify::Monitor| {
        while let Some(a) = t.poll_action() {
            if let Err(v) = monitor.action(&a, t.now()) {
                panic!("{v}");
            }
        }
    };
    drain(&mut t, &mut monitor);
    for op in input.ops.iter().take(256) {
        let finished = t.is_finished();
        let before = t.now();
        let event = match *op {
            TrackerOp::Started(c) => Some(Event::Started { container: pick(c) }),
            TrackerOp::Exited(c, k) => Some(Event::Exited {
                container: pick(c),
                code: [0, 1, 2, 137, 143, 42][usize::from(k) % 6],
            }),
            TrackerOp::ProbeFailed(c, live) => Some(Event::ProbeFailed {
                container: pick(c),
                probe: if live {
                    ProbeKind::Liveness
                } else {
                    ProbeKind::Startup
                },
            }),
            TrackerOp::ActiveHookDone(o) => t.active_hook().map(|h| Event::HookFinished {
                container: h.container,
                hook: h.hook,
                outcome: HookOutcome::ALL[usize::from(o) % 3],
            }),
            TrackerOp::HookFinished(c, h, o) => Some(Event::HookFinished {
                container: pick(c),
                hook: Hook::ALL[usize::from(h) % 4],
                outcome: HookOutcome::ALL[usize::from(o) % 3],
            }),
            TrackerOp::DependencyLost(c) => Some(Event::DependencyLost { container: pick(c) }),
            TrackerOp::Stop(g) => Some(Event::Stop { grace: g.map(secs) }),
            TrackerOp::Delete(g) => Some(Event::Delete { grace: g.map(secs) }),
            TrackerOp::Tick => Some(Event::Tick),
            TrackerOp::Advance(ms) => {
                now = now.saturating_add(Duration::from_millis(u64::from(ms % 700_000)));
                t.handle_timeout(now);
                None
            }
            TrackerOp::ToDeadline => {
                if let Some(due) = t.poll_timeout() {
                    now = now.max(due);
                    t.handle_timeout(now);
                }
                None
            }
            TrackerOp::Snapshot => {
                let snap = t.state();
                t = PodTracker::from_state(&snap).expect("a snapshot restores");
                assert_eq!(t.state(), snap, "the restored tracker's snapshot");
                None
            }
            TrackerOp::Backwards(ms) => {
                let earlier = Millis(now.0.saturating_sub(u64::from(ms)));
                t.handle_timeout(earlier);
                None
            }
        };
        if let Some(event) = event {
            let snap = t.state();
            match t.handle(event, now) {
                Ok(()) => monitor.event(&event, now),
                Err(_) => assert_eq!(t.state(), snap, "a refused {event:?} changed the tracker"),
            }
        }
        drain(&mut t, &mut monitor);
        assert!(t.now() >= before, "time went back");
        assert!(!finished || t.is_finished(), "a finished pod came back");
        let snap = t.state();
        let back = PodTracker::from_state(&snap).map(|b| b.state());
        assert_eq!(back, Ok(snap), "the snapshot does not restore");
    }
}

// ---------------------------------------------------------------------------------------------
// vmm-ref-proto
// ---------------------------------------------------------------------------------------------

/// `proto_decoder`: the bytes an untrusted guest sends, in chunks of `data[0] % 64 + 1` bytes,
/// into the host's decoder (with a small maximum payload when `data[1]` is odd) and into the
/// host's client. Nothing panics, the decoder never holds more than a frame, every poll makes
/// progress; an intact frame of any payload decodes to a message or `Malformed`, nothing else.
pub fn decoder(data: &[u8]) {
    let [chunk, small, stream @ ..] = data else {
        return;
    };
    let chunk = usize::from(chunk % 64) + 1;
    let max_payload = if small % 2 == 1 {
        256
    } else {
        vmm_ref_proto::MAX_PAYLOAD
    };
    let mut d = Decoder::<GuestMessage>::with_max_payload(max_payload);
    let mut client = Client::new();
    for piece in stream.chunks(chunk) {
        client.handle_bytes(piece);
        let mut rest = piece;
        while !rest.is_empty() {
            let taken = d.push(rest);
            rest = &rest[taken..];
            assert!(
                d.buffered() <= HEADER_LEN + max_payload,
                "over a frame buffered"
            );
            // Each poll that does not return Ok(None) consumes bytes: at most one per byte.
            for _ in 0..=d.buffered() + 1 {
                let had = d.buffered();
                match d.poll_message() {
                    Ok(None) => break,
                    Ok(Some(_)) | Err(_) => assert!(d.buffered() < had, "no progress"),
                }
            }
            assert!(
                matches!(d.poll_message(), Ok(None)),
                "the decoder still had work after as many polls as bytes"
            );
        }
    }
    let _ = d.finish();
    while client.poll_event().is_some() {}
    let _ = client.finish();
    // The same bytes as one intact frame.
    if stream.len() <= max_payload {
        let frame = vmm_ref_proto::encode_payload(stream).expect("a payload under the maximum");
        let mut d = Decoder::<GuestMessage>::with_max_payload(max_payload);
        assert_eq!(d.push(&frame), frame.len());
        match d.poll_message() {
            Ok(Some(_)) | Err(ProtoError::Malformed(_)) => {}
            other => panic!("an intact frame gave {other:?}"),
        }
        assert!(
            d.finish().is_ok(),
            "the intact frame was not consumed whole"
        );
    }
}
