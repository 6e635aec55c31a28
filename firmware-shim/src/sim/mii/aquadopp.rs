//! The MII's Aquadopp (serial 11402) on its serial line: at power-up it sends its
//! hardware, head and user configuration structures, then one velocity record per
//! measurement interval ([`crate::sim::aquadopp`]).
//!
//! The configuration structures are the real ones of Aquadopp AQD11402 (OOI's
//! `VELPT_SN_11402_2014-07-02.aqd`, the first 784 bytes; see protocol/tests/data), with the
//! user configuration's measurement and average intervals set to the simulation's and its
//! checksum recomputed. Its coordinate system (ENU) is what the gateway's records say.

use std::vec::Vec;

use protocol::instruments::nortek::framing::checksum;

/// The real AQD11402 recording the configuration structures come from.
const VELPT: &[u8] =
    include_bytes!("../../../../protocol/tests/data/ooi/VELPT_SN_11402_2014-07-02.aqd");
/// Hardware (48 B), head (224 B) and user (512 B) configuration at the start of the file.
const CONFIG_BYTES: usize = 48 + 224 + 512;
/// Offset of the user configuration in those bytes.
const USER_AT: usize = 48 + 224;

/// The configuration structures sent at power-up, for a record every `interval_s`
/// averaged over `average_s`.
pub fn config_preamble(interval_s: u16, average_s: u16) -> Vec<u8> {
    let mut b = VELPT.get(..CONFIG_BYTES).unwrap_or(&[]).to_vec();
    if let Some(user) = b.get_mut(USER_AT..CONFIG_BYTES) {
        // average interval (offset 16) and measurement interval (offset 38), seconds
        user[16..18].copy_from_slice(&average_s.to_le_bytes());
        user[38..40].copy_from_slice(&interval_s.to_le_bytes());
        let cs = checksum(&user[..510]);
        user[510..].copy_from_slice(&cs.to_le_bytes());
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::instruments::nortek::{decode_slice, CoordinateSystem, Event, Record};

    #[test]
    fn the_real_configuration_decodes_with_the_simulated_intervals() {
        let bytes = config_preamble(600, 60);
        let ev: Vec<Event> = decode_slice(&bytes).collect();
        assert_eq!(ev.len(), 3, "{ev:?}");
        let Event::Record {
            record: Record::HardwareConfiguration(hw),
            ..
        } = &ev[0]
        else {
            panic!("{:?}", ev[0])
        };
        assert_eq!(hw.serial_number.as_str().trim(), "AQD11402");
        assert!(matches!(
            ev[1],
            Event::Record {
                record: Record::HeadConfiguration(_),
                ..
            }
        ));
        let Event::Record {
            record: Record::UserConfiguration(u),
            ..
        } = &ev[2]
        else {
            panic!("{:?}", ev[2])
        };
        assert_eq!((u.measurement_interval_s, u.average_interval_s), (600, 60));
        assert_eq!(u.coordinate_system, Some(CoordinateSystem::Enu));
    }
}
