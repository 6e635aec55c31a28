//! Aanderaa oxygen optodes: one text line per measurement (reference: instruments.md §4).
//!
//! Formats decoded, all tab/space separated and ending in CR LF:
//! - legacy 3830/3835: `MEASUREMENT  3830  677  Oxygen:  263.58  Saturation:  100.33
//!   Temperature:  23.96` (three values);
//! - labelled 4330/4330F: `MEASUREMENT 4330 20 O2Concentration(uM) 155.469
//!   AirSaturation(%) 36.054 Temperature(Deg.C) 2.024 CalPhase(Deg) ...` (ten values);
//! - labelled 4531: the same with square brackets, `O2Concentration[uM]` (three values);
//! - unlabelled 4831 (and any product number in that layout): twelve TAB-separated fields
//!   `4831 379 354.255 94.962 7.658 32.971 32.971 41.373 8.402 738.5 797.6 448.6`.
//!
//! Around the record: XON/XOFF bytes and blanks are skipped; a data-logger prefix
//! (`2015/03/30 00:00:15.376 `, see [`crate::lines::logger`]) gives the sample's time; bytes
//! of binary garbage before the `MEASUREMENT` keyword or the product number are skipped and
//! counted. The logger's own status lines (`[dosta1:DLOGP4]:Instrument Started [Power On]`)
//! are returned as such, everything else that is not a record is an error.
//!
//! Oxygen is taken as µmol/L: the labelled formats say `uM`; the legacy 3830/3835 line has no
//! unit, and its numbers only fit µM (reference §4), which depends on the optode's setting.
//!
//! - [`decode_line`]: one line in, one [`OptodeLine`] or [`OptodeError`] out.
//! - [`OptodeDecoder`]: the same over a byte stream cut anywhere, with counts.

mod labelled;
mod stream;
mod unlabelled;

pub use stream::{OptodeDecoder, OptodeEvent, OptodeStats, OPTODE_LINE_CAPACITY};

use core::fmt;

use crate::lines::{fields, logger};
use crate::time::UtcTime;

/// One optode measurement.
///
/// Promises: `oxygen_umol_l`, `saturation_pct` and `temperature_c` are always present; the
/// raw phase/amplitude fields are `Some` exactly when the line carried them (4330/4330F and
/// 4831 send all seven, 3830/3835 and 4531 none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptodeSample {
    /// The data logger's timestamp of the line, when it had a logger prefix.
    pub time: Option<UtcTime>,
    /// The product number (3830, 3835, 4330, 4531, 4831, ...); every format decoded today
    /// carries it, `None` is kept for formats that do not.
    pub model: Option<u16>,
    /// A letter after the product number (`F` in `4330F`), if any.
    pub model_suffix: Option<char>,
    /// The optode's serial number.
    pub serial: u32,
    /// Dissolved oxygen concentration, µmol/L.
    pub oxygen_umol_l: f64,
    /// Air saturation, %.
    pub saturation_pct: f64,
    /// Optode temperature, °C.
    pub temperature_c: f64,
    /// Calibrated phase, degrees.
    pub calphase_deg: Option<f64>,
    /// Temperature-compensated phase, degrees.
    pub tcphase_deg: Option<f64>,
    /// Phase measured with blue excitation (C1RPh), degrees.
    pub c1rph_deg: Option<f64>,
    /// Phase measured with red excitation (C2RPh), degrees.
    pub c2rph_deg: Option<f64>,
    /// Amplitude with blue excitation (C1Amp), mV.
    pub c1amp_mv: Option<f64>,
    /// Amplitude with red excitation (C2Amp), mV.
    pub c2amp_mv: Option<f64>,
    /// Raw thermistor voltage (RawTemp), mV.
    pub rawtemp_mv: Option<f64>,
}

/// What one line turned out to be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptodeLine<'a> {
    /// A measurement.
    Sample {
        /// The decoded measurement.
        sample: OptodeSample,
        /// Garbage bytes skipped before the record (blanks and XON/XOFF not counted).
        skipped_bytes: usize,
    },
    /// A status line of the data logger itself (`[tag]:` after the timestamp, printable text,
    /// no record), e.g. `Instrument Started [Power On]`.
    LoggerMessage {
        /// The logger's timestamp.
        time: Option<UtcTime>,
        /// The message text after the tag.
        text: &'a str,
    },
    /// The optode's command acknowledgement `#`.
    Ack,
    /// Nothing but blanks and XON/XOFF.
    Blank,
}

/// A field of an optode record, for naming what was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptodeField {
    /// Product number.
    Model,
    /// Serial number.
    Serial,
    /// Oxygen concentration.
    Oxygen,
    /// Air saturation.
    Saturation,
    /// Temperature.
    Temperature,
    /// CalPhase.
    CalPhase,
    /// TCPhase.
    TcPhase,
    /// C1RPh.
    C1RPh,
    /// C2RPh.
    C2RPh,
    /// C1Amp.
    C1Amp,
    /// C2Amp.
    C2Amp,
    /// RawTemp.
    RawTemp,
}

impl fmt::Display for OptodeField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OptodeField::Model => "product number",
            OptodeField::Serial => "serial number",
            OptodeField::Oxygen => "oxygen concentration",
            OptodeField::Saturation => "air saturation",
            OptodeField::Temperature => "temperature",
            OptodeField::CalPhase => "CalPhase",
            OptodeField::TcPhase => "TCPhase",
            OptodeField::C1RPh => "C1RPh",
            OptodeField::C2RPh => "C2RPh",
            OptodeField::C1Amp => "C1Amp",
            OptodeField::C2Amp => "C2Amp",
            OptodeField::RawTemp => "RawTemp",
        })
    }
}

/// Why a line is not an optode record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OptodeError {
    /// The logger timestamp prefix has an impossible date or time.
    #[error("logger timestamp prefix is not a valid date and time")]
    BadLoggerTime,
    /// Neither the `MEASUREMENT` keyword nor a `NNNN<TAB>` product number was found.
    #[error("no optode record in the line (no MEASUREMENT keyword or product number)")]
    NoRecord,
    /// The optode answered `*` (command error).
    #[error("the optode reported a command error (`*`)")]
    InstrumentError,
    /// An unlabelled line without the expected number of TAB-separated fields.
    #[error("expected {expected} TAB-separated fields, found {found}")]
    FieldCount {
        /// Fields the format has.
        expected: usize,
        /// Fields found.
        found: usize,
    },
    /// A field is not a number of the expected form.
    #[error("field {0} is not a number")]
    NotANumber(OptodeField),
    /// A labelled line ends right after a label.
    #[error("label for {0} has no value")]
    MissingValue(OptodeField),
    /// A required field is not in the line.
    #[error("field {0} is missing")]
    MissingField(OptodeField),
    /// A label appears twice.
    #[error("field {0} appears twice")]
    DuplicateField(OptodeField),
    /// A label's unit is not the one this decoder converts from.
    #[error("field {0} has an unexpected unit")]
    UnexpectedUnit(OptodeField),
    /// A label this decoder does not know (so the record is not guessed at).
    #[error("unknown label in a MEASUREMENT line")]
    UnknownLabel,
}

/// Decodes one line (with or without its CR LF). Never panics.
pub fn decode_line(line: &[u8]) -> Result<OptodeLine<'_>, OptodeError> {
    let prefixed = logger::split(line).map_err(|_| OptodeError::BadLoggerTime)?;
    let payload = fields::trim_blank(prefixed.payload);
    if payload.is_empty() {
        return Ok(OptodeLine::Blank);
    }
    match payload {
        b"#" => return Ok(OptodeLine::Ack),
        b"*" => return Err(OptodeError::InstrumentError),
        _ => {}
    }
    let found = if let Some(pos) = fields::find(payload, labelled::KEYWORD) {
        Some((pos, labelled::parse(payload.get(pos..).unwrap_or(&[]))))
    } else {
        unlabelled::find_and_parse(payload)
    };
    match found {
        Some((pos, Ok(mut sample))) => {
            sample.time = prefixed.time;
            let garbage = payload.get(..pos).unwrap_or(&[]);
            Ok(OptodeLine::Sample {
                sample,
                skipped_bytes: garbage.iter().filter(|&&b| !fields::is_blank(b)).count(),
            })
        }
        Some((_, Err(e))) => Err(e),
        None => match (prefixed.tag, core::str::from_utf8(payload)) {
            (Some(_), Ok(text))
                if payload
                    .iter()
                    .all(|&b| b.is_ascii() && !b.is_ascii_control()) =>
            {
                Ok(OptodeLine::LoggerMessage {
                    time: prefixed.time,
                    text,
                })
            }
            _ => Err(OptodeError::NoRecord),
        },
    }
}

/// A sample with the three required values and no time or raw fields, for the parsers to fill.
fn empty_sample(model: u16, model_suffix: Option<char>, serial: u32) -> OptodeSample {
    OptodeSample {
        time: None,
        model: Some(model),
        model_suffix,
        serial,
        oxygen_umol_l: 0.0,
        saturation_pct: 0.0,
        temperature_c: 0.0,
        calphase_deg: None,
        tcphase_deg: None,
        c1rph_deg: None,
        c2rph_deg: None,
        c1amp_mv: None,
        c2amp_mv: None,
        rawtemp_mv: None,
    }
}

/// Parses a product-number token: 1–5 digits and at most one ASCII letter (`4330F`).
fn parse_model(token: &[u8]) -> Result<(u16, Option<char>), OptodeError> {
    let bad = OptodeError::NotANumber(OptodeField::Model);
    let (digits, suffix) = match token.split_last() {
        Some((&last, rest)) if last.is_ascii_alphabetic() => (rest, Some(char::from(last))),
        _ => (token, None),
    };
    if digits.len() > 5 {
        return Err(bad);
    }
    let model = fields::parse_u32(digits).ok_or(bad)?;
    Ok((u16::try_from(model).map_err(|_| bad)?, suffix))
}

/// Parses a serial-number token.
fn parse_serial(token: &[u8]) -> Result<u32, OptodeError> {
    fields::parse_u32(token).ok_or(OptodeError::NotANumber(OptodeField::Serial))
}

/// Parses a value token of `field`.
fn parse_value(token: &[u8], field: OptodeField) -> Result<f64, OptodeError> {
    fields::parse_decimal(token).ok_or(OptodeError::NotANumber(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ack_blank_error_and_garbage() {
        assert_eq!(decode_line(b"#\r\n"), Ok(OptodeLine::Ack));
        assert_eq!(decode_line(b"\x13\x11 \t\r\n"), Ok(OptodeLine::Blank));
        assert_eq!(decode_line(b"*"), Err(OptodeError::InstrumentError));
        assert_eq!(decode_line(b"\xff\xfehello"), Err(OptodeError::NoRecord));
        assert_eq!(
            decode_line(b"2015/02/30 00:00:08.528 4831\t379"),
            Err(OptodeError::BadLoggerTime)
        );
    }

    #[test]
    fn logger_status_line() {
        let l =
            decode_line(b"2015/03/30 00:00:08.528 [dosta1:DLOGP4]:Instrument Started [Power On]");
        assert_eq!(
            l,
            Ok(OptodeLine::LoggerMessage {
                time: UtcTime::from_civil(2015, 3, 30, 0, 0, 8, 528),
                text: "Instrument Started [Power On]",
            })
        );
    }

    #[test]
    fn models() {
        assert_eq!(parse_model(b"4330F"), Ok((4330, Some('F'))));
        assert_eq!(parse_model(b"3835"), Ok((3835, None)));
        assert!(parse_model(b"99999").is_err());
        assert!(parse_model(b"F").is_err());
        assert!(parse_model(b"").is_err());
    }
}
