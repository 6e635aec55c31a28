//! Host-interface faults injected into what the MII modem writes to its host
//! (acoustic-link.md §8 "Host-interface faults"): junk bytes, reads split at arbitrary
//! points, `BUSY`/`ERROR` lines, reboot banners and asynchronous status lines between
//! messages. None of them touches a message's own bytes: a correct host parser recovers
//! every message.

use std::string::String;
use std::vec::Vec;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// How often each fault happens (all zero = a clean interface).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FaultConfig {
    /// Spontaneous junk lines (random bytes, then CR LF) per hour.
    pub junk_per_hour: f64,
    /// Spontaneous `BUSY …` / `ERROR …` lines per hour.
    pub busy_error_per_hour: f64,
    /// Reboot banners per hour.
    pub banner_per_hour: f64,
    /// Asynchronous status lines (`SRCLEVEL`, `PHYON`, `RECVSTART`…) per hour.
    pub status_per_hour: f64,
    /// Probability that a message is delivered to the host in 2–4 separate reads.
    pub split_prob: f64,
    /// Probability that junk without a line end is glued right before a message.
    pub junk_prefix_prob: f64,
}

impl FaultConfig {
    /// The stress preset: every fault, often.
    pub fn stress() -> Self {
        FaultConfig {
            junk_per_hour: 3.0,
            busy_error_per_hour: 2.0,
            banner_per_hour: 0.3,
            status_per_hour: 2.0,
            split_prob: 0.5,
            junk_prefix_prob: 0.15,
        }
    }

    fn total_rate(&self) -> f64 {
        self.junk_per_hour + self.busy_error_per_hour + self.banner_per_hour + self.status_per_hour
    }
}

/// Counters of injected faults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultStats {
    /// Junk lines and junk prefixes.
    pub junk: u64,
    /// `BUSY`/`ERROR` lines.
    pub busy_error: u64,
    /// Reboot banners.
    pub banners: u64,
    /// Status lines.
    pub status: u64,
    /// Messages split into several reads.
    pub splits: u64,
}

/// The fault injector (own random stream, so faults do not shift the channel's draws).
#[derive(Debug)]
pub struct Faults {
    config: FaultConfig,
    rng: ChaCha8Rng,
    stats: FaultStats,
}

const BANNER: &[&str] = &[
    "",
    "EvoLogics S2C R 18/34 modem",
    "firmware 1.7.3 (sim)",
    "Booting... done",
    "READY",
];
const BUSY_ERROR: &[&str] = &[
    "BUSY BACKOFF STATE",
    "BUSY DELIVERING",
    "ERROR OVERLOAD",
    "ERROR EFAULT",
    "ERROR WRONG FORMAT",
];
const STATUS: &[&str] = &[
    "SRCLEVEL,3",
    "PHYON",
    "RECVSTART",
    "RECVFAILED,-12.5,-61,37",
    "BITRATE,local,976",
    "DROPCNT,0",
];

impl Faults {
    /// An injector seeded from `seed`.
    pub fn new(config: FaultConfig, seed: u64) -> Self {
        Faults {
            config,
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0xFA17_5EED),
            stats: FaultStats::default(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> FaultStats {
        self.stats
    }

    /// When the next spontaneous fault happens after `now_ms`, if any are configured.
    pub fn next_spontaneous(&mut self, now_ms: u64) -> Option<u64> {
        let rate = self.config.total_rate();
        if rate <= 0.0 {
            return None;
        }
        let u: f64 = self.rng.random();
        let hours = -(1.0 - u).ln() / rate;
        Some(now_ms + (hours * 3_600_000.0).round().max(1.0) as u64)
    }

    /// The bytes of one spontaneous fault.
    pub fn spontaneous(&mut self, _now_ms: u64) -> Option<Vec<u8>> {
        let c = &self.config;
        let rate = c.total_rate();
        if rate <= 0.0 {
            return None;
        }
        let x: f64 = self.rng.random::<f64>() * rate;
        let mut out = Vec::new();
        if x < c.junk_per_hour {
            self.stats.junk += 1;
            out = self.junk();
            out.extend_from_slice(b"\r\n");
        } else if x < c.junk_per_hour + c.busy_error_per_hour {
            self.stats.busy_error += 1;
            let i = self.rng.random_range(0..BUSY_ERROR.len());
            out.extend_from_slice(BUSY_ERROR[i].as_bytes());
            out.extend_from_slice(b"\r\n");
        } else if x < c.junk_per_hour + c.busy_error_per_hour + c.banner_per_hour {
            self.stats.banners += 1;
            // A reboot often starts with line noise on the serial port.
            out = self.junk();
            for l in BANNER {
                out.extend_from_slice(l.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
        } else {
            self.stats.status += 1;
            let i = self.rng.random_range(0..STATUS.len());
            out.extend_from_slice(STATUS[i].as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Some(out)
    }

    /// 3–40 random bytes with no CR, LF or `+` (so they cannot end a line or open a frame).
    fn junk(&mut self) -> Vec<u8> {
        let n = self.rng.random_range(3..=40usize);
        (0..n)
            .map(|_| loop {
                let b: u8 = self.rng.random();
                if !matches!(b, b'\r' | b'\n' | b'+') {
                    break b;
                }
            })
            .collect()
    }

    /// One message as the host reads it at `now_ms`: maybe behind glued junk, maybe cut
    /// into several reads a few milliseconds apart.
    pub fn wrap(&mut self, now_ms: u64, message: Vec<u8>) -> Vec<(u64, Vec<u8>)> {
        let mut bytes = message;
        if self.config.junk_prefix_prob > 0.0
            && self.rng.random::<f64>() < self.config.junk_prefix_prob
        {
            self.stats.junk += 1;
            let mut j = self.junk();
            j.extend_from_slice(&bytes);
            bytes = j;
        }
        if self.config.split_prob > 0.0
            && bytes.len() > 4
            && self.rng.random::<f64>() < self.config.split_prob
        {
            self.stats.splits += 1;
            let pieces = self.rng.random_range(2..=4usize);
            let mut cuts: Vec<usize> = (1..pieces)
                .map(|_| self.rng.random_range(1..bytes.len()))
                .collect();
            cuts.sort_unstable();
            cuts.dedup();
            let mut out = Vec::new();
            let mut prev = 0;
            for (k, c) in cuts
                .into_iter()
                .chain(core::iter::once(bytes.len()))
                .enumerate()
            {
                out.push((now_ms + k as u64 * 3, bytes[prev..c].to_vec()));
                prev = c;
            }
            return out;
        }
        std::vec![(now_ms, bytes)]
    }
}

/// Describes a fault configuration in one line (for capture headers).
pub fn describe(c: &FaultConfig) -> String {
    std::format!(
        "junk/h={} busy_error/h={} banner/h={} status/h={} split={} junk_prefix={}",
        c.junk_per_hour,
        c.busy_error_per_hour,
        c.banner_per_hour,
        c.status_per_hour,
        c.split_prob,
        c.junk_prefix_prob
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_the_message_bytes_in_order() {
        let mut f = Faults::new(
            FaultConfig {
                split_prob: 1.0,
                ..FaultConfig::default()
            },
            4,
        );
        for _ in 0..200 {
            let msg = b"RECVIM,5,2,1,ack,500,-40,120,0.0,hello\r\n".to_vec();
            let parts = f.wrap(10, msg.clone());
            assert!(parts.len() >= 2);
            let joined: Vec<u8> = parts.iter().flat_map(|(_, b)| b.iter().copied()).collect();
            assert_eq!(joined, msg);
            assert!(parts.windows(2).all(|w| w[0].0 < w[1].0));
        }
    }

    #[test]
    fn spontaneous_lines_end_in_crlf() {
        let mut f = Faults::new(FaultConfig::stress(), 8);
        let mut t = 0;
        for _ in 0..100 {
            t = f.next_spontaneous(t).unwrap();
            let b = f.spontaneous(t).unwrap();
            assert!(b.ends_with(b"\r\n"));
        }
        assert!(Faults::new(FaultConfig::default(), 1)
            .next_spontaneous(0)
            .is_none());
    }
}
