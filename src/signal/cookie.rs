//! The signal's wire format: binary-packed, HMAC-SHA256-signed, base64url, in one cookie.
//!
//! ```text
//! version u8 (=1) | key id u8 | id [12] | first_seen_day u16 | last_seen_min u32 | views u16 |
//! sessions u16 | flags u8 | price_band u8 | counts u8 (categories << 4 | brands) | recent u8 |
//! [customer_key [8] if flags & HAS_CUSTOMER_KEY] | categories (hash u16, weight u8)* |
//! brands (hash u16, weight u8)* | recent (hash u32)* | tag [12]
//! ```
//!
//! All integers big-endian. The tag is the first 96 bits of HMAC-SHA256 over a domain label and
//! everything before it. 96 bits is the truncation RFC 2104 and NIST SP 800-107 allow for online
//! verification: a forger gets one guess per request, and 2^-96 per guess. It saves 27 characters
//! of cookie, which is what keeps the whole `Set-Cookie` under 200 bytes at full state.
//!
//! Verification order follows cookie-rs: bounds on the encoded length first, then base64, then
//! version and key id, then the tag in constant time ([`hmac::Mac::verify_truncated_left`]), and
//! only then the fields, each checked against its bounds. Any failure is an error value the caller
//! turns into "new visitor"; nothing here panics on any input (a property test throws bytes at it).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Affinity, ConsentBasis, Intent, Signal, ID_LEN, MAX_BRANDS, MAX_CATEGORIES, MAX_RECENT};

/// The only wire version this code writes; reading any other is [`CookieErrorKind::Version`].
pub const VERSION: u8 = 1;
/// Bytes of HMAC tag kept.
pub const TAG_LEN: usize = 12;
/// Fixed part of the payload (before the optional customer key and the lists).
const FIXED_LEN: usize = 2 + ID_LEN + 2 + 4 + 2 + 2 + 4;
/// Largest encoded payload (all lists full, customer key present, tag).
pub const MAX_BYTES: usize = FIXED_LEN + 8 + 3 * MAX_CATEGORIES + 3 * MAX_BRANDS + 4 * MAX_RECENT + TAG_LEN;
/// Longest cookie value accepted before decoding anything (base64 of [`MAX_BYTES`]).
pub const MAX_ENCODED: usize = (MAX_BYTES * 4).div_ceil(3);
/// Domain separation for the MAC: a key shared with another use cannot sign a signal.
const LABEL: &[u8] = b"vitrine-signal-v1\0";

/// Largest running price band in sixteenths (band 7).
const MAX_PRICE16: u8 = 7 * 16;

const F_BUY: u8 = 1;
const F_CUSTOMER: u8 = 2;
const F_EXPLICIT: u8 = 4;
const F_HAS_CUSTOMER_KEY: u8 = 8;
const F_KNOWN: u8 = F_BUY | F_CUSTOMER | F_EXPLICIT | F_HAS_CUSTOMER_KEY;

type HmacSha256 = Hmac<Sha256>;

/// Why a cookie was not accepted. The caller treats every kind the same (a fresh visitor); the
/// kind is for logs and the `x-vitrine` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieError {
    /// What went wrong.
    pub kind: CookieErrorKind,
}

/// The kinds of [`CookieError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieErrorKind {
    /// Longer than any valid cookie.
    TooLong,
    /// Not base64url.
    NotBase64,
    /// Shorter than its own fields say.
    Truncated,
    /// A wire version this code does not read.
    Version(u8),
    /// Signed with a key id we do not hold (rotated out, or forged).
    UnknownKey(u8),
    /// The tag does not verify: tampered or forged.
    BadTag,
    /// Verified, but a field is out of bounds (a bug in an older writer, or a leaked key).
    Malformed(&'static str),
}

impl std::fmt::Display for CookieError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            CookieErrorKind::TooLong => f.write_str("cookie too long"),
            CookieErrorKind::NotBase64 => f.write_str("cookie is not base64url"),
            CookieErrorKind::Truncated => f.write_str("cookie truncated"),
            CookieErrorKind::Version(v) => write!(f, "cookie version {v} not supported"),
            CookieErrorKind::UnknownKey(k) => write!(f, "cookie signed with unknown key id {k}"),
            CookieErrorKind::BadTag => f.write_str("cookie signature does not verify"),
            CookieErrorKind::Malformed(what) => write!(f, "cookie field out of bounds: {what}"),
        }
    }
}

impl std::error::Error for CookieError {}

impl CookieErrorKind {
    /// A short token for headers (`sig=fresh:tag`).
    pub fn token(self) -> &'static str {
        match self {
            CookieErrorKind::TooLong => "too-long",
            CookieErrorKind::NotBase64 => "base64",
            CookieErrorKind::Truncated => "truncated",
            CookieErrorKind::Version(_) => "version",
            CookieErrorKind::UnknownKey(_) => "key",
            CookieErrorKind::BadTag => "tag",
            CookieErrorKind::Malformed(_) => "malformed",
        }
    }
}

fn err(kind: CookieErrorKind) -> CookieError {
    CookieError { kind }
}

/// A problem with the `SIGNAL_KEYS` secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyringError {
    /// Which entry (0-based) of the comma-separated list.
    pub entry: usize,
    /// What is wrong, lowercase.
    pub reason: &'static str,
}

impl std::fmt::Display for KeyringError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SIGNAL_KEYS entry {}: {}", self.entry, self.reason)
    }
}

impl std::error::Error for KeyringError {}

/// Signing keys. The first signs new cookies; all verify, so a rotation is: put the new key first,
/// keep the old one after it for as long as cookies signed with it should live, then drop it.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<(u8, Vec<u8>)>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        let ids: Vec<u8> = self.keys.iter().map(|(id, _)| *id).collect();
        f.debug_struct("Keyring").field("key_ids", &ids).finish()
    }
}

impl Keyring {
    /// Parses `id:base64url-key[,id:base64url-key…]` (ids 1..=255, keys of at least 32 bytes,
    /// standard or url-safe base64, padding optional). The first key is the current one.
    pub fn parse(spec: &str) -> Result<Self, KeyringError> {
        let mut keys = Vec::new();
        for (entry, part) in spec
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .enumerate()
        {
            let e = |reason| KeyringError { entry, reason };
            let (id, key) = part.split_once(':').ok_or_else(|| e("expected id:key"))?;
            let id: u8 = id.trim().parse().map_err(|_| e("key id must be 1..=255"))?;
            if id == 0 {
                return Err(e("key id must be 1..=255"));
            }
            let key = key.trim().trim_end_matches('=');
            let bytes = URL_SAFE_NO_PAD
                .decode(key.replace('+', "-").replace('/', "_"))
                .map_err(|_| e("key is not base64"))?;
            if bytes.len() < 32 {
                return Err(e("key must be at least 32 bytes"));
            }
            if keys.iter().any(|(k, _)| *k == id) {
                return Err(e("duplicate key id"));
            }
            keys.push((id, bytes));
        }
        if keys.is_empty() {
            return Err(KeyringError {
                entry: 0,
                reason: "no keys",
            });
        }
        Ok(Keyring { keys })
    }

    /// The id of the key new cookies are signed with.
    pub fn current_id(&self) -> u8 {
        self.keys.first().map_or(0, |(id, _)| *id)
    }

    fn get(&self, id: u8) -> Option<&[u8]> {
        self.keys
            .iter()
            .find(|(k, _)| *k == id)
            .map(|(_, v)| v.as_slice())
    }

    fn mac(&self, id: u8) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(self.get(id)?).ok()?;
        mac.update(LABEL);
        Some(mac)
    }

    /// A keyed hash of something sensitive (a customer id) under the current key's sibling
    /// derivation: stable for as long as `identity_key` is, and reveals nothing about the input.
    pub fn keyed_hash8(identity_key: &[u8], input: &str) -> [u8; 8] {
        let mut out = [0u8; 8];
        if let Ok(mut mac) = HmacSha256::new_from_slice(identity_key) {
            mac.update(b"vitrine-customer-v1\0");
            mac.update(input.trim().to_ascii_lowercase().as_bytes());
            let full = mac.finalize().into_bytes();
            for (o, b) in out.iter_mut().zip(full.iter()) {
                *o = *b;
            }
        }
        out
    }
}

/// Serializes and signs a signal with the keyring's current key.
pub fn encode(signal: &Signal, keys: &Keyring) -> String {
    let mut b = Vec::with_capacity(MAX_BYTES);
    let kid = keys.current_id();
    b.push(VERSION);
    b.push(kid);
    b.extend_from_slice(&signal.id);
    b.extend_from_slice(&signal.first_seen_day.to_be_bytes());
    b.extend_from_slice(&signal.last_seen_min.to_be_bytes());
    b.extend_from_slice(&signal.views.to_be_bytes());
    b.extend_from_slice(&signal.sessions.to_be_bytes());
    let mut flags = 0;
    if signal.intent == Intent::Buy {
        flags |= F_BUY;
    }
    if signal.customer {
        flags |= F_CUSTOMER;
    }
    if signal.consent == ConsentBasis::Explicit {
        flags |= F_EXPLICIT;
    }
    if signal.customer_key.is_some() {
        flags |= F_HAS_CUSTOMER_KEY;
    }
    b.push(flags);
    b.push(signal.price16.min(MAX_PRICE16));
    let cats = signal.categories.iter().take(MAX_CATEGORIES);
    let brands = signal.brands.iter().take(MAX_BRANDS);
    let recent = signal.recent.iter().take(MAX_RECENT);
    b.push(((cats.len() as u8) << 4) | brands.len() as u8);
    b.push(recent.len() as u8);
    if let Some(ck) = &signal.customer_key {
        b.extend_from_slice(ck);
    }
    for a in cats.chain(brands) {
        b.extend_from_slice(&a.hash.to_be_bytes());
        b.push(a.weight);
    }
    for r in recent {
        b.extend_from_slice(&r.to_be_bytes());
    }
    if let Some(mut mac) = keys.mac(kid) {
        mac.update(&b);
        let tag = mac.finalize().into_bytes();
        b.extend_from_slice(tag.get(..TAG_LEN).unwrap_or_default());
    }
    URL_SAFE_NO_PAD.encode(&b)
}

/// Verifies and parses a cookie value.
pub fn decode(value: &str, keys: &Keyring) -> Result<Signal, CookieError> {
    if value.len() > MAX_ENCODED {
        return Err(err(CookieErrorKind::TooLong));
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(value.trim())
        .map_err(|_| err(CookieErrorKind::NotBase64))?;
    if bytes.len() < FIXED_LEN + TAG_LEN {
        return Err(err(CookieErrorKind::Truncated));
    }
    let (body, tag) = bytes.split_at(bytes.len() - TAG_LEN);
    let mut r = Reader(body);
    let version = r.u8()?;
    if version != VERSION {
        return Err(err(CookieErrorKind::Version(version)));
    }
    let kid = r.u8()?;
    let mut mac = keys.mac(kid).ok_or(err(CookieErrorKind::UnknownKey(kid)))?;
    mac.update(body);
    mac.verify_truncated_left(tag)
        .map_err(|_| err(CookieErrorKind::BadTag))?;

    let id: [u8; ID_LEN] = r.array()?;
    let first_seen_day = r.u16()?;
    let last_seen_min = r.u32()?;
    let views = r.u16()?;
    let sessions = r.u16()?;
    let flags = r.u8()?;
    if flags & !F_KNOWN != 0 {
        return Err(err(CookieErrorKind::Malformed("flags")));
    }
    let price16 = r.u8()?;
    if price16 > MAX_PRICE16 {
        return Err(err(CookieErrorKind::Malformed("price band")));
    }
    let counts = r.u8()?;
    let (n_cat, n_brand) = (usize::from(counts >> 4), usize::from(counts & 0x0f));
    let n_recent = usize::from(r.u8()?);
    if n_cat > MAX_CATEGORIES || n_brand > MAX_BRANDS || n_recent > MAX_RECENT {
        return Err(err(CookieErrorKind::Malformed("list length")));
    }
    let customer_key = if flags & F_HAS_CUSTOMER_KEY != 0 {
        Some(r.array::<8>()?)
    } else {
        None
    };
    let mut affinities = |n: usize| -> Result<Vec<Affinity>, CookieError> {
        (0..n)
            .map(|_| {
                Ok(Affinity {
                    hash: r.u16()?,
                    weight: r.u8()?,
                })
            })
            .collect()
    };
    let categories = affinities(n_cat)?;
    let brands = affinities(n_brand)?;
    let recent = (0..n_recent).map(|_| r.u32()).collect::<Result<Vec<_>, _>>()?;
    if !r.0.is_empty() {
        return Err(err(CookieErrorKind::Malformed("trailing bytes")));
    }
    Ok(Signal {
        id,
        first_seen_day,
        last_seen_min,
        views,
        sessions,
        categories,
        brands,
        recent,
        price16,
        intent: if flags & F_BUY != 0 {
            Intent::Buy
        } else {
            Intent::Browse
        },
        customer: flags & F_CUSTOMER != 0,
        consent: if flags & F_EXPLICIT != 0 {
            ConsentBasis::Explicit
        } else {
            ConsentBasis::Default
        },
        customer_key,
    })
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CookieError> {
        if self.0.len() < n {
            return Err(err(CookieErrorKind::Truncated));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, CookieError> {
        Ok(self.take(1)?.first().copied().unwrap_or_default())
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], CookieError> {
        self.take(N)?
            .try_into()
            .map_err(|_| err(CookieErrorKind::Truncated))
    }
    fn u16(&mut self) -> Result<u16, CookieError> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, CookieError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
}

/// Cookie attributes vitrine sets: first-party, never readable by scripts, sent on top-level
/// navigations from elsewhere (`Lax`) so a visitor arriving from a search engine is recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieSpec {
    /// The cookie's name.
    pub name: String,
    /// Lifetime in days.
    pub max_age_days: u32,
}

impl Default for CookieSpec {
    fn default() -> Self {
        CookieSpec {
            name: "vt".to_owned(),
            max_age_days: 365,
        }
    }
}

impl CookieSpec {
    /// The `Set-Cookie` value that stores `value`.
    pub fn set(&self, value: &str) -> String {
        format!(
            "{}={}; Max-Age={}; Path=/; HttpOnly; Secure; SameSite=Lax",
            self.name,
            value,
            u64::from(self.max_age_days) * 86_400
        )
    }

    /// The `Set-Cookie` value that deletes the cookie (consent withdrawn).
    pub fn clear(&self) -> String {
        format!(
            "{}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax",
            self.name
        )
    }
}

/// Every value of the cookie named `name` in a `Cookie` request header, in order (a browser may
/// send several when cookies with one name exist at different paths or domains).
pub fn values<'h>(cookie_header: &'h str, name: &'h str) -> impl Iterator<Item = &'h str> + 'h {
    cookie_header.split(';').filter_map(move |pair| {
        let (k, v) = pair.split_once('=')?;
        (k.trim() == name).then(|| v.trim().trim_matches('"'))
    })
}

/// The `Cookie` header with the named cookie removed (the origin has no use for it, and a
/// visitor-specific cookie must not reach a cache key). `None` when nothing is left.
pub fn without(cookie_header: &str, name: &str) -> Option<String> {
    let kept: Vec<&str> = cookie_header
        .split(';')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .filter(|pair| pair.split_once('=').map_or(pair.trim(), |(k, _)| k.trim()) != name)
        .collect();
    (!kept.is_empty()).then(|| kept.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::{key_hash, name_hash, Event, ProductFacts};

    fn keys() -> Keyring {
        Keyring::parse("7:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8").unwrap()
    }

    fn full_signal() -> Signal {
        let mut s = Signal::new([0xab; ID_LEN], 1_000_000, ConsentBasis::Explicit);
        for i in 0..10u32 {
            s.learn(&Event::PdpView {
                product: ProductFacts {
                    key: Some(format!("SKU-{i}")),
                    category: Some(format!("category-{i}")),
                    brand: Some(format!("brand-{i}")),
                    price: Some(120.0),
                },
            });
        }
        s.learn(&Event::AddToCart {
            product: ProductFacts::default(),
        });
        s.learn(&Event::CheckoutComplete {
            revenue: None,
            items: None,
        });
        s.customer_key = Some([9; 8]);
        s.views = u16::MAX;
        s.sessions = u16::MAX;
        s
    }

    #[test]
    fn round_trip_at_full_state_and_the_200_byte_budget() {
        let s = full_signal();
        let value = encode(&s, &keys());
        assert_eq!(decode(&value, &keys()).unwrap(), s);
        let header = CookieSpec::default().set(&value);
        assert!(
            header.len() <= 200,
            "Set-Cookie is {} bytes: {header}",
            header.len()
        );
        assert_eq!(value.len(), MAX_ENCODED);
    }

    #[test]
    fn golden_wire_format() {
        // Pins the format: if this changes, every visitor's cookie stops verifying. Bump VERSION
        // and keep a reader for the old one instead.
        let mut s = Signal::new(
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
            600_000,
            ConsentBasis::Default,
        );
        s.learn(&Event::PdpView {
            product: ProductFacts {
                key: Some("VT-0001".into()),
                category: Some("shoes".into()),
                brand: Some("Marlowe".into()),
                price: Some(158.99),
            },
        });
        s.visit(600_010);
        let value = encode(&s, &keys());
        assert_eq!(value, GOLDEN);
        let back = decode(GOLDEN, &keys()).unwrap();
        assert_eq!(back.brand_weight("marlowe"), 32);
        assert_eq!(back.recent, vec![key_hash("VT-0001")]);
        assert_eq!(back.categories[0].hash, name_hash("shoes"));
    }
    const GOLDEN: &str = "AQcBAgMEBQYHCAkKCwwBoAAJJ8oAAQABAEARATlVIFBCIPIx7lFNRTbpNWKoc1WOV-o";

    #[test]
    fn rotation_old_keys_verify_new_cookies_use_the_current_key() {
        let old = Keyring::parse("1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
        let rotated = Keyring::parse(
            "2:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE, 1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .unwrap();
        let s = full_signal();
        let old_cookie = encode(&s, &old);
        assert_eq!(decode(&old_cookie, &rotated).unwrap(), s);
        let new_cookie = encode(&s, &rotated);
        assert_eq!(URL_SAFE_NO_PAD.decode(&new_cookie).unwrap()[1], 2);
        assert_eq!(
            decode(&new_cookie, &old).unwrap_err().kind,
            CookieErrorKind::UnknownKey(2)
        );
    }

    #[test]
    fn tampering_is_detected() {
        let value = encode(&full_signal(), &keys());
        let mut raw = URL_SAFE_NO_PAD.decode(&value).unwrap();
        for i in 0..raw.len() {
            raw[i] ^= 0x01;
            let forged = URL_SAFE_NO_PAD.encode(&raw);
            let e = decode(&forged, &keys()).unwrap_err();
            assert!(
                matches!(
                    e.kind,
                    CookieErrorKind::BadTag | CookieErrorKind::Version(_) | CookieErrorKind::UnknownKey(_)
                ),
                "byte {i}: {e}"
            );
            raw[i] ^= 0x01;
        }
        raw.truncate(raw.len() - 3);
        let cut = URL_SAFE_NO_PAD.encode(&raw);
        assert_eq!(decode(&cut, &keys()).unwrap_err().kind, CookieErrorKind::BadTag);
        assert_eq!(decode("", &keys()).unwrap_err().kind, CookieErrorKind::Truncated);
        assert_eq!(
            decode("%%%", &keys()).unwrap_err().kind,
            CookieErrorKind::NotBase64
        );
        assert_eq!(
            decode(&"A".repeat(500), &keys()).unwrap_err().kind,
            CookieErrorKind::TooLong
        );
        let other = Keyring::parse("7:__________________________________________8").unwrap();
        assert_eq!(decode(&value, &other).unwrap_err().kind, CookieErrorKind::BadTag);
    }

    #[test]
    fn wrong_version_is_rejected_before_the_tag() {
        let mut raw = URL_SAFE_NO_PAD.decode(encode(&full_signal(), &keys())).unwrap();
        raw[0] = 9;
        let e = decode(&URL_SAFE_NO_PAD.encode(&raw), &keys()).unwrap_err();
        assert_eq!(e.kind, CookieErrorKind::Version(9));
    }

    #[test]
    fn keyring_errors_name_the_entry() {
        assert_eq!(Keyring::parse("").unwrap_err().reason, "no keys");
        assert_eq!(
            Keyring::parse("1:c2hvcnQ").unwrap_err().reason,
            "key must be at least 32 bytes"
        );
        assert_eq!(
            Keyring::parse("0:AAAA").unwrap_err().reason,
            "key id must be 1..=255"
        );
        let e = Keyring::parse("1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,nocolon").unwrap_err();
        assert_eq!((e.entry, e.reason), (1, "expected id:key"));
        assert!(
            !format!("{:?}", keys()).contains("AAEC"),
            "debug output must not leak keys"
        );
        // Standard base64 with padding is accepted too.
        assert!(Keyring::parse("3:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").is_ok());
    }

    #[test]
    fn cookie_header_helpers() {
        let h = "a=1; vt=abc; b=2; vt=def";
        assert_eq!(values(h, "vt").collect::<Vec<_>>(), vec!["abc", "def"]);
        assert_eq!(without(h, "vt").as_deref(), Some("a=1; b=2"));
        assert_eq!(without("vt=x", "vt"), None);
        assert_eq!(without("vtx=1; vt=2", "vt").as_deref(), Some("vtx=1"));
        let spec = CookieSpec::default();
        assert_eq!(
            spec.clear(),
            "vt=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"
        );
    }

    #[test]
    fn keyed_hash_is_stable_and_hides_the_input() {
        let k = [7u8; 32];
        let a = Keyring::keyed_hash8(&k, "Ada@Example.com ");
        assert_eq!(a, Keyring::keyed_hash8(&k, "ada@example.com"));
        assert_ne!(a, Keyring::keyed_hash8(&[8u8; 32], "ada@example.com"));
        assert_ne!(a, Keyring::keyed_hash8(&k, "bob@example.com"));
    }
}
