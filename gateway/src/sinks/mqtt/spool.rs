//! The durable on-disk spool of records waiting for the broker's PUBACK.
//!
//! Layout of the spool directory:
//! - `seg-<first id, 20 digits>.spool`: append-only segment files of [`super::entry`]
//!   entries with consecutive ids. Each process run starts a new segment (an old segment is
//!   never appended to, so a torn tail left by a crash stays at the end of its file and is
//!   ignored); a segment is also rotated once it passes the size limit.
//! - `acked`: the acknowledged watermark, `acked-below <id>`: every id below it has its
//!   PUBACK. It is replaced atomically (write + rename) and may lag behind: a stale
//!   watermark only re-sends records (QoS 1 allows duplicates), never loses one.
//!
//! [`Spool::append`] fsyncs the segment (and the directory when it made a new file) before
//! returning: that is the gateway's durability point for MQTT. [`Spool::ack`] records a
//! PUBACK; acknowledgements above the watermark are held in memory (bounded by the
//! in-flight window) until the gap closes. A segment whose every id is below the watermark
//! is deleted (after the watermark file is written).

use super::entry::{decode, encode, Decoded, Entry, NewEntry};
use crate::{clock, durable};
use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Default size after which a new segment is started.
pub const SEGMENT_BYTES: u64 = 4 << 20;
/// How often at most the watermark file is rewritten while acks come in.
const PERSIST_EVERY: Duration = Duration::from_millis(500);

/// Spool failures.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// A file of the spool could not be read or written.
    #[error("spool {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// A record's topic (over 65535 bytes) or body (over 16 MiB) is too long to spool.
    #[error("record too large to spool (topic {topic} bytes, payload {payload} bytes)")]
    TooLarge {
        /// Topic length.
        topic: usize,
        /// Payload length.
        payload: usize,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> SpoolError + '_ {
    move |source| SpoolError::Io {
        path: path.to_owned(),
        source,
    }
}

#[derive(Debug)]
struct Segment {
    first: u64,
    /// One past the last valid id.
    end: u64,
    path: PathBuf,
}

#[derive(Debug)]
struct Reader {
    segment_first: u64,
    file: BufReader<File>,
    next: u64,
}

/// What [`Spool::open`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recovery {
    /// Segments read.
    pub segments: usize,
    /// Segments whose tail was torn or corrupt (the valid prefix is kept).
    pub torn: usize,
    /// Records still waiting for a PUBACK.
    pub unacked: u64,
}

/// The spool (see the module doc).
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    segments: Vec<Segment>,
    /// The segment this run appends to (the last of `segments` once created).
    active: Option<(File, u64)>,
    segment_limit: u64,
    next_id: u64,
    watermark: u64,
    persisted: u64,
    last_persist: Instant,
    acked_above: BTreeSet<u64>,
    unacked: u64,
    reader: Option<Reader>,
    oldest: Option<(u64, u64)>,
}

/// The wall clock in milliseconds, as stored in an entry's `appended_ms`.
fn now_ms() -> u64 {
    u64::try_from(clock::now().unix_millis()).unwrap_or(0)
}

fn segment_name(first: u64) -> String {
    format!("seg-{first:020}.spool")
}

fn parse_segment_name(name: &str) -> Option<u64> {
    name.strip_prefix("seg-")?
        .strip_suffix(".spool")?
        .parse()
        .ok()
}

impl Spool {
    /// Opens (or creates) the spool in `dir`, recovering what a previous run left.
    pub fn open(dir: &Path) -> Result<(Spool, Recovery), SpoolError> {
        Self::open_with_limit(dir, SEGMENT_BYTES)
    }

    /// As [`Spool::open`], rotating segments after `segment_limit` bytes.
    pub fn open_with_limit(
        dir: &Path,
        segment_limit: u64,
    ) -> Result<(Spool, Recovery), SpoolError> {
        durable::create_dirs(dir).map_err(io_err(dir))?;
        let (watermark, found) = listing(dir)?;
        let mut rec = Recovery::default();
        let mut segments = Vec::new();
        for (first, path) in found {
            let (end, torn) = scan(&path, first)?;
            rec.segments += 1;
            rec.torn += usize::from(torn);
            if end <= watermark && end > first {
                // fully acknowledged before the crash
                let _ = fs::remove_file(&path);
                continue;
            }
            rec.unacked += end.saturating_sub(first.max(watermark));
            segments.push(Segment { first, end, path });
        }
        let next_id = segments
            .iter()
            .map(|s| s.end.max(s.first))
            .max()
            .unwrap_or(0)
            .max(watermark);
        let spool = Spool {
            dir: dir.to_owned(),
            segments,
            active: None,
            segment_limit,
            next_id,
            watermark,
            persisted: watermark,
            last_persist: Instant::now(),
            acked_above: BTreeSet::new(),
            unacked: rec.unacked,
            reader: None,
            oldest: None,
        };
        rec.unacked = spool.unacked;
        Ok((spool, rec))
    }

    /// Records still waiting for their PUBACK.
    pub fn depth(&self) -> u64 {
        self.unacked
    }

    /// Every id below this one is acknowledged.
    pub fn watermark(&self) -> u64 {
        self.watermark
    }

    /// The id the next appended record gets.
    pub fn next_id(&self) -> u64 {
        self.next_id
    }

    /// Appends `entries` (ids `next_id()..`) and fsyncs; on return they survive a crash.
    pub fn append(&mut self, entries: &[NewEntry<'_>]) -> Result<(), SpoolError> {
        if entries.is_empty() {
            return Ok(());
        }
        let now = now_ms();
        let mut buf = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            encode(self.next_id + i as u64, now, e, &mut buf).ok_or(SpoolError::TooLarge {
                topic: e.topic.len(),
                payload: e.payload.len(),
            })?;
        }
        let rotate = self
            .active
            .as_ref()
            .is_none_or(|(_, bytes)| *bytes >= self.segment_limit);
        if rotate {
            self.new_segment()?;
        }
        let path = self
            .segments
            .last()
            .map(|s| s.path.clone())
            .unwrap_or_default();
        let Some((file, bytes)) = self.active.as_mut() else {
            return Ok(()); // new_segment just set it
        };
        let written = durable::append(file, &buf).map_err(io_err(&path));
        if let Err(e) = written {
            // the tail may be torn: never append after it, start a new segment next time
            self.active = None;
            return Err(e);
        }
        *bytes += buf.len() as u64;
        self.next_id += entries.len() as u64;
        self.unacked += entries.len() as u64;
        if let Some(s) = self.segments.last_mut() {
            s.end = self.next_id;
        }
        Ok(())
    }

    fn new_segment(&mut self) -> Result<(), SpoolError> {
        let path = self.dir.join(segment_name(self.next_id));
        if path.exists() {
            // a corrupt leftover with no valid entry under the same first id
            let aside = self
                .dir
                .join(format!("{}.corrupt", segment_name(self.next_id)));
            fs::rename(&path, &aside).map_err(io_err(&path))?;
            self.segments.retain(|s| s.path != path);
        }
        let file = durable::create_new(&path).map_err(io_err(&path))?;
        self.segments.push(Segment {
            first: self.next_id,
            end: self.next_id,
            path,
        });
        self.active = Some((file, 0));
        Ok(())
    }

    /// Up to `max` unacknowledged records with id ≥ `from`, in id order.
    pub fn read(&mut self, from: u64, max: usize) -> Result<Vec<Entry>, SpoolError> {
        let mut out = Vec::new();
        let mut from = from.max(self.watermark);
        while out.len() < max && from < self.next_id {
            let Some(seg) = self.segments.iter().find(|s| s.end > from) else {
                break;
            };
            let (first, end, path) = (seg.first, seg.end, seg.path.clone());
            from = from.max(first);
            let reuse = self
                .reader
                .as_ref()
                .is_some_and(|r| r.segment_first == first && r.next <= from);
            if !reuse {
                let f = File::open(&path).map_err(io_err(&path))?;
                self.reader = Some(Reader {
                    segment_first: first,
                    file: BufReader::with_capacity(64 << 10, f),
                    next: first,
                });
            }
            let Some(r) = self.reader.as_mut() else {
                break;
            };
            while out.len() < max && r.next < end {
                match decode(&mut r.file).map_err(io_err(&path))? {
                    Decoded::Entry(e, _) if e.id == r.next => {
                        r.next += 1;
                        if e.id >= from && !self.acked_above.contains(&e.id) {
                            out.push(e);
                        }
                    }
                    // cannot happen for ids below `end` (scanned at open or written by us);
                    // if the file changed under us, skip the rest of this segment
                    _ => {
                        r.next = end;
                    }
                }
            }
            from = r.next;
            // keep the reader of the active segment at its end: the next read continues
            // there instead of decoding the segment again from its start (which made every
            // read O(segment size) in live operation, where reads always catch up)
            let sealed =
                !(self.active.is_some() && self.segments.last().is_some_and(|l| l.first == first));
            if r.next >= end && sealed {
                self.reader = None;
            }
        }
        Ok(out)
    }

    /// Records the PUBACK of `id` (unknown and repeated ids are ignored).
    pub fn ack(&mut self, id: u64) -> Result<(), SpoolError> {
        if id < self.watermark || id >= self.next_id || !self.acked_above.insert(id) {
            return Ok(());
        }
        self.unacked = self.unacked.saturating_sub(1);
        while self.acked_above.remove(&self.watermark) {
            self.watermark += 1;
        }
        let done = self
            .segments
            .iter()
            .any(|s| s.end <= self.watermark && !self.is_active(s));
        if done || self.last_persist.elapsed() >= PERSIST_EVERY {
            self.persist()?;
        }
        if done {
            let wm = self.watermark;
            let active = self
                .segments
                .last()
                .map(|s| s.first)
                .filter(|_| self.active.is_some());
            let (gone, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.segments)
                .into_iter()
                .partition(|s| s.end <= wm && Some(s.first) != active);
            self.segments = keep;
            for s in gone {
                if self
                    .reader
                    .as_ref()
                    .is_some_and(|r| r.segment_first == s.first)
                {
                    self.reader = None;
                }
                fs::remove_file(&s.path).map_err(io_err(&s.path))?;
            }
        }
        Ok(())
    }

    fn is_active(&self, s: &Segment) -> bool {
        self.active.is_some() && self.segments.last().is_some_and(|l| l.first == s.first)
    }

    /// Writes the watermark file if it changed ([`durable::replace_unsynced`]: atomic, no
    /// fsync: a stale or lost file only causes re-sends).
    pub fn persist(&mut self) -> Result<(), SpoolError> {
        self.last_persist = Instant::now();
        if self.persisted == self.watermark {
            return Ok(());
        }
        let path = self.dir.join("acked");
        durable::replace_unsynced(
            &path,
            format!("acked-below {}\n", self.watermark).as_bytes(),
        )
        .map_err(io_err(&path))?;
        self.persisted = self.watermark;
        Ok(())
    }

    /// Age of the oldest record still waiting for its PUBACK, if any.
    pub fn oldest_unacked_age(&mut self) -> Option<Duration> {
        if self.unacked == 0 {
            return None;
        }
        let wm = self.watermark;
        let appended = match self.oldest {
            Some((id, ms)) if id == wm => ms,
            _ => {
                let seg = self.segments.iter().find(|s| s.end > wm)?;
                let ms = appended_ms_of(&seg.path, wm)?;
                self.oldest = Some((wm, ms));
                ms
            }
        };
        Some(Duration::from_millis(now_ms().saturating_sub(appended)))
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        // best effort: a stale watermark only re-sends records
        let _ = self.persist();
    }
}

/// The acknowledged watermark of the spool in `dir` and its segments (first id, path),
/// oldest first.
fn listing(dir: &Path) -> Result<(u64, Vec<(u64, PathBuf)>), SpoolError> {
    let watermark = fs::read_to_string(dir.join("acked"))
        .ok()
        .and_then(|t| t.trim().strip_prefix("acked-below ")?.parse::<u64>().ok())
        .unwrap_or(0);
    let mut found = Vec::new();
    for e in fs::read_dir(dir).map_err(io_err(dir))? {
        let e = e.map_err(io_err(dir))?;
        if let Some(first) = e.file_name().to_str().and_then(parse_segment_name) {
            found.push((first, e.path()));
        }
    }
    found.sort();
    Ok((watermark, found))
}

/// What waits in a spool for the broker, as [`inspect`] read it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Waiting {
    /// Records waiting for their PUBACK (as [`Spool::depth`] would say after opening it).
    pub depth: u64,
    /// When the oldest of them was spooled, milliseconds since the Unix epoch.
    pub oldest_appended_ms: Option<u64>,
}

/// Reads what waits in the spool in `dir` without changing anything, so that it can be
/// called beside the gateway that owns the spool (`albatross status`). A spool directory
/// that does not exist holds nothing. A segment the gateway deletes meanwhile was fully
/// acknowledged and counts for nothing; a watermark that lags counts records that are in
/// fact acknowledged (never fewer than wait).
pub fn inspect(dir: &Path) -> Result<Waiting, SpoolError> {
    if !dir.exists() {
        return Ok(Waiting::default());
    }
    let (watermark, found) = listing(dir)?;
    let mut w = Waiting::default();
    for (first, path) in found {
        let end = match scan(&path, first) {
            Ok((end, _torn)) => end,
            Err(SpoolError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                continue
            }
            Err(e) => return Err(e),
        };
        let from = first.max(watermark);
        if end > from {
            w.depth += end - from;
            if w.oldest_appended_ms.is_none() {
                w.oldest_appended_ms = appended_ms_of(&path, from);
            }
        }
    }
    Ok(w)
}

/// The append time of entry `id` in the segment at `path`.
fn appended_ms_of(path: &Path, id: u64) -> Option<u64> {
    let mut r = BufReader::new(File::open(path).ok()?);
    loop {
        match decode(&mut r).ok()? {
            Decoded::Entry(e, _) if e.id == id => return Some(e.appended_ms),
            Decoded::Entry(e, _) if e.id < id => {}
            _ => return None,
        }
    }
}

/// Scans a segment: one past its last valid consecutive id, and whether its tail is torn.
fn scan(path: &Path, first: u64) -> Result<(u64, bool), SpoolError> {
    let f = File::open(path).map_err(io_err(path))?;
    let mut r = BufReader::with_capacity(64 << 10, f);
    r.seek(SeekFrom::Start(0)).map_err(io_err(path))?;
    let mut next = first;
    loop {
        match decode(&mut r).map_err(io_err(path))? {
            Decoded::Entry(e, _) if e.id == next => next += 1,
            Decoded::End => return Ok((next, false)),
            _ => return Ok((next, true)),
        }
    }
}

#[cfg(test)]
#[path = "spool_tests.rs"]
mod tests;
