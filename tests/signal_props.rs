//! Property tests for the signal cookie: arbitrary input never panics, never verifies unless
//! signed, and correctly signed arbitrary bodies are parsed or rejected with an error (the field
//! parser is exercised past the MAC, which random bytes alone would never reach).
// Test code: a failed assertion or unwrap is how a test fails (Cargo.toml denies them in src/).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use support::Rng;
use vitrine::signal::cookie::{decode, encode, Keyring, TAG_LEN};

const KEY: &str = "7:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

fn key_bytes() -> Vec<u8> {
    (0u8..32).collect()
}

fn sign(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key_bytes()).unwrap();
    mac.update(b"vitrine-signal-v1\0");
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    let mut out = body.to_vec();
    out.extend_from_slice(&tag[..TAG_LEN]);
    URL_SAFE_NO_PAD.encode(out)
}

#[test]
fn arbitrary_strings_and_bytes_never_panic_or_verify() {
    let keys = Keyring::parse(KEY).unwrap();
    let mut rng = Rng::from_env_or(0xc00c1e);
    let seed = rng.seed();
    for _ in 0..50_000 {
        let len = (rng.next() % 160) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        assert!(
            decode(&URL_SAFE_NO_PAD.encode(&bytes), &keys).is_err(),
            "seed {seed}"
        );
        let text = String::from_utf8_lossy(&bytes);
        assert!(decode(&text, &keys).is_err(), "seed {seed}");
    }
}

#[test]
fn signed_arbitrary_bodies_parse_or_error_and_what_parses_round_trips() {
    let keys = Keyring::parse(KEY).unwrap();
    let mut rng = Rng::from_env_or(0x51feed);
    let seed = rng.seed();
    let mut parsed = 0;
    for _ in 0..50_000 {
        // Mostly well-shaped bodies (so the field parser runs), some with random lengths and
        // out-of-range fields.
        let flags = (rng.next() % 20) as u8;
        let (n_cat, n_brand, n_recent) = (
            (rng.next() % 6) as u8,
            (rng.next() % 7) as u8,
            (rng.next() % 6) as u8,
        );
        let mut body = vec![1u8, 7];
        body.extend((0..26).map(|_| rng.next() as u8));
        body[24] = flags;
        body[25] = (rng.next() % 120) as u8;
        body[26] = (n_cat << 4) | n_brand;
        body[27] = n_recent;
        let ck = if flags & 8 != 0 { 8 } else { 0 };
        let rest = ck + 3 * usize::from(n_cat + n_brand) + 4 * usize::from(n_recent);
        body.extend((0..rest).map(|_| rng.next() as u8));
        match rng.next() % 10 {
            0 => body.truncate(body.len() - (rng.next() % 4) as usize),
            1 => body.push(rng.next() as u8),
            _ => {}
        }
        if let Ok(signal) = decode(&sign(&body), &keys) {
            parsed += 1;
            // Whatever verifies re-encodes to the same bytes: no field is silently changed.
            let again = encode(&signal, &keys);
            assert_eq!(again, sign(&body), "seed {seed}");
        }
    }
    assert!(
        parsed > 0,
        "the generator should produce some valid bodies (seed {seed})"
    );
}
