//! `--deterministic`: the same guest gives byte-identical output on every run and on both
//! engines; the seed picks the random bytes; what would let host state in is refused.

mod common;

use std::path::Path;

use common::{ENGINES, guest, output, wasihost};

/// A host tree with the same files in a directory for `--mem-dir` and one for `::ro`.
fn tree(root: &Path) {
    for sub in ["m", "r"] {
        std::fs::create_dir(root.join(sub)).unwrap();
        for name in ["zeta", "alpha", "old.txt", "mid"] {
            std::fs::write(root.join(sub).join(name), name).unwrap();
        }
    }
}

/// Run the determinism guest on `engine`; `seed` None runs without `--deterministic`.
fn run(engine: &str, root: &Path, seed: Option<u64>) -> String {
    let mut cmd = wasihost(engine);
    if let Some(s) = seed {
        cmd.arg(format!("--deterministic={s}"));
    }
    let ro = if seed.is_some() { "::ro" } else { "" };
    cmd.arg("--mem-dir")
        .arg(format!("{}::/m", root.join("m").display()))
        .arg("--dir")
        .arg(format!("{}::/r{ro}", root.join("r").display()))
        .arg(guest("determinism"))
        .args([
            "/m",
            "/r",
            if seed.is_some() { "3000000000" } else { "1000" },
        ]);
    let (status, out, err) = output(&mut cmd);
    assert_eq!(status, 0, "{engine}: {err}");
    out
}

fn line<'a>(out: &'a str, prefix: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} line in {out}"))
}

#[test]
fn runs_are_identical_on_and_across_engines() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let first = run(ENGINES[0], dir.path(), Some(7));
    for engine in ENGINES {
        for _ in 0..2 {
            assert_eq!(run(engine, dir.path(), Some(7)), first, "{engine}");
        }
    }
    // The copy lists by name, whatever the host's order.
    assert_eq!(
        line(&first, "readdir /m:"),
        "readdir /m: . .. alpha mid old.txt zeta created.txt"
    );
    // Every time the guest saw is virtual: the epoch is 2000-01-01.
    assert!(first.contains("realtime 946684800000000000\n"), "{first}");
    assert!(line(&first, "stat /m/old.txt").contains("mtim 946684800.000000000"));
    assert!(line(&first, "stat /r/old.txt").contains("mtim 946684800.000000000"));
}

#[test]
fn the_seed_changes_the_random_bytes_only_through_random_get() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let a = run("wasmi", dir.path(), Some(1));
    let b = run("wasmi", dir.path(), Some(2));
    assert_ne!(line(&a, "random "), line(&b, "random "));
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("random "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&a), strip(&b));
}

#[test]
fn without_deterministic_runs_differ() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    for engine in ENGINES {
        let a = run(engine, dir.path(), None);
        let b = run(engine, dir.path(), None);
        assert_ne!(line(&a, "random "), line(&b, "random "), "{engine}");
        assert_ne!(line(&a, "realtime "), line(&b, "realtime "), "{engine}");
    }
}

#[test]
fn a_sleep_advances_only_the_virtual_clock() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    for engine in ENGINES {
        // 3 s asked for; the run (two of them above, too) must not have waited for it, which
        // the virtual clock proves: it moved by the sleep plus its per-read steps.
        let out = run(engine, dir.path(), Some(0));
        assert!(
            line(&out, "sleep 3000000000:").contains("errno 0 events 1 userdata 42 error 0"),
            "{out}"
        );
        let slept: u64 = line(&out, "monotonic before")
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (3_000_000_000..3_000_100_000).contains(&slept),
            "{engine}: slept {slept}"
        );
    }
}

#[test]
fn host_state_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let cases: &[(&[&str], &str)] = &[
        (&["--dir", &d], "the writable host directory"),
        (&["-S", "inherit-env"], "the inherited host environment"),
        (&["--tcplisten", "127.0.0.1:0"], "sockets"),
    ];
    for engine in ENGINES {
        for (flags, why) in cases {
            let mut cmd = wasihost(engine);
            cmd.arg("--deterministic").args(*flags).arg(guest("hello"));
            let (status, out, err) = output(&mut cmd);
            assert_eq!(status, 2, "{engine} {flags:?}: {err}");
            assert_eq!(out, "");
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(
                err.starts_with("wasihost: --deterministic=0: deterministic mode refuses ")
                    && err.contains(why),
                "{engine} {flags:?}: {err}"
            );
        }
    }
}
