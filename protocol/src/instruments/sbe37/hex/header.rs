//! The `*` header of a `.hex` upload: device, serial, sample length and the XML
//! `<CalibrationCoefficients>` (instruments.md §2.3).
//!
//! The header is read line by line: every line up to `*END*` must start with `*`; tags are
//! recognised when a line holds `<Name>value</Name>`, and a coefficient belongs to the
//! `<Calibration format='…'>` block it is in. Both quote styles (`'` SeatermV2, `"` Fathom)
//! are accepted.

use crate::instruments::sbe37::conversion::{
    CondCoefficients, OxygenCoefficients, PressureCoefficients, TempCoefficients,
};
use crate::instruments::sbe37::fields::{parse_f64, parse_u32};

/// Which optional sensor fields each scan carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScanLayout {
    /// SBE 63 oxygen phase and thermistor fields (6 + 6 hex digits).
    pub oxygen: bool,
    /// Pressure and pressure-temperature fields (6 + 4 hex digits).
    pub pressure: bool,
}

impl ScanLayout {
    /// Bytes per scan (`SampleLength`): 10 (T, C, time), 15 (+ P), 16 (+ O2) or 21 (+ both).
    pub const fn sample_length(&self) -> usize {
        10 + if self.pressure { 5 } else { 0 } + if self.oxygen { 6 } else { 0 }
    }
}

/// Why a `.hex` header cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HexHeaderError {
    /// No `*END*` line: the scans cannot be told from the header.
    #[error("no *END* line ending the header")]
    MissingEnd,
    /// A line before `*END*` does not start with `*`.
    #[error("line {line}: header line does not start with '*'")]
    NotAHeaderLine {
        /// 1-based line number.
        line: usize,
    },
    /// A coefficient's value is not a finite number.
    #[error("line {line}: coefficient {name} is not a number")]
    BadCoefficient {
        /// 1-based line number.
        line: usize,
        /// Coefficient name.
        name: &'static str,
    },
    /// A coefficient the scans need is not in the header.
    #[error("calibration {group} lacks coefficient {name}")]
    MissingCoefficient {
        /// Calibration format (TEMP1, WBCOND0, STRAIN0, OXYGEN1).
        group: &'static str,
        /// Coefficient name.
        name: &'static str,
    },
    /// `<SampleLength>` is not 10, 15, 16 or 21 bytes.
    #[error("unsupported SampleLength {0}")]
    BadSampleLength(u32),
}

/// What the header says: identity, scan layout and calibration coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct HexHeader {
    /// `DeviceType` of `<HardwareData>` (e.g. `SBE37-IM`), truncated to 32 bytes.
    pub device_type: heapless::String<32>,
    /// `SerialNumber` of `<HardwareData>` (e.g. 3716125 for `'03716125'`).
    pub serial: Option<u32>,
    /// `<Samples>` of the memory summary: how many scans the instrument says it uploaded.
    pub samples: Option<u32>,
    /// The scan layout (from `<SampleLength>`, else from the calibrations present).
    pub layout: ScanLayout,
    /// TEMP1 coefficients.
    pub temperature: TempCoefficients,
    /// WBCOND0 coefficients.
    pub conductivity: CondCoefficients,
    /// STRAIN0 coefficients, present when the layout has pressure.
    pub pressure: Option<PressureCoefficients>,
    /// OXYGEN1 coefficients, present when the layout has oxygen.
    pub oxygen: Option<OxygenCoefficients>,
    /// Byte offset of the first line after `*END*`.
    pub data_offset: usize,
    /// 1-based line number of the first line after `*END*`.
    pub data_line: usize,
}

/// Calibration groups, with the coefficient names each must/may contain.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Temp,
    Cond,
    Strain,
    Oxygen,
}

const TEMP_NAMES: [&str; 4] = ["A0", "A1", "A2", "A3"];
const COND_NAMES: [&str; 7] = ["G", "H", "I", "J", "PCOR", "TCOR", "WBOTC"];
const STRAIN_NAMES: [&str; 14] = [
    "PA0", "PA1", "PA2", "PTCA0", "PTCA1", "PTCA2", "PTCB0", "PTCB1", "PTCB2", "PTEMPA0",
    "PTEMPA1", "PTEMPA2", "POFFSET", "PRANGE",
];
/// Of [`STRAIN_NAMES`], the last two (POFFSET, PRANGE) default to 0.
const STRAIN_REQUIRED: usize = 12;
const OXY_NAMES: [&str; 14] = [
    "TAU20", "OXA0", "OXA1", "OXA2", "OXB0", "OXB1", "OXC0", "OXC1", "OXC2", "OXTA0", "OXTA1",
    "OXTA2", "OXTA3", "OXE",
];

impl Group {
    fn from_format(f: &str) -> Option<Group> {
        match f {
            "TEMP1" => Some(Group::Temp),
            "WBCOND0" => Some(Group::Cond),
            "STRAIN0" => Some(Group::Strain),
            "OXYGEN1" => Some(Group::Oxygen),
            _ => None,
        }
    }
    fn names(self) -> &'static [&'static str] {
        match self {
            Group::Temp => &TEMP_NAMES,
            Group::Cond => &COND_NAMES,
            Group::Strain => &STRAIN_NAMES,
            Group::Oxygen => &OXY_NAMES,
        }
    }
    fn label(self) -> &'static str {
        match self {
            Group::Temp => "TEMP1",
            Group::Cond => "WBCOND0",
            Group::Strain => "STRAIN0",
            Group::Oxygen => "OXYGEN1",
        }
    }
}

/// Raw coefficient values per group, indexed like the name tables, with found-bits.
#[derive(Default)]
struct Collected {
    temp: [f64; 4],
    cond: [f64; 7],
    strain: [f64; 14],
    oxy: [f64; 14],
    found: [u16; 4],
}

impl Collected {
    fn slot(&mut self, g: Group) -> (&mut [f64], &mut u16) {
        let (vals, bit): (&mut [f64], usize) = match g {
            Group::Temp => (&mut self.temp, 0),
            Group::Cond => (&mut self.cond, 1),
            Group::Strain => (&mut self.strain, 2),
            Group::Oxygen => (&mut self.oxy, 3),
        };
        // `bit` is 0..=3 and `found` has 4 entries.
        let found = &mut self.found[bit];
        (vals, found)
    }
    fn any(&self, g: Group) -> bool {
        // `g as usize` is 0..=3 and `found` has four entries.
        self.found[g as usize] != 0
    }
    /// Checks that the first `required` names of `g` were found.
    fn require(&self, g: Group, required: usize) -> Result<(), HexHeaderError> {
        // `g as usize` is 0..=3 (four variants) and `found` has four entries.
        let found = self.found[g as usize];
        match g
            .names()
            .iter()
            .take(required)
            .enumerate()
            .find(|(i, _)| found & (1 << i) == 0)
        {
            Some((_, name)) => Err(HexHeaderError::MissingCoefficient {
                group: g.label(),
                name,
            }),
            None => Ok(()),
        }
    }
}

/// The value of attribute `name` (`name='v'` or `name="v"`) in `tag`.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = tag;
    loop {
        let at = rest.find(name)?;
        let after = rest.get(at + name.len()..)?;
        rest = after;
        let Some(v) = after.strip_prefix('=') else {
            continue;
        };
        let quote = v.chars().next().filter(|c| *c == '\'' || *c == '"')?;
        let v = v.get(1..)?;
        return v.find(quote).and_then(|end| v.get(..end));
    }
}

/// `(name, value)` of a `<name>value</name>` element on one line.
fn element(s: &str) -> Option<(&str, &str)> {
    let s = s.strip_prefix('<')?;
    let (name, rest) = s.split_once('>')?;
    let (value, close) = rest.split_once("</")?;
    (close.strip_suffix('>')? == name).then_some((name, value.trim()))
}

impl HexHeader {
    /// Parses the header of a `.hex` upload (the whole file may be passed; reading stops at
    /// `*END*`). Fails when `*END*` is missing, a coefficient is not a number, or a
    /// coefficient the scan layout needs is absent.
    pub fn parse(text: &str) -> Result<HexHeader, HexHeaderError> {
        let mut device_type = heapless::String::new();
        let mut serial = None;
        let mut samples = None;
        let mut sample_length = None;
        let mut group: Option<Group> = None;
        let mut c = Collected::default();
        let mut offset = 0;
        let mut end = None;
        for (i, raw) in text.split_inclusive('\n').enumerate() {
            let line_no = i + 1;
            offset += raw.len();
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            if line.eq_ignore_ascii_case("*END*") {
                end = Some((offset, line_no + 1));
                break;
            }
            let body = line
                .strip_prefix('*')
                .ok_or(HexHeaderError::NotAHeaderLine { line: line_no })?
                .trim();
            if body.starts_with("<HardwareData") {
                for ch in attribute(body, "DeviceType").unwrap_or("").chars() {
                    if device_type.push(ch).is_err() {
                        break;
                    }
                }
                serial = attribute(body, "SerialNumber").and_then(parse_u32);
            } else if body.starts_with("<Calibration ") {
                group = attribute(body, "format").and_then(Group::from_format);
            } else if body.starts_with("</Calibration>") {
                group = None;
            } else if let Some((name, value)) = element(body) {
                match (name, group) {
                    ("SampleLength", _) => sample_length = parse_u32(value),
                    ("Samples", _) => samples = parse_u32(value),
                    (_, Some(g)) => {
                        if let Some(idx) = g.names().iter().position(|n| *n == name) {
                            let key = g.names().get(idx).copied().unwrap_or("?");
                            let v = parse_f64(value).ok_or(HexHeaderError::BadCoefficient {
                                line: line_no,
                                name: key,
                            })?;
                            let (vals, found) = c.slot(g);
                            if let Some(slot) = vals.get_mut(idx) {
                                *slot = v;
                                *found |= 1 << idx;
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        let (data_offset, data_line) = end.ok_or(HexHeaderError::MissingEnd)?;
        let layout = match sample_length {
            Some(10) => ScanLayout {
                oxygen: false,
                pressure: false,
            },
            Some(15) => ScanLayout {
                oxygen: false,
                pressure: true,
            },
            Some(16) => ScanLayout {
                oxygen: true,
                pressure: false,
            },
            Some(21) => ScanLayout {
                oxygen: true,
                pressure: true,
            },
            Some(other) => return Err(HexHeaderError::BadSampleLength(other)),
            None => ScanLayout {
                oxygen: c.any(Group::Oxygen),
                pressure: c.any(Group::Strain),
            },
        };
        c.require(Group::Temp, TEMP_NAMES.len())?;
        c.require(Group::Cond, COND_NAMES.len())?;
        let [a0, a1, a2, a3] = c.temp;
        let [g, h, i, j, pcor, tcor, wbotc] = c.cond;
        let pressure = if layout.pressure {
            c.require(Group::Strain, STRAIN_REQUIRED)?;
            let s = c.strain;
            let [pa0, pa1, pa2, ptca0, ptca1, ptca2, ptcb0, ptcb1, ptcb2, ptempa0, ptempa1, ptempa2, poffset, prange] =
                s;
            Some(PressureCoefficients {
                pa0,
                pa1,
                pa2,
                ptca0,
                ptca1,
                ptca2,
                ptcb0,
                ptcb1,
                ptcb2,
                ptempa0,
                ptempa1,
                ptempa2,
                poffset,
                prange,
            })
        } else {
            None
        };
        let oxygen = if layout.oxygen {
            // TAU20 (index 0) is not used by the conversion, so it is not required.
            let found = c.found[Group::Oxygen as usize] | 1;
            c.found[Group::Oxygen as usize] = found;
            c.require(Group::Oxygen, OXY_NAMES.len())?;
            let [tau20, a0, a1, a2, b0, b1, c0, c1, c2, ta0, ta1, ta2, ta3, e] = c.oxy;
            Some(OxygenCoefficients {
                tau20,
                a0,
                a1,
                a2,
                b0,
                b1,
                c0,
                c1,
                c2,
                ta0,
                ta1,
                ta2,
                ta3,
                e,
            })
        } else {
            None
        };
        Ok(HexHeader {
            device_type,
            serial,
            samples,
            layout,
            temperature: TempCoefficients { a0, a1, a2, a3 },
            conductivity: CondCoefficients {
                g,
                h,
                i,
                j,
                pcor,
                tcor,
                wbotc,
            },
            pressure,
            oxygen,
            data_offset,
            data_line,
        })
    }
}
