//! The files the workloads use, made once per benchmark run in a temporary directory that every
//! runner gets as its preopened directory `.` (the guest's fd 3).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The small file opened and stat'ed.
pub const SMALL: &str = "file.txt";
/// Its contents.
pub const SMALL_FILE: &[u8] = b"a small file for path_open and path_filestat_get\n";
/// The large file read with `fd_read`.
pub const BIG: &str = "big.bin";
/// The read buffer, and the unit the large file is stamped in.
pub const BLOCK: usize = 64 * 1024;
/// The large directory.
pub const DIR: &str = "dir10k";
/// Entries in it (not counting `.` and `..`).
pub const DIR_ENTRIES: u64 = 10_000;
/// The tree the C guest copies.
pub const TREE: &str = "tree";
/// Files in it.
pub const TREE_FILES: u64 = 1000;

/// 64 KiB blocks in the large file: 1 GiB at full size.
pub fn big_blocks(div: u64) -> u64 {
    (16384 / div).max(1)
}

/// Path of the tree's file number `k` (0..TREE_FILES), relative to the tree: 10 directories of
/// 4 subdirectories of 25 files.
fn tree_file(k: u64) -> String {
    format!("d{}/s{}/f{}.dat", k / 100, k / 25 % 4, k % 25)
}

/// Contents of the tree's file number `k`: 100 to 4,099 bytes.
fn tree_contents(k: u64) -> Vec<u8> {
    let len = 100 + (k * 397 % 4000);
    (0..len).map(|i| ((k + i) * 31 % 251) as u8).collect()
}

/// Total bytes in the tree.
pub fn tree_bytes() -> u64 {
    (0..TREE_FILES).map(|k| 100 + (k * 397 % 4000)).sum()
}

/// The fixture directory.
pub struct Fixtures {
    /// Its path on the host.
    pub root: PathBuf,
}

impl Fixtures {
    /// Make every fixture under a new directory in `base`; the large file holds `blocks` blocks.
    pub fn create(base: &Path, blocks: u64) -> io::Result<(tempfile::TempDir, Fixtures)> {
        let dir = tempfile::Builder::new()
            .prefix("wasihost-sidebyside.")
            .tempdir_in(base)?;
        let root = dir.path().to_path_buf();
        fs::write(root.join(SMALL), SMALL_FILE)?;

        let mut big = io::BufWriter::with_capacity(1 << 20, fs::File::create(root.join(BIG))?);
        let mut block = vec![0x5au8; BLOCK];
        for i in 1..=blocks {
            block[..8].copy_from_slice(&i.to_le_bytes());
            big.write_all(&block)?;
        }
        big.into_inner().map_err(|e| e.into_error())?.sync_all()?;

        fs::create_dir(root.join(DIR))?;
        for i in 0..DIR_ENTRIES {
            fs::File::create(root.join(DIR).join(format!("f{i:05}")))?;
        }

        for k in 0..TREE_FILES {
            let p = root.join(TREE).join(tree_file(k));
            fs::create_dir_all(p.parent().expect("a file in a directory"))?;
            fs::write(p, tree_contents(k))?;
        }
        Ok((dir, Fixtures { root }))
    }

    /// The fixtures a parent process made at `root`.
    pub fn at(root: PathBuf) -> Fixtures {
        Fixtures { root }
    }

    /// Check the C guest's copies under `out/0` .. `out/(rounds-1)`, byte for byte: the number of
    /// files and of bytes that match (each copy must hold exactly the tree's files).
    pub fn verify_copies(&self, out: &str, rounds: u64) -> (u64, u64) {
        let (mut files, mut bytes) = (0, 0);
        for r in 0..rounds {
            let copy = self.root.join(out).join(r.to_string());
            if count_files(&copy) != TREE_FILES {
                continue;
            }
            for k in 0..TREE_FILES {
                let want = tree_contents(k);
                if fs::read(copy.join(tree_file(k))).is_ok_and(|got| got == want) {
                    files += 1;
                    bytes += want.len() as u64;
                }
            }
        }
        (files, bytes)
    }
}

/// Regular files under `dir`, recursively (0 if it cannot be read).
fn count_files(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => count_files(&e.path()),
            Ok(t) if t.is_file() => 1,
            _ => 0,
        })
        .sum()
}
