//! The domain model to a Kubernetes v1 `Pod` manifest.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use podspec::FieldPath;
use podspec::model::{
    Container, DEFAULT_TERMINATION_GRACE_PERIOD, DnsPolicy, EnvValue, HookHandler, HttpGet,
    HttpSuccess, MountMode, Pod, PortRef, Probe, ProbeHandler, Protocol, ResourceList,
    RestartRuleAction, Scheme, ServiceLinks, StorageMedium, VolumeSource,
};
use podspec::validate::names::{
    is_dns1123_label, is_dns1123_subdomain, is_label_value, is_qualified_name,
};
use podspec::wire::compact_str::ToCompactString;
use podspec::wire::{IntOrString, Quantity, Str, k8s};

use super::{expands, image_ref, needs_expansion_note, opt, some, strs};
use crate::converted::Drops;
use crate::{Converted, Error, Target, vm_resources};

/// A pod as a Kubernetes v1 manifest (the table of what Kubernetes cannot say is in
/// [`super`]'s doc).
///
/// # Errors
///
/// [`Error::NotRepresentable`] for what a valid manifest needs and the pod lacks: a pod name
/// that is a DNS-1123 subdomain, at least one container, container and volume names that are
/// DNS-1123 labels, an image reference for every container.
///
/// # Examples
///
/// ```
/// use podspec::{Format, model::*};
/// let mut pod = Pod::new(PodName::try_from("web").unwrap(), Source::new(Format::Hyper));
/// let mut c = Container::new(
///     ContainerName::try_from("nginx").unwrap(),
///     Image::Reference(ImageRef::try_from("nginx").unwrap()),
/// );
/// c.entrypoint = vec!["nginx".into()];
/// c.command = vec!["-g".into(), "daemon off;".into()];
/// pod.containers.push(c);
/// let out = convert::to_k8s(&pod).unwrap().value;
/// let spec = out.spec.unwrap();
/// assert_eq!(spec.restart_policy.as_deref(), Some("Never"));
/// let c = &spec.containers.unwrap()[0];
/// assert_eq!(c.command.as_ref().unwrap(), &["nginx"]);
/// assert_eq!(c.args.as_ref().unwrap(), &["-g", "daemon off;"]);
///
/// pod.containers[0].name = ContainerName::try_from("Nginx").unwrap();
/// assert!(matches!(convert::to_k8s(&pod), Err(convert::Error::NotRepresentable { .. })));
/// ```
pub fn to_k8s(pod: &Pod) -> Result<Converted<k8s::Pod>, Error> {
    let mut d = Drops::default();
    let root = FieldPath::root();
    if !is_dns1123_subdomain(pod.name.as_str()) {
        return Err(not_representable(
            root.field("name"),
            "a pod name that is a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')",
        ));
    }
    if pod.containers.is_empty() {
        return Err(not_representable(
            root.field("containers"),
            "at least one container (a Hyper pod may have none)",
        ));
    }
    let mut labels = BTreeMap::new();
    for (k, v) in &pod.labels {
        if is_qualified_name(k) && is_label_value(v) {
            labels.insert(Str::from(k.as_str()), Str::from(v.as_str()));
        } else {
            d.drop(
                root.field("labels").key(k.as_str()),
                "not a valid Kubernetes label (a qualified name and a label value)",
            );
        }
    }
    let mut annotations = BTreeMap::new();
    for (k, v) in &pod.annotations {
        if is_qualified_name(k) {
            annotations.insert(Str::from(k.as_str()), Str::from(v.as_str()));
        } else {
            d.drop(
                root.field("annotations").key(k.as_str()),
                "not a valid Kubernetes annotation key (a qualified name)",
            );
        }
    }
    let metadata = k8s::ObjectMeta {
        name: Some(pod.name.as_str().into()),
        namespace: (pod.namespace != "default").then(|| Str::from(pod.namespace.as_str())),
        labels: some(labels, BTreeMap::is_empty),
        annotations: some(annotations, BTreeMap::is_empty),
        ..Default::default()
    };

    let mut spec = k8s::PodSpec {
        restart_policy: Some(pod.restart_policy.as_str().into()),
        ..Default::default()
    };
    let mut dropped_volumes = BTreeSet::new();
    let mut volumes = Vec::new();
    for (i, v) in pod.volumes.iter().enumerate() {
        let vp = root.field("volumes").index(i);
        if !is_dns1123_label(v.name.as_str()) {
            return Err(not_representable(
                vp.field("name"),
                "a volume name that is a DNS-1123 label",
            ));
        }
        let mut kv = k8s::Volume {
            name: Some(v.name.as_str().into()),
            ..Default::default()
        };
        match &v.source {
            VolumeSource::EmptyDir { medium, size_limit } => {
                kv.empty_dir = Some(k8s::EmptyDirVolumeSource {
                    medium: (*medium == StorageMedium::Memory).then(|| "Memory".into()),
                    size_limit: size_limit.map(|m| Quantity(m.to_compact_string())),
                });
            }
            VolumeSource::HostPath { path } => {
                kv.host_path = Some(k8s::HostPathVolumeSource {
                    path: Some(path.as_str().into()),
                    r#type: None,
                });
            }
            VolumeSource::Nfs { export } if export.contains(":/") => {
                let (server, path) = export.split_once(':').unwrap_or_default();
                kv.nfs = Some(serde_json::json!({ "server": server, "path": path }));
            }
            _ => {
                d.drop(
                    vp,
                    "Kubernetes cannot say this kind of volume here (block images, rbd, NFS without host:/path); its mounts are dropped too",
                );
                dropped_volumes.insert(v.name.as_str().into());
                continue;
            }
        }
        if v.cache.is_some() {
            d.drop(vp.field("cache"), "Kubernetes volumes have no cache mode");
        }
        volumes.push(kv);
    }
    spec.volumes = some(volumes, Vec::is_empty);
    let expanding = expands(pod.source.format);
    let mut init = Vec::new();
    for (i, c) in pod.init_containers.iter().enumerate() {
        let p = root.field("initContainers").index(i);
        init.push(container(&mut d, &p, c, &dropped_volumes, expanding)?);
    }
    spec.init_containers = some(init, Vec::is_empty);
    let mut containers = Vec::new();
    for (i, c) in pod.containers.iter().enumerate() {
        let p = root.field("containers").index(i);
        containers.push(container(&mut d, &p, c, &dropped_volumes, expanding)?);
    }
    spec.containers = Some(containers);

    if let Some(h) = &pod.hostname {
        if is_dns1123_label(h.as_str()) {
            spec.hostname = Some(h.as_str().into());
        } else {
            d.drop(
                root.field("hostname"),
                "Kubernetes' hostname is one DNS label (no dots); the pod name is the hostname",
            );
        }
    }
    if pod.termination_grace_period != DEFAULT_TERMINATION_GRACE_PERIOD {
        spec.termination_grace_period_seconds = Some(whole_seconds(
            &mut d,
            root.field("terminationGracePeriod"),
            pod.termination_grace_period,
        ));
    }
    if let Some(deadline) = pod.active_deadline {
        let s = whole_seconds(&mut d, root.field("activeDeadline"), deadline);
        spec.active_deadline_seconds = Some(s.clamp(1, i64::from(i32::MAX)));
    }
    spec.dns_policy = match pod.dns.policy {
        DnsPolicy::ClusterFirst => None,
        DnsPolicy::ClusterFirstWithHostNet => Some("ClusterFirstWithHostNet".into()),
        DnsPolicy::Default => Some("Default".into()),
        DnsPolicy::None => {
            d.drop(
                root.field("dns").field("policy"),
                "Kubernetes' None policy needs a dnsConfig, which this manifest lacks; the default policy is written",
            );
            None
        }
        _ => None,
    };
    for (field, set) in [
        ("servers", !pod.dns.servers.is_empty()),
        ("searches", !pod.dns.searches.is_empty()),
        ("options", !pod.dns.options.is_empty()),
    ] {
        if set {
            d.drop(
                root.field("dns").field(field),
                "this manifest has no dnsConfig; set it by hand if the pod needs it",
            );
        }
    }
    if pod.service_links == ServiceLinks::Disabled {
        spec.enable_service_links = Some(false);
    }
    if !pod.files.is_empty() {
        d.drop(
            root.field("files"),
            "Kubernetes has no pod files; use a ConfigMap",
        );
    }
    if !pod.services.is_empty() {
        d.drop(
            root.field("services"),
            "Kubernetes services are objects of their own, not part of a pod",
        );
    }
    if !pod.port_mappings.is_empty() {
        d.drop(
            root.field("portMappings"),
            "Kubernetes forwards host ports with a container port's hostPort",
        );
    }
    if pod.resources != vm_resources(&pod.init_containers, &pod.containers) {
        d.drop(
            root.field("resources"),
            "Kubernetes sizes a pod from its containers' resources, which say otherwise",
        );
    }
    Ok(Converted {
        value: k8s::Pod {
            api_version: Some("v1".into()),
            kind: Some("Pod".into()),
            metadata: Some(metadata),
            spec: Some(spec),
            status: None,
        },
        dropped: d.0,
    })
}

fn not_representable(field: FieldPath, reason: &str) -> Error {
    Error::NotRepresentable {
        target: Target::K8s,
        field,
        reason: reason.into(),
    }
}

/// A duration in whole seconds, rounded up (and reported) when it has a fraction.
fn whole_seconds(d: &mut Drops, path: FieldPath, t: Duration) -> i64 {
    let mut s = t.as_secs();
    if t.subsec_nanos() != 0 {
        s = s.saturating_add(1);
        d.drop(path, "Kubernetes counts whole seconds; rounded up");
    }
    i64::try_from(s).unwrap_or(i64::MAX)
}

fn container(
    d: &mut Drops,
    path: &FieldPath,
    c: &Container,
    dropped_volumes: &BTreeSet<String>,
    expanding: bool,
) -> Result<k8s::Container, Error> {
    if !is_dns1123_label(c.name.as_str()) {
        return Err(not_representable(
            path.field("name"),
            "a container name that is a DNS-1123 label (lower-case letters, digits and '-')",
        ));
    }
    let image = image_ref(Target::K8s, path, c)?;
    let mut out = k8s::Container {
        name: Some(c.name.as_str().into()),
        image: Some(image.into()),
        command: some(strs(&c.entrypoint), Vec::is_empty),
        args: some(strs(&c.command), Vec::is_empty),
        working_dir: opt(c.working_dir.as_ref()),
        tty: c.tty.then_some(true),
        stdin: c.stdin.then_some(true),
        ..Default::default()
    };
    let mut env = Vec::new();
    for (k, e) in c.env.iter().enumerate() {
        let ep = path.field("env").index(k);
        let mut ke = k8s::EnvVar {
            name: Some(e.name.as_str().into()),
            ..Default::default()
        };
        match &e.value {
            EnvValue::Literal(v) => {
                if !expanding && needs_expansion_note(v) {
                    d.drop(
                        ep.field("value"),
                        "its literal meaning: Kubernetes expands $(VAR) and $$ in it, the source format did not; the value is written as it is",
                    );
                }
                ke.value = Some(v.as_str().into());
            }
            EnvValue::Field(f) => {
                ke.value_from = Some(k8s::EnvVarSource {
                    field_ref: Some(k8s::ObjectFieldSelector {
                        api_version: None,
                        field_path: Some(f.to_compact_string()),
                    }),
                    ..Default::default()
                });
            }
            _ => {
                d.drop(ep, "Kubernetes cannot say this value");
                continue;
            }
        }
        env.push(ke);
    }
    out.env = some(env, Vec::is_empty);
    out.ports = some(
        c.ports
            .iter()
            .map(|p| k8s::ContainerPort {
                name: p.name.as_ref().map(|n| n.as_str().into()),
                container_port: Some(i32::from(p.container_port.get())),
                host_port: p.host_port.map(|h| i32::from(h.get())),
                host_ip: p.host_ip.map(|ip| ip.to_compact_string()),
                protocol: (p.protocol != Protocol::Tcp).then(|| p.protocol.as_str().into()),
            })
            .collect(),
        Vec::is_empty,
    );
    if c.resources != podspec::model::Resources::default() {
        let rp = path.field("resources");
        let limits = &c.resources.limits;
        let mut requests = c.resources.requests;
        if requests.cpu.zip(limits.cpu).is_some_and(|(r, l)| r > l) {
            d.drop(
                rp.field("requests").key("cpu"),
                "Kubernetes needs a request at most its limit",
            );
            requests.cpu = None;
        }
        if requests
            .memory
            .zip(limits.memory)
            .is_some_and(|(r, l)| r > l)
        {
            d.drop(
                rp.field("requests").key("memory"),
                "Kubernetes needs a request at most its limit",
            );
            requests.memory = None;
        }
        out.resources = Some(k8s::ResourceRequirements {
            limits: quantities(limits),
            requests: quantities(&requests),
        });
    }
    let mut mounts = Vec::new();
    for (k, m) in c.volume_mounts.iter().enumerate() {
        if dropped_volumes.contains(m.volume.as_str()) {
            d.drop(
                path.field("volumeMounts").index(k),
                "its volume was dropped",
            );
            continue;
        }
        mounts.push(k8s::VolumeMount {
            name: Some(m.volume.as_str().into()),
            mount_path: Some(m.path.as_str().into()),
            read_only: (m.mode == MountMode::ReadOnly).then_some(true),
            sub_path: opt(m.sub_path.as_ref()),
        });
    }
    out.volume_mounts = some(mounts, Vec::is_empty);
    if !c.files.is_empty() {
        d.drop(
            path.field("files"),
            "Kubernetes has no pod files; mount a ConfigMap instead",
        );
    }
    out.liveness_probe = c
        .liveness_probe
        .as_ref()
        .and_then(|p| probe(d, &path.field("livenessProbe"), p, true));
    out.readiness_probe = c
        .readiness_probe
        .as_ref()
        .and_then(|p| probe(d, &path.field("readinessProbe"), p, false));
    out.startup_probe = c
        .startup_probe
        .as_ref()
        .and_then(|p| probe(d, &path.field("startupProbe"), p, true));
    let lp = path.field("lifecycle");
    let l = &c.lifecycle;
    for (hook, set) in [
        ("preStart", l.pre_start.is_some()),
        ("postRestart", l.post_restart.is_some()),
    ] {
        if set {
            d.drop(
                lp.field(hook),
                "Kubernetes has only postStart and preStop hooks",
            );
        }
    }
    if l.stop_signal.is_some() {
        d.drop(lp.field("stopSignal"), "this manifest has no stop signal");
    }
    let post_start = l
        .post_start
        .as_ref()
        .and_then(|h| hook(d, &lp.field("postStart"), h));
    let pre_stop = l
        .pre_stop
        .as_ref()
        .and_then(|h| hook(d, &lp.field("preStop"), h));
    if post_start.is_some() || pre_stop.is_some() {
        out.lifecycle = Some(k8s::Lifecycle {
            post_start,
            pre_stop,
        });
    }
    if let Some(r) = &c.restart {
        out.restart_policy = Some(r.policy.as_str().into());
        let mut rules = Vec::new();
        for (k, rule) in r.rules.iter().enumerate() {
            if rule.action != RestartRuleAction::Restart {
                d.drop(
                    path.field("restart").field("rules").index(k),
                    "Kubernetes' restart rules restart one container (RestartAllContainers is behind a feature gate that is off)",
                );
                continue;
            }
            rules.push(k8s::ContainerRestartRule {
                action: Some("Restart".into()),
                exit_codes: Some(k8s::ContainerRestartRuleOnExitCodes {
                    operator: Some(
                        match rule.operator {
                            podspec::model::ExitCodeOperator::NotIn => "NotIn",
                            _ => "In",
                        }
                        .into(),
                    ),
                    values: Some(rule.exit_codes.iter().copied().collect()),
                }),
            });
        }
        out.restart_policy_rules = some(rules, Vec::is_empty);
    }
    Ok(out)
}

fn quantities(r: &ResourceList) -> Option<BTreeMap<Str, Quantity>> {
    let mut m = BTreeMap::new();
    if let Some(c) = r.cpu {
        m.insert("cpu".into(), Quantity(c.to_compact_string()));
    }
    if let Some(mem) = r.memory {
        m.insert("memory".into(), Quantity(mem.to_compact_string()));
    }
    some(m, BTreeMap::is_empty)
}

fn port(p: &PortRef) -> IntOrString {
    match p {
        PortRef::Name(n) => IntOrString::String(n.as_str().into()),
        PortRef::Number(n) => IntOrString::Int(i32::from(n.get())),
        _ => IntOrString::String(p.to_compact_string()),
    }
}

/// An HTTP header name Kubernetes accepts (an RFC 7230 token).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn http_get(
    d: &mut Drops,
    path: &FieldPath,
    h: &HttpGet,
    expected: HttpSuccess,
    what: &str,
) -> k8s::HttpGetAction {
    if h.success != expected {
        d.drop(
            path.field("success"),
            format!("Kubernetes decides a {what}'s success by its own rule for status codes"),
        );
    }
    let mut headers = Vec::new();
    for (i, hd) in h.headers.iter().enumerate() {
        if is_token(&hd.name) {
            headers.push(k8s::HttpHeader {
                name: Some(hd.name.as_str().into()),
                value: Some(hd.value.as_str().into()),
            });
        } else {
            d.drop(
                path.field("headers").index(i),
                "not a valid HTTP header name",
            );
        }
    }
    k8s::HttpGetAction {
        path: Some(h.path.as_str().into()),
        port: Some(port(&h.port)),
        host: opt(h.host.as_ref()),
        scheme: (h.scheme == Scheme::Https).then(|| "HTTPS".into()),
        http_headers: some(headers, Vec::is_empty),
    }
}

/// A probe; `one_success` for liveness and startup probes, whose success threshold must be 1.
fn probe(d: &mut Drops, path: &FieldPath, p: &Probe, one_success: bool) -> Option<k8s::Probe> {
    let mut out = k8s::Probe::default();
    match &p.handler {
        ProbeHandler::Exec { command } => {
            out.exec = Some(k8s::ExecAction {
                command: Some(strs(command)),
            });
        }
        ProbeHandler::HttpGet(h) => {
            out.http_get = Some(http_get(
                d,
                &path.field("handler").field("httpGet"),
                h,
                HttpSuccess::Below400,
                "probe",
            ));
        }
        ProbeHandler::TcpSocket { host, port: p } => {
            out.tcp_socket = Some(k8s::TcpSocketAction {
                port: Some(port(p)),
                host: opt(host.as_ref()),
            });
        }
        ProbeHandler::Grpc { port, service } => {
            out.grpc = Some(k8s::GrpcAction {
                port: Some(i32::from(port.get())),
                service: opt(service.as_ref()),
            });
        }
        _ => {
            d.drop(
                path.clone(),
                "Kubernetes has no probe that always succeeds; no probe behaves the same",
            );
            return None;
        }
    }
    let secs =
        |d: &mut Drops, field: &'static str, t: Duration, zero_is_default: bool| -> Option<i32> {
            let s = whole_seconds(d, path.field(field), t);
            if zero_is_default && s == 0 {
                d.drop(path.field(field), "Kubernetes reads 0 as its default");
                return None;
            }
            Some(i32::try_from(s).unwrap_or(i32::MAX))
        };
    out.initial_delay_seconds = secs(d, "initialDelay", p.initial_delay, false).filter(|s| *s != 0);
    out.period_seconds = secs(d, "period", p.period, true);
    out.timeout_seconds = secs(d, "timeout", p.timeout, true);
    let threshold = |d: &mut Drops, field: &'static str, n: u32| -> Option<i32> {
        if n == 0 {
            d.drop(path.field(field), "Kubernetes reads 0 as its default");
            return None;
        }
        Some(i32::try_from(n).unwrap_or(i32::MAX))
    };
    out.success_threshold = threshold(d, "successThreshold", p.success_threshold);
    if one_success && p.success_threshold > 1 {
        d.drop(
            path.field("successThreshold"),
            "Kubernetes' liveness and startup probes succeed after one success",
        );
        out.success_threshold = None;
    }
    out.failure_threshold = threshold(d, "failureThreshold", p.failure_threshold);
    out.termination_grace_period_seconds = p
        .termination_grace_period
        .map(|t| whole_seconds(d, path.field("terminationGracePeriod"), t).max(1));
    Some(out)
}

fn hook(d: &mut Drops, path: &FieldPath, h: &HookHandler) -> Option<k8s::LifecycleHandler> {
    let mut out = k8s::LifecycleHandler::default();
    match h {
        HookHandler::Exec { command } => {
            out.exec = Some(k8s::ExecAction {
                command: Some(strs(command)),
            });
        }
        HookHandler::HttpGet(g) => {
            out.http_get = Some(http_get(
                d,
                &path.field("httpGet"),
                g,
                HttpSuccess::Below500,
                "hook",
            ));
        }
        HookHandler::Sleep(t) => {
            let s = whole_seconds(d, path.field("sleep"), *t);
            if s == 0 {
                d.drop(
                    path.clone(),
                    "Kubernetes sleeps at least one second; a zero sleep does nothing",
                );
                return None;
            }
            out.sleep = Some(k8s::SleepAction { seconds: Some(s) });
        }
        _ => {
            d.drop(path.clone(), "Kubernetes cannot say this hook");
            return None;
        }
    }
    Some(out)
}
