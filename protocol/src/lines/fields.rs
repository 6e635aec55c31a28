//! Field helpers for ASCII instrument lines: separators, tokens, plain numbers, searching.
//!
//! Numbers are accepted only in the plain decimal form instruments print
//! (`-12`, `3.5`, `+0.087`, `.5`, `7.`): no exponent, `inf` or `NaN`, so a corrupted
//! field is rejected instead of being read as something else.

/// XON (DC1, 0x11): flow-control byte some instruments send on waking.
pub const XON: u8 = 0x11;
/// XOFF (DC3, 0x13): flow-control byte some instruments send before sleeping.
pub const XOFF: u8 = 0x13;

/// Whether `b` separates fields in a whitespace-separated line: space, TAB, CR, LF, XON, XOFF.
///
/// XON/XOFF are sent by the instrument's UART between lines, never inside a value, so they
/// are treated as blank.
pub const fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | XON | XOFF)
}

/// `line` without leading and trailing [`is_blank`] bytes.
pub fn trim_blank(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|&b| !is_blank(b))
        .unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|&b| !is_blank(b))
        .map_or(start, |p| p + 1);
    line.get(start..end).unwrap_or(&[])
}

/// The non-empty runs of non-[`is_blank`] bytes of `line`, in order.
pub fn tokens(line: &[u8]) -> impl Iterator<Item = &[u8]> + Clone {
    line.split(|&b| is_blank(b)).filter(|t| !t.is_empty())
}

/// The first position of `needle` in `haystack` (`None` for an empty needle).
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses a plain decimal number `[+-]digits[.digits]` (digits on at least one side of the
/// point); `None` for anything else, including blanks, exponents, `inf` and `NaN`.
pub fn parse_decimal(token: &[u8]) -> Option<f64> {
    let unsigned = match token.first() {
        Some(b'+' | b'-') => token.get(1..)?,
        _ => token,
    };
    let mut digits = 0usize;
    let mut points = 0usize;
    for &b in unsigned {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' => points += 1,
            _ => return None,
        }
    }
    if digits == 0 || points > 1 {
        return None;
    }
    core::str::from_utf8(token).ok()?.parse::<f64>().ok()
}

/// Parses an unsigned decimal integer of ASCII digits only; `None` if empty, not digits, or
/// larger than `u32::MAX`.
pub fn parse_u32(token: &[u8]) -> Option<u32> {
    if token.is_empty() {
        return None;
    }
    token.iter().try_fold(0u32, |acc, &b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u32::from(b - b'0'))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal(b"-0.087"), Some(-0.087));
        assert_eq!(parse_decimal(b"+12"), Some(12.0));
        assert_eq!(parse_decimal(b".5"), Some(0.5));
        assert_eq!(parse_decimal(b"7."), Some(7.0));
        for bad in [
            &b""[..],
            b"-",
            b".",
            b"1.2.3",
            b"1e5",
            b"inf",
            b"NaN",
            b"155.y123",
            b"--1",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn integers() {
        assert_eq!(parse_u32(b"0379"), Some(379));
        assert_eq!(parse_u32(b"4294967295"), Some(u32::MAX));
        assert_eq!(parse_u32(b"4294967296"), None);
        assert_eq!(parse_u32(b"-1"), None);
        assert_eq!(parse_u32(b""), None);
    }

    #[test]
    fn tokens_and_trim() {
        let t: Vec<&[u8]> = tokens(b"\x13\x11 a\t\tbc  d \r\n").collect();
        assert_eq!(t, [&b"a"[..], b"bc", b"d"]);
        assert_eq!(trim_blank(b"\t x y \r"), b"x y");
        assert_eq!(trim_blank(b" \t "), b"");
        assert_eq!(find(b"abcabc", b"ca"), Some(2));
        assert_eq!(find(b"ab", b"abc"), None);
    }
}
