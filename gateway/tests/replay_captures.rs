//! Every capture in `captures/` replayed through the gateway's decoders gives exactly its
//! expected records (the simulator's ground truth): each once, none missing, none extra.

use gateway::config::{Carries, Config};
use gateway::replay::replay;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn captures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../captures")
}

/// Records as canonical JSON strings (keys sorted, numbers as parsed f64), with counts.
fn multiset<'a>(lines: impl Iterator<Item = &'a str>) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for l in lines.filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(l).expect("valid JSON line");
        *m.entry(canonical(&v)).or_default() += 1;
    }
    m
}

fn canonical(v: &Value) -> String {
    match v {
        Value::Object(o) => {
            let mut keys: Vec<_> = o.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{k:?}:{}", canonical(&o[*k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Number(n) => format!("{:?}", n.as_f64().unwrap_or(f64::NAN)),
        other => other.to_string(),
    }
}

fn check(name: &str, config: Option<&Config>) {
    let data = std::fs::read(captures().join(format!("{name}.cap"))).unwrap();
    let expected =
        std::fs::read_to_string(captures().join(format!("{name}.expected.jsonl"))).unwrap();
    let r = replay(&data, config, Carries::Modem, None).unwrap();
    assert!(r.error.is_none(), "{name}: {:?}", r.error);
    let ours: Vec<String> = r
        .output
        .observations
        .iter()
        .filter(|o| o.record.kind == "sbe37")
        .map(|o| o.record.to_json())
        .collect();
    let others: Vec<&str> = r
        .output
        .observations
        .iter()
        .map(|o| o.record.kind)
        .filter(|k| *k != "sbe37")
        .collect();
    assert!(
        others.iter().all(|k| *k == "line_status"),
        "{name}: unexpected record types {others:?}"
    );
    let want = multiset(expected.lines());
    let got = multiset(ours.iter().map(String::as_str));
    let missing: Vec<_> = want
        .keys()
        .filter(|k| !got.contains_key(*k))
        .take(3)
        .collect();
    let extra: Vec<_> = got
        .keys()
        .filter(|k| !want.contains_key(*k))
        .take(3)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{name}: missing {missing:?}, extra {extra:?} ({})",
        r.summary
    );
    assert_eq!(got, want, "{name}: some record not exactly once");
    assert_eq!(
        ours.len(),
        expected.lines().filter(|l| !l.trim().is_empty()).count()
    );
}

#[test]
fn clean_day() {
    check("clean-day", None);
}

#[test]
fn lossy_day() {
    check("lossy-day", None);
}

#[test]
fn outage_recovery() {
    check("outage-recovery", None);
}

#[test]
fn garbage_stress() {
    check("garbage-stress", None);
}

#[test]
fn with_the_example_configuration() {
    let text = include_str!("../albatross.example.toml");
    let config = Config::parse(text, Path::new("albatross.example.toml")).unwrap();
    check("clean-day", Some(&config));
    let data = std::fs::read(captures().join("clean-day.cap")).unwrap();
    let r = replay(&data, Some(&config), Carries::Modem, None).unwrap();
    let o = &r.output.observations[0];
    assert_eq!(o.platform.id, "albatross");
    assert!(o.instrument.is_some() || o.record.kind == "line_status");
}
