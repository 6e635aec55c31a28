//! Daily files for ERDDAP: one CSV and one NetCDF per instrument per UTC day (BRIEF §4).
//!
//! `<dir>/<platform>/<YYYY>/<SENSOR>_<serial>_<YYYYMMDD>.{csv,nc}` (SENSOR `MICROCAT` for
//! the SBE 37 kinds; other kinds get no daily files yet).
//!
//! - [`day`]: a day's samples sorted, de-duplicated (a record seen twice is stored once; two
//!   different samples with the same time keep one, chosen independently of arrival order),
//!   derived variables ([`crate::seawater::derive`]: practical salinity, potential
//!   temperature, sigma-theta, depth, oxygen saturation) and QARTOD flags
//!   ([`crate::qc::series`] over the sorted day, per `[files.qc]`; derived variables also
//!   take the worst flag of their inputs, [`crate::qc::inherit`]; one aggregate per record).
//! - [`csv`]: the CSV, with the published ALBATROSS column names then `<name>_qc` columns.
//! - [`netcdf`]: NetCDF-3 classic, CF-1.6 `timeSeries`, ACDD-1.3 and EMSO attributes
//!   ([`attrs`]), schema frozen in [`schema`].
//! - [`atomic`]: `<name>.tmp` + fsync + rename + directory fsync; unchanged bytes are not
//!   rewritten.
//! - [`erddap`]: the `datasets.xml` entries matching this layout.
//!
//! **The day's store is its own CSV.** Measured values are rounded to the files' decimals
//! before anything is computed, so the CSV holds the inputs losslessly: updating a day reads
//! its CSV back, adds the new samples, and rebuilds both files from scratch. Nothing is kept
//! in memory between batches (memory is bounded by one day of one instrument), and a day
//! rebuilt from the same samples is byte-identical, whatever their order or repetition
//! (no wall-clock time in the files: `date_created` and `history` carry the time of the
//! day's newest record). A CSV that cannot be read back (foreign header, damaged rows) is
//! first renamed aside to `<name>.csv.bad-<n>` so that nothing is lost silently.
//!
//! Limits: QC runs over one day, so the first and last records of a day get spike "not
//! evaluated" and the n_dev rate-of-change window does not reach into the previous day.

pub mod atomic;
pub mod attrs;
pub mod csv;
pub mod day;
pub mod erddap;
pub mod meta;
pub mod netcdf;
pub mod padding;
pub mod schema;

pub use day::{DayTable, Sample};
pub use meta::{Day, Series, StationInfo};

use crate::pipeline::Observation;
use crate::qc::{QcConfig, QcError};
use atomic::{publish, Published};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a day could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DailyFileError {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The NetCDF library refused the data set.
    #[error(transparent)]
    Netcdf(#[from] netcdf::NetcdfError),
    /// A QC function was called with inconsistent inputs.
    #[error("qc: {0}")]
    Qc(#[from] QcError),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DailyFileError + '_ {
    move |source| DailyFileError::Io {
        path: path.to_owned(),
        source,
    }
}

/// What writing one day did.
#[derive(Debug, Clone, PartialEq)]
pub struct DayReport {
    /// The CSV file.
    pub csv: PathBuf,
    /// The NetCDF file.
    pub nc: PathBuf,
    /// Rows in the files.
    pub rows: usize,
    /// Exact duplicates dropped.
    pub duplicates: usize,
    /// Same-time conflicting samples dropped.
    pub conflicts: usize,
    /// Samples whose derived variables could not be computed.
    pub derive_errors: usize,
    /// Where an unreadable existing CSV was moved, if it was.
    pub moved_aside: Option<PathBuf>,
    /// Whether the NetCDF file changed.
    pub nc_written: bool,
}

/// What writing a batch of observations did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchReport {
    /// One report per day file pair touched, in (platform, serial, day) order.
    pub days: Vec<DayReport>,
    /// Observations that belong in no daily file: no known instrument, a kind without
    /// daily files, no time, or no temperature/conductivity/pressure (they are still in the
    /// other sinks and the raw archive).
    pub skipped: usize,
}

/// Writes daily files under one directory with one QC configuration.
#[derive(Debug, Clone)]
pub struct DailyWriter {
    dir: PathBuf,
    qc: QcConfig,
}

impl DailyWriter {
    /// A writer under `dir` applying the tests of `qc` (keyed by record field name).
    pub fn new(dir: &Path, qc: QcConfig) -> Self {
        DailyWriter {
            dir: dir.to_owned(),
            qc,
        }
    }

    /// The directory files go under.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The (CSV, NetCDF) paths of a day.
    pub fn paths(&self, series: &Series, day: Day) -> (PathBuf, PathBuf) {
        let stem = series.file_stem(&self.dir, day);
        (stem.with_extension("csv"), stem.with_extension("nc"))
    }

    /// Rebuilds the day of `series` from its existing CSV (when `merge`) plus `samples`,
    /// and publishes both files. Samples of other days are ignored.
    pub fn write_day(
        &self,
        series: &Series,
        day: Day,
        samples: Vec<Sample>,
        merge: bool,
    ) -> Result<DayReport, DailyFileError> {
        let (csv_path, nc_path) = self.paths(series, day);
        let mut all: Vec<Sample> = Vec::with_capacity(samples.len() + 64);
        let mut moved_aside = None;
        if merge {
            match std::fs::read_to_string(&csv_path) {
                Ok(text) => {
                    let ok = match csv::parse(&text) {
                        Ok(p) => {
                            all.extend(p.samples);
                            p.bad_lines.is_empty()
                        }
                        Err(csv::CsvError::Header) => false,
                    };
                    if !ok {
                        moved_aside = Some(move_aside(&csv_path)?);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err(&csv_path)(e)),
            }
        }
        all.extend(samples);
        all.retain(|s| Day::of(s.time) == day);
        let table = day::build(all, series, &self.qc)?;
        let csv_text = csv::render(series, &table);
        publish(&csv_path, csv_text.as_bytes()).map_err(io_err(&csv_path))?;
        let nc_bytes = netcdf::render(series, &table, &self.qc)?;
        let nc_written =
            publish(&nc_path, &nc_bytes).map_err(io_err(&nc_path))? == Published::Written;
        Ok(DayReport {
            csv: csv_path,
            nc: nc_path,
            rows: table.rows.len(),
            duplicates: table.duplicates,
            conflicts: table.conflicts,
            derive_errors: table.derive_errors,
            moved_aside,
            nc_written,
        })
    }

    /// Groups `observations` by instrument and UTC day and rewrites each affected day
    /// ([`DailyWriter::write_day`] with `merge`).
    pub fn write_observations(
        &self,
        station: &StationInfo,
        observations: &[Observation],
        merge: bool,
    ) -> Result<BatchReport, DailyFileError> {
        let mut groups: BTreeMap<(String, String, Day), (Series, Vec<Sample>)> = BTreeMap::new();
        let mut report = BatchReport::default();
        for o in observations {
            let (Some(series), Some(sample)) =
                (Series::of(station, o), Sample::from_record(&o.record))
            else {
                report.skipped += 1;
                continue;
            };
            let key = (
                series.platform_id.clone(),
                series.serial.clone(),
                Day::of(sample.time),
            );
            groups
                .entry(key)
                .or_insert_with(|| (series, Vec::new()))
                .1
                .push(sample);
        }
        for ((_, _, day), (series, samples)) in groups {
            report
                .days
                .push(self.write_day(&series, day, samples, merge)?);
        }
        Ok(report)
    }
}

/// Renames an unreadable CSV to the first free `<name>.bad-<n>`.
fn move_aside(path: &Path) -> Result<PathBuf, DailyFileError> {
    for n in 1..=1000 {
        let mut name = path
            .file_name()
            .map(|s| s.to_os_string())
            .unwrap_or_default();
        name.push(format!(".bad-{n}"));
        let target = path.with_file_name(name);
        if !target.exists() {
            std::fs::rename(path, &target).map_err(io_err(path))?;
            return Ok(target);
        }
    }
    Err(io_err(path)(std::io::Error::other(
        "too many unreadable copies kept aside",
    )))
}
