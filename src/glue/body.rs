//! Response bodies on the platform. What happens to a body was decided by the core
//! ([`BodyWork`]); this carries it out:
//!
//! - `Pass`: the origin's body stream goes back to the runtime untouched (it never enters wasm);
//! - `Html`: the body is pumped through the page's rewriter by `pump.js` in large reads, one wasm
//!   call per read ([`Rewriter`]); a product page's head waits (up to the learn window) until its
//!   facts have streamed past; once nothing is left to rewrite the rest is piped natively;
//! - `Json`: the body is read up to its cap in one go and reordered as the core says.

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::ReadableStream;
use worker::{console_error, console_warn, Response, ResponseBuilder};

use super::after::PageEnd;
use super::http::{self, body_stream};
use crate::decide::exchange::Edit;
use crate::decide::{BodyWork, Exchange, JsonWork};
use crate::report::{JsonNote, JsonPass};
use crate::rewrite::facts::FactsProbe;
use crate::rewrite::page::{self, PageStream, PageWork};

#[wasm_bindgen(module = "/src/glue/pump.js")]
extern "C" {
    /// `{ head, done }` of a pumped body.
    pub type Pumped;
    #[wasm_bindgen(js_name = pump)]
    fn js_pump(body: &ReadableStream, rewriter: Rewriter, hold_bytes: u32) -> Pumped;
    #[wasm_bindgen(method, getter)]
    fn head(this: &Pumped) -> Promise;
    #[wasm_bindgen(method, getter)]
    fn done(this: &Pumped) -> Promise;
}

/// One page's rewriter, driven by `pump.js`: each call is synchronous and copies bytes once in
/// and once out.
#[wasm_bindgen]
pub struct Rewriter {
    stream: PageStream,
    /// The output buffer, reused for every read: nothing is allocated per read once it grew.
    out: Vec<u8>,
}

#[wasm_bindgen]
impl Rewriter {
    /// Feeds one read of the origin's body; returns the output that is ready (copied out).
    pub fn push(&mut self, chunk: &[u8]) -> Uint8Array {
        self.out.clear();
        self.stream.push_into(chunk, &mut self.out);
        Uint8Array::from(self.out.as_slice())
    }

    /// The end of the body (or of the rewriting): everything still held.
    pub fn finish(&mut self) -> Vec<u8> {
        let out = self.stream.finish();
        if let Some(reason) = self.stream.bailed() {
            console_warn!("vitrine: rewriter bailed out ({reason:?}); rest of page passed untouched");
        }
        out
    }

    /// Whether the response head may go (the product's facts have streamed past).
    pub fn ready(&self) -> bool {
        self.stream.ready()
    }

    /// Whether nothing is left to rewrite: the rest of the body may bypass the rewriter.
    pub fn finished(&self) -> bool {
        self.stream.finished()
    }
}

/// What goes back: the origin's body as it is, bytes in hand, or a body stream.
pub enum Outgoing {
    /// The origin's body, untouched.
    Pass,
    /// A body read whole.
    Bytes(Vec<u8>),
    /// A body vitrine streams.
    Stream(ReadableStream),
}

/// Carries out the body work; reports what it saw back to the exchange.
pub async fn carry_out(work: BodyWork, fetched: &Response, x: &mut Exchange) -> (Outgoing, Option<PageEnd>) {
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

async fn html(work: PageWork, fetched: &Response, x: &mut Exchange) -> (Outgoing, Option<PageEnd>) {
    let Some(body) = body_stream(fetched) else {
        return (Outgoing::Pass, None);
    };
    let (stream, handles) = page::build(&work);
    let probe = handles.probe.clone();
    let hold = work.hold.map_or(0, |h| u32::try_from(h).unwrap_or(u32::MAX));
    let rewriter = Rewriter {
        stream,
        out: Vec::with_capacity(80 * 1024),
    };
    let pumped = js_pump(&body, rewriter, hold);
    let head = JsFuture::from(pumped.head()).await;
    let Ok(readable) = head.and_then(|v| v.dyn_into::<ReadableStream>()) else {
        console_error!("vitrine: the body pump gave no stream");
        return (Outgoing::Bytes(Vec::new()), None);
    };
    if work.hold.is_some() {
        x.facts_read(probe.filter(FactsProbe::ready).map(|p| p.facts()));
    }
    let end = x.end_of_page(handles).map(|page| (page, pumped.done()));
    (Outgoing::Stream(readable), end)
}

/// The response: the origin's headers with the core's edits, and the body; with a `status` of
/// the core's own (a `304` for what the browser holds), no body and the origin's cancelled.
pub fn respond(fetched: Response, outgoing: Outgoing, status: Option<u16>, edits: &[Edit]) -> Response {
    let headers = http::copy_headers(fetched.headers());
    http::edit(&headers, edits);
    if let Some(status) = status {
        if let Some(body) = body_stream(&fetched) {
            let _ = body.cancel();
        }
        return ResponseBuilder::new()
            .with_status(status)
            .with_headers(headers)
            .empty();
    }
    let status = fetched.status_code();
    match outgoing {
        Outgoing::Pass => fetched.with_headers(headers),
        Outgoing::Bytes(bytes) => ResponseBuilder::new()
            .with_status(status)
            .with_headers(headers)
            .fixed(bytes),
        Outgoing::Stream(stream) => ResponseBuilder::new()
            .with_status(status)
            .with_headers(headers)
            .stream(stream),
    }
}

/// A JSON listing: read up to its cap, then reordered as the core says; anything unexpected (too
/// large, the origin breaking off) passes as it came.
async fn json_body(fetched: &Response, work: &JsonWork) -> (Outgoing, JsonNote) {
    let Some(body) = body_stream(fetched) else {
        return (Outgoing::Pass, JsonNote::Pass(JsonPass::NoBody));
    };
    let max = u32::try_from(work.listing.max_bytes).unwrap_or(u32::MAX);
    let Some(read) = http::read_up_to(&body, max).await else {
        return (Outgoing::Bytes(Vec::new()), JsonNote::Pass(JsonPass::OriginError));
    };
    let bytes = read.bytes().to_vec();
    if let Some(rest) = read.rest() {
        return (
            Outgoing::Stream(http::prepend(&bytes, Some(rest), None)),
            JsonNote::Pass(JsonPass::OverCap),
        );
    }
    if let Some(error) = read.error() {
        let stream = http::prepend(&bytes, None, Some(error));
        return (Outgoing::Stream(stream), JsonNote::Pass(JsonPass::OriginError));
    }
    let (reordered, note) = work.reorder(&bytes);
    (Outgoing::Bytes(reordered.unwrap_or(bytes)), note)
}
