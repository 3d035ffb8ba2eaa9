//! `--dir HOST::GUEST::ro` through the binary on both engines: every mutating call is refused
//! and the host tree is unchanged; `::rw` and no suffix stay writable; a bad suffix is a
//! one-line usage error.

mod common;
#[path = "../../wasi/tests/ro_common/mod.rs"]
mod ro_common;

use std::path::Path;

use common::{ENGINES, output, wasihost};
use ro_common::{Guest, mount_dirs, snapshot, steps};

/// Run `wat` with `ro` mounted as `ro` with `suffix` (fd 3) and `rw` as `rw` (fd 4).
fn run(engine: &str, wat: &str, ro: &Path, suffix: &str, rw: &Path) -> (i32, Vec<u8>, String) {
    let file = rw.parent().unwrap().join("guest.wat");
    std::fs::write(&file, wat).unwrap();
    let out = wasihost(engine)
        .arg("--dir")
        .arg(format!("{}::ro{suffix}", ro.display()))
        .arg("--dir")
        .arg(format!("{}::rw", rw.display()))
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), out.stdout, err)
}

#[test]
fn ro_suffix_refuses_every_change() {
    let mut g = Guest::new("wasi_snapshot_preview1");
    steps(&mut g);
    let wat = g.wat();
    for engine in ENGINES {
        let (_root, ro, rw) = mount_dirs();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let before = snapshot(&ro);
        let (status, out, err) = run(engine, &wat, &ro, "::ro", &rw);
        assert_eq!(status, 0, "{engine}: {err}");
        g.check(engine, &out);
        assert_eq!(
            snapshot(&ro),
            before,
            "{engine}: the read-only tree changed"
        );
        assert!(rw.join("made").is_dir(), "{engine}");
    }
}

/// A guest making three changes in fd 3: a new file, a new directory, an unlink.
fn writer() -> Guest {
    let mut g = Guest::new("wasi_snapshot_preview1");
    let p = g.s("new");
    g.step(
        "O_CREAT",
        format!("(call $open (i32.const 3) (i32.const 0) {p} (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 2048))"),
        0,
    );
    g.step(
        "fd_write",
        "(call $fd_write (call $slot (i32.const 2048)) (i32.const 0) (i32.const 1) (i32.const 40))"
            .into(),
        0,
    );
    let p = g.s("newdir");
    g.step("mkdir", format!("(call $mkdir (i32.const 3) {p})"), 0);
    let p = g.s("sub/inner");
    g.step("unlink", format!("(call $unlink (i32.const 3) {p})"), 0);
    g
}

#[test]
fn rw_and_no_suffix_stay_writable() {
    let g = writer();
    let wat = g.wat();
    for engine in ENGINES {
        for suffix in ["::rw", ""] {
            let (_root, ro, rw) = mount_dirs();
            let (status, out, err) = run(engine, &wat, &ro, suffix, &rw);
            assert_eq!(status, 0, "{engine} {suffix:?}: {err}");
            g.check(&format!("{engine} {suffix:?}"), &out);
            assert_eq!(std::fs::read(ro.join("new")).unwrap(), b"hello");
            assert!(ro.join("newdir").is_dir());
            assert!(!ro.join("sub/inner").exists());
        }
    }
}

#[test]
fn the_writer_is_refused_under_ro() {
    let mut g = writer();
    // Without the file the write step would go to whatever fd the empty slot names.
    g.steps.remove(1);
    for s in &mut g.steps {
        s.2 = ro_common::ROFS;
    }
    let wat = g.wat();
    for engine in ENGINES {
        let (_root, ro, rw) = mount_dirs();
        let before = snapshot(&ro);
        let (status, out, err) = run(engine, &wat, &ro, "::ro", &rw);
        assert_eq!(status, 0, "{engine}: {err}");
        g.check(engine, &out);
        assert_eq!(snapshot(&ro), before, "{engine}");
    }
}

#[test]
fn bad_suffix_is_a_usage_error() {
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let (status, out, err) = output(
            wasihost(engine)
                .arg("--dir")
                .arg(format!("{}::g::rx", dir.path().display()))
                .arg(common::guest("path_open_create")),
        );
        assert_eq!(status, 2, "{engine}: {err}");
        assert!(out.is_empty(), "{engine}: {out}");
        assert_eq!(err.trim_end().lines().count(), 1, "{engine}: {err:?}");
        assert!(err.contains("rx"), "{engine}: the cause is kept: {err:?}");
    }
}
