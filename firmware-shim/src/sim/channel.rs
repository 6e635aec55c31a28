//! The acoustic channel between the line's modem and the MII's modem.
//!
//! A two-state Gilbert–Elliott model decides whether each frame (and each acoustic
//! acknowledgement) gets through: the channel dwells in a *good* or a *bad* state for
//! exponentially distributed times (means [`ChannelConfig::good_dwell_s`] and
//! [`ChannelConfig::bad_dwell_s`]) and loses frames with the state's loss rate.
//! On top of that: bit errors in delivered frames, independent loss of the acoustic
//! acknowledgement (so the sending modem retries a frame that did arrive: a duplicate),
//! propagation delay plus airtime, and scheduled total outages.
//!
//! Deterministic: every random draw comes from one ChaCha8 generator seeded by the caller,
//! and queries must come in non-decreasing time order (the simulation's event order).

use std::vec::Vec;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// A total outage: nothing crosses the channel in `[start_ms, start_ms + duration_ms)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outage {
    /// Start, milliseconds since the start of the scenario.
    pub start_ms: u64,
    /// Length in milliseconds.
    pub duration_ms: u64,
}

impl Outage {
    /// Whether `t_ms` (since the scenario start) falls in the outage.
    pub fn contains(&self, t_ms: u64) -> bool {
        t_ms >= self.start_ms && t_ms - self.start_ms < self.duration_ms
    }

    /// Parses `START+DURATION`, each a number with a unit suffix `s`, `m`, `h` or `d`
    /// (no suffix = hours), e.g. `6h+8h`, `1d+26h`, `90m+30m`.
    pub fn parse(text: &str) -> Result<Outage, std::string::String> {
        let (a, b) = text
            .split_once('+')
            .ok_or_else(|| std::format!("outage {text:?}: expected START+DURATION, e.g. 6h+8h"))?;
        Ok(Outage {
            start_ms: parse_duration_ms(a)?,
            duration_ms: parse_duration_ms(b)?,
        })
    }
}

/// Parses a duration like `90s`, `30m`, `6h`, `1.5d` (no suffix = hours) into milliseconds.
pub fn parse_duration_ms(text: &str) -> Result<u64, std::string::String> {
    let t = text.trim();
    let (num, unit_ms) = match t.char_indices().last() {
        Some((i, 's')) => (&t[..i], 1_000.0),
        Some((i, 'm')) => (&t[..i], 60_000.0),
        Some((i, 'h')) => (&t[..i], 3_600_000.0),
        Some((i, 'd')) => (&t[..i], 86_400_000.0),
        _ => (t, 3_600_000.0),
    };
    let v: f64 = num
        .parse()
        .map_err(|_| std::format!("duration {text:?}: not a number with unit s, m, h or d"))?;
    if !v.is_finite() || v < 0.0 {
        return Err(std::format!(
            "duration {text:?}: must be a finite, non-negative number"
        ));
    }
    Ok((v * unit_ms).round() as u64)
}

/// Channel parameters (defaults: acoustic-link.md §8, a 7 km link).
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelConfig {
    /// Frame loss probability in the good state.
    pub good_loss: f64,
    /// Frame loss probability in the bad state.
    pub bad_loss: f64,
    /// Mean dwell time in the good state, seconds.
    pub good_dwell_s: f64,
    /// Mean dwell time in the bad state, seconds.
    pub bad_dwell_s: f64,
    /// Probability that a delivered frame has bits flipped.
    pub corrupt_rate: f64,
    /// Probability that the acoustic acknowledgement of a delivered frame is lost
    /// (independently of the channel state); the sender then retries: a duplicate.
    pub ack_loss: f64,
    /// One-way propagation delay, milliseconds (7 km at ~1540 m/s ≈ 4.5 s).
    pub propagation_ms: u64,
    /// Instant-message bit rate, bit/s (EvoLogics IM: fixed 976 bit/s).
    pub bitrate: u32,
    /// Scheduled total outages.
    pub outages: Vec<Outage>,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        ChannelConfig {
            good_loss: 0.0,
            bad_loss: 0.0,
            good_dwell_s: 4.0 * 3600.0,
            bad_dwell_s: 30.0 * 60.0,
            corrupt_rate: 0.0,
            ack_loss: 0.0,
            propagation_ms: 4_500,
            bitrate: 976,
            outages: Vec::new(),
        }
    }
}

impl ChannelConfig {
    /// Long-run frame loss rate of the Gilbert–Elliott chain (outages excluded).
    pub fn mean_loss(&self) -> f64 {
        let total = self.good_dwell_s + self.bad_dwell_s;
        if total <= 0.0 {
            return self.good_loss;
        }
        (self.good_loss * self.good_dwell_s + self.bad_loss * self.bad_dwell_s) / total
    }

    /// Time on the air of `len` bytes, milliseconds.
    pub fn airtime_ms(&self, len: usize) -> u64 {
        (len as u64 * 8 * 1000).div_ceil(u64::from(self.bitrate.max(1)))
    }
}

/// What happened to one transmission attempt of a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Crossing {
    /// Lost (channel state or outage): nothing arrives.
    Lost,
    /// Arrives (possibly with flipped bits) after `delay_ms`; `acked` says whether the
    /// acoustic acknowledgement makes it back to the sender.
    Delivered {
        /// The bytes as received (a copy; bits flipped when corrupted).
        bytes: Vec<u8>,
        /// Whether bits were flipped.
        corrupted: bool,
        /// Whether the sender hears the acknowledgement.
        acked: bool,
        /// From the start of the transmission to the end of reception, milliseconds.
        delay_ms: u64,
    },
}

/// Counters of what the channel did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelStats {
    /// Transmission attempts.
    pub attempts: u64,
    /// Attempts lost by the Gilbert–Elliott chain.
    pub lost: u64,
    /// Attempts lost to a scheduled outage.
    pub outage_lost: u64,
    /// Delivered with flipped bits.
    pub corrupted: u64,
    /// Delivered but the acknowledgement was lost.
    pub acks_lost: u64,
}

/// The channel's state machine and random source.
#[derive(Debug)]
pub struct Channel {
    config: ChannelConfig,
    rng: ChaCha8Rng,
    bad: bool,
    /// Scenario time (ms) at which the current state ends.
    state_end_ms: u64,
    stats: ChannelStats,
}

impl Channel {
    /// A channel starting in the good state at scenario time 0.
    pub fn new(config: ChannelConfig, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC4A7_7E11);
        let first = exp_ms(&mut rng, config.good_dwell_s);
        Channel {
            config,
            rng,
            bad: false,
            state_end_ms: first,
            stats: ChannelStats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ChannelConfig {
        &self.config
    }

    /// Counters so far.
    pub fn stats(&self) -> ChannelStats {
        self.stats
    }

    /// Whether the channel is in the bad state at `t_ms` (advances the chain).
    pub fn is_bad(&mut self, t_ms: u64) -> bool {
        while self.state_end_ms <= t_ms {
            self.bad = !self.bad;
            let mean = if self.bad {
                self.config.bad_dwell_s
            } else {
                self.config.good_dwell_s
            };
            self.state_end_ms = self
                .state_end_ms
                .saturating_add(exp_ms(&mut self.rng, mean).max(1));
        }
        self.bad
    }

    /// Whether a scheduled outage covers `t_ms`.
    pub fn in_outage(&self, t_ms: u64) -> bool {
        self.config.outages.iter().any(|o| o.contains(t_ms))
    }

    /// One transmission attempt of `frame` starting at scenario time `t_ms`.
    pub fn transmit(&mut self, frame: &[u8], t_ms: u64) -> Crossing {
        self.stats.attempts += 1;
        let bad = self.is_bad(t_ms);
        // Draw every random number of the attempt in a fixed order, whatever the outcome,
        // so that one attempt's fate does not shift the draws of the next ones.
        let loss_draw: f64 = self.rng.random();
        let corrupt_draw: f64 = self.rng.random();
        let ack_draw: f64 = self.rng.random();
        let flip_seed: u64 = self.rng.random();
        let air = self.config.airtime_ms(frame.len());
        let delay_ms = self.config.propagation_ms + air;
        if self.in_outage(t_ms) || self.in_outage(t_ms + delay_ms) {
            self.stats.outage_lost += 1;
            return Crossing::Lost;
        }
        let p_loss = if bad {
            self.config.bad_loss
        } else {
            self.config.good_loss
        };
        if loss_draw < p_loss {
            self.stats.lost += 1;
            return Crossing::Lost;
        }
        let mut bytes = frame.to_vec();
        let corrupted = corrupt_draw < self.config.corrupt_rate && !bytes.is_empty();
        if corrupted {
            self.stats.corrupted += 1;
            flip_bits(&mut bytes, flip_seed);
        }
        // The acknowledgement travels back through the same channel state.
        let ack_back = t_ms + 2 * delay_ms;
        let acked = ack_draw >= self.config.ack_loss && !self.in_outage(ack_back);
        if !acked {
            self.stats.acks_lost += 1;
        }
        Crossing::Delivered {
            bytes,
            corrupted,
            acked,
            delay_ms,
        }
    }
}

/// Flips 1–3 distinct bits chosen from `seed` (deterministic).
fn flip_bits(bytes: &mut [u8], seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let bits = bytes.len() * 8;
    let n = rng.random_range(1..=3usize).min(bits);
    let mut done: Vec<usize> = Vec::new();
    while done.len() < n {
        let b = rng.random_range(0..bits);
        if !done.contains(&b) {
            done.push(b);
            if let Some(byte) = bytes.get_mut(b / 8) {
                *byte ^= 1 << (b % 8);
            }
        }
    }
}

/// An exponentially distributed time with mean `mean_s` seconds, in milliseconds.
fn exp_ms(rng: &mut ChaCha8Rng, mean_s: f64) -> u64 {
    if mean_s.is_nan() || mean_s <= 0.0 || !mean_s.is_finite() {
        return u64::MAX / 4;
    }
    let u: f64 = rng.random();
    (-(1.0 - u).ln() * mean_s * 1000.0).round().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lossy() -> ChannelConfig {
        ChannelConfig {
            good_loss: 0.03,
            bad_loss: 0.6,
            good_dwell_s: 3.0 * 3600.0,
            bad_dwell_s: 20.0 * 60.0,
            corrupt_rate: 0.01,
            ack_loss: 0.02,
            ..ChannelConfig::default()
        }
    }

    fn run(config: ChannelConfig, seed: u64, n: u64, step_ms: u64) -> (u64, Vec<bool>) {
        let mut ch = Channel::new(config, seed);
        let mut lost = 0;
        let mut trace = Vec::new();
        for i in 0..n {
            let l = matches!(ch.transmit(&[0x55; 40], i * step_ms), Crossing::Lost);
            lost += u64::from(l);
            trace.push(l);
        }
        (lost, trace)
    }

    #[test]
    fn loss_rate_matches_the_chain_within_tolerance() {
        let cfg = lossy();
        let expected = cfg.mean_loss(); // (0.03*180 + 0.6*20)/200 = 0.087
        assert!((expected - 0.087).abs() < 1e-9);
        // 200 000 frames one minute apart: ~139 days, ~600 bad episodes.
        let (lost, _) = run(cfg, 7, 200_000, 60_000);
        let rate = lost as f64 / 200_000.0;
        assert!(
            (rate - expected).abs() < 0.012,
            "loss rate {rate} vs {expected}"
        );
    }

    #[test]
    fn losses_come_in_bursts() {
        // Consecutive-loss probability is far above the independent rate.
        let (_, t) = run(lossy(), 11, 100_000, 60_000);
        let pairs = t.windows(2).filter(|w| w[0]).count() as f64;
        let both = t.windows(2).filter(|w| w[0] && w[1]).count() as f64;
        let rate = t.iter().filter(|&&l| l).count() as f64 / t.len() as f64;
        assert!(
            both / pairs > 2.0 * rate,
            "P(loss|loss) {} vs rate {rate}",
            both / pairs
        );
    }

    #[test]
    fn same_seed_same_fate_other_seed_other_fate() {
        let (a, ta) = run(lossy(), 42, 5_000, 30_000);
        let (b, tb) = run(lossy(), 42, 5_000, 30_000);
        assert_eq!((a, &ta), (b, &tb));
        let (_, tc) = run(lossy(), 43, 5_000, 30_000);
        assert_ne!(ta, tc);
        let mut x = Channel::new(lossy(), 5);
        let mut y = Channel::new(lossy(), 5);
        for i in 0..2_000 {
            assert_eq!(
                x.transmit(&[1, 2, 3, 4, 5, 6, 7], i * 45_000),
                y.transmit(&[1, 2, 3, 4, 5, 6, 7], i * 45_000)
            );
        }
    }

    #[test]
    fn outage_drops_everything_in_its_window_and_nothing_outside() {
        let outage = Outage::parse("6h+8h").unwrap();
        assert_eq!(
            outage,
            Outage {
                start_ms: 6 * 3_600_000,
                duration_ms: 8 * 3_600_000
            }
        );
        let cfg = ChannelConfig {
            outages: std::vec![outage],
            ..ChannelConfig::default()
        };
        let mut ch = Channel::new(cfg, 1);
        let frame = [0xAA; 64];
        let delay = ch.config().propagation_ms + ch.config().airtime_ms(64);
        for i in 0..(24 * 60) {
            let t = i * 60_000;
            let crossing = ch.transmit(&frame, t);
            let touches = outage.contains(t) || outage.contains(t + delay);
            if touches {
                assert_eq!(crossing, Crossing::Lost, "at {t} ms");
            } else {
                match crossing {
                    Crossing::Delivered {
                        bytes,
                        corrupted,
                        acked,
                        delay_ms,
                    } => {
                        assert_eq!(
                            (bytes.as_slice(), corrupted, delay_ms),
                            (&frame[..], false, delay)
                        );
                        let ack_back = t + 2 * delay;
                        assert_eq!(acked, !outage.contains(ack_back));
                    }
                    Crossing::Lost => panic!("lost outside the outage at {t} ms"),
                }
            }
        }
        assert_eq!(ch.stats().outage_lost, 8 * 60);
    }

    #[test]
    fn corruption_flips_bits_and_airtime_is_976_bits_per_second() {
        let cfg = ChannelConfig {
            corrupt_rate: 1.0,
            ..ChannelConfig::default()
        };
        assert_eq!(cfg.airtime_ms(61), 500); // 488 bits at 976 bit/s
        let mut ch = Channel::new(cfg, 3);
        let frame = [0u8; 32];
        for i in 0..100 {
            match ch.transmit(&frame, i * 1000) {
                Crossing::Delivered {
                    bytes,
                    corrupted: true,
                    ..
                } => {
                    let flipped: u32 = bytes.iter().map(|b| b.count_ones()).sum();
                    assert!((1..=3).contains(&flipped));
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration_ms("90s"), Ok(90_000));
        assert_eq!(parse_duration_ms("1.5d"), Ok(129_600_000));
        assert_eq!(parse_duration_ms("6"), Ok(21_600_000));
        assert!(parse_duration_ms("x").is_err());
        assert!(Outage::parse("6h").is_err());
    }
}
