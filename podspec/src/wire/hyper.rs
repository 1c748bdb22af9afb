//! Hyper's pod file (`UserPod`), 1.x names plus the legacy (v0.x) ones.
//!
//! Field names and types follow spec/hyper.md sections 1.2 to 1.6: hyperd 1.x's
//! `types/types.proto`, plus the legacy names a v0.x file may use (`name` for the pod id in YAML,
//! `logconfig`, a file's `contents`, a volume's `driver`, the volume option's `bytespersec` and
//! `iops`).
//!
//! # Decoding rules
//!
//! - **Keys match case-insensitively**, as Go's `encoding/json` matched them (exact match
//!   preferred), in JSON and in YAML alike: `containerport`, `serviceip`, `readonly` and
//!   `RestartPolicy` all reach their fields. The matching is ASCII case folding. This is done by
//!   [`crate::parse()`] before these types see the document; the types themselves (and their
//!   serialization) use the canonical names below.
//! - **Unknown keys are accepted** and reported as warnings with their path
//!   ([`crate::Warning`]); `--strict` turns them into errors. This deliberately departs from
//!   STYLE.md H8's `deny_unknown_fields` for Hyper: DESIGN.md says unknown fields are warnings,
//!   and old Hyper files (a v0.x `driver` read by 1.x) rely on being accepted.
//! - Type mismatches are errors, as in Go (`"memory": "128"` is rejected at `resource.memory`).
//! - YAML is read into these same types with the same strictness (a quoted number is a string).
//!   yaml.v2 used to coerce scalars into strings and ignored camelCase keys; we do neither.
//! - Every field is optional (`None` when absent); Go's zero values and the daemon's defaults
//!   are applied by `convert`, not here.
//!
//! # Examples
//!
//! ```
//! use podspec::wire::hyper::Pod;
//! let pod: Pod = serde_json::from_str(r#"{"id": "web", "containers": [{"image": "busybox"}]}"#)
//!     .unwrap();
//! assert_eq!(pod.id.as_deref(), Some("web"));
//! assert_eq!(pod.containers.unwrap()[0].image.as_deref(), Some("busybox"));
//! ```

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Str;

/// A Hyper pod (`UserPod`).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::{Pod, Resource};
/// let pod = Pod {
///     id: Some("p".into()),
///     resource: Some(Resource { vcpu: Some(2), memory: Some(256) }),
///     ..Pod::default()
/// };
/// let json = serde_json::to_value(&pod).unwrap();
/// assert_eq!(json, serde_json::json!({"id": "p", "resource": {"vcpu": 2, "memory": 256}}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pod {
    /// The pod id (1.x: the pod's id; v0.x: its name). Default: `pod-` + 10 random letters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Str>,
    /// Legacy (v0.x YAML) name of the pod id: yaml.v2 wrote the Go field `Name` as `name`.
    /// Ignored by 1.x; `convert` uses it when `id` is absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// The guest hostname; default: the id truncated to 63 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<Str>,
    /// Pod type (legacy: `"kubernetes"` for converted Kubernetes pods; ignored by 1.x).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub r#type: Option<Str>,
    /// Pod restart policy (`never`, `onFailure`, `always`). Also the legacy untagged Go field
    /// `RestartPolicy`, which is the same key under case-insensitive matching.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<Str>,
    /// Allocate a TTY for every container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    /// Pod labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<Str, Str>>,
    /// VM resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    /// Log driver configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<LogConfig>,
    /// Legacy (v0.x YAML) name of `log`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logconfig: Option<LogConfig>,
    /// DNS servers (IP addresses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns: Option<Vec<Str>>,
    /// resolv.conf options (v1.0+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_options: Option<Vec<Str>>,
    /// resolv.conf search domains (v1.0+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_search: Option<Vec<Str>>,
    /// The containers (may be empty since 1.x).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containers: Option<Vec<Container>>,
    /// Files that containers can reference by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<File>>,
    /// Volumes that containers can reference by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Vec<Volume>>,
    /// Network interfaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interfaces: Option<Vec<Interface>>,
    /// Services the pod can reach (load-balanced inside the VM).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<Service>>,
    /// Networks allowed to reach the port mappings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portmapping_white_lists: Option<PortmappingWhiteLists>,
    /// Host to pod port mappings (1.x).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portmappings: Option<Vec<PortMapping>>,
}

/// A container of a Hyper pod (`UserContainer`).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::Container;
/// let c: Container =
///     serde_json::from_str(r#"{"image": "busybox", "StopSignal": "SIGINT"}"#).unwrap();
/// assert_eq!(c.stop_signal.as_deref(), Some("SIGINT"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    /// Container name; default `<podId>-<imageName>-<index>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Image reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Str>,
    /// Working directory; default the image's, else `/`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workdir: Option<Str>,
    /// Replaces the image's CMD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<Str>>,
    /// Replaces the image's ENTRYPOINT when non-empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<Str>>,
    /// Container restart policy (`never`, `onFailure`, `always`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<Str>,
    /// Allocate a TTY (forced on when the pod's `tty` is set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    /// Kernel parameters for the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sysctl: Option<BTreeMap<Str, Str>>,
    /// Environment variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub envs: Option<Vec<EnvVar>>,
    /// Deprecated container ports, migrated into the pod's `portmappings`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<ContainerPort>>,
    /// Volume mounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Vec<VolumeRef>>,
    /// File mounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<FileRef>>,
    /// Overrides the image's USER.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// Container labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<Str, Str>>,
    /// An existing container id to load instead of creating one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Str>,
    /// Stop signal (the JSON key is capitalised); a `SIG` prefix is stripped. Default `TERM`.
    #[serde(rename = "StopSignal", skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<Str>,
    /// Resource limits (capitalised keys).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ulimits: Option<Vec<Ulimit>>,
    /// json-file log path override.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_path: Option<Str>,
    /// Read-only root filesystem (v1.0+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// Root filesystem cache mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<Str>,
}

/// VM resources of a pod (`resource`).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::Resource;
/// assert!(serde_json::from_str::<Resource>(r#"{"memory": "128"}"#).is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// Virtual CPUs; 0 or absent means 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcpu: Option<i32>,
    /// Memory in MiB; 0 or absent means 128.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<i32>,
}

/// Log driver configuration (`log`, legacy `logconfig`).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::LogConfig;
/// let l: LogConfig = serde_json::from_str(r#"{"type": "none"}"#).unwrap();
/// assert_eq!(l.r#type.as_deref(), Some("none"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogConfig {
    /// Driver name; empty means the daemon default, `none` disables logging.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub r#type: Option<Str>,
    /// Driver options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<BTreeMap<Str, Str>>,
}

/// An environment variable (`envs[]`).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::EnvVar;
/// let e: EnvVar = serde_json::from_str(r#"{"env": "A", "value": "1"}"#).unwrap();
/// assert_eq!(e.env.as_deref(), Some("A"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    /// Variable name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<Str>,
    /// Variable value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Str>,
}

/// A deprecated container port (`ports[]`), numbers rather than strings.
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::ContainerPort;
/// let p: ContainerPort = serde_json::from_str(r#"{"containerPort": 80}"#).unwrap();
/// assert_eq!(p.container_port, Some(80));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    /// Host port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_port: Option<i32>,
    /// Container port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_port: Option<i32>,
    /// Service port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_port: Option<i32>,
    /// `tcp` or `udp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Str>,
}

/// A container's reference to a volume (`volumes[]` of a container).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::VolumeRef;
/// let v: VolumeRef = serde_json::from_str(r#"{"volume": "data", "path": "/d"}"#).unwrap();
/// assert_eq!(v.volume.as_deref(), Some("data"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeRef {
    /// Mount point in the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Str>,
    /// Name of a pod volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<Str>,
    /// Mount read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// An inline volume, used instead of a pod volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<Volume>,
}

/// A container's reference to a file (`files[]` of a container).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::FileRef;
/// let f: FileRef = serde_json::from_str(r#"{"filename": "motd", "perm": "0644"}"#).unwrap();
/// assert_eq!(f.perm.as_deref(), Some("0644"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileRef {
    /// Target path; a trailing `/` gets the file name appended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<Str>,
    /// Name of a pod file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<Str>,
    /// Octal permission string, default `0755`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub perm: Option<Str>,
    /// Numeric uid, as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Str>,
    /// Numeric gid, as a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<Str>,
    /// An inline file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<File>,
}

/// The user a container runs as (`user`).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::User;
/// let u: User = serde_json::from_str(r#"{"name": "nobody"}"#).unwrap();
/// assert_eq!(u.name.as_deref(), Some("nobody"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// User name or uid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Group name or gid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<Str>,
    /// Supplementary groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_groups: Option<Vec<Str>>,
}

/// A resource limit (`ulimits[]`), with Go's capitalised keys.
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::Ulimit;
/// let u: Ulimit = serde_json::from_str(r#"{"Name": "nofile", "Hard": 1024, "Soft": 512}"#).unwrap();
/// assert_eq!(u.hard, Some(1024));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Ulimit {
    /// Limit name (`nofile`, ...), lower-cased into the rlimit type.
    #[serde(rename = "Name", skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Hard limit.
    #[serde(rename = "Hard", skip_serializing_if = "Option::is_none")]
    pub hard: Option<u64>,
    /// Soft limit.
    #[serde(rename = "Soft", skip_serializing_if = "Option::is_none")]
    pub soft: Option<u64>,
}

/// A pod file (`files[]`, `UserFile`).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::File;
/// let f: File = serde_json::from_str(r#"{"name": "t", "contents": "x"}"#).unwrap();
/// assert_eq!(f.contents.as_deref(), Some("x"));
/// assert_eq!(f.content, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct File {
    /// File name, referenced by containers' `filename`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// `raw` (default) or `base64`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Str>,
    /// `http(s)://` or `file:///` source; takes precedence over `content`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<Str>,
    /// Inline content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<Str>,
    /// Legacy (v0.x YAML) name of `content`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contents: Option<Str>,
}

/// A pod volume (`volumes[]`, `UserVolume`).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::Volume;
/// let v: Volume = serde_json::from_str(r#"{"name": "d", "source": "/s", "driver": "vfs"}"#)
///     .unwrap();
/// assert_eq!(v.driver.as_deref(), Some("vfs"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    /// Volume name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Str>,
    /// Host path, image file or `host:/export`; empty creates an empty volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Str>,
    /// `raw`, `qcow2`, `vdi`, `vfs`, `rbd`, `nas` or empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<Str>,
    /// Legacy (v0.x) name of `format`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<Str>,
    /// Filesystem type (`nfs` for `nas`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fstype: Option<Str>,
    /// Cache mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<Str>,
    /// rbd options (and legacy rate limits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub option: Option<VolumeOption>,
}

/// Volume options (`option`).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::VolumeOption;
/// let o: VolumeOption = serde_json::from_str(r#"{"monitors": ["m1"], "iops": 10}"#).unwrap();
/// assert_eq!(o.iops, Some(10));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeOption {
    /// rbd user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Str>,
    /// rbd keyring.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyring: Option<Str>,
    /// rbd monitors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitors: Option<Vec<Str>>,
    /// Legacy byte rate limit.
    #[serde(rename = "bytespersec", skip_serializing_if = "Option::is_none")]
    pub bytes_per_sec: Option<i64>,
    /// Legacy I/O operations limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iops: Option<i64>,
}

/// A network interface (`interfaces[]`).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::Interface;
/// let i: Interface = serde_json::from_str(r#"{"bridge": "br0", "mtu": 1500}"#).unwrap();
/// assert_eq!(i.mtu, Some(1500));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Interface {
    /// Host bridge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bridge: Option<Str>,
    /// Address in CIDR form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<Str>,
    /// Interface name in the guest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ifname: Option<Str>,
    /// MAC address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac: Option<Str>,
    /// MTU.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u64>,
    /// Gateway (at most one interface has one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<Str>,
    /// Interface id; default "1", "2", ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Str>,
}

/// A service (`services[]`).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::Service;
/// let s: Service = serde_json::from_str(r#"{"serviceIP": "10.0.0.1", "servicePort": 80}"#)
///     .unwrap();
/// assert_eq!(s.service_ip.as_deref(), Some("10.0.0.1"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// Service address.
    #[serde(rename = "serviceIP", skip_serializing_if = "Option::is_none")]
    pub service_ip: Option<Str>,
    /// `tcp` or `udp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Str>,
    /// Service port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_port: Option<i32>,
    /// Backends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hosts: Option<Vec<ServiceHost>>,
}

/// A service backend (`hosts[]`).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::ServiceHost;
/// let h: ServiceHost = serde_json::from_str(r#"{"hostIP": "1.2.3.4", "hostPort": 8}"#).unwrap();
/// assert_eq!(h.host_port, Some(8));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceHost {
    /// Backend address.
    #[serde(rename = "hostIP", skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<Str>,
    /// Backend port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_port: Option<i32>,
}

/// Networks allowed to use the port mappings (`portmappingWhiteLists`).
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::PortmappingWhiteLists;
/// let w: PortmappingWhiteLists =
///     serde_json::from_str(r#"{"internalNetworks": ["10.0.0.0/8"]}"#).unwrap();
/// assert_eq!(w.internal_networks.unwrap().len(), 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortmappingWhiteLists {
    /// Internal networks (CIDR).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_networks: Option<Vec<Str>>,
    /// External networks (CIDR).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_networks: Option<Vec<Str>>,
}

/// A host to pod port mapping (`portmappings[]`): ports are strings, `"N"` or `"A-B"`.
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper::PortMapping;
/// let p: PortMapping =
///     serde_json::from_str(r#"{"containerPort": "80", "hostPort": "8000-8010"}"#).unwrap();
/// assert_eq!(p.host_port.as_deref(), Some("8000-8010"));
/// assert!(serde_json::from_str::<PortMapping>(r#"{"containerPort": 80}"#).is_err());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PortMapping {
    /// Container port or range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_port: Option<Str>,
    /// Host port or range; empty means `1025-65535`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_port: Option<Str>,
    /// `tcp` (default) or `udp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Str>,
}
