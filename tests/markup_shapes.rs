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
