//! Turning witx identifiers into Rust identifiers.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// A witx name made valid as the start of a Rust identifier: a leading digit is spelled out
/// (`2big` becomes `toobig`, anything else gets an `n` prefix).
fn start_with_letter(name: &str) -> String {
    match name.chars().next() {
        Some(c) if c.is_ascii_digit() => match name.strip_prefix('2') {
            Some(rest) => format!("too_{rest}"),
            None => format!("n{name}"),
        },
        _ => name.to_string(),
    }
}

/// `UpperCamelCase` type or variant name.
pub fn type_name(name: &str) -> Ident {
    Ident::new(
        &start_with_letter(name).to_upper_camel_case(),
        Span::call_site(),
    )
}

/// `SHOUTY_SNAKE_CASE` constant name (for flag bits).
pub fn const_name(name: &str) -> Ident {
    Ident::new(
        &start_with_letter(name).to_shouty_snake_case(),
        Span::call_site(),
    )
}

/// `snake_case` function, field or parameter name, escaped when it is a Rust keyword.
pub fn value_name(name: &str) -> Ident {
    let s = start_with_letter(name).to_snake_case();
    if is_keyword(&s) {
        Ident::new_raw(&s, Span::call_site())
    } else {
        Ident::new(&s, Span::call_site())
    }
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "as" | "break"
            | "const"
            | "continue"
            | "crate"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "async"
            | "await"
            | "dyn"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "try"
            | "gen"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(type_name("2big").to_string(), "TooBig");
        assert_eq!(type_name("fd_readwrite").to_string(), "FdReadwrite");
        assert_eq!(const_name("fd_datasync").to_string(), "FD_DATASYNC");
        assert_eq!(value_name("type").to_string(), "r#type");
        assert_eq!(value_name("fs_rights_base").to_string(), "fs_rights_base");
        assert_eq!(type_name("9lives").to_string(), "N9lives");
    }
}
