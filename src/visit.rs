//! One request's visitor: who they are (from the signal cookie), whether we may know them (consent,
//! bots), what this request teaches us, and which `Set-Cookie` (if any) goes back.
//!
//! The glue gathers the inputs ([`Inputs`]), calls [`Visit::begin`], reports what happened
//! ([`Visit::page_view`], [`Visit::record`], [`Visit::stitch`]) and asks [`Visit::set_cookie`] at the
//! end. Every bad input (a forged cookie, a missing key) degrades to "a new visitor" or "no
//! signal", never to an error.

use crate::config::Config;
use crate::signal::consent::Consent;
use crate::signal::cookie::{self, CookieErrorKind, Keyring};
use crate::signal::{bot, Event, Signal, ID_LEN};

/// What the glue read from the request.
#[derive(Debug, Clone, Default)]
pub struct Inputs<'a> {
    /// The `Cookie` header.
    pub cookie_header: Option<&'a str>,
    /// The `User-Agent` header.
    pub user_agent: Option<&'a str>,
    /// `Sec-Purpose` or `Purpose` (speculative loads).
    pub purpose: Option<&'a str>,
    /// `Sec-GPC`.
    pub gpc: Option<&'a str>,
    /// The visitor's country (ISO alpha-2).
    pub country: Option<&'a str>,
    /// Minutes since the signal epoch.
    pub now_min: u32,
    /// A fresh random id, used only if this visitor needs one.
    pub fresh_id: [u8; ID_LEN],
}

/// Where the signal of this request came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A valid cookie.
    Known,
    /// No cookie: a first visit.
    New,
    /// A cookie that did not verify (forged, truncated, old key, ...): treated as a new visitor.
    Fresh(CookieErrorKind),
    /// A crawler or speculative load: no signal.
    Bot,
    /// No consent: no signal.
    NoConsent,
    /// No signing keys configured: the signal layer is off.
    Off,
}

/// The visitor of one request.
#[derive(Debug, Clone)]
pub struct Visit {
    /// Where the signal came from.
    pub status: Status,
    /// The consent decision.
    pub consent: Consent,
    /// The signal, when we may keep one.
    pub signal: Option<Signal>,
    /// Events this request produced (for the collector), in order.
    pub events: Vec<Event>,
    had_cookie: bool,
    touched: bool,
}

impl Visit {
    /// Reads the visitor from the request.
    pub fn begin(cfg: &Config, keys: Option<&Keyring>, input: &Inputs<'_>) -> Visit {
        let cookie_header = input.cookie_header.unwrap_or_default();
        let consent_value = cookie::values(cookie_header, &cfg.consent.cookie).next();
        let consent = cfg.consent.decide(consent_value, input.gpc, input.country);
        let ours: Vec<&str> = cookie::values(cookie_header, &cfg.cookie.name).collect();
        let mut visit = Visit {
            status: Status::New,
            consent,
            signal: None,
            events: Vec::new(),
            had_cookie: !ours.is_empty(),
            touched: false,
        };
        let Some(keys) = keys else {
            visit.status = Status::Off;
            return visit;
        };
        if bot::is_automated(input.user_agent, input.purpose) {
            visit.status = Status::Bot;
            return visit;
        }
        let Some(basis) = consent.basis() else {
            visit.status = Status::NoConsent;
            return visit;
        };
        let mut last_error = None;
        for value in ours {
            match cookie::decode(value, keys) {
                Ok(signal) => {
                    visit.status = Status::Known;
                    visit.signal = Some(signal);
                    break;
                }
                Err(e) => last_error = Some(e.kind),
            }
        }
        if visit.signal.is_none() {
            visit.status = last_error.map_or(Status::New, Status::Fresh);
            visit.signal = Some(Signal::new(input.fresh_id, input.now_min, basis));
            // A new or re-minted visitor must get a cookie on their first document response.
            visit.touched = false;
        }
        if let Some(s) = visit.signal.as_mut() {
            s.consent = basis; // the basis can change (a default grant made explicit)
        }
        visit
    }

    /// Counts a document view (the response will carry the updated cookie).
    pub fn page_view(&mut self, now_min: u32) {
        if let Some(s) = self.signal.as_mut() {
            s.visit(now_min);
            self.touched = true;
        }
    }

    /// Learns from an event and keeps it for the collector.
    pub fn record(&mut self, event: Event) {
        if let Some(s) = self.signal.as_mut() {
            s.learn(&event);
            self.events.push(event);
            self.touched = true;
        }
    }

    /// Binds this visitor to a signed-in customer (`customer_key` is a keyed hash of their id).
    /// `stored` is the profile saved under that key, if any: it is merged with this device's
    /// history and its id lives on, so every device of the customer is one visitor. Returns
    /// whether the signal changed (and the profile should be saved).
    pub fn stitch(&mut self, customer_key: [u8; 8], stored: Option<Signal>) -> bool {
        let Some(current) = self.signal.as_mut() else {
            return false;
        };
        if current.customer_key == Some(customer_key) && stored.is_none() {
            return false;
        }
        let merged = match stored {
            Some(mut profile) if current.customer_key != Some(customer_key) => {
                profile.merge(current);
                profile.consent = current.consent;
                profile
            }
            Some(_) | None => current.clone(),
        };
        *current = Signal {
            customer_key: Some(customer_key),
            ..merged
        };
        self.touched = true;
        true
    }

    /// Whether a profile is kept for this visitor.
    pub fn has_signal(&self) -> bool {
        self.signal.is_some()
    }

    /// The `Set-Cookie` value for the response, if it needs one: the updated signal when this
    /// request changed it, or a deletion when a cookie came in that we may no longer keep.
    pub fn set_cookie(&self, cfg: &Config, keys: Option<&Keyring>) -> Option<String> {
        match (&self.signal, keys) {
            (Some(s), Some(keys)) if self.touched => Some(cfg.cookie.set(&cookie::encode(s, keys))),
            (None, _) if self.had_cookie && matches!(self.status, Status::NoConsent) => {
                Some(cfg.cookie.clear())
            }
            _ => None,
        }
    }

    /// Where the signal came from, for `x-vitrine` (`sig=known`, `sig=fresh:tag`, `sig=none:gpc`).
    pub fn sig(&self) -> Sig {
        Sig {
            status: self.status,
            consent: self.consent,
        }
    }
}

/// Where this request's visitor signal came from (`sig=known`, `sig=none:gpc`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sig {
    /// The signal's status.
    pub status: Status,
    /// The consent decision (named when it is why there is no signal).
    pub consent: Consent,
}

impl std::fmt::Display for Sig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Status::Known => f.write_str("sig=known"),
            Status::New => f.write_str("sig=new"),
            Status::Fresh(kind) => write!(f, "sig=fresh:{}", kind.token()),
            Status::Bot => f.write_str("sig=bot"),
            Status::NoConsent => write!(f, "sig=none:{}", self.consent.token()),
            Status::Off => f.write_str("sig=off"),
        }
    }
}

/// Names seen recently (category, brand), so debugging output can show `Kestrel` instead of
/// `0x1a2b`. The cookie only holds hashes; this book is per isolate, bounded, and best-effort.
#[derive(Debug, Default)]
pub struct NameBook {
    /// A hash's name; `None` once two different names were seen for it (16-bit hashes collide,
    /// and anyone can plant a name: an ambiguous hash resolves to nothing rather than the first).
    names: std::collections::HashMap<u16, Option<String>>,
}

impl NameBook {
    /// Most names kept; past it the book starts over (it is a debugging aid, not a store).
    pub const CAPACITY: usize = 4096;

    /// Remembers a name.
    pub fn note(&mut self, name: &str) {
        if self.names.len() >= Self::CAPACITY {
            self.names.clear();
        }
        let name: String = name.trim().chars().take(64).collect();
        let slot = self
            .names
            .entry(crate::signal::name_hash(&name))
            .or_insert_with(|| Some(name.clone()));
        if slot
            .as_ref()
            .is_some_and(|known| !known.eq_ignore_ascii_case(&name))
        {
            *slot = None;
        }
    }

    /// Remembers the names an event mentions.
    pub fn note_event(&mut self, event: &Event) {
        match event {
            Event::PlpView { category } => self.note(category),
            Event::PdpView { product } | Event::AddToCart { product } => {
                for n in [&product.brand, &product.category].into_iter().flatten() {
                    self.note(n);
                }
            }
            Event::CheckoutComplete { .. } | Event::Search { .. } => {}
        }
    }

    /// The name of a hash, if seen.
    pub fn resolve(&self, hash: u16) -> Option<&str> {
        self.names.get(&hash)?.as_deref()
    }
}

/// The `/__vitrine/whoami` document: what the edge knows about the requesting visitor.
pub fn whoami_json(visit: &Visit, names: &NameBook) -> String {
    use serde_json::json;
    let affinities = |list: &[crate::signal::Affinity]| -> Vec<serde_json::Value> {
        list.iter()
            .map(|a| json!({"hash": format!("{:04x}", a.hash), "weight": a.weight, "name": names.resolve(a.hash)}))
            .collect()
    };
    let signal = visit.signal.as_ref().map(|s| {
        json!({
            "id": crate::signal::to_hex(&s.id),
            "first_seen_day": s.first_seen_day,
            "last_seen_min": s.last_seen_min,
            "views": s.views,
            "sessions": s.sessions,
            "returning": s.is_returning(),
            "intent": s.intent,
            "customer": s.customer,
            "price_band": s.price_band(),
            "consent": s.consent,
            "categories": affinities(&s.categories),
            "brands": affinities(&s.brands),
            "recent": s.recent.iter().map(|r| format!("{r:08x}")).collect::<Vec<_>>(),
            "stitched": s.customer_key.is_some(),
        })
    });
    json!({
        "status": visit.sig().to_string(),
        "consent": visit.consent.token(),
        "signal": signal,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::compile_json;
    use crate::signal::ProductFacts;

    const UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36";

    fn cfg() -> Config {
        compile_json(include_str!("../www/vitrine.config.json")).unwrap()
    }
    fn keys() -> Keyring {
        Keyring::parse("1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8").unwrap()
    }
    fn input(cookie: Option<&str>) -> Inputs<'_> {
        Inputs {
            cookie_header: cookie,
            user_agent: Some(UA),
            country: Some("US"),
            now_min: 1000,
            fresh_id: [7; ID_LEN],
            ..Default::default()
        }
    }
    fn cookie_value(set_cookie: &str) -> String {
        set_cookie.split(';').next().unwrap().to_owned()
    }

    #[test]
    fn a_first_visit_mints_once_and_the_next_request_is_known() {
        let (cfg, keys) = (cfg(), keys());
        let mut v = Visit::begin(&cfg, Some(&keys), &input(None));
        assert_eq!(v.status, Status::New);
        assert_eq!(
            v.set_cookie(&cfg, Some(&keys)),
            None,
            "no cookie until a document view"
        );
        v.page_view(1000);
        let set = v.set_cookie(&cfg, Some(&keys)).unwrap();
        let jar = cookie_value(&set);
        let again = Visit::begin(
            &cfg,
            Some(&keys),
            &Inputs {
                fresh_id: [9; ID_LEN],
                ..input(Some(&jar))
            },
        );
        assert_eq!(again.status, Status::Known);
        assert_eq!(again.signal.unwrap().id, [7; ID_LEN]);
    }

    #[test]
    fn a_tampered_cookie_is_a_fresh_visitor_not_an_error() {
        let (cfg, keys) = (cfg(), keys());
        let v = Visit::begin(
            &cfg,
            Some(&keys),
            &input(Some("vt=AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ")),
        );
        assert!(matches!(v.status, Status::Fresh(_)), "{:?}", v.status);
        assert_eq!(v.signal.unwrap().id, [7; ID_LEN]);
        assert_eq!(
            Visit::begin(&cfg, Some(&keys), &input(Some("vt=%%%")))
                .sig()
                .to_string(),
            "sig=fresh:base64"
        );
    }

    #[test]
    fn no_consent_means_no_signal_and_withdrawal_clears_the_cookie() {
        let (cfg, keys) = (cfg(), keys());
        let eu = Inputs {
            country: Some("DE"),
            ..input(None)
        };
        let mut v = Visit::begin(&cfg, Some(&keys), &eu);
        v.page_view(1);
        v.record(Event::CheckoutComplete {
            revenue: None,
            items: None,
        });
        assert_eq!(
            (v.status, v.has_signal(), v.events.len()),
            (Status::NoConsent, false, 0)
        );
        assert_eq!(v.set_cookie(&cfg, Some(&keys)), None);
        assert_eq!(v.sig().to_string(), "sig=none:default-denied");

        let mut granted = Visit::begin(&cfg, Some(&keys), &input(None));
        granted.page_view(1);
        let jar = cookie_value(&granted.set_cookie(&cfg, Some(&keys)).unwrap());
        let header = format!("{jar}; consent=essential");
        let withdrawn = Visit::begin(&cfg, Some(&keys), &input(Some(&header)));
        assert_eq!(
            withdrawn.set_cookie(&cfg, Some(&keys)).unwrap(),
            cfg.cookie.clear()
        );
        let gpc = Visit::begin(
            &cfg,
            Some(&keys),
            &Inputs {
                gpc: Some("1"),
                ..input(Some(&jar))
            },
        );
        assert_eq!(gpc.set_cookie(&cfg, Some(&keys)).unwrap(), cfg.cookie.clear());
    }

    #[test]
    fn bots_and_prefetches_get_nothing() {
        let (cfg, keys) = (cfg(), keys());
        let mut bot = Visit::begin(
            &cfg,
            Some(&keys),
            &Inputs {
                user_agent: Some("Googlebot/2.1"),
                ..input(None)
            },
        );
        bot.page_view(1);
        assert_eq!(
            (bot.status, bot.set_cookie(&cfg, Some(&keys))),
            (Status::Bot, None)
        );
        let pre = Visit::begin(
            &cfg,
            Some(&keys),
            &Inputs {
                purpose: Some("prefetch"),
                ..input(None)
            },
        );
        assert_eq!(pre.status, Status::Bot);
    }

    #[test]
    fn stitching_merges_the_stored_profile_and_adopts_its_id() {
        let (cfg, keys) = (cfg(), keys());
        let mut stored = Signal::new([1; ID_LEN], 10, crate::signal::ConsentBasis::Default);
        stored.learn(&Event::CheckoutComplete {
            revenue: None,
            items: None,
        });
        stored.customer_key = Some([5; 8]);
        let mut v = Visit::begin(&cfg, Some(&keys), &input(None));
        v.record(Event::PdpView {
            product: ProductFacts {
                brand: Some("Sable".into()),
                ..Default::default()
            },
        });
        assert!(v.stitch([5; 8], Some(stored)));
        let s = v.signal.as_ref().unwrap();
        assert_eq!(s.id, [1; ID_LEN]);
        assert!(s.customer);
        assert_eq!(s.brand_weight("Sable"), 32);
        assert_eq!(s.customer_key, Some([5; 8]));
        // Already bound, nothing stored to merge: no change, no write.
        assert!(!v.stitch([5; 8], None));
    }

    #[test]
    fn whoami_shows_names_it_has_seen() {
        let (cfg, keys) = (cfg(), keys());
        let mut v = Visit::begin(&cfg, Some(&keys), &input(None));
        let e = Event::PdpView {
            product: ProductFacts {
                brand: Some("Kestrel".into()),
                category: Some("outerwear".into()),
                ..Default::default()
            },
        };
        let mut book = NameBook::default();
        book.note_event(&e);
        v.record(e);
        let doc: serde_json::Value = serde_json::from_str(&whoami_json(&v, &book)).unwrap();
        assert_eq!(doc["signal"]["brands"][0]["name"], "Kestrel");
        assert_eq!(doc["signal"]["brands"][0]["weight"], 32);
        assert_eq!(doc["status"], "sig=new");
    }

    #[test]
    fn a_planted_colliding_name_resolves_to_nothing() {
        let victim = crate::signal::name_hash("outerwear");
        let planted = (0u32..)
            .map(|i| format!("x{i}"))
            .find(|n| crate::signal::name_hash(n) == victim)
            .unwrap();
        let mut book = NameBook::default();
        book.note(&planted);
        assert_eq!(book.resolve(victim), Some(planted.as_str()));
        book.note("Outerwear");
        assert_eq!(book.resolve(victim), None, "ambiguous: neither name is shown");
        book.note("outerwear");
        assert_eq!(book.resolve(victim), None);
        let mut same = NameBook::default();
        same.note("Outerwear");
        same.note("outerwear");
        assert_eq!(
            same.resolve(victim),
            Some("Outerwear"),
            "one name in two casings is one name"
        );
    }

    #[test]
    fn no_keys_means_the_signal_layer_is_off() {
        let v = Visit::begin(&cfg(), None, &input(None));
        assert_eq!(v.sig().to_string(), "sig=off");
    }
}
