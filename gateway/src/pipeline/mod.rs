//! The record pipeline behind each link, free of I/O: bytes and the time in, observations
//! ([`Observation`]: records with their station metadata) and downlink bytes out.
//!
//! A [`LinkDecoder`] is what a link task drives: [`modem::ModemDecoder`] for the acoustic
//! modem's host interface (frames → messages → records, with selective-repeat repair),
//! [`instrument::InstrumentDecoder`] for an instrument's own serial output. The tokio
//! layer only moves bytes between the link, the archive and these decoders, which
//! [`factory`] builds from the configuration (one factory for `run` and `replay`), each
//! wrapped in [`time_check::TimeChecked`]: a record of impossible time (a reset or
//! corrupted instrument clock) is stored undated and flagged, never filed under a wrong day.
//!
//! Between the decoders and the sinks, [`enrich::Enricher`] adds the derived variables
//! (TEOS-10) and the live QARTOD flags to MicroCAT records, with one streaming QC state per
//! instrument for the whole gateway (`albatross run`, `demo` and `replay`; `decode` prints
//! the instruments' own output).

pub mod enrich;
pub mod factory;
pub mod instrument;
pub mod modem;
pub mod time_check;

use crate::observation::Observation;
use protocol::time::UtcTime;

/// Something happened that the operator should know about (logged by the link task).
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// `true` for a warning, `false` for information.
    pub warning: bool,
    /// What happened.
    pub text: String,
}

/// What a decoder produced from one call.
#[derive(Debug, Default)]
pub struct Output {
    /// Observations, in order.
    pub observations: Vec<Observation>,
    /// Notices for the log.
    pub notices: Vec<Notice>,
}

/// The per-link state machine driven by a link task.
pub trait LinkDecoder: Send + Sync {
    /// Bytes read from the link at `now`.
    fn feed(&mut self, bytes: &[u8], now: UtcTime, out: &mut Output);
    /// Timers due at `now`.
    fn handle_time(&mut self, now: UtcTime, out: &mut Output);
    /// When [`LinkDecoder::handle_time`] should next run.
    fn next_deadline(&self) -> Option<UtcTime>;
    /// Bytes to write to the link now (downlink), if any.
    fn poll_transmit(&mut self) -> Option<Vec<u8>>;
    /// The input ended (a replay finished): emit what is still held.
    fn finish(&mut self, now: UtcTime, out: &mut Output);
    /// One line of counters for the log.
    fn summary(&self) -> String;
    /// The counters of [`LinkDecoder::summary`] for `/metrics`: totals since creation.
    fn counters(&self) -> crate::metrics::LinkCounters {
        crate::metrics::LinkCounters::default()
    }
    /// Bytes fed so far that decoded to nothing (garbage between frames, undecodable
    /// lines, skipped instrument output), for a reprocess's summary.
    fn bad_bytes(&self) -> u64 {
        0
    }
    /// State worth keeping across a restart (text), if any; the link task stores it
    /// atomically whenever it changes.
    fn checkpoint(&self) -> Option<String> {
        None
    }
    /// Restores what [`LinkDecoder::checkpoint`] saved; unreadable text is ignored.
    fn restore(&mut self, _state: &str) {}
    /// The transport was (re)opened: the bytes that follow do not continue what came
    /// before (an unfinished line there was cut when the port vanished or the connection
    /// dropped), so a decoder drops what it holds of an unfinished message, saying so in
    /// `out`'s notices (the only part of `out` the link task uses here).
    fn reconnected(&mut self, _out: &mut Output) {}
}
