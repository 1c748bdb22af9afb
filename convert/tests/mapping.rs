//! Table tests, one table per mapping rule of `convert::from_wire` and `convert::to_wire`.

use std::time::Duration;

use convert::{Converted, Error, Options};
use podspec::model::*;

fn conv(text: &str) -> Result<Converted<Pod>, Error> {
    conv_with(text, &Options::default())
}

fn conv_with(text: &str, options: &Options) -> Result<Converted<Pod>, Error> {
    let doc = podspec::parse(text, None).expect("parses").document;
    convert::to_domain(&doc, options)
}

fn pod(text: &str) -> Pod {
    match conv(text) {
        Ok(c) => c.value,
        Err(e) => panic!("{text}: {e}"),
    }
}

fn dropped(text: &str) -> Vec<String> {
    conv(text)
        .unwrap()
        .dropped
        .iter()
        .map(|d| d.field.to_string())
        .collect()
}

fn error_paths(text: &str) -> Vec<String> {
    match conv(text) {
        Err(Error::Invalid(errs)) => errs.iter().map(|e| e.field.to_string()).collect(),
        other => panic!("{text}: expected errors, got {other:?}"),
    }
}

fn k8s(spec: &str) -> String {
    format!(r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "p"}}, "spec": {spec}}}"#)
}

fn k8s_container(fields: &str) -> String {
    k8s(&format!(
        r#"{{"containers": [{{"name": "c", "image": "busybox"{fields}}}]}}"#
    ))
}

fn hyper_container(fields: &str) -> String {
    format!(r#"{{"id": "p", "containers": [{{"name": "c", "image": "busybox"{fields}}}]}}"#)
}

fn beta_spec(spec_fields: &str) -> String {
    format!(
        r#"{{"apiVersion": "V1beta1", "kind": "Pod", "metadata": {{"name": "p"}},
        "spec": {{"containers": [{{"name": "c", "image": "busybox"}}]{spec_fields}}}}}"#
    )
}

fn beta_2014(manifest_fields: &str) -> String {
    format!(
        r#"{{"id": "p", "kind": "Pod", "apiVersion": "v1beta1", "desiredState": {{"manifest": {{
        "version": "v1beta1", "containers": [{{"name": "c", "image": "busybox"}}]{manifest_fields}}}}}}}"#
    )
}

const PODCTL: &str = r#"{"containers": [{"name": "c", "spec": {"process": {"args": ["true"]}}}]}"#;

fn v(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| (*x).to_owned()).collect()
}

/// DESIGN.md: Kubernetes without restartPolicy is Always, Hyper without is Never (and
/// pod-controller, which never restarts, Never).
#[test]
fn restart_policy_default_by_format() {
    let cases = [
        ("k8s", k8s_container(""), RestartPolicy::Always),
        (
            "v1beta1 metadata/spec",
            beta_spec(""),
            RestartPolicy::Always,
        ),
        ("v1beta1 2014", beta_2014(""), RestartPolicy::Always),
        ("hyper", hyper_container(""), RestartPolicy::Never),
        ("pod-controller", PODCTL.to_owned(), RestartPolicy::Never),
    ];
    for (format, text, want) in cases {
        assert_eq!(pod(&text).restart_policy, want, "{format}");
    }
}

/// Each format's spellings; where Hyper's converter turned anything unknown into `never`, an
/// unknown policy is an error.
#[test]
fn restart_policy_values() {
    let rp = |p: &str| format!(r#", "restartPolicy": {p}"#);
    let cases: Vec<(String, Option<RestartPolicy>)> = vec![
        (
            k8s(r#"{"containers": [{"name": "c", "image": "b"}], "restartPolicy": "OnFailure"}"#),
            Some(RestartPolicy::OnFailure),
        ),
        (
            k8s(r#"{"containers": [{"name": "c", "image": "b"}], "restartPolicy": "Never"}"#),
            Some(RestartPolicy::Never),
        ),
        (
            k8s(r#"{"containers": [{"name": "c", "image": "b"}], "restartPolicy": ""}"#),
            Some(RestartPolicy::Always),
        ),
        (
            k8s(r#"{"containers": [{"name": "c", "image": "b"}], "restartPolicy": "Sometimes"}"#),
            None,
        ),
        (beta_spec(&rp(r#""Never""#)), Some(RestartPolicy::Never)),
        (beta_spec(&rp(r#""never""#)), Some(RestartPolicy::Never)), // Hyper's tomcat example
        (
            beta_spec(&rp(r#""onFailure""#)),
            Some(RestartPolicy::OnFailure),
        ),
        (beta_spec(&rp(r#""ALWAYS""#)), None), // Hyper: never
        (
            beta_2014(&rp(r#"{"always": {}}"#)),
            Some(RestartPolicy::Always),
        ),
        (
            beta_2014(&rp(r#"{"onFailure": {}}"#)),
            Some(RestartPolicy::OnFailure),
        ),
        (
            beta_2014(&rp(r#"{"never": {}}"#)),
            Some(RestartPolicy::Never),
        ),
        (beta_2014(&rp("{}")), Some(RestartPolicy::Always)),
        (beta_2014(&rp(r#"{"always": {}, "never": {}}"#)), None),
        (
            r#"{"id": "p", "restartPolicy": "always"}"#.to_owned(),
            Some(RestartPolicy::Always),
        ),
        (
            r#"{"id": "p", "RestartPolicy": "onFailure"}"#.to_owned(),
            Some(RestartPolicy::OnFailure),
        ),
        (
            r#"{"id": "p", "restartPolicy": "sometimes"}"#.to_owned(),
            None,
        ),
    ];
    for (text, want) in cases {
        match want {
            Some(p) => assert_eq!(pod(&text).restart_policy, p, "{text}"),
            None => assert!(conv(&text).is_err(), "{text}"),
        }
    }
}

/// Kubernetes' `command` replaces ENTRYPOINT and `args` replaces CMD; Hyper's names are
/// Docker's.
#[test]
fn command_and_args() {
    type Row = (
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    );
    let rows: [Row; 4] = [
        ("", "", &[], &[]),
        (
            r#", "command": ["/ep"]"#,
            r#", "entrypoint": ["/ep"]"#,
            &["/ep"],
            &[],
        ),
        (
            r#", "args": ["a", "b"]"#,
            r#", "command": ["a", "b"]"#,
            &[],
            &["a", "b"],
        ),
        (
            r#", "command": ["/ep"], "args": ["a"]"#,
            r#", "entrypoint": ["/ep"], "command": ["a"]"#,
            &["/ep"],
            &["a"],
        ),
    ];
    for (k8s_fields, hyper_fields, entrypoint, command) in rows {
        for text in [k8s_container(k8s_fields), hyper_container(hyper_fields)] {
            let c = &pod(&text).containers[0];
            assert_eq!(
                (c.entrypoint.clone(), c.command.clone()),
                (v(entrypoint), v(command)),
                "{text}"
            );
        }
    }
}

/// Quantities to the VM's size, summed over containers.
#[test]
fn resources_from_quantities() {
    let two = |a: &str, b: &str| {
        k8s(&format!(
            r#"{{"containers": [
                {{"name": "a", "image": "b", "resources": {{"limits": {a}}}}},
                {{"name": "b", "image": "b", "resources": {{"limits": {b}}}}}]}}"#
        ))
    };
    let cases = [
        (two(r#"{"cpu": "1500m"}"#, "{}"), (2, 128)),
        (two(r#"{"cpu": "500m"}"#, r#"{"cpu": "500m"}"#), (1, 128)),
        (two(r#"{"cpu": "500m"}"#, r#"{"cpu": "501m"}"#), (2, 128)),
        (two(r#"{"cpu": 2}"#, r#"{"cpu": "0.5"}"#), (3, 128)),
        (two(r#"{"memory": "256Mi"}"#, "{}"), (1, 256)),
        (
            two(r#"{"memory": "1Gi"}"#, r#"{"memory": "64Mi"}"#),
            (1, 1088),
        ),
        (two(r#"{"memory": "100M"}"#, "{}"), (1, 96)), // 100e6 bytes round up to 96 MiB
        (two("{}", "{}"), (1, 128)),
        (
            beta_2014("").replace(
                r#""image": "busybox""#,
                r#""image": "busybox", "cpu": 1500, "memory": "64Mi""#,
            ),
            (2, 64),
        ),
        (
            r#"{"id": "p", "resource": {"vcpu": 4, "memory": 2048}}"#.to_owned(),
            (4, 2048),
        ),
        (
            r#"{"id": "p", "resource": {"vcpu": 0, "memory": 0}}"#.to_owned(),
            (1, 128),
        ),
        (r#"{"id": "p"}"#.to_owned(), (1, 128)),
    ];
    for (text, want) in cases {
        let r = pod(&text).resources;
        assert_eq!((r.vcpus.get(), r.memory.get()), want, "{text}");
    }
    assert_eq!(
        error_paths(r#"{"id": "p", "resource": {"vcpu": -1, "memory": -5}}"#),
        ["resource.vcpu", "resource.memory"]
    );
    assert_eq!(
        error_paths(&k8s_container(
            r#", "resources": {"limits": {"cpu": "lots"}}"#
        )),
        ["spec.containers[0].resources.limits[cpu]"]
    );
}

/// Probe numbers left out (or 0): Kubernetes' defaults, except pod-controller's own.
#[test]
fn probe_defaults_by_format() {
    let k = k8s_container(r#", "livenessProbe": {"exec": {"command": ["true"]}}"#);
    let k0 = k8s_container(
        r#", "livenessProbe": {"exec": {"command": ["true"]}, "periodSeconds": 0, "failureThreshold": 0}"#,
    );
    let b = beta_2014("").replace(
        r#""image": "busybox""#,
        r#""image": "busybox", "livenessProbe": {"type": "exec", "exec": {"command": ["true"]}}"#,
    );
    let pc = r#"{"containers": [{"name": "c", "spec": {"process": {"args": ["x"]}},
        "livenessProbe": {"exec": ["true"]}}]}"#;
    let rows = [
        (k.as_str(), (0, 10, 1, 1, 3)),
        (k0.as_str(), (0, 10, 1, 1, 3)),
        (b.as_str(), (0, 10, 1, 1, 3)),
        (pc, (0, 5, 1, 1, 1)),
    ];
    for (text, (delay, period, timeout, success, failure)) in rows {
        let p = pod(text).containers[0].liveness_probe.clone().unwrap();
        assert_eq!(
            (
                p.initial_delay,
                p.period,
                p.timeout,
                p.success_threshold,
                p.failure_threshold
            ),
            (
                Duration::from_secs(delay),
                Duration::from_secs(period),
                Duration::from_secs(timeout),
                success,
                failure
            ),
            "{text}"
        );
    }
}

/// The hostname is the pod's own, else the pod name.
#[test]
fn hostname() {
    let rows = [
        (r#"{"id": "web"}"#.to_owned(), "web"),
        (r#"{"id": "web", "hostname": "front"}"#.to_owned(), "front"),
        (k8s_container(""), "p"),
        (
            k8s(r#"{"containers": [{"name": "c", "image": "b"}], "hostname": "h"}"#),
            "h",
        ),
        (beta_spec(""), "p"),
    ];
    for (text, want) in rows {
        assert_eq!(convert::hostname(&pod(&text)), want, "{text}");
    }
}

/// Names where the document has none.
#[test]
fn names_where_the_document_has_none() {
    let hyper =
        r#"{"containers": [{"image": "docker.io/library/nginx:1.25"}, {"image": "Weird/Image"}]}"#;
    let opts = Options {
        name: Some(PodName::try_from("given").unwrap()),
    };
    let p = conv_with(hyper, &opts).unwrap().value;
    assert_eq!(p.name, "given");
    let names: Vec<&str> = p.containers.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["given-nginx-0", "given--1"]);

    let derived = pod(hyper).name;
    assert!(derived.as_str().starts_with("pod-") && derived.as_str().len() == 14);
    assert!(
        derived.as_str()[4..]
            .bytes()
            .all(|b| b.is_ascii_lowercase())
    );

    let generate = k8s_container("").replace(r#""name": "p""#, r#""generateName": "web-""#);
    let g = pod(&generate).name;
    assert!(
        g.as_str().starts_with("web-") && g.as_str().len() == 9,
        "{g}"
    );
    assert_eq!(pod(&generate).name, g, "deterministic");
    assert_eq!(
        error_paths(&k8s_container("").replace(r#""name": "p""#, r#""x": "y""#)),
        ["metadata.name"]
    );

    // Hyper's converter named a metadata/spec v1beta1 pod without a name `default`.
    assert_eq!(
        pod(&beta_spec("").replace(r#""name": "p""#, r#""labels": {}"#)).name,
        "default"
    );
    assert_eq!(
        error_paths(&beta_2014("").replace(r#""id": "p", "#, "")),
        ["id"]
    );
    let with_manifest_id = beta_2014(r#", "id": "from-manifest""#).replace(r#""id": "p", "#, "");
    assert_eq!(pod(&with_manifest_id).name, "from-manifest");
}

/// Environment sources: literals and fieldRefs are kept; other sources are dropped, by path.
#[test]
fn env_value_sources() {
    let text = k8s_container(
        r#", "env": [
        {"name": "A", "value": "1"},
        {"name": "B"},
        {"name": "C", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
        {"name": "D", "valueFrom": {"configMapKeyRef": {"name": "m", "key": "k"}}},
        {"name": "E", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
        {"name": "F", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}}]"#,
    );
    let c = conv(&text).unwrap();
    assert_eq!(
        c.value.containers[0].env,
        [
            EnvVar::literal("A", "1"),
            EnvVar::literal("B", ""),
            EnvVar {
                name: "C".into(),
                value: EnvValue::Field(PodField::Label("app".into()))
            },
        ]
    );
    let fields: Vec<String> = c.dropped.iter().map(|d| d.field.to_string()).collect();
    assert_eq!(
        fields,
        [
            "spec.containers[0].env[3].valueFrom.configMapKeyRef",
            "spec.containers[0].env[4].valueFrom.secretKeyRef",
            "spec.containers[0].env[5].valueFrom.resourceFieldRef",
        ]
    );
    assert!(c.dropped[0].reason.contains("unsupported source"));
    assert_eq!(
        error_paths(&k8s_container(
            r#", "env": [{"name": "X", "valueFrom": {"fieldRef": {"fieldPath": "spec.containers"}}}]"#
        )),
        ["spec.containers[0].env[0].valueFrom.fieldRef.fieldPath"]
    );
    // v1beta1's old `key` is the name.
    let b = beta_2014("").replace(
        r#""image": "busybox""#,
        r#""image": "busybox", "env": [{"key": "K", "value": "v"}]"#,
    );
    assert_eq!(pod(&b).containers[0].env, [EnvVar::literal("K", "v")]);
}

/// Volume sources of each format.
#[test]
fn volume_sources() {
    let kv = |vol: &str| {
        k8s(&format!(
            r#"{{"volumes": [{vol}], "containers": [{{"name": "c", "image": "b",
            "volumeMounts": [{{"name": "v", "mountPath": "/v"}}]}}]}}"#
        ))
    };
    let empty = VolumeSource::EmptyDir {
        medium: StorageMedium::Disk,
        size_limit: None,
    };
    let rows = [
        (
            kv(r#"{"name": "v", "hostPath": {"path": "/srv"}}"#),
            Some(VolumeSource::HostPath {
                path: "/srv".into(),
            }),
        ),
        (kv(r#"{"name": "v", "emptyDir": {}}"#), Some(empty.clone())),
        (kv(r#"{"name": "v"}"#), Some(empty.clone())), // Kubernetes defaults to emptyDir
        (
            kv(r#"{"name": "v", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}}"#),
            Some(VolumeSource::EmptyDir {
                medium: StorageMedium::Memory,
                size_limit: Memory::from_mib(1024),
            }),
        ),
        (
            kv(r#"{"name": "v", "nfs": {"server": "nas", "path": "/export"}}"#),
            Some(VolumeSource::Nfs {
                export: "nas:/export".into(),
            }),
        ),
        (kv(r#"{"name": "v", "configMap": {"name": "m"}}"#), None),
        (kv(r#"{"name": "v", "secret": {"secretName": "s"}}"#), None),
    ];
    for (text, want) in rows {
        let c = conv(&text).unwrap();
        match want {
            Some(src) => {
                assert_eq!(c.value.volumes[0].source, src, "{text}");
                assert_eq!(c.value.containers[0].volume_mounts.len(), 1);
            }
            None => {
                assert!(
                    c.value.volumes.is_empty() && c.value.containers[0].volume_mounts.is_empty()
                );
                let fields: Vec<String> = c.dropped.iter().map(|d| d.field.to_string()).collect();
                assert_eq!(fields.len(), 2, "{fields:?}");
                assert!(fields[0].starts_with("spec.volumes[0]."), "{fields:?}");
                assert_eq!(fields[1], "spec.containers[0].volumeMounts[0]");
            }
        }
    }

    let hv = |vol: &str| format!(r#"{{"id": "p", "volumes": [{vol}]}}"#);
    let rows = [
        (hv(r#"{"name": "v"}"#), empty.clone()),
        (
            hv(r#"{"name": "v", "source": "/srv"}"#),
            VolumeSource::HostPath {
                path: "/srv".into(),
            },
        ),
        (
            hv(r#"{"name": "v", "source": "/srv", "format": "vfs"}"#),
            VolumeSource::HostPath {
                path: "/srv".into(),
            },
        ),
        (
            hv(r#"{"name": "v", "source": "/srv", "driver": "vfs"}"#),
            VolumeSource::HostPath {
                path: "/srv".into(),
            },
        ),
        (
            hv(r#"{"name": "v", "source": "/d.img", "format": "qcow2", "fstype": "xfs"}"#),
            VolumeSource::BlockImage {
                path: "/d.img".into(),
                format: ImageFormat::Qcow2,
                fstype: Some("xfs".into()),
            },
        ),
        (
            hv(
                r#"{"name": "v", "source": "pool/img", "format": "rbd", "option": {"user": "u", "monitors": ["m1"]}}"#,
            ),
            VolumeSource::Rbd {
                image: "pool/img".into(),
                user: Some("u".into()),
                keyring: None,
                monitors: v(&["m1"]),
            },
        ),
        (
            hv(r#"{"name": "v", "source": "nas:/export", "format": "nas", "fstype": "nfs"}"#),
            VolumeSource::Nfs {
                export: "nas:/export".into(),
            },
        ),
    ];
    for (text, want) in rows {
        let c = conv(&text).unwrap();
        assert_eq!(c.value.volumes[0].source, want, "{text}");
        assert!(c.dropped.is_empty(), "{text}: {:?}", c.dropped);
    }
    assert_eq!(
        error_paths(&hv(r#"{"name": "v", "format": "zfs"}"#)),
        ["volumes[0].format"]
    );
    assert_eq!(
        error_paths(&hv(r#"{"name": "v", "format": "raw"}"#)),
        ["volumes[0].source"]
    );
}

/// Hyper's inline `detail` volumes and files become pod volumes and files.
#[test]
fn hyper_inline_details() {
    let text = hyper_container(
        r#", "volumes": [{"volume": "v", "path": "/v", "detail": {"source": "/srv", "format": "vfs"}}],
        "files": [{"filename": "f", "path": "/f", "detail": {"content": "hi"}}]"#,
    );
    let p = pod(&text);
    assert_eq!(p.volumes[0].name, "v");
    assert_eq!(
        p.volumes[0].source,
        VolumeSource::HostPath {
            path: "/srv".into()
        }
    );
    assert_eq!(p.files[0].name, "f");
    assert!(p.validate().is_empty());
}

/// What Hyper's pod files have that the model does not is dropped, by path.
#[test]
fn hyper_dropped_fields() {
    let text = r#"{"id": "p", "type": "service", "log": {"type": "none"},
        "interfaces": [{"bridge": "br0"}], "portmappingWhiteLists": {},
        "containers": [{"name": "c", "image": "b", "sysctl": {"a": "1"}, "user": {"name": "u"},
            "ulimits": [{"Name": "nofile"}], "readOnly": true, "readonly": true,
            "ports": [{"containerPort": 80, "servicePort": 8080}]}]}"#;
    assert_eq!(
        dropped(text),
        [
            "type",
            "log",
            "interfaces",
            "portmappingWhiteLists",
            "containers[0].ports[0].servicePort",
            "containers[0].sysctl",
            "containers[0].user",
            "containers[0].ulimits",
            "containers[0].readOnly",
        ]
    );
    // `type: kubernetes` is kept as the pod's lifetime.
    let k = pod(r#"{"id": "p", "type": "kubernetes"}"#);
    assert_eq!(k.source.lifetime, Lifetime::RemoveWhenFinished);
}

/// Hyper's legacy container ports: no hostPort is a declared port; explicit protocols work
/// (Hyper 1.x rejected them all).
#[test]
fn hyper_legacy_container_ports() {
    let text = hyper_container(
        r#", "ports": [{"containerPort": 80}, {"containerPort": 53, "hostPort": 5353, "protocol": "UDP"},
        {"containerPort": 1, "protocol": "tcp"}]"#,
    );
    let ports = &pod(&text).containers[0].ports;
    let got: Vec<(u16, Option<u16>, Protocol)> = ports
        .iter()
        .map(|p| {
            (
                p.container_port.get(),
                p.host_port.map(Port::get),
                p.protocol,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (80, None, Protocol::Tcp),
            (53, Some(5353), Protocol::Udp),
            (1, None, Protocol::Tcp)
        ]
    );
}

/// Every value the model cannot hold is an error at its path in the user's names, all at once.
#[test]
fn errors_carry_the_users_paths() {
    let rows: Vec<(String, Vec<&str>)> = vec![
        (
            k8s_container(
                r#", "ports": [{"containerPort": 70000}, {"containerPort": 80, "protocol": "ICMP"}]"#,
            ),
            vec![
                "spec.containers[0].ports[0].containerPort",
                "spec.containers[0].ports[1].protocol",
            ],
        ),
        (
            k8s(
                r#"{"containers": [{"name": "", "image": ""}, {"name": "ok", "image": "b",
                "livenessProbe": {"httpGet": {"port": "Not A Name"}}}]}"#,
            ),
            vec![
                "spec.containers[0].name",
                "spec.containers[0].image",
                "spec.containers[1].livenessProbe.httpGet.port",
            ],
        ),
        (
            hyper_container(r#", "StopSignal": "SIGNOPE", "envs": [{"value": "x"}]"#),
            vec!["containers[0].envs[0].env", "containers[0].StopSignal"],
        ),
        (
            r#"{"id": "p", "hostname": "Bad_Host", "dns": ["not-an-ip"],
                "portmappings": [{"containerPort": "80-81", "hostPort": "90"}]}"#
                .to_owned(),
            vec!["hostname", "dns[0]", "portmappings[0]"],
        ),
        (
            k8s(
                r#"{"containers": [{"name": "c", "image": "b"}], "activeDeadlineSeconds": 0,
                "terminationGracePeriodSeconds": -1}"#,
            ),
            vec![
                "spec.terminationGracePeriodSeconds",
                "spec.activeDeadlineSeconds",
            ],
        ),
    ];
    for (text, want) in rows {
        assert_eq!(error_paths(&text), want, "{text}");
    }
}

/// Hyper's converter crashed on a v1 volume without `source`, failed on `dnsPolicy`, and
/// rejected the object restart policy (spec/hyper.md 2.2); all convert here.
#[test]
fn what_hypers_converter_failed_on_converts() {
    let text = k8s(
        r#"{"containers": [{"name": "c", "image": "b", "volumeMounts": [{"name": "x", "mountPath": "/x"}]}],
        "volumes": [{"name": "x", "hostPath": {"path": "/d"}}], "dnsPolicy": "ClusterFirst"}"#,
    );
    let p = pod(&text);
    assert_eq!(
        p.volumes[0].source,
        VolumeSource::HostPath { path: "/d".into() }
    );
    assert_eq!(p.dns.policy, DnsPolicy::ClusterFirst);
    assert_eq!(
        pod(&beta_2014(r#", "restartPolicy": {"never": {}}"#)).restart_policy,
        RestartPolicy::Never
    );
}

/// Kubernetes sidecars and restart rules.
#[test]
fn container_restart_policies() {
    let text = k8s(
        r#"{"initContainers": [{"name": "side", "image": "b", "restartPolicy": "Always"}],
        "containers": [{"name": "c", "image": "b", "restartPolicy": "Never",
            "restartPolicyRules": [{"action": "Restart", "exitCodes": {"operator": "In", "values": [42]}}]},
            {"name": "d", "image": "b", "restartPolicyRules": [{"action": "Restart"}]}]}"#,
    );
    let c = conv(&text).unwrap();
    assert!(c.value.init_containers[0].is_restartable_init());
    let r = c.value.containers[0].restart.as_ref().unwrap();
    assert_eq!(r.policy, RestartPolicy::Never);
    assert!(r.rules[0].matches(42) && !r.rules[0].matches(1));
    assert_eq!(c.value.containers[1].restart, None);
    assert_eq!(
        c.dropped[0].field.to_string(),
        "spec.containers[1].restartPolicyRules"
    );
}

/// Hooks: an httpGet hook fails on a 5xx or no answer; tcpSocket hooks never ran.
#[test]
fn hooks() {
    let text = k8s_container(
        r#", "lifecycle": {"postStart": {"httpGet": {"port": 80}}, "preStop": {"tcpSocket": {"port": 80}}}"#,
    );
    let c = conv(&text).unwrap();
    let Some(HookHandler::HttpGet(g)) = &c.value.containers[0].lifecycle.post_start else {
        panic!()
    };
    assert_eq!((g.success, g.path.as_str()), (HttpSuccess::Below500, "/"));
    assert_eq!(c.value.containers[0].lifecycle.pre_stop, None);
    assert_eq!(
        c.dropped[0].field.to_string(),
        "spec.containers[0].lifecycle.preStop.tcpSocket"
    );
}

/// pod-controller: the root filesystem, env, probes with neither handler, and HTTP 200.
#[test]
fn pod_controller_mapping() {
    let text = r#"{"containers": [{"spec": {"root": {"path": "/rootfs"},
        "process": {"args": ["srv"], "env": ["A=1", "B=x=y"], "cwd": "/w", "terminal": true}},
        "livenessProbe": {"periodSeconds": 3},
        "readinessProbe": {"httpGet": {"port": 8080, "path": "/ok", "scheme": "HTTPS"}}}]}"#;
    let c = &pod(text).containers[0];
    assert_eq!(c.name, "container-0");
    assert_eq!(
        c.image,
        Image::RootFs {
            path: "/rootfs".into()
        }
    );
    assert_eq!(
        c.env,
        [EnvVar::literal("A", "1"), EnvVar::literal("B", "x=y")]
    );
    assert_eq!((c.working_dir.as_deref(), c.tty), (Some("/w"), true));
    assert_eq!(
        c.liveness_probe.as_ref().unwrap().handler,
        ProbeHandler::AlwaysSucceeds
    );
    let ProbeHandler::HttpGet(g) = &c.readiness_probe.as_ref().unwrap().handler else {
        panic!()
    };
    assert_eq!(
        (g.success, g.scheme, g.path.as_str()),
        (HttpSuccess::Only200, Scheme::Https, "/ok")
    );
    assert_eq!(
        error_paths(
            r#"{"containers": [{"name": "c", "spec": {"process": {"env": ["NOEQUALS"]}}}]}"#
        ),
        ["containers[0].spec.process.env[0]"]
    );
}
