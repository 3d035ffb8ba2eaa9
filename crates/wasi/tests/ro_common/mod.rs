//! A WAT guest that runs a list of hostcalls, each giving an errno, and prints one byte per
//! call; plus a snapshot of a host tree (kinds, contents, link targets, sizes, modes, mtimes).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Where the results go, one byte per step.
const RESULTS: u32 = 4096;
/// Descriptor slots written by `path_open` steps.
pub const SLOT_FILE: u32 = 2048;
/// Descriptor slot of a directory opened beneath the mount.
pub const SLOT_DIR: u32 = 2052;
/// A second file slot.
pub const SLOT_APPEND: u32 = 2056;
/// Scratch output buffer.
pub const BUF: u32 = 8192;

/// Builds the guest: paths as data, steps as expressions giving an errno.
pub struct Guest {
    module: &'static str,
    data: Vec<(u32, Vec<u8>)>,
    next: u32,
    /// (label, WAT expression of type i32, expected errno).
    pub steps: Vec<(String, String, u8)>,
}

impl Guest {
    /// A guest importing from `module` (`wasi_snapshot_preview1` or `wasi_unstable`).
    pub fn new(module: &'static str) -> Guest {
        Guest {
            module,
            data: vec![(64, b"hello".to_vec())],
            next: 256,
            steps: Vec::new(),
        }
    }

    /// `(i32.const ptr) (i32.const len)` for `s` placed in memory.
    pub fn s(&mut self, s: &str) -> String {
        let ptr = self.next;
        self.data.push((ptr, s.as_bytes().to_vec()));
        self.next += s.len() as u32 + 1;
        format!("(i32.const {ptr}) (i32.const {})", s.len())
    }

    /// Add a step.
    pub fn step(&mut self, label: &str, expr: String, want: u8) {
        self.steps.push((label.to_string(), expr, want));
    }

    /// The module's text.
    pub fn wat(&self) -> String {
        let m = self.module;
        let mut out = format!(
            r#"(module
  (import "{m}" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "{m}" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "{m}" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "{m}" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "{m}" "fd_filestat_set_size" (func $set_size (param i32 i64) (result i32)))
  (import "{m}" "fd_filestat_set_times" (func $fd_times (param i32 i64 i64 i32) (result i32)))
  (import "{m}" "fd_allocate" (func $allocate (param i32 i64 i64) (result i32)))
  (import "{m}" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "{m}" "path_remove_directory" (func $rmdir (param i32 i32 i32) (result i32)))
  (import "{m}" "path_unlink_file" (func $unlink (param i32 i32 i32) (result i32)))
  (import "{m}" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "{m}" "path_filestat_set_times" (func $path_times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "{m}" "path_rename" (func $rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "{m}" "path_link" (func $link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "{m}" "fd_fdstat_set_flags" (func $set_flags (param i32 i32) (result i32)))
  (import "{m}" "fd_readdir" (func $readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "{m}" "path_filestat_get" (func $path_stat (param i32 i32 i32 i32 i32) (result i32)))
  (import "{m}" "path_readlink" (func $readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "{m}" "fd_filestat_get" (func $fd_stat (param i32 i32) (result i32)))
  (import "{m}" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
  (import "{m}" "fd_tell" (func $tell (param i32 i32) (result i32)))
  (import "{m}" "fd_advise" (func $advise (param i32 i64 i64 i32) (result i32)))
  (import "{m}" "fd_sync" (func $sync (param i32) (result i32)))
  (import "{m}" "fd_datasync" (func $datasync (param i32) (result i32)))
  (import "{m}" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
  (import "{m}" "fd_fdstat_set_rights" (func $set_rights (param i32 i64 i64) (result i32)))
  (memory (export "memory") 1)
  ;; iovec at 0: the 5 bytes "hello" at 64; a read iovec at 16: 64 bytes at BUF.
  (data (i32.const 0) "\40\00\00\00\05\00\00\00")
  (data (i32.const 16) "\00\20\00\00\40\00\00\00")
  ;; chk(errno, got, want): errno if nonzero, 200 if got != want, else 0.
  (func $chk (param i32 i32 i32) (result i32)
    (if (result i32) (local.get 0) (then (local.get 0))
      (else (if (result i32) (i32.ne (local.get 1) (local.get 2))
        (then (i32.const 200)) (else (i32.const 0))))))
  (func $slot (param i32) (result i32) (i32.load (local.get 0)))
"#
        );
        for (ptr, bytes) in &self.data {
            let text: String = bytes.iter().map(|c| format!("\\{c:02x}")).collect();
            out.push_str(&format!("  (data (i32.const {ptr}) \"{text}\")\n"));
        }
        out.push_str("  (func (export \"_start\")\n");
        for (i, (_, expr, _)) in self.steps.iter().enumerate() {
            out.push_str(&format!(
                "    (i32.store8 (i32.const {}) {expr})\n",
                RESULTS + i as u32
            ));
        }
        out.push_str(&format!(
            "    (i32.store (i32.const 32) (i32.const {RESULTS}))\n    (i32.store (i32.const 36) (i32.const {}))\n    (drop (call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 40)))))\n",
            self.steps.len()
        ));
        out
    }

    /// Compare the printed bytes with the expected errnos; a readable list of mismatches.
    pub fn check(&self, what: &str, stdout: &[u8]) {
        assert_eq!(stdout.len(), self.steps.len(), "{what}: output {stdout:?}");
        let bad: Vec<String> = self
            .steps
            .iter()
            .zip(stdout)
            .filter(|((_, _, want), got)| want != *got)
            .map(|((label, _, want), got)| format!("{label}: got {got}, want {want}"))
            .collect();
        assert!(bad.is_empty(), "{what}:\n{}", bad.join("\n"));
    }
}

/// Every path under `root` with its kind, contents or link target, size, mode and mtime.
pub fn snapshot(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, p: &Path, out: &mut BTreeMap<String, String>) {
    let md = std::fs::symlink_metadata(p).unwrap();
    let ft = md.file_type();
    let what = if ft.is_symlink() {
        format!("link {:?}", std::fs::read_link(p).unwrap())
    } else if ft.is_dir() {
        "dir".to_string()
    } else {
        format!("file {:?}", std::fs::read(p).unwrap())
    };
    let rel = p.strip_prefix(root).unwrap().display().to_string();
    let line = format!(
        "{what} size={} mode={:o} mtime={}.{} nlink={}",
        md.len(),
        md.mode(),
        md.mtime(),
        md.mtime_nsec(),
        md.nlink()
    );
    out.insert(rel, line);
    if ft.is_dir() {
        let mut names: Vec<_> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        for n in names {
            walk(root, &n, out);
        }
    }
}

/// A fresh root holding `ro` (the test tree, to be mounted read-only) and `rw` (with `w.txt`,
/// to be mounted writable): (guard, ro, rw).
pub fn mount_dirs() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let (ro, rw) = (root.path().join("ro"), root.path().join("rw"));
    std::fs::create_dir(&ro).unwrap();
    std::fs::create_dir(&rw).unwrap();
    make_tree(&ro);
    std::fs::write(rw.join("w.txt"), b"w").unwrap();
    (root, ro, rw)
}

/// The test tree: `file.txt`, `sub/inner`, `link -> file.txt`.
pub fn make_tree(root: &Path) {
    std::fs::write(root.join("file.txt"), b"hello world").unwrap();
    std::fs::create_dir(root.join("sub")).unwrap();
    std::fs::write(root.join("sub/inner"), b"inner").unwrap();
    std::os::unix::fs::symlink("file.txt", root.join("link")).unwrap();
}

pub const ROFS: u8 = 69;
pub const BADF: u8 = 8;

pub const FD_READ: u64 = 1 << 1;
pub const FD_SEEK: u64 = 1 << 2;
pub const FD_WRITE: u64 = 1 << 6;
pub const FD_ALLOCATE: u64 = 1 << 8;
pub const PATH_OPEN: u64 = 1 << 13;
pub const FD_READDIR: u64 = 1 << 14;
pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
/// Reading rights: FD_READ, FD_SEEK, FD_FILESTAT_GET.
pub const READ: u64 = FD_READ | FD_SEEK | (1 << 21);

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
