//! Memory-upload `.hex` files: header ([`HexHeader`]) and scan lines ([`HexScans`]).
//!
//! After `*END*`, each line is one scan of big-endian hex fields (instruments.md §2.3):
//! T (6 digits), C (6), if ODO: O2 phase (6) and O2 thermistor (6), if a pressure sensor is
//! fitted: P (6) and P-temperature (4), then time (8, s since 2000-01-01). [`RawScans`] yields the counts, [`HexScans`] the converted
//! [`Sbe37Sample`]s; both report a bad line as a [`HexError`] with its line number and go on.

mod header;

pub use header::{HexHeader, HexHeaderError, ScanLayout};

use super::conversion::{
    conductivity_s_m, practical_salinity, pressure_dbar, sbe63_oxygen_ml_l, sbe63_phase_us,
    sbe63_temperature_c, sbe63_thermistor_v, temperature_c, CondCoefficients, OxygenCoefficients,
    PressureCoefficients, TempCoefficients,
};
use super::fields::{hex_u32, time_since_2000};
use super::Sbe37Sample;
use crate::time::UtcTime;

/// What was wrong with one scan line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HexErrorKind {
    /// The line does not have the layout's number of hex digits.
    #[error("scan has {found} characters, layout needs {expected}")]
    Length {
        /// Hex digits the layout needs (2 × SampleLength).
        expected: usize,
        /// Characters found.
        found: usize,
    },
    /// A character is not a hex digit.
    #[error("character {column} is not a hex digit")]
    NotHex {
        /// 1-based column.
        column: usize,
    },
    /// A converted quantity is infinite or NaN (counts outside the calibration's domain).
    #[error("{quantity} does not convert to a finite value")]
    NonFinite {
        /// Which quantity.
        quantity: &'static str,
    },
}

/// A bad scan line: where, and what was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("hex line {line}: {kind}")]
pub struct HexError {
    /// 1-based line number in the file.
    pub line: usize,
    /// What was wrong.
    pub kind: HexErrorKind,
}

/// The raw fields of one scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawScan {
    /// 1-based line number in the file.
    pub line: usize,
    /// Temperature counts.
    pub temperature: u32,
    /// Conductivity field (frequency × 256, Hz).
    pub conductivity: u32,
    /// SBE 63 phase field, when the layout has oxygen.
    pub oxygen_phase: Option<u32>,
    /// SBE 63 thermistor field, when the layout has oxygen.
    pub oxygen_thermistor: Option<u32>,
    /// Pressure counts, when the layout has pressure.
    pub pressure: Option<u32>,
    /// Pressure-temperature counts, when the layout has pressure.
    pub pressure_temperature: Option<u32>,
    /// Seconds since 2000-01-01T00:00:00Z.
    pub seconds_since_2000: u32,
}

impl RawScan {
    /// The scan time.
    pub fn time(&self) -> UtcTime {
        time_since_2000(self.seconds_since_2000)
    }

    /// Parses one scan line (surrounding whitespace ignored) with `layout`.
    pub fn parse(line: &str, layout: ScanLayout, line_no: usize) -> Result<RawScan, HexError> {
        let err = |kind| HexError {
            line: line_no,
            kind,
        };
        let b = line.trim().as_bytes();
        let expected = 2 * layout.sample_length();
        if b.len() != expected {
            return Err(err(HexErrorKind::Length {
                expected,
                found: b.len(),
            }));
        }
        if let Some(i) = b.iter().position(|c| !c.is_ascii_hexdigit()) {
            return Err(err(HexErrorKind::NotHex { column: i + 1 }));
        }
        let mut at = 0;
        let mut take = |n: usize| {
            let v = b.get(at..at + n).and_then(hex_u32);
            at += n;
            v
        };
        // All bytes are hex digits and the length matches the layout, so every `take` is Some;
        // the fallback error is unreachable but keeps this panic-free.
        let bad = err(HexErrorKind::NotHex { column: 1 });
        let temperature = take(6).ok_or(bad)?;
        let conductivity = take(6).ok_or(bad)?;
        let (oxygen_phase, oxygen_thermistor) = if layout.oxygen {
            (Some(take(6).ok_or(bad)?), Some(take(6).ok_or(bad)?))
        } else {
            (None, None)
        };
        let (pressure, pressure_temperature) = if layout.pressure {
            (Some(take(6).ok_or(bad)?), Some(take(4).ok_or(bad)?))
        } else {
            (None, None)
        };
        let seconds_since_2000 = take(8).ok_or(bad)?;
        Ok(RawScan {
            line: line_no,
            temperature,
            conductivity,
            oxygen_phase,
            oxygen_thermistor,
            pressure,
            pressure_temperature,
            seconds_since_2000,
        })
    }
}

/// Iterator over the scan lines of a `.hex` file, yielding raw counts. Blank lines are
/// skipped; every other line yields one item.
#[derive(Debug, Clone)]
pub struct RawScans<'a> {
    lines: core::str::Lines<'a>,
    next_line: usize,
    layout: ScanLayout,
}

impl<'a> RawScans<'a> {
    /// Scans of `text` (the whole file) after the header `header` was parsed from it.
    pub fn new(header: &HexHeader, text: &'a str) -> Self {
        RawScans {
            lines: text.get(header.data_offset..).unwrap_or("").lines(),
            next_line: header.data_line,
            layout: header.layout,
        }
    }
}

impl Iterator for RawScans<'_> {
    type Item = Result<RawScan, HexError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let line = self.lines.next()?;
            let no = self.next_line;
            self.next_line += 1;
            if !line.trim().is_empty() {
                return Some(RawScan::parse(line, self.layout, no));
            }
        }
    }
}

/// The coefficients a scan conversion needs (a copy of the header's).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScanConverter {
    /// Instrument serial number, copied into each sample.
    pub serial: Option<u32>,
    /// TEMP1.
    pub temperature: TempCoefficients,
    /// WBCOND0.
    pub conductivity: CondCoefficients,
    /// STRAIN0 (needed when scans carry pressure).
    pub pressure: Option<PressureCoefficients>,
    /// OXYGEN1 (needed when scans carry oxygen).
    pub oxygen: Option<OxygenCoefficients>,
}

impl From<&HexHeader> for ScanConverter {
    fn from(h: &HexHeader) -> Self {
        ScanConverter {
            serial: h.serial,
            temperature: h.temperature,
            conductivity: h.conductivity,
            pressure: h.pressure,
            oxygen: h.oxygen,
        }
    }
}

fn finite(v: f64, line: usize, quantity: &'static str) -> Result<f64, HexError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(HexError {
            line,
            kind: HexErrorKind::NonFinite { quantity },
        })
    }
}

impl ScanConverter {
    /// Converts raw counts to engineering units: T, P, then C (pressure-corrected), PSS-78
    /// salinity from C, T, P (P = 0 without a pressure sensor) and SBE 63 oxygen. Pressure and
    /// oxygen are `None` when the scan lacks the fields or the coefficients are missing.
    pub fn convert(&self, raw: &RawScan) -> Result<Sbe37Sample, HexError> {
        let line = raw.line;
        let t = finite(
            temperature_c(raw.temperature, &self.temperature),
            line,
            "temperature",
        )?;
        let p = match (raw.pressure, raw.pressure_temperature, &self.pressure) {
            (Some(pc), Some(vc), Some(k)) => {
                Some(finite(pressure_dbar(pc, vc, k), line, "pressure")?)
            }
            _ => None,
        };
        let p0 = p.unwrap_or(0.0);
        let c = finite(
            conductivity_s_m(raw.conductivity, t, p0, &self.conductivity),
            line,
            "conductivity",
        )?;
        let s = finite(practical_salinity(c, t, p0), line, "salinity")?;
        let o2 = match (raw.oxygen_phase, raw.oxygen_thermistor, &self.oxygen) {
            (Some(ph), Some(th), Some(k)) => {
                let tox = sbe63_temperature_c(sbe63_thermistor_v(th), k);
                let tox = finite(tox, line, "oxygen sensor temperature")?;
                Some(finite(
                    sbe63_oxygen_ml_l(sbe63_phase_us(ph), tox, p0, s, k),
                    line,
                    "oxygen",
                )?)
            }
            _ => None,
        };
        Ok(Sbe37Sample {
            time: Some(raw.time()),
            serial: self.serial,
            id: None,
            temperature_c: t,
            conductivity_s_m: c,
            pressure_dbar: p,
            oxygen_ml_l: o2,
            oxygen_umol_kg: None,
            salinity_psu: Some(s),
            sound_velocity_m_s: None,
            specific_conductivity_s_m: None,
            sample_number: None,
        })
    }
}

/// Iterator over the scans of a `.hex` file, converted to [`Sbe37Sample`]s.
#[derive(Debug, Clone)]
pub struct HexScans<'a> {
    raw: RawScans<'a>,
    converter: ScanConverter,
}

impl<'a> HexScans<'a> {
    /// Converted scans of `text` (the whole file) with the coefficients of `header`.
    pub fn new(header: &HexHeader, text: &'a str) -> Self {
        HexScans {
            raw: RawScans::new(header, text),
            converter: ScanConverter::from(header),
        }
    }
}

impl Iterator for HexScans<'_> {
    type Item = Result<Sbe37Sample, HexError>;

    fn next(&mut self) -> Option<Self::Item> {
        let raw = self.raw.next()?;
        Some(raw.and_then(|r| self.converter.convert(&r)))
    }
}

impl HexHeader {
    /// The converted scans of `text`, the file this header was parsed from.
    pub fn scans<'a>(&self, text: &'a str) -> HexScans<'a> {
        HexScans::new(self, text)
    }

    /// The raw scans of `text`, the file this header was parsed from.
    pub fn raw_scans<'a>(&self, text: &'a str) -> RawScans<'a> {
        RawScans::new(self, text)
    }
}

#[cfg(test)]
mod tests;
