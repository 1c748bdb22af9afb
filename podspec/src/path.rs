//! Field paths in the user's own names: `spec.containers[0].name`.
//!
//! The display format is serde_path_to_error's and Kubernetes' `field.Path`: a `.` between fields,
//! `[i]` for list indices (no dot before it), and `[key]` for map keys, as in
//! `spec.containers[0].resources.limits[cpu]`.

use std::borrow::Cow;
use std::fmt;

/// One step of a [`FieldPath`].
///
/// # Examples
///
/// ```
/// use podspec::Segment;
/// assert_eq!(Segment::field("spec"), Segment::Field("spec".into()));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// An object field, named as the user's format names it (`containers`, `workingDir`).
    Field(Cow<'static, str>),
    /// A position in a list.
    Index(usize),
    /// A key of a map (`labels[app]`, `limits[cpu]`).
    Key(String),
}

impl Segment {
    /// A field segment.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = podspec::Segment::field("name");
    /// assert_eq!(s.to_string(), "name");
    /// ```
    pub fn field(name: impl Into<Cow<'static, str>>) -> Self {
        Self::Field(name.into())
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Field(name) => f.write_str(name),
            Self::Index(i) => write!(f, "[{i}]"),
            Self::Key(k) => write!(f, "[{k}]"),
        }
    }
}

/// A path from the document's root to one value, in the user's own field names.
///
/// Built with the chaining methods [`FieldPath::field`], [`FieldPath::index`] and
/// [`FieldPath::key`], which return a new path and leave the receiver as it was, so one parent
/// path can be extended many times.
///
/// # Examples
///
/// ```
/// use podspec::FieldPath;
///
/// let spec = FieldPath::root().field("spec");
/// let name = spec.field("containers").index(0).field("name");
/// assert_eq!(name.to_string(), "spec.containers[0].name");
/// let cpu = spec.field("resources").field("limits").key("cpu");
/// assert_eq!(cpu.to_string(), "spec.resources.limits[cpu]");
/// assert_eq!(FieldPath::root().to_string(), "");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(Vec<Segment>);

impl FieldPath {
    /// The empty path: the document itself.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(podspec::FieldPath::root().is_root());
    /// ```
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// This path extended by a field.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = podspec::FieldPath::root().field("metadata").field("name");
    /// assert_eq!(p.to_string(), "metadata.name");
    /// ```
    #[must_use]
    pub fn field(&self, name: impl Into<Cow<'static, str>>) -> Self {
        self.with(Segment::Field(name.into()))
    }

    /// This path extended by a list index.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = podspec::FieldPath::root().field("containers").index(2);
    /// assert_eq!(p.to_string(), "containers[2]");
    /// ```
    #[must_use]
    pub fn index(&self, i: usize) -> Self {
        self.with(Segment::Index(i))
    }

    /// This path extended by a map key.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = podspec::FieldPath::root().field("labels").key("app");
    /// assert_eq!(p.to_string(), "labels[app]");
    /// ```
    #[must_use]
    pub fn key(&self, key: impl Into<String>) -> Self {
        self.with(Segment::Key(key.into()))
    }

    /// This path extended by any segment.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::{FieldPath, Segment};
    /// let p = FieldPath::root().with(Segment::Index(1));
    /// assert_eq!(p.to_string(), "[1]");
    /// ```
    #[must_use]
    pub fn with(&self, segment: Segment) -> Self {
        let mut segments = Vec::with_capacity(self.0.len() + 1);
        segments.extend_from_slice(&self.0);
        segments.push(segment);
        Self(segments)
    }

    /// Appends a segment in place.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::{FieldPath, Segment};
    /// let mut p = FieldPath::root();
    /// p.push(Segment::field("spec"));
    /// assert_eq!(p.to_string(), "spec");
    /// ```
    pub fn push(&mut self, segment: Segment) {
        self.0.push(segment);
    }

    /// The segments, root first.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = podspec::FieldPath::root().field("a").index(0);
    /// assert_eq!(p.segments().len(), 2);
    /// ```
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Whether this is the root path.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!podspec::FieldPath::root().field("a").is_root());
    /// ```
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Segment> for FieldPath {
    fn from_iter<I: IntoIterator<Item = Segment>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl From<&serde_path_to_error::Path> for FieldPath {
    /// Converts serde_path_to_error's path (what a type error in the document reports).
    fn from(path: &serde_path_to_error::Path) -> Self {
        use serde_path_to_error::Segment as S;
        path.iter()
            .filter_map(|s| match s {
                S::Seq { index } => Some(Segment::Index(*index)),
                S::Map { key } => Some(Segment::Field(Cow::Owned(key.clone()))),
                S::Enum { variant } => Some(Segment::Field(Cow::Owned(variant.clone()))),
                S::Unknown => None,
            })
            .collect()
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            if i > 0 && matches!(segment, Segment::Field(_)) {
                f.write_str(".")?;
            }
            write!(f, "{segment}")?;
        }
        Ok(())
    }
}

impl serde::Serialize for FieldPath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_after_field_has_no_dot() {
        let p = FieldPath::root().field("containers").index(0).field("name");
        assert_eq!(p.to_string(), "containers[0].name");
    }

    #[test]
    fn leading_index_has_no_dot() {
        let p = FieldPath::root().index(3).field("x");
        assert_eq!(p.to_string(), "[3].x");
    }

    #[test]
    fn map_key_is_bracketed() {
        let p = FieldPath::root().field("limits").key("cpu");
        assert_eq!(p.to_string(), "limits[cpu]");
    }

    #[test]
    fn extending_leaves_parent_unchanged() {
        let parent = FieldPath::root().field("spec");
        let _child = parent.field("containers");
        assert_eq!(parent.to_string(), "spec");
    }

    #[test]
    fn serializes_as_display_string() {
        let p = FieldPath::root().field("spec").field("containers").index(1);
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"spec.containers[1]\"");
    }
}
