//! Rights: what each kind of descriptor may do, and how wasihost enforces them.
//!
//! # The model
//!
//! Each descriptor has a **ceiling** — what it may ever do — and the **requested** rights the
//! guest asked for when it opened it (reported by `fd_fdstat_get`), plus the same two sets for
//! what it hands down to descriptors opened through it. The embedder sets the ceiling of a
//! preopen ([`Mount`](crate::Mount): everything, read only, or a mask); a descriptor opened
//! beneath it gets what its parent hands down, whatever the guest asked for; the guest lowers
//! a ceiling for good with `fd_fdstat_set_rights`.
//!
//! | rights | checked against | why |
//! |---|---|---|
//! | [`FD_READ`](Rights::FD_READ) | requested and ceiling | the host file was opened for reading (or not) from them |
//! | every change ([`MUTATING`]: write, allocate, set size or times, create, link, rename, symlink, remove, unlink) | requested and ceiling | the embedder's read-only mounts and masks, and a guest that gave up changing something keeps that promise (`O_TRUNC` through a directory handing down only reading is refused) |
//! | inspection: seek, tell, `fd_filestat_get`, `path_filestat_get`, advise, sync, fdstat flags, readdir, readlink, `path_open` itself, polling, sock shutdown/accept | ceiling only | harmless: toolchains other than wasi-libc ask for narrow rights (say `FD_READ \| FD_SEEK`) and then stat the file, as the retired wasi-common allowed |
//! | what a directory hands down | the same split, on its inheriting sets | a file moved or linked from a directory handing down less into one handing down more is refused (`ENOTCAPABLE`) |
//!
//! A right outside what may be used is `ENOTCAPABLE`; a change beneath a read-only mount is
//! `EROFS`. The sets of rights each kind of descriptor starts with are below.

use crate::preview1::types::Rights;

/// Rights that only make sense on a regular file (or any non-directory).
pub const FILE: Rights = Rights::FD_DATASYNC
    .union(Rights::FD_READ)
    .union(Rights::FD_SEEK)
    .union(Rights::FD_FDSTAT_SET_FLAGS)
    .union(Rights::FD_SYNC)
    .union(Rights::FD_TELL)
    .union(Rights::FD_WRITE)
    .union(Rights::FD_ADVISE)
    .union(Rights::FD_ALLOCATE)
    .union(Rights::FD_FILESTAT_GET)
    .union(Rights::FD_FILESTAT_SET_SIZE)
    .union(Rights::FD_FILESTAT_SET_TIMES)
    .union(Rights::POLL_FD_READWRITE);

/// Rights that only make sense on a directory.
pub const DIRECTORY: Rights = Rights::FD_FDSTAT_SET_FLAGS
    .union(Rights::FD_SYNC)
    .union(Rights::FD_DATASYNC)
    .union(Rights::PATH_CREATE_DIRECTORY)
    .union(Rights::PATH_CREATE_FILE)
    .union(Rights::PATH_LINK_SOURCE)
    .union(Rights::PATH_LINK_TARGET)
    .union(Rights::PATH_OPEN)
    .union(Rights::FD_READDIR)
    .union(Rights::PATH_READLINK)
    .union(Rights::PATH_RENAME_SOURCE)
    .union(Rights::PATH_RENAME_TARGET)
    .union(Rights::PATH_FILESTAT_GET)
    .union(Rights::PATH_FILESTAT_SET_SIZE)
    .union(Rights::PATH_FILESTAT_SET_TIMES)
    .union(Rights::FD_FILESTAT_GET)
    .union(Rights::FD_FILESTAT_SET_TIMES)
    .union(Rights::PATH_SYMLINK)
    .union(Rights::PATH_REMOVE_DIRECTORY)
    .union(Rights::PATH_UNLINK_FILE);

/// What a preopened directory may hand down to what is opened beneath it.
pub const DIRECTORY_INHERITING: Rights = DIRECTORY.union(FILE);

/// Rights of a standard stream or host-provided stream.
pub const STREAM: Rights = Rights::FD_READ
    .union(Rights::FD_WRITE)
    .union(Rights::FD_FDSTAT_SET_FLAGS)
    .union(Rights::FD_FILESTAT_GET)
    .union(Rights::POLL_FD_READWRITE);

/// Rights of a socket.
pub const SOCKET: Rights = Rights::FD_READ
    .union(Rights::FD_WRITE)
    .union(Rights::FD_FDSTAT_SET_FLAGS)
    .union(Rights::FD_FILESTAT_GET)
    .union(Rights::POLL_FD_READWRITE)
    .union(Rights::SOCK_SHUTDOWN)
    .union(Rights::SOCK_ACCEPT);

/// Rights that open a file for writing.
pub const WRITE: Rights = Rights::FD_WRITE
    .union(Rights::FD_ALLOCATE)
    .union(Rights::FD_FILESTAT_SET_SIZE);

/// Rights that change the file system: none of them is held beneath a read-only mount, where
/// asking for one is `EROFS`.
pub const MUTATING: Rights = WRITE
    .union(Rights::FD_FILESTAT_SET_TIMES)
    .union(Rights::PATH_CREATE_DIRECTORY)
    .union(Rights::PATH_CREATE_FILE)
    .union(Rights::PATH_LINK_SOURCE)
    .union(Rights::PATH_LINK_TARGET)
    .union(Rights::PATH_RENAME_SOURCE)
    .union(Rights::PATH_RENAME_TARGET)
    .union(Rights::PATH_FILESTAT_SET_SIZE)
    .union(Rights::PATH_FILESTAT_SET_TIMES)
    .union(Rights::PATH_SYMLINK)
    .union(Rights::PATH_REMOVE_DIRECTORY)
    .union(Rights::PATH_UNLINK_FILE);

/// Rights checked against what the guest asked for, not only against the ceiling: reading a
/// file's contents (the host file is opened for reading from it) and every change to the file
/// system. The guest's own narrowing of these is kept, for a descriptor and for what it hands
/// down. Every other right (seeking, stat, advice, sync, readdir, readlink, polling) only
/// inspects and is checked against the descriptor's ceiling (see the table above).
pub const ENFORCED: Rights = MUTATING.union(Rights::FD_READ);

/// The rights of a read-only preopened directory.
pub const DIRECTORY_READ_ONLY: Rights =
    Rights::from_bits_truncate(DIRECTORY.bits() & !MUTATING.bits());

/// What a read-only preopen may hand down.
pub const DIRECTORY_INHERITING_READ_ONLY: Rights =
    Rights::from_bits_truncate(DIRECTORY_INHERITING.bits() & !MUTATING.bits());
