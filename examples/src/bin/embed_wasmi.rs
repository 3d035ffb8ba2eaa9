//! Embed wasihost in wasmi, the interpreter: the same context as on wasmtime, registered with
//! wasmi's linker. `proc_exit` arrives as wasmi's own exit error, as with `wasmi_wasi`, so
//! `err.i32_exit_status()` works; `wasmi_host::call_start` turns it into the status for you.
//!
//! `cargo run -p wasihost-examples --bin embed_wasmi`

use wasihost::{OutputBuffer, WasiCtx, wasmi_host};
use wasihost_examples::{BoxError, EXPLORE};
use wasmi::{Engine, Linker, Module, Store};

fn main() -> Result<(), BoxError> {
    let engine = Engine::default();
    let module = Module::new(&engine, EXPLORE)?;
    let mut linker = Linker::new(&engine);
    wasmi_host::add_to_linker(&mut linker, |cx: &mut WasiCtx| cx)?;

    // An unknown command makes the guest exit with status 2.
    let stderr = OutputBuffer::new();
    let ctx = WasiCtx::builder()
        .args(["explore", "random", "4", "frobnicate"])
        .inherit_stdout()
        .stderr(stderr.stdio())
        .build()?;
    let mut store = Store::new(&engine, ctx);
    let instance = linker.instantiate_and_start(&mut store, &module)?;
    let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
    let err = start
        .call(&mut store, ())
        .expect_err("the guest exits with 2");
    println!(
        "exit status {:?}; the guest said: {}",
        err.i32_exit_status(),
        String::from_utf8_lossy(&stderr.contents()).trim_end()
    );
    assert_eq!(store.data().exit_code(), Some(2));
    Ok(())
}
