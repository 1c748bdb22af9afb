//! The domain model to a Hyper 1.x pod file or a Kubernetes v1 manifest.
//!
//! Each conversion returns the document and every field the target cannot say
//! ([`crate::Dropped`], paths in the model's field names as [`Pod::validate`] uses them), or an
//! [`Error::NotRepresentable`] when the target cannot do without something the pod lacks. A pod
//! for which [`Pod::validate`] reports nothing converts to a document that passes the target's
//! validation ([`podspec::validate()`]).
//!
//! # What each target cannot say
//!
//! | domain | Hyper | Kubernetes v1 |
//! |---|---|---|
//! | namespace, annotations | dropped | kept |
//! | init containers (and sidecars) | dropped | kept |
//! | probes, lifecycle hooks | dropped | kept, except `preStart`/`postRestart` hooks and an always-succeeding probe |
//! | container resources | dropped (the pod's `resource` is the VM's size) | kept; the VM's size is dropped when the containers say otherwise |
//! | env from a pod field (`fieldRef`) | dropped | kept |
//! | `$(VAR)` in values | kept, noted: Hyper does not expand | kept, noted when the source format did not expand |
//! | port names, host IPs, SCTP | dropped | kept |
//! | sub-paths | dropped | kept |
//! | restart rules | dropped (the container's policy is kept) | kept (`Restart` action only) |
//! | files, services, port mappings, DNS servers/searches/options | kept | dropped |
//! | DNS policy `None` (only the given resolver settings) | kept (with settings) | dropped: it needs a `dnsConfig` |
//! | DNS policy `ClusterFirst*` (no cluster here: the host's resolver) | the host's resolver | kept |
//! | block, rbd volumes; volume cache modes | kept | dropped (and their mounts) |
//! | stop signal | kept (`StopSignal`) | dropped |
//! | deadline, grace period, service links off | dropped | kept |
//! | a container without an image reference | error | error |
//! | no containers at all | kept | error |
//! | names outside DNS rules (pod: subdomain; containers, volumes: label) | kept | error |
//! | labels and annotations outside Kubernetes' syntax; a hostname with dots | kept | dropped |
//!
//! A pod's [`Source`](podspec::model::Source) is the format it was read from, not a field:
//! reading the written document back gives the target's source (and its lifetime, except that
//! Hyper's `type: kubernetes` keeps a Kubernetes pod's).

mod hyper;
mod k8s;

pub use hyper::to_hyper;
pub use k8s::to_k8s;

use podspec::model::{CacheMode, Container, Image, ImageFormat, Pod, RestartPolicy};
use std::collections::BTreeMap;

use podspec::wire::{Document, Str};
use podspec::{FieldPath, Format};

use crate::{Converted, Error, Target};

/// A pod as a document of `target`.
///
/// # Errors
///
/// As [`to_hyper`] and [`to_k8s`].
///
/// # Examples
///
/// ```
/// use podspec::{Format, model::*};
/// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::Hyper));
/// pod.containers.push(Container::new(
///     ContainerName::try_from("c").unwrap(),
///     Image::Reference(ImageRef::try_from("busybox").unwrap()),
/// ));
/// let doc = convert::to_document(&pod, convert::Target::K8s).unwrap().value;
/// assert_eq!(doc.format(), Format::K8s);
///
/// pod.containers.clear(); // a Hyper pod may have no containers; a Kubernetes pod may not
/// assert!(convert::to_document(&pod, convert::Target::K8s).is_err());
/// assert!(convert::to_document(&pod, convert::Target::Hyper).is_ok());
/// ```
pub fn to_document(pod: &Pod, target: Target) -> Result<Converted<Document>, Error> {
    match target {
        Target::Hyper => to_hyper(pod).map(|c| c.map(Document::Hyper)),
        Target::K8s => to_k8s(pod).map(|c| c.map(Document::K8s)),
    }
}

/// `Some(v)` unless `v` is empty (wire types leave empty lists and maps out).
/// Owned strings as wire strings.
pub(crate) fn strs(v: &[String]) -> Vec<Str> {
    v.iter().map(|s| Str::from(s.as_str())).collect()
}

/// An owned string map (labels, annotations) as a wire one.
pub(crate) fn str_map(m: &BTreeMap<String, String>) -> BTreeMap<Str, Str> {
    m.iter()
        .map(|(k, v)| (Str::from(k.as_str()), Str::from(v.as_str())))
        .collect()
}

/// An optional owned string as a wire one.
pub(crate) fn opt(s: Option<&String>) -> Option<Str> {
    s.map(|s| Str::from(s.as_str()))
}

pub(crate) fn some<T>(v: T, empty: impl FnOnce(&T) -> bool) -> Option<T> {
    (!empty(&v)).then_some(v)
}

/// Whether pods of this format have `$(VAR)` references expanded in their values
/// ([`crate::env`]): Kubernetes formats do, Hyper and pod-controller never did.
pub(crate) fn expands(format: Format) -> bool {
    matches!(format, Format::K8s | Format::K8sV1beta1)
}

/// Whether expanding a value could change it.
pub(crate) fn needs_expansion_note(value: &str) -> bool {
    value.contains("$(") || value.contains("$$")
}

/// The image reference both targets need.
pub(crate) fn image_ref(target: Target, path: &FieldPath, c: &Container) -> Result<String, Error> {
    match &c.image {
        Image::Reference(r) => Ok(r.as_str().into()),
        other => Err(Error::NotRepresentable {
            target,
            field: path.field("image"),
            reason: format!(
                "an image reference; this container runs from {}",
                match other {
                    Image::RootFs { path } => format!("the root filesystem {path}"),
                    _ => "the host's filesystem".into(),
                }
            ),
        }),
    }
}

/// Hyper's spelling of a restart policy.
pub(crate) fn hyper_restart(p: RestartPolicy) -> &'static str {
    match p {
        RestartPolicy::Always => "always",
        RestartPolicy::OnFailure => "onFailure",
        _ => "never",
    }
}

/// Hyper's spelling of a cache mode.
pub(crate) fn cache_str(c: CacheMode) -> &'static str {
    match c {
        CacheMode::Off => "off",
        CacheMode::None => "none",
        CacheMode::DirectSync => "directsync",
        CacheMode::Writeback => "writeback",
        CacheMode::Unsafe => "unsafe",
        _ => "writethrough",
    }
}

/// Hyper's spelling of a block image format.
pub(crate) fn image_format_str(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Raw => "raw",
        ImageFormat::Qcow2 => "qcow2",
        _ => "vdi",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_parse_back() {
        for c in [
            CacheMode::Off,
            CacheMode::None,
            CacheMode::DirectSync,
            CacheMode::Writeback,
            CacheMode::Unsafe,
            CacheMode::Writethrough,
        ] {
            assert_eq!(cache_str(c).parse::<CacheMode>().unwrap(), c);
        }
        for f in [ImageFormat::Raw, ImageFormat::Qcow2, ImageFormat::Vdi] {
            assert_eq!(image_format_str(f).parse::<ImageFormat>().unwrap(), f);
        }
        for p in [
            RestartPolicy::Always,
            RestartPolicy::OnFailure,
            RestartPolicy::Never,
        ] {
            assert_eq!(hyper_restart(p).parse::<RestartPolicy>().unwrap(), p);
        }
    }
}
