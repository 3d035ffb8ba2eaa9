//! Run a guest on an in-memory filesystem preloaded from a tar archive. The guest reads and
//! writes it freely; nothing reaches the host, and the embedder reads the result back.
//!
//! `cargo run -p wasihost-examples --bin memfs_tar`

use wasihost::memfs::MemFs;
use wasihost::{Mount, WasiCtx};
use wasihost_examples::{BoxError, run_on_wasmtime};

/// A small archive built in memory; any `.tar` file's bytes work the same way.
fn archive() -> Result<Vec<u8>, BoxError> {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, text) in [
        ("site/index.html", "<h1>hi</h1>\n"),
        ("site/notes.txt", "todo\n"),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, path, text.as_bytes())?;
    }
    Ok(tar.into_inner()?)
}

fn main() -> Result<(), BoxError> {
    // Caps bound what the guest can make the host allocate: ENOSPC beyond them.
    let fs = MemFs::new().with_max_bytes(1 << 20).with_max_entries(1000);
    fs.load_tar(&archive()?[..])?;

    let ctx = WasiCtx::builder()
        .args(["explore", "ls", "/srv/site", "cat", "/srv/site/index.html"])
        .args(["write", "/srv/site/visits.txt", "1"])
        .inherit_stdio()
        .preopen(fs.root(), "/srv", Mount::ReadWrite)
        .build()?;
    let status = run_on_wasmtime(ctx)?;

    let visits = fs.read_file("site/visits.txt")?;
    println!(
        "status {status}; the guest wrote visits.txt = {:?}; {} bytes in use",
        String::from_utf8_lossy(&visits),
        fs.bytes_used()
    );
    Ok(())
}
