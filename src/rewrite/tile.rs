//! What a tile says about its product, read while it streams past: from the tile's own attributes
//! ([`crate::rewrite::plp::read_tile`]) and from elements inside it (a link and its path, an inner
//! element's attribute, an element's text), as the grid's config names them. Live pages, previews
//! and the shadow comparison all read tiles through here.

use std::rc::Rc;

use lol_html::html_content::{Element, TextChunk};
use lol_html::{ElementContentHandlers, Settings};

use crate::config::{Inner, PathPattern, Sel, TileFact};
use crate::product::{parse_price, Item, Stock};

/// What the handlers read about one tile.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TileInfo {
    /// Facts (key, brand, ...); the catalog completes them later.
    pub item: Item,
    /// Image role (galleries).
    pub role: Option<String>,
    /// Image URL (galleries).
    pub src: Option<String>,
    /// Other URLs of the same image: a `<picture>`'s `<source>`s (galleries).
    pub sources: Vec<String>,
    /// Text gathered for facts read from an element's text (settled by [`TileInfo::settle`]).
    pub texts: Vec<(TileFact, String)>,
}

impl TileInfo {
    /// Every URL the item shows its image by: the `<img>`'s first, then its `<source>`s'.
    pub fn image_urls(&self) -> impl Iterator<Item = &str> {
        self.src
            .as_deref()
            .into_iter()
            .chain(self.sources.iter().map(String::as_str))
    }

    /// Turns the text gathered for facts into facts (where an attribute did not give one first).
    pub fn settle(&mut self) {
        for (fact, text) in std::mem::take(&mut self.texts) {
            set_fact(&mut self.item, fact, &text);
        }
    }
}

/// An attribute value or text as the browser reads it: lol_html gives both raw, so `M&amp;S` is
/// decoded to `M&S` (only when there is a reference to decode).
pub fn decoded(raw: String) -> String {
    if raw.contains('&') {
        crate::config::url::decode_references(&raw)
    } else {
        raw
    }
}

/// Sets a fact from a raw value (attribute or text, references not yet decoded), unless the item
/// already has it.
fn set_fact(item: &mut Item, fact: TileFact, raw: &str) {
    let raw = decoded(raw.to_owned());
    let v = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if v.is_empty() {
        return;
    }
    match fact {
        TileFact::Brand if item.brand.is_none() => item.brand = Some(v.to_lowercase()),
        TileFact::Category if item.category.is_none() => item.category = Some(v.to_lowercase()),
        TileFact::Price if item.price.is_none() => item.price = parse_price(&v),
        TileFact::Stock if item.stock.is_none() => item.stock = Stock::parse(&v),
        _ => {}
    }
}

/// The path a link goes to, as a browser resolves it from a page at `base`: absolute URLs and
/// `//host/...` give their path; `/x` is itself; `x` and `../x` are resolved against `base`'s
/// directory. The query and fragment are dropped; entities lol_html leaves raw (`&amp;`) do not
/// occur in paths that matter here.
pub fn resolve_path(href: &str, base: Option<&str>) -> Option<String> {
    let href = href.trim();
    let href = href.split(['?', '#']).next().unwrap_or_default();
    let joined = if let Some(i) = href.find("://") {
        let rest = href.get(i + 3..)?;
        rest.find('/')
            .and_then(|j| rest.get(j..))
            .unwrap_or("/")
            .to_owned()
    } else if let Some(rest) = href.strip_prefix("//") {
        rest.find('/')
            .and_then(|j| rest.get(j..))
            .unwrap_or("/")
            .to_owned()
    } else if href.starts_with('/') {
        href.to_owned()
    } else {
        let base = base.unwrap_or("/");
        let dir = base.get(..=base.rfind('/').unwrap_or(0)).unwrap_or("/");
        format!("{dir}{href}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let trailing = joined.ends_with('/') && !parts.is_empty();
    Some(format!("/{}{}", parts.join("/"), if trailing { "/" } else { "" }))
}

/// The URL an image element shows, as the markup gives it: a lazy loader's `data-src`, `src`, or
/// the first candidate of `data-srcset` / `srcset` (an `<img>` with only a srcset, a
/// `<picture><source>`).
pub fn image_url(el: &Element<'_, '_>) -> Option<String> {
    let first = |set: String| {
        set.split(',')
            .next()
            .and_then(|c| c.split_whitespace().next())
            .map(str::to_owned)
    };
    el.get_attribute("data-src")
        .or_else(|| el.get_attribute("src"))
        .filter(|s| !s.trim().is_empty())
        .or_else(|| el.get_attribute("data-srcset").and_then(first))
        .or_else(|| el.get_attribute("srcset").and_then(first))
}

/// Two image URLs name the same image when they resolve to the same path, as a browser would
/// resolve them from the page at `base`: entities decoded (lol_html gives attribute values raw:
/// `&amp;` stays), `//cdn/...` and `https://cdn/...` alike, a relative URL against the page's
/// path; the query (sizes, cache busters) and the host (a CDN in front of the store) do not count.
pub fn same_image(a: &str, b: &str, base: Option<&str>) -> bool {
    if a.trim().is_empty() || b.trim().is_empty() {
        return false;
    }
    let key = |u: &str| resolve_path(&crate::config::url::decode_references(u), base);
    key(a).is_some() && key(a) == key(b)
}

/// The product key of a link: the path of `href` (resolved against `base`) matched against the
/// pattern.
pub fn key_from_href(href: &str, pattern: &PathPattern, base: Option<&str>) -> Option<String> {
    pattern
        .matches(&resolve_path(href, base)?)?
        .into_iter()
        .find(|(name, _)| name == "product")
        .map(|(_, v)| v)
}

/// Runs `f` on the tile open at this point of the page, if any.
pub type OpenTile = Rc<dyn Fn(&mut dyn FnMut(&mut TileInfo))>;

/// Handlers for the elements inside tiles that the grid's config names: each fills the open
/// tile's key or facts, first come first served.
pub fn add_inner_readers(
    mut settings: Settings<'static, 'static>,
    inner: &[(Sel, Inner)],
    base: Option<Rc<str>>,
    open: &OpenTile,
) -> Settings<'static, 'static> {
    for (sel, what) in inner {
        let (open, what, base) = (open.clone(), what.clone(), base.clone());
        let handlers = match what {
            Inner::Fact(fact, None) => {
                // The element's text, all of its chunks (descendants' too).
                ElementContentHandlers::default().text(move |t: &mut TextChunk<'_>| {
                    let text = t.as_str().to_owned();
                    open(
                        &mut |tile: &mut TileInfo| match tile.texts.iter_mut().find(|(f, _)| *f == fact) {
                            Some((_, acc)) => acc.push_str(&text),
                            None => tile.texts.push((fact, text.clone())),
                        },
                    );
                    Ok(())
                })
            }
            what => ElementContentHandlers::default().element(move |el: &mut Element<'_, '_>| {
                open(&mut |tile: &mut TileInfo| read_inner(el, &what, base.as_deref(), tile));
                Ok(())
            }),
        };
        settings = settings.append_element_content_handler((sel.selector(), handlers));
    }
    settings
}

fn read_inner(el: &Element<'_, '_>, what: &Inner, base: Option<&str>, tile: &mut TileInfo) {
    match what {
        Inner::Link(pattern) if tile.item.key.is_none() => {
            tile.item.key = el
                .get_attribute("href")
                .and_then(|h| key_from_href(&h, pattern, base));
        }
        Inner::KeyAttribute(a) if tile.item.key.is_none() => {
            tile.item.key = el
                .get_attribute(a)
                .map(|v| decoded(v).trim().to_owned())
                .filter(|v| !v.is_empty());
        }
        Inner::Fact(fact, Some(a)) => {
            if let Some(v) = el.get_attribute(a) {
                set_fact(&mut tile.item, *fact, &v);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_as_a_browser_resolves_them() {
        let base = Some("/shop/c/shoes/page-2");
        for (href, path) in [
            ("/products/a", "/products/a"),
            ("https://shop.example/products/a?x=1#y", "/products/a"),
            ("//cdn.example/products/a", "/products/a"),
            ("../../products/a/", "/shop/products/a/"),
            ("boots-1", "/shop/c/shoes/boots-1"),
            ("./boots-1", "/shop/c/shoes/boots-1"),
            ("../../../../x", "/x"),
        ] {
            assert_eq!(resolve_path(href, base).as_deref(), Some(path), "{href}");
        }
        let pattern = PathPattern::parse("/shop/products/{product}").unwrap();
        assert_eq!(
            key_from_href("../../products/sunglasses/", &pattern, base).as_deref(),
            Some("sunglasses")
        );
    }

    #[test]
    fn images_compare_as_a_browser_resolves_them() {
        let base = Some("/shop/p/boots");
        for (a, b) in [
            (
                "https://cdn.example/img/a.jpg?w=200&amp;h=2",
                "//cdn.example/img/a.jpg",
            ),
            ("/img/caf&#xe9;.jpg", "/img/caf\u{e9}.jpg"),
            ("/img/a&amp;b.jpg", "/img/a&b.jpg"),
            ("/shop/p/img/a.jpg", "img/a.jpg"),
            ("https://shop.example/shop/img/a.jpg", "../img/a.jpg"),
        ] {
            assert!(same_image(a, b, base), "{a} = {b}");
        }
        assert!(!same_image("/img/a.jpg", "/img/b.jpg", base));
        assert!(!same_image("", "", base), "no URL is no image");
    }

    #[test]
    fn facts_from_text_settle_without_overriding_attributes() {
        let mut t = TileInfo {
            item: Item {
                brand: Some("acme".into()),
                ..Item::default()
            },
            texts: vec![
                (TileFact::Brand, " Zenith ".into()),
                (TileFact::Price, "\n £1,299.00 ".into()),
                (TileFact::Stock, "Out of stock".into()),
            ],
            ..TileInfo::default()
        };
        t.settle();
        assert_eq!(t.item.brand.as_deref(), Some("acme"));
        assert_eq!(t.item.price, Some(1299.0));
        assert_eq!(t.item.stock, Some(Stock::OutOfStock));
    }
}
