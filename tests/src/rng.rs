//! Random interleavings that can be replayed: a seeded generator whose seed a test prints.

/// A tiny deterministic random generator (xorshift), seeded per test and printed so a
/// failing interleaving can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn from_env_or_time(name: &str) -> Rng {
        let seed = std::env::var("PSPM_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(42)
            });
        eprintln!("{name}: PSPM_TEST_SEED={seed}");
        Rng(seed | 1)
    }

    /// A generator of its own for each of several tasks, from one printed seed.
    pub fn seeded(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in `low..high` (milliseconds, say).
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low).max(1)
    }
}
