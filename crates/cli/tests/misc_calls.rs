//! args, environ, clocks, random, sched_yield, proc_exit and proc_raise: the C guest checks the
//! results from inside; WAT guests check the byte-exact error paths and traps.

mod common;

use common::{ENGINES, guest, output, trap_report, wasihost};

#[test]
fn guest_sees_args_env_clocks_and_randomness() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    for engine in ENGINES {
        let (status, out, err) = output(
            wasihost(engine)
                .args(["--env", "WASIHOST_TEST=yes"])
                .arg(guest("misc_calls"))
                .args(["one", "two words"]),
        );
        assert_eq!(
            status, 7,
            "{engine}: proc_exit(7) is the exit status\n{out}{err}"
        );
        assert!(out.contains("misc ok"), "{engine}: {out}");
        let secs: u64 = out
            .lines()
            .find_map(|l| l.strip_prefix("realtime "))
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            secs.abs_diff(now) < 120,
            "{engine}: guest realtime {secs}, host {now}"
        );
    }
}

/// Write a module whose `_start` runs `body` and then exits with the i32 it left at address 0.
fn write_module(dir: &std::path::Path, imports: &str, body: &str) -> std::path::PathBuf {
    let path = dir.join("m.wat");
    let wat = format!(
        r#"(module {imports}
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") {body} (call $exit (i32.load (i32.const 0)))))"#
    );
    std::fs::write(&path, wat).unwrap();
    path
}

/// Run such a module with one argument and one environment variable: (status, stderr).
fn run_wat(engine: &str, imports: &str, body: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = write_module(dir.path(), imports, body);
    let (status, _, err) = output(wasihost(engine).args(["--env", "A=1"]).arg(&path).arg("x"));
    (status, err)
}

const EINVAL: i32 = 28;
const ENOTSUP: i32 = 58;

#[test]
fn errno_paths() {
    let clock = r#"(import "wasi_snapshot_preview1" "clock_time_get" (func $t (param i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "clock_res_get" (func $r (param i32 i32) (result i32)))"#;
    let raise =
        r#"(import "wasi_snapshot_preview1" "proc_raise" (func $raise (param i32) (result i32)))"#;
    let yield_ = r#"(import "wasi_snapshot_preview1" "sched_yield" (func $y (result i32)))"#;
    for engine in ENGINES {
        let t = |body: &str| run_wat(engine, clock, body).0;
        assert_eq!(
            t("(i32.store (i32.const 0) (call $t (i32.const 4) (i64.const 0) (i32.const 8)))"),
            EINVAL
        );
        assert_eq!(
            t("(i32.store (i32.const 0) (call $r (i32.const -1) (i32.const 8)))"),
            EINVAL
        );
        assert_eq!(
            t("(i32.store (i32.const 0) (call $t (i32.const 1) (i64.const 0) (i32.const 8)))"),
            0
        );
        // proc_raise is deprecated in WASI and not supported.
        let (s, _) = run_wat(
            engine,
            raise,
            "(i32.store (i32.const 0) (call $raise (i32.const 15)))",
        );
        assert_eq!(s, ENOTSUP, "{engine}");
        // A signal number outside the enum is EINVAL before anything else.
        let (s, _) = run_wat(
            engine,
            raise,
            "(i32.store (i32.const 0) (call $raise (i32.const 99)))",
        );
        assert_eq!(s, EINVAL, "{engine}");
        let (s, _) = run_wat(engine, yield_, "(i32.store (i32.const 0) (call $y))");
        assert_eq!(s, 0, "{engine}");
    }
}

#[test]
fn bad_pointers_trap() {
    let imports = r#"
      (import "wasi_snapshot_preview1" "args_get" (func $args (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "args_sizes_get" (func $asz (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "environ_get" (func $env (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "environ_sizes_get" (func $esz (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "clock_time_get" (func $t (param i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "random_get" (func $rand (param i32 i32) (result i32)))"#;
    let cases = [
        // argv array past the end of memory
        (
            "(drop (call $args (i32.const 65532) (i32.const 16)))",
            "out of bounds",
        ),
        // argv buffer past the end of memory
        (
            "(drop (call $args (i32.const 16) (i32.const 65534)))",
            "out of bounds",
        ),
        // misaligned argv array
        (
            "(drop (call $args (i32.const 2) (i32.const 64)))",
            "not aligned",
        ),
        (
            "(drop (call $asz (i32.const 1) (i32.const 8)))",
            "not aligned",
        ),
        (
            "(drop (call $env (i32.const 65536) (i32.const 0)))",
            "out of bounds",
        ),
        (
            "(drop (call $esz (i32.const 8) (i32.const 65536)))",
            "out of bounds",
        ),
        // timestamp out-pointer misaligned
        (
            "(drop (call $t (i32.const 0) (i64.const 0) (i32.const 4)))",
            "not aligned",
        ),
        // random buffer reaching past the end, and ptr + len overflowing
        (
            "(drop (call $rand (i32.const 65000) (i32.const 1000)))",
            "out of bounds",
        ),
        (
            "(drop (call $rand (i32.const -16) (i32.const 32)))",
            "overflows",
        ),
    ];
    for engine in ENGINES {
        for (body, want) in cases {
            let (status, err) = run_wat(engine, imports, body);
            assert_eq!(status, 134, "{engine} {body}: {err}");
            let (first, _frames) = trap_report(&err);
            assert!(first.contains(want), "{engine} {body}: {err}");
        }
    }
}

#[test]
fn environment_flags() {
    let imports = r#"(import "wasi_snapshot_preview1" "environ_sizes_get" (func $esz (param i32 i32) (result i32)))"#;
    let body = "(drop (call $esz (i32.const 0) (i32.const 4)))";
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let path = write_module(dir.path(), imports, body);
        // No environment unless asked.
        assert_eq!(output(wasihost(engine).arg(&path)).0, 0);
        // `--env NAME` copies the host's value; `--env NAME=VALUE` sets it.
        let (s, _, _) = output(
            wasihost(engine)
                .env("WASIHOST_FROM_HOST", "1")
                .args(["--env", "WASIHOST_FROM_HOST", "--env", "B=2"])
                .arg(&path),
        );
        assert_eq!(s, 2, "{engine}");
        // `--inherit-env` copies everything: ours, and what the command sets or removes.
        let mut cmd = wasihost(engine);
        cmd.env("WASIHOST_EXTRA", "x")
            .arg("--inherit-env")
            .arg(&path);
        let mut env: std::collections::BTreeSet<_> = std::env::vars_os().map(|(k, _)| k).collect();
        for (k, v) in cmd.get_envs() {
            match v {
                Some(_) => env.insert(k.to_owned()),
                None => env.remove(k),
            };
        }
        let (s, _, _) = output(&mut cmd);
        assert_eq!(s, env.len() as i32 & 0xff, "{engine}");
    }
}
