//! Services: the [`Service`] input type, which services a pod sees, and reading a Kubernetes
//! `ServiceList` or an array of `Service` objects.

use std::collections::BTreeMap;

use podspec::model::{Pod, Port, Protocol, ServiceLinks};
use podspec::{ErrorType, FieldError, FieldPath};
use serde_json::Value;

use crate::Error;

/// One port of a [`Service`].
///
/// # Examples
///
/// ```
/// use podspec::model::{Port, Protocol};
/// let p = convert::ServicePort { name: Some("http".into()), port: Port::try_from(80).unwrap(), protocol: Protocol::Tcp };
/// assert_eq!(p.port.get(), 80);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ServicePort {
    /// The port's name (only the first port of a Kubernetes service may be unnamed).
    pub name: Option<String>,
    /// The service port.
    pub port: Port,
    /// Its protocol (TCP when not given).
    pub protocol: Protocol,
}

/// A service a pod may see: what Kubernetes' service environment variables need from a
/// `Service` object.
///
/// # Examples
///
/// ```
/// use podspec::model::{Port, Protocol};
/// let s = convert::Service::new("redis-master", "default", "10.0.0.11")
///     .with_port(None, Port::try_from(6379).unwrap(), Protocol::Tcp);
/// assert!(s.has_cluster_ip());
/// assert!(!convert::Service::new("db", "default", "None").has_cluster_ip()); // headless
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Service {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (`default` when not given).
    pub namespace: String,
    /// `spec.clusterIP`, as written (Kubernetes prints it as given: `2001:DB8::` stays upper
    /// case). Empty or `None` means the service has no cluster IP.
    pub cluster_ip: String,
    /// `spec.ports`, in order.
    pub ports: Vec<ServicePort>,
}

impl Service {
    /// A service without ports.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = convert::Service::new("web", "prod", "10.0.0.1");
    /// assert_eq!((s.namespace.as_str(), s.ports.len()), ("prod", 0));
    /// ```
    pub fn new(
        name: impl Into<String>,
        namespace: impl Into<String>,
        cluster_ip: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            namespace: namespace.into(),
            cluster_ip: cluster_ip.into(),
            ports: Vec::new(),
        }
    }

    /// The service with one more port.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::{Port, Protocol};
    /// let s = convert::Service::new("dns", "kube-system", "10.0.0.10")
    ///     .with_port(Some("dns".into()), Port::try_from(53).unwrap(), Protocol::Udp);
    /// assert_eq!(s.ports[0].protocol, Protocol::Udp);
    /// ```
    #[must_use]
    pub fn with_port(mut self, name: Option<String>, port: Port, protocol: Protocol) -> Self {
        self.ports.push(ServicePort {
            name,
            port,
            protocol,
        });
        self
    }

    /// Whether the service has a cluster IP (Kubernetes' `IsServiceIPSet`): headless services
    /// (`None`) and services without one get no variables.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!convert::Service::new("x", "default", "").has_cluster_ip());
    /// ```
    pub fn has_cluster_ip(&self) -> bool {
        !self.cluster_ip.is_empty() && self.cluster_ip != "None"
    }
}

/// The namespace and name of the API server's service, whose variables every pod gets.
const MASTER: (&str, &str) = ("default", "kubernetes");

/// A Hyper pod's own services ([`Pod::services`]) as [`Service`]s in the pod's namespace.
/// Hyper's services have no names; service `i` is named `service-<i>`, so its variables are
/// `SERVICE_<i>_SERVICE_HOST` and so on.
///
/// # Examples
///
/// ```
/// use podspec::{Format, model::*};
/// let mut pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::Hyper));
/// pod.services.push(podspec::model::Service {
///     ip: "10.254.0.24".parse().unwrap(), port: Port::try_from(2834).unwrap(),
///     protocol: Protocol::Tcp, hosts: vec![],
/// });
/// let s = &convert::services::pod_services(&pod)[0];
/// assert_eq!((s.name.as_str(), s.cluster_ip.as_str()), ("service-0", "10.254.0.24"));
/// ```
pub fn pod_services(pod: &Pod) -> Vec<Service> {
    pod.services
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Service::new(
                format!("service-{i}"),
                pod.namespace.clone(),
                s.ip.to_string(),
            )
            .with_port(None, s.port, s.protocol)
        })
        .collect()
}

/// The services a pod sees, with Kubernetes' rules (`getServiceEnvVarMap`, spec/kubernetes.md
/// section 5), sorted by name:
///
/// | rule |
/// |---|
/// | services without a cluster IP (empty or `None`) are skipped |
/// | `kubernetes` in namespace `default` is always seen, service links or not |
/// | with service links on (the default), every service of the pod's namespace is seen |
/// | a service of the pod's namespace named `kubernetes` replaces `default/kubernetes` |
/// | of two services of one name in the pod's namespace, the later one is seen |
///
/// The candidates are the pod's own services ([`pod_services`]) followed by `services`.
///
/// # Examples
///
/// ```
/// use podspec::{Format, model::*};
/// let pod = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
/// let all = [
///     convert::Service::new("kubernetes", "default", "10.0.0.1"),
///     convert::Service::new("db", "default", "10.0.0.2"),
///     convert::Service::new("db", "other", "10.0.0.3"),
///     convert::Service::new("headless", "default", "None"),
/// ];
/// let seen: Vec<String> = convert::services::visible_services(&pod, &all)
///     .into_iter().map(|s| s.cluster_ip).collect();
/// assert_eq!(seen, ["10.0.0.2", "10.0.0.1"]); // db, kubernetes
/// ```
pub fn visible_services(pod: &Pod, services: &[Service]) -> Vec<Service> {
    let own = pod_services(pod);
    let links = pod.service_links == ServiceLinks::Enabled;
    let mut seen: BTreeMap<&str, &Service> = BTreeMap::new();
    for s in own.iter().chain(services) {
        if !s.has_cluster_ip() {
            continue;
        }
        if (s.namespace.as_str(), s.name.as_str()) == MASTER {
            seen.entry(s.name.as_str()).or_insert(s);
        } else if s.namespace == pod.namespace && links {
            seen.insert(s.name.as_str(), s);
        }
    }
    seen.into_values().cloned().collect()
}

/// Reads services from a Kubernetes `ServiceList` (an object with `items`, such as
/// `kubectl get services -o json` prints), a JSON array of `Service` objects, or one `Service`,
/// in JSON or YAML. Of each service it reads `metadata.name`, `metadata.namespace` (`default`
/// when absent), `spec.clusterIP` (none when absent) and `spec.ports[]` (`name`, `port`,
/// `protocol`, TCP when absent); everything else is ignored.
///
/// # Errors
///
/// [`Error::ServicesSyntax`] for text that is neither JSON nor YAML; [`Error::Invalid`] with
/// every missing or malformed field, at its path (`items[1].spec.ports[0].port`).
///
/// # Examples
///
/// ```
/// let list = r#"{"kind": "ServiceList", "items": [
///     {"metadata": {"name": "redis-master", "namespace": "default"},
///      "spec": {"clusterIP": "10.0.0.11", "ports": [{"port": 6379}]}}]}"#;
/// let services = convert::parse_services(list).unwrap();
/// assert_eq!(services[0].name, "redis-master");
/// assert_eq!(services[0].ports[0].port.get(), 6379);
///
/// let err = convert::parse_services(r#"[{"metadata": {}}]"#).unwrap_err();
/// assert_eq!(err.to_string(), "[0].metadata.name: Required value: a service name is required");
/// ```
pub fn parse_services(text: &str) -> Result<Vec<Service>, Error> {
    let trimmed = text.trim_start();
    let value: Value = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        serde_json::from_str(text).map_err(|e| Error::ServicesSyntax {
            message: e.to_string(),
        })?
    } else {
        serde_yaml::from_str(text).map_err(|e| Error::ServicesSyntax {
            message: e.to_string(),
        })?
    };
    let mut errors = Vec::new();
    let root = FieldPath::root();
    let items: Vec<(FieldPath, &Value)> = match &value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (root.index(i), v))
            .collect(),
        Value::Object(o) => match o.get("items") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (root.field("items").index(i), v))
                .collect(),
            Some(Value::Null) => Vec::new(),
            Some(_) => {
                errors.push(type_error(root.field("items"), "a list"));
                Vec::new()
            }
            None => vec![(root.clone(), &value)],
        },
        Value::Null => Vec::new(),
        _ => {
            errors.push(type_error(
                root,
                "a ServiceList, a list of services or a service",
            ));
            Vec::new()
        }
    };
    let mut out = Vec::new();
    for (path, item) in items {
        if let Some(s) = service(&mut errors, &path, item) {
            out.push(s);
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Error::Invalid(errors))
    }
}

fn type_error(path: FieldPath, expected: &str) -> FieldError {
    FieldError::new(path, ErrorType::TypeInvalid, format!("expected {expected}"))
}

/// A string field: `Ok(None)` when absent or null.
fn string<'a>(
    errors: &mut Vec<FieldError>,
    path: &FieldPath,
    v: Option<&'a Value>,
) -> Option<&'a str> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            errors.push(type_error(path.clone(), "a string"));
            None
        }
    }
}

fn service(errors: &mut Vec<FieldError>, path: &FieldPath, v: &Value) -> Option<Service> {
    let Value::Object(o) = v else {
        errors.push(type_error(path.clone(), "a Service object"));
        return None;
    };
    let mp = path.field("metadata");
    let meta = o.get("metadata");
    let name_path = mp.field("name");
    let raw_name = meta.and_then(|m| m.get("name"));
    let name = string(errors, &name_path, raw_name);
    let namespace = string(
        errors,
        &mp.field("namespace"),
        meta.and_then(|m| m.get("namespace")),
    )
    .filter(|n| !n.is_empty())
    .unwrap_or("default");
    let sp = path.field("spec");
    let spec = o.get("spec");
    let ip = string(
        errors,
        &sp.field("clusterIP"),
        spec.and_then(|s| s.get("clusterIP")),
    )
    .unwrap_or_default();
    let mut ports = Vec::new();
    match spec.and_then(|s| s.get("ports")) {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for (i, p) in list.iter().enumerate() {
                let pp = sp.field("ports").index(i);
                let pname = string(errors, &pp.field("name"), p.get("name"))
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned);
                let number = match p.get("port") {
                    Some(Value::Number(n)) => match n.as_i64().map(Port::try_from) {
                        Some(Ok(port)) => Some(port),
                        Some(Err(mut e)) => {
                            e.field = pp.field("port");
                            errors.push(e);
                            None
                        }
                        None => {
                            errors.push(type_error(pp.field("port"), "an integer"));
                            None
                        }
                    },
                    None | Some(Value::Null) => {
                        errors.push(FieldError::new(
                            pp.field("port"),
                            ErrorType::Required,
                            "a port is required",
                        ));
                        None
                    }
                    Some(_) => {
                        errors.push(type_error(pp.field("port"), "an integer"));
                        None
                    }
                };
                let protocol = match string(errors, &pp.field("protocol"), p.get("protocol")) {
                    None | Some("") => Some(Protocol::Tcp),
                    Some(s) => match s.parse::<Protocol>() {
                        Ok(p) => Some(p),
                        Err(mut e) => {
                            e.field = pp.field("protocol");
                            errors.push(e);
                            None
                        }
                    },
                };
                if let (Some(port), Some(protocol)) = (number, protocol) {
                    ports.push(ServicePort {
                        name: pname,
                        port,
                        protocol,
                    });
                }
            }
        }
        Some(_) => errors.push(type_error(sp.field("ports"), "a list")),
    }
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        // A name of the wrong type was reported above.
        if name.is_some() || matches!(raw_name, None | Some(Value::Null)) {
            errors.push(FieldError::new(
                name_path,
                ErrorType::Required,
                "a service name is required",
            ));
        }
        return None;
    };
    Some(Service {
        name: name.to_owned(),
        namespace: namespace.to_owned(),
        cluster_ip: ip.to_owned(),
        ports,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use podspec::Format;
    use podspec::model::{PodName, Source};

    fn pod(ns: &str, links: bool) -> Pod {
        let mut p = Pod::new(PodName::try_from("p").unwrap(), Source::new(Format::K8s));
        p.namespace = ns.to_owned();
        p.service_links = ServiceLinks::from(links);
        p
    }

    fn ips(p: &Pod, s: &[Service]) -> Vec<String> {
        visible_services(p, s)
            .into_iter()
            .map(|s| s.cluster_ip)
            .collect()
    }

    #[test]
    fn links_off_leaves_only_the_master_service() {
        let s = [
            Service::new("kubernetes", "default", "1.2.3.1"),
            Service::new("test", "test1", "1.2.3.3"),
        ];
        assert_eq!(ips(&pod("test1", false), &s), ["1.2.3.1"]);
        assert_eq!(ips(&pod("test1", true), &s), ["1.2.3.1", "1.2.3.3"]);
    }

    #[test]
    fn a_local_kubernetes_service_wins_in_either_order() {
        let master = Service::new("kubernetes", "default", "1.2.3.1");
        let local = Service::new("kubernetes", "test2", "1.2.3.4");
        let p = pod("test2", true);
        assert_eq!(ips(&p, &[master.clone(), local.clone()]), ["1.2.3.4"]);
        assert_eq!(ips(&p, &[local, master]), ["1.2.3.4"]);
    }

    #[test]
    fn other_namespaces_are_not_seen() {
        let s = [Service::new("db", "elsewhere", "1.1.1.1")];
        assert!(ips(&pod("default", true), &s).is_empty());
    }

    #[test]
    fn parse_accepts_an_array_a_list_and_one_service_in_yaml() {
        let yaml = "kind: Service\nmetadata: {name: web}\nspec:\n  clusterIP: 10.0.0.5\n  ports:\n    - {name: http, port: 80, protocol: TCP}\n";
        let s = parse_services(yaml).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].namespace, "default");
        assert_eq!(s[0].ports[0].name.as_deref(), Some("http"));
        assert!(parse_services("[]").unwrap().is_empty());
        assert!(
            parse_services(r#"{"kind": "ServiceList", "items": []}"#)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn parse_reports_every_error_with_its_path() {
        let text = r#"{"items": [
            {"metadata": {"name": "a"}, "spec": {"ports": [{"port": 0}, {"port": 1, "protocol": "ICMP"}]}},
            {"metadata": {"name": 5}}]}"#;
        let Err(Error::Invalid(errs)) = parse_services(text) else {
            panic!()
        };
        let paths: Vec<String> = errs.iter().map(|e| e.field.to_string()).collect();
        assert_eq!(
            paths,
            [
                "items[0].spec.ports[0].port",
                "items[0].spec.ports[1].protocol",
                "items[1].metadata.name",
            ]
        );
    }

    #[test]
    fn parse_rejects_text_that_is_not_json() {
        assert!(matches!(
            parse_services("{"),
            Err(Error::ServicesSyntax { .. })
        ));
        assert!(matches!(
            parse_services("[1, 2"),
            Err(Error::ServicesSyntax { .. })
        ));
    }
}
