//! path calls.

#![allow(unused_variables, unused_imports)]

use wasihost_guest::{GuestMemory, GuestPtr, GuestStr};

use crate::ctx::WasiCtx;
use crate::error::Error;
use crate::preview1::types;
use crate::preview1::types::Errno;

pub fn path_create_directory(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    path: GuestStr,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn path_filestat_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    flags: types::Lookupflags,
    path: GuestStr,
) -> Result<types::Filestat, Error> {
    Err(Errno::Nosys.into())
}

pub fn path_filestat_set_times(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    flags: types::Lookupflags,
    path: GuestStr,
    atim: types::Timestamp,
    mtim: types::Timestamp,
    fst_flags: types::Fstflags,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn path_link(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_fd: types::Fd,
    old_flags: types::Lookupflags,
    old_path: GuestStr,
    new_fd: types::Fd,
    new_path: GuestStr,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn path_open(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    dirflags: types::Lookupflags,
    path: GuestStr,
    oflags: types::Oflags,
    fs_rights_base: types::Rights,
    fs_rights_inheriting: types::Rights,
    fdflags: types::Fdflags,
) -> Result<types::Fd, Error> {
    Err(Errno::Nosys.into())
}

pub fn path_readlink(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    path: GuestStr,
    buf: GuestPtr<u8>,
    buf_len: types::Size,
) -> Result<types::Size, Error> {
    Err(Errno::Nosys.into())
}

pub fn path_remove_directory(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    path: GuestStr,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn path_rename(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    old_path: GuestStr,
    new_fd: types::Fd,
    new_path: GuestStr,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn path_symlink(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    old_path: GuestStr,
    fd: types::Fd,
    new_path: GuestStr,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}

pub fn path_unlink_file(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    path: GuestStr,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}
