//! The MII's WET Labs C-Star transmissometer (25 cm path), one line per sample as the real
//! one prints it (instruments.md §5, `CST-2405PR  11531  15780  15783  -0.087  544`):
//! `CST-<serial>DR`, reference, signal and corrected signal counts, beam attenuation c
//! (1/m, three decimals), thermistor counts, separated by two blanks, CR LF. The instrument
//! has no clock: the MII's shore data logger stamps each line (`YYYY/MM/DD HH:MM:SS.mmm `,
//! as it does the optode's). Values: clear deep water (c ≈ 0.40 1/m), the signal following
//! `exp(-c · 0.25 m)`.

use std::format;
use std::string::String;

use protocol::time::UtcTime;
use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;

use super::super::instruments::{fixed, gauss};
use super::super::truth::CstarTruth;

/// Signal counts in clear water (c = 0), from the calibration.
const AIR_COUNTS: f64 = 15_780.0;
/// Path length, metres.
const PATH_M: f64 = 0.25;

/// The transmissometer of the node.
#[derive(Debug)]
pub struct MiiCstar {
    serial: u32,
    rng: ChaCha8Rng,
    noise: f64,
}

impl MiiCstar {
    /// C-Star `serial`, deterministic for `seed`.
    pub fn new(serial: u32, seed: u64) -> Self {
        MiiCstar {
            serial,
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0xC57A_1234),
            noise: 0.0,
        }
    }

    /// The sample the logger stamps at `t_s`.
    pub fn measure(&mut self, t_s: u32) -> CstarTruth {
        self.noise = 0.9 * self.noise + 0.436 * 0.003 * gauss(&mut self.rng);
        let hours = f64::from(t_s) / 3600.0;
        // nepheloid pulses: a little more attenuation with the tide
        let tide = (2.0 * core::f64::consts::PI * hours / 12.42).sin();
        let c = 0.402 + 0.006 * tide + self.noise;
        let c_milli = (c * 1000.0).round() as i32;
        let signal = (AIR_COUNTS * (-f64::from(c_milli) / 1000.0 * PATH_M).exp()).round() as u32;
        let reference = 11_531 + (gauss(&mut self.rng) * 1.5).round() as i32;
        CstarTruth {
            time_s: t_s,
            serial: self.serial,
            counts: [reference.max(0) as u32, signal, signal + 3],
            beam_c: c_milli,
            thermistor: 544 + (self.rng_bit() as u32),
        }
    }

    fn rng_bit(&mut self) -> bool {
        gauss(&mut self.rng) > 1.0
    }
}

/// The logger line of sample `c`, CR LF.
pub fn line(c: &CstarTruth) -> String {
    let (y, mo, d, h, mi, s, _) = UtcTime::from_unix_seconds(i64::from(c.time_s)).to_civil();
    format!(
        "{y:04}/{mo:02}/{d:02} {h:02}:{mi:02}:{s:02}.000 CST-{}DR  {}  {}  {}  {}  {}\r\n",
        c.serial,
        c.counts[0],
        c.counts[1],
        c.counts[2],
        fixed(c.beam_c.into(), 3),
        c.thermistor
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::instruments::cstar::{decode_line, CStarLine};

    #[test]
    fn lines_decode_to_the_sample() {
        let mut cst = MiiCstar::new(1234, 6);
        for k in 0..500 {
            let c = cst.measure(1_772_323_200 + k * 60);
            let text = line(&c);
            let Ok(CStarLine::Sample {
                sample,
                skipped_bytes,
            }) = decode_line(text.trim_end().as_bytes())
            else {
                panic!("{text:?}")
            };
            assert_eq!(skipped_bytes, 0);
            assert_eq!((sample.serial, sample.suffix.as_str()), (1234, "DR"));
            assert_eq!(
                sample.time,
                Some(UtcTime::from_unix_seconds(i64::from(c.time_s)))
            );
            assert_eq!(
                [
                    sample.reference_counts,
                    sample.signal_counts,
                    sample.corrected_counts
                ],
                c.counts
            );
            assert_eq!(sample.beam_attenuation_per_m, f64::from(c.beam_c) / 1000.0);
            assert_eq!(sample.thermistor_counts, c.thermistor);
            assert!(
                (0.38..0.42).contains(&sample.beam_attenuation_per_m),
                "{text}"
            );
        }
    }
}
