//! Hostcall tracing: one decoded line per call of either snapshot, generated from the witx.

use std::sync::{Arc, Mutex};

use wasihost::guest::GuestMemory;
use wasihost::preview0::wasi_unstable::abi as p0;
use wasihost::preview1::wasi_snapshot_preview1::abi;
use wasihost::{OutputBuffer, WasiCtx};

/// A context tracing into a shared list of lines, with a temp dir preopened as fd 3.
fn traced(dir: &std::path::Path) -> (WasiCtx, Arc<Mutex<Vec<String>>>) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let ctx = WasiCtx::builder()
        .preopen_dir(dir, "/d")
        .stdout(OutputBuffer::new().stdio())
        .trace(move |e| sink.lock().unwrap().push(e.to_string()))
        .build()
        .unwrap();
    (ctx, lines)
}

/// `line` without its trailing ` <duration>`, after checking there is one.
fn strip_time(line: &str) -> &str {
    let (head, time) = line.rsplit_once(" <").expect("a duration");
    assert!(time.ends_with('>'), "{line}");
    head
}

#[test]
fn calls_are_traced_with_decoded_arguments_and_results() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("here.txt"), "x").unwrap();
    let (mut ctx, lines) = traced(dir.path());
    let mut bytes = vec![0u8; 256];
    bytes[100..108].copy_from_slice(b"gone.txt");
    bytes[120..128].copy_from_slice(b"here.txt");
    bytes[0..4].copy_from_slice(&140u32.to_le_bytes());
    bytes[4..8].copy_from_slice(&3u32.to_le_bytes());
    bytes[140..143].copy_from_slice(b"hi\n");
    let mut mem = GuestMemory::Unshared(&mut bytes);
    assert_eq!(
        abi::path_open(&mut ctx, &mut mem, 3, 1, 100, 8, 0, 2, 0, 0, 200),
        Ok(44)
    );
    assert_eq!(
        abi::path_open(&mut ctx, &mut mem, 3, 1, 120, 8, 0, 2, 0, 0, 200),
        Ok(0)
    );
    assert_eq!(abi::fd_write(&mut ctx, &mut mem, 1, 0, 1, 40), Ok(0));
    // An invalid flag value: the raw arguments are shown, the errno by name.
    assert_eq!(
        abi::path_open(&mut ctx, &mut mem, 3, 1, 100, 8, 0x40, 0, 0, 0, 200),
        Ok(28)
    );
    assert_eq!(p0::fd_close(&mut ctx, &mut mem, 99), Ok(8));
    let lines = lines.lock().unwrap();
    let got: Vec<&str> = lines.iter().map(|l| strip_time(l)).collect();
    let open = "wasi_snapshot_preview1.path_open(fd=3, dirflags=Lookupflags(SYMLINK_FOLLOW), \
                path=";
    let rights = "oflags=Oflags(), fs_rights_base=Rights(FD_READ), \
                  fs_rights_inheriting=Rights(), fdflags=Fdflags())";
    assert_eq!(
        got,
        [
            format!("{open}\"gone.txt\", {rights} = ENOENT"),
            format!("{open}\"here.txt\", {rights} = Fd(4)"),
            "wasi_snapshot_preview1.fd_write(fd=1, iovs=GuestSlice(0x0, len 1)) = 3".to_string(),
            "wasi_snapshot_preview1.path_open(3, 1, 100, 8, 64, 0, 0, 0, 200) = EINVAL".to_string(),
            "wasi_unstable.fd_close(fd=99) = EBADF".to_string(),
        ]
    );
}

#[test]
fn traps_are_traced_too() {
    let dir = tempfile::tempdir().unwrap();
    let (mut ctx, lines) = traced(dir.path());
    let mut bytes = vec![0u8; 64];
    let mut mem = GuestMemory::Unshared(&mut bytes);
    assert!(abi::args_sizes_get(&mut ctx, &mut mem, 64, 0).is_err());
    let lines = lines.lock().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(
        strip_time(&lines[0]),
        "wasi_snapshot_preview1.args_sizes_get() = trap: guest memory fault: \
         pointer out of bounds: 4 bytes at 0x40 in a memory of 64 bytes"
    );
}

#[test]
fn debug_says_whether_traced() {
    let ctx = WasiCtx::builder().build().unwrap();
    assert!(format!("{ctx:?}").contains("traced: false"), "{ctx:?}");
    let ctx = WasiCtx::builder()
        .trace_to(std::io::sink())
        .build()
        .unwrap();
    assert!(format!("{ctx:?}").contains("traced: true"), "{ctx:?}");
}
