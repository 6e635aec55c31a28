//! Which days a batch rebuilds, and with what context.
//!
//! The flags of instrument A's day D depend on (see the [`super`] module docs):
//! 1. A's samples of D;
//! 2. A's samples of the [`context_days`] previous days (spike, rate of change, flat line
//!    of D's first samples; the flat-line and density-inversion sampling interval);
//! 3. A's first sample of D+1 (spike of D's last sample);
//! 4. with density inversion, the line's other MicroCATs' samples of D and those within
//!    [`MAX_POLL_SPREAD_MS`] of D's midnights; for an optode, likewise its reference
//!    MicroCAT's ([`reference_of`]: its σθ gives oxygen per unit mass).
//!
//! So when the samples of (A, E) change, the batch rebuilds (A, E), (A, E+1 …
//! E+context_days), (A, E−1) if E's first sample changed, and (B, E) for every B that
//! takes A as context (with density inversion every other MicroCAT B of a MicroCAT A; an
//! optode B whose reference is A), plus (B, E∓1) when a changed sample lies within
//! [`MAX_POLL_SPREAD_MS`] of a midnight. Only days that have a file are rebuilt (a day
//! without samples has no file). Context never changes a day's samples, so rebuilding does
//! not cascade. Every day is rebuilt from the files as they are after the whole batch is
//! merged, so the result does not depend on the order of the batch or of the batches.

use super::atomic::{publish, Published};
use super::day;
use super::meta::{reference_of, Day, Series};
use super::{csv, io_err, move_aside, netcdf, DailyFileError, DailyWriter, DayReport};
use crate::qc::QcConfig;
use crate::science::{dedup, Context, LineSeries, Sample, MAX_POLL_SPREAD_MS, MICROCAT};
use protocol::time::UtcTime;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// The most previous days loaded as context, whatever the configured windows.
pub const MAX_CONTEXT_DAYS: i64 = 7;
/// Samples of the next day given as context (the spike test needs one).
pub const AFTER_SAMPLES: usize = 1;

/// How many previous days a day's QC needs: the longest flat-line duration or n_dev
/// rate-of-change window, in whole days, at least 1 (spike and per-second rate of change
/// need the previous sample), at most [`MAX_CONTEXT_DAYS`].
pub fn context_days(qc: &QcConfig) -> i64 {
    let mut seconds: f64 = 0.0;
    for t in qc.variables.values() {
        if let Some(f) = &t.flat_line {
            seconds = seconds.max(f.suspect_threshold_s).max(f.fail_threshold_s);
        }
        if let Some(r) = t.rate_of_change.as_ref().filter(|r| r.n_dev.is_some()) {
            seconds = seconds.max(r.tim_dev_h * 3600.0);
        }
    }
    let days = (seconds / 86_400.0).ceil();
    if days.is_finite() && days >= 1.0 {
        (days as i64).min(MAX_CONTEXT_DAYS)
    } else {
        1
    }
}

/// (index of the instrument in the line, day).
type Key = (usize, Day);

/// One day of one instrument as the batch sees it.
#[derive(Debug, Clone, Default)]
struct Stored {
    /// The samples the day is rebuilt from: the stored ones, plus the batch's for a day the
    /// batch touches (repeats kept, so the report counts them).
    raw: Vec<Sample>,
    /// `raw` de-duplicated (what other days take as context).
    kept: Vec<Sample>,
    /// The day has a file (or gets one from this batch).
    exists: bool,
    /// Its CSV could not be read back completely.
    damaged: bool,
    /// The batch brought samples for it.
    touched: bool,
}

/// One batch over one line (the daily-file instruments of one platform).
struct Batch<'a> {
    writer: &'a DailyWriter,
    line: &'a [Series],
    merge: bool,
    days: BTreeMap<Key, Stored>,
    points: BTreeMap<Key, LineSeries>,
}

impl Batch<'_> {
    fn series(&self, i: usize) -> Result<&Series, DailyFileError> {
        // every key is made from an index checked against the line in `write`
        self.line.get(i).ok_or_else(|| DailyFileError::Io {
            path: self.writer.dir().to_owned(),
            source: std::io::Error::other("instrument index outside the line"),
        })
    }

    /// The day as stored (read once per batch).
    fn load(&mut self, key: Key) -> Result<&Stored, DailyFileError> {
        if !self.days.contains_key(&key) {
            let (csv_path, _) = self.writer.paths(self.series(key.0)?, key.1);
            let mut s = Stored::default();
            match std::fs::read_to_string(&csv_path) {
                Ok(text) => {
                    s.exists = true;
                    match csv::parse(self.series(key.0)?.product, &text) {
                        Ok(p) => {
                            s.damaged = !p.bad_lines.is_empty();
                            s.raw = p.samples;
                        }
                        Err(csv::CsvError::Header) => s.damaged = true,
                    }
                    s.raw.retain(|x| Day::of(x.time) == key.1);
                    s.kept = dedup(s.raw.clone()).samples;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(&csv_path)(e)),
            }
            self.days.insert(key, s);
        }
        self.days
            .get(&key)
            .ok_or_else(|| io_err(self.writer.dir())(std::io::Error::other("day not loaded")))
    }

    /// Whether (i, day) has a file with samples (a CSV with no readable row is left
    /// alone until samples of its day arrive).
    fn has_samples(&mut self, key: Key) -> Result<bool, DailyFileError> {
        let s = self.load(key)?;
        Ok(s.exists && !s.kept.is_empty())
    }

    /// Merges the batch's `samples` into (i, day); returns the times of the samples that
    /// appeared or disappeared, and whether the first [`AFTER_SAMPLES`] changed.
    fn merge(
        &mut self,
        key: Key,
        samples: Vec<Sample>,
    ) -> Result<(Vec<UtcTime>, bool), DailyFileError> {
        let merge = self.merge;
        let old = self.load(key)?.clone();
        let mut raw = if merge { old.raw.clone() } else { Vec::new() };
        raw.extend(samples);
        let kept = dedup(raw.clone()).samples;
        // both are sorted with one sample per time: a sample changed when the other side
        // has no equal sample at its time
        let by_time =
            |v: &[Sample]| -> BTreeMap<i64, Sample> { v.iter().map(|s| (s.time.0, *s)).collect() };
        let (old_map, new_map) = (by_time(&old.kept), by_time(&kept));
        let changed: Vec<UtcTime> = kept
            .iter()
            .filter(|s| old_map.get(&s.time.0) != Some(s))
            .chain(
                old.kept
                    .iter()
                    .filter(|s| new_map.get(&s.time.0) != Some(s)),
            )
            .map(|s| s.time)
            .collect();
        let head = |v: &[Sample]| v.iter().take(AFTER_SAMPLES).copied().collect::<Vec<_>>();
        let first_changed = head(&kept) != head(&old.kept);
        self.days.insert(
            key,
            Stored {
                raw,
                kept,
                exists: true,
                damaged: old.damaged && merge,
                touched: true,
            },
        );
        Ok((changed, first_changed))
    }

    /// The density-inversion view of (i, day), computed once per batch.
    fn points(&mut self, key: Key) -> Result<&LineSeries, DailyFileError> {
        if !self.points.contains_key(&key) {
            let kept = self.load(key)?.kept.clone();
            let p = LineSeries::of(&self.series(key.0)?.deployment(), &kept);
            self.points.insert(key, p);
        }
        self.points
            .get(&key)
            .ok_or_else(|| io_err(self.writer.dir())(std::io::Error::other("points not built")))
    }

    /// Whether instrument `i` of the line is a MicroCAT.
    fn is_microcat(&self, i: usize) -> bool {
        self.line.get(i).is_some_and(|s| s.product.is(&MICROCAT))
    }

    /// MicroCAT `o`'s points of `day` and of its neighbouring days within
    /// [`MAX_POLL_SPREAD_MS`] of the day (`start`..`end`, ms).
    fn points_around(
        &mut self,
        o: usize,
        day: Day,
        start: i64,
        end: i64,
    ) -> Result<LineSeries, DailyFileError> {
        let mut s = LineSeries {
            serial: self.series(o)?.serial.clone(),
            points: Vec::new(),
        };
        let prev = self.points((o, Day(day.0 - 1)))?;
        s.points.extend(
            prev.points
                .iter()
                .filter(|p| p.time.0 >= start - MAX_POLL_SPREAD_MS),
        );
        s.points.extend_from_slice(&self.points((o, day))?.points);
        let next = self.points((o, Day(day.0 + 1)))?;
        s.points.extend(
            next.points
                .iter()
                .filter(|p| p.time.0 < end + MAX_POLL_SPREAD_MS),
        );
        Ok(s)
    }

    /// The context of (i, day) (module docs).
    fn context(&mut self, (i, day): Key, qc: &QcConfig) -> Result<Context, DailyFileError> {
        let mut ctx = Context::default();
        for back in (1..=context_days(qc)).rev() {
            ctx.before
                .extend_from_slice(&self.load((i, Day(day.0 - back)))?.kept);
        }
        let next = &self.load((i, Day(day.0 + 1)))?.kept;
        ctx.after = next.iter().take(AFTER_SAMPLES).copied().collect();
        let (start, end) = (day.start_ms(), Day(day.0 + 1).start_ms());
        if qc.density_inversion.is_some() && self.is_microcat(i) {
            let others: Vec<usize> = (0..self.line.len())
                .filter(|&o| o != i && self.is_microcat(o))
                .collect();
            for o in others {
                let s = self.points_around(o, day, start, end)?;
                ctx.line.push(s);
            }
        }
        if let Some(r) = reference_of(self.line, i) {
            ctx.reference = Some(self.points_around(r, day, start, end)?);
        }
        Ok(ctx)
    }

    /// Everything rebuilding (i, day) needs, gathered from the batch's days (moving an
    /// unreadable CSV aside first).
    fn prepare(&mut self, key: Key) -> Result<Rebuild, DailyFileError> {
        let mut qc = self.writer.qc().clone();
        if !self.is_microcat(key.0)
            || (0..self.line.len())
                .filter(|&o| self.is_microcat(o))
                .count()
                < 2
        {
            // a platform with one MicroCAT has no line: the test does not apply (not
            // run, not described in the file), rather than "not evaluated"
            qc.density_inversion = None;
        }
        let context = self.context(key, &qc)?;
        let stored = self.load(key)?;
        let (raw, damaged, touched) = (stored.raw.clone(), stored.damaged, stored.touched);
        let series = self.series(key.0)?.clone();
        let (csv_path, nc_path) = self.writer.paths(&series, key.1);
        let moved_aside = if damaged && (self.merge || !touched) {
            Some(move_aside(&csv_path)?)
        } else {
            None
        };
        Ok(Rebuild {
            series,
            qc,
            context,
            raw,
            csv_path,
            nc_path,
            moved_aside,
            touched,
            sync: self.writer.syncs_each_file(),
        })
    }
}

/// One day to rebuild, with all it depends on: [`Rebuild::render`] needs nothing else, so
/// the days of a batch are built in parallel.
struct Rebuild {
    series: Series,
    qc: QcConfig,
    context: Context,
    raw: Vec<Sample>,
    csv_path: std::path::PathBuf,
    nc_path: std::path::PathBuf,
    moved_aside: Option<std::path::PathBuf>,
    touched: bool,
    /// Publish durably ([`publish`]).
    sync: bool,
}

impl Rebuild {
    /// Builds the day's table and renders its CSV and NetCDF.
    fn render(self) -> Result<Rendered, DailyFileError> {
        let (series, qc) = (&self.series, &self.qc);
        let table = day::build_with(self.raw, series, qc, &self.context)?;
        let csv = csv::render(series, &table, qc).into_bytes();
        let nc = netcdf::render(series, &table, qc)?;
        Ok(Rendered {
            csv,
            nc,
            sync: self.sync,
            report: DayReport {
                csv: self.csv_path,
                nc: self.nc_path,
                rows: table.rows.len(),
                duplicates: table.duplicates,
                conflicts: table.conflicts,
                derive_errors: table.derive_errors,
                moved_aside: self.moved_aside,
                nc_written: false,
                touched: self.touched,
            },
        })
    }
}

/// A day's files, rendered, to publish.
struct Rendered {
    csv: Vec<u8>,
    nc: Vec<u8>,
    sync: bool,
    report: DayReport,
}

impl Rendered {
    /// Publishes the CSV, then the NetCDF (one thread creates the files: creating them
    /// from several threads in one directory makes the filesystem spin on its lock).
    fn publish(self) -> Result<DayReport, DailyFileError> {
        let mut report = self.report;
        publish(&report.csv, &self.csv, self.sync).map_err(io_err(&report.csv))?;
        report.nc_written = publish(&report.nc, &self.nc, self.sync).map_err(io_err(&report.nc))?
            == Published::Written;
        Ok(report)
    }
}

/// Days gathered before they are built in parallel: bounds what the batch holds at once
/// (each carries its context) while giving every core enough days.
const PARALLEL_DAYS: usize = 256;

/// Merges `new` ((index in `line`, sample); indices are checked by the caller) into the
/// days of `line` and rebuilds every day whose flags may have changed (module docs), in
/// (instrument, day) order.
pub(super) fn write(
    writer: &DailyWriter,
    line: &[Series],
    new: Vec<(usize, Sample)>,
    merge: bool,
) -> Result<Vec<DayReport>, DailyFileError> {
    let mut touched: BTreeMap<Key, Vec<Sample>> = BTreeMap::new();
    for (i, s) in new {
        if i < line.len() {
            touched.entry((i, Day::of(s.time))).or_default().push(s);
        }
    }
    let mut batch = Batch {
        writer,
        line,
        merge,
        days: BTreeMap::new(),
        points: BTreeMap::new(),
    };
    let inversion = writer.qc().density_inversion.is_some();
    let back = context_days(writer.qc());
    let mut rebuild: BTreeSet<Key> = BTreeSet::new();
    for ((i, day), samples) in touched {
        let (changed, first_changed) = batch.merge((i, day), samples)?;
        rebuild.insert((i, day));
        let (Some(&lo), Some(&hi)) = (changed.iter().min(), changed.iter().max()) else {
            continue;
        };
        let mut candidates: Vec<Key> = (1..=back).map(|k| (i, Day(day.0 + k))).collect();
        if first_changed {
            candidates.push((i, Day(day.0 - 1)));
        }
        let near_start = lo.0 < day.start_ms() + MAX_POLL_SPREAD_MS;
        let near_end = hi.0 >= Day(day.0 + 1).start_ms() - MAX_POLL_SPREAD_MS;
        // the days whose flags or derived values take (i, day) as their line or reference
        let takes_i = |o: usize| {
            o != i
                && ((inversion && batch.is_microcat(i) && batch.is_microcat(o))
                    || reference_of(line, o) == Some(i))
        };
        for o in (0..line.len()).filter(|&o| takes_i(o)) {
            candidates.push((o, day));
            if near_start {
                candidates.push((o, Day(day.0 - 1)));
            }
            if near_end {
                candidates.push((o, Day(day.0 + 1)));
            }
        }
        for key in candidates {
            if batch.has_samples(key)? {
                rebuild.insert(key);
            }
        }
    }
    // a day touched later in the loop above may have been looked up (from disk) before it
    // was merged; all merges are done now, so the points are recomputed from the merged days
    batch.points.clear();
    let keys: Vec<Key> = rebuild.into_iter().collect();
    let mut reports = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(PARALLEL_DAYS) {
        let jobs = chunk
            .iter()
            .map(|&key| batch.prepare(key))
            .collect::<Result<Vec<_>, _>>()?;
        let built: Vec<Result<Rendered, DailyFileError>> =
            jobs.into_par_iter().map(Rebuild::render).collect();
        for r in built {
            reports.push(r?.publish()?);
        }
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qc::config::{FlatLineConfig, RateOfChangeConfig};
    use crate::qc::VariableTests;

    #[test]
    fn context_days_follow_the_longest_window() {
        let mut qc = QcConfig::default();
        assert_eq!(context_days(&qc), 1, "spike needs the previous record");
        let roc = |n_dev: Option<f64>, tim_dev_h: f64| RateOfChangeConfig {
            threshold_per_s: Some(1e-4),
            fail_threshold_per_s: None,
            n_dev,
            fail_n_dev: None,
            tim_dev_h,
            min_obs: 3,
        };
        let mut t = VariableTests {
            rate_of_change: Some(roc(None, 25.0)),
            ..Default::default()
        };
        qc.variables.insert("temperature_c".into(), t.clone());
        assert_eq!(
            context_days(&qc),
            1,
            "per-second rate of change: one record"
        );
        t.rate_of_change = Some(roc(Some(3.0), 25.0));
        qc.variables.insert("temperature_c".into(), t.clone());
        assert_eq!(context_days(&qc), 2, "25 h of standard deviation window");
        t.flat_line = Some(FlatLineConfig {
            suspect_threshold_s: 3600.0,
            fail_threshold_s: 30.0 * 86_400.0,
            tolerance: 0.001,
        });
        qc.variables.insert("pressure_dbar".into(), t);
        assert_eq!(context_days(&qc), MAX_CONTEXT_DAYS);
    }
}
