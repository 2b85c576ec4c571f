//! `POST /__vitrine/preview`: what a config would do to a page for a visitor, before it is live.
//! The order of each grid before and after, what was hidden and by which rule, the hero and the
//! first image chosen, every rule that fired and why, what shadow rules would change, and the
//! config's warnings, including selectors that match nothing on this very page.
//!
//! It runs the same engine as live traffic ([`crate::rank`] over tiles read by
//! [`crate::rewrite::plp`]), on HTML the caller supplies or the glue fetched.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::config::lint;
use crate::config::rules::{normalize_query, Device};
use crate::config::{Classified, Config, PageKind};
use crate::rank::{self, Context, Item};
use crate::rewrite::facts::with_fact_handlers;
use crate::rewrite::personalize::{personalize, Plan};
use crate::rewrite::plp::{count_matches, read_tiles};
use crate::rewrite::{run_chunked, utf8, HtmlStream, SharedSink};
use crate::signal::{ConsentBasis, Intent, ProductFacts, Signal, ID_LEN};

/// A visitor profile to preview for.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitorSpec {
    /// Brand interests: name → weight (1..255).
    #[serde(default)]
    pub brands: BTreeMap<String, u8>,
    /// Category interests: name → weight.
    #[serde(default)]
    pub categories: BTreeMap<String, u8>,
    /// `browse` or `buy`.
    #[serde(default)]
    pub intent: Option<String>,
    /// A later session.
    #[serde(default)]
    pub returning: bool,
    /// Has purchased.
    #[serde(default)]
    pub customer: bool,
    /// Country (ISO alpha-2).
    #[serde(default)]
    pub country: Option<String>,
    /// Consent given (default true).
    #[serde(default)]
    pub consent: Option<bool>,
    /// In the holdout.
    #[serde(default)]
    pub holdout: bool,
    /// Device: `mobile` or `desktop`.
    #[serde(default)]
    pub device: Option<String>,
}

impl VisitorSpec {
    /// The signal this profile stands for (`None` without consent).
    pub fn signal(&self) -> Option<Signal> {
        if self.consent == Some(false) {
            return None;
        }
        let mut s = Signal::new([0; ID_LEN], 0, ConsentBasis::Explicit);
        let set = |list: &mut Vec<crate::signal::Affinity>, map: &BTreeMap<String, u8>| {
            list.clear();
            for (name, w) in map {
                list.push(crate::signal::Affinity {
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
        if self.intent.as_deref() == Some("buy") {
            s.intent = Intent::Buy;
        }
        Some(s)
    }
}

/// Product facts of a PDP (for its category and brand context).
pub fn page_facts(cfg: &Config, html: &[u8]) -> ProductFacts {
    let (settings, probe) = with_fact_handlers(lol_html::Settings::new(), &cfg.product_sources);
    let _ = run_chunked(HtmlStream::new(settings, utf8()), html, &[64 * 1024]);
    probe.facts()
}

/// Builds the rule context for a page and visitor.
#[allow(clippy::too_many_arguments)]
pub fn context<'a>(
    page: PageKind,
    classified: Option<&Classified>,
    query: Option<&str>,
    pdp: Option<&ProductFacts>,
    signal: Option<&'a Signal>,
    consent: bool,
    country: Option<&str>,
    device: Device,
    now: u64,
    holdout: bool,
) -> Context<'a> {
    let category = classified
        .and_then(|c| c.capture("category"))
        .map(str::to_owned)
        .or_else(|| pdp.and_then(|f| f.category.clone()))
        .map(|c| c.to_lowercase());
    Context {
        page,
        category,
        brand_page: pdp.and_then(|f| f.brand.as_ref()).map(|b| b.to_lowercase()),
        query: query.map(normalize_query),
        signal,
        consent,
        country: country.map(|c| c.to_ascii_uppercase()),
        device,
        now,
        holdout,
    }
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

/// The preview document.
#[allow(clippy::too_many_arguments)]
pub fn preview(
    cfg: &Config,
    packed: Option<&crate::catalog::Packed>,
    version: &str,
    html: &[u8],
    classified: Option<&Classified>,
    query: Option<&str>,
    visitor: &VisitorSpec,
    now: u64,
) -> Value {
    let page = classified.map_or(PageKind::Plp, |c| c.kind);
    let signal = visitor.signal();
    let facts = (page == PageKind::Pdp).then(|| page_facts(cfg, html));
    let device = if visitor.device.as_deref() == Some("mobile") {
        Device::Mobile
    } else {
        Device::Desktop
    };
    let ctx = context(
        page,
        classified,
        query,
        facts.as_ref(),
        signal.as_ref(),
        signal.is_some(),
        visitor.country.as_deref(),
        device,
        now,
        visitor.holdout,
    );
    // One engine: the page goes through the very rewriter live traffic does, and "after" is read
    // back from its output.
    let plan = std::rc::Rc::new(Plan {
        packed: packed.map(|p| std::rc::Rc::new(p.clone())),
        category: ctx.category.clone(),
        brand_page: ctx.brand_page.clone(),
        query: ctx.query.clone(),
        signal: signal.clone(),
        consent: ctx.consent,
        country: ctx.country.clone(),
        device,
        now,
        holdout: visitor.holdout,
        product: classified.and_then(|c| c.capture("product")).map(str::to_owned),
        ..Plan::new(std::rc::Rc::new(cfg.clone()), page)
    });
    let sink = SharedSink::default();
    let hero_choice = plan.hero();
    let (settings, report) = personalize(
        lol_html::Settings::new(),
        &sink,
        plan.clone(),
        hero_choice.clone().map(|(h, _)| h),
    );
    let (rendered, bailed) = run_chunked(HtmlStream::with_sink(settings, utf8(), sink), html, &[64 * 1024]);
    let outcome = report.snapshot();
    let tiles = read_tiles(cfg, html);
    let tiles_after = read_tiles(cfg, &rendered);
    let lookup = crate::catalog::lookup(cfg, packed);
    let mut fired_all = outcome.fired.clone();
    let mut grids = Vec::new();
    for (g, grid) in cfg.grids.iter().enumerate() {
        let raw = tiles.get(g).cloned().unwrap_or_default();
        let items: Vec<Item> = raw
            .into_iter()
            .map(|t| {
                let key = t.key.clone();
                Item::from_catalog(&lookup, key.as_deref(), t)
            })
            .collect();
        let live = rank::rank(cfg, &items, &ctx, false);
        let shadow = rank::rank(cfg, &items, &ctx, true);
        let before: Vec<usize> = (0..items.len()).collect();
        let after: Vec<Value> = tiles_after
            .get(g)
            .map(|t| {
                t.iter()
                    .map(|t| t.key.clone().map_or(Value::Null, Value::String))
                    .collect()
            })
            .unwrap_or_default();
        grids.push(json!({
            "name": grid.name,
            "tiles": items.len(),
            "before": keys(&items, &before),
            "after": after,
            "hidden": live.hidden.iter().map(|(i, rule)| json!({"key": items.get(*i).and_then(|t| t.key.clone()), "rule": rule})).collect::<Vec<_>>(),
            "fired": live.fired,
            "outcome": outcome.regions.iter().find(|r| r.name == grid.name),
            "shadow": if shadow != live { json!({"after": keys(&items, &shadow.order), "fired": shadow.fired}) } else { Value::Null },
        }));
    }
    if let Some(b) = bailed {
        fired_all.push(rank::Fired {
            rule: "rewriter".into(),
            kind: "bail-out",
            effect: b.to_string(),
        });
    }
    let hero = hero_choice;
    if let Some((_, f)) = &hero {
        fired_all.extend(f.iter().cloned());
    }
    let image = (page == PageKind::Pdp)
        .then(|| rank::choose_image(cfg, &ctx, false))
        .flatten();
    if let Some((_, f)) = &image {
        fired_all.push(f.clone());
    }

    let mut warnings: Vec<Value> = lint::lint(cfg, now)
        .into_iter()
        .map(|p| json!({"path": p.path, "message": p.message}))
        .collect();
    let relevant: Vec<(String, String)> = lint::selectors(cfg)
        .into_iter()
        .filter(|(path, _)| match page {
            PageKind::Pdp => path.starts_with("site.pdp"),
            _ => path.starts_with("site.plp"),
        })
        .collect();
    let counts = count_matches(html, &relevant.iter().map(|(_, s)| s.clone()).collect::<Vec<_>>());
    for ((path, sel), n) in relevant.iter().zip(counts) {
        if n == 0 {
            warnings.push(
                json!({"path": path, "message": format!("selector {sel:?} matches nothing on this page")}),
            );
        }
    }

    json!({
        "version": version,
        "page": page.token(),
        "category": ctx.category,
        "visitor": {
            "consent": signal.is_some(),
            "personal": ctx.personal(),
            "intent": signal.as_ref().map(|s| s.intent),
            "returning": signal.as_ref().map(Signal::is_returning),
            "customer": signal.as_ref().map(|s| s.customer),
        },
        "grids": grids,
        "hero": hero.map(|(h, _)| json!({
            "variant": h.variant, "headline": h.headline, "sub": h.sub,
            "cta": {"text": h.cta_text, "href": h.cta_href},
            "image": {"src": h.image_src, "srcset": h.image_srcset, "alt": h.image_alt},
        })),
        "image": image.map(|(prefer, f)| json!({"prefer": prefer, "rule": f.rule, "moved_first": outcome.image})),
        "summary": outcome.summary(),
        "fired": fired_all,
        "warnings": warnings,
    })
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
        let v: VisitorSpec = serde_json::from_str(r#"{"intent":"buy","brands":{"x":50}}"#).unwrap();
        let out = preview(&cfg, None, "abc", html, page.as_ref(), None, &v, 1_800_000_000);
        let g = &out["grids"][0];
        assert_eq!(g["before"], json!(["A", "B", "C"]));
        assert_eq!(g["after"], json!(["C", "A"]));
        assert_eq!(g["hidden"], json!([{"key": "B", "rule": "oos"}]));
        assert_eq!(g["shadow"]["after"], json!(["C"]));
        assert_eq!(out["hero"]["variant"], "buy");
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
}
