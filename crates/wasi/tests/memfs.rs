//! The in-memory file system under real guests: every path_* and readdir_* guest that
//! sandbox_guests.rs runs on a host directory, here on a `MemFs`, plus the embedder's view
//! (preloads, caps, link counts, listing cookies), and the fd_* guests that crates/cli runs on
//! a host directory, with the same checks of what they leave behind.

use std::path::{Path, PathBuf};

use wasihost::memfs::{MemFs, SnapshotEntry};
use wasihost::preview1::types::Filetype;
use wasihost::vfs::{OpenOptions, Opened, WasiDir};
use wasihost::{Mount, OutputBuffer, WasiCtx};

fn guest(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/guests/bin")
        .join(format!("{name}.wasm"))
}

/// Run guest `name` with `fs` preopened as `.`; returns its exit status and output. The
/// engine is wasmtime, or wasmi with `WASIHOST_TEST_ENGINE=wasmi` (`.ci/run` runs both).
fn run_on(fs: &MemFs, name: &str, args: &[&str]) -> (i32, String) {
    let (out, err) = (OutputBuffer::new(), OutputBuffer::new());
    let ctx = WasiCtx::builder()
        .arg(name)
        .args(args)
        .stdout(out.stdio())
        .stderr(err.stdio())
        .preopen(fs.root(), ".", Mount::ReadWrite)
        .build()
        .unwrap();
    let status = match std::env::var("WASIHOST_TEST_ENGINE").as_deref() {
        Ok("wasmi") => run_on_wasmi(name, ctx),
        _ => {
            let engine = wasmtime::Engine::default();
            let module = wasmtime::Module::from_file(&engine, guest(name)).unwrap();
            wasihost::wasmtime_host::run(&engine, &module, ctx).unwrap()
        }
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.contents()),
        String::from_utf8_lossy(&err.contents())
    );
    (status as i32, text)
}

#[cfg(feature = "wasmi")]
fn run_on_wasmi(name: &str, ctx: WasiCtx) -> u32 {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, std::fs::read(guest(name)).unwrap()).unwrap();
    wasihost::wasmi_host::run(&engine, &module, ctx).unwrap()
}

#[cfg(not(feature = "wasmi"))]
fn run_on_wasmi(_: &str, _: WasiCtx) -> u32 {
    panic!("WASIHOST_TEST_ENGINE=wasmi needs the wasmi feature: cargo test --features wasmi")
}

fn run(name: &str, args: &[&str], fs: MemFs) {
    let (status, out) = run_on(&fs, name, args);
    assert_eq!(status, 0, "{name} on a MemFs: {out}");
}

macro_rules! guests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run(stringify!($name), &[], MemFs::new());
            }
        )*
    };
}

guests!(
    path_close_preopen,
    path_dangling_fd,
    path_dangling_symlink,
    path_dir_seek,
    path_exists,
    path_filestat,
    path_interesting,
    path_link,
    path_nofollow,
    path_open_create,
    path_open_dirfd,
    path_open_lots,
    path_open_missing,
    path_open_nonblock,
    path_open_preopen,
    path_open_read_write,
    path_overwrite_preopen,
    path_readlink,
    path_remove_dir,
    path_rename,
    path_symlink_create,
    path_symlink_filestat,
    path_symlink_loop,
    path_unlink,
    readdir_paging,
);

#[test]
fn readdir_libc() {
    let fs = MemFs::new();
    for i in 0..3000 {
        fs.write_file(&format!("big/f{i:05}"), b"").unwrap();
    }
    run("readdir_libc", &["3000"], fs);
}

/// Names listed from `cookie` on, with the cookie after each.
fn list(dir: &dyn WasiDir, cookie: u64) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    dir.readdir(cookie, &mut |e| {
        out.push((String::from_utf8_lossy(e.name).into_owned(), e.next));
        true
    })
    .unwrap();
    out
}

#[test]
fn readdir_cookies_survive_adds_and_removes() {
    let fs = MemFs::new();
    for i in 0..200 {
        fs.write_file(&format!("f{i:03}"), b"x").unwrap();
    }
    let root = fs.root();
    let all = list(&*root, 0);
    assert_eq!(all[0].0, ".");
    assert_eq!(all[1].0, "..");
    let names: Vec<_> = all[2..].iter().map(|e| e.0.clone()).collect();
    let want: Vec<_> = (0..200).map(|i| format!("f{i:03}")).collect();
    assert_eq!(names, want, "creation order");
    // Stop after f099, then change the directory around the position.
    let cookie = all.iter().find(|e| e.0 == "f099").unwrap().1;
    fs.remove("f050").unwrap();
    fs.remove("f100").unwrap();
    fs.write_file("late", b"").unwrap();
    let rest: Vec<_> = list(&*root, cookie).into_iter().map(|e| e.0).collect();
    let mut want: Vec<_> = (101..200).map(|i| format!("f{i:03}")).collect();
    want.push("late".into());
    assert_eq!(
        rest, want,
        "removed entry skipped, nothing repeated, new one last"
    );
    // A refused entry comes first on the next call with its cookie.
    let mut seen = Vec::new();
    root.readdir(0, &mut |e| {
        seen.push(e.next);
        seen.len() < 3
    })
    .unwrap();
    let again = list(&*root, seen[1]);
    assert_eq!(again[0].0, "f000");
    assert!(list(&*root, u64::MAX).is_empty(), "past the end");
}

#[test]
fn byte_cap_gives_enospc_without_partial_writes() {
    let fs = MemFs::new().with_max_bytes(1000);
    fs.write_file("a", vec![1u8; 600]).unwrap();
    let err = fs.write_file("b", vec![2u8; 600]).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::ENOSPC));
    let Opened::File(f) = fs
        .root()
        .open(
            b"c",
            &OpenOptions {
                write: true,
                create: true,
                ..OpenOptions::default()
            },
        )
        .unwrap()
    else {
        panic!("a file")
    };
    // A write far past the end would need a huge zero-filled hole: refused at once.
    let e = f
        .pwrite_vectored(&[std::io::IoSlice::new(b"x")], 1 << 40)
        .unwrap_err();
    assert_eq!(e.errno(), Some(wasihost::preview1::types::Errno::Nospc));
    let e = f.set_size(401).unwrap_err();
    assert_eq!(e.errno(), Some(wasihost::preview1::types::Errno::Nospc));
    f.set_size(400).unwrap();
    assert_eq!(fs.bytes_used(), 1000);
    assert_eq!(fs.read_file("c").unwrap(), vec![0u8; 400]);
    // Freed space can be used again.
    fs.remove("a").unwrap();
    fs.write_file("b", vec![2u8; 600]).unwrap();
}

#[test]
fn entry_cap_gives_enospc() {
    let fs = MemFs::new().with_max_entries(3);
    fs.write_file("a", b"").unwrap();
    fs.create_dir_all("d").unwrap();
    fs.symlink("a", "l").unwrap();
    let e = fs.root().create_dir(b"x").unwrap_err();
    assert_eq!(e.errno(), Some(wasihost::preview1::types::Errno::Nospc));
    assert_eq!(fs.entries_used(), 3);
}

#[test]
fn guest_writes_hit_the_cap() {
    // path_open_create creates files; with no room for any entry it fails instead.
    let fs = MemFs::new().with_max_entries(0);
    let (status, out) = run_on(&fs, "path_open_create", &[]);
    assert_ne!(status, 0, "the guest sees ENOSPC");
    assert!(out.contains("errno"), "{out}");
    assert_eq!(fs.entries_used(), 0);
}

fn tar_with(build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    build(&mut b);
    b.into_inner().unwrap()
}

fn header(kind: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(1_000_000);
    h
}

#[test]
fn tar_preload() {
    let data = tar_with(|b| {
        b.append_data(&mut header(tar::EntryType::Directory, 0), "d/", &[][..])
            .unwrap();
        b.append_data(
            &mut header(tar::EntryType::Regular, 5),
            "d/f",
            &b"hello"[..],
        )
        .unwrap();
        b.append_data(&mut header(tar::EntryType::Regular, 2), "x/y/z", &b"zz"[..])
            .unwrap();
        let mut h = header(tar::EntryType::Symlink, 0);
        b.append_link(&mut h, "d/l", "f").unwrap();
        let mut h = header(tar::EntryType::Link, 0);
        b.append_link(&mut h, "hard", "d/f").unwrap();
    });
    let fs = MemFs::from_tar(&data[..]).unwrap();
    let snap = fs.snapshot();
    assert_eq!(snap["d"], SnapshotEntry::Dir);
    assert_eq!(snap["d/f"], SnapshotEntry::File(b"hello".to_vec()));
    assert_eq!(snap["x/y/z"], SnapshotEntry::File(b"zz".to_vec()));
    assert_eq!(snap["d/l"], SnapshotEntry::Symlink(b"f".to_vec()));
    assert_eq!(snap["hard"], SnapshotEntry::File(b"hello".to_vec()));
    assert_eq!(snap.len(), 7);
    let st = fs.metadata("d/f").unwrap();
    assert_eq!(st.nlink, 2);
    assert_eq!(st.ino, fs.metadata("hard").unwrap().ino);
    assert_eq!(st.mtim, 1_000_000 * 1_000_000_000);
    // The guest reads it like any directory.
    run("path_exists", &[], fs);
}

#[test]
fn tar_rejects_escapes_and_honours_caps() {
    // The tar builder refuses `..` and absolute paths, so write the raw name in the header.
    for bad in ["../evil", "/etc/evil", "a/../../evil"] {
        let data = tar_with(|b| {
            let mut h = header(tar::EntryType::Regular, 1);
            h.as_old_mut().name[..bad.len()].copy_from_slice(bad.as_bytes());
            h.set_cksum();
            b.append(&h, &b"x"[..]).unwrap();
        });
        let err = MemFs::from_tar(&data[..]).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData, "{bad}: {err}");
    }
    let data = tar_with(|b| {
        b.append_data(
            &mut header(tar::EntryType::Regular, 100),
            "f",
            &[7u8; 100][..],
        )
        .unwrap();
    });
    let fs = MemFs::new().with_max_bytes(99);
    let err = fs.load_tar(&data[..]).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::ENOSPC));
    assert_eq!(fs.bytes_used(), 0);
}

/// Everything under `root`: paths with contents or link targets.
fn host_tree(root: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let ft = std::fs::symlink_metadata(&p).unwrap().file_type();
            let what = if ft.is_symlink() {
                format!("link {:?}", std::fs::read_link(&p).unwrap())
            } else if ft.is_dir() {
                todo.push(p.clone());
                "dir".into()
            } else {
                format!("file {:?}", std::fs::read(&p).unwrap())
            };
            out.push((p, what));
        }
    }
    out.sort();
    out
}

#[test]
fn host_dir_preload_is_a_copy() {
    let host = tempfile::tempdir().unwrap();
    let h = host.path();
    std::fs::create_dir(h.join("h_sub")).unwrap();
    std::fs::write(h.join("h_sub/file"), b"data").unwrap();
    std::fs::hard_link(h.join("h_sub/file"), h.join("h_twin")).unwrap();
    std::os::unix::fs::symlink("h_sub/file", h.join("h_link")).unwrap();
    let before = host_tree(h);
    let fs = MemFs::from_host_dir(h).unwrap();
    let snap = fs.snapshot();
    assert_eq!(snap["h_sub/file"], SnapshotEntry::File(b"data".to_vec()));
    assert_eq!(
        snap["h_link"],
        SnapshotEntry::Symlink(b"h_sub/file".to_vec())
    );
    assert_eq!(fs.metadata("h_twin").unwrap().nlink, 2);
    // Guests that create, rename, link and remove things everywhere.
    for g in [
        "path_rename",
        "path_link",
        "path_unlink",
        "path_open_create",
    ] {
        let (status, out) = run_on(&fs, g, &[]);
        assert_eq!(status, 0, "{g}: {out}");
    }
    fs.write_file("h_sub/file", b"changed").unwrap();
    fs.remove("h_link").unwrap();
    assert_eq!(host_tree(h), before, "the host is untouched");
    let small = MemFs::new().with_max_bytes(3);
    let err = small.load_host_dir(h).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::ENOSPC));
}

#[test]
fn hard_link_counts() {
    let fs = MemFs::new();
    fs.write_file("a", b"1").unwrap();
    let root = fs.root();
    root.link(b"a", &*root, b"b").unwrap();
    fs.create_dir_all("d").unwrap();
    let Opened::Dir(d) = root.open(b"d", &OpenOptions::LOOKUP).unwrap() else {
        panic!("a directory")
    };
    root.link(b"a", &*d, b"c").unwrap();
    assert_eq!(root.stat_at(b"a").unwrap().nlink, 3);
    assert_eq!(root.stat().unwrap().nlink, 3, "2 + one subdirectory");
    root.unlink(b"a").unwrap();
    assert_eq!(root.stat_at(b"b").unwrap().nlink, 2);
    // Renaming one name of a file over another of the same file changes nothing.
    root.rename(b"b", &*d, b"c").unwrap();
    assert_eq!(root.stat_at(b"b").unwrap().nlink, 2);
    // An open handle keeps the data after the last name goes.
    let Opened::File(f) = root.open(b"b", &OpenOptions::default()).unwrap() else {
        panic!("a file")
    };
    root.unlink(b"b").unwrap();
    d.unlink(b"c").unwrap();
    let st = f.filestat().unwrap();
    assert_eq!(
        (st.nlink, st.size, st.filetype),
        (0, 1, Filetype::RegularFile)
    );
    let mut buf = [0u8; 4];
    let n = f
        .read_vectored(&mut [std::io::IoSliceMut::new(&mut buf)])
        .unwrap();
    assert_eq!(&buf[..n], b"1");
    assert_eq!(fs.bytes_used(), 1);
    drop(f);
    assert_eq!(fs.bytes_used(), 0, "freed with the last handle");
    // Different MemFs: EXDEV.
    let other = MemFs::new();
    other.write_file("z", b"").unwrap();
    let e = other.root().link(b"z", &*root, b"z").unwrap_err();
    assert_eq!(e.errno(), Some(wasihost::preview1::types::Errno::Xdev));
    // What is left: the directory `d` (one entry) and no data.
    assert_eq!(format!("{fs:?}"), "MemFs { bytes: 0, entries: 1 }");
}

/// Run fd guest `name` on `fs`: it must pass all its own checks.
fn run_fd(fs: &MemFs, name: &str, args: &[&str]) {
    let (status, out) = run_on(fs, name, args);
    assert!(!out.contains("FAIL"), "{name} on a MemFs: {out}");
    assert_eq!(status, 0, "{name} on a MemFs: {out}");
    assert!(
        out.contains(&format!("ok {name}")),
        "{name} on a MemFs: {out}"
    );
}

#[test]
fn fd_io() {
    let fs = MemFs::new();
    run_fd(&fs, "fd_io", &[]);
    assert_eq!(fs.read_file("io.txt").unwrap(), b"abcdefgh");
    assert_eq!(fs.read_file("pos.txt").unwrap(), b"01XYZ56789\0\0X");
    assert_eq!(fs.read_file("app.txt").unwrap(), b"onetwo3");
    let many = fs.read_file("many.txt").unwrap();
    assert_eq!(many.len(), 1024);
    assert!(
        many.iter()
            .enumerate()
            .all(|(i, &b)| b == b'a' + (i % 26) as u8)
    );
    assert_eq!(fs.read_file("rights.txt").unwrap(), b"xata");
}

#[test]
fn fd_attr() {
    let fs = MemFs::new();
    run_fd(&fs, "fd_attr", &[]);
    assert_eq!(fs.read_file("flags.txt").unwrap(), b"First;appended;");
    let st = fs.metadata("stat.txt").unwrap();
    assert_eq!(st.size, 3);
    assert_eq!(st.atim, 1000 * 1_000_000_000 + 5);
    assert_eq!(st.mtim, 3000 * 1_000_000_000);
    let alloc = fs.read_file("alloc.txt").unwrap();
    assert_eq!(alloc.len(), 100);
    assert!(alloc.starts_with(b"abc") && alloc[3..].iter().all(|&b| b == 0));
}

/// The files the fd_table and fd_churn guests expect.
fn table_fs() -> MemFs {
    let fs = MemFs::new();
    fs.write_file("a.txt", b"A").unwrap();
    fs.write_file("b.txt", b"B").unwrap();
    fs.create_dir_all("sub").unwrap();
    fs
}

#[test]
fn fd_table() {
    let fs = table_fs();
    run_fd(&fs, "fd_table", &[]);
    assert_eq!(fs.read_file("a.txt").unwrap(), b"A");
    assert_eq!(fs.read_file("b.txt").unwrap(), b"B");
}

#[test]
fn fd_churn() {
    for (mode, n) in [("renumber", "10000"), ("cycle", "20000")] {
        let fs = table_fs();
        run_fd(&fs, "fd_churn", &[mode, n]);
        assert_eq!(fs.read_file("a.txt").unwrap(), b"A", "{mode}");
    }
}
