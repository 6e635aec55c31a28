//! Downlink repair planning, sans-IO: which frames to ask the line controller to resend,
//! and when.
//!
//! [`Repair`] watches the sequence numbers arriving from each source, keeps the runs that
//! are missing, and — paced, and only while the link is up — builds selective-repeat
//! requests ([`RepeatRequest`]) for runs that stayed missing longer than a grace period
//! (a late or retried frame often fills a gap by itself). It asks again for the same
//! frames after `retry_ms`, backs off exponentially while the modem reports failed
//! deliveries, and stops asking for frames older than the controller's ring buffer
//! (`ring_oldest_seq` of its line status): those are reported lost.
//!
//! Memory is bounded: at most [`MAX_GAPS`] missing runs per source; when a new run would
//! exceed that, the two closest runs merge (asking for a few frames already held is
//! harmless: duplicates are dropped on arrival).

use crate::frame::{seq_add, seq_sub, MAX_SOURCE, SEQ_MODULUS};
use crate::message::{RepeatRange, RepeatRequest, MAX_REPEAT_RANGES};
use crate::time::UtcTime;

const HALF: u16 = SEQ_MODULUS / 2;
const SOURCES: usize = MAX_SOURCE as usize + 1;
/// Most missing runs tracked per source.
pub const MAX_GAPS: usize = 64;

/// Timing and size limits of the repair planner (all times in milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepairConfig {
    /// A run must have been missing this long before it is asked for.
    pub grace_ms: i64,
    /// Least time between two requests (the acoustic channel is slow and shared).
    pub min_interval_ms: i64,
    /// Ask again for a run still missing this long after the last request for it.
    pub retry_ms: i64,
    /// The link counts as down when nothing arrived from a source for this long.
    pub link_timeout_ms: i64,
    /// Longest wait after repeated failed deliveries of requests.
    pub max_backoff_ms: i64,
    /// Most frames named in one request.
    pub max_frames_per_request: u16,
}

impl Default for RepairConfig {
    /// Sized for the real link: a 30-min poll, ~10 s per acoustic exchange.
    fn default() -> Self {
        RepairConfig {
            grace_ms: 10 * 60_000,
            min_interval_ms: 60_000,
            retry_ms: 30 * 60_000,
            link_timeout_ms: 2 * 3_600_000,
            max_backoff_ms: 6 * 3_600_000,
            max_frames_per_request: 60,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Gap {
    start: u16,
    len: u16,
    detected: i64,
    last_asked: Option<i64>,
}

#[derive(Debug, Clone, Default)]
struct Source {
    highest: Option<u16>,
    ring_oldest: Option<u16>,
    last_rx: Option<i64>,
    gaps: heapless::Vec<Gap, MAX_GAPS>,
}

/// Counters since creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RepairStats {
    /// Frames found missing (gap runs detected), counted per frame.
    pub missing: u64,
    /// Missing frames that arrived later.
    pub recovered: u64,
    /// Missing frames given up because the controller no longer holds them.
    pub lost: u64,
    /// Requests built.
    pub requests: u64,
    /// Requests whose delivery the modem reported failed.
    pub failed_requests: u64,
}

/// The repair planner for up to 16 sources.
#[derive(Debug, Clone)]
pub struct Repair {
    config: RepairConfig,
    sources: [Source; SOURCES],
    next_allowed: i64,
    backoff: i64,
    stats: RepairStats,
}

impl Repair {
    /// A planner with the given limits.
    pub fn new(config: RepairConfig) -> Self {
        Repair {
            config,
            sources: core::array::from_fn(|_| Source::default()),
            next_allowed: i64::MIN,
            backoff: 0,
            stats: RepairStats::default(),
        }
    }

    /// Counters since creation.
    pub fn stats(&self) -> RepairStats {
        self.stats
    }

    /// Frames of `source` currently missing.
    pub fn missing(&self, source: u8) -> usize {
        self.sources
            .get(usize::from(source))
            .map_or(0, |s| s.gaps.iter().map(|g| usize::from(g.len)).sum())
    }

    /// Highest sequence number seen from `source`.
    pub fn highest(&self, source: u8) -> Option<u16> {
        self.sources
            .get(usize::from(source))
            .and_then(|s| s.highest)
    }

    /// Starts tracking `source` after `seq` (e.g. the last number held before a restart),
    /// so that frames missed in between are asked for. Ignored once frames have arrived.
    pub fn resume_after(&mut self, source: u8, seq: u16) {
        if let Some(s) = self.sources.get_mut(usize::from(source)) {
            if s.highest.is_none() {
                s.highest = Some(seq % SEQ_MODULUS);
            }
        }
    }

    /// The missing runs of `source` as (first sequence number, count).
    pub fn gaps(&self, source: u8) -> impl Iterator<Item = (u16, u16)> + '_ {
        self.sources
            .get(usize::from(source))
            .into_iter()
            .flat_map(|s| s.gaps.iter().map(|g| (g.start, g.len)))
    }

    /// Declares `len` frames of `source` from `start` missing, as of `now` (e.g. restored
    /// from state kept across a restart). Frames the planner already counts are not doubled
    /// in the statistics, but a run may then be asked for twice (duplicates are dropped).
    pub fn add_missing(&mut self, source: u8, start: u16, len: u16, now: UtcTime) {
        let Some(s) = self.sources.get_mut(usize::from(source)) else {
            return;
        };
        let len = len.min(HALF);
        if len == 0 {
            return;
        }
        insert_gap(
            &mut s.gaps,
            Gap {
                start: start % SEQ_MODULUS,
                len,
                detected: now.0,
                last_asked: None,
            },
        );
    }

    /// A CRC-valid frame `seq` from `source` arrived at `now`. Report duplicates too: a
    /// frame asked for again may arrive as a duplicate and clears its gap then.
    pub fn on_frame(&mut self, source: u8, seq: u16, now: UtcTime) {
        let Some(s) = self.sources.get_mut(usize::from(source)) else {
            return;
        };
        let seq = seq % SEQ_MODULUS;
        if s.last_rx
            .is_none_or(|t| now.0 - t > self.config.link_timeout_ms)
        {
            // the link just came back: ask without waiting out an old backoff
            self.next_allowed = self.next_allowed.min(now.0);
            self.backoff = 0;
        } else if self.backoff > 0 {
            // a frame got through after failed requests: the channel works again, so stop
            // backing off (the minimum interval still paces the next request)
            self.backoff = 0;
            self.next_allowed = self.next_allowed.min(now.0 + self.config.min_interval_ms);
        }
        s.last_rx = Some(now.0);
        let Some(high) = s.highest else {
            s.highest = Some(seq);
            return;
        };
        let ahead = seq_sub(seq, high);
        if ahead != 0 && ahead < HALF {
            if ahead > 1 {
                let gap = Gap {
                    start: seq_add(high, 1),
                    len: ahead - 1,
                    detected: now.0,
                    last_asked: None,
                };
                self.stats.missing += u64::from(gap.len);
                insert_gap(&mut s.gaps, gap);
            }
            s.highest = Some(seq);
        } else if remove_seq(&mut s.gaps, seq) {
            self.stats.recovered += 1;
        }
    }

    /// The controller of `source` reported (line status) that it holds frames from
    /// `ring_oldest_seq` on; older missing frames are given up. Returns how many.
    pub fn on_ring_oldest(&mut self, source: u8, ring_oldest_seq: u16) -> u64 {
        let Some(s) = self.sources.get_mut(usize::from(source)) else {
            return 0;
        };
        let oldest = ring_oldest_seq % SEQ_MODULUS;
        s.ring_oldest = Some(oldest);
        let Some(high) = s.highest else { return 0 };
        // position of the oldest held frame, counted backwards from `high`
        let held_back = seq_sub(high, oldest);
        let mut lost = 0u64;
        s.gaps.retain_mut(|g| {
            // frames of the gap that are further back than `oldest` are gone
            let end_back = seq_sub(high, g.start); // distance of the gap's first frame
            if end_back <= held_back || held_back >= HALF {
                return true;
            }
            let gone = (end_back - held_back).min(g.len);
            lost += u64::from(gone);
            g.start = seq_add(g.start, gone);
            g.len -= gone;
            g.len > 0
        });
        self.stats.lost += lost;
        lost
    }

    /// The modem reported the outcome of the last request sent (`DELIVEREDIM` or `FAILEDIM`).
    pub fn on_request_outcome(&mut self, delivered: bool, now: UtcTime) {
        if delivered {
            self.backoff = 0;
        } else {
            self.stats.failed_requests += 1;
            self.backoff = (self.backoff.max(self.config.min_interval_ms / 2) * 2)
                .min(self.config.max_backoff_ms);
            self.next_allowed = self.next_allowed.max(now.0 + self.backoff);
        }
    }

    /// When [`Repair::poll_request`] may next have something to send.
    pub fn next_deadline(&self) -> Option<UtcTime> {
        let due = self
            .sources
            .iter()
            .filter(|s| !s.gaps.is_empty())
            .flat_map(|s| s.gaps.iter())
            .map(|g| match g.last_asked {
                Some(t) => t + self.config.retry_ms,
                None => g.detected + self.config.grace_ms,
            })
            .min()?;
        Some(UtcTime(due.max(self.next_allowed)))
    }

    /// The next selective-repeat request to send now, if one is due; the caller encodes it
    /// (source 0, the gateway) and hands it to the modem, then reports the outcome.
    pub fn poll_request(&mut self, now: UtcTime) -> Option<RepeatRequest> {
        if now.0 < self.next_allowed {
            return None;
        }
        let cfg = self.config;
        for (target, s) in self.sources.iter_mut().enumerate() {
            let link_up = s.last_rx.is_some_and(|t| now.0 - t <= cfg.link_timeout_ms);
            if !link_up {
                continue;
            }
            let mut req = RepeatRequest {
                target: target as u8,
                ranges: heapless::Vec::new(),
            };
            let mut frames = 0u16;
            let mut i = 0;
            while i < s.gaps.len()
                && frames < cfg.max_frames_per_request
                && req.ranges.len() < MAX_REPEAT_RANGES
            {
                let g = s.gaps[i];
                let due = match g.last_asked {
                    Some(t) => now.0 >= t + cfg.retry_ms,
                    None => now.0 >= g.detected + cfg.grace_ms,
                };
                i += 1;
                if !due {
                    continue;
                }
                let mut asked = 0u16;
                while asked < g.len
                    && frames < cfg.max_frames_per_request
                    && req.ranges.len() < MAX_REPEAT_RANGES
                {
                    let n = (g.len - asked)
                        .min(255)
                        .min(cfg.max_frames_per_request - frames);
                    // the loop condition keeps ranges.len() < capacity
                    let _ = req.ranges.push(RepeatRange {
                        start: seq_add(g.start, asked),
                        len: n as u8,
                    });
                    frames += n;
                    asked += n;
                }
                s.gaps[i - 1].last_asked = Some(now.0);
                if asked < g.len && !s.gaps.is_full() {
                    // the part not asked for yet stays due
                    s.gaps[i - 1].len = asked;
                    let rest = Gap {
                        start: seq_add(g.start, asked),
                        len: g.len - asked,
                        ..g
                    };
                    // not full, checked above
                    let _ = s.gaps.insert(i, rest);
                }
            }
            if !req.ranges.is_empty() {
                self.stats.requests += 1;
                self.next_allowed = now.0 + cfg.min_interval_ms.max(self.backoff);
                return Some(req);
            }
        }
        None
    }
}

/// Adds a gap at the end (gaps stay in sequence order), merging the two closest gaps
/// first when the list is full.
fn insert_gap(gaps: &mut heapless::Vec<Gap, MAX_GAPS>, gap: Gap) {
    if gaps.is_full() {
        merge_closest(gaps);
    }
    // merge_closest freed a slot when the list was full
    let _ = gaps.push(gap);
}

/// Merges the two neighbouring gaps with the fewest held frames between them.
fn merge_closest(gaps: &mut heapless::Vec<Gap, MAX_GAPS>) {
    if gaps.len() < 2 {
        return;
    }
    let mut best = 0;
    let mut best_dist = u16::MAX;
    for i in 0..gaps.len() - 1 {
        let d = seq_sub(gaps[i + 1].start, seq_add(gaps[i].start, gaps[i].len));
        if d < best_dist {
            best_dist = d;
            best = i;
        }
    }
    let next = gaps.remove(best + 1);
    let g = &mut gaps[best];
    g.len = seq_sub(seq_add(next.start, next.len), g.start);
    g.detected = g.detected.min(next.detected);
    g.last_asked = None;
}

/// Removes `seq` from the gap holding it (splitting it); returns whether it was missing.
fn remove_seq(gaps: &mut heapless::Vec<Gap, MAX_GAPS>, seq: u16) -> bool {
    let find = |gaps: &heapless::Vec<Gap, MAX_GAPS>| {
        gaps.iter().position(|g| seq_sub(seq, g.start) < g.len)
    };
    let Some(mut i) = find(gaps) else {
        return false;
    };
    let g = gaps[i];
    let off = seq_sub(seq, g.start);
    if off > 0 && off + 1 < g.len && gaps.is_full() {
        // a split needs a slot: merge two other runs first (the merged run may name frames
        // already held; they come back as duplicates and clear it then)
        merge_closest(gaps);
        match find(gaps) {
            Some(j) => i = j,
            None => return true,
        }
    }
    let g = gaps[i];
    let off = seq_sub(seq, g.start);
    let before = Gap { len: off, ..g };
    let after = Gap {
        start: seq_add(seq, 1),
        len: g.len - off - 1,
        ..g
    };
    match (before.len > 0, after.len > 0) {
        (true, true) => {
            gaps[i] = before;
            // a slot was freed above if the list was full
            let _ = gaps.insert(i + 1, after);
        }
        (true, false) => gaps[i] = before,
        (false, true) => gaps[i] = after,
        (false, false) => {
            gaps.remove(i);
        }
    }
    true
}

#[cfg(test)]
mod tests;
