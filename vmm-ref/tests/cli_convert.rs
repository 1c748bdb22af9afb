//! CLI tests of `vmm-ref convert`: they run the built binary.

mod cli_support;

use std::process::Output;

use cli_support::*;
use podspec::wire::Document;

/// The written document, read back by podspec as `format`.
fn written(o: &Output, format: podspec::Format) -> Document {
    let text = stdout(o);
    podspec::parse(&text, Some(format))
        .unwrap_or_else(|e| panic!("{e}: {text}"))
        .document
}

#[test]
fn every_example_converts_to_each_target_it_can_reach() {
    // (file, to hyper, to k8s): whether each succeeds.
    let cases = [
        ("hyper-busybox.json", true, true),
        ("hyper-ubuntu.yml", true, true),
        ("k8s-onfailure.yaml", true, true),
        ("k8s-web.yaml", true, true),
        ("k8s-v1beta1-2014.json", true, true),
        // `test-k8s-restartPolicy` and `Ubuntu-1` are not DNS names.
        ("k8s-v1beta1-restart-fails.json", true, false),
        ("k8s-v1beta1-restart-succeeds.json", true, false),
        // Its containers have no image.
        ("pod-controller.json", false, false),
    ];
    for (file, hyper, k8s) in cases {
        for (target, ok, format) in [
            ("hyper", hyper, podspec::Format::Hyper),
            ("k8s", k8s, podspec::Format::K8s),
        ] {
            for syntax in ["json", "yaml"] {
                let o = run(&["convert", &example(file), "--to", target, "-o", syntax]);
                if ok {
                    assert_eq!(o.status.code(), Some(0), "{file} {target}: {}", stderr(&o));
                    let doc = written(&o, format);
                    assert!(
                        podspec::validate(&doc).is_empty(),
                        "{file} {target} {syntax}"
                    );
                } else {
                    assert_eq!(o.status.code(), Some(1), "{file} {target}");
                    assert!(stdout(&o).is_empty(), "{file} {target}");
                    assert!(
                        stderr(&o).contains("cannot say this"),
                        "{file} {target}: {}",
                        stderr(&o)
                    );
                }
            }
        }
    }
}

#[test]
fn dropped_fields_are_warnings_on_stderr() {
    let o = run(&["convert", &example("k8s-web.yaml"), "--to", "hyper"]);
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    for line in [
        "vmm-ref convert: to Hyper: warning: initContainers[0]: dropped: Hyper has no init containers",
        "vmm-ref convert: to Hyper: warning: containers[0].livenessProbe: dropped: Hyper has no probes",
        "vmm-ref convert: to Hyper: warning: containers[0].env[0]: dropped:",
    ] {
        assert!(err.contains(line), "missing {line:?} in:\n{err}");
    }
    assert_eq!(err.lines().count(), 12, "{err}");
    let Document::Hyper(h) = written(&o, podspec::Format::Hyper) else {
        panic!()
    };
    assert_eq!(h.id.as_deref(), Some("web"));
    assert_eq!(h.r#type.as_deref(), Some("kubernetes"));
    assert_eq!(h.restart_policy.as_deref(), Some("always"));
}

#[test]
fn input_fields_vmm_ref_does_not_use_are_warnings_too() {
    let o = run(&[
        "convert",
        &example("k8s-v1beta1-restart-succeeds.json"),
        "--to",
        "hyper",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o)
            .contains("k8s-v1beta1-restart-succeeds.json: warning: spec.id: dropped: ignored"),
        "{}",
        stderr(&o)
    );
    let Document::Hyper(h) = written(&o, podspec::Format::Hyper) else {
        panic!()
    };
    let c = &h.containers.unwrap()[0];
    assert_eq!(c.name.as_deref(), Some("Ubuntu-1"));
    assert_eq!(
        c.command.as_deref(),
        Some(&["sleep".into(), "3".into()][..])
    );
    assert_eq!(h.restart_policy.as_deref(), Some("never"));
}

#[test]
fn kubernetes_yaml_out() {
    let o = run(&[
        "convert",
        &example("hyper-busybox.json"),
        "--to",
        "k8s",
        "-o",
        "yaml",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.starts_with("apiVersion: v1\nkind: Pod\n"), "{text}");
    let Document::K8s(k) = written(&o, podspec::Format::K8s) else {
        panic!()
    };
    let spec = k.spec.unwrap();
    assert_eq!(spec.restart_policy.as_deref(), Some("Never"));
    assert!(stderr(&o).contains("to Kubernetes: warning: services: dropped"));
    assert!(stderr(&o).contains("to Kubernetes: warning: files: dropped"));
}

#[test]
fn hyper_yaml_has_hypers_lower_case_keys_and_reads_back() {
    let o = run(&[
        "convert",
        &example("hyper-busybox.json"),
        "--to",
        "hyper",
        "-o",
        "yaml",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let yaml = stdout(&o);
    for key in [
        "restartpolicy: never",
        "serviceip: 10.254.0.24",
        "containerport: '80'",
    ] {
        assert!(yaml.contains(key), "{key}: {yaml}");
    }
    assert!(
        yaml.contains("app: demo"),
        "label keys keep their case: {yaml}"
    );
    // Read back through standard input: the same document as converting the JSON.
    let again = run_stdin(
        &["convert", "-", "--to", "hyper", "--format", "hyper"],
        &yaml,
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let direct = run(&["convert", &example("hyper-busybox.json"), "--to", "hyper"]);
    assert_eq!(stdout(&again), stdout(&direct));
}

#[test]
fn a_name_for_files_without_one() {
    let pod = r#"{"containers": [{"image": "busybox"}]}"#;
    let o = run_stdin(&["convert", "-", "--to", "k8s", "--name", "web"], pod);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let Document::K8s(k) = written(&o, podspec::Format::K8s) else {
        panic!()
    };
    assert_eq!(k.metadata.unwrap().name.as_deref(), Some("web"));
    assert_eq!(
        k.spec.unwrap().containers.unwrap()[0].name.as_deref(),
        Some("web-busybox-0"),
        "Hyper's generated container name"
    );
    let bad = run_stdin(&["convert", "-", "--to", "k8s", "--name", "a/b"], pod);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

#[test]
fn invalid_input_exits_1_with_every_error_and_its_path() {
    let pod = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "Bad", "image": ""}]}}"#;
    let o = run_stdin(&["convert", "-", "--to", "hyper"], pod);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert!(
        err.contains("<stdin>: spec.containers[0].name: Invalid value"),
        "{err}"
    );
    assert!(
        err.contains("<stdin>: spec.containers[0].image: Required value"),
        "{err}"
    );

    let syntax = run_stdin(&["convert", "-", "--to", "hyper"], "{\"id\": }");
    assert_eq!(syntax.status.code(), Some(1));
    assert!(stderr(&syntax).contains("line 1"), "{}", stderr(&syntax));
}

#[test]
fn what_kubernetes_cannot_say_exits_1_naming_the_field() {
    let o = run(&[
        "convert",
        &example("k8s-v1beta1-restart-fails.json"),
        "--to",
        "k8s",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("to Kubernetes: name: Forbidden: Kubernetes cannot say this: a pod name that is a DNS-1123 subdomain"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unreadable_input_exits_2() {
    let o = run(&["convert", "/nonexistent/pod.json", "--to", "hyper"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read /nonexistent/pod.json"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_bad_command_line_exits_2() {
    let o = run(&["convert", &example("k8s-web.yaml"), "--to", "docker"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("expected hyper or k8s"),
        "{}",
        stderr(&o)
    );
    let o = run(&["convert", &example("k8s-web.yaml")]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn help_explains_with_an_example() {
    let o = run(&["convert", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    assert!(help.contains("Examples:"), "{help}");
    assert!(
        help.contains("vmm-ref convert examples/k8s-web.yaml --to hyper"),
        "{help}"
    );
    assert!(help.contains("--to <TO>"), "{help}");
}
