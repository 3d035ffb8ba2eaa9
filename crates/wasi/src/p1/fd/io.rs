//! `fd_read`, `fd_write`, `fd_pread` and `fd_pwrite`: scatter/gather I/O between guest memory
//! and the OS.
//!
//! With unshared memory every buffer of the call goes to the OS in one `readv`/`writev`/
//! `preadv`/`pwritev` call, as slices of guest memory: no copy, and the OS's atomicity
//! guarantees (pipe writes up to `PIPE_BUF`, `O_APPEND` writes) hold for the whole call. Shared
//! memory, and reads into overlapping buffers (which cannot be borrowed mutably at once), go
//! through a host buffer of at most [`CHUNK`] bytes instead.
//!
//! Host memory per call is bounded: the buffer list holds at most [`IOV_MAX`] entries (more is
//! `EINVAL`, as from the OS) and the copy buffer at most [`CHUNK`] bytes.

use std::io::{IoSlice, IoSliceMut};

use smallvec::SmallVec;
use wasihost_guest::{GuestMemory, GuestSlice, GuestType};

use super::offset_file;
use crate::ctx::WasiCtx;
use crate::error::Result;
use crate::preview1::types::{self, Errno, Filetype, Rights};
use crate::sys::io::{IOV_MAX, MAX_RW};
use crate::vfs::WasiFile;

/// Size of the host buffer that shared memory and overlapping reads are copied through.
const CHUNK: usize = 64 * 1024;

/// One guest buffer: address and length, in bounds and non-empty.
type Buf = (u32, u32);

/// Iovec arrays up to this long are handled without a heap allocation.
const INLINE: usize = 8;

/// The guest buffers of one call.
type Bufs = SmallVec<[Buf; INLINE]>;

/// Slices of guest memory to read into, as the OS takes them.
#[derive(Default)]
pub(crate) struct ReadVecs<'a>(pub SmallVec<[IoSliceMut<'a>; INLINE]>);

impl<'a> Extend<&'a mut [u8]> for ReadVecs<'a> {
    fn extend<I: IntoIterator<Item = &'a mut [u8]>>(&mut self, iter: I) {
        self.0.extend(iter.into_iter().map(IoSliceMut::new));
    }
}

/// The buffers of an iovec array (`parts` gives each element's address and length). More than
/// [`IOV_MAX`] elements is `EINVAL`; an array or a buffer outside memory, or a misaligned array,
/// traps. Empty buffers are left out, and the total is cut to [`MAX_RW`] bytes as the OS does.
fn buffers<T: GuestType>(
    mem: &GuestMemory<'_>,
    iovs: GuestSlice<T>,
    parts: fn(&T) -> Buf,
) -> Result<Bufs> {
    if iovs.len() as usize > IOV_MAX {
        return Err(Errno::Inval.into());
    }
    iovs.validate(mem)?;
    let mut bufs = Bufs::new();
    let mut room = MAX_RW as u64;
    for ptr in iovs.iter() {
        let (addr, len) = parts(&ptr?.read(mem)?);
        // Every buffer must be in memory, including those past the cut.
        mem.region(addr, u64::from(len), 1)?;
        let keep = u64::from(len).min(room);
        if keep > 0 {
            room -= keep;
            bufs.push((addr, keep as u32));
        }
    }
    Ok(bufs)
}

fn iovec_parts(v: &types::Iovec) -> Buf {
    (v.buf.offset(), v.buf_len)
}

fn ciovec_parts(v: &types::Ciovec) -> Buf {
    (v.buf.offset(), v.buf_len)
}

/// Read into the guest's buffers: straight into guest memory with `direct` when it is unshared
/// and the buffers do not overlap, through a host buffer with `chunked` otherwise (which gets
/// a chunk to fill and the bytes read so far; `repeat` says a full chunk may be followed by
/// another read, as on a file with an offset).
fn read_to_guest(
    mem: &mut GuestMemory<'_>,
    bufs: &[Buf],
    repeat: bool,
    direct: impl FnOnce(&mut [IoSliceMut<'_>]) -> Result<usize>,
    chunked: impl FnMut(&mut [u8], u64) -> Result<usize>,
) -> Result<usize> {
    if let ([(addr, len)], GuestMemory::Unshared(m)) = (bufs, &mut *mem) {
        // One buffer (the common case), already checked: no list of slices to build.
        let start = *addr as usize;
        return direct(&mut [IoSliceMut::new(&mut m[start..start + *len as usize])]);
    }
    let mut iov = ReadVecs::default();
    if mem.disjoint_slices_mut(bufs, &mut iov)? {
        return direct(&mut iov.0);
    }
    drop(iov);
    read_copied(mem, bufs, repeat, chunked)
}

/// Write the guest's buffers: straight from guest memory with `direct` when it is unshared
/// (the iovec array read in place, one slice per buffer), through a host buffer with
/// `chunked` otherwise (which gets a chunk and the bytes written so far). The checks, errors
/// and cut are those of [`buffers`].
fn write_from_guest(
    mem: &GuestMemory<'_>,
    iovs: types::CiovecArray,
    direct: impl FnOnce(&[IoSlice<'_>]) -> Result<usize>,
    chunked: impl FnMut(&[u8], u64) -> Result<usize>,
) -> Result<usize> {
    let GuestMemory::Unshared(m) = mem else {
        let bufs = buffers(mem, iovs, ciovec_parts)?;
        return write_copied(mem, &bufs, chunked);
    };
    if iovs.len() as usize > IOV_MAX {
        return Err(Errno::Inval.into());
    }
    let array = mem.array_region::<types::Ciovec>(iovs.offset(), iovs.len())?;
    let mut iov = SmallVec::<[IoSlice<'_>; INLINE]>::new();
    let mut room = MAX_RW;
    for raw in m[array].chunks_exact(types::Ciovec::SIZE as usize) {
        let (addr, len) = ciovec_parts(&types::Ciovec::decode(raw)?);
        let range = mem.region(addr, u64::from(len), 1)?;
        let keep = range.len().min(room);
        if keep > 0 {
            room -= keep;
            iov.push(IoSlice::new(&m[range.start..range.start + keep]));
        }
    }
    direct(&iov)
}

/// True for a file whose reads continue where the last one ended (one with an offset).
fn has_offset(file: &dyn WasiFile) -> bool {
    matches!(
        file.filetype(),
        Filetype::RegularFile | Filetype::BlockDevice
    )
}

pub fn fd_read(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    iovs: types::IovecArray,
) -> Result<types::Size> {
    let file = cx.file(fd, Rights::FD_READ)?;
    let bufs = buffers(mem, iovs, iovec_parts)?;
    let n = read_to_guest(
        mem,
        &bufs,
        has_offset(file),
        |iov| file.read_vectored(iov),
        |chunk, _| file.read_vectored(&mut [IoSliceMut::new(chunk)]),
    )?;
    size(n)
}

pub fn fd_pread(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    iovs: types::IovecArray,
    offset: types::Filesize,
) -> Result<types::Size> {
    let entry = cx.entry(fd)?;
    let file = offset_file(entry, entry.has(Rights::FD_SEEK), Rights::FD_READ)?;
    let bufs = buffers(mem, iovs, iovec_parts)?;
    let n = read_to_guest(
        mem,
        &bufs,
        true,
        |iov| file.pread_vectored(iov, offset),
        |chunk, done| {
            file.pread_vectored(&mut [IoSliceMut::new(chunk)], offset.saturating_add(done))
        },
    )?;
    size(n)
}

pub fn fd_write(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    iovs: types::CiovecArray,
) -> Result<types::Size> {
    let file = cx.file(fd, Rights::FD_WRITE)?;
    let n = write_from_guest(
        mem,
        iovs,
        |iov| file.write_vectored(iov),
        |chunk, _| file.write_vectored(&[IoSlice::new(chunk)]),
    )?;
    size(n)
}

pub fn fd_pwrite(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    iovs: types::CiovecArray,
    offset: types::Filesize,
) -> Result<types::Size> {
    let entry = cx.entry(fd)?;
    let file = offset_file(entry, entry.has(Rights::FD_SEEK), Rights::FD_WRITE)?;
    // As on Linux, a file opened for appending appends whatever the offset.
    let n = write_from_guest(
        mem,
        iovs,
        |iov| file.pwrite_vectored(iov, offset),
        |chunk, done| file.pwrite_vectored(&[IoSlice::new(chunk)], offset.saturating_add(done)),
    )?;
    size(n)
}

fn size(n: usize) -> Result<types::Size> {
    types::Size::try_from(n).map_err(|_| Errno::Overflow.into())
}

/// A position in a list of guest buffers, for copying through a host buffer.
struct Cursor<'b> {
    bufs: &'b [Buf],
    /// Index of the current buffer.
    index: usize,
    /// Bytes of the current buffer already used.
    used: u32,
}

impl<'b> Cursor<'b> {
    fn new(bufs: &'b [Buf]) -> Self {
        Cursor {
            bufs,
            index: 0,
            used: 0,
        }
    }

    /// The next guest span of at most `max` bytes (address, length), or `None` at the end.
    fn next(&mut self, max: usize) -> Option<(u32, usize)> {
        let &(addr, len) = self.bufs.get(self.index)?;
        let take = ((len - self.used) as usize).min(max);
        let at = addr + self.used;
        self.used += take as u32;
        if self.used == len {
            self.index += 1;
            self.used = 0;
        }
        Some((at, take))
    }
}

fn total(bufs: &[Buf]) -> usize {
    bufs.iter().map(|&(_, len)| len as usize).sum()
}

/// Gather `bufs` chunk by chunk into a host buffer and hand each chunk to `sink` (with the
/// bytes written so far), until everything is written or `sink` writes less than a chunk. An
/// error after some bytes were written ends the call with the count, as a short write.
fn write_copied(
    mem: &GuestMemory<'_>,
    bufs: &[Buf],
    mut sink: impl FnMut(&[u8], u64) -> Result<usize>,
) -> Result<usize> {
    let mut chunk = vec![0u8; total(bufs).min(CHUNK)];
    let mut cursor = Cursor::new(bufs);
    let mut done = 0usize;
    loop {
        let mut filled = 0;
        while filled < chunk.len() {
            let Some((at, len)) = cursor.next(chunk.len() - filled) else {
                break;
            };
            mem.copy_to_slice(at, &mut chunk[filled..filled + len])?;
            filled += len;
        }
        if filled == 0 {
            return Ok(done);
        }
        match sink(&chunk[..filled], done as u64) {
            Ok(n) => {
                done += n.min(filled);
                if n < filled {
                    return Ok(done);
                }
            }
            Err(e) if done == 0 => return Err(e),
            Err(_) => return Ok(done),
        }
    }
}

/// Fill `bufs` from `source` through a host buffer, in order (so with overlapping buffers the
/// later ones win, as with `readv`). `source` gets a chunk to fill and the bytes read so far;
/// it is called again only with `repeat` and after it filled a whole chunk.
fn read_copied(
    mem: &mut GuestMemory<'_>,
    bufs: &[Buf],
    repeat: bool,
    mut source: impl FnMut(&mut [u8], u64) -> Result<usize>,
) -> Result<usize> {
    let total = total(bufs);
    let mut chunk = vec![0u8; total.min(CHUNK)];
    let mut cursor = Cursor::new(bufs);
    let mut done = 0usize;
    while done < total {
        let want = chunk.len().min(total - done);
        let n = match source(&mut chunk[..want], done as u64) {
            Ok(n) => n.min(want),
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        let mut copied = 0;
        while copied < n {
            let Some((at, len)) = cursor.next(n - copied) else {
                break;
            };
            mem.copy_from_slice(at, &chunk[copied..copied + len])?;
            copied += len;
        }
        done += n;
        if n < want || !repeat {
            break;
        }
    }
    Ok(done)
}
