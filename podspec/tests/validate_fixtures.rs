//! Validation over files: every fixture in `tests/invalid/` against its expected errors (field
//! path and type, in order), every example in `examples/` valid, and N independent mistakes
//! giving exactly N errors.

use std::fs;
use std::path::Path;

use podspec::ErrorType::{self, *};
use podspec::{Format, parse, validate};
use serde_json::json;

type Expected = &'static [(&'static str, ErrorType)];

macro_rules! texts {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!($dir, $name)))),*]
    };
}

/// The text of every invalid fixture.
const INVALID: &[(&str, &str)] = texts!("invalid/":
    "k8s-many-mistakes.yaml",
    "k8s-init-and-sidecar.json",
    "k8s-no-spec.yaml",
    "v1beta1-2014.json",
    "v1beta1-hyper-shape.json",
    "hyper-hostname.json",
    "hyper-many-mistakes.json",
    "hyper-legacy.yaml",
    "pod-controller.json",
);

/// The text of every example of the repository.
const EXAMPLES: &[(&str, &str)] = texts!("../../examples/":
    "hyper-busybox.json",
    "hyper-ubuntu.yml",
    "k8s-onfailure.yaml",
    "k8s-v1beta1-2014.json",
    "k8s-v1beta1-restart-fails.json",
    "k8s-v1beta1-restart-succeeds.json",
    "k8s-web.yaml",
    "pod-controller.json",
);

/// Every invalid fixture: its format, and the errors it must produce, in order.
const FIXTURES: &[(&str, Format, Expected)] = &[
    (
        "k8s-many-mistakes.yaml",
        Format::K8s,
        &[
            ("metadata.name", Invalid),
            ("spec.containers[0].image", Required),
            ("spec.containers[0].ports[0].containerPort", Invalid),
            ("spec.containers[0].env[0].name", Invalid),
            ("spec.containers[0].volumeMounts[0].name", NotFound),
            ("spec.containers[1].name", Duplicate),
            ("spec.containers[1].livenessProbe.successThreshold", Invalid),
            ("spec.restartPolicy", NotSupported),
        ],
    ),
    (
        "k8s-init-and-sidecar.json",
        Format::K8s,
        &[
            ("metadata.namespace", Invalid),
            ("spec.initContainers[0].readinessProbe", Forbidden),
            ("spec.initContainers[1].name", Duplicate),
            (
                "spec.initContainers[1].lifecycle.preStop.sleep.seconds",
                Invalid,
            ),
            (
                "spec.initContainers[2].restartPolicyRules[0].exitCodes",
                Required,
            ),
        ],
    ),
    (
        "k8s-no-spec.yaml",
        Format::K8s,
        &[
            ("metadata.name", Required),
            ("metadata.labels[app]", Invalid),
            ("spec", Required),
        ],
    ),
    (
        "v1beta1-2014.json",
        Format::K8sV1beta1,
        &[
            ("id", Invalid),
            ("desiredState.manifest.volumes[0].source", Required),
            (
                "desiredState.manifest.containers[0].ports[0].protocol",
                NotSupported,
            ),
            (
                "desiredState.manifest.containers[0].volumeMounts[0].mountPath",
                Required,
            ),
            (
                "desiredState.manifest.containers[0].livenessProbe",
                Required,
            ),
            ("desiredState.manifest.restartPolicy", Invalid),
        ],
    ),
    (
        "v1beta1-hyper-shape.json",
        Format::K8sV1beta1,
        &[
            ("spec.containers[1].name", Duplicate),
            ("spec.containers[1].image", Required),
            ("spec.containers[1].env[0].name", Required),
            ("spec.restartPolicy", NotSupported),
        ],
    ),
    (
        "hyper-hostname.json",
        Format::Hyper,
        &[("hostname", Invalid)],
    ),
    (
        "hyper-many-mistakes.json",
        Format::Hyper,
        &[
            ("interfaces[1].gateway", Duplicate),
            ("volumes[1].name", Duplicate),
            ("files[1].name", Duplicate),
            ("services[1]", Duplicate),
            ("containers[0].volumes[1].volume", Duplicate),
            ("containers[0].envs[1].env", Duplicate),
            ("containers[0].files[0].filename", NotFound),
            ("containers[0].files[1].perm", Invalid),
            ("containers[0].volumes[2].volume", NotFound),
            ("containers[0].cache", NotSupported),
            ("volumes[0].format", NotSupported),
            ("volumes[1].cache", NotSupported),
            ("dns[1]", Invalid),
            ("portmappings[0].protocol", NotSupported),
        ],
    ),
    (
        "hyper-legacy.yaml",
        Format::Hyper,
        &[
            ("name", Invalid),
            ("volumes[0].name", Required),
            ("containers[0].image", Required),
            ("containers[0].restartPolicy", NotSupported),
            ("containers[0].ports[0].containerPort", Required),
            ("volumes[0].driver", NotSupported),
        ],
    ),
    (
        "pod-controller.json",
        Format::PodController,
        &[
            ("initContainers[1].name", Required),
            ("containers[0].spec.process.args", Required),
            ("containers[0].livenessProbe.periodSeconds", Invalid),
            ("containers[0].livenessProbe.failureThreshold", Invalid),
            ("containers[1].name", Duplicate),
            ("containers[1].readinessProbe.httpGet.scheme", NotSupported),
        ],
    ),
];

fn errors_of(name: &str, text: &str) -> (Format, Vec<(String, ErrorType)>) {
    let parsed = parse(text, None).unwrap_or_else(|e| panic!("{name}: {e}"));
    let errs = validate(&parsed.document)
        .into_iter()
        .map(|e| (e.field.to_string(), e.kind))
        .collect();
    (parsed.document.format(), errs)
}

fn text_of(name: &str) -> &'static str {
    INVALID
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("{name} is not in INVALID"))
        .1
}

/// The names of the files in `rel` (relative to the crate), sorted.
fn listing(rel: &str, extensions: &[&str]) -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| extensions.iter().any(|x| n.ends_with(x)))
        .collect();
    files.sort();
    files
}

#[test]
fn invalid_fixtures_report_their_expected_errors() {
    for (file, format, expected) in FIXTURES {
        let (detected, got) = errors_of(file, text_of(file));
        assert_eq!(detected, *format, "{file}: detected format");
        let want: Vec<(String, ErrorType)> = expected
            .iter()
            .map(|(p, k)| ((*p).to_owned(), *k))
            .collect();
        assert_eq!(got, want, "{file}");
    }
}

#[test]
fn every_invalid_fixture_is_in_the_table() {
    let mut listed: Vec<String> = FIXTURES.iter().map(|(f, _, _)| (*f).to_owned()).collect();
    listed.sort();
    let mut texts: Vec<String> = INVALID.iter().map(|(f, _)| (*f).to_owned()).collect();
    texts.sort();
    assert_eq!(listing("tests/invalid", &[""]), listed);
    assert_eq!(texts, listed);
}

#[test]
fn every_example_is_valid() {
    let mut listed: Vec<String> = EXAMPLES.iter().map(|(f, _)| (*f).to_owned()).collect();
    listed.sort();
    assert_eq!(listing("../examples", &[".json", ".yaml", ".yml"]), listed);
    for (name, text) in EXAMPLES {
        let (_, errs) = errors_of(name, text);
        assert_eq!(errs, vec![], "{name}");
    }
}

/// Each mutation alone gives exactly one error; all together give exactly all of them.
fn all_independent_mistakes_are_reported(
    base: serde_json::Value,
    format: Format,
    mutations: &[(String, serde_json::Value, &str, ErrorType)],
) {
    let errors = |doc: &serde_json::Value| -> Vec<(String, ErrorType)> {
        let parsed = podspec::parse_value(doc.clone(), Some(format)).unwrap();
        validate(&parsed.document)
            .into_iter()
            .map(|e| (e.field.to_string(), e.kind))
            .collect()
    };
    assert_eq!(errors(&base), vec![], "the base document is valid");
    let mut all = base.clone();
    let mut want = Vec::new();
    for (pointer, value, path, kind) in mutations {
        let mut one = base.clone();
        *one.pointer_mut(pointer).unwrap() = value.clone();
        assert_eq!(errors(&one), [((*path).to_owned(), *kind)], "{pointer}");
        *all.pointer_mut(pointer).unwrap() = value.clone();
        want.push(((*path).to_owned(), *kind));
    }
    let mut got = errors(&all);
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn a_k8s_pod_with_n_mistakes_reports_n_errors() {
    let base = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {
            "restartPolicy": "Always",
            "dnsPolicy": "ClusterFirst",
            "volumes": [{"name": "data", "emptyDir": {}}],
            "initContainers": [{"name": "init", "image": "busybox"}],
            "containers": [{
                "name": "web", "image": "nginx",
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "env": [{"name": "A", "value": "1"}],
                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                "resources": {"limits": {"cpu": "1", "memory": "128Mi"}},
                "livenessProbe": {"httpGet": {"port": 80, "path": "/"}, "periodSeconds": 5},
                "lifecycle": {"preStop": {"sleep": {"seconds": 1}}}
            }]
        }
    });
    let c = |rest: &str| format!("/spec/containers/0/{rest}");
    let mutations = vec![
        (
            "/metadata/name".to_owned(),
            json!("Web"),
            "metadata.name",
            Invalid,
        ),
        (
            "/metadata/labels/app".to_owned(),
            json!("a b"),
            "metadata.labels[app]",
            Invalid,
        ),
        (
            "/spec/restartPolicy".to_owned(),
            json!("Sometimes"),
            "spec.restartPolicy",
            NotSupported,
        ),
        (
            "/spec/dnsPolicy".to_owned(),
            json!("Host"),
            "spec.dnsPolicy",
            NotSupported,
        ),
        (
            "/spec/volumes/0/emptyDir".to_owned(),
            json!({"medium": "Disk"}),
            "spec.volumes[0].emptyDir.medium",
            NotSupported,
        ),
        (
            "/spec/initContainers/0/name".to_owned(),
            json!("web"),
            "spec.initContainers[0].name",
            Duplicate,
        ),
        (c("image"), json!(""), "spec.containers[0].image", Required),
        (
            c("ports/0/protocol"),
            json!("tcp"),
            "spec.containers[0].ports[0].protocol",
            NotSupported,
        ),
        (
            c("env/0/name"),
            json!(""),
            "spec.containers[0].env[0].name",
            Required,
        ),
        (
            c("volumeMounts/0/mountPath"),
            json!(""),
            "spec.containers[0].volumeMounts[0].mountPath",
            Required,
        ),
        (
            c("resources/limits/cpu"),
            json!("one"),
            "spec.containers[0].resources.limits[cpu]",
            Invalid,
        ),
        (
            c("livenessProbe/periodSeconds"),
            json!(-1),
            "spec.containers[0].livenessProbe.periodSeconds",
            Invalid,
        ),
        (
            c("lifecycle/preStop/sleep/seconds"),
            json!(31),
            "spec.containers[0].lifecycle.preStop.sleep.seconds",
            Invalid,
        ),
    ];
    all_independent_mistakes_are_reported(base, Format::K8s, &mutations);
}

#[test]
fn a_hyper_pod_with_n_mistakes_reports_n_errors() {
    let base = json!({
        "id": "web",
        "hostname": "web",
        "resource": {"vcpu": 1, "memory": 128},
        "volumes": [{"name": "data", "format": "vfs", "source": "/srv", "cache": "none"}],
        "files": [{"name": "conf", "encoding": "raw", "content": "x"}],
        "services": [{"serviceIP": "10.254.0.1", "servicePort": 80, "protocol": "tcp",
                      "hosts": [{"hostIP": "127.0.0.1", "hostPort": 8080}]}],
        "containers": [{
            "name": "web", "image": "nginx",
            "envs": [{"env": "A", "value": "1"}],
            "volumes": [{"volume": "data", "path": "/data"}],
            "files": [{"filename": "conf", "path": "/etc/conf", "perm": "0644"}],
            "cache": "writeback"
        }],
        "dns": ["8.8.8.8"],
        "portmappings": [{"containerPort": "80", "hostPort": "8080", "protocol": "tcp"}]
    });
    let mutations = vec![
        ("/hostname".to_owned(), json!("Web"), "hostname", Invalid),
        (
            "/resource/vcpu".to_owned(),
            json!((-1)),
            "resource.vcpu",
            Invalid,
        ),
        (
            "/volumes/0/format".to_owned(),
            json!("ext4"),
            "volumes[0].format",
            NotSupported,
        ),
        (
            "/volumes/0/cache".to_owned(),
            json!("lazy"),
            "volumes[0].cache",
            NotSupported,
        ),
        (
            "/files/0/encoding".to_owned(),
            json!("hex"),
            "files[0].encoding",
            NotSupported,
        ),
        (
            "/services/0/serviceIP".to_owned(),
            json!("ten"),
            "services[0].serviceIP",
            Invalid,
        ),
        (
            "/containers/0/image".to_owned(),
            json!(""),
            "containers[0].image",
            Required,
        ),
        (
            "/containers/0/envs/0/env".to_owned(),
            json!("A=B"),
            "containers[0].envs[0].env",
            Invalid,
        ),
        (
            "/containers/0/files/0/perm".to_owned(),
            json!("644"),
            "containers[0].files[0].perm",
            Invalid,
        ),
        (
            "/containers/0/cache".to_owned(),
            json!("fast"),
            "containers[0].cache",
            NotSupported,
        ),
        ("/dns/0".to_owned(), json!("dns.google"), "dns[0]", Invalid),
        (
            "/portmappings/0/protocol".to_owned(),
            json!("sctp"),
            "portmappings[0].protocol",
            NotSupported,
        ),
    ];
    all_independent_mistakes_are_reported(base, Format::Hyper, &mutations);
}

#[test]
fn a_pod_controller_spec_with_n_mistakes_reports_n_errors() {
    let base = json!({
        "initContainers": [{"name": "init", "spec": {"process": {"args": ["true"]}}}],
        "containers": [{
            "name": "main", "spec": {"process": {"args": ["sleep", "1000"]}},
            "livenessProbe": {"exec": ["true"], "periodSeconds": 2, "timeoutSeconds": 1,
                              "successThreshold": 1, "failureThreshold": 3, "initialDelaySeconds": 0},
            "readinessProbe": {"httpGet": {"port": 8080, "scheme": "http", "path": "/"}}
        }]
    });
    let mutations = vec![
        (
            "/initContainers/0/name".to_owned(),
            json!("main"),
            "containers[0].name",
            Duplicate,
        ),
        (
            "/containers/0/spec/process/args".to_owned(),
            json!([]),
            "containers[0].spec.process.args",
            Required,
        ),
        (
            "/containers/0/livenessProbe/periodSeconds".to_owned(),
            json!((-1)),
            "containers[0].livenessProbe.periodSeconds",
            Invalid,
        ),
        (
            "/containers/0/livenessProbe/timeoutSeconds".to_owned(),
            json!((-1)),
            "containers[0].livenessProbe.timeoutSeconds",
            Invalid,
        ),
        (
            "/containers/0/livenessProbe/failureThreshold".to_owned(),
            json!((-1)),
            "containers[0].livenessProbe.failureThreshold",
            Invalid,
        ),
        (
            "/containers/0/readinessProbe/httpGet/port".to_owned(),
            json!(0),
            "containers[0].readinessProbe.httpGet.port",
            Invalid,
        ),
    ];
    all_independent_mistakes_are_reported(base, Format::PodController, &mutations);
}
