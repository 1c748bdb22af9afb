//! Runs one side of the `parse` benchmark N times, for instruction counts under callgrind
//! (criterion's times swing on a shared machine; instruction counts do not).
//!
//! ```text
//! cargo build --release -p benches --example parse_count
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/parse_count k8s-json/typical podspec 200
//! ```
//!
//! Arguments: `k8s-json|k8s-yaml` `/` `small|typical|large` (the benchmark's documents),
//! `podspec` (parse + validate) or `k8s-openapi` (its `Pod` deserialization), and the number of
//! iterations. The count per document is the difference between N and 0 iterations, divided
//! by N.

use std::hint::black_box;

use serde_json::Value;

/// The benchmark's documents (`benches/benches/pure.rs`): small, typical (examples/k8s-web.yaml)
/// and large (its containers list grown to 64).
fn document(id: &str) -> String {
    let typical = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/k8s-web.yaml"
    ))
    .expect("examples/k8s-web.yaml");
    let value: Value = serde_yaml::from_str(&typical).expect("YAML");
    let grown = || {
        let mut v = value.clone();
        let containers = v["spec"]["containers"].as_array_mut().expect("containers");
        let first = containers[0].clone();
        *containers = (0..64)
            .map(|i| {
                let mut c = first.clone();
                c["name"] = Value::from(format!("server-{i}"));
                c
            })
            .collect();
        v
    };
    match id {
        "k8s-json/small" => r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}}"#
            .to_owned(),
        "k8s-json/typical" => serde_json::to_string_pretty(&value).expect("JSON"),
        "k8s-json/large" => serde_json::to_string_pretty(&grown()).expect("JSON"),
        "k8s-yaml/small" => "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: busybox}\n".to_owned(),
        "k8s-yaml/typical" => typical,
        "k8s-yaml/large" => serde_yaml::to_string(&grown()).expect("YAML"),
        other => panic!("unknown document {other}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(id), Some(side)) = (args.get(1), args.get(2)) else {
        panic!("usage: parse_count k8s-json/typical podspec|k8s-openapi [N]");
    };
    let n: usize = args.get(3).map_or(1, |s| s.parse().expect("N"));
    let text = document(id);
    let yaml = id.starts_with("k8s-yaml");
    let mut sum = 0;
    for _ in 0..n {
        sum += match side.as_str() {
            "podspec" => {
                let parsed = podspec::parse(black_box(&text), None).expect("parses");
                parsed.warnings.len() + podspec::validate(&parsed.document).len()
            }
            "k8s-openapi" => {
                let pod: k8s_openapi::api::core::v1::Pod = if yaml {
                    serde_yaml::from_str(black_box(&text)).expect("k8s-openapi")
                } else {
                    serde_json::from_str(black_box(&text)).expect("k8s-openapi")
                };
                pod.spec.map_or(0, |s| s.containers.len())
            }
            other => panic!("unknown side {other}"),
        };
    }
    println!("{sum}");
}
