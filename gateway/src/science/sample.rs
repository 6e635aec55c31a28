//! The measured inputs of one record at one time, rounded to the catalogue's decimals, and
//! how repeated or conflicting samples of one instrument are reduced to one per time.
//!
//! Rounding first makes the daily CSV a lossless store of the inputs: a day rebuilt from
//! its own CSV gives exactly the table built from the records.

use super::variables::{round, VARS};
use crate::record::Record;
use protocol::time::UtcTime;
use std::cmp::Ordering;

/// The measured inputs of one record at one time, rounded to the catalogue's decimals
/// (`None`: absent or not a finite number). Order: temperature, conductivity, pressure,
/// oxygen ([`super::Input::index`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Measurement time.
    pub time: UtcTime,
    /// The inputs.
    pub inputs: [Option<f64>; 4],
}

impl Sample {
    /// A sample with its inputs rounded to the catalogue's decimals.
    pub fn new(time: UtcTime, inputs: [Option<f64>; 4]) -> Sample {
        let mut out = [None; 4];
        for (i, (o, v)) in out.iter_mut().zip(inputs).enumerate() {
            let decimals = VARS.get(i).map_or(6, |s| s.decimals);
            *o = v.and_then(|x| round(x, decimals));
        }
        Sample { time, inputs: out }
    }

    /// The sample of a MicroCAT record; `None` when it has no time or none of
    /// temperature, conductivity and pressure (not a measurement record).
    pub fn from_record(r: &Record) -> Option<Sample> {
        let time = r.time?;
        let mut inputs = [None; 4];
        for (slot, spec) in inputs.iter_mut().zip(VARS.iter()) {
            *slot = r.get(spec.field).and_then(|v| v.as_f64());
        }
        if inputs.iter().take(3).all(Option::is_none) {
            return None;
        }
        Some(Sample::new(time, inputs))
    }

    /// Order among samples of the same time, independent of arrival order: the most
    /// complete first, then by values (absent last).
    fn preference(&self, other: &Sample) -> Ordering {
        let present = |s: &Sample| s.inputs.iter().filter(|v| v.is_some()).count();
        present(other).cmp(&present(self)).then_with(|| {
            for (a, b) in self.inputs.iter().zip(&other.inputs) {
                let o = match (a, b) {
                    (Some(a), Some(b)) => a.total_cmp(b),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        })
    }
}

/// Samples sorted by time with one sample per time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Deduplicated {
    /// The kept samples, strictly increasing in time.
    pub samples: Vec<Sample>,
    /// Samples dropped because an identical one (same time, same values) was kept.
    pub duplicates: usize,
    /// Samples dropped because another one with the same time but different values was
    /// kept (the most complete; ties broken by value, so the choice never depends on the
    /// order the samples arrived in).
    pub conflicts: usize,
}

/// Sorts by time and keeps one sample per time (see [`Deduplicated`]).
pub fn dedup(mut samples: Vec<Sample>) -> Deduplicated {
    samples.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.preference(b)));
    let mut out = Deduplicated::default();
    for s in samples {
        match out.samples.last() {
            Some(last) if last.time == s.time => {
                if *last == s {
                    out.duplicates += 1;
                } else {
                    out.conflicts += 1;
                }
            }
            _ => out.samples.push(s),
        }
    }
    out
}
