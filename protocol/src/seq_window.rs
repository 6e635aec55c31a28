//! Duplicate detection over the 12-bit wrapping sequence space.
//!
//! A [`SeqWindow`] remembers which sequence numbers of one source were seen within the
//! last half of the sequence space (2048 numbers) behind the highest one seen, using
//! serial-number arithmetic (RFC 1982). A number ahead of the highest by less than half
//! the space is new and advances the window, clearing the numbers that fall out of it.

use crate::frame::{seq_add, seq_sub, SEQ_MODULUS};

const HALF: u16 = SEQ_MODULUS / 2;

/// Seen/unseen state of one source's sequence numbers (512 bytes, no allocation).
#[derive(Debug, Clone)]
pub struct SeqWindow {
    seen: [u64; (SEQ_MODULUS / 64) as usize],
    highest: Option<u16>,
}

impl Default for SeqWindow {
    fn default() -> Self {
        SeqWindow {
            seen: [0; (SEQ_MODULUS / 64) as usize],
            highest: None,
        }
    }
}

impl SeqWindow {
    fn bit(&self, seq: u16) -> bool {
        let s = usize::from(seq % SEQ_MODULUS);
        self.seen[s / 64] & (1 << (s % 64)) != 0
    }

    fn set(&mut self, seq: u16, on: bool) {
        let s = usize::from(seq % SEQ_MODULUS);
        if on {
            self.seen[s / 64] |= 1 << (s % 64);
        } else {
            self.seen[s / 64] &= !(1 << (s % 64));
        }
    }

    /// Clears `count` consecutive numbers from `start` (wrapping), a word at a time.
    fn clear_run(&mut self, start: u16, count: u16) {
        let mut s = usize::from(start % SEQ_MODULUS);
        let mut left = usize::from(count);
        while left > 0 {
            let bit = s % 64;
            let n = (64 - bit).min(left);
            let mask = if n == 64 {
                u64::MAX
            } else {
                ((1u64 << n) - 1) << bit
            };
            self.seen[s / 64] &= !mask;
            left -= n;
            s = (s + n) % usize::from(SEQ_MODULUS);
        }
    }

    /// Records `seq`; returns `true` if it is new, `false` if it is a duplicate.
    pub fn insert(&mut self, seq: u16) -> bool {
        let seq = seq % SEQ_MODULUS;
        let Some(high) = self.highest else {
            self.highest = Some(seq);
            self.set(seq, true);
            return true;
        };
        let ahead = seq_sub(seq, high);
        if ahead != 0 && ahead < HALF {
            self.clear_run(seq_add(high, HALF + 1), ahead);
            self.highest = Some(seq);
            self.set(seq, true);
            return true;
        }
        if self.bit(seq) {
            return false;
        }
        self.set(seq, true);
        true
    }

    /// Forgets `seq`, so that a later copy of it counts as new (used when a partial
    /// message holding it is dropped).
    pub fn forget(&mut self, seq: u16) {
        self.set(seq, false);
    }

    /// Whether `seq` is currently remembered as seen.
    pub fn contains(&self, seq: u16) -> bool {
        self.bit(seq)
    }

    /// Highest sequence number seen, in serial-number order.
    pub fn highest(&self) -> Option<u16> {
        self.highest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_and_wrap() {
        let mut w = SeqWindow::default();
        assert!(w.insert(4094));
        assert!(!w.insert(4094));
        assert!(w.insert(1)); // wraps ahead
        assert!(w.insert(4095)); // late, unseen
        assert!(!w.insert(4095));
        assert_eq!(w.highest(), Some(1));
        // a full lap later the old numbers are new again
        for s in (2..4096).chain(0..2) {
            w.insert(s);
        }
        w.forget(10);
        assert!(w.insert(10));
    }

    #[test]
    fn numbers_falling_out_of_window_are_cleared() {
        let mut w = SeqWindow::default();
        assert!(w.insert(0));
        assert!(w.insert(2047));
        assert!(w.insert(2048)); // 0 is now 2048 behind: cleared, so it is the next lap's 0
        assert!(!w.contains(0));
    }
}
