//! A minimal built-in downlink repairer (`--repair`): a stand-in for the gateway's
//! selective repeat, so that the simulator alone can record an "outage + recovery" run.
//!
//! It reads the MII modem's host output exactly as a gateway would (host-interface parser,
//! frame decoder, reassembler), tracks which sequence numbers of the line's node arrived,
//! and after gaps sends `RepeatRequest`s through the modem (`AT*SENDIM,…,ack,<frame>`),
//! one at a time and paced: a missing number is asked for only after it has been missing
//! for [`RepairConfig::min_age_s`], then not again before [`RepairConfig::rerequest_s`];
//! after a `FAILEDIM` (e.g. during an outage) it waits [`RepairConfig::backoff_s`]. When it
//! has heard nothing for [`RepairConfig::probe_after_s`] it asks for a line status
//! (`StatusRequest`), whose `next_seq` reveals frames lost at the tail; the status's
//! `ring_oldest_seq` tells which missing frames are gone for good. It acknowledges the
//! gap-free run (`Ack`) every [`RepairConfig::ack_interval_s`].
//!
//! The real gateway will do this itself (a later issue); this one exists for the simulator.

use std::collections::BTreeMap;
use std::vec::Vec;

use protocol::frame::{decode_frame, encode_frame, seq_add, seq_sub, Header};
use protocol::hostif::{
    encode_command, Command, CommandEncoding, HostEvent, HostParser, ImFlag,
    Message as HostMessage, Mode,
};
use protocol::message::{
    Ack, Message, RepeatRange, RepeatRequest, StatusRequest, MAX_REPEAT_RANGES,
};
use protocol::reassembly::{Event, Reassembler, ReassemblerConfig};
use protocol::time::UtcTime;

/// Pacing of the repairer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairConfig {
    /// A number must be missing this long before it is asked for, seconds (the line's own
    /// modem and controller retries get their chance first).
    pub min_age_s: u64,
    /// Wait before asking again for a number already asked for, seconds.
    pub rerequest_s: u64,
    /// Wait after a failed request (`FAILEDIM`), seconds.
    pub backoff_s: u64,
    /// Ask for a status after this long without hearing from the line, seconds.
    pub probe_after_s: u64,
    /// Acknowledge the gap-free run this often, seconds.
    pub ack_interval_s: u64,
}

impl Default for RepairConfig {
    fn default() -> Self {
        RepairConfig {
            min_age_s: 15 * 60,
            rerequest_s: 45 * 60,
            backoff_s: 10 * 60,
            probe_after_s: 2 * 3600,
            ack_interval_s: 6 * 3600,
        }
    }
}

/// Counters of the repairer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepairStats {
    /// Repeat requests sent.
    pub requests: u64,
    /// Sequence numbers asked for (with repetitions).
    pub seqs_requested: u64,
    /// Status requests sent.
    pub probes: u64,
    /// Acknowledgements sent.
    pub acks: u64,
    /// Downlink sends that failed.
    pub failed: u64,
    /// Missing numbers given up because the ring no longer holds them.
    pub given_up: u64,
}

/// The repairer's state.
pub struct Repairer {
    config: RepairConfig,
    node: u8,
    line_address: u8,
    parser: HostParser,
    reassembler: Reassembler<8>,
    highest: Option<u16>,
    /// Missing sequence number → when it may next be asked for (ms).
    missing: BTreeMap<u16, u64>,
    in_flight: bool,
    in_flight_since_ms: u64,
    next_send_ms: u64,
    last_heard_ms: u64,
    next_probe_ms: u64,
    next_ack_ms: u64,
    acked_through: Option<u16>,
    downlink_seq: u16,
    out: Vec<Vec<u8>>,
    stats: RepairStats,
}

impl Repairer {
    /// A repairer for frames of `node`, sending to the modem at `line_address`.
    pub fn new(config: RepairConfig, node: u8, line_address: u8) -> Self {
        Repairer {
            config,
            node,
            line_address,
            parser: HostParser::new(Mode::Command),
            reassembler: Reassembler::new(ReassemblerConfig::default()),
            highest: None,
            missing: BTreeMap::new(),
            in_flight: false,
            in_flight_since_ms: 0,
            next_send_ms: 0,
            last_heard_ms: 0,
            next_probe_ms: 0,
            next_ack_ms: 0,
            acked_through: None,
            downlink_seq: 0,
            out: Vec::new(),
            stats: RepairStats::default(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> RepairStats {
        self.stats
    }

    /// Sequence numbers still missing.
    pub fn missing(&self) -> Vec<u16> {
        self.missing.keys().copied().collect()
    }

    /// Host-interface commands to write to the modem, oldest first.
    pub fn take_commands(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.out)
    }

    /// Bytes the modem wrote to the host at `now_ms`.
    pub fn feed(&mut self, bytes: &[u8], now_ms: u64) {
        let mut frames: Vec<Vec<u8>> = Vec::new();
        let mut outcome: Option<bool> = None;
        self.parser.feed(bytes, |ev| {
            if let HostEvent::Message { message, .. } = ev {
                match message {
                    HostMessage::RecvIm(m) => frames.push(m.payload.to_vec()),
                    HostMessage::DeliveredIm { .. } => outcome = Some(true),
                    HostMessage::FailedIm { .. } => outcome = Some(false),
                    _ => {}
                }
            }
        });
        for f in frames {
            self.frame(&f, now_ms);
        }
        if let Some(ok) = outcome {
            self.in_flight = false;
            if !ok {
                self.stats.failed += 1;
                self.next_send_ms = now_ms + self.config.backoff_s * 1000;
            }
        }
    }

    fn frame(&mut self, bytes: &[u8], now_ms: u64) {
        let Ok(frame) = decode_frame(bytes) else {
            return;
        };
        let h = frame.header;
        if h.source != self.node || h.msg_type.is_downlink() {
            return;
        }
        self.last_heard_ms = now_ms;
        self.next_probe_ms = now_ms + self.config.probe_after_s * 1000;
        self.saw(h.seq, now_ms);
        let mut status = None;
        self.reassembler
            .push(&frame, UtcTime::from_unix_millis(now_ms as i64), |ev| {
                if let Event::Message(m) = ev {
                    if let Ok(Message::LineStatus(s)) = Message::decode(m.msg_type, &m.payload) {
                        status = Some(s);
                    }
                }
            });
        if let Some(s) = status {
            // Everything before next_seq was sent: the tail may be missing.
            let last = seq_sub(s.next_seq, 1);
            self.saw_up_to(last, now_ms);
            let oldest = s.ring_oldest_seq;
            let before: Vec<u16> = self
                .missing
                .keys()
                .copied()
                .filter(|&m| {
                    let d = seq_sub(oldest, m);
                    d != 0 && d < 2048
                })
                .collect();
            for m in before {
                self.missing.remove(&m);
                self.stats.given_up += 1;
            }
        }
    }

    /// Marks the numbers between the highest seen and `last` as missing (not `last`).
    fn open_gap(&mut self, last: u16, now_ms: u64) {
        let Some(high) = self.highest else { return };
        let d = seq_sub(last, high);
        if d == 0 || d >= 2048 {
            return;
        }
        let due = now_ms + self.config.min_age_s * 1000;
        for k in 1..d {
            self.missing.entry(seq_add(high, k)).or_insert(due);
        }
    }

    fn saw(&mut self, seq: u16, now_ms: u64) {
        self.missing.remove(&seq);
        match self.highest {
            None => self.highest = Some(seq),
            Some(high) => {
                let d = seq_sub(seq, high);
                if d != 0 && d < 2048 {
                    self.open_gap(seq, now_ms);
                    self.highest = Some(seq);
                }
            }
        }
    }

    fn saw_up_to(&mut self, last: u16, now_ms: u64) {
        let Some(high) = self.highest else { return };
        let d = seq_sub(last, high);
        if d != 0 && d < 2048 {
            self.open_gap(last, now_ms);
            let due = now_ms + self.config.min_age_s * 1000;
            self.missing.entry(last).or_insert(due);
            self.highest = Some(last);
        }
    }

    /// Periodic work at `now_ms`: at most one downlink message in flight.
    pub fn tick(&mut self, now_ms: u64) {
        // An outcome line lost in garbage must not block the repairer for ever.
        if self.in_flight && now_ms > self.in_flight_since_ms + 10 * 60_000 {
            self.in_flight = false;
        }
        if self.in_flight || now_ms < self.next_send_ms || self.highest.is_none() {
            return;
        }
        let due: Vec<u16> = self
            .missing
            .iter()
            .filter(|(_, &t)| t <= now_ms)
            .map(|(&s, _)| s)
            .collect();
        if !due.is_empty() {
            let mut ranges: heapless::Vec<RepeatRange, MAX_REPEAT_RANGES> = heapless::Vec::new();
            let mut asked = Vec::new();
            for s in due {
                if let Some(last) = ranges.last_mut() {
                    if seq_add(last.start, u16::from(last.len)) == s && last.len < 255 {
                        last.len += 1;
                        asked.push(s);
                        continue;
                    }
                }
                if ranges.push(RepeatRange { start: s, len: 1 }).is_err() {
                    break;
                }
                asked.push(s);
            }
            let n = asked.len() as u64;
            // Give the line time to resend everything asked for (~12 s a frame) first.
            let again = now_ms + (self.config.rerequest_s * 1000).max(n * 20_000);
            for s in asked {
                self.missing.insert(s, again);
            }
            self.stats.requests += 1;
            self.stats.seqs_requested += n;
            let req = Message::RepeatRequest(RepeatRequest {
                target: self.node,
                ranges,
            });
            self.send(&req, now_ms);
            return;
        }
        if now_ms >= self.next_probe_ms {
            self.next_probe_ms = now_ms + self.config.probe_after_s * 1000;
            self.stats.probes += 1;
            self.send(
                &Message::StatusRequest(StatusRequest { target: self.node }),
                now_ms,
            );
            return;
        }
        if now_ms >= self.next_ack_ms {
            self.next_ack_ms = now_ms + self.config.ack_interval_s * 1000;
            let through = match self.missing.keys().next() {
                // The gap-free run ends just before the first missing number.
                Some(&first) => seq_sub(first, 1),
                None => self.highest.unwrap_or(0),
            };
            if self.acked_through != Some(through) {
                self.acked_through = Some(through);
                self.stats.acks += 1;
                self.send(
                    &Message::Ack(Ack {
                        target: self.node,
                        through_seq: through,
                    }),
                    now_ms,
                );
            }
        }
    }

    fn send(&mut self, msg: &Message, now_ms: u64) {
        let mut payload = [0u8; 64];
        let Ok(n) = msg.encode(&mut payload) else {
            return;
        };
        let header = Header {
            msg_type: msg.msg_type(),
            ack_wanted: false,
            more_fragments: false,
            source: 0,
            fragment_index: 0,
            seq: self.downlink_seq,
        };
        self.downlink_seq = seq_add(self.downlink_seq, 1);
        let mut frame = [0u8; 64];
        let Ok(len) = encode_frame(&header, &payload[..n], &mut frame) else {
            return;
        };
        let cmd = Command::SendIm {
            pid: None,
            dst: self.line_address,
            flag: ImFlag::Ack,
            payload: &frame[..len],
        };
        let mut out = Vec::new();
        if encode_command(&cmd, CommandEncoding::default(), &mut out).is_ok() {
            self.in_flight = true;
            self.in_flight_since_ms = now_ms;
            self.out.push(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::frame::MessageType;
    use protocol::hostif::{encode_message, ImTiming, LinkQuality, Origin, RecvIm};

    fn recvim_line(frame: &[u8]) -> Vec<u8> {
        let m = HostMessage::RecvIm(RecvIm {
            pid: None,
            src: 2,
            dst: 1,
            flag: ImFlag::Ack,
            timing: ImTiming::Duration {
                duration_us: 500_000,
            },
            link: LinkQuality {
                rssi: -40,
                integrity: 120,
                velocity: 0.0,
            },
            payload: frame,
        });
        let mut v = Vec::new();
        encode_message(Origin::Line, &m, &mut v).unwrap();
        v
    }

    fn uplink(seq: u16) -> Vec<u8> {
        let h = Header {
            msg_type: MessageType::CtdBatch,
            ack_wanted: false,
            more_fragments: false,
            source: 1,
            fragment_index: 0,
            seq,
        };
        let mut out = [0u8; 64];
        let n = encode_frame(&h, &[0, 0, 0, 0, 0, 0], &mut out).unwrap();
        out[..n].to_vec()
    }

    /// The destination and message of one `AT*SENDIM,<len>,<dst>,ack,<frame>` command.
    fn sent(cmd: &[u8]) -> (u8, Message) {
        let mut p: protocol::hostif::CommandParser =
            protocol::hostif::CommandParser::new(Mode::Command);
        let mut got = None;
        p.feed(cmd, |ev| {
            if let protocol::hostif::CommandEvent::Command {
                command: Command::SendIm { dst, payload, .. },
                ..
            } = ev
            {
                let f = decode_frame(payload).unwrap();
                assert_eq!(f.header.source, 0);
                got = Some((dst, Message::decode(f.header.msg_type, f.payload).unwrap()));
            }
        });
        got.unwrap()
    }

    #[test]
    fn asks_for_a_gap_after_min_age_then_paces() {
        let mut r = Repairer::new(RepairConfig::default(), 1, 2);
        for s in [10u16, 11, 15, 16] {
            r.feed(&recvim_line(&uplink(s)), 1000);
        }
        assert_eq!(r.missing(), std::vec![12, 13, 14]);
        // First tick: nothing is due yet, but the gap-free run 10..=11 is acknowledged.
        r.tick(2000);
        let cmds = r.take_commands();
        assert_eq!(cmds.len(), 1);
        assert!(matches!(
            sent(&cmds[0]),
            (
                2,
                Message::Ack(Ack {
                    target: 1,
                    through_seq: 11
                })
            )
        ));
        r.tick(3000);
        assert!(
            r.take_commands().is_empty(),
            "one downlink message at a time"
        );
        r.feed(b"DELIVEREDIM,2\r\n", 4000);
        r.tick(5000);
        assert!(r.take_commands().is_empty(), "gap not old enough yet");
        r.tick(1000 + 15 * 60_000);
        let cmds = r.take_commands();
        assert_eq!(cmds.len(), 1);
        let (dst, msg) = sent(&cmds[0]);
        assert_eq!(dst, 2);
        let Message::RepeatRequest(req) = msg else {
            panic!("{msg:?}")
        };
        assert_eq!(req.seqs().collect::<Vec<_>>(), std::vec![12, 13, 14]);
        // One in flight: nothing more until its outcome.
        r.tick(1000 + 5 * 60_000 + 15 * 60_000);
        assert!(r.take_commands().is_empty());
        r.feed(b"DELIVEREDIM,2\r\n", 1000 + 21 * 60_000);
        r.feed(&recvim_line(&uplink(13)), 1000 + 22 * 60_000);
        assert_eq!(r.missing(), std::vec![12, 14]);
        // 12 and 14 are not asked for again before rerequest_s (45 min) has passed.
        r.tick(1000 + 30 * 60_000);
        assert!(r.take_commands().is_empty());
        r.tick(1000 + 61 * 60_000);
        let (_, msg) = sent(&r.take_commands()[0]);
        let Message::RepeatRequest(req) = msg else {
            panic!("{msg:?}")
        };
        assert_eq!(req.seqs().collect::<Vec<_>>(), std::vec![12, 14]);
    }
}
