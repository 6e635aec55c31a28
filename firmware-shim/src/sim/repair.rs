//! The simulator's built-in shore side (`--repair`): the gateway's own
//! [`ModemLink`](protocol::modem_link::ModemLink) — selective repeat, status probes,
//! acknowledgements — on the simulated clock, so that the simulator alone can record an
//! "outage + recovery" run. It reads the MII modem's host output exactly as a gateway
//! does and writes its downlink commands back to the modem.

use std::vec::Vec;

use protocol::feedback::FeedbackStats;
use protocol::frame::seq_add;
use protocol::modem_link::{ModemLink, ModemLinkConfig};
use protocol::repair::RepairStats;
use protocol::time::UtcTime;

/// Counters of the built-in shore side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepairerStats {
    /// Selective repeat.
    pub repair: RepairStats,
    /// Acknowledgements and status probes.
    pub feedback: FeedbackStats,
}

/// A [`ModemLink`] fed by the simulation.
#[derive(Debug, Clone)]
pub struct Repairer {
    link: ModemLink,
    node: u8,
    out: Vec<Vec<u8>>,
}

impl Repairer {
    /// The shore side of the link with `config`, watching the frames of `node`.
    pub fn new(config: ModemLinkConfig, node: u8) -> Self {
        Repairer {
            link: ModemLink::new(config),
            node,
            out: Vec::new(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> RepairerStats {
        RepairerStats {
            repair: self.link.repair().stats(),
            feedback: self.link.feedback().stats(),
        }
    }

    /// The acknowledgement last delivered to the node, if any.
    pub fn acked_through(&self) -> Option<u16> {
        self.link.feedback().acked_through(self.node)
    }

    /// Sequence numbers of the node still missing.
    pub fn missing(&self) -> Vec<u16> {
        let mut seqs: Vec<u16> = self
            .link
            .repair()
            .gaps(self.node)
            .flat_map(|(start, len)| (0..len).map(move |k| seq_add(start, k)))
            .collect();
        seqs.sort_unstable();
        seqs
    }

    /// Host-interface commands to write to the modem, oldest first.
    pub fn take_commands(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.out)
    }

    /// Bytes the modem wrote to the host at `now_ms`.
    pub fn feed(&mut self, bytes: &[u8], now_ms: u64) {
        self.link.feed(bytes, time(now_ms), |_| {});
        self.collect();
    }

    /// Timers due at `now_ms`.
    pub fn tick(&mut self, now_ms: u64) {
        self.link.handle_time(time(now_ms), |_| {});
        self.collect();
    }

    fn collect(&mut self) {
        while let Some(cmd) = self.link.poll_transmit() {
            self.out.push(cmd.to_vec());
        }
    }
}

fn time(ms: u64) -> UtcTime {
    UtcTime::from_unix_millis(i64::try_from(ms).unwrap_or(i64::MAX))
}
