//! `wasihost run --trace[=FILE]`: one decoded line per hostcall, on both engines.

mod common;

use common::{ENGINES, guest, output, wasihost};

#[test]
fn trace_to_a_file_decodes_every_call() {
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("trace.log");
        let (status, out, err) = output(
            wasihost(engine)
                .arg(format!("--trace={}", log.display()))
                .arg("--dir")
                .arg(format!("{}::.", dir.path().display()))
                .arg(guest("hello"))
                .arg("tracer"),
        );
        assert_eq!((status, err.as_str()), (0, ""), "{engine}");
        assert_eq!(out, "hello, tracer!\nwrote hello.txt\n", "{engine}");
        let log = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<&str> = log.lines().collect();
        for l in &lines {
            assert!(l.starts_with("wasi_snapshot_preview1."), "{engine}: {l}");
            assert!(l.ends_with('>') && l.contains(" = "), "{engine}: {l}");
        }
        let open = lines
            .iter()
            .find(|l| l.contains(".path_open("))
            .expect("a path_open line");
        assert!(
            open.contains(r#"path="hello.txt", oflags=Oflags(CREAT | TRUNC)"#),
            "{engine}: {open}"
        );
        assert!(open.contains(") = Fd(4) <"), "{engine}: {open}");
        assert!(
            lines
                .iter()
                .any(|l| l.contains(".fd_prestat_get(fd=4) = EBADF")),
            "{engine}: {log}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains(".fd_write(fd=4, ") && l.contains(") = 33 <")),
            "{engine}: {log}"
        );
    }
}

#[test]
fn trace_goes_to_stderr_and_bad_files_are_usage_errors() {
    let (status, out, err) = output(wasihost("wasmtime").arg("--trace").arg(guest("hello")));
    // No preopen: the guest cannot write hello.txt.
    assert_eq!(status, 1, "{out}{err}");
    assert!(
        err.contains("wasi_snapshot_preview1.fd_prestat_get(fd=3) = EBADF <"),
        "{err}"
    );
    assert!(
        err.contains("wasi_snapshot_preview1.proc_exit(rval=1) = trap: guest exited with status 1"),
        "{err}"
    );
    let (status, _, err) = output(
        wasihost("wasmtime")
            .arg("--trace=/nonexistent/dir/t.log")
            .arg(guest("hello")),
    );
    assert_eq!(status, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--trace=/nonexistent/dir/t.log: cannot create: No such file or directory"),
        "{err}"
    );
}
