//! A tiny builder for WAT test programs that call WASI functions of either snapshot in
//! sequence, recording each call's errno, so tests can compare results byte for byte.

use std::fmt::Display;

use super::{Outcome, run_wat, wat_bytes};

/// Every function both snapshots share: (name, wasm parameter types, returns an errno).
/// `sock_accept` exists only in preview1 and is listed separately.
pub const FUNCS: &[(&str, &str, bool)] = &[
    ("args_get", "i32 i32", true),
    ("args_sizes_get", "i32 i32", true),
    ("environ_get", "i32 i32", true),
    ("environ_sizes_get", "i32 i32", true),
    ("clock_res_get", "i32 i32", true),
    ("clock_time_get", "i32 i64 i32", true),
    ("fd_advise", "i32 i64 i64 i32", true),
    ("fd_allocate", "i32 i64 i64", true),
    ("fd_close", "i32", true),
    ("fd_datasync", "i32", true),
    ("fd_fdstat_get", "i32 i32", true),
    ("fd_fdstat_set_flags", "i32 i32", true),
    ("fd_fdstat_set_rights", "i32 i64 i64", true),
    ("fd_filestat_get", "i32 i32", true),
    ("fd_filestat_set_size", "i32 i64", true),
    ("fd_filestat_set_times", "i32 i64 i64 i32", true),
    ("fd_pread", "i32 i32 i32 i64 i32", true),
    ("fd_prestat_get", "i32 i32", true),
    ("fd_prestat_dir_name", "i32 i32 i32", true),
    ("fd_pwrite", "i32 i32 i32 i64 i32", true),
    ("fd_read", "i32 i32 i32 i32", true),
    ("fd_readdir", "i32 i32 i32 i64 i32", true),
    ("fd_renumber", "i32 i32", true),
    ("fd_seek", "i32 i64 i32 i32", true),
    ("fd_sync", "i32", true),
    ("fd_tell", "i32 i32", true),
    ("fd_write", "i32 i32 i32 i32", true),
    ("path_create_directory", "i32 i32 i32", true),
    ("path_filestat_get", "i32 i32 i32 i32 i32", true),
    (
        "path_filestat_set_times",
        "i32 i32 i32 i32 i64 i64 i32",
        true,
    ),
    ("path_link", "i32 i32 i32 i32 i32 i32 i32", true),
    ("path_open", "i32 i32 i32 i32 i32 i64 i64 i32 i32", true),
    ("path_readlink", "i32 i32 i32 i32 i32 i32", true),
    ("path_remove_directory", "i32 i32 i32", true),
    ("path_rename", "i32 i32 i32 i32 i32 i32", true),
    ("path_symlink", "i32 i32 i32 i32 i32", true),
    ("path_unlink_file", "i32 i32 i32", true),
    ("poll_oneoff", "i32 i32 i32 i32", true),
    ("proc_exit", "i32", false),
    ("proc_raise", "i32", true),
    ("sched_yield", "", true),
    ("random_get", "i32 i32", true),
    ("sock_recv", "i32 i32 i32 i32 i32 i32", true),
    ("sock_send", "i32 i32 i32 i32 i32", true),
    ("sock_shutdown", "i32 i32", true),
];

/// Where the data allocator starts; below it are the errno slots and fixed scratch areas.
const HEAP: u32 = 0x8000;
/// Memory size in bytes (two pages).
pub const MEMORY: u32 = 2 * 65536;

/// A WAT `i32.const`.
pub fn i32c(v: impl Display) -> String {
    format!("(i32.const {v})")
}

/// A WAT `i64.const`.
pub fn i64c(v: impl Display) -> String {
    format!("(i64.const {v})")
}

/// The `i32` stored at `at`, read when the call runs.
pub fn load32(at: u32) -> String {
    format!("(i32.load (i32.const {at}))")
}

/// A program under construction. Function `NAME` of preview0 is `p0.NAME`, of preview1
/// `p1.NAME`; only the functions a program calls are imported.
pub struct Script {
    data: String,
    body: String,
    imports: Vec<String>,
    calls: u32,
    heap: u32,
}

impl Default for Script {
    fn default() -> Self {
        Script {
            data: String::new(),
            body: String::new(),
            imports: Vec::new(),
            calls: 0,
            heap: HEAP,
        }
    }
}

impl Script {
    pub fn new() -> Self {
        Self::default()
    }

    /// Place `bytes` at `at`.
    pub fn data(&mut self, at: u32, bytes: &[u8]) -> &mut Self {
        self.data.push_str(&format!(
            "(data (i32.const {at}) \"{}\")\n",
            wat_bytes(bytes)
        ));
        self
    }

    /// Place `bytes` in a fresh 8-aligned spot and return its address.
    pub fn alloc(&mut self, bytes: &[u8]) -> u32 {
        let at = self.heap;
        self.heap = (at + bytes.len() as u32 + 7) & !7;
        assert!(self.heap < MEMORY, "test program out of memory");
        self.data(at, bytes);
        at
    }

    /// A string argument: (address, length) as two WAT constants.
    pub fn str(&mut self, s: &str) -> [String; 2] {
        let at = self.alloc(s.as_bytes());
        [i32c(at), i32c(s.len())]
    }

    /// An iovec array over `(address, length)` buffers; returns (array address, count).
    pub fn iovs(&mut self, bufs: &[(u32, u32)]) -> [String; 2] {
        let bytes: Vec<u8> = bufs
            .iter()
            .flat_map(|(a, l)| a.to_le_bytes().into_iter().chain(l.to_le_bytes()))
            .collect();
        let at = self.alloc(&bytes);
        [i32c(at), i32c(bufs.len())]
    }

    fn import(&mut self, f: &str) -> String {
        let (snap, name) = f.split_once('.').expect("p0.NAME or p1.NAME");
        let module = match snap {
            "p0" => "wasi_unstable",
            "p1" => "wasi_snapshot_preview1",
            _ => panic!("unknown snapshot in {f}"),
        };
        let (params, result) = if name == "sock_accept" && snap == "p1" {
            ("i32 i32 i32", true)
        } else {
            let (_, p, r) = FUNCS
                .iter()
                .find(|(n, _, _)| *n == name)
                .unwrap_or_else(|| panic!("no function {name}"));
            (*p, *r)
        };
        let id = format!("${snap}_{name}");
        let result = if result { "(result i32)" } else { "" };
        let line =
            format!("(import \"{module}\" \"{name}\" (func {id} (param {params}) {result}))\n");
        if !self.imports.contains(&line) {
            self.imports.push(line);
        }
        id
    }

    /// Call `f` with `args`; its errno goes to slot `k` (address `4 * k`), `k` returned.
    pub fn call(&mut self, f: &str, args: &[String]) -> u32 {
        let id = self.import(f);
        let k = self.calls;
        assert!(k < 256, "too many calls");
        self.calls += 1;
        self.body.push_str(&format!(
            "(i32.store (i32.const {}) (call {id} {}))\n",
            4 * k,
            args.join(" ")
        ));
        k
    }

    /// Call a function that returns nothing (`proc_exit`).
    pub fn call_void(&mut self, f: &str, args: &[String]) {
        let id = self.import(f);
        self.body
            .push_str(&format!("(call {id} {})\n", args.join(" ")));
    }

    /// The module text.
    pub fn wat(&self) -> String {
        format!(
            "(module\n{}(memory (export \"memory\") 2)\n{}(func (export \"_start\")\n{}))",
            self.imports.concat(),
            self.data,
            self.body
        )
    }

    /// Run with `ctx`.
    pub fn run(&self, ctx: wasihost::WasiCtx) -> Outcome {
        run_wat(&self.wat(), ctx)
    }
}

impl Outcome {
    /// The errno call `k` returned.
    pub fn errno(&self, k: u32) -> u32 {
        self.u32(4 * k as usize)
    }
}
