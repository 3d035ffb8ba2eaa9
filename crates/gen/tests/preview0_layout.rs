//! Checks the points where `witx/preview0/wasi_unstable.witx` (preview0)
//! differs from preview1.
//!
//! Source of the numbers: the published preview0 ABI, i.e. the pre-snapshot
//! wasi-libc `wasi/core.h` layout asserts (filestat 56 bytes with `st_nlink`
//! at 20; subscription 56 bytes with the clock `identifier` first; whence
//! CUR=0, END=1, SET=2) and the WASI repository's generated preview0 docs
//! (`legacy/preview0/docs.md`: sizes, offsets, 29 rights, no `sock_accept`).

use std::path::PathBuf;
use std::rc::Rc;

use witx::{Document, Id, Layout, NamedType, RecordDatatype, Type, WasmType};

fn load(dir: &str, file: &str) -> Document {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../witx")
        .join(dir)
        .join(file);
    witx::load(&[&path])
        .unwrap_or_else(|e| panic!("failed to load {}:\n{}", path.display(), e.report()))
}

fn preview0() -> Document {
    load("preview0", "wasi_unstable.witx")
}

fn ty(doc: &Document, name: &str) -> Rc<NamedType> {
    doc.typename(&Id::new(name))
        .unwrap_or_else(|| panic!("no type `{name}`"))
}

fn size_align(doc: &Document, name: &str) -> (usize, usize) {
    let sa = ty(doc, name).mem_size_align();
    (sa.size, sa.align)
}

fn record(nt: &NamedType) -> &RecordDatatype {
    match &**nt.type_() {
        Type::Record(r) => r,
        other => panic!("`{}` is a {}, not a record", nt.name.as_str(), other.kind()),
    }
}

/// (field name, offset) pairs of a record, in order.
fn offsets(doc: &Document, name: &str) -> Vec<(String, usize)> {
    let nt = ty(doc, name);
    record(&nt)
        .member_layout()
        .iter()
        .map(|m| (m.member.name.as_str().to_string(), m.offset))
        .collect()
}

fn owned(v: &[(&str, usize)]) -> Vec<(String, usize)> {
    v.iter().map(|(n, o)| (n.to_string(), *o)).collect()
}

fn enum_cases(doc: &Document, name: &str) -> Vec<String> {
    match &**ty(doc, name).type_() {
        Type::Variant(v) if v.is_enum() => v
            .cases
            .iter()
            .map(|c| c.name.as_str().to_string())
            .collect(),
        other => panic!("`{name}` is a {}, not an enum", other.kind()),
    }
}

#[test]
fn filestat_has_u32_nlink() {
    let doc = preview0();
    assert_eq!(size_align(&doc, "linkcount"), (4, 4));
    assert_eq!(size_align(&doc, "filestat"), (56, 8));
    assert_eq!(
        offsets(&doc, "filestat"),
        owned(&[
            ("dev", 0),
            ("ino", 8),
            ("filetype", 16),
            ("nlink", 20),
            ("size", 24),
            ("atim", 32),
            ("mtim", 40),
            ("ctim", 48),
        ])
    );
}

#[test]
fn subscription_clock_has_identifier() {
    let doc = preview0();
    assert_eq!(size_align(&doc, "subscription_clock"), (40, 8));
    assert_eq!(
        offsets(&doc, "subscription_clock"),
        owned(&[
            ("identifier", 0),
            ("id", 8),
            ("timeout", 16),
            ("precision", 24),
            ("flags", 32),
        ])
    );
    // The identifier is a `userdata` (u64).
    let clock = ty(&doc, "subscription_clock");
    let first = &record(&clock).members[0];
    assert_eq!(first.tref.mem_size_align().size, 8);
    // Tag (u8) padded to 8, then the 40-byte clock payload.
    assert_eq!(size_align(&doc, "subscription_u"), (48, 8));
    assert_eq!(size_align(&doc, "subscription"), (56, 8));
    assert_eq!(
        offsets(&doc, "subscription"),
        owned(&[("userdata", 0), ("u", 8)])
    );
    // Unchanged from preview1.
    assert_eq!(size_align(&doc, "subscription_fd_readwrite"), (4, 4));
    assert_eq!(size_align(&doc, "event"), (32, 8));
}

#[test]
fn whence_order_is_cur_end_set() {
    let doc = preview0();
    assert_eq!(size_align(&doc, "whence"), (1, 1));
    assert_eq!(enum_cases(&doc, "whence"), ["cur", "end", "set"]);
}

#[test]
fn rights_stop_at_sock_shutdown() {
    let doc = preview0();
    let rights = ty(&doc, "rights");
    let rec = record(&rights);
    assert!(rec.bitflags_repr().is_some());
    assert_eq!(rec.members.len(), 29);
    assert_eq!(rec.members[28].name.as_str(), "sock_shutdown");
}

#[test]
fn shared_types_match_preview1() {
    let p0 = preview0();
    let p1 = load("preview1", "wasi_snapshot_preview1.witx");
    for name in [
        "errno",
        "clockid",
        "filetype",
        "advice",
        "fdflags",
        "fdstat",
        "dirent",
        "iovec",
        "ciovec",
        "event",
        "event_fd_readwrite",
        "eventtype",
        "prestat",
        "signal",
    ] {
        assert_eq!(
            size_align(&p0, name),
            size_align(&p1, name),
            "layout of `{name}`"
        );
    }
    assert_eq!(enum_cases(&p0, "errno"), enum_cases(&p1, "errno"));
    assert_eq!(enum_cases(&p0, "errno").len(), 77);
}

#[test]
fn module_is_preview1_without_sock_accept() {
    let p0 = preview0();
    let p1 = load("preview1", "wasi_snapshot_preview1.witx");
    let m0 = p0.module(&Id::new("wasi_unstable")).expect("wasi_unstable");
    let m1 = p1
        .module(&Id::new("wasi_snapshot_preview1"))
        .expect("wasi_snapshot_preview1");
    let sig = |f: &witx::InterfaceFunc| -> (Vec<WasmType>, Vec<WasmType>, bool) {
        let (p, r) = f.wasm_signature();
        (p, r, f.noreturn)
    };
    let names0: Vec<String> = m0.funcs().map(|f| f.name.as_str().to_string()).collect();
    let names1: Vec<String> = m1
        .funcs()
        .map(|f| f.name.as_str().to_string())
        .filter(|n| n != "sock_accept")
        .collect();
    assert_eq!(names0.len(), 45);
    assert_eq!(names0, names1);
    for f0 in m0.funcs() {
        let f1 = m1.func(&f0.name).expect("same function in preview1");
        assert_eq!(sig(&f0), sig(&f1), "signature of `{}`", f0.name.as_str());
    }
    // fd_seek keeps its shape; only the meaning of `whence` differs.
    let seek = m0.func(&Id::new("fd_seek")).expect("fd_seek");
    assert_eq!(
        seek.wasm_signature(),
        (
            vec![WasmType::I32, WasmType::I64, WasmType::I32, WasmType::I32],
            vec![WasmType::I32]
        )
    );
}
