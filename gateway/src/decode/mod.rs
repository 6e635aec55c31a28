//! Whole-file decoding of instrument formats into [`Record`]s, for `albatross decode`.
//!
//! [`decode`] takes the file's bytes and a [`Format`] (or [`Format::Auto`], which asks
//! [`sniff`] to recognise the content), hands every record to a sink in file order and
//! returns a [`Report`]: records per type, and every bad record or skipped byte run with
//! its place and reason. One bad record never stops the decoding; only a file whose format
//! cannot be recognised, or whose header makes the rest unreadable (an SBE 37 `.hex`
//! without `*END*`), fails as a whole ([`DecodeError`]).

mod cstar;
mod nortek;
mod optode;
mod report;
mod sbe37;
pub mod sniff;

use std::fmt;
use std::io;

pub use report::{Issue, Report};

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
        }
    }
}

impl std::error::Error for DecodeError {}

impl From<io::Error> for DecodeError {
    fn from(e: io::Error) -> Self {
        DecodeError::Output(e)
    }
}

/// Where decoded records go; an error stops the decoding (see [`DecodeError::Output`]).
pub type Sink<'a> = dyn FnMut(Record) -> io::Result<()> + 'a;

/// Decodes `data` as `format` (sniffing it first for [`Format::Auto`]), giving every record
/// to `sink` in file order. The report's `format` is the one actually used.
pub fn decode(format: Format, data: &[u8], sink: &mut Sink<'_>) -> Result<Report, DecodeError> {
    let (format, detected) = match format {
        Format::Auto => (sniff::sniff(data).ok_or(DecodeError::NotRecognised)?, true),
        f => (f, false),
    };
    let mut report = Report::new(format, detected);
    let mut emit = |r: Record, report: &mut Report| -> io::Result<()> {
        report.count(r.kind);
        sink(r)
    };
    match format {
        Format::Auto => return Err(DecodeError::NotRecognised),
        Format::Sbe37Ascii => sbe37::ascii(data, false, &mut report, &mut emit)?,
        Format::Sbe37Im => sbe37::ascii(data, true, &mut report, &mut emit)?,
        Format::Sbe37Raw => sbe37::raw(data, &mut report, &mut emit)?,
        Format::Sbe37Hex => sbe37::hex(data, &mut report, &mut emit)?,
        Format::Sbe37OoiIm => sbe37::mcat_dump(data, &mut report, &mut emit)?,
        Format::OoiCtdmo => sbe37::ctdmo(data, &mut report, &mut emit)?,
        Format::Nortek => nortek::decode(data, &mut report, &mut emit)?,
        Format::Optode => optode::decode(data, &mut report, &mut emit)?,
        Format::Cstar => cstar::decode(data, &mut report, &mut emit)?,
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
