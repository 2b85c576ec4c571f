//! Lint warnings: a document that compiles can still do something its author did not mean.
//! Warnings never block a push; they are shown with the push's answer, by `validate` and by
//! preview.

use super::rules::{Action, Rule, Scope};
use super::{Config, Problem};

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

/// Warnings for a compiled config at time `now` (unix seconds).
pub fn lint(cfg: &Config, now: u64) -> Vec<Problem> {
    let mut out = Vec::new();
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
