//! Command-line parsing for `wasihost run`.

use std::path::PathBuf;

/// What `wasihost run` was asked to do.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RunArgs {
    /// Preopened directories: (host path, guest path).
    pub dirs: Vec<(PathBuf, String)>,
    /// Environment variables given with `--env` (value already resolved).
    pub env: Vec<(String, String)>,
    /// Copy the whole host environment.
    pub inherit_env: bool,
    /// TCP addresses to listen on and hand to the guest.
    pub tcplisten: Vec<String>,
    /// The engine to use.
    pub engine: Engine,
    /// The module file.
    pub module: PathBuf,
    /// Arguments after the module, passed to the guest.
    pub guest_args: Vec<String>,
}

/// The WebAssembly engines `--engine` can choose.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// wasmtime (compiles to native code); the default.
    #[default]
    Wasmtime,
    /// wasmi (an interpreter).
    Wasmi,
}

impl Engine {
    /// The engine called `name` on the command line.
    pub fn from_name(name: &str) -> Option<Engine> {
        match name {
            "wasmtime" => Some(Engine::Wasmtime),
            "wasmi" => Some(Engine::Wasmi),
            _ => None,
        }
    }
}

/// A usage error, shown as one line.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

pub const USAGE: &str = "usage: wasihost run [--dir HOST[::GUEST]]... [--env NAME[=VALUE]]... \
[--inherit-env] [--tcplisten HOST:PORT]... [--engine wasmtime|wasmi] MODULE [ARGS]...";

/// Parse the arguments after the program name (`run` is optional).
pub fn parse(args: &[String]) -> Result<RunArgs, UsageError> {
    let mut args = args;
    if args.first().map(String::as_str) == Some("run") {
        args = &args[1..];
    }
    let mut out = RunArgs::default();
    let mut i = 0;
    let value = |i: &mut usize, flag: &str, inline: Option<&str>| -> Result<String, UsageError> {
        if let Some(v) = inline {
            return Ok(v.to_string());
        }
        *i += 1;
        args.get(*i)
            .cloned()
            .ok_or_else(|| UsageError(format!("{flag} needs a value")))
    };
    while i < args.len() {
        let arg = &args[i];
        if !arg.starts_with('-') || arg == "-" {
            out.module = PathBuf::from(arg);
            out.guest_args = args[i + 1..].to_vec();
            return Ok(out);
        }
        if arg == "--" {
            let Some(m) = args.get(i + 1) else { break };
            out.module = PathBuf::from(m);
            out.guest_args = args[i + 2..].to_vec();
            return Ok(out);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (arg.as_str(), None),
        };
        match flag {
            "--dir" => {
                let v = value(&mut i, flag, inline)?;
                let (host, guest) = match v.split_once("::") {
                    Some((h, g)) => (h.to_string(), g.to_string()),
                    None => (v.clone(), v.clone()),
                };
                if host.is_empty() || guest.is_empty() {
                    return Err(UsageError(format!("--dir {v}: empty path")));
                }
                out.dirs.push((PathBuf::from(host), guest));
            }
            "--env" => {
                let v = value(&mut i, flag, inline)?;
                let (name, val) = match v.split_once('=') {
                    Some((n, val)) => (n.to_string(), val.to_string()),
                    None => match std::env::var(&v) {
                        Ok(val) => (v.clone(), val),
                        Err(_) => {
                            return Err(UsageError(format!(
                                "--env {v}: not set in the host environment"
                            )));
                        }
                    },
                };
                if name.is_empty() {
                    return Err(UsageError(format!("--env {v}: empty name")));
                }
                out.env.push((name, val));
            }
            "--inherit-env" => out.inherit_env = true,
            "--tcplisten" => out.tcplisten.push(value(&mut i, flag, inline)?),
            "--engine" => {
                let v = value(&mut i, flag, inline)?;
                out.engine = Engine::from_name(&v).ok_or_else(|| {
                    UsageError(format!(
                        "--engine {v}: unknown engine (expected wasmtime or wasmi)"
                    ))
                })?;
            }
            "-h" | "--help" => return Err(UsageError(USAGE.to_string())),
            _ => return Err(UsageError(format!("unknown option {arg}"))),
        }
        i += 1;
    }
    Err(UsageError("missing MODULE".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &[&str]) -> Result<RunArgs, UsageError> {
        parse(&s.iter().map(|x| x.to_string()).collect::<Vec<_>>())
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
            vec![("/tmp".into(), "/data".into()), (".".into(), ".".into())]
        );
        assert_eq!(a.env, vec![("A".into(), "1".into())]);
        assert_eq!(a.module, PathBuf::from("m.wasm"));
        assert_eq!(a.guest_args, vec!["-x", "--dir"]);
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
}
