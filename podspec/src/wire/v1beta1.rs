//! Kubernetes v1beta1 pods, in both shapes that exist in the wild.
//!
//! - **The 2014 shape** (`pkg/api/v1beta1/types.go`): `id`, `kind`, `apiVersion`, `labels`,
//!   and `desiredState.manifest` {`version`, `id`, `containers`, `volumes`, `restartPolicy`},
//!   where the restart policy is the *object* form `{"always": {}}`, `{"onFailure": {}}` or
//!   `{"never": {}}` ([`RestartPolicyObject`]).
//! - **Hyper's examples' shape**: `apiVersion: V1beta1` with `metadata` {`name`, `labels`} and
//!   `spec` {`version`, `id`, `containers` (with `args`), `volumes`, `restartPolicy` as a
//!   *string*} ([`Spec`]). This is what hyperd's converter read (spec/hyper.md section 2).
//!
//! One [`Pod`] type holds both; [`Pod::shape`] says which one a document has.
//!
//! Keys match **case-insensitively**: in 2014 Kubernetes and Hyper both decoded these documents
//! with Go's `encoding/json` (Hyper's converter relied on it for a container's `memory`).
//! Unknown keys are warnings, as for every format.
//!
//! # What is shared with v1
//!
//! Where the JSON is the same (same keys, same types, all optional), the type is v1's:
//! [`Port`] is [`k8s::ContainerPort`] and [`ExecAction`] is [`k8s::ExecAction`]. The others
//! differ and stay apart: [`EnvVar`] has `key` and no `valueFrom`; [`VolumeMount`] has `path`
//! and no `subPath`; [`LivenessProbe`] has `type`, 64-bit seconds and no period, thresholds or
//! `grpc`; [`HttpGetAction`] has no `scheme` or `httpHeaders`; [`TcpSocketAction`] no `host`;
//! [`HostDir`] no `type`; [`Volume`] nests its source under `source`.
//!
//! # Examples
//!
//! ```
//! use podspec::wire::v1beta1::{Pod, Shape};
//! let pod: Pod = serde_json::from_str(r#"{"id": "p", "desiredState": {"manifest": {
//!     "version": "v1beta1", "containers": [{"name": "c", "image": "busybox"}],
//!     "restartPolicy": {"onFailure": {}}}}}"#).unwrap();
//! assert_eq!(pod.shape(), Shape::DesiredState);
//! let manifest = pod.desired_state.unwrap().manifest.unwrap();
//! assert!(manifest.restart_policy.unwrap().on_failure.is_some());
//! ```

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{IntOrString, Quantity, Str, k8s};

/// Which of the two v1beta1 shapes a [`Pod`] has.
///
/// # Examples
///
/// ```
/// use podspec::wire::v1beta1::{Pod, Shape};
/// assert_eq!(Pod::default().shape(), Shape::DesiredState);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// The 2014 shape: `desiredState.manifest` (also the answer when neither part is present).
    DesiredState,
    /// Hyper's examples' shape: `metadata` + `spec` and no `desiredState`.
    MetadataSpec,
}

/// A v1beta1 pod, either shape.
///
/// # Examples
///
/// ```
/// use podspec::wire::v1beta1::{Pod, Shape};
/// let pod: Pod = serde_json::from_str(r#"{"apiVersion": "V1beta1", "kind": "Pod",
///     "metadata": {"name": "t"}, "spec": {"containers": [{"name": "u", "image": "ubuntu",
///     "args": ["sleep", "100"]}], "restartPolicy": "Never"}}"#).unwrap();
/// assert_eq!(pod.shape(), Shape::MetadataSpec);
/// assert_eq!(pod.spec.unwrap().restart_policy.as_deref(), Some("Never"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pod {
    /// `v1beta1` (Hyper's examples write `V1beta1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<Str>,
    /// `Pod`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Str>,
    /// 2014 shape: the pod name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Str>,
    /// 2014 shape: namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Str>,
    /// 2014 shape: labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<Str, Str>>,
    /// 2014 shape: annotations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<Str, Str>>,
    /// 2014 shape: what should run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desired_state: Option<PodState>,
    /// 2014 shape: what the cluster reported; kept loosely, never read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<serde_json::Value>,
    /// Hyper's shape: name and labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Hyper's shape: the manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<Spec>,
}

impl Pod {
    /// Which shape this pod has: [`Shape::MetadataSpec`] when it has `spec` or `metadata` and
    /// no `desiredState`, else [`Shape::DesiredState`].
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::wire::v1beta1::{Pod, Shape, Spec};
    /// let pod = Pod { spec: Some(Spec::default()), ..Pod::default() };
    /// assert_eq!(pod.shape(), Shape::MetadataSpec);
    /// ```
    pub fn shape(&self) -> Shape {
        if self.desired_state.is_none() && (self.spec.is_some() || self.metadata.is_some()) {
            Shape::MetadataSpec
        } else {
            Shape::DesiredState
        }
    }
}

/// 2014 shape: `desiredState`.
///
/// # Examples
///
/// ```
/// let s: podspec::wire::v1beta1::PodState =
///     serde_json::from_str(r#"{"manifest": {"id": "m"}, "host": "h"}"#).unwrap();
/// assert_eq!(s.manifest.unwrap().id.as_deref(), Some("m"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodState {
    /// The container manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<ContainerManifest>,
    /// Scheduled host (ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<Str>,
}

/// 2014 shape: the container manifest (`desiredState.manifest`).
///
/// # Examples
///
/// ```
/// let m: podspec::wire::v1beta1::ContainerManifest =
///     serde_json::from_str(r#"{"version": "v1beta1", "restartPolicy": {"never": {}}}"#).unwrap();
/// assert!(m.restart_policy.unwrap().never.is_some());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerManifest {
    /// `v1beta1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<Str>,
    /// Manifest id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Str>,
    /// Manifest uuid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<Str>,
    /// Volumes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Vec<Volume>>,
    /// Containers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containers: Option<Vec<Container>>,
    /// The object-form restart policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<RestartPolicyObject>,
    /// DNS policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_policy: Option<Str>,
}

/// The v1beta1 object-form restart policy: one of its keys is present, holding `{}`.
///
/// Kubernetes read an object with no key as `Always`; an object with several keys was invalid.
/// Both are for `convert` and validation to decide; the wire type keeps what was written.
///
/// # Examples
///
/// ```
/// use podspec::wire::v1beta1::RestartPolicyObject;
/// let p: RestartPolicyObject = serde_json::from_str(r#"{"always": {}}"#).unwrap();
/// assert!(p.always.is_some() && p.on_failure.is_none() && p.never.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestartPolicyObject {
    /// Always restart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub always: Option<Empty>,
    /// Restart on failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<Empty>,
    /// Never restart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub never: Option<Empty>,
}

/// The empty object `{}` of an object-form restart policy.
///
/// # Examples
///
/// ```
/// let e: podspec::wire::v1beta1::Empty = serde_json::from_str("{}").unwrap();
/// assert_eq!(serde_json::to_string(&e).unwrap(), "{}");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Empty {}

/// Hyper's shape: `metadata`.
///
/// # Examples
///
/// ```
/// let m: podspec::wire::v1beta1::Metadata =
///     serde_json::from_str(r#"{"name": "n", "labels": {"a": "b"}}"#).unwrap();
/// assert_eq!(m.name.as_deref(), Some("n"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// Pod name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Str>,
    /// Labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<Str, Str>>,
    /// Annotations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<Str, Str>>,
}

/// Hyper's shape: `spec`, with a string restart policy.
///
/// # Examples
///
/// ```
/// let s: podspec::wire::v1beta1::Spec =
///     serde_json::from_str(r#"{"version": "V1beta1", "id": "Ubuntu-Pod"}"#).unwrap();
/// assert_eq!(s.id.as_deref(), Some("Ubuntu-Pod"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    /// Manifest version (`V1beta1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<Str>,
    /// Manifest id (not the pod name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Str>,
    /// Containers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containers: Option<Vec<Container>>,
    /// Volumes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Vec<Volume>>,
    /// `Always`, `OnFailure` or `Never` (Hyper mapped anything else to `never`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<Str>,
    /// DNS policy (Hyper declared it as a list and failed on a string; we keep the string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_policy: Option<Str>,
}

/// A v1beta1 volume: `name` and a `source`.
///
/// # Examples
///
/// ```
/// let v: podspec::wire::v1beta1::Volume =
///     serde_json::from_str(r#"{"name": "d", "source": {"hostDir": {"path": "/d"}}}"#).unwrap();
/// let dir = v.source.unwrap().host_dir.unwrap();
/// assert_eq!(dir.path.as_deref(), Some("/d"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    /// Volume name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Where the volume comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<VolumeSource>,
}

/// A v1beta1 volume source: `hostDir` and `emptyDir` are typed, others kept loosely.
///
/// # Examples
///
/// ```
/// let s: podspec::wire::v1beta1::VolumeSource =
///     serde_json::from_str(r#"{"emptyDir": {}}"#).unwrap();
/// assert!(s.empty_dir.is_some());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSource {
    /// A host directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_dir: Option<HostDir>,
    /// An empty directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub empty_dir: Option<serde_json::Value>,
    /// Not supported; kept so it can be reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistent_disk: Option<serde_json::Value>,
    /// Not supported; kept so it can be reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git_repo: Option<serde_json::Value>,
}

/// `hostDir` source.
///
/// # Examples
///
/// ```
/// let h: podspec::wire::v1beta1::HostDir = serde_json::from_str(r#"{"path": "/x"}"#).unwrap();
/// assert_eq!(h.path.as_deref(), Some("/x"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostDir {
    /// Host path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Str>,
}

/// A v1beta1 container (both shapes).
///
/// # Examples
///
/// ```
/// let c: podspec::wire::v1beta1::Container =
///     serde_json::from_str(r#"{"name": "c", "memory": 134217728, "cpu": 100}"#).unwrap();
/// assert_eq!(c.memory.unwrap().as_str(), "134217728");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Str>,
    /// Command (the entrypoint in Hyper's conversion).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<Str>>,
    /// Arguments (Hyper's shape; Hyper's `command`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Str>>,
    /// Working directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<Str>,
    /// Environment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<EnvVar>>,
    /// Ports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<Port>>,
    /// Volume mounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_mounts: Option<Vec<VolumeMount>>,
    /// Memory limit in bytes (a number in 2014, a quantity later: both are accepted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<Quantity>,
    /// CPU in milli-cores (a number in 2014, a quantity later: both are accepted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Quantity>,
    /// Liveness probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<LivenessProbe>,
    /// Image pull policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<Str>,
}

/// A v1beta1 environment variable (`key` is an old alias of `name`).
///
/// # Examples
///
/// ```
/// let e: podspec::wire::v1beta1::EnvVar =
///     serde_json::from_str(r#"{"key": "A", "value": "1"}"#).unwrap();
/// assert_eq!(e.key.as_deref(), Some("A"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Old alias of `name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<Str>,
    /// Value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Str>,
}

/// A v1beta1 port: the same JSON as v1's, so the same type ([`k8s::ContainerPort`]).
///
/// 2014's `Port` had the same keys (`name`, `hostPort`, `containerPort`, `protocol`, `hostIP`),
/// all optional, with the same types; `protocol` is checked by validation, not here.
///
/// # Examples
///
/// ```
/// let p: podspec::wire::v1beta1::Port =
///     serde_json::from_str(r#"{"containerPort": 6379, "hostPort": 6379}"#).unwrap();
/// assert_eq!(p.host_port, Some(6379));
/// ```
pub type Port = k8s::ContainerPort;

/// A v1beta1 volume mount (`path` is an old alias of `mountPath`).
///
/// # Examples
///
/// ```
/// let m: podspec::wire::v1beta1::VolumeMount =
///     serde_json::from_str(r#"{"name": "d", "path": "/d"}"#).unwrap();
/// assert_eq!(m.path.as_deref(), Some("/d"));
/// assert_eq!(m.mount_path, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeMount {
    /// Volume name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Mount point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mount_path: Option<Str>,
    /// Old alias of `mountPath`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Str>,
    /// Read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

/// A v1beta1 liveness probe.
///
/// # Examples
///
/// ```
/// let p: podspec::wire::v1beta1::LivenessProbe = serde_json::from_str(
///     r#"{"type": "http", "httpGet": {"path": "/", "port": "8080"}, "initialDelaySeconds": 30}"#)
///     .unwrap();
/// assert_eq!(p.initial_delay_seconds, Some(30));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LivenessProbe {
    /// Early v1beta1: `http`, `tcp` or `exec`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub r#type: Option<Str>,
    /// HTTP GET.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HttpGetAction>,
    /// TCP connect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_socket: Option<TcpSocketAction>,
    /// Command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecAction>,
    /// Delay before the first probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<i64>,
    /// Timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i64>,
}

/// v1beta1 `httpGet`.
///
/// # Examples
///
/// ```
/// let h: podspec::wire::v1beta1::HttpGetAction =
///     serde_json::from_str(r#"{"port": 80, "host": "h"}"#).unwrap();
/// assert_eq!(h.host.as_deref(), Some("h"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpGetAction {
    /// Path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Str>,
    /// Port number or name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<IntOrString>,
    /// Host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<Str>,
}

/// v1beta1 `tcpSocket`.
///
/// # Examples
///
/// ```
/// let t: podspec::wire::v1beta1::TcpSocketAction = serde_json::from_str(r#"{"port": 1}"#).unwrap();
/// assert!(t.port.is_some());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TcpSocketAction {
    /// Port number or name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<IntOrString>,
}

/// v1beta1 `exec`: the same JSON as v1's (`command`, a list of strings), so the same type.
///
/// # Examples
///
/// ```
/// let e: podspec::wire::v1beta1::ExecAction =
///     serde_json::from_str(r#"{"command": ["true"]}"#).unwrap();
/// assert_eq!(e.command.unwrap().len(), 1);
/// ```
pub type ExecAction = k8s::ExecAction;
