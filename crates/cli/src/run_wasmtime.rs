//! Compile and run a guest on wasmtime.

use wasihost::{Trap, wasmtime_host};

use crate::args::{Limits, RunArgs};
use crate::cache::{self, Cache};
use crate::errors::{Failure, wasmtime_chain, wasmtime_frames};
use crate::features::Feature;
use crate::invoke::{self, Signature, Ty, Value};
use crate::{Host, Input, compile_pool, features, limits, run_threads};

/// The engine for these `-W` settings (`wasihost compile` and `run` must agree on it);
/// `threads`: for a wasi-threads module, whose threads are stopped through epochs.
pub fn engine(
    features: &[(Feature, bool)],
    limits: &Limits,
    threads: bool,
) -> Result<wasmtime::Engine, Failure> {
    let mut config = wasmtime::Config::new();
    if threads {
        wasihost::threads::configure(&mut config);
    }
    features::wasmtime(&mut config, features);
    config.consume_fuel(limits.fuel.is_some());
    config.epoch_interruption(limits.timeout.is_some() || threads);
    wasmtime::Engine::new(&config)
        .map_err(|e| Failure::Usage(format!("wasmtime configuration: {}", wasmtime_chain(&e))))
}

/// A file from `wasihost compile`, as a module of `engine`.
fn precompiled(
    engine: &wasmtime::Engine,
    file: &[u8],
    what: &str,
) -> Result<wasmtime::Module, Failure> {
    let (_, payload) = cache::decode(file)
        .map_err(|why| Failure::Usage(format!("{what}: not a usable precompiled module: {why}")))?;
    // SAFETY: `deserialize` runs the payload as native code. The user named this file to be
    // run, so it is as trusted as a program they run; it must still be what `wasihost
    // compile` wrote: its header's length and SHA-256 of the payload were checked above, and
    // wasmtime refuses a payload compiled by another version or for another configuration.
    unsafe { wasmtime::Module::deserialize(engine, payload) }.map_err(|e| {
        Failure::Usage(format!(
            "{what}: precompiled for another wasmtime or other -W options: {}",
            wasmtime_chain(&e)
        ))
    })
}

/// Run `input` with `host`; `what` names the module in messages.
pub fn run(args: &RunArgs, input: &Input, host: Host, what: &str) -> Result<u32, Failure> {
    let bad = |e: &wasmtime::Error| Failure::Usage(format!("{what}: {}", wasmtime_chain(e)));
    let threads = args.threads == Some(true)
        || matches!(input, Input::Wasm(w) if run_threads::imports_thread_spawn(w));
    let mut engine = engine(&args.features, &args.limits, threads)?;
    let mut epochs = threads;
    let module = match input {
        Input::Precompiled(file) => match precompiled(&engine, file, what) {
            Ok(m) => m,
            // Perhaps compiled for threads (epochs on): try that engine before giving up.
            Err(first) if !threads && args.threads.is_none() => {
                let with_epochs = self::engine(&args.features, &args.limits, true)?;
                let m = precompiled(&with_epochs, file, what).map_err(|_| first)?;
                engine = with_epochs;
                epochs = true;
                m
            }
            Err(e) => return Err(e),
        },
        Input::Wasm(wasm) => {
            let compile = || compile_pool::compile(|| wasmtime::Module::new(&engine, wasm));
            match Cache::new(&args.cache) {
                Some(c) => {
                    let key = cache::key(&engine, &args.features, &args.limits, wasm);
                    c.module(&engine, &key, compile)
                }
                None => compile(),
            }
            .map_err(|e| bad(&e))?
        }
    };
    if wasihost::threads::imports_thread_spawn(&module) {
        let classify = |e: &wasmtime::Error| classify(e, false, args, what);
        return run_threads::run(&engine, &module, args, host, what, classify);
    }
    let invoke = match &args.invoke {
        Some(name) => Some(invoke_args(&module, name, &args.guest_args)?),
        None if module.get_export("_start").is_none() => {
            return Err(Failure::Usage(format!(
                "{what}: not a WASI command: no `_start` export (call a reactor's export with --invoke)"
            )));
        }
        None => None,
    };
    let mut linker = wasmtime::Linker::new(&engine);
    let slot =
        wasmtime_host::add_to_linker_for_instance(&mut linker, &module, |h: &mut Host| &mut h.wasi)
            .map_err(|e| bad(&e))?;
    let mut store = wasmtime::Store::new(&engine, host);
    store.limiter(|h| &mut h.memory);
    if let Some(fuel) = args.limits.fuel {
        store.set_fuel(fuel).map_err(|e| bad(&e))?;
    }
    if let Some(timeout) = args.limits.timeout {
        store.set_epoch_deadline(1);
        limits::start_epoch_timer(&engine, timeout);
    } else if epochs {
        // An engine made for threads (-S threads=y) running a single-threaded module.
        store.set_epoch_deadline(u64::MAX);
    }
    // A module that cannot be linked (an import we do not provide) is bad input; a trap in its
    // start function is a trap.
    let result = linker
        .instantiate(&mut store, &module)
        .and_then(|instance| {
            wasmtime_host::bind_memory(&slot, &mut store, &instance);
            match &invoke {
                None => wasmtime_host::call_start(&mut store, &instance),
                Some((name, params)) => call(&mut store, &instance, name, params),
            }
        });
    result.map_err(|e| classify(&e, store.data().memory.hit, args, what))
}

fn classify(e: &wasmtime::Error, memory_hit: bool, args: &RunArgs, what: &str) -> Failure {
    if memory_hit {
        return Failure::MemoryLimit(wasmtime_chain(e));
    }
    match e.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::OutOfFuel) => {
            let fuel = args.limits.fuel.unwrap_or(0);
            return Failure::Fuel(format!("all fuel consumed (-W fuel={fuel})"));
        }
        Some(wasmtime::Trap::Interrupt) => {
            let t = args.limits.timeout.unwrap_or_default();
            return Failure::Timeout(format!("timed out after {t:?} (-W timeout)"));
        }
        Some(_) => {}
        None if e.downcast_ref::<Trap>().is_some() => {}
        None => return Failure::Usage(format!("{what}: {}", wasmtime_chain(e))),
    }
    Failure::Trap(format!("{}{}", wasmtime_chain(e), wasmtime_frames(e)))
}

/// The parsed arguments for `--invoke name`, checked against the export's type.
fn invoke_args(
    module: &wasmtime::Module,
    name: &str,
    args: &[String],
) -> Result<(String, Vec<Value>), Failure> {
    let Some(wasmtime::ExternType::Func(ty)) = module.get_export(name) else {
        return Err(Failure::Usage(format!(
            "--invoke {name}: the module has no function export named `{name}`"
        )));
    };
    let conv = |t: wasmtime::ValType| match t {
        wasmtime::ValType::I32 => Ok(Ty::I32),
        wasmtime::ValType::I64 => Ok(Ty::I64),
        wasmtime::ValType::F32 => Ok(Ty::F32),
        wasmtime::ValType::F64 => Ok(Ty::F64),
        other => Err(other.to_string()),
    };
    let sig = Signature {
        params: ty.params().map(conv).collect(),
        results: ty.results().map(conv).collect(),
    };
    let values = invoke::parse_args(name, &sig, args).map_err(Failure::Usage)?;
    Ok((name.to_string(), values))
}

/// `--invoke`: run `_initialize` if the module has one, call `name` and print its results.
/// A `proc_exit` on the way gives its status, as from `_start`.
fn call(
    store: &mut wasmtime::Store<Host>,
    instance: &wasmtime::Instance,
    name: &str,
    params: &[Value],
) -> wasmtime::Result<u32> {
    let exited = |e: wasmtime::Error| wasmtime_host::exit_code(&e).ok_or(e);
    if let Some(init) = instance.get_func(&mut *store, "_initialize")
        && let Err(e) = init.call(&mut *store, &[], &mut [])
    {
        return exited(e);
    }
    let func = instance
        .get_func(&mut *store, name)
        .expect("the export was checked on the module");
    let params: Vec<wasmtime::Val> = params
        .iter()
        .map(|v| match *v {
            Value::I32(x) => wasmtime::Val::I32(x),
            Value::I64(x) => wasmtime::Val::I64(x),
            Value::F32(x) => wasmtime::Val::F32(x.to_bits()),
            Value::F64(x) => wasmtime::Val::F64(x.to_bits()),
        })
        .collect();
    let mut results = vec![wasmtime::Val::I32(0); func.ty(&*store).results().len()];
    if let Err(e) = func.call(&mut *store, &params, &mut results) {
        return exited(e);
    }
    let printed: Vec<Value> = results
        .iter()
        .map(|r| match *r {
            wasmtime::Val::I32(x) => Value::I32(x),
            wasmtime::Val::I64(x) => Value::I64(x),
            wasmtime::Val::F32(x) => Value::F32(f32::from_bits(x)),
            wasmtime::Val::F64(x) => Value::F64(f64::from_bits(x)),
            _ => unreachable!("result types were checked on the module"),
        })
        .collect();
    invoke::print(&printed);
    Ok(0)
}
