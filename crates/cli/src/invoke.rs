//! `--invoke FUNC [ARGS]...`: call one export of a command or reactor module instead of
//! `_start` (after `_initialize`, when the module has one) and print what it returns, one
//! value per line.
//!
//! The arguments after the module are parsed by the function's parameter types: integers in
//! decimal (signed, or unsigned up to the type's width, so `-1` and `4294967295` are the same
//! `i32`) or `0x` hexadecimal; floats as Rust parses them (`1.5`, `-inf`, `nan`). They are also
//! the guest's `argv` after the program name, as with `wasmtime run --invoke`.

use std::fmt;

/// A parameter or result type `--invoke` can pass or print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
}

/// A value passed to or returned by the invoked function.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// An `i32`, printed signed.
    I32(i32),
    /// An `i64`, printed signed.
    I64(i64),
    /// An `f32`.
    F32(f32),
    /// An `f64`.
    F64(f64),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::I32(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::F32(v) => write!(f, "{v}"),
            Value::F64(v) => write!(f, "{v}"),
        }
    }
}

/// The signature of the export to call, as `--invoke` sees it: `Err(name)` for a type it
/// cannot pass or print (`v128`, references).
pub struct Signature {
    /// Parameter types.
    pub params: Vec<Result<Ty, String>>,
    /// Result types.
    pub results: Vec<Result<Ty, String>>,
}

/// The arguments for `func` with signature `sig`, or a one-line usage error.
pub fn parse_args(func: &str, sig: &Signature, args: &[String]) -> Result<Vec<Value>, String> {
    let unsupported = |what: &str, ty: &str| {
        format!("--invoke {func}: the function has a {ty} {what}, which --invoke cannot handle")
    };
    for r in &sig.results {
        if let Err(ty) = r {
            return Err(unsupported("result", ty));
        }
    }
    if sig.params.len() != args.len() {
        return Err(format!(
            "--invoke {func}: the function takes {} argument(s), {} given",
            sig.params.len(),
            args.len()
        ));
    }
    sig.params
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (ty, arg))| {
            let ty = ty.as_ref().map_err(|ty| unsupported("parameter", ty))?;
            parse_value(*ty, arg).ok_or_else(|| {
                format!(
                    "--invoke {func}: argument {} {arg:?} is not a valid {}",
                    i + 1,
                    ty_name(*ty)
                )
            })
        })
        .collect()
}

fn ty_name(ty: Ty) -> &'static str {
    match ty {
        Ty::I32 => "i32",
        Ty::I64 => "i64",
        Ty::F32 => "f32",
        Ty::F64 => "f64",
    }
}

/// An integer in decimal or `0x` hex, as an `i128` wide enough for any `i64` or `u64`.
fn int(s: &str) -> Option<i128> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<u64>().ok()?,
    };
    Some(if neg { -(v as i128) } else { v as i128 })
}

fn parse_value(ty: Ty, s: &str) -> Option<Value> {
    Some(match ty {
        Ty::I32 => {
            let v = int(s)?;
            if v < i128::from(i32::MIN) || v > i128::from(u32::MAX) {
                return None;
            }
            Value::I32(v as i64 as i32)
        }
        Ty::I64 => {
            let v = int(s)?;
            if v < i128::from(i64::MIN) || v > i128::from(u64::MAX) {
                return None;
            }
            Value::I64(v as i64)
        }
        Ty::F32 => Value::F32(s.parse().ok()?),
        Ty::F64 => Value::F64(s.parse().ok()?),
    })
}

/// Print `results`, one per line, to stdout.
pub fn print(results: &[Value]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for r in results {
        // A closed stdout is not worth a failure once the function has run.
        let _ = writeln!(out, "{r}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(params: &[Ty]) -> Signature {
        Signature {
            params: params.iter().map(|t| Ok(*t)).collect(),
            results: vec![],
        }
    }

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn integers_signed_unsigned_and_hex() {
        let s = sig(&[Ty::I32, Ty::I32, Ty::I32, Ty::I64, Ty::I64]);
        let got = parse_args(
            "f",
            &s,
            &strings(&[
                "-1",
                "4294967295",
                "0x10",
                "18446744073709551615",
                "-9223372036854775808",
            ]),
        )
        .unwrap();
        assert_eq!(
            got,
            [
                Value::I32(-1),
                Value::I32(-1),
                Value::I32(16),
                Value::I64(-1),
                Value::I64(i64::MIN)
            ]
        );
    }

    #[test]
    fn out_of_range_and_garbage_name_the_argument() {
        let s = sig(&[Ty::I32]);
        for bad in ["4294967296", "-2147483649", "1.5", "", "0x", "ten"] {
            let e = parse_args("f", &s, &strings(&[bad])).unwrap_err();
            assert!(e.contains("argument 1") && e.contains("i32"), "{bad}: {e}");
        }
    }

    #[test]
    fn floats_and_their_printing() {
        let s = sig(&[Ty::F32, Ty::F64]);
        let got = parse_args("f", &s, &strings(&["1.5", "-inf"])).unwrap();
        assert_eq!(got, [Value::F32(1.5), Value::F64(f64::NEG_INFINITY)]);
        assert_eq!(got[0].to_string(), "1.5");
        assert_eq!(got[1].to_string(), "-inf");
    }

    #[test]
    fn wrong_count_and_unsupported_types() {
        let e = parse_args("f", &sig(&[Ty::I32]), &[]).unwrap_err();
        assert!(e.contains("takes 1 argument(s), 0 given"), "{e}");
        let s = Signature {
            params: vec![Err("v128".into())],
            results: vec![],
        };
        let e = parse_args("f", &s, &strings(&["1"])).unwrap_err();
        assert!(e.contains("v128 parameter"), "{e}");
        let s = Signature {
            params: vec![],
            results: vec![Err("externref".into())],
        };
        assert!(
            parse_args("f", &s, &[])
                .unwrap_err()
                .contains("externref result")
        );
    }
}
