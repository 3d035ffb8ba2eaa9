//! Resolution confined by the kernel: `openat2` with `RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS`.

use std::ffi::OsStr;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::{AtomicU8, Ordering};

use rustix::fs::{Mode, OFlags, ResolveFlags};
use rustix::io::Errno as Os;

use crate::error::{Error, Result};
use crate::preview1::types::Errno;

const UNKNOWN: u8 = 0;
const AVAILABLE: u8 = 1;
const UNAVAILABLE: u8 = 2;

/// Whether this process may use `openat2`: probed once, then remembered.
static STATE: AtomicU8 = AtomicU8::new(UNKNOWN);

/// `openat2` gives `EAGAIN` when a concurrent rename might have raced with a `..`; retry this
/// often before letting the user-space walk answer.
const EAGAIN_RETRIES: usize = 16;

const RESOLVE: ResolveFlags = ResolveFlags::BENEATH.union(ResolveFlags::NO_MAGICLINKS);

/// Open `path` beneath `base` with the kernel confining the walk. `None` when `openat2` cannot
/// be used here (missing, filtered, or racing), so the caller should walk the path itself.
pub(super) fn open(
    base: BorrowedFd<'_>,
    path: &[u8],
    flags: OFlags,
    mode: Mode,
    follow: bool,
) -> Option<Result<OwnedFd>> {
    if !available(base) {
        return None;
    }
    let flags = if follow {
        flags
    } else {
        flags | OFlags::NOFOLLOW
    };
    for _ in 0..EAGAIN_RETRIES {
        match rustix::fs::openat2(base, OsStr::from_bytes(path), flags, mode, RESOLVE) {
            Ok(fd) => return Some(Ok(fd)),
            Err(Os::AGAIN) => continue,
            Err(Os::NOSYS) => {
                STATE.store(UNAVAILABLE, Ordering::Relaxed);
                return None;
            }
            // The kernel's answer to a path that would leave `base`.
            Err(Os::XDEV) => return Some(Err(Error::Errno(Errno::Perm))),
            Err(e) => return Some(Err(e.into())),
        }
    }
    None
}

/// True if `openat2` works in this process; probed with a harmless open of `base` itself.
fn available(base: BorrowedFd<'_>) -> bool {
    match STATE.load(Ordering::Relaxed) {
        AVAILABLE => true,
        UNAVAILABLE => false,
        _ => {
            let probe = rustix::fs::openat2(
                base,
                ".",
                OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
                RESOLVE,
            );
            // ENOSYS: kernel before 5.6. EPERM: a seccomp policy refusing it. EINVAL/E2BIG: a
            // kernel that does not know these flags. Anything else is about `base` itself and
            // says nothing about the call, so decide on a later probe.
            let state = match probe {
                Ok(_) => AVAILABLE,
                Err(Os::NOSYS | Os::PERM | Os::INVAL | Os::TOOBIG) => UNAVAILABLE,
                Err(_) => return false,
            };
            STATE.store(state, Ordering::Relaxed);
            state == AVAILABLE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kernels this crate is developed and tested on have `openat2`: make sure the
    /// `Auto` resolver really exercises it here, so tests of both resolvers test both.
    #[test]
    fn openat2_is_used_on_this_kernel() {
        let dir = rustix::fs::open(".", OFlags::PATH | OFlags::DIRECTORY, Mode::empty()).unwrap();
        assert!(
            available(dir.as_fd()),
            "openat2 unavailable on the test kernel"
        );
        let r = open(dir.as_fd(), b"..", OFlags::PATH, Mode::empty(), true).unwrap();
        assert_eq!(r.unwrap_err(), Error::Errno(Errno::Perm));
    }

    use std::os::fd::AsFd;
}
