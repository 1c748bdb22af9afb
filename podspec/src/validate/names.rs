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

/// `[a-z0-9]`.
const LD: u8 = 1;
/// `-`.
const DASH: u8 = 2;
/// `.`.
const DOT: u8 = 4;
/// `[A-Z]`.
const UPPER: u8 = 8;
/// `_`.
const UNDERSCORE: u8 = 16;
/// Printable ASCII other than `=` (relaxed environment variable names).
const ENV: u8 = 32;
/// `[a-z]`.
const LOWER: u8 = 64;
/// `[A-Za-z0-9]`.
const ALNUM: u8 = LD | UPPER;
/// A qualified name's name part and a label value: `[-A-Za-z0-9_.]`.
const QUALIFIED: u8 = ALNUM | DASH | UNDERSCORE | DOT;

/// The classes of each byte, so that each name rule is one table lookup a byte (non-ASCII
/// bytes are in no class).
static CLASS: [u8; 256] = {
    let mut t = [0_u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let mut k = 0;
        if c.is_ascii_lowercase() {
            k |= LD | LOWER;
        }
        if c.is_ascii_digit() {
            k |= LD;
        }
        if c.is_ascii_uppercase() {
            k |= UPPER;
        }
        match c {
            b'-' => k |= DASH,
            b'.' => k |= DOT,
            b'_' => k |= UNDERSCORE,
            _ => {}
        }
        if c >= b' ' && c <= b'~' && c != b'=' {
            k |= ENV;
        }
        t[i] = k;
        i += 1;
    }
    t
};

/// The classes of byte `c`.
#[inline]
fn class(c: u8) -> u8 {
    CLASS[usize::from(c)]
}

/// Whether every byte of `b` is in one of the classes of `mask`.
#[inline]
fn all_in(b: &[u8], mask: u8) -> bool {
    b.iter().all(|&c| class(c) & mask != 0)
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?` over the whole of `b`, at most `max` bytes long.
#[inline]
fn is_label_bytes(b: &[u8], max: usize) -> bool {
    match b {
        [first, .., last] | [first @ last] => {
            b.len() <= max && class(*first) & class(*last) & LD != 0 && all_in(b, LD | DASH)
        }
        [] => false,
    }
}

/// Dot-separated `[a-z0-9]([-a-z0-9]*[a-z0-9])?` parts over the whole of `b`, in one pass,
/// with `alnum` the class a part's ends belong to (`LD`; `ALNUM` to take upper case as
/// lower). Every part is non-empty and begins and ends with `alnum` exactly when the first
/// and last bytes and the bytes either side of each dot are `alnum`.
fn is_subdomain_bytes(b: &[u8], alnum: u8) -> bool {
    // As if a dot preceded the first byte: it must then be `alnum`.
    let mut prev = DOT;
    for &c in b {
        let k = class(c);
        if k & (alnum | DASH | DOT) == 0
            || (k & DOT != 0 && prev & alnum == 0)
            || (prev & DOT != 0 && k & alnum == 0)
        {
            return false;
        }
        prev = k;
    }
    prev & alnum != 0
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]` over the whole of `b`, at most 63 bytes.
#[inline]
fn is_qualified_part(b: &[u8]) -> bool {
    match b {
        [first, .., last] | [first @ last] => {
            b.len() <= DNS1123_LABEL_MAX_LEN
                && class(*first) & ALNUM != 0
                && class(*last) & ALNUM != 0
                && all_in(b, QUALIFIED)
        }
        [] => false,
    }
}

/// A qualified name, with the prefix's letters taken in either case when `prefix_alnum` is
/// `ALNUM` (the check of lower-cased annotation keys, without the copy).
#[inline]
fn is_qualified_bytes(b: &[u8], prefix_alnum: u8) -> bool {
    // The common case, no prefix: '/' is no qualified-name byte.
    if all_in(b, QUALIFIED) {
        return match b {
            [first, .., last] | [first @ last] => {
                b.len() <= DNS1123_LABEL_MAX_LEN
                    && class(*first) & ALNUM != 0
                    && class(*last) & ALNUM != 0
            }
            [] => false,
        };
    }
    is_prefixed_qualified_bytes(b, prefix_alnum)
}

/// [`is_qualified_bytes`] for names with a byte outside the name part's alphabet (a prefix,
/// or an error).
#[inline(never)]
fn is_prefixed_qualified_bytes(b: &[u8], prefix_alnum: u8) -> bool {
    match b.iter().position(|&c| c == b'/') {
        None => is_qualified_part(b),
        // A second '/' is not a qualified-name byte: the name part fails.
        Some(slash) => {
            let (prefix, name) = (&b[..slash], &b[slash + 1..]);
            !prefix.is_empty()
                && prefix.len() <= DNS1123_SUBDOMAIN_MAX_LEN
                && is_subdomain_bytes(prefix, prefix_alnum)
                && is_qualified_part(name)
        }
    }
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
#[inline]
pub fn is_dns1123_label(s: &str) -> bool {
    is_label_bytes(s.as_bytes(), DNS1123_LABEL_MAX_LEN)
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
#[inline]
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= DNS1123_SUBDOMAIN_MAX_LEN && is_subdomain_bytes(s.as_bytes(), LD)
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
#[inline]
pub fn is_qualified_name(s: &str) -> bool {
    is_qualified_bytes(s.as_bytes(), LD)
}

/// Whether `s` lower-cased ([`str::to_ascii_lowercase`]) is a qualified name: Kubernetes'
/// check of annotation keys, without the copy.
///
/// # Examples
///
/// ```
/// use podspec::validate::names::is_qualified_name_ignoring_case;
/// assert!(is_qualified_name_ignoring_case("Example.COM/Name"));
/// assert!(!is_qualified_name_ignoring_case("Example.COM/"));
/// ```
#[inline]
pub fn is_qualified_name_ignoring_case(s: &str) -> bool {
    is_qualified_bytes(s.as_bytes(), ALNUM)
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
#[inline]
pub fn is_label_value(s: &str) -> bool {
    s.is_empty() || is_qualified_part(s.as_bytes())
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
    if is_env_var_name(s) {
        Vec::new()
    } else {
        vec![
            "a valid environment variable name must consist only of printable ASCII characters \
             other than '='"
                .to_owned(),
        ]
    }
}

/// Whether `s` is an environment variable name under the relaxed rule (see
/// [`env_var_name_errors`]; the empty string passes, being the caller's `Required`).
///
/// # Examples
///
/// ```
/// use podspec::validate::names::is_env_var_name;
/// assert!(is_env_var_name("1st var!"));
/// assert!(!is_env_var_name("A=B"));
/// ```
#[inline]
pub fn is_env_var_name(s: &str) -> bool {
    all_in(s.as_bytes(), ENV)
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
    match s.as_bytes() {
        [] => false,
        b => class(b[0]) & (LOWER | UPPER | UNDERSCORE) != 0 && all_in(b, ALNUM | UNDERSCORE),
    }
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
    if b.is_empty() || b.len() > 15 {
        return false;
    }
    // As if a dash preceded the first byte: a leading dash is then a double one.
    let (mut prev, mut any) = (DASH, 0);
    for &c in b {
        let k = class(c);
        if k & (LD | DASH) == 0 || k & prev & DASH != 0 {
            return false;
        }
        any |= k;
        prev = k;
    }
    any & LOWER != 0 && prev & DASH == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Strings over the bytes the rules care about, weighted towards valid names, at lengths
    /// around each limit; and any string at all.
    fn names() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            20 => Just('a'),
            4 => Just('z'),
            5 => Just('0'),
            2 => Just('9'),
            4 => Just('-'),
            4 => Just('.'),
            2 => Just('A'),
            1 => Just('Z'),
            2 => Just('_'),
            2 => Just('/'),
            1 => Just('='),
            1 => Just(' '),
            1 => Just('~'),
            1 => Just('\t'),
            1 => Just('\u{7f}'),
            1 => Just('\u{e9}'),
            1 => Just('\u{0}'),
        ];
        let of = |n: std::ops::Range<usize>| {
            proptest::collection::vec(c.clone(), n).prop_map(|v| v.into_iter().collect::<String>())
        };
        prop_oneof![
            of(0..20),
            of(10..20),
            of(58..70),
            of(248..260),
            any::<String>()
        ]
    }

    /// Kubernetes' IANA service name rule written out (the earlier implementation).
    fn reference_iana(s: &str) -> bool {
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

    /// `[A-Za-z_][A-Za-z0-9_]*` written out.
    fn reference_c_identifier(s: &str) -> bool {
        let b = s.as_bytes();
        matches!(b.first(), Some(c) if c.is_ascii_alphabetic() || *c == b'_')
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
    }

    /// A DNS-1123 subdomain as the rule says it: at most 253 bytes, split on dots, each part
    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
    fn reference_subdomain(s: &str) -> bool {
        let part = |p: &str| {
            let ld = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
            p.starts_with(ld) && p.ends_with(ld) && p.chars().all(|c| ld(c) || c == '-')
        };
        s.len() <= 253 && s.split('.').all(part)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// The one-pass checks agree with the rules' error lists (which say why) and with
        /// the rules written out.
        #[test]
        fn fast_checks_agree_with_the_error_lists(s in names()) {
            prop_assert_eq!(is_dns1123_label(&s), dns1123_label_errors(&s).is_empty());
            prop_assert_eq!(is_dns1123_subdomain(&s), dns1123_subdomain_errors(&s).is_empty());
            prop_assert_eq!(is_dns1123_subdomain(&s), reference_subdomain(&s));
            prop_assert_eq!(is_qualified_name(&s), qualified_name_errors(&s).is_empty());
            prop_assert_eq!(
                is_qualified_name_ignoring_case(&s),
                qualified_name_errors(&s.to_ascii_lowercase()).is_empty()
            );
            prop_assert_eq!(is_label_value(&s), label_value_errors(&s).is_empty());
            prop_assert_eq!(is_env_var_name(&s), env_var_name_errors(&s).is_empty());
            prop_assert_eq!(
                is_env_var_name(&s),
                s.bytes().all(|c| (b' '..=b'~').contains(&c) && c != b'=')
            );
            prop_assert_eq!(is_iana_svc_name(&s), reference_iana(&s));
            prop_assert_eq!(is_c_identifier(&s), reference_c_identifier(&s));
        }
    }

    #[test]
    fn fast_checks_at_the_edges() {
        for (s, label, subdomain) in [
            ("a", true, true),
            ("a.b", false, true),
            ("a-.b", false, false),
            ("a.-b", false, false),
            ("a..b", false, false),
            (".", false, false),
            ("-", false, false),
            ("0-0", true, true),
        ] {
            assert_eq!(is_dns1123_label(s), label, "{s}");
            assert_eq!(is_dns1123_subdomain(s), subdomain, "{s}");
        }
        assert!(is_qualified_name("a/B"));
        assert!(!is_qualified_name("a/b/c"));
        assert!(!is_qualified_name("aB/b"));
        assert!(is_qualified_name_ignoring_case("aB/b"));
        assert!(is_qualified_name("a_B"));
        assert!(!is_qualified_name("a_"));
        assert!(is_iana_svc_name("a-b"));
        assert!(!is_iana_svc_name("-ab"));
        assert!(!is_iana_svc_name("ab-"));
        assert!(!is_iana_svc_name("a--b"));
        assert!(!is_iana_svc_name("1-2"));
        assert!(!is_iana_svc_name("abcdefghijklmnop"));
        assert!(is_c_identifier("_"));
        assert!(!is_c_identifier(""));
    }

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
