//! The embedder's standard streams: in-memory stdin, bounded capture, custom resources, and
//! `build()` refusing a stream used the wrong way round.

use std::io::IoSlice;
use std::sync::{Arc, Mutex};

use wasihost::guest::GuestMemory;
use wasihost::preview1::types::Filetype;
use wasihost::preview1::wasi_snapshot_preview1::abi;
use wasihost::vfs::WasiFile;
use wasihost::{OutputBuffer, Overflow, Stdio, WasiCtx};

const EBADF: i32 = 8;
const ENOSPC: i32 = 51;

/// Write `data` to `fd` with one iovec at 64; returns (errno, count written).
fn write(ctx: &mut WasiCtx, fd: i32, data: &[u8]) -> (i32, u32) {
    let mut bytes = vec![0u8; 64 + data.len()];
    bytes[0..4].copy_from_slice(&64u32.to_le_bytes());
    bytes[4..8].copy_from_slice(&(data.len() as u32).to_le_bytes());
    bytes[64..].copy_from_slice(data);
    let mut mem = GuestMemory::Unshared(&mut bytes);
    let errno = abi::fd_write(ctx, &mut mem, fd, 0, 1, 8).unwrap();
    (errno, u32::from_le_bytes(bytes[8..12].try_into().unwrap()))
}

/// Read up to `n` bytes from `fd`; returns (errno, bytes read).
fn read(ctx: &mut WasiCtx, fd: i32, n: u32) -> (i32, Vec<u8>) {
    let mut bytes = vec![0u8; 64 + n as usize];
    bytes[0..4].copy_from_slice(&64u32.to_le_bytes());
    bytes[4..8].copy_from_slice(&n.to_le_bytes());
    let mut mem = GuestMemory::Unshared(&mut bytes);
    let errno = abi::fd_read(ctx, &mut mem, fd, 0, 1, 8).unwrap();
    let got = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    (errno, bytes[64..64 + got].to_vec())
}

#[test]
fn build_refuses_a_reader_as_output_and_a_writer_as_input() {
    let err = WasiCtx::builder()
        .stdout(Stdio::bytes("x"))
        .build()
        .unwrap_err();
    assert_eq!(err.to_string(), "stdout cannot be a reader");
    let err = WasiCtx::builder()
        .stderr(Stdio::bytes("x"))
        .build()
        .unwrap_err();
    assert_eq!(err.to_string(), "stderr cannot be a reader");
    let err = WasiCtx::builder()
        .stdin(Stdio::Writer(Box::new(Vec::new())))
        .build()
        .unwrap_err();
    assert_eq!(err.to_string(), "stdin cannot be a writer");
}

#[test]
fn bytes_feed_stdin_then_end() {
    let mut ctx = WasiCtx::builder()
        .stdin(Stdio::bytes("hello"))
        .build()
        .unwrap();
    assert_eq!(read(&mut ctx, 0, 3), (0, b"hel".to_vec()));
    assert_eq!(read(&mut ctx, 0, 16), (0, b"lo".to_vec()));
    assert_eq!(read(&mut ctx, 0, 16), (0, Vec::new()));
    // Standard input is not for writing.
    assert_eq!(write(&mut ctx, 0, b"x").0, EBADF);
}

#[test]
fn capture_is_bounded_both_ways() {
    let out = OutputBuffer::with_limit(8, Overflow::Truncate);
    let err = OutputBuffer::with_limit(8, Overflow::Fail);
    let mut ctx = WasiCtx::builder()
        .stdout(out.stdio())
        .stderr(err.stdio())
        .build()
        .unwrap();
    assert_eq!(write(&mut ctx, 1, b"0123456789"), (0, 10));
    assert_eq!(
        (out.contents(), out.overflowed()),
        (b"01234567".to_vec(), true)
    );
    assert_eq!(write(&mut ctx, 2, b"0123456789"), (0, 8));
    assert_eq!(write(&mut ctx, 2, b"more").0, ENOSPC);
    assert_eq!(err.contents(), b"01234567".to_vec());
}

/// A custom stream: upper-cases what the guest writes.
struct Shout(Mutex<Vec<u8>>);

impl WasiFile for Shout {
    fn filetype(&self) -> Filetype {
        Filetype::CharacterDevice
    }
    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> wasihost::Result<usize> {
        let mut v = self.0.lock().unwrap();
        let mut n = 0;
        for b in bufs {
            v.extend(b.iter().map(u8::to_ascii_uppercase));
            n += b.len();
        }
        Ok(n)
    }
}

#[test]
fn a_custom_resource_can_be_stdout() {
    let shout = Arc::new(Shout(Mutex::new(Vec::new())));
    let mut ctx = WasiCtx::builder()
        .stdout(Stdio::File(shout.clone()))
        .build()
        .unwrap();
    assert_eq!(write(&mut ctx, 1, b"quiet"), (0, 5));
    assert_eq!(*shout.0.lock().unwrap(), b"QUIET".to_vec());
    // What the trait does not implement has the documented default.
    assert_eq!(read(&mut ctx, 1, 4).0, EBADF);
}
