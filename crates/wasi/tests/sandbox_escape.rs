//! Escape attempts against a preopened directory, each run on an OS directory with both path
//! resolvers (the kernel's `openat2` and the user-space walk) and on a `MemFs` directory next to
//! an "outside" one in the same `MemFs`: every one must fail with the expected errno and leave
//! everything outside the preopen exactly as it was.

mod sandbox_common;

use sandbox_common::{KINDS, PREOPEN, Sandbox};
use wasihost::preview1::types::{Errno, Lookupflags, Oflags, Rights};

const FOLLOW: Lookupflags = Lookupflags::SYMLINK_FOLLOW;
const NOFOLLOW: Lookupflags = Lookupflags::empty();
const NONE: Oflags = Oflags::empty();

/// Links and directories planted inside the preopen by the host (a guest cannot create links
/// with absolute targets itself).
fn plant(sb: &Sandbox) {
    let outside = sb.outside_abs();
    let outside_dir = format!("{outside}/dir");
    sb.put_dir("inside/sub");
    sb.put_file("inside/sub/file", b"inner");
    sb.put_dir("inside/a");
    let links: &[(&str, &str)] = &[
        ("link_root", "/"),
        ("link_up", ".."),
        ("link_abs", &outside),
        ("link_rel", "../outside"),
        ("sub/link_upup", "../.."),
        ("chain1", "chain2"),
        ("chain2", "sub/chain3"),
        ("sub/chain3", "../../outside"),
        // GHSA-vqjp-4c8c-hfgg: a link whose target ends in a slash, next to an escaping link.
        ("a/link", "evil/"),
        ("a/evil", &outside),
        ("a/evil_rel", "../../outside"),
        ("loop1", "loop2"),
        ("loop2", "loop1"),
        ("secret_link", "../outside/secret"),
        ("dangling_out", "../outside/created"),
        ("self", "."),
        ("sub/back", "../sub"),
        ("dir_link", &outside_dir),
    ];
    for (name, target) in links {
        sb.put_symlink(target, &format!("inside/{name}"));
    }
}

type Attack = fn(&mut Sandbox) -> Result<(), Errno>;

fn open(sb: &mut Sandbox, p: &str, l: Lookupflags, o: Oflags) -> Result<(), Errno> {
    sb.open(p.as_bytes(), l, o).map(drop)
}

/// (name, attack, expected errno).
const ATTACKS: &[(&str, Attack, Errno)] = &[
    (
        "dotdot",
        |s| open(s, "../outside/secret", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "absolute",
        |s| open(s, "/etc/passwd", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "absolute_double_slash",
        |s| open(s, "//etc/passwd", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "sub_dotdot_dotdot",
        |s| open(s, "sub/../../outside/secret", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "leave_and_return",
        |s| open(s, "sub/../../inside/sub/file", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "dot_dotdot_chain",
        |s| open(s, "./sub/./../..", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "link_root_into",
        |s| open(s, "link_root/etc/passwd", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "link_root_final",
        |s| open(s, "link_root", FOLLOW, Oflags::DIRECTORY),
        Errno::Perm,
    ),
    (
        "link_up_into",
        |s| open(s, "link_up/outside/secret", NOFOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "link_up_final",
        |s| open(s, "link_up", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "link_abs_into",
        |s| open(s, "link_abs/secret", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "link_rel_into",
        |s| open(s, "link_rel/secret", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "link_upup_into",
        |s| open(s, "sub/link_upup/outside/secret", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "chain_into",
        |s| open(s, "chain1/secret", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "chain_final",
        |s| open(s, "chain1", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "slash_target_into",
        |s| open(s, "a/link/secret", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "slash_target_nofollow",
        |s| open(s, "a/link/", NOFOLLOW, NONE),
        Errno::Notdir,
    ),
    (
        "slash_target_stat",
        |s| s.stat(b"a/link/", NOFOLLOW).map(drop),
        Errno::Notdir,
    ),
    (
        "evil_rel_into",
        |s| open(s, "a/evil_rel/secret", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "file_link_follow",
        |s| open(s, "secret_link", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "file_link_nofollow",
        |s| open(s, "secret_link", NOFOLLOW, NONE),
        Errno::Loop,
    ),
    ("loop", |s| open(s, "loop1", FOLLOW, NONE), Errno::Loop),
    (
        "self_then_up",
        |s| open(s, "self/self/self/../x", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "back_then_up",
        |s| open(s, "sub/back/../../outside/secret", FOLLOW, NONE),
        Errno::Perm,
    ),
    (
        "nul_byte",
        |s| open(s, "sub/file\0/../../x", FOLLOW, NONE),
        Errno::Inval,
    ),
    (
        "create_through_link",
        |s| open(s, "link_rel/planted", FOLLOW, Oflags::CREAT),
        Errno::Perm,
    ),
    (
        "create_dangling",
        |s| open(s, "dangling_out", FOLLOW, Oflags::CREAT),
        Errno::Perm,
    ),
    (
        "create_dangling_nofollow",
        |s| open(s, "dangling_out", NOFOLLOW, Oflags::CREAT),
        Errno::Loop,
    ),
    (
        "truncate_through_link",
        |s| open(s, "secret_link", FOLLOW, Oflags::TRUNC),
        Errno::Perm,
    ),
    (
        "mkdir_through_link",
        |s| s.mkdir(b"link_rel/newdir"),
        Errno::Perm,
    ),
    ("mkdir_dotdot", |s| s.mkdir(b"../newdir"), Errno::Perm),
    (
        "mkdir_trailing_through_link",
        |s| s.mkdir(b"link_abs/newdir/"),
        Errno::Perm,
    ),
    (
        "rmdir_through_link",
        |s| s.rmdir(b"link_rel/dir"),
        Errno::Perm,
    ),
    ("rmdir_link_itself", |s| s.rmdir(b"dir_link"), Errno::Notdir),
    (
        "rmdir_link_trailing",
        |s| s.rmdir(b"dir_link/"),
        Errno::Notdir,
    ),
    ("rmdir_dotdot", |s| s.rmdir(b".."), Errno::Perm),
    (
        "unlink_through_link",
        |s| s.unlink(b"link_rel/secret"),
        Errno::Perm,
    ),
    (
        "unlink_dotdot",
        |s| s.unlink(b"../outside/secret"),
        Errno::Perm,
    ),
    (
        "unlink_link_trailing",
        |s| s.unlink(b"secret_link/"),
        Errno::Notdir,
    ),
    (
        "rename_out_of",
        |s| s.rename(b"link_rel/secret", b"stolen"),
        Errno::Perm,
    ),
    (
        "rename_into_link",
        |s| s.rename(b"sub/file", b"link_rel/planted"),
        Errno::Perm,
    ),
    (
        "rename_dotdot",
        |s| s.rename(b"sub/file", b"../planted"),
        Errno::Perm,
    ),
    (
        "rename_dir_out",
        |s| s.rename(b"sub", b"link_abs/sub"),
        Errno::Perm,
    ),
    (
        "link_out_of",
        |s| s.link(b"link_rel/secret", b"hard"),
        Errno::Perm,
    ),
    (
        "link_into",
        |s| s.link(b"sub/file", b"link_abs/hard"),
        Errno::Perm,
    ),
    (
        "link_chain",
        |s| s.link(b"chain1/secret", b"hard"),
        Errno::Perm,
    ),
    (
        "symlink_absolute",
        |s| s.symlink(b"/etc/passwd", b"abs"),
        Errno::Perm,
    ),
    (
        "symlink_into_link",
        |s| s.symlink(b"x", b"link_rel/planted"),
        Errno::Perm,
    ),
    (
        "readlink_through_link",
        |s| s.readlink(b"link_rel/alink", 64).map(drop),
        Errno::Perm,
    ),
    (
        "stat_dotdot",
        |s| s.stat(b"..", NOFOLLOW).map(drop),
        Errno::Perm,
    ),
    (
        "stat_sub_dotdot_dotdot",
        |s| s.stat(b"sub/../..", FOLLOW).map(drop),
        Errno::Perm,
    ),
    (
        "stat_link_root",
        |s| s.stat(b"link_root", FOLLOW).map(drop),
        Errno::Perm,
    ),
    (
        "stat_through_chain",
        |s| s.stat(b"chain1/secret", NOFOLLOW).map(drop),
        Errno::Perm,
    ),
    (
        "times_through_link",
        |s| s.set_times(b"secret_link", FOLLOW, 7),
        Errno::Perm,
    ),
    (
        "times_into_link",
        |s| s.set_times(b"link_rel/secret", NOFOLLOW, 7),
        Errno::Perm,
    ),
    (
        "times_dotdot",
        |s| s.set_times(b"..", NOFOLLOW, 7),
        Errno::Perm,
    ),
];

#[test]
fn escapes_fail_and_touch_nothing_outside() {
    assert!(ATTACKS.len() >= 30);
    for kind in KINDS {
        // One sandbox for all attacks: each must also leave the inside as it found it.
        let mut sb = Sandbox::of(kind);
        plant(&sb);
        let before = (sb.outside_state(), sb.inside_state());
        for (name, attack, expected) in ATTACKS {
            let got = attack(&mut sb);
            assert_eq!(got, Err(*expected), "{kind:?} {name}");
            let after = (sb.outside_state(), sb.inside_state());
            assert_eq!(after, before, "{kind:?} {name} changed something");
        }
    }
}

/// Legitimate links and `..` that stay inside keep working, with the same answers from both
/// resolvers and on a `MemFs`.
#[test]
fn links_that_stay_inside_work() {
    for kind in KINDS {
        let mut sb = Sandbox::of(kind);
        plant(&sb);
        let ino = sb.ino_of("inside/sub/file");
        for p in [
            "sub/file",
            "sub/back/file",
            "self/sub/file",
            "sub/../sub/./file",
            "a/../sub//file",
        ] {
            let st = sb
                .stat(p.as_bytes(), FOLLOW)
                .unwrap_or_else(|e| panic!("{p}: {e:?}"));
            assert_eq!(st.ino, ino, "{kind:?} {p}");
            open(&mut sb, p, FOLLOW, NONE).unwrap();
        }
        // The link itself, not its target, without FOLLOW.
        let st = sb.stat(b"link_root", NOFOLLOW).unwrap();
        assert_eq!(
            st.filetype,
            wasihost::preview1::types::Filetype::SymbolicLink
        );
        assert_eq!(sb.readlink(b"a/evil_rel", 64).unwrap(), b"../../outside");
        // A guest may create a link that points outside; following it is what fails.
        sb.symlink(b"../outside", b"rel").unwrap();
        assert_eq!(open(&mut sb, "rel/secret", FOLLOW, NONE), Err(Errno::Perm));
        sb.unlink(b"rel").unwrap();
        // `.` and `..` that end inside are fine.
        for p in [&b"."[..], b"sub/..", b"sub/../"] {
            let dir = Oflags::DIRECTORY;
            sb.open_with(PREOPEN, p, NOFOLLOW, dir, Rights::FD_READDIR)
                .unwrap();
        }
        // Asking to write a directory is refused by the OS, as everywhere.
        assert_eq!(
            open(&mut sb, ".", NOFOLLOW, Oflags::DIRECTORY),
            Err(Errno::Isdir)
        );
    }
}
