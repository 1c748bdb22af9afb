//! Helpers shared by the wire-to-domain conversions.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use podspec::model::{
    ContainerName, EnvValue, EnvVar, ImageRef, Memory, MilliCpu, Port, PortName, PortRef, Protocol,
    RestartPolicy,
};
use podspec::wire::{IntOrString, Str};
use podspec::{ErrorType, FieldError, FieldPath};

use crate::converted::Cx;

/// A required value is missing.
pub(crate) fn required(cx: &mut Cx, path: &FieldPath, detail: &str) {
    cx.error(
        path,
        FieldError::new(FieldPath::root(), ErrorType::Required, detail),
    );
}

/// An invalid value.
pub(crate) fn invalid(
    cx: &mut Cx,
    path: &FieldPath,
    value: impl Into<podspec::BadValue>,
    detail: &str,
) {
    cx.error(
        path,
        FieldError::new(FieldPath::root(), ErrorType::Invalid, detail).with_value(value),
    );
}

/// A list, or an empty one.
pub(crate) fn list(v: Option<&Vec<Str>>) -> Vec<String> {
    v.map_or_else(Vec::new, |v| strings(v))
}

/// Wire strings as owned strings.
pub(crate) fn strings(v: &[Str]) -> Vec<String> {
    v.iter().map(|s| s.as_str().to_owned()).collect()
}

/// A wire string map (labels, annotations) as an owned one; absent is empty.
pub(crate) fn string_map(m: Option<&BTreeMap<Str, Str>>) -> BTreeMap<String, String> {
    m.map_or_else(BTreeMap::new, |m| {
        m.iter()
            .map(|(k, v)| (String::from(k.as_str()), String::from(v.as_str())))
            .collect()
    })
}

/// An optional wire string as an owned one; absent is empty.
pub(crate) fn owned(s: Option<&Str>) -> String {
    s.map_or_else(String::new, |s| s.as_str().to_owned())
}

/// A string that is absent or empty is `None` (Go's zero value).
pub(crate) fn non_empty(s: Option<&Str>) -> Option<&str> {
    s.map(Str::as_str).filter(|s| !s.is_empty())
}

/// A container name (required).
pub(crate) fn container_name(
    cx: &mut Cx,
    path: &FieldPath,
    name: Option<&Str>,
) -> Option<ContainerName> {
    match non_empty(name) {
        Some(n) => cx.ok(path, ContainerName::try_from(n)),
        None => {
            required(cx, path, "a container name is required");
            None
        }
    }
}

/// An image reference (required).
pub(crate) fn image(cx: &mut Cx, path: &FieldPath, image: Option<&Str>) -> Option<ImageRef> {
    match non_empty(image) {
        Some(i) => cx.ok(path, ImageRef::try_from(i)),
        None => {
            required(cx, path, "an image is required");
            None
        }
    }
}

/// A port number in 1..65535.
pub(crate) fn port(cx: &mut Cx, path: &FieldPath, n: i64) -> Option<Port> {
    cx.ok(path, Port::try_from(n))
}

/// A host port: 0 or absent means none.
pub(crate) fn host_port(cx: &mut Cx, path: &FieldPath, n: Option<i32>) -> Option<Port> {
    match n {
        None | Some(0) => None,
        Some(n) => port(cx, path, i64::from(n)),
    }
}

/// A protocol; absent or empty is TCP (Kubernetes' and Hyper's default).
pub(crate) fn protocol(cx: &mut Cx, path: &FieldPath, s: Option<&Str>) -> Protocol {
    match non_empty(s) {
        None => Protocol::Tcp,
        Some(p) => cx.ok(path, p.parse()).unwrap_or_default(),
    }
}

/// An IP address; absent or empty is none.
pub(crate) fn ip(cx: &mut Cx, path: &FieldPath, s: Option<&Str>) -> Option<IpAddr> {
    let s = non_empty(s)?;
    match s.parse() {
        Ok(ip) => Some(ip),
        Err(_) => {
            invalid(cx, path, s, "must be a valid IP address");
            None
        }
    }
}

/// A port number or an IANA port name (Kubernetes' `IntOrString` ports).
pub(crate) fn port_ref(cx: &mut Cx, path: &FieldPath, p: Option<&IntOrString>) -> Option<PortRef> {
    match p {
        None => {
            required(cx, path, "a port is required");
            None
        }
        Some(IntOrString::Int(n)) => port(cx, path, i64::from(*n)).map(PortRef::Number),
        Some(IntOrString::String(s)) => cx
            .ok(path, PortName::try_from(s.as_str()))
            .map(PortRef::Name),
    }
}

/// A restart policy; absent or empty is `default`.
pub(crate) fn restart_policy(
    cx: &mut Cx,
    path: &FieldPath,
    s: Option<&Str>,
    default: RestartPolicy,
) -> RestartPolicy {
    match non_empty(s) {
        None => default,
        Some(p) => cx.ok(path, p.parse()).unwrap_or(default),
    }
}

/// Whole seconds that must not be negative.
pub(crate) fn seconds(cx: &mut Cx, path: &FieldPath, n: i64) -> Option<Duration> {
    match u64::try_from(n) {
        Ok(s) => Some(Duration::from_secs(s)),
        Err(_) => {
            invalid(cx, path, n, "must be greater than or equal to 0");
            None
        }
    }
}

/// A probe number where 0 or absent means `default` (Kubernetes' defaulting).
pub(crate) fn seconds_or(
    cx: &mut Cx,
    path: &FieldPath,
    n: Option<i64>,
    default: Duration,
) -> Duration {
    match n {
        None | Some(0) => default,
        Some(n) => seconds(cx, path, n).unwrap_or(default),
    }
}

/// A threshold where 0 or absent means `default`.
pub(crate) fn threshold_or(cx: &mut Cx, path: &FieldPath, n: Option<i64>, default: u32) -> u32 {
    match n {
        None | Some(0) => default,
        Some(n) => match u32::try_from(n) {
            Ok(n) => n,
            Err(_) => {
                invalid(cx, path, n, "must be greater than or equal to 0");
                default
            }
        },
    }
}

/// A CPU quantity.
pub(crate) fn cpu(cx: &mut Cx, path: &FieldPath, q: &str) -> Option<MilliCpu> {
    cx.ok(path, MilliCpu::from_quantity(q))
}

/// A memory quantity.
pub(crate) fn memory(cx: &mut Cx, path: &FieldPath, q: &str) -> Option<Memory> {
    cx.ok(path, Memory::from_quantity(q))
}

/// A literal environment variable; the name is required.
pub(crate) fn literal_env(
    cx: &mut Cx,
    path: &FieldPath,
    name: Option<&Str>,
    value: Option<&Str>,
) -> Option<EnvVar> {
    let Some(name) = non_empty(name) else {
        required(cx, path, "an environment variable name is required");
        return None;
    };
    Some(EnvVar {
        name: name.to_owned(),
        value: EnvValue::Literal(owned(value)),
    })
}
