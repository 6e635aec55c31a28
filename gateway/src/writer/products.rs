//! The writer's daily products: every record it stores is also merged into the daily CSV
//! and NetCDF files of its instrument under `[writer] files_dir`, by the same
//! [`DailyWriter`] as the gateway's `[files]` sink, so that the files of a day are
//! byte-identical to the gateway's for the same records.
//!
//! That holds because the daily files are a function of the set of samples received
//! (`dailyfiles`: each day's store is its own CSV, read back and merged; order, batching and
//! repetition do not matter) and because a published record gives back the samples of the
//! record it was written from ([`record_of_json`]). The platforms and instruments, the
//! station's metadata and the QC come from the writer's configuration: the gateway's own
//! file, on shore.
//!
//! Crash safety is the store thread's: it merges a batch into the files after the batch's
//! records are durable in the record files and before they are acknowledged to the
//! broker; a record stored but not yet merged when the writer dies is delivered again
//! (QoS 1) and merged then, whether the store finds it new or a duplicate. Each file is
//! replaced atomically, so a reader sees the old or the new version, never half.

use crate::config::Config;
use crate::dailyfiles::{BatchReport, DailyFileError, DailyWriter, StationInfo};
use crate::observation::{Observation, PlatformMeta};
use crate::science::record_of_json;
use std::collections::HashMap;
use std::sync::Arc;

/// The writer's daily products (see the module docs).
#[derive(Debug)]
pub struct Products {
    writer: DailyWriter,
    station: StationInfo,
    platforms: HashMap<String, Arc<PlatformMeta>>,
}

impl Products {
    /// The products of `config`: its platforms, `[station]`, `[files.qc]`, under
    /// [`Config::writer_files_dir`].
    pub fn new(config: &Config) -> Self {
        let platforms = config
            .platforms
            .iter()
            .map(|p| {
                let meta = PlatformMeta::from_config(config, p);
                (meta.id.clone(), Arc::new(meta))
            })
            .collect();
        Products {
            writer: DailyWriter::new(&config.writer_files_dir(), config.files.qc.clone()),
            station: StationInfo::from(config),
            platforms,
        }
    }

    /// The observation a stored message (`topic`, `payload`) holds: its platform is the
    /// topic's third level, its instrument the platform's instrument of the record's
    /// serial; `None` for a platform the configuration does not have or a payload that is
    /// no product's record.
    fn observation(&self, topic: &str, payload: &[u8]) -> Option<Observation> {
        let platform = self.platforms.get(topic.split('/').nth(2)?)?;
        let serde_json::Value::Object(obj) = serde_json::from_slice(payload).ok()? else {
            return None;
        };
        let record = record_of_json(&obj)?;
        let instrument = record
            .serial
            .as_deref()
            .and_then(|s| platform.instruments.iter().find(|i| i.serial == s))
            .cloned();
        Some(Observation {
            record,
            platform: platform.clone(),
            instrument,
            link: "mqtt".into(),
        })
    }

    /// Merges the stored messages `batch` (topic, payload) into their days' files.
    /// Messages that belong in no file are counted in the report's `skipped`.
    pub fn write<'a>(
        &self,
        batch: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Result<BatchReport, DailyFileError> {
        let mut skipped = 0;
        let observations: Vec<Observation> = batch
            .into_iter()
            .filter_map(|(topic, payload)| {
                let o = self.observation(topic, payload);
                skipped += usize::from(o.is_none());
                o
            })
            .collect();
        let mut report = self
            .writer
            .write_observations(&self.station, &observations, true)?;
        report.skipped += skipped;
        Ok(report)
    }
}
