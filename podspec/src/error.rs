//! The crate's error type.

use std::fmt;

use crate::{BadValue, ErrorType, FieldError, FieldPath, Format};

/// A position in the source text, 1-based.
///
/// # Examples
///
/// ```
/// let l = podspec::Location { line: 3, column: 7 };
/// assert_eq!(l.to_string(), "line 3, column 7");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// The kind of JSON value found where an object was expected.
///
/// # Examples
///
/// ```
/// use podspec::JsonKind;
/// assert_eq!(JsonKind::of(&serde_json::json!([1])), JsonKind::Array);
/// assert_eq!(JsonKind::Array.to_string(), "a list");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JsonKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// A list.
    Array,
    /// An object.
    Object,
}

impl JsonKind {
    /// The kind of a value.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::JsonKind::of(&serde_json::json!("x")), podspec::JsonKind::String);
    /// ```
    pub fn of(value: &serde_json::Value) -> Self {
        use serde_json::Value as V;
        match value {
            V::Null => Self::Null,
            V::Bool(_) => Self::Bool,
            V::Number(_) => Self::Number,
            V::String(_) => Self::String,
            V::Array(_) => Self::Array,
            V::Object(_) => Self::Object,
        }
    }
}

impl fmt::Display for JsonKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Null => "null",
            Self::Bool => "a boolean",
            Self::Number => "a number",
            Self::String => "a string",
            Self::Array => "a list",
            Self::Object => "an object",
        })
    }
}

/// A value of the wrong type in a document: where, what was expected, what was found.
///
/// Listed as a validation error by [`Error::field_errors`], with type `FieldValueTypeInvalid`.
///
/// # Examples
///
/// ```
/// let err = podspec::parse(r#"{"resource": {"memory": "128"}}"#, None).unwrap_err();
/// let podspec::Error::Type { errors, .. } = &err else { panic!("{err}") };
/// assert_eq!(errors[0].field.to_string(), "resource.memory");
/// assert_eq!(errors[0].expected.as_deref(), Some("an integer (int32)"));
/// assert_eq!(errors[0].to_string(), "resource.memory: invalid type: string \"128\", expected i32");
/// ```
#[derive(Debug, thiserror::Error)]
pub struct TypeError {
    /// Where, in the format's canonical field names (map keys as `[key]`).
    pub field: FieldPath,
    /// The expected type, in words (`an integer (int32)`, `a string`, `a list`), when known.
    pub expected: Option<String>,
    /// The offending value, when it is a string, an integer or a boolean.
    pub found: Option<BadValue>,
    /// The deserializer's message.
    pub message: String,
    /// The deserializer's error.
    #[source]
    pub source: serde_json::Error,
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.field.is_root() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

impl TypeError {
    /// This error as a validation error (`FieldValueTypeInvalid`).
    ///
    /// # Examples
    ///
    /// ```
    /// let err = podspec::parse(r#"{"tty": "yes"}"#, None).unwrap_err();
    /// let fe = err.field_errors();
    /// assert_eq!(fe[0].to_string(), "tty: Invalid value: \"yes\": expected a boolean");
    /// ```
    pub fn to_field_error(&self) -> FieldError {
        let detail = match &self.expected {
            Some(e) => format!("expected {e}"),
            None => self.message.clone(),
        };
        let e = FieldError::new(self.field.clone(), ErrorType::TypeInvalid, detail);
        match &self.found {
            Some(v) => e.with_value(v.clone()),
            None => e,
        }
    }
}

/// Why a pod document could not be read.
///
/// Validation (a later step) may add variants; match with a wildcard arm.
///
/// # Examples
///
/// ```
/// use podspec::{Error, parse};
/// assert!(matches!(parse("", None), Err(Error::Empty)));
/// assert!(matches!(parse("[1]", None), Err(Error::NotAnObject { .. })));
/// let e = parse("{\"id\": }", None).unwrap_err();
/// assert_eq!(e.location().unwrap().line, 1);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not valid JSON (and not valid YAML either).
    #[error("invalid JSON{}: {message}", at(location))]
    JsonSyntax {
        /// Where, when known.
        location: Option<Location>,
        /// What is wrong, without the position.
        message: String,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The text is not valid YAML.
    #[error("invalid YAML{}: {message}", at(location))]
    YamlSyntax {
        /// Where, when known.
        location: Option<Location>,
        /// What is wrong, without the position.
        message: String,
        /// The parser's error.
        #[source]
        source: serde_yaml::Error,
    },
    /// The document is empty (blank, only comments, or `null`).
    #[error("the document is empty")]
    Empty,
    /// The document is not an object (a list, a string, ...).
    #[error("the document is {found}, not an object")]
    NotAnObject {
        /// What it is.
        found: JsonKind,
    },
    /// Values of the wrong type; every one found, in document order.
    #[error("{format} document: {}", list(errors))]
    Type {
        /// The format the document was read as.
        format: Format,
        /// The errors, at least one.
        errors: Vec<TypeError>,
    },
    /// A YAML value that JSON cannot hold (`.nan`, `.inf`, a list or map used as a key).
    #[error("{field}: {message}")]
    NotJson {
        /// Where.
        field: FieldPath,
        /// What.
        message: String,
    },
}

fn at(location: &Option<Location>) -> String {
    location.map(|l| format!(" at {l}")).unwrap_or_default()
}

fn list(errors: &[TypeError]) -> String {
    match errors {
        [] => String::new(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}

impl Error {
    /// The position of a syntax error.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = podspec::parse("a: [1,\nb: 2", None).unwrap_err();
    /// assert!(e.location().is_some());
    /// ```
    pub fn location(&self) -> Option<Location> {
        match self {
            Self::JsonSyntax { location, .. } | Self::YamlSyntax { location, .. } => *location,
            _ => None,
        }
    }

    /// This error as validation errors, for listing with them: one `FieldValueTypeInvalid` per
    /// type error, a root `FieldValueTypeInvalid` for a document that is not an object, a root
    /// `FieldValueRequired` for an empty one, an `FieldValueInvalid` for a YAML value JSON cannot
    /// hold. Syntax errors have no field and give an empty list.
    ///
    /// # Examples
    ///
    /// ```
    /// let e = podspec::parse(r#"{"containers": [{"ports": [{"containerPort": "80"}]}]}"#, None)
    ///     .unwrap_err();
    /// let fe = e.field_errors();
    /// assert_eq!(fe[0].field.to_string(), "containers[0].ports[0].containerPort");
    /// assert_eq!(fe[0].kind, podspec::ErrorType::TypeInvalid);
    /// ```
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::Type { errors, .. } => errors.iter().map(TypeError::to_field_error).collect(),
            Self::NotAnObject { found } => vec![FieldError::new(
                FieldPath::root(),
                ErrorType::TypeInvalid,
                format!("expected an object, found {found}"),
            )],
            Self::Empty => vec![FieldError::new(
                FieldPath::root(),
                ErrorType::Required,
                "the document is empty",
            )],
            Self::NotJson { field, message } => {
                vec![FieldError::new(
                    field.clone(),
                    ErrorType::Invalid,
                    message.clone(),
                )]
            }
            Self::JsonSyntax { .. } | Self::YamlSyntax { .. } => Vec::new(),
        }
    }
}
