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
        self.mem[..path.len()].copy_from_slice(path.as_bytes());
        let p = GuestStr::new(0, path.len() as u32);
        let r = Rights::FD_READ | Rights::FD_WRITE | Rights::FD_READDIR | Rights::PATH_OPEN;
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

fn set_nofile(soft: u64) -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid rlimit to fill and then pass back.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim), 0);
        let old = lim.rlim_cur;
        lim.rlim_cur = soft;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &lim), 0);
        old
    }
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
