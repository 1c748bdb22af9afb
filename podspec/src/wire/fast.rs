//! The single-pass parser behind [`crate::parse()`], for documents without surprises.
//!
//! [`crate::parse()`] is specified as a pipeline over a `serde_json::Value` (see
//! [`crate::parse`](mod@crate::parse)). This module reaches the same result without the `Value`
//! for the common cases, by one of two routes, and returns `None` (the caller then runs the
//! pipeline) whenever it could differ from it.
//!
//! **Plain pass** ([`super::plain`]), for Kubernetes v1 JSON (the caller's format, or the text's
//! guess): `serde_json` straight into the wire type with the derive, no wrapper, checked
//! afterwards by counting keys and lists in the text and in the result. When the count cannot
//! vouch for the result (an unknown key, a null field, a list where a struct is expected, a
//! repeated map key, a `:` or `[` in a string of a text with escapes), or the derive fails (a
//! type error, a struct key given twice), or the typed root is not detected as Kubernetes v1,
//! the wrapper pass decides. YAML has no plain pass: `serde_yaml` reads a plain `80` or `true`
//! as a string where the pipeline has a number or a boolean, and a YAML text's keys cannot be
//! counted without parsing it (`:` in plain scalars, comments, block scalars).
//!
//! **Wrapper pass**, for every format and both syntaxes: the text is deserialized straight into
//! the format's wire type through a deserializer wrapper that
//!
//! - renames keys ASCII-case-insensitively to the struct's field names (formats that fold keys),
//!   exact match preferred, the first field in declaration order otherwise (the schema's
//!   `properties` are those fields in that order, so this is the walker's rule);
//! - reports unknown keys as warnings, in the walker's order (an object's own unknown keys before
//!   those found inside its fields);
//! - records, at the root, what format detection looks at.
//!
//! It gives up (the pipeline decides) on any type error, a list where a struct is expected, a
//! key set twice (Go's last-one-wins, with a warning, or YAML's duplicate entry error), a
//! pod-controller shape that detection decides from the containers, and for YAML anything the
//! JSON conversion treats specially (merge keys `<<`, tags or any `!`, non-string keys, NaN and
//! infinities, plain scalars that could resolve to null, a boolean or a number where a string is
//! read). YAML scalars other than strings are read through `deserialize_any`, so they take the
//! JSON type the conversion would give them. The pipeline is the specification: debug builds run
//! it after every single-pass answer and assert both are equal, and tests compare both on every
//! fixture.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess,
    Visitor,
};

use crate::parse::{Parsed, Warning};
use crate::wire::{Document, hyper, k8s, keys, plain, podctl, v1beta1};
use crate::{FieldPath, Format, Segment};

/// Parses `text` in one pass, or `None` when the full pipeline must decide.
pub(crate) fn parse(text: &str, format: Option<Format>) -> Option<Parsed> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let yaml = match text.trim_start().as_bytes().first() {
        Some(b'{') => false,
        Some(b'[') | None => return None,
        // YAML tags (`!!str`, `!x`) are left to the pipeline, which drops them.
        Some(_) if has_byte(text, b'!') => return None,
        Some(_) => true,
    };
    if let Some(f) = format {
        if f == Format::K8s
            && !yaml
            && let Some(parsed) = plain::k8s_json(text, false)
        {
            return Some(parsed);
        }
        return document(text, yaml, f).map(|(p, _)| p);
    }
    let guess = guess(text);
    if guess == Format::K8s
        && !yaml
        && let Some(parsed) = plain::k8s_json(text, true)
    {
        return Some(parsed);
    }
    let (parsed, root) = document(text, yaml, guess)?;
    let detected = match root.detected() {
        Some(f) => f,
        // Rules 6 (containers with an OCI `spec`) and 7: without any `spec` key it is Hyper.
        None if !contains_ignore_case(text, "spec") => Format::Hyper,
        None => return None,
    };
    if detected == guess {
        Some(parsed)
    } else {
        document(text, yaml, detected).map(|(p, _)| p)
    }
}

/// Whether `text` contains `byte`.
fn has_byte(text: &str, byte: u8) -> bool {
    memchr::memchr(byte, text.as_bytes()).is_some()
}

/// Where the first `apiVersion` is: found by its capital `V`, rare in pod files, with no
/// searcher to set up (the key is usually within the first few lines).
fn find_api_version(text: &str) -> Option<usize> {
    const KEY: &[u8] = b"apiVersion";
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'V', bytes).find_map(|v| {
        let start = v.checked_sub(3)?;
        (bytes.get(start..start + KEY.len()) == Some(KEY)).then_some(start)
    })
}

/// A first guess at the format from the text, to be confirmed by the root's keys.
fn guess(text: &str) -> Format {
    if let Some(i) = find_api_version(text) {
        // The value follows the key.
        let after = text.get(i..).unwrap_or_default();
        let value = after.get(..after.len().min(40)).unwrap_or(after);
        // Most values have no `b` at all (looked for up to the line's or the entry's end): no
        // need to compare windows.
        let has_b = value
            .bytes()
            .take_while(|&b| b != b'\n' && b != b',')
            .any(|b| b | 0x20 == b'b');
        if has_b && contains_ignore_case(value, "v1beta1") {
            Format::K8sV1beta1
        } else {
            Format::K8s
        }
    } else if text.contains("desiredState") {
        Format::K8sV1beta1
    } else if text.contains("kind") || text.contains("metadata") {
        Format::K8s
    } else if text.contains("initContainers") {
        Format::PodController
    } else {
        Format::Hyper
    }
}

fn contains_ignore_case(text: &str, needle: &str) -> bool {
    text.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn document(text: &str, yaml: bool, format: Format) -> Option<(Parsed, RootInfo)> {
    let mut st = State {
        text,
        yaml,
        fold: format != Format::K8s,
        format,
        depth: 0,
        frames: Vec::new(),
        warnings: Vec::new(),
        root: RootInfo::default(),
        keys: String::new(),
        spans: Vec::new(),
    };
    let document = match format {
        Format::Hyper => Document::Hyper(typed::<hyper::Pod>(text, &mut st)?),
        Format::K8s => Document::K8s(typed::<k8s::Pod>(text, &mut st)?),
        Format::K8sV1beta1 => Document::K8sV1beta1(typed::<v1beta1::Pod>(text, &mut st)?),
        Format::PodController => Document::PodController(typed::<podctl::PodSpec>(text, &mut st)?),
    };
    let parsed = Parsed {
        document,
        warnings: st.warnings,
    };
    Some((parsed, st.root))
}

fn typed<'t, T: DeserializeOwned>(text: &'t str, st: &mut State<'t>) -> Option<T> {
    if st.yaml {
        let de = serde_yaml::Deserializer::from_str(text);
        T::deserialize(De::new(de, st, &Path::Root)).ok()
    } else {
        let mut de = serde_json::Deserializer::from_str(text);
        let t = T::deserialize(De::new(&mut de, st, &Path::Root)).ok()?;
        de.end().ok()?;
        Some(t)
    }
}

/// What detection needs from the root object (see [`crate::detect`]).
#[derive(Default)]
struct RootInfo {
    /// A key `apiVersion` in any case.
    api_version: bool,
    /// The exact `apiVersion` key's value: whether it is a string equal to `v1beta1` in any case.
    api_exact: Option<bool>,
    /// The same for the first key matching `apiVersion` only case-insensitively.
    api_folded: Option<bool>,
    desired_state: bool,
    kind: bool,
    spec_or_metadata: bool,
    init_containers: bool,
}

impl RootInfo {
    fn key(&mut self, key: &str) -> Capture {
        // Keys as Kubernetes spells them first: one length check and one comparison each.
        match key {
            "apiVersion" => {
                self.api_version = true;
                self.api_exact = Some(false);
                return Capture::Exact;
            }
            "kind" => self.kind = true,
            "spec" | "metadata" => self.spec_or_metadata = true,
            _ => return self.folded_key(key),
        }
        Capture::No
    }

    /// [`Self::key`] for keys not spelled as Kubernetes does: case-insensitive comparisons.
    fn folded_key(&mut self, key: &str) -> Capture {
        let is = |name: &str| key.eq_ignore_ascii_case(name);
        if is("apiVersion") {
            self.api_version = true;
            if self.api_folded.is_none() {
                self.api_folded = Some(false);
                return Capture::Folded;
            }
        } else if is("desiredState") {
            self.desired_state = true;
        } else if is("kind") {
            self.kind = true;
        } else if is("spec") || is("metadata") {
            self.spec_or_metadata = true;
        } else if is("initContainers") {
            self.init_containers = true;
        }
        Capture::No
    }

    /// The format [`crate::detect::detect`] gives, unless it depends on the containers (rules 6
    /// and 7 without an `initContainers` key).
    fn detected(&self) -> Option<Format> {
        let api = if self.api_exact.is_some() {
            self.api_exact
        } else {
            self.api_folded
        };
        Some(if api == Some(true) || self.desired_state {
            Format::K8sV1beta1
        } else if self.api_version || self.kind || self.spec_or_metadata {
            Format::K8s
        } else if self.init_containers {
            Format::PodController
        } else {
            return None;
        })
    }
}

/// Whether a value is the root's `apiVersion`, to be recorded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Capture {
    No,
    Exact,
    Folded,
}

/// Whether a YAML plain scalar could resolve to something other than a string (null, a
/// boolean, an integer or a float) in `serde_yaml`'s conversion. Conservative: `true` for
/// anything starting like a number.
#[inline(always)]
fn may_resolve(v: &str) -> bool {
    match v.as_bytes() {
        // Most keys and strings: one table look-up.
        [first, ..] if !RESOLVE_START[usize::from(*first)] => false,
        [] | [b'~'] => true,
        [b'0'..=b'9' | b'.', ..] => true,
        [b'+' | b'-', b'0'..=b'9' | b'.', ..] => true,
        [b'n' | b'N', _, _, _] => matches!(v, "null" | "Null" | "NULL"),
        [b't' | b'T', _, _, _] => matches!(v, "true" | "True" | "TRUE"),
        [b'f' | b'F', _, _, _, _] => matches!(v, "false" | "False" | "FALSE"),
        _ => false,
    }
}

/// The first bytes of the scalars [`may_resolve`] looks at further.
const RESOLVE_START: [bool; 256] = {
    let mut table = [false; 256];
    let starts = b"~0123456789.+-nNtTfF";
    let mut i = 0;
    while i < starts.len() {
        table[starts[i] as usize] = true;
        i += 1;
    }
    table
};

/// The parse's state. `'t` is the text's lifetime.
struct State<'t> {
    text: &'t str,
    yaml: bool,
    fold: bool,
    format: Format,
    /// How many structs are being read (the root is 1).
    depth: usize,
    /// The structs being read that have warnings so far, innermost last, each with the
    /// warnings of its own keys and those found inside it.
    frames: Vec<Frame>,
    warnings: Vec<Warning>,
    root: RootInfo,
    /// Keys of the YAML maps being read, for the duplicate check (`spans` index into `keys`).
    keys: String,
    spans: Vec<(usize, usize)>,
}

struct Frame {
    depth: usize,
    own: Vec<Warning>,
    unknown: Vec<String>,
    nested: Vec<Warning>,
}

impl State<'_> {
    #[inline]
    fn capture(&mut self, capture: Capture, value: Option<&str>) {
        match capture {
            Capture::No => {}
            Capture::Exact => self.root.api_exact = Some(is_v1beta1(value)),
            Capture::Folded => self.root.api_folded = Some(is_v1beta1(value)),
        }
    }

    /// Whether a YAML scalar handed out as `v` is a string in the JSON conversion too: it cannot
    /// resolve to anything else, or it was quoted. `borrowed` says `v` points into the text
    /// (quoted and plain scalars without escapes or line folding).
    #[inline]
    fn yaml_string(&self, v: &str, borrowed: bool) -> bool {
        !may_resolve(v) || (borrowed && self.quoted(v))
    }

    /// Whether the scalar `v`, a slice of the text, sits between two equal quotes (a plain
    /// scalar never does: it cannot start right after one). Both sides count: an empty value
    /// (YAML's null) can be handed out as an empty slice that merely follows a quoted scalar,
    /// as in `{a:"x"}` (found by the `parse` fuzz target).
    fn quoted(&self, v: &str) -> bool {
        let bytes = self.text.as_bytes();
        let start = self.text.as_ptr() as usize;
        let at = v.as_ptr() as usize;
        if at <= start || at - start + v.len() > bytes.len() {
            return false;
        }
        let (open, close) = (at - start - 1, at - start + v.len());
        matches!(bytes[open], b'\'' | b'"') && bytes.get(close) == Some(&bytes[open])
    }

    /// Records a key of the YAML map whose keys start at `mark`; `false` when it repeats one.
    fn yaml_key(&mut self, mark: usize, key: &str) -> bool {
        if key == "<<" {
            return false;
        }
        let keys = &self.keys;
        if self.spans[mark..].iter().any(|&(s, e)| &keys[s..e] == key) {
            return false;
        }
        let start = self.keys.len();
        self.keys.push_str(key);
        self.spans.push((start, self.keys.len()));
        true
    }

    fn map_start(&self) -> (usize, usize) {
        (self.keys.len(), self.spans.len())
    }

    fn map_end(&mut self, (keys, spans): (usize, usize)) {
        self.keys.truncate(keys);
        self.spans.truncate(spans);
    }

    /// The frame of the innermost struct, made if it has none yet.
    fn frame(&mut self) -> &mut Frame {
        let depth = self.depth;
        if self.frames.last().is_none_or(|f| f.depth != depth) {
            self.frames.push(Frame {
                depth,
                own: Vec::new(),
                unknown: Vec::new(),
                nested: Vec::new(),
            });
        }
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    /// Reports `key`, unknown to the innermost struct whose path is `parent`; `false` when the
    /// single pass must give up (the key was already reported in this struct, or the path runs
    /// through a map).
    fn unknown(&mut self, parent: &Path<'_>, key: &str) -> bool {
        let format = self.format;
        let frame = self.frame();
        if frame.unknown.iter().any(|k| k == key) {
            return false;
        }
        let Some(field) = parent.field_path() else {
            return false;
        };
        let field = field.field(key.to_owned());
        frame.own.push(keys::unknown(format, field, key));
        frame.unknown.push(key.to_owned());
        true
    }

    /// Ends the innermost struct: its warnings go to its parent, in the walker's order (an
    /// object's own unknown keys, then what its fields hold).
    #[inline]
    fn end_struct(&mut self) {
        let depth = self.depth;
        self.depth -= 1;
        if self.frames.last().is_some_and(|f| f.depth == depth) {
            self.pop_frame(depth);
        }
    }

    /// The rare half of [`Self::end_struct`]: the struct that ends at `depth` had warnings.
    #[cold]
    fn pop_frame(&mut self, depth: usize) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let out = if depth <= 1 {
            &mut self.warnings
        } else {
            &mut self.frame().nested
        };
        out.extend(frame.own);
        out.extend(frame.nested);
    }
}

fn is_v1beta1(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.eq_ignore_ascii_case("v1beta1"))
}

/// Where a value is, as a list on the stack.
enum Path<'a> {
    Root,
    /// A struct field, named as in the text (Kubernetes) or as the struct names it (formats
    /// that fold keys).
    Field(&'a Self, &'a str),
    Index(&'a Self, usize),
    /// A map key (its text is not kept: no map of ours holds structs).
    Key,
}

impl Path<'_> {
    /// The path as a [`FieldPath`]; `None` under a map key.
    fn field_path(&self) -> Option<FieldPath> {
        let mut segments = Vec::new();
        let mut here = self;
        loop {
            here = match here {
                Path::Root => break,
                Path::Field(parent, name) => {
                    segments.push(Segment::field((*name).to_owned()));
                    parent
                }
                Path::Index(parent, i) => {
                    segments.push(Segment::Index(*i));
                    parent
                }
                Path::Key => return None,
            };
        }
        let mut path = FieldPath::root();
        for s in segments.into_iter().rev() {
            path.push(s);
        }
        Some(path)
    }
}

fn give_up<E: de::Error>() -> E {
    E::custom("not for the single pass")
}

/// The wrapping deserializer. `'t` is the text's lifetime, the deserializer's `'de`.
struct De<'a, 's, 't, D> {
    de: D,
    st: &'s mut State<'t>,
    path: &'a Path<'a>,
    capture: Capture,
    /// The value of a struct key not yet matched to a field: if its struct ignores it, the key
    /// was unknown (`path` ends with it).
    unmatched: bool,
}

impl<'a, 's, 't, D> De<'a, 's, 't, D> {
    fn new(de: D, st: &'s mut State<'t>, path: &'a Path<'a>) -> Self {
        Self {
            de,
            st,
            path,
            capture: Capture::No,
            unmatched: false,
        }
    }

    #[inline(always)]
    fn vis<V>(self, v: V, fields: Option<&'static [&'static str]>) -> (D, Vis<'a, 's, 't, V>) {
        (
            self.de,
            Vis {
                v,
                st: self.st,
                path: self.path,
                fields,
                capture: self.capture,
            },
        )
    }

    /// Whether a scalar can go straight to the inner deserializer: JSON, and no value to record.
    #[inline(always)]
    fn direct(&self) -> bool {
        !self.st.yaml && self.capture == Capture::No
    }
}

macro_rules! forward {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, Self::Error> {
                if self.direct() {
                    return self.de.$method(visitor);
                }
                let yaml = self.st.yaml;
                let (de, vis) = self.vis(visitor, None);
                if yaml { de.deserialize_any(vis) } else { de.$method(vis) }
            }
        )*
    };
}

impl<'t, D: Deserializer<'t>> Deserializer<'t> for De<'_, '_, 't, D> {
    type Error = D::Error;

    forward! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_bytes deserialize_byte_buf deserialize_unit deserialize_map deserialize_identifier
    }

    fn deserialize_str<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.direct() {
            return self.de.deserialize_string(visitor);
        }
        if self.st.yaml {
            // A string as the JSON conversion would see it, without `deserialize_any`'s
            // resolution of every scalar.
            return self.de.deserialize_str(YamlStr {
                v: visitor,
                st: self.st,
                capture: self.capture,
            });
        }
        let (de, vis) = self.vis(visitor, None);
        de.deserialize_string(vis)
    }

    fn deserialize_seq<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let yaml = self.st.yaml;
        let (de, vis) = self.vis(visitor, None);
        if yaml {
            de.deserialize_any(vis)
        } else {
            de.deserialize_seq(vis)
        }
    }

    fn deserialize_any<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        // JSON values other than structs and lists hold no struct: nothing to look at.
        if self.direct() {
            return self.de.deserialize_any(visitor);
        }
        let (de, vis) = self.vis(visitor, None);
        de.deserialize_any(vis)
    }

    fn deserialize_option<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        // serde_yaml's `deserialize_option` gives `None` for what `deserialize_any` reads as null
        // (tags aside: the single pass refuses YAML with tags).
        let (de, vis) = self.vis(visitor, None);
        de.deserialize_option(vis)
    }

    fn deserialize_unit_struct<V: Visitor<'t>>(
        self,
        _: &'static str,
        _: V,
    ) -> Result<V::Value, Self::Error> {
        Err(give_up())
    }

    fn deserialize_newtype_struct<V: Visitor<'t>>(
        self,
        _: &'static str,
        _: V,
    ) -> Result<V::Value, Self::Error> {
        Err(give_up())
    }

    fn deserialize_tuple<V: Visitor<'t>>(self, _: usize, _: V) -> Result<V::Value, Self::Error> {
        Err(give_up())
    }

    fn deserialize_tuple_struct<V: Visitor<'t>>(
        self,
        _: &'static str,
        _: usize,
        _: V,
    ) -> Result<V::Value, Self::Error> {
        Err(give_up())
    }

    fn deserialize_struct<V: Visitor<'t>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let yaml = self.st.yaml;
        let (de, vis) = self.vis(visitor, Some(fields));
        if yaml {
            de.deserialize_any(vis)
        } else {
            de.deserialize_struct(name, fields, vis)
        }
    }

    fn deserialize_enum<V: Visitor<'t>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Self::Error> {
        Err(give_up())
    }

    fn deserialize_ignored_any<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.unmatched {
            // The struct ignores this key's value: the key names none of its fields.
            let Path::Field(parent, key) = self.path else {
                return Err(give_up());
            };
            if !self.st.unknown(parent, key) {
                return Err(give_up());
            }
        }
        if self.direct() {
            return self.de.deserialize_ignored_any(visitor);
        }
        self.de.deserialize_any(Ignore {
            st: self.st,
            capture: self.capture,
        })?;
        visitor.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// A YAML string: passed on when the JSON conversion has a string there too.
struct YamlStr<'s, 't, V> {
    v: V,
    st: &'s mut State<'t>,
    capture: Capture,
}

impl<'t, V: Visitor<'t>> Visitor<'t> for YamlStr<'_, 't, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.v.expecting(f)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'t str) -> Result<Self::Value, E> {
        if !self.st.yaml_string(v, true) {
            return Err(give_up());
        }
        self.st.capture(self.capture, Some(v));
        self.v.visit_borrowed_str(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if !self.st.yaml_string(v, false) {
            return Err(give_up());
        }
        self.st.capture(self.capture, Some(v));
        self.v.visit_str(v)
    }
}

/// The wrapping visitor. `fields` is set when a struct is expected.
struct Vis<'a, 's, 't, V> {
    v: V,
    st: &'s mut State<'t>,
    path: &'a Path<'a>,
    fields: Option<&'static [&'static str]>,
    capture: Capture,
}

impl<V> Vis<'_, '_, '_, V> {
    fn not_string(&mut self) {
        self.st.capture(self.capture, None);
    }
}

macro_rules! scalar {
    ($($method:ident($ty:ty))*) => {
        $(
            fn $method<E: de::Error>(mut self, v: $ty) -> Result<Self::Value, E> {
                self.not_string();
                self.v.$method(v)
            }
        )*
    };
}

impl<'t, V: Visitor<'t>> Visitor<'t> for Vis<'_, '_, 't, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.v.expecting(f)
    }

    scalar! {
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64)
        visit_i128(i128) visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64)
        visit_u128(u128) visit_char(char)
    }

    fn visit_f32<E: de::Error>(self, v: f32) -> Result<Self::Value, E> {
        self.visit_f64(f64::from(v))
    }

    fn visit_f64<E: de::Error>(mut self, v: f64) -> Result<Self::Value, E> {
        if !v.is_finite() {
            return Err(give_up());
        }
        self.not_string();
        self.v.visit_f64(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.st.capture(self.capture, Some(v));
        self.v.visit_str(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'t str) -> Result<Self::Value, E> {
        self.st.capture(self.capture, Some(v));
        self.v.visit_borrowed_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        self.st.capture(self.capture, Some(&v));
        self.v.visit_string(v)
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
        Err(give_up())
    }

    fn visit_none<E: de::Error>(mut self) -> Result<Self::Value, E> {
        self.not_string();
        self.v.visit_none()
    }

    fn visit_unit<E: de::Error>(mut self) -> Result<Self::Value, E> {
        self.not_string();
        self.v.visit_unit()
    }

    fn visit_some<D: Deserializer<'t>>(self, d: D) -> Result<Self::Value, D::Error> {
        let de = De {
            de: d,
            st: self.st,
            path: self.path,
            capture: self.capture,
            unmatched: false,
        };
        self.v.visit_some(de)
    }

    fn visit_newtype_struct<D: Deserializer<'t>>(self, _: D) -> Result<Self::Value, D::Error> {
        Err(give_up())
    }

    fn visit_seq<A: SeqAccess<'t>>(mut self, seq: A) -> Result<Self::Value, A::Error> {
        if self.fields.is_some() {
            // A list where a struct is expected: the pipeline reports it.
            return Err(give_up());
        }
        self.not_string();
        self.v.visit_seq(Seq {
            seq,
            st: self.st,
            path: self.path,
            index: 0,
        })
    }

    fn visit_map<A: MapAccess<'t>>(mut self, map: A) -> Result<Self::Value, A::Error> {
        self.not_string();
        match self.fields {
            Some(fields) => {
                self.st.depth += 1;
                // The struct ends when its map says it has no more keys (`Struct` then calls
                // `end_struct`): the value is not moved through here again.
                self.v.visit_map(Struct {
                    map,
                    st: &mut *self.st,
                    path: self.path,
                    fields,
                    pending: Pending::None,
                })
            }
            None => {
                let mark = self.st.map_start();
                let value = self.v.visit_map(Map {
                    map,
                    st: &mut *self.st,
                    mark: mark.1,
                })?;
                self.st.map_end(mark);
                Ok(value)
            }
        }
    }

    fn visit_enum<A: EnumAccess<'t>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(give_up())
    }
}

/// A value's seed, wrapped.
struct Seed<'a, 's, 't, T> {
    seed: T,
    st: &'s mut State<'t>,
    path: &'a Path<'a>,
    capture: Capture,
    unmatched: bool,
}

impl<'t, T: DeserializeSeed<'t>> DeserializeSeed<'t> for Seed<'_, '_, 't, T> {
    type Value = T::Value;

    fn deserialize<D: Deserializer<'t>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.seed.deserialize(De {
            de: d,
            st: self.st,
            path: self.path,
            capture: self.capture,
            unmatched: self.unmatched,
        })
    }
}

struct Seq<'a, 's, 't, A> {
    seq: A,
    st: &'s mut State<'t>,
    path: &'a Path<'a>,
    index: usize,
}

impl<'t, A: SeqAccess<'t>> SeqAccess<'t> for Seq<'_, '_, 't, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'t>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        let path = Path::Index(self.path, self.index);
        self.index += 1;
        self.seq.next_element_seed(Seed {
            seed,
            st: &mut *self.st,
            path: &path,
            capture: Capture::No,
            unmatched: false,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// A map that is not a struct (labels, limits, JSON values).
struct Map<'s, 't, A> {
    map: A,
    st: &'s mut State<'t>,
    mark: usize,
}

impl<'t, A: MapAccess<'t>> MapAccess<'t> for Map<'_, 't, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'t>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        if !self.st.yaml {
            return self.map.next_key_seed(seed);
        }
        self.map.next_key_seed(YamlKeySeed {
            seed,
            st: &mut *self.st,
            mark: self.mark,
        })
    }

    fn next_value_seed<T: DeserializeSeed<'t>>(
        &mut self,
        seed: T,
    ) -> Result<T::Value, Self::Error> {
        let path = Path::Key;
        self.map.next_value_seed(Seed {
            seed,
            st: &mut *self.st,
            path: &path,
            capture: Capture::No,
            unmatched: false,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A YAML map key: a string in the JSON conversion too, not `<<`, not seen before in this map.
struct YamlKeySeed<'s, 't, K> {
    seed: K,
    st: &'s mut State<'t>,
    mark: usize,
}

impl<'t, K: DeserializeSeed<'t>> DeserializeSeed<'t> for YamlKeySeed<'_, 't, K> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'t>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'t, K: DeserializeSeed<'t>> Visitor<'t> for YamlKeySeed<'_, 't, K> {
    type Value = K::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'t str) -> Result<Self::Value, E> {
        if !self.st.yaml_string(key, true) || !self.st.yaml_key(self.mark, key) {
            return Err(give_up());
        }
        self.seed
            .deserialize(de::value::BorrowedStrDeserializer::<E>::new(key))
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        if !self.st.yaml_string(key, false) || !self.st.yaml_key(self.mark, key) {
            return Err(give_up());
        }
        self.seed
            .deserialize(de::value::StrDeserializer::<E>::new(key))
    }
}

/// What the last key of a struct was.
enum Pending<'t> {
    None,
    /// A field of the struct, by its name.
    Field(&'static str, Capture),
    /// A key passed on as it is (Kubernetes keys, which are case-sensitive): a field, or an
    /// unknown key if the struct ignores its value.
    Key(&'t str, Capture),
    Unknown(Capture),
}

/// A struct's map: keys renamed to fields, unknown keys reported.
struct Struct<'a, 's, 't, A> {
    map: A,
    st: &'s mut State<'t>,
    path: &'a Path<'a>,
    fields: &'static [&'static str],
    pending: Pending<'t>,
}

impl<'t, A: MapAccess<'t>> MapAccess<'t> for Struct<'_, '_, 't, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'t>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let key = self.map.next_key_seed(FieldSeed {
            seed,
            st: &mut *self.st,
            path: self.path,
            fields: self.fields,
            pending: &mut self.pending,
        })?;
        if key.is_none() {
            self.st.end_struct();
        }
        Ok(key)
    }

    fn next_value_seed<T: DeserializeSeed<'t>>(
        &mut self,
        seed: T,
    ) -> Result<T::Value, Self::Error> {
        let (path, capture, unmatched) = match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::Field(name, capture) => (Path::Field(self.path, name), capture, false),
            Pending::Key(key, capture) => (Path::Field(self.path, key), capture, true),
            // The value of an unknown key is ignored; no path is needed below it.
            Pending::Unknown(capture) => (Path::Key, capture, false),
            Pending::None => return Err(give_up()),
        };
        self.map.next_value_seed(Seed {
            seed,
            st: &mut *self.st,
            path: &path,
            capture,
            unmatched,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

struct FieldSeed<'a, 's, 't, 'p, K> {
    seed: K,
    st: &'s mut State<'t>,
    path: &'a Path<'a>,
    fields: &'static [&'static str],
    pending: &'p mut Pending<'t>,
}

impl<'t, K: DeserializeSeed<'t>> DeserializeSeed<'t> for FieldSeed<'_, '_, 't, '_, K> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'t>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(FieldName { seed: self })
    }
}

/// Reads a struct key and hands the seed the field's name (or the key, when unknown).
struct FieldName<'a, 's, 't, 'p, K> {
    seed: FieldSeed<'a, 's, 't, 'p, K>,
}

impl<'t, K: DeserializeSeed<'t>> FieldName<'_, '_, 't, '_, K> {
    /// Looks the key up among the struct's fields (folding case when the format does).
    fn lookup<E: de::Error>(self, key: &str) -> Result<K::Value, E> {
        let FieldSeed {
            seed,
            st,
            path,
            fields,
            pending,
        } = self.seed;
        let capture = if matches!(path, Path::Root) {
            st.root.key(key)
        } else {
            Capture::No
        };
        let known = match fields.iter().find(|f| **f == key) {
            Some(f) => Some(*f),
            None if st.fold => fields.iter().find(|f| f.eq_ignore_ascii_case(key)).copied(),
            None => None,
        };
        let name: &str = match known {
            Some(field) => {
                *pending = Pending::Field(field, capture);
                field
            }
            // A struct without fields has no `properties` in its schema: the pipeline does not
            // look inside it.
            None if fields.is_empty() => return Err(give_up()),
            None => {
                if !st.unknown(path, key) {
                    return Err(give_up());
                }
                *pending = Pending::Unknown(capture);
                key
            }
        };
        seed.deserialize(de::value::StrDeserializer::<E>::new(name))
    }
}

impl<'t, K: DeserializeSeed<'t>> Visitor<'t> for FieldName<'_, '_, 't, '_, K> {
    type Value = K::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'t str) -> Result<Self::Value, E> {
        let st = &mut *self.seed.st;
        if st.yaml && (key == "<<" || !st.yaml_string(key, true)) {
            return Err(give_up());
        }
        if st.fold || self.seed.fields.is_empty() {
            return self.lookup(key);
        }
        // Kubernetes: the struct's own field visitor matches the key; the value's
        // `deserialize_ignored_any` tells an unknown key.
        let capture = if matches!(self.seed.path, Path::Root) {
            st.root.key(key)
        } else {
            Capture::No
        };
        *self.seed.pending = Pending::Key(key, capture);
        self.seed
            .seed
            .deserialize(de::value::BorrowedStrDeserializer::<E>::new(key))
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        let st = &*self.seed.st;
        if st.yaml && (key == "<<" || !st.yaml_string(key, false)) {
            return Err(give_up());
        }
        self.lookup(key)
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<Self::Value, E> {
        self.visit_str(&key)
    }
}

/// Reads and drops a value, checking (for YAML) that the JSON conversion would take it as it is,
/// and recording the root's `apiVersion` when asked.
struct Ignore<'s, 't> {
    st: &'s mut State<'t>,
    capture: Capture,
}

impl<'t> Visitor<'t> for Ignore<'_, 't> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.st.capture(self.capture, None);
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.st.capture(self.capture, None);
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.st.capture(self.capture, None);
        Ok(())
    }

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        Err(give_up())
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        Err(give_up())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        if !v.is_finite() {
            return Err(give_up());
        }
        self.st.capture(self.capture, None);
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.st.capture(self.capture, Some(v));
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.st.capture(self.capture, None);
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.st.capture(self.capture, None);
        Ok(())
    }

    fn visit_some<D: Deserializer<'t>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'t>>(self, mut seq: A) -> Result<(), A::Error> {
        self.st.capture(self.capture, None);
        while seq
            .next_element_seed(IgnoreSeed { st: &mut *self.st })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'t>>(self, mut map: A) -> Result<(), A::Error> {
        self.st.capture(self.capture, None);
        let mark = self.st.map_start();
        loop {
            let key = if self.st.yaml {
                map.next_key_seed(YamlKeySeed {
                    seed: std::marker::PhantomData::<de::IgnoredAny>,
                    st: &mut *self.st,
                    mark: mark.1,
                })?
            } else {
                map.next_key::<de::IgnoredAny>()?
            };
            if key.is_none() {
                break;
            }
            map.next_value_seed(IgnoreSeed { st: &mut *self.st })?;
        }
        self.st.map_end(mark);
        Ok(())
    }

    fn visit_enum<A: EnumAccess<'t>>(self, _: A) -> Result<(), A::Error> {
        Err(give_up())
    }
}

struct IgnoreSeed<'s, 't> {
    st: &'s mut State<'t>,
}

impl<'t> DeserializeSeed<'t> for IgnoreSeed<'_, 't> {
    type Value = ();

    fn deserialize<D: Deserializer<'t>>(self, d: D) -> Result<(), D::Error> {
        if !self.st.yaml {
            return d.deserialize_ignored_any(de::IgnoredAny).map(drop);
        }
        d.deserialize_any(Ignore {
            st: self.st,
            capture: Capture::No,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLES: [&str; 5] = [
        include_str!("../../../examples/k8s-web.yaml"),
        include_str!("../../../examples/hyper-busybox.json"),
        include_str!("../../../examples/k8s-v1beta1-2014.json"),
        include_str!("../../../examples/pod-controller.json"),
        include_str!("../../tests/fixtures/hyper-mixed-case.json"),
    ];

    #[test]
    fn has_byte_finds_it_anywhere() {
        for len in [0, 1, 31, 32, 33, 64, 100] {
            let text = "a".repeat(len);
            assert!(!has_byte(&text, b'!'), "{len}");
            for at in 0..len {
                let mut t = text.clone().into_bytes();
                t[at] = b'!';
                let t = String::from_utf8(t).unwrap();
                assert!(has_byte(&t, b'!'), "{len} {at}");
            }
        }
    }

    #[test]
    fn api_version_is_found_near_the_start_or_later() {
        for at in [0, 100, 500, 505, 510, 511, 512, 600, 2000] {
            let text = format!("{}apiVersion: v1", "#".repeat(at));
            assert_eq!(find_api_version(&text), Some(at), "{at}");
        }
        for pad in 500..515 {
            let text = format!("{}\u{e9}\u{e9}apiVersion", "#".repeat(pad));
            assert_eq!(find_api_version(&text), text.find("apiVersion"), "{pad}");
        }
        assert_eq!(find_api_version("kind: Pod"), None);
        assert_eq!(
            find_api_version("V Version xVersion apiVersio apiVersion"),
            Some(29)
        );
        assert_eq!(find_api_version("Version: a\napiVersion: v1"), Some(11));
    }

    #[test]
    fn may_resolve_is_true_for_what_yaml_may_resolve() {
        let resolving = [
            "", "~", "1", "-1", "+1", ".5", "-.5", "1e3", "0x1F", ".inf", "null", "True", "FALSE",
            "Null", "NULL", "true", "TRUE", "false", "False", "+.inf", "-.inf", ".NaN", "0o7",
        ];
        for v in resolving {
            assert!(may_resolve(v), "{v}");
        }
        for v in [
            "-c", "+x", "~x", "nil", "yes", "abc", "t", "falsey", "http", "name", "nulls", "tru",
            "fals", "Falsy", "TRUE!",
        ] {
            assert!(!may_resolve(v), "{v}");
        }
    }

    #[test]
    fn examples_take_the_single_pass() {
        for text in EXAMPLES {
            assert!(parse(text, None).is_some(), "{text}");
        }
    }

    /// The single pass, when it answers, gives exactly what the pipeline gives.
    fn same(text: &str, format: Option<Format>) -> bool {
        let fast = parse(text, format);
        if let Some(p) = &fast {
            assert_eq!(
                Some(p),
                crate::parse::pipeline(text, format).ok().as_ref(),
                "{text}"
            );
        }
        fast.is_some()
    }

    #[test]
    fn agrees_with_the_pipeline_or_declines() {
        let cases: &[(&str, bool)] = &[
            // Repeated keys: Go's last-one-wins with a warning, YAML's error.
            (r#"{"id": "a", "id": "b"}"#, false),
            (r#"{"id": "a", "ID": "b"}"#, false),
            (r#"{"colour": 1, "colour": 2}"#, false),
            (r#"{"colour": 1, "Colour": 2}"#, true),
            (r#"{"labels": {"a": "1", "a": "2"}}"#, true),
            ("labels: {a: '1', a: '2'}\n", false),
            ("colour: 1\ncolour: 2\n", false),
            ("x: {a: 1, a: 2}\n", false),
            // YAML the JSON conversion treats specially.
            (
                "base: &b {image: busybox}\ncontainers:\n  - <<: *b\n",
                false,
            ),
            ("colour: .nan\n", false),
            ("colour: {1: a}\n", false),
            ("labels:\n  1: one\n", false),
            ("id: !!str x\n", false),
            ("id: a\n---\nid: b\n", false),
            ("id: 1\n", false),
            // YAML strings are read without resolving every scalar: quoted or plainly
            // non-numeric ones are strings; plain ones that could be numbers, null or booleans
            // are left to the pipeline.
            (
                "containers:\n  - image: busybox\n    command: ['8080', \"-1\", -c, '']\n",
                true,
            ),
            (
                "containers:\n  - image: busybox\n    command: [8080]\n",
                false,
            ),
            (
                "containers:\n  - image: busybox\n    command: [true]\n",
                false,
            ),
            (
                "containers:\n  - image: busybox\n    command: [-5]\n",
                false,
            ),
            ("id: '1'\nlabels:\n  '1': one\n  \"2\": two\n", true),
            ("id: ~\n", true),
            // An empty (null) value handed out as an empty slice right after a quoted
            // scalar is not a quoted empty string (found by the parse fuzz target).
            ("metadata:\n  annotations: {a:\"x\"}\n", false),
            ("metadata:\n  annotations: {a: \"\", b: ''}\n", true),
            ("id: a\n  b\n", true),
            ("id: |\n  5\n", false),
            ("id: \"a\\tb\"\n", true),
            ("labels:\n  true: x\n", false),
            ("true: 1\n", false),
            // Shapes.
            (r#"{"log": ["json-file", {}]}"#, false),
            ("[1]", false),
            ("", false),
            ("null", false),
            ("x", false),
            (
                r#"{"desiredState": {"manifest": {"restartPolicy": {"always": {"x": 1}}}}}"#,
                false,
            ),
            (
                r#"{"desiredState": {"manifest": {"restartPolicy": {"always": {}}}}}"#,
                true,
            ),
            // Detection.
            (r#"{"APIVERSION": "V1BETA1", "id": "p"}"#, true),
            (r#"{"apiVersion": "v1", "APIVERSION": "v1beta1"}"#, true),
            (r#"{"apiVersion": "v1", "APIVERSION": "v1beta2"}"#, true),
            (r#"{"ApiVersion": 1}"#, true),
            (
                r#"{"kind": "Pod", "spec": {"containers": [{"name": "c", "image": "i"}]}}"#,
                true,
            ),
            (r#"{"Spec": {}}"#, true),
            (r#"{"initContainers": [], "containers": []}"#, true),
            (
                r#"{"containers": [{"name": "c", "spec": {"process": {"args": ["a"]}}}]}"#,
                false,
            ),
            (
                r#"{"containers": [{"image": "busybox", "colour": 1}], "id": "x", "size": 2}"#,
                true,
            ),
            (
                r#"{"desiredState": {"manifest": {"containers": [{"Name": "c"}]}}}"#,
                true,
            ),
            // Warnings, in the walker's order.
            (
                r#"{"a": 1, "containers": [{"b": 2, "resource": {"c": 3}, "d": 4}], "e": 5}"#,
                true,
            ),
            (
                "apiVersion: v1\nkind: Pod\nspec:\n  nodeSelector: {a: b}\n  containers:\n  - name: c\n    image: i\n    securityContext: {}\n  hostNetwork: true\n",
                true,
            ),
            ("RESOURCE: {VCPU: 2, cpus: 1}\n", true),
            // Kubernetes keys go to the struct as they are; an ignored value marks an unknown
            // key, reported where it is.
            (
                r#"{"apiVersion": "v1", "kind": "Pod", "extra": 1, "spec": {"containers": [{"name": "c", "image": "i", "securityContext": {}, "colour": [1]}], "hostNetwork": true}, "status": {"x": {}}}"#,
                true,
            ),
            (r#"{"kind": "Pod", "x": 1, "x": 2}"#, false),
            (r#"{"kind": "Pod", "kind": "Pod"}"#, false),
            (
                r#"{"kind": "Pod", "spec": {"contain\u0065rs": [], "c\u006flour": 1}}"#,
                true,
            ),
            (r#"{"kind": "Pod", "APIVERSION": "v1beta1"}"#, true),
            (
                r#"{"containers": [{"resource": {"x": 1}, "y": 2}, {"z": 3}], "w": 4, "v": {}}"#,
                true,
            ),
        ];
        for (text, single) in cases {
            assert_eq!(same(text, None), *single, "{text}");
        }
        assert!(same(r#"{"containers": []}"#, Some(Format::PodController)));
        assert!(same("metadata: {name: x}\n", Some(Format::Hyper)));
    }
}
