//! `wasihost run`'s wasmtime-compatible flags through the binary, on both engines where the
//! engine supports them: wasm exception handling (`try_table`/`throw`/`throw_ref`) and `-W`
//! proposal switches with the engine's reason on failure; each limit (`-W fuel`,
//! `-W timeout`, `-W max-memory-size`) firing with its own message and exit status;
//! `--argv0`, bare `--env NAME`, `-S inherit-env` and `-S tcplisten=ADDR`.

mod common;

use std::path::PathBuf;

use common::{ENGINES, output, wasihost};

/// `wat` written to a fresh directory (kept alive by the returned guard).
fn module(wat: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.wat");
    std::fs::write(&file, wat).unwrap();
    (dir, file)
}

/// Throws 7 in a callee, catches it as an `exnref`, rethrows that with `throw_ref`, catches
/// the payload with `catch`, and exits with 7 + 35.
const EXCEPTIONS: &str = r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (tag $e (param i32))
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func $caught (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (call $thrower (i32.const 7)))
      (unreachable)))
  (func (export "_start")
    (block $got (result i32)
      (try_table (catch $e $got) (throw_ref (call $caught)))
      (unreachable))
    (i32.const 35)
    (i32.add)
    (call $exit))
)"#;

#[test]
fn exception_handling_runs_on_wasmtime() {
    let (_d, m) = module(EXCEPTIONS);
    let (status, out, err) = output(wasihost("wasmtime").arg(&m));
    assert_eq!((status, out.as_str()), (42, ""), "{err}");
    let (status, _, err) = output(wasihost("wasmtime").arg("-W").arg("exceptions=y").arg(&m));
    assert_eq!(status, 42, "{err}");
}

#[test]
fn a_disabled_or_missing_proposal_fails_with_the_engines_reason() {
    let (_d, m) = module(EXCEPTIONS);
    let (status, out, err) = output(wasihost("wasmtime").arg("-W").arg("exceptions=n").arg(&m));
    assert_eq!(status, 2, "{err}");
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("m.wat") && err.contains("exception"), "{err}");
    // wasmi has no exception handling: a one-line error that names the proposal.
    let (status, _, err) = output(wasihost("wasmi").arg(&m));
    assert_eq!(status, 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.to_lowercase().contains("exception"), "{err}");
}

#[test]
fn simd_can_be_switched_off() {
    let (_d, m) = module(r#"(module (func (export "_start") (drop (i32x4.splat (i32.const 1)))))"#);
    for engine in ENGINES {
        let (status, _, err) = output(wasihost(engine).arg(&m));
        assert_eq!(status, 0, "{engine}: {err}");
        let (status, _, err) = output(
            wasihost(engine)
                .args(["-W", "relaxed-simd=n", "-W", "simd=n"])
                .arg(&m),
        );
        assert_eq!(status, 2, "{engine}: {err}");
        assert!(err.to_lowercase().contains("simd"), "{engine}: {err}");
    }
}

const SPIN: &str = r#"(module (func (export "_start") (loop $l (br $l))))"#;

#[test]
fn fuel_runs_out_with_status_123() {
    let (_d, m) = module(SPIN);
    for engine in ENGINES {
        let (status, _, err) = output(wasihost(engine).arg("-W").arg("fuel=100000").arg(&m));
        assert_eq!(status, 123, "{engine}: {err}");
        assert!(err.contains("fuel=100000"), "{engine}: {err}");
        assert_eq!(err.lines().count(), 1, "{engine}: {err}");
    }
    // Enough fuel for a short guest lets it finish.
    let (_d, ok) = module(r#"(module (func (export "_start")))"#);
    for engine in ENGINES {
        let (status, _, err) = output(wasihost(engine).arg("-W").arg("fuel=100000").arg(&ok));
        assert_eq!(status, 0, "{engine}: {err}");
    }
}

#[test]
fn timeout_fires_with_status_124_on_wasmtime() {
    let (_d, m) = module(SPIN);
    let start = std::time::Instant::now();
    let (status, _, err) = output(wasihost("wasmtime").arg("-W").arg("timeout=200ms").arg(&m));
    assert_eq!(status, 124, "{err}");
    assert!(err.contains("timed out"), "{err}");
    assert!(start.elapsed() < std::time::Duration::from_secs(30));
    // wasmi cannot interrupt by time: a usage error that says what to use instead.
    let (status, _, err) = output(wasihost("wasmi").arg("-W").arg("timeout=200ms").arg(&m));
    assert_eq!(status, 2, "{err}");
    assert!(err.contains("fuel"), "{err}");
}

#[test]
fn max_memory_size_stops_growth_with_status_122() {
    let (_d, m) = module(
        r#"(module (memory 1) (func (export "_start") (drop (memory.grow (i32.const 100)))))"#,
    );
    for engine in ENGINES {
        let (status, _, err) = output(
            wasihost(engine)
                .arg("-W")
                .arg("max-memory-size=1048576")
                .arg(&m),
        );
        assert_eq!(status, 122, "{engine}: {err}");
        assert!(err.contains("max-memory-size=1048576"), "{engine}: {err}");
        // Within the limit the same growth succeeds.
        let (status, _, err) = output(
            wasihost(engine)
                .arg("-W")
                .arg("max-memory-size=16777216")
                .arg(&m),
        );
        assert_eq!(status, 0, "{engine}: {err}");
    }
}

/// Prints the argument buffer and then the environment buffer (NUL-separated) to stdout.
const ARGS_ENV: &str = r#"(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $as (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $ag (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $es (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $eg (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func $print (param i32 i32)
    (i32.store (i32.const 0) (local.get 0))
    (i32.store (i32.const 4) (local.get 1))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (drop (call $as (i32.const 16) (i32.const 20)))
    (drop (call $ag (i32.const 1024) (i32.const 4096)))
    (call $print (i32.const 4096) (i32.load (i32.const 20)))
    (call $print (i32.const 24) (i32.const 1))
    (drop (call $es (i32.const 16) (i32.const 20)))
    (drop (call $eg (i32.const 1024) (i32.const 65536)))
    (call $print (i32.const 65536) (i32.load (i32.const 20))))
  (data (i32.const 24) "|")
)"#;

/// (argv, environment) as the guest saw them.
fn args_env(cmd: &mut std::process::Command) -> (Vec<String>, Vec<String>) {
    let (status, out, err) = output(cmd);
    assert_eq!(status, 0, "{err}");
    let (args, env) = out.split_once('|').expect("two buffers");
    let split = |s: &str| {
        s.split('\0')
            .filter(|x| !x.is_empty())
            .map(String::from)
            .collect()
    };
    (split(args), split(env))
}

#[test]
fn argv0_and_environment_flags() {
    let (_d, m) = module(ARGS_ENV);
    for engine in ENGINES {
        let (argv, env) = args_env(wasihost(engine).arg(&m).arg("a"));
        assert_eq!(argv, ["m.wat", "a"], "{engine}");
        assert!(
            env.is_empty(),
            "{engine}: nothing inherited by default: {env:?}"
        );

        let (argv, _) = args_env(wasihost(engine).args(["--argv0", "tool"]).arg(&m).arg("a"));
        assert_eq!(argv, ["tool", "a"], "{engine}");

        let (_, env) = args_env(
            wasihost(engine)
                .env("WH_ONE", "host value")
                .env("WH_TWO", "other")
                .args(["--env", "WH_ONE", "--env", "SET=x=y"])
                .arg(&m),
        );
        assert_eq!(env, ["WH_ONE=host value", "SET=x=y"], "{engine}");

        let (_, env) = args_env(
            wasihost(engine)
                .env("WH_TWO", "other")
                .args(["-S", "inherit-env"])
                .arg(&m),
        );
        assert!(
            env.contains(&"WH_TWO=other".to_string()),
            "{engine}: {env:?}"
        );

        // A bare name the host does not have is a one-line error naming it.
        let (status, _, err) = output(
            wasihost(engine)
                .env_remove("WH_MISSING")
                .args(["--env", "WH_MISSING"])
                .arg(&m),
        );
        assert_eq!(status, 2, "{engine}: {err}");
        assert!(err.contains("WH_MISSING"), "{engine}: {err}");
    }
}

#[test]
fn tcplisten_as_a_wasi_option_preopens_a_socket() {
    // fd_fdstat_get(3): the filetype byte, printed.
    let (_d, m) = module(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $st (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $exit (if (result i32) (call $st (i32.const 3) (i32.const 64))
      (then (i32.const 99)) (else (i32.load8_u (i32.const 64))))))
)"#,
    );
    for engine in ENGINES {
        let (status, _, err) = output(
            wasihost(engine)
                .args(["-S", "tcplisten=127.0.0.1:0"])
                .arg(&m),
        );
        // 6: SOCKET_STREAM.
        assert_eq!(status, 6, "{engine}: {err}");
        let (status, _, err) = output(wasihost(engine).arg(&m));
        assert_eq!(status, 99, "{engine}: no fd 3 without it: {err}");
    }
}
