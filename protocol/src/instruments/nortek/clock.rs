//! The Nortek `PdClock`: six BCD bytes in the order minute, second, day, hour, year, month.

use crate::time::UtcTime;

/// Decodes one BCD byte (`0x59` → 59); `None` if a nibble is above 9.
pub fn bcd(byte: u8) -> Option<u32> {
    let hi = byte >> 4;
    let lo = byte & 0x0F;
    (hi <= 9 && lo <= 9).then(|| u32::from(hi) * 10 + u32::from(lo))
}

/// Decodes a `PdClock` (minute, second, day, hour, year − 2000, month, all BCD) plus
/// `millis` into a UTC instant.
///
/// Promises: `None` if any byte is not BCD or the date/time is not a valid civil instant
/// (e.g. an unset clock of all zeros, month 0); never panics.
pub fn decode_clock(clock: [u8; 6], millis: u32) -> Option<UtcTime> {
    let [minute, second, day, hour, year, month] = clock;
    UtcTime::from_civil(
        2000 + i32::try_from(bcd(year)?).ok()?,
        bcd(month)?,
        bcd(day)?,
        bcd(hour)?,
        bcd(minute)?,
        bcd(second)?,
        millis,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_clock() {
        // instruments.md §3.3: the OOI driver record's clock 10 19 26 22 12 11
        // is 2012-11-26 22:10:19.
        let t = decode_clock([0x10, 0x19, 0x26, 0x22, 0x12, 0x11], 0);
        assert_eq!(t, UtcTime::from_civil(2012, 11, 26, 22, 10, 19, 0));
    }

    #[test]
    fn invalid_clocks() {
        assert_eq!(decode_clock([0; 6], 0), None);
        assert_eq!(decode_clock([0x1A, 0, 1, 0, 0, 1], 0), None);
        assert_eq!(decode_clock([0, 0, 0x31, 0, 0x13, 0x02], 0), None);
        assert_eq!(bcd(0x99), Some(99));
        assert_eq!(bcd(0xA0), None);
    }
}
