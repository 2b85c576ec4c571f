//! URLs a config may make vitrine write into a page (hero links and images) or keep (catalog
//! images), judged the way a browser's URL parser would read them after the HTML around them is
//! decoded, not the way they look:
//!
//! - control characters and whitespace anywhere are refused (browsers drop tabs and newlines, so
//!   `java\tscript:` is `javascript:`);
//! - character references are refused (`javascript&colon;`, `&#58;`, `&#x3a;`: in an attribute the
//!   browser decodes them to `:`), and vitrine escapes `&` in every attribute it writes anyway;
//! - a backslash is a slash (WHATWG, special schemes), so `/\evil.example` and `\\evil.example`
//!   are the protocol-relative `//evil.example`;
//! - a scheme must be `http` or `https`, followed by `//` and a host, without credentials;
//! - an absolute or protocol-relative URL must name a host the config lists in `site.hosts`
//!   (when a host list applies); paths on the storefront itself are always fine.
//!
//! A leaf: imports nothing of vitrine's.

/// Longest URL accepted.
pub const MAX_URL: usize = 2048;

/// Checks `u`. `hosts`: the hosts absolute URLs may name, for URLs vitrine writes into pages
/// (they may not contain character references at all). `None`: any host, for URLs compared with
/// a page's own attribute text and never written (catalog images, which legitimately hold
/// `&amp;`): their references are decoded first, then the decoded URL is checked.
pub fn check(u: &str, hosts: Option<&[String]>) -> Result<(), &'static str> {
    if u.is_empty() || u.len() > MAX_URL {
        return Err("must be a URL of at most 2048 characters");
    }
    if u.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("must not contain spaces or control characters");
    }
    if hosts.is_none() {
        let decoded = decode_references(u);
        if decoded.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("must not contain spaces or control characters, also as character references");
        }
        return check_decoded(&decoded, None);
    }
    if has_character_reference(u) {
        return Err("must not contain HTML character references such as &colon; or &#58;");
    }
    check_decoded(u, hosts)
}

fn check_decoded(u: &str, hosts: Option<&[String]>) -> Result<(), &'static str> {
    // What a browser reads: a backslash is a slash.
    let u = u.replace('\\', "/");
    let rest = match scheme_of(&u) {
        Some(scheme) => {
            if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
                return Err("must be a path on the storefront or an http(s) URL; javascript:, data: and other schemes are refused");
            }
            let after = u.get(scheme.len() + 1..).unwrap_or_default();
            match after.strip_prefix("//") {
                Some(authority) => authority,
                None => return Err("an http(s) URL must be written scheme://host/..."),
            }
        }
        None => match u.strip_prefix("//") {
            Some(authority) => authority,
            // A path on the storefront (`/c/sale`, `img/a.png`, `?page=2`, `#top`).
            None => return Ok(()),
        },
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("must not contain credentials (user@host)");
    }
    let host = host_of(authority);
    if host.is_empty() || host.starts_with('/') {
        return Err("must name a host");
    }
    match hosts {
        Some(list) if !list.iter().any(|h| h.eq_ignore_ascii_case(&host)) => {
            Err("names a host not in site.hosts: list the storefront's own hosts (and its CDN) there")
        }
        _ => Ok(()),
    }
}

/// Every URL of a `srcset` (`a.jpg 1x, b.jpg 2x`).
pub fn check_srcset(set: &str, hosts: Option<&[String]>) -> Result<(), &'static str> {
    if set.len() > MAX_URL * 4 {
        return Err("must be at most 8192 characters");
    }
    if set.chars().any(|c| c.is_control()) {
        return Err("must not contain control characters");
    }
    set.split(',')
        .filter_map(|candidate| candidate.split_whitespace().next())
        .try_for_each(|u| check(u, hosts))
}

/// A host name as `site.hosts` lists it: lowercase, no scheme, port or path.
pub fn check_host(h: &str) -> Result<String, &'static str> {
    let h = h.trim().to_ascii_lowercase();
    let ok = !h.is_empty()
        && h.len() <= 253
        && h.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.".contains(&b))
        && !h.starts_with('.')
        && !h.ends_with('.');
    if ok {
        Ok(h)
    } else {
        Err("must be a host name like shop.example.com (no scheme, port or path)")
    }
}

/// `s` with its character references decoded as a browser decodes an attribute value: numeric
/// ones (`&#58;`, `&#x3a;`, `;` optional) and the named ones that can change a URL's meaning.
pub fn decode_references(s: &str) -> String {
    const NAMED: [(&str, char); 11] = [
        ("amp", '&'),
        ("nbsp", '\u{a0}'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("colon", ':'),
        ("sol", '/'),
        ("bsol", '\\'),
        ("tab", '\t'),
        ("newline", '\n'),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(rest.get(..at).unwrap_or_default());
        let after = rest.get(at + 1..).unwrap_or_default();
        let (decoded, used) = if let Some(num) = after.strip_prefix('#') {
            let (hex, digits) = match num.strip_prefix(['x', 'X']) {
                Some(h) => (true, h),
                None => (false, num),
            };
            let len = digits
                .bytes()
                .take_while(|b| {
                    if hex {
                        b.is_ascii_hexdigit()
                    } else {
                        b.is_ascii_digit()
                    }
                })
                .count();
            let value =
                u32::from_str_radix(digits.get(..len).unwrap_or_default(), if hex { 16 } else { 10 }).ok();
            match value.and_then(char::from_u32).filter(|_| len > 0) {
                Some(c) => {
                    let semi = usize::from(digits.as_bytes().get(len) == Some(&b';'));
                    (Some(c), 1 + usize::from(hex) + len + semi)
                }
                None => (None, 0),
            }
        } else {
            NAMED
                .iter()
                .find(|(name, _)| {
                    after.len() >= name.len()
                        && after
                            .get(..name.len())
                            .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
                .map_or((None, 0), |(name, c)| {
                    let semi = usize::from(after.as_bytes().get(name.len()) == Some(&b';'));
                    (Some(*c), name.len() + semi)
                })
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = after.get(used..).unwrap_or_default();
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `scheme` when `u` starts with `scheme:` (ASCII letter, then letters, digits, `+ - .`).
fn scheme_of(u: &str) -> Option<&str> {
    let colon = u.find(':')?;
    let scheme = u.get(..colon)?;
    let mut bytes = scheme.bytes();
    let first = bytes.next()?;
    (first.is_ascii_alphabetic() && bytes.all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)))
        .then_some(scheme)
}

/// The host of an authority, lowercase, without the port (`[v6]` kept whole).
fn host_of(authority: &str) -> String {
    let host = if authority.starts_with('[') {
        authority
            .split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default().to_owned()
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether `s` holds something a browser would decode as a character reference: `&name;`,
/// `&#digits`, `&#xhex` (the `;` is optional for numeric ones and for many legacy names, so any
/// `&` followed by a letter and then `;`, or by `#`, counts).
fn has_character_reference(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().filter(|(_, c)| **c == b'&').any(|(i, _)| {
        let rest = b.get(i + 1..).unwrap_or_default();
        match rest.first() {
            Some(b'#') => true,
            Some(c) if c.is_ascii_alphabetic() => {
                let name_len = rest.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
                rest.get(name_len) == Some(&b';')
                    || is_legacy_reference(rest.get(..name_len).unwrap_or_default())
            }
            _ => false,
        }
    })
}

/// Named references browsers decode without a `;` in attribute values only when not followed by
/// `=` or an alphanumeric: decoding in URLs is rare, but `&lt`, `&gt`, `&amp`, `&quot` are the ones
/// that matter. Query strings like `a=1&b=2` stay fine.
fn is_legacy_reference(name: &[u8]) -> bool {
    [
        "lt", "gt", "amp", "quot", "apos", "colon", "sol", "bsol", "tab", "newline",
    ]
    .iter()
    .any(|n| name.eq_ignore_ascii_case(n.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> Vec<String> {
        vec!["shop.example".into(), "cdn.shop.example".into()]
    }

    #[test]
    fn storefront_paths_and_listed_hosts_pass() {
        let h = hosts();
        for ok in [
            "/c/sale",
            "/search?q=a&b=2",
            "img/a.png",
            "?page=2",
            "#top",
            "https://shop.example/c/x",
            "HTTPS://CDN.shop.example:443/a.jpg",
            "//cdn.shop.example/a.jpg",
        ] {
            assert_eq!(check(ok, Some(&h)), Ok(()), "{ok}");
        }
    }

    #[test]
    fn what_a_browser_would_run_or_send_elsewhere_is_refused() {
        let h = hosts();
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "javascript&colon;alert(1)",
            "javascript&#58;alert(1)",
            "javascript&#x3a;alert(1)",
            "javascript&#X3A;alert(1)",
            "javascript&colon alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "//evil.example",
            "/\\evil.example/",
            "\\\\evil.example/",
            "\\/evil.example/",
            "https://evil.example/",
            "https:evil.example",
            "https://shop.example@evil.example/",
            "https://evil.example\\@shop.example/",
            "",
            "/a b",
            "/a\nb",
        ] {
            assert!(check(bad, Some(&h)).is_err(), "{bad:?}");
        }
        // Without a host list (catalog images, never written into a page) any http(s) host goes,
        // but the structure is still checked.
        assert_eq!(check("https://images.example/a.jpg", None), Ok(()));
        assert_eq!(
            check("https://images.example/a.jpg?w=1&amp;h=2&#38;q=3", None),
            Ok(()),
            "a page's own &amp;"
        );
        for bad in [
            "javascript&colon;x",
            "javascript&#58;x",
            "javascript&#x3A;x",
            "java&tab;script:x",
            "&#106;avascript:x",
        ] {
            assert!(check(bad, None).is_err(), "{bad}");
        }
        assert!(
            check("/\\evil.example", None).is_ok(),
            "a protocol-relative URL to any host, without a list"
        );
    }

    #[test]
    fn srcsets_and_hosts() {
        let h = hosts();
        assert_eq!(
            check_srcset("/a.jpg 1x, https://cdn.shop.example/b.jpg 2x", Some(&h)),
            Ok(())
        );
        assert!(check_srcset("/a.jpg 1x, https://evil.example/b.jpg 2x", Some(&h)).is_err());
        assert_eq!(check_host(" Shop.Example "), Ok("shop.example".into()));
        for bad in [
            "https://shop.example",
            "shop.example:8080",
            "shop.example/x",
            "",
            ".example",
        ] {
            assert!(check_host(bad).is_err(), "{bad}");
        }
    }
}
