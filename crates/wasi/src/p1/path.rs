//! `path_*` calls. Each checks the directory descriptor's rights, reads and checks the guest
//! path, and resolves it strictly beneath that directory (`sys::resolve`): nothing a guest
//! names can reach outside the directories it was given.

use std::borrow::Cow;
use std::fs::File;
use std::os::fd::{AsFd, BorrowedFd};

use rustix::fs::{FileType, Mode, OFlags, Timespec, Timestamps, UTIME_NOW, UTIME_OMIT};
use wasihost_guest::{GuestError, GuestMemory, GuestPtr, GuestStr};

use crate::ctx::WasiCtx;
use crate::entry::{Dir, Entry, Kind};
use crate::error::Result;
use crate::preview1::types::{self, Errno, Fdflags, Fstflags, Lookupflags, Oflags, Rights};
use crate::rights;
use crate::sys::resolve::{self, OpenHow, PATH_MAX, RelPath, ops};

/// Read a guest path: a bad pointer traps; then `ENAMETOOLONG` (checked before anything is
/// copied), `EINVAL` for a NUL byte, `EILSEQ` for invalid UTF-8.
fn guest_path<'m>(mem: &'m GuestMemory<'_>, path: GuestStr) -> Result<Cow<'m, [u8]>> {
    let slice = path.as_byte_slice();
    slice.validate(mem)?;
    if slice.len() as usize >= PATH_MAX {
        return Err(Errno::Nametoolong.into());
    }
    let bytes = slice.as_bytes(mem)?;
    if bytes.contains(&0) {
        return Err(Errno::Inval.into());
    }
    std::str::from_utf8(&bytes).map_err(GuestError::InvalidUtf8)?;
    Ok(bytes)
}

/// The entry for directory descriptor `fd` holding `needed`: `EBADF`, `ENOTDIR`, `ENOTCAPABLE`.
fn dir_entry(cx: &WasiCtx, fd: types::Fd, needed: Rights) -> Result<&Entry> {
    let entry = cx.entry(fd)?;
    entry.dir()?;
    entry.require(needed)?;
    Ok(entry)
}

fn host_dir(entry: &Entry) -> Result<BorrowedFd<'_>> {
    Ok(entry.dir()?.fd.as_fd())
}

/// Moving or linking something from directory `old` into directory `new` must not let it be
/// opened there with rights that `old` would not have granted.
fn check_transfer(old: &Entry, new: &Entry) -> Result<()> {
    if old.inheriting.contains(new.inheriting) {
        Ok(())
    } else {
        Err(Errno::Notcapable.into())
    }
}

/// Rights that open a file for writing.
const WRITE_RIGHTS: Rights = Rights::FD_WRITE
    .union(Rights::FD_ALLOCATE)
    .union(Rights::FD_FILESTAT_SET_SIZE);

pub fn path_open(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    dirflags: Lookupflags,
    path: GuestStr,
    oflags: Oflags,
    fs_rights_base: Rights,
    fs_rights_inheriting: Rights,
    fdflags: Fdflags,
) -> Result<types::Fd> {
    let mut needed = Rights::PATH_OPEN;
    if oflags.contains(Oflags::CREAT) {
        needed |= Rights::PATH_CREATE_FILE;
    }
    if oflags.contains(Oflags::TRUNC) {
        needed |= Rights::PATH_FILESTAT_SET_SIZE;
    }
    let entry = dir_entry(cx, fd, needed)?;
    // Truncating writes the file, so the new descriptor must be allowed to write; the sync
    // flags need the matching sync rights.
    let mut needed_inheriting = Rights::empty();
    if oflags.contains(Oflags::TRUNC) {
        needed_inheriting |= Rights::FD_WRITE;
    }
    if fdflags.contains(Fdflags::DSYNC) {
        needed_inheriting |= Rights::FD_DATASYNC;
    }
    if fdflags.intersects(Fdflags::SYNC | Fdflags::RSYNC) {
        needed_inheriting |= Rights::FD_SYNC;
    }
    if !entry.inheriting.contains(needed_inheriting) {
        return Err(Errno::Notcapable.into());
    }
    if oflags.contains(Oflags::CREAT | Oflags::DIRECTORY) {
        return Err(Errno::Inval.into());
    }
    let bytes = guest_path(mem, path)?;
    let path = RelPath::new(&bytes)?;
    if path.trailing_slash() && oflags.contains(Oflags::CREAT) {
        return Err(Errno::Isdir.into());
    }
    // Rights are silently narrowed to what the directory may hand down.
    let base = fs_rights_base & entry.inheriting;
    let inheriting = fs_rights_inheriting & entry.inheriting;
    let read = base.intersects(Rights::FD_READ | Rights::FD_READDIR);
    let write = oflags.contains(Oflags::TRUNC) || base.intersects(WRITE_RIGHTS);
    let mut flags = match (read, write) {
        (_, false) => OFlags::RDONLY,
        (false, true) => OFlags::WRONLY,
        (true, true) => OFlags::RDWR,
    };
    for (wasi, host) in [
        (Oflags::CREAT, OFlags::CREATE),
        (Oflags::EXCL, OFlags::EXCL),
        (Oflags::TRUNC, OFlags::TRUNC),
        (Oflags::DIRECTORY, OFlags::DIRECTORY),
    ] {
        if oflags.contains(wasi) {
            flags |= host;
        }
    }
    if fdflags.contains(Fdflags::APPEND) {
        flags |= OFlags::APPEND;
    }
    if fdflags.contains(Fdflags::NONBLOCK) {
        flags |= OFlags::NONBLOCK;
    }
    let how = OpenHow {
        flags,
        mode: Mode::from_raw_mode(0o666),
        follow: dirflags.contains(Lookupflags::SYMLINK_FOLLOW),
    };
    let host = resolve::open(cx.resolver, host_dir(entry)?, path, how)?;
    let st = rustix::fs::fstat(&host)?;
    let mut new = if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
        let dir = Dir {
            fd: host,
            preopen: None,
            readdir: None,
        };
        Entry::new(Kind::Dir(dir), base & rights::DIRECTORY, inheriting)
    } else {
        let file = File::from(host);
        Entry::new(Kind::File(file), base & rights::FILE, Rights::empty())
    };
    // Linux cannot change these flags later, so they are applied per write (see `Entry`).
    new.sync_flags = fdflags & (Fdflags::SYNC | Fdflags::DSYNC | Fdflags::RSYNC);
    Ok(types::Fd::from(cx.table.insert(new)?))
}

pub fn path_create_directory(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    path: GuestStr,
) -> Result<()> {
    let entry = dir_entry(cx, fd, Rights::PATH_CREATE_DIRECTORY)?;
    let bytes = guest_path(mem, path)?;
    ops::create_dir(cx.resolver, host_dir(entry)?, RelPath::new(&bytes)?)
}

pub fn path_remove_directory(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    path: GuestStr,
) -> Result<()> {
    let entry = dir_entry(cx, fd, Rights::PATH_REMOVE_DIRECTORY)?;
    let bytes = guest_path(mem, path)?;
    ops::remove_dir(cx.resolver, host_dir(entry)?, RelPath::new(&bytes)?)
}

pub fn path_unlink_file(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    path: GuestStr,
) -> Result<()> {
    let entry = dir_entry(cx, fd, Rights::PATH_UNLINK_FILE)?;
    let bytes = guest_path(mem, path)?;
    ops::unlink_file(cx.resolver, host_dir(entry)?, RelPath::new(&bytes)?)
}

pub fn path_filestat_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    flags: Lookupflags,
    path: GuestStr,
) -> Result<types::Filestat> {
    let entry = dir_entry(cx, fd, Rights::PATH_FILESTAT_GET)?;
    let bytes = guest_path(mem, path)?;
    let path = RelPath::new(&bytes)?;
    let follow = flags.contains(Lookupflags::SYMLINK_FOLLOW);
    ops::stat(cx.resolver, host_dir(entry)?, path, follow)
}

pub fn path_filestat_set_times(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    flags: Lookupflags,
    path: GuestStr,
    atim: types::Timestamp,
    mtim: types::Timestamp,
    fst_flags: Fstflags,
) -> Result<()> {
    let entry = dir_entry(cx, fd, Rights::PATH_FILESTAT_SET_TIMES)?;
    let times = timestamps(atim, mtim, fst_flags)?;
    let bytes = guest_path(mem, path)?;
    let path = RelPath::new(&bytes)?;
    let follow = flags.contains(Lookupflags::SYMLINK_FOLLOW);
    ops::set_times(cx.resolver, host_dir(entry)?, path, follow, &times)
}

/// The host times for a `*_filestat_set_times` call; `EINVAL` when a time is both given and
/// asked to be "now".
pub(crate) fn timestamps(atim: u64, mtim: u64, flags: Fstflags) -> Result<Timestamps> {
    let one = |t: u64, set: Fstflags, now: Fstflags| -> Result<Timespec> {
        Ok(match (flags.contains(set), flags.contains(now)) {
            (true, true) => return Err(Errno::Inval.into()),
            (false, true) => Timespec {
                tv_sec: 0,
                tv_nsec: UTIME_NOW,
            },
            (true, false) => Timespec {
                tv_sec: (t / 1_000_000_000) as i64,
                tv_nsec: (t % 1_000_000_000) as _,
            },
            (false, false) => Timespec {
                tv_sec: 0,
                tv_nsec: UTIME_OMIT,
            },
        })
    };
    Ok(Timestamps {
        last_access: one(atim, Fstflags::ATIM, Fstflags::ATIM_NOW)?,
        last_modification: one(mtim, Fstflags::MTIM, Fstflags::MTIM_NOW)?,
    })
}

pub fn path_link(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_fd: types::Fd,
    old_flags: Lookupflags,
    old_path: GuestStr,
    new_fd: types::Fd,
    new_path: GuestStr,
) -> Result<()> {
    let old = dir_entry(cx, old_fd, Rights::PATH_LINK_SOURCE)?;
    let new = dir_entry(cx, new_fd, Rights::PATH_LINK_TARGET)?;
    check_transfer(old, new)?;
    // Linking through a symbolic link is refused, as other hosts do: the kernel would follow
    // it without our resolver.
    if old_flags.contains(Lookupflags::SYMLINK_FOLLOW) {
        return Err(Errno::Inval.into());
    }
    let old_bytes = guest_path(mem, old_path)?;
    let new_bytes = guest_path(mem, new_path)?;
    let (old_path, new_path) = (RelPath::new(&old_bytes)?, RelPath::new(&new_bytes)?);
    ops::link(
        cx.resolver,
        host_dir(old)?,
        old_path,
        host_dir(new)?,
        new_path,
    )
}

pub fn path_rename(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    old_path: GuestStr,
    new_fd: types::Fd,
    new_path: GuestStr,
) -> Result<()> {
    let old = dir_entry(cx, fd, Rights::PATH_RENAME_SOURCE)?;
    let new = dir_entry(cx, new_fd, Rights::PATH_RENAME_TARGET)?;
    check_transfer(old, new)?;
    let old_bytes = guest_path(mem, old_path)?;
    let new_bytes = guest_path(mem, new_path)?;
    let (old_path, new_path) = (RelPath::new(&old_bytes)?, RelPath::new(&new_bytes)?);
    ops::rename(
        cx.resolver,
        host_dir(old)?,
        old_path,
        host_dir(new)?,
        new_path,
    )
}

pub fn path_symlink(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_path: GuestStr,
    fd: types::Fd,
    new_path: GuestStr,
) -> Result<()> {
    let entry = dir_entry(cx, fd, Rights::PATH_SYMLINK)?;
    let target = guest_path(mem, old_path)?;
    match target.first() {
        None => return Err(Errno::Noent.into()),
        // A link to an absolute path could only ever lead outside the sandbox.
        Some(b'/') => return Err(Errno::Perm.into()),
        Some(_) => {}
    }
    let bytes = guest_path(mem, new_path)?;
    ops::symlink(
        &target,
        cx.resolver,
        host_dir(entry)?,
        RelPath::new(&bytes)?,
    )
}

pub fn path_readlink(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    path: GuestStr,
    buf: GuestPtr<u8>,
    buf_len: types::Size,
) -> Result<types::Size> {
    let entry = dir_entry(cx, fd, Rights::PATH_READLINK)?;
    mem.array_region::<u8>(buf.offset(), buf_len)?;
    // Read the whole target (the kernel refuses an empty buffer), then hand over what fits.
    let mut target = [0u8; PATH_MAX];
    let len = {
        let bytes = guest_path(mem, path)?;
        let path = RelPath::new(&bytes)?;
        ops::readlink(cx.resolver, host_dir(entry)?, path, &mut target)?
    };
    let n = len.min(buf_len as usize);
    mem.copy_from_slice(buf.offset(), &target[..n])?;
    Ok(n as types::Size)
}
