//! Arguments, environment, clocks, randomness, process exit and scheduling.

use wasihost_guest::{GuestMemory, GuestPtr, Trap};

use crate::ctx::WasiCtx;
use crate::error::Error;
use crate::preview1::types::{self, Clockid, Errno};

/// Write `strings` as NUL-terminated strings into `buf`, and a pointer to each into `ptrs`.
fn write_strings(
    mem: &mut GuestMemory<'_>,
    strings: &[Vec<u8>],
    ptrs: GuestPtr<GuestPtr<u8>>,
    buf: GuestPtr<u8>,
) -> Result<(), Error> {
    let count = u32::try_from(strings.len()).map_err(|_| Errno::Overflow)?;
    let (_, total) = sizes(strings)?;
    // Validate both regions before writing anything.
    mem.array_region::<GuestPtr<u8>>(ptrs.offset(), count)?;
    mem.array_region::<u8>(buf.offset(), total)?;
    let mut at = buf.offset();
    for (i, s) in strings.iter().enumerate() {
        ptrs.add_elements(i as u32)?.write(mem, GuestPtr::new(at))?;
        mem.copy_from_slice(at, s)?;
        mem.copy_from_slice(at + s.len() as u32, &[0])?;
        at += s.len() as u32 + 1;
    }
    Ok(())
}

/// (count, total bytes including one NUL each).
fn sizes(strings: &[Vec<u8>]) -> Result<(u32, u32), Error> {
    let count = u32::try_from(strings.len()).map_err(|_| Errno::Overflow)?;
    let total: usize = strings.iter().map(|s| s.len() + 1).sum();
    let total = u32::try_from(total).map_err(|_| Errno::Overflow)?;
    Ok((count, total))
}

pub fn args_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    argv: GuestPtr<GuestPtr<u8>>,
    argv_buf: GuestPtr<u8>,
) -> Result<(), Error> {
    write_strings(mem, &cx.args, argv, argv_buf)
}

pub fn args_sizes_get(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
) -> Result<(types::Size, types::Size), Error> {
    sizes(&cx.args)
}

pub fn environ_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    environ: GuestPtr<GuestPtr<u8>>,
    environ_buf: GuestPtr<u8>,
) -> Result<(), Error> {
    write_strings(mem, &cx.env, environ, environ_buf)
}

pub fn environ_sizes_get(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
) -> Result<(types::Size, types::Size), Error> {
    sizes(&cx.env)
}

pub fn clock_res_get(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    id: Clockid,
) -> Result<types::Timestamp, Error> {
    cx.clocks.resolution(id)
}

/// The current time of clock `id` in nanoseconds (`precision` is a hint the clocks cannot use).
pub fn clock_time_get(
    cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    id: Clockid,
    _precision: types::Timestamp,
) -> Result<types::Timestamp, Error> {
    cx.clocks.now(id)
}

pub fn proc_exit(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>, rval: types::Exitcode) -> Trap {
    cx.exit_code = Some(rval);
    Trap::Exit(rval)
}

/// `proc_raise` is deprecated in WASI (signals cannot be delivered to a wasm guest in any
/// portable way), so it reports `ENOTSUP` as other hosts do.
pub fn proc_raise(
    _cx: &mut WasiCtx,
    _mem: &mut GuestMemory<'_>,
    _sig: types::Signal,
) -> Result<(), Error> {
    Err(Errno::Notsup.into())
}

pub fn sched_yield(cx: &mut WasiCtx, _mem: &mut GuestMemory<'_>) -> Result<(), Error> {
    cx.clocks.yield_now()
}

/// Fill the guest buffer from the context's random source, straight into guest memory when it
/// is unshared, through a small stack buffer otherwise.
pub fn random_get(
    cx: &mut WasiCtx,
    mem: &mut GuestMemory<'_>,
    buf: GuestPtr<u8>,
    buf_len: types::Size,
) -> Result<(), Error> {
    if let Some(bytes) = mem.bytes_mut(buf.offset(), buf_len)? {
        return cx.random.fill(bytes);
    }
    let mut chunk = [0u8; 4096];
    let mut done = 0u32;
    while done < buf_len {
        let n = (buf_len - done).min(chunk.len() as u32);
        cx.random.fill(&mut chunk[..n as usize])?;
        mem.copy_from_slice(buf.offset() + done, &chunk[..n as usize])?;
        done += n;
    }
    Ok(())
}
