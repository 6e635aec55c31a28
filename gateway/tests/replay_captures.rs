//! Every capture in `captures/` replayed through the gateway's decoders gives exactly its
//! expected records (the simulator's ground truth): each once, none missing, none extra.

mod common;

use common::records;
use gateway::config::{Carries, Config};
use gateway::replay::replay;
use std::path::{Path, PathBuf};

fn captures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../captures")
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
    let want = records(&expected, "sbe37");
    let got = records(&ours.join("\n"), "sbe37");
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
