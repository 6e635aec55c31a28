//! `MEASUREMENT <product> <serial> <label> <value> ...` lines: legacy 3830/3835
//! (`Oxygen:`), 4330/4330F (`O2Concentration(uM)`) and 4531 (`O2Concentration[uM]`).
//!
//! Every label must be known and carry the unit this decoder converts from, each at most once;
//! oxygen, saturation and temperature are required.

use super::{
    empty_sample, parse_model, parse_serial, parse_value, OptodeError, OptodeField, OptodeSample,
};
use crate::lines::fields;

/// The keyword that starts every labelled line.
pub(super) const KEYWORD: &[u8] = b"MEASUREMENT";

/// Parses a line that starts with [`KEYWORD`].
pub(super) fn parse(line: &[u8]) -> Result<OptodeSample, OptodeError> {
    let mut tokens = fields::tokens(line);
    if tokens.next() != Some(KEYWORD) {
        return Err(OptodeError::NoRecord);
    }
    let (model, suffix) = parse_model(
        tokens
            .next()
            .ok_or(OptodeError::MissingField(OptodeField::Model))?,
    )?;
    let serial = parse_serial(
        tokens
            .next()
            .ok_or(OptodeError::MissingField(OptodeField::Serial))?,
    )?;
    let mut sample = empty_sample(model, suffix, serial);
    let mut required = [None::<f64>; 3];
    while let Some(label) = tokens.next() {
        let field = field_of(label)?;
        let value = parse_value(
            tokens.next().ok_or(OptodeError::MissingValue(field))?,
            field,
        )?;
        let slot = match field {
            OptodeField::Oxygen => required.get_mut(0),
            OptodeField::Saturation => required.get_mut(1),
            OptodeField::Temperature => required.get_mut(2),
            _ => raw_slot(&mut sample, field),
        };
        match slot {
            Some(slot @ None) => *slot = Some(value),
            _ => return Err(OptodeError::DuplicateField(field)),
        }
    }
    let [oxygen, saturation, temperature] = required;
    sample.oxygen_umol_l = oxygen.ok_or(OptodeError::MissingField(OptodeField::Oxygen))?;
    sample.saturation_pct = saturation.ok_or(OptodeError::MissingField(OptodeField::Saturation))?;
    sample.temperature_c =
        temperature.ok_or(OptodeError::MissingField(OptodeField::Temperature))?;
    Ok(sample)
}

/// The sample's slot for a raw phase/amplitude field (`None` for the three required ones).
fn raw_slot(sample: &mut OptodeSample, field: OptodeField) -> Option<&mut Option<f64>> {
    Some(match field {
        OptodeField::CalPhase => &mut sample.calphase_deg,
        OptodeField::TcPhase => &mut sample.tcphase_deg,
        OptodeField::C1RPh => &mut sample.c1rph_deg,
        OptodeField::C2RPh => &mut sample.c2rph_deg,
        OptodeField::C1Amp => &mut sample.c1amp_mv,
        OptodeField::C2Amp => &mut sample.c2amp_mv,
        OptodeField::RawTemp => &mut sample.rawtemp_mv,
        _ => return None,
    })
}

/// The field a label names, checking its unit: `Name:` (legacy, no unit), `Name(unit)` or
/// `Name[unit]`.
fn field_of(label: &[u8]) -> Result<OptodeField, OptodeError> {
    let (name, unit) = split_label(label).ok_or(OptodeError::UnknownLabel)?;
    let (field, units): (OptodeField, &[&[u8]]) = match name {
        b"Oxygen" | b"O2Concentration" => (OptodeField::Oxygen, &[b"uM"]),
        b"Saturation" | b"AirSaturation" => (OptodeField::Saturation, &[b"%"]),
        b"Temperature" => (OptodeField::Temperature, &[b"Deg.C"]),
        b"CalPhase" => (OptodeField::CalPhase, &[b"Deg"]),
        b"TCPhase" => (OptodeField::TcPhase, &[b"Deg"]),
        b"C1RPh" => (OptodeField::C1RPh, &[b"Deg"]),
        b"C2RPh" => (OptodeField::C2RPh, &[b"Deg"]),
        b"C1Amp" => (OptodeField::C1Amp, &[b"mV"]),
        b"C2Amp" => (OptodeField::C2Amp, &[b"mV"]),
        b"RawTemp" => (OptodeField::RawTemp, &[b"mV"]),
        _ => return Err(OptodeError::UnknownLabel),
    };
    match unit {
        // Legacy `Name:` labels carry no unit; the values are in the units above.
        None => Ok(field),
        Some(u) if units.contains(&u) => Ok(field),
        Some(_) => Err(OptodeError::UnexpectedUnit(field)),
    }
}

/// Splits `Name:`, `Name(unit)` or `Name[unit]` into name and unit; `None` for other shapes.
fn split_label(label: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    if let Some(name) = label.strip_suffix(b":") {
        return Some((name, None));
    }
    let (open, close) = match label.last()? {
        b')' => (b'(', b')'),
        b']' => (b'[', b']'),
        _ => return None,
    };
    let start = label.iter().position(|&b| b == open)?;
    let name = label.get(..start)?;
    // `label` is not empty (it has a last byte), so `len() - 1` cannot underflow.
    let unit = label.get(start + 1..label.len() - 1)?;
    if unit.contains(&open) || unit.contains(&close) {
        return None;
    }
    Some((name, Some(unit)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(field_of(b"Oxygen:"), Ok(OptodeField::Oxygen));
        assert_eq!(field_of(b"O2Concentration(uM)"), Ok(OptodeField::Oxygen));
        assert_eq!(field_of(b"AirSaturation[%]"), Ok(OptodeField::Saturation));
        assert_eq!(
            field_of(b"Temperature(Deg.C)"),
            Ok(OptodeField::Temperature)
        );
        assert_eq!(
            field_of(b"O2Concentration(mg/l)"),
            Err(OptodeError::UnexpectedUnit(OptodeField::Oxygen))
        );
        assert_eq!(field_of(b"Salinity(PSU)"), Err(OptodeError::UnknownLabel));
        assert_eq!(field_of(b"Oxygen"), Err(OptodeError::UnknownLabel));
        assert_eq!(field_of(b")"), Err(OptodeError::UnknownLabel));
        assert_eq!(field_of(b"(]"), Err(OptodeError::UnknownLabel));
    }

    #[test]
    fn duplicate_and_missing() {
        assert_eq!(
            parse(b"MEASUREMENT 4531 1 Oxygen: 1 Oxygen: 2"),
            Err(OptodeError::DuplicateField(OptodeField::Oxygen))
        );
        assert_eq!(
            parse(b"MEASUREMENT 4531 1 Oxygen: 1 Saturation: 2 Temperature:"),
            Err(OptodeError::MissingValue(OptodeField::Temperature))
        );
        assert_eq!(
            parse(b"MEASUREMENT 4531"),
            Err(OptodeError::MissingField(OptodeField::Serial))
        );
        assert_eq!(parse(b"MEASUREMENTS 4531 1"), Err(OptodeError::NoRecord));
    }
}
