//! A conversion's result and what it dropped; the caller's options; the formats we write.

use std::fmt;
use std::str::FromStr;

use podspec::model::PodName;
use podspec::{FieldError, FieldPath};

use crate::Error;

/// A field the conversion could not carry over, or carried over with a changed meaning, and
/// why.
///
/// The path is in the names of the document being read (wire to domain) or of the domain model
/// (domain to wire).
///
/// # Examples
///
/// ```
/// use podspec::FieldPath;
/// let d = convert::Dropped::new(FieldPath::root().field("files"), "Kubernetes has no pod files");
/// assert_eq!(d.to_string(), "files: dropped: Kubernetes has no pod files");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Dropped {
    /// Where.
    pub field: FieldPath,
    /// Why, in a sentence for people.
    pub reason: String,
}

impl Dropped {
    /// A dropped field.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::FieldPath;
    /// let d = convert::Dropped::new(FieldPath::root().field("x"), "why");
    /// assert_eq!(d.reason, "why");
    /// ```
    pub fn new(field: FieldPath, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_root() {
            write!(f, "dropped: {}", self.reason)
        } else {
            write!(f, "{}: dropped: {}", self.field, self.reason)
        }
    }
}

/// A conversion's result with every field it dropped, in the order the conversion met them.
///
/// # Examples
///
/// ```
/// use podspec::{Format, model::*};
/// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
/// pod.annotations.insert("note".into(), "x".into());
/// let mut c = Container::new(
///     ContainerName::try_from("c").unwrap(),
///     Image::Reference(ImageRef::try_from("busybox").unwrap()),
/// );
/// c.readiness_probe = Some(Probe::new(ProbeHandler::Exec { command: vec!["true".into()] }));
/// pod.containers.push(c);
/// let hyper = convert::to_hyper(&pod).unwrap();
/// let fields: Vec<String> = hyper.dropped.iter().map(|d| d.field.to_string()).collect();
/// assert_eq!(fields, ["annotations", "containers[0].readinessProbe"]);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct Converted<T> {
    /// The converted value.
    pub value: T,
    /// What it could not carry over.
    pub dropped: Vec<Dropped>,
}

impl<T> Converted<T> {
    /// Maps the value, keeping the dropped fields.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = convert::Converted { value: 1, dropped: vec![] };
    /// assert_eq!(c.map(|n| n + 1).value, 2);
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Converted<U> {
        Converted {
            value: f(self.value),
            dropped: self.dropped,
        }
    }
}

/// The caller's choices for a conversion into the domain model.
///
/// # Examples
///
/// ```
/// use podspec::model::PodName;
/// let opts = convert::Options { name: Some(PodName::try_from("web").unwrap()) };
/// assert_eq!(opts.name.unwrap(), "web");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The pod's name when the document has none. Hyper named such pods `pod-` plus ten random
    /// letters; without this option we derive the ten letters from the document's content
    /// ([`crate::names::derived_pod_name`]), so the same file always gets the same name.
    pub name: Option<PodName>,
}

/// A format we write.
///
/// # Examples
///
/// ```
/// use convert::Target;
/// assert_eq!("k8s".parse::<Target>().unwrap(), Target::K8s);
/// assert_eq!(Target::Hyper.to_string(), "Hyper");
/// assert!("json".parse::<Target>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Target {
    /// A Hyper 1.x pod file ([`podspec::wire::hyper::Pod`]).
    Hyper,
    /// A Kubernetes v1 `Pod` manifest ([`podspec::wire::k8s::Pod`]).
    K8s,
}

impl Target {
    /// The command-line spelling: `hyper` or `k8s`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(convert::Target::K8s.as_str(), "k8s");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hyper => "hyper",
            Self::K8s => "k8s",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Hyper => "Hyper",
            Self::K8s => "Kubernetes",
        })
    }
}

/// A target name that is not `hyper` or `k8s`.
///
/// # Examples
///
/// ```
/// let e = "xml".parse::<convert::Target>().unwrap_err();
/// assert_eq!(e.to_string(), "unknown target \"xml\": expected hyper or k8s");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown target {0:?}: expected hyper or k8s")]
pub struct UnknownTarget(pub String);

impl FromStr for Target {
    type Err = UnknownTarget;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "hyper" => Ok(Self::Hyper),
            "k8s" => Ok(Self::K8s),
            _ => Err(UnknownTarget(s.to_owned())),
        }
    }
}

/// The state of one conversion into the domain model: every error and every dropped field,
/// collected rather than stopping at the first.
#[derive(Debug, Default)]
pub(crate) struct Cx {
    errors: Vec<FieldError>,
    dropped: Vec<Dropped>,
}

impl Cx {
    /// Records `err` (a model constructor's root-path error) at `path`.
    pub(crate) fn error(&mut self, path: &FieldPath, mut err: FieldError) {
        err.field = path.clone();
        self.errors.push(err);
    }

    /// The value of `result`, or `None` with its error recorded at `path`.
    pub(crate) fn ok<T>(&mut self, path: &FieldPath, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.error(path, e)).ok()
    }

    /// Records a dropped field.
    pub(crate) fn drop(&mut self, path: FieldPath, reason: impl Into<String>) {
        self.dropped.push(Dropped::new(path, reason));
    }

    /// The result: `value` with the dropped fields, or every error.
    pub(crate) fn finish<T>(self, value: T) -> Result<Converted<T>, Error> {
        if self.errors.is_empty() {
            Ok(Converted {
                value,
                dropped: self.dropped,
            })
        } else {
            Err(Error::Invalid(self.errors))
        }
    }
}

/// The dropped fields of one conversion out of the domain model.
#[derive(Debug, Default)]
pub(crate) struct Drops(pub(crate) Vec<Dropped>);

impl Drops {
    /// Records a dropped field.
    pub(crate) fn drop(&mut self, path: FieldPath, reason: impl Into<String>) {
        self.0.push(Dropped::new(path, reason));
    }
}
