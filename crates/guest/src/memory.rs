//! A view of a guest's linear memory, shared or not, with checked region access.

use std::borrow::Cow;
use std::cell::UnsafeCell;
use std::ops::Range;

use crate::{GuestError, GuestPtr, GuestType};

/// Types up to this size are decoded from shared memory through a stack buffer.
const STACK_BUF: usize = 128;

/// A borrowed view of one guest linear memory for the duration of a host call.
///
/// `Unshared` memory cannot change while the host holds the view, so byte slices and strings are
/// handed out without copying. `Shared` memory (the wasm threads proposal) may be written by other
/// threads at any moment: the view never creates a Rust reference into it and copies instead.
pub enum GuestMemory<'a> {
    /// Memory only this call can touch.
    Unshared(&'a mut [u8]),
    /// Memory that other threads may change concurrently.
    Shared(&'a [UnsafeCell<u8>]),
}

impl<'a> GuestMemory<'a> {
    /// Size of the memory in bytes.
    pub fn len(&self) -> usize {
        match self {
            GuestMemory::Unshared(m) => m.len(),
            GuestMemory::Shared(m) => m.len(),
        }
    }

    /// True when the memory has no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True for the shared-memory variant.
    pub fn is_shared(&self) -> bool {
        matches!(self, GuestMemory::Shared(_))
    }

    /// Validate that `len` bytes at `offset` lie inside memory and that `offset` is a multiple of
    /// `align`; returns the host index range.
    pub fn region(&self, offset: u32, len: u64, align: u32) -> Result<Range<usize>, GuestError> {
        if align > 1 && !offset.is_multiple_of(align) {
            return Err(GuestError::PtrNotAligned { offset, align });
        }
        let end = u64::from(offset) + len;
        let memory_len = self.len() as u64;
        if end > memory_len {
            return Err(GuestError::PtrOutOfBounds {
                offset,
                len,
                memory_len,
            });
        }
        Ok(offset as usize..end as usize)
    }

    /// Validate `count` elements of `T` starting at `offset`; returns the host byte range.
    pub fn array_region<T: GuestType>(
        &self,
        offset: u32,
        count: u32,
    ) -> Result<Range<usize>, GuestError> {
        let overflow = GuestError::PtrOverflow { offset, len: count };
        let bytes = count.checked_mul(T::SIZE).ok_or(overflow.clone())?;
        offset.checked_add(bytes).ok_or(overflow)?;
        self.region(offset, u64::from(bytes), T::ALIGN)
    }

    /// Read a value of type `T` stored at `ptr`.
    pub fn read<T: GuestType>(&self, ptr: GuestPtr<T>) -> Result<T, GuestError> {
        let range = self.region(ptr.offset(), u64::from(T::SIZE), T::ALIGN)?;
        match self {
            GuestMemory::Unshared(m) => T::decode(&m[range]),
            GuestMemory::Shared(m) => {
                let cells = &m[range];
                if cells.len() <= STACK_BUF {
                    let mut buf = [0u8; STACK_BUF];
                    copy_from_cells(cells, &mut buf[..cells.len()]);
                    T::decode(&buf[..cells.len()])
                } else {
                    let mut buf = vec![0u8; cells.len()];
                    copy_from_cells(cells, &mut buf);
                    T::decode(&buf)
                }
            }
        }
    }

    /// Write `value` at `ptr`.
    pub fn write<T: GuestType>(&mut self, ptr: GuestPtr<T>, value: &T) -> Result<(), GuestError> {
        let range = self.region(ptr.offset(), u64::from(T::SIZE), T::ALIGN)?;
        match self {
            GuestMemory::Unshared(m) => {
                value.encode(&mut m[range]);
            }
            GuestMemory::Shared(m) => {
                let cells = &m[range];
                if cells.len() <= STACK_BUF {
                    let mut buf = [0u8; STACK_BUF];
                    value.encode(&mut buf[..cells.len()]);
                    copy_to_cells(&buf[..cells.len()], cells);
                } else {
                    let mut buf = vec![0u8; cells.len()];
                    value.encode(&mut buf);
                    copy_to_cells(&buf, cells);
                }
            }
        }
        Ok(())
    }

    /// The `len` bytes at `offset`: borrowed from unshared memory, copied from shared memory.
    ///
    /// The copy from shared memory allocates `len` bytes: callers handling guest-chosen lengths
    /// bound them first, or use [`GuestMemory::copy_to_slice`] with a buffer of their own.
    pub fn bytes(&self, offset: u32, len: u32) -> Result<Cow<'_, [u8]>, GuestError> {
        let range = self.array_region::<u8>(offset, len)?;
        Ok(match self {
            GuestMemory::Unshared(m) => Cow::Borrowed(&m[range]),
            GuestMemory::Shared(m) => {
                let mut buf = vec![0u8; range.len()];
                copy_from_cells(&m[range], &mut buf);
                Cow::Owned(buf)
            }
        })
    }

    /// The `len` bytes at `offset` as a mutable slice, or `None` for shared memory (which must be
    /// written with [`GuestMemory::copy_from_slice`] instead).
    pub fn bytes_mut(&mut self, offset: u32, len: u32) -> Result<Option<&mut [u8]>, GuestError> {
        let range = self.array_region::<u8>(offset, len)?;
        Ok(match self {
            GuestMemory::Unshared(m) => Some(&mut m[range]),
            GuestMemory::Shared(_) => None,
        })
    }

    /// Copy `dst.len()` bytes out of guest memory at `offset` into `dst`.
    pub fn copy_to_slice(&self, offset: u32, dst: &mut [u8]) -> Result<(), GuestError> {
        let len = u32::try_from(dst.len()).map_err(|_| GuestError::IntegerOverflow)?;
        let range = self.array_region::<u8>(offset, len)?;
        match self {
            GuestMemory::Unshared(m) => dst.copy_from_slice(&m[range]),
            GuestMemory::Shared(m) => copy_from_cells(&m[range], dst),
        }
        Ok(())
    }

    /// Copy all of `src` into guest memory at `offset`.
    pub fn copy_from_slice(&mut self, offset: u32, src: &[u8]) -> Result<(), GuestError> {
        let len = u32::try_from(src.len()).map_err(|_| GuestError::IntegerOverflow)?;
        let range = self.array_region::<u8>(offset, len)?;
        match self {
            GuestMemory::Unshared(m) => m[range].copy_from_slice(src),
            GuestMemory::Shared(m) => copy_to_cells(src, &m[range]),
        }
        Ok(())
    }

    /// Borrow several byte regions mutably at once, for vectored reads straight into guest memory,
    /// appending them to `out` in order.
    ///
    /// Every region is validated first (an invalid one is an error). Returns `Ok(false)`, with
    /// nothing appended, when the memory is shared or two non-empty regions overlap; the caller
    /// then falls back to copying. Allocates nothing for up to [`PAIRWISE_MAX`] regions.
    pub fn disjoint_slices_mut<'m, E: Extend<&'m mut [u8]>>(
        &'m mut self,
        regions: &[(u32, u32)],
        out: &mut E,
    ) -> Result<bool, GuestError> {
        for &(offset, len) in regions {
            self.array_region::<u8>(offset, len)?;
        }
        let GuestMemory::Unshared(mem) = self else {
            return Ok(false);
        };
        if !disjoint(regions) {
            return Ok(false);
        }
        let base = mem.as_mut_ptr();
        out.extend(regions.iter().map(|&(offset, len)| {
            // SAFETY: every region was checked above to lie inside `mem` (`array_region`), and
            // the non-empty ones to be pairwise disjoint, so these mutable slices never alias.
            // They borrow `self` mutably for `'m`, so `mem` cannot be used meanwhile.
            unsafe { std::slice::from_raw_parts_mut(base.add(offset as usize), len as usize) }
        }));
        Ok(true)
    }
}

/// Up to this many regions are checked for overlap pairwise, without allocating.
pub const PAIRWISE_MAX: usize = 16;

/// Whether the non-empty regions (already validated, so `offset + len` does not overflow a
/// `u64`) are pairwise disjoint.
fn disjoint(regions: &[(u32, u32)]) -> bool {
    let span = |&(o, l): &(u32, u32)| (u64::from(o), u64::from(o) + u64::from(l));
    if regions.len() <= PAIRWISE_MAX {
        for (i, a) in regions.iter().enumerate() {
            let (a0, a1) = span(a);
            for b in &regions[i + 1..] {
                let (b0, b1) = span(b);
                if a0 < a1 && b0 < b1 && a0 < b1 && b0 < a1 {
                    return false;
                }
            }
        }
        return true;
    }
    let mut spans: Vec<(u64, u64)> = regions.iter().map(span).filter(|(a, b)| a < b).collect();
    spans.sort_unstable();
    spans.windows(2).all(|w| w[0].1 <= w[1].0)
}

/// Copy shared cells into a private buffer of the same length.
fn copy_from_cells(src: &[UnsafeCell<u8>], dst: &mut [u8]) {
    debug_assert_eq!(src.len(), dst.len());
    // SAFETY: `UnsafeCell<u8>` has the layout of `u8`; both regions are `dst.len()` bytes long and
    // cannot overlap since `dst` is a unique borrow. Other threads may write the source
    // concurrently; the bytes read are then unspecified but no Rust reference to them is created.
    unsafe {
        std::ptr::copy_nonoverlapping(src.as_ptr().cast::<u8>(), dst.as_mut_ptr(), dst.len());
    }
}

/// Copy a private buffer into shared cells of the same length.
fn copy_to_cells(src: &[u8], dst: &[UnsafeCell<u8>]) {
    debug_assert_eq!(src.len(), dst.len());
    // SAFETY: `UnsafeCell<u8>` permits writes through a shared reference; the regions have the
    // same length and cannot overlap because `src` is host memory outside the guest's.
    unsafe {
        std::ptr::copy_nonoverlapping(src.as_ptr(), UnsafeCell::raw_get(dst.as_ptr()), src.len());
    }
}

#[cfg(test)]
mod disjoint_tests {
    use super::disjoint;

    #[test]
    fn overlap_is_found_pairwise_and_by_sorting() {
        assert!(disjoint(&[(0, 4), (4, 4), (100, 0), (2, 0)]));
        assert!(!disjoint(&[(0, 4), (8, 4), (3, 2)]));
        // More than PAIRWISE_MAX regions take the sorting path.
        let mut many: Vec<(u32, u32)> = (0..40).map(|i| (i * 10, 10)).collect();
        assert!(disjoint(&many));
        many.push((395, 1));
        assert!(!disjoint(&many));
        many.pop();
        many.push((395, 0));
        assert!(disjoint(&many), "empty regions never overlap");
    }
}
