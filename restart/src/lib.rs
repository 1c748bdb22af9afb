//! Restart decisions, CrashLoopBackOff, pod-scope restarts, hook order and recovery.
//!
//! Performs no I/O and reads no clock. (Work in progress: see issue 5.)
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
