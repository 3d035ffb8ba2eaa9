//! Waiting on host descriptors and clocks (Linux: `ppoll`, `clock_nanosleep`, `FIONREAD`).

use std::os::fd::BorrowedFd;

use rustix::event::{PollFd, PollFlags, Timespec};

use crate::error::Error;

/// What to wait for on one host descriptor.
pub struct Interest<'a> {
    /// The descriptor.
    pub fd: BorrowedFd<'a>,
    /// Wake when it can be read (or has hung up).
    pub read: bool,
    /// Wake when it can be written (or has hung up).
    pub write: bool,
}

/// What the OS reported for one descriptor after [`wait`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Readiness {
    /// Data (or end of file) can be read without blocking.
    pub readable: bool,
    /// Data can be written without blocking.
    pub writable: bool,
    /// The peer hung up.
    pub hangup: bool,
    /// An error condition is pending on the descriptor.
    pub error: bool,
    /// The descriptor is not open (cannot happen for a descriptor the table owns).
    pub invalid: bool,
}

fn timespec(ns: u64) -> Timespec {
    Timespec {
        // At most u64::MAX / 10^9, which fits an i64.
        tv_sec: (ns / 1_000_000_000) as i64,
        tv_nsec: (ns % 1_000_000_000) as _,
    }
}

/// Wait until one of `fds` is ready or `timeout_ns` nanoseconds pass (`None`: no limit), and
/// store what each descriptor reported in `out` (same length as `fds`). Returns how many are
/// ready; 0 after the timeout or when a signal interrupted the wait (the caller re-checks its
/// deadlines and calls again). With no descriptors this is a plain sleep.
pub fn wait(
    fds: &[Interest<'_>],
    timeout_ns: Option<u64>,
    out: &mut [Readiness],
) -> Result<usize, Error> {
    let mut pollfds: Vec<PollFd<'_>> = fds
        .iter()
        .map(|i| {
            let mut flags = PollFlags::empty();
            if i.read {
                flags |= PollFlags::IN;
            }
            if i.write {
                flags |= PollFlags::OUT;
            }
            PollFd::from_borrowed_fd(i.fd, flags)
        })
        .collect();
    let timeout = timeout_ns.map(timespec);
    let n = match rustix::event::poll(&mut pollfds, timeout.as_ref()) {
        Ok(n) => n,
        Err(rustix::io::Errno::INTR) => 0,
        Err(e) => return Err(e.into()),
    };
    for (slot, p) in out.iter_mut().zip(&pollfds) {
        let r = p.revents();
        *slot = Readiness {
            readable: r.intersects(PollFlags::IN | PollFlags::RDNORM | PollFlags::PRI),
            writable: r.intersects(PollFlags::OUT | PollFlags::WRNORM),
            hangup: r.intersects(PollFlags::HUP | PollFlags::RDHUP),
            error: r.contains(PollFlags::ERR),
            invalid: r.contains(PollFlags::NVAL),
        };
    }
    Ok(n)
}

/// Bytes that can be read from a pipe, socket or terminal without blocking, if the OS says.
pub fn readable_bytes(fd: BorrowedFd<'_>) -> Option<u64> {
    rustix::io::ioctl_fionread(fd).ok()
}

/// For a regular file: the bytes between its current offset and its end (0 at or past the
/// end).
pub fn regular_file_remaining(fd: BorrowedFd<'_>) -> Result<u64, Error> {
    let st = rustix::fs::fstat(fd)?;
    let size = u64::try_from(st.st_size).unwrap_or(0);
    let offset = rustix::fs::tell(fd)?;
    Ok(size.saturating_sub(offset))
}
