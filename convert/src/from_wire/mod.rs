//! Wire documents to the domain model, with each format's defaults.
//!
//! [`to_domain`] takes any [`Document`]; [`from_hyper`], [`from_k8s`], [`from_v1beta1`] and
//! [`from_pod_controller`] take one format each. Each returns the pod and every field it could
//! not carry over ([`crate::Dropped`], paths in the document's names), or every value the model
//! cannot hold ([`crate::Error::Invalid`]). Run [`podspec::validate()`] on the document first for
//! the format's own rules; run [`Pod::validate`] on the result for the rules between fields.
//!
//! # Defaults by format (DESIGN.md, "Semantics we chose")
//!
//! | | Hyper | Kubernetes v1 | v1beta1 | pod-controller |
//! |---|---|---|---|---|
//! | restart policy when absent | `Never` | `Always` | `Always` | `Never` |
//! | probe numbers when absent or 0 | (no probes) | Kubernetes' (10 s, 1 s, 1, 3) | Kubernetes' | pod-controller's (5 s, 1 s, 1, 1) |
//! | VM size | `resource` (vcpu 1, memory 128 MiB when 0) | summed from containers ([`crate::vm_resources`]) | same, from `cpu`/`memory` | vcpu 1, 128 MiB |
//! | pod name when absent | caller's, else derived `pod-…` | caller's, else `generateName` completed, else error | `metadata`/`spec`: caller's, else `default`; 2014: `manifest.id`, caller's, else error | caller's, else derived `pod-…` |
//! | container name when absent | `<pod>-<image>-<i>` (Hyper's) | error | error | `init-<i>` / `container-<i>` |
//! | lifetime | kept (`type: kubernetes`: removed) | removed when finished | removed when finished | kept |
//! | namespace | `default` | `metadata.namespace` or `default` | same | `default` |
//!
//! The hostname is the pod's own (`hostname`, `spec.hostname`) or, when absent, the pod name
//! ([`crate::hostname`]).
//!
//! # Field mapping
//!
//! | domain | Hyper | Kubernetes v1 | v1beta1 | pod-controller |
//! |---|---|---|---|---|
//! | [`Container::entrypoint`](podspec::model::Container::entrypoint) (replaces ENTRYPOINT) | `entrypoint` | `command` | `command` | `spec.process.args` |
//! | [`Container::command`](podspec::model::Container::command) (replaces CMD) | `command` | `args` | `args` | — |
//! | working dir | `workdir` | `workingDir` | `workingDir` | `process.cwd` |
//! | env | `envs[{env, value}]` | `env[{name, value, valueFrom.fieldRef}]` | `env[{name or key, value}]` | `process.env["K=V"]` |
//! | ports | legacy `ports` | `ports` | `ports` | — |
//! | mounts | `volumes[{volume, path, readOnly}]` | `volumeMounts` | `volumeMounts` (`path` alias) | — |
//! | files | `files` | — | — | — |
//! | resources | pod `resource` | `resources.limits/requests` | `memory` (bytes), `cpu` (millicores) | — |
//! | probes | — | liveness, readiness, startup | `livenessProbe` (`type`) | liveness, readiness (`exec` is a list) |
//! | hooks | — | `lifecycle.postStart/preStop` | — | — |
//! | stop signal | `StopSignal` | — | — | — |
//! | volumes | `volumes` (vfs, raw/qcow2/vdi, rbd, nas, empty) | `hostPath`, `emptyDir`, `nfs` | `source.hostDir`, `emptyDir`, none | — |
//! | services, port mappings, DNS servers | `services`, `portmappings`, `dns` | — | — | — |
//!
//! Everything else in a document is reported as dropped, with the reason: Hyper's `log`,
//! `interfaces`, `sysctl`, `user`, `ulimits`; Kubernetes' `status`, `subdomain`,
//! `imagePullPolicy`, ConfigMap/Secret/PVC volumes (with their mounts), `valueFrom` sources
//! other than `fieldRef` (the variable is not set); and so on.

mod common;
mod hyper;
mod k8s;
mod podctl;
mod v1beta1;

pub use hyper::from_hyper;
pub use k8s::from_k8s;
pub use podctl::from_pod_controller;
pub use v1beta1::from_v1beta1;

use podspec::model::Pod;
use podspec::wire::Document;

use crate::{Converted, Error, Options};

/// Any document in the domain model (dispatches on the format).
///
/// # Errors
///
/// [`Error::Invalid`] with every value the model cannot hold, at its path in the document.
///
/// # Examples
///
/// ```
/// let doc = podspec::parse(r#"{"id": "p", "containers": [{"name": "c", "image": "busybox"}]}"#, None)
///     .unwrap()
///     .document;
/// let pod = convert::to_domain(&doc, &convert::Options::default()).unwrap();
/// assert_eq!(pod.value.name, "p");
/// assert!(pod.dropped.is_empty());
/// ```
pub fn to_domain(doc: &Document, options: &Options) -> Result<Converted<Pod>, Error> {
    match doc {
        Document::Hyper(p) => from_hyper(p, options),
        Document::K8s(p) => from_k8s(p, options),
        Document::K8sV1beta1(p) => from_v1beta1(p, options),
        Document::PodController(p) => from_pod_controller(p, options),
    }
}
