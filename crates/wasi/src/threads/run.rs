//! Instantiating a wasi-threads module per thread, `thread-spawn`, and the run.

use std::sync::Arc;

use wasmtime::{
    Caller, Config, Engine, ExternType, Linker, Module, SharedMemory, Store, UpdateDeadline,
};

use super::host::Shared;
use super::process::{Outcome, Process};
use crate::WasiCtx;

/// The store data of every thread of a threaded guest.
pub struct ThreadData {
    process: Arc<Process>,
    p1: crate::preview1::wasi_snapshot_preview1::Lent<Shared>,
    p0: crate::preview0::wasi_unstable::Lent<Shared>,
}

/// `-EAGAIN`, the failure `thread-spawn` reports.
const SPAWN_FAILED: i32 = -6;

/// Whether `module` imports `wasi`.`thread-spawn` (and so must run through [`run`]).
pub fn imports_thread_spawn(module: &Module) -> bool {
    module
        .imports()
        .any(|i| i.module() == "wasi" && i.name() == "thread-spawn")
}

/// Turn on what a wasi-threads guest needs in an engine's configuration: the threads
/// proposal (shared memories, atomics), host-created shared memories, and epoch interruption, with which a guest ending stops
/// its threads that are running wasm. Epoch interruption makes compiled code check a counter
/// at function entries and loop heads; single-threaded guests do not need it.
pub fn configure(config: &mut Config) -> &mut Config {
    config
        .wasm_threads(true)
        .shared_memory(true)
        .epoch_interruption(true)
}

/// Ends a [`ThreadedGuest`] from outside (e.g. on a timeout): its run then returns
/// `wasmtime::Trap::Interrupt` as its error, unless the guest had already ended.
#[derive(Clone)]
pub struct Stopper(Arc<Process>);

impl Stopper {
    /// End the guest now.
    pub fn stop(&self) {
        self.0.end(Outcome::Failed(wasmtime::Error::new(
            wasmtime::Trap::Interrupt,
        )));
    }
}

impl std::fmt::Debug for Stopper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stopper")
    }
}

/// A wasi-threads guest, instantiated for its main thread and ready to [`run`](Self::run).
pub struct ThreadedGuest {
    process: Arc<Process>,
    store: Store<ThreadData>,
    instance: wasmtime::Instance,
}

impl ThreadedGuest {
    /// Create the guest's shared memory (from the type of the memory `module` imports), link
    /// WASI, `thread-spawn` and the memory, and instantiate `module` for the main thread.
    /// Errors: the module imports no shared memory or does not export `wasi_thread_start`
    /// (with the right type), or it does not instantiate.
    pub fn new(engine: &Engine, module: &Module, ctx: WasiCtx) -> wasmtime::Result<Self> {
        let (mem_module, mem_name, ty) = module
            .imports()
            .find_map(|i| match i.ty() {
                ExternType::Memory(m) if m.is_shared() => {
                    Some((i.module().to_string(), i.name().to_string(), m))
                }
                _ => None,
            })
            .ok_or_else(|| {
                wasmtime::Error::msg(
                    "a module importing wasi.thread-spawn must import a shared memory",
                )
            })?;
        match module.get_export("wasi_thread_start") {
            Some(ExternType::Func(f))
                if f.params().map(|p| p.to_string()).collect::<Vec<_>>() == ["i32", "i32"]
                    && f.results().next().is_none() => {}
            _ => {
                return Err(wasmtime::Error::msg(
                    "a module importing wasi.thread-spawn must export \
                     wasi_thread_start(i32, i32)",
                ));
            }
        }
        let memory = SharedMemory::new(engine, ty)?;
        let process = Arc::new(Process::new(ctx, engine.clone(), memory.clone()));
        let mut linker: Linker<ThreadData> = Linker::new(engine);
        crate::preview1::wasi_snapshot_preview1::wasmtime::add_to_linker_for_module(
            &mut linker,
            module,
            |d: &mut ThreadData| &mut d.p1,
        )?;
        crate::preview0::wasi_unstable::wasmtime::add_to_linker_for_module(
            &mut linker,
            module,
            |d: &mut ThreadData| &mut d.p0,
        )?;
        linker.func_wrap("wasi", "thread-spawn", spawn)?;
        let mut store = new_store(&process);
        linker.define(&store, &mem_module, &mem_name, memory)?;
        let pre = linker.instantiate_pre(module)?;
        let instance = pre.instantiate(&mut store)?;
        let _ = process.pre.set(pre);
        Ok(ThreadedGuest {
            process,
            store,
            instance,
        })
    }

    /// A handle that ends the guest from another thread.
    pub fn stopper(&self) -> Stopper {
        Stopper(self.process.clone())
    }

    /// Run `_start` on the calling thread and return the exit status: the `proc_exit` code of
    /// whichever thread called it first, or 0 when `_start` returns. A trap in any thread is
    /// the error. Every spawned thread has ended when this returns.
    pub fn run(mut self) -> wasmtime::Result<u32> {
        self.process.state().main_running = true;
        let p = self.process.clone();
        let reaper = std::thread::Builder::new()
            .name("wasi-threads-reaper".to_string())
            .spawn(move || p.wake_until_done());
        let reaper = match reaper {
            Ok(r) => r,
            Err(e) => {
                self.process.state().main_running = false;
                return Err(wasmtime::Error::msg(format!(
                    "cannot start a host thread: {e}"
                )));
            }
        };
        let result = crate::wasmtime_host::call_start(&mut self.store, &self.instance);
        self.process.end(match result {
            Ok(0) => Outcome::Returned,
            Ok(code) => Outcome::Exit(code),
            Err(e) => Outcome::Failed(e),
        });
        self.process.state().main_running = false;
        self.process.changed.notify_all();
        let _ = reaper.join();
        self.process.join_all();
        drop(self.store);
        match self.process.state().outcome.take() {
            Some(Outcome::Exit(code)) => Ok(code),
            Some(Outcome::Failed(e)) => Err(e),
            Some(Outcome::Returned) | None => Ok(0),
        }
    }
}

/// Run a wasi-threads command `module` with `ctx` (see the [module docs](super)); the engine
/// needs [`configure`]'s settings. The status is the first `proc_exit` code, or 0 when the
/// main thread returns from `_start`; a trap in any thread is the error.
pub fn run(engine: &Engine, module: &Module, ctx: WasiCtx) -> wasmtime::Result<u32> {
    ThreadedGuest::new(engine, module, ctx)?.run()
}

/// A store for one thread: it traps at its next epoch check once the guest has ended.
fn new_store(process: &Arc<Process>) -> Store<ThreadData> {
    let mut store = Store::new(
        &process.engine,
        ThreadData {
            process: process.clone(),
            p1: crate::preview1::wasi_snapshot_preview1::Lent(Shared(process.clone())),
            p0: crate::preview0::wasi_unstable::Lent(Shared(process.clone())),
        },
    );
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|cx| {
        if cx.data().process.ended() {
            Err(wasmtime::Error::new(wasmtime::Trap::Interrupt))
        } else {
            Ok(UpdateDeadline::Continue(1))
        }
    });
    store
}

/// `wasi.thread-spawn(start_arg) -> tid`: a new thread with its own store and instance runs
/// `wasi_thread_start(tid, start_arg)`. Negative on failure.
fn spawn(caller: Caller<'_, ThreadData>, start_arg: i32) -> i32 {
    let process = caller.data().process.clone();
    let mut state = process.state();
    Process::reap(&mut state);
    if state.outcome.is_some() || state.live >= process.max_threads {
        return SPAWN_FAILED;
    }
    let Some(tid) = process.next_tid() else {
        return SPAWN_FAILED;
    };
    let p = process.clone();
    let started = std::thread::Builder::new()
        .name(format!("wasi-thread-{tid}"))
        .spawn(move || thread_main(&p, tid, start_arg));
    match started {
        Ok(handle) => {
            state.live += 1;
            state.handles.push(handle);
            tid
        }
        Err(_) => SPAWN_FAILED,
    }
}

/// The body of a spawned thread.
fn thread_main(process: &Arc<Process>, tid: i32, start_arg: i32) {
    let mut store = new_store(process);
    // Checked after the store took its epoch deadline: a guest ending from here on moves the
    // epoch past it, so this thread cannot miss the end.
    let result = match process.pre.get() {
        _ if process.ended() => Ok(()),
        Some(pre) => pre.instantiate(&mut store).and_then(|instance| {
            instance
                .get_typed_func::<(i32, i32), ()>(&mut store, "wasi_thread_start")?
                .call(&mut store, (tid, start_arg))
        }),
        None => Err(wasmtime::Error::msg("thread-spawn before instantiation")),
    };
    if let Err(e) = result {
        process.end(match crate::wasmtime_host::exit_code(&e) {
            Some(code) => Outcome::Exit(code),
            None => Outcome::Failed(e),
        });
    }
    drop(store);
    let mut state = process.state();
    state.live -= 1;
    drop(state);
    process.changed.notify_all();
}
