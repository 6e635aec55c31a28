//! Line-oriented text protocols: a bounded, allocation-free line splitter and field helpers.
//!
//! - [`LineSplitter`]: fed byte chunks as they arrive (a line may be cut at any byte across
//!   feeds), yields each complete line; a runaway line that outgrows its fixed buffer is
//!   reported once as [`LineEvent::Overflow`] and the rest of it is discarded up to the next
//!   LF, so memory never grows.
//! - [`fields`]: splitting a line into fields and parsing plain decimal numbers.
//! - [`logger`]: the `YYYY/MM/DD HH:MM:SS.mmm ` timestamp prefix that a data logger puts in
//!   front of each instrument line.
//!
//! Used by the optode and C-Star decoders; meant to be reused by every ASCII instrument.

pub mod fields;
pub mod logger;

/// One thing found by a [`LineSplitter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEvent<'a> {
    /// A complete line, without its LF and without one CR just before the LF.
    Line(&'a [u8]),
    /// A line longer than the splitter's capacity: its first `N` bytes. The rest of that line,
    /// up to and including the next LF, is discarded (counted in [`LineStats`]).
    Overflow {
        /// The first `N` bytes of the overlong line (for logging the raw bytes).
        head: &'a [u8],
    },
}

/// Running counts kept by a [`LineSplitter`]; they only ever grow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineStats {
    /// Complete lines delivered as [`LineEvent::Line`].
    pub lines: u64,
    /// Overlong lines reported as [`LineEvent::Overflow`].
    pub overflows: u64,
    /// Bytes of overlong lines beyond the reported head (terminators not counted).
    pub discarded_bytes: u64,
}

/// Splits a byte stream into LF-terminated lines, holding at most `N` bytes of a partial line.
///
/// Promises:
/// - sans-IO and allocation-free: the caller hands in chunks of any size, in order;
/// - the events produced do not depend on how the stream was cut into chunks;
/// - a line is at most `N` bytes, counting a trailing CR but not the LF; a longer line gives
///   one [`LineEvent::Overflow`] with its first `N` bytes and nothing else;
/// - lines already complete in the handed chunk are returned without copying;
/// - never panics.
#[derive(Debug, Clone)]
pub struct LineSplitter<const N: usize> {
    buf: heapless::Vec<u8, N>,
    /// The content of `buf` was handed out and must be cleared before the next byte.
    handed_out: bool,
    /// Inside an overlong line: drop bytes up to the next LF.
    discarding: bool,
    stats: LineStats,
}

impl<const N: usize> Default for LineSplitter<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> LineSplitter<N> {
    /// An empty splitter.
    pub const fn new() -> Self {
        LineSplitter {
            buf: heapless::Vec::new(),
            handed_out: false,
            discarding: false,
            stats: LineStats {
                lines: 0,
                overflows: 0,
                discarded_bytes: 0,
            },
        }
    }

    /// The maximum line length `N` (bytes before the LF, a trailing CR included).
    pub const fn capacity(&self) -> usize {
        N
    }

    /// The running counts.
    pub fn stats(&self) -> LineStats {
        self.stats
    }

    /// Bytes of an unfinished line held between feeds.
    pub fn pending(&self) -> usize {
        if self.handed_out {
            0
        } else {
            self.buf.len()
        }
    }

    /// Consumes `input` from the front until one event is found, and returns it; `None` once
    /// `input` is used up (its bytes are then held for the next call, or discarded inside an
    /// overlong line). Call it in a loop with the same `input` until it returns `None`.
    pub fn next_event<'a, 'i: 'a>(&'a mut self, input: &mut &'i [u8]) -> Option<LineEvent<'a>> {
        if self.handed_out {
            self.buf.clear();
            self.handed_out = false;
        }
        loop {
            let data: &'i [u8] = input;
            if data.is_empty() {
                return None;
            }
            let newline = data.iter().position(|&b| b == b'\n');
            if self.discarding {
                let end = newline.unwrap_or(data.len());
                self.stats.discarded_bytes += end as u64;
                // `end` is a position inside `data` or its length: both valid split points.
                let (_, rest) = data.split_at(end);
                if newline.is_some() {
                    self.discarding = false;
                    *input = rest.get(1..).unwrap_or(&[]);
                } else {
                    *input = rest;
                }
                continue;
            }
            let (chunk, after) = match newline {
                Some(pos) => (data.get(..pos).unwrap_or(&[]), data.get(pos + 1..)),
                None => (data, None),
            };
            // The buffer never holds more than `N` bytes, so this cannot underflow.
            let room = N - self.buf.len();
            if chunk.len() > room {
                // Overlong: keep what fits as the head, drop the rest of the line.
                let (fits, beyond) = chunk.split_at(room);
                self.stats.overflows += 1;
                self.stats.discarded_bytes += beyond.len() as u64;
                match after {
                    Some(rest) => *input = rest,
                    None => {
                        *input = &[];
                        self.discarding = true;
                    }
                }
                return Some(LineEvent::Overflow {
                    head: if self.buf.is_empty() {
                        fits
                    } else {
                        self.hand_out(fits)
                    },
                });
            }
            let Some(rest) = after else {
                // No LF yet: hold the partial line (it fits, checked above).
                self.store(chunk);
                *input = &[];
                return None;
            };
            *input = rest;
            self.stats.lines += 1;
            let line = if self.buf.is_empty() {
                chunk
            } else {
                self.hand_out(chunk)
            };
            return Some(LineEvent::Line(strip_cr(line)));
        }
    }

    /// Feeds one chunk, calling `on_event` for every event it completes, in stream order.
    pub fn feed(&mut self, mut input: &[u8], mut on_event: impl FnMut(LineEvent<'_>)) {
        while let Some(event) = self.next_event(&mut input) {
            on_event(event);
        }
    }

    /// Ends the stream: returns the unterminated last line, if any (CR-stripped like a line),
    /// and resets the splitter for a new stream. Counted in [`LineStats::lines`].
    pub fn finish(&mut self) -> Option<&[u8]> {
        let was_discarding = core::mem::replace(&mut self.discarding, false);
        if self.handed_out || was_discarding || self.buf.is_empty() {
            self.buf.clear();
            self.handed_out = false;
            return None;
        }
        self.handed_out = true;
        self.stats.lines += 1;
        Some(strip_cr(&self.buf))
    }

    /// Appends `bytes` (which the caller checked fit) to the held partial line.
    fn store(&mut self, bytes: &[u8]) {
        // Callers check `bytes.len() <= N - self.buf.len()`, so this cannot fail.
        let _ = self.buf.extend_from_slice(bytes);
    }

    /// Appends `bytes` (which fit), marks the buffer as handed out and returns its content.
    fn hand_out(&mut self, bytes: &[u8]) -> &[u8] {
        self.store(bytes);
        self.handed_out = true;
        &self.buf
    }
}

/// `line` without one trailing CR.
fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use proptest::prelude::*;
    use std::vec::Vec;

    /// An owned copy of an event, for comparing runs.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Owned {
        Line(Vec<u8>),
        Overflow(Vec<u8>),
        Tail(Vec<u8>),
    }

    fn run<const N: usize>(chunks: &[&[u8]]) -> (Vec<Owned>, LineStats) {
        let mut s = LineSplitter::<N>::new();
        let mut out = Vec::new();
        for c in chunks {
            s.feed(c, |e| {
                out.push(match e {
                    LineEvent::Line(l) => Owned::Line(l.to_vec()),
                    LineEvent::Overflow { head } => Owned::Overflow(head.to_vec()),
                })
            });
        }
        if let Some(t) = s.finish() {
            out.push(Owned::Tail(t.to_vec()));
        }
        (out, s.stats())
    }

    #[test]
    fn splits_crlf_and_lf_lines_and_keeps_the_tail() {
        let (ev, st) = run::<16>(&[b"ab\r\ncd\n\nef"]);
        assert_eq!(
            ev,
            [
                Owned::Line(b"ab".to_vec()),
                Owned::Line(b"cd".to_vec()),
                Owned::Line(b"".to_vec()),
                Owned::Tail(b"ef".to_vec()),
            ]
        );
        assert_eq!(st.lines, 4);
    }

    #[test]
    fn overlong_line_is_reported_once_and_the_next_line_survives() {
        let (ev, st) = run::<4>(&[b"abcdefgh", b"ij\r\nok\n"]);
        assert_eq!(
            ev,
            [
                Owned::Overflow(b"abcd".to_vec()),
                Owned::Line(b"ok".to_vec())
            ]
        );
        assert_eq!(st.overflows, 1);
        assert_eq!(st.discarded_bytes, 7); // "efghij\r"
    }

    #[test]
    fn line_of_exactly_capacity_fits_and_one_more_does_not() {
        let (ev, _) = run::<4>(&[b"abc\r\nabcd\nabcde\n"]);
        assert_eq!(
            ev,
            [
                Owned::Line(b"abc".to_vec()),
                Owned::Line(b"abcd".to_vec()),
                Owned::Overflow(b"abcd".to_vec()),
            ]
        );
    }

    #[test]
    fn endless_line_keeps_memory_bounded() {
        let mut s = LineSplitter::<8>::new();
        let mut overflows = 0;
        for _ in 0..1000 {
            s.feed(&[b'x'; 100], |e| {
                assert!(matches!(e, LineEvent::Overflow { .. }));
                overflows += 1;
            });
            assert!(s.pending() <= 8);
        }
        assert_eq!(overflows, 1);
        assert_eq!(s.stats().discarded_bytes, 100_000 - 8);
        assert_eq!(s.finish(), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Cutting the stream anywhere never changes the events.
        #[test]
        fn chunking_does_not_change_events(
            data in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'\r'), any::<u8>()], 0..200),
            cuts in proptest::collection::vec(0usize..200, 0..8),
        ) {
            let whole = run::<7>(&[&data]);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
            cuts.sort_unstable();
            let mut chunks: Vec<&[u8]> = Vec::new();
            let mut start = 0;
            for c in cuts {
                chunks.push(&data[start..c]);
                start = c;
            }
            chunks.push(&data[start..]);
            prop_assert_eq!(run::<7>(&chunks), whole);
        }
    }
}
