//! The uplink: building frames into the ring buffer, the transmit queue, `AT*SENDIM` with
//! retries and back-off, and the line status.

use super::ring::MAX_FRAME;
use super::{bump, expired, Controller, Tx, MAX_PAYLOAD, MODEM_TIMEOUT_S};
use protocol::fragment::Fragments;
use protocol::frame::{seq_add, seq_sub, SEQ_MODULUS};
use protocol::hostif::{encode_command_to_slice, Command, CommandEncoding, ImFlag, LineEnding};
use protocol::message::{InventoryEntry, LineStatus, Message, MAX_SLOTS};

/// Half the sequence space: the window in which "before" and "after" are unambiguous.
const HALF_SEQ: u16 = SEQ_MODULUS / 2;

/// How commands go to the modem: command mode, `\r` (a serial line).
const ENCODING: CommandEncoding = CommandEncoding {
    line_ending: LineEnding::Cr,
    framed: false,
};

impl<const RING: usize> Controller<RING> {
    /// Whether the gateway acknowledged `seq`.
    fn is_acked(&self, seq: u16) -> bool {
        self.acked_through
            .is_some_and(|a| seq_sub(a, seq) < HALF_SEQ)
    }

    /// Records a cumulative acknowledgement; `false` if it names a frame not yet built or
    /// too old to place in the sequence space.
    pub(super) fn record_ack(&mut self, through: u16) -> bool {
        let behind = u32::from(seq_sub(self.next_seq, through));
        if behind == 0 || behind > self.counters.frames_built.min(u32::from(HALF_SEQ)) {
            return false;
        }
        self.acked_through = Some(through);
        true
    }

    /// Encodes `msg`, fragments it into consecutive sequence numbers, stores every frame in
    /// the ring and queues it for sending (at the front of the queue if `urgent`). Returns
    /// whether the message was stored.
    pub(super) fn send_message(&mut self, msg: &Message, _now: u32, urgent: bool) -> bool {
        let mut payload = [0u8; MAX_PAYLOAD];
        let len = match msg.encode(&mut payload) {
            Ok(n) => n,
            Err(_) => {
                bump(&mut self.counters.encode_errors);
                return false;
            }
        };
        let body = payload.get(..len).unwrap_or(&[]);
        let Ok(mut frags) = Fragments::new(
            msg.msg_type(),
            self.config.source,
            false,
            self.next_seq,
            body,
            self.config.mtu,
        ) else {
            bump(&mut self.counters.encode_errors);
            return false;
        };
        let mut seqs: heapless::Vec<u16, 16> = heapless::Vec::new();
        let mut frame = [0u8; MAX_FRAME];
        while let Some(next) = frags.next_frame(&mut frame) {
            let Ok((header, n)) = next else {
                bump(&mut self.counters.encode_errors);
                continue;
            };
            self.store_frame(header.seq, frame.get(..n).unwrap_or(&[]));
            // A message has at most 16 fragments.
            let _ = seqs.push(header.seq);
        }
        self.next_seq = frags.next_seq_after();
        if urgent {
            for &s in seqs.iter().rev() {
                self.enqueue(s, true);
            }
        } else {
            for &s in &seqs {
                self.enqueue(s, false);
            }
        }
        true
    }

    /// Puts one frame into the ring, counting what it overwrites.
    fn store_frame(&mut self, seq: u16, frame: &[u8]) {
        if self
            .acked_through
            .is_some_and(|a| seq_sub(seq, a) >= HALF_SEQ)
        {
            self.acked_through = None; // too old to compare with any more
        }
        let acked = self.acked_through;
        let counters = &mut self.counters;
        let result = self.ring.push(seq, frame, |old| {
            bump(&mut counters.ring_overwritten);
            if acked.is_none_or(|a| seq_sub(a, old) >= HALF_SEQ) {
                bump(&mut counters.ring_dropped);
            }
        });
        match result {
            Ok(()) => bump(&mut self.counters.frames_built),
            Err(()) => bump(&mut self.counters.encode_errors),
        }
    }

    /// Queues `seq` for sending unless it is already queued or in flight.
    pub(super) fn enqueue(&mut self, seq: u16, front: bool) {
        let busy = match self.tx {
            Tx::Idle => None,
            Tx::InFlight { seq, .. } | Tx::Backoff { seq, .. } => Some(seq),
        };
        if busy == Some(seq) || self.queue.iter().any(|&s| s == seq) {
            return;
        }
        if self.queue.is_full() {
            bump(&mut self.counters.queue_dropped);
            if front {
                self.queue.pop_back();
            } else {
                self.queue.pop_front();
            }
        }
        // Room was made above.
        let _ = if front {
            self.queue.push_front(seq)
        } else {
            self.queue.push_back(seq)
        };
    }

    /// Writes the `AT*SENDIM` for `seq` into the modem output; `false` if the ring no longer
    /// holds it or it cannot be encoded.
    fn write_send(&mut self, seq: u16) -> bool {
        let Some(frame) = self.ring.get(seq) else {
            return false;
        };
        let cmd = Command::SendIm {
            pid: None,
            dst: self.config.gateway_address,
            flag: ImFlag::Ack,
            payload: frame,
        };
        match encode_command_to_slice(&cmd, ENCODING, &mut self.modem_out) {
            Ok(n) => {
                self.modem_len = n;
                self.modem_pending = true;
                bump(&mut self.counters.frames_sent);
                true
            }
            Err(_) => {
                bump(&mut self.counters.encode_errors);
                false
            }
        }
    }

    /// Starts the next queued transmission if none is running.
    pub(super) fn pump_modem(&mut self, now: u32) {
        if self.tx != Tx::Idle {
            return;
        }
        while let Some(seq) = self.queue.pop_front() {
            if self.write_send(seq) {
                self.tx = Tx::InFlight {
                    seq,
                    attempt: 0,
                    accepted: false,
                    since: now,
                };
                return;
            }
        }
    }

    /// Expires the modem wait and the back-off.
    pub(super) fn advance_tx(&mut self, now: u32) {
        match self.tx {
            Tx::Idle => {}
            Tx::InFlight { since, .. } => {
                if expired(now, since, MODEM_TIMEOUT_S) {
                    self.attempt_failed(now);
                }
            }
            Tx::Backoff {
                seq,
                attempt,
                since,
                wait,
            } => {
                if expired(now, since, wait) {
                    if self.write_send(seq) {
                        bump(&mut self.counters.retries);
                        self.tx = Tx::InFlight {
                            seq,
                            attempt,
                            accepted: false,
                            since: now,
                        };
                    } else {
                        bump(&mut self.counters.frames_given_up);
                        self.tx = Tx::Idle;
                    }
                }
            }
        }
    }

    /// The transmission in flight failed: back off and retry, or give the frame up.
    pub(super) fn attempt_failed(&mut self, now: u32) {
        let Tx::InFlight { seq, attempt, .. } = self.tx else {
            return;
        };
        bump(&mut self.counters.failures);
        if attempt < self.config.max_retries {
            let factor = 1u32.checked_shl(u32::from(attempt)).unwrap_or(u32::MAX);
            let wait = self.config.retry_base_s.saturating_mul(factor);
            self.tx = Tx::Backoff {
                seq,
                attempt: attempt + 1,
                since: now,
                wait,
            };
        } else {
            bump(&mut self.counters.frames_given_up);
            self.tx = Tx::Idle;
        }
    }

    /// The transmission in flight was delivered.
    pub(super) fn delivered(&mut self) {
        bump(&mut self.counters.frames_delivered);
        self.tx = Tx::Idle;
    }

    /// Builds, stores and queues (ahead of other frames) a line status.
    pub(super) fn send_status(&mut self, now: u32) {
        // The status' size does not depend on its values: encode once to count its frames.
        let mut probe = [0u8; MAX_PAYLOAD];
        let frames = Message::LineStatus(self.status_after(0))
            .encode(&mut probe)
            .ok()
            .and_then(|len| {
                let body = probe.get(..len)?;
                Fragments::new(
                    protocol::frame::MessageType::LineStatus,
                    1,
                    false,
                    0,
                    body,
                    self.config.mtu,
                )
                .ok()
            })
            .map_or(0, |f| f.count() as u16);
        let mut status = self.status_after(frames);
        status.clock = now;
        if self.send_message(&Message::LineStatus(status), now, true) {
            bump(&mut self.counters.status_sent);
        }
    }

    /// The line status once `frames` more frames are stored (the status' own frames).
    pub(super) fn status_after(&self, frames: u16) -> LineStatus {
        let mut oldest = self.ring.oldest();
        let mut held = self.ring.len();
        let mut dropped = self.counters.ring_dropped;
        let mut next = self.next_seq;
        for _ in 0..frames {
            if held >= RING {
                if let Some(o) = oldest {
                    if !self.is_acked(o) {
                        dropped = dropped.wrapping_add(1);
                    }
                    oldest = Some(seq_add(o, 1));
                }
            } else {
                held += 1;
                oldest = oldest.or(Some(next));
            }
            next = seq_add(next, 1);
        }
        let mut inventory: heapless::Vec<InventoryEntry, MAX_SLOTS> = heapless::Vec::new();
        for i in &self.config.instruments {
            let e = InventoryEntry {
                slot: i.slot,
                kind: i.kind,
                serial: i.serial,
                nominal_depth_m: i.nominal_depth_m,
            };
            // At most 16 instruments, checked at start-up.
            let _ = inventory.push(e);
        }
        let c = &self.counters;
        LineStatus {
            clock: self.now,
            battery_mv: self.battery_mv,
            // The status fields are 16 bits and wrap, as documented in the protocol crate.
            polls: c.polls as u16,
            instrument_errors: c.instrument_errors as u16,
            frames_sent: c.frames_sent as u16,
            send_failures: c.failures as u16,
            ring_dropped: dropped as u16,
            ring_oldest_seq: oldest.unwrap_or(next),
            next_seq: next,
            inventory,
        }
    }
}
