//! Which format a document is, from the document itself.
//!
//! The rules, first match wins (top-level keys are looked up case-insensitively, exact match
//! preferred, because three of the four formats match keys that way):
//!
//! | # | rule | format |
//! |---|---|---|
//! | 1 | `apiVersion` is `v1beta1` in any case (Hyper's examples write `V1beta1`) | k8s-v1beta1 |
//! | 2 | a `desiredState` key (the 2014 v1beta1 shape) | k8s-v1beta1 |
//! | 3 | any other `apiVersion` (`v1`, ...) | k8s |
//! | 4 | a `kind` key | k8s |
//! | 5 | a `spec` or `metadata` key | k8s |
//! | 6 | an `initContainers` key, or a `containers` item with an object `spec` (an OCI spec) | pod-controller |
//! | 7 | anything else | hyper |
//!
//! A caller that knows better passes the format to [`crate::parse()`] and skips detection.
//!
//! # Examples
//!
//! ```
//! use podspec::{Format, detect::{Rule, detect}};
//! use serde_json::json;
//! let d = detect(&json!({"apiVersion": "V1beta1", "kind": "Pod", "spec": {}}));
//! assert_eq!((d.format, d.rule), (Format::K8sV1beta1, Rule::ApiVersionV1beta1));
//! assert_eq!(detect(&json!({"apiVersion": "v1", "kind": "Pod"})).format, Format::K8s);
//! assert_eq!(detect(&json!({"containers": [{"spec": {"process": {}}}]})).format,
//!            Format::PodController);
//! assert_eq!(detect(&json!({"id": "p", "containers": []})).format, Format::Hyper);
//! ```

use serde_json::{Map, Value};

use crate::Format;

/// The rule that decided a [`Detection`] (the table in the module doc).
///
/// # Examples
///
/// ```
/// use podspec::detect::{Rule, detect};
/// assert_eq!(detect(&serde_json::json!({"desiredState": {}})).rule, Rule::DesiredState);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// Rule 1: `apiVersion` is `v1beta1`, any case.
    ApiVersionV1beta1,
    /// Rule 2: a `desiredState` key.
    DesiredState,
    /// Rule 3: another `apiVersion`.
    ApiVersion,
    /// Rule 4: a `kind` key.
    Kind,
    /// Rule 5: a `spec` or `metadata` key.
    SpecOrMetadata,
    /// Rule 6: `initContainers`, or containers with an OCI `spec`.
    PodControllerShape,
    /// Rule 7: nothing else matched.
    Default,
}

impl Rule {
    /// A short description of the rule, for messages (`detected k8s: apiVersion`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::detect::Rule::Kind.describe(), "a `kind` key");
    /// ```
    pub fn describe(self) -> &'static str {
        match self {
            Self::ApiVersionV1beta1 => "`apiVersion` is v1beta1",
            Self::DesiredState => "a `desiredState` key",
            Self::ApiVersion => "an `apiVersion` key",
            Self::Kind => "a `kind` key",
            Self::SpecOrMetadata => "a `spec` or `metadata` key",
            Self::PodControllerShape => "containers with an OCI `spec`, or `initContainers`",
            Self::Default => "no other format matched",
        }
    }
}

/// A detected format and the rule that chose it.
///
/// # Examples
///
/// ```
/// use podspec::{Format, detect::detect};
/// let d = detect(&serde_json::json!({"initContainers": []}));
/// assert_eq!(d.format, Format::PodController);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Detection {
    /// The format.
    pub format: Format,
    /// Why.
    pub rule: Rule,
}

/// Detects the format of a parsed document. A value that is not an object is Hyper (rule 7);
/// [`crate::parse()`] rejects it before asking.
///
/// # Examples
///
/// ```
/// use podspec::{Format, detect::detect};
/// assert_eq!(detect(&serde_json::json!({"ApiVersion": "v1"})).format, Format::K8s);
/// ```
pub fn detect(value: &Value) -> Detection {
    let found = |format, rule| Detection { format, rule };
    let Some(map) = value.as_object() else {
        return found(Format::Hyper, Rule::Default);
    };
    let api_version = get(map, "apiVersion");
    if let Some(Value::String(v)) = api_version
        && v.eq_ignore_ascii_case("v1beta1")
    {
        return found(Format::K8sV1beta1, Rule::ApiVersionV1beta1);
    }
    if get(map, "desiredState").is_some() {
        return found(Format::K8sV1beta1, Rule::DesiredState);
    }
    if api_version.is_some() {
        return found(Format::K8s, Rule::ApiVersion);
    }
    if get(map, "kind").is_some() {
        return found(Format::K8s, Rule::Kind);
    }
    if get(map, "spec").is_some() || get(map, "metadata").is_some() {
        return found(Format::K8s, Rule::SpecOrMetadata);
    }
    let oci_container = |c: &Value| {
        c.as_object()
            .and_then(|c| get(c, "spec"))
            .is_some_and(Value::is_object)
    };
    let has_oci_container = get(map, "containers")
        .and_then(Value::as_array)
        .is_some_and(|cs| cs.iter().any(oci_container));
    if get(map, "initContainers").is_some() || has_oci_container {
        return found(Format::PodController, Rule::PodControllerShape);
    }
    found(Format::Hyper, Rule::Default)
}

/// A key, exact match first, then ASCII case-insensitively.
fn get<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(v: Value) -> (Format, Rule) {
        let d = detect(&v);
        (d.format, d.rule)
    }

    #[test]
    fn v1beta1_api_version_wins_over_spec() {
        assert_eq!(
            rule(json!({"apiVersion": "V1beta1", "kind": "Pod", "spec": {}})),
            (Format::K8sV1beta1, Rule::ApiVersionV1beta1)
        );
    }

    #[test]
    fn desired_state_without_api_version_is_v1beta1() {
        assert_eq!(
            rule(json!({"id": "x", "desiredState": {"manifest": {}}})),
            (Format::K8sV1beta1, Rule::DesiredState)
        );
    }

    #[test]
    fn other_api_version_is_k8s() {
        assert_eq!(
            rule(json!({"apiVersion": "v1"})),
            (Format::K8s, Rule::ApiVersion)
        );
        assert_eq!(
            rule(json!({"apiVersion": 1})),
            (Format::K8s, Rule::ApiVersion)
        );
    }

    #[test]
    fn kind_alone_is_k8s() {
        assert_eq!(rule(json!({"kind": "Pod"})), (Format::K8s, Rule::Kind));
    }

    #[test]
    fn spec_or_metadata_is_k8s() {
        assert_eq!(
            rule(json!({"metadata": {}})),
            (Format::K8s, Rule::SpecOrMetadata)
        );
    }

    #[test]
    fn init_containers_is_pod_controller() {
        assert_eq!(
            rule(json!({"initContainers": []})),
            (Format::PodController, Rule::PodControllerShape)
        );
    }

    #[test]
    fn container_with_string_spec_is_hyper() {
        assert_eq!(
            rule(json!({"containers": [{"spec": "x"}]})),
            (Format::Hyper, Rule::Default)
        );
    }

    #[test]
    fn keys_match_case_insensitively() {
        assert_eq!(
            rule(json!({"DESIREDSTATE": {}})),
            (Format::K8sV1beta1, Rule::DesiredState)
        );
    }

    #[test]
    fn non_object_is_hyper() {
        assert_eq!(rule(json!([1])), (Format::Hyper, Rule::Default));
    }
}
