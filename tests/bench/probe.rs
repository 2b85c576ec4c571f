#![allow(clippy::disallowed_methods, missing_docs)]
//! Profiling aid: personalizes the demo PLP in a loop (run under perf or callgrind).
use std::hint::black_box;
use std::rc::Rc;
use vitrine::config::rules::Device;
use vitrine::config::PageKind;
use vitrine::rewrite::personalize::{personalize, Plan};
use vitrine::rewrite::{run_chunked, utf8, HtmlStream, SharedSink};
use vitrine::signal::{Event, ProductFacts, Signal};

trait CloneFields {
    fn clone_fields(p: &Plan) -> Plan;
}
impl CloneFields for Plan {
    fn clone_fields(p: &Plan) -> Plan {
        Plan {
            cfg: p.cfg.clone(),
            packed: None,
            page: p.page,
            category: p.category.clone(),
            brand_page: None,
            query: None,
            signal: p.signal.clone(),
            consent: true,
            country: None,
            device: Device::Desktop,
            now: p.now,
            holdout: false,
            product: None,
            facts: None,
        }
    }
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let page = std::fs::read(root.join("target/bench/plp.html")).unwrap();
    let cfg = Rc::new(
        vitrine::config::compile_json(
            &std::fs::read_to_string(root.join("www/vitrine.config.json")).unwrap(),
        )
        .unwrap(),
    );
    let mut fan = Signal::new([3; 12], 1_000_000, Default::default());
    fan.learn(&Event::PdpView {
        product: ProductFacts {
            brand: Some("Kestrel".into()),
            ..Default::default()
        },
    });
    let plan = Rc::new(Plan {
        cfg,
        packed: None,
        page: PageKind::Plp,
        category: Some("outerwear".into()),
        brand_page: None,
        query: None,
        signal: Some(fan),
        consent: true,
        country: None,
        device: Device::Desktop,
        now: 1_795_600_000,
        holdout: false,
        product: None,
        facts: None,
    });
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    if let Ok(which) = std::env::var("ONLY") {
        let mut doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(root.join("www/vitrine.config.json")).unwrap())
                .unwrap();
        match which.as_str() {
            "hero" => {
                doc["site"]["plp"]["grids"] = serde_json::json!([]);
            }
            "grid1" => {
                doc["site"]["plp"]["hero"] = serde_json::Value::Null;
                doc["site"]["plp"]["grids"].as_array_mut().unwrap().truncate(1);
            }
            "grids" => {
                doc["site"]["plp"]["hero"] = serde_json::Value::Null;
            }
            "norules" => {
                doc["rules"] = serde_json::json!([]);
                doc["site"]["plp"]["hero"] = serde_json::Value::Null;
                doc["site"]["plp"]["grids"].as_array_mut().unwrap().truncate(1);
            }
            _ => {}
        }
        let cfg = Rc::new(vitrine::config::compile_json(&doc.to_string()).unwrap());
        let plan = Rc::new(Plan {
            cfg,
            ..Plan::clone_fields(&plan)
        });
        let t = std::time::Instant::now();
        for _ in 0..n {
            let sink = SharedSink::default();
            let hero = plan.hero().map(|(h, _)| h);
            let (settings, report) = personalize(lol_html::Settings::new(), &sink, plan.clone(), hero);
            let (out, _) = run_chunked(HtmlStream::with_sink(settings, utf8(), sink), &page, &[16384]);
            black_box((out, report.snapshot()));
        }
        println!(
            "only {which}: {:.1} us",
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        );
        return;
    }
    if std::env::var("SETUP").is_ok() {
        for (label, html) in [("tiny page", b"<p>x</p>".to_vec()), ("demo PLP", page.clone())] {
            let t = std::time::Instant::now();
            for _ in 0..n {
                let sink = SharedSink::default();
                let hero = plan.hero().map(|(h, _)| h);
                let (settings, report) = personalize(lol_html::Settings::new(), &sink, plan.clone(), hero);
                let (out, _) = run_chunked(HtmlStream::with_sink(settings, utf8(), sink), &html, &[16384]);
                black_box((out, report.snapshot()));
            }
            println!(
                "personalize {label}: {:.1} us",
                t.elapsed().as_secs_f64() * 1e6 / n as f64
            );
            let t = std::time::Instant::now();
            for _ in 0..n {
                black_box(run_chunked(HtmlStream::passthrough(), &html, &[16384]));
            }
            println!(
                "passthrough {label}: {:.1} us",
                t.elapsed().as_secs_f64() * 1e6 / n as f64
            );
        }
        return;
    }
    for _ in 0..n {
        let sink = SharedSink::default();
        let hero = plan.hero().map(|(h, _)| h);
        let (settings, report) = personalize(lol_html::Settings::new(), &sink, plan.clone(), hero);
        let (out, _) = run_chunked(HtmlStream::with_sink(settings, utf8(), sink), &page, &[16384]);
        black_box((out, report.snapshot()));
    }
}
