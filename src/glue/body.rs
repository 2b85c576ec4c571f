//! Response bodies on the platform: streamed through the page's rewriter chunk by chunk, held back
//! (up to the learn window) while a product page's facts stream past, or read whole (up to a cap)
//! to reorder a JSON listing. What happens to a body was decided by the core ([`BodyWork`]).

use futures_util::{Stream, StreamExt};
use worker::{console_error, console_warn, ByteStream, Response, Result};

use super::after::PageEnd;
use super::http;
use crate::decide::exchange::Edit;
use crate::decide::{BodyWork, Exchange, JsonWork};
use crate::reply::Reply;
use crate::report::{JsonNote, JsonPass};
use crate::rewrite::facts::FactsProbe;
use crate::rewrite::page::{self, PageWork};
use crate::rewrite::HtmlStream;
use crate::signal::ProductFacts;

/// What goes back: the origin's body as it is, or a new body stream.
pub enum Outgoing {
    /// The origin's body, untouched.
    Pass,
    /// A body vitrine streams.
    Stream(Body),
}

/// Carries out the body work; reports what it saw back to the exchange.
pub async fn carry_out(
    work: BodyWork,
    fetched: &mut Response,
    x: &mut Exchange,
) -> (Outgoing, Option<PageEnd>) {
    match work {
        BodyWork::Pass(_) => (Outgoing::Pass, None),
        BodyWork::Json(json) => {
            let (out, note) = json_body(fetched, &json).await;
            x.json_done(note);
            (out, None)
        }
        BodyWork::Html(work) => html(*work, fetched, x).await,
    }
}

async fn html(work: PageWork, fetched: &mut Response, x: &mut Exchange) -> (Outgoing, Option<PageEnd>) {
    let Ok(upstream) = fetched.stream() else {
        return (Outgoing::Pass, None);
    };
    let (stream, handles) = page::build(&work);
    let mut body = match (work.hold, handles.probe.as_ref()) {
        (Some(window), Some(probe)) => {
            let held = hold_for_facts(upstream, stream, probe, window).await;
            x.facts_read(held.facts);
            held.body
        }
        _ => Body::live(upstream, stream),
    };
    let end = x.end_of_page(handles).map(|page| {
        let (tx, rx) = futures_channel::oneshot::channel();
        body.on_end = Some(tx);
        (page, rx)
    });
    (Outgoing::Stream(body), end)
}

/// The response: the origin's headers with the core's edits, and the body.
pub fn respond(fetched: Response, outgoing: Outgoing, edits: &[Edit]) -> Result<Response> {
    let status = fetched.status_code();
    let headers = http::copy_headers(fetched.headers());
    http::edit(&headers, edits);
    match outgoing {
        Outgoing::Pass => Ok(fetched.with_headers(headers)),
        Outgoing::Stream(body) => match Response::from_stream(body.into_stream()) {
            Ok(resp) => Ok(resp.with_status(status).with_headers(headers)),
            Err(err) => {
                // Building a stream wrapper does not fail in practice; if it did, the origin body
                // is already consumed: say so rather than pretend.
                console_error!("vitrine: could not build the response stream: {err}");
                Ok(http::reply(Reply::gateway_error()))
            }
        },
    }
}

/// A body streamed through the rewriter (or copied, without one), possibly with a held-back head.
pub struct Body {
    head: Vec<u8>,
    rest: Option<(ByteStream, Option<HtmlStream>)>,
    error: Option<worker::Error>,
    /// Told when the whole body went through (reports that need the full page wait on it).
    on_end: Option<futures_channel::oneshot::Sender<()>>,
}

impl Body {
    fn live(upstream: ByteStream, html: HtmlStream) -> Self {
        Body {
            head: Vec::new(),
            rest: Some((upstream, Some(html))),
            error: None,
            on_end: None,
        }
    }

    fn raw(head: Vec<u8>, rest: Option<ByteStream>, error: Option<worker::Error>) -> Self {
        Body {
            head,
            rest: rest.map(|u| (u, None)),
            error,
            on_end: None,
        }
    }

    /// The output, chunk by chunk as input arrives: only what lol_html holds back (an unfinished
    /// tag) waits for the next chunk.
    fn into_stream(self) -> impl Stream<Item = Result<Vec<u8>>> {
        let head = (!self.head.is_empty()).then_some(Ok(self.head));
        let tail = self.error.map(Err);
        let on_end = self.on_end;
        let rest = futures_util::stream::unfold(self.rest, |state| async move {
            let (mut upstream, mut html) = state?;
            loop {
                match upstream.next().await {
                    Some(Ok(chunk)) => {
                        let out = match html.as_mut() {
                            Some(h) => h.push(&chunk),
                            None => chunk,
                        };
                        if !out.is_empty() {
                            return Some((Ok(out), Some((upstream, html))));
                        }
                    }
                    // The origin broke off mid-body: the visitor sees the same truncation they
                    // would have seen without vitrine.
                    Some(Err(err)) => return Some((Err(err), None)),
                    None => {
                        let mut html = html?;
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
        });
        let done = futures_util::stream::once(async move {
            if let Some(tx) = on_end {
                let _ = tx.send(());
            }
            None
        })
        .filter_map(|x: Option<Result<Vec<u8>>>| async move { x });
        futures_util::stream::iter(head)
            .chain(rest)
            .chain(futures_util::stream::iter(tail))
            .chain(done)
    }
}

/// The result of holding a product page back while its facts stream past.
struct Held {
    body: Body,
    /// The facts, when a source yielded enough within the window.
    facts: Option<ProductFacts>,
}

async fn hold_for_facts(
    mut upstream: ByteStream,
    mut html: HtmlStream,
    probe: &FactsProbe,
    window: usize,
) -> Held {
    let mut head = Vec::new();
    let mut error = None;
    let mut ended = false;
    while !probe.ready() && head.len() < window {
        match upstream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&html.push(&chunk)),
            Some(Err(e)) => {
                error = Some(e);
                ended = true;
                break;
            }
            None => {
                head.extend_from_slice(&html.finish());
                ended = true;
                break;
            }
        }
    }
    let facts = probe.ready().then(|| probe.facts());
    Held {
        body: Body {
            head,
            rest: (!ended).then_some((upstream, Some(html))),
            error,
            on_end: None,
        },
        facts,
    }
}

/// A JSON listing: read up to its cap, then reordered as the core says; anything unexpected (too
/// large, the origin breaking off) passes as it came.
async fn json_body(fetched: &mut Response, work: &JsonWork) -> (Outgoing, JsonNote) {
    let Ok(mut upstream) = fetched.stream() else {
        return (Outgoing::Pass, JsonNote::Pass(JsonPass::NoBody));
    };
    let mut body = Vec::new();
    let mut error = None;
    let mut over = false;
    while let Some(chunk) = upstream.next().await {
        match chunk {
            Ok(c) => {
                body.extend_from_slice(&c);
                if body.len() > work.listing.max_bytes {
                    over = true;
                    break;
                }
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    if over {
        return (
            Outgoing::Stream(Body::raw(body, Some(upstream), None)),
            JsonNote::Pass(JsonPass::OverCap),
        );
    }
    if error.is_some() {
        return (
            Outgoing::Stream(Body::raw(body, None, error)),
            JsonNote::Pass(JsonPass::OriginError),
        );
    }
    let (reordered, note) = work.reorder(&body);
    (
        Outgoing::Stream(Body::raw(reordered.unwrap_or(body), None, None)),
        note,
    )
}
