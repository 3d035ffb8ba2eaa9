//! `wasihost run`: run a WASI command module.
//!
//! Exit status: the guest's `proc_exit` code (0 when `_start` returns); 2 for bad usage or a
//! module that cannot be read, compiled or linked; 122 when a memory would grow beyond
//! `-W max-memory-size`; 123 when `-W fuel` runs out; 124 after `-W timeout`; 134 when the
//! guest traps (the status of an aborted process, as other runtimes report it). See
//! [`errors`].

mod args;
mod errors;
mod features;
mod invoke;
mod limits;
mod options;
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
    match run(&args) {
        Ok(status) => ExitCode::from((status & 0xff) as u8),
        Err(f) => {
            eprintln!("wasihost: {}", f.message());
            ExitCode::from(f.status())
        }
    }
}

fn run(args: &args::RunArgs) -> Result<u32, Failure> {
    let path = &args.module;
    let what = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::Usage(format!("cannot read {what}: {}", errors::chain(&e))))?;
    let wasm = if path.extension().is_some_and(|e| e == "wat") || bytes.starts_with(b"(") {
        wat::parse_bytes(&bytes)
            .map_err(|e| Failure::Usage(format!("{what}: {}", errors::chain(&e))))?
            .into_owned()
    } else {
        bytes
    };
    let wasi = build_ctx(args)?;
    let host = Host {
        wasi,
        memory: limits::MemoryLimit {
            max: args.limits.max_memory,
            hit: false,
        },
    };
    match args.engine {
        args::Engine::Wasmtime => run_wasmtime::run(args, &wasm, host, &what),
        args::Engine::Wasmi => run_wasmi::run(args, &wasm, host, &what),
    }
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
