//! `fd_readdir`: directory listings that resume at a cookie without rereading the directory.

use std::os::fd::AsFd;

use wasihost_guest::{GuestMemory, GuestPtr, GuestType};

use crate::ctx::WasiCtx;
use crate::error::Result;
use crate::preview1::types::{self, Dirent, Errno, Rights};
use crate::sys::readdir::ReaddirState;

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
    let entry = cx.entry_mut(fd)?;
    entry.require(Rights::FD_READDIR)?;
    let dir = entry.dir_mut()?;
    mem.array_region::<u8>(buf.offset(), buf_len)?;
    let state = match dir.readdir.take() {
        Some(state) => state,
        None => ReaddirState::new(dir.fd.as_fd())?,
    };
    let state = dir.readdir.insert(state);
    let result = state
        .seek(cookie)
        .and_then(|()| fill(state, mem, buf, buf_len));
    if result.is_err() {
        // Start from a fresh stream next time rather than trust this one.
        dir.readdir = None;
    }
    result
}

fn fill(
    state: &mut ReaddirState,
    mem: &mut GuestMemory<'_>,
    buf: GuestPtr<u8>,
    buf_len: u32,
) -> Result<u32> {
    let mut used: u32 = 0;
    let mut header = [0u8; Dirent::SIZE as usize];
    while used < buf_len {
        let Some(e) = state.peek()? else { break };
        let namlen = u32::try_from(e.name.len()).map_err(|_| Errno::Nametoolong)?;
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
        mem.copy_from_slice(at, &header[..head as usize])?;
        let name = (room - head).min(namlen);
        mem.copy_from_slice(at + head, &e.name[..name as usize])?;
        used += head + name;
        if head + name < Dirent::SIZE + namlen {
            // Cut short: the entry stays pending for the next call.
            break;
        }
        state.advance();
    }
    Ok(used)
}
