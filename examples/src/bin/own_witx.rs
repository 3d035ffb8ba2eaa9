//! The binding generator on an interface of one's own: `witx/tally.witx` becomes Rust types,
//! a `Tally` trait and glue for both engines with `from_witx!`; the host implements the trait
//! and the same guest runs on wasmtime and on wasmi.
//!
//! `cargo run -p wasihost-examples --bin own_witx`

use wasihost_examples::BoxError;
use wasihost_guest::{GuestError, GuestMemory, GuestStr, IntoAbiError, Trap};

wasihost_macro::from_witx!({
    witx: ["witx/tally.witx"],
    errors: { outcome => crate::Failure },
    wasmtime: true,
    wasmi: true,
});

use types::Outcome;

/// Why a host call failed: the guest passed bad memory (a trap) or gets an outcome code.
#[derive(Debug)]
enum Failure {
    Memory(GuestError),
    Code(Outcome),
}

impl From<GuestError> for Failure {
    fn from(e: GuestError) -> Self {
        Failure::Memory(e)
    }
}

impl IntoAbiError<Outcome> for Failure {
    fn into_abi_error(self) -> Result<Outcome, Trap> {
        match self {
            Failure::Memory(e) if e.is_pointer_error() => Err(Trap::Guest(e)),
            Failure::Memory(_) => Ok(Outcome::NotText),
            Failure::Code(c) => Ok(c),
        }
    }
}

/// The host side: a total with a limit, and the lines logged.
#[derive(Default)]
struct Host {
    total: u64,
    lines: Vec<String>,
}

impl tally::Tally for Host {
    fn add(&mut self, _mem: &mut GuestMemory<'_>, n: u32) -> Result<u64, Failure> {
        let total = self.total + u64::from(n);
        if total > 1000 {
            return Err(Failure::Code(Outcome::TooMuch));
        }
        self.total = total;
        Ok(total)
    }

    fn log(&mut self, mem: &mut GuestMemory<'_>, line: GuestStr) -> Result<(), Failure> {
        self.lines.push(line.as_str(mem)?.to_string());
        Ok(())
    }
}

/// Adds 400 three times (the third is refused) and logs a line; `run` returns the outcome of
/// the third `add`.
const GUEST: &str = r#"(module
  (import "tally" "add" (func $add (param i32 i32) (result i32)))
  (import "tally" "log" (func $log (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "counted to eight hundred")
  (func (export "run") (result i32)
    (drop (call $add (i32.const 400) (i32.const 0)))
    (drop (call $add (i32.const 400) (i32.const 0)))
    (drop (call $log (i32.const 16) (i32.const 24)))
    (call $add (i32.const 400) (i32.const 0))))"#;

fn on_wasmtime() -> Result<(i32, Host), BoxError> {
    use wasmtime::{Engine, Linker, Module, Store};
    let engine = Engine::default();
    let module = Module::new(&engine, GUEST)?;
    let mut linker = Linker::new(&engine);
    tally::wasmtime::add_to_linker(&mut linker, |h: &mut Host| h)?;
    let mut store = Store::new(&engine, Host::default());
    let instance = linker.instantiate(&mut store, &module)?;
    let run = instance.get_typed_func::<(), i32>(&mut store, "run")?;
    Ok((run.call(&mut store, ())?, store.into_data()))
}

fn on_wasmi() -> Result<(i32, Host), BoxError> {
    use wasmi::{Engine, Linker, Module, Store};
    let engine = Engine::default();
    let module = Module::new(&engine, wat::parse_str(GUEST)?)?;
    let mut linker = Linker::new(&engine);
    tally::wasmi::add_to_linker(&mut linker, |h: &mut Host| h)?;
    let mut store = Store::new(&engine, Host::default());
    let instance = linker.instantiate_and_start(&mut store, &module)?;
    let run = instance.get_typed_func::<(), i32>(&store, "run")?;
    Ok((run.call(&mut store, ())?, store.into_data()))
}

fn main() -> Result<(), BoxError> {
    for (engine, (outcome, host)) in [("wasmtime", on_wasmtime()?), ("wasmi", on_wasmi()?)] {
        let outcome = Outcome::from_raw(outcome as u64)?;
        println!(
            "{engine}: third add gave {outcome:?}; total {}; log {:?}",
            host.total, host.lines
        );
    }
    Ok(())
}
