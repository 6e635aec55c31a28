//! Real-time converted decimal lines (`OutputFormat=1`), V3 and old V2 (`#`-prefixed).
//! Raw decimal lines (`OutputFormat=0`) are read by [`super::raw`]; converted XML
//! (`OutputFormat=2`) is not decoded: the reference gives no element list for the 37.
//!
//! Field order (instruments.md §2.1): T, C, then, each only if switched on: P, O2, salinity,
//! sound velocity, specific conductivity, date and time, sample number. Which optional fields are present
//! depends on the instrument's `Output*` settings, which the line itself does not say, so
//! [`parse`] takes an [`AsciiLayout`]. [`parse_auto`] tries every layout of the default units
//! and accepts the line only when exactly one fits the fields' decimals and ranges.

use super::fields::{
    clean_line, decimals, parse_date, parse_date_time, parse_f64, parse_u32, split_fields,
};
use super::Sbe37Sample;

/// Temperature units (`SetTempUnits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TempUnits {
    /// °C ITS-90 (default).
    #[default]
    Celsius,
    /// °F.
    Fahrenheit,
}

/// Conductivity units (`SetCondUnits` 0/1/2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CondUnits {
    /// S/m (default).
    #[default]
    SiemensPerMetre,
    /// mS/cm.
    MilliSiemensPerCm,
    /// µS/cm.
    MicroSiemensPerCm,
}

/// Pressure units (`SetPressUnits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PressureUnits {
    /// dbar (default).
    #[default]
    Decibar,
    /// psi gauge.
    Psi,
}

/// Oxygen units (`SetOxUnits`; instruments.md §2.1: ml/l, mg/l or µmol/kg). ml/l and mg/l
/// give [`Sbe37Sample::oxygen_ml_l`]; µmol/kg gives [`Sbe37Sample::oxygen_umol_kg`] only,
/// as converting it needs the water's potential density, which the line does not carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OxygenUnits {
    /// ml/l (default).
    #[default]
    MlPerL,
    /// mg/l.
    MgPerL,
    /// µmol/kg.
    MicromolPerKg,
}

/// Which optional fields a converted line carries, and in which units.
///
/// `Default` is the factory setting of a CT without options: T (°C), C (S/m), date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsciiLayout {
    /// Temperature units.
    pub temp_units: TempUnits,
    /// Conductivity (and specific conductivity) units.
    pub cond_units: CondUnits,
    /// Pressure field present (`OutputPressure`/sensor fitted), and its units.
    pub pressure: Option<PressureUnits>,
    /// Oxygen field present (ODO), and its units.
    pub oxygen: Option<OxygenUnits>,
    /// Salinity field present (`OutputSal=Y`).
    pub salinity: bool,
    /// Sound-velocity field present (`OutputSV=Y`).
    pub sound_velocity: bool,
    /// Specific-conductivity field present (`OutputSC=Y`).
    pub specific_conductivity: bool,
    /// Date and time fields present.
    pub date_time: bool,
    /// Sample number after the time (`TxSampleNum=Y`).
    pub sample_number: bool,
}

impl Default for AsciiLayout {
    fn default() -> Self {
        AsciiLayout {
            temp_units: TempUnits::Celsius,
            cond_units: CondUnits::SiemensPerMetre,
            pressure: None,
            oxygen: None,
            salinity: false,
            sound_velocity: false,
            specific_conductivity: false,
            date_time: true,
            sample_number: false,
        }
    }
}

impl AsciiLayout {
    /// Number of numeric measurement fields before the date.
    pub fn measurement_fields(&self) -> usize {
        2 + usize::from(self.pressure.is_some())
            + usize::from(self.oxygen.is_some())
            + usize::from(self.salinity)
            + usize::from(self.sound_velocity)
            + usize::from(self.specific_conductivity)
    }
}

/// Why a converted line could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AsciiError {
    /// Nothing but whitespace/control bytes.
    #[error("empty line")]
    Empty,
    /// More comma-separated fields than any SBE 37 line has.
    #[error("too many fields")]
    TooManyFields,
    /// The field count does not match the layout.
    #[error("wrong field count: layout needs {expected}, line has {found}")]
    FieldCount {
        /// Fields the layout calls for.
        expected: usize,
        /// Fields in the line.
        found: usize,
    },
    /// A measurement field is not a finite decimal number.
    #[error("field {field} is not a number")]
    NotANumber {
        /// Which field.
        field: &'static str,
    },
    /// The date or time field is malformed or out of range.
    #[error("bad date/time fields")]
    BadDateTime,
    /// A sample-number (or averaging-count) field is not an unsigned integer.
    #[error("bad sample number")]
    BadSampleNumber,
    /// An IM reply lacks its serial-number field, or its ID field is not 0–255.
    #[error("bad IM prefix: {what}")]
    BadImPrefix {
        /// What was wrong.
        what: &'static str,
    },
    /// Automatic layout: no layout fits the fields.
    #[error("no layout fits the line")]
    NoLayoutFits,
    /// Automatic layout: several layouts fit; the caller must give one.
    #[error("ambiguous line: {candidates} layouts fit")]
    Ambiguous {
        /// How many layouts fit.
        candidates: usize,
    },
}

/// Decodes one converted line (V3, or V2 with a leading `#`) with a known layout.
pub fn parse(line: &str, layout: &AsciiLayout) -> Result<Sbe37Sample, AsciiError> {
    let fields = line_fields(line)?;
    parse_body(&fields, layout, 0)
}

/// Decodes one converted line, guessing the layout (default units: °C, dbar, ml/l; S/m,
/// mS/cm or µS/cm chosen by the conductivity's decimals). Returns the layout used; fails
/// with [`AsciiError::Ambiguous`] when more than one layout fits.
pub fn parse_auto(line: &str) -> Result<(Sbe37Sample, AsciiLayout), AsciiError> {
    let fields = line_fields(line)?;
    let layout = guess_layout(&fields, 1)?;
    Ok((parse_body(&fields, &layout, 0)?, layout))
}

/// The cleaned line (no `#`, whitespace, XON/XOFF) split into fields.
pub(crate) fn line_fields(line: &str) -> Result<heapless::Vec<&str, 16>, AsciiError> {
    let line = clean_line(line);
    let line = clean_line(line.strip_prefix('#').unwrap_or(line));
    if line.is_empty() {
        return Err(AsciiError::Empty);
    }
    split_fields(line).ok_or(AsciiError::TooManyFields)
}

/// Decodes the measurement, date/time and sample-number fields of a line with `layout`;
/// `extra_trailing` more integer fields (IM `navg`) may follow the sample number.
pub(crate) fn parse_body(
    fields: &[&str],
    layout: &AsciiLayout,
    extra_trailing: usize,
) -> Result<Sbe37Sample, AsciiError> {
    let n = layout.measurement_fields();
    let base = n + 2 * usize::from(layout.date_time) + usize::from(layout.sample_number);
    let max = base
        + if layout.sample_number {
            extra_trailing
        } else {
            0
        };
    if fields.len() < base || fields.len() > max {
        return Err(AsciiError::FieldCount {
            expected: base,
            found: fields.len(),
        });
    }
    let mut it = fields.iter();
    let mut num = |field: &'static str| -> Result<f64, AsciiError> {
        it.next()
            .and_then(|s| parse_f64(s))
            .ok_or(AsciiError::NotANumber { field })
    };
    let cond_scale = match layout.cond_units {
        CondUnits::SiemensPerMetre => 1.0,
        CondUnits::MilliSiemensPerCm => 0.1,
        CondUnits::MicroSiemensPerCm => 1e-4,
    };
    let t = num("temperature")?;
    let mut s = Sbe37Sample {
        temperature_c: match layout.temp_units {
            TempUnits::Celsius => t,
            TempUnits::Fahrenheit => (t - 32.0) * 5.0 / 9.0,
        },
        conductivity_s_m: num("conductivity")? * cond_scale,
        ..Sbe37Sample::default()
    };
    if let Some(u) = layout.pressure {
        let p = num("pressure")?;
        s.pressure_dbar = Some(match u {
            PressureUnits::Decibar => p,
            PressureUnits::Psi => p * 0.689476,
        });
    }
    if let Some(u) = layout.oxygen {
        let o = num("oxygen")?;
        match u {
            OxygenUnits::MlPerL => s.oxygen_ml_l = Some(o),
            OxygenUnits::MgPerL => s.oxygen_ml_l = Some(o / 1.42903),
            OxygenUnits::MicromolPerKg => s.oxygen_umol_kg = Some(o),
        }
    }
    if layout.salinity {
        s.salinity_psu = Some(num("salinity")?);
    }
    if layout.sound_velocity {
        s.sound_velocity_m_s = Some(num("sound velocity")?);
    }
    if layout.specific_conductivity {
        s.specific_conductivity_s_m = Some(num("specific conductivity")? * cond_scale);
    }
    let rest = fields.get(n..).unwrap_or(&[]);
    let rest = if layout.date_time {
        match rest {
            [date, clock, tail @ ..] => {
                s.time = Some(parse_date_time(date, clock).ok_or(AsciiError::BadDateTime)?);
                tail
            }
            _ => return Err(AsciiError::BadDateTime),
        }
    } else {
        rest
    };
    if layout.sample_number {
        let mut tail = rest.iter();
        s.sample_number = Some(
            tail.next()
                .and_then(|f| parse_u32(f))
                .ok_or(AsciiError::BadSampleNumber)?,
        );
        if !tail.all(|f| parse_u32(f).is_some()) {
            return Err(AsciiError::BadSampleNumber);
        }
    }
    Ok(s)
}

/// The optional measurement fields, in line order, that the automatic layout considers.
#[derive(Clone, Copy)]
enum Opt {
    Pressure,
    Oxygen,
    Salinity,
    SoundVelocity,
}

const OPTS: [Opt; 4] = [
    Opt::Pressure,
    Opt::Oxygen,
    Opt::Salinity,
    Opt::SoundVelocity,
];

/// Whether field text `s` looks like optional field `o` in default units.
fn fits(o: Opt, s: &str) -> bool {
    let Some(v) = parse_f64(s) else { return false };
    let d = decimals(s);
    match o {
        Opt::Pressure => d == 3 && (-100.0..=11_000.0).contains(&v),
        Opt::Oxygen => d == 3 && (0.0..=30.0).contains(&v),
        Opt::Salinity => d == 4 && (0.0..=50.0).contains(&v),
        Opt::SoundVelocity => d == 3 && (1300.0..=1800.0).contains(&v),
    }
}

/// Finds the single layout that fits `fields`; `max_trailing` integer fields may follow the
/// time (sample number, and for IM replies the averaging count).
pub(crate) fn guess_layout(
    fields: &[&str],
    max_trailing: usize,
) -> Result<AsciiLayout, AsciiError> {
    // The date is the first field that parses as `dd mmm yyyy` with a time after it.
    let date_at = (0..fields.len().saturating_sub(1))
        .find(|&i| fields.get(i).is_some_and(|f| parse_date(f).is_some()));
    let (numerics, trailing) = match date_at {
        Some(i) => (
            fields.get(..i).unwrap_or(&[]),
            fields.get(i + 2..).unwrap_or(&[]),
        ),
        None => (fields, &[][..]),
    };
    if trailing.len() > max_trailing || numerics.len() < 2 {
        return Err(AsciiError::NoLayoutFits);
    }
    let cond_units = match numerics.get(1).map(|c| decimals(c)) {
        Some(5) => CondUnits::SiemensPerMetre,
        Some(4) => CondUnits::MilliSiemensPerCm,
        Some(1) => CondUnits::MicroSiemensPerCm,
        _ => return Err(AsciiError::NoLayoutFits),
    };
    let optional = numerics.get(2..).unwrap_or(&[]);
    let mut found: Option<u8> = None;
    let mut candidates = 0;
    for mask in 0u8..16 {
        if mask.count_ones() as usize != optional.len() {
            continue;
        }
        let chosen = OPTS
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, o)| *o);
        if chosen.zip(optional.iter()).all(|(o, s)| fits(o, s)) {
            candidates += 1;
            found = Some(mask);
        }
    }
    match (candidates, found) {
        (1, Some(mask)) => Ok(AsciiLayout {
            cond_units,
            pressure: (mask & 1 != 0).then_some(PressureUnits::Decibar),
            oxygen: (mask & 2 != 0).then_some(OxygenUnits::MlPerL),
            salinity: mask & 4 != 0,
            sound_velocity: mask & 8 != 0,
            date_time: date_at.is_some(),
            sample_number: !trailing.is_empty(),
            ..AsciiLayout::default()
        }),
        (0, _) => Err(AsciiError::NoLayoutFits),
        _ => Err(AsciiError::Ambiguous { candidates }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::UtcTime;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn manual_example_with_layout_and_auto() {
        let line = "24.8339,  0.97795,   -9.262, 07 Jan 2000, 04:51:39\r\n";
        let layout = AsciiLayout {
            pressure: Some(PressureUnits::Decibar),
            ..AsciiLayout::default()
        };
        let s = parse(line, &layout).unwrap();
        assert!(close(s.temperature_c, 24.8339));
        assert!(close(s.conductivity_s_m, 0.97795));
        assert_eq!(s.pressure_dbar, Some(-9.262));
        assert_eq!(s.time, UtcTime::from_civil(2000, 1, 7, 4, 51, 39, 0));
        let (a, l) = parse_auto(line).unwrap();
        assert_eq!(a, s);
        assert_eq!(l, layout);
        // The wrong layout is a field-count error, not a guess.
        assert_eq!(
            parse(line, &AsciiLayout::default()),
            Err(AsciiError::FieldCount {
                expected: 4,
                found: 5
            })
        );
    }

    #[test]
    fn v2_ooi_lines() {
        let layout = AsciiLayout {
            pressure: Some(PressureUnits::Decibar),
            salinity: true,
            sound_velocity: true,
            ..AsciiLayout::default()
        };
        let s = parse(
            "#55.9044,41.40609, 572.170,   34.2583, 1505.948, 05 Feb 2013, 19:16:59",
            &layout,
        )
        .unwrap();
        assert!(close(s.temperature_c, 55.9044));
        assert!(close(s.conductivity_s_m, 41.40609));
        assert_eq!(s.pressure_dbar, Some(572.170));
        assert_eq!(s.salinity_psu, Some(34.2583));
        assert_eq!(s.sound_velocity_m_s, Some(1505.948));
        assert_eq!(s.time, UtcTime::from_civil(2013, 2, 5, 19, 16, 59, 0));
        let line2 = "#87.9140,5.42747, 556.864,   37.1829, 1506.961, 02 Jan 2001, 15:34:51";
        let (a, l) = parse_auto(line2).unwrap();
        assert_eq!(l, layout);
        assert_eq!(a.sound_velocity_m_s, Some(1506.961));
        assert_eq!(a.time, UtcTime::from_civil(2001, 1, 2, 15, 34, 51, 0));
    }

    #[test]
    fn odo_units_and_sample_number() {
        let layout = AsciiLayout {
            cond_units: CondUnits::MilliSiemensPerCm,
            pressure: Some(PressureUnits::Psi),
            oxygen: Some(OxygenUnits::MgPerL),
            salinity: true,
            sample_number: true,
            temp_units: TempUnits::Fahrenheit,
            ..AsciiLayout::default()
        };
        let s = parse(
            "50.0000, 42.9140, 14.504, 8.000, 35.0000, 01 Mar 2024, 00:00:00, 17",
            &layout,
        )
        .unwrap();
        assert!(close(s.temperature_c, 10.0));
        assert!(close(s.conductivity_s_m, 4.2914));
        assert!((s.pressure_dbar.unwrap() - 10.0).abs() < 1e-3);
        assert!((s.oxygen_ml_l.unwrap() - 8.0 / 1.42903).abs() < 1e-12);
        assert_eq!(s.sample_number, Some(17));
    }

    #[test]
    fn oxygen_in_micromol_per_kg() {
        // instruments.md §2.1: fields T, C, P, O2 (`oo.ooo`, ml/l, mg/l or µmol/kg), date,
        // time, separated by a comma and at least one space; no real ODO line exists in our
        // data, so this one is built from that table.
        let layout = AsciiLayout {
            pressure: Some(PressureUnits::Decibar),
            oxygen: Some(OxygenUnits::MicromolPerKg),
            ..AsciiLayout::default()
        };
        let s = parse(
            "13.8512,  4.56001,  503.851, 245.123, 01 Mar 2026, 00:00:00",
            &layout,
        )
        .unwrap();
        assert_eq!(s.oxygen_umol_kg, Some(245.123));
        assert_eq!(s.oxygen_ml_l, None);
        assert_eq!(s.pressure_dbar, Some(503.851));
        // The same line read as ml/l fills the other field only.
        let ml = AsciiLayout {
            oxygen: Some(OxygenUnits::MlPerL),
            ..layout
        };
        let s = parse(
            "13.8512,  4.56001,  503.851, 4.123, 01 Mar 2026, 00:00:00",
            &ml,
        )
        .unwrap();
        assert_eq!((s.oxygen_ml_l, s.oxygen_umol_kg), (Some(4.123), None));
    }

    #[test]
    fn errors_are_specific() {
        let l = AsciiLayout::default();
        assert_eq!(parse(" \r\n", &l), Err(AsciiError::Empty));
        assert_eq!(
            parse("x, 1.0, 07 Jan 2000, 04:51:39", &l),
            Err(AsciiError::NotANumber {
                field: "temperature"
            })
        );
        assert_eq!(
            parse("1.0, 1.0, 32 Jan 2000, 04:51:39", &l),
            Err(AsciiError::BadDateTime)
        );
        // 5.123 could be pressure or oxygen.
        assert_eq!(
            parse_auto("10.0000, 3.00000, 5.123, 07 Jan 2000, 04:51:39"),
            Err(AsciiError::Ambiguous { candidates: 2 })
        );
    }
}
