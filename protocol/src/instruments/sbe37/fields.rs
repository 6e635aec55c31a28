//! Small text helpers shared by the SBE 37 line decoders (numbers, dates, hex digits).

use crate::time::{month_from_abbrev, UtcTime};

/// Most comma-separated fields any SBE 37 line can carry (with margin).
pub(crate) const MAX_FIELDS: usize = 16;

/// The line without surrounding whitespace, CR/LF, NUL and XON/XOFF bytes.
pub(crate) fn clean_line(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || c == '\u{11}' || c == '\u{13}' || c == '\0')
}

/// Splits `line` on commas into trimmed fields; `None` if there are more than [`MAX_FIELDS`].
pub(crate) fn split_fields(line: &str) -> Option<heapless::Vec<&str, MAX_FIELDS>> {
    let mut out = heapless::Vec::new();
    for f in line.split(',') {
        out.push(f.trim()).ok()?;
    }
    Some(out)
}

/// A finite decimal number written with digits, sign, point and exponent only
/// (rejects `inf`, `NaN` and anything else `f64::from_str` would also take).
pub(crate) fn parse_f64(s: &str) -> Option<f64> {
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Number of digits after the decimal point (0 when there is no point).
pub(crate) fn decimals(s: &str) -> usize {
    s.split_once('.').map_or(0, |(_, frac)| frac.len())
}

/// An unsigned decimal integer made only of ASCII digits.
pub(crate) fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `dd mmm yyyy` (e.g. `07 Jan 2000`) into (year, month, day).
pub(crate) fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut it = s.split_whitespace();
    let day = parse_u32(it.next()?)?;
    let month = month_from_abbrev(it.next()?)?;
    let year = parse_u32(it.next()?)?;
    if it.next().is_some() || !(1..=9999).contains(&year) {
        return None;
    }
    Some((i32::try_from(year).ok()?, month, day))
}

/// Parses `hh:mm:ss` into (hour, minute, second).
pub(crate) fn parse_clock(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.split(':');
    let h = parse_u32(it.next()?)?;
    let m = parse_u32(it.next()?)?;
    let sec = parse_u32(it.next()?)?;
    if it.next().is_some() {
        return None;
    }
    Some((h, m, sec))
}

/// Combines a `dd mmm yyyy` date field and an `hh:mm:ss` time field into a UTC instant.
pub(crate) fn parse_date_time(date: &str, clock: &str) -> Option<UtcTime> {
    let (y, mo, d) = parse_date(date)?;
    let (h, mi, s) = parse_clock(clock)?;
    UtcTime::from_civil(y, mo, d, h, mi, s, 0)
}

/// The value of one ASCII hex digit.
pub(crate) fn hex_digit(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

/// Big-endian value of up to 8 ASCII hex digits; `None` on a non-hex byte or more than 8.
pub(crate) fn hex_u32(digits: &[u8]) -> Option<u32> {
    if digits.len() > 8 {
        return None;
    }
    digits
        .iter()
        .try_fold(0u32, |acc, &b| Some((acc << 4) | hex_digit(b)?))
}

/// The instant `secs` seconds after 2000-01-01T00:00:00Z (Sea-Bird's hex time epoch).
pub(crate) fn time_since_2000(secs: u32) -> UtcTime {
    UtcTime::from_unix_seconds(crate::time::SECONDS_1970_TO_2000 + i64::from(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(parse_f64(" 1.5".trim()), Some(1.5));
        assert_eq!(parse_f64("inf"), None);
        assert_eq!(parse_f64("NaN"), None);
        assert_eq!(decimals("-9.262"), 3);
        assert_eq!(parse_date("07 Jan 2000"), Some((2000, 1, 7)));
        assert_eq!(parse_clock("04:51:39"), Some((4, 51, 39)));
        assert_eq!(hex_u32(b"09B9FD"), Some(637437));
        assert_eq!(hex_u32(b"0G"), None);
        assert_eq!(clean_line("\u{13}\u{11} 1,2\r\n"), "1,2");
    }
}
