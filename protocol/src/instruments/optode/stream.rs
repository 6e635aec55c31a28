//! [`OptodeDecoder`]: optode lines decoded from a byte stream cut anywhere.

use super::{decode_line, OptodeError, OptodeLine};
use crate::lines::{logger, LineEvent, LineSplitter, LineStats};

/// Default longest optode line kept, in bytes (a labelled 4330 line is about 250 bytes, a
/// 4831 line behind a logger prefix and power-up garbage about 200).
pub const OPTODE_LINE_CAPACITY: usize = 512;

/// One result of an [`OptodeDecoder`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptodeEvent<'a> {
    /// A complete logger line and what it decoded to; `raw` is the line (without CR LF), so a
    /// rejected line can be logged as it came.
    ///
    /// A line with a logger timestamp inside it (the newline before the timestamp was lost)
    /// is two logger lines: one event up to the timestamp, then one from it, with `glued` set,
    /// so each record keeps its own time and values.
    Line {
        /// The line's bytes.
        raw: &'a [u8],
        /// The decoded line, or why it is not a record.
        result: Result<OptodeLine<'a>, OptodeError>,
        /// This logger line began inside the previous one's line (at a timestamp), not after
        /// a newline.
        glued: bool,
    },
    /// A line longer than the decoder's capacity: its first bytes; the rest was discarded.
    Overflow {
        /// The first `N` bytes of the line.
        head: &'a [u8],
    },
}

/// Counts of what an [`OptodeDecoder`] has seen; every logger line (a line, or each part of a
/// line cut at a timestamp inside it) lands in exactly one of the first five counts.
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
    /// Logger lines that began at a timestamp inside another line (included above).
    pub glued_lines: u64,
}

/// Decodes optode lines from byte chunks of any size, holding at most `N` bytes between feeds.
///
/// Promises: sans-IO, allocation-free, never panics; the events do not depend on how the
/// stream was cut into chunks; every line is reported (sample, logger message, other, or
/// rejected with its raw bytes), and one bad line never affects the next; a logger timestamp
/// inside a line starts a new logger line (see [`OptodeEvent::Line`]), so garbage, status
/// text or a record that lost its newline never lends its time to the record after it.
#[derive(Debug, Clone, Default)]
pub struct OptodeDecoder<const N: usize = OPTODE_LINE_CAPACITY> {
    lines: LineSplitter<N>,
    /// The current line, while logger lines of it remain to be handed out.
    line: heapless::Vec<u8, N>,
    /// Where the next logger line of `line` starts; `line.len()` when none remains.
    at: usize,
    stats: OptodeStats,
}

impl<const N: usize> OptodeDecoder<N> {
    /// A decoder at the start of a stream.
    pub const fn new() -> Self {
        OptodeDecoder {
            lines: LineSplitter::new(),
            line: heapless::Vec::new(),
            at: 0,
            stats: OptodeStats {
                samples: 0,
                logger_messages: 0,
                other_lines: 0,
                rejected: 0,
                overflows: 0,
                skipped_bytes: 0,
                glued_lines: 0,
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
        if self.at >= self.line.len() {
            let overflow = match self.lines.next_event(input)? {
                LineEvent::Overflow { head } => {
                    hold(&mut self.line, &mut self.at, head);
                    true
                }
                LineEvent::Line(raw) => {
                    hold(&mut self.line, &mut self.at, raw);
                    false
                }
            };
            if overflow {
                // Nothing of an overlong line is decoded.
                self.at = self.line.len();
                self.stats.overflows += 1;
                return Some(OptodeEvent::Overflow { head: &self.line });
            }
        }
        Some(self.next_logger_line())
    }

    /// Feeds one chunk, calling `on_event` for every event it completes, in stream order.
    pub fn feed(&mut self, mut input: &[u8], mut on_event: impl FnMut(OptodeEvent<'_>)) {
        while let Some(event) = self.next_event(&mut input) {
            on_event(event);
        }
    }

    /// Ends the stream: decodes a last line that had no LF, if any, and resets for a new
    /// stream. That line may hold several logger lines: call until `None`.
    pub fn finish(&mut self) -> Option<OptodeEvent<'_>> {
        if self.at >= self.line.len() {
            let raw = self.lines.finish()?;
            hold(&mut self.line, &mut self.at, raw);
        }
        Some(self.next_logger_line())
    }

    /// Decodes and counts the held line's next logger line: up to the next timestamp inside
    /// it, or to its end.
    fn next_logger_line(&mut self) -> OptodeEvent<'_> {
        let start = self.at;
        let rest = self.line.get(start..).unwrap_or(&[]);
        let len = logger::next_stamp(rest).unwrap_or(rest.len());
        self.at = start + len;
        let raw = rest.get(..len).unwrap_or(&[]);
        let glued = start > 0;
        let result = decode_line(raw);
        let stats = &mut self.stats;
        match &result {
            Ok(OptodeLine::Sample { skipped_bytes, .. }) => {
                stats.samples += 1;
                stats.skipped_bytes += *skipped_bytes as u64;
            }
            Ok(OptodeLine::LoggerMessage { .. }) => stats.logger_messages += 1,
            Ok(OptodeLine::Ack | OptodeLine::Blank) => stats.other_lines += 1,
            Err(_) => stats.rejected += 1,
        }
        if glued {
            stats.glued_lines += 1;
        }
        OptodeEvent::Line { raw, result, glued }
    }
}

/// Copies a complete line from the splitter, to be handed out one logger line at a time.
fn hold<const N: usize>(line: &mut heapless::Vec<u8, N>, at: &mut usize, raw: &[u8]) {
    line.clear();
    // The splitter never hands out more than `N` bytes, so this always fits.
    let _ = line.extend_from_slice(raw);
    *at = 0;
}
