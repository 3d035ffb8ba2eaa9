//! How a failed run is reported: one line with every cause (a trap adds its wasm frames), and
//! an exit status per kind of failure.

use std::fmt::Write as _;

/// Exit status for bad usage, or a module that cannot be read, compiled or linked.
pub const EXIT_USAGE: u8 = 2;
/// Exit status when a memory would grow beyond `-W max-memory-size`.
pub const EXIT_MEMORY_LIMIT: u8 = 122;
/// Exit status when the guest used up `-W fuel`.
pub const EXIT_FUEL: u8 = 123;
/// Exit status when the guest ran past `-W timeout` (as GNU `timeout` reports it).
pub const EXIT_TIMEOUT: u8 = 124;
/// Exit status when the guest traps (that of an aborted process, as other runtimes report it).
pub const EXIT_TRAP: u8 = 134;

/// The most wasm frames a trap report shows.
const MAX_FRAMES: usize = 12;

/// Why a run did not end with an exit status of the guest's.
#[derive(Debug)]
pub enum Failure {
    /// Bad input: flags, files, module.
    Usage(String),
    /// The guest trapped: the first line says how, the rest are wasm frames.
    Trap(String),
    /// `-W max-memory-size` stopped the guest.
    MemoryLimit(String),
    /// `-W fuel` ran out.
    Fuel(String),
    /// `-W timeout` passed.
    Timeout(String),
}

impl Failure {
    /// The process exit status.
    pub fn status(&self) -> u8 {
        match self {
            Failure::Usage(_) => EXIT_USAGE,
            Failure::Trap(_) => EXIT_TRAP,
            Failure::MemoryLimit(_) => EXIT_MEMORY_LIMIT,
            Failure::Fuel(_) => EXIT_FUEL,
            Failure::Timeout(_) => EXIT_TIMEOUT,
        }
    }

    /// What to print after `wasihost: `.
    pub fn message(&self) -> String {
        match self {
            Failure::Usage(m) => m.clone(),
            Failure::Trap(m) => format!("guest trapped: {m}"),
            Failure::MemoryLimit(m) => format!("guest stopped: {m}"),
            Failure::Fuel(m) => format!("guest stopped: {m}"),
            Failure::Timeout(m) => format!("guest stopped: {m}"),
        }
    }
}

/// Join messages into one line, `a: b: c`, each by its first line, leaving out a message the
/// previous one already ends with.
pub fn join<'a>(messages: impl IntoIterator<Item = String> + 'a) -> String {
    let mut out = String::new();
    for m in messages {
        let m = m.lines().next().unwrap_or("").trim().to_string();
        if m.is_empty() || out.ends_with(&m) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&m);
    }
    out
}

/// Every cause of a std error, one line.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut all = Vec::new();
    let mut cur = Some(e);
    while let Some(e) = cur {
        all.push(e.to_string());
        cur = e.source();
    }
    join(all)
}

/// Every cause of a wasmtime error, one line, without the backtrace it may carry.
pub fn wasmtime_chain(e: &wasmtime::Error) -> String {
    let backtrace = e
        .downcast_ref::<wasmtime::WasmBacktrace>()
        .map(|bt| bt.to_string());
    join(
        e.chain()
            .map(|c| c.to_string())
            .filter(|c| Some(c) != backtrace.as_ref()),
    )
}

/// The wasm frames of a wasmtime error, innermost first, one indented line each.
pub fn wasmtime_frames(e: &wasmtime::Error) -> String {
    let mut out = String::new();
    let Some(bt) = e.downcast_ref::<wasmtime::WasmBacktrace>() else {
        return out;
    };
    for frame in bt.frames().iter().take(MAX_FRAMES) {
        let module = frame.module().name().unwrap_or("<module>");
        let _ = match frame.func_name() {
            Some(name) => write!(out, "\n    at {name}"),
            None => write!(out, "\n    at func[{}]", frame.func_index()),
        };
        let _ = match frame.module_offset() {
            Some(off) => write!(out, " ({module} @ {off:#x})"),
            None => write!(out, " ({module})"),
        };
    }
    if bt.frames().len() > MAX_FRAMES {
        let _ = write!(out, "\n    ... {} more", bt.frames().len() - MAX_FRAMES);
    }
    out
}
