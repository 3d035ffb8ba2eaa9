//! [`BytesFile`]: a ready-made read-only regular file over bytes in memory.

use std::io::{IoSliceMut, Read, SeekFrom};
use std::sync::{Arc, Mutex};

use super::file::{Readiness, WasiFile};
use crate::error::Result;
use crate::preview1::types::{Errno, Filestat, Filetype, Timestamp};

/// A read-only regular file whose contents are shared bytes: what a custom directory hands
/// out for a value it serves (see the `kv_dir` example). Each open descriptor is its own
/// `BytesFile` with its own position; the bytes themselves are shared, never copied. Writes and
/// size changes are refused with the trait's defaults (`EBADF`, `EINVAL`); beneath a read-only
/// mount they are `EROFS` before they get here.
pub struct BytesFile {
    data: Arc<[u8]>,
    pos: Mutex<u64>,
    ino: u64,
    mtim: Timestamp,
}

impl BytesFile {
    /// A file reading `data` from the start, with inode number 0 and time 0.
    pub fn new(data: impl Into<Arc<[u8]>>) -> BytesFile {
        BytesFile {
            data: data.into(),
            pos: Mutex::new(0),
            ino: 0,
            mtim: 0,
        }
    }

    /// The same, reporting inode number `ino` and access/modification/change time `mtim`.
    pub fn with_attributes(mut self, ino: u64, mtim: Timestamp) -> BytesFile {
        (self.ino, self.mtim) = (ino, mtim);
        self
    }

    fn pos(&self) -> std::sync::MutexGuard<'_, u64> {
        self.pos.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl WasiFile for BytesFile {
    fn filetype(&self) -> Filetype {
        Filetype::RegularFile
    }

    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> Result<usize> {
        let mut pos = self.pos();
        let n = self.pread_vectored(bufs, *pos)?;
        *pos += n as u64;
        Ok(n)
    }

    fn pread_vectored(&self, bufs: &mut [IoSliceMut<'_>], offset: u64) -> Result<usize> {
        let start = usize::try_from(offset).map_or(self.data.len(), |o| o.min(self.data.len()));
        Ok((&self.data[start..]).read_vectored(bufs)?)
    }

    fn seek(&self, from: SeekFrom) -> Result<u64> {
        let mut pos = self.pos();
        let new = match from {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => pos.checked_add_signed(d),
            SeekFrom::End(d) => (self.data.len() as u64).checked_add_signed(d),
        };
        // Like the OS: a position before the start is EINVAL, past the end is allowed.
        *pos = new.filter(|&p| p <= i64::MAX as u64).ok_or(Errno::Inval)?;
        Ok(*pos)
    }

    fn filestat(&self) -> Result<Filestat> {
        Ok(Filestat {
            dev: 0,
            ino: self.ino,
            filetype: Filetype::RegularFile,
            nlink: 1,
            size: self.data.len() as u64,
            atim: self.mtim,
            mtim: self.mtim,
            ctim: self.mtim,
        })
    }

    fn readiness(&self, _write: bool) -> Result<Readiness<'_>> {
        let left = (self.data.len() as u64).saturating_sub(*self.pos());
        Ok(Readiness::Ready(left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_seeks_and_stats() {
        let f = BytesFile::new(&b"hello"[..]).with_attributes(7, 9);
        let mut a = [0u8; 3];
        assert_eq!(f.read_vectored(&mut [IoSliceMut::new(&mut a)]).unwrap(), 3);
        assert_eq!(&a, b"hel");
        assert_eq!(f.seek(SeekFrom::Current(0)).unwrap(), 3);
        let mut b = [0u8; 8];
        assert_eq!(
            f.pread_vectored(&mut [IoSliceMut::new(&mut b)], 4).unwrap(),
            1
        );
        assert_eq!(
            f.pread_vectored(&mut [IoSliceMut::new(&mut b)], u64::MAX)
                .unwrap(),
            0
        );
        assert_eq!(f.seek(SeekFrom::End(-1)).unwrap(), 4);
        assert!(f.seek(SeekFrom::Current(-5)).is_err());
        assert_eq!(f.seek(SeekFrom::Start(100)).unwrap(), 100);
        assert_eq!(f.read_vectored(&mut [IoSliceMut::new(&mut b)]).unwrap(), 0);
        let st = f.filestat().unwrap();
        assert_eq!((st.size, st.ino, st.mtim, st.nlink), (5, 7, 9, 1));
        assert!(f.write_vectored(&[std::io::IoSlice::new(b"x")]).is_err());
    }
}
