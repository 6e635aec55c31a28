//! Ground truth: every sample the instruments handed to the controller, as the JSON
//! records of BRIEF §4 (`{"type":"sbe37","time":…,"serial":…,"temperature_c":…}`), with
//! every value printed exactly at the instrument's resolution.

use std::format;
use std::string::String;

use protocol::time::UtcTime;

use super::instruments::{fixed, Measured};

/// One measured sample, exact integers at instrument resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TruthRecord {
    /// Sample time, Unix seconds.
    pub time_s: u32,
    /// Instrument serial number.
    pub serial: u32,
    /// Temperature, 0.0001 °C.
    pub temperature: i32,
    /// Conductivity, 0.00001 S/m.
    pub conductivity: i32,
    /// Pressure, 0.001 dbar.
    pub pressure: i32,
    /// Oxygen, 0.001 ml/l; `None` for instruments without an oxygen sensor.
    pub oxygen: Option<i32>,
}

impl TruthRecord {
    /// The record of sample `m` of instrument `serial`.
    pub fn from_measured(serial: u32, m: &Measured) -> Self {
        TruthRecord {
            time_s: m.time_s,
            serial,
            temperature: m.temperature,
            conductivity: m.conductivity,
            pressure: m.pressure,
            oxygen: m.oxygen,
        }
    }

    /// One JSON line (without newline), oxygen omitted when not measured.
    pub fn to_json(&self) -> String {
        let time = UtcTime::from_unix_seconds(i64::from(self.time_s));
        let oxygen = match self.oxygen {
            Some(o) => format!(",\"oxygen_ml_l\":{}", fixed(o.into(), 3)),
            None => String::new(),
        };
        format!(
            "{{\"type\":\"sbe37\",\"time\":\"{time}\",\"serial\":\"{}\",\"temperature_c\":{},\"conductivity_s_m\":{},\"pressure_dbar\":{}{oxygen}}}",
            self.serial,
            fixed(self.temperature.into(), 4),
            fixed(self.conductivity.into(), 5),
            fixed(self.pressure.into(), 3),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_form() {
        let r = TruthRecord {
            time_s: 1_772_323_200,
            serial: 3_725_001,
            temperature: 138_512,
            conductivity: 456_001,
            pressure: 503_851,
            oxygen: Some(4_123),
        };
        assert_eq!(
            r.to_json(),
            "{\"type\":\"sbe37\",\"time\":\"2026-03-01T00:00:00Z\",\"serial\":\"3725001\",\"temperature_c\":13.8512,\"conductivity_s_m\":4.56001,\"pressure_dbar\":503.851,\"oxygen_ml_l\":4.123}"
        );
        let r = TruthRecord { oxygen: None, ..r };
        assert!(!r.to_json().contains("oxygen"));
    }
}
