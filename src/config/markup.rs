//! Where a storefront's parts are in its markup, by selectors: the product grids of listing pages,
//! the hero, the product page's gallery, and the places a product page keeps its facts. Every
//! selector is compiled here into a [`Sel`], including the combined ones the rewriter runs (a tile
//! is `container > tile`, a link inside it `container > tile link`), so the request path only
//! clones parsed selectors.

use super::is_token;
use super::pattern::PathPattern;
use super::selector::Sel;
use super::wire::{RawGallery, RawGrid, RawHeroSelectors, RawPdp, RawSource, RawTileFacts};
use crate::doc::Problems;
use crate::product::FactNames;

/// Most grids in one config.
pub const MAX_GRIDS: usize = 8;
/// Most product-fact sources.
pub const MAX_SOURCES: usize = 8;

/// How a tile names its product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TileKey {
    /// An attribute of the tile element.
    Attribute(String),
    /// A link inside the tile, its `href` matched against a pattern capturing `{product}`.
    Link {
        /// The link, as found from the grid: `container > tile link`.
        link: Sel,
        /// Pattern of the href's path.
        pattern: PathPattern,
    },
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
    /// Key source.
    pub key: TileKey,
    /// Attributes of the tile carrying facts.
    pub facts: FactNames,
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
}

/// Compiled gallery selectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gallery {
    /// Container.
    pub container: Sel,
    /// One item: `container > item`.
    pub item: Sel,
    /// The image of an item: `container > item image`.
    pub image: Sel,
    /// Role attribute, if the markup names roles.
    pub role_attribute: Option<String>,
    /// Nothing vitrine changes comes after the gallery.
    pub last: bool,
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

/// The fact names of a `facts` object.
pub fn fact_names(raw: Option<&RawTileFacts>) -> FactNames {
    FactNames {
        brand: raw.and_then(|f| f.brand.clone()),
        category: raw.and_then(|f| f.category.clone()),
        price: raw.and_then(|f| f.price.clone()),
        stock: raw.and_then(|f| f.stock.clone()),
    }
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
    let key = compile_tile_key(g, at, p);
    let max_kb = g.max_kb.unwrap_or(512);
    p.in_range(format!("{at}.max_kb"), max_kb, 1..=4096);
    Some(Grid {
        name: g.name.clone(),
        container: container?,
        tile: tile.filter(|_| tile_alone.is_some())?,
        key: key?,
        facts: fact_names(g.facts.as_ref()),
        max_bytes: max_kb.clamp(1, 4096) as usize * 1024,
        last: g.last,
    })
}

fn compile_tile_key(g: &RawGrid, at: &str, p: &mut Problems) -> Option<TileKey> {
    match (&g.key.attribute, &g.key.link, &g.key.pattern) {
        (Some(a), None, None) if is_token(a) => Some(TileKey::Attribute(a.clone())),
        (None, Some(link), Some(pattern)) => {
            let link_ok = sel(link, format!("{at}.key.link"), p).is_some();
            let pattern = PathPattern::parse(pattern)
                .map_err(|e| p.add(format!("{at}.key.pattern"), e.0))
                .ok()?;
            if !pattern.captures("product") {
                p.add(format!("{at}.key.pattern"), "must capture {product}");
                return None;
            }
            if !link_ok {
                return None;
            }
            let link = Sel::parse(&format!("{} > {} {}", g.container, g.tile, link))
                .map_err(|m| {
                    p.add(
                        format!("{at}.key.link"),
                        &format!("does not combine with the tile: {m}"),
                    )
                })
                .ok()?;
            Some(TileKey::Link { link, pattern })
        }
        _ => {
            p.add(
                format!("{at}.key"),
                "must be {\"attribute\": name} or {\"link\": selector, \"pattern\": path}",
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
    let hero = HeroSelectors {
        headline: part("headline", &h.headline),
        sub: part("sub", &h.sub),
        cta: part("cta", &h.cta),
        image: part("image", &h.image),
        container: container?,
    };
    ok.then_some(hero)
}

/// The product page's gallery (`site.pdp.gallery`).
pub fn compile_gallery(g: &RawGallery, p: &mut Problems) -> Option<Gallery> {
    let image = g.image.as_deref().unwrap_or("img");
    let parsed = (|| {
        Ok::<_, String>(Gallery {
            container: Sel::parse(&g.container)?,
            item: Sel::within(&g.container, " > ", &g.item)?,
            image: Sel::parse(&format!("{} > {} {}", g.container, g.item, image))?,
            role_attribute: g.role_attribute.clone(),
            last: g.last,
        })
    })();
    parsed.map_err(|m| p.add("site.pdp.gallery", &m)).ok()
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
    }
}
