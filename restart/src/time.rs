//! The crate's time type, imported from `phase` through one alias (STYLE.md H2).
//!
//! [`Millis`] is a `u64` count of milliseconds since an epoch the caller picks; durations are
//! [`core::time::Duration`]. This crate never reads a clock: every `now` is an argument.

pub use phase::Millis;
