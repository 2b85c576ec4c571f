//! Where a storefront's parts are in its markup, by selectors: the product grids of listing pages,
//! the hero, the product page's gallery, and the places a product page keeps its facts. Every
//! selector is compiled here into a [`Sel`], including the combined ones the rewriter runs (a tile
//! is `container > tile`, a link inside it `container > tile link`), so the request path only
//! clones parsed selectors.

use super::is_token;
use super::pattern::PathPattern;
use super::selector::Sel;
use super::wire::{RawFact, RawGallery, RawGrid, RawHeroSelectors, RawPdp, RawSource, RawTileFacts};
use crate::doc::Problems;
use crate::product::FactNames;

/// Most grids in one config.
pub const MAX_GRIDS: usize = 8;
/// Most product-fact sources.
pub const MAX_SOURCES: usize = 8;

/// What an element inside a tile (found from the grid: `container > tile inner`) says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inner {
    /// A link whose `href` (resolved against the page's path) names the product through a
    /// pattern capturing `{product}`.
    Link(PathPattern),
    /// An attribute naming the product key.
    KeyAttribute(String),
    /// A fact: from an attribute, or (`None`) the element's text.
    Fact(TileFact, Option<String>),
}

/// What belongs to a grid's slot rather than to the tile in it (`slot` in the config).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Slot {
    /// Attribute names (lowercase).
    pub attributes: Vec<String>,
    /// Class tokens.
    pub classes: Vec<String>,
}

impl Slot {
    /// Whether nothing belongs to the slot.
    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty() && self.classes.is_empty()
    }
}

/// A fact a tile can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileFact {
    /// Brand.
    Brand,
    /// Category.
    Category,
    /// Price.
    Price,
    /// Stock state.
    Stock,
}

/// A compiled product grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// Name.
    pub name: String,
    /// The container.
    pub container: Sel,
    /// One tile: `container > tile` (tiles are direct children).
    pub tile: Sel,
    /// The tile's own attribute naming its product, when the key is there.
    pub key_attribute: Option<String>,
    /// The tile's own `href` names its product through this pattern (the tile is the link).
    pub key_href: Option<PathPattern>,
    /// Elements inside the tile that name its product or carry its facts, in config order.
    pub inner: Vec<(Sel, Inner)>,
    /// Attributes of the tile carrying facts.
    pub facts: FactNames,
    /// Attributes and class tokens that stay with the slot when tiles move.
    pub slot: Slot,
    /// Largest grid held for reordering, in bytes.
    pub max_bytes: usize,
    /// Nothing vitrine changes comes after this grid.
    pub last: bool,
}

/// Compiled hero selectors, each part already combined with the container (`.hero h1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeroSelectors {
    /// Container.
    pub container: Sel,
    /// Headline.
    pub headline: Option<Sel>,
    /// Sub-copy.
    pub sub: Option<Sel>,
    /// CTA link.
    pub cta: Option<Sel>,
    /// Image.
    pub image: Option<Sel>,
    /// The elements inside the headline, sub-copy and CTA (`.hero h1 *`): their text is not the
    /// part's own, and they stay when the part's text is replaced.
    pub inside: [Option<Sel>; 3],
}

/// Compiled gallery selectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gallery {
    /// The main images.
    pub main: GalleryPart,
    /// A thumbnail strip or nav slider showing the same images, if the page has one.
    pub thumbnails: Option<GalleryPart>,
    /// Role attribute, if the markup names roles.
    pub role_attribute: Option<String>,
    /// Nothing vitrine changes comes after the gallery.
    pub last: bool,
}

/// One part of a gallery: a container of items, each showing an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryPart {
    /// Container.
    pub container: Sel,
    /// One item: `container > item`.
    pub item: Sel,
    /// The image of an item: `container > item image`.
    pub image: Sel,
    /// A `<picture>`'s `<source>` in an item: `container > item source`.
    pub source: Sel,
}

impl GalleryPart {
    fn compile(container: &str, item: &str, image: Option<&str>) -> Result<Self, String> {
        Ok(GalleryPart {
            container: Sel::parse(container)?,
            item: Sel::within(container, " > ", item)?,
            image: Sel::parse(&format!("{container} > {item} {}", image.unwrap_or("img")))?,
            source: Sel::parse(&format!("{container} > {item} source"))?,
        })
    }
}

/// A compiled product-facts source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// JSON-LD `Product`.
    JsonLd,
    /// Attributes of one element.
    Attributes {
        /// The element.
        selector: Sel,
        /// Attribute holding the key.
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
        /// The element.
        selector: Sel,
        /// Which fact.
        field: Fact,
    },
    /// An element whose text is JSON, read at pointers.
    Json {
        /// The element.
        selector: Sel,
        /// Pointers to key, brand, category and price, in that order.
        pointers: [Option<String>; 4],
        /// Multiplier of the price.
        price_scale: PriceScale,
    },
}

/// A price multiplier (`0.01` for cents), kept as its bits so configs compare exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceScale(u64);

impl PriceScale {
    /// The multiplier.
    pub fn get(self) -> f64 {
        f64::from_bits(self.0)
    }
}

impl Source {
    /// How a preview names the source: `json_ld`, `attributes meta[...]`.
    pub fn describe(&self) -> String {
        match self {
            Source::JsonLd => "json_ld".into(),
            Source::Attributes { selector, .. } => format!("attributes of {}", selector.as_str()),
            Source::Text { selector, .. } => format!("text of {}", selector.as_str()),
            Source::Json { selector, .. } => format!("json in {}", selector.as_str()),
        }
    }
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

/// The field names of a `facts` object of a JSON item (listings, search hits): names only.
pub fn fact_names(raw: Option<&RawTileFacts>, at: &str, p: &mut Problems) -> FactNames {
    let (names, elements) = split_facts(raw);
    for (fact, _, _) in elements {
        p.add(
            format!("{at}.facts.{}", fact_field(fact)),
            "must be a field name here",
        );
    }
    names
}

fn fact_field(fact: TileFact) -> &'static str {
    match fact {
        TileFact::Brand => "brand",
        TileFact::Category => "category",
        TileFact::Price => "price",
        TileFact::Stock => "stock",
    }
}

/// A `facts` object: the attributes (of the tile) by name, and the elements inside the tile.
fn split_facts(raw: Option<&RawTileFacts>) -> (FactNames, Vec<(TileFact, String, Option<String>)>) {
    let mut names = FactNames::default();
    let mut elements = Vec::new();
    let Some(f) = raw else {
        return (names, elements);
    };
    for (fact, spec, slot) in [
        (TileFact::Brand, &f.brand, &mut names.brand),
        (TileFact::Category, &f.category, &mut names.category),
        (TileFact::Price, &f.price, &mut names.price),
        (TileFact::Stock, &f.stock, &mut names.stock),
    ] {
        match spec {
            Some(RawFact::Attribute(a)) => *slot = Some(a.clone()),
            Some(RawFact::Element { selector, attribute }) => {
                elements.push((fact, selector.clone(), attribute.clone()));
            }
            None => {}
        }
    }
    (names, elements)
}

/// A selector, or a problem at `path`.
fn sel(text: &str, path: String, p: &mut Problems) -> Option<Sel> {
    Sel::parse(text).map_err(|m| p.add(path, &m)).ok()
}

/// The listing grids (`site.plp.grids`).
pub fn compile_grids(raw: &[RawGrid], p: &mut Problems) -> Vec<Grid> {
    let grids = raw
        .iter()
        .enumerate()
        .take(MAX_GRIDS)
        .filter_map(|(i, g)| compile_grid(g, &format!("site.plp.grids[{i}]"), p))
        .collect();
    if raw.len() > MAX_GRIDS {
        p.add("site.plp.grids", "must have at most 8 grids");
    }
    grids
}

fn compile_grid(g: &RawGrid, at: &str, p: &mut Problems) -> Option<Grid> {
    let container = sel(&g.container, format!("{at}.container"), p);
    let tile_alone = Sel::parse(&g.tile)
        .map_err(|m| p.add(format!("{at}.tile"), &m))
        .ok();
    let tile = Sel::within(&g.container, " > ", &g.tile)
        .map_err(|m| {
            p.add(
                format!("{at}.tile"),
                &format!("does not combine with the container: {m}"),
            )
        })
        .ok();
    if !is_name(&g.name) {
        p.add(format!("{at}.name"), "must be 1 to 40 of letters, digits, - _ .");
    }
    let inside = |selector: &str, path: String, p: &mut Problems| {
        sel(selector, path.clone(), p)?;
        Sel::parse(&format!("{} > {} {}", g.container, g.tile, selector))
            .map_err(|m| p.add(path, &format!("does not combine with the tile: {m}")))
            .ok()
    };
    let key = compile_tile_key(g, at, &inside, p);
    let (facts, elements) = split_facts(g.facts.as_ref());
    let mut inner = Vec::new();
    let (key_attribute, key_href) = match key? {
        Key::Attribute(a) => (Some(a), None),
        Key::Href(pattern) => (None, Some(pattern)),
        Key::Inner(s, i) => {
            inner.push((s, i));
            (None, None)
        }
    };
    for (fact, selector, attribute) in elements {
        let path = format!("{at}.facts.{}.selector", fact_field(fact));
        if attribute.as_deref().is_some_and(|a| !is_token(a)) {
            p.add(
                format!("{at}.facts.{}.attribute", fact_field(fact)),
                "must be an attribute name",
            );
        }
        if let Some(s) = inside(&selector, path, p) {
            inner.push((s, Inner::Fact(fact, attribute)));
        }
    }
    let mut slot = Slot::default();
    if let Some(raw) = &g.slot {
        for (i, a) in raw.attributes.iter().enumerate() {
            if is_token(a) && !a.eq_ignore_ascii_case("class") {
                slot.attributes.push(a.to_ascii_lowercase());
            } else {
                p.add(
                    format!("{at}.slot.attributes[{i}]"),
                    "must be an attribute name other than class (use classes)",
                );
            }
        }
        for (i, c) in raw.classes.iter().enumerate() {
            if !c.is_empty() && !c.contains(char::is_whitespace) && c.len() <= 64 {
                slot.classes.push(c.clone());
            } else {
                p.add(format!("{at}.slot.classes[{i}]"), "must be one class token");
            }
        }
    }
    let max_kb = g.max_kb.unwrap_or(512);
    p.in_range(format!("{at}.max_kb"), max_kb, 1..=4096);
    Some(Grid {
        slot,
        name: g.name.clone(),
        container: container?,
        tile: tile.filter(|_| tile_alone.is_some())?,
        key_attribute,
        key_href,
        inner,
        facts,
        max_bytes: max_kb.clamp(1, 4096) as usize * 1024,
        last: g.last,
    })
}

/// A name that shows up in reports and comments: letters, digits, `-`, `_`, `.`.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// Where a tile's key is.
enum Key {
    Attribute(String),
    Href(PathPattern),
    Inner(Sel, Inner),
}

fn compile_tile_key(
    g: &RawGrid,
    at: &str,
    inside: &dyn Fn(&str, String, &mut Problems) -> Option<Sel>,
    p: &mut Problems,
) -> Option<Key> {
    let k = &g.key;
    let pattern = |p: &mut Problems| {
        let pattern = PathPattern::parse(k.pattern.as_deref()?)
            .map_err(|e| p.add(format!("{at}.key.pattern"), e.0))
            .ok()?;
        if !pattern.captures("product") {
            p.add(format!("{at}.key.pattern"), "must capture {product}");
            return None;
        }
        Some(pattern)
    };
    match (&k.attribute, &k.selector, &k.link, &k.pattern) {
        (Some(a), None, None, None) if is_token(a) => Some(Key::Attribute(a.clone())),
        (Some(a), Some(selector), None, None) if is_token(a) => {
            let s = inside(selector, format!("{at}.key.selector"), p)?;
            Some(Key::Inner(s, Inner::KeyAttribute(a.clone())))
        }
        (None, None, Some(link), Some(_)) => {
            let pattern = pattern(p)?;
            let s = inside(link, format!("{at}.key.link"), p)?;
            Some(Key::Inner(s, Inner::Link(pattern)))
        }
        (None, None, None, Some(_)) => pattern(p).map(Key::Href),
        _ => {
            p.add(
                format!("{at}.key"),
                "must be {\"attribute\": name} (of the tile), {\"selector\": inside the tile, \"attribute\": name}, {\"link\": selector, \"pattern\": path}, or {\"pattern\": path} (the tile is the link)",
            );
            None
        }
    }
}

/// The category hero (`site.plp.hero`).
pub fn compile_hero(h: &RawHeroSelectors, p: &mut Problems) -> Option<HeroSelectors> {
    let container = sel(&h.container, "site.plp.hero.container".into(), p);
    let mut ok = true;
    let mut part = |field: &str, s: &Option<String>| -> Option<Sel> {
        let s = s.as_deref()?;
        let combined = Sel::within(&h.container, " ", s)
            .map_err(|m| p.add(format!("site.plp.hero.{field}"), &m))
            .ok();
        ok &= combined.is_some();
        combined
    };
    let inside = |s: &Option<String>| {
        s.as_deref()
            .and_then(|s| Sel::within(&h.container, " ", &format!("{s} *")).ok())
    };
    let hero = HeroSelectors {
        headline: part("headline", &h.headline),
        sub: part("sub", &h.sub),
        cta: part("cta", &h.cta),
        image: part("image", &h.image),
        inside: [inside(&h.headline), inside(&h.sub), inside(&h.cta)],
        container: container?,
    };
    ok.then_some(hero)
}

/// The product page's gallery (`site.pdp.gallery`).
pub fn compile_gallery(g: &RawGallery, p: &mut Problems) -> Option<Gallery> {
    let main = GalleryPart::compile(&g.container, &g.item, g.image.as_deref())
        .map_err(|m| p.add("site.pdp.gallery", &m))
        .ok();
    let thumbnails = match &g.thumbnails {
        Some(t) => Some(
            GalleryPart::compile(&t.container, &t.item, t.image.as_deref())
                .map_err(|m| p.add("site.pdp.gallery.thumbnails", &m))
                .ok()?,
        ),
        None => None,
    };
    Some(Gallery {
        main: main?,
        thumbnails,
        role_attribute: g.role_attribute.clone(),
        last: g.last,
    })
}

/// Where product pages keep their facts, and how much of a page may be held back while they are
/// read (`site.pdp.product_data`, `site.pdp.learn_window_kb`).
pub fn compile_sources(pdp: &RawPdp, p: &mut Problems) -> (Vec<Source>, usize) {
    let n = pdp.product_data.len();
    if n > MAX_SOURCES {
        p.add("site.pdp.product_data", "must have at most 8 entries");
    }
    let sources = pdp
        .product_data
        .iter()
        .enumerate()
        .take(MAX_SOURCES)
        .filter_map(|(i, s)| compile_source(s, &format!("site.pdp.product_data[{i}]"), p))
        .collect();
    let mut window = 128 * 1024;
    if let Some(kb) = pdp.learn_window_kb {
        if kb > 1024 {
            p.add("site.pdp.learn_window_kb", "must be at most 1024");
        }
        window = kb.min(1024) as usize * 1024;
    }
    (sources, window)
}

fn compile_source(s: &RawSource, at: &str, p: &mut Problems) -> Option<Source> {
    match s {
        RawSource::JsonLd => Some(Source::JsonLd),
        RawSource::Attributes {
            selector,
            key,
            brand,
            category,
            price,
        } => {
            let selector = sel(selector, format!("{at}.selector"), p)?;
            if key.is_none() && brand.is_none() && category.is_none() && price.is_none() {
                p.add(
                    format!("{at}.selector"),
                    "names no attribute to read (key, brand, category or price)",
                );
                return None;
            }
            Some(Source::Attributes {
                selector,
                key: key.clone(),
                brand: brand.clone(),
                category: category.clone(),
                price: price.clone(),
            })
        }
        RawSource::Text { selector, field } => {
            let fact = match field.as_str() {
                "key" => Some(Fact::Key),
                "brand" => Some(Fact::Brand),
                "category" => Some(Fact::Category),
                "price" => Some(Fact::Price),
                _ => {
                    p.add(format!("{at}.field"), "must be key, brand, category or price");
                    None
                }
            };
            let selector = sel(selector, format!("{at}.selector"), p)?;
            Some(Source::Text {
                selector,
                field: fact?,
            })
        }
        RawSource::Json {
            selector,
            key,
            brand,
            category,
            price,
            price_scale,
        } => {
            let mut ok = true;
            for (name, ptr) in [
                ("key", key),
                ("brand", brand),
                ("category", category),
                ("price", price),
            ] {
                if ptr
                    .as_deref()
                    .is_some_and(|s| !s.is_empty() && !s.starts_with('/'))
                {
                    p.add(
                        format!("{at}.{name}"),
                        "must be a JSON pointer such as /product/vendor (starting with /)",
                    );
                    ok = false;
                }
            }
            if key.is_none() && brand.is_none() && category.is_none() && price.is_none() {
                p.add(
                    format!("{at}.selector"),
                    "names no pointer to read (key, brand, category or price)",
                );
                ok = false;
            }
            let scale = price_scale.unwrap_or(1.0);
            if !(scale.is_finite() && scale > 0.0) {
                p.add(
                    format!("{at}.price_scale"),
                    "must be a positive number (0.01 for cents)",
                );
                ok = false;
            }
            let selector = sel(selector, format!("{at}.selector"), p)?;
            ok.then(|| Source::Json {
                selector,
                pointers: [key.clone(), brand.clone(), category.clone(), price.clone()],
                price_scale: PriceScale(scale.to_bits()),
            })
        }
    }
}
