//! Resolution in user space, one component at a time, for kernels (or seccomp policies) without
//! `openat2`.
//!
//! Every directory is entered with `O_PATH | O_NOFOLLOW` and checked with `fstat` on the
//! descriptor just opened, so what is checked is what is used. Symbolic links are expanded by
//! hand with `readlinkat` (absolute targets refused). `..` pops a stack of the directories
//! entered rather than asking the kernel for a parent, so concurrent renames cannot lead the
//! walk out of the base; popping past the base is refused. Only the innermost [`WINDOW`]
//! directories keep a descriptor open; deeper `..` chains re-walk from the base along the names
//! recorded (again refusing symbolic links), so a deep path cannot exhaust descriptors.

use std::ffi::OsStr;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno as Os;

use super::{MAX_SYMLINK_EXPANSIONS, check_link_target};
use crate::error::{Error, Result};
use crate::preview1::types::Errno;

/// Directory descriptors kept open at once during one walk.
const WINDOW: usize = 32;

/// The directories entered so far beneath the base.
struct Walk<'a> {
    base: BorrowedFd<'a>,
    /// Names of the directories entered, outermost first (never `.`, `..` or a symlink).
    names: Vec<Vec<u8>>,
    /// Descriptors of the innermost `fds.len()` entries of `names`.
    fds: Vec<OwnedFd>,
    /// Symbolic links expanded so far.
    expansions: u32,
}

impl Walk<'_> {
    fn current(&self) -> BorrowedFd<'_> {
        self.fds.last().map_or(self.base, |fd| fd.as_fd())
    }

    fn enter(&mut self, name: &[u8], fd: OwnedFd) {
        if self.fds.len() == WINDOW {
            self.fds.remove(0);
        }
        self.names.push(name.to_vec());
        self.fds.push(fd);
    }

    /// `..`: back to the directory entered before the current one; `EPERM` at the base.
    fn leave(&mut self) -> Result<()> {
        if self.names.pop().is_none() {
            return Err(Errno::Perm.into());
        }
        self.fds.pop();
        if self.fds.is_empty() && !self.names.is_empty() {
            self.rewalk()?;
        }
        Ok(())
    }

    /// Reopen the innermost directories from the base along the recorded names.
    fn rewalk(&mut self) -> Result<()> {
        let keep_from = self.names.len().saturating_sub(WINDOW);
        let mut cur: Option<OwnedFd> = None;
        for (i, name) in self.names.iter().enumerate() {
            let at = cur.as_ref().map_or(self.base, |fd| fd.as_fd());
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let fd = rustix::fs::openat(at, OsStr::from_bytes(name), flags, Mode::empty())?;
            if i >= keep_from {
                self.fds.push(fd.try_clone()?);
            }
            cur = Some(fd);
        }
        Ok(())
    }

    /// Count one more symbolic link; `ELOOP` past the limit.
    fn expand(&mut self) -> Result<()> {
        self.expansions += 1;
        if self.expansions > MAX_SYMLINK_EXPANSIONS {
            return Err(Errno::Loop.into());
        }
        Ok(())
    }
}

/// Open `path` beneath `base` (see the module docs). `flags` already holds `O_DIRECTORY` when
/// the guest path ended in a slash; `follow` says whether a final symbolic link is followed.
pub(super) fn open(
    base: BorrowedFd<'_>,
    path: &[u8],
    mut flags: OFlags,
    mode: Mode,
    follow: bool,
) -> Result<OwnedFd> {
    let mut w = Walk {
        base,
        names: Vec::new(),
        fds: Vec::new(),
        expansions: 0,
    };
    // The part of the path still to resolve; symbolic link targets are spliced in front.
    let mut rest: Vec<u8> = path.to_vec();
    let mut pos = 0;
    loop {
        let (name, next) = component(&rest, pos);
        pos = next;
        let last = component(&rest, pos).0.is_empty();
        match name {
            b"" => return open_here(&w, flags, mode),
            b"." | b".." => {
                if name == b".." {
                    w.leave()?;
                }
                if last {
                    return open_here(&w, flags, mode);
                }
            }
            _ if !last => match step_into(w.current(), name)? {
                Step::Opened(fd) => w.enter(name, fd),
                Step::Link(target) => {
                    w.expand()?;
                    splice(&mut rest, pos, &target);
                    pos = 0;
                }
            },
            _ => match open_last(w.current(), name, flags, mode, follow)? {
                Step::Opened(fd) => return Ok(fd),
                Step::Link(target) => {
                    w.expand()?;
                    if target.ends_with(b"/") {
                        flags |= OFlags::DIRECTORY;
                    }
                    splice(&mut rest, pos, &target);
                    pos = 0;
                }
            },
        }
    }
}

/// The component starting at or after `pos` (empty at the end) and the position after it.
fn component(path: &[u8], pos: usize) -> (&[u8], usize) {
    let start = path[pos..]
        .iter()
        .position(|&b| b != b'/')
        .map_or(path.len(), |i| pos + i);
    let end = path[start..]
        .iter()
        .position(|&b| b == b'/')
        .map_or(path.len(), |i| start + i);
    (&path[start..end], end)
}

/// Replace the part of `rest` already consumed (before `pos`) by `target`.
fn splice(rest: &mut Vec<u8>, pos: usize, target: &[u8]) {
    let mut next = Vec::with_capacity(target.len() + 1 + rest.len() - pos);
    next.extend_from_slice(target);
    next.push(b'/');
    next.extend_from_slice(&rest[pos..]);
    *rest = next;
}

/// What a component turned out to be.
enum Step {
    /// A directory entered (or, for the last component, the object opened).
    Opened(OwnedFd),
    /// A symbolic link to expand, with its (checked) target.
    Link(Vec<u8>),
}

/// Step into directory `name` of `dir`, or read it as a symbolic link to expand.
fn step_into(dir: BorrowedFd<'_>, name: &[u8]) -> Result<Step> {
    let flags = OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = rustix::fs::openat(dir, OsStr::from_bytes(name), flags, Mode::empty())?;
    match FileType::from_raw_mode(rustix::fs::fstat(&fd)?.st_mode) {
        FileType::Directory => Ok(Step::Opened(fd)),
        FileType::Symlink => link_target(fd.as_fd(), OsStr::new("")).map(Step::Link),
        _ => Err(Errno::Notdir.into()),
    }
}

/// Open the last component `name` of `dir` without ever letting the kernel follow it; a
/// symbolic link there is returned for expansion when `follow` is set.
fn open_last(
    dir: BorrowedFd<'_>,
    name: &[u8],
    flags: OFlags,
    mode: Mode,
    follow: bool,
) -> Result<Step> {
    let name = OsStr::from_bytes(name);
    match rustix::fs::openat(dir, name, flags | OFlags::NOFOLLOW, mode) {
        Ok(fd) => {
            // `O_PATH | O_NOFOLLOW` opens a symbolic link itself rather than failing.
            if follow && flags.contains(OFlags::PATH) && is_symlink(rustix::fs::fstat(&fd)?) {
                return link_target(fd.as_fd(), OsStr::new("")).map(Step::Link);
            }
            Ok(Step::Opened(fd))
        }
        // `O_NOFOLLOW` met a symbolic link (with `O_DIRECTORY` the kernel says ENOTDIR).
        Err(Os::LOOP) if follow => link_target(dir, name).map(Step::Link),
        Err(Os::NOTDIR) if follow && flags.contains(OFlags::DIRECTORY) => {
            match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) if is_symlink(st) => link_target(dir, name).map(Step::Link),
                _ => Err(Errno::Notdir.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The object the walk stands on once the path is used up (it ended in `.` or `..`).
fn open_here(w: &Walk<'_>, flags: OFlags, mode: Mode) -> Result<OwnedFd> {
    Ok(rustix::fs::openat(w.current(), ".", flags, mode)?)
}

fn is_symlink(st: rustix::fs::Stat) -> bool {
    FileType::from_raw_mode(st.st_mode) == FileType::Symlink
}

/// The target of symbolic link `name` in `dir` (`""` for a descriptor of the link itself).
fn link_target(dir: BorrowedFd<'_>, name: &OsStr) -> Result<Vec<u8>> {
    let target = rustix::fs::readlinkat(dir, name, Vec::new())
        .map_err(Error::from)?
        .into_bytes();
    check_link_target(&target)?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components() {
        assert_eq!(component(b"a//bc/", 0), (&b"a"[..], 1));
        assert_eq!(component(b"a//bc/", 1), (&b"bc"[..], 5));
        assert_eq!(component(b"a//bc/", 5), (&b""[..], 6));
        let mut rest = b"x/link/y".to_vec();
        splice(&mut rest, 6, b"../t");
        assert_eq!(rest, b"../t//y");
    }
}
