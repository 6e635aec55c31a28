//! WET Labs C-Star transmissometer: one ASCII line per sample (reference: instruments.md §5).
//!
//! ```text
//! CST-2405PR  11531  15780  15783  -0.087  544
//! ```
//! Fields, separated by blanks or TABs: `CST-<serial><suffix>`, reference counts, signal
//! counts, corrected signal counts, beam attenuation c (1/m, computed by the instrument),
//! thermistor counts. Bytes before `CST-` are skipped and counted; XON/XOFF count as blanks.
//! The instrument has no clock: a data-logger prefix (`2026/03/01 00:05:00.000 `, see
//! [`crate::lines::logger`]), as the MII's logger writes before each line, gives the
//! sample's time.
//!
//! - [`decode_line`]: one line in, one [`CStarLine`] or [`CStarError`] out.
//! - [`CStarDecoder`]: the same over a byte stream cut anywhere, with counts.

use core::fmt;

use crate::lines::{fields, logger, LineEvent, LineSplitter, LineStats};
use crate::time::UtcTime;

/// The start of every C-Star record.
const ANCHOR: &[u8] = b"CST-";
/// Fields of a record, the identifier included.
const FIELDS: usize = 6;
/// Longest serial-number suffix kept (`PR`, `DR` seen).
pub const CSTAR_SUFFIX_CAPACITY: usize = 4;
/// Default longest C-Star line kept, in bytes (a record is about 45).
pub const CSTAR_LINE_CAPACITY: usize = 256;

/// One C-Star sample.
#[derive(Debug, Clone, PartialEq)]
pub struct CStarSample {
    /// The data logger's timestamp of the line, when it had a logger prefix.
    pub time: Option<UtcTime>,
    /// The serial number (`2405` in `CST-2405PR`).
    pub serial: u32,
    /// The letters after the serial number (`PR` in `CST-2405PR`), possibly empty.
    pub suffix: heapless::String<CSTAR_SUFFIX_CAPACITY>,
    /// Reference detector, counts.
    pub reference_counts: u32,
    /// Signal detector, counts.
    pub signal_counts: u32,
    /// Signal corrected by the instrument, raw counts.
    pub corrected_counts: u32,
    /// Beam attenuation coefficient c as computed by the instrument, 1/m.
    pub beam_attenuation_per_m: f64,
    /// Internal thermistor, counts.
    pub thermistor_counts: u32,
}

/// What one line turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum CStarLine {
    /// A sample.
    Sample {
        /// The decoded sample.
        sample: CStarSample,
        /// Garbage bytes skipped before `CST-` (blanks and XON/XOFF not counted).
        skipped_bytes: usize,
    },
    /// Nothing but blanks and XON/XOFF.
    Blank,
}

/// A field of a C-Star record, for naming what was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CStarField {
    /// `CST-<serial><suffix>`.
    Identifier,
    /// Reference counts.
    Reference,
    /// Signal counts.
    Signal,
    /// Corrected signal counts.
    Corrected,
    /// Beam attenuation c.
    BeamAttenuation,
    /// Thermistor counts.
    Thermistor,
}

impl fmt::Display for CStarField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CStarField::Identifier => "identifier CST-<serial><suffix>",
            CStarField::Reference => "reference counts",
            CStarField::Signal => "signal counts",
            CStarField::Corrected => "corrected signal counts",
            CStarField::BeamAttenuation => "beam attenuation",
            CStarField::Thermistor => "thermistor counts",
        })
    }
}

/// Why a line is not a C-Star record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CStarError {
    /// No `CST-` in the line.
    #[error("no C-Star record in the line (no `CST-`)")]
    NoRecord,
    /// Not six fields after `CST-`.
    #[error("expected {expected} fields, found {found}")]
    FieldCount {
        /// Fields the format has.
        expected: usize,
        /// Fields found.
        found: usize,
    },
    /// A field is not a number of the expected form (the identifier: not
    /// `CST-<digits><up to 4 letters>`).
    #[error("field {0} is malformed")]
    Malformed(CStarField),
    /// The logger timestamp prefix has an impossible date or time.
    #[error("logger timestamp prefix is not a valid date and time")]
    BadLoggerTime,
}

/// Decodes one line (with or without its CR LF). Never panics.
pub fn decode_line(line: &[u8]) -> Result<CStarLine, CStarError> {
    let prefixed = logger::split(line).map_err(|_| CStarError::BadLoggerTime)?;
    let line = fields::trim_blank(prefixed.payload);
    if line.is_empty() {
        return Ok(CStarLine::Blank);
    }
    let start = fields::find(line, ANCHOR).ok_or(CStarError::NoRecord)?;
    // `start` is a position inside `line` (from `find`), so the split cannot fail.
    let (garbage, record) = line.split_at(start);
    let found = fields::tokens(record).count();
    if found != FIELDS {
        return Err(CStarError::FieldCount {
            expected: FIELDS,
            found,
        });
    }
    let mut tokens = fields::tokens(record);
    let (serial, suffix) = parse_identifier(tokens.next().unwrap_or(&[]))?;
    let mut next_count =
        |field| fields::parse_u32(tokens.next().unwrap_or(&[])).ok_or(CStarError::Malformed(field));
    let reference_counts = next_count(CStarField::Reference)?;
    let signal_counts = next_count(CStarField::Signal)?;
    let corrected_counts = next_count(CStarField::Corrected)?;
    let beam_attenuation_per_m = fields::parse_decimal(tokens.next().unwrap_or(&[]))
        .ok_or(CStarError::Malformed(CStarField::BeamAttenuation))?;
    let thermistor_counts = fields::parse_u32(tokens.next().unwrap_or(&[]))
        .ok_or(CStarError::Malformed(CStarField::Thermistor))?;
    Ok(CStarLine::Sample {
        sample: CStarSample {
            time: prefixed.time,
            serial,
            suffix,
            reference_counts,
            signal_counts,
            corrected_counts,
            beam_attenuation_per_m,
            thermistor_counts,
        },
        skipped_bytes: garbage.iter().filter(|&&b| !fields::is_blank(b)).count(),
    })
}

/// Parses `CST-<digits><letters>`.
fn parse_identifier(
    token: &[u8],
) -> Result<(u32, heapless::String<CSTAR_SUFFIX_CAPACITY>), CStarError> {
    let bad = CStarError::Malformed(CStarField::Identifier);
    let rest = token.strip_prefix(ANCHOR).ok_or(bad)?;
    let digits_end = rest
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(rest.len());
    let (digits, letters) = rest.split_at(digits_end);
    let serial = fields::parse_u32(digits).ok_or(bad)?;
    if !letters.iter().all(u8::is_ascii_alphabetic) {
        return Err(bad);
    }
    let mut suffix = heapless::String::new();
    // `letters` is ASCII (checked above), so it is valid UTF-8.
    let letters = core::str::from_utf8(letters).map_err(|_| bad)?;
    suffix.push_str(letters).map_err(|_| bad)?;
    Ok((serial, suffix))
}

/// One result of a [`CStarDecoder`].
#[derive(Debug, Clone, PartialEq)]
pub enum CStarEvent<'a> {
    /// A complete line (without CR LF) and what it decoded to.
    Line {
        /// The line's bytes, for logging a rejected line as it came.
        raw: &'a [u8],
        /// The decoded line, or why it is not a record.
        result: Result<CStarLine, CStarError>,
    },
    /// A line longer than the decoder's capacity: its first bytes; the rest was discarded.
    Overflow {
        /// The first `N` bytes of the line.
        head: &'a [u8],
    },
}

/// Counts of what a [`CStarDecoder`] has seen; every line lands in exactly one count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CStarStats {
    /// Lines that gave a sample.
    pub samples: u64,
    /// Blank lines.
    pub blank_lines: u64,
    /// Lines rejected with a [`CStarError`].
    pub rejected: u64,
    /// Overlong lines discarded.
    pub overflows: u64,
    /// Garbage bytes skipped in front of records.
    pub skipped_bytes: u64,
}

/// Decodes C-Star lines from byte chunks of any size, holding at most `N` bytes between feeds.
///
/// Promises: sans-IO, allocation-free, never panics; the events do not depend on how the
/// stream was cut; every line is reported, and one bad line never affects the next.
#[derive(Debug, Clone, Default)]
pub struct CStarDecoder<const N: usize = CSTAR_LINE_CAPACITY> {
    lines: LineSplitter<N>,
    stats: CStarStats,
}

impl<const N: usize> CStarDecoder<N> {
    /// A decoder at the start of a stream.
    pub const fn new() -> Self {
        CStarDecoder {
            lines: LineSplitter::new(),
            stats: CStarStats {
                samples: 0,
                blank_lines: 0,
                rejected: 0,
                overflows: 0,
                skipped_bytes: 0,
            },
        }
    }

    /// Counts so far.
    pub fn stats(&self) -> CStarStats {
        self.stats
    }

    /// The line splitter's counts (lines, overflows, discarded bytes).
    pub fn line_stats(&self) -> LineStats {
        self.lines.stats()
    }

    /// Consumes `input` up to the next event and returns it; `None` once `input` is used up.
    /// Call in a loop with the same `input` until `None` (see [`LineSplitter::next_event`]).
    pub fn next_event<'a, 'i: 'a>(&'a mut self, input: &mut &'i [u8]) -> Option<CStarEvent<'a>> {
        let event = self.lines.next_event(input)?;
        Some(classify(&mut self.stats, event))
    }

    /// Feeds one chunk, calling `on_event` for every event it completes, in stream order.
    pub fn feed(&mut self, mut input: &[u8], mut on_event: impl FnMut(CStarEvent<'_>)) {
        while let Some(event) = self.next_event(&mut input) {
            on_event(event);
        }
    }

    /// Ends the stream: decodes a last line that had no LF, if any, and resets for a new stream.
    pub fn finish(&mut self) -> Option<CStarEvent<'_>> {
        let line = self.lines.finish()?;
        Some(classify(&mut self.stats, LineEvent::Line(line)))
    }
}

/// Decodes a line event and counts it.
fn classify<'a>(stats: &mut CStarStats, event: LineEvent<'a>) -> CStarEvent<'a> {
    match event {
        LineEvent::Overflow { head } => {
            stats.overflows += 1;
            CStarEvent::Overflow { head }
        }
        LineEvent::Line(raw) => {
            let result = decode_line(raw);
            match &result {
                Ok(CStarLine::Sample { skipped_bytes, .. }) => {
                    stats.samples += 1;
                    stats.skipped_bytes += *skipped_bytes as u64;
                }
                Ok(CStarLine::Blank) => stats.blank_lines += 1,
                Err(_) => stats.rejected += 1,
            }
            CStarEvent::Line { raw, result }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        let (serial, suffix) = parse_identifier(b"CST-2405PR").unwrap();
        assert_eq!((serial, suffix.as_str()), (2405, "PR"));
        let (serial, suffix) = parse_identifier(b"CST-1234").unwrap();
        assert_eq!((serial, suffix.as_str()), (1234, ""));
        for bad in [
            &b"CST-"[..],
            b"CST-PR",
            b"CST-12P3",
            b"CST-12ABCDE",
            b"CST2405PR",
        ] {
            assert_eq!(
                parse_identifier(bad),
                Err(CStarError::Malformed(CStarField::Identifier)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(decode_line(b"hello"), Err(CStarError::NoRecord));
        assert_eq!(
            decode_line(b"CST-2405PR 1 2 3 -0.087"),
            Err(CStarError::FieldCount {
                expected: 6,
                found: 5
            })
        );
        assert_eq!(
            decode_line(b"CST-2405PR 1 2 3 x 5"),
            Err(CStarError::Malformed(CStarField::BeamAttenuation))
        );
        assert_eq!(
            decode_line(b"CST-2405PR 1 -2 3 0.1 5"),
            Err(CStarError::Malformed(CStarField::Signal))
        );
        assert_eq!(decode_line(b" \r\n"), Ok(CStarLine::Blank));
        assert_eq!(
            decode_line(b"2026/13/01 00:00:00.000 CST-2405PR 1 2 3 0.1 5"),
            Err(CStarError::BadLoggerTime)
        );
    }

    #[test]
    fn a_logger_prefix_gives_the_time() {
        let line = b"2026/03/01 00:05:00.250 CST-1234DR  11531  14290  14293  0.398  544\r\n";
        let Ok(CStarLine::Sample {
            sample,
            skipped_bytes,
        }) = decode_line(line)
        else {
            panic!("not a sample")
        };
        assert_eq!(skipped_bytes, 0);
        assert_eq!(sample.time, UtcTime::from_civil(2026, 3, 1, 0, 5, 0, 250));
        assert_eq!((sample.serial, sample.signal_counts), (1234, 14290));
        let Ok(CStarLine::Sample { sample, .. }) = decode_line(&line[24..]) else {
            panic!("not a sample")
        };
        assert_eq!(sample.time, None, "no prefix, no time");
    }
}
