//! Filling a [`MemFs`] from a host directory or a tar archive.

use std::collections::HashMap;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path};

use super::MemFs;
use super::inspect::{parent, put_file, to_io};
use super::node::{DirData, Kind, State};
use crate::error::Result;
use crate::preview1::types::Errno;

/// Read at most `size` bytes of `r` after checking that they fit the cap, so a lying size
/// never makes the host allocate more than the cap allows.
fn read_capped(st: &State, r: &mut impl Read, size: u64) -> io::Result<Vec<u8>> {
    st.reserve_bytes(size).map_err(to_io)?;
    let mut data = Vec::new();
    r.take(size).read_to_end(&mut data)?;
    Ok(data)
}

fn invalid(what: &str, path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{what}: {}", path.display()),
    )
}

/// `path` of an archive as a relative `/`-separated path; absolute paths and `..` are errors.
fn archive_path(path: &Path) -> io::Result<String> {
    let mut out = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(n) => out.push(
                n.to_str()
                    .ok_or_else(|| invalid("tar entry name is not UTF-8", path))?,
            ),
            Component::CurDir => {}
            Component::ParentDir => return Err(invalid("tar entry leaves the root", path)),
            Component::RootDir | Component::Prefix(_) => {
                return Err(invalid("tar entry path is absolute", path));
            }
        }
    }
    Ok(out.join("/"))
}

impl MemFs {
    /// A file system holding a copy of host directory `path` (see [`MemFs::load_host_dir`]).
    pub fn from_host_dir(path: impl AsRef<Path>) -> io::Result<MemFs> {
        let fs = MemFs::new();
        fs.load_host_dir(path)?;
        Ok(fs)
    }

    /// A file system holding the contents of a tar archive (see [`MemFs::load_tar`]).
    pub fn from_tar(reader: impl Read) -> io::Result<MemFs> {
        let fs = MemFs::new();
        fs.load_tar(reader)?;
        Ok(fs)
    }

    /// Copy host directory `path` into the root, deeply: regular files, directories and
    /// symbolic links (as links, never followed), hard links between files kept as hard links,
    /// modification times kept; entries are added in the order of their names (bytewise), so
    /// the copy lists the same way whatever order the host's file system lists in. Other kinds of files are skipped. Nothing refers back to the
    /// host afterwards. The caps apply (`ENOSPC`).
    pub fn load_host_dir(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let mut links: HashMap<(u64, u64), u64> = HashMap::new();
        let mut todo = vec![(path.as_ref().to_path_buf(), super::node::ROOT)];
        while let Some((host, dir)) = todo.pop() {
            // Sorted by name: the host's readdir order differs between file systems, and
            // the copy's listing order (creation order) should not.
            let mut entries = std::fs::read_dir(&host)?.collect::<io::Result<Vec<_>>>()?;
            entries.sort_by_key(|e| e.file_name());
            for entry in entries {
                let meta = entry.metadata()?;
                let name = entry.file_name();
                let name = name.as_bytes();
                let mut st = self.shared.lock();
                let ft = meta.file_type();
                let ino = if ft.is_dir() {
                    let ino = st
                        .create(dir, name, Kind::Dir(DirData::default()))
                        .map_err(to_io)?;
                    todo.push((entry.path(), ino));
                    ino
                } else if ft.is_symlink() {
                    let target = std::fs::read_link(entry.path())?;
                    let target = target.as_os_str().as_bytes().to_vec();
                    st.reserve_bytes(target.len() as u64).map_err(to_io)?;
                    st.create(dir, name, Kind::Symlink(target)).map_err(to_io)?
                } else if ft.is_file() {
                    let key = (meta.dev(), meta.ino());
                    if let Some(&ino) = links.get(&key) {
                        add_link(&mut st, ino, dir, name).map_err(to_io)?;
                        continue;
                    }
                    let mut f = std::fs::File::open(entry.path())?;
                    let data = read_capped(&st, &mut f, meta.len())?;
                    let ino = put_file(&mut st, dir, name, &data).map_err(to_io)?;
                    if meta.nlink() > 1 {
                        links.insert(key, ino);
                    }
                    ino
                } else {
                    continue;
                };
                let mtim = system_nanos(meta.mtime(), meta.mtime_nsec());
                let atim = system_nanos(meta.atime(), meta.atime_nsec());
                st.set_times(ino, Some(atim), Some(mtim)).map_err(to_io)?;
            }
        }
        Ok(())
    }

    /// Unpack a tar archive into the root: regular files, directories, symbolic links and hard
    /// links (to entries unpacked before); missing parent directories are created, later
    /// entries replace earlier files of the same name, other entry kinds are skipped.
    /// An absolute path or one with `..` is an error (`InvalidData`), as is a hard link to
    /// nothing unpacked. The caps apply (`ENOSPC`).
    pub fn load_tar(&self, reader: impl Read) -> io::Result<()> {
        let mut archive = tar::Archive::new(reader);
        for entry in archive.entries()? {
            let mut entry = entry?;
            let raw = entry.path()?.into_owned();
            let path = archive_path(&raw)?;
            if path.is_empty() {
                continue;
            }
            let kind = entry.header().entry_type();
            let mtim = entry
                .header()
                .mtime()
                .unwrap_or(0)
                .saturating_mul(1_000_000_000);
            let link = entry.link_name()?.map(|l| l.into_owned());
            let mut st = self.shared.lock();
            let ino = if kind.is_dir() {
                let (dir, name) = parent(&mut st, &path, true).map_err(to_io)?;
                match st.lookup(dir, name) {
                    Ok(ino) if st.dir(ino).is_ok() => ino,
                    _ => st
                        .create(dir, name, Kind::Dir(DirData::default()))
                        .map_err(to_io)?,
                }
            } else if kind.is_file() || kind == tar::EntryType::Continuous {
                let size = entry.size();
                let data = read_capped(&st, &mut entry, size)?;
                let (dir, name) = parent(&mut st, &path, true).map_err(to_io)?;
                put_file(&mut st, dir, name, &data).map_err(to_io)?
            } else if kind.is_symlink() {
                let target = link.ok_or_else(|| invalid("symlink without target", &raw))?;
                let target = target.as_os_str().as_bytes().to_vec();
                st.reserve_bytes(target.len() as u64).map_err(to_io)?;
                let (dir, name) = parent(&mut st, &path, true).map_err(to_io)?;
                st.create(dir, name, Kind::Symlink(target)).map_err(to_io)?
            } else if kind.is_hard_link() {
                let target = link.ok_or_else(|| invalid("hard link without target", &raw))?;
                let target = archive_path(&target)?;
                let (tdir, tname) = parent(&mut st, &target, false).map_err(to_io)?;
                let ino = st
                    .lookup(tdir, tname)
                    .map_err(|_| invalid("hard link to nothing", &raw))?;
                let (dir, name) = parent(&mut st, &path, true).map_err(to_io)?;
                add_link(&mut st, ino, dir, name).map_err(to_io)?;
                continue;
            } else {
                continue;
            };
            st.set_times(ino, None, Some(mtim)).map_err(to_io)?;
        }
        Ok(())
    }
}

/// Another name `name` in `dir` for the non-directory `ino`.
fn add_link(st: &mut State, ino: u64, dir: u64, name: &[u8]) -> Result<()> {
    if matches!(st.node(ino)?.kind, Kind::Dir(_)) {
        return Err(Errno::Perm.into());
    }
    st.check_new(dir, name)?;
    let now = st.now();
    st.node_mut(ino)?.nlink += 1;
    st.add_entry(dir, name, ino, false, now)
}

fn system_nanos(secs: i64, nsec: i64) -> u64 {
    u64::try_from(secs)
        .ok()
        .and_then(|s| s.checked_mul(1_000_000_000))
        .and_then(|s| s.checked_add(u64::try_from(nsec).unwrap_or(0)))
        .unwrap_or(0)
}
