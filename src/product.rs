//! The product model every other module speaks: a listed [`Item`] (what a tile, a JSON item or a
//! search hit says about a product), a catalog [`Product`], its [`Stock`] state, and the
//! [`FactNames`] a config uses to say where facts live (attribute names, JSON fields or pointers).
//!
//! A leaf: it imports nothing of vitrine's, so the config, the ranker, the rewriters and the
//! search mapping can all depend on it without depending on each other.

use serde::Serialize;

/// Whether a product can be bought now.
///
/// Stores spell it many ways: schema.org's `https://schema.org/InStock` (and `InStock`,
/// `LimitedAvailability`, `OutOfStock`, `SoldOut`, `PreOrder`, ...), `in_stock`, `in-stock`,
/// `In stock`. [`Stock::parse`] reads them all; [`Stock::token`] is vitrine's own spelling, used in
/// configs and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stock {
    /// Available now.
    InStock,
    /// Available, few left (schema.org `LimitedAvailability`).
    LowStock,
    /// Not available (sold out, discontinued).
    OutOfStock,
    /// Orderable but not on hand (pre-order, back-order, made to order).
    Preorder,
}

impl Stock {
    /// All states, in the order configs list them.
    pub const ALL: [Stock; 4] = [
        Stock::InStock,
        Stock::LowStock,
        Stock::OutOfStock,
        Stock::Preorder,
    ];

    /// Reads the spellings real stores use; `None` for anything else.
    pub fn parse(value: &str) -> Option<Stock> {
        let v = value.trim();
        let v = ["https://schema.org/", "http://schema.org/", "schema:"]
            .iter()
            .find_map(|p| {
                v.get(..p.len())
                    .filter(|head| head.eq_ignore_ascii_case(p))
                    .and_then(|_| v.get(p.len()..))
            })
            .unwrap_or(v);
        let folded: String = v
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .flat_map(char::to_lowercase)
            .collect();
        Some(match folded.as_str() {
            "instock" | "available" | "instoreonly" | "onlineonly" => Stock::InStock,
            "lowstock" | "limitedavailability" | "limitedstock" | "fewleft" => Stock::LowStock,
            "outofstock" | "soldout" | "discontinued" | "unavailable" | "notavailable" => Stock::OutOfStock,
            "preorder" | "presale" | "backorder" | "madetoorder" => Stock::Preorder,
            _ => return None,
        })
    }

    /// vitrine's spelling: `in_stock`, `low_stock`, `out_of_stock`, `preorder`.
    pub fn token(self) -> &'static str {
        match self {
            Stock::InStock => "in_stock",
            Stock::LowStock => "low_stock",
            Stock::OutOfStock => "out_of_stock",
            Stock::Preorder => "preorder",
        }
    }

    /// The message for a value that is none of these.
    pub const EXPECTED: &'static str =
        "must be in_stock, low_stock, out_of_stock or preorder (schema.org spellings like InStock are read too)";
}

/// Where a product's facts live in some markup or document: one name (an attribute, a JSON field,
/// a JSON pointer) per fact, each optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactNames {
    /// Brand.
    pub brand: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Price.
    pub price: Option<String>,
    /// Stock state.
    pub stock: Option<String>,
}

impl FactNames {
    /// Reads an item's facts with `get` (name → raw value), normalized as an [`Item`] keeps them.
    pub fn read(&self, key: Option<String>, get: impl Fn(&str) -> Option<String>) -> Item {
        let get = |name: &Option<String>| name.as_deref().and_then(&get);
        Item {
            key,
            brand: get(&self.brand).map(|b| b.trim().to_lowercase()),
            category: get(&self.category).map(|c| c.trim().to_lowercase()),
            tags: Vec::new(),
            price: get(&self.price).and_then(|p| parse_price(&p)),
            stock: get(&self.stock).and_then(|s| Stock::parse(&s)),
        }
    }
}

/// What is known about one listed product (from the catalog, else from the listing itself).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Item {
    /// Product key.
    pub key: Option<String>,
    /// Lowercase brand.
    pub brand: Option<String>,
    /// Lowercase category.
    pub category: Option<String>,
    /// Lowercase tags.
    pub tags: Vec<String>,
    /// Price.
    pub price: Option<f64>,
    /// Stock state.
    pub stock: Option<Stock>,
}

impl Item {
    /// Facts for a key: the catalog's entry when there is one (`lookup`), completed by
    /// `fallback` (what the listing itself said).
    pub fn from_catalog(lookup: &dyn Fn(&str) -> Option<Product>, key: Option<&str>, fallback: Item) -> Item {
        match key.and_then(lookup) {
            Some(p) => Item {
                key: Some(p.key),
                brand: p.brand.or(fallback.brand),
                category: p.category.or(fallback.category),
                tags: if p.tags.is_empty() { fallback.tags } else { p.tags },
                price: p.price.or(fallback.price),
                stock: p.stock.or(fallback.stock),
            },
            None => Item {
                key: key.map(str::to_owned).or(fallback.key),
                ..fallback
            },
        }
    }
}

/// A catalog image: its role (`packshot`, `lifestyle`, `detail`, ...) and URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Lowercase role.
    pub role: String,
    /// URL, as the store's pages write it.
    pub src: String,
}

/// A catalog entry (names lowercased for matching; the key as written).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Product {
    /// Key.
    pub key: String,
    /// Lowercase category.
    pub category: Option<String>,
    /// Lowercase brand.
    pub brand: Option<String>,
    /// Lowercase tags.
    pub tags: Vec<String>,
    /// Price.
    pub price: Option<f64>,
    /// Stock state.
    pub stock: Option<Stock>,
    /// Images with roles.
    pub images: Vec<Image>,
}

/// A price from `"£1,299.00"`, `"1299"`, `"1.299,00"` (European) or `1299.5`.
pub fn parse_price(s: &str) -> Option<f64> {
    let digits: String = s
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .collect();
    let normalized = match (digits.rfind('.'), digits.rfind(',')) {
        (Some(d), Some(c)) if c > d => digits.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => digits.replace(',', ""),
        (None, Some(c)) if digits.len() - c == 3 => digits.replace(',', "."),
        (None, Some(_)) => digits.replace(',', ""),
        _ => digits,
    };
    normalized
        .parse::<f64>()
        .ok()
        .filter(|p| p.is_finite() && *p >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_is_read_in_the_spellings_stores_use() {
        for v in [
            "in_stock",
            "InStock",
            "in-stock",
            "In stock",
            "IN_STOCK",
            "https://schema.org/InStock",
            "http://schema.org/InStock",
            "schema:InStock",
            " instock ",
        ] {
            assert_eq!(Stock::parse(v), Some(Stock::InStock), "{v}");
        }
        assert_eq!(
            Stock::parse("http://schema.org/LimitedAvailability"),
            Some(Stock::LowStock)
        );
        assert_eq!(Stock::parse("low_stock"), Some(Stock::LowStock));
        for v in [
            "out_of_stock",
            "OutOfStock",
            "https://schema.org/SoldOut",
            "Discontinued",
        ] {
            assert_eq!(Stock::parse(v), Some(Stock::OutOfStock), "{v}");
        }
        assert_eq!(Stock::parse("https://schema.org/PreOrder"), Some(Stock::Preorder));
        assert_eq!(Stock::parse("BackOrder"), Some(Stock::Preorder));
        for v in [
            "",
            "maybe",
            "https://schema.org/",
            "in stock soon",
            "schema.org/InStock?",
        ] {
            assert_eq!(Stock::parse(v), None, "{v}");
        }
        for s in Stock::ALL {
            assert_eq!(Stock::parse(s.token()), Some(s));
        }
    }

    #[test]
    fn catalog_facts_win_and_the_listing_fills_gaps() {
        let catalog = |k: &str| {
            (k == "A").then(|| Product {
                key: "A".into(),
                brand: Some("kestrel".into()),
                stock: Some(Stock::OutOfStock),
                ..Product::default()
            })
        };
        let tile = Item {
            key: Some("A".into()),
            brand: Some("other".into()),
            price: Some(10.0),
            stock: Some(Stock::InStock),
            ..Item::default()
        };
        let item = Item::from_catalog(&catalog, Some("A"), tile.clone());
        assert_eq!(item.brand.as_deref(), Some("kestrel"));
        assert_eq!(item.stock, Some(Stock::OutOfStock));
        assert_eq!(item.price, Some(10.0));
        let unknown = Item::from_catalog(&catalog, Some("Z"), tile.clone());
        assert_eq!(
            unknown,
            Item {
                key: Some("Z".into()),
                ..tile
            }
        );
    }

    #[test]
    fn fact_names_read_and_normalize() {
        let names = FactNames {
            brand: Some("data-brand".into()),
            price: Some("data-price".into()),
            stock: Some("data-stock".into()),
            ..FactNames::default()
        };
        let item = names.read(Some("k".into()), |n| match n {
            "data-brand" => Some(" Kestrel ".into()),
            "data-price" => Some("£1,299.00".into()),
            "data-stock" => Some("InStock".into()),
            _ => None,
        });
        assert_eq!(item.brand.as_deref(), Some("kestrel"));
        assert_eq!(item.price, Some(1299.0));
        assert_eq!(item.stock, Some(Stock::InStock));
        assert_eq!(item.category, None);
    }

    #[test]
    fn prices() {
        assert_eq!(parse_price("£1,299.00"), Some(1299.0));
        assert_eq!(parse_price("1.299,00"), Some(1299.0));
        assert_eq!(parse_price("1.299,50 €"), Some(1299.5));
        assert_eq!(parse_price("12,50"), Some(12.5));
        assert_eq!(parse_price("1299"), Some(1299.0));
        assert_eq!(parse_price("free"), None);
    }
}
