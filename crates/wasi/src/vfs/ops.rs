//! The operations of the `path_*` calls on any [`WasiDir`], with the errors Linux gives.
//!
//! Each resolves its path beneath the base directory — with one `openat2` when the base is an
//! OS directory and the kernel offers it, with the shared userspace [`walk`] otherwise — and
//! then acts on the last component with one [`WasiDir`] method. What happens at the last
//! component is written once, here, for every implementation: trailing slashes ("must be a
//! directory", never a reason to follow a final link), paths naming a directory itself (ending
//! in `.` or `..`), and following final symbolic links when the guest asked.

use super::walk::{Last, Step, read_link, walk};
use super::{OpenOptions, Opened, RelPath, WasiDir};
use crate::error::{Error, Result};
use crate::preview1::types::{Errno, Filestat, Filetype, Timestamp};
use crate::sys::{OsDir, resolve as kernel};

/// How a [`crate::WasiCtx`] resolves guest paths beneath OS directories.
///
/// Both choices confine every path to the directory it is resolved from and give the same
/// errors; the choice only matters for speed and for hosts whose kernel or seccomp policy lacks
/// `openat2`. Directories of other kinds (in-memory, the embedder's own) always use the
/// userspace walk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PathResolver {
    /// Let the kernel confine resolution (`openat2` with `RESOLVE_BENEATH` on Linux 5.6+), and
    /// fall back to [`PathResolver::Userspace`] where the kernel or a seccomp filter refuses it.
    #[default]
    Auto,
    /// Always walk paths one component at a time in user space, expanding symbolic links by
    /// hand.
    Userspace,
}

/// The OS directory behind `base`, when the kernel may resolve paths beneath it.
fn kernel_base(r: PathResolver, base: &dyn WasiDir) -> Option<&OsDir> {
    match r {
        PathResolver::Auto => OsDir::downcast(base),
        PathResolver::Userspace => None,
    }
}

/// Resolve `path` beneath `base` and run `last` on what it names.
fn resolve<R>(
    r: PathResolver,
    base: &dyn WasiDir,
    path: RelPath<'_>,
    mut last: impl FnMut(&dyn WasiDir, Last<'_>) -> Result<Step<R>>,
) -> Result<R> {
    if let Some(os) = kernel_base(r, base)
        && let Some(result) = kernel::with_last(os, path, &mut last)
    {
        return result;
    }
    walk(base, path, last)
}

fn is(st: &Filestat, ft: Filetype) -> bool {
    st.filetype == ft
}

/// `path_open`: open what `path` names, following a final symbolic link if `follow`.
pub(crate) fn open(
    r: PathResolver,
    base: &dyn WasiDir,
    path: RelPath<'_>,
    opts: &OpenOptions,
    follow: bool,
) -> Result<Opened> {
    if let Some(os) = kernel_base(r, base)
        && let Some(result) = kernel::open(os, path, opts, follow)
    {
        return result;
    }
    walk(base, path, |dir, last| match last {
        Last::Itself { .. } => {
            if opts.create && opts.exclusive {
                Err(Errno::Exist.into())
            } else if opts.create || opts.write || opts.truncate {
                Err(Errno::Isdir.into())
            } else {
                Ok(Step::Done(Opened::Dir(dir.reopen()?)))
            }
        }
        // Creating through a final link whose target ends in a slash: what the kernel says for
        // `O_CREAT` on a path with a trailing slash, whether or not something is there.
        Last::Entry {
            must_be_dir: true, ..
        } if opts.create => Err(Errno::Isdir.into()),
        Last::Entry { name, must_be_dir } => {
            let opts = OpenOptions {
                directory: opts.directory || must_be_dir,
                ..*opts
            };
            match dir.open(name, &opts) {
                Err(e) if e.errno() == Some(Errno::Loop) => {
                    if follow {
                        Ok(Step::Follow(read_link(dir, name)?))
                    } else if opts.directory {
                        // What the kernel says for `O_DIRECTORY | O_NOFOLLOW` on a link.
                        Err(Errno::Notdir.into())
                    } else {
                        Err(e)
                    }
                }
                other => other.map(Step::Done),
            }
        }
    })
}

/// `path_filestat_get`: the attributes of what `path` names (of a final link itself unless
/// `follow`).
pub(crate) fn stat(
    r: PathResolver,
    base: &dyn WasiDir,
    path: RelPath<'_>,
    follow: bool,
) -> Result<Filestat> {
    if let Some(os) = kernel_base(r, base)
        && let Some(result) = kernel::stat(os, path, follow)
    {
        return result;
    }
    walk(base, path, |dir, last| match last {
        Last::Itself { .. } => Ok(Step::Done(dir.stat()?)),
        Last::Entry { name, must_be_dir } => {
            let st = dir.stat_at(name)?;
            if is(&st, Filetype::SymbolicLink) {
                if follow {
                    return Ok(Step::Follow(read_link(dir, name)?));
                }
                if must_be_dir {
                    return Err(Errno::Notdir.into());
                }
            } else if must_be_dir && !is(&st, Filetype::Directory) {
                return Err(Errno::Notdir.into());
            }
            Ok(Step::Done(st))
        }
    })
}

/// `path_create_directory` (a trailing slash is allowed).
pub(crate) fn create_dir(r: PathResolver, base: &dyn WasiDir, path: RelPath<'_>) -> Result<()> {
    resolve(r, base, path, |dir, last| match last {
        Last::Itself { .. } => Err(Errno::Exist.into()),
        Last::Entry { name, .. } => dir.create_dir(name).map(Step::Done),
    })
}

/// `path_remove_directory` (a trailing slash is allowed).
pub(crate) fn remove_dir(r: PathResolver, base: &dyn WasiDir, path: RelPath<'_>) -> Result<()> {
    resolve(r, base, path, |dir, last| match last {
        // Linux's answers: `x/..` names a directory holding at least `x`; `.` is refused.
        Last::Itself { dotdot: true } => Err(Errno::Notempty.into()),
        Last::Itself { dotdot: false } => Err(Errno::Inval.into()),
        Last::Entry { name, .. } => dir.remove_dir(name).map(Step::Done),
    })
}

/// `path_unlink_file`: remove a non-directory (a symbolic link itself, not its target).
pub(crate) fn unlink_file(r: PathResolver, base: &dyn WasiDir, path: RelPath<'_>) -> Result<()> {
    resolve(r, base, path, |dir, last| match last {
        Last::Itself { .. } => Err(Errno::Isdir.into()),
        Last::Entry { name, must_be_dir } => {
            if must_be_dir {
                // `x/` names a directory, which unlink never removes.
                let st = dir.stat_at(name)?;
                return Err(if is(&st, Filetype::Directory) {
                    Errno::Isdir.into()
                } else {
                    Errno::Notdir.into()
                });
            }
            dir.unlink(name).map(Step::Done)
        }
    })
}

/// Creating a non-directory at `name/`: `ENOENT` when nothing is there, `EEXIST` for a
/// directory, `ENOTDIR` for anything else.
fn slash_on_new_name(dir: &dyn WasiDir, name: &[u8]) -> Error {
    match dir.stat_at(name) {
        Err(e) => e,
        Ok(st) if is(&st, Filetype::Directory) => Errno::Exist.into(),
        Ok(_) => Errno::Notdir.into(),
    }
}

/// `path_symlink`: create `path` as a link to `target` (checked by the caller).
pub(crate) fn symlink(
    target: &[u8],
    r: PathResolver,
    base: &dyn WasiDir,
    path: RelPath<'_>,
) -> Result<()> {
    resolve(r, base, path, |dir, last| match last {
        Last::Itself { .. } => Err(Errno::Exist.into()),
        Last::Entry { name, must_be_dir } => {
            if must_be_dir {
                return Err(slash_on_new_name(dir, name));
            }
            dir.symlink(target, name).map(Step::Done)
        }
    })
}

/// `path_readlink`: the target of the symbolic link `path`.
pub(crate) fn readlink(r: PathResolver, base: &dyn WasiDir, path: RelPath<'_>) -> Result<Vec<u8>> {
    resolve(r, base, path, |dir, last| match last {
        Last::Itself { .. } => Err(Errno::Inval.into()),
        Last::Entry { name, must_be_dir } => {
            if must_be_dir {
                // `x/` is a directory, not a link: EINVAL for a directory, ENOTDIR otherwise.
                let st = dir.stat_at(name)?;
                return Err(if is(&st, Filetype::Directory) {
                    Errno::Inval.into()
                } else {
                    Errno::Notdir.into()
                });
            }
            dir.readlink(name).map(Step::Done)
        }
    })
}

/// `path_filestat_set_times`: set the times of `path` (of a final link itself unless
/// `follow`).
pub(crate) fn set_times(
    r: PathResolver,
    base: &dyn WasiDir,
    path: RelPath<'_>,
    follow: bool,
    atim: Option<Timestamp>,
    mtim: Option<Timestamp>,
) -> Result<()> {
    resolve(r, base, path, |dir, last| match last {
        Last::Itself { .. } => dir.set_times(atim, mtim).map(Step::Done),
        Last::Entry { name, must_be_dir } => {
            let st = dir.stat_at(name);
            if follow && matches!(&st, Ok(st) if is(st, Filetype::SymbolicLink)) {
                return Ok(Step::Follow(read_link(dir, name)?));
            }
            if must_be_dir && !is(&st?, Filetype::Directory) {
                return Err(Errno::Notdir.into());
            }
            dir.set_times_at(name, atim, mtim).map(Step::Done)
        }
    })
}

/// `path_rename` from one base to another (or the same).
pub(crate) fn rename(
    r: PathResolver,
    old_base: &dyn WasiDir,
    old: RelPath<'_>,
    new_base: &dyn WasiDir,
    new: RelPath<'_>,
) -> Result<()> {
    let slash = old.trailing_slash() || new.trailing_slash();
    resolve(r, old_base, old, |old_dir, old_last| {
        resolve(r, new_base, new, |new_dir, new_last| {
            if let (true, Last::Entry { name, .. }) = (slash, old_last)
                && !is(&old_dir.stat_at(name)?, Filetype::Directory)
            {
                return Err(Errno::Notdir.into());
            }
            match (old_last, new_last) {
                (Last::Entry { name, .. }, Last::Entry { name: new_name, .. }) => {
                    old_dir.rename(name, new_dir, new_name).map(Step::Done)
                }
                // Renaming `.` or `..`, or onto them.
                _ => Err(Errno::Busy.into()),
            }
        })
        .map(Step::Done)
    })
}

/// `path_link`: a new hard link `new` to `old`, never following a symbolic link `old`.
pub(crate) fn link(
    r: PathResolver,
    old_base: &dyn WasiDir,
    old: RelPath<'_>,
    new_base: &dyn WasiDir,
    new: RelPath<'_>,
) -> Result<()> {
    resolve(r, old_base, old, |old_dir, old_last| {
        resolve(r, new_base, new, |new_dir, new_last| {
            if old.trailing_slash() {
                let dir = match old_last {
                    Last::Itself { .. } => true,
                    Last::Entry { name, .. } => is(&old_dir.stat_at(name)?, Filetype::Directory),
                };
                return Err(if dir { Errno::Perm } else { Errno::Notdir }.into());
            }
            if new.trailing_slash() {
                return Err(match new_last {
                    Last::Itself { .. } => Errno::Exist.into(),
                    Last::Entry { name, .. } => slash_on_new_name(new_dir, name),
                });
            }
            match (old_last, new_last) {
                (_, Last::Itself { .. }) => Err(Errno::Exist.into()),
                // A directory cannot be hard-linked.
                (Last::Itself { .. }, _) => Err(Errno::Perm.into()),
                (Last::Entry { name, .. }, Last::Entry { name: new_name, .. }) => {
                    old_dir.link(name, new_dir, new_name).map(Step::Done)
                }
            }
        })
        .map(Step::Done)
    })
}
