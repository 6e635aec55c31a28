//! [`CaptureWriter`]: a whole capture (magic line, comments, records) into a `std::io::Write`.

use std::io::{self, Write};

use super::{write_record_header, Direction, MAGIC, MAX_RECORD};

/// Longest record header: code, space, an `i64` (20 characters), space, a length, LF.
const MAX_HEADER: usize = 48;

/// Writes a capture: the magic line and comment lines, then records whose times never
/// decrease, so that [`CaptureReader`](super::CaptureReader) reads back exactly what was
/// recorded.
#[derive(Debug)]
pub struct CaptureWriter<W: Write> {
    out: W,
    last_ms: i64,
    records: u64,
}

impl<W: Write> CaptureWriter<W> {
    /// Starts a capture with the magic line and one `# ` comment line per line of each of
    /// `comments` (a comment with line breaks becomes several comment lines).
    pub fn new<S: AsRef<str>>(mut out: W, comments: &[S]) -> io::Result<Self> {
        out.write_all(MAGIC)?;
        for c in comments {
            for line in c.as_ref().lines() {
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

    /// Appends one record of `bytes` at `unix_ms` (milliseconds since the Unix epoch).
    ///
    /// An empty `bytes` writes nothing (the format has no empty records); a time earlier than
    /// the last record's (or than the epoch) is raised to it, so times never decrease. More
    /// than [`MAX_RECORD`] bytes is refused with [`io::ErrorKind::InvalidInput`] (no reader
    /// would accept the record).
    pub fn record(&mut self, direction: Direction, unix_ms: i64, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        if bytes.len() > MAX_RECORD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "capture record longer than MAX_RECORD",
            ));
        }
        let t = unix_ms.max(self.last_ms);
        self.last_ms = t;
        let mut header = heapless::String::<MAX_HEADER>::new();
        write_record_header(&mut header, direction, t, bytes.len())
            .map_err(|_| io::Error::other("capture record header longer than MAX_HEADER"))?;
        self.out.write_all(header.as_bytes())?;
        self.out.write_all(bytes)?;
        self.out.write_all(b"\n")?;
        self.records += 1;
        Ok(())
    }

    /// Records written so far.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{CaptureError, CaptureReader};
    use super::*;
    use std::string::String;
    use std::vec::Vec;

    #[test]
    fn round_trip_binary_bytes() {
        let mut w = CaptureWriter::new(Vec::new(), &[String::from("seed 1\nsecond line")]).unwrap();
        let all: Vec<u8> = (0..=255u8).collect();
        w.record(Direction::FromModem, 1000, &all).unwrap();
        w.record(Direction::ToModem, 999, b"AT*SENDIM,1,2,ack,\n\r\n")
            .unwrap();
        w.record(Direction::FromModem, 2000, b"\n").unwrap();
        w.record(Direction::FromModem, 3000, b"").unwrap();
        assert_eq!(w.records(), 3);
        let bytes = w.finish().unwrap();
        assert!(bytes.starts_with(b"albatross-capture 1\n# seed 1\n# second line\n< 1000 256\n"));
        let recs: Vec<_> = CaptureReader::new(&bytes)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].bytes, all);
        assert_eq!(
            (recs[1].direction, recs[1].unix_ms),
            (Direction::ToModem, 1000)
        );
        assert_eq!(recs[2].bytes, b"\n");
        assert!(matches!(
            CaptureReader::new(b"nope\n"),
            Err(CaptureError::BadMagic)
        ));
        let third = bytes.len() - b"< 2000 1\n\n\n".len();
        let cut = &bytes[..bytes.len() - 1];
        let r: Vec<_> = CaptureReader::new(cut).unwrap().collect();
        assert!(
            matches!(r.as_slice(), [Ok(_), Ok(_), Err(CaptureError::Truncated { offset })] if *offset == third),
            "{r:?}"
        );
    }

    #[test]
    fn oversized_record_is_refused() {
        let mut w = CaptureWriter::new(Vec::new(), &[] as &[&str]).unwrap();
        let big = std::vec![0u8; MAX_RECORD + 1];
        let e = w.record(Direction::FromModem, 1, &big).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(w.records(), 0);
    }
}
