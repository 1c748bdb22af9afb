//! apourchet/pod-controller spec validation (spec/hyper.md section 6.1).

use std::collections::HashSet;

use super::k8s::non_negative;
use super::names::env_var_name_errors;
use super::{Lazy, at, duplicate, invalid, not_supported, required};
use crate::model::ContainerName;
use crate::wire::podctl::{OciSpec, PodSpec, Probe};
use crate::{FieldError, FieldPath};

/// Validates a pod-controller spec (see the [module documentation](super) for the rules).
///
/// # Examples
///
/// ```
/// use podspec::{ErrorType, validate::validate_pod_controller, wire::podctl::PodSpec};
/// let spec: PodSpec = serde_json::from_str(r#"{"containers": [{"spec": {"process": {"args": ["true"]}}},
///     {"spec": {"process": {"args": ["true"]}}, "livenessProbe": {"exec": ["true"], "periodSeconds": -2}}]}"#)
///     .unwrap();
/// let errs = validate_pod_controller(&spec);
/// let shown: Vec<_> = errs.iter().map(|e| (e.field.to_string(), e.kind)).collect();
/// assert_eq!(shown, [
///     ("containers[1].name".to_owned(), ErrorType::Required),
///     ("containers[1].livenessProbe.periodSeconds".to_owned(), ErrorType::Invalid),
/// ]);
/// ```
#[must_use]
pub fn validate_pod_controller(spec: &PodSpec) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let base = FieldPath::root();
    let root = Lazy::new(&base);
    let mut names = HashSet::new();
    let mut unnamed = 0;
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        let p_0 = root.field("initContainers");
        let p = p_0.index(i);
        name(
            &mut errs,
            p.field("name"),
            c.name.as_deref(),
            &mut unnamed,
            &mut names,
        );
        args(&mut errs, &p, c.spec.as_ref());
    }
    let mut unnamed = 0;
    for (i, c) in spec.containers.iter().flatten().enumerate() {
        let p_0 = root.field("containers");
        let p = p_0.index(i);
        name(
            &mut errs,
            p.field("name"),
            c.name.as_deref(),
            &mut unnamed,
            &mut names,
        );
        args(&mut errs, &p, c.spec.as_ref());
        for (field, probe) in [
            ("livenessProbe", &c.liveness_probe),
            ("readinessProbe", &c.readiness_probe),
        ] {
            if let Some(probe) = probe {
                self::probe(&mut errs, &p.field(field), probe);
            }
        }
    }
    errs
}

/// A container's name. pod-controller keys containers by name, so a missing name is the name
/// `""`: one unnamed container per list is fine (`convert` names it), a second one collides
/// (`Missing names for some of the containers`).
fn name(
    errs: &mut Vec<FieldError>,
    path: Lazy<'_>,
    name: Option<&str>,
    unnamed: &mut usize,
    seen: &mut HashSet<String>,
) {
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        *unnamed += 1;
        if *unnamed > 1 {
            errs.push(required(path, "Missing names for some of the containers"));
        }
        return;
    };
    match ContainerName::try_from(name) {
        Err(e) => errs.push(at(e, path)),
        Ok(_) if !seen.insert(name.to_owned()) => errs.push(duplicate(path, name)),
        Ok(_) => {}
    }
}

fn args(errs: &mut Vec<FieldError>, path: &Lazy<'_>, spec: Option<&OciSpec>) {
    let process = spec.and_then(|s| s.process.as_ref());
    let args = process.and_then(|p| p.args.as_ref());
    let pp_0 = path.field("spec");
    let pp = pp_0.field("process");
    if args.is_none_or(Vec::is_empty) {
        errs.push(required(pp.field("args"), "the process to run"));
    }
    // OCI's `KEY=value` entries.
    let env = process.and_then(|p| p.env.as_ref());
    for (k, e) in env.into_iter().flatten().enumerate() {
        let name = e.split_once('=').map_or("", |(n, _)| n);
        if name.is_empty() || !env_var_name_errors(name).is_empty() {
            errs.push(invalid(
                pp.field("env").index(k),
                e.as_str(),
                "must be KEY=value with a non-empty KEY of printable ASCII",
            ));
        }
    }
}

fn probe(errs: &mut Vec<FieldError>, path: &Lazy<'_>, p: &Probe) {
    if let Some(cmd) = &p.exec
        && cmd.is_empty()
    {
        errs.push(required(path.field("exec"), ""));
    }
    if let Some(g) = &p.http_get {
        let gp = path.field("httpGet");
        match g.port {
            Some(n) if (1..=65535).contains(&n) => {}
            Some(n) => errs.push(invalid(
                gp.field("port"),
                i64::from(n),
                "must be between 1 and 65535, inclusive",
            )),
            None => errs.push(required(gp.field("port"), "")),
        }
        let scheme = g.scheme.as_deref().unwrap_or("");
        if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
            errs.push(not_supported(
                gp.field("scheme"),
                scheme,
                &["http", "https"],
            ));
        }
    }
    non_negative(
        errs,
        path,
        [
            ("initialDelaySeconds", p.initial_delay_seconds),
            ("periodSeconds", p.period_seconds),
            ("timeoutSeconds", p.timeout_seconds),
            ("successThreshold", p.success_threshold),
            ("failureThreshold", p.failure_threshold),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorType;

    fn errors(json: &str) -> Vec<(String, ErrorType)> {
        let spec: PodSpec = serde_json::from_str(json).unwrap();
        validate_pod_controller(&spec)
            .into_iter()
            .map(|e| (e.field.to_string(), e.kind))
            .collect()
    }

    const ARGS: &str = r#""spec": {"process": {"args": ["sleep", "1"]}}"#;

    #[test]
    fn readme_example_shape_is_valid() {
        let json = format!(
            r#"{{"initContainers": [{{"name": "init", {ARGS}}}], "containers": [{{"name": "main", {ARGS},
            "livenessProbe": {{"exec": ["cat", "/tmp/health"], "periodSeconds": 2, "timeoutSeconds": 1}}}}]}}"#
        );
        assert_eq!(errors(&json), vec![]);
    }

    #[test]
    fn one_unnamed_container_per_list_is_fine_a_second_collides() {
        let json = format!(r#"{{"initContainers": [{{{ARGS}}}], "containers": [{{{ARGS}}}]}}"#);
        assert_eq!(errors(&json), vec![]);
        let json = format!(
            r#"{{"initContainers": [{{{ARGS}}}, {{"name": "", {ARGS}}}], "containers": [{{{ARGS}}}, {{"name": "x", {ARGS}}}, {{{ARGS}}}]}}"#
        );
        assert_eq!(
            errors(&json),
            [
                ("initContainers[1].name".into(), ErrorType::Required),
                ("containers[2].name".into(), ErrorType::Required)
            ]
        );
    }

    #[test]
    fn names_unique_across_init_and_main_and_model_valid() {
        let json = format!(
            r#"{{"initContainers": [{{"name": "a", {ARGS}}}, {{"name": "a", {ARGS}}}], "containers": [{{"name": "a", {ARGS}}}, {{"name": "b c", {ARGS}}}]}}"#
        );
        assert_eq!(
            errors(&json),
            [
                ("initContainers[1].name".into(), ErrorType::Duplicate),
                ("containers[0].name".into(), ErrorType::Duplicate),
                ("containers[1].name".into(), ErrorType::Invalid)
            ]
        );
    }

    #[test]
    fn args_must_be_non_empty() {
        let json =
            r#"{"containers": [{"name": "a"}, {"name": "b", "spec": {"process": {"args": []}}}]}"#;
        assert_eq!(
            errors(json),
            [
                (
                    "containers[0].spec.process.args".into(),
                    ErrorType::Required
                ),
                (
                    "containers[1].spec.process.args".into(),
                    ErrorType::Required
                )
            ]
        );
    }

    #[test]
    fn process_env_entries_are_key_value() {
        let json = r#"{"containers": [{"name": "a", "spec": {"process": {"args": ["x"], "env": ["A=1", "B=", "C", "=x"]}}}]}"#;
        assert_eq!(
            errors(json),
            [
                (
                    "containers[0].spec.process.env[2]".into(),
                    ErrorType::Invalid
                ),
                (
                    "containers[0].spec.process.env[3]".into(),
                    ErrorType::Invalid
                )
            ]
        );
    }

    #[test]
    fn probe_numbers_non_negative_but_zero_is_fine() {
        let json = format!(
            r#"{{"containers": [{{"name": "a", {ARGS}, "readinessProbe": {{"initialDelaySeconds": -1, "periodSeconds": 0,
            "timeoutSeconds": -1, "successThreshold": -1, "failureThreshold": 0}}}}]}}"#
        );
        assert_eq!(
            errors(&json),
            [
                (
                    "containers[0].readinessProbe.initialDelaySeconds".into(),
                    ErrorType::Invalid
                ),
                (
                    "containers[0].readinessProbe.timeoutSeconds".into(),
                    ErrorType::Invalid
                ),
                (
                    "containers[0].readinessProbe.successThreshold".into(),
                    ErrorType::Invalid
                )
            ]
        );
    }

    #[test]
    fn probe_exec_and_http_get_fields() {
        let json = format!(
            r#"{{"containers": [{{"name": "a", {ARGS}, "livenessProbe": {{"exec": []}},
            "readinessProbe": {{"httpGet": {{"port": 0}}}}}}, {{"name": "b", {ARGS}, "livenessProbe": {{"httpGet": {{"port": 80, "scheme": "HTTP"}}}}}}]}}"#
        );
        assert_eq!(
            errors(&json),
            [
                (
                    "containers[0].livenessProbe.exec".into(),
                    ErrorType::Required
                ),
                (
                    "containers[0].readinessProbe.httpGet.port".into(),
                    ErrorType::Invalid
                ),
                (
                    "containers[0].readinessProbe.httpGet.scheme".into(),
                    ErrorType::NotSupported
                )
            ]
        );
    }
}
