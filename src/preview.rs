//! `POST /__vitrine/preview`: what a config would do to a page for a visitor, before it is live.
//! The order of each grid before and after, what was hidden and by which rule, the hero and the
//! first image chosen, every rule that fired and why, what shadow rules would change, and the
//! config's warnings, including selectors that match nothing on this very page.
//!
//! It runs the same engine as live traffic: the page goes through the very rewriter live pages do
//! ([`crate::rewrite::personalize`]) with a [`Plan`] built for the visitor described, and the
//! tiles are read before and after with the live tile reader.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::{json, Value};

use crate::catalog::Packed;
use crate::config::rules::{normalize_query, Device};
use crate::config::{lint, Classified, Config, PageKind, Problem, Source};
use crate::doc::{self, Obj, Problems};
use crate::product::{Item, Stock};
use crate::rank::{Fired, ShadowDiff};
use crate::reply::Reply;
use crate::report::{Action, CfgStatus, Report};
use crate::rewrite::facts::with_fact_handlers;
use crate::rewrite::personalize::{personalize, Outcome, Plan};
use crate::rewrite::plp::{count_matches, read_tiles};
use crate::rewrite::{run_chunked, utf8, HtmlStream, SharedSink};
use crate::settings::Settings;
use crate::signal::{Affinity, ConsentBasis, Intent, ProductFacts, Signal, ID_LEN};

/// A visitor profile to preview for.
#[derive(Debug, Default)]
pub struct VisitorSpec {
    /// Brand interests: name → weight (1..255).
    pub brands: BTreeMap<String, u8>,
    /// Category interests: name → weight.
    pub categories: BTreeMap<String, u8>,
    /// `browse` or `buy`.
    pub intent: Option<Intent>,
    /// A later session.
    pub returning: bool,
    /// Has purchased.
    pub customer: bool,
    /// Country (ISO alpha-2).
    pub country: Option<String>,
    /// Consent given (default true).
    pub consent: Option<bool>,
    /// In the holdout.
    pub holdout: bool,
    /// `mobile` or `desktop` (default).
    pub device: Option<Device>,
}

impl VisitorSpec {
    /// Reads a visitor object (`{"intent": "buy", "brands": {"acme": 50}}`).
    pub fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let weight = |v: &Value, at: String, p: &mut Problems| {
            let w = v.as_u64().and_then(|w| u8::try_from(w).ok());
            if w.is_none() {
                p.add(at, "must be a weight from 0 to 255");
            }
            w
        };
        let brands = o.map("brands", p, weight).into_iter().collect();
        let categories = o.map("categories", p, weight).into_iter().collect();
        let intent = o.string("intent", p).and_then(|s| {
            let i = Intent::parse(&s);
            if i.is_none() {
                p.add(o.path("intent"), "must be browse or buy");
            }
            i
        });
        let device = o.string("device", p).and_then(|s| {
            let d = Device::parse(&s);
            if d.is_none() {
                p.add(o.path("device"), "must be mobile or desktop");
            }
            d
        });
        Some(VisitorSpec {
            brands,
            categories,
            intent,
            returning: o.bool("returning", p).unwrap_or(false),
            customer: o.bool("customer", p).unwrap_or(false),
            country: o.string("country", p),
            consent: o.bool("consent", p),
            holdout: o.bool("holdout", p).unwrap_or(false),
            device,
        })
    }

    /// The signal this profile stands for (`None` without consent).
    pub fn signal(&self) -> Option<Signal> {
        if self.consent == Some(false) {
            return None;
        }
        let mut s = Signal::new([0; ID_LEN], 0, ConsentBasis::Explicit);
        let set = |list: &mut Vec<Affinity>, map: &BTreeMap<String, u8>| {
            list.clear();
            for (name, w) in map {
                list.push(Affinity {
                    hash: crate::signal::name_hash(name),
                    weight: (*w).max(1),
                });
            }
            list.sort_by_key(|a| std::cmp::Reverse(a.weight));
        };
        set(&mut s.brands, &self.brands);
        set(&mut s.categories, &self.categories);
        if self.returning {
            s.sessions = 2;
        }
        s.customer = self.customer;
        s.intent = self.intent.unwrap_or_default();
        Some(s)
    }

    /// The personalization plan this visitor would get on a page (`facts`: a product page's).
    pub fn plan(
        &self,
        cfg: Rc<Config>,
        page: Option<&Classified>,
        query: Option<&str>,
        facts: Option<&ProductFacts>,
        now: u64,
    ) -> Plan {
        let signal = self.signal();
        let lower = |s: &String| s.to_lowercase();
        Plan {
            category: page
                .and_then(|c| c.capture("category"))
                .map(str::to_owned)
                .or_else(|| facts.and_then(|f| f.category.clone()))
                .map(|c| lower(&c)),
            brand_page: facts.and_then(|f| f.brand.as_ref()).map(lower),
            query: query.map(normalize_query),
            consent: signal.is_some(),
            signal,
            country: self.country.as_ref().map(|c| c.to_ascii_uppercase()),
            device: self.device.unwrap_or(Device::Desktop),
            now,
            holdout: self.holdout,
            product: page.and_then(|c| c.capture("product")).map(str::to_owned),
            ..Plan::new(cfg, page.map_or(PageKind::Plp, |c| c.kind))
        }
    }
}

/// Product facts of a PDP (for its category and brand context), and where each came from: for
/// each fact the source that gave it, or why none did.
pub fn page_facts(cfg: &Config, html: &[u8]) -> (ProductFacts, Value) {
    let (settings, probe) = with_fact_handlers(lol_html::Settings::new(), &cfg.product_sources);
    let _ = run_chunked(HtmlStream::new(settings, utf8()), html, &[64 * 1024]);
    let (from, met) = probe.provenance();
    let name = |i: usize| {
        let what = cfg
            .product_sources
            .get(i)
            .map(Source::describe)
            .unwrap_or_default();
        format!("site.pdp.product_data[{i}] ({what})")
    };
    let mut sources = serde_json::Map::new();
    for (field, from) in ["key", "brand", "category", "price"].into_iter().zip(from) {
        let said = match from {
            Some(i) => json!({"from": name(i)}),
            None if met.is_empty() => json!({"none": "site.pdp.product_data names no source"}),
            None => {
                json!({"none": met.iter().enumerate().map(|(i, m)| format!("{}: {}", name(i), m.why())).collect::<Vec<_>>()})
            }
        };
        sources.insert(field.into(), said);
    }
    (probe.facts(), Value::Object(sources))
}

fn keys(items: &[Item], order: &[usize]) -> Vec<Value> {
    order
        .iter()
        .map(|&i| {
            items
                .get(i)
                .and_then(|t| t.key.clone())
                .map_or(Value::Null, Value::String)
        })
        .collect()
}

/// What to preview: a config (at a version), for a visitor, on a page, at a moment.
pub struct Subject<'a> {
    /// The config.
    pub cfg: &'a Config,
    /// The packed catalog, if any.
    pub packed: Option<&'a Packed>,
    /// The config's version.
    pub version: &'a str,
    /// The page as the config classifies it.
    pub page: Option<&'a Classified>,
    /// The search query, on a search page.
    pub query: Option<&'a str>,
    /// The page's path (relative links resolve against it).
    pub path: Option<&'a str>,
    /// The visitor.
    pub visitor: &'a VisitorSpec,
    /// Unix seconds.
    pub now: u64,
}

/// The preview document of `html`.
pub fn preview(subject: &Subject<'_>, html: &[u8]) -> Value {
    let Subject {
        cfg,
        packed,
        version,
        page: classified,
        query,
        path,
        visitor,
        now,
    } = *subject;
    // A page typed by markers: the whole page is here, so its markup decides up front what the
    // live stream decides as it goes.
    let decided: Option<Classified> = classified.map(|c| decide(c, html));
    let marked = subject.page.is_some_and(|c| c.marker.is_some());
    let classified = decided.as_ref();
    let page = classified.map_or(PageKind::Plp, |c| c.kind);
    let (facts, facts_from) = match (page == PageKind::Pdp).then(|| page_facts(cfg, html)) {
        Some((f, from)) => (Some(f), Some(from)),
        None => (None, None),
    };
    let plan = Rc::new(Plan {
        packed: packed.map(|p| Rc::new(p.clone())),
        path: path.map(Rc::from),
        ..visitor.plan(Rc::new(cfg.clone()), classified, query, facts.as_ref(), now)
    });
    // One engine: the page goes through the very rewriter live traffic does, and "after" is read
    // back from its output.
    let sink = SharedSink::default();
    let hero = plan.hero();
    let (settings, report) = personalize(
        lol_html::Settings::new(),
        &sink,
        plan.clone(),
        hero.clone().map(|(h, _)| h),
    );
    let (rendered, bailed) = run_chunked(HtmlStream::with_sink(settings, utf8(), sink), html, &[64 * 1024]);
    let outcome = report.snapshot();
    let (grids, seen) = grids(&plan, html, &rendered, &outcome);
    let image = (page == PageKind::Pdp).then(|| plan.image()).flatten();
    let mut fired = outcome.fired.clone();
    if let Some(b) = bailed {
        fired.push(Fired {
            rule: "rewriter".into(),
            kind: "bail-out",
            effect: b.to_string(),
        });
    }
    fired.extend(hero.iter().flat_map(|(_, f)| f.iter().cloned()));
    fired.extend(image.iter().map(|(_, f)| f.clone()));
    let grid_fired: Vec<Fired> = grids
        .iter()
        .filter_map(|g| serde_json::from_value::<Vec<Value>>(g["fired"].clone()).ok())
        .flatten()
        .filter_map(|f| {
            Some(Fired {
                rule: f.get("rule")?.as_str()?.to_owned(),
                kind: "rule",
                effect: f.get("effect")?.as_str()?.to_owned(),
            })
        })
        .collect();
    let rules = explain(&plan, &seen, &[fired.clone(), grid_fired].concat());
    let signal = plan.signal.as_ref();
    let ctx = plan.context();
    let mut doc = json!({
        "version": version,
        "page": page.token(),
        "category": ctx.category,
        "visitor": {
            "consent": signal.is_some(),
            "personal": ctx.personal(),
            "intent": signal.map(|s| s.intent),
            "returning": signal.map(Signal::is_returning),
            "customer": signal.map(|s| s.customer),
        },
        "grids": grids,
        "hero": hero.map(|(h, _)| json!({
            "variant": h.variant, "headline": h.headline, "sub": h.sub,
            "cta": {"text": h.cta_text, "href": h.cta_href},
            "image": {"src": h.image_src, "srcset": h.image_srcset, "alt": h.image_alt},
        })),
        "image": image.map(|(prefer, f)| json!({"prefer": prefer, "rule": f.rule, "moved_first": outcome.image})),
        "shown": {"before": shown(cfg, html), "after": shown(cfg, &rendered)},
        "product": facts.as_ref().map(|f| json!({
            "key": f.key, "brand": f.brand, "category": f.category, "price": f.price,
            "sources": facts_from,
        })),
        "gallery": (page == PageKind::Pdp && cfg.gallery.is_some()).then(|| gallery_report(cfg, &outcome)),
        "summary": outcome.summary(),
        "fired": fired,
        "rules": rules,
        "warnings": warnings(cfg, packed, html, page, now, &outcome),
    });
    if marked && page == PageKind::Other {
        if let Some(Value::Array(w)) = doc.get_mut("warnings") {
            w.insert(0, json!({"path": "site.pages", "message":
                "this path matches page rules with markers, but the page's markup has none of them: vitrine leaves it untouched"}));
        }
    }
    doc
}

/// Each grid before and after, what was hidden and why, and what shadow rules would change.
/// What a preview shows of a tile: a name and an image as the page has them (the first link's
/// text or the image's `alt`, the first image's URL).
#[derive(Default, Clone)]
struct Card {
    name: String,
    alt: Option<String>,
    image: Option<String>,
}

/// What a page shows where the config's hero and gallery selectors point: the first headline,
/// sub-copy and CTA texts and the hero image's URL; every gallery image's URL, in order.
fn shown(cfg: &Config, html: &[u8]) -> Value {
    use lol_html::html_content::{Element, TextChunk};
    use lol_html::ElementContentHandlers;
    use std::cell::RefCell;
    // (name, selector, text?) — texts keep the first element's, images every URL.
    let mut parts: Vec<(&'static str, crate::config::Sel, bool)> = Vec::new();
    if let Some(h) = &cfg.hero {
        for (name, sel) in [("headline", &h.headline), ("sub", &h.sub), ("cta", &h.cta)] {
            if let Some(sel) = sel {
                parts.push((name, sel.clone(), true));
            }
        }
        if let Some(sel) = &h.image {
            parts.push(("image", sel.clone(), false));
        }
    }
    if let Some(g) = &cfg.gallery {
        parts.push(("gallery", g.main.image.clone(), false));
    }
    // Per part: what was found, and (texts) 0 before the first match, 1 inside it, 2 after.
    let found = Rc::new(RefCell::new(vec![(Vec::<String>::new(), 0u8); parts.len()]));
    let mut settings = lol_html::Settings::new();
    for (i, (_, sel, text)) in parts.iter().enumerate() {
        let (f, g) = (found.clone(), found.clone());
        let handlers = if *text {
            ElementContentHandlers::default()
                .element(move |el: &mut Element<'_, '_>| {
                    let first = f.borrow().get(i).is_some_and(|(_, phase)| *phase == 0);
                    if first {
                        if let Some((texts, phase)) = f.borrow_mut().get_mut(i) {
                            texts.push(String::new());
                            *phase = 1;
                        }
                        let f = f.clone();
                        if let Some(end) = el.end_tag_handlers() {
                            end.push(Box::new(move |_| {
                                if let Some((_, phase)) = f.borrow_mut().get_mut(i) {
                                    *phase = 2;
                                }
                                Ok(())
                            }));
                        }
                    }
                    Ok(())
                })
                .text(move |t: &mut TextChunk<'_>| {
                    if let Some((texts, 1)) = g.borrow_mut().get_mut(i) {
                        if let Some(first) = texts.first_mut().filter(|s| s.len() < 300) {
                            first.push_str(t.as_str());
                        }
                    }
                    Ok(())
                })
        } else {
            ElementContentHandlers::default().element(move |el: &mut Element<'_, '_>| {
                if let (Some((urls, _)), Some(url)) =
                    (f.borrow_mut().get_mut(i), crate::rewrite::tile::image_url(el))
                {
                    urls.push(url);
                }
                Ok(())
            })
        };
        settings = settings.append_element_content_handler((sel.selector(), handlers));
    }
    let _ = run_chunked(HtmlStream::new(settings, utf8()), html, &[64 * 1024]);
    let mut out = serde_json::Map::new();
    for ((name, _, text), (values, _)) in parts.iter().zip(found.borrow().iter()) {
        let clean =
            |v: &String| crate::rewrite::tile::decoded(v.split_whitespace().collect::<Vec<_>>().join(" "));
        out.insert(
            (*name).to_owned(),
            if *text {
                values.first().map_or(Value::Null, |v| Value::String(clean(v)))
            } else if *name == "image" {
                values.first().map_or(Value::Null, |v| Value::String(v.clone()))
            } else {
                json!(values)
            },
        );
    }
    Value::Object(out)
}

/// Every grid's tiles as cards, in page order.
fn cards(cfg: &Config, html: &[u8]) -> Vec<Vec<Card>> {
    use lol_html::html_content::{Element, TextChunk};
    use lol_html::ElementContentHandlers;
    use std::cell::RefCell;
    let all = Rc::new(RefCell::new(vec![Vec::<Card>::new(); cfg.grids.len()]));
    let mut settings = lol_html::Settings::new();
    for (g, grid) in cfg.grids.iter().enumerate() {
        let (on_tile, on_img, on_text) = (all.clone(), all.clone(), all.clone());
        let inside = |what: &str| crate::config::Sel::parse(&format!("{} {what}", grid.tile.as_str())).ok();
        settings = settings.append_element_content_handler((
            grid.tile.selector(),
            ElementContentHandlers::default().element(move |_el: &mut Element<'_, '_>| {
                if let Some(list) = on_tile.borrow_mut().get_mut(g) {
                    list.push(Card::default());
                }
                Ok(())
            }),
        ));
        if let (Some(img), Some(link)) = (inside("img"), inside("a")) {
            settings = settings
                .append_element_content_handler((
                    img.selector(),
                    ElementContentHandlers::default().element(move |el: &mut Element<'_, '_>| {
                        if let Some(card) = on_img.borrow_mut().get_mut(g).and_then(|l| l.last_mut()) {
                            if card.image.is_none() {
                                card.image = crate::rewrite::tile::image_url(el);
                                card.alt = el.get_attribute("alt").map(crate::rewrite::tile::decoded);
                            }
                        }
                        Ok(())
                    }),
                ))
                .append_element_content_handler((
                    link.selector(),
                    ElementContentHandlers::default().text(move |t: &mut TextChunk<'_>| {
                        if let Some(card) = on_text.borrow_mut().get_mut(g).and_then(|l| l.last_mut()) {
                            if card.name.trim().chars().count() < 80 {
                                card.name.push_str(t.as_str());
                            }
                        }
                        Ok(())
                    }),
                ));
        }
        if let Some(list) = all.borrow_mut().get_mut(g) {
            list.clear();
        }
    }
    let _ = run_chunked(HtmlStream::new(settings, utf8()), html, &[64 * 1024]);
    let out = all.borrow().clone();
    out
}

/// A grid as ranked live: its name, its items, and which were hidden by which rule.
type Ranked = (String, Vec<Item>, Vec<(usize, String)>);

/// Each rule, and why it fired on this page for this visitor, or why it did not.
fn explain(plan: &Plan, grids: &[Ranked], fired: &[Fired]) -> Vec<Value> {
    use crate::config::rules::{Action, Mode};
    let ctx = plan.context();
    plan.cfg
        .rules
        .iter()
        .map(|r| {
            let kind = r.action.kind();
            let said = |status: &str, why: String| json!({"id": r.id, "type": kind, "mode": if r.mode == Mode::Shadow { "shadow" } else { "enforce" }, "status": status, "why": why});
            let effects: Vec<&str> = fired.iter().filter(|f| f.rule == r.id).map(|f| f.effect.as_str()).collect();
            if !effects.is_empty() {
                return said("fired", effects.join("; "));
            }
            // Scope and schedule: in any of the page's grids (or the page, without grids).
            let contexts: Vec<crate::rank::Context<'_>> = if grids.is_empty() {
                vec![ctx.clone()]
            } else {
                grids.iter().map(|(name, _, _)| crate::rank::Context { grid: Some(name.clone()), ..ctx.clone() }).collect()
            };
            let reasons: Vec<&'static str> = contexts.iter().filter_map(|c| crate::rank::why_not(r, c)).collect();
            if reasons.len() == contexts.len() {
                let status = if reasons.first().is_some_and(|w| w.starts_with("scheduled")) {
                    "scheduled"
                } else if reasons.first().is_some_and(|w| w.starts_with("expired")) {
                    "expired"
                } else {
                    "not-applicable"
                };
                return said(status, reasons.first().copied().unwrap_or_default().to_owned());
            }
            if r.mode == Mode::Shadow {
                return said("shadow", "in shadow mode: evaluated, never served (see each grid's shadow order)".into());
            }
            let on_page = |key: &str| grids.iter().any(|(_, items, _)| items.iter().any(|i| i.key.as_deref() == Some(key)));
            let hidden_by = |key: &str| {
                grids.iter().find_map(|(_, items, hidden)| {
                    hidden.iter().find(|(i, _)| items.get(*i).and_then(|t| t.key.as_deref()) == Some(key)).map(|(_, rule)| rule.clone())
                })
            };
            let why = match &r.action {
                Action::Pin { product, .. } if !on_page(product) => format!("product {product:?} is not on this page"),
                Action::Pin { product, .. } => match hidden_by(product) {
                    Some(rule) => format!("overridden: {product:?} is hidden by rule {rule:?}"),
                    None => "applies; the product is already at its slot".into(),
                },
                Action::Weight { .. } | Action::Exclude(_) => "applies; no product on this page matches".into(),
                Action::Hero { .. } => "applies; another hero variant won (higher priority or a locked one)".into(),
                Action::Image(_) => "applies only on product pages whose gallery has an image of a preferred role".into(),
                _ => "applies; nothing on this page to change".into(),
            };
            said("applies", why)
        })
        .collect()
}

fn grids(plan: &Plan, html: &[u8], rendered: &[u8], outcome: &Outcome) -> (Vec<Value>, Vec<Ranked>) {
    let cfg = &plan.cfg;
    let ctx = plan.context();
    let base = plan.path.as_deref();
    let (tiles, tiles_after) = (read_tiles(cfg, html, base), read_tiles(cfg, rendered, base));
    let cards = cards(cfg, html);
    let mut seen = Vec::new();
    let lookup = crate::catalog::lookup(cfg, plan.packed.as_deref());
    let mut grids = Vec::new();
    for (g, grid) in cfg.grids.iter().enumerate() {
        let items: Vec<Item> = tiles
            .get(g)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|t| {
                let key = t.key.clone();
                Item::from_catalog(&lookup, key.as_deref(), t)
            })
            .collect();
        let ctx = crate::rank::Context {
            grid: Some(grid.name.clone()),
            ..ctx.clone()
        };
        let diff = ShadowDiff::of(cfg, &items, &ctx);
        let live = &diff.live;
        let before: Vec<usize> = (0..items.len()).collect();
        let after: Vec<Value> = tiles_after
            .get(g)
            .map(|t| {
                t.iter()
                    .map(|t| t.key.clone().map_or(Value::Null, Value::String))
                    .collect()
            })
            .unwrap_or_default();
        let grid_cards = cards.get(g).cloned().unwrap_or_default();
        let shown: Vec<Value> = items
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let card = grid_cards.get(i).cloned().unwrap_or_default();
                let name = card.name.split_whitespace().collect::<Vec<_>>().join(" ");
                let name = crate::rewrite::tile::decoded(name);
                json!({
                    "key": t.key, "name": if name.is_empty() { card.alt } else { Some(name) }, "image": card.image,
                    "brand": t.brand, "category": t.category, "price": t.price, "stock": t.stock.map(Stock::token), "tags": t.tags,
                })
            })
            .collect();
        seen.push((grid.name.clone(), items.clone(), live.hidden.clone()));
        grids.push(json!({
            "name": grid.name,
            "tiles": items.len(),
            "items": shown,
            "before": keys(&items, &before),
            "after": after,
            "hidden": live.hidden.iter().map(|(i, rule)| json!({"key": items.get(*i).and_then(|t| t.key.clone()), "rule": rule})).collect::<Vec<_>>(),
            "fired": live.fired,
            "outcome": outcome.regions.iter().find(|r| r.name == grid.name),
            "shadow": if diff.changes() { json!({"after": keys(&items, &diff.shadow.order), "fired": diff.shadow.fired}) } else { Value::Null },
        }));
    }
    (grids, seen)
}

/// The page type a whole page is, by its path and (when page rules have markers) its markup:
/// `other` when its path matched only rules whose markers it lacks.
fn decide(c: &Classified, html: &[u8]) -> Classified {
    let candidates = Config::candidates(c);
    let markers: Vec<_> = candidates.iter().map(|c| c.marker.clone()).collect();
    let chosen = if markers.iter().all(Option::is_none) {
        Some(0)
    } else {
        crate::rewrite::marker::choose(&markers, html)
    };
    match chosen.and_then(|i| candidates.get(i)) {
        Some(c) => Classified {
            otherwise: None,
            ..(*c).clone()
        },
        None => Classified {
            kind: PageKind::Other,
            captures: Vec::new(),
            marker: None,
            otherwise: None,
        },
    }
}

/// The page type of the page at `path` with this markup (`None`: no page rule matches).
pub fn decide_page(cfg: &Config, path: &str, html: &[u8]) -> Option<Classified> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    cfg.classify("GET", path).map(|c| decide(&c, html))
}

/// Each part of the gallery: how many items the markup has and what happened to them.
fn gallery_report(cfg: &Config, outcome: &Outcome) -> Value {
    let parts = ["gallery", "thumbnails"].into_iter().take(
        if cfg.gallery.as_ref().is_some_and(|g| g.thumbnails.is_some()) {
            2
        } else {
            1
        },
    );
    Value::Array(
        parts
            .map(|name| match outcome.regions.iter().find(|r| r.name == name) {
                Some(r) => json!({"part": name, "items": r.tiles, "moved": r.changed, "reason": r.reason}),
                None => json!({"part": name, "items": 0, "moved": false, "reason": "not-found"}),
            })
            .collect(),
    )
}

/// The config's lint warnings, and the selectors that match nothing on this page.
fn warnings(
    cfg: &Config,
    packed: Option<&Packed>,
    html: &[u8],
    page: PageKind,
    now: u64,
    outcome: &Outcome,
) -> Vec<Value> {
    let mut warnings: Vec<Value> = crate::admin::lint_with(cfg, packed, now)
        .into_iter()
        .map(|p| json!({"path": p.path, "message": p.message}))
        .collect();
    let gallery_items = outcome
        .regions
        .iter()
        .find(|r| r.name == "gallery")
        .map_or(0, |r| r.tiles);
    if page == PageKind::Pdp && cfg.gallery.is_some() && gallery_items == 0 {
        let data = [&b"\"images\""[..], b"\"gallery\"", b"\"media\""]
            .iter()
            .any(|needle| html.windows(needle.len()).any(|w| w == *needle));
        warnings.push(json!({"path": "site.pdp.gallery", "message": format!(
            "this page's markup has no gallery items to reorder{}: the gallery is probably rendered by script, so the first-image policy cannot apply here",
            if data { " (its images are in the page's script data)" } else { "" }
        )}));
    }
    warnings.extend(
        page_warnings(cfg, html, page, "this page")
            .into_iter()
            .map(|p| json!({"path": p.path, "message": p.message})),
    );
    warnings
}

/// What a page (`on`: how to name it) says about the config's selectors: those of its page type
/// that match nothing, and grid tiles found inside their container but not as direct children.
pub fn page_warnings(cfg: &Config, html: &[u8], page: PageKind, on: &str) -> Vec<Problem> {
    let mut relevant: Vec<(String, String)> = lint::selectors(cfg)
        .into_iter()
        .filter(|(path, _)| match page {
            PageKind::Pdp => path.starts_with("site.pdp"),
            _ => path.starts_with("site.plp"),
        })
        .collect();
    // Each grid's tiles also as descendants: found so but not as children, the tile selector
    // names something inside the tiles (or the container is one level too high).
    let loose: Vec<(usize, String)> = cfg
        .grids
        .iter()
        .enumerate()
        .filter(|_| page != PageKind::Pdp)
        .filter_map(|(i, g)| {
            let tile = g
                .tile
                .as_str()
                .strip_prefix(&format!("{} > ", g.container.as_str()))?;
            Some((i, format!("{} {tile}", g.container.as_str())))
        })
        .collect();
    let n = relevant.len();
    relevant.extend(
        loose
            .iter()
            .map(|(i, s)| (format!("site.plp.grids[{i}].tile"), s.clone())),
    );
    let counts = count_matches(html, &relevant.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>());
    let mut out = Vec::new();
    for ((path, sel), c) in relevant.iter().zip(&counts).take(n) {
        if *c == 0 {
            out.push(Problem::new(
                path.clone(),
                &format!("selector {sel:?} matches nothing on {on}"),
            ));
        }
    }
    for ((i, _), c) in loose.iter().zip(counts.iter().skip(n)) {
        let direct = relevant
            .iter()
            .zip(&counts)
            .find(|((path, _), _)| path == &format!("site.plp.grids[{i}].tile"))
            .map_or(0, |(_, c)| *c);
        if direct == 0 && *c > 0 {
            out.push(Problem::new(
                format!("site.plp.grids[{i}].tile"),
                &format!("on {on}, {c} tiles are inside the container but none is its direct child: name the container's child elements (tiles are what moves)"),
            ));
        }
    }
    out
}

/// A preview request: `{config?, url? or html?, visitor?}`.
struct RawRequest<'a> {
    config: Option<&'a Value>,
    url: Option<String>,
    html: Option<String>,
    visitor: VisitorSpec,
}

impl<'a> RawRequest<'a> {
    fn read(o: &mut Obj<'a>, p: &mut Problems) -> Option<Self> {
        Some(RawRequest {
            config: o.value("config"),
            url: o.string("url", p),
            html: o.string("html", p),
            visitor: o.object("visitor", p, VisitorSpec::read).unwrap_or_default(),
        })
    }
}

/// A preview to run: the candidate config (or the live one), the page, the visitor.
pub struct Job {
    cfg: Rc<Config>,
    version: String,
    path: String,
    html: Option<String>,
    visitor: VisitorSpec,
    packed: Option<Rc<Packed>>,
}

impl Job {
    /// Reads a preview request against the live settings.
    pub fn parse(body: &[u8], settings: &Settings) -> Result<Job, Reply> {
        let invalid = |problems: &[crate::config::Problem]| {
            let body =
                json!({"error": "invalid preview request", "errors": crate::admin::problems_json(problems)});
            Reply::json(400, body.to_string(), &Report::of(Action::Endpoint))
        };
        let text =
            std::str::from_utf8(body).map_err(|_| Reply::error(400, "invalid preview request: not UTF-8"))?;
        let value = doc::parse(text).map_err(|e| invalid(&[e]))?;
        let request = doc::read_document(&value, RawRequest::read).map_err(|p| invalid(&p))?;
        let (cfg, version) = match request.config {
            Some(doc) => match crate::config::compile_value(doc) {
                Ok(c) => (Rc::new(c), crate::admin::version_of(doc)),
                Err(problems) => {
                    let body =
                        json!({"error": "invalid config", "errors": crate::admin::problems_json(&problems)});
                    return Err(Reply::json(400, body.to_string(), &Report::of(Action::Endpoint)));
                }
            },
            None => match (&settings.config, &settings.version) {
                (Some(c), Some(v)) => (c.clone(), v.clone()),
                _ => return Err(Reply::error(409, "no active config: send one in \"config\"")),
            },
        };
        let path = request.url.unwrap_or_else(|| "/".into());
        if !path.starts_with('/') {
            return Err(Reply::error(
                400,
                "url must be a path on the storefront, like /c/shoes",
            ));
        }
        Ok(Job {
            cfg,
            version,
            path,
            html: request.html,
            visitor: request.visitor,
            packed: settings.packed.clone(),
        })
    }

    /// The page to fetch from the origin, when the request brought no HTML.
    pub fn page_to_fetch(&self) -> Option<&str> {
        self.html.is_none().then_some(self.path.as_str())
    }

    /// Runs the preview on the request's HTML, or on `fetched` (the origin's page: its status and
    /// body). A page that did not answer 200 is said so first: a 404 has no grid to reorder.
    pub fn run(self, fetched: Option<(u16, String)>, now: u64) -> Reply {
        let status = fetched.as_ref().map(|(s, _)| *s);
        let html = self.html.or(fetched.map(|(_, body)| body)).unwrap_or_default();
        let path = self.path.split('?').next().unwrap_or("/").to_owned();
        let query = crate::request_url::param_of(&self.path, "q");
        let classified = self.cfg.classify("GET", &path);
        let subject = Subject {
            cfg: &self.cfg,
            packed: self.packed.as_deref(),
            version: &self.version,
            page: classified.as_ref(),
            query: query.as_deref(),
            path: Some(&path),
            visitor: &self.visitor,
            now,
        };
        let mut doc = preview(&subject, html.as_bytes());
        if let (Some(status), Value::Object(map)) = (status, &mut doc) {
            map.insert("origin_status".into(), json!(status));
            if status != 200 {
                let said = format!(
                    "the origin answered {status} for {}: this preview is of that answer, not of the page",
                    self.path
                );
                if let Some(Value::Array(w)) = map.get_mut("warnings") {
                    w.insert(0, json!({"path": "url", "message": said}));
                }
            }
        }
        let report = Report {
            cfg: Some(CfgStatus::Version(self.version.clone())),
            ..Report::of(Action::Endpoint)
        };
        Reply::json(200, doc.to_string(), &report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::compile_json;

    #[test]
    fn preview_of_a_small_listing() {
        let cfg = compile_json(
            r#"{"version":1,
              "site":{"pages":[{"type":"plp","path":"/c/{category}"}],
                "plp":{"grids":[{"name":"main","container":"ul.grid","tile":"li","key":{"attribute":"data-sku"},
                  "facts":{"brand":"data-brand","stock":"data-stock"}}],
                  "hero":{"container":".hero","headline":"h1","sub":".missing"}}},
              "rules":[{"id":"pin-c","pin":{"product":"C","position":1}},
                       {"id":"oos","guarantee":{"in_stock_only":true}},
                       {"id":"try","mode":"shadow","exclude":{"match":{"products":["A"]}}},
                       {"id":"buy","scope":{"intent":"buy"},"hero":{"variant":"buy","headline":"Ready?"}}]}"#,
        )
        .unwrap();
        let html = br#"<div class=hero><h1>Shoes</h1></div><ul class=grid><li data-sku=A data-brand=x data-stock=in_stock></li>
            <li data-sku=B data-stock=out_of_stock></li><li data-sku=C data-stock=in_stock></li></ul>"#;
        let page = cfg.classify("GET", "/c/shoes");
        let v = doc::read_document(
            &doc::parse(r#"{"intent":"buy","brands":{"x":50}}"#).unwrap(),
            VisitorSpec::read,
        )
        .unwrap();
        let subject = Subject {
            cfg: &cfg,
            packed: None,
            version: "abc",
            page: page.as_ref(),
            query: None,
            path: Some("/c/shoes"),
            visitor: &v,
            now: 1_800_000_000,
        };
        let out = preview(&subject, html);
        let g = &out["grids"][0];
        assert_eq!(g["before"], json!(["A", "B", "C"]));
        assert_eq!(g["after"], json!(["C", "A"]));
        assert_eq!(g["hidden"], json!([{"key": "B", "rule": "oos"}]));
        assert_eq!(g["shadow"]["after"], json!(["C"]));
        assert_eq!(out["hero"]["variant"], "buy");
        assert_eq!(
            out["shown"]["before"]["headline"], "Shoes",
            "the hero as the origin has it"
        );
        assert_eq!(
            out["shown"]["after"]["headline"], "Ready?",
            "and as this visitor gets it"
        );
        assert_eq!(out["category"], "shoes");
        let warnings = out["warnings"].to_string();
        assert!(warnings.contains("site.plp.hero.sub"), "{warnings}");
        let fired: Vec<&str> = out["fired"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        assert!(
            fired.contains(&"pin-c") && fired.contains(&"oos") && fired.contains(&"buy"),
            "{fired:?}"
        );
    }

    /// The preview of `html` served at `path`, for the visitor `visitor` (JSON).
    fn preview_at(config: &str, path: &str, visitor: &str, html: &[u8]) -> Value {
        let cfg = compile_json(config).unwrap();
        let page = cfg.classify("GET", path);
        let v = doc::read_document(&doc::parse(visitor).unwrap(), VisitorSpec::read).unwrap();
        let subject = Subject {
            cfg: &cfg,
            packed: None,
            version: "v",
            page: page.as_ref(),
            query: None,
            path: Some(path),
            visitor: &v,
            now: 1_800_000_000,
        };
        preview(&subject, html)
    }

    fn pdp_preview(config: &str, html: &[u8]) -> Value {
        preview_at(config, "/products/p", "{}", html)
    }

    #[test]
    fn preview_says_which_source_gave_each_fact_and_why_none_did() {
        let config = r#"{"version":1,"site":{"pages":[{"type":"pdp","path":"/products/{product}"}],
            "pdp":{"product_data":[{"source":"json_ld"},
              {"source":"attributes","selector":"meta[property=\"product:brand\"]","brand":"content"},
              {"source":"json","selector":"script#product-json","key":"/id","category":"/type","price":"/price","price_scale":0.01},
              {"source":"text","selector":".missing","field":"category"}]}}}"#;
        let html = br#"<head><meta property="product:brand" content="Kestrel"></head>
            <script type="application/ld+json">{"@type":"Organization"}</script>
            <script id="product-json" type="application/json">{"id": 42, "type": "Boots", "price": 12999}</script>"#;
        let out = pdp_preview(config, html);
        let p = &out["product"];
        assert_eq!(p["brand"], "Kestrel");
        assert_eq!(p["key"], "42");
        assert_eq!(p["category"], "Boots");
        assert_eq!(p["price"], 129.99);
        let from = |f: &str| p["sources"][f]["from"].as_str().unwrap_or_default().to_owned();
        assert!(from("brand").starts_with("site.pdp.product_data[1]"), "{p}");
        assert!(
            from("category").starts_with("site.pdp.product_data[2] (json in script#product-json)"),
            "{p}"
        );
        // Nothing gave a price without the JSON: each source says why.
        let html = br#"<meta property="product:brand" content="Kestrel"><script type="application/ld+json">{"@type":"Organization"}</script>"#;
        let out = pdp_preview(config, html);
        let none = out["product"]["sources"]["price"]["none"].to_string();
        assert!(
            none.contains("[0] (json_ld): it matched, but held none"),
            "{none}"
        );
        assert!(
            none.contains("product:brand") && none.contains("]): it gave other facts, not this one"),
            "{none}"
        );
        assert!(
            none.contains("[2] (json in script#product-json): its selector matched nothing"),
            "{none}"
        );
    }

    #[test]
    fn a_gallery_rendered_by_script_is_reported_as_such() {
        let config = r#"{"version":1,"site":{"pages":[{"type":"pdp","path":"/products/{product}"}],
            "pdp":{"gallery":{"container":".gallery","item":".slide"}}},
            "rules":[{"id":"img","scope":{"pages":["pdp"]},"image":{"prefer":["detail"]}}]}"#;
        let html = br#"<div class="gallery" data-gallery-role="gallery-placeholder"></div>
            <script type="text/x-magento-init">{"[data-gallery-role=gallery-placeholder]":{"mage/gallery/gallery":{"data":[{"img":"/a.jpg"}],"gallery":true}}}</script>"#;
        let out = pdp_preview(config, html);
        assert_eq!(out["gallery"][0]["items"], 0, "{out}");
        let w = out["warnings"].to_string();
        assert!(
            w.contains("no gallery items to reorder (its images are in the page's script data)"),
            "{w}"
        );
        // A gallery with items in its markup gets no such warning.
        let html = br#"<div class="gallery"><div class="slide"><img src="/a.jpg"></div></div>"#;
        let out = pdp_preview(config, html);
        assert_eq!(out["gallery"][0]["items"], 1, "{out}");
        assert!(!out["warnings"].to_string().contains("no gallery items"), "{out}");
    }

    #[test]
    fn preview_types_a_page_by_its_markers() {
        let config = r#"{"version":1,"site":{"pages":[{"type":"pdp","path":"/products/{product}","marker":"body.product"},
            {"type":"plp","marker":"body.collection"}]}}"#;
        assert_eq!(pdp_preview(config, b"<body class=product>")["page"], "pdp");
        assert_eq!(pdp_preview(config, b"<body class=collection>")["page"], "plp");
        let none = pdp_preview(config, b"<body class=cms>");
        assert_eq!(none["page"], "other");
        assert!(
            none["warnings"][0]["message"]
                .as_str()
                .unwrap()
                .contains("none of them"),
            "{none}"
        );
        // A marker only on pages with markup, and a selector that parses.
        let bad = compile_json(r#"{"version":1,"site":{"pages":[{"type":"cart_add","path":"/cart","marker":"body"},{"type":"plp","marker":"body[["}]}}"#)
            .unwrap_err();
        let paths: Vec<&str> = bad.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["site.pages[0].marker", "site.pages[1].marker"], "{bad:?}");
    }

    #[test]
    fn preview_shows_tiles_as_cards_and_why_each_rule_fired_or_not() {
        let config = r#"{"version":1,"site":{"pages":[{"type":"plp","path":"/c/{category}"}],
              "plp":{"grids":[{"name":"main","container":"ul","tile":"li","key":{"attribute":"data-k"},"facts":{"brand":"data-b"}}]}},
              "rules":[{"id":"pin-b","pin":{"product":"B","position":1}},
                       {"id":"pin-z","pin":{"product":"Z","position":1}},
                       {"id":"later","schedule":{"start":"2099-01-01"},"pin":{"product":"A","position":1}},
                       {"id":"buyers","scope":{"intent":"buy"},"boost":{"match":{"brand":["x"]},"weight":1}},
                       {"id":"shoes-only","scope":{"categories":["shoes"]},"exclude":{"match":{"products":["A"]}}},
                       {"id":"try","mode":"shadow","exclude":{"match":{"products":["A"]}}}]}"#;
        let html = br#"<ul><li data-k=A data-b=x><a href="/p/a"><img src="/a.jpg" alt="Alpha"> Alpha &amp; co </a></li><li data-k=B><img data-src="/b.jpg" alt="Beta"></li></ul>"#;
        let out = preview_at(config, "/c/bags", r#"{"intent":"browse"}"#, html);
        let items = &out["grids"][0]["items"];
        assert_eq!(items[0]["name"], "Alpha & co");
        assert_eq!(items[0]["image"], "/a.jpg");
        assert_eq!(items[0]["brand"], "x");
        assert_eq!(items[1]["name"], "Beta", "the image's alt when no link text");
        assert_eq!(items[1]["image"], "/b.jpg");
        let rule = |id: &str| {
            out["rules"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == id)
                .unwrap()
                .clone()
        };
        assert_eq!(rule("pin-b")["status"], "fired", "{}", out["rules"]);
        assert_eq!(rule("pin-z")["why"], "product \"Z\" is not on this page");
        assert_eq!(rule("later")["status"], "scheduled");
        assert!(
            rule("buyers")["why"]
                .as_str()
                .unwrap()
                .starts_with("scope.intent"),
            "{}",
            rule("buyers")
        );
        assert!(rule("shoes-only")["why"]
            .as_str()
            .unwrap()
            .starts_with("scope.categories"));
        assert_eq!(rule("try")["status"], "shadow");
    }
}
