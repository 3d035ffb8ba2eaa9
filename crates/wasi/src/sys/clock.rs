//! The host's clocks on Linux: `clock_gettime`, `clock_getres`, `clock_nanosleep`.

use rustix::time::{ClockId, Timespec};

use crate::error::Result;
use crate::preview1::types::{Clockid, Errno, Timestamp};

fn host_clock(id: Clockid) -> ClockId {
    match id {
        Clockid::Realtime => ClockId::Realtime,
        Clockid::Monotonic => ClockId::Monotonic,
        Clockid::ProcessCputimeId => ClockId::ProcessCPUTime,
        Clockid::ThreadCputimeId => ClockId::ThreadCPUTime,
    }
}

fn nanos(ts: Timespec) -> Result<Timestamp> {
    let secs = u64::try_from(ts.tv_sec).map_err(|_| Errno::Overflow)?;
    secs.checked_mul(1_000_000_000)
        .and_then(|n| n.checked_add(ts.tv_nsec as u64))
        .ok_or(Errno::Overflow.into())
}

fn timespec(ns: u64) -> Timespec {
    Timespec {
        // At most u64::MAX / 10^9, which fits an i64.
        tv_sec: (ns / 1_000_000_000) as i64,
        tv_nsec: (ns % 1_000_000_000) as _,
    }
}

/// The current time of clock `id` in nanoseconds.
pub fn now(id: Clockid) -> Result<Timestamp> {
    nanos(rustix::time::clock_gettime(host_clock(id)))
}

/// The resolution of clock `id` in nanoseconds.
pub fn resolution(id: Clockid) -> Result<Timestamp> {
    nanos(rustix::time::clock_getres(host_clock(id)))
}

/// Block until clock `id` reads at least `deadline_ns` (an absolute `TIMER_ABSTIME` sleep, so
/// interruptions by signals resume without drift). Returns at once for the CPU-time clocks,
/// which do not advance while the guest sleeps.
pub fn sleep_until(id: Clockid, deadline_ns: Timestamp) -> Result<()> {
    let clock = match id {
        Clockid::Realtime => ClockId::Realtime,
        Clockid::Monotonic => ClockId::Monotonic,
        Clockid::ProcessCputimeId | Clockid::ThreadCputimeId => return Ok(()),
    };
    let when = timespec(deadline_ns);
    loop {
        match rustix::thread::clock_nanosleep_absolute(clock, &when) {
            Ok(()) => return Ok(()),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Fill `bytes` from the kernel's random source (`getrandom`).
pub fn getrandom(mut bytes: &mut [u8]) -> Result<()> {
    while !bytes.is_empty() {
        match rustix::rand::getrandom(&mut *bytes, rustix::rand::GetRandomFlags::empty()) {
            Ok(n) => bytes = &mut bytes[n..],
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// This process's id, to notice a `fork`.
pub fn process_id() -> u32 {
    rustix::process::getpid().as_raw_nonzero().get() as u32
}
