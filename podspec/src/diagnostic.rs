//! Human-facing diagnostics (STYLE H11): [`miette::Diagnostic`] on [`Error`] and [`FieldError`],
//! each with a stable code and a help line that says the fix, and [`Error::span`], which turns a
//! syntax error's line and column into a span of the source text so that a caller holding the
//! text (the CLI) can point at the place.
//!
//! The codes are stable API: `podspec::syntax::json`, `podspec::syntax::yaml`, `podspec::empty`,
//! `podspec::not_an_object`, `podspec::type_invalid`, `podspec::not_json` for [`Error`], and
//! `podspec::field::<kind>` for [`FieldError`] (kinds from [`ErrorType::code_name`]). This crate
//! renders nothing: only `vmm-ref` turns on miette's graphical handler.
//!
//! # Examples
//!
//! ```
//! use miette::Diagnostic;
//!
//! let text = "{\"id\": \"p\",\n \"containers\": [}";
//! let e = podspec::parse(text, None).unwrap_err();
//! assert_eq!(e.code().unwrap().to_string(), "podspec::syntax::json");
//! let span = e.span(text).unwrap();
//! assert_eq!(&text[span.offset()..span.offset() + 1], "}");
//! assert!(e.help().is_some());
//! ```

use std::fmt;

use miette::{Diagnostic, SourceOffset, SourceSpan};

use crate::{Error, ErrorType, FieldError};

impl ErrorType {
    /// The last part of this kind's diagnostic code (`podspec::field::<name>`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::ErrorType::NotSupported.code_name(), "not_supported");
    /// ```
    #[must_use]
    pub const fn code_name(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Invalid => "invalid",
            Self::Duplicate => "duplicate",
            Self::NotSupported => "not_supported",
            Self::Forbidden => "forbidden",
            Self::TooLong => "too_long",
            Self::TooMany => "too_many",
            Self::NotFound => "not_found",
            Self::TypeInvalid => "type_invalid",
        }
    }

    /// What to do about an error of this kind; the error's own detail says which rule.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(podspec::ErrorType::Required.help().starts_with("add"));
    /// ```
    #[must_use]
    pub const fn help(self) -> &'static str {
        match self {
            Self::Required => "add this field with a non-empty value",
            Self::Invalid => "change the value so that it follows the rule the message gives",
            Self::Duplicate => "give each one a different value, or remove the repeated one",
            Self::NotSupported => "use one of the supported values the message lists",
            Self::Forbidden => "remove this field: it may not be set here",
            Self::TooLong => "shorten the value to the length the message gives",
            Self::TooMany => "remove items until the list is within the limit the message gives",
            Self::NotFound => "define what this refers to, or correct the name",
            Self::TypeInvalid => {
                "write the value as the type the message expects: quotes around a string, none around a number or a boolean"
            }
        }
    }
}

/// A code made of static parts, for [`Diagnostic::code`].
struct Code(&'static str, &'static str);

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.0, self.1)
    }
}

impl Diagnostic for FieldError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(Code("podspec::field::", self.kind.code_name())))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.help()))
    }
}

impl Diagnostic for Error {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let name = match self {
            Self::JsonSyntax { .. } => "syntax::json",
            Self::YamlSyntax { .. } => "syntax::yaml",
            Self::Empty => "empty",
            Self::NotAnObject { .. } => "not_an_object",
            Self::Type { .. } => "type_invalid",
            Self::NotJson { .. } => "not_json",
        };
        Some(Box::new(Code("podspec::", name)))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let help = match self {
            Self::JsonSyntax { .. } => {
                "fix the JSON at this place: a missing or extra comma, quote or bracket is the usual cause (YAML is accepted too)"
            }
            Self::YamlSyntax { .. } => {
                "fix the YAML at this place: check the indentation, and quote a value that contains `: ` or starts with `[`, `{`, `*`, `&`, `!` or `%`"
            }
            Self::Empty => {
                "write a pod: `vmm-ref schema --format FORMAT` prints every field, examples/ holds one file per format"
            }
            Self::NotAnObject { .. } => {
                "the top level of a pod file is a mapping of fields (`kind: Pod`, `containers: ...`)"
            }
            Self::Type { .. } => ErrorType::TypeInvalid.help(),
            Self::NotJson { .. } => {
                "quote the value, or use a plain string or number key: pod files must be expressible as JSON"
            }
        };
        Some(Box::new(help))
    }
}

impl Error {
    /// Where a syntax error is in `source` (the text that was parsed): one character at its
    /// line and column, moved back onto the last character when the parser reports the end of
    /// the text. `None` for errors without a position.
    ///
    /// # Examples
    ///
    /// ```
    /// let text = "containers:\n  - image: [busybox\n";
    /// let e = podspec::parse(text, None).unwrap_err();
    /// let span = e.span(text).unwrap();
    /// assert!(span.offset() < text.len());
    /// ```
    #[must_use]
    pub fn span(&self, source: &str) -> Option<SourceSpan> {
        let at = self.location()?;
        let offset = SourceOffset::from_location(source, at.line, at.column).offset();
        let offset = offset.min(source.len().saturating_sub(1));
        // Keep the span on a character boundary of the text.
        let start = (0..=offset)
            .rev()
            .find(|&i| source.is_char_boundary(i))
            .unwrap_or(0);
        let len = source[start..].chars().next().map_or(0, char::len_utf8);
        Some(SourceSpan::new(start.into(), len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldPath;

    #[test]
    fn every_field_error_kind_has_its_own_code_and_a_help() {
        let kinds = [
            ErrorType::Required,
            ErrorType::Invalid,
            ErrorType::Duplicate,
            ErrorType::NotSupported,
            ErrorType::Forbidden,
            ErrorType::TooLong,
            ErrorType::TooMany,
            ErrorType::NotFound,
            ErrorType::TypeInvalid,
        ];
        let mut codes: Vec<String> = kinds
            .iter()
            .map(|k| {
                let e = FieldError::new(FieldPath::root().field("x"), *k, "");
                assert!(!e.help().unwrap().to_string().is_empty());
                e.code().unwrap().to_string()
            })
            .collect();
        assert!(codes.iter().all(|c| c.starts_with("podspec::field::")));
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), kinds.len());
    }

    #[test]
    fn a_syntax_error_span_points_at_the_reported_character() {
        let text = "{\n  \"id\": \"p\",\n  \"tty\": tru\n}";
        let e = crate::parse(text, None).unwrap_err();
        let at = e.location().unwrap();
        let span = e.span(text).unwrap();
        let line = text.lines().nth(at.line - 1).unwrap();
        let line_start = text.find(line).unwrap();
        assert_eq!(span.offset(), line_start + at.column - 1, "{e}");
    }

    #[test]
    fn a_span_at_the_end_of_the_text_stays_inside_it() {
        for text in ["{\"id\": ", "a: [1,", "{\"id\": \"é"] {
            let e = crate::parse(text, None).unwrap_err();
            let span = e.span(text).unwrap();
            assert!(
                span.offset() + span.len() <= text.len(),
                "{text:?}: {span:?}"
            );
            assert!(text.is_char_boundary(span.offset()), "{text:?}");
        }
    }

    #[test]
    fn errors_without_a_position_have_no_span_but_a_code() {
        let e = crate::parse("", None).unwrap_err();
        assert_eq!(e.span(""), None);
        assert_eq!(e.code().unwrap().to_string(), "podspec::empty");
    }
}
