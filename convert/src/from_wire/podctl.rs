//! apourchet/pod-controller's `PodSpec` to the domain model.

use std::time::Duration;

use podspec::model::{
    Container, ContainerName, EnvValue, EnvVar, HttpGet, HttpSuccess, Image, Pod, PortRef, Probe,
    ProbeHandler, Scheme, Source,
};
use podspec::wire::{Document, Str, podctl};
use podspec::{FieldPath, Format};

use super::common::{invalid, list, non_empty, port, required, seconds_or, strings, threshold_or};
use crate::converted::Cx;
use crate::{Converted, Error, Options, names};

/// pod-controller's `NewProbeSpec` defaults (spec/hyper.md section 6.1).
mod defaults {
    use std::time::Duration;

    pub(super) const PERIOD: Duration = Duration::from_secs(5);
    pub(super) const TIMEOUT: Duration = Duration::from_secs(1);
    pub(super) const SUCCESS_THRESHOLD: u32 = 1;
    pub(super) const FAILURE_THRESHOLD: u32 = 1;
}

/// A pod-controller spec in the domain model (the mapping table is in [`super`]'s doc).
///
/// Decisions where pod-controller leaves room:
/// - **Probe numbers.** Probe fields left out (or 0) take pod-controller's own defaults, those
///   of its `NewProbeSpec` (period 5 s, timeout 1 s, success 1, failure 1, no initial delay),
///   not Kubernetes'. pod-controller itself decoded JSON specs without calling `NewProbeSpec`,
///   so an omitted field was 0 and a failure threshold of 0 gave up on the first check
///   (spec/hyper.md section 6.1, inferred); we keep the values its authors declared instead.
/// - **Names.** The spec has no pod name: it is the caller's ([`Options::name`]) or derived from
///   the document ([`names::derived_pod_name`]). pod-controller keyed containers by name and
///   accepted an unnamed one; an unnamed init container `i` is named `init-<i>` and an unnamed
///   container `container-<i>`.
/// - **Process.** `process.args` is the whole command line and there is no image config, so it
///   becomes the container's entrypoint; `root.path` is the root filesystem
///   ([`Image::RootFs`]); without `root` the process runs in the host's filesystem
///   ([`Image::Host`]). `env` entries are `NAME=VALUE`.
/// - **Probes.** An `httpGet` check succeeds only on status 200, as pod-controller's did; a
///   probe with neither `exec` nor `httpGet` always succeeds.
///
/// # Errors
///
/// [`Error::Invalid`] with every value the model cannot hold, at its path in the spec.
///
/// # Examples
///
/// ```
/// use podspec::wire::Document;
/// let doc = podspec::parse(r#"{"containers": [{"name": "main",
///     "spec": {"process": {"args": ["sleep", "1000"]}},
///     "livenessProbe": {"exec": ["cat", "/tmp/health"], "periodSeconds": 2}}]}"#, None)
///     .unwrap().document;
/// let Document::PodController(spec) = &doc else { panic!() };
/// let pod = convert::from_pod_controller(spec, &convert::Options::default()).unwrap().value;
/// let probe = pod.containers[0].liveness_probe.as_ref().unwrap();
/// assert_eq!(probe.period.as_secs(), 2);
/// assert_eq!(probe.failure_threshold, 1); // pod-controller's default, not Kubernetes' 3
/// assert_eq!(pod.containers[0].entrypoint, ["sleep", "1000"]);
/// ```
pub fn from_pod_controller(
    doc: &podctl::PodSpec,
    options: &Options,
) -> Result<Converted<Pod>, Error> {
    let mut cx = Cx::default();
    let root = FieldPath::root();
    let name = options
        .name
        .clone()
        .unwrap_or_else(|| names::derived_pod_name(&Document::PodController(doc.clone())));
    let mut pod = Pod::new(name, Source::new(Format::PodController));
    for (i, c) in doc.init_containers.iter().flatten().enumerate() {
        let path = root.field("initContainers").index(i);
        let name = name_or(&mut cx, &path, c.name.as_ref(), format!("init-{i}"));
        let spec = c.spec.clone().unwrap_or_default();
        if let Some(out) = container(&mut cx, &path, name, &spec) {
            pod.init_containers.push(out);
        }
        if c.metadata.as_ref().is_some_and(|m| !m.is_empty()) {
            cx.drop(
                path.field("metadata"),
                "it was for pod-controller's runtime plugin",
            );
        }
    }
    for (i, c) in doc.containers.iter().flatten().enumerate() {
        let path = root.field("containers").index(i);
        let name = name_or(&mut cx, &path, c.name.as_ref(), format!("container-{i}"));
        let spec = c.spec.clone().unwrap_or_default();
        let Some(mut out) = container(&mut cx, &path, name, &spec) else {
            continue;
        };
        if let Some(p) = &c.liveness_probe {
            out.liveness_probe = probe(&mut cx, &path.field("livenessProbe"), p);
        }
        if let Some(p) = &c.readiness_probe {
            out.readiness_probe = probe(&mut cx, &path.field("readinessProbe"), p);
        }
        if c.metadata.as_ref().is_some_and(|m| !m.is_empty()) {
            cx.drop(
                path.field("metadata"),
                "it was for pod-controller's runtime plugin",
            );
        }
        pod.containers.push(out);
    }
    cx.finish(pod)
}

fn name_or(
    cx: &mut Cx,
    path: &FieldPath,
    name: Option<&Str>,
    generated: String,
) -> Option<ContainerName> {
    match non_empty(name) {
        Some(n) => cx.ok(&path.field("name"), ContainerName::try_from(n)),
        None => Some(ContainerName::try_from(generated).expect("a valid generated name")),
    }
}

fn container(
    cx: &mut Cx,
    path: &FieldPath,
    name: Option<ContainerName>,
    spec: &podctl::OciSpec,
) -> Option<Container> {
    let sp = path.field("spec");
    let image = match &spec.root {
        None => Image::Host,
        Some(root) => match root.get("path").and_then(serde_json::Value::as_str) {
            Some(p) if !p.is_empty() => {
                if root.get("readonly").and_then(serde_json::Value::as_bool) == Some(true) {
                    cx.drop(
                        sp.field("root").field("readonly"),
                        "the domain model has no read-only root filesystem",
                    );
                }
                Image::RootFs { path: p.to_owned() }
            }
            _ => {
                required(
                    cx,
                    &sp.field("root").field("path"),
                    "a root path is required",
                );
                return None;
            }
        },
    };
    let mut out = Container::new(name?, image);
    let process = spec.process.clone().unwrap_or_default();
    let pp = sp.field("process");
    out.entrypoint = list(process.args.as_ref());
    for (k, kv) in process.env.iter().flatten().enumerate() {
        match kv.split_once('=') {
            Some((n, v)) if !n.is_empty() => out.env.push(EnvVar {
                name: n.to_owned(),
                value: EnvValue::Literal(v.to_owned()),
            }),
            _ => invalid(
                cx,
                &pp.field("env").index(k),
                kv.as_str(),
                "must be NAME=VALUE",
            ),
        }
    }
    out.working_dir = non_empty(process.cwd.as_ref()).map(str::to_owned);
    out.tty = process.terminal.unwrap_or(false);
    if process.user.is_some() {
        cx.drop(pp.field("user"), "the domain model has no process user");
    }
    for (field, set) in [
        ("hostname", spec.hostname.is_some()),
        ("mounts", spec.mounts.is_some()),
        ("hooks", spec.hooks.is_some()),
        ("annotations", spec.annotations.is_some()),
        ("linux", spec.linux.is_some()),
    ] {
        if set {
            cx.drop(
                sp.field(field),
                "only the OCI spec's process and root are carried over",
            );
        }
    }
    Some(out)
}

fn probe(cx: &mut Cx, path: &FieldPath, p: &podctl::Probe) -> Option<Probe> {
    let handler = match (&p.exec, &p.http_get) {
        (Some(_), Some(_)) => {
            invalid(
                cx,
                path,
                "exec, httpGet",
                "may not specify more than 1 handler type",
            );
            return None;
        }
        (Some(cmd), None) => ProbeHandler::Exec {
            command: strings(cmd),
        },
        (None, Some(h)) => {
            let hp = path.field("httpGet");
            let Some(n) = h.port else {
                required(cx, &hp.field("port"), "a port is required");
                return None;
            };
            let mut g = HttpGet::new(
                PortRef::Number(port(cx, &hp.field("port"), i64::from(n))?),
                non_empty(h.path.as_ref()).unwrap_or("/"),
            );
            g.host = non_empty(h.host.as_ref()).map(str::to_owned);
            g.scheme = match non_empty(h.scheme.as_ref())
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("https") => Scheme::Https,
                _ => Scheme::Http,
            };
            g.success = HttpSuccess::Only200;
            ProbeHandler::HttpGet(g)
        }
        (None, None) => ProbeHandler::AlwaysSucceeds,
    };
    let mut out = Probe::new(handler);
    out.initial_delay = seconds_or(
        cx,
        &path.field("initialDelaySeconds"),
        p.initial_delay_seconds,
        Duration::ZERO,
    );
    out.period = seconds_or(
        cx,
        &path.field("periodSeconds"),
        p.period_seconds,
        defaults::PERIOD,
    );
    out.timeout = seconds_or(
        cx,
        &path.field("timeoutSeconds"),
        p.timeout_seconds,
        defaults::TIMEOUT,
    );
    out.success_threshold = threshold_or(
        cx,
        &path.field("successThreshold"),
        p.success_threshold,
        defaults::SUCCESS_THRESHOLD,
    );
    out.failure_threshold = threshold_or(
        cx,
        &path.field("failureThreshold"),
        p.failure_threshold,
        defaults::FAILURE_THRESHOLD,
    );
    Some(out)
}
