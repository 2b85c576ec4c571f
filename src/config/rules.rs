//! Merchandising rules: the rails personalization drives within.
//!
//! Each rule has an id, a scope (where and for whom it applies), an optional schedule, a priority,
//! a mode (`enforce` or `shadow`) and exactly one action: `pin`, `boost`, `bury`, `exclude`,
//! `guarantee` (rules no model can override: in-stock only, brand separation, locked hero copy),
//! `hero` (a hero variant) or `image` (the PDP first-image policy).
//!
//! This module owns the rules' wire format and validation. Applying them is [`crate::rank`]'s.

use super::{url, PageKind, Problem};
use crate::doc::{Obj, Problems};
use crate::product::Stock;
use crate::signal::Intent;

/// Most rules in one document.
pub const MAX_RULES: usize = 500;

/// A rule as written.
#[derive(Debug)]
pub struct RawRule {
    /// Unique id, shown in previews, exposure events and `x-vitrine`.
    pub id: String,
    /// Higher wins when rules compete (two pins on a slot, two hero variants). Default 0.
    pub priority: i32,
    /// `enforce` (default: the document's mode) or `shadow` (evaluated and logged, not served).
    pub mode: Option<String>,
    /// Where and for whom the rule applies; absent fields match everything.
    pub scope: RawScope,
    /// When the rule is live (RFC 3339 or `YYYY-MM-DD`, UTC); absent ends are open.
    pub schedule: Option<RawSchedule>,
    /// Put a product at a position (1-based) of the listing.
    pub pin: Option<RawPin>,
    /// Move matching products up.
    pub boost: Option<RawWeighted>,
    /// Move matching products down.
    pub bury: Option<RawWeighted>,
    /// Hide matching products.
    pub exclude: Option<RawExclude>,
    /// A guarantee: in-stock only, brand separation, or hero copy no variant may override.
    pub guarantee: Option<RawGuarantee>,
    /// A hero variant.
    pub hero: Option<RawHero>,
    /// PDP first-image policy.
    pub image: Option<RawImage>,
}

/// Scope as written.
#[derive(Debug, Default)]
pub struct RawScope {
    /// Page types: `plp`, `pdp`, `search`, `home`.
    pub pages: Vec<String>,
    /// Categories (the PLP's `{category}`, or the PDP's category).
    pub categories: Vec<String>,
    /// Search queries (normalized: lowercase, single spaces).
    pub queries: Vec<String>,
    /// `new` or `returning`.
    pub visitor: Option<String>,
    /// `prospect` or `customer`.
    pub customer: Option<String>,
    /// `browse` or `buy`.
    pub intent: Option<String>,
    /// Countries (ISO alpha-2).
    pub countries: Vec<String>,
    /// `true`: only visitors with consent; `false`: only without.
    pub consent: Option<bool>,
    /// `mobile` or `desktop`.
    pub device: Option<String>,
    /// The visitor's top brand affinity is one of these.
    pub top_brand: Vec<String>,
    /// Names of the grids (`site.plp.grids[].name`) the rule acts on (empty: all).
    pub grids: Vec<String>,
}

/// Schedule as written.
#[derive(Debug)]
pub struct RawSchedule {
    /// First moment the rule is live.
    pub start: Option<String>,
    /// First moment the rule is no longer live.
    pub end: Option<String>,
}

/// `pin` as written.
#[derive(Debug)]
pub struct RawPin {
    /// Product key.
    pub product: String,
    /// 1-based position.
    pub position: i64,
}

/// Which products a rule touches: every given field must match; values within a field are
/// alternatives.
#[derive(Debug, Default, Clone)]
pub struct RawMatch {
    /// Product keys.
    pub products: Vec<String>,
    /// Brands.
    pub brand: Vec<String>,
    /// Categories.
    pub category: Vec<String>,
    /// Tags.
    pub tag: Vec<String>,
    /// Stock states: `in_stock`, `low_stock`, `out_of_stock`.
    pub stock: Vec<String>,
    /// Price range, inclusive.
    pub price: Option<RawRange>,
}

/// A price range.
#[derive(Debug, Default, Clone, Copy)]
pub struct RawRange {
    /// Lowest price.
    pub min: Option<f64>,
    /// Highest price.
    pub max: Option<f64>,
}

/// `boost` / `bury` as written.
#[derive(Debug)]
pub struct RawWeighted {
    /// What to move.
    pub matcher: RawMatch,
    /// How far: 0 < weight <= 10; 1.0 outweighs any personalization.
    pub weight: f64,
}

/// `exclude` as written.
#[derive(Debug)]
pub struct RawExclude {
    /// What to hide.
    pub matcher: RawMatch,
}

/// `guarantee` as written: exactly one field.
#[derive(Debug)]
pub struct RawGuarantee {
    /// Never show out-of-stock products.
    pub in_stock_only: Option<bool>,
    /// This brand is never shown...
    pub brand: Option<String>,
    /// ...on listings and product pages of this brand.
    pub never_on_brand: Option<String>,
    /// Hero copy that always applies in scope, over any variant (e.g. members' free shipping).
    pub hero: Option<RawHero>,
}

/// A hero variant as written; absent fields keep the origin's.
#[derive(Debug, Clone)]
pub struct RawHero {
    /// A name for reports (`hero=buy`).
    pub variant: Option<String>,
    /// Headline text.
    pub headline: Option<String>,
    /// Sub-copy text.
    pub sub: Option<String>,
    /// Call to action.
    pub cta: Option<RawCta>,
    /// Image.
    pub image: Option<RawHeroImage>,
}

/// A call to action.
#[derive(Debug, Clone)]
pub struct RawCta {
    /// Link text.
    pub text: Option<String>,
    /// Link target (relative, or http/https).
    pub href: Option<String>,
}

/// A hero image.
#[derive(Debug, Clone)]
pub struct RawHeroImage {
    /// `src`.
    pub src: String,
    /// `srcset`.
    pub srcset: Option<String>,
    /// `alt`.
    pub alt: Option<String>,
}

/// `image` as written.
#[derive(Debug)]
pub struct RawImage {
    /// Image roles in order of preference (`lifestyle`, `detail`, `packshot`, ...).
    pub prefer: Vec<String>,
}

// Readers: see `super::wire` for the pattern.

impl RawRule {
    /// Reads one rule.
    pub fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let id = o.req_string("id", p);
        Some(RawRule {
            priority: o.int("priority", p).unwrap_or(0),
            mode: o.string("mode", p),
            scope: o.object("scope", p, RawScope::read).unwrap_or_default(),
            schedule: o.object("schedule", p, RawSchedule::read),
            pin: o.object("pin", p, RawPin::read),
            boost: o.object("boost", p, RawWeighted::read),
            bury: o.object("bury", p, RawWeighted::read),
            exclude: o.object("exclude", p, RawExclude::read),
            guarantee: o.object("guarantee", p, RawGuarantee::read),
            hero: o.object("hero", p, RawHero::read),
            image: o.object("image", p, RawImage::read),
            id: id?,
        })
    }
}

impl RawScope {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawScope {
            pages: o.strings("pages", p),
            categories: o.strings("categories", p),
            queries: o.strings("queries", p),
            visitor: o.string("visitor", p),
            customer: o.string("customer", p),
            intent: o.string("intent", p),
            countries: o.strings("countries", p),
            consent: o.bool("consent", p),
            device: o.string("device", p),
            top_brand: o.strings("top_brand", p),
            grids: o.strings("grids", p),
        })
    }
}

impl RawSchedule {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawSchedule {
            start: o.string("start", p),
            end: o.string("end", p),
        })
    }
}

impl RawPin {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let product = o.req_string("product", p);
        let position = o.req_int("position", p);
        Some(RawPin {
            product: product?,
            position: position?,
        })
    }
}

impl RawMatch {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawMatch {
            products: o.strings("products", p),
            brand: o.strings("brand", p),
            category: o.strings("category", p),
            tag: o.strings("tag", p),
            stock: o.strings("stock", p),
            price: o.object("price", p, RawRange::read),
        })
    }
}

impl RawRange {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawRange {
            min: o.f64("min", p),
            max: o.f64("max", p),
        })
    }
}

impl RawWeighted {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let matcher = o.req_object("match", p, RawMatch::read);
        let weight = o.req_f64("weight", p);
        Some(RawWeighted {
            matcher: matcher?,
            weight: weight?,
        })
    }
}

impl RawExclude {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let matcher = o.req_object("match", p, RawMatch::read);
        Some(RawExclude { matcher: matcher? })
    }
}

impl RawGuarantee {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawGuarantee {
            in_stock_only: o.bool("in_stock_only", p),
            brand: o.string("brand", p),
            never_on_brand: o.string("never_on_brand", p),
            hero: o.object("hero", p, RawHero::read),
        })
    }
}

impl RawHero {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawHero {
            variant: o.string("variant", p),
            headline: o.string("headline", p),
            sub: o.string("sub", p),
            cta: o.object("cta", p, RawCta::read),
            image: o.object("image", p, RawHeroImage::read),
        })
    }
}

impl RawCta {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        Some(RawCta {
            text: o.string("text", p),
            href: o.string("href", p),
        })
    }
}

impl RawHeroImage {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        let src = o.req_string("src", p);
        Some(RawHeroImage {
            srcset: o.string("srcset", p),
            alt: o.string("alt", p),
            src: src?,
        })
    }
}

impl RawImage {
    fn read(o: &mut Obj<'_>, p: &mut Problems) -> Option<Self> {
        o.req_strings("prefer", p).map(|prefer| RawImage { prefer })
    }
}

/// Enforce or shadow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Served.
    Enforce,
    /// Evaluated and logged, not served.
    Shadow,
}

impl Mode {
    /// Parses `enforce` / `shadow`.
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "enforce" => Some(Mode::Enforce),
            "shadow" => Some(Mode::Shadow),
            _ => None,
        }
    }
}

/// First visit or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitorSeg {
    /// First session.
    New,
    /// A later session.
    Returning,
}

/// Customer status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerSeg {
    /// Has not purchased.
    Prospect,
    /// Has purchased.
    Customer,
}

/// Device class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Device {
    /// Phones and small tablets.
    Mobile,
    /// Everything else.
    Desktop,
}

impl Device {
    /// Parses `mobile` / `desktop`.
    pub fn parse(s: &str) -> Option<Device> {
        match s {
            "mobile" => Some(Device::Mobile),
            "desktop" => Some(Device::Desktop),
            _ => None,
        }
    }
}

/// A compiled scope.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    /// Page kinds (empty: all).
    pub pages: Vec<PageKind>,
    /// Lowercase categories (empty: all).
    pub categories: Vec<String>,
    /// Normalized queries (empty: all).
    pub queries: Vec<String>,
    /// New or returning.
    pub visitor: Option<VisitorSeg>,
    /// Prospect or customer.
    pub customer: Option<CustomerSeg>,
    /// Intent.
    pub intent: Option<Intent>,
    /// Upper-case countries (empty: all).
    pub countries: Vec<String>,
    /// Consent required / absent.
    pub consent: Option<bool>,
    /// Device.
    pub device: Option<Device>,
    /// Lowercase top brands (empty: all).
    pub top_brand: Vec<String>,
    /// Grid names (empty: every grid).
    pub grids: Vec<String>,
}

/// A compiled matcher (lowercased values).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Matcher {
    /// Product keys (as written; keys are case-sensitive).
    pub products: Vec<String>,
    /// Brands.
    pub brand: Vec<String>,
    /// Categories.
    pub category: Vec<String>,
    /// Tags.
    pub tag: Vec<String>,
    /// Stock states.
    pub stock: Vec<Stock>,
    /// Price range.
    pub price: Option<(f64, f64)>,
}

/// A compiled hero variant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hero {
    /// Name for reports.
    pub variant: String,
    /// Headline text.
    pub headline: Option<String>,
    /// Sub-copy text.
    pub sub: Option<String>,
    /// CTA text.
    pub cta_text: Option<String>,
    /// CTA href (validated).
    pub cta_href: Option<String>,
    /// Image src (validated).
    pub image_src: Option<String>,
    /// Image srcset (each URL validated).
    pub image_srcset: Option<String>,
    /// Image alt.
    pub image_alt: Option<String>,
}

/// What a rule does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Put a product at a 1-based position.
    Pin {
        /// Product key.
        product: String,
        /// 1-based position.
        position: usize,
    },
    /// Add `weight` to matching products' scores (negative for bury).
    Weight {
        /// What.
        matcher: Matcher,
        /// Signed weight.
        weight: f64,
    },
    /// Hide matching products.
    Exclude(Matcher),
    /// Guarantee: never show out-of-stock products.
    InStockOnly,
    /// Guarantee: `brand` never appears on `on_brand`'s pages.
    BrandSeparation {
        /// Lowercase brand hidden.
        brand: String,
        /// Lowercase brand whose pages it never appears on.
        on_brand: String,
    },
    /// A hero variant; `locked` heroes (guarantees) win over any other variant.
    Hero {
        /// The variant.
        hero: Hero,
        /// A guarantee.
        locked: bool,
    },
    /// PDP first-image preference.
    Image(Vec<String>),
}

impl Action {
    /// A short name for reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Pin { .. } => "pin",
            Action::Weight { weight, .. } if *weight < 0.0 => "bury",
            Action::Weight { .. } => "boost",
            Action::Exclude(_) => "exclude",
            Action::InStockOnly => "in_stock_only",
            Action::BrandSeparation { .. } => "brand_separation",
            Action::Hero { locked: true, .. } => "hero_guarantee",
            Action::Hero { .. } => "hero",
            Action::Image(_) => "image",
        }
    }

    /// Guarantees hold even for the holdout and cannot be outweighed.
    pub fn is_guarantee(&self) -> bool {
        matches!(
            self,
            Action::InStockOnly | Action::BrandSeparation { .. } | Action::Hero { locked: true, .. }
        )
    }
}

/// A compiled rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Position in the document's `rules` array (for paths in reports).
    pub index: usize,
    /// Id.
    pub id: String,
    /// Priority.
    pub priority: i32,
    /// Mode.
    pub mode: Mode,
    /// Scope.
    pub scope: Scope,
    /// Live from (unix seconds).
    pub start: Option<u64>,
    /// Live until (unix seconds, exclusive).
    pub end: Option<u64>,
    /// The action.
    pub action: Action,
}

impl Rule {
    /// Whether the rule is live at `now` (unix seconds).
    pub fn live_at(&self, now: u64) -> bool {
        self.start.is_none_or(|s| now >= s) && self.end.is_none_or(|e| now < e)
    }
}

/// Normalizes a search query for scoping and cache keys: lowercase, single spaces.
pub fn normalize_query(q: &str) -> String {
    q.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)` into unix seconds (UTC when no
/// offset is given).
pub fn parse_time(s: &str) -> Option<u64> {
    parse_time_in(s, 0)
}

/// A UTC offset as a config writes a time zone (`UTC`, `Z`, `+01:00`, `-05:30`), in seconds east
/// of UTC.
pub fn parse_offset(o: &str) -> Option<i64> {
    match o.trim() {
        "Z" | "z" | "UTC" | "utc" => Some(0),
        o if o.len() == 6 && (o.starts_with('+') || o.starts_with('-')) && o.get(3..4) == Some(":") => {
            let oh: i64 = o.get(1..3)?.parse().ok()?;
            let om: i64 = o.get(4..6)?.parse().ok()?;
            if oh > 14 || om > 59 {
                return None;
            }
            let sign = if o.starts_with('-') { -1 } else { 1 };
            Some(sign * (oh * 3600 + om * 60))
        }
        _ => None,
    }
}

/// Like [`parse_time`], a date or a time without an offset being in the zone `zone` (seconds
/// east of UTC).
pub fn parse_time_in(s: &str, zone: i64) -> Option<u64> {
    let s = s.trim();
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if s.get(4..5)? != "-" || s.get(7..8)? != "-" || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let (mut h, mut mi, mut sec, mut offset) = (0, 0, 0, zone);
    if s.len() > 10 {
        if !matches!(s.get(10..11)?, "T" | "t" | " ") {
            return None;
        }
        h = num(11..13)?;
        mi = num(14..16)?;
        let mut rest = s.get(16..)?;
        if let Some(r) = rest.strip_prefix(':') {
            sec = r.get(0..2)?.parse().ok()?;
            rest = r.get(2..)?;
            if let Some(frac) = rest.strip_prefix('.') {
                rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
            }
        }
        offset = match rest {
            "" => zone,
            "UTC" | "utc" => return None,
            o => parse_offset(o)?,
        };
        if h > 23 || mi > 59 || sec > 60 {
            return None;
        }
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let t = days * 86_400 + h * 3600 + mi * 60 + sec - offset;
    u64::try_from(t).ok()
}

fn lower(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.trim().to_lowercase()).collect()
}

fn compile_match(m: &RawMatch, at: &str, problems: &mut Vec<Problem>) -> Matcher {
    let empty = m.products.is_empty()
        && m.brand.is_empty()
        && m.category.is_empty()
        && m.tag.is_empty()
        && m.stock.is_empty()
        && m.price.is_none();
    if empty {
        problems.push(Problem::new(
            at,
            "must name at least one of products, brand, category, tag, stock, price",
        ));
    }
    let mut stock = Vec::new();
    for (i, s) in m.stock.iter().enumerate() {
        match Stock::parse(s) {
            Some(st) => stock.push(st),
            None => problems.push(Problem::new(format!("{at}.stock[{i}]"), Stock::EXPECTED)),
        }
    }
    let price = m.price.map(|r| {
        let (lo, hi) = (r.min.unwrap_or(0.0), r.max.unwrap_or(f64::MAX));
        if !(lo.is_finite() && lo >= 0.0 && hi >= lo) {
            problems.push(Problem::new(format!("{at}.price"), "must have 0 <= min <= max"));
        }
        (lo, hi)
    });
    Matcher {
        products: m.products.iter().map(|p| p.trim().to_owned()).collect(),
        brand: lower(&m.brand),
        category: lower(&m.category),
        tag: lower(&m.tag),
        stock,
        price,
    }
}

fn bounded_text(v: &Option<String>, at: String, max: usize, problems: &mut Vec<Problem>) -> Option<String> {
    let s = v.as_deref()?.trim();
    if s.is_empty() || s.chars().count() > max {
        problems.push(Problem::new(at, &format!("must be 1 to {max} characters")));
        return None;
    }
    Some(s.to_owned())
}

fn compile_hero(h: &RawHero, at: &str, id: &str, hosts: &[String], problems: &mut Vec<Problem>) -> Hero {
    let url = |u: &str, path: String, problems: &mut Vec<Problem>| match url::check(u.trim(), Some(hosts)) {
        Ok(()) => Some(u.trim().to_owned()),
        Err(msg) => {
            problems.push(Problem::new(path, msg));
            None
        }
    };
    let variant = h.variant.clone().unwrap_or_else(|| id.to_owned());
    // The variant's name goes into the `x-vitrine` header: a name, never `;` or `=`.
    if variant.is_empty()
        || variant.len() > 40
        || !variant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        problems.push(Problem::new(
            format!("{at}.variant"),
            "must be 1 to 40 of letters, digits, - _ .",
        ));
    }
    let mut hero = Hero {
        variant,
        headline: bounded_text(&h.headline, format!("{at}.headline"), 200, problems),
        sub: bounded_text(&h.sub, format!("{at}.sub"), 500, problems),
        ..Hero::default()
    };
    if let Some(cta) = &h.cta {
        hero.cta_text = bounded_text(&cta.text, format!("{at}.cta.text"), 80, problems);
        hero.cta_href = cta
            .href
            .as_deref()
            .and_then(|u| url(u, format!("{at}.cta.href"), problems));
    }
    if let Some(img) = &h.image {
        hero.image_src = url(&img.src, format!("{at}.image.src"), problems);
        if let Some(set) = &img.srcset {
            match url::check_srcset(set.trim(), Some(hosts)) {
                Ok(()) => hero.image_srcset = Some(set.trim().to_owned()),
                Err(msg) => problems.push(Problem::new(format!("{at}.image.srcset"), msg)),
            }
        }
        hero.image_alt = bounded_text(&img.alt, format!("{at}.image.alt"), 200, problems);
    }
    if hero.headline.is_none()
        && hero.sub.is_none()
        && hero.cta_text.is_none()
        && hero.cta_href.is_none()
        && hero.image_src.is_none()
    {
        problems.push(Problem::new(
            at,
            "must change at least one of headline, sub, cta, image",
        ));
    }
    hero
}

/// Compiles the rules; problems get paths under `rules[i]`.
pub fn compile_rules(
    raw: &[RawRule],
    doc_mode: Mode,
    hosts: &[String],
    zone: i64,
    problems: &mut Vec<Problem>,
) -> Vec<Rule> {
    if raw.len() > MAX_RULES {
        problems.push(Problem::new("rules", "must have at most 500 rules"));
    }
    let mut ids = std::collections::HashSet::new();
    raw.iter()
        .enumerate()
        .take(MAX_RULES)
        .filter_map(|(i, r)| {
            let before = problems.len();
            let rule = compile_rule(i, r, doc_mode, (hosts, zone), &mut ids, problems);
            rule.filter(|_| problems.len() == before)
        })
        .collect()
}

fn compile_rule(
    i: usize,
    r: &RawRule,
    doc_mode: Mode,
    (hosts, zone): (&[String], i64),
    ids: &mut std::collections::HashSet<String>,
    problems: &mut Vec<Problem>,
) -> Option<Rule> {
    let at = format!("rules[{i}]");
    let id_ok = !r.id.trim().is_empty()
        && r.id.len() <= 64
        && r.id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
    if !id_ok {
        problems.push(Problem::new(
            format!("{at}.id"),
            "must be 1 to 64 of letters, digits, - _ . :",
        ));
    } else if !ids.insert(r.id.clone()) {
        problems.push(Problem::new(
            format!("{at}.id"),
            &format!("duplicate id {:?}", r.id),
        ));
    }
    let mode = match r.mode.as_deref() {
        None => doc_mode,
        Some(m) => Mode::parse(m).unwrap_or_else(|| {
            problems.push(Problem::new(format!("{at}.mode"), "must be enforce or shadow"));
            doc_mode
        }),
    };
    let scope = compile_scope(&r.scope, &format!("{at}.scope"), problems);
    let (start, end) = r
        .schedule
        .as_ref()
        .map_or((None, None), |s| compile_schedule(s, &at, zone, problems));
    let mut actions = compile_actions(r, &at, hosts, problems);
    if actions.len() != 1 {
        problems.push(Problem::new(
            &at,
            "must have exactly one of pin, boost, bury, exclude, guarantee, hero, image",
        ));
    }
    Some(Rule {
        index: i,
        id: r.id.clone(),
        priority: r.priority,
        mode,
        scope,
        start,
        end,
        action: actions.pop()?,
    })
}

/// A schedule's `start` and `end` (exclusive: live while `start <= now < end`); a date, or a
/// time without an offset, is in the site's time zone (`zone`, seconds east of UTC).
fn compile_schedule(
    s: &RawSchedule,
    at: &str,
    zone: i64,
    problems: &mut Vec<Problem>,
) -> (Option<u64>, Option<u64>) {
    let mut time = |field: &str, value: &Option<String>| {
        let v = value.as_deref()?;
        let t = parse_time_in(v, zone);
        if t.is_none() {
            problems.push(Problem::new(
                format!("{at}.schedule.{field}"),
                "must be a date (YYYY-MM-DD) or an RFC 3339 time",
            ));
        }
        t
    };
    let (start, end) = (time("start", &s.start), time("end", &s.end));
    if let (Some(a), Some(b)) = (start, end) {
        if b <= a {
            problems.push(Problem::new(format!("{at}.schedule.end"), "must be after start"));
        }
    }
    (start, end)
}

/// Every action a rule names (a valid rule names exactly one).
fn compile_actions(r: &RawRule, at: &str, hosts: &[String], problems: &mut Vec<Problem>) -> Vec<Action> {
    let mut actions = Vec::new();
    if let Some(p) = &r.pin {
        if p.position < 1 {
            problems.push(Problem::new(format!("{at}.pin.position"), "must be at least 1"));
        } else if p.position > 500 {
            problems.push(Problem::new(format!("{at}.pin.position"), "must be at most 500"));
        }
        if p.product.trim().is_empty() {
            problems.push(Problem::new(
                format!("{at}.pin.product"),
                "must name a product key",
            ));
        }
        actions.push(Action::Pin {
            product: p.product.trim().to_owned(),
            position: usize::try_from(p.position.clamp(1, 500)).unwrap_or(1),
        });
    }
    for (name, w, sign) in [("boost", &r.boost, 1.0), ("bury", &r.bury, -1.0)] {
        if let Some(w) = w {
            if !(w.weight > 0.0 && w.weight <= 10.0) {
                problems.push(Problem::new(
                    format!("{at}.{name}.weight"),
                    "must be more than 0 and at most 10",
                ));
            }
            let matcher = compile_match(&w.matcher, &format!("{at}.{name}.match"), problems);
            actions.push(Action::Weight {
                matcher,
                weight: sign * w.weight,
            });
        }
    }
    if let Some(x) = &r.exclude {
        let matcher = compile_match(&x.matcher, &format!("{at}.exclude.match"), problems);
        actions.push(Action::Exclude(matcher));
    }
    if let Some(g) = &r.guarantee {
        actions.extend(compile_guarantee(
            g,
            &format!("{at}.guarantee"),
            &r.id,
            hosts,
            problems,
        ));
    }
    if let Some(h) = &r.hero {
        actions.push(Action::Hero {
            hero: compile_hero(h, &format!("{at}.hero"), &r.id, hosts, problems),
            locked: false,
        });
    }
    if let Some(img) = &r.image {
        if img.prefer.is_empty() || img.prefer.len() > 8 {
            problems.push(Problem::new(
                format!("{at}.image.prefer"),
                "must list 1 to 8 image roles",
            ));
        }
        actions.push(Action::Image(lower(&img.prefer)));
    }
    actions
}

fn compile_guarantee(
    g: &RawGuarantee,
    gat: &str,
    id: &str,
    hosts: &[String],
    problems: &mut Vec<Problem>,
) -> Option<Action> {
    let n = usize::from(g.in_stock_only.is_some())
        + usize::from(g.brand.is_some() || g.never_on_brand.is_some())
        + usize::from(g.hero.is_some());
    if n != 1 {
        problems.push(Problem::new(
            gat,
            "must be exactly one of in_stock_only, brand + never_on_brand, hero",
        ));
        return None;
    }
    if let Some(only) = g.in_stock_only {
        if !only {
            problems.push(Problem::new(
                format!("{gat}.in_stock_only"),
                "must be true (omit the rule to allow out-of-stock)",
            ));
        }
        return only.then_some(Action::InStockOnly);
    }
    if let Some(h) = &g.hero {
        return Some(Action::Hero {
            hero: compile_hero(h, &format!("{gat}.hero"), id, hosts, problems),
            locked: true,
        });
    }
    match (&g.brand, &g.never_on_brand) {
        (Some(b), Some(on)) if !b.trim().is_empty() && !on.trim().is_empty() => {
            Some(Action::BrandSeparation {
                brand: b.trim().to_lowercase(),
                on_brand: on.trim().to_lowercase(),
            })
        }
        _ => {
            problems.push(Problem::new(
                gat,
                "brand separation needs both brand and never_on_brand",
            ));
            None
        }
    }
}

fn compile_scope(s: &RawScope, at: &str, problems: &mut Vec<Problem>) -> Scope {
    let mut scope = Scope {
        categories: lower(&s.categories),
        queries: s.queries.iter().map(|q| normalize_query(q)).collect(),
        countries: s
            .countries
            .iter()
            .map(|c| c.trim().to_ascii_uppercase())
            .collect(),
        consent: s.consent,
        top_brand: lower(&s.top_brand),
        grids: s.grids.iter().map(|g| g.trim().to_owned()).collect(),
        ..Scope::default()
    };
    for (i, p) in s.pages.iter().enumerate() {
        match p.as_str() {
            "plp" => scope.pages.push(PageKind::Plp),
            "pdp" => scope.pages.push(PageKind::Pdp),
            "search" => scope.pages.push(PageKind::Search),
            "home" => scope.pages.push(PageKind::Home),
            _ => problems.push(Problem::new(
                format!("{at}.pages[{i}]"),
                "must be plp, pdp, search or home",
            )),
        }
    }
    for (i, c) in scope.countries.iter().enumerate() {
        if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            problems.push(Problem::new(
                format!("{at}.countries[{i}]"),
                "must be a two-letter country code",
            ));
        }
    }
    let mut one = |field: &str, v: &Option<String>, allowed: &[&str]| -> Option<usize> {
        let v = v.as_deref()?;
        let idx = allowed.iter().position(|a| *a == v);
        if idx.is_none() {
            problems.push(Problem::new(
                format!("{at}.{field}"),
                &format!("must be {}", allowed.join(" or ")),
            ));
        }
        idx
    };
    scope.visitor = one("visitor", &s.visitor, &["new", "returning"]).map(|i| {
        if i == 0 {
            VisitorSeg::New
        } else {
            VisitorSeg::Returning
        }
    });
    scope.customer = one("customer", &s.customer, &["prospect", "customer"]).map(|i| {
        if i == 0 {
            CustomerSeg::Prospect
        } else {
            CustomerSeg::Customer
        }
    });
    scope.intent =
        one("intent", &s.intent, &["browse", "buy"])
            .map(|i| if i == 0 { Intent::Browse } else { Intent::Buy });
    scope.device = one("device", &s.device, &["mobile", "desktop"]).map(|i| {
        if i == 0 {
            Device::Mobile
        } else {
            Device::Desktop
        }
    });
    scope
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("1970-01-01"), Some(0));
        assert_eq!(parse_time("2026-11-25T00:00:00Z"), Some(1_795_564_800));
        assert_eq!(parse_time("2026-11-25T01:00:00+01:00"), Some(1_795_564_800));
        assert_eq!(parse_time("2026-11-25T00:00:00.123Z"), Some(1_795_564_800));
        assert_eq!(parse_time("2026-11-25T00:00Z"), Some(1_795_564_800));
        for bad in [
            "2026-13-01",
            "tomorrow",
            "2026-11-25T25:00:00Z",
            "2026-11-25T00:00:00UTC",
            "2026-11-25T00:00:00+1:00",
            "2026/11/25",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        // Without an offset: the site's zone (UTC unless `site.time_zone` says otherwise).
        assert_eq!(parse_time("2026-11-25T00:00:00"), Some(1_795_564_800));
        assert_eq!(parse_time_in("2026-11-25", 3600), Some(1_795_564_800 - 3600));
        assert_eq!(
            parse_time_in("2026-11-25T00:00:00Z", 3600),
            Some(1_795_564_800),
            "an explicit offset wins"
        );
        assert_eq!(parse_offset("-05:30"), Some(-(5 * 3600 + 30 * 60)));
        assert_eq!(parse_offset("Europe/Paris"), None);
    }

    #[test]
    fn a_schedule_is_in_the_sites_time_zone_and_its_end_is_exclusive() {
        let cfg = crate::config::compile_json(
            r#"{"version":1,"site":{"time_zone":"+01:00"},
                "rules":[{"id":"bf","pin":{"product":"A","position":1},"schedule":{"start":"2026-11-27","end":"2026-11-28"}}]}"#,
        )
        .unwrap();
        let rule = &cfg.rules[0];
        let midnight_paris = 1_795_737_600 - 3600; // 2026-11-27T00:00+01:00
        assert!(!rule.live_at(midnight_paris - 1));
        assert!(rule.live_at(midnight_paris));
        assert!(rule.live_at(midnight_paris + 86_400 - 1), "the whole of the 27th");
        assert!(
            !rule.live_at(midnight_paris + 86_400),
            "end is exclusive: not the 28th"
        );
        let bad =
            crate::config::compile_json(r#"{"version":1,"site":{"time_zone":"Europe/Paris"}}"#).unwrap_err();
        assert_eq!(bad[0].path, "site.time_zone");
    }

    #[test]
    fn hero_urls_are_read_as_a_browser_would_and_must_stay_on_the_store() {
        let doc = |href: &str, extra: &str| {
            crate::config::compile_json(&format!(
                r#"{{"version":1,"site":{{"hosts":["shop.example"]}},{extra}
                   "rules":[{{"id":"h","hero":{{"variant":"v","cta":{{"text":"Go","href":{}}}}}}}]}}"#,
                serde_json::to_string(href).unwrap()
            ))
        };
        for bad in [
            "javascript&colon;alert(1)",
            "javascript&#58;alert(1)",
            "javascript&#x3a;alert(1)",
            "/\\evil.example/",
            "\\\\evil.example/",
            "\\/evil.example/",
            "https://evil.example/",
            "//evil.example/x",
        ] {
            let problems = doc(bad, "").unwrap_err();
            assert_eq!(problems[0].path, "rules[0].hero.cta.href", "{bad}: {problems:?}");
        }
        assert!(doc("https://shop.example/c/sale", "").is_ok());
        assert!(doc("/c/sale?a=1&b=2", "").is_ok());
        // A variant name cannot forge x-vitrine items.
        let forged = crate::config::compile_json(
            r#"{"version":1,"rules":[{"id":"h","hero":{"variant":"b;cfg=000000000000","headline":"x"}}]}"#,
        )
        .unwrap_err();
        assert_eq!(forged[0].path, "rules[0].hero.variant");
        // Inline catalog images are read the same way (any host: they are never written out).
        let catalog = crate::config::compile_json(
            r#"{"version":1,"catalog":{"products":[{"key":"A","images":[{"role":"packshot","src":"javascript&colon;x"}]}]}}"#,
        )
        .unwrap_err();
        assert_eq!(catalog[0].path, "catalog.products[0].images[0].src");
        let hosts = crate::config::compile_json(r#"{"version":1,"site":{"hosts":["https://shop.example"]}}"#)
            .unwrap_err();
        assert_eq!(hosts[0].path, "site.hosts[0]");
    }

    #[test]
    fn queries_normalize() {
        assert_eq!(normalize_query("  Warm   JACKET "), "warm jacket");
    }
}
