//! The raw archive: every byte read from (and written to) every link, with its time, in
//! daily files `<dir>/<link>/<YYYYMMDD>.cap` of the capture format (`captures/FORMAT.md`),
//! so that any day can be replayed (`albatross replay`) or reprocessed.
//!
//! Promise: [`Archive::append`] returns only after the bytes are on disk
//! ([`durable::append`], and a new day file's directory entry is fsynced);
//! the link task calls it before it feeds the bytes to the decoder, so nothing derived
//! from a byte is acknowledged downstream before the byte itself is safe.
//!
//! When the disk refuses a write (it is full: `ENOSPC`), the file is cut back to its last
//! whole record (a short write must not leave half a record, which would make every later
//! record of the day unreadable), the error names the file, and the record is kept in
//! memory, with those that follow, until a write succeeds again: then they are written in
//! order, so that once space returns the day file holds every byte read. At most
//! [`MAX_BACKLOG`] bytes wait; beyond, the oldest are dropped and the error says how many.
//! What waits is lost if the process dies before space returns.

use crate::durable;
use protocol::capture::{write_record_header, Direction, MAGIC};
use protocol::time::UtcTime;
use std::collections::VecDeque;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Most bytes of records kept in memory while the disk refuses them.
pub const MAX_BACKLOG: usize = 16 << 20;

/// The archive writer of one link.
#[derive(Debug)]
pub struct Archive {
    dir: PathBuf,
    open: Option<(i64, File)>,
    /// Records whose write failed, and those after them, oldest first: (day, encoded record).
    backlog: VecDeque<(i64, Vec<u8>)>,
    /// Bytes in `backlog`.
    backlog_bytes: usize,
}

impl Archive {
    /// The archive of link `link` under `root` (the link name is a validated safe id).
    pub fn new(root: &Path, link: &str) -> Self {
        Archive {
            dir: root.join(link),
            open: None,
            backlog: VecDeque::new(),
            backlog_bytes: 0,
        }
    }

    /// The file holding day `day` (days since 1970-01-01).
    pub fn day_file(&self, day: i64) -> PathBuf {
        let (y, m, d) = protocol::time::civil_from_days(day);
        self.dir.join(format!("{y:04}{m:02}{d:02}.cap"))
    }

    /// Bytes of records waiting for the disk to take them (see the module documentation).
    pub fn backlog_bytes(&self) -> usize {
        self.backlog_bytes
    }

    /// Appends one record and syncs it to disk (after the records still waiting, if any).
    /// On error (which names the file) the record waits in memory and is written by a
    /// later call.
    pub fn append(&mut self, direction: Direction, time: UtcTime, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let day = time.unix_seconds().div_euclid(86_400);
        let mut header = String::new();
        // formatting into a String cannot fail
        let _ = write_record_header(&mut header, direction, time.unix_millis(), bytes.len());
        let mut record = Vec::with_capacity(header.len() + bytes.len() + 1);
        record.extend_from_slice(header.as_bytes());
        record.extend_from_slice(bytes);
        record.push(b'\n');
        self.backlog_bytes += record.len();
        self.backlog.push_back((day, record));
        let mut dropped = 0;
        while self.backlog_bytes > MAX_BACKLOG && self.backlog.len() > 1 {
            if let Some((_, r)) = self.backlog.pop_front() {
                self.backlog_bytes -= r.len();
                dropped += r.len();
            }
        }
        let written = self.flush();
        if dropped > 0 {
            let why = written.as_ref().err().map(ToString::to_string);
            return Err(io::Error::other(format!(
                "{}: {dropped} bytes of the oldest records dropped from the raw archive (more than {MAX_BACKLOG} waited for the disk){}",
                self.dir.display(),
                why.map(|w| format!(": {w}")).unwrap_or_default()
            )));
        }
        written
    }

    /// Writes the waiting records, oldest first, one durable append per day file.
    fn flush(&mut self) -> io::Result<()> {
        while let Some(&(day, _)) = self.backlog.front() {
            let n = self.backlog.iter().take_while(|(d, _)| *d == day).count();
            let buf: Vec<u8> = self
                .backlog
                .iter()
                .take(n)
                .flat_map(|(_, r)| r.iter().copied())
                .collect();
            self.write_day(day, &buf).map_err(|e| {
                io::Error::new(e.kind(), format!("{}: {e}", self.day_file(day).display()))
            })?;
            for _ in 0..n {
                if let Some((_, r)) = self.backlog.pop_front() {
                    self.backlog_bytes -= r.len();
                }
            }
        }
        Ok(())
    }

    /// Appends `buf` (whole records) to day `day`'s file and syncs it; on failure the file
    /// is cut back to its length before the write.
    fn write_day(&mut self, day: i64, buf: &[u8]) -> io::Result<()> {
        if self.open.as_ref().map(|(d, _)| *d) != Some(day) {
            self.open = None;
            // a new day file's directory entry is durable before its first record
            let mut file = durable::open_append(&self.day_file(day))?;
            if file.metadata()?.len() == 0 {
                let mut head = MAGIC.to_vec();
                head.extend_from_slice(
                    format!(
                        "# albatross raw archive, link {}\n",
                        self.dir.file_name().and_then(|n| n.to_str()).unwrap_or("?")
                    )
                    .as_bytes(),
                );
                append_whole(&mut file, 0, &head)?;
            }
            self.open = Some((day, file));
        }
        let Some((_, file)) = self.open.as_mut() else {
            return Ok(());
        };
        let before = file.metadata()?.len();
        let r = append_whole(file, before, buf);
        if r.is_err() {
            // reopened (and its length read again) by the next write
            self.open = None;
        }
        r
    }
}

/// Appends `buf` to `file` (of length `before`) durably, or leaves it at `before` bytes: a
/// short write (the disk filled up in the middle) is cut off.
fn append_whole(file: &mut File, before: u64, buf: &[u8]) -> io::Result<()> {
    match durable::append(file, buf) {
        Ok(()) => Ok(()),
        Err(e) => match file.set_len(before) {
            Ok(()) => Err(e),
            Err(cut) => Err(io::Error::new(
                e.kind(),
                format!("{e}; and the partly written record could not be cut off: {cut}"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::capture::CaptureReader;
    use std::io::Write;

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

    /// A tmpfs mounted at a directory (root only), unmounted when dropped.
    struct Tmpfs(PathBuf);

    impl Drop for Tmpfs {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }

    /// Mounts a small tmpfs at `dir`; `None` (with a loud SKIPPED line) when this process
    /// may not mount, unless `CI` or `ALBATROSS_REQUIRE_MOUNT` is set: then it fails.
    fn tmpfs(dir: &Path) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(dir)
            .output()
            .unwrap();
        if out.status.success() {
            return Some(Tmpfs(dir.to_owned()));
        }
        let why = String::from_utf8_lossy(&out.stderr);
        assert!(
            std::env::var_os("CI").is_none()
                && std::env::var_os("ALBATROSS_REQUIRE_MOUNT").is_none(),
            "the full-disk test needs root to mount a tmpfs: {why}"
        );
        eprintln!("=== SKIPPED: needs root to mount a tmpfs (archive full-disk test): {why} ===");
        None
    }

    /// Writes to `path` until the filesystem has no byte left.
    fn fill(path: &Path) {
        let mut f = File::create(path).unwrap();
        for chunk in [4096, 512, 1] {
            let buf = vec![0u8; chunk];
            while f.write(&buf).is_ok_and(|n| n > 0) {}
        }
    }

    #[test]
    fn a_full_disk_leaves_no_half_record_and_loses_nothing_once_space_returns() {
        let dir =
            std::env::temp_dir().join(format!("albatross-archive-full-{}", std::process::id()));
        let Some(mount) = tmpfs(&dir) else {
            return;
        };
        let mut a = Archive::new(&dir, "modem");
        let t = |s| UtcTime::from_civil(2026, 3, 1, 12, 0, s, 0).unwrap();
        a.append(Direction::FromModem, t(0), b"before").unwrap();
        fill(&dir.join("filler"));
        // more than the free end of the file's last page: the write is cut short
        let big = vec![b'x'; 10_000];
        let e = a.append(Direction::FromModem, t(1), &big).unwrap_err();
        let path = dir.join("modem/20260301.cap");
        assert!(e.to_string().contains("No space left on device"), "{e}");
        assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        let read = |path: &Path| -> Vec<Vec<u8>> {
            let data = std::fs::read(path).unwrap();
            CaptureReader::new(&data)
                .unwrap()
                .map(|r| r.unwrap().bytes.to_vec())
                .collect()
        };
        // only whole records on disk; the refused one waits
        assert_eq!(read(&path), vec![b"before".to_vec()]);
        assert!(a.backlog_bytes() > big.len());
        assert!(a.append(Direction::FromModem, t(2), b"while full").is_err());
        std::fs::remove_file(dir.join("filler")).unwrap();
        a.append(Direction::FromModem, t(3), b"after").unwrap();
        assert_eq!(a.backlog_bytes(), 0);
        assert_eq!(
            read(&path),
            vec![
                b"before".to_vec(),
                big,
                b"while full".to_vec(),
                b"after".to_vec()
            ]
        );
        drop(a);
        drop(mount);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
