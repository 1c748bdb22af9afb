//! Table tests of the domain-to-wire rules: for one change to a plain pod, what each target
//! drops (by path) or refuses (by path), as the table in `convert::to_wire`'s doc says.

use std::time::Duration;

use convert::{Error, Target};
use podspec::Format;
use podspec::model::*;

fn base() -> Pod {
    let mut pod = Pod::new(PodName::try_from("web").unwrap(), Source::new(Format::K8s));
    pod.containers.push(Container::new(
        ContainerName::try_from("c").unwrap(),
        Image::Reference(ImageRef::try_from("busybox").unwrap()),
    ));
    pod
}

/// What a target does with a pod: the dropped paths, or the refused path.
#[derive(Debug, PartialEq)]
enum Outcome {
    Dropped(Vec<String>),
    Refused(String),
}

fn outcome(pod: &Pod, target: Target) -> Outcome {
    match convert::to_document(pod, target) {
        Ok(c) => Outcome::Dropped(c.dropped.iter().map(|d| d.field.to_string()).collect()),
        Err(Error::NotRepresentable { field, .. }) => Outcome::Refused(field.to_string()),
        Err(e) => panic!("{e}"),
    }
}

fn dropped(paths: &[&str]) -> Outcome {
    Outcome::Dropped(paths.iter().map(|p| (*p).to_owned()).collect())
}

fn refused(path: &str) -> Outcome {
    Outcome::Refused(path.to_owned())
}

type Change = fn(&mut Pod);

fn c0(pod: &mut Pod) -> &mut Container {
    &mut pod.containers[0]
}

#[test]
fn table() {
    let rows: Vec<(&str, Change, Outcome, Outcome)> = vec![
        ("nothing", |_| {}, dropped(&[]), dropped(&[])),
        (
            "namespace and annotations",
            |p| {
                p.namespace = "prod".into();
                p.annotations.insert("a".into(), "b".into());
            },
            dropped(&["namespace", "annotations"]),
            dropped(&[]),
        ),
        (
            "an init container",
            |p| {
                p.init_containers.push(Container::new(
                    ContainerName::try_from("i").unwrap(),
                    Image::Reference(ImageRef::try_from("b").unwrap()),
                ))
            },
            dropped(&["initContainers[0]"]),
            dropped(&[]),
        ),
        (
            "a probe and a hook",
            |p| {
                c0(p).liveness_probe = Some(Probe::new(ProbeHandler::Exec {
                    command: vec!["true".into()],
                }));
                c0(p).lifecycle.pre_stop = Some(HookHandler::Sleep(Duration::from_secs(1)));
            },
            dropped(&[
                "containers[0].livenessProbe",
                "containers[0].lifecycle.preStop",
            ]),
            dropped(&[]),
        ),
        (
            "preStart and postRestart hooks",
            |p| {
                c0(p).lifecycle.pre_start = Some(HookHandler::Exec {
                    command: vec!["a".into()],
                });
                c0(p).lifecycle.post_restart = Some(HookHandler::Exec {
                    command: vec!["a".into()],
                });
            },
            dropped(&[
                "containers[0].lifecycle.preStart",
                "containers[0].lifecycle.postRestart",
            ]),
            dropped(&[
                "containers[0].lifecycle.preStart",
                "containers[0].lifecycle.postRestart",
            ]),
        ),
        (
            "an always-succeeding probe",
            |p| c0(p).readiness_probe = Some(Probe::new(ProbeHandler::AlwaysSucceeds)),
            dropped(&["containers[0].readinessProbe"]),
            dropped(&["containers[0].readinessProbe"]),
        ),
        (
            "a liveness probe needing 2 successes, every 1.5 s",
            |p| {
                let mut probe = Probe::new(ProbeHandler::Exec {
                    command: vec!["true".into()],
                });
                probe.success_threshold = 2;
                probe.period = Duration::from_millis(1500);
                c0(p).liveness_probe = Some(probe);
            },
            dropped(&["containers[0].livenessProbe"]),
            dropped(&[
                "containers[0].livenessProbe.period",
                "containers[0].livenessProbe.successThreshold",
            ]),
        ),
        (
            "an env var from a pod field",
            |p| {
                c0(p).env.push(EnvVar {
                    name: "N".into(),
                    value: EnvValue::Field(PodField::Name),
                })
            },
            dropped(&["containers[0].env[0]"]),
            dropped(&[]),
        ),
        (
            "a repeated env name",
            |p| {
                c0(p).env.push(EnvVar::literal("A", "1"));
                c0(p).env.push(EnvVar::literal("A", "2"));
            },
            dropped(&["containers[0].env[1].name"]),
            dropped(&[]),
        ),
        (
            "a value with $( from a Kubernetes pod",
            |p| c0(p).env.push(EnvVar::literal("A", "$(B)")),
            dropped(&["containers[0].env[0].value"]),
            dropped(&[]),
        ),
        (
            "a value with $( from a Hyper pod",
            |p| {
                p.source = Source::new(Format::Hyper);
                c0(p).env.push(EnvVar::literal("A", "$(B)"));
            },
            dropped(&[]),
            dropped(&["containers[0].env[0].value"]),
        ),
        (
            "a named SCTP port with a host IP",
            |p| {
                let mut port = ContainerPort::new(Port::try_from(80).unwrap());
                port.name = Some(PortName::try_from("http").unwrap());
                port.host_ip = Some("127.0.0.1".parse().unwrap());
                c0(p).ports.push(port.clone());
                port.protocol = Protocol::Sctp;
                port.name = Some(PortName::try_from("s").unwrap());
                c0(p).ports.push(port);
            },
            dropped(&[
                "containers[0].ports[0].name",
                "containers[0].ports[0].hostIp",
                "containers[0].ports[1]",
            ]),
            dropped(&[]),
        ),
        (
            "pod files, services, port mappings and DNS servers",
            |p| {
                p.files.push(PodFile {
                    name: FileName::try_from("f").unwrap(),
                    source: FileSource::Uri("file:///f".into()),
                });
                c0(p).files.push(FileMount {
                    file: FileName::try_from("f").unwrap(),
                    path: "/f".into(),
                    mode: FileMode::default(),
                    uid: None,
                    gid: None,
                });
                p.services.push(Service {
                    ip: "10.0.0.1".parse().unwrap(),
                    port: Port::try_from(80).unwrap(),
                    protocol: Protocol::Tcp,
                    hosts: vec![],
                });
                p.port_mappings.push(
                    PortMapping::new(
                        Protocol::Tcp,
                        "80".parse().unwrap(),
                        "8080".parse().unwrap(),
                    )
                    .unwrap(),
                );
                p.dns = Dns {
                    policy: DnsPolicy::None,
                    servers: vec!["8.8.8.8".parse().unwrap()],
                    ..Dns::default()
                };
            },
            dropped(&[]),
            dropped(&[
                "containers[0].files",
                "dns.policy",
                "dns.servers",
                "files",
                "services",
                "portMappings",
            ]),
        ),
        (
            "a block image volume with a cache mode",
            |p| {
                let mut v = Volume::new(
                    VolumeName::try_from("d").unwrap(),
                    VolumeSource::BlockImage {
                        path: "/d.img".into(),
                        format: ImageFormat::Raw,
                        fstype: None,
                    },
                );
                v.cache = Some(CacheMode::Writeback);
                p.volumes.push(v);
                c0(p).volume_mounts.push(VolumeMount {
                    volume: VolumeName::try_from("d").unwrap(),
                    path: "/d".into(),
                    mode: MountMode::ReadWrite,
                    sub_path: None,
                });
            },
            dropped(&[]),
            dropped(&["volumes[0]", "containers[0].volumeMounts[0]"]),
        ),
        (
            "a memory emptyDir mounted by sub-path",
            |p| {
                p.volumes.push(Volume::new(
                    VolumeName::try_from("m").unwrap(),
                    VolumeSource::EmptyDir {
                        medium: StorageMedium::Memory,
                        size_limit: None,
                    },
                ));
                c0(p).volume_mounts.push(VolumeMount {
                    volume: VolumeName::try_from("m").unwrap(),
                    path: "/m".into(),
                    mode: MountMode::ReadOnly,
                    sub_path: Some("x".into()),
                });
            },
            dropped(&[
                "containers[0].volumeMounts[0].subPath",
                "volumes[0].source.medium",
            ]),
            dropped(&[]),
        ),
        (
            "a stop signal",
            |p| c0(p).lifecycle.stop_signal = Some(Signal::KILL),
            dropped(&[]),
            dropped(&["containers[0].lifecycle.stopSignal"]),
        ),
        (
            "restart rules",
            |p| {
                c0(p).restart = Some(ContainerRestart {
                    policy: RestartPolicy::Never,
                    rules: vec![RestartRule {
                        action: RestartRuleAction::RestartAllContainers,
                        operator: ExitCodeOperator::In,
                        exit_codes: [1].into(),
                    }],
                });
            },
            dropped(&["containers[0].restart.rules"]),
            dropped(&["containers[0].restart.rules[0]"]),
        ),
        (
            "deadline, grace period, service links off",
            |p| {
                p.active_deadline = Some(Duration::from_secs(60));
                p.termination_grace_period = Duration::from_secs(5);
                p.service_links = ServiceLinks::Disabled;
            },
            dropped(&["activeDeadline", "terminationGracePeriod", "serviceLinks"]),
            dropped(&[]),
        ),
        (
            "a VM size the containers do not say",
            |p| p.resources.vcpus = Vcpus::try_from(4).unwrap(),
            dropped(&[]),
            dropped(&["resources"]),
        ),
        (
            "container resources",
            |p| c0(p).resources.limits.cpu = Some(MilliCpu::from_millis(500)),
            dropped(&["containers[0].resources"]),
            dropped(&[]),
        ),
        (
            "labels Kubernetes rejects, a dotted hostname",
            |p| {
                p.labels.insert("bad key".into(), "v".into());
                p.hostname = Some(Hostname::try_from("a.b").unwrap());
            },
            dropped(&[]),
            dropped(&["labels[bad key]", "hostname"]),
        ),
        (
            "a pod name Kubernetes rejects",
            |p| p.name = PodName::try_from("Web").unwrap(),
            dropped(&[]),
            refused("name"),
        ),
        (
            "a container name Kubernetes rejects",
            |p| c0(p).name = ContainerName::try_from("C_1").unwrap(),
            dropped(&[]),
            refused("containers[0].name"),
        ),
        (
            "a volume name Kubernetes rejects",
            |p| {
                p.volumes.push(Volume::new(
                    VolumeName::try_from("Data").unwrap(),
                    VolumeSource::HostPath { path: "/d".into() },
                ))
            },
            dropped(&[]),
            refused("volumes[0].name"),
        ),
        (
            "a root filesystem",
            |p| c0(p).image = Image::RootFs { path: "/r".into() },
            refused("containers[0].image"),
            refused("containers[0].image"),
        ),
        (
            "no containers",
            |p| p.containers.clear(),
            dropped(&[]),
            refused("containers"),
        ),
    ];
    for (what, change, hyper, k8s) in rows {
        let mut pod = base();
        change(&mut pod);
        assert!(pod.validate().is_empty(), "{what}: {:?}", pod.validate());
        assert_eq!(outcome(&pod, Target::Hyper), hyper, "{what} -> Hyper");
        assert_eq!(outcome(&pod, Target::K8s), k8s, "{what} -> Kubernetes");
    }
}
