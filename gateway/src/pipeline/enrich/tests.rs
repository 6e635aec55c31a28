//! The enrichment stage against the gsw reference values, the QARTOD check vectors of
//! outputs-and-qc.md §4.3 and the live semantics of the module docs.

use super::*;
use crate::config::InstrumentModel;
use crate::observation::{InstrumentMeta, PlatformMeta};
use crate::qc::config::{GrossRangeConfig, RateOfChangeConfig, SpikeConfig};
use crate::qc::VariableTests;
use crate::record::{Record, Value};
use crate::science::{default_qc, round, MICROCAT};
use std::sync::Arc;

/// 2024-01-01T00:00Z, the start of the §4.3 check vectors.
const T0: i64 = 1_704_067_200_000;
const HALF_HOUR: i64 = 1_800_000;

fn platform(lat: f64, lon: f64) -> Arc<PlatformMeta> {
    Arc::new(PlatformMeta {
        site: "emso-ligure-ouest".into(),
        id: "albatross".into(),
        name: "ALBATROSS".into(),
        latitude: lat,
        longitude: lon,
        acoustic_source: None,
        instruments: Vec::new(),
    })
}

fn instrument(serial: &str) -> Arc<InstrumentMeta> {
    Arc::new(InstrumentMeta {
        kind: InstrumentModel::Sbe37Odo,
        serial: serial.into(),
        slot: None,
        nominal_depth_m: 2000.0,
    })
}

/// An `sbe37` observation of instrument `serial` at the MII's position.
fn obs(time_ms: i64, serial: &str, fields: &[(&'static str, f64, u8)]) -> Observation {
    obs_at(platform(42.806217, 6.026833), time_ms, serial, fields)
}

fn obs_at(
    platform: Arc<PlatformMeta>,
    time_ms: i64,
    serial: &str,
    fields: &[(&'static str, f64, u8)],
) -> Observation {
    let mut record = Record::new("sbe37", Some(UtcTime(time_ms)), Some(serial.into()));
    for &(name, v, d) in fields {
        record.push(name, Value::Fixed(v, d));
    }
    Observation {
        record,
        platform,
        instrument: Some(instrument(serial)),
        link: "test".into(),
    }
}

fn ctd(t: f64) -> Vec<(&'static str, f64, u8)> {
    vec![
        ("temperature_c", t, 4),
        ("conductivity_s_m", 4.1234, 5),
        ("pressure_dbar", 2450.123, 3),
    ]
}

fn number(r: &Record, name: &str) -> Option<f64> {
    match r.get(name)? {
        Value::Fixed(v, _) | Value::Float(v) => Some(*v),
        _ => None,
    }
}

/// The `qc` flags of a record, by name.
fn qc(r: &Record) -> Vec<(&'static str, i64)> {
    match r.get("qc") {
        Some(Value::Map(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::Int(i) => (*k, *i),
                other => panic!("flag {k} is {other:?}"),
            })
            .collect(),
        other => panic!("qc is {other:?}"),
    }
}

fn flag(r: &Record, name: &str) -> Option<i64> {
    qc(r).into_iter().find(|(k, _)| *k == name).map(|(_, f)| f)
}

fn keys(r: &Record) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    let mut out = Vec::new();
    // serde_json keeps insertion order only with `preserve_order`: read the text instead.
    let text = r.to_json();
    for k in v.as_object().unwrap().keys() {
        out.push((text.find(&format!("\"{k}\":")).unwrap(), k.clone()));
    }
    out.sort();
    out.into_iter().map(|(_, k)| k).collect()
}

/// Every row of tests/data/gsw_reference.csv (PyPI gsw 3.6.23) through the stage gives the
/// reference's derived values rounded to the record's (= the daily files') decimals, and
/// all flags PASS with the default QC (its density inversion is not evaluated live and
/// changes no flag).
#[test]
fn derived_values_are_the_gsw_reference() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/gsw_reference.csv"
    ))
    .unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut enricher = Enricher::new(default_qc());
    let mut rows = 0;
    for (i, line) in lines.enumerate() {
        let v: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        let mut o = obs_at(
            platform(v[col("lat")], v[col("lon")]),
            T0 + i as i64 * HALF_HOUR,
            "3725001",
            &[
                ("temperature_c", v[col("temperature_c")], 4),
                ("conductivity_s_m", v[col("conductivity_s_m")], 6),
                ("pressure_dbar", v[col("pressure_dbar")], 3),
                ("oxygen_ml_l", v[col("oxygen_ml_l")], 4),
            ],
        );
        enricher.enrich(&mut o);
        for name in DERIVED {
            let decimals = MICROCAT
                .vars
                .iter()
                .find(|s| s.field == name)
                .unwrap()
                .decimals;
            let want = round(v[col(name)], decimals).unwrap();
            assert_eq!(number(&o.record, name), Some(want), "row {i} {name}");
            assert_eq!(
                o.record.get(name),
                Some(&Value::Fixed(want, decimals)),
                "row {i} {name}"
            );
        }
        for (name, f) in qc(&o.record) {
            assert_eq!(f, 1, "row {i} {name}");
        }
        rows += 1;
    }
    assert_eq!(rows, 200);
    assert_eq!(enricher.stats().enriched, 200);
}

/// Keys in the order of the brief: type, time, serial, measured, derived, qc; `qc` in
/// field order then `aggregate`.
#[test]
fn field_order() {
    let mut e = Enricher::new(default_qc());
    let mut o = obs(
        T0,
        "3725001",
        &[
            ("temperature_c", 13.2, 4),
            ("conductivity_s_m", 4.12, 6),
            ("pressure_dbar", 2450.0, 3),
            ("oxygen_ml_l", 5.0, 4),
        ],
    );
    e.enrich(&mut o);
    let r = &o.record;
    assert!(number(r, "oxygen_saturation_pct").is_some());
    assert_eq!(
        keys(r),
        [
            "type",
            "time",
            "serial",
            "temperature_c",
            "conductivity_s_m",
            "pressure_dbar",
            "oxygen_ml_l",
            "salinity_psu",
            "depth_m",
            "potential_temperature_c",
            "sigma_theta_kg_m3",
            "oxygen_saturation_pct",
            "qc"
        ]
    );
    let names: Vec<&str> = qc(r).iter().map(|(k, _)| *k).collect();
    assert_eq!(
        names,
        [
            "temperature_c",
            "conductivity_s_m",
            "pressure_dbar",
            "oxygen_ml_l",
            "salinity_psu",
            "depth_m",
            "potential_temperature_c",
            "sigma_theta_kg_m3",
            "oxygen_saturation_pct",
            "aggregate"
        ]
    );
    assert!(r.to_json().ends_with(
        r#""qc":{"temperature_c":1,"conductivity_s_m":1,"pressure_dbar":1,"oxygen_ml_l":1,"salinity_psu":1,"depth_m":1,"potential_temperature_c":1,"sigma_theta_kg_m3":1,"oxygen_saturation_pct":1,"aggregate":1}}"#
    ));
    // with or without density inversion (not evaluated live), sigma-theta has its inputs' flags
    let mut qc_config = default_qc();
    qc_config.density_inversion = None;
    let mut o = obs(T0, "3725001", &ctd(13.2));
    Enricher::new(qc_config).enrich(&mut o);
    assert_eq!(flag(&o.record, "sigma_theta_kg_m3"), Some(1));
}

/// Temperature 40 °C is outside the default fail span (-5, 35): FAIL on temperature, on
/// everything derived from it and on the aggregate; depth (from pressure only) passes.
#[test]
fn gross_range_failure_reaches_derived_variables_and_aggregate() {
    let mut e = Enricher::new(default_qc());
    let mut fields = ctd(40.0);
    fields.push(("oxygen_ml_l", 4.0, 4));
    let mut o = obs(T0, "3725001", &fields);
    e.enrich(&mut o);
    let r = &o.record;
    for name in [
        "temperature_c",
        "salinity_psu",
        "potential_temperature_c",
        "sigma_theta_kg_m3",
        "oxygen_saturation_pct",
        "aggregate",
    ] {
        assert_eq!(flag(r, name), Some(4), "{name}: {}", r.to_json());
    }
    for name in [
        "conductivity_s_m",
        "pressure_dbar",
        "oxygen_ml_l",
        "depth_m",
    ] {
        assert_eq!(flag(r, name), Some(1), "{name}: {}", r.to_json());
    }
}

fn roc_config() -> QcConfig {
    let mut qc = default_qc();
    qc.variables.insert(
        "temperature_c".into(),
        VariableTests {
            gross_range: Some(GrossRangeConfig {
                fail_span: [-2.0, 40.0],
                suspect_span: None,
            }),
            spike: Some(SpikeConfig {
                suspect_threshold: Some(0.5),
                fail_threshold: Some(1.5),
                method: Default::default(),
            }),
            rate_of_change: Some(RateOfChangeConfig {
                threshold_per_s: Some(1e-4),
                fail_threshold_per_s: Some(1e-3),
                n_dev: None,
                fail_n_dev: None,
                tim_dev_h: 25.0,
                min_obs: 3,
            }),
            ..Default::default()
        },
    );
    qc
}

/// The §4.3 series, every 30 min from 2024-01-01T00:00Z.
const X: [f64; 12] = [
    13.20,
    13.21,
    13.19,
    15.5,
    13.20,
    13.22,
    f64::NAN,
    13.23,
    13.23,
    13.23,
    13.23,
    13.24,
];

/// Live, the temperature flag of the §4.3 series is the rate-of-change vector
/// (1e-4/s, fail 1e-3/s) 1 1 1 4 4 1 9 1 1 1 1 1: the jump fails, and the spike test
/// (which would make the third value SUSPECT) is NOT EVALUATED live.
#[test]
fn rate_of_change_flags_a_jump_and_spike_is_not_evaluated_live() {
    let mut e = Enricher::new(roc_config());
    let mut got = Vec::new();
    for (i, x) in X.iter().enumerate() {
        let mut o = obs(T0 + i as i64 * HALF_HOUR, "3725001", &ctd(*x));
        e.enrich(&mut o);
        got.push(flag(&o.record, "temperature_c").unwrap());
        if i == 3 {
            assert_eq!(flag(&o.record, "salinity_psu"), Some(4));
            assert_eq!(flag(&o.record, "aggregate"), Some(4));
            assert_eq!(flag(&o.record, "depth_m"), Some(1));
        }
        if x.is_nan() {
            // a null temperature: flag 9, and nothing derived from it
            assert!(o.record.to_json().contains("\"temperature_c\":null"));
            assert_eq!(o.record.get("salinity_psu"), None);
            assert_eq!(flag(&o.record, "salinity_psu"), None);
            assert!(number(&o.record, "depth_m").is_some());
        }
    }
    assert_eq!(got, [1, 1, 1, 4, 4, 1, 9, 1, 1, 1, 1, 1]);
    assert_eq!(e.stats().late, 0);
}

/// A record older than the newest already seen gets the point tests only and leaves the
/// state as it was: the records after it are flagged exactly as without it.
#[test]
fn late_record_gets_point_tests_only_and_leaves_the_state() {
    let mut qc = roc_config();
    // pressure: rate of change only, so a late record shows NOT EVALUATED
    qc.variables.insert(
        "pressure_dbar".into(),
        VariableTests {
            rate_of_change: Some(RateOfChangeConfig {
                threshold_per_s: Some(1e-3),
                fail_threshold_per_s: None,
                n_dev: None,
                fail_n_dev: None,
                tim_dev_h: 25.0,
                min_obs: 3,
            }),
            ..Default::default()
        },
    );
    let mut with_late = Enricher::new(qc.clone());
    let mut without = Enricher::new(qc);
    let series = [13.20, 13.21, 13.19, 13.25];
    for (i, x) in series.iter().enumerate().take(3) {
        let t = T0 + i as i64 * HALF_HOUR;
        let mut a = obs(t, "3725001", &ctd(*x));
        let mut b = a.clone();
        with_late.enrich(&mut a);
        without.enrich(&mut b);
        assert_eq!(a, b);
        assert_eq!(flag(&a.record, "pressure_dbar"), Some(1));
    }
    // 15 min after the first: a jump of 2 °C that rate of change would fail
    let mut late = obs(T0 + HALF_HOUR / 2, "3725001", &ctd(15.2));
    with_late.enrich(&mut late);
    assert_eq!(
        flag(&late.record, "temperature_c"),
        Some(1),
        "gross range only"
    );
    assert_eq!(
        flag(&late.record, "pressure_dbar"),
        Some(2),
        "not evaluated"
    );
    assert_eq!(flag(&late.record, "salinity_psu"), Some(2));
    assert_eq!(flag(&late.record, "aggregate"), Some(1));
    // a late record out of the gross range still fails
    let mut late_bad = obs(T0 + HALF_HOUR / 3, "3725001", &ctd(41.0));
    with_late.enrich(&mut late_bad);
    assert_eq!(flag(&late_bad.record, "temperature_c"), Some(4));
    assert_eq!(flag(&late_bad.record, "aggregate"), Some(4));
    // a duplicate of the newest is late too
    let mut dup = obs(T0 + 2 * HALF_HOUR, "3725001", &ctd(13.19));
    with_late.enrich(&mut dup);
    assert_eq!(flag(&dup.record, "pressure_dbar"), Some(2));
    assert_eq!(with_late.stats().late, 3);
    // the state is untouched: the next records get the same flags with or without them
    for (i, x) in [(3, 13.25), (4, 16.0), (5, 16.01)] {
        let t = T0 + i * HALF_HOUR;
        let mut a = obs(t, "3725001", &ctd(x));
        let mut b = a.clone();
        with_late.enrich(&mut a);
        without.enrich(&mut b);
        assert_eq!(a.record.to_json(), b.record.to_json());
    }
    // another instrument has its own state
    let mut other = obs(T0, "3725002", &ctd(13.2));
    with_late.enrich(&mut other);
    assert_eq!(flag(&other.record, "pressure_dbar"), Some(1));
}

#[test]
fn missing_inputs_leave_derived_fields_absent() {
    let mut e = Enricher::new(default_qc());
    // no oxygen: no saturation and no flags for either
    let mut o = obs(T0, "3725001", &ctd(13.2));
    e.enrich(&mut o);
    assert!(number(&o.record, "salinity_psu").is_some());
    assert_eq!(o.record.get("oxygen_saturation_pct"), None);
    assert_eq!(flag(&o.record, "oxygen_ml_l"), None);
    assert_eq!(flag(&o.record, "oxygen_saturation_pct"), None);
    assert!(!o.record.to_json().contains("null"));
    // pressure only: depth only
    let mut p = obs(T0 + HALF_HOUR, "3725001", &[("pressure_dbar", 500.0, 3)]);
    e.enrich(&mut p);
    let names: Vec<&str> = p.record.fields.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["pressure_dbar", "depth_m", "qc"]);
    assert_eq!(
        qc(&p.record),
        [("pressure_dbar", 1), ("depth_m", 1), ("aggregate", 1)]
    );
    // no configured position (replay without a configuration): measured flags only
    let mut u = obs_at(
        Arc::new(PlatformMeta::unconfigured(Some(1))),
        T0,
        "3725009",
        &ctd(13.2),
    );
    e.enrich(&mut u);
    let names: Vec<&str> = u.record.fields.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        ["temperature_c", "conductivity_s_m", "pressure_dbar", "qc"]
    );
    assert_eq!(e.stats().derive_errors, 1);
    // conductivity out of TEOS-10's range: derivation refused, flags say why
    let mut bad = obs(T0 + 2 * HALF_HOUR, "3725001", &ctd(13.2));
    bad.record.push("conductivity_s_m", Value::Fixed(-1.0, 5));
    e.enrich(&mut bad);
    assert_eq!(bad.record.get("salinity_psu"), None);
    assert_eq!(flag(&bad.record, "conductivity_s_m"), Some(4));
    assert_eq!(flag(&bad.record, "aggregate"), Some(4));
}

#[test]
fn instrument_salinity_is_replaced_or_kept() {
    let mut e = Enricher::new(default_qc());
    let mut fields = ctd(13.2);
    fields.push(("salinity_psu", 34.1, 4));
    fields.push(("sound_speed_m_s", 1530.0, 3));
    let mut o = obs(T0, "3725001", &fields);
    e.enrich(&mut o);
    let names: Vec<&str> = o.record.fields.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "temperature_c",
            "conductivity_s_m",
            "pressure_dbar",
            "sound_speed_m_s",
            "salinity_psu",
            "depth_m",
            "potential_temperature_c",
            "sigma_theta_kg_m3",
            "qc"
        ]
    );
    assert_ne!(number(&o.record, "salinity_psu"), Some(34.1));
    // without a position the instrument's own salinity stays, with its flag
    let mut u = obs_at(
        Arc::new(PlatformMeta::unconfigured(None)),
        T0,
        "3725001",
        &fields,
    );
    e.enrich(&mut u);
    assert_eq!(number(&u.record, "salinity_psu"), Some(34.1));
    assert_eq!(flag(&u.record, "salinity_psu"), Some(1));
}

#[test]
fn other_records_and_enriching_twice() {
    let mut e = Enricher::new(default_qc());
    let mut status = obs(T0, "3725001", &ctd(13.2));
    status.record.kind = "line_status";
    let before = status.clone();
    e.enrich(&mut status);
    assert_eq!(status, before);
    let mut untimed = obs(T0, "3725001", &ctd(13.2));
    untimed.record.time = None;
    let before = untimed.clone();
    e.enrich(&mut untimed);
    assert_eq!(untimed, before);
    // enriching an enriched record again changes nothing but the (late) sequence flags
    let mut o = obs(T0, "3725001", &ctd(13.2));
    e.enrich(&mut o);
    let once = o.record.to_json();
    e.enrich(&mut o);
    assert_eq!(o.record.to_json(), once);
    assert_eq!(e.stats().enriched, 2);
}

#[test]
fn instrument_states_are_bounded() {
    let mut e = Enricher::new(roc_config());
    for n in 0..=MAX_INSTRUMENTS {
        let mut o = obs(T0, &format!("s{n}"), &ctd(13.2));
        e.enrich(&mut o);
        assert_eq!(flag(&o.record, "temperature_c"), Some(1));
    }
    assert_eq!(e.instruments.len(), MAX_INSTRUMENTS);
    assert_eq!(e.stats().untracked, 1);
}

/// In time order and without the spike test, the live record carries exactly the values and
/// flags of its row in the day's files (the science core's assessment of the day,
/// `science::assess`, which the files hold): the same derivation, the same tests, the same
/// inheritance and aggregate.
#[test]
fn in_order_live_flags_equal_the_daily_files() {
    use crate::qc::config::{ClimatologyPeriod, FlatLineConfig};
    use crate::science::{assess, Context, Deployment, Sample};
    let mut qc = roc_config();
    if let Some(t) = qc.variables.get_mut("temperature_c") {
        t.spike = None;
        t.flat_line = Some(FlatLineConfig {
            suspect_threshold_s: 3600.0,
            fail_threshold_s: 5400.0,
            tolerance: 0.001,
        });
        t.climatology = Some(vec![ClimatologyPeriod {
            months: [1, 3],
            suspect_span: [12.5, 14.0],
            fail_span: Some([10.0, 16.0]),
            depth_span_m: None,
        }]);
    }
    let platform = {
        let mut p = (*platform(42.806217, 6.026833)).clone();
        p.instruments.push(instrument("3725001"));
        Arc::new(p)
    };
    let instrument = &platform.instruments[0];
    let deployment = Deployment {
        serial: &instrument.serial,
        latitude: platform.latitude,
        longitude: platform.longitude,
        nominal_depth_m: instrument.nominal_depth_m,
    };
    let mut e = Enricher::new(qc.clone());
    let mut live = Vec::new();
    let mut samples = Vec::new();
    for (i, x) in X.iter().enumerate() {
        let mut fields = ctd(*x);
        fields.push(("oxygen_ml_l", 4.0 + i as f64 * 0.01, 4));
        let mut o = obs_at(
            platform.clone(),
            T0 + i as i64 * HALF_HOUR,
            "3725001",
            &fields,
        );
        samples.push(Sample::from_record(&MICROCAT, &o.record).unwrap());
        e.enrich(&mut o);
        live.push(o.record);
    }
    let table = assess(&MICROCAT, samples, &deployment, &qc, &Context::default()).unwrap();
    assert_eq!(table.rows.len(), X.len());
    let mut non_pass = 0;
    for (r, row) in live.iter().zip(&table.rows) {
        for (k, spec) in MICROCAT.vars.iter().enumerate() {
            let value = number(r, spec.field).filter(|v| v.is_finite());
            assert_eq!(value, row.values[k], "{}", spec.field);
            if row.values[k].is_some() {
                assert_eq!(
                    flag(r, spec.field),
                    Some(i64::from(row.flags[k].code())),
                    "{} at {}",
                    spec.field,
                    r.to_json()
                );
            }
        }
        assert_eq!(flag(r, AGGREGATE), Some(i64::from(row.aggregate.code())));
        non_pass += usize::from(row.aggregate != Flag::Pass);
    }
    // the comparison covers more than PASS: the jump, the missing value, the flat line
    assert!(non_pass >= 4, "{non_pass}");
}

/// Temperature with every sequence test: spike, rate of change (per second and n·SD) and
/// flat line (a 2 h suspect, 4 h fail window at 30-min sampling).
fn sequence_config() -> QcConfig {
    let mut qc = roc_config();
    if let Some(t) = qc.variables.get_mut("temperature_c") {
        if let Some(r) = t.rate_of_change.as_mut() {
            r.n_dev = Some(3.0);
            r.fail_n_dev = Some(6.0);
        }
        t.flat_line = Some(crate::qc::config::FlatLineConfig {
            suspect_threshold_s: 7200.0,
            fail_threshold_s: 14_400.0,
            tolerance: 0.001,
        });
    }
    qc
}

/// 40 half-hourly temperatures: noise, a spike, a jump, a gap, a long flat stretch.
fn sequence_series() -> Vec<f64> {
    (0..40)
        .map(|i| match i {
            7 => 15.5,
            12 => f64::NAN,
            20..=31 => 13.5,
            32.. => 14.0 + 0.01 * f64::from(i),
            _ => round(13.2 + 0.013 * f64::from(i % 5), 4).unwrap_or(13.2),
        })
        .collect()
}

/// The `qc` objects of the records of `series` from index `from` on, fed to `e` (two
/// instruments, interleaved).
fn run_series(e: &mut Enricher, series: &[f64], range: std::ops::Range<usize>) -> Vec<String> {
    let mut got = Vec::new();
    for i in range {
        for serial in ["3725001", "3725002"] {
            let x = series.get(i).copied().unwrap_or(f64::NAN);
            let x = if serial == "3725002" { x + 0.5 } else { x };
            let mut o = obs(T0 + i as i64 * HALF_HOUR, serial, &ctd(x));
            e.enrich(&mut o);
            got.push(format!("{i} {serial} {:?}", qc(&o.record)));
        }
    }
    got
}

/// A stage fed records 1..k, its state saved (as JSON text) and taken back by a new stage
/// fed k+1..N, gives every record the flags of one stage fed 1..N, whatever k.
#[test]
fn a_resumed_state_gives_the_flags_of_a_continuous_run() {
    let series = sequence_series();
    let n = series.len();
    let mut continuous = Enricher::new(sequence_config());
    let want = run_series(&mut continuous, &series, 0..n);
    // the series does exercise the sequence tests
    let joined = want.join("\n");
    assert!(joined.contains("(\"temperature_c\", 4)"), "{joined}");
    assert!(joined.contains("(\"temperature_c\", 3)"), "{joined}");
    for k in [1, 2, 3, 8, 13, 21, 25, 33] {
        let mut first = Enricher::new(sequence_config());
        let mut got = run_series(&mut first, &series, 0..k);
        let saved: Vec<String> = first.take_changed().iter().map(|s| s.to_json()).collect();
        assert_eq!(saved.len(), 2, "both instruments changed");
        assert!(first.take_changed().is_empty(), "taken once");
        let mut second = Enricher::new(sequence_config());
        for text in &saved {
            assert!(second.resume(&SavedInstrument::from_json(text).unwrap()));
        }
        got.extend(run_series(&mut second, &series, k..n));
        assert_eq!(got, want, "saved after {k} records");
        // a record already covered by the saved state is late, as in one run
        let mut o = obs(T0 + (k as i64 - 1) * HALF_HOUR, "3725001", &ctd(13.2));
        second.enrich(&mut o);
        assert_eq!(second.stats().late, 1);
    }
}

/// The same at the level of the streaming state, including the final spike flag of the
/// previous value that each push gives (the live spike).
#[test]
fn a_resumed_streaming_state_gives_the_same_updates_and_spikes() {
    let config = sequence_config();
    let series = sequence_series();
    let push_all = |q: &mut InstrumentQc, range: std::ops::Range<usize>| {
        range
            .map(|i| {
                let x = series.get(i).copied().unwrap_or(f64::NAN);
                q.push(
                    UtcTime(T0 + i as i64 * HALF_HOUR),
                    &[("temperature_c", x)],
                    None,
                )
            })
            .collect::<Vec<_>>()
    };
    let mut one = InstrumentQc::new(&config);
    let want = push_all(&mut one, 0..series.len());
    let spikes = want
        .iter()
        .flatten()
        .filter(|(n, u)| {
            n == "temperature_c" && u.previous_spike.is_some_and(|s| s.1 != Flag::Pass)
        })
        .count();
    assert!(spikes >= 1, "the spike at 7 is flagged on the next value");
    for k in [2, 8, 9, 30] {
        let mut a = InstrumentQc::new(&config);
        let mut got = push_all(&mut a, 0..k);
        let saved: std::collections::BTreeMap<String, Vec<(UtcTime, f64)>> = a
            .variables()
            .map(|(n, v)| (n.to_owned(), v.history().collect()))
            .collect();
        let mut b = InstrumentQc::resumed(&config, &saved);
        got.extend(push_all(&mut b, k..series.len()));
        assert_eq!(format!("{got:?}"), format!("{want:?}"), "resumed after {k}");
    }
}

/// Unreadable or foreign saved states are refused, not half taken.
#[test]
fn unreadable_saved_states_are_refused() {
    assert!(SavedInstrument::from_json("").is_err());
    assert!(SavedInstrument::from_json("{\"format\":1}").is_err());
    let mut e = Enricher::new(sequence_config());
    run_series(&mut e, &sequence_series(), 0..3);
    let mut s = e.take_changed().remove(0);
    s.format = 99;
    assert!(matches!(
        SavedInstrument::from_json(&s.to_json()),
        Err(SavedError::Format(99))
    ));
}
