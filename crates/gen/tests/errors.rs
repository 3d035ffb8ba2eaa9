//! A missing or malformed witx file, or bad macro input, becomes a compile error that names the
//! file and the problem; and the generated code makes cargo rebuild when a witx file changes.

use std::path::Path;

use proc_macro2::TokenStream;

fn expand_str(input: &str, base: &Path) -> String {
    let tokens: TokenStream = input.parse().unwrap();
    wasihost_gen::expand(tokens, base).to_string()
}

#[test]
fn missing_file_names_the_file() {
    let dir = tempfile_dir();
    let out = expand_str(r#"{ witx: ["nope/missing.witx"] }"#, &dir);
    assert!(out.starts_with("compile_error !"), "{out}");
    assert!(out.contains("missing.witx"), "{out}");
    assert!(out.contains("not found"), "{out}");
}

#[test]
fn syntax_error_names_file_and_line() {
    let dir = tempfile_dir();
    std::fs::write(
        dir.join("bad.witx"),
        "(typename $x u32)\n(typename $y (record (field $a)))\n",
    )
    .unwrap();
    let out = expand_str(r#"{ witx: ["bad.witx"] }"#, &dir);
    assert!(out.starts_with("compile_error !"), "{out}");
    assert!(out.contains("bad.witx"), "{out}");
    assert!(
        out.contains(":2:") || out.contains("2 |"),
        "line number in: {out}"
    );
}

#[test]
fn validation_error_names_the_problem() {
    let dir = tempfile_dir();
    std::fs::write(dir.join("unknown.witx"), "(typename $x $does_not_exist)\n").unwrap();
    let out = expand_str(r#"{ witx: ["unknown.witx"] }"#, &dir);
    assert!(out.contains("unknown.witx"), "{out}");
    assert!(out.contains("does_not_exist"), "{out}");
}

#[test]
fn error_mapping_must_match_the_witx_error_type() {
    let dir = tempfile_dir();
    std::fs::write(
        dir.join("m.witx"),
        r#"(typename $e (enum (@witx tag u8) $ok $bad))
           (typename $n u32)
           (module $m (@interface func (export "f") (result $r (expected $n (error $e)))))"#,
    )
    .unwrap();
    let out = expand_str(r#"{ witx: ["m.witx"] }"#, &dir);
    assert!(out.contains("compile_error"), "no mapping: {out}");
    assert!(out.contains("m.f"), "names the function: {out}");
    let out = expand_str(r#"{ witx: ["m.witx"], errors: { other => E } }"#, &dir);
    assert!(out.contains("not the one mapped"), "{out}");
    let out = expand_str(r#"{ witx: ["m.witx"], errors: { e => E } }"#, &dir);
    assert!(!out.contains("compile_error"), "{out}");
}

#[test]
fn bad_macro_input_is_reported() {
    let dir = tempfile_dir();
    assert!(expand_str(r#"{ wasmtime: true }"#, &dir).contains("witx"));
    assert!(expand_str(r#"{ witx: ["a.witx"], colour: true }"#, &dir).contains("unknown key"));
}

#[test]
fn every_witx_file_is_tracked_for_rebuilds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = expand_str(
        r#"{ witx: ["witx/preview1/wasi_snapshot_preview1.witx"], errors: { errno => E } }"#,
        &root,
    );
    for file in ["wasi_snapshot_preview1.witx", "typenames.witx"] {
        let abs = std::fs::canonicalize(root.join("witx/preview1").join(file)).unwrap();
        let needle = format!("include_bytes ! ({:?})", abs.to_str().unwrap());
        assert!(out.contains(&needle), "{needle} missing");
    }
}

/// A fresh directory under the target dir (no extra dependency needed).
fn tempfile_dir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "wasihost-gen-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
