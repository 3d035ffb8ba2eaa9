//! Conversions between preview0 and preview1 values.
//!
//! Almost every preview0 type has the same values as its preview1 counterpart and converts by
//! raw value; the exceptions are handled here by meaning: `whence` (preview0 numbers CUR=0,
//! END=1, SET=2), `filestat` (a 32-bit link count), `rights` (preview0 has no `SOCK_ACCEPT`)
//! and the clock subscription (an extra `identifier` field, which events do not carry).

use wasihost_guest::GuestSlice;

use crate::error::Error;
use crate::p1::poll::{Sub, Want};
use crate::preview0::types as p0;
use crate::preview1::types as p1;

/// A preview0 value as the preview1 value that means the same.
pub(super) trait ToP1 {
    /// The preview1 type.
    type Out;
    /// Convert; values without a preview1 meaning are `EINVAL`.
    fn p1(self) -> Result<Self::Out, Error>;
}

/// Enums whose cases have the same numbers in both snapshots.
macro_rules! enum_by_raw {
    ($($t:ident),*) => {$(
        impl ToP1 for p0::$t {
            type Out = p1::$t;
            fn p1(self) -> Result<p1::$t, Error> {
                Ok(p1::$t::from_raw(u64::from(self.to_raw()))?)
            }
        }
    )*};
}

/// Flag sets whose bits mean the same in both snapshots.
macro_rules! flags_by_raw {
    ($($t:ident),*) => {$(
        impl ToP1 for p0::$t {
            type Out = p1::$t;
            fn p1(self) -> Result<p1::$t, Error> {
                Ok(p1::$t::from_raw(u64::from(self.bits()))?)
            }
        }
    )*};
}

enum_by_raw!(Clockid, Advice, Signal);
flags_by_raw!(
    Rights,
    Fdflags,
    Fstflags,
    Lookupflags,
    Oflags,
    Riflags,
    Sdflags
);

impl ToP1 for p0::Fd {
    type Out = p1::Fd;
    fn p1(self) -> Result<p1::Fd, Error> {
        Ok(p1::Fd::new(self.raw()))
    }
}

impl ToP1 for p0::Whence {
    type Out = p1::Whence;
    fn p1(self) -> Result<p1::Whence, Error> {
        Ok(match self {
            p0::Whence::Cur => p1::Whence::Cur,
            p0::Whence::End => p1::Whence::End,
            p0::Whence::Set => p1::Whence::Set,
        })
    }
}

impl ToP1 for p0::IovecArray {
    type Out = p1::IovecArray;
    fn p1(self) -> Result<p1::IovecArray, Error> {
        // Same layout: { buf: pointer, buf_len: u32 }.
        Ok(GuestSlice::new(self.offset(), self.len()))
    }
}

impl ToP1 for p0::CiovecArray {
    type Out = p1::CiovecArray;
    fn p1(self) -> Result<p1::CiovecArray, Error> {
        Ok(GuestSlice::new(self.offset(), self.len()))
    }
}

impl ToP1 for p0::Subscription {
    type Out = Sub;
    fn p1(self) -> Result<Sub, Error> {
        let want = match self.u {
            p0::SubscriptionU::Clock(c) => Want::Clock {
                id: c.id.p1()?,
                timeout: c.timeout,
                abstime: c
                    .flags
                    .contains(p0::Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME),
            },
            p0::SubscriptionU::FdRead(f) => Want::Read(f.file_descriptor.p1()?),
            p0::SubscriptionU::FdWrite(f) => Want::Write(f.file_descriptor.p1()?),
        };
        Ok(Sub {
            userdata: self.userdata,
            want,
        })
    }
}

/// Rights as preview0 sees them: `SOCK_ACCEPT` does not exist there.
pub(super) fn rights(r: p1::Rights) -> p0::Rights {
    p0::Rights::from_bits_truncate(r.bits())
}

pub(super) fn fd(fd: p1::Fd) -> p0::Fd {
    p0::Fd::new(fd.raw())
}

fn filetype(t: p1::Filetype) -> Result<p0::Filetype, Error> {
    Ok(p0::Filetype::from_raw(u64::from(t.to_raw()))?)
}

pub(super) fn fdstat(s: p1::Fdstat) -> Result<p0::Fdstat, Error> {
    Ok(p0::Fdstat {
        fs_filetype: filetype(s.fs_filetype)?,
        fs_flags: p0::Fdflags::from_raw(u64::from(s.fs_flags.bits()))?,
        fs_rights_base: rights(s.fs_rights_base),
        fs_rights_inheriting: rights(s.fs_rights_inheriting),
    })
}

/// A preview1 filestat in preview0's layout; a link count above `u32::MAX` is `EOVERFLOW`.
pub(super) fn filestat(s: p1::Filestat) -> Result<p0::Filestat, Error> {
    Ok(p0::Filestat {
        dev: s.dev,
        ino: s.ino,
        filetype: filetype(s.filetype)?,
        nlink: u32::try_from(s.nlink).map_err(|_| p1::Errno::Overflow)?,
        size: s.size,
        atim: s.atim,
        mtim: s.mtim,
        ctim: s.ctim,
    })
}

pub(super) fn prestat(p: p1::Prestat) -> p0::Prestat {
    match p {
        p1::Prestat::Dir(d) => p0::Prestat::Dir(p0::PrestatDir {
            pr_name_len: d.pr_name_len,
        }),
    }
}

pub(super) fn roflags(f: p1::Roflags) -> Result<p0::Roflags, Error> {
    Ok(p0::Roflags::from_raw(u64::from(f.bits()))?)
}
