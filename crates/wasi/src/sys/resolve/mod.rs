//! The kernel's fast path for resolving guest paths beneath an [`OsDir`].
//!
//! On Linux 5.6+ the kernel confines a whole walk itself: `openat2` with
//! `RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS` (see [`kernel`]) refuses absolute symbolic links and
//! any `..` that would leave the base, in one system call. The functions here answer exactly as
//! the shared userspace walk (`crate::vfs::walk`) does, which remains the fallback where the
//! call is missing or filtered (each returns `None` then) and the resolver of every other kind
//! of directory.

mod kernel;

use std::ffi::CStr;
use std::os::fd::{AsFd, OwnedFd};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno as Os;

use super::OsDir;
use super::dir::{CREATE_MODE, open_flags, opened};
use crate::error::Result;
use crate::preview1::types::{Errno, Filestat};
use crate::vfs::path::check_link_target;
use crate::vfs::walk::{Last, Step, walk};
use crate::vfs::{
    MAX_SYMLINK_EXPANSIONS, NAME_MAX, OpenOptions, Opened, PATH_MAX, RelPath, WasiDir,
};

/// Open `path` (or a path only for lookups) beneath `base`; `None` when `openat2` is unusable.
fn open_fd(
    base: &OsDir,
    path: &[u8],
    mut flags: OFlags,
    follow: bool,
    must_be_dir: bool,
) -> Option<Result<OwnedFd>> {
    if must_be_dir {
        flags |= OFlags::DIRECTORY;
    }
    // `openat2` refuses a mode unless it creates something.
    let mode = if flags.contains(OFlags::CREATE) {
        CREATE_MODE
    } else {
        Mode::empty()
    };
    kernel::open(base.fd(), path, flags, mode, follow)
}

/// The entry `path` names when it is one plain component of `base` itself (not `.` or `..`, no
/// slash anywhere): such a path cannot leave `base` unless it is a symbolic link that is
/// followed, so the plain `*at` call with `NOFOLLOW` answers it exactly as `openat2` would, in
/// the system call a native program makes.
fn single_name(path: RelPath<'_>) -> Option<&[u8]> {
    let p = path.as_bytes();
    let plain = path.is_one_component() && !path.trailing_slash() && p != b"." && p != b"..";
    plain.then_some(p)
}

/// Run `f` on `name` (one component of a [`RelPath`]) as a C string built on the stack: the
/// `*at` calls then take it as it is, with no second scan for NUL bytes.
fn with_c_name<R>(
    name: &[u8],
    f: impl FnOnce(&CStr) -> rustix::io::Result<R>,
) -> rustix::io::Result<R> {
    let mut buf = [0u8; NAME_MAX + 1];
    let Some(dst) = buf.get_mut(..name.len()) else {
        return Err(Os::NAMETOOLONG);
    };
    dst.copy_from_slice(name);
    debug_assert!(!name.contains(&0));
    // SAFETY: `buf[name.len()]` is 0 (`name.len() <= NAME_MAX` by the check above) and no byte
    // before it is: a `RelPath` holds no NUL byte (`RelPath::new` refuses them, and
    // `RelPath::from_checked`'s callers hold its rules).
    let name = unsafe { CStr::from_bytes_with_nul_unchecked(&buf[..=name.len()]) };
    f(name)
}

/// `path_open` beneath `base` in one `openat2` (one `openat` for a single name that is not a
/// followed symbolic link).
pub(crate) fn open(
    base: &OsDir,
    path: RelPath<'_>,
    opts: &OpenOptions,
    follow: bool,
) -> Option<Result<Opened>> {
    let flags = open_flags(opts);
    if let Some(name) = single_name(path) {
        let mode = if opts.create {
            CREATE_MODE
        } else {
            Mode::empty()
        };
        match with_c_name(name, |name| {
            rustix::fs::openat(base.fd(), name, flags | OFlags::NOFOLLOW, mode)
        }) {
            Ok(fd) => return Some(opened(fd, opts)),
            // A symbolic link (`ELOOP`, or `ENOTDIR` with `O_DIRECTORY`) to follow: the whole
            // path goes to the confined resolution below.
            Err(Os::LOOP) | Err(Os::NOTDIR) if follow => {}
            Err(e) => return Some(Err(e.into())),
        }
    }
    let fd = open_fd(base, path.as_bytes(), flags, follow, path.trailing_slash())?;
    Some(fd.and_then(|fd| opened(fd, opts)))
}

/// `path_filestat_get` beneath `base`: one `openat2` with `O_PATH`, then `fstat` (one
/// `fstatat` for a single name that is not a followed symbolic link).
pub(crate) fn stat(base: &OsDir, path: RelPath<'_>, follow: bool) -> Option<Result<Filestat>> {
    if let Some(name) = single_name(path) {
        let st = with_c_name(name, |name| {
            rustix::fs::statat(base.fd(), name, AtFlags::SYMLINK_NOFOLLOW)
        });
        match st {
            Ok(st) if follow && FileType::from_raw_mode(st.st_mode) == FileType::Symlink => {}
            Ok(st) => return Some(Ok(super::stat::from_stat(&st))),
            Err(e) => return Some(Err(e.into())),
        }
    }
    let flags = OFlags::PATH | OFlags::CLOEXEC;
    let fd = open_fd(base, path.as_bytes(), flags, follow, path.trailing_slash())?;
    Some(fd.and_then(|fd| super::stat::filestat(fd.as_fd())))
}

/// Resolve everything but the last component of `path` with one `openat2`, and run `last` on
/// the directory reached, as [`walk`] would. A final link `last` asks to follow is spliced
/// into the path and the whole path resolved again.
pub(crate) fn with_last<R>(
    base: &OsDir,
    path: RelPath<'_>,
    last: &mut impl FnMut(&dyn WasiDir, Last<'_>) -> Result<Step<R>>,
) -> Option<Result<R>> {
    let mut buf: Vec<u8>;
    let mut cur = path;
    let mut must_be_dir = path.trailing_slash();
    for round in 0..=MAX_SYMLINK_EXPANSIONS {
        let (dir_part, name) = cur.split_last();
        let (dir_path, what) = match name {
            b"." | b".." => (
                cur.as_bytes(),
                Last::Itself {
                    dotdot: name == b"..",
                },
            ),
            _ => (dir_part, Last::Entry { name, must_be_dir }),
        };
        let step = if dir_path.iter().all(|&b| b == b'/') {
            last(base, what)
        } else {
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            match open_fd(base, dir_path, flags, true, false) {
                Some(Ok(fd)) => last(&OsDir::new(fd), what),
                Some(Err(e)) => Err(e),
                // Unusable after a first round: the userspace walk takes over from here.
                None if round > 0 => return Some(walk(base, cur, last)),
                None => return None,
            }
        };
        let target = match step {
            Ok(Step::Done(r)) => return Some(Ok(r)),
            Ok(Step::Follow(target)) => target,
            Err(e) => return Some(Err(e)),
        };
        if let Err(e) = check_link_target(&target) {
            return Some(Err(e));
        }
        let mut next = Vec::with_capacity(dir_part.len() + 1 + target.len());
        if !dir_part.is_empty() {
            next.extend_from_slice(dir_part);
            next.push(b'/');
        }
        next.extend_from_slice(&target);
        if next.len() >= PATH_MAX {
            return Some(Err(Errno::Nametoolong.into()));
        }
        must_be_dir |= target.ends_with(b"/");
        buf = next;
        let end = buf.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
        cur = RelPath::from_checked(&buf[..end], false);
    }
    Some(Err(Errno::Loop.into()))
}
