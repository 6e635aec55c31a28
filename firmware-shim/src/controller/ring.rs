//! The ring buffer of the last `N` uplink frames, indexed by sequence number.
//!
//! Every uplink frame gets the next sequence number and goes in here, so the frames held are
//! always a run of consecutive sequence numbers `oldest, oldest + 1, …` (mod 4096). With
//! `N ≤ 2048` a sequence number names at most one held frame. Pushing into a full ring
//! overwrites the oldest frame and returns its sequence number.

use protocol::frame::{seq_add, seq_sub};

/// Largest frame the ring stores: the 64-byte instant-message limit.
pub const MAX_FRAME: usize = 64;

#[derive(Debug, Clone, Copy)]
struct Stored {
    len: u8,
    bytes: [u8; MAX_FRAME],
}

impl Stored {
    const EMPTY: Stored = Stored {
        len: 0,
        bytes: [0; MAX_FRAME],
    };
}

/// Fixed-capacity store of the last `N` frames.
#[derive(Debug, Clone)]
pub(crate) struct FrameRing<const N: usize> {
    slots: [Stored; N],
    /// Index in `slots` of the oldest frame.
    start: usize,
    /// Frames held.
    len: usize,
    /// Sequence number of the oldest frame (meaningful when `len > 0`).
    oldest: u16,
}

impl<const N: usize> FrameRing<N> {
    pub(crate) const fn new() -> Self {
        FrameRing {
            slots: [Stored::EMPTY; N],
            start: 0,
            len: 0,
            oldest: 0,
        }
    }

    /// Frames held.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Sequence number of the oldest frame held.
    pub(crate) fn oldest(&self) -> Option<u16> {
        (self.len > 0).then_some(self.oldest)
    }

    /// Stores `frame` (at most [`MAX_FRAME`] bytes, else `Err`) as sequence number `seq`,
    /// which must follow the newest frame held; otherwise the ring restarts at `seq` and
    /// every held frame is reported through `on_drop`. A full ring drops its oldest frame.
    pub(crate) fn push(
        &mut self,
        seq: u16,
        frame: &[u8],
        mut on_drop: impl FnMut(u16),
    ) -> Result<(), ()> {
        if frame.len() > MAX_FRAME || N == 0 {
            return Err(());
        }
        if self.len > 0 && seq != seq_add(self.oldest, self.len as u16) {
            while let Some(s) = self.pop_oldest() {
                on_drop(s);
            }
        }
        if self.len == 0 {
            self.oldest = seq;
        }
        if self.len == N {
            if let Some(s) = self.pop_oldest() {
                on_drop(s);
            }
        }
        let idx = (self.start + self.len) % N;
        if let Some(slot) = self.slots.get_mut(idx) {
            slot.len = frame.len() as u8;
            if let Some(dst) = slot.bytes.get_mut(..frame.len()) {
                dst.copy_from_slice(frame);
            }
        }
        if self.len == 0 {
            self.oldest = seq;
        }
        self.len += 1;
        Ok(())
    }

    fn pop_oldest(&mut self) -> Option<u16> {
        if self.len == 0 {
            return None;
        }
        let s = self.oldest;
        self.start = (self.start + 1) % N;
        self.len -= 1;
        self.oldest = seq_add(self.oldest, 1);
        Some(s)
    }

    /// The frame with sequence number `seq`, if still held.
    pub(crate) fn get(&self, seq: u16) -> Option<&[u8]> {
        let off = usize::from(seq_sub(seq, self.oldest));
        if off >= self.len {
            return None;
        }
        let slot = self.slots.get((self.start + off) % N)?;
        slot.bytes.get(..usize::from(slot.len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn keeps_last_n_and_wraps_sequence_numbers() {
        let mut r: FrameRing<4> = FrameRing::new();
        let mut dropped = Vec::new();
        for i in 0..6u16 {
            let seq = seq_add(4093, i);
            r.push(seq, &[i as u8; 3], |s| dropped.push(s)).unwrap();
        }
        assert_eq!(dropped, [4093, 4094]);
        assert_eq!(r.oldest(), Some(4095));
        assert_eq!(r.len(), 4);
        assert_eq!(r.get(4094), None);
        assert_eq!(r.get(4095), Some(&[2u8; 3][..]));
        assert_eq!(r.get(2), Some(&[5u8; 3][..]));
        assert_eq!(r.get(3), None);
        assert!(r.push(3, &[0; 65], |_| {}).is_err());
    }

    #[test]
    fn a_jump_in_sequence_restarts_the_ring() {
        let mut r: FrameRing<4> = FrameRing::new();
        let mut dropped = Vec::new();
        r.push(10, &[1], |s| dropped.push(s)).unwrap();
        r.push(11, &[2], |s| dropped.push(s)).unwrap();
        r.push(40, &[3], |s| dropped.push(s)).unwrap();
        assert_eq!(dropped, [10, 11]);
        assert_eq!(
            (r.oldest(), r.len(), r.get(40)),
            (Some(40), 1, Some(&[3u8][..]))
        );
    }
}
