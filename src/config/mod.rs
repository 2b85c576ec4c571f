//! The storefront config: a raw wire format (JSON, `serde`, unknown fields rejected) compiled once
//! into a validated form (parsed patterns and selectors, enums, bounded sizes).
//!
//! [`compile`] reports every problem at once, each with its JSON path
//! (`site.pages[2].path: must start with /`), so a merchandiser fixes a document in one round.
//! The compiled [`Config`] is what the request path reads; nothing there re-validates.
//!
//! This module owns: the document's shape, its validation, page classification. It does not own
//! where the document comes from (the glue reads it) or what the rules do with a page.

pub mod lint;
pub mod pattern;
pub mod rules;

use std::collections::HashMap;

use serde::Deserialize;

use crate::signal::consent::ConsentPolicy;
use crate::signal::cookie::CookieSpec;
pub use pattern::PathPattern;
pub use rules::{Action, Mode, Rule};

/// The only document version this code reads.
pub const VERSION: u32 = 1;
/// Bounds that keep a config cheap to hold and to evaluate per request.
const MAX_PAGES: usize = 64;
const MAX_SOURCES: usize = 8;
const MAX_NAME: usize = 64;

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
    /// Within a hit, its score.
    #[serde(default)]
    pub score: Option<String>,
    /// The total number of results.
    #[serde(default)]
    pub total: Option<String>,
    /// Within a hit, pointers to its brand, category, price and stock.
    #[serde(default)]
    pub facts: Option<RawTileFacts>,
}

/// The compiled search settings.
#[derive(Debug, Clone)]
pub struct SearchConfig {
    /// The storefront path answered at the edge.
    pub path: PathPattern,
    /// Query parameter.
    pub query_param: String,
    /// Origin search API path.
    pub upstream: String,
    /// Keyword fallback path and query.
    pub keyword_fallback: Option<String>,
    /// Budget, ms.
    pub budget_ms: u32,
    /// Fresh for, ms.
    pub cache_ttl_ms: u64,
    /// Longest query.
    pub max_query: usize,
    /// Failures that open the circuit.
    pub circuit_failures: u32,
    /// Open for, ms.
    pub circuit_open_ms: u64,
    /// Response mapping.
    pub mapping: crate::search::Mapping,
    /// The server-rendered search page.
    pub page: Option<PathPattern>,
    /// Its keyword-only variant.
    pub page_keyword_fallback: Option<String>,
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

/// A compiled JSON listing.
#[derive(Debug, Clone)]
pub struct JsonListing {
    /// Path pattern.
    pub pattern: PathPattern,
    /// Pointer to the items.
    pub items: String,
    /// Key field.
    pub key: String,
    /// Category query parameter.
    pub category_param: Option<String>,
    /// Facts fields: brand, category, price, stock.
    pub facts: [Option<String>; 4],
    /// Page kind for scopes.
    pub page: PageKind,
    /// Largest body, bytes.
    pub max_bytes: usize,
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

/// Page types vitrine understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// The home page.
    Home,
    /// A product listing (category) page.
    Plp,
    /// A product detail page.
    Pdp,
    /// A search results page.
    Search,
    /// The add-to-cart request.
    CartAdd,
    /// The completed checkout request.
    CheckoutComplete,
    /// Known to the site, nothing to learn.
    Other,
}

impl PageKind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "home" => PageKind::Home,
            "plp" => PageKind::Plp,
            "pdp" => PageKind::Pdp,
            "search" => PageKind::Search,
            "cart_add" => PageKind::CartAdd,
            "checkout_complete" => PageKind::CheckoutComplete,
            "other" => PageKind::Other,
            _ => return None,
        })
    }

    /// A short token for headers.
    pub fn token(self) -> &'static str {
        match self {
            PageKind::Home => "home",
            PageKind::Plp => "plp",
            PageKind::Pdp => "pdp",
            PageKind::Search => "search",
            PageKind::CartAdd => "cart",
            PageKind::CheckoutComplete => "checkout",
            PageKind::Other => "other",
        }
    }
}

/// A compiled page rule.
#[derive(Debug, Clone)]
pub struct PageRule {
    /// The page type.
    pub kind: PageKind,
    /// Upper-case method.
    pub method: String,
    /// The path pattern.
    pub pattern: PathPattern,
}

/// A compiled product-facts source (selectors checked to parse).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// JSON-LD `Product`.
    JsonLd,
    /// Attributes of one element.
    Attributes {
        /// CSS selector.
        selector: String,
        /// Attribute names: key, brand, category, price.
        key: Option<String>,
        /// Brand attribute.
        brand: Option<String>,
        /// Category attribute.
        category: Option<String>,
        /// Price attribute.
        price: Option<String>,
    },
    /// Text of one element.
    Text {
        /// CSS selector.
        selector: String,
        /// Which fact.
        field: Fact,
    },
}

/// One product fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// Product key.
    Key,
    /// Brand.
    Brand,
    /// Category.
    Category,
    /// Price.
    Price,
}

/// Identity stitching settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Lowercase response header name, if any.
    pub response_header: Option<String>,
    /// Request cookie name, if any.
    pub cookie: Option<String>,
    /// Remove the header from the visitor's response.
    pub strip_header: bool,
}

/// How a tile names its product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TileKey {
    /// An attribute of the tile element.
    Attribute(String),
    /// A link inside the tile, its `href` matched against a pattern capturing `{product}`.
    Link {
        /// Selector of the link inside the tile.
        link: String,
        /// Pattern of the href's path.
        pattern: PathPattern,
    },
}

/// A compiled product grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// Name.
    pub name: String,
    /// Container selector.
    pub container: String,
    /// Tile selector (relative to the container: a direct child).
    pub tile: String,
    /// Key source.
    pub key: TileKey,
    /// Facts attributes: brand, category, price, stock.
    pub facts: [Option<String>; 4],
    /// Largest grid held for reordering, in bytes.
    pub max_bytes: usize,
}

/// Compiled hero selectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeroSelectors {
    /// Container.
    pub container: String,
    /// Headline.
    pub headline: Option<String>,
    /// Sub-copy.
    pub sub: Option<String>,
    /// CTA link.
    pub cta: Option<String>,
    /// Image.
    pub image: Option<String>,
}

/// Compiled gallery selectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gallery {
    /// Container.
    pub container: String,
    /// Item (direct child of the container).
    pub item: String,
    /// Image inside an item.
    pub image: String,
    /// Role attribute, if the markup names roles.
    pub role_attribute: Option<String>,
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
    pub stock: Option<String>,
    /// (role, src) pairs.
    pub images: Vec<(String, String)>,
}

/// The compiled, validated config.
#[derive(Debug, Clone)]
pub struct Config {
    /// Document mode.
    pub mode: Mode,
    /// Product grids on listing pages.
    pub grids: Vec<Grid>,
    /// Hero selectors.
    pub hero: Option<HeroSelectors>,
    /// PDP gallery.
    pub gallery: Option<Gallery>,
    /// Rules.
    pub rules: Vec<Rule>,
    /// Catalog by key.
    pub catalog: HashMap<String, Product>,
    /// Personalization strength 0..=1.
    pub strength: f64,
    /// Holdout share 0..=0.5.
    pub holdout: f64,
    /// Page rules, first match wins.
    pub pages: Vec<PageRule>,
    /// Product facts sources for PDPs.
    pub product_sources: Vec<Source>,
    /// Bytes of a PDP that may be held back while its facts are read.
    pub learn_window: usize,
    /// Identity stitching, if configured.
    pub identity: Option<Identity>,
    /// The signal cookie.
    pub cookie: CookieSpec,
    /// Consent policy.
    pub consent: ConsentPolicy,
    /// Whether `/__vitrine/whoami` is served.
    pub whoami: bool,
    /// Trusted country override header (tests only).
    pub country_header: Option<String>,
    /// Forward visitor cookies on page requests.
    pub forward_cookies: bool,
    /// Debug bypass header.
    pub bypass_header: Option<String>,
    /// JSON listing APIs.
    pub json_listings: Vec<JsonListing>,
    /// Edge search.
    pub search: Option<SearchConfig>,
}

/// A page classified by the config: its rule and what its URL captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    /// The page type.
    pub kind: PageKind,
    /// Captures from the path pattern.
    pub captures: Vec<(String, String)>,
}

impl Classified {
    /// A capture by name.
    pub fn capture(&self, name: &str) -> Option<&str> {
        self.captures
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Config {
    /// The page type of a request, if the config knows it.
    pub fn classify(&self, method: &str, path: &str) -> Option<Classified> {
        self.pages.iter().find_map(|rule| {
            let head_of_get = rule.method == "GET" && method.eq_ignore_ascii_case("HEAD");
            if !(rule.method.eq_ignore_ascii_case(method) || head_of_get) {
                return None;
            }
            let captures = rule.pattern.matches(path)?;
            Some(Classified {
                kind: rule.kind,
                captures,
            })
        })
    }
}

/// One problem in a document: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON path, e.g. `site.pages[2].path`.
    pub path: String,
    /// Plain message, lowercase, no trailing period.
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: &str) -> Self {
        Problem {
            path: path.into(),
            message: message.to_owned(),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Largest config document accepted.
pub const MAX_DOCUMENT: usize = 2 * 1024 * 1024;

/// Parses and compiles a JSON document, reporting every problem found.
pub fn compile_json(json: &str) -> Result<Config, Vec<Problem>> {
    if json.len() > MAX_DOCUMENT {
        return Err(vec![Problem::new(
            "(document)",
            "must be at most 2 MB; push large catalogs separately",
        )]);
    }
    let de = &mut serde_json::Deserializer::from_str(json);
    let raw: RawConfig = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        // serde_json appends " at line L column C": keep the message plain, the path says where.
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        vec![Problem {
            path: if path == "." {
                format!("(line {}, column {})", inner.line(), inner.column())
            } else {
                path
            },
            message,
        }]
    })?;
    compile(raw)
}

/// Validates a raw document into a [`Config`].
pub fn compile(raw: RawConfig) -> Result<Config, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut problem = |path: String, message: &str| {
        problems.push(Problem {
            path,
            message: message.to_owned(),
        })
    };
    if raw.version != VERSION {
        problem("version".into(), "must be 1");
    }
    if raw.site.pages.len() > MAX_PAGES {
        problem("site.pages".into(), "must have at most 64 entries");
    }
    let mut pages = Vec::new();
    for (i, p) in raw.site.pages.iter().enumerate().take(MAX_PAGES) {
        let at = |f: &str| format!("site.pages[{i}].{f}");
        let kind = PageKind::parse(&p.kind);
        if kind.is_none() {
            problem(
                at("type"),
                "must be one of home, plp, pdp, search, cart_add, checkout_complete, other",
            );
        }
        let pattern = PathPattern::parse(&p.path)
            .map_err(|e| problem(at("path"), e.0))
            .ok();
        let default_method = match kind {
            Some(PageKind::CartAdd | PageKind::CheckoutComplete) => "POST",
            _ => "GET",
        };
        let method = p.method.as_deref().unwrap_or(default_method).to_ascii_uppercase();
        if !matches!(method.as_str(), "GET" | "POST" | "PUT" | "PATCH" | "DELETE") {
            problem(at("method"), "must be GET, POST, PUT, PATCH or DELETE");
        }
        if let (Some(kind), Some(pattern)) = (kind, pattern) {
            pages.push(PageRule {
                kind,
                method,
                pattern,
            });
        }
    }

    let mut product_sources = Vec::new();
    let mut learn_window = 128 * 1024;
    if let Some(pdp) = &raw.site.pdp {
        if pdp.product_data.len() > MAX_SOURCES {
            problem("site.pdp.product_data".into(), "must have at most 8 entries");
        }
        for (i, s) in pdp.product_data.iter().enumerate().take(MAX_SOURCES) {
            let at = |f: &str| format!("site.pdp.product_data[{i}].{f}");
            match s {
                RawSource::JsonLd => product_sources.push(Source::JsonLd),
                RawSource::Attributes {
                    selector,
                    key,
                    brand,
                    category,
                    price,
                } => {
                    if let Err(msg) = check_selector(selector) {
                        problem(at("selector"), &msg);
                    } else if key.is_none() && brand.is_none() && category.is_none() && price.is_none() {
                        problem(
                            at("selector"),
                            "names no attribute to read (key, brand, category or price)",
                        );
                    } else {
                        product_sources.push(Source::Attributes {
                            selector: selector.clone(),
                            key: key.clone(),
                            brand: brand.clone(),
                            category: category.clone(),
                            price: price.clone(),
                        });
                    }
                }
                RawSource::Text { selector, field } => {
                    let fact = match field.as_str() {
                        "key" => Some(Fact::Key),
                        "brand" => Some(Fact::Brand),
                        "category" => Some(Fact::Category),
                        "price" => Some(Fact::Price),
                        _ => {
                            problem(at("field"), "must be key, brand, category or price");
                            None
                        }
                    };
                    match (check_selector(selector), fact) {
                        (Err(msg), _) => problem(at("selector"), &msg),
                        (Ok(()), Some(field)) => product_sources.push(Source::Text {
                            selector: selector.clone(),
                            field,
                        }),
                        (Ok(()), None) => {}
                    }
                }
            }
        }
        if let Some(kb) = pdp.learn_window_kb {
            if kb > 1024 {
                problem("site.pdp.learn_window_kb".into(), "must be at most 1024");
            }
            learn_window = kb.min(1024) as usize * 1024;
        }
    }

    let identity = raw.site.identity.as_ref().and_then(|id| {
        let header = id.response_header.as_ref().map(|h| h.trim().to_ascii_lowercase());
        if let Some(h) = &header {
            if !is_token(h) {
                problem("site.identity.response_header".into(), "must be a header name");
            }
        }
        if let Some(c) = &id.cookie {
            if !is_token(c) {
                problem("site.identity.cookie".into(), "must be a cookie name");
            }
        }
        if header.is_none() && id.cookie.is_none() {
            problem("site.identity".into(), "needs response_header or cookie");
            return None;
        }
        Some(Identity {
            response_header: header,
            cookie: id.cookie.clone(),
            strip_header: id.strip_header.unwrap_or(true),
        })
    });

    let mut cookie = CookieSpec::default();
    if let Some(name) = &raw.signal.cookie {
        if is_token(name) && name.len() <= MAX_NAME {
            cookie.name = name.clone();
        } else {
            problem("signal.cookie".into(), "must be a cookie name");
        }
    }
    if let Some(days) = raw.signal.max_age_days {
        if (1..=400).contains(&days) {
            cookie.max_age_days = days;
        } else {
            problem(
                "signal.max_age_days".into(),
                "must be 1..=400 (browsers cap cookies at 400 days)",
            );
        }
    }

    let mut consent = ConsentPolicy::default();
    if let Some(c) = &raw.consent {
        if !is_token(&c.cookie) {
            problem("consent.cookie".into(), "must be a cookie name");
        }
        if c.granted.is_empty() {
            problem("consent.granted".into(), "must list at least one value");
        }
        consent.cookie = c.cookie.clone();
        consent.granted = c.granted.clone();
        consent.denied = c.denied.clone();
        if let Some(countries) = &c.opt_in_countries {
            for (i, cc) in countries.iter().enumerate() {
                if cc.len() != 2 || !cc.chars().all(|ch| ch.is_ascii_alphabetic()) {
                    problem(
                        format!("consent.opt_in_countries[{i}]"),
                        "must be a two-letter country code",
                    );
                }
            }
            consent.opt_in_countries = countries.clone();
        }
        consent.honor_gpc = c.honor_gpc.unwrap_or(true);
    }

    if let Some(h) = &raw.debug.country_header {
        if !is_token(h) {
            problem("debug.country_header".into(), "must be a header name");
        }
    }

    let mode = match raw.mode.as_deref() {
        None => Mode::Enforce,
        Some(m) => Mode::parse(m).unwrap_or_else(|| {
            problem("mode".into(), "must be enforce or shadow");
            Mode::Enforce
        }),
    };
    let (mut strength, mut holdout) = (0.5, 0.0);
    if let Some(p) = &raw.personalization {
        if let Some(s) = p.strength {
            if (0.0..=1.0).contains(&s) {
                strength = s;
            } else {
                problem("personalization.strength".into(), "must be 0 to 1");
            }
        }
        if let Some(h) = p.holdout {
            if (0.0..=0.5).contains(&h) {
                holdout = h;
            } else {
                problem("personalization.holdout".into(), "must be 0 to 0.5");
            }
        }
    }

    let mut grids = Vec::new();
    let mut hero = None;
    if let Some(plp) = &raw.site.plp {
        for (i, g) in plp.grids.iter().enumerate().take(8) {
            let at = |f: &str| format!("site.plp.grids[{i}].{f}");
            let mut ok = true;
            for (field, sel) in [("container", &g.container), ("tile", &g.tile)] {
                if let Err(msg) = check_selector(sel) {
                    problem(at(field), &msg);
                    ok = false;
                }
            }
            if let Err(msg) = check_selector(&format!("{} > {}", g.container, g.tile)) {
                problem(at("tile"), &format!("does not combine with the container: {msg}"));
                ok = false;
            }
            let key = match (&g.key.attribute, &g.key.link, &g.key.pattern) {
                (Some(a), None, None) if is_token(a) => Some(TileKey::Attribute(a.clone())),
                (None, Some(link), Some(pattern)) => {
                    let sel_ok = check_selector(link)
                        .map_err(|m| problem(at("key.link"), &m))
                        .is_ok();
                    let pat = PathPattern::parse(pattern)
                        .map_err(|e| problem(at("key.pattern"), e.0))
                        .ok();
                    match pat {
                        Some(p) if !p.captures("product") => {
                            problem(at("key.pattern"), "must capture {product}");
                            None
                        }
                        Some(p) if sel_ok => Some(TileKey::Link {
                            link: link.clone(),
                            pattern: p,
                        }),
                        _ => None,
                    }
                }
                _ => {
                    problem(
                        at("key"),
                        "must be {\"attribute\": name} or {\"link\": selector, \"pattern\": path}",
                    );
                    None
                }
            };
            let f = g.facts.as_ref();
            let facts = [
                f.and_then(|f| f.brand.clone()),
                f.and_then(|f| f.category.clone()),
                f.and_then(|f| f.price.clone()),
                f.and_then(|f| f.stock.clone()),
            ];
            let max_kb = g.max_kb.unwrap_or(512);
            if !(1..=4096).contains(&max_kb) {
                problem(at("max_kb"), "must be 1 to 4096");
            }
            if let (true, Some(key)) = (ok, key) {
                grids.push(Grid {
                    name: g.name.clone(),
                    container: g.container.clone(),
                    tile: g.tile.clone(),
                    key,
                    facts,
                    max_bytes: max_kb.clamp(1, 4096) as usize * 1024,
                });
            }
        }
        if plp.grids.len() > 8 {
            problem("site.plp.grids".into(), "must have at most 8 grids");
        }
        if let Some(h) = &plp.hero {
            let mut ok = check_selector(&h.container)
                .map_err(|m| problem("site.plp.hero.container".into(), &m))
                .is_ok();
            for (field, sel) in [
                ("headline", &h.headline),
                ("sub", &h.sub),
                ("cta", &h.cta),
                ("image", &h.image),
            ] {
                if let Some(sel) = sel {
                    if let Err(msg) = check_selector(&format!("{} {}", h.container, sel)) {
                        problem(format!("site.plp.hero.{field}"), &msg);
                        ok = false;
                    }
                }
            }
            if ok {
                hero = Some(HeroSelectors {
                    container: h.container.clone(),
                    headline: h.headline.clone(),
                    sub: h.sub.clone(),
                    cta: h.cta.clone(),
                    image: h.image.clone(),
                });
            }
        }
    }
    let gallery = raw
        .site
        .pdp
        .as_ref()
        .and_then(|p| p.gallery.as_ref())
        .and_then(|g| {
            let image = g.image.clone().unwrap_or_else(|| "img".to_owned());
            let combined = format!("{} > {} {}", g.container, g.item, image);
            match check_selector(&combined) {
                Ok(()) => Some(Gallery {
                    container: g.container.clone(),
                    item: g.item.clone(),
                    image,
                    role_attribute: g.role_attribute.clone(),
                }),
                Err(msg) => {
                    problem("site.pdp.gallery".into(), &msg);
                    None
                }
            }
        });

    let mut catalog = HashMap::new();
    if let Some(c) = &raw.catalog {
        if c.products.len() > 20_000 {
            problem(
                "catalog.products".into(),
                "must have at most 20000 products inline",
            );
        }
        for (i, p) in c.products.iter().enumerate().take(20_000) {
            let at = |f: &str| format!("catalog.products[{i}].{f}");
            if p.key.trim().is_empty() {
                problem(at("key"), "must not be empty");
                continue;
            }
            if let Some(s) = &p.stock {
                if !matches!(s.as_str(), "in_stock" | "low_stock" | "out_of_stock") {
                    problem(at("stock"), "must be in_stock, low_stock or out_of_stock");
                }
            }
            if p.price.is_some_and(|x| !(x.is_finite() && x >= 0.0)) {
                problem(at("price"), "must be a non-negative number");
            }
            let prev = catalog.insert(
                p.key.trim().to_owned(),
                Product {
                    key: p.key.trim().to_owned(),
                    category: p.category.as_ref().map(|c| c.trim().to_lowercase()),
                    brand: p.brand.as_ref().map(|b| b.trim().to_lowercase()),
                    tags: p.tags.iter().map(|t| t.trim().to_lowercase()).collect(),
                    price: p.price,
                    stock: p.stock.clone(),
                    images: p
                        .images
                        .iter()
                        .map(|im| (im.role.to_lowercase(), im.src.clone()))
                        .collect(),
                },
            );
            if prev.is_some() {
                problem(at("key"), &format!("duplicate key {:?}", p.key));
            }
        }
    }

    let mut json_listings = Vec::new();
    for (i, j) in raw.site.json_listings.iter().enumerate().take(8) {
        let at = |f: &str| format!("site.json_listings[{i}].{f}");
        let pattern = PathPattern::parse(&j.path)
            .map_err(|e| problems.push(Problem::new(at("path"), e.0)))
            .ok();
        if !(j.items.is_empty() || j.items.starts_with('/')) {
            problems.push(Problem::new(
                at("items"),
                "must be a JSON pointer: empty or starting with /",
            ));
        }
        if j.key.trim().is_empty() {
            problems.push(Problem::new(
                at("key"),
                "must name the item field holding the product key",
            ));
        }
        let page = match j.page.as_deref() {
            None | Some("plp") => PageKind::Plp,
            Some("search") => PageKind::Search,
            Some(_) => {
                problems.push(Problem::new(at("page"), "must be plp or search"));
                PageKind::Plp
            }
        };
        let f = j.facts.as_ref();
        if let Some(pattern) = pattern {
            json_listings.push(JsonListing {
                pattern,
                items: j.items.clone(),
                key: j.key.clone(),
                category_param: j.category_param.clone(),
                facts: [
                    f.and_then(|f| f.brand.clone()),
                    f.and_then(|f| f.category.clone()),
                    f.and_then(|f| f.price.clone()),
                    f.and_then(|f| f.stock.clone()),
                ],
                page,
                max_bytes: j.max_kb.unwrap_or(1024).clamp(1, 8192) as usize * 1024,
            });
        }
    }

    let search = raw.site.search.as_ref().and_then(|sr| {
        let at = |f: &str| format!("site.search.{f}");
        let path = PathPattern::parse(&sr.path)
            .map_err(|e| problems.push(Problem::new(at("path"), e.0)))
            .ok()?;
        let upstream = sr.upstream.clone().unwrap_or_else(|| sr.path.clone());
        if !upstream.starts_with('/') || upstream.contains(['?', '#']) {
            problems.push(Problem::new(at("upstream"), "must be a path on the origin"));
        }
        if let Some(k) = &sr.keyword_fallback {
            if !k.starts_with('/') || k.contains('#') {
                problems.push(Problem::new(
                    at("keyword_fallback"),
                    "must be a path (and query) on the origin",
                ));
            }
        }
        let budget = sr.budget_ms.unwrap_or(300);
        if !(20..=5000).contains(&budget) {
            problems.push(Problem::new(at("budget_ms"), "must be 20 to 5000"));
        }
        let mapping = match &sr.mapping {
            Some(m) => {
                for (f, v) in [
                    ("hits", Some(&m.hits)),
                    ("key", Some(&m.key)),
                    ("score", m.score.as_ref()),
                    ("total", m.total.as_ref()),
                ] {
                    if v.is_some_and(|v| !v.is_empty() && !v.starts_with('/')) {
                        problems.push(Problem::new(
                            format!("site.search.mapping.{f}"),
                            "must be a JSON pointer",
                        ));
                    }
                }
                let f = m.facts.as_ref();
                crate::search::Mapping {
                    hits: m.hits.clone(),
                    key: m.key.clone(),
                    score: m.score.clone(),
                    total: m.total.clone(),
                    facts: [
                        f.and_then(|f| f.brand.clone()),
                        f.and_then(|f| f.category.clone()),
                        f.and_then(|f| f.price.clone()),
                        f.and_then(|f| f.stock.clone()),
                    ],
                }
            }
            None => crate::search::Mapping::default(),
        };
        Some(SearchConfig {
            path,
            query_param: sr.query_param.clone().unwrap_or_else(|| "q".into()),
            upstream,
            keyword_fallback: sr.keyword_fallback.clone(),
            budget_ms: budget.clamp(20, 5000),
            cache_ttl_ms: u64::from(sr.cache_ttl_s.unwrap_or(60)) * 1000,
            max_query: sr.max_query.unwrap_or(100).clamp(1, 1000) as usize,
            circuit_failures: sr.circuit_failures.unwrap_or(3).max(1),
            circuit_open_ms: u64::from(sr.circuit_open_s.unwrap_or(10)) * 1000,
            mapping,
            page: sr.page.as_deref().and_then(|p| {
                PathPattern::parse(p)
                    .map_err(|e| problems.push(Problem::new(at("page"), e.0)))
                    .ok()
            }),
            page_keyword_fallback: sr.page_keyword_fallback.clone(),
        })
    });

    let rules = rules::compile_rules(&raw.rules, mode, &mut problems);

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Config {
        mode,
        grids,
        hero,
        gallery,
        rules,
        catalog,
        strength,
        holdout,
        pages,
        product_sources,
        learn_window,
        identity,
        cookie,
        consent,
        whoami: raw.debug.whoami,
        country_header: raw.debug.country_header.map(|h| h.to_ascii_lowercase()),
        forward_cookies: raw.site.forward_cookies,
        bypass_header: raw.debug.bypass_header.map(|h| h.to_ascii_lowercase()),
        json_listings,
        search,
    })
}

/// Validates catalog products (inline in a config, or pushed on their own); problems get paths
/// under `at` (`catalog.products[3].stock`).
pub fn compile_products(raw: &[RawProduct], at: &str) -> (Vec<Product>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(raw.len());
    let mut seen = std::collections::HashSet::new();
    for (i, p) in raw.iter().enumerate() {
        let path = |f: &str| format!("{at}[{i}].{f}");
        let key = p.key.trim();
        if key.is_empty() || key.len() > 256 {
            problems.push(Problem::new(path("key"), "must be 1 to 256 characters"));
            continue;
        }
        if !seen.insert(key.to_owned()) {
            problems.push(Problem::new(path("key"), &format!("duplicate key {key:?}")));
            continue;
        }
        if let Some(s) = &p.stock {
            if !matches!(s.as_str(), "in_stock" | "low_stock" | "out_of_stock") {
                problems.push(Problem::new(
                    path("stock"),
                    "must be in_stock, low_stock or out_of_stock",
                ));
            }
        }
        if p.price.is_some_and(|x| !(x.is_finite() && x >= 0.0)) {
            problems.push(Problem::new(path("price"), "must be a non-negative number"));
        }
        for (j, im) in p.images.iter().enumerate() {
            if let Err(msg) = rules::check_url(&im.src) {
                problems.push(Problem::new(format!("{at}[{i}].images[{j}].src"), msg));
            }
        }
        out.push(Product {
            key: key.to_owned(),
            category: p.category.as_ref().map(|c| c.trim().to_lowercase()),
            brand: p.brand.as_ref().map(|b| b.trim().to_lowercase()),
            tags: p.tags.iter().map(|t| t.trim().to_lowercase()).collect(),
            price: p.price,
            stock: p.stock.clone(),
            images: p
                .images
                .iter()
                .map(|im| (im.role.to_lowercase(), im.src.clone()))
                .collect(),
        });
    }
    (out, problems)
}

/// A CSS selector lol_html can run (parsed here so that a bad one is a config error, not a panic).
pub fn check_selector(selector: &str) -> Result<(), String> {
    if selector.len() > 512 {
        return Err("selector must be at most 512 characters".into());
    }
    selector
        .parse::<lol_html::Selector>()
        .map(|_| ())
        .map_err(|e| format!("invalid selector: {e}"))
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../www/vitrine.config.json");

    #[test]
    fn the_demo_config_compiles_and_classifies_the_demo_store() {
        let c = compile_json(DEMO).unwrap();
        let plp = c.classify("GET", "/c/outerwear?page=2").unwrap();
        assert_eq!(
            (plp.kind, plp.capture("category")),
            (PageKind::Plp, Some("outerwear"))
        );
        assert_eq!(c.classify("GET", "/p/some-slug").unwrap().kind, PageKind::Pdp);
        assert_eq!(c.classify("HEAD", "/p/some-slug").unwrap().kind, PageKind::Pdp);
        assert_eq!(c.classify("POST", "/cart/add").unwrap().kind, PageKind::CartAdd);
        assert_eq!(c.classify("GET", "/cart/add"), None);
        assert_eq!(
            c.classify("POST", "/checkout/complete").unwrap().kind,
            PageKind::CheckoutComplete
        );
        assert!(!c.product_sources.is_empty());
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let doc = r#"{
          "version": 2,
          "site": {
            "pages": [
              {"type": "plp", "path": "c/{category}"},
              {"type": "nope", "path": "/x"},
              {"type": "pdp", "path": "/p/{slug}", "method": "FETCH"}
            ],
            "pdp": {"product_data": [
              {"source": "attributes", "selector": "div[", "brand": "data-brand"},
              {"source": "text", "selector": "h1", "field": "colour"}
            ], "learn_window_kb": 5000},
            "identity": {}
          },
          "signal": {"cookie": "bad name", "max_age_days": 0},
          "consent": {"cookie": "c", "granted": [], "denied": [], "opt_in_countries": ["DEU"]}
        }"#;
        let problems = compile_json(doc).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "version",
                "site.pages[0].path",
                "site.pages[1].type",
                "site.pages[2].method",
                "site.pdp.product_data[0].selector",
                "site.pdp.product_data[1].field",
                "site.pdp.learn_window_kb",
                "site.identity",
                "signal.cookie",
                "signal.max_age_days",
                "consent.granted",
                "consent.opt_in_countries[0]",
            ],
            "{problems:#?}"
        );
        assert_eq!(problems[1].to_string(), "site.pages[0].path: must start with /");
    }

    #[test]
    fn unknown_fields_and_bad_json_are_rejected() {
        let p = compile_json(r#"{"version": 1, "sight": {}}"#).unwrap_err();
        assert!(p[0].message.contains("unknown field `sight`"), "{p:?}");
        assert!(compile_json("{").is_err());
        assert!(compile_json(r#"{"version": 1}"#).is_ok());
    }
}
