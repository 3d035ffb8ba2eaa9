//! Arbitrary sequences of preview1 and preview0 hostcalls, with arbitrary argument values,
//! against guest memory the input writes, on a scratch preopen that is a host directory (either
//! resolver) or a `MemFs` directory.
//!
//! Invariants: no panic; once the context and the scratch tree are dropped the process has
//! exactly the host descriptors it had before; nothing outside the preopen changed.

#![no_main]

#[path = "../../crates/wasi/tests/sandbox_common/mod.rs"]
mod sandbox_common;

use std::sync::{Arc, Once};

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use sandbox_common::{DirKind, Sandbox, Tree};
use wasihost::clocks::VirtualClocks;
use wasihost::guest::GuestMemory;
use wasihost::random::SeededRandom;
use wasihost::vfs::{OpenOptions, Opened};
use wasihost::{Mount, OutputBuffer, Overflow, PathResolver, Stdio, WasiCtx};
use wasihost::{preview0::wasi_unstable::abi as p0, preview1::wasi_snapshot_preview1::abi as p1};

const MEM: usize = 64 * 1024;
const MAX_OPS: usize = 48;

/// Values that sit on the edges the shims check.
const EDGES: [u64; 10] = [
    0,
    1,
    MEM as u64 - 1,
    MEM as u64,
    MEM as u64 - 8,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0xffff_fff8,
    u64::MAX,
];

fn setup() {
    // Scratch trees on tmpfs when there is one: creating and removing them on a disk file
    // system costs more than the calls under test.
    if std::path::Path::new("/dev/shm").is_dir() && std::env::var_os("TMPDIR").is_none() {
        // SAFETY: called once, before this process starts any thread of its own.
        unsafe { std::env::set_var("TMPDIR", "/dev/shm") };
    }
    // Files the guest writes stay small: past 4 MiB a write fails with EFBIG instead of
    // filling the disk (SIGXFSZ ignored so the call returns the errno).
    // SAFETY: plain libc calls with valid arguments, once, before any thread of ours starts.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        let lim = libc::rlimit {
            rlim_cur: 4 << 20,
            rlim_max: 4 << 20,
        };
        libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
    }
}

fn host_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn arg(u: &mut Unstructured<'_>) -> Result<i64> {
    Ok(match u.int_in_range(0u8..=5)? {
        0 => u.int_in_range(0i64..=15)?,
        1 => i64::from(u.arbitrary::<u16>()?),
        2 => i64::from(u.arbitrary::<u16>()? & !7),
        3 => i64::from(u.arbitrary::<u32>()?),
        4 => u.arbitrary::<i64>()?,
        _ => *u.choose(&EDGES)? as i64,
    })
}

/// The scratch tree's preopen: `inside` (fd 3) and the same directory read-only (fd 4).
fn context(sb: &Sandbox, out: &OutputBuffer) -> WasiCtx {
    let mut b = WasiCtx::builder();
    match (&sb.tree, sb.kind) {
        (Tree::Os(root), DirKind::Os(resolver)) => {
            let inside = root.path().join("inside");
            b.preopen_dir(&inside, "/sandbox")
                .preopen_dir_read_only(&inside, "/ro")
                .path_resolver(resolver);
        }
        (Tree::Mem(fs), _) => {
            let Ok(Opened::Dir(inside)) = fs.root().open(b"inside", &OpenOptions::LOOKUP) else {
                panic!("inside is a directory")
            };
            b.preopen(inside.clone(), "/sandbox", Mount::ReadWrite)
                .preopen(inside, "/ro", Mount::ReadOnly);
        }
        _ => unreachable!(),
    }
    b.args(["prog", "-x", "arg"])
        .env("HOME", "/sandbox")
        .env("K", "V=W")
        .stdin(Stdio::bytes(&b"line one\nline two\n"[..]))
        .stdout(out.stdio())
        .stderr(out.stdio())
        .clocks(Arc::new(VirtualClocks::default()))
        .random(Box::new(SeededRandom::new(7)))
        .max_open_fds(64);
    b.build().unwrap()
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let kind = *u.choose(&[
        DirKind::Os(PathResolver::Auto),
        DirKind::Os(PathResolver::Userspace),
        DirKind::Mem,
    ])?;
    let before = host_fds();
    {
        let sb = Sandbox::of(kind);
        sb.put_dir("inside/d");
        sb.put_file("inside/f", b"hello");
        sb.put_symlink("f", "inside/l");
        sb.put_symlink("../outside/secret", "inside/up");
        let outside = sb.outside_state();
        let out = OutputBuffer::with_limit(64 * 1024, Overflow::Fail);
        let mut ctx = context(&sb, &out);
        let mut memory = vec![0u8; MEM];
        let mut args = Vec::with_capacity(8);
        for _ in 0..MAX_OPS {
            if u.is_empty() {
                break;
            }
            let op = u.int_in_range(0u8..=7)?;
            if op == 0 {
                // Store bytes in guest memory.
                let at = usize::from(u.arbitrary::<u16>()?);
                let len = u.int_in_range(0usize..=64)?.min(MEM - at);
                let bytes = u.bytes(len)?;
                memory[at..at + bytes.len()].copy_from_slice(bytes);
                continue;
            }
            let preview0 = op >= 6;
            let funcs = if preview0 { p0::FUNCS } else { p1::FUNCS };
            let index = u.choose_index(funcs.len())?;
            args.clear();
            for _ in 0..funcs[index].1 {
                args.push(arg(&mut u)?);
            }
            let mut mem = GuestMemory::Unshared(&mut memory);
            let outcome = if preview0 {
                p0::call_raw(&mut ctx, &mut mem, index, &args)
            } else {
                p1::call_raw(&mut ctx, &mut mem, index, &args)
            };
            if outcome.expect("index in range").is_err() {
                // A trap ends the instance: nothing more is called on this context.
                break;
            }
        }
        drop(ctx);
        assert_eq!(
            sb.outside_state(),
            outside,
            "something outside the preopen changed"
        );
    }
    assert_eq!(host_fds(), before, "host descriptors leaked");
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    static INIT: Once = Once::new();
    INIT.call_once(setup);
    let _ = run(data);
});
