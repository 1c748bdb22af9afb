//! Validation of wire documents: every error at once, each with its field path in the format's
//! own names and a Kubernetes [`ErrorType`].
//!
//! [`validate`] dispatches on the document's format; [`validate_k8s`], [`validate_v1beta1`],
//! [`validate_hyper`] and [`validate_pod_controller`] validate one format each. None of them
//! stops at the first error. Documents come from [`crate::parse()`], whose key normalization makes
//! paths use each format's canonical spelling (`readOnly`, even if the file said `readonly`).
//!
//! The domain model has its own cross-field check, [`crate::model::Pod::validate`]. The rules
//! here are a superset for each format of what the model's types require, so a document that
//! passes converts into the model without a type error.
//!
//! # Kubernetes v1 (`spec/kubernetes.md` section 8, section 3 for probes)
//!
//! Validation is done as Kubernetes does it **after defaulting**: a field the API server would
//! default is not an error when absent (or empty): `restartPolicy` (Always), `dnsPolicy`
//! (ClusterFirst), `terminationGracePeriodSeconds` (30), `imagePullPolicy`,
//! `terminationMessagePolicy` (File), a port's `protocol` (TCP), `httpGet.path` (`/`),
//! `httpGet.scheme` (HTTP), probe numbers (0 means "default"), and `metadata.namespace`, which
//! is `default` for us: a file is not an API request and has no request namespace. Feature gates
//! are at their defaults for Kubernetes 1.35: `ContainerRestartRules` on (container-level
//! `restartPolicy` on regular and init containers, up to 20 `restartPolicyRules` of at most 255
//! exit codes each, `exitCodes` required, action `Restart`), `RestartAllContainersOnContainerExits`
//! off, relaxed environment variable names on.
//!
//! | rule | path | type |
//! |---|---|---|
//! | `kind` is `Pod` | `kind` | Invalid |
//! | name or generateName given | `metadata.name` | Required |
//! | name a DNS-1123 subdomain; generateName a prefix of one | `metadata.name`, `metadata.generateName` | Invalid |
//! | namespace a DNS-1123 label (if given) | `metadata.namespace` | Invalid |
//! | label keys qualified names, values label values | `metadata.labels[k]` | Invalid |
//! | annotation keys qualified names; total at most 256 KiB | `metadata.annotations[k]`, `metadata.annotations` | Invalid, TooLong |
//! | `spec` present | `spec` | Required |
//! | volume name given, a DNS-1123 label, unique | `spec.volumes[i].name` | Required, Invalid, Duplicate |
//! | exactly one volume source | `spec.volumes[i]`, `spec.volumes[i].<source>` | Required, Forbidden |
//! | hostPath path given; type known | `….hostPath.path`, `….hostPath.type` | Required, NotSupported |
//! | emptyDir medium known; sizeLimit a quantity | `….emptyDir.medium`, `….emptyDir.sizeLimit` | NotSupported, Invalid |
//! | at least one container | `spec.containers` | Required |
//! | container name given, a DNS-1123 label | `spec.containers[i].name` | Required, Invalid |
//! | container names unique (init against regular and earlier init) | `spec.containers[j].name`, `spec.initContainers[j].name` | Duplicate |
//! | image given, no whitespace (Kubernetes checks only the ends; no runtime pulls the rest) | `….image` | Required, Invalid |
//! | terminationMessagePolicy File or FallbackToLogsOnError | `….terminationMessagePolicy` | NotSupported |
//! | port name an IANA service name, unique per container | `….ports[k].name` | Invalid, Duplicate |
//! | containerPort given, 1..65535; hostPort 0..65535; hostIP an IP | `….ports[k].containerPort`, `.hostPort`, `.hostIP` | Required, Invalid |
//! | protocol TCP, UDP or SCTP | `….ports[k].protocol` | NotSupported |
//! | protocol/hostIP/hostPort once (across regular containers; per init container) | `….ports[k].hostPort` | Duplicate |
//! | env name given; printable ASCII without `=` | `….env[k].name` | Required, Invalid |
//! | not both value and valueFrom; valueFrom has exactly one source; fieldRef path supported | `….env[k].valueFrom`, `….valueFrom.fieldRef.fieldPath` | Invalid, Required, NotSupported |
//! | volumeMount name given and a pod volume; mountPath given and unique; subPath relative without `..` | `….volumeMounts[k].name`, `.mountPath`, `.subPath` | Required, NotFound, Invalid |
//! | imagePullPolicy Always, IfNotPresent or Never | `….imagePullPolicy` | NotSupported |
//! | resources are quantities; a request at most its limit | `….resources.limits[r]`, `….resources.requests[r]` | Invalid |
//! | container restartPolicy Always, OnFailure or Never | `….restartPolicy` | NotSupported |
//! | at most 20 rules; action Restart; exitCodes given; operator In or NotIn; at most 255 values | `….restartPolicyRules`, `….restartPolicyRules[r].action`, `.exitCodes`, `.exitCodes.operator`, `.exitCodes.values` | TooMany, Required, NotSupported |
//! | plain (not restartable) init container without lifecycle or probes | `spec.initContainers[i].lifecycle`, `.livenessProbe`, … | Forbidden |
//! | hook: exactly one handler | `….lifecycle.postStart` | Required, Forbidden |
//! | probe: exactly one handler | `….livenessProbe` | Required, Forbidden |
//! | exec command non-empty | `….exec.command` | Required |
//! | httpGet/tcpSocket port 1..65535 or an IANA name; scheme HTTP or HTTPS; header names tokens | `….httpGet.port`, `.scheme`, `.httpHeaders[h].name` | Required, Invalid, NotSupported |
//! | grpc port 1..65535 | `….grpc.port` | Invalid |
//! | sleep 0 < seconds ≤ terminationGracePeriodSeconds | `….sleep.seconds` | Invalid |
//! | probe numbers ≥ 0; probe terminationGracePeriodSeconds > 0 | `….livenessProbe.periodSeconds`, … | Invalid |
//! | liveness and startup successThreshold 1 | `….livenessProbe.successThreshold` | Invalid |
//! | readiness without terminationGracePeriodSeconds | `….readinessProbe.terminationGracePeriodSeconds` | Invalid |
//! | pod restartPolicy Always, OnFailure or Never | `spec.restartPolicy` | NotSupported |
//! | dnsPolicy ClusterFirstWithHostNet, ClusterFirst, Default or None | `spec.dnsPolicy` | NotSupported |
//! | hostname and subdomain DNS-1123 labels | `spec.hostname`, `spec.subdomain` | Invalid |
//! | terminationGracePeriodSeconds ≥ 0 | `spec.terminationGracePeriodSeconds` | Invalid |
//! | activeDeadlineSeconds 1..2147483647 | `spec.activeDeadlineSeconds` | Invalid |
//!
//! `httpGet.path` is never an error: Kubernetes defaults an empty path to `/` before its
//! `Required` check can see it.
//!
//! # Kubernetes v1beta1
//!
//! The same rules with v1beta1's paths: the 2014 shape's `id`, `labels`, `namespace` and
//! `desiredState.manifest.containers[0].name`, and Hyper's examples' shape's `metadata.name` and
//! `spec.containers[0].name`. Differences: an env var may be named by `key`; a mount by `path`;
//! `memory` and `cpu` are container fields; `imagePullPolicy` also takes 2014's `PullAlways`,
//! `PullIfNotPresent`, `PullNever`; the liveness probe has `type` (`http`, `tcp`, `exec`) and
//! only `initialDelaySeconds` and `timeoutSeconds`; the 2014 restart policy is an object with at
//! most one of `always`, `onFailure`, `never` (none means Always); `manifest.version`, if given,
//! is `v1beta1` in any case.
//!
//! Names: the 2014 shape follows Kubernetes (`id` required and a DNS-1123 subdomain, container
//! names DNS-1123 labels). Hyper's examples' shape was only ever read by Hyper's converter, which
//! took any name and used `default` for a missing `metadata.name`; its own examples say
//! `Ubuntu-1` and `test-k8s-restartPolicy`. So that shape's names follow our model's rules
//! ([`crate::model::ContainerName`], [`crate::model::PodName`]) and the pod name is optional.
//!
//! # Hyper (`spec/hyper.md` sections 1.2 to 1.8)
//!
//! Hyper's own checks, in Hyper's order, with Hyper's messages (typos included) as the detail;
//! Hyper stopped at the first, we report all:
//!
//! | rule | path | type |
//! |---|---|---|
//! | hostname at most 63 | `hostname` | TooLong |
//! | hostname parts DNS-1123 labels | `hostname` | Invalid |
//! | at most one interface with a gateway | `interfaces[i].gateway` | Duplicate |
//! | volume names unique; file names unique | `volumes[i].name`, `files[i].name` | Duplicate |
//! | services unique by serviceIP, servicePort, lower-case protocol | `services[i]` | Duplicate |
//! | per container: volume refs unique by volume | `containers[n].volumes[k].volume` | Duplicate |
//! | per container: env names unique | `containers[n].envs[k].env` | Duplicate |
//! | per container: file refs name pod files | `containers[n].files[k].filename` | NotFound |
//! | per container: perm is `0` or contains `0[0-7]{3}` (empty is 0755) | `containers[n].files[k].perm` | Invalid |
//! | per container: volume refs name pod volumes unless `detail` is given | `containers[n].volumes[k].volume` | NotFound |
//! | per container: cache in the cache set | `containers[n].cache` | NotSupported |
//! | volume format in raw, qcow2, vdi, vfs, rbd, nas (legacy `driver`: no nas) | `volumes[i].format`, `volumes[i].driver` | NotSupported |
//! | volume cache in off, none, directsync, writeback, unsafe, writethrough | `volumes[i].cache` | NotSupported |
//! | dns entries are IP addresses | `dns[i]` | Invalid |
//! | port mappings: ports `""`, `N` or `A-B` (A ≤ B); protocol `""`, tcp or udp; a container range needs a host range of its size | `portmappings[i].containerPort`, `.hostPort`, `.protocol` | Invalid, NotSupported |
//!
//! And ours, where the model needs a value Hyper never checked (each says so in its detail's
//! wording only through the rule; they are listed here):
//!
//! | rule | path | type |
//! |---|---|---|
//! | image given (legacy Hyper's message; 1.x failed later, at creation), without whitespace | `containers[n].image` | Required, Invalid |
//! | fixed host ports (a host side as large as the container side) used once per protocol (`duplicate host port N`, from Hyper's unit-tested `mergeContinuousPorts`) | `portmappings[i].hostPort` | Duplicate |
//! | volume and file names given (legacy Hyper's message) | `volumes[i].name`, `files[i].name` | Required |
//! | `id` (or legacy `name`) a [`crate::model::PodName`] | `id` | Invalid |
//! | container names [`crate::model::ContainerName`]s, unique | `containers[n].name` | Invalid, Duplicate |
//! | restart policies always, onFailure, never (or Kubernetes' spellings) | `restartPolicy`, `containers[n].restartPolicy` | NotSupported |
//! | StopSignal a signal | `containers[n].StopSignal` | Invalid |
//! | env names given, without `=` | `containers[n].envs[k].env` | Required, Invalid |
//! | legacy container ports: containerPort 1..65535, hostPort 0..65535, protocol `""`, tcp or udp | `containers[n].ports[k].…` | Invalid, NotSupported |
//! | file ref user/group numeric; path given | `containers[n].files[k].user`, `.group`, `.path` | Invalid, Required |
//! | volume ref path given | `containers[n].volumes[k].path` | Required |
//! | file encoding raw or base64 | `files[i].encoding` | NotSupported |
//! | resource vcpu and memory not negative | `resource.vcpu`, `resource.memory` | Invalid |
//! | service IPs are IPs, ports 1..65535, protocol tcp or udp | `services[i].serviceIP`, `.servicePort`, `.protocol`, `.hosts[h].hostIP`, `.hosts[h].hostPort` | Invalid, NotSupported |
//!
//! Decisions: an empty `image` is an error, as in legacy Hyper (1.x accepted it and failed at
//! creation). An empty `containers` list is allowed (1.x). Legacy container `ports` with an
//! explicit protocol are accepted: Hyper 1.x's migration rejected any explicit protocol because
//! of an always-true condition (`p != "tcp" || p != "udp"`); we do not reproduce that bug.
//! Inline `detail` volumes and files are not validated further (Hyper did not).
//!
//! # pod-controller (`spec/hyper.md` section 6.1)
//!
//! | rule | path | type |
//! |---|---|---|
//! | at most one unnamed container per list: pod-controller keys containers by name, so a second unnamed one collides (`Missing names for some of the containers`) | `containers[i].name`, `initContainers[i].name` | Required |
//! | names unique across init and main containers (they key maps) | `containers[i].name`, `initContainers[i].name` | Duplicate |
//! | names [`crate::model::ContainerName`]s | same | Invalid |
//! | process args non-empty | `containers[i].spec.process.args` | Required |
//! | process env entries `KEY=value` (OCI), KEY printable ASCII | `containers[i].spec.process.env[k]` | Invalid |
//! | probe numbers ≥ 0 | `containers[i].livenessProbe.periodSeconds`, … | Invalid |
//! | exec probe command non-empty | `containers[i].livenessProbe.exec` | Required |
//! | httpGet port 1..65535; scheme http or https (any case) | `….httpGet.port`, `….httpGet.scheme` | Invalid, NotSupported |
//!
//! A pod-controller probe whose `httpGet` has no scheme built a bad URL and failed every check;
//! we report the missing scheme as NotSupported instead of running a probe that can only fail.
//! Zero thresholds and periods are not errors: they are what an omitted field meant. A single
//! unnamed container is not an error either (pod-controller's own README example has an
//! unnamed init container); `convert` gives it a name.
//!
//! # Examples
//!
//! ```
//! use podspec::{parse, validate};
//! let doc = parse(r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
//!     "spec": {"containers": [{"name": "Web", "image": ""}]}}"#, None).unwrap().document;
//! let errs = validate(&doc);
//! let shown: Vec<String> = errs.iter().map(|e| format!("{} {:?}", e.field, e.kind)).collect();
//! assert_eq!(shown, ["spec.containers[0].name Invalid", "spec.containers[0].image Required"]);
//! ```

mod hyper;
mod k8s;
pub mod names;
mod podctl;
mod v1beta1;

pub use hyper::validate_hyper;
pub use k8s::validate_k8s;
pub use podctl::validate_pod_controller;
pub use v1beta1::validate_v1beta1;

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use crate::wire::{Document, Str};
use crate::{BadValue, ErrorType, FieldError, FieldPath, Segment};

/// Validates a document of any format, returning every error (empty when valid).
///
/// # Examples
///
/// ```
/// use podspec::{ErrorType, parse, validate};
/// let doc = parse("containers:\n  - name: a\n    image: busybox\n  - name: a\n    image: busybox\n", None)
///     .unwrap()
///     .document;
/// let errs = validate(&doc);
/// assert_eq!(errs.len(), 1);
/// assert_eq!(errs[0].field.to_string(), "containers[1].name");
/// assert_eq!(errs[0].kind, ErrorType::Duplicate);
/// ```
#[must_use]
pub fn validate(doc: &Document) -> Vec<FieldError> {
    match doc {
        Document::Hyper(pod) => validate_hyper(pod),
        Document::K8s(pod) => validate_k8s(pod),
        Document::K8sV1beta1(pod) => validate_v1beta1(pod),
        Document::PodController(spec) => validate_pod_controller(spec),
    }
}

/// How many values [`Seen`] keeps in place before it moves them to a hash set.
const SEEN_INLINE: usize = 8;

/// The values seen so far, for uniqueness checks (names, mount paths, host ports). Most pods
/// have a handful of each, so the first few are kept in place and compared one by one (no
/// allocation, no hashing); past [`SEEN_INLINE`] they move to a `HashSet` hashed with [`WordHash`].
pub(crate) struct Seen<T> {
    inline: [Option<T>; SEEN_INLINE],
    len: usize,
    /// How many values the caller expects at most, to size the hash set once.
    expected: usize,
    spilled: Option<HashSet<T, BuildHasherDefault<WordHash>>>,
}

/// A multiplicative hash taking eight bytes a step, for [`Seen`]'s short keys (names, paths):
/// a few instructions a word where SipHash costs a hundred a key. Not resistant to chosen
/// collisions; the keys come from one pod file checked on the machine of whoever wrote it,
/// where a collision only slows that check down.
#[derive(Default)]
pub(crate) struct WordHash(u64);

/// The multiplier (2^64 / golden ratio, odd).
const WORD_HASH_K: u64 = 0x9e37_79b9_7f4a_7c15;

impl WordHash {
    #[inline]
    fn mix(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(WORD_HASH_K).rotate_left(26);
    }
}

impl Hasher for WordHash {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0_u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0_u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            // The tail's length goes in too: "a\0" and "a" differ.
            self.mix(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }

    #[inline]
    fn write_i32(&mut self, n: i32) {
        self.mix(u64::from(n.cast_unsigned()));
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // The table takes the top bits (Fibonacci hashing): one more multiply spreads every
        // input bit into them.
        (self.0 ^ (self.0 >> 32)).wrapping_mul(WORD_HASH_K)
    }
}

impl<T: Copy + Eq + Hash> Seen<T> {
    /// An empty set.
    pub(crate) fn new() -> Self {
        Self::expecting(0)
    }

    /// An empty set for up to about `n` values (the container names of a pod): the hash set it
    /// may spill to is sized once, not grown.
    pub(crate) fn expecting(n: usize) -> Self {
        Self {
            inline: [None; SEEN_INLINE],
            len: 0,
            expected: n,
            spilled: None,
        }
    }

    /// Whether `value` was seen.
    #[inline(always)]
    pub(crate) fn contains(&self, value: &T) -> bool {
        match &self.spilled {
            Some(set) => set.contains(value),
            None => self.inline[..self.len].contains(&Some(*value)),
        }
    }

    /// Adds `value`; `false` when it was already there.
    #[inline(always)]
    pub(crate) fn insert(&mut self, value: T) -> bool {
        if let Some(set) = &mut self.spilled {
            return set.insert(value);
        }
        if self.contains(&value) {
            return false;
        }
        if self.len < SEEN_INLINE {
            self.inline[self.len] = Some(value);
            self.len += 1;
        } else {
            let mut set = HashSet::with_capacity_and_hasher(
                self.expected.max(2 * SEEN_INLINE),
                <_>::default(),
            );
            set.extend(self.inline.iter().flatten().copied());
            set.insert(value);
            self.spilled = Some(set);
        }
        true
    }
}

/// The "exactly one of" rule over `fields` (each a field name and whether it is set), with
/// [`k8s::exactly_one`]'s errors when broken: whether exactly one is set. Only the flags are
/// looked at when the rule holds.
#[inline]
fn exactly_one_of<const N: usize>(
    errs: &mut Vec<FieldError>,
    path: &Lazy<'_>,
    fields: [(&'static str, bool); N],
    what: &str,
) -> bool {
    if fields.iter().filter(|(_, set)| *set).count() == 1 {
        return true;
    }
    not_exactly_one(errs, path, fields, what);
    false
}

#[cold]
#[inline(never)]
fn not_exactly_one<const N: usize>(
    errs: &mut Vec<FieldError>,
    path: &Lazy<'_>,
    fields: [(&'static str, bool); N],
    what: &str,
) {
    let (set, n) = set_fields(fields);
    k8s::exactly_one(errs, path, &set[..n], what);
}

/// The names of the fields that are set, in order, and how many there are: for "exactly one
/// of" rules, without a `Vec`.
fn set_fields<const N: usize>(fields: [(&'static str, bool); N]) -> ([&'static str; N], usize) {
    let mut out = [""; N];
    let mut n = 0;
    for (name, is_set) in fields {
        if is_set {
            out[n] = name;
            n += 1;
        }
    }
    (out, n)
}

/// A field path kept as a list on the stack and turned into a [`FieldPath`] only when an error
/// is reported: valid documents then build no paths at all.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lazy<'a> {
    parent: Option<&'a Self>,
    seg: Seg<'a>,
}

#[derive(Clone, Copy, Debug)]
enum Seg<'a> {
    Base(&'a FieldPath),
    Field(&'static str),
    Index(usize),
    Key(&'a str),
}

impl<'a> Lazy<'a> {
    /// A lazy path starting at `base`.
    pub(crate) fn new(base: &'a FieldPath) -> Self {
        Self {
            parent: None,
            seg: Seg::Base(base),
        }
    }

    /// This path extended by a field.
    pub(crate) fn field(&self, name: &'static str) -> Lazy<'_> {
        Lazy {
            parent: Some(self),
            seg: Seg::Field(name),
        }
    }

    /// This path extended by a list index.
    pub(crate) fn index(&self, i: usize) -> Lazy<'_> {
        Lazy {
            parent: Some(self),
            seg: Seg::Index(i),
        }
    }

    /// This path extended by a map key.
    pub(crate) fn key<'b>(&'b self, key: &'b str) -> Lazy<'b> {
        Lazy {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    /// The path.
    pub(crate) fn path(&self) -> FieldPath {
        let mut segs = Vec::new();
        let mut here = Some(self);
        let mut base = FieldPath::root();
        while let Some(l) = here {
            match l.seg {
                Seg::Base(b) => base = b.clone(),
                Seg::Field(name) => segs.push(Segment::field(name)),
                Seg::Index(i) => segs.push(Segment::Index(i)),
                Seg::Key(k) => segs.push(Segment::Key(k.to_owned())),
            }
            here = l.parent;
        }
        for s in segs.into_iter().rev() {
            base.push(s);
        }
        base
    }
}

impl From<Lazy<'_>> for FieldPath {
    fn from(l: Lazy<'_>) -> Self {
        l.path()
    }
}

impl From<&Lazy<'_>> for FieldPath {
    fn from(l: &Lazy<'_>) -> Self {
        l.path()
    }
}

fn required(path: impl Into<FieldPath>, detail: impl Into<String>) -> FieldError {
    FieldError::new(path.into(), ErrorType::Required, detail)
}

fn invalid(
    path: impl Into<FieldPath>,
    value: impl Into<BadValue>,
    detail: impl Into<String>,
) -> FieldError {
    FieldError::new(path.into(), ErrorType::Invalid, detail).with_value(value)
}

fn duplicate(path: impl Into<FieldPath>, value: impl Into<BadValue>) -> FieldError {
    FieldError::new(path.into(), ErrorType::Duplicate, "").with_value(value)
}

fn forbidden(path: impl Into<FieldPath>, detail: impl Into<String>) -> FieldError {
    FieldError::new(path.into(), ErrorType::Forbidden, detail)
}

fn not_found(
    path: impl Into<FieldPath>,
    value: impl Into<BadValue>,
    detail: impl Into<String>,
) -> FieldError {
    FieldError::new(path.into(), ErrorType::NotFound, detail).with_value(value)
}

/// Kubernetes' NotSupported: the detail lists the supported values, quoted.
fn not_supported(
    path: impl Into<FieldPath>,
    value: impl Into<BadValue>,
    supported: &[&str],
) -> FieldError {
    let list: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
    FieldError::new(
        path.into(),
        ErrorType::NotSupported,
        format!("supported values: {}", list.join(", ")),
    )
    .with_value(value)
}

/// Whether an optional string is absent or empty (Go's zero value).
fn blank(s: Option<&Str>) -> bool {
    s.is_none_or(|s| s.is_empty())
}

/// A model constructor's root-path error, moved to `path`.
fn at(mut err: FieldError, path: impl Into<FieldPath>) -> FieldError {
    err.field = path.into();
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_supported_lists_quoted_values() {
        let e = not_supported(FieldPath::root().field("x"), "a", &["B", "C"]);
        assert_eq!(
            e.to_string(),
            "x: Unsupported value: \"a\": supported values: \"B\", \"C\""
        );
    }

    #[test]
    fn seen_finds_repeats_before_and_after_it_spills() {
        for mut seen in [Seen::new(), Seen::expecting(3), Seen::expecting(100)] {
            for i in 0..20_u32 {
                assert!(seen.insert(i), "{i}");
                assert!(!seen.insert(i), "{i}");
                assert!((0..=i).all(|j| seen.contains(&j)), "{i}");
                assert!(!seen.contains(&(i + 1)), "{i}");
            }
            assert!(seen.spilled.is_some());
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// `Seen` answers as a `HashSet` does, in place and spilled (sized for fewer or more
        /// values than come).
        #[test]
        fn seen_agrees_with_a_hash_set(
            words in proptest::collection::vec("[a-c]{0,3}|[a-z0-9-]{8,20}", 0..200),
            expected in 0_usize..40,
        ) {
            let mut seen = Seen::expecting(expected);
            let mut set = HashSet::new();
            for w in &words {
                proptest::prop_assert_eq!(seen.contains(&w.as_str()), set.contains(w.as_str()));
                proptest::prop_assert_eq!(seen.insert(w.as_str()), set.insert(w.as_str()), "{}", w);
            }
            for w in &words {
                proptest::prop_assert!(seen.contains(&w.as_str()));
            }
            let mut ports = Seen::new();
            let mut port_set = HashSet::new();
            for (i, w) in words.iter().enumerate() {
                let key = ("TCP", w.as_str(), i32::try_from(i % 7).unwrap_or(0));
                proptest::prop_assert_eq!(ports.insert(key), port_set.insert(key));
            }
        }
    }

    #[test]
    fn set_fields_lists_the_set_ones_in_order() {
        let (names, n) = set_fields([("a", false), ("b", true), ("c", true)]);
        assert_eq!(&names[..n], ["b", "c"]);
        assert_eq!(set_fields([("a", false)]).1, 0);
    }

    #[test]
    fn blank_is_absent_or_empty() {
        assert!(blank(None));
        assert!(blank(Some(&Str::default())));
        assert!(!blank(Some(&Str::from("a"))));
    }
}
