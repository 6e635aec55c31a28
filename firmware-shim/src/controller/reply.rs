//! Turning one MicroCAT inductive-modem reply line into a batch sample.
//!
//! The reply is parsed with the protocol crate's SBE 37 IM parser, first with the layouts
//! the configured kind implies (T, C in S/m, P in dbar, O2 in ml/l for the ODO, with or
//! without a sample number), then with its layout guesser. The printed decimals are then
//! converted to the frame's fixed-point units (T 1e-4 °C, C 1e-5 S/m, P 1e-3 dbar,
//! O2 1e-3 ml/l) by rounding to the nearest unit, which gives back exactly the printed
//! value whenever the instrument prints no more decimals than that.

use super::config::InstrumentSlot;
use protocol::instruments::sbe37::Sbe37Sample;
use protocol::instruments::sbe37::{im, AsciiLayout, OxygenUnits, PressureUnits};
use protocol::message::InstrumentKind;
use protocol::message::{CtdSample, FieldSpec, CONDUCTIVITY, OXYGEN, PRESSURE, TEMPERATURE};

/// Why a line is not this instrument's reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReplyError {
    /// No layout parses the line.
    Unparseable,
    /// The reply carries another inductive-modem ID.
    WrongId,
    /// The reply carries another serial number.
    WrongSerial,
}

/// How a sample's values fared in the fixed-point conversion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Conversion {
    /// Values outside their field's range (sent as "not measured").
    pub out_of_range: u32,
    /// Values with more decimals than the field's resolution.
    pub rounded: u32,
}

/// The layouts a reply of `kind` is tried with, most likely first.
fn layouts(kind: InstrumentKind) -> [AsciiLayout; 2] {
    let mut l = AsciiLayout {
        pressure: Some(PressureUnits::Decibar),
        ..AsciiLayout::default()
    };
    if kind == InstrumentKind::Sbe37CtdOdo {
        l.oxygen = Some(OxygenUnits::MlPerL);
    }
    [
        l,
        AsciiLayout {
            sample_number: true,
            ..l
        },
    ]
}

fn parse(line: &str, kind: InstrumentKind) -> Option<Sbe37Sample> {
    for layout in layouts(kind) {
        if let Ok(s) = im::parse(line, &layout) {
            return Some(s);
        }
    }
    im::parse_auto(line).ok().map(|(s, _)| s)
}

/// Decodes `line` as the reply of `inst` and converts it for slot `inst.slot`.
pub(crate) fn sample_from_reply(
    line: &str,
    inst: &InstrumentSlot,
) -> Result<(CtdSample, Conversion), ReplyError> {
    let s = parse(line, inst.kind).ok_or(ReplyError::Unparseable)?;
    if s.id.is_some_and(|id| id != inst.im_id) {
        return Err(ReplyError::WrongId);
    }
    if s.serial
        .is_some_and(|sn| sn % 100_000 != inst.serial % 100_000)
    {
        return Err(ReplyError::WrongSerial);
    }
    let mut conv = Conversion::default();
    let mut fix = |spec: &FieldSpec, v: Option<f64>| v.and_then(|x| to_units(spec, x, &mut conv));
    let sample = CtdSample {
        slot: inst.slot,
        temperature: fix(&TEMPERATURE, Some(s.temperature_c)),
        conductivity: fix(&CONDUCTIVITY, Some(s.conductivity_s_m)),
        pressure: fix(&PRESSURE, s.pressure_dbar),
        oxygen: fix(&OXYGEN, s.oxygen_ml_l),
    };
    Ok((sample, conv))
}

/// `10^decimals` for the field resolutions in use (0–5 decimals).
fn scale(decimals: u32) -> f64 {
    const POW: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];
    POW.get(decimals as usize).copied().unwrap_or(1e6)
}

/// `x` in resolution units of `spec`, or `None` (counted) when out of range.
fn to_units(spec: &FieldSpec, x: f64, conv: &mut Conversion) -> Option<i32> {
    let Some(v) = spec.from_f64(x).and_then(|v| i32::try_from(v).ok()) else {
        conv.out_of_range += 1;
        return None;
    };
    let diff = x * scale(spec.decimals) - f64::from(v);
    // A printed value with at most `decimals` digits is within float noise of a whole unit.
    if !(-1e-6..=1e-6).contains(&diff) {
        conv.rounded += 1;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn odo(slot: u8, im_id: u8, serial: u32) -> InstrumentSlot {
        InstrumentSlot {
            slot,
            im_id,
            kind: InstrumentKind::Sbe37CtdOdo,
            serial,
            nominal_depth_m: 2000,
        }
    }

    #[test]
    fn odo_reply_converts_exactly() {
        let line = "03, 12345, 13.2345, 4.12345, 2412.345, 5.678, 14 Jul 2016, 09:01:44\r\n";
        let (s, c) = sample_from_reply(line, &odo(7, 3, 3712345)).unwrap();
        assert_eq!(
            s,
            CtdSample {
                slot: 7,
                temperature: Some(132_345),
                conductivity: Some(412_345),
                pressure: Some(2_412_345),
                oxygen: Some(5_678)
            }
        );
        assert_eq!(c, Conversion::default());
    }

    #[test]
    fn ctd_reply_with_sample_number_and_sim_form() {
        let ctd = InstrumentSlot {
            kind: InstrumentKind::Sbe37Ctd,
            ..odo(0, 3, 9999)
        };
        let (s, _) = sample_from_reply(
            "03, 09999, 8.5796, 3.12345, 531.316, 14 Jul 2016, 09:01:44, 1126, 250",
            &ctd,
        )
        .unwrap();
        assert_eq!(
            (s.temperature, s.pressure, s.oxygen),
            (Some(85_796), Some(531_316), None)
        );
        let ct = InstrumentSlot {
            kind: InstrumentKind::Unknown,
            ..odo(0, 1, 820)
        };
        let (s, _) =
            sample_from_reply(" 00820, 23.6730, 0.00010, 21 Jul 2003, 23:01:28", &ct).unwrap();
        assert_eq!(
            (s.temperature, s.conductivity, s.pressure),
            (Some(236_730), Some(10), None)
        );
    }

    #[test]
    fn wrong_instrument_and_bad_values() {
        let line = "04, 12345, 13.2345, 4.12345, 2412.345, 5.678, 14 Jul 2016, 09:01:44";
        assert_eq!(
            sample_from_reply(line, &odo(0, 3, 12345)),
            Err(ReplyError::WrongId)
        );
        assert_eq!(
            sample_from_reply(line, &odo(0, 4, 12346)),
            Err(ReplyError::WrongSerial)
        );
        assert_eq!(
            sample_from_reply("S>", &odo(0, 4, 12345)),
            Err(ReplyError::Unparseable)
        );
        let hot = "04, 12345, 99.2345, 4.123456, 2412.345, 5.678, 14 Jul 2016, 09:01:44";
        let (s, c) = sample_from_reply(hot, &odo(0, 4, 12345)).unwrap();
        assert_eq!((s.temperature, s.conductivity), (None, Some(412_346)));
        assert_eq!(
            c,
            Conversion {
                out_of_range: 1,
                rounded: 1
            }
        );
    }
}
