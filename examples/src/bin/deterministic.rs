//! A deterministic run: virtual clocks, a seeded random source and fixed file times make the
//! same guest print the same bytes on every run and on both engines.
//!
//! `cargo run -p wasihost-examples --bin deterministic`

use wasihost::memfs::MemFs;
use wasihost::{Mount, OutputBuffer, WasiCtx};
use wasihost_examples::{BoxError, run_on_wasmi, run_on_wasmtime};

/// Run the guest once with `seed` (or without deterministic mode) and return its stdout.
fn run(engine: &str, seed: Option<u64>) -> Result<String, BoxError> {
    let mut builder = WasiCtx::builder();
    let mut fs = MemFs::new();
    if let Some(seed) = seed {
        builder.deterministic(seed);
        // The in-memory filesystem stamps files with the run's virtual clock.
        if let Some(clocks) = builder.deterministic_clocks() {
            fs = fs.with_clocks(clocks);
        }
    }
    fs.write_file("input.txt", b"same every time\n")?;
    let out = OutputBuffer::new();
    builder
        .args(["explore", "time", "time", "random", "16"])
        .args(["write", "/w/out.txt", "x", "stat", "/w/out.txt", "ls", "/w"])
        .stdout(out.stdio())
        .preopen(fs.root(), "/w", Mount::ReadWrite);
    match engine {
        "wasmtime" => run_on_wasmtime(builder.build()?)?,
        _ => run_on_wasmi(builder.build()?)?,
    };
    Ok(String::from_utf8(out.contents())?)
}

fn main() -> Result<(), BoxError> {
    let first = run("wasmtime", Some(7))?;
    assert_eq!(first, run("wasmtime", Some(7))?, "two runs differ");
    assert_eq!(first, run("wasmi", Some(7))?, "the engines differ");
    print!("seed 7, every run on both engines:\n{first}");
    assert_ne!(first, run("wasmtime", Some(8))?, "the seed changed nothing");
    assert_ne!(
        first,
        run("wasmtime", None)?,
        "a normal run looked deterministic"
    );
    println!("another seed, or no deterministic mode, gives other output");
    Ok(())
}
