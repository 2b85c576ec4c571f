//! HTTP on the platform: the core's [`Reply`]s and header edits carried out, the origin request
//! built from the core's [`Forward`], the one fetch within a time budget, bounded request bodies,
//! and JSON posts (the collector).

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::ReadableStream;
use worker::{
    console_warn, Fetch, Headers, Request, RequestInit, RequestRedirect, Response, ResponseBody,
    ResponseBuilder, Result,
};

use crate::decide::exchange::{Edit, Forward};
use crate::decide::visitor::BodyError;
use crate::reply::Reply;

#[wasm_bindgen(module = "/src/glue/pump.js")]
extern "C" {
    /// `{ bytes, rest, error }` of a body read up to a cap.
    pub type ReadUpTo;
    #[wasm_bindgen(js_name = readUpTo)]
    fn js_read_up_to(body: &ReadableStream, max: u32) -> Promise;
    /// What was read.
    #[wasm_bindgen(method, getter)]
    pub fn bytes(this: &ReadUpTo) -> Uint8Array;
    /// The unread remainder, when the body was longer than the cap.
    #[wasm_bindgen(method, getter)]
    pub fn rest(this: &ReadUpTo) -> Option<ReadableStream>;
    /// Why the read failed, if it did.
    #[wasm_bindgen(method, getter)]
    pub fn error(this: &ReadUpTo) -> Option<String>;

    /// A stream of `bytes`, then `rest`, then an error if `error` is set.
    #[wasm_bindgen(js_name = prepend)]
    pub fn prepend(bytes: &[u8], rest: Option<ReadableStream>, error: Option<String>) -> ReadableStream;
    #[wasm_bindgen(js_name = bytesStream)]
    fn bytes_stream(bytes: &[u8]) -> ReadableStream;
}

/// Reads `body` up to `max` bytes in large reads (`None`: the read could not start).
pub async fn read_up_to(body: &ReadableStream, max: u32) -> Option<ReadUpTo> {
    JsFuture::from(js_read_up_to(body, max))
        .await
        .ok()
        .map(JsCast::unchecked_into)
}

/// The origin body as a JS stream (a body already read whole becomes one).
pub fn body_stream(resp: &Response) -> Option<ReadableStream> {
    match resp.body() {
        ResponseBody::Stream(s) => Some(s.clone()),
        ResponseBody::Body(bytes) if !bytes.is_empty() => Some(bytes_stream(bytes)),
        _ => None,
    }
}

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

/// GETs `url` within `budget_ms`: the headers and the whole body (at most `max` bytes) must
/// arrive in time. `None` for a timeout, a network error or a body over `max`.
pub async fn get_within(
    url: &str,
    budget_ms: u32,
    accept: &str,
    max: u32,
) -> Option<(u16, Headers, Vec<u8>)> {
    let signal: worker::AbortSignal = web_sys::AbortSignal::timeout_with_u32(budget_ms).into();
    let headers = Headers::new();
    let _ = headers.set("accept", accept);
    let mut init = RequestInit::new();
    init.with_headers(headers);
    let req = Request::new_with_init(url, &init).ok()?;
    let resp = Fetch::Request(req).send_with_signal(&signal).await.ok()?;
    let status = resp.status_code();
    let headers = copy_headers(resp.headers());
    let body = read_whole(body_stream(&resp), max).await.ok()?;
    Some((status, headers, body))
}

/// The request body, or why not: over `max` bytes (declared or read), or unreadable.
pub async fn read_bounded(req: &Request, max: usize) -> std::result::Result<Vec<u8>, BodyError> {
    let declared = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(BodyError::TooLarge);
    }
    let max = u32::try_from(max).unwrap_or(u32::MAX);
    read_whole(req.inner().body(), max).await.map_err(|e| match e {
        ReadError::TooLarge => BodyError::TooLarge,
        ReadError::Broken => BodyError::Unreadable,
    })
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

/// A body read whole (bounded by `max`), e.g. a request's or a budgeted fetch's.
pub async fn read_whole(body: Option<ReadableStream>, max: u32) -> std::result::Result<Vec<u8>, ReadError> {
    let Some(body) = body else {
        return Ok(Vec::new());
    };
    let read = read_up_to(&body, max).await.ok_or(ReadError::Broken)?;
    if read.rest().is_some() {
        return Err(ReadError::TooLarge);
    }
    if read.error().is_some() {
        return Err(ReadError::Broken);
    }
    Ok(read.bytes().to_vec())
}

/// Why a whole body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadError {
    /// Longer than allowed.
    TooLarge,
    /// The stream failed.
    Broken,
}
