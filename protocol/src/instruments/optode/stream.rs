//! [`OptodeDecoder`]: optode lines decoded from a byte stream cut anywhere.

use super::{decode_line, OptodeError, OptodeLine};
use crate::lines::{LineEvent, LineSplitter, LineStats};

/// Default longest optode line kept, in bytes (a labelled 4330 line is about 250 bytes, a
/// 4831 line behind a logger prefix and power-up garbage about 200).
pub const OPTODE_LINE_CAPACITY: usize = 512;

/// One result of an [`OptodeDecoder`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptodeEvent<'a> {
    /// A complete line and what it decoded to; `raw` is the line (without CR LF), so a
    /// rejected line can be logged as it came.
    Line {
        /// The line's bytes.
        raw: &'a [u8],
        /// The decoded line, or why it is not a record.
        result: Result<OptodeLine<'a>, OptodeError>,
    },
    /// A line longer than the decoder's capacity: its first bytes; the rest was discarded.
    Overflow {
        /// The first `N` bytes of the line.
        head: &'a [u8],
    },
}

/// Counts of what an [`OptodeDecoder`] has seen; every line lands in exactly one count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OptodeStats {
    /// Lines that gave a sample.
    pub samples: u64,
    /// Data-logger status lines.
    pub logger_messages: u64,
    /// Blank lines and `#` acknowledgements.
    pub other_lines: u64,
    /// Lines rejected with an [`OptodeError`].
    pub rejected: u64,
    /// Overlong lines discarded.
    pub overflows: u64,
    /// Garbage bytes skipped in front of records (included in `samples` lines).
    pub skipped_bytes: u64,
}

/// Decodes optode lines from byte chunks of any size, holding at most `N` bytes between feeds.
///
/// Promises: sans-IO, allocation-free, never panics; the events do not depend on how the
/// stream was cut into chunks; every line is reported (sample, logger message, other, or
/// rejected with its raw bytes), and one bad line never affects the next.
#[derive(Debug, Clone, Default)]
pub struct OptodeDecoder<const N: usize = OPTODE_LINE_CAPACITY> {
    lines: LineSplitter<N>,
    stats: OptodeStats,
}

impl<const N: usize> OptodeDecoder<N> {
    /// A decoder at the start of a stream.
    pub const fn new() -> Self {
        OptodeDecoder {
            lines: LineSplitter::new(),
            stats: OptodeStats {
                samples: 0,
                logger_messages: 0,
                other_lines: 0,
                rejected: 0,
                overflows: 0,
                skipped_bytes: 0,
            },
        }
    }

    /// Counts so far.
    pub fn stats(&self) -> OptodeStats {
        self.stats
    }

    /// The line splitter's counts (lines, overflows, discarded bytes).
    pub fn line_stats(&self) -> LineStats {
        self.lines.stats()
    }

    /// Consumes `input` up to the next event and returns it; `None` once `input` is used up.
    /// Call in a loop with the same `input` until `None` (see [`LineSplitter::next_event`]).
    pub fn next_event<'a, 'i: 'a>(&'a mut self, input: &mut &'i [u8]) -> Option<OptodeEvent<'a>> {
        let event = self.lines.next_event(input)?;
        Some(classify(&mut self.stats, event))
    }

    /// Feeds one chunk, calling `on_event` for every event it completes, in stream order.
    pub fn feed(&mut self, mut input: &[u8], mut on_event: impl FnMut(OptodeEvent<'_>)) {
        while let Some(event) = self.next_event(&mut input) {
            on_event(event);
        }
    }

    /// Ends the stream: decodes a last line that had no LF, if any, and resets for a new stream.
    pub fn finish(&mut self) -> Option<OptodeEvent<'_>> {
        let line = self.lines.finish()?;
        Some(classify(&mut self.stats, LineEvent::Line(line)))
    }
}

/// Decodes a line event and counts it.
fn classify<'a>(stats: &mut OptodeStats, event: LineEvent<'a>) -> OptodeEvent<'a> {
    match event {
        LineEvent::Overflow { head } => {
            stats.overflows += 1;
            OptodeEvent::Overflow { head }
        }
        LineEvent::Line(raw) => {
            let result = decode_line(raw);
            match &result {
                Ok(OptodeLine::Sample { skipped_bytes, .. }) => {
                    stats.samples += 1;
                    stats.skipped_bytes += *skipped_bytes as u64;
                }
                Ok(OptodeLine::LoggerMessage { .. }) => stats.logger_messages += 1,
                Ok(OptodeLine::Ack | OptodeLine::Blank) => stats.other_lines += 1,
                Err(_) => stats.rejected += 1,
            }
            OptodeEvent::Line { raw, result }
        }
    }
}
