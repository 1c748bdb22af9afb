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
//! - [`format`](mod@format): the [`Format`]s we read.
//! - [`wire`]: the wire types of every format, and [`wire::Document`], one parsed document.
//! - [`parse`](mod@parse): [`parse()`] text into a [`wire::Document`] with [`Warning`]s; [`to_json`], [`to_yaml`].
//! - [`detect`]: which [`Format`] a document is.
//! - [`schema`]: the JSON Schema of each format's wire types.
//! - [`error`]: [`Error`], the crate's one error type.
//! - [`diagnostic`]: `miette::Diagnostic` on [`Error`] and [`FieldError`] (stable codes, help
//!   lines), and [`Error::span`] for pointing at a syntax error in the text.
//! - [`selector`]: Kubernetes label [`Selector`]s: parse, match, canonical text.
//! - [`model`]: the domain [`Pod`](model::Pod): closed enums, newtypes with rules, cross-field
//!   [`validate`](model::Pod::validate).
//! - [`validate`](mod@validate): [`validate()`] a document of any format; the rules, and the name syntaxes they use ([`validate::names`]).
#![forbid(unsafe_code)]

pub mod detect;
pub mod diagnostic;
pub mod error;
pub mod field_error;
pub mod format;
pub mod model;
pub mod parse;
pub mod path;
pub mod schema;
pub mod selector;
pub mod validate;
pub mod wire;

pub use error::{Error, JsonKind, Location, TypeError};
pub use field_error::{BadValue, ErrorType, FieldError};
pub use format::{Format, UnknownFormat};
pub use parse::{
    Normalized, Parsed, Warning, WarningKind, normalize, parse, parse_value, to_json, to_yaml,
};
pub use path::{FieldPath, Segment};
pub use selector::{Selector, SelectorError};
pub use validate::validate;
