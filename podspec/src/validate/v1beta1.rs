//! Kubernetes v1beta1 validation: the v1 rules with v1beta1's paths, in both shapes.

use super::k8s::{
    annotations, container_name, container_port, dns_policy, env_name, exec, image,
    image_pull_policy, label, labels, namespace, non_negative, port_or_name, quantity, subdomain,
    volume_mount,
};
use super::{Lazy, Seen, at, blank, duplicate, exactly_one_of, invalid, not_supported, required};
use crate::model::{PodName, VolumeName};
use crate::wire::v1beta1::{Container, LivenessProbe, Pod, Shape, Volume};
use crate::{FieldError, FieldPath};

const RESTART_POLICIES: [&str; 3] = ["Always", "Never", "OnFailure"];
const PULL_POLICIES_2014: [&str; 3] = ["PullAlways", "PullIfNotPresent", "PullNever"];
const PROBE_TYPES: [&str; 3] = ["exec", "http", "tcp"];

/// Validates a Kubernetes v1beta1 pod of either shape (see the [module documentation](super)).
///
/// # Examples
///
/// ```
/// use podspec::{ErrorType, validate::validate_v1beta1, wire::v1beta1::Pod};
/// let pod: Pod = serde_json::from_str(r#"{"id": "p", "desiredState": {"manifest": {
///     "version": "v1beta1", "containers": [{"name": "Master", "image": "redis"}]}}}"#).unwrap();
/// let errs = validate_v1beta1(&pod);
/// assert_eq!(errs[0].field.to_string(), "desiredState.manifest.containers[0].name");
/// assert_eq!(errs[0].kind, ErrorType::Invalid);
/// ```
#[must_use]
pub fn validate_v1beta1(pod: &Pod) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let base = FieldPath::root();
    let root = Lazy::new(&base);
    if let Some(kind) = pod.kind.as_deref().filter(|k| *k != "Pod") {
        errs.push(invalid(root.field("kind"), kind, "must be \"Pod\""));
    }
    match pod.shape() {
        Shape::DesiredState => desired_state(&mut errs, &root, pod),
        Shape::MetadataSpec => metadata_spec(&mut errs, &root, pod),
    }
    errs
}

/// The 2014 shape: Kubernetes' rules, names included.
fn desired_state(errs: &mut Vec<FieldError>, root: &Lazy<'_>, pod: &Pod) {
    let manifest = pod.desired_state.as_ref().and_then(|d| d.manifest.as_ref());
    let manifest_id = manifest.and_then(|m| m.id.as_ref());
    match pod.id.as_deref().filter(|i| !i.is_empty()) {
        Some(id) => subdomain(errs, root.field("id"), id),
        None if blank(manifest_id) => errs.push(required(root.field("id"), "")),
        None => {}
    }
    namespace(errs, root.field("namespace"), pod.namespace.as_deref());
    labels(errs, &root.field("labels"), pod.labels.as_ref());
    annotations(errs, &root.field("annotations"), pod.annotations.as_ref());
    let Some(state) = &pod.desired_state else {
        errs.push(required(root.field("desiredState"), ""));
        return;
    };
    let path_0 = root.field("desiredState");
    let path = path_0.field("manifest");
    let Some(m) = &state.manifest else {
        errs.push(required(path, ""));
        return;
    };
    version(errs, path.field("version"), m.version.as_deref());
    if let Some(id) = m.id.as_deref().filter(|i| !i.is_empty()) {
        subdomain(errs, path.field("id"), id);
    }
    let vols = volumes(
        errs,
        &path.field("volumes"),
        m.volumes.as_deref().unwrap_or(&[]),
        true,
    );
    containers(
        errs,
        &path.field("containers"),
        m.containers.as_deref(),
        &vols,
        true,
    );
    if let Some(r) = &m.restart_policy {
        let set = [
            r.always.is_some(),
            r.on_failure.is_some(),
            r.never.is_some(),
        ];
        if set.iter().filter(|s| **s).count() > 1 {
            errs.push(invalid(
                path.field("restartPolicy"),
                "",
                "may specify at most one of `always`, `onFailure`, `never`",
            ));
        }
    }
    dns_policy(errs, path.field("dnsPolicy"), m.dns_policy.as_deref());
}

/// Hyper's examples' shape: Kubernetes' rules, Hyper's converter's names.
fn metadata_spec(errs: &mut Vec<FieldError>, root: &Lazy<'_>, pod: &Pod) {
    let meta = pod.metadata.clone().unwrap_or_default();
    let mp = root.field("metadata");
    if let Some(name) = meta.name.as_deref().filter(|n| !n.is_empty())
        && let Err(e) = PodName::try_from(name)
    {
        errs.push(at(e, mp.field("name")));
    }
    namespace(errs, mp.field("namespace"), meta.namespace.as_deref());
    labels(errs, &mp.field("labels"), meta.labels.as_ref());
    annotations(errs, &mp.field("annotations"), meta.annotations.as_ref());
    let path = root.field("spec");
    let Some(spec) = &pod.spec else {
        errs.push(required(path, ""));
        return;
    };
    version(errs, path.field("version"), spec.version.as_deref());
    let vols = volumes(
        errs,
        &path.field("volumes"),
        spec.volumes.as_deref().unwrap_or(&[]),
        false,
    );
    containers(
        errs,
        &path.field("containers"),
        spec.containers.as_deref(),
        &vols,
        false,
    );
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
}

fn version(errs: &mut Vec<FieldError>, path: Lazy<'_>, v: Option<&str>) {
    if let Some(v) = v.filter(|v| !v.is_empty() && !v.eq_ignore_ascii_case("v1beta1")) {
        errs.push(not_supported(path, v, &["v1beta1"]));
    }
}

fn volumes<'a>(
    errs: &mut Vec<FieldError>,
    path: &Lazy<'_>,
    vols: &'a [Volume],
    strict: bool,
) -> Seen<&'a str> {
    let mut names = Seen::new();
    for (i, v) in vols.iter().enumerate() {
        let p = path.index(i);
        match v.name.as_deref().filter(|n| !n.is_empty()) {
            None => errs.push(required(p.field("name"), "")),
            Some(n) => {
                let before = errs.len();
                if strict {
                    label(errs, p.field("name"), n);
                } else if let Err(e) = VolumeName::try_from(n) {
                    errs.push(at(e, p.field("name")));
                }
                if !names.insert(n) && errs.len() == before {
                    errs.push(duplicate(p.field("name"), n));
                }
            }
        }
        let sp = p.field("source");
        let Some(src) = &v.source else {
            errs.push(required(sp, "must specify a volume type"));
            continue;
        };
        let sources = [
            ("hostDir", src.host_dir.is_some()),
            ("emptyDir", src.empty_dir.is_some()),
            ("persistentDisk", src.persistent_disk.is_some()),
            ("gitRepo", src.git_repo.is_some()),
        ];
        exactly_one_of(errs, &sp, sources, "volume");
        if let Some(h) = &src.host_dir
            && blank(h.path.as_ref())
        {
            errs.push(required(sp.field("hostDir").field("path"), ""));
        }
    }
    names
}

fn containers(
    errs: &mut Vec<FieldError>,
    path: &Lazy<'_>,
    containers: Option<&[Container]>,
    volumes: &Seen<&str>,
    strict: bool,
) {
    let containers = containers.unwrap_or(&[]);
    if containers.is_empty() {
        errs.push(required(*path, ""));
    }
    let mut names = Seen::new();
    let mut host_ports = Seen::new();
    for (i, c) in containers.iter().enumerate() {
        let p = path.index(i);
        container_name(errs, p.field("name"), c.name.as_deref(), strict, &mut names);
        image(errs, p.field("image"), c.image.as_deref());
        let mut port_names = Seen::new();
        for (k, port_) in c.ports.iter().flatten().enumerate() {
            container_port(
                errs,
                &p.field("ports").index(k),
                port_,
                &mut port_names,
                &mut host_ports,
            );
        }
        for (k, e) in c.env.iter().flatten().enumerate() {
            let ep_0 = p.field("env");
            let ep = ep_0.index(k);
            if !blank(e.name.as_ref()) || blank(e.key.as_ref()) {
                env_name(errs, ep.field("name"), e.name.as_deref());
            } else {
                env_name(errs, ep.field("key"), e.key.as_deref());
            }
        }
        let mut mount_paths = Seen::new();
        for (k, m) in c.volume_mounts.iter().flatten().enumerate() {
            let mount_path = if blank(m.mount_path.as_ref()) && !blank(m.path.as_ref()) {
                ("path", m.path.as_deref())
            } else {
                ("mountPath", m.mount_path.as_deref())
            };
            volume_mount(
                errs,
                &p.field("volumeMounts").index(k),
                m.name.as_deref(),
                mount_path,
                None,
                volumes,
                &mut mount_paths,
            );
        }
        if let Some(q) = &c.memory {
            quantity(errs, p.field("memory"), "memory", q);
        }
        if let Some(q) = &c.cpu {
            quantity(errs, p.field("cpu"), "cpu", q);
        }
        image_pull_policy(
            errs,
            p.field("imagePullPolicy"),
            c.image_pull_policy.as_deref(),
            &PULL_POLICIES_2014,
        );
        if let Some(probe) = &c.liveness_probe {
            liveness(errs, &p.field("livenessProbe"), probe);
        }
    }
}

fn liveness(errs: &mut Vec<FieldError>, path: &Lazy<'_>, probe: &LivenessProbe) {
    if let Some(t) = probe.r#type.as_deref().filter(|t| !t.is_empty())
        && !PROBE_TYPES.contains(&t)
    {
        errs.push(not_supported(path.field("type"), t, &PROBE_TYPES));
    }
    let handlers = [
        ("exec", probe.exec.is_some()),
        ("httpGet", probe.http_get.is_some()),
        ("tcpSocket", probe.tcp_socket.is_some()),
    ];
    if exactly_one_of(errs, path, handlers, "handler") {
        if let Some(e) = &probe.exec {
            exec(errs, path, e);
        }
        if let Some(g) = &probe.http_get {
            port_or_name(errs, path.field("httpGet").field("port"), g.port.as_ref());
        }
        if let Some(t) = &probe.tcp_socket {
            port_or_name(errs, path.field("tcpSocket").field("port"), t.port.as_ref());
        }
    }
    non_negative(
        errs,
        path,
        [
            ("initialDelaySeconds", probe.initial_delay_seconds),
            ("timeoutSeconds", probe.timeout_seconds),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorType;

    fn errors(json: &str) -> Vec<(String, ErrorType)> {
        let pod: Pod = serde_json::from_str(json).unwrap();
        validate_v1beta1(&pod)
            .into_iter()
            .map(|e| (e.field.to_string(), e.kind))
            .collect()
    }

    fn manifest(body: &str) -> String {
        format!(
            r#"{{"id": "p", "desiredState": {{"manifest": {{"version": "v1beta1", {body}}}}}}}"#
        )
    }

    fn hyper_shape(spec: &str) -> String {
        format!(
            r#"{{"apiVersion": "V1beta1", "kind": "Pod", "metadata": {{"name": "test-k8s-restartPolicy"}}, "spec": {spec}}}"#
        )
    }

    #[test]
    fn the_2014_example_is_valid() {
        let json = manifest(
            r#""containers": [{"name": "master", "image": "busybox", "env": [{"key": "K", "value": "v"}],
               "ports": [{"containerPort": 6379, "hostPort": 6379}]}], "restartPolicy": {"onFailure": {}}"#,
        );
        assert_eq!(errors(&json), vec![]);
    }

    #[test]
    fn hyper_shape_accepts_hypers_names() {
        let json = hyper_shape(
            r#"{"version": "V1beta1", "id": "Ubuntu-Pod", "containers": [{"name": "Ubuntu-1", "image": "busybox",
               "args": ["sleep", "3"]}], "restartPolicy": "Never"}"#,
        );
        assert_eq!(errors(&json), vec![]);
    }

    #[test]
    fn hyper_shape_still_rejects_names_the_model_cannot_hold() {
        let json = r#"{"metadata": {"name": "a/b"}, "spec": {"containers": [{"name": "bad name", "image": "i"}]}}"#;
        assert_eq!(
            errors(json),
            [
                ("metadata.name".into(), ErrorType::Invalid),
                ("spec.containers[0].name".into(), ErrorType::Invalid)
            ]
        );
    }

    #[test]
    fn hyper_shape_name_is_optional() {
        let json = r#"{"spec": {"containers": [{"name": "c", "image": "i"}]}}"#;
        assert_eq!(errors(json), vec![]);
    }

    #[test]
    fn id_is_required_in_the_2014_shape() {
        let json =
            r#"{"desiredState": {"manifest": {"containers": [{"name": "c", "image": "i"}]}}}"#;
        assert_eq!(errors(json), [("id".into(), ErrorType::Required)]);
        let json = r#"{"desiredState": {"manifest": {"id": "m", "containers": [{"name": "c", "image": "i"}]}}}"#;
        assert_eq!(errors(json), vec![]);
    }

    #[test]
    fn desired_state_and_manifest_are_required() {
        assert_eq!(
            errors(r#"{"id": "p"}"#),
            [("desiredState".into(), ErrorType::Required)]
        );
        assert_eq!(
            errors(r#"{"id": "p", "desiredState": {}}"#),
            [("desiredState.manifest".into(), ErrorType::Required)]
        );
    }

    #[test]
    fn container_rules_use_manifest_paths() {
        let json = manifest(
            r#""containers": [{"name": "Master", "image": ""}, {"name": "b", "image": "i"}, {"name": "b", "image": "i",
               "env": [{"value": "x"}], "volumeMounts": [{"name": "v", "path": "/d"}], "memory": "lots", "cpu": "-1",
               "imagePullPolicy": "PullSometimes"}]"#,
        );
        assert_eq!(
            errors(&json),
            [
                (
                    "desiredState.manifest.containers[0].name".into(),
                    ErrorType::Invalid
                ),
                (
                    "desiredState.manifest.containers[0].image".into(),
                    ErrorType::Required
                ),
                (
                    "desiredState.manifest.containers[2].name".into(),
                    ErrorType::Duplicate
                ),
                (
                    "desiredState.manifest.containers[2].env[0].name".into(),
                    ErrorType::Required
                ),
                (
                    "desiredState.manifest.containers[2].volumeMounts[0].name".into(),
                    ErrorType::NotFound
                ),
                (
                    "desiredState.manifest.containers[2].memory".into(),
                    ErrorType::Invalid
                ),
                (
                    "desiredState.manifest.containers[2].cpu".into(),
                    ErrorType::Invalid
                ),
                (
                    "desiredState.manifest.containers[2].imagePullPolicy".into(),
                    ErrorType::NotSupported
                )
            ]
        );
    }

    #[test]
    fn mount_path_alias_and_2014_pull_policies_are_accepted() {
        let json = manifest(
            r#""volumes": [{"name": "v", "source": {"hostDir": {"path": "/srv"}}}],
               "containers": [{"name": "c", "image": "i", "imagePullPolicy": "PullIfNotPresent",
               "volumeMounts": [{"name": "v", "path": "/d"}, {"name": "v"}]}]"#,
        );
        assert_eq!(
            errors(&json),
            [(
                "desiredState.manifest.containers[0].volumeMounts[1].mountPath".into(),
                ErrorType::Required
            )]
        );
    }

    #[test]
    fn volume_sources_exactly_one() {
        let json = manifest(
            r#""volumes": [{"name": "a"}, {"name": "b", "source": {}}, {"name": "c", "source": {"hostDir": {}, "emptyDir": {}}},
               {"name": "a", "source": {"emptyDir": {}}}], "containers": [{"name": "c", "image": "i"}]"#,
        );
        assert_eq!(
            errors(&json),
            [
                (
                    "desiredState.manifest.volumes[0].source".into(),
                    ErrorType::Required
                ),
                (
                    "desiredState.manifest.volumes[1].source".into(),
                    ErrorType::Required
                ),
                (
                    "desiredState.manifest.volumes[2].source.emptyDir".into(),
                    ErrorType::Forbidden
                ),
                (
                    "desiredState.manifest.volumes[2].source.hostDir.path".into(),
                    ErrorType::Required
                ),
                (
                    "desiredState.manifest.volumes[3].name".into(),
                    ErrorType::Duplicate
                )
            ]
        );
    }

    #[test]
    fn object_restart_policy_has_at_most_one_key() {
        let json = manifest(
            r#""containers": [{"name": "c", "image": "i"}], "restartPolicy": {"always": {}, "never": {}}"#,
        );
        assert_eq!(
            errors(&json),
            [(
                "desiredState.manifest.restartPolicy".into(),
                ErrorType::Invalid
            )]
        );
        let json = manifest(r#""containers": [{"name": "c", "image": "i"}], "restartPolicy": {}"#);
        assert_eq!(errors(&json), vec![]);
    }

    #[test]
    fn string_restart_policy_uses_kubernetes_spellings() {
        let json = hyper_shape(
            r#"{"containers": [{"name": "c", "image": "i"}], "restartPolicy": "never"}"#,
        );
        assert_eq!(
            errors(&json),
            [("spec.restartPolicy".into(), ErrorType::NotSupported)]
        );
    }

    #[test]
    fn version_must_be_v1beta1() {
        let json = r#"{"id": "p", "desiredState": {"manifest": {"version": "v1", "containers": [{"name": "c", "image": "i"}]}}}"#;
        assert_eq!(
            errors(json),
            [(
                "desiredState.manifest.version".into(),
                ErrorType::NotSupported
            )]
        );
    }

    #[test]
    fn liveness_probe_type_handlers_and_numbers() {
        let json = manifest(
            r#""containers": [{"name": "c", "image": "i", "livenessProbe": {"type": "grpc", "httpGet": {"port": 0},
               "initialDelaySeconds": -1}}, {"name": "d", "image": "i", "livenessProbe": {"exec": {}, "tcpSocket": {"port": 1}}}]"#,
        );
        assert_eq!(
            errors(&json),
            [
                (
                    "desiredState.manifest.containers[0].livenessProbe.type".into(),
                    ErrorType::NotSupported
                ),
                (
                    "desiredState.manifest.containers[0].livenessProbe.httpGet.port".into(),
                    ErrorType::Invalid
                ),
                (
                    "desiredState.manifest.containers[0].livenessProbe.initialDelaySeconds".into(),
                    ErrorType::Invalid
                ),
                (
                    "desiredState.manifest.containers[1].livenessProbe.tcpSocket".into(),
                    ErrorType::Forbidden
                )
            ]
        );
    }

    #[test]
    fn liveness_exec_needs_a_command_at_the_2014_path() {
        let json = manifest(
            r#""containers": [{"name": "c", "image": "i", "livenessProbe": {"exec": {"command": []}}}]"#,
        );
        assert_eq!(
            errors(&json),
            [(
                "desiredState.manifest.containers[0].livenessProbe.exec.command".into(),
                ErrorType::Required
            )]
        );
    }

    #[test]
    fn labels_namespace_and_host_ports_use_2014_paths() {
        let json = r#"{"id": "p", "namespace": "NS", "labels": {"k": "bad value"}, "desiredState": {"manifest": {
            "containers": [{"name": "a", "image": "i", "ports": [{"containerPort": 1, "hostPort": 80}]},
                           {"name": "b", "image": "i", "ports": [{"containerPort": 1, "hostPort": 80}]}]}}}"#;
        assert_eq!(
            errors(json),
            [
                ("namespace".into(), ErrorType::Invalid),
                ("labels[k]".into(), ErrorType::Invalid),
                (
                    "desiredState.manifest.containers[1].ports[0].hostPort".into(),
                    ErrorType::Duplicate
                )
            ]
        );
    }
}
