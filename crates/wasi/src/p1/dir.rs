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
    mem.array_region::<u8>(buf.offset(), buf_len)?;
    let mut used: u32 = 0;
    let mut failed: Option<Error> = None;
    let mut header = [0u8; Dirent::SIZE as usize];
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
        dirent.encode(&mut header);
        let room = buf_len - used;
        let at = buf.offset() + used;
        let head = room.min(Dirent::SIZE);
        let name = (room - head).min(namlen);
        let copied = mem
            .copy_from_slice(at, &header[..head as usize])
            .and_then(|()| mem.copy_from_slice(at + head, &e.name[..name as usize]));
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
