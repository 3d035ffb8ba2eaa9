//! Differential test of the in-memory file system against the OS: random sequences of path and
//! descriptor calls over a small name space (nested names, `..`, trailing slashes, symbolic
//! links pointing inside, outside and nowhere) are made through the hostcalls of two
//! `WasiCtx`s, one preopening a host temporary directory and one a `MemFs` directory, and every
//! answer (errno or result) and the whole tree after every step must be the same.
//!
//! What legitimately differs is normalised here, each with a comment, and listed in the
//! `memfs` module documentation ("Differences from the OS filesystem"): timestamps, inode and
//! device numbers, and the size of a directory.

mod sandbox_common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;

use proptest::prelude::*;
use sandbox_common::{DirKind, PREOPEN, Sandbox, Tree};
use wasihost::PathResolver;
use wasihost::guest::{GuestPtr, GuestSlice};
use wasihost::memfs::SnapshotEntry;
use wasihost::preview1::types::{
    Ciovec, Errno, Fd, Fdflags, Filestat, Filetype, Iovec, Lookupflags, Oflags, Rights, Whence,
};
use wasihost::preview1::wasi_snapshot_preview1::WasiSnapshotPreview1;

/// Paths the operations act on: names one and two levels deep, dots, trailing slashes, and
/// ways out of the preopen.
const PATHS: &[&str] = &[
    "a",
    "b",
    "d",
    "l",
    "d/a",
    "d/b",
    "d/d",
    "d/l",
    "d/d/a",
    "a/",
    "d/",
    "l/",
    "d/d/",
    ".",
    "..",
    "d/..",
    "d/../a",
    "l/a",
    "d/l/a",
    "../inside/a",
    "x/a",
    "a/a",
];

/// Symbolic link targets: inside, outside, missing, dots, trailing slashes, absolute.
const TARGETS: &[&str] = &[
    "a",
    "d",
    "d/a",
    "../a",
    "..",
    ".",
    "l",
    "d/",
    "a/",
    "missing",
    "../outside/secret",
    "../../outside",
    "/etc",
];

/// Guest memory: iovecs, data buffers and the listing buffer (paths use the first 48 KiB).
const IOVS: u32 = 48 * 1024;
const DATA: u32 = 49 * 1024;
const LIST: u32 = 52 * 1024;
const LIST_LEN: u32 = 8 * 1024;

#[derive(Clone, Debug)]
enum Op {
    Mkdir(usize),
    Rmdir(usize),
    Unlink(usize),
    Symlink(usize, usize),
    Rename(usize, usize),
    Link(usize, usize, bool),
    Readlink(usize),
    Stat(usize, bool),
    /// Path, follow, (creat, excl, trunc, directory), write.
    Open(usize, bool, [bool; 4], bool),
    /// Path, (creat, trunc): open for appending.
    OpenAppend(usize, bool, bool),
    /// Descriptor, length, byte: `fd_write` at the current position.
    Write(usize, usize, u8),
    /// Descriptor, length: `fd_read` at the current position.
    Read(usize, u32),
    /// Descriptor, offset, whence (0 set, 1 current, 2 end).
    Seek(usize, i64, u8),
    /// Open descriptor (index), offset, length, byte.
    Pwrite(usize, u64, usize, u8),
    Pread(usize, u64, u32),
    FdStat(usize),
    SetSize(usize, u64),
    Close(usize),
    /// Through an open descriptor as the base: create directory `path`.
    MkdirAt(usize, usize),
    /// Through an open descriptor as the base: open (creating, if asked) file `path`.
    OpenAt(usize, usize, bool),
    /// List the directory at this path.
    List(usize),
    /// List an open descriptor.
    FdList(usize),
}

/// `path_open` flags (creat, excl, trunc, directory), mostly ones that can succeed.
fn oflags() -> impl Strategy<Value = [bool; 4]> {
    use prop::bool::weighted;
    (weighted(0.5), weighted(0.2), weighted(0.3), weighted(0.15))
        .prop_map(|(c, e, t, d)| [c, e, t, d])
}

fn op() -> impl Strategy<Value = Op> {
    let p = 0..PATHS.len();
    let t = 0..TARGETS.len();
    let fd = 0..8usize;
    prop_oneof![
        3 => p.clone().prop_map(Op::Mkdir),
        1 => p.clone().prop_map(Op::Rmdir),
        1 => p.clone().prop_map(Op::Unlink),
        2 => (t, p.clone()).prop_map(|(t, p)| Op::Symlink(t, p)),
        2 => (p.clone(), p.clone()).prop_map(|(a, b)| Op::Rename(a, b)),
        // Following a link while linking is refused by wasihost: rarely worth a step.
        2 => (p.clone(), p.clone(), prop::bool::weighted(0.1))
            .prop_map(|(a, b, f)| Op::Link(a, b, f)),
        1 => p.clone().prop_map(Op::Readlink),
        2 => (p.clone(), any::<bool>()).prop_map(|(p, f)| Op::Stat(p, f)),
        6 => (p.clone(), any::<bool>(), oflags(), any::<bool>())
            .prop_map(|(p, f, o, w)| Op::Open(p, f, o, w)),
        1 => (p.clone(), any::<bool>(), any::<bool>()).prop_map(|(p, c, t)| Op::OpenAppend(p, c, t)),
        2 => (fd.clone(), 0..8usize, any::<u8>()).prop_map(|(f, n, b)| Op::Write(f, n, b)),
        2 => (fd.clone(), 0..16u32).prop_map(|(f, n)| Op::Read(f, n)),
        1 => (fd.clone(), -4..12i64, 0..3u8).prop_map(|(f, o, w)| Op::Seek(f, o, w)),
        3 => (fd.clone(), 0..16u64, 0..8usize, any::<u8>())
            .prop_map(|(f, o, n, b)| Op::Pwrite(f, o, n, b)),
        2 => (fd.clone(), 0..16u64, 0..16u32).prop_map(|(f, o, n)| Op::Pread(f, o, n)),
        1 => fd.clone().prop_map(Op::FdStat),
        1 => (fd.clone(), 0..20u64).prop_map(|(f, n)| Op::SetSize(f, n)),
        1 => (0..8usize).prop_map(Op::Close),
        1 => (fd.clone(), p.clone()).prop_map(|(f, p)| Op::MkdirAt(f, p)),
        1 => (fd.clone(), p.clone(), any::<bool>()).prop_map(|(f, p, c)| Op::OpenAt(f, p, c)),
        2 => p.prop_map(Op::List),
        1 => fd.prop_map(Op::FdList),
    ]
}

/// One side of the comparison: a sandbox and the descriptors it has open.
struct Side {
    sb: Sandbox,
    fds: Vec<Fd>,
}

/// What a call answered, with what may differ normalised away.
type Answer = Result<String, Errno>;

/// The attributes compared: type, size and link count. Not times, inode or device numbers
/// (they differ between any two file systems), and not the size of a directory: Linux file
/// systems report blocks (4096 on ext4) where a `MemFs` reports its number of entries.
fn attrs(st: &Filestat) -> String {
    let size = if st.filetype == Filetype::Directory {
        "-".to_string()
    } else {
        st.size.to_string()
    };
    format!("{:?} size {size} nlink {}", st.filetype, st.nlink)
}

fn bytes(s: &str) -> &[u8] {
    s.as_bytes()
}

impl Side {
    fn fd(&self, i: usize) -> Fd {
        // Mostly an open descriptor; sometimes (and always when none is open) one that is not.
        match self.fds.len() {
            n if n > 0 && i < 7 => self.fds[i % n],
            _ => Fd::new(40 + i as u32),
        }
    }

    fn apply(&mut self, op: &Op) -> Answer {
        let sb = &mut self.sb;
        let follow = |f: bool| {
            if f {
                Lookupflags::SYMLINK_FOLLOW
            } else {
                Lookupflags::empty()
            }
        };
        let done = |r: Result<(), Errno>| r.map(|()| String::new());
        match *op {
            Op::Mkdir(p) => done(sb.mkdir(bytes(PATHS[p]))),
            Op::Rmdir(p) => done(sb.rmdir(bytes(PATHS[p]))),
            Op::Unlink(p) => done(sb.unlink(bytes(PATHS[p]))),
            Op::Symlink(t, p) => done(sb.symlink(bytes(TARGETS[t]), bytes(PATHS[p]))),
            Op::Rename(a, b) => done(sb.rename(bytes(PATHS[a]), bytes(PATHS[b]))),
            Op::Link(a, b, f) => {
                let (old, new) = (bytes(PATHS[a]), bytes(PATHS[b]));
                let fl = follow(f);
                done(sb.call_paths(old, new, |cx, mem, o, n| {
                    cx.path_link(mem, PREOPEN, fl, o, PREOPEN, n)
                }))
            }
            Op::Readlink(p) => sb
                .readlink(bytes(PATHS[p]), 64)
                .map(|t| String::from_utf8_lossy(&t).into_owned()),
            Op::Stat(p, f) => sb.stat(bytes(PATHS[p]), follow(f)).map(|st| attrs(&st)),
            Op::Open(p, f, [creat, excl, trunc, dir], write) => {
                let mut o = Oflags::empty();
                for (on, flag) in [
                    (creat, Oflags::CREAT),
                    (excl, Oflags::EXCL),
                    (trunc, Oflags::TRUNC),
                    (dir, Oflags::DIRECTORY),
                ] {
                    if on {
                        o |= flag;
                    }
                }
                let mut rights = Rights::FD_READ
                    | Rights::FD_SEEK
                    | Rights::FD_TELL
                    | Rights::FD_FILESTAT_GET
                    | Rights::FD_READDIR
                    // For a directory: what MkdirAt and OpenAt need.
                    | Rights::PATH_OPEN
                    | Rights::PATH_CREATE_DIRECTORY
                    | Rights::PATH_CREATE_FILE;
                if write {
                    rights |= Rights::FD_WRITE | Rights::FD_FILESTAT_SET_SIZE;
                }
                let fd = sb.open_with(PREOPEN, bytes(PATHS[p]), follow(f), o, rights)?;
                self.fds.push(fd);
                Ok(fd.raw().to_string())
            }
            Op::OpenAppend(p, creat, trunc) => {
                let mut o = Oflags::empty();
                if creat {
                    o |= Oflags::CREAT;
                }
                if trunc {
                    o |= Oflags::TRUNC;
                }
                let rights = Rights::FD_READ | Rights::FD_WRITE | Rights::FD_SEEK | Rights::FD_TELL;
                let path = bytes(PATHS[p]);
                let fd = sb.call_paths(path, b"", |cx, mem, p, _| {
                    let fl = Fdflags::APPEND;
                    cx.path_open(mem, PREOPEN, follow(true), p, o, rights, rights, fl)
                })?;
                self.fds.push(fd);
                Ok(fd.raw().to_string())
            }
            Op::Write(i, len, byte) => {
                let fd = self.fd(i);
                let sb = &mut self.sb;
                sb.mem[DATA as usize..DATA as usize + len].fill(byte);
                sb.call(|cx, mem| {
                    let v = Ciovec {
                        buf: GuestPtr::new(DATA),
                        buf_len: len as u32,
                    };
                    mem.write(GuestPtr::new(IOVS), &v)?;
                    cx.fd_write(mem, fd, GuestSlice::new(IOVS, 1))
                })
                .map(|n| n.to_string())
            }
            Op::Read(i, len) => {
                let fd = self.fd(i);
                let sb = &mut self.sb;
                let n = sb.call(|cx, mem| {
                    let v = Iovec {
                        buf: GuestPtr::new(DATA),
                        buf_len: len,
                    };
                    mem.write(GuestPtr::new(IOVS), &v)?;
                    cx.fd_read(mem, fd, GuestSlice::new(IOVS, 1))
                })?;
                Ok(format!("{:?}", &sb.mem[DATA as usize..(DATA + n) as usize]))
            }
            Op::Seek(i, off, whence) => {
                let fd = self.fd(i);
                let whence = match whence {
                    0 => Whence::Set,
                    1 => Whence::Cur,
                    _ => Whence::End,
                };
                self.sb
                    .call(|cx, mem| cx.fd_seek(mem, fd, off, whence))
                    .map(|n| n.to_string())
            }
            Op::Pwrite(i, off, len, byte) => {
                let fd = self.fd(i);
                let sb = &mut self.sb;
                sb.mem[DATA as usize..DATA as usize + len].fill(byte);
                sb.call(|cx, mem| {
                    let v = Ciovec {
                        buf: GuestPtr::new(DATA),
                        buf_len: len as u32,
                    };
                    mem.write(GuestPtr::new(IOVS), &v)?;
                    cx.fd_pwrite(mem, fd, GuestSlice::new(IOVS, 1), off)
                })
                .map(|n| n.to_string())
            }
            Op::Pread(i, off, len) => {
                let fd = self.fd(i);
                let sb = &mut self.sb;
                let n = sb.call(|cx, mem| {
                    let v = Iovec {
                        buf: GuestPtr::new(DATA),
                        buf_len: len,
                    };
                    mem.write(GuestPtr::new(IOVS), &v)?;
                    cx.fd_pread(mem, fd, GuestSlice::new(IOVS, 1), off)
                })?;
                Ok(format!("{:?}", &sb.mem[DATA as usize..(DATA + n) as usize]))
            }
            Op::FdStat(i) => {
                let fd = self.fd(i);
                self.sb
                    .call(|cx, mem| cx.fd_filestat_get(mem, fd))
                    .map(|st| attrs(&st))
            }
            Op::SetSize(i, n) => {
                let fd = self.fd(i);
                done(self.sb.call(|cx, mem| cx.fd_filestat_set_size(mem, fd, n)))
            }
            Op::Close(i) => {
                let fd = self.fd(i);
                let r = self.sb.call(|cx, mem| cx.fd_close(mem, fd));
                if r.is_ok() {
                    self.fds.retain(|&f| f != fd);
                }
                done(r)
            }
            Op::MkdirAt(i, p) => {
                let fd = self.fd(i);
                let path = bytes(PATHS[p]);
                done(self.sb.call_paths(path, b"", |cx, mem, p, _| {
                    cx.path_create_directory(mem, fd, p)
                }))
            }
            Op::OpenAt(i, p, creat) => {
                let base = self.fd(i);
                let o = if creat {
                    Oflags::CREAT
                } else {
                    Oflags::empty()
                };
                let rights = Rights::FD_READ | Rights::FD_WRITE | Rights::FD_FILESTAT_GET;
                let path = bytes(PATHS[p]);
                let fd = self.sb.call_paths(path, b"", |cx, mem, p, _| {
                    let fl = Fdflags::empty();
                    cx.path_open(mem, base, follow(true), p, o, rights, rights, fl)
                })?;
                self.fds.push(fd);
                Ok(fd.raw().to_string())
            }
            Op::List(p) => {
                let dir = Oflags::DIRECTORY;
                let path = bytes(PATHS[p]);
                let fd = sb.open_with(PREOPEN, path, follow(true), dir, Rights::FD_READDIR)?;
                let listing = list(sb, fd);
                sb.close(fd);
                listing
            }
            Op::FdList(i) => {
                let fd = self.fd(i);
                list(&mut self.sb, fd)
            }
        }
    }

    /// Everything inside the preopen: type, contents, link target and link count by path.
    fn tree(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        match &self.sb.tree {
            Tree::Os(_) => os_tree(&self.sb.inside(), "", &mut out),
            Tree::Mem(fs) => {
                for (path, entry) in fs.snapshot() {
                    let Some(rel) = path.strip_prefix("inside/") else {
                        continue;
                    };
                    let nlink = fs.metadata(&path).unwrap().nlink;
                    let what = match entry {
                        SnapshotEntry::File(d) => format!("file {d:?}"),
                        SnapshotEntry::Dir => "dir".to_string(),
                        SnapshotEntry::Symlink(t) => {
                            format!("link {}", String::from_utf8_lossy(&t))
                        }
                    };
                    out.insert(rel.to_string(), format!("{what} nlink {nlink}"));
                }
            }
        }
        out
    }
}

fn os_tree(dir: &std::path::Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let rel = format!("{prefix}{}", e.file_name().to_string_lossy());
        let md = std::fs::symlink_metadata(e.path()).unwrap();
        let what = if md.file_type().is_symlink() {
            let t = std::fs::read_link(e.path()).unwrap();
            format!("link {}", t.display())
        } else if md.is_dir() {
            os_tree(&e.path(), &format!("{rel}/"), out);
            "dir".to_string()
        } else {
            format!("file {:?}", std::fs::read(e.path()).unwrap())
        };
        out.insert(rel, format!("{what} nlink {}", md.nlink()));
    }
}

/// The whole listing of `fd` as a sorted set of (name, type): the order of entries and their
/// inode numbers and cookies differ between file systems.
fn list(sb: &mut Sandbox, fd: Fd) -> Answer {
    let mut names = Vec::new();
    let mut cookie = 0;
    loop {
        let n = sb.call(|cx, mem| cx.fd_readdir(mem, fd, GuestPtr::new(LIST), LIST_LEN, cookie))?;
        let buf = &sb.mem[LIST as usize..(LIST + n) as usize];
        let mut at = 0;
        while buf.len() - at >= 24 {
            let namlen = u32::from_le_bytes(buf[at + 16..at + 20].try_into().unwrap()) as usize;
            if buf.len() - at < 24 + namlen {
                break;
            }
            cookie = u64::from_le_bytes(buf[at..at + 8].try_into().unwrap());
            let name = String::from_utf8_lossy(&buf[at + 24..at + 24 + namlen]).into_owned();
            names.push(format!("{name}:{}", buf[at + 20]));
            at += 24 + namlen;
        }
        if n < LIST_LEN {
            break;
        }
    }
    names.sort();
    Ok(names.join(" "))
}

/// The tree each case starts from, inside the preopen.
fn seed(sb: &Sandbox) {
    sb.put_file("inside/a", b"hello");
    sb.put_dir("inside/d/d");
    sb.put_file("inside/d/a", b"nested");
    sb.put_symlink("a", "inside/l");
    sb.put_symlink("../outside/secret", "inside/d/l");
}

/// Run `ops` on an OS sandbox (resolving with `resolver`) and a `MemFs` sandbox, comparing
/// each answer and the tree after each step.
fn compare(resolver: PathResolver, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut os = Side {
        sb: Sandbox::of(DirKind::Os(resolver)),
        fds: Vec::new(),
    };
    let mut mem = Side {
        sb: Sandbox::of(DirKind::Mem),
        fds: Vec::new(),
    };
    seed(&os.sb);
    seed(&mem.sb);
    let outside = (os.sb.outside_state(), mem.sb.outside_state());
    for (i, op) in ops.iter().enumerate() {
        let want = os.apply(op);
        let got = mem.apply(op);
        prop_assert_eq!(&got, &want, "step {} {:?}: memfs vs OS", i, op);
        prop_assert_eq!(mem.tree(), os.tree(), "tree after step {} {:?}", i, op);
        prop_assert_eq!(&mem.fds, &os.fds);
    }
    // Nothing outside either preopen changed.
    prop_assert_eq!((os.sb.outside_state(), mem.sb.outside_state()), outside);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        // 64 by default (about a second in debug); PROPTEST_CASES=N for a longer hunt.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        // Failures found are kept as named regression tests in this file instead.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn memfs_matches_the_os(userspace: bool, ops in prop::collection::vec(op(), 30..60)) {
        let resolver = if userspace { PathResolver::Userspace } else { PathResolver::Auto };
        compare(resolver, &ops)?;
    }
}

/// [`compare`] with both OS resolvers.
fn same_everywhere(ops: &[Op]) {
    for resolver in [PathResolver::Auto, PathResolver::Userspace] {
        compare(resolver, ops).unwrap_or_else(|e| panic!("{resolver:?}: {e}"));
    }
}

/// Found by the differential test: `O_CREAT` through a final link whose target ends in a slash
/// (`d/d/a -> d/`) is `EISDIR` on Linux whether the target exists or not; the user-space walk
/// turned the slash into `O_DIRECTORY` and answered `EINVAL`.
#[test]
fn create_through_link_with_trailing_slash() {
    let creat = [true, false, false, false];
    same_everywhere(&[
        // d/d/a -> d/ (the missing d/d/d), then b -> d/ (the existing d).
        Op::Symlink(7, 8),
        Op::Open(8, true, creat, false),
        Op::Open(8, true, [true, true, false, false], true),
        Op::Symlink(7, 1),
        Op::Open(1, true, creat, false),
        Op::Stat(1, true),
    ]);
}

/// Found by the differential test: a write of nothing on a descriptor opened for appending
/// left the position alone on Linux but moved it to the end on a `MemFs`.
#[test]
fn empty_append_write_keeps_the_position() {
    same_everywhere(&[
        Op::OpenAppend(0, false, false),
        Op::Write(0, 0, 0),
        Op::Seek(0, 0, 1),
        Op::Read(0, 2),
        Op::Write(0, 1, b'!'),
        Op::Seek(0, 0, 1),
        Op::Pread(0, 0, 16),
    ]);
}
