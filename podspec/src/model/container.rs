//! Containers: what to run, its environment, ports, mounts, restart behaviour, probes and hooks.

use std::collections::BTreeSet;
use std::fmt;
use std::net::IpAddr;
use std::num::NonZeroU16;
use std::str::FromStr;

use super::names::{ContainerName, FileName, ImageRef, PortName, VolumeName};
use super::probe::{Lifecycle, Probe};
use super::resources::Resources;
use crate::{ErrorType, FieldError, FieldPath};

fn not_supported(value: &str, supported: &[&str]) -> FieldError {
    let list: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
    FieldError::new(
        FieldPath::root(),
        ErrorType::NotSupported,
        format!("supported values: {}", list.join(", ")),
    )
    .with_value(value)
}

/// What a container runs from.
///
/// # Examples
///
/// ```
/// use podspec::model::{Image, ImageRef};
/// let i = Image::Reference(ImageRef::try_from("busybox").unwrap());
/// assert_eq!(i.to_string(), "busybox");
/// assert_eq!(Image::Host.to_string(), "(host)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Image {
    /// An image from the image store (Kubernetes, Hyper).
    Reference(ImageRef),
    /// A root filesystem already on disk (an OCI spec's `root.path`, pod-controller).
    RootFs {
        /// The directory.
        path: String,
    },
    /// No image: the process runs in the host's filesystem (a pod-controller container without
    /// `root`, run by the process runtime).
    Host,
}

impl fmt::Display for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Reference(r) => write!(f, "{r}"),
            Self::RootFs { path } => write!(f, "rootfs:{path}"),
            Self::Host => f.write_str("(host)"),
        }
    }
}

/// A restart policy: the pod's, or a container's own (Kubernetes' `RestartPolicy`, Hyper's
/// `restartPolicy` in its lower-case spelling).
///
/// Parses Kubernetes' spellings (`Always`, `OnFailure`, `Never`) and Hyper's (`always`,
/// `onFailure`, `never`); nothing else.
///
/// # Examples
///
/// ```
/// use podspec::model::RestartPolicy;
/// assert_eq!("OnFailure".parse::<RestartPolicy>().unwrap(), RestartPolicy::OnFailure);
/// assert_eq!("never".parse::<RestartPolicy>().unwrap(), RestartPolicy::Never);
/// assert!("sometimes".parse::<RestartPolicy>().is_err());
/// assert_eq!(RestartPolicy::Always.to_string(), "Always");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum RestartPolicy {
    /// Restart whatever the exit code.
    Always,
    /// Restart on a non-zero exit code.
    OnFailure,
    /// Never restart.
    Never,
}

impl RestartPolicy {
    /// Kubernetes' spelling.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::model::RestartPolicy::OnFailure.as_str(), "OnFailure");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Always => "Always",
            Self::OnFailure => "OnFailure",
            Self::Never => "Never",
        }
    }
}

impl fmt::Display for RestartPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RestartPolicy {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "Always" | "always" => Ok(Self::Always),
            "OnFailure" | "onFailure" => Ok(Self::OnFailure),
            "Never" | "never" => Ok(Self::Never),
            _ => Err(not_supported(s, &["Always", "OnFailure", "Never"])),
        }
    }
}

/// How a restart rule matches an exit code.
///
/// # Examples
///
/// ```
/// use podspec::model::ExitCodeOperator;
/// assert_eq!("NotIn".parse::<ExitCodeOperator>().unwrap(), ExitCodeOperator::NotIn);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExitCodeOperator {
    /// The code is one of the values.
    In,
    /// The code is none of the values.
    NotIn,
}

impl FromStr for ExitCodeOperator {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "In" => Ok(Self::In),
            "NotIn" => Ok(Self::NotIn),
            _ => Err(not_supported(s, &["In", "NotIn"])),
        }
    }
}

/// What a matching restart rule does.
///
/// # Examples
///
/// ```
/// use podspec::model::RestartRuleAction;
/// assert_eq!("Restart".parse::<RestartRuleAction>().unwrap(), RestartRuleAction::Restart);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RestartRuleAction {
    /// Restart this container.
    Restart,
    /// Restart every container of the pod (`RestartAllContainersOnContainerExits`, 1.35 alpha).
    RestartAllContainers,
}

impl FromStr for RestartRuleAction {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "Restart" => Ok(Self::Restart),
            "RestartAllContainers" => Ok(Self::RestartAllContainers),
            _ => Err(not_supported(s, &["Restart", "RestartAllContainers"])),
        }
    }
}

/// Most rules per container (Kubernetes 1.34+).
pub const MAX_RESTART_RULES: usize = 20;
/// Most exit codes per rule (Kubernetes 1.34+).
pub const MAX_RULE_EXIT_CODES: usize = 255;

/// One restart rule: when the exit code matches, take the action (Kubernetes'
/// `ContainerRestartRule`; `exitCodes` is required, so it is not optional here).
///
/// # Examples
///
/// ```
/// use podspec::model::{ExitCodeOperator, RestartRule, RestartRuleAction};
/// let rule = RestartRule {
///     action: RestartRuleAction::Restart,
///     operator: ExitCodeOperator::In,
///     exit_codes: [42].into(),
/// };
/// assert!(rule.matches(42));
/// assert!(!rule.matches(0));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RestartRule {
    /// What to do on a match.
    pub action: RestartRuleAction,
    /// How the codes match.
    pub operator: ExitCodeOperator,
    /// The exit codes (at most [`MAX_RULE_EXIT_CODES`], checked by [`super::Pod::validate`]).
    pub exit_codes: BTreeSet<i32>,
}

impl RestartRule {
    /// Whether this rule matches `exit_code`.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{ExitCodeOperator, RestartRule, RestartRuleAction};
    /// let rule = RestartRule {
    ///     action: RestartRuleAction::Restart,
    ///     operator: ExitCodeOperator::NotIn,
    ///     exit_codes: [0].into(),
    /// };
    /// assert!(rule.matches(1) && !rule.matches(0));
    /// ```
    pub fn matches(&self, exit_code: i32) -> bool {
        match self.operator {
            ExitCodeOperator::In => self.exit_codes.contains(&exit_code),
            ExitCodeOperator::NotIn => !self.exit_codes.contains(&exit_code),
        }
    }
}

/// A container's own restart behaviour. Present only when the container sets its own policy:
/// rules without a policy are ignored by Kubernetes, so they cannot be expressed here.
///
/// On an init container, [`RestartPolicy::Always`] makes it a restartable init container (a
/// sidecar).
///
/// # Examples
///
/// ```
/// use podspec::model::{ContainerRestart, RestartPolicy};
/// let r = ContainerRestart { policy: RestartPolicy::Never, rules: vec![] };
/// assert_eq!(r.policy, RestartPolicy::Never);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContainerRestart {
    /// The container's policy.
    pub policy: RestartPolicy,
    /// Exit-code rules, tried in order before the policy (at most [`MAX_RESTART_RULES`]).
    pub rules: Vec<RestartRule>,
}

/// Where an environment variable's value comes from.
///
/// # Examples
///
/// ```
/// use podspec::model::{EnvValue, PodField};
/// let v = EnvValue::Field(PodField::Name);
/// assert_eq!(v, EnvValue::Field("metadata.name".parse().unwrap()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EnvValue {
    /// A literal value (Kubernetes expands `$(VAR)` references in it; `convert` does that).
    Literal(String),
    /// A field of the pod (Kubernetes' `valueFrom.fieldRef`).
    Field(PodField),
}

/// A pod field an environment variable can refer to (Kubernetes' downward API `fieldPath`).
///
/// # Examples
///
/// ```
/// use podspec::model::PodField;
/// let f: PodField = "metadata.labels['app']".parse().unwrap();
/// assert_eq!(f, PodField::Label("app".into()));
/// assert_eq!(f.to_string(), "metadata.labels['app']");
/// assert!("spec.containers".parse::<PodField>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PodField {
    /// `metadata.name`.
    Name,
    /// `metadata.namespace`.
    Namespace,
    /// `metadata.uid`.
    Uid,
    /// `metadata.labels['key']`.
    Label(String),
    /// `metadata.annotations['key']`.
    Annotation(String),
    /// `spec.nodeName`.
    NodeName,
    /// `spec.serviceAccountName`.
    ServiceAccountName,
    /// `status.hostIP`.
    HostIp,
    /// `status.hostIPs`.
    HostIps,
    /// `status.podIP`.
    PodIp,
    /// `status.podIPs`.
    PodIps,
}

impl FromStr for PodField {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let subscript = |prefix: &str| {
            s.strip_prefix(prefix)
                .and_then(|r| r.strip_prefix("['"))
                .and_then(|r| r.strip_suffix("']"))
                .filter(|k| crate::validate::names::is_qualified_name(k))
                .map(str::to_owned)
        };
        Ok(match s {
            "metadata.name" => Self::Name,
            "metadata.namespace" => Self::Namespace,
            "metadata.uid" => Self::Uid,
            "spec.nodeName" => Self::NodeName,
            "spec.serviceAccountName" => Self::ServiceAccountName,
            "status.hostIP" => Self::HostIp,
            "status.hostIPs" => Self::HostIps,
            "status.podIP" => Self::PodIp,
            "status.podIPs" => Self::PodIps,
            _ => {
                if let Some(k) = subscript("metadata.labels") {
                    Self::Label(k)
                } else if let Some(k) = subscript("metadata.annotations") {
                    Self::Annotation(k)
                } else {
                    return Err(not_supported(
                        s,
                        &[
                            "metadata.name",
                            "metadata.namespace",
                            "metadata.uid",
                            "metadata.labels['<KEY>']",
                            "metadata.annotations['<KEY>']",
                            "spec.nodeName",
                            "spec.serviceAccountName",
                            "status.hostIP",
                            "status.hostIPs",
                            "status.podIP",
                            "status.podIPs",
                        ],
                    ));
                }
            }
        })
    }
}

impl fmt::Display for PodField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Name => f.write_str("metadata.name"),
            Self::Namespace => f.write_str("metadata.namespace"),
            Self::Uid => f.write_str("metadata.uid"),
            Self::Label(k) => write!(f, "metadata.labels['{k}']"),
            Self::Annotation(k) => write!(f, "metadata.annotations['{k}']"),
            Self::NodeName => f.write_str("spec.nodeName"),
            Self::ServiceAccountName => f.write_str("spec.serviceAccountName"),
            Self::HostIp => f.write_str("status.hostIP"),
            Self::HostIps => f.write_str("status.hostIPs"),
            Self::PodIp => f.write_str("status.podIP"),
            Self::PodIps => f.write_str("status.podIPs"),
        }
    }
}

/// An environment variable. Names may repeat (Kubernetes keeps the last); Hyper's rule that
/// they are unique is checked on Hyper documents by [`crate::validate`](mod@crate::validate).
///
/// # Examples
///
/// ```
/// use podspec::model::{EnvValue, EnvVar};
/// let e = EnvVar::literal("PATH", "/bin");
/// assert_eq!(e.value, EnvValue::Literal("/bin".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EnvVar {
    /// The name (printable ASCII without `=`; checked by [`super::Pod::validate`]).
    pub name: String,
    /// The value.
    pub value: EnvValue,
}

impl EnvVar {
    /// A variable with a literal value.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::model::EnvVar::literal("A", "1").name, "A");
    /// ```
    pub fn literal(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: EnvValue::Literal(value.into()),
        }
    }
}

/// A transport protocol.
///
/// Parses Kubernetes' `TCP`/`UDP`/`SCTP` and Hyper's lower-case `tcp`/`udp`.
///
/// # Examples
///
/// ```
/// use podspec::model::Protocol;
/// assert_eq!("udp".parse::<Protocol>().unwrap(), Protocol::Udp);
/// assert_eq!("SCTP".parse::<Protocol>().unwrap(), Protocol::Sctp);
/// assert!("Tcp".parse::<Protocol>().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Protocol {
    /// TCP (the default everywhere).
    #[default]
    Tcp,
    /// UDP.
    Udp,
    /// SCTP (Kubernetes only).
    Sctp,
}

impl Protocol {
    /// Kubernetes' spelling.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::model::Protocol::Tcp.as_str(), "TCP");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tcp => "TCP",
            Self::Udp => "UDP",
            Self::Sctp => "SCTP",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Protocol {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "TCP" | "tcp" => Ok(Self::Tcp),
            "UDP" | "udp" => Ok(Self::Udp),
            "SCTP" | "sctp" => Ok(Self::Sctp),
            _ => Err(not_supported(s, &["SCTP", "TCP", "UDP"])),
        }
    }
}

/// A TCP/UDP port number, 1 to 65535.
///
/// # Examples
///
/// ```
/// use podspec::model::Port;
/// assert_eq!(Port::try_from(80).unwrap().get(), 80);
/// assert!(Port::try_from(0).is_err());
/// assert!(Port::try_from(65536).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Port(NonZeroU16);

impl Port {
    /// The number.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::model::Port::try_from(443).unwrap().get(), 443);
    /// ```
    pub const fn get(self) -> u16 {
        self.0.get()
    }
}

impl TryFrom<i64> for Port {
    type Error = FieldError;

    fn try_from(n: i64) -> Result<Self, Self::Error> {
        u16::try_from(n)
            .ok()
            .and_then(NonZeroU16::new)
            .map(Self)
            .ok_or_else(|| {
                FieldError::new(
                    FieldPath::root(),
                    ErrorType::Invalid,
                    "must be between 1 and 65535, inclusive",
                )
                .with_value(n)
            })
    }
}

impl From<NonZeroU16> for Port {
    fn from(n: NonZeroU16) -> Self {
        Self(n)
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A port a container listens on (Kubernetes' `ContainerPort`).
///
/// # Examples
///
/// ```
/// use podspec::model::{ContainerPort, Port, Protocol};
/// let p = ContainerPort::new(Port::try_from(8080).unwrap());
/// assert_eq!(p.protocol, Protocol::Tcp);
/// assert!(p.host_port.is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContainerPort {
    /// A name probes and hooks may use.
    pub name: Option<PortName>,
    /// The port inside the pod.
    pub container_port: Port,
    /// The protocol.
    pub protocol: Protocol,
    /// A host port forwarded to it.
    pub host_port: Option<Port>,
    /// The host address the host port binds.
    pub host_ip: Option<IpAddr>,
}

impl ContainerPort {
    /// A TCP port with no name and no host side.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{ContainerPort, Port};
    /// assert!(ContainerPort::new(Port::try_from(53).unwrap()).name.is_none());
    /// ```
    pub fn new(container_port: Port) -> Self {
        Self {
            name: None,
            container_port,
            protocol: Protocol::Tcp,
            host_port: None,
            host_ip: None,
        }
    }
}

/// Whether a mount may be written.
///
/// # Examples
///
/// ```
/// assert_eq!(podspec::model::MountMode::default(), podspec::model::MountMode::ReadWrite);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MountMode {
    /// Read and write (the default).
    #[default]
    ReadWrite,
    /// Read only.
    ReadOnly,
}

impl From<bool> for MountMode {
    /// `readOnly: true` is [`MountMode::ReadOnly`].
    fn from(read_only: bool) -> Self {
        if read_only {
            Self::ReadOnly
        } else {
            Self::ReadWrite
        }
    }
}

/// A pod volume mounted into a container.
///
/// # Examples
///
/// ```
/// use podspec::model::{MountMode, VolumeMount, VolumeName};
/// let m = VolumeMount {
///     volume: VolumeName::try_from("data").unwrap(),
///     path: "/data".into(),
///     mode: MountMode::ReadOnly,
///     sub_path: None,
/// };
/// assert_eq!(m.volume, "data");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VolumeMount {
    /// The pod volume (must exist in [`super::Pod::volumes`]).
    pub volume: VolumeName,
    /// Where it appears in the container (unique per container).
    pub path: String,
    /// Read-only or read-write.
    pub mode: MountMode,
    /// A sub-path of the volume to mount instead of its root.
    pub sub_path: Option<String>,
}

/// A file's permission bits (Hyper's `perm`, `0755` by default).
///
/// Parses Hyper's strings: `"0"` or a string containing `0` followed by three octal digits
/// (Hyper's unanchored `0[0-7]{3}`); the first such match is the mode.
///
/// # Examples
///
/// ```
/// use podspec::model::FileMode;
/// assert_eq!(FileMode::try_from("0644").unwrap().bits(), 0o644);
/// assert_eq!(FileMode::try_from("0").unwrap().bits(), 0);
/// assert_eq!(FileMode::default().bits(), 0o755);
/// assert!(FileMode::try_from("644").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileMode(u16);

impl FileMode {
    /// The permission bits.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::model::FileMode::from_bits(0o600).bits(), 0o600);
    /// ```
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// A mode from bits (only the low 12 bits are kept).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::model::FileMode::from_bits(0o10644).bits(), 0o644);
    /// ```
    pub const fn from_bits(bits: u16) -> Self {
        Self(bits & 0o7777)
    }
}

impl Default for FileMode {
    fn default() -> Self {
        Self(0o755)
    }
}

/// The first `0[0-7]{3}` in `s`, as a mode.
pub(crate) fn find_hyper_perm(s: &str) -> Option<u16> {
    if s == "0" {
        return Some(0);
    }
    let b = s.as_bytes();
    b.windows(4).find_map(|w| {
        (w[0] == b'0' && w[1..].iter().all(|c| (b'0'..=b'7').contains(c))).then(|| {
            w[1..]
                .iter()
                .fold(0_u16, |acc, c| acc * 8 + u16::from(c - b'0'))
        })
    })
}

impl TryFrom<&str> for FileMode {
    type Error = FieldError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        find_hyper_perm(s).map(Self).ok_or_else(|| {
            FieldError::new(
                FieldPath::root(),
                ErrorType::Invalid,
                format!("the permission {s} only accept Octal digital in string"),
            )
            .with_value(s)
        })
    }
}

/// A pod file placed into a container (Hyper's container `files[]`).
///
/// # Examples
///
/// ```
/// use podspec::model::{FileMode, FileMount, FileName};
/// let f = FileMount {
///     file: FileName::try_from("conf").unwrap(),
///     path: "/etc/app.conf".into(),
///     mode: FileMode::default(),
///     uid: None,
///     gid: None,
/// };
/// assert_eq!(f.mode.bits(), 0o755);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileMount {
    /// The pod file (must exist in [`super::Pod::files`]).
    pub file: FileName,
    /// Where it appears; a path ending in `/` gets the file's name appended (Hyper's rule).
    pub path: String,
    /// Permission bits.
    pub mode: FileMode,
    /// Owner uid.
    pub uid: Option<u32>,
    /// Owner gid.
    pub gid: Option<u32>,
}

/// A Linux signal number (1 to 64).
///
/// Parses names with or without `SIG`, in any case (`TERM`, `SIGTERM`, `sigterm`), `RTMIN+n`,
/// and numbers (`15`), as Docker's `ParseSignal` does for Hyper's `StopSignal`.
///
/// # Examples
///
/// ```
/// use podspec::model::Signal;
/// assert_eq!(Signal::try_from("SIGTERM").unwrap(), Signal::TERM);
/// assert_eq!(Signal::try_from("kill").unwrap().number(), 9);
/// assert_eq!(Signal::try_from("10").unwrap().to_string(), "SIGUSR1");
/// assert!(Signal::try_from("SIGFOO").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signal(u8);

const SIGNAL_NAMES: [(&str, u8); 31] = [
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("ILL", 4),
    ("TRAP", 5),
    ("ABRT", 6),
    ("BUS", 7),
    ("FPE", 8),
    ("KILL", 9),
    ("USR1", 10),
    ("SEGV", 11),
    ("USR2", 12),
    ("PIPE", 13),
    ("ALRM", 14),
    ("TERM", 15),
    ("STKFLT", 16),
    ("CHLD", 17),
    ("CONT", 18),
    ("STOP", 19),
    ("TSTP", 20),
    ("TTIN", 21),
    ("TTOU", 22),
    ("URG", 23),
    ("XCPU", 24),
    ("XFSZ", 25),
    ("VTALRM", 26),
    ("PROF", 27),
    ("WINCH", 28),
    ("IO", 29),
    ("PWR", 30),
    ("SYS", 31),
];

const SIGRTMIN: u8 = 34;
const SIGRTMAX: u8 = 64;

impl Signal {
    /// `SIGTERM`, the default stop signal.
    pub const TERM: Self = Self(15);
    /// `SIGKILL`.
    pub const KILL: Self = Self(9);

    /// The signal number.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::model::Signal::TERM.number(), 15);
    /// ```
    pub const fn number(self) -> u8 {
        self.0
    }
}

impl TryFrom<&str> for Signal {
    type Error = FieldError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        let err = || {
            FieldError::new(
                FieldPath::root(),
                ErrorType::Invalid,
                "not a signal name or number",
            )
            .with_value(s)
        };
        if let Ok(n) = s.parse::<u8>() {
            return (1..=SIGRTMAX)
                .contains(&n)
                .then_some(Self(n))
                .ok_or_else(err);
        }
        let upper = s.to_ascii_uppercase();
        let name = upper.strip_prefix("SIG").unwrap_or(&upper);
        if let Some((_, n)) = SIGNAL_NAMES.iter().find(|(k, _)| *k == name) {
            return Ok(Self(*n));
        }
        let rt = |rest: &str, base: u8, up: bool| {
            let off = if rest.is_empty() {
                Some(0)
            } else {
                rest.strip_prefix(if up { '+' } else { '-' })
                    .and_then(|d| d.parse::<u8>().ok())
            };
            off.and_then(|o| {
                if up {
                    base.checked_add(o)
                } else {
                    base.checked_sub(o)
                }
            })
            .filter(|n| (SIGRTMIN..=SIGRTMAX).contains(n))
        };
        let n = if let Some(rest) = name.strip_prefix("RTMIN") {
            rt(rest, SIGRTMIN, true)
        } else if let Some(rest) = name.strip_prefix("RTMAX") {
            rt(rest, SIGRTMAX, false)
        } else {
            None
        };
        n.map(Self).ok_or_else(err)
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match SIGNAL_NAMES.iter().find(|(_, n)| *n == self.0) {
            Some((name, _)) => write!(f, "SIG{name}"),
            None if self.0 >= SIGRTMIN => write!(f, "SIGRTMIN+{}", self.0 - SIGRTMIN),
            None => write!(f, "{}", self.0),
        }
    }
}

/// One container, regular or init.
///
/// Field naming follows Kubernetes where the formats disagree: [`Container::entrypoint`] is
/// Kubernetes' `command` (Hyper's `entrypoint`), [`Container::command`] is Kubernetes' `args`
/// (Hyper's `command`). An empty list means "the image's own".
///
/// # Examples
///
/// ```
/// use podspec::model::{Container, ContainerName, Image, ImageRef};
/// let mut c = Container::new(
///     ContainerName::try_from("web").unwrap(),
///     Image::Reference(ImageRef::try_from("nginx").unwrap()),
/// );
/// c.command = vec!["-g".into(), "daemon off;".into()];
/// assert!(c.entrypoint.is_empty());
/// assert!(c.restart.is_none()); // follows the pod's policy
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Container {
    /// Name, unique among the pod's init and regular containers.
    pub name: ContainerName,
    /// What to run from.
    pub image: Image,
    /// Replaces the image's ENTRYPOINT when non-empty (Kubernetes' `command`).
    pub entrypoint: Vec<String>,
    /// Replaces the image's CMD when non-empty (Kubernetes' `args`, Hyper's `command`).
    pub command: Vec<String>,
    /// Working directory; `None` is the image's.
    pub working_dir: Option<String>,
    /// Environment variables, in order.
    pub env: Vec<EnvVar>,
    /// Allocate a terminal.
    pub tty: bool,
    /// Keep stdin open.
    pub stdin: bool,
    /// Declared ports.
    pub ports: Vec<ContainerPort>,
    /// Pod volumes mounted into it.
    pub volume_mounts: Vec<VolumeMount>,
    /// Pod files placed into it (Hyper).
    pub files: Vec<FileMount>,
    /// CPU and memory.
    pub resources: Resources,
    /// Its own restart behaviour; `None` follows the pod's [`super::Pod::restart_policy`].
    pub restart: Option<ContainerRestart>,
    /// Liveness probe.
    pub liveness_probe: Option<Probe>,
    /// Readiness probe.
    pub readiness_probe: Option<Probe>,
    /// Startup probe.
    pub startup_probe: Option<Probe>,
    /// Hooks and stop signal.
    pub lifecycle: Lifecycle,
}

impl Container {
    /// A container with nothing but a name and an image.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{Container, ContainerName, Image};
    /// let c = Container::new(ContainerName::try_from("c").unwrap(), Image::Host);
    /// assert!(c.env.is_empty() && !c.tty);
    /// ```
    pub fn new(name: ContainerName, image: Image) -> Self {
        Self {
            name,
            image,
            entrypoint: Vec::new(),
            command: Vec::new(),
            working_dir: None,
            env: Vec::new(),
            tty: false,
            stdin: false,
            ports: Vec::new(),
            volume_mounts: Vec::new(),
            files: Vec::new(),
            resources: Resources::default(),
            restart: None,
            liveness_probe: None,
            readiness_probe: None,
            startup_probe: None,
            lifecycle: Lifecycle::default(),
        }
    }

    /// Whether this container, as an init container, is restartable (a sidecar): its own
    /// policy is `Always` (Kubernetes' `IsRestartableInitContainer`).
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{Container, ContainerName, ContainerRestart, Image, RestartPolicy};
    /// let mut c = Container::new(ContainerName::try_from("log").unwrap(), Image::Host);
    /// assert!(!c.is_restartable_init());
    /// c.restart = Some(ContainerRestart { policy: RestartPolicy::Always, rules: vec![] });
    /// assert!(c.is_restartable_init());
    /// ```
    pub fn is_restartable_init(&self) -> bool {
        matches!(
            self.restart,
            Some(ContainerRestart {
                policy: RestartPolicy::Always,
                ..
            })
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyper_perm_regex_is_unanchored() {
        assert_eq!(find_hyper_perm("x0644y"), Some(0o644));
        assert_eq!(find_hyper_perm("0755"), Some(0o755));
        assert_eq!(find_hyper_perm("0"), Some(0));
        assert_eq!(find_hyper_perm("0888"), None);
        assert_eq!(find_hyper_perm("00"), None);
        assert_eq!(find_hyper_perm(""), None);
    }

    #[test]
    fn file_mode_error_uses_hypers_words() {
        let e = FileMode::try_from("rwx").unwrap_err();
        assert_eq!(
            e.detail,
            "the permission rwx only accept Octal digital in string"
        );
    }

    #[test]
    fn signals_parse_names_numbers_and_realtime() {
        assert_eq!(Signal::try_from("RTMIN").unwrap().number(), 34);
        assert_eq!(Signal::try_from("SIGRTMIN+2").unwrap().number(), 36);
        assert_eq!(Signal::try_from("RTMAX-1").unwrap().number(), 63);
        assert_eq!(Signal::try_from("64").unwrap().to_string(), "SIGRTMIN+30");
        assert!(Signal::try_from("0").is_err());
        assert!(Signal::try_from("65").is_err());
        assert!(Signal::try_from("RTMIN+31").is_err());
        assert!(Signal::try_from("").is_err());
    }

    #[test]
    fn pod_field_subscripts_need_a_qualified_key() {
        assert_eq!(
            "metadata.annotations['a.b/c']".parse::<PodField>().unwrap(),
            PodField::Annotation("a.b/c".into())
        );
        assert!("metadata.labels['']".parse::<PodField>().is_err());
        assert!("metadata.labels[app]".parse::<PodField>().is_err());
    }

    #[test]
    fn restart_policy_rejects_other_spellings() {
        for bad in ["ALWAYS", "onfailure", "", "Sometimes"] {
            let e = bad.parse::<RestartPolicy>().unwrap_err();
            assert_eq!(e.kind, ErrorType::NotSupported, "{bad}");
        }
    }

    #[test]
    fn port_range_is_1_to_65535() {
        assert!(Port::try_from(1).is_ok());
        assert!(Port::try_from(65535).is_ok());
        assert!(Port::try_from(-1).is_err());
    }
}
