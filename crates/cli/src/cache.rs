//! The compilation cache (wasmtime only), and the precompiled file format it shares with
//! `wasihost compile`.
//!
//! A file is our header and then the bytes of `wasmtime::Module::serialize`:
//!
//! | bytes | what |
//! |-------|------|
//! | 8     | [`MAGIC`] |
//! | 4     | format version, little-endian ([`FORMAT`]) |
//! | 32    | the [`key`] of the module and configuration it was compiled from |
//! | 8     | payload length, little-endian |
//! | 32    | SHA-256 of the payload |
//! | ...   | payload |
//!
//! Cache entries are `DIR/KEY.cwasm` (the key in hex). An entry is used only when its header
//! checks out (magic, version, the key it was stored under, length, checksum) and wasmtime
//! accepts the payload; anything else is a miss: the module is compiled and the entry replaced.
//! New entries are written to a temporary file in `DIR` and renamed into place, so concurrent
//! runs never see a half-written one. After each write the least recently used entries (by
//! mtime, which a hit sets to now) are removed until the directory is within its bound.
//!
//! A cache that cannot be read or written never fails a run: the module is compiled as
//! without a cache, and a failed write prints one warning line. `WASIHOST_CACHE_LOG=1` logs
//! each hit, miss, replacement, write and eviction to stderr.

use std::fs::{self, File, OpenOptions};
use std::hash::{Hash, Hasher};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::args::{CacheOpts, Limits};
use crate::features::Feature;

/// The first bytes of a precompiled file or cache entry.
pub const MAGIC: [u8; 8] = *b"WASIHOST";
/// The version of the header layout; a file of another version is not read.
pub const FORMAT: u32 = 1;
/// Header length: magic, version, key, payload length, payload checksum.
const HEADER_LEN: usize = 8 + 4 + 32 + 8 + 32;
/// The default bound on the cache directory's size.
pub const DEFAULT_MAX_SIZE: u64 = 1 << 30;
/// A temporary file older than this was left by a run that died; eviction removes it.
const STALE_TEMP: Duration = Duration::from_secs(3600);

/// What a compiled module is stored under: SHA-256 of everything that decides its code.
pub type Key = [u8; 32];

/// The key of `wasm` compiled by `engine` with our `-W` settings: the module's bytes,
/// wasmtime's compatibility hash of the engine (version, target, CPU features, tunables,
/// proposals) and our own flags that change the code (proposals, fuel, epoch interruption).
pub fn key(
    engine: &wasmtime::Engine,
    features: &[(Feature, bool)],
    limits: &Limits,
    wasm: &[u8],
) -> Key {
    let mut sha = Sha256::new();
    sha.update(b"wasihost module key\0");
    engine
        .precompile_compatibility_hash()
        .hash(&mut ShaHasher(&mut sha));
    for (feature, on) in features {
        sha.update(feature.name());
        sha.update([0, u8::from(*on)]);
    }
    sha.update([
        u8::from(limits.fuel.is_some()),
        u8::from(limits.timeout.is_some()),
    ]);
    sha.update((wasm.len() as u64).to_le_bytes());
    sha.update(wasm);
    sha.finalize().into()
}

/// Feeds what a `Hash` impl writes into SHA-256 (`finish` is never called by `Hash::hash`).
struct ShaHasher<'a>(&'a mut Sha256);

impl Hasher for ShaHasher<'_> {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        0
    }
}

/// A file: our header for `key`, then `payload`.
pub fn encode(key: &Key, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(payload));
    out.extend_from_slice(payload);
    out
}

/// The key and payload of a file, once its header checks out; else why not.
pub fn decode(bytes: &[u8]) -> Result<(Key, &[u8]), String> {
    if bytes.len() < HEADER_LEN {
        return Err(format!(
            "truncated: {} bytes, shorter than the header",
            bytes.len()
        ));
    }
    let (header, payload) = bytes.split_at(HEADER_LEN);
    if header[..8] != MAGIC {
        return Err("not a file from wasihost compile (no WASIHOST header)".to_string());
    }
    let field = |at: usize, n: usize| &header[at..at + n];
    let format = u32::from_le_bytes(field(8, 4).try_into().expect("4 bytes"));
    if format != FORMAT {
        return Err(format!(
            "header format {format}, this wasihost reads format {FORMAT}"
        ));
    }
    let key: Key = field(12, 32).try_into().expect("32 bytes");
    let len = u64::from_le_bytes(field(44, 8).try_into().expect("8 bytes"));
    if len != payload.len() as u64 {
        return Err(format!(
            "truncated or damaged: the header says {len} bytes of code, the file has {}",
            payload.len()
        ));
    }
    if Sha256::digest(payload)[..] != *field(52, 32) {
        return Err("damaged: the checksum of the code does not match".to_string());
    }
    Ok((key, payload))
}

/// An open compilation cache directory.
pub struct Cache {
    dir: PathBuf,
    max_size: u64,
    log: bool,
}

impl Cache {
    /// The cache the flags ask for: `None` with `-C cache=n`, or when there is no
    /// `--cache-dir` and neither `$XDG_CACHE_HOME` nor `$HOME` names a directory.
    pub fn new(opts: &CacheOpts) -> Option<Cache> {
        if opts.off {
            return None;
        }
        let dir = opts.dir.clone().or_else(default_dir)?;
        Some(Cache {
            dir,
            max_size: opts.max_size.unwrap_or(DEFAULT_MAX_SIZE),
            log: std::env::var_os("WASIHOST_CACHE_LOG").is_some_and(|v| !v.is_empty() && v != "0"),
        })
    }

    /// The module stored under `key`, or else `compile()`'s, which is then stored. Only
    /// `compile`'s errors are returned; the cache's own are a miss or a warning.
    pub fn module(
        &self,
        engine: &wasmtime::Engine,
        key: &Key,
        compile: impl FnOnce() -> wasmtime::Result<wasmtime::Module>,
    ) -> wasmtime::Result<wasmtime::Module> {
        let path = self.dir.join(format!("{}.cwasm", hex(key)));
        if let Some(module) = self.load(engine, key, &path) {
            return Ok(module);
        }
        let module = compile()?;
        if let Err(e) = self.store(key, &module, &path) {
            eprintln!(
                "wasihost: warning: compilation cache {} not written: {} (running without \
                 it; -C cache=n turns it off)",
                self.dir.display(),
                crate::errors::chain(&e)
            );
        }
        Ok(module)
    }

    fn note(&self, what: std::fmt::Arguments) {
        if self.log {
            eprintln!("wasihost: cache: {what}");
        }
    }

    /// The entry at `path`, if it is whole, stored under `key`, and wasmtime takes it.
    fn load(&self, engine: &wasmtime::Engine, key: &Key, path: &Path) -> Option<wasmtime::Module> {
        let p = path.display();
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) => {
                self.note(format_args!("miss {p}: {e}"));
                return None;
            }
        };
        let mut bytes = Vec::new();
        if let Err(e) = file.read_to_end(&mut bytes) {
            self.note(format_args!("miss {p}: {e}"));
            return None;
        }
        let payload = match decode(&bytes) {
            Ok((k, payload)) if k == *key => payload,
            Ok(_) => {
                self.note(format_args!("replacing {p}: stored for another key"));
                return None;
            }
            Err(why) => {
                self.note(format_args!("replacing {p}: {why}"));
                return None;
            }
        };
        // SAFETY: `deserialize` runs the payload as native code, so it must be something
        // wasmtime serialized. The cache directory is the user's own (their `--cache-dir` or
        // their XDG cache), as trusted as the wasihost binary; what could go wrong there by
        // accident (a damaged, truncated or misplaced file) the header catches: the payload
        // has the length and SHA-256 written with it, and the key it was stored under. What
        // wasmtime version and engine settings it was compiled for, wasmtime checks itself.
        match unsafe { wasmtime::Module::deserialize(engine, payload) } {
            Ok(module) => {
                // Mark it recently used for eviction; a failure only makes it look older.
                let _ = file.set_modified(SystemTime::now());
                self.note(format_args!("hit {p}"));
                Some(module)
            }
            Err(e) => {
                let why = crate::errors::wasmtime_chain(&e);
                self.note(format_args!("replacing {p}: {why}"));
                None
            }
        }
    }

    /// Write `module` as the entry at `path` (via a temporary file and a rename), then evict.
    fn store(&self, key: &Key, module: &wasmtime::Module, path: &Path) -> io::Result<()> {
        let payload = module.serialize().map_err(io::Error::other)?;
        let entry = encode(key, &payload);
        if entry.len() as u64 > self.max_size {
            self.note(format_args!(
                "not stored: {} bytes is more than the bound of {}",
                entry.len(),
                self.max_size
            ));
            return Ok(());
        }
        fs::create_dir_all(&self.dir)?;
        static SERIAL: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let temp = self.dir.join(format!(
            ".{}.{}.{nanos}.{}.tmp",
            hex(key),
            std::process::id(),
            SERIAL.fetch_add(1, Ordering::Relaxed)
        ));
        let written = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .and_then(|mut f| {
                f.write_all(&entry)?;
                // The same clock as a hit's touch (the kernel's own stamp is coarser), so
                // eviction orders writes and hits as they happened.
                f.set_modified(SystemTime::now())
            })
            .and_then(|()| fs::rename(&temp, path));
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(e);
        }
        self.note(format_args!("stored {}", path.display()));
        self.evict();
        Ok(())
    }

    /// Remove the least recently used entries until the directory is within the bound, and
    /// temporary files older than [`STALE_TEMP`]. Only our own file names are touched.
    fn evict(&self) {
        let Ok(dir) = fs::read_dir(&self.dir) else {
            return;
        };
        let now = SystemTime::now();
        let (mut entries, mut total) = (Vec::new(), 0u64);
        for e in dir.flatten() {
            let (Ok(meta), Some(name)) = (e.metadata(), e.file_name().to_str().map(String::from))
            else {
                continue;
            };
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            if is_temp(&name) {
                if now
                    .duration_since(modified)
                    .is_ok_and(|age| age > STALE_TEMP)
                {
                    let _ = fs::remove_file(e.path());
                }
            } else if is_entry(&name) && meta.is_file() {
                total += meta.len();
                entries.push((modified, meta.len(), e.path()));
            }
        }
        entries.sort();
        for (_, len, path) in entries {
            if total <= self.max_size {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                self.note(format_args!("evicted {}", path.display()));
            }
            total -= len;
        }
    }
}

/// `$XDG_CACHE_HOME/wasihost` (when absolute, as the spec asks), else `$HOME/.cache/wasihost`.
fn default_dir() -> Option<PathBuf> {
    let absolute = |var: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let base = absolute("XDG_CACHE_HOME").or_else(|| absolute("HOME").map(|h| h.join(".cache")))?;
    Some(base.join("wasihost"))
}

/// Lower-case hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_hex_key(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `KEY.cwasm`.
fn is_entry(name: &str) -> bool {
    name.strip_suffix(".cwasm").is_some_and(is_hex_key)
}

/// `.KEY.PID.NANOS.SERIAL.tmp`.
fn is_temp(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|n| n.strip_suffix(".tmp"))
        .and_then(|n| n.split_once('.'))
        .is_some_and(|(key, _)| is_hex_key(key))
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
