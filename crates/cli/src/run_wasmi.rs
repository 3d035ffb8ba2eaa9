//! Compile and run a guest on wasmi.

use wasihost::{Trap, wasmi_host};

use crate::args::RunArgs;
use crate::errors::{Failure, chain};
use crate::invoke::{self, Signature, Ty, Value};
use crate::{Host, features};

/// Run `wasm` with `host`; `what` names the module in messages.
pub fn run(args: &RunArgs, wasm: &[u8], host: Host, what: &str) -> Result<u32, Failure> {
    let bad = |e: &wasmi::Error| Failure::Usage(format!("{what}: {}", chain(e)));
    if args.limits.timeout.is_some() {
        return Err(Failure::Usage(
            "-W timeout: not supported on the wasmi engine (bound the run with -W fuel=N)"
                .to_string(),
        ));
    }
    let mut config = wasmi::Config::default();
    features::wasmi(&mut config, &args.features).map_err(Failure::Usage)?;
    config.consume_fuel(args.limits.fuel.is_some());
    let engine = wasmi::Engine::new(&config);
    let module = wasmi::Module::new(&engine, wasm).map_err(|e| bad(&e))?;
    let invoke = match &args.invoke {
        Some(name) => Some(invoke_args(&module, name, &args.guest_args)?),
        None if module.get_export("_start").is_none() => {
            return Err(Failure::Usage(format!(
                "{what}: not a WASI command: no `_start` export (call a reactor's export with --invoke)"
            )));
        }
        None => None,
    };
    let mut linker = wasmi::Linker::new(&engine);
    let slot = wasmi_host::add_to_linker_for_instance(&mut linker, |h: &mut Host| &mut h.wasi)
        .map_err(|e| bad(&e))?;
    let mut store = wasmi::Store::new(&engine, host);
    store.limiter(|h| &mut h.memory);
    if let Some(fuel) = args.limits.fuel {
        store.set_fuel(fuel).map_err(|e| bad(&e))?;
    }
    let result = linker
        .instantiate_and_start(&mut store, &module)
        .and_then(|instance| {
            wasmi_host::bind_memory(&slot, &store, &instance);
            match &invoke {
                None => wasmi_host::call_start(&mut store, &instance),
                Some((name, params)) => call(&mut store, &instance, name, params),
            }
        });
    result.map_err(|e| classify(&e, store.data().memory.hit, args, what))
}

fn classify(e: &wasmi::Error, memory_hit: bool, args: &RunArgs, what: &str) -> Failure {
    if memory_hit {
        let max = args.limits.max_memory.unwrap_or(0);
        return Failure::MemoryLimit(format!(
            "a memory would grow beyond -W max-memory-size={max}: {}",
            chain(e)
        ));
    }
    if let Some(t) = e.downcast_ref::<Trap>() {
        return Failure::Trap(t.to_string());
    }
    match e.as_trap_code() {
        Some(wasmi::TrapCode::OutOfFuel) => {
            let fuel = args.limits.fuel.unwrap_or(0);
            Failure::Fuel(format!("all fuel consumed (-W fuel={fuel})"))
        }
        Some(code) => Failure::Trap(format!("wasm trap: {}", code.trap_message())),
        None => Failure::Usage(format!("{what}: {}", chain(e))),
    }
}

/// The parsed arguments for `--invoke name`, checked against the export's type.
fn invoke_args(
    module: &wasmi::Module,
    name: &str,
    args: &[String],
) -> Result<(String, Vec<Value>), Failure> {
    let Some(wasmi::ExternType::Func(ty)) = module.get_export(name) else {
        return Err(Failure::Usage(format!(
            "--invoke {name}: the module has no function export named `{name}`"
        )));
    };
    let conv = |t: &wasmi::ValType| match t {
        wasmi::ValType::I32 => Ok(Ty::I32),
        wasmi::ValType::I64 => Ok(Ty::I64),
        wasmi::ValType::F32 => Ok(Ty::F32),
        wasmi::ValType::F64 => Ok(Ty::F64),
        other => Err(format!("{other:?}").to_lowercase()),
    };
    let sig = Signature {
        params: ty.params().iter().map(conv).collect(),
        results: ty.results().iter().map(conv).collect(),
    };
    let values = invoke::parse_args(name, &sig, args).map_err(Failure::Usage)?;
    Ok((name.to_string(), values))
}

/// `--invoke`: run `_initialize` if the module has one, call `name` and print its results.
/// A `proc_exit` on the way gives its status, as from `_start`.
fn call(
    store: &mut wasmi::Store<Host>,
    instance: &wasmi::Instance,
    name: &str,
    params: &[Value],
) -> Result<u32, wasmi::Error> {
    let exited = |e: wasmi::Error| wasmi_host::exit_code(&e).ok_or(e);
    if let Some(init) = instance.get_func(&*store, "_initialize")
        && let Err(e) = init.call(&mut *store, &[], &mut [])
    {
        return exited(e);
    }
    let func = instance
        .get_func(&*store, name)
        .expect("the export was checked on the module");
    let params: Vec<wasmi::Val> = params
        .iter()
        .map(|v| match *v {
            Value::I32(x) => wasmi::Val::I32(x),
            Value::I64(x) => wasmi::Val::I64(x),
            Value::F32(x) => wasmi::Val::F32(x.into()),
            Value::F64(x) => wasmi::Val::F64(x.into()),
        })
        .collect();
    let ty = func.ty(&*store);
    let mut results: Vec<wasmi::Val> = ty
        .results()
        .iter()
        .map(|t| wasmi::Val::default_for_ty(*t))
        .collect();
    if let Err(e) = func.call(&mut *store, &params, &mut results) {
        return exited(e);
    }
    let printed: Vec<Value> = results
        .iter()
        .map(|r| match r {
            wasmi::Val::I32(x) => Value::I32(*x),
            wasmi::Val::I64(x) => Value::I64(*x),
            wasmi::Val::F32(x) => Value::F32(x.to_float()),
            wasmi::Val::F64(x) => Value::F64(x.to_float()),
            _ => unreachable!("result types were checked on the module"),
        })
        .collect();
    invoke::print(&printed);
    Ok(0)
}
