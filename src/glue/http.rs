//! HTTP on the platform: the core's [`Reply`]s and header edits carried out, the origin request
//! built from the core's [`Forward`], the one fetch within a time budget, bounded request bodies,
//! and JSON posts (the collector).

use futures_util::StreamExt;
use worker::{
    console_warn, Fetch, Headers, Request, RequestInit, RequestRedirect, Response, ResponseBuilder, Result,
};

use crate::decide::exchange::{Edit, Forward};
use crate::decide::visitor::BodyError;
use crate::reply::Reply;

/// A reply of vitrine's own as a platform response.
pub fn reply(r: Reply) -> Response {
    let headers = Headers::new();
    for (name, value) in &r.headers {
        let _ = headers.append(name, value);
    }
    let builder = ResponseBuilder::new().with_status(r.status).with_headers(headers);
    if r.body.is_empty() {
        builder.empty()
    } else {
        builder.fixed(r.body)
    }
}

/// A mutable copy of response headers (a fetched response's own headers are immutable). The Fetch
/// standard's iteration yields each `Set-Cookie` separately, so none are merged.
pub fn copy_headers(headers: &Headers) -> Headers {
    match web_sys::Headers::new_with_headers(&headers.0) {
        Ok(copy) => Headers(copy),
        Err(_) => {
            let copy = Headers::new();
            for (name, value) in headers.entries() {
                let _ = copy.append(&name, &value);
            }
            copy
        }
    }
}

/// Carries out the core's header edits, in order.
pub fn edit(headers: &Headers, edits: &[Edit]) {
    for e in edits {
        let _ = match e {
            Edit::Delete(name) => headers.delete(name),
            Edit::Set(name, value) => headers.set(name, value),
            Edit::Append(name, value) => headers.append(name, value),
        };
    }
}

/// The request to the origin: the visitor's method and body, the core's URL and headers;
/// redirects are returned to the visitor, never followed.
pub fn upstream_request(req: &Request, forward: &Forward) -> Result<Request> {
    let headers = Headers::new();
    for (name, value) in &forward.headers {
        headers.append(name, value)?;
    }
    let mut init = RequestInit::new();
    init.with_method(req.method())
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
    if let Some(body) = req.inner().body() {
        init.with_body(Some(body.into()));
    }
    Request::new_with_init(&forward.url, &init)
}

/// GETs `url` within `budget_ms`: the headers and the whole body must arrive in time. `None` for
/// a timeout or a network error.
pub async fn get_within(url: &str, budget_ms: u32, accept: &str) -> Option<(u16, Headers, Vec<u8>)> {
    let signal: worker::AbortSignal = web_sys::AbortSignal::timeout_with_u32(budget_ms).into();
    let headers = Headers::new();
    let _ = headers.set("accept", accept);
    let mut init = RequestInit::new();
    init.with_headers(headers);
    let req = Request::new_with_init(url, &init).ok()?;
    let mut resp = Fetch::Request(req).send_with_signal(&signal).await.ok()?;
    let status = resp.status_code();
    let body = resp.bytes().await.ok()?;
    Some((status, copy_headers(resp.headers()), body))
}

/// The request body, or why not: over `max` bytes (declared or read), or unreadable.
pub async fn read_bounded(req: &mut Request, max: usize) -> std::result::Result<Vec<u8>, BodyError> {
    let declared = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(BodyError::TooLarge);
    }
    let Ok(mut stream) = req.stream() else {
        return Ok(Vec::new());
    };
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyError::Unreadable)?;
        if body.len() + chunk.len() > max {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// POSTs a JSON body (to the collector); failures are logged, never raised.
pub async fn post_json(url: &str, body: String) {
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json");
    let mut init = RequestInit::new();
    init.with_method(worker::Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    let sent = match Request::new_with_init(url, &init) {
        Ok(req) => Fetch::Request(req).send().await.map(|r| r.status_code()),
        Err(e) => Err(e),
    };
    match sent {
        Ok(s) if s < 300 => {}
        Ok(s) => console_warn!("vitrine: collector answered {s}"),
        Err(e) => console_warn!("vitrine: collector unreachable: {e}"),
    }
}
