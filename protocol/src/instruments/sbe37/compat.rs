//! IM "compatible mode" samples and the `#MCAT Status` dump an IM controller makes of them
//! (instruments.md §2.6, OOI `ctdmo_ghqr_imodem`).
//!
//! A sample is `tttttcccccppppTTTTTTTT`: T and C are 5 big-endian hex digits, the optional
//! pressure is 4 hex digits with its two bytes swapped, and the time (s since 2000) is 8 hex
//! digits of a little-endian `u32`. Engineering units use the ion-functions equations
//! ([`super::conversion::compat_temperature_c`] and siblings), not calibration coefficients.

use super::conversion::{compat_conductivity_s_m, compat_pressure_dbar, compat_temperature_c};
use super::fields::{hex_u32, parse_f64, parse_u32, time_since_2000};
use super::Sbe37Sample;
use crate::time::{month_from_abbrev, UtcTime};

/// The raw counts of one compatible-mode sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompatSample {
    /// Temperature counts (`T = t/10000 − 10` °C).
    pub temperature: u32,
    /// Conductivity counts (`C = c/100000 − 0.5` S/m).
    pub conductivity: u32,
    /// Pressure counts (already byte-swapped back), when the sample has pressure.
    pub pressure: Option<u16>,
    /// Seconds since 2000-01-01T00:00:00Z.
    pub seconds_since_2000: u32,
}

/// Why a compatible-mode sample or dump is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CompatError {
    /// A sample line is not 22 (with pressure) or 18 (without) hex digits long.
    #[error("line {line}: sample has {found} characters, 22 or 18 expected")]
    Length {
        /// 1-based line number (0 for a lone sample).
        line: usize,
        /// Characters found.
        found: usize,
    },
    /// A sample character is not a hex digit.
    #[error("line {line}: character {column} is not a hex digit")]
    NotHex {
        /// 1-based line number (0 for a lone sample).
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The text has no `#Begin Data` line.
    #[error("no #Begin Data line: not an MCAT dump")]
    NoBeginData,
    /// A status field the dump should carry is malformed.
    #[error("line {line}: status field {field} is malformed")]
    BadStatus {
        /// 1-based line number.
        line: usize,
        /// Which field.
        field: &'static str,
    },
    /// The text ends before `#End Data`.
    #[error("dump ends without #End Data")]
    MissingEndData,
}

impl CompatSample {
    /// Parses one sample (surrounding whitespace ignored); `line` is only used in errors.
    pub fn parse(text: &str, line: usize) -> Result<CompatSample, CompatError> {
        let b = text.trim().as_bytes();
        if b.len() != 22 && b.len() != 18 {
            return Err(CompatError::Length {
                line,
                found: b.len(),
            });
        }
        if let Some(i) = b.iter().position(|c| !c.is_ascii_hexdigit()) {
            return Err(CompatError::NotHex {
                line,
                column: i + 1,
            });
        }
        let bad = CompatError::NotHex { line, column: 1 };
        // All bytes are hex digits and the length is checked, so these are all Some.
        let field = |r: core::ops::Range<usize>| b.get(r).and_then(hex_u32).ok_or(bad);
        let temperature = field(0..5)?;
        let conductivity = field(5..10)?;
        let (pressure, t_at) = if b.len() == 22 {
            let swapped = field(10..14)?;
            (Some((((swapped & 0xFF) << 8) | (swapped >> 8)) as u16), 14)
        } else {
            (None, 10)
        };
        let seconds_since_2000 = field(t_at..t_at + 8)?.swap_bytes();
        Ok(CompatSample {
            temperature,
            conductivity,
            pressure,
            seconds_since_2000,
        })
    }

    /// Builds a sample from the 7 packed bytes `tttttcccccpppp` (pressure bytes swapped) and
    /// the little-endian time of an OOI SIO CT record.
    pub fn from_packed(packed: [u8; 7], time_le: [u8; 4]) -> CompatSample {
        let [b0, b1, b2, b3, b4, b5, b6] = packed.map(u32::from);
        CompatSample {
            temperature: (b0 << 12) | (b1 << 4) | (b2 >> 4),
            conductivity: ((b2 & 0x0F) << 16) | (b3 << 8) | b4,
            pressure: Some(((b6 << 8) | b5) as u16),
            seconds_since_2000: u32::from_le_bytes(time_le),
        }
    }

    /// The sample time.
    pub fn time(&self) -> UtcTime {
        time_since_2000(self.seconds_since_2000)
    }

    /// Engineering units (ion-functions equations). Pressure needs the sensor's full-scale
    /// range in psia (the dump's `PressureRange`); it is `None` without one or without counts.
    pub fn to_sample(self, pressure_range_psia: Option<f64>) -> Sbe37Sample {
        Sbe37Sample {
            time: Some(self.time()),
            temperature_c: compat_temperature_c(self.temperature),
            conductivity_s_m: compat_conductivity_s_m(self.conductivity),
            pressure_dbar: self
                .pressure
                .zip(pressure_range_psia)
                .map(|(p, r)| compat_pressure_dbar(p, r)),
            ..Sbe37Sample::default()
        }
    }
}

/// The `#MCAT Status` header of a dump; a field is `None` when its line is absent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct McatStatus {
    /// Controller clock when the dump was made (`#7370_DateTime: 20140712 120719`).
    pub controller_time: Option<UtcTime>,
    /// Model, e.g. `SBE37-IM` (truncated to 16 bytes).
    pub model: heapless::String<16>,
    /// Firmware version, e.g. `3.1` (truncated to 8 bytes).
    pub firmware: heapless::String<8>,
    /// Serial number.
    pub serial: Option<u32>,
    /// Instrument clock on the model line.
    pub instrument_time: Option<UtcTime>,
    /// Main battery, V.
    pub v_main: Option<f64>,
    /// Lithium battery, V.
    pub v_lith: Option<f64>,
    /// Instrument sample number.
    pub sample_number: Option<u32>,
    /// Free memory (samples).
    pub free: Option<u32>,
    /// `#logging` / `#not logging`.
    pub logging: Option<bool>,
    /// Sample interval, s.
    pub sample_interval_s: Option<u32>,
    /// Pressure sensor range, psia.
    pub pressure_range_psia: Option<u32>,
    /// Samples recorded (the dump should hold this many).
    pub samples_recorded: Option<u32>,
}

fn push_truncated<const N: usize>(dst: &mut heapless::String<N>, src: &str) {
    for c in src.chars() {
        if dst.push(c).is_err() {
            break;
        }
    }
}

/// `yyyymmdd hhmmss` → instant.
fn compact_date_time(s: &str) -> Option<UtcTime> {
    let (d, t) = s.trim().split_once(' ')?;
    let (d, t) = (parse_u32(d)?, parse_u32(t.trim())?);
    let year = i32::try_from(d / 10_000).ok()?;
    UtcTime::from_civil(
        year,
        d / 100 % 100,
        d % 100,
        t / 10_000,
        t / 100 % 100,
        t % 100,
        0,
    )
}

/// `SBE37-IM v3.1  SERIAL NO. 11477  12 Jul 2014 12:07:19` → fills model, firmware, serial, time.
fn model_line(s: &str, st: &mut McatStatus) -> Option<()> {
    let mut it = s.split_whitespace();
    push_truncated(&mut st.model, it.next()?);
    push_truncated(&mut st.firmware, it.next()?.trim_start_matches(['v', 'V']));
    let (_, rest) = s.split_once("SERIAL NO.")?;
    let mut it = rest.split_whitespace();
    st.serial = Some(parse_u32(it.next()?)?);
    let (day, mon, year) = (
        parse_u32(it.next()?)?,
        month_from_abbrev(it.next()?)?,
        parse_u32(it.next()?)?,
    );
    let mut hms = it.next()?.split(':').map(parse_u32);
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    st.instrument_time = UtcTime::from_civil(i32::try_from(year).ok()?, mon, day, h, m, sec, 0);
    Some(())
}

impl McatStatus {
    /// Reads one `#` status line (without the `#`) into the matching field.
    fn absorb(&mut self, body: &str, line: usize) -> Result<(), CompatError> {
        let bad = |field| CompatError::BadStatus { line, field };
        if let Some((_, v)) = body.split_once("_DateTime:") {
            self.controller_time = Some(compact_date_time(v).ok_or(bad("DateTime"))?);
            return Ok(());
        }
        if body.contains("SERIAL NO.") {
            return model_line(body, self).ok_or(bad("model line"));
        }
        match body.trim() {
            "logging" => self.logging = Some(true),
            "not logging" => self.logging = Some(false),
            _ => {}
        }
        for part in body.split(',') {
            let Some((k, v)) = part.split_once('=') else {
                continue;
            };
            let (k, v) = (k.trim(), v.trim());
            let first = v.split_whitespace().next().unwrap_or("");
            let int = |field| parse_u32(first).ok_or(bad(field));
            let volts = |field| parse_f64(first).ok_or(bad(field));
            match k {
                "vMain" => self.v_main = Some(volts("vMain")?),
                "vLith" => self.v_lith = Some(volts("vLith")?),
                "samplenumber" => self.sample_number = Some(int("samplenumber")?),
                "free" => self.free = Some(int("free")?),
                "sample interval" => self.sample_interval_s = Some(int("sample interval")?),
                "PressureRange" => self.pressure_range_psia = Some(int("PressureRange")?),
                "SamplesRecorded" => self.samples_recorded = Some(int("SamplesRecorded")?),
                _ => {}
            }
        }
        Ok(())
    }
}

/// One sample line of a dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DumpSample {
    /// 1-based line number.
    pub line: usize,
    /// The sample's counts.
    pub sample: CompatSample,
}

/// Iterator over the sample lines between `#Begin Data` and `#End Data`. Blank lines are
/// skipped; a text that ends before `#End Data` yields one [`CompatError::MissingEndData`].
#[derive(Debug, Clone)]
pub struct DumpSamples<'a> {
    lines: core::iter::Enumerate<core::str::Lines<'a>>,
    done: bool,
}

impl Iterator for DumpSamples<'_> {
    type Item = Result<DumpSample, CompatError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            let Some((i, raw)) = self.lines.next() else {
                self.done = true;
                return Some(Err(CompatError::MissingEndData));
            };
            match DumpParser::sample_line(raw, i + 1) {
                DumpLine::Blank => continue,
                DumpLine::End => {
                    self.done = true;
                    return None;
                }
                DumpLine::Sample(item) => return Some(item),
            }
        }
    }
}

/// What one line after `#Begin Data` is (see [`DumpParser::sample_line`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpLine {
    /// A blank line: skipped.
    Blank,
    /// `#End Data`: the dump ends here (what follows is not read).
    End,
    /// A sample line, parsed (or why it is not a sample).
    Sample(Result<DumpSample, CompatError>),
}

/// A dump read one line at a time, for callers that do not hold the whole text: give it
/// the header lines ([`DumpParser::header_line`]) until `#Begin Data`, then classify each
/// following line with [`DumpParser::sample_line`] until [`DumpLine::End`] (the text
/// ending before it is [`CompatError::MissingEndData`]). Gives the same results as
/// [`parse_dump`] on the whole text.
#[derive(Debug, Clone, Default)]
pub struct DumpParser {
    status: McatStatus,
}

impl DumpParser {
    /// A parser before the first line.
    pub fn new() -> Self {
        DumpParser::default()
    }

    /// Takes header line `raw` (without its line ending; `line` is its 1-based number):
    /// `Ok(true)` when it is `#Begin Data` (the samples follow), `Ok(false)` for another
    /// line (a `#` status line is read into the status), an error for a bad status line.
    pub fn header_line(&mut self, raw: &str, line: usize) -> Result<bool, CompatError> {
        let l = raw.trim();
        if l.starts_with("#Begin Data") {
            return Ok(true);
        }
        if let Some(body) = l.strip_prefix('#') {
            self.status.absorb(body, line)?;
        }
        Ok(false)
    }

    /// The status read from the header lines so far.
    pub fn status(&self) -> &McatStatus {
        &self.status
    }

    /// Classifies line `raw` (1-based number `line`) after `#Begin Data`.
    pub fn sample_line(raw: &str, line: usize) -> DumpLine {
        let l = raw.trim();
        if l.is_empty() {
            DumpLine::Blank
        } else if l.starts_with("#End Data") {
            DumpLine::End
        } else {
            DumpLine::Sample(CompatSample::parse(l, line).map(|sample| DumpSample { line, sample }))
        }
    }
}

/// Parses a `#MCAT Status … #Begin Data … #End Data` dump: the status header, and an
/// iterator over its samples.
pub fn parse_dump(text: &str) -> Result<(McatStatus, DumpSamples<'_>), CompatError> {
    let mut parser = DumpParser::new();
    let mut lines = text.lines().enumerate();
    for (i, raw) in lines.by_ref() {
        if parser.header_line(raw, i + 1)? {
            return Ok((parser.status, DumpSamples { lines, done: false }));
        }
    }
    Err(CompatError::NoBeginData)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_sample() {
        // §2.6: 563A00C351E50A28D3531B -> T 353184, C 50001, P 2789, t 458478376.
        let s = CompatSample::parse("563A00C351E50A28D3531B\r\n", 0).unwrap();
        assert_eq!(
            s,
            CompatSample {
                temperature: 353184,
                conductivity: 50001,
                pressure: Some(2789),
                seconds_since_2000: 458478376
            }
        );
        let e = s.to_sample(Some(1450.0));
        assert!((e.temperature_c - 25.3184).abs() < 1e-9);
        assert!((e.conductivity_s_m - 0.00001).abs() < 1e-12);
        assert_eq!(
            CompatSample::parse("563A00C351", 3),
            Err(CompatError::Length { line: 3, found: 10 })
        );
        assert_eq!(
            CompatSample::parse("563A00C351E50A28D353XB", 3),
            Err(CompatError::NotHex {
                line: 3,
                column: 21
            })
        );
    }

    #[test]
    fn packed_record_golden() {
        // §2.6: 40 1e0b858a57f168 415f8319 0d -> T 123064, C 363095, P 26865, t 428040001.
        let s = CompatSample::from_packed(
            [0x1e, 0x0b, 0x85, 0x8a, 0x57, 0xf1, 0x68],
            [0x41, 0x5f, 0x83, 0x19],
        );
        assert_eq!(
            (
                s.temperature,
                s.conductivity,
                s.pressure,
                s.seconds_since_2000
            ),
            (123064, 363095, Some(26865), 428040001)
        );
        let e = s.to_sample(None);
        assert!((e.temperature_c - 2.3064).abs() < 1e-9);
        assert!((e.conductivity_s_m - 3.13095).abs() < 1e-9);
    }

    #[test]
    fn dump_without_end() {
        let (st, mut it) = parse_dump(
            "#MCAT Status\r\n#PressureRange = 1450\r\n#Begin Data\r\n563A00C351E50A28D3531B\r\n",
        )
        .unwrap();
        assert_eq!(st.pressure_range_psia, Some(1450));
        assert!(it.next().unwrap().is_ok());
        assert_eq!(it.next(), Some(Err(CompatError::MissingEndData)));
        assert_eq!(it.next(), None);
        assert_eq!(
            parse_dump("#MCAT Status\r\n").err(),
            Some(CompatError::NoBeginData)
        );
    }
}
