//! vitrine personalizes storefront pages at the edge, in a Cloudflare Worker.
//!
//! # The request flow
//!
//! ```text
//! visitor ──▶ glue::fetch ──▶ origin (cacheable, unpersonalized, by URL)
//!                 │                 │
//!                 │   proxy::plan_body(method, status, content-type)
//!                 │        ├─ Pass ─────────────▶ origin body, untouched ──▶ visitor
//!                 │        └─ RewriteHtml ──▶ rewrite::HtmlStream (chunk by chunk) ──▶ visitor
//!                 └─ any error on the way: the origin's response as it was (fail open)
//! ```
//!
//! # Module map
//!
//! - [`proxy`]: where a request goes, which headers travel, what happens to a response body, what
//!   vitrine reports about itself. Platform-free.
//! - [`rewrite`]: the streaming, fail-open HTML rewriter over lol_html. Platform-free.
//! - `glue` (wasm32 only): the only code that touches the Workers platform (`worker`, `js_sys`,
//!   `web_sys`): it reads the request and env, fetches, and drives the core's decisions.
//!
//! Everything outside `glue` compiles and is tested natively (`cargo test`), in benchmarks and
//! fuzzers; nothing in it may call the platform, read a clock or draw randomness by itself.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![warn(missing_docs)]

pub mod admin;
pub mod catalog;
pub mod config;
pub mod decide;
pub mod events;
pub mod hash;
pub mod preview;
pub mod product;
pub mod proxy;
pub mod rank;
pub mod reply;
pub mod report;
pub mod rewrite;
pub mod search;
pub mod settings;
pub mod signal;
pub mod visit;

#[cfg(target_arch = "wasm32")]
mod glue;
