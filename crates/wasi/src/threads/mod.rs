//! wasi-threads on wasmtime: guests that import `wasi`.`thread-spawn`, as built for Rust's
//! `wasm32-wasip1-threads` target or with wasi-sdk's pthreads.
//!
//! Such a module imports a shared memory (and exports it as `memory`, as every WASI module
//! does and the `wasm32-wasip1-threads` linkers arrange). Every thread, the main one included, gets its own
//! wasmtime store and its own instance of the module, all importing that one memory; a spawned
//! thread runs the export `wasi_thread_start(tid, start_arg)`. All threads share one
//! [`WasiCtx`](crate::WasiCtx): descriptors opened by one thread are seen by all.
//!
//! [`wasmtime_host::run`](crate::wasmtime_host::run) runs such a module through [`run`] by
//! itself; modules that do not import `thread-spawn` never reach this module, and their
//! hostcalls are exactly as fast as without it.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = wasmtime::Config::new();
//! wasihost::threads::configure(&mut config);
//! let engine = wasmtime::Engine::new(&config)?;
//! let module = wasmtime::Module::from_file(&engine, "pthreads.wasm")?;
//! let ctx = wasihost::WasiCtx::builder()
//!     .arg("pthreads.wasm")
//!     .inherit_stdio()
//!     .max_threads(16)
//!     .build()?;
//! let status = wasihost::wasmtime_host::run(&engine, &module, ctx)?;
//! std::process::exit(status as i32);
//! # }
//! ```
//!
//! # Semantics
//!
//! - Thread ids are unique positive `i32`s, counting from 1, never reused in one run.
//!   `thread-spawn` returns a negative errno (`-EAGAIN`) when
//!   [`max_threads`](crate::WasiCtxBuilder::max_threads) spawned threads are already running
//!   (default [`DEFAULT_MAX_THREADS`]), when the host cannot start a thread, or once the
//!   guest is ending.
//! - The guest ends when the main thread returns from `_start` (status 0), when any thread
//!   calls `proc_exit` (its status), or when any thread traps (the run returns that trap as its
//!   error). The first of these wins; the other threads are then stopped: those running wasm
//!   at their next epoch check (the engine must have
//!   [`epoch_interruption`](wasmtime::Config::epoch_interruption) on, as [`configure`] does),
//!   those sleeping in `poll_oneoff` on clocks at once, those blocked in
//!   `memory.atomic.wait32/64` by waking every address of the shared memory (a sweep that takes
//!   a few milliseconds per megabyte of memory).
//! - The run returns only after every host thread it started has ended.
//!
//! # Locking
//!
//! The context sits behind one mutex, taken for the length of each hostcall (through the
//! generated `Lend` trait of each snapshot). A `poll_oneoff` that waits only on clocks (a
//! sleep) releases it while it waits. Any other call that blocks — a `poll_oneoff` with
//! descriptor subscriptions, a read from a terminal or pipe with no data — holds it, so the
//! other threads' hostcalls wait for it too, and a guest ending meanwhile waits until that call
//! returns.

#[cfg(feature = "wasmtime")]
mod host;
#[cfg(feature = "wasmtime")]
mod process;
#[cfg(feature = "wasmtime")]
mod run;

#[cfg(feature = "wasmtime")]
pub use run::{Stopper, ThreadedGuest, configure, imports_thread_spawn, run};

/// The default cap on spawned threads running at once: 64.
pub const DEFAULT_MAX_THREADS: u32 = 64;
