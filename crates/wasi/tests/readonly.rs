//! A read-only mount under a hostile guest: every mutating preview1 call through the mount
//! and through descriptors opened beneath it is refused with the documented errno, reading
//! still works, and the host tree is byte-for-byte (and mtime-for-mtime) unchanged.

mod ro_common;

use ro_common::{Guest, mount_dirs, snapshot, steps};
use wasihost::{OutputBuffer, WasiCtx};

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
    let (_root, ro, rw) = mount_dirs();
    // Let mtimes settle so any touch would show.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let before = snapshot(&ro);
    let out = OutputBuffer::new();
    let e = wasmtime::Engine::default();
    let m = wasmtime::Module::new(&e, &bytes).unwrap();
    let status = wasihost::wasmtime_host::run(&e, &m, ctx(&ro, &rw, &out)).unwrap();
    assert_eq!(status, 0);
    g.check("wasmtime", &out.contents());
    assert_eq!(snapshot(&ro), before, "the read-only tree changed");
    assert!(rw.join("made").is_dir());
    assert_eq!(std::fs::read(rw.join("w.txt")).unwrap(), b"w");
    assert!(!rw.join("stolen").exists() && !rw.join("linked").exists());
}
