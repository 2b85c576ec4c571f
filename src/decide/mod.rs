//! The request plan: everything vitrine decides about one request, made here, without the
//! platform, and tested natively. The glue reads the request into an [`Incoming`], calls
//! [`request`], and carries out the [`Route`] it gets:
//!
//! - [`Route::Endpoint`]: one of vitrine's own endpoints ([`visitor`] for the shopper's,
//!   [`crate::admin`] for the merchandiser's);
//! - [`Route::Search`]: the storefront's search API, answered at the edge ([`search::SearchApi`]);
//! - [`Route::Origin`]: a request proxied to the origin ([`exchange::Exchange`]), whose response
//!   is decided in steps as it arrives (head, body, end of page).
//!
//! What a decision depends on is an input; nothing here reads a clock, draws randomness or
//! touches the network.

pub mod exchange;
pub mod search;
pub mod visitor;

use std::rc::Rc;

pub use exchange::{BodyWork, Exchange, Head, JsonWork, Lookup, OriginHead};
pub use search::SearchApi;
pub use visitor::Visitor;

use crate::admin::AdminOp;
use crate::config::rules::Device;
use crate::config::Config;
use crate::rank::device_of;
use crate::reply::Reply;
use crate::request_url::RequestUrl;
use crate::settings::Settings;
use crate::signal::{minutes_from_unix_ms, ID_LEN};
use crate::visit::{Inputs, Visit};

/// What the glue read from one request.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// Upper-case method.
    pub method: String,
    /// The URL the visitor asked for.
    pub url: RequestUrl,
    /// Every request header (names lowercase; the platform joins repeated ones).
    pub headers: Vec<(String, String)>,
    /// The visitor's country as the CDN sees it (`request.cf.country`).
    pub cf_country: Option<String>,
    /// When the request arrived, Unix ms.
    pub now_ms: u64,
    /// A fresh random visitor id (`None` when randomness failed: then no id is minted).
    pub fresh_id: Option<[u8; ID_LEN]>,
}

impl Incoming {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter's first value.
    pub fn param(&self, name: &str) -> Option<String> {
        self.url.param(name)
    }

    /// The name of every query parameter, decoded, in order.
    pub fn param_names(&self) -> Vec<String> {
        self.url
            .query()
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, _)| k.into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The path.
    pub fn path(&self) -> &str {
        self.url.path()
    }

    /// Path and query, as sent to the origin.
    pub fn path_and_query(&self) -> String {
        match self.url.query() {
            Some(q) => format!("{}?{q}", self.url.path()),
            None => self.url.path().to_owned(),
        }
    }

    /// Path and query without the parameter `name` (each other parameter kept as it was written).
    pub fn path_and_query_without(&self, name: &str) -> String {
        let Some(q) = self.url.query() else {
            return self.url.path().to_owned();
        };
        let kept: Vec<&str> = q
            .split('&')
            .filter(|pair| {
                let key = pair.split('=').next().unwrap_or_default();
                form_urlencoded::parse(key.as_bytes())
                    .next()
                    .map(|(k, _)| k.into_owned())
                    .unwrap_or_default()
                    != name
            })
            .collect();
        if kept.is_empty() {
            self.url.path().to_owned()
        } else {
            format!("{}?{}", self.url.path(), kept.join("&"))
        }
    }

    fn is(&self, method: &str) -> bool {
        self.method.eq_ignore_ascii_case(method)
    }
}

/// Where a request goes.
pub enum Route {
    /// `ORIGIN` is unusable: answer 500 and log this.
    Misconfigured(String),
    /// One of vitrine's own endpoints.
    Endpoint(Endpoint),
    /// The storefront's search API, answered at the edge.
    Search(Box<SearchApi>),
    /// To the origin.
    Origin(Box<Exchange>),
}

/// vitrine's own endpoints under `/__vitrine/`.
pub enum Endpoint {
    /// `GET /__vitrine/config/schema`: the config's JSON Schema (public: editors fetch it).
    Schema,
    /// An admin path without the right token.
    Unauthorized,
    /// An admin operation, authorized.
    Admin(AdminOp),
    /// `GET /__vitrine/whoami` (when the config allows it).
    Whoami(Box<Visitor>),
    /// `POST /__vitrine/events`.
    Events(Box<Visitor>),
    /// `/__vitrine/events` with another method.
    EventsMethod,
    /// A QA preview link or its exit: a redirect that sets or clears the session cookie.
    Qa(Reply),
    /// `/__vitrine/console`: the merchandiser's console (static assets), with the admin surface on.
    Console(String),
}

impl Endpoint {
    /// The answer to an admin path without the right token.
    pub fn unauthorized() -> Reply {
        let mut r = Reply::error(401, "missing or wrong admin token");
        r.headers
            .push(("www-authenticate".into(), "Bearer realm=\"vitrine\"".into()));
        r
    }
}

/// Decides where a request goes.
pub fn request(incoming: Incoming, settings: &Rc<Settings>) -> Route {
    if let Err(e) = &settings.origin {
        return Route::Misconfigured(e.to_string());
    }
    if let Some(endpoint) = endpoint(&incoming, settings) {
        return Route::Endpoint(endpoint);
    }
    // The debug bypass makes vitrine a transparent proxy for this request (the live config still
    // decides what reaches the origin: never the visitor's cookie, never the identity header).
    let bypass = settings
        .config
        .as_ref()
        .is_some_and(|c| bypassed(&incoming, &c.debug));
    let cfg = settings.config.clone().filter(|_| !bypass);
    let who = cfg.as_ref().map(|c| Who::of(&incoming, c, settings));
    if let (Some(c), Some(who)) = (&cfg, &who) {
        let api = c
            .search
            .as_ref()
            .filter(|sc| sc.path.matches(incoming.path()).is_some());
        if let (Some(_), true) = (api, incoming.is("GET")) {
            return Route::Search(Box::new(SearchApi::new(
                &incoming,
                settings,
                c.clone(),
                who.clone(),
            )));
        }
    }
    let live = settings.config.clone();
    Route::Origin(Box::new(Exchange::new(incoming, settings, live, who, bypass)))
}

/// Whether the request asks for the debug bypass: by header, query parameter or cookie, as the
/// config names them (a value of `0` turns it off).
fn bypassed(incoming: &Incoming, debug: &crate::config::Debug) -> bool {
    let on = |v: Option<String>| v.is_some_and(|v| v.trim() != "0");
    on(debug
        .bypass_header
        .as_deref()
        .and_then(|h| incoming.header(h))
        .map(str::to_owned))
        || on(debug.bypass_param.as_deref().and_then(|p| incoming.param(p)))
        || debug.bypass_cookie.as_deref().is_some_and(|name| {
            incoming
                .header("cookie")
                .is_some_and(|h| crate::signal::cookie::values(h, name).any(|v| v.trim() != "0"))
        })
}

/// A QA preview link being opened (`?__vitrine_preview=<token>`) or left (`=exit`): the session
/// cookie set or cleared, and a redirect to the same page without the parameter. A token that
/// does not verify changes nothing (the request goes on as any other).
fn qa_link(incoming: &Incoming, settings: &Settings) -> Option<Endpoint> {
    let value = incoming.url.param(crate::qa::PARAM)?;
    let secure = incoming.url.scheme() == "https";
    let now = incoming.now_ms / 1000;
    let cookie = if value == "exit" {
        crate::qa::exit_cookie(secure)
    } else {
        let token = settings.admin_token.as_deref()?;
        let pass = crate::qa::verify(&value, token, now)?;
        crate::qa::enter_cookie(&value, pass.exp.saturating_sub(now), secure)
    };
    let location = crate::qa::without_param(incoming.path(), incoming.url.query());
    let mut r = Reply::plain(
        302,
        "",
        &crate::report::Report::of(crate::report::Action::Endpoint),
    );
    r.headers
        .retain(|(k, _)| k != "content-type" && k != "cache-control");
    r.headers
        .push(("cache-control".into(), "private, no-store".into()));
    r.headers.push(("location".into(), location));
    r.headers.push(("set-cookie".into(), cookie));
    Some(Endpoint::Qa(r))
}

fn endpoint(incoming: &Incoming, settings: &Rc<Settings>) -> Option<Endpoint> {
    if let Some(qa) = qa_link(incoming, settings) {
        return Some(qa);
    }
    let path = incoming.path();
    if !path.starts_with("/__vitrine/") {
        return None;
    }
    // The console's files: only when the admin surface exists (otherwise the path is the origin's).
    if incoming.is("GET") && settings.admin_token.is_some() {
        if let Some(file) = crate::admin::console_file(path) {
            return Some(Endpoint::Console(file.to_owned()));
        }
    }
    if path == "/__vitrine/config/schema" && incoming.is("GET") {
        return Some(Endpoint::Schema);
    }
    if let Some(op) = AdminOp::of(&incoming.method, path) {
        // No token configured: the admin surface does not exist; the path is the origin's.
        let token = settings.admin_token.as_deref()?;
        return Some(
            if crate::admin::authorized(incoming.header("authorization"), token) {
                Endpoint::Admin(op)
            } else {
                Endpoint::Unauthorized
            },
        );
    }
    let cfg = settings.config.as_ref()?;
    let visitor = || Box::new(Visitor::new(incoming, settings, cfg.clone()));
    match path {
        "/__vitrine/whoami" if incoming.is("GET") && cfg.debug.whoami => Some(Endpoint::Whoami(visitor())),
        "/__vitrine/events" if incoming.is("POST") => Some(Endpoint::Events(visitor())),
        "/__vitrine/events" => Some(Endpoint::EventsMethod),
        _ => None,
    }
}

/// Who is asking: the visitor, where they are, on what device.
#[derive(Debug, Clone)]
pub struct Who {
    /// The visitor (signal, consent, what this request teaches).
    pub visit: Visit,
    /// Their country: the trusted test header when the config names one, else the CDN's.
    pub country: Option<String>,
    /// Their device class.
    pub device: Device,
    /// This page view's id (hex), on every event it sends.
    pub view: Option<String>,
}

impl Who {
    /// Reads the visitor of a request (see [`Visit::begin`]).
    pub fn of(incoming: &Incoming, cfg: &Config, settings: &Settings) -> Who {
        let country = cfg
            .debug
            .country_header
            .as_deref()
            .and_then(|h| incoming.header(h))
            .map(str::to_owned)
            .or_else(|| incoming.cf_country.clone());
        // Without randomness there is no safe new id: the signal layer stays off for this request.
        let keys = incoming.fresh_id.and(settings.keys.as_ref());
        let visit = Visit::begin(
            cfg,
            keys,
            &Inputs {
                cookie_header: incoming.header("cookie"),
                user_agent: incoming.header("user-agent"),
                purpose: incoming
                    .header("sec-purpose")
                    .or_else(|| incoming.header("purpose")),
                gpc: incoming.header("sec-gpc"),
                country: country.as_deref(),
                now_min: minutes_from_unix_ms(incoming.now_ms),
                fresh_id: incoming.fresh_id.unwrap_or_default(),
            },
        );
        let mut who = Who {
            visit,
            country,
            device: device_of(incoming.header("user-agent")),
            // This response's own id: the collector keeps one copy of each event per page view.
            view: incoming.fresh_id.map(|f| crate::signal::to_hex(&f)),
        };
        // A QA preview session may force a segment: the visitor is that one, whoever browses.
        if let Some(spec) = settings
            .qa
            .as_ref()
            .and_then(|p| p.visitor.as_ref())
            .and_then(|v| crate::doc::read_document(v, crate::preview::VisitorSpec::read).ok())
        {
            who.visit.signal = spec.signal();
            if let Some(c) = spec.country.clone() {
                who.country = Some(c);
            }
            if let Some(d) = spec.device {
                who.device = d;
            }
        }
        who
    }
}

/// Work to do after the response left (`wait_until`): nothing that could cost the visitor their
/// page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct After {
    /// POST this JSON body to this collector URL.
    pub collector: Option<(String, String)>,
    /// Store this signed profile under this `PROFILES` key.
    pub profile: Option<(String, String)>,
}

/// The collector batch of a visit's events, if there is a collector and something to send (never
/// without consent: then there is no signal).
fn collector(settings: &Settings, who: &Who, path: &str, now_ms: u64) -> Option<(String, String)> {
    let url = settings.collector.clone()?;
    let body = crate::events::collector_payload(
        &who.visit,
        settings.config.as_deref()?,
        (path, who.country.as_deref(), who.view.as_deref()),
        now_ms,
    )?;
    Some((url, body))
}

impl After {
    /// Only the visit's events, to the collector.
    fn events(settings: &Settings, who: &Who, path: &str, now_ms: u64) -> After {
        After {
            collector: collector(settings, who, path, now_ms),
            profile: None,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
