//! Properties of the parser: any wire value serialized to JSON or YAML parses back equal
//! (`parse(serialize(x)) == x`, STYLE.md H17), with no warnings; `parse` never panics.

use std::collections::BTreeMap;

use podspec::wire::{Document, IntOrString, Quantity, Str, hyper, k8s, podctl, v1beta1};
use podspec::{Format, parse, parse_value, to_json, to_yaml};
use proptest::collection::{btree_map, vec};
use proptest::option::of;
use proptest::prelude::*;

/// Strings, including ones YAML would read as something else if left unquoted.
fn text() -> impl Strategy<Value = Str> {
    let text = prop_oneof![
        "[a-zA-Z0-9 ._:/=-]{0,10}",
        proptest::sample::select(vec![
            "", "yes", "no", "on", "null", "~", "true", "1", "0x1f", "1e3", "-", "- a", "#x",
            "a: b", "[x]", "{}", "'q'", "\"", "\n", " lead", "trail ", "<<", "*a", "&a", "%", "é",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ];
    text.prop_map(Str::from)
}

fn strings() -> impl Strategy<Value = Option<Vec<Str>>> {
    of(vec(text(), 0..3))
}

fn labels() -> impl Strategy<Value = Option<BTreeMap<Str, Str>>> {
    of(btree_map(text(), text(), 0..3))
}

fn quantity() -> impl Strategy<Value = Quantity> {
    prop_oneof!["[0-9]{1,4}(m|Mi|Gi|k)?".prop_map(Str::from), text()].prop_map(Quantity)
}

fn int_or_string() -> impl Strategy<Value = IntOrString> {
    prop_oneof![
        any::<i32>().prop_map(IntOrString::Int),
        text().prop_map(IntOrString::String)
    ]
}

fn hyper_container() -> impl Strategy<Value = hyper::Container> {
    (
        (
            of(text()),
            of(text()),
            strings(),
            strings(),
            of(any::<bool>()),
        ),
        of(vec(
            (of(any::<i32>()), of(any::<i32>()), of(text())).prop_map(|(h, c, p)| {
                hyper::ContainerPort {
                    host_port: h,
                    container_port: c,
                    protocol: p,
                    ..Default::default()
                }
            }),
            0..2,
        )),
        of(vec(
            (of(text()), of(text())).prop_map(|(env, value)| hyper::EnvVar { env, value }),
            0..2,
        )),
        (of(text()), of(any::<u64>()), of(any::<u64>())),
        (of(text()), of(text()), labels()),
    )
        .prop_map(
            |(
                (name, image, command, entrypoint, ro),
                ports,
                envs,
                (sig, hard, soft),
                (vol, src, sysctl),
            )| {
                hyper::Container {
                    name,
                    image,
                    command,
                    entrypoint,
                    read_only: ro,
                    ports,
                    envs,
                    stop_signal: sig.clone(),
                    ulimits: Some(vec![hyper::Ulimit {
                        name: sig,
                        hard,
                        soft,
                    }]),
                    volumes: Some(vec![hyper::VolumeRef {
                        volume: vol,
                        detail: Some(hyper::Volume {
                            source: src,
                            ..Default::default()
                        }),
                        ..Default::default()
                    }]),
                    sysctl,
                    ..Default::default()
                }
            },
        )
}

fn hyper_pod() -> impl Strategy<Value = hyper::Pod> {
    (
        (
            of(text()),
            of(text()),
            of(text()),
            of(any::<bool>()),
            labels(),
        ),
        of((of(any::<i32>()), of(any::<i32>()))),
        of(vec(hyper_container(), 0..3)),
        of(vec(
            (of(text()), of(text()), of(text())).prop_map(|(c, h, p)| hyper::PortMapping {
                container_port: c,
                host_port: h,
                protocol: p,
            }),
            0..2,
        )),
        (strings(), of((of(text()), of(text())))),
    )
        .prop_map(
            |((id, name, policy, tty, labels), res, containers, portmappings, (dns, file))| {
                hyper::Pod {
                    id,
                    name,
                    restart_policy: policy,
                    tty,
                    labels,
                    resource: res.map(|(vcpu, memory)| hyper::Resource { vcpu, memory }),
                    containers,
                    portmappings,
                    dns,
                    files: file.map(|(name, contents)| {
                        vec![hyper::File {
                            name,
                            contents,
                            ..Default::default()
                        }]
                    }),
                    ..Default::default()
                }
            },
        )
}

fn k8s_container() -> impl Strategy<Value = k8s::Container> {
    (
        (of(text()), of(text()), strings(), of(text())),
        of(vec(of(any::<i32>()), 0..2)),
        of(btree_map(text(), quantity(), 0..3)),
        of((of(int_or_string()), of(any::<i32>()))),
        of(vec(of(text()), 0..2)),
    )
        .prop_map(
            |((name, image, args, policy), ports, limits, probe, env)| k8s::Container {
                name,
                image,
                args,
                restart_policy: policy,
                ports: ports.map(|ps| {
                    ps.into_iter()
                        .map(|p| k8s::ContainerPort {
                            container_port: p,
                            ..Default::default()
                        })
                        .collect()
                }),
                resources: Some(k8s::ResourceRequirements {
                    limits,
                    requests: None,
                }),
                liveness_probe: probe.map(|(port, period)| k8s::Probe {
                    http_get: Some(k8s::HttpGetAction {
                        port,
                        ..Default::default()
                    }),
                    period_seconds: period,
                    ..Default::default()
                }),
                env: env.map(|vs| {
                    vs.into_iter()
                        .map(|p| k8s::EnvVar {
                            name: Some("X".into()),
                            value_from: Some(k8s::EnvVarSource {
                                field_ref: Some(k8s::ObjectFieldSelector {
                                    field_path: p,
                                    ..Default::default()
                                }),
                                ..Default::default()
                            }),
                            ..Default::default()
                        })
                        .collect()
                }),
                ..Default::default()
            },
        )
}

fn k8s_pod() -> impl Strategy<Value = k8s::Pod> {
    (
        (of(text()), of(text()), of(text()), labels()),
        of(vec(k8s_container(), 0..3)),
        (of(text()), of(any::<i64>())),
        of((of(text()), of(any::<i32>()), of(any::<i32>()))),
    )
        .prop_map(
            |((api, kind, name, labels), containers, (policy, grace), status)| k8s::Pod {
                api_version: api,
                kind,
                metadata: Some(k8s::ObjectMeta {
                    name,
                    labels,
                    ..Default::default()
                }),
                spec: Some(k8s::PodSpec {
                    containers,
                    restart_policy: policy,
                    termination_grace_period_seconds: grace,
                    ..Default::default()
                }),
                status: status.map(|(phase, restarts, code)| k8s::PodStatus {
                    phase,
                    container_statuses: Some(vec![k8s::ContainerStatus {
                        restart_count: restarts,
                        state: Some(k8s::ContainerState {
                            terminated: Some(k8s::ContainerStateTerminated {
                                exit_code: code,
                                ..Default::default()
                            }),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }),
            },
        )
}

fn v1beta1_container() -> impl Strategy<Value = v1beta1::Container> {
    (of(text()), of(quantity()), strings(), of(int_or_string())).prop_map(
        |(name, memory, args, port)| v1beta1::Container {
            name,
            memory,
            args,
            liveness_probe: Some(v1beta1::LivenessProbe {
                tcp_socket: Some(v1beta1::TcpSocketAction { port }),
                ..Default::default()
            }),
            ..Default::default()
        },
    )
}

fn v1beta1_pod() -> impl Strategy<Value = v1beta1::Pod> {
    let policy = (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(a, o, n)| {
        let e = |b: bool| b.then_some(v1beta1::Empty {});
        v1beta1::RestartPolicyObject {
            always: e(a),
            on_failure: e(o),
            never: e(n),
        }
    });
    prop_oneof![
        (
            of(text()),
            labels(),
            of(vec(v1beta1_container(), 0..2)),
            of(policy)
        )
            .prop_map(|(id, labels, containers, restart_policy)| v1beta1::Pod {
                api_version: Some("v1beta1".into()),
                id,
                labels,
                desired_state: Some(v1beta1::PodState {
                    manifest: Some(v1beta1::ContainerManifest {
                        containers,
                        restart_policy,
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }),
        (of(text()), of(vec(v1beta1_container(), 0..2)), of(text())).prop_map(
            |(name, containers, restart_policy)| v1beta1::Pod {
                api_version: Some("V1beta1".into()),
                metadata: Some(v1beta1::Metadata {
                    name,
                    ..Default::default()
                }),
                spec: Some(v1beta1::Spec {
                    containers,
                    restart_policy,
                    ..Default::default()
                }),
                ..Default::default()
            }
        ),
    ]
}

fn podctl_spec() -> impl Strategy<Value = podctl::PodSpec> {
    let process = (strings(), strings(), of(any::<bool>()), of(any::<u32>())).prop_map(
        |(args, env, terminal, uid)| podctl::Process {
            args,
            env,
            terminal,
            user: uid.map(|uid| podctl::User {
                uid: Some(uid),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    let probe =
        (strings(), of(any::<i64>()), of(any::<i32>())).prop_map(|(exec, f, port)| podctl::Probe {
            exec,
            failure_threshold: f,
            http_get: port.map(|p| podctl::HttpGet {
                port: Some(p),
                ..Default::default()
            }),
            ..Default::default()
        });
    let container = (
        of(text()),
        of(process),
        of(probe),
        of(btree_map(text(), any::<i64>(), 0..2)),
    )
        .prop_map(|(name, process, probe, meta)| podctl::Container {
            name,
            spec: Some(podctl::OciSpec {
                process,
                ..Default::default()
            }),
            liveness_probe: probe,
            metadata: meta.map(|m| m.into_iter().map(|(k, v)| (k.into(), v.into())).collect()),
            ..Default::default()
        });
    (of(vec(of(text()), 0..2)), of(vec(container, 0..3))).prop_map(|(inits, containers)| {
        podctl::PodSpec {
            init_containers: inits.map(|names| {
                names
                    .into_iter()
                    .map(|name| podctl::InitContainer {
                        name,
                        ..Default::default()
                    })
                    .collect()
            }),
            containers,
        }
    })
}

fn document() -> impl Strategy<Value = Document> {
    prop_oneof![
        hyper_pod().prop_map(Document::Hyper),
        k8s_pod().prop_map(Document::K8s),
        v1beta1_pod().prop_map(Document::K8sV1beta1),
        podctl_spec().prop_map(Document::PodController),
    ]
}

fn round_trip(doc: &Document, text: &str) -> Result<(), TestCaseError> {
    let parsed =
        parse(text, Some(doc.format())).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    prop_assert_eq!(&parsed.document, doc, "{}", text);
    prop_assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn json_round_trips(doc in document()) {
        round_trip(&doc, &to_json(&doc).unwrap())?;
    }

    #[test]
    fn yaml_round_trips(doc in document()) {
        round_trip(&doc, &to_yaml(&doc).unwrap())?;
    }

    #[test]
    fn parse_never_panics_on_any_string(text in any::<String>(), f in 0..5_usize) {
        let _ = parse(&text, Format::ALL.get(f).copied());
    }

    #[test]
    fn parse_never_panics_on_json_like_text(
        text in r#"[{}\[\]",:a-zA-Z0-9 \n-]{0,60}"#, f in 0..5_usize,
    ) {
        let _ = parse(&text, Format::ALL.get(f).copied());
    }

    #[test]
    fn parse_value_never_panics(value in any_json(), f in 0..5_usize) {
        let _ = parse_value(value, Format::ALL.get(f).copied());
    }
}

/// Arbitrary JSON values, with keys drawn partly from real field names.
fn any_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text().prop_map(|s| Value::String(s.into())),
    ];
    let key = prop_oneof![
        proptest::sample::select(vec![
            "containers",
            "spec",
            "process",
            "apiVersion",
            "kind",
            "desiredState",
            "manifest",
            "restartPolicy",
            "livenessProbe",
            "httpGet",
            "port",
            "resources",
            "limits",
            "status",
            "initContainers",
            "exec",
            "volumes",
            "log",
            "resource",
            "memory",
            "labels",
            "Name",
        ])
        .prop_map(Str::from),
        text(),
    ];
    leaf.prop_recursive(6, 64, 6, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            vec((key.clone(), inner), 0..6).prop_map(|kvs| Value::Object(
                kvs.into_iter()
                    .map(|(k, v): (Str, Value)| (k.into(), v))
                    .collect()
            )),
        ]
    })
}
