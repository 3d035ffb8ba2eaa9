//! Hostcalls on shared guest memory while another thread keeps writing the very buffers they
//! use, as a guest's other threads may: the host copies in and out of shared memory and never
//! holds a Rust reference into it, so whatever the other thread does, every call completes,
//! moves the bytes it reports, and the host stays sound (run under Miri or a sanitizer to check
//! the last part; here the outcomes are checked).
//!
//! The memory is a host buffer of atomics viewed as `[UnsafeCell<u8>]`, the shape an engine's
//! shared memory (`wasmtime::SharedMemory::data`) hands to the generated glue.

use std::cell::UnsafeCell;
use std::io::{Read, Seek, SeekFrom};
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use wasihost::guest::{GuestMemory, GuestPtr, GuestSlice, GuestStr};
use wasihost::memfs::MemFs;
use wasihost::preview1::types::{Ciovec, Errno, Fd, Fdflags, Iovec, Lookupflags, Oflags, Rights};
use wasihost::preview1::wasi_snapshot_preview1::WasiSnapshotPreview1;
use wasihost::{Mount, Stdio, WasiCtx};

const MEM: usize = 1 << 20;
const DATA: u32 = 64 * 1024;
const SPAN: u32 = 256 * 1024;
const PATH: u32 = 1024;

/// Run `calls` on a shared view of a fresh memory (prepared by `setup`) while a second thread
/// writes `a` and `b` alternately over `hammered` until `calls` returns.
fn hammered(
    hammered: std::ops::Range<usize>,
    (a, b): (&[u8], &[u8]),
    setup: impl FnOnce(&mut GuestMemory<'_>),
    calls: impl FnOnce(&mut GuestMemory<'_>),
) {
    let memory: Vec<AtomicU8> = (0..MEM).map(|_| AtomicU8::new(0)).collect();
    let stop = AtomicBool::new(false);
    // SAFETY: `AtomicU8` and `UnsafeCell<u8>` both have the layout of `u8`, and both allow
    // writes through shared references; the view lives no longer than `memory`.
    let cells = unsafe { &*(memory.as_slice() as *const [AtomicU8] as *const [UnsafeCell<u8>]) };
    setup(&mut GuestMemory::Shared(cells));
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut round = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let src = if round.is_multiple_of(2) { a } else { b };
                for (i, cell) in memory[hammered.clone()].iter().enumerate() {
                    cell.store(src[i % src.len()], Ordering::Relaxed);
                }
                round += 1;
            }
        });
        // Stop the writer however `calls` ends (a failed assertion must not hang the test).
        struct Stop<'a>(&'a AtomicBool);
        impl Drop for Stop<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
            }
        }
        let _stop = Stop(&stop);
        calls(&mut GuestMemory::Shared(cells));
    });
}

fn errno<T>(r: Result<T, wasihost::Error>) -> Result<T, Errno> {
    r.map_err(|e| e.errno().expect("an errno, not a trap"))
}

fn iovs_at(mem: &mut GuestMemory<'_>, at: u32, parts: u32) -> (u32, u32) {
    let each = SPAN / parts;
    for i in 0..parts {
        let v = Iovec {
            buf: GuestPtr::new(DATA + i * each),
            buf_len: each,
        };
        mem.write(GuestPtr::new(at + 8 * i), &v).unwrap();
    }
    (at, parts)
}

#[test]
fn writes_from_a_buffer_another_thread_is_changing() {
    let mut file = tempfile::tempfile().unwrap();
    let fd: OwnedFd = file.try_clone().unwrap().into();
    let mut cx = WasiCtx::builder().stdout(Stdio::Fd(fd)).build().unwrap();
    let rounds = 200u32;
    let range = DATA as usize..(DATA + SPAN) as usize;
    hammered(
        range,
        (&[0xaa], &[0x55]),
        |mem| {
            iovs_at(mem, 0, 4);
        },
        |mem| {
            for _ in 0..rounds {
                let iovs = GuestSlice::<Ciovec>::new(0, 4);
                assert_eq!(errno(cx.fd_write(mem, Fd::new(1), iovs)), Ok(SPAN));
            }
        },
    );
    let mut written = Vec::new();
    file.seek(SeekFrom::Start(0)).unwrap();
    file.read_to_end(&mut written).unwrap();
    assert_eq!(written.len(), (SPAN * rounds) as usize);
    // Every byte is one the memory held at some point.
    assert!(written.iter().all(|b| matches!(b, 0 | 0xaa | 0x55)));
}

#[test]
fn reads_and_random_into_a_buffer_another_thread_is_changing() {
    let fs = MemFs::new();
    fs.write_file("data", vec![0x11u8; SPAN as usize]).unwrap();
    let mut cx = WasiCtx::builder()
        .preopen(fs.root(), "/", Mount::ReadOnly)
        .build()
        .unwrap();
    let range = DATA as usize..(DATA + SPAN) as usize;
    hammered(
        range,
        (&[0xaa], &[0x55]),
        |mem| {
            iovs_at(mem, 0, 8);
            mem.copy_from_slice(PATH, b"data").unwrap();
        },
        |mem| {
            let r = Rights::FD_READ | Rights::FD_SEEK;
            let p = GuestStr::new(PATH, 4);
            let none = Lookupflags::empty();
            let fd = errno(cx.path_open(
                mem,
                Fd::new(3),
                none,
                p,
                Oflags::empty(),
                r,
                r,
                Fdflags::empty(),
            ))
            .unwrap();
            for _ in 0..100 {
                let iovs = GuestSlice::<Iovec>::new(0, 8);
                assert_eq!(errno(cx.fd_pread(mem, fd, iovs, 0)), Ok(SPAN));
                assert_eq!(errno(cx.random_get(mem, GuestPtr::new(DATA), SPAN)), Ok(()));
            }
        },
    );
}

#[test]
fn paths_another_thread_is_changing() {
    let fs = MemFs::new();
    fs.write_file("aaaa", b"x").unwrap();
    let mut cx = WasiCtx::builder()
        .preopen(fs.root(), "/", Mount::ReadWrite)
        .build()
        .unwrap();
    let range = PATH as usize..PATH as usize + 4;
    hammered(
        range,
        (b"aaaa", b"bbbb"),
        |mem| mem.copy_from_slice(PATH, b"aaaa").unwrap(),
        |mem| {
            for _ in 0..20_000 {
                let p = GuestStr::new(PATH, 4);
                let r = Rights::FD_READ;
                let none = Lookupflags::empty();
                match errno(cx.path_open(
                    mem,
                    Fd::new(3),
                    none,
                    p,
                    Oflags::empty(),
                    r,
                    r,
                    Fdflags::empty(),
                )) {
                    Ok(fd) => errno(cx.fd_close(mem, fd)).unwrap(),
                    // A mix of the two names, or all "bbbb": no such file.
                    Err(Errno::Noent) => {}
                    Err(e) => panic!("unexpected {e:?}"),
                }
            }
        },
    );
    // Nothing was created, whatever name the host happened to read.
    assert_eq!(fs.entries_used(), 1);
}

/// A guest on a real `wasmtime::SharedMemory`: 100 rounds of `fd_write` from, `fd_read` into
/// and `random_get` into three 64 KiB buffers that a host thread keeps overwriting through
/// the engine's own view of the memory. Every call must move all its bytes; the guest exits
/// with the number of the first call that did not.
#[cfg(feature = "wasmtime")]
const ON_SHARED: &str = r#"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 8 8 shared))
  (export "memory" (memory 0))
  (func (export "_start") (local $i i32)
    ;; iovecs at 0x100 (write: 0x10000) and 0x300 (read: 0x20000), results at 0x200, 0x400
    (i32.store (i32.const 0x100) (i32.const 0x10000))
    (i32.store (i32.const 0x104) (i32.const 0x10000))
    (i32.store (i32.const 0x300) (i32.const 0x20000))
    (i32.store (i32.const 0x304) (i32.const 0x10000))
    (loop $round
      (if (call $write (i32.const 1) (i32.const 0x100) (i32.const 1) (i32.const 0x200))
        (then (call $exit (i32.const 1))))
      (if (i32.ne (i32.load (i32.const 0x200)) (i32.const 0x10000))
        (then (call $exit (i32.const 2))))
      (if (call $read (i32.const 0) (i32.const 0x300) (i32.const 1) (i32.const 0x400))
        (then (call $exit (i32.const 3))))
      (if (i32.ne (i32.load (i32.const 0x400)) (i32.const 0x10000))
        (then (call $exit (i32.const 4))))
      (if (call $random (i32.const 0x30000) (i32.const 0x10000))
        (then (call $exit (i32.const 5))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $i) (i32.const 100))))))
"#;

#[cfg(feature = "wasmtime")]
#[test]
fn a_wasmtime_shared_memory_hammered_by_a_host_thread() {
    use wasmtime::{Config, Engine, Linker, MemoryType, Module, SharedMemory, Store};
    const ROUNDS: usize = 100;
    const BUF: usize = 0x10000;

    let mut config = Config::new();
    config.wasm_threads(true).shared_memory(true);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(&engine, ON_SHARED).unwrap();
    let memory = SharedMemory::new(&engine, MemoryType::shared(8, 8)).unwrap();

    let mut out = tempfile::tempfile().unwrap();
    let mut input = tempfile::tempfile().unwrap();
    std::io::Write::write_all(&mut input, &vec![b'c'; ROUNDS * BUF]).unwrap();
    input.seek(SeekFrom::Start(0)).unwrap();
    let cx = WasiCtx::builder()
        .stdin(Stdio::Fd(input.into()))
        .stdout(Stdio::Fd(out.try_clone().unwrap().into()))
        .build()
        .unwrap();
    let mut linker = Linker::new(&engine);
    let slot =
        wasihost::wasmtime_host::add_to_linker_for_instance(&mut linker, &module, |cx| cx).unwrap();
    let mut store = Store::new(&engine, cx);
    linker
        .define(&mut store, "env", "memory", memory.clone())
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    wasihost::wasmtime_host::bind_memory(&slot, &mut store, &instance);

    let stop = AtomicBool::new(false);
    let status = std::thread::scope(|s| {
        s.spawn(|| {
            let cells = &memory.data()[BUF..4 * BUF];
            let mut round = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let byte = if round.is_multiple_of(2) { b'a' } else { b'b' };
                for cell in cells {
                    // SAFETY: the cell is a byte of the shared memory, which outlives this
                    // thread; every access to it (the guest's, the host's copies) is atomic
                    // or a racy copy the engine allows for shared memories.
                    unsafe { AtomicU8::from_ptr(cell.get()) }.store(byte, Ordering::Relaxed);
                }
                round += 1;
            }
        });
        let status = wasihost::wasmtime_host::call_start(&mut store, &instance);
        stop.store(true, Ordering::Relaxed);
        status
    });
    assert_eq!(status.unwrap(), 0, "a call moved fewer bytes than asked");
    let mut written = Vec::new();
    out.seek(SeekFrom::Start(0)).unwrap();
    out.read_to_end(&mut written).unwrap();
    assert_eq!(written.len(), ROUNDS * BUF);
    assert!(
        written.iter().all(|b| matches!(b, 0 | b'a' | b'b')),
        "only bytes the memory held were written"
    );
}

#[test]
fn readdir_on_shared_memory_writes_what_unshared_memory_gets() {
    let fs = MemFs::new();
    for i in 0..50 {
        fs.write_file(&format!("file-{i}"), Vec::new()).unwrap();
    }
    let mut cx = WasiCtx::builder()
        .preopen(fs.root(), "/", Mount::ReadOnly)
        .build()
        .unwrap();
    let (dir, buf, len) = (Fd::new(3), GuestPtr::new(DATA), 4096);
    let mut plain = vec![0u8; MEM];
    let want =
        errno(cx.fd_readdir(&mut GuestMemory::Unshared(&mut plain), dir, buf, len, 0)).unwrap();
    assert!(want > 50 * 24 && want < len, "every entry fits: {want}");
    let listing = plain[DATA as usize..][..want as usize].to_vec();
    // The other thread writes just past the buffer, never into it.
    let range = (DATA + len) as usize..(DATA + SPAN) as usize;
    hammered(
        range,
        (&[0xaa], &[0x55]),
        |_| {},
        |mem| {
            for cookie in [0, 0, 3] {
                let got = errno(cx.fd_readdir(mem, dir, buf, len, cookie)).unwrap();
                let mut bytes = vec![0u8; got as usize];
                mem.copy_to_slice(DATA, &mut bytes).unwrap();
                if cookie == 0 {
                    assert_eq!(bytes, listing);
                } else {
                    assert!(
                        listing.ends_with(&bytes),
                        "from cookie 3: the listing's tail"
                    );
                }
            }
        },
    );
}
