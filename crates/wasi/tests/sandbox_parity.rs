//! The kernel resolver (`openat2`) and the user-space walk must give the same answers: every
//! combination of up to three components over a tree full of links, dots and escapes, with and
//! without a trailing slash and `SYMLINK_FOLLOW`, is statted and opened through both.

mod sandbox_common;

use std::os::unix::fs::symlink;

use sandbox_common::{PREOPEN, Sandbox};
use wasihost::PathResolver;
use wasihost::preview1::types::{Errno, Lookupflags, Oflags, Rights};

const PARTS: &[&str] = &[
    "sub", "file", ".", "..", "", "self", "back", "up", "loop", "chain", "dangling", "missing",
    "slashy",
];

fn plant(sb: &Sandbox) {
    let d = sb.inside();
    std::fs::create_dir_all(d.join("sub/sub")).unwrap();
    std::fs::write(d.join("file"), b"f").unwrap();
    std::fs::write(d.join("sub/file"), b"sf").unwrap();
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
        symlink(target, d.join(name)).unwrap();
    }
}

/// What a call did: what it reached (a path relative to the preopen, or a descriptor
/// number), or the errno.
type Outcome = Result<String, Errno>;

/// Host inode numbers of everything inside, by path: the two sandboxes are different trees.
fn names(sb: &Sandbox) -> std::collections::HashMap<u64, String> {
    let mut map = std::collections::HashMap::new();
    let ino = |p: &std::path::Path| {
        std::os::unix::fs::MetadataExt::ino(&std::fs::symlink_metadata(p).unwrap())
    };
    map.insert(ino(&sb.inside()), ".".to_string());
    map.insert(ino(sb.root.path()), "<root>".to_string());
    for (rel, _) in sb.inside_state() {
        map.insert(ino(&sb.inside().join(&rel)), rel.display().to_string());
    }
    map
}

fn outcomes(resolver: PathResolver, paths: &[Vec<u8>]) -> Vec<[Outcome; 4]> {
    let mut sb = Sandbox::new(resolver);
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
    let kernel = outcomes(PathResolver::Auto, &paths);
    let walk = outcomes(PathResolver::Userspace, &paths);
    let mut differences = Vec::new();
    for ((p, k), w) in paths.iter().zip(&kernel).zip(&walk) {
        if k != w {
            differences.push(format!(
                "{}: kernel {k:?} walk {w:?}",
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
    for resolver in [PathResolver::Auto, PathResolver::Userspace] {
        let mut sb = Sandbox::new(resolver);
        let d = sb.inside();
        std::fs::create_dir_all(d.join(["d"; 100].join("/"))).unwrap();
        std::fs::write(d.join("file"), b"f").unwrap();
        let ino = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(d.join("file")).unwrap());
        let down = ["d"; 100].join("/");
        let up = [".."; 100].join("/");
        let follow = Lookupflags::SYMLINK_FOLLOW;
        let p = format!("{down}/{up}/file");
        assert_eq!(
            sb.stat(p.as_bytes(), follow).map(|s| s.ino),
            Ok(ino),
            "{resolver:?}"
        );
        let p = format!("{down}/{up}/../file");
        assert_eq!(
            sb.stat(p.as_bytes(), follow).map(drop),
            Err(Errno::Perm),
            "{resolver:?}"
        );
        // Zig-zag around the depth the walk keeps descriptors for.
        let zig = ["d/d/d/../.."; 60].join("/");
        let p = format!("{zig}/{}/file", [".."; 60].join("/"));
        assert_eq!(
            sb.stat(p.as_bytes(), follow).map(|s| s.ino),
            Ok(ino),
            "{resolver:?}"
        );

        // l0 -> l1 -> ... -> l40 -> file: 41 links to expand is one too many; 40 is fine.
        for i in 0..40 {
            symlink(format!("l{}", i + 1), d.join(format!("l{i}"))).unwrap();
        }
        symlink("file", d.join("l40")).unwrap();
        assert_eq!(
            sb.stat(b"l1", follow).map(|s| s.ino),
            Ok(ino),
            "{resolver:?}"
        );
        assert_eq!(
            sb.stat(b"l0", follow).map(drop),
            Err(Errno::Loop),
            "{resolver:?}"
        );
        assert_eq!(
            sb.stat(b"l1/", follow).map(drop),
            Err(Errno::Notdir),
            "{resolver:?}"
        );
    }
}
