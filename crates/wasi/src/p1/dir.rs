//! `fd_readdir`: directory listings that resume at a cookie without rereading the directory.

use wasihost_guest::{GuestMemory, GuestPtr, GuestType};

use crate::ctx::WasiCtx;
use crate::error::{Error, Result};
use crate::preview1::types::{self, Dirent, Errno, Rights};

/// Fill `buf` with entries starting at `cookie`: each a `dirent` header followed by the name.
/// The last entry is cut short when it does not fit, and the call then returns `buf_len`, which
/// tells the guest to call again (with a larger buffer if no entry fitted). Cost and host
/// memory are proportional to the entries written, not to the directory's size.
pub fn fd_readdir(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    buf: GuestPtr<u8>,
    buf_len: types::Size,
    cookie: types::Dircookie,
) -> Result<types::Size> {
    let (_, dir) = cx.dir(fd, Rights::FD_READDIR)?;
    let region = mem.array_region::<u8>(buf.offset(), buf_len)?;
    // Unshared memory is written in place; shared memory through copies.
    let mut out = match mem {
        GuestMemory::Unshared(m) => Out::Direct(&mut m[region]),
        shared => Out::Copy(shared, buf.offset()),
    };
    let mut used: u32 = 0;
    let mut failed: Option<Error> = None;
    dir.readdir(cookie, &mut |e| {
        if used >= buf_len {
            return false;
        }
        let Ok(namlen) = u32::try_from(e.name.len()) else {
            failed = Some(Errno::Nametoolong.into());
            return false;
        };
        let dirent = Dirent {
            d_next: e.next,
            d_ino: e.ino,
            d_namlen: namlen,
            d_type: e.filetype,
        };
        let room = buf_len - used;
        let head = room.min(Dirent::SIZE);
        let name = (room - head).min(namlen);
        let copied = out.put(used, &dirent, head as usize, &e.name[..name as usize]);
        if let Err(err) = copied {
            failed = Some(err.into());
            return false;
        }
        used += head + name;
        // An entry cut short stays pending for the next call.
        head + name == Dirent::SIZE + namlen
    })?;
    match failed {
        Some(e) => Err(e),
        None => Ok(used),
    }
}

/// Where `fd_readdir` puts entries: the guest's buffer itself, or its offset in shared memory.
enum Out<'b, 'm> {
    Direct(&'b mut [u8]),
    Copy(&'b mut GuestMemory<'m>, u32),
}

impl Out<'_, '_> {
    /// The first `head` bytes of `dirent`'s encoding, then `tail`, at `at` bytes into the
    /// buffer (the caller keeps both within it). A whole header is encoded in place.
    fn put(
        &mut self,
        at: u32,
        dirent: &Dirent,
        head: usize,
        tail: &[u8],
    ) -> std::result::Result<(), wasihost_guest::GuestError> {
        let mut header = [0u8; Dirent::SIZE as usize];
        match self {
            Out::Direct(buf) => {
                let dst = &mut buf[at as usize..][..head + tail.len()];
                let (h, t) = dst.split_at_mut(head);
                if head == header.len() {
                    dirent.encode(h);
                } else {
                    dirent.encode(&mut header);
                    h.copy_from_slice(&header[..head]);
                }
                t.copy_from_slice(tail);
                Ok(())
            }
            Out::Copy(mem, base) => {
                let at = *base + at;
                dirent.encode(&mut header);
                mem.copy_from_slice(at, &header[..head])?;
                mem.copy_from_slice(at + head as u32, tail)
            }
        }
    }
}
