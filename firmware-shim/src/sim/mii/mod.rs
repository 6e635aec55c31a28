//! The MII seafloor node's own instruments, each on its own serial line (served on its own
//! TCP port by [`crate::sim::serve`]): the SBE 37-SMP-ODO MicroCAT's real-time lines
//! ([`sbe37`]), the Aquadopp's Nortek binary ([`aquadopp`], [`crate::sim::aquadopp`]), the
//! 4831 optode's logger lines ([`optode`]) and the C-Star's lines ([`cstar`]).
//!
//! [`MiiNode`] is sans-IO like [`crate::sim::engine::Simulation`]: it produces each
//! instrument's bytes on the simulated clock (Unix milliseconds) with
//! [`MiiNode::run_until`], and the ground truth of every sample sent with
//! [`MiiNode::take_truth`]. Each instrument samples at the multiples of its interval and
//! sends when its measurement ends (MicroCAT 3 s, Aquadopp after its 60-s average; the
//! optode's logger stamps the line when it arrives, the C-Star has no clock).

pub mod aquadopp;
pub mod cstar;
pub mod optode;
pub mod sbe37;

use std::vec::Vec;

use super::aquadopp::{Aquadopp, AquadoppSpec};
use super::instruments::Measured;
use super::truth::{AquadoppPath, Truth, TruthRecord};

/// What an instrument of the node is (the `kind` of its `[[platform.instrument]]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MiiKind {
    /// SBE 37-SMP-ODO MicroCAT.
    Sbe37Odo,
    /// Nortek Aquadopp.
    Aquadopp,
    /// Aanderaa 4831 optode.
    Optode,
    /// WET Labs C-Star.
    Cstar,
}

impl MiiKind {
    /// The configuration's name of the kind (`sbe37-odo`, `aquadopp`, `optode`, `cstar`).
    pub fn name(self) -> &'static str {
        match self {
            MiiKind::Sbe37Odo => "sbe37-odo",
            MiiKind::Aquadopp => "aquadopp",
            MiiKind::Optode => "optode",
            MiiKind::Cstar => "cstar",
        }
    }
}

/// The node's instruments: serial numbers (those of `gateway/albatross.example.toml`),
/// depth and sampling intervals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MiiConfig {
    /// Seed of the instruments' noise.
    pub seed: u64,
    /// Depth of the instruments, metres.
    pub depth_m: u16,
    /// MicroCAT serial number and seconds between samples.
    pub sbe37: (u32, u32),
    /// Aquadopp serial number and seconds between records.
    pub aquadopp: (u32, u32),
    /// Optode serial number and seconds between samples.
    pub optode: (u32, u32),
    /// C-Star serial number and seconds between samples.
    pub cstar: (u32, u32),
    /// When set, the MicroCAT sends these samples, each at its own time, instead of
    /// sampling every interval: a real memory upload played back as the real-time output
    /// it was stored with ([`sbe37::memory_samples`]). Samples without oxygen (an SBE 37
    /// without oxygen sensor) get the generated oxygen, as [`super::instruments::ValueSource::Replay`] does.
    pub sbe37_memory: Option<Vec<Measured>>,
}

impl Default for MiiConfig {
    /// The example configuration's MII: MicroCAT 3716125 every 5 min, Aquadopp 11402 every
    /// 10 min, optode 379 every 5 min, C-Star 1234 every minute, at 2470 m.
    fn default() -> Self {
        MiiConfig {
            seed: 1,
            depth_m: 2470,
            sbe37: (3_716_125, 300),
            aquadopp: (11_402, 600),
            optode: (379, 300),
            cstar: (1234, 60),
            sbe37_memory: None,
        }
    }
}

/// Seconds between the start of a measurement and its output.
const MICROCAT_LATENCY_S: u32 = 3;
/// The start of a measurement that never comes (a played-back memory is over).
const NEVER_S: u32 = u32::MAX / 2;
/// The Aquadopp's averaging time, seconds.
const AQUADOPP_AVERAGE_S: u32 = 60;

#[derive(Debug)]
enum Instrument {
    Sbe37(sbe37::MiiMicrocat),
    /// The MicroCAT playing back a memory upload: the samples left, in time order, and the
    /// generator of its oxygen (an upload of an SBE 37 without oxygen sensor).
    Sbe37Memory(std::collections::VecDeque<Measured>, sbe37::MiiMicrocat),
    Aquadopp(Aquadopp),
    Optode(optode::MiiOptode),
    Cstar(cstar::MiiCstar),
}

#[derive(Debug)]
struct Port {
    kind: MiiKind,
    serial: u32,
    interval_s: u32,
    latency_s: u32,
    /// Start of the next measurement, Unix seconds.
    next_s: u32,
    instrument: Instrument,
}

/// The node's instruments on the simulated clock.
#[derive(Debug)]
pub struct MiiNode {
    ports: Vec<Port>,
    truth: Vec<Truth>,
    /// The Aquadopp's power-up bytes and their time, until handed out.
    preamble: Option<(u64, Vec<u8>)>,
}

impl MiiNode {
    /// The instruments of `config`, first measurement at or after `start_ms`.
    pub fn new(config: &MiiConfig, start_ms: u64) -> Self {
        let start_s = start_ms.div_ceil(1000) as u32;
        let seed = config.seed;
        let aquadopp = AquadoppSpec {
            serial: config.aquadopp.0,
            slot: 0,
            depth_m: config.depth_m,
            interval_s: config.aquadopp.1,
            orientation_down: false,
            heading_deg: 123.4,
        };
        let port = |kind, (serial, interval_s): (u32, u32), latency_s, instrument| {
            let interval_s = interval_s.max(1);
            Port {
                kind,
                serial,
                interval_s,
                latency_s,
                next_s: start_s.div_ceil(interval_s) * interval_s,
                instrument,
            }
        };
        let generator = sbe37::MiiMicrocat::new(config.depth_m, seed);
        let (instrument, first_s) = match &config.sbe37_memory {
            None => (Instrument::Sbe37(generator), None),
            Some(samples) => {
                let left: std::collections::VecDeque<Measured> = samples
                    .iter()
                    .filter(|m| m.time_s >= start_s)
                    .copied()
                    .collect();
                let first_s = left.front().map_or(NEVER_S, |m| m.time_s);
                (Instrument::Sbe37Memory(left, generator), Some(first_s))
            }
        };
        let mut microcat = port(
            MiiKind::Sbe37Odo,
            config.sbe37,
            MICROCAT_LATENCY_S,
            instrument,
        );
        // a played-back memory sends each sample at its own time, not every interval
        if let Some(first_s) = first_s {
            microcat.next_s = first_s;
        }
        let ports = std::vec![
            microcat,
            port(
                MiiKind::Aquadopp,
                config.aquadopp,
                AQUADOPP_AVERAGE_S,
                Instrument::Aquadopp(Aquadopp::new(aquadopp, seed)),
            ),
            port(
                MiiKind::Optode,
                config.optode,
                0,
                Instrument::Optode(optode::MiiOptode::new(config.optode.0, seed)),
            ),
            port(
                MiiKind::Cstar,
                config.cstar,
                0,
                Instrument::Cstar(cstar::MiiCstar::new(config.cstar.0, seed)),
            ),
        ];
        let interval = u16::try_from(config.aquadopp.1).unwrap_or(u16::MAX);
        MiiNode {
            ports,
            truth: Vec::new(),
            preamble: Some((
                start_ms,
                aquadopp::config_preamble(interval, AQUADOPP_AVERAGE_S as u16),
            )),
        }
    }

    /// The instruments, one per port, in port order: kind and serial number.
    pub fn ports(&self) -> Vec<(MiiKind, u32)> {
        self.ports.iter().map(|p| (p.kind, p.serial)).collect()
    }

    /// When the next bytes are due, Unix milliseconds.
    pub fn next_event_ms(&self) -> Option<u64> {
        let first = self.preamble.as_ref().map(|(t, _)| *t);
        self.ports
            .iter()
            .filter(|p| p.next_s < NEVER_S)
            .map(|p| u64::from(p.next_s + p.latency_s) * 1000)
            .chain(first)
            .min()
    }

    /// Every output due up to and including `t_ms`, in time order: (port index, time in
    /// Unix ms, bytes). The first call also gives the Aquadopp's power-up configuration
    /// structures (at the start).
    pub fn run_until(&mut self, t_ms: u64) -> Vec<(usize, u64, Vec<u8>)> {
        let mut out = Vec::new();
        if let Some((t0, pre)) = self.preamble.take() {
            if let Some(i) = self.ports.iter().position(|p| p.kind == MiiKind::Aquadopp) {
                out.push((i, t0, pre));
            }
        }
        while let Some((i, due)) = self
            .ports
            .iter()
            .enumerate()
            .filter(|(_, p)| p.next_s < NEVER_S)
            .map(|(i, p)| (i, u64::from(p.next_s + p.latency_s) * 1000))
            .min_by_key(|&(i, t)| (t, i))
        {
            if due > t_ms {
                break;
            }
            match self.sample(i) {
                Some((bytes, truth)) => {
                    self.truth.push(truth);
                    out.push((i, due, bytes));
                }
                // a memory played back to its end: the port is never due again
                None => self.ports[i].next_s = NEVER_S,
            }
        }
        out
    }

    /// Takes the ground truth of every sample sent since the last call.
    pub fn take_truth(&mut self) -> Vec<Truth> {
        std::mem::take(&mut self.truth)
    }

    /// Measures and formats port `i`'s next sample, and moves its schedule on.
    /// `None`: the port has nothing more to send (a played-back memory is over).
    fn sample(&mut self, i: usize) -> Option<(Vec<u8>, Truth)> {
        let p = &mut self.ports[i];
        let t = p.next_s;
        p.next_s += p.interval_s;
        match &mut p.instrument {
            Instrument::Sbe37(cat) => {
                let m = cat.measure(t);
                Some((
                    sbe37::line(&m).into_bytes(),
                    Truth::Sbe37(TruthRecord::from_measured(p.serial, &m)),
                ))
            }
            Instrument::Sbe37Memory(left, generator) => {
                let mut m = left.pop_front()?;
                if m.oxygen.is_none() {
                    m.oxygen = generator.measure(m.time_s).oxygen;
                }
                p.next_s = left.front().map_or(NEVER_S, |n| n.time_s.max(t + 1));
                Some((
                    sbe37::line(&m).into_bytes(),
                    Truth::Sbe37(TruthRecord::from_measured(p.serial, &m)),
                ))
            }
            Instrument::Aquadopp(a) => {
                let record = a.measure(t);
                Some((
                    record.encode(),
                    Truth::Aquadopp {
                        serial: p.serial,
                        record,
                        path: AquadoppPath::Serial,
                    },
                ))
            }
            Instrument::Optode(o) => {
                let s = o.measure(t);
                Some((optode::line(&s).into_bytes(), Truth::Optode(s)))
            }
            Instrument::Cstar(c) => {
                let s = c.measure(t);
                Some((cstar::line(&s).into_bytes(), Truth::Cstar(s)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_of_every_instrument_in_time_order_with_its_truth() {
        let start = 1_772_323_200_000;
        let mut node = MiiNode::new(&MiiConfig::default(), start);
        assert_eq!(node.next_event_ms(), Some(start));
        let out = node.run_until(start + 86_400_000 - 1);
        let truth = node.take_truth();
        // the preamble, then 288 + 144 + 288 + 1440 samples
        assert_eq!(out.len(), 1 + 288 + 144 + 288 + 1440);
        assert_eq!(truth.len(), 288 + 144 + 288 + 1440);
        assert!(out.windows(2).all(|w| w[0].1 <= w[1].1));
        assert_eq!(out[0].2.len(), 784);
        let per = |kind: &str| truth.iter().filter(|t| t.kind() == kind).count();
        assert_eq!(
            (
                per("sbe37"),
                per("aquadopp_velocity"),
                per("optode"),
                per("cstar")
            ),
            (288, 144, 288, 1440)
        );
        let again = MiiNode::new(&MiiConfig::default(), start).run_until(start + 86_400_000 - 1);
        assert_eq!(out, again);
    }

    #[test]
    fn a_memory_upload_is_sent_each_sample_at_its_time_then_nothing() {
        let hex = include_str!(
            "../../../../protocol/tests/data/seabird/SBE37SM-RS232_03716125_2017_11_16.hex"
        );
        let samples = sbe37::memory_samples(hex).unwrap();
        assert_eq!(samples.len(), 5502);
        // the first scan of the .cnv beside it: -1.9118 °C, 2.711842 S/m, 20.072 dbar
        assert_eq!(
            (
                samples[0].temperature,
                samples[0].conductivity,
                samples[0].pressure
            ),
            (-19_118, 271_184, 20_072)
        );
        // start after the 10th scan: the 11th is the first sent
        let start_ms = u64::from(samples[9].time_s) * 1000 + 1;
        let config = MiiConfig {
            sbe37_memory: Some(samples.clone()),
            ..MiiConfig::default()
        };
        let mut node = MiiNode::new(&config, start_ms);
        let last_ms = u64::from(samples[5501].time_s) * 1000;
        let out = node.run_until(last_ms + 86_400_000);
        let sent: Vec<u32> = node
            .take_truth()
            .iter()
            .filter_map(|t| match t {
                Truth::Sbe37(r) => Some(r.time_s),
                _ => None,
            })
            .collect();
        let want: Vec<u32> = samples[10..].iter().map(|m| m.time_s).collect();
        assert_eq!(sent, want);
        let first = out.iter().find(|(i, _, _)| *i == 0).unwrap();
        assert_eq!(first.1, (u64::from(samples[10].time_s) + 3) * 1000);
        // the 11th scan of the .cnv: -1.9116 °C, 2.715873 S/m, 20.069 dbar; generated O2
        let line = std::str::from_utf8(&first.2).unwrap();
        assert!(
            line.starts_with(" -1.9116,  2.71587,    20.069, "),
            "{line}"
        );
        assert!(line.ends_with(", 10 Nov 2017, 18:20:01\r\n"), "{line}");
    }
}
