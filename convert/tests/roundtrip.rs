//! proptest properties of the conversions:
//!
//! - domain -> Hyper -> domain and domain -> Kubernetes -> domain are identities on what both
//!   sides can say (strategies generate domain pods restricted to each target's subset), through
//!   the JSON text, with nothing dropped and no parse warnings;
//! - conversion preserves validity: a pod that [`Pod::validate`] accepts converts (or fails with
//!   `NotRepresentable` only) to a document that `podspec::validate` accepts, for pods using
//!   features of both formats at once.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::time::Duration;

use convert::{Error, Options, Target};
use podspec::Format;
use podspec::model::*;
use podspec::wire::Document;
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;

// ---- shared pieces ----

fn restart_policy() -> impl Strategy<Value = RestartPolicy> {
    prop_oneof![
        Just(RestartPolicy::Always),
        Just(RestartPolicy::OnFailure),
        Just(RestartPolicy::Never)
    ]
}

fn dns_label() -> impl Strategy<Value = String> {
    "[a-z]([a-z0-9-]{0,8}[a-z0-9])?"
}

fn image() -> impl Strategy<Value = Image> {
    "[a-z]{1,8}(/[a-z]{1,6})?(:[0-9]{1,3})?"
        .prop_map(|s| Image::Reference(ImageRef::try_from(s).unwrap()))
}

fn args() -> impl Strategy<Value = Vec<String>> {
    vec("[a-zA-Z0-9/ .-]{1,8}", 0..3)
}

fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(IpAddr::from),
        any::<[u16; 8]>().prop_map(IpAddr::from)
    ]
}

fn port(n: u32) -> Port {
    Port::try_from(i64::from(n)).unwrap()
}

fn env_name() -> impl Strategy<Value = String> {
    "[A-Z_][A-Z0-9_]{0,6}"
}

fn secs(range: std::ops::Range<u64>) -> impl Strategy<Value = Duration> {
    range.prop_map(Duration::from_secs)
}

// ---- the Hyper subset ----

fn hyper_volume_source() -> impl Strategy<Value = VolumeSource> {
    prop_oneof![
        Just(VolumeSource::EmptyDir {
            medium: StorageMedium::Disk,
            size_limit: None
        }),
        "/[a-z]{1,8}".prop_map(|path| VolumeSource::HostPath { path }),
        (
            "/[a-z]{1,8}\\.img",
            prop_oneof![
                Just(ImageFormat::Raw),
                Just(ImageFormat::Qcow2),
                Just(ImageFormat::Vdi)
            ],
            option::of(prop_oneof![Just("ext4".to_owned()), Just("xfs".to_owned())]),
        )
            .prop_map(|(path, format, fstype)| VolumeSource::BlockImage {
                path,
                format,
                fstype
            }),
        (
            "[a-z]{1,6}/[a-z]{1,6}",
            option::of("[a-z]{1,6}"),
            option::of("[a-z]{1,6}"),
            vec("[a-z]{1,6}:[0-9]{4}", 0..3),
        )
            .prop_map(|(image, user, keyring, monitors)| VolumeSource::Rbd {
                image,
                user,
                keyring,
                monitors
            }),
        "[a-z]{1,6}:/[a-z]{1,6}".prop_map(|export| VolumeSource::Nfs { export }),
    ]
}

fn cache_mode() -> impl Strategy<Value = CacheMode> {
    prop_oneof![
        Just(CacheMode::Off),
        Just(CacheMode::None),
        Just(CacheMode::DirectSync),
        Just(CacheMode::Writeback),
        Just(CacheMode::Unsafe),
        Just(CacheMode::Writethrough),
    ]
}

fn file_source() -> impl Strategy<Value = FileSource> {
    prop_oneof![
        "(file:///|https://h/)[a-z]{1,8}".prop_map(FileSource::Uri),
        (
            prop_oneof![Just(Encoding::Raw), Just(Encoding::Base64)],
            "\\PC{0,16}"
        )
            .prop_map(|(encoding, content)| FileSource::Inline { encoding, content }),
    ]
}

fn hyper_dns() -> impl Strategy<Value = Dns> {
    prop_oneof![
        Just(Dns {
            policy: DnsPolicy::Default,
            ..Dns::default()
        }),
        (
            vec(ip(), 0..3),
            vec("[a-z]{1,6}\\.[a-z]{2,3}", 0..3),
            vec("ndots:[0-9]", 0..2)
        )
            .prop_filter("some resolver setting", |(s, q, o)| {
                !s.is_empty() || !q.is_empty() || !o.is_empty()
            })
            .prop_map(|(servers, searches, options)| Dns {
                policy: DnsPolicy::None,
                servers,
                searches,
                options,
            }),
    ]
}

/// One container's raw parts, turned into a [`Container`] once the pod's volumes and files
/// are known.
#[derive(Clone, Debug)]
struct HyperContainerParts {
    image: Image,
    entrypoint: Vec<String>,
    command: Vec<String>,
    working_dir: Option<String>,
    env: Vec<(String, String)>,
    tty: bool,
    ports: Vec<(u32, bool, Option<u32>)>,
    mounts: Vec<(usize, bool)>,
    files: Vec<(usize, u16, Option<u32>, Option<u32>)>,
    restart: Option<RestartPolicy>,
    stop_signal: Option<u8>,
}

fn hyper_container_parts() -> impl Strategy<Value = HyperContainerParts> {
    (
        (image(), args(), args(), option::of("/[a-z]{1,8}")),
        vec((env_name(), "\\PC{0,12}"), 0..4),
        any::<bool>(),
        vec((1u32..65536, any::<bool>(), option::of(0u32..1000)), 0..3),
        vec((any::<usize>(), any::<bool>()), 0..3),
        vec(
            (
                any::<usize>(),
                0u16..0o1000,
                option::of(0u32..70000),
                option::of(0u32..70000),
            ),
            0..3,
        ),
        option::of(restart_policy()),
        option::of(1u8..=64),
    )
        .prop_map(
            |(
                (image, entrypoint, command, working_dir),
                env,
                tty,
                ports,
                mounts,
                files,
                restart,
                stop_signal,
            )| {
                HyperContainerParts {
                    image,
                    entrypoint,
                    command,
                    working_dir,
                    env,
                    tty,
                    ports,
                    mounts,
                    files,
                    restart,
                    stop_signal,
                }
            },
        )
}

/// Builds the container: unique env names (Hyper's rule), one mount per volume, host ports
/// unique across the pod (`host_base` counts them).
fn hyper_container(
    name: String,
    p: HyperContainerParts,
    volumes: &[VolumeName],
    files: &[FileName],
    host_base: &mut u32,
) -> Container {
    let mut c = Container::new(ContainerName::try_from(name).unwrap(), p.image);
    c.entrypoint = p.entrypoint;
    c.command = p.command;
    c.working_dir = p.working_dir;
    let mut seen = BTreeSet::new();
    for (n, v) in p.env {
        if seen.insert(n.clone()) {
            c.env.push(EnvVar::literal(n, v));
        }
    }
    c.tty = p.tty;
    for (cp, udp, host) in p.ports {
        let mut port_ = ContainerPort::new(port(cp));
        port_.protocol = if udp { Protocol::Udp } else { Protocol::Tcp };
        if host.is_some() {
            *host_base += 1;
            port_.host_port = Some(port(*host_base));
        }
        c.ports.push(port_);
    }
    if !volumes.is_empty() {
        let mut used = BTreeSet::new();
        for (k, (i, ro)) in p.mounts.into_iter().enumerate() {
            let v = &volumes[i % volumes.len()];
            if used.insert(v.clone()) {
                c.volume_mounts.push(VolumeMount {
                    volume: v.clone(),
                    path: format!("/m{k}"),
                    mode: MountMode::from(ro),
                    sub_path: None,
                });
            }
        }
    }
    if !files.is_empty() {
        for (k, (i, bits, uid, gid)) in p.files.into_iter().enumerate() {
            c.files.push(FileMount {
                file: files[i % files.len()].clone(),
                path: format!("/f{k}"),
                mode: FileMode::from_bits(bits),
                uid,
                gid,
            });
        }
    }
    c.restart = p.restart.map(|policy| ContainerRestart {
        policy,
        rules: vec![],
    });
    c.lifecycle.stop_signal = p
        .stop_signal
        .map(|n| Signal::try_from(n.to_string().as_str()).unwrap());
    c
}

prop_compose! {
    fn hyper_pod()(
        name in "[a-zA-Z0-9][a-zA-Z0-9._-]{0,20}",
        hostname in option::of("[a-z0-9]{1,8}(\\.[a-z0-9]{1,8})?"),
        restart in restart_policy(),
        labels in btree_map("\\PC{1,8}", "\\PC{0,8}", 0..3),
        remove in any::<bool>(),
        vcpus in 1u32..64,
        memory in 1u32..65536,
        dns in hyper_dns(),
        volumes in vec((hyper_volume_source(), option::of(cache_mode())), 0..4),
        files in vec(file_source(), 0..3),
        services in vec((ip(), any::<bool>(), vec((ip(), 1u32..65536), 0..3)), 0..3),
        mappings in vec((1u32..60000, 1u32..50, any::<bool>()), 0..3),
        containers in vec(hyper_container_parts(), 0..4),
        prefix in "[a-z][a-z0-9]{0,4}",
    ) -> Pod {
        let mut source = Source::new(Format::Hyper);
        if remove {
            source.lifetime = Lifetime::RemoveWhenFinished;
        }
        let mut pod = Pod::new(PodName::try_from(name).unwrap(), source);
        pod.hostname = hostname.map(|h| Hostname::try_from(h).unwrap());
        pod.restart_policy = restart;
        pod.labels = labels;
        pod.resources = VmResources {
            vcpus: Vcpus::try_from(vcpus).unwrap(),
            memory: MemoryMib::try_from(memory).unwrap(),
        };
        pod.dns = dns;
        for (i, (src, cache)) in volumes.into_iter().enumerate() {
            let mut v = Volume::new(VolumeName::try_from(format!("vol{i}")).unwrap(), src);
            v.cache = cache;
            pod.volumes.push(v);
        }
        for (i, src) in files.into_iter().enumerate() {
            pod.files.push(PodFile { name: FileName::try_from(format!("file{i}")).unwrap(), source: src });
        }
        for (i, (ip, udp, hosts)) in services.into_iter().enumerate() {
            pod.services.push(Service {
                ip,
                port: port(1000 + i as u32),
                protocol: if udp { Protocol::Udp } else { Protocol::Tcp },
                hosts: hosts.into_iter().map(|(ip, p)| ServiceHost { ip, port: port(p) }).collect(),
            });
        }
        for (i, (first, len, udp)) in mappings.into_iter().enumerate() {
            let first = first.min(65535 - len);
            let c = PortRange::new(port(first), port(first + len - 1)).unwrap();
            let host_first = 2000 + 100 * i as u32;
            let h = PortRange::new(port(host_first), port(host_first + len - 1)).unwrap();
            let protocol = if udp { Protocol::Udp } else { Protocol::Tcp };
            pod.port_mappings.push(PortMapping::new(protocol, c, h).unwrap());
        }
        let vnames: Vec<VolumeName> = pod.volumes.iter().map(|v| v.name.clone()).collect();
        let fnames: Vec<FileName> = pod.files.iter().map(|f| f.name.clone()).collect();
        let mut host_base = 30000;
        for (i, parts) in containers.into_iter().enumerate() {
            pod.containers.push(hyper_container(format!("{prefix}-{i}"), parts, &vnames, &fnames, &mut host_base));
        }
        pod
    }
}

// ---- the Kubernetes subset ----

fn qualified_key() -> impl Strategy<Value = String> {
    "([a-z]{1,6}\\.[a-z]{2,3}/)?[a-zA-Z0-9]([a-zA-Z0-9._-]{0,6}[a-zA-Z0-9])?"
}

fn pod_field() -> impl Strategy<Value = PodField> {
    prop_oneof![
        Just(PodField::Name),
        Just(PodField::Namespace),
        Just(PodField::Uid),
        Just(PodField::NodeName),
        Just(PodField::PodIp),
        qualified_key().prop_map(PodField::Label),
        qualified_key().prop_map(PodField::Annotation),
    ]
}

fn env_var() -> impl Strategy<Value = EnvVar> {
    (
        env_name(),
        prop_oneof![
            "\\PC{0,12}".prop_map(EnvValue::Literal),
            "[A-Z]{0,3}\\$\\([A-Z_]{1,4}\\)[a-z]{0,3}".prop_map(EnvValue::Literal),
            pod_field().prop_map(EnvValue::Field),
        ],
    )
        .prop_map(|(name, value)| EnvVar { name, value })
}

fn http_get(success: HttpSuccess) -> impl Strategy<Value = HttpGet> {
    (
        prop_oneof![
            (1u32..65536).prop_map(|n| PortRef::Number(port(n))),
            "[a-z]{1,8}".prop_map(|n| PortRef::Name(PortName::try_from(n).unwrap())),
        ],
        "/[a-z]{0,8}",
        any::<bool>(),
        option::of("[a-z]{1,8}"),
        vec(("[A-Za-z][A-Za-z0-9-]{0,6}", "\\PC{0,8}"), 0..2),
    )
        .prop_map(move |(port, path, https, host, headers)| {
            let mut g = HttpGet::new(port, path);
            g.scheme = if https { Scheme::Https } else { Scheme::Http };
            g.host = host;
            g.headers = headers
                .into_iter()
                .map(|(name, value)| HttpHeader { name, value })
                .collect();
            g.success = success;
            g
        })
}

fn probe_handler() -> impl Strategy<Value = ProbeHandler> {
    prop_oneof![
        vec("[a-z]{1,6}", 1..3).prop_map(|command| ProbeHandler::Exec { command }),
        http_get(HttpSuccess::Below400).prop_map(ProbeHandler::HttpGet),
        (option::of("[a-z]{1,6}"), 1u32..65536).prop_map(|(host, p)| ProbeHandler::TcpSocket {
            host,
            port: PortRef::Number(port(p)),
        }),
        (1u32..65536, option::of("[a-z.]{1,8}")).prop_map(|(p, service)| ProbeHandler::Grpc {
            port: port(p),
            service
        }),
    ]
}

/// A probe of this kind: liveness and startup probes succeed after one success; only they
/// may have a grace period.
fn probe(readiness: bool) -> impl Strategy<Value = Probe> {
    (
        probe_handler(),
        secs(0..100),
        secs(1..100),
        secs(1..100),
        1u32..5,
        1u32..10,
        option::of(secs(1..100)),
    )
        .prop_map(
            move |(handler, delay, period, timeout, success, failure, grace)| {
                let mut p = Probe::new(handler);
                p.initial_delay = delay;
                p.period = period;
                p.timeout = timeout;
                p.success_threshold = if readiness { success } else { 1 };
                p.failure_threshold = failure;
                p.termination_grace_period = if readiness { None } else { grace };
                p
            },
        )
}

/// A hook; a sleep lasts at most the pod's grace period (none when that is 0).
fn hook(grace: u64) -> BoxedStrategy<HookHandler> {
    let exec = vec("[a-z]{1,6}", 1..3).prop_map(|command| HookHandler::Exec { command });
    let http = http_get(HttpSuccess::Below500).prop_map(HookHandler::HttpGet);
    if grace == 0 {
        prop_oneof![exec, http].boxed()
    } else {
        let sleep = (1..=grace).prop_map(|s| HookHandler::Sleep(Duration::from_secs(s)));
        prop_oneof![exec, http, sleep].boxed()
    }
}

fn restart_rules() -> impl Strategy<Value = Vec<RestartRule>> {
    vec(
        (any::<bool>(), btree_map(-5i32..300, Just(()), 1..4)).prop_map(|(not_in, codes)| {
            RestartRule {
                action: RestartRuleAction::Restart,
                operator: if not_in {
                    ExitCodeOperator::NotIn
                } else {
                    ExitCodeOperator::In
                },
                exit_codes: codes.into_keys().collect(),
            }
        }),
        0..3,
    )
}

fn resource_list() -> impl Strategy<Value = (Option<u64>, Option<u64>)> {
    (option::of(1u64..8000), option::of(1u64..(1 << 34)))
}

/// A port: name, number, protocol (0 TCP, 1 UDP, 2 SCTP), whether it has a host port, host IP.
type PortParts = (Option<String>, u32, u8, bool, Option<IpAddr>);
/// (millicores, bytes) requested and limited.
type ResourceParts = ((Option<u64>, Option<u64>), (Option<u64>, Option<u64>));

#[derive(Clone, Debug)]
struct K8sContainerParts {
    image: Image,
    entrypoint: Vec<String>,
    command: Vec<String>,
    working_dir: Option<String>,
    env: Vec<EnvVar>,
    tty: bool,
    stdin: bool,
    ports: Vec<PortParts>,
    resources: ResourceParts,
    mounts: Vec<(usize, bool, Option<String>)>,
    probes: (Option<Probe>, Option<Probe>, Option<Probe>),
    hooks: (Option<HookHandler>, Option<HookHandler>),
    restart: Option<(RestartPolicy, Vec<RestartRule>)>,
}

fn k8s_container_parts(grace: u64) -> impl Strategy<Value = K8sContainerParts> {
    (
        (image(), args(), args(), option::of("/[a-z]{1,8}")),
        vec(env_var(), 0..5),
        (any::<bool>(), any::<bool>()),
        vec(
            (
                option::of("[a-z]{1,6}"),
                1u32..65536,
                0u8..3,
                any::<bool>(),
                option::of(ip()),
            ),
            0..3,
        ),
        (resource_list(), resource_list()),
        vec(
            (
                any::<usize>(),
                any::<bool>(),
                option::of("[a-z]{1,6}(/[a-z]{1,4})?"),
            ),
            0..3,
        ),
        (
            option::of(probe(false)),
            option::of(probe(true)),
            option::of(probe(false)),
        ),
        (option::of(hook(grace)), option::of(hook(grace))),
        option::of((restart_policy(), restart_rules())),
    )
        .prop_map(
            |(
                (image, entrypoint, command, working_dir),
                env,
                (tty, stdin),
                ports,
                resources,
                mounts,
                probes,
                hooks,
                restart,
            )| {
                K8sContainerParts {
                    image,
                    entrypoint,
                    command,
                    working_dir,
                    env,
                    tty,
                    stdin,
                    ports,
                    resources,
                    mounts,
                    probes,
                    hooks,
                    restart,
                }
            },
        )
}

/// `kind`: 0 a regular container, 1 a plain init container (no probes or hooks), 2 a sidecar.
fn k8s_container(
    name: String,
    p: K8sContainerParts,
    kind: u8,
    volumes: &[VolumeName],
    host_base: &mut u32,
) -> Container {
    let mut c = Container::new(ContainerName::try_from(name).unwrap(), p.image);
    c.entrypoint = p.entrypoint;
    c.command = p.command;
    c.working_dir = p.working_dir;
    c.env = p.env;
    c.tty = p.tty;
    c.stdin = p.stdin;
    let mut names = BTreeSet::new();
    for (pname, cp, proto, host, host_ip) in p.ports {
        let mut port_ = ContainerPort::new(port(cp));
        port_.name = pname
            .filter(|n| names.insert(n.clone()))
            .map(|n| PortName::try_from(n).unwrap());
        port_.protocol = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp][usize::from(proto)];
        if host {
            *host_base += 1;
            port_.host_port = Some(port(*host_base));
            port_.host_ip = host_ip;
        }
        c.ports.push(port_);
    }
    let ((rc, rm), (lc, lm)) = p.resources;
    // A request is at most its limit.
    let (rc, rm) = (
        rc.map(|r| lc.map_or(r, |l| r.min(l))),
        rm.map(|r| lm.map_or(r, |l| r.min(l))),
    );
    c.resources = Resources {
        requests: ResourceList {
            cpu: rc.map(MilliCpu::from_millis),
            memory: rm.map(Memory::from_bytes),
        },
        limits: ResourceList {
            cpu: lc.map(MilliCpu::from_millis),
            memory: lm.map(Memory::from_bytes),
        },
    };
    if !volumes.is_empty() {
        for (k, (i, ro, sub)) in p.mounts.into_iter().enumerate() {
            c.volume_mounts.push(VolumeMount {
                volume: volumes[i % volumes.len()].clone(),
                path: format!("/m{k}"),
                mode: MountMode::from(ro),
                sub_path: sub,
            });
        }
    }
    if kind != 1 {
        (c.liveness_probe, c.readiness_probe, c.startup_probe) = p.probes;
        (c.lifecycle.post_start, c.lifecycle.pre_stop) = p.hooks;
    }
    c.restart = match kind {
        2 => Some(ContainerRestart {
            policy: RestartPolicy::Always,
            rules: vec![],
        }),
        _ => p
            .restart
            .map(|(policy, rules)| ContainerRestart { policy, rules }),
    };
    c
}

fn k8s_volume_source() -> impl Strategy<Value = VolumeSource> {
    prop_oneof![
        (any::<bool>(), option::of(0u64..(1 << 40))).prop_map(|(mem, limit)| {
            VolumeSource::EmptyDir {
                medium: if mem {
                    StorageMedium::Memory
                } else {
                    StorageMedium::Disk
                },
                size_limit: limit.map(Memory::from_bytes),
            }
        }),
        "/[a-z]{1,8}".prop_map(|path| VolumeSource::HostPath { path }),
        "[a-z]{1,6}:/[a-z]{1,6}".prop_map(|export| VolumeSource::Nfs { export }),
    ]
}

prop_compose! {
    fn k8s_pod_parts()(grace in 0u64..300)(
        grace in Just(grace),
        name in "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\\.[a-z0-9]{1,6})?",
        namespace in prop_oneof![Just("default".to_owned()), dns_label()],
        labels in btree_map(qualified_key(), "([a-zA-Z0-9]([a-zA-Z0-9._-]{0,6}[a-zA-Z0-9])?)?", 0..3),
        annotations in btree_map(qualified_key(), "\\PC{0,12}", 0..3),
        hostname in option::of(dns_label()),
        restart in restart_policy(),
        volumes in vec(k8s_volume_source(), 0..3),
        init in vec((k8s_container_parts(grace), any::<bool>()), 0..3),
        containers in vec(k8s_container_parts(grace), 1..4),
        deadline in option::of(1u64..100_000),
        dns in prop_oneof![Just(DnsPolicy::ClusterFirst), Just(DnsPolicy::ClusterFirstWithHostNet), Just(DnsPolicy::Default)],
        links in any::<bool>(),
        prefix in "[a-z][a-z0-9]{0,4}",
    ) -> Pod {
        let mut pod = Pod::new(PodName::try_from(name).unwrap(), Source::new(Format::K8s));
        pod.namespace = namespace;
        pod.labels = labels;
        pod.annotations = annotations;
        pod.hostname = hostname.map(|h| Hostname::try_from(h).unwrap());
        pod.restart_policy = restart;
        for (i, src) in volumes.into_iter().enumerate() {
            pod.volumes.push(Volume::new(VolumeName::try_from(format!("vol{i}")).unwrap(), src));
        }
        let vnames: Vec<VolumeName> = pod.volumes.iter().map(|v| v.name.clone()).collect();
        let mut host_base = 30000;
        for (i, (parts, sidecar)) in init.into_iter().enumerate() {
            let kind = if sidecar { 2 } else { 1 };
            // Init containers' host ports are checked per container only; keep them unique anyway.
            pod.init_containers.push(k8s_container(format!("{prefix}-init-{i}"), parts, kind, &vnames, &mut host_base));
        }
        for (i, parts) in containers.into_iter().enumerate() {
            pod.containers.push(k8s_container(format!("{prefix}-{i}"), parts, 0, &vnames, &mut host_base));
        }
        pod.termination_grace_period = Duration::from_secs(grace);
        pod.active_deadline = deadline.map(Duration::from_secs);
        pod.dns.policy = dns;
        pod.service_links = ServiceLinks::from(links);
        pod.resources = convert::vm_resources(&pod.init_containers, &pod.containers);
        pod
    }
}

// ---- properties ----

/// Writes `doc` as JSON, reads it back as `format`, and converts it to the domain model.
fn read_back(doc: &Document, format: Format) -> Result<convert::Converted<Pod>, TestCaseError> {
    let text = podspec::to_json(doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let parsed = podspec::parse(&text, Some(format))
        .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    prop_assert!(parsed.warnings.is_empty(), "{:?}\n{text}", parsed.warnings);
    convert::to_domain(&parsed.document, &Options::default())
        .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))
}

proptest! {
    #[test]
    fn domain_to_hyper_to_domain_is_the_identity_on_the_hyper_subset(pod in hyper_pod()) {
        prop_assert!(pod.validate().is_empty(), "generator: {:?}", pod.validate());
        let out = convert::to_hyper(&pod).unwrap();
        prop_assert!(out.dropped.is_empty(), "{:?}", out.dropped);
        let doc = Document::Hyper(out.value);
        let errs = podspec::validate(&doc);
        prop_assert!(errs.is_empty(), "{:?}", errs);
        let back = read_back(&doc, Format::Hyper)?;
        prop_assert!(back.dropped.is_empty(), "{:?}", back.dropped);
        prop_assert_eq!(back.value, pod);
    }

    #[test]
    fn domain_to_k8s_to_domain_is_the_identity_on_the_kubernetes_subset(pod in k8s_pod_parts()) {
        prop_assert!(pod.validate().is_empty(), "generator: {:?}", pod.validate());
        let out = convert::to_k8s(&pod).unwrap();
        prop_assert!(out.dropped.is_empty(), "{:?}", out.dropped);
        let doc = Document::K8s(out.value);
        let errs = podspec::validate(&doc);
        prop_assert!(errs.is_empty(), "{:?}", errs);
        let back = read_back(&doc, Format::K8s)?;
        prop_assert!(back.dropped.is_empty(), "{:?}", back.dropped);
        prop_assert_eq!(back.value, pod);
    }

    #[test]
    fn a_valid_pod_converts_to_a_valid_document(k in k8s_pod_parts(), h in hyper_pod(), odd in any::<u8>()) {
        let pod = mix(k, h, odd);
        prop_assume!(pod.validate().is_empty());
        for target in [Target::Hyper, Target::K8s] {
            match convert::to_document(&pod, target) {
                Ok(out) => {
                    let errs = podspec::validate(&out.value);
                    prop_assert!(errs.is_empty(), "{target}: {:?}\n{:#?}", errs, out.value);
                    // What was written reads back into a pod that is valid too.
                    let back = read_back(&out.value, out.value.format())?;
                    prop_assert!(back.value.validate().is_empty(), "{target}: {:?}", back.value.validate());
                }
                Err(Error::NotRepresentable { .. }) => {}
                Err(e) => prop_assert!(false, "{target}: {e}"),
            }
        }
    }
}

/// A pod with features of both formats: the Kubernetes pod `k` with the Hyper pod `h`'s
/// volumes, files, services, port mappings, DNS and first container's file mounts and stop
/// signal, and (chosen by the bits of `odd`) names and values one target cannot say.
fn mix(mut k: Pod, h: Pod, odd: u8) -> Pod {
    let renamed = |n: &VolumeName| VolumeName::try_from(format!("h{n}")).unwrap();
    for v in &h.volumes {
        let mut v = v.clone();
        v.name = renamed(&v.name);
        k.volumes.push(v);
    }
    k.files = h.files;
    k.services = h.services;
    k.port_mappings = h.port_mappings;
    if odd & 1 != 0 {
        k.dns = h.dns;
    }
    if let Some(hc) = h.containers.first() {
        let c = &mut k.containers[0];
        c.files = hc.files.clone();
        c.lifecycle.stop_signal = hc.lifecycle.stop_signal;
        for (i, m) in hc.volume_mounts.iter().enumerate() {
            let mut m = m.clone();
            m.volume = renamed(&m.volume);
            m.path = format!("/hm{i}");
            c.volume_mounts.push(m);
        }
    }
    if odd & 2 != 0 {
        k.labels.insert("not a label key".into(), "x".into());
        k.annotations.insert("?".into(), "y".into());
    }
    if odd & 4 != 0 {
        k.containers[0].image = Image::RootFs {
            path: "/rootfs".into(),
        };
    }
    if odd & 8 != 0 {
        k.name = PodName::try_from("Upper_Case").unwrap();
    }
    if odd & 16 != 0 {
        let c = &mut k.containers[0];
        c.lifecycle.pre_start = Some(HookHandler::Exec {
            command: vec!["true".into()],
        });
        c.readiness_probe = Some(Probe::new(ProbeHandler::AlwaysSucceeds));
        c.env.push(
            c.env
                .first()
                .cloned()
                .unwrap_or_else(|| EnvVar::literal("A", "1")),
        );
    }
    if odd & 32 != 0 {
        k.hostname = Some(Hostname::try_from("a.b").unwrap());
        k.resources.vcpus = Vcpus::try_from(7).unwrap();
    }
    if odd & 64 != 0 {
        if let Some(p) = k.containers[0].liveness_probe.as_mut() {
            p.success_threshold = 3;
            p.period = Duration::from_millis(1500);
        }
        if let Some(r) = k.containers[0].restart.as_mut() {
            r.rules.push(RestartRule {
                action: RestartRuleAction::RestartAllContainers,
                operator: ExitCodeOperator::In,
                exit_codes: [1].into(),
            });
        }
    }
    k
}

/// The validity property is only as good as the pods that reach the conversions: most mixed
/// pods must be valid, and most of those must convert to each target.
#[test]
fn the_validity_property_reaches_the_conversions() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = (k8s_pod_parts(), hyper_pod(), any::<u8>());
    let (mut valid, mut to_hyper, mut to_k8s) = (0, 0, 0);
    for _ in 0..200 {
        let (k, h, odd) = strategy.new_tree(&mut runner).unwrap().current();
        let pod = mix(k, h, odd);
        if !pod.validate().is_empty() {
            continue;
        }
        valid += 1;
        to_hyper += usize::from(convert::to_hyper(&pod).is_ok());
        to_k8s += usize::from(convert::to_k8s(&pod).is_ok());
    }
    println!("{valid} valid of 200; {to_hyper} to Hyper, {to_k8s} to Kubernetes");
    assert!(valid >= 150, "{valid}");
    // `odd` makes half of them run from a root filesystem (neither target can say it) and a
    // quarter more have a name Kubernetes cannot say.
    assert!(
        to_hyper >= valid * 2 / 5 && to_k8s >= valid / 6,
        "{to_hyper} {to_k8s} of {valid}"
    );
}
