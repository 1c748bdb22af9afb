//! [`Pod::validate`]: the cross-field rules of the model (listed in the module doc of
//! [`crate::model`]).

use std::collections::HashSet;

use super::{
    Container, HookHandler, MAX_RESTART_RULES, MAX_RULE_EXIT_CODES, Pod, Probe, ProbeHandler,
};
use crate::validate::names::{dns1123_label_errors, env_var_name_errors};
use crate::{ErrorType, FieldError, FieldPath};

pub(super) fn pod(pod: &Pod) -> Vec<FieldError> {
    let root = FieldPath::root();
    let mut errs = Vec::new();

    if let Some(reason) = dns1123_label_errors(&pod.namespace).into_iter().next() {
        errs.push(
            FieldError::new(root.field("namespace"), ErrorType::Invalid, reason)
                .with_value(pod.namespace.as_str()),
        );
    }
    if pod.active_deadline.is_some_and(|d| d.is_zero()) {
        errs.push(
            FieldError::new(
                root.field("activeDeadline"),
                ErrorType::Invalid,
                "must be greater than 0",
            )
            .with_value(0_i64),
        );
    }

    unique(
        &mut errs,
        pod.volumes.iter().map(|v| v.name.as_str()),
        |i| root.field("volumes").index(i).field("name"),
    );
    unique(&mut errs, pod.files.iter().map(|f| f.name.as_str()), |i| {
        root.field("files").index(i).field("name")
    });

    // Container names: regular among themselves, then each init container against every
    // regular one and the earlier init ones (Kubernetes' order and paths).
    let mut seen: HashSet<&str> = HashSet::new();
    for (i, c) in pod.containers.iter().enumerate() {
        if !seen.insert(c.name.as_str()) {
            errs.push(duplicate(
                root.field("containers").index(i).field("name"),
                c.name.as_str(),
            ));
        }
    }
    for (i, c) in pod.init_containers.iter().enumerate() {
        if !seen.insert(c.name.as_str()) {
            errs.push(duplicate(
                root.field("initContainers").index(i).field("name"),
                c.name.as_str(),
            ));
        }
    }

    let volumes: HashSet<&str> = pod.volumes.iter().map(|v| v.name.as_str()).collect();
    let files: HashSet<&str> = pod.files.iter().map(|f| f.name.as_str()).collect();
    for (path, c) in pod.all_containers() {
        container(&mut errs, pod, &path, c, &volumes, &files);
    }

    // (protocol, host IP, host port) once across regular containers.
    let mut host_ports = HashSet::new();
    for (i, c) in pod.containers.iter().enumerate() {
        for (k, p) in c.ports.iter().enumerate() {
            if let Some(hp) = p.host_port
                && !host_ports.insert((p.protocol, p.host_ip, hp))
            {
                errs.push(
                    FieldError::new(
                        root.field("containers")
                            .index(i)
                            .field("ports")
                            .index(k)
                            .field("hostPort"),
                        ErrorType::Duplicate,
                        "",
                    )
                    .with_value(format!("{}/{}", hp, p.protocol)),
                );
            }
        }
    }

    for (j, m) in pod.port_mappings.iter().enumerate() {
        // Mappings that pick a free host port from a range cannot clash.
        let clash = m.is_fixed()
            && pod.port_mappings[..j].iter().any(|e| {
                e.is_fixed() && e.protocol() == m.protocol() && e.host().overlaps(&m.host())
            });
        if clash {
            errs.push(
                FieldError::new(
                    root.field("portMappings").index(j).field("host"),
                    ErrorType::Duplicate,
                    "overlaps the fixed host ports of an earlier mapping of the same protocol",
                )
                .with_value(m.host().to_string()),
            );
        }
    }

    let mut services = HashSet::new();
    for (j, s) in pod.services.iter().enumerate() {
        if !services.insert((s.ip, s.port, s.protocol)) {
            errs.push(
                FieldError::new(
                    root.field("services").index(j),
                    ErrorType::Duplicate,
                    "Services IP:Port@Protocol combination does not unique",
                )
                .with_value(format!("{}:{}@{}", s.ip, s.port, s.protocol)),
            );
        }
    }
    errs
}

fn duplicate(path: FieldPath, value: &str) -> FieldError {
    FieldError::new(path, ErrorType::Duplicate, "").with_value(value)
}

/// Reports every name that repeats an earlier one.
fn unique<'a>(
    errs: &mut Vec<FieldError>,
    names: impl Iterator<Item = &'a str>,
    path: impl Fn(usize) -> FieldPath,
) {
    let mut seen = HashSet::new();
    for (i, n) in names.enumerate() {
        if !seen.insert(n) {
            errs.push(duplicate(path(i), n));
        }
    }
}

fn container(
    errs: &mut Vec<FieldError>,
    pod: &Pod,
    path: &FieldPath,
    c: &Container,
    volumes: &HashSet<&str>,
    files: &HashSet<&str>,
) {
    for (k, e) in c.env.iter().enumerate() {
        let p = path.field("env").index(k).field("name");
        if e.name.is_empty() {
            errs.push(FieldError::new(p, ErrorType::Required, ""));
        } else if let Some(reason) = env_var_name_errors(&e.name).into_iter().next() {
            errs.push(FieldError::new(p, ErrorType::Invalid, reason).with_value(e.name.as_str()));
        }
    }

    let mut names = HashSet::new();
    for (k, port) in c.ports.iter().enumerate() {
        if let Some(n) = &port.name
            && !names.insert(n.as_str())
        {
            errs.push(duplicate(
                path.field("ports").index(k).field("name"),
                n.as_str(),
            ));
        }
    }

    let mut mount_paths = HashSet::new();
    for (k, m) in c.volume_mounts.iter().enumerate() {
        let p = path.field("volumeMounts").index(k);
        if !volumes.contains(m.volume.as_str()) {
            errs.push(
                FieldError::new(
                    p.field("volume"),
                    ErrorType::NotFound,
                    "no pod volume has this name",
                )
                .with_value(m.volume.as_str()),
            );
        }
        if m.path.is_empty() {
            errs.push(FieldError::new(p.field("path"), ErrorType::Required, ""));
        } else if !mount_paths.insert(m.path.as_str()) {
            errs.push(
                FieldError::new(p.field("path"), ErrorType::Duplicate, "must be unique")
                    .with_value(m.path.as_str()),
            );
        }
        if let Some(sub) = &m.sub_path
            && (sub.starts_with('/') || sub.split('/').any(|part| part == ".."))
        {
            errs.push(
                FieldError::new(
                    p.field("subPath"),
                    ErrorType::Invalid,
                    "must be a relative path without '..'",
                )
                .with_value(sub.as_str()),
            );
        }
    }

    for (k, f) in c.files.iter().enumerate() {
        if !files.contains(f.file.as_str()) {
            errs.push(
                FieldError::new(
                    path.field("files").index(k).field("file"),
                    ErrorType::NotFound,
                    "no pod file has this name",
                )
                .with_value(f.file.as_str()),
            );
        }
    }

    if let Some(r) = &c.restart {
        let rules = path.field("restart").field("rules");
        if r.rules.len() > MAX_RESTART_RULES {
            errs.push(FieldError::new(
                rules.clone(),
                ErrorType::TooMany,
                format!("must have at most {MAX_RESTART_RULES} items"),
            ));
        }
        for (k, rule) in r.rules.iter().enumerate() {
            if rule.exit_codes.len() > MAX_RULE_EXIT_CODES {
                errs.push(FieldError::new(
                    rules.index(k).field("exitCodes"),
                    ErrorType::TooMany,
                    format!("must have at most {MAX_RULE_EXIT_CODES} items"),
                ));
            }
        }
    }

    let plain_init = path.segments().first() == Some(&crate::Segment::field("initContainers"))
        && !c.is_restartable_init();
    let probes = [
        ("livenessProbe", &c.liveness_probe),
        ("readinessProbe", &c.readiness_probe),
        ("startupProbe", &c.startup_probe),
    ];
    for (name, probe) in probes {
        let Some(probe) = probe else { continue };
        let p = path.field(name);
        if plain_init {
            errs.push(FieldError::new(
                p,
                ErrorType::Forbidden,
                "may not be set for init containers without restartPolicy=Always",
            ));
            continue;
        }
        check_probe(errs, &p, name, probe);
    }
    if plain_init && !c.lifecycle.has_no_hooks() {
        errs.push(FieldError::new(
            path.field("lifecycle"),
            ErrorType::Forbidden,
            "may not be set for init containers without restartPolicy=Always",
        ));
    } else {
        for (name, hook) in c.lifecycle.hooks() {
            let p = path.field("lifecycle").field(name);
            match hook {
                HookHandler::Exec { command } if command.is_empty() => {
                    errs.push(FieldError::new(
                        p.field("exec").field("command"),
                        ErrorType::Required,
                        "",
                    ));
                }
                HookHandler::Sleep(d) if *d > pod.termination_grace_period => {
                    errs.push(
                        FieldError::new(
                            p.field("sleep"),
                            ErrorType::Invalid,
                            format!(
                                "must be less than or equal to the termination grace period ({} s)",
                                pod.termination_grace_period.as_secs()
                            ),
                        )
                        .with_value(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
                    );
                }
                _ => {}
            }
        }
    }
}

fn check_probe(errs: &mut Vec<FieldError>, p: &FieldPath, name: &str, probe: &Probe) {
    if name == "readinessProbe" && probe.termination_grace_period.is_some() {
        errs.push(FieldError::new(
            p.field("terminationGracePeriod"),
            ErrorType::Invalid,
            "must not be set for readinessProbes",
        ));
    }
    if let ProbeHandler::Exec { command } = &probe.handler
        && command.is_empty()
    {
        errs.push(FieldError::new(
            p.field("exec").field("command"),
            ErrorType::Required,
            "",
        ));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::*;
    use crate::{ErrorType, Format};

    fn name(s: &str) -> ContainerName {
        ContainerName::try_from(s).unwrap()
    }

    fn pod() -> Pod {
        Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s))
    }

    fn paths(p: &Pod) -> Vec<(String, ErrorType)> {
        p.validate()
            .into_iter()
            .map(|e| (e.field.to_string(), e.kind))
            .collect()
    }

    fn exec(cmd: &[&str]) -> ProbeHandler {
        ProbeHandler::Exec {
            command: cmd.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn container_names_unique_across_init_and_regular() {
        let mut p = pod();
        p.containers.push(Container::new(name("a"), Image::Host));
        p.containers.push(Container::new(name("a"), Image::Host));
        p.init_containers
            .push(Container::new(name("a"), Image::Host));
        p.init_containers
            .push(Container::new(name("b"), Image::Host));
        p.init_containers
            .push(Container::new(name("b"), Image::Host));
        assert_eq!(
            paths(&p),
            [
                ("containers[1].name".into(), ErrorType::Duplicate),
                ("initContainers[0].name".into(), ErrorType::Duplicate),
                ("initContainers[2].name".into(), ErrorType::Duplicate),
            ]
        );
    }

    #[test]
    fn volume_and_file_names_unique() {
        let mut p = pod();
        let v = Volume::new(
            VolumeName::try_from("v").unwrap(),
            VolumeSource::HostPath { path: "/".into() },
        );
        p.volumes = vec![v.clone(), v];
        let f = PodFile {
            name: FileName::try_from("f").unwrap(),
            source: FileSource::Uri("file:///x".into()),
        };
        p.files = vec![f.clone(), f];
        assert_eq!(
            paths(&p),
            [
                ("volumes[1].name".into(), ErrorType::Duplicate),
                ("files[1].name".into(), ErrorType::Duplicate),
            ]
        );
    }

    #[test]
    fn mounts_reference_existing_volumes_and_files() {
        let mut p = pod();
        let mut c = Container::new(name("c"), Image::Host);
        c.volume_mounts.push(VolumeMount {
            volume: VolumeName::try_from("nope").unwrap(),
            path: "/x".into(),
            mode: MountMode::ReadWrite,
            sub_path: None,
        });
        c.files.push(FileMount {
            file: FileName::try_from("nofile").unwrap(),
            path: "/f".into(),
            mode: FileMode::default(),
            uid: None,
            gid: None,
        });
        p.containers.push(c);
        assert_eq!(
            paths(&p),
            [
                (
                    "containers[0].volumeMounts[0].volume".into(),
                    ErrorType::NotFound
                ),
                ("containers[0].files[0].file".into(), ErrorType::NotFound),
            ]
        );
    }

    #[test]
    fn mount_paths_unique_and_sub_paths_relative() {
        let mut p = pod();
        p.volumes.push(Volume::new(
            VolumeName::try_from("v").unwrap(),
            VolumeSource::HostPath { path: "/".into() },
        ));
        let m = |path: &str, sub: Option<&str>| VolumeMount {
            volume: VolumeName::try_from("v").unwrap(),
            path: path.into(),
            mode: MountMode::ReadWrite,
            sub_path: sub.map(Into::into),
        };
        let mut c = Container::new(name("c"), Image::Host);
        c.volume_mounts = vec![m("/a", None), m("/a", Some("x/../y")), m("", Some("/abs"))];
        p.containers.push(c);
        assert_eq!(
            paths(&p),
            [
                (
                    "containers[0].volumeMounts[1].path".into(),
                    ErrorType::Duplicate
                ),
                (
                    "containers[0].volumeMounts[1].subPath".into(),
                    ErrorType::Invalid
                ),
                (
                    "containers[0].volumeMounts[2].path".into(),
                    ErrorType::Required
                ),
                (
                    "containers[0].volumeMounts[2].subPath".into(),
                    ErrorType::Invalid
                ),
            ]
        );
    }

    #[test]
    fn env_names_non_empty_printable_without_equals() {
        let mut p = pod();
        let mut c = Container::new(name("c"), Image::Host);
        c.env = vec![
            EnvVar::literal("", "x"),
            EnvVar::literal("A=B", "x"),
            EnvVar::literal("ok", ""),
        ];
        p.containers.push(c);
        assert_eq!(
            paths(&p),
            [
                ("containers[0].env[0].name".into(), ErrorType::Required),
                ("containers[0].env[1].name".into(), ErrorType::Invalid),
            ]
        );
    }

    #[test]
    fn restart_rules_at_most_20_and_codes_at_most_255() {
        let mut p = pod();
        let mut c = Container::new(name("c"), Image::Host);
        let rule = |n: i32| RestartRule {
            action: RestartRuleAction::Restart,
            operator: ExitCodeOperator::In,
            exit_codes: (0..n).collect(),
        };
        let mut rules = vec![rule(256)];
        rules.extend((0..20).map(|_| rule(1)));
        c.restart = Some(ContainerRestart {
            policy: RestartPolicy::Never,
            rules,
        });
        p.containers.push(c);
        assert_eq!(
            paths(&p),
            [
                ("containers[0].restart.rules".into(), ErrorType::TooMany),
                (
                    "containers[0].restart.rules[0].exitCodes".into(),
                    ErrorType::TooMany
                ),
            ]
        );
    }

    #[test]
    fn plain_init_containers_may_not_have_probes_or_hooks_but_sidecars_may() {
        let mut p = pod();
        let mut c = Container::new(name("init"), Image::Host);
        c.readiness_probe = Some(Probe::new(exec(&["true"])));
        c.lifecycle.post_start = Some(HookHandler::Exec {
            command: vec!["x".into()],
        });
        let mut sidecar = c.clone();
        sidecar.name = name("sidecar");
        sidecar.restart = Some(ContainerRestart {
            policy: RestartPolicy::Always,
            rules: vec![],
        });
        p.init_containers = vec![c, sidecar];
        assert_eq!(
            paths(&p),
            [
                (
                    "initContainers[0].readinessProbe".into(),
                    ErrorType::Forbidden
                ),
                ("initContainers[0].lifecycle".into(), ErrorType::Forbidden),
            ]
        );
    }

    #[test]
    fn readiness_probe_has_no_grace_period_and_exec_needs_a_command() {
        let mut p = pod();
        let mut c = Container::new(name("c"), Image::Host);
        let mut probe = Probe::new(exec(&[]));
        probe.termination_grace_period = Some(Duration::from_secs(1));
        c.readiness_probe = Some(probe.clone());
        c.liveness_probe = Some(probe);
        c.lifecycle.pre_stop = Some(HookHandler::Exec { command: vec![] });
        p.containers.push(c);
        assert_eq!(
            paths(&p),
            [
                (
                    "containers[0].livenessProbe.exec.command".into(),
                    ErrorType::Required
                ),
                (
                    "containers[0].readinessProbe.terminationGracePeriod".into(),
                    ErrorType::Invalid
                ),
                (
                    "containers[0].readinessProbe.exec.command".into(),
                    ErrorType::Required
                ),
                (
                    "containers[0].lifecycle.preStop.exec.command".into(),
                    ErrorType::Required
                ),
            ]
        );
    }

    #[test]
    fn sleep_hook_at_most_the_grace_period() {
        let mut p = pod();
        p.termination_grace_period = Duration::from_secs(5);
        let mut c = Container::new(name("c"), Image::Host);
        c.lifecycle.pre_stop = Some(HookHandler::Sleep(Duration::from_secs(6)));
        c.lifecycle.post_start = Some(HookHandler::Sleep(Duration::from_secs(5)));
        p.containers.push(c);
        assert_eq!(
            paths(&p),
            [(
                "containers[0].lifecycle.preStop.sleep".into(),
                ErrorType::Invalid
            )]
        );
    }

    #[test]
    fn port_names_unique_and_host_ports_used_once() {
        let mut p = pod();
        let port = |n: i64, host: Option<i64>| ContainerPort {
            name: Some(PortName::try_from("http").unwrap()),
            host_port: host.map(|h| Port::try_from(h).unwrap()),
            ..ContainerPort::new(Port::try_from(n).unwrap())
        };
        let mut a = Container::new(name("a"), Image::Host);
        a.ports = vec![port(80, Some(8080)), port(81, None)];
        let mut b = Container::new(name("b"), Image::Host);
        b.ports = vec![port(80, Some(8080))];
        let mut udp = port(80, Some(8080));
        udp.name = None;
        udp.protocol = Protocol::Udp;
        b.ports.push(udp);
        p.containers = vec![a, b];
        assert_eq!(
            paths(&p),
            [
                ("containers[0].ports[1].name".into(), ErrorType::Duplicate),
                (
                    "containers[1].ports[0].hostPort".into(),
                    ErrorType::Duplicate
                ),
            ]
        );
    }

    #[test]
    fn fixed_port_mappings_of_one_protocol_do_not_overlap() {
        let mut p = pod();
        let m = |proto, c: &str, h: &str| {
            PortMapping::new(proto, c.parse().unwrap(), h.parse().unwrap()).unwrap()
        };
        p.port_mappings = vec![
            m(Protocol::Tcp, "80", "8080"),
            m(Protocol::Udp, "80", "8080"),
            m(Protocol::Tcp, "90-91", "8079-8080"),
            // Any free port from a range: no clash, even with each other.
            m(Protocol::Tcp, "100", "8000-8100"),
            m(Protocol::Tcp, "101", "8000-8100"),
        ];
        assert_eq!(
            paths(&p),
            [("portMappings[2].host".into(), ErrorType::Duplicate)]
        );
    }

    #[test]
    fn services_unique_by_ip_port_protocol() {
        let mut p = pod();
        let s = Service {
            ip: "10.0.0.1".parse().unwrap(),
            port: Port::try_from(80).unwrap(),
            protocol: Protocol::Tcp,
            hosts: vec![],
        };
        let mut udp = s.clone();
        udp.protocol = Protocol::Udp;
        p.services = vec![s.clone(), udp, s];
        assert_eq!(paths(&p), [("services[2]".into(), ErrorType::Duplicate)]);
    }

    #[test]
    fn namespace_is_a_label_and_deadline_not_zero() {
        let mut p = pod();
        p.namespace = "Kube_System".into();
        p.active_deadline = Some(Duration::ZERO);
        assert_eq!(
            paths(&p),
            [
                ("namespace".into(), ErrorType::Invalid),
                ("activeDeadline".into(), ErrorType::Invalid),
            ]
        );
    }
}
