//! Descriptor churn in a guest leaves the host's descriptor count where it was: `fd_renumber`
//! closes the host resource of the descriptor it replaces, and `fd_close` closes its own.
//!
//! The count is taken from `/proc/self/fd` with the guest's `WasiCtx` still alive (inside the
//! wasmtime store), so nothing is released by dropping the context. Tests in this file hold a
//! lock so that no other test opens descriptors while one is counting.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use wasihost::{OutputBuffer, WasiCtx};
use wasmtime::{Engine, Linker, Module, Store};

static COUNTING: Mutex<()> = Mutex::new(());

fn guest(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/guests/bin")
        .join(format!("{name}.wasm"))
}

fn host_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Run `fd_churn MODE N` with a preopened directory holding a.txt and b.txt; return the host
/// descriptor counts before and after the run (the context alive for both), the guest's open
/// descriptors before and after, and its stdout.
fn churn(mode: &str, n: u32) -> ((usize, usize), (usize, usize), String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "A").unwrap();
    std::fs::write(dir.path().join("b.txt"), "B").unwrap();
    let engine = Engine::default();
    let module = Module::from_file(&engine, guest("fd_churn")).unwrap();
    let out = OutputBuffer::new();
    let ctx = WasiCtx::builder()
        .args(["fd_churn", mode, &n.to_string()])
        .stdout(out.stdio())
        .preopen_dir(dir.path(), ".")
        .build()
        .unwrap();
    let mut linker = Linker::new(&engine);
    wasihost::wasmtime_host::add_to_linker_for_module(&mut linker, &module, |cx: &mut WasiCtx| cx)
        .unwrap();
    let mut store = Store::new(&engine, ctx);
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .unwrap();
    let guest_before = store.data().open_fds();
    let before = host_fds();
    let status = match start.call(&mut store, ()) {
        Ok(()) => 0,
        Err(e) => wasihost::wasmtime_host::exit_code(&e).unwrap_or_else(|| panic!("{e:?}")),
    };
    let after = host_fds();
    let guest_after = store.data().open_fds();
    let stdout = String::from_utf8(out.contents()).unwrap();
    assert_eq!(status, 0, "{stdout}");
    drop(store);
    ((before, after), (guest_before, guest_after), stdout)
}

#[test]
fn ten_thousand_renumbers_leave_the_host_fd_count_unchanged() {
    let _lock = COUNTING.lock().unwrap_or_else(|e| e.into_inner());
    let (host, guest, out) = churn("renumber", 10_000);
    assert_eq!(out, "ok fd_churn\n");
    assert_eq!(host.0, host.1, "host descriptors before and after");
    assert_eq!(guest.0, guest.1, "guest descriptors before and after");
}

#[test]
fn hundred_thousand_open_renumber_close_cycles_leave_the_host_fd_count_unchanged() {
    let _lock = COUNTING.lock().unwrap_or_else(|e| e.into_inner());
    let (host, guest, out) = churn("cycle", 100_000);
    assert_eq!(out, "ok fd_churn\n");
    assert_eq!(host.0, host.1, "host descriptors before and after");
    assert_eq!(guest.0, guest.1, "guest descriptors before and after");
}

#[test]
fn the_count_sees_a_leak() {
    // The measurement itself: a context holding open descriptors raises the count by that many.
    let _lock = COUNTING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let before = host_fds();
    let ctx = WasiCtx::builder()
        .preopen_dir(dir.path(), "a")
        .preopen_dir(dir.path(), "b")
        .build()
        .unwrap();
    // Three /dev/null stdio descriptors and two directories.
    assert_eq!(host_fds(), before + 5);
    drop(ctx);
    assert_eq!(host_fds(), before);
}
