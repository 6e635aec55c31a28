//! Whole-file decoding of instrument formats into [`Record`]s, for `albatross decode`.
//!
//! [`decode_stream`] reads a file (any [`Input`]: a buffered, seekable reader) and a
//! [`Format`] (or [`Format::Auto`], which asks [`sniff`] to recognise the content), hands
//! every record to a sink in file order and returns a [`Report`]: records per type, and
//! every bad record or skipped byte run with its place and reason (the first
//! [`KEPT_ISSUES`] kept, all counted). [`decode`] does the same on bytes in memory. One bad
//! record never stops the decoding; only a file whose format cannot be recognised, or whose
//! header makes the rest unreadable (an SBE 37 `.hex` without `*END*`), fails as a whole
//! ([`DecodeError`]).
//!
//! The decoding streams: the input is read in bounded pieces (one line at a time for the
//! line formats, a buffered chunk or a window of at most two SIO blocks for the binary
//! ones) into the protocol crate's sans-IO decoders, so that memory does not grow with the
//! file (it grows with the longest line of a line format, and with the `*` header of an
//! SBE 37 `.hex`). Sniffing reads the first [`sniff::SNIFF_BYTES`]; formats that need two
//! passes (layout learning of SBE 37 ASCII/IM lines) seek back to where the input started
//! and read it again.

mod cstar;
mod nortek;
mod optode;
mod report;
mod sbe37;
pub mod sniff;

use std::fmt;
use std::io::{self, BufRead, Read, Seek, SeekFrom};

pub use report::{Issue, Report, KEPT_ISSUES};

use crate::record::Record;

/// The input formats `albatross decode` understands (the command line parses them by
/// [`Format::name`] through [`std::str::FromStr`]: the library does not depend on clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Recognise the format from the content.
    Auto,
    /// SBE 37 real-time converted decimal lines (`24.8339,  0.97795, …, 07 Jan 2000, 04:51:39`).
    Sbe37Ascii,
    /// SBE 37 inductive-modem replies (`ii, nnnnn, …` or ` nnnnn, …`).
    Sbe37Im,
    /// SBE 37 real-time raw decimal lines (`OutputFormat=0`: counts, C frequency, date, time;
    /// optionally behind an IM `ii,` ID). Never chosen by `auto`.
    Sbe37Raw,
    /// SBE 37 memory upload `.hex` (`*` header with calibration, one hex scan per line).
    Sbe37Hex,
    /// SBE 37-IM `#MCAT Status … #Begin Data` dump made by an IM controller (OOI imodem).
    Sbe37OoiIm,
    /// OOI SIO controller blocks of a line of SBE 37-IM (`ctdmo` CT/CO records).
    OoiCtdmo,
    /// Nortek classic binary (Aquadopp, Aquadopp Profiler, AWAC, HR, Vector).
    Nortek,
    /// Aanderaa oxygen optode lines (3830/3835/4330/4531/4831), with or without logger prefix.
    Optode,
    /// WET Labs C-Star transmissometer lines (`CST-2405PR  11531 …`).
    Cstar,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 10] = [
        Format::Auto,
        Format::Sbe37Ascii,
        Format::Sbe37Im,
        Format::Sbe37Raw,
        Format::Sbe37Hex,
        Format::Sbe37OoiIm,
        Format::OoiCtdmo,
        Format::Nortek,
        Format::Optode,
        Format::Cstar,
    ];

    /// One line saying what the format is (the `--format` help).
    pub fn summary(self) -> &'static str {
        match self {
            Format::Auto => "Recognise the format from the content",
            Format::Sbe37Ascii => {
                "SBE 37 real-time converted decimal lines (`24.8339,  0.97795, …, 07 Jan 2000, 04:51:39`)"
            }
            Format::Sbe37Im => "SBE 37 inductive-modem replies (`ii, nnnnn, …` or ` nnnnn, …`)",
            Format::Sbe37Raw => {
                "SBE 37 raw decimal lines (OutputFormat=0: T counts, C Hz, P counts, …; not sniffed)"
            }
            Format::Sbe37Hex => {
                "SBE 37 memory upload `.hex` (`*` header with calibration, one hex scan per line)"
            }
            Format::Sbe37OoiIm => {
                "SBE 37-IM `#MCAT Status … #Begin Data` dump made by an IM controller (OOI imodem)"
            }
            Format::OoiCtdmo => {
                "OOI SIO controller blocks of a line of SBE 37-IM (`ctdmo` CT/CO records)"
            }
            Format::Nortek => "Nortek classic binary (Aquadopp, Aquadopp Profiler, AWAC, HR, Vector)",
            Format::Optode => {
                "Aanderaa oxygen optode lines (3830/3835/4330/4531/4831), with or without logger prefix"
            }
            Format::Cstar => "WET Labs C-Star transmissometer lines (`CST-2405PR  11531 …`)",
        }
    }

    /// The name used on the command line (`sbe37-hex`, `nortek`, …).
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Sbe37Ascii => "sbe37-ascii",
            Format::Sbe37Im => "sbe37-im",
            Format::Sbe37Raw => "sbe37-raw",
            Format::Sbe37Hex => "sbe37-hex",
            Format::Sbe37OoiIm => "sbe37-ooi-im",
            Format::OoiCtdmo => "ooi-ctdmo",
            Format::Nortek => "nortek",
            Format::Optode => "optode",
            Format::Cstar => "cstar",
        }
    }
}

/// A format name that is none of [`Format::name`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0:?}")]
pub struct UnknownFormat(pub String);

impl std::str::FromStr for Format {
    type Err = UnknownFormat;

    /// The format called `name` ([`Format::name`], exactly).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| UnknownFormat(name.to_owned()))
    }
}

/// Why a file could not be decoded at all.
#[derive(Debug)]
pub enum DecodeError {
    /// `--format auto` found no known format in the content.
    NotRecognised,
    /// The file's header, which the rest depends on, is not valid for the format.
    BadHeader {
        /// The format tried.
        format: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// The sink failed (stdout closed, disk full).
    Output(io::Error),
    /// Reading (or seeking back in) the input failed.
    Input(io::Error),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::NotRecognised => f.write_str(
                "format not recognised (none of sbe37-hex, sbe37-ooi-im, ooi-ctdmo, nortek, \
                 optode, cstar, sbe37-im, sbe37-ascii fits); give one with --format",
            ),
            DecodeError::BadHeader { format, reason } => {
                write!(f, "not a valid {format} file: {reason}")
            }
            DecodeError::Output(e) => write!(f, "writing records: {e}"),
            DecodeError::Input(e) => write!(f, "reading the input: {e}"),
        }
    }
}

impl std::error::Error for DecodeError {}

impl From<io::Error> for DecodeError {
    /// An I/O error of the sink (input errors are mapped to [`DecodeError::Input`] where
    /// the input is read).
    fn from(e: io::Error) -> Self {
        DecodeError::Output(e)
    }
}

/// What [`decode_stream`] reads: buffered (so that lines and chunks come in bounded
/// pieces) and seekable (so that a second pass reads the file again instead of keeping a
/// copy). A `BufReader<File>` and an `io::Cursor<&[u8]>` are both inputs.
pub trait Input: BufRead + Seek {}

impl<T: BufRead + Seek> Input for T {}

/// Reads an [`Input`] one line at a time, each line converted to text on its own
/// (invalid UTF-8 replaced as `String::from_utf8_lossy` does), so that only the current
/// line is held. Splitting after each `\n` gives the same text and the same lines as
/// converting the whole file first: a `\n` never belongs to a multi-byte sequence.
pub(crate) struct LineReader<'a> {
    input: &'a mut dyn Input,
    bytes: Vec<u8>,
    text: String,
}

impl<'a> LineReader<'a> {
    /// Lines of `input` from where it is now.
    pub(crate) fn new(input: &'a mut dyn Input) -> Self {
        LineReader {
            input,
            bytes: Vec::new(),
            text: String::new(),
        }
    }

    /// The next piece of the input up to and including its `\n` (the last piece may have
    /// none), as text; `None` at the end of the input.
    pub(crate) fn next_raw(&mut self) -> Result<Option<&str>, DecodeError> {
        self.bytes.clear();
        let n = self
            .input
            .read_until(b'\n', &mut self.bytes)
            .map_err(DecodeError::Input)?;
        if n == 0 {
            return Ok(None);
        }
        Ok(Some(match std::str::from_utf8(&self.bytes) {
            Ok(s) => s,
            Err(_) => {
                self.text = String::from_utf8_lossy(&self.bytes).into_owned();
                &self.text
            }
        }))
    }

    /// The next line without its `\n` or `\r\n` (as `str::lines` gives it); `None` at the
    /// end of the input.
    pub(crate) fn next_line(&mut self) -> Result<Option<&str>, DecodeError> {
        Ok(self
            .next_raw()?
            .map(|raw| raw.lines().next().unwrap_or_default()))
    }
}

/// Feeds every buffered chunk of `input` to `f`, to the end of the input.
pub(crate) fn for_each_chunk(
    input: &mut dyn Input,
    mut f: impl FnMut(&[u8]) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    loop {
        let chunk = input.fill_buf().map_err(DecodeError::Input)?;
        if chunk.is_empty() {
            return Ok(());
        }
        let n = chunk.len();
        f(chunk)?;
        input.consume(n);
    }
}

/// Moves `input` back to `start` (for a second pass); a failure is [`DecodeError::Input`].
pub fn rewind(input: &mut dyn Input, start: u64) -> Result<(), DecodeError> {
    input
        .seek(SeekFrom::Start(start))
        .map(|_| ())
        .map_err(DecodeError::Input)
}

/// Where decoded records go; an error stops the decoding (see [`DecodeError::Output`]).
pub type Sink<'a> = dyn FnMut(Record) -> io::Result<()> + 'a;

/// Decodes `data` as `format` (sniffing it first for [`Format::Auto`]), giving every record
/// to `sink` in file order. The report's `format` is the one actually used. The same as
/// [`decode_stream`] on the bytes.
pub fn decode(format: Format, data: &[u8], sink: &mut Sink<'_>) -> Result<Report, DecodeError> {
    decode_stream(format, &mut io::Cursor::new(data), sink)
}

/// Decodes `input`, from where it is now to its end, as `format` (sniffing its first
/// [`sniff::SNIFF_BYTES`] for [`Format::Auto`]), giving every record to `sink` in file
/// order, with memory that does not grow with the input (see the module documentation).
/// The report's `format` is the one actually used; the output is the same as [`decode`]
/// of the input's bytes. An input that fails to read or seek gives [`DecodeError::Input`].
pub fn decode_stream(
    format: Format,
    input: &mut dyn Input,
    sink: &mut Sink<'_>,
) -> Result<Report, DecodeError> {
    let start = input.stream_position().map_err(DecodeError::Input)?;
    let (format, detected) = match format {
        Format::Auto => {
            let mut head = Vec::new();
            Read::take(&mut *input, sniff::SNIFF_BYTES as u64)
                .read_to_end(&mut head)
                .map_err(DecodeError::Input)?;
            rewind(input, start)?;
            (sniff::sniff(&head).ok_or(DecodeError::NotRecognised)?, true)
        }
        f => (f, false),
    };
    let mut report = Report::new(format, detected);
    let mut emit = |r: Record, report: &mut Report| -> io::Result<()> {
        report.count(r.kind);
        sink(r)
    };
    match format {
        Format::Auto => return Err(DecodeError::NotRecognised),
        Format::Sbe37Ascii => sbe37::ascii(input, start, false, &mut report, &mut emit)?,
        Format::Sbe37Im => sbe37::ascii(input, start, true, &mut report, &mut emit)?,
        Format::Sbe37Raw => sbe37::raw(input, &mut report, &mut emit)?,
        Format::Sbe37Hex => sbe37::hex(input, &mut report, &mut emit)?,
        Format::Sbe37OoiIm => sbe37::mcat_dump(input, &mut report, &mut emit)?,
        Format::OoiCtdmo => sbe37::ctdmo(input, &mut report, &mut emit)?,
        Format::Nortek => nortek::decode(input, &mut report, &mut emit)?,
        Format::Optode => optode::decode(input, &mut report, &mut emit)?,
        Format::Cstar => cstar::decode(input, &mut report, &mut emit)?,
    }
    Ok(report)
}

/// The callback the per-format decoders emit through: counts the record, then sinks it.
type Emit<'a> = dyn FnMut(Record, &mut Report) -> io::Result<()> + 'a;

/// The record of one decoded Nortek data structure (`None` for configurations), for the
/// gateway's streaming instrument links.
pub fn nortek_record(
    s: &protocol::instruments::nortek::Record,
    serial: Option<String>,
) -> Option<Record> {
    nortek::data_record(s, serial)
}

/// The serial number a Nortek hardware configuration gives.
pub fn nortek_serial(hw: &protocol::instruments::nortek::HardwareConfiguration) -> String {
    nortek::serial_of(hw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_parses_back_from_its_name_and_only_from_it() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
        assert_eq!(
            "SBE37-HEX".parse::<Format>(),
            Err(UnknownFormat("SBE37-HEX".into()))
        );
    }
}
