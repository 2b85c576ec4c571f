//! The URL a visitor asked for, as the runtime serialized it (`https://shop.example/c/shoes?q=x`).
//!
//! The runtime has already parsed and normalized it (WHATWG rules: lowercase scheme and host,
//! IDNA applied, percent-encoding fixed), so vitrine only splits it into its parts. This replaces
//! the `url` crate in the worker, whose full parser and IDNA tables were a tenth of the wasm for a
//! job done once per request on a string that is already canonical.
//!
//! A leaf: imports nothing of vitrine's.

/// A serialized absolute URL, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestUrl {
    text: String,
    scheme_end: usize,
    host: (usize, usize),
    port: Option<u16>,
    path: (usize, usize),
    query: Option<(usize, usize)>,
}

impl RequestUrl {
    /// Splits `scheme://[user@]host[:port][/path][?query][#fragment]`; `None` for anything else
    /// (a relative URL, no host, a port that is not a number).
    pub fn parse(text: &str) -> Option<RequestUrl> {
        let scheme_end = text.find("://")?;
        let scheme = text.get(..scheme_end)?;
        let valid_scheme = scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
        if !valid_scheme {
            return None;
        }
        let after = scheme_end + 3;
        let rest = text.get(after..)?;
        let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = rest.get(..authority_len)?;
        let host_at = authority.rfind('@').map_or(0, |i| i + 1);
        let hostport = authority.get(host_at..)?;
        // `[v6]:port`: the port's colon comes after the bracket.
        let colon = match hostport.rfind(']') {
            Some(close) => hostport.get(close..)?.find(':').map(|i| i + close),
            None => hostport.find(':'),
        };
        let (host_len, port) = match colon {
            Some(c) => {
                let digits = hostport.get(c + 1..)?;
                let port = if digits.is_empty() {
                    None
                } else {
                    Some(digits.parse::<u16>().ok()?)
                };
                (c, port)
            }
            None => (hostport.len(), None),
        };
        if host_len == 0 {
            return None;
        }
        let host_start = after + host_at;
        let path_start = after + authority_len;
        let tail = text.get(path_start..)?;
        let fragment = tail.find('#').map_or(text.len(), |i| path_start + i);
        let path_end = tail.find(['?', '#']).map_or(text.len(), |i| path_start + i);
        let query = (text.as_bytes().get(path_end) == Some(&b'?')).then_some((path_end + 1, fragment));
        Some(RequestUrl {
            text: text.to_owned(),
            scheme_end,
            host: (host_start, host_start + host_len),
            port,
            path: (path_start, path_end),
            query,
        })
    }

    fn part(&self, (start, end): (usize, usize)) -> &str {
        self.text.get(start..end).unwrap_or_default()
    }

    /// `https`, `http`.
    pub fn scheme(&self) -> &str {
        self.part((0, self.scheme_end))
    }

    /// The host, without the port (`shop.example`, `[::1]`).
    pub fn host(&self) -> &str {
        self.part(self.host)
    }

    /// The port, when the URL names one.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// `host[:port]`, as a `Host` header says it.
    pub fn authority(&self) -> String {
        match self.port {
            Some(port) => format!("{}:{port}", self.host()),
            None => self.host().to_owned(),
        }
    }

    /// `scheme://host[:port]`.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme(), self.authority())
    }

    /// The path; `/` when the URL has none.
    pub fn path(&self) -> &str {
        let p = self.part(self.path);
        if p.is_empty() {
            "/"
        } else {
            p
        }
    }

    /// The query without its `?`, when there is one.
    pub fn query(&self) -> Option<&str> {
        self.query.map(|q| self.part(q))
    }

    /// The first value of a query parameter, decoded (`+` is a space, `%xx` a byte).
    pub fn param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query()?.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The whole URL as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The first value of parameter `name` in a path-and-query (`/search?q=boots`).
pub fn param_of(path_and_query: &str, name: &str) -> Option<String> {
    let (_, query) = path_and_query.split_once('?')?;
    let query = query.split('#').next().unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_urls_the_runtime_serializes() {
        let u = RequestUrl::parse("https://shop.example/c/shoes?q=red+boots&x=%C3%A9#top").unwrap();
        assert_eq!(u.scheme(), "https");
        assert_eq!(u.host(), "shop.example");
        assert_eq!(u.port(), None);
        assert_eq!(u.path(), "/c/shoes");
        assert_eq!(u.query(), Some("q=red+boots&x=%C3%A9"));
        assert_eq!(u.param("q").as_deref(), Some("red boots"));
        assert_eq!(u.param("x").as_deref(), Some("é"));
        assert_eq!(u.param("y"), None);
        assert_eq!(u.origin(), "https://shop.example");

        let local = RequestUrl::parse("http://127.0.0.1:8787/").unwrap();
        assert_eq!(
            (local.host(), local.port(), local.path(), local.query()),
            ("127.0.0.1", Some(8787), "/", None)
        );
        assert_eq!(local.authority(), "127.0.0.1:8787");

        let v6 = RequestUrl::parse("http://user:pw@[::1]:8080?a=1").unwrap();
        assert_eq!(
            (v6.host(), v6.port(), v6.path(), v6.query()),
            ("[::1]", Some(8080), "/", Some("a=1"))
        );
        assert_eq!(v6.origin(), "http://[::1]:8080");

        let empty_query = RequestUrl::parse("https://s.example/p?").unwrap();
        assert_eq!(empty_query.query(), Some(""));
        let fragment_only = RequestUrl::parse("https://s.example/p#q=1").unwrap();
        assert_eq!((fragment_only.path(), fragment_only.query()), ("/p", None));
    }

    #[test]
    fn what_is_not_an_absolute_url_is_refused() {
        for bad in [
            "/c/shoes",
            "shop.example/c",
            "https:///x",
            "https://h:99999/",
            "https://h:8o/",
            "1http://h/",
            "://h/",
        ] {
            assert_eq!(RequestUrl::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn params_of_a_path_and_query() {
        assert_eq!(
            param_of("/search?q=warm%20coat&page=2", "q").as_deref(),
            Some("warm coat")
        );
        assert_eq!(param_of("/search", "q"), None);
        assert_eq!(param_of("/search?q=a#b", "q").as_deref(), Some("a"));
    }
}
