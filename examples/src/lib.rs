//! What the examples in `src/bin` share: the guest they run and a one-call wasmtime runner.
//!
//! Each example is a small program: `cargo run -p wasihost-examples --bin NAME`. The guest is
//! `tests/guests/src/explore.c` (built to `tests/guests/bin/explore.wasm`), which runs the
//! commands given as its arguments: `ls DIR`, `cat FILE`, `write FILE TEXT`, `stat PATH`,
//! `stdin`, `err TEXT`, `time`, `random N`.

use std::error::Error;

/// The examples' guest program, a WASI command.
pub const EXPLORE: &[u8] = include_bytes!("../../tests/guests/bin/explore.wasm");

/// The error type of the examples' `main`.
pub type BoxError = Box<dyn Error + Send + Sync>;

/// Run [`EXPLORE`] on wasmtime with `ctx`; its exit status.
pub fn run_on_wasmtime(ctx: wasihost::WasiCtx) -> Result<u32, BoxError> {
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::new(&engine, EXPLORE)?;
    Ok(wasihost::wasmtime_host::run(&engine, &module, ctx)?)
}

/// Run [`EXPLORE`] on wasmi with `ctx`; its exit status.
pub fn run_on_wasmi(ctx: wasihost::WasiCtx) -> Result<u32, BoxError> {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, EXPLORE)?;
    Ok(wasihost::wasmi_host::run(&engine, &module, ctx)?)
}
