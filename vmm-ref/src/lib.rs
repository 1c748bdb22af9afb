//! The reference runtime: the VMM, the guest image and the pieces the `vmm-ref` command composes.
//!
//! This is the only crate of the workspace that touches `/dev/kvm`, files, processes and the
//! clock.
//!
//! # Layout
//!
//! (Modules are added by the issues that build them.)

pub mod initramfs;
