//! `albatross reprocess`: every daily product (CSV + NetCDF, [`crate::dailyfiles`]) of every
//! link rebuilt from the raw archive ([`crate::archive`]), as the live gateway would have
//! written them from the same bytes.
//!
//! Each link's day files are fed in order through one decoder built as the live link's
//! ([`factory::decoder_for`], downlink off), so that a message whose frames straddle
//! midnight is reassembled as it was live. Each link is decoded on its own thread while the
//! files are written: the samples go through the same [`DailyWriter`] as the live files
//! sink, in slices of [`SLICE_DAYS`] days, oldest first, a slice once every link has decoded
//! [`LATE_DAYS`] past it (a bounded channel keeps the decoders at most [`IN_FLIGHT`] days
//! ahead, so memory holds a few slices, not the archive); a sample later than that is merged
//! into the files at the end. Within a slice the days are rendered in parallel
//! ([`crate::dailyfiles::batch`]), and a slice takes the previous slice's files as its QC
//! context, exactly as a live batch takes the files already written. The files being a
//! function of the set of samples (whatever the batching), the result is byte-identical to
//! the live files. They are renamed into place unsynced and made durable by one
//! [`crate::durable::sync_filesystem`] at the end.
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
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Days written per slice (see the module docs).
pub const SLICE_DAYS: i64 = 32;
/// Days of archive read after the range's last day, for samples that arrived late.
pub const LATE_DAYS: i64 = 7;
/// Archive days decoded ahead of the writer, at most, over all links.
pub const IN_FLIGHT: usize = 64;

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
    /// Until the archive was all decoded (files were written meanwhile).
    pub decode_time: Duration,
    /// After that: the last slices and the final sync.
    pub write_time: Duration,
}

/// Where a reprocess is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Archive bytes decoded so far, of `total`.
    Decoded {
        /// Bytes done.
        bytes: u64,
        /// Bytes to decode.
        total: u64,
    },
    /// Days with files written so far.
    Written {
        /// Days done.
        days: u64,
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

/// What a link's decoder thread sends the writer.
enum Msg {
    /// Samples decoded from the link's archive files up to day `through` (inclusive).
    Samples {
        link: usize,
        samples: LineSamples,
        records: u64,
        through: Day,
    },
    /// The link's archive is all decoded (or could not be read).
    Done {
        link: usize,
        end: Result<LinkEnd, ReprocessError>,
    },
}

/// A link's counters once its archive is decoded.
struct LinkEnd {
    summary: String,
    capture_records: u64,
    bad_bytes: u64,
    damaged: Vec<(PathBuf, CaptureError)>,
}

/// Decodes one link's `files` in order through one decoder, sending the samples in `range`
/// after each file.
#[allow(clippy::too_many_arguments)]
fn decode_link(
    config: &Config,
    station: &StationInfo,
    index: usize,
    link: &Link,
    files: &[(Day, PathBuf)],
    range: DayRange,
    tx: &std::sync::mpsc::SyncSender<Msg>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<LinkEnd, ReprocessError> {
    let mut decoder = decoder_for(config, link, true);
    let mut end = LinkEnd {
        summary: String::new(),
        capture_records: 0,
        bad_bytes: 0,
        damaged: Vec::new(),
    };
    let mut last = UtcTime(0);
    let mut out = Output::default();
    let send = |out: &mut Output, through: Day| {
        let mut samples = LineSamples::default();
        let records = out.observations.len() as u64;
        for o in out.observations.drain(..) {
            if o.record.time.is_some_and(|t| range.contains(Day::of(t))) {
                samples.add(station, &o);
            }
        }
        out.notices.clear();
        // the writer is gone only when it failed: its error is the one reported
        let _ = tx.send(Msg::Samples {
            link: index,
            samples,
            records,
            through,
        });
    };
    for (day, path) in files {
        let data = std::fs::read(path).map_err(|source| ReprocessError::Read {
            path: path.clone(),
            source,
        })?;
        match feed_capture(&data, decoder.as_mut(), &mut out, &mut last) {
            Ok(n) => end.capture_records += n,
            Err(e) => end.damaged.push((path.clone(), e)),
        }
        send(&mut out, *day);
        progress(data.len() as u64);
    }
    decoder.finish(last, &mut out);
    send(&mut out, Day(i64::MAX));
    end.summary = decoder.summary();
    end.bad_bytes = decoder.bad_bytes();
    Ok(end)
}

/// The writing side: samples wait until no link can still bring samples of their slice
/// (every link decoded [`LATE_DAYS`] past it), then the slice is written; a sample that
/// comes later still (an archive day more than [`LATE_DAYS`] late) is merged into the files
/// already written at the end.
struct Slices<'a> {
    writer: DailyWriter,
    slice_days: i64,
    progress: &'a (dyn Fn(Progress) + Sync),
    pending: LineSamples,
    late: LineSamples,
    /// The first day not written yet (`None` before the first samples).
    next: Option<i64>,
    /// Rows of every file written (by CSV path; the last version counts).
    files: std::collections::BTreeMap<PathBuf, usize>,
    days: std::collections::BTreeSet<Day>,
    skipped: usize,
    samples: usize,
}

impl<'a> Slices<'a> {
    fn new(writer: DailyWriter, slice_days: i64, progress: &'a (dyn Fn(Progress) + Sync)) -> Self {
        Slices {
            writer,
            slice_days: slice_days.max(1),
            progress,
            pending: LineSamples::default(),
            late: LineSamples::default(),
            next: None,
            files: Default::default(),
            days: Default::default(),
            skipped: 0,
            samples: 0,
        }
    }

    fn add(&mut self, mut samples: LineSamples) {
        self.skipped += std::mem::take(&mut samples.skipped);
        self.samples += samples.len();
        if let Some(next) = self.next {
            self.late.append(samples.take_before(Day(next)));
        }
        self.pending.append(samples);
    }

    /// Writes every slice that ends before `safe` (exclusive), or all with `None`.
    fn write_ready(&mut self, safe: Option<i64>) -> Result<(), ReprocessError> {
        loop {
            let start = match self.next {
                Some(n) => n,
                None => match self.pending.days().first() {
                    Some(d) => d.0,
                    None => return Ok(()),
                },
            };
            // nothing to write (later samples may still come): stop here
            if self.pending.is_empty() {
                self.next = Some(start);
                return Ok(());
            }
            let end = start.saturating_add(self.slice_days);
            if safe.is_some_and(|s| end > s) {
                self.next = Some(start);
                return Ok(());
            }
            let slice = self.pending.take_before(Day(end));
            if !slice.is_empty() {
                self.write(slice, false)?;
            }
            self.next = Some(end);
        }
    }

    fn write(&mut self, slice: LineSamples, merge: bool) -> Result<(), ReprocessError> {
        self.days.extend(slice.days());
        let report = self.writer.write_lines(slice, merge)?;
        for d in report.days.into_iter().filter(|d| d.touched) {
            self.files.insert(d.csv, d.rows);
        }
        (self.progress)(Progress::Written {
            days: self.days.len() as u64,
        });
        Ok(())
    }
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
        progress(Progress::Decoded { bytes: d, total });
    };
    let writer = DailyWriter::new(out, config.files.qc.clone()).with_deferred_sync();
    let mut slices = Slices::new(writer, options.slice_days, progress);
    let mut summary = Summary::default();
    // bounded: a decoder ahead of the writer waits, so memory holds only the samples of
    // the slices in progress
    let (tx, rx) = std::sync::mpsc::sync_channel::<Msg>(IN_FLIGHT);
    // each link decoded on its own thread, in order; the files written here meanwhile
    let ends = std::thread::scope(|scope| -> Result<Vec<Option<LinkEnd>>, ReprocessError> {
        for (index, (link, files)) in links.iter().enumerate() {
            let tx = tx.clone();
            let (station, step) = (&station, &step);
            scope.spawn(move || {
                let end = decode_link(config, station, index, link, files, range, &tx, step);
                let _ = tx.send(Msg::Done { link: index, end });
            });
        }
        drop(tx);
        // per link: the last archive day decoded (MAX once done)
        let mut through = vec![i64::MIN; links.len()];
        let mut ends: Vec<Option<LinkEnd>> = (0..links.len()).map(|_| None).collect();
        for msg in rx {
            match msg {
                Msg::Samples {
                    link,
                    samples,
                    records,
                    through: t,
                } => {
                    summary.records += records;
                    through[link] = t.0;
                    slices.add(samples);
                    let slowest = through.iter().copied().min().unwrap_or(i64::MAX);
                    // a slice is safe once every link decoded LATE_DAYS past its last day
                    slices.write_ready(Some(slowest.saturating_sub(LATE_DAYS - 1)))?;
                }
                Msg::Done { link, end } => {
                    through[link] = i64::MAX;
                    ends[link] = Some(end?);
                }
            }
        }
        Ok(ends)
    })?;
    summary.decode_time = started.elapsed();
    slices.write_ready(None)?;
    let late = std::mem::take(&mut slices.late);
    if !late.is_empty() {
        slices.write(late, true)?;
    }
    slices.writer.sync()?;
    for ((link, files), end) in links.iter().zip(ends) {
        summary.capture_files += files.len();
        if let Some(e) = end {
            summary.links.push((link.name.get_ref().clone(), e.summary));
            summary.capture_records += e.capture_records;
            summary.bad_bytes += e.bad_bytes;
            summary.damaged.extend(e.damaged);
        }
    }
    summary.samples = slices.samples;
    summary.skipped = slices.skipped;
    summary.days = slices.days.len();
    summary.day_files = slices.files.len();
    summary.rows = slices.files.values().sum();
    summary.elapsed = started.elapsed();
    summary.write_time = summary.elapsed - summary.decode_time;
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

    /// Samples of two MicroCATs over five days, the day-0 samples of one coming only after
    /// everything else (later than any slice waits): the files are those of one batch.
    #[test]
    fn slices_and_late_samples_give_the_files_of_one_batch() {
        use crate::observation::Observation;
        use crate::record::{Record, Value};
        let text = include_str!("../albatross.example.toml");
        let config = Config::parse(text, Path::new("albatross.example.toml")).unwrap();
        let station = StationInfo::from(&config);
        let platform = crate::pipeline::factory::platforms(&config)
            .into_iter()
            .find(|p| p.id == "albatross")
            .unwrap();
        let obs = |serial: &str, day: i64, k: i64| {
            let t = UtcTime::from_unix_seconds((20_513 + day) * 86_400 + k * 1800);
            let mut r = Record::new("sbe37", Some(t), Some(serial.into()));
            let x = (day * 48 + k) as f64;
            r.push("temperature_c", Value::Fixed(13.5 + x * 1e-4, 4))
                .push("conductivity_s_m", Value::Fixed(4.58, 5))
                .push("pressure_dbar", Value::Fixed(500.0 + x * 1e-3, 3));
            Observation {
                record: r,
                platform: platform.clone(),
                instrument: platform.by_serial(serial).cloned(),
                link: "test".into(),
            }
        };
        let mut all = Vec::new();
        for day in 0..5 {
            for k in 0..48 {
                all.push(obs("3725001", day, k));
                all.push(obs("3725002", day, k));
            }
        }
        let dir = std::env::temp_dir().join(format!("reprocess-slices-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let batch = DailyWriter::new(&dir.join("batch"), config.files.qc.clone());
        batch.write_observations(&station, &all, true).unwrap();

        let progress = |_| {};
        let writer =
            DailyWriter::new(&dir.join("sliced"), config.files.qc.clone()).with_deferred_sync();
        let mut slices = Slices::new(writer, 1, &progress);
        let (late, on_time): (Vec<_>, Vec<_>) = all.iter().partition(|o| {
            o.instrument.as_ref().is_some_and(|i| i.serial == "3725002")
                && o.record.time.is_some_and(|t| Day::of(t) == Day(20_513))
        });
        for day in 0..5 {
            let mut s = LineSamples::default();
            for o in on_time.iter().filter(|o| {
                o.record
                    .time
                    .is_some_and(|t| Day::of(t) == Day(20_513 + day))
            }) {
                s.add(&station, o);
            }
            slices.add(s);
            slices.write_ready(Some(20_513 + day)).unwrap();
        }
        assert_eq!(slices.next, Some(20_513 + 4), "days 0-3 written");
        let mut s = LineSamples::default();
        for o in &late {
            s.add(&station, o);
        }
        slices.add(s);
        assert_eq!(slices.late.len(), 48);
        slices.write_ready(None).unwrap();
        let late = std::mem::take(&mut slices.late);
        slices.write(late, true).unwrap();
        assert_eq!(
            (slices.samples, slices.days.len(), slices.files.len()),
            (480, 5, 10)
        );
        let read = |d: &Path| -> Vec<(PathBuf, Vec<u8>)> {
            let mut v = Vec::new();
            let mut stack = vec![d.to_owned()];
            while let Some(p) = stack.pop() {
                for e in std::fs::read_dir(&p).unwrap().flatten() {
                    if e.path().is_dir() {
                        stack.push(e.path());
                    } else {
                        let rel = e.path().strip_prefix(d).unwrap().to_owned();
                        v.push((rel, std::fs::read(e.path()).unwrap()));
                    }
                }
            }
            v.sort();
            v
        };
        let (a, b) = (read(&dir.join("batch")), read(&dir.join("sliced")));
        assert_eq!(a.len(), 20);
        assert!(a == b, "the same files");
        std::fs::remove_dir_all(&dir).unwrap();
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
