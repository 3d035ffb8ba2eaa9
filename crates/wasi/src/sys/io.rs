//! Descriptor I/O on Linux: vectored reads and writes, the file offset, status flags, syncing,
//! access hints and space allocation.

use std::io::{IoSlice, IoSliceMut};
use std::num::NonZeroU64;
use std::os::fd::BorrowedFd;

use rustix::fs::{Advice as HostAdvice, FallocateFlags, OFlags, SeekFrom};
use rustix::io::Errno as HostErrno;

use crate::error::{Error, Result};
use crate::preview1::types::{Advice, Errno, Fdflags};

/// The most buffers one vectored call accepts (Linux `IOV_MAX`); more is `EINVAL`.
pub const IOV_MAX: usize = 1024;

/// The most bytes one read or write moves (Linux `MAX_RW_COUNT`): results always fit a `u32`.
pub const MAX_RW: usize = 0x7fff_f000;

/// Retry `op` while a signal interrupts it.
fn retry<T>(mut op: impl FnMut() -> rustix::io::Result<T>) -> rustix::io::Result<T> {
    loop {
        match op() {
            Err(HostErrno::INTR) => continue,
            other => return other,
        }
    }
}

/// Read into `bufs` in one `readv` (or `preadv` at `offset`) call; one buffer is a plain
/// `read` (`pread`), which the kernel serves without importing an iovec array (about 70 ns
/// less per call here).
pub fn readv(
    fd: BorrowedFd<'_>,
    bufs: &mut [IoSliceMut<'_>],
    offset: Option<u64>,
) -> Result<usize> {
    if bufs.len() > IOV_MAX {
        return Err(Errno::Inval.into());
    }
    Ok(retry(|| match (&mut *bufs, offset) {
        ([one], None) => rustix::io::read(fd, &mut one[..]),
        ([one], Some(at)) => rustix::io::pread(fd, &mut one[..], at),
        (bufs, None) => rustix::io::readv(fd, bufs),
        (bufs, Some(at)) => rustix::io::preadv(fd, bufs, at),
    })?)
}

/// Write `bufs` in one `writev` (or `pwritev` at `offset`) call; one buffer is a plain `write`
/// (`pwrite`), as for [`readv`].
pub fn writev(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>], offset: Option<u64>) -> Result<usize> {
    if bufs.len() > IOV_MAX {
        return Err(Errno::Inval.into());
    }
    Ok(retry(|| match (bufs, offset) {
        ([one], None) => rustix::io::write(fd, one),
        ([one], Some(at)) => rustix::io::pwrite(fd, one, at),
        (bufs, None) => rustix::io::writev(fd, bufs),
        (bufs, Some(at)) => rustix::io::pwritev(fd, bufs, at),
    })?)
}

/// Flush the file to storage: data and metadata, or with `data_only` only what reading the data
/// back needs (`fdatasync`).
pub fn sync(fd: BorrowedFd<'_>, data_only: bool) -> Result<()> {
    if data_only {
        rustix::fs::fdatasync(fd)?;
    } else {
        rustix::fs::fsync(fd)?;
    }
    Ok(())
}

/// Apply the emulated `SYNC`/`DSYNC` flags after a write (`RSYNC` with `before_read` before a
/// read). Descriptors that cannot be synced (pipes, sockets, read-only file systems) are left
/// alone, as `O_SYNC` would be.
pub fn sync_for(fd: BorrowedFd<'_>, flags: Fdflags, before_read: bool) -> Result<()> {
    if before_read && !flags.contains(Fdflags::RSYNC) {
        return Ok(());
    }
    let data_only = if flags.contains(Fdflags::SYNC) {
        false
    } else if flags.contains(Fdflags::DSYNC) {
        true
    } else if before_read {
        // `RSYNC` alone: Linux defines it as `O_SYNC`.
        false
    } else {
        return Ok(());
    };
    match sync(fd, data_only) {
        Err(Error::Errno(Errno::Inval | Errno::Rofs)) => Ok(()),
        other => other,
    }
}

/// Move the file offset; returns the new offset. A negative result is `EINVAL`.
pub fn seek(fd: BorrowedFd<'_>, pos: std::io::SeekFrom) -> Result<u64> {
    let pos = match pos {
        std::io::SeekFrom::Start(n) => SeekFrom::Start(n),
        std::io::SeekFrom::Current(n) => SeekFrom::Current(n),
        std::io::SeekFrom::End(n) => SeekFrom::End(n),
    };
    Ok(rustix::fs::seek(fd, pos)?)
}

/// The status flags the OS keeps for the open file: `APPEND`, `NONBLOCK`, and `SYNC`/`DSYNC`
/// when the host opened it that way.
pub fn fd_flags(fd: BorrowedFd<'_>) -> Result<Fdflags> {
    let host = rustix::fs::fcntl_getfl(fd)?;
    let raw = host.bits();
    // rustix names `O_DSYNC` after `O_SYNC`, so the sync bits are read raw: Linux's `O_SYNC` is
    // `O_DSYNC` plus one more bit.
    let (dsync, sync) = (libc::O_DSYNC as u32, libc::O_SYNC as u32);
    let mut flags = Fdflags::empty();
    if host.contains(OFlags::APPEND) {
        flags |= Fdflags::APPEND;
    }
    if host.contains(OFlags::NONBLOCK) {
        flags |= Fdflags::NONBLOCK;
    }
    if raw & sync == sync {
        flags |= Fdflags::SYNC;
    } else if raw & dsync == dsync {
        flags |= Fdflags::DSYNC;
    }
    Ok(flags)
}

/// Set or clear `O_APPEND` and `O_NONBLOCK` on the open file (`fcntl(F_SETFL)`), keeping its
/// other flags.
pub fn set_fd_flags(fd: BorrowedFd<'_>, append: bool, nonblock: bool) -> Result<()> {
    let mut host = rustix::fs::fcntl_getfl(fd)?;
    host.set(OFlags::APPEND, append);
    host.set(OFlags::NONBLOCK, nonblock);
    rustix::fs::fcntl_setfl(fd, host)?;
    Ok(())
}

/// `posix_fadvise`: `len` 0 means to the end of the file.
pub fn advise(fd: BorrowedFd<'_>, offset: u64, len: u64, advice: Advice) -> Result<()> {
    let advice = match advice {
        Advice::Normal => HostAdvice::Normal,
        Advice::Sequential => HostAdvice::Sequential,
        Advice::Random => HostAdvice::Random,
        Advice::Willneed => HostAdvice::WillNeed,
        Advice::Dontneed => HostAdvice::DontNeed,
        Advice::Noreuse => HostAdvice::NoReuse,
    };
    // The kernel takes signed offsets: larger values are invalid.
    if i64::try_from(offset).is_err() || i64::try_from(len).is_err() {
        return Err(Errno::Inval.into());
    }
    rustix::fs::fadvise(fd, offset, NonZeroU64::new(len), advice)?;
    Ok(())
}

/// `posix_fallocate`: make sure `offset..offset + len` is allocated, growing the file if it
/// ends before. Never shrinks. On a file system without `fallocate` the file is grown with
/// `ftruncate` instead (the new range then reads as zeros but may stay sparse).
/// The caller has checked that `len` is not 0 and `offset + len` fits an `i64`.
pub fn allocate(fd: BorrowedFd<'_>, offset: u64, len: u64) -> Result<()> {
    let end = offset.saturating_add(len);
    match retry(|| rustix::fs::fallocate(fd, FallocateFlags::empty(), offset, len)) {
        Ok(()) => Ok(()),
        Err(HostErrno::OPNOTSUPP) => {
            let size = rustix::fs::fstat(fd)?.st_size;
            if u64::try_from(size).unwrap_or(0) < end {
                rustix::fs::ftruncate(fd, end)?;
            }
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// `ftruncate`: set the file's size (which the caller has checked fits an `i64`), cutting or
/// zero-extending it.
pub fn set_size(fd: BorrowedFd<'_>, size: u64) -> Result<()> {
    retry(|| rustix::fs::ftruncate(fd, size))?;
    Ok(())
}
