//! The rights each kind of descriptor starts with.

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
/// inspects and is checked against the descriptor's ceiling (see [`crate::entry`]).
pub const ENFORCED: Rights = MUTATING.union(Rights::FD_READ);

/// The rights of a read-only preopened directory.
pub const DIRECTORY_READ_ONLY: Rights =
    Rights::from_bits_truncate(DIRECTORY.bits() & !MUTATING.bits());

/// What a read-only preopen may hand down.
pub const DIRECTORY_INHERITING_READ_ONLY: Rights =
    Rights::from_bits_truncate(DIRECTORY_INHERITING.bits() & !MUTATING.bits());
