//! dir calls.

#![allow(unused_variables, unused_imports)]

use wasihost_guest::{GuestMemory, GuestPtr, GuestStr};

use crate::ctx::WasiCtx;
use crate::error::Error;
use crate::preview1::types;
use crate::preview1::types::Errno;

pub fn fd_readdir(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    fd: types::Fd,
    buf: GuestPtr<u8>,
    buf_len: types::Size,
    cookie: types::Dircookie,
) -> Result<types::Size, Error> {
    Err(Errno::Nosys.into())
}
