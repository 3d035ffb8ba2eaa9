//! The resource caps as a user sets them: `-S max-open-fds` and `-S max-mem-dir-size` through
//! the binary, at and past the limit, on both engines, and a clear error for a bad value.

mod common;

use common::{ENGINES, output, wasihost};

/// Opens `f` in the preopen (fd 3) until `path_open` fails: exits with the number opened if
/// the failure is EMFILE (33), 250 on any other errno, 251 after 200 opens.
const OPENER: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "f")
  (func (export "_start") (local $n i32) (local $e i32)
    (loop $more
      (local.set $e (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 1)
        (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 8)))
      (if (i32.eq (local.get $e) (i32.const 33)) (then (call $exit (local.get $n))))
      (if (local.get $e) (then (call $exit (i32.const 250))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $more (i32.lt_u (local.get $n) (i32.const 200))))
    (call $exit (i32.const 251))))"#;

/// Creates `big` in the preopen (fd 3) and writes 4 KiB blocks to it until `fd_write` fails:
/// exits with the number of whole blocks written if the failure is ENOSPC (51), 250 on any
/// other errno or a short write, 251 after 200 blocks.
const FILLER: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "big")
  (func (export "_start") (local $n i32) (local $e i32)
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 3)
          (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 8))
      (then (call $exit (i32.const 252))))
    (i32.store (i32.const 32) (i32.const 4096))
    (i32.store (i32.const 36) (i32.const 4096))
    (loop $more
      (local.set $e (call $write (i32.load (i32.const 8)) (i32.const 32) (i32.const 1)
        (i32.const 40)))
      (if (i32.eq (local.get $e) (i32.const 51)) (then (call $exit (local.get $n))))
      (if (i32.or (local.get $e) (i32.ne (i32.load (i32.const 40)) (i32.const 4096)))
        (then (call $exit (i32.const 250))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $more (i32.lt_u (local.get $n) (i32.const 200))))
    (call $exit (i32.const 251))))"#;

#[test]
fn max_open_fds_caps_the_guest_with_emfile() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), "x").unwrap();
    let wat = dir.path().join("opener.wat");
    std::fs::write(&wat, OPENER).unwrap();
    for engine in ENGINES {
        // stdio and the preopen take four of the ten; six more, then EMFILE.
        for (flags, expect) in [
            (vec!["-S", "max-open-fds=10"], 6),
            (vec!["-S", "max-open-fds=5"], 1),
            (vec!["-S", "max-open-fds=4"], 0),
            (vec![], 251),
        ] {
            let mut cmd = wasihost(engine);
            cmd.args(&flags)
                .arg("--dir")
                .arg(format!("{}::.", dir.path().display()))
                .arg(&wat);
            let (status, _, err) = output(&mut cmd);
            assert_eq!(status, expect, "{engine} {flags:?}: {err}");
        }
    }
}

#[test]
fn max_mem_dir_size_caps_the_data_with_enospc() {
    let dir = tempfile::tempdir().unwrap();
    let wat = dir.path().join("filler.wat");
    std::fs::write(&wat, FILLER).unwrap();
    let host = dir.path().join("m");
    std::fs::create_dir(&host).unwrap();
    for engine in ENGINES {
        for (flags, expect) in [
            (vec!["-S", "max-mem-dir-size=65536"], 16),
            (vec!["-S", "max-mem-dir-size=65535"], 15),
            (vec!["-S", "max-mem-dir-size=0"], 0),
            (vec![], 200 + 51),
        ] {
            let mut cmd = wasihost(engine);
            cmd.args(&flags)
                .arg("--mem-dir")
                .arg(format!("{}::/m", host.display()))
                .arg(&wat);
            let (status, _, err) = output(&mut cmd);
            assert_eq!(status, expect, "{engine} {flags:?}: {err}");
        }
        assert_eq!(
            std::fs::read_dir(&host).unwrap().count(),
            0,
            "the host directory is untouched"
        );
    }
}

#[test]
fn a_bad_cap_value_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let wat = dir.path().join("opener.wat");
    std::fs::write(&wat, OPENER).unwrap();
    for arg in [
        "max-open-fds=lots",
        "max-open-fds=-1",
        "max-open-fds=",
        "max-mem-dir-size=1x",
        "max-mem-dir-size=99999999999999999999999",
    ] {
        let mut cmd = wasihost("wasmtime");
        cmd.args(["-S", arg]).arg(&wat);
        let (status, out, err) = output(&mut cmd);
        assert_eq!(status, 2, "{arg}: {err}");
        assert!(out.is_empty());
        let line = err.lines().next().unwrap_or_default();
        let name = arg.split('=').next().unwrap();
        assert!(
            line.starts_with("wasihost: ") && line.contains(name),
            "{arg}: {err}"
        );
    }
}
