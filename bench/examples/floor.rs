//! The engines' floor: what one host call costs on wasmtime and on wasmi before any WASI work,
//! beside wasihost's `clock_time_get` and `fd_write` and the same calls made natively, all in
//! one process, so the differences are comparable within a run.
//!
//! Run from `bench/`: `cargo run --release --example floor -- [CALLS] [ROUNDS] > /dev/null`
//! (stdout is where the `write` rows write; the table goes to stderr).
//!
//! The hand-written host functions are the least a host can do for each call: `nop` returns a
//! value computed from its arguments; `view` also takes the guest memory view and writes 8
//! bytes at the pointer; `clock` reads the monotonic clock and writes it there; `write` reads one
//! iovec from the guest's memory, `write(2)`s its bytes and stores the count. No descriptor
//! table, no rights, no checks beyond the bounds checks that keep them memory-safe.
use std::time::Instant;

/// The host functions measured.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Nop,
    View,
    Clock,
    WasihostClock,
    Write,
    WasihostWrite,
}

const KINDS: [Kind; 6] = [
    Kind::Nop,
    Kind::View,
    Kind::Clock,
    Kind::WasihostClock,
    Kind::Write,
    Kind::WasihostWrite,
];

impl Kind {
    fn writes(self) -> bool {
        matches!(self, Kind::Write | Kind::WasihostWrite)
    }

    /// The import the guest calls.
    fn import(self) -> (&'static str, &'static str) {
        match self {
            Kind::WasihostClock => ("wasi_snapshot_preview1", "clock_time_get"),
            Kind::WasihostWrite => ("wasi_snapshot_preview1", "fd_write"),
            _ => ("x", "f"),
        }
    }
}

/// A loop of `n` calls to the import: `clock_time_get`'s signature, or for the `write` kinds
/// `fd_write`'s (fd 1, one iovec of one byte at 0x10, the count stored at 0x20).
fn wat(kind: Kind) -> Vec<u8> {
    let (module, name) = kind.import();
    let (sig, args) = if kind.writes() {
        (
            "(param i32 i32 i32 i32)",
            "(i32.const 1) (i32.const 0x10) (i32.const 1) (i32.const 0x20)",
        )
    } else {
        (
            "(param i32 i64 i32)",
            "(i32.const 1) (i64.const 0) (i32.const 0x40)",
        )
    };
    wat::parse_str(format!(
        r#"(module
  (import "{module}" "{name}" (func $f {sig} (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0x10) "\00\01\00\00\01\00\00\00")
  (func (export "run") (param $n i32) (result i32)
    (local $r i32)
    (loop $l
      (local.set $r (i32.or (local.get $r) (call $f {args})))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $r)))"#
    ))
    .unwrap()
}

fn now_ns() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

/// Store `v` at `p`: 0, or 28 (`EINVAL`) out of bounds.
fn put(bytes: &mut [u8], p: i32, v: u64) -> i32 {
    let p = p as u32 as usize;
    match bytes.get_mut(p..p + 8) {
        Some(dst) => {
            dst.copy_from_slice(&v.to_le_bytes());
            0
        }
        None => 28,
    }
}

fn word(bytes: &[u8], at: usize) -> Option<usize> {
    let w = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize)
}

/// The `write` kind's work: one iovec at `iov`, written to stdout, the count stored at `out`.
fn write_one(bytes: &mut [u8], iov: i32, out: i32) -> i32 {
    let iov = iov as u32 as usize;
    let (Some(ptr), Some(len)) = (word(bytes, iov), word(bytes, iov + 4)) else {
        return 28;
    };
    let Some(data) = bytes.get(ptr..ptr + len) else {
        return 28;
    };
    // SAFETY: fd 1 stays open for the whole run.
    let stdout = unsafe { std::os::fd::BorrowedFd::borrow_raw(1) };
    match rustix::io::write(stdout, data) {
        Ok(n) => match bytes
            .get_mut(out as u32 as usize..)
            .and_then(|b| b.get_mut(..4))
        {
            Some(dst) => {
                dst.copy_from_slice(&(n as u32).to_le_bytes());
                0
            }
            None => 28,
        },
        Err(e) => e.raw_os_error(),
    }
}

/// Register `kind`'s hand-written host function as `x.f` on `$linker`, an engine's linker whose
/// store data has a `mem` field; `$caller` is that engine's `Caller` type. The two engines'
/// `Caller` and `Memory` APIs have the same shape but no common trait, hence a macro. `None` for
/// the wasihost kinds.
macro_rules! minimal_function {
    ($linker:expr, $caller:ty, $kind:expr) => {
        match $kind {
            Kind::Nop => Some(
                $linker
                    .func_wrap("x", "f", |_: $caller, a: i32, b: i64, p: i32| {
                        (a - 1) ^ (p & b as i32)
                    })
                    .map(drop),
            ),
            Kind::View => Some(
                $linker
                    .func_wrap("x", "f", |mut c: $caller, a: i32, b: i64, p: i32| {
                        let m = c.data().mem.unwrap();
                        let (bytes, _) = m.data_and_store_mut(&mut c);
                        put(bytes, p, b as u64 + a as u64)
                    })
                    .map(drop),
            ),
            Kind::Clock => Some(
                $linker
                    .func_wrap("x", "f", |mut c: $caller, _: i32, _: i64, p: i32| {
                        let m = c.data().mem.unwrap();
                        let (bytes, _) = m.data_and_store_mut(&mut c);
                        put(bytes, p, now_ns())
                    })
                    .map(drop),
            ),
            Kind::Write => Some(
                $linker
                    .func_wrap(
                        "x",
                        "f",
                        |mut c: $caller, _: i32, iov: i32, _: i32, out: i32| {
                            let m = c.data().mem.unwrap();
                            let (bytes, _) = m.data_and_store_mut(&mut c);
                            write_one(bytes, iov, out)
                        },
                    )
                    .map(drop),
            ),
            Kind::WasihostClock | Kind::WasihostWrite => None,
        }
        .map(|registered| registered.map_err(|e| e.to_string()))
    };
}

struct Data {
    mem: Option<wasmtime::Memory>,
    cx: wasihost::WasiCtx,
}

fn wasmtime_run(kind: Kind, n: i32) -> f64 {
    type C<'a> = wasmtime::Caller<'a, Data>;
    // Compiling on this thread keeps the process single-threaded, as the benchmark's timed
    // processes are (Linux makes fd system calls dearer once a process has a second thread).
    let mut config = wasmtime::Config::new();
    config.parallel_compilation(false);
    let engine = wasmtime::Engine::new(&config).unwrap();
    let module = wasmtime::Module::new(&engine, wat(kind)).unwrap();
    let mut linker = wasmtime::Linker::<Data>::new(&engine);
    let slot = match minimal_function!(linker, C<'_>, kind) {
        Some(registered) => registered.map(|_| None),
        None => {
            wasihost::wasmtime_host::add_to_linker_for_instance(&mut linker, &module, |d| &mut d.cx)
                .map(Some)
                .map_err(|e| e.to_string())
        }
    }
    .unwrap();
    let cx = wasihost::WasiCtx::builder()
        .inherit_stdio()
        .build()
        .unwrap();
    let mut store = wasmtime::Store::new(&engine, Data { mem: None, cx });
    let inst = linker.instantiate(&mut store, &module).unwrap();
    store.data_mut().mem = inst.get_memory(&mut store, "memory");
    if let Some(slot) = &slot {
        wasihost::wasmtime_host::bind_memory(slot, &mut store, &inst);
    }
    let run = inst.get_typed_func::<i32, i32>(&mut store, "run").unwrap();
    let t = Instant::now();
    assert_eq!(run.call(&mut store, n).unwrap(), 0);
    t.elapsed().as_nanos() as f64 / f64::from(n)
}

struct WasmiData {
    mem: Option<wasmi::Memory>,
    cx: wasihost::WasiCtx,
}

fn wasmi_run(kind: Kind, n: i32) -> f64 {
    type C<'a> = wasmi::Caller<'a, WasmiData>;
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, wat(kind)).unwrap();
    let mut linker = wasmi::Linker::<WasmiData>::new(&engine);
    let slot = match minimal_function!(linker, C<'_>, kind) {
        Some(registered) => registered.map(|_| None),
        None => {
            wasihost::wasmi_host::add_to_linker_for_instance(&mut linker, |d: &mut WasmiData| {
                &mut d.cx
            })
            .map(Some)
            .map_err(|e| e.to_string())
        }
    }
    .unwrap();
    let cx = wasihost::WasiCtx::builder()
        .inherit_stdio()
        .build()
        .unwrap();
    let mut store = wasmi::Store::new(&engine, WasmiData { mem: None, cx });
    let inst = linker.instantiate_and_start(&mut store, &module).unwrap();
    store.data_mut().mem = inst.get_memory(&store, "memory");
    if let Some(slot) = &slot {
        wasihost::wasmi_host::bind_memory(slot, &store, &inst);
    }
    let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
    let t = Instant::now();
    assert_eq!(run.call(&mut store, n).unwrap(), 0);
    t.elapsed().as_nanos() as f64 / f64::from(n)
}

/// The native loop for `kind`'s system call (none for `nop` and `view`).
fn native(kind: Kind, n: i32) -> Option<f64> {
    let t = Instant::now();
    match kind {
        Kind::Clock => {
            let mut acc = 0u64;
            for _ in 0..n {
                acc = acc.wrapping_add(std::hint::black_box(now_ns()));
            }
            std::hint::black_box(acc);
        }
        Kind::Write => {
            // SAFETY: fd 1 stays open for the whole run.
            let stdout = unsafe { std::os::fd::BorrowedFd::borrow_raw(1) };
            for _ in 0..n {
                rustix::io::write(stdout, b"x").unwrap();
            }
        }
        _ => return None,
    }
    Some(t.elapsed().as_nanos() as f64 / f64::from(n))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: i32 = args.next().map_or(5_000_000, |s| s.parse().unwrap());
    let rounds: u32 = args.next().map_or(3, |s| s.parse().unwrap());
    eprintln!("ns per call, {n} calls per cell; each row one round");
    let threads = || std::fs::read_dir("/proc/self/task").map_or(0, |d| d.count());
    eprintln!(
        "| round | native clock | native write | engine | nop | view | clock | wasihost clock | write | wasihost fd_write |"
    );
    eprintln!("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    for round in 1..=rounds {
        let clock = native(Kind::Clock, n).unwrap();
        let write = native(Kind::Write, n).unwrap();
        for (engine, run) in [
            ("wasmtime", wasmtime_run as fn(Kind, i32) -> f64),
            ("wasmi", wasmi_run),
        ] {
            let cells: Vec<String> = KINDS.iter().map(|&k| format!("{:.1}", run(k, n))).collect();
            eprintln!(
                "| {round} | {clock:.1} | {write:.1} | {engine} | {} |",
                cells.join(" | ")
            );
            assert_eq!(threads(), 1, "the process must stay single-threaded");
        }
    }
}
