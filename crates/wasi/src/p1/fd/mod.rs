//! `fd_*` calls: closing and renumbering descriptors, their status, rights and attributes, the
//! file offset, syncing, hints, space allocation and preopen names. Reads and writes are in
//! [`io`].
//!
//! Errors follow one order: `EBADF` for a descriptor that is not open, then the kind of
//! descriptor (calls that only make sense on file data give `EBADF` on a directory, as
//! wasmtime does; offset calls give `ESPIPE` on streams and sockets), then a missing right
//! (`ENOTCAPABLE`, or `EROFS` beneath a read-only mount; see [`crate::entry`] for which rights
//! are checked), then bad arguments and whatever the resource reports.

pub(crate) mod io;

use std::io::SeekFrom;

use wasihost_guest::{GuestMemory, GuestPtr};

use crate::ctx::WasiCtx;
use crate::entry::{Entry, Node};
use crate::error::Result;
use crate::preview1::types::{self, Errno, Fdflags, Filetype, Fstflags, Rights, Whence};
use crate::vfs::WasiFile;

pub use io::{fd_pread, fd_pwrite, fd_read, fd_write};

/// True for what keeps no file offset (pipes, sockets, terminals and other streams).
fn unseekable(ft: Filetype) -> bool {
    !matches!(
        ft,
        Filetype::RegularFile | Filetype::BlockDevice | Filetype::Directory
    )
}

/// The file of `entry` for a call that uses the file offset and needs `needed` (`has_offset`
/// says the entry holds the offset right the call needs). `EBADF` for a directory, `ESPIPE`
/// for what has no offset (even without the right: the offset does not exist whatever the
/// rights), then `ENOTCAPABLE`.
fn offset_file(entry: &Entry, has_offset: bool, needed: Rights) -> Result<&dyn WasiFile> {
    let file = entry.file()?;
    if !has_offset {
        return Err(if unseekable(file.filetype()) {
            Errno::Spipe.into()
        } else {
            Errno::Notcapable.into()
        });
    }
    if unseekable(file.filetype()) {
        return Err(Errno::Spipe.into());
    }
    entry.require(needed)?;
    Ok(&**file)
}

pub fn fd_advise(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    offset: types::Filesize,
    len: types::Filesize,
    advice: types::Advice,
) -> Result<()> {
    cx.file(fd, Rights::FD_ADVISE)?.advise(offset, len, advice)
}

pub fn fd_allocate(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    offset: types::Filesize,
    len: types::Filesize,
) -> Result<()> {
    let file = cx.file(fd, Rights::FD_ALLOCATE)?;
    if len == 0 || i64::try_from(offset).is_err() {
        return Err(Errno::Inval.into());
    }
    if offset
        .checked_add(len)
        .is_none_or(|end| i64::try_from(end).is_err())
    {
        return Err(Errno::Fbig.into());
    }
    file.allocate(offset, len)
}

/// Close `fd`, preopens included; the resource is released now (unless another thread of the
/// guest is still using it).
pub fn fd_close(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: types::Fd) -> Result<()> {
    cx.table.remove(fd.raw()).ok_or(Errno::Badf)?;
    Ok(())
}

/// The resource of `fd` for a sync call needing `right`: files and directories alike.
fn sync_target(cx: &WasiCtx, fd: types::Fd, right: Rights, data_only: bool) -> Result<()> {
    let entry = cx.entry(fd)?;
    entry.require(right)?;
    match &entry.node {
        Node::File(f) if data_only => f.datasync(),
        Node::File(f) => f.sync(),
        Node::Dir(d) => d.sync(),
    }
}

pub fn fd_datasync(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: types::Fd) -> Result<()> {
    sync_target(cx, fd, Rights::FD_DATASYNC, true)
}

pub fn fd_sync(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, fd: types::Fd) -> Result<()> {
    sync_target(cx, fd, Rights::FD_SYNC, false)
}

/// File type, flags and the rights the guest asked for. Needs no right.
pub fn fd_fdstat_get(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
) -> Result<types::Fdstat> {
    let entry = cx.entry(fd)?;
    let flags = match &entry.node {
        Node::File(f) => f.fdflags()?,
        Node::Dir(_) => Fdflags::empty(),
    };
    Ok(types::Fdstat {
        fs_filetype: entry.filetype(),
        fs_flags: flags,
        fs_rights_base: entry.rights,
        fs_rights_inheriting: entry.inheriting,
    })
}

/// Replace the descriptor's flags. `DSYNC` needs `FD_DATASYNC`, `SYNC` and `RSYNC` need
/// `FD_SYNC`; what the resource cannot do is its own answer (`EINVAL` for `APPEND` on an
/// embedder stream, say).
pub fn fd_fdstat_set_flags(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    flags: types::Fdflags,
) -> Result<()> {
    let mut needed = Rights::FD_FDSTAT_SET_FLAGS;
    if flags.contains(Fdflags::DSYNC) {
        needed |= Rights::FD_DATASYNC;
    }
    if flags.intersects(Fdflags::SYNC | Fdflags::RSYNC) {
        needed |= Rights::FD_SYNC;
    }
    cx.file(fd, needed)?.set_fdflags(flags)
}

/// Narrow the descriptor's rights; asking for a right it does not hold is `ENOTCAPABLE`. The
/// rights dropped are gone for good: they leave the descriptor's ceiling too.
pub fn fd_fdstat_set_rights(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    fs_rights_base: types::Rights,
    fs_rights_inheriting: types::Rights,
) -> Result<()> {
    // Rights can only be dropped, and once dropped they are out of the ceiling for good.
    let entry = cx.entry_mut(fd)?;
    if !entry.has(fs_rights_base) || !entry.hands_down().contains(fs_rights_inheriting) {
        return Err(Errno::Notcapable.into());
    }
    entry.ceiling &= fs_rights_base;
    entry.ceiling_inheriting &= fs_rights_inheriting;
    entry.rights = fs_rights_base;
    entry.inheriting = fs_rights_inheriting;
    Ok(())
}

/// Attributes of the resource (a directory's own, for a directory).
pub fn fd_filestat_get(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
) -> Result<types::Filestat> {
    let entry = cx.entry(fd)?;
    entry.require(Rights::FD_FILESTAT_GET)?;
    let st = match &entry.node {
        Node::File(f) => f.filestat()?,
        Node::Dir(d) => d.stat()?,
    };
    Ok(cx.host_times(st, || match &entry.node {
        Node::File(f) => crate::sys::is_host_file(&**f),
        Node::Dir(d) => crate::sys::is_host_dir(&**d),
    }))
}

pub fn fd_filestat_set_size(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    size: types::Filesize,
) -> Result<()> {
    let file = cx.file(fd, Rights::FD_FILESTAT_SET_SIZE)?;
    if i64::try_from(size).is_err() {
        return Err(Errno::Fbig.into());
    }
    file.set_size(size)
}

/// The new times of a `*_filestat_set_times` call: `None` keeps a time, "now" is read from the
/// guest's wall clock; giving both a time and `*_NOW` is `EINVAL`.
pub(crate) fn new_times(
    cx: &WasiCtx,
    atim: types::Timestamp,
    mtim: types::Timestamp,
    flags: Fstflags,
) -> Result<(Option<u64>, Option<u64>)> {
    let mut now = None;
    let mut one = |t: u64, set: Fstflags, at_now: Fstflags| -> Result<Option<u64>> {
        match (flags.contains(set), flags.contains(at_now)) {
            (true, true) => Err(Errno::Inval.into()),
            (true, false) => Ok(Some(t)),
            (false, true) => match now {
                Some(n) => Ok(Some(n)),
                None => {
                    let n = cx.wall_now()?;
                    now = Some(n);
                    Ok(Some(n))
                }
            },
            (false, false) => Ok(None),
        }
    };
    let a = one(atim, Fstflags::ATIM, Fstflags::ATIM_NOW)?;
    let m = one(mtim, Fstflags::MTIM, Fstflags::MTIM_NOW)?;
    Ok((a, m))
}

pub fn fd_filestat_set_times(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    atim: types::Timestamp,
    mtim: types::Timestamp,
    fst_flags: types::Fstflags,
) -> Result<()> {
    let entry = cx.entry(fd)?;
    entry.require(Rights::FD_FILESTAT_SET_TIMES)?;
    let (a, m) = new_times(cx, atim, mtim, fst_flags)?;
    match &entry.node {
        Node::File(f) => f.set_times(a, m),
        Node::Dir(d) => d.set_times(a, m),
    }
}

/// The guest name of preopened directory `fd`; `EBADF` for anything else.
fn preopen_name(cx: &WasiCtx, fd: types::Fd) -> Result<&str> {
    cx.entry(fd)?
        .preopen
        .as_deref()
        .ok_or_else(|| Errno::Badf.into())
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
    // The entry `to` held is dropped here, which closes its resource.
    drop(cx.table.renumber(fd.raw(), to.raw())?);
    Ok(())
}

/// The offset rights an entry holds for reading (`FD_TELL` or `FD_SEEK`) or moving it.
fn offset_right(entry: &Entry, moving: bool) -> bool {
    if moving {
        entry.has(Rights::FD_SEEK)
    } else {
        entry.has(Rights::FD_SEEK) || entry.has(Rights::FD_TELL)
    }
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
    let moving = !(offset == 0 && whence == Whence::Cur);
    let file = offset_file(entry, offset_right(entry, moving), Rights::empty())?;
    let pos = match whence {
        Whence::Set => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
        Whence::Cur => SeekFrom::Current(offset),
        Whence::End => SeekFrom::End(offset),
    };
    file.seek(pos)
}

/// The file offset; needs `FD_TELL` (or `FD_SEEK`, which implies it).
pub fn fd_tell(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
) -> Result<types::Filesize> {
    let entry = cx.entry(fd)?;
    let file = offset_file(entry, offset_right(entry, false), Rights::empty())?;
    file.seek(SeekFrom::Current(0))
}
