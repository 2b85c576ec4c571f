//! vitrine's own endpoints under `/__vitrine/`. Anything not handled here goes to the origin as any
//! other path would (a disabled endpoint is not vitrine's to answer).
//!
//! - `POST /__vitrine/events`: client-side events (see [`crate::events`]); learned like
//!   server-side ones, forwarded to the collector; answers 204 with the updated cookie.
//! - `GET /__vitrine/whoami`: the decoded signal, when the config's `debug.whoami` allows it.

use futures_util::StreamExt;
use worker::{Context, Date, Headers, Request, Response, ResponseBuilder, Result, Url};

use super::state::{self, Loaded};
use super::{begin_visit, country_of, send_events};
use crate::events::{parse_client_events, MAX_BODY};
use crate::proxy::{self, Action};
use crate::visit::whoami_json;

/// Answers a `/__vitrine/` request, or `None` to let it through to the origin.
pub async fn route(
    req: &mut Request,
    url: &Url,
    ctx: &Context,
    loaded: &Loaded,
    started: u64,
) -> Option<Result<Response>> {
    let path = url.path();
    if !path.starts_with("/__vitrine/") {
        return None;
    }
    let cfg = loaded.config.as_ref()?;
    let method = req.method().to_string();
    match (method.as_str(), path) {
        ("GET", "/__vitrine/whoami") if cfg.whoami => {
            let country = country_of(req, cfg);
            let visit = begin_visit(req, cfg, loaded, country.as_deref(), started);
            let body = state::with_names(|book| whoami_json(&visit, book));
            Some(Ok(json(200, body, &visit.token())))
        }
        ("POST", "/__vitrine/events") => Some(Ok(events(req, url, ctx, loaded, started).await)),
        (_, "/__vitrine/events") => Some(Ok(json(405, r#"{"error":"use POST"}"#.into(), "endpoint"))),
        _ => None,
    }
}

async fn events(req: &mut Request, url: &Url, ctx: &Context, loaded: &Loaded, started: u64) -> Response {
    let Some(cfg) = loaded.config.as_ref() else {
        return json(404, r#"{"error":"no config"}"#.into(), "endpoint");
    };
    let body = match read_bounded(req, MAX_BODY).await {
        Ok(body) => body,
        Err(status) => {
            return json(
                status,
                format!(r#"{{"error":"body must be at most {MAX_BODY} bytes"}}"#),
                "endpoint",
            )
        }
    };
    let parsed = match parse_client_events(&body) {
        Ok(events) => events,
        Err(e) => {
            let msg = serde_json::json!({ "error": e.0 }).to_string();
            return json(400, msg, "endpoint");
        }
    };
    let country = country_of(req, cfg);
    let mut visit = begin_visit(req, cfg, loaded, country.as_deref(), started);
    for event in parsed {
        visit.record(event);
    }
    state::with_names(|book| visit.events.iter().for_each(|e| book.note_event(e)));
    let now_ms = Date::now().as_millis();
    send_events(ctx, loaded, &visit, url.path(), country.as_deref(), now_ms);
    let headers = Headers::new();
    let _ = headers.set("cache-control", "private, no-store");
    if let Some(set) = visit.set_cookie(cfg, loaded.keys.as_ref()) {
        let _ = headers.append("set-cookie", &set);
    }
    let _ = headers.set(
        proxy::HEADER,
        &proxy::report(
            &Action::Endpoint,
            &[visit.token(), format!("events={}", visit.events.len())],
        ),
    );
    ResponseBuilder::new()
        .with_status(204)
        .with_headers(headers)
        .empty()
}

/// The request body, or the status to answer when it is too large (413) or unreadable (400).
async fn read_bounded(req: &mut Request, max: usize) -> std::result::Result<Vec<u8>, u16> {
    let declared = req
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(413);
    }
    let Ok(mut stream) = req.stream() else {
        return Ok(Vec::new());
    };
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| 400u16)?;
        if body.len() + chunk.len() > max {
            return Err(413);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn json(status: u16, body: String, vitrine: &str) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json");
    let _ = headers.set("cache-control", "private, no-store");
    let _ = headers.set(proxy::HEADER, vitrine);
    ResponseBuilder::new()
        .with_status(status)
        .with_headers(headers)
        .fixed(body.into_bytes())
}
