//! Every capture in `captures/` replayed through the gateway's decoders gives exactly its
//! expected records (the simulator's ground truth, measured fields): each once, none
//! missing, none extra. Every `sbe37` record also carries the enrichment stage's derived
//! variables (with the example configuration's position) and QC flags, and every record
//! validates against its JSON Schema in `docs/schema/`.

mod common;

use common::files::schemas;
use common::measured::check_enriched;
use common::records;
use gateway::config::{Carries, Config};
use gateway::offline_replay::replay;
use gateway::pipeline::enrich::EnrichStats;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn captures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../captures")
}

/// Replays capture `name` and checks it; returns what the enrichment stage did.
fn check(name: &str, config: Option<&Config>) -> EnrichStats {
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
    // the enrichment: derived variables (with a configured position) and flags
    let schemas = schemas();
    let mut flags: HashMap<u64, usize> = HashMap::new();
    for o in &r.output.observations {
        let v: Value = serde_json::from_str(&o.record.to_json()).unwrap();
        let errors: Vec<String> = schemas[o.record.kind]
            .iter_errors(&v)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {v}: {errors:?}");
        if o.record.kind == "sbe37" {
            // without a configuration the platform has no position: no derived variables
            let position = config.map(|_| (o.platform.latitude, o.platform.longitude));
            *flags.entry(check_enriched(&v, position)).or_default() += 1;
        }
    }
    // the simulated line measures in range: every aggregate flag passes
    assert_eq!(flags.get(&1), Some(&ours.len()), "{name}: {flags:?}");
    let e = r.enrichment;
    eprintln!("{name}: {e:?}");
    assert_eq!(e.enriched as usize, ours.len(), "{name}");
    assert_eq!(e.untracked, 0, "{name}");
    // without a position every derivation is refused, with the example's none is
    let refused = if config.is_some() { 0 } else { ours.len() };
    assert_eq!(e.derive_errors as usize, refused, "{name}");
    assert_eq!(
        ours.len(),
        expected.lines().filter(|l| !l.trim().is_empty()).count()
    );
    e
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
    // the ring buffer's backlog arrives after newer samples: point tests only
    assert!(check("outage-recovery", None).late > 0);
}

#[test]
fn garbage_stress() {
    check("garbage-stress", None);
}

#[test]
fn with_the_example_configuration() {
    let text = include_str!("../albatross.example.toml");
    let config = Config::parse(text, Path::new("albatross.example.toml")).unwrap();
    let clean = check("clean-day", Some(&config));
    assert_eq!(clean.late, 0);
    assert!(check("outage-recovery", Some(&config)).late > 0);
    let data = std::fs::read(captures().join("clean-day.cap")).unwrap();
    let r = replay(&data, Some(&config), Carries::Modem, None).unwrap();
    let o = &r.output.observations[0];
    assert_eq!(o.platform.id, "albatross");
    assert!(o.instrument.is_some() || o.record.kind == "line_status");
}

/// The sbe37 schema types the enrichment: a derived variable is a number (never null), and
/// `qc` holds QARTOD flags only, with an aggregate.
#[test]
fn schema_checks_the_enrichment() {
    let schemas = schemas();
    let sbe37 = &schemas["sbe37"];
    let good = r#"{"type":"sbe37","time":"2026-03-01T00:00:00Z","serial":"3725001","temperature_c":13.8571,"conductivity_s_m":4.5868,"pressure_dbar":503.569,"salinity_psu":38.6151,"depth_m":498.975,"potential_temperature_c":13.7818,"sigma_theta_kg_m3":29.034,"qc":{"temperature_c":1,"conductivity_s_m":1,"pressure_dbar":1,"salinity_psu":4,"depth_m":1,"potential_temperature_c":2,"sigma_theta_kg_m3":3,"aggregate":4}}"#;
    let v: Value = serde_json::from_str(good).unwrap();
    assert!(sbe37.is_valid(&v));
    for (what, bad) in [
        ("flag 5", good.replace(r#""depth_m":1"#, r#""depth_m":5"#)),
        (
            "flag as text",
            good.replace(r#""depth_m":1"#, r#""depth_m":"1""#),
        ),
        (
            "null derived",
            good.replace(r#""depth_m":498.975"#, r#""depth_m":null"#),
        ),
        ("no aggregate", good.replace(r#","aggregate":4"#, "")),
        ("qc not an object", {
            let i = good.find(r#""qc":"#).unwrap();
            format!("{}\"qc\":1}}", &good[..i])
        }),
    ] {
        let v: Value = serde_json::from_str(&bad).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(!sbe37.is_valid(&v), "{what} accepted: {bad}");
    }
}
