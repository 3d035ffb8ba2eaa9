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
            quote! {{
                let slot = slot.clone();
                linker.func_wrap(
                    #module_name,
                    #name,
                    move |mut caller: ::wasmtime::Caller<'_, T>, #(#args: #tys),*| -> ::wasmtime::Result<#ret> {
                        with_memory(&mut caller, slot.as_ref(), export.as_ref(), |data, mem| {
                            super::abi::#shim(get(data), mem, #(#args),*)
                        })
                    },
                )?;
            }}
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
                add_to_linker_with(linker, None, None, get)
            }

            /// Like [`add_to_linker`], for instances of `module` only: the memory export is
            /// resolved once here, and each call then finds the memory by index instead of by
            /// name (callers from other modules still work, through the by-name lookup).
            pub fn add_to_linker_for_module<T: 'static, H: #trait_name + ?Sized + 'static>(
                linker: &mut ::wasmtime::Linker<T>,
                module: &::wasmtime::Module,
                get: impl Fn(&mut T) -> &mut H + Send + Sync + Copy + 'static,
            ) -> ::wasmtime::Result<()> {
                add_to_linker_with(linker, module.get_export_index("memory"), None, get)
            }

            /// Like [`add_to_linker_for_module`], for the one instance of `module` this linker
            /// will create: once `slot` holds that instance's `memory` export (set it right after
            /// instantiation), calls take the memory from it with no lookup at all. The slot's
            /// rules are in [`MemorySlot`](#rt::MemorySlot)'s documentation.
            pub fn add_to_linker_for_instance<T: 'static, H: #trait_name + ?Sized + 'static>(
                linker: &mut ::wasmtime::Linker<T>,
                module: &::wasmtime::Module,
                slot: &#rt::MemorySlot<::wasmtime::Extern>,
                get: impl Fn(&mut T) -> &mut H + Send + Sync + Copy + 'static,
            ) -> ::wasmtime::Result<()> {
                let export = module.get_export_index("memory");
                add_to_linker_with(linker, export, Some(slot.clone()), get)
            }

            fn add_to_linker_with<T: 'static, H: #trait_name + ?Sized + 'static>(
                linker: &mut ::wasmtime::Linker<T>,
                export: Option<::wasmtime::ModuleExport>,
                slot: Option<#rt::MemorySlot<::wasmtime::Extern>>,
                get: impl Fn(&mut T) -> &mut H + Send + Sync + Copy + 'static,
            ) -> ::wasmtime::Result<()> {
                #(#registrations)*
                Ok(())
            }

            /// Run `f` with the caller's store data and a view of its memory: the slot's, once
            /// set; otherwise the caller's export found by index, then by name. A guest without
            /// a memory export gets an empty memory: any pointer it passes is out of bounds.
            #[inline]
            fn with_memory<T: 'static, R>(
                caller: &mut ::wasmtime::Caller<'_, T>,
                slot: Option<&#rt::MemorySlot<::wasmtime::Extern>>,
                export: Option<&::wasmtime::ModuleExport>,
                f: impl FnOnce(&mut T, &mut #rt::GuestMemory<'_>) -> Result<R, #rt::Trap>,
            ) -> ::wasmtime::Result<R> {
                if let Some(ext) = slot.and_then(|s| s.get()) {
                    return with_extern(caller, Some(ext), f);
                }
                let found = match export {
                    Some(e) => caller.get_module_export(e),
                    None => None,
                };
                let found = match found {
                    Some(ext) => Some(ext),
                    None => caller.get_export("memory"),
                };
                with_extern(caller, found.as_ref(), f)
            }

            /// Run `f` with a view of `memory` (an empty one unless it is a memory).
            #[inline]
            fn with_extern<T: 'static, R>(
                caller: &mut ::wasmtime::Caller<'_, T>,
                memory: Option<&::wasmtime::Extern>,
                f: impl FnOnce(&mut T, &mut #rt::GuestMemory<'_>) -> Result<R, #rt::Trap>,
            ) -> ::wasmtime::Result<R> {
                let result = match memory {
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
