//! Snapshot test of the committed JSON Schemas in `podspec/schemas/`.
//!
//! Regenerate them after changing a wire type with:
//! `UPDATE_SCHEMAS=1 cargo test -p podspec --test wire_schema`.

use podspec::Format;
use podspec::schema::schema;

/// The committed snapshot of each format.
const SNAPSHOTS: [(Format, &str); 4] = [
    (Format::Hyper, include_str!("../schemas/hyper.json")),
    (Format::K8s, include_str!("../schemas/k8s.json")),
    (
        Format::K8sV1beta1,
        include_str!("../schemas/k8s-v1beta1.json"),
    ),
    (
        Format::PodController,
        include_str!("../schemas/pod-controller.json"),
    ),
];

fn pretty(format: Format) -> String {
    let mut text = serde_json::to_string_pretty(&schema(format)).unwrap();
    text.push('\n');
    text
}

#[test]
fn committed_schemas_match_the_wire_types() {
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        update();
        return;
    }
    for (format, committed) in SNAPSHOTS {
        assert!(
            pretty(format) == committed,
            "podspec/schemas/{format}.json is stale: run UPDATE_SCHEMAS=1 cargo test -p podspec --test wire_schema"
        );
    }
}

// Writing the snapshots is this test's one job when asked to; the crate itself does no I/O.
#[allow(clippy::disallowed_methods)]
fn update() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas");
    for format in Format::ALL {
        std::fs::write(format!("{dir}/{format}.json"), pretty(format)).unwrap();
    }
}

#[test]
fn schemas_name_the_json_fields_users_write() {
    let hyper = schema(Format::Hyper);
    let container = &hyper["$defs"]["Container"]["properties"];
    for key in ["StopSignal", "readOnly", "logPath", "workdir", "envs"] {
        assert!(container.get(key).is_some(), "{key}");
    }
    let k8s = schema(Format::K8s);
    assert!(
        k8s["$defs"]["ContainerPort"]["properties"]
            .get("hostIP")
            .is_some()
    );
    let v1beta1 = schema(Format::K8sV1beta1);
    assert!(v1beta1["properties"].get("desiredState").is_some());
    let podctl = schema(Format::PodController);
    assert_eq!(
        podctl["$defs"]["Probe"]["properties"]["exec"]["type"][0],
        "array"
    );
}

#[test]
fn int32_fields_carry_their_bounds() {
    let hyper = schema(Format::Hyper);
    let memory = &hyper["$defs"]["Resource"]["properties"]["memory"];
    assert_eq!(memory["maximum"], i64::from(i32::MAX));
    assert_eq!(memory["minimum"], i64::from(i32::MIN));
}
