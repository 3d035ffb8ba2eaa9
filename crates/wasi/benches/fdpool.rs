//! Benchmarks for `wasihost::fdpool::FdPool`: churn on a table holding
//! 10,000 open entries.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wasihost::fdpool::{Fd, FdPool};

/// Stand-in for a host handle.
struct Handle(#[allow(dead_code)] u64);
impl Fd for Handle {}

const OPEN: u32 = 10_000;

fn filled_pool() -> FdPool<Handle> {
    let mut pool = FdPool::new();
    for i in 0..OPEN {
        pool.insert(Handle(i.into())).expect("pool has room");
    }
    pool
}

/// xorshift32: a cheap deterministic pseudo-random sequence.
fn next(x: &mut u32) -> u32 {
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    *x
}

fn churn(c: &mut Criterion) {
    let mut group = c.benchmark_group("fdpool_10k_open");

    // One remove of a pseudo-random fd followed by one insert (which reuses
    // that number, the lowest free one). Two operations per iteration.
    group.throughput(Throughput::Elements(2));
    group.bench_function("remove_insert", |b| {
        let mut pool = filled_pool();
        let mut x = 0x9E37_79B9;
        b.iter(|| {
            let fd = next(&mut x) % OPEN;
            let entry = pool.remove(black_box(fd)).expect("open");
            black_box(pool.insert(entry).expect("room"));
        });
    });

    // 64 removes scattered over the table, then 64 inserts refilling them
    // lowest-first: exercises the free heap with many entries.
    // 128 operations per iteration.
    group.throughput(Throughput::Elements(128));
    group.bench_function("remove64_insert64", |b| {
        let mut pool = filled_pool();
        let mut x = 0x1234_5678;
        let mut held = Vec::with_capacity(64);
        b.iter(|| {
            let base = next(&mut x) % OPEN;
            for k in 0..64 {
                // 157 is coprime to 10,000: 64 distinct numbers.
                let fd = (base + k * 157) % OPEN;
                held.push(pool.remove(black_box(fd)).expect("open"));
            }
            for entry in held.drain(..) {
                black_box(pool.insert(entry).expect("room"));
            }
        });
    });

    // fd_renumber onto an open entry (closing it), then an insert that
    // refills the freed source number. Two operations per iteration.
    group.throughput(Throughput::Elements(2));
    group.bench_function("renumber_insert", |b| {
        let mut pool = filled_pool();
        let mut x = 0xDEAD_BEEF;
        b.iter(|| {
            let from = next(&mut x) % OPEN;
            let to = (from + 1 + next(&mut x) % (OPEN - 1)) % OPEN;
            let old = pool.renumber(black_box(from), black_box(to)).expect("open");
            black_box(pool.insert(old.expect("target open")).expect("room"));
        });
    });

    group.finish();
}

criterion_group!(benches, churn);
criterion_main!(benches);
