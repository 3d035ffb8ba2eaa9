//! Feed a guest's stdin from memory and capture its stdout and stderr in bounded buffers.
//!
//! `cargo run -p wasihost-examples --bin capture_stdio`

use wasihost::{OutputBuffer, Overflow, Stdio, WasiCtx};
use wasihost_examples::{BoxError, run_on_wasmi, run_on_wasmtime};

fn main() -> Result<(), BoxError> {
    for engine in ["wasmtime", "wasmi"] {
        // At most 1 KiB of stdout is kept; past it output is dropped and `overflowed` says so.
        let out = OutputBuffer::with_limit(1024, Overflow::Truncate);
        // stderr behaves like a full disk past 64 bytes: the guest sees ENOSPC.
        let err = OutputBuffer::with_limit(64, Overflow::Fail);
        let ctx = WasiCtx::builder()
            .args(["explore", "stdin", "err", "all read"])
            .stdin(Stdio::bytes("three\nlines\nof input\n"))
            .stdout(out.stdio())
            .stderr(err.stdio())
            .build()?;
        let status = match engine {
            "wasmtime" => run_on_wasmtime(ctx)?,
            _ => run_on_wasmi(ctx)?,
        };
        println!(
            "{engine}: status {status}, stdout {:?} (overflowed: {}), stderr {:?}",
            String::from_utf8_lossy(&out.contents()),
            out.overflowed(),
            String::from_utf8_lossy(&err.contents()),
        );
    }
    Ok(())
}
