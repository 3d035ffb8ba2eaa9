//! Engine glue: registering a module's shims with a WebAssembly engine's linker.
//!
//! Each engine is one [`EngineEmitter`]. It receives a [`ModuleSig`] — the module's name, its trait
//! and, per function, the shim to call with its wasm signature — and emits a `pub mod <engine>`
//! with an `add_to_linker` function. Everything engine-neutral (lifting, validation, error
//! mapping) already lives in the shims, so an emitter only has to: find the caller's memory,
//! build a `GuestMemory` view of it, project the store's data onto the host, call the shim, and
//! turn a `Trap` into the engine's error. `wasmtime.rs` and `wasmi.rs` are the two complete
//! examples (about 100 lines each).
//!
//! # Adding an engine
//!
//! Say the engine is a crate `acme` with a `Linker<T>`, a `Caller<T>` that can look up the
//! calling instance's `memory` export, and an error type that can carry a host error. Five places
//! change, none of them engine-neutral code:
//!
//! 1. **Emitter** — a new file `crates/gen/src/engines/acme.rs` with `pub struct Acme;` and
//!    `impl EngineEmitter for Acme` (below). The generated items land in
//!    `<witx module>::acme`, next to `super::abi` (the shims) and `super::<Trait>`.
//! 2. **Registration** — in this file: `mod acme;`, a variant `Engine::Acme`, its arm in
//!    `Engine::emitter`, and `(Engine::Acme, &config.acme)` in [`emit_all`]'s list; in
//!    `config.rs`: an `acme: EngineChoice` field and an `"acme"` key (parsed by `parse_engine`,
//!    so `acme: true` and `acme: "feature-name"` both work).
//! 3. **Trap transport** — the emitted code must turn `wasihost_guest::Trap` into the engine's
//!    error such that the embedder gets the very same `Trap` back (`downcast_ref::<Trap>()`).
//!    If the engine needs a trait implemented for that (wasmi's `HostError`), it goes in
//!    `crates/guest` behind an optional feature named after the engine.
//! 4. **Runtime** — `crates/wasi`: an optional dependency and a feature `acme`, `acme: "acme"`
//!    in both `from_witx!` calls, and `src/acme_host.rs` with `add_to_linker`, `exit_code` and
//!    `run` (copy the shape of `wasmtime_host.rs` / `wasmi_host.rs`).
//! 5. **CLI and tests** — `crates/cli`: one `run_acme` function in `main.rs` and the name in
//!    `args.rs`; then add `"acme"` to `ENGINES` in `crates/cli/tests/common/mod.rs` and the
//!    whole guest suite runs on it, including the cross-engine parity tests.
//!
//! The emitter of step 1, written against the hypothetical API (this example is compiled and
//! run as a doctest; the tokens it produces would be compiled in the crate calling `from_witx!`):
//!
//! ```
//! use proc_macro2::TokenStream;
//! use quote::{format_ident, quote};
//! use wasihost_gen::{EngineEmitter, FuncSig, ModuleSig};
//!
//! pub struct Acme;
//!
//! impl EngineEmitter for Acme {
//!     fn module_name(&self) -> &'static str {
//!         "acme"
//!     }
//!
//!     fn emit(&self, rt: &TokenStream, module: &ModuleSig) -> TokenStream {
//!         let trait_name = &module.trait_name;
//!         let import_module = &module.witx_name;
//!         let registrations = module.funcs.iter().map(|f| {
//!             let (name, shim) = (&f.witx_name, &f.shim);
//!             let (args, tys, _ret) = f.closure_parts();
//!             quote! {
//!                 linker.define(#import_module, #name,
//!                     move |caller: &mut ::acme::Caller<T>, #(#args: #tys),*| {
//!                         let (bytes, data) = caller.memory_and_data("memory");
//!                         let mut mem = #rt::GuestMemory::Unshared(bytes);
//!                         super::abi::#shim(get(data), &mut mem, #(#args),*)
//!                             .map_err(::acme::Error::boxed)
//!                     })?;
//!             }
//!         });
//!         quote! {
//!             use super::#trait_name;
//!             pub fn add_to_linker<T: 'static, H: #trait_name + ?Sized + 'static>(
//!                 linker: &mut ::acme::Linker<T>,
//!                 get: impl Fn(&mut T) -> &mut H + Send + Sync + Copy + 'static,
//!             ) -> Result<(), ::acme::Error> {
//!                 #(#registrations)*
//!                 Ok(())
//!             }
//!         }
//!     }
//! }
//!
//! // What it produces for a one-function module:
//! let module = ModuleSig {
//!     witx_name: "demo".into(),
//!     trait_name: format_ident!("Demo"),
//!     funcs: vec![FuncSig {
//!         witx_name: "ping".into(),
//!         shim: format_ident!("ping"),
//!         params: vec![witx::WasmType::I32],
//!         results: vec![witx::WasmType::I32],
//!     }],
//! };
//! let code = Acme.emit(&quote!(::wasihost_guest), &module).to_string();
//! assert!(code.contains("linker . define (\"demo\" , \"ping\""), "{code}");
//! assert!(code.contains("super :: abi :: ping (get (data) , & mut mem , arg0)"), "{code}");
//! ```
//!
//! `crates/gen/tests` then checks the new glue the way it checks the others: an end-to-end test
//! in `tests/bindgen` (`acme: true` in its `from_witx!`) running the `kitchen_sink` guest.

mod wasmi;
mod wasmtime;

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use witx::WasmType;

use crate::config::{Config, EngineChoice};

/// One function as an engine sees it.
pub struct FuncSig {
    /// The import name.
    pub witx_name: String,
    /// The shim in the module's `abi` submodule.
    pub shim: Ident,
    /// Wasm parameter types, in order.
    pub params: Vec<WasmType>,
    /// Wasm result types (zero or one).
    pub results: Vec<WasmType>,
}

/// One witx module as an engine sees it.
pub struct ModuleSig {
    /// The import module name.
    pub witx_name: String,
    /// The host trait to implement.
    pub trait_name: Ident,
    /// Its functions.
    pub funcs: Vec<FuncSig>,
}

/// The engines glue can be generated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// wasmtime 48.
    Wasmtime,
    /// wasmi 2 (an interpreter).
    Wasmi,
}

/// Emits the glue for one engine.
pub trait EngineEmitter {
    /// The name of the generated module (e.g. `wasmtime`).
    fn module_name(&self) -> &'static str;
    /// The glue's items, placed in `pub mod <module_name>` inside the witx module's module, where
    /// `super::abi::<shim>` and `super::<Trait>` are in scope. `rt` is the guest runtime's path.
    fn emit(&self, rt: &TokenStream, module: &ModuleSig) -> TokenStream;
}

impl Engine {
    fn emitter(self) -> &'static dyn EngineEmitter {
        match self {
            Engine::Wasmtime => &wasmtime::Wasmtime,
            Engine::Wasmi => &wasmi::Wasmi,
        }
    }
}

/// The glue for every engine the config asks for, each gated as asked.
pub fn emit_all(rt: &TokenStream, config: &Config, module: &ModuleSig) -> TokenStream {
    let mut out = TokenStream::new();
    let engines = [
        (Engine::Wasmtime, &config.wasmtime),
        (Engine::Wasmi, &config.wasmi),
    ];
    for (engine, choice) in engines {
        let gate = match choice {
            EngineChoice::Off => continue,
            EngineChoice::On => quote!(),
            EngineChoice::Feature(f) => quote!(#[cfg(feature = #f)]),
        };
        let emitter = engine.emitter();
        let name = Ident::new(emitter.module_name(), proc_macro2::Span::call_site());
        let body = emitter.emit(rt, module);
        let doc = format!(" Glue for the {} engine.", emitter.module_name());
        out.extend(quote! {
            #[doc = #doc]
            #gate
            pub mod #name {
                #body
            }
        });
    }
    out
}

/// Rust type of a wasm value type.
pub fn wasm_ty(t: WasmType) -> TokenStream {
    match t {
        WasmType::I32 => quote!(i32),
        WasmType::I64 => quote!(i64),
        WasmType::F32 => quote!(f32),
        WasmType::F64 => quote!(f64),
    }
}

impl FuncSig {
    /// The pieces of a host closure for this function: argument names (`arg0`, `arg1`, ...),
    /// their Rust types, and the Rust type of the result (`()` when there is none).
    pub fn closure_parts(&self) -> (Vec<Ident>, Vec<TokenStream>, TokenStream) {
        let args = (0..self.params.len())
            .map(|i| quote::format_ident!("arg{i}"))
            .collect();
        let tys = self.params.iter().map(|t| wasm_ty(*t)).collect();
        let ret = match self.results.first() {
            Some(t) => wasm_ty(*t),
            None => quote!(()),
        };
        (args, tys, ret)
    }
}
