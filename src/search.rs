//! Talking to the origin's search API, platform-free: query validation and normalization, the
//! bounded edge-cache key, the circuit breaker, the request to the contract, and reading an
//! engine's response through a mapping of JSON pointers (so an existing engine, Algolia,
//! Elasticsearch/OpenSearch, Typesense, Meilisearch, plugs in without code).
//!
//! The glue (`glue/search.rs`) carries these out: fetch within the budget, Cache API, fallbacks.

use serde::Serialize;
use serde_json::Value;

use crate::config::rules::normalize_query;

/// Which path served a search (in `x-vitrine` and events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Served {
    /// The origin's search API, within the budget.
    Origin,
    /// A fresh edge-cached answer.
    Cache,
    /// A stale edge-cached answer, because the origin failed.
    Stale,
    /// The origin's keyword endpoint, because the main one failed.
    Keyword,
    /// The origin's response as it came (nothing better was available).
    Passthrough,
}

impl Served {
    /// Token for headers.
    pub fn token(self) -> &'static str {
        match self {
            Served::Origin => "origin",
            Served::Cache => "cache",
            Served::Stale => "stale",
            Served::Keyword => "keyword",
            Served::Passthrough => "passthrough",
        }
    }
}

/// Why a query was refused before leaving the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError(pub &'static str);

/// Validates and normalizes a query: at most `max` characters, no control characters; lowercase,
/// single spaces. An empty query is allowed (an honest empty state).
pub fn clean_query(raw: &str, max: usize) -> Result<String, QueryError> {
    if raw.chars().count() > max {
        return Err(QueryError("query too long"));
    }
    if raw.chars().any(|c| c.is_control()) {
        return Err(QueryError("query contains control characters"));
    }
    Ok(normalize_query(raw))
}

/// The edge-cache key of an unpersonalized answer: only what changes the origin's answer (the
/// normalized query, the page, a category filter), so the key space stays bounded.
pub fn cache_key(query: &str, page: u32, category: Option<&str>) -> String {
    let mut key = format!(
        "https://vitrine-search.invalid/v1?q={}&p={}",
        encode(query),
        page.clamp(1, 50)
    );
    if let Some(c) = category.filter(|c| c.len() <= 64) {
        key.push_str("&c=");
        key.push_str(&encode(&c.to_lowercase()));
    }
    key
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The query string sent to the origin's search API (GET, so caches in front of it work too):
/// the query, the page, a category filter, and the visitor's coarse affinities (names only, at
/// most three each; never an id or a cookie).
pub fn upstream_query(
    query: &str,
    page: u32,
    category: Option<&str>,
    brands: &[String],
    categories: &[String],
) -> String {
    let mut q = format!("q={}&page={}", encode(query), page.clamp(1, 50));
    if let Some(c) = category {
        q.push_str("&category=");
        q.push_str(&encode(c));
    }
    for b in brands.iter().take(3) {
        q.push_str("&affinity_brand=");
        q.push_str(&encode(b));
    }
    for c in categories.iter().take(3) {
        q.push_str("&affinity_category=");
        q.push_str(&encode(c));
    }
    q
}

/// A circuit breaker: after `threshold` consecutive failures the circuit opens for `open_ms`;
/// then one trial request is let through (half-open); a success closes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Circuit {
    failures: u32,
    open_until: u64,
}

impl Circuit {
    /// Whether a request may go to the origin at `now_ms`.
    pub fn allows(&self, now_ms: u64) -> bool {
        now_ms >= self.open_until
    }

    /// Whether the circuit is open at `now_ms`.
    pub fn is_open(&self, now_ms: u64) -> bool {
        !self.allows(now_ms)
    }

    /// Records a success.
    pub fn success(&mut self) {
        self.failures = 0;
        self.open_until = 0;
    }

    /// Records a failure; opens the circuit at the threshold.
    pub fn failure(&mut self, now_ms: u64, threshold: u32, open_ms: u64) {
        self.failures = self.failures.saturating_add(1);
        if self.failures >= threshold {
            self.open_until = now_ms + open_ms;
        }
    }
}

/// How to read an engine's response: JSON pointers to the hits array, and within a hit to its
/// product key and score; and to the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// Pointer to the hits array (`/hits`, Elasticsearch `/hits/hits`).
    pub hits: String,
    /// Pointer within a hit to the product key (`/key`, Algolia `/objectID`, ES `/_source/sku`).
    pub key: String,
    /// Pointer within a hit to its score, if any.
    pub score: Option<String>,
    /// Pointer to the total, if any.
    pub total: Option<String>,
    /// Pointers within a hit to its brand, category, price and stock, when the engine returns
    /// them (the catalog fills in what is missing).
    pub facts: [Option<String>; 4],
}

impl Default for Mapping {
    fn default() -> Self {
        Mapping {
            hits: "/hits".into(),
            key: "/key".into(),
            score: Some("/score".into()),
            total: Some("/total".into()),
            facts: [
                Some("/product/brand".into()),
                Some("/product/category".into()),
                Some("/product/price".into()),
                Some("/product/stock".into()),
            ],
        }
    }
}

/// What a response holds, read through the mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Hit byte ranges in the body (for reordering with bytes kept).
    pub spans: Vec<(usize, usize)>,
    /// Product keys, in the engine's order.
    pub keys: Vec<Option<String>>,
    /// What each hit says about its product (facts through the mapping).
    pub items: Vec<crate::rank::Item>,
    /// Total results, when the engine says.
    pub total: Option<u64>,
}

/// Reads an engine response; `None` when it is not the expected shape (malformed: fall back).
pub fn read_answer(body: &[u8], mapping: &Mapping) -> Option<Answer> {
    let doc: Value = serde_json::from_slice(body).ok()?;
    let spans = crate::rewrite::json::array_items(body, &mapping.hits)?;
    let hits = doc.pointer(&mapping.hits)?.as_array()?;
    if hits.len() != spans.len() {
        return None;
    }
    let text = |h: &Value, p: &str| match h.pointer(p)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let keys: Vec<Option<String>> = hits.iter().map(|h| text(h, &mapping.key)).collect();
    let [brand, category, price, stock] = &mapping.facts;
    let items = hits
        .iter()
        .zip(&keys)
        .map(|(h, k)| crate::rank::Item {
            key: k.clone(),
            brand: brand
                .as_deref()
                .and_then(|p| text(h, p))
                .map(|b| b.to_lowercase()),
            category: category
                .as_deref()
                .and_then(|p| text(h, p))
                .map(|c| c.to_lowercase()),
            tags: Vec::new(),
            price: price
                .as_deref()
                .and_then(|p| text(h, p))
                .and_then(|p| p.parse().ok()),
            stock: stock.as_deref().and_then(|p| text(h, p)),
        })
        .collect();
    let total = mapping
        .total
        .as_deref()
        .and_then(|p| doc.pointer(p))
        .and_then(|t| t.as_u64().or_else(|| t.pointer("/value").and_then(Value::as_u64)));
    Some(Answer {
        spans,
        keys,
        items,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_validated_and_normalized() {
        assert_eq!(clean_query("  Warm   JACKET ", 100).unwrap(), "warm jacket");
        assert!(clean_query(&"x".repeat(101), 100).is_err());
        assert!(clean_query("boots\u{0}", 100).is_err());
        assert!(clean_query("boots\n", 100).is_err());
        assert_eq!(clean_query("", 100).unwrap(), "");
    }

    #[test]
    fn cache_keys_are_bounded_and_normalized() {
        assert_eq!(
            cache_key("warm jacket", 1, None),
            "https://vitrine-search.invalid/v1?q=warm%20jacket&p=1"
        );
        assert_eq!(
            cache_key("x", 999, Some("Bags")),
            "https://vitrine-search.invalid/v1?q=x&p=50&c=bags"
        );
        let up = upstream_query(
            "a&b",
            2,
            None,
            &["Kestrel".into(), "A".into(), "B".into(), "C".into()],
            &[],
        );
        assert_eq!(
            up,
            "q=a%26b&page=2&affinity_brand=Kestrel&affinity_brand=A&affinity_brand=B"
        );
    }

    #[test]
    fn the_circuit_opens_after_failures_and_closes_on_success() {
        let mut c = Circuit::default();
        c.failure(1000, 3, 5000);
        c.failure(1100, 3, 5000);
        assert!(c.allows(1200));
        c.failure(1200, 3, 5000);
        assert!(c.is_open(1300));
        assert!(c.allows(6200), "half-open after the open period");
        c.success();
        assert!(c.allows(6300));
    }

    #[test]
    fn an_elasticsearch_response_is_read_through_a_mapping() {
        // A recorded OpenSearch/Elasticsearch response shape (hits.hits[]._source, hits.total.value).
        let body =
            br#"{"took":7,"timed_out":false,"hits":{"total":{"value":3,"relation":"eq"},"max_score":4.2,
          "hits":[{"_index":"products","_id":"1","_score":4.2,"_source":{"sku":"VT-0002","title":"A"}},
                  {"_index":"products","_id":"2","_score":3.1,"_source":{"sku":"VT-0005","title":"B"}},
                  {"_index":"products","_id":"3","_score":1.0,"_source":{"sku":"VT-0009","title":"C"}}]}}"#;
        let m = Mapping {
            hits: "/hits/hits".into(),
            key: "/_source/sku".into(),
            score: Some("/_score".into()),
            total: Some("/hits/total".into()),
            facts: [None, None, None, None],
        };
        let a = read_answer(body, &m).unwrap();
        assert_eq!(
            a.keys,
            vec![
                Some("VT-0002".into()),
                Some("VT-0005".into()),
                Some("VT-0009".into())
            ]
        );
        assert_eq!(a.total, Some(3));
        let out = crate::rewrite::json::splice(body, &a.spans, &[2, 0, 1]).unwrap();
        let again = read_answer(&out, &m).unwrap();
        assert_eq!(again.keys[0].as_deref(), Some("VT-0009"));
        // An Algolia response: hits[].objectID, nbHits.
        let algolia =
            br#"{"hits":[{"objectID":"VT-0001","name":"x"},{"objectID":"VT-0003"}],"nbHits":2,"page":0}"#;
        let m = Mapping {
            hits: "/hits".into(),
            key: "/objectID".into(),
            score: None,
            total: Some("/nbHits".into()),
            facts: [None, None, None, None],
        };
        assert_eq!(read_answer(algolia, &m).unwrap().total, Some(2));
        assert!(read_answer(b"{\"oops\":1}", &Mapping::default()).is_none());
        assert!(read_answer(b"not json", &Mapping::default()).is_none());
    }
}
