//! Ground truth: every sample the instruments handed on (to the line controller, or to the
//! MII's serial ports), as the JSON records the gateway stores for it (BRIEF §4:
//! `{"type":"sbe37","time":…,"serial":…,"temperature_c":…}`), with every value printed
//! exactly at the instrument's resolution.
//!
//! [`TruthRecord`] is a MicroCAT sample; [`Truth`] is a sample of any instrument of the
//! simulation, in the form the gateway's decoder of its path gives it.

use std::format;
use std::string::String;

use protocol::time::UtcTime;

use super::aquadopp::VelocityRecord;
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

/// How an Aquadopp's record reaches the gateway, which decides its JSON form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AquadoppPath {
    /// Packed by the line controller into an `AquadoppSample` frame (ALBATROSS).
    Acoustic,
    /// The instrument's own Nortek binary on a serial line (MII), after its configuration
    /// structures (coordinate system ENU).
    Serial,
}

/// An Aanderaa 4831 optode sample (unlabelled output behind a logger timestamp), in units of
/// the printed resolution: 0.001 for the first seven values, 0.1 mV for the amplitudes and
/// raw temperature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptodeTruth {
    /// Logger time, Unix seconds.
    pub time_s: u32,
    /// Product number (4831).
    pub model: u32,
    /// Serial number.
    pub serial: u32,
    /// O2 µmol/l, air saturation %, temperature °C, CalPhase, TCPhase, C1RPh, C2RPh (°):
    /// 0.001 units.
    pub milli: [i32; 7],
    /// C1Amp, C2Amp, RawTemp (mV): 0.1 units.
    pub deci: [i32; 3],
}

/// A WET Labs C-Star sample (the instrument has no clock: the time is the MII data
/// logger's stamp before the line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CstarTruth {
    /// Logger time, Unix seconds.
    pub time_s: u32,
    /// Serial number (`CST-<serial>DR`).
    pub serial: u32,
    /// Reference, signal and corrected signal counts.
    pub counts: [u32; 3],
    /// Beam attenuation c, 0.001 1/m.
    pub beam_c: i32,
    /// Thermistor counts.
    pub thermistor: u32,
}

/// One ground-truth sample of any simulated instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Truth {
    /// A MicroCAT sample (ALBATROSS line or MII: the same record).
    Sbe37(TruthRecord),
    /// An Aquadopp velocity record of instrument `serial`, as it reaches the gateway by `path`.
    Aquadopp {
        /// Serial number.
        serial: u32,
        /// The record.
        record: VelocityRecord,
        /// How it reaches the gateway.
        path: AquadoppPath,
    },
    /// An optode sample.
    Optode(OptodeTruth),
    /// A C-Star sample.
    Cstar(CstarTruth),
}

impl From<TruthRecord> for Truth {
    fn from(r: TruthRecord) -> Self {
        Truth::Sbe37(r)
    }
}

impl Truth {
    /// The instrument's serial number.
    pub fn serial(&self) -> u32 {
        match self {
            Truth::Sbe37(r) => r.serial,
            Truth::Aquadopp { serial, .. } => *serial,
            Truth::Optode(o) => o.serial,
            Truth::Cstar(c) => c.serial,
        }
    }

    /// The record type the gateway gives it (`sbe37`, `aquadopp_velocity`, `optode`, `cstar`).
    pub fn kind(&self) -> &'static str {
        match self {
            Truth::Sbe37(_) => "sbe37",
            Truth::Aquadopp { .. } => "aquadopp_velocity",
            Truth::Optode(_) => "optode",
            Truth::Cstar(_) => "cstar",
        }
    }

    /// One JSON line (without newline): the fields the gateway's record of it holds.
    pub fn to_json(&self) -> String {
        match self {
            Truth::Sbe37(r) => r.to_json(),
            Truth::Aquadopp {
                serial,
                record: r,
                path,
            } => {
                let time = UtcTime::from_unix_seconds(i64::from(r.time_s));
                let v = r.velocity.map(|x| fixed(x.into(), 3));
                let coordinates = match path {
                    AquadoppPath::Acoustic => "enu",
                    AquadoppPath::Serial => "ENU",
                };
                format!(
                    "{{\"type\":\"aquadopp_velocity\",\"time\":\"{time}\",\"serial\":\"{serial}\",\"coordinate_system\":\"{coordinates}\",\"velocity_m_s\":[{},{},{}],\"amplitude\":[{},{},{}],\"heading_deg\":{},\"pitch_deg\":{},\"roll_deg\":{},\"pressure_dbar\":{},\"temperature_c\":{},\"battery_v\":{},\"sound_speed_m_s\":{},\"error_code\":{},\"status\":{}}}",
                    v[0],
                    v[1],
                    v[2],
                    r.amplitude[0],
                    r.amplitude[1],
                    r.amplitude[2],
                    fixed(r.heading.into(), 1),
                    fixed(r.pitch.into(), 1),
                    fixed(r.roll.into(), 1),
                    fixed(r.pressure.into(), 3),
                    fixed(r.temperature.into(), 2),
                    fixed(r.battery.into(), 1),
                    fixed(r.sound_speed.into(), 1),
                    r.error,
                    r.status
                )
            }
            Truth::Optode(o) => {
                let time = UtcTime::from_unix_seconds(i64::from(o.time_s));
                let m = o.milli.map(|x| fixed(x.into(), 3));
                let d = o.deci.map(|x| fixed(x.into(), 1));
                format!(
                    "{{\"type\":\"optode\",\"time\":\"{time}\",\"serial\":\"{}\",\"model\":\"{}\",\"oxygen_umol_l\":{},\"oxygen_saturation_pct\":{},\"temperature_c\":{},\"calphase_deg\":{},\"tcphase_deg\":{},\"c1rph_deg\":{},\"c2rph_deg\":{},\"c1amp_mv\":{},\"c2amp_mv\":{},\"rawtemp_mv\":{}}}",
                    o.serial, o.model, m[0], m[1], m[2], m[3], m[4], m[5], m[6], d[0], d[1], d[2]
                )
            }
            Truth::Cstar(c) => format!(
                "{{\"type\":\"cstar\",\"time\":\"{}\",\"serial\":\"{}\",\"model_suffix\":\"DR\",\"reference_counts\":{},\"signal_counts\":{},\"corrected_counts\":{},\"beam_attenuation_per_m\":{},\"thermistor_counts\":{}}}",
                UtcTime::from_unix_seconds(i64::from(c.time_s)),
                c.serial,
                c.counts[0],
                c.counts[1],
                c.counts[2],
                fixed(c.beam_c.into(), 3),
                c.thermistor
            ),
        }
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
