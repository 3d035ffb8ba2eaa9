//! `abi::FUNCS` and `abi::call_raw`: every shim of a module reachable by number, with its raw
//! wasm arguments in a slice. Fuzzers and table-driven tests use it to call arbitrary sequences
//! of functions without an engine.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use witx::WasmType;

use crate::engines::FuncSig;

/// The items added to a module's `abi` submodule.
pub fn emit(rt: &TokenStream, trait_name: &proc_macro2::Ident, funcs: &[FuncSig]) -> TokenStream {
    let entries = funcs.iter().map(|f| {
        let name = &f.witx_name;
        let n = f.params.len();
        quote!((#name, #n))
    });
    let arms = funcs.iter().enumerate().map(|(i, f)| {
        let index = Literal::usize_unsuffixed(i);
        let shim = &f.shim;
        let args = f.params.iter().enumerate().map(|(k, t)| {
            let k = Literal::usize_unsuffixed(k);
            let raw = quote!(args.get(#k).copied().unwrap_or(0));
            match t {
                WasmType::I32 => quote!(#raw as i32),
                WasmType::I64 => quote!(#raw),
                WasmType::F32 => quote!(#raw as f32),
                WasmType::F64 => quote!(#raw as f64),
            }
        });
        let lower = match f.results.first() {
            None => quote!(.map(|()| None)),
            Some(_) => quote!(.map(|r| Some(r as i64))),
        };
        quote!(#index => Some(#shim(host, mem, #(#args),*) #lower),)
    });
    quote! {
        /// Every function of the module in declaration order: import name and number of wasm
        /// parameters. Indexes into [`call_raw`].
        #[doc(hidden)]
        pub const FUNCS: &[(&str, usize)] = &[#(#entries),*];

        /// Call the shim of `FUNCS[index]` with raw wasm arguments (each truncated to its
        /// parameter's type; missing ones are 0). `None` for an index past the end; otherwise
        /// the shim's outcome, its result widened to `i64`. For fuzzers and table-driven tests.
        #[doc(hidden)]
        pub fn call_raw<H: super::#trait_name + ?Sized>(
            host: &mut H,
            mem: &mut #rt::GuestMemory<'_>,
            index: usize,
            args: &[i64],
        ) -> Option<Result<Option<i64>, #rt::Trap>> {
            match index {
                #(#arms)*
                _ => None,
            }
        }
    }
}
