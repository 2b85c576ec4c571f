//! The fetch handler: read the request, let the core decide, carry the decision out.

use worker::{console_error, event, Context, Date, Env, Fetch, Request, Response, Result};

use super::{after, body, endpoints, http, profile, read, search, state};
use crate::decide::{self, Exchange, Route};
use crate::reply::Reply;

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let started = Date::now().as_millis();
    let settings = state::load(&env, started).await;
    let incoming = read::incoming(&req, started)?;
    let settings = state::qa_session(&env, settings, incoming.header("cookie"), started).await;
    let settings = state::canary_for(settings, incoming.header("cookie"), incoming.fresh_id);
    match decide::request(incoming, &settings) {
        Route::Misconfigured(why) => {
            console_error!("vitrine: configuration error: {why}");
            Ok(http::reply(Reply::misconfigured()))
        }
        Route::Endpoint(e) => Ok(endpoints::serve(e, req, &env, &ctx, &settings).await),
        Route::Search(s) => Ok(search::api(*s, &env, &ctx).await),
        Route::Origin(x) => proxy(*x, req, &env, &ctx).await,
    }
}

/// A request to the origin, its response decided step by step as it arrives.
async fn proxy(mut x: Exchange, req: Request, env: &Env, ctx: &Context) -> Result<Response> {
    let upstream = http::upstream_request(&req, &x.forward)?;
    let fetched = match x.search_page.take() {
        Some(flow) => search::page(flow, upstream, ctx).await.map(|(resp, served)| {
            x.searched(served);
            resp
        }),
        None => Fetch::Request(upstream).send().await,
    };
    let fetched = match fetched {
        Ok(resp) => resp,
        Err(err) => {
            console_error!("vitrine: origin fetch failed: {err}");
            return Ok(http::reply(Reply::gateway_error()));
        }
    };
    let head = read::origin_head(&fetched, x.identity_header(), Date::now().as_millis());
    if let Some(lookup) = x.respond(head) {
        let stored = profile::read(env, &lookup.key).await;
        x.stitched(lookup, stored);
    }
    let work = x.body();
    let (outgoing, end) = body::carry_out(work, &fetched, &mut x).await;
    let head = state::with_names(|names| x.finish(Date::now().as_millis(), names));
    after::spawn(ctx, env, head.after.clone(), end);
    Ok(body::respond(fetched, outgoing, head.status, &head.edits))
}
