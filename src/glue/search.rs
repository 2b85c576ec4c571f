//! The edge search flows carried out: the Cache API read and written, the origin fetched within
//! the budget, the circuit kept per isolate. Every choice (fresh or stale, which fallback next,
//! when the circuit opens) is the core's ([`crate::search::ApiFlow`], [`crate::search::PageFlow`]).

use std::cell::RefCell;

use worker::{console_warn, Cache, Context, Date, Env, Fetch, Headers, Request, Response, ResponseBuilder};

use super::{after, http, state};
use crate::decide::SearchApi;
use crate::search::{
    Admission, ApiStep, Circuit, PageFlow, PageStep, Served, CACHED_AT, ORIGIN_CACHE_CONTROL, STORED_FOR,
};

/// Largest search answer read (JSON).
const MAX_ANSWER: u32 = 4 * 1024 * 1024;
/// Largest search page read within the budget.
const MAX_PAGE: u32 = 4 * 1024 * 1024;

thread_local! {
    static CIRCUIT: RefCell<Circuit> = RefCell::new(Circuit::default());
    static ADMISSION: RefCell<Admission> = RefCell::new(Admission::default());
}

/// Counts a request for `key`; whether its answer may be stored in the edge cache.
fn admit(key: &str) -> bool {
    ADMISSION.with(|a| a.borrow_mut().admit(key))
}

fn circuit<T>(f: impl FnOnce(&mut Circuit) -> T) -> T {
    CIRCUIT.with(|c| f(&mut c.borrow_mut()))
}

fn cached_at(r: &Response) -> u64 {
    r.headers()
        .get(CACHED_AT)
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Stores an unpersonalized answer in the edge cache, after the response.
fn store(ctx: &Context, key: String, headers: Headers, body: Vec<u8>) {
    if let Ok(Some(cc)) = headers.get("cache-control") {
        let _ = headers.set(ORIGIN_CACHE_CONTROL, &cc);
    }
    let _ = headers.set("cache-control", STORED_FOR);
    let _ = headers.delete("content-encoding");
    let _ = headers.delete("content-length");
    let _ = headers.set(CACHED_AT, &Date::now().as_millis().to_string());
    let stored = ResponseBuilder::new().with_headers(headers).fixed(body);
    ctx.wait_until(async move {
        if let Err(e) = Cache::default().put(key.as_str(), stored).await {
            console_warn!("vitrine: search cache put failed: {e}");
        }
    });
}

/// Answers a search API request.
pub async fn api(mut s: SearchApi, env: &Env, ctx: &Context) -> Response {
    let mut flow = match s.take_flow() {
        Ok(flow) => flow,
        Err(refused) => return http::reply(refused),
    };
    let storable = admit(flow.cache_key());
    let cached = match Cache::default().get(flow.cache_key(), false).await {
        Ok(Some(r)) => {
            let at = cached_at(&r);
            http::read_whole(http::body_stream(&r), MAX_ANSWER)
                .await
                .ok()
                .map(|b| (at, b))
        }
        _ => None,
    };
    let now = Date::now().as_millis();
    let mut step = circuit(|c| flow.cached(cached, now, c));
    let answered = loop {
        match step {
            ApiStep::Answer(answered) => break answered,
            ApiStep::Fetch { url, budget_ms } => {
                let got = http::get_within(&url, budget_ms, "application/json", MAX_ANSWER)
                    .await
                    .map(|(status, _, body)| (status, body));
                let now = Date::now().as_millis();
                step = circuit(|c| flow.fetched(got, now, c));
            }
        }
    };
    if let Some(key) = answered.store.clone().filter(|_| storable) {
        let headers = Headers::new();
        let _ = headers.set("content-type", "application/json");
        store(ctx, key, headers, answered.body.clone());
    }
    let query = flow.query().clone();
    let now = Date::now().as_millis();
    let (reply, work) = state::with_names(|names| s.answered(answered, &query, now, names));
    after::spawn(ctx, env, work, None);
    http::reply(reply)
}

/// Fetches the server-rendered search page through its flow; `upstream` is the visitor's own
/// request, fetched without a budget when nothing better is available.
pub async fn page(
    mut flow: PageFlow,
    upstream: Request,
    ctx: &Context,
) -> worker::Result<(Response, Served)> {
    let storable = admit(flow.cache_key());
    let cached = Cache::default().get(flow.cache_key(), false).await.ok().flatten();
    let now = Date::now().as_millis();
    let mut step = circuit(|c| flow.cached(cached.as_ref().map(cached_at), now, c));
    let mut fetched = None;
    loop {
        step = match step {
            PageStep::Fetch { url, budget_ms } => {
                fetched = http::get_within(&url, budget_ms, "text/html", MAX_PAGE).await;
                let status = fetched.as_ref().map(|(status, _, _)| *status);
                let now = Date::now().as_millis();
                circuit(|c| flow.fetched(status, now, c))
            }
            PageStep::ServeCached(served) => match cached {
                Some(resp) => return Ok((as_origin_sent(resp), served)),
                None => PageStep::Passthrough,
            },
            PageStep::ServeFetched { served, store: key } => match fetched.take() {
                Some((_, headers, body)) => {
                    if let Some(key) = key.filter(|_| storable) {
                        store(ctx, key, http::copy_headers(&headers), body.clone());
                    }
                    return Ok((streamed(headers, body)?, served));
                }
                None => PageStep::Passthrough,
            },
            PageStep::Passthrough => {
                return Ok((Fetch::Request(upstream).send().await?, Served::Passthrough))
            }
        };
    }
}

/// A stored page with the origin's own `Cache-Control` back in place of the edge cache's.
fn as_origin_sent(stored: Response) -> Response {
    let headers = http::copy_headers(stored.headers());
    match headers.get(ORIGIN_CACHE_CONTROL) {
        Ok(Some(cc)) => {
            let _ = headers.set("cache-control", &cc);
        }
        _ => {
            let _ = headers.delete("cache-control");
        }
    }
    let _ = headers.delete(ORIGIN_CACHE_CONTROL);
    stored.with_headers(headers)
}

/// A page already read whole, handed on (it goes through the rewriter like any page). Its bytes
/// are decoded already: the encoding headers no longer apply.
fn streamed(headers: Headers, body: Vec<u8>) -> worker::Result<Response> {
    let _ = headers.delete("content-encoding");
    let _ = headers.delete("content-length");
    Ok(ResponseBuilder::new().with_headers(headers).fixed(body))
}
