//! The `kitchen_sink` test guest shared by the engine end-to-end tests, and the checks of what
//! its `run` export leaves in memory.
#![allow(dead_code)]

use wasihost_bindgen_tests::{sample_from_seed, types};
use wasihost_guest::{GuestMemory, GuestPtr, GuestType};

/// Exports: `run` (calls every kind of function, results at 0x800.., errnos at 0x900..),
/// `bad_pointer`, `misaligned_out` (both must trap) and `stop` (`halt(42)`).
pub const GUEST: &str = r#"
(module
  (import "kitchen_sink" "counter_new" (func $counter_new (param i64 i32) (result i32)))
  (import "kitchen_sink" "counter_add" (func $counter_add (param i32 i32 i32) (result i32)))
  (import "kitchen_sink" "sum_points" (func $sum_points (param i32 i32 i32) (result i32)))
  (import "kitchen_sink" "greet" (func $greet (param i32 i32 i32 i32 i32) (result i32)))
  (import "kitchen_sink" "classify" (func $classify (param i32 i32 i64 i32 i32) (result i32)))
  (import "kitchen_sink" "total_points" (func $total_points (param i32 i32 i32) (result i32)))
  (import "kitchen_sink" "make_sample" (func $make_sample (param i32 i32) (result i32)))
  (import "kitchen_sink" "log" (func $log (param i32 i32)))
  (import "kitchen_sink" "halt" (func $halt (param i32)))
  (memory (export "memory") 1)
  ;; points (1,2) (10,20) (100,200) at 0x100
  (data (i32.const 0x100) "\01\00\00\00\02\00\00\00\0a\00\00\00\14\00\00\00\64\00\00\00\c8\00\00\00")
  (data (i32.const 0x200) "wasm")
  (data (i32.const 0x210) "logged from wasm")
  ;; two shapes at 0x300 (24 bytes each): a line, then a dot
  (data (i32.const 0x300) "\02")
  (data (i32.const 0x318) "\01")

  ;; results go to 0x800.. ; errno values to 0x900..
  (func (export "run")
    ;; counter: new(40) -> handle at 0x800; add(handle, 2) -> 0x808
    (i32.store (i32.const 0x900) (call $counter_new (i64.const 40) (i32.const 0x800)))
    (i32.store (i32.const 0x904)
      (call $counter_add (i32.load (i32.const 0x800)) (i32.const 2) (i32.const 0x808)))
    ;; counter_add on a handle that does not exist -> not_found (2)
    (i32.store (i32.const 0x908) (call $counter_add (i32.const 99) (i32.const 1) (i32.const 0x808)))
    ;; sum of 3 points -> 0x810
    (i32.store (i32.const 0x90c) (call $sum_points (i32.const 0x100) (i32.const 3) (i32.const 0x810)))
    ;; greet("wasm") into 0x400, 64 bytes -> length at 0x818
    (i32.store (i32.const 0x910)
      (call $greet (i32.const 0x200) (i32.const 4) (i32.const 0x400) (i32.const 64) (i32.const 0x818)))
    ;; greet into a 3-byte buffer -> too_big (3)
    (i32.store (i32.const 0x914)
      (call $greet (i32.const 0x200) (i32.const 4) (i32.const 0x400) (i32.const 3) (i32.const 0x818)))
    ;; classify(blue, read|admin, f0) -> (red, read) at 0x820 / 0x824
    (i32.store (i32.const 0x918)
      (call $classify (i32.const 2) (i32.const 9) (i64.const 1) (i32.const 0x820) (i32.const 0x824)))
    ;; total points of the two shapes -> 0x828
    (i32.store (i32.const 0x91c) (call $total_points (i32.const 0x300) (i32.const 2) (i32.const 0x828)))
    ;; sample from seed 77 at 0xa00
    (i32.store (i32.const 0x920) (call $make_sample (i32.const 0xa00) (i32.const 77)))
    (call $log (i32.const 0x210) (i32.const 16)))

  (func (export "bad_pointer")
    (drop (call $sum_points (i32.const 0xfff0) (i32.const 8) (i32.const 0x810))))
  (func (export "misaligned_out")
    (drop (call $counter_new (i64.const 1) (i32.const 0x801))))
  (func (export "stop") (call $halt (i32.const 42))))
"#;

fn read<T: GuestType>(mem: &GuestMemory<'_>, at: u32) -> T {
    GuestPtr::<T>::new(at).read(mem).unwrap()
}

/// Assert what `run` left in the guest's memory `bytes` and in the host's log.
pub fn check_run(bytes: &mut [u8], log: &[String]) {
    let mem = GuestMemory::Unshared(bytes);
    let errnos: Vec<u32> = (0..9).map(|i| read(&mem, 0x900 + 4 * i)).collect();
    assert_eq!(errnos, [0, 0, 2, 0, 0, 3, 0, 0, 0]);
    assert_eq!(read::<u64>(&mem, 0x808), 42);
    assert_eq!(
        read::<types::Point>(&mem, 0x810),
        types::Point { x: 111, y: 222 }
    );
    let len: u32 = read(&mem, 0x818);
    assert_eq!(len, 12);
    let greeting: Vec<u8> = (0..len).map(|i| read::<u8>(&mem, 0x400 + i)).collect();
    assert_eq!(greeting, b"hello, wasm!");
    assert_eq!(read::<types::Color>(&mem, 0x820), types::Color::Red);
    assert_eq!(read::<types::Perms>(&mem, 0x824), types::Perms::READ);
    assert_eq!(read::<u64>(&mem, 0x828), 3, "a line and a dot");
    assert_eq!(read::<types::Sample>(&mem, 0xa00), sample_from_seed(77));
    assert_eq!(log, ["logged from wasm"]);
}
