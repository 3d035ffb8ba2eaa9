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
//!
//! Entries come from `getdents64` into a buffer the state owns and are parsed in place: no
//! allocation per entry (rustix's `Dir` makes a `CString` of every name, and its `RawDir`
//! borrows its buffer, so it cannot live between calls).

use std::ffi::OsStr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use rustix::fs::{AtFlags, FileType, SeekFrom};

use crate::error::Result;
use crate::preview1::types::{Errno, Filetype};
use crate::vfs::DirEntry;
use crate::vfs::path::first_nul;

/// Ordinals between two remembered kernel offsets.
pub const STRIDE: u64 = 256;

/// Bytes of entries asked from the kernel at a time (what rustix's `Dir` used).
const BUF_LEN: usize = 8192;

/// Offsets in a `struct linux_dirent64`: `d_ino` (u64), `d_off` (i64), `d_reclen` (u16),
/// `d_type` (u8), then the NUL-terminated name.
const D_OFF: usize = 8;
const D_RECLEN: usize = 16;
const D_TYPE: usize = 18;
const D_NAME: usize = 19;

/// The entry read from the kernel and not yet handed over in full; its name stays in the
/// buffer, which is not refilled while an entry is pending.
#[derive(Clone, Copy)]
struct Pending {
    next: u64,
    ino: u64,
    filetype: Filetype,
    /// `buf[name.0..name.1]`.
    name: (usize, usize),
    /// The kernel offset after this entry.
    offset: i64,
}

/// The state of a directory listing between `fd_readdir` calls.
pub struct ReaddirState {
    /// A duplicate of the directory descriptor: its file offset is the stream's.
    fd: OwnedFd,
    /// Entries read from the kernel; `buf[start..end]` are not yet parsed.
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// Ordinal of the entry [`ReaddirState::peek`] returns next.
    pos: u64,
    /// The entry [`ReaddirState::peek`] returns next, once read.
    pending: Option<Pending>,
    /// `marks[i]`: the kernel offset where ordinal `i * STRIDE` starts.
    marks: Vec<i64>,
}

impl ReaddirState {
    /// A stream over directory `fd`, at its start.
    pub fn new(fd: BorrowedFd<'_>) -> Result<Self> {
        let fd = rustix::io::fcntl_dupfd_cloexec(fd, 0)?;
        rustix::fs::seek(&fd, SeekFrom::Start(0))?;
        Ok(ReaddirState {
            fd,
            buf: vec![0; BUF_LEN].into_boxed_slice(),
            start: 0,
            end: 0,
            pos: 0,
            pending: None,
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
            self.pending = None;
            // The kernel takes back any offset it gave (`d_off`), hashes included.
            rustix::fs::seek(&self.fd, SeekFrom::Start(offset as u64))?;
            (self.start, self.end) = (0, 0);
            self.pos = mark * STRIDE;
        }
        while self.pos < cookie && self.peek()?.is_some() {
            self.advance();
        }
        Ok(())
    }

    /// The entry at the current position, or `None` at the end of the directory.
    pub fn peek(&mut self) -> Result<Option<DirEntry<'_>>> {
        if self.pending.is_none() {
            if self.start == self.end {
                self.end = getdents(self.fd.as_fd(), &mut self.buf)?;
                self.start = 0;
                if self.end == 0 {
                    return Ok(None);
                }
            }
            let rec = &self.buf[self.start..self.end];
            let reclen = rec
                .get(D_RECLEN..D_RECLEN + 2)
                .map_or(0, |b| usize::from(u16::from_ne_bytes([b[0], b[1]])));
            if reclen <= D_NAME || reclen > rec.len() {
                // Not what the kernel writes: drop the buffer, fail this call.
                (self.start, self.end) = (0, 0);
                return Err(Errno::Io.into());
            }
            let field = &rec[D_NAME..reclen];
            let len = first_nul(field).unwrap_or(field.len());
            let name = &field[..len];
            let filetype = match dtype_filetype(rec[D_TYPE]) {
                Some(ft) => ft,
                None => self.filetype_of(name),
            };
            let name_at = self.start + D_NAME;
            self.pending = Some(Pending {
                next: self.pos + 1,
                ino: u64::from_ne_bytes(word(rec, 0)),
                filetype,
                name: (name_at, name_at + len),
                offset: i64::from_ne_bytes(word(rec, D_OFF)),
            });
            self.start += reclen;
        }
        Ok(self.pending.map(|p| DirEntry {
            next: p.next,
            ino: p.ino,
            filetype: p.filetype,
            name: &self.buf[p.name.0..p.name.1],
        }))
    }

    /// Move past the entry [`ReaddirState::peek`] returned.
    pub fn advance(&mut self) {
        if let Some(p) = self.pending.take() {
            self.pos += 1;
            if self.pos.is_multiple_of(STRIDE) && self.pos / STRIDE == self.marks.len() as u64 {
                self.marks.push(p.offset);
            }
        }
    }

    /// The type of entry `name`, for file systems whose directories do not record it.
    fn filetype_of(&self, name: &[u8]) -> Filetype {
        if name == b"." || name == b".." {
            return Filetype::Directory;
        }
        match rustix::fs::statat(&self.fd, OsStr::from_bytes(name), AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => super::filetype_from_mode(FileType::from_raw_mode(st.st_mode)),
            Err(_) => Filetype::Unknown,
        }
    }
}

/// The WASI type a `d_type` names, or `None` where the kernel did not say (`DT_UNKNOWN`, or a
/// value Linux does not define): the kinds [`super::filetype_from_mode`] maps, the same way.
fn dtype_filetype(d_type: u8) -> Option<Filetype> {
    Some(match d_type {
        libc::DT_REG => Filetype::RegularFile,
        libc::DT_DIR => Filetype::Directory,
        libc::DT_LNK => Filetype::SymbolicLink,
        libc::DT_CHR => Filetype::CharacterDevice,
        libc::DT_BLK => Filetype::BlockDevice,
        libc::DT_SOCK => Filetype::SocketStream,
        libc::DT_FIFO => Filetype::Unknown,
        _ => return None,
    })
}

/// The 8 bytes of `rec` at `at` (`rec` is longer than `D_NAME`, so both fields are there).
fn word(rec: &[u8], at: usize) -> [u8; 8] {
    let mut w = [0; 8];
    w.copy_from_slice(&rec[at..at + 8]);
    w
}

/// One `getdents64` into `buf`: the bytes of entries it wrote, 0 at the end of the directory.
fn getdents(fd: BorrowedFd<'_>, buf: &mut [u8]) -> Result<usize> {
    // SAFETY: the kernel writes at most `buf.len()` bytes at `buf`'s address, which is valid,
    // writable and exclusively borrowed for the call; `fd` is open for its duration.
    let n = unsafe {
        libc::syscall(
            libc::SYS_getdents64,
            fd.as_raw_fd(),
            buf.as_mut_ptr(),
            buf.len(),
        )
    };
    match usize::try_from(n) {
        Ok(n) => Ok(n.min(buf.len())),
        Err(_) => Err(std::io::Error::last_os_error().into()),
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
            out.push((e.name.to_vec(), e.next));
            state.advance();
        }
        out
    }

    #[test]
    fn d_types_map_as_modes_do() {
        // DT_* is S_IF* >> 12 on Linux.
        for d in 0..16u8 {
            let expected = match FileType::from_raw_mode(u32::from(d) << 12) {
                FileType::Unknown => None,
                ft => Some(super::super::filetype_from_mode(ft)),
            };
            assert_eq!(dtype_filetype(d), expected, "d_type {d}");
        }
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
        let first = s.peek().unwrap().map(|e| (e.name.to_vec(), e.next));
        assert!(first.is_some());
        assert_eq!(s.peek().unwrap().map(|e| (e.name.to_vec(), e.next)), first);
        // Past the end: nothing, quickly, however far.
        s.seek(u64::MAX).unwrap();
        assert!(s.peek().unwrap().is_none());
    }
}
