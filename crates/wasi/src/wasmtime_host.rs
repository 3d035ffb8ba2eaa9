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

/// An instance's memory for the functions registered by [`add_to_linker_for_instance`].
pub type MemorySlot = wasihost_guest::MemorySlot<wasmtime::Extern>;

/// Like [`add_to_linker_for_module`], for the one instance of `module` that `linker` will create:
/// once [`bind_memory`] has put that instance's memory in the returned slot (right after
/// instantiation), hostcalls reach the memory with no export lookup at all. Use a linker set up
/// this way for that one instance only (see [`MemorySlot`]); [`run`] does.
pub fn add_to_linker_for_instance<T: 'static>(
    linker: &mut Linker<T>,
    module: &Module,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) -> wasmtime::Result<MemorySlot> {
    let slot = MemorySlot::new();
    crate::preview1::wasi_snapshot_preview1::wasmtime::add_to_linker_for_instance(
        linker, module, &slot, get,
    )?;
    crate::preview0::wasi_unstable::wasmtime::add_to_linker_for_instance(
        linker, module, &slot, get,
    )?;
    Ok(slot)
}

/// Put `instance`'s `memory` export (plain or shared) in `slot`. A module without one leaves the
/// slot empty, and its calls keep finding no memory, as before.
pub fn bind_memory<T: 'static>(slot: &MemorySlot, store: &mut Store<T>, instance: &Instance) {
    if let Some(memory @ (wasmtime::Extern::Memory(_) | wasmtime::Extern::SharedMemory(_))) =
        instance.get_export(&mut *store, "memory")
    {
        slot.set(memory);
    }
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
    let slot = add_to_linker_for_instance(&mut linker, module, |cx: &mut WasiCtx| cx)?;
    let mut store = Store::new(engine, ctx);
    let instance = linker.instantiate(&mut store, module)?;
    bind_memory(&slot, &mut store, &instance);
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
