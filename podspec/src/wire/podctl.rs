//! apourchet/pod-controller's `PodSpec` (spec/hyper.md section 6.1).
//!
//! Containers carry an OCI runtime spec: `process` {`args`, `env`, `cwd`, `terminal`, `user`}
//! is typed, the rest of the OCI spec (`root`, `mounts`, `linux`, `hooks`, `annotations`) is kept
//! loosely as JSON values. A probe's `exec` is a **plain string array**, not Kubernetes'
//! `{command: [...]}`. Keys match **case-insensitively**, as Go's `encoding/json` did.
//!
//! pod-controller's `cmd/main.go` fell back to YAML when a spec was not valid JSON. The README's
//! example (seeds/002) has a trailing comma after `"args": [...]`, which JSON rejects; we do the
//! same fallback for every format (see [`crate::parse()`]): text that is not valid JSON but is valid
//! YAML is read as YAML, with a warning that quotes the JSON error's line and column.
//!
//! # Examples
//!
//! ```
//! use podspec::wire::podctl::PodSpec;
//! let spec: PodSpec = serde_json::from_str(r#"{"containers": [{"name": "main",
//!     "spec": {"process": {"args": ["sleep", "1000"]}},
//!     "livenessProbe": {"exec": ["cat", "/tmp/health"], "failureThreshold": 3}}]}"#).unwrap();
//! let c = &spec.containers.unwrap()[0];
//! assert_eq!(c.liveness_probe.as_ref().unwrap().exec.as_ref().unwrap()[0], "cat");
//! ```

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Str;

/// A pod-controller pod spec.
///
/// # Examples
///
/// ```
/// let s: podspec::wire::podctl::PodSpec =
///     serde_json::from_str(r#"{"initContainers": [{"spec": {}}]}"#).unwrap();
/// assert_eq!(s.init_containers.unwrap().len(), 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    /// Run one after the other, to completion, before the containers start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_containers: Option<Vec<InitContainer>>,
    /// Run together and health-checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containers: Option<Vec<Container>>,
}

/// An init container.
///
/// # Examples
///
/// ```
/// let c: podspec::wire::podctl::InitContainer =
///     serde_json::from_str(r#"{"name": "init", "metadata": {"k": 1}}"#).unwrap();
/// assert_eq!(c.metadata.unwrap()["k"], 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitContainer {
    /// Name (containers are keyed by name; two unnamed init containers collide).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// OCI runtime spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<OciSpec>,
    /// Free-form metadata handed to the runtime plugin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, serde_json::Value>>,
}

/// A main container.
///
/// # Examples
///
/// ```
/// let c: podspec::wire::podctl::Container =
///     serde_json::from_str(r#"{"name": "m", "readinessProbe": {"periodSeconds": 2}}"#).unwrap();
/// assert_eq!(c.readiness_probe.unwrap().period_seconds, Some(2));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// OCI runtime spec.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<OciSpec>,
    /// Liveness probe (decides the health bit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<Probe>,
    /// Readiness probe (never affects health).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<Probe>,
    /// Free-form metadata handed to the runtime plugin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, serde_json::Value>>,
}

/// The OCI runtime spec of a container: `process` typed, the rest kept loosely.
///
/// # Examples
///
/// ```
/// let s: podspec::wire::podctl::OciSpec = serde_json::from_str(
///     r#"{"ociVersion": "1.0.2", "root": {"path": "rootfs"}}"#).unwrap();
/// assert_eq!(s.root.unwrap()["path"], "rootfs");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OciSpec {
    /// OCI spec version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oci_version: Option<Str>,
    /// The process to run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<Process>,
    /// Root filesystem (kept loosely).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<serde_json::Value>,
    /// Hostname.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<Str>,
    /// Mounts (kept loosely).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mounts: Option<serde_json::Value>,
    /// Hooks (kept loosely).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hooks: Option<serde_json::Value>,
    /// Annotations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<Str, Str>>,
    /// Linux-specific configuration (kept loosely).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linux: Option<serde_json::Value>,
}

/// The OCI `process`.
///
/// # Examples
///
/// ```
/// let p: podspec::wire::podctl::Process = serde_json::from_str(
///     r#"{"args": ["sh"], "env": ["A=1"], "cwd": "/", "terminal": true}"#).unwrap();
/// assert_eq!(p.env.unwrap(), ["A=1"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Process {
    /// Command line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Str>>,
    /// Environment, `KEY=value` strings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<Str>>,
    /// Working directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwd: Option<Str>,
    /// Allocate a terminal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terminal: Option<bool>,
    /// User to run as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
}

/// The OCI process user.
///
/// # Examples
///
/// ```
/// let u: podspec::wire::podctl::User =
///     serde_json::from_str(r#"{"uid": 0, "gid": 0, "additionalGids": [10]}"#).unwrap();
/// assert_eq!(u.additional_gids.unwrap(), [10]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// User id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// Group id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<u32>,
    /// Supplementary group ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_gids: Option<Vec<u32>>,
    /// User name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<Str>,
}

/// A pod-controller probe. Omitted numbers are 0 in pod-controller (a failure threshold of 0
/// gives up on the first tick); `convert` decides the defaults.
///
/// # Examples
///
/// ```
/// let p: podspec::wire::podctl::Probe = serde_json::from_str(
///     r#"{"httpGet": {"host": "localhost", "port": 8080, "path": "/", "scheme": "http"}}"#)
///     .unwrap();
/// assert_eq!(p.http_get.unwrap().port, Some(8080));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    /// Command line, a plain string array.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec: Option<Vec<Str>>,
    /// HTTP GET; success iff status 200.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HttpGet>,
    /// Delay before the first check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<i64>,
    /// Check period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<i64>,
    /// Check timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i64>,
    /// Successes to become healthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_threshold: Option<i64>,
    /// Failures to give up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<i64>,
}

/// A pod-controller HTTP check: `scheme://host:port/path`.
///
/// # Examples
///
/// ```
/// let h: podspec::wire::podctl::HttpGet =
///     serde_json::from_str(r#"{"path": "/healthy"}"#).unwrap();
/// assert_eq!(h.scheme, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpGet {
    /// Host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<Str>,
    /// Path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Str>,
    /// Port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// `http` or `https`; empty makes a bad URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<Str>,
}
