//! The guest-memory layer: every witx type kind (the kitchen-sink interface of tests/bindgen,
//! and the preview1 and preview0 ABI types) read from arbitrary bytes at an arbitrary offset of
//! plain and shared memory, and strings and arrays at arbitrary positions.
//!
//! Invariants: a misaligned or out-of-bounds read is rejected; plain and shared memory give the
//! same answer; an accepted value encodes back to the input except in bytes that decoding
//! ignores (padding), and decodes again to itself; strings and byte slices are exactly the
//! memory they name.

#![no_main]

use std::cell::UnsafeCell;

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use wasihost_guest::{GuestError, GuestMemory, GuestPtr, GuestSlice, GuestStr, GuestType};

mod kitchen {
    wasihost_macro::from_witx!({
        witx: ["../tests/bindgen/witx/kitchen_sink.witx"],
        errors: { errcode => crate::kitchen::Error },
    });

    /// The host error the generated trait needs (no host implements it here).
    pub struct Error;

    impl From<wasihost_guest::GuestError> for Error {
        fn from(_: wasihost_guest::GuestError) -> Self {
            Error
        }
    }

    impl wasihost_guest::IntoAbiError<types::Errcode> for Error {
        fn into_abi_error(self) -> Result<types::Errcode, wasihost_guest::Trap> {
            Ok(types::Errcode::BadInput)
        }
    }
}

const MEM: usize = 512;

fn encoded<T: GuestType>(v: &T) -> Vec<u8> {
    let mut out = vec![0xeeu8; T::SIZE as usize];
    v.encode(&mut out);
    out
}

fn check<T: GuestType>(u: &mut Unstructured<'_>) -> Result<()> {
    let size = T::SIZE as usize;
    let offset = u.int_in_range(0u32..=(MEM as u32 + 8))?;
    let mut memory = vec![0u8; MEM];
    let input = u.bytes(size.min(u.len()))?.to_vec();
    let at = (offset as usize).min(MEM);
    let n = input.len().min(MEM - at);
    memory[at..at + n].copy_from_slice(&input[..n]);

    let plain = GuestPtr::<T>::new(offset).read(&GuestMemory::Unshared(&mut memory.clone()));
    let cells: Vec<UnsafeCell<u8>> = memory.iter().map(|&b| UnsafeCell::new(b)).collect();
    let shared = GuestPtr::<T>::new(offset).read(&GuestMemory::Shared(&cells));
    match (&plain, &shared) {
        (Ok(a), Ok(b)) => assert_eq!(encoded(a), encoded(b), "shared memory read differently"),
        (Err(a), Err(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
        _ => panic!("plain and shared memory disagree"),
    }
    let in_bounds = offset as usize + size <= MEM;
    let aligned = offset.is_multiple_of(T::ALIGN);
    match plain {
        Err(GuestError::PtrNotAligned { .. }) => assert!(!aligned),
        Err(GuestError::PtrOutOfBounds { .. }) => assert!(aligned && !in_bounds),
        Err(_) => assert!(aligned && in_bounds),
        Ok(v) => {
            assert!(aligned && in_bounds, "read at {offset} accepted");
            let bytes = &memory[offset as usize..offset as usize + size];
            let enc = encoded(&v);
            // Decoding the encoding gives the same value.
            let again = T::decode(&enc).expect("an encoded value decodes");
            assert_eq!(encoded(&again), enc, "encode/decode not stable");
            // Each byte where the encoding differs from the input is one decoding ignores.
            for i in 0..size {
                if enc[i] != bytes[i] {
                    let mut patched = bytes.to_vec();
                    patched[i] = enc[i];
                    let p = T::decode(&patched).expect("patching an ignored byte still decodes");
                    assert_eq!(encoded(&p), enc, "byte {i} of {size} was misread");
                }
            }
            // A write puts the same bytes in plain and shared memory, and nothing else.
            let mut plain_mem = vec![0x5au8; MEM];
            GuestPtr::<T>::new(offset)
                .write(&mut GuestMemory::Unshared(&mut plain_mem), v)
                .unwrap();
            let cells: Vec<UnsafeCell<u8>> = (0..MEM).map(|_| UnsafeCell::new(0x5a)).collect();
            GuestPtr::<T>::new(offset)
                .write(&mut GuestMemory::Shared(&cells), again)
                .unwrap();
            let shared_mem: Vec<u8> = cells.into_iter().map(UnsafeCell::into_inner).collect();
            assert_eq!(plain_mem, shared_mem);
            assert_eq!(
                &plain_mem[offset as usize..offset as usize + size],
                &enc[..]
            );
            let outside = |m: &[u8]| {
                m[..offset as usize]
                    .iter()
                    .chain(&m[offset as usize + size..])
                    .all(|&b| b == 0x5a)
            };
            assert!(
                outside(&plain_mem),
                "a write touched bytes outside the value"
            );
        }
    }
    Ok(())
}

/// Strings and byte slices at arbitrary positions are exactly the bytes they name.
fn slices(u: &mut Unstructured<'_>) -> Result<()> {
    let mut memory = vec![0u8; MEM];
    let fill = u.bytes(u.len().min(MEM))?;
    memory[..fill.len()].copy_from_slice(fill);
    let offset = u.arbitrary::<u32>()? % (MEM as u32 + 16);
    let len = if u.ratio(1, 8)? {
        u.arbitrary::<u32>()?
    } else {
        u.int_in_range(0..=MEM as u32)?
    };
    let fits = u64::from(offset) + u64::from(len) <= MEM as u64;
    let want = fits.then(|| &memory[offset as usize..(offset + len) as usize]);
    let cells: Vec<UnsafeCell<u8>> = memory.iter().map(|&b| UnsafeCell::new(b)).collect();
    let mut copy = memory.clone();
    for mem in [
        GuestMemory::Unshared(&mut copy),
        GuestMemory::Shared(&cells),
    ] {
        let s = GuestStr::new(offset, len);
        match (s.as_str(&mem), want) {
            (Ok(got), Some(w)) => assert_eq!(got.as_bytes(), w),
            (Err(_), Some(w)) => assert!(std::str::from_utf8(w).is_err(), "valid UTF-8 rejected"),
            (Err(_), None) => {}
            (Ok(_), None) => panic!("string out of bounds accepted"),
        }
        let b = GuestSlice::<u8>::new(offset, len);
        match (b.as_bytes(&mem), want) {
            (Ok(got), Some(w)) => assert_eq!(&*got, w),
            (Err(_), None) => {}
            (got, w) => panic!(
                "bytes at {offset}+{len}: {:?} vs {w:?}",
                got.map(|g| g.len())
            ),
        }
        let pts = GuestSlice::<kitchen::types::Point>::new(offset, len);
        let fits = u64::from(offset) + u64::from(len) * 8 <= MEM as u64 && offset.is_multiple_of(4);
        assert_eq!(
            pts.validate(&mem).is_ok(),
            fits,
            "point array at {offset}+{len}"
        );
    }
    Ok(())
}

macro_rules! types {
    ($u:ident; $($t:ty),* $(,)?) => {{
        let checks: &[fn(&mut Unstructured<'_>) -> Result<()>] = &[$(check::<$t>),*];
        let pick = $u.choose_index(checks.len() + 1)?;
        match checks.get(pick) {
            Some(f) => f(&mut $u),
            None => slices(&mut $u),
        }
    }};
}

fn run(data: &[u8]) -> Result<()> {
    use kitchen::types as k;
    use wasihost::preview0::types as p0;
    use wasihost::preview1::types as p1;
    let mut u = Unstructured::new(data);
    types!(u;
        k::Errcode, k::Color, k::Perms, k::Wide, k::Counter, k::Point, k::Segment,
        k::PointList, k::Shape, k::U16Pair, k::ByColor, k::Sample,
        u8, i8, u16, i16, u32, i32, u64, i64, f32, f64, char, bool,
        p1::Clockid, p1::Errno, p1::Rights, p1::Fd, p1::Iovec, p1::Ciovec, p1::Whence,
        p1::Filetype, p1::Dirent, p1::Advice, p1::Fdflags, p1::Fdstat, p1::Fstflags,
        p1::Lookupflags, p1::Oflags, p1::Filestat, p1::Eventtype, p1::Eventrwflags,
        p1::EventFdReadwrite, p1::Event, p1::Subclockflags, p1::SubscriptionClock,
        p1::SubscriptionFdReadwrite, p1::SubscriptionU, p1::Subscription, p1::Signal,
        p1::Riflags, p1::Roflags, p1::Siflags, p1::Sdflags, p1::Preopentype, p1::PrestatDir,
        p1::Prestat,
        p0::Whence, p0::Filestat, p0::Subscription, p0::Event, p0::Fdstat, p0::Dirent,
    )
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
