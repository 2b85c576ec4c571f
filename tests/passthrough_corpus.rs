//! Pass-through fidelity on real HTML nobody here wrote: every html5lib tokenizer and
//! tree-construction input, and 140 real product pages, go through the rewriter byte for byte,
//! whole and split at random chunk boundaries, without a panic or a bail-out.
// Test code: a failed assertion or unwrap is how a test fails (Cargo.toml denies them in src/).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::path::Path;

use support::{fixtures, read, Rng};
use vitrine::rewrite::{run_chunked, HtmlStream};

fn check(name: &str, input: &[u8], rng: &mut Rng) {
    let (whole, bailed) = run_chunked(HtmlStream::passthrough(), input, &[input.len().max(1)]);
    assert!(whole == input, "{name}: whole-input pass-through changed bytes");
    assert!(bailed.is_none(), "{name}: bailed out: {bailed:?}");
    let seed = rng.seed();
    let sizes = rng.chunk_sizes(input.len());
    let (chunked, _) = run_chunked(HtmlStream::passthrough(), input, &sizes);
    assert!(
        chunked == input,
        "{name}: chunked pass-through changed bytes (replay with VITRINE_SEED={seed})"
    );
}

/// Decodes a `\uXXXX`-escaped html5lib string to bytes; lone surrogates become their WTF-8
/// bytes, which is exactly the kind of invalid input a rewriter must survive.
fn double_unescape(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("\\u") {
        out.extend_from_slice(&rest.as_bytes()[..i]);
        let hex = &rest[i + 2..(i + 6).min(rest.len())];
        match u32::from_str_radix(hex, 16) {
            Ok(cp) if hex.len() == 4 => {
                match char::from_u32(cp) {
                    Some(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
                    None => out.extend_from_slice(&[
                        0xE0 | (cp >> 12) as u8,
                        0x80 | ((cp >> 6) & 0x3F) as u8,
                        0x80 | (cp & 0x3F) as u8,
                    ]),
                }
                rest = &rest[i + 6..];
            }
            _ => {
                out.extend_from_slice(b"\\u");
                rest = &rest[i + 2..];
            }
        }
    }
    out.extend_from_slice(rest.as_bytes());
    out
}

#[test]
fn html5lib_tokenizer_inputs_pass_through() {
    let Some(dir) = fixtures() else { return };
    let mut rng = Rng::from_env_or(0x7e57);
    let mut n = 0;
    for entry in std::fs::read_dir(dir.join("html5lib-tests/tokenizer")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "test") {
            continue;
        }
        let doc: serde_json::Value = serde_json::from_slice(&read(&path)).unwrap();
        for (i, t) in doc["tests"].as_array().into_iter().flatten().enumerate() {
            let input = t["input"].as_str().unwrap_or_default();
            let bytes = if t["doubleEscaped"].as_bool() == Some(true) {
                double_unescape(input)
            } else {
                input.as_bytes().to_vec()
            };
            check(&format!("{}#{i}", path.display()), &bytes, &mut rng);
            n += 1;
        }
    }
    assert!(n > 6000, "expected the whole tokenizer corpus, saw {n} inputs");
}

#[test]
fn html5lib_tree_construction_inputs_pass_through() {
    let Some(dir) = fixtures() else { return };
    let mut rng = Rng::from_env_or(0x7ee);
    let mut n = 0;
    for entry in std::fs::read_dir(dir.join("html5lib-tests/tree-construction")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "dat") {
            continue;
        }
        let raw = read(&path); // bytes: three files hold raw control bytes on purpose
        for (i, case) in split_cases(&raw).into_iter().enumerate() {
            check(&format!("{}#{i}", path.display()), case, &mut rng);
            n += 1;
        }
    }
    assert!(
        n > 1700,
        "expected the whole tree-construction corpus, saw {n} inputs"
    );
}

/// The `#data` sections of a `.dat` file.
fn split_cases(raw: &[u8]) -> Vec<&[u8]> {
    let mut cases = Vec::new();
    let mut rest = raw;
    while let Some(start) = find(rest, b"#data\n") {
        let body = &rest[start + 6..];
        let end = find(body, b"\n#errors").unwrap_or(body.len());
        cases.push(&body[..end]);
        rest = &body[end..];
    }
    cases
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn real_product_pages_pass_through() {
    let Some(dir) = fixtures() else { return };
    let mut rng = Rng::from_env_or(0x9a6e);
    let mut pages: Vec<_> = std::fs::read_dir(dir.join("pdp-corpus/html"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.extend(storefront_pages(&dir));
    pages.sort();
    assert!(
        pages.len() >= 150,
        "expected the pdp corpus and storefronts, saw {}",
        pages.len()
    );
    for path in &pages {
        check(&path.display().to_string(), &read(path), &mut rng);
    }
}

fn storefront_pages(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for platform in std::fs::read_dir(dir.join("storefronts")).unwrap() {
        for f in std::fs::read_dir(platform.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "html") {
                out.push(p);
            }
        }
    }
    out
}
