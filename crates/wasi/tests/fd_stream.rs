//! Embedder streams as stdio: a guest reads a `Stdio::Reader` and writes `Stdio::Writer`s;
//! offsets give `ESPIPE`; attributes are a character device's, all zero.

use std::path::Path;

use wasihost::{OutputBuffer, Stdio, WasiCtx};

#[test]
fn guest_reads_and_writes_embedder_streams() {
    let engine = wasmtime::Engine::default();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/guests/bin/fd_stream.wasm");
    let module = wasmtime::Module::from_file(&engine, path).unwrap();
    let (out, err) = (OutputBuffer::new(), OutputBuffer::new());
    let input = std::io::Cursor::new(b"stream input".to_vec());
    let ctx = WasiCtx::builder()
        .arg("fd_stream")
        .stdin(Stdio::Reader(Box::new(input)))
        .stdout(out.stdio())
        .stderr(err.stdio())
        .build()
        .unwrap();
    let status = wasihost::wasmtime_host::run(&engine, &module, ctx).unwrap();
    let (out, err) = (out.contents(), err.contents());
    let (out, err) = (String::from_utf8_lossy(&out), String::from_utf8_lossy(&err));
    assert_eq!(status, 0, "{out}{err}");
    assert_eq!(out, "<stream input>\n");
    assert_eq!(err, "ok fd_stream\n");
}
