//! The markdown table: one row per workload, a column per runner, and the ratios of wasihost to
//! native and to the faster of the two anchors (wasmtime-wasi p1, wasmi_wasi). Times are
//! medians; a ratio is the median of the ratios of each round (the runners take turns, so a
//! round's runs met the same state of the machine), which a slow spell cannot skew.

use std::fmt::Write;
use std::time::Duration;

use crate::runners::Runner;
use crate::workloads::{Scale, Workload};

/// One runner's result for one workload.
#[derive(Clone, Debug)]
pub enum Cell {
    /// The time of each run, round by round.
    Time(Vec<Duration>),
    /// A run was stopped at the timeout.
    TimedOut(Duration),
    /// The runner failed the workload: an error, a failed call or a wrong result.
    Failed(String),
}

impl Cell {
    /// Each round's time, if every run succeeded.
    fn runs(&self) -> Option<&[Duration]> {
        match self {
            Cell::Time(t) => Some(t),
            _ => None,
        }
    }

    /// The median time.
    fn time(&self) -> Option<Duration> {
        let mut t = self.runs()?.to_vec();
        t.sort();
        t.get(t.len() / 2).copied()
    }
}

/// The median of `f(x, base)` over the rounds both have.
fn paired(
    x: Option<&[Duration]>,
    base: Option<&[Duration]>,
    f: impl Fn(f64, f64) -> f64,
) -> Option<f64> {
    let mut v: Vec<f64> = x?
        .iter()
        .zip(base?)
        .map(|(x, b)| f(x.as_secs_f64(), b.as_secs_f64()))
        .collect();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// The whole report: machine, date, command, table and notes.
pub fn table(
    scale: Scale,
    runs: usize,
    runners: &[Runner],
    rows: &[(Workload, Vec<Cell>)],
    command: &str,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", machine());
    let _ = writeln!(out, "Command: `{command}`\n");
    let _ = writeln!(
        out,
        "Median of {runs} runs, each a fresh process timing the guest's `_start` (or the native \
         loop) alone{}; the runners take turns, and a ratio is the median of the {runs} rounds' \
         ratios.\n",
        if scale.div > 1 {
            "; --quick: a tenth of the work"
        } else {
            ""
        }
    );
    let col = |r: Runner| runners.iter().position(|&x| x == r);
    let ours = [Runner::WasihostWasmtime, Runner::WasihostWasmi];
    let ratios: Vec<Runner> = ours.into_iter().filter(|r| col(*r).is_some()).collect();
    let mut head = String::from("| workload |");
    let mut rule = String::from("|---|");
    for r in runners {
        let _ = write!(head, " {} |", r.heading());
        rule.push_str("---:|");
    }
    for r in &ratios {
        let _ = write!(head, " {} / native |", r.heading());
        rule.push_str("---:|");
    }
    for r in &ratios {
        let _ = write!(head, " {} / best anchor |", r.heading());
        rule.push_str("---:|");
    }
    let _ = writeln!(out, "{head}\n{rule}");

    let mut notes: Vec<String> = Vec::new();
    fn runs_of(cells: &[Cell], i: Option<usize>) -> Option<&[Duration]> {
        cells[i?].runs()
    }
    let at = |cells, r| runs_of(cells, col(r));
    for (w, cells) in rows {
        let cells = cells.as_slice();
        let mut line = format!("| {} |", w.label(scale));
        for (r, cell) in runners.iter().zip(cells) {
            let text = match cell {
                Cell::Time(_) => cell.time().map_or("n/a".into(), secs),
                Cell::TimedOut(limit) => format!("> {} s", limit.as_secs()),
                Cell::Failed(why) => {
                    notes.push(format!("{}, {}: {why}", r.heading(), w.name()));
                    format!("n/a [{}]", notes.len())
                }
            };
            let _ = write!(line, " {text} |");
        }
        let native = at(cells, Runner::Native);
        // The faster anchor of each round.
        let anchors: Vec<&[Duration]> = [Runner::WasmtimeWasi, Runner::WasmiWasi]
            .into_iter()
            .filter_map(|r| at(cells, r))
            .collect();
        let anchor: Option<Vec<Duration>> = (!anchors.is_empty()).then(|| {
            (0..runs)
                .filter_map(|i| anchors.iter().filter_map(|a| a.get(i)).min().copied())
                .collect()
        });
        let anchor = anchor.as_deref();
        for &r in &ratios {
            let _ = write!(line, " {} |", ratio(at(cells, r), native));
        }
        for &r in &ratios {
            let _ = write!(line, " {} |", ratio(at(cells, r), anchor));
        }
        let _ = writeln!(out, "{line}");

        if *w == Workload::Clock {
            let n = w.count(scale) as f64;
            let ns = |x: f64, b: f64| (x - b) * 1e9 / n;
            let mut line = String::from("| `clock_time_get`, per call |");
            for cell in cells {
                let text = cell.time().map_or("n/a".into(), |t| {
                    format!("{:.1} ns", t.as_nanos() as f64 / n)
                });
                let _ = write!(line, " {text} |");
            }
            for &r in &ratios {
                let text = paired(at(cells, r), native, ns)
                    .map_or("n/a".into(), |d| format!("{d:+.1} ns"));
                let _ = write!(line, " {text} |");
            }
            for &r in &ratios {
                let text = paired(at(cells, r), anchor, ns)
                    .map_or("n/a".into(), |d| format!("{d:+.1} ns"));
                let _ = write!(line, " {text} |");
            }
            let _ = writeln!(out, "{line}");
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(out);
        for (i, n) in notes.iter().enumerate() {
            let _ = writeln!(out, "[{}] {n}  ", i + 1);
        }
    }
    out
}

fn secs(t: Duration) -> String {
    let s = t.as_secs_f64();
    if s < 10.0 {
        format!("{s:.3} s")
    } else {
        format!("{s:.1} s")
    }
}

/// The median of each round's `x / base`, formatted.
fn ratio(x: Option<&[Duration]>, base: Option<&[Duration]>) -> String {
    match paired(x, base, |x, b| x / b) {
        Some(r) if r.is_finite() => {
            // Two significant digits below 1 (0.0093×), two decimals above.
            let decimals = if r >= 1.0 || r == 0.0 {
                2
            } else {
                (1 - r.log10().floor() as i32).max(2) as usize
            };
            format!("{r:.decimals$}×")
        }
        _ => "n/a".into(),
    }
}

/// CPU model, core count, kernel and date, as the README wants them.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU".to_string(), |(_, m)| m.trim().to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!(
        "Machine: {model}, {cores} cores (nproc), Linux {}; {date}",
        kernel.trim()
    )
}
