//! The per-value logic of each test, shared by the series functions and the streaming
//! state so that both give the same flags. Non-finite values count as missing (ioos_qc
//! `masked_invalid`).

use super::config::{
    ClimatologyPeriod, FlatLineConfig, GrossRangeConfig, RateOfChangeConfig, SpikeConfig,
    SpikeMethod,
};
use super::flag::{aggregate, Flag};

/// Gross range flag of one value.
pub fn gross_range(x: f64, cfg: &GrossRangeConfig) -> Flag {
    if !x.is_finite() {
        return Flag::Missing;
    }
    let [fmin, fmax] = cfg.fail_span;
    if x < fmin || x > fmax {
        return Flag::Fail;
    }
    match cfg.suspect_span {
        Some([smin, smax]) if x < smin || x > smax => Flag::Suspect,
        _ => Flag::Pass,
    }
}

/// Climatology flag of value `x` observed in `month` (1…12) at `depth_m`: NOT EVALUATED
/// unless a period matches; the last matching period decides (ioos_qc order). Unlike
/// ioos_qc 3.0.0 (which flags NaN as PASS), a missing value is MISSING.
pub fn climatology(
    month: u32,
    x: f64,
    depth_m: Option<f64>,
    periods: &[ClimatologyPeriod],
) -> Flag {
    if !x.is_finite() {
        return Flag::Missing;
    }
    let mut flag = Flag::NotEvaluated;
    for p in periods {
        if month < p.months[0] || month > p.months[1] {
            continue;
        }
        if let Some([zmin, zmax]) = p.depth_span_m {
            match depth_m {
                Some(z) if z.is_finite() && z >= zmin && z <= zmax => {}
                _ => continue,
            }
        }
        let fail = p.fail_span.is_some_and(|[a, b]| x < a || x > b);
        let [smin, smax] = p.suspect_span;
        flag = if fail {
            Flag::Fail
        } else if x < smin || x > smax {
            Flag::Suspect
        } else {
            Flag::Pass
        };
    }
    flag
}

/// Spike flag of `mid` from its neighbours (`None` where there is no neighbour):
/// NOT EVALUATED at the ends of the series or next to a missing value (ioos_qc).
pub fn spike(left: Option<f64>, mid: f64, right: Option<f64>, cfg: &SpikeConfig) -> Flag {
    if !mid.is_finite() {
        return Flag::Missing;
    }
    let (Some(l), Some(r)) = (left, right) else {
        return Flag::NotEvaluated;
    };
    if !(l.is_finite() && r.is_finite()) {
        return Flag::NotEvaluated;
    }
    let diff = match cfg.method {
        SpikeMethod::Average => (mid - (l + r) / 2.0).abs(),
        SpikeMethod::Differential => {
            let (d1, d2) = (mid - l, r - mid);
            if d1 * d2 >= 0.0 {
                0.0
            } else {
                d1.abs().min(d2.abs())
            }
        }
    };
    // ioos_qc applies a threshold only when it is truthy (neither None nor 0).
    let exceeds = |t: Option<f64>| t.is_some_and(|t| t != 0.0 && diff > t);
    if exceeds(cfg.fail_threshold) {
        Flag::Fail
    } else if exceeds(cfg.suspect_threshold) {
        Flag::Suspect
    } else {
        Flag::Pass
    }
}

/// Whole seconds between two times in ms, truncated as ioos_qc's `astype("timedelta64[s]")`.
pub(crate) fn whole_seconds(dt_ms: i64) -> f64 {
    (dt_ms / 1000) as f64
}

/// Per-second rate-of-change flag (ioos_qc 3.0.0) of `cur` = (time ms, value) given the
/// previous sample; PASS for the first sample and after a missing one (ioos_qc).
pub fn rate_of_change_per_s(
    prev: Option<(i64, f64)>,
    cur: (i64, f64),
    threshold: f64,
    fail_threshold: Option<f64>,
) -> Flag {
    if !cur.1.is_finite() {
        return Flag::Missing;
    }
    let Some((t0, x0)) = prev else {
        return Flag::Pass;
    };
    let roc = ((cur.1 - x0) / whole_seconds(cur.0.saturating_sub(t0))).abs();
    if fail_threshold.is_some_and(|f| roc > f) {
        Flag::Fail
    } else if roc > threshold {
        Flag::Suspect
    } else {
        Flag::Pass
    }
}

/// QARTOD-manual rate-of-change flag: |cur − prev| against `n_dev` (and `fail_n_dev`)
/// population standard deviations of `window` (the finite values of the previous
/// `tim_dev_h` hours, current excluded). NOT EVALUATED without a finite previous value
/// or with fewer than `min_obs` window values.
pub fn rate_of_change_n_dev(
    prev: Option<f64>,
    cur: f64,
    window: impl Iterator<Item = f64>,
    cfg: &RateOfChangeConfig,
) -> Flag {
    if !cur.is_finite() {
        return Flag::Missing;
    }
    let (Some(n_dev), Some(prev)) = (cfg.n_dev, prev.filter(|p| p.is_finite())) else {
        return Flag::NotEvaluated;
    };
    let (mut n, mut sum, mut sum2) = (0usize, 0.0, 0.0);
    let vals: Vec<f64> = window.filter(|v| v.is_finite()).collect();
    for v in &vals {
        n += 1;
        sum += v;
    }
    if n < cfg.min_obs.max(2) {
        return Flag::NotEvaluated;
    }
    let mean = sum / n as f64;
    for v in &vals {
        sum2 += (v - mean) * (v - mean);
    }
    let sd = (sum2 / n as f64).sqrt();
    let step = (cur - prev).abs();
    if cfg.fail_n_dev.is_some_and(|f| step > f * sd) {
        Flag::Fail
    } else if step > n_dev * sd {
        Flag::Suspect
    } else {
        Flag::Pass
    }
}

/// The rate-of-change flag from its configured forms (worst wins, ioos precedence).
pub(crate) fn combine(per_s: Option<Flag>, n_dev: Option<Flag>) -> Flag {
    let v: Vec<Flag> = per_s.into_iter().chain(n_dev).collect();
    aggregate(&v)
}

/// Median of the sampling intervals (whole seconds, ioos_qc: median of the time
/// differences, truncated to seconds). `None` for fewer than two times.
pub fn median_interval_s(times_ms: impl Iterator<Item = i64>) -> Option<f64> {
    let t: Vec<i64> = times_ms.collect();
    let mut d: Vec<i64> = t.windows(2).map(|w| w[1].saturating_sub(w[0])).collect();
    if d.is_empty() {
        return None;
    }
    d.sort_unstable();
    let n = d.len();
    // Indexing is safe: n >= 1, so n/2 < n and, for even n >= 2, n/2 - 1 >= 0.
    // numpy's median of an even count is the mean of the two middle values.
    let twice = if n % 2 == 1 {
        d[n / 2].saturating_mul(2)
    } else {
        d[n / 2 - 1].saturating_add(d[n / 2])
    };
    Some((twice / 2000) as f64)
}

/// Number of previous samples a flat-line window spans: trunc(trunc(threshold_s) /
/// interval_s) as ioos_qc. `None` when the interval is not positive or the count absurd.
pub fn flat_line_count(threshold_s: f64, interval_s: f64) -> Option<usize> {
    if interval_s.is_nan() || interval_s <= 0.0 || !threshold_s.is_finite() {
        return None;
    }
    let c = (threshold_s.trunc() / interval_s).trunc();
    if (0.0..=1e6).contains(&c) {
        Some(c as usize)
    } else {
        None
    }
}

/// True when the window (the value and the `count` before it) is flat: max − min of its
/// finite values below `tolerance`; a window with no finite value is not flat.
pub fn is_flat(window: &[f64], cfg: &FlatLineConfig) -> bool {
    let mut it = window.iter().copied().filter(|v| v.is_finite());
    let Some(first) = it.next() else { return false };
    let (lo, hi) = it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v)));
    (hi - lo).abs() < cfg.tolerance
}
