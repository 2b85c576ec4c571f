//! The storefront's shape beyond its markup: page types by URL, JSON listing APIs, how the origin
//! says a customer signed in, the signal cookie, consent, personalization's strength and holdout,
//! and the debug aids. Each section compiles on its own and reports its problems with paths.

use super::is_token;
use super::markup::fact_names;
use super::pattern::PathPattern;
use super::selector::Sel;
use super::wire::{
    RawConsent, RawDebug, RawIdentity, RawJsonListing, RawPage, RawPersonalization, RawSignal,
};
use super::MAX_NAME;
use crate::doc::Problems;
use crate::product::FactNames;
use crate::signal::consent::ConsentPolicy;
use crate::signal::cookie::CookieSpec;

/// Most page rules.
pub const MAX_PAGES: usize = 64;
/// Most JSON listing APIs.
pub const MAX_JSON_LISTINGS: usize = 8;

/// Page types vitrine understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PageKind {
    /// The home page.
    Home,
    /// A product listing (category) page.
    Plp,
    /// A product detail page.
    Pdp,
    /// A search results page.
    Search,
    /// The add-to-cart request.
    CartAdd,
    /// The completed checkout request.
    CheckoutComplete,
    /// Known to the site, nothing to learn.
    Other,
}

impl PageKind {
    /// Parses a page type as a config writes it.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "home" => PageKind::Home,
            "plp" => PageKind::Plp,
            "pdp" => PageKind::Pdp,
            "search" => PageKind::Search,
            "cart_add" => PageKind::CartAdd,
            "checkout_complete" => PageKind::CheckoutComplete,
            "other" => PageKind::Other,
            _ => return None,
        })
    }

    /// A short token for headers.
    pub fn token(self) -> &'static str {
        match self {
            PageKind::Home => "home",
            PageKind::Plp => "plp",
            PageKind::Pdp => "pdp",
            PageKind::Search => "search",
            PageKind::CartAdd => "cart",
            PageKind::CheckoutComplete => "checkout",
            PageKind::Other => "other",
        }
    }

    /// Pages with markup a marker can be looked for in (not the cart and checkout requests).
    pub fn has_markup(self) -> bool {
        !matches!(self, PageKind::CartAdd | PageKind::CheckoutComplete)
    }

    /// Pages a shopper reads (and vitrine may personalize): home, listings, products, search.
    pub fn is_storefront_page(self) -> bool {
        matches!(
            self,
            PageKind::Home | PageKind::Plp | PageKind::Pdp | PageKind::Search
        )
    }
}

/// A compiled page rule.
#[derive(Debug, Clone)]
pub struct PageRule {
    /// The page type.
    pub kind: PageKind,
    /// Upper-case method.
    pub method: String,
    /// The path pattern.
    pub pattern: PathPattern,
    /// A selector the page's markup must have for the rule to apply.
    pub marker: Option<Sel>,
}

/// The page rules (`site.pages`), first match wins.
pub fn compile_pages(raw: &[RawPage], p: &mut Problems) -> Vec<PageRule> {
    if raw.len() > MAX_PAGES {
        p.add("site.pages", "must have at most 64 entries");
    }
    let mut pages = Vec::new();
    for (i, page) in raw.iter().enumerate().take(MAX_PAGES) {
        let at = |f: &str| format!("site.pages[{i}].{f}");
        let kind = PageKind::parse(&page.kind);
        if kind.is_none() {
            p.add(
                at("type"),
                "must be one of home, plp, pdp, search, cart_add, checkout_complete, other",
            );
        }
        let pattern = PathPattern::parse(page.path.as_deref().unwrap_or("/**"))
            .map_err(|e| p.add(at("path"), e.0))
            .ok();
        let marker = match &page.marker {
            Some(m) => match Sel::parse(m) {
                Ok(s) => Some(Some(s)),
                Err(e) => {
                    p.add(at("marker"), &e);
                    None
                }
            },
            None => Some(None),
        };
        if page.marker.is_some() && !kind.is_some_and(PageKind::has_markup) {
            p.add(
                at("marker"),
                "only a page type with markup (home, plp, pdp, search, other) can have a marker",
            );
        }
        let default_method = match kind {
            Some(PageKind::CartAdd | PageKind::CheckoutComplete) => "POST",
            _ => "GET",
        };
        let method = page
            .method
            .as_deref()
            .unwrap_or(default_method)
            .to_ascii_uppercase();
        if !matches!(method.as_str(), "GET" | "POST" | "PUT" | "PATCH" | "DELETE") {
            p.add(at("method"), "must be GET, POST, PUT, PATCH or DELETE");
        }
        if let (Some(kind), Some(pattern), Some(marker)) = (kind, pattern, marker) {
            pages.push(PageRule {
                kind,
                method,
                pattern,
                marker,
            });
        }
    }
    pages
}

/// Identity stitching settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Lowercase response header name, if any.
    pub response_header: Option<String>,
    /// Request cookie name, if any.
    pub cookie: Option<String>,
    /// Remove the header from the visitor's response.
    pub strip_header: bool,
}

/// How the origin names a signed-in customer (`site.identity`).
pub fn compile_identity(id: &RawIdentity, p: &mut Problems) -> Option<Identity> {
    let header = id.response_header.as_ref().map(|h| h.trim().to_ascii_lowercase());
    if header.as_deref().is_some_and(|h| !is_token(h)) {
        p.add("site.identity.response_header", "must be a header name");
    }
    if id.cookie.as_deref().is_some_and(|c| !is_token(c)) {
        p.add("site.identity.cookie", "must be a cookie name");
    }
    if header.is_none() && id.cookie.is_none() {
        p.add("site.identity", "needs response_header or cookie");
        return None;
    }
    Some(Identity {
        response_header: header,
        cookie: id.cookie.clone(),
        strip_header: id.strip_header.unwrap_or(true),
    })
}

/// The signal cookie (`signal`).
pub fn compile_cookie(raw: &RawSignal, p: &mut Problems) -> CookieSpec {
    let mut cookie = CookieSpec::default();
    if let Some(name) = &raw.cookie {
        if is_token(name) && name.len() <= MAX_NAME {
            cookie.name = name.clone();
        } else {
            p.add("signal.cookie", "must be a cookie name");
        }
    }
    if let Some(days) = raw.max_age_days {
        if (1..=400).contains(&days) {
            cookie.max_age_days = days;
        } else {
            p.add(
                "signal.max_age_days",
                "must be 1..=400 (browsers cap cookies at 400 days)",
            );
        }
    }
    cookie
}

/// How consent is read (`consent`).
pub fn compile_consent(raw: Option<&RawConsent>, p: &mut Problems) -> ConsentPolicy {
    let mut consent = ConsentPolicy::default();
    let Some(c) = raw else { return consent };
    if !is_token(&c.cookie) {
        p.add("consent.cookie", "must be a cookie name");
    }
    if c.granted.is_empty() {
        p.add("consent.granted", "must list at least one value");
    }
    consent.cookie = c.cookie.clone();
    consent.granted = c.granted.clone();
    consent.denied = c.denied.clone();
    if let Some(countries) = &c.opt_in_countries {
        for (i, cc) in countries.iter().enumerate() {
            if cc.len() != 2 || !cc.chars().all(|ch| ch.is_ascii_alphabetic()) {
                p.add(
                    format!("consent.opt_in_countries[{i}]"),
                    "must be a two-letter country code",
                );
            }
        }
        consent.opt_in_countries = countries.clone();
    }
    consent.honor_gpc = c.honor_gpc.unwrap_or(true);
    consent
}

/// Most sample pages a config names.
pub const MAX_SAMPLES: usize = 4;

/// The sample pages (`site.samples`): paths on the origin.
pub fn compile_samples(raw: &[String], p: &mut Problems) -> Vec<String> {
    if raw.len() > MAX_SAMPLES {
        p.add("site.samples", "must have at most 4 entries");
    }
    raw.iter()
        .enumerate()
        .take(MAX_SAMPLES)
        .filter_map(|(i, s)| {
            let ok = s.starts_with('/')
                && !s.starts_with("//")
                && s.len() <= 1024
                && !s.chars().any(char::is_control);
            if !ok {
                p.add(
                    format!("site.samples[{i}]"),
                    "must be a path on the origin, like /c/boots",
                );
            }
            ok.then(|| s.clone())
        })
        .collect()
}

/// `site.hosts`: the storefront's own host names, checked and lowercased.
pub fn compile_hosts(raw: &[String], p: &mut Problems) -> Vec<String> {
    raw.iter()
        .enumerate()
        .filter_map(|(i, h)| match super::url::check_host(h) {
            Ok(h) => Some(h),
            Err(msg) => {
                p.add(format!("site.hosts[{i}]"), msg);
                None
            }
        })
        .collect()
}

/// Developer aids, all off by default (`debug`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Debug {
    /// Whether `/__vitrine/whoami` is served.
    pub whoami: bool,
    /// Trusted country override header (tests only), lowercase.
    pub country_header: Option<String>,
    /// Debug bypass header, lowercase.
    pub bypass_header: Option<String>,
    /// Debug bypass query parameter.
    pub bypass_param: Option<String>,
    /// Debug bypass cookie.
    pub bypass_cookie: Option<String>,
    /// Whether rewritten pages end with a comment saying what they became.
    pub outcome: bool,
}

/// The debug section.
pub fn compile_debug(raw: &RawDebug, p: &mut Problems) -> Debug {
    for (field, value) in [
        ("country_header", &raw.country_header),
        ("bypass_header", &raw.bypass_header),
        ("bypass_param", &raw.bypass_param),
        ("bypass_cookie", &raw.bypass_cookie),
    ] {
        if value.as_deref().is_some_and(|h| !is_token(h)) {
            p.add(
                format!("debug.{field}"),
                "must be a name without spaces or separators",
            );
        }
    }
    Debug {
        whoami: raw.whoami,
        country_header: raw.country_header.as_ref().map(|h| h.to_ascii_lowercase()),
        bypass_header: raw.bypass_header.as_ref().map(|h| h.to_ascii_lowercase()),
        bypass_param: raw.bypass_param.clone(),
        bypass_cookie: raw.bypass_cookie.clone(),
        outcome: raw.outcome,
    }
}

/// Personalization's strength (0..=1, default 0.5) and holdout share (0..=0.5, default 0).
pub fn compile_personalization(raw: Option<&RawPersonalization>, p: &mut Problems) -> (f64, f64) {
    let (mut strength, mut holdout) = (0.5, 0.0);
    let Some(raw) = raw else {
        return (strength, holdout);
    };
    if let Some(s) = raw.strength {
        if (0.0..=1.0).contains(&s) {
            strength = s;
        } else {
            p.add("personalization.strength", "must be 0 to 1");
        }
    }
    if let Some(h) = raw.holdout {
        if (0.0..=0.5).contains(&h) {
            holdout = h;
        } else {
            p.add("personalization.holdout", "must be 0 to 0.5");
        }
    }
    (strength, holdout)
}

/// A compiled JSON listing API.
#[derive(Debug, Clone)]
pub struct JsonListing {
    /// Path pattern.
    pub pattern: PathPattern,
    /// Pointer to the items.
    pub items: String,
    /// Key field.
    pub key: String,
    /// Category query parameter.
    pub category_param: Option<String>,
    /// Item fields holding facts.
    pub facts: FactNames,
    /// Page kind for scopes.
    pub page: PageKind,
    /// Largest body, bytes.
    pub max_bytes: usize,
}

/// The JSON listing APIs (`site.json_listings`).
pub fn compile_json_listings(raw: &[RawJsonListing], p: &mut Problems) -> Vec<JsonListing> {
    if raw.len() > MAX_JSON_LISTINGS {
        p.add("site.json_listings", "must have at most 8 entries");
    }
    raw.iter()
        .enumerate()
        .take(MAX_JSON_LISTINGS)
        .filter_map(|(i, j)| compile_json_listing(j, &format!("site.json_listings[{i}]"), p))
        .collect()
}

fn compile_json_listing(j: &RawJsonListing, at: &str, p: &mut Problems) -> Option<JsonListing> {
    let pattern = PathPattern::parse(&j.path)
        .map_err(|e| p.add(format!("{at}.path"), e.0))
        .ok();
    if !(j.items.is_empty() || j.items.starts_with('/')) {
        p.add(
            format!("{at}.items"),
            "must be a JSON pointer: empty or starting with /",
        );
    }
    if j.key.trim().is_empty() {
        p.add(
            format!("{at}.key"),
            "must name the item field holding the product key",
        );
    }
    let page = match j.page.as_deref() {
        None | Some("plp") => PageKind::Plp,
        Some("search") => PageKind::Search,
        Some(_) => {
            p.add(format!("{at}.page"), "must be plp or search");
            PageKind::Plp
        }
    };
    let max_kb = j.max_kb.unwrap_or(1024);
    p.in_range(format!("{at}.max_kb"), max_kb, 1..=8192);
    Some(JsonListing {
        pattern: pattern?,
        items: j.items.clone(),
        key: j.key.clone(),
        category_param: j.category_param.clone(),
        facts: fact_names(j.facts.as_ref(), at, p),
        page,
        max_bytes: max_kb.clamp(1, 8192) as usize * 1024,
    })
}
