//! `wasihost run`: run a WASI command module; `wasihost compile`: precompile one.
//!
//! Exit status: the guest's `proc_exit` code (0 when `_start` returns); 2 for bad usage or a
//! module that cannot be read, compiled or linked; 122 when a memory would grow beyond
//! `-W max-memory-size`; 123 when `-W fuel` runs out; 124 after `-W timeout`; 134 when the
//! guest traps (the status of an aborted process, as other runtimes report it). See
//! [`errors`].

mod args;
mod cache;
mod compile_pool;
mod errors;
mod features;
mod invoke;
mod limits;
mod options;
mod run_threads;
mod run_wasmi;
mod run_wasmtime;

use std::process::ExitCode;

use errors::{EXIT_USAGE, Failure};
use wasihost::memfs::MemFs;
use wasihost::{Mount, WasiCtx};

/// The store's data on both engines.
pub struct Host {
    /// The guest's WASI state.
    pub wasi: WasiCtx,
    /// `-W max-memory-size`.
    pub memory: limits::MemoryLimit,
}

/// A module file's contents.
pub enum Input {
    /// WebAssembly (`.wat` already turned into binary).
    Wasm(Vec<u8>),
    /// A file from `wasihost compile`, header and all.
    Precompiled(Vec<u8>),
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match args::parse(&argv) {
        Ok(a) => a,
        Err(e) if e.0 == args::HELP => {
            println!("{}", args::HELP);
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("wasihost: {}", e.0);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let result = match &args {
        args::Command::Run(a) => run(a),
        args::Command::Compile(c) => compile(c),
    };
    match result {
        Ok(status) => ExitCode::from((status & 0xff) as u8),
        Err(f) => {
            eprintln!("wasihost: {}", f.message());
            ExitCode::from(f.status())
        }
    }
}

/// Read a module: a precompiled file (by its magic), text (by `.wat` or a leading `(`), or
/// binary WebAssembly.
fn read_module(path: &std::path::Path) -> Result<Input, Failure> {
    let what = path.display();
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::Usage(format!("cannot read {what}: {}", errors::chain(&e))))?;
    if bytes.starts_with(&cache::MAGIC) {
        return Ok(Input::Precompiled(bytes));
    }
    if path.extension().is_some_and(|e| e == "wat") || bytes.starts_with(b"(") {
        let wasm = wat::parse_bytes(&bytes)
            .map_err(|e| Failure::Usage(format!("{what}: {}", errors::chain(&e))))?;
        return Ok(Input::Wasm(wasm.into_owned()));
    }
    Ok(Input::Wasm(bytes))
}

fn run(args: &args::RunArgs) -> Result<u32, Failure> {
    let what = args.module.display().to_string();
    let input = read_module(&args.module)?;
    if args.engine == args::Engine::Wasmi && matches!(input, Input::Precompiled(_)) {
        return Err(Failure::Usage(format!(
            "{what}: precompiled by wasihost compile for wasmtime; --engine wasmi runs only \
             .wasm or .wat modules"
        )));
    }
    if args.engine == args::Engine::Wasmi
        && let Input::Wasm(wasm) = &input
        && (args.threads == Some(true) || run_threads::imports_thread_spawn(wasm))
    {
        return Err(Failure::Usage(format!(
            "{what}: wasi-threads (wasi.thread-spawn) needs the threads proposal, which the \
             wasmi engine lacks; use --engine wasmtime"
        )));
    }
    let wasi = build_ctx(args)?;
    let host = Host {
        wasi,
        memory: limits::MemoryLimit {
            max: args.limits.max_memory,
            hit: false,
        },
    };
    match input {
        Input::Wasm(wasm) if args.engine == args::Engine::Wasmi => {
            run_wasmi::run(args, &wasm, host, &what)
        }
        input => run_wasmtime::run(args, &input, host, &what),
    }
}

/// `wasihost compile`: write the module's wasmtime code, with our header, to `-o OUT`.
fn compile(args: &args::CompileArgs) -> Result<u32, Failure> {
    let what = args.module.display().to_string();
    let Input::Wasm(wasm) = read_module(&args.module)? else {
        return Err(Failure::Usage(format!(
            "{what}: already precompiled (compile takes a .wasm or .wat module)"
        )));
    };
    let threads = run_threads::imports_thread_spawn(&wasm);
    let engine = run_wasmtime::engine(&args.features, &args.limits, threads)?;
    let code = engine
        .precompile_module(&wasm)
        .map_err(|e| Failure::Usage(format!("{what}: {}", errors::wasmtime_chain(&e))))?;
    let key = cache::key(&engine, &args.features, &args.limits, &wasm);
    std::fs::write(&args.output, cache::encode(&key, &code)).map_err(|e| {
        Failure::Usage(format!(
            "cannot write {}: {}",
            args.output.display(),
            errors::chain(&e)
        ))
    })?;
    Ok(0)
}

/// The guest's WASI context from the flags.
fn build_ctx(args: &args::RunArgs) -> Result<WasiCtx, Failure> {
    let mut builder = WasiCtx::builder();
    builder.inherit_stdio();
    let name = args.module.file_name().map(|n| n.to_string_lossy());
    builder.arg(args.argv0.as_deref().unwrap_or(&name.unwrap_or_default()));
    builder.args(&args.guest_args);
    if args.inherit_env {
        builder.inherit_env();
    }
    for (k, v) in &args.env {
        builder.env(k, v);
    }
    if let Some(seed) = args.deterministic {
        builder.deterministic(seed);
    }
    if let Some(n) = args.max_threads {
        builder.max_threads(n);
    }
    if let Some(n) = args.max_open_fds {
        builder.max_open_fds(n);
    }
    let clocks = builder.deterministic_clocks();
    for d in &args.dirs {
        if d.in_memory {
            let what = d.host.display();
            let mut fs = MemFs::from_host_dir(&d.host)
                .map_err(|e| Failure::Usage(format!("--mem-dir {what}: {}", errors::chain(&e))))?;
            if let Some(c) = &clocks {
                fs.set_all_times(c.epoch());
                fs = fs.with_clocks(c.clone());
            }
            if let Some(n) = args.mem_dir_max_bytes {
                fs = fs.with_max_bytes(n);
            }
            builder.preopen(fs.root(), d.guest.clone(), Mount::ReadWrite);
        } else if d.read_only {
            builder.preopen_dir_read_only(&d.host, d.guest.clone());
        } else {
            builder.preopen_dir(&d.host, d.guest.clone());
        }
    }
    for addr in &args.tcplisten {
        let listener = std::net::TcpListener::bind(addr)
            .map_err(|e| Failure::Usage(format!("--tcplisten {addr}: {e}")))?;
        builder.preopen_socket(listener);
    }
    match &args.trace {
        None => {}
        Some(None) => {
            builder.trace_to(std::io::stderr());
        }
        Some(Some(path)) => {
            let file = std::fs::File::create(path).map_err(|e| {
                Failure::Usage(format!("--trace={}: cannot create: {e}", path.display()))
            })?;
            builder.trace_to(std::io::LineWriter::new(file));
        }
    }
    builder.build().map_err(|e| match args.deterministic {
        Some(seed) => Failure::Usage(format!("--deterministic={seed}: {e}")),
        None => Failure::Usage(e.to_string()),
    })
}
