//! The `wasi_unstable` (preview0) module, every one of its 45 functions, byte for byte.
//!
//! Each test runs a WAT program importing preview0 (and, for comparison, preview1) and checks
//! the bytes it wrote: absolute facts (from the host file system, the arguments given, ...) and,
//! where preview0 only re-lays out a preview1 result, the exact correspondence between the two
//! (filestat with its 32-bit link count, fdstat without `SOCK_ACCEPT`, whence numbering,
//! subscriptions with their `identifier`).

mod poll_support;

use std::collections::BTreeSet;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use poll_support::script::{FUNCS, Script, i32c, i64c, load32};
use poll_support::*;
use wasihost::{Stdio, WasiCtx};

const EBADF: u32 = 8;
const EINVAL: u32 = 28;
const ENOTCAPABLE: u32 = 76;
const ENOTEMPTY: u32 = 55;
const ENOTSOCK: u32 = 57;

/// All 29 preview0 rights.
const ALL_RIGHTS_P0: u64 = (1 << 29) - 1;
/// The right to read a directory.
const FD_READDIR: u64 = 1 << 14;
/// `SOCK_ACCEPT`, preview1 only.
const SOCK_ACCEPT: u64 = 1 << 29;

fn dir_ctx(dir: &std::path::Path) -> WasiCtx {
    WasiCtx::builder().preopen_dir(dir, ".").build().unwrap()
}

/// Check that a preview0 filestat (56 bytes at `p0`) is the preview1 one (64 bytes at `p1`)
/// re-laid out, and return (filetype, nlink, size).
fn same_filestat(o: &Outcome, p0: usize, p1: usize) -> (u8, u32, u64) {
    assert_eq!(o.bytes(p0, 16), o.bytes(p1, 16), "dev, ino");
    assert_eq!(o.u8(p0 + 16), o.u8(p1 + 16), "filetype");
    assert_eq!(o.bytes(p0 + 17, 3), [0; 3], "padding after filetype");
    assert_eq!(u64::from(o.u32(p0 + 20)), o.u64(p1 + 24), "nlink");
    assert_eq!(
        o.bytes(p0 + 24, 32),
        o.bytes(p1 + 32, 32),
        "size, atim, mtim, ctim"
    );
    assert_eq!(
        o.bytes(p0 + 56, 8),
        [0xaa; 8],
        "nothing written past 56 bytes"
    );
    (o.u8(p0 + 16), o.u32(p0 + 20), o.u64(p0 + 24))
}

fn nanos(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64
}

#[test]
fn every_preview0_function_is_importable() {
    // One module importing all 45 functions links and runs.
    let mut s = Script::new();
    assert_eq!(FUNCS.len(), 45);
    for (name, params, result) in FUNCS {
        if *name == "proc_exit" {
            continue;
        }
        // Calls with descriptor 99 (or zero-length buffers) fail harmlessly or do nothing.
        let args: Vec<String> = params
            .split_whitespace()
            .enumerate()
            .map(|(i, t)| match (i, t) {
                (0, "i32") if name.starts_with("fd_") || name.starts_with("sock_") => i32c(99),
                (0, "i32") if name.starts_with("path_") => i32c(99),
                (_, "i32") => i32c(0),
                _ => i64c(0),
            })
            .collect();
        assert!(*result);
        s.call(&format!("p0.{name}"), &args);
    }
    s.call_void("p0.proc_exit", &[i32c(42)]);
    let o = s.run(WasiCtx::builder().build().unwrap());
    assert_eq!(o.exited(), 42);
    assert_eq!(s.wat().matches("(import \"wasi_unstable\"").count(), 45);
}

#[test]
fn args_and_environ() {
    let mut s = Script::new();
    s.call("p0.args_sizes_get", &[i32c(0x400), i32c(0x404)]);
    s.call("p0.args_get", &[i32c(0x500), i32c(0x600)]);
    s.call("p0.environ_sizes_get", &[i32c(0x408), i32c(0x40c)]);
    s.call("p0.environ_get", &[i32c(0x700), i32c(0x800)]);
    let ctx = WasiCtx::builder()
        .args(["prog", "a b", ""])
        .env("K", "V")
        .env("X", "")
        .build()
        .unwrap();
    let o = s.run(ctx);
    assert_eq!((0..4).map(|k| o.errno(k)).collect::<Vec<_>>(), [0; 4]);
    assert_eq!((o.u32(0x400), o.u32(0x404)), (3, 10));
    assert_eq!(
        [o.u32(0x500), o.u32(0x504), o.u32(0x508)],
        [0x600, 0x605, 0x609]
    );
    assert_eq!(o.bytes(0x600, 10), b"prog\0a b\0\0");
    assert_eq!((o.u32(0x408), o.u32(0x40c)), (2, 7));
    assert_eq!([o.u32(0x700), o.u32(0x704)], [0x800, 0x804]);
    assert_eq!(o.bytes(0x800, 7), b"K=V\0X=\0");
}

#[test]
fn clocks_random_yield_raise_and_exit() {
    let mut s = Script::new();
    for id in 0..4u32 {
        s.call("p0.clock_res_get", &[i32c(id), i32c(0x400 + 8 * id)]);
        s.call("p1.clock_res_get", &[i32c(id), i32c(0x440 + 8 * id)]);
    }
    s.call("p0.clock_res_get", &[i32c(4), i32c(0x480)]);
    s.call("p0.clock_time_get", &[i32c(0), i64c(1), i32c(0x500)]);
    s.call("p0.clock_time_get", &[i32c(1), i64c(0), i32c(0x508)]);
    s.call("p0.clock_time_get", &[i32c(1), i64c(0), i32c(0x510)]);
    s.call("p0.clock_time_get", &[i32c(9), i64c(0), i32c(0x518)]);
    s.call("p0.random_get", &[i32c(0x600), i32c(64)]);
    s.call("p0.sched_yield", &[]);
    s.call("p0.proc_raise", &[i32c(9)]);
    s.call("p1.proc_raise", &[i32c(9)]);
    s.call("p0.proc_raise", &[i32c(200)]);
    s.call_void("p0.proc_exit", &[i32c(7)]);
    s.call("p0.sched_yield", &[]);
    s.data(0x518, &[0xaa; 8]);
    let before = nanos(SystemTime::now());
    let o = s.run(WasiCtx::builder().build().unwrap());
    let after = nanos(SystemTime::now());
    assert_eq!(o.exited(), 7);
    for id in 0..4 {
        assert_eq!(o.errno(2 * id), 0);
        let res = o.u64(0x400 + 8 * id as usize);
        assert!(res > 0);
        assert_eq!(res, o.u64(0x440 + 8 * id as usize), "same as preview1");
    }
    assert_eq!(o.errno(8), EINVAL, "clock id 4");
    assert_eq!(o.errno(9), 0);
    let real = o.u64(0x500);
    assert!(
        before <= real && real <= after,
        "{before} <= {real} <= {after}"
    );
    assert!(o.u64(0x510) >= o.u64(0x508), "monotonic");
    assert_eq!(o.errno(12), EINVAL, "clock id 9");
    assert_eq!(o.bytes(0x518, 8), [0xaa; 8]);
    assert_eq!(o.errno(13), 0);
    assert_ne!(o.bytes(0x600, 64), [0; 64], "random bytes");
    assert_eq!(o.errno(14), 0, "sched_yield");
    assert_eq!(o.errno(15), o.errno(16), "proc_raise as in preview1");
    assert_eq!(o.errno(17), EINVAL, "no signal 200");
    assert_eq!(o.u32(4 * 18), 0, "nothing runs after proc_exit");
}

#[test]
fn fd_calls_on_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Script::new();
    let f = s.str("f");
    let fd = load32(0x400);
    s.data(0x2000, &[0xaa; 64]);
    let hello = s.alloc(b"hello world");
    let caps = s.alloc(b"HELLO");
    let w = s.iovs(&[(hello, 5), (hello + 5, 6)]);
    let r = s.iovs(&[(0x1000, 16)]);
    let r5 = s.iovs(&[(0x1100, 5)]);
    let pw = s.iovs(&[(caps, 5)]);
    // 0: open with every preview0 right (narrowed to what the directory hands down).
    let o9 = i32c(1 | 8);
    s.call(
        "p0.path_open",
        &[i32c(3), i32c(1), f[0].clone(), f[1].clone(), o9]
            .into_iter()
            .chain([
                i64c(ALL_RIGHTS_P0),
                i64c(ALL_RIGHTS_P0),
                i32c(0),
                i32c(0x400),
            ])
            .collect::<Vec<_>>(),
    );
    let k_write = s.call(
        "p0.fd_write",
        &[fd.clone(), w[0].clone(), w[1].clone(), i32c(0x404)],
    );
    // Whence in preview0: CUR=0, END=1, SET=2.
    let k_set = s.call("p0.fd_seek", &[fd.clone(), i64c(0), i32c(2), i32c(0x408)]);
    let k_cur = s.call("p0.fd_seek", &[fd.clone(), i64c(6), i32c(0), i32c(0x410)]);
    let k_end = s.call("p0.fd_seek", &[fd.clone(), i64c(-5), i32c(1), i32c(0x418)]);
    let k_bad = s.call("p0.fd_seek", &[fd.clone(), i64c(0), i32c(3), i32c(0x420)]);
    let k_tell = s.call("p0.fd_tell", &[fd.clone(), i32c(0x428)]);
    let k_tell1 = s.call("p1.fd_tell", &[fd.clone(), i32c(0x430)]);
    let k_read = s.call(
        "p0.fd_read",
        &[fd.clone(), r[0].clone(), r[1].clone(), i32c(0x438)],
    );
    let k_pread = s.call(
        "p0.fd_pread",
        &[
            fd.clone(),
            r5[0].clone(),
            r5[1].clone(),
            i64c(0),
            i32c(0x43c),
        ],
    );
    let k_pwrite = s.call(
        "p0.fd_pwrite",
        &[
            fd.clone(),
            pw[0].clone(),
            pw[1].clone(),
            i64c(0),
            i32c(0x440),
        ],
    );
    let k_stat0 = s.call("p0.fd_filestat_get", &[fd.clone(), i32c(0x2000)]);
    let k_stat1 = s.call("p1.fd_filestat_get", &[fd.clone(), i32c(0x2100)]);
    let k_size = s.call("p0.fd_filestat_set_size", &[fd.clone(), i64c(20)]);
    let k_advise0 = s.call("p0.fd_advise", &[fd.clone(), i64c(0), i64c(10), i32c(1)]);
    let k_advise1 = s.call("p1.fd_advise", &[fd.clone(), i64c(0), i64c(10), i32c(1)]);
    let k_advise_bad = s.call("p0.fd_advise", &[fd.clone(), i64c(0), i64c(10), i32c(6)]);
    let k_alloc0 = s.call("p0.fd_allocate", &[fd.clone(), i64c(16), i64c(16)]);
    let k_alloc1 = s.call("p1.fd_allocate", &[fd.clone(), i64c(0), i64c(8)]);
    let k_dsync = s.call("p0.fd_datasync", std::slice::from_ref(&fd));
    let k_sync = s.call("p0.fd_sync", std::slice::from_ref(&fd));
    // After fd_allocate, which may touch the modification time.
    let k_times = s.call(
        "p0.fd_filestat_set_times",
        &[
            fd.clone(),
            i64c(1_000_000_123u64),
            i64c(2_000_000_456u64),
            i32c(1 | 4),
        ],
    );
    let k_fdstat0 = s.call("p0.fd_fdstat_get", &[fd.clone(), i32c(0x3000)]);
    let k_fdstat1 = s.call("p1.fd_fdstat_get", &[fd.clone(), i32c(0x3100)]);
    let k_flags = s.call("p0.fd_fdstat_set_flags", &[fd.clone(), i32c(1)]);
    let k_fdstat_a = s.call("p0.fd_fdstat_get", &[fd.clone(), i32c(0x3200)]);
    let keep: u64 = (1 << 1) | (1 << 2) | (1 << 5) | (1 << 21);
    let k_rights = s.call(
        "p0.fd_fdstat_set_rights",
        &[fd.clone(), i64c(keep), i64c(0)],
    );
    let k_fdstat_r = s.call("p0.fd_fdstat_get", &[fd.clone(), i32c(0x3300)]);
    let k_denied = s.call(
        "p0.fd_write",
        &[fd.clone(), w[0].clone(), w[1].clone(), i32c(0x444)],
    );
    let g = s.str("g");
    let k_open_g = s.call(
        "p0.path_open",
        &[i32c(3), i32c(0), g[0].clone(), g[1].clone(), i32c(1)]
            .into_iter()
            .chain([i64c(ALL_RIGHTS_P0), i64c(0), i32c(0), i32c(0x448)])
            .collect::<Vec<_>>(),
    );
    let k_renumber = s.call("p0.fd_renumber", &[fd.clone(), load32(0x448)]);
    let k_tell_new = s.call("p0.fd_tell", &[load32(0x448), i32c(0x450)]);
    let k_tell_old = s.call("p0.fd_tell", &[fd.clone(), i32c(0x458)]);
    let k_close = s.call("p0.fd_close", &[load32(0x448)]);
    let k_close2 = s.call("p0.fd_close", &[load32(0x448)]);

    let o = s.run(dir_ctx(dir.path()));
    assert_eq!(o.exited(), 0);
    assert_eq!(o.errno(0), 0);
    assert_eq!(o.u32(0x400), 4, "first free descriptor");
    assert_eq!((o.errno(k_write), o.u32(0x404)), (0, 11));
    assert_eq!((o.errno(k_set), o.u64(0x408)), (0, 0), "SET=2");
    assert_eq!((o.errno(k_cur), o.u64(0x410)), (0, 6), "CUR=0");
    assert_eq!((o.errno(k_end), o.u64(0x418)), (0, 6), "END=1");
    assert_eq!(o.errno(k_bad), EINVAL, "whence 3");
    assert_eq!((o.errno(k_tell), o.u64(0x428)), (0, 6));
    assert_eq!((o.errno(k_tell1), o.u64(0x430)), (0, 6));
    assert_eq!((o.errno(k_read), o.u32(0x438)), (0, 5));
    assert_eq!(o.bytes(0x1000, 5), b"world");
    assert_eq!((o.errno(k_pread), o.u32(0x43c)), (0, 5));
    assert_eq!(o.bytes(0x1100, 5), b"hello");
    assert_eq!((o.errno(k_pwrite), o.u32(0x440)), (0, 5));

    assert_eq!((o.errno(k_stat0), o.errno(k_stat1)), (0, 0));
    let (ft, nlink, size) = same_filestat(&o, 0x2000, 0x2100);
    assert_eq!(
        (ft, nlink, size),
        (4, 1, 11),
        "regular file, one link, 11 bytes"
    );
    let meta = std::fs::metadata(dir.path().join("f")).unwrap();
    assert_eq!(o.u64(0x2000 + 8), meta.ino());
    assert_eq!(o.u64(0x2000), meta.dev());

    assert_eq!(o.errno(k_size), 0);
    assert_eq!(o.errno(k_times), 0);
    assert_eq!((meta.atime(), meta.atime_nsec()), (1, 123));
    assert_eq!((meta.mtime(), meta.mtime_nsec()), (2, 456));
    let content = std::fs::read(dir.path().join("f")).unwrap();
    assert_eq!(content.len(), 32, "set to 20 bytes, then allocated up to 32");
    assert_eq!(&content[..11], b"HELLO world");

    assert_eq!(o.errno(k_advise0), o.errno(k_advise1));
    assert_eq!(o.errno(k_advise_bad), EINVAL, "advice 6");
    assert_eq!((o.errno(k_alloc0), o.errno(k_alloc1)), (0, 0));
    assert_eq!((o.errno(k_dsync), o.errno(k_sync)), (0, 0));

    assert_eq!((o.errno(k_fdstat0), o.errno(k_fdstat1)), (0, 0));
    assert_eq!(
        o.bytes(0x3000, 24),
        o.bytes(0x3100, 24),
        "files never hold SOCK_ACCEPT"
    );
    assert_eq!(o.u8(0x3000), 4, "regular file");
    assert_eq!(o.u64(0x3008) & !ALL_RIGHTS_P0, 0);
    assert_eq!((o.errno(k_flags), o.errno(k_fdstat_a)), (0, 0));
    assert_eq!(o.u16(0x3202), 1, "APPEND");
    assert_eq!((o.errno(k_rights), o.errno(k_fdstat_r)), (0, 0));
    assert_eq!((o.u64(0x3308), o.u64(0x3310)), (keep, 0));
    assert_eq!(o.errno(k_denied), ENOTCAPABLE);

    assert_eq!((o.errno(k_open_g), o.u32(0x448)), (0, 5));
    assert_eq!(o.errno(k_renumber), 0);
    assert_eq!((o.errno(k_tell_new), o.u64(0x450)), (0, 11));
    assert_eq!(o.errno(k_tell_old), EBADF);
    assert_eq!((o.errno(k_close), o.errno(k_close2)), (0, EBADF));
}

#[test]
fn prestat_and_directory_calls() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Script::new();
    s.data(0x2000, &[0xaa; 0x400]);
    let k_pre0 = s.call("p0.fd_prestat_get", &[i32c(3), i32c(0x400)]);
    let k_pre1 = s.call("p1.fd_prestat_get", &[i32c(3), i32c(0x408)]);
    let k_name = s.call("p0.fd_prestat_dir_name", &[i32c(3), i32c(0x410), i32c(4)]);
    let k_pre_bad = s.call("p0.fd_prestat_get", &[i32c(0), i32c(0x418)]);
    let d = s.str("d");
    let k_mkdir = s.call(
        "p0.path_create_directory",
        &[i32c(3), d[0].clone(), d[1].clone()],
    );
    let k_dstat0 = s.call(
        "p0.path_filestat_get",
        &[i32c(3), i32c(0), d[0].clone(), d[1].clone(), i32c(0x2000)],
    );
    let k_dstat1 = s.call(
        "p1.path_filestat_get",
        &[i32c(3), i32c(0), d[0].clone(), d[1].clone(), i32c(0x2040)],
    );
    let df = s.str("d/f");
    let k_create = s.call(
        "p0.path_open",
        &[i32c(3), i32c(0), df[0].clone(), df[1].clone(), i32c(1)]
            .into_iter()
            .chain([i64c(ALL_RIGHTS_P0), i64c(0), i32c(0), i32c(0x420)])
            .collect::<Vec<_>>(),
    );
    let dg = s.str("d/g");
    let k_link = s.call(
        "p0.path_link",
        &[
            i32c(3),
            i32c(0),
            df[0].clone(),
            df[1].clone(),
            i32c(3),
            dg[0].clone(),
            dg[1].clone(),
        ],
    );
    let k_fstat0 = s.call(
        "p0.path_filestat_get",
        &[i32c(3), i32c(0), df[0].clone(), df[1].clone(), i32c(0x2100)],
    );
    let k_fstat1 = s.call(
        "p1.path_filestat_get",
        &[i32c(3), i32c(0), df[0].clone(), df[1].clone(), i32c(0x2140)],
    );
    let target = s.str("f");
    let ds = s.str("d/s");
    let k_symlink = s.call(
        "p0.path_symlink",
        &[
            target[0].clone(),
            target[1].clone(),
            i32c(3),
            ds[0].clone(),
            ds[1].clone(),
        ],
    );
    let k_readlink = s.call(
        "p0.path_readlink",
        &[
            i32c(3),
            ds[0].clone(),
            ds[1].clone(),
            i32c(0x500),
            i32c(16),
            i32c(0x428),
        ],
    );
    let k_lstat0 = s.call(
        "p0.path_filestat_get",
        &[i32c(3), i32c(0), ds[0].clone(), ds[1].clone(), i32c(0x2200)],
    );
    let k_lstat1 = s.call(
        "p1.path_filestat_get",
        &[i32c(3), i32c(0), ds[0].clone(), ds[1].clone(), i32c(0x2240)],
    );
    let k_follow = s.call(
        "p0.path_filestat_get",
        &[i32c(3), i32c(1), ds[0].clone(), ds[1].clone(), i32c(0x2300)],
    );
    let k_follow1 = s.call(
        "p1.path_filestat_get",
        &[i32c(3), i32c(1), ds[0].clone(), ds[1].clone(), i32c(0x2340)],
    );
    let k_times = s.call(
        "p0.path_filestat_set_times",
        &[
            i32c(3),
            i32c(0),
            df[0].clone(),
            df[1].clone(),
            i64c(3_000_000_007u64),
            i64c(4_000_000_009u64),
            i32c(1 | 4),
        ],
    );
    let dh = s.str("d/h");
    let k_rename = s.call(
        "p0.path_rename",
        &[
            i32c(3),
            dg[0].clone(),
            dg[1].clone(),
            i32c(3),
            dh[0].clone(),
            dh[1].clone(),
        ],
    );
    // Read the directory with both snapshots: the entries are laid out alike.
    let k_opendir = s.call(
        "p0.path_open",
        &[i32c(3), i32c(0), d[0].clone(), d[1].clone(), i32c(2)]
            .into_iter()
            .chain([i64c(FD_READDIR), i64c(0), i32c(0), i32c(0x430)])
            .collect::<Vec<_>>(),
    );
    let k_readdir0 = s.call(
        "p0.fd_readdir",
        &[
            load32(0x430),
            i32c(0x4000),
            i32c(0x1000),
            i64c(0),
            i32c(0x434),
        ],
    );
    let k_readdir1 = s.call(
        "p1.fd_readdir",
        &[
            load32(0x430),
            i32c(0x6000),
            i32c(0x1000),
            i64c(0),
            i32c(0x438),
        ],
    );
    let k_rmdir_full = s.call(
        "p0.path_remove_directory",
        &[i32c(3), d[0].clone(), d[1].clone()],
    );
    let k_unlink_dir = s.call(
        "p0.path_unlink_file",
        &[i32c(3), d[0].clone(), d[1].clone()],
    );
    let k_unlink_dir1 = s.call(
        "p1.path_unlink_file",
        &[i32c(3), d[0].clone(), d[1].clone()],
    );
    let o = s.run(dir_ctx(dir.path()));
    assert_eq!(o.exited(), 0);
    assert_eq!((o.errno(k_pre0), o.errno(k_pre1)), (0, 0));
    assert_eq!(o.bytes(0x400, 8), o.bytes(0x408, 8));
    assert_eq!(
        o.bytes(0x400, 8),
        [0, 0, 0, 0, 1, 0, 0, 0],
        "dir, name length 1"
    );
    assert_eq!((o.errno(k_name), o.u8(0x410)), (0, b'.'));
    assert_eq!(o.errno(k_pre_bad), EBADF);

    assert_eq!(o.errno(k_mkdir), 0);
    assert!(dir.path().join("d").is_dir());
    assert_eq!((o.errno(k_dstat0), o.errno(k_dstat1)), (0, 0));
    let (ft, nlink, _) = same_filestat(&o, 0x2000, 0x2040);
    assert_eq!((ft, nlink), (3, 2), "a new directory has two links");

    assert_eq!((o.errno(k_create), o.errno(k_link)), (0, 0));
    assert_eq!((o.errno(k_fstat0), o.errno(k_fstat1)), (0, 0));
    let (ft, nlink, size) = same_filestat(&o, 0x2100, 0x2140);
    assert_eq!((ft, nlink, size), (4, 2, 0), "two hard links");

    assert_eq!(o.errno(k_symlink), 0);
    assert_eq!(
        std::fs::read_link(dir.path().join("d/s")).unwrap(),
        std::path::Path::new("f")
    );
    assert_eq!((o.errno(k_readlink), o.u32(0x428)), (0, 1));
    assert_eq!(o.u8(0x500), b'f');
    assert_eq!((o.errno(k_lstat0), o.errno(k_lstat1)), (0, 0));
    assert_eq!(same_filestat(&o, 0x2200, 0x2240).0, 7, "symbolic link");
    assert_eq!((o.errno(k_follow), o.errno(k_follow1)), (0, 0));
    assert_eq!(
        same_filestat(&o, 0x2300, 0x2340).0,
        4,
        "followed to the file"
    );

    assert_eq!(o.errno(k_times), 0);
    let meta = std::fs::symlink_metadata(dir.path().join("d/f")).unwrap();
    assert_eq!(
        (
            meta.atime(),
            meta.atime_nsec(),
            meta.mtime(),
            meta.mtime_nsec()
        ),
        (3, 7, 4, 9)
    );
    assert_eq!(o.errno(k_rename), 0);
    assert!(dir.path().join("d/h").is_file() && !dir.path().join("d/g").exists());
    assert_eq!(o.errno(k_opendir), 0);
    assert_eq!((o.errno(k_readdir0), o.errno(k_readdir1)), (0, 0));
    let used = o.u32(0x434) as usize;
    assert_eq!(used, o.u32(0x438) as usize);
    assert_eq!(o.bytes(0x4000, used), o.bytes(0x6000, used));
    let names = dirent_names(o.bytes(0x4000, used));
    let expected: BTreeSet<String> = ["f", "h", "s"].map(String::from).into();
    assert!(names.is_superset(&expected), "{names:?}");
    assert!(
        names.difference(&expected).all(|n| n == "." || n == ".."),
        "{names:?}"
    );

    assert_eq!(o.errno(k_rmdir_full), ENOTEMPTY);
    assert_ne!(o.errno(k_unlink_dir), 0, "unlinking a directory fails");
    assert_eq!(o.errno(k_unlink_dir), o.errno(k_unlink_dir1));
    // Then empty the directory and remove it.
    let mut s = Script::new();
    let d = s.str("d");
    let mut unlinked = Vec::new();
    for p in ["d/f", "d/h", "d/s"] {
        let p = s.str(p);
        unlinked.push(s.call(
            "p0.path_unlink_file",
            &[i32c(3), p[0].clone(), p[1].clone()],
        ));
    }
    let k_rmdir = s.call(
        "p0.path_remove_directory",
        &[i32c(3), d[0].clone(), d[1].clone()],
    );

    let o = s.run(dir_ctx(dir.path()));
    for k in unlinked {
        assert_eq!(o.errno(k), 0);
    }
    assert_eq!(o.errno(k_rmdir), 0);
    assert!(!dir.path().join("d").exists());
}

/// The names in an `fd_readdir` buffer (24-byte header, then the name).
fn dirent_names(mut buf: &[u8]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    while buf.len() >= 24 {
        let len = u32::from_le_bytes(buf[16..20].try_into().unwrap()) as usize;
        if buf.len() < 24 + len {
            break;
        }
        names.insert(String::from_utf8(buf[24..24 + len].to_vec()).unwrap());
        buf = &buf[24 + len..];
    }
    names
}

#[test]
fn times_set_through_paths_reach_the_host() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t"), b"").unwrap();
    let mut s = Script::new();
    let t = s.str("t");
    let k = s.call(
        "p0.path_filestat_set_times",
        &[
            i32c(3),
            i32c(0),
            t[0].clone(),
            t[1].clone(),
            i64c(5_000_000_001u64),
            i64c(0),
            i32c(1 | 8),
        ],
    );
    let before = SystemTime::now();
    let o = s.run(dir_ctx(dir.path()));
    assert_eq!(o.errno(k), 0);
    let meta = std::fs::metadata(dir.path().join("t")).unwrap();
    assert_eq!((meta.atime(), meta.atime_nsec()), (5, 1));
    let mtime = meta.modified().unwrap();
    assert!(
        mtime >= before - Duration::from_secs(1),
        "MTIM_NOW sets the current time"
    );
}

#[test]
fn poll_oneoff_reads_preview0_subscriptions() {
    const P0: Snapshot = Snapshot::Preview0;
    let ctx = || WasiCtx::builder().build().unwrap();
    // A relative clock: the identifier (0xdeadbeef, first in the payload) is not the clock id,
    // and the event carries the userdata.
    let o = run_wat(
        &poll_program(P0, &[Sub::Clock(0x55, MONOTONIC, 10_000_000, false)], None),
        ctx(),
    );
    assert_eq!(o.u32(ERRNO_AT), 0);
    assert_eq!(events(&o), [clock_event(0x55)]);
    assert!(o.u64(MONO_END_AT) - o.u64(MONO_START_AT) >= 10_000_000);
    // An absolute deadline on each clock.
    for clock in [MONOTONIC, REALTIME] {
        let o = run_wat(
            &poll_program(P0, &[Sub::Clock(3, clock, 5_000_000, true)], None),
            ctx(),
        );
        assert_eq!(events(&o), [clock_event(3)]);
        let deadline = o.u64(SUBS_AT + 32);
        let end = if clock == MONOTONIC {
            MONO_END_AT
        } else {
            REAL_END_AT
        };
        assert!(o.u64(end) >= deadline);
    }
    // Descriptors: a file with bytes left, a bad descriptor, a clock that must not fire.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), b"12345").unwrap();
    let file = std::fs::File::open(dir.path().join("f")).unwrap();
    let ctx2 = WasiCtx::builder()
        .stdin(Stdio::Fd(file.into()))
        .build()
        .unwrap();
    let subs = [
        Sub::Clock(1, MONOTONIC, 3_600_000_000_000, false),
        Sub::Read(2, 0),
        Sub::Write(3, 77),
    ];
    let o = run_wat(&poll_program(P0, &subs, None), ctx2);
    assert_eq!(
        events(&o),
        [
            fd_event(2, false, 0, 5, false),
            fd_event(3, true, 8, 0, false)
        ]
    );
    // No subscriptions; a misaligned array.
    let o = run_wat(&poll_program(P0, &subs, Some(0)), ctx());
    assert_eq!(o.u32(ERRNO_AT), EINVAL);
    let (bytes, _) = encode_subs(P0, &subs[..1]);
    let o = run_wat(
        &poll_program_raw(P0, &bytes, &[], SUBS_AT as u32 + 4, EVENTS_AT as u32, 1),
        ctx(),
    );
    assert!(o.status.is_err());
}

#[test]
fn sockets_through_preview0() {
    let (guest, host) = UnixStream::pair().unwrap();
    (&host).write_all(b"peekaboo").unwrap();
    let (dguest, dhost) = UnixDatagram::pair().unwrap();
    dhost.send(b"0123456789").unwrap();
    let ctx = WasiCtx::builder()
        .preopen_socket(guest)
        .preopen_socket(dguest)
        .build()
        .unwrap();
    let mut s = Script::new();
    let r = s.iovs(&[(0x1000, 4)]);
    let r8 = s.iovs(&[(0x1100, 8)]);
    let rd = s.iovs(&[(0x1200, 4)]);
    let out = s.alloc(b"pong");
    let w = s.iovs(&[(out, 4)]);
    let k_peek = s.call(
        "p0.sock_recv",
        &[
            i32c(3),
            r[0].clone(),
            r[1].clone(),
            i32c(1),
            i32c(0x400),
            i32c(0x404),
        ],
    );
    let k_recv = s.call(
        "p0.sock_recv",
        &[
            i32c(3),
            r8[0].clone(),
            r8[1].clone(),
            i32c(0),
            i32c(0x408),
            i32c(0x40c),
        ],
    );
    let k_trunc = s.call(
        "p0.sock_recv",
        &[
            i32c(4),
            rd[0].clone(),
            rd[1].clone(),
            i32c(0),
            i32c(0x410),
            i32c(0x414),
        ],
    );
    let k_send = s.call(
        "p0.sock_send",
        &[i32c(3), w[0].clone(), w[1].clone(), i32c(0), i32c(0x418)],
    );
    let k_send_flags = s.call(
        "p0.sock_send",
        &[i32c(3), w[0].clone(), w[1].clone(), i32c(1), i32c(0x41c)],
    );
    let k_shut = s.call("p0.sock_shutdown", &[i32c(3), i32c(3)]);
    let k_shut_bad = s.call("p0.sock_shutdown", &[i32c(3), i32c(4)]);
    let k_notsock = s.call(
        "p0.sock_recv",
        &[
            i32c(1),
            r[0].clone(),
            r[1].clone(),
            i32c(0),
            i32c(0x420),
            i32c(0x424),
        ],
    );
    let k_notsock2 = s.call("p0.sock_shutdown", &[i32c(0), i32c(1)]);
    let o = s.run(ctx);
    assert_eq!(o.exited(), 0);
    assert_eq!((o.errno(k_peek), o.u32(0x400), o.u16(0x404)), (0, 4, 0));
    assert_eq!(o.bytes(0x1000, 4), b"peek");
    assert_eq!((o.errno(k_recv), o.u32(0x408)), (0, 8));
    assert_eq!(o.bytes(0x1100, 8), b"peekaboo");
    assert_eq!(o.bytes(0x1200, 4), b"0123");
    assert_eq!(
        (o.errno(k_trunc), o.u32(0x410), o.u16(0x414)),
        (0, 4, 1),
        "RECV_DATA_TRUNCATED"
    );
    assert_eq!((o.errno(k_send), o.u32(0x418)), (0, 4));
    assert_eq!(o.errno(k_send_flags), EINVAL);
    assert_eq!((o.errno(k_shut), o.errno(k_shut_bad)), (0, EINVAL));
    assert_eq!(
        (o.errno(k_notsock), o.errno(k_notsock2)),
        (ENOTSOCK, ENOTSOCK)
    );
    let mut got = Vec::new();
    std::io::Read::read_to_end(&mut &host, &mut got).unwrap();
    assert_eq!(got, b"pong");
}

#[test]
fn socket_rights_keep_sock_accept() {
    // preview0 cannot name SOCK_ACCEPT: its fdstat hides the bit, and narrowing rights through
    // preview0 keeps it, so preview1's sock_accept still works.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let ctx = WasiCtx::builder().preopen_socket(listener).build().unwrap();
    let mut s = Script::new();
    let k_get0 = s.call("p0.fd_fdstat_get", &[i32c(3), i32c(0x400)]);
    let k_get1 = s.call("p1.fd_fdstat_get", &[i32c(3), i32c(0x420)]);
    let k_set = s.call("p0.fd_fdstat_set_rights", &[i32c(3), i64c(1 << 1), i64c(0)]);
    let k_get = s.call("p1.fd_fdstat_get", &[i32c(3), i32c(0x440)]);
    let k_accept = s.call("p1.sock_accept", &[i32c(3), i32c(0), i32c(0x460)]);
    let o = s.run(ctx);
    assert_eq!(
        (
            o.errno(k_get0),
            o.errno(k_get1),
            o.errno(k_set),
            o.errno(k_get)
        ),
        (0, 0, 0, 0)
    );
    assert_ne!(o.u64(0x428) & SOCK_ACCEPT, 0, "preview1 sees SOCK_ACCEPT");
    assert_eq!(
        o.u64(0x408),
        o.u64(0x428) & ALL_RIGHTS_P0,
        "preview0 does not"
    );
    assert_eq!(o.bytes(0x400, 8), o.bytes(0x420, 8));
    assert_eq!(o.u64(0x448), (1 << 1) | SOCK_ACCEPT);
    assert_eq!(o.errno(k_accept), 6, "EAGAIN: allowed, nobody connecting");
}
