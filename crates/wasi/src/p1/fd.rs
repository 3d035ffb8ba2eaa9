//! fd calls.

#![allow(unused_variables, unused_imports)]

use wasihost_guest::{GuestMemory, GuestPtr, GuestStr};

use crate::ctx::WasiCtx;
use crate::error::Error;
use crate::preview1::types;
use crate::preview1::types::Errno;

pub fn fd_advise(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    offset: types::Filesize,
    len: types::Filesize,
    advice: types::Advice,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_allocate(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    offset: types::Filesize,
    len: types::Filesize,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_close(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: types::Fd) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_datasync(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_fdstat_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
) -> Result<types::Fdstat, Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_fdstat_set_flags(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    flags: types::Fdflags,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_fdstat_set_rights(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    fs_rights_base: types::Rights,
    fs_rights_inheriting: types::Rights,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_filestat_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
) -> Result<types::Filestat, Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_filestat_set_size(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    size: types::Filesize,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_filestat_set_times(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    atim: types::Timestamp,
    mtim: types::Timestamp,
    fst_flags: types::Fstflags,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_pread(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    iovs: types::IovecArray,
    offset: types::Filesize,
) -> Result<types::Size, Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_prestat_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
) -> Result<types::Prestat, Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_prestat_dir_name(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    path: GuestPtr<u8>,
    path_len: types::Size,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_pwrite(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    iovs: types::CiovecArray,
    offset: types::Filesize,
) -> Result<types::Size, Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_read(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    iovs: types::IovecArray,
) -> Result<types::Size, Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_renumber(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    to: types::Fd,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_seek(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    offset: types::Filedelta,
    whence: types::Whence,
) -> Result<types::Filesize, Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_sync(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, fd: types::Fd) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_tell(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
) -> Result<types::Filesize, Error> {
    Err(Errno::Nosys.into())
}

pub fn fd_write(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    iovs: types::CiovecArray,
) -> Result<types::Size, Error> {
    Err(Errno::Nosys.into())
}
