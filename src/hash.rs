//! The one non-cryptographic hash vitrine uses: FNV-1a, in 32 and 64 bits.
//!
//! It names things compactly where a collision costs little (affinity names in the cookie, the
//! holdout bucket, the packed catalog's index, an isolate's settings fingerprint). Nothing that
//! must resist an attacker uses it: signatures and keyed hashes are HMAC-SHA256
//! ([`crate::signal::cookie`]).
//!
//! A leaf: imports nothing of vitrine's.

const OFFSET32: u32 = 0x811c_9dc5;
const PRIME32: u32 = 0x0100_0193;
const OFFSET64: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME64: u64 = 0x0100_0000_01b3;

/// FNV-1a over bytes, 32 bits.
pub fn fnv1a32(bytes: impl IntoIterator<Item = u8>) -> u32 {
    bytes
        .into_iter()
        .fold(OFFSET32, |h, b| (h ^ u32::from(b)).wrapping_mul(PRIME32))
}

/// FNV-1a over bytes, 64 bits.
pub fn fnv1a64(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes
        .into_iter()
        .fold(OFFSET64, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        // Published FNV-1a test vectors.
        assert_eq!(fnv1a32(*b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(*b"a"), 0xe40c_292c);
        assert_eq!(fnv1a32(*b"foobar"), 0xbf9c_f968);
        assert_eq!(fnv1a64(*b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(*b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(*b"foobar"), 0x8594_4171_f739_67e8);
    }
}
