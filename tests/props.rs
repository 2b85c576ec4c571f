//! Property tests for the parsers that read untrusted input: the config compiler, the URL check,
//! the search engine mapping and the JSON listing reader (the cookie decoder has its own, in
//! `signal_props.rs`). Each property runs `PROPTEST_CASES` cases (256 by default: a few seconds
//! in CI); run longer on demand:
//!
//! ```sh
//! PROPTEST_CASES=100000 cargo test --release --test props
//! ```
// Test code: a failed assertion or unwrap is how a test fails (Cargo.toml denies them in src/).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use vitrine::config::url::{check, check_srcset};
use vitrine::config::{compile_json, compile_value};
use vitrine::rewrite::json::{array_items, splice};
use vitrine::search::read_answer;

/// Arbitrary JSON, biased towards the config's own field names so the compiler goes deep.
fn json_value() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec![
        "version",
        "site",
        "pages",
        "type",
        "path",
        "plp",
        "grids",
        "name",
        "container",
        "tile",
        "key",
        "attribute",
        "rules",
        "id",
        "pin",
        "product",
        "position",
        "hero",
        "cta",
        "href",
        "image",
        "src",
        "srcset",
        "scope",
        "catalog",
        "products",
        "images",
        "role",
        "search",
        "mapping",
        "hits",
        "hosts",
        "debug",
        "consent",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "plp",
            "pdp",
            "/c/{category}",
            "ul",
            "li",
            "data-k",
            "javascript:x",
            "/a",
            "1"
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((names.clone(), inner), 0..6).prop_map(|kv| Value::Object(
                kv.into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect::<Map<_, _>>()
            )),
        ]
    })
}

/// What a browser makes of an attribute value: character references decoded, tabs and newlines
/// dropped, backslashes as slashes, lowercase, trimmed.
fn as_a_browser_reads(u: &str) -> String {
    let mut s = u.to_owned();
    for (from, to) in [
        ("&colon;", ":"),
        ("&sol;", "/"),
        ("&bsol;", "\\"),
        ("&tab;", ""),
        ("&newline;", ""),
    ] {
        s = s.replace(from, to);
    }
    let s: String = s.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    s.replace('\\', "/").trim().to_ascii_lowercase()
}

proptest! {
    #[test]
    fn the_config_compiler_never_panics_on_any_json(v in json_value()) {
        let _ = compile_value(&v);
        let mut doc = v;
        if let Value::Object(m) = &mut doc {
            m.insert("version".into(), json!(1));
            let _ = compile_value(&doc);
        }
    }

    #[test]
    fn the_config_compiler_never_panics_on_any_text(s in ".{0,200}") {
        let _ = compile_json(&s);
    }

    #[test]
    fn an_accepted_url_never_runs_script_nor_leaves_the_listed_hosts(
        u in prop_oneof![
            ".{0,40}",
            "[a-zA-Z:/\\\\&#;.\\t]{0,40}",
            (prop::sample::select(vec!["javascript", "JaVaScRiPt", "java\tscript", "data", "vbscript", "http", "https", "", "/", "//", "\\\\", "/\\\\"]),
             prop::sample::select(vec![":", "&colon;", "&#58;", "&#x3a;", "&#X3A", "", "//", "/"]),
             prop::sample::select(vec!["evil.example/x", "shop.example/x", "alert(1)", "//evil.example", "@evil.example"]))
                .prop_map(|(a, b, c)| format!("{a}{b}{c}")),
        ]
    ) {
        let hosts = vec!["shop.example".to_owned()];
        if check(&u, Some(&hosts)).is_ok() {
            let read = as_a_browser_reads(&u);
            // A scheme, as the URL parser sees one: a letter, then letters, digits, `+ - .`.
            let scheme = read.split_once(':').map(|(s, _)| s).filter(|s| {
                s.starts_with(|c: char| c.is_ascii_alphabetic())
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            });
            prop_assert!(scheme.is_none_or(|s| s == "http" || s == "https"), "{u:?} reads as {read:?}");
            let authority = read
                .strip_prefix("https:").or_else(|| read.strip_prefix("http:")).unwrap_or(&read)
                .strip_prefix("//")
                .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default().to_owned());
            if let Some(a) = authority {
                let host = a.rsplit('@').next().unwrap_or_default().split(':').next().unwrap_or_default().to_owned();
                prop_assert_eq!(host, "shop.example", "{:?}", u);
            }
        }
        let _ = check_srcset(&u, Some(&hosts));
        let _ = check(&u, None);
    }

    #[test]
    fn the_search_mapping_never_panics_and_its_spans_are_in_the_body(
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            json_value().prop_map(|v| serde_json::to_vec(&json!({"hits": v, "total": 3})).unwrap()),
            prop::collection::vec("[A-Z]{1,3}", 0..6).prop_map(|keys| {
                serde_json::to_vec(&json!({"hits": keys.iter().map(|k| json!({"key": k})).collect::<Vec<_>>(), "total": keys.len()})).unwrap()
            }),
        ]
    ) {
        let cfg = compile_json(r#"{"version":1,"site":{"search":{"path":"/api/search"}}}"#).unwrap();
        let mapping = &cfg.search.as_ref().unwrap().mapping;
        if let Some(answer) = read_answer(&body, mapping) {
            prop_assert_eq!(answer.spans.len(), answer.keys.len());
            for (start, end) in answer.spans {
                prop_assert!(start <= end && end <= body.len());
            }
        }
    }

    #[test]
    fn a_json_listing_spliced_in_its_own_order_is_the_same_bytes(
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            json_value().prop_map(|v| serde_json::to_vec_pretty(&json!({"products": v})).unwrap()),
            json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        ],
        pointer in prop::sample::select(vec!["/products", "", "/products/0", "/x"]),
        seed in any::<u64>(),
    ) {
        if let Some(items) = array_items(&body, pointer) {
            for &(start, end) in &items {
                prop_assert!(start <= end && end <= body.len());
            }
            let identity: Vec<usize> = (0..items.len()).collect();
            if let Some(same) = splice(&body, &items, &identity) {
                prop_assert_eq!(same, body.clone());
            }
            // Any permutation keeps every item's bytes.
            let mut order = identity.clone();
            let n = order.len();
            if n > 1 {
                order.rotate_left((seed % n as u64) as usize);
            }
            if let Some(out) = splice(&body, &items, &order) {
                prop_assert_eq!(out.len(), body.len());
                for &(start, end) in &items {
                    let item = &body[start..end];
                    prop_assert!(out.windows(item.len().max(1)).any(|w| item.is_empty() || w == item));
                }
            }
        }
    }
}
