//! The command line itself: usage errors, exit statuses, traps.

mod common;

use common::{ENGINES, output, wasihost};

fn write_wat(dir: &std::path::Path, name: &str, body: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

const EXIT_WITH_ARGC: &str = r#"(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $asg (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $asg (i32.const 0) (i32.const 4)))
    (call $exit (i32.load (i32.const 0)))))"#;

#[test]
fn exit_status_is_proc_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let wat = write_wat(dir.path(), "argc.wat", EXIT_WITH_ARGC);
    for engine in ENGINES {
        let (status, _, _) = output(wasihost(engine).arg(&wat).args(["a", "b"]));
        assert_eq!(status, 3, "{engine}: program name plus two arguments");
    }
}

#[test]
fn returning_from_start_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let wat = write_wat(
        dir.path(),
        "nop.wat",
        r#"(module (memory (export "memory") 1) (func (export "_start")))"#,
    );
    for engine in ENGINES {
        assert_eq!(output(wasihost(engine).arg(&wat)).0, 0);
    }
}

#[test]
fn shorthand_without_run() {
    let dir = tempfile::tempdir().unwrap();
    let wat = write_wat(dir.path(), "argc.wat", EXIT_WITH_ARGC);
    let (status, _, _) = output(common::bare().arg(&wat));
    assert_eq!(status, 1);
}

#[test]
fn bad_usage_is_one_line_and_status_2() {
    let cases: &[&[&str]] = &[
        &["run"],
        &["run", "--bogus", "x.wasm"],
        &["run", "/nonexistent/module.wasm"],
        &["run", "--dir", "/nonexistent/dir", "x.wasm"],
    ];
    for args in cases {
        let (status, out, err) = output(common::bare().args(*args));
        assert_eq!(status, 2, "{args:?}: {err}");
        assert!(out.is_empty());
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("wasihost: "), "{err}");
    }
}

#[test]
fn invalid_module_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write_wat(dir.path(), "bad.wasm", "\0asm garbage");
    let (status, _, err) = output(wasihost("wasmtime").arg(&bad));
    assert_eq!(status, 2);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn trap_prints_one_message_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let wat = write_wat(
        dir.path(),
        "trap.wat",
        r#"(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $asg (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $asg (i32.const 65536) (i32.const 0)))))"#,
    );
    for engine in ENGINES {
        let (status, _, err) = output(wasihost(engine).arg(&wat));
        assert_eq!(status, 134);
        let lines: Vec<&str> = err.trim_end().lines().collect();
        assert!(lines[0].starts_with("wasihost: guest trapped: "), "{err}");
        assert!(lines[0].contains("out of bounds"), "{engine}: {err}");
        // wasmtime adds the wasm frames (here the unnamed `_start`, func 1); wasmi has none.
        if *engine == "wasmtime" {
            assert_eq!(lines.len(), 2, "{err}");
            assert!(lines[1].trim_start().starts_with("at func[1]"), "{err}");
        } else {
            assert_eq!(lines.len(), 1, "{err}");
        }
        assert!(!err.contains("stack backtrace"), "{err}");
    }
}

#[test]
fn modules_that_cannot_run_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let unknown_import = write_wat(
        dir.path(),
        "import.wat",
        r#"(module (import "wasi_snapshot_preview1" "no_such_call" (func))
             (memory (export "memory") 1) (func (export "_start")))"#,
    );
    let no_start = write_wat(
        dir.path(),
        "nostart.wat",
        r#"(module (memory (export "memory") 1) (func (export "main")))"#,
    );
    for engine in ENGINES {
        for (m, needle) in [(&unknown_import, "no_such_call"), (&no_start, "_start")] {
            let (status, _, err) = output(wasihost(engine).arg(m));
            assert_eq!(status, 2, "{engine}: {err}");
            assert_eq!(err.trim_end().lines().count(), 1, "{engine}: {err}");
            assert!(err.contains(needle), "{engine}: {err}");
        }
    }
}
