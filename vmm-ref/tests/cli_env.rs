//! CLI tests of `vmm-ref env`: they run the built binary.

mod cli_support;

use std::path::{Path, PathBuf};
use std::process::Output;

use cli_support::*;

/// Writes `text` to a file of its own under the test's temporary directory.
fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli_env");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn lines(o: &Output) -> Vec<String> {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    stdout(o).lines().map(str::to_owned).collect()
}

const SERVICES: &str = r#"{"kind": "ServiceList", "apiVersion": "v1", "items": [
  {"metadata": {"name": "kubernetes", "namespace": "default"},
   "spec": {"clusterIP": "10.0.0.1", "ports": [{"name": "https", "port": 443, "protocol": "TCP"}]}},
  {"metadata": {"name": "redis-master", "namespace": "default"},
   "spec": {"clusterIP": "2001:DB8::11", "ports": [{"port": 6379}]}},
  {"metadata": {"name": "headless", "namespace": "default"}, "spec": {"clusterIP": "None"}},
  {"metadata": {"name": "db", "namespace": "other"},
   "spec": {"clusterIP": "10.0.0.12", "ports": [{"port": 5432}]}}]}"#;

#[test]
fn the_first_regular_container_by_default_with_field_refs_and_expansion() {
    let o = run(&["env", &example("k8s-web.yaml")]);
    assert_eq!(
        lines(&o),
        ["HOSTNAME=web", "POD_NAME=web", "GREETING=hello from web"]
    );
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn services_from_a_service_list_with_kubernetes_rules() {
    let services = temp_file("list.json", SERVICES);
    let o = run(&[
        "env",
        &example("k8s-onfailure.yaml"),
        "--services",
        services.to_str().unwrap(),
    ]);
    let got = lines(&o);
    let want = [
        "HOSTNAME=example-pod",
        "KUBERNETES_SERVICE_HOST=10.0.0.1",
        "KUBERNETES_SERVICE_PORT=443",
        "KUBERNETES_SERVICE_PORT_HTTPS=443",
        "KUBERNETES_PORT=tcp://10.0.0.1:443",
        "KUBERNETES_PORT_443_TCP=tcp://10.0.0.1:443",
        "KUBERNETES_PORT_443_TCP_PROTO=tcp",
        "KUBERNETES_PORT_443_TCP_PORT=443",
        "KUBERNETES_PORT_443_TCP_ADDR=10.0.0.1",
        "REDIS_MASTER_SERVICE_HOST=2001:DB8::11",
        "REDIS_MASTER_SERVICE_PORT=6379",
        "REDIS_MASTER_PORT=tcp://[2001:DB8::11]:6379",
        "REDIS_MASTER_PORT_6379_TCP=tcp://[2001:DB8::11]:6379",
        "REDIS_MASTER_PORT_6379_TCP_PROTO=tcp",
        "REDIS_MASTER_PORT_6379_TCP_PORT=6379",
        "REDIS_MASTER_PORT_6379_TCP_ADDR=2001:DB8::11",
    ];
    assert_eq!(
        got, want,
        "headless and other-namespace services are not seen"
    );
}

#[test]
fn service_links_off_and_user_variables_win() {
    let pod = r#"apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  enableServiceLinks: false
  containers:
    - name: c
      image: busybox
      env:
        - {name: KUBERNETES_SERVICE_HOST, value: mine}
        - {name: URL, value: "https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)"}
"#;
    let services = temp_file("links.json", SERVICES);
    let o = run_stdin(&["env", "-", "--services", services.to_str().unwrap()], pod);
    let got = lines(&o);
    assert_eq!(
        &got[..3],
        [
            "HOSTNAME=p",
            "KUBERNETES_SERVICE_HOST=mine",
            "URL=https://mine:443"
        ]
    );
    assert!(
        got.iter().all(|l| !l.starts_with("REDIS_MASTER")),
        "{got:?}"
    );
    assert_eq!(
        got.iter()
            .filter(|l| l.starts_with("KUBERNETES_SERVICE_HOST="))
            .count(),
        1
    );
}

#[test]
fn json_output_is_one_object_in_order_with_hypers_own_services() {
    let o = run(&["env", &example("hyper-busybox.json"), "-o", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        &keys[..4],
        [
            "HOSTNAME",
            "GREETING",
            "SERVICE_0_SERVICE_HOST",
            "SERVICE_0_SERVICE_PORT"
        ]
    );
    assert_eq!(v["SERVICE_0_PORT"], "tcp://10.254.0.24:2834");
    assert_eq!(v["HOSTNAME"], "busybox-pod");
}

#[test]
fn an_array_of_services_and_a_chosen_container() {
    let services = temp_file(
        "array.json",
        r#"[{"metadata": {"name": "web"}, "spec": {"clusterIP": "10.0.0.5", "ports": [{"name": "http", "port": 80}]}}]"#,
    );
    let o = run(&[
        "env",
        &example("k8s-web.yaml"),
        "--container",
        "setup",
        "--services",
        services.to_str().unwrap(),
    ]);
    let got = lines(&o);
    assert_eq!(got[0], "HOSTNAME=web");
    assert_eq!(got[1], "WEB_SERVICE_HOST=10.0.0.5");
    assert!(
        got.contains(&"WEB_SERVICE_PORT_HTTP=80".to_owned()),
        "{got:?}"
    );
}

#[test]
fn unresolvable_and_unsupported_sources_are_warnings() {
    let pod = r#"apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      image: busybox
      env:
        - name: NODE
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        - name: SECRET
          valueFrom: {secretKeyRef: {name: s, key: k}}
        - {name: A, value: "1"}
"#;
    let o = run_stdin(&["env", "-"], pod);
    assert_eq!(lines(&o), ["HOSTNAME=p", "A=1"]);
    let err = stderr(&o);
    assert!(
        err.contains("warning: containers[0].env[0]: NODE is not set: spec.nodeName is known only to a cluster"),
        "{err}"
    );
    assert!(
        err.contains(
            "warning: spec.containers[0].env[1].valueFrom.secretKeyRef: dropped: unsupported source"
        ),
        "{err}"
    );
}

#[test]
fn errors_and_exit_codes() {
    let o = run(&["env", &example("k8s-web.yaml"), "--container", "nope"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("has no container named \"nope\""),
        "{}",
        stderr(&o)
    );

    let bad = temp_file(
        "bad.json",
        r#"[{"metadata": {"name": "x"}, "spec": {"ports": [{"port": 0}]}}]"#,
    );
    let o = run(&[
        "env",
        &example("k8s-web.yaml"),
        "--services",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("[0].spec.ports[0].port: Invalid value: 0"),
        "{}",
        stderr(&o)
    );

    let o = run(&[
        "env",
        &example("k8s-web.yaml"),
        "--services",
        "/nonexistent.json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["env", "/nonexistent.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run_stdin(&["env", "-", "--services", "-"], "{}");
    assert_eq!(o.status.code(), Some(2));

    let o = run_stdin(&["env", "-"], r#"{"id": "p"}"#);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("the pod has no containers"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn help_explains_with_an_example() {
    let o = run(&["env", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    assert!(help.contains("Examples:"), "{help}");
    assert!(
        help.contains("vmm-ref env examples/k8s-web.yaml --container server"),
        "{help}"
    );
    assert!(
        help.contains("REDIS_MASTER_SERVICE_HOST=10.0.0.11"),
        "{help}"
    );
}
