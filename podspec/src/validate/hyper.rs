//! Hyper pod file validation (hyperd `types/validate.go`, `types/utils.go`; spec/hyper.md 1.2 to
//! 1.8), collecting every error instead of stopping at the first.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use super::names::env_var_name_errors;
use super::{at, blank, duplicate, invalid, not_found, required};
use crate::model::{
    CACHE_MODES, ContainerName, Hostname, PodName, PortMapping, PortRange, Protocol, RestartPolicy,
    Signal, find_hyper_perm,
};
use crate::wire::hyper::{Container, Pod, Service};
use crate::{BadValue, ErrorType, FieldError, FieldPath};

/// Hyper 1.x's volume formats.
const FORMATS: [&str; 6] = ["raw", "qcow2", "vdi", "vfs", "rbd", "nas"];
/// Legacy Hyper's volume drivers (no `nas`).
const LEGACY_DRIVERS: [&str; 5] = ["raw", "qcow2", "vdi", "vfs", "rbd"];

/// NotSupported with Hyper's own message as the detail.
fn unsupported(path: FieldPath, value: &str, message: String) -> FieldError {
    FieldError::new(path, ErrorType::NotSupported, message).with_value(value)
}

/// Validates a Hyper pod file (see the [module documentation](super) for the rules).
///
/// # Examples
///
/// ```
/// use podspec::{ErrorType, validate::validate_hyper, wire::hyper::Pod};
/// let pod: Pod = serde_json::from_str(r#"{"id": "p", "dns": ["8.8.8.8", "dns.google"],
///     "containers": [{"image": "busybox", "envs": [{"env": "A"}, {"env": "A"}]}]}"#).unwrap();
/// let errs = validate_hyper(&pod);
/// let shown: Vec<String> = errs.iter().map(ToString::to_string).collect();
/// assert_eq!(shown, [
///     "containers[0].envs[1].env: Duplicate value: \"A\": in container 0, environment name are not unique",
///     "dns[1]: Invalid value: \"dns.google\": incorrect dns dns.google.",
/// ]);
/// ```
#[must_use]
pub fn validate_hyper(pod: &Pod) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let root = FieldPath::root();

    for (field, id) in [("id", &pod.id), ("name", &pod.name)] {
        if let Some(id) = id.as_deref().filter(|i| !i.is_empty())
            && let Err(e) = PodName::try_from(id)
        {
            errs.push(at(e, root.field(field)));
        }
    }
    if let Some(h) = pod.hostname.as_deref().filter(|h| !h.is_empty())
        && let Err(e) = Hostname::try_from(h)
    {
        errs.push(at(e, root.field("hostname")));
    }
    restart_policy(
        &mut errs,
        root.field("restartPolicy"),
        pod.restart_policy.as_deref(),
    );
    if let Some(r) = &pod.resource {
        for (field, v) in [("vcpu", r.vcpu), ("memory", r.memory)] {
            if let Some(v) = v.filter(|v| *v < 0) {
                errs.push(invalid(
                    root.field("resource").field(field),
                    i64::from(v),
                    "must be greater than or equal to 0 (0 is the default)",
                ));
            }
        }
    }

    let mut has_gateway = false;
    for (i, iface) in pod.interfaces.iter().flatten().enumerate() {
        if blank(iface.gateway.as_ref()) {
            continue;
        }
        if has_gateway {
            errs.push(
                FieldError::new(
                    root.field("interfaces").index(i).field("gateway"),
                    ErrorType::Duplicate,
                    format!("in interface {i}, Other interface already configured Gateway"),
                )
                .with_value(iface.gateway.clone().unwrap_or_default()),
            );
        }
        has_gateway = true;
    }

    let volumes = pod.volumes.as_deref().unwrap_or(&[]);
    let mut volume_names = HashSet::new();
    for (i, v) in volumes.iter().enumerate() {
        let p = root.field("volumes").index(i).field("name");
        let name = v.name.as_deref().unwrap_or("");
        if name.is_empty() {
            errs.push(required(
                p,
                "Hyper ERROR: please specific your volume name, it can not be null!",
            ));
        } else if let Err(e) = crate::model::VolumeName::try_from(name) {
            errs.push(at(e, p));
        } else if volume_names.contains(name) {
            errs.push(dup_msg(p, name, "Volumes name does not unique"));
        }
        volume_names.insert(name);
    }

    let mut file_names = HashSet::new();
    for (i, f) in pod.files.iter().flatten().enumerate() {
        let p = root.field("files").index(i);
        let name = f.name.as_deref().unwrap_or("");
        if name.is_empty() {
            errs.push(required(p.field("name"), "a file name is required"));
        } else if let Err(e) = crate::model::FileName::try_from(name) {
            errs.push(at(e, p.field("name")));
        } else if file_names.contains(name) {
            errs.push(dup_msg(p.field("name"), name, "Files name does not unique"));
        }
        file_names.insert(name);
        if let Some(enc) = f.encoding.as_deref()
            && !matches!(enc, "" | "raw" | "base64")
        {
            errs.push(super::not_supported(
                p.field("encoding"),
                enc,
                &["base64", "raw"],
            ));
        }
    }

    let mut service_keys = HashSet::new();
    for (i, s) in pod.services.iter().flatten().enumerate() {
        let p = root.field("services").index(i);
        service(&mut errs, &p, s);
        let key = (
            s.service_ip.clone().unwrap_or_default(),
            s.service_port.unwrap_or(0),
            s.protocol.as_deref().unwrap_or("").to_lowercase(),
        );
        if !service_keys.insert(key.clone()) {
            errs.push(dup_msg(
                p,
                format!("{}:{}@{}", key.0, key.1, key.2),
                "Services IP:Port@Protocol combination does not unique",
            ));
        }
    }

    let mut container_names = HashSet::new();
    for (n, c) in pod.containers.iter().flatten().enumerate() {
        container(
            &mut errs,
            &root.field("containers").index(n),
            n,
            c,
            &volume_names,
            &file_names,
            &mut container_names,
        );
    }

    for (i, v) in volumes.iter().enumerate() {
        let p = root.field("volumes").index(i);
        if let Some(f) = v.format.as_deref().filter(|f| !f.is_empty())
            && !FORMATS.contains(&f)
        {
            errs.push(unsupported(
                p.field("format"),
                f,
                format!("in volume {i}, volume does not support driver {f}."),
            ));
        }
        if let Some(d) = v.driver.as_deref().filter(|d| !d.is_empty())
            && !LEGACY_DRIVERS.contains(&d)
        {
            errs.push(unsupported(
                p.field("driver"),
                d,
                format!("in volume {i}, volume does not support driver {d}."),
            ));
        }
    }
    for (i, v) in volumes.iter().enumerate() {
        if let Some(c) = v.cache.as_deref().filter(|c| !c.is_empty())
            && !CACHE_MODES.contains(&c)
        {
            errs.push(unsupported(
                root.field("volumes").index(i).field("cache"),
                c,
                format!("in volume {i}, volume does not support cache {c}."),
            ));
        }
    }

    for (i, d) in pod.dns.iter().flatten().enumerate() {
        if d.parse::<IpAddr>().is_err() {
            errs.push(invalid(
                root.field("dns").index(i),
                d.as_str(),
                format!("incorrect dns {d}."),
            ));
        }
    }

    let mut fixed: Vec<PortMapping> = Vec::new();
    for (i, m) in pod.portmappings.iter().flatten().enumerate() {
        let p = root.field("portmappings").index(i);
        let side = |errs: &mut Vec<FieldError>, field: &'static str, v: Option<&str>| {
            let v = v.unwrap_or("");
            match v.parse::<PortRange>() {
                Ok(r) => Some(r),
                Err(e) => {
                    errs.push(at(e, p.field(field)).with_value(v));
                    None
                }
            }
        };
        let container = side(&mut errs, "containerPort", m.container_port.as_deref());
        let host = side(&mut errs, "hostPort", m.host_port.as_deref());
        let protocol = match m.protocol.as_deref().unwrap_or("") {
            "" | "tcp" => Some(Protocol::Tcp),
            "udp" => Some(Protocol::Udp),
            other => {
                errs.push(unsupported(
                    p.field("protocol"),
                    other,
                    format!("unrecongnized protocol {other}"),
                ));
                None
            }
        };
        let (Some(c), Some(h), Some(proto)) = (container, host, protocol) else {
            continue;
        };
        match PortMapping::new(proto, c, h) {
            Err(e) => errs.push(at(e, p.field("hostPort")).with_value(h.to_string())),
            // Ours: Hyper found these only in a unit-tested helper (mergeContinuousPorts).
            Ok(m) if m.is_fixed() => {
                let clash = fixed
                    .iter()
                    .find(|e| e.protocol() == proto && e.host().overlaps(&h));
                if let Some(e) = clash {
                    let port = e.host().first().get().max(h.first().get());
                    errs.push(
                        FieldError::new(
                            p.field("hostPort"),
                            ErrorType::Duplicate,
                            format!("duplicate host port {port}"),
                        )
                        .with_value(h.to_string()),
                    );
                }
                fixed.push(m);
            }
            Ok(_) => {}
        }
    }
    errs
}

fn dup_msg(path: FieldPath, value: impl Into<BadValue>, message: &str) -> FieldError {
    let mut e = duplicate(path, value);
    e.detail = message.to_owned();
    e
}

fn restart_policy(errs: &mut Vec<FieldError>, path: FieldPath, policy: Option<&str>) {
    if let Some(p) = policy.filter(|p| !p.is_empty())
        && p.parse::<RestartPolicy>().is_err()
    {
        errs.push(super::not_supported(
            path,
            p,
            &[
                "always",
                "onFailure",
                "never",
                "Always",
                "OnFailure",
                "Never",
            ],
        ));
    }
}

fn ip(errs: &mut Vec<FieldError>, path: FieldPath, value: Option<&str>) {
    match value.filter(|v| !v.is_empty()) {
        None => errs.push(required(path, "")),
        Some(v) if v.parse::<IpAddr>().is_err() => {
            errs.push(invalid(path, v, "must be a valid IP address"));
        }
        Some(_) => {}
    }
}

fn port_number(errs: &mut Vec<FieldError>, path: FieldPath, value: Option<i32>) {
    match value {
        None | Some(0) => errs.push(required(path, "")),
        Some(n) if !(1..=65535).contains(&n) => {
            errs.push(invalid(
                path,
                i64::from(n),
                "must be between 1 and 65535, inclusive",
            ));
        }
        Some(_) => {}
    }
}

fn tcp_or_udp(errs: &mut Vec<FieldError>, path: FieldPath, value: Option<&str>) {
    let v = value.unwrap_or("");
    if !(v.is_empty() || v.eq_ignore_ascii_case("tcp") || v.eq_ignore_ascii_case("udp")) {
        errs.push(unsupported(path, v, format!("unrecongnized protocol {v}")));
    }
}

fn service(errs: &mut Vec<FieldError>, path: &FieldPath, s: &Service) {
    ip(errs, path.field("serviceIP"), s.service_ip.as_deref());
    port_number(errs, path.field("servicePort"), s.service_port);
    tcp_or_udp(errs, path.field("protocol"), s.protocol.as_deref());
    for (h, host) in s.hosts.iter().flatten().enumerate() {
        let hp = path.field("hosts").index(h);
        ip(errs, hp.field("hostIP"), host.host_ip.as_deref());
        port_number(errs, hp.field("hostPort"), host.host_port);
    }
}

fn container(
    errs: &mut Vec<FieldError>,
    path: &FieldPath,
    n: usize,
    c: &Container,
    volumes: &HashSet<&str>,
    files: &HashSet<&str>,
    names: &mut HashSet<String>,
) {
    if let Some(name) = c.name.as_deref().filter(|x| !x.is_empty()) {
        match ContainerName::try_from(name) {
            Err(e) => errs.push(at(e, path.field("name"))),
            Ok(_) if !names.insert(name.to_owned()) => {
                errs.push(duplicate(path.field("name"), name))
            }
            Ok(_) => {}
        }
    }
    match c.image.as_deref().filter(|i| !i.is_empty()) {
        None => errs.push(required(
            path.field("image"),
            "Please specific your image for your container, it can not be null!",
        )),
        Some(i) => {
            if let Err(e) = crate::model::check_image_ref(i) {
                errs.push(at(e, path.field("image")));
            }
        }
    }
    restart_policy(
        errs,
        path.field("restartPolicy"),
        c.restart_policy.as_deref(),
    );
    if let Some(sig) = c.stop_signal.as_deref().filter(|s| !s.is_empty())
        && let Err(e) = Signal::try_from(sig)
    {
        errs.push(at(e, path.field("StopSignal")));
    }

    // Volume references: unique by volume (Hyper keys them by name, empty included).
    let mut refs: HashMap<&str, usize> = HashMap::new();
    for (k, v) in c.volumes.iter().flatten().enumerate() {
        let name = v.volume.as_deref().unwrap_or("");
        if refs.insert(name, k).is_some() {
            errs.push(dup_msg(
                path.field("volumes").index(k).field("volume"),
                name,
                &format!("in container {n}, volume source are not unique"),
            ));
        }
    }

    let mut envs = HashSet::new();
    for (k, e) in c.envs.iter().flatten().enumerate() {
        let p = path.field("envs").index(k).field("env");
        let name = e.env.as_deref().unwrap_or("");
        if name.is_empty() {
            errs.push(required(p, ""));
            continue;
        }
        if !envs.insert(name) {
            errs.push(dup_msg(
                p,
                name,
                &format!("in container {n}, environment name are not unique"),
            ));
        } else if let Some(reason) = env_var_name_errors(name).into_iter().next() {
            errs.push(invalid(p, name, reason));
        }
    }

    for (k, f) in c.files.iter().flatten().enumerate() {
        let p = path.field("files").index(k);
        let name = f.filename.as_deref().unwrap_or("");
        if !files.contains(name) {
            errs.push(not_found(
                p.field("filename"),
                name,
                format!("in container {n}, file {name} does not exist in file list."),
            ));
        }
        let perm = f
            .perm
            .as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or("0755");
        if find_hyper_perm(perm).is_none() {
            errs.push(invalid(
                p.field("perm"),
                perm,
                format!(
                    "in container {n}, the permission {perm} only accept Octal digital in string"
                ),
            ));
        }
        for (field, id) in [("user", &f.user), ("group", &f.group)] {
            if let Some(id) = id.as_deref().filter(|i| !i.is_empty())
                && id.parse::<u32>().is_err()
            {
                errs.push(invalid(p.field(field), id, "must be a numeric id"));
            }
        }
        if blank(f.path.as_ref()) {
            errs.push(required(p.field("path"), ""));
        }
    }

    for (k, v) in c.volumes.iter().flatten().enumerate() {
        let p = path.field("volumes").index(k);
        let name = v.volume.as_deref().unwrap_or("");
        if !volumes.contains(name) && v.detail.is_none() {
            errs.push(not_found(
                p.field("volume"),
                name,
                format!("in container {n}, volume {name} does not exist in volume list."),
            ));
        }
        if blank(v.path.as_ref()) {
            errs.push(required(p.field("path"), ""));
        }
    }

    if let Some(cache) = c.cache.as_deref().filter(|x| !x.is_empty())
        && !CACHE_MODES.contains(&cache)
    {
        errs.push(unsupported(
            path.field("cache"),
            cache,
            format!("in volume {n}, does not support cache {cache}."),
        ));
    }

    for (k, port) in c.ports.iter().flatten().enumerate() {
        let p = path.field("ports").index(k);
        port_number(errs, p.field("containerPort"), port.container_port);
        if let Some(h) = port.host_port.filter(|h| !(0..=65535).contains(h)) {
            errs.push(invalid(
                p.field("hostPort"),
                i64::from(h),
                "must be between 0 and 65535, inclusive",
            ));
        }
        tcp_or_udp(errs, p.field("protocol"), port.protocol.as_deref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(json: &str) -> Vec<(String, ErrorType)> {
        let pod: Pod = serde_json::from_str(json).unwrap();
        validate_hyper(&pod)
            .into_iter()
            .map(|e| (e.field.to_string(), e.kind))
            .collect()
    }

    fn details(json: &str) -> Vec<String> {
        let pod: Pod = serde_json::from_str(json).unwrap();
        validate_hyper(&pod).into_iter().map(|e| e.detail).collect()
    }

    fn one(path: &str, kind: ErrorType) -> Vec<(String, ErrorType)> {
        vec![(path.to_owned(), kind)]
    }

    #[test]
    fn minimal_and_empty_pods_are_valid() {
        assert_eq!(
            errors(r#"{"id": "p", "containers": [{"image": "busybox"}]}"#),
            vec![]
        );
        assert_eq!(errors(r#"{}"#), vec![]);
        assert_eq!(errors(r#"{"containers": []}"#), vec![]);
    }

    #[test]
    fn hostname_longer_than_63_is_too_long() {
        let json = format!(r#"{{"hostname": "{}"}}"#, "a".repeat(64));
        assert_eq!(errors(&json), one("hostname", ErrorType::TooLong));
        assert_eq!(
            details(&json),
            ["Hostname exceeds the maximum length 63, len: 64"]
        );
    }

    #[test]
    fn hostname_parts_must_be_dns_labels() {
        assert_eq!(errors(r#"{"hostname": "a.b-c"}"#), vec![]);
        let json = r#"{"hostname": "Web_1"}"#;
        assert_eq!(errors(json), one("hostname", ErrorType::Invalid));
        assert_eq!(
            details(json),
            [
                "Hostname should fullfil the pattern: [a-z0-9]([-a-z0-9]*[a-z0-9])?, input hostname: Web_1"
            ]
        );
    }

    #[test]
    fn at_most_one_interface_has_a_gateway() {
        let json = r#"{"interfaces": [{"gateway": "10.0.0.1"}, {}, {"gateway": "10.0.1.1"}]}"#;
        assert_eq!(
            errors(json),
            one("interfaces[2].gateway", ErrorType::Duplicate)
        );
        assert_eq!(
            details(json),
            ["in interface 2, Other interface already configured Gateway"]
        );
    }

    #[test]
    fn volume_names_unique_and_given() {
        let json = r#"{"volumes": [{"name": "v"}, {"name": "v"}, {}]}"#;
        assert_eq!(
            errors(json),
            [
                ("volumes[1].name".into(), ErrorType::Duplicate),
                ("volumes[2].name".into(), ErrorType::Required)
            ]
        );
        assert_eq!(details(json)[0], "Volumes name does not unique");
    }

    #[test]
    fn file_names_unique_and_given_encoding_known() {
        let json =
            r#"{"files": [{"name": "f"}, {"name": "f", "encoding": "hex"}, {"content": "x"}]}"#;
        assert_eq!(
            errors(json),
            [
                ("files[1].name".into(), ErrorType::Duplicate),
                ("files[1].encoding".into(), ErrorType::NotSupported),
                ("files[2].name".into(), ErrorType::Required)
            ]
        );
        assert_eq!(details(json)[0], "Files name does not unique");
    }

    #[test]
    fn services_unique_by_ip_port_and_lowercase_protocol() {
        let s = |proto: &str| {
            format!(
                r#"{{"serviceIP": "10.0.0.1", "servicePort": 80, "protocol": "{proto}", "hosts": [{{"hostIP": "10.0.0.2", "hostPort": 8080}}]}}"#
            )
        };
        let json = format!(
            r#"{{"services": [{}, {}, {}]}}"#,
            s("TCP"),
            s("tcp"),
            s("udp")
        );
        assert_eq!(errors(&json), one("services[1]", ErrorType::Duplicate));
        assert_eq!(
            details(&json),
            ["Services IP:Port@Protocol combination does not unique"]
        );
    }

    #[test]
    fn service_fields_are_ips_ports_and_protocols() {
        let json = r#"{"services": [{"serviceIP": "ten", "servicePort": 0, "protocol": "sctp",
            "hosts": [{"hostIP": "", "hostPort": 70000}]}]}"#;
        assert_eq!(
            errors(json),
            [
                ("services[0].serviceIP".into(), ErrorType::Invalid),
                ("services[0].servicePort".into(), ErrorType::Required),
                ("services[0].protocol".into(), ErrorType::NotSupported),
                ("services[0].hosts[0].hostIP".into(), ErrorType::Required),
                ("services[0].hosts[0].hostPort".into(), ErrorType::Invalid)
            ]
        );
    }

    #[test]
    fn container_volume_refs_unique() {
        let json = r#"{"volumes": [{"name": "v"}], "containers": [{"image": "i",
            "volumes": [{"volume": "v", "path": "/a"}, {"volume": "v", "path": "/b"}]}]}"#;
        assert_eq!(
            errors(json),
            one("containers[0].volumes[1].volume", ErrorType::Duplicate)
        );
        assert_eq!(
            details(json),
            ["in container 0, volume source are not unique"]
        );
    }

    #[test]
    fn container_env_names_unique() {
        let json = r#"{"containers": [{"image": "i", "envs": [{"env": "A"}, {"env": "B"}, {"env": "A"}]}]}"#;
        assert_eq!(
            errors(json),
            one("containers[0].envs[2].env", ErrorType::Duplicate)
        );
    }

    #[test]
    fn container_env_names_given_without_equals() {
        let json = r#"{"containers": [{"image": "i", "envs": [{"value": "x"}, {"env": "A=B"}]}]}"#;
        assert_eq!(
            errors(json),
            [
                ("containers[0].envs[0].env".into(), ErrorType::Required),
                ("containers[0].envs[1].env".into(), ErrorType::Invalid)
            ]
        );
    }

    #[test]
    fn container_file_refs_must_name_pod_files_even_with_detail() {
        let json = r#"{"containers": [{"image": "i", "files": [{"filename": "f", "path": "/f", "detail": {"name": "f"}}]}]}"#;
        assert_eq!(
            errors(json),
            one("containers[0].files[0].filename", ErrorType::NotFound)
        );
        assert_eq!(
            details(json),
            ["in container 0, file f does not exist in file list."]
        );
    }

    #[test]
    fn container_file_perm_regex() {
        let ok = |perm: &str| {
            format!(
                r#"{{"files": [{{"name": "f"}}], "containers": [{{"image": "i", "files": [{{"filename": "f", "path": "/f", "perm": "{perm}"}}]}}]}}"#
            )
        };
        for good in ["", "0", "0644", "x0755y"] {
            assert_eq!(errors(&ok(good)), vec![], "{good:?}");
        }
        assert_eq!(
            errors(&ok("644")),
            one("containers[0].files[0].perm", ErrorType::Invalid)
        );
        assert_eq!(
            details(&ok("0888")),
            ["in container 0, the permission 0888 only accept Octal digital in string"]
        );
    }

    #[test]
    fn container_file_owner_numeric_and_path_given() {
        let json = r#"{"files": [{"name": "f"}], "containers": [{"image": "i", "files": [{"filename": "f", "user": "root", "group": "0"}]}]}"#;
        assert_eq!(
            errors(json),
            [
                ("containers[0].files[0].user".into(), ErrorType::Invalid),
                ("containers[0].files[0].path".into(), ErrorType::Required)
            ]
        );
    }

    #[test]
    fn container_volume_refs_must_name_pod_volumes_unless_detail() {
        let json = r#"{"containers": [{"image": "i", "volumes": [{"volume": "x", "path": "/x"},
            {"volume": "y", "path": "/y", "detail": {"name": "y"}}, {"volume": "z"}]}]}"#;
        assert_eq!(
            errors(json),
            [
                (
                    "containers[0].volumes[0].volume".into(),
                    ErrorType::NotFound
                ),
                (
                    "containers[0].volumes[2].volume".into(),
                    ErrorType::NotFound
                ),
                ("containers[0].volumes[2].path".into(), ErrorType::Required)
            ]
        );
        assert_eq!(
            details(json)[0],
            "in container 0, volume x does not exist in volume list."
        );
    }

    #[test]
    fn container_cache_in_the_cache_set() {
        let json = r#"{"containers": [{"image": "i", "cache": "writeback"}, {"image": "i", "cache": "fast"}]}"#;
        assert_eq!(
            errors(json),
            one("containers[1].cache", ErrorType::NotSupported)
        );
        assert_eq!(details(json), ["in volume 1, does not support cache fast."]);
    }

    #[test]
    fn volume_format_in_the_format_set_and_legacy_driver_in_the_legacy_set() {
        let json = r#"{"volumes": [{"name": "a", "format": "nas"}, {"name": "b", "format": "ext4"}, {"name": "c", "driver": "nas"}]}"#;
        assert_eq!(
            errors(json),
            [
                ("volumes[1].format".into(), ErrorType::NotSupported),
                ("volumes[2].driver".into(), ErrorType::NotSupported)
            ]
        );
        assert_eq!(
            details(json)[0],
            "in volume 1, volume does not support driver ext4."
        );
    }

    #[test]
    fn volume_cache_in_the_cache_set() {
        let json =
            r#"{"volumes": [{"name": "a", "cache": "none"}, {"name": "b", "cache": "lazy"}]}"#;
        assert_eq!(
            errors(json),
            one("volumes[1].cache", ErrorType::NotSupported)
        );
        assert_eq!(
            details(json),
            ["in volume 1, volume does not support cache lazy."]
        );
    }

    #[test]
    fn dns_entries_are_ip_addresses() {
        let json = r#"{"dns": ["8.8.8.8", "2001:4860:4860::8888", "8.8.8"]}"#;
        assert_eq!(errors(json), one("dns[2]", ErrorType::Invalid));
    }

    #[test]
    fn port_mapping_ports_and_ranges() {
        let json = r#"{"portmappings": [
            {"containerPort": "80", "hostPort": "8080"},
            {"containerPort": "8000-8010", "hostPort": ""},
            {"containerPort": "90-80", "hostPort": "x"},
            {"containerPort": "8000-8001", "hostPort": "9000-9002"},
            {"containerPort": "53", "hostPort": "53", "protocol": "UDP"},
            {"containerPort": "70000", "hostPort": "1-10"}]}"#;
        assert_eq!(
            errors(json),
            [
                ("portmappings[1].hostPort".into(), ErrorType::Invalid),
                ("portmappings[2].containerPort".into(), ErrorType::Invalid),
                ("portmappings[2].hostPort".into(), ErrorType::Invalid),
                ("portmappings[3].hostPort".into(), ErrorType::Invalid),
                ("portmappings[4].protocol".into(), ErrorType::NotSupported),
                ("portmappings[5].containerPort".into(), ErrorType::Invalid)
            ]
        );
        let d = details(json);
        assert_eq!(d[1], "max 80 is smaller than min 90");
        assert!(d[3].starts_with("port range mismatch"), "{}", d[3]);
        assert_eq!(d[4], "unrecongnized protocol UDP");
    }

    #[test]
    fn fixed_host_ports_are_used_once_per_protocol() {
        let json = r#"{"portmappings": [{"containerPort": "80", "hostPort": "8080"},
            {"containerPort": "81", "hostPort": "8080", "protocol": "udp"},
            {"containerPort": "90-91", "hostPort": "8079-8080"},
            {"containerPort": "100", "hostPort": ""}, {"containerPort": "101", "hostPort": ""}]}"#;
        assert_eq!(
            errors(json),
            one("portmappings[2].hostPort", ErrorType::Duplicate)
        );
        assert_eq!(details(json), ["duplicate host port 8080"]);
    }

    #[test]
    fn image_reference_without_whitespace() {
        let json = r#"{"containers": [{"image": "bus box"}]}"#;
        assert_eq!(errors(json), one("containers[0].image", ErrorType::Invalid));
    }

    #[test]
    fn single_container_port_with_host_range_is_allowed() {
        assert_eq!(
            errors(r#"{"portmappings": [{"containerPort": "80", "hostPort": "8000-8100"}]}"#),
            vec![]
        );
    }

    #[test]
    fn empty_image_is_required_with_legacy_message() {
        let json = r#"{"containers": [{"name": "c"}]}"#;
        assert_eq!(
            errors(json),
            one("containers[0].image", ErrorType::Required)
        );
        assert_eq!(
            details(json),
            ["Please specific your image for your container, it can not be null!"]
        );
    }

    #[test]
    fn id_and_container_names_must_fit_the_model() {
        let json = r#"{"id": "a/b", "containers": [{"name": "c d", "image": "i"}, {"name": "e", "image": "i"}, {"name": "e", "image": "i"}]}"#;
        assert_eq!(
            errors(json),
            [
                ("id".into(), ErrorType::Invalid),
                ("containers[0].name".into(), ErrorType::Invalid),
                ("containers[2].name".into(), ErrorType::Duplicate)
            ]
        );
    }

    #[test]
    fn restart_policies_and_stop_signal() {
        let json = r#"{"restartPolicy": "sometimes", "containers": [{"image": "i", "restartPolicy": "onFailure",
            "StopSignal": "SIGWHAT"}, {"image": "i", "restartPolicy": "Never", "StopSignal": "quit"}]}"#;
        assert_eq!(
            errors(json),
            [
                ("restartPolicy".into(), ErrorType::NotSupported),
                ("containers[0].StopSignal".into(), ErrorType::Invalid)
            ]
        );
    }

    #[test]
    fn resources_not_negative() {
        let json = r#"{"resource": {"vcpu": -1, "memory": 0}}"#;
        assert_eq!(errors(json), one("resource.vcpu", ErrorType::Invalid));
    }

    #[test]
    fn legacy_container_ports_with_explicit_protocol_are_accepted() {
        let json = r#"{"containers": [{"image": "i", "ports": [{"containerPort": 80, "hostPort": 8080, "protocol": "tcp"},
            {"containerPort": 0, "protocol": "icmp"}]}]}"#;
        assert_eq!(
            errors(json),
            [
                (
                    "containers[0].ports[1].containerPort".into(),
                    ErrorType::Required
                ),
                (
                    "containers[0].ports[1].protocol".into(),
                    ErrorType::NotSupported
                )
            ]
        );
    }
}
