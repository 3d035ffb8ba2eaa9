//! The [`GuestType`] trait and its implementations for builtin types.

use crate::GuestError;

/// A value with a fixed little-endian layout in guest memory.
///
/// `decode` and `encode` are given exactly `SIZE` bytes, already checked for bounds and alignment
/// by [`crate::GuestMemory`]. Generated code implements this for every witx type.
pub trait GuestType: Sized {
    /// Size in bytes.
    const SIZE: u32;
    /// Required alignment in bytes.
    const ALIGN: u32;
    /// Decode from exactly `SIZE` bytes, rejecting invalid values.
    fn decode(bytes: &[u8]) -> Result<Self, GuestError>;
    /// Encode into exactly `SIZE` bytes.
    fn encode(&self, out: &mut [u8]);
}

/// The `N` bytes at `at` in `bytes`, as an array (generated code uses this to decode fields).
///
/// Panics if `bytes` is too short: callers pass regions validated against the type's size.
#[inline]
pub fn array_at<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&bytes[at..at + N]);
    a
}

macro_rules! int_guest_type {
    ($($t:ty),*) => {$(
        impl GuestType for $t {
            const SIZE: u32 = std::mem::size_of::<$t>() as u32;
            const ALIGN: u32 = std::mem::size_of::<$t>() as u32;
            #[inline]
            fn decode(bytes: &[u8]) -> Result<Self, GuestError> {
                Ok(<$t>::from_le_bytes(array_at(bytes, 0)))
            }
            #[inline]
            fn encode(&self, out: &mut [u8]) {
                out[..std::mem::size_of::<$t>()].copy_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}

int_guest_type!(u8, i8, u16, i16, u32, i32, u64, i64, f32, f64);

impl GuestType for char {
    const SIZE: u32 = 4;
    const ALIGN: u32 = 4;
    fn decode(bytes: &[u8]) -> Result<Self, GuestError> {
        let v = u32::decode(bytes)?;
        char::from_u32(v).ok_or(GuestError::InvalidChar(v))
    }
    fn encode(&self, out: &mut [u8]) {
        u32::from(*self).encode(out)
    }
}

/// `bool` as witx lays it out: a variant with a 32-bit tag, `false` = 0 and `true` = 1.
impl GuestType for bool {
    const SIZE: u32 = 4;
    const ALIGN: u32 = 4;
    fn decode(bytes: &[u8]) -> Result<Self, GuestError> {
        match u32::decode(bytes)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(GuestError::InvalidEnumValue {
                type_name: "bool",
                value: u64::from(v),
            }),
        }
    }
    fn encode(&self, out: &mut [u8]) {
        u32::from(*self).encode(out)
    }
}
