//! What an isolate keeps between requests: the [`Settings`] (built once per distinct input, not
//! per request) and the book of names seen (whoami, the search API's affinity names).
//!
//! The config comes from KV (`CONFIG`: the active version a push or rollback set), checked at most
//! every `CONFIG_TTL_SECONDS` (default 30): one KV read when nothing changed, two when a new
//! version must be fetched. Without a KV config, `VITRINE_CONFIG` (a var) is used: local
//! development and bootstrap. A KV failure keeps the settings the isolate already has.

use std::cell::RefCell;
use std::rc::Rc;

use worker::{console_error, kv::KvStore, Env};

use crate::admin::{self, ACTIVE_KEY};
use crate::catalog::Packed;
use crate::settings::{Settings, Stored, Vars};
use crate::visit::NameBook;

struct Cached {
    fingerprint: u64,
    checked_ms: u64,
    ttl_ms: u64,
    settings: Rc<Settings>,
}

thread_local! {
    static LOADED: RefCell<Option<Cached>> = const { RefCell::new(None) };
    /// QA drafts compiled in this isolate, by version (a few; drafts are immutable).
    static DRAFTS: RefCell<Vec<(String, Rc<crate::config::Config>)>> = const { RefCell::new(Vec::new()) };
    static NAMES: RefCell<NameBook> = RefCell::new(NameBook::default());
}

/// Forgets the cached settings, so the next request reads KV (after a push or rollback here).
pub fn invalidate() {
    LOADED.with(|l| *l.borrow_mut() = None);
}

/// A string binding: a secret (`.dev.vars`, `wrangler secret put`) or a plain var.
fn text(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()
        .filter(|s| !s.trim().is_empty())
}

fn vars(env: &Env) -> Vars {
    Vars {
        origin: text(env, "ORIGIN"),
        config: text(env, "VITRINE_CONFIG"),
        signal_keys: text(env, "SIGNAL_KEYS"),
        identity_key: text(env, "IDENTITY_KEY"),
        collector: text(env, "COLLECTOR_URL"),
        admin_token: text(env, "ADMIN_TOKEN"),
        config_ttl: text(env, "CONFIG_TTL_SECONDS"),
    }
}

/// The settings of a request in a QA preview session (a valid `__vitrine_qa` cookie): the draft
/// config it names, read from KV once per isolate. Anything else (no cookie, a bad or expired
/// token, a draft gone from KV) is an ordinary request with the live settings.
pub async fn qa_session(
    env: &Env,
    settings: Rc<Settings>,
    cookie: Option<&str>,
    now_ms: u64,
) -> Rc<Settings> {
    let (Some(cookie), Some(token)) = (cookie, settings.admin_token.as_deref()) else {
        return settings;
    };
    let Some(value) = crate::signal::cookie::values(cookie, crate::qa::COOKIE).next() else {
        return settings;
    };
    let Some(pass) = crate::qa::verify(value, token, now_ms / 1000) else {
        return settings;
    };
    let cached = DRAFTS.with(|d| {
        d.borrow()
            .iter()
            .find(|(v, _)| *v == pass.draft)
            .map(|(_, c)| c.clone())
    });
    let draft = match cached {
        Some(c) => c,
        None => {
            let Ok(kv) = env.kv("CONFIG") else { return settings };
            let Some(text) = kv
                .get(&crate::qa::draft_key(&pass.draft))
                .text()
                .await
                .ok()
                .flatten()
            else {
                return settings;
            };
            let Ok(cfg) = crate::config::compile_json(&text) else {
                return settings;
            };
            let cfg = Rc::new(cfg);
            DRAFTS.with(|d| {
                let mut d = d.borrow_mut();
                if d.len() >= 8 {
                    d.remove(0);
                }
                d.push((pass.draft.clone(), cfg.clone()));
            });
            cfg
        }
    };
    Rc::new(settings.for_qa(draft, pass))
}

/// The settings this visitor is served: the canary's when a canary runs and their id (from the
/// signal cookie, or the id a new visitor is about to get) falls in its share.
pub fn canary_for(settings: Rc<Settings>, cookie: Option<&str>, fresh_id: Option<[u8; 12]>) -> Rc<Settings> {
    if settings.canary.is_none() {
        return settings;
    }
    let id = (|| {
        let cfg = settings.config.as_ref()?;
        let keys = settings.keys.as_ref()?;
        let value = crate::signal::cookie::values(cookie?, &cfg.cookie.name).next()?;
        crate::signal::cookie::decode(value, keys)
            .ok()
            .map(|s| s.id.to_vec())
    })()
    .or_else(|| fresh_id.map(|f| f.to_vec()));
    settings.for_visitor(id.as_deref())
}

/// The current settings; built again only when an input changed.
pub async fn load(env: &Env, now_ms: u64) -> Rc<Settings> {
    // The hot path: within the TTL nothing is read, not even the environment (vars and secrets
    // are fixed for an isolate's life; only KV moves, and it is checked when the TTL runs out).
    let fresh = LOADED.with(|l| {
        l.borrow()
            .as_ref()
            .filter(|c| now_ms.saturating_sub(c.checked_ms) < c.ttl_ms)
            .map(|c| c.settings.clone())
    });
    if let Some(settings) = fresh {
        return settings;
    }
    let vars = vars(env);
    let (fingerprint, ttl_ms) = (vars.fingerprint(), vars.ttl_ms());
    let remember = |settings: Rc<Settings>| {
        LOADED.with(|l| {
            *l.borrow_mut() = Some(Cached {
                fingerprint,
                checked_ms: now_ms,
                ttl_ms,
                settings: settings.clone(),
            })
        });
        settings
    };
    let cached = LOADED.with(|l| {
        l.borrow()
            .as_ref()
            .filter(|c| c.fingerprint == fingerprint)
            .map(|c| c.settings.clone())
    });
    let kv = env.kv("CONFIG").ok();
    let catalog = match &kv {
        Some(kv) => read(kv, admin::CATALOG_ACTIVE_KEY).await.ok().flatten(),
        None => None,
    };
    let active = match &kv {
        Some(kv) => match read(kv, ACTIVE_KEY).await {
            Ok(v) => v,
            Err(e) => {
                console_error!(
                    "vitrine: reading the active config failed: {e}; keeping what this isolate has"
                );
                if let Some(settings) = cached {
                    return remember(settings);
                }
                None
            }
        },
        None => None,
    };
    let canary = match &kv {
        Some(kv) => admin::read_canary(kv.get(admin::CANARY_KEY).text().await.ok().flatten().as_deref()),
        None => None,
    };
    if let Some(settings) = cached.as_ref().filter(|s| {
        s.current(active.as_deref(), catalog.as_deref())
            && s.canary.as_ref().map(|(_, c)| c) == canary.as_ref()
    }) {
        return remember(settings.clone());
    }
    let packed = packed(kv.as_ref(), catalog, cached.as_deref()).await;
    let stored = match (&kv, active) {
        (Some(kv), Some(version)) => kv
            .get(&admin::version_key(&version))
            .text()
            .await
            .ok()
            .flatten()
            .map(|document| Stored { version, document }),
        _ => None,
    };
    let (mut settings, complaints) = Settings::build(&vars, stored, packed);
    for c in complaints {
        console_error!("vitrine: {c}");
    }
    if let (Some(kv), Some(c)) = (&kv, canary) {
        if let Some(doc) = kv
            .get(&admin::version_key(&c.version))
            .text()
            .await
            .ok()
            .flatten()
        {
            settings = settings.with_canary(c, &doc);
        }
    }
    remember(Rc::new(settings))
}

/// A version pointer in KV (only well-formed version names count).
async fn read(kv: &KvStore, key: &str) -> worker::Result<Option<String>> {
    Ok(kv.get(key).text().await?.filter(|v| admin::is_version(v)))
}

/// The packed catalog: this isolate's copy when its version did not change, else read from KV.
async fn packed(
    kv: Option<&KvStore>,
    version: Option<String>,
    cached: Option<&Settings>,
) -> Option<(String, Rc<Packed>)> {
    let version = version?;
    if let Some(p) = cached
        .filter(|s| s.catalog_version.as_ref() == Some(&version))
        .and_then(|s| s.packed.clone())
    {
        return Some((version, p));
    }
    match kv?.get(&admin::catalog_key(&version)).bytes().await {
        Ok(Some(bytes)) => match Packed::parse(bytes) {
            Ok(p) => Some((version, Rc::new(p))),
            Err(e) => {
                console_error!("vitrine: {e}; the packed catalog is ignored");
                None
            }
        },
        _ => None,
    }
}

/// Runs `f` with the isolate's name book.
pub fn with_names<T>(f: impl FnOnce(&mut NameBook) -> T) -> T {
    NAMES.with(|n| f(&mut n.borrow_mut()))
}
