//! Framing of Nortek classic structures (instruments.md §3.1): sync byte, id, size field,
//! checksum, and bounds-checked little-endian field access.
//!
//! Every structure starts with [`SYNC`] then an id byte. All but the Vector velocity
//! structure ([`id::VECTOR_VELOCITY`], always [`VECTOR_VELOCITY_BYTES`] long) carry their
//! length in 16-bit words at offsets 2–3. The last two bytes are the checksum:
//! [`CHECKSUM_SEED`] plus the sum of every little-endian word before it, modulo 65536.

use super::error::NortekError;

/// The sync byte that starts every structure.
pub const SYNC: u8 = 0xA5;

/// Start value of the checksum sum (Nortek System Integrator Guide).
pub const CHECKSUM_SEED: u16 = 0xB58C;

/// Length of the Vector velocity structure (id 0x10), which has no size field.
pub const VECTOR_VELOCITY_BYTES: usize = 24;

/// Smallest structure a size field may describe: sync, id, size and checksum.
pub const MIN_STRUCTURE_BYTES: usize = 6;

/// Largest structure the stream decoder buffers, in bytes (size field ≤ 1024 words).
///
/// Large enough for every supported structure at its bounds: an HR profile of
/// [`MAX_BEAMS`](super::profile::MAX_BEAMS) × [`MAX_CELLS`](super::profile::MAX_CELLS)
/// needs 54 + 4·3·128 + 2 = 1592 bytes, the user configuration 512, the Vector probe check
/// (skipped as unknown) 910. Bigger size fields are rejected with
/// [`NortekError::SizeTooLarge`] and the decoder resynchronises.
pub const MAX_STRUCTURE_BYTES: usize = 2048;

/// Structure ids this module decodes.
pub mod id {
    /// User configuration (512 B).
    pub const USER_CONFIGURATION: u8 = 0x00;
    /// Aquadopp velocity data (42 B).
    pub const AQUADOPP_VELOCITY: u8 = 0x01;
    /// Head configuration (224 B).
    pub const HEAD_CONFIGURATION: u8 = 0x04;
    /// Hardware configuration (48 B).
    pub const HARDWARE_CONFIGURATION: u8 = 0x05;
    /// Aquadopp diagnostics data header (36 B).
    pub const DIAGNOSTICS_HEADER: u8 = 0x06;
    /// Vector velocity data (24 B, no size field).
    pub const VECTOR_VELOCITY: u8 = 0x10;
    /// Vector system data (28 B).
    pub const VECTOR_SYSTEM: u8 = 0x11;
    /// Vector velocity data header (42 B).
    pub const VECTOR_VELOCITY_HEADER: u8 = 0x12;
    /// AWAC velocity profile (size depends on beams × cells).
    pub const AWAC_PROFILE: u8 = 0x20;
    /// Aquadopp Profiler velocity profile (size depends on beams × cells).
    pub const AQUADOPP_PROFILE: u8 = 0x21;
    /// Aquadopp HR Profiler velocity profile (size depends on beams × cells).
    pub const HR_PROFILE: u8 = 0x2A;
    /// Aquadopp diagnostics data (42 B, same layout as 0x01).
    pub const DIAGNOSTICS: u8 = 0x80;
}

/// The checksum of `bytes`: [`CHECKSUM_SEED`] plus every little-endian 16-bit word of
/// `bytes`, wrapping. A trailing odd byte counts as a word with a zero high byte.
///
/// Pass a structure without its two checksum bytes.
pub fn checksum(bytes: &[u8]) -> u16 {
    bytes.chunks(2).fold(CHECKSUM_SEED, |sum, pair| {
        let lo = pair.first().copied().unwrap_or(0);
        let hi = pair.get(1).copied().unwrap_or(0);
        sum.wrapping_add(u16::from_le_bytes([lo, hi]))
    })
}

/// Checks the trailing checksum of a complete structure (sync byte first).
///
/// Promises: `Ok(())` only if the structure has at least 4 bytes and its last two bytes
/// equal [`checksum`] of the rest; a shorter slice is [`NortekError::Truncated`].
pub fn verify_checksum(structure: &[u8]) -> Result<(), NortekError> {
    let id = structure.get(1).copied().unwrap_or(0);
    let split =
        structure
            .len()
            .checked_sub(2)
            .filter(|&n| n >= 2)
            .ok_or(NortekError::Truncated {
                id: structure.get(1).copied(),
                expected: None,
                got: structure.len(),
            })?;
    let (body, tail) = structure.split_at(split);
    let stored = u16::from_le_bytes([
        tail.first().copied().unwrap_or(0),
        tail.get(1).copied().unwrap_or(0),
    ]);
    let computed = checksum(body);
    if stored == computed {
        Ok(())
    } else {
        Err(NortekError::BadChecksum {
            id,
            stored,
            computed,
        })
    }
}

/// What the first bytes of a candidate structure say about its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// More bytes are needed to know the length: at least this many in total.
    NeedAtLeast(usize),
    /// The structure is this many bytes long (checksum included).
    Known(usize),
}

/// Reads the length of the structure starting at `head[0]` (which should be [`SYNC`]).
///
/// Promises: a [`Length::Known`] value lies within
/// [`MIN_STRUCTURE_BYTES`]..=[`MAX_STRUCTURE_BYTES`]; a size field outside that range is
/// reported as [`NortekError::SizeTooSmall`] or [`NortekError::SizeTooLarge`].
pub fn structure_length(head: &[u8]) -> Result<Length, NortekError> {
    let Some(&id) = head.get(1) else {
        return Ok(Length::NeedAtLeast(2));
    };
    if id == id::VECTOR_VELOCITY {
        return Ok(Length::Known(VECTOR_VELOCITY_BYTES));
    }
    let (Some(&lo), Some(&hi)) = (head.get(2), head.get(3)) else {
        return Ok(Length::NeedAtLeast(4));
    };
    let size_bytes = usize::from(u16::from_le_bytes([lo, hi])) * 2;
    if size_bytes < MIN_STRUCTURE_BYTES {
        Err(NortekError::SizeTooSmall { id, size_bytes })
    } else if size_bytes > MAX_STRUCTURE_BYTES {
        Err(NortekError::SizeTooLarge {
            id,
            size_bytes,
            max: MAX_STRUCTURE_BYTES,
        })
    } else {
        Ok(Length::Known(size_bytes))
    }
}

/// Bounds-checked little-endian reader over one complete structure.
///
/// Every accessor returns [`NortekError::FieldOutOfBounds`] instead of panicking when the
/// field does not lie inside the structure.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    bytes: &'a [u8],
    id: u8,
}

impl<'a> Fields<'a> {
    /// Wraps a structure (sync byte at offset 0, id at offset 1).
    pub fn new(bytes: &'a [u8]) -> Self {
        Fields {
            bytes,
            id: bytes.get(1).copied().unwrap_or(0),
        }
    }

    /// The structure id (offset 1).
    pub fn id(&self) -> u8 {
        self.id
    }

    /// Length of the structure in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the structure is empty.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// `n` bytes starting at `offset`.
    pub fn slice(&self, offset: usize, n: usize) -> Result<&'a [u8], NortekError> {
        offset
            .checked_add(n)
            .and_then(|end| self.bytes.get(offset..end))
            .ok_or(NortekError::FieldOutOfBounds {
                id: self.id,
                offset,
                len: self.bytes.len(),
            })
    }

    /// `N` bytes starting at `offset`, as an array.
    pub fn array<const N: usize>(&self, offset: usize) -> Result<[u8; N], NortekError> {
        let s = self.slice(offset, N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    /// The byte at `offset`.
    pub fn u8(&self, offset: usize) -> Result<u8, NortekError> {
        Ok(self.array::<1>(offset)?[0])
    }

    /// The little-endian `u16` at `offset`.
    pub fn u16(&self, offset: usize) -> Result<u16, NortekError> {
        self.array::<2>(offset).map(u16::from_le_bytes)
    }

    /// The little-endian `i16` at `offset`.
    pub fn i16(&self, offset: usize) -> Result<i16, NortekError> {
        self.array::<2>(offset).map(i16::from_le_bytes)
    }

    /// The little-endian `u32` at `offset`.
    pub fn u32(&self, offset: usize) -> Result<u32, NortekError> {
        self.array::<4>(offset).map(u32::from_le_bytes)
    }

    /// Fails with [`NortekError::WrongSize`] unless the structure is `expected` bytes long.
    pub fn expect_len(&self, expected: usize) -> Result<(), NortekError> {
        if self.bytes.len() == expected {
            Ok(())
        } else {
            Err(NortekError::WrongSize {
                id: self.id,
                expected,
                found: self.bytes.len(),
            })
        }
    }
}

/// A fixed-capacity text field: bytes up to the first NUL, trailing spaces removed,
/// anything but printable ASCII replaced by `?`.
pub fn ascii_field<const N: usize>(bytes: &[u8]) -> heapless::String<N> {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let text = bytes.get(..end).unwrap_or(&[]);
    let trimmed_len = text
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(0, |last| last + 1);
    let mut out = heapless::String::new();
    for &b in text.iter().take(trimmed_len) {
        let c = if (0x20..0x7F).contains(&b) {
            char::from(b)
        } else {
            '?'
        };
        // Cannot fail for N >= bytes.len(); a longer field is silently cut at capacity.
        if out.push(c).is_err() {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> heapless::Vec<u8, 600> {
        let s: heapless::String<1200> = s.chars().filter(|c| !c.is_whitespace()).collect();
        let mut v = heapless::Vec::new();
        let b = s.as_bytes();
        let mut i = 0;
        while i + 1 < b.len() {
            let t = core::str::from_utf8(&b[i..i + 2]).unwrap();
            v.push(u8::from_str_radix(t, 16).unwrap()).unwrap();
            i += 2;
        }
        v
    }

    #[test]
    fn reference_packets_have_valid_checksums() {
        // instruments.md §3.3: every packet listed there has a valid checksum.
        for p in [
            "a5011500101926221211000000009300f83b810628017f01002d0000e3094c0122ff9afe1e1416006093",
            "A5011500151613001408000000007500 8C3BAC07F4FFEEFF0011F5003E081B00E5FFE9FF8E8771002CBB",
            "A5061200140001000000000020161300140800000000000000000000000000000000 9FDA",
            "A5801500201713001408000000007500 8C3BA307F3FFF1FF0011EF003B0867FFC8FAD9163533350 0B1F7",
            "a505180041514431313430322020202020200400ffff00000400900004000000ffff0000ffffffff0000332e33358d68",
            "a5011500450501221310000000007b00b73bd207fe00e0fe00a0c800e0084f02e403ea03131211006af8",
            "a506120014000100000000000516021114080000000000000000000000000000000073eb",
            "a5801500453001221310000000007b00b73bdd030001dffe00a0cb00e1086901b501e000101010005796",
            "a51000c200000000 0000b3fdb422a1ff3637350b0d07b1f1",
            "a5110e002902030102019300983ab60be7ff31ff33090060 0000997a",
        ] {
            let b = hex(p);
            assert_eq!(verify_checksum(&b), Ok(()), "{p}");
        }
    }

    #[test]
    fn checksum_values_from_reference() {
        // §3.3: checksum 0x9360 for the OOI driver test packet, 0xF1B1 for the Vector one.
        let b = hex(
            "a5011500101926221211000000009300f83b810628017f01002d0000e3094c0122ff9afe1e1416006093",
        );
        assert_eq!(checksum(&b[..b.len() - 2]), 0x9360);
        let v = hex("a51000c2000000000000b3fdb422a1ff3637350b0d07b1f1");
        assert_eq!(checksum(&v[..v.len() - 2]), 0xF1B1);
        let mut bad = v.clone();
        *bad.last_mut().unwrap() = 0xF2;
        assert!(matches!(
            verify_checksum(&bad),
            Err(NortekError::BadChecksum {
                id: 0x10,
                stored: 0xF2B1,
                computed: 0xF1B1
            })
        ));
    }

    #[test]
    fn length_rules() {
        assert_eq!(structure_length(&[SYNC]), Ok(Length::NeedAtLeast(2)));
        assert_eq!(structure_length(&[SYNC, 0x10]), Ok(Length::Known(24)));
        assert_eq!(
            structure_length(&[SYNC, 0x01, 0x15]),
            Ok(Length::NeedAtLeast(4))
        );
        assert_eq!(
            structure_length(&[SYNC, 0x01, 0x15, 0]),
            Ok(Length::Known(42))
        );
        assert!(matches!(
            structure_length(&[SYNC, 0x01, 0x02, 0]),
            Err(NortekError::SizeTooSmall { .. })
        ));
        assert!(matches!(
            structure_length(&[SYNC, 0x01, 0x01, 0x04]),
            Err(NortekError::SizeTooLarge {
                size_bytes: 2050,
                ..
            })
        ));
    }

    #[test]
    fn ascii_fields() {
        assert_eq!(ascii_field::<14>(b"AQD11402      ").as_str(), "AQD11402");
        assert_eq!(ascii_field::<6>(b"11402\0").as_str(), "11402");
        assert_eq!(ascii_field::<4>(b"\x01ab ").as_str(), "?ab");
    }

    #[test]
    fn fields_are_bounds_checked() {
        let f = Fields::new(&[SYNC, 1, 2]);
        assert_eq!(f.u8(2), Ok(2));
        assert!(f.u16(2).is_err());
        assert!(f.slice(usize::MAX, 2).is_err());
    }
}
