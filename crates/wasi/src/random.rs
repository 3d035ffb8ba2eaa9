//! The guest's randomness: [`WasiRandom`], behind `random_get`.
//!
//! The default, [`OsRandom`], is a ChaCha12 generator in user space (no system call per
//! buffer), seeded from the kernel's random source, reseeded after every
//! [`OsRandom::RESEED_BYTES`] bytes and after a `fork` of the host process, and never shared
//! between contexts. [`SeededRandom`] is the same generator from a fixed seed, for
//! deterministic runs.

use rand_chacha::ChaCha12Rng;
use rand_core::{RngCore, SeedableRng};

use crate::error::Result;

/// A source of random bytes for one guest.
pub trait WasiRandom: Send {
    /// Fill `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]) -> Result<()>;
}

/// A cryptographically secure generator seeded from the OS (see the module docs).
pub struct OsRandom {
    rng: ChaCha12Rng,
    /// Bytes produced since the last seeding.
    produced: u64,
    /// The process the generator was seeded in: a forked child reseeds before its first use.
    pid: u32,
}

impl OsRandom {
    /// Bytes produced between two seedings from the OS.
    pub const RESEED_BYTES: u64 = 64 << 20;

    /// A generator seeded from the kernel now.
    pub fn new() -> Result<Self> {
        Ok(OsRandom {
            rng: Self::seeded()?,
            produced: 0,
            pid: crate::sys::clock::process_id(),
        })
    }

    fn seeded() -> Result<ChaCha12Rng> {
        let mut seed = [0u8; 32];
        crate::sys::clock::getrandom(&mut seed)?;
        Ok(ChaCha12Rng::from_seed(seed))
    }
}

impl std::fmt::Debug for OsRandom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OsRandom")
    }
}

impl WasiRandom for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<()> {
        let pid = crate::sys::clock::process_id();
        if self.produced >= Self::RESEED_BYTES || pid != self.pid {
            self.rng = Self::seeded()?;
            self.produced = 0;
            self.pid = pid;
        }
        self.rng.fill_bytes(buf);
        self.produced += buf.len() as u64;
        Ok(())
    }
}

/// The same generator from a fixed seed: the same bytes on every run.
pub struct SeededRandom(ChaCha12Rng);

impl SeededRandom {
    /// A generator whose output depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        SeededRandom(ChaCha12Rng::seed_from_u64(seed))
    }
}

impl std::fmt::Debug for SeededRandom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SeededRandom")
    }
}

impl WasiRandom for SeededRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<()> {
        self.0.fill_bytes(buf);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_is_repeatable_and_os_is_not() {
        let (mut a, mut b) = ([0u8; 64], [0u8; 64]);
        SeededRandom::new(7).fill(&mut a).unwrap();
        SeededRandom::new(7).fill(&mut b).unwrap();
        assert_eq!(a, b);
        SeededRandom::new(8).fill(&mut b).unwrap();
        assert_ne!(a, b);
        OsRandom::new().unwrap().fill(&mut a).unwrap();
        OsRandom::new().unwrap().fill(&mut b).unwrap();
        assert_ne!(a, b, "two contexts share no generator state");
    }

    #[test]
    fn reseeds_after_the_byte_budget() {
        let mut r = OsRandom::new().unwrap();
        r.produced = OsRandom::RESEED_BYTES;
        let mut buf = [0u8; 16];
        r.fill(&mut buf).unwrap();
        assert_eq!(r.produced, 16);
    }
}
