//! What an isolate keeps between requests: the compiled config and the keyring (parsed once per
//! distinct input, not per request), and the book of names seen (for whoami).

use std::cell::RefCell;
use std::rc::Rc;

use worker::{console_error, Env};

use crate::config::{self, Config};
use crate::signal::cookie::Keyring;
use crate::visit::NameBook;

/// Settings read from the environment, validated.
pub struct Loaded {
    /// The storefront config; `None` when absent or invalid (then vitrine only proxies).
    pub config: Option<Config>,
    /// Signing keys for the signal cookie; `None` turns the signal layer off.
    pub keys: Option<Keyring>,
    /// Key for customer-id hashing (identity stitching); `None` disables stitching.
    pub identity_key: Option<Vec<u8>>,
    /// Where events are forwarded, if anywhere.
    pub collector: Option<String>,
    /// Short status for `x-vitrine` when the config is missing or invalid.
    pub config_status: &'static str,
}

thread_local! {
    static LOADED: RefCell<Option<(u64, Rc<Loaded>)>> = const { RefCell::new(None) };
    static NAMES: RefCell<NameBook> = RefCell::new(NameBook::default());
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
pub fn load(env: &Env) -> Rc<Loaded> {
    let config_text = text(env, "VITRINE_CONFIG");
    let keys_text = text(env, "SIGNAL_KEYS");
    let identity_text = text(env, "IDENTITY_KEY");
    let collector = text(env, "COLLECTOR_URL");
    let fp = fingerprint(&[&config_text, &keys_text, &identity_text, &collector]);
    if let Some(hit) = LOADED.with(|l| {
        l.borrow()
            .as_ref()
            .filter(|(f, _)| *f == fp)
            .map(|(_, v)| v.clone())
    }) {
        return hit;
    }
    let (config, config_status) = match config_text.as_deref().map(config::compile_json) {
        None => (None, "cfg=none"),
        Some(Ok(c)) => (Some(c), "cfg=ok"),
        Some(Err(problems)) => {
            for p in &problems {
                console_error!("vitrine: VITRINE_CONFIG rejected: {p}");
            }
            (None, "cfg=invalid")
        }
    };
    let keys = keys_text.as_deref().and_then(|k| match Keyring::parse(k) {
        Ok(keys) => Some(keys),
        Err(e) => {
            console_error!("vitrine: {e}; the visitor signal is off");
            None
        }
    });
    let identity_key = identity_text
        .map(|k| k.into_bytes())
        .filter(|k| k.len() >= 32)
        .or_else(|| {
            console_error!(
                "vitrine: IDENTITY_KEY missing or shorter than 32 bytes; identity stitching is off"
            );
            None
        });
    let loaded = Rc::new(Loaded {
        config,
        keys,
        identity_key,
        collector,
        config_status,
    });
    LOADED.with(|l| *l.borrow_mut() = Some((fp, loaded.clone())));
    loaded
}

/// Runs `f` with the isolate's name book.
pub fn with_names<T>(f: impl FnOnce(&mut NameBook) -> T) -> T {
    NAMES.with(|n| f(&mut n.borrow_mut()))
}
