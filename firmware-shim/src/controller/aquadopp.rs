//! The Aquadopp on the controller's serial input: the instrument streams one Nortek
//! velocity structure (id 0x01, 42 bytes) per measurement interval, on its own (no poll),
//! and the controller turns each into an `AquadoppSample` frame (type 3).
//!
//! The bytes are framed here with a 42-byte buffer (the full stream decoder of the protocol
//! crate buffers 2 KiB for profiles the line never carries), checked with the protocol
//! crate's Nortek checksum and read with its field reader and BCD clock decoder at the
//! velocity structure's offsets (instruments.md §3.2), as integers: the frame carries the
//! instrument's own units, and no floating point is needed on the controller. Anything else
//! on the port (configuration structures, diagnostics, junk, a structure with a bad
//! checksum) is skipped until the next `A5 01 15 00` header and counted.

use protocol::instruments::nortek::clock::decode_clock;
use protocol::instruments::nortek::framing::{id, verify_checksum, Fields, SYNC};
use protocol::instruments::nortek::velocity::AQUADOPP_VELOCITY_BYTES;
use protocol::instruments::nortek::NortekError;
use protocol::message::{AquadoppSample, InstrumentKind, Message};

use super::{bump, Controller};

/// The header of a velocity structure: sync, id, size 21 words (little-endian).
const HEADER: [u8; 4] = [SYNC, id::AQUADOPP_VELOCITY, 0x15, 0x00];

/// What one byte did to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Taken into the structure being assembled (or waiting for a header).
    Pending,
    /// Bytes skipped: not part of a velocity structure, or a structure that failed its
    /// checksum or decoding.
    Skipped(usize),
    /// A velocity structure completed with a valid checksum.
    Record([u8; AQUADOPP_VELOCITY_BYTES]),
}

/// Assembles velocity structures from the serial bytes, cut anywhere.
#[derive(Debug, Clone, Default)]
pub(crate) struct AquadoppReader {
    buf: heapless::Vec<u8, AQUADOPP_VELOCITY_BYTES>,
}

impl AquadoppReader {
    /// Takes one byte.
    pub(crate) fn push(&mut self, byte: u8) -> Step {
        let at = self.buf.len();
        if HEADER.get(at).is_some_and(|&h| h != byte) {
            // Not the header: drop what was buffered; this byte may start a new one.
            let dropped = at;
            self.buf.clear();
            if byte == SYNC {
                // Capacity 42 > 0: cannot fail.
                let _ = self.buf.push(byte);
                return if dropped > 0 {
                    Step::Skipped(dropped)
                } else {
                    Step::Pending
                };
            }
            return Step::Skipped(dropped + 1);
        }
        // `at < 42` here: a full buffer is always emptied below.
        let _ = self.buf.push(byte);
        if self.buf.len() < AQUADOPP_VELOCITY_BYTES {
            return Step::Pending;
        }
        let mut record = [0u8; AQUADOPP_VELOCITY_BYTES];
        record.copy_from_slice(&self.buf);
        match verify_checksum(&record) {
            Ok(()) => {
                self.buf.clear();
                Step::Record(record)
            }
            Err(_) => Step::Skipped(self.resync()),
        }
    }

    /// Drops the failed candidate's bytes up to the next place that may start a header (a
    /// structure cut short by a record that followed it); returns how many were dropped.
    fn resync(&mut self) -> usize {
        let len = self.buf.len();
        let start = (1..len)
            .find(|&i| {
                let rest = self.buf.get(i..).unwrap_or(&[]);
                rest.iter().zip(HEADER.iter()).all(|(a, b)| a == b)
            })
            .unwrap_or(len);
        self.buf.copy_within(start.., 0);
        self.buf.truncate(len - start);
        start
    }
}

/// The frame sample of the checksum-verified velocity structure `record` of the instrument
/// in `slot`, in the instrument's own units (see [`AquadoppSample`]). The time is the
/// instrument's clock, or `now_s` when that is not a valid date. The velocities are taken
/// as ENU: the line's Aquadopp is configured so at deployment (the controller never sees its
/// user configuration).
pub(crate) fn sample_of(
    record: &[u8; AQUADOPP_VELOCITY_BYTES],
    slot: u8,
    now_s: u32,
) -> Result<AquadoppSample, NortekError> {
    let f = Fields::new(record);
    let time = decode_clock(f.array::<6>(4)?, 0)
        .map(|t| t.unix_seconds())
        .and_then(|t| u32::try_from(t).ok())
        .unwrap_or(now_s);
    let status = f.u8(25)?;
    Ok(AquadoppSample {
        slot,
        coordinate_system: 0,
        // status b1: 0.1 mm/s per count
        velocity_scale_tenth_mm: status & 0x02 != 0,
        time,
        velocity: [f.i16(30)?, f.i16(32)?, f.i16(34)?],
        amplitude: f.array::<3>(36)?,
        heading: f.u16(18)?,
        pitch: f.i16(20)?,
        roll: f.i16(22)?,
        // pressure: MSB byte at 24, LSW at 26
        pressure: u32::from(f.u8(24)?) << 16 | u32::from(f.u16(26)?),
        temperature: f.i16(28)?,
        battery: f.u16(14)?,
        sound_speed: f.u16(16)?,
        // the error code is a 16-bit field; the frame keeps its low byte
        error: f.u16(10)? as u8,
        status,
    })
}

impl<const RING: usize> Controller<RING> {
    /// Frames every velocity structure completed by `bytes` (see
    /// [`Controller::handle_serial_bytes`]).
    pub(super) fn on_serial_bytes(&mut self, bytes: &[u8], now: u32) {
        let slot = self
            .config
            .instruments
            .iter()
            .find(|i| i.kind == InstrumentKind::Aquadopp)
            .map(|i| i.slot);
        let mut skipping = false;
        for &b in bytes {
            match self.aquadopp.push(b) {
                Step::Pending => skipping = false,
                Step::Skipped(_) => {
                    // One error per run of skipped bytes.
                    if !skipping {
                        bump(&mut self.counters.serial_errors);
                    }
                    skipping = true;
                }
                Step::Record(record) => {
                    skipping = false;
                    let sample = slot.map(|slot| sample_of(&record, slot, now));
                    let Some(Ok(sample)) = sample else {
                        bump(&mut self.counters.serial_errors);
                        continue;
                    };
                    if self.send_message(&Message::AquadoppSample(sample), now, false) {
                        bump(&mut self.counters.aquadopp_samples);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The OOI driver's Aquadopp velocity record (instruments.md §3.3).
    pub(crate) const OOI_DRIVER: [u8; 42] = [
        0xa5, 0x01, 0x15, 0x00, 0x10, 0x19, 0x26, 0x22, 0x12, 0x11, 0x00, 0x00, 0x00, 0x00, 0x93,
        0x00, 0xf8, 0x3b, 0x81, 0x06, 0x28, 0x01, 0x7f, 0x01, 0x00, 0x2d, 0x00, 0x00, 0xe3, 0x09,
        0x4c, 0x01, 0x22, 0xff, 0x9a, 0xfe, 0x1e, 0x14, 0x16, 0x00, 0x60, 0x93,
    ];

    fn feed(
        r: &mut AquadoppReader,
        bytes: &[u8],
    ) -> (std::vec::Vec<[u8; AQUADOPP_VELOCITY_BYTES]>, usize) {
        let (mut got, mut skipped) = (std::vec::Vec::new(), 0);
        for &b in bytes {
            match r.push(b) {
                Step::Pending => {}
                Step::Skipped(n) => skipped += n,
                Step::Record(v) => got.push(v),
            }
        }
        (got, skipped)
    }

    #[test]
    fn real_record_becomes_the_stored_integers() {
        let mut r = AquadoppReader::default();
        let (got, skipped) = feed(&mut r, &OOI_DRIVER);
        assert_eq!((got.len(), skipped), (1, 0));
        let s = sample_of(&got[0], 9, 5).unwrap();
        assert_eq!(
            s,
            AquadoppSample {
                slot: 9,
                coordinate_system: 0,
                velocity_scale_tenth_mm: false,
                time: 1_353_967_819, // 2012-11-26 22:10:19
                velocity: [332, -222, -358],
                amplitude: [30, 20, 22],
                heading: 1665,
                pitch: 296,
                roll: 383,
                pressure: 0,
                temperature: 2531,
                battery: 147,
                sound_speed: 15352,
                error: 0,
                status: 0x2d,
            }
        );
    }

    #[test]
    fn junk_other_structures_and_bad_checksums_are_skipped() {
        let mut bad = OOI_DRIVER;
        bad[41] ^= 1;
        let mut bytes = std::vec::Vec::new();
        bytes.extend_from_slice(b"\xa5\xa5junk\xa5\x05");
        bytes.extend_from_slice(&bad);
        bytes.extend_from_slice(&OOI_DRIVER[..20]);
        bytes.extend_from_slice(&OOI_DRIVER);
        bytes.extend_from_slice(&OOI_DRIVER);
        let mut r = AquadoppReader::default();
        let (got, skipped) = feed(&mut r, &bytes);
        // The record cut short is dropped when its checksum fails; the header of the record
        // inside it is found again, so both whole records survive.
        assert_eq!(got.len(), 2, "{skipped}");
        assert_eq!(skipped + 42 * got.len(), bytes.len());
    }

    #[test]
    fn a_record_cut_anywhere_is_found() {
        let mut r = AquadoppReader::default();
        let mut all = 0;
        for cut in 0..OOI_DRIVER.len() {
            let (a, _) = feed(&mut r, &OOI_DRIVER[..cut]);
            let (b, _) = feed(&mut r, &OOI_DRIVER[cut..]);
            all += a.len() + b.len();
        }
        assert_eq!(all, OOI_DRIVER.len());
    }
}
