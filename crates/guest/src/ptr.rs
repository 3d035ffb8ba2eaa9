//! Typed guest pointers: single values, arrays and strings.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use crate::{GuestError, GuestMemory, GuestType};

/// A pointer into guest memory to a value of type `T`.
///
/// It is only an offset: nothing is checked until it is read or written through a
/// [`GuestMemory`].
pub struct GuestPtr<T> {
    offset: u32,
    _type: PhantomData<fn() -> T>,
}

impl<T> GuestPtr<T> {
    /// A pointer to guest address `offset`.
    pub const fn new(offset: u32) -> Self {
        GuestPtr {
            offset,
            _type: PhantomData,
        }
    }

    /// The guest address.
    pub const fn offset(self) -> u32 {
        self.offset
    }

    /// The same address as a pointer to another type.
    pub const fn cast<U>(self) -> GuestPtr<U> {
        GuestPtr::new(self.offset)
    }

    /// An array of `len` values of `T` starting here.
    pub const fn as_array(self, len: u32) -> GuestSlice<T> {
        GuestSlice::new(self.offset, len)
    }
}

impl<T: GuestType> GuestPtr<T> {
    /// Read the value pointed to.
    pub fn read(self, mem: &GuestMemory<'_>) -> Result<T, GuestError> {
        mem.read(self)
    }

    /// Write `value` where this points.
    pub fn write(self, mem: &mut GuestMemory<'_>, value: T) -> Result<(), GuestError> {
        mem.write(self, &value)
    }

    /// The pointer `n` elements further on; fails if the address overflows 32 bits.
    pub fn add_elements(self, n: u32) -> Result<Self, GuestError> {
        n.checked_mul(T::SIZE)
            .and_then(|bytes| self.offset.checked_add(bytes))
            .map(GuestPtr::new)
            .ok_or(GuestError::PtrOverflow {
                offset: self.offset,
                len: n,
            })
    }

    /// Check bounds and alignment without reading, e.g. for an out-pointer before a call.
    pub fn validate(self, mem: &GuestMemory<'_>) -> Result<(), GuestError> {
        mem.region(self.offset, u64::from(T::SIZE), T::ALIGN)
            .map(|_| ())
    }
}

impl<T> Clone for GuestPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for GuestPtr<T> {}
impl<T> PartialEq for GuestPtr<T> {
    fn eq(&self, other: &Self) -> bool {
        self.offset == other.offset
    }
}
impl<T> Eq for GuestPtr<T> {}
impl<T> fmt::Debug for GuestPtr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GuestPtr({:#x})", self.offset)
    }
}

impl<T> GuestType for GuestPtr<T> {
    const SIZE: u32 = 4;
    const ALIGN: u32 = 4;
    fn decode(bytes: &[u8]) -> Result<Self, GuestError> {
        u32::decode(bytes).map(GuestPtr::new)
    }
    fn encode(&self, out: &mut [u8]) {
        self.offset.encode(out)
    }
}

/// An array of `len` values of `T` in guest memory (a witx `list`, or a pointer plus a count).
pub struct GuestSlice<T> {
    offset: u32,
    len: u32,
    _type: PhantomData<fn() -> T>,
}

impl<T> GuestSlice<T> {
    /// The array of `len` elements at guest address `offset`.
    pub const fn new(offset: u32, len: u32) -> Self {
        GuestSlice {
            offset,
            len,
            _type: PhantomData,
        }
    }

    /// The guest address of the first element.
    pub const fn offset(&self) -> u32 {
        self.offset
    }

    /// The number of elements.
    pub const fn len(&self) -> u32 {
        self.len
    }

    /// True when there are no elements.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// A pointer to the first element.
    pub const fn as_ptr(&self) -> GuestPtr<T> {
        GuestPtr::new(self.offset)
    }
}

impl<T: GuestType> GuestSlice<T> {
    /// Check that the whole array is in bounds, aligned, and that its size does not overflow.
    pub fn validate(&self, mem: &GuestMemory<'_>) -> Result<(), GuestError> {
        mem.array_region::<T>(self.offset, self.len).map(|_| ())
    }

    /// A pointer to element `i`, or `None` past the end.
    pub fn get(&self, i: u32) -> Option<GuestPtr<T>> {
        if i < self.len {
            self.as_ptr().add_elements(i).ok()
        } else {
            None
        }
    }

    /// Pointers to each element in order. Validate the slice first: an element whose address
    /// overflows is skipped by reading as an error later, never wrapped.
    pub fn iter(&self) -> impl Iterator<Item = Result<GuestPtr<T>, GuestError>> + use<T> {
        let base = self.as_ptr();
        (0..self.len).map(move |i| base.add_elements(i))
    }
}

impl GuestSlice<u8> {
    /// The bytes: borrowed from unshared memory without copying, copied from shared memory.
    pub fn as_bytes<'m>(&self, mem: &'m GuestMemory<'_>) -> Result<Cow<'m, [u8]>, GuestError> {
        mem.bytes(self.offset, self.len)
    }

    /// The bytes as a mutable slice, or `None` if the memory is shared.
    pub fn as_bytes_mut<'m>(
        &self,
        mem: &'m mut GuestMemory<'_>,
    ) -> Result<Option<&'m mut [u8]>, GuestError> {
        mem.bytes_mut(self.offset, self.len)
    }
}

impl<T> Clone for GuestSlice<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for GuestSlice<T> {}
impl<T> PartialEq for GuestSlice<T> {
    fn eq(&self, other: &Self) -> bool {
        self.offset == other.offset && self.len == other.len
    }
}
impl<T> Eq for GuestSlice<T> {}
impl<T> fmt::Debug for GuestSlice<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GuestSlice({:#x}, len {})", self.offset, self.len)
    }
}

impl<T> GuestType for GuestSlice<T> {
    const SIZE: u32 = 8;
    const ALIGN: u32 = 4;
    fn decode(bytes: &[u8]) -> Result<Self, GuestError> {
        Ok(GuestSlice::new(
            u32::decode(&bytes[0..4])?,
            u32::decode(&bytes[4..8])?,
        ))
    }
    fn encode(&self, out: &mut [u8]) {
        self.offset.encode(&mut out[0..4]);
        self.len.encode(&mut out[4..8]);
    }
}

/// A UTF-8 string of `len` bytes in guest memory (a witx `string`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct GuestStr {
    bytes: GuestSlice<u8>,
}

impl GuestStr {
    /// The string of `len` bytes at guest address `offset`.
    pub const fn new(offset: u32, len: u32) -> Self {
        GuestStr {
            bytes: GuestSlice::new(offset, len),
        }
    }

    /// The string's bytes as a slice.
    pub const fn as_byte_slice(&self) -> GuestSlice<u8> {
        self.bytes
    }

    /// Length in bytes.
    pub const fn len(&self) -> u32 {
        self.bytes.len()
    }

    /// True for the empty string.
    pub const fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The raw bytes, not checked for UTF-8.
    pub fn as_bytes<'m>(&self, mem: &'m GuestMemory<'_>) -> Result<Cow<'m, [u8]>, GuestError> {
        self.bytes.as_bytes(mem)
    }

    /// The string, checked to be UTF-8; borrowed from unshared memory without copying.
    pub fn as_str<'m>(&self, mem: &'m GuestMemory<'_>) -> Result<Cow<'m, str>, GuestError> {
        match self.as_bytes(mem)? {
            Cow::Borrowed(b) => std::str::from_utf8(b)
                .map(Cow::Borrowed)
                .map_err(GuestError::InvalidUtf8),
            Cow::Owned(v) => String::from_utf8(v)
                .map(Cow::Owned)
                .map_err(|e| GuestError::InvalidUtf8(e.utf8_error())),
        }
    }
}

impl GuestType for GuestStr {
    const SIZE: u32 = 8;
    const ALIGN: u32 = 4;
    fn decode(bytes: &[u8]) -> Result<Self, GuestError> {
        GuestSlice::decode(bytes).map(|bytes| GuestStr { bytes })
    }
    fn encode(&self, out: &mut [u8]) {
        self.bytes.encode(out)
    }
}
