//! The pod file formats we read.

use std::fmt;
use std::str::FromStr;

/// A pod file format.
///
/// The names are the ones the CLI takes (`--format hyper|k8s|k8s-v1beta1|pod-controller`).
///
/// # Examples
///
/// ```
/// use podspec::Format;
/// let f: Format = "k8s-v1beta1".parse().unwrap();
/// assert_eq!(f, Format::K8sV1beta1);
/// assert_eq!(f.to_string(), "k8s-v1beta1");
/// assert!("docker".parse::<Format>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Format {
    /// Hyper's pod file, 1.x and legacy (v0.x) names, JSON or YAML.
    Hyper,
    /// A Kubernetes v1 `Pod` manifest.
    K8s,
    /// A Kubernetes v1beta1 pod: the 2014 `desiredState.manifest` shape, or the shape Hyper's
    /// examples used (`apiVersion: V1beta1` with `metadata` and `spec`).
    K8sV1beta1,
    /// apourchet/pod-controller's `PodSpec`.
    PodController,
}

impl Format {
    /// Every format, in the order the CLI lists them.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::Format::ALL.len(), 4);
    /// ```
    pub const ALL: [Self; 4] = [
        Self::Hyper,
        Self::K8s,
        Self::K8sV1beta1,
        Self::PodController,
    ];

    /// The CLI name of this format.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::Format::PodController.as_str(), "pod-controller");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hyper => "hyper",
            Self::K8s => "k8s",
            Self::K8sV1beta1 => "k8s-v1beta1",
            Self::PodController => "pod-controller",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`Format`] name.
///
/// # Examples
///
/// ```
/// let e = "xml".parse::<podspec::Format>().unwrap_err();
/// assert!(e.to_string().contains("hyper, k8s, k8s-v1beta1, pod-controller"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0:?}: expected one of hyper, k8s, k8s-v1beta1, pod-controller")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}

impl serde::Serialize for Format {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
