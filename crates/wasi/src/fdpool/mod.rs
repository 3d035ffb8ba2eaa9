//! The guest file-descriptor table.
//!
//! A WASI guest names every host resource it has open (files, directories,
//! sockets, stdio streams, ...) by a small integer, its *fd number*. The host
//! keeps the mapping from those numbers to the actual host handles in an
//! [`FdPool`]. The pool owns its entries: removing an entry hands ownership
//! back to the caller, and dropping an entry (or the whole pool) is what
//! closes the underlying host resource.
//!
//! Every fd number the pool receives may come straight from a guest, and
//! guests are untrusted. No method of [`FdPool`] panics, and the memory the
//! pool uses is bounded by its configured limits (see
//! [`FdPool::with_limits`]), never by a guest-chosen number.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;
use std::iter::{Enumerate, FusedIterator};
use std::mem;
use std::slice;

/// Default for both the maximum number of open entries and the fd number
/// limit used by [`FdPool::new`].
pub const DEFAULT_MAX_OPEN: u32 = 16384;

/// Extra free-list entries tolerated beyond `2 * high-water mark` before the
/// free list is rebuilt (see [`FdPool`]'s design notes). Keeps tiny tables
/// from compacting on nearly every operation.
const COMPACT_SLACK: usize = 32;

/// The entry vector's capacity is never shrunk below this many slots.
const MIN_SHRINK_CAPACITY: usize = 64;

/// Marker trait for the entries an [`FdPool`] can hold: host handles such as
/// files, directories, sockets or stdio streams.
///
/// The trait is deliberately minimal:
///
/// * **No methods.** The pool never needs to do anything to an entry except
///   store it and give it back. Closing is done by `Drop` (RAII): the pool
///   returns removed or replaced entries to the caller, who drops them.
///   Operations such as reading, seeking or reporting fd flags belong to the
///   entry type itself (typically an embedder-defined enum), not to the table.
/// * **`Send + 'static`.** The table lives inside the WASI context, which
///   embedders store in their engine's per-instance data; engines require
///   that data to be `'static`, and multi-threaded or async embedders move it
///   between threads, which requires `Send`. `Sync` is not needed because the
///   table is only ever accessed through `&mut` for modifications.
/// * **No blanket implementation.** Implementing `Fd` is an explicit opt-in
///   stating "dropping a value of this type releases its host resource". A
///   blanket impl would, for example, let a raw OS descriptor number (`i32`)
///   be stored, whose `Drop` does nothing, so every `remove` or `renumber`
///   would silently leak the host descriptor.
///
/// ```
/// use wasihost::fdpool::{Fd, FdPool};
///
/// struct HostFile(std::fs::File);
/// impl Fd for HostFile {}
///
/// let mut pool: FdPool<HostFile> = FdPool::new();
/// assert!(pool.is_empty());
/// ```
pub trait Fd: Send + 'static {}

/// Error returned by the fallible [`FdPool`] operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FdPoolError {
    /// The pool already holds its maximum number of open entries. Maps
    /// naturally to `EMFILE`/`ENFILE` in a WASI implementation.
    Full {
        /// The configured maximum number of open entries.
        max_open: u32,
    },
    /// The requested fd number is not below the pool's fd number limit.
    /// Maps naturally to `EBADF` in a WASI implementation.
    OutOfRange {
        /// The rejected fd number.
        fd: u32,
        /// The pool's (exclusive) fd number limit.
        limit: u32,
    },
    /// The fd number does not refer to an open entry. Maps naturally to
    /// `EBADF` in a WASI implementation.
    NotOpen {
        /// The fd number that is not open.
        fd: u32,
    },
}

impl fmt::Display for FdPoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            FdPoolError::Full { max_open } => write!(
                f,
                "file descriptor table is full (at most {max_open} open entries)"
            ),
            FdPoolError::OutOfRange { fd, limit } => write!(
                f,
                "file descriptor number {fd} is out of range (must be below {limit})"
            ),
            FdPoolError::NotOpen { fd } => write!(f, "file descriptor {fd} is not open"),
        }
    }
}

impl std::error::Error for FdPoolError {}

/// A table mapping guest fd numbers (`u32`) to host entries of type `T`.
///
/// # Semantics
///
/// * [`insert`](Self::insert) allocates the **lowest** free fd number, as
///   POSIX `open` does.
/// * [`insert_at`](Self::insert_at) places an entry at a chosen number (for
///   stdio and preopened directories), and [`renumber`](Self::renumber)
///   implements WASI `fd_renumber`.
/// * Two limits, both fixed at construction, bound the table: the maximum
///   number of simultaneously open entries (`max_open`), and an exclusive
///   upper bound on fd numbers (`fd_limit`). Numbers at or above `fd_limit`
///   are rejected rather than growing the table, so a hostile guest cannot
///   make the host allocate memory proportional to a number such as
///   `0xFFFF_FFF0`.
///
/// # Design
///
/// Entries live in a `Vec<Option<T>>` indexed by fd number, so lookups are
/// a bounds check plus an index. The vector's length is the *high-water
/// mark*: trailing vacant slots are trimmed whenever the last entry is
/// freed, and its capacity is shrunk once it falls below a quarter of the
/// capacity.
///
/// Free numbers below the high-water mark are tracked in a min-heap
/// (`BinaryHeap<Reverse<u32>>`). This was chosen over an occupancy bitmap
/// with a search hint because:
///
/// * The `Option` slots already record occupancy; a bitmap would duplicate
///   it, whereas the heap stores only the (usually few) free numbers.
/// * Every heap operation is `O(log f)` (`f` = free numbers tracked),
///   independent of the access pattern. A bitmap hint degrades to a linear
///   scan of the whole map when the guest repeatedly closes a low fd and
///   opens two (the hint is reset low, then the low region is full again),
///   which a guest can trigger on purpose.
///
/// The heap is maintained lazily. Invariant: *every vacant number below the
/// high-water mark is in the heap (possibly more than once)*. Numbers taken
/// by [`insert_at`](Self::insert_at) or [`renumber`](Self::renumber) are
/// not removed from the heap (that would be `O(f)`); instead stale entries,
/// those now occupied or at/above the high-water mark, are discarded when
/// they surface at the top during [`insert`](Self::insert). So the
/// smallest non-stale heap entry is always the lowest free number, and if
/// there is none the lowest free number is the high-water mark itself.
///
/// A guest could make stale entries pile up without ever calling `insert`
/// (e.g. closing and re-creating the same number via `fd_renumber`). To keep
/// memory bounded, the heap is rebuilt from the slots whenever it exceeds
/// `2 * high-water mark + 32` entries. A rebuild costs `O(high-water mark)`
/// and discards more than half of the heap, so its cost is amortised over
/// the pushes that filled it: every operation stays amortised `O(log n)`
/// and the heap never holds more than about twice `fd_limit` numbers.
pub struct FdPool<T: Fd> {
    /// Entries indexed by fd number; the length is the high-water mark and
    /// the last slot, if any, is always occupied.
    slots: Vec<Option<T>>,
    /// Min-heap of free numbers; may contain stale entries (see the type's
    /// design notes).
    free: BinaryHeap<Reverse<u32>>,
    /// Number of occupied slots.
    open: u32,
    /// Maximum number of occupied slots (never above `fd_limit`).
    max_open: u32,
    /// Exclusive upper bound on fd numbers.
    fd_limit: u32,
}

impl<T: Fd> FdPool<T> {
    /// Creates an empty pool allowing [`DEFAULT_MAX_OPEN`] open entries with
    /// numbers below [`DEFAULT_MAX_OPEN`].
    pub fn new() -> Self {
        Self::with_max(DEFAULT_MAX_OPEN)
    }

    /// Creates an empty pool allowing at most `max_open` open entries, with
    /// fd numbers below `max_open` (like `RLIMIT_NOFILE`, which bounds both
    /// the count and the numbers of a process's descriptors).
    pub fn with_max(max_open: u32) -> Self {
        Self::with_limits(max_open, max_open)
    }

    /// Creates an empty pool allowing at most `max_open` open entries, with
    /// fd numbers strictly below `fd_limit`.
    ///
    /// Since at most `fd_limit` distinct numbers exist, `max_open` is
    /// clamped to `fd_limit`. Nothing is allocated up front; the table
    /// grows on demand up to `fd_limit` slots.
    pub fn with_limits(max_open: u32, fd_limit: u32) -> Self {
        FdPool {
            slots: Vec::new(),
            free: BinaryHeap::new(),
            open: 0,
            max_open: max_open.min(fd_limit),
            fd_limit,
        }
    }

    /// The maximum number of entries that may be open at once (after
    /// clamping to [`fd_limit`](Self::fd_limit)).
    pub fn max_open(&self) -> u32 {
        self.max_open
    }

    /// The exclusive upper bound on fd numbers accepted by this pool.
    pub fn fd_limit(&self) -> u32 {
        self.fd_limit
    }

    /// The number of open entries.
    pub fn len(&self) -> usize {
        // `open <= max_open <= u32::MAX`, which fits `usize` on every
        // platform Rust's std supports with 32-bit or wider pointers.
        self.open as usize
    }

    /// Returns `true` if no entry is open.
    pub fn is_empty(&self) -> bool {
        self.open == 0
    }

    /// Returns `true` if `fd` refers to an open entry.
    pub fn contains(&self, fd: u32) -> bool {
        self.get(fd).is_some()
    }

    /// Returns a reference to the entry at `fd`, if open.
    pub fn get(&self, fd: u32) -> Option<&T> {
        self.slots.get(index(fd))?.as_ref()
    }

    /// Returns a mutable reference to the entry at `fd`, if open.
    pub fn get_mut(&mut self, fd: u32) -> Option<&mut T> {
        self.slots.get_mut(index(fd))?.as_mut()
    }

    /// Inserts `entry` at the lowest free fd number and returns that number.
    ///
    /// # Errors
    ///
    /// [`FdPoolError::Full`] if [`max_open`](Self::max_open) entries are
    /// already open; `entry` is dropped in that case.
    pub fn insert(&mut self, entry: T) -> Result<u32, FdPoolError> {
        if self.open >= self.max_open {
            return Err(self.full());
        }
        let fd = self.lowest_free();
        // `fd <= open < max_open <= fd_limit` (at most `open` numbers are
        // taken, so one of `0..=open` is free); checked anyway so that a
        // logic error can never grow the table past its bound.
        if fd >= self.fd_limit {
            return Err(self.full());
        }
        match self.slots.get_mut(index(fd)) {
            Some(slot) => {
                // `fd` is the (non-stale) top of the heap.
                self.free.pop();
                *slot = Some(entry);
            }
            None => self.slots.push(Some(entry)),
        }
        self.open += 1;
        Ok(fd)
    }

    /// Places `entry` at number `fd`, returning the entry previously there
    /// (which the caller should drop to close it), if any.
    ///
    /// Used to install stdio and preopened directories at fixed numbers.
    /// Vacant numbers skipped over by a high `fd` become available to
    /// [`insert`](Self::insert).
    ///
    /// # Errors
    ///
    /// * [`FdPoolError::OutOfRange`] if `fd >= fd_limit`.
    /// * [`FdPoolError::Full`] if `fd` is vacant and
    ///   [`max_open`](Self::max_open) entries are already open (replacing an
    ///   open entry never fails for this reason).
    ///
    /// On error the pool is unchanged and `entry` is dropped.
    pub fn insert_at(&mut self, fd: u32, entry: T) -> Result<Option<T>, FdPoolError> {
        if fd >= self.fd_limit {
            return Err(FdPoolError::OutOfRange {
                fd,
                limit: self.fd_limit,
            });
        }
        let i = index(fd);
        if let Some(Some(old)) = self.slots.get_mut(i) {
            return Ok(Some(mem::replace(old, entry)));
        }
        if self.open >= self.max_open {
            return Err(self.full());
        }
        match self.slots.get_mut(i) {
            // Vacant slot below the high-water mark. Any copy of `fd` in the
            // heap is now stale and will be skipped by `insert`.
            Some(slot) => *slot = Some(entry),
            // Beyond the high-water mark (bounded by `fd_limit`): the numbers
            // skipped over become vacant slots and must enter the heap.
            None => {
                let high_water = self.high_water();
                self.free.extend((high_water..fd).map(Reverse));
                self.slots.resize_with(i, || None);
                self.slots.push(Some(entry));
                self.maybe_compact();
            }
        }
        self.open += 1;
        Ok(None)
    }

    /// Removes and returns the entry at `fd`, if open. Dropping the returned
    /// entry closes it. The number becomes free for reuse.
    pub fn remove(&mut self, fd: u32) -> Option<T> {
        let entry = self.slots.get_mut(index(fd))?.take()?;
        self.open -= 1;
        self.release(fd);
        Some(entry)
    }

    /// Moves the entry at `from` to number `to` (WASI `fd_renumber`).
    ///
    /// Returns the entry previously at `to`, which the caller should drop to
    /// close it. Afterwards `from` is free. If `from == to` (and it is open)
    /// this is a no-op returning `Ok(None)`.
    ///
    /// # Errors
    ///
    /// [`FdPoolError::NotOpen`] if `from` is not open (checked first) or
    /// `to` is not open; the pool is unchanged in that case. Because `to`
    /// must already be open, this never grows the table.
    pub fn renumber(&mut self, from: u32, to: u32) -> Result<Option<T>, FdPoolError> {
        if !self.contains(from) {
            return Err(FdPoolError::NotOpen { fd: from });
        }
        if !self.contains(to) {
            return Err(FdPoolError::NotOpen { fd: to });
        }
        if from == to {
            return Ok(None);
        }
        // Both indices are below `slots.len()`, as both slots are occupied.
        self.slots.swap(index(from), index(to));
        let previous = self.slots.get_mut(index(from)).and_then(Option::take);
        if previous.is_some() {
            self.open -= 1;
        }
        self.release(from);
        Ok(previous)
    }

    /// Returns an iterator over the open entries as `(fd, &entry)`, in
    /// ascending fd order.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            inner: self.slots.iter().enumerate(),
            remaining: self.len(),
        }
    }

    /// The error returned when the table is full.
    fn full(&self) -> FdPoolError {
        FdPoolError::Full {
            max_open: self.max_open,
        }
    }

    /// The high-water mark (length of `slots`) as an fd number.
    fn high_water(&self) -> u32 {
        // `slots.len() <= fd_limit`, so this never saturates in practice.
        u32::try_from(self.slots.len()).unwrap_or(u32::MAX)
    }

    /// Returns the lowest free number, discarding stale heap entries. The
    /// returned number is left at the top of the heap if it came from it.
    fn lowest_free(&mut self) -> u32 {
        while let Some(&Reverse(fd)) = self.free.peek() {
            if matches!(self.slots.get(index(fd)), Some(None)) {
                return fd;
            }
            // Occupied, or at/above the high-water mark: stale.
            self.free.pop();
        }
        self.high_water()
    }

    /// Bookkeeping after the slot at `fd` (below the high-water mark) has
    /// become vacant.
    fn release(&mut self, fd: u32) {
        if index(fd).saturating_add(1) == self.slots.len() {
            // The last slot: trim all trailing vacant slots instead of
            // recording `fd` as free. Heap entries for trimmed numbers
            // become stale.
            while matches!(self.slots.last(), Some(None)) {
                self.slots.pop();
            }
            let cap = self.slots.capacity();
            if cap > MIN_SHRINK_CAPACITY && self.slots.len() < cap / 4 {
                self.slots
                    .shrink_to((self.slots.len() * 2).max(MIN_SHRINK_CAPACITY));
            }
        } else {
            self.free.push(Reverse(fd));
        }
        self.maybe_compact();
    }

    /// Rebuilds the free heap from the slots if stale entries have made it
    /// too large relative to the high-water mark.
    fn maybe_compact(&mut self) {
        let bound = self
            .slots
            .len()
            .saturating_mul(2)
            .saturating_add(COMPACT_SLACK);
        if self.free.len() > bound {
            let free: Vec<Reverse<u32>> = self
                .slots
                .iter()
                .enumerate()
                .filter(|(_, slot)| slot.is_none())
                .filter_map(|(i, _)| u32::try_from(i).ok())
                .map(Reverse)
                .collect();
            self.free = BinaryHeap::from(free);
        }
    }
}

/// Converts an fd number to a slot index. Lossless on all platforms with
/// 32-bit or wider pointers; never panics.
fn index(fd: u32) -> usize {
    fd as usize
}

impl<T: Fd> Default for FdPool<T> {
    /// Same as [`FdPool::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Fd + fmt::Debug> fmt::Debug for FdPool<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FdPool")
            .field("max_open", &self.max_open)
            .field("fd_limit", &self.fd_limit)
            .field("entries", &DebugEntries(self))
            .finish()
    }
}

/// Helper printing a pool's entries as a map.
struct DebugEntries<'a, T: Fd>(&'a FdPool<T>);

impl<T: Fd + fmt::Debug> fmt::Debug for DebugEntries<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter()).finish()
    }
}

/// Iterator over the open entries of an [`FdPool`] as `(fd, &entry)`, in
/// ascending fd order. Created by [`FdPool::iter`].
pub struct Iter<'a, T> {
    inner: Enumerate<slice::Iter<'a, Option<T>>>,
    remaining: usize,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = (u32, &'a T);

    fn next(&mut self) -> Option<Self::Item> {
        for (i, slot) in self.inner.by_ref() {
            if let (Some(entry), Ok(fd)) = (slot.as_ref(), u32::try_from(i)) {
                self.remaining = self.remaining.saturating_sub(1);
                return Some((fd, entry));
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

impl<T> FusedIterator for Iter<'_, T> {}

impl<'a, T: Fd> IntoIterator for &'a FdPool<T> {
    type Item = (u32, &'a T);
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests;
