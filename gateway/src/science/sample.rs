//! The measured variables of one record at one time, rounded to its product's decimals,
//! and how repeated or conflicting samples of one instrument are reduced to one per time.
//!
//! Rounding first makes the daily CSV a lossless store of the inputs: a day rebuilt from
//! its own CSV gives exactly the table built from the records.

use super::products::Product;
use super::variables::{round, MAX_MEASURED};
use crate::record::{Record, Value};
use protocol::time::UtcTime;
use std::cmp::Ordering;

/// The measured variables of one record at one time, rounded to its product's decimals
/// (`None`: absent or not a finite number), in the product's order
/// ([`Product::measured_vars`]); the slots past the product's measured count are `None`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Measurement time.
    pub time: UtcTime,
    /// The measured values.
    pub inputs: [Option<f64>; MAX_MEASURED],
}

/// The number a record field holds: a number, the `element` of a list of numbers, or the
/// leading digits of a text (the optode's product number `4831F`).
fn number(v: &Value, element: Option<usize>) -> Option<f64> {
    match (v, element) {
        (Value::List(items), Some(i)) => items.get(i)?.as_f64(),
        (Value::Text(t), None) => {
            let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        }
        (v, None) => v.as_f64(),
        _ => None,
    }
}

/// A published record (the JSON object of the brief's §4, as MQTT carries it) read back
/// as far as the products use it: its type, time and serial, its product's measured fields
/// and the Aquadopp's coordinate system ([`Record::from_json_fields`]). `None` for a type
/// that is no product's.
///
/// Its [`Sample::from_record`] is that of the record it was written from when the record's
/// numbers hold no more precision than they print: true of every live decoder, whose
/// values are the instrument's own printed or fixed-point numbers (the shore writer's
/// daily files rest on it). A computed value printed with fewer decimals than its product
/// keeps (the calibrated conductivity of an SBE 37 `.hex` upload, 5 printed, 6 kept)
/// reads back at the printed decimals.
pub fn record_of_json(obj: &serde_json::Map<String, serde_json::Value>) -> Option<Record> {
    let kind = obj.get("type")?.as_str()?;
    let product = super::products::product_of_kind(kind)?;
    // the product's own &'static name of the kind
    let kind = product.record_kinds.iter().copied().find(|k| *k == kind)?;
    let fields = product
        .measured_vars()
        .iter()
        .map(|v| v.field)
        .chain(["coordinate_system"]);
    Some(Record::from_json_fields(obj, kind, fields))
}

impl Sample {
    /// A sample of `product` with its `inputs` (in [`Product::measured_vars`] order; extra
    /// values are ignored) rounded to the catalogue's decimals.
    pub fn new(product: &Product, time: UtcTime, inputs: &[Option<f64>]) -> Sample {
        let mut out = [None; MAX_MEASURED];
        for ((o, v), spec) in out.iter_mut().zip(inputs).zip(product.measured_vars()) {
            *o = v.and_then(|x| round(x, spec.decimals));
        }
        Sample { time, inputs: out }
    }

    /// The sample of a record of `product` (its kind must be one of the product's
    /// `record_kinds`); `None` when it has no time or none of the product's required
    /// variables ([`Product::required`]: not a measurement record). An Aquadopp record
    /// whose coordinate system is not ENU has no east/north/up velocity.
    pub fn from_record(product: &Product, r: &Record) -> Option<Sample> {
        if !product.record_kinds.contains(&r.kind) {
            return None;
        }
        let time = r.time?;
        let not_enu = r
            .get("coordinate_system")
            .is_some_and(|c| !matches!(c, Value::Text(t) if t.eq_ignore_ascii_case("enu")));
        let mut inputs = [None; MAX_MEASURED];
        for (slot, spec) in inputs.iter_mut().zip(product.measured_vars()) {
            if not_enu && spec.field == "velocity_m_s" {
                continue;
            }
            *slot = r.get(spec.field).and_then(|v| number(v, spec.element));
        }
        if inputs.iter().take(product.required).all(Option::is_none) {
            return None;
        }
        Some(Sample::new(product, time, &inputs))
    }

    /// Order among samples of the same time, independent of arrival order: the most
    /// complete first, then by values (absent last).
    fn preference(&self, other: &Sample) -> Ordering {
        let present = |s: &Sample| s.inputs.iter().filter(|v| v.is_some()).count();
        present(other).cmp(&present(self)).then_with(|| {
            for (a, b) in self.inputs.iter().zip(&other.inputs) {
                let o = match (a, b) {
                    (Some(a), Some(b)) => a.total_cmp(b),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        })
    }
}

/// Samples sorted by time with one sample per time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Deduplicated {
    /// The kept samples, strictly increasing in time.
    pub samples: Vec<Sample>,
    /// Samples dropped because an identical one (same time, same values) was kept.
    pub duplicates: usize,
    /// Samples dropped because another one with the same time but different values was
    /// kept (the most complete; ties broken by value, so the choice never depends on the
    /// order the samples arrived in).
    pub conflicts: usize,
}

/// Sorts by time and keeps one sample per time (see [`Deduplicated`]).
pub fn dedup(mut samples: Vec<Sample>) -> Deduplicated {
    samples.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.preference(b)));
    let mut out = Deduplicated::default();
    for s in samples {
        match out.samples.last() {
            Some(last) if last.time == s.time => {
                if *last == s {
                    out.duplicates += 1;
                } else {
                    out.conflicts += 1;
                }
            }
            _ => out.samples.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::science::{AQUADOPP, CSTAR, LINE_STATUS, MICROCAT, OPTODE};
    use protocol::time::UtcTime;

    fn back(r: &Record) -> Record {
        match serde_json::from_str(&r.to_json()) {
            Ok(serde_json::Value::Object(o)) => record_of_json(&o).unwrap(),
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn a_published_record_gives_back_its_sample() {
        let t = Some(UtcTime::from_unix_millis(1_772_323_200_000));
        let mut ctd = Record::new("sbe37", t, Some("3725001".into()));
        ctd.push("temperature_c", Value::Fixed(13.856_84, 4))
            // at the instrument's resolution, as every live decoder gives it
            .push("conductivity_s_m", Value::Fixed(4.586_78, 5))
            .push("pressure_dbar", Value::Float(503.543))
            .push("oxygen_ml_l", Value::Fixed(f64::NAN, 3))
            .push("salinity_psu", Value::Float(38.6152))
            .push("qc", Value::Map(vec![("temperature_c", Value::Int(1))]));
        let mut aqd = Record::new("aquadopp_velocity", t, Some("11402".into()));
        aqd.push("pressure_dbar", Value::Fixed(2488.718, 3))
            .push("coordinate_system", Value::Text("ENU".into()))
            .push(
                "velocity_m_s",
                Value::fixed_list(&[-0.036, 0.014, -0.003], 3),
            )
            .push("amplitude", Value::int_list(&[41u8, 39, 40]));
        let mut beam = aqd.clone();
        beam.remove("coordinate_system");
        beam.push("coordinate_system", Value::Text("BEAM".into()));
        let mut optode = Record::new("optode", t, Some("379".into()));
        optode
            .push("model", Value::Text("4831F".into()))
            .push("oxygen_umol_l", Value::Float(201.84));
        let mut cstar = Record::new("cstar", t, Some("1234".into()));
        cstar.push("beam_attenuation_per_m", Value::Float(0.398));
        let mut status = Record::new("line_status", t, None);
        status
            .push("battery_v", Value::Float(14.6))
            .push("ring_oldest_seq", Value::Int(0));
        let cases = [
            (&MICROCAT, ctd),
            (&AQUADOPP, aqd),
            (&AQUADOPP, beam),
            (&OPTODE, optode),
            (&CSTAR, cstar),
            (&LINE_STATUS, status),
        ];
        for (product, r) in cases {
            let read = back(&r);
            assert_eq!(read.kind, r.kind);
            assert_eq!((read.time, &read.serial), (r.time, &r.serial));
            let (want, got) = (
                Sample::from_record(product, &r),
                Sample::from_record(product, &read),
            );
            assert!(want.is_some(), "{}", r.kind);
            assert_eq!(got, want, "{}", r.to_json());
        }
        // more precision than printed: the sample reads back at the printed decimals
        let mut computed = Record::new("sbe37", t, Some("3716125".into()));
        computed
            .push("temperature_c", Value::Fixed(13.856_84, 4))
            .push("conductivity_s_m", Value::Fixed(4.586_781_2, 5));
        let read = Sample::from_record(&MICROCAT, &back(&computed)).unwrap();
        assert_eq!(read.inputs[1], Some(4.58678));
        let not_a_product = serde_json::json!({"type": "nortek_head", "serial": "11402"});
        assert!(record_of_json(not_a_product.as_object().unwrap()).is_none());
    }
}
