//! The descriptor calls (`fd_*`) through C guests run by `wasihost run` on every engine. Each
//! guest checks results and error paths itself (a failed check prints a `FAIL` line and makes
//! it exit 1); these tests also check what the guest left on the host file system.

mod common;

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use common::run_in_tempdir;

/// Assert a guest passed all its checks: exit 0, its `ok NAME` line, no `FAIL` line.
fn assert_passed(engine: &str, name: &str, status: i32, out: &str, err: &str) {
    assert!(!out.contains("FAIL"), "{engine}: {out}{err}");
    assert_eq!(status, 0, "{engine}: {out}{err}");
    assert!(out.contains(&format!("ok {name}")), "{engine}: {out}{err}");
}

#[test]
fn read_write_seek_and_positioned_io() {
    run_in_tempdir(
        "fd_io",
        &[],
        |_| {},
        |engine, dir, status, out, err| {
            assert_passed(engine, "fd_io", status, out, err);
            // Seeking past the end and writing nothing leaves the size alone.
            assert_eq!(fs::read(dir.join("io.txt")).unwrap(), b"abcdefgh");
            // pwrite into the middle, and past the end with a hole.
            assert_eq!(
                fs::read(dir.join("pos.txt")).unwrap(),
                b"01XYZ56789\0\0X",
                "{engine}"
            );
            // Appending wrote at the end after a seek to 0, and pwrite appended too.
            assert_eq!(
                fs::read(dir.join("app.txt")).unwrap(),
                b"onetwo3",
                "{engine}"
            );
            // 1024 one-byte buffers in one call.
            let many = fs::read(dir.join("many.txt")).unwrap();
            assert_eq!(many.len(), 1024, "{engine}");
            assert!(
                many.iter()
                    .enumerate()
                    .all(|(i, &b)| b == b'a' + (i % 26) as u8)
            );
            // The write through the fd without FD_READ landed; the later ones were refused.
            assert_eq!(
                fs::read(dir.join("rights.txt")).unwrap(),
                b"xata",
                "{engine}"
            );
        },
    );
}

#[test]
fn status_flags_rights_and_attributes() {
    run_in_tempdir(
        "fd_attr",
        &[],
        |_| {},
        |engine, dir, status, out, err| {
            assert_passed(engine, "fd_attr", status, out, err);
            // APPEND set with fd_fdstat_set_flags appended after a seek to 0; once cleared,
            // the write went to offset 0 again.
            assert_eq!(
                fs::read(dir.join("flags.txt")).unwrap(),
                b"First;appended;",
                "{engine}"
            );
            // The size and times set through the descriptor.
            let stat = fs::metadata(dir.join("stat.txt")).unwrap();
            assert_eq!(stat.len(), 3, "{engine}");
            assert_eq!((stat.atime(), stat.atime_nsec()), (1000, 5), "{engine}");
            assert_eq!((stat.mtime(), stat.mtime_nsec()), (3000, 0), "{engine}");
            // fd_allocate grew the file to 100 bytes, keeping its data.
            let alloc = fs::read(dir.join("alloc.txt")).unwrap();
            assert_eq!(alloc.len(), 100, "{engine}");
            assert!(alloc.starts_with(b"abc") && alloc[3..].iter().all(|&b| b == 0));
        },
    );
}

fn table_setup(dir: &Path) {
    fs::write(dir.join("a.txt"), "A").unwrap();
    fs::write(dir.join("b.txt"), "B").unwrap();
    fs::create_dir(dir.join("sub")).unwrap();
}

#[test]
fn close_renumber_and_preopen_names() {
    run_in_tempdir(
        "fd_table",
        &[],
        table_setup,
        |engine, dir, status, out, err| {
            assert_passed(engine, "fd_table", status, out, err);
            // Renumbering and closing never touch the files themselves.
            assert_eq!(fs::read(dir.join("a.txt")).unwrap(), b"A", "{engine}");
            assert_eq!(fs::read(dir.join("b.txt")).unwrap(), b"B", "{engine}");
        },
    );
}

#[test]
fn renumber_and_cycle_churn_runs_to_the_end() {
    // The host descriptor counts are checked through the library API (crates/wasi/tests);
    // here the guest's own checks run on every engine.
    for (mode, n) in [("renumber", "10000"), ("cycle", "20000")] {
        run_in_tempdir(
            "fd_churn",
            &[mode, n],
            table_setup,
            |engine, _, status, out, err| {
                assert_passed(engine, "fd_churn", status, out, err);
            },
        );
    }
}
