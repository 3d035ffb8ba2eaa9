//! The host error type of every WASI call.

use std::fmt;

use wasihost_guest::{GuestError, IntoAbiError, Trap};

use crate::fdpool::FdPoolError;
use crate::preview1::types::Errno;

/// Why a WASI call failed: an errno for the guest, or a trap that ends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Return this errno to the guest.
    Errno(Errno),
    /// A guest memory problem: pointer faults trap, bad values become an errno.
    Guest(GuestError),
    /// End the guest's execution.
    Trap(Trap),
}

impl Error {
    /// The errno the guest sees, or `None` if this error traps.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            Error::Errno(e) => Some(*e),
            Error::Guest(g) if g.is_pointer_error() => None,
            Error::Guest(GuestError::InvalidUtf8(_)) => Some(Errno::Ilseq),
            Error::Guest(GuestError::IntegerOverflow) => Some(Errno::Overflow),
            Error::Guest(_) => Some(Errno::Inval),
            Error::Trap(_) => None,
        }
    }

    /// The last OS error as a WASI error.
    pub fn last_os_error() -> Self {
        std::io::Error::last_os_error().into()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Errno(e) => write!(f, "errno {}", e.name()),
            Error::Guest(g) => g.fmt(f),
            Error::Trap(t) => t.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl From<Errno> for Error {
    fn from(e: Errno) -> Self {
        Error::Errno(e)
    }
}

impl From<GuestError> for Error {
    fn from(e: GuestError) -> Self {
        Error::Guest(e)
    }
}

impl From<Trap> for Error {
    fn from(t: Trap) -> Self {
        Error::Trap(t)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        match e.raw_os_error() {
            Some(code) => Error::Errno(crate::sys::errno::from_raw_os_error(code)),
            None => match e.kind() {
                std::io::ErrorKind::NotFound => Error::Errno(Errno::Noent),
                std::io::ErrorKind::PermissionDenied => Error::Errno(Errno::Perm),
                std::io::ErrorKind::WouldBlock => Error::Errno(Errno::Again),
                std::io::ErrorKind::InvalidInput => Error::Errno(Errno::Inval),
                std::io::ErrorKind::BrokenPipe => Error::Errno(Errno::Pipe),
                _ => Error::Errno(Errno::Io),
            },
        }
    }
}

impl From<rustix::io::Errno> for Error {
    fn from(e: rustix::io::Errno) -> Self {
        Error::Errno(crate::sys::errno::from_raw_os_error(e.raw_os_error()))
    }
}

impl From<FdPoolError> for Error {
    fn from(e: FdPoolError) -> Self {
        Error::Errno(match e {
            FdPoolError::Full { .. } => Errno::Mfile,
            FdPoolError::OutOfRange { .. } | FdPoolError::NotOpen { .. } => Errno::Badf,
        })
    }
}

impl IntoAbiError<Errno> for Error {
    fn into_abi_error(self) -> Result<Errno, Trap> {
        match self.errno() {
            Some(e) => Ok(e),
            None => Err(match self {
                Error::Guest(g) => Trap::Guest(g),
                Error::Trap(t) => t,
                Error::Errno(e) => Trap::Message(format!("errno {}", e.name())),
            }),
        }
    }
}

impl IntoAbiError<crate::preview0::types::Errno> for Error {
    fn into_abi_error(self) -> Result<crate::preview0::types::Errno, Trap> {
        let e: Errno = IntoAbiError::<Errno>::into_abi_error(self)?;
        // Both snapshots number their errno values identically.
        crate::preview0::types::Errno::from_raw(u64::from(e.to_raw()))
            .map_err(|_| Trap::Message(format!("errno {} has no preview0 value", e.name())))
    }
}

/// Shorthand for results of WASI calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;
