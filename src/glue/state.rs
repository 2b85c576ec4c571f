//! What an isolate keeps between requests: the compiled config and the keyring (parsed once per
//! distinct input, not per request), and the book of names seen (for whoami).
//!
//! The config comes from KV (`CONFIG`: the active version a push or rollback set), checked at most
//! every `CONFIG_TTL_SECONDS` (default 30): one KV read when nothing changed, two when a new
//! version must be fetched. Without a KV config, `VITRINE_CONFIG` (a var) is used: local
//! development and bootstrap. A KV failure keeps the config the isolate already has.

use std::cell::RefCell;
use std::rc::Rc;

use worker::{console_error, Env};

use crate::admin::{self, ACTIVE_KEY};
use crate::catalog::Packed;
use crate::config::{self, Config};
use crate::signal::cookie::Keyring;
use crate::visit::NameBook;

/// Settings read from the environment, validated.
pub struct Loaded {
    /// The storefront config; `None` when absent or invalid (then vitrine only proxies).
    pub config: Option<Rc<Config>>,
    /// Signing keys for the signal cookie; `None` turns the signal layer off.
    pub keys: Option<Keyring>,
    /// Key for customer-id hashing (identity stitching); `None` disables stitching.
    pub identity_key: Option<Vec<u8>>,
    /// Where events are forwarded, if anywhere.
    pub collector: Option<String>,
    /// For `x-vitrine`: `cfg=<version>`, `cfg=none` or `cfg=invalid`.
    pub config_status: String,
    /// The active version (KV) or the var config's content version.
    pub version: Option<String>,
    /// The KV pointer this was loaded from (`None`: the var).
    source: Option<String>,
    /// The admin token; `None` disables the admin surface entirely.
    pub admin_token: Option<String>,
    /// The packed catalog pushed on its own (`PUT /__vitrine/catalog`), if any.
    pub packed: Option<Rc<Packed>>,
    /// Its version.
    pub catalog_version: Option<String>,
}

struct Cached {
    fingerprint: u64,
    checked_ms: u64,
    ttl_ms: u64,
    loaded: Rc<Loaded>,
}

thread_local! {
    static LOADED: RefCell<Option<Cached>> = const { RefCell::new(None) };
    static NAMES: RefCell<NameBook> = RefCell::new(NameBook::default());
}

/// Forgets the cached config, so the next request reads KV (after a push or rollback here).
pub fn invalidate() {
    LOADED.with(|l| *l.borrow_mut() = None);
}

/// A string binding: a secret (`.dev.vars`, `wrangler secret put`) or a plain var.
pub fn text(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .ok()
        .filter(|s| !s.trim().is_empty())
}

fn fingerprint(parts: &[&Option<String>]) -> u64 {
    // FNV-1a over the inputs: cheap, and only compared within one isolate.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.as_deref().unwrap_or("\u{0}").bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The current settings; parsed again only when an input changed.
pub async fn load(env: &Env, now_ms: u64) -> Rc<Loaded> {
    // The hot path: within the TTL nothing is read, not even the environment (vars and secrets
    // are fixed for an isolate's life; only KV moves, and it is checked when the TTL runs out).
    let fresh = LOADED.with(|l| {
        l.borrow()
            .as_ref()
            .filter(|c| now_ms.saturating_sub(c.checked_ms) < c.ttl_ms)
            .map(|c| c.loaded.clone())
    });
    if let Some(loaded) = fresh {
        return loaded;
    }
    let var_config = text(env, "VITRINE_CONFIG");
    let keys_text = text(env, "SIGNAL_KEYS");
    let identity_text = text(env, "IDENTITY_KEY");
    let collector = text(env, "COLLECTOR_URL");
    let admin_token = text(env, "ADMIN_TOKEN");
    let ttl_ms = text(env, "CONFIG_TTL_SECONDS")
        .and_then(|t| t.trim().parse::<u64>().ok())
        .unwrap_or(30)
        .saturating_mul(1000);
    let fp = fingerprint(&[&var_config, &keys_text, &identity_text, &collector, &admin_token]);
    let cached = LOADED.with(|l| {
        l.borrow()
            .as_ref()
            .filter(|c| c.fingerprint == fp)
            .map(|c| c.loaded.clone())
    });
    let kv = env.kv("CONFIG").ok();
    let catalog_active = match &kv {
        Some(kv) => kv
            .get(admin::CATALOG_ACTIVE_KEY)
            .text()
            .await
            .ok()
            .flatten()
            .filter(|v| admin::is_version(v)),
        None => None,
    };
    let active = match &kv {
        Some(kv) => match kv.get(ACTIVE_KEY).text().await {
            Ok(v) => v.filter(|v| admin::is_version(v)),
            Err(e) => {
                console_error!(
                    "vitrine: reading the active config failed: {e}; keeping what this isolate has"
                );
                if let Some(loaded) = cached {
                    remember(fp, now_ms, ttl_ms, loaded.clone());
                    return loaded;
                }
                None
            }
        },
        None => None,
    };
    if let Some(loaded) = &cached {
        if loaded.source == active && loaded.catalog_version == catalog_active {
            remember(fp, now_ms, ttl_ms, loaded.clone());
            return loaded.clone();
        }
    }
    // The packed catalog: reuse the isolate's copy when its version did not change.
    let previous = cached.clone();
    let packed = match (&kv, &catalog_active) {
        (_, Some(v))
            if previous
                .as_ref()
                .is_some_and(|l| l.catalog_version.as_ref() == Some(v)) =>
        {
            previous.as_ref().and_then(|l| l.packed.clone())
        }
        (Some(kv), Some(v)) => match kv.get(&admin::catalog_key(v)).bytes().await {
            Ok(Some(bytes)) => match Packed::parse(bytes) {
                Ok(p) => Some(Rc::new(p)),
                Err(e) => {
                    console_error!("vitrine: {e}; the packed catalog is ignored");
                    None
                }
            },
            _ => None,
        },
        _ => None,
    };
    let from_kv = match (&kv, &active) {
        (Some(kv), Some(v)) => kv.get(&admin::version_key(v)).text().await.ok().flatten(),
        _ => None,
    };
    let (config_text, source) = match from_kv {
        Some(t) => (Some(t), active.clone()),
        None => (var_config, None),
    };
    let version = config_text.as_deref().and_then(|t| {
        serde_json::from_str::<serde_json::Value>(t)
            .ok()
            .map(|v| admin::version_of(&v))
    });
    let (config, config_status) = match config_text.as_deref().map(config::compile_json) {
        None => (None, "cfg=none".to_owned()),
        Some(Ok(c)) => (
            Some(Rc::new(c)),
            format!("cfg={}", version.as_deref().unwrap_or("?")),
        ),
        Some(Err(problems)) => {
            for p in &problems {
                console_error!("vitrine: config rejected: {p}");
            }
            (None, "cfg=invalid".to_owned())
        }
    };
    let keys = keys_text.as_deref().and_then(|k| match Keyring::parse(k) {
        Ok(keys) => Some(keys),
        Err(e) => {
            console_error!("vitrine: {e}; the visitor signal is off");
            None
        }
    });
    let identity_key = identity_text.map(|k| k.into_bytes()).filter(|k| k.len() >= 32);
    if identity_key.is_none() && config.as_ref().is_some_and(|c| c.identity.is_some()) {
        console_error!("vitrine: IDENTITY_KEY missing or shorter than 32 bytes; identity stitching is off");
    }
    let loaded = Rc::new(Loaded {
        config,
        keys,
        identity_key,
        collector,
        config_status,
        version,
        source,
        admin_token: admin_token.filter(|t| t.len() >= 16),
        catalog_version: packed.as_ref().and(catalog_active),
        packed,
    });
    remember(fp, now_ms, ttl_ms, loaded.clone());
    loaded
}

fn remember(fingerprint: u64, checked_ms: u64, ttl_ms: u64, loaded: Rc<Loaded>) {
    LOADED.with(|l| {
        *l.borrow_mut() = Some(Cached {
            fingerprint,
            checked_ms,
            ttl_ms,
            loaded,
        })
    });
}

/// Runs `f` with the isolate's name book.
pub fn with_names<T>(f: impl FnOnce(&mut NameBook) -> T) -> T {
    NAMES.with(|n| f(&mut n.borrow_mut()))
}
