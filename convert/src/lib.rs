//! Conversion between pod file formats and the domain model; the container environment.
//!
//! Performs no I/O and reads no clock. (Work in progress: see issue 3.)
#![forbid(unsafe_code)]
