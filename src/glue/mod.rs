//! The only code that touches the Workers platform (`worker`, `js_sys`, `web_sys`): it reads the
//! request and the environment, fetches, reads and writes KV and the Cache API, streams bodies,
//! and carries out what the platform-free core decides ([`crate::decide`]). It decides nothing of
//! vitrine's own: every `if` here is about the platform (did the fetch fail, is there a body).
//!
//! Everything here is fail-open: when something goes wrong after the origin answered, the origin's
//! response goes out as it came, and a failing extra (KV, the collector) never costs the visitor
//! their page.
//!
//! - [`fetch`]: the handler: read, decide, carry out.
//! - [`read`]: the request and the origin's response head into the core's types.
//! - [`http`]: responses, header copies and edits, the origin request, fetch within a budget.
//! - [`body`]: bodies streamed through the rewriter, held for product facts, JSON listings.
//! - [`after`]: work after the response (events, profiles, end-of-page reports).
//! - [`profile`]: stitched customer profiles in KV.
//! - [`endpoints`]: vitrine's own endpoints under `/__vitrine/`.
//! - [`search`]: the edge search flows against the origin and the Cache API.
//! - [`state`]: what an isolate keeps between requests (settings, names, the search circuit).

mod after;
mod body;
mod endpoints;
mod fetch;
mod http;
mod profile;
mod read;
mod search;
mod state;
