//! Probes (liveness, readiness, startup) and lifecycle hooks (preStart, postStart,
//! postRestart, preStop), with their handlers.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::container::{Port, Signal};
use super::names::PortName;
use crate::{ErrorType, FieldError, FieldPath};

/// A port given by number or by the name of one of the container's ports.
///
/// # Examples
///
/// ```
/// use podspec::model::{Port, PortName, PortRef};
/// let p = PortRef::Number(Port::try_from(8080).unwrap());
/// assert_eq!(p.to_string(), "8080");
/// assert_eq!(PortRef::Name(PortName::try_from("http").unwrap()).to_string(), "http");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PortRef {
    /// A number.
    Number(Port),
    /// A container port's name.
    Name(PortName),
}

impl fmt::Display for PortRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(p) => write!(f, "{p}"),
            Self::Name(n) => write!(f, "{n}"),
        }
    }
}

/// `HTTP` or `HTTPS`.
///
/// # Examples
///
/// ```
/// use podspec::model::Scheme;
/// assert_eq!("HTTPS".parse::<Scheme>().unwrap(), Scheme::Https);
/// assert!("https".parse::<Scheme>().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// Plain HTTP (the default).
    #[default]
    Http,
    /// HTTP over TLS.
    Https,
}

impl FromStr for Scheme {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "HTTP" => Ok(Self::Http),
            "HTTPS" => Ok(Self::Https),
            _ => Err(FieldError::new(
                FieldPath::root(),
                ErrorType::NotSupported,
                "supported values: \"HTTP\", \"HTTPS\"",
            )
            .with_value(s)),
        }
    }
}

/// Which HTTP answers count as success. The formats disagree, so the answer travels with the
/// handler.
///
/// # Examples
///
/// ```
/// use podspec::model::HttpSuccess;
/// assert!(HttpSuccess::Below400.is_success(302));
/// assert!(!HttpSuccess::Only200.is_success(204));
/// assert!(HttpSuccess::Below500.is_success(404));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpSuccess {
    /// 200 to 399 (Kubernetes probes; a redirect counts as success).
    #[default]
    Below400,
    /// Exactly 200 (pod-controller probes).
    Only200,
    /// Anything but a 5xx (our hooks; DESIGN.md "httpGet fails on no answer or a 5xx").
    Below500,
}

impl HttpSuccess {
    /// Whether `status` counts as success. A missing answer is never success.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!podspec::model::HttpSuccess::Below400.is_success(500));
    /// ```
    pub fn is_success(self, status: u16) -> bool {
        match self {
            Self::Below400 => (200..400).contains(&status),
            Self::Only200 => status == 200,
            Self::Below500 => status < 500,
        }
    }
}

/// An HTTP header sent with an `httpGet`.
///
/// # Examples
///
/// ```
/// let h = podspec::model::HttpHeader { name: "Host".into(), value: "example.com".into() };
/// assert_eq!(h.name, "Host");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HttpHeader {
    /// Header name.
    pub name: String,
    /// Header value.
    pub value: String,
}

/// An HTTP GET against the pod.
///
/// # Examples
///
/// ```
/// use podspec::model::{HttpGet, Port, PortRef};
/// let g = HttpGet::new(PortRef::Number(Port::try_from(80).unwrap()), "/healthz");
/// assert_eq!(g.path, "/healthz");
/// assert!(g.host.is_none()); // the pod's IP
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HttpGet {
    /// `HTTP` or `HTTPS`.
    pub scheme: Scheme,
    /// Host to connect to; `None` is the pod's IP.
    pub host: Option<String>,
    /// Port.
    pub port: PortRef,
    /// Path (Kubernetes defaults an empty path to `/`).
    pub path: String,
    /// Extra headers.
    pub headers: Vec<HttpHeader>,
    /// Which answers count as success.
    pub success: HttpSuccess,
}

impl HttpGet {
    /// A plain-HTTP GET of `path` on the pod's IP, Kubernetes' success rule.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{HttpGet, HttpSuccess, Port, PortRef, Scheme};
    /// let g = HttpGet::new(PortRef::Number(Port::try_from(80).unwrap()), "/");
    /// assert_eq!((g.scheme, g.success), (Scheme::Http, HttpSuccess::Below400));
    /// ```
    pub fn new(port: PortRef, path: impl Into<String>) -> Self {
        Self {
            scheme: Scheme::Http,
            host: None,
            port,
            path: path.into(),
            headers: Vec::new(),
            success: HttpSuccess::Below400,
        }
    }
}

/// How a probe checks the container.
///
/// # Examples
///
/// ```
/// use podspec::model::ProbeHandler;
/// let h = ProbeHandler::Exec { command: vec!["cat".into(), "/tmp/healthy".into()] };
/// assert!(matches!(h, ProbeHandler::Exec { .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProbeHandler {
    /// Run a command in the container; exit 0 is success.
    Exec {
        /// The command and its arguments (non-empty).
        command: Vec<String>,
    },
    /// An HTTP GET.
    HttpGet(HttpGet),
    /// A TCP connect.
    TcpSocket {
        /// Host; `None` is the pod's IP.
        host: Option<String>,
        /// Port.
        port: PortRef,
    },
    /// A gRPC health check.
    Grpc {
        /// Port.
        port: Port,
        /// Service name for the health request.
        service: Option<String>,
    },
    /// A check that always succeeds: a pod-controller probe with neither `exec` nor
    /// `httpGet` (Kubernetes requires a handler, so its probes never have this one).
    AlwaysSucceeds,
}

/// Kubernetes' probe defaults (`SetDefaults_Probe`).
pub mod defaults {
    use std::time::Duration;

    /// `periodSeconds` 10.
    pub const PERIOD: Duration = Duration::from_secs(10);
    /// `timeoutSeconds` 1.
    pub const TIMEOUT: Duration = Duration::from_secs(1);
    /// `successThreshold` 1.
    pub const SUCCESS_THRESHOLD: u32 = 1;
    /// `failureThreshold` 3.
    pub const FAILURE_THRESHOLD: u32 = 3;
}

/// A probe: a handler and its timing.
///
/// Thresholds may be 0: a pod-controller probe whose JSON omits `failureThreshold` has 0,
/// which makes it give up at its first tick (spec/hyper.md 6.1), and that behaviour is kept.
/// Kubernetes probes always have thresholds of at least 1 after defaulting.
///
/// # Examples
///
/// ```
/// use podspec::model::{Probe, ProbeHandler};
/// let p = Probe::new(ProbeHandler::Exec { command: vec!["true".into()] });
/// assert_eq!(p.period.as_secs(), 10);
/// assert_eq!((p.success_threshold, p.failure_threshold), (1, 3));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Probe {
    /// How to check.
    pub handler: ProbeHandler,
    /// Wait this long after the container starts before the first check.
    pub initial_delay: Duration,
    /// Time between checks.
    pub period: Duration,
    /// How long one check may take.
    pub timeout: Duration,
    /// Consecutive successes needed to report success.
    pub success_threshold: u32,
    /// Consecutive failures needed to report failure.
    pub failure_threshold: u32,
    /// Grace period for a kill caused by this probe (liveness, startup), overriding the pod's.
    pub termination_grace_period: Option<Duration>,
}

impl Probe {
    /// A probe with Kubernetes' defaults (no initial delay, period 10 s, timeout 1 s,
    /// success 1, failure 3).
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{Probe, ProbeHandler};
    /// let p = Probe::new(ProbeHandler::AlwaysSucceeds);
    /// assert!(p.initial_delay.is_zero() && p.termination_grace_period.is_none());
    /// ```
    pub fn new(handler: ProbeHandler) -> Self {
        Self {
            handler,
            initial_delay: Duration::ZERO,
            period: defaults::PERIOD,
            timeout: defaults::TIMEOUT,
            success_threshold: defaults::SUCCESS_THRESHOLD,
            failure_threshold: defaults::FAILURE_THRESHOLD,
            termination_grace_period: None,
        }
    }
}

/// What a lifecycle hook runs.
///
/// Kubernetes also accepts `tcpSocket` here, which passes its validation but always fails at
/// runtime; we have no such handler, and `convert` reports it.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use podspec::model::HookHandler;
/// let h = HookHandler::Sleep(Duration::from_secs(5));
/// assert_eq!(h, HookHandler::Sleep(Duration::from_secs(5)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HookHandler {
    /// Run a command in the container; exit 0 is success. No timeout (as in the kubelet).
    Exec {
        /// The command and its arguments (non-empty).
        command: Vec<String>,
    },
    /// An HTTP GET; see [`HttpGet::success`].
    HttpGet(HttpGet),
    /// Wait this long.
    Sleep(Duration),
}

/// A container's hooks and stop signal.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use podspec::model::{HookHandler, Lifecycle, Signal};
/// let l = Lifecycle {
///     pre_stop: Some(HookHandler::Sleep(Duration::from_secs(2))),
///     stop_signal: Some(Signal::try_from("QUIT").unwrap()),
///     ..Default::default()
/// };
/// assert!(l.post_start.is_none());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Lifecycle {
    /// Before the container's process starts.
    pub pre_start: Option<HookHandler>,
    /// Right after it starts; a failure kills the container.
    pub post_start: Option<HookHandler>,
    /// After a restart of the container.
    pub post_restart: Option<HookHandler>,
    /// Before it is stopped; bounded by the grace period.
    pub pre_stop: Option<HookHandler>,
    /// The signal that asks it to stop; `None` is the image's, else `SIGTERM`.
    pub stop_signal: Option<Signal>,
}

impl Lifecycle {
    /// The hooks that are set, with their names (`preStart`, `postStart`, `postRestart`,
    /// `preStop`).
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{HookHandler, Lifecycle};
    /// let l = Lifecycle { post_start: Some(HookHandler::Exec { command: vec!["x".into()] }), ..Default::default() };
    /// let names: Vec<_> = l.hooks().map(|(n, _)| n).collect();
    /// assert_eq!(names, ["postStart"]);
    /// ```
    pub fn hooks(&self) -> impl Iterator<Item = (&'static str, &HookHandler)> {
        [
            ("preStart", &self.pre_start),
            ("postStart", &self.post_start),
            ("postRestart", &self.post_restart),
            ("preStop", &self.pre_stop),
        ]
        .into_iter()
        .filter_map(|(n, h)| h.as_ref().map(|h| (n, h)))
    }

    /// Whether no hook is set (the stop signal does not count).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(podspec::model::Lifecycle::default().has_no_hooks());
    /// ```
    pub fn has_no_hooks(&self) -> bool {
        self.hooks().next().is_none()
    }
}
