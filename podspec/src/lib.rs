//! Pod specifications for VM-based container runtimes.
//!
//! `podspec` reads every pod file our users have (Hyper's pod file in JSON or YAML, Kubernetes v1
//! and v1beta1 pod manifests, apourchet/pod-controller's spec) into faithful wire types, and reports
//! every mistake at once with its field path in the user's own names. It performs no I/O and
//! reads no clock: text comes in, types and errors go out.
//!
//! # Layout
//!
//! - [`path`]: [`FieldPath`], the `spec.containers[0].name` of every error.
//! - [`field_error`]: [`FieldError`] and Kubernetes' [`ErrorType`]s.
//! - [`format`]: the [`Format`]s we read.
//! - [`wire`]: the wire types of every format, and [`wire::Document`], one parsed document.
//! - [`selector`]: Kubernetes label [`Selector`]s: parse, match, canonical text.
//! - [`validate`]: validation rules, and the name syntaxes they use ([`validate::names`]).
#![forbid(unsafe_code)]

pub mod field_error;
pub mod format;
pub mod path;
pub mod wire;
pub mod selector;
pub mod validate;

pub use field_error::{BadValue, ErrorType, FieldError};
pub use format::{Format, UnknownFormat};
pub use path::{FieldPath, Segment};
pub use selector::{Selector, SelectorError};
