//! The hot hostcalls allocate nothing on the heap: `fd_read`, `fd_pread`, `fd_write`,
//! `clock_time_get`, `path_filestat_get`, `fd_filestat_get` and `fd_readdir`, called from a
//! wasmtime guest in a loop. A counting global allocator counts the allocations made by this
//! thread while a guest loop runs; a loop of many calls must make exactly as many as a loop of
//! few (whatever the engine allocates to enter and leave the guest is the same for both).

use wasihost::{Stdio, WasiCtx};
use wasmtime::{Engine, Linker, Module, Store, TypedFunc};

mod counting;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

const GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_stat (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_stat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir"
    (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  ;; two iovecs at 0x10: 16 bytes at 0x100 and 16 at 0x180
  (data (i32.const 0x10) "\00\01\00\00\10\00\00\00\80\01\00\00\10\00\00\00")
  (data (i32.const 0x200) "data.bin")
  (data (i32.const 0x220) "sub/../data.bin")
  (data (i32.const 0x240) "many")
  (global $file (mut i32) (i32.const -1))
  (global $dir (mut i32) (i32.const -1))
  (func (export "setup") (result i32)
    (local $r i32)
    (local.set $r (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x200) (i32.const 8)
      (i32.const 0) (i64.const 0x1fffffff) (i64.const 0) (i32.const 0) (i32.const 0x30)))
    (global.set $file (i32.load (i32.const 0x30)))
    ;; "many" as a directory, with fd_readdir
    (local.set $r (i32.or (local.get $r) (call $path_open (i32.const 3) (i32.const 0)
      (i32.const 0x240) (i32.const 4) (i32.const 2) (i64.const 0x4000) (i64.const 0) (i32.const 0)
      (i32.const 0x30))))
    (global.set $dir (i32.load (i32.const 0x30)))
    (local.get $r))
  ;; each round lists from the start, then from entry 150 (past the first buffer), 4 KiB each
  (func (export "readdir") (param $n i32) (result i32)
    (local $r i32)
    (loop $l
      (local.set $r (i32.or (local.get $r)
        (call $fd_readdir (global.get $dir) (i32.const 0x1000) (i32.const 4096) (i64.const 0) (i32.const 0x20))))
      (local.set $r (i32.or (local.get $r)
        (call $fd_readdir (global.get $dir) (i32.const 0x1000) (i32.const 4096) (i64.const 150) (i32.const 0x20))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $r))
  (func (export "write") (param $n i32) (result i32)
    (local $r i32)
    (loop $l
      (local.set $r (i32.or (local.get $r)
        (call $fd_write (i32.const 1) (i32.const 0x10) (i32.const 2) (i32.const 0x20))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $r))
  (func (export "read") (param $n i32) (result i32)
    (local $r i32)
    (loop $l
      (local.set $r (i32.or (local.get $r)
        (call $fd_seek (global.get $file) (i64.const 0) (i32.const 0) (i32.const 0x40))))
      (local.set $r (i32.or (local.get $r)
        (call $fd_read (global.get $file) (i32.const 0x10) (i32.const 2) (i32.const 0x20))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $r))
  (func (export "pread") (param $n i32) (result i32)
    (local $r i32)
    (loop $l
      (local.set $r (i32.or (local.get $r)
        (call $fd_pread (global.get $file) (i32.const 0x10) (i32.const 2) (i64.const 3) (i32.const 0x20))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $r))
  (func (export "clock") (param $n i32) (result i32)
    (local $r i32)
    (loop $l
      (local.set $r (i32.or (local.get $r) (call $clock (i32.const 1) (i64.const 0) (i32.const 0x40))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $r))
  (func (export "path_stat") (param $n i32) (result i32)
    (local $r i32)
    (loop $l
      (local.set $r (i32.or (local.get $r)
        (call $path_stat (i32.const 3) (i32.const 1) (i32.const 0x200) (i32.const 8) (i32.const 0x400))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $r))
  (func (export "path_stat_deep") (param $n i32) (result i32)
    (local $r i32)
    (loop $l
      (local.set $r (i32.or (local.get $r)
        (call $path_stat (i32.const 3) (i32.const 1) (i32.const 0x220) (i32.const 15) (i32.const 0x400))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $r))
  (func (export "fd_stat") (param $n i32) (result i32)
    (local $r i32)
    (loop $l
      (local.set $r (i32.or (local.get $r) (call $fd_stat (global.get $file) (i32.const 0x400))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $r)))
"#;

/// Heap allocations this thread makes while `f` runs.
fn allocations(f: impl FnOnce()) -> u64 {
    counting::measure(f).1
}

#[test]
fn hot_hostcalls_do_not_allocate() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("data.bin"), [7u8; 64]).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::create_dir(dir.path().join("many")).unwrap();
    for i in 0..600 {
        std::fs::write(dir.path().join("many").join(format!("entry-{i:04}")), b"").unwrap();
    }
    let null = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, GUEST).unwrap();
    let mut linker = Linker::new(&engine);
    wasihost::wasmtime_host::add_to_linker_for_module(&mut linker, &module, |c: &mut WasiCtx| c)
        .unwrap();
    let ctx = WasiCtx::builder()
        .stdout(Stdio::Fd(null.into()))
        .preopen_dir(dir.path(), ".")
        .build()
        .unwrap();
    let mut store = Store::new(&engine, ctx);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let setup: TypedFunc<(), i32> = instance.get_typed_func(&mut store, "setup").unwrap();
    assert_eq!(setup.call(&mut store, ()).unwrap(), 0);

    for name in [
        "write",
        "read",
        "pread",
        "clock",
        "path_stat",
        "path_stat_deep",
        "fd_stat",
        "readdir",
    ] {
        let f: TypedFunc<i32, i32> = instance.get_typed_func(&mut store, name).unwrap();
        // Warm up: first calls may set things up once (the engine's lazy state, a probe of
        // `openat2`).
        assert_eq!(f.call(&mut store, 10).unwrap(), 0, "{name} must succeed");
        let few = allocations(|| assert_eq!(f.call(&mut store, 10).unwrap(), 0));
        let many = allocations(|| assert_eq!(f.call(&mut store, 1010).unwrap(), 0));
        assert_eq!(
            many,
            few,
            "{name}: 1000 more calls made {} more heap allocations",
            many.saturating_sub(few)
        );
    }
    // The counter does count: a loop that allocates is seen.
    let seen = allocations(|| {
        for i in 0..100 {
            std::hint::black_box(vec![i as u8; 16]);
        }
    });
    assert!(seen >= 100, "the counting allocator saw {seen} of 100");
}
