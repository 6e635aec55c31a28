//! The ALBATROSS line simulator (feature `sim`, host only): MicroCATs, the line controller,
//! the two acoustic modems and the channel between them, on one simulated clock.
//!
//! ```text
//!  instruments ──line── controller ──AT*SENDIM── line modem ~~channel~~ MII modem ──host if── gateway
//!  (instruments)        (crate::controller)      (modem)       (channel)            (TCP / pty / capture)
//! ```
//!
//! - [`instruments`]: SBE 37-IM(P)(-ODO) replies to `GData` / `!iiData`, values generated
//!   (deep Mediterranean) or replayed from the real OOI line series; ground truth kept.
//! - [`aquadopp`]: a Nortek Aquadopp's velocity records (the line's, on the controller's
//!   serial input when [`SimConfig::aquadopp`] is set, and the MII's).
//! - [`mii`]: the MII seafloor node's own instruments (MicroCAT, Aquadopp, optode, C-Star),
//!   each streaming on its own port ([`serve`] serves them on loopback TCP).
//! - [`channel`]: Gilbert–Elliott loss, bit errors, lost acknowledgements (duplicates),
//!   propagation delay and airtime, scheduled outages; seeded, deterministic.
//! - [`modem`]: EvoLogics S2C host-interface lines on both sides.
//! - [`battery`]: the controller's lithium pack, falling slowly with its work.
//! - [`engine`]: the discrete-event [`Simulation`] tying them together.
//! - [`faults`]: host-interface junk, split reads, `BUSY`/`ERROR`, reboot banners.
//! - [`repair`]: the built-in shore side (`--repair`): the gateway's own `ModemLink` on the
//!   simulated clock.
//! - [`record`]: a whole scenario in simulated time into a capture (`captures/FORMAT.md`,
//!   written by [`protocol::capture::CaptureWriter`], or by [`archive::DayFiles`] as the
//!   gateway's raw archive of one link) plus its ground truth.
//! - [`serve`]: the gateway-facing TCP server and pseudo-terminal, in (accelerated) real time.
//! - [`truth`]: the ground-truth JSON records (BRIEF §4).

extern crate std;

pub mod aquadopp;
pub mod archive;
pub mod battery;
pub mod channel;
pub mod engine;
pub mod faults;
pub mod instruments;
pub mod mii;
pub mod modem;
pub mod repair;
pub mod serve;
pub mod truth;

pub use engine::{SimConfig, SimStats, Simulation, RING};

use std::io::{self, Write};
use std::vec::Vec;

use archive::CaptureSink;
#[cfg(doc)]
use protocol::capture::CaptureWriter;
use protocol::capture::Direction;
use truth::Truth;

/// What a recorded scenario produced besides its files.
#[derive(Debug, Clone)]
pub struct RecordSummary {
    /// Samples measured (ground-truth records).
    pub samples: usize,
    /// Capture records written.
    pub capture_records: u64,
    /// Simulation counters.
    pub stats: SimStats,
    /// Channel counters.
    pub channel: channel::ChannelStats,
    /// Repairer counters, when it ran.
    pub repair: Option<repair::RepairerStats>,
    /// Sequence numbers the repairer still missed at the end.
    pub still_missing: Vec<u16>,
    /// Controller counters at the end.
    pub controller: crate::controller::Counters,
}

/// Plays `config` from its start for `duration_ms` of simulated time, as fast as possible,
/// writing the MII modem's host output (and, with `with_host_writes`, what the built-in
/// repairer wrote to the modem) to `capture` (a [`CaptureWriter`], or [`archive::DayFiles`]),
/// and every measured sample to `truth` as JSON lines.
pub fn record<C: CaptureSink, T: Write>(
    config: SimConfig,
    duration_ms: u64,
    mut writer: C,
    mut truth: T,
    with_host_writes: bool,
) -> io::Result<RecordSummary> {
    let end = config.start_ms + duration_ms;
    let mut sim = Simulation::new(config);
    let mut samples = 0usize;
    let mut step = |sim: &mut Simulation, writer: &mut C| -> io::Result<()> {
        // Interleave the two directions by time.
        let mut recs: Vec<(u64, u8, Vec<u8>)> = Vec::new();
        for (t, b) in sim.take_host_output() {
            recs.push((t, 0, b));
        }
        if with_host_writes {
            for (t, b) in sim.take_host_sent() {
                recs.push((t, 1, b));
            }
        } else {
            sim.take_host_sent();
        }
        recs.sort_by_key(|r| (r.0, r.1));
        for (t, d, b) in recs {
            let dir = if d == 0 {
                Direction::FromModem
            } else {
                Direction::ToModem
            };
            writer.record(dir, t as i64, &b)?;
        }
        for r in sim.take_truth() {
            write_truth(&mut truth, &r)?;
            samples += 1;
        }
        Ok(())
    };
    while let Some(t) = sim.next_event_ms() {
        if t > end {
            break;
        }
        sim.run_until(t);
        step(&mut sim, &mut writer)?;
    }
    sim.run_until(end);
    step(&mut sim, &mut writer)?;
    let capture_records = writer.records();
    writer.finish()?;
    truth.flush()?;
    Ok(RecordSummary {
        samples,
        capture_records,
        stats: sim.stats(),
        channel: sim.channel_stats(),
        repair: sim.repairer().map(|r| r.stats()),
        still_missing: sim.repairer().map(|r| r.missing()).unwrap_or_default(),
        controller: sim.controller().counters(),
    })
}

/// Writes one ground-truth JSON line.
pub fn write_truth<T: Write>(out: &mut T, r: &Truth) -> io::Result<()> {
    out.write_all(r.to_json().as_bytes())?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::channel::{ChannelConfig, Outage};
    use super::*;

    fn lossy(seed: u64) -> SimConfig {
        SimConfig {
            seed,
            channel: ChannelConfig {
                good_loss: 0.05,
                bad_loss: 0.6,
                corrupt_rate: 0.02,
                ack_loss: 0.05,
                outages: std::vec![Outage {
                    start_ms: 3 * 3_600_000,
                    duration_ms: 4 * 3_600_000
                }],
                ..ChannelConfig::default()
            },
            faults: faults::FaultConfig::stress(),
            repair: Some(protocol::modem_link::ModemLinkConfig::default()),
            sample_until_s: Some((SimConfig::default().start_ms / 1000) as u32 + 12 * 3600),
            ..SimConfig::default()
        }
    }

    fn run(config: SimConfig, hours: u64) -> (Vec<u8>, Vec<u8>, RecordSummary) {
        let (mut cap, mut truth) = (Vec::new(), Vec::new());
        let w = protocol::capture::CaptureWriter::new(&mut cap, &[] as &[&str]).unwrap();
        let s = record(config, hours * 3_600_000, w, &mut truth, true).unwrap();
        (cap, truth, s)
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let (a, ta, sa) = run(lossy(5), 18);
        let (b, tb, _) = run(lossy(5), 18);
        assert!(a == b && ta == tb);
        let (c, _, _) = run(lossy(6), 18);
        assert_ne!(a, c);
        // Polls at 00:00 … 11:30 are answered; from 12:00 the line is silent (the `!iiData`
        // of the 12:00 poll comes after the end).
        assert_eq!(sa.samples, 24 * 8, "{:?}", sa.controller);
        assert!(sa.channel.outage_lost > 0 && sa.channel.lost > 0);
    }

    /// Four days: the ring (256 frames, about 2.5 days) wraps. Acknowledged by the shore
    /// side, no overwritten frame counts as dropped; never acknowledged, every one does.
    #[test]
    fn acknowledgements_keep_the_ring_drop_alarm_at_zero() {
        let four_days = |ack_interval_ms| SimConfig {
            seed: 21,
            channel: ChannelConfig {
                good_loss: 0.05,
                ..ChannelConfig::default()
            },
            repair: Some(protocol::modem_link::ModemLinkConfig {
                feedback: protocol::feedback::FeedbackConfig {
                    ack_interval_ms,
                    ..Default::default()
                },
                ..Default::default()
            }),
            ..SimConfig::default()
        };
        let (_, _, acked) = run(four_days(6 * 3_600_000), 4 * 24);
        let c = acked.controller;
        assert!(c.ring_overwritten > 100, "{c:?}");
        assert_eq!(c.ring_dropped, 0, "{c:?}");
        assert!(c.acks >= 10, "{c:?}");
        assert!(acked.still_missing.is_empty(), "{:?}", acked.still_missing);
        let (_, _, never) = run(four_days(0), 4 * 24);
        let c = never.controller;
        assert_eq!(c.acks, 0);
        assert_eq!(c.ring_dropped, c.ring_overwritten, "{c:?}");
    }

    /// Every line status message reaching the host from a clean two-day run.
    fn statuses(config: SimConfig, hours: u64) -> Vec<protocol::message::LineStatus> {
        use protocol::message::Message;
        use protocol::modem_link::{LinkEvent, ModemLink, ModemLinkConfig};
        let mut sim = Simulation::new(config);
        sim.run_until(sim.now_ms() + hours * 3_600_000);
        let mut link = ModemLink::new(ModemLinkConfig::default());
        let mut found = Vec::new();
        for (t, bytes) in sim.take_host_output() {
            let now = protocol::time::UtcTime::from_unix_millis(t as i64);
            link.feed(&bytes, now, |ev| {
                if let LinkEvent::Message {
                    message: Message::LineStatus(s),
                    ..
                } = ev
                {
                    found.push(s);
                }
            });
        }
        found
    }

    #[test]
    fn line_status_reports_a_lithium_pack_falling_slowly() {
        let st = statuses(SimConfig::default(), 48);
        assert!(st.len() >= 8, "{} status messages", st.len());
        for s in &st {
            assert!(
                (13_000..=14_600).contains(&s.battery_mv),
                "{} mV at {}",
                s.battery_mv,
                s.clock
            );
        }
        let (first, last) = (st[0].battery_mv, st[st.len() - 1].battery_mv);
        assert!(last < first, "{first} mV then {last} mV");
        assert!(first - last < 20, "two days cost {} mV", first - last);
        let fixed = SimConfig {
            battery: battery::Battery::Fixed(0),
            ..SimConfig::default()
        };
        assert!(statuses(fixed, 13).iter().all(|s| s.battery_mv == 0));
    }

    /// The line's Aquadopp (opt-in): every record it sent reaches the host as an
    /// `AquadoppSample` with exactly its integers, and the inventory lists it.
    #[test]
    fn the_line_aquadopp_reaches_the_host_as_its_truth() {
        use protocol::message::Message;
        use protocol::modem_link::{LinkEvent, ModemLink, ModemLinkConfig};
        let config = SimConfig {
            aquadopp: Some(aquadopp::AquadoppSpec::albatross()),
            ..SimConfig::default()
        };
        let mut sim = Simulation::new(config);
        sim.run_until(sim.now_ms() + 12 * 3_600_000);
        let truth: Vec<_> = sim
            .take_truth()
            .into_iter()
            .filter_map(|t| match t {
                truth::Truth::Aquadopp { serial, record, .. } => Some((serial, record)),
                _ => None,
            })
            .collect();
        assert_eq!(truth.len(), 24);
        let mut link = ModemLink::new(ModemLinkConfig::default());
        let (mut got, mut inventory) = (Vec::new(), Vec::new());
        for (t, bytes) in sim.take_host_output() {
            let now = protocol::time::UtcTime::from_unix_millis(t as i64);
            link.feed(&bytes, now, |ev| match ev {
                LinkEvent::Message {
                    message: Message::AquadoppSample(s),
                    ..
                } => got.push(s),
                LinkEvent::Message {
                    message: Message::LineStatus(s),
                    ..
                } => inventory = s.inventory.to_vec(),
                _ => {}
            });
        }
        assert_eq!(got.len(), truth.len());
        for (s, (serial, r)) in got.iter().zip(&truth) {
            assert_eq!(*serial, 12_345);
            assert_eq!((s.slot, s.time, s.velocity), (8, r.time_s, r.velocity));
            assert_eq!(
                (s.heading as i16, s.pitch, s.roll, s.pressure, s.temperature),
                (r.heading, r.pitch, r.roll, r.pressure, r.temperature)
            );
            assert_eq!(
                (s.battery, s.sound_speed, s.status),
                (r.battery, r.sound_speed, r.status)
            );
            assert_eq!(s.amplitude, r.amplitude);
        }
        assert!(inventory.iter().any(|e| e.slot == 8
            && e.serial == 12_345
            && e.kind == protocol::message::InstrumentKind::Aquadopp));
        assert_eq!(sim.controller().counters().serial_errors, 0);
        // off by default: the recorded captures' line has none
        let mut plain = Simulation::new(SimConfig::default());
        plain.run_until(plain.now_ms() + 3_600_000);
        assert!(plain.take_truth().iter().all(|t| t.kind() == "sbe37"));
    }

    #[test]
    fn repairer_closes_every_gap_after_an_outage() {
        let (_, _, s) = run(lossy(9), 24);
        let r = s.repair.unwrap();
        assert!(r.repair.requests >= 1, "{r:?}");
        assert!(s.still_missing.is_empty(), "{:?}", s.still_missing);
        assert!(s.controller.repeats_served >= 1);
        assert_eq!(s.controller.ring_dropped, 0);
    }
}
