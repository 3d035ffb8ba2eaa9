//! The five runners. Each guest runner compiles and instantiates the module with the preopened
//! fixture directory as `.` and inherited stdio, then times the `_start` call alone and reads the
//! guest's result words back from its memory. Every engine is used with its default `Config`.
//!
//! The wasmtime runners load a module the parent compiled ahead ([`precompile`]), as
//! `wasihost run` does on a cache hit: compiling in the timed process would leave wasmtime's
//! compiler threads in it, and Linux makes every fd system call of a multithreaded process take
//! and drop a reference on its `struct file` (a C `write(2)` loop to /dev/null: ~135 ns
//! single-threaded, ~205 ns beside one idle thread). Loaded this way, every timed process —
//! native, wasmi and wasmtime — is single-threaded, so the rows compare the hostcalls.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::workloads::Guest;

/// Who runs a workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runner {
    /// wasihost on wasmtime (`wasmtime_host::add_to_linker_for_instance`).
    WasihostWasmtime,
    /// wasihost on wasmi (`wasmi_host::add_to_linker_for_instance`).
    WasihostWasmi,
    /// wasmtime-wasi 48's preview1 (`wasmtime_wasi::p1::add_to_linker_sync`).
    WasmtimeWasi,
    /// `wasmi_wasi` 2 (wasi-common underneath).
    WasmiWasi,
    /// The same system calls made from Rust.
    Native,
}

/// Every runner, in column order.
pub const ALL: [Runner; 5] = [
    Runner::Native,
    Runner::WasihostWasmtime,
    Runner::WasihostWasmi,
    Runner::WasmtimeWasi,
    Runner::WasmiWasi,
];

/// What a guest run gives back.
pub struct GuestRun {
    /// The `_start` call.
    pub elapsed: Duration,
    /// The exit status (0 when `_start` returned).
    pub status: u32,
    /// The guest's result words: memory bytes 0..24.
    pub words: [u8; 24],
}

impl Runner {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Runner::WasihostWasmtime => "wasihost-wasmtime",
            Runner::WasihostWasmi => "wasihost-wasmi",
            Runner::WasmtimeWasi => "wasmtime-wasi",
            Runner::WasmiWasi => "wasmi_wasi",
            Runner::Native => "native",
        }
    }

    /// The column heading.
    pub fn heading(self) -> &'static str {
        match self {
            Runner::WasihostWasmtime => "wasihost (wasmtime)",
            Runner::WasihostWasmi => "wasihost (wasmi)",
            Runner::WasmtimeWasi => "wasmtime-wasi p1",
            Runner::WasmiWasi => "wasmi_wasi",
            Runner::Native => "native",
        }
    }

    /// Parse a command-line name.
    pub fn from_name(s: &str) -> Option<Runner> {
        ALL.into_iter().find(|r| r.name() == s)
    }

    /// Whether this runner loads a module compiled ahead by [`precompile`].
    pub fn uses_wasmtime(self) -> bool {
        matches!(self, Runner::WasihostWasmtime | Runner::WasmtimeWasi)
    }

    /// Run `guest` with `dir` preopened as `.`; the wasmtime runners load `cwasm` (the same
    /// module, compiled ahead by [`precompile`]) instead of compiling `guest.wasm`.
    pub fn run_guest(self, guest: &Guest, dir: &Path, cwasm: &Path) -> Result<GuestRun, String> {
        match self {
            Runner::WasihostWasmtime => {
                wasihost_wasmtime(guest, dir, cwasm).map_err(|e| format!("{e:#}"))
            }
            Runner::WasihostWasmi => wasihost_wasmi(guest, dir).map_err(|e| e.to_string()),
            Runner::WasmtimeWasi => {
                wasmtime_wasi_p1(guest, dir, cwasm).map_err(|e| format!("{e:#}"))
            }
            Runner::WasmiWasi => wasmi_wasi(guest, dir).map_err(|e| e.to_string()),
            Runner::Native => Err("native is not a guest runner".into()),
        }
    }
}

/// Compile `wasm` with wasmtime's default `Config` into `cwasm`, for the wasmtime runners.
pub fn precompile(wasm: &[u8], cwasm: &Path) -> Result<(), String> {
    let bytes = wasmtime::Engine::default()
        .precompile_module(wasm)
        .map_err(|e| format!("precompile: {e:#}"))?;
    std::fs::write(cwasm, bytes).map_err(|e| format!("{}: {e}", cwasm.display()))
}

/// The module [`precompile`] wrote to `cwasm`.
fn load(engine: &wasmtime::Engine, cwasm: &Path) -> wasmtime::Result<wasmtime::Module> {
    // SAFETY: `cwasm` was written by `precompile` in this benchmark's parent process, from this
    // binary's wasmtime with the same default `Config` as `engine`, in the fixture directory the
    // parent owns; nothing else writes it.
    unsafe { wasmtime::Module::deserialize_file(engine, cwasm) }
}

fn words(data: &[u8]) -> [u8; 24] {
    let mut w = [0; 24];
    w.copy_from_slice(&data[..24]);
    w
}

fn wasihost_wasmtime(guest: &Guest, dir: &Path, cwasm: &Path) -> wasmtime::Result<GuestRun> {
    use wasihost::{WasiCtx, wasmtime_host};
    let engine = wasmtime::Engine::default();
    let module = load(&engine, cwasm)?;
    let mut linker = wasmtime::Linker::new(&engine);
    let slot =
        wasmtime_host::add_to_linker_for_instance(&mut linker, &module, |cx: &mut WasiCtx| cx)?;
    let ctx = WasiCtx::builder()
        .args(&guest.args)
        .inherit_stdio()
        .preopen_dir(dir, ".")
        .build()?;
    let mut store = wasmtime::Store::new(&engine, ctx);
    let instance = linker.instantiate(&mut store, &module)?;
    wasmtime_host::bind_memory(&slot, &mut store, &instance);
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
    let t = Instant::now();
    let result = start.call(&mut store, ());
    let elapsed = t.elapsed();
    let status = match result {
        Ok(()) => 0,
        Err(e) => wasmtime_host::exit_code(&e).ok_or(e)?,
    };
    let memory = instance
        .get_memory(&mut store, "memory")
        .ok_or_else(|| wasmtime::Error::msg("no memory export"))?;
    Ok(GuestRun {
        elapsed,
        status,
        words: words(memory.data(&store)),
    })
}

fn wasihost_wasmi(guest: &Guest, dir: &Path) -> Result<GuestRun, Box<dyn std::error::Error>> {
    use wasihost::{WasiCtx, wasmi_host};
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, &guest.wasm)?;
    let mut linker = wasmi::Linker::new(&engine);
    let slot = wasmi_host::add_to_linker_for_instance(&mut linker, |cx: &mut WasiCtx| cx)?;
    let ctx = WasiCtx::builder()
        .args(&guest.args)
        .inherit_stdio()
        .preopen_dir(dir, ".")
        .build()?;
    let mut store = wasmi::Store::new(&engine, ctx);
    let instance = linker.instantiate_and_start(&mut store, &module)?;
    wasmi_host::bind_memory(&slot, &store, &instance);
    let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
    let t = Instant::now();
    let result = start.call(&mut store, ());
    let elapsed = t.elapsed();
    let status = match result {
        Ok(()) => 0,
        Err(e) => wasmi_host::exit_code(&e).ok_or(e)?,
    };
    let memory = instance
        .get_memory(&store, "memory")
        .ok_or("no memory export")?;
    Ok(GuestRun {
        elapsed,
        status,
        words: words(memory.data(&store)),
    })
}

fn wasmtime_wasi_p1(guest: &Guest, dir: &Path, cwasm: &Path) -> wasmtime::Result<GuestRun> {
    use wasmtime_wasi::p1::{self, WasiP1Ctx};
    let engine = wasmtime::Engine::default();
    let module = load(&engine, cwasm)?;
    let mut linker: wasmtime::Linker<WasiP1Ctx> = wasmtime::Linker::new(&engine);
    p1::add_to_linker_sync(&mut linker, |cx| cx)?;
    // Blocking calls on the calling thread: what a synchronous embedder wanting speed sets
    // (without it every file call goes through a blocking-task hop).
    let ctx = wasmtime_wasi::WasiCtxBuilder::new()
        .args(&guest.args[..])
        .inherit_stdio()
        .allow_blocking_current_thread(true)
        .preopened_dir(dir, ".", wasmtime_wasi::FsPerms::ReadWrite)?
        .build_p1();
    let mut store = wasmtime::Store::new(&engine, ctx);
    let instance = linker.instantiate(&mut store, &module)?;
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
    let t = Instant::now();
    let result = start.call(&mut store, ());
    let elapsed = t.elapsed();
    let status = match result {
        Ok(()) => 0,
        Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(exit) => exit.0 as u32,
            None => return Err(e),
        },
    };
    let memory = instance
        .get_memory(&mut store, "memory")
        .ok_or_else(|| wasmtime::Error::msg("no memory export"))?;
    Ok(GuestRun {
        elapsed,
        status,
        words: words(memory.data(&store)),
    })
}

fn wasmi_wasi(guest: &Guest, dir: &Path) -> Result<GuestRun, Box<dyn std::error::Error>> {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, &guest.wasm)?;
    let mut linker: wasmi::Linker<wasmi_wasi::WasiCtx> = wasmi::Linker::new(&engine);
    wasmi_wasi::add_to_linker(&mut linker, |cx| cx)?;
    let preopen = wasmi_wasi::Dir::open_ambient_dir(dir, wasmi_wasi::ambient_authority())?;
    let ctx = wasmi_wasi::WasiCtxBuilder::new()
        .args(&guest.args)?
        .inherit_stdio()
        .preopened_dir(preopen, ".")?
        .build();
    let mut store = wasmi::Store::new(&engine, ctx);
    let instance = linker.instantiate_and_start(&mut store, &module)?;
    let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
    let t = Instant::now();
    let result = start.call(&mut store, ());
    let elapsed = t.elapsed();
    let status = match result {
        Ok(()) => 0,
        Err(e) => match e.i32_exit_status() {
            Some(s) => s as u32,
            None => return Err(e.into()),
        },
    };
    let memory = instance
        .get_memory(&store, "memory")
        .ok_or("no memory export")?;
    Ok(GuestRun {
        elapsed,
        status,
        words: words(memory.data(&store)),
    })
}
