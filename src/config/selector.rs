//! CSS selectors from a config, parsed once when the config compiles and kept parsed: the request
//! path clones a parsed [`lol_html::Selector`] (a reference-count bump) and never formats or parses
//! one. A selector that lol_html cannot run is a config problem, never a panic.

use std::borrow::Cow;

use lol_html::Selector;

/// Longest selector accepted.
pub const MAX_SELECTOR: usize = 512;

/// A selector as written and as parsed.
#[derive(Clone)]
pub struct Sel {
    text: String,
    parsed: Selector,
}

impl Sel {
    /// Parses a selector; the error is a plain message for a [`super::Problem`].
    pub fn parse(text: &str) -> Result<Sel, String> {
        if text.len() > MAX_SELECTOR {
            return Err(format!("selector must be at most {MAX_SELECTOR} characters"));
        }
        let parsed = text
            .parse::<Selector>()
            .map_err(|e| format!("invalid selector: {e}"))?;
        Ok(Sel {
            text: text.to_owned(),
            parsed,
        })
    }

    /// `outer` followed by `inner`, joined by `combinator` (`" > "` for a direct child, `" "` for a
    /// descendant): how a tile is found inside its grid, a link inside its tile.
    pub fn within(outer: &str, combinator: &str, inner: &str) -> Result<Sel, String> {
        Sel::parse(&format!("{outer}{combinator}{inner}"))
    }

    /// The selector as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed selector, for a lol_html handler.
    pub fn selector(&self) -> Cow<'static, Selector> {
        Cow::Owned(self.parsed.clone())
    }
}

impl PartialEq for Sel {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Sel {}

impl std::fmt::Debug for Sel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_once_and_reports_what_lol_html_refuses() {
        let s = Sel::within("ul.grid", " > ", "li").unwrap();
        assert_eq!(s.as_str(), "ul.grid > li");
        assert!(Sel::parse("div[").unwrap_err().starts_with("invalid selector"));
        assert!(Sel::parse(&"a".repeat(MAX_SELECTOR + 1)).is_err());
        // lol_html cannot run some valid CSS (sibling combinators): refused here, not at run time.
        assert!(Sel::parse("li + li").is_err());
    }
}
