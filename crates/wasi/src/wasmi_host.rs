//! Running WASI guests on wasmi, the WebAssembly interpreter (cargo feature `wasmi`).
//!
//! The flow is the same as on wasmtime: build a [`WasiCtx`], put it in a `wasmi::Store`,
//! register the WASI functions with [`add_to_linker`], instantiate, call `_start` and read the
//! exit status back with [`exit_code`] (or let [`run`] / [`call_start`] do the last steps).
//! A host trap (a bad guest pointer, say) comes back as a `wasmi::Error` holding the engine-neutral
//! [`Trap`]: `err.downcast_ref::<wasihost::Trap>()`.
//!
//! # Migrating from `wasmi_wasi`
//!
//! | `wasmi_wasi` (wasi-common)                              | wasihost                                       |
//! |---------------------------------------------------------|------------------------------------------------|
//! | `wasmi_wasi::WasiCtxBuilder::new()`                     | [`WasiCtx::builder()`]                         |
//! | `.inherit_args()?` / `.arg(a)?`                         | `.args(std::env::args())` / `.arg(a)`          |
//! | `.inherit_stdio()` / `.inherit_env()?` / `.env(k, v)?`  | `.inherit_stdio()` / `.inherit_env()` / `.env(k, v)` |
//! | `.preopened_dir(Dir::open_ambient_dir(p, ..)?, g)?`     | `.preopen_dir(p, g)` (opened by `build`)       |
//! | `.build()`                                              | `.build()?` (reports unopenable preopens)      |
//! | `Store<wasmi_wasi::WasiCtx>`                            | `Store<wasihost::WasiCtx>`                     |
//! | `wasmi_wasi::add_to_linker(&mut linker, \|cx\| cx)?`    | `wasihost::wasmi_host::add_to_linker(&mut linker, \|cx\| cx)?` |
//! | `err.i32_exit_status()`                                 | keeps working: `proc_exit` arrives as wasmi's `i32_exit` error; or [`exit_code(&err)`](exit_code) |
//!
//! Everything else — `Engine`, `Module`, `Linker`, `instantiate_and_start`, `get_typed_func` — is
//! plain wasmi and stays as it is. The builder methods take `&mut self`, so they chain as above or
//! can be called one at a time. The store data may be your own type: pass a projection such as
//! `|state: &mut MyState| &mut state.wasi` to `add_to_linker`.
//!
//! A complete embedding (compiled and run as a test):
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use wasmi::{Engine, Linker, Module, Store};
//!
//! // A guest that exits with its argument count.
//! let wasm = wat::parse_str(r#"(module
//!   (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
//!   (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
//!   (memory (export "memory") 1)
//!   (func (export "_start")
//!     (drop (call $sizes (i32.const 0) (i32.const 4)))
//!     (call $exit (i32.load (i32.const 0)))))"#)?;
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, &wasm)?;
//! let ctx = wasihost::WasiCtx::builder()
//!     .args(["guest.wasm", "one", "two"])
//!     .build()?;
//!
//! let mut linker = Linker::new(&engine);
//! wasihost::wasmi_host::add_to_linker(&mut linker, |cx: &mut wasihost::WasiCtx| cx)?;
//! let mut store = Store::new(&engine, ctx);
//! let instance = linker.instantiate_and_start(&mut store, &module)?;
//! let status = wasihost::wasmi_host::call_start(&mut store, &instance)?;
//! assert_eq!(status, 3);
//!
//! // Or all of that in one call:
//! let ctx = wasihost::WasiCtx::builder().arg("guest.wasm").build()?;
//! assert_eq!(wasihost::wasmi_host::run(&engine, &module, ctx)?, 1);
//! # Ok(())
//! # }
//! ```

use wasmi::{Engine, Instance, Linker, Module, Store};

use crate::WasiCtx;
use wasihost_guest::Trap;

/// Register every `wasi_snapshot_preview1` and `wasi_unstable` (preview0) function with
/// `linker`, so modules importing either snapshot (or both) link. `get` projects the store's
/// data onto the [`WasiCtx`]. Each call finds the caller's memory through its `memory` export.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) -> Result<(), wasmi::Error> {
    crate::preview1::wasi_snapshot_preview1::wasmi::add_to_linker(linker, get)?;
    crate::preview0::wasi_unstable::wasmi::add_to_linker(linker, get)
}

/// An instance's memory for the functions registered by [`add_to_linker_for_instance`].
pub type MemorySlot = wasihost_guest::MemorySlot<wasmi::Memory>;

/// Like [`add_to_linker`], for the one instance that `linker` will create: once [`bind_memory`]
/// has put that instance's memory in the returned slot (right after instantiation), hostcalls
/// reach the memory without looking it up by name. Use a linker set up this way for that one
/// instance only (see [`MemorySlot`]); [`run`] does.
pub fn add_to_linker_for_instance<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) -> Result<MemorySlot, wasmi::Error> {
    let slot = MemorySlot::new();
    crate::preview1::wasi_snapshot_preview1::wasmi::add_to_linker_for_instance(linker, &slot, get)?;
    crate::preview0::wasi_unstable::wasmi::add_to_linker_for_instance(linker, &slot, get)?;
    Ok(slot)
}

/// Put `instance`'s `memory` export in `slot`. A module without one leaves the slot empty, and
/// its calls keep finding no memory, as before.
pub fn bind_memory<T>(slot: &MemorySlot, store: &Store<T>, instance: &Instance) {
    if let Some(memory) = instance.get_memory(store, "memory") {
        slot.set(memory);
    }
}

/// The exit status carried by an error from a guest call, if the guest called `proc_exit`
/// (which arrives as wasmi's own `i32_exit` error, as with `wasmi_wasi`; a [`Trap::Exit`] of
/// another host function's making is accepted too).
pub fn exit_code(err: &wasmi::Error) -> Option<u32> {
    match err.downcast_ref::<Trap>() {
        Some(trap) => trap.exit_code(),
        None => err.i32_exit_status().map(|s| s as u32),
    }
}

/// Call the `_start` export of `instance` and return the exit status: the `proc_exit` code, or 0
/// when `_start` returns. Traps are errors.
pub fn call_start<T>(store: &mut Store<T>, instance: &Instance) -> Result<u32, wasmi::Error> {
    let start = instance.get_typed_func::<(), ()>(&*store, "_start")?;
    match start.call(&mut *store, ()) {
        Ok(()) => Ok(0),
        Err(e) => exit_code(&e).ok_or(e),
    }
}

/// Instantiate a WASI command `module` with `ctx`, run its `_start`, and return the exit status:
/// the `proc_exit` code, or 0 when `_start` returns. Traps are errors.
pub fn run(engine: &Engine, module: &Module, ctx: WasiCtx) -> Result<u32, wasmi::Error> {
    let mut linker = Linker::new(engine);
    let slot = add_to_linker_for_instance(&mut linker, |cx: &mut WasiCtx| cx)?;
    let mut store = Store::new(engine, ctx);
    let instance = linker.instantiate_and_start(&mut store, module)?;
    bind_memory(&slot, &store, &instance);
    call_start(&mut store, &instance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(engine: &Engine, wat: &str) -> Module {
        Module::new(engine, wat::parse_str(wat).unwrap()).unwrap()
    }

    const IMPORTS: &str = r#"
      (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))"#;

    #[test]
    fn returning_from_start_is_status_zero() {
        let engine = Engine::default();
        let m = module(
            &engine,
            r#"(module (memory (export "memory") 1) (func (export "_start")))"#,
        );
        let ctx = WasiCtx::builder().build().unwrap();
        assert_eq!(run(&engine, &m, ctx).unwrap(), 0);
    }

    #[test]
    fn proc_exit_code_is_the_status_even_above_255() {
        let engine = Engine::default();
        let wat = format!(
            r#"(module {IMPORTS} (memory (export "memory") 1)
                 (func (export "_start") (call $exit (i32.const 300))))"#
        );
        let ctx = WasiCtx::builder().build().unwrap();
        assert_eq!(run(&engine, &module(&engine, &wat), ctx).unwrap(), 300);
    }

    #[test]
    fn proc_exit_is_wasmi_s_own_exit_error_as_with_wasmi_wasi() {
        let engine = Engine::default();
        let wat = format!(
            r#"(module {IMPORTS} (memory (export "memory") 1)
                 (func (export "_start") (call $exit (i32.const 3))))"#
        );
        let m = module(&engine, &wat);
        let mut linker = Linker::new(&engine);
        add_to_linker(&mut linker, |cx: &mut WasiCtx| cx).unwrap();
        let mut store = Store::new(&engine, WasiCtx::builder().build().unwrap());
        let instance = linker.instantiate_and_start(&mut store, &m).unwrap();
        let start = instance.get_typed_func::<(), ()>(&store, "_start").unwrap();
        let err = start.call(&mut store, ()).unwrap_err();
        assert_eq!(err.i32_exit_status(), Some(3));
        assert_eq!(exit_code(&err), Some(3));
        assert_eq!(store.data().exit_code(), Some(3));
    }

    #[test]
    fn bad_pointer_is_our_trap() {
        let engine = Engine::default();
        let wat = format!(
            r#"(module {IMPORTS} (memory (export "memory") 1)
                 (func (export "_start")
                   (drop (call $sizes (i32.const 65534) (i32.const 0)))))"#
        );
        let ctx = WasiCtx::builder().arg("x").build().unwrap();
        let err = run(&engine, &module(&engine, &wat), ctx).unwrap_err();
        let trap = err.downcast_ref::<Trap>().expect("a wasihost trap");
        assert!(
            matches!(trap, Trap::Guest(g) if g.is_pointer_error()),
            "{trap:?}"
        );
        assert_eq!(exit_code(&err), None);
    }

    #[test]
    fn missing_memory_export_makes_every_pointer_fault() {
        let engine = Engine::default();
        let wat = format!(
            r#"(module {IMPORTS} (memory 1)
                 (func (export "_start") (drop (call $sizes (i32.const 0) (i32.const 4)))))"#
        );
        let ctx = WasiCtx::builder().build().unwrap();
        let err = run(&engine, &module(&engine, &wat), ctx).unwrap_err();
        assert!(
            matches!(err.downcast_ref::<Trap>(), Some(Trap::Guest(_))),
            "{err}"
        );
    }

    #[test]
    fn wasm_traps_and_foreign_exits_are_told_apart() {
        let engine = Engine::default();
        let m = module(
            &engine,
            r#"(module (memory (export "memory") 1) (func (export "_start") unreachable))"#,
        );
        let err = run(&engine, &m, WasiCtx::builder().build().unwrap()).unwrap_err();
        assert_eq!(err.downcast_ref::<Trap>(), None);
        assert_eq!(
            err.as_trap_code(),
            Some(wasmi::TrapCode::UnreachableCodeReached)
        );
        assert_eq!(exit_code(&err), None);
        assert_eq!(exit_code(&wasmi::Error::i32_exit(7)), Some(7));
        assert_eq!(exit_code(&wasmi::Error::host(Trap::Exit(9))), Some(9));
    }

    #[test]
    fn store_data_can_be_a_larger_state() {
        struct State {
            wasi: WasiCtx,
            other: u32,
        }
        let engine = Engine::default();
        let wat = format!(
            r#"(module {IMPORTS} (memory (export "memory") 1)
                 (func (export "_start")
                   (drop (call $sizes (i32.const 0) (i32.const 4)))
                   (call $exit (i32.load (i32.const 0)))))"#
        );
        let m = module(&engine, &wat);
        let wasi = WasiCtx::builder().args(["a", "b"]).build().unwrap();
        let mut linker = Linker::new(&engine);
        add_to_linker(&mut linker, |s: &mut State| &mut s.wasi).unwrap();
        let mut store = Store::new(&engine, State { wasi, other: 5 });
        let instance = linker.instantiate_and_start(&mut store, &m).unwrap();
        assert_eq!(call_start(&mut store, &instance).unwrap(), 2);
        assert_eq!(store.data().wasi.exit_code(), Some(2));
        assert_eq!(store.data().other, 5);
    }
}
