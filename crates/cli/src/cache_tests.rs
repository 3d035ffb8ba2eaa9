use super::*;

const KEY: Key = [7; 32];

#[test]
fn encode_then_decode() {
    let file = encode(&KEY, b"some code");
    assert_eq!(file.len(), HEADER_LEN + 9);
    assert!(file.starts_with(&MAGIC));
    let (key, payload) = decode(&file).unwrap();
    assert_eq!(key, KEY);
    assert_eq!(payload, b"some code");
    assert_eq!(decode(&encode(&KEY, b"")).unwrap().1, b"");
}

#[test]
fn damage_is_detected() {
    let file = encode(&KEY, b"some code");
    // Every single flipped bit outside the key field is caught (the key is compared by the
    // caller against the one it looked up).
    for at in (0..file.len()).filter(|at| !(12..44).contains(at)) {
        let mut bad = file.clone();
        bad[at] ^= 0x10;
        assert!(decode(&bad).is_err(), "flipped byte {at} went unnoticed");
    }
    for len in 0..file.len() {
        let err = decode(&file[..len]).unwrap_err();
        assert!(err.contains("truncated"), "{len}: {err}");
    }
    let mut longer = file.clone();
    longer.push(0);
    assert!(decode(&longer).is_err());
    assert!(
        decode(b"\0asm\x01\0\0\0")
            .unwrap_err()
            .contains("truncated")
    );
    let mut wasm = vec![0u8; 200];
    wasm[..4].copy_from_slice(b"\0asm");
    assert!(decode(&wasm).unwrap_err().contains("no WASIHOST header"));
    let mut other_format = file.clone();
    other_format[8] = 2;
    assert_eq!(
        decode(&other_format).unwrap_err(),
        "header format 2, this wasihost reads format 1"
    );
}

#[test]
fn names() {
    let k = hex(&[0x5a; 32]);
    assert_eq!(k, "5a".repeat(32));
    assert!(is_entry(&format!("{k}.cwasm")));
    assert!(!is_entry(&format!("{}.cwasm", &k[1..])));
    assert!(!is_entry(&format!("{}.cwasm", k.to_uppercase())));
    assert!(!is_entry("notes.txt"));
    assert!(is_temp(&format!(".{k}.12.34.0.tmp")));
    assert!(!is_temp(&format!("{k}.12.34.0.tmp")));
    assert!(!is_temp(".x.tmp"));
}

fn cache(dir: &Path, max_size: u64) -> Cache {
    Cache {
        dir: dir.to_path_buf(),
        max_size,
        log: false,
    }
}

fn file(dir: &Path, name: &str, len: usize, age_secs: u64) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, vec![0u8; len]).unwrap();
    let f = File::options().write(true).open(&p).unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(age_secs))
        .unwrap();
    p
}

#[test]
fn eviction_removes_least_recently_used_first() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let name = |n: u8| format!("{}.cwasm", hex(&[n; 32]));
    let oldest = file(d, &name(1), 400, 300);
    let middle = file(d, &name(2), 400, 200);
    let newest = file(d, &name(3), 400, 100);
    let other = file(d, "keep-me.cwasm", 5000, 1000);
    let stale = file(d, &format!(".{}.1.2.3.tmp", hex(&KEY)), 10, 7200);
    let fresh = file(d, &format!(".{}.1.2.4.tmp", hex(&KEY)), 10, 10);

    cache(d, 1200).evict();
    assert!(
        oldest.exists() && middle.exists() && newest.exists(),
        "within bound"
    );
    cache(d, 1000).evict();
    assert!(!oldest.exists());
    assert!(middle.exists() && newest.exists());
    cache(d, 399).evict();
    assert!(!middle.exists() && !newest.exists());
    assert!(other.exists(), "a file that is not ours is left alone");
    assert!(
        !stale.exists(),
        "a temporary file left by a dead run is removed"
    );
    assert!(fresh.exists(), "a temporary file being written is not");
}
