//! The measured variables of one record at one time, rounded to its product's decimals,
//! and how repeated or conflicting samples of one instrument are reduced to one per time.
//!
//! Rounding first makes the daily CSV a lossless store of the inputs: a day rebuilt from
//! its own CSV gives exactly the table built from the records.

use super::products::Product;
use super::variables::{round, MAX_MEASURED};
use crate::record::{Record, Value};
use protocol::time::UtcTime;
use std::cmp::Ordering;

/// The measured variables of one record at one time, rounded to its product's decimals
/// (`None`: absent or not a finite number), in the product's order
/// ([`Product::measured_vars`]); the slots past the product's measured count are `None`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Measurement time.
    pub time: UtcTime,
    /// The measured values.
    pub inputs: [Option<f64>; MAX_MEASURED],
}

/// The number a record field holds: a number, the `element` of a list of numbers, or the
/// leading digits of a text (the optode's product number `4831F`).
fn number(v: &Value, element: Option<usize>) -> Option<f64> {
    match (v, element) {
        (Value::List(items), Some(i)) => items.get(i)?.as_f64(),
        (Value::Text(t), None) => {
            let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        }
        (v, None) => v.as_f64(),
        _ => None,
    }
}

impl Sample {
    /// A sample of `product` with its `inputs` (in [`Product::measured_vars`] order; extra
    /// values are ignored) rounded to the catalogue's decimals.
    pub fn new(product: &Product, time: UtcTime, inputs: &[Option<f64>]) -> Sample {
        let mut out = [None; MAX_MEASURED];
        for ((o, v), spec) in out.iter_mut().zip(inputs).zip(product.measured_vars()) {
            *o = v.and_then(|x| round(x, spec.decimals));
        }
        Sample { time, inputs: out }
    }

    /// The sample of a record of `product` (its kind must be one of the product's
    /// `record_kinds`); `None` when it has no time or none of the product's required
    /// variables ([`Product::required`]: not a measurement record). An Aquadopp record
    /// whose coordinate system is not ENU has no east/north/up velocity.
    pub fn from_record(product: &Product, r: &Record) -> Option<Sample> {
        if !product.record_kinds.contains(&r.kind) {
            return None;
        }
        let time = r.time?;
        let not_enu = r
            .get("coordinate_system")
            .is_some_and(|c| !matches!(c, Value::Text(t) if t.eq_ignore_ascii_case("enu")));
        let mut inputs = [None; MAX_MEASURED];
        for (slot, spec) in inputs.iter_mut().zip(product.measured_vars()) {
            if not_enu && spec.field == "velocity_m_s" {
                continue;
            }
            *slot = r.get(spec.field).and_then(|v| number(v, spec.element));
        }
        if inputs.iter().take(product.required).all(Option::is_none) {
            return None;
        }
        Some(Sample::new(product, time, &inputs))
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
