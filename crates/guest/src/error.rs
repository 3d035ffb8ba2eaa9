//! Errors raised while reading or writing guest memory, and the engine-neutral trap type.

use std::fmt;

/// Everything that can go wrong when the host touches guest memory or decodes a guest value.
///
/// None of these is a host bug: each is caused by the guest passing a bad pointer, length or
/// value. Hosts map them to an errno or a trap (see [`IntoAbiError`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuestError {
    /// The region `offset .. offset + len` is not inside linear memory.
    PtrOutOfBounds {
        /// Start of the region.
        offset: u32,
        /// Length of the region in bytes.
        len: u64,
        /// Size of the memory at the time of the access.
        memory_len: u64,
    },
    /// The pointer is not aligned to the alignment its type requires.
    PtrNotAligned {
        /// The offending pointer.
        offset: u32,
        /// The alignment the type requires.
        align: u32,
    },
    /// `offset + len` (or `len * element size`) does not fit in 32 bits.
    PtrOverflow {
        /// Start of the region.
        offset: u32,
        /// Length of the region, in elements of the pointee type.
        len: u32,
    },
    /// A value that is not one of the cases of an enum or variant tag.
    InvalidEnumValue {
        /// The witx type name.
        type_name: &'static str,
        /// The value read.
        value: u64,
    },
    /// A flags value with bits set that the type does not define.
    InvalidFlagValue {
        /// The witx type name.
        type_name: &'static str,
        /// The value read.
        value: u64,
    },
    /// A `char` value that is not a Unicode scalar value.
    InvalidChar(u32),
    /// A string that is not valid UTF-8.
    InvalidUtf8(std::str::Utf8Error),
    /// A value too large for the host type it must be converted to.
    IntegerOverflow,
}

impl GuestError {
    /// True for errors caused by a pointer (bounds, alignment, overflow): WASI hosts trap on these.
    pub fn is_pointer_error(&self) -> bool {
        matches!(
            self,
            GuestError::PtrOutOfBounds { .. }
                | GuestError::PtrNotAligned { .. }
                | GuestError::PtrOverflow { .. }
        )
    }
}

impl fmt::Display for GuestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuestError::PtrOutOfBounds {
                offset,
                len,
                memory_len,
            } => write!(
                f,
                "pointer out of bounds: {len} bytes at {offset:#x} in a memory of {memory_len} bytes"
            ),
            GuestError::PtrNotAligned { offset, align } => {
                write!(f, "pointer {offset:#x} is not aligned to {align}")
            }
            GuestError::PtrOverflow { offset, len } => {
                write!(f, "pointer {offset:#x} plus length {len} overflows")
            }
            GuestError::InvalidEnumValue { type_name, value } => {
                write!(f, "invalid value {value} for enum {type_name}")
            }
            GuestError::InvalidFlagValue { type_name, value } => {
                write!(f, "invalid bits {value:#x} for flags {type_name}")
            }
            GuestError::InvalidChar(c) => write!(f, "invalid char {c:#x}"),
            GuestError::InvalidUtf8(e) => write!(f, "invalid UTF-8 string: {e}"),
            GuestError::IntegerOverflow => write!(f, "integer value out of range"),
        }
    }
}

impl std::error::Error for GuestError {}

/// An engine-neutral trap: the reason a host call ends the guest's execution.
///
/// Engine glue wraps it in the engine's error type; embedders get it back with a downcast
/// (for example `err.downcast_ref::<Trap>()` on a `wasmtime::Error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trap {
    /// The guest asked to exit (WASI `proc_exit`) with this status.
    Exit(u32),
    /// A guest memory access failed.
    Guest(GuestError),
    /// Any other reason, described in words.
    Message(String),
}

impl Trap {
    /// The exit status, if this trap is a requested exit.
    pub fn exit_code(&self) -> Option<u32> {
        match self {
            Trap::Exit(code) => Some(*code),
            _ => None,
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trap::Exit(code) => write!(f, "guest exited with status {code}"),
            Trap::Guest(e) => write!(f, "guest memory fault: {e}"),
            Trap::Message(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Trap {}

/// With the `wasmi` feature, a `Trap` travels inside a `wasmi::Error` (`wasmi::Error::host`) and
/// comes back out with `err.downcast_ref::<Trap>()`.
#[cfg(feature = "wasmi")]
impl wasmi::errors::HostError for Trap {}

#[cfg(feature = "wasmi")]
impl Trap {
    /// The `wasmi::Error` that carries this trap out of a host function. A requested exit
    /// becomes wasmi's own `i32_exit` error, so code written for `wasmi_wasi` that reads
    /// `err.i32_exit_status()` keeps working (a status above `i32::MAX` arrives as its
    /// two's-complement `i32`); every other trap is `wasmi::Error::host(self)`.
    pub fn into_wasmi_error(self) -> wasmi::Error {
        match self {
            Trap::Exit(code) => wasmi::Error::i32_exit(code as i32),
            other => wasmi::Error::host(other),
        }
    }
}

impl From<GuestError> for Trap {
    fn from(e: GuestError) -> Self {
        Trap::Guest(e)
    }
}

/// How a host error type becomes the ABI error value `E` of a witx interface (for WASI, `errno`),
/// or a trap.
///
/// Generated shims call this whenever a host method, or the lifting of an argument, fails.
pub trait IntoAbiError<E> {
    /// Map the error to an ABI error value, or decide to trap instead.
    fn into_abi_error(self) -> Result<E, Trap>;
}
