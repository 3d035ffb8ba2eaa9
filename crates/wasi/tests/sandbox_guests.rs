//! The path_* and readdir_* guest programs (tests/guests/src) run through the library with
//! each path resolver, so the user-space walk passes the same guest tests as `openat2`. (The
//! CLI tests in crates/cli/tests/path_guests.rs run them through the binary.)

use std::path::{Path, PathBuf};

use wasihost::{OutputBuffer, PathResolver, WasiCtx};

fn guest(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/guests/bin")
        .join(format!("{name}.wasm"))
}

/// Run guest `name` with a fresh preopened directory (prepared by `setup`) under each
/// resolver; returns the directory of the last run for checks from the host.
fn run(name: &str, args: &[&str], setup: impl Fn(&Path)) {
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::from_file(&engine, guest(name)).unwrap();
    for resolver in [PathResolver::Auto, PathResolver::Userspace] {
        let dir = tempfile::tempdir().unwrap();
        setup(dir.path());
        let (out, err) = (OutputBuffer::new(), OutputBuffer::new());
        let ctx = WasiCtx::builder()
            .arg(name)
            .args(args)
            .stdout(out.stdio())
            .stderr(err.stdio())
            .preopen_dir(dir.path(), ".")
            .path_resolver(resolver)
            .build()
            .unwrap();
        let status = wasihost::wasmtime_host::run(&engine, &module, ctx).unwrap();
        let (out, err) = (out.contents(), err.contents());
        let (out, err) = (String::from_utf8_lossy(&out), String::from_utf8_lossy(&err));
        assert_eq!(status, 0, "{name} with {resolver:?}: {out}{err}");
    }
}

macro_rules! guests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run(stringify!($name), &[], |_| {});
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
    run("readdir_libc", &["3000"], |d| {
        std::fs::create_dir(d.join("big")).unwrap();
        for i in 0..3000 {
            std::fs::write(d.join(format!("big/f{i:05}")), b"").unwrap();
        }
    });
}
