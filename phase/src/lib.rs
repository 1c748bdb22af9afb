//! Pod phase, Hyper's status view, probe state machines and the pod health bit.
//!
//! This crate performs no I/O and reads no clock: time comes in as [`Millis`] arguments and every
//! answer goes out as data. It is `no_std` with `alloc`, and computing a phase allocates nothing.
//!
//! `phase` defines its own small input types ([`PodSpec`], [`ContainerSpec`],
//! [`ContainerStatus`], [`ProbeConfig`], ...). It does not depend on `podspec`: a runtime such as
//! `vmm-ref` maps its pod and its observations into these types.
//!
//! # Layout
//!
//! - [`time`]: [`Millis`], the crate's time type.
//! - [`state`]: the shared vocabulary: restart policies and rules, container identity and kind,
//!   container states and statuses, [`PodPhase`].
//! - [`aggregate`](mod@aggregate): the kubelet's `getPhase` ([`aggregate()`], [`decide`]) and
//!   sticky terminal phases ([`sticky`], [`PhaseTracker`]).
//! - [`conditions`](mod@conditions): the `Initialized`, `ContainersReady` and `Ready` conditions.
//! - [`hyper`]: Hyper's create/start/stop lifecycle and status words.
//! - [`probe`]: Kubernetes' liveness, readiness and startup probes ([`ContainerProbes`]).
//! - [`pod_controller`]: pod-controller's probes, container states and pod health bit.
//! - [`error`](mod@error) holds [`Error`], the crate's one error type.
//!
//! # Driving loop (the stateful machines)
//!
//! ```
//! # use phase::{ContainerProbes, Millis, ProbeConfig, ProbeEvent, ProbeOutcome, ProbeSpecs};
//! let mut probes = ContainerProbes::new(ProbeSpecs {
//!     liveness: Some(ProbeConfig::from_seconds(0, 10, 1, 1, 3)),
//!     ..ProbeSpecs::default()
//! });
//! let mut now = Millis(0);
//! probes.handle_container_started(now);
//! let mut kills = 0;
//! while now < Millis::from_secs(60) {
//!     while let Some(run) = probes.poll_action() {
//!         // Run the handler; here it always fails after 100 ms.
//!         probes.handle_result(run.id, ProbeOutcome::Failure, Millis(now.0 + 100))?;
//!     }
//!     while let Some(event) = probes.poll_event() {
//!         if matches!(event, ProbeEvent::Kill { .. }) {
//!             kills += 1;
//!         }
//!     }
//!     let Some(deadline) = probes.poll_timeout() else { break };
//!     now = deadline;
//!     probes.handle_timeout(now);
//! }
//! assert_eq!(kills, 1); // three failures 10 s apart, then on hold
//! # Ok::<(), phase::Error>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod aggregate;
pub mod conditions;
pub mod error;
pub mod hyper;
pub mod pod_controller;
pub mod probe;
pub mod state;
pub mod time;

pub use aggregate::{
    Counters, Gate, Initialized, PhaseDecision, PhaseFacts, PhaseRule, PhaseTracker, PodSource,
    Statuses, Terminal, aggregate, decide, sticky,
};
pub use conditions::{
    Condition, ConditionReason, ConditionStatus, PodConditions, any_regular_container_started,
    conditions,
};
pub use error::Error;
pub use hyper::{
    HyperPod, HyperStatus, LIFECYCLE_TRANSITIONS, LifecycleEvent, LifecycleState, hyper_status,
    replace, transition,
};
pub use pod_controller::{
    LongLivedProbe, PcContainer, PcObservation, PcProbeRun, PcState, WATCH_PERIOD, next_pc_state,
    pod_healthy,
};
pub use probe::{
    ContainerProbes, ProbeConfig, ProbeEvent, ProbeId, ProbeKind, ProbeOutcome, ProbeResult,
    ProbeRun, ProbeSpecs,
};
pub use state::{
    ContainerId, ContainerKind, ContainerList, ContainerRestartPolicy, ContainerSpec,
    ContainerState, ContainerStatus, ExitCodeOperator, ExitCodes, PodPhase, PodSpec, RestartPolicy,
    RestartRule, RestartRuleAction, StateKind, TerminatedReason, Termination, WaitingReason,
};
pub use time::Millis;
