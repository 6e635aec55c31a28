//! Feedback to the line controller, sans-IO: acknowledgements of what arrived and status
//! probes when the line is quiet.
//!
//! A controller keeps every frame it sent in a ring buffer and counts, in its line status
//! (`ring_dropped`, the operator's loss alarm), the frames it overwrote that the gateway had
//! not acknowledged. Without acknowledgements that counter rises as soon as the ring wraps,
//! whether or not anything was lost. [`Feedback`] therefore plans, per source:
//!
//! - an [`Ack`] of the gap-free run (every frame up to `through_seq` is on shore) every
//!   [`FeedbackConfig::ack_interval_ms`], when the run grew since the last delivered one;
//! - a [`StatusRequest`] when nothing arrived from the source for
//!   [`FeedbackConfig::probe_after_ms`], and again at that interval while the line stays
//!   quiet: the status's own frames carry the next sequence numbers, so frames lost at the
//!   tail of a transmission show up as a gap, and its `ring_oldest_seq` tells which missing
//!   frames are gone for good.
//!
//! Which frames form the gap-free run is the caller's knowledge (the repair planner's gaps,
//! the reassembler's held fragments): [`Feedback::poll`] asks for it through a closure.
//! Nothing here reads a clock; the caller sends what [`Feedback::poll`] returns, one message
//! at a time, and reports the modem's delivery outcome to [`Feedback::on_outcome`].

use crate::frame::MAX_SOURCE;
use crate::message::{Ack, Message, StatusRequest};
use crate::time::UtcTime;

const SOURCES: usize = MAX_SOURCE as usize + 1;

/// How often to acknowledge and when to probe (milliseconds; 0 turns a kind off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedbackConfig {
    /// Least time between two acknowledgements to one source; the first goes this long
    /// after the source was first heard.
    pub ack_interval_ms: i64,
    /// Ask for a line status after this long without a frame from the source.
    pub probe_after_ms: i64,
}

impl Default for FeedbackConfig {
    /// Sized for the real line: a 256-frame ring holds about 2.5 days of 30-min polls, so an
    /// acknowledgement every 6 h keeps every held frame acknowledged long before it is
    /// overwritten; a quiet line (a poll is due every 30 min) is probed after 2 h.
    fn default() -> Self {
        FeedbackConfig {
            ack_interval_ms: 6 * 3_600_000,
            probe_after_ms: 2 * 3_600_000,
        }
    }
}

/// Counters since creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeedbackStats {
    /// Acknowledgements handed out.
    pub acks: u64,
    /// Of those, delivered (the modem said `DELIVEREDIM`).
    pub acks_delivered: u64,
    /// Status requests handed out.
    pub probes: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Source {
    /// When the last frame arrived (ms); `None` until one did.
    last_rx: Option<i64>,
    /// Last `through_seq` whose acknowledgement was delivered.
    acked: Option<u16>,
    /// Last `through_seq` handed out, awaiting its outcome.
    sent: Option<u16>,
    /// Earliest time of the next acknowledgement.
    ack_due: i64,
    /// Earliest time of the next status request.
    probe_due: i64,
}

/// The acknowledgement and probe planner for up to 16 sources.
#[derive(Debug, Clone)]
pub struct Feedback {
    config: FeedbackConfig,
    sources: [Source; SOURCES],
    stats: FeedbackStats,
}

impl Feedback {
    /// A planner with the given intervals.
    pub fn new(config: FeedbackConfig) -> Self {
        Feedback {
            config,
            sources: [Source::default(); SOURCES],
            stats: FeedbackStats::default(),
        }
    }

    /// Counters since creation.
    pub fn stats(&self) -> FeedbackStats {
        self.stats
    }

    /// The last `through_seq` of `source` whose acknowledgement was delivered.
    pub fn acked_through(&self, source: u8) -> Option<u16> {
        self.sources.get(usize::from(source)).and_then(|s| s.acked)
    }

    /// A frame from `source` arrived at `now`.
    pub fn on_frame(&mut self, source: u8, now: UtcTime) {
        let cfg = self.config;
        let Some(s) = self.sources.get_mut(usize::from(source)) else {
            return;
        };
        if s.last_rx.is_none() {
            s.ack_due = now.0 + cfg.ack_interval_ms;
        }
        s.last_rx = Some(now.0);
        s.probe_due = now.0 + cfg.probe_after_ms;
    }

    /// The next message to send at `now`, if one is due: a status request to a quiet
    /// source first, else an acknowledgement of `through(source)` (the last sequence number
    /// of the source's gap-free run, `None` when it has none yet). Only sources heard at
    /// least once are considered.
    pub fn poll(&mut self, now: UtcTime, through: impl Fn(u8) -> Option<u16>) -> Option<Message> {
        let cfg = self.config;
        for (target, s) in self.sources.iter_mut().enumerate() {
            if s.last_rx.is_some() && cfg.probe_after_ms > 0 && now.0 >= s.probe_due {
                s.probe_due = now.0 + cfg.probe_after_ms;
                self.stats.probes += 1;
                // `target` < SOURCES = 16
                return Some(Message::StatusRequest(StatusRequest {
                    target: target as u8,
                }));
            }
        }
        for (target, s) in self.sources.iter_mut().enumerate() {
            if s.last_rx.is_none() || cfg.ack_interval_ms <= 0 || now.0 < s.ack_due {
                continue;
            }
            s.ack_due = now.0 + cfg.ack_interval_ms;
            let target = target as u8;
            match through(target) {
                Some(t) if s.acked != Some(t) => {
                    s.sent = Some(t);
                    self.stats.acks += 1;
                    return Some(Message::Ack(Ack {
                        target,
                        through_seq: t,
                    }));
                }
                _ => {}
            }
        }
        None
    }

    /// The modem reported the outcome of `sent` (a message [`Feedback::poll`] returned).
    /// A failed acknowledgement is tried again at the next interval.
    pub fn on_outcome(&mut self, sent: &Message, delivered: bool) {
        let Message::Ack(a) = sent else { return };
        let Some(s) = self.sources.get_mut(usize::from(a.target)) else {
            return;
        };
        if s.sent == Some(a.through_seq) {
            s.sent = None;
            if delivered {
                s.acked = Some(a.through_seq);
                self.stats.acks_delivered += 1;
            }
        }
    }

    /// When [`Feedback::poll`] may next have something to send.
    pub fn next_deadline(&self) -> Option<UtcTime> {
        let cfg = self.config;
        self.sources
            .iter()
            .filter(|s| s.last_rx.is_some())
            .flat_map(|s| {
                let probe = (cfg.probe_after_ms > 0).then_some(s.probe_due);
                let ack = (cfg.ack_interval_ms > 0).then_some(s.ack_due);
                probe.into_iter().chain(ack)
            })
            .min()
            .map(UtcTime)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn t(ms: i64) -> UtcTime {
        UtcTime(1_800_000_000_000 + ms)
    }

    #[test]
    fn acknowledges_the_gap_free_run_once_per_interval_and_only_when_it_grew() {
        let mut f = Feedback::new(FeedbackConfig::default());
        assert_eq!(f.poll(t(0), |_| Some(5)), None, "nothing heard yet");
        f.on_frame(1, t(0));
        assert_eq!(f.next_deadline(), Some(t(2 * H)));
        // frames every 30 min: no probe; the first ack 6 h after first hearing the source
        for k in 1..12 {
            f.on_frame(1, t(k * H / 2));
            assert_eq!(f.poll(t(k * H / 2), |_| Some(9)), None);
        }
        f.on_frame(1, t(6 * H));
        let ack = f.poll(t(6 * H), |s| (s == 1).then_some(20)).unwrap();
        assert_eq!(
            ack,
            Message::Ack(Ack {
                target: 1,
                through_seq: 20
            })
        );
        f.on_outcome(&ack, true);
        assert_eq!(f.acked_through(1), Some(20));
        // not again before the interval, and not at all when the run did not grow
        f.on_frame(1, t(7 * H));
        assert_eq!(f.poll(t(7 * H), |_| Some(30)), None);
        f.on_frame(1, t(12 * H));
        assert_eq!(f.poll(t(12 * H), |_| Some(20)), None);
        // a failed delivery is tried again at the next interval
        f.on_frame(1, t(18 * H));
        let ack = f.poll(t(18 * H), |_| Some(40)).unwrap();
        f.on_outcome(&ack, false);
        assert_eq!(f.acked_through(1), Some(20));
        f.on_frame(1, t(24 * H));
        assert!(matches!(
            f.poll(t(24 * H), |_| Some(40)),
            Some(Message::Ack(Ack {
                through_seq: 40,
                ..
            }))
        ));
        assert_eq!(f.stats().acks, 3);
        assert_eq!(f.stats().acks_delivered, 1);
    }

    #[test]
    fn probes_a_quiet_source_and_keeps_probing_while_it_stays_quiet() {
        let mut f = Feedback::new(FeedbackConfig {
            ack_interval_ms: 0,
            ..FeedbackConfig::default()
        });
        f.on_frame(3, t(0));
        assert_eq!(f.poll(t(2 * H - 1), |_| None), None);
        assert_eq!(
            f.poll(t(2 * H), |_| None),
            Some(Message::StatusRequest(StatusRequest { target: 3 }))
        );
        assert_eq!(f.poll(t(3 * H), |_| None), None);
        assert!(f.poll(t(4 * H), |_| None).is_some());
        // a frame postpones the next probe
        f.on_frame(3, t(5 * H));
        assert_eq!(f.next_deadline(), Some(t(7 * H)));
        assert_eq!(f.stats().probes, 2);
    }
}
