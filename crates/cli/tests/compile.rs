//! `wasihost compile`, and running what it wrote.

mod common;

use std::fs;
use std::path::Path;

use common::{bare, guest, output, printer, wasihost};

#[test]
fn compile_then_run_prints_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("hello.cwasm");
    let (status, _, err) = output(
        bare()
            .arg("compile")
            .arg(guest("hello"))
            .arg("-o")
            .arg(&out),
    );
    assert_eq!(status, 0, "{err}");
    assert!(fs::read(&out).unwrap().starts_with(b"WASIHOST"));
    let dir = format!("{}::.", tmp.path().display());
    let from_wasm = output(
        wasihost("wasmtime")
            .args(["--dir", &dir])
            .arg(guest("hello"))
            .arg("x"),
    );
    assert_eq!(from_wasm.0, 0, "{}", from_wasm.2);
    let first = fs::read_to_string(tmp.path().join("hello.txt")).unwrap();
    fs::remove_file(tmp.path().join("hello.txt")).unwrap();
    let cache = tmp.path().join("c");
    let mut cmd = wasihost("wasmtime");
    cmd.arg("--cache-dir")
        .arg(&cache)
        .args(["--dir", &dir])
        .arg(&out)
        .arg("x");
    let from_cwasm = output(&mut cmd);
    assert_eq!(from_cwasm, from_wasm);
    assert_eq!(
        fs::read_to_string(tmp.path().join("hello.txt")).unwrap(),
        first
    );
    assert!(!cache.exists(), "a precompiled file needs no cache entry");

    // The same for text, and with -W options given to both.
    let wat = printer(tmp.path(), "p.wat", "text");
    let cw = tmp.path().join("p.cwasm");
    let compile = ["-W", "fuel=1", "-W", "tail-call=n"];
    let (status, _, err) = output(
        bare()
            .args(["compile"])
            .args(compile)
            .arg(&wat)
            .arg("-o")
            .arg(&cw),
    );
    assert_eq!(status, 0, "{err}");
    let run = ["-W", "fuel=100000", "-W", "tail-call=n"];
    assert_eq!(output(wasihost("wasmtime").args(run).arg(&cw)).1, "text\n");
}

#[test]
fn a_precompiled_file_that_does_not_fit_is_a_one_line_error() {
    let tmp = tempfile::tempdir().unwrap();
    let wat = printer(tmp.path(), "p.wat", "text");
    let cw = tmp.path().join("p.cwasm");
    let (status, _, err) = output(
        bare()
            .arg("compile")
            .arg(&wat)
            .arg(format!("-o{}", cw.display())),
    );
    assert_eq!(status, 0, "{err}");
    let one_line = |args: &[&str], file: &Path, needle: &str| {
        let (status, out, err) = output(bare().arg("run").args(args).arg(file));
        assert_eq!(status, 2, "{args:?}: {err}");
        assert!(out.is_empty());
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.starts_with("wasihost: "), "{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    };
    one_line(
        &["--engine", "wasmi"],
        &cw,
        "--engine wasmi runs only .wasm or .wat",
    );
    // wasmtime's reason: the code was compiled without fuel counting.
    one_line(&["-W", "fuel=1000"], &cw, "fuel");
    one_line(&["-W", "timeout=5s"], &cw, "epoch");
    let mut bytes = fs::read(&cw).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x80;
    let damaged = tmp.path().join("damaged.cwasm");
    fs::write(&damaged, &bytes).unwrap();
    one_line(&[], &damaged, "damaged");
    let truncated = tmp.path().join("truncated.cwasm");
    fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    one_line(&[], &truncated, "truncated");
    // Compiling a precompiled file, or to where nothing can be written.
    let (status, _, err) = output(
        bare()
            .arg("compile")
            .arg(&cw)
            .arg("-o")
            .arg(tmp.path().join("x")),
    );
    assert_eq!(status, 2);
    assert!(err.contains("already precompiled"), "{err}");
    let nowhere = tmp.path().join("no/such/dir/x.cwasm");
    let (status, _, err) = output(bare().arg("compile").arg(&wat).arg("-o").arg(&nowhere));
    assert_eq!((status, err.trim_end().lines().count()), (2, 1), "{err}");
    assert!(err.contains("cannot write"), "{err}");
}
