//! Hosts shared between threads: a `Lend` trait and a `Lent<L>` adapter per witx module.
//!
//! The module's trait takes `&mut self`, which one thread owns. A host shared by several
//! threads (wasi-threads: one context, one wasm instance per thread) instead implements
//! `Lend`: a `lend` method that hands the real host to one call at a time (typically by locking
//! a mutex around the call). Each function of the module is a provided method of `Lend` that
//! lends and forwards, so an implementation overrides only the calls it treats specially (a
//! `poll_oneoff` that must not hold the lock while it sleeps). `Lent<L>` then implements the
//! module's trait by calling those methods, so it registers with `add_to_linker` like any host.
//!
//! Nothing here touches the ABI shims or the engine glue: a host that does not use `Lent`
//! compiles to exactly the code it did before.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::Error;

/// Names `Lend` takes for itself; a witx function may not use them.
pub const RESERVED: [&str; 1] = ["lend"];

/// One function's pieces, from the trait's point of view.
pub struct LendFunc {
    /// The method name.
    pub method: Ident,
    /// Its doc attributes.
    pub docs: TokenStream,
    /// `name: Type` for each parameter after `mem`.
    pub params: Vec<TokenStream>,
    /// The parameter names, in order.
    pub names: Vec<Ident>,
    /// The method's return type.
    pub ret: TokenStream,
}

/// Fail if a witx function's name collides with `Lend`'s own.
pub fn check_name(name: &str) -> Result<(), Error> {
    if RESERVED.contains(&name) {
        return Err(Error::new(
            "the name is taken by the generated `Lend` trait",
        ));
    }
    Ok(())
}

/// The `Lend` trait and the `Lent` adapter for trait `trait_name`.
pub fn define(rt: &TokenStream, trait_name: &Ident, funcs: &[LendFunc]) -> TokenStream {
    let provided = funcs.iter().map(|f| {
        let LendFunc {
            method,
            docs,
            params,
            names,
            ret,
        } = f;
        quote! {
            #docs
            ///
            /// Default: lend the host to the call.
            #[allow(clippy::too_many_arguments)]
            fn #method(&mut self, mem: &mut #rt::GuestMemory<'_>, #(#params),*) -> #ret {
                self.lend(|host| host.#method(mem, #(#names),*))
            }
        }
    });
    let forwards = funcs.iter().map(|f| {
        let LendFunc {
            method,
            params,
            names,
            ret,
            ..
        } = f;
        quote! {
            #[inline]
            #[allow(clippy::too_many_arguments)]
            fn #method(&mut self, mem: &mut #rt::GuestMemory<'_>, #(#params),*) -> #ret {
                Lend::#method(&mut self.0, mem, #(#names),*)
            }
        }
    });
    let lend_doc = format!(
        " A handle to a [`{trait_name}`] host shared between threads, which lends it to one \
         call at a time. Wrap the handle in [`Lent`] to get a [`{trait_name}`]: each method \
         then runs [`Lend::lend`] around the host's method, unless the handle overrides it."
    );
    let lent_doc = format!(
        " The [`{trait_name}`] of a [`Lend`] handle: register `Lent<L>` with an engine's \
         `add_to_linker` like any host."
    );
    quote! {
        #[doc = #lend_doc]
        pub trait Lend {
            /// The shared host.
            type Host: #trait_name + ?Sized;

            /// Run `f` with exclusive access to the host (e.g. under a lock).
            fn lend<R>(&mut self, f: impl FnOnce(&mut Self::Host) -> R) -> R;

            /// Whether calls are traced (see the trait's `trace_enabled`); asked before every
            /// call, so it should not lend. Default: `false`.
            #[inline]
            fn trace_enabled(&self) -> bool { false }

            #(#provided)*
        }

        #[doc = #lent_doc]
        #[derive(Debug, Clone)]
        pub struct Lent<L>(pub L);

        impl<L: Lend> #trait_name for Lent<L> {
            #(#forwards)*

            #[inline]
            fn trace_enabled(&self) -> bool { Lend::trace_enabled(&self.0) }

            fn trace_call(&mut self, event: &#rt::TraceEvent<'_>) {
                self.0.lend(|host| host.trace_call(event))
            }
        }
    }
}
