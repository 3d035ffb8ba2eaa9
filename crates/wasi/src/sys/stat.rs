//! File attributes of open descriptors on Linux: `fstat` and `futimens`.

use std::os::fd::BorrowedFd;

use rustix::fs::{FileType, Stat, Timespec, Timestamps, UTIME_OMIT};

use crate::error::Result;
use crate::preview1::types::{Filestat, Timestamp};

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

/// The WASI attributes for a host `stat` (a socket reads as a stream socket).
pub fn from_stat(st: &Stat) -> Filestat {
    Filestat {
        dev: st.st_dev,
        ino: st.st_ino,
        filetype: super::filetype_from_mode(FileType::from_raw_mode(st.st_mode)),
        nlink: st.st_nlink,
        size: u64::try_from(st.st_size).unwrap_or(0),
        atim: nanos(st.st_atime, st.st_atime_nsec as i64),
        mtim: nanos(st.st_mtime, st.st_mtime_nsec as i64),
        ctim: nanos(st.st_ctime, st.st_ctime_nsec as i64),
    }
}

/// The attributes of the file open as `fd`.
pub fn filestat(fd: BorrowedFd<'_>) -> Result<Filestat> {
    Ok(from_stat(&rustix::fs::fstat(fd)?))
}

/// A host time for `*utimens*`: `None` leaves the time as it is.
fn timespec(t: Option<Timestamp>) -> Timespec {
    match t {
        None => Timespec {
            tv_sec: 0,
            tv_nsec: UTIME_OMIT,
        },
        Some(ns) => Timespec {
            // At most u64::MAX / 10^9, which fits an i64.
            tv_sec: (ns / 1_000_000_000) as i64,
            tv_nsec: (ns % 1_000_000_000) as _,
        },
    }
}

/// The host timestamps for an access and a modification time.
pub fn timestamps(atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Timestamps {
    Timestamps {
        last_access: timespec(atim),
        last_modification: timespec(mtim),
    }
}

/// Set the access and modification times of the file open as `fd` (`futimens`).
pub fn set_times(
    fd: BorrowedFd<'_>,
    atim: Option<Timestamp>,
    mtim: Option<Timestamp>,
) -> Result<()> {
    rustix::fs::futimens(fd, &timestamps(atim, mtim))?;
    Ok(())
}
