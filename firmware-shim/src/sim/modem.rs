//! The two acoustic modems' host interfaces (EvoLogics S2C style, acoustic-link.md §2).
//!
//! Both modems queue the instant messages their host hands them with `AT*SENDIM` and send
//! them one at a time; the channel model decides each attempt's fate; the modem retries an
//! unacknowledged IM up to `retries` times (`AT!RI`) and then reports `DELIVEREDIM,<dst>`
//! or `FAILEDIM,<dst>`. The receiving modem reports every frame that crossed the channel
//! as `RECVIM,<len>,<src>,<dst>,ack,<dur>,<rssi>,<int>,<vel>,<payload>` — once per copy
//! received, so a lost acoustic acknowledgement produces a duplicate.
//!
//! Host-side lines are written in command mode (`<text>\r\n`) or data mode (`+++AT:<len>:…`
//! frames), see [`HostFraming`]. The two modems share one channel model but not the
//! medium: half-duplex contention between them is not modelled.

use std::collections::VecDeque;
use std::vec::Vec;

use protocol::hostif::{encode_message, ImFlag, ImTiming, LinkQuality, Message, Origin, RecvIm};

/// How the MII modem frames what it sends to its host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HostFraming {
    /// Command mode: every message is a `<text>\r\n` line.
    #[default]
    Line,
    /// Data mode: `+++AT:<len>:<notification>\r\n` and `+++<command>:<len>:<reply>\r\n`.
    Data,
}

/// Encodes a modem → host message; `reply_to` names the command answered (data mode).
/// Messages the encoder refuses (never produced by the simulator) give an empty vector.
pub fn encode_for_host(framing: HostFraming, msg: &Message<'_>, reply_to: Option<&str>) -> Vec<u8> {
    let origin = match (framing, reply_to) {
        (HostFraming::Line, _) => Origin::Line,
        (HostFraming::Data, Some(command)) => Origin::Reply { command },
        (HostFraming::Data, None) => Origin::Notification,
    };
    let mut out = Vec::new();
    match encode_message(origin, msg, &mut out) {
        Ok(_) => out,
        Err(_) => Vec::new(),
    }
}

/// A `RECVIM` notification for `payload` received from `src` by `dst`.
pub fn recvim<'a>(
    src: u8,
    dst: u8,
    payload: &'a [u8],
    duration_us: u32,
    corrupted: bool,
    salt: u64,
) -> Message<'a> {
    // Plausible link figures (acoustic-link.md §2.2 `p0` template); poor integrity when
    // the frame was damaged.
    let rssi = -38 - (salt % 17) as i16;
    let integrity = if corrupted {
        60 + (salt % 35) as u16
    } else {
        110 + (salt % 90) as u16
    };
    Message::RecvIm(RecvIm {
        pid: None,
        src,
        dst,
        flag: ImFlag::Ack,
        timing: ImTiming::Duration { duration_us },
        link: LinkQuality {
            rssi,
            integrity,
            velocity: 0.01 * ((salt % 7) as f32),
        },
        payload,
    })
}

/// One queued instant message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedIm {
    /// Destination address.
    pub dst: u8,
    /// The frame.
    pub payload: Vec<u8>,
}

/// A modem's transmit state: a queue and the attempt count of its head.
#[derive(Debug, Clone, Default)]
pub struct ModemTx {
    /// Waiting IMs, head first; the head is on the air when `busy`.
    pub queue: VecDeque<QueuedIm>,
    /// The head is being sent.
    pub busy: bool,
    /// Attempts made for the head.
    pub attempts: u8,
}

/// Most IMs a modem queues; more are answered `BUSY`.
pub const MAX_QUEUE: usize = 32;
