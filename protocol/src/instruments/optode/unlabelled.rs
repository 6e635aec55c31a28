//! Unlabelled lines (4831 with text output off): twelve TAB-separated fields
//! `product serial O2 saturation temperature CalPhase TCPhase C1RPh C2RPh C1Amp C2Amp RawTemp`.
//!
//! The record may sit behind binary garbage (the optode powering up), so it is anchored on a
//! product number: four digits, an optional letter, then a TAB. Candidates are tried from the
//! left; the first one that parses wins.

use super::{
    empty_sample, parse_model, parse_serial, parse_value, OptodeError, OptodeField, OptodeSample,
};
use crate::lines::fields;

/// Fields of an unlabelled line.
const FIELDS: usize = 12;

/// The value fields after product and serial, in line order.
const VALUES: [OptodeField; FIELDS - 2] = [
    OptodeField::Oxygen,
    OptodeField::Saturation,
    OptodeField::Temperature,
    OptodeField::CalPhase,
    OptodeField::TcPhase,
    OptodeField::C1RPh,
    OptodeField::C2RPh,
    OptodeField::C1Amp,
    OptodeField::C2Amp,
    OptodeField::RawTemp,
];

/// Finds the record in `payload` (already trimmed of blanks): the start of the first
/// candidate that parses and its sample, else the first candidate's error; `None` if there is
/// no candidate at all.
///
/// Linear in the line length: a candidate is only parsed when exactly the right number of
/// TABs follows it, which at most a couple of positions satisfy.
pub(super) fn find_and_parse(payload: &[u8]) -> Option<(usize, Result<OptodeSample, OptodeError>)> {
    let total_tabs = payload.iter().filter(|&&b| b == b'\t').count();
    let mut tabs_before = 0usize;
    let mut first_error = None;
    for (start, &byte) in payload.iter().enumerate() {
        let rest = payload.get(start..).unwrap_or(&[]);
        if is_candidate(rest) {
            // Fields from here to the end of the line: one more than the TABs.
            let found = total_tabs - tabs_before + 1;
            let result = if found == FIELDS {
                parse(rest)
            } else {
                Err(OptodeError::FieldCount {
                    expected: FIELDS,
                    found,
                })
            };
            match result {
                Ok(sample) => return Some((start, Ok(sample))),
                Err(e) => {
                    first_error.get_or_insert((start, Err(e)));
                }
            }
        }
        if byte == b'\t' {
            tabs_before += 1;
        }
    }
    first_error
}

/// Whether `s` starts with four digits, an optional ASCII letter, then a TAB.
fn is_candidate(s: &[u8]) -> bool {
    let Some((digits, rest)) = s.split_first_chunk::<4>() else {
        return false;
    };
    if !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    match rest {
        [b'\t', ..] => true,
        [letter, b'\t', ..] => letter.is_ascii_alphabetic(),
        _ => false,
    }
}

/// Parses a line that starts at the product number.
fn parse(line: &[u8]) -> Result<OptodeSample, OptodeError> {
    let line = fields::trim_blank(line);
    let found = line.split(|&b| b == b'\t').count();
    if found != FIELDS {
        return Err(OptodeError::FieldCount {
            expected: FIELDS,
            found,
        });
    }
    let mut parts = line.split(|&b| b == b'\t').map(fields::trim_blank);
    let (model, suffix) = parse_model(parts.next().unwrap_or(&[]))?;
    let serial = parse_serial(parts.next().unwrap_or(&[]))?;
    let mut values = [0.0f64; FIELDS - 2];
    for ((slot, &field), part) in values.iter_mut().zip(VALUES.iter()).zip(parts) {
        *slot = parse_value(part, field)?;
    }
    let [oxygen, saturation, temperature, calphase, tcphase, c1rph, c2rph, c1amp, c2amp, rawtemp] =
        values;
    let mut sample = empty_sample(model, suffix, serial);
    sample.oxygen_umol_l = oxygen;
    sample.saturation_pct = saturation;
    sample.temperature_c = temperature;
    sample.calphase_deg = Some(calphase);
    sample.tcphase_deg = Some(tcphase);
    sample.c1rph_deg = Some(c1rph);
    sample.c2rph_deg = Some(c2rph);
    sample.c1amp_mv = Some(c1amp);
    sample.c2amp_mv = Some(c2amp);
    sample.rawtemp_mv = Some(rawtemp);
    Ok(sample)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    const LINE: &[u8] =
        b"4831\t379\t354.255\t94.962\t7.658\t32.971\t32.971\t41.373\t8.402\t738.5\t797.6\t448.6";

    #[test]
    fn candidates() {
        assert!(is_candidate(b"4831\t"));
        assert!(is_candidate(b"4330F\t"));
        assert!(!is_candidate(b"4831 "));
        assert!(!is_candidate(b"48311\t"));
        assert!(!is_candidate(b"483"));
    }

    #[test]
    fn digits_in_garbage_do_not_hide_the_record() {
        let mut line = std::vec::Vec::from(&b"\xff33\t3934"[..]);
        line.extend_from_slice(LINE);
        let (start, sample) = find_and_parse(&line).unwrap();
        assert_eq!(start, 8);
        assert_eq!(sample.unwrap().serial, 379);
    }

    #[test]
    fn a_megabyte_of_candidates_is_scanned_in_linear_time() {
        let line = b"0000\t".repeat(200_000);
        let payload = fields::trim_blank(&line);
        let (start, result) = find_and_parse(payload).unwrap();
        // Only the last twelve fields make a record.
        assert_eq!(start, payload.len() - (12 * 5 - 1));
        assert_eq!(result.map(|s| s.serial), Ok(0));
    }

    #[test]
    fn wrong_field_count_and_bad_value() {
        assert_eq!(
            find_and_parse(b"4831\t379\t1.0"),
            Some((
                0,
                Err(OptodeError::FieldCount {
                    expected: 12,
                    found: 3
                })
            ))
        );
        let bad =
            b"4831\t379\t354.255\t94.962\t7.658\t32.971\t\t41.373\t8.402\t738.5\t797.6\t448.6";
        assert_eq!(
            find_and_parse(bad),
            Some((0, Err(OptodeError::NotANumber(OptodeField::TcPhase))))
        );
        assert_eq!(find_and_parse(b"no record"), None);
    }
}
