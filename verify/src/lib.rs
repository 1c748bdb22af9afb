//! Model checking of the composed pod lifecycle, and the tracker rules the fuzzers share.
//!
//! - [`monitor`]: [`Monitor`], the rules every [`PodTracker`](restart::PodTracker) run keeps,
//!   checked online (used by the fuzz target `restart_tracker` and by the model).
//! - [`model`] (feature `model`, on by default): a [`stateright`] model of one pod driven by
//!   `restart::PodTracker` and `phase`, with every runtime event, Ctrl-C and delete, and a
//!   daemon restart by SIGHUP or SIGTERM decided by `restart::recover`. `cargo xtask verify`
//!   reports its state count.
//! - [`supervisor_model`] (feature `model`): a [`stateright`] model of the composed
//!   `vmm_ref::supervisor::Supervisor` itself (tracker, probes, phase, health bit) driven by a
//!   fake runtime, the user and daemon restarts. `cargo xtask verify` reports its state count.
#![forbid(unsafe_code)]

#[cfg(feature = "model")]
pub mod model;
pub mod monitor;
#[cfg(feature = "model")]
pub mod supervisor_model;

pub use monitor::{Monitor, Rule, Violation};
