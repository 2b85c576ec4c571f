//! What an isolate runs with: the origin, the compiled config, the keys, the collector, the admin
//! token and the packed catalog, built from the raw strings the glue read (vars, secrets, KV).
//!
//! Building them is policy (which config wins, what `cfg=` says, when a key is too short to use)
//! and lives here, natively tested; the glue only reads the strings and caches the result per
//! isolate ([`Vars::fingerprint`] tells when an input changed).

use std::rc::Rc;

use crate::catalog::Packed;
use crate::config::{self, Config, Problem};
use crate::proxy::{ConfigError, Origin};
use crate::report::CfgStatus;
use crate::signal::cookie::Keyring;

/// The environment's strings, as the glue read them (empty values count as unset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    /// `ORIGIN`.
    pub origin: Option<String>,
    /// `VITRINE_CONFIG`: the bootstrap config when KV has none.
    pub config: Option<String>,
    /// `SIGNAL_KEYS`.
    pub signal_keys: Option<String>,
    /// `IDENTITY_KEY`.
    pub identity_key: Option<String>,
    /// `COLLECTOR_URL`.
    pub collector: Option<String>,
    /// `ADMIN_TOKEN`.
    pub admin_token: Option<String>,
    /// `CONFIG_TTL_SECONDS`.
    pub config_ttl: Option<String>,
}

impl Vars {
    /// A fingerprint of every input, to know when a cached build is stale.
    pub fn fingerprint(&self) -> u64 {
        let parts = [
            &self.origin,
            &self.config,
            &self.signal_keys,
            &self.identity_key,
            &self.collector,
            &self.admin_token,
            &self.config_ttl,
        ];
        crate::hash::fnv1a64(
            parts
                .iter()
                .flat_map(|p| p.as_deref().unwrap_or("\u{0}").bytes().chain([0xff])),
        )
    }

    /// How often the active config pointer is checked, ms (default 30 s).
    pub fn ttl_ms(&self) -> u64 {
        self.config_ttl
            .as_deref()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .unwrap_or(30)
            .saturating_mul(1000)
    }
}

/// The active config in KV: its version and document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The version the active pointer names.
    pub version: String,
    /// Its document.
    pub document: String,
}

/// Everything a request needs from the environment, validated.
#[derive(Clone)]
pub struct Settings {
    /// The origin, or why `ORIGIN` is unusable.
    pub origin: Result<Origin, ConfigError>,
    /// The storefront config; `None` when absent or invalid (then vitrine only proxies).
    pub config: Option<Rc<Config>>,
    /// `cfg=<version>`, `cfg=none` or `cfg=invalid`.
    pub status: CfgStatus,
    /// The live version (KV) or the var config's content version.
    pub version: Option<String>,
    /// The KV version this was loaded from (`None`: the var, or nothing).
    pub source: Option<String>,
    /// Signing keys for the signal cookie; `None` turns the signal layer off.
    pub keys: Option<Keyring>,
    /// Key for customer-id hashing (identity stitching); `None` disables stitching.
    pub identity_key: Option<Vec<u8>>,
    /// Where events are forwarded, if anywhere.
    pub collector: Option<String>,
    /// The admin token; `None` disables the admin surface entirely.
    pub admin_token: Option<String>,
    /// The packed catalog pushed on its own, if any.
    pub packed: Option<Rc<Packed>>,
    /// Its version.
    pub catalog_version: Option<String>,
    /// A QA preview session: this request uses a draft config (see [`crate::qa`]).
    pub qa: Option<crate::qa::Pass>,
    /// A canary version on a share of traffic: its settings (the config swapped) and its pointer.
    pub canary: Option<(Rc<Settings>, crate::experiment::Canary)>,
}

/// Something the operator should read in the logs.
pub type Complaint = String;

impl Settings {
    /// Builds the settings: the KV config when there is one, else the var; `packed` is the
    /// catalog with its version.
    pub fn build(
        vars: &Vars,
        stored: Option<Stored>,
        packed: Option<(String, Rc<Packed>)>,
    ) -> (Settings, Vec<Complaint>) {
        let mut complaints = Vec::new();
        let origin = match vars.origin.as_deref() {
            Some(v) => Origin::parse(v),
            None => Err(ConfigError {
                setting: "ORIGIN",
                value: String::new(),
                reason: "is not set",
            }),
        };
        let (text, source) = match stored {
            Some(s) => (Some(s.document), Some(s.version)),
            None => (vars.config.clone(), None),
        };
        let version = text.as_deref().and_then(|t| {
            serde_json::from_str::<serde_json::Value>(t)
                .ok()
                .map(|v| crate::admin::version_of(&v))
        });
        let (config, status) = match text.as_deref().map(config::compile_json) {
            None => (None, CfgStatus::None),
            Some(Ok(c)) => (
                Some(Rc::new(c)),
                CfgStatus::Version(version.clone().unwrap_or_else(|| "?".into())),
            ),
            Some(Err(problems)) => {
                complaints.extend(problems.iter().map(|p: &Problem| format!("config rejected: {p}")));
                (None, CfgStatus::Invalid)
            }
        };
        let keys = vars.signal_keys.as_deref().and_then(|k| match Keyring::parse(k) {
            Ok(keys) => Some(keys),
            Err(e) => {
                complaints.push(format!("{e}; the visitor signal is off"));
                None
            }
        });
        let identity_key = vars
            .identity_key
            .clone()
            .map(String::into_bytes)
            .filter(|k| k.len() >= 32);
        if identity_key.is_none() && config.as_ref().is_some_and(|c| c.identity.is_some()) {
            complaints
                .push("IDENTITY_KEY missing or shorter than 32 bytes; identity stitching is off".into());
        }
        let (catalog_version, packed) = packed.map_or((None, None), |(v, p)| (Some(v), Some(p)));
        let settings = Settings {
            origin,
            config,
            status,
            version,
            source,
            keys,
            identity_key,
            collector: vars.collector.clone(),
            admin_token: vars.admin_token.clone().filter(|t| t.len() >= 16),
            packed,
            catalog_version,
            qa: None,
            canary: None,
        };
        (settings, complaints)
    }

    /// These settings for a QA preview session: the draft config instead of the live one.
    pub fn for_qa(&self, draft: Rc<Config>, pass: crate::qa::Pass) -> Settings {
        Settings {
            config: Some(draft),
            status: CfgStatus::Version(format!("draft-{}", pass.draft)),
            version: Some(pass.draft.clone()),
            qa: Some(pass),
            ..self.clone()
        }
    }

    /// Whether these settings still match what KV holds (the active config and catalog versions).
    pub fn current(&self, active: Option<&str>, catalog: Option<&str>) -> bool {
        self.source.as_deref() == active && self.catalog_version.as_deref() == catalog
    }

    /// These settings with a canary: `document` (a stored version) served to `canary.share` of
    /// the visitors, both configs reporting the arm. `None` when the canary's document does not
    /// compile or is the live version.
    pub fn with_canary(mut self, canary: crate::experiment::Canary, document: &str) -> Settings {
        let Some(live) = self.config.clone() else {
            return self;
        };
        if self.version.as_deref() == Some(canary.version.as_str()) {
            return self;
        }
        let Ok(mut cfg) = crate::config::compile_json(document) else {
            return self;
        };
        cfg.canary = Some(canary.clone());
        let mut live = (*live).clone();
        live.canary = Some(canary.clone());
        self.config = Some(Rc::new(live));
        let served = Settings {
            config: Some(Rc::new(cfg)),
            status: CfgStatus::Version(format!("{}-canary", canary.version)),
            version: Some(canary.version.clone()),
            canary: None,
            ..self.clone()
        };
        self.canary = Some((Rc::new(served), canary));
        self
    }

    /// The settings a visitor is served: the canary's when their id falls in its share.
    pub fn for_visitor(self: &Rc<Self>, visitor_id: Option<&[u8]>) -> Rc<Settings> {
        match (&self.canary, visitor_id) {
            (Some((served, c)), Some(id)) if self.qa.is_none() && c.serves(id) => served.clone(),
            _ => self.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        Vars {
            origin: Some("http://127.0.0.1:8788".into()),
            config: Some(r#"{"version":1}"#.into()),
            signal_keys: Some("1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8".into()),
            identity_key: Some("short".into()),
            admin_token: Some("tooshort".into()),
            ..Vars::default()
        }
    }

    #[test]
    fn a_canary_serves_its_version_to_its_share_and_both_report_the_arm() {
        let (live, _) = Settings::build(&vars(), None, None);
        let canary = crate::experiment::Canary {
            version: "0123456789ab".into(),
            share: 0.25,
        };
        let s = Rc::new(live.with_canary(canary.clone(), r#"{"version":1,"debug":{"whoami":true}}"#));
        let mut served = 0;
        for i in 0u32..2000 {
            let mut id = [0u8; 12];
            id[..4].copy_from_slice(&i.to_be_bytes());
            let got = s.for_visitor(Some(&id));
            let is_canary = got.version.as_deref() == Some("0123456789ab");
            assert_eq!(is_canary, canary.serves(&id));
            assert_eq!(
                got.config.as_ref().unwrap().debug.whoami,
                is_canary,
                "the canary's document"
            );
            let arms = crate::rank::arms(got.config.as_ref().unwrap(), &id);
            assert_eq!(arms["canary"], if is_canary { "canary" } else { "live" });
            served += usize::from(is_canary);
        }
        assert!((400..600).contains(&served), "{served} of 2000 at 25%");
        assert!(
            matches!(&s.for_visitor(None).status, CfgStatus::Version(v) if !v.ends_with("-canary")),
            "no id: the live version"
        );
        // A canary that does not compile is no canary.
        let (live, _) = Settings::build(&vars(), None, None);
        assert!(live.with_canary(canary, "{").canary.is_none());
    }

    #[test]
    fn the_var_config_is_the_bootstrap_and_kv_wins() {
        let (s, complaints) = Settings::build(&vars(), None, None);
        assert!(s.config.is_some());
        assert!(matches!(s.status, CfgStatus::Version(_)));
        assert_eq!(s.source, None);
        assert!(s.keys.is_some());
        assert_eq!(s.identity_key, None, "identity keys under 32 bytes are not used");
        assert_eq!(
            s.admin_token, None,
            "admin tokens under 16 characters disable the surface"
        );
        assert!(complaints.is_empty(), "{complaints:?}");
        let stored = Stored {
            version: "0123456789ab".into(),
            document: r#"{"version":1,"debug":{"whoami":true}}"#.into(),
        };
        let (s, _) = Settings::build(&vars(), Some(stored), None);
        assert!(s.config.as_ref().unwrap().debug.whoami);
        assert_eq!(s.source.as_deref(), Some("0123456789ab"));
        assert!(s.current(Some("0123456789ab"), None));
        assert!(!s.current(None, None));
    }

    #[test]
    fn what_is_wrong_is_said_and_never_fatal() {
        let bad = Vars {
            origin: Some("ftp://x".into()),
            config: Some(r#"{"version":1,"oops":1}"#.into()),
            signal_keys: Some("nonsense".into()),
            ..vars()
        };
        let (s, complaints) = Settings::build(&bad, None, None);
        assert!(s.origin.is_err());
        assert_eq!(s.status, CfgStatus::Invalid);
        assert!(s.config.is_none() && s.keys.is_none());
        assert_eq!(complaints.len(), 2, "{complaints:?}");
        let (s, _) = Settings::build(&Vars::default(), None, None);
        assert_eq!(s.status, CfgStatus::None);
        assert_eq!(s.origin.unwrap_err().to_string(), "ORIGIN \"\": is not set");
        assert_ne!(vars().fingerprint(), bad.fingerprint());
        assert_eq!(vars().ttl_ms(), 30_000);
    }
}
