//! The reference runtime: the VMM, the guest image and the pieces the `vmm-ref` command composes.
//!
//! This is the only crate of the workspace that touches `/dev/kvm`, files, processes and the
//! clock.
//!
//! # Layout
//!
//! (Modules are added by the issues that build them.)
//!
//! - [`vmm`]: the machine: KVM VM, guest memory layout and boot structures, kernel loading,
//!   legacy devices (COM1 console, COM2 agent channel, i8042, port 0x80), vCPU threads, and
//!   how the guest ended ([`vmm::GuestExit`]).
//! - [`image`]: the local image store (import from a directory, an OCI image layout or a
//!   `docker save` archive; list; remove).
//! - [`runtime`]: the [`runtime::Runtime`] trait (start, wait, kill, exec), the `process`
//!   runtime, and [`runtime::drive`], the loop between a supervisor, a runtime and the clock.
//! - [`supervisor`]: one pod's lifecycle as a pure state machine composing `phase` and
//!   `restart` (inputs and `now` in, actions and events out).
//! - [`host_check`]: whether this host's `/dev/kvm` can boot Linux guests, and what to do if not.

pub mod host_check;
pub mod image;
pub mod initramfs;
pub mod runtime;
pub mod supervisor;
pub mod vmm;
