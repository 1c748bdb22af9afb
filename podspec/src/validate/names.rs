//! Kubernetes' name and value syntaxes (`k8s.io/apimachinery/pkg/util/validation`), written out
//! by hand (no regex engine).
//!
//! Each `*_errors` function returns the reasons a string is invalid, in Kubernetes' words; an
//! empty list means the string is valid. The `is_*` functions are the boolean shorthands.

/// Longest DNS-1123 label (and label value, and qualified-name name part).
pub const DNS1123_LABEL_MAX_LEN: usize = 63;
/// Longest DNS-1123 subdomain.
pub const DNS1123_SUBDOMAIN_MAX_LEN: usize = 253;

const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric \
characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or \
'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case \
alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. \
'example.com', regex used for validation is \
'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const QUALIFIED_NAME_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and \
must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc', \
regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric \
characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. \
'MyValue', or 'my_value', or '12345', regex used for validation is \
'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/// Kubernetes' "must be no more than N characters".
fn max_len(n: usize) -> String {
    format!("must be no more than {n} characters")
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?` over the whole string.
fn matches_label_pattern(s: &str) -> bool {
    matches_label_bytes(s.as_bytes())
}

/// [`matches_label_pattern`] on bytes.
fn matches_label_bytes(b: &[u8]) -> bool {
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => alnum(f) && alnum(l) && b.iter().all(|&c| alnum(c) || c == b'-'),
        _ => false,
    }
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]` over the whole string.
fn matches_qualified_name_pattern(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) => {
            f.is_ascii_alphanumeric()
                && l.is_ascii_alphanumeric()
                && b.iter()
                    .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

/// Why `s` is not a DNS-1123 label (at most 63 characters of `[a-z0-9]([-a-z0-9]*[a-z0-9])?`).
///
/// # Examples
///
/// ```
/// use podspec::validate::names::dns1123_label_errors;
/// assert!(dns1123_label_errors("my-name").is_empty());
/// assert!(!dns1123_label_errors("My-Name").is_empty());
/// assert!(!dns1123_label_errors("a.b").is_empty());
/// ```
pub fn dns1123_label_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > DNS1123_LABEL_MAX_LEN {
        errs.push(max_len(DNS1123_LABEL_MAX_LEN));
    }
    if !matches_label_pattern(s) {
        errs.push(LABEL_MSG.to_owned());
    }
    errs
}

/// Whether `s` is a DNS-1123 label.
///
/// # Examples
///
/// ```
/// assert!(podspec::validate::names::is_dns1123_label("web-1"));
/// assert!(!podspec::validate::names::is_dns1123_label("-web"));
/// ```
pub fn is_dns1123_label(s: &str) -> bool {
    dns1123_label_errors(s).is_empty()
}

/// Why `s` is not a DNS-1123 subdomain (at most 253 characters; dot-separated DNS-1123 labels).
///
/// # Examples
///
/// ```
/// use podspec::validate::names::dns1123_subdomain_errors;
/// assert!(dns1123_subdomain_errors("example.com").is_empty());
/// assert!(!dns1123_subdomain_errors("example..com").is_empty());
/// ```
pub fn dns1123_subdomain_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > DNS1123_SUBDOMAIN_MAX_LEN {
        errs.push(max_len(DNS1123_SUBDOMAIN_MAX_LEN));
    }
    if !s.as_bytes().split(|b| *b == b'.').all(matches_label_bytes) {
        errs.push(SUBDOMAIN_MSG.to_owned());
    }
    errs
}

/// Whether `s` is a DNS-1123 subdomain.
///
/// # Examples
///
/// ```
/// assert!(podspec::validate::names::is_dns1123_subdomain("a.b-c.d"));
/// assert!(!podspec::validate::names::is_dns1123_subdomain("A.b"));
/// ```
pub fn is_dns1123_subdomain(s: &str) -> bool {
    dns1123_subdomain_errors(s).is_empty()
}

/// Why `s` is not a qualified name (a label key): an optional DNS-1123 subdomain prefix and
/// `/`, then a name part of at most 63 characters matching
/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
///
/// # Examples
///
/// ```
/// use podspec::validate::names::qualified_name_errors;
/// assert!(qualified_name_errors("example.com/MyName").is_empty());
/// assert!(!qualified_name_errors("Example.com/name").is_empty());
/// assert!(!qualified_name_errors("a/b/c").is_empty());
/// ```
pub fn qualified_name_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let name = match s.split_once('/') {
        None => s,
        Some((prefix, name)) if !name.contains('/') => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_owned());
            } else {
                errs.extend(
                    dns1123_subdomain_errors(prefix)
                        .into_iter()
                        .map(|m| format!("prefix part {m}")),
                );
            }
            name
        }
        Some(_) => {
            errs.push(format!("a qualified name {QUALIFIED_NAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_owned());
    } else if name.len() > DNS1123_LABEL_MAX_LEN {
        errs.push(format!("name part {}", max_len(DNS1123_LABEL_MAX_LEN)));
    }
    if !name.is_empty() && !matches_qualified_name_pattern(name) {
        errs.push(format!("name part {QUALIFIED_NAME_MSG}"));
    }
    errs
}

/// Whether `s` is a qualified name.
///
/// # Examples
///
/// ```
/// assert!(podspec::validate::names::is_qualified_name("app.kubernetes.io/name"));
/// assert!(!podspec::validate::names::is_qualified_name("/name"));
/// ```
pub fn is_qualified_name(s: &str) -> bool {
    qualified_name_errors(s).is_empty()
}

/// Why `s` is not a label value: empty, or at most 63 characters matching
/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
///
/// # Examples
///
/// ```
/// use podspec::validate::names::label_value_errors;
/// assert!(label_value_errors("").is_empty());
/// assert!(label_value_errors("v1.2_x").is_empty());
/// assert!(!label_value_errors("-1").is_empty());
/// ```
pub fn label_value_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > DNS1123_LABEL_MAX_LEN {
        errs.push(max_len(DNS1123_LABEL_MAX_LEN));
    }
    if !s.is_empty() && !matches_qualified_name_pattern(s) {
        errs.push(LABEL_VALUE_MSG.to_owned());
    }
    errs
}

/// Whether `s` is a label value.
///
/// # Examples
///
/// ```
/// assert!(podspec::validate::names::is_label_value("prod"));
/// assert!(!podspec::validate::names::is_label_value("a b"));
/// ```
pub fn is_label_value(s: &str) -> bool {
    label_value_errors(s).is_empty()
}

/// Why `s` is not an environment variable name under Kubernetes' relaxed rule (the default
/// since 1.32, GA in 1.34): printable ASCII other than `=`. Emptiness is the caller's
/// `Required` error and is not reported here.
///
/// # Examples
///
/// ```
/// use podspec::validate::names::env_var_name_errors;
/// assert!(env_var_name_errors("1st var!").is_empty());
/// assert!(!env_var_name_errors("A=B").is_empty());
/// assert!(!env_var_name_errors("caf\u{e9}").is_empty());
/// ```
pub fn env_var_name_errors(s: &str) -> Vec<String> {
    if s.bytes().all(|c| (b' '..=b'~').contains(&c) && c != b'=') {
        Vec::new()
    } else {
        vec![
            "a valid environment variable name must consist only of printable ASCII characters \
             other than '='"
                .to_owned(),
        ]
    }
}

/// Whether `s` is a C identifier (`[A-Za-z_][A-Za-z0-9_]*`), the rule for names that become
/// environment variable names.
///
/// # Examples
///
/// ```
/// assert!(podspec::validate::names::is_c_identifier("MY_VAR1"));
/// assert!(!podspec::validate::names::is_c_identifier("1VAR"));
/// ```
pub fn is_c_identifier(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b.first(), Some(c) if c.is_ascii_alphabetic() || *c == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// Whether `s` is an IANA service name as Kubernetes checks a port name: at most 15
/// characters of `[-a-z0-9]`, at least one letter, no leading, trailing or double `-`.
///
/// # Examples
///
/// ```
/// assert!(podspec::validate::names::is_iana_svc_name("http"));
/// assert!(!podspec::validate::names::is_iana_svc_name("8080"));
/// assert!(!podspec::validate::names::is_iana_svc_name("a--b"));
/// ```
pub fn is_iana_svc_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 15
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.iter().any(u8::is_ascii_lowercase)
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && !s.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_longer_than_63_is_invalid() {
        assert!(is_dns1123_label(&"a".repeat(63)));
        assert_eq!(dns1123_label_errors(&"a".repeat(64)).len(), 1);
    }

    #[test]
    fn label_may_not_end_with_dash_or_hold_uppercase() {
        assert!(!is_dns1123_label("a-"));
        assert!(!is_dns1123_label("aB"));
        assert!(!is_dns1123_label(""));
        assert!(is_dns1123_label("0"));
    }

    #[test]
    fn subdomain_allows_dots_between_labels_only() {
        assert!(is_dns1123_subdomain("a.b"));
        assert!(!is_dns1123_subdomain(".a"));
        assert!(!is_dns1123_subdomain("a."));
        assert!(!is_dns1123_subdomain(""));
        assert!(!is_dns1123_subdomain(&"a".repeat(254)));
    }

    #[test]
    fn qualified_name_prefix_is_lowercase_name_may_be_uppercase() {
        assert!(is_qualified_name("MyName"));
        assert!(is_qualified_name("a.b/My_Name.x"));
        assert!(!is_qualified_name("A.b/name"));
        assert!(!is_qualified_name("a/"));
        assert!(!is_qualified_name(""));
        assert!(!is_qualified_name("_a"));
    }

    #[test]
    fn qualified_name_name_part_longer_than_63_is_invalid() {
        assert!(is_qualified_name(&"a".repeat(63)));
        assert!(!is_qualified_name(&"a".repeat(64)));
    }

    #[test]
    fn label_value_may_be_empty_but_not_signed() {
        assert!(is_label_value(""));
        assert!(!is_label_value("-1"));
        assert!(!is_label_value("+1"));
        assert!(!is_label_value(&"a".repeat(64)));
    }

    #[test]
    fn relaxed_env_name_allows_space_and_punctuation_not_equals() {
        assert!(env_var_name_errors(" a-b.c:d").is_empty());
        assert!(!env_var_name_errors("a\tb").is_empty());
        assert!(!env_var_name_errors("a=b").is_empty());
    }
}
