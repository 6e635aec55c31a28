//! QARTOD tests on whole series (like ioos_qc): times and values in, one flag per value
//! out. Times must be in increasing order (as the daily files and `reprocess` hold them).

use protocol::time::UtcTime;

use super::config::{
    ClimatologyPeriod, DensityInversionConfig, FlatLineConfig, GrossRangeConfig,
    RateOfChangeConfig, SpikeConfig,
};
use super::flag::Flag;
use super::point;
use super::QcError;

fn same_len(what: &'static str, expected: usize, got: usize) -> Result<(), QcError> {
    if expected == got {
        Ok(())
    } else {
        Err(QcError::LengthMismatch {
            what,
            expected,
            got,
        })
    }
}

/// Gross range test on every value.
pub fn gross_range(values: &[f64], cfg: &GrossRangeConfig) -> Vec<Flag> {
    values.iter().map(|&x| point::gross_range(x, cfg)).collect()
}

/// Climatology test; `depths_m` (m, positive down), when given, selects the periods that
/// have a depth span.
pub fn climatology(
    times: &[UtcTime],
    values: &[f64],
    depths_m: Option<&[f64]>,
    periods: &[ClimatologyPeriod],
) -> Result<Vec<Flag>, QcError> {
    same_len("times", values.len(), times.len())?;
    if let Some(z) = depths_m {
        same_len("depths", values.len(), z.len())?;
    }
    Ok(times
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (t, &x))| {
            let month = t.to_civil().1;
            let z = depths_m.and_then(|z| z.get(i).copied());
            point::climatology(month, x, z, periods)
        })
        .collect())
}

/// Spike test: each value against its two neighbours; the first and last values are NOT
/// EVALUATED (the last one waits for its successor in streaming).
pub fn spike(values: &[f64], cfg: &SpikeConfig) -> Vec<Flag> {
    (0..values.len())
        .map(|i| {
            let left = i.checked_sub(1).and_then(|j| values.get(j)).copied();
            let right = values.get(i + 1).copied();
            let mid = values.get(i).copied().unwrap_or(f64::NAN);
            point::spike(left, mid, right, cfg)
        })
        .collect()
}

/// Rate-of-change test in its configured forms (per second as ioos_qc 3.0.0, and/or
/// n_dev standard deviations over the previous `tim_dev_h` hours as the QARTOD manual).
pub fn rate_of_change(
    times: &[UtcTime],
    values: &[f64],
    cfg: &RateOfChangeConfig,
) -> Result<Vec<Flag>, QcError> {
    same_len("times", values.len(), times.len())?;
    let tim_dev_ms = (cfg.tim_dev_h * 3_600_000.0) as i64;
    let mut start = 0usize;
    let mut out = Vec::with_capacity(values.len());
    for (i, (&t, &x)) in times.iter().zip(values).enumerate() {
        let prev = i
            .checked_sub(1)
            .and_then(|j| Some((times.get(j)?.0, *values.get(j)?)));
        let per_s = cfg
            .threshold_per_s
            .map(|thr| point::rate_of_change_per_s(prev, (t.0, x), thr, cfg.fail_threshold_per_s));
        let n_dev = cfg.n_dev.map(|_| {
            while times
                .get(start)
                .is_some_and(|s| s.0 < t.0.saturating_sub(tim_dev_ms))
            {
                start += 1;
            }
            let window = values.get(start..i).unwrap_or(&[]).iter().copied();
            point::rate_of_change_n_dev(prev.map(|p| p.1), x, window, cfg)
        });
        out.push(point::combine(per_s, n_dev));
    }
    Ok(out)
}

/// Flat-line test: durations are turned into sample counts with the median interval of
/// `times` (ioos_qc). Fewer than 3 values: all PASS (MISSING where missing), as ioos_qc
/// (which also passes missing ones there).
pub fn flat_line(
    times: &[UtcTime],
    values: &[f64],
    cfg: &FlatLineConfig,
) -> Result<Vec<Flag>, QcError> {
    same_len("times", values.len(), times.len())?;
    let mut flags = vec![Flag::Pass; values.len()];
    if values.len() >= 3 {
        let interval = point::median_interval_s(times.iter().map(|t| t.0));
        let counts = [
            (cfg.suspect_threshold_s, Flag::Suspect),
            (cfg.fail_threshold_s, Flag::Fail),
        ];
        for (threshold, flag) in counts {
            let Some(count) = interval.and_then(|iv| point::flat_line_count(threshold, iv)) else {
                flags.iter_mut().for_each(|f| *f = Flag::NotEvaluated);
                break;
            };
            for (j, f) in flags.iter_mut().enumerate().skip(count) {
                if values
                    .get(j - count..=j)
                    .is_some_and(|w| point::is_flat(w, cfg))
                {
                    *f = flag;
                }
            }
        }
    }
    for (f, x) in flags.iter_mut().zip(values) {
        if !x.is_finite() {
            *f = Flag::Missing;
        }
    }
    Ok(flags)
}

/// Density inversion across instruments at one time step: `sigma_theta[i]` (kg/m³) at
/// `depth_m[i]`. Instruments are ordered by depth; each finite one is compared with the
/// next deeper finite one (missing instruments are skipped, unlike ioos_qc which marks
/// the value after a missing one MISSING); both of a pair get the worse flag. MISSING
/// where σθ or depth is missing; NOT EVALUATED when fewer than two instruments have data.
pub fn density_inversion(
    sigma_theta: &[f64],
    depth_m: &[f64],
    cfg: &DensityInversionConfig,
) -> Result<Vec<Flag>, QcError> {
    same_len("depths", sigma_theta.len(), depth_m.len())?;
    let mut flags = vec![Flag::Missing; sigma_theta.len()];
    let mut order: Vec<usize> = (0..sigma_theta.len())
        .filter(|&i| {
            sigma_theta.get(i).is_some_and(|s| s.is_finite())
                && depth_m.get(i).is_some_and(|z| z.is_finite())
        })
        .collect();
    order.sort_by(|&a, &b| {
        depth_m
            .get(a)
            .partial_cmp(&depth_m.get(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let init = if order.len() >= 2 {
        Flag::Pass
    } else {
        Flag::NotEvaluated
    };
    for &i in &order {
        if let Some(f) = flags.get_mut(i) {
            *f = init;
        }
    }
    for pair in order.windows(2) {
        let &[a, b] = pair else { continue };
        let (Some(&sa), Some(&sb), Some(&za), Some(&zb)) = (
            sigma_theta.get(a),
            sigma_theta.get(b),
            depth_m.get(a),
            depth_m.get(b),
        ) else {
            continue;
        };
        // ioos_qc: delta = sign(dz)·dσ, so equal depths never flag.
        let delta = if zb > za { sb - sa } else { 0.0 };
        let flag = if delta < cfg.fail_threshold {
            Flag::Fail
        } else if delta < cfg.suspect_threshold {
            Flag::Suspect
        } else {
            continue;
        };
        for k in [a, b] {
            if let Some(f) = flags.get_mut(k) {
                if flag == Flag::Fail || *f != Flag::Fail {
                    *f = flag;
                }
            }
        }
    }
    Ok(flags)
}
