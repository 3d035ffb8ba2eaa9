//! `wasihost run`: run a WASI command module.
//!
//! Exit status: the guest's `proc_exit` code (0 when `_start` returns); 2 for bad usage or a
//! module that cannot be read or compiled; 134 when the guest traps (the status of an aborted
//! process, as other runtimes report it).

mod args;

use std::process::ExitCode;

use wasihost::{Trap, WasiCtx};

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match args::parse(&argv) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("wasihost: {}", e.0);
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(status) => ExitCode::from((status & 0xff) as u8),
        Err(Failure::Usage(msg)) => {
            eprintln!("wasihost: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Trap(msg)) => {
            eprintln!("wasihost: guest trapped: {msg}");
            ExitCode::from(134)
        }
    }
}

enum Failure {
    /// Bad input: flags, files, module.
    Usage(String),
    /// The guest failed while running.
    Trap(String),
}

fn one_line(e: impl std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or("").to_string()
}

fn run(args: &args::RunArgs) -> Result<u32, Failure> {
    let path = &args.module;
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
    let wasm = if path.extension().is_some_and(|e| e == "wat") || bytes.starts_with(b"(") {
        wat::parse_bytes(&bytes)
            .map_err(|e| Failure::Usage(format!("{}: {}", path.display(), one_line(e))))?
            .into_owned()
    } else {
        bytes
    };
    let mut builder = WasiCtx::builder();
    builder.inherit_stdio();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    builder.arg(name.unwrap_or_default());
    builder.args(&args.guest_args);
    if args.inherit_env {
        builder.inherit_env();
    }
    for (k, v) in &args.env {
        builder.env(k, v);
    }
    for (host, guest) in &args.dirs {
        builder.preopen_dir(host, guest.clone());
    }
    for addr in &args.tcplisten {
        let listener = std::net::TcpListener::bind(addr)
            .map_err(|e| Failure::Usage(format!("--tcplisten {addr}: {e}")))?;
        builder.preopen_socket(listener);
    }
    let ctx = builder.build().map_err(|e| Failure::Usage(e.to_string()))?;
    let bad_module =
        |e: &dyn std::fmt::Display| Failure::Usage(format!("{}: {}", path.display(), one_line(e)));
    match args.engine {
        args::Engine::Wasmtime => run_wasmtime(&wasm, ctx, bad_module),
        args::Engine::Wasmi => run_wasmi(&wasm, ctx, bad_module),
    }
}

// Each engine reports a failed run the same way: our `Trap` by its own message, a WebAssembly
// trap as `wasm trap: ` and the spec test suite's wording (which both engines use), anything
// else by its first line.

/// Compile and run on wasmtime.
fn run_wasmtime(
    wasm: &[u8],
    ctx: WasiCtx,
    bad_module: impl Fn(&dyn std::fmt::Display) -> Failure,
) -> Result<u32, Failure> {
    use wasihost::wasmtime_host;
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::new(&engine, wasm).map_err(|e| bad_module(&e))?;
    if module.get_export("_start").is_none() {
        return Err(bad_module(&"not a WASI command: no `_start` export"));
    }
    let trap = |e: wasmtime::Error| {
        match (e.downcast_ref::<Trap>(), e.downcast_ref::<wasmtime::Trap>()) {
            (Some(t), _) => Some(t.to_string()),
            (None, Some(t)) => Some(t.to_string()),
            (None, None) => None,
        }
        .map_or_else(|| bad_module(&one_line(&e)), Failure::Trap)
    };
    let mut linker = wasmtime::Linker::new(&engine);
    wasmtime_host::add_to_linker_for_module(&mut linker, &module, |cx: &mut WasiCtx| cx)
        .map_err(|e| bad_module(&e))?;
    let mut store = wasmtime::Store::new(&engine, ctx);
    // A module that cannot be linked (an import we do not provide) is bad input; a trap in its
    // start function is a trap.
    let instance = linker.instantiate(&mut store, &module).map_err(trap)?;
    wasmtime_host::call_start(&mut store, &instance).map_err(trap)
}

/// Compile and run on wasmi.
fn run_wasmi(
    wasm: &[u8],
    ctx: WasiCtx,
    bad_module: impl Fn(&dyn std::fmt::Display) -> Failure,
) -> Result<u32, Failure> {
    use wasihost::wasmi_host;
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wasm).map_err(|e| bad_module(&e))?;
    if module.get_export("_start").is_none() {
        return Err(bad_module(&"not a WASI command: no `_start` export"));
    }
    let trap = |e: wasmi::Error| {
        match (e.downcast_ref::<Trap>(), e.as_trap_code()) {
            (Some(t), _) => Some(t.to_string()),
            (None, Some(code)) => Some(format!("wasm trap: {}", code.trap_message())),
            (None, None) => None,
        }
        .map_or_else(|| bad_module(&one_line(&e)), Failure::Trap)
    };
    let mut linker = wasmi::Linker::new(&engine);
    wasmi_host::add_to_linker(&mut linker, |cx: &mut WasiCtx| cx).map_err(|e| bad_module(&e))?;
    let mut store = wasmi::Store::new(&engine, ctx);
    let instance = linker
        .instantiate_and_start(&mut store, &module)
        .map_err(trap)?;
    wasmi_host::call_start(&mut store, &instance).map_err(trap)
}
