//! Hyper's pod file (1.x and legacy) to the domain model.

use podspec::model::{
    CacheMode, Container, ContainerPort, ContainerRestart, Encoding, FileMode, FileMount, FileName,
    FileSource, Hostname, Image, ImageFormat, Lifetime, MemoryMib, MountMode, Pod, PodFile,
    PodName, PortMapping, PortRange, RestartPolicy, Service, ServiceHost, Signal, Source,
    StorageMedium, Vcpus, Volume, VolumeMount, VolumeName, VolumeSource,
};
use podspec::wire::{Document, Str, hyper};
use podspec::{ErrorType, FieldError, FieldPath, Format};

use super::common::{
    container_name, host_port, image, invalid, ip, list, literal_env, non_empty, port, protocol,
    required, restart_policy, string_map,
};
use crate::converted::Cx;
use crate::{Converted, Error, Options, names};

/// A Hyper pod file in the domain model, with Hyper's defaults (the mapping table is in
/// [`super`]'s doc).
///
/// Decisions:
/// - **Names.** The pod is `id`, else the legacy `name` (hyperd v0.x YAML), else the caller's
///   ([`Options::name`]), else `pod-` and ten letters derived from the document
///   ([`names::derived_pod_name`]) where Hyper used ten random ones. A container without a name
///   gets Hyper's `<pod>-<image name>-<index>`, made valid if the pod id would make it invalid
///   ([`names::generated_container_name`]).
/// - **Legacy container ports** (`containers[n].ports`) become container ports. Hyper 1.x moved
///   them into pod port mappings, turning a port without `hostPort` into a mapping from host
///   port 0, and rejected every explicit protocol because of an always-true test; we keep a port
///   without `hostPort` as a declared port with no host side, and accept `tcp` and `udp`.
/// - **Inline volumes and files** (`detail` on a container's reference) become pod volumes and
///   files named by the reference, unless the pod already has one of that name (then the
///   pod's is used and the `detail` reported as dropped).
/// - **Volumes** with an empty `format` are empty volumes when `source` is empty (Hyper created
///   one) and host paths otherwise.
/// - **DNS**: with `dns`, `dnsSearch` or `dnsOptions` the resolver is exactly those
///   ([`podspec::model::DnsPolicy::None`]); without, the host's
///   ([`podspec::model::DnsPolicy::Default`]).
/// - **`type: kubernetes`** (legacy Hyper's marker for pods converted from Kubernetes files)
///   makes the pod one that is removed once it finishes ([`Lifetime::RemoveWhenFinished`]).
/// - **Restart policies** default to `never` (Hyper never restarted a pod without one); a
///   container's own `restartPolicy` is kept as its own policy.
///
/// # Errors
///
/// [`Error::Invalid`] with every value the model cannot hold, at its path in the file.
///
/// # Examples
///
/// ```
/// use podspec::{model::RestartPolicy, wire::Document};
/// let doc = podspec::parse("id: web\ncontainers:\n  - image: nginx:1.25\n", None)
///     .unwrap().document;
/// let Document::Hyper(h) = &doc else { panic!() };
/// let pod = convert::from_hyper(h, &convert::Options::default()).unwrap().value;
/// assert_eq!(pod.containers[0].name, "web-nginx-0");
/// assert_eq!(pod.restart_policy, RestartPolicy::Never);
/// assert_eq!((pod.resources.vcpus.get(), pod.resources.memory.get()), (1, 128));
/// ```
pub fn from_hyper(doc: &hyper::Pod, options: &Options) -> Result<Converted<Pod>, Error> {
    let mut cx = Cx::default();
    let root = FieldPath::root();
    let name = pod_name(&mut cx, doc, options);
    let mut source = Source::new(Format::Hyper);
    match non_empty(doc.r#type.as_ref()) {
        None => {}
        Some("kubernetes") => source.lifetime = Lifetime::RemoveWhenFinished,
        Some(_) => cx.drop(
            root.field("type"),
            "only `kubernetes` has a meaning (pods removed once finished)",
        ),
    }
    let mut pod = Pod::new(name, source);
    if let Some(h) = non_empty(doc.hostname.as_ref()) {
        pod.hostname = cx.ok(&root.field("hostname"), Hostname::try_from(h));
    }
    pod.restart_policy = restart_policy(
        &mut cx,
        &root.field("restartPolicy"),
        doc.restart_policy.as_ref(),
        RestartPolicy::Never,
    );
    pod.labels = string_map(doc.labels.as_ref());
    if let Some(r) = &doc.resource {
        let rp = root.field("resource");
        match r.vcpu {
            None | Some(0) => {}
            Some(n) => {
                let n = u32::try_from(n).map_err(|_| {
                    FieldError::new(
                        FieldPath::root(),
                        ErrorType::Invalid,
                        "must not be negative",
                    )
                    .with_value(i64::from(n))
                });
                if let Some(v) = cx.ok(&rp.field("vcpu"), n.and_then(Vcpus::try_from)) {
                    pod.resources.vcpus = v;
                }
            }
        }
        match r.memory {
            None | Some(0) => {}
            Some(n) => {
                let n = u32::try_from(n).map_err(|_| {
                    FieldError::new(
                        FieldPath::root(),
                        ErrorType::Invalid,
                        "must not be negative",
                    )
                    .with_value(i64::from(n))
                });
                if let Some(m) = cx.ok(&rp.field("memory"), n.and_then(MemoryMib::try_from)) {
                    pod.resources.memory = m;
                }
            }
        }
    }
    for (field, set) in [
        ("log", doc.log.is_some()),
        ("logconfig", doc.logconfig.is_some()),
    ] {
        if set {
            cx.drop(
                root.field(field),
                "vmm-ref keeps container output its own way",
            );
        }
    }
    for (i, s) in doc.dns.iter().flatten().enumerate() {
        if let Some(ip) = ip(&mut cx, &root.field("dns").index(i), Some(s)) {
            pod.dns.servers.push(ip);
        }
    }
    pod.dns.options = list(doc.dns_options.as_ref());
    pod.dns.searches = list(doc.dns_search.as_ref());
    pod.dns.policy = if pod.dns.servers.is_empty()
        && pod.dns.options.is_empty()
        && pod.dns.searches.is_empty()
        && doc.dns.as_ref().is_none_or(Vec::is_empty)
    {
        podspec::model::DnsPolicy::Default
    } else {
        podspec::model::DnsPolicy::None
    };
    for (i, f) in doc.files.iter().flatten().enumerate() {
        let fp = root.field("files").index(i);
        if let Some(f) = file(&mut cx, &fp, f, None) {
            pod.files.push(f);
        }
    }
    for (i, v) in doc.volumes.iter().flatten().enumerate() {
        let vp = root.field("volumes").index(i);
        if let Some(v) = volume(&mut cx, &vp, v, None) {
            pod.volumes.push(v);
        }
    }
    if doc.interfaces.as_ref().is_some_and(|i| !i.is_empty()) {
        cx.drop(
            root.field("interfaces"),
            "vmm-ref gives the VM its own network interface",
        );
    }
    for (i, s) in doc.services.iter().flatten().enumerate() {
        if let Some(s) = service(&mut cx, &root.field("services").index(i), s) {
            pod.services.push(s);
        }
    }
    if doc.portmapping_white_lists.is_some() {
        cx.drop(
            root.field("portmappingWhiteLists"),
            "port mappings are not filtered by network",
        );
    }
    for (i, m) in doc.portmappings.iter().flatten().enumerate() {
        if let Some(m) = port_mapping(&mut cx, &root.field("portmappings").index(i), m) {
            pod.port_mappings.push(m);
        }
    }
    let tty = doc.tty.unwrap_or(false);
    for (i, c) in doc.containers.iter().flatten().enumerate() {
        let path = root.field("containers").index(i);
        if let Some(c) = container(&mut cx, &path, c, i, tty, &mut pod) {
            pod.containers.push(c);
        }
    }
    cx.finish(pod)
}

fn pod_name(cx: &mut Cx, doc: &hyper::Pod, options: &Options) -> PodName {
    let root = FieldPath::root();
    let derived = || names::derived_pod_name(&Document::Hyper(doc.clone()));
    match (non_empty(doc.id.as_ref()), non_empty(doc.name.as_ref())) {
        (Some(id), name) => {
            if name.is_some_and(|n| n != id) {
                cx.drop(
                    root.field("name"),
                    "the legacy pod name is ignored when `id` is given",
                );
            }
            cx.ok(&root.field("id"), PodName::try_from(id))
                .unwrap_or_else(derived)
        }
        (None, Some(name)) => cx
            .ok(&root.field("name"), PodName::try_from(name))
            .unwrap_or_else(derived),
        (None, None) => options.name.clone().unwrap_or_else(derived),
    }
}

/// A pod file; `forced_name` names an inline `detail` after its reference.
fn file(
    cx: &mut Cx,
    path: &FieldPath,
    f: &hyper::File,
    forced_name: Option<&str>,
) -> Option<PodFile> {
    let name = match forced_name.or(non_empty(f.name.as_ref())) {
        Some(n) => cx.ok(&path.field("name"), FileName::try_from(n)),
        None => {
            required(cx, &path.field("name"), "a file name is required");
            None
        }
    };
    let source = if let Some(uri) = non_empty(f.uri.as_ref()) {
        for (field, set) in [
            ("content", f.content.is_some()),
            ("contents", f.contents.is_some()),
        ] {
            if set {
                cx.drop(
                    path.field(field),
                    "the file comes from its uri, which takes precedence",
                );
            }
        }
        FileSource::Uri(uri.to_owned())
    } else {
        let encoding = match non_empty(f.encoding.as_ref()) {
            None | Some("raw") => Encoding::Raw,
            Some("base64") => Encoding::Base64,
            Some(other) => {
                cx.error(
                    &path.field("encoding"),
                    FieldError::new(
                        FieldPath::root(),
                        ErrorType::NotSupported,
                        "supported values: \"raw\", \"base64\"",
                    )
                    .with_value(other),
                );
                Encoding::Raw
            }
        };
        let content = match (&f.content, &f.contents) {
            (Some(c), legacy) => {
                if legacy.is_some() {
                    cx.drop(path.field("contents"), "`content` is given and wins");
                }
                String::from(c.as_str())
            }
            (None, Some(c)) => String::from(c.as_str()),
            (None, None) => String::new(),
        };
        FileSource::Inline { encoding, content }
    };
    Some(PodFile {
        name: name?,
        source,
    })
}

/// A pod volume; `forced_name` names an inline `detail` after its reference.
fn volume(
    cx: &mut Cx,
    path: &FieldPath,
    v: &hyper::Volume,
    forced_name: Option<&str>,
) -> Option<Volume> {
    let name = match forced_name.or(non_empty(v.name.as_ref())) {
        Some(n) => cx.ok(&path.field("name"), VolumeName::try_from(n)),
        None => {
            required(cx, &path.field("name"), "a volume name is required");
            None
        }
    };
    let (format, format_field) = match (non_empty(v.format.as_ref()), non_empty(v.driver.as_ref()))
    {
        (Some(f), driver) => {
            if driver.is_some() {
                cx.drop(
                    path.field("driver"),
                    "the legacy name of `format`, which is given and wins",
                );
            }
            (f, "format")
        }
        (None, Some(d)) => (d, "driver"),
        (None, None) => ("", "format"),
    };
    let src = non_empty(v.source.as_ref());
    let need_source = |cx: &mut Cx| {
        if src.is_none() {
            required(
                cx,
                &path.field("source"),
                "a source is required for this format",
            );
        }
        src.unwrap_or_default().to_owned()
    };
    let option = v.option.clone().unwrap_or_default();
    let fstype = non_empty(v.fstype.as_ref()).map(str::to_owned);
    let mut fstype_used = false;
    let mut option_used = false;
    let source = match format {
        "" => match src {
            None => VolumeSource::EmptyDir {
                medium: StorageMedium::Disk,
                size_limit: None,
            },
            Some(p) => VolumeSource::HostPath { path: p.to_owned() },
        },
        "vfs" => VolumeSource::HostPath {
            path: need_source(cx),
        },
        "raw" | "qcow2" | "vdi" => {
            fstype_used = true;
            VolumeSource::BlockImage {
                path: need_source(cx),
                format: format.parse::<ImageFormat>().ok()?,
                fstype: fstype.clone(),
            }
        }
        "rbd" => {
            option_used = true;
            VolumeSource::Rbd {
                image: need_source(cx),
                user: non_empty(option.user.as_ref()).map(str::to_owned),
                keyring: non_empty(option.keyring.as_ref()).map(str::to_owned),
                monitors: list(option.monitors.as_ref()),
            }
        }
        "nas" => {
            fstype_used = fstype.as_deref().is_none_or(|t| t == "nfs");
            VolumeSource::Nfs {
                export: need_source(cx),
            }
        }
        other => {
            cx.error(
                &path.field(format_field),
                FieldError::new(
                    FieldPath::root(),
                    ErrorType::NotSupported,
                    "supported values: \"raw\", \"qcow2\", \"vdi\", \"vfs\", \"rbd\", \"nas\"",
                )
                .with_value(other),
            );
            return None;
        }
    };
    if fstype.is_some() && !fstype_used {
        cx.drop(
            path.field("fstype"),
            "only block images (and nas, as nfs) have a filesystem type",
        );
    }
    let has_option = option.user.is_some() || option.keyring.is_some() || option.monitors.is_some();
    if has_option && !option_used {
        cx.drop(path.field("option"), "only rbd volumes have options");
    }
    for (field, set) in [
        ("bytespersec", option.bytes_per_sec.is_some()),
        ("iops", option.iops.is_some()),
    ] {
        if set {
            cx.drop(
                path.field("option").field(field),
                "volume I/O is not throttled",
            );
        }
    }
    let mut out = Volume::new(name?, source);
    if let Some(c) = non_empty(v.cache.as_ref()) {
        out.cache = cx.ok(&path.field("cache"), c.parse::<CacheMode>());
    }
    Some(out)
}

fn service(cx: &mut Cx, path: &FieldPath, s: &hyper::Service) -> Option<Service> {
    let addr = match non_empty(s.service_ip.as_ref()) {
        Some(_) => ip(cx, &path.field("serviceIP"), s.service_ip.as_ref()),
        None => {
            required(cx, &path.field("serviceIP"), "a service IP is required");
            None
        }
    };
    let port = match s.service_port {
        Some(n) => port(cx, &path.field("servicePort"), i64::from(n)),
        None => {
            required(cx, &path.field("servicePort"), "a service port is required");
            None
        }
    };
    let protocol = protocol(cx, &path.field("protocol"), s.protocol.as_ref());
    let mut hosts = Vec::new();
    for (h, host) in s.hosts.iter().flatten().enumerate() {
        let hp = path.field("hosts").index(h);
        let addr = match non_empty(host.host_ip.as_ref()) {
            Some(_) => ip(cx, &hp.field("hostIP"), host.host_ip.as_ref()),
            None => {
                required(cx, &hp.field("hostIP"), "a host IP is required");
                None
            }
        };
        let p = match host.host_port {
            Some(n) => super::common::port(cx, &hp.field("hostPort"), i64::from(n)),
            None => {
                required(cx, &hp.field("hostPort"), "a host port is required");
                None
            }
        };
        if let (Some(ip), Some(port)) = (addr, p) {
            hosts.push(ServiceHost { ip, port });
        }
    }
    Some(Service {
        ip: addr?,
        port: port?,
        protocol,
        hosts,
    })
}

fn port_mapping(cx: &mut Cx, path: &FieldPath, m: &hyper::PortMapping) -> Option<PortMapping> {
    let range = |cx: &mut Cx, field: &'static str, s: Option<&Str>| {
        cx.ok(
            &path.field(field),
            s.map_or("", Str::as_str).parse::<PortRange>(),
        )
    };
    let container = range(cx, "containerPort", m.container_port.as_ref());
    let host = range(cx, "hostPort", m.host_port.as_ref());
    let protocol = match non_empty(m.protocol.as_ref()) {
        None | Some("tcp") => podspec::model::Protocol::Tcp,
        Some("udp") => podspec::model::Protocol::Udp,
        Some(other) => {
            cx.error(
                &path.field("protocol"),
                FieldError::new(
                    FieldPath::root(),
                    ErrorType::NotSupported,
                    format!("unrecongnized protocol {other}"),
                )
                .with_value(other),
            );
            return None;
        }
    };
    let (container, host) = (container?, host?);
    cx.ok(path, PortMapping::new(protocol, container, host))
}

fn container(
    cx: &mut Cx,
    path: &FieldPath,
    c: &hyper::Container,
    index: usize,
    pod_tty: bool,
    pod: &mut Pod,
) -> Option<Container> {
    let name = match non_empty(c.name.as_ref()) {
        Some(_) => container_name(cx, &path.field("name"), c.name.as_ref()),
        None => Some(names::generated_container_name(
            pod.name.as_str(),
            c.image.as_deref().unwrap_or_default(),
            index,
        )),
    };
    let image = image(cx, &path.field("image"), c.image.as_ref());
    let mut out = Container::new(name?, Image::Reference(image?));
    out.working_dir = non_empty(c.workdir.as_ref()).map(str::to_owned);
    out.command = list(c.command.as_ref());
    out.entrypoint = list(c.entrypoint.as_ref());
    if let Some(p) = non_empty(c.restart_policy.as_ref()) {
        out.restart = cx
            .ok(&path.field("restartPolicy"), p.parse::<RestartPolicy>())
            .map(|policy| ContainerRestart {
                policy,
                rules: Vec::new(),
            });
    }
    out.tty = c.tty.unwrap_or(false) || pod_tty;
    for (k, e) in c.envs.iter().flatten().enumerate() {
        let ep = path.field("envs").index(k);
        if let Some(v) = literal_env(cx, &ep.field("env"), e.env.as_ref(), e.value.as_ref()) {
            out.env.push(v);
        }
    }
    for (k, p) in c.ports.iter().flatten().enumerate() {
        let pp = path.field("ports").index(k);
        let Some(n) = p.container_port else {
            required(
                cx,
                &pp.field("containerPort"),
                "a container port is required",
            );
            continue;
        };
        let Some(number) = port(cx, &pp.field("containerPort"), i64::from(n)) else {
            continue;
        };
        let mut cp = ContainerPort::new(number);
        cp.host_port = host_port(cx, &pp.field("hostPort"), p.host_port);
        cp.protocol = match non_empty(p.protocol.as_ref())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("tcp") => podspec::model::Protocol::Tcp,
            Some("udp") => podspec::model::Protocol::Udp,
            Some(_) => {
                cx.error(
                    &pp.field("protocol"),
                    FieldError::new(
                        FieldPath::root(),
                        ErrorType::NotSupported,
                        "supported values: \"tcp\", \"udp\"",
                    )
                    .with_value(p.protocol.clone().unwrap_or_default()),
                );
                continue;
            }
        };
        if p.service_port.is_some_and(|s| s != 0) {
            cx.drop(
                pp.field("servicePort"),
                "declare the service in the pod's services",
            );
        }
        out.ports.push(cp);
    }
    for (k, r) in c.volumes.iter().flatten().enumerate() {
        let rp = path.field("volumes").index(k);
        let vol = non_empty(r.volume.as_ref())
            .or_else(|| r.detail.as_ref().and_then(|d| non_empty(d.name.as_ref())));
        let Some(vol) = vol else {
            required(cx, &rp.field("volume"), "a volume name is required");
            continue;
        };
        if let Some(detail) = &r.detail {
            if pod.volumes.iter().any(|v| v.name == vol) {
                cx.drop(
                    rp.field("detail"),
                    format!("the pod's volume {vol:?} is used"),
                );
            } else if let Some(v) = volume(cx, &rp.field("detail"), detail, Some(vol)) {
                pod.volumes.push(v);
            }
        }
        let Some(volume) = cx.ok(&rp.field("volume"), VolumeName::try_from(vol)) else {
            continue;
        };
        let Some(mount) = non_empty(r.path.as_ref()) else {
            required(cx, &rp.field("path"), "a mount path is required");
            continue;
        };
        out.volume_mounts.push(VolumeMount {
            volume,
            path: mount.to_owned(),
            mode: MountMode::from(r.read_only.unwrap_or(false)),
            sub_path: None,
        });
    }
    for (k, r) in c.files.iter().flatten().enumerate() {
        let rp = path.field("files").index(k);
        let fname = non_empty(r.filename.as_ref())
            .or_else(|| r.detail.as_ref().and_then(|d| non_empty(d.name.as_ref())));
        let Some(fname) = fname else {
            required(cx, &rp.field("filename"), "a file name is required");
            continue;
        };
        if let Some(detail) = &r.detail {
            if pod.files.iter().any(|f| f.name == fname) {
                cx.drop(
                    rp.field("detail"),
                    format!("the pod's file {fname:?} is used"),
                );
            } else if let Some(f) = file(cx, &rp.field("detail"), detail, Some(fname)) {
                pod.files.push(f);
            }
        }
        let Some(file) = cx.ok(&rp.field("filename"), FileName::try_from(fname)) else {
            continue;
        };
        let Some(fpath) = non_empty(r.path.as_ref()) else {
            required(cx, &rp.field("path"), "a path is required");
            continue;
        };
        let mode = match non_empty(r.perm.as_ref()) {
            None => FileMode::default(),
            Some(p) => cx
                .ok(&rp.field("perm"), FileMode::try_from(p))
                .unwrap_or_default(),
        };
        let id = |cx: &mut Cx, field: &'static str, s: Option<&Str>| -> Option<u32> {
            let s = non_empty(s)?;
            match s.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    invalid(cx, &rp.field(field), s, "must be a numeric id");
                    None
                }
            }
        };
        let uid = id(cx, "user", r.user.as_ref());
        let gid = id(cx, "group", r.group.as_ref());
        out.files.push(FileMount {
            file,
            path: fpath.to_owned(),
            mode,
            uid,
            gid,
        });
    }
    if let Some(s) = non_empty(c.stop_signal.as_ref()) {
        out.lifecycle.stop_signal = cx.ok(&path.field("StopSignal"), Signal::try_from(s));
    }
    let dropped: [(&'static str, bool, &str); 8] = [
        (
            "sysctl",
            c.sysctl.as_ref().is_some_and(|m| !m.is_empty()),
            "the VM's kernel settings are not per container",
        ),
        (
            "user",
            c.user.is_some(),
            "the domain model has no process user",
        ),
        (
            "labels",
            c.labels.as_ref().is_some_and(|m| !m.is_empty()),
            "the domain model has labels on pods only",
        ),
        (
            "id",
            non_empty(c.id.as_ref()).is_some(),
            "containers are always created, never loaded by id",
        ),
        (
            "ulimits",
            c.ulimits.as_ref().is_some_and(|u| !u.is_empty()),
            "the domain model has no resource limits per process",
        ),
        (
            "logPath",
            non_empty(c.log_path.as_ref()).is_some(),
            "vmm-ref keeps container output its own way",
        ),
        (
            "readOnly",
            c.read_only == Some(true),
            "the domain model has no read-only root filesystem",
        ),
        (
            "cache",
            non_empty(c.cache.as_ref()).is_some(),
            "the container's root filesystem has no cache mode",
        ),
    ];
    for (field, set, reason) in dropped {
        if set {
            cx.drop(path.field(field), reason);
        }
    }
    Some(out)
}
