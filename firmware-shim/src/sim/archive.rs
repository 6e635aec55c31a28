//! Where [`super::record`] writes the modem's host traffic: one capture file
//! ([`protocol::capture::CaptureWriter`]), or [`DayFiles`], the gateway's raw-archive
//! layout (`<dir>/<YYYYMMDD>.cap`, one capture per UTC day, as `albatross run` archives a
//! link), which `albatross reprocess` reads.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::string::String;
use std::vec::Vec;

use protocol::capture::{CaptureWriter, Direction};
use protocol::time::civil_from_days;

/// A destination for capture records, in time order.
pub trait CaptureSink {
    /// Appends one record (times never decrease: an earlier one is raised to the last).
    fn record(&mut self, direction: Direction, unix_ms: i64, bytes: &[u8]) -> io::Result<()>;
    /// Records written so far.
    fn records(&self) -> u64;
    /// Flushes what is buffered.
    fn finish(self) -> io::Result<()>;
}

impl<W: Write> CaptureSink for CaptureWriter<W> {
    fn record(&mut self, direction: Direction, unix_ms: i64, bytes: &[u8]) -> io::Result<()> {
        CaptureWriter::record(self, direction, unix_ms, bytes)
    }
    fn records(&self) -> u64 {
        CaptureWriter::records(self)
    }
    fn finish(self) -> io::Result<()> {
        CaptureWriter::finish(self).map(drop)
    }
}

/// One capture file per UTC day under a link's archive directory, each starting with
/// the same comment lines; a day without records has no file.
#[derive(Debug)]
pub struct DayFiles {
    dir: PathBuf,
    comments: Vec<String>,
    open: Option<(i64, CaptureWriter<BufWriter<File>>)>,
    last_ms: i64,
    records: u64,
    /// Day files written, in order.
    pub days: Vec<PathBuf>,
}

impl DayFiles {
    /// Day files under `dir` (created, with its parents).
    pub fn create(dir: PathBuf, comments: &[String]) -> io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(DayFiles {
            dir,
            comments: comments.to_vec(),
            open: None,
            last_ms: 0,
            records: 0,
            days: Vec::new(),
        })
    }
}

impl CaptureSink for DayFiles {
    fn record(&mut self, direction: Direction, unix_ms: i64, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        // the time the writer stores decides the day
        self.last_ms = unix_ms.max(self.last_ms);
        let day = self.last_ms.div_euclid(86_400_000);
        if self.open.as_ref().map(|(d, _)| *d) != Some(day) {
            if let Some((_, w)) = self.open.take() {
                w.finish()?;
            }
            let (y, m, d) = civil_from_days(day);
            let path = self.dir.join(std::format!("{y:04}{m:02}{d:02}.cap"));
            let file = BufWriter::new(File::create(&path)?);
            self.open = Some((day, CaptureWriter::new(file, &self.comments)?));
            self.days.push(path);
        }
        if let Some((_, w)) = &mut self.open {
            w.record(direction, self.last_ms, bytes)?;
            self.records += 1;
        }
        Ok(())
    }
    fn records(&self) -> u64 {
        self.records
    }
    fn finish(mut self) -> io::Result<()> {
        match self.open.take() {
            Some((_, w)) => w.finish().map(drop),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::capture::CaptureReader;

    #[test]
    fn records_go_to_the_file_of_their_utc_day() {
        let dir = std::env::temp_dir().join(std::format!("sim-dayfiles-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut w = DayFiles::create(dir.clone(), &[String::from("test")]).unwrap();
        let midnight = 20_513 * 86_400_000; // 2026-03-01
        w.record(Direction::FromModem, midnight - 1, b"a").unwrap();
        w.record(Direction::ToModem, midnight, b"b").unwrap();
        // earlier than the last: raised to it, so it stays in the later day
        w.record(Direction::FromModem, midnight - 5, b"c").unwrap();
        assert_eq!(w.records(), 3);
        let days = w.days.clone();
        w.finish().unwrap();
        let names: Vec<_> = days
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["20260228.cap", "20260301.cap"]);
        let read = |p: &PathBuf| -> Vec<(i64, Vec<u8>)> {
            let data = std::fs::read(p).unwrap();
            CaptureReader::new(&data)
                .unwrap()
                .map(|r| r.map(|r| (r.unix_ms, r.bytes.to_vec())).unwrap())
                .collect()
        };
        assert_eq!(read(&days[0]), [(midnight - 1, b"a".to_vec())]);
        assert_eq!(
            read(&days[1]),
            [(midnight, b"b".to_vec()), (midnight, b"c".to_vec())]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
