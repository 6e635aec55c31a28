//! `albatross ingest`: the memory of a recovered instrument made into delayed-mode daily
//! products (`data_mode` = `D`), beside the real-time ones, and compared with them.
//!
//! Each file is decoded as `albatross decode` does ([`crate::decode`], the format
//! recognised from the content): an SBE 37 `.hex` upload is converted with the calibration
//! coefficients of its own header; a Nortek file (`.aqd`, `.prf`, `.wpr`) is read record by
//! record; optode and C-Star logger lines are read as their instruments print them. Each
//! record is given to the configured instrument with its serial number and product (the
//! serial is compared without leading zeros: a `.hex` header says `03716125` where the
//! configuration may say `3716125`; `--serial` names the instrument of records that carry
//! none). The samples then go through the live [`DailyWriter`], with the station marked
//! [`DataMode::Delayed`], so the derived variables and the QC are those of the real-time
//! files; files already in the output directory are merged with (ingesting the same upload
//! twice changes nothing).
//!
//! Records that belong in no daily product are counted and named, never silently dropped:
//! configuration and diagnostics records, a profiler's profiles (no profile product yet),
//! records without a time, records of an instrument the configuration does not list.
//!
//! The comparison ([`compare`]) reads back, for every instrument ingested, its
//! delayed-mode files and the real-time files of the same days.

pub mod compare;

use crate::config::Config;
use crate::dailyfiles::{
    DailyFileError, DailyWriter, DataMode, Day, LineSamples, Series, StationInfo,
};
use crate::decode::{decode_stream, Format};
use crate::observation::{InstrumentMeta, Observation, PlatformMeta};
use crate::record::Record;
use compare::Comparison;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Samples at most this far apart are the same sample in the comparison, by default
/// (less than half the shortest sampling interval of the instruments, 60 s).
pub const TOLERANCE_MS: i64 = 20_000;

/// How to ingest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The real-time daily files to compare with.
    pub real_time: PathBuf,
    /// Samples at most this far apart match ([`TOLERANCE_MS`]).
    pub tolerance_ms: i64,
    /// The serial number of records that carry none.
    pub serial: Option<String>,
}

/// Why an ingest stopped.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The configuration's `[files.qc]` is invalid.
    #[error("[files.{field}]: {reason}")]
    Qc {
        /// The offending key.
        field: String,
        /// Why.
        reason: String,
    },
    /// A daily file could not be written.
    #[error("daily files: {0}")]
    Write(#[from] DailyFileError),
    /// A daily file could not be read back for the comparison.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// What one input file gave.
#[derive(Debug, Clone, Default)]
pub struct FileSummary {
    /// The file.
    pub path: PathBuf,
    /// The format it was decoded as.
    pub format: String,
    /// Why it could not be decoded at all (nothing of it was used).
    pub failed: Option<String>,
    /// Records decoded.
    pub records: u64,
    /// Records that became samples of a configured instrument.
    pub samples: u64,
    /// Bad records and skipped byte runs the decoder reported.
    pub issues: u64,
    /// Records of each kind that belong in no daily product, by kind.
    pub no_product: BTreeMap<String, u64>,
    /// Records without a time.
    pub untimed: u64,
    /// Records of serial numbers the configuration does not list, by serial.
    pub unknown: BTreeMap<String, u64>,
    /// Records of a configured instrument that are not a measurement of its product (e.g.
    /// a MicroCAT record without temperature, conductivity and pressure).
    pub not_samples: u64,
}

/// What an ingest read, wrote and found.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Per input file.
    pub files: Vec<FileSummary>,
    /// Day files (a CSV + NetCDF pair per instrument and day) written.
    pub day_files: usize,
    /// Rows in them.
    pub rows: usize,
    /// Per instrument ingested, its comparison with the real-time files.
    pub comparisons: Vec<Comparison>,
}

/// The configured instruments by (normalised serial, record kind of their product).
struct Instruments(Vec<(Arc<PlatformMeta>, Arc<InstrumentMeta>)>);

/// A serial number without its leading zeros.
fn normalised(serial: &str) -> &str {
    let s = serial.trim().trim_start_matches('0');
    if s.is_empty() {
        "0"
    } else {
        s
    }
}

impl Instruments {
    fn of(config: &Config) -> Self {
        let mut all = Vec::new();
        for p in &config.platforms {
            let meta = Arc::new(PlatformMeta::from_config(config, p));
            for i in &meta.instruments {
                all.push((meta.clone(), i.clone()));
            }
        }
        Instruments(all)
    }

    /// The instrument of a `kind` record with serial `serial`.
    fn find(&self, serial: &str, kind: &str) -> Option<&(Arc<PlatformMeta>, Arc<InstrumentMeta>)> {
        let serial = normalised(serial);
        self.0.iter().find(|(_, i)| {
            normalised(&i.serial) == serial
                && crate::dailyfiles::meta::product_of(i.kind)
                    .record_kinds
                    .contains(&kind)
        })
    }

    /// Whether some instrument has a product made of `kind` records.
    fn has_product(kind: &str) -> bool {
        crate::science::PRODUCTS
            .iter()
            .any(|p| !p.is(&crate::science::LINE_STATUS) && p.record_kinds.contains(&kind))
    }
}

/// What the decoding of every file gathered.
struct Gathered {
    samples: LineSamples,
    /// Per (platform, serial): the series and its days.
    series: BTreeMap<(String, String), (Series, BTreeSet<Day>)>,
}

/// Decodes `path`, adding its records to `g`.
fn ingest_file(
    path: &Path,
    instruments: &Instruments,
    station: &StationInfo,
    options: &Options,
    g: &mut Gathered,
) -> FileSummary {
    let mut f = FileSummary {
        path: path.to_owned(),
        ..Default::default()
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) => {
            f.failed = Some(e.to_string());
            return f;
        }
    };
    let mut input = std::io::BufReader::with_capacity(1 << 16, file);
    let mut sink = |record: Record| -> std::io::Result<()> {
        f.records += 1;
        if !Instruments::has_product(record.kind) {
            *f.no_product.entry(record.kind.to_owned()).or_default() += 1;
            return Ok(());
        }
        if record.time.is_none() {
            f.untimed += 1;
            return Ok(());
        }
        let Some(serial) = record.serial.as_deref().or(options.serial.as_deref()) else {
            *f.unknown.entry("(none)".to_owned()).or_default() += 1;
            return Ok(());
        };
        let Some((platform, instrument)) = instruments.find(serial, record.kind) else {
            *f.unknown.entry(serial.to_owned()).or_default() += 1;
            return Ok(());
        };
        let o = Observation {
            record,
            platform: platform.clone(),
            instrument: Some(instrument.clone()),
            link: Arc::from("ingest"),
        };
        let before = g.samples.len();
        g.samples.add(station, &o);
        if g.samples.len() == before {
            f.not_samples += 1;
        } else {
            f.samples += 1;
            let key = (platform.id.clone(), instrument.serial.clone());
            let day = o.record.time.map(Day::of);
            let entry = g.series.entry(key).or_insert_with(|| {
                (
                    Series::for_instrument(station, platform, instrument),
                    BTreeSet::new(),
                )
            });
            entry.1.extend(day);
        }
        Ok(())
    };
    match decode_stream(Format::Auto, &mut input, &mut sink) {
        Ok(report) => {
            f.format = report.format.name().to_owned();
            f.issues = report.issue_total();
        }
        Err(e) => f.failed = Some(e.to_string()),
    }
    f
}

/// Decodes `files` into delayed-mode daily products of `config`'s instruments under `out`,
/// then compares each instrument's with its real-time files under `options.real_time`
/// (module docs). A file that cannot be decoded is named in its [`FileSummary`] and the
/// others are still ingested.
pub fn ingest(
    config: &Config,
    files: &[PathBuf],
    out: &Path,
    options: &Options,
) -> Result<Summary, IngestError> {
    config.files.qc.validate().map_err(|e| IngestError::Qc {
        field: e.field.to_string(),
        reason: e.reason.to_string(),
    })?;
    let mut station = StationInfo::from(config);
    station.data_mode = DataMode::Delayed;
    let instruments = Instruments::of(config);
    let mut g = Gathered {
        samples: LineSamples::default(),
        series: BTreeMap::new(),
    };
    let mut summary = Summary::default();
    for path in files {
        let f = ingest_file(path, &instruments, &station, options, &mut g);
        summary.files.push(f);
    }
    let writer = DailyWriter::new(out, config.files.qc.clone());
    let report = writer.write_lines(g.samples, true)?;
    let mut rows = BTreeMap::new();
    for d in report.days {
        rows.insert(d.csv, d.rows);
    }
    summary.day_files = rows.len();
    summary.rows = rows.values().sum();
    for (series, days) in g.series.values() {
        let days: Vec<Day> = days.iter().copied().collect();
        let read = |dir: &Path| {
            compare::series_rows(dir, series, &days).map_err(|source| IngestError::Read {
                path: series.file_stem(dir, days.first().copied().unwrap_or(Day(0))),
                source,
            })
        };
        let dm = read(out)?;
        let rt = read(&options.real_time)?;
        summary
            .comparisons
            .push(compare::compare(series, &rt, &dm, options.tolerance_ms));
    }
    Ok(summary)
}
