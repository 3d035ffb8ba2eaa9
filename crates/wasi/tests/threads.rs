//! wasi-threads through the library: every way a threaded guest can end, the thread cap, and
//! 1,000 spawn/exit cycles, each leaving no host thread, descriptor or memory behind.
//!
//! One test function runs everything in order, so that the counts of host threads and
//! descriptors of this process are not disturbed by other tests running alongside.

mod threads_common;

use std::sync::mpsc;
use std::time::Duration;

use wasihost::{OutputBuffer, WasiCtx, threads};
use wasmtime::{Config, Engine, Module};

fn count(dir: &str) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

/// Host threads of this process.
fn tasks() -> usize {
    count("/proc/self/task")
}

/// Open descriptors of this process.
fn fds() -> usize {
    count("/proc/self/fd")
}

/// Resident memory, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Run `module` (through `wasmtime_host::run`, which picks the threaded path) with a cap of
/// `max` threads; fail the test if it has not ended within a minute.
fn run(engine: &Engine, module: &Module, max: u32) -> (Result<u32, wasmtime::Error>, String) {
    let out = OutputBuffer::new();
    let ctx = WasiCtx::builder()
        .stdout(out.stdio())
        .max_threads(max)
        .build()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let (engine, module) = (engine.clone(), module.clone());
    let runner = std::thread::spawn(move || {
        let _ = tx.send(wasihost::wasmtime_host::run(&engine, &module, ctx));
    });
    let result = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the threaded guest did not end within a minute");
    runner.join().unwrap();
    (result, String::from_utf8(out.contents()).unwrap())
}

#[test]
fn threaded_guests_end_cleanly() {
    let mut config = Config::new();
    threads::configure(&mut config);
    let engine = Engine::new(&config).unwrap();
    let compile = |wat: String| Module::new(&engine, wat).unwrap();
    let spawn_join = compile(threads_common::spawn_join());
    let exit_from_main = compile(threads_common::exit_from_main());
    let exit_from_thread = compile(threads_common::exit_from_thread());
    let trap_in_thread = compile(threads_common::trap_in_thread());
    let main_returns = compile(threads_common::main_returns());
    let past_the_cap = compile(threads_common::past_the_cap());
    let cycles = compile(threads_common::cycles(1000));
    assert!(threads::imports_thread_spawn(&cycles));

    // Warm up (lazily created runtime state), then take the baseline.
    assert_eq!(run(&engine, &spawn_join, 64).0.unwrap(), 10);
    let (tasks0, fds0) = (tasks(), fds());
    let clean = |what: &str| {
        assert_eq!(tasks(), tasks0, "{what}: host threads left behind");
        assert_eq!(fds(), fds0, "{what}: descriptors left behind");
    };

    let (status, stdout) = run(&engine, &spawn_join, 64);
    assert_eq!(status.unwrap(), 10, "1+2+3+4 from four threads");
    assert_eq!(
        stdout,
        "t\n".repeat(4),
        "each thread wrote through the shared table"
    );
    clean("spawn and join");

    assert_eq!(run(&engine, &exit_from_main, 64).0.unwrap(), 7);
    clean("proc_exit from main");

    assert_eq!(run(&engine, &exit_from_thread, 64).0.unwrap(), 9);
    clean("proc_exit from a spawned thread");

    let err = run(&engine, &trap_in_thread, 64).0.unwrap_err();
    assert_eq!(
        err.downcast_ref::<wasmtime::Trap>(),
        Some(&wasmtime::Trap::UnreachableCodeReached),
        "{err:?}"
    );
    clean("a trap in a spawned thread");

    assert_eq!(run(&engine, &main_returns, 64).0.unwrap(), 0);
    clean("main returning");

    assert_eq!(run(&engine, &past_the_cap, 2).0.unwrap(), 3);
    clean("spawn past the cap");

    // 1,000 spawn/exit cycles, three times: no growth in threads or descriptors, and the
    // resident memory of the third run no larger than after the first (with some slack for
    // the allocator).
    assert_eq!(run(&engine, &cycles, 64).0.unwrap(), 0);
    clean("1,000 cycles");
    let rss1 = rss_kib();
    for _ in 0..2 {
        assert_eq!(run(&engine, &cycles, 64).0.unwrap(), 0);
        clean("1,000 cycles");
    }
    let rss3 = rss_kib();
    assert!(
        rss3 <= rss1 + 16 * 1024,
        "resident memory grew from {rss1} KiB to {rss3} KiB over 2,000 more cycles"
    );
}
