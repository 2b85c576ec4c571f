//! Consent tiers: may vitrine keep a profile of this visitor?
//!
//! The answer comes from, in order: an explicit choice in the storefront's consent cookie (its
//! CMP), then `Sec-GPC: 1` (Global Privacy Control: an opt-out), then the default of the
//! visitor's jurisdiction (opt-in where the law requires it: the EU/EEA, the UK, Switzerland;
//! opt-out elsewhere). An unknown country is treated as opt-in: when in doubt, ask.
//!
//! Without consent nothing personal happens: no signal cookie is set or updated, no event leaves,
//! nothing is stitched. Non-personal merchandising (pins, exclusions, stock rules, the default
//! hero) still runs; that is decided elsewhere and needs no profile.

use serde::Serialize;

use super::ConsentBasis;

/// Countries where profiling needs prior consent (EU, EEA, UK, CH), ISO 3166-1 alpha-2.
pub const OPT_IN_COUNTRIES: [&str; 32] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
    "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "GB", "CH",
];

/// How the storefront's consent cookie is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentPolicy {
    /// Name of the consent cookie the storefront's CMP sets.
    pub cookie: String,
    /// Values (or comma/space-separated tokens within the value) that grant personalization.
    pub granted: Vec<String>,
    /// Values (or tokens) that refuse it.
    pub denied: Vec<String>,
    /// Countries that default to opt-in.
    pub opt_in_countries: Vec<String>,
    /// Whether `Sec-GPC: 1` counts as an opt-out.
    pub honor_gpc: bool,
}

impl Default for ConsentPolicy {
    fn default() -> Self {
        ConsentPolicy {
            cookie: "consent".to_owned(),
            granted: vec!["all".into(), "personalization".into(), "granted".into()],
            denied: vec!["none".into(), "essential".into(), "denied".into()],
            opt_in_countries: OPT_IN_COUNTRIES.iter().map(|c| (*c).to_owned()).collect(),
            honor_gpc: true,
        }
    }
}

/// The decision, and why (shown in `x-vitrine` and whoami).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Consent {
    /// Explicitly granted in the consent cookie.
    Granted,
    /// Granted by the jurisdiction's default (opt-out country, no opt-out seen).
    DefaultGranted,
    /// Explicitly refused in the consent cookie.
    Denied,
    /// Refused through Global Privacy Control.
    Gpc,
    /// Not (yet) given where the law requires opt-in.
    DefaultDenied,
}

impl Consent {
    /// Whether a profile may be kept.
    pub fn allows_profile(self) -> bool {
        matches!(self, Consent::Granted | Consent::DefaultGranted)
    }

    /// The basis recorded in the signal, when allowed.
    pub fn basis(self) -> Option<ConsentBasis> {
        match self {
            Consent::Granted => Some(ConsentBasis::Explicit),
            Consent::DefaultGranted => Some(ConsentBasis::Default),
            _ => None,
        }
    }

    /// Whether the visitor actively said no (so an existing cookie must be cleared).
    pub fn withdrawn(self) -> bool {
        matches!(self, Consent::Denied | Consent::Gpc)
    }

    /// A short token for headers.
    pub fn token(self) -> &'static str {
        match self {
            Consent::Granted => "granted",
            Consent::DefaultGranted => "default-granted",
            Consent::Denied => "denied",
            Consent::Gpc => "gpc",
            Consent::DefaultDenied => "default-denied",
        }
    }
}

impl ConsentPolicy {
    /// Decides from the consent cookie's value (if any), the `Sec-GPC` header and the country.
    pub fn decide(&self, cookie_value: Option<&str>, gpc: Option<&str>, country: Option<&str>) -> Consent {
        if let Some(v) = cookie_value {
            let tokens: Vec<String> = v
                .split([',', ' ', '|', ':'])
                .filter(|t| !t.is_empty())
                .map(|t| t.trim().to_ascii_lowercase())
                .collect();
            let has = |list: &[String]| {
                list.iter()
                    .any(|g| tokens.iter().any(|t| t.eq_ignore_ascii_case(g)))
            };
            // A refusal wins over a grant in the same value ("essential,denied" is not a yes).
            if has(&self.denied) {
                return Consent::Denied;
            }
            if has(&self.granted) {
                return Consent::Granted;
            }
        }
        if self.honor_gpc && gpc.is_some_and(|g| g.trim() == "1") {
            return Consent::Gpc;
        }
        match country.map(str::trim).filter(|c| c.len() == 2) {
            Some(c) if !self.opt_in_countries.iter().any(|o| o.eq_ignore_ascii_case(c)) => {
                Consent::DefaultGranted
            }
            _ => Consent::DefaultDenied,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jurisdiction_defaults() {
        let p = ConsentPolicy::default();
        assert_eq!(p.decide(None, None, Some("US")), Consent::DefaultGranted);
        assert_eq!(p.decide(None, None, Some("DE")), Consent::DefaultDenied);
        assert_eq!(p.decide(None, None, Some("gb")), Consent::DefaultDenied);
        assert_eq!(p.decide(None, None, None), Consent::DefaultDenied);
        assert_eq!(p.decide(None, None, Some("XX1")), Consent::DefaultDenied);
    }

    #[test]
    fn the_cookie_wins_then_gpc() {
        let p = ConsentPolicy::default();
        assert_eq!(p.decide(Some("all"), None, Some("DE")), Consent::Granted);
        assert_eq!(
            p.decide(Some("analytics,personalization"), Some("1"), Some("FR")),
            Consent::Granted
        );
        assert_eq!(p.decide(Some("essential"), None, Some("US")), Consent::Denied);
        assert_eq!(
            p.decide(Some("personalization,denied"), None, Some("US")),
            Consent::Denied
        );
        assert_eq!(p.decide(None, Some("1"), Some("US")), Consent::Gpc);
        assert_eq!(
            p.decide(Some("whatever"), Some("0"), Some("US")),
            Consent::DefaultGranted
        );
        assert!(Consent::Gpc.withdrawn() && !Consent::Gpc.allows_profile());
        assert!(!Consent::DefaultDenied.withdrawn());
    }
}
