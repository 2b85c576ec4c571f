// Test code: a failed assertion or unwrap is how a test fails (Cargo.toml denies them in src/).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(clippy::disallowed_methods, missing_docs)]
//! Profiling aid, not part of `make bench`: personalizes the demo PLP (target/bench/plp.html,
//! rendered by `make bench`) in a loop, to run under perf or callgrind. Build with symbols:
//!
//! ```sh
//! CARGO_PROFILE_BENCH_STRIP=none CARGO_PROFILE_BENCH_DEBUG=1 cargo bench --bench probe --no-run
//! N=100 ONLY=grids valgrind --tool=callgrind target/release/deps/probe-<hash>
//! ```
//!
//! `ONLY=hero|grids|norules` keeps one feature of the demo config; `N` is the iteration count.

use std::hint::black_box;
use std::rc::Rc;

use vitrine::config::PageKind;
use vitrine::rewrite::personalize::{personalize, Plan};
use vitrine::rewrite::{run_chunked, utf8, HtmlStream, SharedSink};
use vitrine::signal::{Event, ProductFacts, Signal};

fn personalize_once(plan: &Rc<Plan>, page: &[u8]) {
    let sink = SharedSink::default();
    let hero = plan.hero().map(|(h, _)| h);
    let (settings, report) = personalize(lol_html::Settings::new(), &sink, plan.clone(), hero);
    let (out, _) = run_chunked(HtmlStream::with_sink(settings, utf8(), sink), page, &[16384]);
    black_box((out, report.snapshot()));
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read(root.join("target/bench/plp.html")).expect("run `make bench` first");
    let text = std::fs::read_to_string(root.join("www/vitrine.config.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let only = std::env::var("ONLY").unwrap_or_default();
    match only.as_str() {
        "hero" => doc["site"]["plp"]["grids"] = serde_json::json!([]),
        "grids" => doc["site"]["plp"]["hero"] = serde_json::Value::Null,
        "norules" => {
            doc["rules"] = serde_json::json!([]);
            doc["site"]["plp"]["hero"] = serde_json::Value::Null;
        }
        _ => {}
    }
    let cfg = Rc::new(vitrine::config::compile_json(&doc.to_string()).unwrap());
    let mut fan = Signal::new([3; 12], 1_000_000, Default::default());
    fan.learn(&Event::PdpView {
        product: ProductFacts {
            brand: Some("Kestrel".into()),
            ..Default::default()
        },
    });
    let plan = Rc::new(Plan {
        category: Some("outerwear".into()),
        signal: Some(fan),
        consent: true,
        now: 1_795_600_000,
        ..Plan::new(cfg, PageKind::Plp)
    });
    let n: u32 = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let t = std::time::Instant::now();
    for _ in 0..n {
        personalize_once(&plan, &page);
    }
    let each = t.elapsed().as_secs_f64() * 1e6 / f64::from(n);
    println!(
        "personalize demo PLP ({}): {each:.1} us",
        if only.is_empty() { "all" } else { &only }
    );
}
