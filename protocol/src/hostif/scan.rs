//! Byte-level helpers shared by both parsers: comma-separated fields, numbers, keywords and
//! resynchronisation scans. Nothing here indexes out of bounds or allocates.

use core::str::FromStr;

use super::error::HostParseError;

/// Start of every data-mode frame, in both directions.
pub(crate) const FRAME_START: &[u8] = b"+++AT";

/// Longest header field accepted (a 64-bit number has 20 digits; floats a few more).
pub(crate) const MAX_FIELD: usize = 24;

/// Message starts that the modem → host parser resynchronises on when they appear inside a
/// line (junk glued in front of a message). Only forms that cannot occur inside ordinary text
/// replies are listed (a keyword followed by its comma).
pub(crate) const MODEM_RESYNC: &[&[u8]] = &[
    b"+++AT",
    b"RECVIM,",
    b"RECVIMS,",
    b"RECVPBM,",
    b"RECV,",
    b"RECVSTART",
    b"RECVEND,",
    b"RECVFAILED,",
    b"DELIVEREDIM,",
    b"DELIVERED,",
    b"FAILEDIM,",
    b"FAILED,",
    b"CANCELEDIM,",
    b"CANCELEDIMS,",
    b"CANCELEDPBM,",
    b"EXPIREDIMS",
    b"SENDSTART,",
    b"SENDEND,",
    b"USBLLONG,",
    b"USBLANGLES,",
    b"USBLPHYD,",
    b"USBLPHYP,",
    b"BITRATE,",
    b"SRCLEVEL,",
    b"DROPCNT,",
];

/// Resynchronisation points inside a data-mode stream: only a new frame.
pub(crate) const FRAME_RESYNC: &[&[u8]] = &[FRAME_START];

/// Why a partial parse stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The bytes so far are a valid prefix; more are needed to decide.
    NeedMore,
    /// The bytes can never become a valid message.
    Bad(HostParseError),
}

impl From<HostParseError> for Stop {
    fn from(e: HostParseError) -> Self {
        Stop::Bad(e)
    }
}

/// Result of a partial parse.
pub(crate) type R<T> = Result<T, Stop>;

/// How lines end in a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eol {
    /// Only CR LF ends a line (modem output).
    CrLf,
    /// CR or LF ends a line (host commands: `\n` over TCP, `\r` over serial); the LF of a
    /// CR LF is then an empty line.
    Any,
}

/// What a resynchronisation scan found first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scan {
    /// A line end starting at the index, of the given length.
    LineEnd(usize, usize),
    /// A known message start at the index (always ≥ the scan's `kw_from`).
    Keyword(usize),
}

/// Whether `b` has one of `keywords` starting at `i`.
pub(crate) fn keyword_at(b: &[u8], i: usize, keywords: &[&[u8]]) -> bool {
    let rest = b.get(i..).unwrap_or(&[]);
    keywords.iter().any(|k| rest.starts_with(k))
}

/// Where to start looking for a resynchronisation keyword inside the line at the front of `b`:
/// after the line's own keyword (so `RECVFAILED,` is not cut at `FAILED,`), and at least 1.
pub(crate) fn own_keyword_len(b: &[u8], keywords: &[&[u8]]) -> usize {
    keywords
        .iter()
        .filter(|k| b.starts_with(k))
        .map(|k| k.len())
        .max()
        .unwrap_or(0)
        .max(1)
}

/// First line end (at any index) or keyword (at index ≥ `kw_from`) in `b`, whichever comes
/// first; `None` if neither is complete yet.
pub(crate) fn scan(b: &[u8], kw_from: usize, keywords: &[&[u8]], eol: Eol) -> Option<Scan> {
    for (i, &c) in b.iter().enumerate() {
        match eol {
            Eol::CrLf if c == b'\r' && b.get(i + 1) == Some(&b'\n') => {
                return Some(Scan::LineEnd(i, 2))
            }
            // Always one byte: whether a LF follows a CR may not be known yet, and the caller
            // skips that LF as an empty line, so the result never depends on read boundaries.
            Eol::Any if c == b'\r' || c == b'\n' => return Some(Scan::LineEnd(i, 1)),
            _ => {}
        }
        if i >= kw_from && keyword_at(b, i, keywords) {
            return Some(Scan::Keyword(i));
        }
    }
    None
}

/// Index of the first occurrence of `pat` in `b`.
pub(crate) fn find(b: &[u8], pat: &[u8]) -> Option<usize> {
    if pat.is_empty() {
        return Some(0);
    }
    b.windows(pat.len()).position(|w| w == pat)
}

/// How many bytes at the front of data-mode `b` are burst data: up to the next `+++AT`, less
/// a tail that may start one (unless the stream ended).
pub(crate) fn raw_len(b: &[u8], eof: bool) -> usize {
    match find(b, FRAME_START) {
        Some(k) => k,
        None if eof => b.len(),
        None => b.len() - partial_suffix(b, FRAME_START),
    }
}

/// Length of the longest proper prefix of `pat` that ends `b` (bytes to hold back because
/// they may start `pat` once more bytes arrive).
pub(crate) fn partial_suffix(b: &[u8], pat: &[u8]) -> usize {
    let max = pat.len().saturating_sub(1).min(b.len());
    (1..=max)
        .rev()
        .find(|&k| pat.starts_with(b.get(b.len() - k..).unwrap_or(&[])))
        .unwrap_or(0)
}

/// `b` as text: valid UTF-8 without control characters other than TAB.
pub(crate) fn as_text(b: &[u8]) -> Option<&str> {
    let s = core::str::from_utf8(b).ok()?;
    if s.chars().any(|c| c.is_control() && c != '\t') {
        None
    } else {
        Some(s)
    }
}

/// Reader of comma-terminated header fields.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a> {
    b: &'a [u8],
    pos: usize,
    /// `true` when `b` is the whole message (a frame body): running out is then an error.
    complete: bool,
    message: &'static str,
}

impl<'a> Fields<'a> {
    /// Reader over `b` starting at `pos`, naming `message` in errors.
    pub(crate) fn new(b: &'a [u8], pos: usize, complete: bool, message: &'static str) -> Self {
        Fields {
            b,
            pos,
            complete,
            message,
        }
    }

    /// Index just after the last field's comma.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The next field (without its terminating comma).
    pub(crate) fn next(&mut self, field: &'static str) -> R<&'a [u8]> {
        let rest = self.b.get(self.pos..).unwrap_or(&[]);
        for (i, &c) in rest.iter().enumerate().take(MAX_FIELD + 1) {
            match c {
                b',' => {
                    self.pos += i + 1;
                    return Ok(rest.get(..i).unwrap_or(&[]));
                }
                b'\r' | b'\n' => return Err(self.missing(field)),
                _ => {}
            }
        }
        if rest.len() > MAX_FIELD {
            Err(Stop::Bad(HostParseError::FieldTooLong {
                message: self.message,
                field,
            }))
        } else if self.complete {
            Err(self.missing(field))
        } else {
            Err(Stop::NeedMore)
        }
    }

    fn missing(&self, field: &'static str) -> Stop {
        Stop::Bad(HostParseError::MissingField {
            message: self.message,
            field,
        })
    }
}

/// Whether `f` is a non-empty run of ASCII digits.
pub(crate) fn is_digits(f: &[u8]) -> bool {
    !f.is_empty() && f.iter().all(u8::is_ascii_digit)
}

/// Parses an unsigned decimal field (digits only).
pub(crate) fn uint<T: FromStr>(
    f: &[u8],
    message: &'static str,
    field: &'static str,
) -> Result<T, HostParseError> {
    if !is_digits(f) {
        return Err(HostParseError::NotANumber { message, field });
    }
    parse_str(f, message, field)
}

/// Parses a signed decimal field (optional leading `-`, then digits).
pub(crate) fn int<T: FromStr>(
    f: &[u8],
    message: &'static str,
    field: &'static str,
) -> Result<T, HostParseError> {
    let digits = f.strip_prefix(b"-").unwrap_or(f);
    if !is_digits(digits) {
        return Err(HostParseError::NotANumber { message, field });
    }
    parse_str(f, message, field)
}

/// Parses a finite decimal float field (`0.0534`, `-1e-7`).
pub(crate) fn float(
    f: &[u8],
    message: &'static str,
    field: &'static str,
) -> Result<f32, HostParseError> {
    let ok_chars = f
        .iter()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !ok_chars || !f.iter().any(u8::is_ascii_digit) {
        return Err(HostParseError::NotANumber { message, field });
    }
    let s = core::str::from_utf8(f).map_err(|_| HostParseError::NotANumber { message, field })?;
    let v: f32 = s
        .parse()
        .map_err(|_| HostParseError::NotANumber { message, field })?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(HostParseError::OutOfRange { message, field })
    }
}

/// Digits already checked: the only failure left is overflow.
fn parse_str<T: FromStr>(
    f: &[u8],
    message: &'static str,
    field: &'static str,
) -> Result<T, HostParseError> {
    core::str::from_utf8(f)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(HostParseError::OutOfRange { message, field })
}

/// Reads the optional `p<pid>,` prefix and the `<len>` field of a `RECV*` notification or
/// an `AT*SEND*` command; refuses a length over the IM limit (the burst limit when `burst`).
pub(crate) fn pid_and_len(
    f: &mut Fields<'_>,
    kw: &'static str,
    burst: bool,
) -> R<(Option<u16>, usize)> {
    let mut first = f.next("len")?;
    let mut pid = None;
    if let Some(p) = first.strip_prefix(b"p") {
        pid = Some(uint::<u16>(p, kw, "pid")?);
        first = f.next("len")?;
    }
    let len: usize = uint(first, kw, "len")?;
    let max = if burst {
        super::MAX_BURST_PAYLOAD
    } else {
        super::MAX_IM_PAYLOAD
    };
    if len > max {
        return Err(Stop::Bad(super::error::HostParseError::LengthTooLarge {
            message: kw,
            len,
            max,
        }));
    }
    Ok((pid, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_suffix_holds_back_frame_prefixes() {
        assert_eq!(partial_suffix(b"12345+++", FRAME_START), 3);
        assert_eq!(partial_suffix(b"12345++++A", FRAME_START), 4);
        assert_eq!(partial_suffix(b"12345", FRAME_START), 0);
        assert_eq!(partial_suffix(b"+", FRAME_START), 1);
        assert_eq!(partial_suffix(b"", FRAME_START), 0);
    }

    #[test]
    fn numbers_are_strict() {
        assert_eq!(uint::<u8>(b"255", "X", "f"), Ok(255));
        assert!(matches!(
            uint::<u8>(b"256", "X", "f"),
            Err(HostParseError::OutOfRange { .. })
        ));
        assert!(matches!(
            uint::<u8>(b"+5", "X", "f"),
            Err(HostParseError::NotANumber { .. })
        ));
        assert_eq!(int::<i16>(b"-32", "X", "f"), Ok(-32));
        assert_eq!(float(b"0.0534", "X", "f"), Ok(0.0534));
        assert!(float(b"inf", "X", "f").is_err());
        assert!(float(b"1e99", "X", "f").is_err());
    }
}
