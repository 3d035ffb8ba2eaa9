//! What a guest file descriptor refers to, and the rights it carries.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use crate::error::{Error, Result};
use crate::fdpool::Fd;
use crate::preview1::types::{Errno, Fdflags, Filetype, Rights};
use crate::sys::readdir::ReaddirState;

/// One entry of the descriptor table.
pub struct Entry {
    /// The host resource.
    pub kind: Kind,
    /// Rights for operations on this descriptor.
    pub rights: Rights,
    /// Rights that descriptors opened through this one may have.
    pub inheriting: Rights,
    /// `SYNC`, `DSYNC` and `RSYNC` as the guest set them: Linux cannot change these on an open
    /// file, so every write (or read, for `RSYNC`) is followed by the matching sync call.
    pub sync_flags: Fdflags,
}

impl Fd for Entry {}

/// The host resource behind a descriptor.
pub enum Kind {
    /// A file, character device, pipe or anything else opened as a file.
    File(File),
    /// A directory.
    Dir(Dir),
    /// A stream the embedder supplied (reader and/or writer), e.g. a captured stdout.
    Stream(Stream),
    /// A socket.
    Socket(Socket),
}

/// An open directory.
pub struct Dir {
    /// The directory, opened for reading.
    pub fd: OwnedFd,
    /// The guest path it was preopened as, if it is a preopen.
    pub preopen: Option<String>,
    /// The host directory stream kept between `fd_readdir` calls.
    pub readdir: Option<ReaddirState>,
}

/// A stream supplied by the embedder.
pub struct Stream {
    /// Where reads come from, if readable.
    pub reader: Option<Box<dyn Read + Send>>,
    /// Where writes go, if writable.
    pub writer: Option<Box<dyn Write + Send>>,
}

/// An open socket.
pub struct Socket {
    /// The socket.
    pub fd: OwnedFd,
    /// True for a listening socket (accept only), false for a connected stream.
    pub listener: bool,
}

impl Entry {
    /// An entry for `kind` with the given rights.
    pub fn new(kind: Kind, rights: Rights, inheriting: Rights) -> Self {
        Entry {
            kind,
            rights,
            inheriting,
            sync_flags: Fdflags::empty(),
        }
    }

    /// Fail with `ENOTCAPABLE` unless every right in `needed` is held.
    pub fn require(&self, needed: Rights) -> Result<()> {
        if self.rights.contains(needed) {
            Ok(())
        } else {
            Err(Error::Errno(Errno::Notcapable))
        }
    }

    /// The host descriptor, if this entry has one (embedder streams do not).
    pub fn host_fd(&self) -> Option<BorrowedFd<'_>> {
        match &self.kind {
            Kind::File(f) => Some(f.as_fd()),
            Kind::Dir(d) => Some(d.fd.as_fd()),
            Kind::Socket(s) => Some(s.fd.as_fd()),
            Kind::Stream(_) => None,
        }
    }

    /// The open directory, or `ENOTDIR`.
    pub fn dir(&self) -> Result<&Dir> {
        match &self.kind {
            Kind::Dir(d) => Ok(d),
            _ => Err(Error::Errno(Errno::Notdir)),
        }
    }

    /// The open directory, mutably, or `ENOTDIR`.
    pub fn dir_mut(&mut self) -> Result<&mut Dir> {
        match &mut self.kind {
            Kind::Dir(d) => Ok(d),
            _ => Err(Error::Errno(Errno::Notdir)),
        }
    }

    /// The WASI file type of this entry, asking the OS where needed.
    pub fn filetype(&self) -> Filetype {
        match &self.kind {
            Kind::Dir(_) => Filetype::Directory,
            Kind::Stream(_) => Filetype::CharacterDevice,
            Kind::Socket(s) => crate::sys::socket_filetype(s.fd.as_fd()),
            Kind::File(f) => crate::sys::filetype_of(f.as_fd()),
        }
    }
}
