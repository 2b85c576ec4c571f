//! `schema.json` (what editors validate against and the console will build forms from) and the
//! config reader agree: every config in the repository, and one that uses every feature, is
//! accepted by the reader and declared, key by key, in the schema.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;

const SCHEMA: &str = include_str!("../src/config/schema.json");

/// The keys of `doc` the schema does not declare, with their paths.
fn undeclared(schema: &Value, doc: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(alts) = schema.get("oneOf").and_then(Value::as_array) {
        // The alternative that fits best (fewest undeclared keys; a `const` must match).
        let best = alts
            .iter()
            .filter(|alt| {
                alt.get("properties")
                    .and_then(Value::as_object)
                    .is_none_or(|props| {
                        props.iter().all(|(k, v)| match (v.get("const"), doc.get(k)) {
                            (Some(c), Some(d)) => c == d,
                            (Some(_), None) => false,
                            _ => true,
                        })
                    })
            })
            .filter(|alt| match alt.get("type").and_then(Value::as_str) {
                Some("string") => doc.is_string(),
                Some("object") => doc.is_object(),
                _ => true,
            })
            .map(|alt| {
                let mut o = Vec::new();
                undeclared(alt, doc, at, &mut o);
                o
            })
            .min_by_key(Vec::len);
        match best {
            Some(o) => out.extend(o),
            None => out.push(format!("{at}: fits none of the schema's alternatives")),
        }
        return;
    }
    match doc {
        Value::Object(map) => {
            let props = schema.get("properties").and_then(Value::as_object);
            for (k, v) in map {
                match props.and_then(|p| p.get(k)) {
                    Some(s) => undeclared(s, v, &format!("{at}.{k}"), out),
                    None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                        out.push(format!("{at}.{k}"));
                    }
                    None => {
                        if let Some(s) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                            undeclared(s, v, &format!("{at}.{k}"), out);
                        }
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    undeclared(s, v, &format!("{at}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// A config using every markup feature the reader knows.
const EVERY_FEATURE: &str = r#"{
  "$schema": "https://vitrine.example/schema.json",
  "version": 1,
  "site": {
    "hosts": ["shop.example", "cdn.example"],
    "samples": ["/c/boots", "/p/trail-boot"],
    "time_zone": "+01:00",
    "pages": [{ "type": "plp", "path": "/c/{category}" }, { "type": "pdp", "path": "/p/{product}" },
              { "type": "pdp", "path": "/{product}.html", "marker": "body.product-view" }, { "type": "plp", "marker": "body.category-view" }],
    "plp": {
      "grids": [
        { "name": "a", "container": "ul.g", "tile": "li", "key": { "selector": ".meta", "attribute": "data-id" },
          "facts": { "brand": { "selector": ".brand" }, "price": { "selector": ".price", "attribute": "content" }, "stock": "data-stock" },
          "slot": { "attributes": ["data-position"], "classes": ["first", "last"] } },
        { "name": "b", "container": "div.g", "tile": "a.card", "key": { "pattern": "/p/{product}" } }
      ],
      "hero": { "container": ".hero", "headline": "h1" }
    },
    "pdp": {
      "product_data": [
        { "source": "json_ld" },
        { "source": "attributes", "selector": "meta[property='product:brand']", "brand": "content" },
        { "source": "text", "selector": ".sku", "field": "key" },
        { "source": "json", "selector": "script#product", "key": "/id", "price": "/price", "price_scale": 0.01 }
      ],
      "gallery": { "container": ".main", "item": ".slide", "role_attribute": "data-role",
        "thumbnails": { "container": ".nav", "item": "button", "image": "img" } }
    }
  },
  "rules": [
    { "id": "p", "pin": { "product": "A", "position": 1 }, "scope": { "grids": ["a"], "pages": ["plp"] },
      "schedule": { "start": "2026-11-27", "end": "2026-11-28T06:00:00Z" } }
  ]
}"#;

#[test]
fn every_config_here_is_declared_in_the_schema() {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let mut docs = vec![("every feature".to_owned(), EVERY_FEATURE.to_owned())];
    for dir in ["tests/configs", "www"] {
        for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.display().to_string();
            if name.ends_with(".json") && !name.ends_with("catalog.json") {
                docs.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    assert!(docs.len() >= 5, "{docs:?}");
    for (name, text) in docs {
        vitrine::config::compile_json(&text).unwrap_or_else(|p| panic!("{name}: {p:?}"));
        let mut out = Vec::new();
        undeclared(&schema, &serde_json::from_str(&text).unwrap(), "$", &mut out);
        assert!(out.is_empty(), "{name}: not in schema.json: {out:?}");
    }
}

#[test]
fn the_drift_check_sees_an_undeclared_key() {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let doc: Value = serde_json::from_str(
        r#"{"version":1,"site":{"pdp":{"gallery":{"container":"a","item":"b","thumbs":{}}}}}"#,
    )
    .unwrap();
    let mut out = Vec::new();
    undeclared(&schema, &doc, "$", &mut out);
    assert_eq!(out, ["$.site.pdp.gallery.thumbs"]);
}
