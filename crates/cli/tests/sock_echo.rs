//! A C guest serving TCP: `wasihost run --tcplisten 127.0.0.1:PORT` hands it a listener, it
//! accepts two connections and echoes each until the client shuts down its side, then shuts
//! down its own. The test is the client.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Stdio};

use common::{ENGINES, guest, wasihost};

/// Start the echo guest on a free port. The port is found by binding port 0 and releasing
/// it; if something else takes it meanwhile, wasihost fails to bind and we try another.
/// Returns the child, its stdout lines and the port, once the guest runs (so the listener is
/// bound and listening: wasihost binds before starting the guest).
fn start(
    engine: &str,
) -> (
    Child,
    std::io::Lines<BufReader<std::process::ChildStdout>>,
    u16,
) {
    for _ in 0..10 {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = wasihost(engine)
            .arg("--tcplisten")
            .arg(format!("127.0.0.1:{port}"))
            .arg(guest("sock_echo"))
            .args(["3", "2"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        match lines.next() {
            Some(Ok(first)) => {
                assert_eq!(first, "recv on stdout: ENOTSOCK", "{engine}");
                return (child, lines, port);
            }
            _ => {
                let out = child.wait_with_output().unwrap();
                let err = String::from_utf8_lossy(&out.stderr);
                assert_eq!(out.status.code(), Some(2), "{engine}: {err}");
                assert!(err.contains("--tcplisten"), "{engine}: {err}");
            }
        }
    }
    panic!("no free port found");
}

#[test]
fn echo_server_over_a_preopened_tcp_listener() {
    for engine in ENGINES {
        let (child, mut lines, port) = start(engine);
        let mut next = || lines.next().map(|l| l.unwrap()).unwrap_or_default();
        assert_eq!(next(), "shutdown on stderr: ENOTSOCK", "{engine}");
        assert_eq!(next(), "accept on stdin: ENOTSOCK", "{engine}");

        // A large message, sent while reading the echo back.
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut writer = conn.try_clone().unwrap();
        let sent = data.clone();
        let sender = std::thread::spawn(move || {
            writer.write_all(&sent).unwrap();
            writer.shutdown(Shutdown::Write).unwrap();
        });
        let mut echoed = Vec::new();
        (&conn).read_to_end(&mut echoed).unwrap();
        sender.join().unwrap();
        assert_eq!(echoed.len(), data.len(), "{engine}");
        assert!(echoed == data, "{engine}: echo differs");
        assert_eq!(next(), "client 0: echoed 200000 bytes", "{engine}");

        // Shutdown semantics: the guest sees our end of stream, answers, then ends its own
        // stream; our side can still read after shutting down writing.
        let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
        conn.write_all(b"ping").unwrap();
        conn.shutdown(Shutdown::Write).unwrap();
        let mut back = Vec::new();
        conn.read_to_end(&mut back).unwrap();
        assert_eq!(back, b"ping", "{engine}");
        assert_eq!(next(), "client 1: echoed 4 bytes", "{engine}");

        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{engine}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
