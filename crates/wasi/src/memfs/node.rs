//! The tree behind a [`MemFs`](super::MemFs): inodes in a table, directories as ordered lists
//! of names, and the accounting that enforces the size and entry caps.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::error::Result;
use crate::preview1::types::{Errno, Filestat, Filetype, Timestamp};

/// The inode number of the root directory.
pub(crate) const ROOT: u64 = 1;

/// Where timestamps come from: nanoseconds since the epoch.
pub(crate) type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// What an inode holds.
pub(crate) enum Kind {
    /// A regular file's bytes.
    File(Vec<u8>),
    /// A directory.
    Dir(DirData),
    /// A symbolic link's target, stored as given.
    Symlink(Vec<u8>),
}

/// A directory's entries, in creation order.
#[derive(Default)]
pub(crate) struct DirData {
    /// Sequence number → (name, inode). Sequence numbers only grow, so a listing position
    /// stays meaningful while entries come and go.
    pub entries: BTreeMap<u64, (Vec<u8>, u64)>,
    /// Name → sequence number.
    pub names: HashMap<Vec<u8>, u64>,
    /// The next sequence number.
    pub next_seq: u64,
    /// The parent directory (the root is its own parent).
    pub parent: u64,
    /// Subdirectories, for the link count.
    pub subdirs: u64,
    /// Removed from the tree: nothing can be created in it.
    pub removed: bool,
}

impl DirData {
    /// The inode named `name`.
    pub fn get(&self, name: &[u8]) -> Option<u64> {
        let seq = self.names.get(name)?;
        self.entries.get(seq).map(|e| e.1)
    }

    pub fn insert(&mut self, name: &[u8], ino: u64) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.entries.insert(seq, (name.to_vec(), ino));
        self.names.insert(name.to_vec(), seq);
    }

    pub fn remove(&mut self, name: &[u8]) -> Option<u64> {
        let seq = self.names.remove(name)?;
        self.entries.remove(&seq).map(|e| e.1)
    }
}

/// One file, directory or symbolic link.
pub(crate) struct Inode {
    /// Names linking to it (for directories: 1 while in the tree, 0 once removed).
    pub nlink: u64,
    /// Open handles.
    pub open: u64,
    pub atim: Timestamp,
    pub mtim: Timestamp,
    pub ctim: Timestamp,
    pub kind: Kind,
}

impl Inode {
    pub fn filetype(&self) -> Filetype {
        match self.kind {
            Kind::File(_) => Filetype::RegularFile,
            Kind::Dir(_) => Filetype::Directory,
            Kind::Symlink(_) => Filetype::SymbolicLink,
        }
    }

    fn bytes(&self) -> u64 {
        match &self.kind {
            Kind::File(d) | Kind::Symlink(d) => d.len() as u64,
            Kind::Dir(_) => 0,
        }
    }
}

/// Everything a [`MemFs`](super::MemFs) holds, behind its lock.
pub(crate) struct State {
    pub inodes: HashMap<u64, Inode>,
    next_ino: u64,
    /// Bytes of file data and link targets held.
    pub bytes: u64,
    /// Directory entries held (every name, hard links included).
    pub entries: u64,
    pub max_bytes: u64,
    pub max_entries: u64,
    pub clock: Clock,
    /// The device number reported for every inode.
    pub dev: u64,
}

impl State {
    pub fn new(clock: Clock, dev: u64, max_bytes: u64, max_entries: u64) -> State {
        let now = clock();
        let root = Inode {
            nlink: 1,
            open: 1, // held by the MemFs itself: never freed
            atim: now,
            mtim: now,
            ctim: now,
            kind: Kind::Dir(DirData {
                parent: ROOT,
                ..DirData::default()
            }),
        };
        State {
            inodes: HashMap::from([(ROOT, root)]),
            next_ino: ROOT + 1,
            bytes: 0,
            entries: 0,
            max_bytes,
            max_entries,
            clock,
            dev,
        }
    }

    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    pub fn node(&self, ino: u64) -> Result<&Inode> {
        self.inodes.get(&ino).ok_or_else(|| Errno::Noent.into())
    }

    pub fn node_mut(&mut self, ino: u64) -> Result<&mut Inode> {
        self.inodes.get_mut(&ino).ok_or_else(|| Errno::Noent.into())
    }

    pub fn dir(&self, ino: u64) -> Result<&DirData> {
        match &self.node(ino)?.kind {
            Kind::Dir(d) => Ok(d),
            _ => Err(Errno::Notdir.into()),
        }
    }

    pub fn dir_mut(&mut self, ino: u64) -> Result<&mut DirData> {
        match &mut self.node_mut(ino)?.kind {
            Kind::Dir(d) => Ok(d),
            _ => Err(Errno::Notdir.into()),
        }
    }

    /// The inode named `name` in directory `dir`.
    pub fn lookup(&self, dir: u64, name: &[u8]) -> Result<u64> {
        self.dir(dir)?.get(name).ok_or_else(|| Errno::Noent.into())
    }

    /// Room for `more` bytes of data, or `ENOSPC`.
    pub fn reserve_bytes(&self, more: u64) -> Result<()> {
        match self.bytes.checked_add(more) {
            Some(total) if total <= self.max_bytes => Ok(()),
            _ => Err(Errno::Nospc.into()),
        }
    }

    /// Check that a new entry `name` can be made in `dir`: `ENOENT` in a removed directory,
    /// `EEXIST` if it exists, `ENOSPC` past the entry cap.
    pub fn check_new(&self, dir: u64, name: &[u8]) -> Result<()> {
        let d = self.dir(dir)?;
        if d.removed {
            return Err(Errno::Noent.into());
        }
        if d.get(name).is_some() {
            return Err(Errno::Exist.into());
        }
        if self.entries >= self.max_entries {
            return Err(Errno::Nospc.into());
        }
        Ok(())
    }

    /// Create a new inode of `kind` as `name` in `dir` (checked with [`State::check_new`]).
    pub fn create(&mut self, dir: u64, name: &[u8], kind: Kind) -> Result<u64> {
        self.check_new(dir, name)?;
        let now = self.now();
        let ino = self.next_ino;
        self.next_ino += 1;
        let is_dir = matches!(kind, Kind::Dir(_));
        let kind = match kind {
            Kind::Dir(mut d) => {
                d.parent = dir;
                Kind::Dir(d)
            }
            k => k,
        };
        let inode = Inode {
            nlink: 1,
            open: 0,
            atim: now,
            mtim: now,
            ctim: now,
            kind,
        };
        let bytes = inode.bytes();
        self.reserve_bytes(bytes)?;
        self.bytes += bytes;
        self.inodes.insert(ino, inode);
        self.add_entry(dir, name, ino, is_dir, now)?;
        Ok(ino)
    }

    /// Link `ino` as `name` in `dir` (nothing there yet) and touch the directory.
    pub fn add_entry(
        &mut self,
        dir: u64,
        name: &[u8],
        ino: u64,
        is_dir: bool,
        now: u64,
    ) -> Result<()> {
        let node = self.node_mut(dir)?;
        node.mtim = now;
        node.ctim = now;
        let Kind::Dir(d) = &mut node.kind else {
            return Err(Errno::Notdir.into());
        };
        d.insert(name, ino);
        if is_dir {
            d.subdirs += 1;
        }
        self.entries += 1;
        Ok(())
    }

    /// Take entry `name` out of `dir`, dropping one link of its inode (freed when nothing
    /// refers to it any more).
    pub fn remove_entry(&mut self, dir: u64, name: &[u8], now: u64) -> Result<u64> {
        let node = self.node_mut(dir)?;
        node.mtim = now;
        node.ctim = now;
        let Kind::Dir(d) = &mut node.kind else {
            return Err(Errno::Notdir.into());
        };
        let ino = d.remove(name).ok_or(Errno::Noent)?;
        self.entries -= 1;
        let child = self.node_mut(ino)?;
        child.ctim = now;
        child.nlink = child.nlink.saturating_sub(1);
        if let Kind::Dir(cd) = &mut child.kind {
            cd.removed = true;
            child.nlink = 0;
            if let Ok(d) = self.dir_mut(dir) {
                d.subdirs = d.subdirs.saturating_sub(1);
            }
        }
        self.maybe_free(ino);
        Ok(ino)
    }

    /// Free `ino` if no name and no handle refers to it.
    pub fn maybe_free(&mut self, ino: u64) {
        if ino == ROOT {
            return;
        }
        if let Some(n) = self.inodes.get(&ino)
            && n.nlink == 0
            && n.open == 0
        {
            let bytes = n.bytes();
            self.bytes = self.bytes.saturating_sub(bytes);
            self.inodes.remove(&ino);
        }
    }

    /// The WASI attributes of `ino`.
    pub fn filestat(&self, ino: u64) -> Result<Filestat> {
        let n = self.node(ino)?;
        let nlink = match &n.kind {
            Kind::Dir(d) if d.removed => 0,
            Kind::Dir(d) => 2 + d.subdirs,
            _ => n.nlink,
        };
        let size = match &n.kind {
            Kind::Dir(d) => d.entries.len() as u64,
            _ => n.bytes(),
        };
        Ok(Filestat {
            dev: self.dev,
            ino,
            filetype: n.filetype(),
            nlink,
            size,
            atim: n.atim,
            mtim: n.mtim,
            ctim: n.ctim,
        })
    }

    /// Set the times of `ino` (`None` leaves one alone); its change time becomes now.
    pub fn set_times(
        &mut self,
        ino: u64,
        atim: Option<Timestamp>,
        mtim: Option<Timestamp>,
    ) -> Result<()> {
        let now = self.now();
        let n = self.node_mut(ino)?;
        if let Some(a) = atim {
            n.atim = a;
        }
        if let Some(m) = mtim {
            n.mtim = m;
        }
        n.ctim = now;
        Ok(())
    }

    /// Resize file `ino` to `size`, zero-filling; `ENOSPC` past the cap, with nothing
    /// allocated.
    pub fn resize(&mut self, ino: u64, size: u64) -> Result<()> {
        if size > i64::MAX as u64 {
            return Err(Errno::Fbig.into());
        }
        let now = self.now();
        let len = match &self.node(ino)?.kind {
            Kind::File(d) => d.len() as u64,
            Kind::Dir(_) => return Err(Errno::Isdir.into()),
            Kind::Symlink(_) => return Err(Errno::Inval.into()),
        };
        if size > len {
            self.reserve_bytes(size - len)?;
        }
        let n = self.node_mut(ino)?;
        let Kind::File(data) = &mut n.kind else {
            return Err(Errno::Inval.into());
        };
        let size = usize::try_from(size).map_err(|_| Errno::Nospc)?;
        if size > data.len() {
            data.try_reserve(size - data.len())
                .map_err(|_| Errno::Nospc)?;
        }
        data.resize(size, 0);
        if size < data.capacity() / 4 {
            data.shrink_to(size);
        }
        n.mtim = now;
        n.ctim = now;
        self.bytes = self.bytes - len + size as u64;
        Ok(())
    }

    /// Is `ancestor` the directory `dir` or one it lies beneath?
    pub fn is_within(&self, mut dir: u64, ancestor: u64) -> bool {
        loop {
            if dir == ancestor {
                return true;
            }
            match self.dir(dir) {
                Ok(d) if d.parent != dir && !d.removed => dir = d.parent,
                _ => return false,
            }
        }
    }
}
