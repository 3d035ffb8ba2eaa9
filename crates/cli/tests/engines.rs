//! The engines behave as one: the same guest gives the same exit status, stdout and stderr on
//! every engine in `ENGINES`, for exits and for every kind of trap; and the runtime crate pulls
//! in an engine only when its feature is on.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{ENGINES, output, trap_report, wasihost};

const IMPORTS: &str = r#"
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)"#;

fn write_guest(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("(module {IMPORTS} {body})")).unwrap();
    p
}

/// Run `module` with `args` on every engine; assert all give the same (status, stdout, first
/// line of stderr) and return it. Later stderr lines are wasm frames, which only some engines
/// report; `trap_report` checks their shape.
fn same_on_every_engine(module: &Path, args: &[&str]) -> (i32, String, String) {
    assert!(ENGINES.len() >= 2, "parity needs two engines: {ENGINES:?}");
    let results: Vec<_> = ENGINES
        .iter()
        .map(|e| {
            let (status, out, err) = output(wasihost(e).arg(module).args(args));
            let (first, _frames) = trap_report(&err);
            let first = if first.is_empty() {
                String::new()
            } else {
                format!("{first}\n")
            };
            (e, (status, out, first))
        })
        .collect();
    let (first_engine, first) = &results[0];
    for (engine, r) in &results[1..] {
        assert_eq!(r, first, "{engine} differs from {first_engine}");
    }
    first.clone()
}

#[test]
fn proc_exit_status_is_the_same_on_every_engine() {
    let dir = tempfile::tempdir().unwrap();
    // Exit with 100 * argc: 300 for three arguments, which the process status truncates to 44.
    let m = write_guest(
        dir.path(),
        "exit.wat",
        r#"(func (export "_start")
             (drop (call $sizes (i32.const 0) (i32.const 4)))
             (call $exit (i32.mul (i32.load (i32.const 0)) (i32.const 100))))"#,
    );
    assert_eq!(
        same_on_every_engine(&m, &[]),
        (100, String::new(), String::new())
    );
    assert_eq!(
        same_on_every_engine(&m, &["a", "b"]),
        (44, String::new(), String::new())
    );
}

#[test]
fn bad_pointer_traps_with_the_same_message_on_every_engine() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "oob.wat",
            "(i32.const 65536) (i32.const 0)",
            "wasihost: guest trapped: guest memory fault: pointer out of bounds: \
             4 bytes at 0x10000 in a memory of 65536 bytes\n",
        ),
        (
            "misaligned.wat",
            "(i32.const 0) (i32.const 6)",
            "wasihost: guest trapped: guest memory fault: pointer 0x6 is not aligned to 4\n",
        ),
    ];
    for (name, args, expected) in cases {
        let m = write_guest(
            dir.path(),
            name,
            &format!(r#"(func (export "_start") (drop (call $sizes {args})))"#),
        );
        let (status, out, err) = same_on_every_engine(&m, &[]);
        assert_eq!((status, out.as_str()), (134, ""), "{name}");
        assert_eq!(err, expected, "{name}");
    }
}

#[test]
fn wasm_traps_name_the_trap_kind_on_every_engine() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("unreachable", "wasm `unreachable` instruction executed"),
        (
            "(drop (i32.load (i32.const 70000)))",
            "out of bounds memory access",
        ),
        (
            "(drop (i32.div_u (i32.const 1) (i32.const 0)))",
            "integer divide by zero",
        ),
    ];
    for (i, (body, message)) in cases.into_iter().enumerate() {
        let m = write_guest(
            dir.path(),
            &format!("trap{i}.wat"),
            &format!(r#"(func $boom (export "_start") {body})"#),
        );
        for engine in ENGINES {
            let (status, out, err) = output(wasihost(engine).arg(&m));
            assert_eq!((status, out.as_str()), (134, ""), "{engine} {body}");
            let (first, frames) = trap_report(&err);
            // An engine may say more (wasmtime names the faulting address), never less.
            assert!(
                first.starts_with("wasihost: guest trapped: ")
                    && first.ends_with(&format!("wasm trap: {message}")),
                "{engine} {body}: {err}"
            );
            if *engine == "wasmtime" {
                assert_eq!(frames.len(), 1, "{body}: {err}");
                assert!(frames[0].starts_with("    at boom "), "{body}: {err}");
            }
        }
    }
}

#[test]
fn invalid_module_is_a_one_line_usage_error_on_every_engine() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.wasm");
    std::fs::write(&bad, b"\0asm garbage").unwrap();
    for engine in ENGINES {
        let (status, out, err) = output(wasihost(engine).arg(&bad));
        assert_eq!((status, out.as_str()), (2, ""), "{engine}: {err}");
        assert_eq!(err.lines().count(), 1, "{engine}: {err}");
        assert!(
            err.starts_with(&format!("wasihost: {}: ", bad.display())),
            "{engine}: {err}"
        );
    }
}

#[test]
fn unknown_engine_is_a_usage_error() {
    let (status, _, err) = output(common::bare().args(["run", "--engine", "v8", "m.wasm"]));
    assert_eq!(status, 2);
    assert_eq!(
        err,
        "wasihost: --engine v8: unknown engine (expected wasmtime or wasmi)\n"
    );
}

/// The packages in the normal-dependency tree of `wasihost` built with `features`.
fn wasihost_deps(features: &[&str]) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let mut cmd = Command::new(cargo);
    cmd.args([
        "tree",
        "--offline",
        "--quiet",
        "-p",
        "wasihost",
        "-e",
        "normal",
    ])
    .args([
        "--prefix",
        "none",
        "--format",
        "{p}",
        "--no-default-features",
    ])
    .arg("--manifest-path")
    .arg(manifest);
    if !features.is_empty() {
        cmd.arg("--features").arg(features.join(","));
    }
    let out = cmd.output().expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split(' ').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn runtime_depends_on_an_engine_only_with_its_feature() {
    let has = |deps: &[String], name: &str| deps.iter().any(|d| d == name);
    let wasmi_only = wasihost_deps(&["wasmi"]);
    assert!(has(&wasmi_only, "wasmi"), "{wasmi_only:?}");
    assert!(
        !wasmi_only.iter().any(|d| d.starts_with("wasmtime")),
        "{wasmi_only:?}"
    );
    let wasmtime_only = wasihost_deps(&["wasmtime"]);
    assert!(has(&wasmtime_only, "wasmtime"), "{wasmtime_only:?}");
    assert!(!has(&wasmtime_only, "wasmi"), "{wasmtime_only:?}");
    let neither = wasihost_deps(&[]);
    assert!(has(&neither, "wasihost-guest"), "{neither:?}");
    assert!(
        !neither
            .iter()
            .any(|d| d.starts_with("wasmtime") || d.starts_with("wasmi")),
        "{neither:?}"
    );
}
