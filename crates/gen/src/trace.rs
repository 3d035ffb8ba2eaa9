//! Call tracing, generated into every ABI shim. Each trait gets two provided methods,
//! `trace_enabled` (default `false`) and `trace_call`. Each shim asks the first; when it is
//! off the shim runs its plain body, unchanged by tracing; when on, it calls a second, cold
//! copy of itself that formats the decoded arguments and the outcome and hands a `TraceEvent`
//! to the second method.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use witx::{Type, TypeRef};

use crate::types::is_char;

/// Names the trace support takes in a trait; a witx function may not use them.
pub const RESERVED: [&str; 2] = ["trace_enabled", "trace_call"];

/// The trait's provided methods.
pub fn trait_methods(rt: &TokenStream) -> TokenStream {
    quote! {
        /// Whether the ABI shims trace calls: when `true`, every call's decoded arguments,
        /// outcome and duration go to [`trace_call`](Self::trace_call). Default: `false`,
        /// which costs each call this one check.
        #[inline]
        fn trace_enabled(&self) -> bool { false }

        /// Receive one traced call. Default: drop it.
        fn trace_call(&mut self, event: &#rt::TraceEvent<'_>) { let _ = event; }
    }
}

/// The statement that records the decoded arguments once all are lifted (nothing unless
/// `on`, the traced copy of the shim).
pub fn record_args(rt: &TokenStream, params: &[(Ident, TypeRef)], on: bool) -> TokenStream {
    if !on {
        return quote!();
    }
    let mut fmt = String::new();
    let mut values = Vec::new();
    for (i, (name, tref)) in params.iter().enumerate() {
        if i > 0 {
            fmt.push_str(", ");
        }
        fmt.push_str(&name.to_string());
        fmt.push('=');
        let (spec, value) = match &**tref.type_() {
            Type::List(t) if is_char(t) => ("{}", quote!(#rt::trace::Str(&*mem, #name))),
            Type::Handle(_) | Type::Builtin(_) => ("{}", quote!(#name)),
            _ => ("{:?}", quote!(#name)),
        };
        fmt.push_str(spec);
        values.push(value);
    }
    quote! {
        if trace_t0.is_some() {
            trace_args = Some(format!(#fmt, #(#values),*));
        }
    }
}

/// The statement that records a successful result `value` (`has_value`: not `()`, which
/// shows as `ok`).
pub fn record_ok(has_value: bool, on: bool) -> TokenStream {
    if !has_value || !on {
        return quote!();
    }
    quote! {
        if trace_t0.is_some() {
            trace_result = Some(format!("{:?}", &value));
        }
    }
}

/// The statement that records an error code of the interface's error type `errno_witx`.
pub fn record_err(rt: &TokenStream, errno_witx: &str, on: bool) -> TokenStream {
    if !on {
        return quote!();
    }
    quote! {
        if trace_t0.is_some() {
            trace_result = Some(#rt::trace::error_name(#errno_witx, errno.name()));
        }
    }
}

/// Wrap a shim's `body` (which returns `Result<#ret, Trap>`) in the tracing frame.
pub fn wrap(
    rt: &TokenStream,
    module: &str,
    func: &str,
    args: &[Ident],
    ret: &TokenStream,
    body: TokenStream,
) -> TokenStream {
    let raw_fmt = vec!["{}"; args.len()].join(", ");
    quote! {
        let trace_t0 = Some(::std::time::Instant::now());
        let mut trace_args: Option<String> = None;
        let mut trace_result: Option<String> = None;
        let ret = (|| -> Result<#ret, #rt::Trap> { #body })();
        if let Some(t0) = trace_t0 {
            let elapsed = t0.elapsed();
            let args = trace_args.unwrap_or_else(|| format!(#raw_fmt, #(#args),*));
            let result = match &ret {
                Err(trap) => format!("trap: {trap}"),
                Ok(_) => trace_result.unwrap_or_else(|| "ok".to_string()),
            };
            host.trace_call(&#rt::TraceEvent {
                module: #module,
                func: #func,
                args: &args,
                result: &result,
                elapsed,
            });
        }
        ret
    }
}
