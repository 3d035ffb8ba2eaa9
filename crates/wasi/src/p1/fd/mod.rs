//! `fd_*` calls: closing and renumbering descriptors, their status, rights and attributes, the
//! file offset, syncing, hints, space allocation and preopen names. Reads and writes are in
//! [`io`].
//!
//! Errors follow one order: `EBADF` for a descriptor that is not open, then the kind of
//! descriptor (calls that only make sense on file data give `EBADF` on a directory, as
//! wasmtime does; offset calls give `ESPIPE` on streams and sockets), then `ENOTCAPABLE` for a
//! missing right, then bad arguments and whatever the OS reports.

mod io;

use std::os::fd::{AsFd, BorrowedFd};

use wasihost_guest::{GuestMemory, GuestPtr};

use crate::ctx::WasiCtx;
use crate::entry::{Dir, Entry, Kind};
use crate::error::{Error, Result};
use crate::preview1::types::{self, Errno, Fdflags, Filestat, Filetype, Fstflags, Rights, Whence};
use crate::sys;
use crate::sys::stat::SetTime;

pub use io::{fd_pread, fd_pwrite, fd_read, fd_write};

/// The host descriptor of `entry` for a call on file data needing `right`: `EBADF` for a
/// directory or an embedder stream (which has no host descriptor), `ENOTCAPABLE` without the
/// right.
fn data_fd(entry: &Entry, right: Rights) -> Result<BorrowedFd<'_>> {
    if let Kind::Dir(_) = entry.kind {
        return Err(Errno::Badf.into());
    }
    entry.require(right)?;
    entry.host_fd().ok_or(Error::Errno(Errno::Badf))
}

/// The host descriptor of `entry` for a call that uses the file offset; `has_right` says the
/// entry holds the right the call needs. `EBADF` for a directory, `ESPIPE` for what has no
/// offset (embedder streams, sockets, and pipes and terminals even without the right: the
/// offset does not exist whatever the rights), then `ENOTCAPABLE`.
fn offset_fd(entry: &Entry, has_right: bool) -> Result<BorrowedFd<'_>> {
    let fd = match &entry.kind {
        Kind::Dir(_) => return Err(Errno::Badf.into()),
        Kind::Stream(_) | Kind::Socket(_) => return Err(Errno::Spipe.into()),
        Kind::File(f) => f.as_fd(),
    };
    if has_right {
        Ok(fd)
    } else if sys::io::is_unseekable(fd) {
        Err(Errno::Spipe.into())
    } else {
        Err(Errno::Notcapable.into())
    }
}

/// The host descriptor of `entry` for a call on the file itself (any kind but an embedder
/// stream, which gives `EBADF`) needing `right`.
fn file_fd(entry: &Entry, right: Rights) -> Result<BorrowedFd<'_>> {
    entry.require(right)?;
    entry.host_fd().ok_or(Error::Errno(Errno::Badf))
}

pub fn fd_advise(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    offset: types::Filesize,
    len: types::Filesize,
    advice: types::Advice,
) -> Result<()> {
    let host = data_fd(cx.entry(fd)?, Rights::FD_ADVISE)?;
    sys::io::advise(host, offset, len, advice)
}

pub fn fd_allocate(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    offset: types::Filesize,
    len: types::Filesize,
) -> Result<()> {
    let host = data_fd(cx.entry(fd)?, Rights::FD_ALLOCATE)?;
    sys::io::allocate(host, offset, len)
}

/// Close `fd`, preopens included; the host resource is released now.
pub fn fd_close(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: types::Fd) -> Result<()> {
    cx.table.remove(fd.raw()).ok_or(Errno::Badf)?;
    Ok(())
}

pub fn fd_datasync(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: types::Fd) -> Result<()> {
    sys::io::sync(file_fd(cx.entry(fd)?, Rights::FD_DATASYNC)?, true)
}

pub fn fd_sync(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: types::Fd) -> Result<()> {
    sys::io::sync(file_fd(cx.entry(fd)?, Rights::FD_SYNC)?, false)
}

/// File type, flags (`APPEND` and `NONBLOCK` as the OS has them, the sync flags as emulated)
/// and rights. Needs no right.
pub fn fd_fdstat_get(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
) -> Result<types::Fdstat> {
    let entry = cx.entry(fd)?;
    let os_flags = match entry.host_fd() {
        Some(host) => sys::io::fd_flags(host)?,
        None => Fdflags::empty(),
    };
    Ok(types::Fdstat {
        fs_filetype: entry.filetype(),
        fs_flags: os_flags | entry.sync_flags,
        fs_rights_base: entry.rights,
        fs_rights_inheriting: entry.inheriting,
    })
}

/// The flags that Linux cannot set on an open file, emulated per call (see [`Entry`]).
const SYNC_FLAGS: Fdflags = Fdflags::SYNC.union(Fdflags::DSYNC).union(Fdflags::RSYNC);

/// Replace the descriptor's flags: `APPEND` and `NONBLOCK` go to the OS; `DSYNC` (which needs
/// `FD_DATASYNC`), `SYNC` and `RSYNC` (which need `FD_SYNC`) are emulated. Embedder streams
/// take only the sync flags (`EINVAL` otherwise).
pub fn fd_fdstat_set_flags(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    flags: types::Fdflags,
) -> Result<()> {
    let entry = cx.entry_mut(fd)?;
    if let Kind::Dir(_) = entry.kind {
        return Err(Errno::Badf.into());
    }
    let mut needed = Rights::FD_FDSTAT_SET_FLAGS;
    if flags.contains(Fdflags::DSYNC) {
        needed |= Rights::FD_DATASYNC;
    }
    if flags.intersects(Fdflags::SYNC | Fdflags::RSYNC) {
        needed |= Rights::FD_SYNC;
    }
    entry.require(needed)?;
    let append = flags.contains(Fdflags::APPEND);
    let nonblock = flags.contains(Fdflags::NONBLOCK);
    match entry.host_fd() {
        Some(host) => sys::io::set_fd_flags(host, append, nonblock)?,
        None if append || nonblock => return Err(Errno::Inval.into()),
        None => {}
    }
    entry.sync_flags = flags & SYNC_FLAGS;
    Ok(())
}

/// Narrow the descriptor's rights; asking for a right it does not hold is `ENOTCAPABLE`.
pub fn fd_fdstat_set_rights(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    fs_rights_base: types::Rights,
    fs_rights_inheriting: types::Rights,
) -> Result<()> {
    let entry = cx.entry_mut(fd)?;
    if !entry.rights.contains(fs_rights_base) || !entry.inheriting.contains(fs_rights_inheriting) {
        return Err(Errno::Notcapable.into());
    }
    entry.rights = fs_rights_base;
    entry.inheriting = fs_rights_inheriting;
    Ok(())
}

/// Attributes from the OS; an embedder stream is a character device with every number 0.
pub fn fd_filestat_get(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
) -> Result<types::Filestat> {
    let entry = cx.entry(fd)?;
    entry.require(Rights::FD_FILESTAT_GET)?;
    match &entry.kind {
        Kind::File(f) => sys::stat::filestat(f.as_fd(), false),
        Kind::Dir(d) => sys::stat::filestat(d.fd.as_fd(), false),
        Kind::Socket(s) => sys::stat::filestat(s.fd.as_fd(), true),
        Kind::Stream(_) => Ok(Filestat {
            dev: 0,
            ino: 0,
            filetype: Filetype::CharacterDevice,
            nlink: 0,
            size: 0,
            atim: 0,
            mtim: 0,
            ctim: 0,
        }),
    }
}

pub fn fd_filestat_set_size(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    size: types::Filesize,
) -> Result<()> {
    let host = data_fd(cx.entry(fd)?, Rights::FD_FILESTAT_SET_SIZE)?;
    sys::io::set_size(host, size)
}

/// One timestamp's new value from the call's flags: giving both a time and `*_NOW` is `EINVAL`.
fn new_time(ts: types::Timestamp, set: bool, now: bool) -> Result<SetTime> {
    match (set, now) {
        (true, true) => Err(Errno::Inval.into()),
        (true, false) => Ok(SetTime::At(ts)),
        (false, true) => Ok(SetTime::Now),
        (false, false) => Ok(SetTime::Keep),
    }
}

pub fn fd_filestat_set_times(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    atim: types::Timestamp,
    mtim: types::Timestamp,
    fst_flags: types::Fstflags,
) -> Result<()> {
    let host = file_fd(cx.entry(fd)?, Rights::FD_FILESTAT_SET_TIMES)?;
    let a = new_time(
        atim,
        fst_flags.contains(Fstflags::ATIM),
        fst_flags.contains(Fstflags::ATIM_NOW),
    )?;
    let m = new_time(
        mtim,
        fst_flags.contains(Fstflags::MTIM),
        fst_flags.contains(Fstflags::MTIM_NOW),
    )?;
    sys::stat::set_times(host, a, m)
}

/// The guest name of preopened directory `fd`; `EBADF` for anything else.
fn preopen_name(cx: &WasiCtx, fd: types::Fd) -> Result<&str> {
    match &cx.entry(fd)?.kind {
        Kind::Dir(Dir {
            preopen: Some(name),
            ..
        }) => Ok(name),
        _ => Err(Errno::Badf.into()),
    }
}

pub fn fd_prestat_get(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
) -> Result<types::Prestat> {
    let name = preopen_name(cx, fd)?;
    let pr_name_len = u32::try_from(name.len()).map_err(|_| Errno::Nametoolong)?;
    Ok(types::Prestat::Dir(types::PrestatDir { pr_name_len }))
}

/// Copy the preopen's name (no NUL) into `path`, whose `path_len` bytes must lie in memory;
/// `ENAMETOOLONG` when the name does not fit.
pub fn fd_prestat_dir_name(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    path: GuestPtr<u8>,
    path_len: types::Size,
) -> Result<()> {
    let name = preopen_name(cx, fd)?;
    mem.array_region::<u8>(path.offset(), path_len)?;
    if name.len() > path_len as usize {
        return Err(Errno::Nametoolong.into());
    }
    mem.copy_from_slice(path.offset(), name.as_bytes())?;
    Ok(())
}

/// Move `fd` to number `to`, closing what `to` was. Both must be open (`EBADF`); onto itself
/// it does nothing.
pub fn fd_renumber(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    to: types::Fd,
) -> Result<()> {
    // The entry `to` held is dropped here, which closes its host resource.
    drop(cx.table.renumber(fd.raw(), to.raw())?);
    Ok(())
}

/// `lseek`. Reading the offset (`0` from `CUR`) needs only `FD_TELL`; moving it needs `FD_SEEK`.
pub fn fd_seek(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    offset: types::Filedelta,
    whence: types::Whence,
) -> Result<types::Filesize> {
    let entry = cx.entry(fd)?;
    let has_right = if offset == 0 && whence == Whence::Cur {
        entry.rights.intersects(Rights::FD_SEEK | Rights::FD_TELL)
    } else {
        entry.rights.contains(Rights::FD_SEEK)
    };
    sys::io::seek(offset_fd(entry, has_right)?, offset, whence)
}

/// The file offset; needs `FD_TELL` (or `FD_SEEK`, which implies it).
pub fn fd_tell(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
) -> Result<types::Filesize> {
    let entry = cx.entry(fd)?;
    let has_right = entry.rights.intersects(Rights::FD_SEEK | Rights::FD_TELL);
    sys::io::tell(offset_fd(entry, has_right)?)
}
