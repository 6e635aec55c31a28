//! The daily-files sink: after each batch, rewrites the CSV + NetCDF of every (instrument,
//! UTC day) the batch touched, and of every day whose flags depend on them (the
//! neighbouring days, whose QC uses them as context, and with density inversion the same
//! day of the line's other instruments; [`crate::dailyfiles`]). The day's store is its own
//! CSV, read back and merged on each rewrite, so the sink keeps no records in memory
//! between batches and a restart loses nothing that was written.

use super::Sink;
use crate::config::Config;
use crate::dailyfiles::{DailyWriter, StationInfo};
use crate::observation::Observation;
use std::io;
use tracing::{debug, warn};

/// The daily-files sink.
#[derive(Debug)]
pub struct FilesSink {
    writer: DailyWriter,
    station: StationInfo,
}

impl FilesSink {
    /// The sink for `config`'s `[files]` (directory and QC) and `[station]`.
    pub fn new(config: &Config) -> Self {
        FilesSink {
            writer: DailyWriter::new(&config.files_dir(), config.files.qc.clone()),
            station: StationInfo::from(config),
        }
    }
}

impl Sink for FilesSink {
    fn name(&self) -> &str {
        "files"
    }

    fn write(&mut self, batch: &[Observation]) -> io::Result<()> {
        let report = self
            .writer
            .write_observations(&self.station, batch, true)
            .map_err(|e| match e {
                crate::dailyfiles::DailyFileError::Io { source, path } => {
                    io::Error::new(source.kind(), format!("{}: {source}", path.display()))
                }
                other => io::Error::other(other.to_string()),
            })?;
        for d in &report.days {
            if let Some(aside) = &d.moved_aside {
                warn!(file = %d.csv.display(), moved_to = %aside.display(),
                    "daily CSV could not be read back completely; kept aside, day rebuilt");
            }
            if d.conflicts > 0 || d.derive_errors > 0 {
                warn!(file = %d.nc.display(), conflicts = d.conflicts, derive_errors = d.derive_errors,
                    "daily file: same-time conflicting samples dropped / derived variables missing");
            }
            debug!(file = %d.nc.display(), rows = d.rows, written = d.nc_written,
                touched = d.touched, "daily file");
        }
        Ok(())
    }
}
