//! Unit tests of the in-memory file system.

use std::io::{IoSlice, IoSliceMut};
use std::sync::Arc;

use super::MemFs;
use crate::preview1::types::{Advice, Errno, Filetype};
use crate::vfs::{OpenOptions, Opened, WasiDir, WasiFile};

fn errno<T: std::fmt::Debug>(r: crate::Result<T>) -> Option<Errno> {
    r.unwrap_err().errno()
}

fn dir(d: &dyn WasiDir, name: &[u8]) -> Arc<dyn WasiDir> {
    match d.open(name, &OpenOptions::LOOKUP).unwrap() {
        Opened::Dir(d) => d,
        Opened::File(_) => panic!("a directory"),
    }
}

fn file(d: &dyn WasiDir, name: &[u8], write: bool) -> Arc<dyn WasiFile> {
    let opts = OpenOptions {
        read: true,
        write,
        create: write,
        ..OpenOptions::default()
    };
    match d.open(name, &opts).unwrap() {
        Opened::File(f) => f,
        Opened::Dir(_) => panic!("a file"),
    }
}

/// Names listed from `cookie` on, with the cookie after each.
fn list(d: &dyn WasiDir, cookie: u64) -> Vec<(Vec<u8>, u64)> {
    let mut out = Vec::new();
    d.readdir(cookie, &mut |e| {
        out.push((e.name.to_vec(), e.next));
        true
    })
    .unwrap();
    out
}

#[test]
fn directory_link_counts_follow_subdirectories_through_renames() {
    let fs = MemFs::new();
    let root = fs.root();
    root.create_dir(b"a").unwrap();
    root.create_dir(b"b").unwrap();
    let a = dir(&*root, b"a");
    let b = dir(&*root, b"b");
    a.create_dir(b"x").unwrap();
    assert_eq!(root.stat().unwrap().nlink, 4, "2 + a + b");
    assert_eq!(a.stat().unwrap().nlink, 3);
    // Moving x from a to b moves one link from a to b; the root is unchanged.
    a.rename(b"x", &*b, b"x").unwrap();
    assert_eq!(a.stat().unwrap().nlink, 2);
    assert_eq!(b.stat().unwrap().nlink, 3);
    assert_eq!(root.stat().unwrap().nlink, 4);
    // A file moving changes no directory's count; a file's own count is its names.
    a.open(b"f", &file_opts()).unwrap();
    a.link(b"f", &*b, b"g").unwrap();
    assert_eq!(b.stat_at(b"g").unwrap().nlink, 2);
    assert_eq!(b.stat().unwrap().nlink, 3);
    // Removing a directory drops its parent's count and leaves the handle at 0 links.
    let x = dir(&*b, b"x");
    b.remove_dir(b"x").unwrap();
    assert_eq!(b.stat().unwrap().nlink, 2);
    assert_eq!(x.stat().unwrap().nlink, 0);
}

fn file_opts() -> OpenOptions {
    OpenOptions {
        write: true,
        create: true,
        ..OpenOptions::default()
    }
}

#[test]
fn rename_over_directories_and_files() {
    let fs = MemFs::new();
    fs.create_dir_all("src/inner").unwrap();
    fs.create_dir_all("empty").unwrap();
    fs.create_dir_all("full/thing").unwrap();
    fs.write_file("file", b"f").unwrap();
    let root = fs.root();
    let before = fs.entries_used();
    // Over an empty directory: replaced, one entry fewer in all.
    root.rename(b"src", &*root, b"empty").unwrap();
    assert_eq!(fs.entries_used(), before - 1);
    assert_eq!(
        fs.metadata("empty/inner").unwrap().filetype,
        Filetype::Directory
    );
    // Over a non-empty one, a file, or from a file onto a directory: refused, nothing moves.
    assert_eq!(
        errno(root.rename(b"empty", &*root, b"full")),
        Some(Errno::Notempty)
    );
    assert_eq!(
        errno(root.rename(b"empty", &*root, b"file")),
        Some(Errno::Notdir)
    );
    assert_eq!(
        errno(root.rename(b"file", &*root, b"full")),
        Some(Errno::Isdir)
    );
    // Into itself or beneath itself; onto its own ancestor.
    let empty = dir(&*root, b"empty");
    let inner = dir(&*empty, b"inner");
    assert_eq!(
        errno(root.rename(b"empty", &*inner, b"x")),
        Some(Errno::Inval)
    );
    assert_eq!(
        errno(inner.rename(b"x", &*root, b"empty")),
        Some(Errno::Noent)
    );
    empty.create_dir(b"deeper").unwrap();
    assert_eq!(
        errno(empty.rename(b"deeper", &*root, b"empty")),
        Some(Errno::Notempty)
    );
    assert_eq!(
        fs.entries_used(),
        before,
        "nothing changed but the new `deeper`"
    );
    // An open handle of the replaced file keeps its data; the new name has the other file.
    fs.write_file("old", b"old data").unwrap();
    let f = file(&*root, b"old", false);
    root.rename(b"file", &*root, b"old").unwrap();
    assert_eq!(fs.read_file("old").unwrap(), b"f");
    assert_eq!(f.filestat().unwrap().nlink, 0);
    let mut buf = [0u8; 16];
    let n = f
        .pread_vectored(&mut [IoSliceMut::new(&mut buf)], 0)
        .unwrap();
    assert_eq!(&buf[..n], b"old data");
}

#[test]
fn cookies_survive_renames_and_removals() {
    let fs = MemFs::new();
    for n in ["a", "b", "c", "d"] {
        fs.write_file(n, b"").unwrap();
    }
    let root = fs.root();
    let all = list(&*root, 0);
    let names: Vec<&[u8]> = all.iter().map(|e| &e.0[..]).collect();
    assert_eq!(names, [&b"."[..], b"..", b"a", b"b", b"c", b"d"]);
    let after_b = all[3].1;
    // Renaming `a` (already listed) puts it at the end: it is listed again from a later
    // cookie, under its new name; removing `c` skips it; cookies already given stay valid.
    root.rename(b"a", &*root, b"z").unwrap();
    root.unlink(b"c").unwrap();
    let rest: Vec<Vec<u8>> = list(&*root, after_b).into_iter().map(|e| e.0).collect();
    assert_eq!(rest, [b"d".to_vec(), b"z".to_vec()]);
    assert_eq!(list(&*root, all[5].1).last().unwrap().0, b"z");
    // Cookies only grow: a cookie from before never lists what came before it again.
    let again = list(&*root, 0);
    assert!(again.windows(2).all(|w| w[0].1 < w[1].1));
    // A removed directory lists nothing, not even `.` and `..`, and takes no new entries.
    fs.create_dir_all("gone").unwrap();
    let gone = dir(&*root, b"gone");
    root.remove_dir(b"gone").unwrap();
    assert!(list(&*gone, 0).is_empty());
    assert_eq!(errno(gone.create_dir(b"x")), Some(Errno::Noent));
    assert_eq!(errno(gone.open(b"f", &file_opts())), Some(Errno::Noent));
}

#[test]
fn caps_count_link_targets_holes_and_open_unlinked_files() {
    let fs = MemFs::new().with_max_bytes(10).with_max_entries(4);
    let root = fs.root();
    root.symlink(b"12345678", b"l").unwrap();
    assert_eq!(fs.bytes_used(), 8, "a link target is data");
    assert_eq!(errno(root.symlink(b"123", b"m")), Some(Errno::Nospc));
    let f = file(&*root, b"f", true);
    // Two bytes fit; a write leaving a hole needs room for the hole too.
    assert_eq!(
        errno(f.pwrite_vectored(&[IoSlice::new(b"x")], 2)),
        Some(Errno::Nospc)
    );
    assert_eq!(f.pwrite_vectored(&[IoSlice::new(b"x")], 1).unwrap(), 1);
    assert_eq!(fs.bytes_used(), 10);
    assert_eq!(errno(f.allocate(0, 3)), Some(Errno::Nospc));
    // An unlinked file still open keeps its bytes; the entry is freed at once.
    root.unlink(b"f").unwrap();
    assert_eq!((fs.bytes_used(), fs.entries_used()), (10, 1));
    drop(f);
    assert_eq!(fs.bytes_used(), 8);
    // The entry cap counts hard links; renaming over an entry frees one.
    root.open(b"a", &file_opts()).unwrap();
    root.link(b"a", &*root, b"b").unwrap();
    root.create_dir(b"d").unwrap();
    assert_eq!(errno(root.create_dir(b"e")), Some(Errno::Nospc));
    assert_eq!(errno(root.link(b"a", &*root, b"c")), Some(Errno::Nospc));
    root.rename(b"b", &*root, b"l").unwrap();
    assert_eq!((fs.entries_used(), fs.bytes_used()), (3, 0));
    root.create_dir(b"e").unwrap();
}

/// Found by running fd_io and fd_attr on a MemFs: offsets past `i64::MAX` are `EINVAL`, as for
/// Linux's signed `loff_t`, and no hole is even attempted.
#[test]
fn offsets_past_i64_max_are_einval() {
    let fs = MemFs::new();
    let f = file(&*fs.root(), b"f", true);
    let big = 1u64 << 63;
    let mut buf = [0u8; 2];
    assert_eq!(
        errno(f.pread_vectored(&mut [IoSliceMut::new(&mut buf)], big)),
        Some(Errno::Inval)
    );
    assert_eq!(
        errno(f.pwrite_vectored(&[IoSlice::new(b"x")], big)),
        Some(Errno::Inval)
    );
    assert_eq!(errno(f.advise(big, 1, Advice::Normal)), Some(Errno::Inval));
    assert_eq!(errno(f.advise(0, big, Advice::Normal)), Some(Errno::Inval));
    f.advise(big - 1, 1, Advice::Willneed).unwrap();
    // The largest offset is fine for a read (nothing there) and a full byte cap for a write.
    let n = f
        .pread_vectored(&mut [IoSliceMut::new(&mut buf)], big - 1)
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(fs.bytes_used(), 0);
}

#[test]
fn open_answers_like_openat() {
    let fs = MemFs::new();
    fs.write_file("f", b"data").unwrap();
    fs.create_dir_all("d").unwrap();
    fs.symlink("f", "l").unwrap();
    let root = fs.root();
    let excl = OpenOptions {
        create: true,
        exclusive: true,
        ..OpenOptions::default()
    };
    assert_eq!(errno(root.open(b"f", &excl)), Some(Errno::Exist));
    assert_eq!(
        errno(root.open(b"l", &excl)),
        Some(Errno::Exist),
        "a link counts"
    );
    assert_eq!(
        errno(root.open(b"l", &OpenOptions::default())),
        Some(Errno::Loop)
    );
    let dir_opts = OpenOptions {
        directory: true,
        ..OpenOptions::default()
    };
    assert_eq!(errno(root.open(b"f", &dir_opts)), Some(Errno::Notdir));
    let write = OpenOptions {
        write: true,
        ..OpenOptions::default()
    };
    assert_eq!(errno(root.open(b"d", &write)), Some(Errno::Isdir));
    assert_eq!(errno(root.open(b"missing", &write)), Some(Errno::Noent));
    let trunc = OpenOptions {
        write: true,
        truncate: true,
        ..OpenOptions::default()
    };
    root.open(b"f", &trunc).unwrap();
    assert_eq!(fs.read_file("f").unwrap(), b"");
    // A read-only handle cannot write or resize.
    let f = file(&*root, b"f", false);
    assert_eq!(
        errno(f.write_vectored(&[IoSlice::new(b"x")])),
        Some(Errno::Badf)
    );
    assert_eq!(errno(f.set_size(3)), Some(Errno::Inval));
}

/// Found by the differential test: writing nothing in append mode moved the position to the
/// end; Linux leaves it where it was.
#[test]
fn empty_append_write_keeps_the_position() {
    let fs = MemFs::new();
    fs.write_file("f", b"abc").unwrap();
    let opts = OpenOptions {
        read: true,
        write: true,
        fdflags: crate::preview1::types::Fdflags::APPEND,
        ..OpenOptions::default()
    };
    let Opened::File(f) = fs.root().open(b"f", &opts).unwrap() else {
        panic!("a file")
    };
    assert_eq!(f.write_vectored(&[IoSlice::new(b"")]).unwrap(), 0);
    assert_eq!(f.seek(std::io::SeekFrom::Current(0)).unwrap(), 0);
    assert_eq!(f.write_vectored(&[IoSlice::new(b"d")]).unwrap(), 1);
    assert_eq!(f.seek(std::io::SeekFrom::Current(0)).unwrap(), 4);
}
