//! The proxy's decisions, made without the platform: where a request goes, which request headers
//! travel, whether a response body is rewritten or passed, how a personalized response is cached,
//! and the `Server-Timing` vitrine adds.
//!
//! The glue asks these questions and carries out the answers; it decides nothing itself. Keeping
//! the decisions here means they are unit-tested natively, and the pass-through rules (the part of
//! vitrine that must never be worse than no vitrine) read in one place.

use std::fmt;

use lol_html::AsciiCompatibleEncoding;

use crate::rewrite::encoding_from_content_type;

/// A configuration problem the operator must fix (a bad `ORIGIN`, say). Never caused by a visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The setting at fault.
    pub setting: &'static str,
    /// The value that was rejected.
    pub value: String,
    /// What is wrong with it, lowercase, no trailing period.
    pub reason: &'static str,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}: {}", self.setting, self.value, self.reason)
    }
}

impl std::error::Error for ConfigError {}

/// The origin base URL, checked once: `http(s)://host[:port]` with an optional path prefix and no
/// query or fragment. Stored without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    base: String,
}

impl Origin {
    /// Parses the `ORIGIN` setting.
    pub fn parse(value: &str) -> Result<Self, ConfigError> {
        let err = |reason| ConfigError {
            setting: "ORIGIN",
            value: value.to_owned(),
            reason,
        };
        let v = value.trim();
        let rest = v
            .strip_prefix("http://")
            .or_else(|| v.strip_prefix("https://"))
            .ok_or_else(|| err("must start with http:// or https://"))?;
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() {
            return Err(err("must name a host"));
        }
        if v.contains(['?', '#']) || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("must not contain a query, a fragment or whitespace"));
        }
        Ok(Origin {
            base: v.trim_end_matches('/').to_owned(),
        })
    }

    /// The origin URL for a request's path and query (`/c/shoes?page=2`).
    pub fn url_for(&self, path_and_query: &str) -> String {
        let mut url = String::with_capacity(self.base.len() + path_and_query.len() + 1);
        url.push_str(&self.base);
        if !path_and_query.starts_with('/') {
            url.push('/');
        }
        url.push_str(path_and_query);
        url
    }

    /// The base, e.g. `http://127.0.0.1:8788`.
    pub fn as_str(&self) -> &str {
        &self.base
    }

    /// A `Location` the origin sent that points at the origin itself, rewritten to the public
    /// host the visitor used, so a redirect never leaks the origin's address. Relative and foreign
    /// locations are left alone (`None`).
    pub fn public_location(&self, location: &str, public_base: &str) -> Option<String> {
        let rest = location.strip_prefix(self.base.as_str())?;
        if !(rest.is_empty() || rest.starts_with(['/', '?', '#'])) {
            return None; // `http://origin.example.com.evil/`: not ours
        }
        let mut out = public_base.trim_end_matches('/').to_owned();
        if rest.is_empty() {
            out.push('/');
        }
        out.push_str(rest);
        Some(out)
    }
}

/// Request headers that describe one connection, not the request: never forwarded (RFC 9110
/// section 7.6.1), plus `host`, which the origin URL decides.
pub fn is_hop_by_hop(name: &str) -> bool {
    const HOP: [&str; 9] = [
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    ];
    HOP.iter().any(|h| h.eq_ignore_ascii_case(name)) || name.eq_ignore_ascii_case("host")
}

/// Whether a `Cache-Control` already keeps a response out of shared caches (`private` or
/// `no-store`).
pub fn never_shared(cache_control: Option<&str>) -> bool {
    cache_control.is_some_and(|cc| {
        cc.split(',').any(|d| {
            let name = d.split('=').next().unwrap_or_default().trim();
            name.eq_ignore_ascii_case("private") || name.eq_ignore_ascii_case("no-store")
        })
    })
}

/// Whether the runtime hands vitrine a decoded body for this `Content-Encoding` (Workers decode
/// `gzip` and `br`; anything else arrives as the origin's bytes).
pub fn runtime_decodes(content_encoding: Option<&str>) -> bool {
    content_encoding.is_none_or(|e| {
        let e = e.trim();
        e.is_empty()
            || ["identity", "gzip", "x-gzip", "br"]
                .iter()
                .any(|d| d.eq_ignore_ascii_case(e))
    })
}

/// Forwarding headers a client may have written itself (`X-Forwarded-For: 127.0.0.1`): never
/// passed on. vitrine sets `X-Forwarded-For` from the CDN's `CF-Connecting-IP` and
/// `X-Forwarded-Host`/`-Proto` from the URL it was asked for.
pub fn is_client_forwarding(name: &str) -> bool {
    const FORWARDING: [&str; 6] = [
        "forwarded",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-forwarded-proto",
        "x-forwarded-port",
        "x-real-ip",
    ];
    FORWARDING.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// What to do with a response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyPlan {
    /// Hand the origin's body on untouched (the default for anything vitrine does not understand).
    Pass(PassReason),
    /// Stream the body through the HTML rewriter in this encoding.
    RewriteHtml(AsciiCompatibleEncoding),
}

/// Why a response passed untouched; shown in `x-vitrine` for a developer's benefit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassReason {
    /// No body to look at (HEAD, 204, 304, ...).
    NoBody,
    /// Not a 200: redirects, errors and partial content are the origin's business.
    Status,
    /// Not HTML.
    NotHtml,
    /// HTML in an encoding the rewriter cannot process safely (UTF-16, unknown labels).
    Charset,
    /// A `Content-Encoding` the runtime does not decode (`deflate`, `zstd`, ...): the body is not
    /// HTML vitrine can read.
    Encoding,
    /// No config is live: vitrine is a transparent proxy.
    NoConfig,
    /// The debug bypass asked for the origin's page.
    Bypass,
    /// A page vitrine knows, where nothing applies: no region configured for its type, no rule
    /// and no personalization that could change it, no product data to read.
    NothingToDo,
}

impl PassReason {
    /// The token in `x-vitrine` (`pass;why=<token>`).
    pub fn token(self) -> &'static str {
        match self {
            PassReason::NoBody => "no-body",
            PassReason::Status => "status",
            PassReason::NotHtml => "not-html",
            PassReason::Charset => "charset",
            PassReason::Encoding => "encoding",
            PassReason::NoConfig => "no-config",
            PassReason::Bypass => "bypass",
            PassReason::NothingToDo => "nothing-to-do",
        }
    }
}

/// Decides whether a response body is rewritten. Anything unusual passes.
pub fn plan_body(method: &str, status: u16, content_type: Option<&str>) -> BodyPlan {
    if method.eq_ignore_ascii_case("HEAD") || matches!(status, 100..=199 | 204 | 205 | 304) {
        return BodyPlan::Pass(PassReason::NoBody);
    }
    if status != 200 {
        return BodyPlan::Pass(PassReason::Status);
    }
    let Some(ct) = content_type else {
        return BodyPlan::Pass(PassReason::NotHtml);
    };
    let mime = ct.split(';').next().unwrap_or_default().trim();
    if !(mime.eq_ignore_ascii_case("text/html") || mime.eq_ignore_ascii_case("application/xhtml+xml")) {
        return BodyPlan::Pass(PassReason::NotHtml);
    }
    match encoding_from_content_type(ct) {
        Some(enc) => BodyPlan::RewriteHtml(enc),
        None => BodyPlan::Pass(PassReason::Charset),
    }
}

/// How a response may be cached, by how much of it is vitrine's. The rules, and why, are in the
/// README's "Caching" section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    /// vitrine left the body as it came and set no cookie: the origin's headers as they came.
    Origin,
    /// The body may be vitrine's, but the same for every visitor of this kind (rules that apply
    /// to everyone, for a crawler, a visitor without consent or in the holdout): the origin's
    /// `Cache-Control`; its `ETag` and `Last-Modified` go, since they name the origin's bytes and
    /// a `304` against them would bring back a page made under other rules.
    Shared,
    /// Depends on this visitor (or carries their cookie, or is the debug bypass): never stored
    /// anywhere. `no-store` and not `no-cache`, because browsers show stored pages on back and
    /// forward navigation without revalidating them; validators go with it.
    Personal,
}

/// The `Cache-Control` of a [`Caching::Personal`] response.
pub const NO_STORE: &str = "private, no-store";

impl Caching {
    /// The stricter of two.
    pub fn max(self, other: Caching) -> Caching {
        let rank = |c: Caching| match c {
            Caching::Origin => 0,
            Caching::Shared => 1,
            Caching::Personal => 2,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    /// The header edits: `(name, Some(value))` to set, `(name, None)` to remove.
    pub fn headers(self) -> Vec<(&'static str, Option<&'static str>)> {
        match self {
            Caching::Origin => Vec::new(),
            Caching::Shared => vec![("etag", None), ("last-modified", None)],
            Caching::Personal => vec![
                ("cache-control", Some(NO_STORE)),
                ("etag", None),
                ("last-modified", None),
                ("expires", None),
            ],
        }
    }
}

/// The browser's conditional request headers, held back from the origin on pages vitrine may
/// change (an origin `304` must never stand in for a personalized page), and answered by vitrine
/// itself when the page went out untouched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditional {
    /// `If-None-Match`.
    pub if_none_match: Option<String>,
    /// `If-Modified-Since`.
    pub if_modified_since: Option<String>,
}

/// The request headers a [`Conditional`] holds.
pub const CONDITIONAL_HEADERS: [&str; 2] = ["if-none-match", "if-modified-since"];

impl Conditional {
    /// Whether a response with these validators is what the browser holds (RFC 9110 13.2.2:
    /// `If-None-Match` by weak comparison, and only without it `If-Modified-Since`, here compared
    /// exactly with `Last-Modified`, as browsers send it back).
    pub fn matches(&self, etag: Option<&str>, last_modified: Option<&str>) -> bool {
        if let Some(inm) = self.if_none_match.as_deref() {
            let Some(etag) = etag else {
                return inm.trim() == "*";
            };
            let opaque = |t: &str| t.trim().trim_start_matches("W/").to_owned();
            let want = opaque(etag);
            return inm.split(',').any(|t| t.trim() == "*" || opaque(t) == want);
        }
        match (self.if_modified_since.as_deref(), last_modified) {
            (Some(ims), Some(lm)) => ims.trim() == lm.trim(),
            _ => false,
        }
    }

    /// Whether the browser sent any.
    pub fn is_some(&self) -> bool {
        self.if_none_match.is_some() || self.if_modified_since.is_some()
    }
}

/// Whether a request is a top-level document load (the response that may carry the signal
/// cookie): a GET that is not a subresource fetch. `Sec-Fetch-Dest` decides when present; without
/// it (older clients, tools), an `Accept` that asks for HTML does.
pub fn is_document_request(method: &str, sec_fetch_dest: Option<&str>, accept: Option<&str>) -> bool {
    if !method.eq_ignore_ascii_case("GET") {
        return false;
    }
    match sec_fetch_dest.map(str::trim) {
        Some(dest) => dest.eq_ignore_ascii_case("document"),
        None => accept.is_none_or(|a| a.contains("text/html") || a.trim() == "*/*"),
    }
}

/// Milliseconds measured by the glue around the origin fetch.
///
/// Inside a Worker the clock only advances across I/O (a Spectre mitigation), so `edge_ms` counts
/// time spent waiting on the platform, not CPU spent in vitrine's own code; benchmarks measure that.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timing {
    /// From the start of the request to the origin's response headers (`None`: not asked).
    pub origin_ms: Option<f64>,
    /// The rest of the worker's time before the response headers left.
    pub edge_ms: f64,
}

impl Timing {
    /// The value appended to `Server-Timing`; `origin_ms: None` when the origin was not asked
    /// (an answer from the edge cache).
    pub fn server_timing(&self) -> String {
        let edge = format!("vitrine;dur={:.1};desc=\"edge\"", self.edge_ms.max(0.0));
        match self.origin_ms {
            Some(ms) => format!("{edge}, origin;dur={:.1}", ms.max(0.0)),
            None => format!("{edge}, cache;desc=\"edge cache hit\""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_parse_accepts_http_bases_and_rejects_the_rest() {
        assert_eq!(
            Origin::parse("http://127.0.0.1:8788/").unwrap().as_str(),
            "http://127.0.0.1:8788"
        );
        assert_eq!(
            Origin::parse(" https://shop.example.com/base ").unwrap().as_str(),
            "https://shop.example.com/base"
        );
        for bad in [
            "",
            "127.0.0.1:8788",
            "ftp://x",
            "http://",
            "http:///x",
            "http://a?b=1",
            "http://a b",
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        let e = Origin::parse("nope").unwrap_err();
        assert_eq!(
            e.to_string(),
            "ORIGIN \"nope\": must start with http:// or https://"
        );
    }

    #[test]
    fn url_for_joins_path_and_query() {
        let o = Origin::parse("http://127.0.0.1:8788").unwrap();
        assert_eq!(
            o.url_for("/c/shoes?page=2"),
            "http://127.0.0.1:8788/c/shoes?page=2"
        );
        assert_eq!(o.url_for("x"), "http://127.0.0.1:8788/x");
        let o = Origin::parse("https://shop.example.com/eu/").unwrap();
        assert_eq!(o.url_for("/p/a"), "https://shop.example.com/eu/p/a");
    }

    #[test]
    fn absolute_redirects_to_the_origin_are_made_public() {
        let o = Origin::parse("http://127.0.0.1:8788").unwrap();
        let public = "https://shop.example.com";
        assert_eq!(
            o.public_location("http://127.0.0.1:8788/cart", public).as_deref(),
            Some("https://shop.example.com/cart")
        );
        assert_eq!(
            o.public_location("http://127.0.0.1:8788", public).as_deref(),
            Some("https://shop.example.com/")
        );
        assert_eq!(o.public_location("http://127.0.0.1:87880/x", public), None);
        assert_eq!(o.public_location("/cart", public), None);
        assert_eq!(o.public_location("https://elsewhere.example/", public), None);
    }

    #[test]
    fn hop_by_hop_headers_are_recognised_case_insensitively() {
        for h in [
            "Connection",
            "keep-alive",
            "TE",
            "Transfer-Encoding",
            "Upgrade",
            "Host",
        ] {
            assert!(is_hop_by_hop(h), "{h}");
        }
        for h in [
            "cookie",
            "accept-encoding",
            "user-agent",
            "content-type",
            "x-forwarded-for",
        ] {
            assert!(!is_hop_by_hop(h), "{h}");
        }
    }

    #[test]
    fn only_plain_200_html_is_rewritten() {
        assert!(matches!(
            plan_body("GET", 200, Some("text/html; charset=utf-8")),
            BodyPlan::RewriteHtml(_)
        ));
        assert!(matches!(
            plan_body("GET", 200, Some("TEXT/HTML")),
            BodyPlan::RewriteHtml(_)
        ));
        assert!(matches!(
            plan_body("GET", 200, Some("application/xhtml+xml")),
            BodyPlan::RewriteHtml(_)
        ));
        assert_eq!(
            plan_body("HEAD", 200, Some("text/html")),
            BodyPlan::Pass(PassReason::NoBody)
        );
        assert_eq!(
            plan_body("GET", 304, Some("text/html")),
            BodyPlan::Pass(PassReason::NoBody)
        );
        assert_eq!(plan_body("GET", 204, None), BodyPlan::Pass(PassReason::NoBody));
        assert_eq!(
            plan_body("GET", 500, Some("text/html")),
            BodyPlan::Pass(PassReason::Status)
        );
        assert_eq!(
            plan_body("GET", 302, Some("text/html")),
            BodyPlan::Pass(PassReason::Status)
        );
        assert_eq!(
            plan_body("GET", 200, Some("application/json")),
            BodyPlan::Pass(PassReason::NotHtml)
        );
        assert_eq!(
            plan_body("GET", 200, Some("text/htmlx")),
            BodyPlan::Pass(PassReason::NotHtml)
        );
        assert_eq!(plan_body("GET", 200, None), BodyPlan::Pass(PassReason::NotHtml));
        assert_eq!(
            plan_body("GET", 200, Some("text/html; charset=utf-16")),
            BodyPlan::Pass(PassReason::Charset)
        );
    }

    #[test]
    fn caching_by_how_much_of_a_response_is_vitrines() {
        assert!(Caching::Origin.headers().is_empty());
        assert_eq!(
            Caching::Shared.headers(),
            vec![("etag", None), ("last-modified", None)]
        );
        assert!(Caching::Personal
            .headers()
            .contains(&("cache-control", Some("private, no-store"))));
        assert_eq!(Caching::Origin.max(Caching::Personal), Caching::Personal);
        assert_eq!(Caching::Shared.max(Caching::Origin), Caching::Shared);
    }

    #[test]
    fn conditional_requests_match_by_weak_etag_then_exact_date() {
        let c = |inm: Option<&str>, ims: Option<&str>| Conditional {
            if_none_match: inm.map(str::to_owned),
            if_modified_since: ims.map(str::to_owned),
        };
        let lm = Some("Wed, 21 Oct 2026 07:28:00 GMT");
        assert!(c(Some("\"a\""), None).matches(Some("\"a\""), None));
        assert!(c(Some("W/\"a\", \"b\""), None).matches(Some("\"a\""), None));
        assert!(c(Some("\"a\""), None).matches(Some("W/\"a\""), None));
        assert!(!c(Some("\"a\""), None).matches(Some("\"b\""), None));
        assert!(!c(Some("\"a\""), None).matches(None, lm), "no ETag: no match");
        assert!(c(Some("*"), None).matches(Some("\"x\""), None));
        // If-None-Match wins over If-Modified-Since.
        assert!(!c(Some("\"a\""), lm).matches(Some("\"b\""), lm));
        assert!(c(None, lm).matches(None, lm));
        assert!(!c(None, Some("Thu, 22 Oct 2026 07:28:00 GMT")).matches(None, lm));
        assert!(!c(None, None).matches(Some("\"a\""), lm));
        assert!(!c(None, None).is_some());
    }

    #[test]
    fn document_requests() {
        assert!(is_document_request("GET", Some("document"), None));
        assert!(!is_document_request("GET", Some("image"), Some("text/html")));
        assert!(!is_document_request("GET", Some("empty"), None));
        assert!(is_document_request(
            "GET",
            None,
            Some("text/html,application/xhtml+xml")
        ));
        assert!(is_document_request("GET", None, None));
        assert!(!is_document_request("GET", None, Some("application/json")));
        assert!(!is_document_request("POST", Some("document"), None));
    }

    #[test]
    fn header_values_are_stable() {
        assert_eq!(PassReason::NotHtml.token(), "not-html");
        let t = Timing {
            origin_ms: Some(12.34),
            edge_ms: -1.0,
        };
        assert_eq!(
            t.server_timing(),
            "vitrine;dur=0.0;desc=\"edge\", origin;dur=12.3"
        );
        let hit = Timing {
            origin_ms: None,
            edge_ms: 0.5,
        };
        assert_eq!(
            hit.server_timing(),
            "vitrine;dur=0.5;desc=\"edge\", cache;desc=\"edge cache hit\""
        );
    }
}
