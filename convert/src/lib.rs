//! Conversion between pod file formats and the domain model; the container environment.
//!
//! A runtime author gets one [`podspec::model::Pod`] whatever file the user wrote (Hyper 1.x or
//! legacy, Kubernetes v1, Kubernetes v1beta1 in both shapes, pod-controller), with that format's
//! defaults applied ([`to_domain`]); can emit the same pod as a Hyper pod file or a Kubernetes v1
//! manifest ([`to_hyper`], [`to_k8s`]); and can compute exactly what a container's environment
//! will be ([`environment`]). Everything a conversion cannot carry over is returned beside the
//! result as a list of [`Dropped`] fields, never silently lost.
//!
//! This crate performs no I/O and reads no clock: documents and services come in as values, pods,
//! documents and environments go out as values. Where Hyper used random names, names are taken
//! from the caller ([`Options::name`]) or derived from the document's content, so a conversion
//! is a pure function.
//!
//! # Layout
//!
//! - [`error`]: [`Error`], the crate's one error type, with field paths in the user's names.
//! - [`converted`]: [`Converted`] (a result and its [`Dropped`] fields), [`Options`], [`Target`].
//! - [`from_wire`]: wire documents to the domain model, one function per format, each applying
//!   that format's defaults ([`to_domain`] dispatches).
//! - [`to_wire`]: the domain model to a Hyper 1.x pod file ([`to_hyper`]) or a Kubernetes v1
//!   manifest ([`to_k8s`]).
//! - [`resources`]: the VM's size from Kubernetes quantities ([`vm_resources`]).
//! - [`command`]: the process a container runs, from its entrypoint and command and the
//!   image's ([`command_line`]).
//! - [`names`]: names we derive where the file has none (pods, Hyper's containers) and the
//!   pod's [`hostname`].
//! - [`env`](mod@env): the container environment ([`environment`]) and Kubernetes' `$(VAR)`
//!   [`expand`](env::expand).
//! - [`run_line`]: a one-container Hyper pod from `hyper run IMAGE [COMMAND]`'s flags.
//! - [`services`]: the [`Service`] input type, which services a pod sees, and
//!   [`parse_services`] for a `ServiceList` or an array of services.
//!
//! # Examples
//!
//! A founding document: the "V1beta1" pod of Hyper's Kubernetes notes, to the domain model and
//! on to a Hyper pod file:
//!
//! ```
//! use podspec::model::RestartPolicy;
//!
//! let text = r#"{"apiVersion": "V1beta1", "kind": "Pod",
//!     "metadata": {"name": "test-k8s-restartPolicy", "labels": {"name": "ubuntu"}},
//!     "spec": {"version": "V1beta1", "id": "Ubuntu-Pod",
//!              "containers": [{"name": "Ubuntu-1", "image": "ubuntu", "args": ["sleep", "100"]}],
//!              "restartPolicy": "Never"}}"#;
//! let doc = podspec::parse(text, None).unwrap().document;
//! let pod = convert::to_domain(&doc, &convert::Options::default()).unwrap();
//! assert_eq!(pod.value.restart_policy, RestartPolicy::Never);
//! assert_eq!(pod.value.containers[0].name, "Ubuntu-1");
//! assert_eq!(pod.value.containers[0].command, ["sleep", "100"]); // args replace the image's CMD
//! // Hyper's converter ignored `spec.id`; so do we, and say so.
//! assert_eq!(pod.dropped[0].field.to_string(), "spec.id");
//!
//! let hyper = convert::to_hyper(&pod.value).unwrap();
//! assert_eq!(hyper.value.restart_policy.as_deref(), Some("never"));
//! assert_eq!(hyper.value.containers.as_ref().unwrap()[0].command.as_ref().unwrap(), &["sleep", "100"]);
//! ```
#![forbid(unsafe_code)]

pub mod command;
pub mod converted;
pub mod env;
pub mod error;
pub mod from_wire;
pub mod names;
pub mod resources;
pub mod run_line;
pub mod services;
pub mod to_wire;

pub use command::{ImageConfig, command_line};
pub use converted::{Converted, Dropped, Options, Target};
pub use env::{EnvEntry, Environment, Unresolved, environment};
pub use error::Error;
pub use from_wire::{from_hyper, from_k8s, from_pod_controller, from_v1beta1, to_domain};
pub use names::hostname;
pub use resources::vm_resources;
pub use services::{Service, ServicePort, parse_services};
pub use to_wire::{to_document, to_hyper, to_k8s};
