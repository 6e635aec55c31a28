//! The sans-IO stream decoder: bytes in, [`Event`]s out, in chunks of any size.
//!
//! The decoder buffers at most one candidate structure (≤
//! [`MAX_STRUCTURE_BYTES`](super::framing::MAX_STRUCTURE_BYTES)) in a fixed
//! `heapless::Vec`. A candidate starts at a sync byte 0xA5; it is accepted only with a
//! valid checksum. On a bad size field, a bad checksum or the end of the stream inside a
//! candidate, the decoder drops that sync byte and rescans the buffered bytes for the next
//! 0xA5. Structures with a valid checksum but an unknown id (or content it cannot decode)
//! are skipped whole, by their size field.
//!
//! Every byte ends up either in a [`Event::Record`] or in a [`Event::Skipped`]: a skip
//! event covers one contiguous run of discarded bytes and names why the run began
//! ([`NortekError::NoSync`] for plain junk). Decisions depend only on the bytes, never on
//! how they were split into chunks, so chunked feeding yields the same events as one feed.

use super::config::ConfigInForce;
use super::error::NortekError;
use super::framing::{structure_length, verify_checksum, Length, MAX_STRUCTURE_BYTES, SYNC};
use super::record::Record;

/// A run of discarded bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skipped {
    /// Stream offset of the first discarded byte.
    pub offset: u64,
    /// Number of bytes discarded.
    pub bytes: usize,
    /// Why the run began.
    pub reason: NortekError,
}

/// What the decoder reports.
// Records hold profiles inline (no allocator), so the variants differ in size by design.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A structure with a valid checksum, decoded.
    Record {
        /// Stream offset of its sync byte.
        offset: u64,
        /// The decoded structure.
        record: Record,
    },
    /// Bytes that were skipped, and why.
    Skipped(Skipped),
}

/// Skip events and bytes of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SkipCount {
    /// Number of skip events.
    pub events: u64,
    /// Number of bytes they covered.
    pub bytes: u64,
}

impl SkipCount {
    fn add(&mut self, bytes: usize) {
        self.events += 1;
        self.bytes += bytes as u64;
    }
}

/// Counters over everything the decoder has reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Bytes taken from the input so far.
    pub bytes_in: u64,
    /// Records decoded.
    pub records: u64,
    /// Bytes in decoded records.
    pub record_bytes: u64,
    /// Junk without a sync byte.
    pub no_sync: SkipCount,
    /// Bad checksums.
    pub bad_checksum: SkipCount,
    /// Size fields too small or too large, or wrong for a fixed-size structure.
    pub bad_size: SkipCount,
    /// Checksum-valid structures with unknown ids.
    pub unknown_id: SkipCount,
    /// Stream ends inside a structure.
    pub truncated: SkipCount,
    /// Checksum-valid structures whose content could not be decoded (profile shape…).
    pub undecodable: SkipCount,
}

impl Stats {
    /// Total bytes skipped, over every reason.
    pub fn skipped_bytes(&self) -> u64 {
        self.no_sync.bytes
            + self.bad_checksum.bytes
            + self.bad_size.bytes
            + self.unknown_id.bytes
            + self.truncated.bytes
            + self.undecodable.bytes
    }

    /// Total skip events, over every reason.
    pub fn skip_events(&self) -> u64 {
        self.no_sync.events
            + self.bad_checksum.events
            + self.bad_size.events
            + self.unknown_id.events
            + self.truncated.events
            + self.undecodable.events
    }

    fn count_skip(&mut self, s: &Skipped) {
        let slot = match s.reason {
            NortekError::NoSync => &mut self.no_sync,
            NortekError::BadChecksum { .. } => &mut self.bad_checksum,
            NortekError::SizeTooSmall { .. }
            | NortekError::SizeTooLarge { .. }
            | NortekError::WrongSize { .. } => &mut self.bad_size,
            NortekError::UnknownId { .. } => &mut self.unknown_id,
            NortekError::Truncated { .. } => &mut self.truncated,
            NortekError::ProfileShape { .. }
            | NortekError::ProfileTooLarge { .. }
            | NortekError::ProfileConfigMismatch { .. }
            | NortekError::FieldOutOfBounds { .. } => &mut self.undecodable,
        };
        slot.add(s.bytes);
    }
}

/// Streaming decoder of Nortek classic binary. See the module documentation.
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    /// Candidate structure; when non-empty, `buf[0] == SYNC`.
    buf: heapless::Vec<u8, MAX_STRUCTURE_BYTES>,
    /// Stream offset of `buf[0]`.
    buf_offset: u64,
    /// Run of discarded bytes not yet reported.
    run: Option<Skipped>,
    config: ConfigInForce,
    stats: Stats,
}

impl Decoder {
    /// A decoder at the start of a stream, with no configuration seen.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counters so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// What the decoder remembers from the configuration structures seen so far.
    pub fn config_in_force(&self) -> &ConfigInForce {
        &self.config
    }

    /// Returns the next event, taking bytes from the front of `input` as needed (and
    /// advancing it). `None` means every byte of `input` was consumed and more are needed.
    pub fn next_event(&mut self, input: &mut &[u8]) -> Option<Event> {
        loop {
            if let Some(ev) = self.step() {
                return Some(ev);
            }
            if input.is_empty() {
                return None;
            }
            self.absorb(input);
        }
    }

    /// The events of `input`, decoded lazily. Drain the iterator: bytes it has not taken
    /// when dropped (see [`Feed::remaining`]) are not buffered.
    pub fn feed<'d, 'i>(&'d mut self, input: &'i [u8]) -> Feed<'d, 'i> {
        Feed {
            decoder: self,
            input,
        }
    }

    /// Declares the end of the stream and returns the next remaining event: what is still
    /// buffered is rescanned, incomplete structures are reported as
    /// [`NortekError::Truncated`], and the last run of skipped bytes is flushed. Call until
    /// `None`; the decoder is then empty (the configuration in force is kept).
    pub fn finish_event(&mut self) -> Option<Event> {
        loop {
            if let Some(ev) = self.step() {
                return Some(ev);
            }
            if !self.buf.is_empty() {
                let expected = match structure_length(&self.buf) {
                    Ok(Length::Known(n)) => Some(n),
                    _ => None,
                };
                self.fail(NortekError::Truncated {
                    id: self.buf.get(1).copied(),
                    expected,
                    got: self.buf.len(),
                });
                continue;
            }
            return self.run.take().map(|run| self.report(run));
        }
    }

    /// The events left at the end of the stream (see [`Decoder::finish_event`]).
    pub fn finish(&mut self) -> Finish<'_> {
        Finish { decoder: self }
    }

    fn report(&mut self, s: Skipped) -> Event {
        self.stats.count_skip(&s);
        Event::Skipped(s)
    }

    /// Makes a decision on the buffered candidate if it can; `None` if more bytes are
    /// needed (or nothing is buffered).
    fn step(&mut self) -> Option<Event> {
        loop {
            if self.buf.is_empty() {
                return None;
            }
            // A sync byte was found: the run of skipped bytes before it is complete.
            if let Some(run) = self.run.take() {
                return Some(self.report(run));
            }
            let len = match structure_length(&self.buf) {
                Ok(Length::NeedAtLeast(_)) => return None,
                Ok(Length::Known(n)) => n,
                Err(e) => {
                    self.fail(e);
                    continue;
                }
            };
            let structure = self.buf.get(..len)?;
            if let Err(e) = verify_checksum(structure) {
                self.fail(e);
                continue;
            }
            let offset = self.buf_offset;
            let result = Record::decode(structure, &self.config);
            self.consume(len);
            return Some(match result {
                Ok(record) => {
                    record.apply_to(&mut self.config);
                    self.stats.records += 1;
                    self.stats.record_bytes += len as u64;
                    Event::Record { offset, record }
                }
                Err(reason) => self.report(Skipped {
                    offset,
                    bytes: len,
                    reason,
                }),
            });
        }
    }

    /// Rejects the candidate's sync byte for `reason` and rescans the rest of the buffer.
    fn fail(&mut self, reason: NortekError) {
        // `step` reports any earlier run before judging a candidate, so `run` is `None`
        // here; were it not, its bytes are kept by extending it.
        if self.run.is_none() {
            self.run = Some(Skipped {
                offset: self.buf_offset,
                bytes: 0,
                reason,
            });
        }
        self.extend_run(1);
        self.consume(1);
    }

    /// Removes `n` bytes from the front of the buffer, then moves any bytes before the next
    /// sync byte into the current run of skipped bytes.
    fn consume(&mut self, n: usize) {
        self.drop_front(n);
        let junk = self
            .buf
            .iter()
            .position(|&b| b == SYNC)
            .unwrap_or(self.buf.len());
        if junk > 0 {
            self.extend_run(junk);
            self.drop_front(junk);
        }
    }

    fn drop_front(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.copy_within(n.., 0);
        self.buf.truncate(self.buf.len() - n);
        self.buf_offset += n as u64;
    }

    /// Adds `n` bytes starting at `self.buf_offset` to the current run (starting a
    /// [`NortekError::NoSync`] run if there is none).
    fn extend_run(&mut self, n: usize) {
        match &mut self.run {
            Some(run) => run.bytes += n,
            None => {
                self.run = Some(Skipped {
                    offset: self.buf_offset,
                    bytes: n,
                    reason: NortekError::NoSync,
                })
            }
        }
    }

    /// Takes at least one byte from `input` (which must not be empty) into the decoder.
    fn absorb(&mut self, input: &mut &[u8]) {
        if self.buf.is_empty() {
            // `buf_offset` is the stream offset of the next input byte while empty.
            let junk = input.iter().position(|&b| b == SYNC).unwrap_or(input.len());
            if junk > 0 {
                self.extend_run(junk);
                self.buf_offset += junk as u64;
            }
            let take = (junk + 1).min(input.len());
            if junk < input.len() {
                // Capacity is at least 1 and the buffer is empty: the push cannot fail.
                let _ = self.buf.push(SYNC);
            }
            self.stats.bytes_in += take as u64;
            *input = input.get(take..).unwrap_or(&[]);
        } else {
            let need = match structure_length(&self.buf) {
                Ok(Length::NeedAtLeast(n)) | Ok(Length::Known(n)) => n,
                Err(_) => self.buf.len() + 1,
            };
            let room = MAX_STRUCTURE_BYTES - self.buf.len();
            let take = need
                .saturating_sub(self.buf.len())
                .clamp(1, room.max(1))
                .min(input.len());
            let (head, rest) = input.split_at(take);
            // `take <= room` unless the buffer is full, which `step` never leaves it.
            let _ = self.buf.extend_from_slice(head);
            self.stats.bytes_in += take as u64;
            *input = rest;
        }
    }
}

/// Iterator over the events of one chunk (from [`Decoder::feed`]).
#[derive(Debug)]
pub struct Feed<'d, 'i> {
    decoder: &'d mut Decoder,
    input: &'i [u8],
}

impl<'i> Feed<'_, 'i> {
    /// Input bytes the iterator has not taken yet.
    pub fn remaining(&self) -> &'i [u8] {
        self.input
    }
}

impl Iterator for Feed<'_, '_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        self.decoder.next_event(&mut self.input)
    }
}

/// Iterator over the events left at the end of a stream (from [`Decoder::finish`]).
#[derive(Debug)]
pub struct Finish<'d> {
    decoder: &'d mut Decoder,
}

impl Iterator for Finish<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        self.decoder.finish_event()
    }
}

/// Iterator over every event of a whole byte slice, end of stream included
/// (from [`decode_slice`]).
#[derive(Debug, Clone)]
pub struct SliceEvents<'a> {
    decoder: Decoder,
    input: &'a [u8],
}

impl SliceEvents<'_> {
    /// Counters so far (complete once the iterator is exhausted).
    pub fn stats(&self) -> &Stats {
        self.decoder.stats()
    }

    /// The configuration in force at this point of the slice.
    pub fn config_in_force(&self) -> &ConfigInForce {
        self.decoder.config_in_force()
    }
}

impl Iterator for SliceEvents<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        match self.decoder.next_event(&mut self.input) {
            Some(ev) => Some(ev),
            None => self.decoder.finish_event(),
        }
    }
}

/// Decodes a whole byte slice (a file, a capture): every event, then the end-of-stream
/// events. Needs no allocator.
pub fn decode_slice(bytes: &[u8]) -> SliceEvents<'_> {
    SliceEvents {
        decoder: Decoder::new(),
        input: bytes,
    }
}

/// Decodes a whole byte slice into a vector of events, with the final counters.
#[cfg(feature = "alloc")]
pub fn decode_all(bytes: &[u8]) -> (alloc::vec::Vec<Event>, Stats) {
    let mut it = decode_slice(bytes);
    let events = it.by_ref().collect();
    (events, *it.stats())
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::instruments::nortek::framing::checksum;
    use std::vec::Vec;

    // instruments.md §3.3: Vector velocity (valid) and the OOI driver velocity record.
    const VEC: [u8; 24] = [
        0xa5, 0x10, 0x00, 0xc2, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb3, 0xfd, 0xb4, 0x22, 0xa1,
        0xff, 0x36, 0x37, 0x35, 0x0b, 0x0d, 0x07, 0xb1, 0xf1,
    ];
    const AQD: [u8; 42] = [
        0xa5, 0x01, 0x15, 0x00, 0x10, 0x19, 0x26, 0x22, 0x12, 0x11, 0x00, 0x00, 0x00, 0x00, 0x93,
        0x00, 0xf8, 0x3b, 0x81, 0x06, 0x28, 0x01, 0x7f, 0x01, 0x00, 0x2d, 0x00, 0x00, 0xe3, 0x09,
        0x4c, 0x01, 0x22, 0xff, 0x9a, 0xfe, 0x1e, 0x14, 0x16, 0x00, 0x60, 0x93,
    ];

    fn all(bytes: &[u8]) -> (Vec<Event>, Stats) {
        let mut it = decode_slice(bytes);
        let v: Vec<Event> = it.by_ref().collect();
        (v, *it.stats())
    }

    fn skip(ev: &Event) -> Skipped {
        match ev {
            Event::Skipped(s) => *s,
            other => panic!("expected a skip, got {other:?}"),
        }
    }

    fn cat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    #[test]
    fn junk_around_a_record_is_reported() {
        let bytes = cat(&[b"xyz", &AQD, b"\x00\x01"]);
        let (ev, stats) = all(&bytes);
        assert_eq!(ev.len(), 3);
        assert_eq!(
            skip(&ev[0]),
            Skipped {
                offset: 0,
                bytes: 3,
                reason: NortekError::NoSync
            }
        );
        assert!(matches!(
            ev[1],
            Event::Record {
                offset: 3,
                record: Record::AquadoppVelocity(_)
            }
        ));
        assert_eq!(
            skip(&ev[2]),
            Skipped {
                offset: 45,
                bytes: 2,
                reason: NortekError::NoSync
            }
        );
        assert_eq!(
            stats.no_sync,
            SkipCount {
                events: 2,
                bytes: 5
            }
        );
        assert_eq!(stats.records, 1);
    }

    #[test]
    fn reference_negative_cases() {
        // §3.3 (whoi_ds): last byte f2 instead of f1 → checksum failure, then resync.
        let mut bad = VEC;
        bad[23] = 0xf2;
        let (ev, stats) = all(&cat(&[&bad, &VEC]));
        assert_eq!(ev.len(), 2);
        let s = skip(&ev[0]);
        assert_eq!((s.offset, s.bytes), (0, 24));
        assert!(matches!(
            s.reason,
            NortekError::BadChecksum {
                id: 0x10,
                stored: 0xf2b1,
                computed: 0xf1b1
            }
        ));
        assert!(matches!(
            ev[1],
            Event::Record {
                offset: 24,
                record: Record::VectorVelocity(_)
            }
        ));
        assert_eq!(stats.bad_checksum.events, 1);

        // Sync byte a6: no structure at all.
        let mut a6 = VEC;
        a6[0] = 0xa6;
        let (ev, _) = all(&a6);
        assert_eq!(ev.len(), 1);
        assert_eq!(
            skip(&ev[0]),
            Skipped {
                offset: 0,
                bytes: 24,
                reason: NortekError::NoSync
            }
        );

        // Ids 0x11 / 0x15 carrying a 0x10 body: their "size field" (00 c2) is 0xc200 words.
        for id in [0x11, 0x15] {
            let mut b = VEC;
            b[1] = id;
            let (ev, stats) = all(&cat(&[&b, &AQD]));
            assert_eq!(ev.len(), 2, "{ev:?}");
            let s = skip(&ev[0]);
            assert_eq!(s.bytes, 24);
            assert!(matches!(
                s.reason,
                NortekError::SizeTooLarge {
                    size_bytes: 0x18400,
                    ..
                }
            ));
            assert!(matches!(ev[1], Event::Record { offset: 24, .. }));
            assert_eq!(stats.bad_size.events, 1);
        }
    }

    #[test]
    fn unknown_id_is_skipped_by_its_size() {
        let mut unknown = [0xa5, 0x07, 0x04, 0x00, 0xa5, 0xa5, 0, 0];
        let cs = checksum(&unknown[..6]).to_le_bytes();
        unknown[6..].copy_from_slice(&cs);
        let (ev, stats) = all(&cat(&[&unknown, &AQD]));
        assert_eq!(ev.len(), 2);
        assert_eq!(
            skip(&ev[0]),
            Skipped {
                offset: 0,
                bytes: 8,
                reason: NortekError::UnknownId {
                    id: 7,
                    size_bytes: 8
                }
            }
        );
        assert!(matches!(ev[1], Event::Record { offset: 8, .. }));
        assert_eq!(
            stats.unknown_id,
            SkipCount {
                events: 1,
                bytes: 8
            }
        );
    }

    #[test]
    fn false_sync_inside_a_long_candidate_is_rescanned() {
        // A false sync announcing 200 bytes, followed by a real record and the end of the
        // stream: the record must still be found.
        let bytes = cat(&[&[0xa5, 0x21, 100, 0], b"junk", &AQD]);
        let (ev, stats) = all(&bytes);
        assert_eq!(ev.len(), 2, "{ev:?}");
        let s = skip(&ev[0]);
        assert_eq!((s.offset, s.bytes), (0, 8));
        assert!(matches!(
            s.reason,
            NortekError::Truncated {
                id: Some(0x21),
                expected: Some(200),
                got: 50
            }
        ));
        assert!(matches!(ev[1], Event::Record { offset: 8, .. }));
        assert_eq!(
            stats.record_bytes + stats.skipped_bytes(),
            bytes.len() as u64
        );
    }

    #[test]
    fn truncated_at_end_and_lone_sync() {
        let (ev, stats) = all(&AQD[..30]);
        assert_eq!(ev.len(), 1);
        assert_eq!(
            skip(&ev[0]).reason,
            NortekError::Truncated {
                id: Some(1),
                expected: Some(42),
                got: 30
            }
        );
        assert_eq!(
            stats.truncated,
            SkipCount {
                events: 1,
                bytes: 30
            }
        );
        let (ev, _) = all(&[0xa5]);
        assert_eq!(
            skip(&ev[0]).reason,
            NortekError::Truncated {
                id: None,
                expected: None,
                got: 1
            }
        );
        let (ev, _) = all(&[]);
        assert!(ev.is_empty());
    }

    #[test]
    fn byte_by_byte_equals_one_feed() {
        let mut bad = VEC;
        bad[23] = 0xf2;
        let bytes = cat(&[b"??", &AQD, &bad, &[0xa5, 0x05, 0xff], &VEC, &AQD[..20]]);
        let (whole, _) = all(&bytes);
        let mut d = Decoder::new();
        let mut chunked = Vec::new();
        for b in &bytes {
            chunked.extend(d.feed(core::slice::from_ref(b)));
        }
        chunked.extend(d.finish());
        assert_eq!(whole, chunked);
        assert_eq!(d.stats().bytes_in, bytes.len() as u64);
    }

    #[test]
    fn configuration_in_force_scales_vector_velocity() {
        // A Vector system record with status b1 set announces 0.1 mm/s for what follows.
        let mut sys = [
            0xa5, 0x11, 0x0e, 0x00, 0x29, 0x02, 0x03, 0x01, 0x02, 0x01, 0x93, 0x00, 0x98, 0x3a,
            0xb6, 0x0b, 0xe7, 0xff, 0x31, 0xff, 0x33, 0x09, 0x00, 0x62, 0x00, 0x00, 0, 0,
        ];
        let cs = checksum(&sys[..26]).to_le_bytes();
        sys[26..].copy_from_slice(&cs);
        let mut d = Decoder::new();
        let ev: Vec<Event> = d.feed(&cat(&[&sys, &VEC])).collect();
        let Event::Record {
            record: Record::VectorVelocity(v),
            ..
        } = &ev[1]
        else {
            panic!("{ev:?}")
        };
        assert!((v.velocity_m_s[1] - 0.8884).abs() < 1e-12);
        assert_eq!(d.config_in_force().velocity_scaling_tenth_mm, Some(true));
    }
}
