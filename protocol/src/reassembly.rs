//! The sans-IO reassembler: frames and the current time in, whole messages and
//! bookkeeping events out.
//!
//! Promises:
//! - duplicates are dropped by (source, sequence number) — see [`SeqWindow`];
//! - fragments are accepted in any order; a message completes when fragment 0 through
//!   the fragment without `more_fragments` have all arrived;
//! - an incomplete message older than the timeout is dropped and reported
//!   ([`Event::TimedOut`]) by [`Reassembler::poll_timeout`];
//! - at most `max_partials` incomplete messages and `max_bytes` buffered payload bytes
//!   are held (and never more than the const capacity `P`); the oldest incomplete
//!   message is evicted ([`Event::Evicted`]) to make room, so a flood of fragments cannot
//!   grow memory;
//! - the sequence numbers of a dropped incomplete message are forgotten, so that the
//!   fragments can be asked for again (selective repeat) and will be accepted.

use crate::frame::{seq_add, Frame, MessageType, MAX_SOURCE};
use crate::message::MAX_MESSAGE_LEN;
use crate::seq_window::SeqWindow;
use crate::time::UtcTime;

const SOURCES: usize = MAX_SOURCE as usize + 1;
const MAX_FRAGMENTS: usize = 16;

/// Limits of a [`Reassembler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReassemblerConfig {
    /// Most incomplete messages held at once (capped at the const capacity `P`).
    pub max_partials: usize,
    /// Most payload bytes held in incomplete messages at once.
    pub max_bytes: usize,
    /// How long an incomplete message waits for its missing fragments, in milliseconds.
    pub timeout_ms: i64,
}

impl Default for ReassemblerConfig {
    /// 32 partial messages, 16 KiB, 3 days: an outage of a day plus selective repeat fits.
    fn default() -> Self {
        ReassemblerConfig {
            max_partials: 32,
            max_bytes: 16 * 1024,
            timeout_ms: 3 * 86_400_000,
        }
    }
}

/// A complete message payload, ready for [`crate::message::Message::decode`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assembled {
    /// Sending node.
    pub source: u8,
    /// Sequence number of the message's first frame.
    pub seq: u16,
    /// Number of frames it arrived in.
    pub frames: u8,
    /// Payload type.
    pub msg_type: MessageType,
    /// The sender asked for an acknowledgement.
    pub ack_wanted: bool,
    /// When its first frame arrived.
    pub first_seen: UtcTime,
    /// The whole payload.
    pub payload: heapless::Vec<u8, MAX_MESSAGE_LEN>,
}

/// Why an incomplete message was dropped before its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvictReason {
    /// `max_partials` incomplete messages were already held.
    TooManyPartials,
    /// Holding it would exceed `max_bytes`.
    TooManyBytes,
    /// Its payload would exceed the largest message length.
    MessageTooLong,
}

/// What happened to an incomplete message or a frame, besides completing messages.
// Variants are stored inline on purpose: the crate works without a heap.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A message is complete.
    Message(Assembled),
    /// A frame already received (by source and sequence number) was dropped.
    Duplicate {
        /// Sending node.
        source: u8,
        /// Its sequence number.
        seq: u16,
    },
    /// An incomplete message waited longer than the timeout and was dropped.
    TimedOut {
        /// Sending node.
        source: u8,
        /// Message sequence number.
        seq: u16,
        /// Payload type.
        msg_type: MessageType,
        /// Fragments that had arrived.
        fragments_received: u8,
    },
    /// An incomplete message was dropped to keep within the limits.
    Evicted {
        /// Sending node.
        source: u8,
        /// Message sequence number.
        seq: u16,
        /// Why.
        reason: EvictReason,
    },
    /// A fragment contradicts the fragments already held for its message (other type,
    /// index past the last fragment, two different last fragments); it was dropped.
    Inconsistent {
        /// Sending node.
        source: u8,
        /// The fragment's sequence number.
        seq: u16,
    },
}

/// Counters since creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Frames pushed.
    pub frames: u64,
    /// Messages completed.
    pub messages: u64,
    /// Duplicate frames dropped.
    pub duplicates: u64,
    /// Incomplete messages timed out.
    pub timed_out: u64,
    /// Incomplete messages evicted.
    pub evicted: u64,
    /// Inconsistent fragments dropped.
    pub inconsistent: u64,
}

#[derive(Debug, Clone)]
struct Partial {
    source: u8,
    seq: u16,
    msg_type: MessageType,
    ack_wanted: bool,
    first_seen: UtcTime,
    received: u16,
    last_index: Option<u8>,
    /// (offset, len) of each fragment in `data`, by fragment index.
    spans: [(u16, u16); MAX_FRAGMENTS],
    data: heapless::Vec<u8, MAX_MESSAGE_LEN>,
}

impl Partial {
    fn complete(&self) -> bool {
        match self.last_index {
            Some(last) => u32::from(self.received) == (1u32 << (last + 1)) - 1,
            None => false,
        }
    }
}

/// Reassembles messages from frames of up to 16 sources; holds at most `P` partials.
#[derive(Debug, Clone)]
pub struct Reassembler<const P: usize = 32> {
    config: ReassemblerConfig,
    windows: [SeqWindow; SOURCES],
    partials: heapless::Vec<Partial, P>,
    bytes: usize,
    stats: Stats,
}

impl<const P: usize> Reassembler<P> {
    /// A reassembler with the given limits (`max_partials` is capped at `P`).
    pub fn new(mut config: ReassemblerConfig) -> Self {
        config.max_partials = config.max_partials.clamp(1, P.max(1));
        Reassembler {
            config,
            windows: core::array::from_fn(|_| SeqWindow::default()),
            partials: heapless::Vec::new(),
            bytes: 0,
            stats: Stats::default(),
        }
    }

    /// Counters since creation.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Incomplete messages held now.
    pub fn partial_count(&self) -> usize {
        self.partials.len()
    }

    /// Payload bytes held in incomplete messages now.
    pub fn buffered_bytes(&self) -> usize {
        self.bytes
    }

    /// The duplicate-detection window of `source` (e.g. to find gaps for selective repeat).
    pub fn window(&self, source: u8) -> Option<&SeqWindow> {
        self.windows.get(usize::from(source))
    }

    /// (source, sequence number) of every fragment held in incomplete messages: what a
    /// restart would lose and must ask for again.
    pub fn held_frames(&self) -> impl Iterator<Item = (u8, u16)> + '_ {
        self.partials.iter().flat_map(|p| {
            (0..MAX_FRAGMENTS as u16)
                .filter(move |f| p.received & (1 << f) != 0)
                .map(move |f| (p.source, seq_add(p.seq, f)))
        })
    }

    /// When the oldest incomplete message times out, if any is held.
    pub fn next_deadline(&self) -> Option<UtcTime> {
        self.partials
            .iter()
            .map(|p| UtcTime(p.first_seen.0.saturating_add(self.config.timeout_ms)))
            .min()
    }

    /// Drops one incomplete message whose deadline is at or before `now` and reports it;
    /// call until it returns `None`.
    pub fn poll_timeout(&mut self, now: UtcTime) -> Option<Event> {
        let timeout = self.config.timeout_ms;
        let i = self
            .partials
            .iter()
            .position(|p| p.first_seen.0.saturating_add(timeout) <= now.0)?;
        let p = self.remove(i);
        self.stats.timed_out += 1;
        Some(Event::TimedOut {
            source: p.source,
            seq: p.seq,
            msg_type: p.msg_type,
            fragments_received: p.received.count_ones() as u8,
        })
    }

    /// Feeds one CRC-checked frame received at `now`; every resulting event (at most one
    /// message, plus evictions made to stay within the limits) is passed to `emit`.
    pub fn push(&mut self, frame: &Frame<'_>, now: UtcTime, mut emit: impl FnMut(Event)) {
        let h = frame.header;
        self.stats.frames += 1;
        let Some(window) = self.windows.get_mut(usize::from(h.source)) else {
            // decode_frame limits the source to 4 bits; a hand-made header may not.
            self.stats.inconsistent += 1;
            return emit(Event::Inconsistent {
                source: h.source,
                seq: h.seq,
            });
        };
        if !window.insert(h.seq) {
            self.stats.duplicates += 1;
            return emit(Event::Duplicate {
                source: h.source,
                seq: h.seq,
            });
        }
        if !h.is_fragment() {
            let Ok(payload) = heapless::Vec::from_slice(frame.payload) else {
                window.forget(h.seq);
                self.stats.evicted += 1;
                return emit(Event::Evicted {
                    source: h.source,
                    seq: h.seq,
                    reason: EvictReason::MessageTooLong,
                });
            };
            self.stats.messages += 1;
            return emit(Event::Message(Assembled {
                source: h.source,
                seq: h.seq,
                frames: 1,
                msg_type: h.msg_type,
                ack_wanted: h.ack_wanted,
                first_seen: now,
                payload,
            }));
        }
        let key = (h.source, h.message_seq());
        if self.find(key).is_none() {
            while self.partials.len() >= self.config.max_partials {
                self.evict_oldest(None, EvictReason::TooManyPartials, &mut emit);
            }
            let partial = Partial {
                source: h.source,
                seq: key.1,
                msg_type: h.msg_type,
                ack_wanted: h.ack_wanted,
                first_seen: now,
                received: 0,
                last_index: None,
                spans: [(0, 0); MAX_FRAGMENTS],
                data: heapless::Vec::new(),
            };
            // the loop above made room: len < max_partials <= P
            let _ = self.partials.push(partial);
        }
        self.add_fragment(key, frame, &mut emit);
    }

    fn find(&self, key: (u8, u16)) -> Option<usize> {
        self.partials.iter().position(|p| (p.source, p.seq) == key)
    }

    fn add_fragment(&mut self, key: (u8, u16), frame: &Frame<'_>, emit: &mut impl FnMut(Event)) {
        let h = frame.header;
        let Some(idx) = self.find(key) else { return };
        let p = &self.partials[idx];
        let i = h.fragment_index;
        let past_last = p.last_index.is_some_and(|last| i > last);
        let bad_last = !h.more_fragments
            && (p.last_index.is_some_and(|last| last != i)
                || u32::from(p.received) >> (i + 1) != 0);
        if p.msg_type != h.msg_type || past_last || bad_last {
            self.windows[usize::from(h.source)].forget(h.seq);
            self.stats.inconsistent += 1;
            if p.received == 0 {
                self.remove(idx);
            }
            return emit(Event::Inconsistent {
                source: h.source,
                seq: h.seq,
            });
        }
        let len = frame.payload.len();
        if p.data.len() + len > MAX_MESSAGE_LEN {
            self.windows[usize::from(h.source)].forget(h.seq);
            return self.evict(idx, EvictReason::MessageTooLong, emit);
        }
        while self.bytes + len > self.config.max_bytes {
            if self.oldest_except(Some(key)).is_none() {
                self.windows[usize::from(h.source)].forget(h.seq);
                return self.evict(idx, EvictReason::TooManyBytes, emit);
            }
            self.evict_oldest(Some(key), EvictReason::TooManyBytes, emit);
        }
        let Some(idx) = self.find(key) else { return };
        let p = &mut self.partials[idx];
        let offset = p.data.len();
        // capacity was checked above: data.len() + len <= MAX_MESSAGE_LEN
        let _ = p.data.extend_from_slice(frame.payload);
        p.spans[usize::from(i)] = (offset as u16, len as u16);
        p.received |= 1 << i;
        if !h.more_fragments {
            p.last_index = Some(i);
        }
        self.bytes += len;
        if p.complete() {
            let p = self.remove_keep_seen(idx);
            emit(Event::Message(self.assemble(p)));
        }
    }

    fn assemble(&mut self, p: Partial) -> Assembled {
        let last = p.last_index.unwrap_or(0);
        let mut payload = heapless::Vec::new();
        for &(off, len) in &p.spans[..=usize::from(last)] {
            let (off, len) = (usize::from(off), usize::from(len));
            // the spans lie within p.data, whose capacity equals the payload's
            let _ = payload.extend_from_slice(&p.data[off..off + len]);
        }
        self.stats.messages += 1;
        Assembled {
            source: p.source,
            seq: p.seq,
            frames: last + 1,
            msg_type: p.msg_type,
            ack_wanted: p.ack_wanted,
            first_seen: p.first_seen,
            payload,
        }
    }

    fn oldest_except(&self, keep: Option<(u8, u16)>) -> Option<usize> {
        self.partials
            .iter()
            .enumerate()
            .filter(|(_, p)| Some((p.source, p.seq)) != keep)
            .min_by_key(|(_, p)| p.first_seen)
            .map(|(i, _)| i)
    }

    fn evict_oldest(
        &mut self,
        keep: Option<(u8, u16)>,
        reason: EvictReason,
        emit: &mut impl FnMut(Event),
    ) {
        if let Some(o) = self.oldest_except(keep) {
            self.evict(o, reason, emit);
        }
    }

    fn evict(&mut self, i: usize, reason: EvictReason, emit: &mut impl FnMut(Event)) {
        let p = self.remove(i);
        self.stats.evicted += 1;
        emit(Event::Evicted {
            source: p.source,
            seq: p.seq,
            reason,
        });
    }

    /// Removes a partial that is dropped: its fragments may be sent again.
    fn remove(&mut self, i: usize) -> Partial {
        let p = self.remove_keep_seen(i);
        let window = &mut self.windows[usize::from(p.source)];
        for f in 0..MAX_FRAGMENTS as u16 {
            if p.received & (1 << f) != 0 {
                window.forget(seq_add(p.seq, f));
            }
        }
        p
    }

    fn remove_keep_seen(&mut self, i: usize) -> Partial {
        let p = self.partials.swap_remove(i);
        self.bytes -= p.data.len();
        p
    }
}

#[cfg(test)]
mod tests;
