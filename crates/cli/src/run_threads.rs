//! wasi-threads guests (modules importing `wasi.thread-spawn`) on wasmtime.

use std::sync::mpsc;
use std::time::Duration;

use wasihost::threads::ThreadedGuest;

use crate::Host;
use crate::args::RunArgs;
use crate::errors::{Failure, wasmtime_chain};

/// Whether the WebAssembly binary `wasm` imports `wasi.thread-spawn` (a quick look at its
/// import section; a malformed module says no, and fails later to compile).
pub fn imports_thread_spawn(wasm: &[u8]) -> bool {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(wasmparser::Payload::ImportSection(imports)) => {
                return imports
                    .into_imports()
                    .any(|i| i.is_ok_and(|i| i.module == "wasi" && i.name == "thread-spawn"));
            }
            Ok(wasmparser::Payload::CodeSectionStart { .. }) | Err(_) => return false,
            Ok(_) => {}
        }
    }
    false
}

/// Refuse the options a threaded run does not support, in one line each.
pub fn check_args(args: &RunArgs, what: &str) -> Result<(), Failure> {
    let refuse = |opt: &str| {
        Err(Failure::Usage(format!(
            "{what}: {opt} is not supported for wasi-threads modules"
        )))
    };
    if args.threads == Some(false) {
        return Err(Failure::Usage(format!(
            "{what}: imports wasi.thread-spawn, but -S threads=n"
        )));
    }
    if args.invoke.is_some() {
        return refuse("--invoke");
    }
    if args.limits.fuel.is_some() {
        return refuse("-W fuel");
    }
    if args.limits.max_memory.is_some() {
        return refuse("-W max-memory-size");
    }
    Ok(())
}

/// Run a threaded guest: `-W timeout` stops it through its stopper.
pub fn run(
    engine: &wasmtime::Engine,
    module: &wasmtime::Module,
    args: &RunArgs,
    host: Host,
    what: &str,
    classify: impl Fn(&wasmtime::Error) -> Failure,
) -> Result<u32, Failure> {
    check_args(args, what)?;
    if module.get_export("_start").is_none() {
        return Err(Failure::Usage(format!(
            "{what}: not a WASI command: no `_start` export"
        )));
    }
    let guest = ThreadedGuest::new(engine, module, host.wasi).map_err(|e| {
        if e.downcast_ref::<wasmtime::Trap>().is_some() {
            classify(&e)
        } else {
            Failure::Usage(format!("{what}: {}", wasmtime_chain(&e)))
        }
    })?;
    let timer = args.limits.timeout.map(|t| start_timer(guest.stopper(), t));
    let result = guest.run();
    if let Some((cancel, thread)) = timer {
        drop(cancel);
        let _ = thread.join();
    }
    result.map_err(|e| classify(&e))
}

/// A thread that stops the guest after `after`, unless the sender is dropped first.
fn start_timer(
    stopper: wasihost::threads::Stopper,
    after: Duration,
) -> (mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(after) {
            stopper.stop();
        }
    });
    (tx, thread)
}
