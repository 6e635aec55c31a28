//! Density inversion across a mooring line's instruments (QARTOD test 13): the records of one poll are matched by time, ordered vertically, and each
//! record's σθ is compared with its vertical neighbours' by
//! [`crate::qc::series::density_inversion`].
//!
//! **Matching.** The line controller polls its MicroCATs one after the other, so the
//! records of one poll carry times a few seconds apart, never exactly equal. For a record
//! of instrument A at time t, every other instrument contributes its sample nearest to t
//! (the earlier one on a tie) if it lies within A's tolerance: at most
//! [`MAX_POLL_SPREAD_MS`] (5 min, far more than the seconds a poll takes, even for a long
//! line), and strictly less than half A's median sampling interval (so that a record is
//! never matched with the previous or next poll of an instrument whose record of this poll
//! is missing, however fast the line samples). A fixed tolerance alone would mismatch polls
//! with a sampling interval under 10 min; half the interval alone would accept records
//! 15 min apart at a 30 min interval.
//!
//! **Order and flags.** The matched records are ordered by their depth from pressure (the
//! nominal depth when there is no pressure), ties by serial number, and the test runs on
//! that profile: each instrument is compared with the next deeper one that has a σθ (a
//! missing instrument is skipped), and **both instruments of an inverted pair get the
//! flag**, as ioos_qc's `density_inversion_test` does; an instrument in two inverted pairs
//! keeps the worse. A record with no other instrument matched is NOT EVALUATED; a record
//! without σθ is MISSING.

use super::deployment::Deployment;
use super::derived::{values_at, Values};
use super::products::microcat::{DEPTH, SIGMA_THETA};
use super::products::MICROCAT;
use super::sample::{dedup, Sample};
use crate::qc::config::DensityInversionConfig;
use crate::qc::point::median_interval_s;
use crate::qc::{self, Flag, QcError};
use protocol::time::UtcTime;

/// The largest time difference between two records of one poll that are matched (ms).
pub const MAX_POLL_SPREAD_MS: i64 = 5 * 60 * 1000;

/// One instrument's σθ at one time, at the depth where it was measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinePoint {
    /// Sample time.
    pub time: UtcTime,
    /// Depth (m, positive down): from pressure, else the nominal depth.
    pub depth_m: f64,
    /// Sigma-theta (kg/m³); NaN when it could not be derived.
    pub sigma_theta: f64,
}

/// One instrument of the line as the density-inversion test sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct LineSeries {
    /// Serial number (orders instruments at equal depths).
    pub serial: String,
    /// Its points, in strictly increasing time.
    pub points: Vec<LinePoint>,
}

impl LineSeries {
    /// The points of the `samples` of MicroCAT `deployment` (any order, repeats
    /// allowed: de-duplicated as a series is assessed, with the same derived values).
    pub fn of(deployment: &Deployment<'_>, samples: &[Sample]) -> LineSeries {
        let points = dedup(samples.to_vec())
            .samples
            .iter()
            .map(|s| {
                let (values, _) = values_at(
                    &MICROCAT,
                    s,
                    deployment.latitude,
                    deployment.longitude,
                    None,
                );
                line_point(s.time, &values, deployment.nominal_depth_m)
            })
            .collect();
        LineSeries {
            serial: deployment.serial.to_owned(),
            points,
        }
    }

    /// The point nearest to `t` (the earlier on a tie) for which `accept(|Δt| in ms)`.
    pub fn nearest(&self, t: UtcTime, accept: impl Fn(i64) -> bool) -> Option<&LinePoint> {
        let i = self.points.partition_point(|p| p.time < t);
        let after = self.points.get(i);
        let before = i.checked_sub(1).and_then(|j| self.points.get(j));
        let dt = |p: &LinePoint| p.time.0.saturating_sub(t.0).saturating_abs();
        let best = match (before, after) {
            (Some(b), Some(a)) => Some(if dt(a) < dt(b) { a } else { b }),
            (b, a) => b.or(a),
        };
        best.filter(|p| accept(dt(p)))
    }
}

/// The point the density-inversion test sees for one MicroCAT sample's `values`: σθ at the depth from pressure, or at `nominal_depth_m` when there is no
/// pressure.
pub fn line_point(time: UtcTime, values: &Values, nominal_depth_m: f64) -> LinePoint {
    LinePoint {
        time,
        depth_m: values[DEPTH].unwrap_or(nominal_depth_m),
        sigma_theta: values[SIGMA_THETA].unwrap_or(f64::NAN),
    }
}

/// Whether two records `dt_ms` apart belong to the same poll, for an instrument whose
/// median sampling interval is `median_ms` (module docs).
pub fn same_poll(dt_ms: i64, median_ms: Option<i64>) -> bool {
    dt_ms <= MAX_POLL_SPREAD_MS
        && (dt_ms == 0 || median_ms.is_none_or(|m| dt_ms.saturating_mul(2) < m))
}

/// The density-inversion flag of each of `own`'s points against `others` (the line's
/// other instruments; any that share `own`'s serial are ignored). `times` are the times
/// the instrument's median sampling interval is taken from (its day and the context).
pub fn flags(
    own: &LineSeries,
    others: &[LineSeries],
    cfg: &DensityInversionConfig,
    times: &[UtcTime],
) -> Result<Vec<Flag>, QcError> {
    let median_ms = median_interval_s(times.iter().map(|t| t.0)).map(|s| (s * 1000.0) as i64);
    let accept = |dt: i64| same_poll(dt, median_ms);
    let mut out = Vec::with_capacity(own.points.len());
    for p in &own.points {
        if !p.sigma_theta.is_finite() {
            out.push(Flag::Missing);
            continue;
        }
        let mut members: Vec<(&str, &LinePoint)> = vec![(own.serial.as_str(), p)];
        for o in others.iter().filter(|o| o.serial != own.serial) {
            if let Some(q) = o.nearest(p.time, accept) {
                members.push((o.serial.as_str(), q));
            }
        }
        // serial order, so that instruments at equal depths are ordered the same way
        // whichever instrument's file is being built (the sort by depth is stable)
        members.sort_by(|a, b| a.0.cmp(b.0));
        let sigma: Vec<f64> = members.iter().map(|m| m.1.sigma_theta).collect();
        let depth: Vec<f64> = members.iter().map(|m| m.1.depth_m).collect();
        let flags = qc::series::density_inversion(&sigma, &depth, cfg)?;
        let at = members
            .iter()
            .position(|m| m.0 == own.serial)
            .and_then(|i| flags.get(i).copied());
        out.push(at.unwrap_or(Flag::NotEvaluated));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: DensityInversionConfig = DensityInversionConfig {
        suspect_threshold: -0.01,
        fail_threshold: -0.03,
    };

    fn series(serial: &str, points: &[(i64, f64, f64)]) -> LineSeries {
        LineSeries {
            serial: serial.into(),
            points: points
                .iter()
                .map(|&(t, z, s)| LinePoint {
                    time: UtcTime(t * 1000),
                    depth_m: z,
                    sigma_theta: s,
                })
                .collect(),
        }
    }

    fn times(own: &LineSeries) -> Vec<UtcTime> {
        own.points.iter().map(|p| p.time).collect()
    }

    /// The ioos_qc check vector (outputs-and-qc.md §4.3: σθ 29.10 29.11 29.12 29.08 29.13
    /// at 100…500 m → 1 1 4 4 1), one instrument per depth, sampled seconds apart.
    #[test]
    fn check_vector_across_instruments() {
        let sigma = [29.10, 29.11, 29.12, 29.08, 29.13];
        let line: Vec<LineSeries> = sigma
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let z = 100.0 * (i as f64 + 1.0);
                series(
                    &format!("s{i}"),
                    &[(7 * i as i64, z, s), (1800, z, 28.0 + z / 100.0)],
                )
            })
            .collect();
        let got: Vec<u8> = line
            .iter()
            .map(|own| flags(own, &line, &CFG, &times(own)).unwrap()[0].code())
            .collect();
        assert_eq!(got, [1, 1, 4, 4, 1]);
        // the second poll is stable
        assert!(line
            .iter()
            .all(|own| flags(own, &line, &CFG, &times(own)).unwrap()[1] == Flag::Pass));
    }

    #[test]
    fn tolerance_and_missing() {
        let a = series(
            "a",
            &[
                (0, 100.0, 29.10),
                (1800, 100.0, 29.10),
                (3600, 100.0, f64::NAN),
            ],
        );
        // b's record of the first poll is 20 s late; of the second poll, missing: its next
        // record (at 2700 s, 900 s later = half the interval) must not be matched
        let b = series("b", &[(20, 200.0, 29.05), (2700, 200.0, 29.05)]);
        let line = [a.clone(), b];
        let f = flags(&a, &line, &CFG, &times(&a)).unwrap();
        assert_eq!(f, [Flag::Fail, Flag::NotEvaluated, Flag::Missing]);
        assert!(same_poll(300_000, None));
        assert!(!same_poll(300_001, None));
        assert!(!same_poll(900_000, Some(1_800_000)));
        assert!(same_poll(299_000, Some(600_000)));
        assert!(
            !same_poll(300_000, Some(600_000)),
            "half the interval is too far"
        );
        assert!(same_poll(0, Some(0)));
    }
}
