//! `from_witx!`: generate Rust bindings from witx files at compile time.
//!
//! See the `wasihost-gen` crate for the input syntax and what is generated.

#![warn(missing_docs)]

use proc_macro::TokenStream;

/// Generate types, one trait per module, ABI shims and engine glue from witx files.
///
/// Paths are relative to the calling crate's `Cargo.toml`. A witx file that is missing or
/// malformed becomes a `compile_error!` naming the file and the problem.
#[proc_macro]
pub fn from_witx(input: TokenStream) -> TokenStream {
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_string());
    wasihost_gen::expand(input.into(), std::path::Path::new(&dir)).into()
}
