//! Socket calls on sockets the embedder preopened (and the connections accepted from them).
//!
//! Data moves with one vectored `recvmsg`/`sendmsg` straight between the socket and the
//! guest's buffers when its memory is unshared. Shared memory, or receive buffers that overlap,
//! go through a bounded host buffer instead (a short transfer, which sockets allow).

use std::borrow::Cow;
use std::io::{IoSlice, IoSliceMut};

use wasihost_guest::GuestMemory;

use crate::ctx::WasiCtx;
use crate::entry::{Entry, Node};
use crate::error::Error;
use crate::p1::fd::io::ReadVecs;
use crate::preview1::types::{self, Errno, Fdflags, Filetype, Riflags, Rights, Roflags, Sdflags};
use crate::vfs::WasiFile;

/// The most buffers one call hands to the OS (Linux's `IOV_MAX`); later ones are left unused,
/// which makes the transfer short.
const MAX_IOVS: usize = 1024;

/// Size of the bounce buffer used with shared memory.
const BOUNCE: u32 = 64 * 1024;

/// The socket behind `fd`: `EBADF` when not open, `ENOTSOCK` for anything but a socket (a
/// directory included), then a missing right.
fn socket(cx: &WasiCtx, fd: types::Fd, needed: Rights) -> Result<&dyn WasiFile, Error> {
    let entry = cx.entry(fd)?;
    let Node::File(file) = &entry.node else {
        return Err(Errno::Notsock.into());
    };
    if !matches!(
        file.filetype(),
        Filetype::SocketStream | Filetype::SocketDgram
    ) {
        return Err(Errno::Notsock.into());
    }
    entry.require(needed)?;
    Ok(&**file)
}

pub fn sock_accept(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    flags: Fdflags,
) -> Result<types::Fd, Error> {
    if !(flags - Fdflags::NONBLOCK).is_empty() {
        return Err(Errno::Inval.into());
    }
    let conn = socket(cx, fd, Rights::SOCK_ACCEPT)?.sock_accept(flags)?;
    Ok(types::Fd::new(cx.table.insert(Entry::for_file(conn))?))
}

/// The non-empty `(offset, len)` regions of an iovec array, at most [`MAX_IOVS`] of them, with
/// a total that fits in `u32`.
fn regions<T: types_iovec::Iov>(
    mem: &GuestMemory<'_>,
    iovs: wasihost_guest::GuestSlice<T>,
) -> Result<Vec<(u32, u32)>, Error> {
    iovs.validate(mem)?;
    let mut out = Vec::with_capacity((iovs.len() as usize).min(MAX_IOVS));
    let mut total = 0u32;
    for p in iovs.iter() {
        if out.len() == MAX_IOVS || total == u32::MAX {
            break;
        }
        let (buf, len) = p?.read(mem)?.parts();
        let len = len.min(u32::MAX - total);
        if len > 0 {
            mem.region(buf, u64::from(len), 1)?;
            out.push((buf, len));
            total += len;
        }
    }
    Ok(out)
}

/// Uniform access to the two iovec types.
mod types_iovec {
    use crate::preview1::types::{Ciovec, Iovec};

    /// A buffer descriptor: guest address and length.
    pub trait Iov: wasihost_guest::GuestType {
        fn parts(&self) -> (u32, u32);
    }
    impl Iov for Iovec {
        fn parts(&self) -> (u32, u32) {
            (self.buf.offset(), self.buf_len)
        }
    }
    impl Iov for Ciovec {
        fn parts(&self) -> (u32, u32) {
            (self.buf.offset(), self.buf_len)
        }
    }
}

pub fn sock_recv(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    ri_data: types::IovecArray,
    ri_flags: Riflags,
) -> Result<(types::Size, Roflags), Error> {
    let sock = socket(cx, fd, Rights::FD_READ)?;
    let regions = regions(mem, ri_data)?;
    let mut iov = ReadVecs::default();
    let (got, flags) = match mem.disjoint_slices_mut(&regions, &mut iov)? {
        true => sock.sock_recv(&mut iov.0, ri_flags)?,
        false => {
            drop(iov);
            let total: u32 = regions.iter().map(|r| r.1).sum();
            let mut buf = vec![0u8; total.min(BOUNCE) as usize];
            let (got, flags) = sock.sock_recv(&mut [IoSliceMut::new(&mut buf)], ri_flags)?;
            scatter(mem, &regions, &buf[..got.min(buf.len())])?;
            (got, flags)
        }
    };
    let len = u32::try_from(got).map_err(|_| Errno::Overflow)?;
    Ok((len, flags))
}

/// Copy `data` into the guest regions in order.
fn scatter(
    mem: &mut GuestMemory<'_>,
    regions: &[(u32, u32)],
    mut data: &[u8],
) -> Result<(), Error> {
    for &(at, len) in regions {
        if data.is_empty() {
            break;
        }
        let n = (len as usize).min(data.len());
        mem.copy_from_slice(at, &data[..n])?;
        data = &data[n..];
    }
    Ok(())
}

pub fn sock_send(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    si_data: types::CiovecArray,
    si_flags: types::Siflags,
) -> Result<types::Size, Error> {
    // No send flags are defined.
    if si_flags != 0 {
        return Err(Errno::Inval.into());
    }
    let sock = socket(cx, fd, Rights::FD_WRITE)?;
    let regions = regions(mem, si_data)?;
    let sent = if mem.is_shared() {
        let mut buf = Vec::with_capacity(BOUNCE as usize);
        for &(at, len) in &regions {
            let n = len.min(BOUNCE - buf.len() as u32);
            let from = buf.len();
            buf.resize(from + n as usize, 0);
            mem.copy_to_slice(at, &mut buf[from..])?;
            if buf.len() as u32 == BOUNCE {
                break;
            }
        }
        sock.sock_send(&[IoSlice::new(&buf)], si_flags)?
    } else {
        let mut parts: Vec<Cow<'_, [u8]>> = Vec::with_capacity(regions.len());
        for &(at, len) in &regions {
            parts.push(mem.bytes(at, len)?);
        }
        let bufs: Vec<IoSlice<'_>> = parts.iter().map(|p| IoSlice::new(p)).collect();
        sock.sock_send(&bufs, si_flags)?
    };
    Ok(u32::try_from(sent).map_err(|_| Errno::Overflow)?)
}

pub fn sock_shutdown(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    how: Sdflags,
) -> Result<(), Error> {
    socket(cx, fd, Rights::SOCK_SHUTDOWN)?.sock_shutdown(how)
}

#[cfg(test)]
mod tests {
    use std::cell::UnsafeCell;
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;

    use wasihost_guest::{GuestPtr, GuestSlice};

    use super::*;
    use crate::preview1::types::{Ciovec, Fd, Iovec};

    fn iov(mem: &mut GuestMemory<'_>, at: u32, buf: u32, len: u32) {
        let v = Iovec {
            buf: GuestPtr::new(buf),
            buf_len: len,
        };
        mem.write(GuestPtr::new(at), &v).unwrap();
    }

    /// Shared memory cannot be lent to the OS: both directions go through the bounce buffer.
    #[test]
    fn shared_memory_round_trip() {
        let (guest, host) = UnixStream::pair().unwrap();
        (&host).write_all(b"shared!").unwrap();
        let mut cx = WasiCtx::builder().preopen_socket(guest).build().unwrap();
        let cells: Vec<UnsafeCell<u8>> = (0..4096).map(|_| UnsafeCell::new(0)).collect();
        let mut mem = GuestMemory::Shared(&cells);
        iov(&mut mem, 0, 100, 3);
        iov(&mut mem, 8, 200, 8);
        let (n, flags) = sock_recv(
            &mut cx,
            &mut mem,
            Fd::new(3),
            GuestSlice::new(0, 2),
            Riflags::empty(),
        )
        .unwrap();
        assert_eq!((n, flags), (7, Roflags::empty()));
        let mut got = [0u8; 4];
        mem.copy_to_slice(100, &mut got[..3]).unwrap();
        assert_eq!(&got[..3], b"sha");
        mem.copy_to_slice(200, &mut got).unwrap();
        assert_eq!(&got, b"red!");

        mem.copy_from_slice(300, b"hi").unwrap();
        mem.copy_from_slice(400, b"you").unwrap();
        iov(&mut mem, 16, 300, 2);
        iov(&mut mem, 24, 400, 3);
        let ciovs: GuestSlice<Ciovec> = GuestSlice::new(16, 2);
        assert_eq!(
            sock_send(&mut cx, &mut mem, Fd::new(3), ciovs, 0).unwrap(),
            5
        );
        let mut got = [0u8; 5];
        (&host).read_exact(&mut got).unwrap();
        assert_eq!(&got, b"hiyou");
    }
}
