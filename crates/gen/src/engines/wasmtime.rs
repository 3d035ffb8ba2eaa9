//! Glue for wasmtime 48.

use proc_macro2::TokenStream;
use quote::quote;

use super::{EngineEmitter, ModuleSig};

/// Emits `add_to_linker` for `wasmtime::Linker`.
pub struct Wasmtime;

impl EngineEmitter for Wasmtime {
    fn module_name(&self) -> &'static str {
        "wasmtime"
    }

    fn emit(&self, rt: &TokenStream, module: &ModuleSig) -> TokenStream {
        let trait_name = &module.trait_name;
        let module_name = &module.witx_name;
        let registrations = module.funcs.iter().map(|f| {
            let name = &f.witx_name;
            let shim = &f.shim;
            let (args, tys, ret) = f.closure_parts();
            quote! {
                linker.func_wrap(
                    #module_name,
                    #name,
                    move |mut caller: ::wasmtime::Caller<'_, T>, #(#args: #tys),*| -> ::wasmtime::Result<#ret> {
                        with_memory(&mut caller, export.as_ref(), |data, mem| {
                            super::abi::#shim(get(data), mem, #(#args),*)
                        })
                    },
                )?;
            }
        });
        quote! {
            use super::#trait_name;

            /// Register every function of the module with `linker`, finding the caller's memory
            /// by the export name `memory` on each call. `get` projects the store's data onto the
            /// host implementation.
            pub fn add_to_linker<T: 'static, H: #trait_name + ?Sized + 'static>(
                linker: &mut ::wasmtime::Linker<T>,
                get: impl Fn(&mut T) -> &mut H + Send + Sync + Copy + 'static,
            ) -> ::wasmtime::Result<()> {
                add_to_linker_with_export(linker, None, get)
            }

            /// Like [`add_to_linker`], for instances of `module` only: the memory export is
            /// resolved once here, and each call then finds the memory by index instead of by
            /// name (callers from other modules still work, through the by-name lookup).
            pub fn add_to_linker_for_module<T: 'static, H: #trait_name + ?Sized + 'static>(
                linker: &mut ::wasmtime::Linker<T>,
                module: &::wasmtime::Module,
                get: impl Fn(&mut T) -> &mut H + Send + Sync + Copy + 'static,
            ) -> ::wasmtime::Result<()> {
                add_to_linker_with_export(linker, module.get_export_index("memory"), get)
            }

            fn add_to_linker_with_export<T: 'static, H: #trait_name + ?Sized + 'static>(
                linker: &mut ::wasmtime::Linker<T>,
                export: Option<::wasmtime::ModuleExport>,
                get: impl Fn(&mut T) -> &mut H + Send + Sync + Copy + 'static,
            ) -> ::wasmtime::Result<()> {
                #(#registrations)*
                Ok(())
            }

            /// Run `f` with the caller's store data and a view of its memory. A guest without a
            /// memory export gets an empty memory: any pointer it passes is out of bounds.
            fn with_memory<T: 'static, R>(
                caller: &mut ::wasmtime::Caller<'_, T>,
                export: Option<&::wasmtime::ModuleExport>,
                f: impl FnOnce(&mut T, &mut #rt::GuestMemory<'_>) -> Result<R, #rt::Trap>,
            ) -> ::wasmtime::Result<R> {
                let found = match export {
                    Some(e) => caller.get_module_export(e),
                    None => None,
                };
                let found = match found {
                    Some(ext) => Some(ext),
                    None => caller.get_export("memory"),
                };
                let result = match found {
                    Some(::wasmtime::Extern::Memory(m)) => {
                        let (bytes, data) = m.data_and_store_mut(caller);
                        f(data, &mut #rt::GuestMemory::Unshared(bytes))
                    }
                    Some(::wasmtime::Extern::SharedMemory(m)) => {
                        f(caller.data_mut(), &mut #rt::GuestMemory::Shared(m.data()))
                    }
                    _ => f(caller.data_mut(), &mut #rt::GuestMemory::Unshared(&mut [])),
                };
                result.map_err(::wasmtime::Error::new)
            }
        }
    }
}
