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
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Test entry: a plain value standing in for a host handle.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Entry(u64);
    impl Fd for Entry {}

    impl<T: Fd> FdPool<T> {
        /// Asserts the internal invariants documented on [`FdPool`].
        fn check_invariants(&self) {
            let occupied = self.slots.iter().filter(|s| s.is_some()).count();
            assert_eq!(occupied, self.len(), "open count");
            assert!(self.open <= self.max_open, "open <= max_open");
            assert!(self.max_open <= self.fd_limit, "max_open <= fd_limit");
            assert!(self.slots.len() <= self.fd_limit as usize, "slots bound");
            assert!(
                !matches!(self.slots.last(), Some(None)),
                "last slot must be occupied"
            );
            let in_heap: std::collections::BTreeSet<u32> =
                self.free.iter().map(|&Reverse(fd)| fd).collect();
            for (i, slot) in self.slots.iter().enumerate() {
                if slot.is_none() {
                    assert!(in_heap.contains(&(i as u32)), "free {i} not in heap");
                }
            }
            assert!(
                self.free.len() <= 2 * self.slots.len() + COMPACT_SLACK,
                "heap too large: {} for {} slots",
                self.free.len(),
                self.slots.len()
            );
        }
    }

    /// Reference model: a sorted map with linear-scan allocation.
    struct Model {
        map: BTreeMap<u32, u64>,
        max_open: u32,
        fd_limit: u32,
    }

    impl Model {
        fn new(max_open: u32, fd_limit: u32) -> Self {
            Model {
                map: BTreeMap::new(),
                max_open: max_open.min(fd_limit),
                fd_limit,
            }
        }

        fn full(&self) -> FdPoolError {
            FdPoolError::Full {
                max_open: self.max_open,
            }
        }

        fn insert(&mut self, v: u64) -> Result<u32, FdPoolError> {
            if self.map.len() >= self.max_open as usize {
                return Err(self.full());
            }
            let fd = (0..self.fd_limit)
                .find(|n| !self.map.contains_key(n))
                .ok_or(self.full())?;
            self.map.insert(fd, v);
            Ok(fd)
        }

        fn insert_at(&mut self, fd: u32, v: u64) -> Result<Option<u64>, FdPoolError> {
            if fd >= self.fd_limit {
                return Err(FdPoolError::OutOfRange {
                    fd,
                    limit: self.fd_limit,
                });
            }
            if !self.map.contains_key(&fd) && self.map.len() >= self.max_open as usize {
                return Err(self.full());
            }
            Ok(self.map.insert(fd, v))
        }

        fn remove(&mut self, fd: u32) -> Option<u64> {
            self.map.remove(&fd)
        }

        fn renumber(&mut self, from: u32, to: u32) -> Result<Option<u64>, FdPoolError> {
            if !self.map.contains_key(&from) {
                return Err(FdPoolError::NotOpen { fd: from });
            }
            if !self.map.contains_key(&to) {
                return Err(FdPoolError::NotOpen { fd: to });
            }
            if from == to {
                return Ok(None);
            }
            let v = self.map.remove(&from).expect("checked");
            Ok(self.map.insert(to, v))
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u64),
        InsertAt(u32, u64),
        Remove(u32),
        Renumber(u32, u32),
        Get(u32),
        GetMut(u32, u64),
    }

    /// Fd numbers: mostly around the limits, sometimes huge.
    fn fd_strategy(fd_limit: u32) -> BoxedStrategy<u32> {
        prop_oneof![
            12 => 0..fd_limit.saturating_add(4),
            1 => Just(u32::MAX),
            1 => Just(0xFFFF_FFF0u32),
            1 => any::<u32>(),
        ]
        .boxed()
    }

    fn op_strategy(fd_limit: u32) -> BoxedStrategy<Op> {
        let fd = fd_strategy(fd_limit);
        prop_oneof![
            5 => any::<u64>().prop_map(Op::Insert),
            2 => (fd.clone(), any::<u64>()).prop_map(|(fd, v)| Op::InsertAt(fd, v)),
            4 => fd.clone().prop_map(Op::Remove),
            3 => (fd.clone(), fd.clone()).prop_map(|(a, b)| Op::Renumber(a, b)),
            1 => fd.clone().prop_map(Op::Get),
            1 => (fd, any::<u64>()).prop_map(|(fd, v)| Op::GetMut(fd, v)),
        ]
        .boxed()
    }

    fn scenario() -> impl Strategy<Value = (u32, u32, Vec<Op>)> {
        (0u32..=48, 0u32..=64).prop_flat_map(|(max_open, fd_limit)| {
            (
                Just(max_open),
                Just(fd_limit),
                prop::collection::vec(op_strategy(fd_limit), 0..400),
            )
        })
    }

    fn contents(pool: &FdPool<Entry>) -> Vec<(u32, u64)> {
        pool.iter().map(|(fd, e)| (fd, e.0)).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn fdpool_matches_model((max_open, fd_limit, ops) in scenario()) {
            let mut pool = FdPool::with_limits(max_open, fd_limit);
            let mut model = Model::new(max_open, fd_limit);
            prop_assert_eq!(pool.max_open(), model.max_open);
            for op in ops {
                match op {
                    Op::Insert(v) => {
                        prop_assert_eq!(pool.insert(Entry(v)), model.insert(v));
                    }
                    Op::InsertAt(fd, v) => {
                        let got = pool.insert_at(fd, Entry(v)).map(|o| o.map(|e| e.0));
                        prop_assert_eq!(got, model.insert_at(fd, v));
                    }
                    Op::Remove(fd) => {
                        prop_assert_eq!(pool.remove(fd).map(|e| e.0), model.remove(fd));
                    }
                    Op::Renumber(from, to) => {
                        let got = pool.renumber(from, to).map(|o| o.map(|e| e.0));
                        prop_assert_eq!(got, model.renumber(from, to));
                    }
                    Op::Get(fd) => {
                        prop_assert_eq!(pool.get(fd).map(|e| e.0), model.map.get(&fd).copied());
                        prop_assert_eq!(pool.contains(fd), model.map.contains_key(&fd));
                    }
                    Op::GetMut(fd, v) => {
                        let got = pool.get_mut(fd).map(|e| mem::replace(e, Entry(v)).0);
                        let want = model.map.get_mut(&fd).map(|m| mem::replace(m, v));
                        prop_assert_eq!(got, want);
                    }
                }
                pool.check_invariants();
                prop_assert_eq!(pool.len(), model.map.len());
                prop_assert_eq!(pool.is_empty(), model.map.is_empty());
                prop_assert_eq!(pool.iter().len(), model.map.len());
                let want: Vec<(u32, u64)> = model.map.iter().map(|(&k, &v)| (k, v)).collect();
                prop_assert_eq!(contents(&pool), want);
            }
        }
    }

    #[test]
    fn defaults() {
        let pool: FdPool<Entry> = FdPool::new();
        assert_eq!(pool.max_open(), DEFAULT_MAX_OPEN);
        assert_eq!(pool.fd_limit(), DEFAULT_MAX_OPEN);
        let pool: FdPool<Entry> = FdPool::default();
        assert_eq!(pool.max_open(), DEFAULT_MAX_OPEN);
        let pool: FdPool<Entry> = FdPool::with_limits(100, 10);
        assert_eq!(pool.max_open(), 10, "max_open clamped to fd_limit");
    }

    #[test]
    fn full_table_error() {
        let mut pool = FdPool::with_max(3);
        for want in 0..3 {
            assert_eq!(pool.insert(Entry(want.into())), Ok(want));
        }
        let err = pool.insert(Entry(9)).unwrap_err();
        assert_eq!(err, FdPoolError::Full { max_open: 3 });
        assert!(err.to_string().contains("full"), "{err}");
        let _: &dyn std::error::Error = &err;
        // Replacing an open entry is allowed when full.
        assert_eq!(pool.insert_at(1, Entry(11)), Ok(Some(Entry(1))));
        assert_eq!(pool.len(), 3);
        // Freeing one makes room again, at the freed number.
        assert_eq!(pool.remove(1), Some(Entry(11)));
        assert_eq!(pool.insert(Entry(12)), Ok(1));
        assert!(pool.insert(Entry(13)).is_err());
        pool.check_invariants();

        // A zero-capacity pool is always full.
        let mut empty: FdPool<Entry> = FdPool::with_max(0);
        assert_eq!(
            empty.insert(Entry(0)),
            Err(FdPoolError::Full { max_open: 0 })
        );
        assert!(empty.insert_at(0, Entry(0)).is_err());

        // Full because of max_open even though numbers remain below fd_limit.
        let mut pool = FdPool::with_limits(2, 100);
        pool.insert_at(50, Entry(50)).unwrap();
        pool.insert(Entry(0)).unwrap();
        assert_eq!(
            pool.insert_at(60, Entry(60)),
            Err(FdPoolError::Full { max_open: 2 })
        );
        assert_eq!(
            pool.insert(Entry(1)),
            Err(FdPoolError::Full { max_open: 2 })
        );
        pool.check_invariants();
    }

    #[test]
    fn renumber_onto_itself() {
        let mut pool = FdPool::new();
        pool.insert(Entry(0)).unwrap();
        pool.insert(Entry(1)).unwrap();
        assert_eq!(pool.renumber(1, 1), Ok(None));
        assert_eq!(pool.get(1), Some(&Entry(1)));
        assert_eq!(pool.len(), 2);
        // Not open: still an error even though from == to.
        assert_eq!(pool.renumber(5, 5), Err(FdPoolError::NotOpen { fd: 5 }));
        pool.check_invariants();
    }

    #[test]
    fn renumber_missing_source_or_target() {
        let mut pool = FdPool::new();
        pool.insert(Entry(0)).unwrap();
        pool.insert(Entry(1)).unwrap();
        assert_eq!(pool.renumber(7, 1), Err(FdPoolError::NotOpen { fd: 7 }));
        assert_eq!(pool.renumber(0, 7), Err(FdPoolError::NotOpen { fd: 7 }));
        // Source checked first.
        assert_eq!(pool.renumber(8, 9), Err(FdPoolError::NotOpen { fd: 8 }));
        assert_eq!(
            pool.renumber(0, u32::MAX),
            Err(FdPoolError::NotOpen { fd: u32::MAX })
        );
        assert_eq!(contents(&pool), vec![(0, 0), (1, 1)]);
        pool.check_invariants();
    }

    #[test]
    fn renumber_moves_and_frees_source() {
        let mut pool = FdPool::new();
        for v in 0..3 {
            pool.insert(Entry(v)).unwrap();
        }
        assert_eq!(pool.renumber(0, 2), Ok(Some(Entry(2))));
        assert_eq!(contents(&pool), vec![(1, 1), (2, 0)]);
        // The freed source number is the lowest free one.
        assert_eq!(pool.insert(Entry(9)), Ok(0));
        // Renumbering the top entry down trims the table.
        assert_eq!(pool.renumber(2, 1), Ok(Some(Entry(1))));
        assert_eq!(pool.insert(Entry(10)), Ok(2));
        pool.check_invariants();
    }

    #[test]
    fn huge_fd_numbers_rejected() {
        let mut pool = FdPool::new();
        for fd in [
            0xFFFF_FFF0,
            u32::MAX,
            DEFAULT_MAX_OPEN,
            DEFAULT_MAX_OPEN + 1,
        ] {
            assert_eq!(
                pool.insert_at(fd, Entry(1)),
                Err(FdPoolError::OutOfRange {
                    fd,
                    limit: DEFAULT_MAX_OPEN
                })
            );
            assert_eq!(pool.get(fd), None);
            assert_eq!(pool.get_mut(fd), None);
            assert_eq!(pool.remove(fd), None);
            assert!(!pool.contains(fd));
        }
        assert!(pool.slots.capacity() == 0, "nothing allocated");
        assert!(pool.is_empty());
        let err = pool.insert_at(u32::MAX, Entry(1)).unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");

        // The largest allowed number works, and freeing it releases memory.
        assert_eq!(pool.insert_at(DEFAULT_MAX_OPEN - 1, Entry(1)), Ok(None));
        assert_eq!(pool.remove(DEFAULT_MAX_OPEN - 1), Some(Entry(1)));
        assert!(pool.slots.capacity() <= MIN_SHRINK_CAPACITY);
        assert_eq!(pool.insert(Entry(2)), Ok(0));
        pool.check_invariants();
    }

    #[test]
    fn reuse_of_lowest_freed_number() {
        let mut pool = FdPool::new();
        for want in 0..10 {
            assert_eq!(pool.insert(Entry(want.into())), Ok(want));
        }
        for fd in [7, 3, 5] {
            assert_eq!(pool.remove(fd), Some(Entry(fd.into())));
        }
        assert_eq!(pool.remove(3), None, "double remove");
        assert_eq!(pool.insert(Entry(0)), Ok(3));
        assert_eq!(pool.insert(Entry(0)), Ok(5));
        assert_eq!(pool.insert(Entry(0)), Ok(7));
        assert_eq!(pool.insert(Entry(0)), Ok(10));
        pool.check_invariants();
    }

    #[test]
    fn insert_at_takes_number_from_free_heap() {
        let mut pool = FdPool::new();
        for v in 0..5 {
            pool.insert(Entry(v)).unwrap();
        }
        pool.remove(1);
        pool.remove(2);
        assert_eq!(pool.insert_at(1, Entry(100)), Ok(None));
        // 1 is now a stale heap entry and must be skipped.
        assert_eq!(pool.insert(Entry(0)), Ok(2));
        assert_eq!(pool.insert(Entry(0)), Ok(5));
        assert_eq!(pool.get(1), Some(&Entry(100)));
        pool.check_invariants();
    }

    #[test]
    fn insert_at_beyond_high_water_leaves_reusable_gap() {
        let mut pool = FdPool::new();
        assert_eq!(pool.insert_at(5, Entry(5)), Ok(None));
        let got: Vec<u32> = (0..6).map(|_| pool.insert(Entry(0)).unwrap()).collect();
        assert_eq!(got, vec![0, 1, 2, 3, 4, 6]);
        pool.check_invariants();
    }

    #[test]
    fn stale_heap_entries_stay_bounded() {
        // Repeatedly free and re-take the same number without `insert`:
        // the heap would grow without bound without compaction.
        let mut pool = FdPool::new();
        for v in 0..10 {
            pool.insert(Entry(v)).unwrap();
        }
        for i in 0..100_000u64 {
            pool.remove(3).unwrap();
            pool.insert_at(3, Entry(i)).unwrap();
            // Renumber ping-pong frees and takes numbers too.
            assert!(pool.renumber(4, 5).unwrap().is_some());
            pool.insert_at(4, Entry(i)).unwrap();
            assert!(pool.free.len() <= 2 * pool.slots.len() + COMPACT_SLACK);
        }
        pool.check_invariants();
        assert_eq!(pool.insert(Entry(0)), Ok(10));
    }

    #[test]
    fn iteration_and_debug() {
        let mut pool = FdPool::new();
        pool.insert_at(4, Entry(4)).unwrap();
        pool.insert_at(1, Entry(1)).unwrap();
        pool.insert(Entry(0)).unwrap();
        let fds: Vec<u32> = (&pool).into_iter().map(|(fd, _)| fd).collect();
        assert_eq!(fds, vec![0, 1, 4]);
        let mut it = pool.iter();
        assert_eq!(it.len(), 3);
        it.next();
        assert_eq!(it.size_hint(), (2, Some(2)));
        let dbg = format!("{pool:?}");
        assert!(dbg.contains("4: Entry(4)"), "{dbg}");
    }

    /// A real host handle for the leak test.
    struct HostFile {
        _file: std::fs::File,
    }
    impl Fd for HostFile {}

    #[cfg(target_os = "linux")]
    fn open_fd_count() -> usize {
        std::fs::read_dir("/proc/self/fd")
            .expect("read /proc/self/fd")
            .count()
    }

    /// Other tests in this process may briefly hold descriptors; a real
    /// leak is permanent, so poll for a while before failing.
    #[cfg(target_os = "linux")]
    fn assert_fd_count_settles(want: usize) {
        let mut got = open_fd_count();
        for _ in 0..200 {
            if got == want {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            got = open_fd_count();
        }
        assert_eq!(got, want, "process open fd count");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn fdpool_host_files_do_not_leak() {
        fn dev_null() -> HostFile {
            HostFile {
                _file: std::fs::File::open("/dev/null").expect("open /dev/null"),
            }
        }
        let before = open_fd_count();
        let mut pool = FdPool::with_max(256);
        // Some long-lived entries, like stdio and preopens.
        for fd in 0..4 {
            pool.insert_at(fd, dev_null()).unwrap();
        }
        let mut x: u32 = 1;
        for i in 0..100_000u32 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let a = pool.insert(dev_null()).unwrap();
            let b = pool.insert(dev_null()).unwrap();
            // Renumber onto an open entry: the replaced file must close.
            drop(pool.renumber(a, b).unwrap().expect("target was open"));
            // Replace an entry in place.
            let at = 4 + x % 32;
            drop(pool.insert_at(at, dev_null()).unwrap());
            // Close something pseudo-random, keeping the table bounded by
            // also closing the highest entries.
            let high_water = pool.slots.len() as u32;
            drop(pool.remove(x % high_water.max(1)));
            while pool.len() > 40 {
                let (top, _) = pool.iter().last().expect("not empty");
                drop(pool.remove(top));
            }
            if i % 1000 == 0 {
                pool.check_invariants();
            }
        }
        pool.check_invariants();
        assert_fd_count_settles(before + pool.len());
        drop(pool);
        assert_fd_count_settles(before);
    }
}
