//! The config document as it arrives: one wire type per section, each with a reader that takes
//! its fields from the JSON (types checked, unknown fields rejected, every problem reported at
//! once), a doc comment on every field (the JSON Schema's descriptions say the same). Nothing
//! here is validated beyond types: [`super::compile`] turns these into the typed
//! [`super::Config`].
//!
//! The rules' wire types live beside their compiler in [`super::rules`].

use super::rules;
use crate::doc::{Obj, Problems};

/// The document as it arrives.
#[derive(Debug)]
pub struct RawConfig {
    /// Format version of this document; must be 1.
    pub version: u32,
    /// How this storefront's URLs and markup look.
    pub site: RawSite,
    /// The visitor signal cookie.
    pub signal: RawSignal,
    /// How consent is read; absent means the defaults (cookie `consent`, EU/EEA/UK/CH opt-in).
    pub consent: Option<RawConsent>,
    /// Developer aids; all off by default.
    pub debug: RawDebug,
    /// `enforce` (default) or `shadow`: a shadow document is evaluated and logged, never served.
    pub mode: Option<String>,
    /// How far personalization may move products, and who is held out of it.
    pub personalization: Option<RawPersonalization>,
    /// Merchandising rules.
    pub rules: Vec<rules::RawRule>,
    /// Rule-level tests: `{"id", "rule", "share", "salt"?}`.
    pub experiments: Vec<RawExperiment>,
    /// Product facts for scoring and for checking swaps (small catalogs inline; see the README
    /// for large ones).
    pub catalog: Option<RawCatalog>,
}

/// A rule-level test as written.
#[derive(Debug)]
pub struct RawExperiment {
    /// Its name (events report the arm under it).
    pub id: String,
    /// The rule tested.
    pub rule: String,
    /// The share of visitors with the rule on.
    pub share: f64,
    /// Another salt re-randomizes the arms.
    pub salt: Option<String>,
}

impl RawExperiment {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let id = o.req_string("id", p);
        let rule = o.req_string("rule", p);
        let share = o.f64("share", p);
        if share.is_none() {
            p.add(o.path("share"), "is required");
        }
        Some(RawExperiment {
            salt: o.string("salt", p),
            id: id?,
            rule: rule?,
            share: share?,
        })
    }
}

/// The `personalization` section.
#[derive(Debug)]
pub struct RawPersonalization {
    /// 0 (off) to 1: how strongly affinity reorders within the rules. Default 0.5.
    pub strength: Option<f64>,
    /// Share of visitors (0 to 0.5) who get no personalization, to measure its lift. Default 0.
    pub holdout: Option<f64>,
}

/// The `catalog` section.
#[derive(Debug)]
pub struct RawCatalog {
    /// Products.
    pub products: Vec<RawProduct>,
}

/// One catalog product.
#[derive(Debug)]
pub struct RawProduct {
    /// Product key (SKU), as the storefront's tiles and pages name it.
    pub key: String,
    /// Category.
    pub category: Option<String>,
    /// Brand.
    pub brand: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Price.
    pub price: Option<f64>,
    /// `in_stock`, `low_stock` or `out_of_stock`.
    pub stock: Option<String>,
    /// Images with roles.
    pub images: Vec<RawCatalogImage>,
}

/// A catalog image.
#[derive(Debug)]
pub struct RawCatalogImage {
    /// `packshot`, `lifestyle`, `detail`, ...
    pub role: String,
    /// URL.
    pub src: String,
}

/// The `site` section.
#[derive(Debug, Default)]
pub struct RawSite {
    /// Page types by URL pattern, first match wins.
    pub pages: Vec<RawPage>,
    /// Listing pages: product grids and the hero.
    pub plp: Option<RawPlp>,
    /// Where product pages keep the product's data.
    pub pdp: Option<RawPdp>,
    /// How the origin says a customer is signed in.
    pub identity: Option<RawIdentity>,
    /// JSON listing APIs (headless storefronts): reordered like HTML grids.
    pub json_listings: Vec<RawJsonListing>,
    /// The storefront's JSON search endpoint, answered at the edge from the origin's search API.
    pub search: Option<RawSearch>,
    /// The storefront's own hosts (`shop.example.com`, its CDN): absolute URLs in hero links and
    /// images must name one of them (paths on the storefront need none); the first is the public
    /// host redirects are rewritten to when a request names another.
    pub hosts: Vec<String>,
    /// Paths of sample pages on the origin: validate and push check the selectors against them.
    pub samples: Vec<String>,
    /// The zone schedule dates and times without an offset are in: `UTC` (default) or a fixed
    /// offset such as `+01:00`.
    pub time_zone: Option<String>,
    /// Forward the visitor's cookies to the origin on page requests (home, PLP, PDP, search).
    /// Default false: pages are fetched cookie-free so the origin's response is cacheable by URL.
    pub forward_cookies: bool,
}

/// One page type rule.
#[derive(Debug)]
pub struct RawPage {
    /// `home`, `plp`, `pdp`, `search`, `cart_add`, `checkout_complete` or `other`.
    pub kind: String,
    /// Path pattern, e.g. `/c/{category}`; `{category}` on a PLP and `{product}` on a PDP are read.
    /// Optional with a `marker` (any path).
    pub path: Option<String>,
    /// A selector the page's markup must have for the rule to apply (`body.template-product`).
    pub marker: Option<String>,
    /// HTTP method; `GET` for pages, `POST` by default for `cart_add` and `checkout_complete`.
    pub method: Option<String>,
}

/// The `site.search` section.
#[derive(Debug)]
pub struct RawSearch {
    /// Path of the storefront's JSON search endpoint the worker answers (`/api/search`).
    pub path: String,
    /// Query parameter holding the query (default `q`).
    pub query_param: Option<String>,
    /// Path of the origin's search API (the contract; default: `path`).
    pub upstream: Option<String>,
    /// Path and query of the origin's keyword endpoint, the fallback (`/api/search?mode=keyword`).
    pub keyword_fallback: Option<String>,
    /// Time budget for the origin's search API, ms (default 300, 20..=5000).
    pub budget_ms: Option<u32>,
    /// How long an edge-cached answer is fresh, s (default 60; stale ones still serve as fallback).
    pub cache_ttl_s: Option<u32>,
    /// Longest query, characters (default 100).
    pub max_query: Option<u32>,
    /// Consecutive failures that open the circuit (default 3).
    pub circuit_failures: Option<u32>,
    /// How long the circuit stays open, s (default 10).
    pub circuit_open_s: Option<u32>,
    /// How to read the engine's response (JSON pointers); default: vitrine's contract.
    pub mapping: Option<RawMapping>,
    /// Path of the server-rendered search page, fetched within the same budget (`/search`).
    pub page: Option<String>,
    /// Path and query of the page's keyword-only variant, the page fallback (`/search?mode=keyword`).
    pub page_keyword_fallback: Option<String>,
}

/// Pointers into an engine's response.
#[derive(Debug)]
pub struct RawMapping {
    /// The hits array (`/hits`, Elasticsearch `/hits/hits`).
    pub hits: String,
    /// Within a hit, the product key (`/key`, Algolia `/objectID`, ES `/_source/sku`).
    pub key: String,
    /// The total number of results.
    pub total: Option<String>,
    /// Within a hit, pointers to its brand, category, price and stock.
    pub facts: Option<RawTileFacts>,
}

/// A JSON listing API.
#[derive(Debug)]
pub struct RawJsonListing {
    /// Path pattern of the API (`/api/products`); `{category}` is read if captured.
    pub path: String,
    /// JSON pointer to the items array (`/products`; empty: the document is the array).
    pub items: String,
    /// Field of an item holding its product key.
    pub key: String,
    /// Query parameter naming the category (`category`), if the path does not.
    pub category_param: Option<String>,
    /// Item fields with facts.
    pub facts: Option<RawTileFacts>,
    /// `plp` (default) or `search`: which rules' page scope applies.
    pub page: Option<String>,
    /// Largest body reordered (KB, default 1024); larger ones pass untouched.
    pub max_kb: Option<u32>,
}

/// The `site.plp` section.
#[derive(Debug)]
pub struct RawPlp {
    /// Product grids, each reordered on its own (a listing, a "related" rail, ...).
    pub grids: Vec<RawGrid>,
    /// The category hero.
    pub hero: Option<RawHeroSelectors>,
}

/// One product grid.
#[derive(Debug)]
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
    pub facts: Option<RawTileFacts>,
    /// Largest grid held in memory for reordering (KB, default 512); over it the page passes.
    pub max_kb: Option<u32>,
    /// Nothing vitrine changes comes after this grid on any page it appears on: once it closed
    /// (and the product data a page needs was read), the rest of the page skips the rewriter.
    pub last: bool,
    /// What belongs to the slot, not the product: it stays in place when tiles move.
    pub slot: Option<RawSlot>,
}

/// A grid's slot-bound markup.
#[derive(Debug, Default)]
pub struct RawSlot {
    /// Attributes of the tile that belong to its position (`data-gtm4wp_product_position`,
    /// `data-aos-delay`, `style` holding an animation delay).
    pub attributes: Vec<String>,
    /// Class tokens of the tile that belong to its position (`first`, `last`).
    pub classes: Vec<String>,
}

/// How a tile names its product: an attribute of the tile or of an element inside it, or a link
/// (inside it, or the tile itself) and a path pattern.
#[derive(Debug)]
pub struct RawTileKey {
    /// Attribute naming the product (`data-sku`, `data-product-id`): of the tile, or of the
    /// element `selector` finds inside it.
    pub attribute: Option<String>,
    /// Selector of the element inside the tile carrying `attribute` (`.gtm4wp_productdata`).
    pub selector: Option<String>,
    /// Selector of a link inside the tile (`a`, `a.card-link`); without it, with a `pattern`,
    /// the tile itself is the link (`a.product-card`).
    pub link: Option<String>,
    /// Path pattern of the link's `href`, capturing `{product}` (`/products/{product}`); relative
    /// hrefs (`../x/`) are resolved against the page's path first.
    pub pattern: Option<String>,
}

/// Where a tile (or a listing item) keeps one fact: an attribute (a string: of the tile, or the
/// item's field), or an element inside the tile (its text, or one of its attributes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawFact {
    /// Attribute of the tile (field of a JSON item).
    Attribute(String),
    /// An element inside the tile.
    Element {
        /// Its selector, inside the tile (`.price`, `[itemprop=brand]`).
        selector: String,
        /// Read this attribute (`content`) instead of its text.
        attribute: Option<String>,
    },
}

/// Where tiles keep their facts (when the catalog does not have them).
#[derive(Debug, Default)]
pub struct RawTileFacts {
    /// Brand.
    pub brand: Option<RawFact>,
    /// Category.
    pub category: Option<RawFact>,
    /// Price.
    pub price: Option<RawFact>,
    /// Stock (`in_stock`, `low_stock`, `out_of_stock`, and the usual spellings).
    pub stock: Option<RawFact>,
}

/// Hero selectors; each is searched inside `container`.
#[derive(Debug)]
pub struct RawHeroSelectors {
    /// The hero block.
    pub container: String,
    /// Headline element.
    pub headline: Option<String>,
    /// Sub-copy element.
    pub sub: Option<String>,
    /// Call-to-action link.
    pub cta: Option<String>,
    /// Image element.
    pub image: Option<String>,
}

/// The PDP gallery.
#[derive(Debug)]
pub struct RawGallery {
    /// Selector of the gallery container.
    pub container: String,
    /// Selector of one gallery item (a direct child of the container).
    pub item: String,
    /// Selector of the image inside an item (default `img`).
    pub image: Option<String>,
    /// Attribute of the item (or image) naming the image's role (`data-role`); without it, roles
    /// come from the catalog by image URL.
    pub role_attribute: Option<String>,
    /// Nothing vitrine changes comes after the gallery on a product page (see a grid's `last`).
    pub last: bool,
    /// A second strip showing the same images (thumbnails, a nav slider): the chosen image
    /// comes first there too.
    pub thumbnails: Option<RawGalleryPart>,
}

/// A second part of a gallery (`site.pdp.gallery.thumbnails`).
#[derive(Debug)]
pub struct RawGalleryPart {
    /// Selector of the strip's container.
    pub container: String,
    /// Selector of one item (a direct child of the container).
    pub item: String,
    /// Selector of the image inside an item (default `img`).
    pub image: Option<String>,
}

/// The `site.pdp` section.
#[derive(Debug)]
pub struct RawPdp {
    /// Where the product's facts are read from, in order; the first that yields facts wins.
    pub product_data: Vec<RawSource>,
    /// How much of a product page may be held back (KB) while its data is read, so the
    /// learned signal can go out in this response's `Set-Cookie`. Default 128, at most 1024.
    pub learn_window_kb: Option<u32>,
    /// The image gallery, for the first-image policy.
    pub gallery: Option<RawGallery>,
}

/// A place product facts live in a page.
#[derive(Debug)]
pub enum RawSource {
    /// `<script type="application/ld+json">` with a schema.org `Product` (also inside `@graph`).
    JsonLd,
    /// Attributes of one element.
    Attributes {
        /// CSS selector of the element.
        selector: String,
        /// Attribute holding the product key.
        key: Option<String>,
        /// Attribute holding the brand.
        brand: Option<String>,
        /// Attribute holding the category.
        category: Option<String>,
        /// Attribute holding the price.
        price: Option<String>,
    },
    /// The text of one element is one fact.
    Text {
        /// CSS selector of the element.
        selector: String,
        /// `key`, `brand`, `category` or `price`.
        field: String,
    },
    /// The text of one element (a `<script type="application/json">`) is a JSON object; facts
    /// are read at JSON pointers (`/product/vendor`).
    Json {
        /// CSS selector of the element.
        selector: String,
        /// Pointer to the product key.
        key: Option<String>,
        /// Pointer to the brand.
        brand: Option<String>,
        /// Pointer to the category.
        category: Option<String>,
        /// Pointer to the price.
        price: Option<String>,
        /// The price is multiplied by this (`0.01` when the JSON gives cents).
        price_scale: Option<f64>,
    },
}

/// The `site.identity` section: the origin marks signed-in responses.
#[derive(Debug)]
pub struct RawIdentity {
    /// Response header carrying the customer id (e.g. `x-customer-id`).
    pub response_header: Option<String>,
    /// Or a request cookie carrying it.
    pub cookie: Option<String>,
    /// Remove the header from the response the visitor gets (default true).
    pub strip_header: Option<bool>,
}

/// The `signal` section.
#[derive(Debug, Default)]
pub struct RawSignal {
    /// Cookie name (default `vt`).
    pub cookie: Option<String>,
    /// Cookie lifetime in days (default 365, at most 400 as browsers cap it).
    pub max_age_days: Option<u32>,
}

/// The `consent` section.
#[derive(Debug)]
pub struct RawConsent {
    /// Name of the CMP's consent cookie.
    pub cookie: String,
    /// Values (or tokens within the value) that grant personalization.
    pub granted: Vec<String>,
    /// Values (or tokens) that refuse it.
    pub denied: Vec<String>,
    /// Countries (ISO alpha-2) that default to opt-in; absent means EU/EEA/UK/CH.
    pub opt_in_countries: Option<Vec<String>>,
    /// Whether `Sec-GPC: 1` opts out (default true).
    pub honor_gpc: Option<bool>,
}

/// The `debug` section.
#[derive(Debug, Default)]
pub struct RawDebug {
    /// Serve `GET /__vitrine/whoami` (the decoded signal). Off in production.
    pub whoami: bool,
    /// A request header that turns personalization off for that request (benchmarks, and a
    /// developer comparing with the origin page). Off in production.
    pub bypass_header: Option<String>,
    /// The same as a query parameter (`?vitrine=off`: any value but `0`), for a browser's address
    /// bar; it is not passed on to the origin. Off in production.
    pub bypass_param: Option<String>,
    /// The same as a cookie (any value but `0`), so a browser stays on the origin's pages while
    /// it browses. Off in production.
    pub bypass_cookie: Option<String>,
    /// Append what each page became (`<!-- vitrine: category=reordered:48;img=detail -->`) to
    /// the end of rewritten pages, for a developer without a collector. Off in production.
    pub outcome: bool,
    /// Trust this request header for the visitor's country (tests and local dev only, where
    /// `request.cf` is a placeholder). Off in production: visitors could choose their jurisdiction.
    pub country_header: Option<String>,
}

// Readers: each asks for every field of its object once (so `Obj::finish` can name the unknown
// ones), then builds the value; a missing required field drops the value, its problem recorded.

impl RawConfig {
    /// Reads the top object.
    pub fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let version = o.req_int("version", p);
        // Editors point a document at its schema: accepted and ignored.
        let _ = o.value("$schema");
        let site = o.object("site", p, RawSite::read).unwrap_or_default();
        let signal = o.object("signal", p, RawSignal::read).unwrap_or_default();
        let consent = o.object("consent", p, RawConsent::read);
        let debug = o.object("debug", p, RawDebug::read).unwrap_or_default();
        let mode = o.string("mode", p);
        let personalization = o.object("personalization", p, RawPersonalization::read);
        let rules = o.objects("rules", p, rules::RawRule::read);
        let experiments = o.objects("experiments", p, RawExperiment::read);
        let catalog = o.object("catalog", p, RawCatalog::read);
        Some(RawConfig {
            // A missing version is reported above; compile the rest anyway.
            version: version.unwrap_or(0),
            site,
            signal,
            consent,
            debug,
            mode,
            personalization,
            rules,
            experiments,
            catalog,
        })
    }
}

impl RawPersonalization {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawPersonalization {
            strength: o.f64("strength", p),
            holdout: o.f64("holdout", p),
        })
    }
}

impl RawCatalog {
    /// Reads a catalog object (`{"products": [...]}`), inline or pushed.
    pub fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        o.req_list("products", p, RawProduct::read)
            .map(|products| RawCatalog { products })
    }
}

impl RawProduct {
    /// Reads one product.
    pub fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let key = o.req_string("key", p);
        Some(RawProduct {
            category: o.string("category", p),
            brand: o.string("brand", p),
            tags: o.strings("tags", p),
            price: o.f64("price", p),
            stock: o.string("stock", p),
            images: o.objects("images", p, RawCatalogImage::read),
            key: key?,
        })
    }
}

impl RawCatalogImage {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let role = o.req_string("role", p);
        let src = o.req_string("src", p);
        Some(RawCatalogImage {
            role: role?,
            src: src?,
        })
    }
}

impl RawSite {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawSite {
            pages: o.objects("pages", p, RawPage::read),
            plp: o.object("plp", p, RawPlp::read),
            pdp: o.object("pdp", p, RawPdp::read),
            identity: o.object("identity", p, RawIdentity::read),
            json_listings: o.objects("json_listings", p, RawJsonListing::read),
            search: o.object("search", p, RawSearch::read),
            hosts: o.strings("hosts", p),
            samples: o.strings("samples", p),
            time_zone: o.string("time_zone", p),
            forward_cookies: o.bool("forward_cookies", p).unwrap_or(false),
        })
    }
}

impl RawPage {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let kind = o.req_string("type", p);
        let marker = o.string("marker", p);
        let path = if marker.is_some() {
            o.string("path", p)
        } else {
            Some(o.req_string("path", p)?)
        };
        let method = o.string("method", p);
        Some(RawPage {
            kind: kind?,
            path,
            marker,
            method,
        })
    }
}

impl RawSearch {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let path = o.req_string("path", p);
        Some(RawSearch {
            query_param: o.string("query_param", p),
            upstream: o.string("upstream", p),
            keyword_fallback: o.string("keyword_fallback", p),
            budget_ms: o.int("budget_ms", p),
            cache_ttl_s: o.int("cache_ttl_s", p),
            max_query: o.int("max_query", p),
            circuit_failures: o.int("circuit_failures", p),
            circuit_open_s: o.int("circuit_open_s", p),
            mapping: o.object("mapping", p, RawMapping::read),
            page: o.string("page", p),
            page_keyword_fallback: o.string("page_keyword_fallback", p),
            path: path?,
        })
    }
}

impl RawMapping {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let hits = o.req_string("hits", p);
        let key = o.req_string("key", p);
        let total = o.string("total", p);
        let facts = o.object("facts", p, RawTileFacts::read);
        Some(RawMapping {
            hits: hits?,
            key: key?,
            total,
            facts,
        })
    }
}

impl RawJsonListing {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let path = o.req_string("path", p);
        let items = o.req_string("items", p);
        let key = o.req_string("key", p);
        Some(RawJsonListing {
            category_param: o.string("category_param", p),
            facts: o.object("facts", p, RawTileFacts::read),
            page: o.string("page", p),
            max_kb: o.int("max_kb", p),
            path: path?,
            items: items?,
            key: key?,
        })
    }
}

impl RawPlp {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawPlp {
            grids: o.objects("grids", p, RawGrid::read),
            hero: o.object("hero", p, RawHeroSelectors::read),
        })
    }
}

impl RawGrid {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let name = o.req_string("name", p);
        let container = o.req_string("container", p);
        let tile = o.req_string("tile", p);
        let key = o.req_object("key", p, RawTileKey::read);
        Some(RawGrid {
            facts: o.object("facts", p, RawTileFacts::read),
            max_kb: o.int("max_kb", p),
            last: o.bool("last", p).unwrap_or(false),
            slot: o.object("slot", p, |s, p| {
                Some(RawSlot {
                    attributes: s.strings("attributes", p),
                    classes: s.strings("classes", p),
                })
            }),
            name: name?,
            container: container?,
            tile: tile?,
            key: key?,
        })
    }
}

impl RawTileKey {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawTileKey {
            attribute: o.string("attribute", p),
            selector: o.string("selector", p),
            link: o.string("link", p),
            pattern: o.string("pattern", p),
        })
    }
}

impl RawTileFacts {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawTileFacts {
            brand: RawFact::read(o, "brand", p),
            category: RawFact::read(o, "category", p),
            price: RawFact::read(o, "price", p),
            stock: RawFact::read(o, "stock", p),
        })
    }
}

impl RawFact {
    fn read(o: &mut Obj<'_>, field: &'static str, p: &mut Problems) -> Option<Self> {
        match o.value(field)? {
            serde_json::Value::String(s) => Some(RawFact::Attribute(s.clone())),
            v => crate::doc::object(v, &o.path(field), p, |e, p| {
                let selector = e.req_string("selector", p);
                let attribute = e.string("attribute", p);
                Some(RawFact::Element {
                    selector: selector?,
                    attribute,
                })
            }),
        }
    }
}

impl RawHeroSelectors {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let container = o.req_string("container", p);
        Some(RawHeroSelectors {
            headline: o.string("headline", p),
            sub: o.string("sub", p),
            cta: o.string("cta", p),
            image: o.string("image", p),
            container: container?,
        })
    }
}

impl RawGallery {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let container = o.req_string("container", p);
        let item = o.req_string("item", p);
        Some(RawGallery {
            image: o.string("image", p),
            role_attribute: o.string("role_attribute", p),
            last: o.bool("last", p).unwrap_or(false),
            thumbnails: o.object("thumbnails", p, RawGalleryPart::read),
            container: container?,
            item: item?,
        })
    }
}

impl RawGalleryPart {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let container = o.req_string("container", p);
        let item = o.req_string("item", p);
        Some(RawGalleryPart {
            image: o.string("image", p),
            container: container?,
            item: item?,
        })
    }
}

impl RawPdp {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawPdp {
            product_data: o.objects("product_data", p, RawSource::read),
            learn_window_kb: o.int("learn_window_kb", p),
            gallery: o.object("gallery", p, RawGallery::read),
        })
    }
}

impl RawSource {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let Some(source) = o.req_string("source", p) else {
            o.ignore_rest();
            return None;
        };
        match source.as_str() {
            "json_ld" => Some(RawSource::JsonLd),
            "attributes" => {
                let selector = o.req_string("selector", p);
                Some(RawSource::Attributes {
                    key: o.string("key", p),
                    brand: o.string("brand", p),
                    category: o.string("category", p),
                    price: o.string("price", p),
                    selector: selector?,
                })
            }
            "text" => {
                let selector = o.req_string("selector", p);
                let field = o.req_string("field", p);
                Some(RawSource::Text {
                    selector: selector?,
                    field: field?,
                })
            }
            "json" => {
                let selector = o.req_string("selector", p);
                Some(RawSource::Json {
                    key: o.string("key", p),
                    brand: o.string("brand", p),
                    category: o.string("category", p),
                    price: o.string("price", p),
                    price_scale: o.f64("price_scale", p),
                    selector: selector?,
                })
            }
            _ => {
                o.ignore_rest();
                p.add(o.path("source"), "must be json_ld, attributes, text or json");
                None
            }
        }
    }
}

impl RawIdentity {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawIdentity {
            response_header: o.string("response_header", p),
            cookie: o.string("cookie", p),
            strip_header: o.bool("strip_header", p),
        })
    }
}

impl RawSignal {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawSignal {
            cookie: o.string("cookie", p),
            max_age_days: o.int("max_age_days", p),
        })
    }
}

impl RawConsent {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let cookie = o.req_string("cookie", p);
        let granted = o.req_strings("granted", p);
        let denied = o.req_strings("denied", p);
        let opt_in_countries = o.opt_strings("opt_in_countries", p);
        let honor_gpc = o.bool("honor_gpc", p);
        Some(RawConsent {
            cookie: cookie?,
            granted: granted?,
            denied: denied?,
            opt_in_countries,
            honor_gpc,
        })
    }
}

impl RawDebug {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawDebug {
            whoami: o.bool("whoami", p).unwrap_or(false),
            bypass_header: o.string("bypass_header", p),
            bypass_param: o.string("bypass_param", p),
            bypass_cookie: o.string("bypass_cookie", p),
            outcome: o.bool("outcome", p).unwrap_or(false),
            country_header: o.string("country_header", p),
        })
    }
}
