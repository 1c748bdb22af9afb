//! The plain pass: a Kubernetes v1 JSON document deserialized straight into [`Pod`] by
//! `serde_json` and the derive, with no wrapper, then checked by counting.
//!
//! The derive matches Kubernetes keys exactly (Kubernetes keys are case-sensitive, so there is
//! nothing to fold) but ignores unknown keys silently, takes a null as an absent field, lets a
//! map's repeated key replace the first and accepts a list where a struct is expected. The
//! pipeline warns for the first, reports the last as a type error, and the wrapper pass gives up
//! on the others, so the plain pass must know that none of them happened. It does by counting:
//!
//! - in the text: every `:` (`C`) and every `[` (`B`), strings included;
//! - in the typed document ([`Tally`]): struct fields present and map entries (`K`), lists (`L`).
//!
//! Outside strings, each `:` is one key of one object and each `[` one list. Every typed list
//! came from its own `[`, so `B >= L`; a list read as a struct, one under an ignored key, or a `[`
//! inside a string makes it more: `B == L` says none of these happened. Then every typed field or
//! entry came from its own key (escaped or not), so the text has at least `K` keys and `C >= K`;
//! `C == K` holds only if every key of the text gave a field or an entry (no unknown key, no null
//! field, no repeated map key) and no string holds a `:`. When a string does (`nginx:1.25`), or
//! holds a `[`, and the text has no `\` (so that a typed string is its text between the quotes),
//! the typed strings (values and map keys) are scanned too, and the same argument runs with
//! `C == K + (':' in typed strings)` and `B == L + ('[' in typed strings)`: every typed string
//! is a string of the text, so both sides are still at most the text's, and equal only when
//! every key and list of the text is in the typed document. Anything else
//! (a type error, a struct key given twice, which the derive refuses) makes the plain pass
//! decline, and the wrapper pass ([`super::fast`]) decides.
//!
//! Detection ([`crate::detect`]) is read from the typed root: with every key known, the root's
//! keys are exactly its present fields.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::parse::Parsed;
use crate::wire::k8s::*;
use crate::wire::{Document, IntOrString, Quantity, Str};

/// Parses a Kubernetes v1 JSON document (`text` starts with `{`, no BOM) in the plain pass, or
/// `None` when the wrapper pass must decide. `detect`: the caller gave no format, so the
/// document must also be detected as Kubernetes v1.
pub(crate) fn k8s_json(text: &str, detect: bool) -> Option<Parsed> {
    let pod: Pod = serde_json::from_str(text).ok()?;
    if detect && !is_k8s(&pod) {
        return None;
    }
    let counts = TextCounts::of(text.as_bytes());
    let mut typed = Counts::<false>::default();
    pod.tally(&mut typed);
    let mut exact = counts.brackets == typed.lists && counts.colons == typed.keys;
    // Typed strings are their text only when nothing is escaped.
    if !exact && memchr::memchr(b'\\', text.as_bytes()).is_none() {
        let mut scanned = Counts::<true>::default();
        pod.tally(&mut scanned);
        exact = counts.brackets == scanned.lists + scanned.brackets
            && counts.colons == scanned.keys + scanned.colons;
    }
    exact.then(|| Parsed {
        document: Document::K8s(pod),
        warnings: Vec::new(),
    })
}

/// Whether [`crate::detect::detect`] gives Kubernetes v1 for a document whose root keys are
/// exactly `pod`'s present fields.
fn is_k8s(pod: &Pod) -> bool {
    let v1beta1 = pod
        .api_version
        .as_deref()
        .is_some_and(|v| v.eq_ignore_ascii_case("v1beta1"));
    // Rules 3 to 5; `status` alone matches none of them (rule 7: Hyper).
    !v1beta1
        && (pod.api_version.is_some()
            || pod.kind.is_some()
            || pod.metadata.is_some()
            || pod.spec.is_some())
}

/// The text's `:` and `[`.
#[derive(Debug, PartialEq, Eq)]
struct TextCounts {
    colons: usize,
    brackets: usize,
}

impl TextCounts {
    fn of(bytes: &[u8]) -> Self {
        Self {
            colons: memchr::memchr_iter(b':', bytes).count(),
            brackets: memchr::memchr_iter(b'[', bytes).count(),
        }
    }
}

/// What a typed document holds; `SCAN`: whether strings are scanned for `:` and `[`.
#[derive(Debug, Default)]
struct Counts<const SCAN: bool> {
    /// Struct fields present and map entries.
    keys: usize,
    /// Lists.
    lists: usize,
    /// `:` in strings (when scanned).
    colons: usize,
    /// `[` in strings (when scanned).
    brackets: usize,
}

impl<const SCAN: bool> Counts<SCAN> {
    #[inline]
    fn text(&mut self, s: &str) {
        if SCAN {
            self.scan_text(s);
        }
    }

    fn scan_text(&mut self, s: &str) {
        for &x in s.as_bytes() {
            self.colons += usize::from(x == b':');
            self.brackets += usize::from(x == b'[');
        }
    }
}

/// Counts what a typed value holds into [`Counts`].
trait Tally {
    fn tally<const S: bool>(&self, c: &mut Counts<S>);
}

impl Tally for Str {
    #[inline]
    fn tally<const S: bool>(&self, c: &mut Counts<S>) {
        c.text(self);
    }
}

impl Tally for Quantity {
    #[inline]
    fn tally<const S: bool>(&self, c: &mut Counts<S>) {
        // From a number, no `:` or `[`; from a string, the string.
        c.text(self.as_str());
    }
}

impl Tally for IntOrString {
    #[inline]
    fn tally<const S: bool>(&self, c: &mut Counts<S>) {
        if let Self::String(s) = self {
            c.text(s);
        }
    }
}

macro_rules! scalars {
    ($($ty:ty)*) => {
        $(
            impl Tally for $ty {
                #[inline]
                fn tally<const S: bool>(&self, _: &mut Counts<S>) {}
            }
        )*
    };
}

scalars! { bool i32 i64 }

impl<T: Tally> Tally for Vec<T> {
    fn tally<const S: bool>(&self, c: &mut Counts<S>) {
        c.lists += 1;
        for item in self {
            item.tally(c);
        }
    }
}

impl<T: Tally> Tally for BTreeMap<Str, T> {
    fn tally<const S: bool>(&self, c: &mut Counts<S>) {
        c.keys += self.len();
        for (k, v) in self {
            c.text(k);
            v.tally(c);
        }
    }
}

impl Tally for Value {
    fn tally<const S: bool>(&self, c: &mut Counts<S>) {
        match self {
            Self::Null | Self::Bool(_) | Self::Number(_) => {}
            Self::String(s) => c.text(s),
            Self::Array(items) => {
                c.lists += 1;
                for item in items {
                    item.tally(c);
                }
            }
            Self::Object(map) => {
                c.keys += map.len();
                for (k, v) in map {
                    c.text(k);
                    v.tally(c);
                }
            }
        }
    }
}

/// A struct: one key per present field. The destructuring names every field, so a field added
/// to a wire type and not here is a compile error.
macro_rules! structs {
    ($($ty:ident { $($field:ident),* $(,)? })*) => {
        $(
            impl Tally for $ty {
                fn tally<const S: bool>(&self, c: &mut Counts<S>) {
                    let Self { $($field),* } = self;
                    $(
                        if let Some(v) = $field {
                            c.keys += 1;
                            v.tally(c);
                        }
                    )*
                }
            }
        )*
    };
}

structs! {
    Pod { api_version, kind, metadata, spec, status }
    ObjectMeta { name, generate_name, namespace, labels, annotations }
    PodSpec {
        containers, init_containers, restart_policy, hostname, subdomain, volumes,
        termination_grace_period_seconds, active_deadline_seconds, dns_policy,
        enable_service_links,
    }
    Volume {
        name, host_path, empty_dir, config_map, secret, persistent_volume_claim, nfs, projected,
        downward_api,
    }
    HostPathVolumeSource { path, r#type }
    EmptyDirVolumeSource { medium, size_limit }
    Container {
        name, image, command, args, working_dir, env, ports, resources, volume_mounts,
        liveness_probe, readiness_probe, startup_probe, lifecycle, tty, stdin, stdin_once,
        restart_policy, restart_policy_rules, image_pull_policy, termination_message_policy,
        termination_message_path,
    }
    EnvVar { name, value, value_from }
    EnvVarSource { field_ref, resource_field_ref, config_map_key_ref, secret_key_ref }
    ObjectFieldSelector { api_version, field_path }
    ContainerPort { name, container_port, host_port, host_ip, protocol }
    ResourceRequirements { limits, requests }
    VolumeMount { name, mount_path, read_only, sub_path }
    Probe {
        exec, http_get, tcp_socket, grpc, initial_delay_seconds, period_seconds, timeout_seconds,
        success_threshold, failure_threshold, termination_grace_period_seconds,
    }
    ExecAction { command }
    HttpGetAction { path, port, host, scheme, http_headers }
    HttpHeader { name, value }
    TcpSocketAction { port, host }
    GrpcAction { port, service }
    Lifecycle { post_start, pre_stop }
    LifecycleHandler { exec, http_get, tcp_socket, sleep }
    SleepAction { seconds }
    ContainerRestartRule { action, exit_codes }
    ContainerRestartRuleOnExitCodes { operator, values }
    PodStatus {
        phase, conditions, message, reason, host_ip, pod_ip, start_time, qos_class,
        init_container_statuses, container_statuses,
    }
    PodCondition { r#type, status, reason, message, last_probe_time, last_transition_time }
    ContainerStatus {
        name, state, last_state, ready, started, restart_count, image, image_id, container_id,
    }
    ContainerState { waiting, running, terminated }
    ContainerStateWaiting { reason, message }
    ContainerStateRunning { started_at }
    ContainerStateTerminated {
        exit_code, signal, reason, message, started_at, finished_at, container_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;

    /// The typical example as compact JSON.
    fn typical() -> String {
        serde_json::to_string(&typical_value()).unwrap()
    }

    fn typical_value() -> Value {
        let yaml = include_str!("../../../examples/k8s-web.yaml");
        serde_yaml::from_str(yaml).unwrap()
    }

    /// `parse` agrees with the pipeline (whichever route it took).
    fn agrees(text: &str, format: Option<Format>) {
        assert_eq!(
            crate::parse(text, format).ok(),
            crate::parse::pipeline(text, format).ok(),
            "{text}"
        );
    }

    #[test]
    fn text_counts_count_strings_too() {
        assert_eq!(
            TextCounts::of(br#"{"a": [":", "b:c"]}"#),
            TextCounts {
                colons: 3,
                brackets: 1
            }
        );
        for n in [0, 1, 3, 4, 5, 10, 11, 1000, 3000] {
            let long = format!("{{{}}}", r#""a": [1], "#.repeat(n));
            let counts = TextCounts::of(long.as_bytes());
            assert_eq!((counts.colons, counts.brackets), (n, n), "{n}");
        }
    }

    /// What [`Tally`] counts, from the document's JSON (absent fields left out).
    fn counted<const S: bool>(value: &Value, c: &mut Counts<S>) {
        match value {
            Value::String(s) => c.text(s),
            Value::Array(items) => {
                c.lists += 1;
                items.iter().for_each(|v| counted(v, c));
            }
            Value::Object(map) => {
                c.keys += map.len();
                for (k, v) in map {
                    c.text(k);
                    counted(v, c);
                }
            }
            _ => {}
        }
    }

    fn tallied_and_counted<const S: bool>(pod: &Pod, json: &Value) {
        let (mut tallied, mut walked) = (Counts::<S>::default(), Counts::<S>::default());
        pod.tally(&mut tallied);
        counted(json, &mut walked);
        let of = |c: &Counts<S>| (c.keys, c.lists, c.colons, c.brackets);
        assert_eq!(of(&tallied), of(&walked));
        assert!(tallied.keys > 200 && tallied.lists > 20, "{tallied:?}");
        assert_eq!(tallied.colons > 0, S);
    }

    /// The tally agrees with the document's JSON, for a document with every field set.
    #[test]
    fn the_tally_counts_every_field() {
        let full = include_str!("k8s-all-fields.json");
        let pod: Pod = serde_json::from_str(full).unwrap();
        let json = serde_json::to_value(&pod).unwrap();
        tallied_and_counted::<false>(&pod, &json);
        tallied_and_counted::<true>(&pod, &json);
        assert_eq!(
            k8s_json(full, true).map(|p| p.document),
            Some(Document::K8s(pod))
        );
        agrees(full, None);
    }

    #[test]
    fn exact_documents_take_the_plain_pass() {
        let cases = [
            typical(),
            // As the benchmark has it.
            serde_json::to_string_pretty(&typical_value()).unwrap(),
            r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]}}"#
                .to_owned(),
            // `:` and `[` inside strings, values and map keys.
            r#"{"kind": "Pod", "metadata": {"annotations": {"a:b[": "c:[d"}},
                "spec": {"containers": [{"image": "nginx:1.25", "command": [":", "[", "a[0]"]}]}}"#
                .to_owned(),
            // JSON values (sources kept loosely), with nulls and lists inside.
            r#"{"kind": "Pod", "spec": {"volumes": [{"name": "v",
                "configMap": {"name": "m", "items": [{"key": "a:b", "path": null}], "x": [[]]}}]}}"#
                .to_owned(),
            r#"{"spec": {}}"#.to_owned(),
            // Escapes, with no `:` or `[` in strings.
            r#"{"kind": "Pod", "metadata": {"name": "a\"b\u0041"}, "spec": {"contain\u0065rs": []}}"#
                .to_owned(),
            // A blank before a key's `:`; strings that start with `:`.
            r#"{"kind" : "Pod", "spec": {"containers": [{"args": [":", "::x"]}]}}"#.to_owned(),
            r#"{"kind": "Pod", "metadata": {"labels": {":": ":"}}}"#.to_owned(),
            r#"{"apiVersion": "v2"}"#.to_owned(),
        ];
        for text in &cases {
            let plain = k8s_json(text, true).unwrap_or_else(|| panic!("declined {text}"));
            assert_eq!(
                Some(plain),
                crate::parse::pipeline(text, None).ok(),
                "{text}"
            );
        }
    }

    #[test]
    fn what_the_plain_pass_cannot_see_makes_it_decline() {
        let cases = [
            // An unknown key, at the root and at depth.
            r#"{"kind": "Pod", "colour": 1}"#,
            r#"{"kind": "Pod", "spec": {"containers": [{"name": "c", "colour": "red"}]}}"#,
            r#"{"kind": "Pod", "spec": {"hostNetwork": true}}"#,
            // Null fields: the key is there, the field is not.
            r#"{"kind": "Pod", "metadata": null}"#,
            r#"{"apiVersion": null, "spec": {"containers": null}}"#,
            // A repeated map key (the second replaces the first) and a repeated struct key.
            r#"{"kind": "Pod", "metadata": {"labels": {"a": "1", "a": "2"}}}"#,
            r#"{"kind": "Pod", "spec": {"volumes": [{"configMap": {"a": 1, "a": 2}}]}}"#,
            r#"{"kind": "Pod", "kind": "Pod"}"#,
            // A list read as a struct, alone and with an unknown key to even the `:` count.
            r#"{"kind": "Pod", "spec": {"containers": [{"resources": [null, null]}]}}"#,
            r#"{"kind": "Pod", "x": 1, "spec": {"containers": [{"resources": [{"cpu": "1"}, null]}]}}"#,
            // A `:` made by an escape, with an unknown key to even the count; an escape where a
            // string holds a `:` (the strings cannot be counted).
            r#"{"kind": "Pod", "x": 1, "metadata": {"name": "a\u003a"}}"#,
            r#"{"kind": "Pod", "metadata": {"name": "a:b\"c"}}"#,
            // A blank before a `:`, or a string starting with `:`, with an unknown key.
            r#"{"kind" : "Pod", "x": 1}"#,
            r#"{"kind": "Pod", "x": ":"}"#,
            r#"{"kind": "Pod", ":": 1}"#,
            r#"{"kind": "Pod", "x": "a:b", "metadata": {"name": "c:d"}}"#,
            r#"{"kind": "Pod", "x": "[", "metadata": {"name": "]"}}"#,
            // Type errors.
            r#"{"kind": "Pod", "spec": {"containers": [{"tty": "yes"}]}}"#,
            r#"{"kind": 1}"#,
            // Detection: v1beta1, or Hyper (`status` alone).
            r#"{"apiVersion": "V1beta1", "kind": "Pod"}"#,
            r#"{"status": {"phase": "Running"}}"#,
            r#"{}"#,
            // Not JSON.
            r#"{"kind": "Pod",}"#,
        ];
        for text in cases {
            assert!(k8s_json(text, true).is_none(), "{text}");
            agrees(text, None);
            agrees(text, Some(Format::K8s));
        }
        // A caller's format skips detection.
        let status = r#"{"status": {"phase": "Running"}}"#;
        assert!(k8s_json(status, false).is_some());
        agrees(status, Some(Format::K8s));
    }

    /// Every way of spoiling the typical document at one place (an unknown key in each object,
    /// each value replaced by null) is seen.
    #[test]
    fn every_spoilt_place_is_seen() {
        let text = typical();
        assert!(k8s_json(&text, true).is_some());
        let mut spoilt = Vec::new();
        for (i, b) in text.bytes().enumerate() {
            match b {
                b'{' => {
                    let (a, z) = text.split_at(i + 1);
                    spoilt.push(format!("{a}\"zz\":1,{z}"));
                    spoilt.push(format!("{a}\"zz\":[],{z}"));
                }
                b':' if text.as_bytes()[i - 1] == b'"' => {
                    // The value after this key, replaced by null.
                    let rest = &text[i + 1..];
                    let mut de = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
                    de.next().unwrap().unwrap();
                    let end = i + 1 + de.byte_offset();
                    spoilt.push(format!("{}null{}", &text[..=i], &text[end..]));
                }
                _ => {}
            }
        }
        assert!(spoilt.len() > 100, "{}", spoilt.len());
        let mut taken = 0;
        for s in &spoilt {
            // A key added to a map (labels, resources) is no spoil: the pipeline takes it too.
            if let Some(p) = k8s_json(s, true) {
                assert_eq!(Some(p), crate::parse::pipeline(s, None).ok(), "{s}");
                taken += 1;
            }
            agrees(s, None);
        }
        assert!(taken <= 10, "{taken} of {}", spoilt.len());
    }
}
