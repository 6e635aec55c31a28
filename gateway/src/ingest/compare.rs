//! The real-time versus delayed-mode report of `albatross ingest`: per instrument, the
//! rows of its delayed-mode daily files (from its memory) against those of its real-time
//! files (from the telemetry) over the period both cover.
//!
//! Both sides are read from the daily CSVs, so what is compared is what was published:
//! measured and derived variables at the files' decimals. The **overlap** is from the
//! later of the two first samples to the earlier of the two last. In it, a real-time and a
//! delayed-mode sample are **matched** when their times differ by at most the tolerance
//! (each sample matched once, in time order); the others are *real-time only* (in the
//! telemetry, not in the memory: a memory gap, a clock step) or *delayed-mode only* (in the
//! memory, lost on the way or never sent). For every variable, over the matched pairs where
//! both have a value: the mean and the largest absolute difference, delayed − real time,
//! and the time of the largest.

use crate::dailyfiles::{csv, Day, Series};
use crate::science::Product;
use protocol::time::UtcTime;
use serde::Serialize;
use std::fmt;
use std::path::Path;

/// One instrument's comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Platform id.
    pub platform: String,
    /// Sensor name of its product (`MICROCAT`, …).
    pub sensor: &'static str,
    /// Serial number.
    pub serial: String,
    /// First and last sample of the delayed-mode files.
    pub delayed_span: Option<[String; 2]>,
    /// First and last real-time sample on those days.
    pub real_time_span: Option<[String; 2]>,
    /// The period both cover (`None`: they do not overlap, or one side is empty).
    pub overlap: Option<[String; 2]>,
    /// Real-time samples in the overlap.
    pub real_time_samples: usize,
    /// Delayed-mode samples in the overlap.
    pub delayed_samples: usize,
    /// Pairs matched.
    pub matched: usize,
    /// Real-time samples in the overlap with no delayed-mode sample.
    pub real_time_only: usize,
    /// Delayed-mode samples in the overlap with no real-time sample.
    pub delayed_only: usize,
    /// Per variable, in the product's order.
    pub variables: Vec<Difference>,
}

/// The differences of one variable over the matched pairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// The file variable.
    pub name: &'static str,
    /// Its units.
    pub units: &'static str,
    /// Matched pairs where both samples have a value.
    pub pairs: usize,
    /// Mean of delayed − real time.
    pub mean: Option<f64>,
    /// Largest |delayed − real time|.
    pub max_abs: Option<f64>,
    /// The time of the real-time sample of the largest.
    pub max_at: Option<String>,
}

/// One variable's running sums over the matched pairs: pairs, sum of the differences, and
/// the largest absolute difference with its time.
type Sums = (usize, f64, Option<(f64, UtcTime)>);

/// A day file's rows: time and every variable of the product.
type Rows = Vec<(UtcTime, Vec<Option<f64>>)>;

/// The rows of the daily CSV at `path` (none when it does not exist), every variable of
/// `product` read by its column name.
pub fn read_rows(product: &Product, path: &Path) -> std::io::Result<Rows> {
    let names: Vec<&str> = product.vars.iter().map(|v| v.name).collect();
    csv::read_columns(path, &names)
}

/// The rows of `series` on `days` under `dir`, in time order.
pub fn series_rows(dir: &Path, series: &Series, days: &[Day]) -> std::io::Result<Rows> {
    let mut rows = Vec::new();
    for &day in days {
        let stem = series.file_stem(dir, day);
        rows.extend(read_rows(series.product, &stem.with_extension("csv"))?);
    }
    rows.sort_by_key(|r| r.0);
    Ok(rows)
}

fn span(rows: &Rows) -> Option<[UtcTime; 2]> {
    Some([rows.first()?.0, rows.last()?.0])
}

fn text([a, b]: [UtcTime; 2]) -> [String; 2] {
    [a.to_string(), b.to_string()]
}

/// Compares the real-time rows `rt` with the delayed-mode rows `dm` of `series` (both in
/// time order), matching samples at most `tolerance_ms` apart.
pub fn compare(series: &Series, rt: &Rows, dm: &Rows, tolerance_ms: i64) -> Comparison {
    let product = series.product;
    let mut c = Comparison {
        platform: series.platform_id.clone(),
        sensor: series.sensor,
        serial: series.serial.clone(),
        delayed_span: span(dm).map(text),
        real_time_span: span(rt).map(text),
        overlap: None,
        real_time_samples: 0,
        delayed_samples: 0,
        matched: 0,
        real_time_only: 0,
        delayed_only: 0,
        variables: Vec::new(),
    };
    let mut acc: Vec<Sums> = vec![(0, 0.0, None); product.vars.len()];
    if let (Some([a0, a1]), Some([b0, b1])) = (span(rt), span(dm)) {
        let (from, to) = (a0.max(b0), a1.min(b1));
        if from <= to {
            c.overlap = Some(text([from, to]));
            let inside = |r: &&(UtcTime, Vec<Option<f64>>)| r.0 >= from && r.0 <= to;
            let rt: Vec<_> = rt.iter().filter(inside).collect();
            let dm: Vec<_> = dm.iter().filter(inside).collect();
            c.real_time_samples = rt.len();
            c.delayed_samples = dm.len();
            let (mut i, mut j) = (0, 0);
            while i < rt.len() && j < dm.len() {
                let (r, d) = (rt[i], dm[j]);
                let gap = d.0.unix_millis() - r.0.unix_millis();
                if gap.abs() <= tolerance_ms {
                    c.matched += 1;
                    for (k, a) in acc.iter_mut().enumerate() {
                        let (Some(Some(x)), Some(Some(y))) = (r.1.get(k), d.1.get(k)) else {
                            continue;
                        };
                        let diff = y - x;
                        a.0 += 1;
                        a.1 += diff;
                        if a.2.is_none_or(|(m, _)| diff.abs() > m) {
                            a.2 = Some((diff.abs(), r.0));
                        }
                    }
                    i += 1;
                    j += 1;
                } else if gap > 0 {
                    c.real_time_only += 1;
                    i += 1;
                } else {
                    c.delayed_only += 1;
                    j += 1;
                }
            }
            c.real_time_only += rt.len() - i;
            c.delayed_only += dm.len() - j;
        }
    }
    c.variables = product
        .vars
        .iter()
        .zip(acc)
        .map(|(v, (pairs, sum, max))| Difference {
            name: v.name,
            units: v.units,
            pairs,
            mean: (pairs > 0).then(|| sum / pairs as f64),
            max_abs: max.map(|m| m.0),
            max_at: max.map(|m| m.1.to_string()),
        })
        .collect();
    c
}

impl fmt::Display for Comparison {
    /// The text report of one instrument: a heading, the counts, one line per variable
    /// that has pairs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {} {}", self.platform, self.sensor, self.serial)?;
        let show = |s: &Option<[String; 2]>| {
            s.as_ref()
                .map_or_else(|| "none".to_owned(), |[a, b]| format!("{a} to {b}"))
        };
        writeln!(f, "  delayed mode: {}", show(&self.delayed_span))?;
        writeln!(f, "  real time:    {}", show(&self.real_time_span))?;
        writeln!(f, "  overlap:      {}", show(&self.overlap))?;
        if self.overlap.is_none() {
            return Ok(());
        }
        writeln!(
            f,
            "  {} real-time and {} delayed-mode samples in the overlap: {} matched, {} real-time only, {} delayed-mode only",
            self.real_time_samples,
            self.delayed_samples,
            self.matched,
            self.real_time_only,
            self.delayed_only
        )?;
        for v in self.variables.iter().filter(|v| v.pairs > 0) {
            writeln!(
                f,
                "  {:<28} {:>6} pairs  mean {:>+12.6}  max |{:.6}| {} at {}",
                v.name,
                v.pairs,
                v.mean.unwrap_or(f64::NAN),
                v.max_abs.unwrap_or(f64::NAN),
                v.units,
                v.max_at.as_deref().unwrap_or("-"),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dailyfiles::StationInfo;
    use crate::observation::{InstrumentMeta, PlatformMeta};

    fn series() -> Series {
        let i = InstrumentMeta {
            kind: crate::config::InstrumentModel::Sbe37,
            serial: "1".into(),
            slot: None,
            nominal_depth_m: 100.0,
        };
        let p = PlatformMeta {
            instruments: vec![std::sync::Arc::new(i.clone())],
            ..PlatformMeta::unconfigured(None)
        };
        Series::for_instrument(&StationInfo::default(), &p, &i)
    }

    fn rows(times_s: &[i64], t: impl Fn(i64) -> f64) -> Rows {
        times_s
            .iter()
            .map(|&s| {
                let mut v = vec![None; series().product.vars.len()];
                v[0] = Some(t(s));
                (UtcTime::from_unix_seconds(s), v)
            })
            .collect()
    }

    #[test]
    fn counts_every_direction_inside_the_overlap_only() {
        // real time every 600 s from 0; memory every 300 s from 1200, one second late,
        // with a gap over 3000..=4200, to 6000
        let rt = rows(&(0..=12).map(|k| k * 600).collect::<Vec<_>>(), |s| s as f64);
        let dm_times: Vec<i64> = (4..=20)
            .map(|k| k * 300 + 1)
            .filter(|s| !(3000..=4201).contains(s))
            .collect();
        let dm = rows(&dm_times, |s| s as f64 + 0.5);
        let c = compare(&series(), &rt, &dm, 30_000);
        // overlap: 1201 ..= 6001, real time 1800..=6000 (8 samples), all 12 of memory
        assert_eq!(
            c.overlap,
            Some(text([
                UtcTime::from_unix_seconds(1201),
                UtcTime::from_unix_seconds(6001)
            ]))
        );
        assert_eq!(c.real_time_samples, 8);
        assert_eq!(c.delayed_samples, dm_times.len());
        // 1800, 2400, 4800, 5400 and 6000 match, 3000, 3600 and 4200 fall in the gap
        assert_eq!(c.matched, 5);
        assert_eq!(c.real_time_only, 3);
        assert_eq!(c.delayed_only, dm_times.len() - 5);
        let matched = 5;
        let t = &c.variables[0];
        assert_eq!(t.pairs, matched);
        // delayed − real time = (s + 1 + 0.5) − s
        assert!((t.mean.unwrap() - 1.5).abs() < 1e-12);
        assert!((t.max_abs.unwrap() - 1.5).abs() < 1e-12);
        assert!(c.variables[1..]
            .iter()
            .all(|v| v.pairs == 0 && v.mean.is_none()));
        let text = c.to_string();
        assert!(
            text.contains("5 matched, 3 real-time only, 7 delayed-mode only"),
            "{text}"
        );
    }

    #[test]
    fn no_overlap_no_counts() {
        let rt = rows(&[0, 600], |_| 1.0);
        let dm = rows(&[1200, 1800], |_| 1.0);
        let c = compare(&series(), &rt, &dm, 30_000);
        assert_eq!(c.overlap, None);
        assert_eq!((c.matched, c.real_time_only, c.delayed_only), (0, 0, 0));
        let c = compare(&series(), &Vec::new(), &dm, 30_000);
        assert_eq!(c.real_time_span, None);
        assert_eq!(c.overlap, None);
    }
}
