//! [`MemFs`]: an in-memory file system to preopen for a guest.
//!
//! A `MemFs` holds regular files, directories, symbolic links and hard links, with inode
//! numbers, link counts and POSIX timestamps, and answers every [`WasiDir`] and
//! [`WasiFile`](crate::vfs::WasiFile) call with the errno Linux gives for the same operation.
//! Nothing a guest does reaches the host. It can start empty, as a copy of a host directory
//! ([`MemFs::from_host_dir`]) or from a tar archive ([`MemFs::from_tar`]), and the embedder
//! can look inside at any time ([`MemFs::read_file`], [`MemFs::snapshot`], ...).
//!
//! ```
//! use wasihost::memfs::MemFs;
//! use wasihost::{Mount, WasiCtx};
//!
//! let fs = MemFs::new().with_max_bytes(1 << 20);
//! fs.write_file("etc/motd", b"hello")?;
//! let ctx = WasiCtx::builder().preopen(fs.root(), "/", Mount::ReadWrite).build()?;
//! # drop(ctx);
//! assert_eq!(fs.read_file("etc/motd")?, b"hello");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Limits
//!
//! Guests are not trusted, so the data held (file contents and link targets) is capped, by
//! default at [`DEFAULT_MAX_BYTES`], and so is the number of directory entries
//! ([`DEFAULT_MAX_ENTRIES`]). A change that would cross a cap fails with `ENOSPC` before
//! anything is allocated for it. Data of files removed while still open counts until the last
//! handle closes, as on a disk.
//!
//! # Locking
//!
//! One lock guards the whole tree, so every call is atomic with respect to the others
//! (renames included). It is never held while calling back into other code, except the
//! clock given to [`MemFs::with_clock`], which must not use this `MemFs`. A poisoned lock is
//! recovered: every change to the tree is completed before anything that could panic.
//!
//! # Differences from the OS filesystem
//!
//! Path resolution is not one of them: a `MemFs` directory gets the same sandboxed walk as an
//! OS directory (`..` never leaves the preopen, absolute link targets are `EPERM`, more than 40
//! links is `ELOOP`, trailing slashes mean "a directory"). The crate's differential test runs
//! random sequences of `path_*` and `fd_*` calls on a host directory and on a `MemFs` and
//! compares every answer and the whole tree after each step; the path and fd guests run on
//! both. What legitimately differs, and is normalised there:
//!
//! - **Timestamps.** Taken from the `MemFs` clock at nanosecond resolution, and updated as
//!   POSIX says (a read updates `atim`; there is no `relatime`/`noatime`). The host's file
//!   system has its own granularity and mount options.
//! - **Inode and device numbers.** Inodes are numbered from 1 (the root) in creation order
//!   and never reused while the `MemFs` exists; each `MemFs` has its own device number. The
//!   root's `..` entry in a listing is the root itself (nothing lies above it), where the OS
//!   gives the host parent's inode.
//! - **The size of a directory** is its number of entries (without `.` and `..`); Linux file
//!   systems report bytes of storage (4096 on ext4). A directory's link count is 2 plus its
//!   subdirectories, as on ext4 and tmpfs (btrfs reports 1).
//! - **Listing order** is creation order (a renamed entry moves to the end), not the hash
//!   order of the host's file system; cookies are positions that stay valid while entries
//!   come and go, as the [`WasiDir`] contract asks.
//! - **No owners or permission bits**: everything is readable and writable, so `EACCES`
//!   never happens, and read-only access is what a read-only mount gives.
//! - **Space** is the caps above (`ENOSPC`), not the disk. Holes are stored as zeros and
//!   `fd_allocate` zero-fills at once, so both count against the byte cap; `fd_advise` is
//!   accepted and ignored (out-of-range offsets are still `EINVAL`, as on Linux); the sync
//!   calls have nothing to do.

mod dir;
mod file;
mod inspect;
mod load;
mod node;
#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

pub use dir::MemDir;
pub use file::MemFile;
pub use inspect::SnapshotEntry;
use node::{Clock, ROOT, State};

use crate::vfs::WasiDir;

/// The default cap on bytes held: 1 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;
/// The default cap on directory entries: 262144.
pub const DEFAULT_MAX_ENTRIES: u64 = 1 << 18;

/// Device numbers, one per `MemFs`, so that two of them never report the same file.
static NEXT_DEV: AtomicU64 = AtomicU64::new(1);

/// What every handle of one file system shares.
pub(crate) struct Shared {
    state: Mutex<State>,
}

impl Shared {
    /// The tree, recovering from a poisoned lock.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A reference that keeps inode `ino` (and its data) alive while it exists.
pub(crate) struct Handle {
    pub fs: Arc<Shared>,
    pub ino: u64,
}

impl Handle {
    pub(crate) fn new(fs: &Arc<Shared>, ino: u64) -> Handle {
        if let Some(n) = fs.lock().inodes.get_mut(&ino) {
            n.open += 1;
        }
        Handle {
            fs: fs.clone(),
            ino,
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        let mut st = self.fs.lock();
        if let Some(n) = st.inodes.get_mut(&self.ino) {
            n.open = n.open.saturating_sub(1);
        }
        st.maybe_free(self.ino);
    }
}

/// An in-memory file system; cloning gives another handle to the same tree.
#[derive(Clone)]
pub struct MemFs {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for MemFs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.shared.lock();
        f.debug_struct("MemFs")
            .field("bytes", &st.bytes)
            .field("entries", &st.entries)
            .finish()
    }
}

impl Default for MemFs {
    fn default() -> Self {
        Self::new()
    }
}

/// The host's wall clock in nanoseconds since the epoch.
fn system_clock() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

impl MemFs {
    /// An empty file system with the default caps and the host's wall clock.
    pub fn new() -> MemFs {
        let dev = NEXT_DEV.fetch_add(1, Ordering::Relaxed);
        let clock: Clock = Arc::new(system_clock);
        let state = State::new(clock, dev, DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES);
        MemFs {
            shared: Arc::new(Shared {
                state: Mutex::new(state),
            }),
        }
    }

    /// Cap the bytes of file data and link targets held at `n`.
    pub fn with_max_bytes(self, n: u64) -> MemFs {
        self.shared.lock().max_bytes = n;
        self
    }

    /// Cap the number of directory entries (every name: files, directories, links) at `n`.
    pub fn with_max_entries(self, n: u64) -> MemFs {
        self.shared.lock().max_entries = n;
        self
    }

    /// Take timestamps from `clock` (nanoseconds since the epoch) instead of the host's wall
    /// clock, e.g. for reproducible runs.
    pub fn with_clock(self, clock: Arc<dyn Fn() -> u64 + Send + Sync>) -> MemFs {
        self.shared.lock().clock = clock;
        self
    }

    /// Take timestamps from the realtime clock of `clocks` (the guest's clocks, say).
    pub fn with_clocks(self, clocks: Arc<dyn crate::clocks::WasiClocks>) -> MemFs {
        let clock = move || {
            clocks
                .now(crate::preview1::types::Clockid::Realtime)
                .unwrap_or(0)
        };
        self.with_clock(Arc::new(clock))
    }

    /// Set the access, modification and change times of every file, directory and link to
    /// `t` (nanoseconds since the epoch), e.g. to hide a host copy's times in a reproducible run.
    pub fn set_all_times(&self, t: u64) {
        for n in self.shared.lock().inodes.values_mut() {
            (n.atim, n.mtim, n.ctim) = (t, t, t);
        }
    }

    /// A handle to the root directory, to preopen with
    /// [`WasiCtxBuilder::preopen`](crate::WasiCtxBuilder::preopen).
    pub fn root(&self) -> Arc<dyn WasiDir> {
        Arc::new(MemDir::new(&self.shared, ROOT))
    }

    /// Bytes of file data and link targets held now.
    pub fn bytes_used(&self) -> u64 {
        self.shared.lock().bytes
    }

    /// Directory entries held now.
    pub fn entries_used(&self) -> u64 {
        self.shared.lock().entries
    }
}
