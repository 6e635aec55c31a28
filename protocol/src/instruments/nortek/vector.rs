//! Nortek Vector structures (instruments.md §3.2): velocity data header (0x12), system data
//! (0x11) and velocity data (0x10, 24 bytes without a size field).

use super::clock::decode_clock;
use super::config::{velocity_scale_m_s, ConfigInForce, CoordinateSystem};
use super::error::NortekError;
use super::framing::{Fields, VECTOR_VELOCITY_BYTES};
use super::velocity::{pressure_dbar, Status};
use crate::time::UtcTime;

/// Length of the Vector velocity data header structure.
pub const VECTOR_VELOCITY_HEADER_BYTES: usize = 42;
/// Length of the Vector system data structure.
pub const VECTOR_SYSTEM_BYTES: usize = 28;

/// Vector velocity data header (0x12): starts a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VectorVelocityHeader {
    /// Clock as stored (BCD).
    pub clock_bcd: [u8; 6],
    /// Time of the burst; `None` if the clock is not a valid date.
    pub time: Option<UtcTime>,
    /// Number of velocity samples to follow.
    pub records_to_follow: u16,
    /// Noise amplitude per beam, counts.
    pub noise_amplitude: [u8; 3],
    /// Noise correlation per beam, %.
    pub noise_correlation: [u8; 3],
}

impl VectorVelocityHeader {
    /// Decodes a complete, checksum-verified 0x12 structure.
    pub fn decode(bytes: &[u8]) -> Result<Self, NortekError> {
        let f = Fields::new(bytes);
        f.expect_len(VECTOR_VELOCITY_HEADER_BYTES)?;
        let clock_bcd = f.array::<6>(4)?;
        Ok(VectorVelocityHeader {
            clock_bcd,
            time: decode_clock(clock_bcd, 0),
            records_to_follow: f.u16(10)?,
            noise_amplitude: f.array::<3>(12)?,
            noise_correlation: f.array::<3>(16)?,
        })
    }
}

/// Vector system data (0x11), sent about once a second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VectorSystem {
    /// Clock as stored (BCD).
    pub clock_bcd: [u8; 6],
    /// Time; `None` if the clock is not a valid date.
    pub time: Option<UtcTime>,
    /// Battery voltage, V.
    pub battery_v: f64,
    /// Speed of sound, m/s.
    pub sound_speed_m_s: f64,
    /// Heading, degrees.
    pub heading_deg: f64,
    /// Pitch, degrees.
    pub pitch_deg: f64,
    /// Roll, degrees.
    pub roll_deg: f64,
    /// Temperature, °C.
    pub temperature_c: f64,
    /// Error code.
    pub error: u8,
    /// Status byte (b1 is the velocity scaling of the following 0x10 samples).
    pub status: Status,
    /// Analogue input.
    pub analog_input: u16,
}

impl VectorSystem {
    /// Decodes a complete, checksum-verified 0x11 structure.
    pub fn decode(bytes: &[u8]) -> Result<Self, NortekError> {
        let f = Fields::new(bytes);
        f.expect_len(VECTOR_SYSTEM_BYTES)?;
        let clock_bcd = f.array::<6>(4)?;
        Ok(VectorSystem {
            clock_bcd,
            time: decode_clock(clock_bcd, 0),
            battery_v: f64::from(f.u16(10)?) * 0.1,
            sound_speed_m_s: f64::from(f.u16(12)?) * 0.1,
            heading_deg: f64::from(f.i16(14)?) * 0.1,
            pitch_deg: f64::from(f.i16(16)?) * 0.1,
            roll_deg: f64::from(f.i16(18)?) * 0.1,
            temperature_c: f64::from(f.i16(20)?) * 0.01,
            error: f.u8(22)?,
            status: Status(f.u8(23)?),
            analog_input: f.u16(24)?,
        })
    }
}

/// Vector velocity data (0x10), one sample of a burst. It carries no clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VectorVelocity {
    /// Sample counter (wraps at 256).
    pub count: u8,
    /// Pressure, dbar.
    pub pressure_dbar: f64,
    /// Analogue input 1.
    pub analog_input_1: u16,
    /// Analogue input 2 (LSB at offset 2, MSB at offset 5).
    pub analog_input_2: u16,
    /// Velocity per beam/axis, m/s, scaled by the configuration in force
    /// (see [`ConfigInForce::velocity_scaling_tenth_mm`]; 1 mm/s if none was seen).
    pub velocity_m_s: [f64; 3],
    /// Velocity as stored (counts of 1 or 0.1 mm/s).
    pub velocity_counts: [i16; 3],
    /// Signal amplitude per beam, counts.
    pub amplitude: [u8; 3],
    /// Correlation per beam, %.
    pub correlation_percent: [u8; 3],
    /// Coordinate system of the user configuration in force (`None` if none seen yet).
    pub coordinate_system: Option<CoordinateSystem>,
}

impl VectorVelocity {
    /// Decodes a complete, checksum-verified 0x10 structure.
    pub fn decode(bytes: &[u8], config: &ConfigInForce) -> Result<Self, NortekError> {
        let f = Fields::new(bytes);
        f.expect_len(VECTOR_VELOCITY_BYTES)?;
        let velocity_counts = [f.i16(10)?, f.i16(12)?, f.i16(14)?];
        let scale = velocity_scale_m_s(config.velocity_scaling_tenth_mm.unwrap_or(false));
        Ok(VectorVelocity {
            count: f.u8(3)?,
            pressure_dbar: pressure_dbar(f.u8(4)?, f.u16(6)?),
            analog_input_1: f.u16(8)?,
            analog_input_2: u16::from_le_bytes([f.u8(2)?, f.u8(5)?]),
            velocity_m_s: velocity_counts.map(|v| f64::from(v) * scale),
            velocity_counts,
            amplitude: f.array::<3>(16)?,
            correlation_percent: f.array::<3>(19)?,
            coordinate_system: config.coordinate_system,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // instruments.md §3.3 (whoi_ds test vectors).
    const VEL: [u8; 24] = [
        0xa5, 0x10, 0x00, 0xc2, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb3, 0xfd, 0xb4, 0x22, 0xa1,
        0xff, 0x36, 0x37, 0x35, 0x0b, 0x0d, 0x07, 0xb1, 0xf1,
    ];
    const SYS: [u8; 28] = [
        0xa5, 0x11, 0x0e, 0x00, 0x29, 0x02, 0x03, 0x01, 0x02, 0x01, 0x93, 0x00, 0x98, 0x3a, 0xb6,
        0x0b, 0xe7, 0xff, 0x31, 0xff, 0x33, 0x09, 0x00, 0x60, 0x00, 0x00, 0x99, 0x7a,
    ];

    #[test]
    fn vector_velocity_layout() {
        let v = VectorVelocity::decode(&VEL, &ConfigInForce::default()).unwrap();
        assert_eq!(v.count, 0xc2);
        assert_eq!(v.velocity_counts, [-589, 8884, -95]);
        assert!((v.velocity_m_s[1] - 8.884).abs() < 1e-12);
        assert_eq!(v.amplitude, [0x36, 0x37, 0x35]);
        assert_eq!(v.correlation_percent, [0x0b, 0x0d, 0x07]);
        let tenth = ConfigInForce {
            velocity_scaling_tenth_mm: Some(true),
            ..ConfigInForce::default()
        };
        let v = VectorVelocity::decode(&VEL, &tenth).unwrap();
        assert!((v.velocity_m_s[1] - 0.8884).abs() < 1e-12);
    }

    #[test]
    fn vector_system_layout() {
        let s = VectorSystem::decode(&SYS).unwrap();
        // Clock 29 02 03 01 02 01: 2002-01-03 01:29:02.
        assert_eq!(s.time, UtcTime::from_civil(2002, 1, 3, 1, 29, 2, 0));
        assert!((s.battery_v - 14.7).abs() < 1e-9);
        assert!((s.sound_speed_m_s - 1500.0).abs() < 1e-9);
        assert!((s.pitch_deg + 2.5).abs() < 1e-9);
        assert!((s.temperature_c - 23.55).abs() < 1e-9);
        assert_eq!(s.status, Status(0x60));
    }
}
