//! `poll_oneoff`: clock and descriptor subscriptions.
//!
//! The core ([`poll`]) is shared with preview0, whose subscriptions have another layout but
//! whose events are laid out exactly as preview1's. It works in two passes over the guest's
//! subscription array, so host memory stays bounded whatever `nsubscriptions` is: the first
//! pass finds the earliest deadline of each clock and the distinct descriptors to hand to the
//! OS (at most one per open guest descriptor); after the wait, the second pass reads the
//! subscriptions again and writes one event per subscription that is ready.
//!
//! Regular files and embedder streams are always ready (a read event on a file reports the
//! bytes between its offset and its end); pipes, terminals, sockets and other devices are
//! waited on with the OS's `poll`. Per-subscription problems (a bad descriptor, a missing
//! right, a CPU-time clock) are reported as an event carrying the errno, which makes the call
//! return at once, as a ready subscription would.

use std::collections::HashMap;

use wasihost_guest::{GuestMemory, GuestPtr};

use crate::ctx::WasiCtx;
use crate::entry::Node;
use crate::error::Error;
use crate::preview1::types::{
    self, Clockid, Errno, Event, EventFdReadwrite, Eventrwflags, Eventtype, Fd, Rights,
    Subclockflags, SubscriptionU,
};
use crate::sys::PollHandle;
use crate::sys::poll::{Interest, Readiness as HostReadiness};
use crate::vfs::Readiness;

/// What one subscription waits for, whatever the snapshot's layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    /// Clock `id` reaches `timeout` (`abstime`) or `timeout` nanoseconds from the call's start.
    Clock {
        id: Clockid,
        timeout: u64,
        abstime: bool,
    },
    /// `fd` can be read.
    Read(Fd),
    /// `fd` can be written.
    Write(Fd),
}

/// One subscription: what it waits for and the value its event carries back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sub {
    pub userdata: u64,
    pub want: Want,
}

impl From<types::Subscription> for Sub {
    fn from(s: types::Subscription) -> Self {
        let want = match s.u {
            SubscriptionU::Clock(c) => Want::Clock {
                id: c.id,
                timeout: c.timeout,
                abstime: c.flags.contains(Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME),
            },
            SubscriptionU::FdRead(f) => Want::Read(f.file_descriptor),
            SubscriptionU::FdWrite(f) => Want::Write(f.file_descriptor),
        };
        Sub {
            userdata: s.userdata,
            want,
        }
    }
}

pub fn poll_oneoff(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    r#in: GuestPtr<types::Subscription>,
    out: GuestPtr<Event>,
    nsubscriptions: types::Size,
) -> Result<types::Size, Error> {
    if nsubscriptions == 0 {
        return Err(Errno::Inval.into());
    }
    r#in.as_array(nsubscriptions).validate(mem)?;
    out.as_array(nsubscriptions).validate(mem)?;
    poll(cx, mem, nsubscriptions, out, |mem, i| {
        Ok(Sub::from(r#in.add_elements(i)?.read(mem)?))
    })
}

/// The clocks that can be waited on, in a fixed order.
const CLOCKS: [Clockid; 2] = [Clockid::Realtime, Clockid::Monotonic];

fn clock_slot(id: Clockid) -> Option<usize> {
    CLOCKS.iter().position(|c| *c == id)
}

/// One reading of each waitable clock, taken the first time it is needed: a call that waits on
/// one clock reads only that one (twice: at the start and after the wait).
#[derive(Clone, Copy, Default)]
struct Readings([Option<u64>; 2]);

impl Readings {
    fn get(&mut self, cx: &WasiCtx, slot: usize) -> Result<u64, Error> {
        if let Some(t) = self.0[slot] {
            return Ok(t);
        }
        let t = cx.clocks.now(CLOCKS[slot])?;
        self.0[slot] = Some(t);
        Ok(t)
    }
}

/// Wait for `n` subscriptions, read by `read(mem, i)` (the arrays are already validated), and
/// write one event per ready subscription to `out`. Returns the number of events.
pub(crate) fn poll(
    cx: &WasiCtx,
    mem: &mut GuestMemory<'_>,
    n: u32,
    out: GuestPtr<Event>,
    read: impl Fn(&GuestMemory<'_>, u32) -> Result<Sub, Error>,
) -> Result<u32, Error> {
    let mut start = Readings::default();
    let mut plan = Plan::default();
    for i in 0..n {
        let sub = read(mem, i)?;
        plan.add(cx, &mut start, &sub)?;
    }
    let mut ready = vec![HostReadiness::default(); plan.interests.len()];
    plan.wait(cx, start, &mut ready)?;
    let mut end = Readings::default();
    let mut count = 0u32;
    for i in 0..n {
        let sub = read(mem, i)?;
        if let Some(event) = plan.event(cx, &mut start, &mut end, &ready, &sub)? {
            out.add_elements(count)?.write(mem, event)?;
            count += 1;
        }
    }
    Ok(count)
}

/// Where an fd subscription stands without waiting.
enum FdState<'a> {
    /// Settled: an error, or ready with this many bytes to read.
    Done(Result<u64, Errno>),
    /// Ask the OS.
    Poll(PollHandle<'a>),
}

/// Look at the descriptor behind an fd subscription.
fn fd_state(cx: &WasiCtx, fd: Fd, write: bool) -> FdState<'_> {
    let Ok(entry) = cx.entry(fd) else {
        return FdState::Done(Err(Errno::Badf));
    };
    let data = if write {
        Rights::FD_WRITE
    } else {
        Rights::FD_READ
    };
    if entry.require(Rights::POLL_FD_READWRITE | data).is_err() {
        return FdState::Done(Err(Errno::Notcapable));
    }
    let readiness = match &entry.node {
        Node::File(f) => f.readiness(write),
        // Directories can be neither read nor written: the OS reports them ready.
        Node::Dir(_) => Ok(Readiness::Ready(0)),
    };
    match readiness {
        Ok(Readiness::Ready(n)) => FdState::Done(Ok(if write { 0 } else { n })),
        Ok(Readiness::Wait(h)) => FdState::Poll(h),
        Err(e) => FdState::Done(Err(e.errno().unwrap_or(Errno::Io))),
    }
}

/// What the first pass learned.
#[derive(Default)]
struct Plan<'a> {
    /// Some subscription is already settled: do not block.
    immediate: bool,
    /// Earliest deadline per waitable clock.
    deadline: [Option<u64>; 2],
    /// Descriptors for the OS, one per guest descriptor.
    interests: Vec<Interest<'a>>,
    /// Guest descriptor number → index in `interests`.
    index: HashMap<u32, usize>,
}

/// The absolute deadline of a clock subscription, on its clock.
fn deadline(
    cx: &WasiCtx,
    start: &mut Readings,
    slot: usize,
    timeout: u64,
    abstime: bool,
) -> Result<u64, Error> {
    Ok(if abstime {
        timeout
    } else {
        start.get(cx, slot)?.saturating_add(timeout)
    })
}

impl<'a> Plan<'a> {
    fn add(&mut self, cx: &'a WasiCtx, start: &mut Readings, sub: &Sub) -> Result<(), Error> {
        match sub.want {
            Want::Clock {
                id,
                timeout,
                abstime,
            } => {
                let Some(slot) = clock_slot(id) else {
                    self.immediate = true;
                    return Ok(());
                };
                let d = deadline(cx, start, slot, timeout, abstime)?;
                let earliest = &mut self.deadline[slot];
                *earliest = Some(earliest.map_or(d, |e| e.min(d)));
            }
            Want::Read(fd) | Want::Write(fd) => {
                let write = matches!(sub.want, Want::Write(_));
                match fd_state(cx, fd, write) {
                    FdState::Done(_) => self.immediate = true,
                    FdState::Poll(host) => {
                        let i = *self.index.entry(fd.raw()).or_insert_with(|| {
                            self.interests.push(Interest {
                                fd: host,
                                read: false,
                                write: false,
                            });
                            self.interests.len() - 1
                        });
                        let interest = &mut self.interests[i];
                        interest.read |= !write;
                        interest.write |= write;
                    }
                }
            }
        }
        Ok(())
    }

    /// The shortest time left until a clock deadline (0 if one has passed) as of `now`, and the
    /// clock and deadline it belongs to; `None` without clock subscriptions.
    fn next_deadline(
        &self,
        cx: &WasiCtx,
        now: &mut Readings,
    ) -> Result<Option<(u64, Clockid, u64)>, Error> {
        let mut best: Option<(u64, Clockid, u64)> = None;
        for (slot, d) in self.deadline.iter().enumerate() {
            if let Some(d) = *d {
                let left = d.saturating_sub(now.get(cx, slot)?);
                if best.is_none_or(|(b, _, _)| left < b) {
                    best = Some((left, CLOCKS[slot], d));
                }
            }
        }
        Ok(best)
    }

    /// Block until a descriptor is ready or a clock deadline passes (not at all if a
    /// subscription is already settled), filling `ready`. The first round measures the time
    /// left from `start` (a deadline already reached then needs no further reading; sleeps are
    /// to absolute deadlines, so an early reading never shortens one). With virtual clocks,
    /// descriptors are only looked at, and a deadline is then reached by moving the clock.
    fn wait(
        &self,
        cx: &WasiCtx,
        start: Readings,
        ready: &mut [HostReadiness],
    ) -> Result<(), Error> {
        let virtual_time = cx.clocks.is_virtual();
        let mut now = start;
        loop {
            let next = self.next_deadline(cx, &mut now)?;
            now = Readings::default();
            let timeout = if self.immediate || (virtual_time && next.is_some()) {
                Some(0)
            } else {
                next.map(|(left, _, _)| left)
            };
            if !self.interests.is_empty() {
                let n = crate::sys::poll::wait(&self.interests, timeout, ready)?;
                if n > 0 || self.immediate {
                    return Ok(());
                }
                if timeout != Some(0) {
                    continue;
                }
            }
            match next {
                Some((left, clock, d)) if left > 0 && !self.immediate => {
                    cx.clocks.sleep_until(clock, d)?;
                    if virtual_time {
                        return Ok(());
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// The event for `sub` after the wait, if it is ready.
    fn event(
        &self,
        cx: &WasiCtx,
        start: &mut Readings,
        end: &mut Readings,
        ready: &[HostReadiness],
        sub: &Sub,
    ) -> Result<Option<Event>, Error> {
        let (r#type, fd, write) = match sub.want {
            Want::Clock {
                id,
                timeout,
                abstime,
            } => {
                let error = match clock_slot(id) {
                    None => Errno::Notsup,
                    Some(slot) => {
                        if end.get(cx, slot)? < deadline(cx, start, slot, timeout, abstime)? {
                            return Ok(None);
                        }
                        Errno::Success
                    }
                };
                return Ok(Some(event(sub.userdata, Eventtype::Clock, error, 0, false)));
            }
            Want::Read(fd) => (Eventtype::FdRead, fd, false),
            Want::Write(fd) => (Eventtype::FdWrite, fd, true),
        };
        let host = match fd_state(cx, fd, write) {
            FdState::Done(Ok(nbytes)) => {
                return Ok(Some(event(
                    sub.userdata,
                    r#type,
                    Errno::Success,
                    nbytes,
                    false,
                )));
            }
            FdState::Done(Err(e)) => return Ok(Some(event(sub.userdata, r#type, e, 0, false))),
            FdState::Poll(host) => host,
        };
        // A descriptor missing from the plan can only come from a guest rewriting its own
        // shared memory during the call: report nothing for it.
        let Some(&i) = self.index.get(&fd.raw()) else {
            return Ok(None);
        };
        let r = ready[i];
        let (error, nbytes) = if r.invalid {
            (Errno::Badf, 0)
        } else if r.error {
            (Errno::Io, 0)
        } else if write && (r.writable || r.hangup) {
            (Errno::Success, 0)
        } else if !write && (r.readable || r.hangup) {
            let n = crate::sys::poll::readable_bytes(host).unwrap_or(0);
            (Errno::Success, n)
        } else {
            return Ok(None);
        };
        Ok(Some(event(sub.userdata, r#type, error, nbytes, r.hangup)))
    }
}

fn event(userdata: u64, r#type: Eventtype, error: Errno, nbytes: u64, hangup: bool) -> Event {
    let flags = if hangup && error == Errno::Success {
        Eventrwflags::FD_READWRITE_HANGUP
    } else {
        Eventrwflags::empty()
    };
    Event {
        userdata,
        error,
        r#type,
        fd_readwrite: EventFdReadwrite { nbytes, flags },
    }
}
