//! Label selectors against Kubernetes' own test tables
//! (`staging/src/k8s.io/apimachinery/pkg/labels/selector_test.go`), one test per table, plus one
//! test per rule of spec/kubernetes.md section 6 and the selector items of section 9.

use std::collections::BTreeMap;

use podspec::selector::{Expected, Operator, Requirement, Selector, SelectorError};

fn set(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn req(key: &str, op: Operator, values: &[&str]) -> Requirement {
    Requirement::new(key, op, values)
        .unwrap_or_else(|e| panic!("requirement {key} {op} {values:?}: {e}"))
}

fn parse(s: &str) -> Selector {
    Selector::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn matches(selector: &str, labels: &[(&str, &str)]) -> bool {
    parse(selector).matches(&set(labels))
}

// ---------------------------------------------------------------------------------------------
// Kubernetes' tables.

/// `TestSelectorParse`: good strings re-print as themselves without spaces; bad strings fail.
#[test]
fn test_selector_parse() {
    let good = [
        "x=a,y=b,z=c",
        "",
        "x!=a,y=b",
        "x=",
        "x= ",
        "x=,z= ",
        "x= ,z= ",
        "!x",
        "x>1",
        "x>1,z<5",
    ];
    for s in good {
        assert_eq!(parse(s).to_string(), s.replace(' ', ""), "{s:?}");
    }
    for s in ["x=a||y=b", "x==a==b", "!x=a", "x<a"] {
        assert!(Selector::parse(s).is_err(), "{s:?} parsed");
    }
}

/// `TestDeterministicParse`.
#[test]
fn test_deterministic_parse() {
    assert_eq!(parse("x=a,a=x").to_string(), parse("a=x,x=a").to_string());
    assert_eq!(parse("x=a,a=x"), parse("a=x,x=a"));
}

/// `TestEverything`.
#[test]
fn test_everything() {
    assert!(Selector::everything().matches(&set(&[("x", "y")])));
    assert!(Selector::everything().is_empty());
}

/// `TestSelectorMatches`.
#[test]
fn test_selector_matches() {
    assert!(matches("", &[("x", "y")]));
    assert!(matches("x=y", &[("x", "y")]));
    assert!(matches("x=y,z=w", &[("x", "y"), ("z", "w")]));
    assert!(matches("x!=y,z!=w", &[("x", "z"), ("z", "a")]));
    assert!(matches("notin=in", &[("notin", "in")]));
    assert!(matches("x", &[("x", "z")]));
    assert!(matches("!x", &[("y", "z")]));
    assert!(matches("x>1", &[("x", "2")]));
    assert!(matches("x<1", &[("x", "0")]));
    assert!(!matches("x=z", &[]));
    assert!(!matches("x=y", &[("x", "z")]));
    assert!(!matches("x=y,z=w", &[("x", "w"), ("z", "w")]));
    assert!(!matches("x!=y,z!=w", &[("x", "z"), ("z", "w")]));
    assert!(!matches("x", &[("y", "z")]));
    assert!(!matches("!x", &[("x", "z")]));
    assert!(!matches("x>1", &[("x", "0")]));
    assert!(!matches("x<1", &[("x", "2")]));

    let labels = [("foo", "bar"), ("baz", "blah")];
    assert!(matches("foo=bar", &labels));
    assert!(matches("baz=blah", &labels));
    assert!(matches("foo=bar,baz=blah", &labels));
    assert!(!matches("foo=blah", &labels));
    assert!(!matches("baz=bar", &labels));
    assert!(!matches("foo=bar,foobar=bar,baz=blah", &labels));
}

/// `TestSetMatches` (`SelectorFromSet`).
#[test]
fn test_set_matches() {
    let labels = set(&[("foo", "bar"), ("baz", "blah")]);
    for s in [
        set(&[]),
        set(&[("foo", "bar")]),
        set(&[("baz", "blah")]),
        set(&[("foo", "bar"), ("baz", "blah")]),
    ] {
        assert!(Selector::from_labels(&s).unwrap().matches(&labels), "{s:?}");
    }
    assert!(Selector::from_labels(&set(&[])).unwrap().is_empty());
}

/// `TestValidatedSelectorFromSet`: a value longer than 63 characters is rejected.
#[test]
fn test_validated_selector_from_set() {
    let s = Selector::from_labels(&set(&[("key", "val")])).unwrap();
    assert_eq!(s.requirements(), [req("key", Operator::Equals, &["val"])]);
    let long = "axahm2EJ8Phiephe2eixohbee9eGeiyees1thuozi1xoh0GiuH3diewi8iem7Nui";
    let err = Selector::from_labels(&set(&[("Key", long)])).unwrap_err();
    match err {
        SelectorError::InvalidValue { key, reason, .. } => {
            assert_eq!(key, "Key");
            assert_eq!(reason, "must be no more than 63 characters");
        }
        other => panic!("{other:?}"),
    }
}

/// `TestRequirementConstructor`.
#[test]
fn test_requirement_constructor() {
    let cases: &[(&str, Operator, &[&str], bool)] = &[
        ("x", Operator::In, &[], false),
        ("x", Operator::NotIn, &[], false),
        ("x", Operator::In, &["foo"], true),
        ("x", Operator::NotIn, &["foo"], true),
        ("x", Operator::Exists, &[], true),
        ("x", Operator::DoesNotExist, &[], true),
        ("1foo", Operator::In, &["bar"], true),
        ("1234", Operator::In, &["bar"], true),
        ("y", Operator::GreaterThan, &["1"], true),
        ("z", Operator::LessThan, &["6"], true),
        ("foo", Operator::GreaterThan, &["bar"], false),
        ("barz", Operator::LessThan, &["blah"], false),
    ];
    for (key, op, values, ok) in cases {
        assert_eq!(
            Requirement::new(*key, *op, values).is_ok(),
            *ok,
            "{key} {op} {values:?}"
        );
    }
    let long = "a".repeat(254);
    assert!(Requirement::new(long, Operator::Exists, &[] as &[&str]).is_err());
}

/// `TestToString`.
#[test]
fn test_to_string() {
    let cases = [
        (
            vec![
                req("x", Operator::In, &["abc", "def"]),
                req("y", Operator::NotIn, &["jkl"]),
                req("z", Operator::Exists, &[]),
            ],
            "x in (abc,def),y notin (jkl),z",
        ),
        (
            vec![
                req("x", Operator::NotIn, &["abc", "def"]),
                req("y", Operator::NotEquals, &["jkl"]),
                req("z", Operator::DoesNotExist, &[]),
            ],
            "x notin (abc,def),y!=jkl,!z",
        ),
        (
            vec![
                req("x", Operator::NotIn, &["abc"]),
                req("y", Operator::In, &["jkl", "mno"]),
                req("z", Operator::NotIn, &[""]),
            ],
            "x notin (abc),y in (jkl,mno),z notin ()",
        ),
        (
            vec![
                req("x", Operator::Equals, &["abc"]),
                req("y", Operator::DoubleEquals, &["jkl"]),
                req("z", Operator::NotEquals, &["a"]),
                req("z", Operator::Exists, &[]),
            ],
            "x=abc,y==jkl,z!=a,z",
        ),
        (
            vec![
                req("x", Operator::GreaterThan, &["2"]),
                req("y", Operator::LessThan, &["8"]),
                req("z", Operator::Exists, &[]),
            ],
            "x>2,y<8,z",
        ),
    ];
    for (reqs, want) in cases {
        assert_eq!(Selector::from_requirements(reqs).to_string(), want);
    }
    // Values print sorted whatever order they were given in.
    assert_eq!(
        req("x", Operator::In, &["def", "abc"]).to_string(),
        "x in (abc,def)"
    );
}

/// `TestRequirementSelectorMatching` (the zero-value `Requirement` row cannot be built here).
#[test]
fn test_requirement_selector_matching() {
    let cases = [
        (
            set(&[("x", "foo"), ("y", "baz")]),
            vec![
                req("x", Operator::In, &["foo"]),
                req("y", Operator::NotIn, &["alpha"]),
            ],
            true,
        ),
        (
            set(&[("x", "foo"), ("y", "baz")]),
            vec![
                req("x", Operator::In, &["foo"]),
                req("y", Operator::In, &["alpha"]),
            ],
            false,
        ),
        (
            set(&[("y", "")]),
            vec![
                req("x", Operator::NotIn, &[""]),
                req("y", Operator::Exists, &[]),
            ],
            true,
        ),
        (
            set(&[("y", "")]),
            vec![
                req("x", Operator::DoesNotExist, &[]),
                req("y", Operator::Exists, &[]),
            ],
            true,
        ),
        (
            set(&[("y", "")]),
            vec![
                req("x", Operator::NotIn, &[""]),
                req("y", Operator::DoesNotExist, &[]),
            ],
            false,
        ),
        (
            set(&[("y", "baz")]),
            vec![req("x", Operator::In, &[""])],
            false,
        ),
        (
            set(&[("z", "2")]),
            vec![req("z", Operator::GreaterThan, &["1"])],
            true,
        ),
        (
            set(&[("z", "v2")]),
            vec![req("z", Operator::GreaterThan, &["1"])],
            false,
        ),
    ];
    for (labels, reqs, want) in cases {
        let s = Selector::from_requirements(reqs);
        assert_eq!(s.matches(&labels), want, "{s} on {labels:?}");
    }
}

/// `TestSetSelectorParser`: valid strings and the requirements they parse to; invalid strings.
#[test]
fn test_set_selector_parser() {
    let good: Vec<(&str, Vec<Requirement>)> = vec![
        ("", vec![]),
        ("\rx", vec![req("x", Operator::Exists, &[])]),
        (
            "this-is-a-dns.domain.com/key-with-dash",
            vec![req(
                "this-is-a-dns.domain.com/key-with-dash",
                Operator::Exists,
                &[],
            )],
        ),
        (
            "this-is-another-dns.domain.com/key-with-dash in (so,what)",
            vec![req(
                "this-is-another-dns.domain.com/key-with-dash",
                Operator::In,
                &["so", "what"],
            )],
        ),
        (
            "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
            vec![req(
                "0.1.2.domain/99",
                Operator::NotIn,
                &["10.10.100.1", "tick.tack.clock"],
            )],
        ),
        ("foo  in\t (abc)", vec![req("foo", Operator::In, &["abc"])]),
        ("x notin\n (abc)", vec![req("x", Operator::NotIn, &["abc"])]),
        (
            "x  notin\t\t\t(abc,def)",
            vec![req("x", Operator::NotIn, &["abc", "def"])],
        ),
        (
            "x in (abc,def)",
            vec![req("x", Operator::In, &["abc", "def"])],
        ),
        ("x in (abc,)", vec![req("x", Operator::In, &["abc", ""])]),
        ("x in ()", vec![req("x", Operator::In, &[""])]),
        (
            "x notin (abc,,def),bar,z in (),w",
            vec![
                req("bar", Operator::Exists, &[]),
                req("w", Operator::Exists, &[]),
                req("x", Operator::NotIn, &["abc", "", "def"]),
                req("z", Operator::In, &[""]),
            ],
        ),
        // Kubernetes marks this row "no match" because its unstable sort may put y first; our
        // sort is by key, so x comes first.
        (
            "x,y in (a)",
            vec![
                req("x", Operator::Exists, &[]),
                req("y", Operator::In, &["a"]),
            ],
        ),
        ("x=a", vec![req("x", Operator::Equals, &["a"])]),
        ("x>1", vec![req("x", Operator::GreaterThan, &["1"])]),
        ("x<7", vec![req("x", Operator::LessThan, &["7"])]),
        (
            "x=a,y!=b",
            vec![
                req("x", Operator::Equals, &["a"]),
                req("y", Operator::NotEquals, &["b"]),
            ],
        ),
        (
            "x=a,y!=b,z in (h,i,j)",
            vec![
                req("x", Operator::Equals, &["a"]),
                req("y", Operator::NotEquals, &["b"]),
                req("z", Operator::In, &["h", "i", "j"]),
            ],
        ),
        ("x notin ( )", vec![req("x", Operator::NotIn, &[""])]),
        ("x notin (, a)", vec![req("x", Operator::NotIn, &["", "a"])]),
        ("a ", vec![req("a", Operator::Exists, &[])]),
        (
            "a in (x,y,notin, z,in)",
            vec![req("a", Operator::In, &["in", "notin", "x", "y", "z"])],
        ),
    ];
    for (s, want) in good {
        assert_eq!(parse(s).requirements(), want.as_slice(), "{s:?}");
    }
    let bad = [
        "x=a||y=b",
        "x,,y",
        ",x,y",
        "x nott in (y)",
        "a in (xyz),",
        "a in (xyz)b notin ()",
        "a in (xyz abc)",
        "a notin(",
        "a (",
        "(",
    ];
    for s in bad {
        assert!(Selector::parse(s).is_err(), "{s:?} parsed");
    }
}

// ---------------------------------------------------------------------------------------------
// spec/kubernetes.md section 6, one rule per test.

fn syntax(s: &str) -> (usize, Option<String>, Expected) {
    match Selector::parse(s) {
        Err(SelectorError::Syntax {
            position,
            found,
            expected,
        }) => (position, found, expected),
        other => panic!("{s:?}: expected a syntax error, got {other:?}"),
    }
}

#[test]
fn empty_string_is_the_empty_selector_and_matches_everything() {
    let s = parse("");
    assert!(s.is_empty());
    assert!(s.matches(&set(&[])));
    assert!(s.matches(&set(&[("a", "b")])));
    assert_eq!(s, Selector::everything());
}

#[test]
fn whitespace_is_space_tab_cr_and_lf() {
    assert_eq!(parse(" \t\r\nx \t\r\n= \t\r\na \t\r\n").to_string(), "x=a");
    // Other whitespace, such as a vertical tab, is part of an identifier (and so invalid).
    assert!(Selector::parse("x=\u{b}a").is_err());
}

#[test]
fn run_of_special_characters_yields_the_longest_operator() {
    assert_eq!(
        parse("x!=a").requirements()[0].operator(),
        Operator::NotEquals
    );
    assert_eq!(
        parse("x==a").requirements()[0].operator(),
        Operator::DoubleEquals
    );
    // `=!` lexes as `=` then `!`, and `!` is not a value.
    assert_eq!(syntax("x=!a"), (2, Some("!".into()), Expected::Value));
}

#[test]
fn double_bar_is_an_identifier_so_value_validation_fails() {
    match Selector::parse("x=a||y=b").unwrap_err() {
        SelectorError::InvalidValue {
            position, value, ..
        } => {
            assert_eq!(position, 2);
            assert_eq!(value, "a||y");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn in_and_notin_are_keywords_only_in_operator_position() {
    let s = parse("in in (notin,in),notin notin (in)");
    assert_eq!(s.to_string(), "in in (in,notin),notin notin (in)");
    assert!(s.matches(&set(&[("in", "notin"), ("notin", "x")])));
    // A glued `in` is part of the key.
    assert_eq!(syntax("xin(a)"), (3, Some("(".into()), Expected::Operator));
}

#[test]
fn key_followed_by_comma_or_end_is_exists() {
    let s = parse("a,b");
    assert!(
        s.requirements()
            .iter()
            .all(|r| r.operator() == Operator::Exists)
    );
}

#[test]
fn bang_key_is_does_not_exist_and_takes_no_operator() {
    assert_eq!(
        parse("!x").requirements()[0].operator(),
        Operator::DoesNotExist
    );
    assert_eq!(syntax("!x=a"), (2, Some("=".into()), Expected::CommaOrEnd));
    assert_eq!(
        syntax("!x in (a)"),
        (3, Some("in".into()), Expected::CommaOrEnd)
    );
    assert_eq!(syntax("!"), (1, None, Expected::Key));
    assert_eq!(syntax("!!x"), (1, Some("!".into()), Expected::Key));
}

#[test]
fn key_equals_nothing_is_the_empty_value() {
    let s = parse("x=,y!=");
    assert_eq!(s.requirements()[0].values(), [""]);
    assert!(s.matches(&set(&[("x", ""), ("y", "a")])));
    assert!(!s.matches(&set(&[("x", "a")])));
}

#[test]
fn empty_parentheses_are_the_set_of_the_empty_value() {
    assert_eq!(parse("x in ()").requirements()[0].values(), [""]);
    assert_eq!(parse("x in ( )").requirements()[0].values(), [""]);
    assert_eq!(parse("x in (,)").requirements()[0].values(), [""]);
}

#[test]
fn empty_items_in_parentheses_are_the_empty_value() {
    assert_eq!(parse("x in (abc,)").requirements()[0].values(), ["", "abc"]);
    assert_eq!(parse("x in (, a)").requirements()[0].values(), ["", "a"]);
    assert_eq!(
        parse("x in (a,,b)").requirements()[0].values(),
        ["", "a", "b"]
    );
    assert_eq!(
        parse("x in (a,,,b)").requirements()[0].values(),
        ["", "a", "b"]
    );
}

/// Kubernetes' `parseIdentifiersList` consumes the second comma of `,,` and then wants a value,
/// so a list ending in `,,)` is an error while `,,` between values is not.
#[test]
fn double_comma_before_close_paren_is_an_error() {
    assert_eq!(
        syntax("x in (a,,)"),
        (9, Some(")".into()), Expected::ValueListItem)
    );
    assert_eq!(
        syntax("x in (,,)"),
        (8, Some(")".into()), Expected::ValueListItem)
    );
    assert!(Selector::parse("x in (a,,b)").is_ok());
}

#[test]
fn two_values_without_a_comma_are_an_error() {
    assert_eq!(
        syntax("a in (xyz abc)"),
        (10, Some("abc".into()), Expected::CommaOrCloseParen)
    );
}

#[test]
fn only_comma_or_end_may_follow_a_requirement() {
    assert_eq!(
        syntax("a in (x)b"),
        (8, Some("b".into()), Expected::CommaOrEnd)
    );
    assert_eq!(syntax("x=a b"), (4, Some("b".into()), Expected::CommaOrEnd));
}

#[test]
fn comma_must_be_followed_by_a_key_or_bang() {
    assert_eq!(
        syntax(",x"),
        (0, Some(",".into()), Expected::RequirementStart)
    );
    assert_eq!(syntax("x,"), (2, None, Expected::KeyAfterComma));
    assert_eq!(
        syntax("x,,y"),
        (2, Some(",".into()), Expected::KeyAfterComma)
    );
    assert_eq!(parse("x,!y").to_string(), "x,!y");
}

#[test]
fn operator_must_follow_a_key_that_is_not_last() {
    assert_eq!(
        syntax("x nott in (y)"),
        (2, Some("nott".into()), Expected::Operator)
    );
    assert_eq!(syntax("a ("), (2, Some("(".into()), Expected::Operator));
}

#[test]
fn in_needs_an_open_parenthesis() {
    assert_eq!(syntax("x in a"), (5, Some("a".into()), Expected::OpenParen));
    assert_eq!(syntax("a notin("), (8, None, Expected::ValueListStart));
    assert_eq!(syntax("x in (a"), (7, None, Expected::CommaOrCloseParen));
    assert_eq!(syntax("x in (a,"), (8, None, Expected::ValueListItem));
}

#[test]
fn key_must_be_a_qualified_name() {
    for bad in [
        "-x",
        "x-",
        "a/b/c",
        "/x",
        "x/",
        "Example.com/x",
        &"a".repeat(64),
    ] {
        assert!(
            matches!(
                Selector::parse(bad),
                Err(SelectorError::InvalidKey { position: 0, .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn key_name_part_may_be_uppercase_but_prefix_may_not() {
    assert!(Selector::parse("example.com/MyKey_1.x").is_ok());
    assert!(Selector::parse("MyKey").is_ok());
    assert!(Selector::parse("Example.com/key").is_err());
}

#[test]
fn key_prefix_is_at_most_253_and_name_at_most_63() {
    let prefix = format!(
        "{}.{}.{}.{}",
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(61)
    );
    assert_eq!(prefix.len(), 253);
    assert!(Selector::parse(&format!("{prefix}/{}", "n".repeat(63))).is_ok());
    assert!(Selector::parse(&format!("{prefix}e/n")).is_err());
    assert!(Selector::parse(&format!("p/{}", "n".repeat(64))).is_err());
}

#[test]
fn every_value_must_be_a_label_value() {
    assert!(Selector::parse(&format!("x={}", "v".repeat(63))).is_ok());
    assert!(Selector::parse(&format!("x={}", "v".repeat(64))).is_err());
    match Selector::parse("x in (ok, -bad)").unwrap_err() {
        SelectorError::InvalidValue {
            position,
            key,
            value,
            ..
        } => assert_eq!((position, key.as_str(), value.as_str()), (10, "x", "-bad")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn value_counts_per_operator() {
    let none: &[&str] = &[];
    assert!(Requirement::new("x", Operator::In, none).is_err());
    assert!(Requirement::new("x", Operator::Equals, none).is_err());
    assert!(Requirement::new("x", Operator::Equals, &["a", "b"]).is_err());
    assert!(Requirement::new("x", Operator::NotEquals, &["a", "b"]).is_err());
    assert!(Requirement::new("x", Operator::Exists, &["a"]).is_err());
    assert!(Requirement::new("x", Operator::DoesNotExist, &["a"]).is_err());
    assert!(Requirement::new("x", Operator::GreaterThan, &["1", "2"]).is_err());
    assert!(Requirement::new("x", Operator::LessThan, none).is_err());
    assert_eq!(
        Requirement::new("x", Operator::Equals, &["a", "b"]).unwrap_err(),
        SelectorError::ValueCount {
            operator: Operator::Equals,
            wanted: "exactly one value",
            got: 2
        }
    );
}

#[test]
fn gt_and_lt_take_one_base_10_int64() {
    assert!(Selector::parse("x>9223372036854775807").is_ok());
    assert!(matches!(
        Selector::parse("x>9223372036854775808"),
        Err(SelectorError::NotAnInteger { position: 2, .. })
    ));
    assert!(matches!(
        Selector::parse("x<0x10"),
        Err(SelectorError::NotAnInteger { .. })
    ));
    assert!(matches!(
        Selector::parse("x<"),
        Err(SelectorError::NotAnInteger { .. })
    ));
}

#[test]
fn negative_bounds_are_rejected_because_values_are_label_values() {
    assert!(matches!(
        Selector::parse("x>-1"),
        Err(SelectorError::InvalidValue { .. })
    ));
    assert!(matches!(
        Selector::parse("x<+1"),
        Err(SelectorError::InvalidValue { .. })
    ));
}

#[test]
fn requirements_are_sorted_by_key_stably() {
    let s = parse("z,b=1,a!=2,b");
    assert_eq!(s.to_string(), "a!=2,b=1,b,z");
    assert_eq!(parse("b,b=1").to_string(), "b,b=1");
}

#[test]
fn display_has_no_spaces_except_around_in_and_notin_with_sorted_values() {
    assert_eq!(
        parse(" b notin ( z , a ) , a in (y,x) , c = d ").to_string(),
        "a in (x,y),b notin (a,z),c=d"
    );
}

#[test]
fn in_and_equals_need_the_key_present_with_a_listed_value() {
    assert!(matches("x in (a,b)", &[("x", "b")]));
    assert!(!matches("x in (a,b)", &[("x", "c")]));
    assert!(!matches("x in (a,b)", &[]));
    assert!(!matches("x==a", &[]));
}

#[test]
fn notin_and_not_equals_match_an_absent_key() {
    assert!(matches("x notin (a)", &[]));
    assert!(matches("x!=a", &[("y", "a")]));
    assert!(!matches("x notin (a)", &[("x", "a")]));
    assert!(!matches("x!=a", &[("x", "a")]));
}

#[test]
fn exists_and_does_not_exist_look_at_the_key_only() {
    assert!(matches("x", &[("x", "")]));
    assert!(!matches("!x", &[("x", "")]));
}

#[test]
fn gt_lt_compare_numerically_and_fail_on_non_integers() {
    assert!(matches("x>9", &[("x", "10")]));
    assert!(!matches("x<9", &[("x", "10")]));
    assert!(!matches("x>1", &[("x", "1")]));
    assert!(!matches("x<1", &[("x", "1")]));
    assert!(!matches("x>1", &[("x", "ten")]));
    assert!(!matches("x>1", &[]));
    assert!(matches("x<1", &[("x", "-5")]));
    assert!(matches("x>1", &[("x", "+5")]));
}

#[test]
fn nothing_matches_nothing_and_everything_matches_everything() {
    assert!(!Selector::nothing().matches(&set(&[])));
    assert!(!Selector::nothing().matches(&set(&[("a", "b")])));
    assert!(Selector::everything().matches(&set(&[])));
    assert_eq!(Selector::nothing().to_string(), "");
    assert_ne!(Selector::nothing(), Selector::everything());
}

#[test]
fn error_messages_name_what_was_found_and_expected() {
    assert_eq!(
        Selector::parse("x,").unwrap_err().to_string(),
        "at byte 2: found 'end of string', expected: identifier after ','"
    );
    assert_eq!(
        Selector::parse("x nott in (y)").unwrap_err().to_string(),
        "at byte 2: found 'nott', expected: in, notin, =, ==, !=, gt, lt"
    );
}

// ---------------------------------------------------------------------------------------------
// spec/kubernetes.md section 9, item 11 and 12.

#[test]
fn surprise_notin_and_not_equals_match_pods_without_the_key() {
    let pod_without = set(&[("app", "web")]);
    assert!(parse("tier notin (db)").matches(&pod_without));
    assert!(parse("tier!=db").matches(&pod_without));
}

#[test]
fn surprise_in_empty_parens_means_present_with_empty_value() {
    assert!(matches("x in ()", &[("x", "")]));
    assert!(!matches("x in ()", &[]));
    assert!(!matches("x in ()", &[("x", "a")]));
}

#[test]
fn surprise_negative_gt_lt_bounds_are_unparseable() {
    assert!(Selector::parse("x>-1").is_err());
    assert!(Selector::parse("x<-10").is_err());
}

#[test]
fn surprise_in_and_notin_are_accepted_as_plain_values() {
    assert!(matches("x=in", &[("x", "in")]));
    assert!(matches("x!=notin", &[("x", "in")]));
    assert!(matches("notin=in", &[("notin", "in")]));
}

#[test]
fn surprise_x_equals_a_and_x_equals_b_is_valid_and_matches_nothing_when_x_is_set() {
    let s = parse("x=a,x=b");
    assert!(!s.matches(&set(&[("x", "a")])));
    assert!(!s.matches(&set(&[("x", "b")])));
    assert!(!s.matches(&set(&[])));
}
