//! The capture file format (`albatross-capture 1`, see `captures/FORMAT.md`): host-interface
//! bytes with the time each read happened. The gateway's raw archive uses it too, so every
//! archive can be replayed and reprocessed.
//!
//! ```text
//! albatross-capture 1\n
//! # comment\n
//! <DIR> <UNIX_MS> <LEN>\n<LEN raw bytes>\n
//! ```
//!
//! [`CaptureReader`] walks a capture held in memory and yields each record, borrowing its
//! bytes; [`write_record_header`] formats a record header; with the `std` feature,
//! [`CaptureWriter`] writes a whole capture to any `std::io::Write` (the simulator's
//! recordings). No files are opened here: callers hand in the bytes or the writer.

use core::fmt;

#[cfg(feature = "std")]
mod writer;
#[cfg(feature = "std")]
pub use writer::CaptureWriter;

/// The first line of every capture, LF included.
pub const MAGIC: &[u8] = b"albatross-capture 1\n";
/// Largest record payload the format allows.
pub const MAX_RECORD: usize = 1 << 20;

/// Which way the bytes went across the host interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `<`: modem (or instrument) → host: what the gateway read, what a simulated modem sent.
    FromModem,
    /// `>`: host → modem: what the gateway wrote, what a simulated modem was sent.
    ToModem,
}

impl Direction {
    /// The format's one-character code.
    pub const fn code(self) -> char {
        match self {
            Direction::FromModem => '<',
            Direction::ToModem => '>',
        }
    }

    /// The direction whose code is `code`.
    pub fn from_code(code: &str) -> Option<Direction> {
        match code {
            "<" => Some(Direction::FromModem),
            ">" => Some(Direction::ToModem),
            _ => None,
        }
    }
}

/// One record of a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureRecord<'a> {
    /// Direction.
    pub direction: Direction,
    /// When, milliseconds since the Unix epoch.
    pub unix_ms: i64,
    /// The bytes.
    pub bytes: &'a [u8],
}

/// What is wrong with a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CaptureError {
    /// The first line is not `albatross-capture 1`.
    #[error("not an albatross capture (bad first line)")]
    BadMagic,
    /// A record header is malformed.
    #[error("malformed record header at byte {offset}")]
    BadHeader {
        /// Byte offset of the header.
        offset: usize,
    },
    /// The file ends inside a record.
    #[error("capture truncated in the record at byte {offset}")]
    Truncated {
        /// Byte offset of the record's header.
        offset: usize,
    },
    /// The byte after a record's data is not LF: its length is wrong.
    #[error("record at byte {offset} is not followed by LF (wrong length)")]
    BadTerminator {
        /// Byte offset of the record's header.
        offset: usize,
    },
    /// A record's time is earlier than the previous one's.
    #[error("record at byte {offset} goes back in time")]
    TimeWentBack {
        /// Byte offset of the record's header.
        offset: usize,
    },
}

/// Iterator over the records of an in-memory capture. After an error it yields nothing
/// more (the records before the error remain valid).
#[derive(Debug, Clone)]
pub struct CaptureReader<'a> {
    data: &'a [u8],
    pos: usize,
    last_ms: i64,
    failed: bool,
}

impl<'a> CaptureReader<'a> {
    /// Checks the magic line and positions at the first record.
    pub fn new(data: &'a [u8]) -> Result<Self, CaptureError> {
        if !data.starts_with(MAGIC) {
            return Err(CaptureError::BadMagic);
        }
        Ok(CaptureReader {
            data,
            pos: MAGIC.len(),
            last_ms: i64::MIN,
            failed: false,
        })
    }

    /// Byte offset reached so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    fn next_record(&mut self) -> Option<Result<CaptureRecord<'a>, CaptureError>> {
        loop {
            let rest = self.data.get(self.pos..)?;
            if rest.is_empty() {
                return None;
            }
            let offset = self.pos;
            let Some(eol) = rest.iter().position(|&b| b == b'\n') else {
                return Some(Err(CaptureError::Truncated { offset }));
            };
            let line = &rest[..eol];
            if line.first() == Some(&b'#') || line.is_empty() {
                self.pos += eol + 1;
                continue;
            }
            let header = parse_header(line).ok_or(CaptureError::BadHeader { offset });
            let (direction, unix_ms, len) = match header {
                Ok(h) => h,
                Err(e) => return Some(Err(e)),
            };
            let start = eol + 1;
            let Some(bytes) = rest.get(start..start + len) else {
                return Some(Err(CaptureError::Truncated { offset }));
            };
            match rest.get(start + len) {
                Some(b'\n') => {}
                Some(_) => return Some(Err(CaptureError::BadTerminator { offset })),
                None => return Some(Err(CaptureError::Truncated { offset })),
            }
            if unix_ms < self.last_ms {
                return Some(Err(CaptureError::TimeWentBack { offset }));
            }
            self.last_ms = unix_ms;
            self.pos += start + len + 1;
            return Some(Ok(CaptureRecord {
                direction,
                unix_ms,
                bytes,
            }));
        }
    }
}

impl<'a> Iterator for CaptureReader<'a> {
    type Item = Result<CaptureRecord<'a>, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let r = self.next_record();
        if matches!(r, Some(Err(_))) {
            self.failed = true;
        }
        r
    }
}

fn parse_header(line: &[u8]) -> Option<(Direction, i64, usize)> {
    let text = core::str::from_utf8(line).ok()?;
    let mut parts = text.split(' ');
    let direction = Direction::from_code(parts.next()?)?;
    let ms_text = parts.next()?;
    let len_text = parts.next()?;
    if parts.next().is_some()
        || !ms_text.bytes().all(|b| b.is_ascii_digit())
        || !len_text.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let unix_ms: i64 = ms_text.parse().ok()?;
    let len: usize = len_text.parse().ok()?;
    (1..=MAX_RECORD)
        .contains(&len)
        .then_some((direction, unix_ms, len))
}

/// Writes the header line of a record (`<DIR> <UNIX_MS> <LEN>\n`); the caller then writes
/// the `len` bytes and one `\n`.
pub fn write_record_header(
    out: &mut impl fmt::Write,
    direction: Direction,
    unix_ms: i64,
    len: usize,
) -> fmt::Result {
    writeln!(out, "{} {} {}", direction.code(), unix_ms, len)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use proptest::prelude::*;
    use std::string::String;
    use std::vec::Vec;

    fn capture(records: &[(Direction, i64, &[u8])]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(b"# made by a test\n");
        for &(d, ms, bytes) in records {
            let mut h = String::new();
            write_record_header(&mut h, d, ms, bytes.len()).unwrap();
            out.extend_from_slice(h.as_bytes());
            out.extend_from_slice(bytes);
            out.push(b'\n');
        }
        out
    }

    #[test]
    fn round_trip_binary_safe() {
        let recs: [(Direction, i64, &[u8]); 2] = [
            (Direction::FromModem, 5, b"RECVIM,1\r\n\n\0"),
            (Direction::ToModem, 7, b"\n"),
        ];
        let data = capture(&recs);
        let got: Vec<_> = CaptureReader::new(&data)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].direction, got[0].unix_ms, got[0].bytes), recs[0]);
        assert_eq!((got[1].direction, got[1].unix_ms, got[1].bytes), recs[1]);
    }

    #[test]
    fn errors() {
        assert_eq!(
            CaptureReader::new(b"nope\n").unwrap_err(),
            CaptureError::BadMagic
        );
        let mut data = capture(&[(Direction::FromModem, 5, b"abc")]);
        let n = data.len();
        data[n - 1] = b'x';
        let r: Vec<_> = CaptureReader::new(&data).unwrap().collect();
        assert!(matches!(
            r.as_slice(),
            [Err(CaptureError::BadTerminator { .. })]
        ));
        let data = capture(&[
            (Direction::FromModem, 5, b"abc"),
            (Direction::FromModem, 4, b"d"),
        ]);
        let r: Vec<_> = CaptureReader::new(&data).unwrap().collect();
        assert!(matches!(
            r.as_slice(),
            [Ok(_), Err(CaptureError::TimeWentBack { .. })]
        ));
        let data = capture(&[(Direction::FromModem, 5, b"abc")]);
        let r: Vec<_> = CaptureReader::new(&data[..data.len() - 2])
            .unwrap()
            .collect();
        assert!(matches!(
            r.as_slice(),
            [Err(CaptureError::Truncated { .. })]
        ));
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut data = MAGIC.to_vec();
            data.extend(tail);
            for r in CaptureReader::new(&data).unwrap() {
                let _ = r;
            }
        }
    }
}
