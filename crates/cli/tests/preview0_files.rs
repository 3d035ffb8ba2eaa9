//! The file and directory functions of `wasi_unstable` (preview0), byte for byte: the 33 `fd_*`
//! and `path_*` calls, with the layouts that differ from preview1 (filestat with its 32-bit
//! link count at offset 20, whence numbered CUR=0, END=1, SET=2) compared against preview1's
//! results for the same calls and against the host file system.

mod poll_support;

use std::collections::BTreeSet;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, SystemTime};

use poll_support::Outcome;
use poll_support::script::{Script, i32c, i64c, load32};
use wasihost::WasiCtx;

const EBADF: u32 = 8;
const EINVAL: u32 = 28;
const ENOTCAPABLE: u32 = 76;
const ENOTEMPTY: u32 = 55;

/// All 29 preview0 rights.
const ALL_RIGHTS_P0: u64 = (1 << 29) - 1;
/// The right to read a directory.
const FD_READDIR: u64 = 1 << 14;

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
    let k_set = s.call("p0.fd_seek", &[fd.clone(), i64c(2), i32c(2), i32c(0x408)]);
    let k_cur = s.call("p0.fd_seek", &[fd.clone(), i64c(4), i32c(0), i32c(0x410)]);
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
    assert_eq!((o.errno(k_set), o.u64(0x408)), (0, 2), "SET=2");
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
    assert_eq!(
        content.len(),
        32,
        "set to 20 bytes, then allocated up to 32"
    );
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
