//! The plain framed link mode, for links that carry our frames without a modem protocol
//! (a serial cable on the bench, a TCP tunnel): `sync(2) len(2) payload(len) crc(2)`.
//!
//! - sync word `0xA7 0x1B`;
//! - `len`: payload length, big-endian u16, 1 ..= [`MAX_PAYLOAD`];
//! - `crc`: CRC-16/IBM-3740 over the two length bytes and the payload, big-endian.
//!
//! [`FramedDecoder`] is sans-IO: it takes bytes in chunks of any size, emits each payload
//! whose CRC checks, and resynchronises byte by byte after garbage, a bad length or a bad
//! CRC, counting every byte it skips. Its buffer is fixed, so no input grows memory.

use crate::crc::crc16;

/// The two sync bytes that open every framed payload.
pub const SYNC: [u8; 2] = [0xA7, 0x1B];
/// Largest payload (one acoustic frame).
pub const MAX_PAYLOAD: usize = crate::frame::MAX_FRAME_LEN;
/// Bytes around the payload: sync, length and CRC.
pub const OVERHEAD: usize = 6;
const BUF: usize = MAX_PAYLOAD + OVERHEAD;

/// Why a payload cannot be framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FramedError {
    /// Empty or longer than [`MAX_PAYLOAD`].
    #[error("payload length {len} outside 1..={MAX_PAYLOAD}")]
    BadLength {
        /// Payload length.
        len: usize,
    },
    /// The output buffer is too small.
    #[error("output buffer too small: {needed} bytes needed")]
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
    },
}

/// Writes `payload` framed into `out`; returns the number of bytes written.
pub fn encode_framed(payload: &[u8], out: &mut [u8]) -> Result<usize, FramedError> {
    let len = payload.len();
    if len == 0 || len > MAX_PAYLOAD {
        return Err(FramedError::BadLength { len });
    }
    let needed = len + OVERHEAD;
    if out.len() < needed {
        return Err(FramedError::BufferTooSmall { needed });
    }
    out[..2].copy_from_slice(&SYNC);
    out[2..4].copy_from_slice(&(len as u16).to_be_bytes());
    out[4..4 + len].copy_from_slice(payload);
    let crc = crc16(&out[2..4 + len]);
    out[4 + len..needed].copy_from_slice(&crc.to_be_bytes());
    Ok(needed)
}

/// Counters of a [`FramedDecoder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FramedStats {
    /// Payloads emitted.
    pub frames: u64,
    /// Bytes skipped while looking for a valid frame.
    pub skipped_bytes: u64,
    /// Candidate frames rejected for their CRC.
    pub bad_crc: u64,
    /// Candidate frames rejected for their length field.
    pub bad_length: u64,
}

/// Sans-IO decoder of the framed link mode.
#[derive(Debug, Clone, Default)]
pub struct FramedDecoder {
    buf: heapless::Vec<u8, BUF>,
    stats: FramedStats,
}

impl FramedDecoder {
    /// A decoder with an empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counters since creation.
    pub fn stats(&self) -> FramedStats {
        self.stats
    }

    /// Feeds `data`; calls `on_frame` with each valid payload, in order.
    pub fn feed(&mut self, mut data: &[u8], mut on_frame: impl FnMut(&[u8])) {
        while !data.is_empty() {
            let room = BUF - self.buf.len();
            let (now, rest) = data.split_at(room.min(data.len()));
            // `now` fits in the remaining capacity by construction
            let _ = self.buf.extend_from_slice(now);
            data = rest;
            self.process(&mut on_frame);
        }
    }

    fn process(&mut self, on_frame: &mut impl FnMut(&[u8])) {
        loop {
            let start = self.buf.windows(2).position(|w| w == SYNC);
            let skip = start.unwrap_or(
                self.buf
                    .len()
                    .saturating_sub(usize::from(self.buf.last() == Some(&SYNC[0]))),
            );
            self.skip(skip);
            if start.is_none() || self.buf.len() < 4 {
                return;
            }
            let len = usize::from(u16::from_be_bytes([self.buf[2], self.buf[3]]));
            if len == 0 || len > MAX_PAYLOAD {
                self.stats.bad_length += 1;
                self.skip(1);
                continue;
            }
            if self.buf.len() < len + OVERHEAD {
                return;
            }
            let crc = u16::from_be_bytes([self.buf[4 + len], self.buf[5 + len]]);
            if crc16(&self.buf[2..4 + len]) != crc {
                self.stats.bad_crc += 1;
                self.skip(1);
                continue;
            }
            self.stats.frames += 1;
            on_frame(&self.buf[4..4 + len]);
            self.drain(len + OVERHEAD);
        }
    }

    fn skip(&mut self, n: usize) {
        self.stats.skipped_bytes += n as u64;
        self.drain(n);
    }

    fn drain(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.copy_within(n.., 0);
        self.buf.truncate(self.buf.len() - n);
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use proptest::prelude::*;
    use std::vec::Vec;

    fn framed(payload: &[u8]) -> Vec<u8> {
        let mut out = [0u8; BUF];
        let n = encode_framed(payload, &mut out).unwrap();
        out[..n].to_vec()
    }

    fn decode(chunks: &[&[u8]]) -> (Vec<Vec<u8>>, FramedStats) {
        let mut d = FramedDecoder::new();
        let mut out = Vec::new();
        for c in chunks {
            d.feed(c, |p| out.push(p.to_vec()));
        }
        (out, d.stats())
    }

    #[test]
    fn golden() {
        // CRC cross-checked with an independent bitwise CRC-16/IBM-3740 in Python
        // (poly 0x1021, init 0xFFFF): crc(00 02 01 02) = 0xF9D3.
        assert_eq!(
            framed(&[0x01, 0x02]),
            [0xA7, 0x1B, 0x00, 0x02, 0x01, 0x02, 0xF9, 0xD3]
        );
        assert_eq!(
            encode_framed(&[], &mut [0; 8]),
            Err(FramedError::BadLength { len: 0 })
        );
    }

    #[test]
    fn garbage_bad_crc_and_split_reads() {
        let mut stream = b"junk\xA7".to_vec();
        stream.extend(framed(b"hello"));
        let mut corrupt = framed(b"lost");
        corrupt[5] ^= 0x40;
        stream.extend(corrupt);
        stream.extend(framed(b"world"));
        for split in 0..stream.len() {
            let (frames, stats) = decode(&[&stream[..split], &stream[split..]]);
            assert_eq!(frames, [b"hello".to_vec(), b"world".to_vec()]);
            assert_eq!(stats.bad_crc, 1);
            assert_eq!(stats.skipped_bytes, 5 + 10);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn never_panics_and_keeps_good_frames(
            junk in proptest::collection::vec(any::<u8>(), 0..300),
            payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..100), 0..5),
            cut in any::<usize>(),
        ) {
            let mut stream = junk.clone();
            for p in &payloads { stream.extend(framed(p)); }
            // junk that looks like a frame header (sync + a length up to 1024) holds back
            // what follows until that many bytes arrived and its CRC failed; the line goes
            // on, so let it: zeros never form a sync word
            stream.extend([0u8; 1024 + 6]);
            let cut = cut % (stream.len() + 1);
            let (frames, _) = decode(&[&stream[..cut], &stream[cut..]]);
            // the junk may itself hold a valid frame; the real ones all come out, in order, last
            prop_assert!(frames.len() >= payloads.len());
            prop_assert_eq!(&frames[frames.len() - payloads.len()..], payloads.as_slice());
        }
    }
}
