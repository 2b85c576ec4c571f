//! One page's rewriter, assembled from what the request plan decided ([`PageWork`]): the product
//! facts to read (a product page that teaches the signal), the personalization (grids, hero,
//! first image) and the tiles to read for the shadow comparison, all in one lol_html pass.
//!
//! Handlers are added in that order, so for an element several of them select, facts are read
//! before the page is changed.

use std::rc::Rc;

use lol_html::{AsciiCompatibleEncoding, Settings};

use crate::config::rules::Hero;
use crate::config::Config;
use crate::rewrite::facts::{self, FactsProbe};
use crate::rewrite::personalize::{personalize, Plan, Report};
use crate::rewrite::plp::{with_tile_readers, TileReader};
use crate::rewrite::{BailOut, HtmlStream, SharedSink};

/// What to do to one HTML page, decided before its body streams.
#[derive(Clone)]
pub struct PageWork {
    /// The page's encoding.
    pub enc: AsciiCompatibleEncoding,
    /// The config; `None` streams the page through the parser unchanged.
    pub cfg: Option<Rc<Config>>,
    /// Read the product's facts into this probe (a product page).
    pub facts: Option<FactsProbe>,
    /// Personalize the page with this plan (and this hero variant, decided up front).
    pub personalize: Option<(Rc<Plan>, Option<Hero>)>,
    /// Read every grid's tiles, for the shadow comparison at the end of the page.
    pub shadow: bool,
    /// Hold the response head back until the facts are known, up to this many bytes of output.
    pub hold: Option<usize>,
    /// HTML appended at the end of `<body>` (a QA preview session's badge).
    pub badge: Option<String>,
}

/// Handles on what the handlers find while the page streams.
#[derive(Default)]
pub struct Handles {
    /// The product's facts.
    pub probe: Option<FactsProbe>,
    /// What the personalization did.
    pub report: Option<Report>,
    /// Every grid's tiles (shadow comparison).
    pub tiles: Option<Rc<TileReader>>,
}

/// One page's rewriting stream, and when it may end early.
pub struct PageStream {
    stream: HtmlStream,
    facts: Option<FactsProbe>,
    regions: bool,
    /// `debug.outcome`: what the page became, appended as a comment at its end.
    outcome: Option<Report>,
    /// A badge goes at the end of `<body>`: the stream runs to it.
    badge: bool,
}

impl PageStream {
    /// Feeds one chunk of the origin's body; returns the output that is ready.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        self.stream.push(chunk)
    }

    /// Like [`PageStream::push`], appending to `out` (see [`HtmlStream::push_into`]).
    pub fn push_into(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        self.stream.push_into(chunk, out);
    }

    /// The end of the input (or of the rewriting): everything still held, unchanged (and, with
    /// `debug.outcome`, a comment saying what the page became).
    pub fn finish(&mut self) -> Vec<u8> {
        let mut out = self.stream.finish();
        if let Some(report) = self.outcome.take() {
            let summary = report.snapshot().summary();
            let said = if summary.is_empty() {
                "unchanged"
            } else {
                summary.as_str()
            };
            // `--` cannot occur in a comment; names come from the config.
            out.extend_from_slice(format!("\n<!-- vitrine: {} -->", said.replace("--", "- -")).as_bytes());
        }
        out
    }

    /// Why the stream stopped rewriting, if it did.
    pub fn bailed(&self) -> Option<&BailOut> {
        self.stream.bailed()
    }

    /// Whether the response head may go: the product's facts have streamed past (or none are
    /// read).
    pub fn ready(&self) -> bool {
        self.facts.as_ref().is_none_or(FactsProbe::ready)
    }

    /// Whether nothing is left to do: the product's facts are known (if read), and the page's
    /// regions are done (a region marked `last` closed), or the stream bailed out. The rest of
    /// the body may then skip the rewriter: [`PageStream::finish`], then the remaining input as
    /// it is, is byte for byte what the whole stream would have produced.
    pub fn finished(&self) -> bool {
        let regions_done = !self.regions || self.stream.last_region_done();
        // The outcome comment goes at the very end: the stream runs to it.
        self.stream.bailed().is_some()
            || (self.ready() && regions_done && self.outcome.is_none() && !self.badge)
    }
}

/// The page's rewriting stream and the handles on what it finds.
pub fn build(work: &PageWork) -> (PageStream, Handles) {
    let sink = SharedSink::default();
    let mut settings = Settings::new();
    let mut handles = Handles::default();
    let Some(cfg) = &work.cfg else {
        let stream = HtmlStream::with_sink(settings, work.enc, sink);
        return (
            PageStream {
                stream,
                facts: None,
                regions: false,
                outcome: None,
                badge: false,
            },
            handles,
        );
    };
    if let Some(probe) = &work.facts {
        settings = facts::attach(settings, &cfg.product_sources, probe);
        handles.probe = Some(probe.clone());
    }
    if let Some((plan, hero)) = &work.personalize {
        let (s, report) = personalize(settings, &sink, plan.clone(), hero.clone());
        settings = s;
        handles.report = Some(report);
    }
    if let Some(badge) = work.badge.clone() {
        settings = settings.append_element_content_handler(lol_html::element!("body", move |el| {
            el.append(&badge, lol_html::html_content::ContentType::Html);
            Ok(())
        }));
    }
    if work.shadow {
        let base = work.personalize.as_ref().and_then(|(plan, _)| plan.path.clone());
        let (s, tiles) = with_tile_readers(settings, cfg, base);
        settings = s;
        handles.tiles = Some(Rc::new(tiles));
    }
    let stream = PageStream {
        stream: HtmlStream::with_sink(settings, work.enc, sink),
        facts: work.facts.clone(),
        regions: work.personalize.is_some() || work.shadow,
        outcome: handles.report.clone().filter(|_| cfg.debug.outcome),
        badge: work.badge.is_some(),
    };
    (stream, handles)
}

/// Runs a page through its stream in chunks of the given sizes (cycled), ending early the moment
/// [`PageStream::finished`] says so: the stream's output, then the rest of the input as it is.
/// Returns the output and the input offset the stream stopped at (`None`: it read everything).
/// What the pump does in the worker, for tests and benchmarks.
pub fn run_until_finished(
    mut stream: PageStream,
    input: &[u8],
    chunk_sizes: &[usize],
) -> (Vec<u8>, Option<usize>) {
    let mut out = Vec::with_capacity(input.len() + input.len() / 8);
    let mut at = 0;
    let mut sizes = chunk_sizes.iter().copied().filter(|&n| n > 0).cycle();
    while at < input.len() {
        let n = sizes.next().unwrap_or(input.len()).min(input.len() - at);
        out.extend_from_slice(&stream.push(input.get(at..at + n).unwrap_or_default()));
        at += n;
        if stream.finished() && at < input.len() {
            out.extend_from_slice(&stream.finish());
            out.extend_from_slice(input.get(at..).unwrap_or_default());
            return (out, Some(at));
        }
    }
    out.extend_from_slice(&stream.finish());
    (out, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{compile_json, PageKind};
    use crate::rewrite::utf8;

    fn cfg() -> Rc<Config> {
        Rc::new(
            compile_json(
                r#"{"version":1,"site":{"plp":{"grids":[{"name":"g","container":"ul","tile":"li","key":{"attribute":"data-k"}}]},
                   "pdp":{"product_data":[{"source":"attributes","selector":"main","brand":"data-brand"}]}},
                   "rules":[{"id":"p","pin":{"product":"b","position":1}},{"id":"s","mode":"shadow","pin":{"product":"c","position":1}}]}"#,
            )
            .unwrap(),
        )
    }

    #[test]
    fn one_pass_reads_facts_personalizes_and_collects_tiles() {
        let cfg = cfg();
        let probe = FactsProbe::default();
        let plan = Rc::new(Plan {
            facts: Some(probe.clone()),
            ..Plan::new(cfg.clone(), PageKind::Plp)
        });
        let work = PageWork {
            enc: utf8(),
            cfg: Some(cfg),
            facts: Some(probe),
            personalize: Some((plan, None)),
            shadow: true,
            hold: None,
            badge: None,
        };
        let (stream, handles) = build(&work);
        let page = b"<main data-brand=Sable><ul><li data-k=a>A</li><li data-k=b>B</li><li data-k=c>C</li></ul></main>";
        let (out, stopped) = run_until_finished(stream, page, &[3]);
        assert_eq!(stopped, None, "no region is marked last");
        assert_eq!(
            out,
            b"<main data-brand=Sable><ul><li data-k=b>B</li><li data-k=a>A</li><li data-k=c>C</li></ul></main>".to_vec()
        );
        assert_eq!(handles.probe.unwrap().facts().brand.as_deref(), Some("Sable"));
        assert_eq!(handles.report.unwrap().snapshot().summary(), "g=reordered:3");
        let tiles = handles.tiles.unwrap();
        let keys: Vec<_> = tiles.tiles()[0].iter().map(|t| t.key.clone().unwrap()).collect();
        assert_eq!(keys, ["a", "b", "c"], "the shadow reader sees the origin's order");
    }

    #[test]
    fn debug_outcome_ends_the_page_with_what_it_became() {
        let doc = |outcome: bool, last: bool| {
            Rc::new(
                compile_json(&format!(
                    r#"{{"version":1,"site":{{"plp":{{"grids":[{{"name":"g","container":"ul","tile":"li","key":{{"attribute":"data-k"}},"last":{last}}}]}}}},
                       "debug":{{"outcome":{outcome}}},"rules":[{{"id":"p","pin":{{"product":"b","position":1}}}}]}}"#
                ))
                .unwrap(),
            )
        };
        let page = b"<ul><li data-k=a>A</li><li data-k=b>B</li></ul><footer>end</footer>";
        for outcome in [false, true] {
            let cfg = doc(outcome, true);
            let work = PageWork {
                enc: utf8(),
                cfg: Some(cfg.clone()),
                facts: None,
                personalize: Some((Rc::new(Plan::new(cfg, PageKind::Plp)), None)),
                shadow: false,
                hold: None,
                badge: None,
            };
            let (stream, _) = build(&work);
            let (out, stopped) = run_until_finished(stream, page, &[8]);
            let body = b"<ul><li data-k=b>B</li><li data-k=a>A</li></ul><footer>end</footer>".to_vec();
            if outcome {
                assert_eq!(stopped, None, "the comment needs the whole page");
                assert_eq!(
                    out,
                    [body, b"\n<!-- vitrine: g=reordered:2 -->".to_vec()].concat()
                );
            } else {
                assert!(stopped.is_some(), "without it the last grid ends the rewriting");
                assert_eq!(out, body);
            }
        }
    }

    #[test]
    fn without_a_config_the_page_streams_unchanged() {
        let work = PageWork {
            enc: utf8(),
            cfg: None,
            facts: None,
            personalize: None,
            shadow: false,
            hold: None,
            badge: None,
        };
        let (stream, handles) = build(&work);
        let page = b"<ul><li data-k=a>A</li></ul>";
        assert_eq!(run_until_finished(stream, page, &[2]).0, page.to_vec());
        assert!(handles.report.is_none() && handles.tiles.is_none() && handles.probe.is_none());
    }
}
