//! `-W` (WebAssembly), `-S` (WASI) and `-C` (compilation) options: comma-separated
//! `KEY[=VALUE]` lists, as `wasmtime run` takes them.

use std::time::Duration;

use crate::args::{CacheOpts, Limits, RunArgs, UsageError};
use crate::features::Feature;

/// Apply one `-W` list.
pub fn wasm(
    list: &str,
    features: &mut Vec<(Feature, bool)>,
    limits: &mut Limits,
) -> Result<(), UsageError> {
    for item in list.split(',') {
        let (key, val) = split(item);
        let bad = |why: &str| UsageError(format!("-W {item}: {why}"));
        match key {
            "fuel" => limits.fuel = Some(number(val.ok_or_else(|| bad("needs =N"))?, "-W", item)?),
            "max-memory-size" => {
                let v = val.ok_or_else(|| bad("needs =BYTES"))?;
                limits.max_memory = Some(number(v, "-W", item)?);
            }
            "timeout" => {
                let v = val.ok_or_else(|| bad("needs =DURATION"))?;
                limits.timeout = Some(duration(v).ok_or_else(|| {
                    bad("not a duration (e.g. 500ms, 2s, 1m, or seconds as a number)")
                })?);
            }
            _ => {
                let feature = Feature::from_name(key).ok_or_else(|| {
                    bad("unknown option (see wasihost run --help for the -W options)")
                })?;
                features.push((feature, flag(val, item)?));
            }
        }
    }
    Ok(())
}

/// Apply one `-S` list.
pub fn wasi(list: &str, out: &mut RunArgs) -> Result<(), UsageError> {
    for item in list.split(',') {
        let (key, val) = split(item);
        match key {
            "inherit-env" => out.inherit_env = flag(val, item)?,
            "threads" => out.threads = Some(flag(val, item)?),
            "max-threads" => {
                let v = val.ok_or_else(|| UsageError(format!("-S {item}: needs =N")))?;
                let n = number(v, "-S", item)?;
                out.max_threads = Some(
                    u32::try_from(n)
                        .map_err(|_| UsageError(format!("-S {item}: at most {}", u32::MAX)))?,
                );
            }
            "tcplisten" => out.tcplisten.push(
                val.filter(|v| !v.is_empty())
                    .ok_or_else(|| UsageError(format!("-S {item}: needs =ADDR")))?
                    .to_string(),
            ),
            "max-open-fds" => {
                let v = val.ok_or_else(|| UsageError(format!("-S {item}: needs =N")))?;
                let n = number(v, "-S", item)?;
                let n = u32::try_from(n)
                    .map_err(|_| UsageError(format!("-S {item}: at most {}", u32::MAX)))?;
                out.max_open_fds = Some(n);
            }
            "max-mem-dir-size" => {
                let v = val.ok_or_else(|| UsageError(format!("-S {item}: needs =BYTES")))?;
                out.mem_dir_max_bytes = Some(number(v, "-S", item)?);
            }
            _ => {
                return Err(UsageError(format!(
                    "-S {item}: unknown option (expected inherit-env, tcplisten=ADDR, threads, \
                     max-threads=N, max-open-fds=N or max-mem-dir-size=BYTES)"
                )));
            }
        }
    }
    Ok(())
}

/// Apply one `-C` list.
pub fn codegen(list: &str, out: &mut CacheOpts) -> Result<(), UsageError> {
    for item in list.split(',') {
        let (key, val) = split(item);
        match key {
            "cache" => out.off = !flag(val, item)?,
            "max-cache-size" => {
                let v = val.ok_or_else(|| UsageError(format!("-C {item}: needs =BYTES")))?;
                out.max_size = Some(number(v, "-C", item)?);
            }
            _ => {
                return Err(UsageError(format!(
                    "-C {item}: unknown option (expected cache=y|n or max-cache-size=BYTES)"
                )));
            }
        }
    }
    Ok(())
}

fn split(item: &str) -> (&str, Option<&str>) {
    match item.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (item, None),
    }
}

/// `y`/`n` and their spellings; a bare key means yes.
fn flag(val: Option<&str>, item: &str) -> Result<bool, UsageError> {
    match val {
        None | Some("y" | "yes" | "true") => Ok(true),
        Some("n" | "no" | "false") => Ok(false),
        Some(_) => Err(UsageError(format!("-W/-S/-C {item}: expected y or n"))),
    }
}

fn number(v: &str, option: &str, item: &str) -> Result<u64, UsageError> {
    let digits: String = v.chars().filter(|c| *c != '_').collect();
    digits
        .parse()
        .map_err(|e| UsageError(format!("{option} {item}: not a number: {e}")))
}

/// `250ms`, `2s`, `1.5s`, `1m`, `1h`, `10us`, `5ns`, or a bare number of seconds.
pub fn duration(v: &str) -> Option<Duration> {
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: f64 = num.parse().ok()?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1e3,
        "us" => n / 1e6,
        "ns" => n / 1e9,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(secs).ok()
}
