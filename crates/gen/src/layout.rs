//! ABI layout of witx types, computed the way a C compiler lays out the equivalent structs.
//!
//! The `witx` crate's own layout agrees for every type in WASI, but for a variant whose largest
//! payload is less aligned than its most aligned payload it reports a size too small to hold the
//! payload at its offset. The generated code must never slice past a value's size, so sizes and
//! offsets come from here instead.

use witx::{BuiltinType, IntRepr, RecordDatatype, Type, TypeRef, Variant};

/// Size and alignment in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeAlign {
    /// Size, a multiple of `align`.
    pub size: usize,
    /// Alignment, a power of two.
    pub align: usize,
}

fn align_to(n: usize, align: usize) -> usize {
    n.div_ceil(align) * align
}

/// The layout of a type.
pub fn of(tref: &TypeRef) -> SizeAlign {
    of_type(tref.type_())
}

fn of_type(ty: &Type) -> SizeAlign {
    match ty {
        Type::Builtin(b) => builtin(*b),
        Type::Handle(_) | Type::Pointer(_) | Type::ConstPointer(_) => {
            SizeAlign { size: 4, align: 4 }
        }
        Type::List(_) => SizeAlign { size: 8, align: 4 },
        Type::Record(r) => match r.bitflags_repr() {
            Some(repr) => int(repr),
            None => record(r).0,
        },
        Type::Variant(v) => variant(v).0,
    }
}

fn builtin(b: BuiltinType) -> SizeAlign {
    let n = match b {
        BuiltinType::U8 { .. } | BuiltinType::S8 => 1,
        BuiltinType::U16 | BuiltinType::S16 => 2,
        BuiltinType::Char | BuiltinType::U32 { .. } | BuiltinType::S32 | BuiltinType::F32 => 4,
        BuiltinType::U64 | BuiltinType::S64 | BuiltinType::F64 => 8,
    };
    SizeAlign { size: n, align: n }
}

/// The layout of an integer representation.
pub fn int(repr: IntRepr) -> SizeAlign {
    let n = match repr {
        IntRepr::U8 => 1,
        IntRepr::U16 => 2,
        IntRepr::U32 => 4,
        IntRepr::U64 => 8,
    };
    SizeAlign { size: n, align: n }
}

/// A record's layout and each member's offset, in order.
pub fn record(r: &RecordDatatype) -> (SizeAlign, Vec<usize>) {
    let mut offset = 0;
    let mut align = 1;
    let mut offsets = Vec::with_capacity(r.members.len());
    for m in &r.members {
        let f = of(&m.tref);
        offset = align_to(offset, f.align);
        offsets.push(offset);
        offset += f.size;
        align = align.max(f.align);
    }
    (
        SizeAlign {
            size: align_to(offset, align),
            align,
        },
        offsets,
    )
}

/// A variant's layout and the offset of its payload (shared by every case).
pub fn variant(v: &Variant) -> (SizeAlign, usize) {
    let tag = int(v.tag_repr);
    let mut payload = SizeAlign { size: 0, align: 1 };
    for case in &v.cases {
        if let Some(t) = &case.tref {
            let p = of(t);
            payload.size = payload.size.max(p.size);
            payload.align = payload.align.max(p.align);
        }
    }
    let offset = align_to(tag.size, payload.align);
    let align = tag.align.max(payload.align);
    (
        SizeAlign {
            size: align_to(offset + payload.size, align),
            align,
        },
        offset,
    )
}

#[cfg(test)]
mod tests {
    use witx::Layout;

    /// For every type of WASI (both snapshots), this layout is the witx crate's.
    #[test]
    fn agrees_with_witx_on_wasi() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../witx");
        for file in [
            "preview1/wasi_snapshot_preview1.witx",
            "preview0/wasi_unstable.witx",
        ] {
            let doc = witx::load(&[format!("{root}/{file}")]).unwrap();
            for nt in doc.typenames() {
                let tref = witx::TypeRef::Name(nt.clone());
                let ours = super::of(&tref);
                let theirs = nt.mem_size_align();
                assert_eq!(
                    (ours.size, ours.align),
                    (theirs.size, theirs.align),
                    "{}",
                    nt.name.as_str()
                );
                if let witx::Type::Record(r) = &**nt.type_()
                    && r.bitflags_repr().is_none()
                {
                    let offsets: Vec<usize> = r.member_layout().iter().map(|m| m.offset).collect();
                    assert_eq!(super::record(r).1, offsets, "{}", nt.name.as_str());
                }
                if let witx::Type::Variant(v) = &**nt.type_() {
                    assert_eq!(
                        super::variant(v).1,
                        v.payload_offset(),
                        "{}",
                        nt.name.as_str()
                    );
                }
            }
        }
    }
}
