//! The capture file format (`captures/FORMAT.md`): host-interface bytes with their receive
//! times, binary-safe.
//!
//! ```text
//! albatross-capture 1\n                      magic line
//! # any comment line\n                       zero or more, anywhere between records
//! < 1772323262345 61\n<61 raw bytes>\n       a record: direction, Unix ms, length, bytes
//! ```
//!
//! Direction `<` is modem → host (what the gateway reads), `>` host → modem (what the host
//! wrote). Record times never decrease. The raw bytes are taken by length, so they may hold
//! any byte, CR and LF included; the `\n` after them is a check.

use std::io::{self, BufRead, Write};
use std::string::String;
use std::vec::Vec;

/// The first line of every capture (without its `\n`).
pub const MAGIC: &str = "albatross-capture 1";

/// Which way the bytes went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Modem → host (`<`).
    FromModem,
    /// Host → modem (`>`).
    ToModem,
}

/// One record: bytes read (or written) in one go at `time_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Direction.
    pub direction: Direction,
    /// Receive (or send) time, Unix milliseconds.
    pub time_ms: u64,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Writes a capture: magic line, comments, then records with non-decreasing times.
pub struct CaptureWriter<W: Write> {
    out: W,
    last_ms: u64,
    records: u64,
}

impl<W: Write> CaptureWriter<W> {
    /// Starts a capture with the magic line and one `# ` comment line per `comments` item.
    pub fn new(mut out: W, comments: &[String]) -> io::Result<Self> {
        out.write_all(MAGIC.as_bytes())?;
        out.write_all(b"\n")?;
        for c in comments {
            for line in c.lines() {
                out.write_all(b"# ")?;
                out.write_all(line.as_bytes())?;
                out.write_all(b"\n")?;
            }
        }
        Ok(CaptureWriter {
            out,
            last_ms: 0,
            records: 0,
        })
    }

    /// Appends one record (an earlier time than the last record's is raised to it).
    pub fn record(&mut self, direction: Direction, time_ms: u64, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let t = time_ms.max(self.last_ms);
        self.last_ms = t;
        let d = match direction {
            Direction::FromModem => '<',
            Direction::ToModem => '>',
        };
        writeln!(self.out, "{d} {t} {}", bytes.len())?;
        self.out.write_all(bytes)?;
        self.out.write_all(b"\n")?;
        self.records += 1;
        Ok(())
    }

    /// Records written.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Flushes and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Why a capture cannot be read.
#[derive(Debug)]
pub enum CaptureError {
    /// Reading failed.
    Io(io::Error),
    /// The first line is not [`MAGIC`].
    BadMagic,
    /// A record header is malformed (1-based line of the header in the file, counting
    /// raw-byte blocks as one line).
    BadHeader(usize),
    /// The file ends inside a record.
    Truncated(usize),
    /// The byte after a record's raw bytes is not `\n`.
    MissingNewline(usize),
    /// A record's time is earlier than the previous one.
    TimeGoesBack(usize),
}

impl core::fmt::Display for CaptureError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CaptureError::Io(e) => write!(f, "read error: {e}"),
            CaptureError::BadMagic => write!(f, "not a capture: first line is not {MAGIC:?}"),
            CaptureError::BadHeader(n) => {
                write!(f, "record {n}: bad header (expected `<|> UNIX_MS LEN`)")
            }
            CaptureError::Truncated(n) => write!(f, "record {n}: file ends inside the record"),
            CaptureError::MissingNewline(n) => {
                write!(f, "record {n}: no newline after the raw bytes")
            }
            CaptureError::TimeGoesBack(n) => {
                write!(f, "record {n}: time earlier than the previous record")
            }
        }
    }
}

impl std::error::Error for CaptureError {}

/// Reads every record of a capture.
pub fn read_capture<R: BufRead>(mut input: R) -> Result<Vec<Record>, CaptureError> {
    let mut line = Vec::new();
    input
        .read_until(b'\n', &mut line)
        .map_err(CaptureError::Io)?;
    if line.strip_suffix(b"\n") != Some(MAGIC.as_bytes()) {
        return Err(CaptureError::BadMagic);
    }
    let mut records = Vec::new();
    let mut last = 0u64;
    loop {
        line.clear();
        let n = input
            .read_until(b'\n', &mut line)
            .map_err(CaptureError::Io)?;
        if n == 0 {
            return Ok(records);
        }
        let index = records.len() + 1;
        if line.starts_with(b"#") {
            continue;
        }
        let text = line
            .strip_suffix(b"\n")
            .ok_or(CaptureError::Truncated(index))?;
        let text = core::str::from_utf8(text).map_err(|_| CaptureError::BadHeader(index))?;
        let mut f = text.split(' ');
        let direction = match f.next() {
            Some("<") => Direction::FromModem,
            Some(">") => Direction::ToModem,
            _ => return Err(CaptureError::BadHeader(index)),
        };
        let time_ms: u64 = f
            .next()
            .and_then(|x| x.parse().ok())
            .ok_or(CaptureError::BadHeader(index))?;
        let len: usize = f
            .next()
            .and_then(|x| x.parse().ok())
            .ok_or(CaptureError::BadHeader(index))?;
        if f.next().is_some() || len > 1 << 20 {
            return Err(CaptureError::BadHeader(index));
        }
        if time_ms < last {
            return Err(CaptureError::TimeGoesBack(index));
        }
        last = time_ms;
        let mut bytes = std::vec![0u8; len + 1];
        input
            .read_exact(&mut bytes)
            .map_err(|_| CaptureError::Truncated(index))?;
        if bytes.pop() != Some(b'\n') {
            return Err(CaptureError::MissingNewline(index));
        }
        records.push(Record {
            direction,
            time_ms,
            bytes,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_binary_bytes() {
        let mut w = CaptureWriter::new(Vec::new(), &[String::from("seed 1\nsecond line")]).unwrap();
        let all: Vec<u8> = (0..=255u8).collect();
        w.record(Direction::FromModem, 1000, &all).unwrap();
        w.record(Direction::ToModem, 999, b"AT*SENDIM,1,2,ack,\n\r\n")
            .unwrap();
        w.record(Direction::FromModem, 2000, b"\n").unwrap();
        let bytes = w.finish().unwrap();
        let recs = read_capture(&bytes[..]).unwrap();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].bytes, all);
        assert_eq!(
            (recs[1].direction, recs[1].time_ms),
            (Direction::ToModem, 1000)
        );
        assert_eq!(recs[2].bytes, b"\n");
        assert!(matches!(
            read_capture(&b"nope\n"[..]),
            Err(CaptureError::BadMagic)
        ));
        let cut = &bytes[..bytes.len() - 1];
        assert!(matches!(read_capture(cut), Err(CaptureError::Truncated(3))));
    }
}
