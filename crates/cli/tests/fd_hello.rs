//! The README's first command: `wasihost run --dir DIR::. tests/guests/bin/hello.wasm` prints a
//! greeting and writes `hello.txt` in the preopened directory.

mod common;

use common::run_in_tempdir;

#[test]
fn hello_prints_and_writes_its_file() {
    run_in_tempdir(
        "hello",
        &[],
        |_| {},
        |engine, dir, status, out, err| {
            assert_eq!(status, 0, "{engine}: {err}");
            assert_eq!(out, "hello, world!\nwrote hello.txt\n", "{engine}");
            assert_eq!(
                std::fs::read_to_string(dir.join("hello.txt")).unwrap(),
                "hello, world, from a WASI guest\n",
                "{engine}"
            );
        },
    );
}

#[test]
fn hello_takes_a_name_and_replaces_the_file() {
    run_in_tempdir(
        "hello",
        &["wasm"],
        |dir| {
            std::fs::write(
                dir.join("hello.txt"),
                "old contents, longer than the new ones\n",
            )
            .unwrap()
        },
        |engine, dir, status, out, err| {
            assert_eq!(status, 0, "{engine}: {err}");
            assert_eq!(out, "hello, wasm!\nwrote hello.txt\n", "{engine}");
            assert_eq!(
                std::fs::read_to_string(dir.join("hello.txt")).unwrap(),
                "hello, wasm, from a WASI guest\n",
                "{engine}"
            );
        },
    );
}
