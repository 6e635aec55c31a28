//! UTC time without a clock: the protocol never reads the time, it is handed it.
//!
//! [`UtcTime`] is a count of milliseconds since 1970-01-01T00:00:00Z (no leap seconds,
//! as in POSIX time). Civil-date conversions use Howard Hinnant's `days_from_civil`
//! algorithm, exact for every date in the proleptic Gregorian calendar.

use core::fmt;

/// A UTC instant with millisecond resolution, as milliseconds since the Unix epoch.
///
/// Promises: ordering and arithmetic are those of the underlying integer; `Display`
/// prints RFC 3339 (`2014-07-02T00:00:00Z`, with `.mmm` only when the millis are not 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UtcTime(pub i64);

/// Seconds from 1970-01-01 to 2000-01-01, the epoch of Sea-Bird's hex time fields.
pub const SECONDS_1970_TO_2000: i64 = 946_684_800;

impl UtcTime {
    /// The instant `secs` whole seconds after the Unix epoch.
    pub const fn from_unix_seconds(secs: i64) -> Self {
        UtcTime(secs * 1000)
    }

    /// The instant `millis` milliseconds after the Unix epoch.
    pub const fn from_unix_millis(millis: i64) -> Self {
        UtcTime(millis)
    }

    /// Whole seconds since the Unix epoch (rounded towards minus infinity).
    pub const fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.0
    }

    /// Builds an instant from a civil UTC date and time; `None` if any field is out of range
    /// (month 1–12, day valid for that month, hour < 24, minute < 60, second < 60, milli < 1000).
    pub fn from_civil(
        year: i32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        milli: u32,
    ) -> Option<Self> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
            || milli > 999
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let secs =
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        Some(UtcTime(secs * 1000 + i64::from(milli)))
    }

    /// The civil UTC fields of this instant: (year, month, day, hour, minute, second, milli).
    pub fn to_civil(self) -> (i32, u32, u32, u32, u32, u32, u32) {
        let millis = self.0.rem_euclid(1000) as u32;
        let secs = self.0.div_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, sod / 3600, (sod / 60) % 60, sod % 60, millis)
    }
}

impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s, ms) = self.to_civil();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")?;
        if ms != 0 {
            write!(f, ".{ms:03}")?;
        }
        f.write_str("Z")
    }
}

/// Whether `year` is a Gregorian leap year.
pub const fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in `month` (1–12) of `year`; 0 for an invalid month.
pub const fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Parses an English three-letter month abbreviation (`Jan` … `Dec`, any case) to 1–12.
pub fn month_from_abbrev(s: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    NAMES
        .iter()
        .position(|n| n.eq_ignore_ascii_case(s))
        .map(|i| i as u32 + 1)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
pub const fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = year as i64 - if month <= 2 { 1 } else { 0 };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date (year, month, day) of a count of days since 1970-01-01.
pub const fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((y + if m <= 2 { 1 } else { 0 }) as i32, m, d)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    #[test]
    fn known_instants() {
        assert_eq!(
            UtcTime::from_civil(2000, 1, 1, 0, 0, 0, 0),
            Some(UtcTime::from_unix_seconds(SECONDS_1970_TO_2000))
        );
        let t = UtcTime::from_civil(2014, 7, 2, 13, 5, 9, 250).unwrap();
        assert_eq!(t.to_string(), "2014-07-02T13:05:09.250Z");
        assert_eq!(
            UtcTime::from_unix_seconds(0).to_string(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(UtcTime::from_civil(2023, 2, 29, 0, 0, 0, 0), None);
        assert_eq!(month_from_abbrev("Jul"), Some(7));
        assert_eq!(month_from_abbrev("xyz"), None);
    }

    #[test]
    fn civil_round_trip_over_centuries() {
        for days in (-800_000i64..800_000).step_by(37) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
