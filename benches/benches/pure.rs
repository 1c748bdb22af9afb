//! Criterion benchmarks of the pure crates, with k8s-openapi measured in the same run.
//!
//! Run through `cargo xtask bench` (a table with the ratios), or directly with
//! `cargo bench -p benches` (add `-- --quick` for a fast pass, or a filter such as `phase`).
//!
//! Groups (ids are `group/function/parameter`; xtask pairs them by id):
//! - `parse`: `podspec::parse` + `podspec::validate` of small, typical and large pod files in
//!   each format (`podspec/hyper/small`, ...), and for the Kubernetes documents k8s-openapi's
//!   `Pod` deserialization of the same text (`k8s-openapi/k8s-json/typical`, ...).
//! - `phase`: `phase::aggregate` of pods with 1, 4 and 32 containers.
//! - `restart`: one `restart::decide`.
//! - `selector`: parsing a label selector, matching it against a pod's labels.
//! - `proto`: encoding and decoding an agent frame (a hello, a 4 KiB output).
//! - `initramfs`: building a 20 MiB initramfs in memory.
//! - `convert`: each example file (`examples/`) to the domain model: `convert::to_domain` of
//!   the parsed document (`convert/to_domain/<file>`), and the whole way from the text
//!   (`convert/file-to-domain/<file>`: parse, validate, convert).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use phase::{
    ContainerKind, ContainerSpec, ContainerState, ContainerStatus, Millis, PhaseFacts, PodSpec,
    RestartPolicy, Statuses, Termination, aggregate,
};
use podspec::{Format, Selector};
use restart::{Backoff, BackoffConfig, DecisionInput, ExitHow, LastRun, PodCondition, decide};
use serde_json::Value;
use vmm_ref_proto::{Bytes, Decoder, GuestMessage, ProcessId, Stream, encode};

#[path = "../../vmm-ref/src/initramfs.rs"]
#[allow(dead_code, unreachable_pub, missing_docs, unused_imports)]
mod initramfs;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples");

fn example(name: &str) -> String {
    std::fs::read_to_string(format!("{EXAMPLES}/{name}"))
        .unwrap_or_else(|e| panic!("examples/{name}: {e}"))
}

/// The same document with its (first) `containers` list grown to `n` entries, names made
/// unique: the "large" variant of a typical file.
fn grow(doc: &Value, n: usize) -> Value {
    fn go(v: &mut Value, n: usize) -> bool {
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    if k.eq_ignore_ascii_case("containers")
                        && let Value::Array(list) = child
                        && let Some(first) = list.first().cloned()
                    {
                        list.clear();
                        for i in 0..n {
                            let mut c = first.clone();
                            if let Some(obj) = c.as_object_mut() {
                                for key in ["name", "Name"] {
                                    if let Some(Value::String(s)) = obj.get_mut(key) {
                                        *s = format!("{s}-{i}");
                                    }
                                }
                            }
                            list.push(c);
                        }
                        return true;
                    }
                }
                map.values_mut().any(|c| go(c, n))
            }
            Value::Array(list) => list.iter_mut().any(|c| go(c, n)),
            _ => false,
        }
    }
    let mut doc = doc.clone();
    assert!(go(&mut doc, n), "no containers list to grow");
    doc
}

/// (format label, small, typical) documents, as text.
fn documents() -> Vec<(&'static str, String, String)> {
    let yaml_to_json = |text: &str| {
        let v: Value = serde_yaml::from_str(text).expect("YAML example");
        serde_json::to_string_pretty(&v).expect("JSON")
    };
    let k8s_small = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}}"#;
    vec![
        (
            "hyper",
            r#"{"id": "p", "containers": [{"image": "busybox"}]}"#.to_owned(),
            example("hyper-busybox.json"),
        ),
        ("k8s-json", k8s_small.to_owned(), yaml_to_json(&example("k8s-web.yaml"))),
        (
            "k8s-yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: busybox}\n"
                .to_owned(),
            example("k8s-web.yaml"),
        ),
        (
            "v1beta1",
            r#"{"kind": "Pod", "apiVersion": "v1beta1", "id": "p",
                "desiredState": {"manifest": {"containers": [{"name": "c", "image": "busybox"}]}}}"#
                .to_owned(),
            example("k8s-v1beta1-2014.json"),
        ),
        (
            "pod-controller",
            r#"{"containers": [{"name": "c", "spec": {"process": {"args": ["true"]}}}]}"#.to_owned(),
            example("pod-controller.json"),
        ),
    ]
}

/// Small, typical and large (the typical one with 64 containers) text of each format.
fn sized_documents() -> Vec<(&'static str, &'static str, String)> {
    let mut out = Vec::new();
    for (format, small, typical) in documents() {
        let yaml = format.ends_with("yaml");
        let value: Value = if yaml {
            serde_yaml::from_str(&typical).expect("YAML")
        } else {
            serde_json::from_str(&typical).expect("JSON")
        };
        let big = grow(&value, 64);
        let large = if yaml {
            serde_yaml::to_string(&big).expect("YAML")
        } else {
            serde_json::to_string_pretty(&big).expect("JSON")
        };
        out.push((format, "small", small));
        out.push((format, "typical", typical));
        out.push((format, "large", large));
    }
    out
}

fn parse_validate(text: &str) -> usize {
    let parsed = podspec::parse(text, None).expect("the benchmark documents parse");
    parsed.warnings.len() + podspec::validate(&parsed.document).len()
}

fn bench_parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    for (format, size, text) in sized_documents() {
        let id = format!("{format}/{size}");
        g.throughput(Throughput::Bytes(text.len() as u64));
        // Check once that both sides accept the document, outside the measurement.
        let parsed = podspec::parse(&text, None).expect("parses");
        let want = match format {
            "hyper" => Format::Hyper,
            "v1beta1" => Format::K8sV1beta1,
            "pod-controller" => Format::PodController,
            _ => Format::K8s,
        };
        assert_eq!(parsed.document.format(), want, "{id}");
        g.bench_with_input(BenchmarkId::new("podspec", &id), &text, |b, t| {
            b.iter(|| parse_validate(black_box(t)));
        });
        match format {
            "k8s-json" => {
                serde_json::from_str::<k8s_openapi::api::core::v1::Pod>(&text)
                    .expect("k8s-openapi");
                g.bench_with_input(BenchmarkId::new("k8s-openapi", &id), &text, |b, t| {
                    b.iter(|| {
                        serde_json::from_str::<k8s_openapi::api::core::v1::Pod>(black_box(t))
                            .map(|p| p.spec.map_or(0, |s| s.containers.len()))
                    });
                });
            }
            "k8s-yaml" => {
                serde_yaml::from_str::<k8s_openapi::api::core::v1::Pod>(&text)
                    .expect("k8s-openapi");
                g.bench_with_input(BenchmarkId::new("k8s-openapi", &id), &text, |b, t| {
                    b.iter(|| {
                        serde_yaml::from_str::<k8s_openapi::api::core::v1::Pod>(black_box(t))
                            .map(|p| p.spec.map_or(0, |s| s.containers.len()))
                    });
                });
            }
            _ => {}
        }
    }
    g.finish();
}

/// A pod of `n` regular containers under OnFailure: most running, one restarting after exit 1,
/// one finished with 0.
fn phase_pod(n: usize) -> (PodSpec, Vec<ContainerStatus>) {
    let mut spec = PodSpec::new(RestartPolicy::OnFailure);
    let mut statuses = Vec::new();
    for i in 0..n {
        let name = format!("c{i}");
        spec = spec.with_container(ContainerSpec::new(name.clone()));
        let state = match i % 4 {
            1 => ContainerState::terminated(0, Millis(5)),
            2 => ContainerState::Waiting { reason: None },
            _ => ContainerState::running(Millis(1)),
        };
        let mut s = ContainerStatus::new(name, state).with_ready(i % 4 == 0);
        if i % 4 == 2 {
            s = s.with_last_termination(Termination::new(1, Millis(4)));
        }
        statuses.push(s);
    }
    (spec, statuses)
}

fn bench_phase(c: &mut Criterion) {
    let mut g = c.benchmark_group("phase");
    for n in [1, 4, 32] {
        let (spec, statuses) = phase_pod(n);
        let facts = PhaseFacts::new().initialized();
        g.bench_function(
            BenchmarkId::new("aggregate", format!("{n}-containers")),
            |b| {
                b.iter(|| {
                    aggregate(
                        black_box(&spec),
                        Statuses::new(black_box(&statuses), &[]),
                        facts,
                    )
                });
            },
        );
    }
    g.finish();
}

fn bench_restart(c: &mut Criterion) {
    let mut g = c.benchmark_group("restart");
    let spec = ContainerSpec::new("app");
    let mut backoff = Backoff::new(BackoffConfig::default());
    backoff.next(Millis::from_secs(1));
    let input = DecisionInput {
        pod_policy: RestartPolicy::OnFailure,
        condition: PodCondition::Active,
        kind: ContainerKind::Regular,
        container: &spec,
        last: LastRun::Exited {
            how: ExitHow::Exited,
            code: Some(1),
            at: Millis::from_secs(2),
        },
    };
    g.bench_function("decide/exited-1", |b| {
        b.iter(|| decide(black_box(&input), black_box(&backoff), Millis::from_secs(3)));
    });
    g.finish();
}

fn bench_selector(c: &mut Criterion) {
    let mut g = c.benchmark_group("selector");
    let text = "app in (api,web),!canary,tier notin (db,cache),env=prod,release";
    let labels: BTreeMap<String, String> = [
        ("app", "web"),
        ("tier", "frontend"),
        ("env", "prod"),
        ("release", "2024-06"),
        ("team", "core"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let selector = Selector::parse(text).expect("parses");
    assert!(selector.matches(&labels));
    g.bench_function("parse/5-requirements", |b| {
        b.iter(|| Selector::parse(black_box(text)));
    });
    g.bench_function("match/5-requirements", |b| {
        b.iter(|| black_box(&selector).matches(black_box(&labels)));
    });
    g.finish();
}

fn bench_proto(c: &mut Criterion) {
    let mut g = c.benchmark_group("proto");
    let hello = GuestMessage::Hello {
        version: 1,
        agent: "vmm-ref-agent 0.1.0".to_owned(),
    };
    let output = GuestMessage::Output {
        process: ProcessId(7),
        stream: Stream::Stdout,
        data: Bytes::from(b"0123456789abcdef\n".repeat(241)),
    };
    for (name, message) in [("hello", &hello), ("output-4k", &output)] {
        let frame = encode(message).expect("encodes");
        g.throughput(Throughput::Bytes(frame.len() as u64));
        g.bench_function(BenchmarkId::new("encode", name), |b| {
            b.iter(|| encode(black_box(message)));
        });
        g.bench_function(BenchmarkId::new("decode", name), |b| {
            b.iter(|| {
                let mut d = Decoder::<GuestMessage>::new();
                d.decode(black_box(&frame))
            });
        });
    }
    g.finish();
}

fn bench_initramfs(c: &mut Criterion) {
    let mut g = c.benchmark_group("initramfs");
    g.sample_size(10);
    let files: Vec<(String, Vec<u8>)> = (0..20)
        .map(|i| {
            (
                format!("/rootfs/app/lib/blob{i}"),
                vec![u8::try_from(i).unwrap_or(0); 1 << 20],
            )
        })
        .collect();
    g.throughput(Throughput::Bytes(20 << 20));
    g.bench_function("build/20MiB", |b| {
        b.iter(|| {
            let mut fs = initramfs::Initramfs::new();
            fs.dir("/rootfs/app/lib", 0o755).expect("dir");
            for (path, data) in &files {
                fs.file(path, 0o644, data.clone()).expect("file");
            }
            fs.build().len()
        });
    });
    g.finish();
}

/// Every example file, by name, sorted.
fn example_files() -> Vec<(String, String)> {
    let mut names: Vec<String> = std::fs::read_dir(EXAMPLES)
        .expect("examples/")
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let text = example(&n);
            (n, text)
        })
        .collect()
}

fn bench_convert(c: &mut Criterion) {
    let mut g = c.benchmark_group("convert");
    let options = convert::Options::default();
    let files = example_files();
    assert!(files.len() >= 8, "the example files: {}", files.len());
    for (name, text) in &files {
        g.throughput(Throughput::Bytes(text.len() as u64));
        let doc = podspec::parse(text, None)
            .expect("an example parses")
            .document;
        assert!(podspec::validate(&doc).is_empty(), "{name} validates");
        let pod = convert::to_domain(&doc, &options).expect("an example converts");
        assert!(pod.value.validate().is_empty(), "{name} is a valid pod");
        g.bench_with_input(BenchmarkId::new("to_domain", name), &doc, |b, doc| {
            b.iter(|| {
                convert::to_domain(black_box(doc), &options).map(|p| p.value.containers.len())
            });
        });
        g.bench_with_input(BenchmarkId::new("file-to-domain", name), text, |b, text| {
            b.iter(|| {
                let doc = podspec::parse(black_box(text), None).ok()?.document;
                let errors = podspec::validate(&doc).len();
                let pod = convert::to_domain(&doc, &options).ok()?;
                Some(errors + pod.value.containers.len())
            });
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args()
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_parse, bench_phase, bench_restart, bench_selector, bench_proto, bench_initramfs, bench_convert
}
criterion_main!(benches);
