//! `vmm-ref phase` as a user runs it: the built binary, its output and exit codes.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn vmm_ref() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vmm-ref"))
}

/// Runs `vmm-ref phase - ARGS` with `doc` on standard input.
fn phase_stdin(doc: &str, args: &[&str]) -> Output {
    let mut child = vmm_ref()
        .args(["phase", "-"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(doc.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The phase printed in text mode.
fn text_phase(doc: &str, args: &[&str]) -> String {
    let o = phase_stdin(doc, args);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).trim().to_owned()
}

fn json(doc: &str, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["-o", "json"];
    all.extend_from_slice(args);
    let o = phase_stdin(doc, &all);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../podspec/tests/fixtures")
        .join(name)
}

/// A pod with two regular containers and the given policy and statuses (JSON fragments).
fn pod(policy: &str, statuses: &str) -> String {
    format!(
        r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "p"}},
            "spec": {{"restartPolicy": "{policy}", "containers": [{{"name": "a", "image": "busybox"}}, {{"name": "b", "image": "busybox"}}]}},
            "status": {{"containerStatuses": [{statuses}]}}}}"#
    )
}

const A_DONE: &str = r#"{"name": "a", "state": {"terminated": {"exitCode": 0}}}"#;
const B_DONE: &str = r#"{"name": "b", "state": {"terminated": {"exitCode": 0, "finishedAt": "2024-01-01T00:00:09Z"}}}"#;
const B_FAILED: &str =
    r#"{"name": "b", "state": {"terminated": {"exitCode": 137, "signal": 9, "reason": "Error"}}}"#;

#[test]
fn help_explains_the_facts_with_an_example() {
    let o = vmm_ref().args(["phase", "--help"]).output().unwrap();
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(
        text.contains("vmm-ref phase - --initialized -o json"),
        "{text}"
    );
    assert!(text.contains("--terminal") && text.contains("--initialized"));
    assert!(text.contains("Exit codes"));
}

#[test]
fn prints_the_phase_from_the_statuses() {
    assert_eq!(
        text_phase(&pod("Never", &format!("{A_DONE}, {B_FAILED}")), &[]),
        "Failed"
    );
    assert_eq!(
        text_phase(&pod("Never", &format!("{A_DONE}, {B_DONE}")), &[]),
        "Succeeded"
    );
    assert_eq!(
        text_phase(&pod("OnFailure", &format!("{A_DONE}, {B_FAILED}")), &[]),
        "Running"
    );
    assert_eq!(
        text_phase(&pod("Always", A_DONE), &[]),
        "Pending",
        "b has no status"
    );
}

#[test]
fn terminal_flag_takes_the_kubelet_shortcut() {
    let doc = pod("Always", &format!("{A_DONE}, {B_DONE}"));
    assert_eq!(text_phase(&doc, &[]), "Running");
    assert_eq!(text_phase(&doc, &["--terminal"]), "Succeeded");
}

#[test]
fn static_pods_do_not_take_the_terminal_shortcut() {
    let doc = pod("Always", &format!("{A_DONE}, {B_DONE}")).replace(
        r#""metadata": {"name": "p"}"#,
        r#""metadata": {"name": "p", "annotations": {"kubernetes.io/config.source": "file"}}"#,
    );
    assert_eq!(text_phase(&doc, &["--terminal"]), "Running");
}

#[test]
fn initialized_flag_lets_an_unstarted_sidecar_restart_without_pending() {
    let doc = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: proxy, image: envoy, restartPolicy: Always}]
  containers: [{name: app, image: busybox}]
status:
  initContainerStatuses: [{name: proxy, started: false, state: {running: {startedAt: "2024-01-01T00:00:05Z"}}}]
  containerStatuses: [{name: app, started: true, ready: true, state: {running: {}}}]
"#;
    assert_eq!(text_phase(doc, &[]), "Pending");
    assert_eq!(text_phase(doc, &["--initialized"]), "Running");
}

#[test]
fn container_restart_rules_count() {
    let doc = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  restartPolicy: Never
  containers:
    - name: a
      image: busybox
      restartPolicy: Never
      restartPolicyRules: [{action: Restart, exitCodes: {operator: In, values: [42]}}]
status:
  containerStatuses: [{name: a, state: {terminated: {exitCode: EXIT}}}]
"#;
    assert_eq!(text_phase(&doc.replace("EXIT", "42"), &[]), "Running");
    assert_eq!(text_phase(&doc.replace("EXIT", "1"), &[]), "Failed");
}

#[test]
fn json_has_phase_hyper_status_and_conditions() {
    let v = json(&pod("Never", &format!("{A_DONE}, {B_FAILED}")), &[]);
    assert_eq!(v["phase"], "Failed");
    assert_eq!(v["hyperStatus"], "failed");
    assert_eq!(v["conditions"]["Ready"]["status"], "False");
    assert_eq!(v["conditions"]["Ready"]["reason"], "PodFailed");
    assert_eq!(v["conditions"]["ContainersReady"]["reason"], "PodFailed");
    assert_eq!(v["conditions"]["Initialized"]["status"], "True");

    let running = r#"{"name": "a", "ready": true, "state": {"running": {}}}, {"name": "b", "ready": true, "state": {"running": {}}}"#;
    let v = json(&pod("Always", running), &[]);
    assert_eq!(v["phase"], "Running");
    assert_eq!(v["hyperStatus"], "running");
    assert_eq!(
        v["conditions"]["Ready"],
        serde_json::json!({"status": "True"})
    );
}

#[test]
fn a_pod_without_statuses_is_created_for_hyper() {
    let v = json(&pod("Always", ""), &[]);
    assert_eq!(v["phase"], "Pending");
    assert_eq!(v["hyperStatus"], "created");
}

#[test]
fn a_terminal_api_phase_is_kept() {
    // The fixture's main container waits to restart (OnFailure, exit 1): computed Running, but
    // its status.phase is Failed, which the kubelet never leaves.
    let path = fixture("k8s-status.yaml");
    let o = vmm_ref().arg("phase").arg(&path).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "Failed");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("  phase: Failed\n", "");
    assert_eq!(text_phase(&text, &[]), "Running");
}

#[test]
fn an_unreadable_file_exits_2_naming_it() {
    let o = vmm_ref()
        .args(["phase", "/nonexistent/pod.yaml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent/pod.yaml"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn an_invalid_document_exits_1_naming_the_field() {
    let cases = [
        (pod("Sometimes", A_DONE), "spec.restartPolicy"),
        (
            pod(
                "Never",
                r#"{"name": "a", "state": {"waiting": {}, "running": {}}}"#,
            ),
            "status.containerStatuses[0].state",
        ),
        (
            pod("Never", r#"{"state": {"running": {}}}"#),
            "status.containerStatuses[0].name",
        ),
        (
            pod(
                "Never",
                r#"{"name": "a", "state": {"terminated": {"exitCode": "one"}}}"#,
            ),
            "status.containerStatuses[0].state.terminated.exitCode",
        ),
        (
            pod(
                "Never",
                r#"{"name": "a", "state": {"running": {"startedAt": "yesterday"}}}"#,
            ),
            "status.containerStatuses[0].state.running.startedAt",
        ),
        (
            pod("Never", r#"{"name": "a", "restartCount": -1, "state": {}}"#),
            "status.containerStatuses[0].restartCount",
        ),
        (r#"{"apiVersion": "v1", "kind": "Pod"}"#.to_owned(), "spec"),
        (
            r#"{"apiVersion": "v1", "kind": "Service", "spec": {}}"#.to_owned(),
            "kind",
        ),
    ];
    for (doc, field) in cases {
        let o = phase_stdin(&doc, &[]);
        assert_eq!(o.status.code(), Some(1), "{field}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(field),
            "expected {field} in: {}",
            stderr(&o)
        );
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn a_syntax_error_exits_1() {
    let o = phase_stdin("{\"kind\": \"Pod\",, }", &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("<stdin>"), "{}", stderr(&o));
}
