//! The MII's SBE 37-SMP-ODO MicroCAT in real-time output (`OutputFormat=1`, instruments.md
//! §2.1): one line per sample, `tt.tttt, c.ccccc, pppp.ppp, oo.ooo, dd mmm yyyy, hh:mm:ss`
//! (T °C, C S/m, P dbar, O2 ml/l), CR LF, as in the manual's example
//! `24.8339,  0.97795,   -9.262, 07 Jan 2000, 04:51:39` with the oxygen field of the ODO.
//! Values: the deep Mediterranean at the node's depth (T ≈ 13.2 °C, S ≈ 38.49,
//! O2 ≈ 4.5 ml/l), exact integers at the printed resolution.

use std::format;
use std::string::String;
use std::vec::Vec;

use protocol::time::UtcTime;
use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;

use super::super::instruments::{conductivity, fixed, gauss, Measured, MONTHS};

/// The MicroCAT of the node.
#[derive(Debug)]
pub struct MiiMicrocat {
    depth_m: u16,
    rng: ChaCha8Rng,
    /// AR(1) noise: T, S, P, O2.
    noise: [f64; 4],
}

/// The samples of a real SBE 37 memory upload (`.hex`), converted with the calibration of
/// its own header, at the resolution of the real-time line (T 0.0001 °C, C 0.00001 S/m,
/// P 0.001 dbar; no oxygen), in file order: what the instrument sent in real time while
/// it stored them ([`super::MiiConfig::sbe37_memory`]). Scans that do not convert, or
/// have no time, are left out.
pub fn memory_samples(hex: &str) -> Result<Vec<Measured>, String> {
    let header = protocol::instruments::sbe37::hex::HexHeader::parse(hex)
        .map_err(|e| format!("not an SBE 37 upload: {e}"))?;
    let scale = |x: f64, s: f64| (x * s).round() as i32;
    Ok(header
        .scans(hex)
        .filter_map(Result::ok)
        .filter_map(|s| {
            let t = u32::try_from(s.time?.unix_millis() / 1000).ok()?;
            Some(Measured {
                time_s: t,
                temperature: scale(s.temperature_c, 1e4),
                conductivity: scale(s.conductivity_s_m, 1e5),
                pressure: scale(s.pressure_dbar.unwrap_or(0.0), 1e3),
                oxygen: None,
            })
        })
        .collect())
}

impl MiiMicrocat {
    /// A MicroCAT at `depth_m`, deterministic for `seed`.
    pub fn new(depth_m: u16, seed: u64) -> Self {
        MiiMicrocat {
            depth_m,
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x3716_1250),
            noise: [0.0; 4],
        }
    }

    /// Takes the sample of `t_s`.
    pub fn measure(&mut self, t_s: u32) -> Measured {
        let sigma = [0.0008, 0.0005, 0.04, 0.003];
        for (k, s) in sigma.iter().enumerate() {
            let d = gauss(&mut self.rng);
            self.noise[k] = 0.9 * self.noise[k] + (1.0f64 - 0.81).sqrt() * s * d;
        }
        let hours = f64::from(t_s) / 3600.0;
        let tau = 2.0 * core::f64::consts::PI;
        let tide = (tau * hours / 12.42).sin();
        let slow = (tau * hours / (24.0 * 7.0)).sin();
        let p = f64::from(self.depth_m) * 1.0077 + 0.35 * tide + self.noise[2];
        let t = 13.205 + 0.004 * slow + 0.002 * tide + self.noise[0];
        let s = 38.487 + 0.002 * slow + self.noise[1];
        let o2 = 4.52 + 0.02 * slow + self.noise[3];
        Measured {
            time_s: t_s,
            temperature: (t * 1e4).round() as i32,
            conductivity: (conductivity(t, s, p) * 1e5).round() as i32,
            pressure: (p * 1e3).round() as i32,
            oxygen: Some((o2 * 1e3).round() as i32),
        }
    }
}

/// The real-time line of sample `m`, CR LF.
pub fn line(m: &Measured) -> String {
    let (y, mo, d, h, mi, s, _) = UtcTime::from_unix_seconds(i64::from(m.time_s)).to_civil();
    let month = MONTHS
        .get((mo as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("Jan");
    let oxygen = m
        .oxygen
        .map_or(String::new(), |o| format!(" {:>7},", fixed(o.into(), 3)));
    format!(
        "{:>8}, {:>8}, {:>9},{oxygen} {d:02} {month} {y:04}, {h:02}:{mi:02}:{s:02}\r\n",
        fixed(m.temperature.into(), 4),
        fixed(m.conductivity.into(), 5),
        fixed(m.pressure.into(), 3),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::instruments::sbe37::ascii;

    #[test]
    fn lines_decode_to_the_sample_with_the_layout_guessed() {
        let mut cat = MiiMicrocat::new(2470, 4);
        let t0 = 1_772_323_200;
        for k in 0..300 {
            let m = cat.measure(t0 + k * 300);
            let text = line(&m);
            let (s, layout) = ascii::parse_auto(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert!(
                layout.oxygen.is_some() && layout.pressure.is_some(),
                "{text}"
            );
            assert_eq!(s.time.map(|t| t.unix_seconds()), Some(i64::from(m.time_s)));
            assert_eq!(s.temperature_c, f64::from(m.temperature) / 1e4);
            assert_eq!(s.conductivity_s_m, f64::from(m.conductivity) / 1e5);
            assert_eq!(s.pressure_dbar, Some(f64::from(m.pressure) / 1e3));
            assert_eq!(s.oxygen_ml_l, m.oxygen.map(|o| f64::from(o) / 1e3));
            assert!((13.1..13.3).contains(&s.temperature_c), "{text}");
            assert!((4.3..4.7).contains(&s.conductivity_s_m), "{text}");
            assert!((s.pressure_dbar.unwrap() - 2489.0).abs() < 2.0, "{text}");
        }
    }
}
