//! The inductive-line side: the poll schedule, `GData` / `!iiData`, and the replies.

use super::reply::sample_from_reply;
use super::{bump, expired, Controller, Poll, GDATA_SETTLE_S, MAX_LINE};
use protocol::lines::LineEvent;
use protocol::message::{CtdBatch, InstrumentKind, Message};

/// Whether the controller fetches samples from an instrument of this kind with `!iiData`.
fn is_polled(kind: InstrumentKind) -> bool {
    matches!(
        kind,
        InstrumentKind::Sbe37Ctd | InstrumentKind::Sbe37CtdOdo | InstrumentKind::Unknown
    )
}

/// Lines that are not replies but are normal on an IM line: command echoes and prompts.
fn is_chatter(line: &str) -> bool {
    line.starts_with('!')
        || line.starts_with("GData")
        || line.starts_with("S>")
        || line.eq_ignore_ascii_case("ok")
}

impl<const RING: usize> Controller<RING> {
    /// Queues bytes for the inductive line (replacing any not yet taken).
    fn set_line(&mut self, bytes: &[u8]) {
        self.line_out.clear();
        // Line commands are at most 9 bytes, the buffer holds 16.
        let _ = self.line_out.extend_from_slice(bytes);
        self.line_pending = true;
    }

    /// Starts a poll at `now`: `GData`, then the settle wait.
    pub(super) fn start_poll(&mut self, now: u32) {
        if !self.config.instruments.iter().any(|i| is_polled(i.kind)) {
            return;
        }
        bump(&mut self.counters.polls);
        self.batch = CtdBatch {
            time: now,
            samples: heapless::Vec::new(),
        };
        self.set_line(b"GData\r\n");
        self.poll = Poll::Settling { since: now };
    }

    /// Moves the poll on when its current wait is over.
    pub(super) fn advance_poll(&mut self, now: u32) {
        match self.poll {
            Poll::Idle => {}
            Poll::Settling { since } => {
                if expired(now, since, GDATA_SETTLE_S) {
                    self.fetch_from(0, now);
                }
            }
            Poll::Fetching { index, since } => {
                if expired(now, since, self.config.reply_timeout_s) {
                    bump(&mut self.counters.instrument_errors);
                    self.fetch_from(index + 1, now);
                }
            }
        }
    }

    /// Asks the first polled instrument at or after `index` for its held sample, or ends the
    /// poll when there is none.
    fn fetch_from(&mut self, index: usize, now: u32) {
        let next = self
            .config
            .instruments
            .iter()
            .enumerate()
            .skip(index)
            .find(|(_, i)| is_polled(i.kind))
            .map(|(j, i)| (j, i.im_id));
        match next {
            Some((j, id)) => {
                // im_id ≤ 99 (checked at start-up), so two digits.
                let cmd = [
                    b'!',
                    b'0' + id / 10 % 10,
                    b'0' + id % 10,
                    b'D',
                    b'a',
                    b't',
                    b'a',
                    b'\r',
                    b'\n',
                ];
                self.set_line(&cmd);
                self.poll = Poll::Fetching {
                    index: j,
                    since: now,
                };
            }
            None => self.finish_poll(now),
        }
    }

    /// Ends the poll: stores and queues the batch if any instrument answered.
    fn finish_poll(&mut self, now: u32) {
        self.poll = Poll::Idle;
        if self.batch.samples.is_empty() {
            return;
        }
        let batch = core::mem::take(&mut self.batch);
        if self.send_message(&Message::CtdBatch(batch), now, false) {
            bump(&mut self.counters.batches);
        }
    }

    /// Splits line bytes into lines and handles each.
    pub(super) fn on_line_bytes(&mut self, bytes: &[u8], now: u32) {
        let mut input = bytes;
        loop {
            let mut line: heapless::Vec<u8, MAX_LINE> = heapless::Vec::new();
            let complete = match self.splitter.next_event(&mut input) {
                None => break,
                Some(LineEvent::Line(l)) => line.extend_from_slice(l).is_ok(),
                Some(LineEvent::Overflow { .. }) => false,
            };
            if complete {
                self.on_line(&line, now);
            } else {
                bump(&mut self.counters.line_errors);
            }
        }
    }

    /// One complete line from the inductive line.
    fn on_line(&mut self, line: &[u8], now: u32) {
        let Ok(text) = core::str::from_utf8(line) else {
            bump(&mut self.counters.line_errors);
            return;
        };
        let text = text.trim_matches(|c: char| c.is_whitespace() || c.is_control());
        if text.is_empty() {
            return;
        }
        let Poll::Fetching { index, .. } = self.poll else {
            bump(&mut self.counters.line_unsolicited);
            return;
        };
        if is_chatter(text) {
            bump(&mut self.counters.line_unsolicited);
            return;
        }
        let Some(inst) = self.config.instruments.get(index).copied() else {
            self.finish_poll(now);
            return;
        };
        match sample_from_reply(text, &inst) {
            Ok((sample, conv)) => {
                bump(&mut self.counters.replies);
                let c = &mut self.counters;
                c.values_out_of_range = c.values_out_of_range.wrapping_add(conv.out_of_range);
                c.values_rounded = c.values_rounded.wrapping_add(conv.rounded);
                // Slots are unique (checked at start-up) and each instrument answers once per
                // poll, so the batch (capacity 16 = slot count) has room; keep it slot-ordered.
                let samples = &mut self.batch.samples;
                let at = samples
                    .iter()
                    .position(|s| s.slot > sample.slot)
                    .unwrap_or(samples.len());
                if samples.insert(at, sample).is_err() {
                    bump(&mut self.counters.encode_errors);
                }
                self.fetch_from(index + 1, now);
            }
            Err(_) => bump(&mut self.counters.line_errors),
        }
    }
}
