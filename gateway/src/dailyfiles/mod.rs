//! Daily files for ERDDAP: one CSV and one NetCDF per instrument per UTC day (BRIEF §4).
//!
//! `<dir>/<platform>/<YYYY>/<SENSOR>_<serial>_<YYYYMMDD>.{csv,nc}`, one product per
//! instrument kind ([`crate::science::products`]: `MICROCAT`, `AQUADOPP`, `CTAR` for the
//! C-Star, `OXYGEN` for the optode) and the platform's line status
//! (`LINESTATUS_<platform>_<YYYYMMDD>`, from the controller's status messages).
//!
//! What the files hold is computed by the science core ([`crate::science`]): a day's
//! samples sorted and de-duplicated (a record seen twice is stored once; two different
//! samples with the same time keep one, chosen independently of arrival order), derived
//! variables (MicroCAT: practical salinity, potential temperature, sigma-theta, depth,
//! oxygen saturation; Aquadopp: speed, direction, depth; optode: µmol/kg with the σθ of the
//! MicroCAT beside it) and QARTOD flags per `[files.qc]` (derived variables also take the
//! worst flag of their inputs; one aggregate per record), with density inversion across
//! the line's MicroCATs. Each variable has its OceanSITES-mapped `<VAR>_QC` and, per
//! configured test, its QARTOD flags `<VAR>_qc_<test>` ([`schema`]).
//! This module lays them out and writes them:
//!
//! - [`day`]: a day's table ([`DayTable`]), the science core's assessment of the day.
//! - [`meta`]: who and where a file is about ([`Series`], [`StationInfo`]), file names.
//! - [`batch`]: which days a batch rebuilds, with what context.
//! - [`csv`]: the CSV, with the published column names, then `<name>_QC`, `aggregate_QC`
//!   and the per-test `<name>_qc_<test>` columns.
//! - [`netcdf`]: NetCDF-3 classic, CF-1.6 `timeSeries`, ACDD-1.3 and EMSO attributes
//!   ([`attrs`]), layout frozen in [`schema`] (variables in [`crate::science::products`]),
//!   serialised by [`classic`] (tested byte for byte against the `netcdf3` crate's writer).
//! - [`emso`]: the EMSO metadata specification v1.0.7 in the variables: SeaDataNet P01/P06
//!   URNs (the data variables' codes are in the products' catalogues), the coordinates.
//!
//! **EMSO v1.0.7** (docs/products.md). The globals it requires come from
//! `[station.emso]` with each key replaced by the platform's `[platform.emso]`
//! ([`StationInfo::emso_for`]; build the station with `StationInfo::from(&config)` to
//! have the platform keys); a key left out is not written. The mandatory coordinates are
//! `time`, `depth` (the depth from pressure; the nominal depth, constant per series, is
//! `sensor_theoric_depth` with `axis=Z`), `latitude`, `longitude`, `sensor_id`
//! (`<SENSOR>_<serial>`) and `platform_id`, which carries `cf_role=timeseries_id` (CF allows
//! one; `stationname` keeps its value and its CSV column): one id per instrument,
//! `<platform>_<SENSOR>_<serial>`, so that an ERDDAP dataset of a platform's instruments
//! keeps depth constant per time series ([`Series::station_id`]); the EMSO platform is the
//! global `emso_platform_name`. Every variable has `variable_type`; coordinates and data
//! variables have `sdn_parameter_*` and `sdn_uom_*`. `data_mode` is `R` for the gateway's
//! files, `D` for the delayed-mode files of `albatross ingest` ([`DataMode`]).
//! - [`atomic`]: `<name>.tmp` + fsync + rename + directory fsync; unchanged bytes are not
//!   rewritten.
//! - [`erddap`]: the `datasets.xml` entries matching this layout.
//!
//! **The day's store is its own CSV.** Measured values are rounded to the files' decimals
//! before anything is computed, so the CSV holds the inputs losslessly: updating a day reads
//! its CSV back, adds the new samples, and rebuilds both files from scratch. Nothing is kept
//! in memory between batches (memory is bounded by the few days of one line a batch
//! touches), and a day rebuilt from the same samples is byte-identical, whatever their
//! order or repetition (no wall-clock time in the files: `date_created` and `history` carry
//! the time of the day's newest record). A CSV that cannot be read back (foreign header,
//! damaged rows) is first renamed aside to `<name>.csv.bad-<n>` so that nothing is lost
//! silently.
//!
//! **QC context across midnight.** Spike, rate of change and flat line run over the day
//! *with* the instrument's stored records of the previous day(s) and the first record of
//! the next day ([`crate::science::Context`]), and the day keeps its part of the flags: the first and
//! last records of a day are flagged exactly as in the series made of those days (so as
//! in the continuous series for regular sampling; the flat-line sample count uses the
//! median interval of that span). Context records are never written into the day. How many
//! previous days: [`batch::context_days`] (the longest flat-line or n_dev rate-of-change
//! window, at least one day, at most [`batch::MAX_CONTEXT_DAYS`]). Context comes from the
//! adjacent calendar days only: after a whole day without records, the first record is
//! "not evaluated" for spike, as at the start of the series.
//!
//! **Density inversion across the line** (`[files.qc.density_inversion]`): for each record,
//! the records of the same poll of the platform's other MicroCATs (matched by time: within
//! 5 min and less than half the sampling interval, [`crate::science::line`]) are ordered by depth from
//! pressure (nominal depth without pressure), σθ of vertically adjacent instruments is
//! compared ([`crate::qc::series::density_inversion`]), and both instruments of an inverted
//! pair get the flag, as ioos_qc's `density_inversion_test`. QARTOD test 13 flags T, C
//! and SP: the flag is one of the own tests of temperature, conductivity and sigma-theta
//! (combined with their other tests as `qartod_compare`), so salinity and the other derived
//! variables inherit it and it reaches `aggregate_qc`; `qc_tests` of those flags says so. A record with no other
//! instrument's record in its poll is "not evaluated" by this test, which then changes no
//! flag ([`crate::science::variable_flags`]); on a platform with a
//! single daily-file instrument (e.g. a lone MicroCAT) the test does not apply and is
//! neither run nor described.
//!
//! **What a batch rebuilds.** A day's flags depend on other files (its neighbouring days,
//! the other instruments' same day), so when a batch changes the samples of a day, every
//! day whose flags may change is rebuilt too ([`batch`]): the next days that take it as
//! context, the previous day if its first record changed, and, with density inversion, the
//! same day of every other instrument of the platform (and their neighbouring day when the
//! change is within 5 min of midnight). A record arriving hours late (selective repeat)
//! thus updates the files of its neighbours on the line. Every rebuilt day is computed from
//! the files as they stand after the whole batch is merged, so the files are a function of
//! the set of records received: the same bytes whatever the arrival order, batching or
//! repetition (tests/dailyfiles_line.rs).

pub mod atomic;
pub mod attrs;
pub mod batch;
pub mod classic;
pub mod csv;
pub mod day;
pub mod emso;
pub mod erddap;
pub mod meta;
pub mod netcdf;
#[cfg(test)]
mod padding;
pub mod schema;

pub use day::DayTable;
pub use meta::{line_of, DataMode, Day, Series, StationInfo};

use crate::observation::Observation;
use crate::qc::{QcConfig, QcError};
use crate::science::Sample;
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
    /// Whether the batch brought samples of this day (`false`: rebuilt because its
    /// context changed, see [`batch`]).
    pub touched: bool,
}

/// What writing a batch of observations did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchReport {
    /// One report per day file pair rebuilt, in (platform, serial, day) order.
    pub days: Vec<DayReport>,
    /// Observations that belong in no daily file: no known instrument, no time, or not a
    /// measurement of its product (e.g. an Aquadopp configuration record, a MicroCAT record
    /// without temperature, conductivity and pressure; they are still in the other sinks
    /// and the raw archive).
    pub skipped: usize,
}

/// Writes daily files under one directory with one QC configuration.
#[derive(Debug, Clone)]
pub struct DailyWriter {
    dir: PathBuf,
    qc: QcConfig,
    /// Each file durable before the next is written (else: [`DailyWriter::sync`]).
    sync_each: bool,
}

impl DailyWriter {
    /// A writer under `dir` applying the tests of `qc` (keyed by record field name).
    pub fn new(dir: &Path, qc: QcConfig) -> Self {
        DailyWriter {
            dir: dir.to_owned(),
            qc,
            sync_each: true,
        }
    }

    /// The same writer, with files made durable only by [`DailyWriter::sync`] (for a
    /// reprocess of many days, where an fsync per file would take most of the time).
    pub fn with_deferred_sync(mut self) -> Self {
        self.sync_each = false;
        self
    }

    /// Whether each file is durable before the next is written.
    pub fn syncs_each_file(&self) -> bool {
        self.sync_each
    }

    /// Makes every file written so far durable ([`crate::durable::sync_filesystem`]).
    pub fn sync(&self) -> Result<(), DailyFileError> {
        crate::durable::sync_filesystem(&self.dir).map_err(io_err(&self.dir))
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

    /// The QC configuration.
    pub fn qc(&self) -> &QcConfig {
        &self.qc
    }

    /// Merges `new` samples of the instruments of one `line` (the daily-file instruments of
    /// one platform; `new` holds (index in `line`, sample) pairs) into their days (with
    /// each day's existing CSV when `merge`, else replacing it), and rebuilds every day
    /// whose flags may have changed: the touched days, their neighbouring days (QC context
    /// across midnight) and, with density inversion, the same days of the line's other
    /// instruments ([`batch`]). A pair whose index is outside `line` is counted in
    /// `skipped`.
    pub fn write_samples(
        &self,
        line: &[Series],
        new: Vec<(usize, Sample)>,
        merge: bool,
    ) -> Result<BatchReport, DailyFileError> {
        let skipped = new.iter().filter(|(i, _)| *i >= line.len()).count();
        Ok(BatchReport {
            days: batch::write(self, line, new, merge)?,
            skipped,
        })
    }

    /// Groups `observations` by platform and writes each platform's samples
    /// ([`DailyWriter::write_samples`] over [`meta::line_of`] the platform, plus any
    /// instrument an observation names that the platform does not list).
    pub fn write_observations(
        &self,
        station: &StationInfo,
        observations: &[Observation],
        merge: bool,
    ) -> Result<BatchReport, DailyFileError> {
        let mut samples = LineSamples::default();
        for o in observations {
            samples.add(station, o);
        }
        self.write_lines(samples, merge)
    }

    /// Writes every platform's samples of `samples` ([`DailyWriter::write_samples`]).
    pub fn write_lines(
        &self,
        samples: LineSamples,
        merge: bool,
    ) -> Result<BatchReport, DailyFileError> {
        let mut report = BatchReport {
            skipped: samples.skipped,
            ..Default::default()
        };
        for (line, new) in samples.platforms.into_values().map(LinePart::sorted) {
            let r = self.write_samples(&line, new, merge)?;
            report.days.extend(r.days);
            report.skipped += r.skipped;
        }
        Ok(report)
    }
}

/// Observations as the daily files see them: per platform, its line (the series of
/// [`meta::line_of`] the platform, plus any instrument an observation names that the
/// platform does not list) and the samples of each series. Built one observation at a time
/// ([`LineSamples::add`]), so a long run is held as samples, not as records.
#[derive(Debug, Default)]
pub struct LineSamples {
    platforms: BTreeMap<String, LinePart>,
    /// Per platform id: the series already met, (line status?, serial) → (index in its
    /// line, product), so that adding a sample builds no [`Series`].
    known: BTreeMap<String, Vec<(bool, String, usize, &'static crate::science::Product)>>,
    /// Observations that belong in no daily file ([`BatchReport::skipped`]).
    pub skipped: usize,
}

/// One platform of [`LineSamples`]: the series in the order met, and (index, sample) pairs.
#[derive(Debug)]
struct LinePart {
    line: Vec<Series>,
    samples: Vec<(usize, Sample)>,
    /// `samples` are sorted newest first ([`LineSamples::take_before`]).
    descending: bool,
}

impl LinePart {
    /// The index in the line of the series with `series`' serial, added when missing.
    fn index_of(&mut self, series: Series) -> usize {
        match self.line.iter().position(|l| l.serial == series.serial) {
            Some(i) => i,
            None => {
                self.line.push(series);
                self.line.len() - 1
            }
        }
    }

    /// The line sorted by serial, the sample indices following it.
    fn sorted(self) -> (Vec<Series>, Vec<(usize, Sample)>) {
        let mut order: Vec<usize> = (0..self.line.len()).collect();
        // stable: equal serials keep the order met
        order.sort_by(|&a, &b| self.line[a].serial.cmp(&self.line[b].serial));
        let mut new_index = vec![0; order.len()];
        for (to, &from) in order.iter().enumerate() {
            new_index[from] = to;
        }
        let mut slots: Vec<Option<Series>> = self.line.into_iter().map(Some).collect();
        let line = order.iter().filter_map(|&i| slots[i].take()).collect();
        let samples = self
            .samples
            .into_iter()
            .map(|(i, s)| (new_index[i], s))
            .collect();
        (line, samples)
    }
}

impl LineSamples {
    /// Adds one observation (counted in `skipped` when it belongs in no daily file).
    pub fn add(&mut self, station: &StationInfo, o: &Observation) {
        let status = crate::science::LINE_STATUS
            .record_kinds
            .contains(&o.record.kind);
        let serial = match (&o.instrument, status) {
            (_, true) => "",
            (Some(i), false) => i.serial.as_str(),
            (None, false) => {
                self.skipped += 1;
                return;
            }
        };
        let platform = o.platform.id.as_str();
        let known = self.known.get(platform).and_then(|k| {
            k.iter()
                .find(|(st, se, _, _)| *st == status && se == serial)
                .map(|&(_, _, i, product)| (i, product))
        });
        let (i, product) = match known {
            Some(k) => k,
            None => {
                let Some(series) = Series::of(station, o) else {
                    self.skipped += 1;
                    return;
                };
                let product = series.product;
                let part = self
                    .platforms
                    .entry(series.platform_id.clone())
                    .or_insert_with(|| LinePart {
                        line: meta::line_of(station, &o.platform),
                        samples: Vec::new(),
                        descending: false,
                    });
                let i = part.index_of(series);
                self.known.entry(platform.to_owned()).or_default().push((
                    status,
                    serial.to_owned(),
                    i,
                    product,
                ));
                (i, product)
            }
        };
        let Some(sample) = Sample::from_record(product, &o.record) else {
            self.skipped += 1;
            return;
        };
        if let Some(part) = self.platforms.get_mut(platform) {
            part.samples.push((i, sample));
            part.descending = false;
        }
    }

    /// Samples held.
    pub fn len(&self) -> usize {
        self.platforms.values().map(|p| p.samples.len()).sum()
    }

    /// Whether no sample is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps only the samples `keep` accepts (by time).
    pub fn retain(&mut self, mut keep: impl FnMut(protocol::time::UtcTime) -> bool) {
        for p in self.platforms.values_mut() {
            p.samples.retain(|(_, s)| keep(s.time));
        }
    }

    /// The distinct days of the samples held, in order.
    pub fn days(&self) -> Vec<Day> {
        let days: std::collections::BTreeSet<Day> = self
            .platforms
            .values()
            .flat_map(|p| p.samples.iter().map(|(_, s)| Day::of(s.time)))
            .collect();
        days.into_iter().collect()
    }

    /// Moves the samples of the days before `end` out into a set of their own (every
    /// platform's line is kept in both).
    pub fn take_before(&mut self, end: Day) -> LineSamples {
        let mut taken = LineSamples::default();
        for (id, p) in &mut self.platforms {
            if !p.descending {
                p.samples.sort_by_key(|(_, s)| std::cmp::Reverse(s.time));
                p.descending = true;
            }
            // the oldest are at the end
            let cut = p.samples.partition_point(|(_, s)| Day::of(s.time) >= end);
            let old = p.samples.split_off(cut);
            taken.platforms.insert(
                id.clone(),
                LinePart {
                    line: p.line.clone(),
                    samples: old,
                    descending: true,
                },
            );
        }
        taken
    }

    /// Moves `other`'s samples into `self`.
    pub fn append(&mut self, other: LineSamples) {
        self.skipped += other.skipped;
        for (id, part) in other.platforms {
            match self.platforms.get_mut(&id) {
                None => {
                    self.platforms.insert(id, part);
                }
                Some(mine) => {
                    let map: Vec<usize> = part.line.into_iter().map(|s| mine.index_of(s)).collect();
                    mine.samples
                        .extend(part.samples.into_iter().map(|(i, s)| (map[i], s)));
                    mine.descending = false;
                }
            }
        }
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
