//! Every example runs and prints what its doc comment promises.

use std::process::Command;

/// Run example binary `exe`; its stdout, asserting it succeeded.
fn run(exe: &str) -> String {
    let out = Command::new(exe).output().expect("run the example");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{exe}: {stdout}{stderr}");
    stdout
}

#[test]
fn embed_wasmtime_round_trips_through_a_host_directory() {
    let out = run(env!("CARGO_BIN_EXE_embed_wasmtime"));
    assert!(
        out.starts_with("greeting.txt\nhello from the host\n"),
        "{out}"
    );
    assert!(
        out.contains("status 0 after 1 run; the guest wrote: hello from the guest"),
        "{out}"
    );
}

#[test]
fn embed_wasmi_gets_the_exit_status_the_wasmi_wasi_way() {
    let out = run(env!("CARGO_BIN_EXE_embed_wasmi"));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0].len(), 8, "four random bytes in hex: {out}");
    assert_eq!(
        lines[1],
        "exit status Some(2); the guest said: explore: bad command frobnicate"
    );
}

#[test]
fn capture_stdio_feeds_and_captures_on_both_engines() {
    let out = run(env!("CARGO_BIN_EXE_capture_stdio"));
    for engine in ["wasmtime", "wasmi"] {
        let want = format!(
            "{engine}: status 0, stdout \"three\\nlines\\nof input\\n\" (overflowed: false), \
             stderr \"all read\\n\""
        );
        assert!(out.lines().any(|l| l == want), "{out}");
    }
}

#[test]
fn memfs_tar_keeps_the_guest_s_writes_in_memory() {
    let out = run(env!("CARGO_BIN_EXE_memfs_tar"));
    assert!(
        out.starts_with("index.html\nnotes.txt\n<h1>hi</h1>\n"),
        "{out}"
    );
    assert!(
        out.contains("the guest wrote visits.txt = \"1\\n\""),
        "{out}"
    );
}

#[test]
fn kv_dir_lists_reads_and_refuses_writes() {
    let out = Command::new(env!("CARGO_BIN_EXE_kv_dir")).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "answer\ncolour\n42\nexit status 1 (the write is refused)\n"
    );
    assert_eq!(stderr, "explore: /kv/new: Read-only file system\n");
}

#[test]
fn deterministic_runs_repeat_exactly() {
    let out = run(env!("CARGO_BIN_EXE_deterministic"));
    assert!(
        out.starts_with("seed 7, every run on both engines:\nrealtime "),
        "{out}"
    );
    assert!(out.ends_with("another seed, or no deterministic mode, gives other output\n"));
}

#[test]
fn own_witx_runs_the_same_on_both_engines() {
    let out = run(env!("CARGO_BIN_EXE_own_witx"));
    for engine in ["wasmtime", "wasmi"] {
        let want = format!(
            "{engine}: third add gave TooMuch; total 800; log [\"counted to eight hundred\"]"
        );
        assert!(out.lines().any(|l| l == want), "{out}");
    }
}
