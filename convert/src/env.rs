//! The container environment: what a container's process finds in its environment.
//!
//! [`environment`] is a pure function of the pod, the container and the services the caller
//! knows of. The result is ordered:
//!
//! 1. `HOSTNAME`: the pod's hostname ([`crate::hostname`]);
//! 2. the container's variables, in order. A name given twice keeps its first place and takes
//!    the later value (Kubernetes keeps the last value). Literal values of pods from Kubernetes
//!    files (v1 and v1beta1) are expanded as Kubernetes expands them ([`expand`]): `$(NAME)`
//!    is the value of a variable defined **earlier** in the list, else of a service variable;
//!    anything else (a forward reference, an unknown name, `$(` without `)`) stays as written,
//!    and `$$` is `$`. `HOSTNAME` is not a variable for expansion: Kubernetes does not set it,
//!    the container runtime does. Hyper and pod-controller never expanded anything, so their
//!    values are used as written. A value from a pod field (Kubernetes' `fieldRef`) is the
//!    pod's name, namespace, or a label or annotation (empty when the pod has no such key),
//!    never expanded; fields only a cluster knows (uid, node name, IPs, service account) are
//!    left out and reported in [`Environment::unresolved`];
//! 3. the variables of every service the pod sees ([`crate::services::visible_services`]),
//!    services in name order, each service's in Kubernetes' order ([`service_variables`]),
//!    except those whose name the container's variables already use: a variable the user set
//!    wins.
//!
//! Kubernetes leaves the order of the final list unspecified (it builds a map); ours is the
//! order above, so that the same pod always gets the same environment.

use std::collections::BTreeMap;

use podspec::FieldPath;
use podspec::model::{EnvValue, Pod, PodField};
use serde::Serialize;

use crate::services::visible_services;
use crate::to_wire::expands;
use crate::{Error, Service, hostname};

/// One variable: `NAME=value`.
///
/// # Examples
///
/// ```
/// let e = convert::EnvEntry { name: "A".into(), value: "1".into() };
/// assert_eq!(e.to_string(), "A=1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct EnvEntry {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
}

impl EnvEntry {
    fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

impl std::fmt::Display for EnvEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

/// A variable left out because its value comes from a pod field only a cluster knows.
///
/// # Examples
///
/// ```
/// use podspec::{FieldPath, model::PodField};
/// let u = convert::Unresolved {
///     field: FieldPath::root().field("containers").index(0).field("env").index(2),
///     name: "NODE".into(),
///     source: PodField::NodeName,
/// };
/// assert_eq!(u.to_string(), "containers[0].env[2]: NODE is not set: spec.nodeName is known only to a cluster");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Unresolved {
    /// The variable in the model (`containers[0].env[2]`).
    pub field: FieldPath,
    /// Its name.
    pub name: String,
    /// The pod field it refers to.
    pub source: PodField,
}

impl std::fmt::Display for Unresolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} is not set: {} is known only to a cluster",
            self.field, self.name, self.source
        )
    }
}

/// A container's environment, in order (module doc), and the variables that could not be
/// resolved.
///
/// # Examples
///
/// ```
/// use podspec::{Format, model::*};
/// let mut pod = Pod::new(PodName::try_from("web").unwrap(), Source::new(Format::K8s));
/// pod.containers.push(Container::new(ContainerName::try_from("c").unwrap(), Image::Host));
/// let env = convert::environment(&pod, "c", &[]).unwrap();
/// assert_eq!(env.get("HOSTNAME"), Some("web"));
/// assert!(env.unresolved.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// The variables.
    pub vars: Vec<EnvEntry>,
    /// Variables left out.
    pub unresolved: Vec<Unresolved>,
}

impl Environment {
    /// The value of `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// let env = convert::Environment { vars: vec![convert::EnvEntry { name: "A".into(), value: "1".into() }], unresolved: vec![] };
    /// assert_eq!(env.get("A"), Some("1"));
    /// assert_eq!(env.get("B"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.value.as_str())
    }
}

/// The environment of the container named `container` (module doc: the rules).
///
/// `services` are the services the caller knows of, in any namespace; the pod sees some of
/// them ([`crate::services::visible_services`]), along with its own (Hyper's `services`).
///
/// # Errors
///
/// [`Error::NoSuchContainer`] when the pod has no container (regular or init) of that name.
///
/// # Examples
///
/// ```
/// use podspec::{Format, model::*};
/// let mut pod = Pod::new(PodName::try_from("web").unwrap(), Source::new(Format::K8s));
/// let mut c = Container::new(ContainerName::try_from("c").unwrap(), Image::Host);
/// c.env.push(EnvVar::literal("DB", "$(REDIS_MASTER_SERVICE_HOST):$(REDIS_MASTER_SERVICE_PORT)"));
/// c.env.push(EnvVar { name: "POD".into(), value: EnvValue::Field(PodField::Name) });
/// pod.containers.push(c);
/// let redis = convert::Service::new("redis-master", "default", "10.0.0.11")
///     .with_port(None, Port::try_from(6379).unwrap(), Protocol::Tcp);
/// let env = convert::environment(&pod, "c", &[redis]).unwrap();
/// let lines: Vec<String> = env.vars.iter().map(ToString::to_string).collect();
/// assert_eq!(&lines[..5], [
///     "HOSTNAME=web",
///     "DB=10.0.0.11:6379",
///     "POD=web",
///     "REDIS_MASTER_SERVICE_HOST=10.0.0.11",
///     "REDIS_MASTER_SERVICE_PORT=6379",
/// ]);
/// assert_eq!(env.get("REDIS_MASTER_PORT"), Some("tcp://10.0.0.11:6379"));
/// ```
pub fn environment(pod: &Pod, container: &str, services: &[Service]) -> Result<Environment, Error> {
    let Some((path, c)) = pod.all_containers().find(|(_, c)| c.name == container) else {
        return Err(Error::NoSuchContainer {
            pod: pod.name.as_str().to_owned(),
            name: container.to_owned(),
        });
    };
    let service_vars = service_variables(&visible_services(pod, services));
    let service_map: BTreeMap<&str, &str> = service_vars
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_str()))
        .collect();
    let expanding = expands(pod.source.format);

    let mut user: Vec<EnvEntry> = Vec::new();
    let mut unresolved = Vec::new();
    for (k, e) in c.env.iter().enumerate() {
        let value = match &e.value {
            EnvValue::Literal(v) if expanding => expand(v, |name| {
                user.iter()
                    .find(|x| x.name == name)
                    .map(|x| x.value.as_str())
                    .or_else(|| service_map.get(name).copied())
            }),
            EnvValue::Literal(v) => v.clone(),
            EnvValue::Field(f) => match field_value(pod, f) {
                Some(v) => v,
                None => {
                    unresolved.push(Unresolved {
                        field: path.field("env").index(k),
                        name: e.name.clone(),
                        source: f.clone(),
                    });
                    continue;
                }
            },
            _ => continue,
        };
        match user.iter_mut().find(|x| x.name == e.name) {
            Some(prev) => prev.value = value,
            None => user.push(EnvEntry::new(e.name.clone(), value)),
        }
    }

    let mut vars = vec![EnvEntry::new("HOSTNAME", hostname(pod))];
    for e in user {
        match vars.iter_mut().find(|x| x.name == e.name) {
            Some(h) => h.value = e.value,
            None => vars.push(e),
        }
    }
    let user_count = vars.len();
    for s in service_vars {
        if !vars[..user_count].iter().any(|x| x.name == s.name) {
            vars.push(s);
        }
    }
    Ok(Environment { vars, unresolved })
}

/// The value of a pod field, if the pod itself says it.
fn field_value(pod: &Pod, f: &PodField) -> Option<String> {
    match f {
        PodField::Name => Some(pod.name.as_str().to_owned()),
        PodField::Namespace => Some(pod.namespace.clone()),
        PodField::Label(k) => Some(pod.labels.get(k).cloned().unwrap_or_default()),
        PodField::Annotation(k) => Some(pod.annotations.get(k).cloned().unwrap_or_default()),
        _ => None,
    }
}

/// Kubernetes' environment variable name for a service or port name: upper case, `-` as `_`
/// (`makeEnvVariableName`). Service and port names are DNS labels and IANA names, so they have
/// no dots and start with a letter (older Kubernetes also turned `.` into `_` and prefixed a
/// leading digit with `_`; no name of today needs it).
///
/// # Examples
///
/// ```
/// assert_eq!(convert::env::env_var_name("redis-master"), "REDIS_MASTER");
/// ```
pub fn env_var_name(name: &str) -> String {
    name.replace('-', "_").to_ascii_uppercase()
}

/// Go's `net.JoinHostPort`: IPv6 addresses (anything with a `:`) in brackets.
fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The variables of these services, in Kubernetes' order (`envvars.FromServices`): per
/// service, `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT` (the first port), then
/// `<NAME>_SERVICE_PORT_<PORT NAME>` for each named port, then the Docker-link variables:
/// `<NAME>_PORT` (the first port's URL), and for each port `<NAME>_PORT_<port>_<PROTO>` (its
/// URL) with `_PROTO`, `_PORT` and `_ADDR`. URLs are `<proto>://<ip>:<port>`, with an IPv6
/// address in brackets. Services without a cluster IP give nothing; a service without ports
/// gives only `<NAME>_SERVICE_HOST` (Kubernetes requires a port).
///
/// # Examples
///
/// ```
/// use podspec::model::{Port, Protocol};
/// let s = convert::Service::new("foo-bar", "default", "1.2.3.4")
///     .with_port(None, Port::try_from(8080).unwrap(), Protocol::Tcp);
/// let vars: Vec<String> = convert::env::service_variables(&[s]).iter().map(ToString::to_string).collect();
/// assert_eq!(vars, [
///     "FOO_BAR_SERVICE_HOST=1.2.3.4",
///     "FOO_BAR_SERVICE_PORT=8080",
///     "FOO_BAR_PORT=tcp://1.2.3.4:8080",
///     "FOO_BAR_PORT_8080_TCP=tcp://1.2.3.4:8080",
///     "FOO_BAR_PORT_8080_TCP_PROTO=tcp",
///     "FOO_BAR_PORT_8080_TCP_PORT=8080",
///     "FOO_BAR_PORT_8080_TCP_ADDR=1.2.3.4",
/// ]);
/// ```
pub fn service_variables(services: &[Service]) -> Vec<EnvEntry> {
    let mut out = Vec::new();
    for s in services.iter().filter(|s| s.has_cluster_ip()) {
        let prefix = env_var_name(&s.name);
        let ip = s.cluster_ip.as_str();
        out.push(EnvEntry::new(format!("{prefix}_SERVICE_HOST"), ip));
        let Some(first) = s.ports.first() else {
            continue;
        };
        out.push(EnvEntry::new(
            format!("{prefix}_SERVICE_PORT"),
            first.port.get().to_string(),
        ));
        for p in &s.ports {
            if let Some(n) = p.name.as_deref().filter(|n| !n.is_empty()) {
                out.push(EnvEntry::new(
                    format!("{prefix}_SERVICE_PORT_{}", env_var_name(n)),
                    p.port.get().to_string(),
                ));
            }
        }
        for (i, p) in s.ports.iter().enumerate() {
            let proto = p.protocol.as_str();
            let lower = proto.to_ascii_lowercase();
            let url = format!("{lower}://{}", join_host_port(ip, p.port.get()));
            if i == 0 {
                out.push(EnvEntry::new(format!("{prefix}_PORT"), url.clone()));
            }
            let pp = format!("{prefix}_PORT_{}_{proto}", p.port.get());
            out.push(EnvEntry::new(pp.clone(), url));
            out.push(EnvEntry::new(format!("{pp}_PROTO"), lower));
            out.push(EnvEntry::new(
                format!("{pp}_PORT"),
                p.port.get().to_string(),
            ));
            out.push(EnvEntry::new(format!("{pp}_ADDR"), ip));
        }
    }
    out
}

/// Kubernetes' `$(VAR)` expansion (`third_party/forked/golang/expansion`): `$(NAME)` becomes
/// `lookup(NAME)` when that is `Some`, and stays as written otherwise; `$$` is `$`; a `$`
/// before anything else, a `$(` without a closing `)`, and a `$` at the end stay as written.
/// There is no nesting: the name is everything up to the first `)`.
///
/// # Examples
///
/// ```
/// use convert::env::expand;
/// let lookup = |n: &str| (n == "A").then_some("x");
/// assert_eq!(expand("$(A)-$(B)", lookup), "x-$(B)");
/// assert_eq!(expand("$$(A)", lookup), "$(A)");
/// assert_eq!(expand("$(A", lookup), "$(A");
/// ```
pub fn expand<'a>(input: &str, lookup: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match after.chars().next() {
            // A `$` at the end stays.
            None => {
                out.push('$');
                rest = after;
            }
            Some('$') => {
                out.push('$');
                rest = &after[1..];
            }
            Some('(') => match after.find(')') {
                Some(close) => {
                    let name = &after[1..close];
                    match lookup(name) {
                        Some(v) => out.push_str(v),
                        None => {
                            out.push_str("$(");
                            out.push_str(name);
                            out.push(')');
                        }
                    }
                    rest = &after[close + 1..];
                }
                // An unterminated `$(` stays, and scanning goes on after the `(`.
                None => {
                    out.push_str("$(");
                    rest = &after[1..];
                }
            },
            Some(c) => {
                out.push('$');
                out.push(c);
                rest = &after[c.len_utf8()..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_host_port_brackets_ipv6_only() {
        assert_eq!(join_host_port("1.2.3.4", 80), "1.2.3.4:80");
        assert_eq!(join_host_port("2001:DB8::", 8084), "[2001:DB8::]:8084");
    }

    #[test]
    fn expansion_is_utf8_safe() {
        assert_eq!(expand("é$é$(é)", |n| (n == "é").then_some("ok")), "é$éok");
    }
}
