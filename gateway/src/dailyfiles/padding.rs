//! (Tests only: the reference of [`super::classic`].) Works around a `netcdf3` 0.6.1 writer bug: it pads `NC_BYTE`/`NC_SHORT` attribute values
//! in the header with fill bytes (0x81…) where the classic format requires null bytes
//! (its own reader then refuses the file: `ZeroPadding`; netCDF-C tolerates it). This walks
//! the classic header and zeroes every attribute's padding.

/// Zeroes the padding after every attribute value of a NetCDF classic (CDF-1) header.
/// Returns `None` (leaving the bytes partly fixed) when the header is not well formed.
pub fn zero_attribute_padding(bytes: &mut [u8]) -> Option<()> {
    let mut c = Cursor { b: bytes, pos: 0 };
    if c.b.get(..4)? != b"CDF\x01" {
        return None;
    }
    c.pos = 8; // magic, numrecs
               // dimensions
    let (tag, n) = (c.u32()?, c.u32()?);
    if tag != 0 && tag != 0x0A {
        return None;
    }
    for _ in 0..n {
        c.name()?;
        c.u32()?;
    }
    c.attributes()?;
    // variables
    let (tag, n) = (c.u32()?, c.u32()?);
    if tag != 0 && tag != 0x0B {
        return None;
    }
    for _ in 0..n {
        c.name()?;
        let ndims = usize::try_from(c.u32()?).ok()?;
        c.pos = c.pos.checked_add(ndims.checked_mul(4)?)?;
        c.attributes()?;
        c.u32()?; // type
        c.u32()?; // vsize
        c.u32()?; // begin (CDF-1: 32 bits)
    }
    Some(())
}

fn padded(n: usize) -> Option<usize> {
    n.checked_add(3).map(|x| x / 4 * 4)
}

struct Cursor<'a> {
    b: &'a mut [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn u32(&mut self) -> Option<u32> {
        let end = self.pos.checked_add(4)?;
        let s = self.b.get(self.pos..end)?;
        self.pos = end;
        Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }

    fn name(&mut self) -> Option<()> {
        let len = usize::try_from(self.u32()?).ok()?;
        self.pos = self.pos.checked_add(padded(len)?)?;
        (self.pos <= self.b.len()).then_some(())
    }

    fn attributes(&mut self) -> Option<()> {
        let (tag, n) = (self.u32()?, self.u32()?);
        if tag != 0 && tag != 0x0C {
            return None;
        }
        for _ in 0..n {
            self.name()?;
            let size = match self.u32()? {
                1 | 2 => 1,
                3 => 2,
                4 | 5 => 4,
                6 => 8,
                _ => return None,
            };
            let len = usize::try_from(self.u32()?).ok()?.checked_mul(size)?;
            let start = self.pos.checked_add(len)?;
            let end = self.pos.checked_add(padded(len)?)?;
            self.b.get_mut(start..end)?.fill(0);
            self.pos = end;
        }
        Some(())
    }
}
