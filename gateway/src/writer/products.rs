//! The writer's daily products: every record it stores is also merged into the daily CSV
//! and NetCDF files of its instrument under `[writer] files_dir`, by the same
//! [`DailyWriter`] as the gateway's `[files]` sink, so that the files of a day are
//! byte-identical to the gateway's for the same records.
//!
//! That holds because the daily files are a function of the set of samples received
//! (`dailyfiles`: each day's store is its own CSV, read back and merged; order, batching and
//! repetition do not matter) and because a published record gives back the samples of the
//! record it was written from ([`crate::science::record_of_json`], through
//! [`read_back`]). The platforms and instruments, the station's metadata and the QC come
//! from the writer's configuration: the gateway's own file, on shore.
//!
//! Crash safety is the store thread's: it merges a batch into the files after the batch's
//! records are durable in the record files and before they are acknowledged to the
//! broker; a record stored but not yet merged when the writer dies is delivered again
//! (QoS 1) and merged then, whether the store finds it new or a duplicate. Each file is
//! replaced atomically, so a reader sees the old or the new version, never half.

use super::message::read_back;
use crate::config::Config;
use crate::dailyfiles::{BatchReport, DailyFileError, DailyWriter, StationInfo};
use crate::observation::{Observation, PlatformMeta};
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
        let (platform, record) = read_back(topic, payload)?;
        let platform = self.platforms.get(platform)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    const EXAMPLE: &str = include_str!("../../albatross.example.toml");

    fn products(dir: &Path) -> Products {
        let text = format!(
            "{EXAMPLE}\n[writer]\nfiles_dir = {:?}\n",
            dir.display().to_string()
        );
        // the example has a commented [writer] table only
        let config = Config::parse(&text, Path::new("albatross.example.toml")).unwrap();
        Products::new(&config)
    }

    /// Every file under `dir` with its bytes, by relative path.
    fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_owned()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push((
                        p.strip_prefix(dir).unwrap().to_owned(),
                        std::fs::read(&p).unwrap(),
                    ));
                }
            }
        }
        out.sort();
        out
    }

    /// A MicroCAT record of the line, `minute` minutes into 2026-03-01, as published.
    fn ctd(serial: &str, minute: u32, t: f64) -> (String, String) {
        let (h, m) = (minute / 60, minute % 60);
        let day = 1 + h / 24;
        let topic = format!("emso/emso-ligure-ouest/albatross/sbe37/{serial}/data");
        let payload = format!(
            "{{\"type\":\"sbe37\",\"time\":\"2026-03-{day:02}T{:02}:{m:02}:00Z\",\"serial\":\"{serial}\",\
             \"temperature_c\":{t},\"conductivity_s_m\":4.58678,\"pressure_dbar\":503.543}}",
            h % 24
        );
        (topic, payload)
    }

    #[test]
    fn late_out_of_order_and_repeated_records_give_the_same_files() {
        let base = std::env::temp_dir().join(format!("albatross-products-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let records: Vec<(String, String)> = (0..96)
            .flat_map(|k| {
                let t = 13.8 + f64::from(k % 7) * 0.001;
                [ctd("3725001", k * 30, t), ctd("3725002", k * 30, t - 0.1)]
            })
            .collect();
        let pairs = |r: &[(String, String)]| -> Vec<(String, Vec<u8>)> {
            r.iter()
                .map(|(t, p)| (t.clone(), p.clone().into_bytes()))
                .collect()
        };
        let write = |p: &Products, batch: &[(String, Vec<u8>)]| {
            p.write(batch.iter().map(|(t, b)| (t.as_str(), b.as_slice())))
                .unwrap()
        };

        // once, in order, one batch
        let in_order = products(&base.join("a"));
        let report = write(&in_order, &pairs(&records));
        assert_eq!(report.skipped, 0);
        // the same records reversed, in three batches, a third of them twice, and a
        // message of an unknown platform and one that is no record
        let shuffled = products(&base.join("b"));
        let mut late: Vec<(String, String)> = records.iter().rev().cloned().collect();
        late.extend(records.iter().step_by(3).cloned());
        for chunk in pairs(&late).chunks(70) {
            write(&shuffled, chunk);
        }
        let stray = [
            (
                "emso/emso-ligure-ouest/nowhere/sbe37/1/data".to_owned(),
                b"{}".to_vec(),
            ),
            (records[0].0.clone(), b"not json".to_vec()),
        ];
        assert_eq!(write(&shuffled, &stray).skipped, 2);

        let (a, b) = (files(&base.join("a")), files(&base.join("b")));
        // 2 instruments x 2 days x (CSV + NetCDF)
        assert_eq!(
            a.len(),
            8,
            "{:?}",
            a.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        assert!(a == b, "the files depend on the order of arrival");
        let _ = std::fs::remove_dir_all(&base);
    }
}
