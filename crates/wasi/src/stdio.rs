//! Standard streams: where fds 0, 1 and 2 come from, and the embedder's in-memory streams.

use std::io::{IoSlice, IoSliceMut, Read, Write};
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::Result;
use crate::preview1::types::{Errno, Filetype};
use crate::vfs::WasiFile;

/// Where a standard stream comes from or goes to.
pub enum Stdio {
    /// The host process's own stream.
    Inherit,
    /// `/dev/null`.
    Null,
    /// A host descriptor (file, pipe, socket...), owned by the guest from now on.
    Fd(OwnedFd),
    /// Reads come from this reader (stdin only).
    Reader(Box<dyn Read + Send>),
    /// Writes go to this writer (stdout and stderr only); each guest write is flushed.
    Writer(Box<dyn Write + Send>),
    /// Any file-like resource of the embedder's.
    File(Arc<dyn WasiFile>),
}

impl Stdio {
    /// Standard input that reads `data`, then ends.
    pub fn bytes(data: impl Into<Vec<u8>>) -> Stdio {
        Stdio::Reader(Box::new(std::io::Cursor::new(data.into())))
    }

    /// What this stream can be used for, to reject a writer as stdin and a reader as stdout.
    pub(crate) fn direction(&self) -> Option<bool> {
        match self {
            Stdio::Reader(_) => Some(false),
            Stdio::Writer(_) => Some(true),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Stdio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stdio::Inherit => "Stdio::Inherit",
            Stdio::Null => "Stdio::Null",
            Stdio::Fd(_) => "Stdio::Fd(..)",
            Stdio::Reader(_) => "Stdio::Reader(..)",
            Stdio::Writer(_) => "Stdio::Writer(..)",
            Stdio::File(_) => "Stdio::File(..)",
        })
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// An embedder's reader as a read-only stream.
pub(crate) struct ReadStream(pub(crate) Mutex<Box<dyn Read + Send>>);

impl WasiFile for ReadStream {
    fn filetype(&self) -> Filetype {
        Filetype::CharacterDevice
    }

    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> Result<usize> {
        let capacity: usize = bufs.iter().map(|b| b.len()).sum();
        let n = retry_interrupted(|| lock(&self.0).read_vectored(bufs))?;
        // A reader claiming more than it was given cannot make the guest see more.
        Ok(n.min(capacity))
    }
}

/// An embedder's writer as a write-only stream: every write is written whole and flushed.
pub(crate) struct WriteStream(pub(crate) Mutex<Box<dyn Write + Send>>);

impl WasiFile for WriteStream {
    fn filetype(&self) -> Filetype {
        Filetype::CharacterDevice
    }

    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> Result<usize> {
        let mut w = lock(&self.0);
        let mut n = 0;
        for b in bufs {
            w.write_all(b)?;
            n += b.len();
        }
        w.flush()?;
        Ok(n)
    }
}

fn retry_interrupted(mut op: impl FnMut() -> std::io::Result<usize>) -> Result<usize> {
    loop {
        match op() {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return Ok(other?),
        }
    }
}

/// What an [`OutputBuffer`] does with output past its limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overflow {
    /// Keep the first `limit` bytes and drop the rest; the guest's writes all succeed, and
    /// [`OutputBuffer::overflowed`] tells the embedder that output was lost.
    #[default]
    Truncate,
    /// Behave like a full disk: the write that reaches the limit stores what fits and
    /// returns a short count, later writes fail with `ENOSPC`.
    Fail,
}

struct Captured {
    data: Vec<u8>,
    limit: usize,
    overflow: Overflow,
    overflowed: bool,
}

/// A shareable in-memory sink for a guest's output, bounded by a limit: clone it, hand one
/// clone to the builder with [`OutputBuffer::stdio`], and read the bytes back from the other.
#[derive(Clone)]
pub struct OutputBuffer(Arc<Mutex<Captured>>);

impl OutputBuffer {
    /// The limit of [`OutputBuffer::new`]: 16 MiB.
    pub const DEFAULT_LIMIT: usize = 16 << 20;

    /// A new, empty buffer keeping at most [`OutputBuffer::DEFAULT_LIMIT`] bytes
    /// ([`Overflow::Truncate`] past it).
    pub fn new() -> Self {
        Self::with_limit(Self::DEFAULT_LIMIT, Overflow::Truncate)
    }

    /// A new, empty buffer keeping at most `limit` bytes, doing `overflow` past it.
    pub fn with_limit(limit: usize, overflow: Overflow) -> Self {
        OutputBuffer(Arc::new(Mutex::new(Captured {
            data: Vec::new(),
            limit,
            overflow,
            overflowed: false,
        })))
    }

    /// Everything kept so far.
    pub fn contents(&self) -> Vec<u8> {
        lock(&self.0).data.clone()
    }

    /// True once output went past the limit.
    pub fn overflowed(&self) -> bool {
        lock(&self.0).overflowed
    }

    /// The buffer as a standard stream.
    pub fn stdio(&self) -> Stdio {
        Stdio::File(Arc::new(self.clone()))
    }

    /// Append `bytes` as far as the limit allows; the count the guest is told was written.
    fn append(&self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut c = lock(&self.0);
        let room = c.limit.saturating_sub(c.data.len());
        let kept = bytes.len().min(room);
        c.data.extend_from_slice(&bytes[..kept]);
        if kept == bytes.len() {
            return Ok(kept);
        }
        c.overflowed = true;
        match c.overflow {
            Overflow::Truncate => Ok(bytes.len()),
            Overflow::Fail if kept > 0 => Ok(kept),
            Overflow::Fail => Err(std::io::Error::from_raw_os_error(libc::ENOSPC)),
        }
    }
}

impl Default for OutputBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for OutputBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = lock(&self.0);
        f.debug_struct("OutputBuffer")
            .field("len", &c.data.len())
            .field("limit", &c.limit)
            .field("overflow", &c.overflow)
            .field("overflowed", &c.overflowed)
            .finish()
    }
}

impl Write for OutputBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.append(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl WasiFile for OutputBuffer {
    fn filetype(&self) -> Filetype {
        Filetype::CharacterDevice
    }

    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> Result<usize> {
        let mut n = 0;
        for b in bufs {
            match self.append(b) {
                Ok(k) => {
                    n += k;
                    if k < b.len() {
                        break;
                    }
                }
                Err(_) if n > 0 => break,
                Err(_) => return Err(Errno::Nospc.into()),
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_truncate_or_fail() {
        let t = OutputBuffer::with_limit(4, Overflow::Truncate);
        assert_eq!(t.write_vectored(&[IoSlice::new(b"abc")]).unwrap(), 3);
        assert_eq!(t.write_vectored(&[IoSlice::new(b"def")]).unwrap(), 3);
        assert_eq!((t.contents(), t.overflowed()), (b"abcd".to_vec(), true));

        let f = OutputBuffer::with_limit(4, Overflow::Fail);
        assert_eq!(f.write_vectored(&[IoSlice::new(b"abc")]).unwrap(), 3);
        assert!(!f.overflowed());
        let two = [IoSlice::new(b"d"), IoSlice::new(b"ef")];
        assert_eq!(f.write_vectored(&two).unwrap(), 1);
        let e = f.write_vectored(&[IoSlice::new(b"g")]).unwrap_err();
        assert_eq!(e.errno(), Some(Errno::Nospc));
        assert_eq!((f.contents(), f.overflowed()), (b"abcd".to_vec(), true));
    }
}
