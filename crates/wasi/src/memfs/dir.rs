//! [`MemDir`]: a directory of a [`MemFs`](super::MemFs) as a [`WasiDir`].

use std::sync::Arc;

use super::file::MemFile;
use super::node::{DirData, Kind, State};
use super::{Handle, Shared};
use crate::error::Result;
use crate::preview1::types::{Dircookie, Errno, Filestat, Filetype, Timestamp};
use crate::vfs::{DirEntry, OpenOptions, Opened, WasiDir};

/// Entries copied out per lock while listing, so the lock is never held across `out`.
const BATCH: usize = 64;

/// An open directory of a [`MemFs`](super::MemFs). It keeps working after the directory is
/// removed, as an empty directory in which nothing can be created (`ENOENT`).
pub struct MemDir {
    h: Handle,
}

impl std::fmt::Debug for MemDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemDir").field("ino", &self.h.ino).finish()
    }
}

impl MemDir {
    pub(crate) fn new(fs: &Arc<Shared>, ino: u64) -> MemDir {
        MemDir {
            h: Handle::new(fs, ino),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut State, u64) -> Result<R>) -> Result<R> {
        let mut st = self.h.fs.lock();
        f(&mut st, self.h.ino)
    }

    /// `other` as a directory of this same file system, or `EXDEV`.
    fn same_fs<'a>(&self, other: &'a dyn WasiDir) -> Result<&'a MemDir> {
        match (other as &dyn std::any::Any).downcast_ref::<MemDir>() {
            Some(d) if Arc::ptr_eq(&d.h.fs, &self.h.fs) => Ok(d),
            _ => Err(Errno::Xdev.into()),
        }
    }
}

impl WasiDir for MemDir {
    fn open(&self, name: &[u8], opts: &OpenOptions) -> Result<Opened> {
        let mut st = self.h.fs.lock();
        let dir = self.h.ino;
        let ino = match st.lookup(dir, name) {
            Ok(ino) => {
                if opts.create && opts.exclusive {
                    return Err(Errno::Exist.into());
                }
                let node = st.node(ino)?;
                match node.kind {
                    Kind::Symlink(_) => return Err(Errno::Loop.into()),
                    Kind::Dir(_) => {
                        if !opts.lookup && (opts.write || opts.truncate || opts.create) {
                            return Err(Errno::Isdir.into());
                        }
                        drop(st);
                        return Ok(Opened::Dir(Arc::new(MemDir::new(&self.h.fs, ino))));
                    }
                    Kind::File(_) if opts.directory => return Err(Errno::Notdir.into()),
                    Kind::File(_) => {}
                }
                if opts.truncate {
                    st.resize(ino, 0)?;
                }
                ino
            }
            Err(e) if e.errno() == Some(Errno::Noent) && opts.create && !opts.lookup => {
                if opts.directory {
                    return Err(Errno::Inval.into());
                }
                st.create(dir, name, Kind::File(Vec::new()))?
            }
            Err(e) => return Err(e),
        };
        drop(st);
        let file = MemFile::new(&self.h.fs, ino, opts);
        Ok(Opened::File(Arc::new(file)))
    }

    fn stat_at(&self, name: &[u8]) -> Result<Filestat> {
        self.with(|st, dir| st.filestat(st.lookup(dir, name)?))
    }

    fn stat(&self) -> Result<Filestat> {
        self.with(|st, dir| st.filestat(dir))
    }

    fn readdir(&self, cookie: Dircookie, out: &mut dyn FnMut(&DirEntry<'_>) -> bool) -> Result<()> {
        let mut cookie = cookie;
        loop {
            let batch = self.with(|st, dir| Ok(batch(st, dir, cookie)))?;
            let Some(last) = batch.last() else {
                return Ok(());
            };
            let full = batch.len() == BATCH;
            cookie = last.0;
            for (next, ino, filetype, name) in &batch {
                let entry = DirEntry {
                    next: *next,
                    ino: *ino,
                    filetype: *filetype,
                    name,
                };
                if !out(&entry) {
                    return Ok(());
                }
            }
            if !full {
                return Ok(());
            }
        }
    }

    fn reopen(&self) -> Result<Arc<dyn WasiDir>> {
        Ok(Arc::new(MemDir::new(&self.h.fs, self.h.ino)))
    }

    fn readlink(&self, name: &[u8]) -> Result<Vec<u8>> {
        self.with(|st, dir| match &st.node(st.lookup(dir, name)?)?.kind {
            Kind::Symlink(t) => Ok(t.clone()),
            _ => Err(Errno::Inval.into()),
        })
    }

    fn create_dir(&self, name: &[u8]) -> Result<()> {
        self.with(|st, dir| {
            st.create(dir, name, Kind::Dir(DirData::default()))
                .map(drop)
        })
    }

    fn remove_dir(&self, name: &[u8]) -> Result<()> {
        self.with(|st, dir| {
            let ino = st.lookup(dir, name)?;
            match &st.node(ino)?.kind {
                Kind::Dir(d) if !d.entries.is_empty() => return Err(Errno::Notempty.into()),
                Kind::Dir(_) => {}
                _ => return Err(Errno::Notdir.into()),
            }
            let now = st.now();
            st.remove_entry(dir, name, now).map(drop)
        })
    }

    fn unlink(&self, name: &[u8]) -> Result<()> {
        self.with(|st, dir| {
            let ino = st.lookup(dir, name)?;
            if matches!(st.node(ino)?.kind, Kind::Dir(_)) {
                return Err(Errno::Isdir.into());
            }
            let now = st.now();
            st.remove_entry(dir, name, now).map(drop)
        })
    }

    fn symlink(&self, target: &[u8], name: &[u8]) -> Result<()> {
        self.with(|st, dir| {
            st.create(dir, name, Kind::Symlink(target.to_vec()))
                .map(drop)
        })
    }

    fn rename(&self, name: &[u8], new_dir: &dyn WasiDir, new_name: &[u8]) -> Result<()> {
        let to = self.same_fs(new_dir)?.h.ino;
        self.with(|st, from| rename(st, from, name, to, new_name))
    }

    fn link(&self, name: &[u8], new_dir: &dyn WasiDir, new_name: &[u8]) -> Result<()> {
        let to = self.same_fs(new_dir)?.h.ino;
        self.with(|st, from| {
            let ino = st.lookup(from, name)?;
            st.check_new(to, new_name)?;
            if matches!(st.node(ino)?.kind, Kind::Dir(_)) {
                return Err(Errno::Perm.into());
            }
            let now = st.now();
            let n = st.node_mut(ino)?;
            n.nlink += 1;
            n.ctim = now;
            st.add_entry(to, new_name, ino, false, now)
        })
    }

    fn set_times_at(
        &self,
        name: &[u8],
        atim: Option<Timestamp>,
        mtim: Option<Timestamp>,
    ) -> Result<()> {
        self.with(|st, dir| st.set_times(st.lookup(dir, name)?, atim, mtim))
    }

    fn set_times(&self, atim: Option<Timestamp>, mtim: Option<Timestamp>) -> Result<()> {
        self.with(|st, dir| st.set_times(dir, atim, mtim))
    }
}

/// Up to [`BATCH`] entries from `cookie` on: (next cookie, inode, type, name).
///
/// Cookie 0 is `.`, 1 is `..`, and `2 + n` the entry with sequence number `n` or the first
/// after it that still exists. A removed directory lists nothing, as on Linux.
fn batch(st: &mut State, dir: u64, cookie: Dircookie) -> Vec<(u64, u64, Filetype, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(d) = st.dir(dir) else {
        return out;
    };
    if d.removed {
        return out;
    }
    if cookie == 0 {
        out.push((1, dir, Filetype::Directory, b".".to_vec()));
    }
    if cookie <= 1 {
        out.push((2, d.parent, Filetype::Directory, b"..".to_vec()));
    }
    let from = cookie.saturating_sub(2);
    for (seq, (name, ino)) in d.entries.range(from..) {
        if out.len() == BATCH {
            break;
        }
        let filetype = st
            .inodes
            .get(ino)
            .map_or(Filetype::Unknown, |n| n.filetype());
        out.push((seq + 3, *ino, filetype, name.clone()));
    }
    let now = st.now();
    if let Ok(n) = st.node_mut(dir) {
        n.atim = now;
    }
    out
}

/// `rename(2)` of `name` in `from` to `new_name` in `to`, within one file system.
fn rename(st: &mut State, from: u64, name: &[u8], to: u64, new_name: &[u8]) -> Result<()> {
    let ino = st.lookup(from, name)?;
    let is_dir = matches!(st.node(ino)?.kind, Kind::Dir(_));
    if is_dir && st.is_within(to, ino) {
        // Into itself or beneath itself.
        return Err(Errno::Inval.into());
    }
    let target = match st.lookup(to, new_name) {
        Ok(t) => Some(t),
        Err(e) if e.errno() == Some(Errno::Noent) => None,
        Err(e) => return Err(e),
    };
    if let Some(t) = target {
        if st.is_within(from, t) {
            // The target is an ancestor of the source.
            return Err(Errno::Notempty.into());
        }
        if t == ino {
            // Two names of one file: POSIX says do nothing.
            return Ok(());
        }
        match (&st.node(t)?.kind, is_dir) {
            (Kind::Dir(d), true) if !d.entries.is_empty() => return Err(Errno::Notempty.into()),
            (Kind::Dir(_), true) => {}
            (Kind::Dir(_), false) => return Err(Errno::Isdir.into()),
            (_, true) => return Err(Errno::Notdir.into()),
            (_, false) => {}
        }
    } else if st.dir(to)?.removed {
        return Err(Errno::Noent.into());
    }
    let now = st.now();
    if target.is_some() {
        st.remove_entry(to, new_name, now)?;
    }
    // Move the entry itself: the inode keeps its link count.
    let node = st.node_mut(from)?;
    node.mtim = now;
    node.ctim = now;
    if let Kind::Dir(d) = &mut node.kind {
        d.remove(name);
        if is_dir {
            d.subdirs = d.subdirs.saturating_sub(1);
        }
    }
    st.entries -= 1;
    st.add_entry(to, new_name, ino, is_dir, now)?;
    let moved = st.node_mut(ino)?;
    moved.ctim = now;
    if let Kind::Dir(d) = &mut moved.kind {
        d.parent = to;
    }
    Ok(())
}
