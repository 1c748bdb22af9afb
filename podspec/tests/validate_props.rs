//! Validation never panics: on arbitrary JSON values that deserialize into a format's wire
//! types, and on random mutations of every example and invalid fixture. Every error it reports
//! has a field path, and validating twice gives the same errors.

use podspec::{Format, parse, parse_value, validate};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Field names of every format, so that arbitrary objects hit real fields.
const KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "generateName",
    "namespace",
    "labels",
    "annotations",
    "spec",
    "containers",
    "initContainers",
    "image",
    "command",
    "args",
    "workingDir",
    "env",
    "value",
    "valueFrom",
    "fieldRef",
    "fieldPath",
    "secretKeyRef",
    "ports",
    "containerPort",
    "hostPort",
    "hostIP",
    "protocol",
    "resources",
    "limits",
    "requests",
    "cpu",
    "memory",
    "volumeMounts",
    "mountPath",
    "subPath",
    "readOnly",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "exec",
    "httpGet",
    "tcpSocket",
    "grpc",
    "port",
    "path",
    "scheme",
    "httpHeaders",
    "initialDelaySeconds",
    "periodSeconds",
    "timeoutSeconds",
    "successThreshold",
    "failureThreshold",
    "terminationGracePeriodSeconds",
    "lifecycle",
    "postStart",
    "preStop",
    "sleep",
    "seconds",
    "restartPolicy",
    "restartPolicyRules",
    "action",
    "exitCodes",
    "operator",
    "values",
    "imagePullPolicy",
    "terminationMessagePolicy",
    "volumes",
    "hostPath",
    "emptyDir",
    "medium",
    "sizeLimit",
    "type",
    "dnsPolicy",
    "hostname",
    "subdomain",
    "activeDeadlineSeconds",
    "id",
    "desiredState",
    "manifest",
    "version",
    "always",
    "onFailure",
    "never",
    "source",
    "hostDir",
    "key",
    "envs",
    "workdir",
    "entrypoint",
    "files",
    "filename",
    "perm",
    "user",
    "group",
    "volume",
    "detail",
    "format",
    "driver",
    "cache",
    "interfaces",
    "gateway",
    "services",
    "serviceIP",
    "servicePort",
    "hosts",
    "dns",
    "portmappings",
    "resource",
    "vcpu",
    "StopSignal",
    "encoding",
    "content",
    "uri",
    "process",
    "terminal",
    "cwd",
    "root",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-3_i64..70_000).prop_map(Value::from),
        prop_oneof![
            Just(String::new()),
            Just("Always".to_owned()),
            Just("tcp".to_owned()),
            Just("8000-8010".to_owned()),
            Just("128Mi".to_owned()),
            Just("0644".to_owned()),
            Just("10.0.0.1".to_owned()),
            Just("metadata.labels['a']".to_owned()),
            "[a-zA-Z0-9 ./=_-]{0,12}",
            "\\PC{0,8}",
        ]
        .prop_map(Value::String),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|kv| {
                Value::Object(
                    kv.into_iter()
                        .map(|(k, v)| ((*k).to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

/// Every example and invalid fixture, as seeds for mutation.
const SEEDS: &[&str] = &[
    include_str!("../../examples/hyper-busybox.json"),
    include_str!("../../examples/hyper-ubuntu.yml"),
    include_str!("../../examples/k8s-onfailure.yaml"),
    include_str!("../../examples/k8s-v1beta1-2014.json"),
    include_str!("../../examples/k8s-v1beta1-restart-fails.json"),
    include_str!("../../examples/k8s-web.yaml"),
    include_str!("../../examples/pod-controller.json"),
    include_str!("invalid/hyper-many-mistakes.json"),
    include_str!("invalid/k8s-many-mistakes.yaml"),
    include_str!("invalid/k8s-init-and-sidecar.json"),
    include_str!("invalid/v1beta1-2014.json"),
    include_str!("invalid/pod-controller.json"),
];

/// One edit of a document: mostly type-preserving, so that the result still deserializes
/// and reaches validation.
#[derive(Clone, Debug)]
enum Edit {
    /// Replace the n-th string.
    Str(String),
    /// Replace the n-th number.
    Num(i64),
    /// Flip the n-th boolean.
    Flip,
    /// Remove the first key of the n-th object.
    RemoveKey,
    /// Duplicate the first item of the n-th array.
    Duplicate,
    /// Empty the n-th array.
    Clear,
    /// Replace the n-th node with anything.
    Any(Value),
}

fn edit() -> impl Strategy<Value = (usize, Edit)> {
    let e = prop_oneof![
        4 => leaf().prop_map(|v| match v {
            Value::String(s) => Edit::Str(s),
            Value::Number(n) => Edit::Num(n.as_i64().unwrap_or(0)),
            _ => Edit::Flip,
        }),
        2 => (-3_i64..70_000).prop_map(Edit::Num),
        2 => Just(Edit::RemoveKey),
        2 => Just(Edit::Duplicate),
        1 => Just(Edit::Clear),
        1 => json().prop_map(Edit::Any),
    ];
    (any::<usize>(), e)
}

/// Applies `e` to the `n`-th node (pre-order, modulo the count) it applies to.
fn apply(v: &mut Value, n: usize, e: &Edit) {
    fn applies(e: &Edit, v: &Value) -> bool {
        match e {
            Edit::Str(_) => v.is_string(),
            Edit::Num(_) => v.is_number(),
            Edit::Flip => v.is_boolean(),
            Edit::RemoveKey => v.as_object().is_some_and(|o| !o.is_empty()),
            Edit::Duplicate => v.as_array().is_some_and(|a| !a.is_empty()),
            Edit::Clear => v.is_array(),
            Edit::Any(_) => true,
        }
    }
    fn count(v: &Value, e: &Edit) -> usize {
        usize::from(applies(e, v))
            + match v {
                Value::Array(a) => a.iter().map(|c| count(c, e)).sum(),
                Value::Object(o) => o.values().map(|c| count(c, e)).sum(),
                _ => 0,
            }
    }
    fn walk(v: &mut Value, n: &mut Option<usize>, e: &Edit) {
        let Some(k) = *n else { return };
        if applies(e, v) {
            if k == 0 {
                *n = None;
                match e {
                    Edit::Str(s) => *v = Value::String(s.clone()),
                    Edit::Num(x) => *v = Value::from(*x),
                    Edit::Flip => *v = Value::Bool(!v.as_bool().unwrap_or(false)),
                    Edit::RemoveKey => {
                        let o = v.as_object_mut().unwrap();
                        let first = o.keys().next().unwrap().clone();
                        o.remove(&first);
                    }
                    Edit::Duplicate => {
                        let a = v.as_array_mut().unwrap();
                        a.push(a[0].clone());
                    }
                    Edit::Clear => v.as_array_mut().unwrap().clear(),
                    Edit::Any(x) => *v = x.clone(),
                }
                return;
            }
            *n = Some(k - 1);
        }
        match v {
            Value::Array(a) => a.iter_mut().for_each(|c| walk(c, n, e)),
            Value::Object(o) => o.values_mut().for_each(|c| walk(c, n, e)),
            _ => {}
        }
    }
    let total = count(v, e);
    if total > 0 {
        walk(v, &mut Some(n % total), e);
    }
}

fn check(doc: &podspec::wire::Document) -> Result<(), TestCaseError> {
    let errs = validate(doc);
    for e in &errs {
        prop_assert!(!e.field.is_root(), "error without a path: {e}");
        let _ = e.to_string();
    }
    prop_assert_eq!(validate(doc), errs);
    Ok(())
}

proptest! {
    /// Arbitrary JSON, read as each format: whatever deserializes validates without panicking.
    #[test]
    fn validation_never_panics_on_arbitrary_json(value in json()) {
        for format in Format::ALL {
            if let Ok(parsed) = parse_value(value.clone(), Some(format)) {
                check(&parsed.document)?;
            }
        }
        if let Ok(parsed) = parse_value(value, None) {
            check(&parsed.document)?;
        }
    }

    /// Mutations of real documents (deep paths, nearly the right types) never panic either.
    #[test]
    fn validation_never_panics_on_mutated_documents(
        seed in 0..SEEDS.len(),
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let parsed = parse(SEEDS[seed], None).unwrap();
        let format = parsed.document.format();
        let mut value = serde_json::to_value(&parsed.document).unwrap();
        for (n, e) in &edits {
            apply(&mut value, *n, e);
        }
        if let Ok(parsed) = parse_value(value, Some(format)) {
            check(&parsed.document)?;
        }
    }
}

#[test]
fn edits_reach_nested_nodes_of_their_kind() {
    let mut v = serde_json::json!({"a": [1, {"b": "x", "c": [true]}], "d": "y"});
    apply(&mut v, 1, &Edit::Str("z".into()));
    assert_eq!(v["d"], "z");
    apply(&mut v, 0, &Edit::Num(7));
    assert_eq!(v["a"][0], 7);
    apply(&mut v, 0, &Edit::Flip);
    assert_eq!(v["a"][1]["c"][0], false);
    apply(&mut v, 1, &Edit::Duplicate);
    assert_eq!(v["a"][1]["c"], serde_json::json!([false, false]));
    apply(&mut v, 1, &Edit::RemoveKey);
    assert_eq!(v["a"][1], serde_json::json!({"c": [false, false]}));
}

/// The generators reach validation: a fair share of their documents deserialize, in every
/// format, and some of those have errors and some do not.
#[test]
fn generators_reach_validation() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let mut parsed = [0_usize; 4];
    let mut with_errors = 0;
    for _ in 0..400 {
        let value = json().new_tree(&mut runner).unwrap().current();
        for (i, format) in Format::ALL.into_iter().enumerate() {
            if let Ok(p) = parse_value(value.clone(), Some(format)) {
                parsed[i] += 1;
                if !validate(&p.document).is_empty() {
                    with_errors += 1;
                }
            }
        }
    }
    assert!(
        parsed.iter().all(|n| *n >= 40),
        "parsed per format: {parsed:?}"
    );
    assert!(with_errors >= 40, "{with_errors} documents with errors");

    let mut mutated_ok = 0;
    let mut mutated_errors = 0;
    let edits = (0..SEEDS.len(), prop::collection::vec(edit(), 1..4));
    for _ in 0..400 {
        let (seed, edits) = edits.new_tree(&mut runner).unwrap().current();
        let p = parse(SEEDS[seed], None).unwrap();
        let format = p.document.format();
        let mut value = serde_json::to_value(&p.document).unwrap();
        for (n, e) in &edits {
            apply(&mut value, *n, e);
        }
        if let Ok(p) = parse_value(value, Some(format)) {
            mutated_ok += 1;
            if !validate(&p.document).is_empty() {
                mutated_errors += 1;
            }
        }
    }
    assert!(mutated_ok >= 200, "{mutated_ok} mutated documents parsed");
    assert!(
        mutated_errors >= 40,
        "{mutated_errors} mutated documents with errors"
    );
}
