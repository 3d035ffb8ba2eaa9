//! Hostcall tracing: what the generated ABI shims hand to a host's `trace_call` for every call
//! once its `trace_enabled` says so. With tracing off a shim does nothing more than ask.

use std::fmt;
use std::time::Duration;

use crate::{GuestMemory, GuestStr};

/// One finished hostcall, decoded.
#[derive(Debug, Clone, Copy)]
pub struct TraceEvent<'a> {
    /// The witx module, e.g. `wasi_snapshot_preview1`.
    pub module: &'static str,
    /// The function, e.g. `path_open`.
    pub func: &'static str,
    /// The arguments, `name=value` separated by `, `: handles and integers as numbers, flags
    /// and enums by name, strings quoted (at most [`MAX_STRING`] bytes), pointers in hex. If
    /// an argument could not be decoded, the raw wasm values instead.
    pub args: &'a str,
    /// The outcome: the result value (`Debug`-formatted), the error by name (`ENOENT` for a WASI
    /// `errno`), `ok` for a call without results, or `trap: ...`.
    pub result: &'a str,
    /// How long the host took, from the shim's start to its end.
    pub elapsed: Duration,
}

impl fmt::Display for TraceEvent<'_> {
    /// One line: `module.func(args) = result <elapsed>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}({}) = {} <{:.1?}>",
            self.module, self.func, self.args, self.result, self.elapsed
        )
    }
}

/// The most bytes of a string argument a trace shows.
pub const MAX_STRING: u32 = 256;

/// A string argument as a trace shows it: quoted and escaped, cut at [`MAX_STRING`] bytes, or
/// `<bad string ...>` when it is not readable.
pub struct Str<'a, 'm>(pub &'a GuestMemory<'m>, pub GuestStr);

impl fmt::Display for Str<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Str(mem, s) = self;
        let shown = GuestStr::new(s.as_byte_slice().offset(), s.len().min(MAX_STRING));
        match shown.as_bytes(mem) {
            Ok(bytes) => {
                write!(f, "{:?}", String::from_utf8_lossy(&bytes))?;
                if s.len() > MAX_STRING {
                    write!(f, "...({} bytes)", s.len())?;
                }
                Ok(())
            }
            Err(_) => write!(
                f,
                "<bad string {:#x}, len {}>",
                s.as_byte_slice().offset(),
                s.len()
            ),
        }
    }
}

/// How a trace names error case `case` of the interface's error type `type_name`: a WASI
/// `errno` the way C does (`noent` is `ENOENT`), anything else by its witx case name.
pub fn error_name(type_name: &str, case: &str) -> String {
    if type_name == "errno" {
        format!("E{}", case.to_ascii_uppercase())
    } else {
        case.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_cut_and_checked() {
        let mut bytes = b"a\"b\n".to_vec();
        bytes.resize(600, b'x');
        let mem = GuestMemory::Unshared(&mut bytes);
        assert_eq!(Str(&mem, GuestStr::new(0, 4)).to_string(), r#""a\"b\n""#);
        let long = Str(&mem, GuestStr::new(0, 300)).to_string();
        assert!(long.ends_with(r#"xx"...(300 bytes)"#), "{long}");
        assert_eq!(
            Str(&mem, GuestStr::new(590, 20)).to_string(),
            "<bad string 0x24e, len 20>"
        );
    }

    #[test]
    fn events_print_on_one_line() {
        let e = TraceEvent {
            module: "m",
            func: "f",
            args: "fd=3",
            result: &error_name("errno", "noent"),
            elapsed: Duration::from_nanos(1500),
        };
        assert_eq!(e.to_string(), "m.f(fd=3) = ENOENT <1.5µs>");
        assert_eq!(error_name("errcode", "not_found"), "not_found");
    }
}
