//! What vitrine knows about a visitor, and how it learns it from the requests themselves.
//!
//! A [`Signal`] is small on purpose: it travels in a signed cookie ([`cookie`]) on every document
//! request, so the edge never looks a profile up. Names (categories, brands, products) are kept as
//! 16- or 32-bit hashes ([`name_hash`]): the cookie has no room for strings, and a hash of the
//! normalized name is stable across config changes, unlike an index into a list would be.
//!
//! Learning is deterministic and takes `now` (minutes since [`EPOCH_UNIX_SECS`]) as a parameter:
//! this module reads no clock and draws no randomness (the visitor id comes from the glue).
//!
//! Owns: the signal's fields, their bounds, decay, learning from events, merging two signals.
//! Must not touch: the platform, the wire format (that is [`cookie`]'s), consent decisions.

pub mod bot;
pub mod consent;
pub mod cookie;

use serde::Serialize;

/// Minutes and days in the signal count from 2024-01-01T00:00:00Z.
pub const EPOCH_UNIX_SECS: u64 = 1_704_067_200;
/// A visit with no request for this long ends its session.
pub const SESSION_GAP_MIN: u32 = 30;
/// Category affinities kept (the strongest).
pub const MAX_CATEGORIES: usize = 4;
/// Brand affinities kept (the strongest).
pub const MAX_BRANDS: usize = 5;
/// Recently viewed products kept (newest first).
pub const MAX_RECENT: usize = 4;
/// Bytes of random visitor id (96 bits).
pub const ID_LEN: usize = 12;

/// Minutes since the signal epoch, from Unix milliseconds (what the glue's clock gives).
pub fn minutes_from_unix_ms(ms: u64) -> u32 {
    let secs = (ms / 1000).saturating_sub(EPOCH_UNIX_SECS);
    u32::try_from(secs / 60).unwrap_or(u32::MAX)
}

/// A stable 16-bit hash of a normalized name (trimmed, lowercase): FNV-1a folded.
pub fn name_hash(name: &str) -> u16 {
    let h = fnv1a(name);
    ((h >> 16) ^ (h & 0xffff)) as u16
}

/// A stable 32-bit hash of a normalized product key.
pub fn key_hash(key: &str) -> u32 {
    fnv1a(key)
}

/// FNV-1a of the normalized name (trimmed, ASCII-lowercase).
fn fnv1a(s: &str) -> u32 {
    crate::hash::fnv1a32(s.trim().bytes().map(|b| b.to_ascii_lowercase()))
}

/// What the visitor seems to be doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Intent {
    /// Looking around (the default).
    #[default]
    Browse,
    /// Has shown buying behaviour this session (added to cart, searched with purchase intent).
    Buy,
}

impl Intent {
    /// Parses `browse` / `buy`.
    pub fn parse(s: &str) -> Option<Intent> {
        match s {
            "browse" => Some(Intent::Browse),
            "buy" => Some(Intent::Buy),
            _ => None,
        }
    }
}

/// Consent recorded with the signal. A signal only exists with consent; this says which kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsentBasis {
    /// Granted by default: the visitor's jurisdiction is opt-out and they have not opted out.
    #[default]
    Default,
    /// Granted explicitly through the consent cookie.
    Explicit,
}

/// A name (category or brand) the visitor has shown interest in, with a quantized weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Affinity {
    /// [`name_hash`] of the name.
    pub hash: u16,
    /// 1..=255; decays by a quarter for every day without a visit.
    pub weight: u8,
}

/// Everything the edge knows about one visitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signal {
    /// Random, minted once per visitor (or adopted from the customer profile on sign-in).
    #[serde(serialize_with = "hex")]
    pub id: [u8; ID_LEN],
    /// Day (since the epoch) of the first visit.
    pub first_seen_day: u16,
    /// Minute (since the epoch) of the latest request that updated the signal.
    pub last_seen_min: u32,
    /// Document requests seen (saturating).
    pub views: u16,
    /// Sessions (a gap of [`SESSION_GAP_MIN`] starts a new one), saturating.
    pub sessions: u16,
    /// Strongest category interests, strongest first.
    pub categories: Vec<Affinity>,
    /// Strongest brand interests, strongest first.
    pub brands: Vec<Affinity>,
    /// [`key_hash`]es of recently viewed products, newest first.
    pub recent: Vec<u32>,
    /// Running average of viewed price bands in sixteenths (16..=112; 0 = unknown), so that it
    /// moves smoothly; read it with [`Signal::price_band`].
    pub price16: u8,
    /// Browse or buy.
    pub intent: Intent,
    /// Has completed a checkout.
    pub customer: bool,
    /// Why we may keep this signal at all.
    pub consent: ConsentBasis,
    /// Keyed hash of the signed-in customer this visitor is bound to, if any (never the raw id).
    #[serde(serialize_with = "hex_opt")]
    pub customer_key: Option<[u8; 8]>,
}

fn hex<S: serde::Serializer>(bytes: &[u8; ID_LEN], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&to_hex(bytes))
}

fn hex_opt<S: serde::Serializer>(bytes: &Option<[u8; 8]>, s: S) -> Result<S::Ok, S::Error> {
    match bytes {
        Some(b) => s.serialize_str(&to_hex(b)),
        None => s.serialize_none(),
    }
}

/// Lowercase hex of some bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The price band of a price: 1 under 25, 2 under 50, 3 under 100, 4 under 200, 5 under 500,
/// 6 under 1000, 7 above (in the store's currency; bands are coarse so they survive currencies).
pub fn price_band(price: f64) -> u8 {
    const EDGES: [f64; 6] = [25.0, 50.0, 100.0, 200.0, 500.0, 1000.0];
    if !price.is_finite() || price < 0.0 {
        return 0;
    }
    1 + EDGES.iter().take_while(|&&e| price >= e).count() as u8
}

/// Facts about a product, read from its page (JSON-LD, attributes) or a client event.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ProductFacts {
    /// The product key (SKU or id), as the storefront names it.
    pub key: Option<String>,
    /// Category name.
    pub category: Option<String>,
    /// Brand name.
    pub brand: Option<String>,
    /// Price in the store's currency.
    pub price: Option<f64>,
}

impl ProductFacts {
    /// True when nothing useful was found.
    pub fn is_empty(&self) -> bool {
        self.key.is_none() && self.category.is_none() && self.brand.is_none() && self.price.is_none()
    }
}

/// Something the visitor did, as far as learning is concerned.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// Viewed a listing page of a category.
    PlpView {
        /// The category (from the URL or the page).
        category: String,
    },
    /// Viewed a product page.
    PdpView {
        /// What the page says about the product.
        product: ProductFacts,
    },
    /// Added something to the cart.
    AddToCart {
        /// The product, when known.
        product: ProductFacts,
    },
    /// Completed a checkout: the order's revenue and item count when the store says them (the
    /// storefront's order confirmation sends them as a client event).
    CheckoutComplete {
        /// Order revenue, in the store's currency.
        #[serde(skip_serializing_if = "Option::is_none")]
        revenue: Option<f64>,
        /// Items in the order.
        #[serde(skip_serializing_if = "Option::is_none")]
        items: Option<u32>,
    },
    /// Searched.
    Search {
        /// The query, normalized and bounded.
        query: String,
        /// How many results the visitor got, when known (0: a zero-result search).
        results: Option<u32>,
        /// Which path served it (`origin`, `cache`, `stale`, `keyword`, `passthrough`).
        #[serde(skip_serializing_if = "Option::is_none")]
        served: Option<String>,
        /// Milliseconds the edge waited for the answer.
        #[serde(skip_serializing_if = "Option::is_none")]
        latency_ms: Option<u32>,
        /// What the shopper did next, as the page reports it: `exit`, `click` or `refine`.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<&'static str>,
    },
}

impl Event {
    /// A short name for headers and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::PlpView { .. } => "plp",
            Event::PdpView { .. } => "pdp",
            Event::AddToCart { .. } => "cart",
            Event::CheckoutComplete { .. } => "checkout",
            Event::Search { .. } => "search",
        }
    }
}

/// How much one event adds to an affinity weight.
const W_PLP: u8 = 8;
const W_PDP: u8 = 32;
const W_CART: u8 = 64;

impl Signal {
    /// A new visitor, first seen at `now_min`.
    pub fn new(id: [u8; ID_LEN], now_min: u32, consent: ConsentBasis) -> Self {
        Signal {
            id,
            first_seen_day: day_of(now_min),
            last_seen_min: now_min,
            views: 0,
            sessions: 1,
            categories: Vec::new(),
            brands: Vec::new(),
            recent: Vec::new(),
            price16: 0,
            intent: Intent::Browse,
            customer: false,
            consent,
            customer_key: None,
        }
    }

    /// Days since the first visit, at `now_min`.
    pub fn age_days(&self, now_min: u32) -> u16 {
        day_of(now_min).saturating_sub(self.first_seen_day)
    }

    /// A visitor is "returning" once they come back in a later session.
    pub fn is_returning(&self) -> bool {
        self.sessions > 1
    }

    /// Counts a document request at `now_min`: decays affinities by the days since the last
    /// visit, starts a new session after a gap (which also resets intent to browse).
    pub fn visit(&mut self, now_min: u32) {
        let now_min = now_min.max(self.last_seen_min); // a clock that steps back does not rewind
        let idle = now_min - self.last_seen_min;
        let days = day_of(now_min).saturating_sub(day_of(self.last_seen_min));
        if days > 0 {
            decay(&mut self.categories, days);
            decay(&mut self.brands, days);
        }
        if idle >= SESSION_GAP_MIN {
            self.sessions = self.sessions.saturating_add(1);
            self.intent = Intent::Browse;
        }
        self.views = self.views.saturating_add(1);
        self.last_seen_min = now_min;
    }

    /// Learns from one event.
    pub fn learn(&mut self, event: &Event) {
        match event {
            Event::PlpView { category } => bump(&mut self.categories, category, W_PLP, MAX_CATEGORIES),
            Event::PdpView { product } => self.learn_product(product, W_PDP),
            Event::AddToCart { product } => {
                self.learn_product(product, W_CART);
                self.intent = Intent::Buy;
            }
            // The bag is empty now: a customer, back to browsing (no "go to your bag").
            Event::CheckoutComplete { .. } => {
                self.customer = true;
                self.intent = Intent::Browse;
            }
            // A search that finds something is a shopper looking for a thing: buying intent.
            // A zero-result search teaches nothing about intent (it is reported, not learned).
            Event::Search { results, .. } => {
                if results.is_some_and(|r| r > 0) {
                    self.intent = Intent::Buy;
                }
            }
        }
    }

    fn learn_product(&mut self, p: &ProductFacts, weight: u8) {
        if let Some(c) = p.category.as_deref() {
            bump(&mut self.categories, c, weight, MAX_CATEGORIES);
        }
        if let Some(b) = p.brand.as_deref() {
            bump(&mut self.brands, b, weight, MAX_BRANDS);
        }
        if let Some(band) = p.price.map(price_band).filter(|&b| b > 0) {
            // Running average in sixteenths, leaning to the newest: (3 * old + new) / 4.
            let new = u16::from(band) * 16;
            let old = u16::from(self.price16);
            self.price16 = if old == 0 { new } else { (3 * old + new + 2) / 4 } as u8;
        }
        if let Some(key) = p.key.as_deref().filter(|k| !k.trim().is_empty()) {
            let h = key_hash(key);
            self.recent.retain(|&r| r != h);
            self.recent.insert(0, h);
            self.recent.truncate(MAX_RECENT);
        }
    }

    /// The visitor's price band (1..=7, see [`price_band`]; 0 when unknown).
    pub fn price_band(&self) -> u8 {
        ((u16::from(self.price16) + 8) / 16) as u8
    }

    /// The weight of a category affinity by name (0 when absent).
    pub fn category_weight(&self, name: &str) -> u8 {
        weight_of(&self.categories, name)
    }

    /// The weight of a brand affinity by name (0 when absent).
    pub fn brand_weight(&self, name: &str) -> u8 {
        weight_of(&self.brands, name)
    }

    /// Merges another signal of the same person (another device, or the stored customer profile)
    /// into this one: interests add up, counts add up, the earliest first visit and the latest
    /// last visit win, customer status sticks. `self`'s id is kept; callers decide which id lives on.
    pub fn merge(&mut self, other: &Signal) {
        self.first_seen_day = self.first_seen_day.min(other.first_seen_day);
        self.last_seen_min = self.last_seen_min.max(other.last_seen_min);
        self.views = self.views.saturating_add(other.views);
        self.sessions = self.sessions.saturating_add(other.sessions);
        merge_affinities(&mut self.categories, &other.categories, MAX_CATEGORIES);
        merge_affinities(&mut self.brands, &other.brands, MAX_BRANDS);
        for &r in other.recent.iter().rev() {
            if !self.recent.contains(&r) {
                self.recent.push(r);
            }
        }
        self.recent.truncate(MAX_RECENT);
        if self.price16 == 0 {
            self.price16 = other.price16;
        }
        self.customer |= other.customer;
        if other.intent == Intent::Buy {
            self.intent = Intent::Buy;
        }
        self.customer_key = self.customer_key.or(other.customer_key);
    }
}

fn day_of(min: u32) -> u16 {
    u16::try_from(min / (24 * 60)).unwrap_or(u16::MAX)
}

fn weight_of(list: &[Affinity], name: &str) -> u8 {
    let h = name_hash(name);
    list.iter().find(|a| a.hash == h).map_or(0, |a| a.weight)
}

/// Adds `w` to the named affinity (inserting it, evicting the weakest when full and weaker), and
/// keeps the list strongest first (stable: equal weights keep their order).
fn bump(list: &mut Vec<Affinity>, name: &str, w: u8, max: usize) {
    if name.trim().is_empty() {
        return;
    }
    let hash = name_hash(name);
    if let Some(a) = list.iter_mut().find(|a| a.hash == hash) {
        a.weight = a.weight.saturating_add(w);
    } else if list.len() < max {
        list.push(Affinity { hash, weight: w });
    } else if let Some(weakest) = list.iter_mut().min_by_key(|a| a.weight) {
        if weakest.weight <= w {
            *weakest = Affinity { hash, weight: w };
        }
    }
    list.sort_by_key(|a| std::cmp::Reverse(a.weight));
}

/// Each idle day keeps three quarters of a weight; weights that reach zero are forgotten.
fn decay(list: &mut Vec<Affinity>, days: u16) {
    for a in list.iter_mut() {
        let mut w = u32::from(a.weight);
        for _ in 0..days.min(32) {
            w = w * 3 / 4;
        }
        a.weight = w as u8;
    }
    list.retain(|a| a.weight > 0);
}

fn merge_affinities(into: &mut Vec<Affinity>, from: &[Affinity], max: usize) {
    for f in from {
        if let Some(a) = into.iter_mut().find(|a| a.hash == f.hash) {
            a.weight = a.weight.saturating_add(f.weight);
        } else {
            into.push(*f);
        }
    }
    into.sort_by_key(|a| std::cmp::Reverse(a.weight));
    into.truncate(max);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pdp(key: &str, category: &str, brand: &str, price: f64) -> Event {
        Event::PdpView {
            product: ProductFacts {
                key: Some(key.into()),
                category: Some(category.into()),
                brand: Some(brand.into()),
                price: Some(price),
            },
        }
    }

    #[test]
    fn three_pdp_views_of_one_brand_make_it_the_top_brand() {
        let mut s = Signal::new([1; ID_LEN], 1000, ConsentBasis::Default);
        s.learn(&pdp("A", "shoes", "Other", 80.0));
        for k in ["B", "C", "D"] {
            s.learn(&pdp(k, "outerwear", "Kestrel", 150.0));
        }
        assert_eq!(s.brands[0].hash, name_hash("kestrel"));
        assert_eq!(s.brand_weight("Kestrel"), 96);
        assert_eq!(s.categories[0].hash, name_hash("Outerwear"));
        assert_eq!(
            s.recent,
            vec![key_hash("D"), key_hash("C"), key_hash("B"), key_hash("A")]
        );
        assert_eq!(s.price_band(), 4);
    }

    #[test]
    fn affinity_lists_stay_bounded_and_keep_the_strongest() {
        let mut s = Signal::new([0; ID_LEN], 0, ConsentBasis::Default);
        for i in 0..20 {
            s.learn(&pdp(&format!("k{i}"), &format!("c{i}"), &format!("b{i}"), 10.0));
        }
        s.learn(&pdp("x", "c19", "b19", 10.0));
        assert_eq!(s.categories.len(), MAX_CATEGORIES);
        assert_eq!(s.brands.len(), MAX_BRANDS);
        assert_eq!(s.recent.len(), MAX_RECENT);
        assert_eq!(s.categories[0].hash, name_hash("c19"));
        assert_eq!(s.categories[0].weight, 64);
    }

    #[test]
    fn weights_saturate_instead_of_wrapping() {
        let mut s = Signal::new([0; ID_LEN], 0, ConsentBasis::Default);
        for _ in 0..50 {
            s.learn(&Event::AddToCart {
                product: ProductFacts {
                    brand: Some("B".into()),
                    ..Default::default()
                },
            });
        }
        assert_eq!(s.brand_weight("b"), 255);
    }

    #[test]
    fn sessions_decay_and_intent() {
        let mut s = Signal::new([0; ID_LEN], 0, ConsentBasis::Default);
        s.visit(0);
        s.learn(&pdp("a", "shoes", "K", 30.0));
        s.learn(&Event::AddToCart {
            product: ProductFacts::default(),
        });
        assert_eq!(s.intent, Intent::Buy);
        s.visit(10); // same session
        assert_eq!((s.sessions, s.intent), (1, Intent::Buy));
        s.visit(10 + 2 * 24 * 60); // two days later: new session, decayed interests
        assert_eq!(s.sessions, 2);
        assert_eq!(s.intent, Intent::Browse);
        assert!(s.is_returning());
        assert_eq!(s.category_weight("shoes"), (32 * 3 / 4) * 3 / 4);
        s.visit(5); // the clock stepped back: nothing rewinds
        assert_eq!(s.last_seen_min, 10 + 2 * 24 * 60);
        assert_eq!(s.views, 4);
    }

    #[test]
    fn checkout_makes_a_customer_back_to_browsing() {
        let mut s = Signal::new([0; ID_LEN], 0, ConsentBasis::Default);
        s.learn(&Event::AddToCart {
            product: ProductFacts::default(),
        });
        assert_eq!(s.intent, Intent::Buy);
        s.learn(&Event::CheckoutComplete {
            revenue: None,
            items: None,
        });
        assert!(s.customer);
        assert_eq!(s.intent, Intent::Browse, "the bag is empty after a checkout");
    }

    #[test]
    fn merge_adds_interests_and_keeps_history() {
        let mut phone = Signal::new([1; ID_LEN], 5000, ConsentBasis::Default);
        phone.learn(&pdp("a", "bags", "Sable", 60.0));
        let mut laptop = Signal::new([2; ID_LEN], 100, ConsentBasis::Explicit);
        laptop.learn(&pdp("b", "bags", "Sable", 60.0));
        laptop.learn(&Event::CheckoutComplete {
            revenue: None,
            items: None,
        });
        phone.merge(&laptop);
        assert_eq!(phone.id, [1; ID_LEN]);
        assert_eq!(phone.brand_weight("Sable"), 64);
        assert_eq!(phone.first_seen_day, 0);
        assert!(phone.customer);
        assert_eq!(phone.recent, vec![key_hash("a"), key_hash("b")]);
    }

    #[test]
    fn price_bands() {
        assert_eq!(price_band(10.0), 1);
        assert_eq!(price_band(25.0), 2);
        assert_eq!(price_band(199.99), 4);
        assert_eq!(price_band(5000.0), 7);
        assert_eq!(price_band(f64::NAN), 0);
        assert_eq!(price_band(-1.0), 0);
    }

    #[test]
    fn hashes_are_normalized_and_stable() {
        assert_eq!(name_hash(" Kestrel "), name_hash("kestrel"));
        // Pinned: changing the hash silently forgets every visitor's interests.
        assert_eq!(key_hash("VT-0001"), 0xf231_ee51);
        assert_eq!(name_hash("shoes"), 0x3955);
    }

    #[test]
    fn minutes_from_unix() {
        assert_eq!(minutes_from_unix_ms(EPOCH_UNIX_SECS * 1000 + 90_000), 1);
        assert_eq!(minutes_from_unix_ms(0), 0);
    }
}
