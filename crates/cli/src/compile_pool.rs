//! Compiling on threads that are gone before the guest runs.
//!
//! wasmtime compiles a module's functions in parallel on rayon's global pool, whose threads live
//! as long as the process. A guest would then run in a multithreaded process, and Linux makes
//! every fd system call of a multithreaded process take and drop a reference on its
//! `struct file`: a one-byte `fd_write` to /dev/null costs about 70 ns more beside one idle
//! thread than in a single-threaded process (C `write(2)` loop here: ~135 ns against ~205 ns).
//! So [`compile`] runs the compiler inside a pool of our own, and joins its threads before it
//! returns: a guest then runs single-threaded, as it does on a cache hit, which compiles nothing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Stack size of the compiling threads: Linux's default for a main thread.
const COMPILE_STACK: usize = 8 << 20;

/// Numbers the pools, so that each one's threads have names of their own (`compile<N>.<i>`).
static POOLS: AtomicUsize = AtomicUsize::new(0);

/// Run `f` (which compiles with wasmtime) on a rayon pool of this call's own, whose worker
/// threads have exited when this returns. If the pool cannot be made, `f` runs on the caller's
/// thread and wasmtime uses its global pool, as it would without this.
pub fn compile<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let handles: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
    let spawned = Arc::clone(&handles);
    let n = POOLS.fetch_add(1, Ordering::Relaxed);
    let pool = rayon_core::ThreadPoolBuilder::new()
        .spawn_handler(move |worker| {
            // `f` itself runs on a worker (parsing and validating the module there), so the
            // workers get the stack a main thread has rather than a spawned thread's 2 MiB.
            let handle = std::thread::Builder::new()
                .name(format!("compile{n}.{}", worker.index()))
                .stack_size(COMPILE_STACK)
                .spawn(move || worker.run())?;
            spawned
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(handle);
            Ok(())
        })
        .build();
    let Ok(pool) = pool else {
        return f();
    };
    let result = pool.install(f);
    // Dropping the pool tells its workers to stop; each exits once idle, which it is now.
    drop(pool);
    let handles = std::mem::take(&mut *handles.lock().unwrap_or_else(|e| e.into_inner()));
    for handle in handles {
        // A worker that panicked has already reported it on stderr; it is gone either way.
        let _ = handle.join();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::compile;

    /// How many of this process's threads have a name starting with `prefix`.
    fn named(prefix: &str) -> usize {
        let tasks = std::fs::read_dir("/proc/self/task").expect("/proc/self/task");
        tasks
            .flatten()
            .filter(|t| {
                std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.starts_with(prefix))
            })
            .count()
    }

    #[test]
    fn the_compiler_threads_are_gone_when_compile_returns() {
        let engine = wasmtime::Engine::default();
        let wat = "(module (func (export \"a\")) (func (export \"b\")) (func (export \"c\")))";
        let (module, prefix, during) = compile(|| {
            let name = std::thread::current().name().unwrap_or("").to_string();
            let prefix = name[..=name.find('.').unwrap_or(0)].to_string();
            let module = wasmtime::Module::new(&engine, wat);
            let during = named(&prefix);
            (module, prefix, during)
        });
        assert!(module.is_ok());
        assert!(
            prefix.starts_with("compile"),
            "compiled on a pool worker ({prefix:?})"
        );
        assert!(during >= 1, "the pool's workers run during the compile");
        assert_eq!(named(&prefix), 0, "and have exited when it returns");
    }
}
