//! `sock_accept`, `sock_recv`, `sock_send` and `sock_shutdown` byte for byte, on sockets the
//! embedder preopens: accepting TCP connections, peeking, waiting for all the data, datagram
//! truncation, scatter/gather buffers, shutdown in each direction, and the errors (`ENOTSOCK`
//! on anything that is not a socket, bad flags, missing rights, a vanished peer).

mod poll_support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::time::Duration;

use poll_support::{Outcome, run_wat, wat_bytes};
use wasihost::{Stdio, WasiCtx};

const EINVAL: u32 = 28;
const EAGAIN: u32 = 6;
const EBADF: u32 = 8;
const ENOTSOCK: u32 = 57;
const EPIPE: u32 = 64;

/// Where call number `k` stores its errno.
fn errno_at(k: usize) -> usize {
    4 * k
}
/// Where call number `k` stores its first result (fd or byte count).
fn value_at(k: usize) -> usize {
    128 + 8 * k
}
/// Where a `sock_recv` numbered `k` stores its output flags.
fn roflags_at(k: usize) -> usize {
    value_at(k) + 4
}
/// The WAT expression for the value call `k` returned (e.g. an accepted descriptor).
fn value_of(k: usize) -> String {
    format!("(i32.load (i32.const {}))", value_at(k))
}

fn accept(k: usize, fd: &str, flags: u32) -> String {
    format!(
        "(i32.store (i32.const {}) (call $accept {fd} (i32.const {flags}) (i32.const {})))\n",
        errno_at(k),
        value_at(k)
    )
}

fn recv(k: usize, fd: &str, iovs: u32, n: u32, flags: u32) -> String {
    format!(
        "(i32.store (i32.const {}) (call $recv {fd} (i32.const {iovs}) (i32.const {n}) (i32.const {flags}) (i32.const {}) (i32.const {})))\n",
        errno_at(k),
        value_at(k),
        roflags_at(k)
    )
}

fn send(k: usize, fd: &str, iovs: u32, n: u32, flags: u32) -> String {
    format!(
        "(i32.store (i32.const {}) (call $send {fd} (i32.const {iovs}) (i32.const {n}) (i32.const {flags}) (i32.const {})))\n",
        errno_at(k),
        value_at(k)
    )
}

fn shutdown(k: usize, fd: &str, how: u32) -> String {
    format!(
        "(i32.store (i32.const {}) (call $shutdown {fd} (i32.const {how})))\n",
        errno_at(k)
    )
}

/// An iovec array: (address, length) pairs, to place with [`data`].
fn iovs(list: &[(u32, u32)]) -> Vec<u8> {
    list.iter()
        .flat_map(|(a, l)| a.to_le_bytes().into_iter().chain(l.to_le_bytes()))
        .collect()
}

/// A data segment.
fn data(at: u32, bytes: &[u8]) -> String {
    format!("(data (i32.const {at}) \"{}\")\n", wat_bytes(bytes))
}

/// A program importing the four socket calls, with `data` segments and `body` as `_start`.
fn program(data: &str, body: &str) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $shutdown (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  {data}
  (func (export "_start")
    {body}))"#
    )
}

fn fd(n: u32) -> String {
    format!("(i32.const {n})")
}

fn errnos(o: &Outcome, n: usize) -> Vec<u32> {
    assert_eq!(o.exited(), 0);
    (0..n).map(|k| o.u32(errno_at(k))).collect()
}

#[test]
fn accept_receive_send_and_shut_down_a_tcp_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let ctx = WasiCtx::builder().preopen_socket(listener).build().unwrap();
    let mut client = TcpStream::connect(addr).unwrap();
    client.write_all(b"hello").unwrap();
    let conn = value_of(0);
    let d = data(512, &iovs(&[(1024, 16)])) + &data(600, &iovs(&[(2048, 3), (2100, 2)]));
    let d = d + &data(2048, b"abc") + &data(2100, b"de");
    let body = accept(0, &fd(3), 0)
        + &recv(1, &conn, 512, 1, 0)
        + &send(2, &conn, 600, 2, 0)
        + &shutdown(3, &conn, 2);
    let o = run_wat(&program(&d, &body), ctx);
    assert_eq!(errnos(&o, 4), [0, 0, 0, 0]);
    assert_eq!(o.u32(value_at(0)), 4, "the first free descriptor");
    assert_eq!(o.u32(value_at(1)), 5);
    assert_eq!(o.u16(roflags_at(1)), 0);
    assert_eq!(o.bytes(1024, 6), b"hello\0");
    assert_eq!(o.u32(value_at(2)), 5);
    // The guest wrote "abc" + "de" and shut its side down: the client sees them, then EOF.
    let mut got = Vec::new();
    client.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"abcde");
}

#[test]
fn accept_flags() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    // A non-blocking listener with nobody connecting: EAGAIN, not a hang.
    listener.set_nonblocking(true).unwrap();
    let ctx = WasiCtx::builder().preopen_socket(listener).build().unwrap();
    // APPEND and SYNC are not accept flags; NONBLOCK is (it applies to the new socket).
    let body = accept(0, &fd(3), 1) + &accept(1, &fd(3), 16) + &accept(2, &fd(3), 4);
    let o = run_wat(&program("", &body), ctx);
    assert_eq!(errnos(&o, 3), [EINVAL, EINVAL, EAGAIN]);
}

#[test]
fn accepted_socket_may_be_nonblocking() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let ctx = WasiCtx::builder().preopen_socket(listener).build().unwrap();
    let client = TcpStream::connect(addr).unwrap();
    // Nothing was sent: a receive on the non-blocking connection says EAGAIN.
    let d = data(512, &iovs(&[(1024, 16)]));
    let body = accept(0, &fd(3), 4) + &recv(1, &value_of(0), 512, 1, 0);
    let o = run_wat(&program(&d, &body), ctx);
    assert_eq!(errnos(&o, 2), [0, EAGAIN]);
    drop(client);
}

#[test]
fn peek_leaves_the_data_and_waitall_fills_the_buffers() {
    let (guest, host) = UnixStream::pair().unwrap();
    (&host).write_all(b"0123").unwrap();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(30));
        (&host).write_all(b"4567").unwrap();
        host
    });
    let ctx = WasiCtx::builder().preopen_socket(guest).build().unwrap();
    let d = data(512, &iovs(&[(1024, 4)])) + &data(520, &iovs(&[(2048, 5), (2100, 3)]));
    let body = recv(0, &fd(3), 512, 1, 1) + &recv(1, &fd(3), 520, 2, 2);
    let o = run_wat(&program(&d, &body), ctx);
    let _host = writer.join().unwrap();
    assert_eq!(errnos(&o, 2), [0, 0]);
    assert_eq!(o.u32(value_at(0)), 4);
    assert_eq!(o.bytes(1024, 4), b"0123");
    // After the peek the same bytes come again, and WAITALL waits for the late ones.
    assert_eq!(o.u32(value_at(1)), 8);
    assert_eq!(o.bytes(2048, 5), b"01234");
    assert_eq!(o.bytes(2100, 3), b"567");
}

#[test]
fn datagram_truncation_is_reported() {
    let (guest, host) = UnixDatagram::pair().unwrap();
    host.send(b"0123456789").unwrap();
    host.send(b"abc").unwrap();
    let ctx = WasiCtx::builder().preopen_socket(guest).build().unwrap();
    let d = data(512, &iovs(&[(1024, 2), (1100, 2)]));
    let body = recv(0, &fd(3), 512, 2, 0) + &recv(1, &fd(3), 512, 2, 0);
    let o = run_wat(&program(&d, &body), ctx);
    assert_eq!(errnos(&o, 2), [0, 0]);
    assert_eq!(o.u32(value_at(0)), 4);
    assert_eq!(o.u16(roflags_at(0)), 1, "RECV_DATA_TRUNCATED");
    assert_eq!(o.u32(value_at(1)), 3);
    assert_eq!(o.u16(roflags_at(1)), 0);
    assert_eq!(o.bytes(1100, 1), b"c");
    assert_eq!(o.bytes(1024, 2), b"ab");
}

#[test]
fn overlapping_receive_buffers_still_work() {
    let (guest, host) = UnixStream::pair().unwrap();
    (&host).write_all(b"abcdef").unwrap();
    let ctx = WasiCtx::builder().preopen_socket(guest).build().unwrap();
    // Two buffers over the same bytes: the data lands in order, the second overwriting.
    let d = data(512, &iovs(&[(1024, 3), (1025, 3), (2000, 0)]));
    let o = run_wat(&program(&d, &recv(0, &fd(3), 512, 3, 0)), ctx);
    assert_eq!(errnos(&o, 1), [0]);
    assert_eq!(o.u32(value_at(0)), 6);
    assert_eq!(o.bytes(1024, 4), b"adef");
}

/// A connected pair whose guest end is also kept open by the test (so that what the peer sees
/// comes from the shutdown, not from the guest's descriptor being closed), with a read timeout
/// on the peer so that a missing shutdown fails instead of hanging.
fn pair() -> (UnixStream, UnixStream, UnixStream) {
    let (guest, host) = UnixStream::pair().unwrap();
    host.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let keep = guest.try_clone().unwrap();
    (guest, keep, host)
}

#[test]
fn shutdown_directions() {
    // The write side: the peer reads end-of-stream, the guest can still receive.
    let (guest, keep, host) = pair();
    let ctx = WasiCtx::builder().preopen_socket(guest).build().unwrap();
    (&host).write_all(b"xy").unwrap();
    let d = data(512, &iovs(&[(1024, 8)])) + &data(520, &iovs(&[(1024, 2)]));
    let body = shutdown(0, &fd(3), 2) + &recv(1, &fd(3), 512, 1, 0) + &send(2, &fd(3), 520, 1, 0);
    let o = run_wat(&program(&d, &body), ctx);
    assert_eq!(errnos(&o, 3), [0, 0, EPIPE]);
    assert_eq!(o.u32(value_at(1)), 2);
    assert_eq!(o.bytes(1024, 2), b"xy");
    let mut rest = Vec::new();
    (&host).read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    (&host).write_all(b"more").unwrap();
    let mut got = [0u8; 4];
    (&keep).read_exact(&mut got).unwrap();
    assert_eq!(&got, b"more");

    // The read side: receives return 0 at once, sending still works.
    let (guest, _keep, host) = pair();
    let ctx = WasiCtx::builder().preopen_socket(guest).build().unwrap();
    let d = data(512, &iovs(&[(1024, 8)])) + &data(520, &iovs(&[(2048, 2)])) + &data(2048, b"ok");
    let body = shutdown(0, &fd(3), 1) + &recv(1, &fd(3), 512, 1, 0) + &send(2, &fd(3), 520, 1, 0);
    let o = run_wat(&program(&d, &body), ctx);
    assert_eq!(errnos(&o, 3), [0, 0, 0]);
    assert_eq!(o.u32(value_at(1)), 0);
    let mut got = [0u8; 2];
    (&host).read_exact(&mut got).unwrap();
    assert_eq!(&got, b"ok");

    // Both at once (the peer can neither read more nor write), then no direction at all.
    let (guest, _keep, host) = pair();
    let ctx = WasiCtx::builder().preopen_socket(guest).build().unwrap();
    let o = run_wat(
        &program("", &(shutdown(0, &fd(3), 3) + &shutdown(1, &fd(3), 0))),
        ctx,
    );
    assert_eq!(errnos(&o, 2), [0, EINVAL]);
    let mut rest = Vec::new();
    (&host).read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    let err = (&host).write_all(b"z").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
}

#[test]
fn sending_to_a_closed_peer_is_epipe() {
    let (guest, host) = UnixStream::pair().unwrap();
    host.shutdown(Shutdown::Both).unwrap();
    drop(host);
    let ctx = WasiCtx::builder().preopen_socket(guest).build().unwrap();
    let d = data(512, &iovs(&[(1024, 4)]));
    let o = run_wat(&program(&d, &send(0, &fd(3), 512, 1, 0)), ctx);
    assert_eq!(errnos(&o, 1), [EPIPE]);
}

#[test]
fn bad_flags_are_einval() {
    let (guest, _host) = UnixStream::pair().unwrap();
    let ctx = WasiCtx::builder().preopen_socket(guest).build().unwrap();
    let d = data(512, &iovs(&[(1024, 4)]));
    let body = send(0, &fd(3), 512, 1, 1) + &recv(1, &fd(3), 512, 1, 4) + &shutdown(2, &fd(3), 4);
    let o = run_wat(&program(&d, &body), ctx);
    assert_eq!(errnos(&o, 3), [EINVAL, EINVAL, EINVAL]);
}

#[test]
fn non_sockets_are_enotsock() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), b"data").unwrap();
    let file = std::fs::File::open(dir.path().join("f")).unwrap();
    let (r, _w) = std::io::pipe().unwrap();
    let ctx = WasiCtx::builder()
        .stdin(Stdio::Fd(file.into()))
        .stdout(Stdio::Fd(_w.try_clone().unwrap().into()))
        .stderr(wasihost::OutputBuffer::new().stdio())
        .preopen_dir(dir.path(), ".")
        .build()
        .unwrap();
    drop(r);
    let d = data(512, &iovs(&[(1024, 4)]));
    let mut body = String::new();
    let mut k = 0;
    // A regular file, a pipe, an embedder stream, a directory.
    for f in [0, 1, 2, 3] {
        body += &accept(k, &fd(f), 0);
        body += &recv(k + 1, &fd(f), 512, 1, 0);
        body += &send(k + 2, &fd(f), 512, 1, 0);
        body += &shutdown(k + 3, &fd(f), 3);
        k += 4;
    }
    // A descriptor that is not open.
    body += &accept(k, &fd(9), 0);
    body += &recv(k + 1, &fd(9), 512, 1, 0);
    body += &send(k + 2, &fd(9), 512, 1, 0);
    body += &shutdown(k + 3, &fd(9), 3);
    let o = run_wat(&program(&d, &body), ctx);
    let got = errnos(&o, 20);
    assert_eq!(got[..16], [ENOTSOCK; 16]);
    assert_eq!(got[16..], [EBADF; 4]);
}

#[test]
fn socket_stdin_works_within_its_rights() {
    // A socket handed over as stdin (inetd style) is a socket with a socket's rights: data
    // moves and it can be shut down; accepting on a connected socket is EINVAL, as on Linux.
    let (guest, host) = UnixStream::pair().unwrap();
    (&host).write_all(b"in").unwrap();
    let ctx = WasiCtx::builder()
        .stdin(Stdio::Fd(guest.into()))
        .build()
        .unwrap();
    let d = data(512, &iovs(&[(1024, 4)]));
    let body = recv(0, &fd(0), 512, 1, 0) + &shutdown(1, &fd(0), 3) + &accept(2, &fd(0), 0);
    let o = run_wat(&program(&d, &body), ctx);
    assert_eq!(errnos(&o, 3), [0, 0, EINVAL]);
    assert_eq!(o.bytes(1024, 2), b"in");
    // The guest's shutdown of writing reached the host end.
    let mut rest = Vec::new();
    (&host).read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
}

#[test]
fn buffers_out_of_bounds_trap() {
    let (guest, host) = UnixStream::pair().unwrap();
    (&host).write_all(b"data").unwrap();
    let guest_copy = guest.try_clone().unwrap();
    let ctx = WasiCtx::builder().preopen_socket(guest).build().unwrap();
    let d = data(512, &iovs(&[(65534, 4)]));
    let o = run_wat(&program(&d, &recv(0, &fd(3), 512, 1, 0)), ctx);
    assert!(
        o.status
            .as_ref()
            .is_err_and(|m| m.contains("out of bounds")),
        "{:?}",
        o.status
    );
    // Nothing was consumed from the socket.
    guest_copy.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!((&guest_copy).read(&mut buf).unwrap(), 4);
    assert_eq!(&buf[..4], b"data");
    drop(host);
    // A send from out-of-bounds memory sends nothing.
    let (guest2, host2) = UnixStream::pair().unwrap();
    let ctx = WasiCtx::builder().preopen_socket(guest2).build().unwrap();
    let o = run_wat(&program(&d, &send(0, &fd(3), 512, 1, 0)), ctx);
    assert!(o.status.is_err());
    // The guest's end is closed by now: the peer sees end-of-stream and no data.
    assert_eq!((&host2).read(&mut [0u8; 4]).unwrap(), 0, "nothing was sent");
}

#[test]
fn building_with_a_non_socket_fails() {
    let f = tempfile::tempfile().unwrap();
    let err = WasiCtx::builder().preopen_socket(f).build().err().unwrap();
    assert!(err.to_string().contains("not a socket"), "{err}");
}
