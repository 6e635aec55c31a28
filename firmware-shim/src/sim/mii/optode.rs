//! The MII's Aanderaa 4831 oxygen optode, unlabelled output (instruments.md §4), as the
//! shore data logger writes it: `YYYY/MM/DD HH:MM:SS.mmm ` then the twelve TAB-separated
//! fields `4831 serial O2 saturation temperature CalPhase TCPhase C1RPh C2RPh C1Amp C2Amp
//! RawTemp`, CR LF, like the real OOI line
//! `2015/03/30 00:00:15.376 4831\t379\t354.255\t94.962\t7.658\t32.971\t…`. Values: deep
//! Mediterranean water (≈ 200 µmol/l, ≈ 63 % air saturation at ≈ 13.2 °C, no salinity
//! compensation) with phases and amplitudes of the same order as the real record's.

use std::format;
use std::string::String;

use protocol::time::UtcTime;
use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;

use super::super::instruments::{fixed, gauss};
use super::super::truth::OptodeTruth;

/// The optode of the node.
#[derive(Debug)]
pub struct MiiOptode {
    serial: u32,
    rng: ChaCha8Rng,
    noise: [f64; 2],
}

impl MiiOptode {
    /// Optode `serial`, deterministic for `seed`.
    pub fn new(serial: u32, seed: u64) -> Self {
        MiiOptode {
            serial,
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0483_1379),
            noise: [0.0; 2],
        }
    }

    /// The sample the logger stamps at `t_s`.
    pub fn measure(&mut self, t_s: u32) -> OptodeTruth {
        for (k, s) in [0.4, 0.003].iter().enumerate() {
            let d = gauss(&mut self.rng);
            self.noise[k] = 0.9 * self.noise[k] + 0.436 * s * d;
        }
        let hours = f64::from(t_s) / 3600.0;
        let slow = (2.0 * core::f64::consts::PI * hours / (24.0 * 7.0)).sin();
        let o2 = 201.8 + 0.9 * slow + self.noise[0];
        let temperature = 13.21 + 0.004 * slow + self.noise[1];
        // air saturation of fresh-water solubility at 13.2 °C (~ 322 µmol/l)
        let saturation = 100.0 * o2 / (322.0 - 7.0 * (temperature - 13.2));
        // the phase falls as oxygen rises (about 0.03° per µmol/l here)
        let calphase = 36.62 - 0.03 * (o2 - 201.8) - 0.1 * (temperature - 13.2);
        let c1rph = calphase + 8.402;
        let milli = [
            o2,
            saturation,
            temperature,
            calphase,
            calphase,
            c1rph,
            8.402,
        ]
        .map(|v| (v * 1000.0).round() as i32);
        let rawtemp = 330.0 - 20.0 * (temperature - 13.2);
        let deci = [738.5, 797.6, rawtemp].map(|v: f64| (v * 10.0).round() as i32);
        OptodeTruth {
            time_s: t_s,
            model: 4831,
            serial: self.serial,
            milli,
            deci,
        }
    }
}

/// The logger line of sample `o`, CR LF.
pub fn line(o: &OptodeTruth) -> String {
    let (y, mo, d, h, mi, s, _) = UtcTime::from_unix_seconds(i64::from(o.time_s)).to_civil();
    let mut out = format!(
        "{y:04}/{mo:02}/{d:02} {h:02}:{mi:02}:{s:02}.000 {}\t{}",
        o.model, o.serial
    );
    for v in o.milli {
        out.push('\t');
        out.push_str(&fixed(v.into(), 3));
    }
    for v in o.deci {
        out.push('\t');
        out.push_str(&fixed(v.into(), 1));
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::instruments::optode::{OptodeDecoder, OptodeEvent, OptodeLine};

    #[test]
    fn logger_lines_decode_to_the_sample() {
        let mut opt = MiiOptode::new(379, 5);
        let t0 = 1_772_323_200;
        let mut bytes = std::vec::Vec::new();
        let mut want = std::vec::Vec::new();
        for k in 0..200 {
            let o = opt.measure(t0 + k * 300);
            bytes.extend_from_slice(line(&o).as_bytes());
            want.push(o);
        }
        let mut dec: OptodeDecoder = OptodeDecoder::new();
        let mut got = std::vec::Vec::new();
        let mut input = &bytes[..];
        while let Some(ev) = dec.next_event(&mut input) {
            if let OptodeEvent::Line {
                result:
                    Ok(OptodeLine::Sample {
                        sample,
                        skipped_bytes,
                    }),
                ..
            } = ev
            {
                assert_eq!(skipped_bytes, 0);
                got.push(sample);
            }
        }
        assert_eq!(got.len(), want.len());
        for (s, o) in got.iter().zip(&want) {
            assert_eq!(s.time.map(|t| t.unix_seconds()), Some(i64::from(o.time_s)));
            assert_eq!((s.model, s.serial), (Some(4831), 379));
            assert_eq!(s.oxygen_umol_l, f64::from(o.milli[0]) / 1e3);
            assert_eq!(s.saturation_pct, f64::from(o.milli[1]) / 1e3);
            assert_eq!(s.temperature_c, f64::from(o.milli[2]) / 1e3);
            assert_eq!(s.calphase_deg, Some(f64::from(o.milli[3]) / 1e3));
            assert_eq!(s.c2rph_deg, Some(f64::from(o.milli[6]) / 1e3));
            assert_eq!(s.rawtemp_mv, Some(f64::from(o.deci[2]) / 10.0));
            assert!((190.0..215.0).contains(&s.oxygen_umol_l), "{s:?}");
            assert!((55.0..70.0).contains(&s.saturation_pct), "{s:?}");
        }
    }
}
