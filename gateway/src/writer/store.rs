//! The writer's files: one JSON line per record, per platform, record type, serial and UTC
//! day, in the layout of the gateway's own JSON-lines sink
//! (`<dir>/<platform>/<YYYY>/<type>_<serial>_<YYYYMMDD>.jsonl`, [`day_file`]).
//!
//! Promises:
//! - [`DayStore::store`] returns only once every line it wrote is fsynced (and the
//!   directory entry of every file it created), so a message may be acknowledged after it.
//! - A record is stored once: a second record with the same time in the same day file (the
//!   same platform, type and serial) is a duplicate and is not written again, also across
//!   restarts, because opening a day file loads the keys already in it. Records without a
//!   time are keyed by their whole line ([`crate::sinks::record_file`], shared with the
//!   gateway's JSON-lines sink).
//! - A torn last line (a crash in the middle of a write, before the fsync and therefore
//!   before the acknowledgement) is cut off when the file is opened again: the broker
//!   redelivers that record.
//! - Messages that are not records go, with the reason, to `<dir>/rejected/<YYYYMMDD>.jsonl`
//!   (day of receipt): counted and kept, never silently dropped.

use super::message::{accept, Accepted};
use crate::durable;
use crate::sinks::jsonl::day_file;
use crate::sinks::record_file::{Appended, Key, RecordFiles};
use protocol::time::UtcTime;
use std::io;
use std::path::{Path, PathBuf};
use tracing::warn;

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Written (and fsynced) to this file.
    Stored(PathBuf),
    /// Already in this file: not written again.
    Duplicate(PathBuf),
    /// Not a record: written to the rejected file with this reason.
    Rejected(String),
}

/// A message as received: its topic and payload.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// MQTT topic.
    pub topic: &'a str,
    /// Payload bytes.
    pub payload: &'a [u8],
}

/// Counters since the store was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Records written.
    pub stored: u64,
    /// Records already present.
    pub duplicates: u64,
    /// Duplicates whose content differed from the stored record (the first one is kept).
    pub conflicts: u64,
    /// Messages rejected.
    pub rejected: u64,
}

/// The writer's file store (blocking I/O; run it off the async runtime).
#[derive(Debug)]
pub struct DayStore {
    dir: PathBuf,
    root: String,
    site: String,
    files: RecordFiles,
    stats: StoreStats,
}

impl DayStore {
    /// A store under `dir` for messages of the tree `<root>/<site>/…`.
    pub fn new(dir: &Path, root: &str, site: &str) -> Self {
        DayStore {
            dir: dir.to_owned(),
            root: root.to_owned(),
            site: site.to_owned(),
            files: RecordFiles::new(),
            stats: StoreStats::default(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> StoreStats {
        self.stats
    }

    /// The day file of an accepted record.
    fn path_of(&self, a: &Accepted) -> PathBuf {
        day_file(&self.dir, &a.platform, &a.kind, a.serial.as_deref(), a.time)
    }

    /// Stores a batch of messages received at `now`; returns the outcome of each, in
    /// order, once everything written is durable. On an I/O error nothing of the batch may
    /// be acknowledged (lines already written are recognised as duplicates on the retry).
    pub fn store(&mut self, batch: &[Message<'_>], now: UtcTime) -> io::Result<Vec<Outcome>> {
        let result = self.store_inner(batch, now);
        if result.is_err() {
            // Forget the open files and their keys: the retry reopens them, cuts a torn
            // line and fsyncs what is there before trusting it as stored.
            self.files.forget();
        }
        result
    }

    fn store_inner(&mut self, batch: &[Message<'_>], now: UtcTime) -> io::Result<Vec<Outcome>> {
        let mut out = Vec::with_capacity(batch.len());
        let mut touched: Vec<PathBuf> = Vec::new();
        let mut rejected = Vec::new();
        let mut stats = self.stats;
        for m in batch {
            let a = match accept(&self.root, &self.site, m.topic, m.payload) {
                Ok(a) => a,
                Err(r) => {
                    rejected.push(serde_json::json!({
                        "received": now.to_string(),
                        "topic": m.topic,
                        "reason": r.0,
                        "payload": String::from_utf8_lossy(m.payload),
                    }));
                    stats.rejected += 1;
                    out.push(Outcome::Rejected(r.0));
                    continue;
                }
            };
            let path = self.path_of(&a);
            let key = Key::of(a.time, &a.line);
            match self.files.get(&path)?.append(key, &a.line)? {
                Appended::Duplicate { conflict } => {
                    if conflict {
                        stats.conflicts += 1;
                        warn!(file = %path.display(), record = %a.line, "a different record with the same time is already stored: kept the first");
                    }
                    stats.duplicates += 1;
                    out.push(Outcome::Duplicate(path));
                }
                Appended::Stored => {
                    stats.stored += 1;
                    if !touched.contains(&path) {
                        touched.push(path.clone());
                    }
                    out.push(Outcome::Stored(path));
                }
            }
        }
        if !rejected.is_empty() {
            self.write_rejected(&rejected, now)?;
        }
        self.files.sync(&touched)?;
        self.stats = stats;
        Ok(out)
    }

    fn write_rejected(&mut self, items: &[serde_json::Value], now: UtcTime) -> io::Result<()> {
        let (y, m, d, ..) = now.to_civil();
        let path = self
            .dir
            .join("rejected")
            .join(format!("{y:04}{m:02}{d:02}.jsonl"));
        let mut f = durable::open_append(&path)?;
        let mut text = String::new();
        for v in items {
            text.push_str(&v.to_string());
            text.push('\n');
        }
        durable::append(&mut f, text.as_bytes())?;
        for v in items {
            warn!(file = %path.display(), "message rejected: {}", v["reason"]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("albatross-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    const TOPIC: &str = "emso/s/albatross/sbe37/3725001/data";
    const A: &[u8] = br#"{"type":"sbe37","time":"2026-03-01T00:30:00Z","serial":"3725001","temperature_c":13.8512}"#;
    const B: &[u8] = br#"{"type":"sbe37","time":"2026-03-01T01:00:00Z","serial":"3725001","temperature_c":13.8513}"#;

    fn msg(payload: &[u8]) -> Message<'_> {
        Message {
            topic: TOPIC,
            payload,
        }
    }

    fn now() -> UtcTime {
        UtcTime::from_unix_seconds(1_772_400_000)
    }

    #[test]
    fn a_hostile_serial_is_stored_under_the_gateways_encoded_name() {
        let dir = tmp("hostile");
        let mut s = DayStore::new(&dir, "emso", "s");
        let payload = |serial: &str| {
            format!(r#"{{"type":"sbe37","time":"2026-03-01T00:30:00Z","serial":{serial:?}}}"#)
        };
        let (p1, p2) = (payload("../x"), payload("../y"));
        let (t1, t2) = (
            format!(
                "emso/s/albatross/sbe37/{}/data",
                crate::names::safe_part("../x")
            ),
            format!(
                "emso/s/albatross/sbe37/{}/data",
                crate::names::safe_part("../y")
            ),
        );
        let out = s
            .store(
                &[
                    Message {
                        topic: &t1,
                        payload: p1.as_bytes(),
                    },
                    Message {
                        topic: &t2,
                        payload: p2.as_bytes(),
                    },
                ],
                now(),
            )
            .unwrap();
        let f1 = dir.join("albatross/2026/sbe37_unsafe-2e2e2f78_20260301.jsonl");
        let f2 = dir.join("albatross/2026/sbe37_unsafe-2e2e2f79_20260301.jsonl");
        assert_eq!(
            out,
            vec![Outcome::Stored(f1.clone()), Outcome::Stored(f2.clone())]
        );
        assert_eq!(std::fs::read_to_string(&f1).unwrap(), p1 + "\n");
        assert!(!dir.join("x").exists() && !dir.parent().unwrap().join("x").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn stores_once_also_after_a_restart() {
        let dir = tmp("dup");
        let mut s = DayStore::new(&dir, "emso", "s");
        let out = s.store(&[msg(A), msg(A), msg(B)], now()).unwrap();
        let file = dir.join("albatross/2026/sbe37_3725001_20260301.jsonl");
        assert_eq!(out[0], Outcome::Stored(file.clone()));
        assert_eq!(out[1], Outcome::Duplicate(file.clone()));
        assert_eq!(out[2], Outcome::Stored(file.clone()));
        drop(s);
        let mut s = DayStore::new(&dir, "emso", "s");
        let out = s.store(&[msg(B), msg(A)], now()).unwrap();
        assert!(out.iter().all(|o| matches!(o, Outcome::Duplicate(_))));
        let text = std::fs::read_to_string(&file).unwrap();
        let want = format!(
            "{}\n{}\n",
            std::str::from_utf8(A).unwrap(),
            std::str::from_utf8(B).unwrap()
        );
        assert_eq!(text, want);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reordered_keys_are_the_same_record_not_a_conflict() {
        let dir = tmp("reorder");
        let mut s = DayStore::new(&dir, "emso", "s");
        let r = br#"{"serial":"3725001","temperature_c":13.8512,"type":"sbe37","time":"2026-03-01T00:30:00Z"}"#;
        let c = br#"{"type":"sbe37","time":"2026-03-01T00:30:00Z","serial":"3725001","temperature_c":9.0}"#;
        let out = s.store(&[msg(A), msg(r), msg(c)], now()).unwrap();
        assert!(matches!(out[1], Outcome::Duplicate(_)));
        assert!(matches!(out[2], Outcome::Duplicate(_)));
        assert_eq!(s.stats().duplicates, 2);
        assert_eq!(s.stats().conflicts, 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn torn_line_is_cut_and_the_record_stored_again() {
        let dir = tmp("torn");
        let file = dir.join("albatross/2026/sbe37_3725001_20260301.jsonl");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let torn = &B[..20];
        let mut text = A.to_vec();
        text.push(b'\n');
        text.extend_from_slice(torn);
        std::fs::write(&file, text).unwrap();
        let mut s = DayStore::new(&dir, "emso", "s");
        let out = s.store(&[msg(A), msg(B)], now()).unwrap();
        assert!(matches!(out[0], Outcome::Duplicate(_)));
        assert!(matches!(out[1], Outcome::Stored(_)));
        let lines: Vec<String> = std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].as_bytes(), B);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rejected_messages_are_kept_with_their_reason() {
        let dir = tmp("rej");
        let mut s = DayStore::new(&dir, "emso", "s");
        let bad = Message {
            topic: "emso/s/../sbe37/1/data",
            payload: b"{}",
        };
        let out = s.store(&[bad, msg(b"garbage")], now()).unwrap();
        assert!(out.iter().all(|o| matches!(o, Outcome::Rejected(_))));
        assert_eq!(s.stats().rejected, 2);
        let (y, m, d, ..) = now().to_civil();
        let text = std::fs::read_to_string(dir.join(format!("rejected/{y:04}{m:02}{d:02}.jsonl")))
            .unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.contains("garbage"));
        // nothing escaped the store's directory
        assert!(!dir.parent().unwrap().join("sbe37").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn undated_records_are_keyed_by_content() {
        let dir = tmp("undated");
        let mut s = DayStore::new(&dir, "emso", "s");
        let t = "emso/s/mii/cstar/1234/data";
        let a = br#"{"type":"cstar","serial":"1234","signal_counts":1}"#;
        let b = br#"{"type":"cstar","serial":"1234","signal_counts":2}"#;
        let m = |p| Message {
            topic: t,
            payload: p,
        };
        let out = s.store(&[m(a), m(b), m(a)], now()).unwrap();
        assert!(matches!(out[2], Outcome::Duplicate(_)));
        let f = dir.join("mii/undated/cstar_1234_undated.jsonl");
        assert_eq!(std::fs::read_to_string(f).unwrap().lines().count(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
