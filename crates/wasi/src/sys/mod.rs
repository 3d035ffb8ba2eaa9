//! Everything specific to the host OS (Linux). Another OS is another module with these items.

pub mod errno;
pub mod io;
pub mod net;
pub mod poll;
pub mod readdir;
pub mod resolve;
pub mod stat;

use std::os::fd::BorrowedFd;

use rustix::fs::FileType;

use crate::preview1::types::Filetype;

/// The WASI file type of an open host descriptor.
pub fn filetype_of(fd: BorrowedFd<'_>) -> Filetype {
    match rustix::fs::fstat(fd) {
        Ok(st) => filetype_from_mode(FileType::from_raw_mode(st.st_mode)),
        Err(_) => Filetype::Unknown,
    }
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
