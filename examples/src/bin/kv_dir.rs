//! A directory of one's own: a read-only key-value store shown to the guest as files, one per
//! key. Implementing `WasiDir`'s five required methods is all it takes (values are served as
//! `BytesFile`s); wasihost resolves paths, checks rights, and the trait's defaults refuse every
//! change with `EROFS`.
//!
//! `cargo run -p wasihost-examples --bin kv_dir`

use std::collections::BTreeMap;
use std::sync::Arc;

use wasihost::preview1::types::{Dircookie, Errno, Filestat, Filetype};
use wasihost::vfs::{BytesFile, DirEntry, OpenOptions, Opened, WasiDir};
use wasihost::{Mount, Result, WasiCtx};
use wasihost_examples::{BoxError, run_on_wasmtime};

/// The store: keys are file names, values their contents.
struct KvDir(Arc<BTreeMap<String, Arc<[u8]>>>);

/// Attributes of a value or (size 0) of the directory: no times, no inode numbers.
fn stat(filetype: Filetype, size: usize) -> Filestat {
    let (dev, ino, nlink, size, atim, mtim, ctim) = (0, 0, 1, size as u64, 0, 0, 0);
    Filestat {
        dev,
        ino,
        filetype,
        nlink,
        size,
        atim,
        mtim,
        ctim,
    }
}

impl KvDir {
    fn value(&self, name: &[u8]) -> Result<&Arc<[u8]>> {
        let key = std::str::from_utf8(name).map_err(|_| Errno::Noent)?;
        Ok(self.0.get(key).ok_or(Errno::Noent)?)
    }
}

impl WasiDir for KvDir {
    fn open(&self, name: &[u8], opts: &OpenOptions) -> Result<Opened> {
        match self.value(name) {
            Err(_) if opts.create => Err(Errno::Rofs.into()),
            Ok(_) if opts.directory => Err(Errno::Notdir.into()),
            Ok(_) if opts.write || opts.truncate => Err(Errno::Rofs.into()),
            Ok(v) => Ok(Opened::File(Arc::new(BytesFile::new(v.clone())))),
            Err(e) => Err(e),
        }
    }
    fn stat_at(&self, name: &[u8]) -> Result<Filestat> {
        Ok(stat(Filetype::RegularFile, self.value(name)?.len()))
    }
    fn stat(&self) -> Result<Filestat> {
        Ok(stat(Filetype::Directory, 0))
    }
    fn readdir(&self, cookie: Dircookie, out: &mut dyn FnMut(&DirEntry<'_>) -> bool) -> Result<()> {
        // Cookie n is "entry n next": `.`, `..`, then the keys in order (the map never changes).
        let dots = [(".", Filetype::Directory), ("..", Filetype::Directory)];
        let keys = self.0.keys().map(|k| (k.as_str(), Filetype::RegularFile));
        let all = dots.into_iter().chain(keys).enumerate();
        for (n, (name, filetype)) in all.skip(cookie as usize) {
            let (next, ino, name) = (n as u64 + 1, 0, name.as_bytes());
            if !out(&DirEntry {
                next,
                ino,
                filetype,
                name,
            }) {
                break;
            }
        }
        Ok(())
    }
    fn reopen(&self) -> Result<Arc<dyn WasiDir>> {
        Ok(Arc::new(KvDir(self.0.clone())))
    }
}

fn main() -> std::result::Result<(), BoxError> {
    let values = [("colour", "teal\n"), ("answer", "42\n")];
    let map = values.map(|(k, v)| (k.to_string(), Arc::from(v.as_bytes())));
    let kv = Arc::new(KvDir(Arc::new(BTreeMap::from(map))));
    let ctx = WasiCtx::builder()
        .args("explore ls /kv cat /kv/answer write /kv/new no".split(' '))
        .inherit_stdio()
        .preopen(kv, "/kv", Mount::ReadOnly)
        .build()?;
    println!(
        "exit status {} (the write is refused)",
        run_on_wasmtime(ctx)?
    );
    Ok(())
}
