//! vitrine's own endpoints under `/__vitrine/`. Anything not handled here goes to the origin as any
//! other path would (a disabled endpoint is not vitrine's to answer).
//!
//! - `POST /__vitrine/events`: client-side events (see [`crate::events`]); learned like
//!   server-side ones, forwarded to the collector; answers 204 with the updated cookie.
//! - `GET /__vitrine/whoami`: the decoded signal, when the config's `debug.whoami` allows it.
//! - `GET /__vitrine/config/schema`: the config's JSON Schema (public: editors fetch it).
//! - Admin, only when `ADMIN_TOKEN` is set, each with `Authorization: Bearer <token>`:
//!   `GET|PUT /__vitrine/config`, `GET /__vitrine/config/versions`,
//!   `POST /__vitrine/config/rollback`, `POST /__vitrine/preview`.

use futures_util::StreamExt;
use serde_json::json;
use worker::{
    console_log, Context, Date, Env, Fetch, Headers, Request, Response, ResponseBuilder, Result, Url,
};

use super::state::{self, Loaded};
use super::{begin_visit, country_of, send_events};
use crate::admin::{self, Entry, History, ACTIVE_KEY, HISTORY_KEY};
use crate::config::{self, lint, Problem, MAX_DOCUMENT};
use crate::events::{parse_client_events, MAX_BODY};
use crate::preview::{preview, VisitorSpec};
use crate::proxy::{self, Action, Origin};
use crate::visit::whoami_json;

/// Largest catalog push accepted (JSON).
const MAX_CATALOG: usize = 64 * 1024 * 1024;

/// The config's JSON Schema, published in the repo and served to editors.
pub const SCHEMA: &str = include_str!("../config/schema.json");

/// Answers a `/__vitrine/` request, or `None` to let it through to the origin.
pub async fn route(
    req: &mut Request,
    url: &Url,
    env: &Env,
    ctx: &Context,
    loaded: &Loaded,
    origin: &Origin,
    started: u64,
) -> Option<Result<Response>> {
    let path = url.path();
    if !path.starts_with("/__vitrine/") {
        return None;
    }
    let method = req.method().to_string();
    if path == "/__vitrine/config/schema" && method == "GET" {
        return Some(Ok(json_response(200, SCHEMA.to_owned(), "endpoint")));
    }
    if matches!(
        path,
        "/__vitrine/config"
            | "/__vitrine/config/versions"
            | "/__vitrine/config/rollback"
            | "/__vitrine/config/validate"
            | "/__vitrine/catalog"
            | "/__vitrine/preview"
    ) {
        // No token configured: the admin surface does not exist; the path is the origin's.
        let token = loaded.admin_token.as_deref()?;
        let auth = req.headers().get("authorization").ok().flatten();
        if !admin::authorized(auth.as_deref(), token) {
            let resp = json_response(
                401,
                r#"{"error":"missing or wrong admin token"}"#.into(),
                "endpoint",
            );
            let _ = resp.headers().set("www-authenticate", "Bearer realm=\"vitrine\"");
            return Some(Ok(resp));
        }
        return Some(Ok(
            admin_route(req, url, env, loaded, origin, &method, started).await
        ));
    }
    let cfg = loaded.config.as_ref()?;
    match (method.as_str(), path) {
        ("GET", "/__vitrine/whoami") if cfg.whoami => {
            let country = country_of(req, cfg);
            let visit = begin_visit(req, cfg, loaded, country.as_deref(), started);
            let body = state::with_names(|book| whoami_json(&visit, book));
            Some(Ok(json_response(200, body, &visit.token())))
        }
        ("POST", "/__vitrine/events") => Some(Ok(events(req, url, ctx, loaded, started).await)),
        (_, "/__vitrine/events") => Some(Ok(json_response(
            405,
            r#"{"error":"use POST"}"#.into(),
            "endpoint",
        ))),
        _ => None,
    }
}

async fn events(req: &mut Request, url: &Url, ctx: &Context, loaded: &Loaded, started: u64) -> Response {
    let Some(cfg) = loaded.config.as_ref() else {
        return json_response(404, r#"{"error":"no config"}"#.into(), "endpoint");
    };
    let body = match read_bounded(req, MAX_BODY).await {
        Ok(body) => body,
        Err(status) => {
            return json_response(
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
            return json_response(400, msg, "endpoint");
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

fn json_response(status: u16, body: String, vitrine: &str) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json");
    let _ = headers.set("cache-control", "private, no-store");
    let _ = headers.set(proxy::HEADER, vitrine);
    ResponseBuilder::new()
        .with_status(status)
        .with_headers(headers)
        .fixed(body.into_bytes())
}

fn problems_json(problems: &[Problem]) -> Vec<serde_json::Value> {
    problems
        .iter()
        .map(|p| json!({"path": p.path, "message": p.message}))
        .collect()
}

fn error(status: u16, message: &str) -> Response {
    json_response(status, json!({ "error": message }).to_string(), "endpoint")
}

async fn admin_route(
    req: &mut Request,
    url: &Url,
    env: &Env,
    loaded: &Loaded,
    origin: &Origin,
    method: &str,
    now_ms: u64,
) -> Response {
    let now = now_ms / 1000;
    let Ok(kv) = env.kv("CONFIG") else {
        return error(500, "no CONFIG KV binding: configs cannot be stored");
    };
    let active = kv
        .get(ACTIVE_KEY)
        .text()
        .await
        .ok()
        .flatten()
        .filter(|v| admin::is_version(v));
    let if_match = req.headers().get("if-match").ok().flatten();
    match (method, url.path()) {
        ("GET", "/__vitrine/config") => {
            let Some(v) = active.as_deref() else {
                return error(404, "no config has been pushed");
            };
            match kv.get(&admin::version_key(v)).text().await {
                Ok(Some(doc)) => {
                    let resp = json_response(200, doc, &format!("endpoint;cfg={v}"));
                    let _ = resp.headers().set("etag", &format!("\"{v}\""));
                    resp
                }
                _ => error(500, "the active version's document is missing"),
            }
        }
        ("GET", "/__vitrine/config/versions") => {
            let history = History::parse(kv.get(HISTORY_KEY).text().await.ok().flatten().as_deref());
            json_response(
                200,
                json!({"active": active, "history": history.entries}).to_string(),
                "endpoint",
            )
        }
        ("PUT", "/__vitrine/config") => {
            let body = match read_bounded(req, MAX_DOCUMENT).await {
                Ok(b) => b,
                Err(status) => return error(status, "the document must be at most 2 MB"),
            };
            let Ok(text) = String::from_utf8(body) else {
                return error(400, "the document must be UTF-8 JSON");
            };
            let compiled = config::compile_json(&text);
            let cfg = match compiled {
                Ok(c) => c,
                Err(problems) => {
                    let body = json!({"error": "invalid config; the live config is unchanged", "errors": problems_json(&problems)});
                    return json_response(400, body.to_string(), "endpoint");
                }
            };
            let warnings = lint::lint(&cfg, now);
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
                return error(400, "invalid JSON");
            };
            let version = admin::version_of(&value);
            if !admin::if_match_ok(if_match.as_deref(), active.as_deref()) {
                let body = json!({"error": "the config changed since you read it (If-Match does not name the active version)", "active": active});
                return json_response(412, body.to_string(), "endpoint");
            }
            if active.as_deref() == Some(version.as_str()) {
                let body =
                    json!({"version": version, "unchanged": true, "warnings": problems_json(&warnings)});
                return json_response(200, body.to_string(), &format!("endpoint;cfg={version}"));
            }
            let canonical = value.to_string();
            if let Err(e) = put(&kv, &admin::version_key(&version), canonical).await {
                return error(500, &format!("storing the version failed: {e}"));
            }
            if let Err(e) = flip(&kv, &version, active.clone(), "push", now).await {
                return error(500, &format!("activating the version failed: {e}"));
            }
            state::invalidate();
            console_log!("vitrine: config {version} pushed (was {active:?})");
            let body = json!({"version": version, "previous": active, "warnings": problems_json(&warnings)});
            let resp = json_response(201, body.to_string(), &format!("endpoint;cfg={version}"));
            let _ = resp.headers().set("etag", &format!("\"{version}\""));
            resp
        }
        ("POST", "/__vitrine/config/rollback") => {
            let body = read_bounded(req, 4096).await.unwrap_or_default();
            let target = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("version").and_then(|v| v.as_str()).map(str::to_owned));
            let Some(target) = target.filter(|t| admin::is_version(t)) else {
                return error(400, "body must be {\"version\": \"<12 hex digits>\"}");
            };
            if !admin::if_match_ok(if_match.as_deref(), active.as_deref()) {
                return json_response(
                    412,
                    json!({"error": "the config changed since you read it", "active": active}).to_string(),
                    "endpoint",
                );
            }
            if !matches!(kv.get(&admin::version_key(&target)).text().await, Ok(Some(_))) {
                return error(404, "no such version");
            }
            if active.as_deref() == Some(target.as_str()) {
                return json_response(
                    200,
                    json!({"version": target, "unchanged": true}).to_string(),
                    "endpoint",
                );
            }
            if let Err(e) = flip(&kv, &target, active.clone(), "rollback", now).await {
                return error(500, &format!("rollback failed: {e}"));
            }
            state::invalidate();
            console_log!("vitrine: config rolled back to {target} (was {active:?})");
            json_response(
                200,
                json!({"version": target, "previous": active}).to_string(),
                &format!("endpoint;cfg={target}"),
            )
        }
        ("POST", "/__vitrine/config/validate") => {
            let body = match read_bounded(req, MAX_DOCUMENT).await {
                Ok(b) => b,
                Err(status) => return error(status, "the document must be at most 2 MB"),
            };
            let text = String::from_utf8_lossy(&body);
            let doc = match config::compile_json(&text) {
                Ok(cfg) => {
                    let version = serde_json::from_str::<serde_json::Value>(&text)
                        .map(|v| admin::version_of(&v))
                        .ok();
                    json!({"valid": true, "version": version, "errors": [], "warnings": problems_json(&lint::lint(&cfg, now))})
                }
                Err(problems) => json!({"valid": false, "errors": problems_json(&problems), "warnings": []}),
            };
            json_response(200, doc.to_string(), "endpoint")
        }
        ("POST", "/__vitrine/preview") => preview_endpoint(req, loaded, origin, now).await,
        ("GET", "/__vitrine/catalog") => json_response(
            200,
            json!({"version": loaded.catalog_version, "products": loaded.packed.as_ref().map(|p| p.len()), "bytes": loaded.packed.as_ref().map(|p| p.size())}).to_string(),
            "endpoint",
        ),
        ("PUT", "/__vitrine/catalog") => {
            let body = match read_bounded(req, MAX_CATALOG).await {
                Ok(b) => b,
                Err(status) => return error(status, "the catalog must be at most 64 MB of JSON"),
            };
            let raw: config::RawCatalog = match serde_json::from_slice(&body) {
                Ok(r) => r,
                Err(e) => return error(400, &format!("invalid catalog: {e}")),
            };
            let (products, problems) = config::compile_products(&raw.products, "products");
            if !problems.is_empty() {
                let body = json!({"error": "invalid catalog; the live one is unchanged", "errors": problems_json(problems.get(..100).unwrap_or(&problems)), "count": problems.len()});
                return json_response(400, body.to_string(), "endpoint");
            }
            let packed = crate::catalog::pack(&products);
            if packed.len() > 24 * 1024 * 1024 {
                return error(413, "the packed catalog exceeds KV's 25 MiB value limit");
            }
            let version = crate::catalog::version_of(&packed);
            let size = packed.len();
            let stored = match kv.put_bytes(&admin::catalog_key(&version), &packed) {
                Ok(put) => put.execute().await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(e) = stored {
                return error(500, &format!("storing the catalog failed: {e}"));
            }
            if let Err(e) = put(&kv, admin::CATALOG_ACTIVE_KEY, version.clone()).await {
                return error(500, &format!("activating the catalog failed: {e}"));
            }
            state::invalidate();
            console_log!("vitrine: catalog {version} pushed ({} products, {size} bytes)", products.len());
            json_response(201, json!({"version": version, "products": products.len(), "bytes": size}).to_string(), "endpoint")
        }
        _ => error(405, "method not allowed"),
    }
}

async fn put(kv: &worker::kv::KvStore, key: &str, value: String) -> std::result::Result<(), String> {
    kv.put(key, value)
        .map_err(|e| e.to_string())?
        .execute()
        .await
        .map_err(|e| e.to_string())
}

/// Flips the active pointer and records it in the history.
async fn flip(
    kv: &worker::kv::KvStore,
    version: &str,
    previous: Option<String>,
    action: &str,
    now: u64,
) -> std::result::Result<(), String> {
    put(kv, ACTIVE_KEY, version.to_owned()).await?;
    let mut history = History::parse(kv.get(HISTORY_KEY).text().await.ok().flatten().as_deref());
    history.record(Entry {
        version: version.to_owned(),
        previous,
        action: action.to_owned(),
        at: now,
    });
    put(
        kv,
        HISTORY_KEY,
        serde_json::to_string(&history).unwrap_or_default(),
    )
    .await
}

async fn preview_endpoint(req: &mut Request, loaded: &Loaded, origin: &Origin, now: u64) -> Response {
    let body = match read_bounded(req, MAX_DOCUMENT + 2 * 1024 * 1024).await {
        Ok(b) => b,
        Err(status) => return error(status, "the preview request is too large"),
    };
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct PreviewRequest {
        #[serde(default)]
        config: Option<serde_json::Value>,
        #[serde(default)]
        url: Option<String>,
        #[serde(default)]
        html: Option<String>,
        #[serde(default)]
        visitor: VisitorSpec,
    }
    let request: PreviewRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return error(400, &format!("invalid preview request: {e}")),
    };
    let (candidate, version) = match &request.config {
        Some(doc) => match config::compile_json(&doc.to_string()) {
            Ok(c) => (std::rc::Rc::new(c), admin::version_of(doc)),
            Err(problems) => {
                return json_response(
                    400,
                    json!({"error": "invalid config", "errors": problems_json(&problems)}).to_string(),
                    "endpoint",
                )
            }
        },
        None => match (&loaded.config, &loaded.version) {
            (Some(c), Some(v)) => (c.clone(), v.clone()),
            _ => return error(409, "no active config: send one in \"config\""),
        },
    };
    let path = request.url.as_deref().unwrap_or("/");
    if !path.starts_with('/') {
        return error(400, "url must be a path on the storefront, like /c/shoes");
    }
    let html = match request.html {
        Some(h) => h,
        None => {
            let fetched = match Fetch::Url(match Url::parse(&origin.url_for(path)) {
                Ok(u) => u,
                Err(_) => return error(400, "bad url"),
            })
            .send()
            .await
            {
                Ok(mut r) => r.text().await.unwrap_or_default(),
                Err(e) => return error(502, &format!("fetching the page from the origin failed: {e}")),
            };
            fetched
        }
    };
    let path_only = path.split('?').next().unwrap_or(path);
    let classified = candidate.classify("GET", path_only);
    let query = Url::parse(&format!("http://x{path}")).ok().and_then(|u| {
        u.query_pairs()
            .find(|(k, _)| k == "q")
            .map(|(_, v)| v.into_owned())
    });
    let doc = preview(
        &candidate,
        loaded.packed.as_deref(),
        &version,
        html.as_bytes(),
        classified.as_ref(),
        query.as_deref(),
        &request.visitor,
        now,
    );
    json_response(200, doc.to_string(), &format!("endpoint;cfg={version}"))
}
