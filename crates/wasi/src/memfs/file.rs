//! [`MemFile`]: a regular file of a [`MemFs`](super::MemFs) as a [`WasiFile`].

use std::io::{IoSlice, IoSliceMut, SeekFrom};
use std::sync::{Arc, Mutex};

use super::node::{Kind, State};
use super::{Handle, Shared};
use crate::error::Result;
use crate::preview1::types::{Advice, Errno, Fdflags, Filestat, Filetype, Timestamp};
use crate::vfs::{OpenOptions, Readiness, WasiFile};

/// An open regular file of a [`MemFs`](super::MemFs). The data stays alive while the handle
/// is open, even once every name of the file is removed.
pub struct MemFile {
    h: Handle,
    readable: bool,
    writable: bool,
    /// The position and the descriptor flags (lock order: this, then the file system).
    pos: Mutex<(u64, Fdflags)>,
}

impl std::fmt::Debug for MemFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemFile").field("ino", &self.h.ino).finish()
    }
}

impl MemFile {
    pub(crate) fn new(fs: &Arc<Shared>, ino: u64, opts: &OpenOptions) -> MemFile {
        let writable = opts.write || opts.truncate;
        MemFile {
            h: Handle::new(fs, ino),
            readable: opts.read || !writable,
            writable,
            pos: Mutex::new((0, opts.fdflags)),
        }
    }

    fn pos(&self) -> std::sync::MutexGuard<'_, (u64, Fdflags)> {
        self.pos.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn read_at(&self, bufs: &mut [IoSliceMut<'_>], offset: u64) -> Result<usize> {
        if !self.readable {
            return Err(Errno::Badf.into());
        }
        let mut st = self.h.fs.lock();
        let now = st.now();
        let n = st.node_mut(self.h.ino)?;
        let Kind::File(data) = &n.kind else {
            return Err(Errno::Inval.into());
        };
        let mut at = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(data.len());
        let start = at;
        for buf in bufs.iter_mut() {
            let take = buf.len().min(data.len() - at);
            buf[..take].copy_from_slice(&data[at..at + take]);
            at += take;
            if at == data.len() {
                break;
            }
        }
        n.atim = now;
        Ok(at - start)
    }

    /// Write `bufs` at `offset` (at the end when `offset` is `None`); returns the bytes
    /// written and where they ended.
    fn write_at(&self, bufs: &[IoSlice<'_>], offset: Option<u64>) -> Result<(usize, u64)> {
        if !self.writable {
            return Err(Errno::Badf.into());
        }
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let mut st = self.h.fs.lock();
        let len = file_len(&st, self.h.ino)?;
        let offset = offset.unwrap_or(len);
        let end = offset.checked_add(total as u64).ok_or(Errno::Fbig)?;
        if end > i64::MAX as u64 {
            return Err(Errno::Fbig.into());
        }
        if total == 0 {
            return Ok((0, offset));
        }
        if end > len {
            // Grows the file (checks the cap, zero-fills any hole) before copying.
            st.resize(self.h.ino, end)?;
        }
        let now = st.now();
        let n = st.node_mut(self.h.ino)?;
        let Kind::File(data) = &mut n.kind else {
            return Err(Errno::Inval.into());
        };
        let mut at = offset as usize;
        for buf in bufs {
            data[at..at + buf.len()].copy_from_slice(buf);
            at += buf.len();
        }
        n.mtim = now;
        n.ctim = now;
        Ok((total, end))
    }
}

/// Offsets are signed on Linux (`loff_t`): one past `i64::MAX` is `EINVAL`, as there.
fn check_offset(offset: u64) -> Result<()> {
    if offset > i64::MAX as u64 {
        return Err(Errno::Inval.into());
    }
    Ok(())
}

fn file_len(st: &State, ino: u64) -> Result<u64> {
    match &st.node(ino)?.kind {
        Kind::File(d) => Ok(d.len() as u64),
        _ => Err(Errno::Inval.into()),
    }
}

impl WasiFile for MemFile {
    fn filetype(&self) -> Filetype {
        Filetype::RegularFile
    }

    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> Result<usize> {
        let mut pos = self.pos();
        let n = self.read_at(bufs, pos.0)?;
        pos.0 += n as u64;
        Ok(n)
    }

    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> Result<usize> {
        let mut pos = self.pos();
        let at = if pos.1.contains(Fdflags::APPEND) {
            None
        } else {
            Some(pos.0)
        };
        let (n, end) = self.write_at(bufs, at)?;
        // Writing nothing leaves the position alone, even in append mode (as Linux does).
        if n > 0 {
            pos.0 = end;
        }
        Ok(n)
    }

    fn pread_vectored(&self, bufs: &mut [IoSliceMut<'_>], offset: u64) -> Result<usize> {
        check_offset(offset)?;
        self.read_at(bufs, offset)
    }

    fn pwrite_vectored(&self, bufs: &[IoSlice<'_>], offset: u64) -> Result<usize> {
        check_offset(offset)?;
        let append = self.pos().1.contains(Fdflags::APPEND);
        let at = if append { None } else { Some(offset) };
        Ok(self.write_at(bufs, at)?.0)
    }

    fn seek(&self, to: SeekFrom) -> Result<u64> {
        let mut pos = self.pos();
        let base = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => pos.0.checked_add_signed(d),
            SeekFrom::End(d) => {
                let len = file_len(&self.h.fs.lock(), self.h.ino)?;
                len.checked_add_signed(d)
            }
        };
        match base {
            Some(n) if n <= i64::MAX as u64 => {
                pos.0 = n;
                Ok(n)
            }
            _ => Err(Errno::Inval.into()),
        }
    }

    fn fdflags(&self) -> Result<Fdflags> {
        Ok(self.pos().1)
    }

    fn set_fdflags(&self, flags: Fdflags) -> Result<()> {
        self.pos().1 = flags;
        Ok(())
    }

    fn filestat(&self) -> Result<Filestat> {
        self.h.fs.lock().filestat(self.h.ino)
    }

    fn set_size(&self, size: u64) -> Result<()> {
        if !self.writable {
            return Err(Errno::Inval.into());
        }
        self.h.fs.lock().resize(self.h.ino, size)
    }

    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        self.h.fs.lock().set_times(self.h.ino, atim, mtim)
    }

    fn advise(&self, offset: u64, len: u64, _advice: Advice) -> Result<()> {
        check_offset(offset)?;
        check_offset(len)
    }

    fn allocate(&self, offset: u64, len: u64) -> Result<()> {
        if !self.writable {
            return Err(Errno::Badf.into());
        }
        let end = offset.checked_add(len).ok_or(Errno::Fbig)?;
        let mut st = self.h.fs.lock();
        if file_len(&st, self.h.ino)? < end {
            st.resize(self.h.ino, end)?;
        }
        Ok(())
    }

    fn readiness(&self, write: bool) -> Result<Readiness<'_>> {
        if write {
            return Ok(Readiness::Ready(0));
        }
        let pos = self.pos().0;
        let len = file_len(&self.h.fs.lock(), self.h.ino)?;
        Ok(Readiness::Ready(len.saturating_sub(pos)))
    }
}
