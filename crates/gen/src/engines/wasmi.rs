//! Glue for wasmi 2.
//!
//! The generated code needs the runtime crate's `wasmi` feature (`wasihost-guest/wasmi`): it is
//! what makes `Trap` a `wasmi::errors::HostError`, so a trap can ride in a `wasmi::Error` and the
//! embedder can downcast it back.

use proc_macro2::TokenStream;
use quote::quote;

use super::{EngineEmitter, ModuleSig};

/// Emits `add_to_linker` for `wasmi::Linker`.
pub struct Wasmi;

impl EngineEmitter for Wasmi {
    fn module_name(&self) -> &'static str {
        "wasmi"
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
                    move |mut caller: ::wasmi::Caller<'_, T>, #(#args: #tys),*| -> ::core::result::Result<#ret, ::wasmi::Error> {
                        with_memory(&mut caller, slot.as_ref(), |data, mem| {
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
            /// host implementation. A trap comes back from wasmi calls as a `wasmi::Error`
            /// holding the runtime's `Trap` (`err.downcast_ref::<Trap>()`), except a requested
            /// exit, which is wasmi's own `i32_exit` error (`err.i32_exit_status()`).
            pub fn add_to_linker<T: 'static, H: #trait_name + ?Sized + 'static>(
                linker: &mut ::wasmi::Linker<T>,
                get: impl Fn(&mut T) -> &mut H + Send + Sync + Copy + 'static,
            ) -> ::core::result::Result<(), ::wasmi::Error> {
                add_to_linker_with(linker, None, get)
            }

            /// Like [`add_to_linker`], for the one instance this linker will create: once
            /// `slot` holds that instance's `memory` export (set it right after instantiation),
            /// calls take the memory from it instead of looking it up by name. The slot's rules
            /// are in [`MemorySlot`](#rt::MemorySlot)'s documentation.
            pub fn add_to_linker_for_instance<T: 'static, H: #trait_name + ?Sized + 'static>(
                linker: &mut ::wasmi::Linker<T>,
                slot: &#rt::MemorySlot<::wasmi::Memory>,
                get: impl Fn(&mut T) -> &mut H + Send + Sync + Copy + 'static,
            ) -> ::core::result::Result<(), ::wasmi::Error> {
                add_to_linker_with(linker, Some(slot.clone()), get)
            }

            fn add_to_linker_with<T: 'static, H: #trait_name + ?Sized + 'static>(
                linker: &mut ::wasmi::Linker<T>,
                slot: Option<#rt::MemorySlot<::wasmi::Memory>>,
                get: impl Fn(&mut T) -> &mut H + Send + Sync + Copy + 'static,
            ) -> ::core::result::Result<(), ::wasmi::Error> {
                #(#registrations)*
                Ok(())
            }

            /// Run `f` with the caller's store data and a view of its memory: the slot's, once
            /// set, otherwise the caller's `memory` export. A guest without a memory export gets
            /// an empty memory: any pointer it passes is out of bounds.
            #[inline]
            fn with_memory<T, R>(
                caller: &mut ::wasmi::Caller<'_, T>,
                slot: Option<&#rt::MemorySlot<::wasmi::Memory>>,
                f: impl FnOnce(&mut T, &mut #rt::GuestMemory<'_>) -> ::core::result::Result<R, #rt::Trap>,
            ) -> ::core::result::Result<R, ::wasmi::Error> {
                let memory = match slot.and_then(|s| s.get()) {
                    Some(m) => Some(*m),
                    None => match caller.get_export("memory") {
                        Some(::wasmi::Extern::Memory(m)) => Some(m),
                        _ => None,
                    },
                };
                let result = match memory {
                    Some(m) => {
                        let (bytes, data) = m.data_and_store_mut(caller);
                        f(data, &mut #rt::GuestMemory::Unshared(bytes))
                    }
                    None => f(caller.data_mut(), &mut #rt::GuestMemory::Unshared(&mut [])),
                };
                result.map_err(#rt::Trap::into_wasmi_error)
            }
        }
    }
}
