//! `poll_oneoff` byte for byte: clock subscriptions (relative, absolute, both clocks), fd
//! subscriptions on files, pipes, sockets and embedder streams, per-event errors, argument
//! errors and traps. Each test runs a WAT program through the library API and decodes the
//! events it got from its memory.

mod poll_support;

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use poll_support::*;
use wasihost::{Stdio, WasiCtx};

const P1: Snapshot = Snapshot::Preview1;
const MS: u64 = 1_000_000;
/// A timeout that must never fire during a test.
const HOUR: u64 = 3600 * 1_000_000_000;

fn ctx() -> WasiCtx {
    WasiCtx::builder().build().unwrap()
}

fn poll(ctx: WasiCtx, subs: &[Sub]) -> Outcome {
    run_wat(&poll_program(P1, subs, None), ctx)
}

fn elapsed(o: &Outcome) -> u64 {
    o.u64(MONO_END_AT) - o.u64(MONO_START_AT)
}

#[test]
fn zero_subscriptions_is_einval() {
    let o = run_wat(
        &poll_program(P1, &[Sub::Clock(1, MONOTONIC, 0, false)], Some(0)),
        ctx(),
    );
    assert_eq!(o.exited(), 0);
    assert_eq!(o.u32(ERRNO_AT), 28, "EINVAL");
    assert_eq!(o.u32(NEVENTS_AT), 0, "nothing written");
}

/// Assert the run trapped on a guest pointer, with `what` in the message.
fn assert_pointer_trap(o: &Outcome, what: &str) {
    match &o.status {
        Err(msg) => assert!(msg.contains(what), "{msg}"),
        Ok(s) => panic!("exited with {s} instead of trapping"),
    }
    assert_eq!(o.u32(NEVENTS_AT), 0);
}

#[test]
fn arrays_out_of_bounds_trap() {
    let end = 2 * 65536u32;
    let (subs, _) = encode_subs(P1, &[Sub::Clock(1, MONOTONIC, 0, false)]);
    // The input array runs past the end of memory.
    let o = run_wat(&poll_program_raw(P1, &subs, &[], end - 48, 4096, 2), ctx());
    assert_pointer_trap(&o, "out of bounds");
    // The output array runs past the end of memory, even though one event would fit.
    let o = run_wat(
        &poll_program_raw(P1, &subs, &[], SUBS_AT as u32, end - 32, 2),
        ctx(),
    );
    assert_pointer_trap(&o, "out of bounds");
    // Misaligned arrays.
    let o = run_wat(
        &poll_program_raw(P1, &subs, &[], SUBS_AT as u32 + 4, 4096, 1),
        ctx(),
    );
    assert_pointer_trap(&o, "not aligned");
    let o = run_wat(
        &poll_program_raw(P1, &subs, &[], SUBS_AT as u32, 4100, 1),
        ctx(),
    );
    assert_pointer_trap(&o, "not aligned");
    // A count so large the array size overflows.
    let o = run_wat(
        &poll_program_raw(P1, &subs, &[], SUBS_AT as u32, 4096, u32::MAX / 16),
        ctx(),
    );
    assert_pointer_trap(&o, "overflows");
}

#[test]
fn bad_tag_or_clock_is_einval() {
    let (mut subs, _) = encode_subs(P1, &[Sub::Clock(1, MONOTONIC, 0, false)]);
    subs[8] = 3;
    let o = run_wat(
        &poll_program_raw(P1, &subs, &[], SUBS_AT as u32, EVENTS_AT as u32, 1),
        ctx(),
    );
    assert_eq!(o.u32(ERRNO_AT), 28);
    let o = poll(ctx(), &[Sub::Clock(1, 9, 0, false)]);
    assert_eq!(o.u32(ERRNO_AT), 28);
}

#[test]
fn relative_clock_sleeps_at_least_its_timeout() {
    let started = Instant::now();
    let o = poll(
        ctx(),
        &[Sub::Clock(0x1122_3344_5566_7788, MONOTONIC, 30 * MS, false)],
    );
    assert!(started.elapsed() >= Duration::from_millis(30));
    assert_eq!(o.u32(ERRNO_AT), 0);
    assert_eq!(events(&o), [clock_event(0x1122_3344_5566_7788)]);
    assert!(elapsed(&o) >= 30 * MS, "{} ns", elapsed(&o));
    // The same on the realtime clock.
    let o = poll(ctx(), &[Sub::Clock(5, REALTIME, 20 * MS, false)]);
    assert_eq!(events(&o), [clock_event(5)]);
}

#[test]
fn absolute_deadlines_are_reached() {
    for clock in [MONOTONIC, REALTIME] {
        let o = poll(ctx(), &[Sub::Clock(9, clock, 25 * MS, true)]);
        assert_eq!(o.u32(ERRNO_AT), 0);
        assert_eq!(events(&o), [clock_event(9)], "clock {clock}");
        // The deadline (the fixed-up timeout in the subscription) has passed on that clock.
        let deadline = o.u64(SUBS_AT + 24);
        let after = if clock == MONOTONIC {
            o.u64(MONO_END_AT)
        } else {
            o.u64(REAL_END_AT)
        };
        assert!(after >= deadline, "clock {clock}: {after} < {deadline}");
    }
    // A deadline in the past fires at once; one that is far off does not fire.
    let o = poll(
        ctx(),
        &[
            Sub::Clock(1, MONOTONIC, HOUR, true),
            Sub::Clock(2, MONOTONIC, 1, false),
            Sub::Clock(3, REALTIME, 1000, false),
        ],
    );
    let o2 = poll(ctx(), &[Sub::Clock(4, REALTIME, 1, true)]);
    assert!(events(&o).contains(&clock_event(2)), "{:?}", events(&o));
    assert!(!events(&o).contains(&clock_event(1)));
    assert_eq!(events(&o2), [clock_event(4)]);
}

#[test]
fn earliest_of_several_clocks_wins() {
    let o = poll(
        ctx(),
        &[
            Sub::Clock(1, MONOTONIC, HOUR, false),
            Sub::Clock(2, REALTIME, 15 * MS, false),
            Sub::Clock(3, MONOTONIC, HOUR, true),
        ],
    );
    assert_eq!(events(&o), [clock_event(2)]);
    assert!(elapsed(&o) >= 14 * MS);
}

#[test]
fn cputime_clocks_report_notsup() {
    let o = poll(ctx(), &[Sub::Clock(7, PROCESS_CPUTIME, HOUR, false)]);
    assert_eq!(o.u32(ERRNO_AT), 0);
    let mut e = clock_event(7);
    e.error = 58;
    assert_eq!(events(&o), [e]);
}

#[test]
fn fd_errors_are_reported_per_event() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = WasiCtx::builder()
        .preopen_dir(dir.path(), ".")
        .build()
        .unwrap();
    let o = poll(
        ctx,
        &[
            Sub::Read(11, 99),
            Sub::Clock(12, MONOTONIC, HOUR, false),
            Sub::Write(13, 3),
            Sub::Read(14, u32::MAX),
        ],
    );
    assert_eq!(o.u32(ERRNO_AT), 0);
    assert_eq!(
        events(&o),
        [
            fd_event(11, false, 8, 0, false),
            fd_event(13, true, 76, 0, false),
            fd_event(14, false, 8, 0, false),
        ]
    );
}

#[test]
fn regular_files_are_ready_with_bytes_left() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    std::fs::write(&path, b"0123456789").unwrap();
    let mut f = std::fs::File::open(&path).unwrap();
    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(3)).unwrap();
    let out = std::fs::File::create(dir.path().join("out")).unwrap();
    let ctx = WasiCtx::builder()
        .stdin(Stdio::Fd(f.into()))
        .stdout(Stdio::Fd(out.into()))
        .build()
        .unwrap();
    let o = poll(
        ctx,
        &[
            Sub::Clock(1, MONOTONIC, HOUR, false),
            Sub::Read(2, 0),
            Sub::Write(3, 1),
        ],
    );
    assert_eq!(
        events(&o),
        [
            fd_event(2, false, 0, 7, false),
            fd_event(3, true, 0, 0, false)
        ]
    );
    // At (or past) the end: still ready, nothing left.
    let mut f = std::fs::File::open(&path).unwrap();
    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(25)).unwrap();
    let ctx = WasiCtx::builder()
        .stdin(Stdio::Fd(f.into()))
        .build()
        .unwrap();
    let o = poll(ctx, &[Sub::Read(4, 0)]);
    assert_eq!(events(&o), [fd_event(4, false, 0, 0, false)]);
}

#[test]
fn pipes_wait_for_data_and_report_hangup() {
    // Nothing to read: only the clock fires.
    let (r, w) = std::io::pipe().unwrap();
    let ctx = WasiCtx::builder()
        .stdin(Stdio::Fd(r.into()))
        .build()
        .unwrap();
    let o = poll(
        ctx,
        &[Sub::Read(1, 0), Sub::Clock(2, MONOTONIC, 20 * MS, false)],
    );
    assert_eq!(events(&o), [clock_event(2)]);
    assert!(elapsed(&o) >= 20 * MS);
    drop(w);

    // Data waiting: ready with its size, and the clock does not fire.
    let (r, mut w) = std::io::pipe().unwrap();
    w.write_all(b"hello").unwrap();
    let ctx = WasiCtx::builder()
        .stdin(Stdio::Fd(r.into()))
        .build()
        .unwrap();
    let o = poll(
        ctx,
        &[Sub::Read(1, 0), Sub::Clock(2, MONOTONIC, HOUR, false)],
    );
    assert_eq!(events(&o), [fd_event(1, false, 0, 5, false)]);

    // Data and a closed writer: both reported.
    let (r, mut w) = std::io::pipe().unwrap();
    w.write_all(b"abc").unwrap();
    drop(w);
    let ctx = WasiCtx::builder()
        .stdin(Stdio::Fd(r.into()))
        .build()
        .unwrap();
    let o = poll(ctx, &[Sub::Read(1, 0)]);
    assert_eq!(events(&o), [fd_event(1, false, 0, 3, true)]);
}

#[test]
fn data_arriving_while_blocked_wakes_the_poll() {
    let (r, mut w) = std::io::pipe().unwrap();
    let ctx = WasiCtx::builder()
        .stdin(Stdio::Fd(r.into()))
        .build()
        .unwrap();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        w.write_all(b"late!!").unwrap();
        w
    });
    let o = poll(
        ctx,
        &[Sub::Clock(1, MONOTONIC, HOUR, false), Sub::Read(2, 0)],
    );
    let _w = writer.join().unwrap();
    assert_eq!(events(&o), [fd_event(2, false, 0, 6, false)]);
}

#[test]
fn pipe_write_end_is_writable() {
    let (r, w) = std::io::pipe().unwrap();
    let ctx = WasiCtx::builder()
        .stdout(Stdio::Fd(w.into()))
        .build()
        .unwrap();
    let o = poll(
        ctx,
        &[Sub::Write(1, 1), Sub::Clock(2, MONOTONIC, HOUR, false)],
    );
    assert_eq!(events(&o), [fd_event(1, true, 0, 0, false)]);
    drop(r);
}

#[test]
fn sockets_wait_for_readability_and_writability() {
    // A full socket is not writable and an empty one not readable: only the clock fires.
    let (guest, host) = UnixStream::pair().unwrap();
    guest.set_nonblocking(true).unwrap();
    let mut filler = &guest;
    let chunk = [0u8; 4096];
    while filler.write(&chunk).is_ok() {}
    guest.set_nonblocking(false).unwrap();
    let ctx = WasiCtx::builder().preopen_socket(guest).build().unwrap();
    let o = poll(
        ctx,
        &[
            Sub::Write(1, 3),
            Sub::Read(2, 3),
            Sub::Clock(3, MONOTONIC, 20 * MS, false),
        ],
    );
    assert_eq!(events(&o), [clock_event(3)]);
    drop(host);

    // Data waiting and room to write: both subscriptions on the one descriptor fire.
    let (guest, host) = UnixStream::pair().unwrap();
    (&host).write_all(b"ping").unwrap();
    let ctx = WasiCtx::builder().preopen_socket(guest).build().unwrap();
    let o = poll(ctx, &[Sub::Read(1, 3), Sub::Write(2, 3), Sub::Read(3, 3)]);
    assert_eq!(
        events(&o),
        [
            fd_event(1, false, 0, 4, false),
            fd_event(2, true, 0, 0, false),
            fd_event(3, false, 0, 4, false),
        ]
    );

    // The peer closed: readable with the hang-up flag.
    let (guest, host) = UnixStream::pair().unwrap();
    drop(host);
    let ctx = WasiCtx::builder().preopen_socket(guest).build().unwrap();
    let o = poll(ctx, &[Sub::Read(1, 3)]);
    assert_eq!(events(&o), [fd_event(1, false, 0, 0, true)]);
}

#[test]
fn listening_socket_is_readable_with_a_pending_connection() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let ctx = WasiCtx::builder().preopen_socket(listener).build().unwrap();
    let _client = std::net::TcpStream::connect(addr).unwrap();
    let o = poll(
        ctx,
        &[Sub::Read(1, 3), Sub::Clock(2, MONOTONIC, HOUR, false)],
    );
    assert_eq!(events(&o).len(), 1);
    assert_eq!((events(&o)[0].userdata, events(&o)[0].error), (1, 0));
}

#[test]
fn embedder_streams_are_always_ready() {
    let out = wasihost::OutputBuffer::new();
    let ctx = WasiCtx::builder()
        .stdin(Stdio::Reader(Box::new(std::io::empty())))
        .stdout(out.stdio())
        .build()
        .unwrap();
    let o = poll(
        ctx,
        &[
            Sub::Read(1, 0),
            Sub::Write(2, 1),
            Sub::Clock(3, MONOTONIC, HOUR, false),
        ],
    );
    assert_eq!(
        events(&o),
        [
            fd_event(1, false, 0, 0, false),
            fd_event(2, true, 0, 0, false)
        ]
    );
}

#[test]
fn mixed_subscriptions_report_every_ready_one_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    std::fs::write(&path, b"abcd").unwrap();
    let (r, w) = std::io::pipe().unwrap();
    let ctx = WasiCtx::builder()
        .stdin(Stdio::Fd(std::fs::File::open(&path).unwrap().into()))
        .stdout(Stdio::Fd(w.into()))
        .preopen_dir(dir.path(), ".")
        .build()
        .unwrap();
    let o = poll(
        ctx,
        &[
            Sub::Clock(1, MONOTONIC, HOUR, false),
            Sub::Read(2, 0),
            Sub::Clock(3, REALTIME, 0, false),
            Sub::Read(4, 42),
            Sub::Write(5, 1),
            Sub::Read(6, 3),
        ],
    );
    assert_eq!(
        events(&o),
        [
            fd_event(2, false, 0, 4, false),
            clock_event(3),
            fd_event(4, false, 8, 0, false),
            fd_event(5, true, 0, 0, false),
            fd_event(6, false, 76, 0, false),
        ]
    );
    drop(r);
}

#[test]
fn many_subscriptions_on_one_descriptor() {
    // 600 subscriptions, host memory does not grow with them (one OS descriptor), and every
    // one gets its event.
    let (guest, host) = UnixStream::pair().unwrap();
    (&host).write_all(b"x").unwrap();
    let ctx = WasiCtx::builder().preopen_socket(guest).build().unwrap();
    let subs: Vec<Sub> = (0..600).map(|i| Sub::Read(i, 3)).collect();
    let o = run_wat(&poll_program(P1, &subs, None), ctx);
    assert_eq!(o.u32(ERRNO_AT), 0);
    let ev = events(&o);
    assert_eq!(ev.len(), 600);
    assert!(
        ev.iter()
            .enumerate()
            .all(|(i, e)| *e == fd_event(i as u64, false, 0, 1, false))
    );
}
