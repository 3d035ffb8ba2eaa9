//! Byte-exact ABI cases of the path calls and `fd_readdir`, as WAT guests run by the binary:
//! path bytes a C string cannot carry, exactly which bytes of an output buffer are written,
//! and which bad pointers trap.

mod common;

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use common::{ENGINES, wasihost};

const IMPORTS: &str = r#"
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink"
    (func $readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $stat (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir"
    (func $readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  ;; print(ptr, len): write memory[ptr..ptr+len] to stdout (iovec at 0).
  (func $print (param i32 i32)
    (i32.store (i32.const 0) (local.get 0))
    (i32.store (i32.const 4) (local.get 1))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))))"#;

/// Run a module made of `body` after the imports, in a fresh preopened directory prepared by
/// `setup`; check (status, stdout) on every engine with `check`.
fn run(body: &str, setup: impl Fn(&Path), check: impl Fn(&Path, i32, &[u8], &str)) {
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let scratch = dir.path().join("scratch");
        std::fs::create_dir(&scratch).unwrap();
        setup(&scratch);
        let wat = dir.path().join("guest.wat");
        std::fs::write(&wat, format!("(module {IMPORTS}\n{body})")).unwrap();
        let mut cmd = wasihost(engine);
        cmd.arg("--dir").arg(format!("{}::.", scratch.display()));
        let out = cmd.arg(&wat).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        check(
            &scratch,
            out.status.code().unwrap_or(-1),
            &out.stdout,
            &format!("{engine}: {err}"),
        );
    }
}

/// WAT string literal for arbitrary bytes.
fn wat_bytes(b: &[u8]) -> String {
    b.iter().map(|c| format!("\\{c:02x}")).collect()
}

/// `path_open(3, path)` with the path's exact bytes; exits with the errno.
fn open_errno(path: &[u8], oflags: u32) -> String {
    format!(
        r#"(data (i32.const 1024) "{}")
  (func (export "_start")
    (call $exit (call $open (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const {})
      (i32.const {oflags}) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 8))))"#,
        wat_bytes(path),
        path.len()
    )
}

#[test]
fn path_bytes_c_strings_cannot_carry() {
    let long = vec![b'a'; 5000];
    // Short components: 4095 bytes is the longest path (PATH_MAX counts a NUL), 4096 too long.
    let mut longest = b"d/".repeat(2047);
    longest.push(b'd');
    let too_long = b"d/".repeat(2048);
    let cases: &[(&[u8], u32, i32)] = &[
        (b"file\0", 0, 28),     // EINVAL: a NUL, even last
        (b"fi\0le", 1, 28),     // EINVAL, and nothing is created
        (b"f\xff\xfe", 1, 25),  // EILSEQ: not UTF-8
        (b"\xc3", 1, 25),       // EILSEQ: cut-off sequence
        (b"", 0, 44),           // ENOENT: empty
        (b"/", 0, 63),          // EPERM: absolute
        (b"/file", 1, 63),      // EPERM
        (&long, 1, 37),         // ENAMETOOLONG: over PATH_MAX
        (&longest, 1, 44),      // ENOENT: no directory d
        (&too_long, 1, 37),     // ENAMETOOLONG
        ("é".as_bytes(), 1, 0), // a UTF-8 name is fine
    ];
    for (path, oflags, want) in cases {
        run(
            &open_errno(path, *oflags),
            |_| {},
            |dir, status, _, err| {
                let shown = String::from_utf8_lossy(&path[..path.len().min(16)]);
                assert_eq!(status, *want, "{shown:?} ({} bytes) {err}", path.len());
                let names: Vec<_> = std::fs::read_dir(dir).unwrap().collect();
                assert_eq!(names.len(), usize::from(*want == 0), "{path:?}");
            },
        );
    }
}

#[test]
fn bad_path_pointers_trap() {
    for (ptr, len) in [(65530u32, 10u32), (65535, 2), (u32::MAX, 2)] {
        let body = format!(
            r#"(func (export "_start")
    (call $exit (call $open (i32.const 3) (i32.const 0) (i32.const {ptr}) (i32.const {len})
      (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 8))))"#
        );
        run(
            &body,
            |_| {},
            |_, status, _, err| {
                assert_eq!(status, 134, "({ptr}, {len}) {err}");
            },
        );
    }
    // A misaligned or out-of-bounds result pointer traps too, before anything happens.
    for out in [9, 65535] {
        let body = format!(
            r#"(data (i32.const 1024) "new")
  (func (export "_start")
    (call $exit (call $open (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 3)
      (i32.const 1) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const {out}))))"#
        );
        run(
            &body,
            |_| {},
            |dir, status, _, err| {
                assert_eq!(status, 134, "{out} {err}");
                assert!(!dir.join("new").exists());
            },
        );
    }
}

#[test]
fn readlink_writes_exactly_what_it_returns() {
    // readlink("link") into 5 bytes of a '='-filled area, print 12 bytes, exit with the count.
    let body = r#"(data (i32.const 1024) "link")
  (data (i32.const 2048) "============")
  (func (export "_start")
    (local $e i32)
    (local.set $e (call $readlink (i32.const 3) (i32.const 1024) (i32.const 4)
      (i32.const 2048) (i32.const 5) (i32.const 8)))
    (call $print (i32.const 2048) (i32.const 12))
    (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
    (call $exit (i32.load (i32.const 8))))"#;
    run(
        body,
        |d| std::os::unix::fs::symlink("abcdefgh", d.join("link")).unwrap(),
        |_, status, out, err| {
            assert_eq!(status, 5, "{err}");
            assert_eq!(out, b"abcde=======");
        },
    );
}

#[test]
fn readdir_cuts_the_last_entry_at_the_buffer_end() {
    // Open "d", list it into a 30-byte buffer of a '='-filled area, print 40 bytes, exit with
    // the size returned.
    let body = r#"(data (i32.const 1024) "d")
  (data (i32.const 2048) "========================================")
  (func (export "_start")
    (local $e i32)
    (local.set $e (call $open (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 1)
      (i32.const 2) (i64.const 16384) (i64.const 0) (i32.const 0) (i32.const 8)))
    (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
    (local.set $e (call $readdir (i32.load (i32.const 8)) (i32.const 2048) (i32.const 30)
      (i64.const 0) (i32.const 12)))
    (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
    (call $print (i32.const 2048) (i32.const 40))
    (call $exit (i32.load (i32.const 12))))"#;
    run(
        body,
        |d| {
            std::fs::create_dir(d.join("d")).unwrap();
            std::fs::write(d.join("d/file"), b"").unwrap();
        },
        |dir, status, out, err| {
            assert_eq!(status, 30, "{err}");
            assert_eq!(out.len(), 40);
            // The first entry, whole: cookie 1, inode, name length, type, padding, name.
            assert_eq!(out[0..8], 1u64.to_le_bytes());
            let namlen = u32::from_le_bytes(out[16..20].try_into().unwrap()) as usize;
            let name = std::str::from_utf8(&out[24..24 + namlen]).unwrap();
            let host = std::fs::symlink_metadata(dir.join("d").join(name)).unwrap();
            assert_eq!(out[8..16], host.ino().to_le_bytes(), "{name}");
            let filetype = if host.is_dir() { 3 } else { 4 };
            assert_eq!(out[20..24], [filetype, 0, 0, 0], "{name}");
            // The second entry, cut after its first bytes: the start of cookie 2.
            let cut = 30 - (24 + namlen);
            assert_eq!(out[24 + namlen..30], 2u64.to_le_bytes()[..cut]);
            // Nothing past the buffer.
            assert_eq!(&out[30..], b"==========");
        },
    );
}

#[test]
fn readdir_bad_buffers_trap() {
    for (ptr, len) in [(65530u32, 100u32), (u32::MAX, 1)] {
        let body = format!(
            r#"(func (export "_start")
    (call $exit (call $readdir (i32.const 3) (i32.const {ptr}) (i32.const {len})
      (i64.const 0) (i32.const 12))))"#
        );
        run(
            &body,
            |_| {},
            |_, status, _, err| {
                assert_eq!(status, 134, "({ptr}, {len}) {err}");
            },
        );
    }
    // A path_filestat_get result that is not 8-byte aligned traps.
    let body = r#"(data (i32.const 1024) ".")
  (func (export "_start")
    (call $exit (call $stat (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const 1)
      (i32.const 2052))))"#;
    run(
        body,
        |_| {},
        |_, status, _, err| assert_eq!(status, 134, "{err}"),
    );
}
