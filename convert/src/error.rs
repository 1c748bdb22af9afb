//! [`Error`]: the crate's one error type.

use std::fmt;

use podspec::{FieldError, FieldPath};

use crate::Target;

/// Why a conversion, an environment or a services document failed.
///
/// Field paths use the names of the document the user wrote (`spec.containers[0].name` for a
/// Kubernetes file, `containers[0].envs[1].env` for a Hyper file); for conversions out of the
/// domain model they use the model's field names (`containers[0].image`), as
/// [`podspec::model::Pod::validate`] does.
///
/// # Examples
///
/// ```
/// use podspec::wire::hyper;
/// let doc = hyper::Pod {
///     id: Some("web".into()),
///     containers: Some(vec![hyper::Container { image: Some("bad image".into()), ..Default::default() }]),
///     ..Default::default()
/// };
/// let err = convert::from_hyper(&doc, &convert::Options::default()).unwrap_err();
/// let convert::Error::Invalid(errors) = &err else { panic!("{err}") };
/// assert_eq!(errors[0].field.to_string(), "containers[0].image");
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Values the domain model cannot hold (a name that breaks its rule, a port out of range, a
    /// malformed quantity, an unknown restart policy...): every one found, each with its path.
    /// Never empty.
    #[error("{}", FieldErrors(.0))]
    Invalid(Vec<FieldError>),
    /// The target format cannot say something the pod needs and that cannot be dropped (a
    /// container without an image, a name the target's rules reject).
    #[error("{field}: {target} cannot say this: {reason}")]
    NotRepresentable {
        /// The format being written.
        target: Target,
        /// The model field, in the model's names.
        field: FieldPath,
        /// What the target would need.
        reason: String,
    },
    /// [`crate::environment`] was asked for a container the pod does not have.
    #[error("pod {pod:?} has no container named {name:?}")]
    NoSuchContainer {
        /// The pod's name.
        pod: String,
        /// The name asked for.
        name: String,
    },
    /// A command-line flag of the container-only shorthand ([`crate::run_line`]) is wrong.
    #[error("{flag}: {message}")]
    RunLine {
        /// The flag, as the user types it (`--label`).
        flag: &'static str,
        /// What is wrong, and the expected form.
        message: String,
    },
    /// A services document is neither JSON nor YAML.
    #[error("services: not JSON or YAML: {message}")]
    ServicesSyntax {
        /// The parser's message, with its line and column.
        message: String,
    },
}

/// Displays a list of field errors: one, or a count and all of them.
struct FieldErrors<'a>(&'a [FieldError]);

impl fmt::Display for FieldErrors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [] => f.write_str("invalid"),
            [one] => write!(f, "{one}"),
            many => {
                write!(f, "{} errors: ", many.len())?;
                for (i, e) in many.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
        }
    }
}

impl Error {
    /// The field errors of [`Error::Invalid`], or one field error standing for any other
    /// variant (at the root path when it has none), so that a caller can print every error the
    /// same way.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::FieldPath;
    /// let e = convert::Error::NotRepresentable {
    ///     target: convert::Target::K8s,
    ///     field: FieldPath::root().field("containers").index(0).field("image"),
    ///     reason: "an image reference".into(),
    /// };
    /// assert_eq!(e.field_errors()[0].field.to_string(), "containers[0].image");
    /// ```
    pub fn field_errors(&self) -> Vec<FieldError> {
        use podspec::ErrorType;
        match self {
            Self::Invalid(errors) => errors.clone(),
            Self::NotRepresentable {
                target,
                field,
                reason,
            } => vec![FieldError::new(
                field.clone(),
                ErrorType::Forbidden,
                format!("{target} cannot say this: {reason}"),
            )],
            Self::NoSuchContainer { name, .. } => vec![
                FieldError::new(FieldPath::root(), ErrorType::NotFound, self.to_string())
                    .with_value(name.as_str()),
            ],
            Self::ServicesSyntax { .. } | Self::RunLine { .. } => vec![FieldError::new(
                FieldPath::root(),
                ErrorType::Invalid,
                self.to_string(),
            )],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use podspec::ErrorType;

    #[test]
    fn one_invalid_error_displays_alone() {
        let e = Error::Invalid(vec![FieldError::new(
            FieldPath::root().field("id"),
            ErrorType::Required,
            "",
        )]);
        assert_eq!(e.to_string(), "id: Required value");
    }

    #[test]
    fn several_invalid_errors_are_counted_and_listed() {
        let e = Error::Invalid(vec![
            FieldError::new(FieldPath::root().field("a"), ErrorType::Required, ""),
            FieldError::new(FieldPath::root().field("b"), ErrorType::Required, ""),
        ]);
        assert_eq!(
            e.to_string(),
            "2 errors: a: Required value; b: Required value"
        );
    }

    #[test]
    fn not_representable_names_target_and_field() {
        let e = Error::NotRepresentable {
            target: Target::Hyper,
            field: FieldPath::root()
                .field("containers")
                .index(1)
                .field("image"),
            reason: "an image reference".into(),
        };
        assert_eq!(
            e.to_string(),
            "containers[1].image: Hyper cannot say this: an image reference"
        );
    }
}
