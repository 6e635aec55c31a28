//! The raw archive: every byte read from (and written to) every link, with its time, in
//! daily files `<dir>/<link>/<YYYYMMDD>.cap` of the capture format (`captures/FORMAT.md`),
//! so that any day can be replayed (`albatross replay`) or reprocessed.
//!
//! Promise: [`Archive::append`] returns only after the bytes are on disk
//! ([`durable::append`], and a new day file's directory entry is fsynced);
//! the link task calls it before it feeds the bytes to the decoder, so nothing derived
//! from a byte is acknowledged downstream before the byte itself is safe.

use crate::durable;
use protocol::capture::{write_record_header, Direction, MAGIC};
use protocol::time::UtcTime;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The archive writer of one link.
#[derive(Debug)]
pub struct Archive {
    dir: PathBuf,
    open: Option<(i64, File)>,
}

impl Archive {
    /// The archive of link `link` under `root` (the link name is a validated safe id).
    pub fn new(root: &Path, link: &str) -> Self {
        Archive {
            dir: root.join(link),
            open: None,
        }
    }

    /// The file holding day `day` (days since 1970-01-01).
    pub fn day_file(&self, day: i64) -> PathBuf {
        let (y, m, d) = protocol::time::civil_from_days(day);
        self.dir.join(format!("{y:04}{m:02}{d:02}.cap"))
    }

    /// Appends one record and syncs it to disk.
    pub fn append(&mut self, direction: Direction, time: UtcTime, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let day = time.unix_seconds().div_euclid(86_400);
        if self.open.as_ref().map(|(d, _)| *d) != Some(day) {
            // a new day file's directory entry is durable before its first record
            let mut file = durable::open_append(&self.day_file(day))?;
            if file.metadata()?.len() == 0 {
                file.write_all(MAGIC)?;
                writeln!(
                    file,
                    "# albatross raw archive, link {}",
                    self.dir.file_name().and_then(|n| n.to_str()).unwrap_or("?")
                )?;
            }
            self.open = Some((day, file));
        }
        let Some((_, file)) = self.open.as_mut() else {
            return Ok(());
        };
        let mut header = String::new();
        // formatting into a String cannot fail
        let _ = write_record_header(&mut header, direction, time.unix_millis(), bytes.len());
        let mut record = Vec::with_capacity(header.len() + bytes.len() + 1);
        record.extend_from_slice(header.as_bytes());
        record.extend_from_slice(bytes);
        record.push(b'\n');
        durable::append(file, &record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::capture::CaptureReader;

    #[test]
    fn appends_readable_daily_files() {
        let dir = std::env::temp_dir().join(format!("albatross-archive-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut a = Archive::new(&dir, "modem");
        let t0 = UtcTime::from_civil(2026, 3, 1, 23, 59, 59, 0).unwrap();
        a.append(Direction::FromModem, t0, b"RECVIM,2\r\n\x00\n")
            .unwrap();
        a.append(Direction::ToModem, t0, b"AT*SENDIM\n").unwrap();
        a.append(Direction::FromModem, UtcTime(t0.0 + 1000), b"next day")
            .unwrap();
        let day1 = std::fs::read(dir.join("modem/20260301.cap")).unwrap();
        let recs: Vec<_> = CaptureReader::new(&day1)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].bytes, b"RECVIM,2\r\n\x00\n");
        assert_eq!(recs[1].direction, Direction::ToModem);
        let day2 = std::fs::read(dir.join("modem/20260302.cap")).unwrap();
        assert_eq!(CaptureReader::new(&day2).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
