//! CLI tests of `vmm-ref validate` and `vmm-ref schema`: they run the built binary.

mod cli_support;

use cli_support::*;

#[test]
fn every_example_is_valid_and_detected_as_its_format() {
    let cases = [
        ("hyper-ubuntu.yml", "hyper"),
        ("hyper-busybox.json", "hyper"),
        ("k8s-v1beta1-restart-succeeds.json", "k8s-v1beta1"),
        ("k8s-v1beta1-restart-fails.json", "k8s-v1beta1"),
        ("k8s-v1beta1-2014.json", "k8s-v1beta1"),
        ("k8s-onfailure.yaml", "k8s"),
        ("k8s-web.yaml", "k8s"),
        ("pod-controller.json", "pod-controller"),
    ];
    for (file, format) in cases {
        let path = examples().join(file);
        let o = run(&["validate", "-o", "json", path.to_str().unwrap()]);
        let v = json(&o);
        assert_eq!(v["valid"], true, "{file}: {v:#}");
        assert_eq!(v["format"], format, "{file}");
        assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{file}");
        assert_eq!(o.status.code(), Some(0), "{file}: {}", stderr(&o));
    }
}

#[test]
fn valid_file_text_output_says_valid_and_exits_0() {
    let path = examples().join("k8s-onfailure.yaml");
    let o = run(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("valid k8s pod file"), "{}", stdout(&o));
}

const INVALID_K8S: &str = r#"{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "bad"},
  "spec": {
    "restartPolicy": "Sometimes",
    "containers": [
      {"name": "", "image": "busybox"},
      {"name": "b", "image": ""}
    ]
  }
}"#;

#[test]
fn invalid_file_lists_every_error_with_its_path_and_exits_1() {
    let o = run_stdin(&["validate", "-"], INVALID_K8S);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("spec.containers[0].name: Required value"),
        "{out}"
    );
    assert!(
        out.contains("spec.containers[1].image: Required value"),
        "{out}"
    );
    assert!(
        out.contains("spec.restartPolicy: Unsupported value: \"Sometimes\""),
        "{out}"
    );
}

#[test]
fn invalid_file_json_has_field_type_and_detail() {
    let o = run_stdin(&["validate", "-o", "json", "-"], INVALID_K8S);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["valid"], false);
    assert_eq!(v["format"], "k8s");
    let errors = v["errors"].as_array().unwrap();
    let found = errors.iter().any(|e| {
        e["field"] == "spec.restartPolicy"
            && e["type"] == "FieldValueNotSupported"
            && e["detail"].as_str().unwrap().contains("Sometimes")
    });
    assert!(found, "{v:#}");
    assert!(
        errors
            .iter()
            .any(|e| e["field"] == "spec.containers[0].name" && e["type"] == "FieldValueRequired")
    );
}

#[test]
fn type_error_has_a_path_and_type_invalid() {
    let doc = r#"{"id": "p", "resource": {"vcpu": 1, "memory": "128"}, "containers": [{"image": "busybox"}]}"#;
    let o = run_stdin(&["validate", "-o", "json", "-"], doc);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let e = &v["errors"][0];
    assert_eq!(e["field"], "resource.memory", "{v:#}");
    assert_eq!(e["type"], "FieldValueTypeInvalid");
}

#[test]
fn syntax_error_names_line_and_column() {
    let o = run_stdin(
        &["validate", "-"],
        "{\n  \"id\": \"p\",\n  \"containers\": [ }\n",
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("line 3"), "{out}");
    assert!(out.contains("column"), "{out}");
}

/// Text output draws a syntax error over the text: the offending line, a mark under the place
/// the parser names, the stable code and a help line; a field error gets its help line.
#[test]
fn syntax_error_is_drawn_over_the_text_with_a_code_and_help() {
    let o = run_stdin(
        &["validate", "-"],
        "{\n  \"id\": \"p\",\n  \"containers\": [{\"image\": \"busybox\"]\n}\n",
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("podspec::syntax::json"), "{out}");
    assert!(out.contains("help: fix the JSON"), "{out}");
    // The offending line is shown, and the mark sits under the column the message names.
    let lines: Vec<&str> = out.lines().collect();
    let shown = lines
        .iter()
        .position(|l| l.contains(r#""containers": [{"image": "busybox"]"#))
        .unwrap_or_else(|| panic!("the line is not shown: {out}"));
    let column: usize = out
        .split("column ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no column: {out}"));
    // The source line is drawn as `N │ <text>`; the mark line as `  · <spaces>┬`.
    let chars = |l: &str, c: char| l.chars().position(|x| x == c);
    let text_start = chars(lines[shown], '│').unwrap_or_else(|| panic!("{out}")) + 2;
    let mark = chars(lines[shown + 1], '┬').unwrap_or_else(|| panic!("no mark: {out}"));
    assert_eq!(mark - text_start, column - 1, "{out}");

    let o = run_stdin(
        &["validate", "-"],
        r#"{"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": 3}]}}"#,
    );
    let out = stdout(&o);
    assert!(
        out.contains("spec.containers[0].image: Invalid value: 3: expected a string\n  help: write the value as the type"),
        "{out}"
    );
}

#[test]
fn unreadable_file_exits_2_and_names_the_file() {
    let o = run(&["validate", "/nonexistent/pod.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent/pod.yaml"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unknown_field_is_a_warning_and_strict_makes_it_an_error() {
    let doc = "id: p\ncontainers:\n  - image: busybox\n    colour: red\n";
    let o = run_stdin(&["validate", "-"], doc);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("containers[0].colour"),
        "{}",
        stderr(&o)
    );

    let o = run_stdin(&["validate", "--strict", "-o", "json", "-"], doc);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["errors"][0]["field"], "containers[0].colour", "{v:#}");
}

#[test]
fn format_override_is_applied() {
    // A Hyper-looking document read as Kubernetes v1 is missing what Kubernetes requires.
    let path = examples().join("hyper-busybox.json");
    let o = run(&[
        "validate",
        "--format",
        "k8s",
        "-o",
        "json",
        path.to_str().unwrap(),
    ]);
    let v = json(&o);
    assert_eq!(v["format"], "k8s");
    assert_eq!(v["valid"], false, "{v:#}");
}

#[test]
fn unknown_format_is_a_usage_error() {
    let o = run(&["validate", "--format", "docker", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("hyper, k8s, k8s-v1beta1, pod-controller"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn schema_prints_a_json_schema_per_format() {
    for format in ["hyper", "k8s", "k8s-v1beta1", "pod-controller"] {
        let o = run(&["schema", "--format", format]);
        assert_eq!(o.status.code(), Some(0), "{format}");
        let v = json(&o);
        assert!(v.get("$schema").is_some(), "{format}: {v:#}");
        assert!(
            v.get("properties").is_some() || v.get("oneOf").is_some() || v.get("anyOf").is_some(),
            "{format}"
        );
    }
    let k8s = json(&run(&["schema", "--format", "k8s"]));
    assert!(k8s["properties"].get("spec").is_some());
}

#[test]
fn version_names_the_commit() {
    let o = run(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.starts_with("vmm-ref "), "{out}");
    assert!(out.contains("(commit "), "{out}");
}

#[test]
fn help_of_each_subcommand_has_an_example() {
    for sub in ["validate", "schema"] {
        let o = run(&[sub, "--help"]);
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains("Examples:"), "{sub}: {}", stdout(&o));
    }
}
