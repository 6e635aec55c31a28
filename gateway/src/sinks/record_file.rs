//! Record files that hold each record once: append-only JSON-lines day files that know,
//! from their own content, which records they already hold. Shared by the gateway's
//! JSON-lines sink ([`super::jsonl`]) and the shore-side writer (`crate::writer::store`),
//! whose day files have one layout.
//!
//! Promises:
//! - A record is identified in its day file (one platform, type and serial) by its time in
//!   ms; a record without time by its whole line ([`Key`]). [`RecordFile::append`] of a
//!   key the file already holds writes nothing: a record decoded again after a restart
//!   (the link resumes from a checkpoint that may lag the stored records), or delivered
//!   again by the broker, is stored once.
//! - Opening a file ([`RecordFile::open`]) reads the keys already in it, once per open
//!   (the file is its own index: no second file to keep in step), cuts a torn last line (a
//!   crash during a write, before its fsync and so before anything was acknowledged) and
//!   fsyncs what is left before trusting it as stored.
//! - Lines appended are durable once [`RecordFile::sync`] returns.

use crate::durable;
use crate::record::parse_time;
use protocol::time::UtcTime;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use tracing::warn;

/// Most record files kept open (with their keys) at once.
pub const MAX_OPEN: usize = 64;

/// Identity of a record inside its day file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// Records with a time: the time in ms.
    Time(i64),
    /// Records without one: the whole line.
    Line(String),
}

impl Key {
    /// The key of a record with time `time` (if any) whose JSON line is `line`.
    pub fn of(time: Option<UtcTime>, line: &str) -> Key {
        match time {
            Some(t) => Key::Time(t.unix_millis()),
            None => Key::Line(line.to_owned()),
        }
    }
}

/// Hash of a record's content, independent of key order and spacing (the same record
/// re-serialised hashes the same); falls back to the text for what is not JSON.
pub fn line_hash(line: &str) -> u64 {
    fn feed(v: &serde_json::Value, h: &mut DefaultHasher) {
        match v {
            serde_json::Value::Object(o) => {
                let mut keys: Vec<&String> = o.keys().collect();
                keys.sort();
                b'{'.hash(h);
                for k in keys {
                    k.hash(h);
                    if let Some(x) = o.get(k) {
                        feed(x, h);
                    }
                }
                b'}'.hash(h);
            }
            serde_json::Value::Array(a) => {
                b'['.hash(h);
                a.iter().for_each(|x| feed(x, h));
                b']'.hash(h);
            }
            other => other.to_string().hash(h),
        }
    }
    let mut h = DefaultHasher::new();
    match serde_json::from_str::<serde_json::Value>(line) {
        Ok(v) => feed(&v, &mut h),
        Err(_) => line.hash(&mut h),
    }
    h.finish()
}

/// What [`RecordFile::append`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// The line was written (durable after the next [`RecordFile::sync`]).
    Stored,
    /// The file already holds the key; `conflict` when the stored line's content differs
    /// (the stored one is kept).
    Duplicate {
        /// The stored record's content differs from this one.
        conflict: bool,
    },
}

/// One open record file and the keys of the records in it (key → [`line_hash`]).
#[derive(Debug)]
pub struct RecordFile {
    file: File,
    keys: HashMap<Key, u64>,
}

impl RecordFile {
    /// Opens (or creates, durably) the file at `path`, cuts a torn last line and loads its
    /// keys.
    pub fn open(path: &Path) -> io::Result<RecordFile> {
        let mut file = durable::open_append(path)?;
        let mut keys = HashMap::new();
        let mut good_len = 0u64;
        let mut reader = BufReader::new(&file);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let n = reader.read_until(b'\n', &mut buf)?;
            if n == 0 {
                break;
            }
            if buf.last() != Some(&b'\n') {
                // torn last line: written but never fsynced nor acknowledged
                break;
            }
            good_len += n as u64;
            let line = String::from_utf8_lossy(&buf);
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            let time = serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v.get("time").and_then(|t| t.as_str()).map(str::to_owned))
                .and_then(|t| parse_time(&t));
            keys.insert(Key::of(time, line), line_hash(line));
        }
        drop(reader);
        // what is in the file is trusted as stored from now on: make sure it is durable (a
        // previous run may have failed before its fsync)
        file.sync_data()?;
        let len = file.metadata()?.len();
        if len > good_len {
            warn!(
                file = %path.display(),
                bytes = len - good_len,
                "cutting a torn last line (a crash before its fsync: that record comes again)"
            );
            file.set_len(good_len)?;
            file.sync_all()?;
            file.seek(SeekFrom::End(0))?;
        }
        Ok(RecordFile { file, keys })
    }

    /// Whether the file holds a record with key `key`.
    pub fn contains(&self, key: &Key) -> bool {
        self.keys.contains_key(key)
    }

    /// Appends `line` (one JSON record, no newline) under `key`, unless the file holds
    /// that key already.
    pub fn append(&mut self, key: Key, line: &str) -> io::Result<Appended> {
        let hash = line_hash(line);
        if let Some(&old) = self.keys.get(&key) {
            return Ok(Appended::Duplicate {
                conflict: old != hash,
            });
        }
        self.write_line(line)?;
        self.keys.insert(key, hash);
        Ok(Appended::Stored)
    }

    /// Appends `line` whatever the file holds (a record without identity, which a
    /// restart never brings again).
    pub fn append_unkeyed(&mut self, line: &str) -> io::Result<Appended> {
        self.write_line(line)?;
        Ok(Appended::Stored)
    }

    fn write_line(&mut self, line: &str) -> io::Result<()> {
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        self.file.write_all(&bytes)
    }

    /// Makes every line appended so far durable (`fdatasync`).
    pub fn sync(&self) -> io::Result<()> {
        self.file.sync_data()
    }
}

/// The record files open at once (at most [`MAX_OPEN`]), by path.
#[derive(Debug, Default)]
pub struct RecordFiles {
    open: HashMap<PathBuf, RecordFile>,
}

impl RecordFiles {
    /// No file open yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The open file at `path`, opening it ([`RecordFile::open`]) when needed; when
    /// [`MAX_OPEN`] are open, every open file is synced and closed first.
    pub fn get(&mut self, path: &Path) -> io::Result<&mut RecordFile> {
        if !self.open.contains_key(path) {
            if self.open.len() >= MAX_OPEN {
                // lines of the current batch may be unsynced yet: sync before closing
                for f in self.open.values() {
                    f.sync()?;
                }
                self.open.clear();
            }
            let f = RecordFile::open(path)?;
            self.open.insert(path.to_owned(), f);
        }
        self.open
            .get_mut(path)
            .ok_or_else(|| io::Error::other("record file vanished from the open set"))
    }

    /// Syncs the open files among `paths` (those closed since were synced on closing); an
    /// error names the file.
    pub fn sync(&self, paths: &[PathBuf]) -> io::Result<()> {
        for p in paths {
            if let Some(f) = self.open.get(p) {
                f.sync()
                    .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?;
            }
        }
        Ok(())
    }

    /// Forgets every open file and its keys (after a failed write: the retry reopens
    /// them, cuts a torn line and fsyncs what is there before trusting it as stored).
    pub fn forget(&mut self) {
        self.open.clear();
    }
}
