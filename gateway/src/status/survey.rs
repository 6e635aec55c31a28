//! What `albatross status` reads in a data directory: the facts [`super::judge`] judges.
//! Read only; nothing is created, locked or changed, so a running gateway is undisturbed.
//!
//! - An instrument's last sample: the latest time in its newest record file
//!   ([`crate::sinks::jsonl`]) of each record kind its product is made of.
//! - A link's last bytes: the last record read from the link (`<`) in its newest raw
//!   archive day file that has one ([`crate::archive`]); a record torn by a write in
//!   progress ends the reading, the ones before it count.
//! - The spool: [`crate::sinks::mqtt::spool::inspect`].

use super::{Facts, InstrumentFact, LinkFact};
use crate::config::Config;
use crate::names::safe_part;
use crate::sinks::jsonl::day_files;
use crate::sinks::mqtt::spool::{inspect, SpoolError};
use protocol::capture::{CaptureReader, Direction};
use protocol::time::UtcTime;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Why the data directory could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    /// The data directory does not exist: no gateway ever ran with this configuration here.
    #[error("data directory {0} does not exist")]
    NoDataDir(PathBuf),
    /// A file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// What could not be read.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The spool could not be read.
    #[error(transparent)]
    Spool(#[from] SpoolError),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SurveyError + '_ {
    move |source| SurveyError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The names in `dir` (nothing when it does not exist).
fn names(dir: &Path) -> Result<Vec<String>, SurveyError> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(dir)(e)),
    };
    let mut out = Vec::new();
    for e in entries {
        let e = e.map_err(io_err(dir))?;
        if let Some(n) = e.file_name().to_str() {
            out.push(n.to_owned());
        }
    }
    Ok(out)
}

/// Whether `s` is `len` ASCII digits.
fn digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// Reads the facts of `config`'s data directory.
pub fn survey(config: &Config) -> Result<Facts, SurveyError> {
    let data_dir = &config.gateway.data_dir;
    if !data_dir.is_dir() {
        return Err(SurveyError::NoDataDir(data_dir.clone()));
    }
    let mut facts = Facts::default();
    if config.sinks.jsonl.enabled {
        let dir = config.jsonl_dir();
        for p in &config.platforms {
            let platform = p.id.get_ref();
            for i in &p.instruments {
                let product = crate::dailyfiles::meta::product_of(i.kind);
                let serial = i.serial.get_ref();
                let mut last = None;
                for kind in product.record_kinds {
                    let t = last_sample(&dir.join(safe_part(platform).as_ref()), kind, serial)?;
                    last = last.max(t);
                }
                facts.instruments.push(InstrumentFact {
                    platform: platform.clone(),
                    serial: serial.clone(),
                    sensor: product.sensor,
                    last,
                });
            }
        }
    } else {
        facts
            .unchecked
            .push("instruments not checked ([sinks.jsonl] off)".into());
    }
    let live: Vec<&str> = config
        .links
        .iter()
        .filter(|l| l.tcp.is_some() || l.serial.is_some())
        .map(|l| l.name.get_ref().as_str())
        .collect();
    if config.archive.enabled {
        let dir = config.archive_dir();
        for name in live {
            facts.links.push(LinkFact {
                name: name.to_owned(),
                last: last_received(&dir.join(name))?,
            });
        }
    } else if !live.is_empty() {
        facts
            .unchecked
            .push("links not checked ([archive] off)".into());
    }
    if let Some(dir) = config.spool_dir() {
        let w = inspect(&dir)?;
        facts.spool = Some((w.depth, w.oldest_appended_ms));
    }
    Ok(facts)
}

/// The latest record time of `kind` records of `serial` under the platform's record
/// directory `dir` (`<YYYY>/<kind>_<serial>_<YYYYMMDD>.jsonl`): that of the newest day file
/// holding a dated record.
fn last_sample(dir: &Path, kind: &str, serial: &str) -> Result<Option<UtcTime>, SurveyError> {
    for path in day_files(dir, kind, Some(serial)).map_err(io_err(dir))? {
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            // rotated away meanwhile: look at the next
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_err(&path)(e)),
        };
        if let Some(t) = text.lines().filter_map(record_time).max() {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

/// The `time` of a JSON record line (`None`: undated, torn or not a record).
fn record_time(line: &str) -> Option<UtcTime> {
    #[derive(serde::Deserialize)]
    struct Timed {
        time: Option<String>,
    }
    let r: Timed = serde_json::from_str(line).ok()?;
    crate::record::parse_time(&r.time?)
}

/// When bytes last came from the link whose archive is `dir` (`<YYYYMMDD>.cap`).
fn last_received(dir: &Path) -> Result<Option<UtcTime>, SurveyError> {
    let mut days: Vec<String> = names(dir)?
        .into_iter()
        .filter(|n| n.strip_suffix(".cap").is_some_and(|d| digits(d, 8)))
        .collect();
    days.sort_unstable_by(|a, b| b.cmp(a));
    for day in days {
        let path = dir.join(day);
        let bytes = fs::read(&path).map_err(io_err(&path))?;
        let Ok(reader) = CaptureReader::new(&bytes) else {
            continue;
        };
        let last = reader
            .map_while(Result::ok)
            .filter(|r| r.direction == Direction::FromModem)
            .map(|r| r.unix_ms)
            .last();
        if let Some(ms) = last {
            return Ok(Some(UtcTime::from_unix_millis(ms)));
        }
    }
    Ok(None)
}
