//! vitrine's own endpoints under `/__vitrine/`, carried out: bodies read (bounded), KV read and
//! written, the page fetched for a preview. What each answers is the core's ([`crate::admin`],
//! [`crate::decide::visitor`], [`crate::preview`]).

use std::rc::Rc;

use worker::{kv::KvStore, Context, Date, Env, Fetch, Method, Request, Response};

use super::{after, http, state};
use crate::admin::{self, AdminOp, Entry, Flip, History, ACTIVE_KEY, HISTORY_KEY};
use crate::decide::{Endpoint, Visitor};
use crate::reply::Reply;
use crate::report::{Action, Report};
use crate::settings::Settings;

/// The config's JSON Schema, published in the repo and served to editors.
pub const SCHEMA: &str = include_str!("../config/schema.json");

/// Answers one of vitrine's endpoints.
pub async fn serve(e: Endpoint, req: Request, env: &Env, ctx: &Context, settings: &Rc<Settings>) -> Response {
    let reply = match e {
        Endpoint::Schema => Reply::json(200, SCHEMA, &Report::of(Action::Endpoint)),
        Endpoint::Unauthorized => Endpoint::unauthorized(),
        Endpoint::EventsMethod => Reply::error(405, "use POST"),
        Endpoint::Whoami(v) => state::with_names(|names| v.whoami(names)),
        Endpoint::Events(v) => {
            let body = http::read_bounded(&req, Visitor::MAX_BODY).await;
            let now = Date::now().as_millis();
            let (reply, work) = state::with_names(|names| v.events(body, now, names));
            after::spawn(ctx, env, work, None);
            reply
        }
        Endpoint::Admin(op) => admin(op, &req, env, settings).await,
        Endpoint::Qa(reply) => reply,
        Endpoint::Console(file) => return console(&file, env).await,
    };
    http::reply(reply)
}

/// One of the console's files, from the worker's static assets (`[assets]` in wrangler.toml,
/// bound as `ASSETS`; the worker runs first for every request, so no asset shadows a store path).
async fn console(file: &str, env: &Env) -> Response {
    let fetched = match env.assets("ASSETS") {
        Ok(assets) => assets
            .fetch(format!("https://assets.invalid/{file}"), None)
            .await
            .ok(),
        Err(_) => None,
    };
    let Some(resp) = fetched.filter(|r| r.status_code() == 200) else {
        return http::reply(Reply::error(
            404,
            "the console's files are not deployed with this worker (ASSETS binding)",
        ));
    };
    let bytes = http::read_whole(http::body_stream(&resp), 2 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let kind = match file.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        _ => "text/html; charset=utf-8",
    };
    let mut reply = Reply::plain(200, "", &Report::of(Action::Endpoint));
    reply.body = bytes;
    reply.headers.retain(|(k, _)| k != "content-type");
    reply.headers.push(("content-type".into(), kind.into()));
    // Its own origin only: no external scripts, styles or frames; never framed itself.
    reply.headers.push((
        "content-security-policy".into(),
        "default-src 'self'; img-src * data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
            .into(),
    ));
    reply
        .headers
        .push(("x-content-type-options".into(), "nosniff".into()));
    reply
        .headers
        .push(("referrer-policy".into(), "no-referrer".into()));
    http::reply(reply)
}

async fn admin(op: AdminOp, req: &Request, env: &Env, settings: &Rc<Settings>) -> Reply {
    let now = Date::now().as_millis() / 1000;
    let Ok(kv) = env.kv("CONFIG") else {
        return Reply::error(500, "no CONFIG KV binding: configs cannot be stored");
    };
    let active = text(&kv, ACTIVE_KEY).await.filter(|v| admin::is_version(v));
    let if_match = req.headers().get("if-match").ok().flatten();
    let header = |n: &str| req.headers().get(n).ok().flatten();
    let said = admin::said(
        header("x-vitrine-author").as_deref(),
        header("x-vitrine-note").as_deref(),
    );
    let body = match op {
        AdminOp::PutConfig
        | AdminOp::Canary
        | AdminOp::Validate
        | AdminOp::Preview
        | AdminOp::PreviewLink
        | AdminOp::PutCatalog => match http::read_bounded(req, op.max_body()).await {
            Ok(b) => b,
            Err(e) => return admin::body_refused(op, e.status()),
        },
        // A rollback's body is small; an unreadable one is answered as a malformed one.
        AdminOp::Rollback => http::read_bounded(req, op.max_body()).await.unwrap_or_default(),
        _ => Vec::new(),
    };
    let active = active.as_deref();
    match op {
        AdminOp::GetConfig => {
            let doc = match active {
                Some(v) => text(&kv, &admin::version_key(v)).await,
                None => None,
            };
            admin::show(active, doc)
        }
        AdminOp::Versions => {
            admin::versions(active, &History::parse(text(&kv, HISTORY_KEY).await.as_deref()))
        }
        AdminOp::PutConfig => match admin::push(
            &body,
            active,
            if_match.as_deref(),
            now,
            &seen(&body, settings).await,
        ) {
            Err(reply) => reply,
            Ok(push) => {
                if let Err(e) = put(&kv, &admin::version_key(&push.version), push.document.clone()).await {
                    return Reply::error(500, &format!("storing the version failed: {e}"));
                }
                if let Err(e) = flip(&kv, &push.version, active, (Flip::Push, said.clone()), now).await {
                    return Reply::error(500, &format!("activating the version failed: {e}"));
                }
                state::invalidate();
                worker::console_log!("vitrine: config {} pushed (was {active:?})", push.version);
                admin::pushed(&push, active)
            }
        },
        AdminOp::Rollback => rollback(&kv, &body, active, if_match.as_deref(), said, now).await,
        AdminOp::Canary => {
            let wanted = admin::read_canary(std::str::from_utf8(&body).ok()).map(|c| c.version);
            let exists = match &wanted {
                Some(v) => text(&kv, &admin::version_key(v)).await.is_some(),
                None => false,
            };
            match admin::canary(&body, |_| exists) {
                Err(reply) => reply,
                Ok((pointer, reply)) => match put(&kv, admin::CANARY_KEY, pointer).await {
                    Ok(()) => {
                        state::invalidate();
                        reply
                    }
                    Err(e) => Reply::error(500, &format!("storing the canary failed: {e}")),
                },
            }
        }
        AdminOp::CanaryOff => match kv.delete(admin::CANARY_KEY).await {
            Ok(()) => {
                state::invalidate();
                Reply::json(200, "{\"canary\":null}", &Report::of(Action::Endpoint))
            }
            Err(e) => Reply::error(500, &format!("removing the canary failed: {e}")),
        },
        AdminOp::GetVersion => {
            let version = admin::version_path(req.path().as_str()).map(str::to_owned);
            let doc = match &version {
                Some(v) => text(&kv, &admin::version_key(v)).await,
                None => None,
            };
            admin::version_doc(version.as_deref(), doc)
        }
        AdminOp::Validate => admin::validate(&body, now, &seen(&body, settings).await),
        AdminOp::Preview => preview(&body, settings, now).await,
        AdminOp::PreviewLink => {
            let token = settings.admin_token.as_deref().unwrap_or_default();
            match admin::preview_link(&body, token, now) {
                Err(reply) => reply,
                Ok((version, draft, ttl, reply)) => {
                    let stored = match kv.put(&crate::qa::draft_key(&version), draft) {
                        Ok(put) => put.expiration_ttl(ttl).execute().await.map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    };
                    match stored {
                        Ok(()) => reply,
                        Err(e) => Reply::error(500, &format!("storing the draft failed: {e}")),
                    }
                }
            }
        }
        AdminOp::GetCatalog => {
            admin::catalog_info(settings.catalog_version.as_deref(), settings.packed.as_deref())
        }
        AdminOp::PutCatalog => catalog(&kv, &body).await,
        AdminOp::NotAllowed => Reply::error(405, "method not allowed"),
    }
}

async fn rollback(
    kv: &KvStore,
    body: &[u8],
    active: Option<&str>,
    if_match: Option<&str>,
    said: (Option<String>, Option<String>),
    now: u64,
) -> Reply {
    let target = match admin::rollback(body, active, if_match) {
        Ok(t) => t,
        Err(reply) => return reply,
    };
    let stored = text(kv, &admin::version_key(&target)).await.is_some();
    let reply = match admin::rolled_back(&target, stored, active) {
        Ok(reply) => reply,
        Err(nothing_to_flip) => return nothing_to_flip,
    };
    if let Err(e) = flip(kv, &target, active, (Flip::Rollback, said), now).await {
        return Reply::error(500, &format!("rollback failed: {e}"));
    }
    state::invalidate();
    worker::console_log!("vitrine: config rolled back to {target} (was {active:?})");
    reply
}

async fn catalog(kv: &KvStore, body: &[u8]) -> Reply {
    let push = match admin::catalog(body) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let stored = match kv.put_bytes(&admin::catalog_key(&push.version), &push.packed) {
        Ok(put) => put.execute().await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    if let Err(e) = stored {
        return Reply::error(500, &format!("storing the catalog failed: {e}"));
    }
    if let Err(e) = put(kv, admin::CATALOG_ACTIVE_KEY, push.version.clone()).await {
        return Reply::error(500, &format!("activating the catalog failed: {e}"));
    }
    state::invalidate();
    worker::console_log!(
        "vitrine: catalog {} pushed ({} products, {} bytes)",
        push.version,
        push.products,
        push.packed.len()
    );
    admin::catalog_pushed(&push)
}

/// A page of the origin, whole (up to 16 MB): its status and bytes, or why it could not be fetched.
async fn origin_page(origin: &crate::proxy::Origin, path: &str) -> Result<(u16, Vec<u8>), Reply> {
    let req = Request::new(&origin.url_for(path), Method::Get).map_err(|_| Reply::error(400, "bad url"))?;
    let r = Fetch::Request(req)
        .send()
        .await
        .map_err(|e| Reply::error(502, &format!("fetching the page from the origin failed: {e}")))?;
    let bytes = http::read_whole(http::body_stream(&r), 16 * 1024 * 1024).await;
    Ok((r.status_code(), bytes.unwrap_or_default()))
}

/// What a pushed or validated config is linted against: the catalog, and its sample pages as
/// the origin serves them now (fetched one after another; one that fails is said so).
async fn seen<'a>(body: &[u8], settings: &'a Settings) -> admin::Seen<'a> {
    let mut samples = Vec::new();
    if let Ok(origin) = settings.origin.as_ref() {
        for path in admin::samples(body) {
            let (status, bytes) = origin_page(origin, &path)
                .await
                .unwrap_or_else(|e| (e.status, Vec::new()));
            samples.push((path, status, bytes));
        }
    }
    admin::Seen {
        packed: settings.packed.as_deref(),
        samples,
    }
}

async fn preview(body: &[u8], settings: &Settings, now: u64) -> Reply {
    let job = match crate::preview::Job::parse(body, settings) {
        Ok(job) => job,
        Err(reply) => return reply,
    };
    let fetched = match (job.page_to_fetch(), settings.origin.as_ref()) {
        (Some(path), Ok(origin)) => match origin_page(origin, path).await {
            Ok((status, bytes)) => Some((status, String::from_utf8_lossy(&bytes).into_owned())),
            Err(reply) => return reply,
        },
        _ => None,
    };
    job.run(fetched, now)
}

async fn text(kv: &KvStore, key: &str) -> Option<String> {
    kv.get(key).text().await.ok().flatten()
}

async fn put(kv: &KvStore, key: &str, value: String) -> Result<(), String> {
    kv.put(key, value)
        .map_err(|e| e.to_string())?
        .execute()
        .await
        .map_err(|e| e.to_string())
}

/// Flips the active pointer and records it in the history.
async fn flip(
    kv: &KvStore,
    version: &str,
    previous: Option<&str>,
    (action, said): (Flip, (Option<String>, Option<String>)),
    now: u64,
) -> Result<(), String> {
    put(kv, ACTIVE_KEY, version.to_owned()).await?;
    let mut history = History::parse(text(kv, HISTORY_KEY).await.as_deref());
    history.record(Entry {
        version: version.to_owned(),
        previous: previous.map(str::to_owned),
        action,
        at: now,
        author: said.0,
        note: said.1,
    });
    put(
        kv,
        HISTORY_KEY,
        serde_json::to_string(&history).unwrap_or_default(),
    )
    .await
}
