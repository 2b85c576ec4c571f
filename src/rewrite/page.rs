//! One page's rewriter, assembled from what the request plan decided ([`PageWork`]): the product
//! facts to read (a product page that teaches the signal), the personalization (grids, hero,
//! first image) and the tiles to read for the shadow comparison, all in one lol_html pass.
//!
//! Handlers are added in that order, so for an element several of them select, facts are read
//! before the page is changed.

use std::cell::RefCell;
use std::rc::Rc;

use lol_html::{AsciiCompatibleEncoding, Settings};

use crate::config::rules::Hero;
use crate::config::Config;
use crate::rewrite::facts::{self, FactsProbe};
use crate::rewrite::personalize::{personalize, Plan, Report};
use crate::rewrite::plp::{with_tile_readers, Tiles};
use crate::rewrite::{HtmlStream, SharedSink};

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
}

/// Handles on what the handlers find while the page streams.
#[derive(Default)]
pub struct Handles {
    /// The product's facts.
    pub probe: Option<FactsProbe>,
    /// What the personalization did.
    pub report: Option<Report>,
    /// Every grid's tiles (shadow comparison).
    pub tiles: Option<Rc<RefCell<Tiles>>>,
}

/// The page's rewriting stream and the handles on what it finds.
pub fn build(work: &PageWork) -> (HtmlStream, Handles) {
    let sink = SharedSink::default();
    let mut settings = Settings::new();
    let mut handles = Handles::default();
    let Some(cfg) = &work.cfg else {
        return (HtmlStream::with_sink(settings, work.enc, sink), handles);
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
    if work.shadow {
        let (s, tiles) = with_tile_readers(settings, cfg);
        settings = s;
        handles.tiles = Some(tiles);
    }
    (HtmlStream::with_sink(settings, work.enc, sink), handles)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{compile_json, PageKind};
    use crate::rewrite::{run_chunked, utf8};

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
        };
        let (stream, handles) = build(&work);
        let page = b"<main data-brand=Sable><ul><li data-k=a>A</li><li data-k=b>B</li><li data-k=c>C</li></ul></main>";
        let (out, _) = run_chunked(stream, page, &[3]);
        assert_eq!(
            out,
            b"<main data-brand=Sable><ul><li data-k=b>B</li><li data-k=a>A</li><li data-k=c>C</li></ul></main>".to_vec()
        );
        assert_eq!(handles.probe.unwrap().facts().brand.as_deref(), Some("Sable"));
        assert_eq!(handles.report.unwrap().snapshot().summary(), "g=reordered:3");
        let tiles = handles.tiles.unwrap();
        let keys: Vec<_> = tiles.borrow()[0].iter().map(|t| t.key.clone().unwrap()).collect();
        assert_eq!(keys, ["a", "b", "c"], "the shadow reader sees the origin's order");
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
        };
        let (stream, handles) = build(&work);
        let page = b"<ul><li data-k=a>A</li></ul>";
        assert_eq!(run_chunked(stream, page, &[2]).0, page.to_vec());
        assert!(handles.report.is_none() && handles.tiles.is_none() && handles.probe.is_none());
    }
}
