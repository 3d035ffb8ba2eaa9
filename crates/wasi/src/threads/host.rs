//! The host each thread's store sees: a handle to the shared context that lends it to one
//! hostcall at a time (the generated `Lend` traits), except sleeps, which wait unlocked.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasihost_guest::{GuestMemory, GuestPtr, Trap};

use super::process::Process;
use crate::WasiCtx;
use crate::error::Error;
use crate::preview1::types::{
    Clockid, Errno, Event, EventFdReadwrite, Eventrwflags, Eventtype, Size, Subclockflags,
    Subscription, SubscriptionU,
};

/// A thread's handle to the shared context.
#[derive(Clone)]
pub(crate) struct Shared(pub Arc<Process>);

impl crate::preview1::wasi_snapshot_preview1::Lend for Shared {
    type Host = WasiCtx;

    #[inline]
    fn lend<R>(&mut self, f: impl FnOnce(&mut WasiCtx) -> R) -> R {
        f(&mut self.0.ctx())
    }

    #[inline]
    fn trace_enabled(&self) -> bool {
        self.0.traced
    }

    fn poll_oneoff(
        &mut self,
        mem: &mut GuestMemory<'_>,
        subs: GuestPtr<Subscription>,
        out: GuestPtr<Event>,
        n: Size,
    ) -> Result<Size, Error> {
        match sleep(&self.0, mem, subs, out, n)? {
            Some(events) => Ok(events),
            None => self.lend(|cx| {
                use crate::preview1::wasi_snapshot_preview1::WasiSnapshotPreview1;
                cx.poll_oneoff(mem, subs, out, n)
            }),
        }
    }
}

impl crate::preview0::wasi_unstable::Lend for Shared {
    type Host = WasiCtx;

    #[inline]
    fn lend<R>(&mut self, f: impl FnOnce(&mut WasiCtx) -> R) -> R {
        f(&mut self.0.ctx())
    }

    #[inline]
    fn trace_enabled(&self) -> bool {
        self.0.traced
    }
}

/// Where a realtime or monotonic clock subscription falls due, on its clock.
fn due(sub: &Subscription, start: &[u64; 2]) -> Option<(usize, u64)> {
    let SubscriptionU::Clock(c) = sub.u else {
        return None;
    };
    let slot = match c.id {
        Clockid::Realtime => 0,
        Clockid::Monotonic => 1,
        _ => return None,
    };
    let at = if c.flags.contains(Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME) {
        c.timeout
    } else {
        start[slot].saturating_add(c.timeout)
    };
    Some((slot, at))
}

const CLOCKS: [Clockid; 2] = [Clockid::Realtime, Clockid::Monotonic];

/// `poll_oneoff` for a pure sleep — every subscription on the realtime or monotonic clock of
/// host clocks — waiting without the context's lock and ending early if the guest ends.
/// `None`: not a pure sleep (or virtual clocks, which never wait); the context handles it.
fn sleep(
    p: &Process,
    mem: &mut GuestMemory<'_>,
    subs: GuestPtr<Subscription>,
    out: GuestPtr<Event>,
    n: Size,
) -> Result<Option<Size>, Error> {
    if n == 0 || p.clocks.is_virtual() {
        return Ok(None);
    }
    subs.as_array(n).validate(mem)?;
    out.as_array(n).validate(mem)?;
    let start = [p.clocks.now(CLOCKS[0])?, p.clocks.now(CLOCKS[1])?];
    let mut earliest: [Option<u64>; 2] = [None, None];
    for i in 0..n {
        let Some((slot, at)) = due(&subs.add_elements(i)?.read(mem)?, &start) else {
            return Ok(None);
        };
        earliest[slot] = Some(earliest[slot].map_or(at, |e| e.min(at)));
    }
    // Wait until the earliest deadline of either clock has passed.
    let mut end = start;
    loop {
        let mut left = u64::MAX;
        for slot in 0..2 {
            if let Some(at) = earliest[slot] {
                left = left.min(at.saturating_sub(end[slot]));
            }
        }
        if left == 0 {
            break;
        }
        let deadline = Instant::now().checked_add(Duration::from_nanos(left));
        let woke = match deadline {
            Some(d) => p.sleep_until(d),
            None => p.sleep_until(Instant::now() + Duration::from_secs(86_400)),
        };
        if !woke {
            return Err(Error::Trap(Trap::Message(
                "poll_oneoff: the guest ended while this thread slept".to_string(),
            )));
        }
        end = [p.clocks.now(CLOCKS[0])?, p.clocks.now(CLOCKS[1])?];
    }
    // The subscriptions are read again: another thread may have changed them meanwhile,
    // which can only drop events.
    let mut count = 0;
    for i in 0..n {
        let sub = subs.add_elements(i)?.read(mem)?;
        if let Some((slot, at)) = due(&sub, &start)
            && end[slot] >= at
        {
            let event = Event {
                userdata: sub.userdata,
                error: Errno::Success,
                r#type: Eventtype::Clock,
                fd_readwrite: EventFdReadwrite {
                    nbytes: 0,
                    flags: Eventrwflags::empty(),
                },
            };
            out.add_elements(count)?.write(mem, event)?;
            count += 1;
        }
    }
    Ok(Some(count))
}
