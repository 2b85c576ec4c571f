//! vitrine personalizes storefront pages at the edge, in a Cloudflare Worker.
//!
//! # The request flow
//!
//! ```text
//! visitor ──▶ glue::fetch ── reads the request ──▶ decide::request (the plan, in the core)
//!               │
//!               ├─ Endpoint ──▶ /__vitrine/* (admin, preview, whoami, events) ─────────▶ visitor
//!               ├─ Search ────▶ search::ApiFlow: edge cache / origin within budget /
//!               │               fallbacks ──▶ re-ranked for the visitor (rank) ─────────▶ visitor
//!               └─ Origin ────▶ Exchange: what goes to the origin (URL, headers, cookies)
//!                    │   fetch ─▶ origin (cacheable, unpersonalized, by URL)
//!                    │   respond(head): what the request taught, a profile to stitch
//!                    │   body(): Pass ─────────────────▶ origin body, untouched ──▶ visitor
//!                    │           Html(PageWork) ──▶ rewrite::page (facts, grids, hero,
//!                    │                              first image; only a grid is held) ──▶ visitor
//!                    │           Json(JsonWork) ──▶ items reordered, bytes kept ──▶ visitor
//!                    │   finish(): Set-Cookie, caching, x-vitrine, Server-Timing
//!                    └─ after: events to the collector, profile to KV, end-of-page reports
//!   any error on the way: the origin's response as it was (fail open)
//! ```
//!
//! # Module map (each module imports only from modules listed after it)
//!
//! - `glue` (wasm32 only): the only code that touches the Workers platform (`worker`, `js_sys`,
//!   `web_sys`): reads, fetches, KV, Cache API, streams; carries out what [`decide`] decides.
//! - [`preview`]: what a config would do to a page for a visitor (the live engine, offline).
//! - [`decide`]: the request plan: routing, the origin request, learning, stitching, the body
//!   work, the response head, the work after it. Natively tested branch by branch.
//! - [`settings`]: what an isolate runs with (origin, config, keys), built from raw strings.
//! - [`admin`]: the config lifecycle: versions, history, token, `If-Match`, admin answers.
//! - [`reply`]: vitrine's own responses (status, headers, body).
//! - [`report`]: the `x-vitrine` header as a typed value.
//! - [`search`]: edge search: query checks, cache keys, the circuit, engine answers, the
//!   fallback flows as state machines.
//! - [`proxy`]: origin URL, hop-by-hop headers, body plan, private caching, `Server-Timing`.
//! - [`rewrite`]: the streaming, fail-open HTML rewriter over lol_html: the page's handlers
//!   (`page`), grids, hero and gallery (`personalize`, `reorder`, `plp`), product facts
//!   (`facts`), JSON listings (`json`).
//! - [`events`]: client events in, collector batches out.
//! - [`catalog`]: large catalogs, packed once and looked up without parsing.
//! - [`rank`]: orders products within the rules; hero variant; first image; shadow diffs.
//! - [`visit`]: one request's visitor: cookie in, learning, stitching, `Set-Cookie` out.
//! - [`config`]: the merchandiser's document: wire types, sections compiled with paths, rules,
//!   lints, parsed selectors and patterns.
//! - [`signal`]: what vitrine knows about a visitor; the signed cookie codec; consent; bots.
//! - [`product`]: the product model (item, catalog product, stock, fact names). A leaf.
//! - [`hash`]: the one FNV hash. A leaf.
//!
//! Everything outside `glue` compiles and is tested natively (`cargo test`), in benchmarks and
//! fuzzers; nothing in it may call the platform, read a clock or draw randomness by itself. Lints
//! (no unwrap, expect, panic or indexing on the request path) are in `Cargo.toml`'s `[lints]`.

pub mod admin;
pub mod catalog;
pub mod config;
pub mod decide;
pub mod doc;
pub mod events;
pub mod experiment;
pub mod hash;
pub mod preview;
pub mod product;
pub mod proxy;
pub mod qa;
pub mod rank;
pub mod reply;
pub mod report;
pub mod request_url;
pub mod rewrite;
pub mod search;
pub mod settings;
pub mod signal;
pub mod visit;

#[cfg(target_arch = "wasm32")]
mod glue;
