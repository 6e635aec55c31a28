//! The variables of one MicroCAT record as the science core sees them, and how they are
//! written back into the record: derived values, then the `qc` object.
//!
//! Everything here comes from [`crate::science`], as the daily files do
//! ([`crate::science::assess`]), so that a live record and its row in the day's files
//! agree: measured inputs are read with [`Sample::from_record`] (rounded to the
//! catalogue's decimals), the derived variables come from [`values_at`], and flags follow
//! [`crate::science::variable_flags`].

use crate::qc::{aggregate, Flag};
use crate::record::{Record, Value};
use crate::science::{round, values_at, Sample, Values, MAX_VARS, MICROCAT};
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

/// Index of record field `field` in the MicroCAT's variables.
fn index_of(field: &str) -> Option<usize> {
    MICROCAT.vars.iter().position(|v| v.field == field)
}

/// One record's variables in the MicroCAT's variable order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Variables {
    /// Measurement time.
    pub time: UtcTime,
    /// Values (rounded to the files' decimals); `None`: absent, null or not derivable.
    pub values: Values,
    /// Derived values computed here (`false`: absent, or kept from the instrument).
    pub computed: [bool; MAX_VARS],
    /// The T/C/P were all there but TEOS-10 refused them (out of range, position outside
    /// the SAAR table, no position).
    pub derive_error: bool,
}

/// The variables of `record` at (`lat`, `lon`); `None` when it is not a measurement (no
/// time, or none of temperature, conductivity and pressure), as for the daily files.
/// A derived variable the gateway cannot compute keeps the instrument's own value when the
/// record carries one (an SBE 37 set to output salinity).
pub(super) fn compute(record: &Record, lat: f64, lon: f64) -> Option<Variables> {
    let sample = Sample::from_record(&MICROCAT, record)?;
    let (mut values, ok) = values_at(&MICROCAT, &sample, lat, lon, None);
    let mut computed = [false; MAX_VARS];
    for (k, spec) in MICROCAT.vars.iter().enumerate().skip(MICROCAT.measured) {
        let (Some(v), Some(c)) = (values.get_mut(k), computed.get_mut(k)) else {
            continue;
        };
        *c = v.is_some();
        if v.is_none() {
            *v = record
                .get(spec.field)
                .and_then(Value::as_f64)
                .and_then(|x| round(x, spec.decimals));
        }
    }
    let derive_error = !ok;
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
/// `qc` comes last with one flag per MicroCAT variable present in the record, in field
/// order, then [`AGGREGATE`].
pub(super) fn write(record: &mut Record, vars: &Variables, flags: &[Flag; MAX_VARS]) {
    for name in DERIVED {
        let old = record.remove(name);
        let Some(k) = index_of(name) else { continue };
        let spec = MICROCAT.vars.get(k);
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
            let k = index_of(name)?;
            let spec = MICROCAT.vars.get(k)?;
            let flag = flags.get(k)?;
            Some((spec.field, Value::Int(flag.code().into())))
        })
        .collect();
    let own = flags.get(..MICROCAT.vars.len()).unwrap_or(&[]);
    qc.push((AGGREGATE, Value::Int(aggregate(own).code().into())));
    record.push("qc", Value::Map(qc));
}
