//! Everything specific to the host OS (Linux). Another OS is another module with these items.

pub mod clock;
mod dir;
pub mod errno;
mod file;
pub mod io;
pub mod net;
pub mod poll;
pub mod readdir;
pub mod resolve;
pub mod stat;

pub use dir::OsDir;
pub use file::OsFile;

use std::os::fd::BorrowedFd;

use rustix::fs::FileType;

/// What `poll_oneoff` can wait on for a resource: on Linux, a borrowed file descriptor.
pub type PollHandle<'a> = BorrowedFd<'a>;

use crate::preview1::types::Filetype;

/// The WASI file type of an open host descriptor (for a socket: stream or datagram).
pub fn filetype_of(fd: BorrowedFd<'_>) -> std::io::Result<Filetype> {
    let st = rustix::fs::fstat(fd)?;
    Ok(match FileType::from_raw_mode(st.st_mode) {
        FileType::Socket => socket_filetype(fd),
        ft => filetype_from_mode(ft),
    })
}

/// The WASI file type for a host file type.
pub fn filetype_from_mode(ft: FileType) -> Filetype {
    match ft {
        FileType::RegularFile => Filetype::RegularFile,
        FileType::Directory => Filetype::Directory,
        FileType::Symlink => Filetype::SymbolicLink,
        FileType::CharacterDevice => Filetype::CharacterDevice,
        FileType::BlockDevice => Filetype::BlockDevice,
        FileType::Socket => Filetype::SocketStream,
        FileType::Fifo | FileType::Unknown => Filetype::Unknown,
    }
}

/// The WASI file type of a socket: stream or datagram.
pub fn socket_filetype(fd: BorrowedFd<'_>) -> Filetype {
    match rustix::net::sockopt::socket_type(fd) {
        Ok(rustix::net::SocketType::DGRAM) => Filetype::SocketDgram,
        _ => Filetype::SocketStream,
    }
}

/// A descriptor for the guest to use as one of the host's standard streams.
///
/// Terminals and pipes are reopened (through `/proc/self/fd`) so the guest gets its own open
/// file description: flags it sets with `fd_fdstat_set_flags` (NONBLOCK, APPEND) then stay off
/// the host process's stdio, which would otherwise share them, and outlive the guest, through
/// `dup`. Files and sockets (whose offset or connection must stay shared, or which cannot be
/// reopened) are duplicated.
pub fn inherit_stdio(host: BorrowedFd<'_>) -> std::io::Result<std::os::fd::OwnedFd> {
    use rustix::fs::{Mode, OFlags};
    let st = rustix::fs::fstat(host)?;
    let reopen = matches!(
        FileType::from_raw_mode(st.st_mode),
        FileType::CharacterDevice | FileType::Fifo
    );
    if reopen {
        let host_flags = rustix::fs::fcntl_getfl(host)?;
        let path = format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&host));
        // NONBLOCK so that opening a pipe never waits for the other end (a pipe with no reader
        // left fails with ENXIO and is duplicated instead); the host's own flags are then
        // copied over.
        let flags = (host_flags & OFlags::RWMODE) | OFlags::CLOEXEC | OFlags::NOCTTY;
        if let Ok(fd) = rustix::fs::open(path.as_str(), flags | OFlags::NONBLOCK, Mode::empty()) {
            rustix::fs::fcntl_setfl(&fd, host_flags & (OFlags::APPEND | OFlags::NONBLOCK))?;
            return Ok(fd);
        }
    }
    Ok(rustix::io::fcntl_dupfd_cloexec(host, 0)?)
}

/// True if `file` is a host descriptor (its times are the host's).
pub fn is_host_file(file: &dyn crate::vfs::WasiFile) -> bool {
    (file as &dyn std::any::Any).is::<OsFile>()
}

/// True if `dir` is a host directory (its entries' times are the host's).
pub fn is_host_dir(dir: &dyn crate::vfs::WasiDir) -> bool {
    OsDir::downcast(dir).is_some()
}
