//! Rust definitions for witx types.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use witx::{BuiltinType, IntRepr, NamedType, RecordDatatype, Type, TypeRef, Variant};

use crate::layout;

mod flags;

use crate::names::{const_name, type_name, value_name};
use crate::{Config, Error};

/// What type generation needs to know about the macro call.
pub struct TypeCtx {
    /// Path of the guest-memory runtime crate.
    pub rt: TokenStream,
}

impl TypeCtx {
    pub fn new(config: &Config) -> Self {
        let rt = &config.runtime;
        TypeCtx { rt: quote!(#rt) }
    }

    /// The Rust type for a witx type reference. Named types are written `#prefix Name`.
    pub fn rust_type(&self, tref: &TypeRef, prefix: &TokenStream) -> Result<TokenStream, Error> {
        let rt = &self.rt;
        match tref {
            TypeRef::Name(nt) => {
                let name = type_name(nt.name.as_str());
                Ok(quote!(#prefix #name))
            }
            TypeRef::Value(ty) => match &**ty {
                Type::Builtin(b) => Ok(builtin(*b)),
                Type::Pointer(t) | Type::ConstPointer(t) => {
                    let inner = self.rust_type(t, prefix)?;
                    Ok(quote!(#rt::GuestPtr<#inner>))
                }
                Type::List(t) if is_char(t) => Ok(quote!(#rt::GuestStr)),
                Type::List(t) => {
                    let inner = self.rust_type(t, prefix)?;
                    Ok(quote!(#rt::GuestSlice<#inner>))
                }
                Type::Variant(v) if v.is_bool() => Ok(quote!(bool)),
                Type::Record(r) if r.is_tuple() => {
                    let members = r
                        .members
                        .iter()
                        .map(|m| self.rust_type(&m.tref, prefix))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(quote!((#(#members,)*)))
                }
                other => Err(Error::new(format!(
                    "an anonymous {} type is not supported here; name it with `typename`",
                    other.kind()
                ))),
            },
        }
    }
}

/// True for the witx `char` builtin (a list of which is a `string`).
pub fn is_char(t: &TypeRef) -> bool {
    matches!(&**t.type_(), Type::Builtin(BuiltinType::Char))
}

/// The Rust primitive for a builtin.
pub fn builtin(b: BuiltinType) -> TokenStream {
    match b {
        BuiltinType::Char => quote!(char),
        BuiltinType::U8 { .. } => quote!(u8),
        BuiltinType::U16 => quote!(u16),
        BuiltinType::U32 { .. } => quote!(u32),
        BuiltinType::U64 => quote!(u64),
        BuiltinType::S8 => quote!(i8),
        BuiltinType::S16 => quote!(i16),
        BuiltinType::S32 => quote!(i32),
        BuiltinType::S64 => quote!(i64),
        BuiltinType::F32 => quote!(f32),
        BuiltinType::F64 => quote!(f64),
    }
}

/// The unsigned Rust integer for an integer representation.
pub fn int_repr(r: IntRepr) -> TokenStream {
    match r {
        IntRepr::U8 => quote!(u8),
        IntRepr::U16 => quote!(u16),
        IntRepr::U32 => quote!(u32),
        IntRepr::U64 => quote!(u64),
    }
}

fn docs(text: &str, fallback: String) -> TokenStream {
    let text = text.trim();
    let text = if text.is_empty() {
        fallback
    } else {
        text.to_string()
    };
    let lines = text.lines().map(|l| format!(" {}", l.trim_end()));
    quote!(#(#[doc = #lines])*)
}

fn usize_lit(n: usize) -> Literal {
    Literal::usize_unsuffixed(n)
}

fn u32_lit(n: usize) -> Literal {
    Literal::u32_unsuffixed(n as u32)
}

/// `pub mod types { ... }` with one definition per named witx type.
pub fn define_all(ctx: &TypeCtx, doc: &witx::Document) -> Result<TokenStream, Error> {
    let mut defs = Vec::new();
    for nt in doc.typenames() {
        defs.push(
            define(ctx, &nt)
                .map_err(|e| Error::new(format!("type `{}`: {}", nt.name.as_str(), e.message)))?,
        );
    }
    let mut consts = Vec::new();
    for c in doc.constants() {
        let ty = type_name(c.ty.as_str());
        let name = const_name(&format!("{}_{}", c.ty.as_str(), c.name.as_str()));
        let value = Literal::u64_unsuffixed(c.value);
        let doc = docs(&c.docs, format!("witx constant `{}`.", c.name.as_str()));
        consts.push(quote!(#doc pub const #name: #ty = #value;));
    }
    Ok(quote! {
        /// Rust types for every type in the witx documents, with their exact ABI layout.
        #[allow(clippy::all, non_camel_case_types, dead_code)]
        pub mod types {
            #(#defs)*
            #(#consts)*
        }
    })
}

fn define(ctx: &TypeCtx, nt: &NamedType) -> Result<TokenStream, Error> {
    let name = type_name(nt.name.as_str());
    let doc = docs(&nt.docs, format!("witx type `{}`.", nt.name.as_str()));
    let here = TokenStream::new();
    match &nt.tref {
        TypeRef::Name(_) => {
            let target = ctx.rust_type(&nt.tref, &here)?;
            Ok(quote!(#doc pub type #name = #target;))
        }
        TypeRef::Value(ty) => match &**ty {
            Type::Builtin(_) | Type::Pointer(_) | Type::ConstPointer(_) | Type::List(_) => {
                let target = ctx.rust_type(&nt.tref, &here)?;
                Ok(quote!(#doc pub type #name = #target;))
            }
            Type::Handle(_) => Ok(define_handle(ctx, nt, doc)),
            Type::Record(r) => match r.bitflags_repr() {
                Some(repr) => Ok(flags::define_flags(ctx, nt, r, repr, doc)),
                None => define_record(ctx, nt, r, doc),
            },
            Type::Variant(v) if v.is_enum() => Ok(define_enum(ctx, nt, v, doc)),
            Type::Variant(v) => define_variant(ctx, nt, v, doc),
        },
    }
}

fn define_handle(ctx: &TypeCtx, nt: &NamedType, doc: TokenStream) -> TokenStream {
    let rt = &ctx.rt;
    let name = type_name(nt.name.as_str());
    quote! {
        #doc
        #[repr(transparent)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct #name(u32);

        impl #name {
            /// The handle with this raw number.
            pub const fn new(raw: u32) -> Self { #name(raw) }
            /// The raw number.
            pub const fn raw(self) -> u32 { self.0 }
        }
        impl From<u32> for #name {
            fn from(raw: u32) -> Self { #name(raw) }
        }
        impl From<#name> for u32 {
            fn from(h: #name) -> u32 { h.0 }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }
        impl #rt::GuestType for #name {
            const SIZE: u32 = 4;
            const ALIGN: u32 = 4;
            fn decode(bytes: &[u8]) -> Result<Self, #rt::GuestError> {
                <u32 as #rt::GuestType>::decode(bytes).map(#name)
            }
            fn encode(&self, out: &mut [u8]) {
                <u32 as #rt::GuestType>::encode(&self.0, out)
            }
        }
    }
}

fn define_enum(ctx: &TypeCtx, nt: &NamedType, v: &Variant, doc: TokenStream) -> TokenStream {
    let rt = &ctx.rt;
    let name = type_name(nt.name.as_str());
    let witx_name = nt.name.as_str();
    let int = int_repr(v.tag_repr);
    let size = u32_lit(layout::int(v.tag_repr).size);
    let cases: Vec<_> = v.cases.iter().map(|c| type_name(c.name.as_str())).collect();
    let values: Vec<_> = (0..v.cases.len() as u64)
        .map(Literal::u64_unsuffixed)
        .collect();
    let case_names: Vec<_> = v
        .cases
        .iter()
        .map(|c| c.name.as_str().to_string())
        .collect();
    let variants = v
        .cases
        .iter()
        .zip(&cases)
        .zip(&values)
        .map(|((c, id), val)| {
            let doc = docs(&c.docs, format!("Case `{}`.", c.name.as_str()));
            quote!(#doc #id = #val)
        });
    quote! {
        #doc
        #[repr(#int)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name { #(#variants,)* }

        impl #name {
            /// Every case, in value order.
            pub const ALL: &'static [#name] = &[#(#name::#cases),*];
            /// The raw ABI value.
            pub const fn to_raw(self) -> #int { self as #int }
            /// Decode a raw ABI value, rejecting values that are not a case.
            pub fn from_raw(raw: u64) -> Result<Self, #rt::GuestError> {
                match raw {
                    #(#values => Ok(#name::#cases),)*
                    _ => Err(#rt::GuestError::InvalidEnumValue { type_name: #witx_name, value: raw }),
                }
            }
            /// The case's name in the witx document.
            pub const fn name(self) -> &'static str {
                match self { #(#name::#cases => #case_names,)* }
            }
        }
        impl TryFrom<#int> for #name {
            type Error = #rt::GuestError;
            fn try_from(raw: #int) -> Result<Self, #rt::GuestError> { Self::from_raw(raw as u64) }
        }
        impl From<#name> for #int {
            fn from(e: #name) -> #int { e as #int }
        }
        impl #rt::GuestType for #name {
            const SIZE: u32 = #size;
            const ALIGN: u32 = #size;
            fn decode(bytes: &[u8]) -> Result<Self, #rt::GuestError> {
                let raw = <#int as #rt::GuestType>::decode(bytes)?;
                Self::from_raw(raw as u64)
            }
            fn encode(&self, out: &mut [u8]) {
                <#int as #rt::GuestType>::encode(&(*self as #int), out)
            }
        }
    }
}

fn define_record(
    ctx: &TypeCtx,
    nt: &NamedType,
    r: &RecordDatatype,
    doc: TokenStream,
) -> Result<TokenStream, Error> {
    let rt = &ctx.rt;
    let here = TokenStream::new();
    let name = type_name(nt.name.as_str());
    let (sa, offsets_of) = layout::record(r);
    let (size, align) = (u32_lit(sa.size), u32_lit(sa.align));
    let mut fields = Vec::new();
    let mut decodes = Vec::new();
    let mut encodes = Vec::new();
    let mut offsets = Vec::new();
    // Padding is zeroed range by range (not the whole record first): the end of the previous
    // field, and that of the record.
    let mut padding = Vec::new();
    let mut end = 0;
    for (i, (member, &offset)) in r.members.iter().zip(&offsets_of).enumerate() {
        let ty = ctx.rust_type(&member.tref, &here)?;
        let member_size = layout::of(&member.tref).size;
        if offset > end {
            padding.push((end, offset));
        }
        end = offset + member_size;
        let off = usize_lit(offset);
        let fsize = usize_lit(member_size);
        let slice = quote!(#off..#off + #fsize);
        let field = if r.is_tuple() {
            let idx = syn::Index::from(i);
            quote!(#idx)
        } else {
            let f = value_name(member.name.as_str());
            quote!(#f)
        };
        let fdoc = docs(&member.docs, format!("Field `{}`.", member.name.as_str()));
        fields.push(if r.is_tuple() {
            quote!(#fdoc pub #ty)
        } else {
            quote!(#fdoc pub #field: #ty)
        });
        decodes.push((
            field.clone(),
            quote!(<#ty as #rt::GuestType>::decode(&bytes[#slice])?),
        ));
        encodes.push(quote!(<#ty as #rt::GuestType>::encode(&self.#field, &mut out[#slice]);));
        let fname = member.name.as_str().to_string();
        let o = u32_lit(offset);
        offsets.push(quote!((#fname, #o)));
    }
    if sa.size > end {
        padding.push((end, sa.size));
    }
    let zero_padding = padding.iter().map(|&(a, b)| {
        let (a, b) = (usize_lit(a), usize_lit(b));
        quote!(out[#a..#b].fill(0);)
    });
    let size_usize = usize_lit(sa.size);
    let n = usize_lit(r.members.len());
    let (def, ctor) = if r.is_tuple() {
        let tys = fields.iter();
        let vals = decodes.iter().map(|(_, d)| d);
        (
            quote!(pub struct #name(#(#tys),*);),
            quote!(#name(#(#vals),*)),
        )
    } else {
        let vals = decodes.iter().map(|(f, d)| quote!(#f: #d));
        (
            quote!(pub struct #name { #(#fields,)* }),
            quote!(#name { #(#vals,)* }),
        )
    };
    Ok(quote! {
        #doc
        #[derive(Clone, Copy, Debug, PartialEq)]
        #def

        impl #name {
            /// Each field's witx name and byte offset, in declaration order.
            pub const FIELD_OFFSETS: [(&'static str, u32); #n] = [#(#offsets),*];
        }
        impl #rt::GuestType for #name {
            const SIZE: u32 = #size;
            const ALIGN: u32 = #align;
            fn decode(bytes: &[u8]) -> Result<Self, #rt::GuestError> {
                Ok(#ctor)
            }
            fn encode(&self, out: &mut [u8]) {
                // One length check: every write below is then at a constant offset within it.
                let out = &mut out[..#size_usize];
                #(#zero_padding)*
                #(#encodes)*
            }
        }
    })
}

fn define_variant(
    ctx: &TypeCtx,
    nt: &NamedType,
    v: &Variant,
    doc: TokenStream,
) -> Result<TokenStream, Error> {
    let rt = &ctx.rt;
    let here = TokenStream::new();
    let name = type_name(nt.name.as_str());
    let witx_name = nt.name.as_str();
    let (sa, payload_offset) = layout::variant(v);
    let (size, align) = (u32_lit(sa.size), u32_lit(sa.align));
    let int = int_repr(v.tag_repr);
    let tag_size = usize_lit(layout::int(v.tag_repr).size);
    let payload_at = usize_lit(payload_offset);
    let mut cases = Vec::new();
    let mut decodes = Vec::new();
    let mut encodes = Vec::new();
    let mut tags = Vec::new();
    for (i, c) in v.cases.iter().enumerate() {
        let id = type_name(c.name.as_str());
        let tag = Literal::u64_unsuffixed(i as u64);
        let tag_val = Literal::u64_unsuffixed(i as u64);
        let cdoc = docs(&c.docs, format!("Case `{}`.", c.name.as_str()));
        match &c.tref {
            Some(t) => {
                let ty = ctx.rust_type(t, &here)?;
                let psize = usize_lit(layout::of(t).size);
                let slice = quote!(#payload_at..#payload_at + #psize);
                cases.push(quote!(#cdoc #id(#ty)));
                decodes.push(
                    quote!(#tag => #name::#id(<#ty as #rt::GuestType>::decode(&bytes[#slice])?)),
                );
                encodes.push(quote!(#name::#id(payload) => {
                    <#int as #rt::GuestType>::encode(&(#tag_val as #int), &mut out[..#tag_size]);
                    <#ty as #rt::GuestType>::encode(payload, &mut out[#slice]);
                }));
                tags.push(quote!(#name::#id(_) => #tag_val as #int));
            }
            None => {
                cases.push(quote!(#cdoc #id));
                decodes.push(quote!(#tag => #name::#id));
                encodes.push(quote!(#name::#id => {
                    <#int as #rt::GuestType>::encode(&(#tag_val as #int), &mut out[..#tag_size]);
                }));
                tags.push(quote!(#name::#id => #tag_val as #int));
            }
        }
    }
    Ok(quote! {
        #doc
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum #name { #(#cases,)* }

        impl #name {
            /// The raw tag of this value's case.
            pub const fn tag(&self) -> #int {
                match self { #(#tags,)* }
            }
        }
        impl #rt::GuestType for #name {
            const SIZE: u32 = #size;
            const ALIGN: u32 = #align;
            fn decode(bytes: &[u8]) -> Result<Self, #rt::GuestError> {
                let tag = <#int as #rt::GuestType>::decode(&bytes[..#tag_size])?;
                Ok(match tag as u64 {
                    #(#decodes,)*
                    other => return Err(#rt::GuestError::InvalidEnumValue { type_name: #witx_name, value: other }),
                })
            }
            fn encode(&self, out: &mut [u8]) {
                out.fill(0);
                match self { #(#encodes)* }
            }
        }
    })
}
