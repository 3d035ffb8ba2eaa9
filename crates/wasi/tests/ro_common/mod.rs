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

/// The test tree: `file.txt`, `sub/inner`, `link -> file.txt`.
pub fn make_tree(root: &Path) {
    std::fs::write(root.join("file.txt"), b"hello world").unwrap();
    std::fs::create_dir(root.join("sub")).unwrap();
    std::fs::write(root.join("sub/inner"), b"inner").unwrap();
    std::os::unix::fs::symlink("file.txt", root.join("link")).unwrap();
}
