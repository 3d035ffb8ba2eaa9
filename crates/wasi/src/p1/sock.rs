//! sock calls.

#![allow(unused_variables, unused_imports)]

use wasihost_guest::{GuestMemory, GuestPtr, GuestStr};

use crate::ctx::WasiCtx;
use crate::error::Error;
use crate::preview1::types;
use crate::preview1::types::Errno;

pub fn sock_accept(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    flags: types::Fdflags,
) -> Result<types::Fd, Error> {
    Err(Errno::Nosys.into())
}

pub fn sock_recv(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    ri_data: types::IovecArray,
    ri_flags: types::Riflags,
) -> Result<(types::Size, types::Roflags), Error> {
    Err(Errno::Nosys.into())
}

pub fn sock_send(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    si_data: types::CiovecArray,
    si_flags: types::Siflags,
) -> Result<types::Size, Error> {
    Err(Errno::Nosys.into())
}

pub fn sock_shutdown(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    how: types::Sdflags,
) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}
