//! Inductive-modem replies as an IM controller (SIM, IMM, SBE 44) sees them.
//!
//! Two prefixes come before the §2.1 converted fields (instruments.md §2.2):
//! - `ii, nnnnn, …`: the 2-digit inductive ID (only in answer to `!iiData`, `Dataii`,
//!   `!iiGetReply`) and the 5-digit serial number (without the `037` prefix);
//! - ` nnnnn, …`: the serial number alone, as in the older SIM `sl` replies
//!   (` 00820, 23.6730, 0.00010, 21 Jul 2003, 23:01:28`).
//!
//! With `TxSampleNum=Y` a sample number, and on newer firmware an averaging count, follow
//! the time; the averaging count is checked but not kept.

use super::ascii::{guess_layout, line_fields, parse_body, AsciiError, AsciiLayout};
use super::fields::parse_u32;
use super::Sbe37Sample;

/// The `ii`/`nnnnn` prefix of a reply, and the fields after it.
fn split_prefix<'a, 'b>(
    fields: &'b [&'a str],
) -> Result<(Option<u8>, u32, &'b [&'a str]), AsciiError> {
    let is_int = |f: &&str| parse_u32(f).is_some();
    match fields {
        [id, serial, rest @ ..] if is_int(id) && is_int(serial) && id.len() <= 3 => {
            let id = parse_u32(id).and_then(|v| u8::try_from(v).ok()).ok_or(
                AsciiError::BadImPrefix {
                    what: "ID not 0-255",
                },
            )?;
            let serial = parse_u32(serial).ok_or(AsciiError::BadImPrefix { what: "serial" })?;
            Ok((Some(id), serial, rest))
        }
        [serial, rest @ ..] if is_int(serial) => {
            let serial = parse_u32(serial).ok_or(AsciiError::BadImPrefix { what: "serial" })?;
            Ok((None, serial, rest))
        }
        _ => Err(AsciiError::BadImPrefix {
            what: "no serial-number field",
        }),
    }
}

/// Decodes one IM reply with a known layout of the fields after the prefix.
pub fn parse(line: &str, layout: &AsciiLayout) -> Result<Sbe37Sample, AsciiError> {
    let fields = line_fields(line)?;
    let (id, serial, rest) = split_prefix(&fields)?;
    let mut s = parse_body(rest, layout, 1)?;
    s.id = id;
    s.serial = Some(serial);
    Ok(s)
}

/// Decodes one IM reply, guessing the layout as [`super::ascii::parse_auto`] does.
pub fn parse_auto(line: &str) -> Result<(Sbe37Sample, AsciiLayout), AsciiError> {
    let fields = line_fields(line)?;
    let (id, serial, rest) = split_prefix(&fields)?;
    let layout = guess_layout(rest, 2)?;
    let mut s = parse_body(rest, &layout, 1)?;
    s.id = id;
    s.serial = Some(serial);
    Ok((s, layout))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instruments::sbe37::PressureUnits;
    use crate::time::UtcTime;

    #[test]
    fn sim_sl_replies() {
        let (s, l) = parse_auto(" 00820, 23.6730, 0.00010, 21 Jul 2003, 23:01:28\r\n").unwrap();
        assert_eq!((s.id, s.serial), (None, Some(820)));
        assert_eq!((s.temperature_c, s.conductivity_s_m), (23.6730, 0.00010));
        assert_eq!(s.time, UtcTime::from_civil(2003, 7, 21, 23, 1, 28, 0));
        assert_eq!(l, AsciiLayout::default());
        assert_eq!(
            parse(" 00820, 23.6730, 0.00010, 21 Jul 2003, 23:01:28", &l),
            Ok(s)
        );

        let (s, _) = parse_auto(" 00470, 24.3894, 0.00001, 07 Jan 1980, 08:18:24, 25075").unwrap();
        assert_eq!((s.serial, s.sample_number), (Some(470), Some(25075)));
        assert_eq!(s.time, UtcTime::from_civil(1980, 1, 7, 8, 18, 24, 0));

        let line = " 01247, 23.3810, 0.08525, -0.739, 21 Jul 2003, 23:02:50, 24941";
        let (s, l) = parse_auto(line).unwrap();
        assert_eq!(
            (s.serial, s.pressure_dbar, s.sample_number),
            (Some(1247), Some(-0.739), Some(24941))
        );
        assert_eq!(l.pressure, Some(PressureUnits::Decibar));
        assert!(l.sample_number);
    }

    #[test]
    fn id_and_serial_prefix() {
        let layout = AsciiLayout {
            pressure: Some(PressureUnits::Decibar),
            sample_number: true,
            ..AsciiLayout::default()
        };
        let s = parse(
            "03, 09999, 8.5796, 3.12345, 531.316, 14 Jul 2016, 09:01:44, 1126, 250\r\n",
            &layout,
        )
        .unwrap();
        assert_eq!(
            (s.id, s.serial, s.sample_number),
            (Some(3), Some(9999), Some(1126))
        );
        assert_eq!(s.pressure_dbar, Some(531.316));
        assert_eq!(s.time, UtcTime::from_civil(2016, 7, 14, 9, 1, 44, 0));
        assert_eq!(
            parse(
                "300, 09999, 8.5796, 3.12345, 531.316, 14 Jul 2016, 09:01:44, 1126",
                &layout
            ),
            Err(AsciiError::BadImPrefix {
                what: "ID not 0-255"
            })
        );
        assert_eq!(
            parse(
                "8.5796, 3.12345, 14 Jul 2016, 09:01:44",
                &AsciiLayout::default()
            ),
            Err(AsciiError::BadImPrefix {
                what: "no serial-number field"
            })
        );
    }
}
