//! Personalization on real pages, configured by selectors alone: the four storefronts' listings
//! reordered (each tile's bytes preserved, everything outside the grid byte for byte), their
//! heroes swapped, and the first gallery image chosen on real product pages; whole and at random
//! chunk boundaries.
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
use vitrine::rewrite::personalize::{personalize, Outcome, Plan};
use vitrine::rewrite::{run_chunked, utf8, HtmlStream, SharedSink};

fn plan(cfg: Config, page: PageKind, product: Option<&str>) -> Rc<Plan> {
    Rc::new(Plan {
        now: 1_800_000_000,
        product: product.map(str::to_owned),
        ..Plan::new(Rc::new(cfg), page)
    })
}

fn run(plan: &Rc<Plan>, html: &[u8], sizes: &[usize]) -> (Vec<u8>, Outcome) {
    let sink = SharedSink::default();
    let hero = plan.hero().map(|(h, _)| h);
    let (settings, report) = personalize(lol_html::Settings::new(), &sink, plan.clone(), hero);
    let (out, bailed) = run_chunked(HtmlStream::with_sink(settings, utf8(), sink), html, sizes);
    assert!(bailed.is_none(), "{bailed:?}");
    (out, report.snapshot())
}

fn with_rules(file: &str, rules: &str) -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/configs")
        .join(file);
    let mut doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["rules"] = serde_json::from_str(rules).unwrap();
    compile_json(&doc.to_string()).unwrap_or_else(|p| panic!("{p:?}"))
}

/// Tile keys in page order, read with the same config.
fn keys(cfg: &Config, html: &[u8]) -> Vec<String> {
    vitrine::rewrite::plp::read_tiles(cfg, html, None)[0]
        .iter()
        .map(|t| t.key.clone().unwrap())
        .collect()
}

/// The `first`/`last` tokens of each `li class="… product …"`, in page order.
fn row_tokens(html: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(html);
    text.match_indices("<li class=\"")
        .map(|(i, _)| {
            let class = text[i + 11..].split('"').next().unwrap_or_default();
            class
                .split_ascii_whitespace()
                .filter(|t| *t == "first" || *t == "last")
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[test]
fn storefront_listings_are_reordered_with_tile_bytes_preserved() {
    let Some(dir) = fixtures() else { return };
    let dir = dir.join("storefronts");
    let mut rng = Rng::from_env_or(0x9e0);
    for (config, page) in [
        (
            "woocommerce.json",
            "woocommerce-storefront-sample/plp_product-category-accessories.html",
        ),
        (
            "woocommerce.json",
            "woocommerce-storefront-sample/plp_product-category-hoodies.html",
        ),
        (
            "bigcommerce.json",
            "bigcommerce-stencil-smart-electronics/plp_shop-all.html",
        ),
        (
            "bigcommerce.json",
            "bigcommerce-stencil-smart-electronics/plp_shop-all-best-electronics.html",
        ),
        (
            "magento.json",
            "magento2-geyser-co-uk/plp_designer-radiators.html",
        ),
        ("magento.json", "magento2-geyser-co-uk/plp_column-radiators.html"),
        ("shopify.json", "shopify-venture-7vapes/plp_collections-all.html"),
    ] {
        let html = read(&dir.join(page));
        let base = with_rules(config, "[]");
        let before = keys(&base, &html);
        let last = before.last().unwrap().clone();
        // Pin the last tile first: a real move on every page.
        let cfg = with_rules(
            config,
            &format!(r#"[{{"id":"p","pin":{{"product":"{last}","position":1}}}}]"#),
        );
        let p = plan(cfg, PageKind::Plp, None);
        let (whole, outcome) = run(&p, &html, &[html.len()]);
        let seed = rng.seed();
        let (chunked, _) = run(&p, &html, &rng.chunk_sizes(html.len()));
        assert!(
            chunked == whole,
            "{page}: chunking changed the output (VITRINE_SEED={seed})"
        );
        assert_eq!(outcome.regions[0].tiles, before.len(), "{page}");
        assert!(outcome.regions[0].changed, "{page}: {outcome:?}");

        let after = keys(&base, &whole);
        let mut expected = before.clone();
        expected.rotate_right(1);
        assert_eq!(after, expected, "{page}");
        // Slot-bound class tokens (WooCommerce's row `first`/`last`) stay with their slots.
        if !base.grids[0].slot.classes.is_empty() {
            assert_eq!(
                row_tokens(&whole),
                row_tokens(&html),
                "{page}: first/last stay in their slots"
            );
            assert_ne!(row_tokens(&html), Vec::<String>::new());
        }
        assert_eq!(whole.len(), html.len(), "{page}: no byte added or lost");
        // Outside the grid, byte for byte: the common prefix reaches the grid and the common
        // suffix starts after it; and every tile's bytes are the origin's.
        let pre = common_prefix(&html, &whole);
        let suf = common_prefix(
            &html.iter().rev().copied().collect::<Vec<_>>(),
            &whole.iter().rev().copied().collect::<Vec<_>>(),
        );
        let region = &html[pre..html.len() - suf];
        let region_out = &whole[pre..whole.len() - suf];
        let mut a = region.to_vec();
        let mut b = region_out.to_vec();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(
            a, b,
            "{page}: the changed region holds exactly the same bytes, moved"
        );
    }
}

#[test]
fn storefront_heroes_are_swapped_by_config() {
    let Some(dir) = fixtures() else { return };
    let dir = dir.join("storefronts");
    for (config, page, expect) in [
        (
            "woocommerce.json",
            "woocommerce-storefront-sample/plp_product-category-hoodies.html",
            1,
        ),
        (
            "bigcommerce.json",
            "bigcommerce-stencil-smart-electronics/plp_shop-all.html",
            1,
        ),
        (
            "magento.json",
            "magento2-geyser-co-uk/plp_designer-radiators.html",
            1,
        ),
        (
            "shopify.json",
            "shopify-venture-7vapes/plp_collections-all.html",
            1,
        ),
    ] {
        let html = read(&dir.join(page));
        let cfg = with_rules(
            config,
            r#"[{"id":"h","hero":{"variant":"v","headline":"Fresh <picks> & more","sub":"Chosen for you"}}]"#,
        );
        let (out, outcome) = run(&plan(cfg, PageKind::Plp, None), &html, &[4096]);
        assert!(outcome.hero_swaps >= expect, "{page}: {outcome:?}");
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.contains("Fresh &lt;picks&gt; &amp; more") || text.contains("Chosen for you"),
            "{page}: the new copy is in, escaped"
        );
        assert!(
            !text.contains("Fresh <picks>"),
            "{page}: merchandiser text is never raw HTML"
        );
    }
}

#[test]
fn real_product_pages_get_their_first_image_by_config_alone() {
    let Some(dir) = fixtures() else { return };
    let dir = dir.join("pdp-corpus/selected");
    // (page, gallery container, item, image, index of the image the catalog calls "detail")
    let cases = [
        (
            "pdp_ikea-gb.html",
            ".range-revamp-media-grid__grid",
            ".range-revamp-media-grid__media-container",
            "img",
            3,
        ),
        (
            "pdp_sfcc-bestseller-ie.html",
            "ul.product-images__main__container",
            "li",
            "img",
            2,
        ),
        (
            "pdp_shopify-mediamarkt-pt.html",
            "#view_full_size .imglist",
            "a",
            "img",
            2,
        ),
        (
            "pdp_argos-uk.html",
            "ul[class^=Thumbnailsstyles__ThumbnailItem]",
            "li",
            "img",
            2,
        ),
        ("pdp_craigslist-small.html", "#thumbs", "a.thumb", "img", 1),
        // eBay's gallery items are the <img> elements themselves.
        ("pdp_ebay-com.html", "#mainImgHldr", "img", "", 1),
    ];
    let storefront = |f: &str| {
        dir.parent()
            .unwrap()
            .parent()
            .unwrap()
            .join("storefronts")
            .join(f)
    };
    let mut all: Vec<(std::path::PathBuf, &str, &str, &str, usize)> = cases
        .iter()
        .map(|(p, c, i, im, d)| (dir.join(p), *c, *i, *im, *d))
        .collect();
    // The WooCommerce product with a nine-image gallery, by its platform config's selectors.
    all.push((
        storefront("woocommerce-storefront-sample/pdp_coloring-cap.html"),
        ".woocommerce-product-gallery__wrapper",
        ".woocommerce-product-gallery__image",
        "img",
        4,
    ));
    for (path, container, item, image, detail) in all {
        let page = path.file_name().unwrap().to_string_lossy().into_owned();
        let html = read(&path);
        let image_sel = if image.is_empty() { "img" } else { image };
        let base = |catalog: &str| {
            compile_json(&format!(
                r#"{{"version":1,"site":{{"pdp":{{"gallery":{{"container":{container:?},"item":{item:?},"image":{image_sel:?}}}}}}},
                   "rules":[{{"id":"detail-first","scope":{{"pages":["pdp"]}},"image":{{"prefer":["detail"]}}}}],
                   "catalog":{{"products":[{{"key":"P","images":{catalog}}}]}}}}"#
            ))
            .unwrap_or_else(|p| panic!("{page}: {p:?}"))
        };
        // Which images does the gallery hold, in order?
        let srcs = gallery_srcs(&html, container, item, image);
        assert!(srcs.len() > detail, "{page}: gallery images {srcs:?}");
        let catalog = format!(r#"[{{"role":"detail","src":{:?}}}]"#, srcs[detail]);
        let p = plan(base(&catalog), PageKind::Pdp, Some("P"));
        let (out, outcome) = run(&p, &html, &[8192]);
        assert_eq!(outcome.image.as_deref(), Some("detail"), "{page}: {outcome:?}");
        let after = gallery_srcs(&out, container, item, image);
        assert_eq!(after[0], srcs[detail], "{page}: the detail image is first");
        let mut a = after.clone();
        let mut b = srcs.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{page}: no image lost or duplicated");
        assert_eq!(out.len(), html.len());
        // og:image (if any) is as the origin had it.
        let og =
            |h: &[u8]| vitrine::rewrite::plp::count_matches(h, &["meta[property=\"og:image\"]".into()])[0];
        assert_eq!(og(&out), og(&html));
    }
}

/// The first image URL of each gallery item, in page order (`image` empty: the item is the image).
fn gallery_srcs(html: &[u8], container: &str, item: &str, image: &str) -> Vec<String> {
    if image.is_empty() {
        let srcs = Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
        let s1 = srcs.clone();
        let settings = lol_html::Settings::new().append_element_content_handler(lol_html::element!(
            format!("{container} > {item}"),
            move |el| {
                if let Some(src) = el.get_attribute("data-src").or_else(|| el.get_attribute("src")) {
                    s1.borrow_mut().push(src);
                }
                Ok(())
            }
        ));
        let _ = run_chunked(HtmlStream::new(settings, utf8()), html, &[65536]);
        let out = srcs.borrow().clone();
        return out;
    }
    use std::cell::RefCell;
    let srcs = Rc::new(RefCell::new(Vec::<String>::new()));
    let open = Rc::new(RefCell::new(false));
    let (s1, o1, o2) = (srcs.clone(), open.clone(), open.clone());
    let settings = lol_html::Settings::new()
        .append_element_content_handler(lol_html::element!(format!("{container} > {item}"), move |_el| {
            *o1.borrow_mut() = true;
            Ok(())
        }))
        .append_element_content_handler(lol_html::element!(
            format!("{container} > {item} {image}"),
            move |el| {
                if *o2.borrow() {
                    if let Some(src) = el.get_attribute("data-src").or_else(|| el.get_attribute("src")) {
                        s1.borrow_mut().push(src);
                    }
                    *o2.borrow_mut() = false;
                }
                Ok(())
            }
        ));
    let _ = run_chunked(HtmlStream::new(settings, utf8()), html, &[65536]);
    let out = srcs.borrow().clone();
    out
}
