//! `wasihost run` on modules importing `wasi_unstable` (preview0), alone or together with
//! `wasi_snapshot_preview1`.

mod common;

use common::{ENGINES, output, wasihost};

const BOTH: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write1 (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_write" (func $write0 (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "args_sizes_get" (func $sizes0 (param i32 i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $exit0 (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "preview1\n")
  (data (i32.const 16) "preview0\n")
  (data (i32.const 32) "\00\00\00\00\09\00\00\00")
  (data (i32.const 40) "\10\00\00\00\09\00\00\00")
  (func (export "_start")
    (drop (call $write1 (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 64)))
    (drop (call $write0 (i32.const 1) (i32.const 40) (i32.const 1) (i32.const 68)))
    (drop (call $sizes0 (i32.const 72) (i32.const 76)))
    ;; 9 + 9 bytes written, plus the argument count.
    (call $exit0 (i32.add (i32.load (i32.const 72))
      (i32.add (i32.load (i32.const 64)) (i32.load (i32.const 68)))))))"#;

const ONLY_PREVIEW0: &str = r#"(module
  (import "wasi_unstable" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "only preview0\n")
  (data (i32.const 16) "\00\00\00\00\0e\00\00\00")
  (func (export "_start")
    (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32)))))"#;

#[test]
fn module_importing_both_snapshots_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("both.wat");
    std::fs::write(&path, BOTH).unwrap();
    for engine in ENGINES {
        let (status, out, err) = output(wasihost(engine).arg(&path).args(["x", "y"]));
        assert_eq!(out, "preview1\npreview0\n", "{engine}: {err}");
        assert_eq!(status, 9 + 9 + 3, "{engine}");
    }
}

#[test]
fn module_importing_only_preview0_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p0.wat");
    std::fs::write(&path, ONLY_PREVIEW0).unwrap();
    for engine in ENGINES {
        let (status, out, err) = output(wasihost(engine).arg(&path));
        assert_eq!(
            (status, out.as_str()),
            (0, "only preview0\n"),
            "{engine}: {err}"
        );
    }
}
