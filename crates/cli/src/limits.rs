//! `-W max-memory-size`: a store resource limiter for both engines that remembers when it
//! stopped a guest; and the epoch ticker behind `-W timeout` on wasmtime.

use std::time::Duration;

/// Refuses to grow any linear memory beyond `max` bytes, and traps the guest when asked to.
pub struct MemoryLimit {
    /// The largest a memory may be, in bytes (`None`: no limit).
    pub max: Option<u64>,
    /// Set when the limit stopped the guest.
    pub hit: bool,
}

/// Why a growth was refused (the error the engine reports).
#[derive(Debug)]
pub struct MemoryLimitHit {
    /// The limit.
    pub max: u64,
    /// The size asked for.
    pub desired: usize,
}

impl std::fmt::Display for MemoryLimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "memory of {} bytes exceeds -W max-memory-size={}",
            self.desired, self.max
        )
    }
}

impl std::error::Error for MemoryLimitHit {}

impl MemoryLimit {
    /// Whether a memory may grow to `desired` bytes (Err: the limit is hit).
    fn check(&mut self, desired: usize, maximum: Option<usize>) -> Result<bool, MemoryLimitHit> {
        if let Some(max) = self.max
            && desired as u64 > max
        {
            self.hit = true;
            return Err(MemoryLimitHit { max, desired });
        }
        Ok(maximum.is_none_or(|m| desired <= m))
    }
}

impl wasmtime::ResourceLimiter for MemoryLimit {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.check(desired, maximum).map_err(wasmtime::Error::new)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(maximum.is_none_or(|m| desired <= m))
    }
}

/// wasmi's default bound on instances, tables and memories in a store.
const WASMI_COUNT_LIMIT: usize = 10_000;

impl wasmi::ResourceLimiter for MemoryLimit {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, wasmi_core::LimiterError> {
        self.check(desired, maximum)
            .map_err(|_| wasmi_core::LimiterError::ResourceLimiterDeniedAllocation)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, wasmi_core::LimiterError> {
        Ok(maximum.is_none_or(|m| desired <= m))
    }

    fn instances(&self) -> usize {
        WASMI_COUNT_LIMIT
    }

    fn tables(&self) -> usize {
        WASMI_COUNT_LIMIT
    }

    fn memories(&self) -> usize {
        WASMI_COUNT_LIMIT
    }
}

/// Bump `engine`'s epoch once `after` has passed, ending a guest whose deadline is one tick
/// away. The thread is detached: the process exits when the run ends.
pub fn start_epoch_timer(engine: &wasmtime::Engine, after: Duration) {
    let engine = engine.clone();
    std::thread::spawn(move || {
        std::thread::sleep(after);
        engine.increment_epoch();
    });
}
