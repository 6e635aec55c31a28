//! Records as JSON text, written straight into a byte buffer.
//!
//! Promise: [`Record::write_json`] writes exactly the bytes `serde_json` writes for the
//! record's [`serde::Serialize`] form (the tests compare the two on random records), without
//! serde's per-token calls: records are written by the hundred thousand (`albatross
//! decode`, a reprocessing), and their numbers are mostly instrument counts at a fixed
//! resolution, which [`write_fixed`] prints with integer arithmetic.

use serde_json::ser::{CompactFormatter, Formatter};

use super::{write_time, Record, Value};

impl Record {
    /// Appends the record as one line of JSON (no trailing newline) to `out`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"type\":");
        write_str(out, self.kind);
        if let Some(t) = self.time {
            out.extend_from_slice(b",\"time\":");
            Value::Time(t).write_json(out);
        }
        if let Some(serial) = &self.serial {
            out.extend_from_slice(b",\"serial\":");
            write_str(out, serial);
        }
        for (name, value) in &self.fields {
            out.push(b',');
            write_str(out, name);
            out.push(b':');
            value.write_json(out);
        }
        out.push(b'}');
    }
}

/// The JSON value as a record [`Value`]: a number, text, a boolean, or a list of those
/// (`null` in a list is NaN, as a non-finite number is written); `None` for `null` and
/// objects.
fn value_of_json(v: &serde_json::Value) -> Option<Value> {
    use serde_json::Value as J;
    match v {
        J::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Some(Value::Int(i)),
            _ => n.as_f64().map(Value::Float),
        },
        J::String(s) => Some(Value::Text(s.clone())),
        J::Bool(b) => Some(Value::Bool(*b)),
        J::Array(items) => Some(Value::List(
            items
                .iter()
                .map(|x| value_of_json(x).unwrap_or(Value::Float(f64::NAN)))
                .collect(),
        )),
        J::Null | J::Object(_) => None,
    }
}

impl Record {
    /// The record a JSON object of the brief's §4 (as [`Record::write_json`] writes it)
    /// holds, read back for the named fields only: its `time` and `serial`, and each of
    /// `fields` it has (numbers, text, booleans, lists), in the order of `fields`; `kind`
    /// is the caller's `&'static` name of its `type`. Other members are left out (their
    /// names are not known statically).
    pub fn from_json_fields(
        obj: &serde_json::Map<String, serde_json::Value>,
        kind: &'static str,
        fields: impl IntoIterator<Item = &'static str>,
    ) -> Record {
        let time = obj
            .get("time")
            .and_then(serde_json::Value::as_str)
            .and_then(super::parse_time);
        let serial = obj
            .get("serial")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        let mut record = Record::new(kind, time, serial);
        for field in fields {
            if record.get(field).is_none() {
                record.push_opt(field, obj.get(field).and_then(value_of_json));
            }
        }
        record
    }
}

impl Value {
    /// Appends the value as JSON to `out` (non-finite numbers as `null`).
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Value::Float(v) if v.is_finite() => write_f64(out, *v),
            Value::Fixed(v, d) if v.is_finite() => write_fixed(out, *v, *d, Style::Json),
            Value::Float(_) | Value::Fixed(..) => out.extend_from_slice(b"null"),
            Value::Int(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
            Value::Text(t) => write_str(out, t),
            Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Value::Time(t) => {
                // RFC 3339 text holds no character JSON escapes.
                out.push(b'"');
                write_time(out, *t);
                out.push(b'"');
            }
            Value::List(items) => {
                out.push(b'[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    v.write_json(out);
                }
                out.push(b']');
            }
            Value::Map(members) => {
                out.push(b'{');
                for (i, (key, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_str(out, key);
                    out.push(b':');
                    v.write_json(out);
                }
                out.push(b'}');
            }
        }
    }
}

/// Appends `s` as a JSON string: as it is between quotes when nothing in it needs an
/// escape (the usual case: names, serials), else through `serde_json`'s own escaping.
fn write_str(out: &mut Vec<u8>, s: &str) {
    // No early exit: the loop over a short name compiles to straight-line code.
    let plain = !s.bytes().fold(false, |esc, b| {
        esc | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        // Serialising a `str` into a `Vec` cannot fail (no I/O, no non-string keys).
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

/// Appends a finite `v` in its shortest exact form, as `serde_json` writes an `f64`.
fn write_f64(out: &mut Vec<u8>, v: f64) {
    // Writing into a `Vec` cannot fail.
    let _ = CompactFormatter.write_f64(out, v);
}

/// How a number is spelled: JSON (`serde_json`: `20.0`, `1e-7`) or Rust's `Display`, which
/// the CSV cells use (`20`, `0.0000001`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    /// As `serde_json` writes an `f64`.
    Json,
    /// As `format!("{}", f64)` writes it.
    Display,
}

/// Appends finite `v` rounded to `decimals` (at most 15, as [`Value::Fixed`] promises),
/// with the same text as formatting the rounded `f64` in `style`.
///
/// The rounded value is `m / 10^d`, `m` an integer; when `0 < |m| < 10^15` that decimal has
/// at most 15 significant digits, so it is the shortest text that reads back as the rounded
/// `f64` (any decimal of 15 digits or fewer survives the round trip through an `f64`), and
/// it can be printed from the integer `m` directly. Outside that range (zero, whose sign
/// matters, huge values, and the tiny ones JSON writes with an exponent) the rounded `f64`
/// goes through the general formatter.
pub(super) fn write_fixed(out: &mut Vec<u8>, v: f64, decimals: u8, style: Style) {
    let d = decimals.min(15);
    let scale = POW10[usize::from(d)];
    let m = (v * scale).round();
    let fast = m != 0.0
        && m.abs() < 1e15
        // JSON switches to an exponent below 1e-5.
        && (style == Style::Display || d <= 5 || m.abs() >= POW10[usize::from(d - 5)]);
    if !fast {
        let r = Value::rounded(v, decimals);
        match style {
            Style::Json => write_f64(out, r),
            Style::Display => {
                use std::io::Write as _;
                // Writing into a `Vec` cannot fail.
                let _ = write!(out, "{r}");
            }
        }
        return;
    }
    // |m| < 10^15 < 2^63: the cast is exact.
    let mut u = m.abs() as u64;
    let mut d = usize::from(d);
    while d > 0 && u.is_multiple_of(10) {
        u /= 10;
        d -= 1;
    }
    if m < 0.0 {
        out.push(b'-');
    }
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(u).as_bytes();
    if d == 0 {
        out.extend_from_slice(digits);
        if style == Style::Json {
            out.extend_from_slice(b".0");
        }
    } else if digits.len() > d {
        let (int, frac) = digits.split_at(digits.len() - d);
        out.extend_from_slice(int);
        out.push(b'.');
        out.extend_from_slice(frac);
    } else {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + (d - digits.len()), b'0');
        out.extend_from_slice(digits);
    }
}

/// 10^0 … 10^15, each exact in an `f64` (the same values `10f64.powi(d)` gives).
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use protocol::time::UtcTime;

    fn fixed(v: f64, d: u8, style: Style) -> String {
        let mut out = Vec::new();
        write_fixed(&mut out, v, d, style);
        String::from_utf8(out).unwrap()
    }

    /// The general formatters' text for the rounded value: what `write_fixed` must equal.
    fn reference(v: f64, d: u8, style: Style) -> String {
        let r = Value::rounded(v, d);
        match style {
            Style::Json => serde_json::to_string(&r).unwrap(),
            Style::Display => format!("{r}"),
        }
    }

    #[test]
    fn fixed_edges_equal_the_general_formatters() {
        let values = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            20.0,
            0.5,
            -0.00004,
            0.00001,
            0.000012,
            1e-7,
            1.25e-6,
            2.711_842_000_000_000_1,
            -1.911_812_345,
            34.580_149_9,
            999_999.999_95,
            1e14,
            9.99e14,
            1e15,
            1e16,
            1.5e300,
            -7.5e-300,
            0.1,
            0.7,
            1.005,
            2.675,
            123_456.789_012,
        ];
        for v in values {
            for d in 0..=17 {
                for style in [Style::Json, Style::Display] {
                    assert_eq!(fixed(v, d, style), reference(v, d, style), "{v} d={d}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn fixed_equals_the_general_formatters(
            mant in -1_000_000_000i64..1_000_000_000,
            exp in -12i32..10,
            d in 0u8..=16,
        ) {
            let v = mant as f64 * 10f64.powi(exp) / 7.0;
            for style in [Style::Json, Style::Display] {
                prop_assert_eq!(fixed(v, d, style), reference(v, d, style));
            }
        }

        #[test]
        fn fixed_equals_the_general_formatters_on_any_bits(bits in any::<u64>(), d in 0u8..=15) {
            let v = f64::from_bits(bits);
            prop_assume!(v.is_finite());
            for style in [Style::Json, Style::Display] {
                prop_assert_eq!(fixed(v, d, style), reference(v, d, style));
            }
        }

        #[test]
        fn records_equal_serde_json(
            secs in 0i64..4_000_000_000,
            millis in 0u32..1000,
            serial in proptest::option::of("[ -~\\n\\t\u{e9}]{0,12}"),
            nums in proptest::collection::vec((any::<f64>(), 0u8..8, any::<i64>()), 0..6),
            text in "[ -~\\n\u{1}]{0,8}",
        ) {
            let t = UtcTime::from_unix_millis(secs * 1000 + i64::from(millis));
            let mut r = Record::new("sbe37", Some(t), serial);
            for (i, (f, d, n)) in nums.iter().enumerate() {
                let names = ["a", "b", "c", "d", "e", "f"];
                r.push(names[i], Value::List(vec![
                    Value::Fixed(*f, *d),
                    Value::Float(*f),
                    Value::Int(*n),
                    Value::Bool(n % 2 == 0),
                ]));
            }
            r.push("text", Value::Text(text));
            r.push("qc", Value::Map(vec![("t\"q", Value::Int(1)), ("s", Value::Time(t))]));
            let mut ours = Vec::new();
            r.write_json(&mut ours);
            prop_assert_eq!(ours, serde_json::to_vec(&r).unwrap());
        }
    }
}
