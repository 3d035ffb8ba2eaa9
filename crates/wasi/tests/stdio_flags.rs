//! Flags a guest sets on inherited stdio stay off the host process's own descriptors.

use rustix::fs::OFlags;
use wasihost::guest::GuestMemory;
use wasihost::preview1::types::Fdflags;
use wasihost::preview1::wasi_snapshot_preview1::abi;
use wasihost::{Stdio, WasiCtx};

#[test]
fn nonblock_on_inherited_stdin_does_not_reach_the_host() {
    // Give this process a stdin of its own kind to inherit: a pipe with a live writer.
    let (reader, _writer) = rustix::pipe::pipe().unwrap();
    let saved = rustix::io::fcntl_dupfd_cloexec(rustix::stdio::stdin(), 0).unwrap();
    rustix::stdio::dup2_stdin(&reader).unwrap();
    let mut ctx = WasiCtx::builder();
    ctx.stdin(Stdio::Inherit);
    let mut ctx = ctx.build().unwrap();
    let mut bytes = vec![0u8; 64];
    let mut mem = GuestMemory::Unshared(&mut bytes);
    let set = abi::fd_fdstat_set_flags(&mut ctx, &mut mem, 0, Fdflags::NONBLOCK.bits() as i32);
    let host_flags = rustix::fs::fcntl_getfl(rustix::stdio::stdin()).unwrap();
    rustix::stdio::dup2_stdin(&saved).unwrap();
    assert_eq!(set, Ok(0));
    assert!(
        !host_flags.contains(OFlags::NONBLOCK),
        "host stdin became non-blocking"
    );
    // The guest's own descriptor is non-blocking: an empty pipe gives EAGAIN (6).
    let mut bytes = vec![0u8; 64];
    bytes[0..4].copy_from_slice(&32u32.to_le_bytes());
    bytes[4..8].copy_from_slice(&8u32.to_le_bytes());
    let mut mem = GuestMemory::Unshared(&mut bytes);
    assert_eq!(abi::fd_read(&mut ctx, &mut mem, 0, 0, 1, 48), Ok(6));
}
