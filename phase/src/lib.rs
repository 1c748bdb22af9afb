//! Pod phase, Hyper's status view, probe state machines and the pod health bit.
//!
//! Performs no I/O and reads no clock. (Work in progress: see issue 4.)
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
