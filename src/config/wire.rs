//! The config document as it arrives: the `serde` wire types, one per section, unknown fields
//! rejected, a doc comment on every field (they become the JSON Schema's descriptions). Nothing
//! here is validated: [`super::compile`] turns these into the typed [`super::Config`].
//!
//! The rules' wire types live beside their compiler in [`super::rules`].

use serde::Deserialize;

use super::rules;

/// The document as it arrives.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Format version of this document; must be 1.
    pub version: u32,
    /// How this storefront's URLs and markup look.
    #[serde(default)]
    pub site: RawSite,
    /// The visitor signal cookie.
    #[serde(default)]
    pub signal: RawSignal,
    /// How consent is read; absent means the defaults (cookie `consent`, EU/EEA/UK/CH opt-in).
    #[serde(default)]
    pub consent: Option<RawConsent>,
    /// Developer aids; all off by default.
    #[serde(default)]
    pub debug: RawDebug,
    /// `enforce` (default) or `shadow`: a shadow document is evaluated and logged, never served.
    #[serde(default)]
    pub mode: Option<String>,
    /// How far personalization may move products, and who is held out of it.
    #[serde(default)]
    pub personalization: Option<RawPersonalization>,
    /// Merchandising rules.
    #[serde(default)]
    pub rules: Vec<rules::RawRule>,
    /// Product facts for scoring and for checking swaps (small catalogs inline; see the README
    /// for large ones).
    #[serde(default)]
    pub catalog: Option<RawCatalog>,
}

/// The `personalization` section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPersonalization {
    /// 0 (off) to 1: how strongly affinity reorders within the rules. Default 0.5.
    #[serde(default)]
    pub strength: Option<f64>,
    /// Share of visitors (0 to 0.5) who get no personalization, to measure its lift. Default 0.
    #[serde(default)]
    pub holdout: Option<f64>,
}

/// The `catalog` section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCatalog {
    /// Products.
    pub products: Vec<RawProduct>,
}

/// One catalog product.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProduct {
    /// Product key (SKU), as the storefront's tiles and pages name it.
    pub key: String,
    /// Category.
    #[serde(default)]
    pub category: Option<String>,
    /// Brand.
    #[serde(default)]
    pub brand: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Price.
    #[serde(default)]
    pub price: Option<f64>,
    /// `in_stock`, `low_stock` or `out_of_stock`.
    #[serde(default)]
    pub stock: Option<String>,
    /// Images with roles.
    #[serde(default)]
    pub images: Vec<RawCatalogImage>,
}

/// A catalog image.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCatalogImage {
    /// `packshot`, `lifestyle`, `detail`, ...
    pub role: String,
    /// URL.
    pub src: String,
}

/// The `site` section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    /// Page types by URL pattern, first match wins.
    #[serde(default)]
    pub pages: Vec<RawPage>,
    /// Listing pages: product grids and the hero.
    #[serde(default)]
    pub plp: Option<RawPlp>,
    /// Where product pages keep the product's data.
    #[serde(default)]
    pub pdp: Option<RawPdp>,
    /// How the origin says a customer is signed in.
    #[serde(default)]
    pub identity: Option<RawIdentity>,
    /// JSON listing APIs (headless storefronts): reordered like HTML grids.
    #[serde(default)]
    pub json_listings: Vec<RawJsonListing>,
    /// The storefront's JSON search endpoint, answered at the edge from the origin's search API.
    #[serde(default)]
    pub search: Option<RawSearch>,
    /// Forward the visitor's cookies to the origin on page requests (home, PLP, PDP, search).
    /// Default false: pages are fetched cookie-free so the origin's response is cacheable by URL.
    #[serde(default)]
    pub forward_cookies: bool,
}

/// One page type rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPage {
    /// `home`, `plp`, `pdp`, `search`, `cart_add`, `checkout_complete` or `other`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Path pattern, e.g. `/c/{category}`; `{category}` on a PLP and `{product}` on a PDP are read.
    pub path: String,
    /// HTTP method; `GET` for pages, `POST` by default for `cart_add` and `checkout_complete`.
    #[serde(default)]
    pub method: Option<String>,
}

/// The `site.search` section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSearch {
    /// Path of the storefront's JSON search endpoint the worker answers (`/api/search`).
    pub path: String,
    /// Query parameter holding the query (default `q`).
    #[serde(default)]
    pub query_param: Option<String>,
    /// Path of the origin's search API (the contract; default: `path`).
    #[serde(default)]
    pub upstream: Option<String>,
    /// Path and query of the origin's keyword endpoint, the fallback (`/api/search?mode=keyword`).
    #[serde(default)]
    pub keyword_fallback: Option<String>,
    /// Time budget for the origin's search API, ms (default 300, 20..=5000).
    #[serde(default)]
    pub budget_ms: Option<u32>,
    /// How long an edge-cached answer is fresh, s (default 60; stale ones still serve as fallback).
    #[serde(default)]
    pub cache_ttl_s: Option<u32>,
    /// Longest query, characters (default 100).
    #[serde(default)]
    pub max_query: Option<u32>,
    /// Consecutive failures that open the circuit (default 3).
    #[serde(default)]
    pub circuit_failures: Option<u32>,
    /// How long the circuit stays open, s (default 10).
    #[serde(default)]
    pub circuit_open_s: Option<u32>,
    /// How to read the engine's response (JSON pointers); default: vitrine's contract.
    #[serde(default)]
    pub mapping: Option<RawMapping>,
    /// Path of the server-rendered search page, fetched within the same budget (`/search`).
    #[serde(default)]
    pub page: Option<String>,
    /// Path and query of the page's keyword-only variant, the page fallback (`/search?mode=keyword`).
    #[serde(default)]
    pub page_keyword_fallback: Option<String>,
}

/// Pointers into an engine's response.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMapping {
    /// The hits array (`/hits`, Elasticsearch `/hits/hits`).
    pub hits: String,
    /// Within a hit, the product key (`/key`, Algolia `/objectID`, ES `/_source/sku`).
    pub key: String,
    /// The total number of results.
    #[serde(default)]
    pub total: Option<String>,
    /// Within a hit, pointers to its brand, category, price and stock.
    #[serde(default)]
    pub facts: Option<RawTileFacts>,
}

/// A JSON listing API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJsonListing {
    /// Path pattern of the API (`/api/products`); `{category}` is read if captured.
    pub path: String,
    /// JSON pointer to the items array (`/products`; empty: the document is the array).
    pub items: String,
    /// Field of an item holding its product key.
    pub key: String,
    /// Query parameter naming the category (`category`), if the path does not.
    #[serde(default)]
    pub category_param: Option<String>,
    /// Item fields with facts.
    #[serde(default)]
    pub facts: Option<RawTileFacts>,
    /// `plp` (default) or `search`: which rules' page scope applies.
    #[serde(default)]
    pub page: Option<String>,
    /// Largest body reordered (KB, default 1024); larger ones pass untouched.
    #[serde(default)]
    pub max_kb: Option<u32>,
}

/// The `site.plp` section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlp {
    /// Product grids, each reordered on its own (a listing, a "related" rail, ...).
    #[serde(default)]
    pub grids: Vec<RawGrid>,
    /// The category hero.
    #[serde(default)]
    pub hero: Option<RawHeroSelectors>,
}

/// One product grid.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGrid {
    /// A name for reports (`plp=reordered:48` uses the first grid).
    pub name: String,
    /// Selector of the grid's container element.
    pub container: String,
    /// Selector of one tile, a direct child of the container (`li.product`).
    pub tile: String,
    /// How to read a tile's product key.
    pub key: RawTileKey,
    /// Attributes of the tile element carrying facts (when the catalog does not).
    #[serde(default)]
    pub facts: Option<RawTileFacts>,
    /// Largest grid held in memory for reordering (KB, default 512); over it the page passes.
    #[serde(default)]
    pub max_kb: Option<u32>,
    /// Nothing vitrine changes comes after this grid on any page it appears on: once it closed
    /// (and the product data a page needs was read), the rest of the page skips the rewriter.
    #[serde(default)]
    pub last: bool,
}

/// How a tile names its product: an attribute of the tile, or a link inside it and a path pattern.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTileKey {
    /// Attribute of the tile element (`data-sku`, `data-product-id`).
    #[serde(default)]
    pub attribute: Option<String>,
    /// Selector of a link inside the tile (`a`, `a.card-link`).
    #[serde(default)]
    pub link: Option<String>,
    /// Path pattern of the link's `href`, capturing `{product}` (`/products/{product}`).
    #[serde(default)]
    pub pattern: Option<String>,
}

/// Tile attributes carrying facts.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTileFacts {
    /// Brand attribute.
    #[serde(default)]
    pub brand: Option<String>,
    /// Category attribute.
    #[serde(default)]
    pub category: Option<String>,
    /// Price attribute.
    #[serde(default)]
    pub price: Option<String>,
    /// Stock attribute (`in_stock`, `low_stock`, `out_of_stock`).
    #[serde(default)]
    pub stock: Option<String>,
}

/// Hero selectors; each is searched inside `container`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHeroSelectors {
    /// The hero block.
    pub container: String,
    /// Headline element.
    #[serde(default)]
    pub headline: Option<String>,
    /// Sub-copy element.
    #[serde(default)]
    pub sub: Option<String>,
    /// Call-to-action link.
    #[serde(default)]
    pub cta: Option<String>,
    /// Image element.
    #[serde(default)]
    pub image: Option<String>,
}

/// The PDP gallery.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGallery {
    /// Selector of the gallery container.
    pub container: String,
    /// Selector of one gallery item (a direct child of the container).
    pub item: String,
    /// Selector of the image inside an item (default `img`).
    #[serde(default)]
    pub image: Option<String>,
    /// Attribute of the item (or image) naming the image's role (`data-role`); without it, roles
    /// come from the catalog by image URL.
    #[serde(default)]
    pub role_attribute: Option<String>,
    /// Nothing vitrine changes comes after the gallery on a product page (see a grid's `last`).
    #[serde(default)]
    pub last: bool,
}

/// The `site.pdp` section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPdp {
    /// Where the product's facts are read from, in order; the first that yields facts wins.
    #[serde(default)]
    pub product_data: Vec<RawSource>,
    /// How much of a product page may be held back (KB) while its data is read, so the
    /// learned signal can go out in this response's `Set-Cookie`. Default 128, at most 1024.
    #[serde(default)]
    pub learn_window_kb: Option<u32>,
    /// The image gallery, for the first-image policy.
    #[serde(default)]
    pub gallery: Option<RawGallery>,
}

/// A place product facts live in a page.
#[derive(Debug, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawSource {
    /// `<script type="application/ld+json">` with a schema.org `Product` (also inside `@graph`).
    JsonLd,
    /// Attributes of one element.
    Attributes {
        /// CSS selector of the element.
        selector: String,
        /// Attribute holding the product key.
        #[serde(default)]
        key: Option<String>,
        /// Attribute holding the brand.
        #[serde(default)]
        brand: Option<String>,
        /// Attribute holding the category.
        #[serde(default)]
        category: Option<String>,
        /// Attribute holding the price.
        #[serde(default)]
        price: Option<String>,
    },
    /// The text of one element is one fact.
    Text {
        /// CSS selector of the element.
        selector: String,
        /// `key`, `brand`, `category` or `price`.
        field: String,
    },
}

/// The `site.identity` section: the origin marks signed-in responses.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIdentity {
    /// Response header carrying the customer id (e.g. `x-customer-id`).
    #[serde(default)]
    pub response_header: Option<String>,
    /// Or a request cookie carrying it.
    #[serde(default)]
    pub cookie: Option<String>,
    /// Remove the header from the response the visitor gets (default true).
    #[serde(default)]
    pub strip_header: Option<bool>,
}

/// The `signal` section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSignal {
    /// Cookie name (default `vt`).
    #[serde(default)]
    pub cookie: Option<String>,
    /// Cookie lifetime in days (default 365, at most 400 as browsers cap it).
    #[serde(default)]
    pub max_age_days: Option<u32>,
}

/// The `consent` section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConsent {
    /// Name of the CMP's consent cookie.
    pub cookie: String,
    /// Values (or tokens within the value) that grant personalization.
    pub granted: Vec<String>,
    /// Values (or tokens) that refuse it.
    pub denied: Vec<String>,
    /// Countries (ISO alpha-2) that default to opt-in; absent means EU/EEA/UK/CH.
    #[serde(default)]
    pub opt_in_countries: Option<Vec<String>>,
    /// Whether `Sec-GPC: 1` opts out (default true).
    #[serde(default)]
    pub honor_gpc: Option<bool>,
}

/// The `debug` section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDebug {
    /// Serve `GET /__vitrine/whoami` (the decoded signal). Off in production.
    #[serde(default)]
    pub whoami: bool,
    /// A request header that turns personalization off for that request (benchmarks, and a
    /// developer comparing with the origin page). Off in production.
    #[serde(default)]
    pub bypass_header: Option<String>,
    /// Trust this request header for the visitor's country (tests and local dev only, where
    /// `request.cf` is a placeholder). Off in production: visitors could choose their jurisdiction.
    #[serde(default)]
    pub country_header: Option<String>,
}
