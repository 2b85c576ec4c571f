//! Reordering a region of a streaming page (a product grid, a PDP gallery) with every tile's
//! bytes preserved exactly.
//!
//! When the region's container opens, the sink starts holding output (only this region: all that
//! came before has already gone out). Each tile's start and end are recorded as offsets into the
//! held bytes, from the handlers (the tile start tag's offset, and the end tag's offset plus its
//! source length). When the container's end tag arrives, a decision function gets the tiles and
//! returns the new order; the held bytes are spliced: the prefix, the tiles in the new order with
//! the separators between slots kept in place, the suffix. No tile is re-serialized.
//!
//! Anything unexpected leaves the region exactly as it was: a tile without an end tag, tiles that
//! overlap, a region over its size cap (the sink releases it as soon as it grows past), a
//! container that never closes (the stream releases it at the end).

use std::cell::RefCell;
use std::rc::Rc;

use lol_html::html_content::{Element, EndTag};
use lol_html::{ElementContentHandlers, Settings};
use serde::Serialize;

use crate::config::{Inner, Sel, Slot};
use crate::rewrite::marker::Gate;
use crate::rewrite::slot::{rebind, SlotValues};
pub use crate::rewrite::tile::TileInfo;
use crate::rewrite::tile::{add_inner_readers, image_url, OpenTile};
use crate::rewrite::SharedSink;

/// What happened to one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionOutcome {
    /// The region's name (grid name, or `gallery`).
    pub name: String,
    /// Tiles found.
    pub tiles: usize,
    /// Tiles shown after hiding.
    pub shown: usize,
    /// Whether the bytes changed.
    pub changed: bool,
    /// Why it was left as it was, if it was.
    pub reason: Option<&'static str>,
    /// The products as served (at most [`SERVED_MAX`]), each with its 1-based position in the
    /// origin's order and whether vitrine moved it (its rank among the products shown differs
    /// from the origin's; a product only shifted by a hidden one was not moved): where a
    /// shopper's click came from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub served: Vec<(String, u16, bool)>,
}

/// Most products an exposure lists.
pub const SERVED_MAX: usize = 60;

/// `(key, origin position, moved)` of the tiles served in `order`.
fn served(infos: &[TileInfo], order: &[usize]) -> Vec<(String, u16, bool)> {
    let mut origin = order.to_vec();
    origin.sort_unstable();
    order
        .iter()
        .zip(&origin)
        .take(SERVED_MAX)
        .filter_map(|(&i, &was)| {
            let key = infos.get(i)?.item.key.clone()?;
            Some((key, u16::try_from(i + 1).unwrap_or(u16::MAX), i != was))
        })
        .collect()
}

/// The decision: the new order of the tiles to show (indices into the tiles), or `None` to
/// leave the region as it was.
pub type Decide = Rc<dyn Fn(&[TileInfo]) -> Option<Vec<usize>>>;
/// Reads a tile's info from its element.
pub type ReadTile = Rc<dyn Fn(&Element<'_, '_>) -> TileInfo>;

/// A region to reorder. Selectors come compiled from the config: the tile as found from the
/// container (`container > tile`), a link or image as found from the container (`container >
/// tile a`).
pub struct Region {
    /// Name for reports.
    pub name: String,
    /// The container.
    pub container: Sel,
    /// One tile (a direct child of the container).
    pub tile: Sel,
    /// Elements inside the tile naming its product or carrying its facts.
    pub inner: Vec<(Sel, Inner)>,
    /// The page's path, against which relative links resolve.
    pub base: Option<Rc<str>>,
    /// Images inside the tile (galleries).
    pub image: Option<RegionImages>,
    /// Attributes and class tokens that stay with the slot when tiles move.
    pub slot: Slot,
    /// Largest region held, in bytes.
    pub cap: usize,
    /// Nothing to rewrite comes after this region: its end finishes the page's rewriting.
    pub last: bool,
    /// When the page's markup decides its type: the region's page type's gate.
    pub gate: Option<Gate>,
}

/// How a gallery item's images are read: its `<img>`, a `<picture>`'s `<source>`s, and the
/// attribute naming the image's role, if the markup has one.
pub struct RegionImages {
    /// `container > item img`.
    pub image: Sel,
    /// `container > item source`.
    pub source: Sel,
    /// The role attribute.
    pub role_attribute: Option<String>,
}

struct Span {
    start: usize,
    end: Option<usize>,
    info: TileInfo,
    /// The tile's start tag length and its slot values (when the grid names any).
    slot: Option<(usize, SlotValues)>,
}

#[derive(Default)]
struct Run {
    active: bool,
    tiles: Vec<Span>,
    open: Option<usize>,
}

/// Adds the handlers that reorder `region`.
pub fn add_region(
    mut settings: Settings<'static, 'static>,
    sink: &SharedSink,
    region: Region,
    read_tile: ReadTile,
    decide: Decide,
    outcomes: Rc<RefCell<Vec<RegionOutcome>>>,
) -> Settings<'static, 'static> {
    let run = Rc::new(RefCell::new(Run::default()));
    let on_container = container_handler(&run, sink, &region, decide, outcomes, region.slot.clone());
    settings = settings.append_element_content_handler((region.container.selector(), on_container));
    let on_tile = tile_handler(&run, sink, read_tile, region.slot.clone());
    settings = settings.append_element_content_handler((region.tile.selector(), on_tile));
    let open: OpenTile = {
        let run = run.clone();
        Rc::new(move |f: &mut dyn FnMut(&mut TileInfo)| {
            let mut r = run.borrow_mut();
            if let Some(t) = r.open.and_then(|i| r.tiles.get_mut(i)) {
                f(&mut t.info);
            }
        })
    };
    settings = add_inner_readers(settings, &region.inner, region.base.clone(), &open);
    if let Some(images) = region.image {
        let (r, role_attr) = (run.clone(), images.role_attribute);
        let on_image = ElementContentHandlers::default().element(move |el: &mut Element<'_, '_>| {
            let mut r = r.borrow_mut();
            if let Some(t) = r.open.and_then(|i| r.tiles.get_mut(i)) {
                if t.info.src.is_none() {
                    t.info.src = image_url(el);
                }
                if t.info.role.is_none() {
                    t.info.role = role_attr.as_deref().and_then(|a| el.get_attribute(a));
                }
            }
            Ok(())
        });
        // A `<picture>` may name its image only in `<source srcset>` (the `<img>` a placeholder).
        let r = run.clone();
        let on_source = ElementContentHandlers::default().element(move |el: &mut Element<'_, '_>| {
            let mut r = r.borrow_mut();
            if let (Some(t), Some(url)) = (r.open.and_then(|i| r.tiles.get_mut(i)), image_url(el)) {
                t.info.sources.push(url);
            }
            Ok(())
        });
        settings = settings
            .append_element_content_handler((images.image.selector(), on_image))
            .append_element_content_handler((images.source.selector(), on_source));
    }
    settings
}

/// The container starts holding output; at its end tag the held region is decided and spliced.
fn container_handler(
    run: &Rc<RefCell<Run>>,
    sink: &SharedSink,
    region: &Region,
    decide: Decide,
    outcomes: Rc<RefCell<Vec<RegionOutcome>>>,
    slot: Slot,
) -> ElementContentHandlers<'static> {
    let (run, sink, name, cap, last, gate) = (
        run.clone(),
        sink.clone(),
        region.name.clone(),
        region.cap,
        region.last,
        region.gate.clone(),
    );
    ElementContentHandlers::default().element(move |el: &mut Element<'_, '_>| {
        if run.borrow().active || gate.as_ref().is_some_and(|g| !g.enter()) || !sink.hold(cap) {
            return Ok(()); // nested in a region being reordered, another page type's, or already holding
        }
        let Some(end_handlers) = el.end_tag_handlers() else {
            sink.release(); // a void container has nothing to reorder
            return Ok(());
        };
        *run.borrow_mut() = Run {
            active: true,
            ..Run::default()
        };
        let (run, sink, decide, outcomes, name, slot) = (
            run.clone(),
            sink.clone(),
            decide.clone(),
            outcomes.clone(),
            name.clone(),
            slot.clone(),
        );
        end_handlers.push(Box::new(move |_end: &mut EndTag<'_>| {
            let done = std::mem::take(&mut *run.borrow_mut());
            outcomes
                .borrow_mut()
                .push(finish(&sink, done, &decide, name, &slot));
            if last {
                sink.mark_last_region_done();
            }
            Ok(())
        }));
        Ok(())
    })
}

/// Each tile of an open region: its start and end recorded as offsets into the held bytes.
fn tile_handler(
    run: &Rc<RefCell<Run>>,
    sink: &SharedSink,
    read_tile: ReadTile,
    slot: Slot,
) -> ElementContentHandlers<'static> {
    let (run, sink) = (run.clone(), sink.clone());
    ElementContentHandlers::default().element(move |el: &mut Element<'_, '_>| {
        let mut r = run.borrow_mut();
        if !r.active || r.open.is_some() {
            return Ok(()); // outside a region, or nested inside a tile
        }
        let Some(start) = sink.held_len() else {
            return Ok(());
        };
        let slot = (!slot.is_empty()).then(|| {
            let tag_len = el.source_location().bytes().len();
            (tag_len, SlotValues::read(&slot, |n| el.get_attribute(n)))
        });
        r.tiles.push(Span {
            start,
            end: None,
            info: read_tile(el),
            slot,
        });
        let index = r.tiles.len() - 1;
        r.open = Some(index);
        drop(r);
        if let Some(handlers) = el.end_tag_handlers() {
            let (run, sink) = (run.clone(), sink.clone());
            handlers.push(Box::new(move |end: &mut EndTag<'_>| {
                let len = end.source_location().bytes().len();
                let mut r = run.borrow_mut();
                if r.open == Some(index) {
                    r.open = None;
                    let held = sink.held_len();
                    if let (Some(t), Some(h)) = (r.tiles.get_mut(index), held) {
                        t.end = Some(h + len);
                    }
                }
                Ok(())
            }));
        } else {
            run.borrow_mut().open = None; // a void tile (an <img>): its end is its start tag
            let len = el.source_location().bytes().len();
            if let Some(t) = run.borrow_mut().tiles.get_mut(index) {
                t.end = Some(start + len);
            }
        }
        Ok(())
    })
}

fn finish(sink: &SharedSink, run: Run, decide: &Decide, name: String, slot: &Slot) -> RegionOutcome {
    let mut outcome = RegionOutcome {
        name,
        tiles: run.tiles.len(),
        shown: run.tiles.len(),
        changed: false,
        reason: None,
        served: Vec::new(),
    };
    if sink.overflowed() {
        outcome.reason = Some("over-cap");
        return outcome; // the sink already released the held bytes
    }
    let Some(held) = sink.take_held() else {
        outcome.reason = Some("not-held");
        return outcome;
    };
    let leave = |reason, outcome: &mut RegionOutcome| {
        sink.emit(&held);
        outcome.reason = Some(reason);
    };
    if run.tiles.is_empty() {
        leave("no-tiles", &mut outcome);
        return outcome;
    }
    // Every tile closed, in order, without overlaps, inside what was held.
    let mut spans = Vec::with_capacity(run.tiles.len());
    let mut last_end = 0;
    for t in &run.tiles {
        match t.end {
            Some(end) if t.start >= last_end && end > t.start && end <= held.len() => {
                spans.push((t.start, end));
                last_end = end;
            }
            _ => {
                leave("unclosed-tile", &mut outcome);
                return outcome;
            }
        }
    }
    let slots: Vec<Option<(usize, SlotValues)>> = run.tiles.iter().map(|t| t.slot.clone()).collect();
    let infos: Vec<TileInfo> = run
        .tiles
        .into_iter()
        .map(|t| {
            let mut info = t.info;
            info.settle();
            info
        })
        .collect();
    let Some(order) = decide(&infos).filter(|o| o.iter().all(|&i| i < spans.len())) else {
        outcome.served = served(&infos, &(0..infos.len()).collect::<Vec<_>>());
        leave("unchanged", &mut outcome);
        return outcome;
    };
    outcome.served = served(&infos, &order);
    let identity = order.len() == spans.len() && order.iter().enumerate().all(|(i, &o)| i == o);
    if identity {
        leave("unchanged", &mut outcome);
        return outcome;
    }
    let bytes = |a: usize, b: usize| held.get(a..b).unwrap_or_default();
    let (first, _) = spans.first().copied().unwrap_or_default();
    let (_, end_last) = spans.last().copied().unwrap_or_default();
    // Separators between slots: what lay between tile i and tile i + 1.
    let seps: Vec<&[u8]> = spans
        .iter()
        .zip(spans.iter().skip(1))
        .map(|(a, b)| bytes(a.1, b.0))
        .collect();
    let mut out = Vec::with_capacity(held.len());
    out.extend_from_slice(bytes(0, first));
    for (k, &i) in order.iter().enumerate() {
        let (a, b) = spans.get(i).copied().unwrap_or_default();
        // A tile landing in another slot takes that slot's slot-bound markup into its start tag.
        let rebound = match (slots.get(i), slots.get(k)) {
            (Some(Some((tag_len, _))), Some(Some((_, there)))) if i != k => {
                rebind(bytes(a, a + tag_len), slot, there).map(|tag| (tag, a + tag_len))
            }
            _ => None,
        };
        match rebound {
            Some((tag, rest)) => {
                out.extend_from_slice(&tag);
                out.extend_from_slice(bytes(rest, b));
            }
            None => out.extend_from_slice(bytes(a, b)),
        }
        if k + 1 < order.len() {
            out.extend_from_slice(seps.get(k).copied().unwrap_or_default());
        }
    }
    // Slots left empty by hidden tiles: keep any separator that is more than whitespace.
    for sep in seps.iter().skip(order.len().saturating_sub(1)) {
        if sep.iter().any(|b| !b.is_ascii_whitespace()) {
            out.extend_from_slice(sep);
        }
    }
    out.extend_from_slice(bytes(end_last, held.len()));
    sink.emit(&out);
    outcome.shown = order.len();
    outcome.changed = true;
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rewrite::{run_chunked, utf8, HtmlStream};

    fn region(cap: usize) -> Region {
        Region {
            name: "g".into(),
            container: Sel::parse("ul.g").unwrap(),
            tile: Sel::parse("ul.g > li").unwrap(),
            inner: Vec::new(),
            base: None,
            image: None,
            slot: Slot::default(),
            cap,
            last: false,
            gate: None,
        }
    }

    #[test]
    fn the_served_order_says_what_moved_and_a_hidden_tile_moves_nothing() {
        let page = r#"<ul class="g"><li data-k="a">A</li><li data-k="b">B</li><li data-k="c">C</li><li data-k="d">D</li></ul>"#;
        // Hide `a`, bring `d` before `c`: `b` only shifted up (not moved), `d` and `c` swapped.
        let (_, outcomes) = run(page, Rc::new(|_: &[TileInfo]| Some(vec![1, 3, 2])), 1 << 20, 5);
        assert_eq!(
            outcomes[0].served,
            [
                ("b".into(), 2, false),
                ("d".into(), 4, true),
                ("c".into(), 3, true)
            ]
        );
        // Left as it was: the origin's order, nothing moved.
        let (_, outcomes) = run(page, Rc::new(|_: &[TileInfo]| None), 1 << 20, 5);
        assert!(outcomes[0].served.iter().all(|(_, _, moved)| !moved));
        assert_eq!(outcomes[0].served.len(), 4);
    }

    fn run(page: &str, decide: Decide, cap: usize, chunk: usize) -> (String, Vec<RegionOutcome>) {
        let sink = SharedSink::default();
        let outcomes = Rc::new(RefCell::new(Vec::new()));
        let read: ReadTile = Rc::new(|el: &Element<'_, '_>| TileInfo {
            item: crate::product::Item {
                key: el.get_attribute("data-k"),
                ..crate::product::Item::default()
            },
            ..TileInfo::default()
        });
        let settings = add_region(
            Settings::new(),
            &sink,
            region(cap),
            read,
            decide,
            outcomes.clone(),
        );
        let (out, bailed) = run_chunked(
            HtmlStream::with_sink(settings, utf8(), sink),
            page.as_bytes(),
            &[chunk],
        );
        assert!(bailed.is_none());
        let o = outcomes.borrow().clone();
        (String::from_utf8(out).unwrap(), o)
    }

    const PAGE: &str = "<p>before</p><ul class=g>\n  <li data-k=a>A <b>1</b></li>\n  <li data-k=b>B</li>\n  <li data-k=c class='x'>C</li>\n</ul><p>after</p>";

    fn reverse() -> Decide {
        Rc::new(|t: &[TileInfo]| Some((0..t.len()).rev().collect()))
    }

    #[test]
    fn tiles_move_with_their_exact_bytes_in_any_chunking() {
        for chunk in [1, 2, 3, 5, 8, 13, 1000] {
            let (out, o) = run(PAGE, reverse(), 1 << 20, chunk);
            assert_eq!(
                out,
                "<p>before</p><ul class=g>\n  <li data-k=c class='x'>C</li>\n  <li data-k=b>B</li>\n  <li data-k=a>A <b>1</b></li>\n</ul><p>after</p>",
                "chunk {chunk}"
            );
            assert_eq!(o[0].tiles, 3);
            assert!(o[0].changed);
        }
    }

    #[test]
    fn hidden_tiles_leave_no_hole_and_nothing_is_duplicated() {
        let (out, o) = run(PAGE, Rc::new(|_: &[TileInfo]| Some(vec![2, 0])), 1 << 20, 7);
        assert_eq!(out, "<p>before</p><ul class=g>\n  <li data-k=c class='x'>C</li>\n  <li data-k=a>A <b>1</b></li>\n</ul><p>after</p>");
        assert_eq!((o[0].tiles, o[0].shown), (3, 2));
    }

    #[test]
    fn over_the_cap_unclosed_or_unchanged_regions_pass_untouched() {
        let (out, o) = run(PAGE, reverse(), 20, 4);
        assert_eq!(out, PAGE);
        assert_eq!(o[0].reason, Some("over-cap"));
        let unclosed = "<ul class=g><li data-k=a>A<li data-k=b>B</ul>x";
        let (out, o) = run(unclosed, reverse(), 1 << 20, 3);
        assert_eq!(out, unclosed);
        assert_eq!(o[0].reason, Some("unclosed-tile"));
        let (out, o) = run(PAGE, Rc::new(|_: &[TileInfo]| None), 1 << 20, 3);
        assert_eq!((out.as_str(), o[0].reason), (PAGE, Some("unchanged")));
        let never_closed = "<ul class=g><li data-k=a>A</li><li data-k=b>B</li>";
        let (out, o) = run(never_closed, reverse(), 1 << 20, 2);
        assert_eq!(out, never_closed);
        assert!(o.is_empty());
    }

    #[test]
    fn nested_grids_and_non_tile_separators() {
        let page = "<ul class=g><li data-k=a>A<ul class=g><li data-k=n>N</li></ul></li><div class=ad>AD</div><li data-k=b>B</li></ul>";
        let (out, o) = run(page, reverse(), 1 << 20, 3);
        assert_eq!(out, "<ul class=g><li data-k=b>B</li><div class=ad>AD</div><li data-k=a>A<ul class=g><li data-k=n>N</li></ul></li></ul>");
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].tiles, 2);
        // A hidden tile's slot keeps a banner that stood there.
        let (out, _) = run(page, Rc::new(|_: &[TileInfo]| Some(vec![1])), 1 << 20, 5);
        assert_eq!(out, "<ul class=g><li data-k=b>B</li><div class=ad>AD</div></ul>");
    }
}
