//! The workloads done natively: the same system calls from Rust (rustix), in the same loops, with
//! the same results as the guests compute.

use std::fs;
use std::io::{self, Read, Write};
use std::mem::MaybeUninit;
use std::os::fd::{BorrowedFd, OwnedFd};
use std::path::Path;
use std::time::{Duration, Instant};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, RawDir, SeekFrom};

use crate::fixtures::{self, Fixtures};
use crate::workloads::{Scale, Workload};

/// Run `w` natively; the timing covers the loop only (as `_start` for a guest).
pub fn run(
    w: Workload,
    scale: Scale,
    fx: &Fixtures,
    out_dir: &str,
) -> io::Result<(Duration, (u64, u64))> {
    let n = w.count(scale);
    // The guest's preopened directory: opened before the timing, as a runner opens its preopens.
    let dir = rustix::fs::open(
        fx.root.as_path(),
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let start = Instant::now();
    let result = match w {
        Workload::Clock => clock(n),
        Workload::FdWrite => fd_write(n)?,
        Workload::Poll => poll(n)?,
        Workload::Random => random(n)?,
        Workload::OpenClose => open_close(&dir, n)?,
        Workload::Filestat => filestat(&dir, n)?,
        Workload::FdRead => fd_read(&dir)?,
        Workload::Readdir => readdir(&dir, n)?,
        Workload::CopyTree => {
            copy_rounds(&fx.root.join(fixtures::TREE), &fx.root.join(out_dir), n)?;
            (0, 0)
        }
    };
    Ok((start.elapsed(), result))
}

fn clock(n: u64) -> (u64, u64) {
    let (mut a, mut b, mut prev) = (0, 0, 0);
    for _ in 0..n {
        let ts = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
        let t = ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64;
        a += u64::from(t != 0);
        b += u64::from(t >= prev);
        prev = t;
    }
    (a, b)
}

fn fd_write(n: u64) -> io::Result<(u64, u64)> {
    // SAFETY: fd 1 is open for the life of the process (the parent points it at /dev/null).
    let stdout = unsafe { BorrowedFd::borrow_raw(1) };
    let mut a = 0;
    for _ in 0..n {
        a += rustix::io::write(stdout, b"x")? as u64;
    }
    Ok((a, 0))
}

fn poll(n: u64) -> io::Result<(u64, u64)> {
    let zero = rustix::time::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let (mut a, mut b) = (0, 0);
    for _ in 0..n {
        // No descriptor ready: the zero timeout is the one event, as the guest's clock one.
        if rustix::event::poll(&mut [], Some(&zero))? == 0 {
            a += 1;
            b += 7;
        }
    }
    Ok((a, b))
}

fn random(n: u64) -> io::Result<(u64, u64)> {
    let mut buf = vec![0u8; fixtures::BLOCK];
    let (mut a, mut b) = (0, 0);
    for _ in 0..n {
        buf[..8].fill(0);
        buf[fixtures::BLOCK - 8..].fill(0);
        let mut done = 0;
        while done < buf.len() {
            done +=
                rustix::rand::getrandom(&mut buf[done..], rustix::rand::GetRandomFlags::empty())?;
        }
        a += u64::from(buf[..8] != [0; 8]);
        b += u64::from(buf[fixtures::BLOCK - 8..] != [0; 8]);
    }
    Ok((a, b))
}

fn open_close(dir: &OwnedFd, n: u64) -> io::Result<(u64, u64)> {
    let mut a = 0;
    for _ in 0..n {
        let fd = rustix::fs::openat(
            dir,
            fixtures::SMALL,
            OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        drop(fd);
        a += 1;
    }
    Ok((a, 0))
}

fn filestat(dir: &OwnedFd, n: u64) -> io::Result<(u64, u64)> {
    let (mut a, mut b) = (0, 0);
    for _ in 0..n {
        let st = rustix::fs::statat(dir, fixtures::SMALL, AtFlags::SYMLINK_NOFOLLOW)?;
        a += st.st_size as u64;
        b += u64::from(FileType::from_raw_mode(st.st_mode) == FileType::RegularFile);
    }
    Ok((a, b))
}

fn fd_read(dir: &OwnedFd) -> io::Result<(u64, u64)> {
    let fd = rustix::fs::openat(
        dir,
        fixtures::BIG,
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let mut buf = vec![0u8; fixtures::BLOCK];
    let (mut a, mut b) = (0, 0);
    loop {
        let got = rustix::io::read(&fd, buf.as_mut_slice())?;
        if got == 0 {
            return Ok((a, b));
        }
        a += u64::from_le_bytes(buf[..8].try_into().expect("8 bytes"));
        b += got as u64;
    }
}

fn readdir(dir: &OwnedFd, n: u64) -> io::Result<(u64, u64)> {
    let fd = rustix::fs::openat(
        dir,
        fixtures::DIR,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let mut buf = [MaybeUninit::<u8>::uninit(); 4096];
    let mut a = 0;
    for _ in 0..n {
        rustix::fs::seek(&fd, SeekFrom::Start(0))?;
        let mut entries = RawDir::new(&fd, &mut buf);
        while let Some(entry) = entries.next() {
            a += u64::from(entry?.file_name().to_bytes().first() == Some(&b'f'));
        }
    }
    Ok((a, 0))
}

/// What the C guest does: `out/0` .. `out/(rounds-1)`, each a copy of `tree`.
fn copy_rounds(tree: &Path, out: &Path, rounds: u64) -> io::Result<()> {
    fs::create_dir(out)?;
    let mut buf = vec![0u8; 64 * 1024];
    for r in 0..rounds {
        copy_tree(tree, &out.join(r.to_string()), &mut buf)?;
    }
    Ok(())
}

fn copy_tree(from: &Path, to: &Path, buf: &mut [u8]) -> io::Result<()> {
    fs::create_dir(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type()?.is_dir() {
            copy_tree(&src, &dst, buf)?;
        } else {
            let mut input = fs::File::open(&src)?;
            let mut output = fs::File::create(&dst)?;
            loop {
                let got = input.read(buf)?;
                if got == 0 {
                    break;
                }
                output.write_all(&buf[..got])?;
            }
        }
    }
    Ok(())
}
