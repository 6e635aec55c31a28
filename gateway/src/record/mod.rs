//! The gateway's record: one decoded measurement (or configuration) in the JSON form of the
//! brief (§4), shared by every output (`decode`, MQTT, the JSON-lines files, the daily files).
//!
//! A [`Record`] is `"type"`, `"time"` (RFC 3339 UTC), `"serial"`, then named fields in the
//! order they were pushed. Field names are snake_case with the unit as suffix
//! (`temperature_c`, `pressure_dbar`, …). `time` and `serial` are left out of the JSON when
//! the source does not carry them (a C-Star line has no clock, an OOI CT record no serial).
//!
//! Decoders push the measured fields; on the live path (`run`, `demo`, `replay`) the
//! pipeline's enrichment stage ([`crate::pipeline::enrich`]) then appends the derived
//! variables (`salinity_psu`, `depth_m`, …) and last the `qc` object ([`Value::Map`]), so a
//! live record reads `type, time, serial, measured…, derived…, qc`.

mod csv;
mod json;

use std::fmt::Write as _;

use protocol::time::UtcTime;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

pub use csv::{CsvRows, Shape};

/// One field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number printed in its shortest exact form.
    Float(f64),
    /// A number rounded to the given number of decimals (the instrument's resolution), so
    /// that `2.7118420000000001` prints as `2.711842`.
    Fixed(f64, u8),
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// An instant, printed as RFC 3339 UTC.
    Time(UtcTime),
    /// An array (per beam, per cell, …).
    List(Vec<Value>),
    /// A JSON object with keys in the given order (the per-variable `qc` flags). In CSV its
    /// members become columns `<name>_<key>`.
    Map(Vec<(&'static str, Value)>),
}

impl Value {
    /// The number this value carries (a float, a fixed-decimals float or an integer);
    /// `None` for any other value.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Float(x) | Value::Fixed(x, _) => Some(*x),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    /// The float rounded to `decimals` (at most 15); non-finite values are kept as they are
    /// (they print as JSON `null` and an empty CSV cell).
    fn rounded(v: f64, decimals: u8) -> f64 {
        if !v.is_finite() {
            return v;
        }
        let scale = 10f64.powi(i32::from(decimals.min(15)));
        let r = (v * scale).round() / scale;
        if r.is_finite() {
            r
        } else {
            v
        }
    }

    /// A list of rounded floats.
    pub fn fixed_list(values: &[f64], decimals: u8) -> Value {
        Value::List(values.iter().map(|&v| Value::Fixed(v, decimals)).collect())
    }

    /// A list of integers.
    pub fn int_list<T: Copy + Into<i64>>(values: &[T]) -> Value {
        Value::List(values.iter().map(|&v| Value::Int(v.into())).collect())
    }

    /// Appends the value as CSV cells to `cells` (arrays are flattened, see
    /// [`Record::csv_columns`]).
    fn push_csv_cells(&self, cells: &mut Vec<String>) {
        match self {
            Value::List(items) => items.iter().for_each(|v| v.push_csv_cells(cells)),
            Value::Map(members) => members.iter().for_each(|(_, v)| v.push_csv_cells(cells)),
            other => cells.push(other.csv_cell()),
        }
    }

    /// The value as one CSV cell (not for lists).
    fn csv_cell(&self) -> String {
        match self {
            Value::Float(v) if v.is_finite() => format!("{v}"),
            Value::Fixed(v, d) if v.is_finite() => format!("{}", Value::rounded(*v, *d)),
            Value::Float(_) | Value::Fixed(..) => String::new(),
            Value::Int(i) => i.to_string(),
            Value::Text(s) => csv_escape(s),
            Value::Bool(b) => b.to_string(),
            Value::Time(t) => t.to_string(),
            Value::List(_) | Value::Map(_) => String::new(),
        }
    }

    /// Column names for this value under `name`: `name` itself, or for arrays
    /// `name_1`, `name_2`, … (1-based, nested arrays give `name_1_2`), or for maps
    /// `name_<key>`.
    fn push_csv_names(&self, name: &str, names: &mut Vec<String>) {
        match self {
            Value::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    v.push_csv_names(&format!("{name}_{}", i + 1), names);
                }
            }
            Value::Map(members) => {
                for (key, v) in members {
                    v.push_csv_names(&format!("{name}_{key}"), names);
                }
            }
            _ => names.push(name.to_owned()),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Float(v) if v.is_finite() => s.serialize_f64(*v),
            Value::Fixed(v, d) if v.is_finite() => s.serialize_f64(Value::rounded(*v, *d)),
            Value::Float(_) | Value::Fixed(..) => s.serialize_none(),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Text(t) => s.serialize_str(t),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Time(t) => {
                let mut buf = [0u8; 24];
                match rfc3339(*t, &mut buf) {
                    Some(text) => s.serialize_str(text),
                    None => s.collect_str(t),
                }
            }
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Map(members) => {
                let mut map = s.serialize_map(Some(members.len()))?;
                for (key, v) in members {
                    map.serialize_entry(key, v)?;
                }
                map.end()
            }
        }
    }
}

/// `t` as RFC 3339 text, exactly as [`UtcTime`]'s `Display` prints it, written into `buf`
/// without the formatting machinery (records are written by the hundred thousand);
/// `None` for years outside 0–9999, which the caller prints with `Display`.
fn rfc3339(t: UtcTime, buf: &mut [u8; 24]) -> Option<&str> {
    let (y, mo, d, h, mi, s, ms) = t.to_civil();
    let y = u32::try_from(y).ok().filter(|y| *y <= 9999)?;
    let digits = |buf: &mut [u8], v: u32| {
        let mut v = v;
        for b in buf.iter_mut().rev() {
            // `v % 10` is a single digit, so the cast cannot truncate.
            *b = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    digits(&mut buf[0..4], y);
    buf[4] = b'-';
    digits(&mut buf[5..7], mo);
    buf[7] = b'-';
    digits(&mut buf[8..10], d);
    buf[10] = b'T';
    digits(&mut buf[11..13], h);
    buf[13] = b':';
    digits(&mut buf[14..16], mi);
    buf[16] = b':';
    digits(&mut buf[17..19], s);
    let end = if ms != 0 {
        buf[19] = b'.';
        digits(&mut buf[20..23], ms);
        23
    } else {
        19
    };
    buf[end] = b'Z';
    // Only ASCII digits and separators were written.
    std::str::from_utf8(&buf[..=end]).ok()
}

/// Appends `t` as RFC 3339 text, the same as its `Display` ([`rfc3339`] when it can).
fn write_time(out: &mut Vec<u8>, t: UtcTime) {
    let mut buf = [0u8; 24];
    match rfc3339(t, &mut buf) {
        Some(text) => out.extend_from_slice(text.as_bytes()),
        None => out.extend_from_slice(t.to_string().as_bytes()),
    }
}

/// Quotes a CSV cell when it holds a comma, quote or line break (RFC 4180).
fn csv_escape(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+00:00)` (RFC 3339 in UTC, as the gateway
/// prints it); fractions beyond milliseconds are truncated. `None` for anything else.
pub fn parse_time(s: &str) -> Option<UtcTime> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let d = b.get(r)?;
        d.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let sep = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let rest = b.get(19..)?;
    let (milli, zone) = match rest.first() {
        Some(b'.') => {
            let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            let mut ms = 0u32;
            for i in 0..3 {
                let d = if i < digits {
                    u32::from(rest[1 + i] - b'0')
                } else {
                    0
                };
                ms = ms * 10 + d;
            }
            (ms, &rest[1 + digits..])
        }
        _ => (0, rest),
    };
    if !matches!(zone, b"Z" | b"z" | b"+00:00") {
        return None;
    }
    UtcTime::from_civil(
        i32::try_from(year).ok()?,
        month,
        day,
        hour,
        minute,
        second,
        milli,
    )
}

/// One decoded record.
///
/// Promises: [`Record::to_json`] gives one line of JSON with the keys in the order
/// `type`, `time`, `serial`, then the fields in push order; field names are unique (a
/// second [`Record::push`] of a name replaces the first value).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Record type (`sbe37`, `aquadopp_velocity`, `optode`, `cstar`, …).
    pub kind: &'static str,
    /// Measurement time, when the source carries one.
    pub time: Option<UtcTime>,
    /// Instrument serial number, when known.
    pub serial: Option<String>,
    /// The other fields, in output order.
    pub fields: Vec<(&'static str, Value)>,
}

impl Record {
    /// An empty record of type `kind`.
    pub fn new(kind: &'static str, time: Option<UtcTime>, serial: Option<String>) -> Self {
        Record {
            kind,
            time,
            serial,
            // Most records have fewer fields: one allocation, no regrowth.
            fields: Vec::with_capacity(16),
        }
    }

    /// Adds (or replaces) a field.
    pub fn push(&mut self, name: &'static str, value: Value) -> &mut Self {
        match self.fields.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((name, value)),
        }
        self
    }

    /// Adds a field when `value` is `Some`.
    pub fn push_opt(&mut self, name: &'static str, value: Option<Value>) -> &mut Self {
        if let Some(v) = value {
            self.push(name, v);
        }
        self
    }

    /// Removes field `name`, returning its value if it was present (the other fields keep
    /// their order).
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let i = self.fields.iter().position(|(n, _)| *n == name)?;
        Some(self.fields.remove(i).1)
    }

    /// The value of field `name`, if present.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The record as one line of JSON (no trailing newline).
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(256);
        self.write_json(&mut out);
        // `write_json` writes JSON text, which is UTF-8.
        String::from_utf8(out).unwrap_or_default()
    }

    /// The CSV column names of this record: `type`, `time`, `serial` when present, then the
    /// fields, arrays flattened to `name_1`, `name_2`, … (nested: `name_<cell>_<beam>`).
    pub fn csv_columns(&self) -> Vec<String> {
        let mut names = vec!["type".to_owned()];
        if self.time.is_some() {
            names.push("time".to_owned());
        }
        if self.serial.is_some() {
            names.push("serial".to_owned());
        }
        for (name, value) in &self.fields {
            value.push_csv_names(name, &mut names);
        }
        names
    }

    /// The record's cells keyed by the names of [`Record::csv_columns`].
    pub fn csv_cells(&self) -> Vec<(String, String)> {
        let mut out = vec![("type".to_owned(), self.kind.to_owned())];
        if let Some(t) = self.time {
            out.push(("time".to_owned(), t.to_string()));
        }
        if let Some(s) = &self.serial {
            out.push(("serial".to_owned(), csv_escape(s)));
        }
        for (name, value) in &self.fields {
            let mut names = Vec::new();
            value.push_csv_names(name, &mut names);
            let mut cells = Vec::new();
            value.push_csv_cells(&mut cells);
            out.extend(names.into_iter().zip(cells));
        }
        out
    }

    /// One CSV row for the header `columns` (cells of absent columns are empty).
    pub fn csv_row(&self, columns: &[String]) -> String {
        let cells = self.csv_cells();
        let mut row = String::new();
        for (i, col) in columns.iter().enumerate() {
            if i > 0 {
                row.push(',');
            }
            if let Some((_, cell)) = cells.iter().find(|(n, _)| n == col) {
                let _ = write!(row, "{cell}");
            }
        }
        row
    }
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = 1
            + usize::from(self.time.is_some())
            + usize::from(self.serial.is_some())
            + self.fields.len();
        let mut map = s.serialize_map(Some(n))?;
        map.serialize_entry("type", self.kind)?;
        if let Some(t) = &self.time {
            map.serialize_entry("time", &Value::Time(*t))?;
        }
        if let Some(serial) = &self.serial {
            map.serialize_entry("serial", serial)?;
        }
        for (name, value) in &self.fields {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_key_order_and_rounding() {
        let t = UtcTime::from_civil(2017, 11, 10, 18, 0, 1, 0);
        let mut r = Record::new("sbe37", t, Some("3716125".into()));
        r.push("temperature_c", Value::Fixed(-1.911_812_345, 4))
            .push("conductivity_s_m", Value::Fixed(2.711_842_000_000_000_1, 6))
            .push("velocity_m_s", Value::fixed_list(&[0.591, -0.0001], 4))
            .push("bad", Value::Float(f64::NAN));
        assert_eq!(
            r.to_json(),
            r#"{"type":"sbe37","time":"2017-11-10T18:00:01Z","serial":"3716125","temperature_c":-1.9118,"conductivity_s_m":2.711842,"velocity_m_s":[0.591,-0.0001],"bad":null}"#
        );
    }

    #[test]
    fn absent_time_and_serial_are_left_out() {
        let mut r = Record::new("cstar", None, None);
        r.push("signal_counts", Value::Int(15780));
        assert_eq!(r.to_json(), r#"{"type":"cstar","signal_counts":15780}"#);
    }

    #[test]
    fn csv_flattens_arrays_and_escapes() {
        let mut r = Record::new("x", None, Some("a,b".into()));
        r.push(
            "v",
            Value::List(vec![
                Value::int_list(&[1i64, 2]),
                Value::int_list(&[3i64, 4]),
            ]),
        );
        let cols = r.csv_columns();
        assert_eq!(cols, ["type", "serial", "v_1_1", "v_1_2", "v_2_1", "v_2_2"]);
        assert_eq!(r.csv_row(&cols), "x,\"a,b\",1,2,3,4");
        let mut wider = cols.clone();
        wider.insert(1, "time".into());
        assert_eq!(r.csv_row(&wider), "x,,\"a,b\",1,2,3,4");
    }

    #[test]
    fn fast_rfc3339_equals_display() {
        for ms in [
            0i64,
            1,
            999,
            86_399_999,
            951_782_400_123,
            1_510_336_801_000,
            -1,
            253_402_300_799_999,
        ] {
            let t = UtcTime(ms);
            let mut buf = [0u8; 24];
            assert_eq!(rfc3339(t, &mut buf), Some(t.to_string().as_str()), "{ms}");
        }
        let mut buf = [0u8; 24];
        assert_eq!(rfc3339(UtcTime(-62_167_219_200_001), &mut buf), None);
        assert_eq!(rfc3339(UtcTime(253_402_300_800_000), &mut buf), None);
    }

    #[test]
    fn maps_are_json_objects_and_csv_columns() {
        let mut r = Record::new("x", None, None);
        r.push("a", Value::Int(1)).push(
            "qc",
            Value::Map(vec![("a", Value::Int(1)), ("aggregate", Value::Int(4))]),
        );
        assert_eq!(
            r.to_json(),
            r#"{"type":"x","a":1,"qc":{"a":1,"aggregate":4}}"#
        );
        let cols = r.csv_columns();
        assert_eq!(cols, ["type", "a", "qc_a", "qc_aggregate"]);
        assert_eq!(r.csv_row(&cols), "x,1,1,4");
        assert_eq!(r.remove("a"), Some(Value::Int(1)));
        assert_eq!(r.remove("a"), None);
        assert_eq!(r.to_json(), r#"{"type":"x","qc":{"a":1,"aggregate":4}}"#);
    }

    #[test]
    fn push_replaces() {
        let mut r = Record::new("x", None, None);
        r.push("a", Value::Int(1)).push("a", Value::Int(2));
        assert_eq!(r.fields.len(), 1);
        assert_eq!(r.get("a"), Some(&Value::Int(2)));
    }
}
