//! Lint warnings: a document that compiles can still do something its author did not mean.
//! Warnings never block a push; they are shown with the push's answer, by `validate` and by
//! preview.

use std::collections::BTreeSet;

use super::rules::{Action, Rule, Scope};
use super::{Config, Problem};
use crate::product::{Product, Stock};

/// What the linter needs of the catalog (the config's own and the one pushed on its own).
pub trait Known {
    /// The product with this exact key.
    fn product(&self, key: &str) -> Option<Product>;
    /// Every product's key and category, once each.
    fn each(&self, f: &mut dyn FnMut(&str, Option<&str>));
}

/// A key the catalog has in another case (`sku-1` for `SKU-1`).
fn other_case(catalog: &dyn Known, key: &str) -> Option<String> {
    let mut found = None;
    catalog.each(&mut |k, _| {
        if found.is_none() && k.eq_ignore_ascii_case(key) {
            found = Some(k.to_owned());
        }
    });
    found
}

fn overlaps<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.is_empty() || b.is_empty() || a.iter().any(|x| b.contains(x))
}

/// Whether two scopes can both apply to one request.
fn scopes_overlap(a: &Scope, b: &Scope) -> bool {
    fn opt<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
        a.is_none() || b.is_none() || a == b
    }
    overlaps(&a.pages, &b.pages)
        && overlaps(&a.categories, &b.categories)
        && overlaps(&a.queries, &b.queries)
        && overlaps(&a.countries, &b.countries)
        && overlaps(&a.top_brand, &b.top_brand)
        && overlaps(&a.grids, &b.grids)
        && opt(&a.visitor, &b.visitor)
        && opt(&a.customer, &b.customer)
        && opt(&a.intent, &b.intent)
        && opt(&a.consent, &b.consent)
        && opt(&a.device, &b.device)
}

fn both_live(a: &Rule, b: &Rule) -> bool {
    let start = a.start.max(b.start);
    let end = match (a.end, b.end) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    match (start, end) {
        (Some(s), Some(e)) => s < e,
        _ => true,
    }
}

/// Warnings for a compiled config at time `now` (unix seconds), with the catalog when one is
/// known (products named by rules are checked against it).
pub fn lint(cfg: &Config, catalog: Option<&dyn Known>, now: u64) -> Vec<Problem> {
    let mut out = markup_warnings(cfg);
    if let Some(catalog) = catalog {
        out.extend(catalog_warnings(cfg, catalog));
    }
    for (i, a) in cfg.rules.iter().enumerate() {
        if let Some(end) = a.end.filter(|&e| e <= now) {
            out.push(Problem::new(
                format!("rules[{}].schedule.end", a.index),
                &format!(
                    "the schedule ended {} days ago: this rule never applies",
                    (now - end) / 86_400
                ),
            ));
        }
        for b in cfg.rules.iter().skip(i + 1) {
            if !(scopes_overlap(&a.scope, &b.scope) && both_live(a, b)) {
                continue;
            }
            match (&a.action, &b.action) {
                (
                    Action::Pin {
                        position: pa,
                        product: xa,
                    },
                    Action::Pin {
                        position: pb,
                        product: xb,
                    },
                ) if pa == pb => {
                    out.push(Problem::new(
                        format!("rules[{}].pin.position", b.index),
                        &format!(
                            "shares position {pb} with rule {:?} ({xa} vs {xb}); the higher priority wins, the other takes the next free slot",
                            a.id
                        ),
                    ));
                }
                (
                    Action::Weight {
                        matcher: ma,
                        weight: wa,
                    },
                    Action::Weight {
                        matcher: mb,
                        weight: wb,
                    },
                ) if ma == mb && (wa + wb).abs() < 1e-9 => {
                    out.push(Problem::new(
                        format!("rules[{}]", b.index),
                        &format!(
                            "cancels rule {:?}: a boost and a bury of the same products with the same weight",
                            a.id
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    out
}

/// Rules that need markup the site section does not name.
fn markup_warnings(cfg: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    for r in &cfg.rules {
        let Action::Hero { hero, .. } = &r.action else {
            continue;
        };
        let at = format!("rules[{}].hero", r.index);
        let Some(sel) = &cfg.hero else {
            out.push(Problem::new(
                at,
                "the site names no hero (site.plp.hero): this variant changes nothing on any page",
            ));
            continue;
        };
        for (field, wanted, selector) in [
            ("headline", hero.headline.is_some(), sel.headline.is_some()),
            ("sub", hero.sub.is_some(), sel.sub.is_some()),
            (
                "cta",
                hero.cta_text.is_some() || hero.cta_href.is_some(),
                sel.cta.is_some(),
            ),
            (
                "image",
                hero.image_src.is_some() || hero.image_srcset.is_some() || hero.image_alt.is_some(),
                sel.image.is_some(),
            ),
        ] {
            if wanted && !selector {
                out.push(Problem::new(
                    format!("{at}.{field}"),
                    &format!(
                        "site.plp.hero names no {field} selector: this part of the variant changes nothing"
                    ),
                ));
            }
        }
    }
    out
}

/// Rules naming products or categories the catalog does not have, and pins on products that
/// cannot be bought.
fn catalog_warnings(cfg: &Config, catalog: &dyn Known) -> Vec<Problem> {
    let mut out = Vec::new();
    let missing = |key: &str| -> Option<String> {
        if catalog.product(key).is_some() {
            return None;
        }
        Some(match other_case(catalog, key) {
            Some(k) => {
                format!("names product {key:?}, which the catalog has as {k:?} (keys are case-sensitive)")
            }
            None => format!("names product {key:?}, which the catalog does not have"),
        })
    };
    let mut categories: Option<BTreeSet<String>> = None;
    for r in &cfg.rules {
        let at = format!("rules[{}]", r.index);
        match &r.action {
            Action::Pin { product, .. } => {
                if let Some(m) = missing(product) {
                    out.push(Problem::new(format!("{at}.pin.product"), &m));
                } else if catalog
                    .product(product)
                    .is_some_and(|p| p.stock == Some(Stock::OutOfStock))
                {
                    out.push(Problem::new(
                        format!("{at}.pin.product"),
                        &format!("pins {product:?}, which the catalog has out of stock: shoppers see a product they cannot buy (or an in-stock guarantee hides it)"),
                    ));
                }
            }
            Action::Exclude(m) | Action::Weight { matcher: m, .. } => {
                let field = match &r.action {
                    Action::Exclude(_) => "exclude",
                    Action::Weight { weight, .. } if *weight < 0.0 => "bury",
                    _ => "boost",
                };
                for (j, key) in m.products.iter().enumerate() {
                    if let Some(msg) = missing(key) {
                        out.push(Problem::new(format!("{at}.{field}.match.products[{j}]"), &msg));
                    }
                }
            }
            _ => {}
        }
        if !r.scope.categories.is_empty() {
            let known = categories.get_or_insert_with(|| {
                let mut set = BTreeSet::new();
                catalog.each(&mut |_, category| {
                    if let Some(c) = category {
                        set.insert(c.to_lowercase());
                    }
                });
                set
            });
            if !known.is_empty() {
                for (j, c) in r.scope.categories.iter().enumerate() {
                    if !known.contains(c) {
                        out.push(Problem::new(
                            format!("{at}.scope.categories[{j}]"),
                            &format!("no product in the catalog has category {c:?}: the rule applies only where a page's URL names it"),
                        ));
                    }
                }
            }
        }
    }
    out
}

/// The selectors of a config, each with the JSON path that names it, for checking against a
/// sample page (as the rewriter runs them: a tile as found from its container).
pub fn selectors(cfg: &Config) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, g) in cfg.grids.iter().enumerate() {
        out.push((
            format!("site.plp.grids[{i}].container"),
            g.container.as_str().to_owned(),
        ));
        out.push((format!("site.plp.grids[{i}].tile"), g.tile.as_str().to_owned()));
    }
    if let Some(h) = &cfg.hero {
        out.push(("site.plp.hero.container".into(), h.container.as_str().to_owned()));
        for (f, s) in [
            ("headline", &h.headline),
            ("sub", &h.sub),
            ("cta", &h.cta),
            ("image", &h.image),
        ] {
            if let Some(s) = s {
                out.push((format!("site.plp.hero.{f}"), s.as_str().to_owned()));
            }
        }
    }
    if let Some(g) = &cfg.gallery {
        out.push(("site.pdp.gallery".into(), g.main.item.as_str().to_owned()));
        if let Some(t) = &g.thumbnails {
            out.push(("site.pdp.gallery.thumbnails".into(), t.item.as_str().to_owned()));
        }
    }
    out
}
