//! One instrument's UTC day as a table: samples sorted and de-duplicated, derived variables
//! computed with [`crate::seawater`], QARTOD flags computed with [`crate::qc::series`] over
//! the whole sorted day.
//!
//! Every measured value is first rounded to the decimals the files keep
//! ([`super::schema::VARS`]), so a day rebuilt from its own CSV gives exactly the same
//! table as the day built from the records: the CSV is a lossless store of the inputs.

use super::meta::Series;
use super::schema::{round, Input, VARS};
use crate::qc::{
    self, aggregate, aggregate_series, inherit, Flag, QcConfig, QcError, VariableTests,
};
use crate::record::{Record, Value};
use crate::seawater::{self, teos10::depth_from_pressure};
use protocol::time::UtcTime;
use std::cmp::Ordering;

/// Number of data variables.
pub const NVARS: usize = VARS.len();

/// The measured inputs of one record at one time, rounded to the files' decimals
/// (`None`: absent or not a finite number). Order: temperature, conductivity, pressure,
/// oxygen ([`Input::index`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Measurement time.
    pub time: UtcTime,
    /// The inputs.
    pub inputs: [Option<f64>; 4],
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Float(x) | Value::Fixed(x, _) => Some(*x),
        Value::Int(i) => Some(*i as f64),
        _ => None,
    }
}

impl Sample {
    /// A sample with its inputs rounded to the files' decimals.
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
            *slot = r.get(spec.field).and_then(number);
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

/// One row of the day table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// Time.
    pub time: UtcTime,
    /// Values in [`VARS`] order, rounded to their decimals.
    pub values: [Option<f64>; NVARS],
    /// QARTOD flag per variable (aggregate of its tests; derived variables also inherit
    /// the worst flag of their inputs).
    pub flags: [Flag; NVARS],
    /// The record's aggregate flag (ioos_qc `qartod_compare` of the variables' flags).
    pub aggregate: Flag,
}

/// A built day.
#[derive(Debug, Clone, PartialEq)]
pub struct DayTable {
    /// Rows in increasing time.
    pub rows: Vec<Row>,
    /// Exact duplicates dropped.
    pub duplicates: usize,
    /// Same-time conflicting samples dropped.
    pub conflicts: usize,
    /// Samples whose T/C/P were present but the TEOS-10 derivation refused (out of range,
    /// position outside the SAAR table): their derived variables are missing.
    pub derive_errors: usize,
}

/// The aggregate flag of the configured tests on `values`; `None` when no test is
/// configured.
fn run_tests(
    tests: Option<&VariableTests>,
    times: &[UtcTime],
    values: &[f64],
    depths: &[f64],
) -> Result<Option<Vec<Flag>>, QcError> {
    let Some(t) = tests else { return Ok(None) };
    let mut per_test: Vec<Vec<Flag>> = Vec::new();
    if let Some(g) = &t.gross_range {
        per_test.push(qc::series::gross_range(values, g));
    }
    if let Some(c) = &t.climatology {
        per_test.push(qc::series::climatology(times, values, Some(depths), c)?);
    }
    if let Some(s) = &t.spike {
        per_test.push(qc::series::spike(values, s));
    }
    if let Some(r) = &t.rate_of_change {
        per_test.push(qc::series::rate_of_change(times, values, r)?);
    }
    if let Some(f) = &t.flat_line {
        per_test.push(qc::series::flat_line(times, values, f)?);
    }
    if per_test.is_empty() {
        return Ok(None);
    }
    let refs: Vec<&[Flag]> = per_test.iter().map(Vec::as_slice).collect();
    Ok(Some(aggregate_series(&refs)))
}

/// Builds the day table of `series` from `samples` (any order, duplicates allowed) with the
/// QC tests of `qc` (keyed by record field name, e.g. `temperature_c`).
pub fn build(samples: Vec<Sample>, series: &Series, qc: &QcConfig) -> Result<DayTable, QcError> {
    let d = dedup(samples);
    let n = d.samples.len();
    let mut derive_errors = 0;
    let mut rows: Vec<Row> = Vec::with_capacity(n);
    for s in &d.samples {
        let mut values = [None; NVARS];
        values[..4].copy_from_slice(&s.inputs);
        let [t, c, p, o2] = s.inputs;
        if let Some(p) = p {
            values[4] = depth_from_pressure(p, series.latitude).ok();
        }
        if let (Some(t), Some(c), Some(p)) = (t, c, p) {
            match seawater::derive(c, t, p, o2, series.latitude, series.longitude) {
                Ok(x) => {
                    values[5] = Some(x.salinity_psu);
                    values[6] = Some(x.potential_temperature_c);
                    values[7] = x.oxygen_saturation_pct;
                    values[8] = Some(x.sigma_theta_kg_m3);
                }
                Err(_) => derive_errors += 1,
            }
        }
        for (v, spec) in values.iter_mut().zip(VARS.iter()).skip(4) {
            *v = v.and_then(|x| round(x, spec.decimals));
        }
        rows.push(Row {
            time: s.time,
            values,
            flags: [Flag::Missing; NVARS],
            aggregate: Flag::Missing,
        });
    }
    let times: Vec<UtcTime> = rows.iter().map(|r| r.time).collect();
    let depths = vec![series.nominal_depth_m; n];
    for (k, spec) in VARS.iter().enumerate() {
        let values: Vec<f64> = rows
            .iter()
            .map(|r| r.values.get(k).copied().flatten().unwrap_or(f64::NAN))
            .collect();
        let own = run_tests(qc.variables.get(spec.field), &times, &values, &depths)?;
        for (i, row) in rows.iter_mut().enumerate() {
            let present = row.values.get(k).is_some_and(Option::is_some);
            let own_flag = own.as_ref().and_then(|f| f.get(i).copied());
            let flag = if !present {
                Flag::Missing
            } else if spec.inputs.is_empty() {
                own_flag.unwrap_or(Flag::NotEvaluated)
            } else {
                let inputs: Vec<Flag> = spec
                    .inputs
                    .iter()
                    .map(|inp: &Input| row.flags.get(inp.index()).copied().unwrap_or(Flag::Missing))
                    .collect();
                let inherited = inherit(&inputs);
                match own_flag {
                    Some(f) => inherit(&[inherited, f]),
                    None => inherited,
                }
            };
            if let Some(slot) = row.flags.get_mut(k) {
                *slot = flag;
            }
        }
    }
    for row in &mut rows {
        row.aggregate = aggregate(&row.flags);
    }
    Ok(DayTable {
        rows,
        duplicates: d.duplicates,
        conflicts: d.conflicts,
        derive_errors,
    })
}
