//! The prefix a data logger (e.g. an OOI data concentrator) writes in front of each line:
//! `YYYY/MM/DD HH:MM:SS.mmm ` (UTC), optionally followed by a source tag `[name:port]:`
//! on the logger's own status lines and on records that came in right after a power cycle:
//!
//! ```text
//! 2015/03/30 00:00:15.376 4831\t379\t354.255\t...
//! 2015/03/30 00:00:08.528 [dosta1:DLOGP4]:Instrument Started [Power On]
//! ```

use crate::time::UtcTime;

/// Length of `YYYY/MM/DD HH:MM:SS.mmm`.
const STAMP_LEN: usize = 23;
/// Longest source tag looked for, brackets included.
const MAX_TAG_LEN: usize = 64;

/// A line split into its logger prefix and the instrument's own bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoggerLine<'a> {
    /// The logger's timestamp, when the line starts with one.
    pub time: Option<UtcTime>,
    /// The source tag between `[` and `]:` (e.g. `dosta1:DLOGP4`), when present after a
    /// timestamp.
    pub tag: Option<&'a [u8]>,
    /// Everything after the prefix (the whole line when there is none).
    pub payload: &'a [u8],
}

/// Why a logger prefix was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LoggerError {
    /// The line starts with the shape of a logger timestamp whose date or time is impossible
    /// (month 13, 25 o'clock, ...).
    #[error("logger timestamp has the right shape but is not a valid date and time")]
    InvalidTimestamp,
}

/// Splits off a logger prefix. A line that does not start with the timestamp shape has no
/// prefix (`time: None`, the whole line as payload); one that has the shape but an impossible
/// date is an error. Never panics.
pub fn split(line: &[u8]) -> Result<LoggerLine<'_>, LoggerError> {
    let no_prefix = LoggerLine {
        time: None,
        tag: None,
        payload: line,
    };
    let Some(stamp) = line.get(..STAMP_LEN) else {
        return Ok(no_prefix);
    };
    let Some(fields) = stamp_fields(stamp) else {
        return Ok(no_prefix);
    };
    let [year, month, day, hour, minute, second, milli] = fields;
    let year = i32::try_from(year).map_err(|_| LoggerError::InvalidTimestamp)?;
    let time = UtcTime::from_civil(year, month, day, hour, minute, second, milli)
        .ok_or(LoggerError::InvalidTimestamp)?;
    let rest = line.get(STAMP_LEN..).unwrap_or(&[]);
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let (tag, payload) = split_tag(rest);
    Ok(LoggerLine {
        time: Some(time),
        tag,
        payload,
    })
}

/// Where the next logger line starts inside `line`: the position, after the first byte, of
/// the next `YYYY/MM/DD HH:MM:SS.mmm` shape (valid date or not), or `None`.
///
/// A data logger starts every line it writes with its timestamp, so a timestamp inside a
/// line means the newline in front of it was lost (a record without its CR LF, a status
/// line, garbage) and what follows is a line of its own, with its own time. Linear in the
/// line length; never panics.
pub fn next_stamp(line: &[u8]) -> Option<usize> {
    (1..line.len()).find(|&at| {
        line.get(at..at + STAMP_LEN)
            .is_some_and(|s| stamp_fields(s).is_some())
    })
}

/// The numeric fields of `YYYY/MM/DD HH:MM:SS.mmm`, or `None` if `stamp` has another shape.
fn stamp_fields(stamp: &[u8]) -> Option<[u32; 7]> {
    const SHAPE: &[u8; STAMP_LEN] = b"dddd/dd/dd dd:dd:dd.ddd";
    let mut fields = [0u32; 7];
    let mut index = 0usize;
    for (&b, &want) in stamp.iter().zip(SHAPE.iter()) {
        if want == b'd' {
            if !b.is_ascii_digit() {
                return None;
            }
            let field = fields.get_mut(index)?;
            *field = *field * 10 + u32::from(b - b'0');
        } else if b == want {
            index += 1;
        } else {
            return None;
        }
    }
    Some(fields)
}

/// Splits `[tag]:` off the front of `rest`, if it is there.
fn split_tag(rest: &[u8]) -> (Option<&[u8]>, &[u8]) {
    let Some(inner) = rest.strip_prefix(b"[") else {
        return (None, rest);
    };
    let window = inner.get(..MAX_TAG_LEN).unwrap_or(inner);
    match super::fields::find(window, b"]:") {
        Some(end)
            if inner
                .get(..end)
                .is_some_and(|t| t.iter().all(u8::is_ascii_graphic)) =>
        {
            (inner.get(..end), inner.get(end + 2..).unwrap_or(&[]))
        }
        _ => (None, rest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_and_tag() {
        let l = split(b"2015/03/30 00:00:08.528 [dosta1:DLOGP4]:Instrument Started").unwrap();
        assert_eq!(l.time, UtcTime::from_civil(2015, 3, 30, 0, 0, 8, 528));
        assert_eq!(l.tag, Some(&b"dosta1:DLOGP4"[..]));
        assert_eq!(l.payload, b"Instrument Started");
    }

    #[test]
    fn timestamp_without_tag() {
        let l = split(b"2015/03/30 00:00:15.376 4831\t379").unwrap();
        assert_eq!(l.time, UtcTime::from_civil(2015, 3, 30, 0, 0, 15, 376));
        assert_eq!(l.tag, None);
        assert_eq!(l.payload, b"4831\t379");
    }

    #[test]
    fn no_prefix_and_bad_prefix() {
        let l = split(b"MEASUREMENT\t4531").unwrap();
        assert_eq!((l.time, l.payload), (None, &b"MEASUREMENT\t4531"[..]));
        assert_eq!(
            split(b"2015/13/30 00:00:15.376 x"),
            Err(LoggerError::InvalidTimestamp)
        );
        assert_eq!(split(b"2015/03/30 00:00:15").unwrap().time, None);
    }

    #[test]
    fn embedded_stamps() {
        let glued = b"2015/03/30 00:00:15.376 4831\t379\t1.5\xff2015/03/30 00:00:17.375 4831";
        assert_eq!(next_stamp(glued), Some(37));
        assert_eq!(next_stamp(&glued[37..]), None);
        assert_eq!(next_stamp(b"x2015/13/99 99:00:17.375"), Some(1));
        assert_eq!(next_stamp(b"x2015/03/30 00:00:17.37"), None);
        assert_eq!(next_stamp(b""), None);
    }
}
