//! Print the code generated for a witx file, formatted.
//!
//! ```text
//! cargo run -p wasihost-gen --example expand -- witx/preview1/wasi_snapshot_preview1.witx
//! cargo run -p wasihost-gen --example expand -- witx/preview1/wasi_snapshot_preview1.witx fd_write
//! ```
//!
//! With a function name, only the items about that function are printed: its trait method, its
//! ABI shim and its engine registration. The document's error type is mapped to `crate::Error`
//! and glue is emitted for wasmtime.

use std::path::Path;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(witx) = args.first() else {
        eprintln!("usage: expand FILE.witx [FUNCTION]");
        return ExitCode::from(2);
    };
    // Map the document's error type (the `error` of its first `expected` result) to a host
    // error type named `crate::Error`.
    let errors = match wasihost_gen::load_witx(&[witx.into()]) {
        Ok(doc) => match doc.error_types().next() {
            Some(witx::TypeRef::Name(nt)) => {
                format!("errors: {{ {} => crate::Error }},", nt.name.as_str())
            }
            _ => String::new(),
        },
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let input: proc_macro2::TokenStream =
        format!("{{ witx: [{witx:?}], {errors} wasmtime: true }}")
            .parse()
            .expect("valid macro input");
    let config: wasihost_gen::Config = match syn::parse2(input) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let tokens = match wasihost_gen::generate(&config, Path::new(".")) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let file: syn::File = match syn::parse2(tokens) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: generated code does not parse: {e}");
            return ExitCode::FAILURE;
        }
    };
    let file = match args.get(1) {
        None => file,
        Some(func) => only_about(file, func),
    };
    print!("{}", prettyplease::unparse(&file));
    ExitCode::SUCCESS
}

/// Only the items of `file` about function `func`: its trait method, its shim, and the
/// statements of other functions (the engine glue) that name it.
fn only_about(mut file: syn::File, func: &str) -> syn::File {
    file.items = filter_items(file.items, func);
    file
}

fn filter_items(items: Vec<syn::Item>, func: &str) -> Vec<syn::Item> {
    let quoted = format!("\"{func}\"");
    let mentions = |t: &dyn quote::ToTokens| t.to_token_stream().to_string().contains(&quoted);
    let mut kept = Vec::new();
    for item in items {
        match item {
            syn::Item::Mod(mut m) => {
                if let Some((brace, inner)) = m.content.take() {
                    let inner = filter_items(inner, func);
                    if !inner.is_empty() {
                        m.content = Some((brace, inner));
                        kept.push(syn::Item::Mod(m));
                    }
                }
            }
            syn::Item::Trait(mut t) => {
                t.items
                    .retain(|i| matches!(i, syn::TraitItem::Fn(f) if f.sig.ident == func));
                if !t.items.is_empty() {
                    kept.push(syn::Item::Trait(t));
                }
            }
            syn::Item::Fn(mut f) => {
                if f.sig.ident == func {
                    kept.push(syn::Item::Fn(f));
                } else if mentions(&f.block) {
                    f.block.stmts.retain(|s| mentions(s));
                    kept.push(syn::Item::Fn(f));
                }
            }
            _ => {}
        }
    }
    kept
}
