//! Shared helpers for native integration tests: the external fixtures and a replayable PRNG.
#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;

/// `../shared/fixtures` beside the checkout (or `VITRINE_FIXTURES`). `None` when absent, which
/// is allowed only outside CI: in CI (`CI` set) a missing corpus is a failure, not a skip.
pub fn fixtures() -> Option<PathBuf> {
    let dir = std::env::var_os("VITRINE_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"));
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but the fixtures are missing at {}",
        dir.display()
    );
    eprintln!("skipping: ../shared/fixtures not found (a plain clone outside the workplace)");
    None
}

/// Reads a fixture file, gunzipping `*.gz`.
pub fn read(path: &std::path::Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        out
    } else {
        raw
    }
}

/// xorshift64*: tiny, deterministic, good enough to pick chunk sizes. Seeds are printed on
/// failure so a failing split can be replayed (`VITRINE_SEED=<n> cargo test`).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn from_env_or(default: u64) -> Self {
        let seed = std::env::var("VITRINE_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default);
        Rng::new(seed)
    }
    pub fn seed(&self) -> u64 {
        self.0
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Chunk sizes that cover `len` bytes, mixing tiny (1..8) and larger pieces.
    pub fn chunk_sizes(&mut self, len: usize) -> Vec<usize> {
        let mut sizes = Vec::new();
        let mut covered = 0;
        while covered < len {
            let n = if self.next().is_multiple_of(3) {
                1 + (self.next() % 8) as usize
            } else {
                1 + (self.next() % 4096) as usize
            };
            sizes.push(n);
            covered += n;
        }
        sizes
    }
}
