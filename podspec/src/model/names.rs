//! Names with rules: each newtype is built with `TryFrom<&str>` / `TryFrom<String>`, so a value
//! of the type is valid by construction. Errors are [`FieldError`]s at the root path; the caller
//! re-roots them (`err.field = path`).
//!
//! The rules are the *union* of what the four formats accept, so that every document that passes
//! its format's validation converts: a Kubernetes container name (a DNS-1123 label) is a valid
//! [`ContainerName`], and so is Hyper's generated `<podId>-<image>-<index>`.

use std::borrow::Borrow;
use std::fmt;

use crate::validate::names::is_dns1123_label;
use crate::{ErrorType, FieldError, FieldPath};

fn invalid(value: &str, detail: impl Into<String>) -> FieldError {
    FieldError::new(FieldPath::root(), ErrorType::Invalid, detail).with_value(value)
}

fn required(detail: &str) -> FieldError {
    FieldError::new(FieldPath::root(), ErrorType::Required, detail)
}

fn too_long(max: usize) -> FieldError {
    FieldError::new(
        FieldPath::root(),
        ErrorType::TooLong,
        format!("may not be more than {max} bytes"),
    )
}

/// Defines a string newtype with `TryFrom<&str>`, `TryFrom<String>`, `as_str`, `Display`,
/// `AsRef<str>`, `Borrow<str>` and `PartialEq<str>`.
macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The name as a string slice.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("let n = podspec::model::", stringify!($name), "::try_from(\"web\").unwrap();")]
            /// assert_eq!(n.as_str(), "web");
            /// ```
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<&str> for $name {
            type Error = FieldError;

            fn try_from(s: &str) -> Result<Self, Self::Error> {
                $check(s)?;
                Ok(Self(s.to_owned()))
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                $check(&s)?;
                Ok(Self(s))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

/// Longest pod name, container name, volume name or file name (a DNS-1123 subdomain's limit).
pub const MAX_NAME_LEN: usize = 253;

/// A name used as a path component: non-empty, at most 253 bytes, no `/`, no control
/// characters, not `.` or `..`.
fn check_path_safe(s: &str, what: &str) -> Result<(), FieldError> {
    if s.is_empty() {
        return Err(required(&format!("a {what} is required")));
    }
    if s.len() > MAX_NAME_LEN {
        return Err(too_long(MAX_NAME_LEN));
    }
    if s == "." || s == ".." {
        return Err(invalid(s, format!("a {what} may not be '.' or '..'")));
    }
    if s.contains('/') || s.chars().any(char::is_control) {
        return Err(invalid(
            s,
            format!("a {what} may not contain '/' or control characters"),
        ));
    }
    Ok(())
}

fn check_pod_name(s: &str) -> Result<(), FieldError> {
    check_path_safe(s, "pod name")
}

string_newtype!(
    /// A pod's name: Kubernetes' `metadata.name`, Hyper's `id`.
    ///
    /// Invariant: non-empty, at most 253 bytes, no `/` and no control characters, not `.` or
    /// `..` (it names directories and is the default hostname). Kubernetes' DNS-1123 subdomains
    /// and Hyper's generated `pod-XXXXXXXXXX` ids all qualify; the stricter per-format rules
    /// live in [`crate::validate`](mod@crate::validate).
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::PodName;
    /// assert!(PodName::try_from("web-1").is_ok());
    /// assert!(PodName::try_from("Pod-AbCd").is_ok());
    /// assert!(PodName::try_from("").is_err());
    /// assert!(PodName::try_from("a/b").is_err());
    /// ```
    PodName,
    check_pod_name
);

fn check_container_name(s: &str) -> Result<(), FieldError> {
    if s.is_empty() {
        return Err(required("a container name is required"));
    }
    if s.len() > MAX_NAME_LEN {
        return Err(too_long(MAX_NAME_LEN));
    }
    let b = s.as_bytes();
    if !b[0].is_ascii_alphanumeric()
        || !b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
    {
        return Err(invalid(
            s,
            "a container name must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
        ));
    }
    Ok(())
}

string_newtype!(
    /// A container's name, unique within its pod (init and regular containers together).
    ///
    /// Invariant: at most 253 bytes matching `[a-zA-Z0-9][a-zA-Z0-9_.-]*` (Docker's and Hyper's
    /// container-name alphabet; Kubernetes' DNS-1123 labels are a subset).
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::ContainerName;
    /// assert!(ContainerName::try_from("web").is_ok());
    /// assert!(ContainerName::try_from("pod-ubuntu_1.x").is_ok());
    /// assert!(ContainerName::try_from("-web").is_err());
    /// assert!(ContainerName::try_from("a b").is_err());
    /// ```
    ContainerName,
    check_container_name
);

fn check_volume_name(s: &str) -> Result<(), FieldError> {
    check_path_safe(s, "volume name")
}

string_newtype!(
    /// A pod volume's name, unique within the pod, referenced by volume mounts.
    ///
    /// Invariant: non-empty, at most 253 bytes, no `/`, no control characters, not `.`/`..`.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::VolumeName;
    /// assert!(VolumeName::try_from("data").is_ok());
    /// assert!(VolumeName::try_from("").is_err());
    /// ```
    VolumeName,
    check_volume_name
);

fn check_file_name(s: &str) -> Result<(), FieldError> {
    check_path_safe(s, "file name")
}

string_newtype!(
    /// A pod file's name (Hyper's `files[].name`), unique within the pod, referenced by
    /// containers' file mounts.
    ///
    /// Invariant: non-empty, at most 253 bytes, no `/`, no control characters, not `.`/`..`.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::FileName;
    /// assert!(FileName::try_from("resolv.conf").is_ok());
    /// assert!(FileName::try_from("..").is_err());
    /// ```
    FileName,
    check_file_name
);

/// Longest hostname.
pub const MAX_HOSTNAME_LEN: usize = 63;

fn check_hostname(s: &str) -> Result<(), FieldError> {
    if s.is_empty() {
        return Err(required("a hostname is required"));
    }
    if s.len() > MAX_HOSTNAME_LEN {
        return Err(FieldError::new(
            FieldPath::root(),
            ErrorType::TooLong,
            format!(
                "Hostname exceeds the maximum length {MAX_HOSTNAME_LEN}, len: {}",
                s.len()
            ),
        ));
    }
    if !s.split('.').all(is_dns1123_label) {
        return Err(invalid(
            s,
            format!(
                "Hostname should fullfil the pattern: [a-z0-9]([-a-z0-9]*[a-z0-9])?, input hostname: {s}"
            ),
        ));
    }
    Ok(())
}

string_newtype!(
    /// A pod's hostname.
    ///
    /// Invariant: at most 63 bytes, every dot-separated part a DNS-1123 label (Hyper's rule;
    /// Kubernetes' single DNS-1123 label is a subset).
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::Hostname;
    /// assert!(Hostname::try_from("web").is_ok());
    /// assert!(Hostname::try_from("web.local").is_ok());
    /// assert!(Hostname::try_from("Web").is_err());
    /// assert!(Hostname::try_from("a".repeat(64).as_str()).is_err());
    /// ```
    Hostname,
    check_hostname
);

pub(crate) fn check_image_ref(s: &str) -> Result<(), FieldError> {
    if s.is_empty() {
        return Err(required("an image is required"));
    }
    // The common case: printable ASCII has no whitespace or control character.
    if s.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(());
    }
    if s.trim() != s {
        return Err(invalid(s, "must not have leading or trailing whitespace"));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(
            s,
            "an image reference may not contain whitespace or control characters",
        ));
    }
    Ok(())
}

string_newtype!(
    /// An image reference (`busybox`, `docker.io/library/ubuntu:22.04`, `name@sha256:...`).
    ///
    /// Invariant: non-empty, no whitespace or control characters. The reference grammar itself
    /// is the image store's business.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::ImageRef;
    /// assert!(ImageRef::try_from("busybox:1.36").is_ok());
    /// assert!(ImageRef::try_from(" busybox").is_err());
    /// assert!(ImageRef::try_from("").is_err());
    /// ```
    ImageRef,
    check_image_ref
);

fn check_port_name(s: &str) -> Result<(), FieldError> {
    if crate::validate::names::is_iana_svc_name(s) {
        Ok(())
    } else {
        Err(invalid(
            s,
            "a port name must be an IANA service name: at most 15 characters of [-a-z0-9], \
             at least one letter, no leading, trailing or double '-'",
        ))
    }
}

string_newtype!(
    /// A container port's name (an IANA service name), which probes and hooks may use instead
    /// of the number.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::model::PortName;
    /// assert!(PortName::try_from("http").is_ok());
    /// assert!(PortName::try_from("80").is_err());
    /// ```
    PortName,
    check_port_name
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_name_rejects_dot_names_and_controls() {
        assert!(PodName::try_from(".").is_err());
        assert!(PodName::try_from("a\nb").is_err());
        assert!(PodName::try_from("a".repeat(254)).is_err());
        assert!(PodName::try_from("a".repeat(253)).is_ok());
    }

    #[test]
    fn container_name_accepts_dns_labels_and_hyper_names() {
        for ok in ["c", "web-1", "pod-AbC-ubuntu-0", "a_b.c"] {
            assert!(ContainerName::try_from(ok).is_ok(), "{ok}");
        }
        for bad in ["", "_a", ".a", "a/b", "a b", "é"] {
            assert!(ContainerName::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn errors_are_required_or_invalid_at_the_root() {
        let e = ContainerName::try_from("").unwrap_err();
        assert_eq!(e.kind, ErrorType::Required);
        assert!(e.field.is_root());
        let e = ContainerName::try_from("-").unwrap_err();
        assert_eq!(e.kind, ErrorType::Invalid);
        assert_eq!(e.value, Some("-".into()));
    }

    #[test]
    fn hostname_length_error_uses_hypers_message() {
        let e = Hostname::try_from("a".repeat(64)).unwrap_err();
        assert_eq!(e.kind, ErrorType::TooLong);
        assert_eq!(e.detail, "Hostname exceeds the maximum length 63, len: 64");
    }

    #[test]
    fn hostname_segments_must_be_labels() {
        assert!(Hostname::try_from("a..b").is_err());
        assert!(Hostname::try_from("a.-b").is_err());
        assert!(Hostname::try_from("a.b-c.d").is_ok());
    }

    #[test]
    fn image_ref_rejects_inner_whitespace() {
        assert!(ImageRef::try_from("bus box").is_err());
    }

    #[test]
    fn newtypes_compare_with_str() {
        let n = ContainerName::try_from("web").unwrap();
        assert_eq!(n, "web");
        assert_eq!(n.to_string(), "web");
    }
}
