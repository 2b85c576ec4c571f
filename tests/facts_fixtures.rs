//! Product facts on real storefront pages, configured by selectors only (no code per site): for
//! each platform in `../shared/fixtures/storefronts`, a config's `product_data` sources find the
//! product's key, price and category, whole and at random chunk boundaries, and the page passes
//! through byte for byte.
// Test code: a failed assertion or unwrap is how a test fails (Cargo.toml denies them in src/).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use support::{fixtures, read, Rng};
use vitrine::config::compile_json;
use vitrine::rewrite::facts::with_fact_handlers;
use vitrine::rewrite::{run_chunked, utf8, HtmlStream};
use vitrine::signal::ProductFacts;

fn config(sources: &str) -> vitrine::config::Config {
    let doc = format!(r#"{{"version":1,"site":{{"pdp":{{"product_data":{sources}}}}}}}"#);
    compile_json(&doc).unwrap_or_else(|p| panic!("config rejected: {p:?}"))
}

fn facts_of(page: &[u8], cfg: &vitrine::config::Config, rng: &mut Rng) -> ProductFacts {
    let seed = rng.seed();
    let mut last = None;
    for sizes in [vec![page.len()], rng.chunk_sizes(page.len())] {
        let (settings, probe) = with_fact_handlers(lol_html::Settings::new(), &cfg.product_sources);
        let (out, bailed) = run_chunked(HtmlStream::new(settings, utf8()), page, &sizes);
        assert!(bailed.is_none(), "bailed: {bailed:?} (seed {seed})");
        assert!(out == page, "the page changed (seed {seed})");
        let facts = probe.facts();
        if let Some(prev) = &last {
            assert_eq!(&facts, prev, "chunking changed the facts (seed {seed})");
        }
        last = Some(facts);
    }
    last.unwrap()
}

/// (page, sources, expected key, price, category)
type Case = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<f64>,
    Option<&'static str>,
);

#[test]
fn each_platform_is_configured_by_selectors_alone() {
    let Some(dir) = fixtures() else { return };
    let dir = dir.join("storefronts");
    let mut rng = Rng::from_env_or(0xfac75);
    let cases: [Case; 6] = [
        (
            "woocommerce-storefront-sample/pdp_hoodie.html",
            r#"[{"source":"json_ld"},{"source":"text","selector":".product_meta .posted_in a","field":"category"}]"#,
            Some("44"),
            Some(42.0),
            Some("Hoodies"),
        ),
        (
            "woocommerce-storefront-sample/pdp_coloring-cap.html",
            r#"[{"source":"json_ld"},{"source":"text","selector":".product_meta .posted_in a","field":"category"}]"#,
            None,
            None,
            Some("Accessories"),
        ),
        (
            "bigcommerce-stencil-smart-electronics/pdp_galaxy-z-flip4.html",
            r#"[{"source":"json_ld"},{"source":"text","selector":".breadcrumbs li.breadcrumb:nth-child(2) .breadcrumb-label span","field":"category"}]"#,
            Some("ABS-51-DI"),
            Some(889.0),
            Some("smartphones"),
        ),
        (
            "magento2-geyser-co-uk/pdp_aero-black-horizontal-designer-radiator.html",
            r#"[{"source":"text","selector":"[itemprop=sku]","field":"key"},
                {"source":"attributes","selector":"meta[property=\"product:price:amount\"]","price":"content"},
                {"source":"text","selector":".breadcrumbs li:nth-child(2) a","field":"category"}]"#,
            Some("AERO-B-600X850"),
            Some(231.996001),
            Some("Designer Radiators"),
        ),
        (
            "magento2-geyser-co-uk/pdp_atlantic-oniris-white-electric-radiator.html",
            r#"[{"source":"text","selector":"[itemprop=sku]","field":"key"},
                {"source":"attributes","selector":"meta[property=\"product:price:amount\"]","price":"content"}]"#,
            Some("ONIR-615X761"),
            Some(231.000001),
            None,
        ),
        (
            "shopify-venture-7vapes/pdp_chewingcontrail-best-vape-flavour.html",
            r#"[{"source":"attributes","selector":"[itemprop=price]","price":"content"}]"#,
            None,
            Some(29.99),
            None,
        ),
    ];
    for (file, sources, key, price, category) in cases {
        let facts = facts_of(&read(&dir.join(file)), &config(sources), &mut rng);
        if key.is_some() {
            assert_eq!(facts.key.as_deref(), key, "{file}: key");
        }
        if price.is_some() {
            assert_eq!(facts.price, price, "{file}: price");
        }
        if category.is_some() {
            assert_eq!(facts.category.as_deref(), category, "{file}: category");
        }
        assert!(!facts.is_empty(), "{file}: nothing found");
    }
}
