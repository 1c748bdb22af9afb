//! Kubernetes v1 `Pod` to the domain model.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use podspec::model::{
    Container, ContainerPort, ContainerRestart, DEFAULT_TERMINATION_GRACE_PERIOD, DnsPolicy,
    EnvValue, EnvVar, ExitCodeOperator, HookHandler, Hostname, HttpGet, HttpHeader, HttpSuccess,
    Image, Lifecycle, MountMode, Pod, PodName, PortName, Probe, ProbeHandler, ResourceList,
    Resources, RestartPolicy, RestartRule, RestartRuleAction, Scheme, ServiceLinks, Source,
    StorageMedium, Volume, VolumeMount, VolumeName, VolumeSource, probe_defaults,
};
use podspec::wire::{Document, Str, k8s};
use podspec::{FieldPath, Format};

use super::common::{
    container_name, cpu, host_port, image, invalid, ip, list, memory, non_empty, owned, port,
    port_ref, protocol, required, restart_policy, seconds, seconds_or, string_map, threshold_or,
};
use crate::converted::Cx;
use crate::{Converted, Error, Options, names, vm_resources};

/// A Kubernetes v1 pod in the domain model (the mapping table is in [`super`]'s doc).
///
/// Legacy Hyper read these files too (`hyper run -k`, spec/hyper.md section 2), and got several
/// things wrong; we do what Kubernetes means instead:
/// - an omitted `restartPolicy` is `Always` (Hyper: `never`), and an unknown one is an error
///   (Hyper: `never`);
/// - `dnsPolicy` is a string (Hyper declared a list and failed to decode a normal file);
/// - volumes are inline (`hostPath`, `emptyDir`, `nfs`); Hyper expected a `source` wrapper,
///   crashed without one and never recognised `hostPath`; a volume with no source is an
///   `emptyDir`, as Kubernetes defaults it;
/// - container resources size the VM (Hyper ignored `resources` and always used 1 vCPU);
/// - probes, hooks, init containers, `valueFrom.fieldRef` and port names are kept (Hyper
///   dropped them); what the model cannot hold is reported as dropped, not lost silently.
///
/// # Errors
///
/// [`Error::Invalid`] with every value the model cannot hold, at its path in the manifest
/// (`spec.containers[0].ports[1].containerPort`).
///
/// # Examples
///
/// ```
/// use podspec::{model::RestartPolicy, wire::Document};
/// let doc = podspec::parse("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  \
///     containers:\n    - name: c\n      image: busybox\n      command: [sh]\n      args: ['-c', 'true']\n", None)
///     .unwrap().document;
/// let Document::K8s(k) = &doc else { panic!() };
/// let pod = convert::from_k8s(k, &convert::Options::default()).unwrap().value;
/// assert_eq!(pod.restart_policy, RestartPolicy::Always); // no restartPolicy: Always
/// assert_eq!(pod.containers[0].entrypoint, ["sh"]);     // command replaces ENTRYPOINT
/// assert_eq!(pod.containers[0].command, ["-c", "true"]); // args replace CMD
/// ```
pub fn from_k8s(doc: &k8s::Pod, options: &Options) -> Result<Converted<Pod>, Error> {
    let mut cx = Cx::default();
    let root = FieldPath::root();
    let meta = doc.metadata.clone().unwrap_or_default();
    let name = pod_name(&mut cx, doc, &meta, options);
    let mut pod = Pod::new(name, Source::new(Format::K8s));
    if let Some(ns) = non_empty(meta.namespace.as_ref()) {
        ns.clone_into(&mut pod.namespace);
    }
    pod.labels = string_map(meta.labels.as_ref());
    pod.annotations = string_map(meta.annotations.as_ref());
    if doc.status.is_some() {
        cx.drop(
            root.field("status"),
            "a file's status is not the pod's; the runtime reports its own",
        );
    }
    let Some(spec) = &doc.spec else {
        required(&mut cx, &root.field("spec"), "a pod spec is required");
        return cx.finish(pod);
    };
    let sp = root.field("spec");

    let dropped_volumes = volumes(&mut cx, &sp, spec, &mut pod);
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        let path = sp.field("initContainers").index(i);
        if let Some(c) = container(&mut cx, &path, c, &dropped_volumes) {
            pod.init_containers.push(c);
        }
    }
    for (i, c) in spec.containers.iter().flatten().enumerate() {
        let path = sp.field("containers").index(i);
        if let Some(c) = container(&mut cx, &path, c, &dropped_volumes) {
            pod.containers.push(c);
        }
    }
    pod.restart_policy = restart_policy(
        &mut cx,
        &sp.field("restartPolicy"),
        spec.restart_policy.as_ref(),
        RestartPolicy::Always,
    );
    if let Some(h) = non_empty(spec.hostname.as_ref()) {
        pod.hostname = cx.ok(&sp.field("hostname"), Hostname::try_from(h));
    }
    if non_empty(spec.subdomain.as_ref()).is_some() {
        cx.drop(
            sp.field("subdomain"),
            "there is no cluster DNS to publish the pod's subdomain in",
        );
    }
    pod.termination_grace_period = match spec.termination_grace_period_seconds {
        None => DEFAULT_TERMINATION_GRACE_PERIOD,
        Some(n) => seconds(&mut cx, &sp.field("terminationGracePeriodSeconds"), n)
            .unwrap_or(DEFAULT_TERMINATION_GRACE_PERIOD),
    };
    if let Some(n) = spec.active_deadline_seconds {
        if n <= 0 {
            invalid(
                &mut cx,
                &sp.field("activeDeadlineSeconds"),
                n,
                "must be greater than 0",
            );
        } else {
            pod.active_deadline = seconds(&mut cx, &sp.field("activeDeadlineSeconds"), n);
        }
    }
    if let Some(p) = non_empty(spec.dns_policy.as_ref()) {
        pod.dns.policy = cx
            .ok(&sp.field("dnsPolicy"), p.parse::<DnsPolicy>())
            .unwrap_or_default();
    }
    if let Some(links) = spec.enable_service_links {
        pod.service_links = ServiceLinks::from(links);
    }
    pod.resources = vm_resources(&pod.init_containers, &pod.containers);
    cx.finish(pod)
}

/// The pod's name: `metadata.name`, else the caller's, else `generateName` completed as the
/// API server would (with characters derived from the document), else an error.
fn pod_name(cx: &mut Cx, doc: &k8s::Pod, meta: &k8s::ObjectMeta, options: &Options) -> PodName {
    let path = FieldPath::root().field("metadata").field("name");
    let fallback = || PodName::try_from("default").expect("a valid name");
    if let Some(n) = non_empty(meta.name.as_ref()) {
        return cx.ok(&path, PodName::try_from(n)).unwrap_or_else(fallback);
    }
    if let Some(n) = &options.name {
        return n.clone();
    }
    if let Some(prefix) = non_empty(meta.generate_name.as_ref()) {
        let name = names::generated_name(prefix, &Document::K8s(doc.clone()));
        return cx
            .ok(
                &FieldPath::root().field("metadata").field("generateName"),
                PodName::try_from(name),
            )
            .unwrap_or_else(fallback);
    }
    required(cx, &path, "name or generateName is required");
    fallback()
}

/// The pod's volumes; returns the names of volumes dropped (their mounts are dropped too).
fn volumes(cx: &mut Cx, sp: &FieldPath, spec: &k8s::PodSpec, pod: &mut Pod) -> BTreeSet<String> {
    let mut dropped = BTreeSet::new();
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        let path = sp.field("volumes").index(i);
        let Some(name) = non_empty(v.name.as_ref()) else {
            required(cx, &path.field("name"), "a volume name is required");
            continue;
        };
        let Some(vname) = cx.ok(&path.field("name"), VolumeName::try_from(name)) else {
            continue;
        };
        let unsupported = [
            ("configMap", v.config_map.is_some()),
            ("secret", v.secret.is_some()),
            ("persistentVolumeClaim", v.persistent_volume_claim.is_some()),
            ("projected", v.projected.is_some()),
            ("downwardAPI", v.downward_api.is_some()),
        ];
        let supported = [
            ("hostPath", v.host_path.is_some()),
            ("emptyDir", v.empty_dir.is_some()),
            ("nfs", v.nfs.is_some()),
        ];
        let given: Vec<&str> = unsupported
            .iter()
            .chain(&supported)
            .filter(|(_, set)| *set)
            .map(|(n, _)| *n)
            .collect();
        if given.len() > 1 {
            invalid(
                cx,
                &path,
                given.join(", "),
                "may not specify more than 1 volume type",
            );
            continue;
        }
        if let Some((kind, _)) = unsupported.iter().find(|(_, set)| *set) {
            cx.drop(
                path.field(*kind),
                format!(
                    "vmm-ref has no cluster objects to fill a {kind} volume; the volume \
                     {name:?} and its mounts are dropped"
                ),
            );
            dropped.insert(name.to_owned());
            continue;
        }
        let source = if let Some(h) = &v.host_path {
            let hp = path.field("hostPath");
            if non_empty(h.r#type.as_ref()).is_some() {
                cx.drop(
                    hp.field("type"),
                    "the host path is shared as it is, without checking its type",
                );
            }
            match non_empty(h.path.as_ref()) {
                Some(p) => VolumeSource::HostPath { path: p.to_owned() },
                None => {
                    required(cx, &hp.field("path"), "a host path is required");
                    continue;
                }
            }
        } else if let Some(nfs) = &v.nfs {
            let server = nfs
                .get("server")
                .and_then(|s| s.as_str())
                .unwrap_or_default();
            let export = nfs.get("path").and_then(|s| s.as_str()).unwrap_or_default();
            if server.is_empty() || export.is_empty() {
                required(
                    cx,
                    &path.field("nfs"),
                    "an NFS server and path are required",
                );
                continue;
            }
            if nfs.get("readOnly").and_then(serde_json::Value::as_bool) == Some(true) {
                cx.drop(
                    path.field("nfs").field("readOnly"),
                    "mount the volume read-only in each container instead",
                );
            }
            VolumeSource::Nfs {
                export: format!("{server}:{export}"),
            }
        } else {
            // An emptyDir, or no source at all, which Kubernetes defaults to an emptyDir.
            let e = v.empty_dir.clone().unwrap_or_default();
            let ep = path.field("emptyDir");
            let medium = match non_empty(e.medium.as_ref()) {
                None => StorageMedium::Disk,
                Some("Memory") => StorageMedium::Memory,
                Some(other) => {
                    cx.error(
                        &ep.field("medium"),
                        podspec::FieldError::new(
                            FieldPath::root(),
                            podspec::ErrorType::NotSupported,
                            "supported values: \"\", \"Memory\"",
                        )
                        .with_value(other),
                    );
                    StorageMedium::Disk
                }
            };
            let size_limit = e
                .size_limit
                .as_ref()
                .and_then(|q| memory(cx, &ep.field("sizeLimit"), q.as_str()));
            VolumeSource::EmptyDir { medium, size_limit }
        };
        pod.volumes.push(Volume::new(vname, source));
    }
    dropped
}

fn container(
    cx: &mut Cx,
    path: &FieldPath,
    c: &k8s::Container,
    dropped_volumes: &BTreeSet<String>,
) -> Option<Container> {
    let name = container_name(cx, &path.field("name"), c.name.as_ref());
    let image = image(cx, &path.field("image"), c.image.as_ref());
    let (name, image) = (name?, image?);
    let mut out = Container::new(name, Image::Reference(image));
    out.entrypoint = list(c.command.as_ref());
    out.command = list(c.args.as_ref());
    out.working_dir = non_empty(c.working_dir.as_ref()).map(str::to_owned);
    for (k, e) in c.env.iter().flatten().enumerate() {
        if let Some(e) = env(cx, &path.field("env").index(k), e) {
            out.env.push(e);
        }
    }
    for (k, p) in c.ports.iter().flatten().enumerate() {
        let pp = path.field("ports").index(k);
        out.ports.extend(container_port(cx, &pp, p));
    }
    if let Some(r) = &c.resources {
        out.resources = resources(cx, &path.field("resources"), r);
    }
    for (k, m) in c.volume_mounts.iter().flatten().enumerate() {
        let mp = path.field("volumeMounts").index(k);
        let mount_path = non_empty(m.mount_path.as_ref());
        let sub_path = non_empty(m.sub_path.as_ref());
        let (name, read_only) = (m.name.as_ref(), m.read_only);
        let mount = volume_mount(
            cx,
            mp,
            name,
            mount_path,
            read_only,
            sub_path,
            dropped_volumes,
        );
        out.volume_mounts.extend(mount);
    }
    let probes = [
        ("livenessProbe", &c.liveness_probe, &mut out.liveness_probe),
        (
            "readinessProbe",
            &c.readiness_probe,
            &mut out.readiness_probe,
        ),
        ("startupProbe", &c.startup_probe, &mut out.startup_probe),
    ];
    for (field, wire, model) in probes {
        if let Some(p) = wire {
            *model = probe(cx, &path.field(field), p);
        }
    }
    if let Some(l) = &c.lifecycle {
        out.lifecycle = lifecycle(cx, &path.field("lifecycle"), l);
    }
    out.tty = c.tty.unwrap_or(false);
    out.stdin = c.stdin.unwrap_or(false);
    if c.stdin_once == Some(true) {
        cx.drop(
            path.field("stdinOnce"),
            "stdin stays open for the container's life",
        );
    }
    out.restart = container_restart(cx, path, c);
    for (field, value) in [
        ("imagePullPolicy", &c.image_pull_policy),
        ("terminationMessagePolicy", &c.termination_message_policy),
        ("terminationMessagePath", &c.termination_message_path),
    ] {
        if non_empty(value.as_ref()).is_some() {
            let reason = if field == "imagePullPolicy" {
                "images come from vmm-ref's local image store; nothing is pulled"
            } else {
                "vmm-ref keeps no termination messages"
            };
            cx.drop(path.field(field), reason);
        }
    }
    Some(out)
}

fn env(cx: &mut Cx, path: &FieldPath, e: &k8s::EnvVar) -> Option<EnvVar> {
    let Some(name) = non_empty(e.name.as_ref()) else {
        required(
            cx,
            &path.field("name"),
            "an environment variable name is required",
        );
        return None;
    };
    let Some(from) = &e.value_from else {
        return Some(EnvVar {
            name: name.to_owned(),
            value: EnvValue::Literal(owned(e.value.as_ref())),
        });
    };
    let vf = path.field("valueFrom");
    if non_empty(e.value.as_ref()).is_some() {
        invalid(
            cx,
            &vf,
            "",
            "may not be specified when `value` is not empty",
        );
        return None;
    }
    if let Some(f) = &from.field_ref {
        let fp = vf.field("fieldRef").field("fieldPath");
        let Some(field) = non_empty(f.field_path.as_ref()) else {
            required(cx, &fp, "a field path is required");
            return None;
        };
        let field = cx.ok(&fp, field.parse())?;
        return Some(EnvVar {
            name: name.to_owned(),
            value: EnvValue::Field(field),
        });
    }
    let other = [
        ("resourceFieldRef", from.resource_field_ref.is_some()),
        ("configMapKeyRef", from.config_map_key_ref.is_some()),
        ("secretKeyRef", from.secret_key_ref.is_some()),
    ];
    match other.iter().find(|(_, set)| *set) {
        Some((kind, _)) => cx.drop(
            vf.field(*kind),
            format!("unsupported source: vmm-ref cannot resolve a {kind}; the variable {name:?} is not set"),
        ),
        None => required(cx, &vf, "a value source is required"),
    }
    None
}

fn resources(cx: &mut Cx, path: &FieldPath, r: &k8s::ResourceRequirements) -> Resources {
    let mut list = |field: &'static str, map: Option<&BTreeMap<Str, podspec::wire::Quantity>>| {
        let mut out = ResourceList::default();
        for (key, q) in map.into_iter().flatten() {
            let p = path.field(field).key(key.as_str());
            match key.as_str() {
                "cpu" => out.cpu = cpu(cx, &p, q.as_str()),
                "memory" => out.memory = memory(cx, &p, q.as_str()),
                _ => cx.drop(p, "a VM is sized by CPU and memory only"),
            }
        }
        out
    };
    let limits = list("limits", r.limits.as_ref());
    let requests = list("requests", r.requests.as_ref());
    Resources { requests, limits }
}

/// A probe, with Kubernetes' defaults for the numbers left at 0 or out.
pub(crate) fn probe(cx: &mut Cx, path: &FieldPath, p: &k8s::Probe) -> Option<Probe> {
    let handlers = [
        ("exec", p.exec.is_some()),
        ("httpGet", p.http_get.is_some()),
        ("tcpSocket", p.tcp_socket.is_some()),
        ("grpc", p.grpc.is_some()),
    ];
    let set: Vec<&str> = handlers
        .iter()
        .filter(|(_, s)| *s)
        .map(|(n, _)| *n)
        .collect();
    if set.len() > 1 {
        invalid(
            cx,
            path,
            set.join(", "),
            "may not specify more than 1 handler type",
        );
        return None;
    }
    let handler = if let Some(e) = &p.exec {
        ProbeHandler::Exec {
            command: list(e.command.as_ref()),
        }
    } else if let Some(h) = &p.http_get {
        ProbeHandler::HttpGet(http_get(
            cx,
            &path.field("httpGet"),
            h,
            HttpSuccess::Below400,
        )?)
    } else if let Some(t) = &p.tcp_socket {
        ProbeHandler::TcpSocket {
            host: non_empty(t.host.as_ref()).map(str::to_owned),
            port: port_ref(cx, &path.field("tcpSocket").field("port"), t.port.as_ref())?,
        }
    } else if let Some(g) = &p.grpc {
        let gp = path.field("grpc").field("port");
        let Some(n) = g.port else {
            required(cx, &gp, "a port is required");
            return None;
        };
        ProbeHandler::Grpc {
            port: port(cx, &gp, i64::from(n))?,
            service: non_empty(g.service.as_ref()).map(str::to_owned),
        }
    } else {
        required(cx, path, "must specify a handler type");
        return None;
    };
    let mut out = Probe::new(handler);
    out.initial_delay = seconds_or(
        cx,
        &path.field("initialDelaySeconds"),
        p.initial_delay_seconds.map(i64::from),
        Duration::ZERO,
    );
    out.period = seconds_or(
        cx,
        &path.field("periodSeconds"),
        p.period_seconds.map(i64::from),
        probe_defaults::PERIOD,
    );
    out.timeout = seconds_or(
        cx,
        &path.field("timeoutSeconds"),
        p.timeout_seconds.map(i64::from),
        probe_defaults::TIMEOUT,
    );
    out.success_threshold = threshold_or(
        cx,
        &path.field("successThreshold"),
        p.success_threshold.map(i64::from),
        probe_defaults::SUCCESS_THRESHOLD,
    );
    out.failure_threshold = threshold_or(
        cx,
        &path.field("failureThreshold"),
        p.failure_threshold.map(i64::from),
        probe_defaults::FAILURE_THRESHOLD,
    );
    if let Some(n) = p.termination_grace_period_seconds {
        let tp = path.field("terminationGracePeriodSeconds");
        if n <= 0 {
            invalid(cx, &tp, n, "must be greater than 0");
        } else {
            out.termination_grace_period = seconds(cx, &tp, n);
        }
    }
    Some(out)
}

/// An `httpGet` action: path `/` and scheme HTTP when not given (Kubernetes' defaults).
pub(crate) fn http_get(
    cx: &mut Cx,
    path: &FieldPath,
    h: &k8s::HttpGetAction,
    success: HttpSuccess,
) -> Option<HttpGet> {
    let port = port_ref(cx, &path.field("port"), h.port.as_ref())?;
    let mut out = HttpGet::new(port, non_empty(h.path.as_ref()).unwrap_or("/"));
    out.success = success;
    out.host = non_empty(h.host.as_ref()).map(str::to_owned);
    if let Some(s) = non_empty(h.scheme.as_ref()) {
        out.scheme = cx
            .ok(&path.field("scheme"), s.parse::<Scheme>())
            .unwrap_or_default();
    }
    for (i, hd) in h.http_headers.iter().flatten().enumerate() {
        let Some(name) = non_empty(hd.name.as_ref()) else {
            required(
                cx,
                &path.field("httpHeaders").index(i).field("name"),
                "a header name is required",
            );
            continue;
        };
        out.headers.push(HttpHeader {
            name: name.to_owned(),
            value: owned(hd.value.as_ref()),
        });
    }
    Some(out)
}

fn lifecycle(cx: &mut Cx, path: &FieldPath, l: &k8s::Lifecycle) -> Lifecycle {
    let mut out = Lifecycle::default();
    if let Some(h) = &l.post_start {
        out.post_start = hook(cx, &path.field("postStart"), h);
    }
    if let Some(h) = &l.pre_stop {
        out.pre_stop = hook(cx, &path.field("preStop"), h);
    }
    out
}

/// A hook handler. An `httpGet` hook fails on no answer or a 5xx (DESIGN.md); a `tcpSocket`
/// hook, which Kubernetes accepts but never runs, is dropped.
fn hook(cx: &mut Cx, path: &FieldPath, h: &k8s::LifecycleHandler) -> Option<HookHandler> {
    let handlers = [
        ("exec", h.exec.is_some()),
        ("httpGet", h.http_get.is_some()),
        ("tcpSocket", h.tcp_socket.is_some()),
        ("sleep", h.sleep.is_some()),
    ];
    let set: Vec<&str> = handlers
        .iter()
        .filter(|(_, s)| *s)
        .map(|(n, _)| *n)
        .collect();
    if set.len() > 1 {
        invalid(
            cx,
            path,
            set.join(", "),
            "may not specify more than 1 handler type",
        );
        return None;
    }
    if let Some(e) = &h.exec {
        Some(HookHandler::Exec {
            command: list(e.command.as_ref()),
        })
    } else if let Some(g) = &h.http_get {
        http_get(cx, &path.field("httpGet"), g, HttpSuccess::Below500).map(HookHandler::HttpGet)
    } else if h.tcp_socket.is_some() {
        cx.drop(
            path.field("tcpSocket"),
            "Kubernetes accepts a tcpSocket hook for compatibility but never runs it",
        );
        None
    } else if let Some(s) = &h.sleep {
        let sp = path.field("sleep").field("seconds");
        let Some(n) = s.seconds else {
            required(cx, &sp, "seconds are required");
            return None;
        };
        seconds(cx, &sp, n).map(HookHandler::Sleep)
    } else {
        required(cx, path, "must specify a handler type");
        None
    }
}

fn container_restart(
    cx: &mut Cx,
    path: &FieldPath,
    c: &k8s::Container,
) -> Option<ContainerRestart> {
    let rules = c.restart_policy_rules.as_deref().unwrap_or_default();
    let Some(p) = non_empty(c.restart_policy.as_ref()) else {
        if !rules.is_empty() {
            cx.drop(
                path.field("restartPolicyRules"),
                "Kubernetes ignores restart rules without a container restartPolicy",
            );
        }
        return None;
    };
    let policy = cx.ok(&path.field("restartPolicy"), p.parse::<RestartPolicy>())?;
    let mut out = ContainerRestart {
        policy,
        rules: Vec::new(),
    };
    for (r, rule) in rules.iter().enumerate() {
        let rp = path.field("restartPolicyRules").index(r);
        let action = match non_empty(rule.action.as_ref()) {
            Some(a) => cx.ok(&rp.field("action"), a.parse::<RestartRuleAction>()),
            None => {
                required(cx, &rp.field("action"), "an action is required");
                None
            }
        };
        let Some(codes) = &rule.exit_codes else {
            required(cx, &rp.field("exitCodes"), "exit codes are required");
            continue;
        };
        let operator = match non_empty(codes.operator.as_ref()) {
            Some(o) => cx.ok(
                &rp.field("exitCodes").field("operator"),
                o.parse::<ExitCodeOperator>(),
            ),
            None => {
                required(
                    cx,
                    &rp.field("exitCodes").field("operator"),
                    "an operator is required",
                );
                None
            }
        };
        if let (Some(action), Some(operator)) = (action, operator) {
            out.rules.push(RestartRule {
                action,
                operator,
                exit_codes: codes.values.iter().flatten().copied().collect(),
            });
        }
    }
    Some(out)
}

/// One container port, v1 or v1beta1 (they share the wire type); `None` after reporting why.
pub(super) fn container_port(
    cx: &mut Cx,
    pp: &FieldPath,
    p: &k8s::ContainerPort,
) -> Option<ContainerPort> {
    let Some(n) = p.container_port else {
        required(
            cx,
            &pp.field("containerPort"),
            "a container port is required",
        );
        return None;
    };
    let number = port(cx, &pp.field("containerPort"), i64::from(n))?;
    let mut cp = ContainerPort::new(number);
    if let Some(name) = non_empty(p.name.as_ref()) {
        cp.name = cx.ok(&pp.field("name"), PortName::try_from(name));
    }
    cp.protocol = protocol(cx, &pp.field("protocol"), p.protocol.as_ref());
    cp.host_port = host_port(cx, &pp.field("hostPort"), p.host_port);
    cp.host_ip = ip(cx, &pp.field("hostIP"), p.host_ip.as_ref());
    Some(cp)
}

/// One volume mount, v1 or v1beta1: the caller picks the mount path (v1beta1 falls back to its
/// `path` alias) and the sub-path (v1 only). `None` after reporting or dropping it; a missing
/// mount path is reported at `mountPath` for both.
pub(super) fn volume_mount(
    cx: &mut Cx,
    mp: FieldPath,
    name: Option<&Str>,
    mount_path: Option<&str>,
    read_only: Option<bool>,
    sub_path: Option<&str>,
    dropped_volumes: &BTreeSet<String>,
) -> Option<VolumeMount> {
    let Some(vol) = non_empty(name) else {
        required(cx, &mp.field("name"), "a volume name is required");
        return None;
    };
    if dropped_volumes.contains(vol) {
        cx.drop(mp, format!("its volume {vol:?} was dropped"));
        return None;
    }
    let volume = cx.ok(&mp.field("name"), VolumeName::try_from(vol))?;
    let Some(mount_path) = mount_path else {
        required(cx, &mp.field("mountPath"), "a mount path is required");
        return None;
    };
    Some(VolumeMount {
        volume,
        path: mount_path.to_owned(),
        mode: MountMode::from(read_only.unwrap_or(false)),
        sub_path: sub_path.map(str::to_owned),
    })
}
