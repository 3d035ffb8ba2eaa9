//! poll calls.

#![allow(unused_variables, unused_imports)]

use wasihost_guest::{GuestMemory, GuestPtr, GuestStr};

use crate::ctx::WasiCtx;
use crate::error::Error;
use crate::preview1::types;
use crate::preview1::types::Errno;

pub fn poll_oneoff(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    r#in: GuestPtr<types::Subscription>,
    out: GuestPtr<types::Event>,
    nsubscriptions: types::Size,
) -> Result<types::Size, Error> {
    Err(Errno::Nosys.into())
}
