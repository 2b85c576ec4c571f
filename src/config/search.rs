//! The edge search settings (`site.search`): which storefront paths are answered at the edge, the
//! origin's search API and its fallbacks, the time budget, the edge cache, the circuit breaker, and
//! the [`Mapping`] that reads any engine's response through JSON pointers.

use super::markup::fact_names;
use super::pattern::PathPattern;
use super::wire::{RawMapping, RawSearch};
use crate::doc::Problems;
use crate::product::FactNames;

/// How to read an engine's response: JSON pointers to the hits array, to a hit's product key and
/// facts, and to the total. The engine's order is what re-ranking starts from (its scores are not
/// read: an order is comparable across engines, scores are not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// Pointer to the hits array (`/hits`, Elasticsearch `/hits/hits`).
    pub hits: String,
    /// Pointer within a hit to the product key (`/key`, Algolia `/objectID`, ES `/_source/sku`).
    pub key: String,
    /// Pointer to the total, if any.
    pub total: Option<String>,
    /// Pointers within a hit to its brand, category, price and stock, when the engine returns
    /// them (the catalog fills in what is missing).
    pub facts: FactNames,
}

impl Default for Mapping {
    fn default() -> Self {
        Mapping {
            hits: "/hits".into(),
            key: "/key".into(),
            total: Some("/total".into()),
            facts: FactNames {
                brand: Some("/product/brand".into()),
                category: Some("/product/category".into()),
                price: Some("/product/price".into()),
                stock: Some("/product/stock".into()),
            },
        }
    }
}

/// The compiled search settings.
#[derive(Debug, Clone)]
pub struct SearchConfig {
    /// The storefront path answered at the edge.
    pub path: PathPattern,
    /// Query parameter.
    pub query_param: String,
    /// Origin search API path.
    pub upstream: String,
    /// Keyword fallback path and query.
    pub keyword_fallback: Option<String>,
    /// Budget, ms.
    pub budget_ms: u32,
    /// Fresh for, ms.
    pub cache_ttl_ms: u64,
    /// Longest query.
    pub max_query: usize,
    /// Failures that open the circuit.
    pub circuit_failures: u32,
    /// Open for, ms.
    pub circuit_open_ms: u64,
    /// Response mapping.
    pub mapping: Mapping,
    /// The server-rendered search page.
    pub page: Option<PathPattern>,
    /// Its keyword-only variant.
    pub page_keyword_fallback: Option<String>,
}

/// The search section; `None` (with problems) when its path does not parse.
pub fn compile_search(sr: &RawSearch, p: &mut Problems) -> Option<SearchConfig> {
    let at = |f: &str| format!("site.search.{f}");
    let path = PathPattern::parse(&sr.path)
        .map_err(|e| p.add(at("path"), e.0))
        .ok()?;
    let upstream = sr.upstream.clone().unwrap_or_else(|| sr.path.clone());
    if !upstream.starts_with('/') || upstream.contains(['?', '#']) {
        p.add(at("upstream"), "must be a path on the origin");
    }
    if sr
        .keyword_fallback
        .as_deref()
        .is_some_and(|k| !k.starts_with('/') || k.contains('#'))
    {
        p.add(at("keyword_fallback"), "must be a path (and query) on the origin");
    }
    let budget = sr.budget_ms.unwrap_or(300);
    p.in_range(at("budget_ms"), budget, 20..=5000);
    let max_query = sr.max_query.unwrap_or(100);
    p.in_range(at("max_query"), max_query, 1..=1000);
    let failures = sr.circuit_failures.unwrap_or(3);
    p.in_range(at("circuit_failures"), failures, 1..=1000);
    let page = sr
        .page
        .as_deref()
        .and_then(|pg| PathPattern::parse(pg).map_err(|e| p.add(at("page"), e.0)).ok());
    Some(SearchConfig {
        path,
        query_param: sr.query_param.clone().unwrap_or_else(|| "q".into()),
        upstream,
        keyword_fallback: sr.keyword_fallback.clone(),
        budget_ms: budget.clamp(20, 5000),
        cache_ttl_ms: u64::from(sr.cache_ttl_s.unwrap_or(60)) * 1000,
        max_query: max_query.clamp(1, 1000) as usize,
        circuit_failures: failures.max(1),
        circuit_open_ms: u64::from(sr.circuit_open_s.unwrap_or(10)) * 1000,
        mapping: sr
            .mapping
            .as_ref()
            .map_or_else(Mapping::default, |m| compile_mapping(m, p)),
        page,
        page_keyword_fallback: sr.page_keyword_fallback.clone(),
    })
}

fn compile_mapping(m: &RawMapping, p: &mut Problems) -> Mapping {
    for (f, v) in [
        ("hits", Some(&m.hits)),
        ("key", Some(&m.key)),
        ("total", m.total.as_ref()),
    ] {
        if v.is_some_and(|v| !v.is_empty() && !v.starts_with('/')) {
            p.add(format!("site.search.mapping.{f}"), "must be a JSON pointer");
        }
    }
    Mapping {
        hits: m.hits.clone(),
        key: m.key.clone(),
        total: m.total.clone(),
        facts: fact_names(m.facts.as_ref(), "site.search.mapping", p),
    }
}
