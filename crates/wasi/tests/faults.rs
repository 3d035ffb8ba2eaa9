//! Faults from the host: a full disk, the process out of descriptors, a preopen removed or
//! replaced under a running guest, and a guest trapping with descriptors open. Each surfaces
//! as the right errno (or trap), the host keeps running, the guest can close things and go on,
//! and no host descriptor outlives the context.
//!
//! The tests count this process's descriptors and one lowers its descriptor limit, so they
//! take turns (`SERIAL`).

use std::fs::File;
use std::path::Path;
use std::sync::Mutex;

use wasihost::guest::{GuestMemory, GuestPtr, GuestSlice, GuestStr};
use wasihost::preview1::types::{Ciovec, Errno, Fd, Fdflags, Iovec, Lookupflags, Oflags, Rights};
use wasihost::preview1::wasi_snapshot_preview1::WasiSnapshotPreview1;
use wasihost::{OutputBuffer, PathResolver, Stdio, WasiCtx};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn host_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn errno<T>(r: Result<T, wasihost::Error>) -> Result<T, Errno> {
    r.map_err(|e| e.errno().expect("an errno, not a trap"))
}

const PRE: Fd = Fd::new(3);

/// Guest memory with `text` at 0 as a path, and helpers around the trait calls.
struct Guest {
    cx: WasiCtx,
    mem: Vec<u8>,
}

impl Guest {
    fn new(cx: WasiCtx) -> Guest {
        Guest {
            cx,
            mem: vec![0; 1 << 20],
        }
    }

    fn open(&mut self, path: &str, oflags: Oflags) -> Result<Fd, Errno> {
        let r = Rights::FD_READ | Rights::FD_WRITE | Rights::FD_READDIR | Rights::PATH_OPEN;
        self.open_with(path, oflags, r)
    }

    fn open_with(&mut self, path: &str, oflags: Oflags, r: Rights) -> Result<Fd, Errno> {
        self.mem[..path.len()].copy_from_slice(path.as_bytes());
        let p = GuestStr::new(0, path.len() as u32);
        let mem = &mut GuestMemory::Unshared(&mut self.mem);
        let none = Lookupflags::empty();
        errno(
            self.cx
                .path_open(mem, PRE, none, p, oflags, r, r, Fdflags::empty()),
        )
    }

    fn stat(&mut self, path: &str) -> Result<u64, Errno> {
        self.mem[..path.len()].copy_from_slice(path.as_bytes());
        let p = GuestStr::new(0, path.len() as u32);
        let mem = &mut GuestMemory::Unshared(&mut self.mem);
        errno(
            self.cx
                .path_filestat_get(mem, PRE, Lookupflags::SYMLINK_FOLLOW, p),
        )
        .map(|s| s.ino)
    }

    fn unlink(&mut self, path: &str) -> Result<(), Errno> {
        self.mem[..path.len()].copy_from_slice(path.as_bytes());
        let p = GuestStr::new(0, path.len() as u32);
        let mem = &mut GuestMemory::Unshared(&mut self.mem);
        errno(self.cx.path_unlink_file(mem, PRE, p))
    }

    /// Write `len` bytes (of 0x61) to `fd` in one call.
    fn write(&mut self, fd: Fd, len: u32) -> Result<u32, Errno> {
        let mem = &mut GuestMemory::Unshared(&mut self.mem);
        let v = Ciovec {
            buf: GuestPtr::new(4096),
            buf_len: len,
        };
        mem.write(GuestPtr::new(64), &v).unwrap();
        errno(self.cx.fd_write(mem, fd, GuestSlice::new(64, 1)))
    }

    fn read(&mut self, fd: Fd, len: u32) -> Result<u32, Errno> {
        let mem = &mut GuestMemory::Unshared(&mut self.mem);
        let v = Iovec {
            buf: GuestPtr::new(4096),
            buf_len: len,
        };
        mem.write(GuestPtr::new(64), &v).unwrap();
        errno(self.cx.fd_read(mem, fd, GuestSlice::new(64, 1)))
    }

    fn close(&mut self, fd: Fd) -> Result<(), Errno> {
        errno(
            self.cx
                .fd_close(&mut GuestMemory::Unshared(&mut self.mem), fd),
        )
    }
}

/// A 64 KiB tmpfs mounted at a temporary directory while this lives (root only).
struct SmallFs {
    dir: tempfile::TempDir,
}

impl SmallFs {
    fn mount() -> Option<SmallFs> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallFs { dir })
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[test]
fn disk_full_is_enospc_and_the_guest_recovers() {
    let _turn = serial();
    // A stream on a full device: ENOSPC, and the guest's other output still works.
    let full: std::os::fd::OwnedFd = File::options()
        .write(true)
        .open("/dev/full")
        .unwrap()
        .into();
    let err = OutputBuffer::new();
    let cx = WasiCtx::builder()
        .stdout(Stdio::Fd(full))
        .stderr(err.stdio())
        .build()
        .unwrap();
    let mut g = Guest::new(cx);
    assert_eq!(g.write(Fd::new(1), 10), Err(Errno::Nospc));
    assert_eq!(g.write(Fd::new(2), 10), Ok(10));
    assert_eq!(err.contents().len(), 10);

    // A real file system running full (a small tmpfs; needs root to mount).
    let Some(fs) = SmallFs::mount() else {
        eprintln!("skipped the tmpfs part: mounting needs root");
        return;
    };
    for resolver in [PathResolver::Auto, PathResolver::Userspace] {
        let cx = WasiCtx::builder()
            .preopen_dir(fs.dir.path(), "/")
            .path_resolver(resolver)
            .build()
            .unwrap();
        let mut g = Guest::new(cx);
        let fd = g.open("big", Oflags::CREAT | Oflags::TRUNC).unwrap();
        // Fill it: short writes, then ENOSPC.
        let mut total = 0u64;
        let last = loop {
            match g.write(fd, 16 << 10) {
                Ok(0) => break Ok(0),
                Ok(n) => total += u64::from(n),
                Err(e) => break Err(e),
            }
            assert!(
                total <= 64 << 10,
                "wrote {total} bytes to a 64 KiB file system"
            );
        };
        assert_eq!(last, Err(Errno::Nospc), "{resolver:?}");
        assert!(total > 0);
        // Still full for a new file's data; the guest frees space and carries on.
        let small = g.open("small", Oflags::CREAT).unwrap();
        assert_eq!(g.write(small, 16 << 10), Err(Errno::Nospc), "{resolver:?}");
        g.close(fd).unwrap();
        g.unlink("big").unwrap();
        assert_eq!(g.write(small, 16 << 10), Ok(16 << 10), "{resolver:?}");
        g.close(small).unwrap();
        g.unlink("small").unwrap();
    }
}

/// Set this process's soft limit on `resource` to `soft`; returns the old soft limit.
fn set_soft_limit(resource: libc::__rlimit_resource_t, soft: u64) -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid rlimit to fill and then pass back.
    unsafe {
        assert_eq!(libc::getrlimit(resource, &mut lim), 0);
        let old = lim.rlim_cur;
        lim.rlim_cur = soft;
        assert_eq!(libc::setrlimit(resource, &lim), 0);
        old
    }
}

fn set_nofile(soft: u64) -> u64 {
    set_soft_limit(libc::RLIMIT_NOFILE, soft)
}

#[test]
fn host_out_of_descriptors_is_emfile_and_the_guest_recovers() {
    let _turn = serial();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), b"data").unwrap();
    for resolver in [PathResolver::Auto, PathResolver::Userspace] {
        let before = host_fds();
        let cx = WasiCtx::builder()
            .preopen_dir(dir.path(), "/")
            .path_resolver(resolver)
            .build()
            .unwrap();
        let mut g = Guest::new(cx);
        // Room for about 20 more descriptors in the whole process (the guest's own cap is far
        // off).
        let old = set_nofile(host_fds() as u64 + 20);
        let mut opened = Vec::new();
        let failure = loop {
            match g.open("f", Oflags::empty()) {
                Ok(fd) => opened.push(fd),
                Err(e) => break e,
            }
            assert!(opened.len() <= 25, "the process limit was not hit");
        };
        // Closing one lets the guest open again, and everything still works.
        g.close(opened.pop().unwrap()).unwrap();
        let again = g.open("f", Oflags::empty());
        set_nofile(old);
        assert_eq!(failure, Errno::Mfile, "{resolver:?}");
        assert!(
            opened.len() >= 15,
            "{resolver:?}: only {} opened",
            opened.len()
        );
        let fd = again.unwrap();
        assert_eq!(g.read(fd, 4), Ok(4));
        drop(g);
        assert_eq!(
            host_fds(),
            before,
            "{resolver:?}: descriptors outlived the context"
        );
    }
}

#[test]
fn a_preopen_removed_or_replaced_under_the_guest() {
    let _turn = serial();
    for resolver in [PathResolver::Auto, PathResolver::Userspace] {
        let root = tempfile::tempdir().unwrap();
        let pre = root.path().join("pre");
        std::fs::create_dir(&pre).unwrap();
        std::fs::write(pre.join("f"), b"data").unwrap();
        std::fs::create_dir(root.path().join("outside")).unwrap();
        std::fs::write(root.path().join("outside/secret"), b"S").unwrap();
        let before = host_fds();
        let cx = WasiCtx::builder()
            .preopen_dir(&pre, "/")
            .path_resolver(resolver)
            .build()
            .unwrap();
        let mut g = Guest::new(cx);
        let fd = g.open("f", Oflags::empty()).unwrap();

        // Removed: what is open stays usable; nothing new can be made in the dead directory.
        std::fs::remove_dir_all(&pre).unwrap();
        assert_eq!(g.read(fd, 4), Ok(4), "{resolver:?}");
        assert_eq!(
            g.open("f", Oflags::empty()),
            Err(Errno::Noent),
            "{resolver:?}"
        );
        assert_eq!(
            g.open("g", Oflags::CREAT),
            Err(Errno::Noent),
            "{resolver:?}"
        );

        // Replaced, by a directory and then by a link to the outside: the guest's preopen
        // still names the directory it was given, and nothing of the new one is reachable.
        std::fs::create_dir(&pre).unwrap();
        std::fs::write(pre.join("new"), b"N").unwrap();
        assert_eq!(g.stat("new"), Err(Errno::Noent), "{resolver:?}");
        std::fs::remove_dir_all(&pre).unwrap();
        std::os::unix::fs::symlink(root.path().join("outside"), &pre).unwrap();
        assert_eq!(g.stat("secret"), Err(Errno::Noent), "{resolver:?}");
        assert_eq!(
            g.stat("../outside/secret"),
            Err(Errno::Perm),
            "{resolver:?}"
        );

        // The guest closes what it has and goes on.
        g.close(fd).unwrap();
        g.close(PRE).unwrap();
        assert_eq!(g.open("f", Oflags::empty()), Err(Errno::Badf));
        drop(g);
        assert_eq!(host_fds(), before, "{resolver:?}");
        assert_eq!(
            std::fs::read(root.path().join("outside/secret")).unwrap(),
            b"S"
        );
    }
}

/// A guest that opens 50 files, then traps inside `fd_write` (an iovec array out of bounds).
#[cfg(feature = "wasmtime")]
const TRAPPING: &str = r#"
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "f")
  (func (export "_start") (local $i i32)
    (loop $more
      (if (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0)
                      (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 100))
        (then (call $exit (i32.const 99))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $more (i32.lt_u (local.get $i) (i32.const 50))))
    (drop (call $write (i32.const 1) (i32.const 0xffff0000) (i32.const 1) (i32.const 200)))
    (call $exit (i32.const 98))))
"#;

#[cfg(feature = "wasmtime")]
#[test]
fn a_guest_trapping_mid_call_leaves_no_host_descriptors() {
    let _turn = serial();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), b"data").unwrap();
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::new(&engine, TRAPPING).unwrap();
    // A first run lets the engine set up what it keeps for the process (its trap handling).
    let cx = WasiCtx::builder().build().unwrap();
    let _ = wasihost::wasmtime_host::run(&engine, &module, cx);
    let before = host_fds();
    for resolver in [PathResolver::Auto, PathResolver::Userspace] {
        // The trace tells what the guest did before the trap.
        let calls = std::sync::Arc::new(Mutex::new(Vec::new()));
        let log = calls.clone();
        let cx = WasiCtx::builder()
            .preopen_dir(dir.path(), "/")
            .path_resolver(resolver)
            .trace(move |e| log.lock().unwrap().push(format!("{} {}", e.func, e.result)))
            .build()
            .unwrap();
        let err = wasihost::wasmtime_host::run(&engine, &module, cx).expect_err("the guest traps");
        assert_eq!(wasihost::wasmtime_host::exit_code(&err), None, "{err:?}");
        let calls = calls.lock().unwrap();
        let opens = calls.iter().filter(|c| c.starts_with("path_open ")).count();
        assert_eq!(opens, 50, "{resolver:?}");
        assert!(
            calls.last().unwrap().starts_with("fd_write trap"),
            "{:?}",
            calls.last()
        );
        assert_eq!(
            host_fds(),
            before,
            "{resolver:?}: descriptors outlived the store"
        );
    }
    assert!(Path::new(dir.path()).join("f").exists());
}

#[test]
fn a_host_io_error_is_eio_and_the_guest_recovers() {
    let _turn = serial();
    // A real EIO from the kernel: reading this process's `/proc/self/mem` at offset 0, an
    // address nothing is mapped at.
    let before = host_fds();
    for resolver in [PathResolver::Auto, PathResolver::Userspace] {
        let cx = WasiCtx::builder()
            .preopen_dir("/proc/self", "/")
            .path_resolver(resolver)
            .build()
            .unwrap();
        let mut g = Guest::new(cx);
        let mem = g.open("mem", Oflags::empty()).unwrap();
        assert_eq!(g.read(mem, 16), Err(Errno::Io), "{resolver:?}");
        assert_eq!(g.read(mem, 16), Err(Errno::Io), "{resolver:?}: again");
        // The guest closes the failing file and goes on with another.
        g.close(mem).unwrap();
        let status = g.open("status", Oflags::empty()).unwrap();
        assert_eq!(g.read(status, 5), Ok(5), "{resolver:?}");
        assert_eq!(&g.mem[4096..4101], b"Name:");
        g.close(status).unwrap();
    }
    assert_eq!(host_fds(), before);
}

/// A directory whose next `open` fails with a host error chosen by the test (`ENFILE`, the
/// system's file table full, cannot be provoked without starving every process on the
/// machine), passed through the same `io::Error` conversion the OS kinds use.
struct Refusing {
    inner: std::sync::Arc<dyn wasihost::vfs::WasiDir>,
    next_error: std::sync::atomic::AtomicI32,
}

impl wasihost::vfs::WasiDir for Refusing {
    fn open(
        &self,
        name: &[u8],
        opts: &wasihost::vfs::OpenOptions,
    ) -> wasihost::Result<wasihost::vfs::Opened> {
        match self
            .next_error
            .swap(0, std::sync::atomic::Ordering::Relaxed)
        {
            0 => self.inner.open(name, opts),
            code => Err(std::io::Error::from_raw_os_error(code).into()),
        }
    }
    fn stat_at(&self, name: &[u8]) -> wasihost::Result<wasihost::preview1::types::Filestat> {
        self.inner.stat_at(name)
    }
    fn stat(&self) -> wasihost::Result<wasihost::preview1::types::Filestat> {
        self.inner.stat()
    }
    fn readdir(
        &self,
        cookie: wasihost::preview1::types::Dircookie,
        out: &mut dyn FnMut(&wasihost::vfs::DirEntry<'_>) -> bool,
    ) -> wasihost::Result<()> {
        self.inner.readdir(cookie, out)
    }
    fn reopen(&self) -> wasihost::Result<std::sync::Arc<dyn wasihost::vfs::WasiDir>> {
        self.inner.reopen()
    }
}

#[test]
fn host_file_table_full_is_enfile_and_the_guest_recovers() {
    let _turn = serial();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), b"data").unwrap();
    let before = host_fds();
    let refusing = std::sync::Arc::new(Refusing {
        inner: std::sync::Arc::new(wasihost::vfs::OsDir::open_ambient(dir.path()).unwrap()),
        next_error: 0.into(),
    });
    let cx = WasiCtx::builder()
        .preopen(refusing.clone(), "/", wasihost::Mount::ReadWrite)
        .build()
        .unwrap();
    let mut g = Guest::new(cx);
    for (code, errno) in [(libc::ENFILE, Errno::Nfile), (libc::EIO, Errno::Io)] {
        refusing
            .next_error
            .store(code, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(g.open("f", Oflags::empty()), Err(errno));
        // The very next attempt works.
        let fd = g.open("f", Oflags::empty()).unwrap();
        assert_eq!(g.read(fd, 4), Ok(4));
        g.close(fd).unwrap();
    }
    drop(g);
    drop(refusing);
    assert_eq!(host_fds(), before);
}

/// The process may not make files larger than `limit`; SIGXFSZ ignored, so that a write past
/// it fails with EFBIG instead of killing the process.
fn set_fsize(limit: u64) -> u64 {
    // SAFETY: ignoring a signal changes no memory; nothing of this process relies on SIGXFSZ.
    unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
    set_soft_limit(libc::RLIMIT_FSIZE, limit)
}

#[test]
fn a_file_past_the_host_size_limit_is_efbig_and_the_guest_recovers() {
    let _turn = serial();
    let dir = tempfile::tempdir().unwrap();
    for resolver in [PathResolver::Auto, PathResolver::Userspace] {
        let cx = WasiCtx::builder()
            .preopen_dir(dir.path(), "/")
            .path_resolver(resolver)
            .build()
            .unwrap();
        let mut g = Guest::new(cx);
        let fd = g
            .open_with("f", Oflags::CREAT | Oflags::TRUNC, Rights::all())
            .unwrap();
        // The process may not make files larger than 40 KiB (RLIMIT_FSIZE).
        let old = set_fsize(40 << 10);
        let first = g.write(fd, 32 << 10);
        let short = g.write(fd, 32 << 10);
        let over = g.write(fd, 32 << 10);
        let mem = &mut GuestMemory::Unshared(&mut g.mem);
        let grow = errno(g.cx.fd_filestat_set_size(mem, fd, 1 << 20));
        let allocate = errno(g.cx.fd_allocate(mem, fd, 0, 1 << 20));
        set_fsize(old);
        assert_eq!(first, Ok(32 << 10), "{resolver:?}");
        assert_eq!(
            short,
            Ok(8 << 10),
            "{resolver:?}: a short write up to the limit"
        );
        assert_eq!(over, Err(Errno::Fbig), "{resolver:?}");
        assert_eq!(grow, Err(Errno::Fbig), "{resolver:?}");
        assert_eq!(allocate, Err(Errno::Fbig), "{resolver:?}");
        // The guest shrinks the file and writes again.
        let mem = &mut GuestMemory::Unshared(&mut g.mem);
        assert_eq!(errno(g.cx.fd_filestat_set_size(mem, fd, 0)), Ok(()));
        assert_eq!(
            errno(g.cx.fd_seek(mem, fd, 0, wasihost::preview1::types::Whence::Set)),
            Ok(0)
        );
        assert_eq!(g.write(fd, 32 << 10), Ok(32 << 10), "{resolver:?}");
        g.close(fd).unwrap();
        assert_eq!(
            std::fs::metadata(dir.path().join("f")).unwrap().len(),
            32 << 10
        );
    }
}
