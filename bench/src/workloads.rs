//! The workloads: each is a guest module (a tight WAT loop, or the C `copytree` program), the
//! same work done natively, and the result every runner must reproduce.
//!
//! A WAT guest leaves its result in memory after `_start` returns: `a` (u64) at 0, `b` (u64) at
//! 8, and the OR of every errno it saw (u32) at 16. The values do not depend on the runner, so
//! a runner that fails a call, or skips work, shows up as a wrong result instead of a fast time.

use crate::fixtures::{self, Fixtures};

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// `clock_time_get(monotonic)` in a loop.
    Clock,
    /// `fd_write` of one byte to stdout, which is /dev/null.
    FdWrite,
    /// `poll_oneoff` with one relative clock subscription of zero timeout.
    Poll,
    /// `random_get` into a 64 KiB buffer.
    Random,
    /// `path_open` of a small file in the preopened directory, then `fd_close`.
    OpenClose,
    /// `path_filestat_get` of a small file in the preopened directory.
    Filestat,
    /// `fd_read` of a large file with a 64 KiB buffer, to the end.
    FdRead,
    /// `fd_readdir` of a 10,000-entry directory with a 4 KiB buffer, several passes.
    Readdir,
    /// The C guest copying a tree of 1,000 small files (end to end, through wasi-libc).
    CopyTree,
}

/// Every workload, in table order.
pub const ALL: [Workload; 9] = [
    Workload::Clock,
    Workload::FdWrite,
    Workload::Poll,
    Workload::Random,
    Workload::OpenClose,
    Workload::Filestat,
    Workload::FdRead,
    Workload::Readdir,
    Workload::CopyTree,
];

/// How much work one run does: full size, or a tenth with `--quick`.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    /// Divisor applied to every count (1 = full size).
    pub div: u64,
}

impl Scale {
    fn of(self, full: u64) -> u64 {
        (full / self.div).max(1)
    }
}

/// The committed C guest (see bench/guests/build.sh).
const COPYTREE_WASM: &[u8] = include_bytes!("../guests/bin/copytree.wasm");

/// A guest module and its arguments (`argv[0]` first).
pub struct Guest {
    /// The module's binary.
    pub wasm: Vec<u8>,
    /// Arguments passed to the guest.
    pub args: Vec<String>,
}

impl Workload {
    /// The short name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Clock => "clock",
            Workload::FdWrite => "fd_write",
            Workload::Poll => "poll",
            Workload::Random => "random",
            Workload::OpenClose => "open_close",
            Workload::Filestat => "filestat",
            Workload::FdRead => "fd_read",
            Workload::Readdir => "readdir",
            Workload::CopyTree => "copytree",
        }
    }

    /// Parse a command-line name.
    pub fn from_name(s: &str) -> Option<Workload> {
        ALL.into_iter().find(|w| w.name() == s)
    }

    /// How many times the loop body runs (calls, buffers, passes or rounds).
    pub fn count(self, scale: Scale) -> u64 {
        match self {
            Workload::Clock => scale.of(5_000_000),
            Workload::FdWrite => scale.of(2_000_000),
            Workload::Poll => scale.of(500_000),
            Workload::Random => scale.of(4096),
            Workload::OpenClose => scale.of(200_000),
            Workload::Filestat => scale.of(1_000_000),
            Workload::FdRead => fixtures::big_blocks(scale.div),
            Workload::Readdir => scale.of(20),
            Workload::CopyTree => scale.of(20),
        }
    }

    /// The row's label in the table.
    pub fn label(self, scale: Scale) -> String {
        let n = self.count(scale);
        match self {
            Workload::Clock => format!("`clock_time_get` ×{}", human(n)),
            Workload::FdWrite => format!("`fd_write` 1 byte to /dev/null ×{}", human(n)),
            Workload::Poll => format!("`poll_oneoff` zero timeout ×{}", human(n)),
            Workload::Random => format!("`random_get` {} MiB, 64 KiB calls", n / 16),
            Workload::OpenClose => format!("`path_open`+`fd_close` ×{}", human(n)),
            Workload::Filestat => format!("`path_filestat_get` ×{}", human(n)),
            Workload::FdRead => format!("`fd_read` {} MiB, 64 KiB buffers", n / 16),
            Workload::Readdir => format!(
                "`fd_readdir` {} entries ×{n}, 4 KiB",
                human(fixtures::DIR_ENTRIES)
            ),
            Workload::CopyTree => format!(
                "C guest: copy a tree of {} files ×{n}",
                human(fixtures::TREE_FILES)
            ),
        }
    }

    /// The guest module for this workload at this scale, with its arguments.
    pub fn guest(self, scale: Scale, out_dir: &str) -> Guest {
        let n = self.count(scale);
        if self == Workload::CopyTree {
            return Guest {
                wasm: COPYTREE_WASM.to_vec(),
                args: ["copytree", fixtures::TREE, out_dir, n.to_string().as_str()]
                    .map(String::from)
                    .to_vec(),
            };
        }
        let wat = wat_module(&self.wat_body(n));
        let wasm = wat::parse_str(&wat).unwrap_or_else(|e| panic!("{}: {e}", self.name()));
        Guest {
            wasm,
            args: vec![self.name().to_string()],
        }
    }

    /// The `(a, b)` result every runner must produce.
    pub fn expected(self, scale: Scale) -> (u64, u64) {
        let n = self.count(scale);
        match self {
            Workload::Clock | Workload::Random => (n, n),
            Workload::FdWrite => (n, 0),
            Workload::Poll => (n, 7 * n),
            Workload::OpenClose => (n, 0),
            Workload::Filestat => (n * fixtures::SMALL_FILE.len() as u64, n),
            Workload::FdRead => (n * (n + 1) / 2, n * fixtures::BLOCK as u64),
            Workload::Readdir => (n * fixtures::DIR_ENTRIES, 0),
            Workload::CopyTree => (n * fixtures::TREE_FILES, n * fixtures::tree_bytes()),
        }
    }

    /// Check a run's result; for the copy, also check every copied byte (outside the timing).
    pub fn check(self, fx: &Fixtures, scale: Scale, out_dir: &str, got: (u64, u64)) -> (u64, u64) {
        if self == Workload::CopyTree {
            return fx.verify_copies(out_dir, self.count(scale));
        }
        got
    }

    fn wat_body(self, n: u64) -> String {
        match self {
            Workload::Clock => format!(
                r#"(local.set $n (i32.const {n}))
  (loop $l
    (local.set $err (i32.or (local.get $err)
      (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 0x100))))
    ;; a: timestamps that are non-zero; b: timestamps not before the previous one
    (local.set $a (i64.add (local.get $a)
      (i64.extend_i32_u (i64.ne (i64.load (i32.const 0x100)) (i64.const 0)))))
    (local.set $b (i64.add (local.get $b)
      (i64.extend_i32_u (i64.ge_u (i64.load (i32.const 0x100)) (local.get $t)))))
    (local.set $t (i64.load (i32.const 0x100)))
    (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))"#
            ),
            Workload::FdWrite => format!(
                r#"(i32.store (i32.const 0x110) (i32.const 0x120))
  (i32.store (i32.const 0x114) (i32.const 1))
  (i32.store8 (i32.const 0x120) (i32.const 0x78))
  (local.set $n (i32.const {n}))
  (loop $l
    (local.set $err (i32.or (local.get $err)
      (call $fd_write (i32.const 1) (i32.const 0x110) (i32.const 1) (i32.const 0x100))))
    (local.set $a (i64.add (local.get $a) (i64.load32_u (i32.const 0x100))))
    (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))"#
            ),
            Workload::Poll => format!(
                r#";; subscription at 0x200: userdata 7, clock, monotonic, relative timeout 0
  (i64.store (i32.const 0x200) (i64.const 7))
  (i32.store (i32.const 0x210) (i32.const 1))
  (local.set $n (i32.const {n}))
  (loop $l
    (local.set $err (i32.or (local.get $err)
      (call $poll_oneoff (i32.const 0x200) (i32.const 0x300) (i32.const 1) (i32.const 0x100))))
    (local.set $err (i32.or (local.get $err) (i32.load16_u (i32.const 0x308))))
    (local.set $a (i64.add (local.get $a) (i64.load32_u (i32.const 0x100))))
    (local.set $b (i64.add (local.get $b) (i64.load (i32.const 0x300))))
    (i64.store (i32.const 0x300) (i64.const 0))
    (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))"#
            ),
            Workload::Random => format!(
                r#"(local.set $n (i32.const {n}))
  (loop $l
    (i64.store (i32.const 0x10000) (i64.const 0))
    (i64.store (i32.const 0x1fff8) (i64.const 0))
    (local.set $err (i32.or (local.get $err)
      (call $random_get (i32.const 0x10000) (i32.const 0x10000))))
    ;; a, b: buffers whose first / last 8 bytes were filled (all zero: 2^-64)
    (local.set $a (i64.add (local.get $a)
      (i64.extend_i32_u (i64.ne (i64.load (i32.const 0x10000)) (i64.const 0)))))
    (local.set $b (i64.add (local.get $b)
      (i64.extend_i32_u (i64.ne (i64.load (i32.const 0x1fff8)) (i64.const 0)))))
    (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))"#
            ),
            Workload::OpenClose => format!(
                r#"(local.set $n (i32.const {n}))
  (loop $l
    (i32.store (i32.const 0x100) (i32.const -1))
    (local.set $err (i32.or (local.get $err)
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x1000) (i32.const {len})
        (i32.const 0) (i64.const {RIGHT_FD_READ}) (i64.const 0) (i32.const 0) (i32.const 0x100))))
    (local.set $a (i64.add (local.get $a)
      (i64.extend_i32_u (i32.ne (i32.load (i32.const 0x100)) (i32.const -1)))))
    (local.set $err (i32.or (local.get $err) (call $fd_close (i32.load (i32.const 0x100)))))
    (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))"#,
                len = fixtures::SMALL.len()
            ),
            Workload::Filestat => format!(
                r#"(local.set $n (i32.const {n}))
  (loop $l
    (local.set $err (i32.or (local.get $err)
      (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0x1000) (i32.const {len})
        (i32.const 0x400))))
    ;; a: the size; b: regular files (filetype 4)
    (local.set $a (i64.add (local.get $a) (i64.load (i32.const 0x420))))
    (local.set $b (i64.add (local.get $b)
      (i64.extend_i32_u (i32.eq (i32.load8_u (i32.const 0x410)) (i32.const 4)))))
    (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))"#,
                len = fixtures::SMALL.len()
            ),
            Workload::FdRead => format!(
                r#"(local.set $err (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x1010)
    (i32.const {len}) (i32.const 0) (i64.const {RIGHT_FD_READ}) (i64.const 0) (i32.const 0)
    (i32.const 0x100)))
  (local.set $fd (i32.load (i32.const 0x100)))
  (i32.store (i32.const 0x130) (i32.const 0x10000))
  (i32.store (i32.const 0x134) (i32.const 0x10000))
  (block $done
    (br_if $done (local.get $err))
    (loop $l
      (local.set $err (i32.or (local.get $err)
        (call $fd_read (local.get $fd) (i32.const 0x130) (i32.const 1) (i32.const 0x104))))
      (br_if $done (local.get $err))
      (br_if $done (i32.eqz (i32.load (i32.const 0x104))))
      ;; a: the block stamps (each 64 KiB block starts with its number, from 1); b: bytes
      (local.set $a (i64.add (local.get $a) (i64.load (i32.const 0x10000))))
      (local.set $b (i64.add (local.get $b) (i64.load32_u (i32.const 0x104))))
      (br $l)))
  (local.set $err (i32.or (local.get $err) (call $fd_close (local.get $fd))))"#,
                len = fixtures::BIG.len()
            ),
            Workload::Readdir => format!(
                r#"(local.set $err (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x1020)
    (i32.const {len}) (i32.const 2) (i64.const {RIGHT_FD_READDIR}) (i64.const 0) (i32.const 0)
    (i32.const 0x100)))
  (local.set $fd (i32.load (i32.const 0x100)))
  (local.set $n (i32.const {n}))
  (block $fail
    (br_if $fail (local.get $err))
    (loop $pass
      (local.set $cookie (i64.const 0))
      (block $eof
        (loop $call
          (local.set $err (i32.or (local.get $err)
            (call $fd_readdir (local.get $fd) (i32.const 0x10000) (i32.const 4096)
              (local.get $cookie) (i32.const 0x104))))
          (br_if $fail (local.get $err))
          (local.set $used (i32.load (i32.const 0x104)))
          (local.set $pos (i32.const 0))
          ;; walk the whole entries; a partial last one is read again from its cookie
          (block $parsed
            (loop $entry
              (br_if $parsed (i32.gt_u (i32.add (local.get $pos) (i32.const 24)) (local.get $used)))
              (local.set $namlen (i32.load (i32.add (local.get $pos) (i32.const 0x10010))))
              (br_if $parsed (i32.gt_u
                (i32.add (i32.add (local.get $pos) (i32.const 24)) (local.get $namlen))
                (local.get $used)))
              ;; a: entries named f*
              (local.set $a (i64.add (local.get $a) (i64.extend_i32_u (i32.eq
                (i32.load8_u (i32.add (local.get $pos) (i32.const 0x10018))) (i32.const 0x66)))))
              (local.set $cookie (i64.load (i32.add (local.get $pos) (i32.const 0x10000))))
              (local.set $pos (i32.add (local.get $pos) (i32.add (i32.const 24) (local.get $namlen))))
              (br $entry)))
          (br_if $eof (i32.lt_u (local.get $used) (i32.const 4096)))
          ;; a full buffer without one whole entry would loop forever
          (br_if $fail (i32.eqz (local.get $pos)))
          (br $call)))
      (br_if $pass (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (local.set $err (i32.or (local.get $err) (call $fd_close (local.get $fd))))"#,
                len = fixtures::DIR.len()
            ),
            Workload::CopyTree => unreachable!("the copy is a C guest"),
        }
    }
}

/// `rights::fd_read`.
const RIGHT_FD_READ: u64 = 1 << 1;
/// `rights::fd_readdir`.
const RIGHT_FD_READDIR: u64 = 1 << 14;

fn wat_module(body: &str) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir"
    (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (memory (export "memory") 4)
  (data (i32.const 0x1000) "{small}")
  (data (i32.const 0x1010) "{big}")
  (data (i32.const 0x1020) "{dir}")
  (func (export "_start")
    (local $n i32) (local $a i64) (local $b i64) (local $t i64) (local $err i32) (local $fd i32)
    (local $cookie i64) (local $used i32) (local $pos i32) (local $namlen i32)
  {body}
    (i64.store (i32.const 0) (local.get $a))
    (i64.store (i32.const 8) (local.get $b))
    (i32.store (i32.const 16) (local.get $err))))"#,
        small = fixtures::SMALL,
        big = fixtures::BIG,
        dir = fixtures::DIR,
    )
}

/// `5000000` as `5M`, `200000` as `200k`.
pub fn human(n: u64) -> String {
    if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n >= 1000 && n.is_multiple_of(1000) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}
