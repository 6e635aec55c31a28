//! The measured part of a record: what the simulator's truth records and the captures'
//! `*.expected.jsonl` hold. The gateway's enrichment stage (`gateway::pipeline::enrich`)
//! adds derived variables and `qc` flags to live records; comparisons with the truth leave
//! those out, and [`check_enriched`] checks them on their own.

use gateway::pipeline::enrich::{AGGREGATE, DERIVED};
use serde_json::Value;

/// Whether top-level key `k` is added by the enrichment stage.
pub fn is_enrichment(k: &str) -> bool {
    k == "qc" || DERIVED.contains(&k)
}

/// `v` without the fields the enrichment stage adds (top level only).
pub fn measured(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| !is_enrichment(k))
                .map(|(k, x)| (k.clone(), x.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn num(v: &Value, k: &str) -> Option<f64> {
    v.get(k).and_then(Value::as_f64)
}

/// Checks one enriched `sbe37` record `v` (JSON) of an instrument at (`lat`, `lon`): its
/// derived variables are `gateway::seawater::derive` of its measured fields rounded to the
/// record's decimals (absent without a position), and `qc` holds a QARTOD flag for every
/// measured and derived field present, then `aggregate`, the worst of them. Returns the
/// aggregate flag.
pub fn check_enriched(v: &Value, position: Option<(f64, f64)>) -> u64 {
    let text = v.to_string();
    let qc = v
        .get("qc")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("no qc object: {text}"));
    let flag_keys: Vec<&str> = qc.keys().map(String::as_str).collect();
    for k in &flag_keys {
        let f = qc[*k].as_u64().unwrap_or(0);
        assert!([1, 2, 3, 4, 9].contains(&f), "flag {k}={f}: {text}");
        assert!(
            *k == AGGREGATE || v.get(*k).is_some(),
            "flag without field {k}: {text}"
        );
    }
    for k in [
        "temperature_c",
        "conductivity_s_m",
        "pressure_dbar",
        "oxygen_ml_l",
    ]
    .into_iter()
    .chain(DERIVED)
    {
        assert_eq!(v.get(k).is_some(), qc.contains_key(k), "{k}: {text}");
    }
    let (t, c, p) = (
        num(v, "temperature_c").unwrap(),
        num(v, "conductivity_s_m").unwrap(),
        num(v, "pressure_dbar").unwrap(),
    );
    match position {
        Some((lat, lon)) => {
            let d = gateway::seawater::derive(c, t, p, num(v, "oxygen_ml_l"), lat, lon).unwrap();
            let r4 = |x: f64| (x * 1e4).round() / 1e4;
            let r3 = |x: f64| (x * 1e3).round() / 1e3;
            assert_eq!(num(v, "salinity_psu"), Some(r4(d.salinity_psu)), "{text}");
            assert_eq!(
                num(v, "potential_temperature_c"),
                Some(r4(d.potential_temperature_c)),
                "{text}"
            );
            assert_eq!(
                num(v, "sigma_theta_kg_m3"),
                Some(r4(d.sigma_theta_kg_m3)),
                "{text}"
            );
            assert_eq!(num(v, "depth_m"), Some(r3(d.depth_m)), "{text}");
            let sat = d.oxygen_saturation_pct.map(|x| (x * 100.0).round() / 100.0);
            assert_eq!(num(v, "oxygen_saturation_pct"), sat, "{text}");
        }
        None => assert!(DERIVED.iter().all(|k| v.get(*k).is_none()), "{text}"),
    }
    let worst = flag_keys
        .iter()
        .filter(|k| **k != AGGREGATE)
        .map(|k| match qc[*k].as_u64() {
            Some(9) => 0,
            Some(2) => 1,
            Some(1) => 2,
            Some(f) => f,
            None => 0,
        })
        .max()
        .unwrap_or(0);
    let aggregate = qc[AGGREGATE].as_u64().unwrap();
    let rank = match aggregate {
        9 => 0,
        2 => 1,
        1 => 2,
        f => f,
    };
    assert_eq!(rank, worst, "aggregate is not the worst flag: {text}");
    aggregate
}

/// Checks the enrichment of every `sbe37` record stored in the gateway's JSON-lines files
/// under `dir` (as [`super::stored_sbe37`] reads them), for instruments at `position`;
/// returns (records checked, records whose aggregate flag is not PASS).
pub fn check_stored_enriched(dir: &std::path::Path, position: (f64, f64)) -> (usize, usize) {
    let root = dir.join("data/records/albatross");
    let (mut n, mut flagged) = (0, 0);
    for y in std::fs::read_dir(&root).unwrap().flatten() {
        for f in std::fs::read_dir(y.path()).unwrap().flatten() {
            if !f.file_name().to_string_lossy().starts_with("sbe37_") {
                continue;
            }
            for line in std::fs::read_to_string(f.path()).unwrap().lines() {
                let v: Value = serde_json::from_str(line).unwrap();
                n += 1;
                flagged += usize::from(check_enriched(&v, Some(position)) != 1);
            }
        }
    }
    (n, flagged)
}
