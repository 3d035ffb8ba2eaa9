use super::*;
use std::time::Duration;

fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}

fn p(s: &[&str]) -> Result<RunArgs, UsageError> {
    match parse(&strings(s))? {
        Command::Run(r) => Ok(*r),
        Command::Compile(c) => panic!("{s:?} parsed as compile: {c:?}"),
    }
}

fn c(s: &[&str]) -> Result<CompileArgs, UsageError> {
    let mut all = vec!["compile"];
    all.extend_from_slice(s);
    match parse(&strings(&all))? {
        Command::Compile(c) => Ok(c),
        Command::Run(r) => panic!("{s:?} parsed as run: {r:?}"),
    }
}

fn dir(host: &str, guest: &str, read_only: bool) -> Dir {
    Dir {
        host: host.into(),
        guest: guest.into(),
        read_only,
        in_memory: false,
    }
}

fn mem(host: &str, guest: &str) -> Dir {
    Dir {
        host: host.into(),
        guest: guest.into(),
        read_only: false,
        in_memory: true,
    }
}

#[test]
fn mem_dirs_keep_their_place() {
    let a = p(&[
        "--mem-dir",
        "/a::/x",
        "--dir",
        "/b",
        "--mem-dir=rel",
        "m.wasm",
    ])
    .unwrap();
    assert_eq!(
        a.dirs,
        vec![mem("/a", "/x"), dir("/b", "/b", false), mem("rel", "rel")]
    );
    assert_eq!(
        p(&["--mem-dir", "/a::/x::ro", "m.wasm"]).unwrap_err().0,
        "--mem-dir /a::/x::ro: expected HOST[::GUEST] (an in-memory copy is always writable)"
    );
    assert_eq!(
        p(&["--mem-dir", "/a::", "m.wasm"]).unwrap_err().0,
        "--mem-dir /a::: empty path"
    );
    assert_eq!(p(&["--mem-dir"]).unwrap_err().0, "--mem-dir needs a value");
    assert!(HELP.contains("--mem-dir HOST[::GUEST]"));
}

#[test]
fn flags_and_module() {
    let a = p(&[
        "run",
        "--dir",
        "/tmp::/data",
        "--dir=.",
        "--env",
        "A=1",
        "m.wasm",
        "-x",
        "--dir",
    ])
    .unwrap();
    assert_eq!(
        a.dirs,
        vec![dir("/tmp", "/data", false), dir(".", ".", false)]
    );
    assert_eq!(a.env, vec![("A".into(), "1".into())]);
    assert_eq!(a.module, PathBuf::from("m.wasm"));
    assert_eq!(a.guest_args, vec!["-x", "--dir"]);
}

#[test]
fn dir_modes() {
    let a = p(&["--dir", "/a::/x::ro", "--dir=/b::/y::rw", "m.wasm"]).unwrap();
    assert_eq!(a.dirs, vec![dir("/a", "/x", true), dir("/b", "/y", false)]);
    let err = p(&["--dir", "/a::/x::rx", "m.wasm"]).unwrap_err();
    assert_eq!(
        err.0,
        "--dir /a::/x::rx: unknown mode \"rx\" (expected ro or rw)"
    );
    assert!(p(&["--dir", "/a::/x::ro::z", "m.wasm"]).is_err());
    assert!(p(&["--dir", "::/x::ro", "m.wasm"]).is_err());
}

#[test]
fn deterministic_seed() {
    assert_eq!(p(&["m.wasm"]).unwrap().deterministic, None);
    assert_eq!(
        p(&["--deterministic", "m.wasm"]).unwrap().deterministic,
        Some(0)
    );
    assert_eq!(
        p(&["--deterministic=7", "m.wasm"]).unwrap().deterministic,
        Some(7)
    );
    let err = p(&["--deterministic=-1", "m.wasm"]).unwrap_err();
    assert!(
        err.0.starts_with("--deterministic=-1: not a seed"),
        "{}",
        err.0
    );
}

#[test]
fn wasm_and_wasi_options() {
    let a = p(&[
        "-W",
        "exceptions=n,tail-call",
        "-Wthreads=y",
        "-W",
        "fuel=1_000",
        "-W",
        "max-memory-size=65536",
        "-W",
        "timeout=250ms",
        "-S",
        "inherit-env",
        "-S",
        "tcplisten=127.0.0.1:0",
        "--argv0",
        "prog",
        "m.wasm",
    ])
    .unwrap();
    assert_eq!(
        a.features,
        vec![
            (Feature::Exceptions, false),
            (Feature::TailCall, true),
            (Feature::Threads, true)
        ]
    );
    assert_eq!(a.limits.fuel, Some(1000));
    assert_eq!(a.limits.max_memory, Some(65536));
    assert_eq!(a.limits.timeout, Some(Duration::from_millis(250)));
    assert!(a.inherit_env);
    assert_eq!(a.tcplisten, vec!["127.0.0.1:0"]);
    assert_eq!(a.argv0.as_deref(), Some("prog"));
}

#[test]
fn durations() {
    use crate::options::duration;
    assert_eq!(duration("2s"), Some(Duration::from_secs(2)));
    assert_eq!(duration("3"), Some(Duration::from_secs(3)));
    assert_eq!(duration("1m"), Some(Duration::from_secs(60)));
    assert_eq!(duration("1.5s"), Some(Duration::from_millis(1500)));
    assert_eq!(duration("10us"), Some(Duration::from_micros(10)));
    assert_eq!(duration("2 weeks"), None);
    assert_eq!(duration(""), None);
}

#[test]
fn unknown_options_are_errors() {
    let err = p(&["-W", "bogus=y", "m.wasm"]).unwrap_err();
    assert!(err.0.starts_with("-W bogus=y: unknown option"), "{}", err.0);
    let err = p(&["-S", "nope", "m.wasm"]).unwrap_err();
    assert!(err.0.starts_with("-S nope: unknown option"), "{}", err.0);
    assert!(p(&["-W", "simd=maybe", "m.wasm"]).is_err());
    assert!(p(&["-W", "fuel", "m.wasm"]).is_err());
    assert!(p(&["-W", "fuel=lots", "m.wasm"]).is_err());
    assert!(p(&["-W", "timeout=soon", "m.wasm"]).is_err());
    assert!(p(&["-S", "tcplisten=", "m.wasm"]).is_err());
    assert!(p(&["-S", "max-open-fds", "m.wasm"]).is_err());
    assert!(p(&["-S", "max-open-fds=4294967296", "m.wasm"]).is_err());
    assert!(p(&["-S", "max-mem-dir-size=big", "m.wasm"]).is_err());
}

#[test]
fn resource_caps() {
    let a = p(&["-S", "max-open-fds=64,max-mem-dir-size=1_000_000", "m.wasm"]).unwrap();
    assert_eq!(a.max_open_fds, Some(64));
    assert_eq!(a.mem_dir_max_bytes, Some(1_000_000));
    let a = p(&["m.wasm"]).unwrap();
    assert_eq!((a.max_open_fds, a.mem_dir_max_bytes), (None, None));
}

#[test]
fn engine_choice() {
    assert_eq!(p(&["m.wasm"]).unwrap().engine, Engine::Wasmtime);
    assert_eq!(
        p(&["--engine", "wasmi", "m.wasm"]).unwrap().engine,
        Engine::Wasmi
    );
    assert_eq!(
        p(&["run", "--engine=wasmtime", "m.wasm"]).unwrap().engine,
        Engine::Wasmtime
    );
    let err = p(&["--engine", "wasmer", "m.wasm"]).unwrap_err();
    assert_eq!(
        err.0,
        "--engine wasmer: unknown engine (expected wasmtime or wasmi)"
    );
}

#[test]
fn shorthand_without_run() {
    assert_eq!(p(&["m.wat"]).unwrap().module, PathBuf::from("m.wat"));
}

#[test]
fn errors() {
    assert!(p(&["run"]).is_err());
    assert!(p(&["run", "--bogus", "m.wasm"]).is_err());
    assert!(p(&["run", "--dir"]).is_err());
    assert!(p(&["run", "--env", "WASIHOST_SURELY_UNSET_VAR", "m.wasm"]).is_err());
    assert!(p(&["run", "--engine", "v8", "m.wasm"]).is_err());
}

#[test]
fn trace_to_stderr_or_a_file() {
    assert_eq!(p(&["m.wasm"]).unwrap().trace, None);
    assert_eq!(p(&["--trace", "m.wasm"]).unwrap().trace, Some(None));
    assert_eq!(
        p(&["--trace=t.log", "m.wasm"]).unwrap().trace,
        Some(Some(PathBuf::from("t.log")))
    );
}

#[test]
fn invoke_takes_a_name_and_the_arguments_after_the_module() {
    let a = p(&["--invoke", "add", "m.wasm", "1", "-2"]).unwrap();
    assert_eq!(a.invoke.as_deref(), Some("add"));
    assert_eq!(a.module, PathBuf::from("m.wasm"));
    assert_eq!(a.guest_args, ["1", "-2"]);
    assert_eq!(
        p(&["--invoke=f", "m.wasm"]).unwrap().invoke.as_deref(),
        Some("f")
    );
    assert_eq!(p(&["--invoke"]).unwrap_err().0, "--invoke needs a value");
}

#[test]
fn cache_options() {
    let a = p(&["m.wasm"]).unwrap();
    assert_eq!(a.cache, CacheOpts::default());
    assert!(!a.cache.off, "the cache is on by default");
    let a = p(&["-C", "cache=n", "--cache-dir", "/c", "m.wasm"]).unwrap();
    assert!(a.cache.off);
    assert_eq!(a.cache.dir, Some(PathBuf::from("/c")));
    let a = p(&[
        "-Ccache=n",
        "-C",
        "cache=y,max-cache-size=4_096",
        "--cache-dir=d",
        "m.wasm",
    ]);
    let a = a.unwrap();
    assert!(!a.cache.off, "the last -C cache= wins");
    assert_eq!(a.cache.max_size, Some(4096));
    assert_eq!(a.cache.dir, Some(PathBuf::from("d")));
    assert!(p(&["-C", "cache", "m.wasm"]).unwrap().cache.dir.is_none());
    assert!(HELP.contains("-C cache=y|n") && HELP.contains("--cache-dir DIR"));
}

#[test]
fn cache_option_errors() {
    assert_eq!(
        p(&["-C", "bogus=1", "m.wasm"]).unwrap_err().0,
        "-C bogus=1: unknown option (expected cache=y|n or max-cache-size=BYTES)"
    );
    assert_eq!(
        p(&["-C", "cache=maybe", "m.wasm"]).unwrap_err().0,
        "-W/-S/-C cache=maybe: expected y or n"
    );
    assert_eq!(
        p(&["-C", "max-cache-size", "m.wasm"]).unwrap_err().0,
        "-C max-cache-size: needs =BYTES"
    );
    let err = p(&["-C", "max-cache-size=1G", "m.wasm"]).unwrap_err().0;
    assert!(
        err.starts_with("-C max-cache-size=1G: not a number"),
        "{err}"
    );
    assert_eq!(
        p(&["--cache-dir"]).unwrap_err().0,
        "--cache-dir needs a value"
    );
    assert!(p(&["-C"]).is_err());
}

#[test]
fn compile_subcommand() {
    let a = c(&["m.wasm", "-o", "m.cwasm"]).unwrap();
    assert_eq!(a.module, PathBuf::from("m.wasm"));
    assert_eq!(a.output, PathBuf::from("m.cwasm"));
    assert!(a.features.is_empty());
    let a = c(&["-W", "simd=n,fuel=5", "-om.cwasm", "-Wtimeout=1s", "m.wat"]).unwrap();
    assert_eq!(a.features, vec![(Feature::Simd, false)]);
    assert_eq!(a.limits.fuel, Some(5));
    assert_eq!(a.limits.timeout, Some(Duration::from_secs(1)));
    assert_eq!(a.output, PathBuf::from("m.cwasm"));
    assert_eq!(a.module, PathBuf::from("m.wat"));
    let a = c(&["--output=o", "--", "-m.wasm"]).unwrap();
    assert_eq!(a.module, PathBuf::from("-m.wasm"));
    assert_eq!(a.output, PathBuf::from("o"));
    // `run` still reaches a module called `compile`.
    assert_eq!(
        p(&["run", "compile"]).unwrap().module,
        PathBuf::from("compile")
    );
    assert!(HELP.contains("wasihost compile [-W OPTIONS] MODULE -o OUT"));
}

#[test]
fn compile_errors() {
    assert_eq!(c(&["-o", "x"]).unwrap_err().0, "compile: missing MODULE");
    assert_eq!(c(&["m.wasm"]).unwrap_err().0, "compile: missing -o OUT");
    assert_eq!(c(&["m.wasm", "-o"]).unwrap_err().0, "-o needs a value");
    assert_eq!(
        c(&["a.wasm", "b.wasm", "-o", "x"]).unwrap_err().0,
        "compile: unexpected argument b.wasm (already compiling a.wasm)"
    );
    assert_eq!(
        c(&["--dir", "/", "m.wasm", "-o", "x"]).unwrap_err().0,
        "compile: unknown option --dir (compile takes -W options and -o OUT)"
    );
    let err = c(&["-W", "nope", "m.wasm", "-o", "x"]).unwrap_err().0;
    assert!(err.starts_with("-W nope: unknown option"), "{err}");
    assert_eq!(c(&["--help"]).unwrap_err().0, HELP);
    assert_eq!(c(&[]).unwrap_err().0, "compile: missing MODULE");
}

#[test]
fn thread_options() {
    let a = p(&["-S", "threads=y,max-threads=8", "m.wasm"]).unwrap();
    assert_eq!((a.threads, a.max_threads), (Some(true), Some(8)));
    let a = p(&["-S", "threads=n", "m.wasm"]).unwrap();
    assert_eq!((a.threads, a.max_threads), (Some(false), None));
    assert_eq!(p(&["m.wasm"]).unwrap().threads, None);
    assert!(p(&["-S", "max-threads", "m.wasm"]).is_err());
    assert!(p(&["-S", "max-threads=4294967296", "m.wasm"]).is_err());
}
