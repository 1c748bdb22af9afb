//! Wire types: each input format as its users write it.
//!
//! One module per format, each type mirroring the source's JSON names, every field optional
//! (`Option`), enum-like values kept as strings. `serde` and `schemars` derive on the same types,
//! so the JSON Schema ([`crate::schema`]) describes exactly what deserialization accepts. Closed
//! domain types come later, in `convert`.
//!
//! - [`hyper`]: Hyper's pod file (1.x and legacy names); keys match case-insensitively.
//! - [`k8s`]: a Kubernetes v1 `Pod`, with `status`; keys are case-sensitive.
//! - [`v1beta1`]: a Kubernetes v1beta1 pod, the 2014 shape and the shape Hyper's examples used;
//!   keys match case-insensitively.
//! - [`podctl`]: apourchet/pod-controller's `PodSpec`; keys match case-insensitively.
//! - [`Document`]: one parsed document of any format.
//!
//! Case-insensitive matching and unknown-field warnings are done by [`crate::parse()`] on the
//! document before these types deserialize it; deserializing straight into them with
//! `serde_json` matches keys exactly and ignores unknown ones.

pub(crate) mod fast;
pub mod hyper;
pub mod k8s;
pub(crate) mod keys;
mod plain;
pub mod podctl;
pub mod v1beta1;
mod value;

pub use value::{IntOrString, Quantity};

/// The string type of every wire document's fields: [`compact_str::CompactString`], which keeps
/// a string of up to 24 bytes inline and allocates only for longer ones.
///
/// A decision of ours, measured: nearly every string of a pod file (names, images, paths, label
/// keys and values, quantities) is short, and with `String` a `malloc` and a `free` per string
/// were about a quarter of a parse's instructions (callgrind). Parse + validate of the
/// benchmark's typical Kubernetes JSON document went from 96,952 to 80,369 instructions
/// (`benches/examples/parse_count.rs`). It reads as a `&str` (`Deref`), compares with `&str` and
/// `String`, and converts from and into `String` (`Str::from`, `String::from`); the crate is
/// re-exported as [`compact_str`] so callers need no dependency of their own.
///
/// # Examples
///
/// ```
/// use podspec::wire::{Str, k8s::Container};
/// let c: Container = serde_json::from_str(r#"{"name": "web", "image": "nginx:1.25"}"#).unwrap();
/// let image: &Str = c.image.as_ref().unwrap();
/// assert_eq!(image, "nginx:1.25");
/// assert!(!image.is_heap_allocated());
/// let owned: String = image.clone().into();
/// assert_eq!(Str::from(owned), "nginx:1.25");
/// ```
pub type Str = compact_str::CompactString;

#[doc(no_inline)]
pub use compact_str;

use serde::{Serialize, Serializer};

use crate::Format;

/// One parsed pod document, of any format.
///
/// Serializes as the inner document (no tag), with absent fields left out.
///
/// # Examples
///
/// ```
/// use podspec::{Format, wire::{Document, hyper}};
/// let doc = Document::Hyper(hyper::Pod { id: Some("p".into()), ..Default::default() });
/// assert_eq!(doc.format(), Format::Hyper);
/// assert_eq!(serde_json::to_string(&doc).unwrap(), r#"{"id":"p"}"#);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Document {
    /// A Hyper pod file.
    Hyper(hyper::Pod),
    /// A Kubernetes v1 pod.
    K8s(k8s::Pod),
    /// A Kubernetes v1beta1 pod (either shape).
    K8sV1beta1(v1beta1::Pod),
    /// A pod-controller spec.
    PodController(podctl::PodSpec),
}

impl Document {
    /// The format of this document.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::{Format, wire::{Document, podctl}};
    /// let doc = Document::PodController(podctl::PodSpec::default());
    /// assert_eq!(doc.format(), Format::PodController);
    /// ```
    pub fn format(&self) -> Format {
        match self {
            Self::Hyper(_) => Format::Hyper,
            Self::K8s(_) => Format::K8s,
            Self::K8sV1beta1(_) => Format::K8sV1beta1,
            Self::PodController(_) => Format::PodController,
        }
    }
}

impl Serialize for Document {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Hyper(pod) => pod.serialize(serializer),
            Self::K8s(pod) => pod.serialize(serializer),
            Self::K8sV1beta1(pod) => pod.serialize(serializer),
            Self::PodController(spec) => spec.serialize(serializer),
        }
    }
}

impl From<hyper::Pod> for Document {
    fn from(pod: hyper::Pod) -> Self {
        Self::Hyper(pod)
    }
}

impl From<k8s::Pod> for Document {
    fn from(pod: k8s::Pod) -> Self {
        Self::K8s(pod)
    }
}

impl From<v1beta1::Pod> for Document {
    fn from(pod: v1beta1::Pod) -> Self {
        Self::K8sV1beta1(pod)
    }
}

impl From<podctl::PodSpec> for Document {
    fn from(spec: podctl::PodSpec) -> Self {
        Self::PodController(spec)
    }
}
