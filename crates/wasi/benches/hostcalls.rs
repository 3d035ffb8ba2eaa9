//! Throughput of common hostcalls through wasmtime: a WAT guest calls one WASI function in a
//! loop, so each measurement is the full path (engine trampoline, memory lookup, argument lifting,
//! the host call, result lowering).
//!
//! `cargo bench -p wasihost --bench hostcalls`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use wasihost::WasiCtx;
use wasmtime::{Engine, Linker, Module, Store, TypedFunc};

const GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  ;; iovec at 0x10: 64 bytes at 0x100
  (data (i32.const 0x10) "\00\01\00\00\40\00\00\00")
  (data (i32.const 0x200) "file.txt")
  (func (export "write") (param $n i32) (result i32)
    (local $r i32)
    (loop $l
      (local.set $r (i32.or (local.get $r)
        (call $fd_write (i32.const 1) (i32.const 0x10) (i32.const 1) (i32.const 0x20))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $r))
  (func (export "stat") (param $n i32) (result i32)
    (local $r i32)
    (loop $l
      (local.set $r (i32.or (local.get $r) (call $fd_filestat_get (i32.const 3) (i32.const 0x400))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $r))
  (func (export "open_close") (param $n i32) (result i32)
    (local $r i32)
    (loop $l
      (local.set $r (i32.or (local.get $r)
        (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x200) (i32.const 8) (i32.const 0)
          (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x30))))
      (local.set $r (i32.or (local.get $r) (call $fd_close (i32.load (i32.const 0x30)))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $r))
  (func (export "clock") (param $n i32) (result i32)
    (local $r i32)
    (loop $l
      (local.set $r (i32.or (local.get $r) (call $clock (i32.const 1) (i64.const 0) (i32.const 0x40))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $r)))
"#;

const CALLS: i32 = 1000;

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file.txt"), b"some bytes").unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, GUEST).unwrap();
    let mut linker = Linker::new(&engine);
    wasihost::wasmtime_host::add_to_linker_for_module(&mut linker, &module, |c: &mut WasiCtx| c)
        .unwrap();
    let ctx = WasiCtx::builder()
        .preopen_dir(dir.path(), ".")
        .build()
        .unwrap();
    let mut store = Store::new(&engine, ctx);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let mut group = c.benchmark_group("hostcall");
    group.throughput(criterion::Throughput::Elements(CALLS as u64));
    for name in ["write", "stat", "open_close", "clock"] {
        let f: TypedFunc<i32, i32> = instance.get_typed_func(&mut store, name).unwrap();
        assert_eq!(f.call(&mut store, 1).unwrap(), 0, "{name} must succeed");
        group.bench_function(name, |b| {
            b.iter(|| black_box(f.call(&mut store, black_box(CALLS)).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
