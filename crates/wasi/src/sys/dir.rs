//! [`OsDir`]: a host directory as a [`WasiDir`].
//!
//! Every method acts on one name with one `*at` call and `AT_SYMLINK_NOFOLLOW` / `O_NOFOLLOW`,
//! so the kernel never follows a symbolic link on wasihost's behalf here. Whole paths are
//! resolved either by the kernel (`openat2`, see [`super::resolve`]) or by the shared
//! userspace walk over these methods.

use std::ffi::OsStr;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::sync::{Arc, Mutex};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno as Os;

use super::readdir::ReaddirState;
use super::{OsFile, stat};
use crate::error::Result;
use crate::preview1::types::{Dircookie, Errno, Fdflags, Filestat, Filetype, Timestamp};
use crate::vfs::{DirEntry, OpenOptions, Opened, WasiDir};

/// An open host directory.
pub struct OsDir {
    fd: OwnedFd,
    /// The directory stream kept between `fd_readdir` calls, so that listing a directory page by
    /// page costs time proportional to the entries listed.
    readdir: Mutex<Option<ReaddirState>>,
}

impl std::fmt::Debug for OsDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("OsDir").field(&self.fd).finish()
    }
}

impl OsDir {
    /// Wrap `fd`, a directory opened for reading (or with `O_PATH`, for lookups only).
    pub fn new(fd: OwnedFd) -> Self {
        OsDir {
            fd,
            readdir: Mutex::new(None),
        }
    }

    /// Open the host directory at `path` (an ambient path: the embedder's choice).
    pub fn open_ambient(path: &std::path::Path) -> std::io::Result<Self> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        Ok(OsDir::new(rustix::fs::open(path, flags, Mode::empty())?))
    }

    /// The host descriptor.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// `dir` itself, if it is an OS directory.
    pub(crate) fn downcast(dir: &dyn WasiDir) -> Option<&OsDir> {
        (dir as &dyn std::any::Any).downcast_ref::<OsDir>()
    }

    /// The OS directory `other` refers to, for calls on two directories; `EXDEV` for a
    /// directory of another kind.
    fn same_kind(other: &dyn WasiDir) -> Result<&OsDir> {
        Self::downcast(other).ok_or_else(|| Errno::Xdev.into())
    }

    fn lstat(&self, name: &[u8]) -> Result<rustix::fs::Stat> {
        Ok(rustix::fs::statat(
            self.fd(),
            OsStr::from_bytes(name),
            AtFlags::SYMLINK_NOFOLLOW,
        )?)
    }
}

/// The host open flags for `opts` (without the follow choice).
pub(crate) fn open_flags(opts: &OpenOptions) -> OFlags {
    if opts.lookup {
        return OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    }
    let mut flags = match (opts.read, opts.write || opts.truncate) {
        (_, false) => OFlags::RDONLY,
        (false, true) => OFlags::WRONLY,
        (true, true) => OFlags::RDWR,
    };
    flags |= OFlags::CLOEXEC | OFlags::NOCTTY;
    for (on, host) in [
        (opts.create, OFlags::CREATE),
        (opts.exclusive, OFlags::EXCL),
        (opts.truncate, OFlags::TRUNC),
        (opts.directory, OFlags::DIRECTORY),
        (opts.fdflags.contains(Fdflags::APPEND), OFlags::APPEND),
        (opts.fdflags.contains(Fdflags::NONBLOCK), OFlags::NONBLOCK),
    ] {
        if on {
            flags |= host;
        }
    }
    flags
}

/// How often [`OsDir::open`] retries an entry that changed kind while it looked.
const RACE_RETRIES: usize = 8;

/// Permissions of files created by the guest (the umask applies).
pub(crate) const CREATE_MODE: Mode = Mode::from_raw_mode(0o666);

/// What a descriptor the OS just opened is, as a WASI resource. Only opens that could have
/// found any kind of file need an `fstat` to tell: `O_DIRECTORY` opens only directories, and an
/// `O_CREAT | O_EXCL` open that succeeded made a new regular file.
pub(crate) fn opened(fd: OwnedFd, opts: &OpenOptions) -> Result<Opened> {
    if opts.lookup || opts.directory {
        return Ok(Opened::Dir(Arc::new(OsDir::new(fd))));
    }
    if opts.create && opts.exclusive {
        let file = OsFile::with_type(fd, Filetype::RegularFile, opts.fdflags);
        return Ok(Opened::File(Arc::new(file)));
    }
    let st = rustix::fs::fstat(&fd)?;
    Ok(match FileType::from_raw_mode(st.st_mode) {
        FileType::Directory => Opened::Dir(Arc::new(OsDir::new(fd))),
        ft => {
            let filetype = match ft {
                FileType::Socket => super::socket_filetype(fd.as_fd()),
                ft => super::filetype_from_mode(ft),
            };
            Opened::File(Arc::new(OsFile::with_type(fd, filetype, opts.fdflags)))
        }
    })
}

impl WasiDir for OsDir {
    fn open(&self, name: &[u8], opts: &OpenOptions) -> Result<Opened> {
        let flags = open_flags(opts) | OFlags::NOFOLLOW;
        let mode = if opts.create {
            CREATE_MODE
        } else {
            Mode::empty()
        };
        // With `O_DIRECTORY` the kernel reports a symbolic link as ENOTDIR; `lstat` tells it
        // apart from a file. If the entry was replaced by a directory in between, it is opened
        // again (a few times at most: a tree changing that fast gets ENOTDIR).
        for _ in 0..RACE_RETRIES {
            match rustix::fs::openat(self.fd(), OsStr::from_bytes(name), flags, mode) {
                Ok(fd) => return opened(fd, opts),
                Err(Os::NOTDIR) if opts.directory => match self.lstat(name) {
                    Ok(st) => match FileType::from_raw_mode(st.st_mode) {
                        FileType::Symlink => return Err(Errno::Loop.into()),
                        FileType::Directory => continue,
                        _ => return Err(Errno::Notdir.into()),
                    },
                    Err(e) if e.errno() == Some(Errno::Noent) => continue,
                    Err(_) => return Err(Errno::Notdir.into()),
                },
                Err(e) => return Err(e.into()),
            }
        }
        Err(Errno::Notdir.into())
    }

    fn stat_at(&self, name: &[u8]) -> Result<Filestat> {
        Ok(stat::from_stat(&self.lstat(name)?))
    }

    fn stat(&self) -> Result<Filestat> {
        stat::filestat(self.fd())
    }

    fn readdir(&self, cookie: Dircookie, out: &mut dyn FnMut(&DirEntry<'_>) -> bool) -> Result<()> {
        let mut guard = self.readdir.lock().unwrap_or_else(|p| p.into_inner());
        let state = match guard.take() {
            Some(state) => state,
            None => ReaddirState::new(self.fd())?,
        };
        let state = guard.insert(state);
        let result = list(state, cookie, out);
        if result.is_err() {
            // Start from a fresh stream next time rather than trust this one.
            *guard = None;
        }
        result
    }

    fn reopen(&self) -> Result<Arc<dyn WasiDir>> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(self.fd(), ".", flags, Mode::empty())?;
        Ok(Arc::new(OsDir::new(fd)))
    }

    fn readlink(&self, name: &[u8]) -> Result<Vec<u8>> {
        let target = rustix::fs::readlinkat(self.fd(), OsStr::from_bytes(name), Vec::new())?;
        Ok(target.into_bytes())
    }

    fn create_dir(&self, name: &[u8]) -> Result<()> {
        let mode = Mode::from_raw_mode(0o777);
        Ok(rustix::fs::mkdirat(
            self.fd(),
            OsStr::from_bytes(name),
            mode,
        )?)
    }

    fn remove_dir(&self, name: &[u8]) -> Result<()> {
        let name = OsStr::from_bytes(name);
        Ok(rustix::fs::unlinkat(self.fd(), name, AtFlags::REMOVEDIR)?)
    }

    fn unlink(&self, name: &[u8]) -> Result<()> {
        let name = OsStr::from_bytes(name);
        Ok(rustix::fs::unlinkat(self.fd(), name, AtFlags::empty())?)
    }

    fn symlink(&self, target: &[u8], name: &[u8]) -> Result<()> {
        let (target, name) = (OsStr::from_bytes(target), OsStr::from_bytes(name));
        Ok(rustix::fs::symlinkat(target, self.fd(), name)?)
    }

    fn rename(&self, name: &[u8], new_dir: &dyn WasiDir, new_name: &[u8]) -> Result<()> {
        let new_dir = Self::same_kind(new_dir)?;
        Ok(rustix::fs::renameat(
            self.fd(),
            OsStr::from_bytes(name),
            new_dir.fd(),
            OsStr::from_bytes(new_name),
        )?)
    }

    fn link(&self, name: &[u8], new_dir: &dyn WasiDir, new_name: &[u8]) -> Result<()> {
        let new_dir = Self::same_kind(new_dir)?;
        Ok(rustix::fs::linkat(
            self.fd(),
            OsStr::from_bytes(name),
            new_dir.fd(),
            OsStr::from_bytes(new_name),
            AtFlags::empty(),
        )?)
    }

    fn set_times_at(
        &self,
        name: &[u8],
        atim: Option<Timestamp>,
        mtim: Option<Timestamp>,
    ) -> Result<()> {
        let times = stat::timestamps(atim, mtim);
        let (name, flags) = (OsStr::from_bytes(name), AtFlags::SYMLINK_NOFOLLOW);
        Ok(rustix::fs::utimensat(self.fd(), name, &times, flags)?)
    }

    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        stat::set_times(self.fd(), atim, mtim)
    }

    fn sync(&self) -> Result<()> {
        super::io::sync(self.fd(), false)
    }
}

/// Hand entries from `cookie` on to `out` until it refuses one or the listing ends.
fn list(
    state: &mut ReaddirState,
    cookie: Dircookie,
    out: &mut dyn FnMut(&DirEntry<'_>) -> bool,
) -> Result<()> {
    state.seek(cookie)?;
    while let Some(entry) = state.peek()? {
        if !out(&entry) {
            break;
        }
        state.advance();
    }
    Ok(())
}
