//! The path_* and readdir_* guests (tests/guests/src), run through the `wasihost` binary on
//! every engine with a fresh preopened directory. Each guest checks errnos precisely and exits
//! non-zero on the first surprise; these tests also check the directory from the host.

mod common;

use std::path::Path;

use common::run_in_tempdir;

/// Run guest `name` and require success; then `check` the directory from the host.
fn pass(name: &str, args: &[&str], setup: impl Fn(&Path), check: impl Fn(&Path)) {
    run_in_tempdir(name, args, setup, |engine, dir, status, out, err| {
        assert_eq!(status, 0, "{name} on {engine}: {out}{err}");
        assert!(err.is_empty(), "{name} on {engine}: {err}");
        check(dir);
    });
}

/// The guest's own cleanup ran: the directory is empty again.
fn left_empty(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

macro_rules! clean_guests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                pass(stringify!($name), &[], |_| {}, left_empty);
            }
        )*
    };
}

clean_guests!(
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
    path_readlink,
    path_remove_dir,
    path_rename,
    path_symlink_create,
    path_symlink_filestat,
    path_symlink_loop,
    path_unlink,
);

#[test]
fn path_close_preopen() {
    pass(
        "path_close_preopen",
        &[],
        |_| {},
        |dir| {
            let written = std::fs::read(dir.join("written_after_close")).unwrap();
            assert_eq!(written, b"still here");
            assert!(dir.join("dir_after_close").is_dir());
        },
    );
}

#[test]
fn path_overwrite_preopen() {
    pass(
        "path_overwrite_preopen",
        &[],
        |_| {},
        |dir| {
            assert_eq!(std::fs::read(dir.join("sub/inner")).unwrap(), b"in sub");
            assert!(!dir.join("inner").exists() && !dir.join("escaped").exists());
        },
    );
}

#[test]
fn readdir_paging() {
    pass(
        "readdir_paging",
        &[],
        |_| {},
        |dir| {
            assert_eq!(std::fs::read_dir(dir.join("big")).unwrap().count(), 50);
        },
    );
}

/// Raw `fd_readdir` with 1- and 33-byte starting buffers over 10,000 entries.
#[test]
fn readdir_paging_ten_thousand() {
    pass(
        "readdir_paging",
        &["10000"],
        |_| {},
        |dir| {
            assert_eq!(std::fs::read_dir(dir.join("big")).unwrap().count(), 10_000);
        },
    );
}

/// wasi-libc's `readdir` (4 KiB buffer) over 10,000 entries sees each exactly once.
#[test]
fn readdir_libc_ten_thousand() {
    let setup = |dir: &Path| {
        std::fs::create_dir(dir.join("big")).unwrap();
        for i in 0..10_000 {
            std::fs::write(dir.join(format!("big/f{i:05}")), b"").unwrap();
        }
    };
    run_in_tempdir(
        "readdir_libc",
        &["10000"],
        setup,
        |engine, _, status, out, err| {
            assert_eq!((status, out), (0, "10002 entries\n"), "{engine}: {err}");
        },
    );
}
