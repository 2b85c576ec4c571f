//! The config lifecycle, platform-free: immutable versions named by content hash, the history of
//! pointer flips, the admin token check and `If-Match`. The glue stores what these functions
//! decide in KV:
//!
//! ```text
//! config:v:<version>   the document, immutable (a push of identical content is the same version)
//! config:active        the live version (the pointer a push or a rollback flips)
//! config:history       the last 100 flips, newest last
//! ```

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// KV key of the active pointer.
pub const ACTIVE_KEY: &str = "config:active";
/// KV key of the history.
pub const HISTORY_KEY: &str = "config:history";
/// Most history entries kept.
pub const MAX_HISTORY: usize = 100;

/// KV key of the active packed catalog's version.
pub const CATALOG_ACTIVE_KEY: &str = "catalog:active";

/// KV key of a packed catalog.
pub fn catalog_key(version: &str) -> String {
    format!("catalog:v:{version}")
}

/// KV key of a version's document.
pub fn version_key(version: &str) -> String {
    format!("config:v:{version}")
}

/// A version name: the first 12 hex digits of SHA-256 over the canonical JSON (keys sorted, no
/// whitespace), so formatting changes do not make a new version.
pub fn version_of(doc: &serde_json::Value) -> String {
    let canonical = serde_json::to_string(doc).unwrap_or_default();
    let digest = Sha256::digest(canonical.as_bytes());
    crate::signal::to_hex(digest.get(..6).unwrap_or_default())
}

/// Whether a string looks like a version name (so a rollback target can be used as a KV key).
pub fn is_version(v: &str) -> bool {
    v.len() == 12
        && v.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// One pointer flip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The version made active.
    pub version: String,
    /// The version it replaced.
    pub previous: Option<String>,
    /// `push` or `rollback`.
    pub action: String,
    /// Unix seconds.
    pub at: u64,
}

/// The history document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// Flips, oldest first.
    pub entries: Vec<Entry>,
}

impl History {
    /// Parses a stored history; an unreadable one starts over rather than blocking pushes.
    pub fn parse(text: Option<&str>) -> History {
        text.and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default()
    }

    /// Records a flip, keeping the newest [`MAX_HISTORY`].
    pub fn record(&mut self, entry: Entry) {
        self.entries.push(entry);
        let excess = self.entries.len().saturating_sub(MAX_HISTORY);
        self.entries.drain(..excess);
    }

    /// Whether a version was ever active (rollback targets must be).
    pub fn knows(&self, version: &str) -> bool {
        self.entries.iter().any(|e| e.version == version)
    }
}

/// Checks `Authorization: Bearer <token>` against the admin token in constant time (after the
/// length, which a bearer token does not hide anyway).
pub fn authorized(authorization: Option<&str>, token: &str) -> bool {
    let Some(presented) = authorization
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(str::trim)
    else {
        return false;
    };
    !token.is_empty() && bool::from(presented.as_bytes().ct_eq(token.as_bytes()))
}

/// `If-Match` against the active version: absent is allowed (a first push, or a deliberate
/// overwrite), `*` needs an active version, otherwise it must name the active version (quoted as
/// an ETag or bare).
pub fn if_match_ok(if_match: Option<&str>, active: Option<&str>) -> bool {
    match if_match.map(str::trim) {
        None => true,
        Some("*") => active.is_some(),
        Some(tags) => tags
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/").trim_matches('"'))
            .any(|t| Some(t) == active),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_content_hashes_insensitive_to_formatting() {
        let a: serde_json::Value = serde_json::from_str(r#"{"version":1,"rules":[]}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str("{ \"rules\": [],\n \"version\": 1 }").unwrap();
        let c: serde_json::Value = serde_json::from_str(r#"{"version":1,"rules":[{"id":"x"}]}"#).unwrap();
        assert_eq!(version_of(&a), version_of(&b));
        assert_ne!(version_of(&a), version_of(&c));
        assert!(is_version(&version_of(&a)));
        assert!(!is_version("../../etc"));
        assert!(!is_version("ABCDEF012345"));
    }

    #[test]
    fn tokens_and_preconditions() {
        assert!(authorized(Some("Bearer s3cret"), "s3cret"));
        assert!(!authorized(Some("Bearer s3cre"), "s3cret"));
        assert!(!authorized(Some("s3cret"), "s3cret"));
        assert!(!authorized(None, "s3cret"));
        assert!(!authorized(Some("Bearer "), ""));
        assert!(if_match_ok(None, Some("abc")));
        assert!(if_match_ok(Some("\"abc\""), Some("abc")));
        assert!(if_match_ok(Some("W/\"abc\", \"def\""), Some("def")));
        assert!(!if_match_ok(Some("\"old\""), Some("abc")));
        assert!(!if_match_ok(Some("*"), None));
        assert!(!if_match_ok(Some("\"abc\""), None));
    }

    #[test]
    fn history_is_bounded() {
        let mut h = History::parse(Some("not json"));
        for i in 0..150 {
            h.record(Entry {
                version: format!("{i:012x}"),
                previous: None,
                action: "push".into(),
                at: i,
            });
        }
        assert_eq!(h.entries.len(), MAX_HISTORY);
        assert!(h.knows(&format!("{:012x}", 149)));
        assert!(!h.knows(&format!("{:012x}", 10)));
    }
}
