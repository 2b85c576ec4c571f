//! The personalization of one page, as lol_html handlers: every configured grid reordered within
//! the rules ([`crate::rank`]), the hero swapped to the chosen variant, the PDP gallery's first
//! image chosen by the image policy. The same engine serves live traffic and previews.
//!
//! What is decided before the body streams (the hero variant, the image policy) is in the
//! [`Plan`]; what depends on the page (which tiles, in which order) is decided when each grid's
//! end arrives and recorded in the [`Outcome`].

use std::cell::RefCell;
use std::rc::Rc;

use lol_html::html_content::{ContentType, Element, EndTag, TextChunk};
use lol_html::{ElementContentHandlers, Settings};
use serde::Serialize;

use crate::catalog::{lookup, Packed};
use crate::config::rules::{Device, Hero};
use crate::config::{Config, PageKind, Sel};
use crate::product::Item;
use crate::rank::{self, Context, Fired};
use crate::rewrite::marker::{add_markers, Gate};
use crate::rewrite::plp::read_tile;
use crate::rewrite::reorder::{add_region, Decide, ReadTile, Region, RegionImages, RegionOutcome, TileInfo};
use crate::rewrite::tile::{image_url, same_image};
use crate::rewrite::SharedSink;
use crate::signal::Signal;

/// Everything a page's personalization needs, owned (handlers outlive the request handler).
pub struct Plan {
    /// The config.
    pub cfg: Rc<Config>,
    /// The packed catalog, if any.
    pub packed: Option<Rc<Packed>>,
    /// Page type.
    pub page: PageKind,
    /// Lowercase category of the page.
    pub category: Option<String>,
    /// Lowercase brand whose page this is.
    pub brand_page: Option<String>,
    /// Normalized query.
    pub query: Option<String>,
    /// The visitor's signal (None without consent).
    pub signal: Option<Signal>,
    /// Consent.
    pub consent: bool,
    /// Country.
    pub country: Option<String>,
    /// Device.
    pub device: Device,
    /// Unix seconds.
    pub now: u64,
    /// In the holdout.
    pub holdout: bool,
    /// The product of a PDP (its key), for catalog image roles.
    pub product: Option<String>,
    /// A PDP's facts as they stream past (category and brand for scopes and brand separation).
    pub facts: Option<crate::rewrite::facts::FactsProbe>,
    /// The page's path (relative links in tiles resolve against it).
    pub path: Option<Rc<str>>,
    /// When the page's markup decides its type: this candidate's gate.
    pub gate: Option<Gate>,
    /// The next candidate type, if this one's marker is not met.
    pub otherwise: Option<Rc<Plan>>,
    /// The rules this visitor's experiment arms turn off, worked out once (a keyed hash per
    /// rule-level test) on the first [`Plan::context`], which every grid, hero and image asks for;
    /// [`Plan::new`] leaves it empty.
    pub rules_off: std::cell::OnceCell<Vec<String>>,
}

impl Plan {
    /// A plan for a page with nothing known about the visitor (no signal, no consent, desktop):
    /// the non-personal page. Set the fields that differ with struct update syntax.
    pub fn new(cfg: Rc<Config>, page: PageKind) -> Plan {
        Plan {
            cfg,
            packed: None,
            page,
            category: None,
            brand_page: None,
            query: None,
            signal: None,
            consent: false,
            country: None,
            device: Device::Desktop,
            now: 0,
            holdout: false,
            product: None,
            facts: None,
            path: None,
            gate: None,
            otherwise: None,
            rules_off: std::cell::OnceCell::new(),
        }
    }

    /// The candidates chained from this plan, this one first.
    pub fn candidates(self: &Rc<Self>) -> Vec<Rc<Plan>> {
        let mut out = vec![self.clone()];
        while let Some(next) = out.last().and_then(|p| p.otherwise.clone()) {
            out.push(next);
        }
        out
    }

    /// The candidate the page's markup chose (this plan when no markers apply or none was met).
    pub fn decided(self: &Rc<Self>) -> Rc<Plan> {
        self.candidates()
            .into_iter()
            .find(|p| p.gate.as_ref().is_some_and(Gate::is_open))
            .unwrap_or_else(|| self.clone())
    }

    /// The candidate the page's markup chose: this plan when no markers apply; `None` while no
    /// marker was met (and no candidate without one was entered).
    pub fn chosen(self: &Rc<Self>) -> Option<Rc<Plan>> {
        if self.gate.is_none() {
            return Some(self.clone());
        }
        self.candidates()
            .into_iter()
            .find(|p| p.gate.as_ref().is_some_and(Gate::is_open))
    }

    /// Whether this candidate may change the page now (see [`Gate::enter`]).
    fn enter(&self) -> bool {
        self.gate.as_ref().is_none_or(Gate::enter)
    }

    /// The rule context.
    pub fn context(&self) -> Context<'_> {
        let facts = self.facts.as_ref().map(|f| f.facts());
        Context {
            page: self.page,
            category: self.category.clone().or_else(|| {
                facts
                    .as_ref()
                    .and_then(|f| f.category.as_ref())
                    .map(|c| c.to_lowercase())
            }),
            brand_page: self.brand_page.clone().or_else(|| {
                facts
                    .as_ref()
                    .and_then(|f| f.brand.as_ref())
                    .map(|b| b.to_lowercase())
            }),
            query: self.query.clone(),
            signal: self.signal.as_ref(),
            consent: self.consent,
            country: self.country.clone(),
            device: self.device,
            now: self.now,
            holdout: self.holdout,
            grid: None,
            off: self
                .rules_off
                .get_or_init(|| {
                    crate::rank::rules_off(&self.cfg, self.signal.as_ref().map(|s| s.id.as_slice()))
                })
                .clone(),
        }
    }

    /// The hero variant for this page, decided before the body streams.
    pub fn hero(&self) -> Option<(Hero, Vec<Fired>)> {
        matches!(self.page, PageKind::Plp | PageKind::Home | PageKind::Search)
            .then(|| rank::choose_hero(&self.cfg, &self.context(), false))
            .flatten()
    }

    /// The PDP first-image preference.
    pub fn image(&self) -> Option<(Vec<String>, Fired)> {
        (self.page == PageKind::Pdp)
            .then(|| rank::choose_image(&self.cfg, &self.context(), false))
            .flatten()
    }
}

/// What the personalization did to a page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    /// Each region (grid or gallery) met.
    pub regions: Vec<RegionOutcome>,
    /// Rules that fired on the grids.
    pub fired: Vec<Fired>,
    /// Hero fields swapped.
    pub hero_swaps: usize,
    /// The role moved first in the gallery, if one was.
    pub image: Option<String>,
}

impl Outcome {
    /// A short summary for logs and exposure events (`plp=reordered:48`).
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for r in &self.regions {
            match (r.changed, r.reason) {
                (true, _) if r.name == "thumbnails" => {}
                (true, _) if r.name == "gallery" => {
                    parts.push(format!("img={}", self.image.as_deref().unwrap_or("moved")))
                }
                (true, _) => parts.push(format!("{}=reordered:{}", r.name, r.shown)),
                (false, Some(why)) => parts.push(format!("{}=pass:{why}", r.name)),
                (false, None) => {}
            }
        }
        if self.hero_swaps > 0 {
            parts.push(format!("hero=swapped:{}", self.hero_swaps));
        }
        parts.join(";")
    }
}

fn tile_reader(cfg: &Config, grid: usize, base: Option<Rc<str>>) -> ReadTile {
    let grid = cfg.grids.get(grid).cloned();
    Rc::new(move |el: &Element<'_, '_>| TileInfo {
        item: grid
            .as_ref()
            .map(|g| read_tile(el, g, base.as_deref()))
            .unwrap_or_default(),
        ..TileInfo::default()
    })
}

type Shared<T> = Rc<RefCell<T>>;

/// Adds the page's personalization handlers. `hero` comes from [`Plan::hero`] (decided by the
/// caller, who reports it before the body streams); the gallery's policy is decided when the
/// gallery closes, when a product page's facts are known.
pub fn personalize(
    mut settings: Settings<'static, 'static>,
    sink: &SharedSink,
    plan: Rc<Plan>,
    hero: Option<Hero>,
) -> (Settings<'static, 'static>, Report) {
    let candidates = plan.candidates();
    if candidates.len() > 1 || plan.gate.is_some() {
        let gates: Vec<Gate> = candidates.iter().filter_map(|p| p.gate.clone()).collect();
        settings = add_markers(settings, &gates);
    }
    let mut reports = Vec::new();
    for (i, candidate) in candidates.into_iter().enumerate() {
        // The first candidate's hero was decided (and reported) by the caller.
        let hero = if i == 0 {
            hero.clone()
        } else {
            candidate.hero().map(|(h, _)| h)
        };
        let (s, report) = personalize_one(settings, sink, candidate, hero);
        settings = s;
        reports.push(report);
    }
    let report = reports
        .into_iter()
        .rev()
        .reduce(|next, mut r| {
            r.next = Some(Box::new(next));
            r
        })
        .unwrap_or_else(|| Report {
            outcome: Rc::default(),
            regions: Rc::default(),
            plan,
            next: None,
        });
    (settings, report)
}

/// One candidate page type's handlers.
fn personalize_one(
    mut settings: Settings<'static, 'static>,
    sink: &SharedSink,
    plan: Rc<Plan>,
    hero: Option<Hero>,
) -> (Settings<'static, 'static>, Report) {
    let outcome = Rc::new(RefCell::new(Outcome::default()));
    let regions = Rc::new(RefCell::new(Vec::new()));
    if matches!(
        plan.page,
        PageKind::Plp | PageKind::Search | PageKind::Home | PageKind::Pdp
    ) {
        for g in 0..plan.cfg.grids.len() {
            settings = add_grid(settings, sink, &plan, g, &outcome, &regions);
        }
    }
    if let Some(hero) = hero {
        settings = add_hero(settings, &plan, hero, &outcome);
    }
    if plan.page == PageKind::Pdp {
        settings = add_gallery(settings, sink, &plan, &outcome, &regions);
    }
    (
        settings,
        Report {
            outcome,
            regions,
            plan,
            next: None,
        },
    )
}

/// Grid `g`: its tiles ranked within the rules when the grid closes.
fn add_grid(
    settings: Settings<'static, 'static>,
    sink: &SharedSink,
    plan: &Rc<Plan>,
    g: usize,
    outcome: &Shared<Outcome>,
    regions: &Shared<Vec<RegionOutcome>>,
) -> Settings<'static, 'static> {
    let Some(grid) = plan.cfg.grids.get(g) else {
        return settings;
    };
    let (p, out, name) = (plan.clone(), outcome.clone(), grid.name.clone());
    let decide: Decide = Rc::new(move |tiles: &[TileInfo]| {
        let find = lookup(&p.cfg, p.packed.as_deref());
        let items: Vec<Item> = tiles
            .iter()
            .map(|t| Item::from_catalog(&find, t.item.key.as_deref(), t.item.clone()))
            .collect();
        let ctx = Context {
            grid: Some(name.clone()),
            ..p.context()
        };
        let ranking = rank::rank(&p.cfg, &items, &ctx, false);
        out.borrow_mut().fired.extend(ranking.fired.iter().cloned());
        Some(ranking.order)
    });
    let region = Region {
        name: grid.name.clone(),
        container: grid.container.clone(),
        tile: grid.tile.clone(),
        inner: grid.inner.clone(),
        base: plan.path.clone(),
        slot: grid.slot.clone(),
        image: None,
        cap: grid.max_bytes,
        last: grid.last,
        gate: plan.gate.clone(),
    };
    add_region(
        settings,
        sink,
        region,
        tile_reader(&plan.cfg, g, plan.path.clone()),
        decide,
        regions.clone(),
    )
}

/// The hero variant's parts, each where the config finds it.
fn add_hero(
    mut settings: Settings<'static, 'static>,
    plan: &Rc<Plan>,
    hero: Hero,
    outcome: &Shared<Outcome>,
) -> Settings<'static, 'static> {
    let Some(sel) = plan.cfg.hero.as_ref() else {
        return settings;
    };
    // Only the parts this variant changes: every selector costs the whole document its matching.
    let parts: [(&Option<Sel>, HeroPart, bool); 4] = [
        (&sel.headline, HeroPart::Headline, hero.headline.is_some()),
        (&sel.sub, HeroPart::Sub, hero.sub.is_some()),
        (
            &sel.cta,
            HeroPart::Cta,
            hero.cta_text.is_some() || hero.cta_href.is_some(),
        ),
        (
            &sel.image,
            HeroPart::Image,
            hero.image_src.is_some() || hero.image_alt.is_some(),
        ),
    ];
    let hero = Rc::new(hero);
    for (i, (selector, part, changed)) in parts.into_iter().enumerate() {
        let Some(selector) = selector.as_ref().filter(|_| changed) else {
            continue;
        };
        let text = match part {
            HeroPart::Headline => hero.headline.clone(),
            HeroPart::Sub => hero.sub.clone(),
            HeroPart::Cta => hero.cta_text.clone(),
            HeroPart::Image => None,
        };
        if let (Some(text), Some(inside)) = (text, sel.inside.get(i).cloned().flatten()) {
            settings = replace_own_text(settings, plan, selector, &inside, text, outcome);
        }
        let (hero, outcome, p) = (hero.clone(), outcome.clone(), plan.clone());
        settings = settings.append_element_content_handler((
            selector.selector(),
            ElementContentHandlers::default().element(move |el: &mut Element<'_, '_>| {
                if !p.enter() {
                    return Ok(());
                }
                let n = swap_hero(el, &hero, part)?;
                outcome.borrow_mut().hero_swaps += n;
                Ok(())
            }),
        ));
    }
    settings
}

/// Where a part's own text is being replaced.
#[derive(Default)]
struct OwnText {
    /// Inside the part (and not inside another match of it).
    active: bool,
    /// How deep inside elements of the part's own (whose text is theirs, not the part's).
    depth: usize,
    /// The new text went in.
    done: bool,
}

/// Replaces the text an element shows as its own with `text` (escaped), keeping the elements
/// inside it and their text (a visually-hidden "Collection:" prefix, an icon): its own text up to
/// the first non-whitespace stays as it is, that becomes `text`, and its own text after that
/// goes. The same whatever chunks the page arrives in.
fn replace_own_text(
    settings: Settings<'static, 'static>,
    plan: &Rc<Plan>,
    part: &Sel,
    inside: &Sel,
    text: String,
    outcome: &Shared<Outcome>,
) -> Settings<'static, 'static> {
    let state = Rc::new(RefCell::new(OwnText::default()));
    let (on_el, on_text, on_inside) = (state.clone(), state.clone(), state);
    let (outcome, plan) = (outcome.clone(), plan.clone());
    let own = ElementContentHandlers::default()
        .element(move |el: &mut Element<'_, '_>| {
            if on_el.borrow().active || !plan.enter() {
                return Ok(());
            }
            *on_el.borrow_mut() = OwnText {
                active: true,
                ..OwnText::default()
            };
            if let Some(handlers) = el.end_tag_handlers() {
                let state = on_el.clone();
                handlers.push(Box::new(move |_end: &mut EndTag<'_>| {
                    state.borrow_mut().active = false;
                    Ok(())
                }));
            }
            Ok(())
        })
        .text(move |chunk: &mut TextChunk<'_>| {
            let mut s = on_text.borrow_mut();
            if !s.active || s.depth > 0 {
                return Ok(());
            }
            // Before the new text: whitespace stays (however the text arrived in chunks). The
            // first chunk with more than whitespace keeps its leading whitespace and becomes the
            // new text. After it, the part's own text goes, all of it.
            if s.done {
                chunk.remove();
            } else if !chunk.as_str().trim().is_empty() {
                let lead = &chunk.as_str()[..chunk.as_str().len() - chunk.as_str().trim_start().len()];
                let replacement = format!("{lead}{text}");
                chunk.replace(&replacement, ContentType::Text);
                s.done = true;
                outcome.borrow_mut().hero_swaps += 1;
            }
            Ok(())
        });
    let children = ElementContentHandlers::default().element(move |el: &mut Element<'_, '_>| {
        if !on_inside.borrow().active {
            return Ok(());
        }
        if let Some(handlers) = el.end_tag_handlers() {
            on_inside.borrow_mut().depth += 1;
            let state = on_inside.clone();
            handlers.push(Box::new(move |_end: &mut EndTag<'_>| {
                let mut s = state.borrow_mut();
                s.depth = s.depth.saturating_sub(1);
                Ok(())
            }));
        }
        Ok(())
    });
    settings
        .append_element_content_handler((part.selector(), own))
        .append_element_content_handler((inside.selector(), children))
}

/// The product page's gallery: the image the policy prefers moved first, decided when the gallery
/// closes (when the product's facts are known); in a thumbnail strip too, the same image.
fn add_gallery(
    mut settings: Settings<'static, 'static>,
    sink: &SharedSink,
    plan: &Rc<Plan>,
    outcome: &Shared<Outcome>,
    regions: &Shared<Vec<RegionOutcome>>,
) -> Settings<'static, 'static> {
    let Some(gallery) = plan.cfg.gallery.as_ref() else {
        return settings;
    };
    // Whichever part closes first chooses; the other follows its choice.
    let choice: Shared<Option<Choice>> = Rc::default();
    // `last` (nothing to rewrite after the gallery) applies to a one-part gallery only: either
    // part of two may come first in the page.
    let last = gallery.last && gallery.thumbnails.is_none();
    let parts = std::iter::once(("gallery", &gallery.main))
        .chain(gallery.thumbnails.iter().map(|t| ("thumbnails", t)));
    for (name, part) in parts {
        let role_attr = gallery.role_attribute.clone();
        // An item may be the image itself (`<img>` children of the gallery): read its URL too.
        let read: ReadTile = Rc::new(move |el: &Element<'_, '_>| TileInfo {
            role: role_attr.as_deref().and_then(|a| el.get_attribute(a)),
            src: image_url(el),
            ..TileInfo::default()
        });
        let (p, out, ch) = (plan.clone(), outcome.clone(), choice.clone());
        let decide: Decide = Rc::new(move |tiles: &[TileInfo]| first_image(&p, tiles, &out, &ch));
        let region = Region {
            name: name.into(),
            container: part.container.clone(),
            tile: part.item.clone(),
            inner: Vec::new(),
            base: None,
            slot: crate::config::Slot::default(),
            image: Some(RegionImages {
                image: part.image.clone(),
                source: part.source.clone(),
                role_attribute: gallery.role_attribute.clone(),
            }),
            cap: 256 * 1024,
            last,
            gate: plan.gate.clone(),
        };
        settings = add_region(settings, sink, region, read, decide, regions.clone());
    }
    settings
}

/// The image a gallery part moved first: where it was, among how many, and its URLs.
struct Choice {
    index: usize,
    count: usize,
    urls: Vec<String>,
}

/// A gallery part's new order: the first image of the most preferred role first, the rest as they
/// were; `None` when no policy applies or no image has a preferred role. When another part of
/// the gallery already chose, this one moves the same image: the one with the same URL, or, in a
/// strip of as many items (thumbnails name their files differently), the one in the same place.
fn first_image(
    plan: &Plan,
    tiles: &[TileInfo],
    outcome: &Shared<Outcome>,
    choice: &Shared<Option<Choice>>,
) -> Option<Vec<usize>> {
    let (prefer, fired) = plan.image()?;
    let base = plan.path.as_deref();
    let first = choice.borrow().is_none();
    // Follow the other part: its image here by URL, else the same place in a strip as long.
    let followed = choice.borrow().as_ref().and_then(|c| {
        tiles
            .iter()
            .position(|t| {
                t.image_urls()
                    .any(|u| c.urls.iter().any(|v| same_image(u, v, base)))
            })
            .or_else(|| (tiles.len() == c.count).then_some(c.index))
    });
    // Else choose by role (a strip whose other part shows one image only, or names it otherwise).
    let idx = if let Some(followed) = followed {
        followed
    } else {
        if first {
            outcome.borrow_mut().fired.push(fired);
        }
        let product = plan
            .product
            .clone()
            .or_else(|| plan.facts.as_ref().and_then(|f| f.facts().key));
        let catalog_images = product
            .as_deref()
            .and_then(|k| lookup(&plan.cfg, plan.packed.as_deref())(k))
            .map(|p| p.images)
            .unwrap_or_default();
        let role_of = |t: &TileInfo| -> Option<String> {
            t.role.clone().map(|r| r.to_lowercase()).or_else(|| {
                t.image_urls().find_map(|src| {
                    catalog_images
                        .iter()
                        .find(|im| same_image(&im.src, src, base))
                        .map(|im| im.role.clone())
                })
            })
        };
        let roles: Vec<Option<String>> = tiles.iter().map(role_of).collect();
        let (idx, role) = prefer.iter().find_map(|want| {
            roles
                .iter()
                .position(|r| r.as_deref() == Some(want.as_str()))
                .map(|i| (i, want.clone()))
        })?;
        if first {
            outcome.borrow_mut().image = Some(role);
            *choice.borrow_mut() = Some(Choice {
                index: idx,
                count: tiles.len(),
                urls: tiles
                    .get(idx)
                    .map(|t| t.image_urls().map(str::to_owned).collect())
                    .unwrap_or_default(),
            });
        }
        idx
    };
    let mut order: Vec<usize> = (0..tiles.len()).collect();
    if idx >= order.len() {
        return None;
    }
    let moved = order.remove(idx);
    order.insert(0, moved);
    Some(order)
}

/// A handle on what the personalization did, filled in as the page streams.
#[derive(Clone)]
pub struct Report {
    outcome: Rc<RefCell<Outcome>>,
    regions: Rc<RefCell<Vec<RegionOutcome>>>,
    plan: Rc<Plan>,
    /// The next candidate page type's (when markers decide the type).
    next: Option<Box<Report>>,
}

impl Report {
    /// The report of the candidate the page's markup chose (this one without markers).
    fn decided(&self) -> &Report {
        let mut at = self;
        loop {
            if at.plan.gate.as_ref().is_none_or(Gate::is_open) {
                return at;
            }
            match at.next.as_deref() {
                Some(next) => at = next,
                None => return self,
            }
        }
    }

    /// What happened so far (complete once the page has streamed).
    pub fn snapshot(&self) -> Outcome {
        let r = self.decided();
        let mut o = r.outcome.borrow().clone();
        o.regions = r.regions.borrow().clone();
        o
    }

    /// The plan of the page type the page turned out to be.
    pub fn plan(&self) -> Rc<Plan> {
        self.decided().plan.clone()
    }
}

#[derive(Clone, Copy)]
enum HeroPart {
    Headline,
    Sub,
    Cta,
    Image,
}

/// Whether two image URLs name the same file (absolute vs relative, query strings aside).
/// An attribute value as written into the page: lol_html escapes only `"`, so `&` and `<` are
/// escaped here, or the browser would decode `&colon;` in a config's URL into `:`.
fn attr(value: &str) -> String {
    value.replace('&', "&amp;").replace('<', "&lt;")
}

/// Swaps one hero element's attributes; returns how many fields changed. URLs were validated when
/// the config compiled; attributes are set, never concatenated.
fn swap_hero(
    el: &mut Element<'_, '_>,
    hero: &Hero,
    part: HeroPart,
) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    let mut n = 0;
    match part {
        // Text is replaced by `replace_own_text`, which keeps what the store put inside.
        HeroPart::Headline | HeroPart::Sub => {}
        HeroPart::Cta => {
            if let Some(h) = &hero.cta_href {
                el.set_attribute("href", &attr(h))?;
                n += 1;
            }
        }
        HeroPart::Image => {
            if let Some(src) = &hero.image_src {
                // Lazy loaders keep the real URL in data-src / data-srcset: swap those too, and
                // drop a srcset the variant does not replace (the browser would prefer it).
                let src = attr(src);
                el.set_attribute("src", &src)?;
                if el.has_attribute("data-src") {
                    el.set_attribute("data-src", &src)?;
                }
                match &hero.image_srcset {
                    Some(set) => {
                        let set = attr(set);
                        el.set_attribute("srcset", &set)?;
                        if el.has_attribute("data-srcset") {
                            el.set_attribute("data-srcset", &set)?;
                        }
                    }
                    None => {
                        el.remove_attribute("srcset");
                        el.remove_attribute("data-srcset");
                    }
                }
                n += 1;
            }
            if let Some(alt) = &hero.image_alt {
                el.set_attribute("alt", &attr(alt))?;
                n += 1;
            }
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::compile_json;
    use crate::rewrite::{encoding_from_content_type, run_chunked, HtmlStream};

    #[test]
    fn a_windows_1252_page_is_personalized_in_its_own_charset() {
        let cfg = compile_json(
            r#"{"version":1,"site":{"plp":{"grids":[{"name":"g","container":"ul","tile":"li","key":{"attribute":"data-k"}}],
                 "hero":{"container":".hero","headline":"h1"}}},
               "rules":[{"id":"p","pin":{"product":"b","position":1}},{"id":"h","hero":{"headline":"Caf\u00e9 cr\u00e8me"}}]}"#,
        )
        .unwrap();
        let plan = Rc::new(Plan::new(Rc::new(cfg), PageKind::Plp));
        let page: &[u8] = b"<div class=hero><h1>Old \xe9</h1></div><ul><li data-k=a>na\xefve</li><li data-k=b>\x80uro</li></ul>";
        let enc = encoding_from_content_type("text/html; charset=windows-1252").unwrap();
        for chunk in [1, 3, 100] {
            let sink = SharedSink::default();
            let hero = plan.hero().map(|(h, _)| h);
            let (settings, report) = personalize(lol_html::Settings::new(), &sink, plan.clone(), hero);
            let (out, _) = run_chunked(HtmlStream::with_sink(settings, enc, sink), page, &[chunk]);
            assert_eq!(
                out,
                b"<div class=hero><h1>Caf\xe9 cr\xe8me</h1></div><ul><li data-k=b>\x80uro</li><li data-k=a>na\xefve</li></ul>".to_vec(),
                "chunk {chunk}"
            );
            assert_eq!(report.snapshot().summary(), "g=reordered:2;hero=swapped:1");
        }
    }

    #[test]
    fn attribute_values_are_written_so_the_browser_reads_them_as_written() {
        let cfg = compile_json(
            r#"{"version":1,"site":{"plp":{"hero":{"container":".hero","cta":"a","image":"img"}}},
               "rules":[{"id":"h","hero":{"cta":{"href":"/search?q=a&b=\"x\"<"},
                 "image":{"src":"/i.jpg?w=1&h=2","alt":"Tom & \"Jerry\" <3"}}}]}"#,
        )
        .unwrap();
        let plan = Rc::new(Plan::new(Rc::new(cfg), PageKind::Plp));
        let sink = SharedSink::default();
        let hero = plan.hero().map(|(h, _)| h);
        let (settings, _) = personalize(lol_html::Settings::new(), &sink, plan, hero);
        let page = b"<div class=hero><a href=/x>Go</a><img src=/old.jpg alt=old></div>";
        let (out, _) = run_chunked(
            HtmlStream::with_sink(settings, crate::rewrite::utf8(), sink),
            page,
            &[7],
        );
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains(r#"href="/search?q=a&amp;b=&quot;x&quot;&lt;""#),
            "{out}"
        );
        assert!(out.contains(r#"src="/i.jpg?w=1&amp;h=2""#), "{out}");
        assert!(
            out.contains(r#"alt="Tom &amp; &quot;Jerry&quot; &lt;3""#),
            "{out}"
        );
    }
}
