//! [`WasiDir`]: the trait behind every directory descriptor.

use std::any::Any;
use std::sync::Arc;

use super::file::WasiFile;
use crate::error::Result;
use crate::preview1::types::{Dircookie, Errno, Fdflags, Filestat, Filetype, Timestamp};

/// An open directory, whether the OS provides it or the embedder does (see
/// [`MemFs`](crate::memfs::MemFs) for a complete one).
///
/// # Names, not paths
///
/// Every method that takes a `name` acts on one entry of this directory: `name` is never
/// empty, never `.` or `..`, holds no `/` and no NUL byte and is at most 255 bytes. Guest paths
/// are resolved by wasihost itself, one component at a time through [`WasiDir::open`] and
/// [`WasiDir::readlink`], so every implementation gets the same sandbox as the OS directory:
/// `..` never leaves the preopen, symbolic links are expanded beneath it (absolute targets are
/// refused), at most 40 links are followed, trailing slashes mean "must be a directory", and
/// the descriptor's rights (and read-only mounts) are checked before any method is called.
///
/// # Symbolic links
///
/// No method follows a symbolic link at `name`: [`WasiDir::open`] on a link fails with
/// `ELOOP` (wasihost then reads it with [`WasiDir::readlink`] and resolves the target itself,
/// if the guest asked to follow), [`WasiDir::stat_at`] describes the link, and so on.
///
/// # Defaults
///
/// Only [`open`](WasiDir::open), [`stat_at`](WasiDir::stat_at), [`stat`](WasiDir::stat),
/// [`readdir`](WasiDir::readdir) and [`reopen`](WasiDir::reopen) are required. The others
/// default to a read-only directory without symbolic links: creating an entry that exists is
/// `EEXIST`, any other change is `EROFS`, `readlink` is `EINVAL` (or `ENOENT`).
///
/// Errors are [`crate::Error`]s; an `std::io::Error` converts with `?`.
pub trait WasiDir: Any + Send + Sync {
    /// Open entry `name` as described by `opts`, never following a symbolic link there
    /// (`ELOOP`). Errors as `openat` gives them: `ENOENT` for a missing name without `create`,
    /// `EEXIST` with `create` and `exclusive`, `ENOTDIR` with `directory` on a non-directory,
    /// `EISDIR` for writing or truncating a directory.
    fn open(&self, name: &[u8], opts: &OpenOptions) -> Result<Opened>;

    /// Attributes of entry `name` (of a symbolic link itself, not its target).
    fn stat_at(&self, name: &[u8]) -> Result<Filestat>;

    /// Attributes of this directory.
    fn stat(&self) -> Result<Filestat>;

    /// Call `out` with each entry from position `cookie` on (0 is the start), in order, until
    /// the listing ends or `out` returns `false`; the entry `out` refused is the one a later
    /// call with its position must give first. Entry `n` carries the cookie of the entry after
    /// it in [`DirEntry::next`]; cookies must stay valid while entries are added or removed
    /// (an entry added later may or may not be listed; a removed one is skipped), and a cookie
    /// past the end simply ends the listing. List `.` and `..` first, as the OS does.
    fn readdir(&self, cookie: Dircookie, out: &mut dyn FnMut(&DirEntry<'_>) -> bool) -> Result<()>;

    /// A new handle to this same directory (what opening `.` returns).
    fn reopen(&self) -> Result<Arc<dyn WasiDir>>;

    /// The target of symbolic link `name`. Default: `EINVAL` (not a link) once `name` exists.
    fn readlink(&self, name: &[u8]) -> Result<Vec<u8>> {
        self.stat_at(name)?;
        Err(Errno::Inval.into())
    }

    /// Create directory `name`. Default: `EEXIST` or `EROFS`.
    fn create_dir(&self, name: &[u8]) -> Result<()> {
        read_only_create(self, name)
    }

    /// Remove the empty directory `name` (`ENOTDIR` for anything else, `ENOTEMPTY` when it has
    /// entries). Default: `EROFS`.
    fn remove_dir(&self, name: &[u8]) -> Result<()> {
        let _ = name;
        Err(Errno::Rofs.into())
    }

    /// Remove the non-directory `name` (`EISDIR` for a directory); a symbolic link itself is
    /// removed. Default: `EROFS`.
    fn unlink(&self, name: &[u8]) -> Result<()> {
        let _ = name;
        Err(Errno::Rofs.into())
    }

    /// Create `name` as a symbolic link to `target` (relative, non-empty: checked by the
    /// caller; it is stored as given and never resolved here). Default: `EEXIST` or `EROFS`.
    fn symlink(&self, target: &[u8], name: &[u8]) -> Result<()> {
        let _ = target;
        read_only_create(self, name)
    }

    /// Move entry `name` to `new_name` in `new_dir` (this directory or another), replacing what
    /// is there as `renameat` does. `new_dir` of another implementation is `EXDEV`: downcast it
    /// with `(new_dir as &dyn Any).downcast_ref::<Self>()`. Default: `EROFS`.
    fn rename(&self, name: &[u8], new_dir: &dyn WasiDir, new_name: &[u8]) -> Result<()> {
        let _ = (name, new_dir, new_name);
        Err(Errno::Rofs.into())
    }

    /// A new hard link `new_name` in `new_dir` to the non-directory `name` (never following a
    /// symbolic link `name`). `new_dir` of another implementation is `EXDEV`. Default:
    /// `EEXIST` or `EROFS`.
    fn link(&self, name: &[u8], new_dir: &dyn WasiDir, new_name: &[u8]) -> Result<()> {
        let _ = name;
        read_only_create(new_dir, new_name)
    }

    /// Set the times of entry `name` (of a symbolic link itself); `None` leaves one as it is.
    /// Default: `EROFS`.
    fn set_times_at(
        &self,
        name: &[u8],
        atim: Option<Timestamp>,
        mtim: Option<Timestamp>,
    ) -> Result<()> {
        let _ = (name, atim, mtim);
        Err(Errno::Rofs.into())
    }

    /// Set the times of this directory. Default: `EROFS`.
    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        let _ = (atim, mtim);
        Err(Errno::Rofs.into())
    }

    /// Flush the directory to storage. Default: nothing to do.
    fn sync(&self) -> Result<()> {
        Ok(())
    }
}

/// The default answer of a read-only directory to creating `name`.
fn read_only_create<D: WasiDir + ?Sized>(dir: &D, name: &[u8]) -> Result<()> {
    match dir.stat_at(name) {
        Ok(_) => Err(Errno::Exist.into()),
        Err(e) if e.errno() == Some(Errno::Noent) => Err(Errno::Rofs.into()),
        Err(e) => Err(e),
    }
}

/// How [`WasiDir::open`] opens an entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// The new descriptor may read (or list, for a directory).
    pub read: bool,
    /// The new descriptor may write (a directory cannot be opened for writing: `EISDIR`).
    pub write: bool,
    /// Create a regular file if `name` does not exist.
    pub create: bool,
    /// With `create`: fail with `EEXIST` if `name` exists (a symbolic link counts).
    pub exclusive: bool,
    /// Cut an existing regular file to length 0 (`EISDIR` for a directory).
    pub truncate: bool,
    /// `name` must be a directory (`ENOTDIR` otherwise).
    pub directory: bool,
    /// Descriptor flags requested (`APPEND`, `NONBLOCK` and the sync flags).
    pub fdflags: Fdflags,
    /// The handle is only used to resolve a path further (a directory wasihost walks through,
    /// never given to the guest): no access to the contents is needed. Always comes with
    /// `directory` and nothing else.
    pub lookup: bool,
}

impl OpenOptions {
    /// The options wasihost uses to step through directory `name` while resolving a path.
    pub const LOOKUP: OpenOptions = OpenOptions {
        read: false,
        write: false,
        create: false,
        exclusive: false,
        truncate: false,
        directory: true,
        fdflags: Fdflags::empty(),
        lookup: true,
    };
}

/// What [`WasiDir::open`] opened.
pub enum Opened {
    /// A file-like resource.
    File(Arc<dyn WasiFile>),
    /// A directory.
    Dir(Arc<dyn WasiDir>),
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Opened::File(_) => "Opened::File(..)",
            Opened::Dir(_) => "Opened::Dir(..)",
        })
    }
}

/// One entry of a directory listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirEntry<'a> {
    /// The cookie of the entry after this one.
    pub next: Dircookie,
    /// The entry's inode number (any stable number; 0 if there is none).
    pub ino: u64,
    /// Its file type (of a symbolic link itself).
    pub filetype: Filetype,
    /// Its name.
    pub name: &'a [u8],
}
