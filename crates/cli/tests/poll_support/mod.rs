//! Helpers for the poll, socket and preview0 tests: run a WAT module through the library API,
//! then read its memory back byte-exactly; build subscription arrays in either snapshot's layout
//! and decode the events.
#![allow(dead_code)]

pub mod script;

use wasihost::WasiCtx;
use wasmtime::{Engine, Linker, Module, Store};

/// How a run ended and the guest's memory afterwards.
pub struct Outcome {
    /// The exit status (0 when `_start` returned), or the trap's description.
    pub status: Result<u32, String>,
    /// Linear memory after the run.
    pub mem: Vec<u8>,
}

impl Outcome {
    pub fn u16(&self, at: usize) -> u16 {
        u16::from_le_bytes(self.mem[at..at + 2].try_into().unwrap())
    }
    pub fn u32(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.mem[at..at + 4].try_into().unwrap())
    }
    pub fn u64(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.mem[at..at + 8].try_into().unwrap())
    }
    pub fn bytes(&self, at: usize, len: usize) -> &[u8] {
        &self.mem[at..at + len]
    }
    /// The status, panicking with the trap message if the guest trapped.
    pub fn exited(&self) -> u32 {
        match &self.status {
            Ok(s) => *s,
            Err(e) => panic!("guest trapped: {e}"),
        }
    }
}

/// The engine the WAT suites run on: `WASIHOST_TEST_ENGINE` (`wasmtime`, the default, or
/// `wasmi`). CI runs these suites once per engine.
pub fn engine() -> String {
    std::env::var("WASIHOST_TEST_ENGINE").unwrap_or_else(|_| "wasmtime".to_string())
}

/// Run the WAT module `wat` (which must export `memory` and `_start`) with `ctx` on the engine
/// [`engine`] names, with both snapshots registered.
pub fn run_wat(wat: &str, ctx: WasiCtx) -> Outcome {
    match engine().as_str() {
        "wasmtime" => run_wasmtime(wat, ctx),
        "wasmi" => run_wasmi(wat, ctx),
        other => panic!("unknown WASIHOST_TEST_ENGINE {other}"),
    }
}

fn run_wasmtime(wat: &str, ctx: WasiCtx) -> Outcome {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).expect("module compiles");
    let mut linker = Linker::new(&engine);
    wasihost::wasmtime_host::add_to_linker(&mut linker, |cx: &mut WasiCtx| cx).unwrap();
    let mut store = Store::new(&engine, ctx);
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("instantiate");
    let status =
        wasihost::wasmtime_host::call_start(&mut store, &instance).map_err(|e| format!("{e:#}"));
    let mem = instance
        .get_memory(&mut store, "memory")
        .unwrap()
        .data(&store)
        .to_vec();
    Outcome { status, mem }
}

fn run_wasmi(wat: &str, ctx: WasiCtx) -> Outcome {
    let engine = wasmi::Engine::default();
    let bytes = wat::parse_str(wat).expect("valid WAT");
    let module = wasmi::Module::new(&engine, &bytes).expect("module compiles");
    let mut linker = wasmi::Linker::new(&engine);
    wasihost::wasmi_host::add_to_linker(&mut linker, |cx: &mut WasiCtx| cx).unwrap();
    let mut store = wasmi::Store::new(&engine, ctx);
    let instance = linker
        .instantiate_and_start(&mut store, &module)
        .expect("instantiate");
    let status =
        wasihost::wasmi_host::call_start(&mut store, &instance).map_err(|e| format!("{e:#}"));
    let mem = instance
        .get_memory(&store, "memory")
        .unwrap()
        .data(&store)
        .to_vec();
    Outcome { status, mem }
}

/// A `(data ...)` string literal for `bytes`.
pub fn wat_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// Which snapshot's layout and import module to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Snapshot {
    Preview1,
    Preview0,
}

impl Snapshot {
    pub fn module(self) -> &'static str {
        match self {
            Snapshot::Preview1 => "wasi_snapshot_preview1",
            Snapshot::Preview0 => "wasi_unstable",
        }
    }
    /// Size of one subscription.
    pub fn sub_size(self) -> usize {
        match self {
            Snapshot::Preview1 => 48,
            Snapshot::Preview0 => 56,
        }
    }
}

pub const REALTIME: u32 = 0;
pub const MONOTONIC: u32 = 1;
pub const PROCESS_CPUTIME: u32 = 2;

/// One subscription to encode.
#[derive(Clone, Copy, Debug)]
pub enum Sub {
    /// (userdata, clock id, timeout, absolute). An absolute timeout is relative to the clock's
    /// value read by the guest just before the call (the program adds it).
    Clock(u64, u32, u64, bool),
    /// (userdata, fd)
    Read(u64, u32),
    /// (userdata, fd)
    Write(u64, u32),
}

/// Encode `subs` for `snap`; also returns the offsets (within the array) of absolute clock
/// timeouts the program must add the current time to, with their clock.
pub fn encode_subs(snap: Snapshot, subs: &[Sub]) -> (Vec<u8>, Vec<(usize, u32)>) {
    let size = snap.sub_size();
    let mut out = vec![0u8; size * subs.len()];
    let mut fixups = Vec::new();
    // Offset of the payload's fields after the identifier preview0 puts first.
    let extra = if snap == Snapshot::Preview0 { 8 } else { 0 };
    for (i, s) in subs.iter().enumerate() {
        let b = &mut out[i * size..(i + 1) * size];
        let (ud, tag) = match *s {
            Sub::Clock(ud, id, timeout, abs) => {
                if snap == Snapshot::Preview0 {
                    // The identifier: a value that must not show up in the event.
                    b[16..24].copy_from_slice(&0xdead_beef_u64.to_le_bytes());
                }
                b[16 + extra..20 + extra].copy_from_slice(&id.to_le_bytes());
                b[24 + extra..32 + extra].copy_from_slice(&timeout.to_le_bytes());
                b[32 + extra..40 + extra].copy_from_slice(&1000u64.to_le_bytes());
                b[40 + extra..42 + extra].copy_from_slice(&u16::from(abs).to_le_bytes());
                if abs {
                    fixups.push((i * size + 24 + extra, id));
                }
                (ud, 0u8)
            }
            Sub::Read(ud, fd) => {
                b[16..20].copy_from_slice(&fd.to_le_bytes());
                (ud, 1)
            }
            Sub::Write(ud, fd) => {
                b[16..20].copy_from_slice(&fd.to_le_bytes());
                (ud, 2)
            }
        };
        b[0..8].copy_from_slice(&ud.to_le_bytes());
        b[8] = tag;
    }
    (out, fixups)
}

/// Where [`poll_program`] puts things.
pub const ERRNO_AT: usize = 8;
pub const NEVENTS_AT: usize = 12;
pub const MONO_START_AT: usize = 16;
pub const MONO_END_AT: usize = 24;
pub const REAL_END_AT: usize = 32;
pub const SUBS_AT: usize = 1024;
pub const EVENTS_AT: usize = 32768;

/// A program that calls `poll_oneoff` once on `subs` (placed at [`SUBS_AT`], events at
/// [`EVENTS_AT`]), storing the errno at [`ERRNO_AT`], the event count at [`NEVENTS_AT`] and
/// the monotonic clock before and after at [`MONO_START_AT`]/[`MONO_END_AT`] (realtime after at
/// [`REAL_END_AT`]). `n` overrides the subscription count.
pub fn poll_program(snap: Snapshot, subs: &[Sub], n: Option<u32>) -> String {
    let (bytes, fixups) = encode_subs(snap, subs);
    let n = n.unwrap_or(subs.len() as u32);
    poll_program_raw(snap, &bytes, &fixups, SUBS_AT as u32, EVENTS_AT as u32, n)
}

/// [`poll_program`] with explicit array addresses and raw subscription bytes.
pub fn poll_program_raw(
    snap: Snapshot,
    subs: &[u8],
    fixups: &[(usize, u32)],
    in_ptr: u32,
    out_ptr: u32,
    n: u32,
) -> String {
    let m = snap.module();
    // Pre-fill the event slots so that zeroed padding proves the host wrote it.
    let fill_len = 32 * n.min(64) as usize;
    let fill = if out_ptr as usize + fill_len <= 2 * 65536 {
        format!(
            r#"(data (i32.const {out_ptr}) "{}")"#,
            wat_bytes(&vec![0xaa; fill_len])
        )
    } else {
        String::new()
    };
    let mut fix = String::new();
    for (off, clock) in fixups {
        let at = SUBS_AT + off;
        fix.push_str(&format!(
            "(i64.store (i32.const {at}) (i64.add (i64.load (i32.const {at})) (call $now (i32.const {clock}))))\n"
        ));
    }
    format!(
        r#"(module
  (import "{m}" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "{m}" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const {SUBS_AT}) "{data}")
  {fill}
  (func $now (param $id i32) (result i64)
    (drop (call $clock (local.get $id) (i64.const 0) (i32.const 48)))
    (i64.load (i32.const 48)))
  (func (export "_start")
    (i64.store (i32.const {MONO_START_AT}) (call $now (i32.const 1)))
    {fix}
    (i32.store (i32.const {ERRNO_AT})
      (call $poll (i32.const {in_ptr}) (i32.const {out_ptr}) (i32.const {n}) (i32.const {NEVENTS_AT})))
    (i64.store (i32.const {MONO_END_AT}) (call $now (i32.const 1)))
    (i64.store (i32.const {REAL_END_AT}) (call $now (i32.const 0)))))"#,
        data = wat_bytes(subs),
    )
}

/// One decoded event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub userdata: u64,
    pub error: u16,
    pub r#type: u8,
    pub nbytes: u64,
    pub flags: u16,
}

/// The events the program of [`poll_program`] got, checking that the padding bytes are zero.
pub fn events(o: &Outcome) -> Vec<Event> {
    let n = o.u32(NEVENTS_AT) as usize;
    (0..n)
        .map(|i| {
            let at = EVENTS_AT + 32 * i;
            assert_eq!(o.u8(at + 11), 0, "padding after the event type");
            assert_eq!(o.bytes(at + 12, 4), [0; 4], "padding before fd_readwrite");
            assert_eq!(o.bytes(at + 26, 6), [0; 6], "padding after the flags");
            Event {
                userdata: o.u64(at),
                error: o.u16(at + 8),
                r#type: o.u8(at + 10),
                nbytes: o.u64(at + 16),
                flags: o.u16(at + 24),
            }
        })
        .collect()
}

impl Outcome {
    pub fn u8(&self, at: usize) -> u8 {
        self.mem[at]
    }
}

/// A clock event.
pub fn clock_event(userdata: u64) -> Event {
    Event {
        userdata,
        error: 0,
        r#type: 0,
        nbytes: 0,
        flags: 0,
    }
}

/// An fd event: `write` selects the type, `error` the errno.
pub fn fd_event(userdata: u64, write: bool, error: u16, nbytes: u64, hangup: bool) -> Event {
    Event {
        userdata,
        error,
        r#type: if write { 2 } else { 1 },
        nbytes,
        flags: u16::from(hangup),
    }
}
