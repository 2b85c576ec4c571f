//! The streaming HTML rewriter: bytes in, bytes out, never the whole page in memory.
//!
//! [`HtmlStream`] wraps a `lol_html::HtmlRewriter` behind a push interface that the glue drives
//! chunk by chunk as the origin's body arrives. It owns one promise: **whatever happens, every input
//! byte comes out**. Errors do not propagate: lol_html 3's graceful bail-out flushes the input it
//! had not yet emitted, and from then on the stream copies input to output untouched. The caller
//! learns why from [`HtmlStream::bailed`] (for logs and the `x-vitrine` header where it can still be
//! set).
//!
//! This module must not touch the platform (`worker`, `js_sys`, `web_sys`): it runs natively in
//! tests and benchmarks.

use std::cell::RefCell;
use std::rc::Rc;

use lol_html::errors::RewritingError;
pub mod facts;
pub mod json;
pub mod marker;
pub mod page;
pub mod personalize;
pub mod plp;
pub mod reorder;
pub mod slot;
pub mod tile;

use lol_html::{AsciiCompatibleEncoding, HtmlRewriter, MemorySettings, OutputSink, Settings};

/// Upper bound on what lol_html may buffer internally (a tag split across chunks, a captured
/// region). Over it the rewriter bails out gracefully and the rest of the page passes untouched.
pub const DEFAULT_MEMORY_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Default)]
struct SinkState {
    out: Vec<u8>,
    /// While a region is being reordered, its output is held here instead of going out.
    hold: Option<Vec<u8>>,
    hold_cap: usize,
    overflowed: bool,
    /// A region marked `last` has closed.
    last_region_done: bool,
}

/// Collects rewriter output between two pushes, and holds back the region being reordered
/// (only that region: everything before it has already gone out). Shared with the handlers
/// because `HtmlRewriter` owns its sink and gives no access back to it.
#[derive(Clone, Default)]
pub struct SharedSink(Rc<RefCell<SinkState>>);

impl OutputSink for SharedSink {
    fn handle_chunk(&mut self, chunk: &[u8]) {
        let mut s = self.0.borrow_mut();
        let over = match s.hold.as_mut() {
            Some(hold) => {
                hold.extend_from_slice(chunk);
                hold.len() > s.hold_cap
            }
            None => {
                s.out.extend_from_slice(chunk);
                false
            }
        };
        if over {
            // Over the cap: give up on this region, send what was held as it was.
            if let Some(held) = s.hold.take() {
                s.out.extend_from_slice(&held);
            }
            s.overflowed = true;
        }
    }
}

impl SharedSink {
    /// Moves the output so far to the end of `into`, leaving the sink an empty buffer with the
    /// capacity `into` had (no regrowing the output buffer on every chunk).
    fn take_into(&self, into: &mut Vec<u8>) {
        let mut s = self.0.borrow_mut();
        if into.is_empty() {
            std::mem::swap(&mut s.out, into);
        } else {
            into.extend_from_slice(&s.out);
            s.out.clear();
        }
    }

    fn take(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.take_into(&mut out);
        out
    }

    /// Starts holding output (up to `cap` bytes); false when already holding.
    pub fn hold(&self, cap: usize) -> bool {
        let mut s = self.0.borrow_mut();
        if s.hold.is_some() {
            return false;
        }
        s.hold = Some(Vec::new());
        s.hold_cap = cap;
        s.overflowed = false;
        true
    }

    /// Bytes held so far (`None` when not holding).
    pub fn held_len(&self) -> Option<usize> {
        self.0.borrow().hold.as_ref().map(Vec::len)
    }

    /// Whether the last hold was given up for being over its cap.
    pub fn overflowed(&self) -> bool {
        self.0.borrow().overflowed
    }

    /// Stops holding and returns the held bytes (the caller emits what replaces them).
    pub fn take_held(&self) -> Option<Vec<u8>> {
        self.0.borrow_mut().hold.take()
    }

    /// Sends bytes out (after anything already out).
    pub fn emit(&self, bytes: &[u8]) {
        self.0.borrow_mut().out.extend_from_slice(bytes);
    }

    /// Records that a region marked `last` has closed: nothing to rewrite comes after it.
    pub fn mark_last_region_done(&self) {
        self.0.borrow_mut().last_region_done = true;
    }

    /// Whether a region marked `last` has closed (and nothing is being held).
    pub fn last_region_done(&self) -> bool {
        let s = self.0.borrow();
        s.last_region_done && s.hold.is_none()
    }

    /// Stops holding and sends the held bytes out unchanged (fail open).
    pub fn release(&self) {
        let mut s = self.0.borrow_mut();
        if let Some(held) = s.hold.take() {
            s.out.extend_from_slice(&held);
        }
    }
}

enum State {
    Rewriting(Box<HtmlRewriter<'static, SharedSink>>),
    /// After a bail-out: input is copied to output as is.
    Passthrough,
    Ended,
}

/// Why a stream stopped rewriting and fell back to copying its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BailOut {
    /// lol_html needed more memory than the configured limit.
    MemoryLimit,
    /// A content handler returned an error (its message is kept for the log).
    Handler(String),
    /// Any other rewriting error.
    Other(String),
}

impl std::fmt::Display for BailOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BailOut::MemoryLimit => f.write_str("memory-limit"),
            BailOut::Handler(_) => f.write_str("handler-error"),
            BailOut::Other(_) => f.write_str("rewrite-error"),
        }
    }
}

impl From<&RewritingError> for BailOut {
    fn from(err: &RewritingError) -> Self {
        match err {
            RewritingError::MemoryLimitExceeded(_) => BailOut::MemoryLimit,
            RewritingError::ContentHandlerError(e) => BailOut::Handler(e.to_string()),
            other => BailOut::Other(other.to_string()),
        }
    }
}

/// A push-driven, fail-open HTML rewriting stream.
pub struct HtmlStream {
    state: State,
    sink: SharedSink,
    bailed: Option<BailOut>,
}

impl HtmlStream {
    /// A stream that runs `settings` (handlers) over the document, in the given encoding.
    ///
    /// The settings are completed here with what every vitrine stream needs: non-strict parsing
    /// (strict mode turns some malformed markup into a hard error), graceful bail-out on handler
    /// errors and on the memory limit.
    pub fn new(settings: Settings<'static, 'static>, encoding: AsciiCompatibleEncoding) -> Self {
        Self::with_sink(settings, encoding, SharedSink::default())
    }

    /// Like [`HtmlStream::new`], with a sink the handlers share (to hold a region back).
    pub fn with_sink(
        settings: Settings<'static, 'static>,
        encoding: AsciiCompatibleEncoding,
        sink: SharedSink,
    ) -> Self {
        let settings = settings
            .with_encoding(encoding)
            .with_strict(false)
            .with_graceful_bail_out_on_content_handler_error(true)
            .with_memory_settings(
                MemorySettings::new()
                    .with_max_allowed_memory_usage(DEFAULT_MEMORY_LIMIT)
                    .with_graceful_bail_out_on_memory_limit_exceeded(true),
            );
        let rewriter = HtmlRewriter::new(settings, sink.clone());
        HtmlStream {
            state: State::Rewriting(Box::new(rewriter)),
            sink,
            bailed: None,
        }
    }

    /// A stream with no handlers: the page goes through the parser and out byte for byte. This is
    /// what runs when a page type has nothing to personalize, and the baseline benchmarks compare
    /// personalization against.
    pub fn passthrough() -> Self {
        Self::new(Settings::new(), utf8())
    }

    /// Feeds one chunk of the origin's body; returns the output that is ready (possibly empty:
    /// lol_html holds back an incomplete tag until the next chunk).
    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        self.push_into(chunk, &mut out);
        out
    }

    /// Like [`HtmlStream::push`], appending the output to `out`. A caller that clears and reuses
    /// one buffer (the worker's pump does) allocates nothing per chunk once it has grown.
    pub fn push_into(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        match &mut self.state {
            State::Rewriting(rewriter) => {
                if let Err(err) = rewriter.write(chunk) {
                    // Graceful bail-out already flushed everything the rewriter held, including
                    // this chunk's unparsed rest (into the held region, if one was open: release
                    // it in order); from here on, copy.
                    self.sink.release();
                    self.bailed = Some(BailOut::from(&err));
                    self.state = State::Passthrough;
                }
                self.sink.take_into(out);
            }
            State::Passthrough => {
                self.sink.take_into(out);
                out.extend_from_slice(chunk);
            }
            State::Ended => out.extend_from_slice(chunk),
        }
    }

    /// Signals the end of the body; returns the last output.
    pub fn finish(&mut self) -> Vec<u8> {
        if let State::Rewriting(rewriter) = std::mem::replace(&mut self.state, State::Ended) {
            if let Err(err) = rewriter.end() {
                self.bailed = Some(BailOut::from(&err));
            }
        }
        // A region still held at the end (a container that never closed) goes out as it was.
        self.sink.release();
        self.sink.take()
    }

    /// Why the stream stopped rewriting, if it did.
    pub fn bailed(&self) -> Option<&BailOut> {
        self.bailed.as_ref()
    }

    /// Whether a region marked `last` has closed: no handler has anything left to change, so the
    /// rest of the input may bypass the stream (after [`HtmlStream::finish`] flushed what it
    /// holds: lol_html emits what it buffered unchanged at the end of input).
    pub fn last_region_done(&self) -> bool {
        matches!(self.state, State::Rewriting(_)) && self.sink.last_region_done()
    }
}

/// lol_html's UTF-8 encoding handle.
pub fn utf8() -> AsciiCompatibleEncoding {
    AsciiCompatibleEncoding::utf_8()
}

/// The encoding a `Content-Type` header declares, when lol_html can rewrite it (ASCII-compatible:
/// UTF-8, windows-1252, Shift_JIS, ...). `None` means the page must not be rewritten at all
/// (UTF-16 and friends): the caller passes it through.
pub fn encoding_from_content_type(content_type: &str) -> Option<AsciiCompatibleEncoding> {
    let charset = content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    });
    match charset {
        None => Some(utf8()),
        Some(label) => {
            let enc = encoding_rs::Encoding::for_label_no_replacement(label.as_bytes())?;
            AsciiCompatibleEncoding::new(enc)
        }
    }
}

/// Runs a whole document through a stream in chunks of the given sizes (cycled); for tests and
/// benchmarks that need to replay exactly how a body might arrive over the network.
pub fn run_chunked(
    mut stream: HtmlStream,
    input: &[u8],
    chunk_sizes: &[usize],
) -> (Vec<u8>, Option<BailOut>) {
    let mut out = Vec::with_capacity(input.len() + input.len() / 8);
    let mut rest = input;
    let mut sizes = chunk_sizes.iter().copied().filter(|&n| n > 0).cycle();
    while !rest.is_empty() {
        let n = sizes.next().unwrap_or(rest.len()).min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        out.extend_from_slice(&stream.push(chunk));
        rest = tail;
    }
    out.extend_from_slice(&stream.finish());
    (out, stream.bailed().cloned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lol_html::element;

    #[test]
    fn passthrough_is_byte_identical_in_any_chunking() {
        let page = "<!doctype html><html><head><title>x</title></head><body><ul class=g><li>a</li><li>b</li></ul>\u{e9}</body></html>";
        for size in 1..page.len() {
            let (out, bailed) = run_chunked(HtmlStream::passthrough(), page.as_bytes(), &[size]);
            assert_eq!(out, page.as_bytes(), "chunk size {size}");
            assert!(bailed.is_none());
        }
    }

    #[test]
    fn handler_error_bails_out_and_keeps_every_byte() {
        let page = b"<p>one</p><div id=boom>two</div><p>three</p>";
        for size in [1, 3, 7, 100] {
            let stream = HtmlStream::new(
                Settings::new().append_element_content_handler(element!("#boom", |_el| {
                    Err("handler exploded".into())
                })),
                utf8(),
            );
            let (out, bailed) = run_chunked(stream, page, &[size]);
            assert_eq!(out, page, "chunk size {size}");
            assert!(matches!(bailed, Some(BailOut::Handler(_))), "chunk size {size}");
        }
    }

    #[test]
    fn a_rewrite_applies_before_a_later_bail_out() {
        let page = b"<h1>old</h1><div id=boom>two</div><p>tail</p>";
        let stream = HtmlStream::new(
            Settings::new()
                .append_element_content_handler(element!("h1", |el| {
                    el.set_inner_content("new", lol_html::html_content::ContentType::Text);
                    Ok(())
                }))
                .append_element_content_handler(element!("#boom", |_el| Err("no".into()))),
            utf8(),
        );
        let (out, bailed) = run_chunked(stream, page, &[5]);
        assert_eq!(out, b"<h1>new</h1><div id=boom>two</div><p>tail</p>");
        assert_eq!(bailed.map(|b| b.to_string()).as_deref(), Some("handler-error"));
    }

    #[test]
    fn charset_from_content_type() {
        assert!(encoding_from_content_type("text/html").is_some());
        assert!(encoding_from_content_type("text/html; charset=UTF-8").is_some());
        assert!(encoding_from_content_type("text/html; charset=\"windows-1252\"").is_some());
        assert!(encoding_from_content_type("text/html;charset=shift_jis").is_some());
        assert!(encoding_from_content_type("text/html; charset=utf-16le").is_none());
        assert!(encoding_from_content_type("text/html; charset=nonsense").is_none());
    }

    #[test]
    fn windows_1252_bytes_pass_untouched() {
        let page: &[u8] = b"<p>caf\xe9 \x80 na\xefve</p>";
        let enc = encoding_from_content_type("text/html; charset=windows-1252").unwrap();
        let (out, _) = run_chunked(HtmlStream::new(Settings::new(), enc), page, &[2]);
        assert_eq!(out, page);
    }
}
