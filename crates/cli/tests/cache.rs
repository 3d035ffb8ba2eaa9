//! The compilation cache, through the binary. Each test has its own `--cache-dir`;
//! `WASIHOST_CACHE_LOG=1` makes the binary say what the cache did.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::{guest, output, printer, wasihost};

/// `wasihost run --cache-dir CACHE EXTRA... MODULE` on wasmtime, logging the cache.
fn run(cache: &Path, extra: &[&str], module: &Path) -> (i32, String, String) {
    let mut cmd = wasihost("wasmtime");
    cmd.env("WASIHOST_CACHE_LOG", "1")
        .arg("--cache-dir")
        .arg(cache)
        .args(extra)
        .arg(module);
    output(&mut cmd)
}

/// Run and assert the guest printed `want`; return the cache log.
fn run_ok(cache: &Path, extra: &[&str], module: &Path, want: &str) -> String {
    let (status, out, err) = run(cache, extra, module);
    assert_eq!((status, out.as_str()), (0, want), "{err}");
    err
}

/// The cache entries in `dir`, sorted.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    all.sort();
    assert!(
        all.iter()
            .all(|p| p.extension().is_some_and(|e| e == "cwasm")),
        "only entries, no temporary files: {all:?}"
    );
    all
}

fn only_entry(dir: &Path) -> PathBuf {
    let all = entries(dir);
    assert_eq!(all.len(), 1, "{all:?}");
    all[0].clone()
}

fn hit(log: &str, entry: &Path) -> bool {
    log.contains(&format!("wasihost: cache: hit {}", entry.display()))
}

fn set_age(path: &Path, secs: u64) -> SystemTime {
    let t = SystemTime::now() - Duration::from_secs(secs);
    let f = fs::File::options().write(true).open(path).unwrap();
    f.set_modified(t).unwrap();
    t
}

fn mtime(path: &Path) -> SystemTime {
    fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn first_run_stores_an_entry_and_the_second_uses_it() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("c");
    let m = printer(tmp.path(), "a.wat", "from a");
    let log = run_ok(&cache, &[], &m, "from a\n");
    let entry = only_entry(&cache);
    assert!(
        log.contains("cache: miss") && log.contains("cache: stored"),
        "{log}"
    );
    let bytes = fs::read(&entry).unwrap();
    assert!(bytes.starts_with(b"WASIHOST"));

    let old = set_age(&entry, 86_400);
    let log = run_ok(&cache, &[], &m, "from a\n");
    assert!(hit(&log, &entry), "{log}");
    assert!(!log.contains("stored"), "{log}");
    assert!(mtime(&entry) > old, "a hit marks the entry recently used");
    assert_eq!(
        fs::read(&entry).unwrap(),
        bytes,
        "a hit does not rewrite the entry"
    );
    assert_eq!(only_entry(&cache), entry);
}

/// Damage `entry` with `damage`, run, and check the guest still ran right and the entry is
/// whole again (the next run hits it).
fn repaired(damage: impl Fn(&mut Vec<u8>), why: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("c");
    let m = printer(tmp.path(), "a.wat", "still right");
    run_ok(&cache, &[], &m, "still right\n");
    let entry = only_entry(&cache);
    let mut bytes = fs::read(&entry).unwrap();
    damage(&mut bytes);
    fs::write(&entry, &bytes).unwrap();

    let log = run_ok(&cache, &[], &m, "still right\n");
    assert!(
        log.contains(&format!("replacing {}: {why}", entry.display())),
        "{log}"
    );
    assert!(log.contains("cache: stored"), "{log}");
    assert_ne!(fs::read(&entry).unwrap(), bytes);
    let log = run_ok(&cache, &[], &m, "still right\n");
    assert!(hit(&log, &entry), "{log}");
}

#[test]
fn a_flipped_byte_is_recompiled_and_the_entry_repaired() {
    repaired(
        |b| {
            let mid = b.len() / 2;
            b[mid] ^= 0x01;
        },
        "damaged: the checksum",
    );
}

#[test]
fn a_truncated_entry_is_recompiled_and_the_entry_repaired() {
    repaired(|b| b.truncate(b.len() / 3), "truncated or damaged");
    repaired(|b| b.truncate(10), "truncated");
}

#[test]
fn a_foreign_entry_is_not_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (ca, cb) = (tmp.path().join("a"), tmp.path().join("b"));
    let a = printer(tmp.path(), "a.wat", "module a");
    let b = printer(tmp.path(), "b.wat", "module b");
    run_ok(&ca, &[], &a, "module a\n");
    run_ok(&cb, &[], &b, "module b\n");
    let entry_a = only_entry(&ca);
    // A whole, valid entry of module b under a's name: the key in its header gives it away.
    fs::copy(only_entry(&cb), &entry_a).unwrap();
    let log = run_ok(&ca, &[], &a, "module a\n");
    assert!(log.contains("stored for another key"), "{log}");
    let log = run_ok(&ca, &[], &a, "module a\n");
    assert!(hit(&log, &entry_a), "{log}");
    // Not even our format: a plain module under an entry's name.
    fs::copy(&a, &entry_a).unwrap();
    let log = run_ok(&ca, &[], &a, "module a\n");
    assert!(log.contains("no WASIHOST header"), "{log}");
}

#[test]
fn another_module_or_setting_gets_its_own_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("c");
    let a = printer(tmp.path(), "a.wat", "module a");
    let b = printer(tmp.path(), "b.wat", "module b");
    run_ok(&cache, &[], &a, "module a\n");
    run_ok(&cache, &[], &b, "module b\n");
    assert_eq!(entries(&cache).len(), 2);
    for (i, flags) in [
        &["-W", "tail-call=n"][..],
        &["-W", "fuel=1000000"],
        &["-W", "timeout=30s"],
        &["-W", "fuel=1000000,timeout=30s"],
    ]
    .iter()
    .enumerate()
    {
        let log = run_ok(&cache, flags, &a, "module a\n");
        assert!(log.contains("cache: stored"), "{flags:?}: {log}");
        assert_eq!(entries(&cache).len(), 3 + i, "{flags:?}");
        let log = run_ok(&cache, flags, &a, "module a\n");
        assert!(log.contains("cache: hit"), "{flags:?}: {log}");
    }
    // The amount of fuel, the timeout and the memory bound are checked at run time: the
    // code is the same, so is the entry.
    for flags in [
        &["-W", "fuel=2000000"][..],
        &["-W", "timeout=20s,fuel=5000000"],
        &["-W", "max-memory-size=1000000"],
    ] {
        let log = run_ok(&cache, flags, &a, "module a\n");
        assert!(log.contains("cache: hit"), "{flags:?}: {log}");
    }
    assert_eq!(entries(&cache).len(), 6);
}

#[test]
fn concurrent_runs_share_one_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("c");
    let hello = guest("hello");
    let children: Vec<_> = (0..4)
        .map(|i| {
            let mut cmd = wasihost("wasmtime");
            cmd.arg("--cache-dir")
                .arg(&cache)
                .arg(&hello)
                .arg(format!("n{i}"));
            cmd.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        // hello exits 1 when it cannot write its file (no --dir here), after greeting.
        assert!(stdout.starts_with(&format!("hello, n{i}!\n")), "{stdout}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("warning"), "{stderr}");
    }
    let entry = only_entry(&cache);
    let (_, out, log) = run(&cache, &[], &hello);
    assert!(out.starts_with("hello, "), "{out}");
    assert!(hit(&log, &entry), "{log}");
}

#[test]
fn cache_off_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("c");
    let m = printer(tmp.path(), "a.wat", "uncached");
    let log = run_ok(&cache, &["-C", "cache=n"], &m, "uncached\n");
    assert!(!cache.exists());
    assert!(log.is_empty(), "{log}");
    run_ok(&cache, &["-C", "cache=n,cache=y"], &m, "uncached\n");
    assert_eq!(entries(&cache).len(), 1);
}

#[test]
fn default_directory_is_xdg_cache_home_then_home() {
    let tmp = tempfile::tempdir().unwrap();
    let m = printer(tmp.path(), "a.wat", "default dir");
    let xdg = tmp.path().join("xdg");
    let home = tmp.path().join("home");
    let mut cmd = wasihost("wasmtime");
    cmd.env("XDG_CACHE_HOME", &xdg).env("HOME", &home).arg(&m);
    assert_eq!(output(&mut cmd).1, "default dir\n");
    assert_eq!(entries(&xdg.join("wasihost")).len(), 1);
    assert!(!home.exists());
    let mut cmd = wasihost("wasmtime");
    cmd.env_remove("XDG_CACHE_HOME").env("HOME", &home).arg(&m);
    assert_eq!(output(&mut cmd).1, "default dir\n");
    assert_eq!(entries(&home.join(".cache/wasihost")).len(), 1);
}

#[test]
fn eviction_keeps_the_directory_within_the_bound() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("c");
    let module = |n: u32| printer(tmp.path(), &format!("m{n}.wat"), &format!("module {n}"));
    run_ok(&cache, &[], &module(0), "module 0\n");
    let size = fs::metadata(only_entry(&cache)).unwrap().len();
    fs::remove_dir_all(&cache).unwrap();
    // Room for two entries (the modules differ by a digit), not three.
    let bound = size * 5 / 2;
    let flag = format!("max-cache-size={bound}");
    let limit = ["-C", flag.as_str()];
    let total = || -> u64 {
        entries(&cache)
            .iter()
            .map(|p| fs::metadata(p).unwrap().len())
            .sum()
    };
    let (m1, m2, m3, m4) = (module(1), module(2), module(3), module(4));
    run_ok(&cache, &limit, &m1, "module 1\n");
    let e1 = only_entry(&cache);
    run_ok(&cache, &limit, &m2, "module 2\n");
    assert_eq!(entries(&cache).len(), 2);
    let e2 = entries(&cache).into_iter().find(|e| *e != e1).unwrap();
    set_age(&e1, 200);
    set_age(&e2, 100);
    // Using module 1 makes it the most recently used: module 2 goes first.
    assert!(hit(&run_ok(&cache, &limit, &m1, "module 1\n"), &e1));
    let log = run_ok(&cache, &limit, &m3, "module 3\n");
    assert!(log.contains(&format!("evicted {}", e2.display())), "{log}");
    assert!(e1.exists() && !e2.exists());
    assert_eq!(entries(&cache).len(), 2);
    assert!(total() <= bound, "{} > {bound}", total());
    let log = run_ok(&cache, &limit, &m4, "module 4\n");
    assert!(!e1.exists(), "module 1 is now the oldest: {log}");
    assert!(total() <= bound, "{} > {bound}", total());
    // An entry larger than the whole bound is not stored at all.
    let log = run_ok(&cache, &["-C", "max-cache-size=100"], &m1, "module 1\n");
    assert!(log.contains("not stored"), "{log}");
    assert_eq!(entries(&cache).len(), 2);
}

#[test]
fn a_cache_that_cannot_be_written_does_not_fail_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let m = printer(tmp.path(), "a.wat", "runs anyway");
    let file = tmp.path().join("a-file");
    fs::write(&file, "not a directory").unwrap();
    let mut cmd = wasihost("wasmtime");
    cmd.arg("--cache-dir").arg(file.join("c")).arg(&m);
    let (status, out, err) = output(&mut cmd);
    assert_eq!((status, out.as_str()), (0, "runs anyway\n"), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("wasihost: warning: compilation cache "),
        "{err}"
    );
    assert!(lines[0].contains("Not a directory"), "{err}");
}
