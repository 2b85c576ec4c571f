//! URL path patterns: how a merchandiser says "category pages live at `/c/{category}`".
//!
//! Segments are literal, `{name}` (captures one segment, optionally between a literal prefix and
//! suffix: `{product}.html`, `p-{id}`), `*` (any one segment) or a final `**` (the rest of the
//! path, possibly empty). The query string is ignored; a trailing slash is not
//! significant. Matching is case-sensitive for literals, as paths are.

/// A compiled path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    source: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Capture {
        name: String,
        prefix: String,
        suffix: String,
    },
    Any,
    Rest,
}

/// Why a pattern was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError(pub &'static str);

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl PathPattern {
    /// Parses a pattern such as `/c/{category}` or `/products/**`.
    pub fn parse(source: &str) -> Result<Self, PatternError> {
        if !source.starts_with('/') {
            return Err(PatternError("must start with /"));
        }
        if source.len() > 256 {
            return Err(PatternError("must be at most 256 characters"));
        }
        if source.contains(['?', '#']) || source.chars().any(char::is_whitespace) {
            return Err(PatternError(
                "must be a path only, without query, fragment or spaces",
            ));
        }
        let parts: Vec<&str> = source
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let mut segments = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            let seg = if *part == "**" {
                if i + 1 != parts.len() {
                    return Err(PatternError("** may only end a pattern"));
                }
                Segment::Rest
            } else if *part == "*" {
                Segment::Any
            } else if let (Some(open), Some(close)) = (part.find('{'), part.find('}')) {
                let (prefix, rest) = part.split_at(open);
                let name = rest.get(1..close - open).unwrap_or_default();
                let suffix = part.get(close + 1..).unwrap_or_default();
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(PatternError("a capture is {name} with letters, digits or _"));
                }
                if prefix.contains(['{', '}', '*']) || suffix.contains(['{', '}', '*']) {
                    return Err(PatternError("a segment holds at most one {name} and no *"));
                }
                Segment::Capture {
                    name: name.to_owned(),
                    prefix: prefix.to_owned(),
                    suffix: suffix.to_owned(),
                }
            } else if part.contains(['{', '}', '*']) {
                return Err(PatternError("* must fill a whole segment, and { } must pair"));
            } else {
                Segment::Literal((*part).to_owned())
            };
            segments.push(seg);
        }
        Ok(PathPattern {
            source: source.to_owned(),
            segments,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern has a capture of this name.
    pub fn captures(&self, name: &str) -> bool {
        self.segments
            .iter()
            .any(|s| matches!(s, Segment::Capture { name: n, .. } if n == name))
    }

    /// Matches a path (the query, if any, is ignored); returns the captures, percent-decoded.
    pub fn matches(&self, path: &str) -> Option<Vec<(String, String)>> {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let mut parts = path.trim_matches('/').split('/').filter(|s| !s.is_empty());
        let mut captures = Vec::new();
        for seg in &self.segments {
            match seg {
                Segment::Rest => return Some(captures),
                Segment::Any => {
                    parts.next()?;
                }
                Segment::Literal(l) => {
                    if parts.next()? != l {
                        return None;
                    }
                }
                Segment::Capture { name, prefix, suffix } => {
                    let part = parts.next()?;
                    let inner = part
                        .strip_prefix(prefix.as_str())?
                        .strip_suffix(suffix.as_str())?;
                    if inner.is_empty() {
                        return None;
                    }
                    captures.push((name.clone(), percent_decode(inner)));
                }
            }
        }
        parts.next().is_none().then_some(captures)
    }
}

/// Decodes `%XX` escapes (invalid escapes and invalid UTF-8 are kept as they are / replaced).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(p: &str, path: &str) -> Option<Vec<(String, String)>> {
        PathPattern::parse(p).unwrap().matches(path)
    }

    #[test]
    fn literal_capture_any_rest() {
        assert_eq!(
            caps("/c/{category}", "/c/shoes"),
            Some(vec![("category".into(), "shoes".into())])
        );
        assert_eq!(
            caps("/c/{category}", "/c/shoes/"),
            Some(vec![("category".into(), "shoes".into())])
        );
        assert_eq!(
            caps("/c/{category}", "/c/shoes?page=2"),
            Some(vec![("category".into(), "shoes".into())])
        );
        assert_eq!(caps("/c/{category}", "/c"), None);
        assert_eq!(caps("/c/{category}", "/c/shoes/boots"), None);
        assert_eq!(caps("/c/{category}", "/d/shoes"), None);
        assert_eq!(caps("/collections/**", "/collections"), Some(vec![]));
        assert_eq!(caps("/collections/**", "/collections/a/b"), Some(vec![]));
        assert_eq!(caps("/", "/"), Some(vec![]));
        assert_eq!(caps("/", "/x"), None);
        assert_eq!(
            caps("/p/{slug}", "/p/caf%C3%A9"),
            Some(vec![("slug".into(), "café".into())])
        );
    }

    #[test]
    fn bad_patterns_say_why() {
        assert_eq!(PathPattern::parse("c/x").unwrap_err().0, "must start with /");
        assert!(PathPattern::parse("/a/**/b").is_err());
        assert!(PathPattern::parse("/a/{}").is_err());
        assert!(PathPattern::parse("/a/x{y}{z}").is_err());
        assert!(PathPattern::parse("/a/*{y}").is_err());
        assert!(PathPattern::parse("/a?b").is_err());
    }

    #[test]
    fn percent_decoding_is_lenient() {
        assert_eq!(percent_decode("a%20b+c%zz%"), "a b c%zz%");
    }
}
