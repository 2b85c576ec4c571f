//! The config lifecycle, platform-free: immutable versions named by content hash, the history of
//! pointer flips, the admin token check and `If-Match`, and every admin answer ([`AdminOp`]s:
//! push, rollback, validate, the catalog). The glue reads and stores in KV what these functions
//! decide:
//!
//! ```text
//! config:v:<version>   the document, immutable (a push of identical content is the same version)
//! config:active        the live version (the pointer a push or a rollback flips)
//! config:history       the last 100 flips, newest last
//! ```

use serde::Serialize;
use serde_json::json;

use crate::doc::{self, Obj, Problems};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::catalog::{Catalogs, Packed};
use crate::config::{self, lint, Problem};
use crate::reply::Reply;
use crate::report::{Action, CfgStatus, Report};

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

/// What flipped the active pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flip {
    /// A new version pushed.
    Push,
    /// Back to an earlier version.
    Rollback,
}

/// One pointer flip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The version made active.
    pub version: String,
    /// The version it replaced.
    pub previous: Option<String>,
    /// What flipped it.
    pub action: Flip,
    /// Unix seconds.
    pub at: u64,
    /// Who flipped it, as they said (`X-Vitrine-Author`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Why, as they said (`X-Vitrine-Note`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Who pushed or rolled back and why: `X-Vitrine-Author` and `X-Vitrine-Note`, percent-encoded
/// UTF-8 (headers are ASCII), control characters dropped, bounded (80 and 500 characters).
pub fn said(author: Option<&str>, note: Option<&str>) -> (Option<String>, Option<String>) {
    let clean = |v: Option<&str>, max: usize| {
        let v = v?;
        let decoded = crate::request_url::param_of(&format!("?v={v}"), "v").unwrap_or_default();
        let text: String = decoded.chars().filter(|c| !c.is_control()).take(max).collect();
        let text = text.trim().to_owned();
        (!text.is_empty()).then_some(text)
    };
    (clean(author, 80), clean(note, 500))
}

/// The history document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct History {
    /// Flips, oldest first.
    pub entries: Vec<Entry>,
}

impl History {
    /// Parses a stored history; an unreadable one starts over rather than blocking pushes.
    pub fn parse(text: Option<&str>) -> History {
        let read = |o: &mut Obj<'_>, p: &mut Problems| {
            let entries = o.req_list("entries", p, |e, p| {
                let version = e.req_string("version", p);
                let previous = e.string("previous", p);
                let action = match e.req_string("action", p)?.as_str() {
                    "push" => Flip::Push,
                    "rollback" => Flip::Rollback,
                    _ => return None,
                };
                let at = e.req_int("at", p);
                let (author, note) = (e.string("author", p), e.string("note", p));
                Some(Entry {
                    version: version?,
                    previous,
                    action,
                    at: at?,
                    author,
                    note,
                })
            });
            entries.map(|entries| History { entries })
        };
        text.and_then(|t| doc::parse(t).ok())
            .and_then(|v| doc::read_document(&v, read).ok())
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

/// `POST /__vitrine/preview-link` `{config, visitor?, name?, ttl_s?}`: the draft to store (its
/// version and text) and the answer with the signed token, or the error to answer.
pub fn preview_link(body: &[u8], admin_token: &str, now: u64) -> Result<(String, String, u64, Reply), Reply> {
    let v: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| Reply::error(400, "the request must be JSON: {config, visitor?, name?, ttl_s?}"))?;
    let draft = v
        .get("config")
        .filter(|c| c.is_object())
        .ok_or_else(|| Reply::error(400, "config (the draft document) is required"))?;
    config::compile_value(draft).map_err(|problems| {
        let body = json!({"error": "the draft is not a valid config", "errors": problems_json(&problems)});
        Reply::json(400, body.to_string(), &endpoint(None))
    })?;
    let visitor = v.get("visitor").filter(|x| x.is_object()).cloned();
    if let Some(vis) = &visitor {
        doc::read_document(vis, crate::preview::VisitorSpec::read).map_err(|problems| {
            let body = json!({"error": "the visitor is not valid", "errors": problems_json(&problems)});
            Reply::json(400, body.to_string(), &endpoint(None))
        })?;
    }
    let ttl = v
        .get("ttl_s")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(24 * 3600)
        .clamp(60, crate::qa::MAX_TTL_S);
    let name: String = v
        .get("name")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("draft")
        .chars()
        .filter(|c| !c.is_control())
        .take(60)
        .collect();
    let version = version_of(draft);
    let pass = crate::qa::Pass {
        draft: version.clone(),
        exp: now + ttl,
        name,
        visitor,
    };
    let token = crate::qa::sign(&pass, admin_token);
    let answer = json!({"token": token, "param": crate::qa::PARAM, "draft": version, "expires_at": pass.exp});
    Ok((
        version,
        draft.to_string(),
        ttl,
        Reply::json(201, answer.to_string(), &endpoint(None)),
    ))
}

/// `GET /__vitrine/config/versions/<version>`: that version's document as pushed.
pub fn version_doc(version: Option<&str>, doc: Option<String>) -> Reply {
    match (version, doc) {
        (Some(v), Some(doc)) => etagged(Reply::json(200, doc, &endpoint(Some(v))), v),
        _ => Reply::error(404, "no such version"),
    }
}

/// The console's file a path names (`/__vitrine/console` is its page), if any: a fixed set of
/// names, never a path walked into the assets.
pub fn console_file(path: &str) -> Option<&'static str> {
    match path {
        "/__vitrine/console" | "/__vitrine/console/" => Some("index.html"),
        "/__vitrine/console/console.js" => Some("console.js"),
        "/__vitrine/console/console.css" => Some("console.css"),
        _ => None,
    }
}

/// KV key of the canary pointer (`{"version", "share"}`).
pub const CANARY_KEY: &str = "config:canary";

/// Most of the traffic a canary may take.
pub const MAX_CANARY: f64 = 0.5;

/// A canary pointer as stored.
pub fn read_canary(text: Option<&str>) -> Option<crate::experiment::Canary> {
    let v: serde_json::Value = serde_json::from_str(text?).ok()?;
    let version = v.get("version")?.as_str().filter(|x| is_version(x))?.to_owned();
    let share = v
        .get("share")?
        .as_f64()
        .filter(|s| *s > 0.0 && *s <= MAX_CANARY)?;
    Some(crate::experiment::Canary { version, share })
}

/// `PUT /__vitrine/config/canary`: the pointer to store (JSON), or the error to answer.
/// `stored`: whether the named version's document exists.
pub fn canary(body: &[u8], stored: impl FnOnce(&str) -> bool) -> Result<(String, Reply), Reply> {
    let text = std::str::from_utf8(body).unwrap_or_default();
    let Some(c) = read_canary(Some(text)) else {
        return Err(Reply::error(
            400,
            "the body must be {\"version\": \"<12 hex digits>\", \"share\": a number above 0 and at most 0.5}",
        ));
    };
    if !stored(&c.version) {
        return Err(Reply::error(
            404,
            "no such version: push it first (a canary serves a stored version)",
        ));
    }
    let pointer = json!({"version": c.version, "share": c.share}).to_string();
    let reply = Reply::json(
        200,
        json!({"canary": {"version": c.version, "share": c.share}}).to_string(),
        &endpoint(None),
    );
    Ok((pointer, reply))
}

/// The version named by `/__vitrine/config/versions/<version>`.
pub fn version_path(path: &str) -> Option<&str> {
    path.strip_prefix("/__vitrine/config/versions/")
        .filter(|v| is_version(v))
}

/// The admin API's operations (each needs `Authorization: Bearer <ADMIN_TOKEN>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminOp {
    /// `GET /__vitrine/config`: the live document.
    GetConfig,
    /// `PUT /__vitrine/config`: push a new version.
    PutConfig,
    /// `GET /__vitrine/config/versions`: the history.
    Versions,
    /// `GET /__vitrine/config/versions/<version>`: a stored version's document.
    GetVersion,
    /// `PUT /__vitrine/config/canary` `{"version", "share"}`: serve a stored version to a share.
    Canary,
    /// `DELETE /__vitrine/config/canary`: no canary.
    CanaryOff,
    /// `POST /__vitrine/config/rollback`.
    Rollback,
    /// `POST /__vitrine/config/validate`: errors and warnings, nothing stored.
    Validate,
    /// `POST /__vitrine/preview`.
    Preview,
    /// `POST /__vitrine/preview-link`: store a draft, answer a signed QA link.
    PreviewLink,
    /// `GET /__vitrine/catalog`: which packed catalog this isolate holds.
    GetCatalog,
    /// `PUT /__vitrine/catalog`: push a packed catalog.
    PutCatalog,
    /// An admin path with a method it does not take.
    NotAllowed,
}

impl AdminOp {
    /// The operation of an admin path, `None` for any other path.
    pub fn of(method: &str, path: &str) -> Option<AdminOp> {
        use AdminOp::*;
        let op = match (method, path) {
            ("GET", "/__vitrine/config") => GetConfig,
            ("PUT", "/__vitrine/config") => PutConfig,
            ("GET", "/__vitrine/config/versions") => Versions,
            ("PUT", "/__vitrine/config/canary") => Canary,
            ("DELETE", "/__vitrine/config/canary") => CanaryOff,
            ("GET", p) if version_path(p).is_some() => GetVersion,
            ("POST", "/__vitrine/config/rollback") => Rollback,
            ("POST", "/__vitrine/config/validate") => Validate,
            ("POST", "/__vitrine/preview") => Preview,
            ("POST", "/__vitrine/preview-link") => PreviewLink,
            ("GET", "/__vitrine/catalog") => GetCatalog,
            ("PUT", "/__vitrine/catalog") => PutCatalog,
            (
                _,
                "/__vitrine/config"
                | "/__vitrine/config/canary"
                | "/__vitrine/config/versions"
                | "/__vitrine/config/rollback"
                | "/__vitrine/config/validate"
                | "/__vitrine/catalog"
                | "/__vitrine/preview"
                | "/__vitrine/preview-link",
            ) => NotAllowed,
            _ => return None,
        };
        Some(op)
    }

    /// Largest request body the operation reads.
    pub fn max_body(self) -> usize {
        match self {
            AdminOp::PutCatalog => MAX_CATALOG,
            AdminOp::Preview | AdminOp::PreviewLink => config::MAX_DOCUMENT + 2 * 1024 * 1024,
            AdminOp::Rollback => 4096,
            _ => config::MAX_DOCUMENT,
        }
    }
}

/// Largest catalog push accepted (JSON).
pub const MAX_CATALOG: usize = 64 * 1024 * 1024;
/// Largest packed catalog stored (KV values are at most 25 MiB).
pub const MAX_PACKED: usize = 24 * 1024 * 1024;

/// Problems as the API shows them.
pub fn problems_json(problems: &[Problem]) -> Vec<serde_json::Value> {
    problems
        .iter()
        .map(|p| json!({"path": p.path, "message": p.message}))
        .collect()
}

fn endpoint(cfg: Option<&str>) -> Report {
    Report {
        cfg: cfg.map(|v| CfgStatus::Version(v.to_owned())),
        ..Report::of(Action::Endpoint)
    }
}

fn etagged(mut reply: Reply, version: &str) -> Reply {
    reply.headers.push(("etag".into(), format!("\"{version}\"")));
    reply
}

/// `GET /__vitrine/config`: the active version's document.
pub fn show(active: Option<&str>, document: Option<String>) -> Reply {
    match (active, document) {
        (None, _) => Reply::error(404, "no config has been pushed"),
        (Some(v), Some(doc)) => etagged(Reply::json(200, doc, &endpoint(Some(v))), v),
        (Some(_), None) => Reply::error(500, "the active version's document is missing"),
    }
}

/// `GET /__vitrine/config/versions`.
pub fn versions(active: Option<&str>, history: &History) -> Reply {
    let body = json!({"active": active, "history": history.entries}).to_string();
    Reply::json(200, body, &endpoint(None))
}

/// A push to store: the version (of the canonical document) and the document as pushed.
#[derive(Debug, Clone, PartialEq)]
pub struct Push {
    /// The version (content hash).
    pub version: String,
    /// The document as stored: exactly as pushed (key order, spacing), so `show` round-trips.
    pub document: String,
    /// Lint warnings.
    pub warnings: Vec<Problem>,
}

/// `PUT /__vitrine/config`: the push to store, or the answer when nothing is stored (invalid,
/// a conflicting `If-Match`, or the live version again).
pub fn push(
    body: &[u8],
    active: Option<&str>,
    if_match: Option<&str>,
    now: u64,
    seen: &Seen<'_>,
) -> Result<Push, Reply> {
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(Reply::error(400, "the document must be UTF-8 JSON"));
    };
    let cfg = config::compile_json(text).map_err(|problems| {
        let body = json!({"error": "invalid config; the live config is unchanged", "errors": problems_json(&problems)});
        Reply::json(400, body.to_string(), &endpoint(None))
    })?;
    let warnings = seen.lint(&cfg, now);
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|_| Reply::error(400, "invalid JSON"))?;
    let version = version_of(&value);
    if !if_match_ok(if_match, active) {
        let body = json!({"error": "the config changed since you read it (If-Match does not name the active version)", "active": active});
        return Err(Reply::json(412, body.to_string(), &endpoint(None)));
    }
    if active == Some(version.as_str()) {
        let body = json!({"version": version, "unchanged": true, "warnings": problems_json(&warnings)});
        return Err(Reply::json(200, body.to_string(), &endpoint(Some(&version))));
    }
    Ok(Push {
        version,
        document: text.to_owned(),
        warnings,
    })
}

/// The answer to a push that was stored and made active.
pub fn pushed(push: &Push, previous: Option<&str>) -> Reply {
    let body =
        json!({"version": push.version, "previous": previous, "warnings": problems_json(&push.warnings)});
    etagged(
        Reply::json(201, body.to_string(), &endpoint(Some(&push.version))),
        &push.version,
    )
}

/// `POST /__vitrine/config/rollback`: the version to roll back to, or the answer.
pub fn rollback(body: &[u8], active: Option<&str>, if_match: Option<&str>) -> Result<String, Reply> {
    let target = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("version").and_then(|v| v.as_str()).map(str::to_owned))
        .filter(|t| is_version(t))
        .ok_or_else(|| Reply::error(400, "body must be {\"version\": \"<12 hex digits>\"}"))?;
    if !if_match_ok(if_match, active) {
        let body = json!({"error": "the config changed since you read it", "active": active});
        return Err(Reply::json(412, body.to_string(), &endpoint(None)));
    }
    Ok(target)
}

/// The answer to a rollback to `target` (`stored`: whether KV holds it); `Err`: nothing to flip.
pub fn rolled_back(target: &str, stored: bool, active: Option<&str>) -> Result<Reply, Reply> {
    if !stored {
        return Err(Reply::error(404, "no such version"));
    }
    if active == Some(target) {
        let body = json!({"version": target, "unchanged": true}).to_string();
        return Err(Reply::json(200, body, &endpoint(None)));
    }
    let body = json!({"version": target, "previous": active}).to_string();
    Ok(Reply::json(200, body, &endpoint(Some(target))))
}

/// What a config is linted against besides itself: the catalog pushed on its own, and the
/// sample pages it names as the origin served them (path, status, body).
#[derive(Default)]
pub struct Seen<'a> {
    /// The packed catalog.
    pub packed: Option<&'a Packed>,
    /// The sample pages.
    pub samples: Vec<(String, u16, Vec<u8>)>,
}

impl Seen<'_> {
    /// The config's warnings: its own, the catalog's, and each sample page's.
    pub fn lint(&self, cfg: &config::Config, now: u64) -> Vec<Problem> {
        let mut out = lint_with(cfg, self.packed, now);
        for (i, (path, status, html)) in self.samples.iter().enumerate() {
            if *status != 200 {
                out.push(Problem::new(
                    format!("site.samples[{i}]"),
                    &format!("the origin answered {status} for {path}: its selectors were not checked"),
                ));
                continue;
            }
            let page = crate::preview::decide_page(cfg, path, html).map_or(config::PageKind::Plp, |c| c.kind);
            out.extend(crate::preview::page_warnings(
                cfg,
                html,
                page,
                &format!("sample {path}"),
            ));
        }
        out
    }
}

/// The paths of the sample pages a config names (none when it does not compile).
pub fn samples(body: &[u8]) -> Vec<String> {
    std::str::from_utf8(body)
        .ok()
        .and_then(|t| config::compile_json(t).ok())
        .map(|c| c.samples)
        .unwrap_or_default()
}

/// The config's warnings, with the catalogs it will see (its own, the one pushed on its own).
pub fn lint_with(cfg: &config::Config, packed: Option<&Packed>, now: u64) -> Vec<Problem> {
    let catalogs = Catalogs::of(cfg, packed);
    lint::lint(cfg, catalogs.as_ref().map(|c| c as &dyn lint::Known), now)
}

/// `POST /__vitrine/config/validate`: errors and warnings, nothing stored.
pub fn validate(body: &[u8], now: u64, seen: &Seen<'_>) -> Reply {
    let text = String::from_utf8_lossy(body);
    let doc = match config::compile_json(&text) {
        Ok(cfg) => {
            let version = serde_json::from_str::<serde_json::Value>(&text)
                .map(|v| version_of(&v))
                .ok();
            json!({"valid": true, "version": version, "errors": [], "warnings": problems_json(&seen.lint(&cfg, now))})
        }
        Err(problems) => json!({"valid": false, "errors": problems_json(&problems), "warnings": []}),
    };
    Reply::json(200, doc.to_string(), &endpoint(None))
}

/// A catalog to store: its packed bytes, version and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogPush {
    /// The packed bytes.
    pub packed: Vec<u8>,
    /// Their version.
    pub version: String,
    /// Products.
    pub products: usize,
}

/// `PUT /__vitrine/catalog`: the packed catalog to store, or the answer.
pub fn catalog(body: &[u8]) -> Result<CatalogPush, Reply> {
    let invalid = |problems: &[Problem]| {
        let shown = problems.get(..100).unwrap_or(problems);
        let body = json!({"error": "invalid catalog; the live one is unchanged", "errors": problems_json(shown), "count": problems.len()});
        Reply::json(400, body.to_string(), &endpoint(None))
    };
    let text = std::str::from_utf8(body).map_err(|_| Reply::error(400, "invalid catalog: not UTF-8"))?;
    let raw = config::catalog::read_pushed(text).map_err(|p| invalid(&p))?;
    let (products, problems) = config::compile_products(&raw, "products");
    if !problems.is_empty() {
        return Err(invalid(&problems.0));
    }
    let packed = crate::catalog::pack(&products);
    if packed.len() > MAX_PACKED {
        return Err(Reply::error(
            413,
            "the packed catalog exceeds KV's 25 MiB value limit",
        ));
    }
    Ok(CatalogPush {
        version: crate::catalog::version_of(&packed),
        products: products.len(),
        packed,
    })
}

/// The answer to a stored catalog.
pub fn catalog_pushed(c: &CatalogPush) -> Reply {
    let body = json!({"version": c.version, "products": c.products, "bytes": c.packed.len()}).to_string();
    Reply::json(201, body, &endpoint(None))
}

/// `GET /__vitrine/catalog`.
pub fn catalog_info(version: Option<&str>, packed: Option<&crate::catalog::Packed>) -> Reply {
    let body =
        json!({"version": version, "products": packed.map(|p| p.len()), "bytes": packed.map(|p| p.size())});
    Reply::json(200, body.to_string(), &endpoint(None))
}

/// The answer when a body is over the operation's limit or unreadable.
pub fn body_refused(op: AdminOp, status: u16) -> Reply {
    let msg = match op {
        AdminOp::PutCatalog => "the catalog must be at most 64 MB of JSON",
        AdminOp::Preview => "the preview request is too large",
        _ => "the document must be at most 2 MB",
    };
    Reply::error(status, msg)
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
                action: Flip::Push,
                at: i,
                author: (i == 149).then(|| "Ana".into()),
                note: None,
            });
        }
        assert_eq!(h.entries.len(), MAX_HISTORY);
        assert!(h.knows(&format!("{:012x}", 149)));
        assert!(!h.knows(&format!("{:012x}", 10)));
        // Who and why survive the round trip through KV; old entries without them still read.
        let back = History::parse(Some(&serde_json::to_string(&h).unwrap()));
        assert_eq!(back, h);
    }

    #[test]
    fn who_and_why_are_read_as_said_and_bounded() {
        assert_eq!(
            said(Some("Ana%20L%C3%B3pez"), Some("Black%20Friday%0Apins")),
            (Some("Ana López".into()), Some("Black Fridaypins".into()))
        );
        assert_eq!(said(Some("%20"), None), (None, None));
        assert_eq!(said(None, Some(&"x".repeat(900))).1.unwrap().len(), 500);
        assert_eq!(
            version_path("/__vitrine/config/versions/0123456789ab"),
            Some("0123456789ab")
        );
        assert_eq!(version_path("/__vitrine/config/versions/../x"), None);
        assert_eq!(
            AdminOp::of("GET", "/__vitrine/config/versions/0123456789ab"),
            Some(AdminOp::GetVersion)
        );
    }

    fn json(r: &Reply) -> serde_json::Value {
        serde_json::from_slice(&r.body).unwrap()
    }

    #[test]
    fn admin_operations_by_method_and_path() {
        assert_eq!(AdminOp::of("PUT", "/__vitrine/config"), Some(AdminOp::PutConfig));
        assert_eq!(
            AdminOp::of("GET", "/__vitrine/catalog"),
            Some(AdminOp::GetCatalog)
        );
        assert_eq!(
            AdminOp::of("PATCH", "/__vitrine/preview"),
            Some(AdminOp::NotAllowed)
        );
        assert_eq!(AdminOp::of("GET", "/__vitrine/whoami"), None);
        assert_eq!(AdminOp::Rollback.max_body(), 4096);
    }

    #[test]
    fn a_push_is_validated_checked_against_if_match_and_versioned() {
        let doc = br#"{"version": 1, "rules": [{"id": "p", "pin": {"product": "A", "position": 1}}]}"#;
        let push = push(doc, None, None, 0, &Seen::default()).unwrap();
        assert!(is_version(&push.version));
        assert_eq!(push.document.as_bytes(), doc, "stored as pushed");
        let reformatted = br#"{ "rules": [{"pin": {"position": 1, "product": "A"}, "id": "p"}],
            "version": 1 }"#;
        assert_eq!(
            super::push(reformatted, None, None, 0, &Seen::default())
                .unwrap()
                .version,
            push.version,
            "versioned by content"
        );
        let r = pushed(&push, None);
        assert_eq!(
            (r.status, r.header("etag")),
            (201, Some(format!("\"{}\"", push.version).as_str()))
        );
        // The same document again: nothing to store.
        let again = super::push(doc, Some(&push.version), None, 0, &Seen::default()).unwrap_err();
        assert_eq!(
            (again.status, json(&again)["unchanged"].as_bool()),
            (200, Some(true))
        );
        // Someone pushed in between.
        let stale = super::push(
            doc,
            Some("aaaaaaaaaaaa"),
            Some("\"bbbbbbbbbbbb\""),
            0,
            &Seen::default(),
        )
        .unwrap_err();
        assert_eq!(stale.status, 412);
        // Invalid: every problem with its path; invalid beats a stale If-Match.
        let bad = super::push(
            br#"{"version": 2, "rules": [{"id": "p", "pin": {"product": "", "position": 0}}]}"#,
            Some("aaaaaaaaaaaa"),
            Some("\"x\""),
            0,
            &Seen::default(),
        )
        .unwrap_err();
        assert_eq!(bad.status, 400);
        let paths: Vec<String> = json(&bad)["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            paths,
            ["version", "rules[0].pin.position", "rules[0].pin.product"]
        );
        assert_eq!(
            super::push(b"\xff", None, None, 0, &Seen::default())
                .unwrap_err()
                .status,
            400
        );
    }

    #[test]
    fn a_rollback_needs_a_stored_version_and_a_current_if_match() {
        assert_eq!(rollback(b"{}", None, None).unwrap_err().status, 400);
        assert_eq!(
            rollback(br#"{"version":"../../etc"}"#, None, None)
                .unwrap_err()
                .status,
            400
        );
        let body = br#"{"version":"0123456789ab"}"#;
        assert_eq!(
            rollback(body, Some("aaaaaaaaaaaa"), Some("\"bbbbbbbbbbbb\""))
                .unwrap_err()
                .status,
            412
        );
        let target = rollback(body, Some("aaaaaaaaaaaa"), None).unwrap();
        assert_eq!(
            rolled_back(&target, false, Some("aaaaaaaaaaaa"))
                .unwrap_err()
                .status,
            404
        );
        assert_eq!(rolled_back(&target, true, Some(&target)).unwrap_err().status, 200);
        let ok = rolled_back(&target, true, Some("aaaaaaaaaaaa")).unwrap();
        assert_eq!(json(&ok)["previous"], "aaaaaaaaaaaa");
        assert_eq!(ok.header("x-vitrine"), Some("endpoint;cfg=0123456789ab"));
    }

    #[test]
    fn validation_and_catalog_pushes_report_paths() {
        let v = json(&validate(
            br#"{"version":1,"rules":[{"id":"x","boost":{"match":{},"weight":1}}]}"#,
            0,
            &Seen::default(),
        ));
        assert_eq!(
            (v["valid"].as_bool(), v["errors"][0]["path"].as_str()),
            (Some(false), Some("rules[0].boost.match"))
        );
        let bad = catalog(br#"{"products":[{"key":"A","stock":"maybe"}]}"#).unwrap_err();
        assert_eq!(json(&bad)["errors"][0]["path"], "products[0].stock");
        let ok = catalog(br#"{"products":[{"key":"A","stock":"InStock"}]}"#).unwrap();
        assert_eq!(ok.products, 1);
        assert_eq!(json(&catalog_pushed(&ok))["version"], ok.version.as_str());
        assert_eq!(show(None, None).status, 404);
        assert_eq!(
            show(Some("0123456789ab"), Some("{}".into())).header("etag"),
            Some("\"0123456789ab\"")
        );
    }

    #[test]
    fn warnings_a_merchandiser_needs_with_the_catalog_and_sample_pages() {
        let doc = br#"{"version":1,"site":{"pages":[{"type":"plp","path":"/c/{category}"}],
            "plp":{"grids":[{"name":"main","container":"ul.grid","tile":"li","key":{"attribute":"data-k"}},
                            {"name":"side","container":"ol.picks","tile":"li","key":{"attribute":"data-k"}}],
                   "hero":{"container":".hero","headline":"h1"}},
            "samples":["/c/boots","/c/gone"]},
          "catalog":{"products":[{"key":"SKU-1","stock":"out_of_stock","category":"Boots"},{"key":"SKU-2","category":"bags"}]},
          "rules":[{"id":"case","pin":{"product":"sku-2","position":1},"scope":{"grids":["main"]}},
                   {"id":"gone","pin":{"product":"SKU-9","position":1},"scope":{"grids":["side"]}},
                   {"id":"oos","pin":{"product":"SKU-1","position":2}},
                   {"id":"hide","exclude":{"match":{"products":["SKU-3"]}}},
                   {"id":"cat","scope":{"categories":["sandals"]},"boost":{"match":{"brand":["x"]},"weight":1}},
                   {"id":"cta","hero":{"variant":"v","headline":"Hi","cta":{"text":"Shop","href":"/sale"}}},
                   {"id":"twice","pin":{"product":"SKU-2","position":2},"scope":{"grids":["main"]}}]}"#;
        let nested = b"<div class=hero><h1>Boots</h1></div><ul class=grid><div class=row><li data-k=SKU-1></li></div></ul>".to_vec();
        let seen = Seen {
            packed: None,
            samples: vec![
                ("/c/boots".into(), 200, nested),
                ("/c/gone".into(), 404, Vec::new()),
            ],
        };
        let v = json(&validate(doc, 0, &seen));
        assert_eq!(v["valid"], true, "{v}");
        let said: Vec<(String, String)> = v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["path"].as_str().unwrap().to_owned(),
                    w["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let has = |path: &str, words: &str| said.iter().any(|(p, m)| p == path && m.contains(words));
        assert!(
            has(
                "rules[0].pin.product",
                r#"has as "SKU-2" (keys are case-sensitive)"#
            ),
            "{said:#?}"
        );
        assert!(has("rules[1].pin.product", "does not have"), "{said:#?}");
        assert!(has("rules[2].pin.product", "out of stock"), "{said:#?}");
        assert!(
            has("rules[3].exclude.match.products[0]", "does not have"),
            "{said:#?}"
        );
        assert!(has("rules[4].scope.categories[0]", "\"sandals\""), "{said:#?}");
        assert!(has("rules[5].hero.cta", "no cta selector"), "{said:#?}");
        // Position 1 in two different grids is no conflict; position 2 twice in one grid is.
        assert!(
            !said.iter().any(|(p, _)| p == "rules[1].pin.position"),
            "{said:#?}"
        );
        assert!(has("rules[6].pin.position", "shares position 2"), "{said:#?}");
        // The sample pages: tiles nested one level down, a grid missing, a page that is gone.
        assert!(
            has("site.plp.grids[0].tile", "none is its direct child"),
            "{said:#?}"
        );
        assert!(
            has(
                "site.plp.grids[1].container",
                "matches nothing on sample /c/boots"
            ),
            "{said:#?}"
        );
        assert!(has("site.samples[1]", "answered 404"), "{said:#?}");
        assert_eq!(samples(doc), ["/c/boots", "/c/gone"]);
        // Without a catalog, nothing is said about products.
        let text = String::from_utf8_lossy(doc).replace(
            r#""catalog":{"products":[{"key":"SKU-1","stock":"out_of_stock","category":"Boots"},{"key":"SKU-2","category":"bags"}]},"#,
            "",
        );
        let v = json(&validate(text.as_bytes(), 0, &Seen::default()));
        assert!(!v["warnings"].to_string().contains("catalog"), "{v}");
        // A grid the config does not have, and a stock value the catalog does not know, are errors.
        let v = json(&validate(
            br#"{"version":1,"catalog":{"products":[{"key":"A","stock":"maybe"}]},
                 "rules":[{"id":"p","pin":{"product":"A","position":1},"scope":{"grids":["nope"]}}]}"#,
            0,
            &Seen::default(),
        ));
        let errors = v["errors"].to_string();
        assert!(
            errors.contains("rules[0].scope.grids[0]") && errors.contains("catalog.products[0].stock"),
            "{v}"
        );
    }

    #[test]
    fn a_canary_pointer_names_a_stored_version_and_a_share_up_to_half() {
        assert_eq!(
            AdminOp::of("PUT", "/__vitrine/config/canary"),
            Some(AdminOp::Canary)
        );
        assert_eq!(
            AdminOp::of("DELETE", "/__vitrine/config/canary"),
            Some(AdminOp::CanaryOff)
        );
        assert_eq!(
            AdminOp::of("GET", "/__vitrine/config/canary"),
            Some(AdminOp::NotAllowed)
        );
        let (pointer, reply) = canary(br#"{"version":"0123456789ab","share":0.1}"#, |_| true).unwrap();
        assert_eq!(reply.status, 200);
        assert_eq!(read_canary(Some(&pointer)).unwrap().share, 0.1);
        assert_eq!(
            canary(br#"{"version":"0123456789ab","share":0.1}"#, |_| false)
                .unwrap_err()
                .status,
            404
        );
        for bad in [
            r#"{"version":"x","share":0.1}"#,
            r#"{"version":"0123456789ab","share":0.6}"#,
            r#"{"version":"0123456789ab","share":0}"#,
            "nope",
        ] {
            assert_eq!(canary(bad.as_bytes(), |_| true).unwrap_err().status, 400, "{bad}");
        }
    }
}
