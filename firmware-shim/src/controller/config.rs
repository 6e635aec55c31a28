//! What the controller is told at start-up (line layout, addresses, timing) and the counters
//! it reports.

use protocol::message::InstrumentKind;

/// Most instruments one line controller handles (one per batch slot).
pub const MAX_INSTRUMENTS: usize = 16;

/// One instrument on the inductive line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstrumentSlot {
    /// Position in the CTD batches and the inventory (0–15, unique on the line).
    pub slot: u8,
    /// Inductive-modem ID (`*ID=ii`), 0–99: the controller fetches it with `!iiData`.
    pub im_id: u8,
    /// What the instrument is; only MicroCATs ([`InstrumentKind::Sbe37Ctd`],
    /// [`InstrumentKind::Sbe37CtdOdo`]) and [`InstrumentKind::Unknown`] are polled. An
    /// [`InstrumentKind::Aquadopp`] is not on the inductive line: it streams on the serial
    /// input (`Controller::handle_serial_bytes`); the first one configured names its samples.
    pub kind: InstrumentKind,
    /// Manufacturer's serial number. A reply whose 5-digit serial differs (compared modulo
    /// 100 000, the IM line drops the `037` prefix) is not taken as this instrument's.
    pub serial: u32,
    /// Nominal depth in metres (inventory only).
    pub nominal_depth_m: u16,
}

/// Controller settings. Out-of-range values are corrected by
/// [`Controller::new`](super::Controller::new) and counted in
/// [`Counters::config_errors`]; see each field for its bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControllerConfig {
    /// This node's id in the frame headers (1–15; 0 is the shore gateway).
    pub source: u8,
    /// Modem address of the MII modem (the gateway side), the `<dst>` of `AT*SENDIM`.
    pub gateway_address: u8,
    /// Largest frame handed to the modem, 16–64 bytes (64 is the EvoLogics IM limit).
    pub mtu: usize,
    /// Seconds between polls of the line, aligned to multiples of it (default 1800).
    pub poll_interval_s: u32,
    /// Seconds between line status messages, aligned to multiples of it (default 86 400).
    pub status_interval_s: u32,
    /// Seconds to wait for one instrument's reply to `!iiData` before counting it missing.
    pub reply_timeout_s: u32,
    /// Resends of a frame after `FAILEDIM` before it is given up (left to selective repeat).
    pub max_retries: u8,
    /// Wait before the first resend; the k-th resend waits `retry_base_s × 2^k`.
    pub retry_base_s: u32,
    /// The instruments on the line, polled in this order.
    pub instruments: heapless::Vec<InstrumentSlot, MAX_INSTRUMENTS>,
    /// Battery voltage at start-up, millivolts: what the start-up line status (built
    /// by [`Controller::new`](super::Controller::new)) reports, until
    /// [`Controller::set_battery_mv`](super::Controller::set_battery_mv) (default 0:
    /// not measured).
    pub start_battery_mv: u16,
}

impl Default for ControllerConfig {
    /// Node 1, gateway modem address 1, 64-byte MTU, a poll every 30 min, a status a day,
    /// 10 s reply timeout, 3 retries from 30 s, no instruments, battery not measured.
    fn default() -> Self {
        ControllerConfig {
            source: 1,
            gateway_address: 1,
            mtu: 64,
            poll_interval_s: 1800,
            status_interval_s: 86_400,
            reply_timeout_s: 10,
            max_retries: 3,
            retry_base_s: 30,
            instruments: heapless::Vec::new(),
            start_battery_mv: 0,
        }
    }
}

/// Running counts since start-up; they only grow (wrapping at 2^32).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Polls of the line started (`GData` sent).
    pub polls: u32,
    /// Polls skipped because the previous one was still running at the next slot.
    pub polls_skipped: u32,
    /// Instrument replies accepted.
    pub replies: u32,
    /// Instruments that gave no usable reply within `reply_timeout_s` (left out of the batch).
    pub instrument_errors: u32,
    /// Line input that was not a usable reply: unparseable, not UTF-8, overlong, or from
    /// another instrument (ID or serial mismatch) while a reply was awaited.
    pub line_errors: u32,
    /// Lines received while no reply was awaited (echoes, prompts, late replies).
    pub line_unsolicited: u32,
    /// Measured values outside the frame field ranges, sent as "not measured".
    pub values_out_of_range: u32,
    /// Measured values with more decimals than the frame resolution (rounded to it).
    pub values_rounded: u32,
    /// Aquadopp velocity samples read from the serial input and stored.
    pub aquadopp_samples: u32,
    /// Runs of serial-input bytes skipped: not a velocity structure, a bad checksum, or no
    /// Aquadopp configured.
    pub serial_errors: u32,
    /// CTD batches built and stored.
    pub batches: u32,
    /// Line status messages built and stored.
    pub status_sent: u32,
    /// Frames built and stored in the ring buffer.
    pub frames_built: u32,
    /// `AT*SENDIM` commands handed to the modem (first sends, retries and repeats).
    pub frames_sent: u32,
    /// `DELIVEREDIM` outcomes.
    pub frames_delivered: u32,
    /// Resends after a failure.
    pub retries: u32,
    /// Failed attempts: `FAILEDIM`, `CANCELEDIM`, `BUSY`/`ERROR` answers, no outcome in time.
    pub failures: u32,
    /// Frames given up after `max_retries` resends (they stay in the ring buffer).
    pub frames_given_up: u32,
    /// Frames overwritten in the ring buffer that the gateway had not acknowledged.
    pub ring_dropped: u32,
    /// Frames overwritten in the ring buffer in total (acknowledged or not).
    pub ring_overwritten: u32,
    /// Queued transmissions dropped because the transmit queue was full.
    pub queue_dropped: u32,
    /// Frames resent because a repeat request named them.
    pub repeats_served: u32,
    /// Frames a repeat request named that the ring buffer no longer holds (skipped).
    pub repeats_missing: u32,
    /// Valid downlink messages (acknowledgements, repeat and status requests) for this node.
    pub downlink_messages: u32,
    /// Downlink frames rejected: bad frame, bad payload, uplink type, fragment.
    pub downlink_errors: u32,
    /// Downlink messages addressed to another node.
    pub downlink_other_node: u32,
    /// Acknowledgements received.
    pub acks: u32,
    /// Modem lines that came when nothing expected them (outcome without a send in flight,
    /// outcome for another address…), or modem bytes the host-interface parser skipped.
    pub modem_unexpected: u32,
    /// Messages that could not be encoded or fragmented (should stay 0).
    pub encode_errors: u32,
    /// Configuration values corrected or instruments ignored at start-up.
    pub config_errors: u32,
}
