//! WebAssembly proposals: what each engine turns on, and `-W NAME=y|n` overrides.

/// A WebAssembly proposal `-W` can switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// Exception handling (the exnref form: `try_table`, `throw`, `throw_ref`).
    Exceptions,
    /// Threads: shared memories and atomics.
    Threads,
    /// Tail calls.
    TailCall,
    /// Bulk memory operations.
    BulkMemory,
    /// Multiple results and block parameters.
    MultiValue,
    /// More than one memory.
    MultiMemory,
    /// Reference types.
    ReferenceTypes,
    /// 128-bit SIMD.
    Simd,
    /// Relaxed SIMD.
    RelaxedSimd,
    /// Extended constant expressions.
    ExtendedConst,
    /// 64-bit memories.
    Memory64,
    /// Garbage collection.
    Gc,
    /// Typed function references.
    FunctionReferences,
    /// 128-bit arithmetic.
    WideArithmetic,
    /// Custom page sizes.
    CustomPageSizes,
}

/// Every feature with its `-W` name.
const NAMES: &[(&str, Feature)] = &[
    ("exceptions", Feature::Exceptions),
    ("threads", Feature::Threads),
    ("tail-call", Feature::TailCall),
    ("bulk-memory", Feature::BulkMemory),
    ("multi-value", Feature::MultiValue),
    ("multi-memory", Feature::MultiMemory),
    ("reference-types", Feature::ReferenceTypes),
    ("simd", Feature::Simd),
    ("relaxed-simd", Feature::RelaxedSimd),
    ("extended-const", Feature::ExtendedConst),
    ("memory64", Feature::Memory64),
    ("gc", Feature::Gc),
    ("function-references", Feature::FunctionReferences),
    ("wide-arithmetic", Feature::WideArithmetic),
    ("custom-page-sizes", Feature::CustomPageSizes),
];

/// On by default on every engine that has them (the rest keep the engine's own default).
const DEFAULT_ON: &[Feature] = &[
    Feature::Exceptions,
    Feature::Threads,
    Feature::TailCall,
    Feature::BulkMemory,
    Feature::MultiValue,
    Feature::MultiMemory,
    Feature::ReferenceTypes,
    Feature::Simd,
    Feature::ExtendedConst,
];

impl Feature {
    /// The feature `-W` calls `name`.
    pub fn from_name(name: &str) -> Option<Feature> {
        NAMES.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// Its `-W` name.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |(n, _)| n)
    }
}

/// The defaults that apply to an engine, then the overrides.
fn settings(
    overrides: &[(Feature, bool)],
    supported: impl Fn(Feature) -> bool,
) -> Vec<(Feature, bool)> {
    let mut all: Vec<(Feature, bool)> = DEFAULT_ON
        .iter()
        .filter(|f| supported(**f))
        .map(|f| (*f, true))
        .collect();
    all.extend_from_slice(overrides);
    all
}

/// Configure wasmtime.
pub fn wasmtime(config: &mut wasmtime::Config, overrides: &[(Feature, bool)]) {
    for (f, on) in settings(overrides, |_| true) {
        match f {
            Feature::Exceptions => config.wasm_exceptions(on),
            Feature::Threads => config.wasm_threads(on),
            Feature::TailCall => config.wasm_tail_call(on),
            Feature::BulkMemory => config.wasm_bulk_memory(on),
            Feature::MultiValue => config.wasm_multi_value(on),
            Feature::MultiMemory => config.wasm_multi_memory(on),
            Feature::ReferenceTypes => config.wasm_reference_types(on),
            Feature::Simd => config.wasm_simd(on),
            Feature::RelaxedSimd => config.wasm_relaxed_simd(on),
            Feature::ExtendedConst => config.wasm_extended_const(on),
            Feature::Memory64 => config.wasm_memory64(on),
            Feature::Gc => config.wasm_gc(on),
            Feature::FunctionReferences => config.wasm_function_references(on),
            Feature::WideArithmetic => config.wasm_wide_arithmetic(on),
            Feature::CustomPageSizes => config.wasm_custom_page_sizes(on),
        };
    }
}

/// What wasmi has no support for.
fn wasmi_lacks(f: Feature) -> bool {
    matches!(
        f,
        Feature::Exceptions | Feature::Threads | Feature::Gc | Feature::FunctionReferences
    )
}

/// Configure wasmi; asking for a proposal it lacks is an error naming it.
pub fn wasmi(config: &mut wasmi::Config, overrides: &[(Feature, bool)]) -> Result<(), String> {
    for (f, on) in settings(overrides, |f| !wasmi_lacks(f)) {
        if wasmi_lacks(f) {
            if on {
                return Err(format!(
                    "-W {0}=y: the wasmi engine does not support the {0} proposal",
                    f.name()
                ));
            }
            continue;
        }
        match f {
            Feature::TailCall => config.wasm_tail_call(on),
            Feature::BulkMemory => config.wasm_bulk_memory(on),
            Feature::MultiValue => config.wasm_multi_value(on),
            Feature::MultiMemory => config.wasm_multi_memory(on),
            Feature::ReferenceTypes => config.wasm_reference_types(on),
            Feature::Simd => config.wasm_simd(on),
            Feature::RelaxedSimd => config.wasm_relaxed_simd(on),
            Feature::ExtendedConst => config.wasm_extended_const(on),
            Feature::Memory64 => config.wasm_memory64(on),
            Feature::WideArithmetic => config.wasm_wide_arithmetic(on),
            Feature::CustomPageSizes => config.wasm_custom_page_sizes(on),
            Feature::Exceptions | Feature::Threads | Feature::Gc | Feature::FunctionReferences => {
                continue;
            }
        };
    }
    Ok(())
}
