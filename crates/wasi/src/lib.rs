//! wasihost: the WASI preview1 host API (and preview0, `wasi_unstable`) for Rust embedders of
//! WebAssembly.
//!
//! Build a [`WasiCtx`] with [`WasiCtx::builder`], register it with an engine's linker (see
//! `wasmtime_host` and `wasmi_host`, behind the features of the same names), instantiate the
//! guest and call `_start`. Every function of both snapshots is implemented on Linux;
//! everything OS-specific lives in one `sys` module.
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
pub mod vfs;
#[cfg(feature = "wasmi")]
pub mod wasmi_host;
#[cfg(feature = "wasmtime")]
pub mod wasmtime_host;

pub use builder::{BuildError, Mount, WasiCtxBuilder};
pub use ctx::WasiCtx;
pub use error::{Error, Result};
pub use stdio::{OutputBuffer, Overflow, Stdio};
pub use vfs::PathResolver;
pub use wasihost_guest::{self as guest, GuestError, Trap};

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
