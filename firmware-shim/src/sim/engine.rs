//! The discrete-event simulation: instruments, controller, two modems and the channel on
//! one simulated clock (milliseconds since the Unix epoch).
//!
//! Sans-IO like the rest: the driver (record mode, TCP/pty server) hands in the host's bytes
//! with [`Simulation::host_input`], advances the clock with [`Simulation::run_until`], and
//! takes what the MII modem sent to its host with [`Simulation::take_host_output`] and the
//! ground truth with [`Simulation::take_truth`]. The same seed and the same host input at the
//! same times give the same bytes.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::string::String;
use std::vec::Vec;

use protocol::hostif::{Command, CommandEvent, CommandParser, Message, Mode};

use super::aquadopp::{Aquadopp, AquadoppSpec};
use super::battery::Battery;
use super::channel::{Channel, ChannelConfig, ChannelStats, Crossing};
use super::faults::{FaultConfig, Faults};
use super::instruments::{InstrumentSpec, Line, ValueSource};
use super::modem::{encode_for_host, recvim, HostFraming, ModemTx, QueuedIm, MAX_QUEUE};
use super::repair::Repairer;
use super::truth::{AquadoppPath, Truth};
use crate::controller::{Controller, ControllerConfig, InstrumentSlot, Output};
use protocol::modem_link::ModemLinkConfig;

/// Frames the simulated controller's ring buffer holds: as many as the real controller's
/// (`ALBATROSS_RING_FRAMES` of the C ABI), about 2.5 days of 30-min polls of 8 MicroCATs.
pub const RING: usize = 256;

/// Seconds the simulated Aquadopp averages before it sends a record.
pub const AQUADOPP_AVERAGING_S: u32 = 60;

/// Everything that defines a scenario.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seed of every random draw (channel, instruments, faults).
    pub seed: u64,
    /// Scenario start, Unix milliseconds (the controller's clock starts here).
    pub start_ms: u64,
    /// The MicroCATs on the line.
    pub instruments: Vec<InstrumentSpec>,
    /// Where their values come from.
    pub source: ValueSource,
    /// The channel.
    pub channel: ChannelConfig,
    /// Node id of the controller in frame headers.
    pub node: u8,
    /// Modem address of the MII (gateway-side) modem.
    pub gateway_address: u8,
    /// Modem address of the line's modem.
    pub line_address: u8,
    /// Modem IM retry count (`AT!RI`): resends of an unacknowledged IM.
    pub modem_retries: u8,
    /// Seconds between polls of the line.
    pub poll_interval_s: u32,
    /// Seconds between line status messages.
    pub status_interval_s: u32,
    /// Largest frame, bytes.
    pub mtu: usize,
    /// Framing of the MII modem's host interface.
    pub framing: HostFraming,
    /// Host-interface faults injected into the MII modem's output.
    pub faults: FaultConfig,
    /// Built-in shore side of the link (the gateway's selective repeat, status probes and
    /// acknowledgements), if wanted.
    pub repair: Option<ModemLinkConfig>,
    /// Instruments stop answering after this Unix time (seconds), if set.
    pub sample_until_s: Option<u32>,
    /// The controller's battery (what its line status messages report).
    pub battery: Battery,
    /// An Aquadopp streaming to the controller's serial input, if on the line (off by
    /// default: the recorded captures were made without it).
    pub aquadopp: Option<AquadoppSpec>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            start_ms: 1_772_323_200_000, // 2026-03-01T00:00:00Z
            instruments: super::instruments::albatross_line(),
            source: ValueSource::Generated,
            channel: ChannelConfig::default(),
            node: 1,
            gateway_address: 1,
            line_address: 2,
            modem_retries: 2,
            poll_interval_s: 1800,
            status_interval_s: 6 * 3600,
            mtu: 64,
            framing: HostFraming::Line,
            faults: FaultConfig::default(),
            repair: None,
            sample_until_s: None,
            battery: Battery::default(),
            aquadopp: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    /// The line controller's modem (uplink sender).
    Line,
    /// The MII modem (downlink sender, host = gateway).
    Mii,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    ControllerWake,
    /// The head IM of `Side`'s queue goes on the air.
    Attempt(Side),
    /// A copy of a frame sent by `from` reaches the other modem.
    Arrive {
        from: Side,
        bytes: Vec<u8>,
        corrupted: bool,
        duration_us: u32,
    },
    /// The head IM of `Side`'s queue is finished.
    Outcome {
        side: Side,
        delivered: bool,
    },
    /// Periodic work of the repairer.
    RepairTick,
    /// A spontaneous host-interface fault.
    Fault,
    /// The Aquadopp sends the record of the measurement that started at `time_s`.
    AquadoppRecord {
        time_s: u32,
    },
}

/// Counters of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SimStats {
    /// Uplink frames handed to the line modem by the controller.
    pub uplink_sends: u64,
    /// Frame copies delivered to the host (`RECVIM`), duplicates included.
    pub uplink_received: u64,
    /// Downlink IMs the host sent (`AT*SENDIM`).
    pub downlink_sends: u64,
    /// Downlink frame copies delivered to the controller.
    pub downlink_received: u64,
    /// `DELIVEREDIM` / `FAILEDIM` reported to the controller.
    pub line_delivered: u64,
    /// `FAILEDIM` reported to the controller.
    pub line_failed: u64,
    /// Bytes written to the host.
    pub host_bytes: u64,
}

/// The whole simulated system.
pub struct Simulation {
    config: SimConfig,
    now_ms: u64,
    queue: BinaryHeap<Reverse<(u64, u64, Ev)>>,
    next_id: u64,
    controller: Controller<RING>,
    wake_at: Option<u64>,
    line: Line,
    channel: Channel,
    line_tx: ModemTx,
    mii_tx: ModemTx,
    line_cmds: CommandParser,
    host_cmds: CommandParser,
    host_out: Vec<(u64, Vec<u8>)>,
    host_sent: Vec<(u64, Vec<u8>)>,
    faults: Faults,
    repairer: Option<Repairer>,
    truth: Vec<Truth>,
    aquadopp: Option<Aquadopp>,
    stats: SimStats,
    framing: HostFraming,
}

impl Simulation {
    /// Builds the system at `config.start_ms`.
    pub fn new(config: SimConfig) -> Self {
        let start_s = (config.start_ms / 1000) as u32;
        let mut slots = heapless::Vec::new();
        for s in &config.instruments {
            let slot = InstrumentSlot {
                slot: s.slot,
                im_id: s.im_id,
                kind: s.kind,
                serial: s.serial,
                nominal_depth_m: s.depth_m,
            };
            // More than 16 instruments cannot be configured: the extra ones are left out.
            let _ = slots.push(slot);
        }
        if let Some(a) = &config.aquadopp {
            let _ = slots.push(InstrumentSlot {
                slot: a.slot,
                im_id: 0,
                kind: protocol::message::InstrumentKind::Aquadopp,
                serial: a.serial,
                nominal_depth_m: a.depth_m,
            });
        }
        let cc = ControllerConfig {
            source: config.node,
            gateway_address: config.gateway_address,
            mtu: config.mtu,
            poll_interval_s: config.poll_interval_s,
            status_interval_s: config.status_interval_s,
            instruments: slots,
            start_battery_mv: config.battery.mv(&crate::controller::Counters::default()),
            ..ControllerConfig::default()
        };
        let mut line = Line::new(config.instruments.clone(), config.source, config.seed);
        line.set_silent_after(config.sample_until_s);
        let channel = Channel::new(config.channel.clone(), config.seed);
        let faults = Faults::new(config.faults.clone(), config.seed);
        let repairer = config.repair.map(|r| Repairer::new(r, config.node));
        let framing = config.framing;
        let aquadopp = config
            .aquadopp
            .clone()
            .map(|a| Aquadopp::new(a, config.seed));
        let mut sim = Simulation {
            now_ms: config.start_ms,
            queue: BinaryHeap::new(),
            next_id: 0,
            controller: Controller::new(cc, start_s),
            wake_at: None,
            line,
            channel,
            line_tx: ModemTx::default(),
            mii_tx: ModemTx::default(),
            line_cmds: CommandParser::new(Mode::Command),
            host_cmds: CommandParser::new(Mode::Command),
            host_out: Vec::new(),
            host_sent: Vec::new(),
            faults,
            repairer,
            truth: Vec::new(),
            aquadopp,
            stats: SimStats::default(),
            framing,
            config,
        };
        sim.feed_battery();
        sim.drain_controller();
        if sim.repairer.is_some() {
            let t = sim.now_ms + 60_000;
            sim.schedule(t, Ev::RepairTick);
        }
        if let Some(t) = sim.faults.next_spontaneous(sim.now_ms) {
            sim.schedule(t, Ev::Fault);
        }
        sim.schedule_aquadopp(start_s);
        sim
    }

    /// Schedules the Aquadopp's next record: the measurement starting at the first multiple
    /// of its interval at or after `after_s`, sent when its averaging ends.
    fn schedule_aquadopp(&mut self, after_s: u32) {
        let Some(a) = &self.aquadopp else { return };
        let interval = a.spec().interval_s.max(1);
        let time_s = after_s.div_ceil(interval).saturating_mul(interval);
        let send_ms = u64::from(time_s + AQUADOPP_AVERAGING_S) * 1000;
        self.schedule(send_ms, Ev::AquadoppRecord { time_s });
    }

    /// The Aquadopp's record of `time_s` goes onto the controller's serial input.
    fn aquadopp_record(&mut self, time_s: u32) {
        let Some(a) = self.aquadopp.as_mut() else {
            return;
        };
        let silent = self.config.sample_until_s.is_some_and(|end| time_s > end);
        if !silent {
            let record = a.measure(time_s);
            let serial = a.spec().serial;
            self.truth.push(Truth::Aquadopp {
                serial,
                record,
                path: AquadoppPath::Acoustic,
            });
            let s = self.now_s();
            self.controller.handle_serial_bytes(&record.encode(), s);
            self.drain_controller();
        }
        self.schedule_aquadopp(time_s + 1);
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// The simulated clock, Unix milliseconds.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// When the next event happens, if any.
    pub fn next_event_ms(&self) -> Option<u64> {
        self.queue.peek().map(|Reverse((t, _, _))| *t)
    }

    /// The controller (for its status and counters).
    pub fn controller(&self) -> &Controller<RING> {
        &self.controller
    }

    /// Counters so far.
    pub fn stats(&self) -> SimStats {
        self.stats
    }

    /// What the channel did so far.
    pub fn channel_stats(&self) -> ChannelStats {
        self.channel.stats()
    }

    /// The built-in repairer, if enabled.
    pub fn repairer(&self) -> Option<&Repairer> {
        self.repairer.as_ref()
    }

    /// Takes the bytes the MII modem wrote to its host since the last call, with the
    /// simulated time of each write.
    pub fn take_host_output(&mut self) -> Vec<(u64, Vec<u8>)> {
        std::mem::take(&mut self.host_out)
    }

    /// Takes the bytes the built-in repairer wrote to the modem since the last call.
    pub fn take_host_sent(&mut self) -> Vec<(u64, Vec<u8>)> {
        std::mem::take(&mut self.host_sent)
    }

    /// Takes the ground-truth samples measured since the last call.
    pub fn take_truth(&mut self) -> Vec<Truth> {
        std::mem::take(&mut self.truth)
    }

    fn schedule(&mut self, t_ms: u64, ev: Ev) {
        self.next_id += 1;
        self.queue
            .push(Reverse((t_ms.max(self.now_ms), self.next_id, ev)));
    }

    /// Processes every event up to and including `t_ms`, then sets the clock to `t_ms`.
    pub fn run_until(&mut self, t_ms: u64) {
        while let Some(Reverse((t, _, _))) = self.queue.peek() {
            if *t > t_ms {
                break;
            }
            let Some(Reverse((t, _, ev))) = self.queue.pop() else {
                break;
            };
            self.now_ms = self.now_ms.max(t);
            self.handle(ev);
        }
        self.now_ms = self.now_ms.max(t_ms);
    }

    /// Bytes the gateway (host) wrote to the MII modem at the current time.
    pub fn host_input(&mut self, bytes: &[u8]) {
        let mut cmds: Vec<(bool, OwnedCommand)> = Vec::new();
        self.host_cmds.feed(bytes, |ev| {
            if let CommandEvent::Command { framed, command } = ev {
                cmds.push((framed, OwnedCommand::from(&command)));
            }
        });
        for (framed, c) in cmds {
            self.host_command(framed, c);
        }
    }

    fn host_command(&mut self, framed: bool, c: OwnedCommand) {
        let framing = if framed {
            HostFraming::Data
        } else {
            self.framing
        };
        match c {
            OwnedCommand::SendIm { dst, payload } => {
                self.stats.downlink_sends += 1;
                if self.mii_tx.queue.len() >= MAX_QUEUE {
                    let m = Message::Busy {
                        reason: "IM QUEUE FULL",
                    };
                    let bytes = encode_for_host(framing, &m, Some("AT*SENDIM"));
                    self.emit_host(bytes, false);
                    return;
                }
                let bytes = encode_for_host(framing, &Message::Ok, Some("AT*SENDIM"));
                self.emit_host(bytes, true);
                self.mii_tx.queue.push_back(QueuedIm { dst, payload });
                if !self.mii_tx.busy {
                    self.mii_tx.busy = true;
                    self.mii_tx.attempts = 0;
                    let t = self.now_ms + 200;
                    self.schedule(t, Ev::Attempt(Side::Mii));
                }
            }
            OwnedCommand::Other(text) => {
                let name = text.split(',').next().unwrap_or("AT").to_owned_std();
                let answer: String = match text.as_str() {
                    "ATO" => {
                        self.framing = HostFraming::Data;
                        "OK".into()
                    }
                    "ATC" => {
                        self.framing = HostFraming::Line;
                        "OK".into()
                    }
                    "AT?AL" => std::format!("{}", self.config.gateway_address),
                    "AT?MODE" => (if self.framing == HostFraming::Data {
                        "AT"
                    } else {
                        "ATC"
                    })
                    .into(),
                    _ => "OK".into(),
                };
                let msg = if answer == "OK" {
                    Message::Ok
                } else {
                    Message::Text(answer.as_bytes())
                };
                let bytes = encode_for_host(framing, &msg, Some(&name));
                self.emit_host(bytes, true);
            }
        }
    }

    fn emit_host(&mut self, bytes: Vec<u8>, may_fault: bool) {
        if bytes.is_empty() {
            return;
        }
        let now = self.now_ms;
        let chunks = if may_fault {
            self.faults.wrap(now, bytes)
        } else {
            std::vec![(now, bytes)]
        };
        for (t, b) in chunks {
            self.stats.host_bytes += b.len() as u64;
            if let Some(r) = self.repairer.as_mut() {
                r.feed(&b, t);
            }
            self.host_out.push((t, b));
        }
        self.run_repairer();
    }

    fn run_repairer(&mut self) {
        let Some(r) = self.repairer.as_mut() else {
            return;
        };
        let out = r.take_commands();
        for bytes in out {
            let now = self.now_ms;
            self.host_sent.push((now, bytes.clone()));
            self.host_input(&bytes);
        }
    }

    /// Hands the controller its battery voltage for the work done so far (before every
    /// event, so that a status message built in it reports the current voltage).
    fn feed_battery(&mut self) {
        let mv = self.config.battery.mv(&self.controller.counters());
        self.controller.set_battery_mv(mv);
    }

    fn handle(&mut self, ev: Ev) {
        self.feed_battery();
        match ev {
            Ev::ControllerWake => {
                if self.wake_at == Some(self.now_ms) {
                    self.wake_at = None;
                    let s = self.now_s();
                    self.controller.handle_time(s);
                    self.drain_controller();
                }
            }
            Ev::Attempt(side) => self.attempt(side),
            Ev::Arrive {
                from,
                bytes,
                corrupted,
                duration_us,
            } => self.arrive(from, &bytes, corrupted, duration_us),
            Ev::Outcome { side, delivered } => self.outcome(side, delivered),
            Ev::RepairTick => {
                if let Some(r) = self.repairer.as_mut() {
                    r.tick(self.now_ms);
                }
                self.run_repairer();
                let t = self.now_ms + 60_000;
                self.schedule(t, Ev::RepairTick);
            }
            Ev::Fault => {
                if let Some(bytes) = self.faults.spontaneous(self.now_ms) {
                    self.stats.host_bytes += bytes.len() as u64;
                    if let Some(r) = self.repairer.as_mut() {
                        r.feed(&bytes, self.now_ms);
                    }
                    self.host_out.push((self.now_ms, bytes));
                    self.run_repairer();
                }
                if let Some(t) = self.faults.next_spontaneous(self.now_ms) {
                    self.schedule(t, Ev::Fault);
                }
            }
            Ev::AquadoppRecord { time_s } => self.aquadopp_record(time_s),
        }
    }

    fn now_s(&self) -> u32 {
        (self.now_ms / 1000) as u32
    }

    /// Routes everything the controller wants to write, then re-arms its wake-up.
    fn drain_controller(&mut self) {
        loop {
            let mut line_replies: Vec<u8> = Vec::new();
            let mut modem_out: Vec<Vec<u8>> = Vec::new();
            let mut any = false;
            let now_s = self.now_s();
            while let Some(out) = self.controller.poll_output() {
                any = true;
                match out {
                    Output::Line(b) => {
                        let reply = self.line.handle(b, now_s);
                        line_replies.extend_from_slice(&reply);
                    }
                    Output::Modem(b) => modem_out.push(b.to_vec()),
                }
            }
            if !any {
                break;
            }
            self.truth
                .extend(self.line.take_truth().into_iter().map(Truth::from));
            for b in modem_out {
                self.controller_modem_input(&b);
            }
            if !line_replies.is_empty() {
                self.controller.handle_line_bytes(&line_replies, now_s);
            }
        }
        if let Some(w) = self.controller.next_wakeup() {
            let t = u64::from(w) * 1000;
            let t = t.max(self.now_ms);
            if self.wake_at.is_none_or(|cur| t < cur || cur < self.now_ms) {
                self.wake_at = Some(t);
                self.schedule(t, Ev::ControllerWake);
            }
        }
    }

    /// The controller wrote `bytes` to its modem.
    fn controller_modem_input(&mut self, bytes: &[u8]) {
        let mut cmds: Vec<OwnedCommand> = Vec::new();
        self.line_cmds.feed(bytes, |ev| {
            if let CommandEvent::Command { command, .. } = ev {
                cmds.push(OwnedCommand::from(&command));
            }
        });
        for c in cmds {
            let reply: &[u8] = match c {
                OwnedCommand::SendIm { dst, payload } => {
                    self.stats.uplink_sends += 1;
                    if self.line_tx.queue.len() >= MAX_QUEUE {
                        b"BUSY IM QUEUE FULL\r\n"
                    } else {
                        self.line_tx.queue.push_back(QueuedIm { dst, payload });
                        if !self.line_tx.busy {
                            self.line_tx.busy = true;
                            self.line_tx.attempts = 0;
                            let t = self.now_ms + 200;
                            self.schedule(t, Ev::Attempt(Side::Line));
                        }
                        b"OK\r\n"
                    }
                }
                OwnedCommand::Other(_) => b"OK\r\n",
            };
            let s = self.now_s();
            self.controller.handle_modem_bytes(reply, s);
        }
        // Whatever the replies make the controller write is drained by the caller's loop.
    }

    fn tx(&mut self, side: Side) -> &mut ModemTx {
        match side {
            Side::Line => &mut self.line_tx,
            Side::Mii => &mut self.mii_tx,
        }
    }

    fn attempt(&mut self, side: Side) {
        let Some(head) = self.tx(side).queue.front().cloned() else {
            self.tx(side).busy = false;
            return;
        };
        self.tx(side).attempts += 1;
        let rel = self.now_ms.saturating_sub(self.config.start_ms);
        let addressed = match side {
            Side::Line => head.dst == self.config.gateway_address,
            Side::Mii => head.dst == self.config.line_address,
        };
        let crossing = if addressed {
            self.channel.transmit(&head.payload, rel)
        } else {
            Crossing::Lost
        };
        let air = self.channel.config().airtime_ms(head.payload.len());
        let prop = self.channel.config().propagation_ms;
        // The acoustic acknowledgement is a short packet (~0.1 s); the sender gives up
        // waiting for it one round trip plus a margin after sending.
        let round = 2 * prop + air + 100;
        let acked = match crossing {
            Crossing::Lost => false,
            Crossing::Delivered {
                bytes,
                corrupted,
                acked,
                delay_ms,
            } => {
                let t = self.now_ms + delay_ms;
                let duration_us = (air * 1000) as u32;
                self.schedule(
                    t,
                    Ev::Arrive {
                        from: side,
                        bytes,
                        corrupted,
                        duration_us,
                    },
                );
                acked
            }
        };
        let retries = self.config.modem_retries;
        if acked {
            let t = self.now_ms + round;
            self.schedule(
                t,
                Ev::Outcome {
                    side,
                    delivered: true,
                },
            );
        } else if self.tx(side).attempts > retries {
            let t = self.now_ms + round + 1_000;
            self.schedule(
                t,
                Ev::Outcome {
                    side,
                    delivered: false,
                },
            );
        } else {
            let t = self.now_ms + round + 1_000;
            self.schedule(t, Ev::Attempt(side));
        }
    }

    fn arrive(&mut self, from: Side, bytes: &[u8], corrupted: bool, duration_us: u32) {
        let salt = self.next_id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
        match from {
            Side::Line => {
                self.stats.uplink_received += 1;
                let m = recvim(
                    self.config.line_address,
                    self.config.gateway_address,
                    bytes,
                    duration_us,
                    corrupted,
                    salt,
                );
                let out = encode_for_host(self.framing, &m, None);
                self.emit_host(out, true);
            }
            Side::Mii => {
                self.stats.downlink_received += 1;
                let m = recvim(
                    self.config.gateway_address,
                    self.config.line_address,
                    bytes,
                    duration_us,
                    corrupted,
                    salt,
                );
                let out = encode_for_host(HostFraming::Line, &m, None);
                let s = self.now_s();
                self.controller.handle_modem_bytes(&out, s);
                self.drain_controller();
            }
        }
    }

    fn outcome(&mut self, side: Side, delivered: bool) {
        let Some(head) = self.tx(side).queue.pop_front() else {
            return;
        };
        let msg = if delivered {
            Message::DeliveredIm { dst: head.dst }
        } else {
            Message::FailedIm { dst: head.dst }
        };
        match side {
            Side::Line => {
                self.stats.line_delivered += u64::from(delivered);
                self.stats.line_failed += u64::from(!delivered);
                let out = encode_for_host(HostFraming::Line, &msg, None);
                let s = self.now_s();
                self.controller.handle_modem_bytes(&out, s);
                self.drain_controller();
            }
            Side::Mii => {
                let out = encode_for_host(self.framing, &msg, None);
                self.emit_host(out, true);
            }
        }
        let tx = self.tx(side);
        tx.attempts = 0;
        if tx.queue.is_empty() {
            tx.busy = false;
        } else {
            let t = self.now_ms + 500;
            self.schedule(t, Ev::Attempt(side));
        }
    }
}

/// `str::to_owned` for a `no_std` crate that links `std` only here.
trait ToOwnedStd {
    fn to_owned_std(&self) -> String;
}
impl ToOwnedStd for str {
    fn to_owned_std(&self) -> String {
        String::from(self)
    }
}

/// A host command detached from the parser's buffer.
#[derive(Debug, Clone)]
enum OwnedCommand {
    SendIm { dst: u8, payload: Vec<u8> },
    Other(String),
}

impl From<&Command<'_>> for OwnedCommand {
    fn from(c: &Command<'_>) -> Self {
        match c {
            Command::SendIm { dst, payload, .. } => OwnedCommand::SendIm {
                dst: *dst,
                payload: payload.to_vec(),
            },
            Command::SendIms { dst, payload, .. } | Command::SendPbm { dst, payload, .. } => {
                OwnedCommand::SendIm {
                    dst: *dst,
                    payload: payload.to_vec(),
                }
            }
            Command::Send { .. } => OwnedCommand::Other(String::from("AT*SEND")),
            Command::Other(t) => OwnedCommand::Other(String::from(*t)),
        }
    }
}
