//! `make bench`, native half: the cost of vitrine's streaming pipeline on real pages, as ratios
//! measured in one run (absolute times vary by machine; ratios are what we track).
//!
//! For each page, in the same 16 KB chunking a network delivers:
//! - `copy`: copying the bytes chunk by chunk (the floor),
//! - `lol_html`: a bare `lol_html::HtmlRewriter` with no handlers,
//! - `vitrine`: `HtmlStream::passthrough()` (the wrapper the worker runs: fail-open, shared sink).
//!
//! Reported: MB/s for each and the ratio vitrine / lol_html (the wrapper's overhead; goal about 1.0).
//! Later issues add personalization (re-ranking, hero, image) against the same baseline.
// Test code: a failed assertion or unwrap is how a test fails (Cargo.toml denies them in src/).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(clippy::disallowed_methods)] // a benchmark is allowed a clock; the core is not

#[path = "../support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use lol_html::{HtmlRewriter, Settings};
use vitrine::config::PageKind;
use vitrine::rewrite::personalize::{personalize, Plan};
use vitrine::rewrite::{run_chunked, utf8, HtmlStream, SharedSink};
use vitrine::signal::cookie::{self, CookieSpec, Keyring};
use vitrine::signal::{Event, ProductFacts, Signal};

const CHUNK: usize = 16 * 1024;

/// Runs `f` repeatedly for about `budget`, returns the median time per run.
fn measure(budget: Duration, mut f: impl FnMut()) -> Duration {
    f(); // warm up
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget || samples.len() < 5 {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    samples.sort();
    samples[samples.len() / 2]
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e6
}

fn main() {
    let Some(dir) = support::fixtures() else {
        println!("bench native: fixtures not found, nothing to measure");
        return;
    };
    let mut pages: Vec<(String, Vec<u8>)> = Vec::new();
    // The largest real pages around 900 KB, and storefront listings.
    let mut corpus: Vec<_> = std::fs::read_dir(dir.join("pdp-corpus/html"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let b = support::read(&p);
            (p, b)
        })
        .collect();
    corpus.sort_by_key(|(_, b)| (b.len() as i64 - 900_000).abs());
    for (p, b) in corpus.into_iter().take(2) {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        pages.push((format!("pdp-corpus/{}…", &name[..12.min(name.len())]), b));
    }
    for f in [
        "storefronts/magento2-geyser-co-uk/plp_designer-radiators.html",
        "storefronts/shopify-venture-7vapes/plp_collections-all.html",
    ] {
        pages.push((
            f.rsplit('/').next().unwrap().to_owned(),
            support::read(&dir.join(f)),
        ));
    }

    let budget = Duration::from_millis(
        std::env::var("BENCH_MS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(600),
    );
    println!("bench native (chunks of {CHUNK} bytes, median of runs over {budget:?} each)");
    println!(
        "{:<44} {:>9} {:>10} {:>10} {:>10} {:>16}",
        "page", "KB", "copy MB/s", "lol MB/s", "vit MB/s", "vitrine/lol_html"
    );
    let mut reference = None;
    for (name, page) in &pages {
        let copy = measure(budget, || {
            let mut out = Vec::with_capacity(page.len());
            for c in page.chunks(CHUNK) {
                out.extend_from_slice(black_box(c));
            }
            black_box(out);
        });
        let lol = measure(budget, || {
            let mut out = Vec::with_capacity(page.len());
            let mut rw = HtmlRewriter::new(Settings::new(), |c: &[u8]| out.extend_from_slice(c));
            for c in page.chunks(CHUNK) {
                rw.write(c).unwrap();
            }
            rw.end().unwrap();
            black_box(out);
        });
        let vit = measure(budget, || {
            let (out, bailed) = run_chunked(HtmlStream::passthrough(), page, &[CHUNK]);
            assert!(bailed.is_none());
            black_box(out);
        });
        if reference.is_none() {
            reference = Some((name.clone(), vit));
        }
        println!(
            "{:<44} {:>9.0} {:>10.0} {:>10.1} {:>10.1} {:>15.2}x",
            name,
            page.len() as f64 / 1024.0,
            mbps(page.len(), copy),
            mbps(page.len(), lol),
            mbps(page.len(), vit),
            vit.as_secs_f64() / lol.as_secs_f64()
        );
    }
    if let Some((page, passthrough)) = reference {
        signal_bench(budget, &page, passthrough);
    }
    personalize_bench(budget, &dir);
}

/// Runs a page through personalization (the worker's handlers) in 16 KB chunks.
fn personalized(plan: &std::rc::Rc<Plan>, page: &[u8]) -> (Vec<u8>, String) {
    let sink = SharedSink::default();
    let hero = plan.hero().map(|(h, _)| h);
    let (settings, report) = personalize(lol_html::Settings::new(), &sink, plan.clone(), hero);
    let (out, _) = run_chunked(HtmlStream::with_sink(settings, utf8(), sink), page, &[CHUNK]);
    (out, report.snapshot().summary())
}

/// Personalizing a page against streaming the same bytes through the pass-through rewriter,
/// measured in this run. Goal: at most 1.3x.
fn personalize_bench(budget: Duration, dir: &std::path::Path) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let demo = std::fs::read_to_string(root.join("www/vitrine.config.json")).unwrap();
    let demo_cfg = std::rc::Rc::new(vitrine::config::compile_json(&demo).unwrap());
    let mut fan = Signal::new([3; 12], 1_000_000, Default::default());
    for brand in ["Kestrel", "Kestrel", "Sable"] {
        fan.learn(&Event::PdpView {
            product: ProductFacts {
                brand: Some(brand.into()),
                category: Some("outerwear".into()),
                price: Some(180.0),
                ..Default::default()
            },
        });
    }
    fan.learn(&Event::AddToCart {
        product: ProductFacts::default(),
    });
    let plan =
        |cfg: std::rc::Rc<vitrine::config::Config>, page, category: Option<&str>, product: Option<&str>| {
            std::rc::Rc::new(Plan {
                category: category.map(str::to_owned),
                signal: Some(fan.clone()),
                consent: true,
                country: Some("US".into()),
                now: 1_795_600_000,
                product: product.map(str::to_owned),
                ..Plan::new(cfg, page)
            })
        };
    let mut cases: Vec<(String, Vec<u8>, std::rc::Rc<Plan>)> = Vec::new();
    match std::fs::read(root.join("target/bench/plp.html")) {
        Ok(plp) => cases.push((
            "demo PLP, 48 tiles (rank+pins+hero)".into(),
            plp,
            plan(demo_cfg.clone(), PageKind::Plp, Some("outerwear"), None),
        )),
        Err(_) => println!("  (target/bench/plp.html missing: `make bench` renders it)"),
    }
    let sfcc = dir.join("pdp-corpus/selected/pdp_sfcc-bestseller-ie.html");
    if let Ok(page) = std::fs::read(&sfcc) {
        let cfg = vitrine::config::compile_json(
            r#"{"version":1,"site":{"pdp":{"product_data":[{"source":"json_ld"}],
              "gallery":{"container":"ul.product-images__main__container","item":"li","image":"img","role_attribute":"data-role"}}},
              "rules":[{"id":"img","scope":{"pages":["pdp"]},"image":{"prefer":["detail"]}}]}"#,
        )
        .unwrap();
        cases.push((
            format!("real PDP, {} KB (facts+gallery)", page.len() / 1024),
            page,
            plan(std::rc::Rc::new(cfg), PageKind::Pdp, None, None),
        ));
    }
    println!();
    println!("bench personalize (same bytes, 16 KB chunks; goal <= 1.3x of pass-through)");
    println!("  floor = lol_html running the same selectors with no-op handlers: the matching cost any");
    println!("  selector-based rewriter pays; personalized/floor is what vitrine's own work adds");
    for (name, page, plan) in cases {
        let pass = measure(budget, || {
            black_box(run_chunked(HtmlStream::passthrough(), &page, &[CHUNK]));
        });
        let selectors: Vec<String> = vitrine::config::lint::selectors(&plan.cfg)
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        let floor = measure(budget, || {
            let mut settings = lol_html::Settings::new();
            for sel in &selectors {
                if let Ok(parsed) = sel.parse::<lol_html::Selector>() {
                    settings = settings.append_element_content_handler((
                        std::borrow::Cow::Owned(parsed),
                        lol_html::ElementContentHandlers::default()
                            .element(|_el: &mut lol_html::html_content::Element<'_, '_>| Ok(())),
                    ));
                }
            }
            black_box(run_chunked(HtmlStream::new(settings, utf8()), &page, &[CHUNK]));
        });
        let (_, summary) = personalized(&plan, &page);
        let pers = measure(budget, || {
            black_box(personalized(&plan, &page));
        });
        println!(
            "  {name:<38} pass {:>7.1} us  floor {:>7.1} us  personalized {:>7.1} us  vs pass {:.2}x  vs floor {:.2}x  [{summary}]",
            pass.as_secs_f64() * 1e6,
            floor.as_secs_f64() * 1e6,
            pers.as_secs_f64() * 1e6,
            pers.as_secs_f64() / pass.as_secs_f64(),
            pers.as_secs_f64() / floor.as_secs_f64()
        );
    }
}

/// The signal's cost per request: decode + verify a full-state cookie, count the view, learn a
/// product view, encode + sign the new cookie. Reported in microseconds and against streaming
/// one real page through the pass-through rewriter (measured above, in this run).
fn signal_bench(budget: Duration, page: &str, passthrough: Duration) {
    let keys = Keyring::parse("1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8").unwrap();
    let mut s = Signal::new([0xab; 12], 1_000_000, Default::default());
    for i in 0..10 {
        s.learn(&Event::PdpView {
            product: ProductFacts {
                key: Some(format!("SKU-{i}")),
                category: Some(format!("category-{i}")),
                brand: Some(format!("brand-{i}")),
                price: Some(20.0 * f64::from(i)),
            },
        });
    }
    s.customer_key = Some([7; 8]);
    let value = cookie::encode(&s, &keys);
    let set_cookie = CookieSpec::default().set(&value);
    let event = Event::PdpView {
        product: ProductFacts {
            key: Some("VT-0042".into()),
            category: Some("outerwear".into()),
            brand: Some("Kestrel".into()),
            price: Some(149.0),
        },
    };
    let round_trip = measure(budget, || {
        let mut signal = cookie::decode(black_box(&value), &keys).unwrap();
        signal.visit(1_000_100);
        signal.learn(&event);
        black_box(CookieSpec::default().set(&cookie::encode(&signal, &keys)));
    });
    println!();
    println!("bench signal (full state: 4 categories, 5 brands, 4 recent, customer key)");
    println!(
        "  Set-Cookie at full state: {} bytes (budget 200); cookie value {} bytes",
        set_cookie.len(),
        value.len()
    );
    println!(
        "  decode + verify + learn + encode + sign: {:.2} us per request = {:.3}x of streaming {page} through the pass-through rewriter",
        round_trip.as_secs_f64() * 1e6,
        round_trip.as_secs_f64() / passthrough.as_secs_f64()
    );
}
