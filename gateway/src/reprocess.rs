//! `albatross reprocess`: every daily product (CSV + NetCDF, [`crate::dailyfiles`]) of every
//! link rebuilt from the raw archive ([`crate::archive`]), as the live gateway would have
//! written them from the same bytes.
//!
//! Each link's day files are fed in order through one decoder built as the live link's
//! ([`factory::decoder_for`], downlink off), so that a message whose frames straddle
//! midnight is reassembled as it was live; links are decoded in parallel. The samples then
//! go through the same [`DailyWriter`] as the live files sink, in slices of
//! [`SLICE_DAYS`] days, oldest first: within a slice the days are built in parallel
//! ([`crate::dailyfiles::batch`]), and a slice takes the previous slice's files as its QC
//! context, exactly as a live batch takes the files already written. The files being a
//! function of the set of samples (whatever the batching), the result is byte-identical to
//! the live files.
//!
//! **Range.** With `--from`/`--to`, only days in the range are rebuilt (their files are
//! replaced; days outside are left as they are, except the neighbours whose QC context the
//! range changes, as in a live batch). Samples arrive after they are measured (a repaired
//! frame can come days later), so day files up to [`LATE_DAYS`] after the range are read
//! too, and one day before it, for what was in flight at its first midnight.

use crate::config::{Config, Link};
use crate::dailyfiles::{DailyFileError, DailyWriter, Day, LineSamples, StationInfo};
use crate::links::feed_capture;
use crate::pipeline::factory::decoder_for;
use crate::pipeline::Output;
use protocol::capture::CaptureError;
use protocol::time::UtcTime;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Days written per slice (see the module docs).
pub const SLICE_DAYS: i64 = 32;
/// Days of archive read after the range's last day, for samples that arrived late.
pub const LATE_DAYS: i64 = 7;

/// How to reprocess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The days rebuilt.
    pub range: DayRange,
    /// Days written per slice ([`SLICE_DAYS`]; fewer hold less in memory and rebuild more
    /// boundary days; the files are the same whatever the slices).
    pub slice_days: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            range: DayRange::default(),
            slice_days: SLICE_DAYS,
        }
    }
}

/// Which days to rebuild (inclusive; `None`: unbounded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayRange {
    /// The first day rebuilt.
    pub from: Option<Day>,
    /// The last day rebuilt.
    pub to: Option<Day>,
}

impl DayRange {
    /// Whether `day` is in the range.
    pub fn contains(&self, day: Day) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }

    /// Whether the archive file of `day` is read for the range (module docs).
    fn reads(&self, day: Day) -> bool {
        self.from.is_none_or(|f| day.0 >= f.0 - 1)
            && self.to.is_none_or(|t| day.0 <= t.0 + LATE_DAYS)
    }
}

/// What a reprocess read and wrote.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Per link: its name and its decoder's counters, one line.
    pub links: Vec<(String, String)>,
    /// Archive day files read.
    pub capture_files: usize,
    /// Capture records read.
    pub capture_records: u64,
    /// Records decoded (all kinds, before the range is applied).
    pub records: u64,
    /// Samples in the range that went into daily files.
    pub samples: usize,
    /// Records that belong in no daily file (e.g. instrument configuration records).
    pub skipped: usize,
    /// Bytes that decoded to nothing ([`crate::pipeline::LinkDecoder::bad_bytes`]).
    pub bad_bytes: u64,
    /// Damaged archive files: what came before the damage was used.
    pub damaged: Vec<(PathBuf, CaptureError)>,
    /// Day files (a CSV + NetCDF pair per instrument and day) written.
    pub day_files: usize,
    /// Distinct days with files written.
    pub days: usize,
    /// Rows in those files.
    pub rows: usize,
    /// Wall-clock time taken.
    pub elapsed: Duration,
    /// Of which reading and decoding the archive.
    pub decode_time: Duration,
    /// Of which writing the daily files (and the final sync).
    pub write_time: Duration,
}

/// Where a reprocess is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Archive bytes decoded so far, of `total`.
    Decoding {
        /// Bytes done.
        done: u64,
        /// Bytes to decode.
        total: u64,
    },
    /// Days written so far, of `total`.
    Writing {
        /// Days done.
        done: u64,
        /// Days to write.
        total: u64,
    },
}

/// Why a reprocess stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReprocessError {
    /// The configuration's `[files.qc]` is invalid.
    #[error("[files.{field}]: {reason}")]
    Qc {
        /// The offending key.
        field: String,
        /// Why.
        reason: String,
    },
    /// The archive could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A daily file could not be written.
    #[error("daily files: {0}")]
    Write(#[from] DailyFileError),
}

/// One link's archive day files in the range, oldest first, with their days.
fn day_files(
    raw: &Path,
    link: &Link,
    range: DayRange,
) -> Result<Vec<(Day, PathBuf)>, ReprocessError> {
    let dir = raw.join(link.name.get_ref());
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        // a configured link that never archived anything
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(ReprocessError::Read { path: dir, source }),
    };
    let mut files = Vec::new();
    for e in entries {
        let e = e.map_err(|source| ReprocessError::Read {
            path: dir.clone(),
            source,
        })?;
        let name = e.file_name();
        let Some(day) = name.to_str().and_then(day_of_name) else {
            continue;
        };
        if range.reads(day) {
            files.push((day, e.path()));
        }
    }
    files.sort();
    Ok(files)
}

/// The day of an archive file name `YYYYMMDD.cap`.
fn day_of_name(name: &str) -> Option<Day> {
    let stem = name.strip_suffix(".cap")?;
    if stem.len() != 8 || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| stem.get(r)?.parse::<u32>().ok();
    Day::from_civil(num(0..4)? as i32, num(4..6)?, num(6..8)?)
}

/// What one link's decode produced.
struct Decoded {
    samples: LineSamples,
    summary: String,
    records: u64,
    capture_records: u64,
    bad_bytes: u64,
    damaged: Vec<(PathBuf, CaptureError)>,
}

/// Decodes one link's `files` in order through one decoder; keeps the samples in `range`.
fn decode_link(
    config: &Config,
    station: &StationInfo,
    link: &Link,
    files: &[(Day, PathBuf)],
    range: DayRange,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Decoded, ReprocessError> {
    let mut decoder = decoder_for(config, link, true);
    let mut d = Decoded {
        samples: LineSamples::default(),
        summary: String::new(),
        records: 0,
        capture_records: 0,
        bad_bytes: 0,
        damaged: Vec::new(),
    };
    let mut last = UtcTime(0);
    let mut out = Output::default();
    let take = |out: &mut Output, d: &mut Decoded| {
        d.records += out.observations.len() as u64;
        for o in out.observations.drain(..) {
            let in_range = o.record.time.is_some_and(|t| range.contains(Day::of(t)));
            if in_range {
                d.samples.add(station, &o);
            }
        }
        out.notices.clear();
    };
    for (_, path) in files {
        let data = std::fs::read(path).map_err(|source| ReprocessError::Read {
            path: path.clone(),
            source,
        })?;
        match feed_capture(&data, decoder.as_mut(), &mut out, &mut last) {
            Ok(n) => d.capture_records += n,
            Err(e) => d.damaged.push((path.clone(), e)),
        }
        take(&mut out, &mut d);
        progress(data.len() as u64);
    }
    decoder.finish(last, &mut out);
    take(&mut out, &mut d);
    d.summary = decoder.summary();
    d.bad_bytes = decoder.bad_bytes();
    Ok(d)
}

/// Rebuilds the daily products of every link of `config` whose archive is under `raw`
/// (`<raw>/<link>/<YYYYMMDD>.cap`) into `out`, for the days of `options.range` (module
/// docs). `progress` is called from any thread as work is done.
pub fn reprocess(
    config: &Config,
    raw: &Path,
    out: &Path,
    options: &Options,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Summary, ReprocessError> {
    let started = Instant::now();
    let range = options.range;
    config.files.qc.validate().map_err(|e| ReprocessError::Qc {
        field: e.field.to_string(),
        reason: e.reason.to_string(),
    })?;
    let station = StationInfo::from(config);
    let mut links = Vec::new();
    for link in &config.links {
        links.push((link, day_files(raw, link, range)?));
    }
    let total: u64 = links
        .iter()
        .flat_map(|(_, f)| f)
        .map(|(_, p)| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    let done = std::sync::atomic::AtomicU64::new(0);
    let step = |n: u64| {
        let d = done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
        progress(Progress::Decoding { done: d, total });
    };
    let decoded = links
        .par_iter()
        .map(|(link, files)| decode_link(config, &station, link, files, range, &step))
        .collect::<Result<Vec<_>, _>>()?;

    let mut summary = Summary {
        decode_time: started.elapsed(),
        ..Default::default()
    };
    let mut samples = LineSamples::default();
    for ((link, files), d) in links.iter().zip(decoded) {
        summary.links.push((link.name.get_ref().clone(), d.summary));
        summary.capture_files += files.len();
        summary.capture_records += d.capture_records;
        summary.records += d.records;
        summary.bad_bytes += d.bad_bytes;
        summary.damaged.extend(d.damaged);
        samples.append(d.samples);
    }
    summary.samples = samples.len();
    summary.skipped = samples.skipped;
    samples.skipped = 0;

    let writer = DailyWriter::new(out, config.files.qc.clone()).with_deferred_sync();
    let days = samples.days();
    let (Some(&first), Some(&last)) = (days.first(), days.last()) else {
        summary.elapsed = started.elapsed();
        return Ok(summary);
    };
    let total = days.len() as u64;
    let mut written_days = 0;
    let mut start = first.0;
    while start <= last.0 {
        let end = start + options.slice_days.max(1);
        let slice = samples.take_before(Day(end));
        let report = writer.write_lines(slice, false)?;
        for d in &report.days {
            summary.rows += d.rows * usize::from(d.touched);
            summary.day_files += usize::from(d.touched);
        }
        written_days += days.iter().filter(|d| d.0 >= start && d.0 < end).count();
        progress(Progress::Writing {
            done: written_days as u64,
            total,
        });
        start = end;
    }
    writer.sync()?;
    summary.days = written_days;
    summary.write_time = started.elapsed() - summary.decode_time;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names_are_real_days() {
        assert_eq!(day_of_name("19700102.cap"), Some(Day(1)));
        assert_eq!(day_of_name("20260301.cap"), Some(Day(20_513)));
        for bad in [
            "20260230.cap",
            "20261301.cap",
            "2026031.cap",
            "20260301.cap.tmp",
            "2026030a.cap",
            "+2026031.cap",
        ] {
            assert_eq!(day_of_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_range_reads_a_day_before_and_late_days_after() {
        let r = DayRange {
            from: Some(Day(100)),
            to: Some(Day(110)),
        };
        assert!(!r.contains(Day(99)) && r.contains(Day(100)) && r.contains(Day(110)));
        assert!(!r.reads(Day(98)) && r.reads(Day(99)));
        assert!(r.reads(Day(110 + LATE_DAYS)) && !r.reads(Day(111 + LATE_DAYS)));
        assert!(DayRange::default().contains(Day(i64::MIN / 2)));
    }
}
