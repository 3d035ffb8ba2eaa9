//! A real compile of a crate whose `from_witx!` names a missing and a malformed witx file: the
//! compiler's errors name each file and the problem.

use std::path::Path;
use std::process::Command;

#[test]
fn missing_and_malformed_witx_fail_the_build_with_a_clear_message() {
    let dir = std::env::temp_dir().join(format!("wasihost-macro-ui-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let macro_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"ui\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[workspace]\n\n\
             [dependencies]\nwasihost-macro = {{ path = {:?} }}\n",
            macro_dir.to_str().unwrap()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("broken.witx"),
        "(typename $t (enum (@witx tag u8)))\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        "mod a { wasihost_macro::from_witx!({ witx: [\"missing.witx\"] }); }\n\
         mod b { wasihost_macro::from_witx!({ witx: [\"broken.witx\"] }); }\n",
    )
    .unwrap();
    // Reuse the workspace's build directory so the macro's dependencies are not rebuilt.
    let target = macro_dir.join("../../target/ui-tests");
    let out = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--offline", "--lib"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the build must fail");
    assert!(
        stderr.contains("witx file") && stderr.contains("missing.witx"),
        "{stderr}"
    );
    assert!(stderr.contains("not found"), "{stderr}");
    assert!(
        stderr.contains("invalid witx in") && stderr.contains("broken.witx"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
