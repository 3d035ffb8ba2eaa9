//! A read-only mount under a hostile guest: every mutating preview1 call through the mount
//! and through descriptors opened beneath it is refused with the documented errno, reading
//! still works, and the host tree is byte-for-byte (and mtime-for-mtime) unchanged.

mod ro_common;

use ro_common::{BUF, Guest, SLOT_APPEND, SLOT_DIR, SLOT_FILE, make_tree, snapshot};
use wasihost::{OutputBuffer, WasiCtx};

const ROFS: u8 = 69;
const BADF: u8 = 8;

const FD_READ: u64 = 1 << 1;
const FD_SEEK: u64 = 1 << 2;
const FD_WRITE: u64 = 1 << 6;
const FD_ALLOCATE: u64 = 1 << 8;
const PATH_OPEN: u64 = 1 << 13;
const FD_READDIR: u64 = 1 << 14;
const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
const READ: u64 = FD_READ | FD_SEEK | (1 << 21);

/// The calls, through fd 3 (the read-only mount) and fd 4 (a writable preopen).
pub fn steps(g: &mut Guest) {
    let open = |g: &mut Guest,
                label: &str,
                fd: u32,
                path: &str,
                of: u32,
                base: u64,
                fl: u32,
                slot: u32,
                want: u8| {
        let p = g.s(path);
        g.step(
            label,
            format!("(call $open (i32.const {fd}) (i32.const 1) {p} (i32.const {of}) (i64.const {base}) (i64.const {base}) (i32.const {fl}) (i32.const {slot}))"),
            want,
        );
    };
    let scratch = 2100;
    // Descriptors beneath the mount, for later.
    open(
        g,
        "open file.txt read-only",
        3,
        "file.txt",
        0,
        READ,
        0,
        SLOT_FILE,
        0,
    );
    open(
        g,
        "open sub/ read-only",
        3,
        "sub",
        2,
        PATH_OPEN | FD_READDIR | (1 << 18),
        0,
        SLOT_DIR,
        0,
    );
    open(
        g,
        "open file.txt APPEND, read rights",
        3,
        "file.txt",
        0,
        READ,
        1,
        SLOT_APPEND,
        0,
    );
    // path_open that would change something.
    open(g, "O_CREAT new", 3, "new", 1, READ, 0, scratch, ROFS);
    open(
        g,
        "O_CREAT existing",
        3,
        "file.txt",
        1,
        READ,
        0,
        scratch,
        ROFS,
    );
    open(g, "O_CREAT|O_EXCL", 3, "new", 5, READ, 0, scratch, ROFS);
    open(g, "O_TRUNC", 3, "file.txt", 8, READ, 0, scratch, ROFS);
    open(g, "O_TRUNC via link", 3, "link", 8, READ, 0, scratch, ROFS);
    open(
        g,
        "O_CREAT|O_EXCL|O_TRUNC",
        3,
        "file.txt",
        13,
        READ,
        0,
        scratch,
        ROFS,
    );
    open(
        g,
        "FD_WRITE",
        3,
        "file.txt",
        0,
        READ | FD_WRITE,
        0,
        scratch,
        ROFS,
    );
    open(
        g,
        "FD_WRITE|APPEND",
        3,
        "file.txt",
        0,
        FD_WRITE,
        1,
        scratch,
        ROFS,
    );
    open(
        g,
        "FD_ALLOCATE",
        3,
        "file.txt",
        0,
        FD_ALLOCATE,
        0,
        scratch,
        ROFS,
    );
    open(
        g,
        "FD_FILESTAT_SET_SIZE",
        3,
        "file.txt",
        0,
        FD_FILESTAT_SET_SIZE,
        0,
        scratch,
        ROFS,
    );
    let f = format!("(call $slot (i32.const {SLOT_FILE}))");
    let a = format!("(call $slot (i32.const {SLOT_APPEND}))");
    let d = format!("(call $slot (i32.const {SLOT_DIR}))");
    for (name, fd) in [("file fd", &f), ("append fd", &a)] {
        g.step(
            &format!("fd_write on {name}"),
            format!("(call $fd_write {fd} (i32.const 0) (i32.const 1) (i32.const 40))"),
            ROFS,
        );
        g.step(
            &format!("fd_pwrite on {name}"),
            format!(
                "(call $fd_pwrite {fd} (i32.const 0) (i32.const 1) (i64.const 0) (i32.const 40))"
            ),
            ROFS,
        );
        g.step(
            &format!("set_size on {name}"),
            format!("(call $set_size {fd} (i64.const 0))"),
            ROFS,
        );
        g.step(
            &format!("fd times on {name}"),
            format!("(call $fd_times {fd} (i64.const 5) (i64.const 5) (i32.const 5))"),
            ROFS,
        );
        g.step(
            &format!("allocate on {name}"),
            format!("(call $allocate {fd} (i64.const 0) (i64.const 4096))"),
            ROFS,
        );
    }
    // fdstat flags are inspection in the rights table: APPEND on a read-only descriptor is
    // accepted, and writing through it is still refused.
    g.step(
        "set_flags APPEND on file fd",
        format!("(call $set_flags {f} (i32.const 1))"),
        0,
    );
    g.step(
        "fd_write after APPEND",
        format!("(call $fd_write {f} (i32.const 0) (i32.const 1) (i32.const 40))"),
        ROFS,
    );
    let p = g.s("x");
    g.step("O_CREAT through sub fd", format!("(call $open {d} (i32.const 0) {p} (i32.const 1) (i64.const {READ}) (i64.const 0) (i32.const 0) (i32.const {scratch}))"), ROFS);
    let p = g.s("inner");
    g.step("O_TRUNC through sub fd", format!("(call $open {d} (i32.const 0) {p} (i32.const 8) (i64.const {READ}) (i64.const 0) (i32.const 0) (i32.const {scratch}))"), ROFS);
    for (name, fd) in [
        ("preopen", "(i32.const 3)".to_string()),
        ("sub fd", d.clone()),
    ] {
        g.step(
            &format!("set_size on {name}"),
            format!("(call $set_size {fd} (i64.const 0))"),
            BADF,
        );
        g.step(
            &format!("fd times on {name}"),
            format!("(call $fd_times {fd} (i64.const 5) (i64.const 5) (i32.const 5))"),
            ROFS,
        );
        g.step(
            &format!("allocate on {name}"),
            format!("(call $allocate {fd} (i64.const 0) (i64.const 4096))"),
            BADF,
        );
        g.step(
            &format!("fd_write on {name}"),
            format!("(call $fd_write {fd} (i32.const 0) (i32.const 1) (i32.const 40))"),
            BADF,
        );
    }
    // Path calls within the mount, and through the sub-directory descriptor.
    for (name, fd, file, dir) in [
        ("mount", "(i32.const 3)".to_string(), "file.txt", "sub"),
        ("sub fd", d.clone(), "inner", "."),
    ] {
        let p = g.s("newdir");
        g.step(
            &format!("mkdir in {name}"),
            format!("(call $mkdir {fd} {p})"),
            ROFS,
        );
        let p = g.s(dir);
        g.step(
            &format!("rmdir in {name}"),
            format!("(call $rmdir {fd} {p})"),
            ROFS,
        );
        let p = g.s(file);
        g.step(
            &format!("unlink in {name}"),
            format!("(call $unlink {fd} {p})"),
            ROFS,
        );
        let (t, p) = (g.s("file.txt"), g.s("newlink"));
        g.step(
            &format!("symlink in {name}"),
            format!("(call $symlink {t} {fd} {p})"),
            ROFS,
        );
        let p = g.s(file);
        g.step(&format!("path times in {name}"), format!("(call $path_times {fd} (i32.const 1) {p} (i64.const 5) (i64.const 5) (i32.const 5))"), ROFS);
        let (p, q) = (g.s(file), g.s("renamed"));
        g.step(
            &format!("rename within {name}"),
            format!("(call $rename {fd} {p} {fd} {q})"),
            ROFS,
        );
        let (p, q) = (g.s(file), g.s("hard"));
        g.step(
            &format!("link within {name}"),
            format!("(call $link {fd} (i32.const 0) {p} {fd} {q})"),
            ROFS,
        );
    }
    let p = g.s("link");
    g.step("path times on link, nofollow", format!("(call $path_times (i32.const 3) (i32.const 0) {p} (i64.const 5) (i64.const 5) (i32.const 5))"), ROFS);
    // Out of and into the mount, with the writable preopen on the other side.
    let (p, q) = (g.s("file.txt"), g.s("stolen"));
    g.step(
        "rename out of the mount",
        format!("(call $rename (i32.const 3) {p} (i32.const 4) {q})"),
        ROFS,
    );
    let (p, q) = (g.s("w.txt"), g.s("planted"));
    g.step(
        "rename into the mount",
        format!("(call $rename (i32.const 4) {p} (i32.const 3) {q})"),
        ROFS,
    );
    let (p, q) = (g.s("w.txt"), g.s("file.txt"));
    g.step(
        "rename over a mount file",
        format!("(call $rename (i32.const 4) {p} (i32.const 3) {q})"),
        ROFS,
    );
    let (p, q) = (g.s("file.txt"), g.s("linked"));
    g.step(
        "link out of the mount",
        format!("(call $link (i32.const 3) (i32.const 0) {p} (i32.const 4) {q})"),
        ROFS,
    );
    let (p, q) = (g.s("w.txt"), g.s("linked"));
    g.step(
        "link into the mount",
        format!("(call $link (i32.const 4) (i32.const 0) {p} (i32.const 3) {q})"),
        ROFS,
    );
    // Reading still works.
    g.step("fd_read", format!("(call $chk (call $fd_read {f} (i32.const 16) (i32.const 1) (i32.const 44)) (i32.load (i32.const {BUF})) (i32.const 0x6c6c6568))"), 0);
    g.step("fd_readdir", format!("(call $chk (call $readdir {d} (i32.const {BUF}) (i32.const 512) (i64.const 0) (i32.const 44)) (i32.gt_u (i32.load (i32.const 44)) (i32.const 24)) (i32.const 1))"), 0);
    let p = g.s("file.txt");
    g.step("path_filestat_get", format!("(call $chk (call $path_stat (i32.const 3) (i32.const 0) {p} (i32.const {BUF})) (i32.load (i32.const {})) (i32.const 11))", BUF + 32), 0);
    let p = g.s("link");
    g.step("path_readlink", format!("(call $chk (call $readlink (i32.const 3) {p} (i32.const {BUF}) (i32.const 64) (i32.const 44)) (i32.load (i32.const 44)) (i32.const 8))"), 0);
    // The writable preopen is writable.
    let p = g.s("made");
    g.step(
        "mkdir in the writable preopen",
        format!("(call $mkdir (i32.const 4) {p})"),
        0,
    );
}

fn ctx(ro: &std::path::Path, rw: &std::path::Path, out: &OutputBuffer) -> WasiCtx {
    WasiCtx::builder()
        .stdout(out.stdio())
        .preopen_dir_read_only(ro, "ro")
        .preopen_dir(rw, "rw")
        .build()
        .unwrap()
}

#[test]
fn read_only_mount_refuses_every_change() {
    let mut g = Guest::new("wasi_snapshot_preview1");
    steps(&mut g);
    let bytes = wat::parse_str(g.wat()).unwrap();
    // The wasmi glue is behind a feature; the CLI test runs both engines.
    {
        let engine = "wasmtime";
        let root = tempfile::tempdir().unwrap();
        let (ro, rw) = (root.path().join("ro"), root.path().join("rw"));
        std::fs::create_dir(&ro).unwrap();
        std::fs::create_dir(&rw).unwrap();
        make_tree(&ro);
        std::fs::write(rw.join("w.txt"), b"w").unwrap();
        // Let mtimes settle so any touch would show.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let before = snapshot(&ro);
        let out = OutputBuffer::new();
        let e = wasmtime::Engine::default();
        let m = wasmtime::Module::new(&e, &bytes).unwrap();
        let status = wasihost::wasmtime_host::run(&e, &m, ctx(&ro, &rw, &out)).unwrap();
        assert_eq!(status, 0, "{engine}");
        g.check(engine, &out.contents());
        assert_eq!(
            snapshot(&ro),
            before,
            "{engine}: the read-only tree changed"
        );
        assert!(rw.join("made").is_dir(), "{engine}");
        assert_eq!(std::fs::read(rw.join("w.txt")).unwrap(), b"w");
        assert!(!rw.join("stolen").exists() && !rw.join("linked").exists());
    }
}
