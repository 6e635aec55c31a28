//! The mooring line controller: a sans-IO state machine fed the time and the bytes read from
//! the inductive line and the modem, handing back the bytes to write to each.
//!
//! What it does (issue 4, `BRIEF.md` §1 and §3):
//!
//! - **Polls the line** every [`ControllerConfig::poll_interval_s`] seconds, aligned to
//!   multiples of the interval: `GData\r\n` (every MicroCAT samples and holds), a
//!   [`GDATA_SETTLE_S`] wait, then `!iiData\r\n` to each MicroCAT in turn. Each reply is parsed
//!   with the protocol crate's SBE 37 IM parser and converted exactly to the frame's
//!   fixed-point fields; an instrument that gives no usable reply within
//!   [`ControllerConfig::reply_timeout_s`] is counted in [`Counters::instrument_errors`] and
//!   left out of the batch.
//! - **Reads the Aquadopp** on its serial input ([`Controller::handle_serial_bytes`]): the
//!   instrument streams a Nortek velocity structure at its own interval; each one with a
//!   valid checksum becomes an `AquadoppSample` message (type 3) for the line's
//!   [`InstrumentKind::Aquadopp`](protocol::message::InstrumentKind::Aquadopp) slot, stored
//!   and sent like a batch ([`Counters::aquadopp_samples`], [`Counters::serial_errors`]).
//! - **Packs** the poll into a `CtdBatch` (time = poll time), fragments it to the MTU with
//!   consecutive 12-bit sequence numbers and **stores every frame** in a ring buffer of the last
//!   `RING` frames (`1 ≤ RING ≤ 2048`, checked at compile time). A full ring overwrites its
//!   oldest frame ([`Counters::ring_dropped`] counts the ones the gateway had not
//!   acknowledged).
//! - **Sends** the frames as `AT*SENDIM,<len>,<gateway_address>,ack,<frame>\r`, one at a time:
//!   the next goes only after `DELIVEREDIM` or after the current one is given up. A `FAILEDIM`
//!   (or `CANCELEDIM`, a `BUSY`/`ERROR` answer, or no outcome in [`MODEM_TIMEOUT_S`]) is
//!   retried after `retry_base_s × 2^k`, at most `max_retries` times; then the frame is given
//!   up (it stays in the ring for selective repeat).
//! - **Serves the downlink** (`RECVIM` frames from the gateway): a repeat request re-sends the
//!   named frames still in the ring, byte for byte (frames no longer held are counted in
//!   [`Counters::repeats_missing`]); a status request sends a line status at once; an
//!   acknowledgement is recorded.
//! - **Reports** a line status at start-up, every `status_interval_s` (aligned) and on request.
//!   It describes the controller *after* the status message itself was stored: `next_seq` is
//!   the sequence number of the frame after it, `ring_oldest_seq` the oldest frame then held.
//!
//! Driving it: after [`Controller::new`] and after every `handle_*` call, call
//! [`Controller::poll_output`] until it returns `None` and write each output where it says;
//! call [`Controller::handle_time`] no later than [`Controller::next_wakeup`]. Time is Unix
//! seconds from the caller's clock; if it goes backwards, running waits restart from the new
//! time and the schedules are re-aligned. No input, however malformed, makes it panic; bad
//! input is counted in [`Counters`].

mod aquadopp;
mod config;
mod downlink;
mod poll;
mod reply;
mod ring;
mod uplink;

#[cfg(test)]
mod tests;

pub use config::{ControllerConfig, Counters, InstrumentSlot, MAX_INSTRUMENTS};
pub use ring::MAX_FRAME;

use protocol::hostif::{HostParser, Mode};
use protocol::lines::LineSplitter;
use protocol::message::{CtdBatch, LineStatus};
use ring::FrameRing;

/// Seconds between `GData` and the first `!iiData`: time for the MicroCATs (SBE 63 optode
/// included) to finish the sample they were told to take.
pub const GDATA_SETTLE_S: u32 = 10;
/// Seconds to wait for the outcome (`DELIVEREDIM`/`FAILEDIM`) of one `AT*SENDIM` before the
/// attempt counts as failed. An acknowledged IM at 7 km takes about 10 s per modem try.
pub const MODEM_TIMEOUT_S: u32 = 120;
/// Smallest MTU accepted: a 16-slot batch (158 bytes) must fit in 16 fragments.
pub const MIN_MTU: usize = 16;
/// Longest inductive-line reply kept (bytes before LF); longer lines are counted and dropped.
pub const MAX_LINE: usize = 160;
/// Bytes the modem host-interface parser buffers: a 64-byte IM notification with room to
/// spare. Longer modem lines (bursts) are skipped and counted.
pub const MODEM_PARSER_CAPACITY: usize = 256;
/// Largest command handed to the modem: `AT*SENDIM,64,255,ack,` + 64 bytes + `\r`.
pub const MAX_MODEM_COMMAND: usize = 96;
/// Largest encoded message the controller builds (a 16-slot CTD batch is 158 bytes).
const MAX_PAYLOAD: usize = 256;

/// Bytes the caller must write out, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output<'a> {
    /// Bytes for the inductive line, e.g. `b"GData\r\n"`, `b"!03Data\r\n"`.
    Line(&'a [u8]),
    /// Bytes for the modem host interface, e.g. `AT*SENDIM,64,1,ack,<64 bytes>\r`.
    Modem(&'a [u8]),
}

/// Where the line poll stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Poll {
    /// Waiting for the next poll slot.
    Idle,
    /// `GData` sent at `since`; waiting [`GDATA_SETTLE_S`].
    Settling { since: u32 },
    /// `!iiData` sent at `since` to `config.instruments[index]`.
    Fetching { index: usize, since: u32 },
}

/// Where the current modem transmission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tx {
    /// Nothing in flight.
    Idle,
    /// `AT*SENDIM` for `seq` handed out at `since` after `attempt` failures; `accepted` once
    /// the modem answered `OK`.
    InFlight {
        seq: u16,
        attempt: u8,
        accepted: bool,
        since: u32,
    },
    /// `seq` failed `attempt` times; resend at `since + wait`.
    Backoff {
        seq: u16,
        attempt: u8,
        since: u32,
        wait: u32,
    },
}

/// The line controller, holding the last `RING` frames (`1 ≤ RING ≤ 2048`).
///
/// Everything lives inline (no heap): about `RING × 66` bytes of ring buffer and queue plus
/// about 1 KiB of parser and output buffers.
#[derive(Debug, Clone)]
pub struct Controller<const RING: usize> {
    config: ControllerConfig,
    battery_mv: u16,
    counters: Counters,
    /// Latest time handed in.
    now: u32,
    // --- inductive line
    splitter: LineSplitter<MAX_LINE>,
    poll: Poll,
    next_poll: u32,
    batch: CtdBatch,
    line_out: heapless::Vec<u8, 16>,
    line_pending: bool,
    // --- the Aquadopp's serial input
    aquadopp: aquadopp::AquadoppReader,
    // --- uplink
    ring: FrameRing<RING>,
    next_seq: u16,
    acked_through: Option<u16>,
    queue: heapless::Deque<u16, RING>,
    tx: Tx,
    modem_out: [u8; MAX_MODEM_COMMAND],
    modem_len: usize,
    modem_pending: bool,
    next_status: u32,
    // --- modem input
    parser: HostParser<MODEM_PARSER_CAPACITY>,
}

/// The first multiple of `interval` at or after `t` (saturating at `u32::MAX`).
fn align_up(t: u32, interval: u32) -> u32 {
    match t.checked_rem(interval) {
        Some(0) | None => t,
        Some(r) => t.saturating_add(interval - r),
    }
}

/// Whether `span` seconds have passed since `since`.
fn expired(now: u32, since: u32, span: u32) -> bool {
    now.saturating_sub(since) >= span
}

/// Checks and corrects a configuration; returns it with the number of corrections.
fn sanitize(mut c: ControllerConfig) -> (ControllerConfig, u32) {
    let d = ControllerConfig::default();
    let mut errors = 0;
    let mut fix = |bad: bool| {
        errors += u32::from(bad);
        bad
    };
    if fix(c.source == 0 || c.source > protocol::frame::MAX_SOURCE) {
        c.source = d.source;
    }
    if fix(!(MIN_MTU..=MAX_FRAME).contains(&c.mtu)) {
        c.mtu = c.mtu.clamp(MIN_MTU, MAX_FRAME);
    }
    if fix(c.poll_interval_s == 0) {
        c.poll_interval_s = d.poll_interval_s;
    }
    if fix(c.status_interval_s == 0) {
        c.status_interval_s = d.status_interval_s;
    }
    if fix(c.reply_timeout_s == 0) {
        c.reply_timeout_s = 1;
    }
    let mut kept: heapless::Vec<InstrumentSlot, MAX_INSTRUMENTS> = heapless::Vec::new();
    for inst in &c.instruments {
        let bad = usize::from(inst.slot) >= MAX_INSTRUMENTS
            || inst.im_id > 99
            || kept.iter().any(|k| k.slot == inst.slot);
        if !fix(bad) {
            // `kept` has the capacity of `c.instruments`, so this cannot fail.
            let _ = kept.push(*inst);
        }
    }
    c.instruments = kept;
    (c, errors)
}

impl<const RING: usize> Controller<RING> {
    const RING_OK: () = assert!(
        RING >= 1 && RING <= 2048,
        "Controller RING must be 1..=2048"
    );

    /// A controller starting at `now_s`. Queues the start-up line status (so
    /// [`poll_output`](Self::poll_output) has its first frame ready) and schedules the first
    /// poll at the first multiple of the poll interval at or after `now_s`.
    pub fn new(config: ControllerConfig, now_s: u32) -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::RING_OK;
        let (config, config_errors) = sanitize(config);
        let start_battery_mv = config.start_battery_mv;
        let mut c = Controller {
            next_poll: align_up(now_s, config.poll_interval_s),
            next_status: align_up(now_s.saturating_add(1), config.status_interval_s),
            config,
            battery_mv: start_battery_mv,
            counters: Counters {
                config_errors,
                ..Counters::default()
            },
            now: now_s,
            splitter: LineSplitter::new(),
            poll: Poll::Idle,
            batch: CtdBatch::default(),
            line_out: heapless::Vec::new(),
            line_pending: false,
            aquadopp: aquadopp::AquadoppReader::default(),
            ring: FrameRing::new(),
            next_seq: 0,
            acked_through: None,
            queue: heapless::Deque::new(),
            tx: Tx::Idle,
            modem_out: [0; MAX_MODEM_COMMAND],
            modem_len: 0,
            modem_pending: false,
            parser: HostParser::new(Mode::Command),
        };
        c.send_status(now_s);
        c.pump_modem(now_s);
        c
    }

    /// Advances the clock to `now_s`: starts due polls and status reports, expires waits,
    /// resends after back-off.
    pub fn handle_time(&mut self, now_s: u32) {
        self.observe_time(now_s);
        self.on_time(now_s);
    }

    /// Bytes read from the inductive line (instrument replies), cut anywhere.
    pub fn handle_line_bytes(&mut self, bytes: &[u8], now_s: u32) {
        self.observe_time(now_s);
        self.on_line_bytes(bytes, now_s);
        self.on_time(now_s);
    }

    /// Bytes read from the Aquadopp's serial port (Nortek binary, cut anywhere): every
    /// velocity structure with a valid checksum is sent as an `AquadoppSample` for the first
    /// configured [`InstrumentKind::Aquadopp`](protocol::message::InstrumentKind::Aquadopp)
    /// slot (bytes are skipped and counted when none is configured).
    pub fn handle_serial_bytes(&mut self, bytes: &[u8], now_s: u32) {
        self.observe_time(now_s);
        self.on_serial_bytes(bytes, now_s);
        self.on_time(now_s);
    }

    /// Bytes read from the modem host interface (`RECVIM`, `DELIVEREDIM`, `FAILEDIM`, `OK`,
    /// `BUSY`, `ERROR`…, command-mode lines or `+++AT` frames), cut anywhere.
    pub fn handle_modem_bytes(&mut self, bytes: &[u8], now_s: u32) {
        self.observe_time(now_s);
        self.on_modem_bytes(bytes, now_s);
        self.on_time(now_s);
    }

    /// The next bytes to write (inductive line first), or `None`. Each output is handed out
    /// once; call until `None` after every `handle_*`.
    pub fn poll_output(&mut self) -> Option<Output<'_>> {
        if self.line_pending {
            self.line_pending = false;
            return Some(Output::Line(&self.line_out));
        }
        if self.modem_pending {
            self.modem_pending = false;
            return Some(Output::Modem(
                self.modem_out.get(..self.modem_len).unwrap_or(&[]),
            ));
        }
        None
    }

    /// The output [`poll_output`](Self::poll_output) would hand out next, without taking it.
    pub fn peek_output(&self) -> Option<Output<'_>> {
        if self.line_pending {
            return Some(Output::Line(&self.line_out));
        }
        if self.modem_pending {
            return Some(Output::Modem(
                self.modem_out.get(..self.modem_len).unwrap_or(&[]),
            ));
        }
        None
    }

    /// When [`handle_time`](Self::handle_time) must next be called (Unix seconds; may be in
    /// the past if a call is overdue). Always `Some`: the poll schedule never stops.
    pub fn next_wakeup(&self) -> Option<u32> {
        let mut t = self.next_poll.min(self.next_status);
        match self.poll {
            Poll::Idle => {}
            Poll::Settling { since } => t = t.min(since.saturating_add(GDATA_SETTLE_S)),
            Poll::Fetching { since, .. } => {
                t = t.min(since.saturating_add(self.config.reply_timeout_s))
            }
        }
        match self.tx {
            Tx::Idle => {}
            Tx::InFlight { since, .. } => t = t.min(since.saturating_add(MODEM_TIMEOUT_S)),
            Tx::Backoff { since, wait, .. } => t = t.min(since.saturating_add(wait)),
        }
        Some(t)
    }

    /// The line status as it would be reported now (clock = latest time handed in).
    pub fn status(&self) -> LineStatus {
        self.status_after(0)
    }

    /// Sets the battery voltage reported in line status messages, in millivolts.
    pub fn set_battery_mv(&mut self, mv: u16) {
        self.battery_mv = mv;
    }

    /// The running counters.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// The configuration in use (after the corrections counted in [`Counters::config_errors`]).
    pub fn config(&self) -> &ControllerConfig {
        &self.config
    }

    /// The frame with sequence number `seq`, if the ring buffer still holds it.
    pub fn stored_frame(&self, seq: u16) -> Option<&[u8]> {
        self.ring.get(seq)
    }

    /// Sequence number the next frame will carry.
    pub fn next_seq(&self) -> u16 {
        self.next_seq
    }

    /// Remembers `now`; if the clock went backwards, running waits restart at `now` and the
    /// schedules are re-aligned.
    fn observe_time(&mut self, now: u32) {
        if now < self.now {
            match &mut self.poll {
                Poll::Idle => {}
                Poll::Settling { since } | Poll::Fetching { since, .. } => *since = now,
            }
            match &mut self.tx {
                Tx::Idle => {}
                Tx::InFlight { since, .. } | Tx::Backoff { since, .. } => *since = now,
            }
            self.next_poll = align_up(now, self.config.poll_interval_s);
            self.next_status = align_up(now.saturating_add(1), self.config.status_interval_s);
        }
        self.now = now;
    }

    /// Everything time drives.
    fn on_time(&mut self, now: u32) {
        self.advance_poll(now);
        if now >= self.next_poll {
            if self.poll == Poll::Idle {
                self.start_poll(now);
            } else {
                self.counters.polls_skipped = self.counters.polls_skipped.wrapping_add(1);
            }
            self.next_poll = align_up(now.saturating_add(1), self.config.poll_interval_s);
        }
        if now >= self.next_status {
            self.send_status(now);
            self.next_status = align_up(now.saturating_add(1), self.config.status_interval_s);
        }
        self.advance_tx(now);
        self.pump_modem(now);
    }
}

/// Adds one to a counter, wrapping.
fn bump(c: &mut u32) {
    *c = c.wrapping_add(1);
}
