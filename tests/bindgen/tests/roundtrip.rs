//! Property tests: values of every witx type kind survive a write to and a read from guest
//! memory, at any valid position, in plain and shared memory alike.

use std::cell::UnsafeCell;

use proptest::prelude::*;
use wasihost_bindgen_tests::types::*;
use wasihost_guest::{GuestMemory, GuestPtr, GuestSlice, GuestStr, GuestType};

fn color() -> impl Strategy<Value = Color> {
    prop::sample::select(Color::ALL)
}

fn point() -> impl Strategy<Value = Point> {
    (any::<i32>(), any::<i32>()).prop_map(|(x, y)| Point { x, y })
}

fn segment() -> impl Strategy<Value = Segment> {
    (point(), point()).prop_map(|(from, to)| Segment { from, to })
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Empty),
        point().prop_map(Shape::Dot),
        segment().prop_map(Shape::Line),
        (any::<u32>(), any::<u32>()).prop_map(|(o, l)| Shape::Many(PointList::new(o, l))),
        any::<u64>().prop_map(Shape::Weight),
    ]
}

fn by_color() -> impl Strategy<Value = ByColor> {
    prop_oneof![
        point().prop_map(ByColor::Red),
        segment().prop_map(ByColor::Green),
        (any::<u16>(), any::<u16>()).prop_map(|(a, b)| ByColor::Blue(U16Pair(a, b))),
    ]
}

prop_compose! {
    fn sample()(
        small in any::<u8>(), signed in any::<i8>(), short in any::<i16>(), count in any::<u32>(),
        big in any::<u64>(), delta in any::<i64>(), ratio in any::<f32>().prop_filter("nan", |f| !f.is_nan()),
        precise in any::<f64>().prop_filter("nan", |f| !f.is_nan()), letter in any::<char>(),
        flag in any::<bool>(), color in color(), perms in any::<u32>(), wide in any::<u64>(),
        owner in any::<u32>(), name in (any::<u32>(), any::<u32>()),
        points in (any::<u32>(), any::<u32>()), shape in shape(), link in any::<u32>(),
        pair in (any::<u16>(), any::<u16>()),
    ) -> Sample {
        Sample {
            small, signed, short, count, big, delta, ratio, precise, letter, flag, color,
            perms: Perms::from_bits_truncate(perms),
            wide: Wide::from_bits_truncate(wide),
            owner: Counter::new(owner),
            name: GuestStr::new(name.0, name.1),
            points: PointList::new(points.0, points.1),
            shape,
            link: GuestPtr::new(link),
            pair: U16Pair(pair.0, pair.1),
        }
    }
}

/// Write `value` at the `slot`-th aligned position of a 4 KiB memory, read it back, and check the
/// bytes outside the value were not touched.
fn roundtrip<T: GuestType + PartialEq + std::fmt::Debug + Clone>(value: T, slot: u32) {
    let mut bytes = vec![0xa5u8; 4096];
    let slots = (4096 - T::SIZE) / T::ALIGN;
    let offset = (slot % (slots + 1)) * T::ALIGN;
    {
        let mut mem = GuestMemory::Unshared(&mut bytes);
        let ptr = GuestPtr::<T>::new(offset);
        ptr.write(&mut mem, value.clone()).unwrap();
        assert_eq!(ptr.read(&mem).unwrap(), value);
    }
    let end = (offset + T::SIZE) as usize;
    assert!(bytes[..offset as usize].iter().all(|&b| b == 0xa5));
    assert!(bytes[end..].iter().all(|&b| b == 0xa5));

    // The same through the shared-memory view.
    let cells: Vec<UnsafeCell<u8>> = (0..4096).map(|_| UnsafeCell::new(0)).collect();
    let mut shared = GuestMemory::Shared(&cells);
    let ptr = GuestPtr::<T>::new(offset);
    ptr.write(&mut shared, value.clone()).unwrap();
    assert_eq!(ptr.read(&shared).unwrap(), value);
}

proptest! {
    #[test]
    fn builtins(a in any::<u8>(), b in any::<i16>(), c in any::<u64>(), d in any::<char>(),
                e in any::<f64>().prop_filter("nan", |f| !f.is_nan()), b2 in any::<bool>(), slot in any::<u32>()) {
        roundtrip(a, slot);
        roundtrip(b, slot);
        roundtrip(c, slot);
        roundtrip(d, slot);
        roundtrip(e, slot);
        roundtrip(b2, slot);
    }

    #[test]
    fn enums_flags_handles(c in color(), p in any::<u32>(), w in any::<u64>(), h in any::<u32>(), slot in any::<u32>()) {
        roundtrip(c, slot);
        roundtrip(Perms::from_bits_truncate(p), slot);
        roundtrip(Wide::from_bits_truncate(w), slot);
        roundtrip(Counter::new(h), slot);
    }

    #[test]
    fn records_nested(s in segment(), pair in (any::<u16>(), any::<u16>()), slot in any::<u32>()) {
        roundtrip(s, slot);
        roundtrip(U16Pair(pair.0, pair.1), slot);
    }

    #[test]
    fn variants(s in shape(), b in by_color(), slot in any::<u32>()) {
        roundtrip(s, slot);
        roundtrip(b, slot);
    }

    #[test]
    fn record_with_every_kind(s in sample(), slot in any::<u32>()) {
        roundtrip(s, slot);
    }

    #[test]
    fn lists_of_records_and_variants(points in prop::collection::vec(point(), 0..20),
                                     shapes in prop::collection::vec(shape(), 0..20),
                                     base in 0u32..64) {
        let mut bytes = vec![0u8; 8192];
        let mut mem = GuestMemory::Unshared(&mut bytes);
        let pl = GuestSlice::<Point>::new(base * 4, points.len() as u32);
        for (p, v) in pl.iter().zip(&points) {
            p.unwrap().write(&mut mem, *v).unwrap();
        }
        let sl = GuestSlice::<Shape>::new(4096 + base * 8, shapes.len() as u32);
        for (p, v) in sl.iter().zip(&shapes) {
            p.unwrap().write(&mut mem, *v).unwrap();
        }
        pl.validate(&mem).unwrap();
        sl.validate(&mem).unwrap();
        let back: Vec<Point> = pl.iter().map(|p| p.unwrap().read(&mem).unwrap()).collect();
        prop_assert_eq!(back, points);
        let back: Vec<Shape> = sl.iter().map(|p| p.unwrap().read(&mem).unwrap()).collect();
        prop_assert_eq!(back, shapes);
    }

    #[test]
    fn strings(s in ".{0,64}", at in 0u32..1000) {
        let mut bytes = vec![0u8; 2048];
        let mut mem = GuestMemory::Unshared(&mut bytes);
        mem.copy_from_slice(at, s.as_bytes()).unwrap();
        let gs = GuestStr::new(at, s.len() as u32);
        prop_assert_eq!(gs.as_str(&mem).unwrap(), s.as_str());
    }
}

#[test]
fn layouts_follow_witx() {
    assert_eq!((Point::SIZE, Point::ALIGN), (8, 4));
    assert_eq!((Segment::SIZE, Segment::ALIGN), (16, 4));
    assert_eq!(Segment::FIELD_OFFSETS, [("from", 0), ("to", 8)]);
    // Tag u8 at 0; the widest payload (u64 weight) forces 8-byte alignment: payload at 8.
    assert_eq!((Shape::SIZE, Shape::ALIGN), (24, 8));
    // Tag u16 at 0; payload (alignment 4) at 4; largest payload 16 bytes.
    assert_eq!((ByColor::SIZE, ByColor::ALIGN), (20, 4));
    assert_eq!(
        (Perms::SIZE, Wide::SIZE, Color::SIZE, Errcode::SIZE),
        (4, 8, 2, 1)
    );
    let offsets: Vec<u32> = Sample::FIELD_OFFSETS.iter().map(|f| f.1).collect();
    assert_eq!(
        offsets,
        [
            0, 1, 2, 4, 8, 16, 24, 32, 40, 44, 48, 52, 56, 64, 68, 76, 88, 112, 116
        ]
    );
    assert_eq!((Sample::SIZE, Sample::ALIGN), (120, 8));
}

#[test]
fn unshared_reads_do_not_copy() {
    let mut bytes = b"....hello".to_vec();
    let base = bytes.as_ptr() as usize;
    let mem = GuestMemory::Unshared(&mut bytes);
    let s = GuestStr::new(4, 5).as_str(&mem).unwrap();
    assert!(matches!(s, std::borrow::Cow::Borrowed(_)));
    assert_eq!(s.as_ptr() as usize, base + 4);
    let b = GuestSlice::<u8>::new(0, 4).as_bytes(&mem).unwrap();
    assert!(matches!(b, std::borrow::Cow::Borrowed(_)));
}
