//! The path resolvers against each other: the input builds a tree of directories, files and
//! symbolic links (through guest calls), then resolves random paths of `.`, `..`, names,
//! slashes and links. The kernel resolver (`openat2`), the user-space walk over a host
//! directory and the walk over a `MemFs` must give the same errno or reach the same entry, and
//! none may reach anything outside the preopen.

#![no_main]

#[path = "../../crates/wasi/tests/sandbox_common/mod.rs"]
mod sandbox_common;

use std::collections::HashMap;

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use sandbox_common::{DirKind, PREOPEN, Sandbox};
use wasihost::PathResolver;
use wasihost::preview1::types::{Errno, Lookupflags, Oflags, Rights};
use wasihost::preview1::wasi_snapshot_preview1::WasiSnapshotPreview1;

const KINDS: [DirKind; 3] = [
    DirKind::Os(PathResolver::Auto),
    DirKind::Os(PathResolver::Userspace),
    DirKind::Mem,
];

const PARTS: [&str; 13] = [
    "a", "b", "f", "l0", "l1", "l2", ".", "..", "", "outside", "secret", "inside", "a/b",
];

/// A path from the input: 1-6 components, maybe absolute, maybe with a trailing slash.
fn path(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let n = u.int_in_range(1usize..=6)?;
    let mut p = String::new();
    if u.ratio(1, 16)? {
        p.push('/');
    }
    for i in 0..n {
        if i > 0 {
            p.push('/');
        }
        p.push_str(u.choose(&PARTS)?);
    }
    if u.ratio(1, 4)? {
        p.push('/');
    }
    Ok(p.into_bytes())
}

enum Op {
    Mkdir(Vec<u8>),
    File(Vec<u8>),
    Link(Vec<u8>, Vec<u8>),
    Unlink(Vec<u8>),
    Rename(Vec<u8>, Vec<u8>),
}

type Outcome = std::result::Result<String, Errno>;

/// Names of everything in the sandbox by inode: entries inside by path, the rest marked.
fn names(sb: &Sandbox) -> HashMap<u64, String> {
    let mut map = HashMap::new();
    map.insert(sb.ino_of(""), "OUTSIDE:<root>".to_string());
    map.insert(sb.ino_of("outside"), "OUTSIDE:outside".to_string());
    map.insert(sb.ino_of("outside/secret"), "OUTSIDE:secret".to_string());
    map.insert(sb.ino_of("outside/dir"), "OUTSIDE:dir".to_string());
    map.insert(sb.ino_of("inside"), ".".to_string());
    for (rel, _) in sb.inside_state() {
        let rel = rel.display().to_string();
        if rel != "<self>" {
            map.insert(sb.ino_of(&format!("inside/{rel}")), rel);
        }
    }
    map
}

fn outcomes(kind: DirKind, ops: &[Op], queries: &[Vec<u8>]) -> Vec<Outcome> {
    let mut sb = Sandbox::of(kind);
    sb.put_file("inside/f", b"f");
    let mut out = Vec::new();
    for op in ops {
        let r = match op {
            Op::Mkdir(p) => sb.mkdir(p),
            Op::File(p) => sb
                .open(p, Lookupflags::empty(), Oflags::CREAT)
                .map(|fd| sb.close(fd)),
            Op::Link(target, p) => sb.symlink(target, p),
            Op::Unlink(p) => sb.unlink(p),
            Op::Rename(a, b) => sb.rename(a, b),
        };
        out.push(r.map(|()| String::new()));
    }
    let names = names(&sb);
    let name = |ino: u64| {
        names
            .get(&ino)
            .cloned()
            .unwrap_or(format!("OUTSIDE:ino {ino}"))
    };
    for p in queries {
        for follow in [Lookupflags::empty(), Lookupflags::SYMLINK_FOLLOW] {
            out.push(sb.stat(p, follow).map(|st| name(st.ino)));
            let opened = sb.open_with(PREOPEN, p, follow, Oflags::empty(), Rights::FD_READ);
            out.push(opened.map(|fd| {
                let st = sb.call(|cx, mem| cx.fd_filestat_get(mem, fd)).unwrap();
                sb.close(fd);
                name(st.ino)
            }));
        }
        out.push(
            sb.readlink(p, 64)
                .map(|t| String::from_utf8_lossy(&t).into_owned()),
        );
    }
    out
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let mut ops = Vec::new();
    for _ in 0..u.int_in_range(0usize..=8)? {
        ops.push(match u.int_in_range(0u8..=5)? {
            0 => Op::Mkdir(path(&mut u)?),
            1 => Op::File(path(&mut u)?),
            2 => Op::Unlink(path(&mut u)?),
            3 => Op::Rename(path(&mut u)?, path(&mut u)?),
            _ => Op::Link(path(&mut u)?, path(&mut u)?),
        });
    }
    let mut queries = Vec::new();
    while !u.is_empty() && queries.len() < 8 {
        queries.push(path(&mut u)?);
    }
    let results: Vec<Vec<Outcome>> = KINDS.iter().map(|&k| outcomes(k, &ops, &queries)).collect();
    for (i, ((k, w), m)) in results[0]
        .iter()
        .zip(&results[1])
        .zip(&results[2])
        .enumerate()
    {
        for name in [k, w, m].into_iter().flatten() {
            assert!(!name.starts_with("OUTSIDE"), "step {i} reached {name}");
        }
        assert!(
            k == w && k == m,
            "step {i}: kernel {k:?} walk {w:?} memfs {m:?}"
        );
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(scratch_on_tmpfs);
    let _ = run(data);
});

/// Scratch trees on tmpfs when there is one: creating and removing them on a disk file system
/// costs more than the calls under test.
fn scratch_on_tmpfs() {
    if std::path::Path::new("/dev/shm").is_dir() && std::env::var_os("TMPDIR").is_none() {
        // SAFETY: called once, before this process starts any thread of its own.
        unsafe { std::env::set_var("TMPDIR", "/dev/shm") };
    }
}
