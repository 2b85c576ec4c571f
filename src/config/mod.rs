//! The storefront config: a raw wire format ([`wire`]: JSON, unknown fields rejected)
//! compiled once into a validated [`Config`] (parsed patterns and selectors, enums, bounded sizes).
//!
//! [`compile`] reports every problem at once, each with its JSON path
//! (`site.pages[2].path: must start with /`), so a merchandiser fixes a document in one round.
//! The compiled [`Config`] is what the request path reads; nothing there re-validates or re-parses.
//!
//! Sections, each compiled on its own: [`site`] (page types, JSON listings, identity, cookie,
//! consent, debug), [`markup`] (grids, hero, gallery, product-fact sources: selectors),
//! [`search`] (edge search and the engine mapping), [`catalog`] (products), [`rules`]; then
//! [`lint`] warns about what compiles but may not be meant. [`crate::doc`] reads the JSON and
//! collects what is wrong.
//!
//! This module owns: the document's shape, its validation, page classification. It does not own
//! where the document comes from (the glue reads it) or what the rules do with a page.

pub mod catalog;
pub mod lint;
pub mod markup;
pub mod pattern;
pub mod rules;
pub mod search;
pub mod selector;
pub mod site;
pub mod url;
pub mod wire;

use std::collections::HashMap;

pub use crate::doc::Problem;
pub use catalog::compile_products;
pub use markup::{Fact, Gallery, GalleryPart, Grid, HeroSelectors, Inner, Slot, Source, TileFact};
pub use pattern::PathPattern;
pub use rules::{Action, Mode, Rule};
pub use search::{Mapping, SearchConfig};
pub use selector::Sel;
pub use site::{Debug, Identity, JsonListing, PageKind, PageRule};
pub use wire::{RawCatalog, RawConfig, RawProduct};

use crate::doc::{self, Problems};
use crate::product::Product;
use crate::signal::consent::ConsentPolicy;
use crate::signal::cookie::CookieSpec;

/// The only document version this code reads.
pub const VERSION: u32 = 1;
/// Longest cookie or header name.
const MAX_NAME: usize = 64;
/// Largest config document accepted.
pub const MAX_DOCUMENT: usize = 2 * 1024 * 1024;

/// The compiled, validated config.
#[derive(Debug, Clone)]
pub struct Config {
    /// Document mode.
    pub mode: Mode,
    /// Product grids on listing pages.
    pub grids: Vec<Grid>,
    /// Hero selectors.
    pub hero: Option<HeroSelectors>,
    /// PDP gallery.
    pub gallery: Option<Gallery>,
    /// Rules.
    pub rules: Vec<Rule>,
    /// Inline catalog by key.
    pub catalog: HashMap<String, Product>,
    /// Personalization strength 0..=1.
    pub strength: f64,
    /// Holdout share 0..=0.5.
    pub holdout: f64,
    /// Page rules, first match wins.
    pub pages: Vec<PageRule>,
    /// Product facts sources for PDPs.
    pub product_sources: Vec<Source>,
    /// Bytes of a PDP that may be held back while its facts are read.
    pub learn_window: usize,
    /// Identity stitching, if configured.
    pub identity: Option<Identity>,
    /// The signal cookie.
    pub cookie: CookieSpec,
    /// Consent policy.
    pub consent: ConsentPolicy,
    /// Developer aids.
    pub debug: Debug,
    /// Forward visitor cookies on page requests.
    pub forward_cookies: bool,
    /// JSON listing APIs.
    pub json_listings: Vec<JsonListing>,
    /// Edge search.
    pub search: Option<SearchConfig>,
    /// The storefront's own hosts (`site.hosts`): the only hosts absolute URLs vitrine writes
    /// into pages may name, and the public host of redirects.
    pub hosts: Vec<String>,
    /// Sample pages validate and push check the selectors against.
    pub samples: Vec<String>,
    /// Rule-level tests.
    pub experiments: Vec<crate::experiment::RuleTest>,
    /// A canary version on a share of traffic (not in the document: set when the isolate loads a
    /// canary pointer, on the live config and the canary's, so both report the arm).
    pub canary: Option<crate::experiment::Canary>,
}

/// A page classified by the config: its rule and what its URL captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    /// The page type.
    pub kind: PageKind,
    /// Captures from the path pattern.
    pub captures: Vec<(String, String)>,
    /// The page is of this type only if its markup has this element (decided as it streams).
    pub marker: Option<Sel>,
    /// Without the marker: the next rule the path matches, if any.
    pub otherwise: Option<Box<Classified>>,
}

impl Classified {
    /// A capture by name.
    pub fn capture(&self, name: &str) -> Option<&str> {
        self.captures
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Config {
    /// The page type of a request, if the config knows it.
    pub fn classify(&self, method: &str, path: &str) -> Option<Classified> {
        self.classify_from(0, method, path, 0)
    }

    /// The first rule from `from` matching; a rule with a marker chains the next match (at most
    /// [`MAX_MARKED`] deep), for the page's markup to decide between them.
    fn classify_from(&self, from: usize, method: &str, path: &str, depth: usize) -> Option<Classified> {
        let (i, rule, captures) = self.pages.iter().enumerate().skip(from).find_map(|(i, rule)| {
            let head_of_get = rule.method == "GET" && method.eq_ignore_ascii_case("HEAD");
            if !(rule.method.eq_ignore_ascii_case(method) || head_of_get) {
                return None;
            }
            Some((i, rule, rule.pattern.matches(path)?))
        })?;
        let otherwise = match &rule.marker {
            Some(_) if depth + 1 < MAX_MARKED => {
                self.classify_from(i + 1, method, path, depth + 1).map(Box::new)
            }
            _ => None,
        };
        Some(Classified {
            kind: rule.kind,
            captures,
            marker: rule.marker.clone(),
            otherwise,
        })
    }

    /// The candidates of a classification, in order: each with a marker, then one without.
    pub fn candidates(page: &Classified) -> Vec<&Classified> {
        let mut out = vec![page];
        let mut at = page;
        while let Some(next) = at.otherwise.as_deref() {
            out.push(next);
            at = next;
        }
        out
    }

    /// Whether any rule is in shadow mode (evaluated on live traffic, never served).
    pub fn has_shadow(&self) -> bool {
        self.rules.iter().any(|r| r.mode == Mode::Shadow)
    }
}

/// Most page types one URL may be, told apart by markers.
pub const MAX_MARKED: usize = 4;

/// Parses and compiles a JSON document, reporting every problem found.
pub fn compile_json(json: &str) -> Result<Config, Vec<Problem>> {
    if json.len() > MAX_DOCUMENT {
        return Err(vec![Problem::new(
            "(document)",
            "must be at most 2 MB; push large catalogs separately",
        )]);
    }
    compile_value(&doc::parse(json).map_err(|e| vec![e])?)
}

/// Reads and compiles a parsed JSON document, reporting every problem found at once: wrong types,
/// missing and unknown fields, and invalid values. What could not be read is left out of the
/// compile, so a problem the compile would report only because of it (a rule with its only action
/// unreadable) is not reported twice.
pub fn compile_value(value: &serde_json::Value) -> Result<Config, Vec<Problem>> {
    let mut p = Problems::default();
    let raw = doc::object(value, "", &mut p, RawConfig::read);
    let read = p.0;
    let Some(raw) = raw else {
        return Err(read);
    };
    match compile(raw) {
        Ok(config) if read.is_empty() => Ok(config),
        Ok(_) => Err(read),
        Err(compiled) if read.is_empty() => Err(compiled),
        Err(compiled) => {
            let related = |a: &str, b: &str| {
                a == b || a.starts_with(&format!("{b}.")) || a.starts_with(&format!("{b}["))
            };
            let mut all = read.clone();
            all.extend(compiled.into_iter().filter(|c| {
                !read
                    .iter()
                    .any(|r| related(&r.path, &c.path) || related(&c.path, &r.path))
            }));
            // By path, so faults of both kinds in three rules read rule by rule.
            all.sort_by_key(|p| natural(&p.path));
            Err(all)
        }
    }
}

/// A path's sort key: `rules[10]` after `rules[9]`.
fn natural(path: &str) -> Vec<(String, u64)> {
    path.split(['.', '['])
        .map(|part| {
            let part = part.trim_end_matches(']');
            match part.parse::<u64>() {
                Ok(n) => (String::new(), n),
                Err(_) => (part.to_owned(), 0),
            }
        })
        .collect()
}

/// Validates a raw document into a [`Config`], section by section, every problem reported.
pub fn compile(raw: RawConfig) -> Result<Config, Vec<Problem>> {
    let mut p = Problems::default();
    if raw.version != VERSION {
        p.add("version", "must be 1");
    }
    let pages = site::compile_pages(&raw.site.pages, &mut p);
    let (product_sources, learn_window) = raw.site.pdp.as_ref().map_or((Vec::new(), 128 * 1024), |pdp| {
        markup::compile_sources(pdp, &mut p)
    });
    let identity = raw
        .site
        .identity
        .as_ref()
        .and_then(|id| site::compile_identity(id, &mut p));
    let cookie = site::compile_cookie(&raw.signal, &mut p);
    let consent = site::compile_consent(raw.consent.as_ref(), &mut p);
    let debug = site::compile_debug(&raw.debug, &mut p);
    let mode = match raw.mode.as_deref() {
        None => Mode::Enforce,
        Some(m) => Mode::parse(m).unwrap_or_else(|| {
            p.add("mode", "must be enforce or shadow");
            Mode::Enforce
        }),
    };
    let (strength, holdout) = site::compile_personalization(raw.personalization.as_ref(), &mut p);
    let plp = raw.site.plp.as_ref();
    let grids = plp.map_or_else(Vec::new, |plp| markup::compile_grids(&plp.grids, &mut p));
    let hero = plp
        .and_then(|plp| plp.hero.as_ref())
        .and_then(|h| markup::compile_hero(h, &mut p));
    let gallery = raw
        .site
        .pdp
        .as_ref()
        .and_then(|pdp| pdp.gallery.as_ref())
        .and_then(|g| markup::compile_gallery(g, &mut p));
    let catalog = catalog::compile_inline(raw.catalog.as_ref(), &mut p);
    let json_listings = site::compile_json_listings(&raw.site.json_listings, &mut p);
    let search = raw
        .site
        .search
        .as_ref()
        .and_then(|s| search::compile_search(s, &mut p));
    let hosts = site::compile_hosts(&raw.site.hosts, &mut p);
    let samples = site::compile_samples(&raw.site.samples, &mut p);
    let zone = match raw.site.time_zone.as_deref() {
        None => 0,
        Some(z) => rules::parse_offset(z).unwrap_or_else(|| {
            p.add(
                "site.time_zone",
                "must be UTC or a fixed offset such as +01:00 (zone names are not supported: write the offset in effect, or RFC 3339 times)",
            );
            0
        }),
    };
    let rules = rules::compile_rules(&raw.rules, mode, &hosts, zone, &mut p.0);
    let mut experiments: Vec<crate::experiment::RuleTest> = Vec::new();
    for (i, e) in raw.experiments.iter().enumerate() {
        let at = |f: &str| format!("experiments[{i}].{f}");
        let before = p.0.len();
        if !(e.id.len() <= 64
            && !e.id.is_empty()
            && e.id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)))
            || e.id == crate::experiment::HOLDOUT
        {
            p.add(
                at("id"),
                "must be 1 to 64 of letters, digits, - _ . (and not \"holdout\": the global holdout's)",
            );
        }
        if experiments.iter().any(|x| x.id == e.id) {
            p.add(at("id"), "is used by another experiment");
        }
        if !rules.iter().any(|r| r.id == e.rule) {
            p.add(at("rule"), &format!("names no rule: {:?}", e.rule));
        }
        if !(0.0..=1.0).contains(&e.share) {
            p.add(at("share"), "must be 0 to 1");
        }
        if p.0.len() == before {
            experiments.push(crate::experiment::RuleTest {
                id: e.id.clone(),
                rule: e.rule.clone(),
                share: e.share,
                salt: e.salt.clone().unwrap_or_else(|| e.id.clone()),
            });
        }
    }
    for rule in &rules {
        for (j, name) in rule.scope.grids.iter().enumerate() {
            if !grids.iter().any(|g| &g.name == name) {
                p.add(
                    format!("rules[{}].scope.grids[{j}]", rule.index),
                    &format!("names no grid of site.plp.grids: {name:?}"),
                );
            }
        }
    }
    p.into_result(|| Config {
        mode,
        grids,
        hero,
        gallery,
        rules,
        catalog,
        strength,
        holdout,
        pages,
        product_sources,
        learn_window,
        identity,
        cookie,
        consent,
        debug,
        forward_cookies: raw.site.forward_cookies,
        json_listings,
        search,
        hosts,
        samples,
        experiments,
        canary: None,
    })
}

/// A header, cookie or attribute name: an RFC 9110 token of at most 64 characters.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../www/vitrine.config.json");

    #[test]
    fn the_demo_config_compiles_and_classifies_the_demo_store() {
        let c = compile_json(DEMO).unwrap();
        let plp = c.classify("GET", "/c/outerwear?page=2").unwrap();
        assert_eq!(
            (plp.kind, plp.capture("category")),
            (PageKind::Plp, Some("outerwear"))
        );
        assert_eq!(c.classify("GET", "/p/some-slug").unwrap().kind, PageKind::Pdp);
        assert_eq!(c.classify("HEAD", "/p/some-slug").unwrap().kind, PageKind::Pdp);
        assert_eq!(c.classify("POST", "/cart/add").unwrap().kind, PageKind::CartAdd);
        assert_eq!(c.classify("GET", "/cart/add"), None);
        assert_eq!(
            c.classify("POST", "/checkout/complete").unwrap().kind,
            PageKind::CheckoutComplete
        );
        assert!(!c.product_sources.is_empty());
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let doc = r#"{
          "version": 2,
          "site": {
            "pages": [
              {"type": "plp", "path": "c/{category}"},
              {"type": "nope", "path": "/x"},
              {"type": "pdp", "path": "/p/{slug}", "method": "FETCH"}
            ],
            "pdp": {"product_data": [
              {"source": "attributes", "selector": "div[", "brand": "data-brand"},
              {"source": "text", "selector": "h1", "field": "colour"}
            ], "learn_window_kb": 5000},
            "identity": {}
          },
          "signal": {"cookie": "bad name", "max_age_days": 0},
          "consent": {"cookie": "c", "granted": [], "denied": [], "opt_in_countries": ["DEU"]}
        }"#;
        let problems = compile_json(doc).unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "version",
                "site.pages[0].path",
                "site.pages[1].type",
                "site.pages[2].method",
                "site.pdp.product_data[0].selector",
                "site.pdp.product_data[1].field",
                "site.pdp.learn_window_kb",
                "site.identity",
                "signal.cookie",
                "signal.max_age_days",
                "consent.granted",
                "consent.opt_in_countries[0]",
            ],
            "{problems:#?}"
        );
        assert_eq!(problems[1].to_string(), "site.pages[0].path: must start with /");
    }

    #[test]
    fn every_fault_at_once_type_errors_included() {
        let problems = compile_json(
            r#"{"$schema": "https://vitrine.dev/schema/config-v1.json", "version": 1, "rules": [
                {"id": "a", "boost": {"match": {"brand": ["x"]}, "weight": "strong?"}},
                {"id": "b", "pin": {"product": "A", "position": 0}},
                {"id": "c", "exclude": {"match": {}}, "colour": "red"}
            ]}"#,
        )
        .unwrap_err();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "rules[0].boost.weight",
                "rules[1].pin.position",
                "rules[2].colour",
                "rules[2].exclude.match"
            ],
            "{problems:#?}"
        );
        assert!(problems[0].message.contains("must be a number"));
        // A missing version is one problem, and the rest is still checked.
        let p =
            compile_json(r#"{"rules": [{"id": "b", "pin": {"product": "A", "position": 0}}]}"#).unwrap_err();
        let paths: Vec<&str> = p.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["rules[0].pin.position", "version"]);
    }

    #[test]
    fn unknown_fields_and_bad_json_are_rejected() {
        let p = compile_json(r#"{"version": 1, "sight": {}}"#).unwrap_err();
        assert!(p[0].message.contains("unknown field `sight`"), "{p:?}");
        assert!(compile_json("{").is_err());
        assert!(compile_json(r#"{"version": 1}"#).is_ok());
    }
}
