//! The domain model: one [`Pod`] type for what any of the four formats can say, with closed
//! enums, newtypes where a value has rules, and every format's defaults already applied.
//!
//! Wire types ([`crate::wire`]) mirror documents and keep everything optional and stringly;
//! `convert` fills this model from them. The model is what the runtime acts on.
//!
//! # Invariants
//!
//! Enforced by types (a value of the type cannot break them):
//! - names: [`PodName`], [`ContainerName`], [`VolumeName`], [`FileName`], [`Hostname`],
//!   [`ImageRef`], [`PortName`] (see each for its rule), built with `TryFrom`;
//! - numbers: [`Port`] is 1..=65535, [`Vcpus`] and [`MemoryMib`] are at least 1, [`Memory`] and
//!   [`MilliCpu`] are non-negative, [`Signal`] is 1..=64, [`FileMode`] is 12 bits;
//! - enumerations are closed: [`RestartPolicy`], [`Protocol`], [`DnsPolicy`], [`Scheme`], ...;
//! - restart rules exist only with a container-level policy ([`ContainerRestart`]), and every
//!   rule has its exit codes ([`RestartRule`]);
//! - a [`PortMapping`] whose container side is a range has a host range of the same size.
//!
//! Checked by [`Pod::validate`] (cross-field rules; paths use the model's field names in
//! camelCase, such as `containers[1].volumeMounts[0].volume`):
//! - container names are unique across init and regular containers;
//! - volume names and file names are unique; mounts name existing volumes and files; mount
//!   paths are unique within a container; a sub-path is relative and has no `..`;
//! - environment variable names are non-empty printable ASCII without `=`;
//! - at most [`MAX_RESTART_RULES`] rules per container and [`MAX_RULE_EXIT_CODES`] codes per
//!   rule;
//! - init containers that are not sidecars have no probes and no hooks; readiness probes have
//!   no termination grace period; exec handlers have a command; a `sleep` hook lasts at most
//!   the pod's termination grace period;
//! - port names are unique within a container; a (protocol, host IP, host port) is used once
//!   across regular containers;
//!   services are unique by (IP, port, protocol); fixed port mappings ([`PortMapping::is_fixed`])
//!   of one protocol do not overlap on the host;
//! - the namespace is a DNS-1123 label; an active deadline is not zero.
//!
//! # Examples
//!
//! Building a pod by hand:
//!
//! ```
//! use podspec::Format;
//! use podspec::model::*;
//!
//! let mut pod = Pod::new(PodName::try_from("web").unwrap(), Source::new(Format::K8s));
//! assert_eq!(pod.restart_policy, RestartPolicy::Always); // Kubernetes' default
//!
//! let mut c = Container::new(
//!     ContainerName::try_from("nginx").unwrap(),
//!     Image::Reference(ImageRef::try_from("nginx:1.25").unwrap()),
//! );
//! c.volume_mounts.push(VolumeMount {
//!     volume: VolumeName::try_from("html").unwrap(),
//!     path: "/usr/share/nginx/html".into(),
//!     mode: MountMode::ReadOnly,
//!     sub_path: None,
//! });
//! c.liveness_probe = Some(Probe::new(ProbeHandler::HttpGet(HttpGet::new(
//!     PortRef::Number(Port::try_from(80).unwrap()),
//!     "/",
//! ))));
//! pod.containers.push(c);
//! assert_eq!(pod.validate()[0].to_string(),
//!     "containers[0].volumeMounts[0].volume: Not found: \"html\": no pod volume has this name");
//!
//! pod.volumes.push(Volume::new(
//!     VolumeName::try_from("html").unwrap(),
//!     VolumeSource::EmptyDir { medium: StorageMedium::Disk, size_limit: None },
//! ));
//! assert!(pod.validate().is_empty());
//! assert!(pod.source.lifetime == Lifetime::RemoveWhenFinished);
//! ```

mod container;
mod names;
mod probe;
mod resources;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

pub(crate) use container::find_hyper_perm;
pub use container::{
    Container, ContainerPort, ContainerRestart, EnvValue, EnvVar, ExitCodeOperator, FileMode,
    FileMount, Image, MAX_RESTART_RULES, MAX_RULE_EXIT_CODES, MountMode, PodField, Port, Protocol,
    RestartPolicy, RestartRule, RestartRuleAction, Signal, VolumeMount,
};
pub(crate) use names::check_image_ref;
pub use names::{
    ContainerName, FileName, Hostname, ImageRef, MAX_HOSTNAME_LEN, MAX_NAME_LEN, PodName, PortName,
    VolumeName,
};
pub use probe::{
    HookHandler, HttpGet, HttpHeader, HttpSuccess, Lifecycle, PortRef, Probe, ProbeHandler, Scheme,
    defaults as probe_defaults,
};
pub(crate) use resources::plain_scaled;
pub use resources::{Memory, MemoryMib, MilliCpu, ResourceList, Resources, Vcpus, VmResources};

use crate::{ErrorType, FieldError, FieldPath, Format};

/// What happens to a pod's record once it has finished.
///
/// # Examples
///
/// ```
/// use podspec::{Format, model::{Lifetime, Source}};
/// assert_eq!(Source::new(Format::Hyper).lifetime, Lifetime::KeepWhenFinished);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Lifetime {
    /// Stays in the pod list with its final status until removed.
    KeepWhenFinished,
    /// Removed once it finishes, and not restarted (Hyper's rule for pods from Kubernetes
    /// files; DESIGN.md).
    RemoveWhenFinished,
}

/// Where a pod came from: the facts conversion and the runtime need about its origin.
///
/// # Examples
///
/// ```
/// use podspec::{Format, model::{Lifetime, Source}};
/// let s = Source::new(Format::K8sV1beta1);
/// assert_eq!(s.lifetime, Lifetime::RemoveWhenFinished);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Source {
    /// The file format.
    pub format: Format,
    /// Kept or removed once finished.
    pub lifetime: Lifetime,
}

impl Source {
    /// The source of a file of `format`: Kubernetes files (v1 and v1beta1) are removed when
    /// finished, others kept. (A legacy Hyper file with `type: kubernetes` is a Kubernetes pod
    /// too; `convert` sets its lifetime.)
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::{Format, model::{Lifetime, Source}};
    /// assert_eq!(Source::new(Format::K8s).lifetime, Lifetime::RemoveWhenFinished);
    /// assert_eq!(Source::new(Format::PodController).lifetime, Lifetime::KeepWhenFinished);
    /// ```
    pub fn new(format: Format) -> Self {
        let lifetime = match format {
            Format::K8s | Format::K8sV1beta1 => Lifetime::RemoveWhenFinished,
            _ => Lifetime::KeepWhenFinished,
        };
        Self { format, lifetime }
    }

    /// The pod restart policy this format means when the file has none: `Always` for
    /// Kubernetes, `Never` for Hyper (which never restarted such pods) and pod-controller
    /// (which has no restarts).
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::{Format, model::{RestartPolicy, Source}};
    /// assert_eq!(Source::new(Format::Hyper).default_restart_policy(), RestartPolicy::Never);
    /// ```
    pub fn default_restart_policy(&self) -> RestartPolicy {
        match self.format {
            Format::K8s | Format::K8sV1beta1 => RestartPolicy::Always,
            _ => RestartPolicy::Never,
        }
    }
}

/// Where an `emptyDir` lives.
///
/// # Examples
///
/// ```
/// assert_eq!(podspec::model::StorageMedium::default(), podspec::model::StorageMedium::Disk);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StorageMedium {
    /// The node's (or VM's) disk.
    #[default]
    Disk,
    /// Memory (tmpfs).
    Memory,
}

/// A disk image format for block-backed volumes (Hyper's `format` `raw`, `qcow2`, `vdi`).
///
/// # Examples
///
/// ```
/// use podspec::model::ImageFormat;
/// assert_eq!("qcow2".parse::<ImageFormat>().unwrap(), ImageFormat::Qcow2);
/// assert!("vhd".parse::<ImageFormat>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageFormat {
    /// Raw image.
    Raw,
    /// QEMU copy-on-write image.
    Qcow2,
    /// VirtualBox image.
    Vdi,
}

impl FromStr for ImageFormat {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "raw" => Ok(Self::Raw),
            "qcow2" => Ok(Self::Qcow2),
            "vdi" => Ok(Self::Vdi),
            _ => Err(FieldError::new(
                FieldPath::root(),
                ErrorType::NotSupported,
                "supported values: \"raw\", \"qcow2\", \"vdi\"",
            )
            .with_value(s)),
        }
    }
}

/// A block device cache mode (Hyper's `cache`: QEMU's modes).
///
/// # Examples
///
/// ```
/// use podspec::model::CacheMode;
/// assert_eq!("writeback".parse::<CacheMode>().unwrap(), CacheMode::Writeback);
/// assert!("fast".parse::<CacheMode>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CacheMode {
    /// `off`.
    Off,
    /// `none`.
    None,
    /// `directsync`.
    DirectSync,
    /// `writeback`.
    Writeback,
    /// `unsafe`.
    Unsafe,
    /// `writethrough`.
    Writethrough,
}

/// Hyper's cache mode names, in its order.
pub(crate) const CACHE_MODES: [&str; 6] = [
    "off",
    "none",
    "directsync",
    "writeback",
    "unsafe",
    "writethrough",
];

impl FromStr for CacheMode {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "off" => Self::Off,
            "none" => Self::None,
            "directsync" => Self::DirectSync,
            "writeback" => Self::Writeback,
            "unsafe" => Self::Unsafe,
            "writethrough" => Self::Writethrough,
            _ => {
                return Err(FieldError::new(
                    FieldPath::root(),
                    ErrorType::NotSupported,
                    format!("supported values: \"{}\"", CACHE_MODES.join("\", \"")),
                )
                .with_value(s));
            }
        })
    }
}

/// What backs a pod volume.
///
/// # Examples
///
/// ```
/// use podspec::model::VolumeSource;
/// let v = VolumeSource::HostPath { path: "/srv/data".into() };
/// assert!(matches!(v, VolumeSource::HostPath { .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VolumeSource {
    /// A new empty directory for the pod's lifetime (Kubernetes `emptyDir`; a Hyper volume
    /// with an empty `source`).
    EmptyDir {
        /// Disk or memory.
        medium: StorageMedium,
        /// Size limit.
        size_limit: Option<Memory>,
    },
    /// A host file or directory shared into the VM (Kubernetes `hostPath`, v1beta1 `hostDir`,
    /// Hyper `vfs`).
    HostPath {
        /// The host path.
        path: String,
    },
    /// A disk image attached as a block device (Hyper `raw`, `qcow2`, `vdi`).
    BlockImage {
        /// The image file on the host.
        path: String,
        /// Its format.
        format: ImageFormat,
        /// The filesystem inside, if not the default (ext4).
        fstype: Option<String>,
    },
    /// A Ceph RBD image (Hyper `rbd`).
    Rbd {
        /// The image name.
        image: String,
        /// Ceph user.
        user: Option<String>,
        /// Keyring.
        keyring: Option<String>,
        /// Monitor addresses.
        monitors: Vec<String>,
    },
    /// An NFS export, `host:/export` (Hyper `nas`).
    Nfs {
        /// The export.
        export: String,
    },
}

/// A pod volume.
///
/// # Examples
///
/// ```
/// use podspec::model::{Volume, VolumeName, VolumeSource};
/// let v = Volume::new(VolumeName::try_from("d").unwrap(), VolumeSource::HostPath { path: "/d".into() });
/// assert!(v.cache.is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Volume {
    /// Name, unique in the pod.
    pub name: VolumeName,
    /// What backs it.
    pub source: VolumeSource,
    /// Cache mode for block-backed volumes.
    pub cache: Option<CacheMode>,
}

impl Volume {
    /// A volume with no cache mode.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{StorageMedium, Volume, VolumeName, VolumeSource};
    /// let v = Volume::new(
    ///     VolumeName::try_from("tmp").unwrap(),
    ///     VolumeSource::EmptyDir { medium: StorageMedium::Memory, size_limit: None },
    /// );
    /// assert_eq!(v.name, "tmp");
    /// ```
    pub fn new(name: VolumeName, source: VolumeSource) -> Self {
        Self {
            name,
            source,
            cache: None,
        }
    }
}

/// How a pod file's inline content is encoded.
///
/// # Examples
///
/// ```
/// assert_eq!(podspec::model::Encoding::default(), podspec::model::Encoding::Raw);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// The content as written (Hyper's default).
    #[default]
    Raw,
    /// Base64; Hyper writes the decodable prefix of malformed input.
    Base64,
}

/// Where a pod file's bytes come from.
///
/// # Examples
///
/// ```
/// use podspec::model::{Encoding, FileSource};
/// let s = FileSource::Inline { encoding: Encoding::Raw, content: "hello".into() };
/// assert!(matches!(s, FileSource::Inline { .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileSource {
    /// Fetched from `http(s)://` or read from `file:///` (takes precedence over content).
    Uri(String),
    /// Given in the pod file.
    Inline {
        /// Its encoding.
        encoding: Encoding,
        /// The content.
        content: String,
    },
}

/// A pod file (Hyper's `files[]`), placed into containers by [`FileMount`]s.
///
/// # Examples
///
/// ```
/// use podspec::model::{FileName, FileSource, PodFile};
/// let f = PodFile { name: FileName::try_from("f").unwrap(), source: FileSource::Uri("file:///etc/hosts".into()) };
/// assert_eq!(f.name, "f");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PodFile {
    /// Name, unique in the pod.
    pub name: FileName,
    /// Its bytes.
    pub source: FileSource,
}

/// A backend of a [`Service`].
///
/// # Examples
///
/// ```
/// use podspec::model::{Port, ServiceHost};
/// let h = ServiceHost { ip: "10.0.0.2".parse().unwrap(), port: Port::try_from(80).unwrap() };
/// assert_eq!(h.port.get(), 80);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ServiceHost {
    /// Address.
    pub ip: IpAddr,
    /// Port.
    pub port: Port,
}

/// A service the pod can reach (Hyper's `services[]`, load-balanced inside the VM).
///
/// # Examples
///
/// ```
/// use podspec::model::{Port, Protocol, Service};
/// let s = Service {
///     ip: "10.254.0.24".parse().unwrap(),
///     port: Port::try_from(2834).unwrap(),
///     protocol: Protocol::Tcp,
///     hosts: vec![],
/// };
/// assert!(s.ip.is_ipv4());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Service {
    /// The service address.
    pub ip: IpAddr,
    /// The service port.
    pub port: Port,
    /// Its protocol.
    pub protocol: Protocol,
    /// Backends.
    pub hosts: Vec<ServiceHost>,
}

/// How the pod's resolver is configured (Kubernetes' `dnsPolicy`).
///
/// # Examples
///
/// ```
/// use podspec::model::DnsPolicy;
/// assert_eq!("None".parse::<DnsPolicy>().unwrap(), DnsPolicy::None);
/// assert_eq!(DnsPolicy::default(), DnsPolicy::ClusterFirst);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DnsPolicy {
    /// The cluster's DNS, falling back to the host's (Kubernetes' default; with no cluster,
    /// the host's).
    #[default]
    ClusterFirst,
    /// Same, for host-network pods.
    ClusterFirstWithHostNet,
    /// The host's resolver configuration (Hyper without `dns`).
    Default,
    /// Only [`Dns::servers`], [`Dns::searches`] and [`Dns::options`] (Hyper with `dns`).
    None,
}

impl FromStr for DnsPolicy {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ClusterFirst" => Ok(Self::ClusterFirst),
            "ClusterFirstWithHostNet" => Ok(Self::ClusterFirstWithHostNet),
            "Default" => Ok(Self::Default),
            "None" => Ok(Self::None),
            _ => Err(FieldError::new(
                FieldPath::root(),
                ErrorType::NotSupported,
                "supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"",
            )
            .with_value(s)),
        }
    }
}

/// The pod's resolver.
///
/// # Examples
///
/// ```
/// use podspec::model::{Dns, DnsPolicy};
/// let d = Dns { policy: DnsPolicy::None, servers: vec!["8.8.8.8".parse().unwrap()], ..Default::default() };
/// assert_eq!(d.servers.len(), 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Dns {
    /// Policy.
    pub policy: DnsPolicy,
    /// Name servers.
    pub servers: Vec<IpAddr>,
    /// Search domains.
    pub searches: Vec<String>,
    /// Resolver options.
    pub options: Vec<String>,
}

/// A range of ports, `first..=last`.
///
/// Parses Hyper's strings: `"N"`, `"A-B"` (A ≤ B), and `""`, which means `1025-65535`.
///
/// # Examples
///
/// ```
/// use podspec::model::PortRange;
/// let r: PortRange = "8000-8010".parse().unwrap();
/// assert_eq!((r.first().get(), r.last().get(), r.len()), (8000, 8010, 11));
/// assert_eq!("".parse::<PortRange>().unwrap().to_string(), "1025-65535");
/// assert!("90-80".parse::<PortRange>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PortRange {
    first: Port,
    last: Port,
}

impl PortRange {
    /// The range `first..=last`.
    ///
    /// # Errors
    ///
    /// `last < first`, with Hyper's message.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{Port, PortRange};
    /// let p = |n| Port::try_from(n).unwrap();
    /// assert!(PortRange::new(p(5), p(5)).is_ok());
    /// assert!(PortRange::new(p(6), p(5)).is_err());
    /// ```
    pub fn new(first: Port, last: Port) -> Result<Self, FieldError> {
        if last < first {
            return Err(FieldError::new(
                FieldPath::root(),
                ErrorType::Invalid,
                format!("max {} is smaller than min {}", last, first),
            )
            .with_value(format!("{first}-{last}")));
        }
        Ok(Self { first, last })
    }

    /// One port.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{Port, PortRange};
    /// assert_eq!(PortRange::single(Port::try_from(80).unwrap()).len(), 1);
    /// ```
    pub fn single(port: Port) -> Self {
        Self {
            first: port,
            last: port,
        }
    }

    /// The first port.
    ///
    /// # Examples
    ///
    /// ```
    /// let r: podspec::model::PortRange = "1-2".parse().unwrap();
    /// assert_eq!(r.first().get(), 1);
    /// ```
    pub fn first(&self) -> Port {
        self.first
    }

    /// The last port.
    ///
    /// # Examples
    ///
    /// ```
    /// let r: podspec::model::PortRange = "1-2".parse().unwrap();
    /// assert_eq!(r.last().get(), 2);
    /// ```
    pub fn last(&self) -> Port {
        self.last
    }

    /// How many ports.
    ///
    /// # Examples
    ///
    /// ```
    /// let r: podspec::model::PortRange = "7".parse().unwrap();
    /// assert_eq!(r.len(), 1);
    /// ```
    #[allow(clippy::len_without_is_empty)] // a range is never empty
    pub fn len(&self) -> u32 {
        u32::from(self.last.get()) - u32::from(self.first.get()) + 1
    }

    /// Whether two ranges share a port.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::PortRange;
    /// let a: PortRange = "10-20".parse().unwrap();
    /// assert!(a.overlaps(&"20-30".parse().unwrap()));
    /// assert!(!a.overlaps(&"21".parse().unwrap()));
    /// ```
    pub fn overlaps(&self, other: &Self) -> bool {
        self.first <= other.last && other.first <= self.last
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

impl FromStr for PortRange {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let port = |t: &str| -> Result<Port, FieldError> {
            let n: u16 = t.parse().map_err(|_| {
                FieldError::new(
                    FieldPath::root(),
                    ErrorType::Invalid,
                    format!("strconv.ParseUint: parsing {t:?}: invalid syntax or out of range"),
                )
                .with_value(s)
            })?;
            Port::try_from(i64::from(n)).map_err(|e| e.with_value(s))
        };
        if s.is_empty() {
            return Self::new(port("1025")?, port("65535")?);
        }
        match s.split_once('-') {
            Some((a, b)) => Self::new(port(a)?, port(b)?),
            None => Ok(Self::single(port(s)?)),
        }
    }
}

/// A host-to-pod port forward (Hyper's `portmappings[]`).
///
/// Invariant (checked by [`PortMapping::new`]): when the container side is a range, the host
/// side is a range of the same size. A single container port with a host range means "any free
/// host port in the range".
///
/// # Examples
///
/// ```
/// use podspec::model::{PortMapping, Protocol};
/// let m = PortMapping::new(Protocol::Tcp, "80".parse().unwrap(), "8080".parse().unwrap()).unwrap();
/// assert_eq!(m.host().first().get(), 8080);
/// assert!(PortMapping::new(Protocol::Tcp, "80-81".parse().unwrap(), "8080".parse().unwrap()).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PortMapping {
    protocol: Protocol,
    container: PortRange,
    host: PortRange,
}

impl PortMapping {
    /// A mapping.
    ///
    /// # Errors
    ///
    /// A container range whose size differs from the host range's (Hyper's
    /// `port range mismatch`).
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{PortMapping, Protocol};
    /// let m = PortMapping::new(Protocol::Udp, "53".parse().unwrap(), "".parse().unwrap());
    /// assert!(m.is_ok()); // any free host port from 1025
    /// ```
    pub fn new(
        protocol: Protocol,
        container: PortRange,
        host: PortRange,
    ) -> Result<Self, FieldError> {
        if container.len() > 1 && container.len() != host.len() {
            return Err(FieldError::new(
                FieldPath::root(),
                ErrorType::Invalid,
                format!("port range mismatch: {host} vs {container}"),
            ));
        }
        Ok(Self {
            protocol,
            container,
            host,
        })
    }

    /// The protocol.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{PortMapping, Protocol};
    /// let m = PortMapping::new(Protocol::Udp, "53".parse().unwrap(), "53".parse().unwrap()).unwrap();
    /// assert_eq!(m.protocol(), Protocol::Udp);
    /// ```
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The pod side.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{PortMapping, Protocol};
    /// let m = PortMapping::new(Protocol::Tcp, "80".parse().unwrap(), "8080".parse().unwrap()).unwrap();
    /// assert_eq!(m.container().to_string(), "80");
    /// ```
    pub fn container(&self) -> PortRange {
        self.container
    }

    /// The host side.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{PortMapping, Protocol};
    /// let m = PortMapping::new(Protocol::Tcp, "80".parse().unwrap(), "8080".parse().unwrap()).unwrap();
    /// assert_eq!(m.host().to_string(), "8080");
    /// ```
    pub fn host(&self) -> PortRange {
        self.host
    }

    /// Whether the host ports are fixed: the host side has as many ports as the container
    /// side. Otherwise (one container port, a host range) a free host port of the range is
    /// picked when the rule is installed.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{PortMapping, Protocol};
    /// let fixed = PortMapping::new(Protocol::Tcp, "80".parse().unwrap(), "8080".parse().unwrap()).unwrap();
    /// let any = PortMapping::new(Protocol::Tcp, "80".parse().unwrap(), "".parse().unwrap()).unwrap();
    /// assert!(fixed.is_fixed() && !any.is_fixed());
    /// ```
    pub fn is_fixed(&self) -> bool {
        self.host.len() == self.container.len()
    }
}

/// Whether Kubernetes' service environment variables are injected (`enableServiceLinks`).
///
/// # Examples
///
/// ```
/// use podspec::model::ServiceLinks;
/// assert_eq!(ServiceLinks::default(), ServiceLinks::Enabled);
/// assert_eq!(ServiceLinks::from(false), ServiceLinks::Disabled);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServiceLinks {
    /// Inject `NAME_SERVICE_HOST` and friends for every visible service (the default).
    #[default]
    Enabled,
    /// Inject only the API server's variables.
    Disabled,
}

impl From<bool> for ServiceLinks {
    /// `enableServiceLinks: true` is [`ServiceLinks::Enabled`].
    fn from(enabled: bool) -> Self {
        if enabled {
            Self::Enabled
        } else {
            Self::Disabled
        }
    }
}

/// Kubernetes' default `terminationGracePeriodSeconds`.
pub const DEFAULT_TERMINATION_GRACE_PERIOD: Duration = Duration::from_secs(30);

/// A pod: everything any of the formats can say, with that format's defaults applied.
///
/// Fields are public; newtypes keep single values valid, and [`Pod::validate`] checks the
/// rules between fields (see the module doc).
///
/// # Examples
///
/// ```
/// use podspec::{Format, model::*};
/// let pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::Hyper));
/// assert_eq!(pod.namespace, "default");
/// assert_eq!(pod.restart_policy, RestartPolicy::Never);
/// assert_eq!(pod.termination_grace_period.as_secs(), 30);
/// assert!(pod.validate().is_empty());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pod {
    /// Name (Kubernetes `metadata.name`, Hyper `id`).
    pub name: PodName,
    /// Namespace (`default` unless the file says otherwise: files are not API requests).
    pub namespace: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    pub annotations: BTreeMap<String, String>,
    /// Hostname; `None` is the pod name truncated to 63 bytes.
    pub hostname: Option<Hostname>,
    /// Init containers, run in order before the regular ones (sidecars keep running).
    pub init_containers: Vec<Container>,
    /// Regular containers.
    pub containers: Vec<Container>,
    /// The pod's restart policy.
    pub restart_policy: RestartPolicy,
    /// Volumes.
    pub volumes: Vec<Volume>,
    /// Files (Hyper).
    pub files: Vec<PodFile>,
    /// Resolver.
    pub dns: Dns,
    /// Services reachable from the pod (Hyper).
    pub services: Vec<Service>,
    /// Host-to-pod port forwards (Hyper).
    pub port_mappings: Vec<PortMapping>,
    /// The VM's size.
    pub resources: VmResources,
    /// How long the pod may run before it is failed (`activeDeadlineSeconds`).
    pub active_deadline: Option<Duration>,
    /// Time between the stop signal and SIGKILL.
    pub termination_grace_period: Duration,
    /// Service environment variables.
    pub service_links: ServiceLinks,
    /// Where it came from.
    pub source: Source,
}

impl Pod {
    /// An empty pod of `source`'s format, with that format's defaults: restart policy per
    /// [`Source::default_restart_policy`], namespace `default`, a 30 s grace period, a
    /// 1-vCPU 128 MiB VM, service links on.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::{Format, model::*};
    /// let pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
    /// assert!(pod.containers.is_empty());
    /// assert_eq!(pod.resources, VmResources::default());
    /// ```
    pub fn new(name: PodName, source: Source) -> Self {
        Self {
            name,
            namespace: "default".to_owned(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            hostname: None,
            init_containers: Vec::new(),
            containers: Vec::new(),
            restart_policy: source.default_restart_policy(),
            volumes: Vec::new(),
            files: Vec::new(),
            dns: Dns::default(),
            services: Vec::new(),
            port_mappings: Vec::new(),
            resources: VmResources::default(),
            active_deadline: None,
            termination_grace_period: DEFAULT_TERMINATION_GRACE_PERIOD,
            service_links: ServiceLinks::Enabled,
            source,
        }
    }

    /// Every container, init containers first, with its path prefix (`initContainers[i]` or
    /// `containers[i]`).
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::{Format, model::*};
    /// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
    /// pod.containers.push(Container::new(ContainerName::try_from("a").unwrap(), Image::Host));
    /// let paths: Vec<String> = pod.all_containers().map(|(p, _)| p.to_string()).collect();
    /// assert_eq!(paths, ["containers[0]"]);
    /// ```
    pub fn all_containers(&self) -> impl Iterator<Item = (FieldPath, &Container)> {
        let init = self
            .init_containers
            .iter()
            .enumerate()
            .map(|(i, c)| (FieldPath::root().field("initContainers").index(i), c));
        let regular = self
            .containers
            .iter()
            .enumerate()
            .map(|(i, c)| (FieldPath::root().field("containers").index(i), c));
        init.chain(regular)
    }

    /// Looks a container up by name, init containers included.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::{Format, model::*};
    /// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
    /// pod.init_containers.push(Container::new(ContainerName::try_from("init").unwrap(), Image::Host));
    /// assert!(pod.container("init").is_some());
    /// assert!(pod.container("x").is_none());
    /// ```
    pub fn container(&self, name: &str) -> Option<&Container> {
        self.all_containers()
            .map(|(_, c)| c)
            .find(|c| c.name == name)
    }

    /// Checks the rules between fields (see the module doc) and returns every error, each
    /// with its path in the model's field names (`containers[1].volumeMounts[0].volume`).
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::{ErrorType, Format, model::*};
    /// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
    /// let c = Container::new(ContainerName::try_from("a").unwrap(), Image::Host);
    /// pod.init_containers.push(c.clone());
    /// pod.containers.push(c);
    /// let errs = pod.validate();
    /// assert_eq!(errs.len(), 1);
    /// assert_eq!(errs[0].field.to_string(), "initContainers[0].name");
    /// assert_eq!(errs[0].kind, ErrorType::Duplicate);
    /// ```
    #[must_use]
    pub fn validate(&self) -> Vec<FieldError> {
        validate::pod(self)
    }
}
