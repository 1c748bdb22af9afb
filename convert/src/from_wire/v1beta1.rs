//! Kubernetes v1beta1 pods (both shapes) to the domain model.

use std::collections::BTreeSet;
use std::time::Duration;

use podspec::model::{
    Container, DnsPolicy, HttpGet, HttpSuccess, Image, MilliCpu, Pod, PodName, Probe, ProbeHandler,
    RestartPolicy, Source, StorageMedium, Volume, VolumeName, VolumeSource,
};
use podspec::wire::Str;
use podspec::wire::v1beta1::{self, Shape};
use podspec::{FieldPath, Format};

use super::common::{
    container_name, cpu, image, invalid, list, literal_env, memory, non_empty, port_ref, required,
    restart_policy, seconds_or, string_map,
};
use super::k8s::{container_port, volume_mount};
use crate::converted::Cx;
use crate::{Converted, Error, Options, vm_resources};

/// A Kubernetes v1beta1 pod, in either shape, in the domain model (the mapping table is in
/// [`super`]'s doc).
///
/// Hyper's converter read the `metadata`/`spec` shape with a string `restartPolicy` and turned
/// everything but `Always`, `OnFailure` and `Never` (an omitted policy included) into `never`,
/// failed on the 2014 object form (`{"onFailure": {}}`), and crashed on some fields
/// (spec/hyper.md section 2.2). We do what Kubernetes means instead: an omitted policy is
/// `Always`, the object form maps its one key (no key is `Always`), and an unknown policy is an
/// error, not `never`. The pod name is `metadata.name` (or `id` in the 2014 shape); as in
/// Hyper's converter, `spec.id` is ignored (and reported), and a `metadata`/`spec` document
/// without a name is named `default` unless the caller gives one.
///
/// # Errors
///
/// [`Error::Invalid`] with every value the model cannot hold, at its path in the document.
///
/// # Examples
///
/// ```
/// use podspec::{model::RestartPolicy, wire::Document};
/// let doc = podspec::parse(r#"{"id": "redis", "kind": "Pod", "apiVersion": "v1beta1",
///     "desiredState": {"manifest": {"version": "v1beta1",
///         "containers": [{"name": "master", "image": "busybox", "cpu": 500, "memory": 268435456}],
///         "restartPolicy": {"onFailure": {}}}}}"#, None).unwrap().document;
/// let Document::K8sV1beta1(p) = &doc else { panic!() };
/// let pod = convert::from_v1beta1(p, &convert::Options::default()).unwrap().value;
/// assert_eq!(pod.restart_policy, RestartPolicy::OnFailure);
/// assert_eq!(pod.resources.vcpus.get(), 1);    // 500 millicores
/// assert_eq!(pod.resources.memory.get(), 256); // 268435456 bytes
/// ```
pub fn from_v1beta1(doc: &v1beta1::Pod, options: &Options) -> Result<Converted<Pod>, Error> {
    let mut cx = Cx::default();
    let root = FieldPath::root();
    let default_name = || PodName::try_from("default").expect("a valid name");
    let pod = match doc.shape() {
        Shape::MetadataSpec => {
            for (field, set) in [
                ("id", doc.id.is_some()),
                ("labels", doc.labels.is_some()),
                ("namespace", doc.namespace.is_some()),
                ("annotations", doc.annotations.is_some()),
            ] {
                if set {
                    cx.drop(
                        root.field(field),
                        "this document has the metadata/spec shape; the pod's metadata is `metadata`",
                    );
                }
            }
            let meta = doc.metadata.clone().unwrap_or_default();
            let name_path = root.field("metadata").field("name");
            let name = match non_empty(meta.name.as_ref()) {
                Some(n) => cx
                    .ok(&name_path, PodName::try_from(n))
                    .unwrap_or_else(default_name),
                None => options.name.clone().unwrap_or_else(default_name),
            };
            let mut pod = Pod::new(name, Source::new(Format::K8sV1beta1));
            if let Some(ns) = non_empty(meta.namespace.as_ref()) {
                ns.clone_into(&mut pod.namespace);
            }
            pod.labels = string_map(meta.labels.as_ref());
            pod.annotations = string_map(meta.annotations.as_ref());
            match &doc.spec {
                None => required(&mut cx, &root.field("spec"), "a pod spec is required"),
                Some(spec) => {
                    let sp = root.field("spec");
                    if non_empty(spec.id.as_ref()).is_some() {
                        cx.drop(
                            sp.field("id"),
                            "ignored, as Hyper's converter ignored it: the pod's name is metadata.name",
                        );
                    }
                    let body = Body {
                        containers: spec.containers.as_deref(),
                        volumes: spec.volumes.as_deref(),
                        dns_policy: spec.dns_policy.as_ref(),
                    };
                    fill(&mut cx, &sp, &body, &mut pod);
                    pod.restart_policy = restart_policy(
                        &mut cx,
                        &sp.field("restartPolicy"),
                        spec.restart_policy.as_ref(),
                        RestartPolicy::Always,
                    );
                }
            }
            pod
        }
        Shape::DesiredState => {
            let manifest = doc.desired_state.as_ref().and_then(|d| d.manifest.as_ref());
            let mp = root.field("desiredState").field("manifest");
            let name = if let Some(id) = non_empty(doc.id.as_ref()) {
                cx.ok(&root.field("id"), PodName::try_from(id))
            } else if let Some(id) = manifest.and_then(|m| non_empty(m.id.as_ref())) {
                cx.ok(&mp.field("id"), PodName::try_from(id))
            } else if let Some(n) = &options.name {
                Some(n.clone())
            } else {
                required(&mut cx, &root.field("id"), "a pod id is required");
                None
            };
            let mut pod = Pod::new(
                name.unwrap_or_else(default_name),
                Source::new(Format::K8sV1beta1),
            );
            if let Some(ns) = non_empty(doc.namespace.as_ref()) {
                ns.clone_into(&mut pod.namespace);
            }
            pod.labels = string_map(doc.labels.as_ref());
            pod.annotations = string_map(doc.annotations.as_ref());
            if doc.current_state.is_some() {
                cx.drop(
                    root.field("currentState"),
                    "a file's state is not the pod's; the runtime reports its own",
                );
            }
            if doc
                .desired_state
                .as_ref()
                .is_some_and(|d| non_empty(d.host.as_ref()).is_some())
            {
                cx.drop(
                    root.field("desiredState").field("host"),
                    "the pod runs where vmm-ref runs",
                );
            }
            match manifest {
                None => required(&mut cx, &mp, "a manifest is required"),
                Some(m) => {
                    if non_empty(m.uuid.as_ref()).is_some() {
                        cx.drop(mp.field("uuid"), "the runtime gives the pod its own id");
                    }
                    let body = Body {
                        containers: m.containers.as_deref(),
                        volumes: m.volumes.as_deref(),
                        dns_policy: m.dns_policy.as_ref(),
                    };
                    fill(&mut cx, &mp, &body, &mut pod);
                    pod.restart_policy = restart_object(
                        &mut cx,
                        &mp.field("restartPolicy"),
                        m.restart_policy.as_ref(),
                    );
                }
            }
            pod
        }
    };
    let mut pod = pod;
    pod.resources = vm_resources(&pod.init_containers, &pod.containers);
    cx.finish(pod)
}

/// The parts both shapes share.
struct Body<'a> {
    containers: Option<&'a [v1beta1::Container]>,
    volumes: Option<&'a [v1beta1::Volume]>,
    dns_policy: Option<&'a Str>,
}

fn fill(cx: &mut Cx, path: &FieldPath, body: &Body<'_>, pod: &mut Pod) {
    let mut dropped = BTreeSet::new();
    for (i, v) in body.volumes.unwrap_or_default().iter().enumerate() {
        let vp = path.field("volumes").index(i);
        let Some(name) = non_empty(v.name.as_ref()) else {
            required(cx, &vp.field("name"), "a volume name is required");
            continue;
        };
        let Some(vname) = cx.ok(&vp.field("name"), VolumeName::try_from(name)) else {
            continue;
        };
        let src = v.source.clone().unwrap_or_default();
        let sp = vp.field("source");
        let unsupported = [
            ("persistentDisk", src.persistent_disk.is_some()),
            ("gitRepo", src.git_repo.is_some()),
        ];
        if let Some((kind, _)) = unsupported.iter().find(|(_, s)| *s) {
            cx.drop(
                sp.field(*kind),
                format!("vmm-ref cannot provide a {kind} volume; the volume {name:?} and its mounts are dropped"),
            );
            dropped.insert(name.to_owned());
            continue;
        }
        // No source (or an emptyDir) is an empty directory, as v1beta1 said.
        let source = match src.host_dir.as_ref().map(|h| non_empty(h.path.as_ref())) {
            Some(Some(p)) => VolumeSource::HostPath { path: p.to_owned() },
            Some(None) => {
                required(
                    cx,
                    &sp.field("hostDir").field("path"),
                    "a host path is required",
                );
                continue;
            }
            None => VolumeSource::EmptyDir {
                medium: StorageMedium::Disk,
                size_limit: None,
            },
        };
        pod.volumes.push(Volume::new(vname, source));
    }
    for (i, c) in body.containers.unwrap_or_default().iter().enumerate() {
        if let Some(c) = container(cx, &path.field("containers").index(i), c, &dropped) {
            pod.containers.push(c);
        }
    }
    if let Some(p) = non_empty(body.dns_policy) {
        pod.dns.policy = cx
            .ok(&path.field("dnsPolicy"), p.parse::<DnsPolicy>())
            .unwrap_or_default();
    }
}

/// The 2014 object form: the one key present; none (or no object) is `Always`.
fn restart_object(
    cx: &mut Cx,
    path: &FieldPath,
    r: Option<&v1beta1::RestartPolicyObject>,
) -> RestartPolicy {
    let Some(r) = r else {
        return RestartPolicy::Always;
    };
    let set: Vec<(&str, RestartPolicy)> = [
        ("always", r.always.is_some(), RestartPolicy::Always),
        (
            "onFailure",
            r.on_failure.is_some(),
            RestartPolicy::OnFailure,
        ),
        ("never", r.never.is_some(), RestartPolicy::Never),
    ]
    .into_iter()
    .filter(|(_, s, _)| *s)
    .map(|(n, _, p)| (n, p))
    .collect();
    match set.as_slice() {
        [] => RestartPolicy::Always,
        [(_, p)] => *p,
        many => {
            let names: Vec<&str> = many.iter().map(|(n, _)| *n).collect();
            invalid(
                cx,
                path,
                names.join(", "),
                "may specify only one restart policy",
            );
            RestartPolicy::Always
        }
    }
}

/// A v1beta1 CPU amount: a bare integer is millicores (2014's `cpu` field); anything else is
/// a quantity in CPUs.
fn v1beta1_cpu(cx: &mut Cx, path: &FieldPath, q: &str) -> Option<MilliCpu> {
    if !q.is_empty() && q.bytes().all(|b| b.is_ascii_digit()) {
        match q.parse::<u64>() {
            Ok(n) => return Some(MilliCpu::from_millis(n)),
            Err(_) => {
                invalid(cx, path, q, "is too large");
                return None;
            }
        }
    }
    cpu(cx, path, q)
}

fn container(
    cx: &mut Cx,
    path: &FieldPath,
    c: &v1beta1::Container,
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
        let ep = path.field("env").index(k);
        // `key` is the old name of `name`.
        let (name, np) = match (&e.name, &e.key) {
            (Some(n), _) if !n.is_empty() => (Some(n), ep.field("name")),
            (_, Some(k)) => (Some(k), ep.field("key")),
            _ => (None, ep.field("name")),
        };
        if let Some(v) = literal_env(cx, &np, name, e.value.as_ref()) {
            out.env.push(v);
        }
    }
    for (k, p) in c.ports.iter().flatten().enumerate() {
        let pp = path.field("ports").index(k);
        out.ports.extend(container_port(cx, &pp, p));
    }
    for (k, m) in c.volume_mounts.iter().flatten().enumerate() {
        let mp = path.field("volumeMounts").index(k);
        // `path` is the old name of `mountPath`; 2014 had no `subPath`.
        let mount_path = non_empty(m.mount_path.as_ref()).or(non_empty(m.path.as_ref()));
        let (name, read_only) = (m.name.as_ref(), m.read_only);
        let mount = volume_mount(cx, mp, name, mount_path, read_only, None, dropped_volumes);
        out.volume_mounts.extend(mount);
    }
    if let Some(q) = &c.memory {
        out.resources.limits.memory = memory(cx, &path.field("memory"), q.as_str());
    }
    if let Some(q) = &c.cpu {
        out.resources.limits.cpu = v1beta1_cpu(cx, &path.field("cpu"), q.as_str());
    }
    if let Some(p) = &c.liveness_probe {
        out.liveness_probe = liveness(cx, &path.field("livenessProbe"), p);
    }
    if non_empty(c.image_pull_policy.as_ref()).is_some() {
        cx.drop(
            path.field("imagePullPolicy"),
            "images come from vmm-ref's local image store; nothing is pulled",
        );
    }
    Some(out)
}

/// A v1beta1 liveness probe: `type` (`http`, `tcp`, `exec`) names the handler when given;
/// the numbers it lacks take Kubernetes' defaults.
fn liveness(cx: &mut Cx, path: &FieldPath, p: &v1beta1::LivenessProbe) -> Option<Probe> {
    let kind = match non_empty(p.r#type.as_ref()) {
        Some(t) => match t.to_ascii_lowercase().as_str() {
            "http" => "httpGet",
            "tcp" => "tcpSocket",
            "exec" => "exec",
            _ => {
                cx.error(
                    &path.field("type"),
                    podspec::FieldError::new(
                        FieldPath::root(),
                        podspec::ErrorType::NotSupported,
                        "supported values: \"http\", \"tcp\", \"exec\"",
                    )
                    .with_value(t),
                );
                return None;
            }
        },
        None => match (&p.http_get, &p.tcp_socket, &p.exec) {
            (Some(_), None, None) => "httpGet",
            (None, Some(_), None) => "tcpSocket",
            (None, None, Some(_)) => "exec",
            (None, None, None) => {
                required(cx, path, "must specify a handler type");
                return None;
            }
            _ => {
                invalid(cx, path, "", "may not specify more than 1 handler type");
                return None;
            }
        },
    };
    let handler = match kind {
        "httpGet" => {
            let Some(h) = &p.http_get else {
                required(cx, &path.field("httpGet"), "the probe's type is http");
                return None;
            };
            let hp = path.field("httpGet");
            let port = port_ref(cx, &hp.field("port"), h.port.as_ref())?;
            let mut g = HttpGet::new(port, non_empty(h.path.as_ref()).unwrap_or("/"));
            g.host = non_empty(h.host.as_ref()).map(str::to_owned);
            g.success = HttpSuccess::Below400;
            ProbeHandler::HttpGet(g)
        }
        "tcpSocket" => {
            let Some(t) = &p.tcp_socket else {
                required(cx, &path.field("tcpSocket"), "the probe's type is tcp");
                return None;
            };
            ProbeHandler::TcpSocket {
                host: None,
                port: port_ref(cx, &path.field("tcpSocket").field("port"), t.port.as_ref())?,
            }
        }
        _ => {
            let Some(e) = &p.exec else {
                required(cx, &path.field("exec"), "the probe's type is exec");
                return None;
            };
            ProbeHandler::Exec {
                command: list(e.command.as_ref()),
            }
        }
    };
    let mut out = Probe::new(handler);
    out.initial_delay = seconds_or(
        cx,
        &path.field("initialDelaySeconds"),
        p.initial_delay_seconds,
        Duration::ZERO,
    );
    out.timeout = seconds_or(
        cx,
        &path.field("timeoutSeconds"),
        p.timeout_seconds,
        podspec::model::probe_defaults::TIMEOUT,
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use podspec::model::MountMode;

    #[test]
    fn restart_object_table() {
        let e = Some(v1beta1::Empty {});
        let obj = |a, o, n| v1beta1::RestartPolicyObject {
            always: a,
            on_failure: o,
            never: n,
        };
        let cases = [
            (None, Some(RestartPolicy::Always)),
            (Some(obj(None, None, None)), Some(RestartPolicy::Always)),
            (Some(obj(e, None, None)), Some(RestartPolicy::Always)),
            (Some(obj(None, e, None)), Some(RestartPolicy::OnFailure)),
            (Some(obj(None, None, e)), Some(RestartPolicy::Never)),
            (Some(obj(e, None, e)), None),
        ];
        for (input, want) in cases {
            let mut cx = Cx::default();
            let got = restart_object(&mut cx, &FieldPath::root(), input.as_ref());
            match want {
                Some(p) => {
                    assert_eq!(got, p, "{input:?}");
                    assert!(cx.finish(()).is_ok());
                }
                None => assert!(cx.finish(()).is_err(), "{input:?}"),
            }
        }
    }

    #[test]
    fn mount_path_falls_back_to_path_and_errors_name_the_2014_paths() {
        let doc = |mounts: &str| -> v1beta1::Pod {
            serde_json::from_str(&format!(
                r#"{{"id": "p", "desiredState": {{"manifest": {{"version": "v1beta1",
                "volumes": [{{"name": "d", "source": {{"emptyDir": {{}}}}}}],
                "containers": [{{"name": "c", "image": "i", "volumeMounts": {mounts}}}]}}}}}}"#
            ))
            .unwrap()
        };
        let ok = from_v1beta1(
            &doc(r#"[{"name": "d", "path": "/d", "readOnly": true}]"#),
            &Options::default(),
        )
        .unwrap();
        let m = &ok.value.containers[0].volume_mounts[0];
        assert_eq!(
            (m.path.as_str(), m.mode, m.sub_path.as_deref()),
            ("/d", MountMode::ReadOnly, None)
        );
        let err = from_v1beta1(&doc(r#"[{"name": "d"}]"#), &Options::default()).unwrap_err();
        let fields: Vec<_> = err
            .field_errors()
            .iter()
            .map(|e| e.field.to_string())
            .collect();
        assert_eq!(
            fields,
            ["desiredState.manifest.containers[0].volumeMounts[0].mountPath"]
        );
    }

    #[test]
    fn bare_cpu_numbers_are_millicores_quantities_are_cpus() {
        let mut cx = Cx::default();
        let p = FieldPath::root();
        assert_eq!(v1beta1_cpu(&mut cx, &p, "250").unwrap().millis(), 250);
        assert_eq!(v1beta1_cpu(&mut cx, &p, "0.5").unwrap().millis(), 500);
        assert_eq!(v1beta1_cpu(&mut cx, &p, "2").unwrap().millis(), 2);
        assert_eq!(v1beta1_cpu(&mut cx, &p, "1500m").unwrap().millis(), 1500);
        assert!(v1beta1_cpu(&mut cx, &p, "lots").is_none());
    }
}
