//! Side-by-side benchmark: the same guest modules under wasihost on wasmtime and on wasmi,
//! wasmtime-wasi's preview1 and wasmi_wasi, and the same system calls made natively.
//!
//! ```text
//! cargo run --release --manifest-path bench/Cargo.toml -- [--quick] [--runs N] [--timeout SECS]
//!     [--runners native,wasihost-wasmtime,...] [--tmp DIR] [WORKLOAD...]
//! ```
//!
//! Every measurement is a fresh child process (this binary with `--child`) whose stdout is
//! /dev/null; it times the guest's `_start` call (or the native loop) alone, checks the result the
//! guest computed, and reports on stderr. The parent prints one markdown table of medians.
//! The parent compiles each guest for wasmtime ahead (`<fixtures>/<workload>.cwasm`), so no
//! timed process runs a compiler or keeps its threads (see `runners`).

mod fixtures;
mod native;
mod report;
mod runners;
mod workloads;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fixtures::Fixtures;
use report::Cell;
use runners::Runner;
use workloads::{Scale, Workload};

const USAGE: &str = "\
usage: wasihost-sidebyside [--quick] [--runs N] [--timeout SECS] [--runners LIST] [--tmp DIR] [WORKLOAD...]

  --quick          a tenth of every count (a smoke run, not for the README)
  --runs N         runs per cell; the table shows the median (default 3)
  --timeout SECS   a run taking longer is stopped and shown as \"> SECS s\" (default 300)
  --runners LIST   comma-separated, from: native, wasihost-wasmtime, wasihost-wasmi,
                   wasmtime-wasi, wasmi_wasi (default: all)
  --tmp DIR        where the fixture directory is made (default: the system temp dir)
  WORKLOAD         clock fd_write poll random open_close filestat fd_read readdir copytree
                   (default: all)";

struct Options {
    scale: Scale,
    runs: usize,
    timeout: Duration,
    runners: Vec<Runner>,
    workloads: Vec<Workload>,
    tmp: PathBuf,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        std::process::exit(child(&args[1..]));
    }
    let opts = match parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(e) = parent(&opts) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        scale: Scale { div: 1 },
        runs: 3,
        timeout: Duration::from_secs(300),
        runners: runners::ALL.to_vec(),
        workloads: Vec::new(),
        tmp: std::env::temp_dir(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "--quick" => o.scale.div = 10,
            "--runs" => {
                o.runs = value()?.parse().map_err(|_| "--runs takes a number")?;
                if o.runs == 0 {
                    return Err("--runs must be at least 1".into());
                }
            }
            "--timeout" => {
                let s: u64 = value()?.parse().map_err(|_| "--timeout takes seconds")?;
                o.timeout = Duration::from_secs(s);
            }
            "--runners" => {
                o.runners = value()?
                    .split(',')
                    .map(|n| Runner::from_name(n).ok_or(format!("unknown runner {n}")))
                    .collect::<Result<_, _>>()?;
            }
            "--tmp" => o.tmp = PathBuf::from(value()?),
            w => o
                .workloads
                .push(Workload::from_name(w).ok_or(format!("unknown workload or flag {w}"))?),
        }
    }
    if o.workloads.is_empty() {
        o.workloads = workloads::ALL.to_vec();
    }
    Ok(o)
}

fn parent(o: &Options) -> Result<(), String> {
    let blocks = if o.workloads.contains(&Workload::FdRead) {
        fixtures::big_blocks(o.scale.div)
    } else {
        1
    };
    eprintln!("making fixtures in {} ...", o.tmp.display());
    let (_keep, fx) = Fixtures::create(&o.tmp, blocks).map_err(|e| format!("fixtures: {e}"))?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for &w in &o.workloads {
        if o.runners.iter().any(|r| r.uses_wasmtime()) {
            runners::precompile(&w.guest(o.scale, "").wasm, &cwasm(&fx.root, w))?;
        }
        rows.push((w, measure(&exe, &fx, o, w)));
    }
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    print!(
        "{}",
        report::table(o.scale, o.runs, &o.runners, &rows, &command)
    );
    Ok(())
}

/// Where the parent puts `w`'s guest compiled for wasmtime.
fn cwasm(root: &Path, w: Workload) -> PathBuf {
    root.join(format!("{}.cwasm", w.name()))
}

/// Each runner's median of `o.runs` child runs, or why there is none. The runs take turns
/// (runner 1, runner 2, ..., runner 1, ...), so a slow spell of the machine falls on every
/// runner alike rather than on whichever was running.
fn measure(exe: &Path, fx: &Fixtures, o: &Options, w: Workload) -> Vec<Cell> {
    // Each runner's times so far, or why it stopped.
    let mut cells: Vec<Result<Vec<Duration>, Cell>> = vec![Ok(Vec::new()); o.runners.len()];
    for i in 0..o.runs {
        for (cell, &r) in cells.iter_mut().zip(&o.runners) {
            let Ok(times) = cell else {
                continue;
            };
            let out = format!("out-{}-{}-{i}", w.name(), r.name());
            let result = one_run(exe, fx, o, w, r, &out);
            let _ = std::fs::remove_dir_all(fx.root.join(&out));
            match result {
                Ok((t, threads)) => {
                    eprintln!(
                        "{:>10} {:>17} run {}/{}: {:.3} s ({threads} thread{})",
                        w.name(),
                        r.name(),
                        i + 1,
                        o.runs,
                        t.as_secs_f64(),
                        if threads == 1 { "" } else { "s" }
                    );
                    times.push(t);
                }
                Err(why) => {
                    eprintln!("{:>10} {:>17}: {why:?}", w.name(), r.name());
                    *cell = Err(why);
                }
            }
        }
    }
    cells
        .into_iter()
        .map(|c| c.map_or_else(|why| why, Cell::Time))
        .collect()
}

fn one_run(
    exe: &Path,
    fx: &Fixtures,
    o: &Options,
    w: Workload,
    r: Runner,
    out: &str,
) -> Result<(Duration, u64), Cell> {
    let div = o.scale.div.to_string();
    let mut child = Command::new(exe)
        .arg("--child")
        .args([r.name(), w.name(), div.as_str(), out])
        .arg(&fx.root)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Cell::Failed(format!("spawn: {e}")))?;
    let mut stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + o.timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Cell::TimedOut(o.timeout));
            }
        }
    };
    let text = reader.join().unwrap_or_default();
    let Some(line) = text.lines().find_map(|l| l.strip_prefix("RESULT ")) else {
        let last = text.lines().last().unwrap_or("no output");
        return Err(Cell::Failed(format!("{status}: {last}")));
    };
    let f: Vec<u64> = line.split(' ').filter_map(|x| x.parse().ok()).collect();
    let [ns, a, b, err, exit, threads] = f[..] else {
        return Err(Cell::Failed(format!("bad report {line:?}")));
    };
    if exit != 0 {
        return Err(Cell::Failed(format!("guest exit status {exit}")));
    }
    if err != 0 {
        return Err(Cell::Failed(format!("a call failed (errno bits {err:#x})")));
    }
    let want = w.expected(o.scale);
    if (a, b) != want {
        return Err(Cell::Failed(format!(
            "wrong result ({a}, {b}), expected {want:?}"
        )));
    }
    Ok((Duration::from_nanos(ns), threads))
}

/// `--child RUNNER WORKLOAD DIV OUT FIXTURES`: one timed run, reported on stderr as
/// `RESULT <ns> <a> <b> <errno bits> <exit status> <threads in the process after the run>`.
fn child(args: &[String]) -> i32 {
    let [runner, workload, div, out, root] = args else {
        eprintln!("--child needs RUNNER WORKLOAD DIV OUT FIXTURES");
        return 2;
    };
    let (Some(r), Some(w), Ok(div)) = (
        Runner::from_name(runner),
        Workload::from_name(workload),
        div.parse(),
    ) else {
        eprintln!("bad --child arguments {args:?}");
        return 2;
    };
    let scale = Scale { div };
    let fx = Fixtures::at(PathBuf::from(root));
    let (elapsed, got, err, status) = if r == Runner::Native {
        match native::run(w, scale, &fx, out) {
            Ok((elapsed, got)) => (elapsed, got, 0, 0),
            Err(e) => {
                eprintln!("native: {e}");
                return 1;
            }
        }
    } else {
        let guest = w.guest(scale, out);
        match r.run_guest(&guest, &fx.root, &cwasm(&fx.root, w)) {
            Ok(run) => {
                let word = |i: usize| u64::from_le_bytes(run.words[i..i + 8].try_into().unwrap());
                let err = u64::from(u32::from_le_bytes(run.words[16..20].try_into().unwrap()));
                // The C guest's memory holds no result words; its copies are checked instead.
                let err = if w == Workload::CopyTree { 0 } else { err };
                (run.elapsed, (word(0), word(8)), err, run.status)
            }
            Err(e) => {
                eprintln!("{}: {e}", r.name());
                return 1;
            }
        }
    };
    let threads = threads();
    let (a, b) = w.check(&fx, scale, out, got);
    eprintln!(
        "RESULT {} {a} {b} {err} {status} {threads}",
        elapsed.as_nanos() as u64
    );
    0
}

/// This process's thread count, from /proc/self/status (0 if it cannot be read).
fn threads() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|n| n.trim().parse().ok())
        })
        .unwrap_or(0)
}
