//! The variables of one MicroCAT record as the daily files see them, and how they are
//! written back into the record: derived values, then the `qc` object.
//!
//! Everything here follows [`crate::dailyfiles::day::build`] so that a live record and its
//! row in the day's files agree: measured inputs are read with [`Sample::from_record`]
//! (rounded to the files' decimals), depth comes from pressure alone, the other derived
//! variables from [`crate::seawater::derive`], every value is rounded to the decimals of
//! its [`VARS`] entry, and flags follow [`crate::dailyfiles::day::variable_flags`].

use crate::dailyfiles::day::{Sample, NVARS};
use crate::dailyfiles::schema::{round, VARS};
use crate::qc::{aggregate, Flag};
use crate::record::{Record, Value};
use crate::seawater::{self, teos10::depth_from_pressure};
use protocol::time::UtcTime;

/// The derived fields the stage writes, in the order they appear in a record (BRIEF §4).
pub const DERIVED: [&str; 5] = [
    "salinity_psu",
    "depth_m",
    "potential_temperature_c",
    "sigma_theta_kg_m3",
    "oxygen_saturation_pct",
];

/// Key of the record's aggregate flag inside the `qc` object.
pub const AGGREGATE: &str = "aggregate";

/// Index of record field `field` in [`VARS`].
pub(super) fn index(field: &str) -> Option<usize> {
    VARS.iter().position(|v| v.field == field)
}

/// One record's variables in [`VARS`] order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Variables {
    /// Measurement time.
    pub time: UtcTime,
    /// Values (rounded to the files' decimals); `None`: absent, null or not derivable.
    pub values: [Option<f64>; NVARS],
    /// Derived values computed here (`false`: absent, or kept from the instrument).
    pub computed: [bool; NVARS],
    /// The T/C/P were all there but TEOS-10 refused them (out of range, position outside
    /// the SAAR table, no position).
    pub derive_error: bool,
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Float(x) | Value::Fixed(x, _) => Some(*x),
        Value::Int(i) => Some(*i as f64),
        _ => None,
    }
}

fn set(values: &mut [Option<f64>; NVARS], computed: &mut [bool; NVARS], field: &str, v: f64) {
    if let Some(k) = index(field) {
        if let (Some(slot), Some(c)) = (values.get_mut(k), computed.get_mut(k)) {
            *slot = Some(v);
            *c = true;
        }
    }
}

/// The variables of `record` at (`lat`, `lon`); `None` when it is not a measurement (no
/// time, or none of temperature, conductivity and pressure), as for the daily files.
/// A derived variable the gateway cannot compute keeps the instrument's own value when the
/// record carries one (an SBE 37 set to output salinity).
pub(super) fn compute(record: &Record, lat: f64, lon: f64) -> Option<Variables> {
    let sample = Sample::from_record(record)?;
    let mut values = [None; NVARS];
    let mut computed = [false; NVARS];
    if let Some(head) = values.get_mut(..sample.inputs.len()) {
        head.copy_from_slice(&sample.inputs);
    }
    let [t, c, p, o2] = sample.inputs;
    if let Some(p) = p {
        if let Ok(depth) = depth_from_pressure(p, lat) {
            set(&mut values, &mut computed, "depth_m", depth);
        }
    }
    let mut derive_error = false;
    if let (Some(t), Some(c), Some(p)) = (t, c, p) {
        match seawater::derive(c, t, p, o2, lat, lon) {
            Ok(x) => {
                let (v, k) = (&mut values, &mut computed);
                set(v, k, "salinity_psu", x.salinity_psu);
                set(v, k, "potential_temperature_c", x.potential_temperature_c);
                set(v, k, "sigma_theta_kg_m3", x.sigma_theta_kg_m3);
                if let Some(sat) = x.oxygen_saturation_pct {
                    set(v, k, "oxygen_saturation_pct", sat);
                }
            }
            Err(_) => derive_error = true,
        }
    }
    for (k, spec) in VARS.iter().enumerate().skip(sample.inputs.len()) {
        let (Some(v), Some(&c)) = (values.get_mut(k), computed.get(k)) else {
            continue;
        };
        *v = if c {
            v.and_then(|x| round(x, spec.decimals))
        } else {
            record
                .get(spec.field)
                .and_then(number)
                .and_then(|x| round(x, spec.decimals))
        };
    }
    Some(Variables {
        time: sample.time,
        values,
        computed,
        derive_error,
    })
}

/// Writes the derived values and the `qc` object into `record`: any earlier copy of a
/// derived field or of `qc` is taken out, then the derived fields follow the measured ones
/// in [`DERIVED`] order (absent when not computed and not supplied by the instrument), and
/// `qc` comes last with one flag per [`VARS`] variable present in the record, in field
/// order, then [`AGGREGATE`].
pub(super) fn write(record: &mut Record, vars: &Variables, flags: &[Flag; NVARS]) {
    for name in DERIVED {
        let old = record.remove(name);
        let Some(k) = index(name) else { continue };
        let spec = VARS.get(k);
        match (
            vars.computed.get(k),
            vars.values.get(k).copied().flatten(),
            spec,
        ) {
            (Some(true), Some(v), Some(spec)) => {
                record.push(name, Value::Fixed(v, spec.decimals));
            }
            _ => {
                record.push_opt(name, old);
            }
        }
    }
    record.remove("qc");
    let mut qc: Vec<(&'static str, Value)> = record
        .fields
        .iter()
        .filter_map(|(name, _)| {
            let k = index(name)?;
            let spec = VARS.get(k)?;
            let flag = flags.get(k)?;
            Some((spec.field, Value::Int(flag.code().into())))
        })
        .collect();
    qc.push((AGGREGATE, Value::Int(aggregate(flags).code().into())));
    record.push("qc", Value::Map(qc));
}
