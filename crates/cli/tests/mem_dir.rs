//! `--mem-dir`: the guest changes an in-memory copy; the host directory stays as it was.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{ENGINES, guest, output, wasihost};

/// Every file under `root` with its bytes (directories as `None`).
fn contents(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            if p.is_dir() {
                out.insert(rel, None);
                todo.push(p);
            } else {
                out.insert(rel, Some(std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

#[test]
fn guest_changes_stay_in_memory() {
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old.txt"), "host data").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/keep"), "k").unwrap();
        let before = contents(dir.path());
        // The guest creates a file, overwrites and then removes a copied one.
        let mut cmd = wasihost(engine);
        cmd.arg("--mem-dir")
            .arg(format!("{}::/m", dir.path().display()))
            .arg(guest("determinism"))
            .args(["/m", "/m", "1"]);
        let (status, out, err) = output(&mut cmd);
        assert_eq!(status, 0, "{engine}: {err}");
        // The guest saw its new file and the copied ones.
        assert!(out.contains("stat /m/created.txt: size 4 "), "{out}");
        assert!(out.contains("stat /m/old.txt: size 9 "), "{out}");
        assert!(
            out.contains("readdir /m: . .. old.txt sub created.txt\n"),
            "{out}"
        );
        assert!(out.contains("stat /m/old.txt: size 1 "), "{out}");
        assert!(out.contains("unlink /m/old.txt: 0\n"), "{out}");
        assert!(out.ends_with("readdir /m: . .. sub created.txt\n"), "{out}");
        assert_eq!(contents(dir.path()), before, "{engine}: host changed");
    }
}

#[test]
fn path_guest_on_a_mem_dir_leaves_the_host_alone() {
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep"), "k").unwrap();
        let before = contents(dir.path());
        // path_unlink creates and removes directories, files and links beneath fd 3.
        let mut cmd = wasihost(engine);
        cmd.arg("--mem-dir")
            .arg(format!("{}::.", dir.path().display()))
            .arg(guest("path_unlink"));
        let (status, _, err) = output(&mut cmd);
        assert_eq!(status, 0, "{engine}: {err}");
        assert_eq!(contents(dir.path()), before, "{engine}: host changed");
    }
}

#[test]
fn a_missing_host_dir_is_one_line_and_status_2() {
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let mut cmd = wasihost(engine);
        cmd.arg("--mem-dir").arg(&missing).arg(guest("hello"));
        let (status, out, err) = output(&mut cmd);
        assert_eq!(status, 2, "{err}");
        assert_eq!(out, "");
        assert_eq!(
            err,
            format!(
                "wasihost: --mem-dir {}: No such file or directory (os error 2)\n",
                missing.display()
            )
        );
    }
}
