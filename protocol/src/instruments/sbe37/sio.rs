//! OOI SIO controller blocks carrying a line of SBE 37-IM MicroCATs (instruments.md §2.6,
//! mi-instrument `ctdmo_ghqr_sio.py`, `sio_mule_common.py`).
//!
//! A block is `0x01`, a 31-byte ASCII header (`CT1237100_009Cb51F0C096_13_3E6B`: type,
//! controller ID and instrument count, `_`, 4-hex payload length, flag, 8-hex POSIX time, `_`,
//! 2-hex block number, `_`, 4-hex CRC), `0x02`, the payload, then `0x03`. The CRC is
//! CRC-16/X-25 (IBM-SDLC) of the payload. `CT` payloads hold 13-byte records (ID, 7 packed
//! bytes `tttttcccccpppp`, little-endian time, `0x0D`); `CO` payloads hold 6-byte clock
//! offsets (ID, big-endian `i32` seconds, `0x13` or `0x0D`).
//!
//! [`SioBlocks`] resynchronises on the next valid header after any junk, reporting each run
//! of skipped bytes once; [`CtdmoRecords`] flattens blocks into records.

use super::compat::CompatSample;
use super::fields::{hex_u32, parse_u32};

const HEADER_LEN: usize = 33; // 0x01 + 31 ASCII + 0x02
const CT_RECORD_LEN: usize = 13;
const CO_RECORD_LEN: usize = 6;
const X25: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_IBM_SDLC);

/// The instrument type of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// `CT`: MicroCAT science records.
    Ct,
    /// `CO`: MicroCAT clock offsets.
    Co,
    /// Any other two-letter type (`AD`, `FL`, `DO`, …) this module does not decode.
    Other([u8; 2]),
}

/// One CRC-checked SIO block; the payload borrows the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SioBlock<'a> {
    /// Byte offset of the `0x01` in the input.
    pub offset: usize,
    /// Instrument type.
    pub kind: BlockKind,
    /// Controller ID (5 digits).
    pub controller_id: u32,
    /// Instrument number / count (2 digits).
    pub instrument: u8,
    /// MFLM processing flag character.
    pub flag: u8,
    /// Controller POSIX time (s since 1970).
    pub controller_time: u32,
    /// Block number (rolls over after 255).
    pub block_number: u8,
    /// CRC carried by the header (equal to the payload's).
    pub crc: u16,
    /// Payload bytes (between `0x02` and `0x03`).
    pub payload: &'a [u8],
}

/// Why bytes were skipped or a record rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SioErrorKind {
    /// Bytes that do not start a block header.
    #[error("unexpected data")]
    UnexpectedData,
    /// The header says more payload than the input holds.
    #[error("block truncated")]
    Truncated,
    /// No `0x03` where the header's length says the block ends.
    #[error("block does not end in 0x03")]
    BadBlockEnd,
    /// Payload CRC differs from the header's.
    #[error("bad CRC: header {expected:#06x}, payload {computed:#06x}")]
    BadCrc {
        /// CRC in the header.
        expected: u16,
        /// CRC of the payload.
        computed: u16,
    },
    /// A block of a type other than CT/CO in a CTDMO stream.
    #[error("unexpected block type {0:?}")]
    UnexpectedBlockType([u8; 2]),
    /// A record lacks its terminator or is cut short by the payload's end.
    #[error("bad record {index} in block")]
    BadRecord {
        /// 0-based record index in the block.
        index: usize,
    },
}

/// A run of input bytes that did not yield a block or record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("SIO bytes {offset}..{}: {kind}", offset + len)]
pub struct SioError {
    /// Byte offset of the run in the input.
    pub offset: usize,
    /// Length of the run (for record errors: the record's length).
    pub len: usize,
    /// What was wrong.
    pub kind: SioErrorKind,
}

/// Header fields: (kind, controller id, instrument, data_len, flag, time, block, crc).
type Header = (BlockKind, u32, u8, usize, u8, u32, u8, u16);

/// Parses the 33 header bytes at the start of `b` (`None` if they are not a header).
fn parse_header(b: &[u8]) -> Option<Header> {
    let h = b.get(..HEADER_LEN)?;
    let txt = |r: core::ops::Range<usize>| h.get(r).and_then(|s| core::str::from_utf8(s).ok());
    let lit = |i: usize, v: u8| h.get(i) == Some(&v);
    if !(lit(0, 0x01)
        && lit(10, b'_')
        && lit(24, b'_')
        && lit(27, b'_')
        && lit(HEADER_LEN - 1, 0x02))
    {
        return None;
    }
    let kind = match h.get(1..3)? {
        b"CT" => BlockKind::Ct,
        b"CO" => BlockKind::Co,
        &[a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => BlockKind::Other([a, b]),
        _ => return None,
    };
    let controller_id = parse_u32(txt(3..8)?)?;
    let instrument = u8::try_from(parse_u32(txt(8..10)?)?).ok()?;
    let hex = |r: core::ops::Range<usize>| {
        h.get(r)
            .filter(|s| s.iter().all(u8::is_ascii_hexdigit))
            .and_then(hex_u32)
    };
    let data_len = usize::try_from(hex(11..15)?).ok()?;
    let flag = *h.get(15).filter(|c| c.is_ascii_alphanumeric())?;
    let time = hex(16..24)?;
    let block = u8::try_from(hex(25..27)?).ok()?;
    let crc = u16::try_from(hex(28..32)?).ok()?;
    Some((
        kind,
        controller_id,
        instrument,
        data_len,
        flag,
        time,
        block,
        crc,
    ))
}

/// Iterator over the SIO blocks of a byte stream (whole file or buffer).
#[derive(Debug, Clone)]
pub struct SioBlocks<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> SioBlocks<'a> {
    /// Blocks of `data`, from its start.
    pub fn new(data: &'a [u8]) -> Self {
        SioBlocks { data, pos: 0 }
    }

    /// The next offset after `from` where a header parses (or the input's end).
    fn next_header(&self, from: usize) -> usize {
        (from..self.data.len())
            .find(|&i| {
                self.data.get(i) == Some(&0x01)
                    && self.data.get(i..).and_then(parse_header).is_some()
            })
            .unwrap_or(self.data.len())
    }

    /// Checks the block whose header starts at `pos`.
    fn block_at(&self, pos: usize, h: Header) -> Result<(SioBlock<'a>, usize), SioErrorKind> {
        let (kind, controller_id, instrument, len, flag, controller_time, block_number, crc) = h;
        let start = pos + HEADER_LEN;
        let payload = self
            .data
            .get(start..start + len)
            .ok_or(SioErrorKind::Truncated)?;
        match self.data.get(start + len) {
            None => return Err(SioErrorKind::Truncated),
            Some(0x03) => {}
            Some(_) => return Err(SioErrorKind::BadBlockEnd),
        }
        let computed = X25.checksum(payload);
        if computed != crc {
            return Err(SioErrorKind::BadCrc {
                expected: crc,
                computed,
            });
        }
        let block = SioBlock {
            offset: pos,
            kind,
            controller_id,
            instrument,
            flag,
            controller_time,
            block_number,
            crc,
            payload,
        };
        Ok((block, start + len + 1))
    }
}

impl<'a> Iterator for SioBlocks<'a> {
    type Item = Result<SioBlock<'a>, SioError>;

    fn next(&mut self) -> Option<Self::Item> {
        let pos = self.pos;
        if pos >= self.data.len() {
            return None;
        }
        let kind = match self.data.get(pos..).and_then(parse_header) {
            Some(h) => match self.block_at(pos, h) {
                Ok((block, end)) => {
                    self.pos = end;
                    return Some(Ok(block));
                }
                Err(kind) => kind,
            },
            None => SioErrorKind::UnexpectedData,
        };
        let next = self.next_header(pos + 1);
        self.pos = next;
        Some(Err(SioError {
            offset: pos,
            len: next - pos,
            kind,
        }))
    }
}

/// One MicroCAT science record of a CT block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CtRecord {
    /// Controller POSIX time of the block.
    pub controller_time: u32,
    /// Inductive ID.
    pub id: u8,
    /// The counts (pressure always present).
    pub sample: CompatSample,
}

/// One clock-offset record of a CO block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoRecord {
    /// Controller POSIX time of the block.
    pub controller_time: u32,
    /// Inductive ID.
    pub id: u8,
    /// MicroCAT clock offset, s.
    pub offset_s: i32,
}

/// A record of a CTDMO SIO stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CtdmoRecord {
    /// Science record.
    Ct(CtRecord),
    /// Clock offset.
    Co(CoRecord),
}

fn ct_record(r: &[u8], controller_time: u32) -> Option<CtRecord> {
    match *r {
        [id, b0, b1, b2, b3, b4, b5, b6, t0, t1, t2, t3, 0x0D] => Some(CtRecord {
            controller_time,
            id,
            sample: CompatSample::from_packed([b0, b1, b2, b3, b4, b5, b6], [t0, t1, t2, t3]),
        }),
        _ => None,
    }
}

fn co_record(r: &[u8], controller_time: u32) -> Option<CoRecord> {
    match *r {
        [id, a, b, c, d, 0x13 | 0x0D] => Some(CoRecord {
            controller_time,
            id,
            offset_s: i32::from_be_bytes([a, b, c, d]),
        }),
        _ => None,
    }
}

/// Iterator over the CT and CO records of a CTDMO SIO stream: every record of every good
/// block, and one error per skipped byte run, bad block, foreign block or bad record.
#[derive(Debug, Clone)]
pub struct CtdmoRecords<'a> {
    blocks: SioBlocks<'a>,
    current: Option<(SioBlock<'a>, usize)>,
}

impl<'a> CtdmoRecords<'a> {
    /// Records of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        CtdmoRecords {
            blocks: SioBlocks::new(data),
            current: None,
        }
    }
}

impl Iterator for CtdmoRecords<'_> {
    type Item = Result<CtdmoRecord, SioError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((block, index)) = self.current.as_mut() {
                let size = if block.kind == BlockKind::Co {
                    CO_RECORD_LEN
                } else {
                    CT_RECORD_LEN
                };
                let start = *index * size;
                if start < block.payload.len() {
                    let i = *index;
                    *index += 1;
                    let end = (start + size).min(block.payload.len());
                    let bytes = block.payload.get(start..end).unwrap_or(&[]);
                    let t = block.controller_time;
                    let rec = match block.kind {
                        BlockKind::Co => co_record(bytes, t).map(CtdmoRecord::Co),
                        _ => ct_record(bytes, t).map(CtdmoRecord::Ct),
                    };
                    let offset = block.offset + HEADER_LEN + start;
                    return Some(rec.ok_or(SioError {
                        offset,
                        len: end - start,
                        kind: SioErrorKind::BadRecord { index: i },
                    }));
                }
                self.current = None;
            }
            match self.blocks.next()? {
                Err(e) => return Some(Err(e)),
                Ok(b) => match b.kind {
                    BlockKind::Other(t) => {
                        let len = HEADER_LEN + b.payload.len() + 1;
                        return Some(Err(SioError {
                            offset: b.offset,
                            len,
                            kind: SioErrorKind::UnexpectedBlockType(t),
                        }));
                    }
                    _ => self.current = Some((b, 0)),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn block(kind: &[u8; 2], payload: &[u8]) -> Vec<u8> {
        let crc = X25.checksum(payload);
        let mut v = std::format!(
            "\x01{}1237100_{:04X}b51F0C096_13_{:04X}\x02",
            core::str::from_utf8(kind).unwrap(),
            payload.len(),
            crc
        )
        .into_bytes();
        v.extend_from_slice(payload);
        v.push(0x03);
        v
    }

    #[test]
    fn header_golden_crc() {
        // §2.6 first block of node59p1_1: header CRC 3E6B over its 156-byte payload is checked
        // in the real-file test; here: a synthetic CO block and error paths.
        let co = block(
            b"CO",
            &[0x40, 0xFF, 0xFF, 0xFF, 0xFE, 0x13, 0x41, 0, 0, 0, 5, 0x0D],
        );
        let recs: Vec<_> = CtdmoRecords::new(&co).collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(
            recs[0],
            Ok(CtdmoRecord::Co(CoRecord {
                controller_time: 0x51F0C096,
                id: 0x40,
                offset_s: -2
            }))
        );
        assert_eq!(
            recs[1],
            Ok(CtdmoRecord::Co(CoRecord {
                controller_time: 0x51F0C096,
                id: 0x41,
                offset_s: 5
            }))
        );

        let mut bad = co.clone();
        bad[40] ^= 1; // payload byte -> CRC mismatch
        let mut stream = b"junk".to_vec();
        stream.extend_from_slice(&bad);
        stream.extend_from_slice(&co);
        stream.extend_from_slice(&block(b"AD", b"x"));
        let got: Vec<_> = CtdmoRecords::new(&stream).collect();
        assert_eq!(got.len(), 5);
        assert_eq!(got[0].unwrap_err().kind, SioErrorKind::UnexpectedData);
        assert!(matches!(
            got[1].unwrap_err().kind,
            SioErrorKind::BadCrc { .. }
        ));
        assert!(got[2].is_ok() && got[3].is_ok());
        assert_eq!(
            got[4].unwrap_err().kind,
            SioErrorKind::UnexpectedBlockType(*b"AD")
        );
    }
}
