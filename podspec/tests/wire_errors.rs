//! Syntax errors with their position, document-shape errors, and warnings with their paths.

use podspec::{Error, ErrorType, Format, JsonKind, Location, WarningKind, parse};

fn loc(line: usize, column: usize) -> Option<Location> {
    Some(Location { line, column })
}

#[test]
fn json_syntax_error_has_line_and_column() {
    let text = "{\n  \"id\": \"x\",\n  \"containers\": [ }\n}";
    let e = parse(text, None).unwrap_err();
    let Error::JsonSyntax {
        location, message, ..
    } = &e
    else {
        panic!("{e}")
    };
    assert_eq!(*location, loc(3, 19));
    assert_eq!(message, "expected value");
    assert_eq!(
        e.to_string(),
        "invalid JSON at line 3, column 19: expected value"
    );
    assert!(e.field_errors().is_empty());
}

#[test]
fn truncated_json_is_a_json_error_not_yaml() {
    let e = parse("{\"id\": \"x\"", None).unwrap_err();
    assert!(matches!(e, Error::JsonSyntax { .. }), "{e}");
    assert_eq!(e.location().map(|l| l.line), Some(1));
}

#[test]
fn json_error_that_yaml_would_accept_is_still_an_error() {
    // `{"id": }` is a valid YAML flow map; only a trailing comma falls back to YAML.
    let e = parse("{\"id\": }", None).unwrap_err();
    assert!(matches!(e, Error::JsonSyntax { .. }), "{e}");
}

#[test]
fn trailing_comma_in_object_reads_as_yaml_with_warning() {
    let p = parse("{\"id\": \"x\",\n}", None).unwrap();
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].kind, WarningKind::NotJson);
    assert!(
        p.warnings[0]
            .message
            .contains("trailing comma at line 2, column 1")
    );
}

#[test]
fn yaml_syntax_error_has_line_and_column() {
    let text = "id: x\ncontainers:\n  - name: a\n   image: b\n";
    let e = parse(text, None).unwrap_err();
    let Error::YamlSyntax {
        location, message, ..
    } = &e
    else {
        panic!("{e}")
    };
    assert_eq!(*location, loc(4, 4));
    assert!(
        !message.contains("line 4"),
        "position is not repeated: {message}"
    );
    assert!(
        e.to_string()
            .starts_with("invalid YAML at line 4, column 4: "),
        "{e}"
    );
}

#[test]
fn yaml_duplicate_key_is_a_syntax_error() {
    let e = parse("id: a\nid: b\n", None).unwrap_err();
    assert!(matches!(e, Error::YamlSyntax { .. }), "{e}");
    assert!(e.location().is_some());
}

#[test]
fn empty_documents() {
    for text in ["", "   \n", "# only a comment\n", "null", "~", "---\n"] {
        let e = parse(text, None).unwrap_err();
        assert!(matches!(e, Error::Empty), "{text:?}: {e}");
        assert_eq!(e.field_errors()[0].kind, ErrorType::Required);
    }
}

#[test]
fn documents_that_are_not_objects() {
    for (text, kind) in [
        ("[1, 2]", JsonKind::Array),
        ("- a\n- b\n", JsonKind::Array),
        ("hello", JsonKind::String),
        ("42", JsonKind::Number),
        ("true", JsonKind::Bool),
    ] {
        let e = parse(text, None).unwrap_err();
        let Error::NotAnObject { found } = e else {
            panic!("{text}: {e}")
        };
        assert_eq!(found, kind, "{text}");
    }
    let e = parse("[1]", None).unwrap_err();
    assert_eq!(e.to_string(), "the document is a list, not an object");
}

#[test]
fn unknown_fields_are_warnings_with_their_paths() {
    let text = r#"{"id": "p", "extra": 1,
        "containers": [{"image": "a"}, {"image": "b", "imag": "c",
                        "volumes": [{"volume": "v", "mode": "rw"}]}],
        "labels": {"any-key": "is fine"}}"#;
    let p = parse(text, None).unwrap();
    let got: Vec<String> = p.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "extra: unknown field `extra`; ignored",
            "containers[1].imag: unknown field `imag`; ignored",
            "containers[1].volumes[0].mode: unknown field `mode`; ignored",
        ]
    );
    assert!(
        p.warnings
            .iter()
            .all(|w| w.kind == WarningKind::UnknownField)
    );
}

#[test]
fn k8s_keys_are_case_sensitive() {
    let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: c\n      Image: x\n";
    let p = parse(text, None).unwrap();
    assert_eq!(p.warnings[0].field.to_string(), "spec.containers[0].Image");
    let podspec::wire::Document::K8s(pod) = p.document else {
        panic!()
    };
    assert_eq!(pod.spec.unwrap().containers.unwrap()[0].image, None);
}

#[test]
fn k8s_unsupported_fields_are_named() {
    let text = r#"{"apiVersion": "v1", "kind": "Pod", "spec": {"nodeSelector": {"a": "b"},
        "containers": [{"name": "c", "envFrom": [], "securityContext": {}}]}}"#;
    let p = parse(text, None).unwrap();
    let got: Vec<(String, WarningKind)> = p
        .warnings
        .iter()
        .map(|w| (w.field.to_string(), w.kind))
        .collect();
    assert_eq!(
        got,
        [
            (
                "spec.nodeSelector".to_owned(),
                WarningKind::UnsupportedField
            ),
            (
                "spec.containers[0].envFrom".to_owned(),
                WarningKind::UnsupportedField
            ),
            (
                "spec.containers[0].securityContext".to_owned(),
                WarningKind::UnsupportedField
            ),
        ]
    );
}

#[test]
fn repeated_key_under_case_folding_last_wins_with_warning() {
    let p = parse(
        r#"{"containers": [{"readOnly": true, "readonly": false}]}"#,
        None,
    )
    .unwrap();
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].kind, WarningKind::DuplicateKey);
    assert_eq!(p.warnings[0].field.to_string(), "containers[0].readonly");
    let podspec::wire::Document::Hyper(pod) = p.document else {
        panic!()
    };
    assert_eq!(pod.containers.unwrap()[0].read_only, Some(false));
}

#[test]
fn exact_match_is_preferred_over_folding() {
    // `Name`/`Hard`/`Soft` are the exact ulimit keys; `name` folds onto `Name`.
    let p = parse(
        r#"{"containers": [{"ulimits": [{"name": "nofile", "Hard": 2}]}]}"#,
        None,
    )
    .unwrap();
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn warnings_serialize_with_path_kind_and_message() {
    let p = parse("{\"x\": 1}", Some(Format::PodController)).unwrap();
    let json = serde_json::to_value(&p.warnings).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{"field": "x", "kind": "unknownField",
                            "message": "unknown field `x`; ignored"}])
    );
}

#[test]
fn type_error_display_lists_the_first_and_counts_the_rest() {
    let e = parse(
        r#"{"tty": 1, "dns": "8.8.8.8", "resource": {"vcpu": true}}"#,
        None,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "hyper document: tty: invalid type: integer `1`, expected a boolean (and 2 more)"
    );
    let fe: Vec<String> = e.field_errors().iter().map(ToString::to_string).collect();
    assert_eq!(
        fe,
        [
            "tty: Invalid value: 1: expected a boolean",
            "dns: Invalid value: \"8.8.8.8\": expected a list",
            "resource.vcpu: Invalid value: true: expected an integer (int32)",
        ]
    );
}

#[test]
fn out_of_range_integers_are_type_errors() {
    let e = parse(r#"{"resource": {"memory": 4294967296}}"#, None).unwrap_err();
    assert_eq!(e.field_errors()[0].field.to_string(), "resource.memory");
    let e = parse(
        r#"{"containers": [{"ulimits": [{"Soft": -1}]}]}"#,
        Some(Format::Hyper),
    )
    .unwrap_err();
    assert_eq!(
        e.field_errors()[0].field.to_string(),
        "containers[0].ulimits[0].Soft"
    );
}

#[test]
fn forcing_a_format_skips_detection() {
    let text = r#"{"apiVersion": "v1", "containers": [{"image": "x"}]}"#;
    let p = parse(text, Some(Format::Hyper)).unwrap();
    assert_eq!(p.document.format(), Format::Hyper);
    assert_eq!(p.warnings[0].field.to_string(), "apiVersion");
}
