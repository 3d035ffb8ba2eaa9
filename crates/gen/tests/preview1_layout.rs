//! Checks `witx/preview1/wasi_snapshot_preview1.witx` against the ABI facts of
//! wasi-libc's `wasi/api.h`.
//!
//! The facts live in `tests/data/preview1_api_h.txt`, produced by
//! `tests/tools/extract_api_h.py` (see that script for the line forms). Every
//! line of the table must agree with the witx document: type sizes,
//! alignments, field order, names and offsets, enum values, flag bits,
//! constants and the wasm-level signature of every import. In the other
//! direction, every record, variant, type, constant, enum case, flag and
//! function of the witx document must appear in the table, except for the few
//! witx-only items listed in [`WITX_ONLY_TYPES`] and [`WITX_ONLY_FUNCS`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::rc::Rc;

use witx::{
    BuiltinType, Document, Id, IntRepr, Layout, NamedType, RecordDatatype, RecordKind, Type,
    TypeRef, Variant, WasmType,
};

const TABLE: &str = include_str!("data/preview1_api_h.txt");
const MODULE: &str = "wasi_snapshot_preview1";

/// Named witx types with no C typedef in `api.h`.
///
/// - `iovec_array` / `ciovec_array`: witx `list` types; C passes them as a
///   (pointer, length) parameter pair instead.
/// - `signal`: still part of the preview1 import set (see `proc_raise`), but
///   wasi-libc dropped it from `api.h`.
const WITX_ONLY_TYPES: &[&str] = &["iovec_array", "ciovec_array", "signal"];

/// Functions of the witx module with no prototype in `api.h`: `proc_raise` is
/// a preview1 import that hosts still provide, but wasi-libc no longer declares
/// it.
const WITX_ONLY_FUNCS: &[&str] = &["proc_raise"];

fn witx_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../witx/preview1")
        .join(format!("{MODULE}.witx"))
}

fn load() -> Document {
    let path = witx_path();
    match witx::load(&[&path]) {
        Ok(doc) => doc,
        Err(e) => panic!("failed to load {}:\n{}", path.display(), e.report()),
    }
}

/// The non-comment lines of the table, split into tokens, with line numbers.
fn table_lines() -> Vec<(usize, Vec<&'static str>)> {
    TABLE
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i + 1, l.split_whitespace().collect()))
        .collect()
}

fn num(tok: &str) -> u64 {
    tok.parse()
        .unwrap_or_else(|_| panic!("table: `{tok}` is not a number"))
}

/// Size in bytes and signedness of a C scalar type spelled in the table.
fn c_scalar(ctype: &str) -> Option<(usize, bool)> {
    Some(match ctype {
        "int8_t" => (1, true),
        "uint8_t" => (1, false),
        "int16_t" => (2, true),
        "uint16_t" => (2, false),
        "int32_t" | "int" => (4, true),
        "uint32_t" | "__SIZE_TYPE__" | "size_t" => (4, false),
        "int64_t" => (8, true),
        "uint64_t" => (8, false),
        _ => return None,
    })
}

/// The witx builtin whose layout equals that of a C builtin named in an
/// `align`/`size` line (`void*` is a 32-bit pointer on wasm32).
fn c_builtin(ctype: &str) -> Option<BuiltinType> {
    Some(match ctype {
        "int8_t" => BuiltinType::S8,
        "uint8_t" => BuiltinType::U8 { lang_c_char: false },
        "int16_t" => BuiltinType::S16,
        "uint16_t" => BuiltinType::U16,
        "int32_t" | "int" => BuiltinType::S32,
        "uint32_t" | "__SIZE_TYPE__" | "size_t" => BuiltinType::U32 {
            lang_ptr_size: false,
        },
        "int64_t" => BuiltinType::S64,
        "uint64_t" => BuiltinType::U64,
        "void*" => BuiltinType::S32,
        _ => return None,
    })
}

fn builtin_int(b: &BuiltinType) -> Option<(usize, bool)> {
    Some(match b {
        BuiltinType::U8 { .. } => (1, false),
        BuiltinType::S8 => (1, true),
        BuiltinType::U16 => (2, false),
        BuiltinType::S16 => (2, true),
        BuiltinType::U32 { .. } => (4, false),
        BuiltinType::S32 => (4, true),
        BuiltinType::U64 => (8, false),
        BuiltinType::S64 => (8, true),
        _ => return None,
    })
}

fn repr_size(r: IntRepr) -> usize {
    match r {
        IntRepr::U8 => 1,
        IntRepr::U16 => 2,
        IntRepr::U32 => 4,
        IntRepr::U64 => 8,
    }
}

fn enum_of(ty: &Type) -> Option<&Variant> {
    match ty {
        Type::Variant(v) if v.is_enum() => Some(v),
        _ => None,
    }
}

fn payload_variant_of(ty: &Type) -> Option<&Variant> {
    match ty {
        Type::Variant(v) if !v.is_enum() => Some(v),
        _ => None,
    }
}

fn struct_of(ty: &Type) -> Option<&RecordDatatype> {
    match ty {
        Type::Record(r) if r.kind == RecordKind::Other => Some(r),
        _ => None,
    }
}

fn flags_of(ty: &Type) -> Option<(&RecordDatatype, IntRepr)> {
    match ty {
        Type::Record(r) => r.bitflags_repr().map(|repr| (r, repr)),
        _ => None,
    }
}

fn wasm_name(t: &WasmType) -> &'static str {
    match t {
        WasmType::I32 => "i32",
        WasmType::I64 => "i64",
        WasmType::F32 => "f32",
        WasmType::F64 => "f64",
    }
}

/// Whether a witx type reference matches a table type token (`filesize`,
/// `uint8_t`, `ptr:uint8_t`, `const_ptr:uint8_t`).
fn tref_matches(tref: &TypeRef, token: &str) -> bool {
    if let Some(inner) = token.strip_prefix("const_ptr:") {
        return matches!(&**tref.type_(), Type::ConstPointer(t) if tref_matches(t, inner));
    }
    if let Some(inner) = token.strip_prefix("ptr:") {
        return matches!(&**tref.type_(), Type::Pointer(t) if tref_matches(t, inner));
    }
    match tref {
        TypeRef::Name(nt) => nt.name.as_str() == token,
        TypeRef::Value(ty) => match (&**ty, c_scalar(token)) {
            (Type::Builtin(b), Some(c)) => builtin_int(b) == Some(c),
            _ => false,
        },
    }
}

struct Checker {
    doc: Document,
    errors: Vec<String>,
}

impl Checker {
    fn new() -> Self {
        Checker {
            doc: load(),
            errors: Vec::new(),
        }
    }

    fn err(&mut self, line: usize, msg: String) {
        self.errors.push(format!("table line {line}: {msg}"));
    }

    fn ty(&mut self, line: usize, name: &str) -> Option<Rc<NamedType>> {
        let nt = self.doc.typename(&Id::new(name));
        if nt.is_none() {
            self.err(line, format!("witx has no type `{name}`"));
        }
        nt
    }

    fn finish(self) {
        if !self.errors.is_empty() {
            panic!(
                "{} disagreement(s) between api.h and the witx:\n{}",
                self.errors.len(),
                self.errors.join("\n")
            );
        }
    }
}

#[test]
fn every_table_fact_holds_in_witx() {
    let mut c = Checker::new();
    let module = c
        .doc
        .module(&Id::new(MODULE))
        .unwrap_or_else(|| panic!("witx has no module `{MODULE}`"));
    // (type, kind) -> number of table lines seen; compared with witx counts below.
    let mut seen: BTreeMap<(String, &str), usize> = BTreeMap::new();
    let noreturn: BTreeSet<&str> = table_lines()
        .iter()
        .filter(|(_, t)| t[0] == "noreturn")
        .map(|(_, t)| t[1])
        .collect();

    for (line, t) in table_lines() {
        match t.as_slice() {
            ["size", ty, n] | ["align", ty, n] => {
                let got = match c_builtin(ty) {
                    Some(b) => b.mem_size_align(),
                    None => match c.ty(line, ty) {
                        Some(nt) => nt.mem_size_align(),
                        None => continue,
                    },
                };
                let got = if t[0] == "size" { got.size } else { got.align };
                if got as u64 != num(n) {
                    c.err(line, format!("{} of `{ty}`: api.h {n}, witx {got}", t[0]));
                }
            }
            ["offset", ty, field, n] => {
                let Some(nt) = c.ty(line, ty) else { continue };
                let Some(rec) = struct_of(nt.type_()) else {
                    c.err(line, format!("`{ty}` is not a witx record"));
                    continue;
                };
                match rec.member_layout().iter().find(|m| m.member.name == *field) {
                    Some(m) if m.offset as u64 == num(n) => {}
                    Some(m) => c.err(
                        line,
                        format!("offset of `{ty}.{field}`: api.h {n}, witx {}", m.offset),
                    ),
                    None => c.err(line, format!("witx record `{ty}` has no field `{field}`")),
                }
            }
            ["typedef", ty, "struct"] => {
                let Some(nt) = c.ty(line, ty) else { continue };
                if struct_of(nt.type_()).is_none() {
                    c.err(
                        line,
                        format!("`{ty}` is a struct in api.h but not a witx record"),
                    );
                }
            }
            ["typedef", ty, "variant"] => {
                let Some(nt) = c.ty(line, ty) else { continue };
                if payload_variant_of(nt.type_()).is_none() {
                    c.err(
                        line,
                        format!("`{ty}` is a tagged union in api.h but not a witx variant"),
                    );
                }
            }
            ["typedef", ty, ctype] => {
                let Some(nt) = c.ty(line, ty) else { continue };
                let Some((size, signed)) = c_scalar(ctype) else {
                    c.err(line, format!("unknown C type `{ctype}`"));
                    continue;
                };
                let ok = match &**nt.type_() {
                    Type::Builtin(b) => builtin_int(b) == Some((size, signed)),
                    Type::Handle(_) => *ctype == "int",
                    Type::Variant(v) if v.is_enum() => !signed && repr_size(v.tag_repr) == size,
                    Type::Record(r) => r
                        .bitflags_repr()
                        .is_some_and(|repr| !signed && repr_size(repr) == size),
                    _ => false,
                };
                if !ok {
                    c.err(
                        line,
                        format!(
                            "`{ty}` is `{ctype}` in api.h, witx has a {}",
                            nt.type_().kind()
                        ),
                    );
                }
            }
            ["field", ty, idx, name, ctype] => {
                *seen.entry((ty.to_string(), "field")).or_default() += 1;
                let Some(nt) = c.ty(line, ty) else { continue };
                let Some(rec) = struct_of(nt.type_()) else {
                    c.err(line, format!("`{ty}` is not a witx record"));
                    continue;
                };
                match rec.members.get(num(idx) as usize) {
                    Some(m) if m.name == *name && tref_matches(&m.tref, ctype) => {}
                    Some(m) => c.err(
                        line,
                        format!(
                            "field {idx} of `{ty}`: api.h `{name}: {ctype}`, witx `{}` (a {})",
                            m.name.as_str(),
                            m.tref.type_().kind()
                        ),
                    ),
                    None => c.err(line, format!("witx record `{ty}` has no field {idx}")),
                }
            }
            ["tag", ty, ctype] => {
                let Some(nt) = c.ty(line, ty) else { continue };
                let want = c_scalar(ctype).map(|(s, _)| s);
                match payload_variant_of(nt.type_()) {
                    Some(v) if Some(repr_size(v.tag_repr)) == want => {}
                    _ => c.err(
                        line,
                        format!("tag of `{ty}` is not a witx tag of type `{ctype}`"),
                    ),
                }
            }
            ["case", ty, idx, name, payload] => {
                *seen.entry((ty.to_string(), "case")).or_default() += 1;
                let Some(nt) = c.ty(line, ty) else { continue };
                let Some(v) = payload_variant_of(nt.type_()) else {
                    c.err(line, format!("`{ty}` is not a witx variant"));
                    continue;
                };
                match v.cases.get(num(idx) as usize) {
                    Some(case)
                        if case.name == *name
                            && case.tref.as_ref().is_some_and(|t| tref_matches(t, payload)) => {}
                    _ => c.err(
                        line,
                        format!("case {idx} of `{ty}` is not `{name}` carrying `{payload}`"),
                    ),
                }
            }
            ["const", ty, name, value] => {
                let Some(nt) = c.ty(line, ty) else { continue };
                let witx_name = name.to_ascii_lowercase();
                if let Some(v) = enum_of(nt.type_()) {
                    *seen.entry((ty.to_string(), "const")).or_default() += 1;
                    match v.cases.iter().position(|k| k.name == witx_name.as_str()) {
                        Some(i) if i as u64 == num(value) => {}
                        Some(i) => c.err(
                            line,
                            format!("`{ty}::{witx_name}`: api.h value {value}, witx index {i}"),
                        ),
                        None => c.err(line, format!("witx enum `{ty}` has no case `{witx_name}`")),
                    }
                } else {
                    let found = c
                        .doc
                        .constants()
                        .find(|k| k.ty == *ty && k.name == witx_name.as_str())
                        .map(|k| k.value);
                    if found != Some(num(value)) {
                        c.err(
                            line,
                            format!(
                                "witx constant `{ty}::{witx_name}` is {found:?}, api.h {value}"
                            ),
                        );
                    }
                }
            }
            ["flag", ty, name, value] => {
                *seen.entry((ty.to_string(), "flag")).or_default() += 1;
                let Some(nt) = c.ty(line, ty) else { continue };
                let Some((rec, repr)) = flags_of(nt.type_()) else {
                    c.err(line, format!("`{ty}` is not a witx flags type"));
                    continue;
                };
                let witx_name = name.to_ascii_lowercase();
                match rec
                    .members
                    .iter()
                    .position(|m| m.name == witx_name.as_str())
                {
                    Some(i) if i < repr_size(repr) * 8 && 1u64 << i == num(value) => {}
                    Some(i) => c.err(
                        line,
                        format!("`{ty}::{witx_name}`: api.h bit value {value}, witx bit {i}"),
                    ),
                    None => c.err(line, format!("witx flags `{ty}` have no `{witx_name}`")),
                }
            }
            ["func", name, rest @ ..] => {
                let Some(func) = module.func(&Id::new(name)) else {
                    c.err(line, format!("witx module has no function `{name}`"));
                    continue;
                };
                let split = rest.iter().position(|t| *t == "results");
                let (Some(split), Some(&"params")) = (split, rest.first()) else {
                    c.err(line, "malformed func line".to_string());
                    continue;
                };
                let want_params = &rest[1..split];
                let want_results = &rest[split + 1..];
                let (params, results) = func.wasm_signature();
                let params: Vec<_> = params.iter().map(wasm_name).collect();
                let results: Vec<_> = results.iter().map(wasm_name).collect();
                if params != want_params || results != want_results {
                    c.err(
                        line,
                        format!(
                            "signature of `{name}`: api.h ({}) -> ({}), witx ({}) -> ({})",
                            want_params.join(" "),
                            want_results.join(" "),
                            params.join(" "),
                            results.join(" ")
                        ),
                    );
                }
                if func.noreturn != noreturn.contains(name) {
                    c.err(
                        line,
                        format!("noreturn of `{name}` differs (witx {})", func.noreturn),
                    );
                }
            }
            ["noreturn", _] => {}
            _ => c.err(line, format!("unrecognised table line `{}`", t.join(" "))),
        }
    }

    // Counts: the witx must not have extra fields, cases, enum values or flags.
    for nt in c.doc.typenames() {
        let name = nt.name.as_str().to_string();
        let (kind, witx_count) = match &**nt.type_() {
            Type::Record(r) if r.kind == RecordKind::Other => ("field", r.members.len()),
            Type::Record(r) if r.bitflags_repr().is_some() => ("flag", r.members.len()),
            Type::Variant(v) if v.is_enum() => ("const", v.cases.len()),
            Type::Variant(v) => ("case", v.cases.len()),
            _ => continue,
        };
        if WITX_ONLY_TYPES.contains(&name.as_str()) {
            continue;
        }
        let table_count = seen.get(&(name.clone(), kind)).copied().unwrap_or(0);
        if table_count != witx_count {
            c.errors.push(format!(
                "witx `{name}` has {witx_count} {kind} entries, api.h has {table_count}"
            ));
        }
    }
    c.finish();
}

#[test]
fn every_witx_item_is_in_table() {
    let doc = load();
    let lines = table_lines();
    let typedefs: BTreeMap<&str, &str> = lines
        .iter()
        .filter(|(_, t)| t[0] == "typedef")
        .map(|(_, t)| (t[1], t[2]))
        .collect();
    let funcs: BTreeSet<&str> = lines
        .iter()
        .filter(|(_, t)| t[0] == "func")
        .map(|(_, t)| t[1])
        .collect();
    let consts: BTreeSet<(&str, String)> = lines
        .iter()
        .filter(|(_, t)| t[0] == "const")
        .map(|(_, t)| (t[1], t[2].to_ascii_lowercase()))
        .collect();

    let mut errors = Vec::new();
    for nt in doc.typenames() {
        let name = nt.name.as_str();
        if WITX_ONLY_TYPES.contains(&name) {
            assert!(
                !typedefs.contains_key(name),
                "`{name}` is now in api.h: remove it from WITX_ONLY_TYPES"
            );
            continue;
        }
        let want = match &**nt.type_() {
            Type::Record(r) if r.kind == RecordKind::Other => Some("struct"),
            Type::Variant(v) if !v.is_enum() => Some("variant"),
            _ => None,
        };
        match (typedefs.get(name), want) {
            (None, _) => errors.push(format!("witx type `{name}` is not in api.h")),
            (Some(got), Some(want)) if *got != want => {
                errors.push(format!("witx `{name}` is a {want} but api.h has `{got}`"))
            }
            _ => {}
        }
    }
    for k in doc.constants() {
        if !consts.contains(&(k.ty.as_str(), k.name.as_str().to_string())) {
            errors.push(format!(
                "witx constant `{}::{}` is not in api.h",
                k.ty.as_str(),
                k.name.as_str()
            ));
        }
    }
    let module = doc.module(&Id::new(MODULE)).expect("module");
    let mut witx_funcs = 0;
    for f in module.funcs() {
        witx_funcs += 1;
        let name = f.name.as_str();
        if WITX_ONLY_FUNCS.contains(&name) {
            assert!(
                !funcs.contains(name),
                "`{name}` is now in api.h: remove it from WITX_ONLY_FUNCS"
            );
        } else if !funcs.contains(name) {
            errors.push(format!("witx function `{name}` is not in api.h"));
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(witx_funcs, 46, "preview1 has 46 functions");
    assert_eq!(funcs.len() + WITX_ONLY_FUNCS.len(), witx_funcs);
}

/// Guards against an extractor regression that silently drops facts.
#[test]
fn table_covers_the_abi() {
    let lines = table_lines();
    let count = |pred: &dyn Fn(&[&str]) -> bool| lines.iter().filter(|(_, t)| pred(t)).count();
    assert_eq!(count(&|t| t[0] == "func"), 45);
    assert_eq!(count(&|t| t[0] == "const" && t[1] == "errno"), 77);
    assert_eq!(count(&|t| t[0] == "flag" && t[1] == "rights"), 30);
    assert_eq!(
        count(&|t| matches!(t[0], "size" | "align" | "offset")),
        109,
        "api.h has 109 _Static_asserts"
    );
    assert!(
        lines
            .iter()
            .any(|(_, t)| t.as_slice() == ["size", "filestat", "64"])
    );
}
