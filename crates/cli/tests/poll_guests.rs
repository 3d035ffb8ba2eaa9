//! C guests that poll through wasi-libc, run by the `wasihost` binary on every engine:
//! `nanosleep`/`clock_nanosleep` (relative and absolute, both clocks) and `poll()` on stdin,
//! stdout, a file and a bad descriptor.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{ENGINES, guest, output, wasihost};

#[test]
fn sleeps_last_at_least_as_long_as_asked() {
    for engine in ENGINES {
        // 20 sleeps of 2 ms, four ways each: at least 3 * 40 ms + 2 ms in all.
        let started = Instant::now();
        let (status, out, err) = output(
            wasihost(engine)
                .arg(guest("poll_sleep"))
                .args(["20", "2000000"]),
        );
        assert!(started.elapsed() >= Duration::from_millis(122), "{engine}");
        assert_eq!(status, 0, "{engine}: {err}");
        assert_eq!(
            out,
            "relative: ok\nabsolute monotonic: ok\nabsolute realtime: ok\n\
             relative clock_nanosleep: ok\npast deadline: ok\n",
            "{engine}"
        );
    }
}

#[test]
fn poll_on_stdio_files_and_bad_descriptors() {
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("data.txt"), b"0123456789").unwrap();
        let mut child = wasihost(engine)
            .arg("--dir")
            .arg(format!("{}::.", dir.path().display()))
            .arg(guest("poll_stdio"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut next = || lines.next().map(|l| l.unwrap()).unwrap_or_default();
        // The guest blocks in poll() until the data arrives.
        std::thread::sleep(Duration::from_millis(20));
        stdin.write_all(b"abc").unwrap();
        stdin.flush().unwrap();
        assert_eq!(next(), "stdin ready: 1 [in]", "{engine}");
        assert_eq!(next(), "mixed: 4 [in] [out] [in] [nval]", "{engine}");
        assert_eq!(next(), "stdin: abc", "{engine}");
        // Now close stdin: the guest's next poll sees end of file.
        drop(stdin);
        assert_eq!(next(), "stdin at eof: 1 [inhup]", "{engine}");
        assert_eq!(next(), "timeout: 0 waited", "{engine}");
        // Four of the ten bytes read: six left.
        assert_eq!(
            next(),
            "raw: errno 0 events 1 userdata 77 type 1 nbytes 6",
            "{engine}"
        );
        assert_eq!(next(), "", "{engine}: no more output");
        let status = child.wait().unwrap();
        assert!(status.success(), "{engine}: {status}");
    }
}
