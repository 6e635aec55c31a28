//! Exponential backoff with jitter for reconnects.

use std::time::Duration;

/// Delays that double from `min` up to `max`, each with ±25 % jitter (so that several
/// gateways do not reconnect in lockstep).
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    current: Duration,
    seed: u64,
}

impl Backoff {
    /// A backoff starting at `min`.
    pub fn new(min: Duration, max: Duration) -> Self {
        let seed = crate::clock::jitter_seed();
        Backoff {
            min,
            max,
            current: min,
            seed,
        }
    }

    /// Back to the shortest delay (after a success).
    pub fn reset(&mut self) {
        self.current = self.min;
    }

    /// The next delay to wait.
    pub fn next_delay(&mut self) -> Duration {
        // xorshift64: jitter only, no need for a cryptographic generator
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let jitter = 0.75 + (self.seed % 1000) as f64 / 2000.0;
        let d = self.current.mul_f64(jitter);
        self.current = (self.current * 2).min(self.max);
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_within_jitter_and_caps() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let d: Vec<_> = (0..6).map(|_| b.next_delay().as_millis()).collect();
        assert!((75..=125).contains(&d[0]), "{d:?}");
        assert!((150..=250).contains(&d[1]), "{d:?}");
        assert!((750..=1250).contains(&d[5]), "{d:?}");
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(125));
    }
}
