//! Downlink messages, gateway → line controller: acknowledgement, selective-repeat
//! request, status request. Each fits one 32-byte frame or less, so none is fragmented.

use super::MessageError;
use crate::frame::SEQ_MODULUS;
use deku::ctx::Endian;
use deku::no_std_io::{Read, Seek, Write};
use deku::prelude::*;
use deku::writer::Writer;

/// Most ranges one repeat request carries (4-bit count).
pub const MAX_REPEAT_RANGES: usize = 15;

/// Cumulative acknowledgement: the gateway holds every frame of `target` up to and
/// including `through_seq` (in serial-number order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack {
    /// Node the acknowledgement is for.
    pub target: u8,
    /// Last sequence number of the gap-free run received.
    pub through_seq: u16,
}

/// A run of missing frames: `start`, `start + 1`, … `start + len - 1` (mod 4096).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepeatRange {
    /// First missing sequence number.
    pub start: u16,
    /// Number of frames, 1–255.
    pub len: u8,
}

/// Selective-repeat request: resend these frames from your ring buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatRequest {
    /// Node that should resend.
    pub target: u8,
    /// Missing runs, 1–15 of them.
    pub ranges: heapless::Vec<RepeatRange, MAX_REPEAT_RANGES>,
}

/// Request for an immediate line status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRequest {
    /// Node that should report.
    pub target: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, DekuRead, DekuWrite)]
#[deku(endian = "endian", ctx = "endian: Endian")]
pub(crate) struct AckWire {
    #[deku(bits = 4)]
    target: u8,
    #[deku(bits = 12)]
    through_seq: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, DekuRead, DekuWrite)]
#[deku(endian = "endian", ctx = "endian: Endian")]
pub(crate) struct RangeWire {
    #[deku(bits = 12)]
    start: u16,
    #[deku(assert = "*len >= 1")]
    len: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, DekuRead, DekuWrite)]
#[deku(endian = "endian", ctx = "endian: Endian")]
pub(crate) struct RepeatWire {
    #[deku(bits = 4)]
    target: u8,
    #[deku(bits = 4, assert = "*count >= 1")]
    count: u8,
    #[deku(
        reader = "read_ranges(deku::reader, *count, endian)",
        writer = "write_ranges(deku::writer, ranges, endian)"
    )]
    ranges: heapless::Vec<RangeWire, MAX_REPEAT_RANGES>,
}

#[derive(Debug, Clone, PartialEq, Eq, DekuRead, DekuWrite)]
#[deku(endian = "endian", ctx = "endian: Endian")]
pub(crate) struct StatusRequestWire {
    #[deku(bits = 4)]
    target: u8,
    #[deku(bits = 4, assert_eq = "0")]
    reserved: u8,
}

fn read_ranges<R: Read + Seek>(
    reader: &mut Reader<R>,
    count: u8,
    endian: Endian,
) -> Result<heapless::Vec<RangeWire, MAX_REPEAT_RANGES>, DekuError> {
    let mut out = heapless::Vec::new();
    for _ in 0..count {
        let r = RangeWire::from_reader_with_ctx(reader, endian)?;
        // count is 4 bits: at most 15 == MAX_REPEAT_RANGES
        out.push(r)
            .map_err(|_| DekuError::Assertion("too many ranges"))?;
    }
    Ok(out)
}

fn write_ranges<W: Write + Seek>(
    writer: &mut Writer<W>,
    ranges: &heapless::Vec<RangeWire, MAX_REPEAT_RANGES>,
    endian: Endian,
) -> Result<(), DekuError> {
    for r in ranges {
        r.to_writer(writer, endian)?;
    }
    Ok(())
}

fn check_target(target: u8) -> Result<(), MessageError> {
    if target > 15 {
        return Err(MessageError::FieldOutOfRange { field: "target" });
    }
    Ok(())
}

impl Ack {
    pub(crate) fn wire(&self) -> Result<AckWire, MessageError> {
        check_target(self.target)?;
        if self.through_seq >= SEQ_MODULUS {
            return Err(MessageError::FieldOutOfRange {
                field: "through_seq",
            });
        }
        Ok(AckWire {
            target: self.target,
            through_seq: self.through_seq,
        })
    }
    pub(crate) fn from_wire(w: AckWire) -> Result<Self, MessageError> {
        Ok(Ack {
            target: w.target,
            through_seq: w.through_seq,
        })
    }
}

impl RepeatRequest {
    pub(crate) fn wire(&self) -> Result<RepeatWire, MessageError> {
        check_target(self.target)?;
        if self.ranges.is_empty() {
            return Err(MessageError::FieldOutOfRange { field: "ranges" });
        }
        let mut ranges = heapless::Vec::new();
        for r in &self.ranges {
            if r.start >= SEQ_MODULUS || r.len == 0 {
                return Err(MessageError::FieldOutOfRange { field: "range" });
            }
            // same capacity on both sides
            ranges
                .push(RangeWire {
                    start: r.start,
                    len: r.len,
                })
                .map_err(|_| MessageError::FieldOutOfRange { field: "ranges" })?;
        }
        Ok(RepeatWire {
            target: self.target,
            count: ranges.len() as u8,
            ranges,
        })
    }
    pub(crate) fn from_wire(w: RepeatWire) -> Result<Self, MessageError> {
        let mut ranges = heapless::Vec::new();
        for r in &w.ranges {
            // same capacity on both sides
            ranges
                .push(RepeatRange {
                    start: r.start,
                    len: r.len,
                })
                .map_err(|_| MessageError::FieldOutOfRange { field: "ranges" })?;
        }
        Ok(RepeatRequest {
            target: w.target,
            ranges,
        })
    }

    /// Every sequence number the request names, in order.
    pub fn seqs(&self) -> impl Iterator<Item = u16> + '_ {
        self.ranges
            .iter()
            .flat_map(|r| (0..u16::from(r.len)).map(move |i| (r.start + i) % SEQ_MODULUS))
    }
}

impl StatusRequest {
    pub(crate) fn wire(&self) -> Result<StatusRequestWire, MessageError> {
        check_target(self.target)?;
        Ok(StatusRequestWire {
            target: self.target,
            reserved: 0,
        })
    }
    pub(crate) fn from_wire(w: StatusRequestWire) -> Result<Self, MessageError> {
        Ok(StatusRequest { target: w.target })
    }
}
