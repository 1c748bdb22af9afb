//! Mutated example documents: conversion never panics, and a document that passes
//! `podspec::validate` converts without error into a pod that passes `Pod::validate`
//! ("validates" and "fits the model" agree).

use podspec::Format;
use proptest::prelude::*;
use serde_json::{Value, json};

const EXAMPLES: [(&str, &str); 8] = [
    (
        "hyper-busybox.json",
        include_str!("../../examples/hyper-busybox.json"),
    ),
    (
        "hyper-ubuntu.yml",
        include_str!("../../examples/hyper-ubuntu.yml"),
    ),
    (
        "k8s-onfailure.yaml",
        include_str!("../../examples/k8s-onfailure.yaml"),
    ),
    ("k8s-web.yaml", include_str!("../../examples/k8s-web.yaml")),
    (
        "k8s-v1beta1-2014.json",
        include_str!("../../examples/k8s-v1beta1-2014.json"),
    ),
    (
        "k8s-v1beta1-restart-fails.json",
        include_str!("../../examples/k8s-v1beta1-restart-fails.json"),
    ),
    (
        "k8s-v1beta1-restart-succeeds.json",
        include_str!("../../examples/k8s-v1beta1-restart-succeeds.json"),
    ),
    (
        "pod-controller.json",
        include_str!("../../examples/pod-controller.json"),
    ),
];

/// Values that matter to some field somewhere.
fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(null)),
        Just(json!("")),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1)),
        Just(json!(65536)),
        Just(json!(true)),
        Just(json!({})),
        Just(json!([])),
        Just(json!("Always")),
        Just(json!("never")),
        Just(json!("1500m")),
        Just(json!("256Mi")),
        Just(json!("a/b")),
        Just(json!("Upper_Case")),
        Just(json!("$(A)")),
        Just(json!("metadata.labels['app']")),
        Just(json!("spec.nodeName")),
        Just(json!("http")),
        Just(json!("UDP")),
        Just(json!("SIGKILL")),
        Just(json!("10.0.0.1")),
        Just(json!("80-81")),
        Just(json!(["x"])),
        Just(json!({"always": {}})),
        "[a-z]{1,6}".prop_map(Value::String),
    ]
}

/// Paths of every value in `v` (object members and list items), in document order.
fn paths(v: &Value, here: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                here.push(PathStep::Key(k.clone()));
                out.push(here.clone());
                paths(x, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                here.push(PathStep::Index(i));
                out.push(here.clone());
                paths(x, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn at<'a>(v: &'a mut Value, path: &[PathStep]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, step| match step {
        PathStep::Key(k) => v.get_mut(k.as_str()),
        PathStep::Index(i) => v.get_mut(*i),
    })
}

fn document(text: &str) -> (Value, Format) {
    let parsed = podspec::parse(text, None).unwrap();
    let format = parsed.document.format();
    (serde_json::to_value(&parsed.document).unwrap(), format)
}

proptest! {
    #[test]
    fn mutated_examples_never_panic_and_valid_ones_convert(
        which in 0..EXAMPLES.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), replacement()), 1..4),
    ) {
        let (file, text) = EXAMPLES[which];
        let (mut value, format) = document(text);
        for (index, new) in edits {
            let mut all = Vec::new();
            paths(&value, &mut Vec::new(), &mut all);
            if all.is_empty() {
                break;
            }
            let path = index.get(&all).clone();
            if let Some(slot) = at(&mut value, &path) {
                *slot = new;
            }
        }
        let Ok(parsed) = podspec::parse_value(value.clone(), Some(format)) else {
            return Ok(());
        };
        let converted = convert::to_domain(&parsed.document, &convert::Options::default());
        if podspec::validate(&parsed.document).is_empty() {
            let pod = match converted {
                Ok(c) => c.value,
                Err(e) => {
                    prop_assert!(false, "{file}: valid but not convertible: {e}\n{value:#}");
                    unreachable!()
                }
            };
            let errs = pod.validate();
            prop_assert!(errs.is_empty(), "{file}: valid but the pod is not: {errs:?}\n{value:#}");
            for target in [convert::Target::Hyper, convert::Target::K8s] {
                if let Ok(out) = convert::to_document(&pod, target) {
                    let errs = podspec::validate(&out.value);
                    prop_assert!(errs.is_empty(), "{file} -> {target}: {errs:?}\n{value:#}");
                }
            }
        }
    }
}
