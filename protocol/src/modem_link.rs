//! The shore side of an acoustic modem link, sans-IO: host-interface bytes and the time in,
//! decoded messages and downlink bytes out.
//!
//! [`ModemLink`] chains [`HostParser`] → [`decode_frame`] → [`Reassembler`] →
//! [`Message::decode`] for every received instant message (`RECVIM`, any firmware
//! layout) or burst (`RECV`), feeds every CRC-valid frame to the [`Repair`] planner, and
//! produces the downlink: selective-repeat requests as `AT*SENDIM,…,ack,<frame>` commands,
//! one at a time (the next only after the modem's `DELIVEREDIM`/`FAILEDIM`, or a timeout).
//!
//! Usage: call [`ModemLink::feed`] with each read, [`ModemLink::handle_time`] at
//! [`ModemLink::next_deadline`], and after either, drain [`ModemLink::poll_transmit`] to
//! the modem. Nothing here reads a clock or does I/O.

use crate::frame::{decode_frame, seq_add, FrameError, Header, MessageType};
use crate::hostif::{
    encode_command_to_slice, Command, CommandEncoding, HostEvent, HostParseError, HostParser,
    ImFlag, LinkQuality, Message as HostMessage, Mode,
};
use crate::message::{LineStatus, Message, MessageError, RepeatRequest};
use crate::reassembly::{Event, Reassembler, ReassemblerConfig};
use crate::repair::{Repair, RepairConfig};
use crate::time::UtcTime;

/// Largest downlink command: `AT*SENDIM,64,255,ack,` + 64 bytes + line end.
pub const MAX_DOWNLINK: usize = 96;
/// Our own node id in downlink frame headers.
pub const GATEWAY_SOURCE: u8 = 0;

/// Settings of a [`ModemLink`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModemLinkConfig {
    /// Reassembly limits.
    pub reassembly: ReassemblerConfig,
    /// Repair timing.
    pub repair: RepairConfig,
    /// Send selective-repeat requests at all (off for a read-only tap or a replay).
    pub downlink: bool,
    /// How host commands are framed (line ending, `+++` data-mode framing).
    pub command_encoding: CommandEncoding,
    /// How unframed modem output is read.
    pub mode: Mode,
    /// Give up waiting for the modem's delivery report after this long (ms).
    pub delivery_timeout_ms: i64,
}

impl Default for ModemLinkConfig {
    fn default() -> Self {
        ModemLinkConfig {
            reassembly: ReassemblerConfig::default(),
            repair: RepairConfig::default(),
            downlink: true,
            command_encoding: CommandEncoding::default(),
            mode: Mode::Command,
            delivery_timeout_ms: 120_000,
        }
    }
}

/// What the link reports.
// Variants are stored inline on purpose: the crate works without a heap.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum LinkEvent {
    /// A complete, decoded message.
    Message {
        /// Sending node.
        source: u8,
        /// Sequence number of its first frame.
        seq: u16,
        /// Frames it arrived in.
        frames: u8,
        /// When its first frame arrived.
        received: UtcTime,
        /// Modem address it came from (`RECVIM` src).
        modem_address: u8,
        /// Signal quality of the frame that completed it.
        quality: LinkQuality,
        /// The message.
        message: Message,
    },
    /// A modem message carried bytes that are not a valid frame.
    BadFrame {
        /// Why.
        error: FrameError,
        /// Its length.
        len: usize,
    },
    /// A reassembled payload did not decode.
    BadMessage {
        /// Sending node.
        source: u8,
        /// Message sequence number.
        seq: u16,
        /// Why.
        error: MessageError,
    },
    /// Reassembly bookkeeping: duplicate, timeout, eviction, inconsistent fragment.
    Reassembly(Event),
    /// Host-interface bytes skipped.
    Garbage {
        /// Count.
        bytes: usize,
        /// Why.
        error: HostParseError,
    },
    /// The modem said `BUSY` or `ERROR`.
    ModemError {
        /// `true` for `BUSY`, `false` for `ERROR`.
        busy: bool,
    },
    /// Missing frames given up: the controller no longer holds them.
    Lost {
        /// Sending node.
        source: u8,
        /// How many frames.
        frames: u64,
    },
    /// A selective-repeat request was handed to the modem.
    RepeatRequested {
        /// The request.
        request: RepeatRequest,
    },
}

/// Counters since creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkStats {
    /// Modem messages carrying a payload.
    pub payloads: u64,
    /// Of those, valid frames.
    pub frames: u64,
    /// Of those, invalid frames.
    pub bad_frames: u64,
    /// Messages decoded.
    pub messages: u64,
    /// Reassembled payloads that did not decode.
    pub bad_messages: u64,
    /// Downlink commands produced.
    pub downlink_commands: u64,
}

/// The state machine of one acoustic modem link.
#[derive(Debug, Clone)]
pub struct ModemLink {
    config: ModemLinkConfig,
    parser: HostParser,
    reassembler: Reassembler<32>,
    repair: Repair,
    addresses: [Option<u8>; 16],
    awaiting_report_since: Option<i64>,
    downlink_seq: u16,
    out: heapless::Vec<u8, MAX_DOWNLINK>,
    out_pending: bool,
    stats: LinkStats,
}

impl ModemLink {
    /// A link in the given configuration.
    pub fn new(config: ModemLinkConfig) -> Self {
        ModemLink {
            config,
            parser: HostParser::new(config.mode),
            reassembler: Reassembler::new(config.reassembly),
            repair: Repair::new(config.repair),
            addresses: [None; 16],
            awaiting_report_since: None,
            downlink_seq: 0,
            out: heapless::Vec::new(),
            out_pending: false,
            stats: LinkStats::default(),
        }
    }

    /// Counters since creation.
    pub fn stats(&self) -> LinkStats {
        self.stats
    }

    /// The repair planner (its counters and per-source state).
    pub fn repair(&self) -> &Repair {
        &self.repair
    }

    /// The reassembler (its counters).
    pub fn reassembler(&self) -> &Reassembler<32> {
        &self.reassembler
    }

    /// Host-interface parser counters.
    pub fn host_stats(&self) -> crate::hostif::HostStats {
        self.parser.stats()
    }

    /// Resumes gap tracking of `source` after `seq` (e.g. from state kept across a restart).
    pub fn resume_after(&mut self, source: u8, seq: u16) {
        self.repair.resume_after(source, seq);
    }

    /// The highest sequence number seen from each source that sent anything: what to keep
    /// across a restart so that frames missed while the gateway was down are asked for.
    pub fn highest_seqs(&self) -> impl Iterator<Item = (u8, u16)> + '_ {
        (0..16u8).filter_map(|s| self.repair.highest(s).map(|h| (s, h)))
    }

    /// Frames a restart must ask for again, as (source, first seq, count): the runs still
    /// missing, and the fragments held in incomplete messages (lost with the process).
    pub fn missing_runs(&self) -> impl Iterator<Item = (u8, u16, u16)> + '_ {
        let gaps = (0..16u8).flat_map(move |s| self.repair.gaps(s).map(move |(a, n)| (s, a, n)));
        gaps.chain(self.reassembler.held_frames().map(|(s, q)| (s, q, 1)))
    }

    /// Restores what [`ModemLink::missing_runs`] listed before a restart.
    pub fn restore_missing(&mut self, source: u8, start: u16, len: u16, now: UtcTime) {
        self.repair.add_missing(source, start, len, now);
    }

    /// Feeds bytes read from the modem at `now`; events go to `emit`.
    pub fn feed(&mut self, bytes: &[u8], now: UtcTime, mut emit: impl FnMut(LinkEvent)) {
        let mut rest = bytes;
        while !rest.is_empty() {
            let taken = self.parser.push(rest);
            rest = &rest[taken..];
            while let Some(ev) = self.parser.poll() {
                Self::on_host_event(
                    ev,
                    now,
                    &mut self.reassembler,
                    &mut self.repair,
                    &mut self.addresses,
                    &mut self.awaiting_report_since,
                    &mut self.stats,
                    &mut emit,
                );
            }
            if taken == 0 && !rest.is_empty() {
                // the parser could take nothing and produced no event: impossible for a
                // parser that always makes progress, but never spin on it
                break;
            }
        }
        self.handle_time(now, emit);
    }

    #[allow(clippy::too_many_arguments)]
    fn on_host_event(
        ev: HostEvent<'_>,
        now: UtcTime,
        reassembler: &mut Reassembler<32>,
        repair: &mut Repair,
        addresses: &mut [Option<u8>; 16],
        awaiting: &mut Option<i64>,
        stats: &mut LinkStats,
        emit: &mut impl FnMut(LinkEvent),
    ) {
        let (payload, src, quality) = match ev {
            HostEvent::Message { message, .. } => match message {
                HostMessage::RecvIm(m) => (m.payload, m.src, m.link),
                HostMessage::RecvIms(m) => (m.payload, m.src, m.link),
                HostMessage::RecvPbm(m) => (m.payload, m.src, m.link),
                HostMessage::Recv(m) => (m.payload, m.src, m.link),
                HostMessage::DeliveredIm { .. } | HostMessage::FailedIm { .. }
                    if awaiting.is_some() =>
                {
                    *awaiting = None;
                    repair.on_request_outcome(
                        matches!(message, HostMessage::DeliveredIm { .. }),
                        now,
                    );
                    return;
                }
                HostMessage::Busy { .. } | HostMessage::Error { .. } => {
                    if awaiting.is_some() {
                        // the modem refused our command: count it as a failed delivery
                        *awaiting = None;
                        repair.on_request_outcome(false, now);
                    }
                    return emit(LinkEvent::ModemError {
                        busy: matches!(message, HostMessage::Busy { .. }),
                    });
                }
                _ => return,
            },
            HostEvent::RawData(_) => return,
            HostEvent::Garbage { bytes, error } => {
                return emit(LinkEvent::Garbage { bytes, error })
            }
        };
        stats.payloads += 1;
        let frame = match decode_frame(payload) {
            Ok(f) => f,
            Err(error) => {
                stats.bad_frames += 1;
                return emit(LinkEvent::BadFrame {
                    error,
                    len: payload.len(),
                });
            }
        };
        stats.frames += 1;
        let source = frame.header.source;
        if frame.header.msg_type.is_downlink() {
            // our own kind of traffic (another gateway, or an echo): not for us to reassemble
            return;
        }
        if let Some(a) = addresses.get_mut(usize::from(source)) {
            *a = Some(src);
        }
        repair.on_frame(source, frame.header.seq, now);
        reassembler.push(&frame, now, |e| match e {
            Event::Message(a) => match Message::decode(a.msg_type, &a.payload) {
                Ok(message) => {
                    stats.messages += 1;
                    if let Message::LineStatus(LineStatus {
                        ring_oldest_seq, ..
                    }) = &message
                    {
                        let frames = repair.on_ring_oldest(a.source, *ring_oldest_seq);
                        if frames > 0 {
                            emit(LinkEvent::Lost {
                                source: a.source,
                                frames,
                            });
                        }
                    }
                    emit(LinkEvent::Message {
                        source: a.source,
                        seq: a.seq,
                        frames: a.frames,
                        received: a.first_seen,
                        modem_address: src,
                        quality,
                        message,
                    })
                }
                Err(error) => {
                    stats.bad_messages += 1;
                    emit(LinkEvent::BadMessage {
                        source: a.source,
                        seq: a.seq,
                        error,
                    })
                }
            },
            other => emit(LinkEvent::Reassembly(other)),
        });
    }

    /// Runs timers due at `now`: reassembly timeouts, delivery-report timeouts, repair.
    pub fn handle_time(&mut self, now: UtcTime, mut emit: impl FnMut(LinkEvent)) {
        while let Some(e) = self.reassembler.poll_timeout(now) {
            emit(LinkEvent::Reassembly(e));
        }
        if let Some(since) = self.awaiting_report_since {
            if now.0 - since >= self.config.delivery_timeout_ms {
                self.awaiting_report_since = None;
                self.repair.on_request_outcome(false, now);
            }
        }
        if !self.config.downlink || self.out_pending || self.awaiting_report_since.is_some() {
            return;
        }
        let Some(request) = self.repair.poll_request(now) else {
            return;
        };
        let Some(dst) = self
            .addresses
            .get(usize::from(request.target))
            .copied()
            .flatten()
        else {
            return;
        };
        if self
            .encode_downlink(&Message::RepeatRequest(request.clone()), dst)
            .is_ok()
        {
            self.awaiting_report_since = Some(now.0);
            emit(LinkEvent::RepeatRequested { request });
        }
    }

    fn encode_downlink(&mut self, message: &Message, dst: u8) -> Result<(), ()> {
        let mut payload = [0u8; 64];
        let n = message.encode(&mut payload).map_err(|_| ())?;
        let header = Header {
            msg_type: message.msg_type(),
            ack_wanted: false,
            more_fragments: false,
            source: GATEWAY_SOURCE,
            fragment_index: 0,
            seq: self.downlink_seq,
        };
        let mut frame = [0u8; 64];
        let len = crate::frame::encode_frame(&header, &payload[..n], &mut frame).map_err(|_| ())?;
        let cmd = Command::SendIm {
            pid: None,
            dst,
            flag: ImFlag::Ack,
            payload: &frame[..len],
        };
        let mut out = [0u8; MAX_DOWNLINK];
        let m = encode_command_to_slice(&cmd, self.config.command_encoding, &mut out)
            .map_err(|_| ())?;
        self.out.clear();
        // MAX_DOWNLINK holds the longest command for a 64-byte frame
        self.out.extend_from_slice(&out[..m]).map_err(|_| ())?;
        self.out_pending = true;
        self.downlink_seq = seq_add(self.downlink_seq, 1);
        self.stats.downlink_commands += 1;
        Ok(())
    }

    /// Bytes to write to the modem now, if any (each returned once).
    pub fn poll_transmit(&mut self) -> Option<&[u8]> {
        if !self.out_pending {
            return None;
        }
        self.out_pending = false;
        Some(&self.out)
    }

    /// When [`ModemLink::handle_time`] should next run.
    pub fn next_deadline(&self) -> Option<UtcTime> {
        let report = self
            .awaiting_report_since
            .map(|t| UtcTime(t + self.config.delivery_timeout_ms));
        let repair = if self.config.downlink {
            self.repair.next_deadline()
        } else {
            None
        };
        [self.reassembler.next_deadline(), report, repair]
            .into_iter()
            .flatten()
            .min()
    }

    /// Message type codes this link delivers upward (not the downlink ones).
    pub fn is_uplink(t: MessageType) -> bool {
        !t.is_downlink()
    }
}

#[cfg(test)]
mod tests;
