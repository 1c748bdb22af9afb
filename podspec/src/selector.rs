//! Kubernetes label selectors (`k8s.io/apimachinery/pkg/labels/selector.go`,
//! spec/kubernetes.md section 6).
//!
//! A selector is a comma-separated list of requirements, all of which must hold:
//!
//! | text | operator | matches when |
//! |---|---|---|
//! | `key` | [`Operator::Exists`] | `key` is present |
//! | `!key` | [`Operator::DoesNotExist`] | `key` is absent |
//! | `key=v`, `key==v` | [`Operator::Equals`], [`Operator::DoubleEquals`] | `key` is present with value `v` |
//! | `key!=v` | [`Operator::NotEquals`] | `key` is absent, or its value is not `v` |
//! | `key in (a,b)` | [`Operator::In`] | `key` is present with a value in the set |
//! | `key notin (a,b)` | [`Operator::NotIn`] | `key` is absent, or its value is not in the set |
//! | `key>n`, `key<n` | [`Operator::GreaterThan`], [`Operator::LessThan`] | `key` is present, its value is a base-10 `i64`, and it compares strictly |
//!
//! The empty string is the empty selector, which matches everything.
//!
//! # Lexing and grammar
//!
//! - Whitespace is space, tab, `\r` and `\n`. The special characters are `= ! ( ) , > <`; a run
//!   of them yields the longest operator token. Any other run of bytes is an identifier.
//! - `in` and `notin` are keywords only where an operator is expected; elsewhere (keys, values)
//!   they are identifiers: `notin=in` is a valid selector.
//! - A key followed by `,` or the end is `Exists`. `!key` is `DoesNotExist` and may not be
//!   followed by an operator (`!x=a` is an error).
//! - `key=` followed by `,` or the end has the empty value.
//! - In parentheses, empty items are the empty value: `()` is `{""}`, `(abc,)` is
//!   `{"", "abc"}`, `(, a)` is `{"", "a"}`; two values without a comma are an error.
//! - After a requirement only `,` or the end may follow, and a `,` must be followed by a key
//!   or `!`: `,x`, `x,`, `x,,y` and `a in (x)b` are errors.
//! - Keys must be qualified names and values label values (see [`crate::validate::names`]);
//!   `>`/`<` take one value that parses as an `i64`. Since a label value cannot start with
//!   `-`, negative bounds such as `x>-1` are rejected, as in Kubernetes.
//!
//! # Decisions where we differ from Kubernetes
//!
//! - Requirements are sorted by key with a **stable** sort, so requirements with the same key
//!   keep their written order (Go's `sort.Sort` leaves that order unspecified).
//! - A NUL byte is an ordinary identifier byte (and so never a valid key or value). Go's lexer
//!   takes NUL for the end of input, so Go accepts `"\0anything"` as the empty selector.
//! - The bound of `>`/`<` is stored as an `i64` and printed in canonical decimal (`x>007`
//!   prints as `x>7`).
//! - A parse reports the first error only, with its byte position and what was expected.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::str::FromStr;

use crate::validate::names::{label_value_errors, qualified_name_errors};

/// Anything that can be asked for a label's value: the labels a selector is matched against.
///
/// Implemented for `BTreeMap<String, String>`, `HashMap<String, String, S>` and references
/// to them.
///
/// # Examples
///
/// ```
/// use std::collections::BTreeMap;
/// use podspec::selector::Labels;
///
/// let labels = BTreeMap::from([("app".to_owned(), "web".to_owned())]);
/// assert_eq!(labels.label("app"), Some("web"));
/// assert_eq!(labels.label("tier"), None);
/// ```
pub trait Labels {
    /// The value of label `key`, or `None` when the label is absent.
    fn label(&self, key: &str) -> Option<&str>;
}

impl Labels for BTreeMap<String, String> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

impl<S: BuildHasher> Labels for HashMap<String, String, S> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

impl<L: Labels + ?Sized> Labels for &L {
    fn label(&self, key: &str) -> Option<&str> {
        (**self).label(key)
    }
}

/// The operator of a [`Requirement`] (Kubernetes' `selection.Operator`).
///
/// # Examples
///
/// ```
/// use podspec::selector::Operator;
/// assert_eq!(Operator::NotIn.as_str(), "notin");
/// assert_eq!(Operator::GreaterThan.as_str(), "gt");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Operator {
    /// `key in (a,b)`.
    In,
    /// `key notin (a,b)`.
    NotIn,
    /// `key=v`.
    Equals,
    /// `key==v`.
    DoubleEquals,
    /// `key!=v`.
    NotEquals,
    /// `key`.
    Exists,
    /// `!key`.
    DoesNotExist,
    /// `key>n`.
    GreaterThan,
    /// `key<n`.
    LessThan,
}

impl Operator {
    /// Kubernetes' name of the operator (`in`, `notin`, `=`, `==`, `!=`, `exists`, `!`, `gt`,
    /// `lt`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(podspec::selector::Operator::DoesNotExist.as_str(), "!");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::In => "in",
            Self::NotIn => "notin",
            Self::Equals => "=",
            Self::DoubleEquals => "==",
            Self::NotEquals => "!=",
            Self::Exists => "exists",
            Self::DoesNotExist => "!",
            Self::GreaterThan => "gt",
            Self::LessThan => "lt",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the parser expected where it found something else.
///
/// # Examples
///
/// ```
/// use podspec::selector::{Expected, Selector, SelectorError};
/// let err = Selector::parse("x,").unwrap_err();
/// assert!(matches!(err, SelectorError::Syntax { expected: Expected::KeyAfterComma, .. }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expected {
    /// `!`, a key, or the end (the start of a requirement).
    RequirementStart,
    /// A key (after `!`).
    Key,
    /// A key or `!` after `,`.
    KeyAfterComma,
    /// `,` or the end, after a requirement.
    CommaOrEnd,
    /// A binary operator: `in`, `notin`, `=`, `==`, `!=`, `>`, `<`.
    Operator,
    /// `(` after `in`/`notin`.
    OpenParen,
    /// `,`, `)` or a value, right after `(`.
    ValueListStart,
    /// `,` or `)` after a value in a list.
    CommaOrCloseParen,
    /// `,` or a value inside a list.
    ValueListItem,
    /// A value after `=`, `==`, `!=`, `>` or `<`.
    Value,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::RequirementStart => "!, identifier, or 'end of string'",
            Self::Key => "identifier",
            Self::KeyAfterComma => "identifier after ','",
            Self::CommaOrEnd => "',' or 'end of string'",
            Self::Operator => "in, notin, =, ==, !=, gt, lt",
            Self::OpenParen => "'('",
            Self::ValueListStart => "',', ')' or identifier",
            Self::CommaOrCloseParen => "',' or ')'",
            Self::ValueListItem => "',', or identifier",
            Self::Value => "identifier",
        })
    }
}

/// Why a selector or a requirement is invalid.
///
/// Positions are byte offsets into the text given to [`Selector::parse`]; errors from
/// [`Requirement::new`], which has no text, report position 0.
///
/// # Examples
///
/// ```
/// use podspec::selector::{Selector, SelectorError};
/// let err = Selector::parse("x>-1").unwrap_err();
/// assert_eq!(err.position(), 2);
/// assert!(matches!(err, SelectorError::InvalidValue { .. }));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectorError {
    /// The text does not follow the grammar.
    #[error("at byte {position}: found {}, expected: {expected}", found_text(found.as_deref()))]
    Syntax {
        /// Where the unexpected token starts.
        position: usize,
        /// The token found (`None` for the end of the text).
        found: Option<String>,
        /// What would have been accepted there.
        expected: Expected,
    },
    /// A key is not a qualified name.
    #[error("at byte {position}: invalid label key {key:?}: {reason}")]
    InvalidKey {
        /// Where the key starts.
        position: usize,
        /// The key.
        key: String,
        /// Why it is invalid, in Kubernetes' words.
        reason: String,
    },
    /// A value is not a label value.
    #[error("at byte {position}: invalid label value {value:?} for key {key:?}: {reason}")]
    InvalidValue {
        /// Where the value starts.
        position: usize,
        /// The requirement's key.
        key: String,
        /// The value.
        value: String,
        /// Why it is invalid, in Kubernetes' words.
        reason: String,
    },
    /// The value of `>`/`<` is not a base-10 `i64`.
    #[error(
        "at byte {position}: for 'Gt', 'Lt' operators, the value must be an integer, got {value:?}"
    )]
    NotAnInteger {
        /// Where the value starts.
        position: usize,
        /// The value.
        value: String,
    },
    /// The operator got the wrong number of values (only from [`Requirement::new`]; the
    /// grammar cannot produce it).
    #[error("operator {operator} takes {wanted}, got {got}")]
    ValueCount {
        /// The operator.
        operator: Operator,
        /// How many it takes, in words.
        wanted: &'static str,
        /// How many it got.
        got: usize,
    },
}

fn found_text(found: Option<&str>) -> String {
    match found {
        Some(s) => format!("'{s}'"),
        None => "'end of string'".to_owned(),
    }
}

impl SelectorError {
    /// The byte offset the error points at.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = podspec::selector::Selector::parse("a in (xyz abc)").unwrap_err();
    /// assert_eq!(err.position(), 10);
    /// ```
    pub fn position(&self) -> usize {
        match self {
            Self::Syntax { position, .. }
            | Self::InvalidKey { position, .. }
            | Self::InvalidValue { position, .. }
            | Self::NotAnInteger { position, .. } => *position,
            Self::ValueCount { .. } => 0,
        }
    }
}

/// The values of a requirement, by operator (private so the representation may change).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Test {
    In(BTreeSet<String>),
    NotIn(BTreeSet<String>),
    Equals(String),
    DoubleEquals(String),
    NotEquals(String),
    Exists,
    DoesNotExist,
    GreaterThan(i64),
    LessThan(i64),
}

/// One requirement of a selector: a key, an operator and its values.
///
/// # Examples
///
/// ```
/// use std::collections::BTreeMap;
/// use podspec::selector::{Operator, Requirement};
///
/// let r = Requirement::new("tier", Operator::NotIn, &["db", "cache"]).unwrap();
/// assert_eq!(r.to_string(), "tier notin (cache,db)");
/// assert!(r.matches(&BTreeMap::new())); // notin matches an absent key
/// assert!(Requirement::new("x", Operator::In, &[] as &[&str]).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Requirement {
    key: String,
    test: Test,
}

impl Requirement {
    /// Builds a requirement, checking it as Kubernetes' `NewRequirement` does: the key is a
    /// qualified name; `in`/`notin` take at least one value, `=`/`==`/`!=` exactly one,
    /// `exists`/`!` none, `gt`/`lt` exactly one that parses as an `i64`; every value is a label
    /// value. Duplicate values of `in`/`notin` collapse.
    ///
    /// # Errors
    ///
    /// The first rule broken, as a [`SelectorError`] at position 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::selector::{Operator, Requirement};
    /// assert!(Requirement::new("y", Operator::GreaterThan, &["1"]).is_ok());
    /// assert!(Requirement::new("foo", Operator::GreaterThan, &["bar"]).is_err());
    /// ```
    pub fn new<S: AsRef<str>>(
        key: impl Into<String>,
        operator: Operator,
        values: &[S],
    ) -> Result<Self, SelectorError> {
        let key = key.into();
        let values: Vec<(&str, usize)> = values.iter().map(|v| (v.as_ref(), 0)).collect();
        build(key, 0, operator, &values)
    }

    /// The key.
    ///
    /// # Examples
    ///
    /// ```
    /// let r = podspec::selector::Requirement::new("app", podspec::selector::Operator::Exists, &[] as &[&str]).unwrap();
    /// assert_eq!(r.key(), "app");
    /// ```
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The operator.
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::selector::{Operator, Selector};
    /// let s = Selector::parse("x==a").unwrap();
    /// assert_eq!(s.requirements()[0].operator(), Operator::DoubleEquals);
    /// ```
    pub fn operator(&self) -> Operator {
        match self.test {
            Test::In(_) => Operator::In,
            Test::NotIn(_) => Operator::NotIn,
            Test::Equals(_) => Operator::Equals,
            Test::DoubleEquals(_) => Operator::DoubleEquals,
            Test::NotEquals(_) => Operator::NotEquals,
            Test::Exists => Operator::Exists,
            Test::DoesNotExist => Operator::DoesNotExist,
            Test::GreaterThan(_) => Operator::GreaterThan,
            Test::LessThan(_) => Operator::LessThan,
        }
    }

    /// The values, sorted (empty for `exists` and `!`; the bound in decimal for `gt`/`lt`).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = podspec::selector::Selector::parse("x in (b,a,)").unwrap();
    /// assert_eq!(s.requirements()[0].values(), vec!["", "a", "b"]);
    /// ```
    pub fn values(&self) -> Vec<String> {
        match &self.test {
            Test::In(set) | Test::NotIn(set) => set.iter().cloned().collect(),
            Test::Equals(v) | Test::DoubleEquals(v) | Test::NotEquals(v) => vec![v.clone()],
            Test::Exists | Test::DoesNotExist => Vec::new(),
            Test::GreaterThan(n) | Test::LessThan(n) => vec![n.to_string()],
        }
    }

    /// Whether `labels` satisfy this requirement.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// let labels = BTreeMap::from([("x".to_owned(), "10".to_owned())]);
    /// let s = podspec::selector::Selector::parse("x>9").unwrap();
    /// assert!(s.requirements()[0].matches(&labels)); // numeric, not lexical
    /// ```
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        let value = labels.label(&self.key);
        match (&self.test, value) {
            (Test::Exists, v) => v.is_some(),
            (Test::DoesNotExist, v) => v.is_none(),
            (Test::In(set), Some(v)) => set.contains(v),
            (Test::Equals(want) | Test::DoubleEquals(want), Some(v)) => want == v,
            (Test::In(_) | Test::Equals(_) | Test::DoubleEquals(_), None) => false,
            (Test::NotIn(set), Some(v)) => !set.contains(v),
            (Test::NotEquals(want), Some(v)) => want != v,
            (Test::NotIn(_) | Test::NotEquals(_), None) => true,
            (Test::GreaterThan(bound), Some(v)) => v.parse::<i64>().is_ok_and(|n| n > *bound),
            (Test::LessThan(bound), Some(v)) => v.parse::<i64>().is_ok_and(|n| n < *bound),
            (Test::GreaterThan(_) | Test::LessThan(_), None) => false,
        }
    }
}

/// Checks and builds one requirement; `values` carry their byte positions.
fn build(
    key: String,
    key_pos: usize,
    operator: Operator,
    values: &[(&str, usize)],
) -> Result<Requirement, SelectorError> {
    if let Some(reason) = qualified_name_errors(&key).into_iter().next() {
        return Err(SelectorError::InvalidKey {
            position: key_pos,
            key,
            reason,
        });
    }
    let count = |wanted: &'static str, ok: bool| {
        if ok {
            Ok(())
        } else {
            Err(SelectorError::ValueCount {
                operator,
                wanted,
                got: values.len(),
            })
        }
    };
    match operator {
        Operator::In | Operator::NotIn => count("at least one value", !values.is_empty())?,
        Operator::Equals | Operator::DoubleEquals | Operator::NotEquals => {
            count("exactly one value", values.len() == 1)?;
        }
        Operator::Exists | Operator::DoesNotExist => count("no values", values.is_empty())?,
        Operator::GreaterThan | Operator::LessThan => {
            count("exactly one value", values.len() == 1)?;
        }
    }
    let mut bound = 0_i64;
    if matches!(operator, Operator::GreaterThan | Operator::LessThan) {
        let (v, pos) = values[0];
        bound = parse_go_int64(v).ok_or_else(|| SelectorError::NotAnInteger {
            position: pos,
            value: v.to_owned(),
        })?;
    }
    for &(v, pos) in values {
        if let Some(reason) = label_value_errors(v).into_iter().next() {
            return Err(SelectorError::InvalidValue {
                position: pos,
                key,
                value: v.to_owned(),
                reason,
            });
        }
    }
    let set = || values.iter().map(|(v, _)| (*v).to_owned()).collect();
    let one = || values[0].0.to_owned();
    let test = match operator {
        Operator::In => Test::In(set()),
        Operator::NotIn => Test::NotIn(set()),
        Operator::Equals => Test::Equals(one()),
        Operator::DoubleEquals => Test::DoubleEquals(one()),
        Operator::NotEquals => Test::NotEquals(one()),
        Operator::Exists => Test::Exists,
        Operator::DoesNotExist => Test::DoesNotExist,
        Operator::GreaterThan => Test::GreaterThan(bound),
        Operator::LessThan => Test::LessThan(bound),
    };
    Ok(Requirement { key, test })
}

/// Go's `strconv.ParseInt(s, 10, 64)`: an optional sign, then decimal digits.
fn parse_go_int64(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, word: &str, set: &BTreeSet<String>| {
            write!(f, "{} {word} (", self.key)?;
            for (i, v) in set.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                f.write_str(v)?;
            }
            f.write_str(")")
        };
        match &self.test {
            Test::In(set) => list(f, "in", set),
            Test::NotIn(set) => list(f, "notin", set),
            Test::Equals(v) => write!(f, "{}={v}", self.key),
            Test::DoubleEquals(v) => write!(f, "{}=={v}", self.key),
            Test::NotEquals(v) => write!(f, "{}!={v}", self.key),
            Test::Exists => f.write_str(&self.key),
            Test::DoesNotExist => write!(f, "!{}", self.key),
            Test::GreaterThan(n) => write!(f, "{}>{n}", self.key),
            Test::LessThan(n) => write!(f, "{}<{n}", self.key),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Inner {
    /// All of these must hold (none: everything).
    All(Vec<Requirement>),
    /// Matches nothing.
    Nothing,
}

/// A label selector: requirements that must all hold, or [`Selector::nothing`].
///
/// `Display` is Kubernetes' canonical form: requirements sorted by key, joined by `,` without
/// spaces, except ` in `/` notin ` whose values are sorted. [`Selector::nothing`] displays as
/// the empty string, as in Kubernetes, so it is the one selector whose text does not parse
/// back to it.
///
/// # Examples
///
/// ```
/// use std::collections::BTreeMap;
/// use podspec::Selector;
///
/// let s = Selector::parse("tier notin (db), app in (web,api) ,!canary").unwrap();
/// assert_eq!(s.to_string(), "app in (api,web),!canary,tier notin (db)");
///
/// let labels = BTreeMap::from([("app".to_owned(), "web".to_owned())]);
/// assert!(s.matches(&labels));
/// assert!(Selector::everything().matches(&labels));
/// assert!(!Selector::nothing().matches(&labels));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Selector {
    inner: Inner,
}

impl Default for Selector {
    fn default() -> Self {
        Self::everything()
    }
}

impl Selector {
    /// The selector that matches everything (the empty selector).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = podspec::Selector::everything();
    /// assert!(s.is_empty());
    /// assert_eq!(s, podspec::Selector::parse("").unwrap());
    /// ```
    pub fn everything() -> Self {
        Self {
            inner: Inner::All(Vec::new()),
        }
    }

    /// The selector that matches nothing (Kubernetes' `labels.Nothing()`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// let s = podspec::Selector::nothing();
    /// assert!(!s.matches(&BTreeMap::new()));
    /// assert!(!s.is_empty());
    /// ```
    pub fn nothing() -> Self {
        Self {
            inner: Inner::Nothing,
        }
    }

    /// The selector that matches exactly these labels (`key=value` for each; Kubernetes'
    /// `ValidatedSelectorFromSet`).
    ///
    /// # Errors
    ///
    /// A key or value that is not valid, as [`SelectorError`] at position 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// let set = BTreeMap::from([("b".to_owned(), "2".to_owned()), ("a".to_owned(), "1".to_owned())]);
    /// let s = podspec::Selector::from_labels(&set).unwrap();
    /// assert_eq!(s.to_string(), "a=1,b=2");
    /// assert!(s.matches(&set));
    /// ```
    pub fn from_labels(labels: &BTreeMap<String, String>) -> Result<Self, SelectorError> {
        let reqs = labels
            .iter()
            .map(|(k, v)| Requirement::new(k.clone(), Operator::Equals, &[v]))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_requirements(reqs))
    }

    /// The selector of these requirements, sorted by key (stable: equal keys keep their order).
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::selector::{Operator, Requirement, Selector};
    /// let s = Selector::from_requirements(vec![
    ///     Requirement::new("z", Operator::Exists, &[] as &[&str]).unwrap(),
    ///     Requirement::new("a", Operator::Equals, &["1"]).unwrap(),
    /// ]);
    /// assert_eq!(s.to_string(), "a=1,z");
    /// ```
    pub fn from_requirements(mut requirements: Vec<Requirement>) -> Self {
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Self {
            inner: Inner::All(requirements),
        }
    }

    /// Parses a selector (Kubernetes' `labels.Parse`).
    ///
    /// # Errors
    ///
    /// The first syntax or validation error, with its byte position (see the module doc for
    /// the rules).
    ///
    /// # Examples
    ///
    /// ```
    /// use podspec::selector::{Expected, Selector, SelectorError};
    /// assert_eq!(Selector::parse("x in ()").unwrap().to_string(), "x in ()");
    /// let err = Selector::parse("!x=a").unwrap_err();
    /// assert_eq!(
    ///     err,
    ///     SelectorError::Syntax { position: 2, found: Some("=".into()), expected: Expected::CommaOrEnd }
    /// );
    /// ```
    pub fn parse(text: &str) -> Result<Self, SelectorError> {
        Ok(Self::from_requirements(Parser::new(text).parse()?))
    }

    /// Whether this selector restricts nothing (Kubernetes' `Empty()`): true for
    /// [`Selector::everything`], false for [`Selector::nothing`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!podspec::Selector::parse("x").unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        matches!(&self.inner, Inner::All(r) if r.is_empty())
    }

    /// Whether this is [`Selector::nothing`].
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(podspec::Selector::nothing().is_nothing());
    /// ```
    pub fn is_nothing(&self) -> bool {
        matches!(self.inner, Inner::Nothing)
    }

    /// The requirements, sorted by key (empty for both everything and nothing).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = podspec::Selector::parse("b,a").unwrap();
    /// let keys: Vec<_> = s.requirements().iter().map(|r| r.key()).collect();
    /// assert_eq!(keys, ["a", "b"]);
    /// ```
    pub fn requirements(&self) -> &[Requirement] {
        match &self.inner {
            Inner::All(r) => r,
            Inner::Nothing => &[],
        }
    }

    /// Whether `labels` satisfy every requirement.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::HashMap;
    /// let labels: HashMap<String, String> = HashMap::from([("x".into(), "a".into())]);
    /// assert!(!podspec::Selector::parse("x=a,x=b").unwrap().matches(&labels));
    /// ```
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        match &self.inner {
            Inner::All(reqs) => reqs.iter().all(|r| r.matches(labels)),
            Inner::Nothing => false,
        }
    }
}

impl FromStr for Selector {
    type Err = SelectorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.requirements().iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

/// A lexer token (Kubernetes' `Token`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    End,
    ClosePar,
    Comma,
    Bang,
    DoubleEquals,
    Equals,
    Greater,
    Identifier,
    In,
    Less,
    NotEquals,
    NotIn,
    OpenPar,
}

/// A token with its text and byte position.
#[derive(Clone, Copy, Debug)]
struct Item<'a> {
    tok: Tok,
    text: &'a str,
    pos: usize,
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

fn special_token(s: &str) -> Option<Tok> {
    Some(match s {
        ")" => Tok::ClosePar,
        "," => Tok::Comma,
        "!" => Tok::Bang,
        "==" => Tok::DoubleEquals,
        "=" => Tok::Equals,
        ">" => Tok::Greater,
        "<" => Tok::Less,
        "!=" => Tok::NotEquals,
        "(" => Tok::OpenPar,
        _ => return None,
    })
}

/// Splits `text` into tokens, ending with [`Tok::End`].
fn lex(text: &str) -> Vec<Item<'_>> {
    let b = text.as_bytes();
    let mut items = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && is_whitespace(b[i]) {
            i += 1;
        }
        if i == b.len() {
            items.push(Item {
                tok: Tok::End,
                text: "",
                pos: i,
            });
            return items;
        }
        let start = i;
        if is_special(b[i]) {
            // Longest run of special characters that is a token. Every single special
            // character is a token, so this always yields one.
            let mut end = i + 1;
            let mut tok = special_token(&text[i..end]).unwrap_or(Tok::Identifier);
            while end < b.len() && is_special(b[end]) {
                match special_token(&text[start..=end]) {
                    Some(t) => {
                        tok = t;
                        end += 1;
                    }
                    None => break,
                }
            }
            i = end;
            items.push(Item {
                tok,
                text: &text[start..end],
                pos: start,
            });
        } else {
            while i < b.len() && !is_special(b[i]) && !is_whitespace(b[i]) {
                i += 1;
            }
            let word = &text[start..i];
            let tok = match word {
                "in" => Tok::In,
                "notin" => Tok::NotIn,
                _ => Tok::Identifier,
            };
            items.push(Item {
                tok,
                text: word,
                pos: start,
            });
        }
    }
}

/// Whether `in`/`notin` are keywords (operator position) or identifiers (everywhere else).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    KeyAndOperator,
    Values,
}

struct Parser<'a> {
    items: Vec<Item<'a>>,
    at: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            items: lex(text),
            at: 0,
        }
    }

    fn peek(&self, ctx: Context) -> Item<'a> {
        // `lex` always ends with `End`, and the parser never consumes past it.
        let mut item = self.items[self.at.min(self.items.len() - 1)];
        if ctx == Context::Values && matches!(item.tok, Tok::In | Tok::NotIn) {
            item.tok = Tok::Identifier;
        }
        item
    }

    fn next(&mut self, ctx: Context) -> Item<'a> {
        let item = self.peek(ctx);
        if item.tok != Tok::End {
            self.at += 1;
        }
        item
    }

    fn unexpected(item: Item<'_>, expected: Expected) -> SelectorError {
        SelectorError::Syntax {
            position: item.pos,
            found: (item.tok != Tok::End).then(|| item.text.to_owned()),
            expected,
        }
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, SelectorError> {
        let mut reqs = Vec::new();
        loop {
            let item = self.peek(Context::Values);
            match item.tok {
                Tok::Identifier | Tok::Bang => {
                    reqs.push(self.requirement()?);
                    let after = self.next(Context::Values);
                    match after.tok {
                        Tok::End => return Ok(reqs),
                        Tok::Comma => {
                            let next = self.peek(Context::Values);
                            if !matches!(next.tok, Tok::Identifier | Tok::Bang) {
                                return Err(Self::unexpected(next, Expected::KeyAfterComma));
                            }
                        }
                        _ => return Err(Self::unexpected(after, Expected::CommaOrEnd)),
                    }
                }
                Tok::End => return Ok(reqs),
                _ => return Err(Self::unexpected(item, Expected::RequirementStart)),
            }
        }
    }

    fn requirement(&mut self) -> Result<Requirement, SelectorError> {
        let mut key = self.next(Context::Values);
        let negated = key.tok == Tok::Bang;
        if negated {
            key = self.next(Context::Values);
        }
        if key.tok != Tok::Identifier {
            return Err(Self::unexpected(key, Expected::Key));
        }
        if let Some(reason) = qualified_name_errors(key.text).into_iter().next() {
            return Err(SelectorError::InvalidKey {
                position: key.pos,
                key: key.text.to_owned(),
                reason,
            });
        }
        let follows = self.peek(Context::Values).tok;
        if negated {
            return build(key.text.to_owned(), key.pos, Operator::DoesNotExist, &[]);
        }
        if matches!(follows, Tok::End | Tok::Comma) {
            return build(key.text.to_owned(), key.pos, Operator::Exists, &[]);
        }
        let op_item = self.next(Context::KeyAndOperator);
        let operator = match op_item.tok {
            Tok::In => Operator::In,
            Tok::NotIn => Operator::NotIn,
            Tok::Equals => Operator::Equals,
            Tok::DoubleEquals => Operator::DoubleEquals,
            Tok::NotEquals => Operator::NotEquals,
            Tok::Greater => Operator::GreaterThan,
            Tok::Less => Operator::LessThan,
            _ => return Err(Self::unexpected(op_item, Expected::Operator)),
        };
        let values = match operator {
            Operator::In | Operator::NotIn => self.value_set()?,
            _ => vec![self.exact_value()?],
        };
        build(key.text.to_owned(), key.pos, operator, &values)
    }

    /// `( values )`; empty items are the empty value.
    fn value_set(&mut self) -> Result<Vec<(&'a str, usize)>, SelectorError> {
        let open = self.next(Context::Values);
        if open.tok != Tok::OpenPar {
            return Err(Self::unexpected(open, Expected::OpenParen));
        }
        let first = self.peek(Context::Values);
        match first.tok {
            Tok::ClosePar => {
                self.next(Context::Values);
                Ok(vec![("", first.pos)])
            }
            Tok::Identifier | Tok::Comma => {
                let values = self.value_list()?;
                // `value_list` returns only with `)` next.
                self.next(Context::Values);
                Ok(values)
            }
            _ => Err(Self::unexpected(first, Expected::ValueListStart)),
        }
    }

    fn value_list(&mut self) -> Result<Vec<(&'a str, usize)>, SelectorError> {
        let mut values = Vec::new();
        loop {
            let item = self.next(Context::Values);
            match item.tok {
                Tok::Identifier => {
                    values.push((item.text, item.pos));
                    let after = self.peek(Context::Values);
                    match after.tok {
                        Tok::Comma => {}
                        Tok::ClosePar => return Ok(values),
                        _ => return Err(Self::unexpected(after, Expected::CommaOrCloseParen)),
                    }
                }
                Tok::Comma => {
                    if values.is_empty() {
                        values.push(("", item.pos));
                    }
                    let after = self.peek(Context::Values);
                    if after.tok == Tok::ClosePar {
                        values.push(("", after.pos));
                        return Ok(values);
                    }
                    if after.tok == Tok::Comma {
                        self.next(Context::Values);
                        values.push(("", after.pos));
                    }
                }
                _ => return Err(Self::unexpected(item, Expected::ValueListItem)),
            }
        }
    }

    fn exact_value(&mut self) -> Result<(&'a str, usize), SelectorError> {
        let item = self.peek(Context::Values);
        if matches!(item.tok, Tok::End | Tok::Comma) {
            return Ok(("", item.pos));
        }
        let item = self.next(Context::Values);
        if item.tok == Tok::Identifier {
            Ok((item.text, item.pos))
        } else {
            Err(Self::unexpected(item, Expected::Value))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).into_iter().map(|i| i.tok).collect()
    }

    /// Kubernetes' `TestLexer`: the first token of each string (longest operator wins;
    /// non-special characters are identifiers).
    #[test]
    fn test_lexer() {
        let cases = [
            ("", Tok::End),
            (",", Tok::Comma),
            ("notin", Tok::NotIn),
            ("in", Tok::In),
            ("=", Tok::Equals),
            ("==", Tok::DoubleEquals),
            (">", Tok::Greater),
            ("<", Tok::Less),
            ("!", Tok::Bang),
            ("!=", Tok::NotEquals),
            ("(", Tok::OpenPar),
            (")", Tok::ClosePar),
            ("~", Tok::Identifier),
            ("||", Tok::Identifier),
        ];
        for (s, want) in cases {
            let first = lex(s)[0];
            assert_eq!(first.tok, want, "{s:?}");
            assert_eq!(first.text, s, "{s:?}");
        }
    }

    /// Kubernetes' `TestLexerSequence` / `TestParserLookahead`.
    #[test]
    fn test_lexer_sequence() {
        use Tok::*;
        let cases: [(&str, &[Tok]); 10] = [
            (
                "key in ( value )",
                &[Identifier, In, OpenPar, Identifier, ClosePar],
            ),
            (
                "key notin ( value )",
                &[Identifier, NotIn, OpenPar, Identifier, ClosePar],
            ),
            (
                "key in ( value1, value2 )",
                &[
                    Identifier, In, OpenPar, Identifier, Comma, Identifier, ClosePar,
                ],
            ),
            ("key", &[Identifier]),
            ("!key", &[Bang, Identifier]),
            ("()", &[OpenPar, ClosePar]),
            (
                "x in (),y",
                &[Identifier, In, OpenPar, ClosePar, Comma, Identifier],
            ),
            (
                "== != (), = notin",
                &[
                    DoubleEquals,
                    NotEquals,
                    OpenPar,
                    ClosePar,
                    Comma,
                    Equals,
                    NotIn,
                ],
            ),
            ("key>2", &[Identifier, Greater, Identifier]),
            ("key<1", &[Identifier, Less, Identifier]),
        ];
        for (s, want) in cases {
            let mut want = want.to_vec();
            want.push(End);
            assert_eq!(toks(s), want, "{s:?}");
        }
    }

    #[test]
    fn lexer_run_of_specials_splits_at_longest_token() {
        assert_eq!(
            toks("!==(("),
            [
                Tok::NotEquals,
                Tok::Equals,
                Tok::OpenPar,
                Tok::OpenPar,
                Tok::End
            ]
        );
    }

    #[test]
    fn lexer_positions_are_byte_offsets() {
        let items = lex(" é=\tb");
        assert_eq!(items[0].pos, 1);
        assert_eq!(items[1].pos, 3);
        assert_eq!(items[2].pos, 5);
    }

    #[test]
    fn nul_byte_is_an_identifier_byte_not_the_end() {
        assert!(Selector::parse("\0x").is_err());
    }
}
