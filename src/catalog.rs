//! Large catalogs (100k products and more): one packed binary value, looked up without parsing.
//!
//! A small catalog can live inline in the config document. A large one is pushed on its own
//! (`PUT /__vitrine/catalog`) and packed once, at push time, into:
//!
//! ```text
//! "VCAT" | version u8 (=1) | products u32 | strings u32
//! string offsets: (strings + 1) × u32            interned: brands, categories, tags, roles repeat
//! string bytes
//! index: products × (fnv1a-64 of key u64, record offset u32), sorted by hash
//! records: key str u32 | category str u32 | brand str u32 | price cents u32 | stock u8 |
//!          tags u8, tag str u32 × tags | images u8, (role str u32, src str u32) × images
//! ```
//!
//! An isolate fetches it with one KV read when its version changes and keeps the bytes; a lookup
//! is a binary search over the index (17 steps for 100k products) and reads one record: no JSON
//! parse on the request path, no per-product allocation at load. About 40 bytes per product plus
//! the unique strings (keys, image URLs): 100k products with two image URLs each are 10.9 MB,
//! within KV's 25 MiB value limit.

use crate::config::Config;
use crate::product::{Image, Product, Stock};

/// A product by key: the config's inline catalog first, then the packed one.
pub fn lookup<'a>(cfg: &'a Config, packed: Option<&'a Packed>) -> impl Fn(&str) -> Option<Product> + 'a {
    move |key| {
        cfg.catalog
            .get(key)
            .cloned()
            .or_else(|| packed.and_then(|p| p.get(key)))
    }
}

/// The catalogs a config sees (its own, then the one pushed on its own), for the linter.
pub struct Catalogs<'a> {
    /// The config.
    pub cfg: &'a Config,
    /// The packed catalog.
    pub packed: Option<&'a Packed>,
}

impl<'a> Catalogs<'a> {
    /// The catalogs, if there is any catalog at all.
    pub fn of(cfg: &'a Config, packed: Option<&'a Packed>) -> Option<Self> {
        (!cfg.catalog.is_empty() || packed.is_some_and(|p| !p.is_empty())).then_some(Catalogs { cfg, packed })
    }
}

impl crate::config::lint::Known for Catalogs<'_> {
    fn product(&self, key: &str) -> Option<Product> {
        lookup(self.cfg, self.packed)(key)
    }

    fn each(&self, f: &mut dyn FnMut(&str, Option<&str>)) {
        for p in self.cfg.catalog.values() {
            f(&p.key, p.category.as_deref());
        }
        if let Some(packed) = self.packed {
            packed.each_key(&mut |key, category| {
                if !self.cfg.catalog.contains_key(key) {
                    f(key, category);
                }
            });
        }
    }
}

/// The packed catalog's name: 12 hex digits of SHA-256 over its bytes.
pub fn version_of(bytes: &[u8]) -> String {
    use sha2::Digest;
    crate::signal::to_hex(sha2::Sha256::digest(bytes).get(..6).unwrap_or_default())
}

const MAGIC: &[u8; 4] = b"VCAT";
const NONE: u32 = u32::MAX;

/// Why a packed catalog was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError(pub &'static str);

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "packed catalog: {}", self.0)
    }
}

fn hash64(key: &str) -> u64 {
    crate::hash::fnv1a64(key.bytes())
}

struct Interner {
    ids: std::collections::HashMap<String, u32>,
    strings: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.ids.insert(s.to_owned(), id);
        self.strings.push(s.to_owned());
        id
    }
    fn opt(&mut self, s: Option<&str>) -> u32 {
        s.map_or(NONE, |s| self.id(s))
    }
}

/// Stock states as one byte in a record (0: unknown).
const STOCK_CODES: [(u8, Stock); 4] = [
    (1, Stock::InStock),
    (2, Stock::LowStock),
    (3, Stock::OutOfStock),
    (4, Stock::Preorder),
];

fn stock_code(s: Option<Stock>) -> u8 {
    STOCK_CODES
        .iter()
        .find(|(_, st)| Some(*st) == s)
        .map_or(0, |(c, _)| *c)
}

fn stock_of(code: u8) -> Option<Stock> {
    STOCK_CODES.iter().find(|(c, _)| *c == code).map(|(_, s)| *s)
}

/// Packs products (keys must be unique; later duplicates are dropped).
pub fn pack(products: &[Product]) -> Vec<u8> {
    let mut interner = Interner {
        ids: Default::default(),
        strings: Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    let mut records = Vec::new();
    let mut index: Vec<(u64, u32)> = Vec::with_capacity(products.len());
    for p in products {
        if !seen.insert(p.key.as_str()) {
            continue;
        }
        index.push((hash64(&p.key), records.len() as u32));
        let mut put = |v: u32| records.extend_from_slice(&v.to_be_bytes());
        put(interner.id(&p.key));
        put(interner.opt(p.category.as_deref()));
        put(interner.opt(p.brand.as_deref()));
        put(p.price.map_or(NONE, |x| {
            (x * 100.0).round().clamp(0.0, f64::from(NONE - 1)) as u32
        }));
        records.push(stock_code(p.stock));
        let tags: Vec<u32> = p.tags.iter().take(255).map(|t| interner.id(t)).collect();
        records.push(tags.len() as u8);
        for t in tags {
            records.extend_from_slice(&t.to_be_bytes());
        }
        let images: Vec<(u32, u32)> = p
            .images
            .iter()
            .take(255)
            .map(|im| (interner.id(&im.role), interner.id(&im.src)))
            .collect();
        records.push(images.len() as u8);
        for (r, s) in images {
            records.extend_from_slice(&r.to_be_bytes());
            records.extend_from_slice(&s.to_be_bytes());
        }
    }
    index.sort_unstable();
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.push(1);
    out.extend_from_slice(&(index.len() as u32).to_be_bytes());
    out.extend_from_slice(&(interner.strings.len() as u32).to_be_bytes());
    let mut offset = 0u32;
    for s in &interner.strings {
        out.extend_from_slice(&offset.to_be_bytes());
        offset += s.len() as u32;
    }
    out.extend_from_slice(&offset.to_be_bytes());
    for s in &interner.strings {
        out.extend_from_slice(s.as_bytes());
    }
    for (h, off) in &index {
        out.extend_from_slice(&h.to_be_bytes());
        out.extend_from_slice(&off.to_be_bytes());
    }
    out.extend_from_slice(&records);
    out
}

/// A packed catalog held as bytes.
#[derive(Debug, Clone)]
pub struct Packed {
    bytes: Vec<u8>,
    products: usize,
    strings: usize,
    string_offsets: usize,
    string_bytes: usize,
    index: usize,
    records: usize,
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

impl Packed {
    /// Checks the header and the section bounds (not every record: lookups stay bounds-checked).
    pub fn parse(bytes: Vec<u8>) -> Result<Packed, CatalogError> {
        if bytes.get(..4) != Some(MAGIC.as_slice()) || bytes.get(4) != Some(&1) {
            return Err(CatalogError("not a version 1 packed catalog"));
        }
        let products = u32_at(&bytes, 5).ok_or(CatalogError("truncated header"))? as usize;
        let strings = u32_at(&bytes, 9).ok_or(CatalogError("truncated header"))? as usize;
        let string_offsets = 13;
        let string_bytes = string_offsets + 4 * (strings + 1);
        let total_strings =
            u32_at(&bytes, string_offsets + 4 * strings).ok_or(CatalogError("truncated strings"))? as usize;
        let index = string_bytes + total_strings;
        let records = index + 12 * products;
        if records > bytes.len() {
            return Err(CatalogError("truncated index"));
        }
        Ok(Packed {
            bytes,
            products,
            strings,
            string_offsets,
            string_bytes,
            index,
            records,
        })
    }

    /// Number of products.
    pub fn len(&self) -> usize {
        self.products
    }

    /// Whether it holds no products.
    pub fn is_empty(&self) -> bool {
        self.products == 0
    }

    /// Size in bytes.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    fn string(&self, id: u32) -> Option<&str> {
        if id == NONE || id as usize >= self.strings {
            return None;
        }
        let at = self.string_offsets + 4 * id as usize;
        let (start, end) = (
            u32_at(&self.bytes, at)? as usize,
            u32_at(&self.bytes, at + 4)? as usize,
        );
        std::str::from_utf8(
            self.bytes
                .get(self.string_bytes + start..self.string_bytes + end)?,
        )
        .ok()
    }

    /// The product with this key.
    pub fn get(&self, key: &str) -> Option<Product> {
        let h = hash64(key);
        let entry = |i: usize| -> Option<(u64, u32)> {
            let at = self.index + 12 * i;
            Some((u64_at(&self.bytes, at)?, u32_at(&self.bytes, at + 8)?))
        };
        // Lower bound of h, then every entry with that hash (collisions compare the key).
        let (mut lo, mut hi) = (0usize, self.products);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if entry(mid)?.0 < h {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut i = lo;
        while i < self.products {
            let (eh, off) = entry(i)?;
            if eh != h {
                return None;
            }
            if let Some(p) = self.record(off as usize).filter(|p| p.key == key) {
                return Some(p);
            }
            i += 1;
        }
        None
    }

    /// Every product's key and category, read in place (no record is decoded whole): what the
    /// linter scans when a rule names a product in another case or an unknown category.
    pub fn each_key(&self, f: &mut dyn FnMut(&str, Option<&str>)) {
        for i in 0..self.products {
            let Some(off) = u32_at(&self.bytes, self.index + 12 * i + 8) else {
                return;
            };
            let at = self.records + off as usize;
            let (Some(key), category) = (
                u32_at(&self.bytes, at).and_then(|id| self.string(id)),
                u32_at(&self.bytes, at + 4).and_then(|id| self.string(id)),
            ) else {
                continue;
            };
            f(key, category);
        }
    }

    fn record(&self, off: usize) -> Option<Product> {
        let b = &self.bytes;
        let mut at = self.records + off;
        let mut u = || {
            let v = u32_at(b, at);
            at += 4;
            v
        };
        let key = self.string(u()?)?.to_owned();
        let category = self.string(u()?).map(str::to_owned);
        let brand = self.string(u()?).map(str::to_owned);
        let price = u()?;
        let stock = stock_of(*b.get(at)?);
        let ntags = *b.get(at + 1)? as usize;
        at += 2;
        let mut tags = Vec::with_capacity(ntags);
        for _ in 0..ntags {
            tags.push(self.string(u32_at(b, at)?)?.to_owned());
            at += 4;
        }
        let nimages = *b.get(at)? as usize;
        at += 1;
        let mut images = Vec::with_capacity(nimages);
        for _ in 0..nimages {
            let role = self.string(u32_at(b, at)?)?.to_owned();
            let src = self.string(u32_at(b, at + 4)?)?.to_owned();
            images.push(Image { role, src });
            at += 8;
        }
        Some(Product {
            key,
            category,
            brand,
            tags,
            price: (price != NONE).then(|| f64::from(price) / 100.0),
            stock,
            images,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(i: usize) -> Product {
        Product {
            key: format!("SKU-{i:06}"),
            category: Some(format!("category-{}", i % 40)),
            brand: Some(format!("brand-{}", i % 300)),
            tags: vec![format!("tag-{}", i % 25), "new-in".into()],
            price: Some((i % 500) as f64 + 0.99),
            stock: Some(
                [
                    Stock::InStock,
                    Stock::LowStock,
                    Stock::OutOfStock,
                    Stock::Preorder,
                ][i % 4],
            ),
            images: vec![
                Image {
                    role: "lifestyle".into(),
                    src: format!("/img/{i}-l.jpg"),
                },
                Image {
                    role: "detail".into(),
                    src: format!("/img/{i}-d.jpg"),
                },
            ],
        }
    }

    #[test]
    fn a_100k_catalog_packs_small_and_every_product_is_found() {
        let products: Vec<Product> = (0..100_000).map(product).collect();
        let packed = Packed::parse(pack(&products)).unwrap();
        assert_eq!(packed.len(), 100_000);
        assert!(packed.size() < 12 * 1024 * 1024, "{} bytes", packed.size());
        for i in (0..100_000).step_by(997) {
            assert_eq!(packed.get(&format!("SKU-{i:06}")), Some(product(i)));
        }
        assert_eq!(packed.get("SKU-100000"), None);
        assert_eq!(packed.get(""), None);
    }

    #[test]
    fn missing_fields_and_duplicates() {
        let p = Product {
            key: "A".into(),
            ..Product::default()
        };
        let packed = Packed::parse(pack(&[p.clone(), p.clone()])).unwrap();
        assert_eq!(packed.len(), 1);
        assert_eq!(packed.get("A"), Some(p));
    }

    #[test]
    fn truncated_or_foreign_bytes_are_refused_or_miss_never_panic() {
        let bytes = pack(&(0..50).map(product).collect::<Vec<_>>());
        assert!(Packed::parse(b"nope".to_vec()).is_err());
        for cut in [0, 5, 13, 40, bytes.len() / 2] {
            if let Ok(p) = Packed::parse(bytes[..cut].to_vec()) {
                let _ = p.get("SKU-000001");
            }
        }
        let mut garbled = bytes.clone();
        for b in garbled.iter_mut().skip(200).step_by(7) {
            *b ^= 0x5a;
        }
        if let Ok(p) = Packed::parse(garbled) {
            for i in 0..50 {
                let _ = p.get(&format!("SKU-{i:06}"));
            }
        }
    }
}
