//! The generated preview1 Rust types against wasi-libc's `api.h` (the facts extracted into
//! `crates/gen/tests/data/preview1_api_h.txt` by `tests/tools/extract_api_h.py`): every size,
//! alignment and field offset, and every enum and flag constant.

use std::collections::{BTreeMap, BTreeSet};

use wasihost::guest::GuestType;
use wasihost::preview1::types::*;

fn table() -> Vec<Vec<String>> {
    let text = include_str!("../../gen/tests/data/preview1_api_h.txt");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split(' ').map(str::to_string).collect())
        .collect()
}

type Layout = (u32, u32, Vec<(&'static str, u32)>);

/// (size, align, field offsets) of a generated type, by witx name.
fn generated() -> BTreeMap<&'static str, Layout> {
    let mut m = BTreeMap::new();
    macro_rules! scalar {
        ($($name:literal => $t:ty),* $(,)?) => {$(
            m.insert($name, (<$t as GuestType>::SIZE, <$t as GuestType>::ALIGN, Vec::new()));
        )*};
    }
    macro_rules! record {
        ($($name:literal => $t:ty),* $(,)?) => {$(
            m.insert($name, (<$t as GuestType>::SIZE, <$t as GuestType>::ALIGN, <$t>::FIELD_OFFSETS.to_vec()));
        )*};
    }
    scalar!(
        "filesize" => Filesize, "timestamp" => Timestamp, "clockid" => Clockid, "errno" => Errno,
        "fd" => Fd, "filedelta" => Filedelta, "whence" => Whence, "dircookie" => Dircookie,
        "dirnamlen" => Dirnamlen, "inode" => Inode, "filetype" => Filetype, "advice" => Advice,
        "device" => Device, "linkcount" => Linkcount, "userdata" => Userdata,
        "eventtype" => Eventtype, "exitcode" => Exitcode, "siflags" => Siflags,
        "preopentype" => Preopentype, "subscription_u" => SubscriptionU, "prestat" => Prestat,
        "rights" => Rights, "fdflags" => Fdflags, "fstflags" => Fstflags, "oflags" => Oflags,
        "lookupflags" => Lookupflags, "size" => Size,
    );
    record!(
        "iovec" => Iovec, "ciovec" => Ciovec, "dirent" => Dirent, "fdstat" => Fdstat,
        "filestat" => Filestat, "event_fd_readwrite" => EventFdReadwrite, "event" => Event,
        "subscription_clock" => SubscriptionClock,
        "subscription_fd_readwrite" => SubscriptionFdReadwrite,
        "subscription" => Subscription, "prestat_dir" => PrestatDir,
    );
    m
}

#[test]
fn sizes_alignments_and_offsets_match_api_h() {
    let gen_types = generated();
    let mut checked = BTreeSet::new();
    let mut offsets: BTreeMap<String, Vec<(String, u32)>> = BTreeMap::new();
    for row in table() {
        match row[0].as_str() {
            "size" | "align" => {
                let name = row[1].as_str();
                if name.ends_with("_t") || name == "void*" {
                    continue; // C builtins
                }
                let (size, align, _) = gen_types
                    .get(name)
                    .unwrap_or_else(|| panic!("api.h type {name} has no generated type"));
                let want: u32 = row[2].parse().unwrap();
                let got = if row[0] == "size" { *size } else { *align };
                assert_eq!(got, want, "{} of {name}", row[0]);
                checked.insert(name.to_string());
            }
            "offset" => offsets
                .entry(row[1].clone())
                .or_default()
                .push((row[2].clone(), row[3].parse().unwrap())),
            _ => {}
        }
    }
    for (name, fields) in &offsets {
        let (_, _, generated_fields) = &gen_types[name.as_str()];
        let generated: Vec<(String, u32)> = generated_fields
            .iter()
            .map(|(f, o)| (f.to_string(), *o))
            .collect();
        assert_eq!(&generated, fields, "field offsets of {name}");
    }
    assert!(checked.len() >= 30, "only {} types checked", checked.len());
    assert_eq!(offsets.len(), 11, "every record with offsets is checked");
}

#[test]
fn enum_values_match_api_h() {
    let mut n = 0;
    for row in table().into_iter().filter(|r| r[0] == "const") {
        let (ty, name, value): (&str, &str, u64) = (&row[1], &row[2], row[3].parse().unwrap());
        let got = match ty {
            "errno" => Errno::from_raw(value).map(Errno::name),
            "clockid" => Clockid::from_raw(value).map(Clockid::name),
            "whence" => Whence::from_raw(value).map(Whence::name),
            "filetype" => Filetype::from_raw(value).map(Filetype::name),
            "advice" => Advice::from_raw(value).map(Advice::name),
            "eventtype" => Eventtype::from_raw(value).map(Eventtype::name),
            "preopentype" => Preopentype::from_raw(value).map(Preopentype::name),
            "dircookie" => {
                assert_eq!(value, 0, "the first directory cookie");
                continue;
            }
            other => panic!("unexpected constant type {other}"),
        };
        assert_eq!(got.unwrap().to_uppercase(), name, "{ty} {value}");
        n += 1;
    }
    assert_eq!(Errno::ALL.len(), 77);
    assert_eq!(n, 102);
}

#[test]
fn flag_bits_match_api_h() {
    let mut n = 0;
    for row in table().into_iter().filter(|r| r[0] == "flag") {
        let (ty, name, value): (&str, &str, u64) = (&row[1], &row[2], row[3].parse().unwrap());
        let debug = match ty {
            "rights" => format!("{:?}", Rights::from_raw(value).unwrap()),
            "fdflags" => format!("{:?}", Fdflags::from_raw(value).unwrap()),
            "fstflags" => format!("{:?}", Fstflags::from_raw(value).unwrap()),
            "oflags" => format!("{:?}", Oflags::from_raw(value).unwrap()),
            "lookupflags" => format!("{:?}", Lookupflags::from_raw(value).unwrap()),
            "riflags" => format!("{:?}", Riflags::from_raw(value).unwrap()),
            "roflags" => format!("{:?}", Roflags::from_raw(value).unwrap()),
            "sdflags" => format!("{:?}", Sdflags::from_raw(value).unwrap()),
            "subclockflags" => format!("{:?}", Subclockflags::from_raw(value).unwrap()),
            "eventrwflags" => format!("{:?}", Eventrwflags::from_raw(value).unwrap()),
            other => panic!("unexpected flags type {other}"),
        };
        assert!(
            debug.ends_with(&format!("({name})")),
            "{ty} {name}={value}: {debug}"
        );
        n += 1;
    }
    assert_eq!(n, 51);
    assert_eq!(Rights::all().bits().count_ones(), 30);
    assert!(
        Rights::from_raw(1 << 30).is_err(),
        "unknown rights bits are rejected"
    );
}

/// Encoding a record writes every byte: the fields, and zeros in the padding between and after
/// them (api.h's layouts), whatever the buffer held before; decoding gives the value back.
#[test]
fn records_encode_zeroed_padding_and_round_trip() {
    fn check<T: GuestType + PartialEq + std::fmt::Debug>(value: T, padding: &[(usize, usize)]) {
        let mut out = vec![0xa5u8; T::SIZE as usize];
        value.encode(&mut out);
        for &(from, to) in padding {
            assert!(out[from..to].iter().all(|&b| b == 0), "{value:?}: {out:?}");
        }
        assert_eq!(T::decode(&out).unwrap(), value);
    }
    let filestat = Filestat {
        dev: u64::MAX,
        ino: 2,
        filetype: Filetype::SymbolicLink,
        nlink: 3,
        size: 4,
        atim: 5,
        mtim: 6,
        ctim: u64::MAX - 1,
    };
    check(filestat, &[(17, 24)]);
    let fdstat = Fdstat {
        fs_filetype: Filetype::Directory,
        fs_flags: Fdflags::APPEND | Fdflags::SYNC,
        fs_rights_base: Rights::all(),
        fs_rights_inheriting: Rights::FD_READ,
    };
    check(fdstat, &[(1, 2), (4, 8)]);
    let dirent = Dirent {
        d_next: 7,
        d_ino: 8,
        d_namlen: 9,
        d_type: Filetype::RegularFile,
    };
    check(dirent, &[(21, 24)]);
}
