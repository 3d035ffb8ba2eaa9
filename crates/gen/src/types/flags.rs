//! Flags types: a bitflags-like newtype over the integer representation that rejects
//! undefined bits.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use witx::{IntRepr, NamedType, RecordDatatype};

use super::{TypeCtx, docs, int_repr, u32_lit};
use crate::layout;
use crate::names::{const_name, type_name};

/// The definition of a witx `flags` type.
pub(super) fn define_flags(
    ctx: &TypeCtx,
    nt: &NamedType,
    r: &RecordDatatype,
    repr: IntRepr,
    doc: TokenStream,
) -> TokenStream {
    let rt = &ctx.rt;
    let name = type_name(nt.name.as_str());
    let witx_name = nt.name.as_str();
    let int = int_repr(repr);
    let size = u32_lit(layout::int(repr).size);
    let consts = r.members.iter().enumerate().map(|(i, m)| {
        let c = const_name(m.name.as_str());
        let doc = docs(&m.docs, format!("Flag `{}`.", m.name.as_str()));
        let bit = Literal::u32_unsuffixed(i as u32);
        quote!(#doc pub const #c: #name = #name(1 << #bit);)
    });
    let names = r.members.iter().map(|m| {
        let c = const_name(m.name.as_str());
        let s = c.to_string();
        quote!((#name::#c, #s))
    });
    let all_bits = r
        .members
        .iter()
        .enumerate()
        .fold(0u64, |acc, (i, _)| acc | (1u64 << i));
    let all = Literal::u64_unsuffixed(all_bits);
    quote! {
        #doc
        #[repr(transparent)]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct #name(#int);

        impl #name {
            #(#consts)*
            const NAMES: &'static [(#name, &'static str)] = &[#(#names),*];

            /// No flags set.
            pub const fn empty() -> Self { #name(0) }
            /// Every defined flag set.
            pub const fn all() -> Self { #name(#all as #int) }
            /// The raw bits.
            pub const fn bits(self) -> #int { self.0 }
            /// The flags for `bits`, or `None` if an undefined bit is set.
            pub const fn from_bits(bits: #int) -> Option<Self> {
                if bits & !(#all as #int) == 0 { Some(#name(bits)) } else { None }
            }
            /// The flags for `bits`, dropping undefined bits.
            pub const fn from_bits_truncate(bits: #int) -> Self { #name(bits & (#all as #int)) }
            /// Decode a raw ABI value, rejecting undefined bits and out-of-range values.
            pub fn from_raw(raw: u64) -> Result<Self, #rt::GuestError> {
                let err = #rt::GuestError::InvalidFlagValue { type_name: #witx_name, value: raw };
                let bits = <#int>::try_from(raw).map_err(|_| err.clone())?;
                Self::from_bits(bits).ok_or(err)
            }
            /// The flags in `self` or `other` (usable in constants).
            pub const fn union(self, other: Self) -> Self { #name(self.0 | other.0) }
            /// The flags in both `self` and `other`.
            pub const fn intersection(self, other: Self) -> Self { #name(self.0 & other.0) }
            /// True if no flag is set.
            pub const fn is_empty(self) -> bool { self.0 == 0 }
            /// True if every flag in `other` is set in `self`.
            pub const fn contains(self, other: Self) -> bool { self.0 & other.0 == other.0 }
            /// True if any flag in `other` is set in `self`.
            pub const fn intersects(self, other: Self) -> bool { self.0 & other.0 != 0 }
            /// Set the flags in `other`.
            pub fn insert(&mut self, other: Self) { self.0 |= other.0 }
            /// Clear the flags in `other`.
            pub fn remove(&mut self, other: Self) { self.0 &= !other.0 }
            /// Set or clear the flags in `other`.
            pub fn set(&mut self, other: Self, on: bool) {
                if on { self.insert(other) } else { self.remove(other) }
            }
        }
        impl ::std::ops::BitOr for #name {
            type Output = Self;
            fn bitor(self, o: Self) -> Self { #name(self.0 | o.0) }
        }
        impl ::std::ops::BitOrAssign for #name {
            fn bitor_assign(&mut self, o: Self) { self.0 |= o.0 }
        }
        impl ::std::ops::BitAnd for #name {
            type Output = Self;
            fn bitand(self, o: Self) -> Self { #name(self.0 & o.0) }
        }
        impl ::std::ops::BitAndAssign for #name {
            fn bitand_assign(&mut self, o: Self) { self.0 &= o.0 }
        }
        impl ::std::ops::BitXor for #name {
            type Output = Self;
            fn bitxor(self, o: Self) -> Self { #name(self.0 ^ o.0) }
        }
        impl ::std::ops::Sub for #name {
            type Output = Self;
            fn sub(self, o: Self) -> Self { #name(self.0 & !o.0) }
        }
        impl ::std::ops::Not for #name {
            type Output = Self;
            fn not(self) -> Self { #name(!self.0 & (#all as #int)) }
        }
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(stringify!(#name))?;
                f.write_str("(")?;
                let mut first = true;
                for (flag, n) in Self::NAMES {
                    if self.contains(*flag) {
                        if !first { f.write_str(" | ")?; }
                        f.write_str(n)?;
                        first = false;
                    }
                }
                f.write_str(")")
            }
        }
        impl TryFrom<#int> for #name {
            type Error = #rt::GuestError;
            fn try_from(bits: #int) -> Result<Self, #rt::GuestError> { Self::from_raw(bits as u64) }
        }
        impl From<#name> for #int {
            fn from(f: #name) -> #int { f.0 }
        }
        impl #rt::GuestType for #name {
            const SIZE: u32 = #size;
            const ALIGN: u32 = #size;
            fn decode(bytes: &[u8]) -> Result<Self, #rt::GuestError> {
                let raw = <#int as #rt::GuestType>::decode(bytes)?;
                Self::from_raw(raw as u64)
            }
            fn encode(&self, out: &mut [u8]) {
                <#int as #rt::GuestType>::encode(&self.0, out)
            }
        }
    }
}
