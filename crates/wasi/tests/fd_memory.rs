//! Vectored I/O against guest memory views that a compiled guest cannot easily produce: shared
//! memory (copied through a bounded host buffer), overlapping read buffers, transfers larger
//! than the copy buffer, and bad buffers on the positioned calls. The WASI calls are made
//! directly through the generated trait.

use std::cell::UnsafeCell;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::os::fd::OwnedFd;

use wasihost::guest::{GuestMemory, GuestPtr, GuestSlice};
use wasihost::preview1::types::{Ciovec, Errno, Fd, Fdflags, Iovec, Whence};
use wasihost::preview1::wasi_snapshot_preview1::WasiSnapshotPreview1;
use wasihost::{Stdio, WasiCtx};

const MEM: usize = 1 << 20;
/// Where the iovec arrays go in the test memories.
const IOVS: u32 = 64;

/// A context whose stdout (fd 1) is `file`, a regular file: it gets the rights of a file.
fn ctx_with_file(file: &File) -> WasiCtx {
    let fd: OwnedFd = file.try_clone().unwrap().into();
    WasiCtx::builder().stdout(Stdio::Fd(fd)).build().unwrap()
}

fn temp_file() -> File {
    tempfile::tempfile().unwrap()
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 ^ seed).collect()
}

fn shared_cells(len: usize) -> Vec<UnsafeCell<u8>> {
    (0..len).map(|_| UnsafeCell::new(0)).collect()
}

/// Store `bufs` (address, length) as an iovec array at [`IOVS`].
fn iovecs(mem: &mut GuestMemory<'_>, bufs: &[(u32, u32)]) -> GuestSlice<Iovec> {
    for (i, &(buf, buf_len)) in bufs.iter().enumerate() {
        let v = Iovec {
            buf: GuestPtr::new(buf),
            buf_len,
        };
        mem.write(GuestPtr::new(IOVS + 8 * i as u32), &v).unwrap();
    }
    GuestSlice::new(IOVS, bufs.len() as u32)
}

fn ciovecs(mem: &mut GuestMemory<'_>, bufs: &[(u32, u32)]) -> GuestSlice<Ciovec> {
    let s = iovecs(mem, bufs);
    GuestSlice::new(s.offset(), s.len())
}

fn read_back(file: &mut File) -> Vec<u8> {
    let mut v = Vec::new();
    file.seek(SeekFrom::Start(0)).unwrap();
    std::io::Read::read_to_end(file, &mut v).unwrap();
    v
}

fn guest_bytes(mem: &GuestMemory<'_>, at: u32, len: usize) -> Vec<u8> {
    let mut v = vec![0; len];
    mem.copy_to_slice(at, &mut v).unwrap();
    v
}

#[test]
fn shared_memory_writes_and_reads_more_than_one_chunk() {
    let mut file = temp_file();
    let mut cx = ctx_with_file(&file);
    let cells = shared_cells(MEM);
    let mut mem = GuestMemory::Shared(&cells);
    let data = pattern(300_000, 7);
    mem.copy_from_slice(4096, &data).unwrap();
    // Three buffers, one empty, 300 000 bytes in all.
    let out = ciovecs(
        &mut mem,
        &[(4096, 100_000), (104_096, 0), (104_096, 200_000)],
    );
    let n = cx.fd_write(&mut mem, Fd::new(1), out).unwrap();
    assert_eq!(n, 300_000);
    assert_eq!(read_back(&mut file), data);
    assert_eq!(cx.fd_tell(&mut mem, Fd::new(1)).unwrap(), 300_000);

    // Read it all back into two other buffers: a regular file is read chunk after chunk.
    cx.fd_seek(&mut mem, Fd::new(1), 0, Whence::Set).unwrap();
    let into = iovecs(&mut mem, &[(500_000, 150_000), (650_000, 200_000)]);
    let n = cx.fd_read(&mut mem, Fd::new(1), into).unwrap();
    assert_eq!(n, 300_000);
    assert_eq!(guest_bytes(&mem, 500_000, 300_000), data);
    // At the end: 0.
    assert_eq!(cx.fd_read(&mut mem, Fd::new(1), into).unwrap(), 0);
}

#[test]
fn shared_memory_positioned_io() {
    let mut file = temp_file();
    file.write_all(b"0123456789").unwrap();
    let mut cx = ctx_with_file(&file);
    let cells = shared_cells(1 << 16);
    let mut mem = GuestMemory::Shared(&cells);
    mem.copy_from_slice(1000, b"XYZ").unwrap();
    let out = ciovecs(&mut mem, &[(1000, 1), (1001, 2)]);
    assert_eq!(cx.fd_pwrite(&mut mem, Fd::new(1), out, 4).unwrap(), 3);
    assert_eq!(read_back(&mut file), b"0123XYZ789");
    let into = iovecs(&mut mem, &[(2000, 2), (3000, 10)]);
    assert_eq!(cx.fd_pread(&mut mem, Fd::new(1), into, 3).unwrap(), 7);
    assert_eq!(guest_bytes(&mem, 2000, 2), b"3X");
    assert_eq!(guest_bytes(&mem, 3000, 5), b"YZ789");
    assert_eq!(cx.fd_pread(&mut mem, Fd::new(1), into, 100).unwrap(), 0);
}

#[test]
fn shared_memory_pipe_read_returns_what_is_there() {
    // One read call only: a second one could block although data already arrived.
    let (reader, mut writer) = std::io::pipe().unwrap();
    let mut cx = WasiCtx::builder()
        .stdin(Stdio::Fd(OwnedFd::from(reader)))
        .build()
        .unwrap();
    let cells = shared_cells(MEM);
    let mut mem = GuestMemory::Shared(&cells);
    let into = iovecs(&mut mem, &[(4096, 200_000), (300_000, 10)]);
    // NONBLOCK is the OS's: an empty pipe then reads as EAGAIN instead of blocking.
    cx.fd_fdstat_set_flags(&mut mem, Fd::new(0), Fdflags::NONBLOCK)
        .unwrap();
    let st = cx.fd_fdstat_get(&mut mem, Fd::new(0)).unwrap();
    assert_eq!(st.fs_flags, Fdflags::NONBLOCK);
    let e = cx.fd_read(&mut mem, Fd::new(0), into).unwrap_err();
    assert_eq!(e.errno(), Some(Errno::Again));
    // No offset on a pipe, whatever the rights.
    let e = cx
        .fd_seek(&mut mem, Fd::new(0), 0, Whence::Cur)
        .unwrap_err();
    assert_eq!(e.errno(), Some(Errno::Spipe));
    writer.write_all(b"ten bytes!").unwrap();
    assert_eq!(cx.fd_read(&mut mem, Fd::new(0), into).unwrap(), 10);
    assert_eq!(guest_bytes(&mem, 4096, 10), b"ten bytes!");
    drop(writer);
    assert_eq!(cx.fd_read(&mut mem, Fd::new(0), into).unwrap(), 0);
}

#[test]
fn overlapping_read_buffers_fill_in_order() {
    let mut file = temp_file();
    let data = pattern(200_000, 3);
    file.write_all(&data).unwrap();
    let mut cx = ctx_with_file(&file);
    let mut bytes = vec![0u8; MEM];
    let mut mem = GuestMemory::Unshared(&mut bytes);
    cx.fd_seek(&mut mem, Fd::new(1), 0, Whence::Set).unwrap();
    // The second buffer lies inside the first: as with readv, the later bytes win there.
    let into = iovecs(&mut mem, &[(4096, 150_000), (104_096, 50_000)]);
    assert_eq!(cx.fd_read(&mut mem, Fd::new(1), into).unwrap(), 200_000);
    assert_eq!(guest_bytes(&mem, 4096, 100_000), data[..100_000]);
    assert_eq!(guest_bytes(&mem, 104_096, 50_000), data[150_000..]);
    // The same through pread, from offset 1.
    let n = cx.fd_pread(&mut mem, Fd::new(1), into, 1).unwrap();
    assert_eq!(n, 199_999);
    assert_eq!(guest_bytes(&mem, 4096, 100_000), data[1..100_001]);
    assert_eq!(guest_bytes(&mem, 104_096, 49_999), data[150_001..]);
}

#[test]
fn bad_buffers_trap_before_anything_moves() {
    for shared in [false, true] {
        let mut file = temp_file();
        file.write_all(b"keep").unwrap();
        let mut cx = ctx_with_file(&file);
        let mut bytes = vec![0u8; 1 << 16];
        let cells = shared_cells(1 << 16);
        let mut mem = if shared {
            GuestMemory::Shared(&cells)
        } else {
            GuestMemory::Unshared(&mut bytes)
        };
        // A good buffer, then one running past the end of memory.
        let bufs = [(1000, 4), (65_530, 100)];
        let out = ciovecs(&mut mem, &bufs);
        let into = iovecs(&mut mem, &bufs);
        let traps = |r: Result<u32, wasihost::Error>| match r {
            Err(e) => e.errno().is_none(),
            Ok(_) => false,
        };
        assert!(
            traps(cx.fd_pwrite(&mut mem, Fd::new(1), out, 0)),
            "{shared}"
        );
        assert!(traps(cx.fd_write(&mut mem, Fd::new(1), out)), "{shared}");
        assert!(
            traps(cx.fd_pread(&mut mem, Fd::new(1), into, 0)),
            "{shared}"
        );
        assert!(traps(cx.fd_read(&mut mem, Fd::new(1), into)), "{shared}");
        // An array past the end, and a misaligned one.
        let past = GuestSlice::<Iovec>::new(65_532, 1);
        assert!(
            traps(cx.fd_pread(&mut mem, Fd::new(1), past, 0)),
            "{shared}"
        );
        let odd = GuestSlice::<Ciovec>::new(IOVS + 2, 1);
        assert!(
            traps(cx.fd_pwrite(&mut mem, Fd::new(1), odd, 0)),
            "{shared}"
        );
        // Nothing was read or written.
        assert_eq!(read_back(&mut file), b"keep");
        assert_eq!(guest_bytes(&mem, 1000, 4), [0; 4]);
        // Too many buffers is an errno, not a trap.
        let many = GuestSlice::<Ciovec>::new(0, 1025);
        let e = cx.fd_pwrite(&mut mem, Fd::new(1), many, 0).unwrap_err();
        assert_eq!(e.errno(), Some(Errno::Inval));
    }
}

#[test]
fn sync_flags_apply_to_writes_and_reads() {
    let mut file = temp_file();
    let mut cx = ctx_with_file(&file);
    let mut bytes = vec![0u8; 1 << 16];
    let mut mem = GuestMemory::Unshared(&mut bytes);
    mem.copy_from_slice(1000, b"synced").unwrap();
    let out = ciovecs(&mut mem, &[(1000, 6)]);
    for flags in [
        Fdflags::SYNC,
        Fdflags::DSYNC,
        Fdflags::RSYNC | Fdflags::DSYNC,
    ] {
        cx.fd_fdstat_set_flags(&mut mem, Fd::new(1), flags).unwrap();
        let st = cx.fd_fdstat_get(&mut mem, Fd::new(1)).unwrap();
        assert_eq!(st.fs_flags, flags);
        assert_eq!(cx.fd_pwrite(&mut mem, Fd::new(1), out, 0).unwrap(), 6);
        let into = iovecs(&mut mem, &[(2000, 6)]);
        assert_eq!(cx.fd_pread(&mut mem, Fd::new(1), into, 0).unwrap(), 6);
    }
    assert_eq!(read_back(&mut file), b"synced");
    // Writes through a file opened for appending (by the host) append.
    let path = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(path.path(), "start;").unwrap();
    let appending = OpenOptions::new().append(true).open(path.path()).unwrap();
    let mut cx = ctx_with_file(&appending);
    let st = cx.fd_fdstat_get(&mut mem, Fd::new(1)).unwrap();
    assert_eq!(st.fs_flags, Fdflags::APPEND);
    cx.fd_write(&mut mem, Fd::new(1), out).unwrap();
    assert_eq!(std::fs::read(path.path()).unwrap(), b"start;synced");
}
