//! vitrine's own responses (its endpoints, the edge search API, its error pages), built in the
//! core as status, headers and body so that what they say is tested natively; the glue only turns
//! a [`Reply`] into a platform response.

use crate::report::{Action, Report, HEADER};

/// A response vitrine writes itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Status.
    pub status: u16,
    /// Headers, appended in order (`Set-Cookie` may repeat).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Reply {
    /// A JSON reply that no cache keeps, with `x-vitrine`.
    pub fn json(status: u16, body: impl Into<Vec<u8>>, report: &Report) -> Reply {
        Reply {
            status,
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("cache-control".into(), "private, no-store".into()),
                (HEADER.into(), report.to_string()),
            ],
            body: body.into(),
        }
    }

    /// `{"error": message}` from an endpoint.
    pub fn error(status: u16, message: &str) -> Reply {
        let body = serde_json::json!({ "error": message }).to_string();
        Reply::json(status, body, &Report::of(Action::Endpoint))
    }

    /// A small plain-text page of vitrine's own (a gateway error, a misconfiguration), never cached.
    pub fn plain(status: u16, body: &str, report: &Report) -> Reply {
        Reply {
            status,
            headers: vec![
                ("content-type".into(), "text/plain; charset=utf-8".into()),
                ("cache-control".into(), "no-store".into()),
                (HEADER.into(), report.to_string()),
            ],
            body: body.as_bytes().to_vec(),
        }
    }

    /// The origin could not be reached.
    pub fn gateway_error() -> Reply {
        Reply::plain(
            502,
            "bad gateway: the storefront origin did not answer",
            &Report::of(Action::OriginError),
        )
    }

    /// `ORIGIN` is unset or invalid.
    pub fn misconfigured() -> Reply {
        Reply::plain(
            500,
            "vitrine is not configured: set ORIGIN (see README)",
            &Report::of(Action::ConfigError),
        )
    }

    /// Sets (replaces) a header.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.into()));
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_responses_are_never_cached_and_say_what_they_are() {
        let r = Reply::gateway_error();
        assert_eq!(r.status, 502);
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert_eq!(r.header("x-vitrine"), Some("error;origin=unreachable"));
        let m = Reply::misconfigured();
        assert_eq!(
            (m.status, m.header("x-vitrine")),
            (500, Some("error;config=origin"))
        );
        let mut e = Reply::error(405, "use POST");
        assert_eq!(e.body, br#"{"error":"use POST"}"#.to_vec());
        assert_eq!(e.header("cache-control"), Some("private, no-store"));
        e.set("x-vitrine", "endpoint;cfg=x");
        assert_eq!(e.headers.iter().filter(|(n, _)| n == "x-vitrine").count(), 1);
    }
}
