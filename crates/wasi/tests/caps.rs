//! Resource caps: every hostcall whose work a guest sizes (iovec arrays, paths, poll
//! subscriptions, readdir and readlink buffers, `random_get`) is served at and above its limit
//! without the host allocating anything proportional to the request, and the caps with an
//! errno (open descriptors, in-memory file system bytes and entries, captured output) answer
//! with it. A counting global allocator measures what each call allocates on its thread.

use std::cell::UnsafeCell;

use wasihost::guest::{GuestMemory, GuestPtr, GuestSlice, GuestStr};
use wasihost::memfs::MemFs;
use wasihost::preview1::types::{
    Ciovec, Clockid, Errno, Fd, Fdflags, Iovec, Lookupflags, Oflags, Rights, Subclockflags,
    Subscription, SubscriptionClock, SubscriptionU,
};
use wasihost::preview1::wasi_snapshot_preview1::WasiSnapshotPreview1;
use wasihost::vfs::PATH_MAX;
use wasihost::{Mount, OutputBuffer, Overflow, Stdio, WasiCtx};

mod counting;

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

/// Bytes `f` allocated on this thread (every allocation counted, frees ignored).
fn allocated<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let (r, _, bytes) = counting::measure(f);
    (r, bytes)
}

/// Far more than any call here may allocate, far less than any request.
const SMALL: u64 = 160 * 1024;
const MEM: usize = 48 << 20;
const DATA: u32 = 1 << 20;
const PRE: Fd = Fd::new(3);

fn errno<T>(r: Result<T, wasihost::Error>) -> Result<T, Errno> {
    r.map_err(|e| e.errno().expect("an errno, not a trap"))
}

/// A context over a `MemFs` with `file` (1 MiB), three more files and a link; stdout is `out`
/// (`/dev/null` when `None`: a capturing sink would rightly allocate what it keeps).
fn context(fs: &MemFs, out: Option<&OutputBuffer>) -> WasiCtx {
    fs.write_file("file", vec![7u8; 1 << 20]).unwrap();
    for n in ["a", "b", "c"] {
        fs.write_file(n, b"x").unwrap();
    }
    fs.symlink("file", "link").unwrap();
    WasiCtx::builder()
        .preopen(fs.root(), "/", Mount::ReadWrite)
        .stdout(out.map_or(Stdio::Null, OutputBuffer::stdio))
        .build()
        .unwrap()
}

/// Run `f` once on plain and once on shared guest memory of `MEM` bytes.
fn both(mut f: impl FnMut(&mut GuestMemory<'_>, &str)) {
    let mut plain = vec![0u8; MEM];
    f(&mut GuestMemory::Unshared(&mut plain), "plain");
    let mut bytes = vec![0u8; MEM];
    // SAFETY: `UnsafeCell<u8>` has the layout of `u8`; the vector outlives the view and
    // nothing else touches it meanwhile.
    let cells = unsafe { &*(bytes.as_mut_slice() as *mut [u8] as *const [UnsafeCell<u8>]) };
    f(&mut GuestMemory::Shared(cells), "shared");
}

fn open(cx: &mut WasiCtx, mem: &mut GuestMemory<'_>, name: &[u8], oflags: Oflags) -> Fd {
    mem.copy_from_slice(0, name).unwrap();
    let p = GuestStr::new(0, name.len() as u32);
    let all = Rights::all();
    errno(cx.path_open(
        mem,
        PRE,
        Lookupflags::empty(),
        p,
        oflags,
        all,
        all,
        Fdflags::empty(),
    ))
    .unwrap()
}

/// `n` iovecs at address 0, each `len` bytes at `DATA` (they may all name the same bytes).
fn iovecs<T: wasihost::guest::GuestType>(
    mem: &mut GuestMemory<'_>,
    n: u32,
    len: u32,
    make: fn(u32, u32) -> T,
) -> GuestSlice<T> {
    for i in 0..n {
        GuestPtr::<T>::new(i * T::SIZE)
            .write(mem, make(DATA, len))
            .unwrap();
    }
    GuestSlice::new(0, n)
}

#[test]
fn iovec_arrays_at_and_above_the_limit() {
    let ciovec = |a, l| Ciovec {
        buf: GuestPtr::new(a),
        buf_len: l,
    };
    let iovec = |a, l| Iovec {
        buf: GuestPtr::new(a),
        buf_len: l,
    };
    both(|mem, kind| {
        let fs = MemFs::new();
        let mut cx = context(&fs, None);
        // 1024 buffers of 32 KiB: 32 MiB written, a bounded amount copied at a time.
        let iovs = iovecs(mem, 1024, 32 << 10, ciovec);
        let (n, bytes) = allocated(|| errno(cx.fd_write(mem, Fd::new(1), iovs)));
        assert_eq!(n, Ok(32 << 20), "{kind}");
        assert!(
            bytes < SMALL,
            "{kind}: fd_write of 32 MiB allocated {bytes} bytes"
        );
        // One more buffer than IOV_MAX: EINVAL, before anything is copied.
        let iovs = iovecs(mem, 1025, 32 << 10, ciovec);
        let (n, bytes) = allocated(|| errno(cx.fd_write(mem, Fd::new(1), iovs)));
        assert_eq!(n, Err(Errno::Inval), "{kind}");
        assert!(bytes < 1024, "{kind}: refused fd_write allocated {bytes}");
        // Reads: 1024 buffers of 1 KiB from a 1 MiB file.
        let fd = open(&mut cx, mem, b"file", Oflags::empty());
        let iovs = iovecs(mem, 1024, 1 << 10, iovec);
        let (n, bytes) = allocated(|| errno(cx.fd_read(mem, fd, iovs)));
        assert_eq!(n, Ok(1 << 20), "{kind}");
        assert!(bytes < SMALL, "{kind}: fd_read allocated {bytes}");
        let iovs = iovecs(mem, 1025, 1, iovec);
        assert_eq!(
            errno(cx.fd_read(mem, fd, iovs)),
            Err(Errno::Inval),
            "{kind}"
        );
    });
}

#[test]
fn paths_at_and_above_path_max() {
    both(|mem, kind| {
        let fs = MemFs::new();
        let mut cx = context(&fs, None);
        let none = Lookupflags::empty();
        for (len, want) in [
            (PATH_MAX as u32 - 1, Errno::Noent),
            (PATH_MAX as u32, Errno::Nametoolong),
            (32 << 20, Errno::Nametoolong),
        ] {
            // "z/z/z/...": components that do not exist.
            let path: Vec<u8> = (0..len)
                .map(|i| if i % 2 == 0 { b'z' } else { b'/' })
                .collect();
            mem.copy_from_slice(DATA, &path).unwrap();
            let p = GuestStr::new(DATA, len);
            let (r, bytes) = allocated(|| errno(cx.path_filestat_get(mem, PRE, none, p)));
            assert_eq!(r.map(drop), Err(want), "{kind} {len}");
            assert!(
                bytes < SMALL,
                "{kind}: a path of {len} bytes allocated {bytes}"
            );
        }
    });
}

#[test]
fn poll_subscriptions_do_not_allocate_per_subscription() {
    both(|mem, kind| {
        let fs = MemFs::new();
        let mut cx = context(&fs, None);
        // 400,000 clock subscriptions that are due at once (19 MiB in, 12 MiB out).
        let n = 400_000u32;
        let sub = Subscription {
            userdata: 9,
            u: SubscriptionU::Clock(SubscriptionClock {
                id: Clockid::Monotonic,
                timeout: 0,
                precision: 0,
                flags: Subclockflags::empty(),
            }),
        };
        for i in 0..n {
            GuestPtr::new(i * 48).write(mem, sub).unwrap();
        }
        let out_at = GuestPtr::new(n * 48);
        let (r, bytes) = allocated(|| errno(cx.poll_oneoff(mem, GuestPtr::new(0), out_at, n)));
        assert_eq!(r, Ok(n), "{kind}");
        assert!(bytes < SMALL, "{kind}: poll_oneoff allocated {bytes}");
    });
}

#[test]
fn output_buffers_readdir_readlink_and_random_are_bounded() {
    both(|mem, kind| {
        let fs = MemFs::new();
        let mut cx = context(&fs, None);
        let big = 40u32 << 20;
        let (r, bytes) = allocated(|| errno(cx.random_get(mem, GuestPtr::new(DATA), big)));
        assert_eq!(r, Ok(()), "{kind}");
        assert!(
            bytes < SMALL,
            "{kind}: random_get of 40 MiB allocated {bytes}"
        );
        let (r, bytes) = allocated(|| errno(cx.fd_readdir(mem, PRE, GuestPtr::new(DATA), big, 0)));
        assert!(r.is_ok_and(|n| n < 200), "{kind}: {r:?}");
        assert!(bytes < SMALL, "{kind}: fd_readdir allocated {bytes}");
        mem.copy_from_slice(0, b"link").unwrap();
        let p = GuestStr::new(0, 4);
        let (r, bytes) =
            allocated(|| errno(cx.path_readlink(mem, PRE, p, GuestPtr::new(DATA), big)));
        assert_eq!(r, Ok(4), "{kind}");
        assert!(bytes < SMALL, "{kind}: path_readlink allocated {bytes}");
    });
}

#[test]
fn captured_output_stops_at_its_limit() {
    let ciovec = |a, l| Ciovec {
        buf: GuestPtr::new(a),
        buf_len: l,
    };
    both(|mem, kind| {
        for overflow in [Overflow::Fail, Overflow::Truncate] {
            let fs = MemFs::new();
            let out = OutputBuffer::with_limit(1 << 20, overflow);
            let mut cx = context(&fs, Some(&out));
            // Exactly the limit, then 16 MiB more.
            let iovs = iovecs(mem, 1, 1 << 20, ciovec);
            assert_eq!(
                errno(cx.fd_write(mem, Fd::new(1), iovs)),
                Ok(1 << 20),
                "{kind}"
            );
            let iovs = iovecs(mem, 512, 32 << 10, ciovec);
            let (r, bytes) = allocated(|| errno(cx.fd_write(mem, Fd::new(1), iovs)));
            match overflow {
                Overflow::Fail => assert_eq!(r, Err(Errno::Nospc), "{kind}"),
                Overflow::Truncate => assert_eq!(r, Ok(16 << 20), "{kind}"),
            }
            assert!(
                bytes < SMALL,
                "{kind}: writing past the limit allocated {bytes}"
            );
            assert_eq!(out.contents().len(), 1 << 20);
            assert!(out.overflowed());
        }
    });
}

#[test]
fn memfs_bytes_and_entries_at_and_above_the_caps() {
    let ciovec = |a, l| Ciovec {
        buf: GuestPtr::new(a),
        buf_len: l,
    };
    both(|mem, kind| {
        let fs = MemFs::new().with_max_bytes(2 << 20).with_max_entries(8);
        let mut cx = context(&fs, None); // 1 MiB + 3 bytes + 4-byte link, 5 entries
        let used = fs.bytes_used();
        let fd = open(&mut cx, mem, b"big", Oflags::CREAT);
        // Up to the cap exactly, then one byte more.
        let room = (2 << 20) - used as u32;
        let iovs = iovecs(mem, 1, room, ciovec);
        assert_eq!(errno(cx.fd_write(mem, fd, iovs)), Ok(room), "{kind}");
        let iovs = iovecs(mem, 1, 1, ciovec);
        let (r, bytes) = allocated(|| errno(cx.fd_write(mem, fd, iovs)));
        assert_eq!(r, Err(Errno::Nospc), "{kind}");
        assert!(bytes < 1024, "{kind}: refused write allocated {bytes}");
        // A huge size or a write far past the end: refused before anything is allocated.
        let (r, bytes) = allocated(|| errno(cx.fd_filestat_set_size(mem, fd, 1 << 40)));
        assert_eq!(r, Err(Errno::Nospc), "{kind}");
        assert!(bytes < 1024, "{kind}: set_size allocated {bytes}");
        let (r, bytes) = allocated(|| errno(cx.fd_pwrite(mem, fd, iovs, 1 << 40)));
        assert_eq!(r, Err(Errno::Nospc), "{kind}");
        assert!(bytes < 1024, "{kind}: pwrite far out allocated {bytes}");
        // Entries: 6 used (with "big"); two more fit, the next does not.
        for name in [&b"e1"[..], b"e2"] {
            let fd = open(&mut cx, mem, name, Oflags::CREAT);
            errno(cx.fd_close(mem, fd)).unwrap();
        }
        mem.copy_from_slice(0, b"e3").unwrap();
        let p = GuestStr::new(0, 2);
        assert_eq!(
            errno(cx.path_create_directory(mem, PRE, p)),
            Err(Errno::Nospc),
            "{kind}"
        );
        assert_eq!(fs.entries_used(), 8);
    });
}

#[test]
fn open_descriptors_at_and_above_the_cap() {
    let mut bytes = vec![0u8; 4096];
    let mem = &mut GuestMemory::Unshared(&mut bytes);
    let fs = MemFs::new();
    fs.write_file("f", b"x").unwrap();
    // 3 stdio + 1 preopen + 4 more = 8.
    let mut cx = WasiCtx::builder()
        .preopen(fs.root(), "/", Mount::ReadOnly)
        .max_open_fds(8)
        .build()
        .unwrap();
    mem.copy_from_slice(0, b"f").unwrap();
    let p = GuestStr::new(0, 1);
    let open = |cx: &mut WasiCtx, mem: &mut GuestMemory<'_>| {
        let r = Rights::FD_READ;
        errno(cx.path_open(
            mem,
            PRE,
            Lookupflags::empty(),
            p,
            Oflags::empty(),
            r,
            r,
            Fdflags::empty(),
        ))
    };
    let fds: Vec<Fd> = (0..4).map(|_| open(&mut cx, mem).unwrap()).collect();
    assert_eq!(cx.open_fds(), 8);
    assert_eq!(open(&mut cx, mem), Err(Errno::Mfile));
    // Closing one makes room again.
    errno(cx.fd_close(mem, fds[0])).unwrap();
    assert_eq!(open(&mut cx, mem), Ok(fds[0]));
    assert_eq!(open(&mut cx, mem), Err(Errno::Mfile));
}

#[test]
fn the_counter_sees_an_allocation() {
    let (v, bytes) = allocated(|| vec![1u8; 1 << 20]);
    assert_eq!(v.len(), 1 << 20);
    assert!(bytes >= 1 << 20);
}
