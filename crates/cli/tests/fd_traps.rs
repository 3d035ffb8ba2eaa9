//! Bad pointers passed to the vectored I/O calls trap (status 134, one message naming the
//! fault) on every engine, before any byte moves; they never crash the host.

mod common;

use common::{ENGINES, output, trap_report, wasihost};

/// A module whose `_start` exits with the errno of `call` (if it returns at all). Memory is one
/// page; at 16 is an iovec array of two entries: {32, 5} ("hello") and {48, 3} ("abc").
fn module(call: &str) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "\20\00\00\00\05\00\00\00\30\00\00\00\03\00\00\00")
  (data (i32.const 32) "hello")
  (data (i32.const 48) "abc")
  (func (export "_start") (call $exit {call})))"#
    )
}

/// Run `call` on every engine and assert it traps with a message containing `fault`, having
/// written nothing.
fn assert_traps(call: &str, fault: &str) {
    let dir = tempfile::tempdir().unwrap();
    let wat = dir.path().join("trap.wat");
    std::fs::write(&wat, module(call)).unwrap();
    for engine in ENGINES {
        let (status, out, err) = output(wasihost(engine).arg(&wat));
        assert_eq!(status, 134, "{engine}: {call}: {out}{err}");
        assert!(out.is_empty(), "{engine}: {call}: wrote {out:?}");
        let (first, _frames) = trap_report(&err);
        assert!(first.contains(fault), "{engine}: {call}: {err}");
        assert!(!err.contains("panick"), "{engine}: {call}: {err}");
    }
}

#[test]
fn the_module_works_with_good_pointers() {
    // The control case: the same module with valid arguments writes and exits 0.
    let dir = tempfile::tempdir().unwrap();
    let wat = dir.path().join("ok.wat");
    std::fs::write(
        &wat,
        module("(call $fd_write (i32.const 1) (i32.const 16) (i32.const 2) (i32.const 8))"),
    )
    .unwrap();
    for engine in ENGINES {
        let (status, out, err) = output(wasihost(engine).arg(&wat));
        assert_eq!((status, out.as_str()), (0, "helloabc"), "{engine}: {err}");
    }
}

#[test]
fn iovec_array_out_of_bounds_traps() {
    // The array's one entry straddles the end of memory.
    assert_traps(
        "(call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 8))",
        "out of bounds",
    );
    // An array within the IOV_MAX limit that runs past the end.
    assert_traps(
        "(call $fd_write (i32.const 1) (i32.const 60000) (i32.const 1024) (i32.const 8))",
        "out of bounds",
    );
    assert_traps(
        "(call $fd_read (i32.const 0) (i32.const 65536) (i32.const 1) (i32.const 8))",
        "out of bounds",
    );
}

#[test]
fn iovec_buffer_past_the_end_of_memory_traps() {
    // Second entry: 100 bytes at 65530. The first, valid, entry is not written either.
    let set =
        "(i32.store (i32.const 24) (i32.const 65530)) (i32.store (i32.const 28) (i32.const 100))";
    assert_traps(
        &format!(
            "(block (result i32) {set} (call $fd_write (i32.const 1) (i32.const 16) (i32.const 2) (i32.const 8)))"
        ),
        "out of bounds",
    );
    assert_traps(
        &format!(
            "(block (result i32) {set} (call $fd_read (i32.const 0) (i32.const 16) (i32.const 2) (i32.const 8)))"
        ),
        "out of bounds",
    );
}

#[test]
fn misaligned_pointers_trap() {
    // nwritten at an odd address.
    assert_traps(
        "(call $fd_write (i32.const 1) (i32.const 16) (i32.const 2) (i32.const 9))",
        "not aligned",
    );
    // The iovec array itself misaligned.
    assert_traps(
        "(call $fd_write (i32.const 1) (i32.const 18) (i32.const 1) (i32.const 8))",
        "not aligned",
    );
    // nread out of bounds.
    assert_traps(
        "(call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 65536))",
        "out of bounds",
    );
}

#[test]
fn too_many_iovecs_is_einval_not_a_trap() {
    // 1025 entries: EINVAL (28) as from the OS, checked before the array is read.
    let dir = tempfile::tempdir().unwrap();
    let wat = dir.path().join("inval.wat");
    std::fs::write(
        &wat,
        module("(call $fd_write (i32.const 1) (i32.const 16) (i32.const 1025) (i32.const 8))"),
    )
    .unwrap();
    for engine in ENGINES {
        let (status, out, err) = output(wasihost(engine).arg(&wat));
        assert_eq!((status, out.as_str()), (28, ""), "{engine}: {err}");
    }
}
