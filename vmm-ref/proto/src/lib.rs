//! The host <-> guest agent protocol of vmm-ref. (Work in progress: see issue 6.)
#![forbid(unsafe_code)]
