//! Reading a product's facts (key, brand, category, price) out of a streaming product page, from
//! the places the config names: JSON-LD `Product`, attributes of an element, or an element's text.
//!
//! The handlers only read; they never change the page. Facts fill first-come per field; the probe
//! is [`FactsProbe::ready`] once enough is known, which is when the glue may stop holding the
//! response headers back.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use lol_html::html_content::{Element, TextChunk};
use lol_html::{ElementContentHandlers, Selector, Settings};
use serde_json::Value;

use crate::config::{Fact, Source};
pub use crate::product::parse_price;
use crate::rewrite::tile::decoded;
use crate::signal::ProductFacts;

/// Longest JSON-LD script read (bigger ones are skipped, not buffered).
const MAX_JSONLD: usize = 256 * 1024;
/// Longest fact kept, in characters.
const MAX_FACT: usize = 64;

#[derive(Default)]
struct State {
    facts: ProductFacts,
    jsonld: String,
    jsonld_overflow: bool,
    /// Text gathered by text and JSON sources, one buffer each (and whether it overflowed).
    texts: Vec<(String, bool)>,
    /// Which source (its index in the config's list) gave key, brand, category and price.
    from: [Option<usize>; 4],
    /// What each source met on the page.
    met: Vec<Met>,
}

/// What a facts source met on the page (for preview's "why none").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Met {
    /// Its element never appeared.
    #[default]
    Nothing,
    /// Its element appeared, but gave no fact (no attribute, empty text, no Product, bad JSON).
    Empty,
    /// It gave at least one fact (maybe one an earlier source had already given).
    Facts,
}

impl Met {
    /// Why a source gave nothing, in words.
    pub fn why(self) -> &'static str {
        match self {
            Met::Nothing => "its selector matched nothing on this page",
            Met::Empty => {
                "it matched, but held none of the facts it names (or no schema.org Product / no valid JSON)"
            }
            Met::Facts => "it gave other facts, not this one",
        }
    }
}

/// Shared view of what the handlers found so far.
#[derive(Clone, Default)]
pub struct FactsProbe(Rc<RefCell<State>>);

impl FactsProbe {
    /// The facts found so far.
    pub fn facts(&self) -> ProductFacts {
        self.0.borrow().facts.clone()
    }

    /// Whether enough is known to learn from: a brand or a category, or a product key with its
    /// price (real product pages often carry no more in their JSON-LD). Sources are read in
    /// document order, so the config lists the richest first.
    pub fn ready(&self) -> bool {
        let f = &self.0.borrow().facts;
        f.brand.is_some() || f.category.is_some() || (f.key.is_some() && f.price.is_some())
    }

    /// Which source gave key, brand, category and price, and what each source met.
    pub fn provenance(&self) -> ([Option<usize>; 4], Vec<Met>) {
        let s = self.0.borrow();
        (s.from, s.met.clone())
    }
}

/// Adds read-only handlers for `sources` to `settings`; returns the probe that sees their results.
pub fn with_fact_handlers(
    settings: Settings<'static, 'static>,
    sources: &[Source],
) -> (Settings<'static, 'static>, FactsProbe) {
    let probe = FactsProbe::default();
    (attach(settings, sources, &probe), probe)
}

thread_local! {
    /// The JSON-LD script selector, parsed once per isolate.
    static JSON_LD: Option<Selector> = "script[type=\"application/ld+json\"]".parse::<Selector>().ok();
}

/// Adds read-only handlers for `sources` that fill `probe` (one a plan already holds).
pub fn attach(
    mut settings: Settings<'static, 'static>,
    sources: &[Source],
    probe: &FactsProbe,
) -> Settings<'static, 'static> {
    probe.0.borrow_mut().met = vec![Met::Nothing; sources.len()];
    for (i, source) in sources.iter().enumerate() {
        let (selector, handlers) = match source {
            Source::JsonLd => match JSON_LD.with(Clone::clone) {
                Some(sel) => (Cow::Owned(sel), json_ld(probe, i)),
                None => continue,
            },
            Source::Attributes {
                selector,
                key,
                brand,
                category,
                price,
            } => (
                selector.selector(),
                attributes(probe, i, [key, brand, category, price]),
            ),
            Source::Text { selector, field } => (selector.selector(), text(probe, i, *field)),
            Source::Json {
                selector,
                pointers,
                price_scale,
            } => (
                selector.selector(),
                json(probe, i, pointers.clone(), price_scale.get()),
            ),
        };
        settings = settings.append_element_content_handler((selector, handlers));
    }
    settings
}

fn json_ld(probe: &FactsProbe, source: usize) -> ElementContentHandlers<'static> {
    let state = probe.0.clone();
    ElementContentHandlers::default().text(move |t: &mut TextChunk<'_>| {
        let mut s = state.borrow_mut();
        let f = &s.facts;
        if f.key.is_some() && f.brand.is_some() && f.category.is_some() && f.price.is_some() {
            return Ok(()); // everything known: later scripts need not be read
        }
        if !s.jsonld_overflow {
            if s.jsonld.len() + t.as_str().len() > MAX_JSONLD {
                s.jsonld_overflow = true;
                s.jsonld.clear();
            } else {
                s.jsonld.push_str(t.as_str());
            }
        }
        if t.last_in_text_node() {
            let text = std::mem::take(&mut s.jsonld);
            s.jsonld_overflow = false;
            let found = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| product_from_jsonld(&v, 0))
                .unwrap_or_default();
            fill(&mut s, source, found);
        }
        Ok(())
    })
}

fn attributes(
    probe: &FactsProbe,
    source: usize,
    names: [&Option<String>; 4],
) -> ElementContentHandlers<'static> {
    let state = probe.0.clone();
    let [key, brand, category, price] = names.map(Clone::clone);
    ElementContentHandlers::default().element(move |el: &mut Element<'_, '_>| {
        let get = |a: &Option<String>| {
            a.as_deref()
                .and_then(|a| el.get_attribute(a))
                .and_then(|v| clean(&decoded(v)))
        };
        let found = ProductFacts {
            key: get(&key),
            brand: get(&brand),
            category: get(&category),
            price: get(&price).and_then(|p| parse_price(&p)),
        };
        fill(&mut state.borrow_mut(), source, found);
        Ok(())
    })
}

/// A buffer for one text or JSON source's text; the handler finishes it with `done` when the
/// text node ends.
fn gather(
    probe: &FactsProbe,
    cap: usize,
    done: impl Fn(&mut State, &str) + 'static,
) -> ElementContentHandlers<'static> {
    let state = probe.0.clone();
    let slot = {
        let mut s = probe.0.borrow_mut();
        s.texts.push((String::new(), false));
        s.texts.len() - 1
    };
    ElementContentHandlers::default().text(move |t: &mut TextChunk<'_>| {
        let mut s = state.borrow_mut();
        let Some((buf, over)) = s.texts.get_mut(slot) else {
            return Ok(());
        };
        if buf.len() + t.as_str().len() <= cap {
            buf.push_str(t.as_str());
        } else {
            *over = true;
        }
        if t.last_in_text_node() {
            let (text, over) = (std::mem::take(buf), std::mem::take(over));
            done(&mut s, if over { "" } else { &text });
        }
        Ok(())
    })
}

fn text(probe: &FactsProbe, source: usize, field: Fact) -> ElementContentHandlers<'static> {
    gather(probe, 4 * MAX_FACT, move |s, text| {
        let mut found = ProductFacts::default();
        if let Some(v) = clean(&decoded(text.to_owned())) {
            match field {
                Fact::Key => found.key = Some(v),
                Fact::Brand => found.brand = Some(v),
                Fact::Category => found.category = Some(v),
                Fact::Price => found.price = parse_price(&v),
            }
        }
        fill(s, source, found);
    })
}

/// An element whose text is JSON (a `<script type="application/json">` a theme renders its
/// product into), read at the config's pointers.
fn json(
    probe: &FactsProbe,
    source: usize,
    pointers: [Option<String>; 4],
    scale: f64,
) -> ElementContentHandlers<'static> {
    gather(probe, MAX_JSONLD, move |s, text| {
        let found = serde_json::from_str::<Value>(text.trim())
            .map(|v| {
                let at = |i: usize| {
                    pointers
                        .get(i)
                        .and_then(Option::as_deref)
                        .and_then(|p| v.pointer(p))
                };
                ProductFacts {
                    key: at(0).and_then(text_of),
                    brand: at(1).and_then(text_of),
                    category: at(2).and_then(text_of),
                    price: at(3)
                        .and_then(|p| match p {
                            Value::Number(n) => n.as_f64(),
                            Value::String(s) => parse_price(s),
                            _ => None,
                        })
                        .map(|p| p * scale),
                }
            })
            .unwrap_or_default();
        fill(s, source, found);
    })
}

/// Fills the facts still unknown from what `source` found, and notes who gave what.
fn fill(s: &mut State, source: usize, found: ProductFacts) {
    let gave = !found.is_empty();
    let into = &mut s.facts;
    let mut take = |field: usize, empty: bool, has: bool| {
        if empty && has {
            if let Some(f) = s.from.get_mut(field) {
                *f = Some(source);
            }
        }
    };
    take(0, into.key.is_none(), found.key.is_some());
    take(1, into.brand.is_none(), found.brand.is_some());
    take(2, into.category.is_none(), found.category.is_some());
    take(3, into.price.is_none(), found.price.is_some());
    into.key = into.key.take().or(found.key);
    into.brand = into.brand.take().or(found.brand);
    into.category = into.category.take().or(found.category);
    into.price = into.price.or(found.price);
    if let Some(m) = s.met.get_mut(source) {
        *m = match (*m, gave) {
            (_, true) | (Met::Facts, _) => Met::Facts,
            _ => Met::Empty,
        };
    }
}

/// Trims, drops control characters and bounds the length; `None` when nothing is left.
fn clean(s: &str) -> Option<String> {
    let v: String = s
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let v: String = v.chars().take(MAX_FACT).collect();
    (!v.is_empty()).then_some(v)
}

fn is_product_type(v: &Value) -> bool {
    match v {
        Value::String(t) => matches!(t.as_str(), "Product" | "ProductGroup" | "IndividualProduct"),
        Value::Array(ts) => ts.iter().any(is_product_type),
        _ => false,
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => clean(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => o.get("name").and_then(text_of),
        Value::Array(a) => a.first().and_then(text_of),
        _ => None,
    }
}

fn price_of(offers: &Value) -> Option<f64> {
    match offers {
        Value::Array(a) => a.iter().find_map(price_of),
        Value::Object(o) => ["price", "lowPrice"]
            .iter()
            .find_map(|k| match o.get(*k)? {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => parse_price(s),
                _ => None,
            })
            .or_else(|| o.get("priceSpecification").and_then(price_of))
            .or_else(|| o.get("offers").and_then(price_of)),
        _ => None,
    }
}

/// The facts of the first schema.org `Product` in a JSON-LD value (top level, arrays, `@graph`).
pub fn product_from_jsonld(v: &Value, depth: u8) -> Option<ProductFacts> {
    if depth > 4 {
        return None;
    }
    match v {
        Value::Array(items) => items.iter().find_map(|i| product_from_jsonld(i, depth + 1)),
        Value::Object(o) => {
            if o.get("@type").is_some_and(is_product_type) {
                let key = ["sku", "productID", "mpn", "gtin13", "gtin"]
                    .iter()
                    .find_map(|k| o.get(*k).and_then(text_of));
                return Some(ProductFacts {
                    key,
                    brand: o.get("brand").and_then(text_of),
                    category: o.get("category").and_then(text_of),
                    price: o.get("offers").and_then(price_of),
                });
            }
            o.get("@graph").and_then(|g| product_from_jsonld(g, depth + 1))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rewrite::{run_chunked, utf8, HtmlStream};

    fn probe(sources: &[Source], page: &str, chunk: usize) -> (ProductFacts, Vec<u8>) {
        let (settings, probe) = with_fact_handlers(Settings::new(), sources);
        let (out, bailed) = run_chunked(HtmlStream::new(settings, utf8()), page.as_bytes(), &[chunk]);
        assert!(bailed.is_none());
        (probe.facts(), out)
    }

    #[test]
    fn json_ld_product_in_any_chunking_and_the_page_is_unchanged() {
        let page = r#"<html><head><script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"BreadcrumbList"},{"@type":["Product"],"sku":"VT-1","name":"X","brand":{"@type":"Brand","name":"Kestrel"},"category":"outerwear","offers":{"@type":"Offer","price":"149.99","priceCurrency":"GBP"}}]}</script></head><body>x</body></html>"#;
        for chunk in [1, 7, 64, 4096] {
            let (facts, out) = probe(&[Source::JsonLd], page, chunk);
            assert_eq!(out, page.as_bytes());
            assert_eq!(facts.key.as_deref(), Some("VT-1"));
            assert_eq!(facts.brand.as_deref(), Some("Kestrel"));
            assert_eq!(facts.category.as_deref(), Some("outerwear"));
            assert_eq!(facts.price, Some(149.99));
        }
    }

    #[test]
    fn attributes_and_text_sources() {
        let page = r#"<article class="product" data-sku="A1" data-brand=" Sable " data-price="1.299,00"><h1 class="t"> Big <b>bag</b></h1><span class="cat">bags</span></article>"#;
        let sources = vec![
            Source::Attributes {
                selector: crate::config::Sel::parse("article.product").unwrap(),
                key: Some("data-sku".into()),
                brand: Some("data-brand".into()),
                category: None,
                price: Some("data-price".into()),
            },
            Source::Text {
                selector: crate::config::Sel::parse(".cat").unwrap(),
                field: Fact::Category,
            },
        ];
        let (facts, _) = probe(&sources, page, 3);
        assert_eq!(facts.key.as_deref(), Some("A1"));
        assert_eq!(facts.brand.as_deref(), Some("Sable"));
        assert_eq!(facts.category.as_deref(), Some("bags"));
        assert_eq!(facts.price, Some(1299.0));
    }

    #[test]
    fn broken_json_ld_is_ignored() {
        let page = r#"<script type="application/ld+json">{"@type":"Product", oops</script><p>x</p>"#;
        let (facts, out) = probe(&[Source::JsonLd], page, 5);
        assert!(facts.is_empty());
        assert_eq!(out, page.as_bytes());
    }
}
