//! Table tests over `tests/fixtures/`: each accepted fixture with its format, its warnings and
//! the values that matter; each rejected fixture with the paths of its type errors.

use podspec::wire::{Document, IntOrString, v1beta1};
use podspec::{Error, ErrorType, Format, Parsed, WarningKind, parse};

macro_rules! fixture {
    ($name:literal) => {
        ($name, include_str!(concat!("fixtures/", $name)))
    };
}

/// Fixtures the parser accepts: (fixture, detected format, warning paths in order).
const ACCEPTED: &[((&str, &str), Format, &[&str])] = &[
    (fixture!("seeds000-ubuntu.yml"), Format::Hyper, &[]),
    (
        fixture!("seeds000-k8s-restart-succeeds.json"),
        Format::K8sV1beta1,
        &[],
    ),
    (
        fixture!("seeds000-k8s-restart-fails.json"),
        Format::K8sV1beta1,
        &[],
    ),
    (
        fixture!("seeds002-pod-controller-readme.json"),
        Format::PodController,
        &[""],
    ),
    (fixture!("hyper-full.json"), Format::Hyper, &[]),
    (fixture!("hyper-legacy.yml"), Format::Hyper, &[]),
    (fixture!("hyper-legacy.json"), Format::Hyper, &[]),
    (
        fixture!("hyper-mixed-case.json"),
        Format::Hyper,
        &["colour"],
    ),
    (fixture!("v1beta1-2014.json"), Format::K8sV1beta1, &[]),
    (
        fixture!("k8s-status.yaml"),
        Format::K8s,
        &["metadata.uid", "spec.securityContext"],
    ),
    (fixture!("k8s-web.yaml"), Format::K8s, &[]),
    (fixture!("podctl-full.json"), Format::PodController, &[]),
];

/// Fixtures rejected for shape: (fixture, format, type-error paths in order).
const REJECTED: &[((&str, &str), Format, &[&str])] = &[
    (
        fixture!("bad-hyper-memory-string.json"),
        Format::Hyper,
        &["resource.memory"],
    ),
    (
        fixture!("bad-hyper-portmapping-int.json"),
        Format::Hyper,
        &["portmappings[0].containerPort"],
    ),
    (
        fixture!("bad-hyper-many.json"),
        Format::Hyper,
        &[
            "tty",
            "containers[0].envs",
            "containers[1].command",
            "labels[a]",
        ],
    ),
    (
        fixture!("bad-k8s-port-string.yaml"),
        Format::K8s,
        &["spec.containers[0].ports[0].containerPort"],
    ),
    (
        fixture!("bad-k8s-yaml-bool-command.yaml"),
        Format::K8s,
        &["spec.containers[0].command[0]"],
    ),
    (
        fixture!("bad-k8s-label-int.json"),
        Format::K8s,
        &["metadata.labels[app]"],
    ),
    (
        fixture!("bad-k8s-probe-port-bool.json"),
        Format::K8s,
        &["spec.containers[0].livenessProbe.httpGet.port"],
    ),
    (
        fixture!("bad-v1beta1-restart-string.json"),
        Format::K8sV1beta1,
        &["desiredState.manifest.restartPolicy"],
    ),
    (
        fixture!("bad-v1beta1-spec-restart-object.json"),
        Format::K8sV1beta1,
        &["spec.restartPolicy"],
    ),
    (
        fixture!("bad-podctl-exec-object.json"),
        Format::PodController,
        &["containers[0].livenessProbe.exec"],
    ),
];

/// Every accepting fixture, for other test files.
pub fn accepted() -> impl Iterator<Item = (&'static str, &'static str)> {
    ACCEPTED.iter().map(|(f, _, _)| *f)
}

fn ok(name: &str, text: &str) -> Parsed {
    parse(text, None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn accepted_fixtures_parse_with_their_format_and_warnings() {
    for ((name, text), format, warnings) in ACCEPTED {
        let p = ok(name, text);
        assert_eq!(p.document.format(), *format, "{name}");
        let paths: Vec<String> = p.warnings.iter().map(|w| w.field.to_string()).collect();
        assert_eq!(paths, *warnings, "{name}: {:?}", p.warnings);
    }
}

#[test]
fn rejected_fixtures_report_every_type_error_path() {
    for ((name, text), format, paths) in REJECTED {
        let e = parse(text, None).expect_err(name);
        let Error::Type { format: f, errors } = &e else {
            panic!("{name}: not a type error: {e}")
        };
        assert_eq!(f, format, "{name}");
        let got: Vec<String> = errors.iter().map(|t| t.field.to_string()).collect();
        assert_eq!(got, *paths, "{name}");
        assert!(
            e.field_errors()
                .iter()
                .all(|fe| fe.kind == ErrorType::TypeInvalid),
            "{name}"
        );
    }
}

#[test]
fn hyper_memory_string_is_reported_like_go() {
    let (_, text) = fixture!("bad-hyper-memory-string.json");
    let e = parse(text, None).unwrap_err();
    let fe = e.field_errors();
    assert_eq!(
        fe[0].to_string(),
        "resource.memory: Invalid value: \"128\": expected an integer (int32)"
    );
    let json = serde_json::to_value(&fe[0]).unwrap();
    assert_eq!(json["type"], "FieldValueTypeInvalid");
}

#[test]
fn seeds_ubuntu_yaml_keeps_legacy_name() {
    let (name, text) = fixture!("seeds000-ubuntu.yml");
    let Document::Hyper(pod) = ok(name, text).document else {
        panic!()
    };
    assert_eq!(pod.name.as_deref(), Some("process-yaml-file-ubuntu"));
    assert_eq!(pod.id, None);
    assert_eq!(pod.tty, Some(true));
    assert_eq!(pod.files, None, "`files:` with no value is null");
    let c = &pod.containers.unwrap()[0];
    assert_eq!(c.image.as_deref(), Some("ubuntu:latest"));
    assert_eq!(c.command.as_deref(), Some(&["/bin/bash".into()][..]));
    assert_eq!(pod.resource.unwrap().vcpu, Some(1));
}

#[test]
fn seeds_v1beta1_documents_keep_args_and_string_policy() {
    for ((name, text), args) in [
        (
            fixture!("seeds000-k8s-restart-succeeds.json"),
            vec!["sleep", "100"],
        ),
        (
            fixture!("seeds000-k8s-restart-fails.json"),
            vec!["sleep 100"],
        ),
    ] {
        let Document::K8sV1beta1(pod) = ok(name, text).document else {
            panic!("{name}")
        };
        assert_eq!(pod.shape(), v1beta1::Shape::MetadataSpec, "{name}");
        assert_eq!(pod.api_version.as_deref(), Some("V1beta1"));
        let meta = pod.metadata.unwrap();
        assert_eq!(meta.name.as_deref(), Some("test-k8s-restartPolicy"));
        assert_eq!(meta.labels.unwrap()["name"], "ubuntu");
        let spec = pod.spec.unwrap();
        assert_eq!(spec.restart_policy.as_deref(), Some("Never"));
        assert_eq!(spec.id.as_deref(), Some("Ubuntu-Pod"));
        let c = &spec.containers.unwrap()[0];
        assert_eq!(c.args.as_ref().unwrap(), &args, "{name}");
    }
}

#[test]
fn seeds_pod_controller_readme_trailing_comma_is_read_as_yaml_with_a_warning() {
    let (name, text) = fixture!("seeds002-pod-controller-readme.json");
    assert!(serde_json::from_str::<serde_json::Value>(text).is_err());
    let p = ok(name, text);
    assert_eq!(p.warnings.len(), 1);
    let w = &p.warnings[0];
    assert_eq!(w.kind, WarningKind::NotJson);
    assert!(w.field.is_root());
    assert_eq!(
        w.message,
        "not valid JSON (trailing comma at line 7, column 16); read as YAML"
    );
    let Document::PodController(spec) = p.document else {
        panic!()
    };
    let init = &spec.init_containers.unwrap()[0];
    let args = init
        .spec
        .as_ref()
        .unwrap()
        .process
        .as_ref()
        .unwrap()
        .args
        .as_ref();
    assert_eq!(args.unwrap(), &["sleep", "10"]);
    let cs = spec.containers.unwrap();
    assert_eq!(cs.len(), 2);
    let probe = cs[1].liveness_probe.as_ref().unwrap();
    assert_eq!(
        probe.exec.as_ref().unwrap()[2],
        "sleep 1 && cat /tmp/health"
    );
    assert_eq!(probe.failure_threshold, Some(1));
    assert_eq!(
        cs[0].liveness_probe.as_ref().unwrap().failure_threshold,
        Some(30)
    );
}

#[test]
fn hyper_legacy_yaml_names_reach_their_fields() {
    let (name, text) = fixture!("hyper-legacy.yml");
    let Document::Hyper(pod) = ok(name, text).document else {
        panic!()
    };
    assert_eq!(pod.name.as_deref(), Some("legacy-pod"));
    assert_eq!(pod.restart_policy.as_deref(), Some("always"));
    assert_eq!(pod.logconfig.unwrap().r#type.as_deref(), Some("none"));
    assert_eq!(pod.log, None);
    let wl = pod.portmapping_white_lists.unwrap();
    assert_eq!(wl.internal_networks.unwrap(), ["10.0.0.0/8"]);
    let c = &pod.containers.unwrap()[0];
    assert_eq!(c.restart_policy.as_deref(), Some("never"));
    assert_eq!(c.read_only, Some(true));
    assert_eq!(c.stop_signal.as_deref(), Some("TERM"));
    assert_eq!(c.log_path.as_deref(), Some("/tmp/c1.log"));
    let port = &c.ports.as_ref().unwrap()[0];
    assert_eq!(
        (port.container_port, port.host_port),
        (Some(80), Some(8080))
    );
    let user = c.user.as_ref().unwrap();
    assert_eq!(user.additional_groups.as_ref().unwrap(), &["users"]);
    let file = &pod.files.unwrap()[0];
    assert_eq!(
        (file.contents.as_deref(), file.content.as_deref()),
        (Some("hello"), None)
    );
    let vol = &pod.volumes.unwrap()[0];
    assert_eq!(
        (vol.driver.as_deref(), vol.format.as_deref()),
        (Some("vfs"), None)
    );
    let opt = vol.option.as_ref().unwrap();
    assert_eq!((opt.bytes_per_sec, opt.iops), (Some(1_048_576), Some(100)));
}

#[test]
fn hyper_legacy_json_untagged_restart_policy_and_driver() {
    let (name, text) = fixture!("hyper-legacy.json");
    let Document::Hyper(pod) = ok(name, text).document else {
        panic!()
    };
    assert_eq!(pod.restart_policy.as_deref(), Some("onFailure"));
    assert_eq!(pod.volumes.unwrap()[0].driver.as_deref(), Some("vfs"));
}

#[test]
fn hyper_mixed_case_keys_match_case_insensitively() {
    let (name, text) = fixture!("hyper-mixed-case.json");
    let p = ok(name, text);
    assert_eq!(p.warnings[0].kind, WarningKind::UnknownField);
    let Document::Hyper(pod) = p.document else {
        panic!()
    };
    assert_eq!(pod.id.as_deref(), Some("mixed"));
    let c = &pod.containers.unwrap()[0];
    assert_eq!(c.name.as_deref(), Some("c"));
    assert_eq!(c.image.as_deref(), Some("busybox"));
    assert_eq!(c.read_only, Some(true));
    assert_eq!(c.stop_signal.as_deref(), Some("KILL"));
    assert_eq!(c.ports.as_ref().unwrap()[0].container_port, Some(80));
    let u = &c.ulimits.as_ref().unwrap()[0];
    assert_eq!(
        (u.name.as_deref(), u.hard, u.soft),
        (Some("nproc"), Some(10), Some(5))
    );
    let s = &pod.services.unwrap()[0];
    assert_eq!(s.service_ip.as_deref(), Some("10.0.0.1"));
    assert_eq!(s.service_port, Some(80));
    assert_eq!(
        s.hosts.as_ref().unwrap()[0].host_ip.as_deref(),
        Some("1.2.3.4")
    );
    assert_eq!(
        pod.portmappings.unwrap()[0].container_port.as_deref(),
        Some("80")
    );
}

#[test]
fn hyper_full_has_every_field() {
    let (name, text) = fixture!("hyper-full.json");
    let p = ok(name, text);
    // Serializing back gives the same JSON, key for key: every field of the file is modelled.
    let back = serde_json::to_value(&p.document).unwrap();
    let orig: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(back, orig);
}

#[test]
fn v1beta1_2014_shape_with_object_restart_policy() {
    let (name, text) = fixture!("v1beta1-2014.json");
    let Document::K8sV1beta1(pod) = ok(name, text).document else {
        panic!()
    };
    assert_eq!(pod.shape(), v1beta1::Shape::DesiredState);
    assert_eq!(pod.id.as_deref(), Some("redis-master-2"));
    let m = pod.desired_state.unwrap().manifest.unwrap();
    let policy = m.restart_policy.unwrap();
    assert!(policy.always.is_some() && policy.on_failure.is_none() && policy.never.is_none());
    let vols = m.volumes.unwrap();
    let host_dir = vols[0].source.as_ref().unwrap().host_dir.as_ref().unwrap();
    assert_eq!(host_dir.path.as_deref(), Some("/var/redis"));
    assert!(vols[1].source.as_ref().unwrap().empty_dir.is_some());
    let c = &m.containers.unwrap()[0];
    assert_eq!(
        c.env.as_ref().unwrap()[0].key.as_deref(),
        Some("REDIS_PASSWORD")
    );
    assert_eq!(
        c.volume_mounts.as_ref().unwrap()[0].path.as_deref(),
        Some("/data")
    );
    assert_eq!(c.memory.as_ref().unwrap().as_str(), "134217728");
    assert_eq!(c.cpu.as_ref().unwrap().as_str(), "100");
    let probe = c.liveness_probe.as_ref().unwrap();
    assert_eq!(probe.r#type.as_deref(), Some("http"));
    assert_eq!(
        probe.http_get.as_ref().unwrap().port,
        Some(IntOrString::String("6379".into()))
    );
}

#[test]
fn k8s_status_is_typed_for_the_phase_crate() {
    let (name, text) = fixture!("k8s-status.yaml");
    let p = ok(name, text);
    assert_eq!(p.warnings[0].kind, WarningKind::UnsupportedField);
    assert_eq!(
        p.warnings[1].to_string(),
        "spec.securityContext: field `securityContext` is not supported here; ignored"
    );
    let Document::K8s(pod) = p.document else {
        panic!()
    };
    let rule = &pod.spec.as_ref().unwrap().containers.as_ref().unwrap()[0]
        .restart_policy_rules
        .as_ref()
        .unwrap()[0];
    assert_eq!(
        rule.exit_codes.as_ref().unwrap().values.as_ref().unwrap(),
        &[42]
    );
    let status = pod.status.unwrap();
    assert_eq!(status.phase.as_deref(), Some("Failed"));
    assert_eq!(
        status.conditions.unwrap()[0].status.as_deref(),
        Some("False")
    );
    let init = &status.init_container_statuses.unwrap()[0];
    let t = init.state.as_ref().unwrap().terminated.as_ref().unwrap();
    assert_eq!(
        (t.exit_code, t.reason.as_deref()),
        (Some(0), Some("Completed"))
    );
    let main = &status.container_statuses.unwrap()[0];
    assert_eq!(main.restart_count, Some(3));
    assert_eq!(main.started, Some(false));
    let w = main.state.as_ref().unwrap().waiting.as_ref().unwrap();
    assert_eq!(w.reason.as_deref(), Some("CrashLoopBackOff"));
    let last = main
        .last_state
        .as_ref()
        .unwrap()
        .terminated
        .as_ref()
        .unwrap();
    assert_eq!((last.exit_code, last.signal), (Some(1), Some(0)));
}

#[test]
fn k8s_web_reads_probes_hooks_quantities_and_sidecars() {
    let (name, text) = fixture!("k8s-web.yaml");
    let Document::K8s(pod) = ok(name, text).document else {
        panic!()
    };
    let spec = pod.spec.unwrap();
    assert_eq!(spec.enable_service_links, Some(false));
    let init = &spec.init_containers.unwrap()[0];
    assert_eq!(init.restart_policy.as_deref(), Some("Always"));
    let vols = spec.volumes.unwrap();
    assert_eq!(
        vols[0]
            .empty_dir
            .as_ref()
            .unwrap()
            .size_limit
            .as_ref()
            .unwrap()
            .as_str(),
        "64Mi"
    );
    assert_eq!(
        vols[1].host_path.as_ref().unwrap().r#type.as_deref(),
        Some("Directory")
    );
    assert!(
        vols[2].config_map.is_some(),
        "unsupported sources are kept for convert"
    );
    let cs = spec.containers.unwrap();
    let c = &cs[0];
    let res = c.resources.as_ref().unwrap();
    assert_eq!(
        res.limits.as_ref().unwrap()["cpu"].as_str(),
        "1",
        "numbers are quantities"
    );
    assert_eq!(res.requests.as_ref().unwrap()["cpu"].as_str(), "500m");
    let env = c.env.as_ref().unwrap();
    let from = env[0].value_from.as_ref().unwrap();
    assert_eq!(
        from.field_ref.as_ref().unwrap().field_path.as_deref(),
        Some("metadata.name")
    );
    assert!(env[1].value_from.as_ref().unwrap().secret_key_ref.is_some());
    let startup = c.startup_probe.as_ref().unwrap().http_get.as_ref().unwrap();
    assert_eq!(startup.port, Some(IntOrString::String("http".into())));
    assert_eq!(
        startup.http_headers.as_ref().unwrap()[0].value.as_deref(),
        Some("1")
    );
    let live = c.liveness_probe.as_ref().unwrap();
    assert_eq!(live.termination_grace_period_seconds, Some(3));
    let ready = c
        .readiness_probe
        .as_ref()
        .unwrap()
        .tcp_socket
        .as_ref()
        .unwrap();
    assert_eq!(ready.port, Some(IntOrString::Int(8080)));
    let lc = c.lifecycle.as_ref().unwrap();
    assert!(lc.post_start.as_ref().unwrap().http_get.is_some());
    assert_eq!(
        lc.pre_stop
            .as_ref()
            .unwrap()
            .sleep
            .as_ref()
            .unwrap()
            .seconds,
        Some(1)
    );
    assert_eq!(
        cs[1]
            .liveness_probe
            .as_ref()
            .unwrap()
            .grpc
            .as_ref()
            .unwrap()
            .port,
        Some(9000)
    );
}

#[test]
fn pod_controller_full_keeps_oci_spec() {
    let (name, text) = fixture!("podctl-full.json");
    let Document::PodController(spec) = ok(name, text).document else {
        panic!()
    };
    let c = &spec.containers.unwrap()[0];
    let oci = c.spec.as_ref().unwrap();
    let process = oci.process.as_ref().unwrap();
    assert_eq!(process.user.as_ref().unwrap().uid, Some(1000));
    assert_eq!(process.env.as_ref().unwrap(), &["PATH=/bin"]);
    assert_eq!(oci.root.as_ref().unwrap()["readonly"], true);
    let http = c
        .liveness_probe
        .as_ref()
        .unwrap()
        .http_get
        .as_ref()
        .unwrap();
    assert_eq!(http.port, Some(8080));
    let ready = c.readiness_probe.as_ref().unwrap();
    assert_eq!(
        ready.period_seconds,
        Some(5),
        "`periodseconds` matched case-insensitively"
    );
}
