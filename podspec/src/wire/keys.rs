//! Key normalization and unknown-field detection, driven by the wire types' JSON Schemas.
//!
//! At each position of a document, the schema of the wire type at that position says which keys
//! are fields (`properties`) and which positions are maps (`additionalProperties`) or lists
//! (`items`). Keys that are fields are renamed to the canonical spelling when they match
//! ASCII-case-insensitively (formats decoded by Go's `encoding/json`); keys that match no field
//! are left in place (serde ignores them) and reported as warnings.

use serde_json::{Map, Value};

use crate::parse::{Warning, WarningKind};
use crate::schema::resolve;
use crate::{FieldPath, Format, Segment};

/// Kubernetes fields we know of but do not model: warned about as unsupported rather than
/// unknown.
const K8S_UNSUPPORTED: &[&str] = &[
    // Pod spec.
    "affinity",
    "automountServiceAccountToken",
    "dnsConfig",
    "ephemeralContainers",
    "hostAliases",
    "hostIPC",
    "hostNetwork",
    "hostPID",
    "hostUsers",
    "imagePullSecrets",
    "nodeName",
    "nodeSelector",
    "os",
    "overhead",
    "preemptionPolicy",
    "priority",
    "priorityClassName",
    "readinessGates",
    "resourceClaims",
    "resources",
    "runtimeClassName",
    "schedulerName",
    "schedulingGates",
    "securityContext",
    "serviceAccount",
    "serviceAccountName",
    "setHostnameAsFQDN",
    "shareProcessNamespace",
    "tolerations",
    "topologySpreadConstraints",
    // Container.
    "envFrom",
    "resizePolicy",
    "volumeDevices",
    "stopSignal",
    // Metadata (set by a cluster).
    "creationTimestamp",
    "deletionGracePeriodSeconds",
    "deletionTimestamp",
    "finalizers",
    "generation",
    "managedFields",
    "ownerReferences",
    "resourceVersion",
    "selfLink",
    "uid",
    // Volume mount.
    "mountPropagation",
    "recursiveReadOnly",
    "subPathExpr",
];

/// Normalizes the keys of `value` (a document of `format`) in place and appends a warning per
/// unknown or repeated key.
pub(crate) fn normalize(format: Format, value: &mut Value, warnings: &mut Vec<Warning>) {
    let root = crate::schema::cached(format);
    let mut walker = Walker {
        root,
        fold: format != Format::K8s,
        format,
        warnings,
    };
    walker.walk(value, root, &FieldPath::root());
}

struct Walker<'a> {
    root: &'static Value,
    fold: bool,
    format: Format,
    warnings: &'a mut Vec<Warning>,
}

impl Walker<'_> {
    fn walk(&mut self, value: &mut Value, schema: &'static Value, path: &FieldPath) {
        let Some(schema) = branch(self.root, schema, value) else {
            return;
        };
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = schema.get("properties") {
                    self.object(map, props, path);
                } else if let Some(add @ Value::Object(_)) = schema.get("additionalProperties") {
                    for (k, v) in map.iter_mut() {
                        self.walk(v, add, &path.key(k.clone()));
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item) = schema.get("items") {
                    for (i, v) in items.iter_mut().enumerate() {
                        self.walk(v, item, &path.index(i));
                    }
                }
            }
            _ => {}
        }
    }

    fn object(
        &mut self,
        map: &mut Map<String, Value>,
        props: &'static Map<String, Value>,
        path: &FieldPath,
    ) {
        let old = std::mem::take(map);
        for (key, v) in old {
            let canonical = if props.contains_key(&key) {
                Some(key.clone())
            } else if self.fold {
                props.keys().find(|p| p.eq_ignore_ascii_case(&key)).cloned()
            } else {
                None
            };
            match canonical {
                Some(c) => {
                    if map.contains_key(&c) {
                        self.warnings.push(Warning {
                            field: path.field(key.clone()),
                            kind: WarningKind::DuplicateKey,
                            message: format!(
                                "`{key}` sets `{c}` again (keys match case-insensitively); \
                                 the last one is used"
                            ),
                        });
                    }
                    map.insert(c, v);
                }
                None => {
                    self.warnings.push(self.unknown(path, &key));
                    map.insert(key, v);
                }
            }
        }
        for (k, v) in map.iter_mut() {
            if let Some(s) = props.get(k) {
                self.walk(v, s, &path.field(k.clone()));
            }
        }
    }

    fn unknown(&self, path: &FieldPath, key: &str) -> Warning {
        unknown(self.format, path.field(key.to_owned()), key)
    }
}

/// The warning for an unknown `key` of a `format` document, at `field` (the path ending in it).
pub(crate) fn unknown(format: Format, field: FieldPath, key: &str) -> Warning {
    let (kind, message) = if format == Format::K8s && K8S_UNSUPPORTED.contains(&key) {
        (
            WarningKind::UnsupportedField,
            format!("field `{key}` is not supported here; ignored"),
        )
    } else {
        (
            WarningKind::UnknownField,
            format!("unknown field `{key}`; ignored"),
        )
    };
    Warning {
        field,
        kind,
        message,
    }
}

/// The schema that applies to `value`: `$ref`s followed, and for `anyOf`/`oneOf` the first
/// branch whose `type` admits the value. `None` when no branch does (the deserializer will report
/// the type error).
fn branch(root: &'static Value, schema: &'static Value, value: &Value) -> Option<&'static Value> {
    let schema = resolve(root, schema);
    match schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        Some(Value::Array(branches)) => branches
            .iter()
            .map(|b| resolve(root, b))
            .find(|b| admits(b, value)),
        _ => Some(schema),
    }
}

/// Whether a schema's `type` admits a value's JSON type (no `type` admits everything).
fn admits(schema: &Value, value: &Value) -> bool {
    let one = |t: &Value| match (t.as_str(), value) {
        (Some("null"), Value::Null)
        | (Some("boolean"), Value::Bool(_))
        | (Some("number"), Value::Number(_))
        | (Some("string"), Value::String(_))
        | (Some("array"), Value::Array(_))
        | (Some("object"), Value::Object(_)) => true,
        (Some("integer"), Value::Number(n)) => n.is_i64() || n.is_u64(),
        _ => false,
    };
    match schema.get("type") {
        None => true,
        Some(Value::Array(ts)) => ts.iter().any(one),
        Some(t) => one(t),
    }
}

/// Finds lists where the schema wants an object (a struct). serde's derived structs also accept
/// a list of the fields' values in order (`"log": ["json-file", {}]`); Go's `encoding/json` and
/// the schema do not, so neither do we. Each such list is replaced by `null` (an optional field)
/// or `{}` (a list item) so that deserialization can go on; the paths are returned in document
/// order.
pub(crate) fn struct_lists(format: Format, value: &mut Value) -> Vec<FieldPath> {
    fn visit(
        root: &'static Value,
        schema: &'static Value,
        value: &mut Value,
        path: &FieldPath,
        out: &mut Vec<FieldPath>,
    ) {
        let resolved = resolve(root, schema);
        if value.is_array() {
            let target = non_null(root, resolved);
            if target.get("properties").is_some() {
                out.push(path.clone());
                *value = if admits(resolved, &Value::Null) || nullable(root, resolved) {
                    Value::Null
                } else {
                    Value::Object(Map::new())
                };
                return;
            }
        }
        let Some(schema) = branch(root, schema, value) else {
            return;
        };
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = schema.get("properties") {
                    for (k, v) in map.iter_mut() {
                        if let Some(s) = props.get(k) {
                            visit(root, s, v, &path.field(k.clone()), out);
                        }
                    }
                } else if let Some(add @ Value::Object(_)) = schema.get("additionalProperties") {
                    for (k, v) in map.iter_mut() {
                        visit(root, add, v, &path.key(k.clone()), out);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item) = schema.get("items") {
                    for (i, v) in items.iter_mut().enumerate() {
                        visit(root, item, v, &path.index(i), out);
                    }
                }
            }
            _ => {}
        }
    }
    let root = crate::schema::cached(format);
    let mut out = Vec::new();
    visit(root, root, value, &FieldPath::root(), &mut out);
    out
}

/// Whether an `anyOf` schema has a `null` branch.
fn nullable(root: &'static Value, schema: &'static Value) -> bool {
    match schema.get("anyOf") {
        Some(Value::Array(bs)) => bs.iter().any(|b| admits_only_null(resolve(root, b))),
        _ => false,
    }
}

fn admits_only_null(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

/// Turns serde_path_to_error's path into a [`FieldPath`], using the schema to tell map keys
/// (`labels[app]`) from fields (`resource.memory`).
pub(crate) fn field_path(format: Format, path: &serde_path_to_error::Path) -> FieldPath {
    use serde_path_to_error::Segment as S;
    let root = crate::schema::cached(format);
    let mut schema = Some(root);
    let mut out = FieldPath::root();
    for seg in path.iter() {
        let here = schema.map(|s| non_null(root, s));
        match seg {
            S::Seq { index } => {
                out.push(Segment::Index(*index));
                schema = here.and_then(|s| s.get("items"));
            }
            S::Map { key } => {
                let props = here.and_then(|s| s.get("properties"));
                let prop = props.and_then(|p| p.get(key));
                match (props, here.and_then(|s| s.get("additionalProperties"))) {
                    (None, Some(add @ Value::Object(_))) => {
                        out.push(Segment::Key(key.clone()));
                        schema = Some(add);
                    }
                    _ => {
                        out.push(Segment::field(key.clone()));
                        schema = prop;
                    }
                }
            }
            S::Enum { variant } => {
                out.push(Segment::field(variant.clone()));
                schema = None;
            }
            S::Unknown => schema = None,
        }
    }
    out
}

/// The schema with `$ref`s followed and, for an `anyOf`, its first branch that is not `null`.
fn non_null(root: &'static Value, schema: &'static Value) -> &'static Value {
    let schema = resolve(root, schema);
    match schema.get("anyOf") {
        Some(Value::Array(branches)) => branches
            .iter()
            .map(|b| resolve(root, b))
            .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))
            .unwrap_or(schema),
        _ => schema,
    }
}

/// A value of the type the schema at `path` describes, to put in place of a value of the wrong
/// type inside a list, so that deserialization can go on and find the next error.
pub(crate) fn placeholder(format: Format, path: &serde_path_to_error::Path) -> Option<Value> {
    use serde_path_to_error::Segment as S;
    let root = crate::schema::cached(format);
    let mut schema = root;
    for seg in path.iter() {
        let here = non_null(root, schema);
        schema = match seg {
            S::Seq { .. } => here.get("items")?,
            S::Map { key } => match here.get("properties") {
                Some(p) => p.get(key)?,
                None => here.get("additionalProperties")?,
            },
            _ => return None,
        };
    }
    let schema = resolve(root, schema);
    let first = |schema: &Value| -> Option<Value> {
        let t = match schema.get("type")? {
            Value::Array(ts) => ts.first()?.as_str()?.to_owned(),
            t => t.as_str()?.to_owned(),
        };
        Some(match t.as_str() {
            "null" => Value::Null,
            "boolean" => Value::Bool(false),
            "integer" | "number" => Value::from(0),
            "string" => Value::String(String::new()),
            "array" => Value::Array(Vec::new()),
            "object" => Value::Object(Map::new()),
            _ => return None,
        })
    };
    match schema.get("anyOf") {
        Some(Value::Array(bs)) => bs.iter().find_map(|b| first(resolve(root, b))),
        _ => first(schema),
    }
}
