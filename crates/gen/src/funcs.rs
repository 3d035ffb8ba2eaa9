//! One trait per witx module, and the ABI shims that connect raw wasm calls to it.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};
use witx::{BuiltinType, IntRepr, InterfaceFunc, Module, Type, TypeRef, WasmType};

use crate::engines::{self, FuncSig, ModuleSig};
use crate::lend::{self, LendFunc};
use crate::names::{type_name, value_name};
use crate::trace;
use crate::types::{TypeCtx, int_repr};
use crate::{Config, Error};

/// How a function reports its outcome, from the trait's point of view.
enum Outcome {
    /// `(result $r (expected T? (error $errno)))`: `Result<T, HostError>`, T stored through
    /// out-pointers, the errno returned.
    Expected {
        ok: Option<TypeRef>,
        errno_repr: IntRepr,
    },
    /// No results: `Result<(), HostError>`; an error can only trap.
    Unit,
    /// `(@witx noreturn)`: the host returns the trap that ends the call.
    NoReturn,
}

/// `pub mod <module> { trait, abi shims, engine glue }`.
pub fn define_module(
    ctx: &TypeCtx,
    config: &Config,
    module: &Module,
) -> Result<TokenStream, Error> {
    let rt = &ctx.rt;
    let mod_name = value_name(module.name.as_str());
    let trait_name = type_name(module.name.as_str());
    let host_err = match &config.errors {
        Some((_, path)) => quote!(#path),
        None => quote!(#rt::Trap),
    };
    let mut methods = Vec::new();
    let mut shims = Vec::new();
    let mut sigs = Vec::new();
    let mut lends = Vec::new();
    for func in module.funcs() {
        let name = func.name.as_str();
        let in_func = |message: &str| {
            Error::new(format!(
                "function `{}.{}`: {}",
                module.name.as_str(),
                name,
                message
            ))
        };
        if trace::RESERVED.contains(&name) {
            return Err(in_func("the name is taken by the generated trace support"));
        }
        lend::check_name(name).map_err(|e| in_func(&e.message))?;
        let witx_module = module.name.as_str();
        let f = define_func(ctx, config, &host_err, &trait_name, witx_module, &func)
            .map_err(|e| in_func(&e.message))?;
        methods.push(f.method);
        shims.push(f.shim);
        sigs.push(f.sig);
        lends.push(f.lend);
    }
    let lend_items = lend::define(rt, &trait_name, &lends);
    let sig = ModuleSig {
        witx_name: module.name.as_str().to_string(),
        trait_name: trait_name.clone(),
        funcs: sigs,
    };
    let glue = engines::emit_all(rt, config, &sig);
    let dispatch = crate::dispatch::emit(rt, &trait_name, &sig.funcs);
    let trace_methods = trace::trait_methods(rt);
    let doc = format!(
        " The host side of witx module `{}`: implement the trait, then register it with an \
         engine's `add_to_linker`.",
        module.name.as_str()
    );
    let trait_doc = format!(
        " The functions of witx module `{}`, one method each.",
        module.name.as_str()
    );
    Ok(quote! {
        #[doc = #doc]
        #[allow(clippy::all, dead_code, unused_imports)]
        pub mod #mod_name {
            use super::types;

            #[doc = #trait_doc]
            pub trait #trait_name {
                #(#methods)*
                #trace_methods
            }

            /// ABI shims: each takes the raw wasm arguments of one import, validates and lifts
            /// them, calls the trait method, and lowers the result.
            pub mod abi {
                use super::types;
                #(#shims)*
                #dispatch
            }

            #lend_items

            #glue
        }
    })
}

struct FuncParts {
    method: TokenStream,
    lend: LendFunc,
    shim: TokenStream,
    sig: FuncSig,
}

fn wasm_ty(t: WasmType) -> TokenStream {
    match t {
        WasmType::I32 => quote!(i32),
        WasmType::I64 => quote!(i64),
        WasmType::F32 => quote!(f32),
        WasmType::F64 => quote!(f64),
    }
}

fn define_func(
    ctx: &TypeCtx,
    config: &Config,
    host_err: &TokenStream,
    trait_name: &Ident,
    witx_module: &str,
    func: &InterfaceFunc,
) -> Result<FuncParts, Error> {
    let rt = &ctx.rt;
    let types = quote!(types::);
    let method = value_name(func.name.as_str());
    let (wasm_params, wasm_results) = func.wasm_signature();
    if wasm_results.len() > 1 {
        return Err(Error::new("more than one wasm result is not supported"));
    }
    let args: Vec<Ident> = (0..wasm_params.len())
        .map(|i| format_ident!("arg{i}"))
        .collect();
    let mut next_arg = 0usize;
    let mut take_arg = || {
        let a = args.get(next_arg).cloned();
        next_arg += 1;
        a.ok_or_else(|| Error::new("parameter list does not match the wasm signature"))
    };

    // Parameters: lift each from its raw wasm value(s).
    let mut params = Vec::new();
    let mut lifts = Vec::new();
    let mut names = Vec::new();
    let mut traced = Vec::new();
    for p in &func.params {
        let name = value_name(p.name.as_str());
        let ty = ctx.rust_type(&p.tref, &types)?;
        let is_list = matches!(&**p.tref.type_(), Type::List(_));
        let a = take_arg()?;
        let lift = if is_list {
            let len = take_arg()?;
            quote!(<#ty>::new(#a as u32, #len as u32))
        } else {
            let wide = wasm_params.get(next_index(&args, &a)) == Some(&WasmType::I64);
            lift_scalar(rt, &p.tref, &ty, &a, wide)?
        };
        params.push(quote!(#name: #ty));
        lifts.push(quote!(let #name: #ty = #lift;));
        traced.push((name.clone(), p.tref.clone()));
        names.push(name);
    }

    // Results.
    let outcome = outcome_of(config, func)?;
    let mut out_ptrs = Vec::new();
    let mut writes = Vec::new();
    let ok_ty = match &outcome {
        Outcome::Expected { ok: Some(ok), .. } => {
            let ok_ty = ctx.rust_type(ok, &types)?;
            let members: Vec<TypeRef> = match &**ok.type_() {
                Type::Record(r) if r.is_tuple() => {
                    r.members.iter().map(|m| m.tref.clone()).collect()
                }
                _ => vec![ok.clone()],
            };
            let tuple =
                members.len() > 1 || matches!(&**ok.type_(), Type::Record(r) if r.is_tuple());
            for (i, m) in members.iter().enumerate() {
                let a = take_arg()?;
                let ptr = format_ident!("out{i}");
                let mty = ctx.rust_type(m, &types)?;
                out_ptrs.push(quote!(let #ptr = #rt::GuestPtr::<#mty>::new(#a as u32);));
                let value = if tuple {
                    let idx = syn::Index::from(i);
                    quote!(value.#idx)
                } else {
                    quote!(value)
                };
                writes.push(quote!(#ptr.write(mem, #value).map_err(#rt::Trap::from)?;));
            }
            ok_ty
        }
        _ => quote!(()),
    };
    if next_arg != args.len() {
        return Err(Error::new(
            "parameter list does not match the wasm signature",
        ));
    }
    let validations: Vec<TokenStream> = (0..out_ptrs.len())
        .map(|i| {
            let ptr = format_ident!("out{i}");
            quote!(#ptr.validate(mem)?;)
        })
        .collect();

    let docs = func_docs(func);
    let method_ret = match &outcome {
        Outcome::NoReturn => quote!(#rt::Trap),
        _ => quote!(Result<#ok_ty, #host_err>),
    };
    let method_def = quote! {
        #docs
        fn #method(&mut self, mem: &mut #rt::GuestMemory<'_>, #(#params),*) -> #method_ret;
    };
    let lend = LendFunc {
        method: method.clone(),
        docs: docs.clone(),
        params: params.clone(),
        names: names.clone(),
        ret: method_ret.clone(),
    };

    let shim_ret = match wasm_results.first() {
        Some(t) => wasm_ty(*t),
        None => quote!(()),
    };
    let arg_decls = args
        .iter()
        .zip(&wasm_params)
        .map(|(a, t)| {
            let t = wasm_ty(*t);
            quote!(#a: #t)
        })
        .collect::<Vec<_>>();
    let witx_name = func.name.as_str();
    let no_errno = if config.errors.is_none() {
        quote!(Err(e))
    } else {
        let errno_ty = errno_type(config)?;
        quote! {
        Err(match <#host_err as #rt::IntoAbiError<types::#errno_ty>>::into_abi_error(e) {
            Ok(code) => #rt::Trap::Message(format!("{}: host error {:?}", #witx_name, code)),
            Err(trap) => trap,
        })
        }
    };
    // The body twice: plain, and with the trace recording (in a separate cold function).
    let has_value = matches!(&outcome, Outcome::Expected { ok: Some(_), .. });
    let errno_witx = config.errors.as_ref().map_or("", |e| e.0.as_str());
    let make_body = |on: bool| -> Result<TokenStream, Error> {
        let record_args = trace::record_args(rt, &traced, on);
        let record_ok = trace::record_ok(has_value, on);
        Ok(match &outcome {
            Outcome::Expected { errno_repr, .. } => {
                let record_err = trace::record_err(rt, errno_witx, on);
                let errno_ty = errno_type(config)?;
                let repr = int_repr(*errno_repr);
                let ret_cast = if wasm_results.first() == Some(&WasmType::I64) {
                    quote!(i64)
                } else {
                    quote!(i32)
                };
                quote! {
                    #(#out_ptrs)*
                    let outcome = (|| -> Result<#ok_ty, #host_err> {
                        #(#lifts)*
                        #record_args
                        #(#validations)*
                        host.#method(mem, #(#names),*)
                    })();
                    match outcome {
                        Ok(value) => {
                            #record_ok
                            #(#writes)*
                            let _ = value;
                            Ok(0)
                        }
                        Err(e) => {
                            let errno = <#host_err as #rt::IntoAbiError<types::#errno_ty>>::into_abi_error(e)?;
                            #record_err
                            Ok(<#repr>::from(errno) as #ret_cast)
                        }
                    }
                }
            }
            Outcome::Unit => quote! {
                let outcome = (|| -> Result<(), #host_err> {
                    #(#lifts)*
                    #record_args
                    host.#method(mem, #(#names),*)
                })();
                match outcome {
                    Ok(()) => Ok(()),
                    Err(e) => #no_errno,
                }
            },
            Outcome::NoReturn => quote! {
                let lifted = (|| -> Result<_, #host_err> {
                    #(#lifts)*
                    #record_args
                    Ok((#(#names,)*))
                })();
                match lifted {
                    Ok((#(#names,)*)) => Err(host.#method(mem, #(#names),*)),
                    Err(e) => #no_errno,
                }
            },
        })
    };
    let plain = make_body(false)?;
    let traced_body = trace::wrap(
        rt,
        witx_module,
        witx_name,
        &args,
        &shim_ret,
        make_body(true)?,
    );
    let traced_fn = format_ident!("{}_traced", method);
    let shim_doc = format!(" The ABI shim for `{witx_name}`.");
    let shim = quote! {
        #[doc = #shim_doc]
        #[allow(clippy::too_many_arguments, unused_mut, unused_variables, clippy::unnecessary_cast)]
        pub fn #method<H: super::#trait_name + ?Sized>(
            host: &mut H,
            mem: &mut #rt::GuestMemory<'_>,
            #(#arg_decls),*
        ) -> Result<#shim_ret, #rt::Trap> {
            if host.trace_enabled() {
                return #traced_fn(host, mem, #(#args),*);
            }
            #plain
        }

        /// The shim with tracing: out of line, so the untraced path stays as it was.
        #[cold]
        #[inline(never)]
        #[allow(clippy::too_many_arguments, unused_mut, unused_variables, clippy::unnecessary_cast)]
        fn #traced_fn<H: super::#trait_name + ?Sized>(
            host: &mut H,
            mem: &mut #rt::GuestMemory<'_>,
            #(#arg_decls),*
        ) -> Result<#shim_ret, #rt::Trap> {
            #traced_body
        }
    };
    Ok(FuncParts {
        method: method_def,
        lend,
        shim,
        sig: FuncSig {
            witx_name: witx_name.to_string(),
            shim: method,
            params: wasm_params,
            results: wasm_results,
        },
    })
}

fn next_index(args: &[Ident], a: &Ident) -> usize {
    args.iter().position(|x| x == a).unwrap_or(usize::MAX)
}

/// The Rust type of the configured errno, e.g. `Errno`.
fn errno_type(config: &Config) -> Result<Ident, Error> {
    match &config.errors {
        Some((name, _)) => Ok(type_name(name)),
        None => Err(Error::new(
            "functions returning `expected` need an `errors: { errno => HostError }` mapping",
        )),
    }
}

fn outcome_of(config: &Config, func: &InterfaceFunc) -> Result<Outcome, Error> {
    if func.noreturn {
        if !func.results.is_empty() {
            return Err(Error::new("a noreturn function cannot have results"));
        }
        return Ok(Outcome::NoReturn);
    }
    let Some(result) = func.results.first() else {
        return Ok(Outcome::Unit);
    };
    let Type::Variant(v) = &**result.tref.type_() else {
        return Err(Error::new("only `expected` results are supported"));
    };
    let Some((ok, err)) = v.as_expected() else {
        return Err(Error::new("only `expected` results are supported"));
    };
    let Some(TypeRef::Name(err)) = err else {
        return Err(Error::new("an `expected` result needs a named error type"));
    };
    let expected_name = errno_type(config)?;
    if type_name(err.name.as_str()) != expected_name {
        return Err(Error::new(format!(
            "error type `{}` is not the one mapped in `errors`",
            err.name.as_str()
        )));
    }
    let errno_repr = match &**err.type_() {
        Type::Variant(ev) if ev.is_enum() => ev.tag_repr,
        _ => return Err(Error::new("the error type must be an enum")),
    };
    Ok(Outcome::Expected {
        ok: ok.cloned(),
        errno_repr,
    })
}

/// The expression lifting one scalar wasm argument `a` into the Rust type `ty`.
fn lift_scalar(
    rt: &TokenStream,
    tref: &TypeRef,
    ty: &TokenStream,
    a: &Ident,
    wide: bool,
) -> Result<TokenStream, Error> {
    let raw = if wide {
        quote!(#a as u64)
    } else {
        quote!(#a as u32 as u64)
    };
    let overflow = quote!(#rt::GuestError::IntegerOverflow);
    Ok(match &**tref.type_() {
        Type::Builtin(b) => match b {
            BuiltinType::U8 { .. } => quote!(u8::try_from(#a as u32).map_err(|_| #overflow)?),
            BuiltinType::U16 => quote!(u16::try_from(#a as u32).map_err(|_| #overflow)?),
            BuiltinType::S8 => quote!(i8::try_from(#a).map_err(|_| #overflow)?),
            BuiltinType::S16 => quote!(i16::try_from(#a).map_err(|_| #overflow)?),
            BuiltinType::U32 { .. } => quote!(#a as u32),
            BuiltinType::U64 => quote!(#a as u64),
            BuiltinType::S32 | BuiltinType::S64 | BuiltinType::F32 | BuiltinType::F64 => quote!(#a),
            BuiltinType::Char => {
                quote!(char::from_u32(#a as u32).ok_or(#rt::GuestError::InvalidChar(#a as u32))?)
            }
        },
        Type::Pointer(_) | Type::ConstPointer(_) => quote!(<#ty>::new(#a as u32)),
        Type::Handle(_) => quote!(<#ty>::from(#a as u32)),
        Type::Variant(v) if v.is_bool() && !tref.named() => {
            quote!(match #a { 0 => false, 1 => true, v => return Err(#rt::GuestError::InvalidEnumValue { type_name: "bool", value: v as u32 as u64 }.into()) })
        }
        Type::Variant(v) if v.is_enum() => quote!(<#ty>::from_raw(#raw)?),
        Type::Record(r) if r.bitflags_repr().is_some() => quote!(<#ty>::from_raw(#raw)?),
        Type::Record(_) | Type::Variant(_) => {
            quote!(#rt::GuestPtr::<#ty>::new(#a as u32).read(mem)?)
        }
        Type::List(_) => return Err(Error::new("internal: list lifted as a scalar")),
    })
}

fn func_docs(func: &InterfaceFunc) -> TokenStream {
    let mut lines: Vec<String> = func
        .docs
        .trim()
        .lines()
        .map(|l| format!(" {}", l.trim_end()))
        .collect();
    if lines.is_empty() {
        lines.push(format!(" witx function `{}`.", func.name.as_str()));
    }
    let lit = lines.iter().map(|l| Literal::string(l));
    let _ = Span::call_site();
    quote!(#(#[doc = #lit])*)
}
