//! The generated `abi::FUNCS` table and `abi::call_raw` dispatcher (what the fuzz targets use
//! to call any hostcall by number): every function is listed with its wasm arity, and a call by
//! number is the call of that shim.

use wasihost::WasiCtx;
use wasihost::guest::GuestMemory;
use wasihost::preview0::wasi_unstable::abi as p0;
use wasihost::preview1::wasi_snapshot_preview1::abi as p1;

fn index(funcs: &[(&str, usize)], name: &str) -> usize {
    funcs.iter().position(|(n, _)| *n == name).unwrap()
}

#[test]
fn every_function_is_listed_with_its_arity() {
    assert_eq!(p1::FUNCS.len(), 46);
    assert_eq!(p0::FUNCS.len(), 45);
    for (funcs, name, arity) in [
        (p1::FUNCS, "fd_write", 4),
        (p1::FUNCS, "path_open", 9),
        (p1::FUNCS, "proc_exit", 1),
        (p1::FUNCS, "sched_yield", 0),
        (p0::FUNCS, "fd_seek", 4),
        (p0::FUNCS, "path_open", 9),
    ] {
        assert_eq!(funcs[index(funcs, name)].1, arity, "{name}");
    }
}

#[test]
fn a_call_by_number_is_the_shim() {
    let mut cx = WasiCtx::builder().args(["prog", "one"]).build().unwrap();
    let mut bytes = vec![0u8; 64];
    let mut mem = GuestMemory::Unshared(&mut bytes);
    // args_sizes_get(argc at 0, size at 4) = 0; two arguments, 9 bytes with their NULs.
    let sizes = index(p1::FUNCS, "args_sizes_get");
    let r = p1::call_raw(&mut cx, &mut mem, sizes, &[0, 4]);
    assert_eq!(r, Some(Ok(Some(0))));
    assert_eq!(&bytes[..8], &[2, 0, 0, 0, 9, 0, 0, 0]);
    let mut mem = GuestMemory::Unshared(&mut bytes);
    // Out of bounds: the shim traps; arguments are truncated to their wasm type.
    let r = p1::call_raw(&mut cx, &mut mem, sizes, &[0x1_0000_0000 + 64, 0]);
    assert!(matches!(r, Some(Err(_))), "{r:?}");
    // Unit and no-return functions; a number past the end.
    let exit = index(p0::FUNCS, "proc_exit");
    let r = p0::call_raw(&mut cx, &mut mem, exit, &[3]);
    assert_eq!(r.unwrap().unwrap_err().exit_code(), Some(3));
    assert!(p1::call_raw(&mut cx, &mut mem, p1::FUNCS.len(), &[]).is_none());
}
