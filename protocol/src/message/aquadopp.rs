//! One Nortek Aquadopp velocity sample, in the instrument's own integer units.
//!
//! The fields are the Aquadopp velocity record's raw values (see the Nortek decoder), so
//! the shore side reproduces exactly what the instrument wrote.

use super::MessageError;
use deku::ctx::Endian;
use deku::prelude::*;

/// An Aquadopp sample as the instrument recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AquadoppSample {
    /// Position of the instrument on the line (0–15).
    pub slot: u8,
    /// Coordinate system of the velocities: 0 ENU, 1 XYZ, 2 beam.
    pub coordinate_system: u8,
    /// Velocity unit: `false` = 1 mm/s, `true` = 0.1 mm/s (user configuration scaling bit).
    pub velocity_scale_tenth_mm: bool,
    /// Sample time, Unix seconds.
    pub time: u32,
    /// Velocities (beam 1–3, X/Y/Z or E/N/U), in the unit above.
    pub velocity: [i16; 3],
    /// Signal amplitude per beam, counts.
    pub amplitude: [u8; 3],
    /// Heading, 0.1°.
    pub heading: u16,
    /// Pitch, 0.1°.
    pub pitch: i16,
    /// Roll, 0.1°.
    pub roll: i16,
    /// Pressure, 0.001 dbar (24 bits).
    pub pressure: u32,
    /// Temperature, 0.01 °C.
    pub temperature: i16,
    /// Battery, 0.1 V.
    pub battery: u16,
    /// Speed of sound, 0.1 m/s.
    pub sound_speed: u16,
    /// Instrument error code.
    pub error: u8,
    /// Instrument status code.
    pub status: u8,
}

impl AquadoppSample {
    /// Velocities in m/s.
    pub fn velocity_m_s(&self) -> [f64; 3] {
        let unit = if self.velocity_scale_tenth_mm {
            1e-4
        } else {
            1e-3
        };
        self.velocity.map(|v| f64::from(v) * unit)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, DekuRead, DekuWrite)]
#[deku(endian = "endian", ctx = "endian: Endian")]
pub(crate) struct AquadoppWire {
    #[deku(bits = 4)]
    slot: u8,
    #[deku(bits = 2, assert = "*coordinate_system <= 2")]
    coordinate_system: u8,
    #[deku(bits = 1)]
    scale: bool,
    #[deku(bits = 1, assert_eq = "0")]
    reserved: u8,
    time: u32,
    velocity: [i16; 3],
    amplitude: [u8; 3],
    heading: u16,
    pitch: i16,
    roll: i16,
    #[deku(bits = 24)]
    pressure: u32,
    temperature: i16,
    battery: u16,
    sound_speed: u16,
    error: u8,
    status: u8,
}

impl AquadoppSample {
    pub(crate) fn wire(&self) -> Result<AquadoppWire, MessageError> {
        if self.slot > 15 {
            return Err(MessageError::FieldOutOfRange { field: "slot" });
        }
        if self.coordinate_system > 2 {
            return Err(MessageError::FieldOutOfRange {
                field: "coordinate_system",
            });
        }
        if self.pressure >= 1 << 24 {
            return Err(MessageError::FieldOutOfRange { field: "pressure" });
        }
        Ok(AquadoppWire {
            slot: self.slot,
            coordinate_system: self.coordinate_system,
            scale: self.velocity_scale_tenth_mm,
            reserved: 0,
            time: self.time,
            velocity: self.velocity,
            amplitude: self.amplitude,
            heading: self.heading,
            pitch: self.pitch,
            roll: self.roll,
            pressure: self.pressure,
            temperature: self.temperature,
            battery: self.battery,
            sound_speed: self.sound_speed,
            error: self.error,
            status: self.status,
        })
    }

    pub(crate) fn from_wire(w: AquadoppWire) -> Result<Self, MessageError> {
        Ok(AquadoppSample {
            slot: w.slot,
            coordinate_system: w.coordinate_system,
            velocity_scale_tenth_mm: w.scale,
            time: w.time,
            velocity: w.velocity,
            amplitude: w.amplitude,
            heading: w.heading,
            pitch: w.pitch,
            roll: w.roll,
            pressure: w.pressure,
            temperature: w.temperature,
            battery: w.battery,
            sound_speed: w.sound_speed,
            error: w.error,
            status: w.status,
        })
    }
}
