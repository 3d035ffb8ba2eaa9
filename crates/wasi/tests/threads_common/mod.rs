//! WAT guests for the wasi-threads tests (library and CLI): each imports a shared memory and
//! `wasi.thread-spawn`, and runs `$main` on the main thread and `$thread` (with the thread id
//! and the start argument) on each spawned one.
//!
//! Memory map: 0 a counter, 4 a "done" counter (waited on), 8 an address nobody notifies,
//! 12 the last spawn result, 512 the text "t\n", 4096 + 256 * tid per-thread scratch.
#![allow(dead_code)]

/// A guest (importing its shared memory and exporting it as `memory`, as the
/// `wasm32-wasip1-threads` linkers do) whose main thread runs `main` and whose spawned threads run `thread` (locals:
/// `$tid` and `$arg` params, `$base` scratch address, `$i` a counter).
pub fn guest(main: &str, thread: &str) -> String {
    format!(
        r#"(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  (export "memory" (memory 0))
  (data (i32.const 512) "t\n")
  ;; One relative monotonic-clock subscription of $ns nanoseconds, in $base's scratch.
  (func $sleep (param $base i32) (param $ns i64)
    (i64.store (local.get $base) (i64.const 0))
    (i32.store8 offset=8 (local.get $base) (i32.const 0))
    (i32.store offset=16 (local.get $base) (i32.const 1))
    (i64.store offset=24 (local.get $base) (local.get $ns))
    (i64.store offset=32 (local.get $base) (i64.const 0))
    (i32.store16 offset=40 (local.get $base) (i32.const 0))
    (drop (call $poll (local.get $base) (i32.add (local.get $base) (i32.const 64))
      (i32.const 1) (i32.add (local.get $base) (i32.const 100)))))
  ;; Print "t\n" to stdout, with $base's scratch as the iovec.
  (func $print (param $base i32)
    (i32.store (local.get $base) (i32.const 512))
    (i32.store offset=4 (local.get $base) (i32.const 2))
    (drop (call $write (i32.const 1) (local.get $base) (i32.const 1)
      (i32.add (local.get $base) (i32.const 8)))))
  ;; Block on an address nobody notifies.
  (func $block
    (drop (memory.atomic.wait32 (i32.const 8) (i32.const 0) (i64.const -1))))
  ;; Spin forever.
  (func $spin (loop $l (br $l)))
  ;; Wait until the "done" counter reaches $n.
  (func $wait_done (param $n i32) (local $seen i32)
    (block $out
      (loop $l
        (local.set $seen (i32.atomic.load (i32.const 4)))
        (br_if $out (i32.ge_u (local.get $seen) (local.get $n)))
        (drop (memory.atomic.wait32 (i32.const 4) (local.get $seen) (i64.const -1)))
        (br $l))))
  (func $done
    (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 4) (i32.const -1))))
  (func (export "_start") (local $base i32) (local $i i32) (local $r i32)
    (local.set $base (i32.const 4096))
    {main})
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32) (local $base i32) (local $i i32)
    (local.set $base (i32.add (i32.const 4096) (i32.mul (i32.and (local.get $tid) (i32.const 31)) (i32.const 256))))
    {thread}))"#
    )
}

/// Main spawns 4 threads (args 1..4) that add their arg to the counter, print a line and
/// count themselves done; main waits for all four and exits with the counter (10).
pub fn spawn_join() -> String {
    guest(
        "(local.set $i (i32.const 1))
         (loop $l
           (drop (call $spawn (local.get $i)))
           (local.set $i (i32.add (local.get $i) (i32.const 1)))
           (br_if $l (i32.le_u (local.get $i) (i32.const 4))))
         (call $wait_done (i32.const 4))
         (call $exit (i32.atomic.load (i32.const 0)))",
        "(drop (i32.atomic.rmw.add (i32.const 0) (local.get $arg)))
         (call $print (local.get $base))
         (call $done)",
    )
}

/// Threads by start argument: 0 sleeps an hour in `poll_oneoff`, 1 spins, 2 blocks in
/// `memory.atomic.wait32`, 3 sleeps 50 ms and exits with 9, 4 sleeps 50 ms and traps. Each
/// counts itself done before it starts.
const WORKERS: &str = "(call $done)
    (if (i32.eq (local.get $arg) (i32.const 0)) (then (call $sleep (local.get $base) (i64.const 3600000000000))))
    (if (i32.eq (local.get $arg) (i32.const 1)) (then (call $spin)))
    (if (i32.eq (local.get $arg) (i32.const 2)) (then (call $block)))
    (if (i32.eq (local.get $arg) (i32.const 3)) (then
      (call $sleep (local.get $base) (i64.const 50000000)) (call $exit (i32.const 9))))
    (if (i32.eq (local.get $arg) (i32.const 4)) (then
      (call $sleep (local.get $base) (i64.const 50000000)) unreachable))";

/// Start the sleeper, spinner and blocked workers, and wait until they run.
const START_BLOCKERS: &str = "(drop (call $spawn (i32.const 0)))
    (drop (call $spawn (i32.const 1)))
    (drop (call $spawn (i32.const 2)))
    (call $wait_done (i32.const 3))";

/// Main exits with 7 while the others sleep, spin and block.
pub fn exit_from_main() -> String {
    guest(
        &format!(
            "{START_BLOCKERS} (call $sleep (local.get $base) (i64.const 20000000)) (call $exit (i32.const 7))"
        ),
        WORKERS,
    )
}

/// A spawned thread exits with 9 while the others (main blocked in a wait) sleep, spin and
/// block.
pub fn exit_from_thread() -> String {
    guest(
        &format!("{START_BLOCKERS} (drop (call $spawn (i32.const 3))) (call $block)"),
        WORKERS,
    )
}

/// A spawned thread traps while the others (main sleeping an hour) sleep, spin and block.
pub fn trap_in_thread() -> String {
    guest(
        &format!(
            "{START_BLOCKERS} (drop (call $spawn (i32.const 4))) (call $sleep (local.get $base) (i64.const 3600000000000))"
        ),
        WORKERS,
    )
}

/// Main returns from `_start` while the others sleep, spin and block.
pub fn main_returns() -> String {
    guest(START_BLOCKERS, WORKERS)
}

/// With a cap of 2: two blocked threads start (positive, distinct ids), the third spawn fails
/// (negative); main exits with 3 if all that held, else 1.
pub fn past_the_cap() -> String {
    guest(
        "(local.set $i (call $spawn (i32.const 2)))
         (local.set $r (call $spawn (i32.const 2)))
         (if (i32.or (i32.le_s (local.get $i) (i32.const 0))
               (i32.or (i32.le_s (local.get $r) (i32.const 0)) (i32.eq (local.get $i) (local.get $r))))
           (then (call $exit (i32.const 1))))
         (call $wait_done (i32.const 2))
         (i32.store (i32.const 12) (call $spawn (i32.const 2)))
         (if (i32.lt_s (i32.load (i32.const 12)) (i32.const 0))
           (then (call $exit (i32.const 3))))
         (call $exit (i32.const 1))",
        WORKERS,
    )
}

/// `n` cycles of: spawn a thread that counts itself done and returns; wait for it. Exits
/// with 0 if every spawn succeeded, else 1.
pub fn cycles(n: u32) -> String {
    guest(
        &format!(
            "(loop $l
               (if (i32.le_s (call $spawn (i32.const 5)) (i32.const 0)) (then (call $exit (i32.const 1))))
               (local.set $i (i32.add (local.get $i) (i32.const 1)))
               (call $wait_done (local.get $i))
               (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))"
        ),
        "(call $done)",
    )
}
