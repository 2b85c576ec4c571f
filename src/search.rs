//! Talking to the origin's search API, platform-free: query validation and normalization, the
//! bounded edge-cache key, the circuit breaker, the request to the contract, and reading an
//! engine's response through a mapping of JSON pointers (so an existing engine, Algolia,
//! Elasticsearch/OpenSearch, Typesense, Meilisearch, plugs in without code).
//!
//! The glue (`glue/search.rs`) carries these out: fetch within the budget, Cache API, fallbacks.

use serde::Serialize;
use serde_json::Value;

use crate::config::rules::normalize_query;
use crate::config::{Mapping, SearchConfig};
use crate::product::Item;

/// The header an edge-cached search answer carries: when it was stored (Unix ms). Never sent to
/// a visitor.
pub const CACHED_AT: &str = "x-vitrine-cached-at";

/// How long the edge cache keeps an unpersonalized answer (freshness is [`CACHED_AT`] against the
/// config's `cache_ttl_s`; past it a stored answer is still the stale fallback).
pub const STORED_FOR: &str = "public, max-age=86400";
/// Header of a stored search page holding the origin's own `Cache-Control` (or nothing), put back
/// when the page is served from the edge cache: the storage lifetime never reaches a browser.
pub const ORIGIN_CACHE_CONTROL: &str = "x-vitrine-origin-cache-control";

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

/// Longest category filter, in characters: a longer one is refused, never dropped from the key.
pub const MAX_CATEGORY: usize = 64;

/// The edge-cache key of an unpersonalized answer: exactly what is sent upstream (the normalized
/// query, the page, the normalized category filter; nothing of the visitor's).
pub fn cache_key(query: &str, page: u32, category: Option<&str>) -> String {
    format!(
        "https://vitrine-search.invalid/v2?{}",
        upstream_query(query, page, category)
    )
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

/// The query string sent to the origin's search API and search page (GET, so caches in front of
/// them work too): the normalized query, the page, the normalized category filter. Nothing of the
/// visitor's: the answer is shared through the edge cache, so personalization happens here.
pub fn upstream_query(query: &str, page: u32, category: Option<&str>) -> String {
    let mut q = format!("q={}&page={}", encode(query), page.clamp(1, 50));
    if let Some(c) = category {
        q.push_str("&category=");
        q.push_str(&encode(c));
    }
    q
}

/// Which cache keys are worth storing: a query seen at least twice in this isolate (recently),
/// so one-off queries (and an attacker's stream of unique ones) never fill the edge cache. The
/// table is bounded; when full it starts over.
#[derive(Debug, Default)]
pub struct Admission {
    seen: std::collections::HashMap<u64, u8>,
}

/// Entries the admission table holds before it starts over.
const ADMISSION_TABLE: usize = 8192;

impl Admission {
    /// Notes one request for `key`; whether its answer may be stored.
    pub fn admit(&mut self, key: &str) -> bool {
        if self.seen.len() >= ADMISSION_TABLE {
            self.seen.clear();
        }
        let h = crate::hash::fnv1a64(key.bytes());
        let n = self.seen.entry(h).or_insert(0);
        *n = n.saturating_add(1);
        *n >= 2
    }
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

/// What a response holds, read through the mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Hit byte ranges in the body (for reordering with bytes kept).
    pub spans: Vec<(usize, usize)>,
    /// Product keys, in the engine's order.
    pub keys: Vec<Option<String>>,
    /// What each hit says about its product (facts through the mapping).
    pub items: Vec<Item>,
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
    let items = hits
        .iter()
        .zip(&keys)
        .map(|(h, k)| mapping.facts.read(k.clone(), |p| text(h, p)))
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

/// The query, page and category filter of a search request, validated and normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Normalized query (lowercase, single spaces).
    pub text: String,
    /// Results page, 1..=50.
    pub page: u32,
    /// Category filter, normalized like the query.
    pub category: Option<String>,
    /// Whether the request carried parameters beyond the query, page and category (a sort, a
    /// mode, a filter): its answer cannot be keyed by those three, so it is never cached.
    pub other_params: bool,
}

impl Query {
    /// Reads a request's parameters: `param(name)` → first value, `names` every parameter name.
    pub fn read<'n>(
        sc: &SearchConfig,
        param: impl Fn(&str) -> Option<String>,
        names: impl IntoIterator<Item = &'n str>,
    ) -> Result<Query, QueryError> {
        let text = clean_query(&param(&sc.query_param).unwrap_or_default(), sc.max_query)?;
        let page = param("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1u32)
            .clamp(1, 50);
        let category = match param("category") {
            Some(c) if c.chars().count() > MAX_CATEGORY => return Err(QueryError("category too long")),
            Some(c) => Some(clean_query(&c, MAX_CATEGORY)?).filter(|c| !c.is_empty()),
            None => None,
        };
        let other_params = names
            .into_iter()
            .any(|n| n != sc.query_param && n != "page" && n != "category");
        Ok(Query {
            text,
            page,
            category,
            other_params,
        })
    }

    /// The query string sent upstream for this query.
    pub fn upstream(&self) -> String {
        upstream_query(&self.text, self.page, self.category.as_deref())
    }

    /// The edge-cache key of the unpersonalized answer.
    pub fn cache_key(&self) -> String {
        cache_key(&self.text, self.page, self.category.as_deref())
    }
}

/// An engine answer the edge may serve: its bytes, and what they say.
pub type Readable = (Vec<u8>, Answer);

/// What the search API path does next. The glue performs the step and reports its result; all
/// the policy (freshness, the circuit, which fallback comes next) is [`ApiFlow`]'s.
#[derive(Debug)]
pub enum ApiStep {
    /// GET this URL on the origin within the budget (the body must arrive in time too).
    Fetch {
        /// Absolute URL.
        url: String,
        /// Milliseconds.
        budget_ms: u32,
    },
    /// Done: serve this.
    Answer(Answered),
}

/// The unpersonalized answer a search request gets, before re-ranking.
#[derive(Debug)]
pub struct Answered {
    /// HTTP status to answer with.
    pub status: u16,
    /// The body (the engine's bytes, or an honest empty state).
    pub body: Vec<u8>,
    /// Which path served it.
    pub served: Served,
    /// What the body says, when it is readable.
    pub answer: Option<Answer>,
    /// Store the body in the edge cache under this key (a fresh origin answer).
    pub store: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Awaiting {
    Cache,
    Origin,
    Keyword,
}

/// The search API's fallback chain: a fresh cached answer, else the origin's search API within
/// the budget (when the circuit allows), else a stale cached answer, else the keyword endpoint,
/// else the origin's own non-5xx response, else an honest empty state. Never an error page.
#[derive(Debug)]
pub struct ApiFlow {
    upstream_url: String,
    keyword_url: Option<String>,
    budget_ms: u32,
    cache_ttl_ms: u64,
    circuit: (u32, u64),
    mapping: Mapping,
    query: Query,
    key: String,
    cached: Option<Vec<u8>>,
    origin_failure: Option<(u16, Vec<u8>)>,
    awaiting: Awaiting,
}

impl ApiFlow {
    /// A flow for `query`; `origin` turns an origin path into a URL. The search API gets the
    /// normalized query only: its answer is shared through the edge cache.
    pub fn new(sc: &SearchConfig, query: Query, origin: impl Fn(&str) -> String) -> ApiFlow {
        let params = query.upstream();
        let keyword_url = sc.keyword_fallback.as_ref().map(|k| {
            let sep = if k.contains('?') { '&' } else { '?' };
            format!("{}{sep}{params}", origin(k))
        });
        ApiFlow {
            upstream_url: format!("{}?{params}", origin(&sc.upstream)),
            keyword_url,
            budget_ms: sc.budget_ms,
            cache_ttl_ms: sc.cache_ttl_ms,
            circuit: (sc.circuit_failures, sc.circuit_open_ms),
            mapping: sc.mapping.clone(),
            key: query.cache_key(),
            query,
            cached: None,
            origin_failure: None,
            awaiting: Awaiting::Cache,
        }
    }

    /// The edge-cache key to read first.
    pub fn cache_key(&self) -> &str {
        &self.key
    }

    /// The validated query.
    pub fn query(&self) -> &Query {
        &self.query
    }

    fn readable(&self, body: Vec<u8>) -> Result<Readable, Vec<u8>> {
        match read_answer(&body, &self.mapping) {
            Some(a) => Ok((body, a)),
            None => Err(body),
        }
    }

    /// What the edge cache held (`(stored at ms, body)`), at `now_ms`.
    pub fn cached(&mut self, cached: Option<(u64, Vec<u8>)>, now_ms: u64, circuit: &mut Circuit) -> ApiStep {
        if let Some((at, body)) = cached {
            if now_ms.saturating_sub(at) < self.cache_ttl_ms {
                match self.readable(body) {
                    Ok(good) => return self.answer(good, Served::Cache, None),
                    Err(body) => self.cached = Some(body),
                }
            } else {
                self.cached = Some(body);
            }
        }
        if circuit.allows(now_ms) {
            self.awaiting = Awaiting::Origin;
            return ApiStep::Fetch {
                url: self.upstream_url.clone(),
                budget_ms: self.budget_ms,
            };
        }
        self.fall_back()
    }

    /// What the last fetch got: `(status, body)`, or `None` for a timeout or a network error.
    /// Only those and `5xx` answers count against the circuit: a `4xx` is about the request.
    pub fn fetched(&mut self, got: Option<(u16, Vec<u8>)>, now_ms: u64, circuit: &mut Circuit) -> ApiStep {
        let outage = got.as_ref().is_none_or(|(status, _)| *status >= 500);
        let good = match got {
            Some((200, body)) => self.readable(body).map_err(|b| Some((200, b))),
            other => Err(other),
        };
        match (self.awaiting, good) {
            (Awaiting::Origin, Ok(good)) => {
                circuit.success();
                let key = self.key.clone();
                self.answer(good, Served::Origin, Some(key))
            }
            (Awaiting::Origin, Err(failure)) => {
                if outage {
                    circuit.failure(now_ms, self.circuit.0, self.circuit.1);
                }
                self.origin_failure = failure;
                self.fall_back()
            }
            (Awaiting::Keyword, Ok(good)) => self.answer(good, Served::Keyword, None),
            (Awaiting::Keyword | Awaiting::Cache, _) => self.last_resort(),
        }
    }

    fn fall_back(&mut self) -> ApiStep {
        if let Some(body) = self.cached.take() {
            if let Ok(good) = self.readable(body) {
                return self.answer(good, Served::Stale, None);
            }
        }
        if let Some(url) = self.keyword_url.clone() {
            self.awaiting = Awaiting::Keyword;
            return ApiStep::Fetch {
                url,
                budget_ms: self.budget_ms,
            };
        }
        self.last_resort()
    }

    fn last_resort(&mut self) -> ApiStep {
        let (status, body) = match self.origin_failure.take() {
            Some((status, body)) if status < 500 => (status, body),
            _ => (
                200,
                serde_json::json!({ "query": self.query.text, "hits": [], "total": 0, "degraded": true })
                    .to_string()
                    .into_bytes(),
            ),
        };
        let answer = read_answer(&body, &self.mapping);
        ApiStep::Answer(Answered {
            status,
            body,
            served: Served::Passthrough,
            answer,
            store: None,
        })
    }

    fn answer(&self, (body, answer): Readable, served: Served, store: Option<String>) -> ApiStep {
        ApiStep::Answer(Answered {
            status: 200,
            body,
            served,
            answer: Some(answer),
            store,
        })
    }
}

/// What the server-rendered search page path does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStep {
    /// GET this page on the origin within the budget (the whole body must arrive in time).
    Fetch {
        /// Absolute URL.
        url: String,
        /// Milliseconds.
        budget_ms: u32,
    },
    /// Serve the cached page, as this.
    ServeCached(Served),
    /// Serve the page just fetched; store it in the edge cache under `store` if set.
    ServeFetched {
        /// Which path it came from.
        served: Served,
        /// Cache key, for a fresh origin page.
        store: Option<String>,
    },
    /// Nothing better: fetch the visitor's own request from the origin, without a budget.
    Passthrough,
}

/// The search page's fallback chain: a fresh cached page, else the origin's page within the
/// budget (when the circuit allows), else a stale cached page, else the keyword-mode page, else
/// the origin's page without a budget.
#[derive(Debug)]
pub struct PageFlow {
    url: String,
    keyword_url: Option<String>,
    budget_ms: u32,
    cache_ttl_ms: u64,
    circuit: (u32, u64),
    key: String,
    has_cached: bool,
    awaiting: Awaiting,
}

impl PageFlow {
    /// A flow for the search page at `path`, fetched with the normalized query only (what its
    /// cache key says). A request with other parameters (a sort, a filter) cannot be keyed: the
    /// caller fetches it as any other page.
    pub fn new(sc: &SearchConfig, query: Query, path: &str, origin: impl Fn(&str) -> String) -> PageFlow {
        let params = query.upstream();
        let keyword_url = sc.page_keyword_fallback.as_ref().map(|k| {
            let sep = if k.contains('?') { '&' } else { '?' };
            format!("{}{sep}{params}", origin(k))
        });
        PageFlow {
            url: origin(&format!("{path}?{params}")),
            keyword_url,
            budget_ms: sc.budget_ms,
            cache_ttl_ms: sc.cache_ttl_ms,
            circuit: (sc.circuit_failures, sc.circuit_open_ms),
            key: format!("{}&html=1", query.cache_key()),
            has_cached: false,
            awaiting: Awaiting::Cache,
        }
    }

    /// The edge-cache key to read first.
    pub fn cache_key(&self) -> &str {
        &self.key
    }

    /// When the cached page (if any) was stored (`None`: nothing cached), at `now_ms`.
    pub fn cached(&mut self, stored_at: Option<u64>, now_ms: u64, circuit: &Circuit) -> PageStep {
        self.has_cached = stored_at.is_some();
        if stored_at.is_some_and(|at| now_ms.saturating_sub(at) < self.cache_ttl_ms) {
            return PageStep::ServeCached(Served::Cache);
        }
        if circuit.allows(now_ms) {
            self.awaiting = Awaiting::Origin;
            return PageStep::Fetch {
                url: self.url.clone(),
                budget_ms: self.budget_ms,
            };
        }
        self.fall_back()
    }

    /// What the last fetch got: its status (`None`: a timeout, a network error or a body over the
    /// cap). Only those and `5xx` count against the circuit.
    pub fn fetched(&mut self, status: Option<u16>, now_ms: u64, circuit: &mut Circuit) -> PageStep {
        match (self.awaiting, status == Some(200)) {
            (Awaiting::Origin, true) => {
                circuit.success();
                PageStep::ServeFetched {
                    served: Served::Origin,
                    store: Some(self.key.clone()),
                }
            }
            (Awaiting::Origin, false) => {
                if status.is_none_or(|s| s >= 500) {
                    circuit.failure(now_ms, self.circuit.0, self.circuit.1);
                }
                self.fall_back()
            }
            (Awaiting::Keyword, true) => PageStep::ServeFetched {
                served: Served::Keyword,
                store: None,
            },
            (Awaiting::Keyword | Awaiting::Cache, _) => PageStep::Passthrough,
        }
    }

    fn fall_back(&mut self) -> PageStep {
        if self.has_cached {
            return PageStep::ServeCached(Served::Stale);
        }
        match self.keyword_url.clone() {
            Some(url) => {
                self.awaiting = Awaiting::Keyword;
                PageStep::Fetch {
                    url,
                    budget_ms: self.budget_ms,
                }
            }
            None => PageStep::Passthrough,
        }
    }
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
    fn cache_keys_are_exactly_what_goes_upstream() {
        assert_eq!(
            cache_key("warm jacket", 1, None),
            "https://vitrine-search.invalid/v2?q=warm%20jacket&page=1"
        );
        assert_eq!(
            cache_key("x", 999, Some("bags")),
            "https://vitrine-search.invalid/v2?q=x&page=50&category=bags"
        );
        assert_eq!(upstream_query("a&b", 2, None), "q=a%26b&page=2");
        let read = |params: &[(&str, &str)]| {
            Query::read(
                &sc(),
                |n| params.iter().find(|(k, _)| *k == n).map(|(_, v)| (*v).to_owned()),
                params.iter().map(|(k, _)| *k),
            )
        };
        // A category the key cannot hold is refused, never dropped from the key.
        assert_eq!(
            read(&[("q", "boots"), ("category", &"c".repeat(65))]),
            Err(QueryError("category too long"))
        );
        assert_eq!(
            read(&[("q", "boots"), ("category", &"c".repeat(20_000))]),
            Err(QueryError("category too long"))
        );
        assert!(read(&[("q", "boots"), ("category", "bags\u{0}")]).is_err());
        // Casing and spacing are the same answer: one key, the normalized text upstream.
        let a = read(&[("q", "  BoOtS "), ("category", " Shoes ")]).unwrap();
        let b = read(&[("q", "boots"), ("category", "shoes")]).unwrap();
        assert_eq!(a.cache_key(), b.cache_key());
        assert_eq!(a.upstream(), "q=boots&page=1&category=shoes");
        // Parameters the key does not cover are noticed.
        assert!(!a.other_params);
        assert!(
            read(&[("q", "sneakers"), ("category", "t"), ("mode", "keyword")])
                .unwrap()
                .other_params
        );
        assert!(
            read(&[("q", "sneakers"), ("sort", "price")])
                .unwrap()
                .other_params
        );
    }

    #[test]
    fn only_queries_seen_twice_are_stored_and_the_table_is_bounded() {
        let mut a = Admission::default();
        assert!(!a.admit("k1"));
        assert!(a.admit("k1"));
        for i in 0..(ADMISSION_TABLE * 3) {
            assert!(
                !a.admit(&format!("junk-{i}")),
                "a stream of unique queries is never stored"
            );
        }
        assert!(a.seen.len() <= ADMISSION_TABLE);
    }

    #[test]
    fn a_client_error_does_not_open_the_circuit() {
        let mut c = Circuit::default();
        for i in 0..5 {
            let mut f = api();
            let _ = f.cached(None, i, &mut c);
            let _ = f.fetched(Some((431, b"too large".to_vec())), i, &mut c);
        }
        assert!(
            c.allows(10),
            "4xx answers are about the request, not the origin's health"
        );
        for i in 0..2 {
            let mut f = api();
            let _ = f.cached(None, 20 + i, &mut c);
            let _ = f.fetched(Some((503, Vec::new())), 20 + i, &mut c);
        }
        assert!(c.is_open(30));
        let mut p = page();
        let mut c = Circuit::default();
        for i in 0..5 {
            let _ = p.cached(None, i, &c);
            let _ = p.fetched(Some(400), i, &mut c);
        }
        assert!(c.allows(10));
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
            total: Some("/hits/total".into()),
            facts: Default::default(),
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
            total: Some("/nbHits".into()),
            facts: Default::default(),
        };
        assert_eq!(read_answer(algolia, &m).unwrap().total, Some(2));
        assert!(read_answer(b"{\"oops\":1}", &Mapping::default()).is_none());
        assert!(read_answer(b"not json", &Mapping::default()).is_none());
    }

    #[test]
    fn an_opensearch_hybrid_answer_is_read_through_the_documented_mapping() {
        // The answer of the stored hybrid template (www/lib/opensearch.mjs; README, "Search
        // engines"), read with the mapping the README gives, as a merchant's config would have it.
        let body = include_bytes!("../tests/search/opensearch/warm-jacket.response.json");
        let cfg = crate::config::compile_json(
            r#"{"version":1,"site":{"search":{"path":"/api/search","mapping":{"hits":"/hits/hits",
               "key":"/_source/sku","total":"/hits/total/value","facts":{"brand":"/_source/brand",
               "category":"/_source/category","price":"/_source/price","stock":"/_source/stock"}}}}}"#,
        )
        .unwrap();
        let m = cfg.search.unwrap().mapping;
        let a = read_answer(body, &m).unwrap();
        assert_eq!(a.keys.len(), 12);
        assert!(a
            .keys
            .iter()
            .all(|k| k.as_deref().is_some_and(|k| k.starts_with("VT-"))));
        assert_eq!(a.total, Some(60));
        // Re-ranked, the engine's own shape stays: the last hit moved first, all else as it was.
        let mut order: Vec<usize> = (0..12).collect();
        order.rotate_right(1);
        let out = crate::rewrite::json::splice(body, &a.spans, &order).unwrap();
        let again = read_answer(&out, &m).unwrap();
        assert_eq!(again.keys[0], a.keys[11]);
        assert_eq!(again.total, Some(60));
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v["aggregations"]["brand"]["buckets"].as_array().map(Vec::len),
            serde_json::from_slice::<serde_json::Value>(body).unwrap()["aggregations"]["brand"]["buckets"]
                .as_array()
                .map(Vec::len)
        );
    }

    fn sc() -> SearchConfig {
        let cfg = crate::config::compile_json(
            r#"{"version":1,"site":{"search":{"path":"/api/search","keyword_fallback":"/api/search?mode=keyword",
               "budget_ms":300,"cache_ttl_s":60,"circuit_failures":2,"circuit_open_s":10,
               "page":"/search","page_keyword_fallback":"/search?mode=keyword"}}}"#,
        )
        .unwrap();
        cfg.search.unwrap()
    }

    fn api() -> ApiFlow {
        let q = Query::read(&sc(), |n| (n == "q").then(|| "Boots".to_owned()), ["q"]).unwrap();
        ApiFlow::new(&sc(), q, |p| format!("http://o.test{p}"))
    }

    const GOOD: &[u8] = br#"{"hits":[{"key":"A"}],"total":1}"#;

    fn answered(step: ApiStep) -> Answered {
        match step {
            ApiStep::Answer(a) => a,
            ApiStep::Fetch { url, .. } => panic!("expected an answer, got a fetch of {url}"),
        }
    }

    fn fetch_url(step: &ApiStep) -> &str {
        match step {
            ApiStep::Fetch { url, budget_ms } => {
                assert_eq!(*budget_ms, 300);
                url
            }
            ApiStep::Answer(a) => panic!("expected a fetch, got {:?}", a.served),
        }
    }

    #[test]
    fn a_fresh_cached_answer_is_served_without_asking_the_origin() {
        let mut c = Circuit::default();
        let mut f = api();
        assert_eq!(f.cache_key(), "https://vitrine-search.invalid/v2?q=boots&page=1");
        let a = answered(f.cached(Some((1_000, GOOD.to_vec())), 30_000, &mut c));
        assert_eq!((a.served, a.status, a.store), (Served::Cache, 200, None));
    }

    #[test]
    fn the_origin_answers_in_time_and_is_stored() {
        let mut c = Circuit::default();
        let mut f = api();
        let step = f.cached(Some((1_000, GOOD.to_vec())), 90_000, &mut c);
        assert_eq!(fetch_url(&step), "http://o.test/api/search?q=boots&page=1");
        let a = answered(f.fetched(Some((200, GOOD.to_vec())), 90_100, &mut c));
        assert_eq!(a.served, Served::Origin);
        assert_eq!(a.store.as_deref(), Some(f.cache_key()));
        assert_eq!(a.answer.unwrap().keys, vec![Some("A".to_owned())]);
    }

    #[test]
    fn a_failing_origin_falls_back_to_stale_then_keyword_then_its_own_answer_then_empty() {
        // Stale: the origin timed out, an old answer is there.
        let mut c = Circuit::default();
        let mut f = api();
        let _ = f.cached(Some((1_000, GOOD.to_vec())), 90_000, &mut c);
        assert_eq!(answered(f.fetched(None, 90_300, &mut c)).served, Served::Stale);
        // Keyword: nothing cached, the origin broke its answer.
        let mut f = api();
        let _ = f.cached(None, 0, &mut c);
        let step = f.fetched(Some((200, b"not json".to_vec())), 10, &mut c);
        assert_eq!(
            fetch_url(&step),
            "http://o.test/api/search?mode=keyword&q=boots&page=1"
        );
        assert_eq!(
            answered(f.fetched(Some((200, GOOD.to_vec())), 20, &mut c)).served,
            Served::Keyword
        );
        // The origin's own 4xx answer, when the keyword endpoint fails too.
        let mut c = Circuit::default();
        let mut f = api();
        let _ = f.cached(None, 0, &mut c);
        let _ = f.fetched(Some((404, b"{}".to_vec())), 10, &mut c);
        let a = answered(f.fetched(None, 20, &mut c));
        assert_eq!((a.served, a.status), (Served::Passthrough, 404));
        // A 5xx is never shown: an honest empty state instead.
        let mut f = api();
        let _ = f.cached(None, 0, &mut c);
        let _ = f.fetched(Some((503, b"down".to_vec())), 10, &mut c);
        let a = answered(f.fetched(None, 20, &mut c));
        assert_eq!((a.served, a.status), (Served::Passthrough, 200));
        assert!(String::from_utf8(a.body).unwrap().contains("\"degraded\":true"));
    }

    #[test]
    fn an_open_circuit_skips_the_origin() {
        let mut c = Circuit::default();
        for t in [0, 10] {
            let mut f = api();
            let _ = f.cached(None, t, &mut c);
            let _ = f.fetched(None, t, &mut c);
        }
        assert!(c.is_open(20));
        let mut f = api();
        let step = f.cached(None, 20, &mut c);
        assert!(
            fetch_url(&step).contains("mode=keyword"),
            "straight to the fallback"
        );
        // After the open period one trial goes to the origin; a success closes the circuit.
        let mut f = api();
        let step = f.cached(None, 20_000, &mut c);
        assert!(!fetch_url(&step).contains("mode=keyword"));
        let _ = f.fetched(Some((200, GOOD.to_vec())), 20_050, &mut c);
        assert!(c.allows(20_060));
    }

    fn page() -> PageFlow {
        let q = Query::read(&sc(), |n| (n == "q").then(|| "BOOTS".to_owned()), ["q"]).unwrap();
        PageFlow::new(&sc(), q, "/search", |p| format!("http://o.test{p}"))
    }

    #[test]
    fn the_search_page_flow() {
        let mut c = Circuit::default();
        let mut f = page();
        assert!(f.cache_key().ends_with("&html=1"));
        assert_eq!(
            f.cached(Some(1_000), 2_000, &c),
            PageStep::ServeCached(Served::Cache)
        );
        let mut f = page();
        assert_eq!(
            f.cached(Some(1_000), 90_000, &c),
            PageStep::Fetch {
                url: "http://o.test/search?q=boots&page=1".into(),
                budget_ms: 300
            }
        );
        assert_eq!(
            f.fetched(None, 90_300, &mut c),
            PageStep::ServeCached(Served::Stale)
        );
        let mut f = page();
        let _ = f.cached(None, 0, &c);
        let keyword = f.fetched(None, 10, &mut c);
        assert_eq!(
            keyword,
            PageStep::Fetch {
                url: "http://o.test/search?mode=keyword&q=boots&page=1".into(),
                budget_ms: 300
            }
        );
        assert_eq!(
            f.fetched(Some(200), 20, &mut c),
            PageStep::ServeFetched {
                served: Served::Keyword,
                store: None
            }
        );
        let mut f = page();
        let _ = f.cached(None, 30, &c);
        assert_eq!(
            f.fetched(None, 40, &mut c),
            PageStep::Passthrough,
            "circuit now open, nothing else"
        );
        let mut c = Circuit::default();
        let mut f = page();
        let _ = f.cached(None, 0, &c);
        assert_eq!(
            f.fetched(Some(200), 5, &mut c),
            PageStep::ServeFetched {
                served: Served::Origin,
                store: Some(f.cache_key().to_owned())
            }
        );
    }
}
