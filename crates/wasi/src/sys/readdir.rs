//! Host directory streams kept per descriptor for `fd_readdir`.
//!
//! A guest lists a directory by calling `fd_readdir` repeatedly, each time with the cookie of
//! the last entry it received. Rereading the directory from its start on every call would cost
//! time proportional to the directory's size per call, so the stream stays open between calls
//! together with the position it stands at.
//!
//! Cookies are entry ordinals (the entry after cookie `n` is the `n`-th from the start), not
//! the kernel's `d_off` values: on ext4 those are 63-bit hashes, which wasi-libc's
//! `telldir`/`seekdir` would truncate to its 32-bit `long`. Every [`STRIDE`]-th ordinal
//! remembers its kernel offset, so a jump costs one `lseek` plus at most `STRIDE` entries read,
//! while reading on from where the stream stands costs nothing extra.

use std::ffi::OsStr;
use std::os::fd::BorrowedFd;
use std::os::unix::ffi::OsStrExt;

use rustix::fs::{AtFlags, Dir, FileType};

use crate::error::Result;
use crate::preview1::types::Filetype;

/// Ordinals between two remembered kernel offsets.
pub const STRIDE: u64 = 256;

/// One directory entry as WASI describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// Cookie of the entry after this one.
    pub next: u64,
    /// Inode number.
    pub ino: u64,
    /// File type (asked from the file system when the directory does not record it).
    pub filetype: Filetype,
    /// Name, without NUL.
    pub name: Vec<u8>,
}

/// The state of a directory listing between `fd_readdir` calls.
pub struct ReaddirState {
    /// The stream, over a duplicate of the directory descriptor.
    dir: Dir,
    /// Ordinal of the entry [`ReaddirState::peek`] returns next.
    pos: u64,
    /// The entry read from the stream but not yet handed over in full, when `has_pending`; its
    /// name's buffer is reused from entry to entry (no allocation per entry).
    pending: DirEntry,
    /// The kernel offset after `pending`.
    pending_offset: i64,
    has_pending: bool,
    /// `marks[i]`: the kernel offset where ordinal `i * STRIDE` starts.
    marks: Vec<i64>,
}

impl ReaddirState {
    /// A stream over directory `fd`, at its start.
    pub fn new(fd: BorrowedFd<'_>) -> Result<Self> {
        let dup = rustix::io::fcntl_dupfd_cloexec(fd, 0)?;
        let mut dir = Dir::new(dup)?;
        dir.rewind();
        Ok(ReaddirState {
            dir,
            pos: 0,
            pending: DirEntry {
                next: 0,
                ino: 0,
                filetype: Filetype::Unknown,
                name: Vec::new(),
            },
            pending_offset: 0,
            has_pending: false,
            marks: vec![0],
        })
    }

    /// Position the stream at `cookie` (0 is the start). Past the end, the stream just ends.
    pub fn seek(&mut self, cookie: u64) -> Result<()> {
        if cookie == self.pos {
            return Ok(());
        }
        let ahead = cookie > self.pos && cookie - self.pos < STRIDE;
        if !ahead {
            // Back to the last remembered offset at or before `cookie`.
            let mark = (cookie / STRIDE).min(self.marks.len() as u64 - 1);
            let offset = self.marks[mark as usize];
            self.has_pending = false;
            if offset == 0 {
                self.dir.rewind();
            } else {
                self.dir.seek(offset)?;
            }
            self.pos = mark * STRIDE;
        }
        while self.pos < cookie && self.peek()?.is_some() {
            self.advance();
        }
        Ok(())
    }

    /// The entry at the current position, or `None` at the end of the directory.
    pub fn peek(&mut self) -> Result<Option<&DirEntry>> {
        if !self.has_pending {
            let Some(entry) = self.dir.read() else {
                return Ok(None);
            };
            let entry = entry?;
            let name = entry.file_name().to_bytes();
            let filetype = match entry.file_type() {
                FileType::Unknown => self.filetype_of(name),
                ft => super::filetype_from_mode(ft),
            };
            let e = &mut self.pending;
            e.next = self.pos + 1;
            e.ino = entry.ino();
            e.filetype = filetype;
            e.name.clear();
            e.name.extend_from_slice(name);
            self.pending_offset = entry.offset();
            self.has_pending = true;
        }
        Ok(self.has_pending.then_some(&self.pending))
    }

    /// Move past the entry [`ReaddirState::peek`] returned.
    pub fn advance(&mut self) {
        if self.has_pending {
            self.has_pending = false;
            self.pos += 1;
            if self.pos.is_multiple_of(STRIDE) && self.pos / STRIDE == self.marks.len() as u64 {
                self.marks.push(self.pending_offset);
            }
        }
    }

    /// The type of entry `name`, for file systems whose directories do not record it.
    fn filetype_of(&self, name: &[u8]) -> Filetype {
        if name == b"." || name == b".." {
            return Filetype::Directory;
        }
        let Ok(fd) = self.dir.fd() else {
            return Filetype::Unknown;
        };
        match rustix::fs::statat(fd, OsStr::from_bytes(name), AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => super::filetype_from_mode(FileType::from_raw_mode(st.st_mode)),
            Err(_) => Filetype::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    fn names(state: &mut ReaddirState, max: usize) -> Vec<(Vec<u8>, u64)> {
        let mut out = Vec::new();
        while out.len() < max {
            let Some(e) = state.peek().unwrap() else {
                break;
            };
            out.push((e.name.clone(), e.next));
            state.advance();
        }
        out
    }

    #[test]
    fn cookies_resume_where_they_point() {
        let tmp = tempfile::tempdir().unwrap();
        let files = 3 * STRIDE as usize;
        for i in 0..files {
            std::fs::write(tmp.path().join(format!("f{i}")), b"").unwrap();
        }
        let dir = std::fs::File::open(tmp.path()).unwrap();
        let mut s = ReaddirState::new(dir.as_fd()).unwrap();
        let all = names(&mut s, usize::MAX);
        assert_eq!(all.len(), files + 2, "the files plus . and ..");
        assert_eq!(
            s.marks.len(),
            4,
            "an offset remembered every STRIDE entries"
        );
        assert!(all.iter().enumerate().all(|(i, e)| e.1 == i as u64 + 1));
        // Jumps back, within a stride, across strides, forward, and to the start.
        for cookie in [10, 11, 600, 300, 5, 0, 520, 770, 700] {
            s.seek(cookie).unwrap();
            let n = 3.min(all.len() - cookie as usize);
            let want = &all[cookie as usize..cookie as usize + n];
            assert_eq!(names(&mut s, 3), want, "at {cookie}");
        }
        // Peeking without advancing keeps the entry for the next call.
        s.seek(4).unwrap();
        let first = s.peek().unwrap().cloned().unwrap();
        assert_eq!(s.peek().unwrap().cloned().unwrap(), first);
        // Past the end: nothing, quickly, however far.
        s.seek(u64::MAX).unwrap();
        assert!(s.peek().unwrap().is_none());
    }
}
