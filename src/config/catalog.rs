//! Catalog products (inline in a config, or pushed on their own and packed by
//! [`crate::catalog`]): validated with paths, names lowercased for matching, image URLs checked
//! as a browser would read them (`super::url`).

use std::collections::HashMap;

use super::wire::{RawCatalog, RawProduct};
use crate::doc::{self, Problem, Problems};
use crate::product::{Image, Product, Stock};

/// Most products a config may carry inline (larger catalogs are pushed on their own).
pub const MAX_INLINE: usize = 20_000;

/// The inline catalog (`catalog.products`), by key.
pub fn compile_inline(raw: Option<&RawCatalog>, p: &mut Problems) -> HashMap<String, Product> {
    let Some(c) = raw else {
        return HashMap::new();
    };
    if c.products.len() > MAX_INLINE {
        p.add("catalog.products", "must have at most 20000 products inline");
    }
    let inline = c.products.get(..MAX_INLINE).unwrap_or(&c.products);
    let (products, problems) = validate(inline, "catalog.products");
    p.0.extend(problems.0);
    products.into_iter().map(|pr| (pr.key.clone(), pr)).collect()
}

/// Validates pushed catalog products; problems get paths under `at` (`products[3].stock`).
pub fn compile_products(raw: &[RawProduct], at: &str) -> (Vec<Product>, Problems) {
    validate(raw, at)
}

/// Reads a pushed catalog (`{"products": [...]}`), product by product: each is read from its
/// own small JSON value, so a 100k-product push never holds more than one product's tree.
pub fn read_pushed(text: &str) -> Result<Vec<RawProduct>, Vec<Problem>> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use std::fmt;

    struct Top<'p>(&'p mut Problems);
    struct List<'p>(&'p mut Problems);

    impl<'de> Visitor<'de> for Top<'_> {
        type Value = Option<Vec<RawProduct>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object with a `products` list")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut products = None;
            while let Some(key) = map.next_key::<String>()? {
                if key == "products" {
                    products = Some(map.next_value_seed(List(&mut *self.0))?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                    self.0.add(
                        key.clone(),
                        &format!("unknown field `{key}`, expected `products`"),
                    );
                }
            }
            if products.is_none() {
                self.0.add("products", "is required");
            }
            Ok(products)
        }
    }

    impl<'de> DeserializeSeed<'de> for List<'_> {
        type Value = Vec<RawProduct>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de> Visitor<'de> for List<'_> {
        type Value = Vec<RawProduct>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of products")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
            while let Some(v) = seq.next_element::<serde_json::Value>()? {
                let at = format!("products[{}]", out.len());
                if let Some(product) = doc::object(&v, &at, self.0, RawProduct::read) {
                    out.push(product);
                }
            }
            Ok(out)
        }
    }

    let mut p = Problems::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let read = de.deserialize_map(Top(&mut p)).and_then(|r| de.end().map(|()| r));
    match read {
        Err(e) => Err(vec![doc::syntax_problem(&e)]),
        Ok(Some(products)) if p.is_empty() => Ok(products),
        Ok(_) => Err(p.0),
    }
}

fn validate(raw: &[RawProduct], at: &str) -> (Vec<Product>, Problems) {
    let mut p = Problems::default();
    let mut out = Vec::with_capacity(raw.len());
    let mut seen = std::collections::HashSet::new();
    for (i, r) in raw.iter().enumerate() {
        let path = |f: &str| format!("{at}[{i}].{f}");
        let key = r.key.trim();
        if key.is_empty() || key.len() > 256 {
            p.add(path("key"), "must be 1 to 256 characters");
            continue;
        }
        if !seen.insert(key.to_owned()) {
            p.add(path("key"), &format!("duplicate key {key:?}"));
            continue;
        }
        let stock = r.stock.as_deref().and_then(|s| {
            let parsed = Stock::parse(s);
            if parsed.is_none() {
                p.add(path("stock"), Stock::EXPECTED);
            }
            parsed
        });
        if r.price.is_some_and(|x| !(x.is_finite() && x >= 0.0)) {
            p.add(path("price"), "must be a non-negative number");
        }
        // Image URLs are compared with the page's, never written into it: any host may serve
        // them, but they are read as a browser would (no scripts, no entity tricks).
        for (j, im) in r.images.iter().enumerate() {
            if let Err(msg) = super::url::check(im.src.trim(), None) {
                p.add(format!("{at}[{i}].images[{j}].src"), msg);
            }
        }
        out.push(Product {
            key: key.to_owned(),
            category: r.category.as_ref().map(|c| c.trim().to_lowercase()),
            brand: r.brand.as_ref().map(|b| b.trim().to_lowercase()),
            tags: r.tags.iter().map(|t| t.trim().to_lowercase()).collect(),
            price: r.price,
            stock,
            images: r
                .images
                .iter()
                .map(|im| Image {
                    role: im.role.to_lowercase(),
                    src: im.src.clone(),
                })
                .collect(),
        });
    }
    (out, p)
}
