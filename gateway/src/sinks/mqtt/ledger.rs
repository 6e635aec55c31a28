//! The spool's ledger: which dated records the spool has ever taken, so that a record the
//! link decodes again after a restart (its checkpoint moves only after the sinks stored a
//! batch, so a SIGKILL between the two brings those records again) is neither spooled nor
//! published twice, even long after its spool segment was acknowledged and deleted.
//!
//! Layout: `<spool>/ledger/<YYYY>/<YYYYMMDD>.keys`, one [`record_file`] per UTC day of the
//! record time, one line `<topic> <record time in ms>` per record spooled.
//!
//! Order, and why nothing is lost or doubled: [`MqttSink::write`](super::MqttSink) keeps
//! out of a batch what the ledger holds, appends the rest to the spool (fsync, the
//! durability point), then records them here (fsync) while still holding the spool's lock,
//! so the publisher cannot have sent, acknowledged or deleted them before they are in the
//! ledger. A crash between the two leaves them unacknowledged in the spool, and
//! [`Ledger::reconcile`] at the next start records every unacknowledged entry. Records
//! without a time have no identity and are always spooled (no restart brings them again).

use super::spool::{Spool, SpoolError};
use crate::sinks::record_file::{Key, RecordFiles};
use protocol::time::UtcTime;
use std::io;
use std::path::{Path, PathBuf};

/// Entries read at once while reconciling.
const WINDOW: usize = 1024;

/// The ledger of one spool.
#[derive(Debug)]
pub struct Ledger {
    dir: PathBuf,
    files: RecordFiles,
    /// Spooled but not yet in the ledger (its write failed): written first next time.
    unrecorded: Vec<(PathBuf, Key)>,
}

impl Ledger {
    /// The ledger of the spool in `spool_dir`.
    pub fn new(spool_dir: &Path) -> Self {
        Ledger {
            dir: spool_dir.join("ledger"),
            files: RecordFiles::new(),
            unrecorded: Vec::new(),
        }
    }

    /// The ledger file and key of a record of topic `topic` with time `ms` (unix ms).
    fn place(&self, topic: &str, ms: i64) -> (PathBuf, Key) {
        let (y, m, d, ..) = UtcTime(ms).to_civil();
        let path = self
            .dir
            .join(format!("{y:04}"))
            .join(format!("{y:04}{m:02}{d:02}.keys"));
        (path, Key::Line(format!("{topic} {ms}")))
    }

    /// Whether the spool has taken the record of `topic` with time `ms` already.
    pub fn holds(&mut self, topic: &str, ms: i64) -> io::Result<bool> {
        let (path, key) = self.place(topic, ms);
        if self.unrecorded.iter().any(|(p, k)| *p == path && *k == key) {
            return Ok(true);
        }
        Ok(self.files.get(&path)?.contains(&key))
    }

    /// Records that the spool took the records `(topic, ms)`; durable on return. On an
    /// error they are kept in memory, still [held](Ledger::holds), and written first at
    /// the next call.
    pub fn record<'a>(
        &mut self,
        spooled: impl IntoIterator<Item = (&'a str, i64)>,
    ) -> io::Result<()> {
        for (topic, ms) in spooled {
            let place = self.place(topic, ms);
            self.unrecorded.push(place);
        }
        let result = self.flush();
        if result.is_err() {
            self.files.forget();
        }
        result
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut touched: Vec<PathBuf> = Vec::new();
        for (path, key) in &self.unrecorded {
            let Key::Line(line) = key else { continue };
            self.files.get(path)?.append(key.clone(), line)?;
            if !touched.contains(path) {
                touched.push(path.clone());
            }
        }
        self.files.sync(&touched)?;
        self.unrecorded.clear();
        Ok(())
    }

    /// Records every unacknowledged dated entry of `spool` (at start, before the first
    /// write: entries a crash left between the spool's fsync and the ledger's); returns
    /// how many were missing.
    pub fn reconcile(&mut self, spool: &mut Spool) -> Result<u64, ReconcileError> {
        let mut from = spool.watermark();
        let mut missing = Vec::new();
        loop {
            let entries = spool.read(from, WINDOW)?;
            let Some(last) = entries.last() else { break };
            from = last.id + 1;
            for e in entries {
                if let Some(ms) = e.record_ms {
                    if !self.holds(&e.topic, ms)? {
                        missing.push((e.topic, ms));
                    }
                }
            }
        }
        let n = missing.len() as u64;
        self.record(missing.iter().map(|(t, ms)| (t.as_str(), *ms)))?;
        Ok(n)
    }
}

/// Why [`Ledger::reconcile`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// The spool could not be read.
    #[error(transparent)]
    Spool(#[from] SpoolError),
    /// The ledger could not be read or written.
    #[error("spool ledger: {0}")]
    Io(#[from] io::Error),
}

#[cfg(test)]
mod tests {
    use super::super::entry::NewEntry;
    use super::*;

    #[test]
    fn a_record_spooled_once_is_held_across_restarts_and_reconciled_after_a_crash() {
        let dir = std::env::temp_dir().join(format!("albatross-ledger-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (mut spool, _) = Spool::open(&dir).unwrap();
        let mut ledger = Ledger::new(&dir);
        let t = "emso/s/albatross/sbe37/1/data";
        assert!(!ledger.holds(t, 1_000).unwrap());
        ledger.record([(t, 1_000)]).unwrap();
        assert!(ledger.holds(t, 1_000).unwrap());
        assert!(!ledger.holds(t, 2_000).unwrap());
        // spooled, then a crash before the ledger write
        let e = NewEntry {
            topic: t,
            payload: b"{}",
            record_ms: Some(2_000),
        };
        spool.append(&[e]).unwrap();
        drop((spool, ledger));
        let (mut spool, _) = Spool::open(&dir).unwrap();
        let mut ledger = Ledger::new(&dir);
        assert!(ledger.holds(t, 1_000).unwrap(), "kept across a restart");
        assert_eq!(ledger.reconcile(&mut spool).unwrap(), 1);
        assert!(ledger.holds(t, 2_000).unwrap());
        assert_eq!(ledger.reconcile(&mut spool).unwrap(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
