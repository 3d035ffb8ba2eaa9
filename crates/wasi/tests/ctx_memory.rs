//! What a context costs the host in memory, measured with a counting allocator (bytes
//! allocated, an upper bound on what stays live): a context with stdio and one preopened
//! directory, each descriptor the guest opens, and a `MemFs` file. The bounds below are the
//! figures documented in the README's "Memory" section, with some room.

use wasihost::guest::{GuestMemory, GuestStr};
use wasihost::preview1::types::{Fd, Fdflags, Lookupflags, Oflags, Rights};
use wasihost::preview1::wasi_snapshot_preview1::WasiSnapshotPreview1;
use wasihost::{Stdio, WasiCtx};

mod counting;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

#[test]
fn a_context_and_its_descriptors_stay_small() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), b"data").unwrap();
    // Warm up whatever the process sets up once (the OS random source, thread-locals).
    drop(
        WasiCtx::builder()
            .preopen_dir(dir.path(), "/")
            .build()
            .unwrap(),
    );

    let (cx, calls, bytes) = counting::measure(|| {
        WasiCtx::builder()
            .stdin(Stdio::Null)
            .stdout(Stdio::Null)
            .stderr(Stdio::Null)
            .preopen_dir(dir.path(), "/")
            .arg("guest")
            .build()
            .unwrap()
    });
    let mut cx = cx;
    let inline = std::mem::size_of::<WasiCtx>();
    eprintln!(
        "context with stdio and one preopen: {inline} bytes inline (in the store) + {bytes} \
         bytes in {calls} allocations"
    );
    assert!(inline <= 1024, "WasiCtx is {inline} bytes");
    assert!(bytes <= 8 << 10, "a context allocated {bytes} bytes");

    let mut mem = vec![0u8; 64];
    mem[..1].copy_from_slice(b"f");
    const N: u64 = 1000;
    let (fds, calls, bytes) = counting::measure(|| {
        let mem = &mut GuestMemory::Unshared(&mut mem);
        (0..N)
            .map(|_| {
                cx.path_open(
                    mem,
                    Fd::new(3),
                    Lookupflags::empty(),
                    GuestStr::new(0, 1),
                    Oflags::empty(),
                    Rights::FD_READ,
                    Rights::empty(),
                    Fdflags::empty(),
                )
                .unwrap()
            })
            .collect::<Vec<_>>()
    });
    let per_fd = (bytes - N * 4) / N; // less the Vec of fd numbers
    eprintln!("{N} open descriptors: {bytes} bytes in {calls} allocations, about {per_fd} each");
    // One allocation per descriptor (its resource), plus the table's growth.
    assert!(calls <= N + 20, "{calls} allocations for {N} descriptors");
    assert!(per_fd <= 256, "each descriptor took {per_fd} bytes");
    drop(fds);
}
