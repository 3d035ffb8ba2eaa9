//! The guest's view of time: [`WasiClocks`], behind `clock_res_get`, `clock_time_get`, the
//! clock subscriptions of `poll_oneoff` and `sched_yield`.
//!
//! [`OsClocks`] (the default) reads the host's clocks and sleeps on them. [`VirtualClocks`] is
//! a clock for deterministic runs: it starts at a fixed epoch, advances by a fixed step on every
//! read, and sleeping advances it by the time asked for and returns at once.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Result;
use crate::preview1::types::{Clockid, Errno, Timestamp};

/// The clocks and scheduler a guest sees.
///
/// All four WASI clocks go through [`WasiClocks::now`]; `poll_oneoff` computes its deadlines
/// with it and waits with [`WasiClocks::sleep_until`] when no descriptor is involved.
pub trait WasiClocks: Send + Sync {
    /// The current time of clock `id`, in nanoseconds (since the epoch for the realtime
    /// clock; from an arbitrary start for the others).
    fn now(&self, id: Clockid) -> Result<Timestamp>;

    /// The resolution of clock `id`, in nanoseconds.
    fn resolution(&self, id: Clockid) -> Result<Timestamp>;

    /// Block until clock `id` (realtime or monotonic) reads at least `deadline`. Default: sleep
    /// on the host for the difference, reading [`WasiClocks::now`] again until it is reached.
    fn sleep_until(&self, id: Clockid, deadline: Timestamp) -> Result<()> {
        loop {
            let now = self.now(id)?;
            if now >= deadline {
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_nanos(deadline - now));
        }
    }

    /// `sched_yield`. Default: the host thread yields.
    fn yield_now(&self) -> Result<()> {
        std::thread::yield_now();
        Ok(())
    }

    /// True when the clocks do not follow the host's time (a virtual clock): `poll_oneoff` then
    /// never waits on the host for a clock deadline while it also watches descriptors.
    fn is_virtual(&self) -> bool {
        false
    }
}

/// The host's clocks (`clock_gettime`, `clock_nanosleep`).
#[derive(Clone, Copy, Debug, Default)]
pub struct OsClocks;

impl WasiClocks for OsClocks {
    fn now(&self, id: Clockid) -> Result<Timestamp> {
        crate::sys::clock::now(id)
    }

    fn resolution(&self, id: Clockid) -> Result<Timestamp> {
        crate::sys::clock::resolution(id)
    }

    fn sleep_until(&self, id: Clockid, deadline: Timestamp) -> Result<()> {
        crate::sys::clock::sleep_until(id, deadline)
    }
}

/// Virtual clocks for deterministic runs.
///
/// Both the realtime and the monotonic clock start at fixed values and move forward by
/// [`VirtualClocks::step`] nanoseconds on every read, so that a guest measuring a duration
/// sees time pass; sleeping moves them forward to the deadline and returns at once. The
/// CPU-time clocks read as the monotonic clock's time since the start. Clones share one time.
#[derive(Debug)]
pub struct VirtualClocks {
    /// Nanoseconds since the start.
    elapsed: AtomicU64,
    epoch: Timestamp,
    step: u64,
}

impl VirtualClocks {
    /// The realtime clock's first reading: 2000-01-01T00:00:00Z.
    pub const DEFAULT_EPOCH: Timestamp = 946_684_800_000_000_000;
    /// How far a read moves the clocks: 1 µs.
    pub const DEFAULT_STEP: u64 = 1_000;
    /// The resolution reported for every clock.
    pub const RESOLUTION: Timestamp = 1;

    /// Clocks starting at `epoch` (realtime; monotonic starts at 0) and advancing by `step`
    /// nanoseconds per read.
    pub fn new(epoch: Timestamp, step: u64) -> Self {
        VirtualClocks {
            elapsed: AtomicU64::new(0),
            epoch,
            step,
        }
    }

    /// The realtime clock's first reading.
    pub fn epoch(&self) -> Timestamp {
        self.epoch
    }

    /// How far each read moves the clocks.
    pub fn step(&self) -> u64 {
        self.step
    }

    fn base(&self, id: Clockid) -> Timestamp {
        match id {
            Clockid::Realtime => self.epoch,
            _ => 0,
        }
    }
}

impl Default for VirtualClocks {
    fn default() -> Self {
        Self::new(Self::DEFAULT_EPOCH, Self::DEFAULT_STEP)
    }
}

impl WasiClocks for VirtualClocks {
    fn now(&self, id: Clockid) -> Result<Timestamp> {
        let elapsed = self.elapsed.fetch_add(self.step, Ordering::Relaxed);
        self.base(id)
            .checked_add(elapsed)
            .ok_or(Errno::Overflow.into())
    }

    fn resolution(&self, _id: Clockid) -> Result<Timestamp> {
        Ok(Self::RESOLUTION)
    }

    fn sleep_until(&self, id: Clockid, deadline: Timestamp) -> Result<()> {
        let target = deadline.saturating_sub(self.base(id));
        self.elapsed.fetch_max(target, Ordering::Relaxed);
        Ok(())
    }

    fn yield_now(&self) -> Result<()> {
        Ok(())
    }

    fn is_virtual(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_time_steps_and_sleeps() {
        let c = VirtualClocks::new(1_000_000, 10);
        assert_eq!(c.now(Clockid::Realtime).unwrap(), 1_000_000);
        assert_eq!(c.now(Clockid::Monotonic).unwrap(), 10);
        c.sleep_until(Clockid::Monotonic, 5_000).unwrap();
        assert_eq!(c.now(Clockid::Monotonic).unwrap(), 5_000);
        // A deadline in the past does not move time back.
        c.sleep_until(Clockid::Realtime, 0).unwrap();
        assert_eq!(c.now(Clockid::Realtime).unwrap(), 1_005_010);
        assert_eq!(c.resolution(Clockid::ThreadCputimeId).unwrap(), 1);
    }
}
