//! Command-line parsing for `wasihost run` and `wasihost compile`.

use std::path::PathBuf;

use crate::features::Feature;
use crate::options;

/// A preopened directory from `--dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dir {
    /// The host directory.
    pub host: PathBuf,
    /// The name the guest sees.
    pub guest: String,
    /// Mounted with `::ro`.
    pub read_only: bool,
    /// `--mem-dir`: an in-memory copy of the host directory.
    pub in_memory: bool,
}

/// Limits from `-W fuel=`, `-W max-memory-size=` and `-W timeout=`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Fuel the guest may burn.
    pub fuel: Option<u64>,
    /// The largest any one linear memory may become, in bytes.
    pub max_memory: Option<u64>,
    /// Wall-clock time the guest may run.
    pub timeout: Option<std::time::Duration>,
}

/// The compilation cache's flags: `--cache-dir`, `-C cache=y|n`, `-C max-cache-size=`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CacheOpts {
    /// `-C cache=n`: compile every time, read and write nothing.
    pub off: bool,
    /// `--cache-dir DIR` instead of the default directory.
    pub dir: Option<PathBuf>,
    /// `-C max-cache-size=BYTES` instead of the default bound.
    pub max_size: Option<u64>,
}

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// `wasihost [run] ...`: run a module.
    Run(Box<RunArgs>),
    /// `wasihost compile ...`: write a precompiled module.
    Compile(CompileArgs),
}

/// What `wasihost compile` was asked to do.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CompileArgs {
    /// `-W FEATURE=y|n` overrides, in order.
    pub features: Vec<(Feature, bool)>,
    /// `-W fuel=`/`-W timeout=` decide whether the code counts fuel or checks epochs.
    pub limits: Limits,
    /// The module to compile.
    pub module: PathBuf,
    /// `-o OUT`.
    pub output: PathBuf,
}

/// What `wasihost run` was asked to do.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RunArgs {
    /// Preopened directories.
    pub dirs: Vec<Dir>,
    /// Environment variables given with `--env` (value already resolved).
    pub env: Vec<(String, String)>,
    /// Copy the whole host environment.
    pub inherit_env: bool,
    /// TCP addresses to listen on and hand to the guest.
    pub tcplisten: Vec<String>,
    /// `-S threads=y|n`: wasi-threads on or off (default: on for modules importing
    /// `wasi.thread-spawn`).
    pub threads: Option<bool>,
    /// `-S max-threads=N`: the cap on spawned threads running at once.
    pub max_threads: Option<u32>,
    /// `-S max-open-fds=N`: the most descriptors the guest may have open.
    pub max_open_fds: Option<u32>,
    /// `-S max-mem-dir-size=BYTES`: the cap on each `--mem-dir` file system's data.
    pub mem_dir_max_bytes: Option<u64>,
    /// The engine to use.
    pub engine: Engine,
    /// `--deterministic[=SEED]`.
    pub deterministic: Option<u64>,
    /// `--argv0`: the guest's program name instead of the module's file name.
    pub argv0: Option<String>,
    /// `-W FEATURE=y|n` overrides, in order.
    pub features: Vec<(Feature, bool)>,
    /// Resource limits.
    pub limits: Limits,
    /// `--invoke FUNC`: call this export (with `guest_args` as its arguments) instead of `_start`.
    pub invoke: Option<String>,
    /// `--trace` (to stderr, `Some(None)`) or `--trace=FILE`.
    pub trace: Option<Option<PathBuf>>,
    /// The compilation cache (wasmtime only).
    pub cache: CacheOpts,
    /// The module file.
    pub module: PathBuf,
    /// Arguments after the module, passed to the guest.
    pub guest_args: Vec<String>,
}

/// The WebAssembly engines `--engine` can choose.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// wasmtime (compiles to native code); the default.
    #[default]
    Wasmtime,
    /// wasmi (an interpreter).
    Wasmi,
}

impl Engine {
    /// The engine called `name` on the command line.
    pub fn from_name(name: &str) -> Option<Engine> {
        match name {
            "wasmtime" => Some(Engine::Wasmtime),
            "wasmi" => Some(Engine::Wasmi),
            _ => None,
        }
    }
}

/// A usage error, shown as one line.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

/// What `--help` prints.
pub const HELP: &str = "\
usage: wasihost [run] [OPTIONS] MODULE [ARGS]...
       wasihost compile [-W OPTIONS] MODULE -o OUT

run: run a WASI preview1 command module (.wasm, .wat, or a file from wasihost compile).
compile: compile MODULE for wasmtime ahead of time into OUT; `wasihost run OUT` runs it
with the same -W options (fuel and timeout on or off, proposals).

Options:
  --dir HOST[::GUEST[::ro|rw]]  preopen HOST as GUEST (default: HOST), read-only with ::ro
  --mem-dir HOST[::GUEST]      preopen an in-memory copy of HOST as GUEST (default: HOST);
                                the guest's changes never reach the host
  --env NAME=VALUE              set a guest environment variable
  --env NAME                    pass the host's value of NAME
  --inherit-env, -S inherit-env pass the whole host environment
  --tcplisten ADDR, -S tcplisten=ADDR
                                listen on ADDR and give the guest the socket
  -S threads=y|n                wasi-threads (wasi.thread-spawn; wasmtime only): on by default
                                for modules that import thread-spawn
  -S max-threads=N              at most N spawned threads running at once (default 64)
  -S max-open-fds=N             the most descriptors the guest may have open (default
                                16384; more is EMFILE)
  -S max-mem-dir-size=BYTES     cap each --mem-dir's file data (default 1 GiB; more is
                                ENOSPC)
  --argv0 NAME                  the guest's argv[0] (default: the module's file name)
  --invoke FUNC                 call export FUNC instead of _start (after _initialize, if
                                any), with the ARGS after MODULE as its arguments; print
                                its results, one per line
  --deterministic[=SEED]        virtual clocks, seeded random (default seed 0); refuses
                                writable --dir (use ::ro or --mem-dir), sockets and the inherited environment
  --engine wasmtime|wasmi       the engine (default wasmtime)
  --trace[=FILE]                log every hostcall (decoded arguments, result, duration),
                                one line each, to stderr or FILE
  -W FEATURE=y|n                enable or disable a WebAssembly proposal: exceptions, threads,
                                tail-call, bulk-memory, multi-value, multi-memory,
                                reference-types, simd, relaxed-simd, extended-const, memory64,
                                gc, function-references, wide-arithmetic, custom-page-sizes
  -W fuel=N                     stop the guest after N units of fuel
  -W max-memory-size=BYTES      no linear memory may grow beyond BYTES
  -W timeout=DURATION           stop the guest after DURATION (e.g. 500ms, 2s, 1m; wasmtime)
  --cache-dir DIR               keep compiled modules in DIR (wasmtime; default
                                $XDG_CACHE_HOME/wasihost, else ~/.cache/wasihost)
  -C cache=y|n                  use the compilation cache (default y)
  -C max-cache-size=BYTES       evict the least recently used entries beyond BYTES (default 1 GiB)
  -o OUT                        (compile) the precompiled file to write
  -h, --help                    print this help

Exit status: the guest's proc_exit code (0 when _start returns); 2 bad usage or a module that
cannot be read, compiled or linked; 122 max-memory-size exceeded; 123 fuel exhausted;
124 timeout; 134 the guest trapped.";

/// Parse the arguments after the program name: `compile ...`, `run ...`, or the arguments of
/// `run` without the word (so a module called `compile` needs `run` or a path: `./compile`).
pub fn parse(args: &[String]) -> Result<Command, UsageError> {
    match args.first().map(String::as_str) {
        Some("compile") => parse_compile(&args[1..]).map(Command::Compile),
        Some("run") => parse_run(&args[1..]).map(|r| Command::Run(Box::new(r))),
        _ => parse_run(args).map(|r| Command::Run(Box::new(r))),
    }
}

/// A flag and its glued or `=` value: `--dir=X`, `-Wkey=v`, `-Skey=v`, `-Ckey=v`, `-oOUT`.
fn split_flag(arg: &str) -> (&str, Option<&str>) {
    match arg.split_once('=') {
        Some((f, v)) if f.starts_with("--") => (f, Some(v)),
        _ if arg.len() > 2 && ["-W", "-S", "-C", "-o"].iter().any(|p| arg.starts_with(p)) => {
            (&arg[..2], Some(&arg[2..]))
        }
        _ => (arg, None),
    }
}

/// The value of `flag`: glued (`inline`) or the next argument.
fn value(
    args: &[String],
    i: &mut usize,
    flag: &str,
    inline: Option<&str>,
) -> Result<String, UsageError> {
    if let Some(v) = inline {
        return Ok(v.to_string());
    }
    *i += 1;
    args.get(*i)
        .cloned()
        .ok_or_else(|| UsageError(format!("{flag} needs a value")))
}

/// `wasihost compile`: `-W` options, one MODULE and `-o OUT`, in any order.
fn parse_compile(args: &[String]) -> Result<CompileArgs, UsageError> {
    let mut out = CompileArgs::default();
    let (mut module, mut output) = (None, None);
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        let positional = if arg == "--" {
            i += 1;
            args.get(i)
        } else if !arg.starts_with('-') || arg == "-" {
            Some(arg)
        } else {
            None
        };
        if let Some(m) = positional {
            if let Some(first) = module.replace(PathBuf::from(m)) {
                return Err(UsageError(format!(
                    "compile: unexpected argument {m} (already compiling {})",
                    first.display()
                )));
            }
            i += 1;
            continue;
        }
        let (flag, inline) = split_flag(arg);
        match flag {
            "-o" | "--output" => output = Some(PathBuf::from(value(args, &mut i, flag, inline)?)),
            "-W" => options::wasm(
                &value(args, &mut i, flag, inline)?,
                &mut out.features,
                &mut out.limits,
            )?,
            "-h" | "--help" => return Err(UsageError(HELP.to_string())),
            _ => {
                return Err(UsageError(format!(
                    "compile: unknown option {arg} (compile takes -W options and -o OUT)"
                )));
            }
        }
        i += 1;
    }
    out.module = module.ok_or_else(|| UsageError("compile: missing MODULE".to_string()))?;
    out.output = output.ok_or_else(|| UsageError("compile: missing -o OUT".to_string()))?;
    Ok(out)
}

/// `wasihost run`'s arguments (after the word `run`, if given).
fn parse_run(args: &[String]) -> Result<RunArgs, UsageError> {
    let mut out = RunArgs::default();
    let mut i = 0;
    let value = |i: &mut usize, flag: &str, inline: Option<&str>| value(args, i, flag, inline);
    while i < args.len() {
        let arg = &args[i];
        if !arg.starts_with('-') || arg == "-" {
            out.module = PathBuf::from(arg);
            out.guest_args = args[i + 1..].to_vec();
            return Ok(out);
        }
        if arg == "--" {
            let Some(m) = args.get(i + 1) else { break };
            out.module = PathBuf::from(m);
            out.guest_args = args[i + 2..].to_vec();
            return Ok(out);
        }
        let (flag, inline) = split_flag(arg);
        match flag {
            "--dir" => out.dirs.push(parse_dir(&value(&mut i, flag, inline)?)?),
            "--mem-dir" => out.dirs.push(parse_mem_dir(&value(&mut i, flag, inline)?)?),
            "--env" => out.env.push(parse_env(&value(&mut i, flag, inline)?)?),
            "--inherit-env" => out.inherit_env = true,
            "--tcplisten" => out.tcplisten.push(value(&mut i, flag, inline)?),
            "--argv0" => out.argv0 = Some(value(&mut i, flag, inline)?),
            "--invoke" => out.invoke = Some(value(&mut i, flag, inline)?),
            "--deterministic" => {
                let seed = inline.map_or(Ok(0), |s| {
                    s.parse::<u64>().map_err(|e| {
                        UsageError(format!("--deterministic={s}: not a seed (0..2^64): {e}"))
                    })
                })?;
                out.deterministic = Some(seed);
            }
            "--trace" => out.trace = Some(inline.map(PathBuf::from)),
            "--engine" => {
                let v = value(&mut i, flag, inline)?;
                out.engine = Engine::from_name(&v).ok_or_else(|| {
                    UsageError(format!(
                        "--engine {v}: unknown engine (expected wasmtime or wasmi)"
                    ))
                })?;
            }
            "-W" => options::wasm(
                &value(&mut i, flag, inline)?,
                &mut out.features,
                &mut out.limits,
            )?,
            "-S" => options::wasi(&value(&mut i, flag, inline)?, &mut out)?,
            "-C" => options::codegen(&value(&mut i, flag, inline)?, &mut out.cache)?,
            "--cache-dir" => out.cache.dir = Some(PathBuf::from(value(&mut i, flag, inline)?)),
            "-h" | "--help" => return Err(UsageError(HELP.to_string())),
            _ => {
                return Err(UsageError(format!(
                    "unknown option {arg} (see wasihost run --help)"
                )));
            }
        }
        i += 1;
    }
    Err(UsageError("missing MODULE".to_string()))
}

/// `HOST`, `HOST::GUEST`, `HOST::GUEST::ro` or `HOST::GUEST::rw`.
fn parse_dir(v: &str) -> Result<Dir, UsageError> {
    let parts: Vec<&str> = v.split("::").collect();
    let (host, guest, read_only) = match parts.as_slice() {
        [h] => (*h, *h, false),
        [h, g] => (*h, *g, false),
        [h, g, "ro"] => (*h, *g, true),
        [h, g, "rw"] => (*h, *g, false),
        [_, _, mode] => {
            return Err(UsageError(format!(
                "--dir {v}: unknown mode {mode:?} (expected ro or rw)"
            )));
        }
        _ => {
            return Err(UsageError(format!(
                "--dir {v}: expected HOST[::GUEST[::ro|rw]]"
            )));
        }
    };
    if host.is_empty() || guest.is_empty() {
        return Err(UsageError(format!("--dir {v}: empty path")));
    }
    Ok(Dir {
        host: PathBuf::from(host),
        guest: guest.to_string(),
        read_only,
        in_memory: false,
    })
}

/// `HOST` or `HOST::GUEST`, for `--mem-dir`.
fn parse_mem_dir(v: &str) -> Result<Dir, UsageError> {
    let (host, guest) = match v.split("::").collect::<Vec<_>>().as_slice() {
        [h] => (*h, *h),
        [h, g] => (*h, *g),
        _ => {
            return Err(UsageError(format!(
                "--mem-dir {v}: expected HOST[::GUEST] (an in-memory copy is always writable)"
            )));
        }
    };
    if host.is_empty() || guest.is_empty() {
        return Err(UsageError(format!("--mem-dir {v}: empty path")));
    }
    Ok(Dir {
        host: PathBuf::from(host),
        guest: guest.to_string(),
        read_only: false,
        in_memory: true,
    })
}

/// `NAME=VALUE`, or `NAME` for the host's value.
fn parse_env(v: &str) -> Result<(String, String), UsageError> {
    let (name, val) = match v.split_once('=') {
        Some((n, val)) => (n.to_string(), val.to_string()),
        None => match std::env::var(v) {
            Ok(val) => (v.to_string(), val),
            Err(e) => return Err(UsageError(format!("--env {v}: {e} in the host"))),
        },
    };
    if name.is_empty() {
        return Err(UsageError(format!("--env {v}: empty name")));
    }
    Ok((name, val))
}

#[cfg(test)]
#[path = "args_tests.rs"]
mod tests;
