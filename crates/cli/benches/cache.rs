//! Cold against warm start of a big module through the compilation cache.
//!
//! `cargo bench -p wasihost-cli --bench cache` builds the release `wasihost`, generates a module
//! of more than 10 MB of code, and runs it twice with a fresh `--cache-dir`: the first run
//! compiles and stores the entry, the second loads it. Prints both times and their ratio (the
//! target is at least 20x). Not a test: timings are only compared within one run.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Functions in the module, and arithmetic steps in each.
const FUNCS: usize = 1200;
const STEPS: usize = 1100;
/// The least module size this benchmark is about.
const MIN_SIZE: usize = 10 << 20;

/// A WASI command whose `_start` calls the first of `FUNCS` long straight-line functions and
/// exits with its result, so the run checks the code it ran.
fn module_text() -> String {
    let mut wat = String::from("(module\n");
    wat.push_str(
        "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))\n  (memory (export \"memory\") 1)\n",
    );
    for f in 0..FUNCS {
        let _ = write!(wat, "  (func $f{f} (param i32) (result i32)");
        for s in 0..STEPS {
            // Constants of two LEB bytes, with operators varying, so no two steps are alike.
            let k = 1000 + (f * 7919 + s * 104_729) % 7000;
            let op = ["i32.add", "i32.xor", "i32.mul", "i32.sub"][s % 4];
            let _ = write!(wat, " local.get 0 i32.const {k} {op} local.set 0");
        }
        wat.push_str(" local.get 0)\n");
    }
    wat.push_str(
        "  (func (export \"_start\") (call $exit (i32.and (call $f0 (i32.const 1)) (i32.const 0))))\n)\n",
    );
    wat
}

/// One run of the module with `cache` as the cache directory.
fn run(bin: &str, cache: &Path, module: &Path) -> Duration {
    let start = Instant::now();
    let out = Command::new(bin)
        .arg("run")
        .arg("--cache-dir")
        .arg(cache)
        .arg(module)
        .output()
        .expect("run wasihost");
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "wasihost failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_wasihost");
    let tmp = tempfile::tempdir().expect("temporary directory");
    let wasm = wat::parse_str(module_text()).expect("generated module parses");
    assert!(
        wasm.len() >= MIN_SIZE,
        "module is {} bytes, want >= {MIN_SIZE}",
        wasm.len()
    );
    let module = tmp.path().join("big.wasm");
    std::fs::write(&module, &wasm).expect("write module");
    let cache = tmp.path().join("cache");

    let cold = run(bin, &cache, &module);
    let entries: Vec<_> = std::fs::read_dir(&cache)
        .expect("the cold run made the cache")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(entries.len(), 1, "one cache entry: {entries:?}");
    let entry_size = std::fs::metadata(&entries[0]).expect("entry").len();
    // The best of three warm runs, to keep a stray stall out of the number.
    let warm = (0..3)
        .map(|_| run(bin, &cache, &module))
        .min()
        .expect("three runs");

    println!(
        "module {:.1} MB, cache entry {:.1} MB",
        wasm.len() as f64 / 1e6,
        entry_size as f64 / 1e6
    );
    println!("cold start (compile and store): {cold:.2?}");
    println!("warm start (cache hit, best of 3): {warm:.2?}");
    let ratio = cold.as_secs_f64() / warm.as_secs_f64();
    let verdict = if ratio >= 20.0 { "meets" } else { "MISSES" };
    println!("ratio: {ratio:.1}x ({verdict} the 20x target)");
}
