//! The wasihost binding generator.
//!
//! Reads witx interface definitions (with the [`witx`] crate) and produces Rust code:
//!
//! - `types`: a Rust type for every witx type, with its exact ABI layout
//!   (`wasihost_guest::GuestType`);
//! - one module per witx module, holding a trait with one method per function, an `abi` module
//!   of shims that lift raw wasm arguments (with bounds, alignment, overflow and value checks) and
//!   lower results through out-pointers, and engine glue (`add_to_linker`) for each engine asked;
//! - per module, a `Lend` trait and `Lent<L>` adapter for a host shared between threads (each
//!   call lends the host, e.g. under a lock; see the `lend` module).
//!
//! The `from_witx!` macro in `wasihost-macro` is a thin wrapper around [`expand`]. Its input:
//!
//! ```text
//! from_witx!({
//!     witx: ["witx/preview1/wasi_snapshot_preview1.witx"],  // relative to the crate's Cargo.toml
//!     errors: { errno => crate::Error },  // witx error type => host error type (optional)
//!     wasmtime: "wasmtime",  // emit wasmtime glue: `true`, or a cargo feature name gating it
//!     wasmi: true,           // emit wasmi glue (same forms)
//!     runtime: ::wasihost_guest,  // path of the guest-memory crate (optional)
//! });
//! ```
//!
//! The host error type must implement `From<wasihost_guest::GuestError>` and
//! `wasihost_guest::IntoAbiError<types::Errno>` (or whichever witx type `errors` names).

#![warn(missing_docs)]

mod config;
mod dispatch;
mod engines;
mod funcs;
mod layout;
mod lend;
mod names;
mod trace;
mod types;

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::quote;

pub use config::{Config, EngineChoice};
pub use engines::{Engine, EngineEmitter, FuncSig, ModuleSig, wasm_ty};

/// A failure to generate bindings, reported as a compile error at the macro call.
#[derive(Debug)]
pub struct Error {
    /// Where the problem is, when it is in the macro input.
    pub span: proc_macro2::Span,
    /// The message, naming the witx file when the problem is in one.
    pub message: String,
}

impl Error {
    fn new(message: impl Into<String>) -> Self {
        Error {
            span: proc_macro2::Span::call_site(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<syn::Error> for Error {
    fn from(e: syn::Error) -> Self {
        Error {
            span: e.span(),
            message: e.to_string(),
        }
    }
}

/// Expand a `from_witx!` invocation: parse `input`, resolve witx paths against `base_dir`, and
/// return the generated code, or a `compile_error!` describing what went wrong.
pub fn expand(input: TokenStream, base_dir: &Path) -> TokenStream {
    let result = syn::parse2::<Config>(input)
        .map_err(Error::from)
        .and_then(|config| generate(&config, base_dir));
    match result {
        Ok(tokens) => tokens,
        Err(e) => {
            let msg = e.message;
            quote::quote_spanned!(e.span=> compile_error!(#msg);)
        }
    }
}

/// Load the witx files named in `config` (relative to `base_dir`) and generate the bindings.
pub fn generate(config: &Config, base_dir: &Path) -> Result<TokenStream, Error> {
    let paths: Vec<PathBuf> = config.witx.iter().map(|p| base_dir.join(p)).collect();
    let doc = load_witx(&paths)?;
    let tracked = track_files(&paths);
    let ctx = types::TypeCtx::new(config);
    let type_defs = types::define_all(&ctx, &doc)?;
    let mut modules = Vec::new();
    for module in doc.modules() {
        modules.push(funcs::define_module(&ctx, config, &module)?);
    }
    Ok(quote! {
        #tracked
        #type_defs
        #(#modules)*
    })
}

/// Load and validate witx files, turning failures into messages that name the file.
pub fn load_witx(paths: &[PathBuf]) -> Result<witx::Document, Error> {
    for p in paths {
        if !p.is_file() {
            return Err(Error::new(format!("witx file {} not found", p.display())));
        }
    }
    witx::load(paths).map_err(|e| {
        let files = paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let detail = match &e {
            witx::WitxError::Io(path, err) => format!("cannot read {}: {err}", path.display()),
            other => other.report(),
        };
        Error::new(format!("invalid witx in {files}: {detail}"))
    })
}

/// Emit `include_bytes!` of every `.witx` file beside the root files, so that cargo rebuilds the
/// calling crate when any of them changes (proc-macros do not track files by themselves).
fn track_files(paths: &[PathBuf]) -> TokenStream {
    let mut files: Vec<PathBuf> = Vec::new();
    for p in paths {
        let dir = p.parent().unwrap_or(Path::new("."));
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "witx") {
                    files.push(path);
                }
            }
        }
        files.push(p.clone());
    }
    files.sort();
    files.dedup();
    let files = files.iter().filter_map(|f| {
        let abs = std::fs::canonicalize(f).ok()?;
        let s = abs.to_str()?.to_string();
        Some(quote!(
            const _: &[u8] = include_bytes!(#s);
        ))
    });
    quote!(#(#files)*)
}
