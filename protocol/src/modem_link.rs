//! The shore side of an acoustic modem link, sans-IO: host-interface bytes and the time in,
//! decoded messages and downlink bytes out.
//!
//! [`ModemLink`] chains [`HostParser`] → [`decode_frame`] → [`Reassembler`] →
//! [`Message::decode`] for every received instant message (`RECVIM`, any firmware
//! layout) or burst (`RECV`), feeds every CRC-valid frame to the [`Repair`] planner, and
//! produces the downlink as `AT*SENDIM,…,ack,<frame>` commands, one at a time (the next
//! only after the modem's `DELIVEREDIM`/`FAILEDIM`, or a timeout): selective-repeat requests
//! first, then the [`Feedback`] planner's status probes of a quiet line and acknowledgements
//! of the gap-free run (without which the controller counts every frame its ring buffer
//! overwrites as lost).
//!
//! Usage: call [`ModemLink::feed`] with each read, [`ModemLink::handle_time`] at
//! [`ModemLink::next_deadline`], and after either, drain [`ModemLink::poll_transmit`] to
//! the modem. Nothing here reads a clock or does I/O.
//!
//! **The host clock may jump.** The times handed in are the host's wall clock, which NTP,
//! an operator or a reset RTC can set back or forward. The link keeps its own timeline
//! ([`LinkClock`]): a step forward is time that passed (timers fall due, as after a long
//! gap in a replay), a step back is no time at all, so a timer set before it neither fires
//! early nor waits for the host clock to catch up again (which, after a year set back,
//! would silence repair and acknowledgements for that year). [`ModemLink::next_deadline`]
//! answers on the host's clock.

use crate::feedback::{Feedback, FeedbackConfig};
use crate::frame::{decode_frame, seq_add, seq_sub, FrameError, Header, MessageType};
use crate::hostif::{
    encode_command_to_slice, Command, CommandEncoding, HostEvent, HostParseError, HostParser,
    ImFlag, LinkQuality, Message as HostMessage, Mode,
};
use crate::message::{Ack, LineStatus, Message, MessageError, RepeatRequest};
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
    /// Acknowledgement and status-probe timing.
    pub feedback: FeedbackConfig,
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
            feedback: FeedbackConfig::default(),
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
    /// An acknowledgement of the gap-free run was handed to the modem.
    Acknowledged {
        /// The acknowledgement.
        ack: Ack,
    },
    /// A quiet source was asked for its line status.
    StatusRequested {
        /// The node asked.
        source: u8,
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

/// What the downlink message awaiting the modem's delivery report was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InFlight {
    /// A selective-repeat request (its outcome paces the repair planner).
    Repeat,
    /// An acknowledgement (delivered: the controller knows the run is on shore).
    Ack(Ack),
    /// A status request.
    Probe,
}

/// Everything of a [`ModemLink`] but its host-interface parser, so that an event borrowed
/// from the parser can be handled with the rest mutable.
#[derive(Debug, Clone)]
struct Shore {
    config: ModemLinkConfig,
    reassembler: Reassembler<32>,
    repair: Repair,
    feedback: Feedback,
    addresses: [Option<u8>; 16],
    in_flight: Option<(i64, InFlight)>,
    downlink_seq: u16,
    out: heapless::Vec<u8, MAX_DOWNLINK>,
    out_pending: bool,
    stats: LinkStats,
}

/// The state machine of one acoustic modem link.
#[derive(Debug, Clone)]
pub struct ModemLink {
    parser: HostParser,
    shore: Shore,
    clock: LinkClock,
}

/// The link's own timeline: the host times handed in, with every step back removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkClock {
    /// The latest host time seen, ms.
    last_host: Option<i64>,
    /// Link time minus host time, ms: the sum of the steps back so far.
    skew: i64,
}

impl LinkClock {
    /// The link time of host time `now` (and `now` becomes the latest host time).
    pub fn link_time(&mut self, now: UtcTime) -> UtcTime {
        if let Some(last) = self.last_host {
            if now.0 < last {
                self.skew = self.skew.saturating_add(last.saturating_sub(now.0));
            }
        }
        self.last_host = Some(now.0);
        UtcTime(now.0.saturating_add(self.skew))
    }

    /// The host time of link time `t`, as of the latest host time seen.
    pub fn host_time(&self, t: UtcTime) -> UtcTime {
        UtcTime(t.0.saturating_sub(self.skew))
    }

    /// The sum of the host clock's steps back so far, ms.
    pub fn steps_back_ms(&self) -> i64 {
        self.skew
    }
}

impl ModemLink {
    /// A link in the given configuration.
    pub fn new(config: ModemLinkConfig) -> Self {
        ModemLink {
            parser: HostParser::new(config.mode),
            shore: Shore {
                config,
                reassembler: Reassembler::new(config.reassembly),
                repair: Repair::new(config.repair),
                feedback: Feedback::new(config.feedback),
                addresses: [None; 16],
                in_flight: None,
                downlink_seq: 0,
                out: heapless::Vec::new(),
                out_pending: false,
                stats: LinkStats::default(),
            },
            clock: LinkClock::default(),
        }
    }

    /// The link's timeline against the host clock.
    pub fn clock(&self) -> LinkClock {
        self.clock
    }

    /// Counters since creation.
    pub fn stats(&self) -> LinkStats {
        self.shore.stats
    }

    /// The repair planner (its counters and per-source state).
    pub fn repair(&self) -> &Repair {
        &self.shore.repair
    }

    /// The acknowledgement and probe planner (its counters).
    pub fn feedback(&self) -> &Feedback {
        &self.shore.feedback
    }

    /// The reassembler (its counters).
    pub fn reassembler(&self) -> &Reassembler<32> {
        &self.shore.reassembler
    }

    /// Host-interface parser counters.
    pub fn host_stats(&self) -> crate::hostif::HostStats {
        self.parser.stats()
    }

    /// Resumes gap tracking of `source` after `seq` (e.g. from state kept across a restart).
    pub fn resume_after(&mut self, source: u8, seq: u16) {
        self.shore.repair.resume_after(source, seq);
    }

    /// The highest sequence number seen from each source that sent anything: what to keep
    /// across a restart so that frames missed while the gateway was down are asked for.
    pub fn highest_seqs(&self) -> impl Iterator<Item = (u8, u16)> + '_ {
        let repair = &self.shore.repair;
        (0..16u8).filter_map(|s| repair.highest(s).map(|h| (s, h)))
    }

    /// Frames a restart must ask for again, as (source, first seq, count): the runs still
    /// missing, and the fragments held in incomplete messages (lost with the process).
    pub fn missing_runs(&self) -> impl Iterator<Item = (u8, u16, u16)> + '_ {
        let Shore {
            repair,
            reassembler,
            ..
        } = &self.shore;
        let gaps = (0..16u8).flat_map(move |s| repair.gaps(s).map(move |(a, n)| (s, a, n)));
        gaps.chain(reassembler.held_frames().map(|(s, q)| (s, q, 1)))
    }

    /// The last sequence number of `source`'s gap-free run: every frame up to it has
    /// arrived and is in a decoded message (frames still missing or held in an incomplete
    /// message end the run). `None` before anything arrived.
    pub fn gap_free_through(&self, source: u8) -> Option<u16> {
        gap_free_through(&self.shore.repair, &self.shore.reassembler, source)
    }

    /// Restores what [`ModemLink::missing_runs`] listed before a restart.
    pub fn restore_missing(&mut self, source: u8, start: u16, len: u16, now: UtcTime) {
        let now = self.clock.link_time(now);
        self.shore.repair.add_missing(source, start, len, now);
    }

    /// Feeds bytes read from the modem at `now`; events go to `emit`.
    pub fn feed(&mut self, bytes: &[u8], now: UtcTime, mut emit: impl FnMut(LinkEvent)) {
        let host_now = now;
        let now = self.clock.link_time(now);
        // events say when on the host's clock
        let clock = self.clock;
        let mut emit = move |mut e: LinkEvent| {
            if let LinkEvent::Message { received, .. } = &mut e {
                *received = clock.host_time(*received);
            }
            emit(e)
        };
        let mut rest = bytes;
        while !rest.is_empty() {
            let taken = self.parser.push(rest);
            rest = &rest[taken..];
            while let Some(ev) = self.parser.poll() {
                self.shore.on_host_event(ev, now, &mut emit);
            }
            if taken == 0 && !rest.is_empty() {
                // the parser could take nothing and produced no event: impossible for a
                // parser that always makes progress, but never spin on it
                break;
            }
        }
        self.handle_time(host_now, emit);
    }

    /// Runs timers due at `now`: reassembly timeouts, delivery-report timeouts, and the
    /// next downlink message (repeat request, else status probe, else acknowledgement).
    pub fn handle_time(&mut self, now: UtcTime, emit: impl FnMut(LinkEvent)) {
        let now = self.clock.link_time(now);
        self.shore.handle_time(now, emit);
    }

    /// Bytes to write to the modem now, if any (each returned once).
    pub fn poll_transmit(&mut self) -> Option<&[u8]> {
        let shore = &mut self.shore;
        if !shore.out_pending {
            return None;
        }
        shore.out_pending = false;
        Some(&shore.out)
    }

    /// When [`ModemLink::handle_time`] should next run. While a downlink message awaits
    /// its delivery report (or the caller has not taken it), only the report's timeout and
    /// reassembly timeouts count: nothing else can be sent before.
    pub fn next_deadline(&self) -> Option<UtcTime> {
        let s = &self.shore;
        let report = s
            .in_flight
            .map(|(t, _)| UtcTime(t + s.config.delivery_timeout_ms));
        let downlink = if s.config.downlink && !s.out_pending && s.in_flight.is_none() {
            [s.repair.next_deadline(), s.feedback.next_deadline()]
                .into_iter()
                .flatten()
                .min()
        } else {
            None
        };
        [s.reassembler.next_deadline(), report, downlink]
            .into_iter()
            .flatten()
            .min()
            .map(|t| self.clock.host_time(t))
    }

    /// Message type codes this link delivers upward (not the downlink ones).
    pub fn is_uplink(t: MessageType) -> bool {
        !t.is_downlink()
    }
}

/// The last sequence number of `source`'s gap-free run (see
/// [`ModemLink::gap_free_through`]).
fn gap_free_through(repair: &Repair, reassembler: &Reassembler<32>, source: u8) -> Option<u16> {
    let high = repair.highest(source)?;
    // the missing or held frame furthest back from `high` ends the run
    let held = reassembler.held_frames().filter(|&(s, _)| s == source);
    let back = repair
        .gaps(source)
        .map(|(start, _)| start)
        .chain(held.map(|(_, q)| q))
        .map(|q| seq_sub(high, q))
        .max();
    Some(match back {
        Some(b) => seq_sub(high, b.saturating_add(1)),
        None => high,
    })
}

impl Shore {
    /// The modem's report on the downlink message in flight.
    fn on_outcome(&mut self, delivered: bool, now: UtcTime) {
        match self.in_flight.take() {
            Some((_, InFlight::Repeat)) => self.repair.on_request_outcome(delivered, now),
            Some((_, InFlight::Ack(a))) => self.feedback.on_outcome(&Message::Ack(a), delivered),
            Some((_, InFlight::Probe)) | None => {}
        }
    }

    fn on_host_event(&mut self, ev: HostEvent<'_>, now: UtcTime, emit: &mut impl FnMut(LinkEvent)) {
        let (payload, src, quality) = match ev {
            HostEvent::Message { message, .. } => match message {
                HostMessage::RecvIm(m) => (m.payload, m.src, m.link),
                HostMessage::RecvIms(m) => (m.payload, m.src, m.link),
                HostMessage::RecvPbm(m) => (m.payload, m.src, m.link),
                HostMessage::Recv(m) => (m.payload, m.src, m.link),
                HostMessage::DeliveredIm { .. } | HostMessage::FailedIm { .. }
                    if self.in_flight.is_some() =>
                {
                    let delivered = matches!(message, HostMessage::DeliveredIm { .. });
                    return self.on_outcome(delivered, now);
                }
                HostMessage::Busy { .. } | HostMessage::Error { .. } => {
                    // the modem refused our command: count it as a failed delivery
                    self.on_outcome(false, now);
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
        self.stats.payloads += 1;
        let frame = match decode_frame(payload) {
            Ok(f) => f,
            Err(error) => {
                self.stats.bad_frames += 1;
                return emit(LinkEvent::BadFrame {
                    error,
                    len: payload.len(),
                });
            }
        };
        self.stats.frames += 1;
        let source = frame.header.source;
        if frame.header.msg_type.is_downlink() {
            // our own kind of traffic (another gateway, or an echo): not for us to reassemble
            return;
        }
        if let Some(a) = self.addresses.get_mut(usize::from(source)) {
            *a = Some(src);
        }
        self.repair.on_frame(source, frame.header.seq, now);
        self.feedback.on_frame(source, now);
        let Shore {
            reassembler,
            repair,
            stats,
            ..
        } = self;
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

    fn handle_time(&mut self, now: UtcTime, mut emit: impl FnMut(LinkEvent)) {
        while let Some(e) = self.reassembler.poll_timeout(now) {
            emit(LinkEvent::Reassembly(e));
        }
        if let Some((since, _)) = self.in_flight {
            if now.0 - since >= self.config.delivery_timeout_ms {
                self.on_outcome(false, now);
            }
        }
        if !self.config.downlink || self.out_pending || self.in_flight.is_some() {
            return;
        }
        if let Some(request) = self.repair.poll_request(now) {
            let target = request.target;
            let message = Message::RepeatRequest(request.clone());
            if self.send(&message, target, InFlight::Repeat, now) {
                emit(LinkEvent::RepeatRequested { request });
            }
            return;
        }
        let (repair, reassembler) = (&self.repair, &self.reassembler);
        let polled = self
            .feedback
            .poll(now, |s| gap_free_through(repair, reassembler, s));
        let Some(message) = polled else {
            return;
        };
        let (target, what, event) = match message {
            Message::Ack(ack) => (
                ack.target,
                InFlight::Ack(ack),
                LinkEvent::Acknowledged { ack },
            ),
            Message::StatusRequest(r) => (
                r.target,
                InFlight::Probe,
                LinkEvent::StatusRequested { source: r.target },
            ),
            // the planner returns nothing else
            _ => return,
        };
        if self.send(&message, target, what, now) {
            emit(event);
        }
    }

    /// Encodes `message` for `target` (to the modem address its frames came from) and
    /// marks it in flight; `false` when the target's address is unknown or it does not
    /// encode.
    fn send(&mut self, message: &Message, target: u8, what: InFlight, now: UtcTime) -> bool {
        let Some(dst) = self.addresses.get(usize::from(target)).copied().flatten() else {
            return false;
        };
        if self.encode_downlink(message, dst).is_err() {
            return false;
        }
        self.in_flight = Some((now.0, what));
        true
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
}

#[cfg(test)]
mod tests;
