//! Aquadopp single-point structures (instruments.md §3.2): velocity (0x01), diagnostics
//! data (0x80, same layout) and the diagnostics header (0x06); plus the sensor block
//! (`PdMeas` offsets 4–29) shared with the profilers.

use super::clock::decode_clock;
use super::config::{velocity_scale_m_s, ConfigInForce, CoordinateSystem};
use super::error::NortekError;
use super::framing::Fields;
use crate::time::UtcTime;

/// Length of the Aquadopp velocity and diagnostics data structures.
pub const AQUADOPP_VELOCITY_BYTES: usize = 42;
/// Length of the diagnostics header structure.
pub const DIAGNOSTICS_HEADER_BYTES: usize = 36;

/// The status byte of a data structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Status(pub u8);

impl Status {
    /// b0: orientation down (`false` = up).
    pub fn orientation_down(self) -> bool {
        self.0 & 0x01 != 0
    }
    /// b1: velocities scaled 0.1 mm/s per count (`false` = 1 mm/s).
    pub fn velocity_scaling_tenth_mm(self) -> bool {
        self.0 & 0x02 != 0
    }
    /// b2: pitch out of range.
    pub fn pitch_out_of_range(self) -> bool {
        self.0 & 0x04 != 0
    }
    /// b3: roll out of range.
    pub fn roll_out_of_range(self) -> bool {
        self.0 & 0x08 != 0
    }
    /// b4–5: wake-up state (0 bad power, 1 power applied, 2 break, 3 RTC alarm).
    pub fn wakeup_state(self) -> u8 {
        (self.0 >> 4) & 0x03
    }
    /// b6–7: power level.
    pub fn power_level(self) -> u8 {
        (self.0 >> 6) & 0x03
    }
}

/// Sensor readings common to Aquadopp velocity, diagnostics and profile structures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SensorSample {
    /// Clock as stored (BCD minute, second, day, hour, year, month).
    pub clock_bcd: [u8; 6],
    /// Time of the sample; `None` if the clock is not a valid date.
    pub time: Option<UtcTime>,
    /// Error code (0 = none).
    pub error: i16,
    /// Analogue input 1 (counts).
    pub analog_input_1: u16,
    /// Battery voltage, V.
    pub battery_v: f64,
    /// Speed of sound, m/s (analogue input 2 counts ÷ 10 if the instrument is set so).
    pub sound_speed_m_s: f64,
    /// Heading, degrees.
    pub heading_deg: f64,
    /// Pitch, degrees.
    pub pitch_deg: f64,
    /// Roll, degrees.
    pub roll_deg: f64,
    /// Pressure, dbar.
    pub pressure_dbar: f64,
    /// Status byte.
    pub status: Status,
    /// Temperature, °C.
    pub temperature_c: f64,
}

impl SensorSample {
    /// Decodes the `PdMeas` sensor block at offsets 4–29 of 0x01, 0x80, 0x20 and 0x21.
    pub fn decode_pdmeas(f: &Fields<'_>) -> Result<Self, NortekError> {
        let clock_bcd = f.array::<6>(4)?;
        Ok(SensorSample {
            clock_bcd,
            time: decode_clock(clock_bcd, 0),
            error: f.i16(10)?,
            analog_input_1: f.u16(12)?,
            battery_v: f64::from(f.u16(14)?) * 0.1,
            sound_speed_m_s: f64::from(f.u16(16)?) * 0.1,
            heading_deg: f64::from(f.i16(18)?) * 0.1,
            pitch_deg: f64::from(f.i16(20)?) * 0.1,
            roll_deg: f64::from(f.i16(22)?) * 0.1,
            pressure_dbar: pressure_dbar(f.u8(24)?, f.u16(26)?),
            status: Status(f.u8(25)?),
            temperature_c: f64::from(f.i16(28)?) * 0.01,
        })
    }

    /// Velocity per count in m/s given by the status byte (b1).
    pub fn velocity_scale_m_s(&self) -> f64 {
        velocity_scale_m_s(self.status.velocity_scaling_tenth_mm())
    }
}

/// Pressure in dbar from its MSB byte and LSW word: (MSB·65536 + LSW) · 0.001.
pub fn pressure_dbar(msb: u8, lsw: u16) -> f64 {
    (f64::from(msb) * 65_536.0 + f64::from(lsw)) * 0.001
}

/// An Aquadopp velocity (0x01) or diagnostics data (0x80) sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AquadoppVelocity {
    /// Sensor readings and time.
    pub sensors: SensorSample,
    /// Velocity, m/s: beam 1/X/East, beam 2/Y/North, beam 3/Z/Up (per `coordinate_system`),
    /// scaled by the status byte's b1.
    pub velocity_m_s: [f64; 3],
    /// Velocity as stored (counts of 1 or 0.1 mm/s).
    pub velocity_counts: [i16; 3],
    /// Signal amplitude per beam, counts.
    pub amplitude: [u8; 3],
    /// Coordinate system of the user configuration in force (`None` if none seen yet).
    pub coordinate_system: Option<CoordinateSystem>,
}

impl AquadoppVelocity {
    /// Decodes a complete, checksum-verified 0x01 or 0x80 structure.
    pub fn decode(bytes: &[u8], config: &ConfigInForce) -> Result<Self, NortekError> {
        let f = Fields::new(bytes);
        f.expect_len(AQUADOPP_VELOCITY_BYTES)?;
        let sensors = SensorSample::decode_pdmeas(&f)?;
        let velocity_counts = [f.i16(30)?, f.i16(32)?, f.i16(34)?];
        let scale = sensors.velocity_scale_m_s();
        Ok(AquadoppVelocity {
            sensors,
            velocity_m_s: velocity_counts.map(|v| f64::from(v) * scale),
            velocity_counts,
            amplitude: f.array::<3>(36)?,
            coordinate_system: config.coordinate_system,
        })
    }
}

/// Aquadopp diagnostics data header (0x06): announces the diagnostics samples that follow.
/// It carries no clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiagnosticsHeader {
    /// Number of diagnostics samples to follow.
    pub records_to_follow: u16,
    /// Cell number of the stored diagnostics data.
    pub cell: u16,
    /// Noise amplitude per beam (4 beams), counts.
    pub noise_amplitude: [u8; 4],
    /// Processing magnitude per beam (4 beams).
    pub processing_magnitude: [u16; 4],
    /// Distance per beam (4 beams).
    pub distance: [u16; 4],
}

impl DiagnosticsHeader {
    /// Decodes a complete, checksum-verified 0x06 structure.
    pub fn decode(bytes: &[u8]) -> Result<Self, NortekError> {
        let f = Fields::new(bytes);
        f.expect_len(DIAGNOSTICS_HEADER_BYTES)?;
        Ok(DiagnosticsHeader {
            records_to_follow: f.u16(4)?,
            cell: f.u16(6)?,
            noise_amplitude: f.array::<4>(8)?,
            processing_magnitude: [f.u16(12)?, f.u16(14)?, f.u16(16)?, f.u16(18)?],
            distance: [f.u16(20)?, f.u16(22)?, f.u16(24)?, f.u16(26)?],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OOI_DRIVER: [u8; 42] = [
        0xa5, 0x01, 0x15, 0x00, 0x10, 0x19, 0x26, 0x22, 0x12, 0x11, 0x00, 0x00, 0x00, 0x00, 0x93,
        0x00, 0xf8, 0x3b, 0x81, 0x06, 0x28, 0x01, 0x7f, 0x01, 0x00, 0x2d, 0x00, 0x00, 0xe3, 0x09,
        0x4c, 0x01, 0x22, 0xff, 0x9a, 0xfe, 0x1e, 0x14, 0x16, 0x00, 0x60, 0x93,
    ];

    #[test]
    fn reference_velocity_record() {
        // instruments.md §3.3: 2012-11-26 22:10:19, error 0, battery 14.7 V, sound speed
        // 15352, heading 1665, pitch 296, roll 383, P 0, status 0x2d, temperature 25.31 °C,
        // velocity 332 -222 -358, amplitude 30 20 22.
        let r = AquadoppVelocity::decode(&OOI_DRIVER, &ConfigInForce::default()).unwrap();
        let s = r.sensors;
        assert_eq!(s.time, UtcTime::from_civil(2012, 11, 26, 22, 10, 19, 0));
        assert_eq!(s.error, 0);
        assert!((s.battery_v - 14.7).abs() < 1e-9);
        assert!((s.sound_speed_m_s - 1535.2).abs() < 1e-9);
        assert!((s.heading_deg - 166.5).abs() < 1e-9);
        assert!((s.pitch_deg - 29.6).abs() < 1e-9);
        assert!((s.roll_deg - 38.3).abs() < 1e-9);
        assert_eq!(s.pressure_dbar, 0.0);
        assert_eq!(s.status, Status(0x2d));
        assert!((s.temperature_c - 25.31).abs() < 1e-9);
        assert_eq!(r.velocity_counts, [332, -222, -358]);
        // status 0x2d has b1 clear: 1 mm/s per count.
        assert!((r.velocity_m_s[0] - 0.332).abs() < 1e-12);
        assert_eq!(r.amplitude, [30, 20, 22]);
        assert_eq!(r.coordinate_system, None);
    }

    #[test]
    fn tenth_mm_scaling_from_status() {
        let mut b = OOI_DRIVER;
        b[25] |= 0x02;
        let r = AquadoppVelocity::decode(&b, &ConfigInForce::default()).unwrap();
        assert!((r.velocity_m_s[0] - 0.0332).abs() < 1e-12);
    }

    #[test]
    fn wrong_length_is_an_error() {
        assert!(matches!(
            AquadoppVelocity::decode(&OOI_DRIVER[..40], &ConfigInForce::default()),
            Err(NortekError::WrongSize {
                id: 1,
                expected: 42,
                found: 40
            })
        ));
    }
}
