//! The kernel resolver (`openat2`), the user-space walk and a `MemFs` preopen must give the
//! same answers: every combination of up to three components over a tree full of links, dots
//! and escapes, with and without a trailing slash and `SYMLINK_FOLLOW`, is statted and opened
//! through all three.

mod sandbox_common;

use sandbox_common::{DirKind, KINDS, PREOPEN, Sandbox};
use wasihost::PathResolver;
use wasihost::preview1::types::{Errno, Lookupflags, Oflags, Rights};
use wasihost::preview1::wasi_snapshot_preview1::WasiSnapshotPreview1;

const PARTS: &[&str] = &[
    "sub", "file", ".", "..", "", "self", "back", "up", "loop", "chain", "dangling", "missing",
    "slashy",
];

fn plant(sb: &Sandbox) {
    sb.put_dir("inside/sub/sub");
    sb.put_file("inside/file", b"f");
    sb.put_file("inside/sub/file", b"sf");
    for (name, target) in [
        ("self", "."),
        ("sub/self", "."),
        ("back", "sub/.."),
        ("sub/back", "../sub"),
        ("up", ".."),
        ("sub/up", ".."),
        ("loop", "loop"),
        ("chain", "sub/chain"),
        ("sub/chain", "../file"),
        ("dangling", "nowhere"),
        ("slashy", "sub/"),
        ("sub/slashy", "file/"),
    ] {
        sb.put_symlink(target, &format!("inside/{name}"));
    }
}

/// What a call did: what it reached (a path relative to the preopen, or a descriptor
/// number), or the errno.
type Outcome = Result<String, Errno>;

/// Inode numbers of everything inside, by path: the sandboxes are different trees.
fn names(sb: &Sandbox) -> std::collections::HashMap<u64, String> {
    let mut map = std::collections::HashMap::new();
    map.insert(sb.ino_of("inside"), ".".to_string());
    map.insert(sb.ino_of(""), "<root>".to_string());
    for (rel, _) in sb.inside_state() {
        let rel = rel.display().to_string();
        if rel != "<self>" {
            map.insert(sb.ino_of(&format!("inside/{rel}")), rel);
        }
    }
    map
}

fn outcomes(kind: DirKind, paths: &[Vec<u8>]) -> Vec<[Outcome; 4]> {
    let mut sb = Sandbox::of(kind);
    plant(&sb);
    let names = names(&sb);
    let mut out = Vec::with_capacity(paths.len());
    for (n, p) in paths.iter().enumerate() {
        if n % 256 == 0 {
            sb.reset();
        }
        let mut row: [Outcome; 4] = std::array::from_fn(|_| Ok(String::new()));
        for (i, follow) in [Lookupflags::empty(), Lookupflags::SYMLINK_FOLLOW]
            .into_iter()
            .enumerate()
        {
            row[i] = sb.stat(p, follow).map(|st| names[&st.ino].clone());
            // Open read-only (unlike the `O_PATH` open behind a stat, this refuses a final
            // link without FOLLOW); both give out the same descriptor numbers.
            let opened = sb.open_with(PREOPEN, p, follow, Oflags::empty(), Rights::FD_READ);
            row[2 + i] = opened.map(|fd| fd.raw().to_string());
        }
        out.push(row);
    }
    out
}

#[test]
fn both_resolvers_agree() {
    let mut paths: Vec<Vec<u8>> = Vec::new();
    for a in PARTS {
        for b in PARTS.iter().chain([&"<end>"]) {
            for c in PARTS.iter().chain([&"<end>"]) {
                let mut p = a.to_string();
                for next in [b, c] {
                    if **next != *"<end>" {
                        p = format!("{p}/{next}");
                    }
                }
                if p.is_empty() || p.starts_with('/') {
                    continue;
                }
                paths.push(format!("{p}/").into_bytes());
                paths.push(p.into_bytes());
            }
        }
    }
    paths.sort();
    paths.dedup();
    let kernel = outcomes(DirKind::Os(PathResolver::Auto), &paths);
    let walk = outcomes(DirKind::Os(PathResolver::Userspace), &paths);
    let mem = outcomes(DirKind::Mem, &paths);
    let mut differences = Vec::new();
    for (((p, k), w), m) in paths.iter().zip(&kernel).zip(&walk).zip(&mem) {
        if k != w || k != m {
            differences.push(format!(
                "{}: kernel {k:?} walk {w:?} memfs {m:?}",
                String::from_utf8_lossy(p)
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // The tree really exercises the interesting answers.
    let flat: Vec<&Outcome> = kernel.iter().flatten().collect();
    for e in [Errno::Perm, Errno::Loop, Errno::Notdir, Errno::Noent] {
        assert!(flat.contains(&&Err(e)), "no {e:?} among the answers");
    }
    assert!(flat.iter().filter(|o| o.is_ok()).count() > 100);
}

/// Deep directories (more than the walk keeps open at once) and the 40-link limit.
#[test]
fn deep_paths_and_link_limits_agree() {
    for kind in KINDS {
        let mut sb = Sandbox::of(kind);
        sb.put_dir(&format!("inside/{}", ["d"; 100].join("/")));
        sb.put_file("inside/file", b"f");
        let ino = sb.ino_of("inside/file");
        let down = ["d"; 100].join("/");
        let up = [".."; 100].join("/");
        let follow = Lookupflags::SYMLINK_FOLLOW;
        let p = format!("{down}/{up}/file");
        assert_eq!(
            sb.stat(p.as_bytes(), follow).map(|s| s.ino),
            Ok(ino),
            "{kind:?}"
        );
        let p = format!("{down}/{up}/../file");
        assert_eq!(
            sb.stat(p.as_bytes(), follow).map(drop),
            Err(Errno::Perm),
            "{kind:?}"
        );
        // Zig-zag around the depth the walk keeps descriptors for.
        let zig = ["d/d/d/../.."; 60].join("/");
        let p = format!("{zig}/{}/file", [".."; 60].join("/"));
        assert_eq!(
            sb.stat(p.as_bytes(), follow).map(|s| s.ino),
            Ok(ino),
            "{kind:?}"
        );

        // l0 -> l1 -> ... -> l40 -> file: 41 links to expand is one too many; 40 is fine.
        for i in 0..40 {
            sb.put_symlink(&format!("l{}", i + 1), &format!("inside/l{i}"));
        }
        sb.put_symlink("file", "inside/l40");
        assert_eq!(sb.stat(b"l1", follow).map(|s| s.ino), Ok(ino), "{kind:?}");
        assert_eq!(
            sb.stat(b"l0", follow).map(drop),
            Err(Errno::Loop),
            "{kind:?}"
        );
        assert_eq!(
            sb.stat(b"l1/", follow).map(drop),
            Err(Errno::Notdir),
            "{kind:?}"
        );
    }
}

/// An exclusive create (which skips the `fstat` on the OS fast path: it can only have made a
/// regular file) gives the descriptor a plain open of the same file gives: type, flags and
/// rights, on every kind of directory, through a single name and through a longer path.
#[test]
fn an_exclusive_create_opens_what_a_plain_open_does() {
    for kind in KINDS {
        let mut sb = Sandbox::of(kind);
        sb.put_dir("inside/sub");
        for path in [&b"new"[..], b"sub/new"] {
            let rights = Rights::FD_READ | Rights::FD_WRITE | Rights::FD_SEEK | Rights::FD_TELL;
            let excl = Oflags::CREAT | Oflags::EXCL;
            let none = Lookupflags::empty();
            let created = sb.open_with(PREOPEN, path, none, excl, rights).unwrap();
            let plain = sb
                .open_with(PREOPEN, path, none, Oflags::empty(), rights)
                .unwrap();
            let st = |sb: &mut Sandbox, fd| sb.call(|cx, mem| cx.fd_fdstat_get(mem, fd)).unwrap();
            let (a, b) = (st(&mut sb, created), st(&mut sb, plain));
            assert_eq!(a, b, "{kind:?} {path:?}");
            assert_eq!(
                a.fs_filetype,
                wasihost::preview1::types::Filetype::RegularFile
            );
            assert!(
                a.fs_rights_base
                    .contains(Rights::FD_SEEK | Rights::FD_WRITE)
            );
            let again = sb.open_with(PREOPEN, path, none, excl, rights);
            assert_eq!(again, Err(Errno::Exist), "{kind:?} {path:?}");
            sb.close(created);
            sb.close(plain);
        }
    }
}
