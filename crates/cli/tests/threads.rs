//! wasi-threads through the binary: modules importing `wasi.thread-spawn` are detected and run
//! with one shared context; every way they end gives the right status; the `-S`/`-W` switches;
//! a clear refusal on wasmi. (Host threads and descriptors left behind are counted in the
//! library's `threads` test, in-process.)

mod common;
#[path = "../../wasi/tests/threads_common/mod.rs"]
mod threads_common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::bare;

/// The status, stdout and stderr of `cmd`, killed (and the test failed) after a minute.
fn finish(cmd: &mut Command) -> (i32, String, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("wasihost did not end within a minute");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut out = String::new();
    let mut err = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (status.code().unwrap_or(-1), out, err)
}

fn module(dir: &Path, name: &str, wat: String) -> PathBuf {
    let p = dir.join(format!("{name}.wat"));
    std::fs::write(&p, wat).unwrap();
    p
}

fn run(flags: &[&str], module: &Path) -> (i32, String, String) {
    finish(bare().arg("run").args(flags).arg(module))
}

#[test]
fn every_way_a_threaded_guest_ends() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, String, &[&str], i32); 6] = [
        ("spawn_join", threads_common::spawn_join(), &[], 10),
        ("exit_from_main", threads_common::exit_from_main(), &[], 7),
        (
            "exit_from_thread",
            threads_common::exit_from_thread(),
            &[],
            9,
        ),
        ("trap_in_thread", threads_common::trap_in_thread(), &[], 134),
        ("main_returns", threads_common::main_returns(), &[], 0),
        (
            "past_the_cap",
            threads_common::past_the_cap(),
            &["-S", "max-threads=2"],
            3,
        ),
    ];
    for (name, wat, flags, want) in cases {
        let m = module(dir.path(), name, wat);
        let (status, out, err) = run(flags, &m);
        assert_eq!(status, want, "{name}: stdout {out:?} stderr {err:?}");
        if name == "spawn_join" {
            assert_eq!(out, "t\n".repeat(4));
        }
        if name == "trap_in_thread" {
            assert!(err.contains("unreachable"), "{err}");
        }
    }
}

#[test]
fn thread_switches() {
    let dir = tempfile::tempdir().unwrap();
    let m = module(dir.path(), "join", threads_common::spawn_join());
    // As older wasmtime scripts spell it.
    let (status, _, err) = run(&["-W", "threads=y", "-S", "threads=y"], &m);
    assert_eq!(status, 10, "{err}");
    // Turning threads off leaves thread-spawn unresolved.
    let (status, _, err) = run(&["-S", "threads=n"], &m);
    assert_eq!(status, 2, "{err}");
    assert!(err.contains("-S threads=n"), "{err}");
    // -W timeout ends a guest whose threads spin and sleep.
    let spin = module(
        dir.path(),
        "spin",
        threads_common::main_returns().replace(
            "(call $wait_done (i32.const 3))",
            "(call $wait_done (i32.const 3)) (call $spin)",
        ),
    );
    let (status, _, err) = run(&["-W", "timeout=200ms"], &spin);
    assert_eq!(status, 124, "{err}");
    // A single-threaded module is unaffected by -S threads=y.
    let p = common::printer(dir.path(), "hello.wat", "hello");
    let (status, out, err) = run(&["-S", "threads=y"], &p);
    assert_eq!((status, out.as_str()), (0, "hello\n"), "{err}");
    let (status, _, err) = run(&["-S", "max-threads=x"], &p);
    assert_eq!(status, 2, "{err}");
}

#[test]
fn wasmi_refuses_threaded_modules_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let m = module(dir.path(), "join", threads_common::spawn_join());
    let (status, out, err) = run(&["--engine", "wasmi"], &m);
    assert_eq!(status, 2);
    assert_eq!(out, "");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("wasi-threads") && err.contains("wasmi"),
        "{err}"
    );
}

#[test]
fn threaded_modules_precompile() {
    let dir = tempfile::tempdir().unwrap();
    let m = module(dir.path(), "join", threads_common::spawn_join());
    let out = dir.path().join("join.cwasm");
    let (status, _, err) = finish(bare().arg("compile").arg(&m).arg("-o").arg(&out));
    assert_eq!(status, 0, "{err}");
    let (status, _, err) = run(&[], &out);
    assert_eq!(status, 10, "{err}");
}
