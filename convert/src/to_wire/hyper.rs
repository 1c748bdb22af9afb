//! The domain model to a Hyper 1.x pod file.

use std::collections::BTreeMap;

use podspec::FieldPath;
use podspec::model::{
    Container, DEFAULT_TERMINATION_GRACE_PERIOD, DnsPolicy, Encoding, EnvValue, FileSource,
    Lifetime, Pod, Protocol, ServiceLinks, StorageMedium, VolumeSource,
};
use podspec::wire::compact_str::ToCompactString;
use podspec::wire::hyper;

use super::{
    cache_str, expands, hyper_restart, image_format_str, image_ref, needs_expansion_note, opt,
    some, str_map, strs,
};
use crate::converted::Drops;
use crate::{Converted, Error, Target};

/// A pod as a Hyper 1.x pod file (the table of what Hyper cannot say is in [`super`]'s doc).
///
/// # Errors
///
/// [`Error::NotRepresentable`] for a container that does not run from an image reference
/// (Hyper needs one).
///
/// # Examples
///
/// ```
/// use podspec::{Format, model::*};
/// let mut pod = Pod::new(PodName::try_from("web").unwrap(), Source::new(Format::K8s));
/// pod.init_containers.push(Container::new(
///     ContainerName::try_from("setup").unwrap(),
///     Image::Reference(ImageRef::try_from("busybox").unwrap()),
/// ));
/// let out = convert::to_hyper(&pod).unwrap();
/// assert_eq!(out.value.id.as_deref(), Some("web"));
/// assert_eq!(out.value.r#type.as_deref(), Some("kubernetes")); // removed once finished
/// assert_eq!(out.dropped[0].to_string(), "initContainers[0]: dropped: Hyper has no init containers");
/// ```
pub fn to_hyper(pod: &Pod) -> Result<Converted<hyper::Pod>, Error> {
    let mut d = Drops::default();
    let root = FieldPath::root();
    let mut out = hyper::Pod {
        id: Some(pod.name.as_str().into()),
        hostname: pod.hostname.as_ref().map(|h| h.as_str().into()),
        restart_policy: Some(hyper_restart(pod.restart_policy).into()),
        labels: some(str_map(&pod.labels), BTreeMap::is_empty),
        resource: Some(hyper::Resource {
            vcpu: Some(saturate(
                &mut d,
                root.field("resources").field("vcpus"),
                pod.resources.vcpus.get(),
            )),
            memory: Some(saturate(
                &mut d,
                root.field("resources").field("memory"),
                pod.resources.memory.get(),
            )),
        }),
        ..Default::default()
    };
    if pod.source.lifetime == Lifetime::RemoveWhenFinished {
        out.r#type = Some("kubernetes".into());
    }
    if pod.namespace != "default" {
        d.drop(root.field("namespace"), "Hyper pods have no namespace");
    }
    if !pod.annotations.is_empty() {
        d.drop(root.field("annotations"), "Hyper pods have no annotations");
    }
    for i in 0..pod.init_containers.len() {
        d.drop(
            root.field("initContainers").index(i),
            "Hyper has no init containers",
        );
    }
    let expanding = expands(pod.source.format);
    let mut containers = Vec::new();
    for (i, c) in pod.containers.iter().enumerate() {
        containers.push(container(
            &mut d,
            &root.field("containers").index(i),
            c,
            expanding,
        )?);
    }
    out.containers = some(containers, Vec::is_empty);

    let dns = &pod.dns;
    let lists_empty = dns.servers.is_empty() && dns.searches.is_empty() && dns.options.is_empty();
    match dns.policy {
        DnsPolicy::None if lists_empty => d.drop(
            root.field("dns").field("policy"),
            "Hyper has no empty resolver configuration; without dns it uses the host's",
        ),
        DnsPolicy::None => {}
        _ if !lists_empty => d.drop(
            root.field("dns").field("policy"),
            "with dns servers, searches or options, Hyper's resolver is exactly those",
        ),
        _ => {}
    }
    out.dns = some(
        dns.servers
            .iter()
            .map(ToCompactString::to_compact_string)
            .collect(),
        Vec::is_empty,
    );
    out.dns_search = some(strs(&dns.searches), Vec::is_empty);
    out.dns_options = some(strs(&dns.options), Vec::is_empty);

    let mut volumes = Vec::new();
    for (i, v) in pod.volumes.iter().enumerate() {
        let vp = root.field("volumes").index(i);
        let mut hv = hyper::Volume {
            name: Some(v.name.as_str().into()),
            cache: v.cache.map(|c| cache_str(c).into()),
            ..Default::default()
        };
        match &v.source {
            VolumeSource::EmptyDir { medium, size_limit } => {
                if *medium == StorageMedium::Memory {
                    d.drop(
                        vp.field("source").field("medium"),
                        "Hyper's empty volumes are on disk",
                    );
                }
                if size_limit.is_some() {
                    d.drop(
                        vp.field("source").field("sizeLimit"),
                        "Hyper's empty volumes have no size limit",
                    );
                }
            }
            VolumeSource::HostPath { path } => {
                hv.format = Some("vfs".into());
                hv.source = Some(path.as_str().into());
            }
            VolumeSource::BlockImage {
                path,
                format,
                fstype,
            } => {
                hv.format = Some(image_format_str(*format).into());
                hv.source = Some(path.as_str().into());
                hv.fstype = opt(fstype.as_ref());
            }
            VolumeSource::Rbd {
                image,
                user,
                keyring,
                monitors,
            } => {
                hv.format = Some("rbd".into());
                hv.source = Some(image.as_str().into());
                hv.option = Some(hyper::VolumeOption {
                    user: opt(user.as_ref()),
                    keyring: opt(keyring.as_ref()),
                    monitors: some(strs(monitors), Vec::is_empty),
                    ..Default::default()
                });
            }
            VolumeSource::Nfs { export } => {
                hv.format = Some("nas".into());
                hv.source = Some(export.as_str().into());
                hv.fstype = Some("nfs".into());
            }
            _ => {
                d.drop(vp, "Hyper cannot say this kind of volume");
                continue;
            }
        }
        volumes.push(hv);
    }
    out.volumes = some(volumes, Vec::is_empty);

    let files: Vec<hyper::File> = pod
        .files
        .iter()
        .map(|f| {
            let mut hf = hyper::File {
                name: Some(f.name.as_str().into()),
                ..Default::default()
            };
            match &f.source {
                FileSource::Uri(u) => hf.uri = Some(u.as_str().into()),
                FileSource::Inline { encoding, content } => {
                    if *encoding == Encoding::Base64 {
                        hf.encoding = Some("base64".into());
                    }
                    hf.content = Some(content.as_str().into());
                }
                _ => {}
            }
            hf
        })
        .collect();
    out.files = some(files, Vec::is_empty);

    let mut services = Vec::new();
    for (i, s) in pod.services.iter().enumerate() {
        let Some(protocol) = hyper_protocol(s.protocol) else {
            d.drop(
                root.field("services").index(i),
                "Hyper's services are TCP or UDP",
            );
            continue;
        };
        services.push(hyper::Service {
            service_ip: Some(s.ip.to_compact_string()),
            protocol: Some(protocol.into()),
            service_port: Some(i32::from(s.port.get())),
            hosts: some(
                s.hosts
                    .iter()
                    .map(|h| hyper::ServiceHost {
                        host_ip: Some(h.ip.to_compact_string()),
                        host_port: Some(i32::from(h.port.get())),
                    })
                    .collect(),
                Vec::is_empty,
            ),
        });
    }
    out.services = some(services, Vec::is_empty);

    let mut mappings = Vec::new();
    for (i, m) in pod.port_mappings.iter().enumerate() {
        let Some(protocol) = hyper_protocol(m.protocol()) else {
            d.drop(
                root.field("portMappings").index(i),
                "Hyper's port mappings are TCP or UDP",
            );
            continue;
        };
        mappings.push(hyper::PortMapping {
            container_port: Some(m.container().to_compact_string()),
            host_port: Some(m.host().to_compact_string()),
            protocol: Some(protocol.into()),
        });
    }
    out.portmappings = some(mappings, Vec::is_empty);

    if pod.active_deadline.is_some() {
        d.drop(root.field("activeDeadline"), "Hyper pods have no deadline");
    }
    if pod.termination_grace_period != DEFAULT_TERMINATION_GRACE_PERIOD {
        d.drop(
            root.field("terminationGracePeriod"),
            "Hyper has no grace period setting; the runtime's default (30 s) applies",
        );
    }
    if pod.service_links == ServiceLinks::Disabled {
        d.drop(
            root.field("serviceLinks"),
            "Hyper has no service links setting",
        );
    }
    Ok(Converted {
        value: out,
        dropped: d.0,
    })
}

/// Hyper's lower-case protocol, if Hyper has it.
fn hyper_protocol(p: Protocol) -> Option<&'static str> {
    match p {
        Protocol::Tcp => Some("tcp"),
        Protocol::Udp => Some("udp"),
        _ => None,
    }
}

/// A count that Hyper keeps in an `i32`.
fn saturate(d: &mut Drops, path: FieldPath, n: u32) -> i32 {
    i32::try_from(n).unwrap_or_else(|_| {
        d.drop(
            path,
            "more than Hyper's int32 holds; the largest int32 is written",
        );
        i32::MAX
    })
}

fn container(
    d: &mut Drops,
    path: &FieldPath,
    c: &Container,
    expanding: bool,
) -> Result<hyper::Container, Error> {
    let image = image_ref(Target::Hyper, path, c)?;
    let mut out = hyper::Container {
        name: Some(c.name.as_str().into()),
        image: Some(image.into()),
        workdir: opt(c.working_dir.as_ref()),
        command: some(strs(&c.command), Vec::is_empty),
        entrypoint: some(strs(&c.entrypoint), Vec::is_empty),
        tty: c.tty.then_some(true),
        ..Default::default()
    };
    if let Some(r) = &c.restart {
        out.restart_policy = Some(hyper_restart(r.policy).into());
        if !r.rules.is_empty() {
            d.drop(
                path.field("restart").field("rules"),
                "Hyper has no restart rules",
            );
        }
    }
    // Hyper needs unique names: a later variable overrides an earlier one, in its place.
    let mut envs: Vec<hyper::EnvVar> = Vec::new();
    for (k, e) in c.env.iter().enumerate() {
        let ep = path.field("env").index(k);
        let value = match &e.value {
            EnvValue::Literal(v) => v.clone(),
            _ => {
                d.drop(
                    ep,
                    "Hyper's variables are literal values; this one came from a pod field",
                );
                continue;
            }
        };
        if expanding && needs_expansion_note(&value) {
            d.drop(
                ep.field("value"),
                "its $(VAR) and $$ expansion: Hyper does not expand values; the value is written as it is",
            );
        }
        if let Some(prev) = envs
            .iter_mut()
            .find(|x| x.env.as_deref() == Some(e.name.as_str()))
        {
            d.drop(
                ep.field("name"),
                "Hyper needs unique names; this later value is kept in the earlier place",
            );
            prev.value = Some(value.into());
        } else {
            envs.push(hyper::EnvVar {
                env: Some(e.name.as_str().into()),
                value: Some(value.into()),
            });
        }
    }
    out.envs = some(envs, Vec::is_empty);
    let mut ports = Vec::new();
    for (k, p) in c.ports.iter().enumerate() {
        let pp = path.field("ports").index(k);
        let Some(protocol) = hyper_protocol(p.protocol) else {
            d.drop(pp, "Hyper's ports are TCP or UDP");
            continue;
        };
        if p.name.is_some() {
            d.drop(pp.field("name"), "Hyper's ports have no names");
        }
        if p.host_ip.is_some() {
            d.drop(
                pp.field("hostIp"),
                "Hyper binds host ports on every address",
            );
        }
        ports.push(hyper::ContainerPort {
            container_port: Some(i32::from(p.container_port.get())),
            host_port: p.host_port.map(|h| i32::from(h.get())),
            protocol: Some(protocol.into()),
            ..Default::default()
        });
    }
    out.ports = some(ports, Vec::is_empty);
    let mut volumes: Vec<hyper::VolumeRef> = Vec::new();
    for (k, m) in c.volume_mounts.iter().enumerate() {
        let mp = path.field("volumeMounts").index(k);
        if volumes
            .iter()
            .any(|v| v.volume.as_deref() == Some(m.volume.as_str()))
        {
            d.drop(mp, "Hyper mounts a volume once per container");
            continue;
        }
        if m.sub_path.is_some() {
            d.drop(mp.field("subPath"), "Hyper mounts whole volumes");
        }
        volumes.push(hyper::VolumeRef {
            path: Some(m.path.as_str().into()),
            volume: Some(m.volume.as_str().into()),
            read_only: (m.mode == podspec::model::MountMode::ReadOnly).then_some(true),
            detail: None,
        });
    }
    out.volumes = some(volumes, Vec::is_empty);
    let files = c
        .files
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let bits = f.mode.bits();
            if bits > 0o777 {
                d.drop(
                    path.field("files").index(k).field("mode"),
                    "Hyper's permissions have three octal digits; the special bits are dropped",
                );
            }
            hyper::FileRef {
                path: Some(f.path.as_str().into()),
                filename: Some(f.file.as_str().into()),
                perm: Some(podspec::wire::compact_str::format_compact!(
                    "0{:03o}",
                    bits & 0o777
                )),
                user: f.uid.map(|u| u.to_compact_string()),
                group: f.gid.map(|g| g.to_compact_string()),
                detail: None,
            }
        })
        .collect();
    out.files = some(files, Vec::is_empty);
    out.stop_signal = c.lifecycle.stop_signal.map(|s| s.to_compact_string());
    if c.stdin {
        d.drop(path.field("stdin"), "Hyper has no stdin setting");
    }
    if c.resources != podspec::model::Resources::default() {
        d.drop(
            path.field("resources"),
            "Hyper sizes the VM, not containers; the pod's resource is the VM's size",
        );
    }
    for (field, set) in [
        ("livenessProbe", c.liveness_probe.is_some()),
        ("readinessProbe", c.readiness_probe.is_some()),
        ("startupProbe", c.startup_probe.is_some()),
    ] {
        if set {
            d.drop(path.field(field), "Hyper has no probes");
        }
    }
    for (hook, _) in c.lifecycle.hooks() {
        d.drop(
            path.field("lifecycle").field(hook),
            "Hyper has no lifecycle hooks",
        );
    }
    Ok(out)
}
