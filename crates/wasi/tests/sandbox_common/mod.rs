//! A preopened directory next to an "outside" directory, and WASI path calls made on it through
//! the `WasiSnapshotPreview1` trait with a plain byte vector as guest memory.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use wasihost::guest::{GuestMemory, GuestPtr, GuestStr};
use wasihost::preview1::types::{
    Errno, Fd, Fdflags, Filestat, Fstflags, Lookupflags, Oflags, Rights,
};
use wasihost::preview1::wasi_snapshot_preview1::WasiSnapshotPreview1;
use wasihost::{PathResolver, WasiCtx};

/// Both resolvers, for tests that must give the same answers with each.
pub const RESOLVERS: [PathResolver; 2] = [PathResolver::Auto, PathResolver::Userspace];

/// The preopen's descriptor number.
pub const PREOPEN: Fd = Fd::new(3);

const MEM: usize = 64 * 1024;
/// Where the second path of a two-path call goes.
const SECOND: u32 = 16 * 1024;
/// Where output buffers go.
const OUT: u32 = 32 * 1024;

/// `root/inside` preopened as fd 3, next to `root/outside`.
pub struct Sandbox {
    pub root: tempfile::TempDir,
    pub ctx: WasiCtx,
    pub mem: Vec<u8>,
    pub resolver: PathResolver,
}

impl Sandbox {
    /// A fresh sandbox resolving paths with `resolver`. `outside` holds `secret` (a file),
    /// `dir/` (a directory) and `alink` (a symbolic link).
    pub fn new(resolver: PathResolver) -> Sandbox {
        let root = tempfile::tempdir().unwrap();
        let inside = root.path().join("inside");
        let outside = root.path().join("outside");
        std::fs::create_dir(&inside).unwrap();
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("secret"), b"SECRET").unwrap();
        std::fs::create_dir(outside.join("dir")).unwrap();
        std::os::unix::fs::symlink("secret", outside.join("alink")).unwrap();
        let ctx = context(&inside, resolver);
        Sandbox {
            root,
            ctx,
            mem: vec![0; MEM],
            resolver,
        }
    }

    /// A fresh context over the same directories, closing every descriptor opened so far.
    pub fn reset(&mut self) {
        self.ctx = context(&self.inside(), self.resolver);
    }

    pub fn inside(&self) -> PathBuf {
        self.root.path().join("inside")
    }

    pub fn outside(&self) -> PathBuf {
        self.root.path().join("outside")
    }

    /// Everything under the root except the preopen: names, types, contents, link targets,
    /// sizes and times. Compare before and after an attack.
    pub fn outside_state(&self) -> BTreeMap<PathBuf, String> {
        let mut out = BTreeMap::new();
        record(self.root.path(), self.root.path(), &self.inside(), &mut out);
        out
    }

    /// The same record for the preopen itself.
    pub fn inside_state(&self) -> BTreeMap<PathBuf, String> {
        let mut out = BTreeMap::new();
        record(&self.inside(), &self.inside(), Path::new(""), &mut out);
        out
    }

    fn put(&mut self, at: u32, s: &[u8]) -> GuestStr {
        self.mem[at as usize..at as usize + s.len()].copy_from_slice(s);
        GuestStr::new(at, s.len() as u32)
    }

    pub fn call<T>(
        &mut self,
        f: impl FnOnce(&mut WasiCtx, &mut GuestMemory<'_>) -> Result<T, wasihost::Error>,
    ) -> Result<T, Errno> {
        let mut mem = GuestMemory::Unshared(&mut self.mem);
        f(&mut self.ctx, &mut mem).map_err(|e| e.errno().expect("a trap, not an errno"))
    }

    /// `path_open` with every right the preopen can hand down.
    pub fn open(&mut self, path: &[u8], lookup: Lookupflags, oflags: Oflags) -> Result<Fd, Errno> {
        self.open_with(PREOPEN, path, lookup, oflags, Rights::all())
    }

    pub fn open_with(
        &mut self,
        dir: Fd,
        path: &[u8],
        lookup: Lookupflags,
        oflags: Oflags,
        rights: Rights,
    ) -> Result<Fd, Errno> {
        let p = self.put(0, path);
        self.call(|cx, mem| {
            cx.path_open(
                mem,
                dir,
                lookup,
                p,
                oflags,
                rights,
                rights,
                Fdflags::empty(),
            )
        })
    }

    pub fn mkdir(&mut self, path: &[u8]) -> Result<(), Errno> {
        let p = self.put(0, path);
        self.call(|cx, mem| cx.path_create_directory(mem, PREOPEN, p))
    }

    pub fn rmdir(&mut self, path: &[u8]) -> Result<(), Errno> {
        let p = self.put(0, path);
        self.call(|cx, mem| cx.path_remove_directory(mem, PREOPEN, p))
    }

    pub fn unlink(&mut self, path: &[u8]) -> Result<(), Errno> {
        let p = self.put(0, path);
        self.call(|cx, mem| cx.path_unlink_file(mem, PREOPEN, p))
    }

    pub fn symlink(&mut self, target: &[u8], path: &[u8]) -> Result<(), Errno> {
        let t = self.put(SECOND, target);
        let p = self.put(0, path);
        self.call(|cx, mem| cx.path_symlink(mem, t, PREOPEN, p))
    }

    pub fn rename(&mut self, from: &[u8], to: &[u8]) -> Result<(), Errno> {
        let a = self.put(0, from);
        let b = self.put(SECOND, to);
        self.call(|cx, mem| cx.path_rename(mem, PREOPEN, a, PREOPEN, b))
    }

    pub fn link(&mut self, from: &[u8], to: &[u8]) -> Result<(), Errno> {
        let a = self.put(0, from);
        let b = self.put(SECOND, to);
        let none = Lookupflags::empty();
        self.call(|cx, mem| cx.path_link(mem, PREOPEN, none, a, PREOPEN, b))
    }

    pub fn readlink(&mut self, path: &[u8], len: u32) -> Result<Vec<u8>, Errno> {
        let p = self.put(0, path);
        let n = self.call(|cx, mem| cx.path_readlink(mem, PREOPEN, p, GuestPtr::new(OUT), len))?;
        Ok(self.mem[OUT as usize..(OUT + n) as usize].to_vec())
    }

    pub fn stat(&mut self, path: &[u8], lookup: Lookupflags) -> Result<Filestat, Errno> {
        let p = self.put(0, path);
        self.call(|cx, mem| cx.path_filestat_get(mem, PREOPEN, lookup, p))
    }

    /// Set both times of `path` to `ns`.
    pub fn set_times(&mut self, path: &[u8], lookup: Lookupflags, ns: u64) -> Result<(), Errno> {
        let p = self.put(0, path);
        let flags = Fstflags::ATIM | Fstflags::MTIM;
        self.call(|cx, mem| cx.path_filestat_set_times(mem, PREOPEN, lookup, p, ns, ns, flags))
    }

    pub fn close(&mut self, fd: Fd) {
        self.call(|cx, mem| cx.fd_close(mem, fd)).unwrap();
    }
}

fn context(inside: &Path, resolver: PathResolver) -> WasiCtx {
    WasiCtx::builder()
        .preopen_dir(inside, ".")
        .path_resolver(resolver)
        .build()
        .unwrap()
}

fn record(root: &Path, dir: &Path, skip: &Path, out: &mut BTreeMap<PathBuf, String>) {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for p in names {
        if p == skip {
            continue;
        }
        let md = std::fs::symlink_metadata(&p).unwrap();
        let rel = p.strip_prefix(root).unwrap().to_path_buf();
        let times = format!("m{}.{} s{}", md.mtime(), md.mtime_nsec(), md.size());
        if md.file_type().is_symlink() {
            let t = std::fs::read_link(&p).unwrap();
            out.insert(rel, format!("link {} {times}", t.display()));
        } else if md.is_dir() {
            out.insert(rel, format!("dir {times}"));
            record(root, &p, skip, out);
        } else {
            let data = std::fs::read(&p).unwrap();
            out.insert(rel, format!("file {data:?} {times}"));
        }
    }
}
