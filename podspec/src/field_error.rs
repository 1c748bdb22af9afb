//! Validation errors with a field path and a Kubernetes error type
//! (`k8s.io/apimachinery/pkg/util/validation/field/errors.go`, spec/kubernetes.md section 7).

use std::fmt;

use crate::FieldPath;

/// The kind of a field error, named as Kubernetes names it.
///
/// The `Display` text is Kubernetes' type text (`Required value`, `Invalid value`, ...);
/// [`ErrorType::as_str`] is the reason string used in JSON output (`FieldValueRequired`, ...).
///
/// # Examples
///
/// ```
/// use podspec::ErrorType;
/// assert_eq!(ErrorType::Required.as_str(), "FieldValueRequired");
/// assert_eq!(ErrorType::Required.to_string(), "Required value");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorType {
    /// A required field is missing or empty.
    Required,
    /// A value is malformed or out of range.
    Invalid,
    /// A value that must be unique appears again.
    Duplicate,
    /// A value is not one of the supported set.
    NotSupported,
    /// A field may not be set here.
    Forbidden,
    /// A value is longer than allowed.
    TooLong,
    /// A list has more items than allowed.
    TooMany,
    /// A reference names something that does not exist.
    NotFound,
    /// A value has the wrong JSON type (a string where a number goes).
    TypeInvalid,
}

impl ErrorType {
    /// Kubernetes' reason string for this type (`FieldValueRequired`, ...).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::ErrorType::TypeInvalid.as_str(), "FieldValueTypeInvalid");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "FieldValueRequired",
            Self::Invalid => "FieldValueInvalid",
            Self::Duplicate => "FieldValueDuplicate",
            Self::NotSupported => "FieldValueNotSupported",
            Self::Forbidden => "FieldValueForbidden",
            Self::TooLong => "FieldValueTooLong",
            Self::TooMany => "FieldValueTooMany",
            Self::NotFound => "FieldValueNotFound",
            Self::TypeInvalid => "FieldValueTypeInvalid",
        }
    }

    /// Whether Kubernetes prints the offending value after the type text.
    fn shows_value(self) -> bool {
        !matches!(self, Self::Required | Self::Forbidden | Self::TooLong)
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Required => "Required value",
            Self::Invalid => "Invalid value",
            Self::Duplicate => "Duplicate value",
            Self::NotSupported => "Unsupported value",
            Self::Forbidden => "Forbidden",
            Self::TooLong => "Too long",
            Self::TooMany => "Too many",
            Self::NotFound => "Not found",
            Self::TypeInvalid => "Invalid value",
        })
    }
}

impl serde::Serialize for ErrorType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The offending value of a field error, printed the way Kubernetes prints it: strings quoted,
/// numbers and booleans bare.
///
/// # Examples
///
/// ```
/// use podspec::BadValue;
/// assert_eq!(BadValue::from("x").to_string(), "\"x\"");
/// assert_eq!(BadValue::from(70000_i64).to_string(), "70000");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BadValue {
    /// A string value.
    Str(String),
    /// An integer value.
    Int(i64),
    /// A boolean value.
    Bool(bool),
}

impl From<&str> for BadValue {
    fn from(s: &str) -> Self {
        Self::Str(s.to_owned())
    }
}

impl From<String> for BadValue {
    fn from(s: String) -> Self {
        Self::Str(s)
    }
}

impl From<crate::wire::Str> for BadValue {
    fn from(s: crate::wire::Str) -> Self {
        Self::Str(s.into())
    }
}

impl From<i64> for BadValue {
    fn from(n: i64) -> Self {
        Self::Int(n)
    }
}

impl From<bool> for BadValue {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Str(s) => write!(f, "{s:?}"),
            Self::Int(n) => write!(f, "{n}"),
            Self::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// One validation error: where, what kind, the value, and a human detail.
///
/// `Display` follows Kubernetes' `field.Error`: `<field>: <type text>[: <value>][: <detail>]`.
///
/// # Examples
///
/// ```
/// use podspec::{ErrorType, FieldError, FieldPath};
///
/// let path = FieldPath::root().field("spec").field("containers").index(0).field("name");
/// let e = FieldError::new(path.clone(), ErrorType::Required, "");
/// assert_eq!(e.to_string(), "spec.containers[0].name: Required value");
///
/// let e = FieldError::new(path, ErrorType::Invalid, "must be a DNS-1123 label")
///     .with_value("Ubuntu-1");
/// assert_eq!(
///     e.to_string(),
///     "spec.containers[0].name: Invalid value: \"Ubuntu-1\": must be a DNS-1123 label"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct FieldError {
    /// Where the error is, in the user's field names.
    pub field: FieldPath,
    /// The Kubernetes error type.
    #[serde(rename = "type")]
    pub kind: ErrorType,
    /// The offending value, when there is one worth showing.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_value")]
    pub value: Option<BadValue>,
    /// What is wrong and, where possible, how to fix it.
    pub detail: String,
}

fn ser_value<S: serde::Serializer>(v: &Option<BadValue>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(BadValue::Str(x)) => s.serialize_str(x),
        Some(BadValue::Int(n)) => s.serialize_i64(*n),
        Some(BadValue::Bool(b)) => s.serialize_bool(*b),
        None => s.serialize_none(),
    }
}

impl FieldError {
    /// A field error without a value.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::{ErrorType, FieldError, FieldPath};
    /// let e = FieldError::new(FieldPath::root().field("id"), ErrorType::TooLong, "at most 63");
    /// assert_eq!(e.to_string(), "id: Too long: at most 63");
    /// ```
    pub fn new(field: FieldPath, kind: ErrorType, detail: impl Into<String>) -> Self {
        Self {
            field,
            kind,
            value: None,
            detail: detail.into(),
        }
    }

    /// The same error with the offending value attached.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::{ErrorType, FieldError, FieldPath};
    /// let e = FieldError::new(FieldPath::root().field("port"), ErrorType::Invalid, "")
    ///     .with_value(0_i64);
    /// assert_eq!(e.to_string(), "port: Invalid value: 0");
    /// ```
    #[must_use]
    pub fn with_value(mut self, value: impl Into<BadValue>) -> Self {
        self.value = Some(value.into());
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.field.is_root() {
            write!(f, "{}: ", self.field)?;
        }
        write!(f, "{}", self.kind)?;
        if let Some(v) = self.value.as_ref().filter(|_| self.kind.shows_value()) {
            write!(f, ": {v}")?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> FieldPath {
        FieldPath::root().field("spec").field("restartPolicy")
    }

    #[test]
    fn required_hides_value() {
        let e = FieldError::new(p(), ErrorType::Required, "").with_value("x");
        assert_eq!(e.to_string(), "spec.restartPolicy: Required value");
    }

    #[test]
    fn forbidden_hides_value_but_shows_detail() {
        let e = FieldError::new(p(), ErrorType::Forbidden, "may not be set").with_value("x");
        assert_eq!(
            e.to_string(),
            "spec.restartPolicy: Forbidden: may not be set"
        );
    }

    #[test]
    fn not_supported_shows_quoted_value_and_detail() {
        let e = FieldError::new(
            p(),
            ErrorType::NotSupported,
            "supported values: \"Always\", \"Never\", \"OnFailure\"",
        )
        .with_value("sometimes");
        assert_eq!(
            e.to_string(),
            "spec.restartPolicy: Unsupported value: \"sometimes\": supported values: \"Always\", \"Never\", \"OnFailure\""
        );
    }

    #[test]
    fn bool_value_is_bare() {
        let e = FieldError::new(p(), ErrorType::Invalid, "").with_value(true);
        assert_eq!(e.to_string(), "spec.restartPolicy: Invalid value: true");
    }

    #[test]
    fn json_has_reason_string_and_path() {
        let e = FieldError::new(p(), ErrorType::Duplicate, "d").with_value("a");
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["field"], "spec.restartPolicy");
        assert_eq!(v["type"], "FieldValueDuplicate");
        assert_eq!(v["value"], "a");
        assert_eq!(v["detail"], "d");
    }
}
