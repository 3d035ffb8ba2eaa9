//! `--invoke FUNC [ARGS]`: a reactor's export called after `_initialize`, a command's export
//! called instead of `_start`, arguments parsed by type, results printed one per line, exit
//! statuses, and one-line errors for a missing export or bad arguments; on both engines.

mod common;

use common::{ENGINES, output, wasihost};

/// A reactor: `_initialize` prints "init" and sets a base that `add` adds in.
const REACTOR: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\05\00\00\00")
  (data (i32.const 16) "init\n")
  (global $base (mut i32) (i32.const 0))
  (func (export "_initialize")
    (global.set $base (i32.const 40))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (global.get $base) (i32.add (local.get 0) (local.get 1))))
  (func (export "mix") (param i64 f32 f64) (result i64 f32 f64)
    (i64.mul (local.get 0) (i64.const 2)) (local.get 1) (f64.neg (local.get 2)))
  (func (export "quit") (param i32) (call $exit (local.get 0)))
  (func (export "boom") unreachable)
  (func (export "vec") (result v128) (v128.const i64x2 0 0))
)"#;

/// A command whose `_start` prints "start"; `answer` does not.
const COMMAND: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\06\00\00\00")
  (data (i32.const 16) "start\n")
  (func (export "_start") (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "answer") (result i32) (i32.const 42))
)"#;

fn invoke(engine: &str, wat: &str, args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.wat");
    std::fs::write(&file, wat).unwrap();
    let mut cmd = wasihost(engine);
    cmd.arg("--invoke").arg(args[0]).arg(&file).args(&args[1..]);
    output(&mut cmd)
}

#[test]
fn reactor_export_after_initialize() {
    for engine in ENGINES {
        let (status, out, err) = invoke(engine, REACTOR, &["add", "1", "2"]);
        assert_eq!((status, out.as_str()), (0, "init\n43\n"), "{engine}: {err}");
        let (status, out, err) = invoke(engine, REACTOR, &["add", "-1", "0x10"]);
        assert_eq!((status, out.as_str()), (0, "init\n55\n"), "{engine}: {err}");
    }
}

#[test]
fn several_results_of_several_types() {
    for engine in ENGINES {
        let (status, out, err) = invoke(engine, REACTOR, &["mix", "-21", "1.5", "0.25"]);
        assert_eq!(
            (status, out.as_str()),
            (0, "init\n-42\n1.5\n-0.25\n"),
            "{engine}: {err}"
        );
    }
}

#[test]
fn command_export_instead_of_start() {
    for engine in ENGINES {
        let (status, out, err) = invoke(engine, COMMAND, &["answer"]);
        assert_eq!((status, out.as_str()), (0, "42\n"), "{engine}: {err}");
    }
}

#[test]
fn proc_exit_and_traps_keep_their_statuses() {
    for engine in ENGINES {
        let (status, out, err) = invoke(engine, REACTOR, &["quit", "7"]);
        assert_eq!((status, out.as_str()), (7, "init\n"), "{engine}: {err}");
        let (status, _, err) = invoke(engine, REACTOR, &["boom"]);
        assert_eq!(status, 134, "{engine}: {err}");
        assert!(err.contains("unreachable"), "{engine}: {err}");
    }
}

#[test]
fn bad_invocations_are_one_line_usage_errors() {
    let cases: &[(&[&str], &str)] = &[
        (&["nope"], "no function export named `nope`"),
        (&["memory"], "no function export named `memory`"),
        (&["add", "1"], "takes 2 argument(s), 1 given"),
        (&["add", "1", "x"], "argument 2 \"x\" is not a valid i32"),
        (&["add", "1", "4294967296"], "is not a valid i32"),
        (&["vec"], "v128 result"),
    ];
    for engine in ENGINES {
        for (args, want) in cases {
            let (status, out, err) = invoke(engine, REACTOR, args);
            assert_eq!(status, 2, "{engine} {args:?}: {err}");
            assert!(out.is_empty(), "{engine} {args:?}: nothing ran: {out}");
            assert_eq!(err.lines().count(), 1, "{engine} {args:?}: {err}");
            assert!(err.contains(want), "{engine} {args:?}: {err}");
        }
    }
}

#[test]
fn a_reactor_without_invoke_says_how() {
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.wat");
        std::fs::write(&file, REACTOR).unwrap();
        let (status, out, err) = output(wasihost(engine).arg(&file));
        assert_eq!(status, 2, "{engine}: {err}");
        assert!(out.is_empty());
        assert!(
            err.contains("no `_start`") && err.contains("--invoke"),
            "{engine}: {err}"
        );
    }
}
