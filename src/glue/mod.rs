//! The only code that touches the Workers platform: it reads the request and the environment,
//! fetches from the origin, and carries out what the platform-free core decides.
//!
//! It decides nothing on its own. Which headers travel, whether a body is rewritten, what the
//! `x-vitrine` header says: all come from [`crate::proxy`] and [`crate::rewrite`]. Everything here
//! is fail-open: when something goes wrong after the origin answered, the origin's response goes
//! out as it came.

use futures_util::{Stream, StreamExt};
use worker::{
    console_error, console_warn, event, ByteStream, Context, Date, Env, Fetch, Headers, Request, RequestInit,
    RequestRedirect, Response, ResponseBody, ResponseBuilder, Result,
};

use crate::proxy::{self, Action, BodyPlan, Origin, Timing};
use crate::rewrite::HtmlStream;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let started = Date::now().as_millis();
    let origin = match env.var("ORIGIN").map(|v| v.to_string()) {
        Ok(value) => match Origin::parse(&value) {
            Ok(origin) => origin,
            Err(err) => return misconfigured(&err.to_string()),
        },
        Err(_) => return misconfigured("ORIGIN is not set"),
    };
    let url = req.url()?;
    let path_and_query = match url.query() {
        Some(q) => format!("{}?{}", url.path(), q),
        None => url.path().to_owned(),
    };
    let public_base = url.origin().ascii_serialization();

    let upstream = upstream_request(&req, &origin.url_for(&path_and_query), &url)?;
    let fetched = match Fetch::Request(upstream).send().await {
        Ok(resp) => resp,
        Err(err) => {
            console_error!("vitrine: origin fetch failed: {err}");
            return Ok(gateway_error());
        }
    };
    let origin_done = Date::now().as_millis();

    let content_type = fetched.headers().get("content-type").ok().flatten();
    let plan = proxy::plan_body(
        req.method().as_ref(),
        fetched.status_code(),
        content_type.as_deref(),
    );
    let timing = Timing {
        origin_ms: origin_done.saturating_sub(started) as f64,
        edge_ms: Date::now().as_millis().saturating_sub(origin_done) as f64,
    };
    Ok(respond(fetched, plan, timing, &origin, &public_base))
}

/// The request to the origin: same method, headers (less hop-by-hop ones) and body; redirects are
/// returned to the visitor, never followed.
fn upstream_request(req: &Request, target: &str, public: &worker::Url) -> Result<Request> {
    let headers = Headers::new();
    for (name, value) in req.headers().entries() {
        if !proxy::is_hop_by_hop(&name) {
            headers.append(&name, &value)?;
        }
    }
    if let Some(host) = public.host_str() {
        let host = match public.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        headers.set("x-forwarded-host", &host)?;
    }
    headers.set("x-forwarded-proto", public.scheme())?;
    let mut init = RequestInit::new();
    init.with_method(req.method())
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
    if let Some(body) = req.inner().body() {
        init.with_body(Some(body.into()));
    }
    Request::new_with_init(target, &init)
}

/// Carries out the body plan. Never fails: where it cannot do what the plan says, the origin's
/// response goes out untouched with only the reporting headers added.
fn respond(
    fetched: Response,
    plan: BodyPlan,
    timing: Timing,
    origin: &Origin,
    public_base: &str,
) -> Response {
    let status = fetched.status_code();
    let headers = copy_headers(fetched.headers());
    if let Ok(Some(location)) = headers.get("location") {
        if let Some(public) = origin.public_location(&location, public_base) {
            let _ = headers.set("location", &public);
        }
    }
    let _ = headers.append("server-timing", &timing.server_timing());

    let encoding = match plan {
        BodyPlan::RewriteHtml(enc) if matches!(fetched.body(), ResponseBody::Stream(_)) => enc,
        BodyPlan::RewriteHtml(_) => return pass(fetched, headers, Action::Pass(proxy::PassReason::NoBody)),
        BodyPlan::Pass(reason) => return pass(fetched, headers, Action::Pass(reason)),
    };
    let mut fetched = fetched;
    let upstream = match fetched.stream() {
        Ok(stream) => stream,
        Err(err) => {
            console_warn!("vitrine: origin body unreadable, passing through: {err}");
            return pass(fetched, headers, Action::Pass(proxy::PassReason::NoBody));
        }
    };
    // The body changes length once rewriting does anything; a stale Content-Length would truncate
    // or hang the response (pingora's `modify_response` does the same).
    let _ = headers.delete("content-length");
    let _ = headers.set(proxy::HEADER, &Action::Stream.to_string());
    match Response::from_stream(rewrite_body(
        upstream,
        HtmlStream::new(lol_html::Settings::new(), encoding),
    )) {
        Ok(resp) => resp.with_status(status).with_headers(headers),
        Err(err) => {
            // Unreachable in practice (building a stream wrapper does not fail), but if it did, the
            // origin body is already consumed: say so honestly rather than pretend.
            console_error!("vitrine: could not build the response stream: {err}");
            gateway_error()
        }
    }
}

fn pass(fetched: Response, headers: Headers, action: Action) -> Response {
    let _ = headers.set(proxy::HEADER, &action.to_string());
    fetched.with_headers(headers)
}

/// The origin body, chunk by chunk, through the HTML stream. Output is produced as input arrives:
/// only what lol_html holds back (an unfinished tag) waits for the next chunk.
fn rewrite_body(upstream: ByteStream, html: HtmlStream) -> impl Stream<Item = Result<Vec<u8>>> {
    futures_util::stream::unfold(Some((upstream, html)), |state| async move {
        let (mut upstream, mut html) = state?;
        loop {
            match upstream.next().await {
                Some(Ok(chunk)) => {
                    let out = html.push(&chunk);
                    if !out.is_empty() {
                        return Some((Ok(out), Some((upstream, html))));
                    }
                }
                // The origin broke off mid-body: the visitor sees the same truncation they would
                // have seen without vitrine.
                Some(Err(err)) => return Some((Err(err), None)),
                None => {
                    let out = html.finish();
                    if let Some(reason) = html.bailed() {
                        console_warn!(
                            "vitrine: rewriter bailed out ({reason:?}); rest of page passed untouched"
                        );
                    }
                    return Some((Ok(out), None));
                }
            }
        }
    })
}

/// A mutable copy of response headers (a fetched response's own headers are immutable). The Fetch
/// standard's iteration yields each `Set-Cookie` separately, so none are merged.
fn copy_headers(headers: &Headers) -> Headers {
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

fn misconfigured(detail: &str) -> Result<Response> {
    console_error!("vitrine: configuration error: {detail}");
    Ok(plain(
        500,
        "vitrine is not configured: set ORIGIN (see README)",
        "error;config=origin",
    ))
}

fn gateway_error() -> Response {
    plain(
        502,
        "bad gateway: the storefront origin did not answer",
        &Action::OriginError.to_string(),
    )
}

/// A small text response of vitrine's own, never cached.
fn plain(status: u16, body: &str, vitrine: &str) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", "text/plain; charset=utf-8");
    let _ = headers.set("cache-control", "no-store");
    let _ = headers.set(proxy::HEADER, vitrine);
    ResponseBuilder::new()
        .with_status(status)
        .with_headers(headers)
        .fixed(body.as_bytes().to_vec())
}
