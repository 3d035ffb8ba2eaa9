//! The resource traits: what a guest's descriptors are made of.
//!
//! Every descriptor of a [`WasiCtx`](crate::WasiCtx) is either a [`WasiFile`] (regular files,
//! stdio, pipes, sockets, capture buffers, anything file-like) or a [`WasiDir`] (a directory:
//! the OS's, the in-memory [`MemFs`](crate::memfs::MemFs), or one of the embedder's own). The
//! hostcalls are written once against these two traits; the built-in Linux resources are
//! implementations like any other (in the crate's `sys` module), and directories of every kind
//! get the same sandboxed path resolution, rights checks and read-only mounts.
//!
//! To give a guest something of your own, implement one trait and hand the object to the
//! builder: [`WasiCtxBuilder::preopen`](crate::WasiCtxBuilder::preopen) for a directory,
//! [`Stdio::File`](crate::Stdio::File) for a standard stream. [`BytesFile`] is a ready-made
//! read-only file over bytes in memory, for directories that serve content of their own.

mod bytes;
mod dir;
mod file;
pub(crate) mod ops;
pub(crate) mod path;
pub(crate) mod walk;

pub use crate::sys::{OsDir, OsFile};
pub use bytes::BytesFile;
pub use dir::{DirEntry, OpenOptions, Opened, WasiDir};
pub use file::{Readiness, WasiFile};
pub use ops::PathResolver;
pub use path::{MAX_SYMLINK_EXPANSIONS, NAME_MAX, PATH_MAX, RelPath};
