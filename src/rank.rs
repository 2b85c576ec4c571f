//! Orders products within the merchandiser's rules, and picks the hero variant and the PDP first
//! image. Pure and deterministic: the same config, context and items give the same answer; ties
//! keep the origin's order.
//!
//! The score of an item is `prior + strength * affinity + Σ boost/bury weights`, where `prior`
//! (1 for the origin's first item down to 0 for its last) keeps the merchandiser's own order as
//! the baseline, `affinity` (0..1) is what the visitor's signal says about the item, and
//! `strength` (config, 0..1) bounds how far affinity may move an item: at 0.5, an item the visitor
//! loves can climb at most half the listing. Then exclusions and guarantees hide items, and pins
//! put items at their slots; a pinned item that is hidden leaves no hole: the next item fills it.
//!
//! "Personal" rules (scoped to visitor segments) and affinity only apply when there is a signal
//! (consent) and the visitor is not in the holdout. Everything else is non-personal merchandising
//! and always applies.

use serde::Serialize;

use crate::config::rules::{Action, CustomerSeg, Device, Hero, Matcher, Mode, Rule, Scope, VisitorSeg};
use crate::config::{Config, PageKind};
pub use crate::product::Item;
use crate::product::Stock;
use crate::signal::{key_hash, price_band, Signal};

/// Who and where: everything a rule's scope can test.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// Page type.
    pub page: PageKind,
    /// Lowercase category of the page (PLP) or product (PDP).
    pub category: Option<String>,
    /// Lowercase brand whose page this is (a PDP's brand), for brand separation.
    pub brand_page: Option<String>,
    /// Normalized search query.
    pub query: Option<String>,
    /// The visitor's signal (None without consent).
    pub signal: Option<&'a Signal>,
    /// Whether the visitor gave consent.
    pub consent: bool,
    /// Upper-case country.
    pub country: Option<String>,
    /// Device class.
    pub device: Device,
    /// Unix seconds.
    pub now: u64,
    /// Whether this visitor is in the holdout.
    pub holdout: bool,
    /// The name of the grid being ranked (`None`: not a page's grid: a JSON listing, search).
    pub grid: Option<String>,
    /// Rules this visitor's experiment arms turn off (rule-level tests).
    pub off: Vec<String>,
}

impl Context<'_> {
    /// Whether personal rules and affinity apply.
    pub fn personal(&self) -> bool {
        self.signal.is_some() && !self.holdout
    }
}

/// Whether a visitor id falls in the holdout share: the global holdout experiment's control arm
/// (a keyed hash of the id, stable per visitor; see [`crate::experiment`]).
pub fn in_holdout(visitor_id: &[u8], share: f64) -> bool {
    share > 0.0
        && crate::experiment::within(
            crate::experiment::bucket(visitor_id, crate::experiment::HOLDOUT),
            share,
        )
}

/// The rules a visitor's arms turn off: those of rule-level tests they are in the "off" arm of.
pub fn rules_off(cfg: &Config, visitor_id: Option<&[u8]>) -> Vec<String> {
    cfg.experiments
        .iter()
        .filter(|t| {
            visitor_id
                .is_none_or(|id| !crate::experiment::within(crate::experiment::bucket(id, &t.salt), t.share))
        })
        .map(|t| t.rule.clone())
        .collect()
}

/// Every experiment's arm for this visitor, as events carry them.
pub fn arms(cfg: &Config, visitor_id: &[u8]) -> std::collections::BTreeMap<String, &'static str> {
    let mut arms = std::collections::BTreeMap::new();
    if cfg.holdout > 0.0 {
        let control = in_holdout(visitor_id, cfg.holdout);
        arms.insert(
            crate::experiment::HOLDOUT.to_owned(),
            if control { "control" } else { "treatment" },
        );
    }
    for t in &cfg.experiments {
        let on = crate::experiment::within(crate::experiment::bucket(visitor_id, &t.salt), t.share);
        arms.insert(t.id.clone(), if on { "on" } else { "off" });
    }
    if let Some(c) = &cfg.canary {
        arms.insert(
            "canary".to_owned(),
            if c.serves(visitor_id) { "canary" } else { "live" },
        );
    }
    arms
}

/// Device class from a user agent.
pub fn device_of(user_agent: Option<&str>) -> Device {
    let ua = user_agent.unwrap_or_default();
    if ["Mobi", "Android", "iPhone", "iPod"]
        .iter()
        .any(|t| ua.contains(t))
    {
        Device::Mobile
    } else {
        Device::Desktop
    }
}

/// Why a rule did what it did, for previews, logs and exposure events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fired {
    /// Rule id (or `affinity` for personalization).
    pub rule: String,
    /// What kind of rule.
    pub kind: &'static str,
    /// What it did, in words.
    pub effect: String,
}

/// A ranking: the order of visible items (indices into the input) and what was hidden.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Ranking {
    /// Visible items, in the new order.
    pub order: Vec<usize>,
    /// Hidden items and the rule that hid each.
    pub hidden: Vec<(usize, String)>,
    /// Rules that changed something.
    pub fired: Vec<Fired>,
}

impl Ranking {
    /// Whether the order or the set differs from the origin's.
    pub fn changed(&self, n: usize) -> bool {
        !self.hidden.is_empty()
            || self.order.len() != n
            || self.order.iter().enumerate().any(|(i, &o)| i != o)
    }
}

fn personal_scope(s: &Scope) -> bool {
    s.visitor.is_some() || s.customer.is_some() || s.intent.is_some() || !s.top_brand.is_empty()
}

/// Whether a rule applies to this request (scope and schedule; mode is the caller's business).
pub fn applies(rule: &Rule, ctx: &Context<'_>) -> bool {
    why_not(rule, ctx).is_none()
}

/// Why a rule does not apply to this request, in words (`None`: it applies). The one scope test:
/// live ranking and preview's explanations both come here.
pub fn why_not(rule: &Rule, ctx: &Context<'_>) -> Option<&'static str> {
    let s = &rule.scope;
    if ctx.off.contains(&rule.id) {
        return Some("experiment: this visitor is in the arm without this rule");
    }
    // The holdout's control arm: the origin's order, hero and image; the rails (stock,
    // exclusions, brand separation, a locked hero line) still hold.
    if ctx.holdout && !(rule.action.is_guarantee() || matches!(rule.action, Action::Exclude(_))) {
        return Some("holdout: this visitor is in the control arm (rails only)");
    }
    if !rule.live_at(ctx.now) {
        return Some(if rule.start.is_some_and(|t| ctx.now < t) {
            "scheduled: not started yet"
        } else {
            "expired: its schedule has ended"
        });
    }
    if personal_scope(s) && !ctx.personal() && !rule.action.is_guarantee() {
        return Some("segment rule: this visitor has no consent or is in the holdout");
    }
    let in_list =
        |list: &[String], v: &Option<String>| list.is_empty() || v.as_ref().is_some_and(|v| list.contains(v));
    let misses: [(bool, &'static str); 7] = [
        (
            !(s.pages.is_empty() || s.pages.contains(&ctx.page)),
            "scope.pages: not this page type",
        ),
        (!in_list(&s.grids, &ctx.grid), "scope.grids: not this grid"),
        (
            !in_list(&s.categories, &ctx.category),
            "scope.categories: not this category",
        ),
        (!in_list(&s.queries, &ctx.query), "scope.queries: not this search"),
        (
            !in_list(&s.countries, &ctx.country),
            "scope.countries: not this country",
        ),
        (
            s.consent.is_some_and(|c| c != ctx.consent),
            "scope.consent: not this consent",
        ),
        (
            s.device.is_some_and(|d| d != ctx.device),
            "scope.device: not this device",
        ),
    ];
    if let Some((_, why)) = misses.iter().find(|(miss, _)| *miss) {
        return Some(why);
    }
    if personal_scope(s) {
        let Some(sig) = ctx.signal else {
            return Some("segment rule: no visitor signal");
        };
        if s.visitor
            .is_some_and(|v| (v == VisitorSeg::Returning) != sig.is_returning())
        {
            return Some("scope.visitor: not this visitor (new/returning)");
        }
        if s.customer
            .is_some_and(|c| (c == CustomerSeg::Customer) != sig.customer)
        {
            return Some("scope.customer: not this visitor (prospect/customer)");
        }
        if s.intent.is_some_and(|i| i != sig.intent) {
            return Some("scope.intent: not this visitor's intent");
        }
        if !s.top_brand.is_empty() {
            let top = sig.brands.first().map(|a| a.hash);
            if !s
                .top_brand
                .iter()
                .any(|b| Some(crate::signal::name_hash(b)) == top)
            {
                return Some("scope.top_brand: not this visitor's top brand");
            }
        }
    }
    None
}

/// Whether a matcher matches an item.
pub fn matches(m: &Matcher, item: &Item) -> bool {
    fn one<T: PartialEq>(list: &[T], v: &Option<T>) -> bool {
        list.is_empty() || v.as_ref().is_some_and(|v| list.contains(v))
    }
    (m.products.is_empty() || item.key.as_ref().is_some_and(|k| m.products.contains(k)))
        && one(&m.brand, &item.brand)
        && one(&m.category, &item.category)
        && one(&m.stock, &item.stock)
        && (m.tag.is_empty() || item.tags.iter().any(|t| m.tag.contains(t)))
        && m.price
            .is_none_or(|(lo, hi)| item.price.is_some_and(|p| p >= lo && p <= hi))
}

/// What the visitor's signal says about an item, 0..=1. Interests count relative to the visitor's
/// strongest (their top brand counts fully however few views it took), so a new visitor's first
/// clear interest already shows.
pub fn affinity(signal: &Signal, item: &Item) -> f64 {
    let rel = |x: u8, top: Option<u8>| {
        top.filter(|&t| t > 0)
            .map_or(0.0, |t| f64::from(x) / f64::from(t))
    };
    let top_brand = signal.brands.first().map(|a| a.weight);
    let top_cat = signal.categories.first().map(|a| a.weight);
    let brand = item
        .brand
        .as_deref()
        .map_or(0.0, |b| rel(signal.brand_weight(b), top_brand));
    let cat = item
        .category
        .as_deref()
        .map_or(0.0, |c| rel(signal.category_weight(c), top_cat));
    let recent = item
        .key
        .as_deref()
        .is_some_and(|k| signal.recent.contains(&key_hash(k)));
    let band = signal.price_band();
    let price = item.price.is_some_and(|p| band > 0 && price_band(p) == band);
    0.5 * brand + 0.3 * cat + if recent { 0.1 } else { 0.0 } + if price { 0.1 } else { 0.0 }
}

fn active<'c>(cfg: &'c Config, ctx: &Context<'_>, shadow: bool) -> Vec<&'c Rule> {
    let mut rules: Vec<&Rule> = cfg
        .rules
        .iter()
        .filter(|r| r.mode == Mode::Enforce || shadow)
        .filter(|r| applies(r, ctx))
        .collect();
    rules.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.index.cmp(&b.index)));
    rules
}

/// Orders `items` (in the origin's order) for this context. With `shadow`, rules in shadow mode
/// count as enforced (what the candidate behaviour would serve).
pub fn rank(cfg: &Config, items: &[Item], ctx: &Context<'_>, shadow: bool) -> Ranking {
    let rules = active(cfg, ctx, shadow);
    let mut fired = Vec::new();
    let hidden = hide(&rules, items, ctx, &mut fired);
    let order = score(cfg, &rules, items, &hidden, ctx, &mut fired);
    let order = pin(&rules, items, &hidden, order, &mut fired);
    Ranking {
        order,
        hidden: hidden
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.map(|id| (i, id.to_owned())))
            .collect(),
        fired,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Exclusions and guarantees: which items are hidden, and by which rule.
fn hide<'r>(
    rules: &[&'r Rule],
    items: &[Item],
    ctx: &Context<'_>,
    fired: &mut Vec<Fired>,
) -> Vec<Option<&'r str>> {
    let mut hidden = vec![None::<&str>; items.len()];
    for r in rules {
        let mut count = 0;
        for (item, slot) in items.iter().zip(hidden.iter_mut()) {
            if slot.is_some() {
                continue;
            }
            let hide = match &r.action {
                Action::Exclude(m) => matches(m, item),
                Action::InStockOnly => item.stock == Some(Stock::OutOfStock),
                Action::BrandSeparation { brand, on_brand } => {
                    ctx.brand_page.as_deref() == Some(on_brand.as_str())
                        && item.brand.as_deref() == Some(brand.as_str())
                }
                _ => false,
            };
            if hide {
                *slot = Some(&r.id);
                count += 1;
            }
        }
        if count > 0 {
            fired.push(Fired {
                rule: r.id.clone(),
                kind: r.action.kind(),
                effect: format!("hid {count} product{}", plural(count)),
            });
        }
    }
    hidden
}

/// The visible items by score (origin position as the prior, affinity within the strength, boosts
/// and buries); ties keep the origin's order.
fn score(
    cfg: &Config,
    rules: &[&Rule],
    items: &[Item],
    hidden: &[Option<&str>],
    ctx: &Context<'_>,
    fired: &mut Vec<Fired>,
) -> Vec<usize> {
    let n = items.len();
    let strength = if ctx.personal() { cfg.strength } else { 0.0 };
    let mut scored: Vec<(usize, f64)> = Vec::with_capacity(n);
    let mut boosted: Vec<(usize, usize)> = Vec::new(); // (rule position in `rules`, count)
    for (i, (item, h)) in items.iter().zip(hidden).enumerate() {
        if h.is_some() {
            continue;
        }
        let prior = if n > 1 {
            1.0 - i as f64 / (n - 1) as f64
        } else {
            1.0
        };
        let mut score = prior;
        if let (Some(sig), true) = (ctx.signal, strength > 0.0) {
            score += strength * affinity(sig, item);
        }
        for (ri, r) in rules.iter().enumerate() {
            if let Action::Weight { matcher, weight } = &r.action {
                if matches(matcher, item) {
                    score += weight;
                    match boosted.iter_mut().find(|(x, _)| *x == ri) {
                        Some((_, c)) => *c += 1,
                        None => boosted.push((ri, 1)),
                    }
                }
            }
        }
        scored.push((i, score));
    }
    for (ri, count) in boosted {
        if let Some(r) = rules.get(ri) {
            fired.push(Fired {
                rule: r.id.clone(),
                kind: r.action.kind(),
                effect: format!("moved {count} product{}", plural(count)),
            });
        }
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let order: Vec<usize> = scored.iter().map(|(i, _)| *i).collect();
    if strength > 0.0 && order.iter().zip(order.iter().skip(1)).any(|(a, b)| a > b) {
        fired.push(Fired {
            rule: "affinity".into(),
            kind: "personalization",
            effect: format!("reordered by the visitor's interests (strength {strength})"),
        });
    }
    order
}

/// Pins, highest priority first; collisions take the next free slot; a pinned item that is hidden
/// or not on this page leaves no hole.
fn pin(
    rules: &[&Rule],
    items: &[Item],
    hidden: &[Option<&str>],
    mut order: Vec<usize>,
    fired: &mut Vec<Fired>,
) -> Vec<usize> {
    let mut pinned: Vec<(usize, usize)> = Vec::new(); // (slot, item)
    for r in rules {
        let Action::Pin { product, position } = &r.action else {
            continue;
        };
        let Some(idx) = items
            .iter()
            .position(|it| it.key.as_deref() == Some(product.as_str()))
        else {
            continue; // not on this page: pagination-aware, never pulled in from elsewhere
        };
        if hidden.get(idx).is_some_and(Option::is_some) || pinned.iter().any(|(_, i)| *i == idx) {
            continue; // a hidden pinned item leaves no hole
        }
        let mut slot = position.saturating_sub(1);
        while pinned.iter().any(|(s, _)| *s == slot) {
            slot += 1;
        }
        pinned.push((slot, idx));
        fired.push(Fired {
            rule: r.id.clone(),
            kind: "pin",
            effect: format!("{product} at position {}", slot + 1),
        });
    }
    if !pinned.is_empty() {
        order.retain(|i| !pinned.iter().any(|(_, p)| p == i));
        pinned.sort();
        for (slot, idx) in pinned {
            let at = slot.min(order.len());
            order.insert(at, idx);
        }
    }
    order
}

/// Whether a listing or a gallery on this page could come out different from the origin's: a
/// rule that may apply here (by page, schedule and visitor; a category scope counts as possible
/// while the page's category is not known yet, as on a product page before its facts streamed
/// past), or affinity for a visitor personalization applies to. `false` means the page's grids and
/// gallery pass as they are, so the page need not be rewritten for them.
pub fn may_reorder(cfg: &Config, ctx: &Context<'_>, category_known: bool) -> bool {
    if ctx.personal() && cfg.strength > 0.0 {
        return true;
    }
    cfg.rules.iter().filter(|r| r.mode == Mode::Enforce).any(|r| {
        let reorders = matches!(
            r.action,
            Action::Pin { .. }
                | Action::Weight { .. }
                | Action::Exclude(_)
                | Action::InStockOnly
                | Action::BrandSeparation { .. }
                | Action::Image(_)
        );
        let mut here = ctx.clone();
        if !category_known {
            here.category = r.scope.categories.first().cloned();
        }
        // Before the page streams, any of its grids may be the rule's.
        if here.grid.is_none() {
            here.grid = r.scope.grids.first().cloned();
        }
        reorders && applies(r, &here)
    })
}

/// What shadow rules would change on one listing: the live ranking and the ranking with shadow
/// rules enforced. The one comparison, used by live traffic (shadow events) and previews.
#[derive(Debug, Clone, PartialEq)]
pub struct ShadowDiff {
    /// What is served.
    pub live: Ranking,
    /// What would be served with the shadow rules enforced.
    pub shadow: Ranking,
}

impl ShadowDiff {
    /// Ranks `items` both ways.
    pub fn of(cfg: &Config, items: &[Item], ctx: &Context<'_>) -> ShadowDiff {
        ShadowDiff {
            live: rank(cfg, items, ctx, false),
            shadow: rank(cfg, items, ctx, true),
        }
    }

    /// Whether enforcing the shadow rules would change what the shopper sees.
    pub fn changes(&self) -> bool {
        self.live.order != self.shadow.order || self.live.hidden != self.shadow.hidden
    }

    /// The rules that fired only in the shadow ranking.
    pub fn rules(&self) -> Vec<&str> {
        self.shadow
            .fired
            .iter()
            .filter(|f| !self.live.fired.contains(f))
            .map(|f| f.rule.as_str())
            .collect()
    }
}

/// The hero to show: the highest-priority variant in scope, with locked (guarantee) heroes
/// applied over it field by field. `None` keeps the origin's hero.
pub fn choose_hero(cfg: &Config, ctx: &Context<'_>, shadow: bool) -> Option<(Hero, Vec<Fired>)> {
    let rules = active(cfg, ctx, shadow);
    let mut fired = Vec::new();
    let mut chosen: Option<Hero> = None;
    for r in &rules {
        if let Action::Hero { hero, locked: false } = &r.action {
            chosen = Some(hero.clone());
            fired.push(Fired {
                rule: r.id.clone(),
                kind: "hero",
                effect: format!("hero variant {:?}", hero.variant),
            });
            break;
        }
    }
    for r in &rules {
        if let Action::Hero { hero, locked: true } = &r.action {
            let base = chosen.get_or_insert_with(|| Hero {
                variant: hero.variant.clone(),
                ..Hero::default()
            });
            macro_rules! over {
                ($($f:ident),*) => { $( if hero.$f.is_some() { base.$f = hero.$f.clone(); } )* };
            }
            over!(
                headline,
                sub,
                cta_text,
                cta_href,
                image_src,
                image_srcset,
                image_alt
            );
            fired.push(Fired {
                rule: r.id.clone(),
                kind: "hero_guarantee",
                effect: "locked copy applied".into(),
            });
        }
    }
    chosen.map(|h| (h, fired))
}

/// The PDP first-image preference (roles in order) and the rule that set it.
pub fn choose_image(cfg: &Config, ctx: &Context<'_>, shadow: bool) -> Option<(Vec<String>, Fired)> {
    active(cfg, ctx, shadow)
        .into_iter()
        .find_map(|r| match &r.action {
            Action::Image(prefer) => Some((
                prefer.clone(),
                Fired {
                    rule: r.id.clone(),
                    kind: "image",
                    effect: format!("prefer {}", prefer.join(" > ")),
                },
            )),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::compile_json;
    use crate::signal::{ConsentBasis, Event, ProductFacts, ID_LEN};

    fn item(key: &str, brand: &str, stock: &str) -> Item {
        Item {
            key: Some(key.into()),
            brand: Some(brand.to_lowercase()),
            category: Some("shoes".into()),
            tags: vec![],
            price: Some(50.0),
            stock: Stock::parse(stock),
        }
    }

    fn items() -> Vec<Item> {
        vec![
            item("A", "Alder", "in_stock"),
            item("B", "Kestrel", "in_stock"),
            item("C", "Alder", "out_of_stock"),
            item("D", "Sable", "in_stock"),
            item("E", "Kestrel", "low_stock"),
            item("F", "Umbra", "in_stock"),
        ]
    }

    fn cfg(rules: &str) -> Config {
        compile_json(&format!(
            r#"{{"version":1,"personalization":{{"strength":0.5}},"rules":{rules}}}"#
        ))
        .unwrap_or_else(|p| panic!("{p:?}"))
    }

    fn cfg_with_strength(strength: f64) -> Config {
        compile_json(&format!(
            r#"{{"version":1,"personalization":{{"strength":{strength}}}}}"#
        ))
        .unwrap()
    }

    fn ctx(signal: Option<&Signal>) -> Context<'_> {
        Context {
            page: PageKind::Plp,
            category: Some("shoes".into()),
            brand_page: None,
            query: None,
            signal,
            consent: signal.is_some(),
            country: Some("US".into()),
            device: Device::Desktop,
            now: 1_800_000_000,
            holdout: false,
            grid: None,
            off: Vec::new(),
        }
    }

    fn keys(r: &Ranking, items: &[Item]) -> String {
        r.order.iter().map(|&i| items[i].key.clone().unwrap()).collect()
    }

    fn fan_of(brand: &str) -> Signal {
        let mut s = Signal::new([1; ID_LEN], 0, ConsentBasis::Default);
        for _ in 0..3 {
            s.learn(&Event::PdpView {
                product: ProductFacts {
                    brand: Some(brand.into()),
                    ..Default::default()
                },
            });
        }
        s
    }

    #[test]
    fn no_rules_no_signal_keeps_the_origin_order() {
        let c = cfg("[]");
        let r = rank(&c, &items(), &ctx(None), false);
        assert_eq!(keys(&r, &items()), "ABCDEF");
        assert!(!r.changed(6));
    }

    #[test]
    fn affinity_raises_the_visitors_brand_within_the_strength() {
        let c = cfg("[]");
        let s = fan_of("Umbra");
        let r = rank(&c, &items(), &ctx(Some(&s)), false);
        // F (prior 0) gains 0.5 strength x 0.5 brand affinity = 0.25: past E (0.2), not D (0.4).
        assert_eq!(
            keys(&r, &items()),
            "ABCDFE",
            "Umbra climbs, bounded by strength 0.5"
        );
        let strong = cfg_with_strength(1.0);
        assert_eq!(
            keys(&rank(&strong, &items(), &ctx(Some(&s)), false), &items()),
            "ABCFDE"
        );
        assert!(r.fired.iter().any(|f| f.rule == "affinity"));
        // Deterministic.
        assert_eq!(rank(&c, &items(), &ctx(Some(&s)), false), r);
        // Holdout and no-consent visitors get the origin order.
        let mut held = ctx(Some(&s));
        held.holdout = true;
        assert_eq!(keys(&rank(&c, &items(), &held, false), &items()), "ABCDEF");
    }

    #[test]
    fn pin_with_gap_filling() {
        let c = cfg(
            r#"[{"id":"p1","pin":{"product":"E","position":1}},{"id":"p2","pin":{"product":"C","position":2}},
                        {"id":"stock","guarantee":{"in_stock_only":true}}]"#,
        );
        let r = rank(&c, &items(), &ctx(None), false);
        // C is out of stock: hidden by the guarantee, its pin leaves no hole.
        assert_eq!(keys(&r, &items()), "EABDF");
        assert_eq!(r.hidden, vec![(2, "stock".to_owned())]);
        assert!(r
            .fired
            .iter()
            .any(|f| f.rule == "p1" && f.effect == "E at position 1"));
        assert!(!r.fired.iter().any(|f| f.rule == "p2"));
    }

    #[test]
    fn two_pins_on_one_slot_the_higher_priority_wins() {
        let c = cfg(r#"[{"id":"low","priority":1,"pin":{"product":"F","position":1}},
                        {"id":"high","priority":5,"pin":{"product":"D","position":1}}]"#);
        let r = rank(&c, &items(), &ctx(None), false);
        assert_eq!(keys(&r, &items()), "DFABCE");
    }

    #[test]
    fn a_pin_for_a_product_not_on_the_page_is_ignored() {
        let c = cfg(r#"[{"id":"p","pin":{"product":"ZZZ","position":1}}]"#);
        assert_eq!(keys(&rank(&c, &items(), &ctx(None), false), &items()), "ABCDEF");
    }

    #[test]
    fn boost_and_bury() {
        let c = cfg(r#"[{"id":"b","boost":{"match":{"brand":["Sable"]},"weight":2}},
                        {"id":"d","bury":{"match":{"stock":["low_stock","out_of_stock"]},"weight":2}}]"#);
        let r = rank(&c, &items(), &ctx(None), false);
        assert_eq!(keys(&r, &items()), "DABFCE");
        assert!(r
            .fired
            .iter()
            .any(|f| f.rule == "d" && f.effect == "moved 2 products"));
    }

    #[test]
    fn exclude_by_attribute_and_by_id() {
        let c = cfg(
            r#"[{"id":"x","exclude":{"match":{"brand":["Kestrel"]}}},{"id":"y","exclude":{"match":{"products":["F"]}}}]"#,
        );
        let r = rank(&c, &items(), &ctx(None), false);
        assert_eq!(keys(&r, &items()), "ACD");
        assert_eq!(r.hidden.len(), 3);
    }

    #[test]
    fn brand_separation_only_on_that_brands_pages() {
        let c = cfg(r#"[{"id":"sep","guarantee":{"brand":"Umbra","never_on_brand":"Sable"}}]"#);
        let mut on_sable = ctx(None);
        on_sable.brand_page = Some("sable".into());
        assert_eq!(keys(&rank(&c, &items(), &on_sable, false), &items()), "ABCDE");
        assert_eq!(keys(&rank(&c, &items(), &ctx(None), false), &items()), "ABCDEF");
    }

    #[test]
    fn guarantees_hold_even_against_boosts_and_for_the_holdout() {
        let c = cfg(
            r#"[{"id":"b","boost":{"match":{"products":["C"]},"weight":10}},{"id":"g","guarantee":{"in_stock_only":true}}]"#,
        );
        let mut held = ctx(None);
        held.holdout = true;
        assert!(!keys(&rank(&c, &items(), &held, false), &items()).contains('C'));
    }

    #[test]
    fn the_holdouts_control_arm_gets_the_origins_order_and_keeps_the_rails() {
        let c = cfg(r#"[{"id":"pin-f","pin":{"product":"F","position":1}},
               {"id":"boost-d","boost":{"match":{"products":["D"]},"weight":5}},
               {"id":"no-b","exclude":{"match":{"products":["B"]}}},
               {"id":"g","guarantee":{"in_stock_only":true}},
               {"id":"sep","guarantee":{"brand":"Umbra","never_on_brand":"Alder"}},
               {"id":"hero","hero":{"variant":"v","headline":"Hi"}},
               {"id":"img","image":{"prefer":["detail"]}}]"#);
        assert_eq!(keys(&rank(&c, &items(), &ctx(None), false), &items()), "FDAE");
        let mut held = ctx(None);
        held.holdout = true;
        // Pins and boosts off; the exclusion and the stock rail hold.
        assert_eq!(keys(&rank(&c, &items(), &held, false), &items()), "ADEF");
        held.brand_page = Some("alder".into());
        assert!(
            !keys(&rank(&c, &items(), &held, false), &items()).contains('F'),
            "brand separation holds"
        );
        assert!(choose_hero(&c, &held, false).is_none(), "the page's own hero");
        assert!(
            choose_image(&c, &held, false).is_none(),
            "the origin's first image"
        );
    }

    #[test]
    fn a_rule_level_test_turns_its_rule_on_for_its_share_of_visitors() {
        let c = crate::config::compile_json(
            r#"{"version":1,"rules":[{"id":"pin-f","pin":{"product":"F","position":1}}],
               "experiments":[{"id":"pin-test","rule":"pin-f","share":0.5}]}"#,
        )
        .unwrap();
        let (mut on, mut off) = (0, 0);
        for i in 0u32..400 {
            let mut id = [0u8; 12];
            id[..4].copy_from_slice(&i.to_be_bytes());
            let mut x = ctx(None);
            x.off = rules_off(&c, Some(&id));
            let first = keys(&rank(&c, &items(), &x, false), &items()).starts_with('F');
            let arm = arms(&c, &id)["pin-test"];
            assert_eq!(first, arm == "on", "the arm says what the visitor sees");
            if first {
                on += 1
            } else {
                off += 1
            }
        }
        assert!((160..240).contains(&on) && on + off == 400, "{on} on, {off} off");
        // No id (no consent, a bot): not in the test, the rule off.
        assert_eq!(rules_off(&c, None), ["pin-f"]);
        let bad = crate::config::compile_json(
            r#"{"version":1,"experiments":[{"id":"holdout","rule":"x","share":2}]}"#,
        )
        .unwrap_err();
        let paths: Vec<&str> = bad.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            ["experiments[0].id", "experiments[0].rule", "experiments[0].share"]
        );
    }

    #[test]
    fn scopes_schedules_and_segments() {
        let c = cfg(r#"[
          {"id":"bags-only","scope":{"categories":["bags"]},"exclude":{"match":{"products":["A"]}}},
          {"id":"ended","schedule":{"end":"2020-01-01"},"exclude":{"match":{"products":["B"]}}},
          {"id":"future","schedule":{"start":"2099-01-01"},"exclude":{"match":{"products":["D"]}}},
          {"id":"buyers","scope":{"intent":"buy"},"exclude":{"match":{"products":["F"]}}},
          {"id":"uk","scope":{"countries":["GB"]},"exclude":{"match":{"products":["E"]}}}
        ]"#);
        assert_eq!(keys(&rank(&c, &items(), &ctx(None), false), &items()), "ABCDEF");
        let mut buyer = fan_of("Alder");
        buyer.learn(&Event::AddToCart {
            product: ProductFacts::default(),
        });
        let r = rank(&c, &items(), &ctx(Some(&buyer)), false);
        assert!(
            !keys(&r, &items()).contains('F'),
            "a buy-intent rule applies to a buyer"
        );
        // Without consent (no signal) the segment rule cannot apply.
        assert!(keys(&rank(&c, &items(), &ctx(None), false), &items()).contains('F'));
    }

    #[test]
    fn shadow_rules_are_evaluated_only_when_asked() {
        let c = cfg(r#"[{"id":"s","mode":"shadow","pin":{"product":"F","position":1}}]"#);
        assert_eq!(keys(&rank(&c, &items(), &ctx(None), false), &items()), "ABCDEF");
        assert_eq!(keys(&rank(&c, &items(), &ctx(None), true), &items()), "FABCDE");
    }

    #[test]
    fn hero_variants_by_intent_with_a_locked_members_line() {
        let c = cfg(r#"[
          {"id":"browse","priority":1,"scope":{"pages":["plp"],"intent":"browse"},"hero":{"variant":"browse","headline":"Look around"}},
          {"id":"buy","priority":1,"scope":{"pages":["plp"],"intent":"buy"},"hero":{"variant":"buy","headline":"Ready when you are","cta":{"text":"Checkout","href":"/cart"}}},
          {"id":"members","scope":{"customer":"customer"},"guarantee":{"hero":{"sub":"Members ship free"}}}
        ]"#);
        assert_eq!(
            choose_hero(&c, &ctx(None), false),
            None,
            "no signal: the origin hero stays"
        );
        let mut s = fan_of("Alder");
        assert_eq!(
            choose_hero(&c, &ctx(Some(&s)), false).unwrap().0.variant,
            "browse"
        );
        s.learn(&Event::AddToCart {
            product: ProductFacts::default(),
        });
        let (h, fired) = choose_hero(&c, &ctx(Some(&s)), false).unwrap();
        assert_eq!(
            (h.variant.as_str(), h.headline.as_deref(), h.sub),
            ("buy", Some("Ready when you are"), None)
        );
        assert_eq!(fired[0].rule, "buy");
        s.learn(&Event::CheckoutComplete {
            revenue: None,
            items: None,
        });
        let (h, fired) = choose_hero(&c, &ctx(Some(&s)), false).unwrap();
        assert_eq!(
            (h.variant.as_str(), h.sub.as_deref()),
            ("browse", Some("Members ship free")),
            "after checkout: browsing again, with the members' line"
        );
        assert_eq!(
            fired.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(),
            vec!["browse", "members"]
        );
    }

    #[test]
    fn image_policy_by_segment_and_category() {
        let c = cfg(r#"[
          {"id":"new","scope":{"pages":["pdp"],"visitor":"new"},"image":{"prefer":["lifestyle"]}},
          {"id":"ret","scope":{"pages":["pdp"],"visitor":"returning","categories":["shoes"]},"image":{"prefer":["detail","packshot"]}}
        ]"#);
        let mut s = fan_of("Alder");
        let mut pdp = ctx(Some(&s));
        pdp.page = PageKind::Pdp;
        assert_eq!(choose_image(&c, &pdp, false).unwrap().0, vec!["lifestyle"]);
        s.visit(24 * 60 * 3);
        let mut pdp = ctx(Some(&s));
        pdp.page = PageKind::Pdp;
        assert_eq!(
            choose_image(&c, &pdp, false).unwrap().0,
            vec!["detail", "packshot"]
        );
        assert_eq!(choose_image(&c, &ctx(None), false), None);
    }

    #[test]
    fn holdout_is_stable_and_roughly_the_share() {
        let n = (0..10_000u32)
            .filter(|i| in_holdout(&i.to_be_bytes(), 0.1))
            .count();
        assert!((800..1200).contains(&n), "{n}");
        assert!(!in_holdout(b"x", 0.0));
        assert_eq!(in_holdout(b"abc", 0.3), in_holdout(b"abc", 0.3));
    }
}
