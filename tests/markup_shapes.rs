//! The markup real stores use, each shape on a small page of our own, configured by selectors
//! alone and checked byte for byte: keys and facts inside tiles, relative links, a tile that is a
//! link, and more as the shapes come (see the README's storefront config section).
// Test code: a failed assertion or unwrap is how a test fails (Cargo.toml denies them in src/).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::rc::Rc;

use vitrine::config::{compile_json, PageKind};
use vitrine::rewrite::page::{build, run_until_finished, PageWork};
use vitrine::rewrite::personalize::Plan;
use vitrine::rewrite::plp::read_tiles;
use vitrine::rewrite::utf8;

/// The page as personalized for nobody in particular (rules only), at `path`, in chunks of
/// every size from 1 to 7 and whole: all the same.
fn personalize(config: &str, page: &str, path: &str) -> String {
    let cfg = Rc::new(compile_json(config).unwrap_or_else(|e| panic!("{e:?}")));
    let mut outs = Vec::new();
    for chunk in [1, 2, 3, 5, 7, 1 << 20] {
        let plan = Rc::new(Plan {
            path: Some(Rc::from(path)),
            ..Plan::new(cfg.clone(), PageKind::Plp)
        });
        let hero = plan.hero().map(|(h, _)| h);
        let work = PageWork {
            enc: utf8(),
            cfg: Some(cfg.clone()),
            facts: None,
            personalize: Some((plan, hero)),
            shadow: false,
            hold: None,
            badge: None,
        };
        let (stream, _) = build(&work);
        let (out, _) = run_until_finished(stream, page.as_bytes(), &[chunk]);
        outs.push(String::from_utf8(out).unwrap());
    }
    assert!(
        outs.windows(2).all(|w| w[0] == w[1]),
        "chunking changed the output"
    );
    outs.remove(0)
}

fn keys(config: &str, page: &str, path: &str) -> Vec<Option<String>> {
    let cfg = compile_json(config).unwrap();
    read_tiles(&cfg, page.as_bytes(), Some(path))[0]
        .iter()
        .map(|i| i.key.clone())
        .collect()
}

#[test]
fn the_key_from_an_element_inside_the_tile_and_facts_from_text() {
    let config = r#"{"version":1,"site":{"plp":{"grids":[{"name":"g","container":"div.grid","tile":"div.card",
        "key":{"selector":".meta","attribute":"data-product-id"},
        "facts":{"brand":{"selector":".brand"},"price":{"selector":".price .amount"},"stock":{"selector":"[itemprop=availability]","attribute":"content"}}}]}},
        "rules":[{"id":"z","boost":{"match":{"brand":["zenith"]},"weight":1}},
                 {"id":"cheap","exclude":{"match":{"price":{"min":100}}}},
                 {"id":"oos","guarantee":{"in_stock_only":true}}]}"#;
    let card = |k: &str, brand: &str, price: &str, stock: &str| {
        format!(
            r#"<div class="card"><div class="meta" data-product-id="{k}"></div><span class="brand"> {brand} </span><p class="price"><span class="amount">£{price}</span></p><meta itemprop="availability" content="{stock}"></div>"#
        )
    };
    let page = format!(
        r#"<div class="grid">{}{}{}{}</div>"#,
        card("a", "Acme", "10.00", "https://schema.org/InStock"),
        card("b", "Zenith", "12.00", "https://schema.org/InStock"),
        card("c", "Zenith", "1,250.00", "https://schema.org/InStock"),
        card("d", "Zenith", "9.00", "https://schema.org/OutOfStock"),
    );
    assert_eq!(
        keys(config, &page, "/c/x"),
        [
            Some("a".into()),
            Some("b".into()),
            Some("c".into()),
            Some("d".into())
        ]
    );
    let out = personalize(config, &page, "/c/x");
    let order: Vec<&str> = out
        .match_indices("data-product-id=\"")
        .map(|(i, _)| &out[i + 17..i + 18])
        .collect();
    assert_eq!(order, ["b", "a"], "Zenith (read from text) first; c over the price cap (text, with a thousands comma) and d out of stock hidden");
    assert!(
        out.contains(&card("b", "Zenith", "12.00", "https://schema.org/InStock")),
        "tiles keep their bytes"
    );
}

#[test]
fn relative_links_resolve_against_the_page_and_a_tile_can_be_the_link() {
    let relative = r#"{"version":1,"site":{"plp":{"grids":[{"name":"g","container":"ul","tile":"li",
        "key":{"link":"a","pattern":"/shop/products/{product}"}}]}},
        "rules":[{"id":"p","pin":{"product":"c","position":1}}]}"#;
    let page = r#"<ul><li><a href="../../products/a">A</a></li><li><a href="../../products/b/">B</a></li><li><a href="https://shop.example/shop/products/c?ref=x">C</a></li></ul>"#;
    assert_eq!(
        keys(relative, page, "/shop/c/shoes/"),
        [Some("a".into()), Some("b".into()), Some("c".into())]
    );
    assert_eq!(
        personalize(relative, page, "/shop/c/shoes/"),
        r#"<ul><li><a href="https://shop.example/shop/products/c?ref=x">C</a></li><li><a href="../../products/a">A</a></li><li><a href="../../products/b/">B</a></li></ul>"#
    );
    let card_link = r#"{"version":1,"site":{"plp":{"grids":[{"name":"g","container":"div.grid","tile":"a.product-card",
        "key":{"pattern":"/products/{product}"}}]}},"rules":[{"id":"p","pin":{"product":"y","position":1}}]}"#;
    let page = r#"<div class="grid"><a class="product-card" href="/products/x">X</a><a class="product-card" href="/products/y">Y</a></div>"#;
    assert_eq!(
        personalize(card_link, page, "/collections/all"),
        r#"<div class="grid"><a class="product-card" href="/products/y">Y</a><a class="product-card" href="/products/x">X</a></div>"#
    );
}

#[test]
fn the_hero_keeps_what_it_does_not_own() {
    let config = r#"{"version":1,"site":{"plp":{"hero":{"container":".hero","headline":"h1","cta":"a.cta"}}},
        "rules":[{"id":"h","hero":{"variant":"v","headline":"Ready when you are","cta":{"text":"Go","href":"/cart"}}}]}"#;
    let page = "<div class=hero><h1>\n  <span class=\"visually-hidden\">Collection:</span>\n  Winter <em>coats</em> sale\n</h1><a class=cta href=/c/all>Shop now <svg aria-hidden=true><path d=M0/></svg></a></div>";
    assert_eq!(
        personalize(config, page, "/c/x"),
        "<div class=hero><h1>\n  <span class=\"visually-hidden\">Collection:</span>\n  Ready when you are<em>coats</em></h1><a class=cta href=\"/cart\">Go<svg aria-hidden=true><path d=M0/></svg></a></div>",
        "own text replaced, children kept (their own text too), whitespace before it kept"
    );
    // An element whose text is all in its children is left alone: the config names the element
    // holding the text instead.
    let nested = "<div class=hero><h1><span>Winter</span></h1></div>";
    assert_eq!(personalize(config, nested, "/c/x"), nested);
}

/// A product page personalized with `config` for product `P`, whole and in small chunks (all the
/// same), and what the gallery did.
fn personalize_pdp(config: &str, page: &str) -> (String, vitrine::rewrite::personalize::Outcome) {
    let cfg = Rc::new(compile_json(config).unwrap_or_else(|e| panic!("{e:?}")));
    let mut outs = Vec::new();
    for chunk in [1, 3, 7, 1 << 20] {
        let plan = Rc::new(Plan {
            path: Some(Rc::from("/products/p")),
            product: Some("P".into()),
            ..Plan::new(cfg.clone(), PageKind::Pdp)
        });
        let sink = vitrine::rewrite::SharedSink::default();
        let (settings, report) =
            vitrine::rewrite::personalize::personalize(lol_html::Settings::new(), &sink, plan, None);
        let (out, bailed) = vitrine::rewrite::run_chunked(
            vitrine::rewrite::HtmlStream::with_sink(settings, utf8(), sink),
            page.as_bytes(),
            &[chunk],
        );
        assert!(bailed.is_none(), "{bailed:?}");
        outs.push((String::from_utf8(out).unwrap(), report.snapshot()));
    }
    assert!(
        outs.windows(2).all(|w| w[0].0 == w[1].0),
        "chunking changed the output"
    );
    outs.remove(0)
}

fn gallery_config(gallery: &str, catalog_images: &str) -> String {
    format!(
        r#"{{"version":1,"site":{{"pdp":{{"gallery":{gallery}}}}},
           "rules":[{{"id":"detail-first","scope":{{"pages":["pdp"]}},"image":{{"prefer":["detail"]}}}}],
           "catalog":{{"products":[{{"key":"P","images":{catalog_images}}}]}}}}"#
    )
}

#[test]
fn image_urls_match_the_catalog_as_a_browser_resolves_them() {
    // The catalog names each image as the store's admin shows it; the page writes the same image
    // with entities, protocol-relative, relative, in a srcset only, or in a <picture>'s <source>.
    let catalog = r#"[{"role":"detail","src":"https://cdn.example/files/p-detail.jpg?v=1&w=900"}]"#;
    let gallery = r#"{"container":"ul.g","item":"li"}"#;
    for detail in [
        r#"<img src="https://cdn.example/files/p-detail.jpg?v=1&amp;w=200">"#,
        r#"<img src="//cdn.example/files/p-detail.jpg">"#,
        r#"<img src="../files/p-detail.jpg">"#,
        r#"<img srcset="//cdn.example/files/p-detail.jpg?w=400 400w, //cdn.example/files/p-detail.jpg?w=800 800w">"#,
        r#"<img data-srcset="/files/p-detail.jpg 1x">"#,
        r#"<picture><source type="image/avif" srcset="/files/p-detail.avif"><source srcset="/files/p-detail.jpg 1x, /files/p-detail-2x.jpg 2x"><img src="data:image/gif;base64,R0lGOD"></picture>"#,
    ] {
        let page = format!(
            r#"<ul class="g"><li><img src="/files/p-front.jpg"></li><li><img src="/files/p-back.jpg"></li><li>{detail}</li></ul>"#
        );
        let (out, outcome) = personalize_pdp(&gallery_config(gallery, catalog), &page);
        assert_eq!(outcome.image.as_deref(), Some("detail"), "{detail}");
        assert_eq!(
            out,
            format!(
                r#"<ul class="g"><li>{detail}</li><li><img src="/files/p-front.jpg"></li><li><img src="/files/p-back.jpg"></li></ul>"#
            )
        );
    }
}

#[test]
fn a_gallery_in_two_parts_shows_the_chosen_image_first_in_each() {
    // A main slider and a thumbnail strip whose files are named by size (as Shopify's are): the
    // strip follows the main slider's choice by place when its URLs differ, by URL when they match.
    let catalog = r#"[{"role":"front","src":"/f/p-1.jpg"},{"role":"detail","src":"/f/p-3.jpg"}]"#;
    let gallery =
        r#"{"container":".main","item":".slide","thumbnails":{"container":".nav","item":"button"}}"#;
    let main = |order: [u8; 3]| {
        order
            .iter()
            .map(|i| format!(r#"<div class="slide" data-i="{i}"><img src="/f/p-{i}.jpg"></div>"#))
            .collect::<String>()
    };
    let nav = |order: [u8; 3]| {
        order
            .iter()
            .map(|i| format!(r#"<button aria-label="Image {i}"><img src="/f/p-{i}_100x100.jpg"></button>"#))
            .collect::<String>()
    };
    for main_first in [true, false] {
        let page = |m: [u8; 3], n: [u8; 3]| {
            let (a, b) = (
                format!(r#"<div class="main">{}</div>"#, main(m)),
                format!(r#"<nav class="nav">{}</nav>"#, nav(n)),
            );
            if main_first {
                format!("<section>{a}{b}</section>")
            } else {
                // The strip comes first: by URL its items match no catalog image, so it
                // chooses nothing itself; the main slider still does.
                format!("<section>{b}{a}</section>")
            }
        };
        let (out, outcome) = personalize_pdp(&gallery_config(gallery, catalog), &page([1, 2, 3], [1, 2, 3]));
        assert_eq!(outcome.image.as_deref(), Some("detail"));
        let expected_nav = if main_first { [3, 1, 2] } else { [1, 2, 3] };
        assert_eq!(out, page([3, 1, 2], expected_nav), "main first: {main_first}");
    }
    // Thumbnails named like the main images follow by URL, wherever the image sits among them.
    let page = |m: &str, n: &str| format!(r#"<div class="main">{m}</div><div class="nav">{n}</div>"#);
    let slide = |i: u8| format!(r#"<div class="slide"><img src="/f/p-{i}.jpg"></div>"#);
    let thumb = |i: u8| format!(r#"<button><img srcset="/f/p-{i}.jpg?w=100 1x"></button>"#);
    let (out, _) = personalize_pdp(
        &gallery_config(gallery, catalog),
        &page(&[1, 2, 3].map(slide).concat(), &[2, 3, 1, 4].map(thumb).concat()),
    );
    assert_eq!(
        out,
        page(&[3, 1, 2].map(slide).concat(), &[3, 2, 1, 4].map(thumb).concat())
    );
    // Thumbnails roles can come from a role attribute, with no catalog.
    let by_role = r#"{"container":".main","item":".slide","role_attribute":"data-role","thumbnails":{"container":".nav","item":"button"}}"#;
    let slide = |r: &str| format!(r#"<div class="slide" data-role="{r}"><img src="/m/{r}.jpg"></div>"#);
    let thumb = |r: &str| format!(r#"<button data-role="{r}"><img src="/t/{r}.jpg"></button>"#);
    let (out, outcome) = personalize_pdp(
        &gallery_config(by_role, "[]"),
        &page(
            &["front", "detail"].map(slide).concat(),
            &["front", "detail"].map(thumb).concat(),
        ),
    );
    assert_eq!(outcome.image.as_deref(), Some("detail"));
    assert_eq!(
        out,
        page(
            &["detail", "front"].map(slide).concat(),
            &["detail", "front"].map(thumb).concat()
        )
    );
}

#[test]
fn product_facts_without_json_ld_microdata_open_graph_and_embedded_json() {
    let facts = |sources: &str, page: &str| {
        let cfg = compile_json(&format!(
            r#"{{"version":1,"site":{{"pdp":{{"product_data":{sources}}}}}}}"#
        ))
        .unwrap_or_else(|e| panic!("{e:?}"));
        let (f, from) = vitrine::preview::page_facts(&cfg, page.as_bytes());
        (f.key, f.brand, f.category, f.price, from)
    };
    // Microdata: itemprop on elements, values in text or in a content attribute.
    let microdata = r#"<div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Trail boot</h1>
        <meta itemprop="sku" content="TB-9"><div itemprop="brand" itemscope itemtype="https://schema.org/Brand"><span itemprop="name">Kestrel</span></div>
        <span itemprop="category">Boots &amp; shoes</span><div itemprop="offers" itemscope><span itemprop="price" content="89.50">£89.50</span></div></div>"#;
    let (key, brand, category, price, _) = facts(
        r#"[{"source":"json_ld"},
            {"source":"attributes","selector":"[itemprop=sku]","key":"content"},
            {"source":"text","selector":"[itemprop=brand] [itemprop=name]","field":"brand"},
            {"source":"text","selector":"[itemprop=category]","field":"category"},
            {"source":"attributes","selector":"[itemprop=offers] [itemprop=price]","price":"content"}]"#,
        microdata,
    );
    assert_eq!(
        (key.as_deref(), brand.as_deref()),
        (Some("TB-9"), Some("Kestrel"))
    );
    assert_eq!((category.as_deref(), price), (Some("Boots & shoes"), Some(89.5)));
    // Open Graph product meta.
    let og = r#"<head><meta property="og:type" content="product"><meta property="product:brand" content="Sable">
        <meta property="product:category" content="Bags"><meta property="product:price:amount" content="1,299.00">
        <meta property="product:retailer_item_id" content="SB-1"></head>"#;
    let (key, brand, category, price, _) = facts(
        r#"[{"source":"attributes","selector":"meta[property='product:brand']","brand":"content"},
            {"source":"attributes","selector":"meta[property='product:category']","category":"content"},
            {"source":"attributes","selector":"meta[property='product:price:amount']","price":"content"},
            {"source":"attributes","selector":"meta[property='product:retailer_item_id']","key":"content"}]"#,
        og,
    );
    assert_eq!(
        (key.as_deref(), brand.as_deref(), category.as_deref(), price),
        (Some("SB-1"), Some("Sable"), Some("Bags"), Some(1299.0))
    );
    // A theme's embedded product JSON (Shopify's `product.json`-style script, price in cents),
    // split across chunks by the test's caller as any page would be.
    let embedded = r#"<script type="application/json" id="ProductJson-main">
        {"id": 6832520954056, "vendor": "Sarman", "type": "Long Sleeves", "price": 6999, "variants": [{"sku": "B2-XS"}]}
        </script>"#;
    let (key, brand, category, price, from) = facts(
        r#"[{"source":"json","selector":"script[id^=ProductJson]","key":"/variants/0/sku","brand":"/vendor","category":"/type","price":"/price","price_scale":0.01}]"#,
        embedded,
    );
    assert_eq!(
        (key.as_deref(), brand.as_deref(), category.as_deref(), price),
        (Some("B2-XS"), Some("Sarman"), Some("Long Sleeves"), Some(69.99))
    );
    assert!(
        from["brand"]["from"]
            .as_str()
            .unwrap()
            .contains("json in script[id^=ProductJson]"),
        "{from}"
    );
    // A pointer that is not one is a config error with its path.
    let bad = compile_json(r#"{"version":1,"site":{"pdp":{"product_data":[{"source":"json","selector":"script","brand":"vendor"}]}}}"#)
        .unwrap_err();
    assert!(
        format!("{bad:?}").contains("site.pdp.product_data[0].brand"),
        "{bad:?}"
    );
}
