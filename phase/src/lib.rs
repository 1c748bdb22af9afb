//! Pod phase, Hyper's status view, probe state machines and the pod health bit.
//!
//! This crate performs no I/O and reads no clock: time comes in as [`Millis`] arguments and every
//! answer goes out as data. It is `no_std` with `alloc`.
//!
//! `phase` defines its own small input types ([`PodSpec`], [`ContainerSpec`],
//! [`ContainerStatus`], ...). It does not depend on `podspec`; a runtime such as `vmm-ref` maps
//! its pod and its observations into these types.
//!
//! # Layout
//!
//! - [`time`]: [`Millis`], the crate's time type.
//! - [`state`]: the shared vocabulary: restart policies and rules, container identity and kind,
//!   container states and statuses, [`PodPhase`].
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod state;
pub mod time;

pub use state::{
    ContainerId, ContainerKind, ContainerList, ContainerRestartPolicy, ContainerSpec,
    ContainerState, ContainerStatus, ExitCodeOperator, ExitCodes, PodPhase, PodSpec, RestartPolicy,
    RestartRule, RestartRuleAction, StateKind, TerminatedReason, Termination, WaitingReason,
};
pub use time::Millis;
