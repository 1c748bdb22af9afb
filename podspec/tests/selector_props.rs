//! Properties of label selectors: the canonical text round-trips, and parsing never panics.

use std::collections::BTreeMap;

use podspec::Selector;
use proptest::prelude::*;

/// Keys: mostly valid, with optional prefixes; values: mostly valid label values.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9]([-a-zA-Z0-9_.]{0,4}[a-zA-Z0-9])?",
        "[a-z0-9]{1,4}(\\.[a-z0-9]{1,4})?/[A-Za-z0-9]{1,4}",
        Just("in".to_owned()),
        Just("notin".to_owned()),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9]([-a-zA-Z0-9_.]{0,4}[a-zA-Z0-9])?",
        "[0-9]{1,3}",
        Just("in".to_owned()),
    ]
}

fn ws() -> impl Strategy<Value = String> {
    "[ \t\r\n]{0,2}"
}

/// A value list as written between parentheses: non-empty values, optionally with an empty
/// item first (`,a`) and/or last (`a,`). Kubernetes rejects `,,)`, so no other empty items.
fn value_list() -> impl Strategy<Value = Vec<String>> {
    (
        prop::collection::vec(value().prop_filter("non-empty", |v| !v.is_empty()), 0..4),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(mut vals, lead, trail)| {
            if lead || vals.is_empty() {
                vals.insert(0, String::new());
            }
            if trail && vals.len() > 1 {
                vals.push(String::new());
            }
            vals
        })
}

/// The text of one requirement, with random whitespace where the grammar allows it.
fn requirement() -> impl Strategy<Value = String> {
    (key(), 0..9_u8, value(), value_list(), ws(), ws()).prop_map(
        |(k, op, v, vals, w1, w2)| match op {
            0 => k,
            1 => format!("!{w1}{k}"),
            2 => format!("{k}{w1}={w2}{v}"),
            3 => format!("{k}{w1}=={w2}{v}"),
            4 => format!("{k}{w1}!={w2}{v}"),
            5 => format!("{k} in{w1}({w2}{})", vals.join(",")),
            6 => format!("{k} notin{w1}({})", vals.join(&format!("{w2},"))),
            7 => format!("{k}{w1}>{w2}{}", vals.len() * 7),
            _ => format!("{k}<{}", vals.len()),
        },
    )
}

fn selector_text() -> impl Strategy<Value = String> {
    (prop::collection::vec(requirement(), 0..5), ws())
        .prop_map(|(reqs, w)| reqs.join(&format!("{w},{w}")))
}

fn labels() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map(key(), value(), 0..6)
}

proptest! {
    /// Every generated selector parses (the generator only writes valid ones).
    #[test]
    fn generated_selectors_parse(text in selector_text()) {
        prop_assert!(Selector::parse(&text).is_ok(), "{:?}: {:?}", text, Selector::parse(&text));
    }

    /// `Display` of a parsed selector parses back to an equal selector, and is a fixed point.
    #[test]
    fn display_reparses_to_an_equal_selector(text in selector_text()) {
        if let Ok(s) = Selector::parse(&text) {
            let shown = s.to_string();
            let again = Selector::parse(&shown);
            prop_assert_eq!(again.as_ref(), Ok(&s), "{:?} -> {:?}", text, shown);
            prop_assert_eq!(again.map(|a| a.to_string()), Ok(shown));
        }
    }

    /// The canonical text selects exactly the same label sets as the original.
    #[test]
    fn display_preserves_matching(text in selector_text(), ls in labels()) {
        if let Ok(s) = Selector::parse(&text) {
            let again = Selector::parse(&s.to_string()).unwrap();
            prop_assert_eq!(s.matches(&ls), again.matches(&ls));
        }
    }

    /// Requirement order does not change the parsed selector's meaning.
    #[test]
    fn reversing_requirements_preserves_matching(
        reqs in prop::collection::vec(requirement(), 0..5),
        ls in labels(),
    ) {
        let fwd = Selector::parse(&reqs.join(",")).unwrap();
        let rev: Vec<_> = reqs.iter().rev().cloned().collect();
        let bwd = Selector::parse(&rev.join(",")).unwrap();
        prop_assert_eq!(fwd.matches(&ls), bwd.matches(&ls));
    }

    /// Parsing arbitrary text never panics, and any error points inside the text.
    #[test]
    fn parse_never_panics(text in "\\PC{0,40}") {
        if let Err(e) = Selector::parse(&text) {
            prop_assert!(e.position() <= text.len());
        }
    }

    /// Parsing text made of the grammar's own pieces never panics either, and anything it
    /// accepts round-trips.
    #[test]
    fn parse_of_grammar_soup_never_panics(
        parts in prop::collection::vec(
            prop_oneof![
                Just("x"), Just("y"), Just("in"), Just("notin"), Just("="), Just("=="),
                Just("!="), Just("!"), Just("("), Just(")"), Just(","), Just(">"), Just("<"),
                Just(" "), Just("1"), Just("-1"), Just(""),
            ],
            0..12,
        )
    ) {
        let text = parts.concat();
        if let Ok(s) = Selector::parse(&text) {
            prop_assert_eq!(Selector::parse(&s.to_string()), Ok(s));
        }
    }
}
