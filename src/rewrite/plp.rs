//! Reading listing pages: which products a page's grids show, in which order, with what facts,
//! found by the config's selectors. Read-only; the reordering rewriter builds on the same tile
//! identification.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use lol_html::html_content::Element;
use lol_html::{ElementContentHandlers, Selector, Settings};

use crate::config::{Config, Grid};
use crate::product::Item;
use crate::rewrite::tile::{add_inner_readers, decoded, key_from_href, OpenTile, TileInfo};
use crate::rewrite::{run_chunked, utf8, HtmlStream};

/// The tiles of every configured grid, in page order: `tiles[g]` are grid `g`'s.
pub type Tiles = Vec<Vec<Item>>;

/// What a tile's own markup says about its product: the key (when an attribute names it) and the
/// facts the grid's config points at. The one tile reader: live pages, the shadow comparison and
/// previews all read tiles with it.
pub fn read_tile(el: &Element<'_, '_>, grid: &Grid, base: Option<&str>) -> Item {
    // Materialize the attributes once: each `get_attribute` would otherwise re-parse the tag.
    let _ = el.attributes();
    let key = match (&grid.key_attribute, &grid.key_href) {
        (Some(a), _) => el.get_attribute(a).map(|v| decoded(v).trim().to_owned()),
        (None, Some(pattern)) => el
            .get_attribute("href")
            .and_then(|h| key_from_href(&h, pattern, base)),
        (None, None) => None,
    };
    grid.facts.read(key, |name| {
        el.get_attribute(name).map(|v| decoded(v).trim().to_owned())
    })
}

/// The tiles of each grid as read so far (facts from text settle when read out).
pub struct TileReader(Rc<RefCell<Vec<Vec<TileInfo>>>>);

impl TileReader {
    /// Every grid's tiles, in page order.
    pub fn tiles(&self) -> Tiles {
        self.0
            .borrow()
            .iter()
            .map(|grid| {
                grid.iter()
                    .map(|t| {
                        let mut t = t.clone();
                        t.settle();
                        t.item
                    })
                    .collect()
            })
            .collect()
    }
}

/// Handlers that collect each grid's tiles; `base` is the page's path (relative links).
pub fn with_tile_readers(
    mut settings: Settings<'static, 'static>,
    cfg: &Config,
    base: Option<Rc<str>>,
) -> (Settings<'static, 'static>, TileReader) {
    let tiles = Rc::new(RefCell::new(vec![Vec::<TileInfo>::new(); cfg.grids.len()]));
    for (g, grid) in cfg.grids.iter().enumerate() {
        let (state, grid_c, base_c) = (tiles.clone(), grid.clone(), base.clone());
        settings = settings.append_element_content_handler((
            grid.tile.selector(),
            ElementContentHandlers::default().element(move |el: &mut Element<'_, '_>| {
                if let Some(list) = state.borrow_mut().get_mut(g) {
                    list.push(TileInfo {
                        item: read_tile(el, &grid_c, base_c.as_deref()),
                        ..TileInfo::default()
                    });
                }
                Ok(())
            }),
        ));
        let state = tiles.clone();
        let open: OpenTile = Rc::new(move |f: &mut dyn FnMut(&mut TileInfo)| {
            if let Some(tile) = state.borrow_mut().get_mut(g).and_then(|l| l.last_mut()) {
                f(tile);
            }
        });
        settings = add_inner_readers(settings, &grid.inner, base.clone(), &open);
    }
    (settings, TileReader(tiles))
}

/// The tiles of a whole page at `base` (its path).
pub fn read_tiles(cfg: &Config, html: &[u8], base: Option<&str>) -> Tiles {
    let (settings, reader) = with_tile_readers(Settings::new(), cfg, base.map(Rc::from));
    let _ = run_chunked(HtmlStream::new(settings, utf8()), html, &[64 * 1024]);
    reader.tiles()
}

/// How many elements of a page each selector matches (selectors that do not parse count 0).
pub fn count_matches(html: &[u8], selectors: &[String]) -> Vec<usize> {
    let counts = Rc::new(RefCell::new(vec![0usize; selectors.len()]));
    let mut settings = Settings::new();
    for (i, s) in selectors.iter().enumerate() {
        let Ok(sel) = s.parse::<Selector>() else { continue };
        let c = counts.clone();
        settings = settings.append_element_content_handler((
            Cow::Owned(sel),
            ElementContentHandlers::default().element(move |_el: &mut Element<'_, '_>| {
                if let Some(n) = c.borrow_mut().get_mut(i) {
                    *n += 1;
                }
                Ok(())
            }),
        ));
    }
    let _ = run_chunked(HtmlStream::new(settings, utf8()), html, &[64 * 1024]);
    let out = counts.borrow().clone();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::compile_json;

    #[test]
    fn tiles_by_attribute_and_by_link() {
        let cfg = compile_json(
            r#"{"version":1,"site":{"plp":{"grids":[
              {"name":"main","container":"ul.grid","tile":"li","key":{"attribute":"data-sku"},"facts":{"brand":"data-brand","stock":"data-stock"}},
              {"name":"rail","container":"div.rail","tile":"a.card","key":{"link":"img","pattern":"/x/{product}"}},
              {"name":"links","container":"ol","tile":"li","key":{"link":"a","pattern":"/products/{product}"}}
            ]}}}"#,
        )
        .unwrap();
        let html = br#"<ul class=grid><li data-sku=A data-brand=Kestrel data-stock=in_stock>a</li><li data-sku=" B ">b<ul><li data-sku=nested>n</li></ul></li></ul>
            <ol><li><a href="https://shop.example/products/red-shoe?v=1">x</a></li><li><a href="/products/blue-shoe">y</a><a href="/products/other">z</a></li></ol>"#;
        let tiles = read_tiles(&cfg, html, None);
        assert_eq!(tiles[0].len(), 2, "direct children only");
        assert_eq!(tiles[0][0].key.as_deref(), Some("A"));
        assert_eq!(tiles[0][0].brand.as_deref(), Some("kestrel"));
        assert_eq!(tiles[0][1].key.as_deref(), Some("B"));
        assert!(tiles[1].is_empty());
        let keys: Vec<_> = tiles[2].iter().map(|t| t.key.clone().unwrap()).collect();
        assert_eq!(keys, vec!["red-shoe", "blue-shoe"]);
    }

    #[test]
    fn counting() {
        let html = b"<div class=a><p>1</p><p>2</p></div>";
        assert_eq!(
            count_matches(html, &["div.a p".into(), "span".into(), "((bad".into()]),
            vec![2, 0, 0]
        );
    }
}
