//! [`OsFile`]: a host file descriptor as a [`WasiFile`] — regular files, pipes, terminals,
//! devices and sockets alike.

use std::io::{IoSlice, IoSliceMut, SeekFrom};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use crate::error::Result;
use crate::preview1::types::{
    Advice, Errno, Fdflags, Filestat, Filetype, Riflags, Roflags, Sdflags, Siflags, Timestamp,
};
use crate::vfs::{Readiness, WasiFile};

use super::{io, net, poll, stat};

/// The flags Linux cannot set on an open file, emulated per call.
const SYNC_FLAGS: Fdflags = Fdflags::SYNC.union(Fdflags::DSYNC).union(Fdflags::RSYNC);

/// A host file descriptor: a regular file, pipe, terminal, device or socket.
///
/// The file type is learned once, when the descriptor is wrapped. `SYNC`, `DSYNC` and `RSYNC`,
/// which Linux cannot change on an open file, are emulated: every write (or read, for `RSYNC`)
/// is followed (preceded) by the matching sync call.
#[derive(Debug)]
pub struct OsFile {
    fd: OwnedFd,
    filetype: Filetype,
    sync_flags: AtomicU16,
}

impl OsFile {
    /// Wrap `fd`, asking the OS what it is.
    pub fn new(fd: impl Into<OwnedFd>) -> std::io::Result<Self> {
        let fd = fd.into();
        let filetype = super::filetype_of(fd.as_fd())?;
        Ok(Self::with_type(fd, filetype, Fdflags::empty()))
    }

    /// Wrap `fd` whose type is already known, with the sync flags to emulate.
    pub(crate) fn with_type(fd: OwnedFd, filetype: Filetype, sync_flags: Fdflags) -> Self {
        OsFile {
            fd,
            filetype,
            sync_flags: AtomicU16::new((sync_flags & SYNC_FLAGS).bits()),
        }
    }

    /// The host descriptor.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    fn sync_flags(&self) -> Fdflags {
        Fdflags::from_bits_truncate(self.sync_flags.load(Ordering::Relaxed))
    }

    fn is_socket(&self) -> bool {
        matches!(
            self.filetype,
            Filetype::SocketStream | Filetype::SocketDgram
        )
    }

    fn socket(&self) -> Result<BorrowedFd<'_>> {
        if self.is_socket() {
            Ok(self.fd())
        } else {
            Err(Errno::Notsock.into())
        }
    }

    /// Sync after a write, as the emulated flags ask.
    fn after_write(&self, n: usize) -> Result<usize> {
        if n > 0 {
            io::sync_for(self.fd(), self.sync_flags(), false)?;
        }
        Ok(n)
    }
}

impl WasiFile for OsFile {
    fn filetype(&self) -> Filetype {
        self.filetype
    }

    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> Result<usize> {
        io::sync_for(self.fd(), self.sync_flags(), true)?;
        io::readv(self.fd(), bufs, None)
    }

    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> Result<usize> {
        let n = io::writev(self.fd(), bufs, None)?;
        self.after_write(n)
    }

    fn pread_vectored(&self, bufs: &mut [IoSliceMut<'_>], offset: u64) -> Result<usize> {
        io::sync_for(self.fd(), self.sync_flags(), true)?;
        io::readv(self.fd(), bufs, Some(offset))
    }

    fn pwrite_vectored(&self, bufs: &[IoSlice<'_>], offset: u64) -> Result<usize> {
        let n = io::writev(self.fd(), bufs, Some(offset))?;
        self.after_write(n)
    }

    fn seek(&self, pos: SeekFrom) -> Result<u64> {
        io::seek(self.fd(), pos)
    }

    fn fdflags(&self) -> Result<Fdflags> {
        Ok(io::fd_flags(self.fd())? | self.sync_flags())
    }

    fn set_fdflags(&self, flags: Fdflags) -> Result<()> {
        let append = flags.contains(Fdflags::APPEND);
        let nonblock = flags.contains(Fdflags::NONBLOCK);
        io::set_fd_flags(self.fd(), append, nonblock)?;
        self.sync_flags
            .store((flags & SYNC_FLAGS).bits(), Ordering::Relaxed);
        Ok(())
    }

    fn filestat(&self) -> Result<Filestat> {
        let mut st = stat::filestat(self.fd())?;
        if self.is_socket() {
            st.filetype = self.filetype;
        }
        Ok(st)
    }

    fn set_size(&self, size: u64) -> Result<()> {
        io::set_size(self.fd(), size)
    }

    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        stat::set_times(self.fd(), atim, mtim)
    }

    fn advise(&self, offset: u64, len: u64, advice: Advice) -> Result<()> {
        io::advise(self.fd(), offset, len, advice)
    }

    fn allocate(&self, offset: u64, len: u64) -> Result<()> {
        io::allocate(self.fd(), offset, len)
    }

    fn sync(&self) -> Result<()> {
        io::sync(self.fd(), false)
    }

    fn datasync(&self) -> Result<()> {
        io::sync(self.fd(), true)
    }

    fn readiness(&self, write: bool) -> Result<Readiness<'_>> {
        if self.filetype != Filetype::RegularFile {
            return Ok(Readiness::Wait(self.fd()));
        }
        // A regular file never blocks; a read event tells how much is left to read.
        Ok(Readiness::Ready(if write {
            0
        } else {
            poll::regular_file_remaining(self.fd())?
        }))
    }

    fn sock_accept(&self, flags: Fdflags) -> Result<Arc<dyn WasiFile>> {
        let conn = net::accept(self.socket()?, flags.contains(Fdflags::NONBLOCK))?;
        let filetype = super::socket_filetype(conn.as_fd());
        Ok(Arc::new(OsFile::with_type(
            conn,
            filetype,
            Fdflags::empty(),
        )))
    }

    fn sock_recv(&self, bufs: &mut [IoSliceMut<'_>], flags: Riflags) -> Result<(usize, Roflags)> {
        let peek = flags.contains(Riflags::RECV_PEEK);
        let waitall = flags.contains(Riflags::RECV_WAITALL);
        let got = net::recv(self.socket()?, bufs, peek, waitall)?;
        let mut out = Roflags::empty();
        if got.truncated {
            out |= Roflags::RECV_DATA_TRUNCATED;
        }
        Ok((got.len, out))
    }

    fn sock_send(&self, bufs: &[IoSlice<'_>], _flags: Siflags) -> Result<usize> {
        net::send(self.socket()?, bufs)
    }

    fn sock_shutdown(&self, how: Sdflags) -> Result<()> {
        net::shutdown(
            self.socket()?,
            how.contains(Sdflags::RD),
            how.contains(Sdflags::WR),
        )
    }
}
