//! The assessment of one instrument's series: samples sorted and de-duplicated, derived
//! variables computed ([`super::derived`]), QARTOD flags computed with
//! [`crate::qc::series`] over the whole sorted series plus its [`Context`] (the
//! instrument's samples just before and after, so that spike, rate of change and flat line
//! see across the series' ends, and the line's other instruments for density inversion,
//! [`super::line`]), and the flags combined ([`super::flags`]). Context samples are never
//! rows. The daily files assess one UTC day at a time.

use super::deployment::Deployment;
use super::derived::{values_at, Values};
use super::flags::{series_tests, takes_inversion, variable_flags, Test, TestFlags, NTESTS};
use super::line::{self, line_point, same_poll, LinePoint, LineSeries};
use super::products::Product;
use super::sample::{dedup, Sample};
use super::variables::MAX_VARS;
use crate::qc::point::median_interval_s;
use crate::qc::{aggregate, aggregate_series, Flag, QcConfig, QcError};
use protocol::time::UtcTime;

/// One assessed sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// Time.
    pub time: UtcTime,
    /// Values in the product's variable order, rounded to their decimals (slots past its
    /// variables are `None`).
    pub values: Values,
    /// QARTOD flag per variable (aggregate of its tests; derived variables also inherit
    /// the worst flag of their inputs).
    pub flags: [Flag; MAX_VARS],
    /// Each test's own flag per variable (`None`: not configured), before combination.
    pub tests: [TestFlags; MAX_VARS],
    /// The record's aggregate flag (ioos_qc `qartod_compare` of the variables' flags).
    pub aggregate: Flag,
}

/// An assessed series.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
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

/// What the flags of a series depend on besides its own samples (for the daily files, see
/// the `dailyfiles` module docs). The default is no context: the series on its own.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// The instrument's samples that precede (any order, repeats allowed; only those
    /// before the series' first sample are used).
    pub before: Vec<Sample>,
    /// The instrument's samples that follow (any order, repeats allowed; only those after
    /// the series' last sample are used). The spike test of the last sample needs the first one.
    pub after: Vec<Sample>,
    /// The line's other instruments around the series, for the density-inversion test (used
    /// only when `density_inversion` is configured).
    pub line: Vec<LineSeries>,
    /// For an optode: the MicroCAT beside it (its σθ gives oxygen per unit mass), matched
    /// by time as the records of one poll are ([`line::same_poll`]).
    pub reference: Option<LineSeries>,
}

/// Assesses the `samples` (any order, duplicates allowed) of the instrument `deployment`
/// of `product` with the tests of `qc` (keyed by each variable's `qc_key`, e.g.
/// `temperature_c`).
///
/// The series tests run over `context.before`, the samples and `context.after` as one
/// continuous series, and the rows keep their part of the flags, so the first and last
/// samples are flagged as in the continuous series. When
/// `qc.density_inversion` is set, temperature, conductivity and sigma-theta also take the
/// density-inversion flag against `context.line` ([`line::flags`]) as one of their own
/// tests ([`takes_inversion`]) on a product that takes it (the MicroCAT).
pub fn assess(
    product: &Product,
    samples: Vec<Sample>,
    deployment: &Deployment<'_>,
    qc: &QcConfig,
    context: &Context,
) -> Result<Assessment, QcError> {
    let (lat, lon) = (deployment.latitude, deployment.longitude);
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
    let sample_times: Vec<i64> = d.samples.iter().map(|s| s.time.0).collect();
    let median_ms = median_interval_s(sample_times.iter().copied()).map(|s| (s * 1000.0) as i64);
    let sigma_theta = |t: UtcTime| {
        let p = context
            .reference
            .as_ref()?
            .nearest(t, |dt| same_poll(dt, median_ms))?;
        p.sigma_theta.is_finite().then_some(p.sigma_theta)
    };
    let values = |s: &Sample| values_at(product, s, lat, lon, sigma_theta(s.time));
    let mut all: Vec<(UtcTime, Values)> = Vec::with_capacity(nb + n + after.len());
    for s in &before {
        all.push((s.time, values(s).0));
    }
    for s in &d.samples {
        let (v, ok) = values(s);
        if !ok {
            derive_errors += 1;
        }
        all.push((s.time, v));
    }
    for s in &after {
        all.push((s.time, values(s).0));
    }
    let own_part = |v: &[Flag]| v.get(nb..nb + n).map(<[Flag]>::to_vec);
    let mut rows: Vec<Row> = all
        .get(nb..nb + n)
        .unwrap_or(&[])
        .iter()
        .map(|&(time, values)| Row {
            time,
            values,
            flags: [Flag::Missing; MAX_VARS],
            tests: [[None; NTESTS]; MAX_VARS],
            aggregate: Flag::Missing,
        })
        .collect();
    let times: Vec<UtcTime> = all.iter().map(|r| r.0).collect();
    let depths = vec![deployment.nominal_depth_m; all.len()];
    let inversion = match qc
        .density_inversion
        .as_ref()
        .filter(|_| product.density_inversion)
    {
        Some(cfg) => {
            let points: Vec<LinePoint> = rows
                .iter()
                .map(|r| line_point(r.time, &r.values, deployment.nominal_depth_m))
                .collect();
            let own_line = LineSeries {
                serial: deployment.serial.to_owned(),
                points,
            };
            Some(line::flags(&own_line, &context.line, cfg, &times)?)
        }
        None => None,
    };
    let mut own_all: Vec<Option<Vec<Flag>>> = Vec::with_capacity(MAX_VARS);
    for (k, spec) in product.vars.iter().enumerate() {
        let values: Vec<f64> = all
            .iter()
            .map(|r| r.1.get(k).copied().flatten().unwrap_or(f64::NAN))
            .collect();
        let mut own: Vec<(Test, Vec<Flag>)> =
            series_tests(qc.variables.get(spec.qc_key), &times, &values, &depths)?
                .into_iter()
                .filter_map(|(t, f)| Some((t, own_part(&f)?)))
                .collect();
        if let Some(flags) = inversion.as_ref().filter(|_| takes_inversion(spec.qc_key)) {
            own.push((Test::DensityInversion, flags.clone()));
        }
        for (test, flags) in &own {
            for (row, f) in rows.iter_mut().zip(flags) {
                if let Some(slot) = row.tests.get_mut(k).and_then(|t| t.get_mut(test.index())) {
                    *slot = Some(*f);
                }
            }
        }
        own_all.push((!own.is_empty()).then(|| {
            let refs: Vec<&[Flag]> = own.iter().map(|(_, f)| f.as_slice()).collect();
            aggregate_series(&refs)
        }));
    }
    for (i, row) in rows.iter_mut().enumerate() {
        row.flags = variable_flags(product, &row.values, |k| {
            own_all.get(k)?.as_ref()?.get(i).copied()
        });
    }
    for row in &mut rows {
        row.aggregate = aggregate(row.flags.get(..product.vars.len()).unwrap_or(&[]));
    }
    Ok(Assessment {
        rows,
        duplicates: d.duplicates,
        conflicts: d.conflicts,
        derive_errors,
    })
}
