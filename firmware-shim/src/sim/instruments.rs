//! Simulated SBE 37-IM(P)(-ODO) MicroCATs on the inductive line.
//!
//! They answer the controller's line commands as the real instruments do (instruments.md
//! §2.2): `GData` makes every MicroCAT sample and hold, `!iiData` makes instrument `ii`
//! reply with its held sample as `ii, nnnnn, tt.tttt, c.ccccc, ppp.ppp[, oo.ooo], dd mmm
//! yyyy, hh:mm:ss` (oxygen only on the ODO models). Values are kept as exact integers at
//! the instrument's resolution, so what is printed is exactly what the ground truth holds.
//!
//! Two sources of values:
//! - [`ValueSource::Generated`]: deep Mediterranean water (T ≈ 13.2–13.9 °C, S ≈ 38.5,
//!   C ≈ 4.4–4.6 S/m, P ≈ depth in dbar, O2 ≈ 4.0–4.6 ml/l), smooth tidal/inertial
//!   variation plus noise, deterministic for a seed;
//! - [`ValueSource::Replay`]: the real T and C series of the 12 MicroCATs of the OOI line
//!   in `protocol/tests/data/ooi/node59p1_0.ctdmo.dat` (embedded), one series per slot,
//!   played back and forth; pressure is the slot's nominal pressure plus the real series'
//!   variation about its mean; oxygen is generated.

use std::collections::BTreeMap;
use std::format;
use std::string::String;
use std::vec::Vec;

use protocol::instruments::sbe37::sio::{CtdmoRecord, CtdmoRecords};
use protocol::message::InstrumentKind;
use protocol::time::UtcTime;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use super::truth::TruthRecord;

/// The OOI line telemetry replayed by [`ValueSource::Replay`].
const OOI_LINE: &[u8] = include_bytes!("../../../protocol/tests/data/ooi/node59p1_0.ctdmo.dat");
/// Pressure sensor range of the OOI IM MicroCATs (the `#PressureRange = 1450` of their dumps).
const OOI_PRESSURE_RANGE_PSIA: f64 = 1450.0;

/// Where the instruments' values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ValueSource {
    /// Synthetic deep-Mediterranean values.
    #[default]
    Generated,
    /// The real OOI series (T, C, pressure variation), oxygen synthetic.
    Replay,
}

/// One MicroCAT of the simulated line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentSpec {
    /// Slot in the controller's batches (0–15).
    pub slot: u8,
    /// Inductive-modem ID (`ii`).
    pub im_id: u8,
    /// Model: CTD or CTD + oxygen.
    pub kind: InstrumentKind,
    /// Serial number (the reply prints its last 5 digits).
    pub serial: u32,
    /// Nominal depth, metres.
    pub depth_m: u16,
}

/// The ALBATROSS line (acoustic-link.md §1): CTD-ODO at 500, 750, 1000, 1500, 2000 and
/// 2400 m, CTD at 1250 and 2200 m; serial numbers made up (0372500n), IDs 01–08.
pub fn albatross_line() -> Vec<InstrumentSpec> {
    let depths: [(u16, bool); 8] = [
        (500, true),
        (750, true),
        (1000, true),
        (1250, false),
        (1500, true),
        (2000, true),
        (2200, false),
        (2400, true),
    ];
    depths
        .iter()
        .enumerate()
        .map(|(i, &(depth_m, odo))| InstrumentSpec {
            slot: i as u8,
            im_id: i as u8 + 1,
            kind: if odo {
                InstrumentKind::Sbe37CtdOdo
            } else {
                InstrumentKind::Sbe37Ctd
            },
            serial: 3_725_001 + i as u32,
            depth_m,
        })
        .collect()
}

/// One sample as exact integers at instrument resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measured {
    /// Sample time, Unix seconds.
    pub time_s: u32,
    /// Temperature, 0.0001 °C.
    pub temperature: i32,
    /// Conductivity, 0.00001 S/m.
    pub conductivity: i32,
    /// Pressure, 0.001 dbar.
    pub pressure: i32,
    /// Oxygen, 0.001 ml/l (ODO models only).
    pub oxygen: Option<i32>,
}

/// A replayed series for one slot: (T, C, P) in resolution units.
type Series = Vec<(i32, i32, i32)>;

#[derive(Debug, Clone)]
struct Instrument {
    spec: InstrumentSpec,
    held: Option<Measured>,
    samples_taken: u32,
    /// AR(1) noise states: T, S, P, O2.
    noise: [f64; 4],
    series: Option<Series>,
}

/// All MicroCATs on the line, answering line commands.
#[derive(Debug)]
pub struct Line {
    instruments: Vec<Instrument>,
    rng: ChaCha8Rng,
    pending: Vec<u8>,
    /// After this time (Unix s) the instruments stay silent (end of a recorded scenario).
    silent_after_s: Option<u32>,
    truth: Vec<TruthRecord>,
    reported: std::collections::BTreeSet<(u32, u32)>,
}

impl Line {
    /// A line of `specs`, values from `source`, deterministic for `seed`.
    pub fn new(specs: Vec<InstrumentSpec>, source: ValueSource, seed: u64) -> Self {
        let replay = match source {
            ValueSource::Replay => ooi_series(),
            ValueSource::Generated => Vec::new(),
        };
        let instruments = specs
            .into_iter()
            .enumerate()
            .map(|(i, spec)| {
                let series = replay.get(i % replay.len().max(1)).cloned();
                Instrument {
                    spec,
                    held: None,
                    samples_taken: 0,
                    noise: [0.0; 4],
                    series,
                }
            })
            .collect();
        Line {
            instruments,
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5BE3_7000),
            pending: Vec::new(),
            silent_after_s: None,
            truth: Vec::new(),
            reported: std::collections::BTreeSet::new(),
        }
    }

    /// The instruments.
    pub fn specs(&self) -> impl Iterator<Item = &InstrumentSpec> {
        self.instruments.iter().map(|i| &i.spec)
    }

    /// Makes the instruments silent after `t_s` (Unix seconds).
    pub fn set_silent_after(&mut self, t_s: Option<u32>) {
        self.silent_after_s = t_s;
    }

    /// Ground truth so far: every sample handed to the controller, once, in order.
    pub fn truth(&self) -> &[TruthRecord] {
        &self.truth
    }

    /// Takes the ground-truth records gathered since the last call.
    pub fn take_truth(&mut self) -> Vec<TruthRecord> {
        std::mem::take(&mut self.truth)
    }

    /// Feeds bytes the controller wrote to the line at `now_s`; returns the instruments'
    /// replies (CR LF lines). Partial command lines wait for the rest.
    pub fn handle(&mut self, bytes: &[u8], now_s: u32) -> Vec<u8> {
        self.pending.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(pos) = self.pending.iter().position(|&b| b == b'\n' || b == b'\r') {
            let line: Vec<u8> = self.pending.drain(..=pos).collect();
            let text = String::from(String::from_utf8_lossy(&line[..line.len() - 1]).trim());
            if text.is_empty() {
                continue;
            }
            if self.silent_after_s.is_some_and(|end| now_s > end) {
                continue;
            }
            self.command(&text, now_s, &mut out);
        }
        if self.pending.len() > 256 {
            self.pending.clear();
        }
        out
    }

    fn command(&mut self, text: &str, now_s: u32, out: &mut Vec<u8>) {
        if text.eq_ignore_ascii_case("GData") {
            for i in 0..self.instruments.len() {
                let m = self.measure(i, now_s);
                self.instruments[i].held = Some(m);
            }
            return;
        }
        let id = text
            .strip_prefix('!')
            .and_then(|r| r.strip_suffix("Data").or_else(|| r.strip_suffix("data")))
            .or_else(|| text.strip_prefix("Data"))
            .and_then(|d| d.parse::<u8>().ok());
        let Some(id) = id else { return };
        let Some(i) = self.instruments.iter().position(|x| x.spec.im_id == id) else {
            return;
        };
        let m = match self.instruments[i].held {
            Some(m) => m,
            None => {
                let m = self.measure(i, now_s);
                self.instruments[i].held = Some(m);
                m
            }
        };
        let spec = self.instruments[i].spec.clone();
        out.extend_from_slice(im_reply(&spec, &m).as_bytes());
        if self.reported.insert((spec.serial, m.time_s)) {
            self.truth.push(TruthRecord::from_measured(spec.serial, &m));
        }
    }

    /// Takes a new sample of instrument `i` at `t_s`.
    fn measure(&mut self, i: usize, t_s: u32) -> Measured {
        let n = self.instruments[i].samples_taken;
        self.instruments[i].samples_taken += 1;
        let mut draw = [0.0f64; 4];
        for d in &mut draw {
            *d = gauss(&mut self.rng);
        }
        let inst = &mut self.instruments[i];
        // AR(1) noise with a correlation of ~0.9 between samples.
        let sigma = [0.0012, 0.0008, 0.05, 0.004];
        for k in 0..4 {
            inst.noise[k] = 0.9 * inst.noise[k] + (1.0f64 - 0.81).sqrt() * sigma[k] * draw[k];
        }
        let spec = &inst.spec;
        let depth = f64::from(spec.depth_m);
        let hours = f64::from(t_s) / 3600.0;
        let tide = (2.0 * core::f64::consts::PI * hours / 12.42).sin();
        let inertial = (2.0 * core::f64::consts::PI * hours / 17.65 + depth / 700.0).sin();
        let slow = (2.0 * core::f64::consts::PI * hours / (24.0 * 9.0) + depth / 300.0).sin();
        // Amplitudes shrink with depth: the upper line moves most.
        let shallow = (2600.0 - depth) / 2100.0;
        let p_nominal = depth * 1.0077 + 0.35 * tide + inst.noise[2];
        let oxygen_base = 4.05 + 0.5 * ((depth - 500.0) / 1900.0).clamp(0.0, 1.0).sqrt();
        let oxygen = oxygen_base + 0.04 * slow + 0.02 * inertial + inst.noise[3];
        let (t, c, p) = match &inst.series {
            Some(series) if !series.is_empty() => {
                // Back and forth through the series so that it never jumps.
                let len = series.len() as u32;
                let period = 2 * len.max(1) - 2;
                let k = if period == 0 { 0 } else { n % period };
                let k = if k < len { k } else { period - k };
                let (t, c, dp) = series[k as usize];
                (t, c, (p_nominal * 1000.0).round() as i32 + dp)
            }
            _ => {
                let t = 13.22
                    + 0.63 * ((2400.0 - depth) / 1900.0).clamp(0.0, 1.0).powf(1.6)
                    + shallow * (0.012 * tide + 0.018 * inertial + 0.025 * slow)
                    + inst.noise[0];
                let s = 38.49
                    + 0.06 * ((2400.0 - depth) / 1900.0).clamp(0.0, 1.0)
                    + 0.004 * slow
                    + inst.noise[1];
                let c = conductivity(t, s, p_nominal);
                (
                    (t * 1e4).round() as i32,
                    (c * 1e5).round() as i32,
                    (p_nominal * 1e3).round() as i32,
                )
            }
        };
        Measured {
            time_s: t_s,
            temperature: t,
            conductivity: c,
            pressure: p,
            oxygen: (spec.kind == InstrumentKind::Sbe37CtdOdo)
                .then(|| (oxygen * 1e3).round() as i32),
        }
    }
}

/// Conductivity (S/m) of Mediterranean deep water: a linearisation of PSS-78 around
/// T = 13 °C, S = 38.5, good to a few mS/m over 12–15 °C, 38–39, 0–3000 dbar.
pub fn conductivity(t: f64, s: f64, p: f64) -> f64 {
    4.472 * (s / 38.5) * (1.0 + 0.0236 * (t - 13.0)) * (1.0 + 8.0e-6 * p)
}

/// A standard normal draw (Box–Muller).
pub(crate) fn gauss(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * core::f64::consts::PI * u2).cos()
}

/// `value` units of `10^-decimals` printed exactly (`-1234, 3` → `-1.234`).
pub fn fixed(value: i64, decimals: u32) -> String {
    let scale = 10i64.pow(decimals);
    let sign = if value < 0 { "-" } else { "" };
    let a = value.unsigned_abs();
    let (int, frac) = (a / scale as u64, a % scale as u64);
    format!("{sign}{int}.{frac:0width$}", width = decimals as usize)
}

pub(crate) const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The SBE 37-IM reply to `!iiData` for a held sample, with CR LF.
pub fn im_reply(spec: &InstrumentSpec, m: &Measured) -> String {
    let (y, mo, d, h, mi, s, _) = UtcTime::from_unix_seconds(i64::from(m.time_s)).to_civil();
    let month = MONTHS
        .get((mo as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("Jan");
    let oxygen = match m.oxygen {
        Some(o) => format!(" {:>6},", fixed(o.into(), 3)),
        None => String::new(),
    };
    format!(
        "{:02}, {:05}, {:>8}, {:>8}, {:>9},{} {:02} {} {:04}, {:02}:{:02}:{:02}\r\n",
        spec.im_id,
        spec.serial % 100_000,
        fixed(m.temperature.into(), 4),
        fixed(m.conductivity.into(), 5),
        fixed(m.pressure.into(), 3),
        oxygen,
        d,
        month,
        y,
        h,
        mi,
        s
    )
}

/// The 12 OOI series (sorted by inductive ID) as (T, C, P − mean P) in resolution units.
fn ooi_series() -> Vec<Series> {
    let mut by_id: BTreeMap<u8, Vec<(u32, i32, i32, f64)>> = BTreeMap::new();
    let r = (OOI_PRESSURE_RANGE_PSIA - 14.7) * 0.689_475_7;
    for rec in CtdmoRecords::new(OOI_LINE).flatten() {
        if let CtdmoRecord::Ct(ct) = rec {
            let s = ct.sample;
            let p = s
                .pressure
                .map_or(0.0, |p| f64::from(p) * r / (0.85 * 65536.0) - 0.05 * r);
            by_id.entry(ct.id).or_default().push((
                s.seconds_since_2000,
                s.temperature as i32 - 100_000,
                s.conductivity as i32 - 50_000,
                p,
            ));
        }
    }
    by_id
        .into_values()
        .map(|mut v| {
            v.sort_by_key(|x| x.0);
            let mean = v.iter().map(|x| x.3).sum::<f64>() / v.len().max(1) as f64;
            v.into_iter()
                .map(|(_, t, c, p)| (t, c, ((p - mean) * 1000.0).round() as i32))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::instruments::sbe37::{ascii::AsciiLayout, im, OxygenUnits, PressureUnits};

    fn layout(odo: bool) -> AsciiLayout {
        AsciiLayout {
            pressure: Some(PressureUnits::Decibar),
            oxygen: odo.then_some(OxygenUnits::MlPerL),
            date_time: true,
            ..AsciiLayout::default()
        }
    }

    #[test]
    fn replies_parse_back_to_the_truth() {
        for source in [ValueSource::Generated, ValueSource::Replay] {
            let mut line = Line::new(albatross_line(), source, 9);
            let t0 = 1_772_323_200; // 2026-03-01T00:00:00Z
            for k in 0..100u32 {
                let now = t0 + k * 1800;
                assert!(line.handle(b"GData\r\n", now).is_empty());
                for spec in albatross_line() {
                    let cmd = format!("!{:02}Data\r\n", spec.im_id);
                    let reply = line.handle(cmd.as_bytes(), now + 2);
                    let text = std::str::from_utf8(&reply).unwrap();
                    let odo = spec.kind == InstrumentKind::Sbe37CtdOdo;
                    let s =
                        im::parse(text, &layout(odo)).unwrap_or_else(|e| panic!("{text:?}: {e}"));
                    assert_eq!(
                        (s.id, s.serial),
                        (Some(spec.im_id), Some(spec.serial % 100_000))
                    );
                    assert_eq!(s.time.map(|t| t.unix_seconds()), Some(i64::from(now)));
                    let truth = line.truth().last().unwrap();
                    assert_eq!(truth.serial, spec.serial);
                    assert_eq!(f64::from(truth.temperature) / 1e4, s.temperature_c);
                    assert_eq!(f64::from(truth.conductivity) / 1e5, s.conductivity_s_m);
                    assert_eq!(Some(f64::from(truth.pressure) / 1e3), s.pressure_dbar);
                    assert_eq!(truth.oxygen.map(|o| f64::from(o) / 1e3), s.oxygen_ml_l);
                    if source == ValueSource::Generated {
                        assert!((13.0..=14.0).contains(&s.temperature_c), "{text}");
                        assert!((4.2..=4.7).contains(&s.conductivity_s_m), "{text}");
                        let p = s.pressure_dbar.unwrap();
                        assert!((p - f64::from(spec.depth_m) * 1.0077).abs() < 2.0, "{text}");
                        if let Some(o) = s.oxygen_ml_l {
                            assert!((3.9..=4.7).contains(&o), "{text}");
                        }
                    }
                }
            }
            assert_eq!(line.truth().len(), 800);
        }
    }

    #[test]
    fn deterministic_and_silent_after_the_end() {
        let run = |seed| {
            let mut line = Line::new(albatross_line(), ValueSource::Generated, seed);
            line.handle(b"GData\r\n!01Data\r\n!08Data\r\n", 1000);
            line.handle(b"GData\r\n!01Data\r\n!08Data\r\n", 2800)
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
        let mut line = Line::new(albatross_line(), ValueSource::Generated, 1);
        line.set_silent_after(Some(100));
        assert!(line.handle(b"GData\r\n!01Data\r\n", 200).is_empty());
        assert!(line.truth().is_empty());
    }

    #[test]
    fn fixed_point_printing() {
        assert_eq!(fixed(132_345, 4), "13.2345");
        assert_eq!(fixed(-1_234, 3), "-1.234");
        assert_eq!(fixed(5, 5), "0.00005");
    }
}
