//! Names we make where a file has none, and the pod's hostname.
//!
//! Hyper made up random names (`pod-` plus ten random letters for a pod without an `id`).
//! A pure conversion cannot, so names are derived from the document's content with a fixed hash
//! (64-bit FNV-1a over the document's canonical JSON): the same document always gets the same
//! name, and different documents almost always get different ones. Callers that want their own
//! name pass it in [`crate::Options::name`].

use podspec::model::{ContainerName, MAX_HOSTNAME_LEN, MAX_NAME_LEN, Pod, PodName};
use podspec::validate::names::is_dns1123_label;
use podspec::wire::Document;

/// 64-bit FNV-1a.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// `n` characters of `alphabet` chosen by `seed`: its digits in base `alphabet.len()`,
/// re-hashed when they run out.
fn chars_from(mut seed: u64, n: usize, alphabet: &[u8]) -> String {
    let base = alphabet.len() as u64;
    let mut left = seed;
    let mut out = String::with_capacity(n);
    for i in 0..n {
        if i % 12 == 0 && i > 0 {
            seed = fnv1a(&seed.to_le_bytes());
            left = seed;
        }
        // `left % base` is below `alphabet.len()`, so the index is in range.
        out.push(char::from(alphabet[(left % base) as usize]));
        left /= base;
    }
    out
}

/// The content hash of a document: FNV-1a of its JSON serialization (wire types serialize
/// deterministically: struct fields in declaration order, maps sorted).
pub(crate) fn document_hash(doc: &Document) -> u64 {
    let json = serde_json::to_vec(doc).unwrap_or_default();
    fnv1a(&json)
}

/// The name of a pod whose document has none: `pod-` and ten lower-case letters derived from
/// the document's content (Hyper used ten random letters; lower case so that the name is also a
/// valid hostname).
///
/// # Examples
///
/// ```
/// use podspec::wire::{Document, hyper};
/// let doc = Document::Hyper(hyper::Pod { tty: Some(true), ..Default::default() });
/// let name = convert::names::derived_pod_name(&doc);
/// assert!(name.as_str().starts_with("pod-") && name.as_str().len() == 14);
/// assert_eq!(name, convert::names::derived_pod_name(&doc.clone())); // deterministic
/// ```
pub fn derived_pod_name(doc: &Document) -> PodName {
    let letters = chars_from(document_hash(doc), 10, b"abcdefghijklmnopqrstuvwxyz");
    PodName::try_from(format!("pod-{letters}")).expect("pod- and letters is a valid pod name")
}

/// Kubernetes' `generateName` completion: the prefix and five characters from Kubernetes'
/// alphabet (no vowels, no look-alike digits), derived from the document's content where the API
/// server would pick them at random.
///
/// # Examples
///
/// ```
/// use podspec::wire::{Document, k8s};
/// let doc = Document::K8s(k8s::Pod::default());
/// let name = convert::names::generated_name("web-", &doc);
/// assert!(name.starts_with("web-") && name.len() == 9);
/// ```
pub fn generated_name(prefix: &str, doc: &Document) -> String {
    let suffix = chars_from(document_hash(doc), 5, b"bcdfghjklmnpqrstvwxz2456789");
    format!("{prefix}{suffix}")
}

/// The name Hyper gave a container without one: `<pod>-<image name>-<index>`, where the image
/// name is the part of the image before the first `:`, after its last `/`, kept only if it is a
/// DNS-1123 label (hyperd's `ReorganizeContainers` with `ParseImageRepoTag`). Hyper split at the
/// *first* colon, so an image on a registry with a port (`localhost:5000/app`) is named after
/// the registry host; we do the same, to name containers as Hyper did.
///
/// # Examples
///
/// ```
/// use convert::names::hyper_container_name;
/// assert_eq!(hyper_container_name("web", "docker.io/library/nginx:1.25", 0), "web-nginx-0");
/// assert_eq!(hyper_container_name("web", "Busybox", 2), "web--2"); // not a DNS label
/// assert_eq!(hyper_container_name("web", "localhost:5000/app", 1), "web-localhost-1");
/// ```
pub fn hyper_container_name(pod: &str, image: &str, index: usize) -> String {
    let repo = image.split(':').next().unwrap_or_default();
    let name = repo.rsplit('/').next().unwrap_or_default();
    let name = if is_dns1123_label(name) { name } else { "" };
    format!("{pod}-{name}-{index}")
}

/// The container name for a Hyper container without one: Hyper's
/// ([`hyper_container_name`]) when that is a valid [`ContainerName`], else the same made valid.
/// Hyper used the pod id as it was; an id such as `$(A)` or `_x`, or one near 253 bytes, would
/// make an invalid name, so characters outside `[a-zA-Z0-9_.-]` become `-`, a name that does
/// not start with a letter or digit gets a leading `c`, and the pod part is cut so that the
/// whole fits in 253 bytes.
///
/// # Examples
///
/// ```
/// use convert::names::generated_container_name;
/// assert_eq!(generated_container_name("web", "nginx", 0), "web-nginx-0");
/// assert_eq!(generated_container_name("$(A)", "nginx", 1), "c--A--nginx-1");
/// ```
pub fn generated_container_name(pod: &str, image: &str, index: usize) -> ContainerName {
    let hyper = hyper_container_name(pod, image, index);
    if let Ok(name) = ContainerName::try_from(hyper.as_str()) {
        return name;
    }
    let tail = hyper_container_name("", image, index); // "-<image>-<index>"
    let mut head: String = pod
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if !head.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        head.insert(0, 'c');
    }
    head.truncate(MAX_NAME_LEN.saturating_sub(tail.len()));
    ContainerName::try_from(format!("{head}{tail}")).expect("a name made of valid characters")
}

/// The pod's hostname: its own [`Pod::hostname`], else its name cut to 63 bytes (at a character
/// boundary), as Hyper and Kubernetes did. When the name had to be cut, trailing `-` and `.` are
/// removed as Kubernetes does (`truncatePodHostnameIfNeeded`); Hyper only cut. This is the
/// `HOSTNAME` of every container ([`crate::environment`]).
///
/// # Examples
///
/// ```
/// use podspec::{Format, model::*};
/// let mut pod = Pod::new(PodName::try_from("web").unwrap(), Source::new(Format::K8s));
/// assert_eq!(convert::hostname(&pod), "web");
/// pod.hostname = Some(Hostname::try_from("front").unwrap());
/// assert_eq!(convert::hostname(&pod), "front");
/// let long = format!("{}-{}", "a".repeat(62), "b".repeat(10));
/// let pod = Pod::new(PodName::try_from(long).unwrap(), Source::new(Format::K8s));
/// assert_eq!(convert::hostname(&pod), "a".repeat(62)); // cut at 63, then the '-' trimmed
/// ```
pub fn hostname(pod: &Pod) -> String {
    if let Some(h) = &pod.hostname {
        return h.as_str().to_owned();
    }
    let name = pod.name.as_str();
    if name.len() <= MAX_HOSTNAME_LEN {
        return name.to_owned();
    }
    let mut end = MAX_HOSTNAME_LEN;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].trim_end_matches(['-', '.']).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use podspec::wire::hyper;

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn different_documents_get_different_names() {
        let a = Document::Hyper(hyper::Pod {
            tty: Some(true),
            ..Default::default()
        });
        let b = Document::Hyper(hyper::Pod {
            tty: Some(false),
            ..Default::default()
        });
        assert_ne!(derived_pod_name(&a), derived_pod_name(&b));
    }

    #[test]
    fn long_derived_strings_stay_in_the_alphabet() {
        let s = chars_from(42, 40, b"xyz");
        assert_eq!(s.len(), 40);
        assert!(s.bytes().all(|b| b"xyz".contains(&b)));
    }

    #[test]
    fn hostname_cut_respects_char_boundaries() {
        use podspec::Format;
        use podspec::model::Source;
        let name = format!("{}é", "a".repeat(62)); // é spans bytes 62..64
        let pod = Pod::new(PodName::try_from(name).unwrap(), Source::new(Format::Hyper));
        assert_eq!(hostname(&pod), "a".repeat(62));
    }

    #[test]
    fn generated_container_names_are_always_valid() {
        for pod in ["_x", "$(A)", ".", "é", &"a".repeat(253), "x y"] {
            for image in ["", "busybox", "a/b:c", &"b".repeat(100)] {
                let n = generated_container_name(pod, image, 7);
                assert!(n.as_str().ends_with("-7"), "{n}");
            }
        }
        assert_eq!(generated_container_name("_x", "", 0), "c_x--0");
    }

    #[test]
    fn container_name_with_empty_image_has_an_empty_middle() {
        assert_eq!(hyper_container_name("p", "", 0), "p--0");
        assert_eq!(hyper_container_name("p", "ubuntu:14.04", 3), "p-ubuntu-3");
    }
}
