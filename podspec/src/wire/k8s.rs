//! A Kubernetes v1 `Pod` manifest: the subset a pod runtime can act on, plus `status`.
//!
//! Names and types follow `k8s.io/api/core/v1`. Keys are **case-sensitive**, as Kubernetes'
//! decoder is. Fields we do not model (`securityContext`, `nodeSelector`, `affinity`,
//! `tolerations`, `envFrom`, ...) are accepted and reported by [`crate::parse()`] as warnings naming
//! the field; volume sources other than `hostPath` and `emptyDir` and env `valueFrom` sources
//! other than `fieldRef` are kept loosely (as JSON values) so that `convert` can name them when it
//! drops them. Enum-like values (`restartPolicy`, `protocol`, `phase`) stay strings; timestamps
//! stay RFC 3339 strings.
//!
//! # Examples
//!
//! ```
//! use podspec::wire::k8s::Pod;
//! let pod: Pod = serde_json::from_str(r#"{
//!     "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
//!     "spec": {"containers": [{"name": "c", "image": "busybox",
//!              "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}}}]}
//! }"#).unwrap();
//! let c = &pod.spec.unwrap().containers.unwrap()[0];
//! let limits = c.resources.as_ref().unwrap().limits.as_ref().unwrap();
//! assert_eq!(limits["memory"].as_str(), "128Mi");
//! ```

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{IntOrString, Quantity, Str};

/// A v1 `Pod`.
///
/// # Examples
///
/// ```
/// let pod = podspec::wire::k8s::Pod { kind: Some("Pod".into()), ..Default::default() };
/// assert_eq!(serde_json::to_string(&pod).unwrap(), r#"{"kind":"Pod"}"#);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pod {
    /// `v1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<Str>,
    /// `Pod`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Str>,
    /// Name, namespace, labels, annotations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ObjectMeta>,
    /// What to run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<PodSpec>,
    /// What is running (present in manifests dumped from a cluster, and in our own output).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<PodStatus>,
}

/// Object metadata.
///
/// # Examples
///
/// ```
/// let m: podspec::wire::k8s::ObjectMeta =
///     serde_json::from_str(r#"{"generateName": "web-"}"#).unwrap();
/// assert_eq!(m.generate_name.as_deref(), Some("web-"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    /// Pod name (a DNS-1123 subdomain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Prefix for a generated name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<Str>,
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

/// The pod spec.
///
/// # Examples
///
/// ```
/// let s: podspec::wire::k8s::PodSpec =
///     serde_json::from_str(r#"{"restartPolicy": "OnFailure", "enableServiceLinks": false}"#)
///         .unwrap();
/// assert_eq!(s.enable_service_links, Some(false));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    /// Main containers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containers: Option<Vec<Container>>,
    /// Init containers; those with `restartPolicy: Always` are sidecars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_containers: Option<Vec<Container>>,
    /// `Always` (default), `OnFailure` or `Never`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<Str>,
    /// Hostname; default the pod name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<Str>,
    /// Subdomain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<Str>,
    /// Volumes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Vec<Volume>>,
    /// Grace period between the stop signal and SIGKILL; default 30.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<i64>,
    /// Maximum pod run time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<i64>,
    /// `ClusterFirst` (default), `ClusterFirstWithHostNet`, `Default`, `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_policy: Option<Str>,
    /// Service environment variables; default true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_service_links: Option<bool>,
}

/// A volume: `hostPath` and `emptyDir` are typed; other sources are kept as JSON values.
///
/// # Examples
///
/// ```
/// let v: podspec::wire::k8s::Volume =
///     serde_json::from_str(r#"{"name": "d", "hostPath": {"path": "/srv"}}"#).unwrap();
/// assert_eq!(v.host_path.unwrap().path.as_deref(), Some("/srv"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    /// Volume name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// A host directory or file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_path: Option<HostPathVolumeSource>,
    /// An empty directory for the pod's lifetime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub empty_dir: Option<EmptyDirVolumeSource>,
    /// Not supported by a VM runtime without a cluster; kept so it can be reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_map: Option<serde_json::Value>,
    /// Not supported; kept so it can be reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<serde_json::Value>,
    /// Not supported; kept so it can be reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistent_volume_claim: Option<serde_json::Value>,
    /// Not supported; kept so it can be reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nfs: Option<serde_json::Value>,
    /// Not supported; kept so it can be reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projected: Option<serde_json::Value>,
    /// Not supported; kept so it can be reported.
    #[serde(rename = "downwardAPI", skip_serializing_if = "Option::is_none")]
    pub downward_api: Option<serde_json::Value>,
}

/// `hostPath` volume source.
///
/// # Examples
///
/// ```
/// let h: podspec::wire::k8s::HostPathVolumeSource =
///     serde_json::from_str(r#"{"path": "/d", "type": "Directory"}"#).unwrap();
/// assert_eq!(h.r#type.as_deref(), Some("Directory"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostPathVolumeSource {
    /// Host path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Str>,
    /// `""`, `DirectoryOrCreate`, `Directory`, `FileOrCreate`, `File`, ...
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub r#type: Option<Str>,
}

/// `emptyDir` volume source.
///
/// # Examples
///
/// ```
/// let e: podspec::wire::k8s::EmptyDirVolumeSource =
///     serde_json::from_str(r#"{"sizeLimit": "1Gi"}"#).unwrap();
/// assert_eq!(e.size_limit.unwrap().as_str(), "1Gi");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmptyDirVolumeSource {
    /// `""` or `Memory`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub medium: Option<Str>,
    /// Size limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_limit: Option<Quantity>,
}

/// A container (main or init).
///
/// # Examples
///
/// ```
/// let c: podspec::wire::k8s::Container = serde_json::from_str(
///     r#"{"name": "c", "restartPolicy": "Always", "args": ["-v"]}"#).unwrap();
/// assert_eq!(c.restart_policy.as_deref(), Some("Always"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// Name (a DNS-1123 label).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Str>,
    /// Entrypoint (replaces the image's ENTRYPOINT).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<Str>>,
    /// Arguments (replace the image's CMD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Str>>,
    /// Working directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<Str>,
    /// Environment variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<EnvVar>>,
    /// Ports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<ContainerPort>>,
    /// Resource limits and requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Volume mounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_mounts: Option<Vec<VolumeMount>>,
    /// Liveness probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<Probe>,
    /// Readiness probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<Probe>,
    /// Startup probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    /// postStart and preStop hooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    /// Allocate a TTY.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    /// Keep stdin open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stdin: Option<bool>,
    /// Close stdin after the first attach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stdin_once: Option<bool>,
    /// Container restart policy: `Always` on an init container makes it a sidecar; on main
    /// containers (`ContainerRestartRules`, 1.34+) `Always`, `OnFailure` or `Never`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<Str>,
    /// Exit-code rules overriding `restartPolicy` (1.34+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy_rules: Option<Vec<ContainerRestartRule>>,
    /// `Always`, `IfNotPresent` or `Never`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<Str>,
    /// `File` or `FallbackToLogsOnError`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_message_policy: Option<Str>,
    /// Path of the termination message file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_message_path: Option<Str>,
}

/// An environment variable.
///
/// # Examples
///
/// ```
/// let e: podspec::wire::k8s::EnvVar = serde_json::from_str(
///     r#"{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}"#).unwrap();
/// let path = e.value_from.unwrap().field_ref.unwrap().field_path;
/// assert_eq!(path.as_deref(), Some("metadata.name"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    /// Variable name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Value, with `$(VAR)` references expanded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Str>,
    /// A value taken from elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_from: Option<EnvVarSource>,
}

/// Where an environment value comes from: only `fieldRef` is honoured; the others are kept as
/// JSON values so that they can be reported.
///
/// # Examples
///
/// ```
/// let s: podspec::wire::k8s::EnvVarSource =
///     serde_json::from_str(r#"{"secretKeyRef": {"name": "s", "key": "k"}}"#).unwrap();
/// assert!(s.secret_key_ref.is_some() && s.field_ref.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvVarSource {
    /// A field of the pod (`metadata.name`, `metadata.namespace`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_ref: Option<ObjectFieldSelector>,
    /// Not supported; kept so it can be reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_field_ref: Option<serde_json::Value>,
    /// Not supported; kept so it can be reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_map_key_ref: Option<serde_json::Value>,
    /// Not supported; kept so it can be reported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key_ref: Option<serde_json::Value>,
}

/// A field selector (`fieldRef`).
///
/// # Examples
///
/// ```
/// let f: podspec::wire::k8s::ObjectFieldSelector =
///     serde_json::from_str(r#"{"fieldPath": "metadata.name"}"#).unwrap();
/// assert_eq!(f.api_version, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectFieldSelector {
    /// Schema version of the path, default `v1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<Str>,
    /// Path of the field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_path: Option<Str>,
}

/// A container port.
///
/// # Examples
///
/// ```
/// let p: podspec::wire::k8s::ContainerPort =
///     serde_json::from_str(r#"{"containerPort": 80, "hostIP": "0.0.0.0"}"#).unwrap();
/// assert_eq!(p.host_ip.as_deref(), Some("0.0.0.0"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    /// Port name (an IANA service name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Port in the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_port: Option<i32>,
    /// Port on the host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_port: Option<i32>,
    /// Host address to bind.
    #[serde(rename = "hostIP", skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<Str>,
    /// `TCP` (default), `UDP`, `SCTP`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Str>,
}

/// Resource limits and requests: resource name to quantity.
///
/// # Examples
///
/// ```
/// let r: podspec::wire::k8s::ResourceRequirements =
///     serde_json::from_str(r#"{"requests": {"cpu": 0.5}}"#).unwrap();
/// assert_eq!(r.requests.unwrap()["cpu"].as_str(), "0.5");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRequirements {
    /// Limits (`cpu`, `memory`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<BTreeMap<Str, Quantity>>,
    /// Requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<BTreeMap<Str, Quantity>>,
}

/// A volume mount.
///
/// # Examples
///
/// ```
/// let m: podspec::wire::k8s::VolumeMount =
///     serde_json::from_str(r#"{"name": "d", "mountPath": "/d", "subPath": "x"}"#).unwrap();
/// assert_eq!(m.sub_path.as_deref(), Some("x"));
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
    /// Mount read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Path within the volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_path: Option<Str>,
}

/// A probe: one handler plus timing and thresholds.
///
/// # Examples
///
/// ```
/// let p: podspec::wire::k8s::Probe = serde_json::from_str(
///     r#"{"httpGet": {"path": "/", "port": "http"}, "failureThreshold": 3}"#).unwrap();
/// let port = p.http_get.unwrap().port.unwrap();
/// assert_eq!(port, podspec::wire::IntOrString::String("http".into()));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    /// Run a command in the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecAction>,
    /// HTTP GET.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HttpGetAction>,
    /// TCP connect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_socket: Option<TcpSocketAction>,
    /// gRPC health check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grpc: Option<GrpcAction>,
    /// Delay before the first probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<i32>,
    /// Probe period; default 10.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<i32>,
    /// Probe timeout; default 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i32>,
    /// Successes to become healthy; default 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_threshold: Option<i32>,
    /// Failures to become unhealthy; default 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<i32>,
    /// Grace period when this probe kills the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<i64>,
}

/// `exec` handler.
///
/// # Examples
///
/// ```
/// let e: podspec::wire::k8s::ExecAction =
///     serde_json::from_str(r#"{"command": ["true"]}"#).unwrap();
/// assert_eq!(e.command.unwrap(), ["true"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecAction {
    /// Command line (not run in a shell).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<Str>>,
}

/// `httpGet` handler.
///
/// # Examples
///
/// ```
/// let h: podspec::wire::k8s::HttpGetAction = serde_json::from_str(
///     r#"{"port": 80, "httpHeaders": [{"name": "X", "value": "1"}]}"#).unwrap();
/// assert_eq!(h.http_headers.unwrap()[0].name.as_deref(), Some("X"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpGetAction {
    /// Request path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Str>,
    /// Port number or name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<IntOrString>,
    /// Host; default the pod IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<Str>,
    /// `HTTP` (default) or `HTTPS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<Str>,
    /// Extra request headers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_headers: Option<Vec<HttpHeader>>,
}

/// An HTTP header.
///
/// # Examples
///
/// ```
/// let h: podspec::wire::k8s::HttpHeader =
///     serde_json::from_str(r#"{"name": "A", "value": "b"}"#).unwrap();
/// assert_eq!(h.value.as_deref(), Some("b"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpHeader {
    /// Header name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Header value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Str>,
}

/// `tcpSocket` handler.
///
/// # Examples
///
/// ```
/// let t: podspec::wire::k8s::TcpSocketAction =
///     serde_json::from_str(r#"{"port": 6379}"#).unwrap();
/// assert_eq!(t.port, Some(podspec::wire::IntOrString::Int(6379)));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TcpSocketAction {
    /// Port number or name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<IntOrString>,
    /// Host; default the pod IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<Str>,
}

/// `grpc` handler.
///
/// # Examples
///
/// ```
/// let g: podspec::wire::k8s::GrpcAction = serde_json::from_str(r#"{"port": 9000}"#).unwrap();
/// assert_eq!(g.port, Some(9000));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrpcAction {
    /// Port number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// Service name for the health request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<Str>,
}

/// Lifecycle hooks.
///
/// # Examples
///
/// ```
/// let l: podspec::wire::k8s::Lifecycle =
///     serde_json::from_str(r#"{"preStop": {"sleep": {"seconds": 5}}}"#).unwrap();
/// assert_eq!(l.pre_stop.unwrap().sleep.unwrap().seconds, Some(5));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Lifecycle {
    /// Runs right after the container starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_start: Option<LifecycleHandler>,
    /// Runs before the container is stopped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_stop: Option<LifecycleHandler>,
}

/// A hook handler: exactly one of `exec`, `httpGet`, `tcpSocket`, `sleep` (checked by validation).
///
/// # Examples
///
/// ```
/// let h: podspec::wire::k8s::LifecycleHandler =
///     serde_json::from_str(r#"{"exec": {"command": ["sync"]}}"#).unwrap();
/// assert!(h.exec.is_some());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleHandler {
    /// Run a command.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecAction>,
    /// HTTP GET.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HttpGetAction>,
    /// TCP connect (deprecated for hooks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_socket: Option<TcpSocketAction>,
    /// Sleep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sleep: Option<SleepAction>,
}

/// `sleep` handler.
///
/// # Examples
///
/// ```
/// let s: podspec::wire::k8s::SleepAction = serde_json::from_str(r#"{"seconds": 1}"#).unwrap();
/// assert_eq!(s.seconds, Some(1));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SleepAction {
    /// Seconds to sleep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<i64>,
}

/// A container restart rule (1.34+).
///
/// # Examples
///
/// ```
/// let r: podspec::wire::k8s::ContainerRestartRule = serde_json::from_str(
///     r#"{"action": "Restart", "exitCodes": {"operator": "In", "values": [42]}}"#).unwrap();
/// assert_eq!(r.exit_codes.unwrap().values.unwrap(), [42]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerRestartRule {
    /// `Restart`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Str>,
    /// Which exit codes the rule matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_codes: Option<ContainerRestartRuleOnExitCodes>,
}

/// Exit codes a restart rule matches.
///
/// # Examples
///
/// ```
/// let e: podspec::wire::k8s::ContainerRestartRuleOnExitCodes =
///     serde_json::from_str(r#"{"operator": "NotIn", "values": [0]}"#).unwrap();
/// assert_eq!(e.operator.as_deref(), Some("NotIn"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerRestartRuleOnExitCodes {
    /// `In` or `NotIn`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator: Option<Str>,
    /// Exit codes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<i32>>,
}

/// Pod status.
///
/// # Examples
///
/// ```
/// let s: podspec::wire::k8s::PodStatus =
///     serde_json::from_str(r#"{"phase": "Running", "podIP": "10.0.0.5"}"#).unwrap();
/// assert_eq!(s.phase.as_deref(), Some("Running"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus {
    /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<Str>,
    /// Conditions (`Ready`, `Initialized`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<PodCondition>>,
    /// Human-readable detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Str>,
    /// Machine-readable reason (`Evicted`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Str>,
    /// Host address.
    #[serde(rename = "hostIP", skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<Str>,
    /// Pod address.
    #[serde(rename = "podIP", skip_serializing_if = "Option::is_none")]
    pub pod_ip: Option<Str>,
    /// When the pod was accepted (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Str>,
    /// QoS class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qos_class: Option<Str>,
    /// Init container statuses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_container_statuses: Option<Vec<ContainerStatus>>,
    /// Main container statuses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_statuses: Option<Vec<ContainerStatus>>,
}

/// A pod condition.
///
/// # Examples
///
/// ```
/// let c: podspec::wire::k8s::PodCondition =
///     serde_json::from_str(r#"{"type": "Ready", "status": "True"}"#).unwrap();
/// assert_eq!(c.r#type.as_deref(), Some("Ready"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodCondition {
    /// Condition type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub r#type: Option<Str>,
    /// `True`, `False`, `Unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Str>,
    /// Reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Str>,
    /// Message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Str>,
    /// Last probe time (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_probe_time: Option<Str>,
    /// Last transition time (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Str>,
}

/// A container's status.
///
/// # Examples
///
/// ```
/// let s: podspec::wire::k8s::ContainerStatus = serde_json::from_str(
///     r#"{"name": "c", "restartCount": 2, "state": {"running": {}}}"#).unwrap();
/// assert!(s.state.unwrap().running.is_some());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    /// Container name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<ContainerState>,
    /// Previous termination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_state: Option<ContainerState>,
    /// Passed its readiness probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready: Option<bool>,
    /// Passed its startup probe (or has none and is running).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<bool>,
    /// Number of restarts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_count: Option<i32>,
    /// Image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Str>,
    /// Image id.
    #[serde(rename = "imageID", skip_serializing_if = "Option::is_none")]
    pub image_id: Option<Str>,
    /// Runtime container id.
    #[serde(rename = "containerID", skip_serializing_if = "Option::is_none")]
    pub container_id: Option<Str>,
}

/// A container state: exactly one of the three is set (checked by the phase crate).
///
/// # Examples
///
/// ```
/// let s: podspec::wire::k8s::ContainerState =
///     serde_json::from_str(r#"{"terminated": {"exitCode": 137, "signal": 9}}"#).unwrap();
/// assert_eq!(s.terminated.unwrap().exit_code, Some(137));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerState {
    /// Not running yet (or backing off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting: Option<ContainerStateWaiting>,
    /// Running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub running: Option<ContainerStateRunning>,
    /// Finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terminated: Option<ContainerStateTerminated>,
}

/// A waiting container.
///
/// # Examples
///
/// ```
/// let w: podspec::wire::k8s::ContainerStateWaiting =
///     serde_json::from_str(r#"{"reason": "CrashLoopBackOff"}"#).unwrap();
/// assert_eq!(w.reason.as_deref(), Some("CrashLoopBackOff"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStateWaiting {
    /// Reason (`ContainerCreating`, `CrashLoopBackOff`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Str>,
    /// Message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Str>,
}

/// A running container.
///
/// # Examples
///
/// ```
/// let r: podspec::wire::k8s::ContainerStateRunning =
///     serde_json::from_str(r#"{"startedAt": "2024-01-01T00:00:00Z"}"#).unwrap();
/// assert!(r.started_at.is_some());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStateRunning {
    /// Start time (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Str>,
}

/// A terminated container.
///
/// # Examples
///
/// ```
/// let t: podspec::wire::k8s::ContainerStateTerminated =
///     serde_json::from_str(r#"{"exitCode": 0, "reason": "Completed"}"#).unwrap();
/// assert_eq!(t.exit_code, Some(0));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStateTerminated {
    /// Exit code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Terminating signal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    /// Reason (`Completed`, `Error`, `OOMKilled`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Str>,
    /// Message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Str>,
    /// Start time (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Str>,
    /// Finish time (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Str>,
    /// Runtime container id.
    #[serde(rename = "containerID", skip_serializing_if = "Option::is_none")]
    pub container_id: Option<Str>,
}
