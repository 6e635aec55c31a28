//! Real-time raw decimal lines (`OutputFormat=0`, "for diagnostic use"), as counts.
//!
//! What instruments.md documents, and so all this module reads:
//! - §2.1 (secondary source, SMP-ODO): T counts, C frequency (Hz), P counts, P-temperature
//!   counts, [O2 phase (µs)], [O2 thermistor (V)], date, time;
//! - §2.2: through an IM controller, the 2-digit inductive ID `ii,` comes first
//!   (`#iiOutputFormat=0`, `ii,ttttttt, ppppppp, vvvvv, dd mmm yyyy, hh:mm:ss` on the
//!   39plus-IM, to which the 37-IM adds C in the §2.1 position, after T).
//!
//! The reference gives no example line of a 37 in this format, nor the number of decimals of
//! the frequency, phase and voltage fields, nor whether a sample number can follow: counts
//! must be unsigned integers, the other fields any plain decimal, and nothing may follow the
//! time. Whether oxygen fields are present follows from the field count. The values
//! stay raw: the reference does not say that these counts are the ones the §2.4 equations
//! take (it says so only for uploaded hex), so no conversion is offered.

use super::ascii::{line_fields, AsciiError};
use super::fields::{parse_date_time, parse_f64, parse_u32};
use crate::time::UtcTime;

/// One `OutputFormat=0` sample, as the instrument sent it.
///
/// Promises: the oxygen fields are both `Some` or both `None`; `id` is `Some` exactly when
/// the line started with an inductive ID.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawDecimalSample {
    /// Inductive-modem ID, for a reply through an IM controller.
    pub id: Option<u8>,
    /// Temperature counts.
    pub temperature_counts: u32,
    /// Conductivity frequency, Hz.
    pub conductivity_hz: f64,
    /// Pressure counts.
    pub pressure_counts: u32,
    /// Pressure-temperature counts.
    pub pressure_temperature_counts: u32,
    /// SBE 63 oxygen phase, µs (ODO only).
    pub oxygen_phase_us: Option<f64>,
    /// SBE 63 oxygen thermistor voltage, V (ODO only).
    pub oxygen_thermistor_v: Option<f64>,
    /// Sample time.
    pub time: UtcTime,
}

/// Decodes one `OutputFormat=0` line; `with_id`: the line is an IM reply that starts with
/// the `ii,` inductive ID (the caller knows whether it talks through an IM controller: the
/// field count alone cannot tell an ID from a count). Oxygen fields follow from the count.
pub fn parse(line: &str, with_id: bool) -> Result<RawDecimalSample, AsciiError> {
    let fields = line_fields(line)?;
    let (numbers, date, clock) = match fields.as_slice() {
        [numbers @ .., date, clock] => (numbers, date, clock),
        _ => return Err(AsciiError::NoLayoutFits),
    };
    // 4 numbers: T C P PT; one more in front: the ID; two more behind: the O2 fields.
    let (id, numbers) = match (with_id, numbers.split_first()) {
        (false, _) => (None, numbers),
        (true, Some((id, rest))) => (Some(parse_id(id)?), rest),
        (true, None) => return Err(AsciiError::NoLayoutFits),
    };
    if numbers.len() != 4 && numbers.len() != 6 {
        return Err(AsciiError::NoLayoutFits);
    }
    let count = |i: usize, field: &'static str| {
        numbers
            .get(i)
            .and_then(|s| parse_u32(s))
            .ok_or(AsciiError::NotANumber { field })
    };
    let decimal = |i: usize, field: &'static str| {
        numbers
            .get(i)
            .and_then(|s| parse_f64(s))
            .ok_or(AsciiError::NotANumber { field })
    };
    let oxygen = numbers.len() == 6;
    Ok(RawDecimalSample {
        id,
        temperature_counts: count(0, "temperature counts")?,
        conductivity_hz: decimal(1, "conductivity frequency")?,
        pressure_counts: count(2, "pressure counts")?,
        pressure_temperature_counts: count(3, "pressure temperature counts")?,
        oxygen_phase_us: oxygen.then(|| decimal(4, "oxygen phase")).transpose()?,
        oxygen_thermistor_v: oxygen
            .then(|| decimal(5, "oxygen thermistor voltage"))
            .transpose()?,
        time: parse_date_time(date, clock).ok_or(AsciiError::BadDateTime)?,
    })
}

/// The 2-digit inductive ID of an IM reply.
fn parse_id(field: &str) -> Result<u8, AsciiError> {
    parse_u32(field)
        .filter(|_| field.len() <= 3)
        .and_then(|v| u8::try_from(v).ok())
        .ok_or(AsciiError::BadImPrefix {
            what: "ID not 0-255",
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    // No real OutputFormat=0 line of an SBE 37 exists in our data: these lines are built from
    // the documented field order (instruments.md §2.1, secondary source; §2.2 IM prefix) with
    // the raw integers of golden scan 1 of §2.5 (T 637437, C 1375880/256 Hz, P 613892,
    // PT 1156) and the HydroCAT-ODO scan's O2 values of §2.5 (16.98 µs, 0.59728 V).

    #[test]
    fn ct_with_pressure() {
        let s = parse(
            "637437, 5374.531, 613892, 1156, 10 Nov 2017, 18:00:01\r\n",
            false,
        )
        .unwrap();
        assert_eq!(s.id, None);
        assert_eq!(s.temperature_counts, 637_437);
        assert_eq!(s.conductivity_hz, 5374.531);
        assert_eq!(
            (s.pressure_counts, s.pressure_temperature_counts),
            (613_892, 1156)
        );
        assert_eq!((s.oxygen_phase_us, s.oxygen_thermistor_v), (None, None));
        assert_eq!(Some(s.time), UtcTime::from_civil(2017, 11, 10, 18, 0, 1, 0));
    }

    #[test]
    fn odo_and_im_prefix() {
        let line = "637437, 5374.531, 613892, 1156, 16.980, 0.597280, 10 Nov 2017, 18:00:01";
        let s = parse(line, false).unwrap();
        assert_eq!(s.oxygen_phase_us, Some(16.98));
        assert_eq!(s.oxygen_thermistor_v, Some(0.59728));
        let im = parse(&std::format!("03,{line}"), true).unwrap();
        assert_eq!(im.id, Some(3));
        assert_eq!(RawDecimalSample { id: None, ..im }, s);
        let ct = parse(
            "03,637437, 5374.531, 613892, 1156, 10 Nov 2017, 18:00:01",
            true,
        )
        .unwrap();
        assert_eq!((ct.id, ct.oxygen_phase_us), (Some(3), None));
    }

    #[test]
    fn the_39plus_example_is_not_a_37_line() {
        // §2.2 verbatim: a 39plus-IM has no conductivity, so one field is missing.
        assert_eq!(
            parse("03,1722523, 93818, 23833, 14 Jul 2016, 09:01:34", true),
            Err(AsciiError::NoLayoutFits)
        );
    }

    #[test]
    fn errors_are_specific() {
        assert_eq!(parse(" \r\n", false), Err(AsciiError::Empty));
        assert_eq!(
            parse(
                "637437.5, 5374.531, 613892, 1156, 10 Nov 2017, 18:00:01",
                false
            ),
            Err(AsciiError::NotANumber {
                field: "temperature counts"
            })
        );
        assert_eq!(
            parse(
                "300,637437, 5374.531, 613892, 1156, 10 Nov 2017, 18:00:01",
                true
            ),
            Err(AsciiError::BadImPrefix {
                what: "ID not 0-255"
            })
        );
        assert_eq!(
            parse(
                "637437, 5374.531, 613892, 1156, 10 Nov 2017, 18:00:61",
                false
            ),
            Err(AsciiError::BadDateTime)
        );
        // A converted (format 1) line is not taken for raw counts.
        assert!(parse("24.8339,  0.97795,   -9.262, 07 Jan 2000, 04:51:39", false).is_err());
    }
}
