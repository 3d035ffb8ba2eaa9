//! `path_*` calls. Each checks the directory descriptor's rights, reads and checks the guest
//! path, and resolves it strictly beneath that directory (`sys::resolve`): nothing a guest
//! names can reach outside the directories it was given.

use std::borrow::Cow;

use wasihost_guest::{GuestError, GuestMemory, GuestPtr, GuestStr};

use crate::ctx::WasiCtx;
use crate::entry::{Entry, Node};
use crate::error::Result;
use crate::preview1::types::{self, Errno, Fdflags, Fstflags, Lookupflags, Oflags, Rights};
use crate::rights;
use crate::vfs::path::is_plain_ascii;
use crate::vfs::{OpenOptions, Opened, PATH_MAX, RelPath, ops};

/// Read a guest path: a bad pointer traps; then `ENAMETOOLONG` (checked before anything is
/// copied), `EINVAL` for a NUL byte, `EILSEQ` for invalid UTF-8.
fn guest_path<'m>(mem: &'m GuestMemory<'_>, path: GuestStr) -> Result<Cow<'m, [u8]>> {
    let slice = path.as_byte_slice();
    slice.validate(mem)?;
    if slice.len() as usize >= PATH_MAX {
        return Err(Errno::Nametoolong.into());
    }
    let bytes = slice.as_bytes(mem)?;
    // Nearly every path is ASCII without NUL: one pass says so; others get the full checks.
    if is_plain_ascii(&bytes) {
        return Ok(bytes);
    }
    if bytes.contains(&0) {
        return Err(Errno::Inval.into());
    }
    std::str::from_utf8(&bytes).map_err(GuestError::InvalidUtf8)?;
    Ok(bytes)
}

/// Moving or linking something from directory `old` into directory `new` must not let it be
/// opened there with rights that `old` would not have granted.
fn check_transfer(old: &Entry, new: &Entry) -> Result<()> {
    if old.hands_down().contains(new.hands_down()) {
        Ok(())
    } else {
        Err(Errno::Notcapable.into())
    }
}

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
    let (entry, dir) = cx.dir(fd, needed)?;
    // Writing (truncating writes too) must be something the directory may hand down; so must
    // the sync flags' rights. Other rights asked for are narrowed to what it hands down.
    let write = oflags.contains(Oflags::TRUNC) || fs_rights_base.intersects(rights::WRITE);
    let mut needed_inheriting = fs_rights_base & rights::WRITE;
    if oflags.contains(Oflags::TRUNC) {
        needed_inheriting |= Rights::FD_WRITE;
    }
    if fdflags.contains(Fdflags::DSYNC) {
        needed_inheriting |= Rights::FD_DATASYNC;
    }
    if fdflags.intersects(Fdflags::SYNC | Fdflags::RSYNC) {
        needed_inheriting |= Rights::FD_SYNC;
    }
    entry.require_inheritable(needed_inheriting)?;
    if oflags.contains(Oflags::CREAT | Oflags::DIRECTORY) {
        return Err(Errno::Inval.into());
    }
    let bytes = guest_path(mem, path)?;
    let path = RelPath::new(&bytes)?;
    if path.trailing_slash() && oflags.contains(Oflags::CREAT) {
        return Err(Errno::Isdir.into());
    }
    let opts = OpenOptions {
        read: fs_rights_base.intersects(Rights::FD_READ | Rights::FD_READDIR),
        write,
        create: oflags.contains(Oflags::CREAT),
        exclusive: oflags.contains(Oflags::EXCL),
        truncate: oflags.contains(Oflags::TRUNC),
        directory: oflags.contains(Oflags::DIRECTORY),
        fdflags,
        lookup: false,
    };
    let follow = dirflags.contains(Lookupflags::SYMLINK_FOLLOW);
    let node = match ops::open(cx.resolver, dir, path, &opts, follow)? {
        Opened::File(f) => Node::File(f),
        // A directory cannot be written, whatever the guest asked for.
        Opened::Dir(_) if write => return Err(Errno::Isdir.into()),
        Opened::Dir(d) => Node::Dir(d),
    };
    let new = entry.child(node, fs_rights_base, fs_rights_inheriting);
    Ok(types::Fd::from(cx.table.insert(new)?))
}

pub fn path_create_directory(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    path: GuestStr,
) -> Result<()> {
    let (_, dir) = cx.dir(fd, Rights::PATH_CREATE_DIRECTORY)?;
    let bytes = guest_path(mem, path)?;
    ops::create_dir(cx.resolver, dir, RelPath::new(&bytes)?)
}

pub fn path_remove_directory(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    path: GuestStr,
) -> Result<()> {
    let (_, dir) = cx.dir(fd, Rights::PATH_REMOVE_DIRECTORY)?;
    let bytes = guest_path(mem, path)?;
    ops::remove_dir(cx.resolver, dir, RelPath::new(&bytes)?)
}

pub fn path_unlink_file(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    path: GuestStr,
) -> Result<()> {
    let (_, dir) = cx.dir(fd, Rights::PATH_UNLINK_FILE)?;
    let bytes = guest_path(mem, path)?;
    ops::unlink_file(cx.resolver, dir, RelPath::new(&bytes)?)
}

pub fn path_filestat_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    flags: Lookupflags,
    path: GuestStr,
) -> Result<types::Filestat> {
    let (_, dir) = cx.dir(fd, Rights::PATH_FILESTAT_GET)?;
    let bytes = guest_path(mem, path)?;
    let path = RelPath::new(&bytes)?;
    let follow = flags.contains(Lookupflags::SYMLINK_FOLLOW);
    let st = ops::stat(cx.resolver, dir, path, follow)?;
    Ok(cx.host_times(st, || crate::sys::is_host_dir(dir)))
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
    let (_, dir) = cx.dir(fd, Rights::PATH_FILESTAT_SET_TIMES)?;
    let (a, m) = super::fd::new_times(cx, atim, mtim, fst_flags)?;
    let bytes = guest_path(mem, path)?;
    let path = RelPath::new(&bytes)?;
    let follow = flags.contains(Lookupflags::SYMLINK_FOLLOW);
    ops::set_times(cx.resolver, dir, path, follow, a, m)
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
    let (old, old_dir) = cx.dir(old_fd, Rights::PATH_LINK_SOURCE)?;
    let (new, new_dir) = cx.dir(new_fd, Rights::PATH_LINK_TARGET)?;
    check_transfer(old, new)?;
    // Linking through a symbolic link is refused, as other hosts do: the kernel would follow
    // it without our resolver.
    if old_flags.contains(Lookupflags::SYMLINK_FOLLOW) {
        return Err(Errno::Inval.into());
    }
    let old_bytes = guest_path(mem, old_path)?;
    let new_bytes = guest_path(mem, new_path)?;
    let (old_path, new_path) = (RelPath::new(&old_bytes)?, RelPath::new(&new_bytes)?);
    ops::link(cx.resolver, old_dir, old_path, new_dir, new_path)
}

pub fn path_rename(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    old_path: GuestStr,
    new_fd: types::Fd,
    new_path: GuestStr,
) -> Result<()> {
    let (old, old_dir) = cx.dir(fd, Rights::PATH_RENAME_SOURCE)?;
    let (new, new_dir) = cx.dir(new_fd, Rights::PATH_RENAME_TARGET)?;
    check_transfer(old, new)?;
    let old_bytes = guest_path(mem, old_path)?;
    let new_bytes = guest_path(mem, new_path)?;
    let (old_path, new_path) = (RelPath::new(&old_bytes)?, RelPath::new(&new_bytes)?);
    ops::rename(cx.resolver, old_dir, old_path, new_dir, new_path)
}

pub fn path_symlink(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_path: GuestStr,
    fd: types::Fd,
    new_path: GuestStr,
) -> Result<()> {
    let (_, dir) = cx.dir(fd, Rights::PATH_SYMLINK)?;
    let target = guest_path(mem, old_path)?;
    match target.first() {
        None => return Err(Errno::Noent.into()),
        // A link to an absolute path could only ever lead outside the sandbox.
        Some(b'/') => return Err(Errno::Perm.into()),
        Some(_) => {}
    }
    let bytes = guest_path(mem, new_path)?;
    ops::symlink(&target, cx.resolver, dir, RelPath::new(&bytes)?)
}

pub fn path_readlink(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    path: GuestStr,
    buf: GuestPtr<u8>,
    buf_len: types::Size,
) -> Result<types::Size> {
    let (_, dir) = cx.dir(fd, Rights::PATH_READLINK)?;
    mem.array_region::<u8>(buf.offset(), buf_len)?;
    let target = {
        let bytes = guest_path(mem, path)?;
        ops::readlink(cx.resolver, dir, RelPath::new(&bytes)?)?
    };
    // Hand over what fits.
    let n = target.len().min(buf_len as usize);
    mem.copy_from_slice(buf.offset(), &target[..n])?;
    Ok(n as types::Size)
}
