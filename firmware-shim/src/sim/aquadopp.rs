//! A simulated Nortek Aquadopp current meter: realistic deep-water values as the
//! instrument's own integers, encoded as the Nortek velocity structure (id 0x01, 42 bytes,
//! instruments.md §3.2) with its checksum.
//!
//! The same model plays the Aquadopp on the ALBATROSS line (streaming to the line
//! controller's serial input) and the MII's (on its own TCP port). Values: a tidal current
//! of a few cm/s plus inertial oscillation and noise, heading/pitch/roll of a moored or
//! seafloor frame, pressure from the depth, temperature about 13.2 °C, a lithium pack
//! slowly falling from 13.5 V, sound speed about 1530 m/s; deterministic for a seed.

use std::vec::Vec;

use protocol::instruments::nortek::framing::checksum;
use protocol::time::UtcTime;
use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;

use super::instruments::gauss;

/// The status byte of every record: wake-up by RTC alarm (b4–5 = 3), 1 mm/s per count.
const STATUS_RTC: u8 = 0x30;

/// One Aquadopp of the simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct AquadoppSpec {
    /// Serial number (`AQD<serial>` in its hardware configuration).
    pub serial: u32,
    /// Slot on the acoustic line (the line controller's inventory; unused on the MII).
    pub slot: u8,
    /// Nominal depth, metres.
    pub depth_m: u16,
    /// Seconds between records, aligned to multiples of it.
    pub interval_s: u32,
    /// Looking down (b0 of the status byte): on a mooring line; up on the seafloor.
    pub orientation_down: bool,
    /// Mean heading, degrees: the frame's orientation.
    pub heading_deg: f64,
}

impl AquadoppSpec {
    /// The ALBATROSS line's Aquadopp: serial 12345, slot 8, 2300 m, a record every 30 min.
    pub fn albatross() -> Self {
        AquadoppSpec {
            serial: 12_345,
            slot: 8,
            depth_m: 2300,
            interval_s: 1800,
            orientation_down: true,
            heading_deg: 271.0,
        }
    }
}

/// One velocity record as the instrument's integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VelocityRecord {
    /// Sample time, Unix seconds (the instrument clock, whole seconds).
    pub time_s: u32,
    /// Error code.
    pub error: i16,
    /// Battery, 0.1 V.
    pub battery: u16,
    /// Sound speed, 0.1 m/s.
    pub sound_speed: u16,
    /// Heading, 0.1°.
    pub heading: i16,
    /// Pitch, 0.1°.
    pub pitch: i16,
    /// Roll, 0.1°.
    pub roll: i16,
    /// Pressure, 0.001 dbar (24 bits).
    pub pressure: u32,
    /// Status byte.
    pub status: u8,
    /// Temperature, 0.01 °C.
    pub temperature: i16,
    /// East, north, up velocity, mm/s.
    pub velocity: [i16; 3],
    /// Amplitude per beam, counts.
    pub amplitude: [u8; 3],
}

/// Two BCD digits.
fn bcd(v: u32) -> u8 {
    (((v / 10 % 10) << 4) | (v % 10)) as u8
}

impl VelocityRecord {
    /// The 42-byte velocity structure, checksum included.
    pub fn encode(&self) -> Vec<u8> {
        let (y, mo, d, h, mi, s, _) = UtcTime::from_unix_seconds(i64::from(self.time_s)).to_civil();
        let mut b = std::vec![0xa5, 0x01, 0x15, 0x00];
        let year = u32::try_from(y - 2000).unwrap_or(0);
        b.extend_from_slice(&[bcd(mi), bcd(s), bcd(d), bcd(h), bcd(year), bcd(mo)]);
        b.extend_from_slice(&self.error.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes()); // analogue input 1
        b.extend_from_slice(&self.battery.to_le_bytes());
        b.extend_from_slice(&self.sound_speed.to_le_bytes());
        b.extend_from_slice(&self.heading.to_le_bytes());
        b.extend_from_slice(&self.pitch.to_le_bytes());
        b.extend_from_slice(&self.roll.to_le_bytes());
        b.push((self.pressure >> 16) as u8);
        b.push(self.status);
        b.extend_from_slice(&((self.pressure & 0xffff) as u16).to_le_bytes());
        b.extend_from_slice(&self.temperature.to_le_bytes());
        for v in self.velocity {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(&self.amplitude);
        b.push(0); // fill
        let cs = checksum(&b);
        b.extend_from_slice(&cs.to_le_bytes());
        b
    }
}

/// The instrument: its spec and the state of its noise.
#[derive(Debug)]
pub struct Aquadopp {
    spec: AquadoppSpec,
    rng: ChaCha8Rng,
    /// AR(1) noise: east, north, up, temperature.
    noise: [f64; 4],
    records: u32,
}

impl Aquadopp {
    /// The instrument of `spec`, deterministic for `seed`.
    pub fn new(spec: AquadoppSpec, seed: u64) -> Self {
        Aquadopp {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0xA0AD_0000 ^ u64::from(spec.serial)),
            spec,
            noise: [0.0; 4],
            records: 0,
        }
    }

    /// The spec.
    pub fn spec(&self) -> &AquadoppSpec {
        &self.spec
    }

    /// Measures the record of time `t_s`.
    pub fn measure(&mut self, t_s: u32) -> VelocityRecord {
        let mut draw = [0.0f64; 6];
        for d in &mut draw {
            *d = gauss(&mut self.rng);
        }
        let sigma = [6.0, 6.0, 2.0, 0.004];
        for (k, s) in sigma.iter().enumerate() {
            self.noise[k] = 0.8 * self.noise[k] + 0.6 * s * draw[k];
        }
        let hours = f64::from(t_s) / 3600.0;
        let tau = 2.0 * core::f64::consts::PI;
        let tide = tau * hours / 12.42;
        let inertial = tau * hours / 17.65;
        let depth = f64::from(self.spec.depth_m);
        // mm/s: the Ligurian current's deep branch (westward), tides and inertial waves
        let east = -25.0 + 18.0 * tide.sin() + 12.0 * inertial.sin() + self.noise[0];
        let north = 6.0 + 10.0 * tide.cos() + 12.0 * inertial.cos() + self.noise[1];
        let up = self.noise[2];
        let temperature = 13.22 + 0.01 * (tau * hours / 48.0).sin() + self.noise[3];
        // a moored frame turns a little with the current; a seafloor frame does not
        let swing = if self.spec.orientation_down { 4.0 } else { 0.0 };
        let heading =
            (self.spec.heading_deg + swing * tide.sin() + 0.2 * draw[4]).rem_euclid(360.0);
        let pressure = depth * 1.0077 + 0.35 * tide.sin();
        // a lithium pack: 13.5 V, a tenth of a volt lost per 20 000 records
        let battery = 135 - (self.records / 20_000).min(20) as u16;
        self.records += 1;
        let status = STATUS_RTC | u8::from(self.spec.orientation_down);
        VelocityRecord {
            time_s: t_s,
            error: 0,
            battery,
            sound_speed: (15_300.0 + 30.0 * (temperature - 13.2)).round() as u16,
            heading: (heading * 10.0).round() as i16,
            pitch: (-13.0 + 1.5 * draw[5]).round() as i16,
            roll: (21.0 + swing * 0.5 * tide.cos()).round() as i16,
            pressure: (pressure * 1000.0).round() as u32,
            status,
            temperature: (temperature * 100.0).round() as i16,
            velocity: [east, north, up].map(|v| v.round() as i16),
            amplitude: [41, 39, 40].map(|a: u8| a.saturating_add((self.records % 3) as u8)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::instruments::nortek::{decode_slice, Event, Record};

    #[test]
    fn records_decode_to_their_integers_with_realistic_values() {
        let mut a = Aquadopp::new(AquadoppSpec::albatross(), 3);
        let t0 = 1_772_323_200;
        let mut bytes = Vec::new();
        let mut recs = Vec::new();
        for k in 0..96 {
            let r = a.measure(t0 + k * 1800);
            bytes.extend_from_slice(&r.encode());
            recs.push(r);
        }
        let mut n = 0;
        for (ev, r) in decode_slice(&bytes).zip(&recs) {
            let Event::Record {
                record: Record::AquadoppVelocity(v),
                ..
            } = ev
            else {
                panic!("{ev:?}")
            };
            let s = v.sensors;
            assert_eq!(s.time.map(|t| t.unix_seconds()), Some(i64::from(r.time_s)));
            assert_eq!(v.velocity_counts, r.velocity);
            assert_eq!(v.amplitude, r.amplitude);
            assert_eq!((s.status.0, s.error), (r.status, 0));
            assert!((s.pressure_dbar - f64::from(r.pressure) / 1000.0).abs() < 1e-9);
            assert!((s.temperature_c - f64::from(r.temperature) / 100.0).abs() < 1e-9);
            assert!((s.heading_deg - f64::from(r.heading) / 10.0).abs() < 1e-9);
            assert!((s.battery_v - f64::from(r.battery) / 10.0).abs() < 1e-9);
            assert!((s.sound_speed_m_s - f64::from(r.sound_speed) / 10.0).abs() < 1e-9);
            // a few cm/s, ~13 °C, the depth's pressure, ~1530 m/s
            assert!(v.velocity_m_s.iter().all(|x| x.abs() < 0.1), "{v:?}");
            assert!((13.0..13.5).contains(&s.temperature_c), "{s:?}");
            assert!((s.pressure_dbar - 2317.7).abs() < 2.0, "{s:?}");
            assert!((1525.0..1535.0).contains(&s.sound_speed_m_s), "{s:?}");
            assert!((260.0..280.0).contains(&s.heading_deg), "{s:?}");
            n += 1;
        }
        assert_eq!(n, 96);
    }
}
