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

/// `Cache-Control` for a response that carries something of one visitor's (a `Set-Cookie`, a
/// personalized body): `private`, so no shared cache keeps it, with the origin's browser-side
/// directives (`max-age`, `no-cache`, `no-store`, `must-revalidate`) kept. Shared-cache
/// directives (`public`, `s-maxage`, `proxy-revalidate`, `immutable`) go.
pub fn private_cache_control(origin: Option<&str>) -> String {
    let mut out = vec!["private".to_owned()];
    for d in origin
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        let name = d
            .split('=')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if !matches!(
            name.as_str(),
            "public" | "private" | "s-maxage" | "proxy-revalidate" | "immutable"
        ) {
            out.push(d.to_owned());
        }
    }
    out.join(", ")
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
    /// From the start of the request to the origin's response headers.
    pub origin_ms: f64,
    /// The rest of the worker's time before the response headers left.
    pub edge_ms: f64,
}

impl Timing {
    /// The value appended to `Server-Timing`.
    pub fn server_timing(&self) -> String {
        format!(
            "vitrine;dur={:.1};desc=\"edge\", origin;dur={:.1}",
            self.edge_ms.max(0.0),
            self.origin_ms.max(0.0)
        )
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
    fn personalized_responses_are_private() {
        assert_eq!(
            private_cache_control(Some("public, max-age=60, s-maxage=300")),
            "private, max-age=60"
        );
        assert_eq!(private_cache_control(Some("no-store")), "private, no-store");
        assert_eq!(private_cache_control(None), "private");
        assert_eq!(
            private_cache_control(Some("private, max-age=0")),
            "private, max-age=0"
        );
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
            origin_ms: 12.34,
            edge_ms: -1.0,
        };
        assert_eq!(
            t.server_timing(),
            "vitrine;dur=0.0;desc=\"edge\", origin;dur=12.3"
        );
    }
}
