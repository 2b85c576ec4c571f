//! The edge search path: the storefront's JSON search endpoint answered from the origin's search
//! API within a time budget, re-ranked per visitor within the rules, with the unpersonalized answer
//! cached at the edge by normalized query, and fallbacks (a stale cached answer, the keyword
//! endpoint, the origin's own response, an honest empty state) so a shopper is never left with an
//! error. Decisions come from [`crate::search`] and [`crate::rank`].

use std::cell::RefCell;
use std::rc::Rc;

use worker::{
    console_warn, Cache, Context, Date, Fetch, Headers, Request, RequestInit, Response, ResponseBuilder, Url,
};

use super::state::Loaded;
use crate::config::{Config, PageKind, SearchConfig};
use crate::proxy::{self, Origin};
use crate::rank::{self, Item};
use crate::search::{cache_key, clean_query, read_answer, upstream_query, Circuit, Served};
use crate::signal::Event;
use crate::visit::Visit;

thread_local! {
    static CIRCUIT: RefCell<Circuit> = RefCell::new(Circuit::default());
}

const CACHED_AT: &str = "x-vitrine-cached-at";

fn json(status: u16, body: Vec<u8>) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json");
    ResponseBuilder::new()
        .with_status(status)
        .with_headers(headers)
        .fixed(body)
}

/// Fetches `url` (GET, no visitor cookies) within `budget_ms`; the body must arrive in time too.
async fn get_within(url: &str, budget_ms: u32) -> Option<(u16, Vec<u8>)> {
    let signal: worker::AbortSignal = web_sys::AbortSignal::timeout_with_u32(budget_ms).into();
    let headers = Headers::new();
    let _ = headers.set("accept", "application/json");
    let mut init = RequestInit::new();
    init.with_headers(headers);
    let req = Request::new_with_init(url, &init).ok()?;
    let mut resp = Fetch::Request(req).send_with_signal(&signal).await.ok()?;
    let status = resp.status_code();
    let body = resp.bytes().await.ok()?;
    Some((status, body))
}

/// Answers a search request. `visit` learns the search and gets the cookie.
#[allow(clippy::too_many_arguments)]
pub async fn handle(
    req: &Request,
    url: &Url,
    ctx: &Context,
    loaded: &Rc<Loaded>,
    origin: &Origin,
    cfg: &Rc<Config>,
    sc: &SearchConfig,
    visit: Option<&mut Visit>,
    country: Option<&str>,
    started: u64,
) -> worker::Result<Response> {
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let raw = param(&sc.query_param).unwrap_or_default();
    let query = match clean_query(&raw, sc.max_query) {
        Ok(q) => q,
        Err(e) => {
            let body = serde_json::json!({ "error": e.0 }).to_string().into_bytes();
            let resp = json(400, body);
            let _ = resp.headers().set(proxy::HEADER, "search=refused");
            return Ok(resp);
        }
    };
    let page: u32 = param("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .clamp(1, 50);
    let category = param("category");
    let key = cache_key(&query, page, category.as_deref());
    let cache = Cache::default();
    let cached = match cache.get(key.as_str(), false).await {
        Ok(Some(mut r)) => {
            let at: u64 = r
                .headers()
                .get(CACHED_AT)
                .ok()
                .flatten()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            r.bytes().await.ok().map(|b| (at, b))
        }
        _ => None,
    };
    let now = Date::now().as_millis();
    let mut served = None;
    // A body is kept together with what it says, so each answer is parsed once.
    let answered = |b: Vec<u8>| match read_answer(&b, &sc.mapping) {
        Some(a) => Ok((b, a)),
        None => Err(b),
    };
    let mut body: Option<(Vec<u8>, crate::search::Answer)> = None;
    if let Some((at, b)) = &cached {
        if now.saturating_sub(*at) < sc.cache_ttl_ms {
            if let Ok(good) = answered(b.clone()) {
                body = Some(good);
                served = Some(Served::Cache);
            }
        }
    }

    // The visitor's coarse affinities (names this isolate has seen), never an id or a cookie.
    let signal = visit.as_ref().and_then(|v| v.signal.clone());
    let (brands, categories) = super::state::with_names(|book| {
        let names = |list: &[crate::signal::Affinity]| -> Vec<String> {
            list.iter()
                .filter_map(|a| book.resolve(a.hash).map(str::to_owned))
                .collect()
        };
        signal
            .as_ref()
            .map(|s| (names(&s.brands), names(&s.categories)))
            .unwrap_or_default()
    });

    let mut origin_failure: Option<(u16, Vec<u8>)> = None;
    if body.is_none() {
        let open = CIRCUIT.with(|c| c.borrow().is_open(now));
        if !open {
            let target = format!(
                "{}?{}",
                origin.url_for(&sc.upstream),
                upstream_query(&query, page, category.as_deref(), &brands, &categories)
            );
            let got = match get_within(&target, sc.budget_ms).await {
                Some((200, b)) => answered(b).map_err(|b| Some((200, b))),
                other => Err(other),
            };
            match got {
                Ok((b, answer)) => {
                    CIRCUIT.with(|c| c.borrow_mut().success());
                    let headers = Headers::new();
                    let _ = headers.set("content-type", "application/json");
                    let _ = headers.set("cache-control", "public, max-age=86400");
                    let _ = headers.set(CACHED_AT, &Date::now().as_millis().to_string());
                    let stored = ResponseBuilder::new().with_headers(headers).fixed(b.clone());
                    let key = key.clone();
                    ctx.wait_until(async move {
                        if let Err(e) = Cache::default().put(key.as_str(), stored).await {
                            console_warn!("vitrine: search cache put failed: {e}");
                        }
                    });
                    body = Some((b, answer));
                    served = Some(Served::Origin);
                }
                Err(other) => {
                    let when = Date::now().as_millis();
                    CIRCUIT.with(|c| {
                        c.borrow_mut()
                            .failure(when, sc.circuit_failures, sc.circuit_open_ms)
                    });
                    origin_failure = other;
                }
            }
        }
    }
    // Fallbacks, in order: a stale cached answer, the keyword endpoint, the origin's own response,
    // an honest empty state.
    if body.is_none() {
        if let Some(Ok(good)) = cached.map(|(_, b)| answered(b)) {
            body = Some(good);
            served = Some(Served::Stale);
        }
    }
    if body.is_none() {
        if let Some(fallback) = &sc.keyword_fallback {
            let sep = if fallback.contains('?') { '&' } else { '?' };
            let target = format!(
                "{}{sep}{}",
                origin.url_for(fallback),
                upstream_query(&query, page, category.as_deref(), &[], &[])
            );
            if let Some((200, b)) = get_within(&target, sc.budget_ms).await {
                if let Ok(good) = answered(b) {
                    body = Some(good);
                    served = Some(Served::Keyword);
                }
            }
        }
    }
    let latency = Date::now().as_millis().saturating_sub(started);
    let (status, mut out, served, answer) = match (body, origin_failure) {
        (Some((b, a)), _) => (200, b, served.unwrap_or(Served::Origin), Some(a)),
        (None, Some((status, b))) if status < 500 => {
            let a = read_answer(&b, &sc.mapping);
            (status, b, Served::Passthrough, a)
        }
        (None, _) => {
            let empty = serde_json::json!({ "query": query, "hits": [], "total": 0, "degraded": true });
            let b = empty.to_string().into_bytes();
            let a = read_answer(&b, &sc.mapping);
            (200, b, Served::Passthrough, a)
        }
    };

    // Re-rank per visitor within the rules (query-scoped pins included), item bytes kept.
    let mut results = None;
    let mut reranked = false;
    if let Some(answer) = answer {
        results = Some(
            answer
                .total
                .unwrap_or(answer.keys.len() as u64)
                .min(u64::from(u32::MAX)) as u32,
        );
        let find = crate::catalog::lookup(cfg, loaded.packed.as_deref());
        let items: Vec<Item> = answer
            .items
            .iter()
            .map(|it| Item::from_catalog(&find, it.key.as_deref(), it.clone()))
            .collect();
        let holdout = signal
            .as_ref()
            .is_some_and(|s| rank::in_holdout(&s.id, cfg.holdout));
        let context = rank::Context {
            page: PageKind::Search,
            category: category.as_ref().map(|c| c.to_lowercase()),
            brand_page: None,
            query: Some(query.clone()),
            signal: signal.as_ref(),
            consent: visit.as_ref().is_some_and(|v| v.consent.allows_profile()),
            country: country.map(str::to_owned),
            device: rank::device_of(req.headers().get("user-agent").ok().flatten().as_deref()),
            now: now / 1000,
            holdout,
        };
        let ranking = rank::rank(cfg, &items, &context, false);
        if ranking.changed(items.len()) {
            if let Some(spliced) = crate::rewrite::json::splice(&out, &answer.spans, &ranking.order) {
                out = spliced;
                reranked = true;
            }
        }
    }

    let resp = json(status, out);
    let headers = resp.headers();
    let _ = headers.set("cache-control", "private, max-age=0");
    let mut report = vec![
        format!("search={}", served.token()),
        format!("ms={latency}"),
        format!("results={}", results.map_or("-".into(), |r| r.to_string())),
    ];
    if reranked {
        report.push("reranked".into());
    }
    if let Some(v) = visit {
        v.record(Event::Search {
            query: query.chars().take(128).collect(),
            results,
            served: Some(served.token().to_owned()),
            latency_ms: Some(u32::try_from(latency).unwrap_or(u32::MAX)),
        });
        report.insert(0, v.token());
        if let Some(set) = v.set_cookie(cfg, loaded.keys.as_ref()) {
            let _ = headers.append("set-cookie", &set);
        }
        super::send_events(ctx, loaded, v, url.path(), country, now);
    }
    report.push(loaded.config_status.clone());
    let _ = headers.set(proxy::HEADER, &report.join(";"));
    let _ = headers.set(
        "server-timing",
        &format!("search;dur={latency};desc=\"{}\"", served.token()),
    );
    Ok(resp)
}

/// Fetches the server-rendered search page for `url` within the search budget: a fresh cached
/// page, else the origin's page in time (then cached), else a stale cached page, else the
/// keyword-mode page, else the origin's page without a budget. The caller personalizes what
/// comes back like any listing.
pub async fn page(
    url: &Url,
    origin: &Origin,
    sc: &SearchConfig,
    ctx: &Context,
    upstream: Request,
) -> worker::Result<(Response, Served)> {
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let Ok(query) = clean_query(&param(&sc.query_param).unwrap_or_default(), sc.max_query) else {
        return Ok((Fetch::Request(upstream).send().await?, Served::Passthrough));
    };
    let page: u32 = param("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .clamp(1, 50);
    let key = format!("{}&html=1", cache_key(&query, page, param("category").as_deref()));
    let cache = Cache::default();
    let cached = cache.get(key.as_str(), false).await.ok().flatten();
    let now = Date::now().as_millis();
    let cached_at = |r: &Response| -> u64 {
        r.headers()
            .get(CACHED_AT)
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let fresh = cached
        .as_ref()
        .is_some_and(|r| now.saturating_sub(cached_at(r)) < sc.cache_ttl_ms);
    if fresh {
        if let Some(r) = cached {
            return Ok((r, Served::Cache));
        }
    }
    let path_and_query = match url.query() {
        Some(q) => format!("{}?{}", url.path(), q),
        None => url.path().to_owned(),
    };
    let fetch_page = |target: String| async move {
        let signal: worker::AbortSignal = web_sys::AbortSignal::timeout_with_u32(sc.budget_ms).into();
        let headers = Headers::new();
        let _ = headers.set("accept", "text/html");
        let mut init = RequestInit::new();
        init.with_headers(headers);
        let req = Request::new_with_init(&target, &init).ok()?;
        let mut resp = Fetch::Request(req).send_with_signal(&signal).await.ok()?;
        // The whole page within the budget: a page whose body stalls is a slow page.
        let body = resp.bytes().await.ok()?;
        let status = resp.status_code();
        let headers = super::copy_headers(resp.headers());
        Some((status, headers, body))
    };
    if CIRCUIT.with(|c| c.borrow().allows(now)) {
        match fetch_page(origin.url_for(&path_and_query)).await {
            Some((200, headers, body)) => {
                CIRCUIT.with(|c| c.borrow_mut().success());
                let stored_headers = super::copy_headers(&headers);
                let _ = stored_headers.set("cache-control", "public, max-age=86400");
                let _ = stored_headers.delete("content-encoding");
                let _ = stored_headers.delete("content-length");
                let _ = stored_headers.set(CACHED_AT, &Date::now().as_millis().to_string());
                let stored = ResponseBuilder::new()
                    .with_headers(stored_headers)
                    .fixed(body.clone());
                ctx.wait_until(async move {
                    if let Err(e) = Cache::default().put(key.as_str(), stored).await {
                        console_warn!("vitrine: search page cache put failed: {e}");
                    }
                });
                return Ok((streamed(headers, body)?, Served::Origin));
            }
            _ => {
                let when = Date::now().as_millis();
                CIRCUIT.with(|c| {
                    c.borrow_mut()
                        .failure(when, sc.circuit_failures, sc.circuit_open_ms)
                });
            }
        }
    }
    if let Some(stale) = cached {
        return Ok((stale, Served::Stale));
    }
    if let Some(fallback) = &sc.page_keyword_fallback {
        let sep = if fallback.contains('?') { '&' } else { '?' };
        let extra = url.query().unwrap_or_default();
        if let Some((200, headers, body)) =
            fetch_page(format!("{}{sep}{extra}", origin.url_for(fallback))).await
        {
            return Ok((streamed(headers, body)?, Served::Keyword));
        }
    }
    Ok((Fetch::Request(upstream).send().await?, Served::Passthrough))
}

/// A page already read whole, handed on as a stream (so it goes through the rewriter like any
/// page). Its bytes are decoded already: the encoding headers no longer apply.
fn streamed(headers: Headers, body: Vec<u8>) -> worker::Result<Response> {
    let _ = headers.delete("content-encoding");
    let _ = headers.delete("content-length");
    let stream = futures_util::stream::once(async move { Ok::<Vec<u8>, worker::Error>(body) });
    Ok(Response::from_stream(stream)?.with_headers(headers))
}
