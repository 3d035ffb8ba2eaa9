//! Engine glue: registering a module's shims with a WebAssembly engine's linker.
//!
//! Each engine is one [`EngineEmitter`]. It receives a [`ModuleSig`] — the module's name, its trait
//! and, per function, the shim to call with its wasm signature — and emits a `pub mod <engine>`
//! with an `add_to_linker` function. Everything engine-neutral (lifting, validation, error
//! mapping) already lives in the shims, so an emitter only has to: find the caller's memory,
//! build a `GuestMemory` view of it, project the store's data onto the host, call the shim, and
//! turn a `Trap` into the engine's error. See `wasmtime.rs` for a complete example.

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
        }
    }
}

/// The glue for every engine the config asks for, each gated as asked.
pub fn emit_all(rt: &TokenStream, config: &Config, module: &ModuleSig) -> TokenStream {
    let mut out = TokenStream::new();
    for (engine, choice) in [(Engine::Wasmtime, &config.wasmtime)] {
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
