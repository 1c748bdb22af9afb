//! Restart decisions, CrashLoopBackOff, pod-scope restarts, hook order and recovery after a
//! daemon restart: "what should happen next to this pod", as data.
//!
//! This crate performs no I/O and reads no clock: time comes in as [`Millis`] arguments (`now`),
//! and every answer goes out as data for the caller to carry out. It is `no_std` with `alloc`.
//! The state vocabulary (policies, rules, container ids and kinds, [`Millis`]) is `phase`'s.
//!
//! # Layout
//!
//! - [`decision`]: the container decision table (the kubelet's rules), [`decide`], and the
//!   Kubernetes predicates it is built from.
//! - [`backoff`]: CrashLoopBackOff, one [`Backoff`] per container.
//! - [`hooks`]: hook order, what a hook's failure does, the stop sequence and its grace period.
//! - [`pod`]: pod scope (Hyper's whole-pod re-creation) and what a finished pod becomes.
//! - [`recovery`]: which persisted pods to adopt, re-run or leave stopped after a daemon restart.
//! - [`tracker`]: [`PodTracker`], the decisions driven by events (`handle_*` with `now`,
//!   `poll_action`, `poll_timeout`), for a supervisor to compose with `phase`.
//! - [`error`]: the one error type, [`Error`].
//!
//! # Example
//!
//! One decision, then the same rule driven by events:
//!
//! ```
//! # use core::time::Duration;
//! # use phase::{ContainerId, ContainerKind, ContainerSpec, PodSpec, RestartPolicy};
//! # use restart::*;
//! let app = ContainerSpec::new("app");
//! let input = DecisionInput {
//!     pod_policy: RestartPolicy::OnFailure,
//!     condition: PodCondition::Active,
//!     kind: ContainerKind::Regular,
//!     container: &app,
//!     last: LastRun::Exited { how: ExitHow::Exited, code: Some(1), at: Millis::from_secs(4) },
//! };
//! let backoff = Backoff::new(BackoffConfig::default());
//! assert_eq!(decide(&input, &backoff, Millis::from_secs(4)), Decision::Restart { after: Duration::ZERO });
//!
//! let mut tracker = PodTracker::new(PodConfig::new(PodSpec::new(RestartPolicy::OnFailure).with_container(app)), Millis::ZERO);
//! let id = ContainerId::regular(0);
//! assert_eq!(tracker.poll_action(), Some(Action::StartContainer { container: id }));
//! tracker.handle(Event::Started { container: id }, Millis::from_secs(1)).unwrap();
//! tracker.handle(Event::Exited { container: id, code: 1 }, Millis::from_secs(4)).unwrap();
//! assert_eq!(tracker.poll_action(), Some(Action::RestartAfter { container: id, after: Duration::ZERO }));
//! assert_eq!(tracker.poll_action(), Some(Action::StartContainer { container: id }));
//! ```
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod backoff;
pub mod decision;
pub mod error;
pub mod hooks;
pub mod pod;
pub mod recovery;
pub mod time;
pub mod tracker;

pub use backoff::{Backoff, BackoffConfig, BackoffEntry};
pub use decision::{
    Case, CaseLast, CodeClass, DECISION_TABLE, Decision, DecisionInput, ExitHow, LastPattern,
    LastRun, NoRestart, PodCondition, Row, RuleMatch, Verdict, classify, container_should_restart,
    decide, effective_policy, is_container_restartable, is_restartable_init_container, rule_match,
    should_container_be_restarted, verdict,
};
pub use error::Error;
pub use hooks::{
    DEFAULT_GRACE_PERIOD, DEFAULT_HOOK_TIMEOUT, HOOK_OUTCOME_TABLE, Hook, HookConsequence,
    HookOutcome, Hooks, MIN_GRACE_AFTER_PRE_STOP, StartStep, StopPlan, StopReason,
    hook_consequence, next_post_start_hook, start_sequence,
};
pub use pod::{
    EndCause, FinalStatus, POD_TABLE, PodOrigin, PodOutcome, PodVerdict, RestartScope, pod_outcome,
    pod_verdict,
};
pub use recovery::{
    DaemonExit, ExitEffect, PersistedPod, PersistedStatus, RECOVERY_TABLE, Recovery,
    RecoveryVerdict, StatusKind, recover, recovery_verdict,
};
pub use time::Millis;
pub use tracker::{
    Action, ActiveHook, ContainerConfig, ContainerRecord, Event, ExitRecord, KillCause, PodConfig,
    PodTracker, ProbeKind, RunState, Signal, Stage, TrackerState,
};
