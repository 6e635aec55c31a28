//! MicroCAT sample batch: every instrument's sample from one poll of the line.
//!
//! Wire: `time: u32` (Unix seconds of the poll), `mask: u16` (bit i set = slot i present),
//! then for each set bit in ascending slot order a 76-bit sample
//! `T(19) C(20) P(23) O2(14)` (see [`super::field`]), then zero padding to a byte.
//! The slot → serial number and depth mapping travels in the line status inventory.

use super::field::{CONDUCTIVITY, OXYGEN, PRESSURE, TEMPERATURE};
use super::MessageError;
use deku::ctx::Endian;
use deku::no_std_io::{Read, Seek, Write};
use deku::prelude::*;
use deku::writer::Writer;

/// Slots (instrument positions on the line) a batch can carry.
pub const MAX_SLOTS: usize = 16;

/// One MicroCAT sample in exact resolution units; `None` = not measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CtdSample {
    /// Position of the instrument on the line (0–15), see the line status inventory.
    pub slot: u8,
    /// Temperature in 0.0001 °C (ITS-90).
    pub temperature: Option<i32>,
    /// Conductivity in 0.00001 S/m.
    pub conductivity: Option<i32>,
    /// Pressure in 0.001 dbar.
    pub pressure: Option<i32>,
    /// Dissolved oxygen in 0.001 ml/l.
    pub oxygen: Option<i32>,
}

impl CtdSample {
    /// Temperature in °C.
    pub fn temperature_c(&self) -> Option<f64> {
        self.temperature.map(|v| TEMPERATURE.to_f64(v.into()))
    }
    /// Conductivity in S/m.
    pub fn conductivity_s_m(&self) -> Option<f64> {
        self.conductivity.map(|v| CONDUCTIVITY.to_f64(v.into()))
    }
    /// Pressure in dbar.
    pub fn pressure_dbar(&self) -> Option<f64> {
        self.pressure.map(|v| PRESSURE.to_f64(v.into()))
    }
    /// Oxygen in ml/l.
    pub fn oxygen_ml_l(&self) -> Option<f64> {
        self.oxygen.map(|v| OXYGEN.to_f64(v.into()))
    }
}

/// The samples of one poll, all taken at `time`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CtdBatch {
    /// Poll time, Unix seconds (controller clock).
    pub time: u32,
    /// Samples in strictly ascending slot order.
    pub samples: heapless::Vec<CtdSample, MAX_SLOTS>,
}

#[derive(Debug, Clone, PartialEq, Eq, DekuRead, DekuWrite)]
#[deku(endian = "endian", ctx = "endian: Endian")]
pub(crate) struct SampleWire {
    #[deku(bits = 19)]
    t: u32,
    #[deku(bits = 20)]
    c: u32,
    #[deku(bits = 23)]
    p: u32,
    #[deku(bits = 14)]
    o: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, DekuRead, DekuWrite)]
#[deku(endian = "endian", ctx = "endian: Endian")]
pub(crate) struct BatchWire {
    time: u32,
    mask: u16,
    #[deku(
        reader = "read_samples(deku::reader, *mask, endian)",
        writer = "write_samples(deku::writer, samples, endian)"
    )]
    samples: heapless::Vec<SampleWire, MAX_SLOTS>,
}

fn read_samples<R: Read + Seek>(
    reader: &mut Reader<R>,
    mask: u16,
    endian: Endian,
) -> Result<heapless::Vec<SampleWire, MAX_SLOTS>, DekuError> {
    let mut out = heapless::Vec::new();
    for _ in 0..mask.count_ones() {
        let s = SampleWire::from_reader_with_ctx(reader, endian)?;
        // count_ones() of a u16 is at most 16 == MAX_SLOTS, so the push cannot overflow.
        out.push(s)
            .map_err(|_| DekuError::Assertion("too many samples"))?;
    }
    Ok(out)
}

fn write_samples<W: Write + Seek>(
    writer: &mut Writer<W>,
    samples: &heapless::Vec<SampleWire, MAX_SLOTS>,
    endian: Endian,
) -> Result<(), DekuError> {
    for s in samples {
        s.to_writer(writer, endian)?;
    }
    Ok(())
}

/// Bits of one sample on the wire.
const SAMPLE_BITS: usize = 19 + 20 + 23 + 14;

/// Reads a batch payload as [`super::read_wire`] reads it through deku, with the same
/// errors, by shifts of a 64-bit window instead of deku's bit reader (the hot path of a
/// reprocess: a proptest holds the two equal on arbitrary payloads).
pub(crate) fn read_batch(payload: &[u8]) -> Result<BatchWire, MessageError> {
    let msg_type = super::MessageType::CtdBatch;
    let truncated = MessageError::Truncated { msg_type };
    let head = payload.get(..6).ok_or(truncated)?;
    let time = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let mask = u16::from_be_bytes([head[4], head[5]]);
    let n = mask.count_ones() as usize;
    let bits = 48 + n * SAMPLE_BITS;
    let used = bits.div_ceil(8);
    if payload.len() < used {
        return Err(truncated);
    }
    // bits [at, at + width) of the payload, MSB first (width ≤ 57: one window)
    let field = |at: usize, width: usize| -> u64 {
        let mut window = [0u8; 8];
        let start = at / 8;
        let end = (start + 8).min(payload.len());
        window[..end - start].copy_from_slice(&payload[start..end]);
        let w = u64::from_be_bytes(window);
        (w << (at % 8)) >> (64 - width)
    };
    let mut samples = heapless::Vec::new();
    for k in 0..n {
        let at = 48 + k * SAMPLE_BITS;
        // each field is at most 23 bits wide, so the casts are exact
        let s = SampleWire {
            t: field(at, 19) as u32,
            c: field(at + 19, 20) as u32,
            p: field(at + 39, 23) as u32,
            o: field(at + 62, 14) as u16,
        };
        // count_ones() of a u16 is at most 16 == MAX_SLOTS
        samples
            .push(s)
            .map_err(|_| MessageError::FieldOutOfRange { field: "payload" })?;
    }
    if used < payload.len() {
        return Err(MessageError::TrailingBytes {
            msg_type,
            extra: payload.len() - used,
        });
    }
    let pad = used * 8 - bits;
    if pad > 0 && payload[used - 1] & ((1u8 << pad) - 1) != 0 {
        return Err(MessageError::NonZeroPadding { msg_type });
    }
    Ok(BatchWire {
        time,
        mask,
        samples,
    })
}

fn to_i32(v: Option<i64>) -> Option<i32> {
    // FieldSpec ranges are far inside i32, so the conversion cannot fail.
    v.and_then(|x| i32::try_from(x).ok())
}

impl CtdBatch {
    pub(crate) fn wire(&self) -> Result<BatchWire, MessageError> {
        let mut mask = 0u16;
        let mut samples = heapless::Vec::new();
        for s in &self.samples {
            let bit = 1u16
                .checked_shl(u32::from(s.slot))
                .filter(|_| usize::from(s.slot) < MAX_SLOTS)
                .ok_or(MessageError::FieldOutOfRange { field: "slot" })?;
            // strictly ascending slots keep the mask order equal to the sample order
            if mask >= bit {
                return Err(MessageError::FieldOutOfRange {
                    field: "slot order",
                });
            }
            mask |= bit;
            let wire = SampleWire {
                t: TEMPERATURE.encode(s.temperature.map(i64::from))?,
                c: CONDUCTIVITY.encode(s.conductivity.map(i64::from))?,
                p: PRESSURE.encode(s.pressure.map(i64::from))?,
                o: OXYGEN.encode(s.oxygen.map(i64::from))? as u16,
            };
            samples
                .push(wire)
                .map_err(|_| MessageError::FieldOutOfRange {
                    field: "sample count",
                })?;
        }
        Ok(BatchWire {
            time: self.time,
            mask,
            samples,
        })
    }

    pub(crate) fn from_wire(w: BatchWire) -> Result<Self, MessageError> {
        let mut samples = heapless::Vec::new();
        let slots = (0..MAX_SLOTS as u8).filter(|i| w.mask & (1 << i) != 0);
        for (slot, s) in slots.zip(w.samples.iter()) {
            let sample = CtdSample {
                slot,
                temperature: to_i32(TEMPERATURE.decode(s.t)),
                conductivity: to_i32(CONDUCTIVITY.decode(s.c)),
                pressure: to_i32(PRESSURE.decode(s.p)),
                oxygen: to_i32(OXYGEN.decode(u32::from(s.o))),
            };
            // one sample per mask bit, at most 16
            samples
                .push(sample)
                .map_err(|_| MessageError::FieldOutOfRange {
                    field: "sample count",
                })?;
        }
        Ok(CtdBatch {
            time: w.time,
            samples,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Arbitrary payloads, and payloads of exactly the length their mask announces
        /// (so that most reach the samples): the same batch or the same error as deku's.
        #[test]
        fn read_batch_is_dekus_reader(
            mut payload in proptest::collection::vec(any::<u8>(), 0..200),
            exact in any::<bool>(),
        ) {
            if exact && payload.len() >= 6 {
                let n = u16::from_be_bytes([payload[4], payload[5]]).count_ones() as usize;
                payload.resize((48 + n * SAMPLE_BITS).div_ceil(8), 0);
            }
            let deku = super::super::read_wire::<BatchWire>(super::super::MessageType::CtdBatch, &payload);
            prop_assert_eq!(read_batch(&payload), deku);
        }
    }
}
