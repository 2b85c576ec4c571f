//! QA preview links: a merchandiser shares a *draft* config (not pushed) with a colleague, who
//! opens a link and browses the live store with it, optionally as a forced segment, a small badge
//! on every page saying so.
//!
//! `POST /__vitrine/preview-link` (admin) stores the draft in the `CONFIG` KV under `draft:<version>`
//! with an expiry and answers a token. A request carrying `?__vitrine_preview=<token>` gets the
//! token in an `HttpOnly` cookie and a redirect to the same URL without it; requests with a valid
//! cookie use the draft and the forced visitor, learn nothing, and leave `private, no-store`.
//! `?__vitrine_preview=exit` ends the session. The token is signed with a key derived from
//! `ADMIN_TOKEN` (rotating the token revokes every link) and carries the draft's version, its
//! expiry, a name and the segment: without a valid signature nothing changes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The query parameter a shared link carries.
pub const PARAM: &str = "__vitrine_preview";
/// The cookie a QA session keeps.
pub const COOKIE: &str = "__vitrine_qa";
/// Longest a link lives.
pub const MAX_TTL_S: u64 = 7 * 24 * 3600;

/// What a link grants.
#[derive(Debug, Clone, PartialEq)]
pub struct Pass {
    /// The draft's version (`draft:<version>` in KV).
    pub draft: String,
    /// Unix seconds after which the link is void.
    pub exp: u64,
    /// The draft's name, for the badge.
    pub name: String,
    /// The forced visitor (preview's `visitor.json`), if any.
    pub visitor: Option<Value>,
}

/// The KV key of a draft.
pub fn draft_key(version: &str) -> String {
    format!("draft:{version}")
}

fn mac(admin_token: &str) -> Option<Hmac<Sha256>> {
    let key = Sha256::digest(format!("vitrine qa preview links\0{admin_token}").as_bytes());
    Hmac::<Sha256>::new_from_slice(&key).ok()
}

/// The token for `pass`.
pub fn sign(pass: &Pass, admin_token: &str) -> String {
    let payload = json!({"d": pass.draft, "e": pass.exp, "n": pass.name, "v": pass.visitor}).to_string();
    let body = URL_SAFE_NO_PAD.encode(payload.as_bytes());
    let tag = mac(admin_token).map(|mut m| {
        m.update(body.as_bytes());
        m.finalize().into_bytes()
    });
    let tag = tag
        .map(|t| URL_SAFE_NO_PAD.encode(t.get(..16).unwrap_or_default()))
        .unwrap_or_default();
    format!("{body}.{tag}")
}

/// The pass a token grants at `now`, if its signature is good and it has not expired.
pub fn verify(token: &str, admin_token: &str, now: u64) -> Option<Pass> {
    if token.len() > 4096 || admin_token.is_empty() {
        return None;
    }
    let (body, tag) = token.trim().split_once('.')?;
    let mut m = mac(admin_token)?;
    m.update(body.as_bytes());
    let want = m.finalize().into_bytes();
    let given = URL_SAFE_NO_PAD.decode(tag).ok()?;
    if !bool::from(given.as_slice().ct_eq(want.get(..16)?)) {
        return None;
    }
    let v: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
    let pass = Pass {
        draft: v.get("d")?.as_str()?.to_owned(),
        exp: v.get("e")?.as_u64()?,
        name: v.get("n").and_then(Value::as_str).unwrap_or("draft").to_owned(),
        visitor: v.get("v").filter(|v| v.is_object()).cloned(),
    };
    (now < pass.exp && crate::admin::is_version(&pass.draft)).then_some(pass)
}

/// How the badge names the segment (`as returning buyer`).
pub fn segment_words(visitor: Option<&Value>) -> String {
    let Some(v) = visitor else {
        return String::new();
    };
    let yes = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
    let mut words = Vec::new();
    if v.get("consent").and_then(Value::as_bool) == Some(false) {
        words.push("no consent".to_owned());
    } else {
        words.push(if yes("returning") { "returning" } else { "new" }.to_owned());
        if yes("customer") {
            words.push("customer".into());
        }
        if v.get("intent").and_then(Value::as_str) == Some("buy") {
            words.push("buyer".into());
        }
        if let Some(b) = v
            .get("brands")
            .and_then(Value::as_object)
            .and_then(|b| b.keys().next())
        {
            words.push(format!("{b} fan"));
        }
        if yes("holdout") {
            words.push("in the holdout".into());
        }
    }
    format!(", as {}", words.join(" "))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The badge appended to every page of a QA session: what is being previewed, and a way out.
pub fn badge(pass: &Pass) -> String {
    format!(
        concat!(
            "<div id=\"vitrine-qa-badge\" role=\"status\" style=\"position:fixed;z-index:2147483647;right:12px;bottom:12px;",
            "font:13px/1.4 system-ui,sans-serif;background:#1d1d1f;color:#fff;padding:8px 12px;border-radius:8px;",
            "box-shadow:0 2px 8px rgba(0,0,0,.3)\">vitrine preview: draft {}{} &mdash; ",
            "<a href=\"?{}=exit\" style=\"color:#9cf\">exit</a></div>"
        ),
        escape(&pass.name),
        escape(&segment_words(pass.visitor.as_ref())),
        PARAM
    )
}

/// The `Set-Cookie` that starts a session with `token` (for the link's remaining life).
pub fn enter_cookie(token: &str, max_age: u64, secure: bool) -> String {
    format!(
        "{COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` that ends it.
pub fn exit_cookie(secure: bool) -> String {
    format!(
        "{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

/// `path?query` without the preview parameter (where the redirect goes).
pub fn without_param(path: &str, query: Option<&str>) -> String {
    let rest: Vec<&str> = query
        .unwrap_or_default()
        .split('&')
        .filter(|kv| !kv.is_empty() && kv.split('=').next() != Some(PARAM))
        .collect();
    if rest.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", rest.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass() -> Pass {
        Pass {
            draft: "0123456789ab".into(),
            exp: 2_000,
            name: "Black <Friday>".into(),
            visitor: Some(json!({"returning": true, "intent": "buy"})),
        }
    }

    #[test]
    fn a_signed_pass_verifies_until_it_expires_and_not_with_another_token_or_edit() {
        let t = sign(&pass(), "admin-1");
        assert_eq!(verify(&t, "admin-1", 1_999), Some(pass()));
        assert_eq!(verify(&t, "admin-1", 2_000), None, "expired");
        assert_eq!(verify(&t, "admin-2", 1_000), None, "another admin token");
        // Any byte changed in the payload or the tag: refused.
        for i in 0..t.len() {
            let mut b = t.clone().into_bytes();
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            if let Ok(s) = String::from_utf8(b) {
                if s != t {
                    assert_eq!(verify(&s, "admin-1", 1_000), None, "byte {i}");
                }
            }
        }
        assert_eq!(verify("nonsense", "admin-1", 0), None);
        assert_eq!(verify(&t, "", 0), None);
    }

    #[test]
    fn the_badge_says_what_and_as_whom_escaped_with_a_way_out() {
        let b = badge(&pass());
        assert!(
            b.contains("vitrine preview: draft Black &lt;Friday&gt;, as returning buyer"),
            "{b}"
        );
        assert!(b.contains("?__vitrine_preview=exit"));
        assert_eq!(
            without_param("/c/x", Some("a=1&__vitrine_preview=t&b=2")),
            "/c/x?a=1&b=2"
        );
        assert_eq!(without_param("/c/x", Some("__vitrine_preview=t")), "/c/x");
        assert!(enter_cookie("t", 60, true).ends_with("HttpOnly; SameSite=Lax; Secure"));
    }
}
