//! Running WASI guests on wasmtime.

use wasmtime::{Engine, Instance, Linker, Module, Store};

use crate::WasiCtx;
use wasihost_guest::Trap;

/// Register every `wasi_snapshot_preview1` and `wasi_unstable` (preview0) function with
/// `linker`, so modules importing either snapshot (or both) link. `get` projects the store's
/// data onto the [`WasiCtx`].
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) -> wasmtime::Result<()> {
    crate::preview1::wasi_snapshot_preview1::wasmtime::add_to_linker(linker, get)?;
    crate::preview0::wasi_unstable::wasmtime::add_to_linker(linker, get)
}

/// Like [`add_to_linker`], specialised for instances of `module` (memory found by index).
pub fn add_to_linker_for_module<T: 'static>(
    linker: &mut Linker<T>,
    module: &Module,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) -> wasmtime::Result<()> {
    crate::preview1::wasi_snapshot_preview1::wasmtime::add_to_linker_for_module(
        linker, module, get,
    )?;
    crate::preview0::wasi_unstable::wasmtime::add_to_linker_for_module(linker, module, get)
}

/// The exit status carried by an error from a guest call, if the guest called `proc_exit`.
pub fn exit_code(err: &wasmtime::Error) -> Option<u32> {
    err.downcast_ref::<Trap>().and_then(Trap::exit_code)
}

/// Instantiate a WASI command `module` with `ctx`, run its `_start`, and return the exit status:
/// the `proc_exit` code, or 0 when `_start` returns. Traps are errors.
///
/// A module importing `wasi`.`thread-spawn` (wasi-threads) runs through
/// [`threads::run`](crate::threads::run): every thread shares `ctx`, and the engine needs
/// [`threads::configure`](crate::threads::configure)'s settings.
pub fn run(engine: &Engine, module: &Module, ctx: WasiCtx) -> wasmtime::Result<u32> {
    if crate::threads::imports_thread_spawn(module) {
        return crate::threads::run(engine, module, ctx);
    }
    let mut linker = Linker::new(engine);
    add_to_linker_for_module(&mut linker, module, |cx: &mut WasiCtx| cx)?;
    let mut store = Store::new(engine, ctx);
    let instance = linker.instantiate(&mut store, module)?;
    call_start(&mut store, &instance)
}

/// Call the `_start` export of `instance` and return the exit status: the `proc_exit` code, or 0
/// when `_start` returns. Traps are errors.
pub fn call_start<T: 'static>(store: &mut Store<T>, instance: &Instance) -> wasmtime::Result<u32> {
    let start = instance.get_typed_func::<(), ()>(&mut *store, "_start")?;
    match start.call(&mut *store, ()) {
        Ok(()) => Ok(0),
        Err(e) => exit_code(&e).ok_or(e),
    }
}
