//! Resolving a guest path beneath any [`WasiDir`], one component at a time.
//!
//! This is the sandbox every directory implementation shares. Each directory on the way is
//! entered with [`WasiDir::open`] and [`OpenOptions::LOOKUP`], which never follows a symbolic
//! link (it fails with `ELOOP`); links are then read with [`WasiDir::readlink`] and their target
//! is spliced in front of the rest of the path, here, beneath the base: absolute targets are
//! refused (`EPERM`) and more than [`MAX_SYMLINK_EXPANSIONS`] expansions is `ELOOP`. `..` pops a
//! stack of the directories entered rather than asking any directory for its parent, so it can
//! never lead above the base (`EPERM`), whatever happens to the tree meanwhile. Only the
//! innermost [`WINDOW`] directories keep a handle open; a deeper `..` chain re-walks from the
//! base along the names recorded (refusing symbolic links), so a deep path cannot exhaust host
//! descriptors.
//!
//! The last component is handed to the caller's closure, which performs the operation on the
//! directory reached and may ask for a final symbolic link to be followed ([`Step::Follow`]).

use std::sync::Arc;

use super::path::{MAX_SYMLINK_EXPANSIONS, RelPath, check_link_target};
use super::{OpenOptions, Opened, WasiDir};
use crate::error::Result;
use crate::preview1::types::Errno;

/// Directory handles kept open at once during one walk.
const WINDOW: usize = 32;

/// What the path names, as handed to the operation on its last component.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Last<'n> {
    /// The directory reached itself: the path ended in `.` or (with `dotdot`) in `..`.
    Itself {
        /// The last component was `..`.
        dotdot: bool,
    },
    /// Entry `name` of the directory reached.
    Entry {
        /// One component: no `/`, never `.` or `..`.
        name: &'n [u8],
        /// The path ended in a slash (or a followed link's target did): the entry must be a
        /// directory.
        must_be_dir: bool,
    },
}

/// What the operation on the last component decided.
pub(crate) enum Step<R> {
    /// Finished, with this result.
    Done(R),
    /// The entry is a symbolic link to follow: resolve this target in its place.
    Follow(Vec<u8>),
}

/// Resolve `path` beneath `base` and run `last` on what it names, following final symbolic
/// links as often as `last` asks (within the expansion limit).
pub(crate) fn walk<R>(
    base: &dyn WasiDir,
    path: RelPath<'_>,
    mut last: impl FnMut(&dyn WasiDir, Last<'_>) -> Result<Step<R>>,
) -> Result<R> {
    let mut w = Walk {
        base,
        names: Vec::new(),
        dirs: Vec::new(),
        expansions: 0,
    };
    // The part of the path still to resolve; symbolic link targets are spliced in front.
    let mut rest: Vec<u8> = path.as_bytes().to_vec();
    let mut must_be_dir = path.trailing_slash();
    let mut pos = 0;
    loop {
        let (name, next) = component(&rest, pos);
        pos = next;
        let is_last = component(&rest, pos).0.is_empty();
        let step = match name {
            b"" => last(w.current(), Last::Itself { dotdot: false })?,
            b"." | b".." => {
                if name == b".." {
                    w.leave()?;
                }
                if !is_last {
                    continue;
                }
                let dotdot = name == b"..";
                last(w.current(), Last::Itself { dotdot })?
            }
            _ if !is_last => {
                match lookup(w.current(), name)? {
                    Inner::Dir(dir) => w.enter(name, dir),
                    Inner::Link(target) => {
                        w.expand()?;
                        splice(&mut rest, pos, &target);
                        pos = 0;
                    }
                }
                continue;
            }
            _ => last(w.current(), Last::Entry { name, must_be_dir })?,
        };
        match step {
            Step::Done(r) => return Ok(r),
            Step::Follow(target) => {
                check_link_target(&target)?;
                w.expand()?;
                if target.ends_with(b"/") {
                    must_be_dir = true;
                }
                splice(&mut rest, pos, &target);
                pos = 0;
            }
        }
    }
}

/// An inner component of a path: a directory to enter or a symbolic link to expand.
enum Inner {
    Dir(Arc<dyn WasiDir>),
    Link(Vec<u8>),
}

/// How often an entry that changes between a symbolic link and something else while it is
/// looked up is looked up again.
const RACE_RETRIES: usize = 8;

/// Look up inner component `name` of `dir`.
fn lookup(dir: &dyn WasiDir, name: &[u8]) -> Result<Inner> {
    for _ in 0..RACE_RETRIES {
        match dir.open(name, &OpenOptions::LOOKUP) {
            Ok(Opened::Dir(d)) => return Ok(Inner::Dir(d)),
            Ok(Opened::File(_)) => return Err(Errno::Notdir.into()),
            Err(e) if e.errno() == Some(Errno::Loop) => match dir.readlink(name) {
                Ok(target) => {
                    check_link_target(&target)?;
                    return Ok(Inner::Link(target));
                }
                // No longer a symbolic link (or gone): the tree changed meanwhile.
                Err(e) if matches!(e.errno(), Some(Errno::Inval | Errno::Noent)) => continue,
                Err(e) => return Err(e),
            },
            Err(e) => return Err(e),
        }
    }
    Err(Errno::Loop.into())
}

/// The target of symbolic link `name` in `dir`, checked for expansion. A directory that said
/// `ELOOP` for something that is not a link keeps its `ELOOP`.
pub(crate) fn read_link(dir: &dyn WasiDir, name: &[u8]) -> Result<Vec<u8>> {
    let target = match dir.readlink(name) {
        Ok(t) => t,
        Err(e) if e.errno() == Some(Errno::Inval) => return Err(Errno::Loop.into()),
        Err(e) => return Err(e),
    };
    check_link_target(&target)?;
    Ok(target)
}

/// The directories entered so far beneath the base.
struct Walk<'a> {
    base: &'a dyn WasiDir,
    /// Names of the directories entered, outermost first (never `.`, `..` or a symlink).
    names: Vec<Vec<u8>>,
    /// Handles of the innermost `dirs.len()` entries of `names`.
    dirs: Vec<Arc<dyn WasiDir>>,
    /// Symbolic links expanded so far.
    expansions: u32,
}

impl Walk<'_> {
    fn current(&self) -> &dyn WasiDir {
        match self.dirs.last() {
            Some(d) => &**d,
            None => self.base,
        }
    }

    fn enter(&mut self, name: &[u8], dir: Arc<dyn WasiDir>) {
        if self.dirs.len() == WINDOW {
            self.dirs.remove(0);
        }
        self.names.push(name.to_vec());
        self.dirs.push(dir);
    }

    /// `..`: back to the directory entered before the current one; `EPERM` at the base.
    fn leave(&mut self) -> Result<()> {
        if self.names.pop().is_none() {
            return Err(Errno::Perm.into());
        }
        self.dirs.pop();
        if self.dirs.is_empty() && !self.names.is_empty() {
            self.rewalk()?;
        }
        Ok(())
    }

    /// Reopen the innermost directories from the base along the recorded names.
    fn rewalk(&mut self) -> Result<()> {
        let keep_from = self.names.len().saturating_sub(WINDOW);
        let mut cur: Option<Arc<dyn WasiDir>> = None;
        for (i, name) in self.names.iter().enumerate() {
            let at: &dyn WasiDir = cur.as_deref().unwrap_or(self.base);
            let Opened::Dir(dir) = at.open(name, &OpenOptions::LOOKUP)? else {
                return Err(Errno::Notdir.into());
            };
            if i >= keep_from {
                self.dirs.push(dir.clone());
            }
            cur = Some(dir);
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
