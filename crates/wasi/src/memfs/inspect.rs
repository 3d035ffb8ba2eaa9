//! The embedder's view of a [`MemFs`]: reading, writing and comparing trees by path.
//!
//! Paths here are `/`-separated and relative to the root (a leading `/` is ignored, as are
//! empty and `.` components; `..` is refused with `EINVAL`). Symbolic links are never
//! followed: one on the way to an entry is `ENOTDIR`.

use std::collections::BTreeMap;
use std::io;

use super::MemFs;
use super::node::{DirData, Kind, ROOT, State};
use crate::error::{Error, Result};
use crate::preview1::types::{Errno, Filestat};

/// One entry of a [`MemFs::snapshot`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotEntry {
    /// A regular file and its contents.
    File(Vec<u8>),
    /// A directory.
    Dir,
    /// A symbolic link and its target.
    Symlink(Vec<u8>),
}

/// The `std::io::Error` for a WASI error.
pub(crate) fn to_io(e: Error) -> io::Error {
    let code = match e.errno() {
        Some(Errno::Noent) => libc::ENOENT,
        Some(Errno::Exist) => libc::EEXIST,
        Some(Errno::Notdir) => libc::ENOTDIR,
        Some(Errno::Isdir) => libc::EISDIR,
        Some(Errno::Notempty) => libc::ENOTEMPTY,
        Some(Errno::Nospc) => libc::ENOSPC,
        Some(Errno::Inval) => libc::EINVAL,
        Some(Errno::Loop) => libc::ELOOP,
        Some(Errno::Perm) => libc::EPERM,
        Some(Errno::Fbig) => libc::EFBIG,
        Some(Errno::Nametoolong) => libc::ENAMETOOLONG,
        _ => return io::Error::other(e.to_string()),
    };
    io::Error::from_raw_os_error(code)
}

/// The components of `path`.
fn components(path: &str) -> Result<Vec<&[u8]>> {
    let mut out = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => return Err(Errno::Inval.into()),
            c if c.len() > crate::vfs::NAME_MAX || c.contains('\0') => {
                return Err(Errno::Nametoolong.into());
            }
            c => out.push(c.as_bytes()),
        }
    }
    Ok(out)
}

/// The directory `names` leads to from the root, creating missing ones if `create`.
fn walk_dirs(st: &mut State, names: &[&[u8]], create: bool) -> Result<u64> {
    let mut dir = ROOT;
    for name in names {
        dir = match st.lookup(dir, name) {
            Ok(ino) => {
                st.dir(ino)?;
                ino
            }
            Err(e) if create && e.errno() == Some(Errno::Noent) => {
                st.create(dir, name, Kind::Dir(DirData::default()))?
            }
            Err(e) => return Err(e),
        };
    }
    Ok(dir)
}

/// The parent directory of `path` and its last name (`EINVAL` for the root itself).
pub(crate) fn parent<'p>(st: &mut State, path: &'p str, create: bool) -> Result<(u64, &'p [u8])> {
    let names = components(path)?;
    let Some((last, inner)) = names.split_last() else {
        return Err(Errno::Inval.into());
    };
    Ok((walk_dirs(st, inner, create)?, last))
}

/// The inode `path` names (the root for an empty path).
fn find(st: &mut State, path: &str) -> Result<u64> {
    let names = components(path)?;
    match names.split_last() {
        None => Ok(ROOT),
        Some((last, inner)) => {
            let dir = walk_dirs(st, inner, false)?;
            st.lookup(dir, last)
        }
    }
}

/// Write `data` as file `name` of `dir`, replacing the contents of a file already there.
pub(crate) fn put_file(st: &mut State, dir: u64, name: &[u8], data: &[u8]) -> Result<u64> {
    let ino = match st.lookup(dir, name) {
        Ok(ino) => ino,
        Err(e) if e.errno() == Some(Errno::Noent) => {
            st.create(dir, name, Kind::File(Vec::new()))?
        }
        Err(e) => return Err(e),
    };
    match st.node(ino)?.kind {
        Kind::File(_) => {}
        Kind::Dir(_) => return Err(Errno::Isdir.into()),
        Kind::Symlink(_) => return Err(Errno::Loop.into()),
    }
    st.resize(ino, 0)?;
    st.resize(ino, data.len() as u64)?;
    if let Kind::File(d) = &mut st.node_mut(ino)?.kind {
        d.copy_from_slice(data);
    }
    Ok(ino)
}

/// Remove entry `name` of `dir` and, for a directory, everything beneath it.
fn remove_tree(st: &mut State, dir: u64, name: &[u8]) -> Result<()> {
    let ino = st.lookup(dir, name)?;
    let children: Vec<Vec<u8>> = match &st.node(ino)?.kind {
        Kind::Dir(d) => d.entries.values().map(|e| e.0.clone()).collect(),
        _ => Vec::new(),
    };
    for child in children {
        remove_tree(st, ino, &child)?;
    }
    let now = st.now();
    st.remove_entry(dir, name, now).map(drop)
}

impl MemFs {
    fn run<R>(&self, f: impl FnOnce(&mut State) -> Result<R>) -> io::Result<R> {
        f(&mut self.shared.lock()).map_err(to_io)
    }

    /// The contents of regular file `path`.
    pub fn read_file(&self, path: &str) -> io::Result<Vec<u8>> {
        self.run(|st| {
            let ino = find(st, path)?;
            match &st.node(ino)?.kind {
                Kind::File(d) => Ok(d.clone()),
                Kind::Dir(_) => Err(Errno::Isdir.into()),
                Kind::Symlink(_) => Err(Errno::Loop.into()),
            }
        })
    }

    /// Create or replace regular file `path` with `data`, creating missing parent directories.
    pub fn write_file(&self, path: &str, data: impl AsRef<[u8]>) -> io::Result<()> {
        self.run(|st| {
            let (dir, name) = parent(st, path, true)?;
            put_file(st, dir, name, data.as_ref()).map(drop)
        })
    }

    /// Create directory `path` and any missing parents.
    pub fn create_dir_all(&self, path: &str) -> io::Result<()> {
        self.run(|st| walk_dirs(st, &components(path)?, true).map(drop))
    }

    /// Create `path` as a symbolic link to `target` (stored as given).
    pub fn symlink(&self, target: &str, path: &str) -> io::Result<()> {
        self.run(|st| {
            let (dir, name) = parent(st, path, false)?;
            st.create(dir, name, Kind::Symlink(target.as_bytes().to_vec()))
                .map(drop)
        })
    }

    /// A new name `new` for the non-directory `existing`.
    pub fn hard_link(&self, existing: &str, new: &str) -> io::Result<()> {
        self.run(|st| {
            let ino = find(st, existing)?;
            if matches!(st.node(ino)?.kind, Kind::Dir(_)) {
                return Err(Errno::Perm.into());
            }
            let (dir, name) = parent(st, new, false)?;
            st.check_new(dir, name)?;
            let now = st.now();
            st.node_mut(ino)?.nlink += 1;
            st.add_entry(dir, name, ino, false, now)
        })
    }

    /// Remove `path`: a file or symbolic link, or a directory with everything beneath it.
    pub fn remove(&self, path: &str) -> io::Result<()> {
        self.run(|st| {
            let (dir, name) = parent(st, path, false)?;
            remove_tree(st, dir, name)
        })
    }

    /// The attributes of `path` (of a symbolic link itself).
    pub fn metadata(&self, path: &str) -> io::Result<Filestat> {
        self.run(|st| {
            let ino = find(st, path)?;
            st.filestat(ino)
        })
    }

    /// Every entry beneath the root by path (`a/b`), with contents and link targets: for
    /// comparing trees.
    pub fn snapshot(&self) -> BTreeMap<String, SnapshotEntry> {
        let st = self.shared.lock();
        let mut out = BTreeMap::new();
        let mut todo = vec![(ROOT, String::new())];
        while let Some((dir, prefix)) = todo.pop() {
            let Ok(d) = st.dir(dir) else { continue };
            for (name, ino) in d.entries.values() {
                let path = format!("{prefix}{}", String::from_utf8_lossy(name));
                let Some(n) = st.inodes.get(ino) else {
                    continue;
                };
                let entry = match &n.kind {
                    Kind::File(data) => SnapshotEntry::File(data.clone()),
                    Kind::Symlink(t) => SnapshotEntry::Symlink(t.clone()),
                    Kind::Dir(_) => {
                        todo.push((*ino, format!("{path}/")));
                        SnapshotEntry::Dir
                    }
                };
                out.insert(path, entry);
            }
        }
        out
    }
}
