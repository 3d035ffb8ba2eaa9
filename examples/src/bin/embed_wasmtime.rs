//! Embed wasihost in wasmtime, step by step: a context with arguments, environment, inherited
//! stdio and a preopened host directory; a linker; a store whose data holds the context
//! beside the embedder's own state; `_start`; the exit status.
//!
//! `cargo run -p wasihost-examples --bin embed_wasmtime`

use wasihost::{WasiCtx, wasmtime_host};
use wasihost_examples::{BoxError, EXPLORE};
use wasmtime::{Engine, Linker, Module, Store};

/// The store's data: the guest's WASI state and whatever else the embedder keeps.
struct State {
    wasi: WasiCtx,
    runs: u32,
}

fn main() -> Result<(), BoxError> {
    let dir = std::env::temp_dir().join(format!("wasihost-embed-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("greeting.txt"), "hello from the host\n")?;

    let engine = Engine::default();
    let module = Module::new(&engine, EXPLORE)?;
    let mut linker = Linker::new(&engine);
    // Registers wasi_snapshot_preview1 and wasi_unstable; the closure finds the context.
    wasmtime_host::add_to_linker(&mut linker, |s: &mut State| &mut s.wasi)?;

    let wasi = WasiCtx::builder()
        .args(["explore", "ls", "/data", "cat", "/data/greeting.txt"])
        .args(["write", "/data/reply.txt", "hello from the guest"])
        .env("LANG", "C")
        .inherit_stdio()
        .preopen_dir(&dir, "/data")
        .build()?;
    let mut store = Store::new(&engine, State { wasi, runs: 0 });
    let instance = linker.instantiate(&mut store, &module)?;
    store.data_mut().runs += 1;
    let status = wasmtime_host::call_start(&mut store, &instance)?;

    let reply = std::fs::read_to_string(dir.join("reply.txt"))?;
    println!(
        "status {status} after {} run; the guest wrote: {reply}",
        store.data().runs
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
