//! Events in and out: what a storefront's own JavaScript may tell vitrine
//! (`POST /__vitrine/events`), and what vitrine forwards to the collector.
//!
//! Client input is untrusted: the body is size-limited, the batch length bounded, unknown fields
//! rejected, strings trimmed of control characters and bounded. A bad batch is a 400 with one
//! plain message; nothing from it is learned.

use serde::Serialize;

use crate::doc::{self, Obj, Problem, Problems};
use crate::signal::{to_hex, Event, ProductFacts, Signal};
use crate::visit::Visit;

/// Largest accepted request body.
pub const MAX_BODY: usize = 8 * 1024;
/// Most events in one batch.
pub const MAX_EVENTS: usize = 20;
/// Longest string field, in characters.
const MAX_STR: usize = 128;

/// Why a client batch was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsError(pub String);

impl std::fmt::Display for EventsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn bounded(s: &str) -> Option<String> {
    let v: String = s.chars().filter(|c| !c.is_control()).take(MAX_STR).collect();
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// A product as the client describes it: every field optional, strings bounded.
fn product(o: &mut Obj<'_>, p: &mut Problems) -> Option<ProductFacts> {
    let text = |v: Option<String>| v.as_deref().and_then(bounded);
    Some(ProductFacts {
        key: text(o.string("key", p)),
        brand: text(o.string("brand", p)),
        category: text(o.string("category", p)),
        price: o.f64("price", p).filter(|x| x.is_finite() && *x >= 0.0),
    })
}

/// One client event, by its `type`.
fn event(o: &mut Obj<'_>, p: &mut Problems) -> Option<Event> {
    let kind = o.req_string("type", p);
    let event = match kind.as_deref() {
        Some("plp_view") => {
            let category = o.req_string("category", p)?;
            let category = bounded(&category);
            if category.is_none() {
                p.add(o.path("category"), "must not be empty");
            }
            Event::PlpView { category: category? }
        }
        Some("pdp_view") => Event::PdpView {
            product: o.req_object("product", p, product)?,
        },
        Some("add_to_cart") => Event::AddToCart {
            product: o.object("product", p, product).unwrap_or_default(),
        },
        Some("checkout_complete") => {
            let revenue = o
                .f64("revenue", p)
                .filter(|r| r.is_finite() && *r >= 0.0 && *r < 1e9);
            Event::CheckoutComplete {
                revenue,
                items: o.int("items", p),
            }
        }
        Some("search") => {
            let query = o.req_string("query", p);
            let results = o.int("results", p);
            let next = match o.string("next", p).as_deref() {
                None => None,
                Some("exit") => Some("exit"),
                Some("click") => Some("click"),
                Some("refine") => Some("refine"),
                Some(_) => {
                    p.add(o.path("next"), "must be exit, click or refine");
                    None
                }
            };
            Event::Search {
                query: bounded(&query?).unwrap_or_default(),
                results,
                served: None,
                latency_ms: None,
                next,
            }
        }
        other => {
            o.ignore_rest();
            if other.is_some() {
                p.add(
                    o.path("type"),
                    "must be plp_view, pdp_view, add_to_cart, checkout_complete or search",
                );
            }
            return None;
        }
    };
    Some(event)
}

/// Parses a client batch: `{"events": [{"type": "pdp_view", "product": {...}}, ...]}`.
pub fn parse_client_events(body: &[u8]) -> Result<Vec<Event>, EventsError> {
    if body.len() > MAX_BODY {
        return Err(EventsError(format!("body must be at most {MAX_BODY} bytes")));
    }
    let invalid = |problem: &Problem| EventsError(format!("invalid events: {problem}"));
    let text = std::str::from_utf8(body).map_err(|_| EventsError("invalid events: not UTF-8".into()))?;
    let value = doc::parse(text).map_err(|e| invalid(&e))?;
    let count = value.get("events").and_then(|e| e.as_array()).map_or(0, Vec::len);
    if count > MAX_EVENTS {
        return Err(EventsError(format!("at most {MAX_EVENTS} events per request")));
    }
    doc::read_document(&value, |o, p| o.req_list("events", p, event)).map_err(|problems| {
        problems
            .first()
            .map_or_else(|| EventsError("invalid events".into()), invalid)
    })
}

/// What the collector receives for one request.
#[derive(Serialize)]
struct CollectorBatch<'a, E: Serialize> {
    v: u8,
    /// Pseudonymous visitor id (random; no personal data).
    visitor: String,
    ts: u64,
    path: &'a str,
    country: Option<&'a str>,
    consent: &'static str,
    customer: bool,
    intent: crate::signal::Intent,
    /// The visitor's session number (the unit of per-session metrics).
    session: u32,
    /// The page view (response) these events came from: the collector keeps one copy per view.
    #[serde(skip_serializing_if = "Option::is_none")]
    view: Option<&'a str>,
    /// The visitor's experiment arms (`{"holdout": "control"}`), assigned at the edge.
    arms: &'a std::collections::BTreeMap<String, &'static str>,
    events: &'a [E],
}

/// The JSON body forwarded to the collector, or `None` when there is nothing to send (no events,
/// or no consent: then nothing leaves).
pub fn collector_payload(
    visit: &Visit,
    cfg: &crate::config::Config,
    (path, country, view): (&str, Option<&str>, Option<&str>),
    now_ms: u64,
) -> Option<String> {
    let signal = visit.signal.as_ref()?;
    batch(
        signal,
        &crate::rank::arms(cfg, &signal.id),
        (visit.consent.token(), path, country, view),
        now_ms,
        &visit.events,
    )
}

/// A collector batch of any events (signal events, exposure and shadow reports) for one visitor:
/// the pseudonymous id and coarse context, never a cookie. `None` when there are no events.
pub fn batch<E: Serialize>(
    signal: &Signal,
    arms: &std::collections::BTreeMap<String, &'static str>,
    (consent, path, country, view): (&'static str, &str, Option<&str>, Option<&str>),
    now_ms: u64,
    events: &[E],
) -> Option<String> {
    if events.is_empty() {
        return None;
    }
    serde_json::to_string(&CollectorBatch {
        v: 1,
        visitor: to_hex(&signal.id),
        ts: now_ms,
        path,
        country,
        consent,
        customer: signal.customer,
        intent: signal.intent,
        session: u32::from(signal.sessions),
        view,
        arms,
        events,
    })
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_batch_parses_and_strings_are_bounded() {
        let body = br#"{"events":[
            {"type":"pdp_view","product":{"key":"VT-1","brand":" Kestrel\u0007 ","price":12.5}},
            {"type":"plp_view","category":"shoes"},
            {"type":"add_to_cart"},
            {"type":"checkout_complete","revenue":129.5,"items":2},
            {"type":"search","query":"warm jacket","results":0,"next":"exit"}
        ]}"#;
        let events = parse_client_events(body).unwrap();
        assert!(serde_json::to_string(&events[4])
            .unwrap()
            .contains(r#""next":"exit""#));
        assert_eq!(events.len(), 5);
        assert_eq!(
            events[3],
            Event::CheckoutComplete {
                revenue: Some(129.5),
                items: Some(2)
            }
        );
        assert_eq!(
            serde_json::to_string(&events[3]).unwrap(),
            r#"{"type":"checkout_complete","revenue":129.5,"items":2}"#,
            "what the collector receives"
        );
        match &events[0] {
            Event::PdpView { product } => assert_eq!(product.brand.as_deref(), Some("Kestrel")),
            e => panic!("{e:?}"),
        }
        let long = format!(
            r#"{{"events":[{{"type":"plp_view","category":"{}"}}]}}"#,
            "x".repeat(500)
        );
        match &parse_client_events(long.as_bytes()).unwrap()[0] {
            Event::PlpView { category } => assert_eq!(category.len(), 128),
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn bad_batches_are_refused_with_a_reason() {
        assert!(parse_client_events(b"not json")
            .unwrap_err()
            .0
            .starts_with("invalid events"));
        assert!(parse_client_events(br#"{"events":[{"type":"hack"}]}"#).is_err());
        assert!(parse_client_events(br#"{"events":[],"extra":1}"#).is_err());
        assert!(parse_client_events(br#"{"events":[{"type":"plp_view","category":"  "}]}"#).is_err());
        let many = format!(
            r#"{{"events":[{}]}}"#,
            vec![r#"{"type":"checkout_complete"}"#; 21].join(",")
        );
        assert_eq!(
            parse_client_events(many.as_bytes()).unwrap_err().0,
            "at most 20 events per request"
        );
        assert!(parse_client_events(&vec![b' '; MAX_BODY + 1]).is_err());
    }

    #[test]
    fn unknown_fields_are_refused_for_every_event_type() {
        for event in [
            r#"{"type":"plp_view","category":"shoes","extra":1}"#,
            r#"{"type":"pdp_view","product":{"key":"A"},"extra":1}"#,
            r#"{"type":"pdp_view","product":{"key":"A","extra":1}}"#,
            r#"{"type":"add_to_cart","extra":1}"#,
            r#"{"type":"add_to_cart","product":{"brand":"x","extra":1}}"#,
            r#"{"type":"checkout_complete","extra":1}"#,
            r#"{"type":"search","query":"boots","extra":1}"#,
        ] {
            let body = format!(r#"{{"events":[{event}]}}"#);
            let e = parse_client_events(body.as_bytes()).unwrap_err();
            assert!(e.0.contains("unknown field `extra`"), "{event}: {e}");
        }
    }
}
