//! Experiment arms, assigned at the edge: a visitor's bucket is a keyed hash of their id and the
//! experiment's salt, so it is stable across requests, and across devices once stitched (the id
//! lives on with the profile). An arm is a threshold on the bucket: raising a share from 10% to
//! 20% moves exactly the visitors between the two thresholds, and no one else.
//!
//! Experiments run side by side without interference (each has its own salt, so buckets are
//! independent): the global holdout (`personalization.holdout`: its control arm gets the origin's
//! order, hero and image, and keeps the rails: stock, exclusions, brand separation), and rule-level
//! tests (`experiments: [{"id", "rule", "share"}]`: the rule is on for that share of the visitors
//! it would apply to). Every collector batch carries the visitor's arms.
//!
//! A leaf: imports nothing of vitrine's.

use sha2::{Digest, Sha256};

/// Buckets per experiment (a share is counted in hundredths of a percent).
pub const BUCKETS: u32 = 10_000;

/// The global holdout's salt.
pub const HOLDOUT: &str = "holdout";

/// A visitor's bucket in an experiment: `0..BUCKETS`, a keyed hash of the salt and the id.
pub fn bucket(visitor_id: &[u8], salt: &str) -> u32 {
    let mut h = Sha256::new();
    h.update(b"vitrine experiment\0");
    h.update(salt.as_bytes());
    h.update([0]);
    h.update(visitor_id);
    let d = h.finalize();
    let n = d
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, u32::from_be_bytes);
    n % BUCKETS
}

/// Whether a bucket falls in a share (`0.0..=1.0`) of the buckets: the first `share` of them.
pub fn within(bucket: u32, share: f64) -> bool {
    f64::from(bucket) < share * f64::from(BUCKETS)
}

/// A rule-level test: `rule` is on for `share` of the visitors it would apply to.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleTest {
    /// The experiment's name (its arms are reported under it).
    pub id: String,
    /// The rule tested.
    pub rule: String,
    /// The share of visitors with the rule on.
    pub share: f64,
    /// The salt (the id unless given: a new salt re-randomizes).
    pub salt: String,
}

/// A config version served to a share of visitors instead of the live one (`PUT
/// /__vitrine/config/canary`); its arm is `canary` or `live`.
#[derive(Debug, Clone, PartialEq)]
pub struct Canary {
    /// The canary version.
    pub version: String,
    /// Its share of visitors (with a signal).
    pub share: f64,
}

impl Canary {
    /// The salt: a new canary version draws its visitors afresh.
    pub fn salt(&self) -> String {
        format!("canary:{}", self.version)
    }

    /// Whether this visitor is served the canary.
    pub fn serves(&self, visitor_id: &[u8]) -> bool {
        within(bucket(visitor_id, &self.salt()), self.share)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(i: u32) -> [u8; 12] {
        let mut b = [0u8; 12];
        b[..4].copy_from_slice(&i.to_be_bytes());
        b
    }

    #[test]
    fn buckets_are_stable_uniform_and_independent_per_salt() {
        assert_eq!(bucket(&id(7), "a"), bucket(&id(7), "a"));
        let n = 20_000;
        let in_a = (0..n).filter(|&i| within(bucket(&id(i), "a"), 0.1)).count();
        assert!((1_800..2_200).contains(&in_a), "{in_a} of {n} in a 10% arm");
        // Independent salts: of those in a's 10%, about 10% are in b's.
        let both = (0..n)
            .filter(|&i| within(bucket(&id(i), "a"), 0.1) && within(bucket(&id(i), "b"), 0.1))
            .count();
        assert!((120..290).contains(&both), "{both}");
    }

    #[test]
    fn raising_a_share_moves_only_the_visitors_between_the_thresholds() {
        let n = 10_000;
        let moved = (0..n)
            .filter(|&i| within(bucket(&id(i), "s"), 0.1) != within(bucket(&id(i), "s"), 0.2))
            .count();
        let lost = (0..n)
            .filter(|&i| within(bucket(&id(i), "s"), 0.1) && !within(bucket(&id(i), "s"), 0.2))
            .count();
        assert_eq!(lost, 0, "no one in the 10% leaves when it becomes 20%");
        assert!((850..1_150).contains(&moved), "about 10% move: {moved}");
    }
}
