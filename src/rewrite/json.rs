//! Reordering a JSON listing (a headless storefront's product API) with every item's bytes kept:
//! a small scanner finds the array a JSON pointer names and the byte range of each item; the
//! items are spliced in the new order with the original separators. Nothing is re-serialized, so
//! number formats, key order and escapes stay the origin's.

use serde_json::Value;

use crate::product::{FactNames, Item};

const MAX_DEPTH: usize = 64;

fn ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// End (exclusive) of the string starting at `i` (which must be `"`).
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        match b.get(j)? {
            b'"' => return Some(j + 1),
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
}

/// End (exclusive) of the value starting at `i` (after whitespace).
fn value_end(b: &[u8], i: usize, depth: usize) -> Option<usize> {
    if depth > MAX_DEPTH {
        return None;
    }
    match b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => {
            let close = if b.get(i) == Some(&b'{') { b'}' } else { b']' };
            let mut j = ws(b, i + 1);
            if b.get(j) == Some(&close) {
                return Some(j + 1);
            }
            loop {
                if close == b'}' {
                    j = ws(b, string_end(b, j).filter(|_| b.get(j) == Some(&b'"'))?);
                    if b.get(j) != Some(&b':') {
                        return None;
                    }
                    j = ws(b, j + 1);
                }
                j = ws(b, value_end(b, j, depth + 1)?);
                match b.get(j)? {
                    b',' => j = ws(b, j + 1),
                    c if *c == close => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        _ => {
            let mut j = i;
            while matches!(b.get(j), Some(c) if !matches!(c, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'))
            {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// The items of the array at `pointer` (RFC 6901): their byte ranges, in order.
pub fn array_items(b: &[u8], pointer: &str) -> Option<Vec<(usize, usize)>> {
    let mut i = ws(b, 0);
    let tokens: Vec<String> = if pointer.is_empty() {
        Vec::new()
    } else {
        pointer
            .strip_prefix('/')?
            .split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect()
    };
    for token in &tokens {
        match b.get(i)? {
            b'{' => {
                let mut j = ws(b, i + 1);
                let mut found = None;
                while b.get(j) == Some(&b'"') {
                    let kend = string_end(b, j)?;
                    let key: String = serde_json::from_slice(b.get(j..kend)?).ok()?;
                    j = ws(b, kend);
                    if b.get(j) != Some(&b':') {
                        return None;
                    }
                    j = ws(b, j + 1);
                    if key == *token {
                        found = Some(j);
                        break;
                    }
                    j = ws(b, value_end(b, j, 1)?);
                    if b.get(j) == Some(&b',') {
                        j = ws(b, j + 1);
                    }
                }
                i = found?;
            }
            b'[' => {
                let n: usize = token.parse().ok()?;
                let items = array_items(b.get(i..)?, "")?;
                let (s, _) = *items.get(n)?;
                i += s;
            }
            _ => return None,
        }
    }
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let mut items = Vec::new();
    let mut j = ws(b, i + 1);
    if b.get(j) == Some(&b']') {
        return Some(items);
    }
    loop {
        let end = value_end(b, j, 1)?;
        items.push((j, end));
        j = ws(b, end);
        match b.get(j)? {
            b',' => j = ws(b, j + 1),
            b']' => return Some(items),
            _ => return None,
        }
    }
}

/// Facts of an item: its `key` field and the fields `facts` names.
pub fn item_facts(item: &[u8], key: &str, facts: &FactNames) -> Item {
    let v: Value = serde_json::from_slice(item).unwrap_or(Value::Null);
    let text = |f: &str| -> Option<String> {
        match v.get(f)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    facts.read(text(key), text)
}

/// The document with the items in `order` (indices into `items`; hidden ones left out).
pub fn splice(b: &[u8], items: &[(usize, usize)], order: &[usize]) -> Option<Vec<u8>> {
    let (first, _) = *items.first()?;
    let (_, last) = *items.last()?;
    let seps: Vec<&[u8]> = items
        .iter()
        .zip(items.iter().skip(1))
        .map(|(a, c)| b.get(a.1..c.0).unwrap_or(b","))
        .collect();
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(b.get(..first)?);
    for (k, &i) in order.iter().enumerate() {
        let (s, e) = *items.get(i)?;
        out.extend_from_slice(b.get(s..e)?);
        if k + 1 < order.len() {
            out.extend_from_slice(seps.get(k).copied().unwrap_or(b","));
        }
    }
    out.extend_from_slice(b.get(last..)?);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"page":1, "meta":{"a":[1,2,{"x":"]"}]},
      "products": [
        {"sku":"A","brand":"Kestrel","price":10.50,"stock":"in_stock","t":"a \"q\" ]"},
        {"sku":"B","brand":"Umbra","price":1e2,"stock":"out_of_stock"},
        {"sku":"C","brand":"Sable","nested":{"k":[{}]}}
      ], "total": 3}"#;

    #[test]
    fn finds_items_and_reads_facts() {
        let items = array_items(DOC.as_bytes(), "/products").unwrap();
        assert_eq!(items.len(), 3);
        let facts = FactNames {
            brand: Some("brand".into()),
            price: Some("price".into()),
            stock: Some("stock".into()),
            ..FactNames::default()
        };
        let a = item_facts(&DOC.as_bytes()[items[0].0..items[0].1], "sku", &facts);
        assert_eq!(
            (a.key.as_deref(), a.brand.as_deref(), a.price),
            (Some("A"), Some("kestrel"), Some(10.5))
        );
        assert_eq!(array_items(DOC.as_bytes(), "/meta/a").unwrap().len(), 3);
        assert!(array_items(DOC.as_bytes(), "/page").is_none());
        assert!(array_items(DOC.as_bytes(), "/missing").is_none());
        assert!(array_items(b"[1,2", "").is_none());
        assert!(array_items(b"{\"a\":[1,,2]}", "/a").is_none());
    }

    #[test]
    fn splices_with_item_bytes_kept() {
        let b = DOC.as_bytes();
        let items = array_items(b, "/products").unwrap();
        let out = String::from_utf8(splice(b, &items, &[2, 0]).unwrap()).unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        let skus: Vec<&str> = v["products"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["sku"].as_str().unwrap())
            .collect();
        assert_eq!(skus, vec!["C", "A"]);
        assert!(
            out.contains(r#"{"sku":"A","brand":"Kestrel","price":10.50,"stock":"in_stock","t":"a \"q\" ]"}"#)
        );
        assert!(out.starts_with(r#"{"page":1, "meta":{"a":[1,2,{"x":"]"}]},"#));
        assert!(out.ends_with(r#"], "total": 3}"#));
    }
}
