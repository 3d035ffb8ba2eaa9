//! [`WasiFile`]: the trait behind every descriptor that is not a directory.

use std::any::Any;
use std::io::{IoSlice, IoSliceMut, SeekFrom};
use std::sync::Arc;

use crate::error::Result;
use crate::preview1::types::{
    Advice, Errno, Fdflags, Filestat, Filetype, Riflags, Roflags, Sdflags, Siflags, Timestamp,
};
use crate::sys::PollHandle;

/// An open file-like resource: a regular file, a stream (stdin, a pipe, a capture buffer), a
/// socket or a device, whether the OS provides it or the embedder does.
///
/// The hostcalls (`fd_read`, `fd_seek`, `sock_recv`, ...) are written once against this trait:
/// they check the descriptor's rights, move data between guest memory and the buffers given
/// here, and map errors. An implementation only says what its resource does. Every method but
/// [`WasiFile::filetype`] has a default that gives the errno the OS gives for a resource that
/// cannot do it (reading a write-only stream is `EBADF`, seeking a stream is `ESPIPE`, socket
/// calls on a non-socket are `ENOTSOCK`), so a read-only stream is a few lines:
///
/// ```
/// use std::io::IoSliceMut;
/// use wasihost::preview1::types::Filetype;
/// use wasihost::vfs::WasiFile;
///
/// /// Endless zeros, like /dev/zero.
/// struct Zeros;
///
/// impl WasiFile for Zeros {
///     fn filetype(&self) -> Filetype {
///         Filetype::CharacterDevice
///     }
///     fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> wasihost::Result<usize> {
///         Ok(bufs.iter_mut().map(|b| { b.fill(0); b.len() }).sum())
///     }
/// }
/// ```
///
/// Methods take `&self`: a descriptor may be shared by threads of one guest, so state that
/// changes (a file offset, a buffer) lives behind a lock or an atomic inside the implementation.
/// Buffers handed to reads and writes are never empty lists of empty buffers; lengths are capped
/// so that results fit a `u32`. Implementations must not block forever when the guest set
/// `NONBLOCK` on them, and should return `EAGAIN` instead.
pub trait WasiFile: Any + Send + Sync {
    /// The WASI file type. It decides the rights a new descriptor starts with: regular files
    /// get the file rights, everything else the stream rights.
    fn filetype(&self) -> Filetype;

    /// Read at the current position (advancing it, if the resource has one) into `bufs`, in
    /// order; return the bytes read, 0 at the end. Default: `EBADF` (not readable).
    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> Result<usize> {
        let _ = bufs;
        Err(Errno::Badf.into())
    }

    /// Write `bufs` in order at the current position (or at the end, in append mode); return
    /// the bytes written. Default: `EBADF` (not writable).
    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> Result<usize> {
        let _ = bufs;
        Err(Errno::Badf.into())
    }

    /// Read at `offset` without using or moving the current position. Default: `ESPIPE` (the
    /// resource has no offsets).
    fn pread_vectored(&self, bufs: &mut [IoSliceMut<'_>], offset: u64) -> Result<usize> {
        let _ = (bufs, offset);
        Err(Errno::Spipe.into())
    }

    /// Write at `offset` without using or moving the current position (in append mode, at the
    /// end, as Linux does). Default: `ESPIPE`.
    fn pwrite_vectored(&self, bufs: &[IoSlice<'_>], offset: u64) -> Result<usize> {
        let _ = (bufs, offset);
        Err(Errno::Spipe.into())
    }

    /// Move the current position and return the new one; `SeekFrom::Current(0)` only reads it.
    /// A position before 0 is `EINVAL`. Default: `ESPIPE`.
    fn seek(&self, pos: SeekFrom) -> Result<u64> {
        let _ = pos;
        Err(Errno::Spipe.into())
    }

    /// The descriptor flags (`APPEND`, `NONBLOCK`, `SYNC`, `DSYNC`, `RSYNC`) in effect.
    /// Default: none.
    fn fdflags(&self) -> Result<Fdflags> {
        Ok(Fdflags::empty())
    }

    /// Replace the descriptor flags (the caller has checked the rights the sync flags need).
    /// Default: only the sync flags are accepted, and ignored (writes to memory are durable as
    /// soon as they are made); `APPEND` and `NONBLOCK` are `EINVAL`.
    fn set_fdflags(&self, flags: Fdflags) -> Result<()> {
        if flags.intersects(Fdflags::APPEND | Fdflags::NONBLOCK) {
            Err(Errno::Inval.into())
        } else {
            Ok(())
        }
    }

    /// Attributes of the resource. Default: its file type, every number 0.
    fn filestat(&self) -> Result<Filestat> {
        Ok(Filestat {
            dev: 0,
            ino: 0,
            filetype: self.filetype(),
            nlink: 0,
            size: 0,
            atim: 0,
            mtim: 0,
            ctim: 0,
        })
    }

    /// Cut or zero-extend the resource to `size` bytes. Default: `EINVAL`, as for a stream.
    fn set_size(&self, size: u64) -> Result<()> {
        let _ = size;
        Err(Errno::Inval.into())
    }

    /// Set the access and modification times (`None` leaves one as it is; "now" has already
    /// been read from the guest's wall clock). Default: `ENOTSUP` (the resource keeps no times).
    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        let _ = (atim, mtim);
        Err(Errno::Notsup.into())
    }

    /// An access-pattern hint for `len` bytes at `offset` (0: to the end). Default: accepted
    /// and ignored, which is always a correct answer to a hint.
    fn advise(&self, offset: u64, len: u64, advice: Advice) -> Result<()> {
        let _ = (offset, len, advice);
        Ok(())
    }

    /// Make sure `offset..offset + len` is allocated, growing the file if it ends before
    /// (`len` is non-zero and the end fits an `i64`: the caller checked). Default: for a regular
    /// file, grow it with [`WasiFile::set_size`]; `ESPIPE` for anything else.
    fn allocate(&self, offset: u64, len: u64) -> Result<()> {
        if self.filetype() != Filetype::RegularFile {
            return Err(Errno::Spipe.into());
        }
        let end = offset.saturating_add(len);
        if self.filestat()?.size < end {
            self.set_size(end)?;
        }
        Ok(())
    }

    /// Flush data and metadata to storage. Default: nothing to do.
    fn sync(&self) -> Result<()> {
        Ok(())
    }

    /// Flush the data (and what reading it back needs) to storage. Default: [`WasiFile::sync`].
    fn datasync(&self) -> Result<()> {
        self.sync()
    }

    /// Whether a read (or, with `write`, a write) can proceed without blocking, for
    /// `poll_oneoff`. Default: always ready, with 0 bytes known to be readable.
    fn readiness(&self, write: bool) -> Result<Readiness<'_>> {
        let _ = write;
        Ok(Readiness::Ready(0))
    }

    /// Accept a connection on a listening socket (`flags` holds at most `NONBLOCK`).
    /// Default: `ENOTSOCK`.
    fn sock_accept(&self, flags: Fdflags) -> Result<Arc<dyn WasiFile>> {
        let _ = flags;
        Err(Errno::Notsock.into())
    }

    /// Receive into `bufs` (`RECV_PEEK`, `RECV_WAITALL`); returns the bytes received and
    /// `RECV_DATA_TRUNCATED` when a datagram did not fit. Default: `ENOTSOCK`.
    fn sock_recv(&self, bufs: &mut [IoSliceMut<'_>], flags: Riflags) -> Result<(usize, Roflags)> {
        let _ = (bufs, flags);
        Err(Errno::Notsock.into())
    }

    /// Send `bufs` (no flags are defined: the caller refuses any); returns the bytes sent.
    /// Default: `ENOTSOCK`.
    fn sock_send(&self, bufs: &[IoSlice<'_>], flags: Siflags) -> Result<usize> {
        let _ = (bufs, flags);
        Err(Errno::Notsock.into())
    }

    /// Shut down the receiving side, the sending side or both. Default: `ENOTSOCK`.
    fn sock_shutdown(&self, how: Sdflags) -> Result<()> {
        let _ = how;
        Err(Errno::Notsock.into())
    }
}

/// What [`WasiFile::readiness`] reports.
#[derive(Debug)]
pub enum Readiness<'a> {
    /// Ready now. For a read, how many bytes can be read without blocking (0 if unknown).
    Ready(u64),
    /// Ask the OS: ready when this handle is (an implementation backed by a pipe, socket or
    /// event descriptor hands it over; `poll_oneoff` waits on it with the others).
    Wait(PollHandle<'a>),
}
