//! Operations on a path's last component: the parent is resolved beneath the base, then one
//! `*at` call acts on the last name, never following it unless asked to.
//!
//! A trailing slash is never handed to the kernel with a last component that is still
//! unresolved, since Linux follows a final symbolic link when a slash follows it. Each
//! operation instead checks "must be a directory" itself, giving the errno Linux gives.

use std::ffi::OsStr;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;

use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat, Timestamps};

use super::{
    DirFd, MAX_SYMLINK_EXPANSIONS, OpenHow, PATH_MAX, PathResolver, RelPath, check_link_target,
    open, parent,
};
use crate::error::{Error, Result};
use crate::preview1::types::{Errno, Filestat};

/// `mkdir`: create directory `path` (a trailing slash is allowed).
pub fn create_dir(r: PathResolver, base: BorrowedFd<'_>, path: RelPath<'_>) -> Result<()> {
    let (dir, name) = parent(r, base, path)?;
    Ok(rustix::fs::mkdirat(&dir, name, Mode::from_raw_mode(0o777))?)
}

/// `rmdir`: remove empty directory `path` (a trailing slash is allowed).
pub fn remove_dir(r: PathResolver, base: BorrowedFd<'_>, path: RelPath<'_>) -> Result<()> {
    let (dir, name) = parent(r, base, path)?;
    if path.split_last().1 == b".." {
        // Linux's answer for `x/..`, which names a directory that holds at least `x`.
        return Err(Errno::Notempty.into());
    }
    Ok(rustix::fs::unlinkat(&dir, name, AtFlags::REMOVEDIR)?)
}

/// `unlink`: remove the non-directory `path` (a symbolic link itself, not its target).
pub fn unlink_file(r: PathResolver, base: BorrowedFd<'_>, path: RelPath<'_>) -> Result<()> {
    let (dir, name) = parent(r, base, path)?;
    if path.trailing_slash() {
        // `x/` names a directory, which unlink never removes.
        let st = lstat(&dir, name)?;
        return Err(Error::Errno(if is(&st, FileType::Directory) {
            Errno::Isdir
        } else {
            Errno::Notdir
        }));
    }
    Ok(rustix::fs::unlinkat(&dir, name, AtFlags::empty())?)
}

/// `symlink`: create `path` as a symbolic link to `target` (checked by the caller).
pub fn symlink(
    target: &[u8],
    r: PathResolver,
    base: BorrowedFd<'_>,
    path: RelPath<'_>,
) -> Result<()> {
    let (dir, name) = parent(r, base, path)?;
    if path.trailing_slash() {
        return Err(slash_on_new_name(&dir, name));
    }
    Ok(rustix::fs::symlinkat(
        OsStr::from_bytes(target),
        &dir,
        name,
    )?)
}

/// `rename` from one base to another (or the same).
pub fn rename(
    r: PathResolver,
    old_base: BorrowedFd<'_>,
    old: RelPath<'_>,
    new_base: BorrowedFd<'_>,
    new: RelPath<'_>,
) -> Result<()> {
    let (old_dir, old_name) = parent(r, old_base, old)?;
    let (new_dir, new_name) = parent(r, new_base, new)?;
    if (old.trailing_slash() || new.trailing_slash())
        && !is(&lstat(&old_dir, old_name)?, FileType::Directory)
    {
        return Err(Errno::Notdir.into());
    }
    Ok(rustix::fs::renameat(
        &old_dir, old_name, &new_dir, new_name,
    )?)
}

/// `link`: a new hard link `new` to `old`, never following a symbolic link `old`.
pub fn link(
    r: PathResolver,
    old_base: BorrowedFd<'_>,
    old: RelPath<'_>,
    new_base: BorrowedFd<'_>,
    new: RelPath<'_>,
) -> Result<()> {
    let (old_dir, old_name) = parent(r, old_base, old)?;
    let (new_dir, new_name) = parent(r, new_base, new)?;
    if old.trailing_slash() {
        let st = lstat(&old_dir, old_name)?;
        return Err(Error::Errno(if is(&st, FileType::Directory) {
            Errno::Perm
        } else {
            Errno::Notdir
        }));
    }
    if new.trailing_slash() {
        return Err(slash_on_new_name(&new_dir, new_name));
    }
    let flags = AtFlags::empty();
    Ok(rustix::fs::linkat(
        &old_dir, old_name, &new_dir, new_name, flags,
    )?)
}

/// `readlink`: the target of symbolic link `path`, truncated to `buf`; returns the length.
pub fn readlink(
    r: PathResolver,
    base: BorrowedFd<'_>,
    path: RelPath<'_>,
    buf: &mut [u8],
) -> Result<usize> {
    let (dir, name) = parent(r, base, path)?;
    if path.trailing_slash() {
        // `x/` is a directory, not a link: EINVAL for a directory, ENOTDIR otherwise.
        let st = lstat(&dir, name)?;
        return Err(Error::Errno(if is(&st, FileType::Directory) {
            Errno::Inval
        } else {
            Errno::Notdir
        }));
    }
    Ok(rustix::fs::readlinkat_raw(&dir, name, buf)?)
}

/// `stat`: attributes of `path`, or of the link itself when `follow` is false.
pub fn stat(
    r: PathResolver,
    base: BorrowedFd<'_>,
    path: RelPath<'_>,
    follow: bool,
) -> Result<Filestat> {
    let how = OpenHow {
        flags: OFlags::PATH,
        mode: Mode::empty(),
        follow,
    };
    let fd = open(r, base, path, how)?;
    crate::sys::stat::filestat(fd.as_fd(), false)
}

/// `utimensat`: set the times of `path` (of the link itself when `follow` is false). Final
/// symbolic links are expanded here, beneath the base, so the kernel never follows one.
pub fn set_times(
    r: PathResolver,
    base: BorrowedFd<'_>,
    path: RelPath<'_>,
    follow: bool,
    times: &Timestamps,
) -> Result<()> {
    let mut buf = path.as_bytes().to_vec();
    for _ in 0..=MAX_SYMLINK_EXPANSIONS {
        let cur = RelPath {
            path: &buf,
            trailing_slash: path.trailing_slash(),
        };
        let (dir, name) = parent(r, base, cur)?;
        let st = lstat(&dir, name);
        if follow && matches!(&st, Ok(st) if is(st, FileType::Symlink)) {
            let target = rustix::fs::readlinkat(&dir, name, Vec::new())?.into_bytes();
            check_link_target(&target)?;
            let (dir_part, _) = cur.split_last();
            let mut next = Vec::with_capacity(dir_part.len() + 1 + target.len());
            if !dir_part.is_empty() {
                next.extend_from_slice(dir_part);
                next.push(b'/');
            }
            next.extend_from_slice(&target);
            if next.len() >= PATH_MAX {
                return Err(Errno::Nametoolong.into());
            }
            buf = next;
            continue;
        }
        if path.trailing_slash() && !is(&st?, FileType::Directory) {
            return Err(Errno::Notdir.into());
        }
        let flags = AtFlags::SYMLINK_NOFOLLOW;
        return Ok(rustix::fs::utimensat(&dir, name, times, flags)?);
    }
    Err(Errno::Loop.into())
}

/// Creating a non-directory at `name/`: `ENOENT` when nothing is there, `EEXIST` for a
/// directory, `ENOTDIR` for anything else.
fn slash_on_new_name(dir: &DirFd<'_>, name: &OsStr) -> Error {
    match lstat(dir, name) {
        Err(e) => e,
        Ok(st) if is(&st, FileType::Directory) => Errno::Exist.into(),
        Ok(_) => Errno::Notdir.into(),
    }
}

fn lstat(dir: &impl AsFd, name: &OsStr) -> Result<Stat> {
    Ok(rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)?)
}

fn is(st: &Stat, ft: FileType) -> bool {
    FileType::from_raw_mode(st.st_mode) == ft
}
