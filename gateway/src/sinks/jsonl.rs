//! Daily JSON-lines files, one per instrument and record type per UTC day:
//! `<dir>/<platform>/<YYYY>/<type>_<serial>_<YYYYMMDD>.jsonl`, one record per line.
//!
//! Names come from the validated configuration (platform ids) or from decoded records;
//! every name part is checked again here ([`safe_part`]) so that nothing that came over a
//! link can steer a path (BRIEF §6).

use super::Sink;
use crate::durable;
use crate::names::safe_part;
use crate::observation::Observation;
use protocol::time::UtcTime;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Most files kept open at once.
const MAX_OPEN: usize = 64;

/// The JSON-lines sink.
#[derive(Debug)]
pub struct JsonlSink {
    dir: PathBuf,
    open: HashMap<PathBuf, File>,
}

/// The daily file of a record: `<dir>/<platform>/<YYYY>/<kind>_<serial>_<YYYYMMDD>.jsonl`
/// (UTC day; `unknown` for a missing serial, `undated` for year and day of a record without
/// time). Every part goes through [`safe_part`], so the path always stays under `dir`.
/// Shared by this sink and the shore-side writer (`crate::writer`).
pub fn day_file(
    dir: &Path,
    platform: &str,
    kind: &str,
    serial: Option<&str>,
    time: Option<UtcTime>,
) -> PathBuf {
    let serial = serial.map_or("unknown", safe_part);
    let (year, day) = match time {
        Some(t) => {
            let (y, m, d, ..) = t.to_civil();
            (format!("{y:04}"), format!("{y:04}{m:02}{d:02}"))
        }
        None => ("undated".to_owned(), "undated".to_owned()),
    };
    dir.join(safe_part(platform))
        .join(year)
        .join(format!("{}_{serial}_{day}.jsonl", safe_part(kind)))
}

impl JsonlSink {
    /// A sink writing under `dir`.
    pub fn new(dir: &Path) -> Self {
        JsonlSink {
            dir: dir.to_owned(),
            open: HashMap::new(),
        }
    }

    /// The file an observation belongs in.
    pub fn path_of(&self, o: &Observation) -> PathBuf {
        day_file(
            &self.dir,
            &o.platform.id,
            o.record.kind,
            o.record.serial.as_deref(),
            o.record.time,
        )
    }
}

impl Sink for JsonlSink {
    fn name(&self) -> &str {
        "jsonl"
    }

    fn write(&mut self, batch: &[Observation]) -> io::Result<()> {
        let mut touched = Vec::new();
        for o in batch {
            let path = self.path_of(o);
            if !self.open.contains_key(&path) {
                if self.open.len() >= MAX_OPEN {
                    // lines of this batch may be unsynced yet: sync before closing
                    for f in self.open.values() {
                        f.sync_data()?;
                    }
                    self.open.clear();
                }
                // a new file's directory entry (and new directories) durable before use
                let f = durable::open_append(&path)?;
                self.open.insert(path.clone(), f);
            }
            let line = o.record.to_json() + "\n";
            // the file was inserted just above
            if let Some(f) = self.open.get_mut(&path) {
                f.write_all(line.as_bytes())?;
            }
            if !touched.contains(&path) {
                touched.push(path);
            }
        }
        for p in touched {
            if let Some(f) = self.open.get_mut(&p) {
                f.sync_data()?;
            }
        }
        Ok(())
    }
}
