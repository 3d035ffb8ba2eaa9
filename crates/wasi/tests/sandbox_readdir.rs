//! `fd_readdir` through the host API: paging by cookie, truncated last entries, huge
//! directories, and the errors; on an OS directory (both resolvers) and on a `MemFs`.

mod sandbox_common;

use std::collections::HashMap;

use sandbox_common::{DirKind, KINDS, PREOPEN, Sandbox};
use wasihost::guest::{GuestMemory, GuestPtr};
use wasihost::preview1::types::{Errno, Fd, Filetype, Lookupflags, Oflags, Rights};
use wasihost::preview1::wasi_snapshot_preview1::WasiSnapshotPreview1;

const BUF: u32 = 40 * 1024;
const HEADER: usize = 24;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    next: u64,
    ino: u64,
    filetype: u8,
    name: Vec<u8>,
}

impl Entry {
    fn bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&self.next.to_le_bytes());
        b.extend_from_slice(&self.ino.to_le_bytes());
        b.extend_from_slice(&(self.name.len() as u32).to_le_bytes());
        b.extend_from_slice(&[self.filetype, 0, 0, 0]);
        b.extend_from_slice(&self.name);
        b
    }
}

/// Call `fd_readdir` with a buffer of `len` bytes; returns the bytes written.
fn readdir(sb: &mut Sandbox, fd: Fd, len: u32, cookie: u64) -> Result<Vec<u8>, Errno> {
    let mut mem = GuestMemory::Unshared(&mut sb.mem);
    let n = sb
        .ctx
        .fd_readdir(&mut mem, fd, GuestPtr::new(BUF), len, cookie)
        .map_err(|e| e.errno().unwrap())?;
    assert!(n <= len);
    Ok(sb.mem[BUF as usize..(BUF + n) as usize].to_vec())
}

/// The complete entries in `buf`, and the bytes of a cut-short last one.
fn parse(buf: &[u8]) -> (Vec<Entry>, &[u8]) {
    let mut out = Vec::new();
    let mut at = 0;
    while buf.len() - at >= HEADER {
        let h = &buf[at..at + HEADER];
        let namlen = u32::from_le_bytes(h[16..20].try_into().unwrap()) as usize;
        if buf.len() - at < HEADER + namlen {
            break;
        }
        out.push(Entry {
            next: u64::from_le_bytes(h[0..8].try_into().unwrap()),
            ino: u64::from_le_bytes(h[8..16].try_into().unwrap()),
            filetype: h[20],
            name: buf[at + HEADER..at + HEADER + namlen].to_vec(),
        });
        at += HEADER + namlen;
    }
    (out, &buf[at..])
}

/// Page through the whole directory the way wasi-libc does: restart each call at the cookie
/// of the last complete entry, and grow the buffer when not even one entry fits.
fn list(sb: &mut Sandbox, fd: Fd, mut len: u32) -> (Vec<Entry>, usize) {
    let (mut all, mut calls, mut cookie) = (Vec::new(), 0, 0);
    loop {
        let buf = readdir(sb, fd, len, cookie).unwrap();
        calls += 1;
        let (entries, rest) = parse(&buf);
        if let Some(last) = entries.last() {
            cookie = last.next;
        }
        let full = buf.len() == len as usize;
        if entries.is_empty() && full {
            len += 1;
        }
        all.extend(entries);
        if !full {
            assert!(rest.is_empty(), "a short buffer ends with a complete entry");
            return (all, calls);
        }
    }
}

/// `inside/big` with `files` files and four more entries, opened for listing, in a sandbox of
/// `kind`.
fn sandbox_with(kind: DirKind, files: usize) -> (Sandbox, Fd) {
    let mut sb = Sandbox::of(kind);
    sb.put_dir("inside/big");
    for i in 0..files {
        sb.put_file(&format!("inside/big/f{i:05}"), b"");
    }
    sb.put_dir("inside/big/subdir");
    sb.put_symlink("f00000", "inside/big/link");
    sb.put_file("inside/big/Действие", b"");
    sb.put_file(&format!("inside/big/{}", "x".repeat(255)), b"");
    let fd = sb
        .open_with(
            PREOPEN,
            b"big",
            Lookupflags::empty(),
            Oflags::DIRECTORY,
            Rights::FD_READDIR,
        )
        .unwrap();
    (sb, fd)
}

#[test]
fn ten_thousand_entries_each_seen_once_with_a_4k_buffer() {
    for kind in KINDS {
        let (mut sb, fd) = sandbox_with(kind, 10_000);
        let (entries, calls) = list(&mut sb, fd, 4096);
        let mut seen: HashMap<Vec<u8>, Entry> = HashMap::new();
        for e in entries {
            let name = e.name.clone();
            assert!(
                seen.insert(name.clone(), e).is_none(),
                "{name:?} seen twice"
            );
        }
        assert_eq!(
            seen.len(),
            10_000 + 4 + 2,
            "files, subdir, link, two more, . and .."
        );
        assert!(
            calls > 10_000 * 30 / 4096,
            "{calls} calls for 10k entries in 4 KiB pages"
        );
        for (name, ft) in [
            ("f04321", Filetype::RegularFile),
            ("subdir", Filetype::Directory),
            ("link", Filetype::SymbolicLink),
            (".", Filetype::Directory),
            ("..", Filetype::Directory),
            ("Действие", Filetype::RegularFile),
        ] {
            let e = &seen[name.as_bytes()];
            assert_eq!(e.filetype, ft as u8, "{name}");
            let ino = match name {
                "." => sb.ino_of("inside/big"),
                ".." => sb.ino_of("inside"),
                _ => sb.ino_of(&format!("inside/big/{name}")),
            };
            assert_eq!(e.ino, ino, "{kind:?} {name}");
        }
    }
}

#[test]
fn tiny_buffers_cut_the_last_entry_and_resume() {
    for kind in KINDS {
        let (mut sb, fd) = sandbox_with(kind, 5);
        let (reference, _) = list(&mut sb, fd, 16 * 1024);
        assert_eq!(reference.len(), 5 + 4 + 2);
        // Cookies are ordinals: small enough for wasi-libc's 32-bit `telldir`.
        assert!(
            reference
                .iter()
                .enumerate()
                .all(|(i, e)| e.next == i as u64 + 1)
        );
        for len in [1, 7, 23, 24, 25, 26, 40, 100, 300] {
            let (got, _) = list(&mut sb, fd, len);
            assert_eq!(got, reference, "buffer of {len}");
        }
        // A cut-short entry is the exact prefix of its encoding, and the call reports a full
        // buffer; the same cookie then gives the whole entry.
        let first = reference[0].bytes();
        for len in 1..first.len() as u32 {
            let buf = readdir(&mut sb, fd, len, 0).unwrap();
            assert_eq!(buf, first[..len as usize], "buffer of {len}");
        }
        let long = reference.iter().position(|e| e.name.len() == 255).unwrap();
        let cookie = if long == 0 {
            0
        } else {
            reference[long - 1].next
        };
        let buf = readdir(&mut sb, fd, 100, cookie).unwrap();
        assert_eq!(buf, reference[long].bytes()[..100]);
        let buf = readdir(&mut sb, fd, 279, cookie).unwrap();
        assert_eq!(parse(&buf).0[0], reference[long]);
        assert!(readdir(&mut sb, fd, 0, 0).unwrap().is_empty());
    }
}

#[test]
fn cookies_jump_anywhere_and_back() {
    for kind in KINDS {
        let (mut sb, fd) = sandbox_with(kind, 300);
        let (reference, _) = list(&mut sb, fd, 16 * 1024);
        for i in [250, 3, 150, 0, 299, 303] {
            let buf = readdir(&mut sb, fd, 16 * 1024, reference[i].next).unwrap();
            assert_eq!(parse(&buf).0, reference[i + 1..], "after entry {i}");
        }
        let past_end = reference.last().unwrap().next;
        assert!(readdir(&mut sb, fd, 1024, past_end).unwrap().is_empty());
        // A new file shows up when listing again from the start.
        sb.put_file("inside/big/late", b"");
        let (again, _) = list(&mut sb, fd, 4096);
        assert_eq!(again.len(), reference.len() + 1);
    }
}

#[test]
fn readdir_errors() {
    for kind in KINDS {
        let (mut sb, fd) = sandbox_with(kind, 1);
        let no_right = sb
            .open_with(
                PREOPEN,
                b"big",
                Lookupflags::empty(),
                Oflags::DIRECTORY,
                Rights::empty(),
            )
            .unwrap();
        // Listing only inspects: a guest that did not ask for FD_READDIR may still list (the
        // rights model checks inspection rights against the ceiling only)...
        assert!(!readdir(&mut sb, no_right, 100, 0).unwrap().is_empty());
        // ...but not once the right is dropped from the ceiling.
        sb.call(|cx, mem| cx.fd_fdstat_set_rights(mem, no_right, Rights::empty(), Rights::empty()))
            .unwrap();
        assert_eq!(readdir(&mut sb, no_right, 100, 0), Err(Errno::Notcapable));
        let file = sb
            .open_with(
                PREOPEN,
                b"big/f00000",
                Lookupflags::empty(),
                Oflags::empty(),
                Rights::all(),
            )
            .unwrap();
        assert_eq!(readdir(&mut sb, file, 100, 0), Err(Errno::Notdir));
        assert_eq!(readdir(&mut sb, Fd::new(99), 100, 0), Err(Errno::Badf));
        // A cookie past the end is the end.
        assert_eq!(readdir(&mut sb, fd, 100, u64::MAX), Ok(Vec::new()));
        // A buffer outside memory traps rather than returning an errno.
        let mut mem = GuestMemory::Unshared(&mut sb.mem);
        let err = sb
            .ctx
            .fd_readdir(&mut mem, fd, GuestPtr::new(65_000), 1000, 0)
            .unwrap_err();
        assert_eq!(err.errno(), None);
        // The preopen itself lists too.
        assert!(!readdir(&mut sb, PREOPEN, 1024, 0).unwrap().is_empty());
    }
}
