//! One instrument's UTC day as a table: samples sorted and de-duplicated, derived variables
//! computed with [`crate::seawater`], QARTOD flags computed with [`crate::qc::series`] over
//! the whole sorted day plus its [`Context`]: the instrument's samples of the neighbouring
//! days (so that spike, rate of change and flat line see across midnight) and the line's
//! other instruments (density inversion, [`super::line`]). Context samples are never rows.
//!
//! Every measured value is first rounded to the decimals the files keep
//! ([`super::schema::VARS`]), so a day rebuilt from its own CSV gives exactly the same
//! table as the day built from the records: the CSV is a lossless store of the inputs.

use super::line::{self, LinePoint, LineSeries};
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

/// Index in [`VARS`] of the depth from pressure.
pub const DEPTH: usize = 4;
/// Index in [`VARS`] of sigma-theta.
pub const SIGMA_THETA: usize = 8;

/// Whether the density-inversion flag is one of `field`'s own tests: temperature and
/// conductivity (QARTOD test 13 flags T, C and SP; salinity and the other derived variables
/// inherit it from them) and sigma-theta, the variable the test is computed on.
pub fn takes_inversion(field: &str) -> bool {
    matches!(
        field,
        "temperature_c" | "conductivity_s_m" | "sigma_theta_kg_m3"
    )
}

/// The values of one sample of `series` in [`VARS`] order (see [`values_at`]).
pub(crate) fn values_of(s: &Sample, series: &Series) -> ([Option<f64>; NVARS], bool) {
    values_at(s, series.latitude, series.longitude)
}

/// The values of one sample taken at (`lat`, `lon`) in [`VARS`] order: its inputs, then the
/// derived variables (rounded to their decimals); with `false` when T, C and P are present
/// but the TEOS-10 derivation refused them (the derived variables except depth are then
/// missing). The daily files and the live records both use it.
pub(crate) fn values_at(s: &Sample, lat: f64, lon: f64) -> ([Option<f64>; NVARS], bool) {
    let mut values = [None; NVARS];
    values[..4].copy_from_slice(&s.inputs);
    let [t, c, p, o2] = s.inputs;
    if let Some(p) = p {
        values[DEPTH] = depth_from_pressure(p, lat).ok();
    }
    let mut ok = true;
    if let (Some(t), Some(c), Some(p)) = (t, c, p) {
        match seawater::derive(c, t, p, o2, lat, lon) {
            Ok(x) => {
                values[5] = Some(x.salinity_psu);
                values[6] = Some(x.potential_temperature_c);
                values[7] = x.oxygen_saturation_pct;
                values[SIGMA_THETA] = Some(x.sigma_theta_kg_m3);
            }
            Err(_) => ok = false,
        }
    }
    for (v, spec) in values.iter_mut().zip(VARS.iter()).skip(4) {
        *v = v.and_then(|x| round(x, spec.decimals));
    }
    (values, ok)
}

/// The point the density-inversion test sees for one row: σθ at the depth from pressure,
/// or at the nominal depth when there is no pressure.
pub(crate) fn line_point(
    time: UtcTime,
    values: &[Option<f64>; NVARS],
    series: &Series,
) -> LinePoint {
    LinePoint {
        time,
        depth_m: values[DEPTH].unwrap_or(series.nominal_depth_m),
        sigma_theta: values[SIGMA_THETA].unwrap_or(f64::NAN),
    }
}

/// What the flags of a day depend on besides the day's own samples (see the
/// [`super`] module docs). The default is no context: the day on its own.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// The instrument's samples of the previous days (any order, repeats allowed; only
    /// those before the day's first sample are used).
    pub before: Vec<Sample>,
    /// The instrument's first samples of the next day (only those after the day's last
    /// sample are used). The spike test of the day's last sample needs the first one.
    pub after: Vec<Sample>,
    /// The line's other instruments around the day, for the density-inversion test (used
    /// only when `density_inversion` is configured).
    pub line: Vec<LineSeries>,
}

/// Each configured test's flags on `values`, in a fixed order (empty when none is).
fn run_tests(
    tests: Option<&VariableTests>,
    times: &[UtcTime],
    values: &[f64],
    depths: &[f64],
) -> Result<Vec<Vec<Flag>>, QcError> {
    let Some(t) = tests else {
        return Ok(Vec::new());
    };
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
    Ok(per_test)
}

/// Builds the day table of `series` from `samples` (any order, duplicates allowed) with the
/// QC tests of `qc` (keyed by record field name, e.g. `temperature_c`), without context:
/// [`build_with`] and an empty [`Context`].
pub fn build(samples: Vec<Sample>, series: &Series, qc: &QcConfig) -> Result<DayTable, QcError> {
    build_with(samples, series, qc, &Context::default())
}

/// The flag of every variable of one sample, the rule of the daily files and of the live
/// records: a missing value is MISSING; a measured variable takes its own tests' aggregate
/// (NOT EVALUATED when none is configured); a derived variable takes the worst flag of its
/// inputs ([`inherit`]), made worse by its own tests' aggregate when they found something
/// (an own test that could not be evaluated, e.g. density inversion without a partner,
/// leaves the inherited flag as it is, as NOT EVALUATED never hides a PASS in
/// [`aggregate`]). `own(k)` is the aggregate of variable `k`'s configured tests, `None`
/// when none is configured.
pub fn variable_flags(
    values: &[Option<f64>; NVARS],
    own: impl Fn(usize) -> Option<Flag>,
) -> [Flag; NVARS] {
    let mut flags = [Flag::Missing; NVARS];
    for (k, spec) in VARS.iter().enumerate() {
        let present = values.get(k).is_some_and(Option::is_some);
        let flag = if !present {
            Flag::Missing
        } else if spec.inputs.is_empty() {
            own(k).unwrap_or(Flag::NotEvaluated)
        } else {
            let inputs: Vec<Flag> = spec
                .inputs
                .iter()
                .map(|i: &Input| flags.get(i.index()).copied().unwrap_or(Flag::Missing))
                .collect();
            let inherited = inherit(&inputs);
            match own(k) {
                Some(f) if f != Flag::NotEvaluated => inherit(&[inherited, f]),
                _ => inherited,
            }
        };
        if let Some(slot) = flags.get_mut(k) {
            *slot = flag;
        }
    }
    flags
}

/// Builds the day table of `series` from `samples` (any order, duplicates allowed).
///
/// The series tests run over `context.before`, the day and `context.after` as one
/// continuous series, and the day's rows keep their part of the flags, so the first and
/// last samples of the day are flagged as in a continuous series. When
/// `qc.density_inversion` is set, temperature, conductivity and sigma-theta also take the
/// density-inversion flag against `context.line` ([`line::flags`]) as one of their own
/// tests ([`takes_inversion`]).
pub fn build_with(
    samples: Vec<Sample>,
    series: &Series,
    qc: &QcConfig,
    context: &Context,
) -> Result<DayTable, QcError> {
    let d = dedup(samples);
    let n = d.samples.len();
    let (first, last) = match (d.samples.first(), d.samples.last()) {
        (Some(f), Some(l)) => (f.time, l.time),
        _ => (UtcTime(i64::MAX), UtcTime(i64::MIN)),
    };
    let before: Vec<Sample> = dedup(context.before.clone())
        .samples
        .into_iter()
        .filter(|s| s.time < first)
        .collect();
    let after: Vec<Sample> = dedup(context.after.clone())
        .samples
        .into_iter()
        .filter(|s| s.time > last)
        .collect();
    let nb = before.len();
    let mut derive_errors = 0;
    let mut all: Vec<(UtcTime, [Option<f64>; NVARS])> = Vec::with_capacity(nb + n + after.len());
    for s in &before {
        all.push((s.time, values_of(s, series).0));
    }
    for s in &d.samples {
        let (values, ok) = values_of(s, series);
        if !ok {
            derive_errors += 1;
        }
        all.push((s.time, values));
    }
    for s in &after {
        all.push((s.time, values_of(s, series).0));
    }
    let day_part = |v: &[Flag]| v.get(nb..nb + n).map(<[Flag]>::to_vec);
    let mut rows: Vec<Row> = all
        .get(nb..nb + n)
        .unwrap_or(&[])
        .iter()
        .map(|&(time, values)| Row {
            time,
            values,
            flags: [Flag::Missing; NVARS],
            aggregate: Flag::Missing,
        })
        .collect();
    let times: Vec<UtcTime> = all.iter().map(|r| r.0).collect();
    let depths = vec![series.nominal_depth_m; all.len()];
    let inversion = match &qc.density_inversion {
        Some(cfg) => {
            let points: Vec<LinePoint> = rows
                .iter()
                .map(|r| line_point(r.time, &r.values, series))
                .collect();
            let own_line = LineSeries {
                serial: series.serial.clone(),
                points,
            };
            Some(line::flags(&own_line, &context.line, cfg, &times)?)
        }
        None => None,
    };
    let mut own_all: Vec<Option<Vec<Flag>>> = Vec::with_capacity(NVARS);
    for spec in VARS.iter() {
        let k = own_all.len();
        let values: Vec<f64> = all
            .iter()
            .map(|r| r.1.get(k).copied().flatten().unwrap_or(f64::NAN))
            .collect();
        let mut own: Vec<Vec<Flag>> =
            run_tests(qc.variables.get(spec.field), &times, &values, &depths)?
                .iter()
                .filter_map(|f| day_part(f))
                .collect();
        if let Some(flags) = inversion.as_ref().filter(|_| takes_inversion(spec.field)) {
            own.push(flags.clone());
        }
        own_all.push((!own.is_empty()).then(|| {
            let refs: Vec<&[Flag]> = own.iter().map(Vec::as_slice).collect();
            aggregate_series(&refs)
        }));
    }
    for (i, row) in rows.iter_mut().enumerate() {
        row.flags = variable_flags(&row.values, |k| own_all.get(k)?.as_ref()?.get(i).copied());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_match_the_schema() {
        assert_eq!(VARS[DEPTH].field, "depth_m");
        assert_eq!(VARS[SIGMA_THETA].field, "sigma_theta_kg_m3");
        assert_eq!(VARS[5].field, "salinity_psu");
        assert_eq!(VARS[6].field, "potential_temperature_c");
        assert_eq!(VARS[7].field, "oxygen_saturation_pct");
    }
}
