//! Stopping early is byte-exact. When a page's rewriting is finished (a region marked `last`
//! closed and the product data it needs was read), the worker flushes the stream and sends the
//! rest of the origin body as it is, without lol_html or wasm. On real pages, at many random chunk
//! splits, that output must equal what streaming the whole page would give — and the stop must
//! really happen, early.
// Test code: a failed assertion or unwrap is how a test fails (Cargo.toml denies them in src/).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::path::Path;
use std::rc::Rc;

use support::{fixtures, read, Rng};
use vitrine::config::{compile_json, Config, PageKind};
use vitrine::rewrite::facts::FactsProbe;
use vitrine::rewrite::page::{build, run_until_finished, PageWork};
use vitrine::rewrite::personalize::Plan;
use vitrine::rewrite::utf8;

/// A platform config with its grid marked `last`, and rules that reorder and swap.
fn config(file: &str, pin: &str) -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/configs")
        .join(file);
    let mut doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["site"]["plp"]["grids"][0]["last"] = true.into();
    doc["rules"] = serde_json::json!([{"id": "pin", "pin": {"product": pin, "position": 1}}]);
    compile_json(&doc.to_string()).unwrap_or_else(|p| panic!("{p:?}"))
}

fn work(cfg: &Rc<Config>, page: PageKind, facts: bool) -> PageWork {
    let probe = facts.then(FactsProbe::default);
    let plan = Rc::new(Plan {
        now: 1_800_000_000,
        facts: probe.clone(),
        ..Plan::new(cfg.clone(), page)
    });
    let hero = plan.hero().map(|(h, _)| h);
    let personalize = (!cfg.grids.is_empty() || cfg.gallery.is_some()).then_some((plan, hero));
    PageWork {
        enc: utf8(),
        cfg: Some(cfg.clone()),
        facts: probe,
        personalize,
        shadow: false,
        hold: None,
        badge: None,
    }
}

/// The whole page through the stream, never stopping.
fn whole(work: &PageWork, html: &[u8]) -> Vec<u8> {
    let (mut stream, _) = build(work);
    assert!(!stream.finished(), "a fresh stream has work to do");
    let mut out = stream.push(html);
    out.extend_from_slice(&stream.finish());
    out
}

/// Checks many random splits (each with fresh work, as each request has); returns the earliest
/// and latest stop offsets seen.
fn check(name: &str, work: impl Fn() -> PageWork, html: &[u8], rng: &mut Rng, runs: usize) -> (usize, usize) {
    let expected = whole(&work(), html);
    let (mut first, mut last) = (usize::MAX, 0);
    for run in 0..runs {
        let seed = rng.seed();
        let sizes = if run == 0 {
            vec![html.len()]
        } else {
            rng.chunk_sizes(html.len())
        };
        let (stream, _) = build(&work());
        let (out, stopped) = run_until_finished(stream, html, &sizes);
        assert!(
            out == expected,
            "{name}: early stop changed the bytes (seed {seed}, replay with VITRINE_SEED)"
        );
        if run > 0 {
            let at = stopped.unwrap_or_else(|| panic!("{name}: never stopped (seed {seed})"));
            first = first.min(at);
            last = last.max(at);
        }
    }
    (first, last)
}

#[test]
fn listings_stop_after_their_last_grid_byte_for_byte() {
    let Some(dir) = fixtures() else { return };
    let dir = dir.join("storefronts");
    let mut rng = Rng::from_env_or(0x5709);
    for (file, page, pin) in [
        (
            "woocommerce.json",
            "woocommerce-storefront-sample/plp_product-category-accessories.html",
            "sunglasses",
        ),
        (
            "magento.json",
            "magento2-geyser-co-uk/plp_designer-radiators.html",
            "sheffield-d-profile-white-horizontal-designer-radiator-3",
        ),
        (
            "bigcommerce.json",
            "bigcommerce-stencil-smart-electronics/plp_shop-all.html",
            "air-pro-4-buds-tws-earbuds-with-anc",
        ),
        (
            "bigcommerce.json",
            "bigcommerce-stencil-smart-electronics/plp_shop-all-best-electronics.html",
            "galaxy-z-flip4",
        ),
        (
            "shopify.json",
            "shopify-venture-7vapes/plp_collections-all.html",
            "quattro-vape-juice-deal",
        ),
    ] {
        let html = read(&dir.join(page));
        let cfg = Rc::new(config(file, pin));
        assert_ne!(
            whole(&work(&cfg, PageKind::Plp, false), &html),
            html,
            "{page}: the pin reorders the grid"
        );
        let (first, last) = check(page, || work(&cfg, PageKind::Plp, false), &html, &mut rng, 40);
        // The grid's end is where the work ends: the stop comes at most one chunk (4 KB here)
        // after it, and well before the end of the page.
        assert!(
            last < html.len() - 4096 && last - first <= 4096 + 8,
            "{page}: stops at {first}..{last} of {}",
            html.len()
        );
    }
}

#[test]
fn a_product_page_that_only_teaches_stops_once_its_facts_are_read() {
    let Some(dir) = fixtures() else { return };
    let path =
        dir.join("pdp-corpus/html/cfd548adcbf7b92aba56738f4a44695b98173415fc0124b3b74116628c870062.html.gz");
    let html = read(&path);
    let cfg = Rc::new(
        compile_json(
            r##"{"version":1,"site":{"pdp":{"product_data":[{"source":"text","selector":"#bylineInfo","field":"brand"}]}}}"##,
        )
        .unwrap(),
    );
    let mut rng = Rng::from_env_or(0xfac7);
    let (first, last) = check(
        "amazon pdp",
        || work(&cfg, PageKind::Pdp, true),
        &html,
        &mut rng,
        6,
    );
    let fact = html
        .windows(b"id=\"bylineInfo\"".len())
        .position(|w| w == b"id=\"bylineInfo\"")
        .unwrap();
    assert!(
        first > fact && last < fact + 8192,
        "stops right after the facts at {fact}: {first}..{last}"
    );
}

#[test]
fn nothing_marked_last_means_the_page_is_read_to_its_end() {
    let cfg = Rc::new(
        compile_json(
            r#"{"version":1,"site":{"plp":{"grids":[{"name":"g","container":"ul","tile":"li","key":{"attribute":"data-k"}}]}},
                "rules":[{"id":"p","pin":{"product":"b","position":1}}]}"#,
        )
        .unwrap(),
    );
    let page = b"<ul><li data-k=a>A</li><li data-k=b>B</li></ul><p>after</p><ul><li data-k=a>2</li><li data-k=b>3</li></ul>";
    let w = work(&cfg, PageKind::Plp, false);
    let (stream, _) = build(&w);
    let (out, stopped) = run_until_finished(stream, page, &[5]);
    assert_eq!(
        stopped, None,
        "a second grid may follow: the page is read to its end"
    );
    assert_eq!(out, whole(&w, page));
    assert!(String::from_utf8(out)
        .unwrap()
        .ends_with("<ul><li data-k=b>3</li><li data-k=a>2</li></ul>"));
}
