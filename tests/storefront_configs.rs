//! The example configs in `tests/configs/` (one per platform in `../shared/fixtures/storefronts`)
//! validate, and their selectors find the tiles (with keys), the hero and the first product image
//! on those real pages: any storefront is handled by configuration, not code.
// Test code: a failed assertion or unwrap is how a test fails (Cargo.toml denies them in src/).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::path::Path;

use support::{fixtures, read};
use vitrine::config::{compile_json, Config};
use vitrine::rewrite::plp::{count_matches, read_tiles};

fn config(name: &str) -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/configs")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    compile_json(&text).unwrap_or_else(|p| panic!("{name} does not validate: {p:#?}"))
}

struct Expect {
    config: &'static str,
    plps: &'static [(&'static str, usize)],
    pdps: &'static [&'static str],
}

const PLATFORMS: [Expect; 4] = [
    Expect {
        config: "woocommerce.json",
        plps: &[
            (
                "woocommerce-storefront-sample/plp_product-category-accessories.html",
                5,
            ),
            (
                "woocommerce-storefront-sample/plp_product-category-hoodies.html",
                4,
            ),
        ],
        pdps: &[
            "woocommerce-storefront-sample/pdp_hoodie.html",
            "woocommerce-storefront-sample/pdp_coloring-cap.html",
        ],
    },
    Expect {
        config: "bigcommerce.json",
        plps: &[
            ("bigcommerce-stencil-smart-electronics/plp_shop-all.html", 12),
            (
                "bigcommerce-stencil-smart-electronics/plp_shop-all-best-electronics.html",
                12,
            ),
        ],
        pdps: &[
            "bigcommerce-stencil-smart-electronics/pdp_galaxy-z-flip4.html",
            "bigcommerce-stencil-smart-electronics/pdp_236l-convertible-freezer-refrigerator.html",
        ],
    },
    Expect {
        config: "magento.json",
        plps: &[
            ("magento2-geyser-co-uk/plp_designer-radiators.html", 12),
            ("magento2-geyser-co-uk/plp_column-radiators.html", 12),
        ],
        pdps: &[
            "magento2-geyser-co-uk/pdp_aero-black-horizontal-designer-radiator.html",
            "magento2-geyser-co-uk/pdp_atlantic-oniris-white-electric-radiator.html",
        ],
    },
    Expect {
        config: "shopify.json",
        plps: &[("shopify-venture-7vapes/plp_collections-all.html", 5)],
        pdps: &["shopify-venture-7vapes/pdp_chewingcontrail-best-vape-flavour.html"],
    },
];

#[test]
fn every_platform_config_finds_tiles_hero_and_first_image() {
    let Some(dir) = fixtures() else { return };
    let dir = dir.join("storefronts");
    for p in PLATFORMS {
        let cfg = config(p.config);
        let hero = cfg.hero.as_ref().unwrap();
        for (file, n) in p.plps {
            let html = read(&dir.join(file));
            let tiles = read_tiles(&cfg, &html, None);
            assert_eq!(tiles[0].len(), *n, "{file}: tiles");
            let keys: Vec<_> = tiles[0].iter().map(|t| t.key.clone()).collect();
            assert!(
                keys.iter().all(Option::is_some),
                "{file}: every tile has a key: {keys:?}"
            );
            let unique: std::collections::HashSet<_> = keys.iter().collect();
            assert_eq!(unique.len(), keys.len(), "{file}: keys are distinct: {keys:?}");
            // The config keeps each hero part combined with its container (`.hero h1`).
            let mut sels = vec![hero.container.as_str().to_owned()];
            sels.extend(
                [&hero.headline, &hero.sub]
                    .into_iter()
                    .flatten()
                    .map(|s| s.as_str().to_owned()),
            );
            let counts = count_matches(&html, &sels);
            assert!(
                counts.iter().all(|&c| c >= 1),
                "{file}: hero selectors {sels:?} matched {counts:?}"
            );
        }
        let gallery = cfg.gallery.as_ref().unwrap();
        for file in p.pdps {
            let html = read(&dir.join(file));
            // `container > item image`, as the config compiled it.
            let first = gallery.main.image.as_str().to_owned();
            let counts = count_matches(&html, std::slice::from_ref(&first));
            assert!(counts[0] >= 1, "{file}: first image {first:?} matched nothing");
        }
    }
}

/// The new shapes, where these real pages need them: Magento's one URL shape for categories and
/// products told apart by body class; Shopify product facts from the theme's product JSON;
/// BigCommerce's single main image with a thumbnail strip, reordered by the catalog's roles.
#[test]
fn platform_configs_use_markers_product_json_and_thumbnail_strips() {
    use std::rc::Rc;
    use vitrine::config::PageKind;
    use vitrine::rewrite::personalize::{personalize, Plan};
    use vitrine::rewrite::{run_chunked, utf8, HtmlStream, SharedSink};
    let Some(dir) = fixtures() else { return };
    let dir = dir.join("storefronts");

    let magento = config("magento.json");
    for (file, path, kind) in [
        (
            "magento2-geyser-co-uk/plp_column-radiators.html",
            "/column-radiators/index.html",
            PageKind::Plp,
        ),
        (
            "magento2-geyser-co-uk/pdp_aero-black-horizontal-designer-radiator.html",
            "/aero-black-horizontal-designer-radiator/index.html",
            PageKind::Pdp,
        ),
    ] {
        let html = read(&dir.join(file));
        let page = vitrine::preview::decide_page(&magento, path, &html).unwrap();
        assert_eq!(page.kind, kind, "{file}");
    }

    let shopify = config("shopify.json");
    for (file, brand, price) in [
        (
            "shopify-venture-7vapes/pdp_chewingcontrail-best-vape-flavour.html",
            "7VAPES",
            29.99,
        ),
        ("shopify-broadcast-sarmanfashion/pdp_blue-moon.html", "", 0.0),
    ] {
        let (facts, from) = vitrine::preview::page_facts(&shopify, &read(&dir.join(file)));
        assert!(
            facts.key.is_some() && facts.price.is_some(),
            "{file}: {facts:?} {from}"
        );
        assert!(
            from["key"]["from"].as_str().unwrap().contains("json in script"),
            "{file}: {from}"
        );
        if !brand.is_empty() {
            assert_eq!(
                (facts.brand.as_deref(), facts.price),
                (Some(brand), Some(price)),
                "{file}"
            );
        }
    }

    // BigCommerce: the catalog calls the 3rd thumbnail's image "detail".
    let file = "bigcommerce-stencil-smart-electronics/pdp_236l-convertible-freezer-refrigerator.html";
    let html = read(&dir.join(file));
    let text = String::from_utf8_lossy(&html).into_owned();
    let thumbs: Vec<String> = text
        .split("<div class=\"productView-thumbnail\">")
        .skip(1)
        .map(|t| {
            let at = t.find("<img src=\"").unwrap() + 10;
            t[at..at + t[at..].find('"').unwrap()].to_owned()
        })
        .collect();
    assert_eq!(thumbs.len(), 20);
    let mut doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/configs/bigcommerce.json"),
        )
        .unwrap(),
    )
    .unwrap();
    doc["rules"] =
        serde_json::json!([{"id": "detail", "scope": {"pages": ["pdp"]}, "image": {"prefer": ["detail"]}}]);
    doc["catalog"] =
        serde_json::json!({"products": [{"key": "P", "images": [{"role": "detail", "src": thumbs[2]}]}]});
    let cfg = Rc::new(compile_json(&doc.to_string()).unwrap());
    let plan = Rc::new(Plan {
        product: Some("P".into()),
        ..Plan::new(cfg, PageKind::Pdp)
    });
    let sink = SharedSink::default();
    let (settings, report) = personalize(lol_html::Settings::new(), &sink, plan, None);
    let (out, bailed) = run_chunked(HtmlStream::with_sink(settings, utf8(), sink), &html, &[4096]);
    assert!(bailed.is_none());
    let outcome = report.snapshot();
    assert_eq!(outcome.image.as_deref(), Some("detail"), "{:?}", outcome.regions);
    let after = String::from_utf8(out).unwrap();
    let first_thumb = after
        .split("<div class=\"productView-thumbnail\">")
        .nth(1)
        .unwrap();
    assert!(
        first_thumb.contains(&format!("<img src=\"{}\"", thumbs[2])),
        "the detail thumbnail is first"
    );
    assert_eq!(after.len(), html.len());
    // The main image (one only) is where it was.
    let main = |s: &str| {
        s[s.find("productView-image").unwrap()..s.find("productView-thumbnails").unwrap()].to_owned()
    };
    assert_eq!(main(&after), main(&text));
}
