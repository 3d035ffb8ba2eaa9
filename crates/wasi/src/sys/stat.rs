//! File attributes of open descriptors on Linux: `fstat` and `futimens`.

use std::os::fd::BorrowedFd;

use rustix::fs::{FileType, Timespec, Timestamps, UTIME_NOW, UTIME_OMIT};

use crate::error::Result;
use crate::preview1::types::{Filestat, Timestamp};

/// What to do with one timestamp of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetTime {
    /// Leave it as it is.
    Keep,
    /// Set it to the current time.
    Now,
    /// Set it to this many nanoseconds since the epoch.
    At(Timestamp),
}

/// Nanoseconds since the epoch for a `(seconds, nanoseconds)` pair; times before 1970 read as 0
/// and times past what 64 bits hold read as the largest value.
fn nanos(secs: i64, nsec: i64) -> Timestamp {
    let Ok(secs) = u64::try_from(secs) else {
        return 0;
    };
    let nsec = u64::try_from(nsec).unwrap_or(0);
    secs.checked_mul(1_000_000_000)
        .and_then(|ns| ns.checked_add(nsec))
        .unwrap_or(u64::MAX)
}

/// The attributes of the file open as `fd`. `socket` says the descriptor is a socket, whose
/// WASI file type (stream or datagram) the OS's file mode does not tell.
pub fn filestat(fd: BorrowedFd<'_>, socket: bool) -> Result<Filestat> {
    let st = rustix::fs::fstat(fd)?;
    let filetype = if socket {
        super::socket_filetype(fd)
    } else {
        super::filetype_from_mode(FileType::from_raw_mode(st.st_mode))
    };
    Ok(Filestat {
        dev: st.st_dev,
        ino: st.st_ino,
        filetype,
        nlink: st.st_nlink,
        size: u64::try_from(st.st_size).unwrap_or(0),
        atim: nanos(st.st_atime, st.st_atime_nsec as i64),
        mtim: nanos(st.st_mtime, st.st_mtime_nsec as i64),
        ctim: nanos(st.st_ctime, st.st_ctime_nsec as i64),
    })
}

fn timespec(t: SetTime) -> Timespec {
    match t {
        SetTime::Keep => Timespec {
            tv_sec: 0,
            tv_nsec: UTIME_OMIT,
        },
        SetTime::Now => Timespec {
            tv_sec: 0,
            tv_nsec: UTIME_NOW,
        },
        SetTime::At(ns) => Timespec {
            // At most u64::MAX / 10^9, which fits an i64.
            tv_sec: (ns / 1_000_000_000) as i64,
            tv_nsec: (ns % 1_000_000_000) as _,
        },
    }
}

/// Set the access and modification times of the file open as `fd` (`futimens`).
pub fn set_times(fd: BorrowedFd<'_>, atim: SetTime, mtim: SetTime) -> Result<()> {
    let times = Timestamps {
        last_access: timespec(atim),
        last_modification: timespec(mtim),
    };
    rustix::fs::futimens(fd, &times)?;
    Ok(())
}
