//! Kubernetes v1 pod validation (`pkg/apis/core/validation/validation.go`), after defaulting.
//! The helpers here are shared with v1beta1.

use std::collections::BTreeMap;

use super::names::{
    dns1123_label_errors, dns1123_subdomain_errors, env_var_name_errors, is_dns1123_label,
    is_dns1123_subdomain, is_env_var_name, is_iana_svc_name, is_label_value, is_qualified_name,
    is_qualified_name_ignoring_case, label_value_errors, qualified_name_errors,
};
use super::{
    Lazy, Seen, blank, duplicate, exactly_one_of, forbidden, invalid, not_found, not_supported,
    required,
};
use crate::model::{Memory, MilliCpu, PodField, plain_scaled};
use crate::wire::k8s::{
    Container, ContainerPort, EnvVar, ExecAction, HttpGetAction, Lifecycle, LifecycleHandler,
    ObjectMeta, Pod, PodSpec, Probe, TcpSocketAction, Volume, VolumeMount,
};
use crate::wire::{IntOrString, Quantity, Str};
use crate::{ErrorType, FieldError, FieldPath};

/// Kubernetes' default `terminationGracePeriodSeconds`.
pub(super) const DEFAULT_TGP: i64 = 30;

const RESTART_POLICIES: [&str; 3] = ["Always", "Never", "OnFailure"];
const DNS_POLICIES: [&str; 4] = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"];
const PULL_POLICIES: [&str; 3] = ["Always", "IfNotPresent", "Never"];
const TERMINATION_MESSAGE_POLICIES: [&str; 2] = ["FallbackToLogsOnError", "File"];
const PROTOCOLS: [&str; 3] = ["SCTP", "TCP", "UDP"];
const SCHEMES: [&str; 2] = ["HTTP", "HTTPS"];
const HOST_PATH_TYPES: [&str; 8] = [
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
];
const MAX_ANNOTATIONS_BYTES: usize = 256 * 1024;
const MAX_RESTART_RULES: usize = 20;
const MAX_RULE_EXIT_CODES: usize = 255;
const NON_NEGATIVE: &str = "must be greater than or equal to 0";
const INIT_FORBIDDEN: &str = "may not be set for init containers without restartPolicy=Always";

/// Validates a Kubernetes v1 pod (see the [module documentation](super) for the rules).
///
/// # Examples
///
/// ```
/// use podspec::{ErrorType, validate::validate_k8s, wire::k8s::Pod};
/// let pod: Pod = serde_json::from_str(r#"{"kind": "Pod", "metadata": {"name": "p"},
///     "spec": {"restartPolicy": "Sometimes", "containers": [{"name": "c", "image": "busybox"}]}}"#)
///     .unwrap();
/// let errs = validate_k8s(&pod);
/// assert_eq!(errs.len(), 1);
/// assert_eq!(errs[0].field.to_string(), "spec.restartPolicy");
/// assert_eq!(errs[0].kind, ErrorType::NotSupported);
/// ```
#[must_use]
pub fn validate_k8s(pod: &Pod) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let base = FieldPath::root();
    let root = Lazy::new(&base);
    if let Some(kind) = &pod.kind
        && kind != "Pod"
    {
        errs.push(invalid(
            root.field("kind"),
            kind.as_str(),
            "must be \"Pod\"",
        ));
    }
    match &pod.metadata {
        Some(meta) => object_meta(&mut errs, &root.field("metadata"), meta),
        None => object_meta(&mut errs, &root.field("metadata"), &ObjectMeta::default()),
    }
    match &pod.spec {
        Some(spec) => pod_spec(&mut errs, &root.field("spec"), spec),
        None => errs.push(required(root.field("spec"), "")),
    }
    errs
}

fn object_meta(errs: &mut Vec<FieldError>, path: &Lazy<'_>, meta: &ObjectMeta) {
    if blank(meta.name.as_ref()) && blank(meta.generate_name.as_ref()) {
        errs.push(required(
            path.field("name"),
            "name or generateName is required",
        ));
    }
    if let Some(name) = meta.name.as_deref().filter(|n| !n.is_empty()) {
        subdomain(errs, path.field("name"), name);
    }
    if let Some(prefix) = meta.generate_name.as_deref().filter(|n| !n.is_empty()) {
        // A prefix may end in '-' (Kubernetes masks a trailing dash before checking).
        let masked = match prefix.strip_suffix('-') {
            Some(head) => format!("{head}a"),
            None => prefix.to_owned(),
        };
        if !is_dns1123_subdomain(&masked) {
            errs.push(invalid(
                path.field("generateName"),
                prefix,
                dns1123_subdomain_errors(&masked).join("; "),
            ));
        }
    }
    namespace(errs, path.field("namespace"), meta.namespace.as_deref());
    labels(errs, &path.field("labels"), meta.labels.as_ref());
    annotations(errs, &path.field("annotations"), meta.annotations.as_ref());
}

/// A DNS-1123 subdomain name.
#[inline]
pub(super) fn subdomain(errs: &mut Vec<FieldError>, path: Lazy<'_>, name: &str) {
    if !is_dns1123_subdomain(name) {
        not_subdomain(errs, path, name);
    }
}

#[cold]
#[inline(never)]
fn not_subdomain(errs: &mut Vec<FieldError>, path: Lazy<'_>, name: &str) {
    errs.push(invalid(
        path,
        name,
        dns1123_subdomain_errors(name).join("; "),
    ));
}

/// A DNS-1123 label.
#[inline]
pub(super) fn label(errs: &mut Vec<FieldError>, path: Lazy<'_>, name: &str) {
    if !is_dns1123_label(name) {
        not_label(errs, path, name);
    }
}

#[cold]
#[inline(never)]
fn not_label(errs: &mut Vec<FieldError>, path: Lazy<'_>, name: &str) {
    errs.push(invalid(path, name, dns1123_label_errors(name).join("; ")));
}

/// An optional namespace: absent or empty is `default` (files are not API requests).
#[inline]
pub(super) fn namespace(errs: &mut Vec<FieldError>, path: Lazy<'_>, ns: Option<&str>) {
    if let Some(ns) = ns.filter(|n| !n.is_empty()) {
        label(errs, path, ns);
    }
}

pub(super) fn labels(
    errs: &mut Vec<FieldError>,
    path: &Lazy<'_>,
    labels: Option<&BTreeMap<Str, Str>>,
) {
    let Some(labels) = labels else { return };
    for (k, v) in labels {
        if !is_qualified_name(k) {
            let p = path.key(k.as_str());
            errs.push(invalid(p, k.as_str(), qualified_name_errors(k).join("; ")));
        }
        if !is_label_value(v) {
            let p = path.key(k.as_str());
            errs.push(invalid(p, v.as_str(), label_value_errors(v).join("; ")));
        }
    }
}

pub(super) fn annotations(
    errs: &mut Vec<FieldError>,
    path: &Lazy<'_>,
    annotations: Option<&BTreeMap<Str, Str>>,
) {
    let Some(annotations) = annotations else {
        return;
    };
    let mut total = 0;
    for (k, v) in annotations {
        total += k.len() + v.len();
        if !is_qualified_name_ignoring_case(k) {
            let reasons = qualified_name_errors(&k.to_ascii_lowercase());
            errs.push(invalid(
                path.key(k.as_str()),
                k.as_str(),
                reasons.join("; "),
            ));
        }
    }
    if total > MAX_ANNOTATIONS_BYTES {
        errs.push(FieldError::new(
            path.path(),
            ErrorType::TooLong,
            format!("must have at most {MAX_ANNOTATIONS_BYTES} bytes"),
        ));
    }
}

fn pod_spec(errs: &mut Vec<FieldError>, path: &Lazy<'_>, spec: &PodSpec) {
    let volumes = volumes(
        errs,
        &path.field("volumes"),
        spec.volumes.as_deref().unwrap_or(&[]),
    );
    let tgp = spec.termination_grace_period_seconds.unwrap_or(DEFAULT_TGP);

    let containers = spec.containers.as_deref().unwrap_or(&[]);
    if containers.is_empty() {
        errs.push(required(path.field("containers"), ""));
    }
    let n_init = spec.init_containers.as_ref().map_or(0, Vec::len);
    let mut names = Seen::expecting(containers.len() + n_init);
    let mut host_ports = Seen::expecting(containers.len());
    for (i, c) in containers.iter().enumerate() {
        let p_0 = path.field("containers");
        let p = p_0.index(i);
        container(
            errs,
            &p,
            c,
            Kind::Regular,
            &volumes,
            &mut names,
            &mut host_ports,
            tgp,
        );
    }
    for (i, c) in spec
        .init_containers
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let p_0 = path.field("initContainers");
        let p = p_0.index(i);
        let kind = if c.restart_policy.as_deref() == Some("Always") {
            Kind::Sidecar
        } else {
            Kind::Init
        };
        // Host ports are checked per init container (they run one at a time).
        let mut own_ports = Seen::new();
        container(errs, &p, c, kind, &volumes, &mut names, &mut own_ports, tgp);
    }

    if let Some(policy) = spec.restart_policy.as_deref().filter(|p| !p.is_empty())
        && !RESTART_POLICIES.contains(&policy)
    {
        errs.push(not_supported(
            path.field("restartPolicy"),
            policy,
            &RESTART_POLICIES,
        ));
    }
    dns_policy(errs, path.field("dnsPolicy"), spec.dns_policy.as_deref());
    if let Some(h) = spec.hostname.as_deref().filter(|h| !h.is_empty()) {
        label(errs, path.field("hostname"), h);
    }
    if let Some(s) = spec.subdomain.as_deref().filter(|s| !s.is_empty()) {
        label(errs, path.field("subdomain"), s);
    }
    if let Some(t) = spec.termination_grace_period_seconds.filter(|t| *t < 0) {
        errs.push(invalid(
            path.field("terminationGracePeriodSeconds"),
            t,
            NON_NEGATIVE,
        ));
    }
    if let Some(d) = spec.active_deadline_seconds
        && !(1..=i64::from(i32::MAX)).contains(&d)
    {
        errs.push(invalid(
            path.field("activeDeadlineSeconds"),
            d,
            "must be between 1 and 2147483647, inclusive",
        ));
    }
}

#[inline]
pub(super) fn dns_policy(errs: &mut Vec<FieldError>, path: Lazy<'_>, policy: Option<&str>) {
    if let Some(policy) = policy.filter(|p| !p.is_empty())
        && !DNS_POLICIES.contains(&policy)
    {
        errs.push(not_supported(path, policy, &DNS_POLICIES));
    }
}

/// A volume's name: given, a DNS-1123 label, unique; collected into `seen` for mount
/// references.
#[inline]
pub(super) fn volume_name<'a>(
    errs: &mut Vec<FieldError>,
    path: Lazy<'_>,
    name: Option<&'a str>,
    seen: &mut Seen<&'a str>,
) {
    match name.filter(|n| !n.is_empty()) {
        None => errs.push(required(path, "")),
        Some(n) => {
            let before = errs.len();
            label(errs, path, n);
            // Invalid names are still collected, so mounts naming them are not NotFound too.
            if !seen.insert(n) && errs.len() == before {
                errs.push(duplicate(path, n));
            }
        }
    }
}

fn volumes<'a>(errs: &mut Vec<FieldError>, path: &Lazy<'_>, vols: &'a [Volume]) -> Seen<&'a str> {
    let mut names = Seen::new();
    for (i, v) in vols.iter().enumerate() {
        let p = path.index(i);
        volume_name(errs, p.field("name"), v.name.as_deref(), &mut names);
        exactly_one_of(
            errs,
            &p,
            [
                ("hostPath", v.host_path.is_some()),
                ("emptyDir", v.empty_dir.is_some()),
                ("configMap", v.config_map.is_some()),
                ("secret", v.secret.is_some()),
                ("persistentVolumeClaim", v.persistent_volume_claim.is_some()),
                ("nfs", v.nfs.is_some()),
                ("projected", v.projected.is_some()),
                ("downwardAPI", v.downward_api.is_some()),
            ],
            "volume",
        );
        if let Some(h) = &v.host_path {
            if blank(h.path.as_ref()) {
                errs.push(required(p.field("hostPath").field("path"), ""));
            }
            if let Some(t) = h.r#type.as_deref()
                && !HOST_PATH_TYPES.contains(&t)
            {
                errs.push(not_supported(
                    p.field("hostPath").field("type"),
                    t,
                    &HOST_PATH_TYPES[1..],
                ));
            }
        }
        if let Some(e) = &v.empty_dir {
            if let Some(m) = e.medium.as_deref()
                && !(m.is_empty()
                    || m == "Memory"
                    || m == "HugePages"
                    || m.starts_with("HugePages-"))
            {
                errs.push(not_supported(
                    p.field("emptyDir").field("medium"),
                    m,
                    &["", "HugePages", "Memory"],
                ));
            }
            if let Some(q) = &e.size_limit {
                quantity(errs, p.field("emptyDir").field("sizeLimit"), "memory", q);
            }
        }
    }
    names
}

/// What kind of container is being checked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Regular,
    /// An init container without `restartPolicy: Always`.
    Init,
    /// A restartable init container.
    Sidecar,
}

/// A container name: given, valid (`strict`: a DNS-1123 label; else a model
/// [`crate::model::ContainerName`]), unique among `seen`.
#[inline]
pub(super) fn container_name<'a>(
    errs: &mut Vec<FieldError>,
    path: Lazy<'_>,
    name: Option<&'a str>,
    strict: bool,
    seen: &mut Seen<&'a str>,
) {
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        errs.push(required(path, ""));
        return;
    };
    let before = errs.len();
    if strict {
        label(errs, path, name);
    } else if let Err(e) = crate::model::ContainerName::try_from(name) {
        errs.push(super::at(e, path));
    }
    if errs.len() == before && !seen.insert(name) {
        errs.push(duplicate(path, name));
    }
}

/// An image: given, without surrounding whitespace.
#[inline]
pub(super) fn image(errs: &mut Vec<FieldError>, path: Lazy<'_>, image: Option<&str>) {
    match image {
        None | Some("") => errs.push(required(path, "")),
        // Printable ASCII: no whitespace at the ends or inside.
        Some(i) if i.bytes().all(|b| b.is_ascii_graphic()) => {}
        Some(i) if i.trim() != i => {
            errs.push(invalid(
                path,
                i,
                "must not have leading or trailing whitespace",
            ));
        }
        // Kubernetes stops here; no runtime can pull a reference with whitespace inside.
        Some(i) => {
            if let Err(e) = crate::model::check_image_ref(i) {
                errs.push(super::at(e, path));
            }
        }
    }
}

#[inline]
pub(super) fn image_pull_policy(
    errs: &mut Vec<FieldError>,
    path: Lazy<'_>,
    policy: Option<&str>,
    extra: &[&str],
) {
    if let Some(p) = policy.filter(|p| !p.is_empty())
        && !PULL_POLICIES.contains(&p)
        && !extra.contains(&p)
    {
        let mut all: Vec<&str> = PULL_POLICIES.iter().chain(extra).copied().collect();
        all.sort_unstable();
        errs.push(not_supported(path, p, &all));
    }
}

/// One container port (v1 and v1beta1 share its wire type). `names` collects port names of
/// this container, `host_ports` the (protocol, hostIP, hostPort) triples of the containers that
/// share a network view.
#[inline]
pub(super) fn container_port<'a>(
    errs: &mut Vec<FieldError>,
    path: &Lazy<'_>,
    p: &'a ContainerPort,
    names: &mut Seen<&'a str>,
    host_ports: &mut Seen<(&'a str, &'a str, i32)>,
) {
    let (name, container_port, host_port) = (p.name.as_deref(), p.container_port, p.host_port);
    let (protocol, host_ip) = (p.protocol.as_deref(), p.host_ip.as_deref());
    if let Some(n) = name.filter(|n| !n.is_empty()) {
        if !is_iana_svc_name(n) {
            errs.push(invalid(
                path.field("name"),
                n,
                "must be an IANA service name: at most 15 characters of [-a-z0-9], at least one \
                 letter, no leading, trailing or double '-'",
            ));
        } else if !names.insert(n) {
            errs.push(duplicate(path.field("name"), n));
        }
    }
    match container_port {
        None | Some(0) => errs.push(required(path.field("containerPort"), "")),
        Some(p) if !(1..=65535).contains(&p) => {
            errs.push(port_range(path.field("containerPort"), p))
        }
        Some(_) => {}
    }
    if let Some(h) = host_port.filter(|h| !(0..=65535).contains(h)) {
        errs.push(port_range(path.field("hostPort"), h));
    }
    let proto = protocol.filter(|p| !p.is_empty()).unwrap_or("TCP");
    if !PROTOCOLS.contains(&proto) {
        errs.push(not_supported(path.field("protocol"), proto, &PROTOCOLS));
    }
    let ip = host_ip.unwrap_or("");
    if !ip.is_empty() && ip.parse::<std::net::IpAddr>().is_err() {
        errs.push(invalid(
            path.field("hostIP"),
            ip,
            "must be a valid IP address",
        ));
    }
    if let Some(h) = host_port.filter(|h| *h != 0)
        && !host_ports.insert((proto, ip, h))
    {
        errs.push(duplicate(path.field("hostPort"), format!("{h}/{proto}")));
    }
}

fn port_range(path: Lazy<'_>, p: i32) -> FieldError {
    invalid(path, i64::from(p), "must be between 1 and 65535, inclusive")
}

/// An environment variable's name.
#[inline]
pub(super) fn env_name(errs: &mut Vec<FieldError>, path: Lazy<'_>, name: Option<&str>) {
    match name.filter(|n| !n.is_empty()) {
        None => errs.push(required(path, "")),
        Some(n) if !is_env_var_name(n) => {
            errs.push(invalid(path, n, env_var_name_errors(n).join("; ")));
        }
        Some(_) => {}
    }
}

#[inline]
fn env(errs: &mut Vec<FieldError>, path: &Lazy<'_>, e: &EnvVar) {
    env_name(errs, path.field("name"), e.name.as_deref());
    let Some(from) = &e.value_from else { return };
    let p = path.field("valueFrom");
    if !blank(e.value.as_ref()) {
        errs.push(invalid(
            p,
            "",
            "may not be specified when `value` is not empty",
        ));
    }
    let count = [
        from.field_ref.is_some(),
        from.resource_field_ref.is_some(),
        from.config_map_key_ref.is_some(),
        from.secret_key_ref.is_some(),
    ]
    .into_iter()
    .filter(|s| *s)
    .count();
    match count {
        0 => errs.push(invalid(
            p,
            "",
            "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
        )),
        1 => {}
        _ => errs.push(invalid(p, "", "may not have more than one field specified at a time")),
    }
    if let Some(f) = &from.field_ref {
        let fp = p.field("fieldRef");
        if let Some(v) = f
            .api_version
            .as_deref()
            .filter(|v| !v.is_empty() && *v != "v1")
        {
            errs.push(not_supported(fp.field("apiVersion"), v, &["v1"]));
        }
        match f.field_path.as_deref().filter(|s| !s.is_empty()) {
            None => errs.push(required(fp.field("fieldPath"), "")),
            Some(s) => {
                if let Err(e) = s.parse::<PodField>() {
                    errs.push(super::at(e, fp.field("fieldPath")));
                }
            }
        }
    }
}

/// A volume mount: `name` refers to a pod volume; `mount_path` is (field name, value).
#[inline]
pub(super) fn volume_mount<'a>(
    errs: &mut Vec<FieldError>,
    path: &Lazy<'_>,
    name: Option<&str>,
    mount_path: (&'static str, Option<&'a str>),
    sub_path: Option<&str>,
    volumes: &Seen<&str>,
    mount_paths: &mut Seen<&'a str>,
) {
    match name.filter(|n| !n.is_empty()) {
        None => errs.push(required(path.field("name"), "")),
        Some(n) if !volumes.contains(&n) => {
            errs.push(not_found(
                path.field("name"),
                n,
                "no volume of the pod has this name",
            ));
        }
        Some(_) => {}
    }
    let (field, mp) = mount_path;
    match mp.filter(|m| !m.is_empty()) {
        None => errs.push(required(path.field(field), "")),
        Some(m) if !mount_paths.insert(m) => {
            errs.push(invalid(path.field(field), m, "must be unique"));
        }
        Some(_) => {}
    }
    if let Some(s) = sub_path.filter(|s| !s.is_empty()) {
        if s.starts_with('/') {
            errs.push(invalid(path.field("subPath"), s, "must be a relative path"));
        } else if s.split('/').any(|part| part == "..") {
            errs.push(invalid(path.field("subPath"), s, "must not contain '..'"));
        }
    }
}

#[inline]
fn mount<'a>(
    errs: &mut Vec<FieldError>,
    path: &Lazy<'_>,
    m: &'a VolumeMount,
    volumes: &Seen<&str>,
    mount_paths: &mut Seen<&'a str>,
) {
    volume_mount(
        errs,
        path,
        m.name.as_deref(),
        ("mountPath", m.mount_path.as_deref()),
        m.sub_path.as_deref(),
        volumes,
        mount_paths,
    );
}

/// A resource quantity; returns it in millis (cpu) or bytes (anything else) when valid.
#[inline]
pub(super) fn quantity(
    errs: &mut Vec<FieldError>,
    path: Lazy<'_>,
    resource: &str,
    q: &Quantity,
) -> Option<u64> {
    let cpu = resource == "cpu";
    // The common shape (`500m`, `128Mi`) in one pass; what it leaves goes to the model's types.
    match plain_scaled(q.as_str().as_bytes(), if cpu { 3 } else { 0 }) {
        Some(n) => Some(n),
        None => full_quantity(errs, path, cpu, q),
    }
}

#[inline(never)]
fn full_quantity(
    errs: &mut Vec<FieldError>,
    path: Lazy<'_>,
    cpu: bool,
    q: &Quantity,
) -> Option<u64> {
    let parsed = if cpu {
        MilliCpu::from_quantity(q.as_str()).map(MilliCpu::millis)
    } else {
        Memory::from_quantity(q.as_str()).map(Memory::bytes)
    };
    match parsed {
        Ok(n) => Some(n),
        Err(e) => {
            errs.push(super::at(e, path));
            None
        }
    }
}

/// An absent limits or requests map (iterated as a map, not through an `Option`).
static NO_QUANTITIES: BTreeMap<Str, Quantity> = BTreeMap::new();

/// How many parsed limits [`resources`] keeps for the request check (more are parsed again).
const KEPT_LIMITS: usize = 8;

#[inline]
fn resources(errs: &mut Vec<FieldError>, path: &Lazy<'_>, c: &Container) {
    let Some(r) = &c.resources else { return };
    let mut kept = [("", 0_u64); KEPT_LIMITS];
    let mut n_kept = 0;
    for (name, q) in r.limits.as_ref().unwrap_or(&NO_QUANTITIES) {
        if let Some(n) = quantity(errs, path.field("limits").key(name.as_str()), name, q)
            && n_kept < KEPT_LIMITS
        {
            kept[n_kept] = (name.as_str(), n);
            n_kept += 1;
        }
    }
    let limit = |name: &str| match kept[..n_kept].iter().find(|(k, _)| *k == name) {
        Some((_, n)) => Some(*n),
        None if n_kept == KEPT_LIMITS => {
            let q = r.limits.as_ref()?.get(name)?;
            if name == "cpu" {
                MilliCpu::from_quantity(q.as_str())
                    .ok()
                    .map(MilliCpu::millis)
            } else {
                Memory::from_quantity(q.as_str()).ok().map(Memory::bytes)
            }
        }
        None => None,
    };
    for (name, q) in r.requests.as_ref().unwrap_or(&NO_QUANTITIES) {
        let p_0 = path.field("requests");
        let p = p_0.key(name.as_str());
        if let Some(n) = quantity(errs, p, name, q)
            && let Some(limit) = limit(name)
            && n > limit
            && let Some(lq) = r.limits.as_ref().and_then(|l| l.get(name))
        {
            errs.push(invalid(
                p,
                q.as_str(),
                format!("must be less than or equal to {name} limit of {lq}"),
            ));
        }
    }
}

#[inline]
fn restart(errs: &mut Vec<FieldError>, path: &Lazy<'_>, c: &Container) {
    if let Some(policy) = c.restart_policy.as_deref().filter(|p| !p.is_empty())
        && !RESTART_POLICIES.contains(&policy)
    {
        errs.push(not_supported(
            path.field("restartPolicy"),
            policy,
            &RESTART_POLICIES,
        ));
    }
    let Some(rules) = &c.restart_policy_rules else {
        return;
    };
    let p = path.field("restartPolicyRules");
    if rules.len() > MAX_RESTART_RULES {
        errs.push(FieldError::new(
            p.path(),
            ErrorType::TooMany,
            format!("must have at most {MAX_RESTART_RULES} items"),
        ));
    }
    for (k, rule) in rules.iter().enumerate() {
        let rp = p.index(k);
        match rule.action.as_deref().filter(|a| !a.is_empty()) {
            None => errs.push(required(rp.field("action"), "")),
            Some("Restart") => {}
            Some(a) => errs.push(not_supported(rp.field("action"), a, &["Restart"])),
        }
        let Some(codes) = &rule.exit_codes else {
            errs.push(required(rp.field("exitCodes"), ""));
            continue;
        };
        let cp = rp.field("exitCodes");
        match codes.operator.as_deref().filter(|o| !o.is_empty()) {
            None => errs.push(required(cp.field("operator"), "")),
            Some("In" | "NotIn") => {}
            Some(o) => errs.push(not_supported(cp.field("operator"), o, &["In", "NotIn"])),
        }
        let n = codes.values.as_ref().map_or(0, Vec::len);
        if n > MAX_RULE_EXIT_CODES {
            errs.push(FieldError::new(
                cp.field("values").path(),
                ErrorType::TooMany,
                format!("must have at most {MAX_RULE_EXIT_CODES} items"),
            ));
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn container<'a>(
    errs: &mut Vec<FieldError>,
    path: &Lazy<'_>,
    c: &'a Container,
    kind: Kind,
    volumes: &Seen<&str>,
    names: &mut Seen<&'a str>,
    host_ports: &mut Seen<(&'a str, &'a str, i32)>,
    tgp: i64,
) {
    container_name(errs, path.field("name"), c.name.as_deref(), true, names);
    image(errs, path.field("image"), c.image.as_deref());
    if let Some(t) = c
        .termination_message_policy
        .as_deref()
        .filter(|t| !t.is_empty())
        && !TERMINATION_MESSAGE_POLICIES.contains(&t)
    {
        errs.push(not_supported(
            path.field("terminationMessagePolicy"),
            t,
            &TERMINATION_MESSAGE_POLICIES,
        ));
    }
    let mut port_names = Seen::new();
    for (k, p) in c.ports.as_deref().unwrap_or(&[]).iter().enumerate() {
        container_port(
            errs,
            &path.field("ports").index(k),
            p,
            &mut port_names,
            host_ports,
        );
    }
    for (k, e) in c.env.as_deref().unwrap_or(&[]).iter().enumerate() {
        env(errs, &path.field("env").index(k), e);
    }
    let mut mount_paths = Seen::new();
    for (k, m) in c.volume_mounts.as_deref().unwrap_or(&[]).iter().enumerate() {
        mount(
            errs,
            &path.field("volumeMounts").index(k),
            m,
            volumes,
            &mut mount_paths,
        );
    }
    image_pull_policy(
        errs,
        path.field("imagePullPolicy"),
        c.image_pull_policy.as_deref(),
        &[],
    );
    resources(errs, &path.field("resources"), c);
    restart(errs, path, c);

    if kind == Kind::Init {
        let set = [
            ("lifecycle", c.lifecycle.is_some()),
            ("livenessProbe", c.liveness_probe.is_some()),
            ("readinessProbe", c.readiness_probe.is_some()),
            ("startupProbe", c.startup_probe.is_some()),
        ];
        for (field, is_set) in set {
            if is_set {
                errs.push(forbidden(path.field(field), INIT_FORBIDDEN));
            }
        }
        return;
    }
    if let Some(l) = &c.lifecycle {
        lifecycle(errs, &path.field("lifecycle"), l, tgp);
    }
    if let Some(p) = &c.liveness_probe {
        probe(errs, &path.field("livenessProbe"), p, ProbeKind::Liveness);
    }
    if let Some(p) = &c.readiness_probe {
        probe(errs, &path.field("readinessProbe"), p, ProbeKind::Readiness);
    }
    if let Some(p) = &c.startup_probe {
        probe(errs, &path.field("startupProbe"), p, ProbeKind::Startup);
    }
}

#[inline]
fn lifecycle(errs: &mut Vec<FieldError>, path: &Lazy<'_>, l: &Lifecycle, tgp: i64) {
    for (name, hook) in [("postStart", &l.post_start), ("preStop", &l.pre_stop)] {
        if let Some(h) = hook {
            handler(errs, &path.field(name), h, tgp);
        }
    }
}

#[inline]
fn handler(errs: &mut Vec<FieldError>, path: &Lazy<'_>, h: &LifecycleHandler, tgp: i64) {
    let handlers = [
        ("exec", h.exec.is_some()),
        ("httpGet", h.http_get.is_some()),
        ("tcpSocket", h.tcp_socket.is_some()),
        ("sleep", h.sleep.is_some()),
    ];
    if !exactly_one_of(errs, path, handlers, "handler") {
        return;
    }
    if let Some(e) = &h.exec {
        exec(errs, path, e);
    }
    if let Some(g) = &h.http_get {
        http_get(errs, &path.field("httpGet"), g);
    }
    if let Some(t) = &h.tcp_socket {
        tcp_socket(errs, &path.field("tcpSocket"), t);
    }
    if let Some(s) = &h.sleep {
        let secs = s.seconds.unwrap_or(0);
        if secs <= 0 || secs > tgp {
            errs.push(invalid(
                path.field("sleep").field("seconds"),
                secs,
                format!(
                    "must be greater than 0 and less than terminationGracePeriodSeconds ({tgp})"
                ),
            ));
        }
    }
}

/// Exactly one `what` (`"handler"` of a probe or hook, `"volume"` source): none is Required on
/// `path`, more are Forbidden on each extra one. Returns whether exactly one is set.
pub(super) fn exactly_one(
    errs: &mut Vec<FieldError>,
    path: &Lazy<'_>,
    set: &[&'static str],
    what: &str,
) -> bool {
    match set {
        [] => {
            errs.push(required(*path, format!("must specify a {what} type")));
            false
        }
        [_] => true,
        [_, rest @ ..] => {
            for s in rest {
                errs.push(forbidden(
                    path.field(s),
                    format!("may not specify more than 1 {what} type"),
                ));
            }
            false
        }
    }
}

/// The `exec` handler at `path.exec` (v1 and v1beta1 share its wire type): a command is
/// required.
#[inline]
pub(super) fn exec(errs: &mut Vec<FieldError>, path: &Lazy<'_>, e: &ExecAction) {
    if e.command.as_deref().is_none_or(<[Str]>::is_empty) {
        errs.push(required(path.field("exec").field("command"), ""));
    }
}

/// A port given as a number or an IANA service name; absent is Required.
#[inline]
pub(super) fn port_or_name(errs: &mut Vec<FieldError>, path: Lazy<'_>, port: Option<&IntOrString>) {
    match port {
        None => errs.push(required(path, "")),
        Some(IntOrString::Int(n)) if !(1..=65535).contains(n) => errs.push(port_range(path, *n)),
        Some(IntOrString::String(s)) if !is_iana_svc_name(s) => errs.push(invalid(
            path,
            s.as_str(),
            "must contain at least one letter (a-z) and be an IANA service name",
        )),
        Some(_) => {}
    }
}

#[inline]
fn http_get(errs: &mut Vec<FieldError>, path: &Lazy<'_>, g: &HttpGetAction) {
    port_or_name(errs, path.field("port"), g.port.as_ref());
    if let Some(s) = g.scheme.as_deref().filter(|s| !s.is_empty())
        && !SCHEMES.contains(&s)
    {
        errs.push(not_supported(path.field("scheme"), s, &SCHEMES));
    }
    for (h, header) in g.http_headers.as_deref().unwrap_or(&[]).iter().enumerate() {
        let p_0 = path.field("httpHeaders");
        let p_1 = p_0.index(h);
        let p = p_1.field("name");
        match header.name.as_deref().filter(|n| !n.is_empty()) {
            None => errs.push(required(p, "")),
            Some(n) if !n.bytes().all(is_token_byte) => {
                errs.push(invalid(p, n, "a valid HTTP header must consist of alphanumeric characters or '-' and the other token characters of RFC 7230"));
            }
            Some(_) => {}
        }
    }
}

/// RFC 7230 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[inline]
fn tcp_socket(errs: &mut Vec<FieldError>, path: &Lazy<'_>, t: &TcpSocketAction) {
    port_or_name(errs, path.field("port"), t.port.as_ref());
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ProbeKind {
    Liveness,
    Readiness,
    Startup,
}

#[inline]
fn probe(errs: &mut Vec<FieldError>, path: &Lazy<'_>, p: &Probe, kind: ProbeKind) {
    let handlers = [
        ("exec", p.exec.is_some()),
        ("httpGet", p.http_get.is_some()),
        ("tcpSocket", p.tcp_socket.is_some()),
        ("grpc", p.grpc.is_some()),
    ];
    if exactly_one_of(errs, path, handlers, "handler") {
        if let Some(e) = &p.exec {
            exec(errs, path, e);
        }
        if let Some(g) = &p.http_get {
            http_get(errs, &path.field("httpGet"), g);
        }
        if let Some(t) = &p.tcp_socket {
            tcp_socket(errs, &path.field("tcpSocket"), t);
        }
        if let Some(g) = &p.grpc {
            match g.port {
                Some(n) if (1..=65535).contains(&n) => {}
                Some(n) => errs.push(port_range(path.field("grpc").field("port"), n)),
                None => errs.push(required(path.field("grpc").field("port"), "")),
            }
        }
    }
    let numbers = [
        ("initialDelaySeconds", p.initial_delay_seconds),
        ("timeoutSeconds", p.timeout_seconds),
        ("periodSeconds", p.period_seconds),
        ("successThreshold", p.success_threshold),
        ("failureThreshold", p.failure_threshold),
    ];
    non_negative(errs, path, numbers.map(|(n, v)| (n, v.map(i64::from))));
    if let Some(t) = p.termination_grace_period_seconds {
        if kind == ProbeKind::Readiness {
            errs.push(invalid(
                path.field("terminationGracePeriodSeconds"),
                t,
                "must not be set for readinessProbes",
            ));
        } else if t <= 0 {
            errs.push(invalid(
                path.field("terminationGracePeriodSeconds"),
                t,
                "must be greater than 0",
            ));
        }
    }
    if kind != ProbeKind::Readiness {
        // 0 is defaulted to 1 before this check.
        if let Some(s) = p.success_threshold.filter(|s| *s > 1) {
            errs.push(invalid(
                path.field("successThreshold"),
                i64::from(s),
                "must be 1",
            ));
        }
    }
}

/// Each named number, when given, must be ≥ 0.
#[inline]
pub(super) fn non_negative<const N: usize>(
    errs: &mut Vec<FieldError>,
    path: &Lazy<'_>,
    numbers: [(&'static str, Option<i64>); N],
) {
    // Any negative number sets the sign bit of the OR of them all.
    if numbers.iter().fold(0, |acc, (_, v)| acc | v.unwrap_or(0)) < 0 {
        negative(errs, path, numbers);
    }
}

#[cold]
#[inline(never)]
fn negative<const N: usize>(
    errs: &mut Vec<FieldError>,
    path: &Lazy<'_>,
    numbers: [(&'static str, Option<i64>); N],
) {
    for (name, v) in numbers {
        if let Some(v) = v.filter(|v| *v < 0) {
            errs.push(invalid(path.field(name), v, NON_NEGATIVE));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(json: &str) -> Pod {
        serde_json::from_str(json).unwrap()
    }

    /// `(path, type)` of every error of a pod whose spec is `spec` (JSON) and metadata
    /// `{"name": "p"}`.
    fn spec_errors(spec: &str) -> Vec<(String, ErrorType)> {
        let p = pod(&format!(
            r#"{{"kind": "Pod", "metadata": {{"name": "p"}}, "spec": {spec}}}"#
        ));
        validate_k8s(&p)
            .into_iter()
            .map(|e| (e.field.to_string(), e.kind))
            .collect()
    }

    fn one(path: &str, kind: ErrorType) -> Vec<(String, ErrorType)> {
        vec![(path.to_owned(), kind)]
    }

    const C: &str = r#"{"name": "c", "image": "busybox"}"#;

    fn with_container(fields: &str) -> String {
        format!(r#"{{"containers": [{{"name": "c", "image": "busybox", {fields}}}]}}"#)
    }

    #[test]
    fn minimal_pod_is_valid() {
        assert_eq!(spec_errors(&format!(r#"{{"containers": [{C}]}}"#)), vec![]);
    }

    #[test]
    fn defaulted_fields_may_be_absent_or_empty() {
        let spec = r#"{"restartPolicy": "", "dnsPolicy": "", "containers": [{"name": "c",
            "image": "busybox", "imagePullPolicy": "", "terminationMessagePolicy": "",
            "ports": [{"containerPort": 80, "protocol": ""}],
            "livenessProbe": {"httpGet": {"port": 80, "path": ""}}}]}"#;
        assert_eq!(spec_errors(spec), vec![]);
    }

    #[test]
    fn name_missing_is_required() {
        let p = pod(r#"{"metadata": {}, "spec": {"containers": [{"name": "c", "image": "i"}]}}"#);
        let errs = validate_k8s(&p);
        assert_eq!(errs[0].field.to_string(), "metadata.name");
        assert_eq!(errs[0].kind, ErrorType::Required);
        assert_eq!(errs[0].detail, "name or generateName is required");
    }

    #[test]
    fn generate_name_alone_is_enough_and_may_end_in_dash() {
        let p = pod(
            r#"{"metadata": {"generateName": "web-"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}"#,
        );
        assert_eq!(validate_k8s(&p), vec![]);
        let p = pod(
            r#"{"metadata": {"generateName": "Web-"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}"#,
        );
        assert_eq!(
            validate_k8s(&p)[0].field.to_string(),
            "metadata.generateName"
        );
    }

    #[test]
    fn pod_name_is_a_dns_subdomain() {
        let p = pod(
            r#"{"metadata": {"name": "a.b-c"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}"#,
        );
        assert_eq!(validate_k8s(&p), vec![]);
        let p = pod(
            r#"{"metadata": {"name": "A_b"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}"#,
        );
        let errs = validate_k8s(&p);
        assert_eq!(
            (errs[0].field.to_string(), errs[0].kind),
            ("metadata.name".into(), ErrorType::Invalid)
        );
    }

    #[test]
    fn namespace_absent_is_default_present_is_a_label() {
        let p = pod(
            r#"{"metadata": {"name": "p", "namespace": "kube.system"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}"#,
        );
        let errs = validate_k8s(&p);
        assert_eq!(
            (errs[0].field.to_string(), errs[0].kind),
            ("metadata.namespace".into(), ErrorType::Invalid)
        );
    }

    #[test]
    fn labels_and_annotations_are_checked_with_keyed_paths() {
        let p = pod(
            r#"{"metadata": {"name": "p", "labels": {"-bad": "ok", "good": "bad value"},
            "annotations": {"a/b/c": "x"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}"#,
        );
        let paths: Vec<String> = validate_k8s(&p)
            .iter()
            .map(|e| e.field.to_string())
            .collect();
        assert_eq!(
            paths,
            [
                "metadata.labels[-bad]",
                "metadata.labels[good]",
                "metadata.annotations[a/b/c]"
            ]
        );
    }

    #[test]
    fn kind_must_be_pod() {
        let p = pod(
            r#"{"kind": "Deployment", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}"#,
        );
        assert_eq!(validate_k8s(&p)[0].field.to_string(), "kind");
    }

    #[test]
    fn spec_missing_is_required() {
        let p = pod(r#"{"metadata": {"name": "p"}}"#);
        assert_eq!(validate_k8s(&p)[0].field.to_string(), "spec");
    }

    #[test]
    fn no_containers_is_required() {
        assert_eq!(
            spec_errors("{}"),
            one("spec.containers", ErrorType::Required)
        );
        assert_eq!(
            spec_errors(r#"{"containers": []}"#),
            one("spec.containers", ErrorType::Required)
        );
    }

    #[test]
    fn container_name_empty_is_required_and_invalid_is_invalid() {
        let errs =
            spec_errors(r#"{"containers": [{"image": "i"}, {"name": "a.b", "image": "i"}]}"#);
        assert_eq!(
            errs,
            [
                ("spec.containers[0].name".into(), ErrorType::Required),
                ("spec.containers[1].name".into(), ErrorType::Invalid)
            ]
        );
    }

    #[test]
    fn duplicate_container_names_report_the_later_one() {
        let errs = spec_errors(&format!(
            r#"{{"containers": [{C}, {C}], "initContainers": [{C}]}}"#
        ));
        assert_eq!(
            errs,
            [
                ("spec.containers[1].name".into(), ErrorType::Duplicate),
                ("spec.initContainers[0].name".into(), ErrorType::Duplicate)
            ]
        );
    }

    #[test]
    fn init_container_name_equal_to_an_earlier_init_name_is_duplicate() {
        let errs = spec_errors(&format!(
            r#"{{"containers": [{C}], "initContainers": [{{"name": "i", "image": "x"}}, {{"name": "i", "image": "x"}}]}}"#
        ));
        assert_eq!(
            errs,
            one("spec.initContainers[1].name", ErrorType::Duplicate)
        );
    }

    #[test]
    fn image_empty_is_required() {
        let errs = spec_errors(r#"{"containers": [{"name": "c", "image": ""}]}"#);
        assert_eq!(errs, one("spec.containers[0].image", ErrorType::Required));
        let errs = spec_errors(r#"{"containers": [{"name": "c", "image": " busybox"}]}"#);
        assert_eq!(errs, one("spec.containers[0].image", ErrorType::Invalid));
    }

    #[test]
    fn termination_message_policy_not_supported() {
        let errs = spec_errors(&with_container(
            r#""terminationMessagePolicy": "Sometimes""#,
        ));
        assert_eq!(
            errs,
            one(
                "spec.containers[0].terminationMessagePolicy",
                ErrorType::NotSupported
            )
        );
    }

    #[test]
    fn image_pull_policy_not_supported() {
        let errs = spec_errors(&with_container(r#""imagePullPolicy": "PullAlways""#));
        assert_eq!(
            errs,
            one(
                "spec.containers[0].imagePullPolicy",
                ErrorType::NotSupported
            )
        );
    }

    #[test]
    fn container_port_zero_is_required_and_out_of_range_invalid() {
        let errs = spec_errors(&with_container(
            r#""ports": [{"containerPort": 0}, {"containerPort": 70000}, {"containerPort": 80, "hostPort": -1}]"#,
        ));
        assert_eq!(
            errs,
            [
                (
                    "spec.containers[0].ports[0].containerPort".into(),
                    ErrorType::Required
                ),
                (
                    "spec.containers[0].ports[1].containerPort".into(),
                    ErrorType::Invalid
                ),
                (
                    "spec.containers[0].ports[2].hostPort".into(),
                    ErrorType::Invalid
                )
            ]
        );
    }

    #[test]
    fn port_protocol_not_supported() {
        let errs = spec_errors(&with_container(
            r#""ports": [{"containerPort": 80, "protocol": "tcp"}]"#,
        ));
        assert_eq!(
            errs,
            one(
                "spec.containers[0].ports[0].protocol",
                ErrorType::NotSupported
            )
        );
    }

    #[test]
    fn port_names_are_iana_names_unique_per_container() {
        let errs = spec_errors(&with_container(
            r#""ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 81, "name": "http"}, {"containerPort": 82, "name": "80"}]"#,
        ));
        assert_eq!(
            errs,
            [
                (
                    "spec.containers[0].ports[1].name".into(),
                    ErrorType::Duplicate
                ),
                (
                    "spec.containers[0].ports[2].name".into(),
                    ErrorType::Invalid
                )
            ]
        );
    }

    #[test]
    fn host_port_triples_are_unique_across_regular_containers_but_per_init_container() {
        let c = |n: &str| {
            format!(
                r#"{{"name": "{n}", "image": "i", "ports": [{{"containerPort": 80, "hostPort": 8080}}]}}"#
            )
        };
        let errs = spec_errors(&format!(
            r#"{{"containers": [{}, {}], "initContainers": [{}, {}]}}"#,
            c("a"),
            c("b"),
            c("x"),
            c("y")
        ));
        assert_eq!(
            errs,
            one("spec.containers[1].ports[0].hostPort", ErrorType::Duplicate)
        );
        // Same port, different protocol: fine.
        let errs = spec_errors(
            r#"{"containers": [{"name": "a", "image": "i", "ports": [{"containerPort": 80, "hostPort": 8080},
            {"containerPort": 80, "hostPort": 8080, "protocol": "UDP"}]}]}"#,
        );
        assert_eq!(errs, vec![]);
    }

    #[test]
    fn env_name_required_and_relaxed_rule() {
        let errs = spec_errors(&with_container(
            r#""env": [{"value": "x"}, {"name": "A=B"}, {"name": "1 ok.-_"}]"#,
        ));
        assert_eq!(
            errs,
            [
                ("spec.containers[0].env[0].name".into(), ErrorType::Required),
                ("spec.containers[0].env[1].name".into(), ErrorType::Invalid)
            ]
        );
    }

    #[test]
    fn env_value_from_rules() {
        let errs = spec_errors(&with_container(
            r#""env": [
                {"name": "A", "value": "v", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "B", "valueFrom": {}},
                {"name": "C", "valueFrom": {"fieldRef": {"fieldPath": "spec.containers"}}},
                {"name": "D", "valueFrom": {"fieldRef": {}, "secretKeyRef": {"name": "s", "key": "k"}}}
            ]"#,
        ));
        assert_eq!(
            errs,
            [
                (
                    "spec.containers[0].env[0].valueFrom".into(),
                    ErrorType::Invalid
                ),
                (
                    "spec.containers[0].env[1].valueFrom".into(),
                    ErrorType::Invalid
                ),
                (
                    "spec.containers[0].env[2].valueFrom.fieldRef.fieldPath".into(),
                    ErrorType::NotSupported
                ),
                (
                    "spec.containers[0].env[3].valueFrom".into(),
                    ErrorType::Invalid
                ),
                (
                    "spec.containers[0].env[3].valueFrom.fieldRef.fieldPath".into(),
                    ErrorType::Required
                )
            ]
        );
    }

    #[test]
    fn volume_mount_name_not_a_pod_volume_is_not_found() {
        let errs = spec_errors(&with_container(
            r#""volumeMounts": [{"name": "nope", "mountPath": "/x"}]"#,
        ));
        assert_eq!(
            errs,
            one(
                "spec.containers[0].volumeMounts[0].name",
                ErrorType::NotFound
            )
        );
    }

    #[test]
    fn volume_mount_paths_required_unique_and_sub_paths_relative() {
        let spec = r#"{"volumes": [{"name": "v", "emptyDir": {}}], "containers": [{"name": "c", "image": "i",
            "volumeMounts": [{"name": "v", "mountPath": "/a"}, {"name": "v", "mountPath": "/a", "subPath": "../x"},
            {"name": "v", "subPath": "/abs"}]}]}"#;
        assert_eq!(
            spec_errors(spec),
            [
                (
                    "spec.containers[0].volumeMounts[1].mountPath".into(),
                    ErrorType::Invalid
                ),
                (
                    "spec.containers[0].volumeMounts[1].subPath".into(),
                    ErrorType::Invalid
                ),
                (
                    "spec.containers[0].volumeMounts[2].mountPath".into(),
                    ErrorType::Required
                ),
                (
                    "spec.containers[0].volumeMounts[2].subPath".into(),
                    ErrorType::Invalid
                )
            ]
        );
    }

    #[test]
    fn volume_names_required_labels_unique() {
        let spec = format!(
            r#"{{"volumes": [{{"emptyDir": {{}}}}, {{"name": "V", "emptyDir": {{}}}}, {{"name": "v", "emptyDir": {{}}}},
            {{"name": "v", "emptyDir": {{}}}}], "containers": [{C}]}}"#
        );
        assert_eq!(
            spec_errors(&spec),
            [
                ("spec.volumes[0].name".into(), ErrorType::Required),
                ("spec.volumes[1].name".into(), ErrorType::Invalid),
                ("spec.volumes[3].name".into(), ErrorType::Duplicate)
            ]
        );
    }

    #[test]
    fn volume_needs_exactly_one_source() {
        let spec = format!(
            r#"{{"volumes": [{{"name": "a"}}, {{"name": "b", "emptyDir": {{}}, "hostPath": {{"path": "/x"}}}}], "containers": [{C}]}}"#
        );
        assert_eq!(
            spec_errors(&spec),
            [
                ("spec.volumes[0]".into(), ErrorType::Required),
                ("spec.volumes[1].emptyDir".into(), ErrorType::Forbidden)
            ]
        );
    }

    #[test]
    fn host_path_and_empty_dir_fields() {
        let spec = format!(
            r#"{{"volumes": [{{"name": "a", "hostPath": {{"type": "Dir"}}}}, {{"name": "b", "emptyDir": {{"medium": "Disk", "sizeLimit": "1 Gi"}}}}], "containers": [{C}]}}"#
        );
        assert_eq!(
            spec_errors(&spec),
            [
                ("spec.volumes[0].hostPath.path".into(), ErrorType::Required),
                (
                    "spec.volumes[0].hostPath.type".into(),
                    ErrorType::NotSupported
                ),
                (
                    "spec.volumes[1].emptyDir.medium".into(),
                    ErrorType::NotSupported
                ),
                (
                    "spec.volumes[1].emptyDir.sizeLimit".into(),
                    ErrorType::Invalid
                )
            ]
        );
    }

    #[test]
    fn resources_are_quantities_and_requests_at_most_limits() {
        let errs = spec_errors(&with_container(
            r#""resources": {"limits": {"cpu": "1", "memory": "lots"}, "requests": {"cpu": "1500m", "memory": "1Gi"}}"#,
        ));
        assert_eq!(
            errs,
            [
                (
                    "spec.containers[0].resources.limits[memory]".into(),
                    ErrorType::Invalid
                ),
                (
                    "spec.containers[0].resources.requests[cpu]".into(),
                    ErrorType::Invalid
                )
            ]
        );
    }

    #[test]
    fn requests_are_checked_against_limits_past_the_kept_ones() {
        // Ten limits: the last ones (in key order) are past the kept ones and parsed again.
        let limits: Vec<String> = (0..10).map(|i| format!(r#""r{i}": "{i}""#)).collect();
        let errs = spec_errors(&with_container(&format!(
            r#""resources": {{"limits": {{{}}}, "requests": {{"r1": "1", "r9": "10", "r8": "8", "x": "5"}}}}"#,
            limits.join(", ")
        )));
        assert_eq!(
            errs,
            [(
                "spec.containers[0].resources.requests[r9]".into(),
                ErrorType::Invalid
            )]
        );
    }

    #[test]
    fn container_restart_policy_allowed_on_regular_containers_since_1_34() {
        assert_eq!(
            spec_errors(&with_container(r#""restartPolicy": "OnFailure""#)),
            vec![]
        );
        let errs = spec_errors(&with_container(r#""restartPolicy": "always""#));
        assert_eq!(
            errs,
            one("spec.containers[0].restartPolicy", ErrorType::NotSupported)
        );
    }

    #[test]
    fn restart_rules_at_most_20() {
        let rule = r#"{"action": "Restart", "exitCodes": {"operator": "In", "values": [1]}}"#;
        let rules = vec![rule; 21].join(",");
        let errs = spec_errors(&with_container(&format!(
            r#""restartPolicy": "Never", "restartPolicyRules": [{rules}]"#
        )));
        assert_eq!(
            errs,
            one("spec.containers[0].restartPolicyRules", ErrorType::TooMany)
        );
        let rules = vec![rule; 20].join(",");
        assert_eq!(
            spec_errors(&with_container(&format!(
                r#""restartPolicy": "Never", "restartPolicyRules": [{rules}]"#
            ))),
            vec![]
        );
    }

    #[test]
    fn restart_rule_exit_codes_at_most_255_and_required() {
        let values: Vec<String> = (0..256).map(|n| n.to_string()).collect();
        let errs = spec_errors(&with_container(&format!(
            r#""restartPolicy": "Never", "restartPolicyRules": [
                {{"action": "Restart", "exitCodes": {{"operator": "NotIn", "values": [{}]}}}},
                {{"action": "Restart"}},
                {{"action": "RestartAllContainers", "exitCodes": {{"operator": "Is", "values": [1]}}}},
                {{"exitCodes": {{"values": []}}}}]"#,
            values.join(",")
        )));
        assert_eq!(
            errs,
            [
                (
                    "spec.containers[0].restartPolicyRules[0].exitCodes.values".into(),
                    ErrorType::TooMany
                ),
                (
                    "spec.containers[0].restartPolicyRules[1].exitCodes".into(),
                    ErrorType::Required
                ),
                (
                    "spec.containers[0].restartPolicyRules[2].action".into(),
                    ErrorType::NotSupported
                ),
                (
                    "spec.containers[0].restartPolicyRules[2].exitCodes.operator".into(),
                    ErrorType::NotSupported
                ),
                (
                    "spec.containers[0].restartPolicyRules[3].action".into(),
                    ErrorType::Required
                ),
                (
                    "spec.containers[0].restartPolicyRules[3].exitCodes.operator".into(),
                    ErrorType::Required
                )
            ]
        );
    }

    #[test]
    fn plain_init_container_may_not_have_lifecycle_or_probes_and_their_errors_are_suppressed() {
        let errs = spec_errors(&format!(
            r#"{{"containers": [{C}], "initContainers": [{{"name": "i", "image": "x",
            "lifecycle": {{}}, "livenessProbe": {{"periodSeconds": -1}}, "readinessProbe": {{}}, "startupProbe": {{}}}}]}}"#
        ));
        assert_eq!(
            errs,
            [
                (
                    "spec.initContainers[0].lifecycle".into(),
                    ErrorType::Forbidden
                ),
                (
                    "spec.initContainers[0].livenessProbe".into(),
                    ErrorType::Forbidden
                ),
                (
                    "spec.initContainers[0].readinessProbe".into(),
                    ErrorType::Forbidden
                ),
                (
                    "spec.initContainers[0].startupProbe".into(),
                    ErrorType::Forbidden
                )
            ]
        );
    }

    #[test]
    fn sidecar_may_have_probes_and_init_containers_may_use_any_policy() {
        let errs = spec_errors(&format!(
            r#"{{"containers": [{C}], "initContainers": [
                {{"name": "s", "image": "x", "restartPolicy": "Always", "readinessProbe": {{"exec": {{"command": ["true"]}}}}}},
                {{"name": "i", "image": "x", "restartPolicy": "OnFailure"}}]}}"#
        ));
        assert_eq!(errs, vec![]);
    }

    #[test]
    fn hook_needs_exactly_one_handler() {
        let errs = spec_errors(&with_container(
            r#""lifecycle": {"postStart": {}, "preStop": {"exec": {"command": ["x"]}, "sleep": {"seconds": 1}}}"#,
        ));
        assert_eq!(
            errs,
            [
                (
                    "spec.containers[0].lifecycle.postStart".into(),
                    ErrorType::Required
                ),
                (
                    "spec.containers[0].lifecycle.preStop.sleep".into(),
                    ErrorType::Forbidden
                )
            ]
        );
    }

    #[test]
    fn exactly_one_names_what_it_counts_in_its_messages() {
        let base = FieldPath::root();
        let root = Lazy::new(&base);
        let mut errs = Vec::new();
        assert!(!exactly_one(&mut errs, &root, &[], "volume"));
        assert!(exactly_one(&mut errs, &root, &["exec"], "handler"));
        assert!(!exactly_one(&mut errs, &root, &["a", "b"], "handler"));
        let got: Vec<_> = errs
            .iter()
            .map(|e| (e.field.to_string(), e.detail.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (String::new(), "must specify a volume type"),
                ("b".to_owned(), "may not specify more than 1 handler type"),
            ]
        );
    }

    #[test]
    fn probe_needs_exactly_one_handler() {
        let errs = spec_errors(&with_container(
            r#""livenessProbe": {}, "readinessProbe": {"tcpSocket": {"port": 1}, "grpc": {"port": 1}}"#,
        ));
        assert_eq!(
            errs,
            [
                (
                    "spec.containers[0].livenessProbe".into(),
                    ErrorType::Required
                ),
                (
                    "spec.containers[0].readinessProbe.grpc".into(),
                    ErrorType::Forbidden
                )
            ]
        );
    }

    #[test]
    fn exec_command_empty_is_required() {
        let errs = spec_errors(&with_container(
            r#""livenessProbe": {"exec": {"command": []}}"#,
        ));
        assert_eq!(
            errs,
            one(
                "spec.containers[0].livenessProbe.exec.command",
                ErrorType::Required
            )
        );
    }

    #[test]
    fn http_get_port_scheme_and_headers() {
        let errs = spec_errors(&with_container(
            r#""livenessProbe": {"httpGet": {"port": 0, "scheme": "http", "httpHeaders": [{"name": "X Y"}, {}]}},
               "readinessProbe": {"httpGet": {"port": "8080"}},
               "startupProbe": {"httpGet": {}}"#,
        ));
        assert_eq!(
            errs,
            [
                (
                    "spec.containers[0].livenessProbe.httpGet.port".into(),
                    ErrorType::Invalid
                ),
                (
                    "spec.containers[0].livenessProbe.httpGet.scheme".into(),
                    ErrorType::NotSupported
                ),
                (
                    "spec.containers[0].livenessProbe.httpGet.httpHeaders[0].name".into(),
                    ErrorType::Invalid
                ),
                (
                    "spec.containers[0].livenessProbe.httpGet.httpHeaders[1].name".into(),
                    ErrorType::Required
                ),
                (
                    "spec.containers[0].readinessProbe.httpGet.port".into(),
                    ErrorType::Invalid
                ),
                (
                    "spec.containers[0].startupProbe.httpGet.port".into(),
                    ErrorType::Required
                )
            ]
        );
    }

    #[test]
    fn grpc_port_in_range() {
        let errs = spec_errors(&with_container(
            r#""livenessProbe": {"grpc": {"port": 65536}}"#,
        ));
        assert_eq!(
            errs,
            one(
                "spec.containers[0].livenessProbe.grpc.port",
                ErrorType::Invalid
            )
        );
    }

    #[test]
    fn probe_numbers_non_negative() {
        let errs = spec_errors(&with_container(
            r#""readinessProbe": {"exec": {"command": ["x"]}, "initialDelaySeconds": -1, "timeoutSeconds": -1,
               "periodSeconds": -1, "successThreshold": -1, "failureThreshold": -1}"#,
        ));
        let fields: Vec<&str> = errs
            .iter()
            .map(|(p, _)| p.rsplit('.').next().unwrap())
            .collect();
        assert_eq!(
            fields,
            [
                "initialDelaySeconds",
                "timeoutSeconds",
                "periodSeconds",
                "successThreshold",
                "failureThreshold"
            ]
        );
        assert!(errs.iter().all(|(_, k)| *k == ErrorType::Invalid));
    }

    #[test]
    fn probe_termination_grace_period_positive_and_not_on_readiness() {
        let errs = spec_errors(&with_container(
            r#""livenessProbe": {"exec": {"command": ["x"]}, "terminationGracePeriodSeconds": 0},
               "readinessProbe": {"exec": {"command": ["x"]}, "terminationGracePeriodSeconds": 5}"#,
        ));
        assert_eq!(
            errs,
            [
                (
                    "spec.containers[0].livenessProbe.terminationGracePeriodSeconds".into(),
                    ErrorType::Invalid
                ),
                (
                    "spec.containers[0].readinessProbe.terminationGracePeriodSeconds".into(),
                    ErrorType::Invalid
                )
            ]
        );
    }

    #[test]
    fn liveness_and_startup_success_threshold_must_be_1() {
        let errs = spec_errors(&with_container(
            r#""livenessProbe": {"exec": {"command": ["x"]}, "successThreshold": 2},
               "startupProbe": {"exec": {"command": ["x"]}, "successThreshold": 3},
               "readinessProbe": {"exec": {"command": ["x"]}, "successThreshold": 3}"#,
        ));
        assert_eq!(
            errs,
            [
                (
                    "spec.containers[0].livenessProbe.successThreshold".into(),
                    ErrorType::Invalid
                ),
                (
                    "spec.containers[0].startupProbe.successThreshold".into(),
                    ErrorType::Invalid
                )
            ]
        );
    }

    #[test]
    fn sleep_seconds_between_0_and_grace_period() {
        let spec = r#"{"terminationGracePeriodSeconds": 5, "containers": [{"name": "c", "image": "i",
            "lifecycle": {"postStart": {"sleep": {"seconds": 0}}, "preStop": {"sleep": {"seconds": 6}}}}]}"#;
        assert_eq!(
            spec_errors(spec),
            [
                (
                    "spec.containers[0].lifecycle.postStart.sleep.seconds".into(),
                    ErrorType::Invalid
                ),
                (
                    "spec.containers[0].lifecycle.preStop.sleep.seconds".into(),
                    ErrorType::Invalid
                )
            ]
        );
        // The default grace period is 30 s.
        let errs = spec_errors(&with_container(
            r#""lifecycle": {"preStop": {"sleep": {"seconds": 30}}}"#,
        ));
        assert_eq!(errs, vec![]);
    }

    #[test]
    fn pod_restart_policy_and_dns_policy_not_supported() {
        let spec =
            format!(r#"{{"restartPolicy": "always", "dnsPolicy": "Host", "containers": [{C}]}}"#);
        assert_eq!(
            spec_errors(&spec),
            [
                ("spec.restartPolicy".into(), ErrorType::NotSupported),
                ("spec.dnsPolicy".into(), ErrorType::NotSupported)
            ]
        );
    }

    #[test]
    fn hostname_subdomain_grace_period_and_deadline() {
        let spec = format!(
            r#"{{"hostname": "Web", "subdomain": "a.b", "terminationGracePeriodSeconds": -1,
            "activeDeadlineSeconds": 0, "containers": [{C}]}}"#
        );
        assert_eq!(
            spec_errors(&spec),
            [
                ("spec.hostname".into(), ErrorType::Invalid),
                ("spec.subdomain".into(), ErrorType::Invalid),
                (
                    "spec.terminationGracePeriodSeconds".into(),
                    ErrorType::Invalid
                ),
                ("spec.activeDeadlineSeconds".into(), ErrorType::Invalid)
            ]
        );
    }

    #[test]
    fn not_supported_detail_lists_values_as_kubernetes_does() {
        let p = pod(
            r#"{"metadata": {"name": "p"}, "spec": {"restartPolicy": "x", "containers": [{"name": "c", "image": "i"}]}}"#,
        );
        assert_eq!(
            validate_k8s(&p)[0].to_string(),
            "spec.restartPolicy: Unsupported value: \"x\": supported values: \"Always\", \"Never\", \"OnFailure\""
        );
    }
}
