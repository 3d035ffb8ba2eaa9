//! Guests that ask for narrow rights, as toolchains other than wasi-libc do, on both engines and
//! both preview versions: harmless inspection (stat, seek, tell, advise, sync, readdir, path
//! stat) works with only the rights used for reading; every change still needs its right; a
//! ceiling the guest lowered with `fd_fdstat_set_rights` holds. The model is the table in
//! `wasihost::rights`.

mod common;
#[path = "../../wasi/tests/ro_common/mod.rs"]
mod ro_common;

use common::{ENGINES, wasihost};
use ro_common::{BUF, FD_READ, FD_SEEK, FD_WRITE, Guest, PATH_OPEN, make_tree, snapshot};

const NOTCAPABLE: u8 = 76;
/// Where the file opened through the narrow directory goes.
const SLOT_INNER: u32 = 2060;
/// Scratch slot for opens that must fail.
const SCRATCH: u32 = 2100;

/// The differences between the two preview versions this guest meets.
struct Preview {
    module: &'static str,
    /// Offset of `size` in a filestat.
    size_at: u32,
    /// `whence` for an absolute seek.
    seek_set: u32,
}

const PREVIEW1: Preview = Preview {
    module: "wasi_snapshot_preview1",
    size_at: 32,
    seek_set: 0,
};
const PREVIEW0: Preview = Preview {
    module: "wasi_unstable",
    size_at: 24,
    seek_set: 2,
};

/// `path_open(dir, path)` with `(oflags, rights_base, rights_inheriting)`, into `slot`.
fn open(
    g: &mut Guest,
    label: &str,
    dir: &str,
    path: &str,
    how: (u32, u64, u64),
    slot: u32,
    want: u8,
) {
    let (oflags, base, inh) = how;
    let p = g.s(path);
    g.step(
        label,
        format!("(call $open {dir} (i32.const 0) {p} (i32.const {oflags}) (i64.const {base}) (i64.const {inh}) (i32.const 0) (i32.const {slot}))"),
        want,
    );
}

fn guest(v: &Preview) -> Guest {
    let mut g = Guest::new(v.module);
    let size = BUF + v.size_at;
    let narrow = FD_READ | FD_SEEK;
    open(
        &mut g,
        "open file.txt with FD_READ|FD_SEEK",
        "(i32.const 3)",
        "file.txt",
        (0, narrow, 0),
        ro_common::SLOT_FILE,
        0,
    );
    let f = format!("(i32.load (i32.const {}))", ro_common::SLOT_FILE);
    g.step("fd_filestat_get", format!("(call $chk (call $fd_stat {f} (i32.const {BUF})) (i32.load (i32.const {size})) (i32.const 11))"), 0);
    g.step("fd_seek to 6", format!("(call $chk (call $seek {f} (i64.const 6) (i32.const {}) (i32.const 40)) (i32.load (i32.const 40)) (i32.const 6))", v.seek_set), 0);
    g.step(
        "fd_tell",
        format!(
            "(call $chk (call $tell {f} (i32.const 40)) (i32.load (i32.const 40)) (i32.const 6))"
        ),
        0,
    );
    g.step("fd_read after the seek", format!("(call $chk (call $fd_read {f} (i32.const 16) (i32.const 1) (i32.const 44)) (i32.load (i32.const {BUF})) (i32.const 0x6c726f77))"), 0);
    g.step(
        "fd_advise",
        format!("(call $advise {f} (i64.const 0) (i64.const 0) (i32.const 0))"),
        0,
    );
    g.step("fd_sync", format!("(call $sync {f})"), 0);
    g.step("fd_datasync", format!("(call $datasync {f})"), 0);
    g.step("fd_fdstat_get reports what was asked", format!("(call $chk (call $fdstat {f} (i32.const {BUF})) (i32.load (i32.const {})) (i32.const {narrow}))", BUF + 8), 0);
    // Changes still need their rights.
    g.step(
        "fd_write",
        format!("(call $fd_write {f} (i32.const 0) (i32.const 1) (i32.const 40))"),
        NOTCAPABLE,
    );
    g.step(
        "fd_pwrite",
        format!("(call $fd_pwrite {f} (i32.const 0) (i32.const 1) (i64.const 0) (i32.const 40))"),
        NOTCAPABLE,
    );
    g.step(
        "fd_filestat_set_size",
        format!("(call $set_size {f} (i64.const 0))"),
        NOTCAPABLE,
    );
    g.step(
        "fd_filestat_set_times",
        format!("(call $fd_times {f} (i64.const 5) (i64.const 5) (i32.const 5))"),
        NOTCAPABLE,
    );
    g.step(
        "fd_allocate",
        format!("(call $allocate {f} (i64.const 0) (i64.const 4096))"),
        NOTCAPABLE,
    );

    // A directory asked for with only PATH_OPEN, handing down only FD_READ.
    open(
        &mut g,
        "open sub/ with PATH_OPEN",
        "(i32.const 3)",
        "sub",
        (2, PATH_OPEN, FD_READ),
        ro_common::SLOT_DIR,
        0,
    );
    let d = format!("(i32.load (i32.const {}))", ro_common::SLOT_DIR);
    g.step("fd_readdir", format!("(call $chk (call $readdir {d} (i32.const {BUF}) (i32.const 512) (i64.const 0) (i32.const 44)) (i32.gt_u (i32.load (i32.const 44)) (i32.const 24)) (i32.const 1))"), 0);
    let p = g.s("inner");
    g.step("path_filestat_get", format!("(call $chk (call $path_stat {d} (i32.const 0) {p} (i32.const {BUF})) (i32.load (i32.const {size})) (i32.const 5))"), 0);
    g.step("fd_filestat_get on the directory", format!("(call $chk (call $fd_stat {d} (i32.const {BUF})) (i32.load8_u (i32.const {})) (i32.const 3))", BUF + 16), 0);
    open(
        &mut g,
        "open sub/inner with FD_READ|FD_SEEK",
        &d,
        "inner",
        (0, narrow, 0),
        SLOT_INNER,
        0,
    );
    g.step("fd_filestat_get on sub/inner", format!("(call $chk (call $fd_stat (i32.load (i32.const {SLOT_INNER})) (i32.const {BUF})) (i32.load (i32.const {size})) (i32.const 5))"), 0);
    open(
        &mut g,
        "open sub/inner for writing",
        &d,
        "inner",
        (0, FD_READ | FD_WRITE, 0),
        SCRATCH,
        NOTCAPABLE,
    );
    open(
        &mut g,
        "O_CREAT in sub/",
        &d,
        "new",
        (1, FD_READ, 0),
        SCRATCH,
        NOTCAPABLE,
    );
    open(
        &mut g,
        "O_TRUNC in sub/",
        &d,
        "inner",
        (8, FD_READ, 0),
        SCRATCH,
        NOTCAPABLE,
    );
    let p = g.s("x");
    g.step(
        "path_create_directory in sub/",
        format!("(call $mkdir {d} {p})"),
        NOTCAPABLE,
    );
    let p = g.s("inner");
    g.step(
        "path_unlink_file in sub/",
        format!("(call $unlink {d} {p})"),
        NOTCAPABLE,
    );
    let (t, p) = (g.s("inner"), g.s("l"));
    g.step(
        "path_symlink in sub/",
        format!("(call $symlink {t} {d} {p})"),
        NOTCAPABLE,
    );
    let (p, q) = (g.s("inner"), g.s("moved"));
    g.step(
        "path_rename in sub/",
        format!("(call $rename {d} {p} {d} {q})"),
        NOTCAPABLE,
    );

    // A ceiling the guest lowers holds, for inspection too; it cannot be raised again.
    g.step(
        "fd_seek back to 0",
        format!(
            "(call $seek {f} (i64.const 0) (i32.const {}) (i32.const 40))",
            v.seek_set
        ),
        0,
    );
    g.step(
        "fd_fdstat_set_rights to FD_READ",
        format!("(call $set_rights {f} (i64.const {FD_READ}) (i64.const 0))"),
        0,
    );
    g.step(
        "fd_seek beyond the lowered ceiling",
        format!(
            "(call $seek {f} (i64.const 0) (i32.const {}) (i32.const 40))",
            v.seek_set
        ),
        NOTCAPABLE,
    );
    g.step(
        "fd_filestat_get beyond the lowered ceiling",
        format!("(call $fd_stat {f} (i32.const {BUF}))"),
        NOTCAPABLE,
    );
    g.step("fd_read within it", format!("(call $chk (call $fd_read {f} (i32.const 16) (i32.const 1) (i32.const 44)) (i32.load (i32.const {BUF})) (i32.const 0x6c6c6568))"), 0);
    g.step(
        "fd_fdstat_set_rights raising again",
        format!("(call $set_rights {f} (i64.const {narrow}) (i64.const 0))"),
        NOTCAPABLE,
    );
    g
}

fn run(v: &Preview) {
    let g = guest(v);
    for engine in ENGINES {
        let root = tempfile::tempdir().unwrap();
        make_tree(root.path());
        let scratch = tempfile::tempdir().unwrap();
        let wat = scratch.path().join("narrow.wat");
        std::fs::write(&wat, g.wat()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let before = snapshot(root.path());
        let out = wasihost(engine)
            .arg("--dir")
            .arg(format!("{}::.", root.path().display()))
            .arg(&wat)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{engine} {}: {err}", v.module);
        g.check(&format!("{engine} {}", v.module), &out.stdout);
        assert_eq!(
            snapshot(root.path()),
            before,
            "{engine} {}: the tree changed",
            v.module
        );
    }
}

#[test]
fn preview1_guest_with_narrow_rights() {
    run(&PREVIEW1);
}

#[test]
fn preview0_guest_with_narrow_rights() {
    run(&PREVIEW0);
}
