//! Tests of the descriptor table: a model-based property test and targeted cases.
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
