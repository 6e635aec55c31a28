//! The daily CSV: a header per product and QC configuration ([`schema::csv_columns`]),
//! fixed decimals per column, empty cells for missing values, `_QC` columns as OceanSITES
//! codes and per-test columns as QARTOD codes. It is also the day's store: [`parse`] reads
//! back the measured values (the columns after them may change with the QC
//! configuration), so a day can be rebuilt from its own CSV.

use super::day::DayTable;
use super::meta::Series;
use super::schema;
use crate::names::safe_part;
use crate::qc::QcConfig;
use crate::science::{round, Product, Sample, MAX_MEASURED};
use protocol::time::UtcTime;
use std::fmt::Write as _;

/// Decimals of the latitude/longitude columns.
pub const LATLON_DECIMALS: u8 = 6;
/// Decimals of `sensor_theoric_depth`.
pub const NOMINAL_DEPTH_DECIMALS: u8 = 2;

fn cell(v: Option<f64>, decimals: u8) -> String {
    let mut s = String::new();
    if let Some(x) = v {
        push_fixed(&mut s, x, decimals);
    }
    s
}

/// Powers of ten up to the most decimals [`push_fixed`] formats itself.
const POW10: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/// Appends `x` with exactly `decimals` decimals: the text of `format!("{x:.decimals$}")`,
/// from the integer `round(x·10^decimals)` when that is provably the same rounding (the
/// product is exact to better than 1.2e-4 below 1e12, so unless it lies that close to a
/// half its rounding is that of the exact decimal value), else through `format!`.
fn push_fixed(out: &mut String, x: f64, decimals: u8) {
    let d = usize::from(decimals);
    let Some(&scale) = POW10.get(d) else {
        let _ = write!(out, "{x:.d$}");
        return;
    };
    let scaled = x * scale;
    let half_distance = ((scaled - scaled.trunc()).abs() - 0.5).abs();
    if !(scaled.abs() < 1e12 && half_distance > 1e-3) {
        let _ = write!(out, "{x:.d$}");
        return;
    }
    // |scaled| < 1e12 < 2^63: the cast is exact
    let m = scaled.round().abs() as u64;
    if x.is_sign_negative() {
        out.push('-');
    }
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(m);
    if d == 0 {
        out.push_str(digits);
    } else if digits.len() > d {
        let (int, frac) = digits.split_at(digits.len() - d);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', d - digits.len()));
        out.push_str(digits);
    }
}

/// Appends a one-digit flag code (every OceanSITES and QARTOD code is one digit).
fn push_code(out: &mut String, code: i16) {
    match u32::try_from(code)
        .ok()
        .and_then(|c| char::from_digit(c, 10))
    {
        Some(c) => out.push(c),
        None => {
            let _ = write!(out, "{code}");
        }
    }
}

/// The CSV text of a day of `series`, whose flags were computed with `qc`.
pub fn render(series: &Series, table: &DayTable, qc: &QcConfig) -> String {
    let product = series.product;
    let nvars = product.vars.len();
    let tests = schema::test_columns(product, qc);
    let mut out = schema::csv_columns(product, qc).join(",");
    out.push('\n');
    let station = series.station_id();
    let lat = cell(round(series.latitude, LATLON_DECIMALS), LATLON_DECIMALS);
    let lon = cell(round(series.longitude, LATLON_DECIMALS), LATLON_DECIMALS);
    let depth = cell(
        round(series.nominal_depth_m, NOMINAL_DEPTH_DECIMALS),
        NOMINAL_DEPTH_DECIMALS,
    );
    let serial = safe_part(&series.serial);
    for r in &table.rows {
        let _ = write!(out, "{station},{lat},{lon},{},{depth},{serial}", r.time);
        for (v, spec) in r.values.iter().zip(product.vars) {
            out.push(',');
            if let Some(x) = v {
                push_fixed(&mut out, *x, spec.decimals);
            }
        }
        for f in r.flags.iter().take(nvars) {
            out.push(',');
            push_code(&mut out, f.to_oceansites().into());
        }
        out.push(',');
        push_code(&mut out, r.aggregate.to_oceansites().into());
        for &(k, t) in &tests {
            let f = r
                .tests
                .get(k)
                .and_then(|f| f.get(t.index()))
                .copied()
                .flatten();
            out.push(',');
            push_code(&mut out, f.map_or(9, |f| f.code()).into());
        }
        out.push('\n');
    }
    out
}

/// Why a CSV could not be read back.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CsvError {
    /// The header is not this writer's (another schema, or not our file).
    #[error("unexpected CSV header (not a daily file of this schema)")]
    Header,
}

/// What [`parse`] read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    /// The samples of the well-formed rows.
    pub samples: Vec<Sample>,
    /// 1-based line numbers of rows that could not be read (wrong cell count, bad time or
    /// number).
    pub bad_lines: Vec<usize>,
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.mmm]Z` (what [`UtcTime`]'s `Display` prints).
pub fn parse_time(s: &str) -> Option<UtcTime> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
        return None;
    }
    let ms = match b.len() {
        20 if sep(19, b'Z') => 0,
        24 if sep(19, b'.') && sep(23, b'Z') => num(20..23)?,
        _ => return None,
    };
    let year = i32::try_from(num(0..4)?).ok()?;
    UtcTime::from_civil(
        year,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
        ms,
    )
}

/// The rows of the daily CSV at `path` (none when it does not exist or has no `time`
/// column): the time and, per name of `columns`, that column's number (`None` where it is
/// empty, not a number, or the file has no such column). Rows without a time are skipped.
pub fn read_columns(
    path: &std::path::Path,
    columns: &[&str],
) -> std::io::Result<Vec<(UtcTime, Vec<Option<f64>>)>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name);
    let Some(time) = column("time") else {
        return Ok(Vec::new());
    };
    let wanted: Vec<Option<usize>> = columns.iter().map(|c| column(c)).collect();
    let mut rows = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let Some(t) = cells.get(time).and_then(|c| parse_time(c)) else {
            continue;
        };
        let values = wanted
            .iter()
            .map(|k| k.and_then(|k| cells.get(k)?.parse::<f64>().ok()))
            .collect();
        rows.push((t, values));
    }
    Ok(rows)
}

/// Reads the measured values back from a daily CSV of `product` written by [`render`],
/// whatever QC configuration wrote it (its header must start with the identity columns
/// and the product's measured variables).
pub fn parse(product: &Product, text: &str) -> Result<Parsed, CsvError> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let expected = schema::id_columns(product)
        .into_iter()
        .chain(product.measured_vars().iter().map(|v| v.name));
    let width = schema::id_columns(product).len() + product.measured;
    if header.len() < width || !expected.zip(&header).all(|(a, b)| a == *b) {
        return Err(CsvError::Header);
    }
    let columns = header;
    let time_col = 3;
    let first_input = 6;
    let mut out = Parsed::default();
    for (i, line) in lines.enumerate() {
        if line.is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').collect();
        let row = (|| {
            if cells.len() != columns.len() {
                return None;
            }
            let time = parse_time(cells.get(time_col)?)?;
            let mut inputs = [None; MAX_MEASURED];
            for (k, slot) in inputs.iter_mut().enumerate().take(product.measured) {
                let c = cells.get(first_input + k)?;
                if !c.is_empty() {
                    *slot = Some(c.parse::<f64>().ok().filter(|x| x.is_finite())?);
                }
            }
            Some(Sample::new(product, time, &inputs))
        })();
        match row {
            Some(s) => out.samples.push(s),
            None => out.bad_lines.push(i + 2),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fixed_cells_are_rusts_formatting(
            x in prop_oneof![
                any::<f64>(),
                -1e13f64..1e13,
                (-100_000i64..100_000, 0u32..9).prop_map(|(k, d)| k as f64 / 10f64.powi(d as i32)),
                (-100_000i64..100_000, 0u32..9)
                    .prop_map(|(k, d)| (k as f64 + 0.5) / 10f64.powi(d as i32)),
            ],
            d in 0u8..12,
        ) {
            let mut s = String::new();
            super::push_fixed(&mut s, x, d);
            prop_assert_eq!(s, format!("{:.*}", usize::from(d), x));
        }
    }

    #[test]
    fn fixed_cells_of_special_values() {
        for x in [
            0.0,
            -0.0,
            -0.001,
            0.005,
            2.5,
            -2.5,
            1e300,
            f64::NAN,
            f64::INFINITY,
            -1e-300,
        ] {
            for d in 0u8..10 {
                let mut s = String::new();
                super::push_fixed(&mut s, x, d);
                assert_eq!(s, format!("{:.*}", usize::from(d), x), "{x} {d}");
            }
        }
    }

    use super::*;

    /// Arbitrary text never panics the reader (a damaged CSV is reported, not fatal).
    #[test]
    fn arbitrary_text_never_panics() {
        let product = &crate::science::MICROCAT;
        let header = schema::csv_columns(product, &crate::science::default_qc()).join(",");
        let alphabet = b"0123456789,.-:TZe\n\r\" x";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for case in 0..2000 {
            let len = case % 300;
            let mut body = String::new();
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let i = (seed % alphabet.len() as u64) as usize;
                body.push(char::from(alphabet[i]));
            }
            let _ = parse(product, &body);
            let _ = parse(product, &format!("{header}\n{body}"));
            let _ = parse_time(&body);
            let mut bytes = body.into_bytes();
            let _ = crate::dailyfiles::padding::zero_attribute_padding(&mut bytes);
            bytes.splice(0..0, b"CDF\x01\0\0\0\0".iter().copied());
            let _ = crate::dailyfiles::padding::zero_attribute_padding(&mut bytes);
        }
    }

    #[test]
    fn time_round_trip() {
        for ms in [0i64, 1_772_323_200_000, 1_772_323_200_123] {
            let t = UtcTime(ms);
            assert_eq!(parse_time(&t.to_string()), Some(t));
        }
        for bad in [
            "",
            "2026-03-01",
            "2026-03-01T00:00:00",
            "2026-13-01T00:00:00Z",
            "2026-03-01T00:00:00.1Z",
            "+026-03-01T00:00:00Z",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
