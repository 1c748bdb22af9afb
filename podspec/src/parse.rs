//! Text to wire types: syntax, format detection, key normalization, types, warnings.
//!
//! [`parse`] does, in order:
//!
//! 1. **Syntax.** JSON if the first non-blank character is `{` or `[`, else YAML. JSON whose
//!    only fault is a **trailing comma** (as in pod-controller's README example, seeds/002) is
//!    read as YAML, which allows it, with a [`WarningKind::NotJson`] warning that quotes the JSON
//!    error and its position; pod-controller itself fell back to YAML when JSON failed, and
//!    `--strict` callers turn the warning into a failure. Any other JSON error is reported with
//!    its line and column: YAML would accept too much broken JSON (`{"id": }` is a valid YAML
//!    map), so the fallback is limited to that one case. YAML merge keys (`<<`) are applied
//!    (a `<<` whose value is not a map or a list of maps is an ordinary key);
//!    YAML tags are dropped; scalar map keys become strings.
//! 2. **Shape.** A blank document (or `null`) is [`Error::Empty`]; anything but an object is
//!    [`Error::NotAnObject`].
//! 3. **Format.** The caller's, else [`crate::detect::detect`].
//! 4. **Keys.** For Hyper, v1beta1 and pod-controller documents, keys are renamed to the wire
//!    types' spelling when they match ASCII-case-insensitively (exact match preferred; when two
//!    keys name the same field the last one wins, as in Go, with a warning). Kubernetes v1 keys
//!    are case-sensitive. Unknown keys are kept (serde ignores them) and reported as
//!    [`WarningKind::UnknownField`], or [`WarningKind::UnsupportedField`] for Kubernetes fields we
//!    know but do not model (`securityContext`, `nodeSelector`, ...).
//! 5. **Types.** Deserialization through `serde_path_to_error`. A value of the wrong type is a
//!    [`TypeError`] with its path; the parser then sets that value aside and goes on, so one
//!    [`Error::Type`] lists every type error of the document (at most 100).
//!
//! Paths in warnings use the keys as the user typed them; paths in type errors use the format's
//! canonical names (after step 4), with map keys in brackets (`labels[app]`).
//!
//! # Examples
//!
//! ```
//! use podspec::{Format, parse, wire::Document};
//! let parsed = parse("id: web\ncontainers:\n  - image: busybox\n    readonly: true\n    colour: red\n",
//!                    None).unwrap();
//! let Document::Hyper(pod) = &parsed.document else { panic!() };
//! assert_eq!(pod.containers.as_ref().unwrap()[0].read_only, Some(true));
//! assert_eq!(parsed.warnings[0].to_string(), "containers[0].colour: unknown field `colour`; ignored");
//! ```

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{JsonKind, Location, TypeError};
use crate::wire::{Document, keys};
use crate::{BadValue, Error, FieldPath, Format};

/// serde_json's message for a trailing comma, the one JSON error read again as YAML.
const TRAILING_COMMA: &str = "trailing comma";

/// The most type errors one [`Error::Type`] lists.
const MAX_TYPE_ERRORS: usize = 100;

/// A parsed document and what the parser noticed on the way.
///
/// # Examples
///
/// ```
/// let p = podspec::parse(r#"{"apiVersion": "v1", "kind": "Pod"}"#, None).unwrap();
/// assert_eq!(p.document.format(), podspec::Format::K8s);
/// assert!(p.warnings.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// The document.
    pub document: Document,
    /// Unknown fields, repeated keys, JSON read as YAML.
    pub warnings: Vec<Warning>,
}

/// What kind of thing a [`Warning`] reports.
///
/// # Examples
///
/// ```
/// let w = podspec::parse(r#"{"colour": 1}"#, None).unwrap().warnings;
/// assert_eq!(w[0].kind, podspec::WarningKind::UnknownField);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum WarningKind {
    /// A key that names no field of the format; ignored.
    UnknownField,
    /// A Kubernetes field we know but do not model; ignored.
    UnsupportedField,
    /// A key that names a field another key already set (keys that match case-insensitively).
    DuplicateKey,
    /// The text looked like JSON but is not valid JSON; it was read as YAML.
    NotJson,
}

/// Something the parser accepted but the user should hear about.
///
/// `Display` is `path: message` (just `message` at the root).
///
/// # Examples
///
/// ```
/// let p = podspec::parse(r#"{"resource": {"vcpu": 1, "cpus": 2}}"#, None).unwrap();
/// assert_eq!(p.warnings[0].field.to_string(), "resource.cpus");
/// assert_eq!(p.warnings[0].to_string(), "resource.cpus: unknown field `cpus`; ignored");
/// let json = serde_json::to_value(&p.warnings[0]).unwrap();
/// assert_eq!(json["kind"], "unknownField");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Warning {
    /// Where, in the keys the user typed.
    pub field: FieldPath,
    /// What kind of warning.
    pub kind: WarningKind,
    /// The message.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_root() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// Parses a pod document (JSON or YAML) of the given format, or of the detected one.
///
/// # Errors
///
/// [`Error::JsonSyntax`] / [`Error::YamlSyntax`] with the position, [`Error::Empty`],
/// [`Error::NotAnObject`], [`Error::Type`] with every type error and its path,
/// [`Error::NotJson`] for YAML values JSON cannot hold.
///
/// # Examples
///
/// ```
/// use podspec::{Error, Format, parse};
/// let p = parse(r#"{"apiVersion": "V1beta1", "kind": "Pod", "spec": {}}"#, None).unwrap();
/// assert_eq!(p.document.format(), Format::K8sV1beta1);
/// // The caller can force a format.
/// let p = parse(r#"{"containers": []}"#, Some(Format::PodController)).unwrap();
/// assert_eq!(p.document.format(), Format::PodController);
/// let e = parse("{\"id\": 1}", None).unwrap_err();
/// assert!(matches!(e, Error::Type { format: Format::Hyper, .. }));
/// ```
pub fn parse(text: &str, format: Option<Format>) -> Result<Parsed, Error> {
    if let Some(parsed) = crate::wire::fast::parse(text, format) {
        #[cfg(debug_assertions)]
        debug_assert_eq!(
            Some(&parsed),
            pipeline(text, format).ok().as_ref(),
            "single pass and pipeline differ on {text:?}"
        );
        return Ok(parsed);
    }
    pipeline(text, format)
}

/// Steps 1 to 5 as specified, through a `serde_json::Value`.
pub(crate) fn pipeline(text: &str, format: Option<Format>) -> Result<Parsed, Error> {
    normalize(text, format)?.into_parsed()
}

/// Parses an already decoded document (steps 2 to 5 of [`parse`]).
///
/// # Errors
///
/// As [`parse`], less the syntax errors.
///
/// # Examples
///
/// ```
/// use podspec::{Format, parse_value};
/// let p = parse_value(serde_json::json!({"initContainers": []}), None).unwrap();
/// assert_eq!(p.document.format(), Format::PodController);
/// assert!(parse_value(serde_json::json!(null), None).is_err());
/// ```
pub fn parse_value(value: Value, format: Option<Format>) -> Result<Parsed, Error> {
    normalize_value(value, format, Vec::new())?.into_parsed()
}

/// A document after steps 1 to 4 of [`parse`]: decoded, its format known, its keys normalized,
/// not yet typed. This is the value the format's JSON Schema ([`crate::schema`]) describes.
///
/// # Examples
///
/// ```
/// let n = podspec::normalize(r#"{"RESOURCE": {"VCPU": 2}}"#, None).unwrap();
/// assert_eq!(n.format, podspec::Format::Hyper);
/// assert_eq!(n.value, serde_json::json!({"resource": {"vcpu": 2}}));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Normalized {
    /// The document, keys in the format's spelling.
    pub value: Value,
    /// The format (the caller's or the detected one).
    pub format: Format,
    /// Warnings so far.
    pub warnings: Vec<Warning>,
}

impl Normalized {
    /// Step 5 of [`parse`]: the typed document.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] with every type error.
    ///
    /// # Examples
    ///
    /// ```
    /// let n = podspec::normalize("id: x", None).unwrap();
    /// assert_eq!(n.into_parsed().unwrap().document.format(), podspec::Format::Hyper);
    /// ```
    pub fn into_parsed(self) -> Result<Parsed, Error> {
        let Self {
            value,
            format,
            warnings,
        } = self;
        let document = match format {
            Format::Hyper => Document::Hyper(typed(format, value)?),
            Format::K8s => Document::K8s(typed(format, value)?),
            Format::K8sV1beta1 => Document::K8sV1beta1(typed(format, value)?),
            Format::PodController => Document::PodController(typed(format, value)?),
        };
        Ok(Parsed { document, warnings })
    }
}

/// Steps 1 to 4 of [`parse`]: decode, check the shape, pick the format, normalize the keys.
///
/// # Errors
///
/// As [`parse`], less the type errors.
///
/// # Examples
///
/// ```
/// let n = podspec::normalize("apiVersion: v1\nkind: Pod\nspec: {Containers: []}\n", None)
///     .unwrap();
/// assert_eq!(n.format, podspec::Format::K8s);
/// // Kubernetes keys are case-sensitive: `Containers` stays, and is reported.
/// assert_eq!(n.warnings[0].field.to_string(), "spec.Containers");
/// ```
pub fn normalize(text: &str, format: Option<Format>) -> Result<Normalized, Error> {
    let mut warnings = Vec::new();
    let value = to_value(text, &mut warnings)?;
    normalize_value(value, format, warnings)
}

fn normalize_value(
    mut value: Value,
    format: Option<Format>,
    mut warnings: Vec<Warning>,
) -> Result<Normalized, Error> {
    match &value {
        Value::Null => return Err(Error::Empty),
        Value::Object(_) => {}
        other => {
            return Err(Error::NotAnObject {
                found: JsonKind::of(other),
            });
        }
    }
    let format = format.unwrap_or_else(|| crate::detect::detect(&value).format);
    keys::normalize(format, &mut value, &mut warnings);
    Ok(Normalized {
        value,
        format,
        warnings,
    })
}

/// Serializes a document as pretty JSON, leaving absent fields out.
///
/// # Errors
///
/// None in practice (every map key is a string); the serializer's error otherwise.
///
/// # Examples
///
/// ```
/// let p = podspec::parse("id: web", None).unwrap();
/// assert_eq!(podspec::to_json(&p.document).unwrap(), "{\n  \"id\": \"web\"\n}");
/// ```
pub fn to_json(document: &Document) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(document)
}

/// Serializes a document as YAML, leaving absent fields out.
///
/// # Errors
///
/// None in practice; the serializer's error otherwise.
///
/// # Examples
///
/// ```
/// let p = podspec::parse(r#"{"id": "web"}"#, None).unwrap();
/// assert_eq!(podspec::to_yaml(&p.document).unwrap(), "id: web\n");
/// ```
pub fn to_yaml(document: &Document) -> Result<String, serde_yaml::Error> {
    serde_yaml::to_string(document)
}

/// Step 1: text to a JSON value.
fn to_value(text: &str, warnings: &mut Vec<Warning>) -> Result<Value, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.trim_start().chars().next();
    if !matches!(first, Some('{' | '[')) {
        return from_yaml(text);
    }
    let json_err = match serde_json::from_str::<Value>(text) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    let (location, message) = json_position(&json_err);
    let yaml = if message == TRAILING_COMMA {
        from_yaml(text)
    } else {
        Err(Error::Empty)
    };
    match yaml {
        Ok(v) => {
            warnings.push(Warning {
                field: FieldPath::root(),
                kind: WarningKind::NotJson,
                message: format!(
                    "not valid JSON ({message}{}); read as YAML",
                    location.map(|l| format!(" at {l}")).unwrap_or_default()
                ),
            });
            Ok(v)
        }
        Err(_) => Err(Error::JsonSyntax {
            location,
            message,
            source: json_err,
        }),
    }
}

/// serde_json's position (1-based; `None` when it has none) and its message without it.
fn json_position(e: &serde_json::Error) -> (Option<Location>, String) {
    let text = e.to_string();
    if e.line() == 0 {
        return (None, text);
    }
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
    let location = Location {
        line: e.line(),
        column: e.column().max(1),
    };
    (Some(location), message)
}

fn from_yaml(text: &str) -> Result<Value, Error> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let location = e.location().map(|l| Location {
            line: l.line(),
            column: l.column(),
        });
        let full = e.to_string();
        let message = match e.location() {
            Some(l) => {
                let suffix = format!(" at line {} column {}", l.line(), l.column());
                match full.find(&suffix) {
                    Some(i) => format!("{}{}", &full[..i], &full[i + suffix.len()..]),
                    None => full,
                }
            }
            None => full,
        };
        Error::YamlSyntax {
            location,
            message,
            source: e,
        }
    })?;
    yaml_to_json(yaml, &FieldPath::root())
}

fn yaml_to_json(yaml: serde_yaml::Value, path: &FieldPath) -> Result<Value, Error> {
    use serde_yaml::Value as Y;
    let not_json = |message: String| Error::NotJson {
        field: path.clone(),
        message,
    };
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| not_json(format!("`{n}` is not a JSON number")))?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| yaml_to_json(v, &path.index(i)))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            let mut merged = Vec::new();
            for (k, v) in map {
                // A merge key (`<<: *anchor`, or a list of them) whose value is a map, or a list
                // of maps, merges those maps' entries; the map's own keys win. Any other `<<` is
                // an ordinary key.
                if k.as_str() == Some("<<") {
                    match v {
                        Y::Mapping(_) => {
                            merged.push(yaml_to_json(v, path)?);
                            continue;
                        }
                        Y::Sequence(items) if items.iter().all(Y::is_mapping) => {
                            for item in items {
                                merged.push(yaml_to_json(item, path)?);
                            }
                            continue;
                        }
                        other => {
                            let child = path.field("<<");
                            out.insert("<<".to_owned(), yaml_to_json(other, &child)?);
                            continue;
                        }
                    }
                }
                let key = match k {
                    Y::String(s) => s,
                    Y::Null => "null".to_owned(),
                    Y::Bool(b) => b.to_string(),
                    Y::Number(n) => n.to_string(),
                    Y::Tagged(t) => match t.value {
                        Y::String(s) => s,
                        _ => return Err(not_json("a map key must be a string".to_owned())),
                    },
                    Y::Sequence(_) | Y::Mapping(_) => {
                        return Err(not_json("a map key must be a string".to_owned()));
                    }
                };
                let child = path.field(key.clone());
                out.insert(key, yaml_to_json(v, &child)?);
            }
            for m in merged {
                if let Value::Object(m) = m {
                    for (k, v) in m {
                        out.entry(k).or_insert(v);
                    }
                }
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(t.value, path)?,
    })
}

/// Step 5: deserialize, collecting every type error.
fn typed<T: DeserializeOwned>(format: Format, mut value: Value) -> Result<T, Error> {
    let mut errors: Vec<TypeError> = keys::struct_lists(format, &mut value)
        .into_iter()
        .map(|field| {
            let source = <serde_json::Error as serde::de::Error>::invalid_type(
                serde::de::Unexpected::Seq,
                &"an object",
            );
            TypeError {
                field,
                expected: Some("an object".to_owned()),
                found: None,
                message: source.to_string(),
                source,
            }
        })
        .collect();
    loop {
        match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(t) if errors.is_empty() => return Ok(t),
            Ok(_) => break,
            Err(e) => {
                let path = e.path().clone();
                let source = e.into_inner();
                let field = keys::field_path(format, &path);
                let found = lookup(&value, &path).and_then(bad_value);
                let message = source.to_string();
                errors.push(TypeError {
                    expected: expected(&message),
                    found,
                    field,
                    message,
                    source,
                });
                if errors.len() >= MAX_TYPE_ERRORS || !set_aside(format, &mut value, &path) {
                    break;
                }
            }
        }
    }
    Err(Error::Type { format, errors })
}

fn lookup<'a>(value: &'a Value, path: &serde_path_to_error::Path) -> Option<&'a Value> {
    use serde_path_to_error::Segment as S;
    path.iter().try_fold(value, |v, seg| match seg {
        S::Seq { index } => v.get(*index),
        S::Map { key } => v.get(key),
        _ => None,
    })
}

/// Removes the value at `path` (or, in a list, replaces it with a well-typed placeholder) so that
/// deserialization can go on. `false` when nothing could be set aside.
fn set_aside(format: Format, value: &mut Value, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment as S;
    let segments: Vec<&S> = path.iter().collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut parent = &mut *value;
    for seg in parents {
        let next = match seg {
            S::Seq { index } => parent.get_mut(*index),
            S::Map { key } => parent.get_mut(key.as_str()),
            _ => None,
        };
        match next {
            Some(n) => parent = n,
            None => return false,
        }
    }
    match last {
        S::Map { key } => parent
            .as_object_mut()
            .and_then(|m| m.shift_remove(key.as_str()))
            .is_some(),
        S::Seq { index } => match (keys::placeholder(format, path), parent.get_mut(*index)) {
            (Some(p), Some(slot)) if *slot != p => {
                *slot = p;
                true
            }
            _ => false,
        },
        _ => false,
    }
}

fn bad_value(v: &Value) -> Option<BadValue> {
    match v {
        Value::String(s) => Some(BadValue::Str(s.clone())),
        Value::Bool(b) => Some(BadValue::Bool(*b)),
        Value::Number(n) => n.as_i64().map(BadValue::Int),
        _ => None,
    }
}

/// The expected type from serde's `..., expected X` message, in words.
fn expected(message: &str) -> Option<String> {
    let (_, exp) = message.rsplit_once(", expected ")?;
    Some(
        match exp {
            "i32" => "an integer (int32)",
            "i64" => "an integer (int64)",
            "u32" => "a non-negative integer (uint32)",
            "u64" => "a non-negative integer (uint64)",
            "a boolean" => "a boolean",
            "a string" => "a string",
            "a sequence" => "a list",
            "a map" => "an object",
            other => match other.strip_prefix("struct ") {
                Some(_) => "an object",
                None => return Some(other.to_owned()),
            },
        }
        .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_words() {
        assert_eq!(
            expected("invalid type: string \"1\", expected i32").as_deref(),
            Some("an integer (int32)")
        );
        assert_eq!(
            expected("invalid type: integer `1`, expected struct Resource").as_deref(),
            Some("an object")
        );
        assert_eq!(expected("missing field `x`"), None);
    }

    #[test]
    fn bom_is_skipped() {
        assert!(parse("\u{feff}{\"id\": \"x\"}", None).is_ok());
    }

    #[test]
    fn yaml_int_keys_become_strings() {
        let p = parse("labels:\n  1: one\n", None).unwrap();
        let Document::Hyper(pod) = p.document else {
            panic!()
        };
        assert_eq!(pod.labels.unwrap()["1"], "one");
    }

    #[test]
    fn yaml_nan_is_not_json() {
        let e = parse("resource:\n  vcpu: .nan\n", None).unwrap_err();
        assert!(matches!(e, Error::NotJson { .. }), "{e}");
        assert_eq!(e.to_string(), "resource.vcpu: `.nan` is not a JSON number");
    }

    #[test]
    fn yaml_merge_keys_apply() {
        let text = "base: &b {image: busybox}\ncontainers:\n  - <<: *b\n    name: c\n";
        let p = parse(text, Some(Format::Hyper)).unwrap();
        let Document::Hyper(pod) = p.document else {
            panic!()
        };
        assert_eq!(pod.containers.unwrap()[0].image.as_deref(), Some("busybox"));
    }

    #[test]
    fn a_list_is_not_an_object() {
        let e = parse(
            r#"{"log": ["json-file", {}], "containers": [["busybox"]]}"#,
            None,
        )
        .unwrap_err();
        let fe = e.field_errors();
        let paths: Vec<String> = fe.iter().map(|f| f.field.to_string()).collect();
        assert_eq!(paths, ["log", "containers[0]"]);
        assert_eq!(fe[0].to_string(), "log: Invalid value: expected an object");
    }

    #[test]
    fn a_merge_key_with_a_scalar_is_an_ordinary_key() {
        let p = parse("labels:\n  '<<': x\n  a: b\n", None).unwrap();
        let Document::Hyper(pod) = p.document else {
            panic!()
        };
        let labels = pod.labels.unwrap();
        assert_eq!((labels["<<"].as_str(), labels["a"].as_str()), ("x", "b"));
    }

    #[test]
    fn own_keys_win_over_merged_ones() {
        let text =
            "base: &b {image: busybox, name: base}\ncontainers:\n  - <<: [*b]\n    name: c\n";
        let p = parse(text, Some(Format::Hyper)).unwrap();
        let Document::Hyper(pod) = p.document else {
            panic!()
        };
        let c = &pod.containers.unwrap()[0];
        assert_eq!(
            (c.name.as_deref(), c.image.as_deref()),
            (Some("c"), Some("busybox"))
        );
    }

    #[test]
    fn type_errors_in_lists_are_all_found() {
        let e = parse(r#"{"containers": [1, {"tty": "x"}, "y"]}"#, None).unwrap_err();
        let paths: Vec<String> = e
            .field_errors()
            .iter()
            .map(|f| f.field.to_string())
            .collect();
        assert_eq!(
            paths,
            ["containers[0]", "containers[1].tty", "containers[2]"]
        );
    }
}
