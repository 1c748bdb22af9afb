//! The `convert` target: a pod file through the domain model to both targets and back.

use convert::{Dropped, Error, Options, Target};
use podspec::model::Pod;

/// Whether `path` (model field names, as `Dropped` gives them) or a field above it was dropped.
fn is_dropped(dropped: &[Dropped], path: &str) -> bool {
    dropped.iter().any(|d| {
        let d = d.field.to_string();
        let under = |long: &str, short: &str| {
            long.strip_prefix(short)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        };
        under(path, &d) || under(&d, path)
    })
}

/// What both targets can say, compared field by field unless the conversion to `target`
/// reported it dropped: the pod's name and restart policy; each regular container's name,
/// image, entrypoint, command, working directory and environment. (convert/tests/roundtrip.rs
/// checks the full identity on each target's subset with generated pods; with arbitrary
/// documents the pod may hold what a target cannot say, so only the shared fields are
/// compared here, and nothing the conversion said it dropped.)
fn assert_shared_kept(pod: &Pod, back: &Pod, dropped: &[Dropped], target: Target) {
    if !is_dropped(dropped, "name") {
        assert_eq!(back.name, pod.name, "{target}: the pod name");
    }
    assert_eq!(
        back.restart_policy, pod.restart_policy,
        "{target}: the restart policy"
    );
    if is_dropped(dropped, "containers") {
        return;
    }
    assert_eq!(
        back.containers.len(),
        pod.containers.len(),
        "{target}: the containers"
    );
    for (i, (b, c)) in back.containers.iter().zip(&pod.containers).enumerate() {
        let at = |f: &str| format!("containers[{i}].{f}");
        let same = |f: &str| !is_dropped(dropped, &at(f));
        if same("name") {
            assert_eq!(b.name, c.name, "{target}: {}", at("name"));
        }
        if same("image") {
            assert_eq!(b.image, c.image, "{target}: {}", at("image"));
        }
        if same("entrypoint") {
            assert_eq!(b.entrypoint, c.entrypoint, "{target}: {}", at("entrypoint"));
        }
        if same("command") {
            assert_eq!(b.command, c.command, "{target}: {}", at("command"));
        }
        if same("workingDir") && same("working_dir") {
            assert_eq!(
                b.working_dir,
                c.working_dir,
                "{target}: {}",
                at("workingDir")
            );
        }
        if same("env") {
            assert_eq!(b.env, c.env, "{target}: {}", at("env"));
        }
    }
}

/// `convert`: a pod file that parses and validates converts to the domain model (a valid pod);
/// the pod converts to a Hyper pod file and to a Kubernetes v1 manifest, or is refused as not
/// representable, never another error; each document validates, serializes as JSON, parses back
/// as its format with no warnings, converts back to the domain, and keeps what both formats can
/// say ([`assert_shared_kept`]); writing the read-back pod again gives the same document.
pub fn convert(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = podspec::parse(text, None) else {
        return;
    };
    if !podspec::validate(&parsed.document).is_empty() {
        return;
    }
    let options = Options::default();
    let pod = match convert::to_domain(&parsed.document, &options) {
        Ok(c) => c.value,
        Err(e) => panic!("a valid document did not convert: {e}\n{text}"),
    };
    let pod_errors = pod.validate();
    assert!(
        pod_errors.is_empty(),
        "valid document, invalid pod: {pod_errors:?}"
    );
    for target in [Target::Hyper, Target::K8s] {
        let out = match convert::to_document(&pod, target) {
            Ok(out) => out,
            Err(Error::NotRepresentable { .. }) => continue,
            Err(e) => panic!("{target}: {e}"),
        };
        let errors = podspec::validate(&out.value);
        assert!(errors.is_empty(), "{target}: {errors:?}\n{:#?}", out.value);
        let format = out.value.format();
        let json = podspec::to_json(&out.value).expect("a document serializes");
        let again = podspec::parse(&json, Some(format)).expect("its JSON parses");
        assert!(again.warnings.is_empty(), "{target}: {:?}", again.warnings);
        let back = match convert::to_domain(&again.document, &options) {
            Ok(c) => c.value,
            Err(e) => panic!("{target}: written, but does not convert back: {e}\n{json}"),
        };
        let back_errors = back.validate();
        assert!(back_errors.is_empty(), "{target}: {back_errors:?}\n{json}");
        assert_shared_kept(&pod, &back, &out.dropped, target);
        let rewritten = convert::to_document(&back, target).expect("the read-back pod converts");
        assert_eq!(
            rewritten.value, out.value,
            "{target}: writing the read-back pod again"
        );
    }
}
