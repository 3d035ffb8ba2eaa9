//! An example host with its own small witx interface, `kitchen_sink` (not WASI), which uses
//! every kind of witx type. The binding generator's tests drive it through the generated shims
//! and through both engines, wasmtime and wasmi.

use wasihost_guest::{GuestError, GuestMemory, GuestPtr, GuestStr, IntoAbiError, Trap};

wasihost_macro::from_witx!({
    witx: ["witx/kitchen_sink.witx"],
    errors: { errcode => crate::Error },
    wasmtime: true,
    wasmi: true,
});

use kitchen_sink::KitchenSink;
use types::{Color, Count, Counter, Errcode, Perms, Point, PointList, Sample, Shape, Wide};

/// The host's error: a guest-memory problem or an interface error code.
#[derive(Debug)]
pub enum Error {
    /// Bad guest memory access or value.
    Guest(GuestError),
    /// An error code to return to the guest.
    Code(Errcode),
}

impl From<GuestError> for Error {
    fn from(e: GuestError) -> Self {
        Error::Guest(e)
    }
}

impl IntoAbiError<Errcode> for Error {
    fn into_abi_error(self) -> Result<Errcode, Trap> {
        match self {
            Error::Guest(e) if e.is_pointer_error() => Err(Trap::Guest(e)),
            Error::Guest(_) => Ok(Errcode::BadInput),
            Error::Code(c) => Ok(c),
        }
    }
}

/// The example host's state.
#[derive(Debug, Default)]
pub struct Host {
    counters: Vec<u64>,
    /// Messages the guest logged.
    pub log: Vec<String>,
}

impl KitchenSink for Host {
    fn counter_new(&mut self, _mem: &mut GuestMemory<'_>, start: u64) -> Result<Counter, Error> {
        self.counters.push(start);
        Ok(Counter::new(self.counters.len() as u32 - 1))
    }

    fn counter_add(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        c: Counter,
        by: i32,
    ) -> Result<Count, Error> {
        let v = self
            .counters
            .get_mut(c.raw() as usize)
            .ok_or(Error::Code(Errcode::NotFound))?;
        *v = v.wrapping_add_signed(i64::from(by));
        Ok(*v)
    }

    fn sum_points(&mut self, mem: &mut GuestMemory<'_>, points: PointList) -> Result<Point, Error> {
        points.validate(mem)?;
        let mut sum = Point { x: 0, y: 0 };
        for p in points.iter() {
            let p = p?.read(mem)?;
            sum.x = sum.x.wrapping_add(p.x);
            sum.y = sum.y.wrapping_add(p.y);
        }
        Ok(sum)
    }

    fn greet(
        &mut self,
        mem: &mut GuestMemory<'_>,
        name: GuestStr,
        buf: GuestPtr<u8>,
        buf_len: u32,
    ) -> Result<u32, Error> {
        let text = format!("hello, {}!", name.as_str(mem)?);
        if text.len() > buf_len as usize {
            return Err(Error::Code(Errcode::TooBig));
        }
        mem.copy_from_slice(buf.offset(), text.as_bytes())?;
        Ok(text.len() as u32)
    }

    fn classify(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        c: Color,
        p: Perms,
        w: Wide,
    ) -> Result<(Color, Perms), Error> {
        if w.contains(Wide::F35) {
            return Err(Error::Code(Errcode::BadInput));
        }
        let next = Color::from_raw((u64::from(c.to_raw()) + 1) % 3)?;
        Ok((next, p - Perms::ADMIN))
    }

    fn point_count(&mut self, _mem: &mut GuestMemory<'_>, s: Shape) -> Result<Count, Error> {
        Ok(match s {
            Shape::Empty | Shape::Weight(_) => 0,
            Shape::Dot(_) => 1,
            Shape::Line(_) => 2,
            Shape::Many(list) => u64::from(list.len()),
        })
    }

    fn total_points(
        &mut self,
        mem: &mut GuestMemory<'_>,
        shapes: types::ShapeList,
    ) -> Result<Count, Error> {
        shapes.validate(mem)?;
        let mut total = 0;
        for s in shapes.iter() {
            let s = s?.read(mem)?;
            total += self.point_count(mem, s)?;
        }
        Ok(total)
    }

    fn make_sample(
        &mut self,
        mem: &mut GuestMemory<'_>,
        out: GuestPtr<Sample>,
        seed: u32,
    ) -> Result<(), Error> {
        out.write(mem, sample_from_seed(seed))?;
        Ok(())
    }

    fn mix(
        &mut self,
        _mem: &mut GuestMemory<'_>,
        a: u8,
        b: i16,
        c: char,
        d: f32,
        e: f64,
        f: i64,
    ) -> Result<f64, Error> {
        Ok(f64::from(a) + f64::from(b) + f64::from(u32::from(c)) + f64::from(d) + e + f as f64)
    }

    fn log(&mut self, mem: &mut GuestMemory<'_>, msg: GuestStr) -> Result<(), Error> {
        let text = msg.as_str(mem)?.into_owned();
        self.log.push(text);
        Ok(())
    }

    fn halt(&mut self, _mem: &mut GuestMemory<'_>, code: u32) -> Trap {
        Trap::Exit(code)
    }
}

/// The sample `make_sample` writes for `seed`: every field derived from the seed.
pub fn sample_from_seed(seed: u32) -> Sample {
    Sample {
        small: seed as u8,
        signed: -(seed as i8 & 0x3f),
        short: -(seed as i16 & 0x3fff),
        count: seed,
        big: u64::from(seed) << 32 | 0xabc,
        delta: -i64::from(seed),
        ratio: seed as f32 / 2.0,
        precise: f64::from(seed) / 4.0,
        letter: char::from_u32(0x41 + seed % 26).unwrap_or('?'),
        flag: seed % 2 == 1,
        color: Color::ALL[(seed % 3) as usize],
        perms: Perms::from_bits_truncate(seed),
        wide: Wide::from_bits_truncate(u64::from(seed) << 4),
        owner: Counter::new(seed.wrapping_mul(3)),
        name: GuestStr::new(seed, 5),
        points: PointList::new(seed & !3, 2),
        shape: Shape::Dot(Point {
            x: seed as i32,
            y: -(seed as i32),
        }),
        link: GuestPtr::new(seed & !3),
        pair: types::U16Pair(seed as u16, (seed >> 16) as u16),
    }
}
