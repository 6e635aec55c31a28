//! The line controller's battery as the simulator models it, so that the line status
//! messages carry a voltage a shore operator would recognise instead of 0.
//!
//! The management module of the line's central float runs on its own lithium pack. The
//! model is a pack of four lithium-thionyl-chloride cells in series (3.6 V each, 14.4 V
//! nominal; a fresh pack reads about 14.6 V under the controller's light load). Such cells
//! keep a flat discharge curve, so the voltage falls slowly and linearly with the work done:
//! a fixed drop per poll of the line (waking the inductive modem, the instruments' replies)
//! and per frame handed to the acoustic modem (its transmit power dominates). At the
//! simulator's defaults (48 polls and about 105 frames sent a day) that is about 3.5 mV a
//! day, 1.3 V over a year's deployment (14.6 V to 13.3 V); the voltage never reads below
//! the pack's cut-off.
//!
//! Deterministic (a function of the controller's counters, no random draw), so the same
//! seed still gives the same bytes.

use crate::controller::Counters;

/// A lithium pack whose voltage falls with the controller's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pack {
    /// Voltage of the fresh pack, millivolts.
    pub fresh_mv: u16,
    /// Drop per poll of the line, microvolts.
    pub per_poll_uv: u32,
    /// Drop per frame sent to the acoustic modem (retries included), microvolts.
    pub per_send_uv: u32,
    /// Cut-off: the voltage never reads lower, millivolts.
    pub cutoff_mv: u16,
}

impl Pack {
    /// The mooring controller's pack (see the module documentation).
    pub const MOORING: Pack = Pack {
        fresh_mv: 14_600,
        per_poll_uv: 30,
        per_send_uv: 20,
        cutoff_mv: 12_000,
    };

    /// The voltage after the work counted in `c`, millivolts.
    pub fn mv(&self, c: &Counters) -> u16 {
        let drop_uv = u64::from(c.polls) * u64::from(self.per_poll_uv)
            + u64::from(c.frames_sent) * u64::from(self.per_send_uv);
        let drop_mv = u16::try_from(drop_uv / 1000).unwrap_or(u16::MAX);
        self.fresh_mv.saturating_sub(drop_mv).max(self.cutoff_mv)
    }
}

/// What the simulated controller reports as its battery voltage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Battery {
    /// A pack discharged by the controller's work.
    Pack(Pack),
    /// A constant voltage, millivolts (`0` reproduces the captures recorded before the
    /// simulator modelled a battery).
    Fixed(u16),
}

impl Default for Battery {
    fn default() -> Self {
        Battery::Pack(Pack::MOORING)
    }
}

impl Battery {
    /// The voltage to report after the work counted in `c`, millivolts.
    pub fn mv(&self, c: &Counters) -> u16 {
        match self {
            Battery::Pack(p) => p.mv(c),
            Battery::Fixed(mv) => *mv,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pack_falls_slowly_with_work_down_to_its_cutoff() {
        let p = Pack::MOORING;
        let fresh = Counters::default();
        assert_eq!(p.mv(&fresh), 14_600);
        let year = Counters {
            polls: 365 * 48,
            frames_sent: 365 * 105,
            ..Counters::default()
        };
        let v = p.mv(&year);
        assert!((13_200..13_400).contains(&v), "{v}");
        let worn = Counters {
            polls: u32::MAX,
            frames_sent: u32::MAX,
            ..Counters::default()
        };
        assert_eq!(p.mv(&worn), p.cutoff_mv);
        assert_eq!(Battery::Fixed(0).mv(&year), 0);
    }
}
