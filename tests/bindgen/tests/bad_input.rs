//! Hostile guest input produces the right error and never a panic: at the guest-memory level, and
//! through the generated ABI shims.

use std::cell::UnsafeCell;

use proptest::prelude::*;
use wasihost_bindgen_tests::kitchen_sink::abi;
use wasihost_bindgen_tests::types::*;
use wasihost_bindgen_tests::{Host, sample_from_seed};
use wasihost_guest::{GuestError, GuestMemory, GuestPtr, GuestSlice, GuestStr, GuestType, Trap};

const BAD_INPUT: i32 = 1;

fn mem(bytes: &mut [u8]) -> GuestMemory<'_> {
    GuestMemory::Unshared(bytes)
}

#[test]
fn out_of_bounds_pointer() {
    let mut b = vec![0u8; 64];
    let m = mem(&mut b);
    let err = GuestPtr::<u32>::new(64).read(&m).unwrap_err();
    assert!(matches!(
        err,
        GuestError::PtrOutOfBounds {
            offset: 64,
            len: 4,
            memory_len: 64
        }
    ));
    assert!(GuestPtr::<u8>::new(u32::MAX).read(&m).is_err());
    assert!(
        GuestPtr::<Sample>::new(0).read(&m).is_err(),
        "120-byte record in 64 bytes"
    );
}

#[test]
fn pointer_at_the_last_byte() {
    let mut b = vec![7u8; 64];
    let m = mem(&mut b);
    assert_eq!(GuestPtr::<u8>::new(63).read(&m), Ok(7));
    assert!(matches!(
        GuestPtr::<u16>::new(63).read(&m),
        Err(GuestError::PtrNotAligned { .. })
    ));
    assert!(matches!(
        GuestSlice::<u8>::new(63, 2).as_bytes(&m),
        Err(GuestError::PtrOutOfBounds {
            offset: 63,
            len: 2,
            ..
        })
    ));
    assert_eq!(
        GuestSlice::<u8>::new(63, 1).as_bytes(&m).unwrap().as_ref(),
        &[7]
    );
    assert_eq!(GuestSlice::<u8>::new(64, 0).as_bytes(&m).unwrap().len(), 0);
    assert!(GuestPtr::<u32>::new(60).read(&m).is_ok());
    assert!(GuestPtr::<u32>::new(61).read(&m).is_err());
}

#[test]
fn pointer_plus_length_overflow() {
    let mut b = vec![0u8; 64];
    let m = mem(&mut b);
    assert!(matches!(
        GuestSlice::<u8>::new(0xffff_fff0, 0x20).validate(&m),
        Err(GuestError::PtrOverflow { .. })
    ));
    // The element count times the element size overflows 32 bits.
    assert!(matches!(
        GuestSlice::<Point>::new(0, 0x2000_0000).validate(&m),
        Err(GuestError::PtrOverflow { .. })
    ));
    assert!(matches!(
        GuestPtr::<Point>::new(0xffff_fff8).add_elements(1),
        Err(GuestError::PtrOverflow { .. })
    ));
    assert!(matches!(
        GuestStr::new(u32::MAX, u32::MAX).as_str(&m),
        Err(GuestError::PtrOverflow { .. })
    ));
}

#[test]
fn misaligned_pointer_to_aligned_type() {
    let mut b = vec![0u8; 64];
    let mut m = mem(&mut b);
    assert!(matches!(
        GuestPtr::<u64>::new(4).read(&m),
        Err(GuestError::PtrNotAligned {
            offset: 4,
            align: 8
        })
    ));
    assert!(matches!(
        GuestPtr::<Point>::new(2).write(&mut m, Point { x: 1, y: 2 }),
        Err(GuestError::PtrNotAligned {
            offset: 2,
            align: 4
        })
    ));
    assert!(GuestSlice::<Shape>::new(4, 1).validate(&m).is_err());
}

#[test]
fn bad_enum_and_variant_tags() {
    let mut b = vec![0u8; 64];
    b[0..2].copy_from_slice(&7u16.to_le_bytes());
    b[8] = 9;
    let m = mem(&mut b);
    assert_eq!(
        GuestPtr::<Color>::new(0).read(&m),
        Err(GuestError::InvalidEnumValue {
            type_name: "color",
            value: 7
        })
    );
    assert_eq!(
        GuestPtr::<Shape>::new(8).read(&m),
        Err(GuestError::InvalidEnumValue {
            type_name: "shape",
            value: 9
        })
    );
    assert!(Color::from_raw(3).is_err());
    assert!(Color::from_raw(u64::MAX).is_err());
}

#[test]
fn unknown_flag_bits() {
    let mut b = vec![0u8; 64];
    b[0..4].copy_from_slice(&(1u32 << 4).to_le_bytes());
    b[8..16].copy_from_slice(&(1u64 << 36).to_le_bytes());
    let m = mem(&mut b);
    assert_eq!(
        GuestPtr::<Perms>::new(0).read(&m),
        Err(GuestError::InvalidFlagValue {
            type_name: "perms",
            value: 16
        })
    );
    assert!(matches!(
        GuestPtr::<Wide>::new(8).read(&m),
        Err(GuestError::InvalidFlagValue { .. })
    ));
    assert_eq!(Perms::from_bits(0b1111), Some(Perms::all()));
    assert_eq!(Perms::from_bits(0b1_0000), None);
}

#[test]
fn invalid_utf8_char_and_bool() {
    let mut b = vec![0u8; 64];
    b[0..3].copy_from_slice(&[b'a', 0xff, 0xfe]);
    b[4..8].copy_from_slice(&0xd800u32.to_le_bytes());
    b[8..12].copy_from_slice(&2u32.to_le_bytes());
    let m = mem(&mut b);
    assert!(matches!(
        GuestStr::new(0, 3).as_str(&m),
        Err(GuestError::InvalidUtf8(_))
    ));
    assert_eq!(
        GuestPtr::<char>::new(4).read(&m),
        Err(GuestError::InvalidChar(0xd800))
    );
    assert!(matches!(
        GuestPtr::<bool>::new(8).read(&m),
        Err(GuestError::InvalidEnumValue {
            type_name: "bool",
            ..
        })
    ));
}

#[test]
fn shared_memory_reports_the_same_errors() {
    let cells: Vec<UnsafeCell<u8>> = (0..64).map(|_| UnsafeCell::new(0xff)).collect();
    let m = GuestMemory::Shared(&cells);
    assert!(matches!(
        GuestPtr::<u32>::new(62).read(&m),
        Err(GuestError::PtrNotAligned { .. })
    ));
    assert!(matches!(
        GuestPtr::<u32>::new(64).read(&m),
        Err(GuestError::PtrOutOfBounds { .. })
    ));
    assert!(matches!(
        GuestPtr::<Color>::new(0).read(&m),
        Err(GuestError::InvalidEnumValue { .. })
    ));
    assert!(matches!(
        GuestStr::new(0, 4).as_str(&m),
        Err(GuestError::InvalidUtf8(_))
    ));
}

// Through the generated shims: lifting errors become the interface's error code; pointer faults
// trap; an invalid out-pointer traps before the host method runs.

#[test]
fn shim_rejects_bad_enum_and_flag_arguments() {
    let mut host = Host::default();
    let mut b = vec![0u8; 64];
    let mut m = mem(&mut b);
    assert_eq!(
        abi::classify(&mut host, &mut m, 3, 0, 0, 0, 4),
        Ok(BAD_INPUT)
    );
    assert_eq!(
        abi::classify(&mut host, &mut m, 0, 1 << 4, 0, 0, 4),
        Ok(BAD_INPUT)
    );
    assert_eq!(
        abi::classify(&mut host, &mut m, 0, 0, 1 << 36, 0, 4),
        Ok(BAD_INPUT)
    );
    assert_eq!(
        abi::classify(&mut host, &mut m, 0, 0, -1, 0, 4),
        Ok(BAD_INPUT)
    );
    // A good call writes both results through their out-pointers.
    assert_eq!(abi::classify(&mut host, &mut m, 2, 0b1001, 1, 0, 4), Ok(0));
    assert_eq!(GuestPtr::<Color>::new(0).read(&m), Ok(Color::Red));
    assert_eq!(GuestPtr::<Perms>::new(4).read(&m), Ok(Perms::READ));
}

#[test]
fn shim_rejects_out_of_range_scalars() {
    let mut host = Host::default();
    let mut b = vec![0u8; 64];
    let mut m = mem(&mut b);
    // u8 parameter given 300; s16 given 40000; char given a surrogate.
    assert_eq!(
        abi::mix(&mut host, &mut m, 300, 0, 65, 0.0, 0.0, 0, 8),
        Ok(BAD_INPUT)
    );
    assert_eq!(
        abi::mix(&mut host, &mut m, 0, 40000, 65, 0.0, 0.0, 0, 8),
        Ok(BAD_INPUT)
    );
    assert_eq!(
        abi::mix(&mut host, &mut m, 0, 0, 0xd800, 0.0, 0.0, 0, 8),
        Ok(BAD_INPUT)
    );
    assert_eq!(
        abi::mix(&mut host, &mut m, 1, -2, 65, 0.5, 0.25, 10, 8),
        Ok(0)
    );
    assert_eq!(
        GuestPtr::<f64>::new(8).read(&m),
        Ok(1.0 - 2.0 + 65.0 + 0.5 + 0.25 + 10.0)
    );
}

#[test]
fn shim_traps_on_pointer_faults() {
    let mut host = Host::default();
    let mut b = vec![0u8; 64];
    let mut m = mem(&mut b);
    // A list reaching past the end of memory.
    let r = abi::sum_points(&mut host, &mut m, 56, 2, 0);
    assert!(
        matches!(r, Err(Trap::Guest(GuestError::PtrOutOfBounds { .. }))),
        "{r:?}"
    );
    // A list whose byte size overflows.
    let r = abi::sum_points(&mut host, &mut m, 0, 0x2000_0000, 0);
    assert!(
        matches!(r, Err(Trap::Guest(GuestError::PtrOverflow { .. }))),
        "{r:?}"
    );
    // A misaligned out-pointer: the host method must not run.
    let r = abi::counter_new(&mut host, &mut m, 5, 2);
    assert!(
        matches!(r, Err(Trap::Guest(GuestError::PtrNotAligned { .. }))),
        "{r:?}"
    );
    assert_eq!(abi::counter_new(&mut host, &mut m, 5, 0), Ok(0));
    assert_eq!(
        GuestPtr::<u32>::new(0).read(&m),
        Ok(0),
        "first counter is handle 0"
    );
    // A record argument passed by a pointer at the last bytes of memory.
    let r = abi::point_count(&mut host, &mut m, 60, 0);
    assert!(matches!(r, Err(Trap::Guest(_))), "{r:?}");
}

#[test]
fn shim_maps_bad_strings_and_variant_arguments() {
    let mut host = Host::default();
    let mut b = vec![0u8; 128];
    b[0..2].copy_from_slice(&[0xc3, 0x28]);
    b[16] = 200; // a shape with tag 200
    let mut m = mem(&mut b);
    assert_eq!(
        abi::greet(&mut host, &mut m, 0, 2, 64, 32, 100),
        Ok(BAD_INPUT)
    );
    assert_eq!(abi::point_count(&mut host, &mut m, 16, 8), Ok(BAD_INPUT));
    let r = abi::log(&mut host, &mut m, 0, 2);
    assert!(
        matches!(r, Err(Trap::Message(_))),
        "no errno to return: {r:?}"
    );
    assert_eq!(abi::halt(&mut host, &mut m, 7), Err(Trap::Exit(7)));
}

#[test]
fn shim_writes_records_with_every_kind() {
    let mut host = Host::default();
    let mut b = vec![0u8; 256];
    let mut m = mem(&mut b);
    assert_eq!(abi::make_sample(&mut host, &mut m, 8, 12345), Ok(0));
    assert_eq!(
        GuestPtr::<Sample>::new(8).read(&m),
        Ok(sample_from_seed(12345))
    );
    assert!(
        abi::make_sample(&mut host, &mut m, 4, 1).is_err(),
        "misaligned record"
    );
    assert_eq!(Sample::SIZE, 120);
}

proptest! {
    /// Any raw arguments, any memory contents: every shim returns, never panics.
    #[test]
    fn shims_never_panic(args in prop::collection::vec(any::<i32>(), 8), wide in any::<i64>(),
                         bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut host = Host::default();
        let mut bytes = bytes;
        let mut m = GuestMemory::Unshared(&mut bytes);
        let a = |i: usize| args[i];
        let _ = abi::counter_new(&mut host, &mut m, wide, a(0));
        let _ = abi::counter_add(&mut host, &mut m, a(0), a(1), a(2));
        let _ = abi::sum_points(&mut host, &mut m, a(0), a(1), a(2));
        let _ = abi::greet(&mut host, &mut m, a(0), a(1), a(2), a(3), a(4));
        let _ = abi::classify(&mut host, &mut m, a(0), a(1), wide, a(3), a(4));
        let _ = abi::point_count(&mut host, &mut m, a(0), a(1));
        let _ = abi::total_points(&mut host, &mut m, a(0), a(1), a(2));
        let _ = abi::make_sample(&mut host, &mut m, a(0), a(1));
        let _ = abi::mix(&mut host, &mut m, a(0), a(1), a(2), 1.5, -2.5, wide, a(3));
        let _ = abi::log(&mut host, &mut m, a(0), a(1));
        let _ = abi::halt(&mut host, &mut m, a(0));
    }
}
