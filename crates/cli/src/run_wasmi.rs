//! Compile and run a guest on wasmi.

use wasihost::{Trap, wasmi_host};

use crate::args::RunArgs;
use crate::errors::{Failure, chain};
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
    if module.get_export("_start").is_none() {
        return Err(Failure::Usage(format!(
            "{what}: not a WASI command: no `_start` export"
        )));
    }
    let mut linker = wasmi::Linker::new(&engine);
    wasmi_host::add_to_linker(&mut linker, |h: &mut Host| &mut h.wasi).map_err(|e| bad(&e))?;
    let mut store = wasmi::Store::new(&engine, host);
    store.limiter(|h| &mut h.memory);
    if let Some(fuel) = args.limits.fuel {
        store.set_fuel(fuel).map_err(|e| bad(&e))?;
    }
    let result = linker
        .instantiate_and_start(&mut store, &module)
        .and_then(|instance| wasmi_host::call_start(&mut store, &instance));
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
