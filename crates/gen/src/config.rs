//! The `from_witx!` input.

use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitBool, LitStr, Path, Token, braced, bracketed};

/// Whether, and under which cargo feature, glue for one engine is emitted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum EngineChoice {
    /// No glue.
    #[default]
    Off,
    /// Glue, always compiled.
    On,
    /// Glue, compiled only with this cargo feature of the calling crate.
    Feature(String),
}

/// Everything the macro input says.
#[derive(Debug, Clone)]
pub struct Config {
    /// witx files, relative to the calling crate's manifest directory.
    pub witx: Vec<String>,
    /// The witx error type (e.g. `errno`) and the host error type mapped to it.
    pub errors: Option<(String, Path)>,
    /// wasmtime glue.
    pub wasmtime: EngineChoice,
    /// wasmi glue.
    pub wasmi: EngineChoice,
    /// Path of the guest-memory runtime crate.
    pub runtime: Path,
}

impl Parse for Config {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let body;
        braced!(body in input);
        let mut config = Config {
            witx: Vec::new(),
            errors: None,
            wasmtime: EngineChoice::Off,
            wasmi: EngineChoice::Off,
            runtime: syn::parse_quote!(::wasihost_guest),
        };
        let mut seen_witx = false;
        while !body.is_empty() {
            let key: Ident = body.parse()?;
            body.parse::<Token![:]>()?;
            match key.to_string().as_str() {
                "witx" => {
                    let list;
                    bracketed!(list in body);
                    let paths = list.parse_terminated(<LitStr as Parse>::parse, Token![,])?;
                    config.witx = paths.iter().map(LitStr::value).collect();
                    seen_witx = true;
                }
                "errors" => {
                    let map;
                    braced!(map in body);
                    let witx_name: Ident = map.parse()?;
                    map.parse::<Token![=>]>()?;
                    let host: Path = map.parse()?;
                    if !map.is_empty() {
                        map.parse::<Token![,]>()?;
                    }
                    if !map.is_empty() {
                        return Err(map.error("only one error mapping is supported"));
                    }
                    config.errors = Some((witx_name.to_string(), host));
                }
                "wasmtime" => config.wasmtime = parse_engine(&body)?,
                "wasmi" => config.wasmi = parse_engine(&body)?,
                "runtime" => config.runtime = body.parse()?,
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown key `{other}` (expected witx, errors, wasmtime, wasmi, runtime)"
                        ),
                    ));
                }
            }
            if !body.is_empty() {
                body.parse::<Token![,]>()?;
            }
        }
        if !seen_witx || config.witx.is_empty() {
            return Err(input.error("`witx: [\"path.witx\", ...]` is required"));
        }
        Ok(config)
    }
}

fn parse_engine(input: ParseStream) -> syn::Result<EngineChoice> {
    if input.peek(LitStr) {
        let feature: LitStr = input.parse()?;
        Ok(EngineChoice::Feature(feature.value()))
    } else {
        let on: LitBool = input.parse()?;
        Ok(if on.value {
            EngineChoice::On
        } else {
            EngineChoice::Off
        })
    }
}
