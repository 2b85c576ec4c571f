//! vitrine-search: the demo storefront's search service. BM25 (tantivy) fused with dense
//! retrieval from a real sentence-embedding model (all-MiniLM-L6-v2, run by candle on the CPU),
//! behind the JSON search contract the demo origin serves (README, "Search contract").
//!
//! ```text
//! vitrine-search --model DIR --catalog www/catalog.json [--host 127.0.0.1] [--port 0]
//!                [--cache DIR] [--synthetic N] [--index-only] [--tuning] [--exit-with-stdin]
//! ```
//!
//! It prints `vitrine-search listening on http://HOST:PORT` once it accepts connections.
//! `POST /search` takes the contract's request as JSON; `GET /search?q=&page=&category=&mode=`
//! the same as a query string; `GET /health` says how many products are indexed.
//! `--synthetic N` indexes N products made from the catalog's (for the scale benchmark);
//! `--index-only` prints the build figures as JSON and exits; `--tuning` lets a request carry
//! fusion parameters (tests/search/tune.mjs); `--exit-with-stdin` exits when stdin closes (the
//! demo origin starts it so).

mod embed;
mod engine;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use embed::{Embedder, DIM};
use engine::{Engine, Product, Request};

struct Args {
    host: String,
    port: u16,
    model: PathBuf,
    catalog: PathBuf,
    cache: Option<PathBuf>,
    synthetic: Option<usize>,
    index_only: bool,
    tuning: bool,
    exit_with_stdin: bool,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        host: "127.0.0.1".into(),
        port: 0,
        model: PathBuf::new(),
        catalog: PathBuf::new(),
        cache: None,
        synthetic: None,
        index_only: false,
        tuning: false,
        exit_with_stdin: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => a.host = value()?,
            "--port" => a.port = value()?.parse().map_err(|e| format!("--port: {e}"))?,
            "--model" => a.model = value()?.into(),
            "--catalog" => a.catalog = value()?.into(),
            "--cache" => a.cache = Some(value()?.into()),
            "--synthetic" => a.synthetic = Some(value()?.parse().map_err(|e| format!("--synthetic: {e}"))?),
            "--index-only" => a.index_only = true,
            "--tuning" => a.tuning = true,
            "--exit-with-stdin" => a.exit_with_stdin = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.model.as_os_str().is_empty() || a.catalog.as_os_str().is_empty() {
        return Err("usage: vitrine-search --model DIR --catalog FILE [--host H] [--port P] [--cache DIR] [--synthetic N] [--index-only] [--tuning]".into());
    }
    Ok(a)
}

fn read_catalog(path: &Path) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    match v.get("products").cloned().unwrap_or(v) {
        Value::Array(a) => Ok(a),
        _ => Err(format!(
            "{}: expected {{\"products\": [..]}} or an array",
            path.display()
        )),
    }
}

/// N products recombined from the catalog's (deterministic): brand, name, type, colour and text
/// of different products, so the vocabulary and the embedding work look like a real store's.
fn synthetic(base: &[Value], n: usize) -> Vec<Value> {
    let mut seed: u64 = 0x5eed_1234;
    let mut next = |m: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % m.max(1) as u64) as usize
    };
    let get = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    (0..n)
        .filter_map(|i| {
            let a = base.get(next(base.len()))?;
            let b = base.get(next(base.len()))?;
            let c = base.get(next(base.len()))?;
            let brand = get(b, "brand");
            let colour = get(c, "colour");
            let ty = get(a, "type");
            let title = format!(
                "{} {} {} in {}",
                brand.as_str().unwrap_or(""),
                ["Alpine", "Harbour", "Field", "Studio", "Summit", "Urban", "Coastal", "Classic"][i % 8],
                ty.as_str().unwrap_or(""),
                colour.as_str().unwrap_or("")
            );
            let mut p = a.clone();
            let o = p.as_object_mut()?;
            o.insert("sku".into(), json!(format!("SYN-{i:06}")));
            o.insert("title".into(), json!(title));
            o.insert("brand".into(), brand);
            o.insert("colour".into(), colour);
            o.insert("stock".into(), get(c, "stock"));
            Some(p)
        })
        .collect()
}

/// Catalog embeddings, read from `cache` when the same model embedded the same texts before
/// (keyed by SHA-256 of both), else computed and stored there.
fn embeddings(
    embedder: &Embedder,
    model: &Path,
    texts: &[String],
    cache: Option<&Path>,
) -> Result<(Vec<f32>, bool), String> {
    let mut h = Sha256::new();
    for f in ["config.json", "tokenizer.json"] {
        h.update(std::fs::read(model.join(f)).unwrap_or_default());
    }
    h.update(
        std::fs::metadata(model.join("model.safetensors"))
            .map(|m| m.len())
            .unwrap_or(0)
            .to_le_bytes(),
    );
    for t in texts {
        h.update(t.as_bytes());
        h.update([0]);
    }
    let key: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let file = cache.map(|c| c.join(format!("embeddings-{key}.f32")));
    if let Some(bytes) = file.as_ref().and_then(|f| std::fs::read(f).ok()) {
        if bytes.len() == texts.len() * DIM * 4 {
            let v = bytes
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            return Ok((v, true));
        }
    }
    let vecs = embedder.embed_all(texts, 32)?;
    let flat: Vec<f32> = vecs.into_iter().flatten().collect();
    if let (Some(f), Some(dir)) = (&file, cache) {
        // Written beside and renamed: two services starting at once never read half a file.
        let _ = std::fs::create_dir_all(dir);
        let tmp = f.with_extension(format!("tmp{}", std::process::id()));
        let bytes: Vec<u8> = flat.iter().flat_map(|x| x.to_le_bytes()).collect();
        if std::fs::write(&tmp, bytes).is_ok() {
            let _ = std::fs::rename(&tmp, f);
        }
    }
    Ok((flat, false))
}

fn query_request(url: &str) -> Request {
    let query = url.split_once('?').map_or("", |x| x.1);
    let mut r = Request::default();
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = decode(v);
        match k {
            "q" => r.query = v,
            "page" => r.page = v.parse().ok(),
            "per_page" => r.per_page = v.parse().ok(),
            "category" if !v.is_empty() => r.filters.category = Some(v),
            "brand" if !v.is_empty() => r.filters.brand = Some(v),
            "mode" => r.mode = Some(v),
            "affinity_brand" => r.affinities.brands.push(v),
            "affinity_category" => r.affinities.categories.push(v),
            _ => {}
        }
    }
    r
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn respond(rq: tiny_http::Request, status: u16, body: &Value) {
    let header = tiny_http::Header::from_bytes("content-type", "application/json").ok();
    let mut res = tiny_http::Response::from_string(body.to_string()).with_status_code(status);
    if let Some(h) = header {
        res = res.with_header(h);
    }
    let _ = rq.respond(res);
}

fn handle(engine: &Engine, tuning: bool, mut rq: tiny_http::Request) {
    let url = rq.url().to_owned();
    let path = url.split('?').next().unwrap_or("");
    let method = rq.method().clone();
    let request = match (&method, path) {
        (tiny_http::Method::Get, "/health") => {
            return respond(rq, 200, &json!({"ok": true, "products": engine.len()}));
        }
        (tiny_http::Method::Get, "/search") => Ok(query_request(&url)),
        (tiny_http::Method::Post, "/search") => {
            let mut body = String::new();
            match rq.as_reader().take(64 * 1024).read_to_string(&mut body) {
                Ok(_) => serde_json::from_str::<Request>(&body).map_err(|e| format!("invalid request: {e}")),
                Err(e) => Err(format!("invalid request: {e}")),
            }
        }
        _ => return respond(rq, 404, &json!({"error": "not found"})),
    };
    let mut request = match request {
        Ok(r) => r,
        Err(e) => return respond(rq, 400, &json!({ "error": e })),
    };
    if !tuning {
        request.tuning = None;
    }
    match engine.search(&request) {
        Ok(r) => respond(rq, 200, &serde_json::to_value(r).unwrap_or(Value::Null)),
        Err(e) => respond(rq, 500, &json!({ "error": e })),
    }
}

fn run() -> Result<(), String> {
    let a = args()?;
    let t = Instant::now();
    let embedder = Embedder::load(&a.model)?;
    let model_load_ms = t.elapsed().as_millis();
    let mut raw = read_catalog(&a.catalog)?;
    if let Some(n) = a.synthetic {
        raw = synthetic(&raw, n);
    }
    let products: Vec<Product> = raw.into_iter().filter_map(Product::read).collect();
    let texts: Vec<String> = products
        .iter()
        .flat_map(|p| p.dense_texts.iter().cloned())
        .collect();
    let t = Instant::now();
    let (dense, cached) = embeddings(&embedder, &a.model, &texts, a.cache.as_deref())?;
    let embed_ms = t.elapsed().as_millis();
    let t = Instant::now();
    let n = products.len();
    let engine = Engine::build(products, dense, embedder)?;
    let bm25_ms = t.elapsed().as_millis();
    let figures = json!({
        "products": n, "model_load_ms": model_load_ms, "embed_ms": embed_ms,
        "embeddings_cached": cached, "bm25_index_ms": bm25_ms,
    });
    eprintln!("vitrine-search: {figures}");
    if a.index_only {
        println!("{figures}");
        return Ok(());
    }
    let server = tiny_http::Server::http((a.host.as_str(), a.port)).map_err(|e| format!("listen: {e}"))?;
    let addr = server.server_addr().to_ip().ok_or("listen: no address")?;
    println!("vitrine-search listening on http://{addr}");
    if a.exit_with_stdin {
        // The parent holds our stdin: when it goes (however it exits), so do we.
        std::thread::spawn(|| {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            std::process::exit(0);
        });
    }
    let server = Arc::new(server);
    let engine = Arc::new(engine);
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (server, engine) = (Arc::clone(&server), Arc::clone(&engine));
            std::thread::spawn(move || {
                while let Ok(rq) = server.recv() {
                    handle(&engine, a.tuning, rq);
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("vitrine-search: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode() {
        let r = query_request(
            "/search?q=warm+jacket%21&page=2&category=outerwear&mode=keyword&affinity_brand=Lumen",
        );
        assert_eq!(r.query, "warm jacket!");
        assert_eq!(r.page, Some(2));
        assert_eq!(r.filters.category.as_deref(), Some("outerwear"));
        assert_eq!(r.mode.as_deref(), Some("keyword"));
        assert_eq!(r.affinities.brands, vec!["Lumen".to_owned()]);
        assert_eq!(decode("%"), "%");
        assert_eq!(decode("a%2"), "a%2");
        assert_eq!(decode("%e2%82%ac"), "€");
    }
}
