//! Shared helpers for tests that run guest programs through the `wasihost` binary.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The engines every guest test runs on.
pub const ENGINES: &[&str] = &["wasmtime", "wasmi"];

/// The built guest module `tests/guests/bin/NAME.wasm`.
pub fn guest(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/guests/bin")
        .join(format!("{name}.wasm"));
    assert!(
        p.exists(),
        "missing guest {}: run tests/guests/build.sh",
        p.display()
    );
    p
}

/// The compilation cache the tests share: under the target directory, never the user's
/// `~/.cache`; kept between runs, so unchanged guests are not compiled again.
pub fn test_cache_home() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasihost-test-cache")
}

/// The `wasihost` binary as a command, with its default cache under [`test_cache_home`] and
/// no cache log.
pub fn bare() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wasihost"));
    c.env("XDG_CACHE_HOME", test_cache_home())
        .env_remove("WASIHOST_CACHE_LOG");
    c
}

/// A `wasihost run --engine ENGINE` command, ready for more arguments.
pub fn wasihost(engine: &str) -> Command {
    let mut c = bare();
    c.arg("run").arg("--engine").arg(engine);
    c
}

/// A module that prints `text` and a newline.
pub fn printer(dir: &Path, name: &str, text: &str) -> PathBuf {
    let line = format!("{text}\n");
    let wat = format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "{text}\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const {len}))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
        len = line.len()
    );
    let p = dir.join(name);
    fs::write(&p, wat).unwrap();
    p
}

/// Run `cmd` and return its output, with stdout/stderr as strings for assertions.
pub fn output(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run wasihost");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Run guest `name` on every engine with a fresh temporary directory preopened as `.`, after
/// `setup` prepared it; `check` asserts on (engine, dir, status, stdout, stderr).
pub fn run_in_tempdir(
    name: &str,
    args: &[&str],
    setup: impl Fn(&Path),
    check: impl Fn(&str, &Path, i32, &str, &str),
) {
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path());
        let mut cmd = wasihost(engine);
        cmd.arg("--dir").arg(format!("{}::.", dir.path().display()));
        cmd.arg(guest(name)).args(args);
        let (status, out, err) = output(&mut cmd);
        check(engine, dir.path(), status, &out, &err);
    }
}

/// Split a trap report into its first line (how the guest trapped) and its wasm frames,
/// asserting every further line is a frame (`    at ...`, or the `    ... N more` tail).
pub fn trap_report(stderr: &str) -> (&str, Vec<&str>) {
    let mut lines = stderr.trim_end().lines();
    let first = lines.next().unwrap_or("");
    let frames: Vec<&str> = lines.collect();
    for f in &frames {
        assert!(
            f.starts_with("    at ") || f.starts_with("    ... "),
            "not a wasm frame line: {f:?} in {stderr:?}"
        );
    }
    (first, frames)
}
