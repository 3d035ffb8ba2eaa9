//! Resolving guest paths beneath a directory descriptor, so that nothing a guest names can reach
//! outside the directories it was given.
//!
//! Two resolvers give the same answers. On Linux 5.6+ the kernel confines the walk itself
//! (`openat2` with `RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS`, see [`kernel`]); where that call
//! is missing or filtered, [`walk`] resolves one component at a time in user space. Both refuse
//! absolute paths and absolute symlink targets, any `..` that would leave the base (even for a
//! moment), and give `ELOOP` after [`MAX_SYMLINK_EXPANSIONS`] links. [`PathResolver`] chooses
//! between them per [`crate::WasiCtx`].
//!
//! Operations on a final component (unlink, rename, ...) resolve its parent here and then act
//! with an `*at` call on the last name; see [`ops`].

mod kernel;
pub mod ops;
mod walk;

use std::ffi::OsStr;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use rustix::fs::{Mode, OFlags};

use crate::error::{Error, Result};
use crate::preview1::types::Errno;

/// Longest path accepted, in bytes (Linux's `PATH_MAX`, including room for the NUL).
pub const PATH_MAX: usize = 4096;
/// Longest single path component, in bytes (Linux's `NAME_MAX`).
pub const NAME_MAX: usize = 255;
/// Most symbolic links expanded while resolving one path (Linux's own limit).
pub const MAX_SYMLINK_EXPANSIONS: u32 = 40;

/// How a [`crate::WasiCtx`] resolves guest paths beneath its directory descriptors.
///
/// Both choices confine every path to the directory it is resolved from and give the same
/// errors; the choice only matters for speed and for hosts whose kernel or seccomp policy lacks
/// `openat2`.
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

/// A guest path checked to be relative, non-empty, free of NUL bytes and with no component over
/// [`NAME_MAX`] bytes. Trailing slashes are split off into a flag: they mean "must be a
/// directory" and never make a final symbolic link be followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RelPath<'a> {
    path: &'a [u8],
    trailing_slash: bool,
}

impl<'a> RelPath<'a> {
    /// Check `bytes`: `ENOENT` if empty, `EPERM` if absolute, `EINVAL` for a NUL byte,
    /// `ENAMETOOLONG` for a path over [`PATH_MAX`] or a component over [`NAME_MAX`].
    pub fn new(bytes: &'a [u8]) -> Result<Self> {
        if bytes.is_empty() {
            return Err(Errno::Noent.into());
        }
        if bytes.len() >= PATH_MAX {
            return Err(Errno::Nametoolong.into());
        }
        if bytes.contains(&0) {
            return Err(Errno::Inval.into());
        }
        if bytes[0] == b'/' {
            return Err(Errno::Perm.into());
        }
        if bytes.split(|&b| b == b'/').any(|c| c.len() > NAME_MAX) {
            return Err(Errno::Nametoolong.into());
        }
        let end = bytes.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
        Ok(RelPath {
            path: &bytes[..end],
            trailing_slash: end < bytes.len(),
        })
    }

    /// The path without its trailing slashes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.path
    }

    /// True if the guest wrote one or more slashes at the end.
    pub fn trailing_slash(&self) -> bool {
        self.trailing_slash
    }

    /// (everything before the last component, the last component).
    fn split_last(&self) -> (&'a [u8], &'a [u8]) {
        match self.path.iter().rposition(|&b| b == b'/') {
            Some(i) => (&self.path[..i], &self.path[i + 1..]),
            None => (&[], self.path),
        }
    }
}

/// How to open the object a path names.
#[derive(Clone, Copy, Debug)]
pub struct OpenHow {
    /// Access mode and open flags (`O_NOFOLLOW` and `O_CLOEXEC` are added as needed).
    pub flags: OFlags,
    /// Permissions of a created file.
    pub mode: Mode,
    /// Follow a symbolic link in the last component.
    pub follow: bool,
}

impl OpenHow {
    /// Open a directory for `*at` calls only (`O_PATH`), following a final symbolic link.
    pub const DIR_PATH: OpenHow = OpenHow {
        flags: OFlags::PATH.union(OFlags::DIRECTORY),
        mode: Mode::empty(),
        follow: true,
    };
}

/// Open what `path` names beneath `base`, never leaving `base`.
pub fn open(
    resolver: PathResolver,
    base: BorrowedFd<'_>,
    path: RelPath<'_>,
    how: OpenHow,
) -> Result<OwnedFd> {
    let mut flags = how.flags | OFlags::CLOEXEC;
    if !flags.contains(OFlags::PATH) {
        // `openat2` takes no other flags with `O_PATH`.
        flags |= OFlags::NOCTTY;
    }
    if path.trailing_slash {
        flags |= OFlags::DIRECTORY;
    }
    // `openat2` refuses a mode unless it creates something.
    let mode = if flags.contains(OFlags::CREATE) {
        how.mode
    } else {
        Mode::empty()
    };
    if resolver == PathResolver::Auto
        && let Some(result) = kernel::open(base, path.as_bytes(), flags, mode, how.follow)
    {
        return result;
    }
    walk::open(base, path.as_bytes(), flags, mode, how.follow)
}

/// A directory to apply an `*at` call to: the base itself or one opened beneath it.
#[derive(Debug)]
pub enum DirFd<'a> {
    /// The descriptor the path was resolved from.
    Base(BorrowedFd<'a>),
    /// A directory opened beneath it.
    Owned(OwnedFd),
}

impl AsFd for DirFd<'_> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            DirFd::Base(fd) => *fd,
            DirFd::Owned(fd) => fd.as_fd(),
        }
    }
}

/// Resolve everything but the last component of `path` beneath `base`: the directory holding
/// the last component, and that component's name, which is never `..` (a path ending in `.` or
/// `..` gives the directory it names and `.`). Symbolic links before the last component are
/// followed (beneath `base`); the last component is left for the caller's `*at` call.
pub fn parent<'a, 'p>(
    resolver: PathResolver,
    base: BorrowedFd<'a>,
    path: RelPath<'p>,
) -> Result<(DirFd<'a>, &'p OsStr)> {
    let (dir, last) = path.split_last();
    if last == b"." || last == b".." {
        let whole = RelPath {
            path: path.path,
            trailing_slash: false,
        };
        let fd = open(resolver, base, whole, OpenHow::DIR_PATH)?;
        return Ok((DirFd::Owned(fd), OsStr::new(".")));
    }
    let name = OsStr::from_bytes(last);
    if dir.iter().all(|&b| b == b'/') {
        return Ok((DirFd::Base(base), name));
    }
    let dir = RelPath {
        path: dir,
        trailing_slash: false,
    };
    let fd = open(resolver, base, dir, OpenHow::DIR_PATH)?;
    Ok((DirFd::Owned(fd), name))
}

/// Check the target of a symbolic link being expanded: absolute targets leave the sandbox
/// (`EPERM`), empty ones name nothing (`ENOENT`).
fn check_link_target(target: &[u8]) -> Result<()> {
    match target.first() {
        None => Err(Error::Errno(Errno::Noent)),
        Some(b'/') => Err(Error::Errno(Errno::Perm)),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rel_path_rules() {
        let e = |p: &[u8]| RelPath::new(p).unwrap_err().errno();
        assert_eq!(e(b""), Some(Errno::Noent));
        assert_eq!(e(b"/etc"), Some(Errno::Perm));
        assert_eq!(e(b"//"), Some(Errno::Perm));
        assert_eq!(e(b"a\0b"), Some(Errno::Inval));
        assert_eq!(e(&[b'x'; 256]), Some(Errno::Nametoolong));
        assert_eq!(e(&[b'a'; PATH_MAX]), Some(Errno::Nametoolong));
        assert!(RelPath::new(&[b'x'; 255]).is_ok());
        let p = RelPath::new(b"a//b///").unwrap();
        assert_eq!((p.as_bytes(), p.trailing_slash()), (&b"a//b"[..], true));
        assert_eq!(p.split_last(), (&b"a/"[..], &b"b"[..]));
        let p = RelPath::new(b"file").unwrap();
        assert_eq!(p.split_last(), (&b""[..], &b"file"[..]));
        assert!(!p.trailing_slash());
    }
}
