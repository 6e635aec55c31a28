//! Daily JSON-lines files, one per instrument and record type per UTC day:
//! `<dir>/<platform>/<YYYY>/<type>_<serial>_<YYYYMMDD>.jsonl`, one record per line.
//!
//! Names come from the validated configuration (platform ids) or from decoded records;
//! every name part is checked again here ([`safe_part`]) so that nothing that came over a
//! link can steer a path (BRIEF §6).
//!
//! Each record is stored once, whatever crashes happen: a link's checkpoint moves only
//! after the sinks stored a batch, so after a SIGKILL between the two the link decodes
//! those records again. The day files are [`record_file`](super::record_file)s: a dated
//! record whose time the file already holds is not written again (the file is read once
//! when it is opened, which also cuts a line torn by the crash). Records without a time
//! are always appended: no restart decodes them again (only the modem link keeps a
//! checkpoint, and its records all carry a time), and two equal undated readings are two.

use super::record_file::{Appended, Key, RecordFiles};
use super::Sink;
use crate::names::{safe_part, safe_part_or_missing};
use crate::observation::Observation;
use protocol::time::UtcTime;
use std::io;
use std::path::{Path, PathBuf};
use tracing::{info, warn};

/// The JSON-lines sink.
#[derive(Debug)]
pub struct JsonlSink {
    dir: PathBuf,
    files: RecordFiles,
}

/// The daily file of a record: `<dir>/<platform>/<YYYY>/<kind>_<serial>_<YYYYMMDD>.jsonl`
/// (UTC day; `unknown` for a missing serial, `undated` for year and day of a record without
/// time). Every part goes through [`safe_part`], so the path always stays under `dir`, and
/// two different serials (or kinds, or platforms) never share a file.
/// Shared by this sink and the shore-side writer (`crate::writer`).
pub fn day_file(
    dir: &Path,
    platform: &str,
    kind: &str,
    serial: Option<&str>,
    time: Option<UtcTime>,
) -> PathBuf {
    let (year, day) = match time {
        Some(t) => {
            let (y, m, d, ..) = t.to_civil();
            (format!("{y:04}"), format!("{y:04}{m:02}{d:02}"))
        }
        None => ("undated".to_owned(), "undated".to_owned()),
    };
    dir.join(safe_part(platform).as_ref())
        .join(year)
        .join(format!("{}{day}.jsonl", day_file_prefix(kind, serial)))
}

/// The start of the name of every [`day_file`] of `kind` records of `serial`
/// (`<kind>_<serial>_`), which the day (`YYYYMMDD` or `undated`) and `.jsonl` follow.
pub fn day_file_prefix(kind: &str, serial: Option<&str>) -> String {
    format!("{}_{}_", safe_part(kind), safe_part_or_missing(serial))
}

/// The dated day files of `kind` records of `serial` under a platform's record directory
/// `dir` (`<YYYY>/<kind>_<serial>_<YYYYMMDD>.jsonl`), newest first; none when `dir` does
/// not exist. Readers of the record files (`albatross status`, the dashboard) find them
/// here, so the layout is known in this module alone.
pub fn day_files(dir: &Path, kind: &str, serial: Option<&str>) -> io::Result<Vec<PathBuf>> {
    fn names(dir: &Path) -> io::Result<Vec<String>> {
        match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
    let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    let prefix = day_file_prefix(kind, serial);
    let mut out = Vec::new();
    for year in names(dir)?.into_iter().filter(|y| digits(y, 4)) {
        let ydir = dir.join(&year);
        for name in names(&ydir)? {
            let day = name
                .strip_prefix(&prefix)
                .and_then(|r| r.strip_suffix(".jsonl"));
            if day.is_some_and(|d| digits(d, 8)) {
                out.push(ydir.join(name));
            }
        }
    }
    // <YYYY>/<prefix><YYYYMMDD>: the path order is the time order
    out.sort_unstable_by(|a, b| b.cmp(a));
    Ok(out)
}

impl JsonlSink {
    /// A sink writing under `dir`.
    pub fn new(dir: &Path) -> Self {
        JsonlSink {
            dir: dir.to_owned(),
            files: RecordFiles::new(),
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
        let result = self.write_all(batch);
        if result.is_err() {
            // the retry reopens the files: a torn line is cut, the keys read back
            self.files.forget();
        }
        result
    }
}

impl JsonlSink {
    fn write_all(&mut self, batch: &[Observation]) -> io::Result<()> {
        let mut touched = Vec::new();
        for o in batch {
            let path = self.path_of(o);
            let line = o.record.to_json();
            // the error names the file (a full disk says which one it refused)
            let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
            let f = self.files.get(&path).map_err(named)?;
            let appended = match o.record.time {
                Some(t) => f.append(Key::of(Some(t), &line), &line),
                // no identity to tell a second reading from a replay (none is replayed)
                None => f.append_unkeyed(&line),
            }
            .map_err(named)?;
            match appended {
                Appended::Stored => {
                    if !touched.contains(&path) {
                        touched.push(path);
                    }
                }
                Appended::Duplicate { conflict } => {
                    if conflict {
                        // decoded again after a restart, with live QC flags of another state
                        warn!(file = %path.display(), record = %line,
                            "a record with this time is already stored with other content: kept the stored one");
                    } else {
                        info!(file = %path.display(), "record already stored (decoded again after a restart): not written twice");
                    }
                }
            }
        }
        self.files.sync(&touched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Component;

    #[test]
    fn a_hostile_name_never_leaves_the_directory_nor_shares_a_file() {
        let dir = Path::new("/data/records");
        let t = UtcTime::from_civil(2026, 3, 1, 0, 0, 0, 0);
        let mut seen = std::collections::BTreeSet::new();
        for bad in [
            "",
            ".",
            "..",
            "../..",
            "/",
            "/etc/passwd",
            "a\\b",
            "a\0b",
            "\n",
            "+#",
            "unknown",
            &"x".repeat(300),
        ] {
            for path in [
                day_file(dir, bad, "sbe37", Some("1"), t),
                day_file(dir, "p", bad, Some("1"), t),
                day_file(dir, "p", "sbe37", Some(bad), t),
                day_file(dir, "p", "sbe37", Some(bad), None),
            ] {
                let rest = path.strip_prefix(dir).unwrap();
                assert_eq!(rest.components().count(), 3, "{}", path.display());
                assert!(
                    rest.components().all(|c| matches!(c, Component::Normal(_))),
                    "{}",
                    path.display()
                );
                assert!(path.as_os_str().len() < 200, "{}", path.display());
                assert!(seen.insert(path.clone()), "{bad:?}: {}", path.display());
            }
        }
        assert!(!seen.contains(&day_file(dir, "p", "sbe37", None, t)));
    }
}
