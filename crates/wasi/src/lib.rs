//! wasihost: the WASI preview1 host API (and preview0, `wasi_unstable`) for Rust embedders of
//! WebAssembly, on wasmtime or on the wasmi interpreter.
//!
//! Build a [`WasiCtx`] with [`WasiCtx::builder`], register it with an engine's linker
//! (`wasmtime_host` with the `wasmtime` feature, on by default; `wasmi_host` with the
//! `wasmi` feature), instantiate the guest and call `_start`. Every function of both snapshots
//! is implemented on Linux; everything OS-specific lives in one `sys` module.
//!
//! On wasmtime:
//!
//! ```no_run
//! # #[cfg(not(feature = "wasmtime"))] fn main() {}
//! # #[cfg(feature = "wasmtime")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = wasmtime::Engine::default();
//! let module = wasmtime::Module::from_file(&engine, "hello.wasm")?;
//! let ctx = wasihost::WasiCtx::builder()
//!     .arg("hello.wasm")
//!     .inherit_stdio()
//!     .preopen_dir(".", ".")
//!     .build()?;
//! let status = wasihost::wasmtime_host::run(&engine, &module, ctx)?;
//! std::process::exit(status as i32);
//! # }
//! ```
//!
//! On wasmi (`wasihost = { version = "..", default-features = false, features = ["wasmi"] }`):
//!
//! ```no_run
//! # #[cfg(not(feature = "wasmi"))] fn main() {}
//! # #[cfg(feature = "wasmi")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = wasmi::Engine::default();
//! let module = wasmi::Module::new(&engine, std::fs::read("hello.wasm")?)?;
//! let ctx = wasihost::WasiCtx::builder()
//!     .arg("hello.wasm")
//!     .inherit_stdio()
//!     .preopen_dir(".", ".")
//!     .build()?;
//! let status = wasihost::wasmi_host::run(&engine, &module, ctx)?;
//! std::process::exit(status as i32);
//! # }
//! ```
//!
//! # Virtualizing a guest
//!
//! Files, directories, streams, clocks and randomness are all trait objects the embedder
//! chooses: the in-memory [`memfs::MemFs`], read-only mounts ([`Mount::ReadOnly`]), a directory
//! of your own ([`vfs::WasiDir`]), captured or fed stdio ([`OutputBuffer`], [`Stdio::bytes`]),
//! virtual clocks and seeded random ([`WasiCtxBuilder::deterministic`]). The [`virtualizing`]
//! page has the whole map and migration tables from wasi-common, wasmtime-wasi and
//! `wasmi_wasi`; `examples/` in the repository has a runnable program for each.
//!
//! ```
//! use wasihost::{Mount, OutputBuffer, WasiCtx, memfs::MemFs};
//!
//! let fs = MemFs::new().with_max_bytes(64 << 20);
//! fs.write_file("config/app.toml", "debug = true\n")?;
//! let stdout = OutputBuffer::new();
//! let ctx = WasiCtx::builder()
//!     .preopen(fs.root(), "/etc", Mount::ReadOnly)
//!     .stdout(stdout.stdio())
//!     .deterministic(42)
//!     .build()?;
//! # drop(ctx);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod builder;
pub mod clocks;
pub mod ctx;
mod entry;
pub mod error;
pub mod fdpool;
pub mod memfs;
mod p0;
mod p1;
pub mod random;
pub mod rights;
mod stdio;
mod sys;
pub mod threads;
pub mod vfs;
#[doc = include_str!("../docs/virtualizing.md")]
pub mod virtualizing {}
#[cfg(feature = "wasmi")]
pub mod wasmi_host;
#[cfg(feature = "wasmtime")]
pub mod wasmtime_host;

pub use builder::{BuildError, Mount, Tracer, WasiCtxBuilder};
pub use ctx::WasiCtx;
pub use error::{Error, Result};
pub use stdio::{OutputBuffer, Overflow, Stdio};
pub use vfs::PathResolver;
pub use wasihost_guest::{self as guest, GuestError, TraceEvent, Trap};

/// Bindings generated from `witx/preview1`: types, the `WasiSnapshotPreview1` trait that
/// [`WasiCtx`] implements, and engine glue.
pub mod preview1 {
    wasihost_macro::from_witx!({
        witx: ["../../witx/preview1/wasi_snapshot_preview1.witx"],
        errors: { errno => crate::Error },
        wasmtime: "wasmtime",
        wasmi: "wasmi",
    });
}

/// Bindings generated from `witx/preview0` (`wasi_unstable`).
pub mod preview0 {
    wasihost_macro::from_witx!({
        witx: ["../../witx/preview0/wasi_unstable.witx"],
        errors: { errno => crate::Error },
        wasmtime: "wasmtime",
        wasmi: "wasmi",
    });
}
