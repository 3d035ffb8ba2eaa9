//! The `wasi_unstable` (preview0) module byte for byte: a module importing all 45 functions,
//! and the 12 that are not about files (arguments, environment, clocks, randomness, process,
//! `poll_oneoff` with preview0's subscription layout, sockets, and rights without
//! `SOCK_ACCEPT`). The 33 file functions are in `preview0_files.rs`.
//!
//! Each test runs a WAT program importing preview0 (and, for comparison, preview1) and checks
//! the bytes it wrote against absolute facts and, where preview0 only re-lays out a preview1
//! result, against preview1's answer to the same call.

mod poll_support;

use std::io::Write;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::time::{SystemTime, UNIX_EPOCH};

use poll_support::script::{FUNCS, Script, i32c, i64c};
use poll_support::*;
use wasihost::{Stdio, WasiCtx};

const EINVAL: u32 = 28;
const ENOTSOCK: u32 = 57;

/// All 29 preview0 rights.
const ALL_RIGHTS_P0: u64 = (1 << 29) - 1;
/// `SOCK_ACCEPT`, preview1 only.
const SOCK_ACCEPT: u64 = 1 << 29;

fn nanos(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64
}

#[test]
fn every_preview0_function_is_importable() {
    // One module importing all 45 functions links and runs.
    let mut s = Script::new();
    assert_eq!(FUNCS.len(), 45);
    for (name, params, result) in FUNCS {
        if *name == "proc_exit" {
            continue;
        }
        // Calls with descriptor 99 (or zero-length buffers) fail harmlessly or do nothing.
        let args: Vec<String> = params
            .split_whitespace()
            .enumerate()
            .map(|(i, t)| match (i, t) {
                (0, "i32") if name.starts_with("fd_") || name.starts_with("sock_") => i32c(99),
                (0, "i32") if name.starts_with("path_") => i32c(99),
                (_, "i32") => i32c(0),
                _ => i64c(0),
            })
            .collect();
        assert!(*result);
        s.call(&format!("p0.{name}"), &args);
    }
    s.call_void("p0.proc_exit", &[i32c(42)]);
    let o = s.run(WasiCtx::builder().build().unwrap());
    assert_eq!(o.exited(), 42);
    assert_eq!(s.wat().matches("(import \"wasi_unstable\"").count(), 45);
}

#[test]
fn args_and_environ() {
    let mut s = Script::new();
    s.call("p0.args_sizes_get", &[i32c(0x400), i32c(0x404)]);
    s.call("p0.args_get", &[i32c(0x500), i32c(0x600)]);
    s.call("p0.environ_sizes_get", &[i32c(0x408), i32c(0x40c)]);
    s.call("p0.environ_get", &[i32c(0x700), i32c(0x800)]);
    let ctx = WasiCtx::builder()
        .args(["prog", "a b", ""])
        .env("K", "V")
        .env("X", "")
        .build()
        .unwrap();
    let o = s.run(ctx);
    assert_eq!((0..4).map(|k| o.errno(k)).collect::<Vec<_>>(), [0; 4]);
    assert_eq!((o.u32(0x400), o.u32(0x404)), (3, 10));
    assert_eq!(
        [o.u32(0x500), o.u32(0x504), o.u32(0x508)],
        [0x600, 0x605, 0x609]
    );
    assert_eq!(o.bytes(0x600, 10), b"prog\0a b\0\0");
    assert_eq!((o.u32(0x408), o.u32(0x40c)), (2, 7));
    assert_eq!([o.u32(0x700), o.u32(0x704)], [0x800, 0x804]);
    assert_eq!(o.bytes(0x800, 7), b"K=V\0X=\0");
}

#[test]
fn clocks_random_yield_raise_and_exit() {
    let mut s = Script::new();
    for id in 0..4u32 {
        s.call("p0.clock_res_get", &[i32c(id), i32c(0x400 + 8 * id)]);
        s.call("p1.clock_res_get", &[i32c(id), i32c(0x440 + 8 * id)]);
    }
    s.call("p0.clock_res_get", &[i32c(4), i32c(0x480)]);
    s.call("p0.clock_time_get", &[i32c(0), i64c(1), i32c(0x500)]);
    s.call("p0.clock_time_get", &[i32c(1), i64c(0), i32c(0x508)]);
    s.call("p0.clock_time_get", &[i32c(1), i64c(0), i32c(0x510)]);
    s.call("p0.clock_time_get", &[i32c(9), i64c(0), i32c(0x518)]);
    s.call("p0.random_get", &[i32c(0x600), i32c(64)]);
    s.call("p0.sched_yield", &[]);
    s.call("p0.proc_raise", &[i32c(9)]);
    s.call("p1.proc_raise", &[i32c(9)]);
    s.call("p0.proc_raise", &[i32c(200)]);
    s.call_void("p0.proc_exit", &[i32c(7)]);
    s.call("p0.sched_yield", &[]);
    s.data(0x518, &[0xaa; 8]);
    let before = nanos(SystemTime::now());
    let o = s.run(WasiCtx::builder().build().unwrap());
    let after = nanos(SystemTime::now());
    assert_eq!(o.exited(), 7);
    for id in 0..4 {
        assert_eq!(o.errno(2 * id), 0);
        let res = o.u64(0x400 + 8 * id as usize);
        assert!(res > 0);
        assert_eq!(res, o.u64(0x440 + 8 * id as usize), "same as preview1");
    }
    assert_eq!(o.errno(8), EINVAL, "clock id 4");
    assert_eq!(o.errno(9), 0);
    let real = o.u64(0x500);
    assert!(
        before <= real && real <= after,
        "{before} <= {real} <= {after}"
    );
    assert!(o.u64(0x510) >= o.u64(0x508), "monotonic");
    assert_eq!(o.errno(12), EINVAL, "clock id 9");
    assert_eq!(o.bytes(0x518, 8), [0xaa; 8]);
    assert_eq!(o.errno(13), 0);
    assert_ne!(o.bytes(0x600, 64), [0; 64], "random bytes");
    assert_eq!(o.errno(14), 0, "sched_yield");
    assert_eq!(o.errno(15), o.errno(16), "proc_raise as in preview1");
    assert_eq!(o.errno(17), EINVAL, "no signal 200");
    assert_eq!(o.u32(4 * 18), 0, "nothing runs after proc_exit");
}

#[test]
fn poll_oneoff_reads_preview0_subscriptions() {
    const P0: Snapshot = Snapshot::Preview0;
    let ctx = || WasiCtx::builder().build().unwrap();
    // A relative clock: the identifier (0xdeadbeef, first in the payload) is not the clock id,
    // and the event carries the userdata.
    let o = run_wat(
        &poll_program(P0, &[Sub::Clock(0x55, MONOTONIC, 10_000_000, false)], None),
        ctx(),
    );
    assert_eq!(o.u32(ERRNO_AT), 0);
    assert_eq!(events(&o), [clock_event(0x55)]);
    assert!(o.u64(MONO_END_AT) - o.u64(MONO_START_AT) >= 10_000_000);
    // An absolute deadline on each clock.
    for clock in [MONOTONIC, REALTIME] {
        let o = run_wat(
            &poll_program(P0, &[Sub::Clock(3, clock, 5_000_000, true)], None),
            ctx(),
        );
        assert_eq!(events(&o), [clock_event(3)]);
        let deadline = o.u64(SUBS_AT + 32);
        let end = if clock == MONOTONIC {
            MONO_END_AT
        } else {
            REAL_END_AT
        };
        assert!(o.u64(end) >= deadline);
    }
    // Descriptors: a file with bytes left, a bad descriptor, a clock that must not fire.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), b"12345").unwrap();
    let file = std::fs::File::open(dir.path().join("f")).unwrap();
    let ctx2 = WasiCtx::builder()
        .stdin(Stdio::Fd(file.into()))
        .build()
        .unwrap();
    let subs = [
        Sub::Clock(1, MONOTONIC, 3_600_000_000_000, false),
        Sub::Read(2, 0),
        Sub::Write(3, 77),
    ];
    let o = run_wat(&poll_program(P0, &subs, None), ctx2);
    assert_eq!(
        events(&o),
        [
            fd_event(2, false, 0, 5, false),
            fd_event(3, true, 8, 0, false)
        ]
    );
    // No subscriptions; a misaligned array.
    let o = run_wat(&poll_program(P0, &subs, Some(0)), ctx());
    assert_eq!(o.u32(ERRNO_AT), EINVAL);
    let (bytes, _) = encode_subs(P0, &subs[..1]);
    let o = run_wat(
        &poll_program_raw(P0, &bytes, &[], SUBS_AT as u32 + 4, EVENTS_AT as u32, 1),
        ctx(),
    );
    assert!(o.status.is_err());
}

#[test]
fn sockets_through_preview0() {
    let (guest, host) = UnixStream::pair().unwrap();
    (&host).write_all(b"peekaboo").unwrap();
    let (dguest, dhost) = UnixDatagram::pair().unwrap();
    dhost.send(b"0123456789").unwrap();
    let ctx = WasiCtx::builder()
        .preopen_socket(guest)
        .preopen_socket(dguest)
        .build()
        .unwrap();
    let mut s = Script::new();
    let r = s.iovs(&[(0x1000, 4)]);
    let r8 = s.iovs(&[(0x1100, 8)]);
    let rd = s.iovs(&[(0x1200, 4)]);
    let out = s.alloc(b"pong");
    let w = s.iovs(&[(out, 4)]);
    let k_peek = s.call(
        "p0.sock_recv",
        &[
            i32c(3),
            r[0].clone(),
            r[1].clone(),
            i32c(1),
            i32c(0x400),
            i32c(0x404),
        ],
    );
    let k_recv = s.call(
        "p0.sock_recv",
        &[
            i32c(3),
            r8[0].clone(),
            r8[1].clone(),
            i32c(0),
            i32c(0x408),
            i32c(0x40c),
        ],
    );
    let k_trunc = s.call(
        "p0.sock_recv",
        &[
            i32c(4),
            rd[0].clone(),
            rd[1].clone(),
            i32c(0),
            i32c(0x410),
            i32c(0x414),
        ],
    );
    let k_send = s.call(
        "p0.sock_send",
        &[i32c(3), w[0].clone(), w[1].clone(), i32c(0), i32c(0x418)],
    );
    let k_send_flags = s.call(
        "p0.sock_send",
        &[i32c(3), w[0].clone(), w[1].clone(), i32c(1), i32c(0x41c)],
    );
    let k_shut = s.call("p0.sock_shutdown", &[i32c(3), i32c(3)]);
    let k_shut_bad = s.call("p0.sock_shutdown", &[i32c(3), i32c(4)]);
    let k_notsock = s.call(
        "p0.sock_recv",
        &[
            i32c(1),
            r[0].clone(),
            r[1].clone(),
            i32c(0),
            i32c(0x420),
            i32c(0x424),
        ],
    );
    let k_notsock2 = s.call("p0.sock_shutdown", &[i32c(0), i32c(1)]);
    let o = s.run(ctx);
    assert_eq!(o.exited(), 0);
    assert_eq!((o.errno(k_peek), o.u32(0x400), o.u16(0x404)), (0, 4, 0));
    assert_eq!(o.bytes(0x1000, 4), b"peek");
    assert_eq!((o.errno(k_recv), o.u32(0x408)), (0, 8));
    assert_eq!(o.bytes(0x1100, 8), b"peekaboo");
    assert_eq!(o.bytes(0x1200, 4), b"0123");
    assert_eq!(
        (o.errno(k_trunc), o.u32(0x410), o.u16(0x414)),
        (0, 4, 1),
        "RECV_DATA_TRUNCATED"
    );
    assert_eq!((o.errno(k_send), o.u32(0x418)), (0, 4));
    assert_eq!(o.errno(k_send_flags), EINVAL);
    assert_eq!((o.errno(k_shut), o.errno(k_shut_bad)), (0, EINVAL));
    assert_eq!(
        (o.errno(k_notsock), o.errno(k_notsock2)),
        (ENOTSOCK, ENOTSOCK)
    );
    let mut got = Vec::new();
    std::io::Read::read_to_end(&mut &host, &mut got).unwrap();
    assert_eq!(got, b"pong");
}

#[test]
fn socket_rights_keep_sock_accept() {
    // preview0 cannot name SOCK_ACCEPT: its fdstat hides the bit, and narrowing rights through
    // preview0 keeps it, so preview1's sock_accept still works.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let ctx = WasiCtx::builder().preopen_socket(listener).build().unwrap();
    let mut s = Script::new();
    let k_get0 = s.call("p0.fd_fdstat_get", &[i32c(3), i32c(0x400)]);
    let k_get1 = s.call("p1.fd_fdstat_get", &[i32c(3), i32c(0x420)]);
    let k_set = s.call("p0.fd_fdstat_set_rights", &[i32c(3), i64c(1 << 1), i64c(0)]);
    let k_get = s.call("p1.fd_fdstat_get", &[i32c(3), i32c(0x440)]);
    let k_accept = s.call("p1.sock_accept", &[i32c(3), i32c(0), i32c(0x460)]);
    let o = s.run(ctx);
    assert_eq!(
        (
            o.errno(k_get0),
            o.errno(k_get1),
            o.errno(k_set),
            o.errno(k_get)
        ),
        (0, 0, 0, 0)
    );
    assert_ne!(o.u64(0x428) & SOCK_ACCEPT, 0, "preview1 sees SOCK_ACCEPT");
    assert_eq!(
        o.u64(0x408),
        o.u64(0x428) & ALL_RIGHTS_P0,
        "preview0 does not"
    );
    assert_eq!(o.bytes(0x400, 8), o.bytes(0x420, 8));
    assert_eq!(o.u64(0x448), (1 << 1) | SOCK_ACCEPT);
    assert_eq!(o.errno(k_accept), 6, "EAGAIN: allowed, nobody connecting");
}
