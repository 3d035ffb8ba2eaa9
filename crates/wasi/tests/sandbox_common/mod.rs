//! A preopened directory next to an "outside" directory — on the host, or in a `MemFs` — and
//! WASI path calls made on it through the `WasiSnapshotPreview1` trait with a plain byte vector
//! as guest memory.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use wasihost::guest::{GuestMemory, GuestPtr, GuestStr};
use wasihost::memfs::{MemFs, SnapshotEntry};
use wasihost::preview1::types::{
    Errno, Fd, Fdflags, Filestat, Fstflags, Lookupflags, Oflags, Rights,
};
use wasihost::preview1::wasi_snapshot_preview1::WasiSnapshotPreview1;
use wasihost::vfs::{OpenOptions, Opened};
use wasihost::{Mount, PathResolver, WasiCtx};

/// Both resolvers, for tests that must give the same answers with each.
pub const RESOLVERS: [PathResolver; 2] = [PathResolver::Auto, PathResolver::Userspace];

/// What the preopen is: an OS directory resolved one way or the other, or a `MemFs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirKind {
    /// A host temporary directory, paths resolved with this resolver.
    Os(PathResolver),
    /// A directory of an in-memory file system (always the userspace walk).
    Mem,
}

/// Every kind of preopen, for tests that must give the same answers with each.
pub const KINDS: [DirKind; 3] = [
    DirKind::Os(PathResolver::Auto),
    DirKind::Os(PathResolver::Userspace),
    DirKind::Mem,
];

/// Where the preopen and its "outside" neighbour live.
pub enum Tree {
    /// `root/inside` and `root/outside` on the host.
    Os(tempfile::TempDir),
    /// `inside/` and `outside/` at the root of a `MemFs`; `inside` is the preopen.
    Mem(MemFs),
}

/// The preopen's descriptor number.
pub const PREOPEN: Fd = Fd::new(3);

const MEM: usize = 64 * 1024;
/// Where the second path of a two-path call goes.
const SECOND: u32 = 16 * 1024;
/// Where output buffers go.
const OUT: u32 = 32 * 1024;

/// `inside` preopened as fd 3, next to `outside`.
pub struct Sandbox {
    pub tree: Tree,
    pub ctx: WasiCtx,
    pub mem: Vec<u8>,
    pub kind: DirKind,
}

/// The data cap of a `MemFs` sandbox.
pub const MEM_FS_MAX_BYTES: u64 = 4 << 20;

impl Sandbox {
    /// A fresh OS sandbox resolving paths with `resolver`.
    pub fn new(resolver: PathResolver) -> Sandbox {
        Sandbox::of(DirKind::Os(resolver))
    }

    /// A fresh sandbox of `kind`. `outside` holds `secret` (a file), `dir/` (a directory) and
    /// `alink` (a symbolic link).
    pub fn of(kind: DirKind) -> Sandbox {
        let tree = match kind {
            DirKind::Os(_) => Tree::Os(tempfile::tempdir().unwrap()),
            // Capped like the fuzz targets' host files (RLIMIT_FSIZE): a run cannot make the
            // host allocate more than this for file data.
            DirKind::Mem => Tree::Mem(MemFs::new().with_max_bytes(MEM_FS_MAX_BYTES)),
        };
        let mut sb = Sandbox {
            tree,
            ctx: WasiCtx::builder().build().unwrap(),
            mem: vec![0; MEM],
            kind,
        };
        sb.put_dir("inside");
        sb.put_dir("outside");
        sb.put_file("outside/secret", b"SECRET");
        sb.put_dir("outside/dir");
        sb.put_symlink("secret", "outside/alink");
        sb.reset();
        sb
    }

    /// A fresh context over the same directories, closing every descriptor opened so far.
    pub fn reset(&mut self) {
        let mut b = WasiCtx::builder();
        match (&self.tree, self.kind) {
            (Tree::Os(root), DirKind::Os(resolver)) => {
                b.preopen_dir(root.path().join("inside"), ".")
                    .path_resolver(resolver);
            }
            (Tree::Mem(fs), _) => {
                let Opened::Dir(inside) = fs.root().open(b"inside", &OpenOptions::LOOKUP).unwrap()
                else {
                    panic!("inside is a directory")
                };
                b.preopen(inside, ".", Mount::ReadWrite);
            }
            _ => unreachable!(),
        }
        self.ctx = b.build().unwrap();
    }

    /// The host temporary directory (OS sandboxes only).
    pub fn root_path(&self) -> &Path {
        match &self.tree {
            Tree::Os(root) => root.path(),
            Tree::Mem(_) => panic!("a MemFs sandbox has no host path"),
        }
    }

    pub fn inside(&self) -> PathBuf {
        self.root_path().join("inside")
    }

    pub fn outside(&self) -> PathBuf {
        self.root_path().join("outside")
    }

    /// An absolute path naming `outside` (on the host, or in the `MemFs`).
    pub fn outside_abs(&self) -> String {
        match &self.tree {
            Tree::Os(root) => root.path().join("outside").display().to_string(),
            Tree::Mem(_) => "/outside".to_string(),
        }
    }

    /// Create directory `rel` (relative to the tree's root: `inside/...` or `outside/...`).
    pub fn put_dir(&self, rel: &str) {
        match &self.tree {
            Tree::Os(root) => std::fs::create_dir_all(root.path().join(rel)).unwrap(),
            Tree::Mem(fs) => fs.create_dir_all(rel).unwrap(),
        }
    }

    /// Create or replace file `rel` with `data`.
    pub fn put_file(&self, rel: &str, data: &[u8]) {
        match &self.tree {
            Tree::Os(root) => std::fs::write(root.path().join(rel), data).unwrap(),
            Tree::Mem(fs) => fs.write_file(rel, data).unwrap(),
        }
    }

    /// Create `rel` as a symbolic link to `target`.
    pub fn put_symlink(&self, target: &str, rel: &str) {
        match &self.tree {
            Tree::Os(root) => std::os::unix::fs::symlink(target, root.path().join(rel)).unwrap(),
            Tree::Mem(fs) => fs.symlink(target, rel).unwrap(),
        }
    }

    /// The inode number of `rel` (of a link itself); `""` is the tree's root.
    pub fn ino_of(&self, rel: &str) -> u64 {
        match &self.tree {
            Tree::Os(root) => std::fs::symlink_metadata(root.path().join(rel))
                .unwrap()
                .ino(),
            Tree::Mem(fs) => fs.metadata(rel).unwrap().ino,
        }
    }

    /// Everything under the root except the preopen: names, types, contents, link targets,
    /// sizes and times. Compare before and after an attack.
    pub fn outside_state(&self) -> BTreeMap<PathBuf, String> {
        let mut out = BTreeMap::new();
        match &self.tree {
            Tree::Os(root) => record(root.path(), root.path(), &self.inside(), &mut out),
            Tree::Mem(fs) => mem_record(fs, "", Some("inside"), &mut out),
        }
        out
    }

    /// The same record for the preopen itself.
    pub fn inside_state(&self) -> BTreeMap<PathBuf, String> {
        let mut out = BTreeMap::new();
        match &self.tree {
            Tree::Os(_) => record(&self.inside(), &self.inside(), Path::new(""), &mut out),
            Tree::Mem(fs) => mem_record(fs, "inside/", None, &mut out),
        }
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

    /// Call `f` with `a` and `b` stored as the two paths of a two-path call.
    pub fn call_paths<T>(
        &mut self,
        a: &[u8],
        b: &[u8],
        f: impl FnOnce(
            &mut WasiCtx,
            &mut GuestMemory<'_>,
            GuestStr,
            GuestStr,
        ) -> Result<T, wasihost::Error>,
    ) -> Result<T, Errno> {
        let a = self.put(0, a);
        let b = self.put(SECOND, b);
        self.call(|cx, mem| f(cx, mem, a, b))
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

/// [`record`] for a `MemFs`: entries whose path starts with `prefix` (relative to it), except
/// `skip` and what is beneath it, with the root's own times as `""` when `prefix` is empty.
fn mem_record(fs: &MemFs, prefix: &str, skip: Option<&str>, out: &mut BTreeMap<PathBuf, String>) {
    let times = |p: &str| {
        let st = fs.metadata(p).unwrap();
        format!("m{} s{} n{}", st.mtim, st.size, st.nlink)
    };
    for (path, entry) in fs.snapshot() {
        let Some(rel) = path.strip_prefix(prefix) else {
            continue;
        };
        if skip.is_some_and(|s| rel == s || rel.starts_with(&format!("{s}/"))) {
            continue;
        }
        let what = match entry {
            SnapshotEntry::File(data) => format!("file {data:?}"),
            SnapshotEntry::Dir => "dir".to_string(),
            SnapshotEntry::Symlink(t) => format!("link {}", String::from_utf8_lossy(&t)),
        };
        out.insert(PathBuf::from(rel), format!("{what} {}", times(&path)));
    }
    // The directory itself: its times change when anything is created or removed in it.
    let own = prefix.trim_end_matches('/');
    out.insert(PathBuf::from("<self>"), times(own));
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
